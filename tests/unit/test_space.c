// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Placement of device ranges (kernel/core/space.c): extents, first fit,
 * reuse and merging of freed ranges, exhaustion, bad frees, and a long
 * random sequence checked against a brute-force first-fit model.
 */
#include <errno.h>
#include <stdlib.h>
#include "helpers.h"
#include "chipc.h"

#define EXT1	(CHIPC_PAGE + CHIPC_VA_GUARD)	/* extent of 1..4096 bytes */
#define BASE	0x100000ull

static int t_extent_init(void)
{
	struct chipc_space s;

	CHECK_U64(chipc_space_extent(0), 0);
	CHECK_U64(chipc_space_extent(1), EXT1);
	CHECK_U64(chipc_space_extent(4096), EXT1);
	CHECK_U64(chipc_space_extent(4097), EXT1 + CHIPC_PAGE);
	CHECK_U64(chipc_space_extent(~0ull), 0);
	CHECK_U64(chipc_space_extent(~0ull - CHIPC_VA_GUARD - 4095),
		  ~0ull - 4095);
	CHECK_U64(chipc_space_extent(~0ull - CHIPC_VA_GUARD - 4094), 0);
	CHECK_EQ(chipc_space_init(&s, BASE, BASE), -EINVAL);
	CHECK_EQ(chipc_space_init(&s, BASE + 1, 2 * BASE), -EINVAL);
	CHECK_EQ(chipc_space_init(&s, BASE, 2 * BASE + 1), -EINVAL);
	CHECK_EQ(chipc_space_init(&s, BASE, 2 * BASE), 0);
	CHECK_EQ(s.nholes, 1);
	chipc_space_fini(&s);
	chipc_space_fini(&s);	/* repeatable */
	return 0;
}

/* Back to back; the lowest freed range first; merging; the end. */
static int t_first_fit(void)
{
	struct chipc_space s;
	u64 a[8], v;
	int i;

	CHECK_EQ(chipc_space_init(&s, BASE, BASE + 8 * EXT1), 0);
	CHECK_EQ(chipc_space_alloc(&s, 0, &v), -EINVAL);
	for (i = 0; i < 8; i++) {
		CHECK_EQ(chipc_space_alloc(&s, 100, &a[i]), 0);
		CHECK_U64(a[i], BASE + i * EXT1);
	}
	CHECK_EQ(s.nholes, 0);
	CHECK_EQ(chipc_space_alloc(&s, 1, &v), -ENOSPC);

	CHECK_EQ(chipc_space_free(&s, a[6], 100), 0);
	CHECK_EQ(chipc_space_free(&s, a[2], 1), 0);
	CHECK_EQ(s.nholes, 2);
	CHECK_EQ(chipc_space_alloc(&s, 4096, &v), 0);
	CHECK_U64(v, a[2]);
	CHECK_EQ(chipc_space_free(&s, a[2], 4096), 0);

	/* a[3] between two holes: one hole of three. */
	CHECK_EQ(chipc_space_free(&s, a[4], 1), 0);
	CHECK_EQ(chipc_space_free(&s, a[3], 1), 0);
	CHECK_EQ(s.nholes, 2);
	CHECK_EQ(chipc_space_alloc(&s, 3 * EXT1 - CHIPC_VA_GUARD, &v), 0);
	CHECK_U64(v, a[2]);
	/* Too large for [a6]: nothing else is free. */
	CHECK_EQ(chipc_space_alloc(&s, EXT1, &v), -ENOSPC);
	CHECK_EQ(chipc_space_alloc(&s, 1, &v), 0);
	CHECK_U64(v, a[6]);
	CHECK_EQ(s.used, 6);
	chipc_space_fini(&s);
	return 0;
}

/* A range the space did not give is -EINVAL and changes nothing. */
static int t_bad_free(void)
{
	struct chipc_space s;
	u64 a, b, v;

	CHECK_EQ(chipc_space_init(&s, BASE, BASE + 64 * EXT1), 0);
	CHECK_EQ(chipc_space_free(&s, BASE, 1), -EINVAL);	/* none used */
	CHECK_EQ(chipc_space_alloc(&s, 1, &a), 0);
	CHECK_EQ(chipc_space_alloc(&s, 1, &b), 0);
	CHECK_EQ(chipc_space_free(&s, b + EXT1, 1), -EINVAL);	/* free */
	CHECK_EQ(chipc_space_free(&s, b, 8192), -EINVAL);	/* into free */
	CHECK_EQ(chipc_space_free(&s, BASE - EXT1, 1), -EINVAL);
	CHECK_EQ(chipc_space_free(&s, BASE + 64 * EXT1, 1), -EINVAL);
	CHECK_EQ(chipc_space_free(&s, a, 0), -EINVAL);
	CHECK_EQ(chipc_space_free(&s, a, 1), 0);
	CHECK_EQ(chipc_space_free(&s, a, 1), -EINVAL);		/* twice */
	CHECK_EQ(s.used, 1);
	CHECK_EQ(chipc_space_alloc(&s, 1, &v), 0);
	CHECK_U64(v, a);
	CHECK_EQ(chipc_space_alloc(&s, ~0ull, &v), -ENOSPC);
	CHECK_EQ(chipc_space_alloc(&s, 64 * EXT1, &v), -ENOSPC);
	chipc_space_fini(&s);
	return 0;
}

/* The model: allocated [start, start + ext) ranges, unsorted. */
struct mrange {
	u64 start, size;
	int live;
};

#define SLOTS	96
#define UNITS	400	/* the space, in pages */

static u64 model_fit(const struct mrange *r, u64 ext)
{
	u64 cand = BASE, end = BASE + UNITS * CHIPC_PAGE;
	int i, moved = 1;

	/* Lowest start not overlapping any live range. */
	while (moved) {
		moved = 0;
		for (i = 0; i < SLOTS; i++) {
			u64 e;

			if (!r[i].live)
				continue;
			e = r[i].start + chipc_space_extent(r[i].size);
			if (cand < e && r[i].start < cand + ext) {
				cand = e;
				moved = 1;
			}
		}
	}
	return cand + ext <= end ? cand : 0;
}

static int t_random_model(void)
{
	static struct mrange r[SLOTS];
	struct chipc_space s;
	unsigned int seed = 12345;
	int step, live = 0, maxholes = 0;

	CHECK_EQ(chipc_space_init(&s, BASE, BASE + UNITS * CHIPC_PAGE), 0);
	for (step = 0; step < 20000; step++) {
		int i = rand_r(&seed) % SLOTS;

		if (r[i].live) {
			CHECK_EQ(chipc_space_free(&s, r[i].start, r[i].size), 0);
			r[i].live = 0;
			live--;
		} else {
			u64 size = 1 + rand_r(&seed) % (6 * CHIPC_PAGE);
			u64 want = model_fit(r, chipc_space_extent(size));
			u64 got = 0;
			int rc = chipc_space_alloc(&s, size, &got);

			if (!want) {
				CHECK_EQ(rc, -ENOSPC);
				continue;
			}
			CHECK_EQ(rc, 0);
			CHECK_U64(got, want);
			r[i].start = got;
			r[i].size = size;
			r[i].live = 1;
			live++;
		}
		CHECK_EQ(s.used, live);
		CHECK(s.nholes <= s.used + 1 && s.nholes <= s.cap);
		if ((int)s.nholes > maxholes)
			maxholes = (int)s.nholes;
	}
	/* The sequence did fragment the space. */
	CHECK(maxholes >= 4);
	chipc_space_fini(&s);
	return 0;
}

/* The hole array grows with the ranges, and frees never need memory. */
static int t_many(void)
{
	struct chipc_space s;
	static u64 a[5000];
	u64 v;
	int i;

	CHECK_EQ(chipc_space_init(&s, CHIPC_BO_BASE, CHIPC_CODE_BASE), 0);
	for (i = 0; i < 5000; i++)
		CHECK_EQ(chipc_space_alloc(&s, 1, &a[i]), 0);
	/* Every other one: 2500 holes, each merged back below. */
	for (i = 0; i < 5000; i += 2)
		CHECK_EQ(chipc_space_free(&s, a[i], 1), 0);
	CHECK_EQ(s.nholes, 2501);
	for (i = 1; i < 5000; i += 2)
		CHECK_EQ(chipc_space_free(&s, a[i], 1), 0);
	CHECK_EQ(s.nholes, 1);
	CHECK_EQ(s.used, 0);
	CHECK_EQ(chipc_space_alloc(&s, 1, &v), 0);
	CHECK_U64(v, CHIPC_BO_BASE);
	chipc_space_fini(&s);
	return 0;
}

int main(void)
{
	T_RUN(t_extent_init);
	T_RUN(t_first_fit);
	T_RUN(t_bad_free);
	T_RUN(t_random_model);
	T_RUN(t_many);
	return T_DONE();
}
