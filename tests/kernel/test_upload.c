// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Kernel-only tests of REGISTER's staging buffer (run in the QEMU guest,
 * as root): a file keeps the buffer its registration copied the image
 * into for the next one, and gives it back at close.
 *
 *	kept, then freed	32 files that each copied a 1 MiB image
 *				hold about 32 MiB more; once closed, the
 *				kernel's unreclaimable slab and vmalloc use
 *				(where kvmalloc() memory is counted) is back
 *				at its baseline (the copies fault at their
 *				last page, so that no file allocates its
 *				heap)
 *	reuse			registrations of one file, small and large,
 *				hits and misses, and a failed copy, in any
 *				order, each give the right outcome
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "helpers.h"
#include "chiptest.h"
#include "drm/chip_accel.h"
#include "ktest.h"

#define FILES	32
#define KIB	1024l

/* kt_big_image() under config name "v@salt": other @salt, other bytes. */
static void *big_image(size_t *len, uint32_t salt)
{
	char config[16];

	snprintf(config, sizeof(config), "v%u", salt);
	return kt_big_image(len, config);
}

static int reg(int fd, int32_t cid, const void *img, size_t len, int *hit)
{
	struct drm_chip_register r;
	int ret = kt_reg_image(fd, cid, img, len, &r);

	if (hit)
		*hit = !!(r.result & DRM_CHIP_REGISTER_HIT);
	return ret;
}

/*
 * Kernel memory that kvmalloc() takes, in KiB: unreclaimable slab (large
 * kmalloc() included) and vmalloc; -1 if unreadable.  Caches are dropped
 * first.  (Free memory would not do: freed pages may stay on per-CPU
 * lists, uncounted, for a while.)
 */
static long kmem_kib(void)
{
	FILE *f = fopen("/proc/sys/vm/drop_caches", "w");
	long a, b;

	if (f) {
		fputs("3\n", f);
		fclose(f);
	}
	a = kt_meminfo("SUnreclaim");
	b = kt_meminfo("VmallocUsed");
	return a < 0 || b < 0 ? -1 : a + b;
}

/*
 * @img (@len bytes) followed by an inaccessible page: REGISTER of *@size
 * bytes at the result copies @img, then faults.  munmap() @*size + 4096.
 */
static unsigned char *faulting_copy(const void *img, size_t len, size_t *size)
{
	size_t room = (len + 4095) & ~(size_t)4095;
	unsigned char *p;

	p = mmap(NULL, room + 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + room, 4096, PROT_NONE)) {
		munmap(p, room + 4096);
		return NULL;
	}
	memcpy(p, img, len);
	*size = room + 4096;
	return p;
}

static int test_kept_then_freed_at_close(void)
{
	struct drm_chip_register r;
	long base, held, after;
	int fds[FILES], i;
	unsigned char *p;
	size_t len, size;
	void *img;

	img = big_image(&len, 1);
	CHECK(img != NULL);
	p = faulting_copy(img, len, &size);
	CHECK(p != NULL);
	/* Warm-up: the first open allocates what stays (caches, the node). */
	fds[0] = kt_open_node(NULL);
	CHECK(fds[0] >= 0);
	CHECK_EQ(reg(fds[0], 0, img, len, NULL), 0);
	close(fds[0]);

	base = kmem_kib();
	CHECK(base > 0);
	memset(&r, 0, sizeof(r));
	r.image_ptr = (uintptr_t)p;
	r.image_size = size;
	for (i = 0; i < FILES; i++) {
		fds[i] = kt_open_node(NULL);
		CHECK(fds[i] >= 0);
		CHECK_EQ(kt_ioctl(fds[i], DRM_IOCTL_CHIP_REGISTER, &r), -EFAULT);
	}
	held = kmem_kib();
	for (i = 0; i < FILES; i++)
		close(fds[i]);
	after = kmem_kib();
	printf("# SUnreclaim + VmallocUsed: %ld KiB, %ld with %d files open, %ld after close\n",
	       base, held, FILES, after);
	/* Each open file holds its buffer (1 MiB) ... */
	CHECK(held - base >= (long)FILES * 3 / 4 * KIB);
	/* ... and gives it back at close. */
	CHECK(after - base < 4 * KIB);
	munmap(p, size);
	free(img);
	return 0;
}

static int test_reuse_any_order(void)
{
	struct drm_chip_register r;
	void *big, *big2, *small;
	size_t blen, blen2, slen, room;
	unsigned char *p;
	int fd, hit, ret;

	big = big_image(&blen, 2);
	big2 = big_image(&blen2, 3);
	CHECK(big && big2);
	CHECK_EQ(ct_build(CT_VECTOR, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER,
			  &small, &slen), 0);
	fd = kt_open_node(NULL);
	CHECK(fd >= 0);

	/* small, then large (the buffer grows), then small again */
	CHECK_EQ(reg(fd, 0, small, slen, &hit), 0);
	CHECK_EQ(reg(fd, 1, big, blen, &hit), 0);
	CHECK_EQ(hit, 0);
	CHECK_EQ(reg(fd, 2, small, slen, &hit), 0);
	CHECK_EQ(hit, 1);
	/* the same large bytes hit, other large bytes miss */
	CHECK_EQ(reg(fd, 3, big, blen, &hit), 0);
	CHECK_EQ(hit, 1);
	CHECK_EQ(reg(fd, 4, big2, blen2, &hit), 0);
	CHECK_EQ(hit, 0);
	/* a copy that faults half-way fails and leaves the buffer usable */
	p = faulting_copy(big, blen, &room);
	CHECK(p != NULL);
	memset(&r, 0, sizeof(r));
	r.image_ptr = (uintptr_t)p;
	r.image_size = room;
	r.cid = 5;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_REGISTER, &r), -EFAULT);
	munmap(p, room);
	/* the bytes of the last copy never decide: a truncated image fails */
	ret = reg(fd, 5, big2, blen2 - 64, &hit);
	CHECK(ret == -EMSGSIZE || ret == -EINVAL);
	CHECK_EQ(reg(fd, 5, big2, blen2, &hit), 0);
	CHECK_EQ(hit, 1);
	close(fd);
	free(big);
	free(big2);
	free(small);
	return 0;
}

int main(int argc, char **argv)
{
	ct_init(argc, argv);
	T_RUN(test_kept_then_freed_at_close);
	T_RUN(test_reuse_any_order);
	return T_DONE();
}
