// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the FNV-1a 64 content hash (kernel/core/hash.c).
 */
#include <kunit/test.h>

#include "../core/chipc.h"

/* The published FNV-1a 64 test vectors hash to their reference values. */
static void hash_fnv1a64_vectors(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, chipc_fnv1a64("", 0), 0xcbf29ce484222325ull);
	KUNIT_EXPECT_EQ(test, chipc_fnv1a64("a", 1), 0xaf63dc4c8601ec8cull);
	KUNIT_EXPECT_EQ(test, chipc_fnv1a64("foobar", 6), 0x85944171f73967e8ull);
}

/* Hashing in pieces with _update() equals hashing the whole buffer. */
static void hash_fnv1a64_update_incremental(struct kunit *test)
{
	static const char s[] = "chip callable content hash";
	u64 h = CHIPC_FNV_OFFSET;

	h = chipc_fnv1a64_update(h, s, 5);
	h = chipc_fnv1a64_update(h, s + 5, 0);
	h = chipc_fnv1a64_update(h, s + 5, sizeof(s) - 6);
	KUNIT_EXPECT_EQ(test, h, chipc_fnv1a64(s, sizeof(s) - 1));
}

static struct kunit_case chip_hash_test_cases[] = {
	KUNIT_CASE(hash_fnv1a64_vectors),
	KUNIT_CASE(hash_fnv1a64_update_incremental),
	{}
};

static struct kunit_suite chip_hash_test_suite = {
	.name = "chip_hash",
	.test_cases = chip_hash_test_cases,
};

kunit_test_suite(chip_hash_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the chip content hash");
