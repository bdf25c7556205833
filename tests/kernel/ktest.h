/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What the guest's kernel-only tests share: the ioctl wrapper, the node
 * and a registration of one of the common workloads through the raw
 * REGISTER ioctl.
 */
#ifndef CHIP_TESTS_KTEST_H
#define CHIP_TESTS_KTEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "chiptest.h"
#include "drm/chip_accel.h"

/* An ioctl, restarted on EINTR: 0 or -errno. */
static inline int kt_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && errno == EINTR);
	return ret == -1 ? -errno : 0;
}

/*
 * The first chip node: the accel node (6.2 and later) or the render node
 * (6.1).  Returns the descriptor or -1 (errno set); *@path (may be NULL)
 * names the node opened.
 */
static inline int kt_open_node(const char **path)
{
	static const char *const nodes[] = {
		"/dev/accel/accel0", "/dev/dri/renderD128",
	};
	size_t i;
	int fd;

	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		fd = open(nodes[i], O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			if (path)
				*path = nodes[i];
			return fd;
		}
	}
	return -1;
}

/* Register workload @w (tensormap_and_ringbuffer) under @cid of @fd. */
static inline int kt_reg(int fd, int32_t cid, enum ct_work w)
{
	struct drm_chip_register r;
	size_t len;
	void *img;
	int ret;

	ret = ct_build(w, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER, &img, &len);
	if (ret)
		return ret;
	memset(&r, 0, sizeof(r));
	r.image_ptr = (uintptr_t)img;
	r.image_size = len;
	r.cid = cid;
	ret = kt_ioctl(fd, DRM_IOCTL_CHIP_REGISTER, &r);
	free(img);
	return ret;
}

#endif /* CHIP_TESTS_KTEST_H */
