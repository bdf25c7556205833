// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Conformance: where device memory is placed.  Every backend places a
 * context's buffers by the core's rule (kernel/core/space.c; the driver
 * with drm_mm by the same rule): the lowest free range holding the size
 * rounded up to pages and a guard gap after it, so a freed range is
 * reused at once; and a context holds at most CHIPC_MAX_BOS buffers.
 */
#include <errno.h>
#include <stdlib.h>
#include "helpers.h"
#include "chiptest.h"
#include "chipc.h"

#define NBUF	48

/* The device bytes a buffer of @size takes, its guard included. */
static uint64_t extent(uint64_t size)
{
	return ((size + CHIPC_PAGE - 1) & ~(CHIPC_PAGE - 1)) + CHIPC_VA_GUARD;
}

/*
 * Buffers of a fresh context lie back to back; after frees, each new
 * buffer takes the lowest freed range that fits (adjacent freed ranges
 * merge), a buffer too large for any of them goes past the last one,
 * and a range freed at the end joins the free space there.
 */
static int test_reuse_lowest(void)
{
	uint64_t a[NBUF], x, y, z, w, top;
	struct chip_dev *dev;
	int i;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	for (i = 0; i < NBUF; i++) {
		CHECK_EQ(chip_malloc(dev, 4096, &a[i]), 0);
		if (i)
			CHECK_U64(a[i], a[i - 1] + extent(4096));
	}
	top = a[NBUF - 1] + extent(4096);

	/* Holes: [a5], [a10, a11] merged, [a30]. */
	CHECK_EQ(chip_free(dev, a[5]), 0);
	CHECK_EQ(chip_free(dev, a[10]), 0);
	CHECK_EQ(chip_free(dev, a[11]), 0);
	CHECK_EQ(chip_free(dev, a[30]), 0);

	/* Two buffers' room: only the merged hole holds it. */
	CHECK_EQ(chip_malloc(dev, 2 * extent(4096) - CHIPC_VA_GUARD, &x), 0);
	CHECK_U64(x, a[10]);
	/* Larger than any hole left: past the last buffer. */
	CHECK_EQ(chip_malloc(dev, 8192, &y), 0);
	CHECK_U64(y, top);
	/* The lowest hole, then the next. */
	CHECK_EQ(chip_malloc(dev, 1, &z), 0);
	CHECK_U64(z, a[5]);
	CHECK_EQ(chip_malloc(dev, 4096, &w), 0);
	CHECK_U64(w, a[30]);

	/* The last buffer freed: its range and the free space after it. */
	CHECK_EQ(chip_free(dev, y), 0);
	CHECK_EQ(chip_malloc(dev, 1 << 20, &y), 0);
	CHECK_U64(y, top);

	/* Many rounds of free + allocate: always the freed address. */
	for (i = 0; i < 1000; i++) {
		uint64_t v, b = a[20 + i % 8];

		CHECK_EQ(chip_free(dev, b), 0);
		CHECK_EQ(chip_malloc(dev, 1 + (uint64_t)(i % 4096), &v), 0);
		CHECK_U64(v, b);
	}
	chip_close(dev);
	return 0;
}

/* CHIPC_MAX_BOS buffers at once, on every backend; one more: -ENOSPC. */
static int test_buffer_limit(void)
{
	uint64_t *a, extra;
	struct chip_dev *dev;
	int i;

	a = calloc(CHIPC_MAX_BOS, sizeof(*a));
	CHECK(a != NULL);
	CHECK_EQ(ct_open(&dev, NULL), 0);
	for (i = 0; i < CHIPC_MAX_BOS; i++)
		CHECK_EQ(chip_malloc(dev, 1, &a[i]), 0);
	CHECK_EQ(chip_malloc(dev, 1, &extra), -ENOSPC);
	/* A freed one makes room again, at its own address. */
	CHECK_EQ(chip_free(dev, a[100]), 0);
	CHECK_EQ(chip_malloc(dev, 1, &extra), 0);
	CHECK_U64(extra, a[100]);
	chip_close(dev);
	free(a);
	return 0;
}

int main(int argc, char **argv)
{
	ct_init(argc, argv);
	T_RUN(test_reuse_lowest);
	T_RUN(test_buffer_limit);
	return T_DONE();
}
