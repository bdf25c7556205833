// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Kernel-only tests of chip.ko's uAPI (run in the QEMU guest): argument
 * checking of every ioctl, the DRM core's struct size rule, every core
 * DRM ioctl number as root and as another user, device-wide counters for
 * privileged callers only, isolation between clients, sharing of one
 * resident copy across processes, and cleanup after SIGKILL mid-run.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "helpers.h"
#include "chiptest.h"
#include "drm/chip_accel.h"
#include "ktest.h"

static const char *node;

/*
 * The core DRM ioctls this test uses, from the kernel's drm.h (not
 * installed with the C library's headers).
 */
struct t_drm_version {
	int version_major, version_minor, version_patchlevel;
	size_t name_len;
	char *name;
	size_t date_len;
	char *date;
	size_t desc_len;
	char *desc;
};

struct t_drm_get_cap {
	uint64_t capability;
	uint64_t value;
};

struct t_drm_gem_close {
	uint32_t handle;
	uint32_t pad;
};

struct t_drm_unique {
	size_t unique_len;
	char *unique;
};

#define T_DRM_IOCTL_VERSION		_IOWR('d', 0x00, struct t_drm_version)
#define T_DRM_IOCTL_GET_UNIQUE		_IOWR('d', 0x01, struct t_drm_unique)
#define T_DRM_IOCTL_GET_MAGIC		_IOR('d', 0x02, unsigned int)
#define T_DRM_IOCTL_GEM_CLOSE		_IOW('d', 0x09, struct t_drm_gem_close)
#define T_DRM_IOCTL_GET_CAP		_IOWR('d', 0x0c, struct t_drm_get_cap)
#define T_DRM_IOCTL_AUTH_MAGIC		_IOW('d', 0x11, unsigned int)
#define T_DRM_IOCTL_SET_MASTER		_IO('d', 0x1e)
#define T_DRM_IOCTL_PRIME_HANDLE_TO_FD	0x2d	/* numbers only */
#define T_DRM_IOCTL_PRIME_FD_TO_HANDLE	0x2e
#define T_DRM_CAP_TIMESTAMP_MONOTONIC	0x6

/* The same ioctl number with another struct size. */
#define RESIZE(req, size) \
	(((req) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) | \
	 ((unsigned long)(size) << _IOC_SIZESHIFT))

static int open_node(void)
{
	int fd = kt_open_node(&node);

	if (fd < 0)
		fprintf(stderr, "no chip node: %s\n", strerror(errno));
	return fd;
}

static int counters(int fd, struct drm_chip_counters *c)
{
	memset(c, 0, sizeof(*c));
	return kt_ioctl(fd, DRM_IOCTL_CHIP_COUNTERS, c);
}

static int test_open_and_params(void)
{
	struct drm_chip_get_param p = { .param = DRM_CHIP_PARAM_PLATFORM };
	int fd = open_node();

	CHECK(fd >= 0);
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_GET_PARAM, &p), 0);
	CHECK_EQ(p.value, CHIP_PLATFORM_A2A3);
	p.param = DRM_CHIP_PARAM_HEAP_VA;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_GET_PARAM, &p), 0);
	CHECK(p.value != 0);
	p.param = DRM_CHIP_PARAM_COUNT;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_GET_PARAM, &p), -EINVAL);
	p.param = DRM_CHIP_PARAM_PLATFORM;
	p.pad = 1;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_GET_PARAM, &p), -EINVAL);
	close(fd);
	return 0;
}

/*
 * The DRM core's rule (see the uAPI header): a struct shorter than the
 * kernel's is zero-extended (old userspace works, fields past its size
 * are neither read nor written back), a longer one's tail is ignored.
 */
static int test_struct_sizes(void)
{
	struct {
		struct drm_chip_get_param p;
		uint64_t tail[2];
	} big;
	struct drm_chip_counters c;
	struct drm_chip_bo_create bo;
	struct drm_chip_run run;
	struct drm_chip_wait w;
	uint8_t args[64];
	long alen;
	struct chip_args a;
	int fd = open_node();

	CHECK(fd >= 0);
	/* GET_PARAM without its output field: accepted, nothing written. */
	memset(&big, 0, sizeof(big));
	big.p.param = DRM_CHIP_PARAM_PLATFORM;
	big.p.value = 0x5555;
	CHECK_EQ(kt_ioctl(fd, RESIZE(DRM_IOCTL_CHIP_GET_PARAM, 8), &big), 0);
	CHECK_U64(big.p.value, 0x5555);
	/* A longer struct: the tail is ignored, and left as it was. */
	big.tail[0] = 1;
	big.tail[1] = ~0ull;
	CHECK_EQ(kt_ioctl(fd, RESIZE(DRM_IOCTL_CHIP_GET_PARAM, sizeof(big)), &big), 0);
	CHECK_EQ(big.p.value, CHIP_PLATFORM_A2A3);
	CHECK_U64(big.tail[0], 1);
	CHECK_U64(big.tail[1], ~0ull);

	/* COUNTERS of a client built before flags, pad and inline_runs. */
	memset(&bo, 0, sizeof(bo));
	bo.size = 4096;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_BO_CREATE, &bo), 0);
	memset(&c, 0xa5, sizeof(c));
	memset(&c, 0, offsetof(struct drm_chip_counters, flags));
	CHECK_EQ(kt_ioctl(fd, RESIZE(DRM_IOCTL_CHIP_COUNTERS,
				   offsetof(struct drm_chip_counters, flags)), &c), 0);
	CHECK_EQ(c.gm_used, 4096);
	CHECK_U64(c.inline_runs, 0xa5a5a5a5a5a5a5a5ull);

	/*
	 * RUN of a client whose struct ends before timeout_ns: the missing
	 * fields read as zero (the default watchdog, no budget; the bogus
	 * values left there would be -EINVAL), the run executes and is
	 * consumed by WAIT(0).
	 */
	CHECK_EQ(kt_reg(fd, 1, CT_NULL), 0);
	chip_args_init(&a);
	alen = chip_args_encode(&a, args, sizeof(args));
	CHECK(alen > 0);
	memset(&run, 0, sizeof(run));
	run.args_ptr = (uintptr_t)args;
	run.args_size = (uint64_t)alen;
	run.cid = 1;
	run.block_dim = 1;
	run.aicpu_threads = 1;
	run.timeout_ns = ~0ull;	/* beyond the short size: not read */
	run.seq = 77;		/* not read, not written */
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_RUN, &run), -EINVAL);
	CHECK_EQ(kt_ioctl(fd, RESIZE(DRM_IOCTL_CHIP_RUN,
				   offsetof(struct drm_chip_run, timeout_ns)), &run), 0);
	CHECK_EQ(run.seq, 77);
	memset(&w, 0, sizeof(w));
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_WAIT, &w), 0);
	CHECK_EQ(w.status, CHIP_STATUS_OK);
	CHECK(w.done_seq > 0);

	/* Every chip ioctl with a zeroed struct one field short: no crash. */
	{
		static const unsigned long reqs[] = {
			DRM_IOCTL_CHIP_GET_PARAM, DRM_IOCTL_CHIP_BO_CREATE,
			DRM_IOCTL_CHIP_BO_INFO, DRM_IOCTL_CHIP_BO_COPY,
			DRM_IOCTL_CHIP_REGISTER, DRM_IOCTL_CHIP_UNREGISTER,
			DRM_IOCTL_CHIP_RUN, DRM_IOCTL_CHIP_WAIT,
			DRM_IOCTL_CHIP_COUNTERS, DRM_IOCTL_CHIP_CANCEL,
		};
		uint64_t buf[64];
		size_t i;

		for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
			unsigned int sz = _IOC_SIZE(reqs[i]);

			memset(buf, 0, sizeof(buf));
			if (reqs[i] == DRM_IOCTL_CHIP_WAIT)	/* no sleep */
				buf[1] = 1;	/* timeout_ns */
			(void)kt_ioctl(fd, RESIZE(reqs[i], sz - 8), buf);
		}
	}
	close(fd);
	return 0;
}

/*
 * The core DRM ioctls a chip file accepts (uAPI header): the syncobj ones
 * are 0xbf-0xc5 and 0xca-0xcd, and 0xcf (EVENTFD) where the kernel has it.
 */
static int core_allowed(unsigned int nr)
{
	return nr == _IOC_NR(T_DRM_IOCTL_VERSION) ||
	       nr == _IOC_NR(T_DRM_IOCTL_GET_CAP) ||
	       nr == _IOC_NR(T_DRM_IOCTL_GEM_CLOSE) ||
	       nr == T_DRM_IOCTL_PRIME_HANDLE_TO_FD ||
	       nr == T_DRM_IOCTL_PRIME_FD_TO_HANDLE ||
	       (nr >= 0xbf && nr <= 0xc5) || (nr >= 0xca && nr <= 0xcd) ||
	       (nr == 0xcf && kt_kernel_has_eventfd());
}

/*
 * Every ioctl number 0x00-0xff on @fd, in three encodings (the DRM core
 * dispatches on the number alone): core numbers other than the allowed
 * ones are -EACCES; driver numbers with zeroed arguments are whatever
 * their validation says.  Returns the number of unexpected results.
 */
static int all_numbers(int fd, const char *who)
{
	static const unsigned int types[] = { 'd', 'Z' };
	uint64_t buf[64];
	unsigned int nr, t;
	int bad = 0, ret;

	for (nr = 0; nr <= 0xff; nr++) {
		int core = nr < 0x40 || nr >= 0xa0;

		for (t = 0; t < 3; t++) {
			unsigned long cmd = t == 2 ? _IO('d', nr) :
				_IOC(_IOC_READ | _IOC_WRITE, types[t], nr, 256);

			memset(buf, 0, sizeof(buf));
			if (!core) {
				/* WAIT: a deadline in the past, never sleeps */
				buf[1] = 1;
			}
			ret = kt_ioctl(fd, cmd, buf);
			if (core && !core_allowed(nr) && ret != -EACCES) {
				fprintf(stderr, "%s: core ioctl 0x%02x (cmd 0x%lx): %d, not -EACCES\n",
					who, nr, cmd, ret);
				bad++;
			}
			if (core && core_allowed(nr) && ret == -EACCES) {
				fprintf(stderr, "%s: core ioctl 0x%02x refused\n", who, nr);
				bad++;
			}
		}
	}
	return bad;
}

/*
 * Every core DRM ioctl number on the node, as root and as another user
 * (with a file of its own and with one inherited from root): the node
 * neither oopses nor wedges (on an accel node GET_MAGIC and GET_UNIQUE
 * dereferenced a NULL master), the allowed ones work, and the kernel log
 * stays clean.
 */
static int test_core_ioctls(void)
{
	struct drm_chip_bo_create bo = { .size = 4096 };
	struct t_drm_gem_close gc;
	struct t_drm_get_cap cap = { .capability = T_DRM_CAP_TIMESTAMP_MONOTONIC };
	struct t_drm_version v;
	char name[32];
	int fd = open_node(), bugs0, st;
	pid_t pid;

	CHECK(fd >= 0);
	bugs0 = kt_klog_bugs();
	CHECK(bugs0 >= 0);

	/* The allowed ones do their job. */
	memset(&v, 0, sizeof(v));
	memset(name, 0, sizeof(name));
	v.name = name;
	v.name_len = sizeof(name) - 1;
	CHECK_EQ(kt_ioctl(fd, T_DRM_IOCTL_VERSION, &v), 0);
	CHECK(strcmp(name, "chip") == 0);
	CHECK_EQ(kt_ioctl(fd, T_DRM_IOCTL_GET_CAP, &cap), 0);
	CHECK_EQ(cap.value, 1);
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_BO_CREATE, &bo), 0);
	memset(&gc, 0, sizeof(gc));
	gc.handle = bo.handle;
	CHECK_EQ(kt_ioctl(fd, T_DRM_IOCTL_GEM_CLOSE, &gc), 0);
	CHECK_EQ(kt_ioctl(fd, T_DRM_IOCTL_GEM_CLOSE, &gc), -EINVAL);
	/* The ones that oopsed, refused. */
	CHECK_EQ(kt_ioctl(fd, T_DRM_IOCTL_GET_MAGIC, name), -EACCES);
	CHECK_EQ(kt_ioctl(fd, T_DRM_IOCTL_GET_UNIQUE, name), -EACCES);
	CHECK_EQ(kt_ioctl(fd, T_DRM_IOCTL_SET_MASTER, NULL), -EACCES);
	CHECK_EQ(kt_ioctl(fd, T_DRM_IOCTL_AUTH_MAGIC, name), -EACCES);

	CHECK_EQ(all_numbers(fd, "root"), 0);

	/* Another user: its own file and root's (inherited). */
	CHECK_EQ(chmod(node, 0666), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		int mine, bad;

		if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
			_exit(2);
		mine = open(node, O_RDWR | O_CLOEXEC);
		if (mine < 0)
			_exit(3);
		bad = all_numbers(mine, "user") + all_numbers(fd, "user, root's file");
		close(mine);
		_exit(bad ? 4 : 0);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	close(fd);

	/* Not wedged: the node opens and serves again. */
	fd = open_node();
	CHECK(fd >= 0);
	CHECK_EQ(kt_ioctl(fd, T_DRM_IOCTL_VERSION, &v), 0);
	close(fd);
	CHECK_EQ(kt_klog_bugs(), bugs0);
	return 0;
}

/*
 * COUNTERS: device-wide figures only for a privileged caller; another
 * user gets its own file's figures and zero for the device's.
 */
static int test_counters_privilege(void)
{
	struct drm_chip_bo_create bo = { .size = 8192 };
	struct drm_chip_counters c;
	int fd = open_node(), p[2], st;
	pid_t pid;

	CHECK(fd >= 0);
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_BO_CREATE, &bo), 0);
	CHECK_EQ(counters(fd, &c), 0);
	CHECK(c.dev_files >= 1);
	CHECK(c.dev_bos >= 1);
	CHECK(c.dev_gm_used >= 8192);
	CHECK_EQ(chmod(node, 0666), 0);
	CHECK(pipe(p) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		struct drm_chip_bo_create b2 = { .size = 4096 };
		struct drm_chip_counters k;
		int mine;

		close(p[0]);
		if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
			_exit(2);
		mine = open(node, O_RDWR | O_CLOEXEC);
		if (mine < 0 || kt_ioctl(mine, DRM_IOCTL_CHIP_BO_CREATE, &b2))
			_exit(3);
		if (counters(mine, &k))
			_exit(4);
		if (write(p[1], &k, sizeof(k)) != sizeof(k))
			_exit(5);
		/* root's file, used by this user: still no device figures */
		if (counters(fd, &k))
			_exit(6);
		if (write(p[1], &k, sizeof(k)) != sizeof(k))
			_exit(7);
		_exit(0);
	}
	close(p[1]);
	CHECK_EQ(read(p[0], &c, sizeof(c)), sizeof(c));
	CHECK_EQ(c.gm_used, 4096);
	CHECK_EQ(c.dev_files, 0);
	CHECK_EQ(c.dev_bos, 0);
	CHECK_EQ(c.dev_gm_used, 0);
	CHECK_EQ(c.dev_runs, 0);
	CHECK_EQ(c.dev_dedup_hits + c.dev_dedup_misses, 0);
	CHECK_EQ(c.dev_resident_bytes + c.dev_resident_callables, 0);
	CHECK_EQ(read(p[0], &c, sizeof(c)), sizeof(c));
	CHECK_EQ(c.gm_used, 8192);
	CHECK_EQ(c.dev_files, 0);
	CHECK_EQ(c.dev_gm_used, 0);
	close(p[0]);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(fd);
	return 0;
}

/* One field at a time, on otherwise valid requests. */
static int test_reserved_flags_handles(void)
{
	struct drm_chip_bo_create c = { .size = 4096 };
	struct drm_chip_bo_info bi;
	struct drm_chip_bo_copy cp;
	struct drm_chip_register r;
	struct drm_chip_unregister u;
	struct drm_chip_run run;
	struct drm_chip_wait w;
	struct drm_chip_counters cn;
	struct drm_chip_cancel cc;
	char buf[64] = { 0 };
	int fd = open_node();

	CHECK(fd >= 0);
	c.flags = 1;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_BO_CREATE, &c), -EINVAL);
	c.flags = 0;
	c.size = 0;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_BO_CREATE, &c), -EINVAL);
	c.size = 4096;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_BO_CREATE, &c), 0);
	CHECK(c.handle && c.va);

	memset(&bi, 0, sizeof(bi));
	bi.handle = c.handle;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_BO_INFO, &bi), 0);
	CHECK_U64(bi.va, c.va);
	CHECK_EQ(bi.size, 4096);
	memset(&bi, 0, sizeof(bi));
	bi.handle = c.handle;
	bi.flags = 2;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_BO_INFO, &bi), -EINVAL);
	memset(&bi, 0, sizeof(bi));
	bi.handle = c.handle + 100;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_BO_INFO, &bi), -ENOENT);
	memset(&bi, 0, sizeof(bi));
	bi.flags = DRM_CHIP_BO_INFO_BY_VA;
	bi.va = c.va + 64;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_BO_INFO, &bi), -ENOENT);
	bi.va = c.va;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_BO_INFO, &bi), 0);
	CHECK_EQ(bi.handle, c.handle);

	memset(&cp, 0, sizeof(cp));
	cp.va = c.va;
	cp.user_ptr = (uintptr_t)buf;
	cp.size = sizeof(buf);
	cp.flags = DRM_CHIP_BO_COPY_TO_DEVICE;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_BO_COPY, &cp), 0);
	cp.pad = 1;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_BO_COPY, &cp), -EINVAL);
	cp.pad = 0;
	cp.flags = 4;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_BO_COPY, &cp), -EINVAL);
	cp.flags = 0;
	cp.va = c.va + 4096 - 8;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_BO_COPY, &cp), -EFAULT);

	memset(&r, 0, sizeof(r));
	r.image_ptr = (uintptr_t)buf;
	r.image_size = sizeof(buf);
	r.flags = 1;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_REGISTER, &r), -EINVAL);
	r.flags = 0;
	r.cid = CHIP_MAX_CIDS;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_REGISTER, &r), -EINVAL);
	r.cid = 0;
	r.image_size = 1ull << 40;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_REGISTER, &r), -E2BIG);

	memset(&u, 0, sizeof(u));
	u.pad = 1;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_UNREGISTER, &u), -EINVAL);
	u.pad = 0;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_UNREGISTER, &u), -ENOENT);

	memset(&run, 0, sizeof(run));
	run.args_ptr = (uintptr_t)buf;
	run.args_size = 8;
	run.block_dim = 1;
	run.aicpu_threads = 1;
	run.flags = (__u32)~DRM_CHIP_RUN_FLAGS;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_RUN, &run), -EINVAL);
	run.flags = 0;
	run.pad = 1;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_RUN, &run), -EINVAL);
	run.pad = 0;
	run.store_count = DRM_CHIP_MAX_STORES + 1;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_RUN, &run), -E2BIG);
	run.store_count = 0;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_RUN, &run), -ENOENT);

	memset(&w, 0, sizeof(w));
	w.seq = 12345;
	w.timeout_ns = 1;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_WAIT, &w), -ENOENT);
	w.flags = 1;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_WAIT, &w), -EINVAL);
	w.flags = 0;
	w.pad = 1;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_WAIT, &w), -EINVAL);

	memset(&cn, 0, sizeof(cn));
	cn.flags = 1;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_COUNTERS, &cn), -EINVAL);
	CHECK_EQ(counters(fd, &cn), 0);
	CHECK_EQ(cn.gm_used, 4096);

	memset(&cc, 0, sizeof(cc));
	cc.pad = 1;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_CANCEL, &cc), -EINVAL);
	cc.pad = 0;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_CANCEL, &cc), 0);

	/* Unknown chip ioctl numbers (0x0a: the retired test hook). */
	CHECK_EQ(kt_ioctl(fd, _IOWR('d', 0x40 + 0x0a, struct drm_chip_cancel), &cc),
		 -EINVAL);
	CHECK_EQ(kt_ioctl(fd, _IOWR('d', 0x40 + 0x30, struct drm_chip_cancel), &cc),
		 -EINVAL);
	close(fd);
	return 0;
}

/* A second client cannot see or use the first one's objects. */
static int test_isolation(void)
{
	struct drm_chip_bo_create c = { .size = 8192 };
	struct drm_chip_bo_info bi;
	struct drm_chip_bo_copy cp;
	struct drm_chip_unregister u = { .cid = 1 };
	struct drm_chip_register r;
	struct drm_chip_wait w;
	struct drm_chip_run run;
	char buf[16] = { 0 };
	size_t len;
	void *img;
	int a = open_node(), b = open_node();

	CHECK(a >= 0 && b >= 0);
	CHECK_EQ(kt_ioctl(a, DRM_IOCTL_CHIP_BO_CREATE, &c), 0);
	CHECK_EQ(ct_build(CT_NULL, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER, &img, &len), 0);
	memset(&r, 0, sizeof(r));
	r.image_ptr = (uintptr_t)img;
	r.image_size = len;
	r.cid = 1;
	CHECK_EQ(kt_ioctl(a, DRM_IOCTL_CHIP_REGISTER, &r), 0);
	free(img);

	memset(&bi, 0, sizeof(bi));
	bi.handle = c.handle;
	CHECK_EQ(kt_ioctl(b, DRM_IOCTL_CHIP_BO_INFO, &bi), -ENOENT);
	memset(&bi, 0, sizeof(bi));
	bi.flags = DRM_CHIP_BO_INFO_BY_VA;
	bi.va = c.va;
	CHECK_EQ(kt_ioctl(b, DRM_IOCTL_CHIP_BO_INFO, &bi), -ENOENT);
	memset(&cp, 0, sizeof(cp));
	cp.va = c.va;
	cp.user_ptr = (uintptr_t)buf;
	cp.size = sizeof(buf);
	CHECK_EQ(kt_ioctl(b, DRM_IOCTL_CHIP_BO_COPY, &cp), -EFAULT);
	CHECK_EQ(kt_ioctl(b, DRM_IOCTL_CHIP_UNREGISTER, &u), -ENOENT);

	memset(&run, 0, sizeof(run));
	run.args_ptr = (uintptr_t)buf;
	run.args_size = 8;
	run.cid = 1;
	run.block_dim = 1;
	run.aicpu_threads = 1;
	CHECK_EQ(kt_ioctl(b, DRM_IOCTL_CHIP_RUN, &run), -ENOENT);
	CHECK_EQ(kt_ioctl(a, DRM_IOCTL_CHIP_RUN, &run), 0);
	memset(&w, 0, sizeof(w));
	w.seq = run.seq;
	w.timeout_ns = 1;
	CHECK_EQ(kt_ioctl(b, DRM_IOCTL_CHIP_WAIT, &w), -ENOENT);
	memset(&w, 0, sizeof(w));
	w.seq = run.seq;
	CHECK_EQ(kt_ioctl(a, DRM_IOCTL_CHIP_WAIT, &w), 0);
	CHECK_EQ(w.status, CHIP_STATUS_OK);
	CHECK_EQ(kt_ioctl(a, DRM_IOCTL_CHIP_UNREGISTER, &u), 0);
	close(b);
	close(a);
	return 0;
}

/* Four processes register the same callable: one resident copy. */
static int test_four_processes_share(void)
{
	int go[2], ready[2], fd = open_node(), i, st, fails = 0;
	struct drm_chip_counters c0, c1;
	pid_t pids[4];
	char ch;

	CHECK(fd >= 0);
	CHECK_EQ(counters(fd, &c0), 0);
	CHECK_EQ(c0.dev_resident_callables, 0);
	CHECK(pipe(go) == 0 && pipe(ready) == 0);
	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		CHECK(pids[i] >= 0);
		if (!pids[i]) {
			struct chip_run_result res;
			struct chip_dev *dev;
			static float out[16384];
			int rc;

			close(fd);
			rc = ct_open(&dev, NULL);
			if (!rc)
				rc = ct_register(dev, 7, CT_VECTOR,
						 CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER);
			ch = rc ? 'F' : 'R';
			if (write(ready[1], &ch, 1) != 1 || read(go[0], &ch, 1) != 1)
				_exit(2);
			if (rc)
				_exit(3);
			rc = ct_vector(dev, 7, 2.0f, 3.0f, 16384, out, &res);
			if (rc || res.status != CHIP_STATUS_OK ||
			    ct_mismatches(out, 16384, 47.0f)) {
				fprintf(stderr, "child %d: rc %d status %u\n", i,
					rc, res.status);
				_exit(4);
			}
			chip_close(dev);
			_exit(0);
		}
	}
	close(ready[1]);
	close(go[0]);
	for (i = 0; i < 4; i++) {
		CHECK_EQ(read(ready[0], &ch, 1), 1);
		if (ch != 'R')
			fails++;
	}
	CHECK_EQ(counters(fd, &c1), 0);
	for (i = 0; i < 4; i++)
		CHECK_EQ(write(go[1], "g", 1), 1);
	for (i = 0; i < 4; i++) {
		CHECK_EQ(waitpid(pids[i], &st, 0), pids[i]);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			fails++;
	}
	CHECK_EQ(fails, 0);
	CHECK_EQ(c1.dev_resident_callables, 1);
	CHECK_EQ(c1.dev_dedup_misses - c0.dev_dedup_misses, 1);
	CHECK_EQ(c1.dev_dedup_hits - c0.dev_dedup_hits, 3);
	CHECK_EQ(counters(fd, &c1), 0);
	CHECK_EQ(c1.dev_resident_callables, 0);
	CHECK_EQ(c1.dev_resident_bytes, 0);
	close(fd);
	return 0;
}

/* SIGKILL mid-run: the victim's objects go, the others are unaffected. */
static int test_sigkill_mid_run(void)
{
	int ready[2], fd = open_node(), st;
	struct drm_chip_counters c;
	struct chip_run_result res;
	struct chip_dev *dev;
	static float out[4096];
	uint64_t end;
	pid_t pid;
	char ch;

	CHECK(fd >= 0);
	CHECK(pipe(ready) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		struct chip_run_opts o = { .sz = sizeof(o),
					   .timeout_ns = 30000000000ull };
		struct chip_args args;
		uint64_t seq, addr;

		close(fd);
		if (ct_open(&dev, NULL) ||
		    ct_register(dev, 3, CT_SPIN, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER) ||
		    chip_malloc(dev, 1 << 20, &addr))
			_exit(2);
		chip_args_init(&args);
		if (chip_submit(dev, 3, &args, &o, &seq) ||
		    chip_submit(dev, 3, &args, &o, &seq))
			_exit(3);
		ch = 'R';
		if (write(ready[1], &ch, 1) != 1)
			_exit(4);
		pause();
		_exit(0);
	}
	close(ready[1]);
	if (read(ready[0], &ch, 1) != 1 || ch != 'R' || counters(fd, &c))
		c.dev_files = 0;
	else
		usleep(300000);
	if (counters(fd, &c))
		c.dev_files = 0;
	/* Kill the child whatever the checks say: it would hold the device. */
	kill(pid, SIGKILL);
	CHECK_EQ(c.dev_files, 2);
	CHECK(c.dev_bos >= 1);
	CHECK(c.dev_runs >= 1);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st));
	/*
	 * With io_uring, the ring holds a reference to the file and drops
	 * it from the ring's exit work, which may run after the process has
	 * been reaped: wait (bounded) for everything to return to baseline.
	 */
	end = kt_mono_ns() + 10000000000ull;
	do {
		CHECK_EQ(counters(fd, &c), 0);
		if (c.dev_files == 1 && c.dev_bos == 0 && c.dev_runs == 0 &&
		    c.dev_resident_callables == 0 && c.dev_gm_used == 0)
			break;
		usleep(10000);
	} while (kt_mono_ns() < end);
	CHECK_EQ(c.dev_files, 1);
	CHECK_EQ(c.dev_bos, 0);
	CHECK_EQ(c.dev_runs, 0);
	CHECK_EQ(c.dev_resident_callables, 0);
	CHECK_EQ(c.dev_gm_used, 0);
	close(fd);

	/* The device serves the next client. */
	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, 0, CT_VECTOR, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	CHECK_EQ(ct_vector(dev, 0, 2.0f, 3.0f, 4096, out, &res), 0);
	CHECK_EQ(res.status, CHIP_STATUS_OK);
	CHECK_EQ(ct_mismatches(out, 4096, 47.0f), 0);
	chip_close(dev);
	return 0;
}

int main(int argc, char **argv)
{
	ct_init(argc, argv);
	T_RUN(test_open_and_params);
	T_RUN(test_struct_sizes);
	T_RUN(test_core_ioctls);
	T_RUN(test_counters_privilege);
	T_RUN(test_reserved_flags_handles);
	T_RUN(test_isolation);
	T_RUN(test_four_processes_share);
	T_RUN(test_sigkill_mid_run);
	return T_DONE();
}
