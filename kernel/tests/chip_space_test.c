// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the placement of device ranges (kernel/core/space.c):
 * the rule the driver's code addresses and the simulated backend's
 * buffers and code follow.
 */
#include <kunit/test.h>

#include "chip_kunit_helpers.h"

#define EXT1	(CHIPC_PAGE + CHIPC_VA_GUARD)
#define BASE	0x100000ull

static void space_cleanup(void *s)
{
	chipc_space_fini(s);
}

static struct chipc_space *test_space(struct kunit *test, u64 base, u64 end)
{
	struct chipc_space *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, chipc_space_init(s, base, end), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, space_cleanup, s), 0);
	return s;
}

/* Extents: pages plus the guard; 0 for size 0 and for overflow. */
static void space_extent(struct kunit *test)
{
	struct chipc_space s;

	KUNIT_EXPECT_EQ(test, chipc_space_extent(0), 0ull);
	KUNIT_EXPECT_EQ(test, chipc_space_extent(1), EXT1);
	KUNIT_EXPECT_EQ(test, chipc_space_extent(4097), EXT1 + CHIPC_PAGE);
	KUNIT_EXPECT_EQ(test, chipc_space_extent(~0ull), 0ull);
	KUNIT_EXPECT_EQ(test, chipc_space_init(&s, BASE, BASE), -EINVAL);
	KUNIT_EXPECT_EQ(test, chipc_space_init(&s, BASE + 1, 2 * BASE), -EINVAL);
}

/* Back to back, then the lowest freed range that fits; merging. */
static void space_first_fit(struct kunit *test)
{
	struct chipc_space *s = test_space(test, BASE, BASE + 8 * EXT1);
	u64 a[8], v;
	int i;

	KUNIT_EXPECT_EQ(test, chipc_space_alloc(s, 0, &v), -EINVAL);
	for (i = 0; i < 8; i++) {
		KUNIT_ASSERT_EQ(test, chipc_space_alloc(s, 100, &a[i]), 0);
		KUNIT_EXPECT_EQ(test, a[i], BASE + i * EXT1);
	}
	KUNIT_EXPECT_EQ(test, chipc_space_alloc(s, 1, &v), -ENOSPC);
	KUNIT_EXPECT_EQ(test, chipc_space_free(s, a[6], 100), 0);
	KUNIT_EXPECT_EQ(test, chipc_space_free(s, a[2], 100), 0);
	KUNIT_EXPECT_EQ(test, chipc_space_free(s, a[4], 100), 0);
	KUNIT_EXPECT_EQ(test, chipc_space_free(s, a[3], 100), 0);
	KUNIT_EXPECT_EQ(test, s->nholes, 2u);
	KUNIT_EXPECT_EQ(test, chipc_space_alloc(s, 1, &v), 0);
	KUNIT_EXPECT_EQ(test, v, a[2]);
	KUNIT_EXPECT_EQ(test, chipc_space_alloc(s, EXT1 + 1, &v), 0);
	KUNIT_EXPECT_EQ(test, v, a[3]);
	KUNIT_EXPECT_EQ(test, chipc_space_alloc(s, EXT1, &v), -ENOSPC);
	KUNIT_EXPECT_EQ(test, chipc_space_alloc(s, 1, &v), 0);
	KUNIT_EXPECT_EQ(test, v, a[6]);
	KUNIT_EXPECT_EQ(test, s->used, 7u);
}

/* A double free or a free range is -EINVAL and changes nothing. */
static void space_bad_free(struct kunit *test)
{
	struct chipc_space *s = test_space(test, BASE, BASE + 64 * EXT1);
	u64 a, b, v;

	KUNIT_EXPECT_EQ(test, chipc_space_free(s, BASE, 1), -EINVAL);
	KUNIT_ASSERT_EQ(test, chipc_space_alloc(s, 1, &a), 0);
	KUNIT_ASSERT_EQ(test, chipc_space_alloc(s, 1, &b), 0);
	KUNIT_EXPECT_EQ(test, chipc_space_free(s, b + EXT1, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, chipc_space_free(s, b, 8192), -EINVAL);
	KUNIT_EXPECT_EQ(test, chipc_space_free(s, BASE + 64 * EXT1, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, chipc_space_free(s, a, 1), 0);
	KUNIT_EXPECT_EQ(test, chipc_space_free(s, a, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, s->used, 1u);
	KUNIT_EXPECT_EQ(test, chipc_space_alloc(s, 1, &v), 0);
	KUNIT_EXPECT_EQ(test, v, a);
}

/* The code space: thousands of ranges, every other one freed, all merged. */
static void space_code_many(struct kunit *test)
{
	struct chipc_space *s = test_space(test, CHIPC_CODE_BASE, CHIPC_CODE_END);
	u64 *a = kunit_kcalloc(test, 3000, sizeof(*a), GFP_KERNEL);
	u64 v;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, a);
	for (i = 0; i < 3000; i++)
		KUNIT_ASSERT_EQ(test, chipc_space_alloc(s, 5000, &a[i]), 0);
	for (i = 0; i < 3000; i += 2)
		KUNIT_EXPECT_EQ(test, chipc_space_free(s, a[i], 5000), 0);
	KUNIT_EXPECT_EQ(test, s->nholes, 1501u);
	for (i = 1; i < 3000; i += 2)
		KUNIT_EXPECT_EQ(test, chipc_space_free(s, a[i], 5000), 0);
	KUNIT_EXPECT_EQ(test, s->nholes, 1u);
	KUNIT_EXPECT_EQ(test, chipc_space_alloc(s, 1, &v), 0);
	KUNIT_EXPECT_EQ(test, v, CHIPC_CODE_BASE);
}

static struct kunit_case chip_space_test_cases[] = {
	KUNIT_CASE(space_extent),
	KUNIT_CASE(space_first_fit),
	KUNIT_CASE(space_bad_free),
	KUNIT_CASE(space_code_many),
	{}
};

static struct kunit_suite chip_space_test_suite = {
	.name = "chip_space",
	.test_cases = chip_space_test_cases,
};

kunit_test_suite(chip_space_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the chip placement of device ranges");
