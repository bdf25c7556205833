/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What the guest's kernel-only tests (and tools/uringbench.c) share: the
 * ioctl wrapper, the node, the raw REGISTER/UNREGISTER ioctls, buffer
 * objects, the clock, /proc/meminfo and the kernel log.
 */
#ifndef CHIP_TESTS_KTEST_H
#define CHIP_TESTS_KTEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/utsname.h>
#include <liburing.h>

#include "chip/chip.h"
#include "chiptest.h"
#include "drm/chip_accel.h"

/* The two core DRM ioctls the tests use (drm.h). */
struct t_gem_close {
	uint32_t handle;
	uint32_t pad;
};

struct t_prime_handle {
	uint32_t handle;
	uint32_t flags;
	int32_t fd;
};

#define T_IOCTL_GEM_CLOSE		_IOW('d', 0x09, struct t_gem_close)
#define T_IOCTL_PRIME_HANDLE_TO_FD	_IOWR('d', 0x2d, struct t_prime_handle)
#define T_IOCTL_PRIME_FD_TO_HANDLE	_IOWR('d', 0x2e, struct t_prime_handle)

/* CLOCK_MONOTONIC in ns. */
static inline uint64_t kt_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

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

/*
 * REGISTER of image @img (@len bytes) under @cid of @fd; *@out (may be
 * NULL) receives the ioctl's argument with what the kernel filled in.
 */
static inline int kt_reg_image(int fd, int32_t cid, const void *img,
			       size_t len, struct drm_chip_register *out)
{
	struct drm_chip_register r;
	int ret;

	memset(&r, 0, sizeof(r));
	r.image_ptr = (uintptr_t)img;
	r.image_size = len;
	r.cid = cid;
	ret = kt_ioctl(fd, DRM_IOCTL_CHIP_REGISTER, &r);
	if (out)
		*out = r;
	return ret;
}

/* Register workload @w (tensormap_and_ringbuffer) under @cid of @fd. */
static inline int kt_reg(int fd, int32_t cid, enum ct_work w)
{
	size_t len;
	void *img;
	int ret;

	ret = ct_build(w, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER, &img, &len);
	if (ret)
		return ret;
	ret = kt_reg_image(fd, cid, img, len, NULL);
	free(img);
	return ret;
}

static inline int kt_unreg(int fd, int32_t cid)
{
	struct drm_chip_unregister u;

	memset(&u, 0, sizeof(u));
	u.cid = cid;
	return kt_ioctl(fd, DRM_IOCTL_CHIP_UNREGISTER, &u);
}

/*
 * A 1 MiB tensormap_and_ringbuffer callable: 4 children of 32768 NOPs,
 * its orchestration under config name @config (may be NULL: another name,
 * other bytes).  NULL on failure.
 */
static inline void *kt_big_image(size_t *len, const char *config)
{
	static struct chip_insn code[32768];
	static const struct chip_insn halt = { .op = CHIP_OP_HALT };
	struct chip_builder *b;
	void *img = NULL;
	int i, rc;

	code[32767].op = CHIP_OP_HALT;
	rc = chip_builder_new(ct_platform_id(),
			      CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER, &b);
	if (rc)
		return NULL;
	rc = chip_builder_set_orch(b, &halt, sizeof(halt), "orch", config,
				   NULL, 0);
	for (i = 0; !rc && i < 4; i++)
		rc = chip_builder_add_child(b, i, CHIP_CORE_AIV, NULL, 0, code,
					    sizeof(code));
	if (!rc)
		rc = chip_builder_build(b, &img, len);
	chip_builder_free(b);
	return rc ? NULL : img;
}

/* WAIT for @seq until the absolute @deadline; its status in *@status. */
static inline int kt_wait(int fd, uint64_t seq, uint64_t deadline,
			  uint32_t *status)
{
	struct drm_chip_wait w;
	int ret;

	memset(&w, 0, sizeof(w));
	w.seq = seq;
	w.timeout_ns = deadline;
	ret = kt_ioctl(fd, DRM_IOCTL_CHIP_WAIT, &w);
	if (!ret && status)
		*status = w.status;
	return ret;
}

/* BO_CREATE of @size bytes: its handle and (if @va) its address. */
static inline int kt_bo_create(int fd, uint64_t size, uint32_t *handle,
			       uint64_t *va)
{
	struct drm_chip_bo_create c = { .size = size };
	int ret = kt_ioctl(fd, DRM_IOCTL_CHIP_BO_CREATE, &c);

	if (!ret) {
		*handle = c.handle;
		if (va)
			*va = c.va;
	}
	return ret;
}

static inline int kt_gem_close(int fd, uint32_t handle)
{
	struct t_gem_close gc = { .handle = handle };

	return kt_ioctl(fd, T_IOCTL_GEM_CLOSE, &gc);
}

/* /proc/meminfo's @key in KiB; -1 if unreadable. */
static inline long kt_meminfo(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	size_t n = strlen(key);
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* How many reports of a kernel bug the kernel log holds; -errno. */
static inline int kt_klog_bugs(void)
{
	static const char *const pats[] = {
		"WARNING:", "BUG:", "Oops", "Call Trace",
	};
	static char log[1 << 20];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof(log) - 1);
	int bugs = 0;
	size_t i;
	char *p;

	if (n < 0)
		return -errno;
	log[n] = '\0';
	for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++)
		for (p = log; (p = strstr(p, pats[i])); p++)
			bugs++;
	return bugs;
}

/* Does the running kernel have DRM_IOCTL_SYNCOBJ_EVENTFD (6.6)? */
static inline int kt_kernel_has_eventfd(void)
{
	struct utsname u;
	int maj = 0, min = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &maj, &min) != 2)
		return 0;
	return maj > 6 || (maj == 6 && min >= 6);
}

/*
 * Submit what is queued on @r and wait up to @secs s for one completion:
 * its res, and in *@res2 (may be NULL) its second result on a CQE32 ring.
 * 1000 - errno if the wait failed, 2000 if nothing completed.
 */
static inline int kt_uring_wait(struct io_uring *r, long long secs,
				uint64_t *res2)
{
	struct __kernel_timespec ts = { .tv_sec = secs };
	struct io_uring_cqe *cqe = NULL;
	int ret;

	ret = io_uring_submit_and_wait_timeout(r, &cqe, 1, &ts, NULL);
	if (ret < 0)
		return 1000 + ret;
	if (!cqe)
		return 2000;
	ret = cqe->res;
	if (res2 && (r->flags & IORING_SETUP_CQE32))
		*res2 = cqe->big_cqe[0];
	io_uring_cqe_seen(r, cqe);
	return ret;
}

#endif /* CHIP_TESTS_KTEST_H */
