// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the content hashes (kernel/core/hash.c): the xxh64
 * dedup key, as lib/xxhash gives it to the core, and FNV-1a 64.
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

/* XXH64 of the xxHash specification (values from libxxhash 0.8.1). */
static void hash_xxh64_vectors(struct kunit *test)
{
	static const char spam[] = "Nobody inspects the spammish repetition";
	const u64 seed = 0x9e3779b97f4a7c15ull;
	u8 *buf = kunit_kmalloc(test, 1027, GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, xxh64("", 0, 0), 0xef46db3751d8e999ull);
	KUNIT_EXPECT_EQ(test, xxh64("a", 1, 0), 0xd24ec4f1a98c6e5bull);
	KUNIT_EXPECT_EQ(test, xxh64("abc", 3, 0), 0x44bc2cf5ad770999ull);
	KUNIT_EXPECT_EQ(test, xxh64(spam, 39, 0), 0xfbcea83c8a378bf1ull);
	KUNIT_EXPECT_EQ(test, xxh64("abc", 3, seed), 0x2ed0f59d6b43ac8bull);
	KUNIT_EXPECT_EQ(test, xxh64(spam, 39, seed), 0xeb8b157ca26cbf34ull);
	for (i = 0; i < 1024; i++)
		buf[i] = (u8)i;
	memcpy(buf + 1024, "xyz", 3);
	KUNIT_EXPECT_EQ(test, xxh64(buf, 1027, 0), 0xe146cb31b65bc21aull);
	KUNIT_EXPECT_EQ(test, xxh64(buf, 1027, seed), 0x86b7211d04e93c1full);
	KUNIT_EXPECT_EQ(test, chipc_content_key(buf, 1027), 0xe146cb31b65bc21aull);
}

/* chipc_copy_key(): the copy is exact and its key is the one-shot key. */
static void hash_copy_key(struct kunit *test)
{
	static const u32 lens[] = { 0, 1, 31, 32, 33, CHIPC_KEY_CHUNK - 1,
				    CHIPC_KEY_CHUNK, CHIPC_KEY_CHUNK + 7,
				    3 * CHIPC_KEY_CHUNK + 100 };
	u32 n = 3 * CHIPC_KEY_CHUNK + 100, i;
	u8 *src = kunit_kmalloc(test, n, GFP_KERNEL);
	u8 *dst = kunit_kmalloc(test, n + 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, src);
	KUNIT_ASSERT_NOT_NULL(test, dst);
	for (i = 0; i < n; i++)
		src[i] = (u8)(i * 131 + (i >> 8));
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		memset(dst, 0x5a, n + 1);
		KUNIT_EXPECT_EQ(test, chipc_copy_key(dst, src, lens[i]),
				xxh64(src, lens[i], CHIPC_KEY_SEED));
		KUNIT_EXPECT_MEMEQ(test, dst, src, lens[i]);
		KUNIT_EXPECT_EQ(test, dst[lens[i]], 0x5a);
	}
}

static struct kunit_case chip_hash_test_cases[] = {
	KUNIT_CASE(hash_xxh64_vectors),
	KUNIT_CASE(hash_copy_key),
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
