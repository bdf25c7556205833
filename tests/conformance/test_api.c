// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Conformance: the device handle and device memory API.
 */
#include <errno.h>
#include "helpers.h"
#include "chiptest.h"

/* Every call on a NULL or closed handle fails cleanly with -EBADF. */
static int test_before_open_after_close(void)
{
	struct chip_counters c;
	struct chip_info info;
	struct chip_args args;
	struct chip_dev *dev;
	uint64_t addr = 0, seq;
	char buf[8];
	void *img;
	size_t len;

	chip_args_init(&args);
	CHECK_EQ(ct_build(CT_NULL, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER, &img,
			  &len), 0);
	CHECK_EQ(chip_info(NULL, &info), -EBADF);
	CHECK_EQ(chip_malloc(NULL, 64, &addr), -EBADF);
	CHECK_EQ(chip_register(NULL, 0, img, len, NULL), -EBADF);
	CHECK_EQ(chip_run(NULL, 0, &args, NULL, NULL), -EBADF);
	CHECK_EQ(chip_unregister(NULL, 0), -EBADF);
	CHECK_EQ(chip_counters(NULL, &c), -EBADF);

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(chip_register(dev, 0, img, len, NULL), 0);
	CHECK_EQ(chip_malloc(dev, 64, &addr), 0);
	chip_close(dev);
	CHECK_EQ(chip_info(dev, &info), -EBADF);
	CHECK_EQ(chip_malloc(dev, 64, &addr), -EBADF);
	CHECK_EQ(chip_free(dev, addr), -EBADF);
	CHECK_EQ(chip_copy_to(dev, addr, buf, sizeof(buf)), -EBADF);
	CHECK_EQ(chip_copy_from(dev, buf, addr, sizeof(buf)), -EBADF);
	CHECK_EQ(chip_register(dev, 1, img, len, NULL), -EBADF);
	CHECK_EQ(chip_unregister(dev, 0), -EBADF);
	CHECK_EQ(chip_run(dev, 0, &args, NULL, NULL), -EBADF);
	CHECK_EQ(chip_submit(dev, 0, &args, NULL, &seq), -EBADF);
	CHECK_EQ(chip_wait(dev, 1, 0, NULL), -EBADF);
	CHECK_EQ(chip_counters(dev, &c), -EBADF);
	chip_close(dev);	/* a second close is harmless */
	free(img);
	return 0;
}

/* Unknown platform names and malformed options are refused. */
static int test_open_errors(void)
{
	struct chip_open_opts o = { .sz = sizeof(o) };
	struct chip_dev *dev = (struct chip_dev *)1;

	CHECK_EQ(chip_open("a3", NULL, &dev), -EINVAL);
	CHECK(dev == NULL);
	CHECK_EQ(chip_open(NULL, NULL, &dev), -EINVAL);
	CHECK_EQ(chip_open("a2a3sim", NULL, NULL), -EINVAL);
	o.sz = 1;
	CHECK_EQ(chip_open("a2a3sim", &o, &dev), -EINVAL);
	if (ct_is_sim()) {
		o.sz = sizeof(o);
		o.ring_window = 100;	/* not a power of two */
		CHECK_EQ(ct_open(&dev, &o), -EINVAL);
		o.ring_window = 0;
		o.workers = 17;
		CHECK_EQ(ct_open(&dev, &o), -EINVAL);
	}
	return 0;
}

/* malloc/free/copy: alignment, bounds, ownership, accounting. */
static int test_memory(void)
{
	static unsigned char pattern[10000], back[10000];
	struct chip_counters c0, c;
	struct chip_dev *dev, *other;
	uint64_t a, b;
	size_t i;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(chip_counters(dev, &c0), 0);
	CHECK_EQ(chip_malloc(dev, 0, &a), -EINVAL);
	CHECK_EQ(chip_malloc(dev, 1ull << 62, &a), -ENOSPC);
	CHECK_EQ(chip_malloc(dev, 10000, &a), 0);
	CHECK_EQ(a % 64, 0);
	CHECK_EQ(chip_malloc(dev, 10000, &b), 0);
	CHECK(a != b);
	CHECK_EQ(chip_counters(dev, &c), 0);
	CHECK(c.gm_used - c0.gm_used >= 20000);

	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = (unsigned char)(i * 7 + 3);
	CHECK_EQ(chip_copy_to(dev, a, pattern, sizeof(pattern)), 0);
	CHECK_EQ(chip_copy_from(dev, back, a, sizeof(back)), 0);
	CHECK(memcmp(pattern, back, sizeof(back)) == 0);
	/* A range must lie inside one allocation. */
	CHECK_EQ(chip_copy_to(dev, a + 1, pattern, sizeof(pattern)), -EFAULT);
	CHECK_EQ(chip_copy_from(dev, back, a - 1, 16), -EFAULT);
	CHECK_EQ(chip_copy_from(dev, back, 0, 16), -EFAULT);
	/* Interior offsets are fine. */
	CHECK_EQ(chip_copy_from(dev, back, a + 100, 16), 0);
	CHECK(memcmp(back, pattern + 100, 16) == 0);

	/* Only the start of an allocation frees it, and only once. */
	CHECK_EQ(chip_free(dev, a + 64), -ENOENT);
	CHECK_EQ(chip_free(dev, a), 0);
	CHECK_EQ(chip_free(dev, a), -ENOENT);
	CHECK_EQ(chip_copy_from(dev, back, a, 16), -EFAULT);

	/* Another handle cannot see or free this handle's memory. */
	CHECK_EQ(ct_open(&other, NULL), 0);
	CHECK_EQ(chip_copy_from(other, back, b, 16), -EFAULT);
	CHECK_EQ(chip_free(other, b), -ENOENT);
	chip_close(other);

	CHECK_EQ(chip_free(dev, b), 0);
	CHECK_EQ(chip_counters(dev, &c), 0);
	CHECK_EQ(c.gm_used, c0.gm_used);
	chip_close(dev);
	return 0;
}

/* Device memory is bounded by the configured size. */
static int test_memory_exhaustion(void)
{
	struct chip_open_opts o = { .sz = sizeof(o), .gm_size = 1 << 20 };
	struct chip_dev *dev;
	uint64_t a[300];
	int n = 0, i, rc;

	if (!ct_is_sim())
		return T_SKIP;	/* the driver's size is a module parameter */
	CHECK_EQ(ct_open(&dev, &o), 0);
	while ((rc = chip_malloc(dev, 4096, &a[n])) == 0 && n < 299)
		n++;
	CHECK_EQ(rc, -ENOSPC);
	CHECK_EQ(n, 256);
	for (i = 0; i < n; i++)
		CHECK_EQ(chip_free(dev, a[i]), 0);
	CHECK_EQ(chip_malloc(dev, 1 << 20, &a[0]), 0);
	chip_close(dev);
	return 0;
}

int main(int argc, char **argv)
{
	ct_init(argc, argv);
	T_RUN(test_before_open_after_close);
	T_RUN(test_open_errors);
	T_RUN(test_memory);
	T_RUN(test_memory_exhaustion);
	return T_DONE();
}
