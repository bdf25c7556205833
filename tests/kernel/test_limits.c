// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Kernel-only tests of chip.ko's resource limits and of what one client
 * can do to the others (run in the QEMU guest, as root; the budget case
 * drops to another user):
 *
 *	stalled copy	a BO_COPY stalled on a user page (userfaultfd) holds
 *			no lock: GEM_CLOSE and BO_CREATE of that file return,
 *			its runs and other files' runs complete
 *	run budget	queued runs with large store lists get -EBUSY past
 *			the file's max_run_mb, not the guest's memory
 *	device memory	an object closed but still mmapped or exported stays
 *			charged against gm_size until its last reference
 *	never over	creations refused for want of device memory never
 *			show in COUNTERS as use above gm_size
 *	inline SIGKILL	a run executing in its submitter stops on SIGKILL
 *
 * Bounds on waits (seconds) only catch hangs; they are far above what a
 * correct driver needs and far below the runs' watchdogs.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "helpers.h"
#include "chiptest.h"
#include "drm/chip_accel.h"
#include "ktest.h"

#define MIB	(1ull << 20)
#define SEC	1000000000ull

/* Made accessible to the unprivileged user of the budget case. */
static const char *const nodes[] = { "/dev/accel/accel0", "/dev/dri/renderD128" };

static unsigned long read_ulong(const char *path)
{
	unsigned long v = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/* A parameter of chip.ko, 0 if it has none of that name. */
static unsigned long module_param(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/chip/parameters/%s", name);
	return read_ulong(path);
}

/* A run of @cid with no arguments; stores optional. */
static int run(int fd, int32_t cid, uint32_t flags, uint64_t timeout_ns,
	       const struct drm_chip_store *st, uint32_t nst, uint64_t *seq)
{
	static const uint64_t noargs;	/* zero tensors, zero scalars */
	struct drm_chip_run r;
	int ret;

	memset(&r, 0, sizeof(r));
	r.args_ptr = (uintptr_t)&noargs;
	r.args_size = sizeof(noargs);
	r.stores_ptr = (uintptr_t)st;
	r.store_count = nst;
	r.cid = cid;
	r.block_dim = 1;
	r.aicpu_threads = 1;
	r.flags = flags;
	r.timeout_ns = timeout_ns;
	ret = kt_ioctl(fd, DRM_IOCTL_CHIP_RUN, &r);
	if (!ret && seq)
		*seq = r.seq;
	return ret;
}

/* WAIT for @seq until @bound_ns from now; its status in *@status. */
static int wait_run(int fd, uint64_t seq, uint64_t bound_ns, uint32_t *status)
{
	return kt_wait(fd, seq, kt_mono_ns() + bound_ns, status);
}

/* ---- a BO_COPY stalled on a user page -------------------------------- */

struct copy_job {
	int fd;
	uint64_t va;
	void *src;
	int ret;
	volatile int done;
};

static void *copy_thread(void *arg)
{
	struct copy_job *j = arg;
	struct drm_chip_bo_copy cp;

	memset(&cp, 0, sizeof(cp));
	cp.va = j->va;
	cp.user_ptr = (uintptr_t)j->src;
	cp.size = 4096;
	cp.flags = DRM_CHIP_BO_COPY_TO_DEVICE;
	j->ret = kt_ioctl(j->fd, DRM_IOCTL_CHIP_BO_COPY, &cp);
	__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

struct close_job {
	int fd;
	uint32_t handle;
	int ret;
	volatile int done;
};

static void *close_thread(void *arg)
{
	struct close_job *j = arg;

	j->ret = kt_gem_close(j->fd, j->handle);
	__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Poll @flag for up to @bound_ns. */
static int wait_flag(volatile int *flag, uint64_t bound_ns)
{
	uint64_t end = kt_mono_ns() + bound_ns;

	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
		if (kt_mono_ns() > end)
			return -ETIMEDOUT;
		usleep(1000);
	}
	return 0;
}

static int test_stalled_copy(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register ur;
	struct uffdio_zeropage zp;
	struct copy_job cj = { 0 };
	struct close_job kj = { 0 };
	pthread_t ct, kt;
	uint64_t va, seq_a, seq_b;
	uint32_t h, h2, st;
	int a = kt_open_node(NULL), b = kt_open_node(NULL), uffd;
	void *page;

	CHECK(a >= 0 && b >= 0);
	printf("# vm.unprivileged_userfaultfd %lu (root here)\n",
	       read_ulong("/proc/sys/vm/unprivileged_userfaultfd"));
	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0) {
		printf("# userfaultfd: %s\n", strerror(errno));
		CHECK(uffd >= 0);
	}
	CHECK_EQ(ioctl(uffd, UFFDIO_API, &api), 0);
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(page != MAP_FAILED);
	memset(&ur, 0, sizeof(ur));
	ur.range.start = (uintptr_t)page;
	ur.range.len = 4096;
	ur.mode = UFFDIO_REGISTER_MODE_MISSING;
	CHECK_EQ(ioctl(uffd, UFFDIO_REGISTER, &ur), 0);

	CHECK_EQ(kt_reg(a, 1, CT_NULL), 0);
	CHECK_EQ(kt_reg(b, 1, CT_NULL), 0);
	CHECK_EQ(kt_bo_create(a, 4096, &h, &va), 0);

	/* 1. file a: a copy from a page nobody provides */
	cj.fd = a;
	cj.va = va;
	cj.src = page;
	CHECK_EQ(pthread_create(&ct, NULL, copy_thread, &cj), 0);
	usleep(200000);
	CHECK(!__atomic_load_n(&cj.done, __ATOMIC_ACQUIRE));

	/* 2. file a: close the object under copy, from another thread */
	kj.fd = a;
	kj.handle = h;
	CHECK_EQ(pthread_create(&kt, NULL, close_thread, &kj), 0);
	CHECK_EQ(wait_flag(&kj.done, 10 * SEC), 0);
	CHECK_EQ(kj.ret, 0);
	CHECK_EQ(pthread_join(kt, NULL), 0);
	/* and allocate while the copy is stalled */
	CHECK_EQ(kt_bo_create(a, 4096, &h2, NULL), 0);

	/* 3. a run of file a, then one of file b: both complete */
	CHECK_EQ(run(a, 1, 0, 5 * SEC, NULL, 0, &seq_a), 0);
	CHECK_EQ(run(b, 1, 0, 5 * SEC, NULL, 0, &seq_b), 0);
	CHECK_EQ(wait_run(b, seq_b, 10 * SEC, &st), 0);
	CHECK_EQ(st, CHIP_STATUS_OK);
	CHECK_EQ(wait_run(a, seq_a, 10 * SEC, &st), 0);
	CHECK_EQ(st, CHIP_STATUS_OK);
	CHECK(!__atomic_load_n(&cj.done, __ATOMIC_ACQUIRE));

	/* 4. resolve the fault: the copy completes into the closed object */
	memset(&zp, 0, sizeof(zp));
	zp.range.start = (uintptr_t)page;
	zp.range.len = 4096;
	CHECK_EQ(ioctl(uffd, UFFDIO_ZEROPAGE, &zp), 0);
	CHECK_EQ(wait_flag(&cj.done, 10 * SEC), 0);
	CHECK_EQ(pthread_join(ct, NULL), 0);
	CHECK_EQ(cj.ret, 0);

	CHECK_EQ(kt_gem_close(a, h2), 0);
	close(uffd);
	munmap(page, 4096);
	close(a);
	close(b);
	return 0;
}

/* ---- the per-file budget of run memory --------------------------------- */

/*
 * As another user: a spinning run holds the device, then runs that each
 * name 64 MiB of stores (two 32 MiB stores of one object) are queued
 * until RUN refuses one.  Reports the number accepted and the errno.
 */
static void budget_child(int rep)
{
	struct drm_chip_store st[2];
	int fd, i, ret = 0, n = 0;
	uint64_t va, seq;
	uint32_t h;
	char *out;

	if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
		_exit(2);
	fd = kt_open_node(NULL);
	out = malloc(32 * MIB);
	if (fd < 0 || !out || kt_reg(fd, 1, CT_SPIN) || kt_reg(fd, 2, CT_NULL) ||
	    kt_bo_create(fd, 32 * MIB, &h, &va))
		_exit(3);
	for (i = 0; i < 2; i++) {
		st[i].va = va;
		st[i].user_ptr = (uintptr_t)out;
		st[i].size = 32 * MIB;
	}
	if (run(fd, 1, 0, 30 * SEC, NULL, 0, &seq))
		_exit(4);
	/* At most 6 (384 MiB): a driver without a budget must not OOM us. */
	for (i = 0; i < 6; i++) {
		ret = run(fd, 2, 0, 0, st, 2, &seq);
		if (ret)
			break;
		n++;
	}
	if (write(rep, &n, sizeof(n)) != sizeof(n) ||
	    write(rep, &ret, sizeof(ret)) != sizeof(ret))
		_exit(5);
	close(fd);	/* cancels the spinning run and the queued ones */
	_exit(0);
}

static int test_run_budget(void)
{
	unsigned long budget = module_param("max_run_mb");
	struct drm_chip_counters c;
	int rep[2], n = -1, ret = 0, st, fd;
	size_t i;
	pid_t pid;

	if (!budget)
		budget = 256;	/* the documented default */
	printf("# max_run_mb %lu\n", budget);
	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		chmod(nodes[i], 0666);
	CHECK(pipe(rep) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid)
		budget_child(rep[1]);
	close(rep[1]);
	CHECK_EQ(read(rep[0], &n, sizeof(n)), (ssize_t)sizeof(n));
	CHECK_EQ(read(rep[0], &ret, sizeof(ret)), (ssize_t)sizeof(ret));
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	printf("# %d runs of 64 MiB of stores queued, then %d\n", n, ret);
	CHECK_EQ(ret, -EBUSY);
	CHECK(n >= 1);
	CHECK((uint64_t)n * 64 <= budget);
	CHECK((uint64_t)(n + 1) * 64 > budget - 1);
	close(rep[0]);

	/* Everything went with the file. */
	fd = kt_open_node(NULL);
	CHECK(fd >= 0);
	memset(&c, 0, sizeof(c));
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_COUNTERS, &c), 0);
	CHECK_EQ(c.dev_runs, 0);
	CHECK_EQ(c.dev_bos, 0);
	close(fd);
	return 0;
}

/* ---- device memory of closed but still referenced objects ------------ */

static int test_gm_charged_until_free(void)
{
	uint64_t gm = (uint64_t)module_param("gm_size_mb") * MIB;
	uint64_t big = gm / 2 + 16 * MIB, rest = gm - big + 4096;
	struct t_prime_handle ph;
	struct drm_chip_bo_info bi;
	uint32_t h, h2;
	int fd = kt_open_node(NULL), ret;
	void *p;

	CHECK(fd >= 0);
	CHECK(gm >= 64 * MIB);
	/* mmap, then close the handle: still charged until munmap */
	CHECK_EQ(kt_bo_create(fd, big, &h, NULL), 0);
	memset(&bi, 0, sizeof(bi));
	bi.handle = h;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_BO_INFO, &bi), 0);
	p = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)bi.mmap_offset);
	CHECK(p != MAP_FAILED);
	CHECK_EQ(kt_gem_close(fd, h), 0);
	CHECK_EQ(kt_bo_create(fd, rest, &h2, NULL), -ENOSPC);
	CHECK_EQ(munmap(p, big), 0);
	CHECK_EQ(kt_bo_create(fd, rest, &h2, NULL), 0);
	CHECK_EQ(kt_gem_close(fd, h2), 0);

	/* exported as a dma-buf: charged until the dma-buf goes */
	CHECK_EQ(kt_bo_create(fd, big, &h, NULL), 0);
	memset(&ph, 0, sizeof(ph));
	ph.handle = h;
	ph.flags = O_CLOEXEC;
	ret = kt_ioctl(fd, T_IOCTL_PRIME_HANDLE_TO_FD, &ph);
	if (ret == -ENOSYS) {
		/* before 6.6 a driver exports only with its own callback */
		printf("# no dma-buf export: skipped\n");
		CHECK_EQ(kt_gem_close(fd, h), 0);
		close(fd);
		return 0;
	}
	CHECK_EQ(ret, 0);
	CHECK_EQ(kt_gem_close(fd, h), 0);
	CHECK_EQ(kt_bo_create(fd, rest, &h2, NULL), -ENOSPC);
	close(ph.fd);
	CHECK_EQ(kt_bo_create(fd, rest, &h2, NULL), 0);
	CHECK_EQ(kt_gem_close(fd, h2), 0);
	close(fd);
	return 0;
}

/* ---- device memory use never reads above gm_size ------------------- */

#define OVER_TRIES	20000

struct over_arg {
	int fd;
	uint64_t size;
	int refused;		/* creations that got -ENOSPC */
	int other;		/* any other outcome */
};

static void *over_creator(void *p)
{
	struct over_arg *a = p;
	uint32_t h;
	int i, ret;

	for (i = 0; i < OVER_TRIES; i++) {
		ret = kt_bo_create(a->fd, a->size, &h, NULL);
		if (ret == -ENOSPC) {
			a->refused++;
		} else {
			a->other++;
			if (!ret)
				kt_gem_close(a->fd, h);
		}
	}
	return NULL;
}

/*
 * Two threads keep asking for more device memory than is left while the
 * main thread reads the device's counters: a refused creation must not
 * be seen in dev_gm_used, even for the moment it takes to refuse it.
 */
static int test_gm_never_over(void)
{
	uint64_t gm = (uint64_t)module_param("gm_size_mb") * MIB;
	uint64_t big = gm - 8 * MIB;
	struct over_arg a[2];
	struct drm_chip_counters c;
	pthread_t th[2];
	uint64_t most = 0;
	int fd = kt_open_node(NULL), i, reads = 0, over = 0;
	uint32_t h;

	CHECK(fd >= 0);
	CHECK(gm >= 64 * MIB);
	CHECK_EQ(kt_bo_create(fd, big, &h, NULL), 0);
	for (i = 0; i < 2; i++) {
		a[i] = (struct over_arg){ .fd = fd, .size = 16 * MIB };
		CHECK_EQ(pthread_create(&th[i], NULL, over_creator, &a[i]), 0);
	}
	while (reads < 4 * OVER_TRIES) {
		memset(&c, 0, sizeof(c));
		if (kt_ioctl(fd, DRM_IOCTL_CHIP_COUNTERS, &c))
			break;
		reads++;
		if (c.dev_gm_used > most)
			most = c.dev_gm_used;
		if (c.dev_gm_used > gm)
			over++;
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	/* give the memory back before any check can return */
	CHECK_EQ(kt_gem_close(fd, h), 0);
	close(fd);
	printf("# %d counter reads, %d above gm_size (most %llu of %llu)\n",
	       reads, over, (unsigned long long)most,
	       (unsigned long long)gm);
	CHECK_EQ(reads, 4 * OVER_TRIES);
	CHECK_EQ(over, 0);
	for (i = 0; i < 2; i++) {
		CHECK_EQ(a[i].refused, OVER_TRIES);
		CHECK_EQ(a[i].other, 0);
	}
	return 0;
}

/* ---- SIGKILL of a run executing in its submitter --------------------- */

/*
 * Child: prime the spinning callable with a 1 ms watchdog (so it is
 * predicted short), check that such a run executes inline, then start
 * one with a 60 s watchdog inline and let the parent kill it.
 */
static void inline_child(int rep)
{
	struct drm_chip_counters c0, c1;
	uint64_t seq;
	uint32_t st;
	char ch = 'N';
	int fd = kt_open_node(NULL);

	if (fd < 0 || kt_reg(fd, 1, CT_SPIN))
		_exit(2);
	memset(&c0, 0, sizeof(c0));
	memset(&c1, 0, sizeof(c1));
	if (run(fd, 1, 0, 1000000, NULL, 0, &seq) ||
	    wait_run(fd, seq, 10 * SEC, &st) || st != CHIP_STATUS_TIMEOUT ||
	    kt_ioctl(fd, DRM_IOCTL_CHIP_COUNTERS, &c0) ||
	    run(fd, 1, DRM_CHIP_RUN_INLINE, 1000000, NULL, 0, &seq) ||
	    wait_run(fd, seq, 10 * SEC, &st) || st != CHIP_STATUS_TIMEOUT ||
	    kt_ioctl(fd, DRM_IOCTL_CHIP_COUNTERS, &c1))
		_exit(3);
	if (c1.inline_runs > c0.inline_runs)
		ch = 'I';
	if (write(rep, &ch, 1) != 1)
		_exit(4);
	if (ch != 'I')
		_exit(0);
	run(fd, 1, DRM_CHIP_RUN_INLINE, 60 * SEC, NULL, 0, &seq);
	_exit(5);
}

static int test_inline_sigkill(void)
{
	uint64_t max_ms = module_param("max_timeout_ms"), t0, dt;
	int rep[2], st;
	pid_t pid;
	char ch = 0;

	CHECK(pipe(rep) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid)
		inline_child(rep[1]);
	close(rep[1]);
	CHECK_EQ(read(rep[0], &ch, 1), 1);
	close(rep[0]);
	if (ch != 'I') {
		/* inline_us too small for this machine: see scripts/guest/init */
		CHECK_EQ(waitpid(pid, &st, 0), pid);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		printf("# runs not inline with inline_us=%lu: skipped\n",
		       module_param("inline_us"));
		return 0;
	}
	CHECK(max_ms >= 60000);
	usleep(300000);		/* inside the RUN ioctl by now */
	t0 = kt_mono_ns();
	CHECK_EQ(kill(pid, SIGKILL), 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	dt = kt_mono_ns() - t0;
	printf("# killed after %llu ms\n", (unsigned long long)(dt / 1000000));
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	CHECK(dt < 10 * SEC);
	return 0;
}

int main(int argc, char **argv)
{
	ct_init(argc, argv);
	T_RUN(test_stalled_copy);
	T_RUN(test_run_budget);
	T_RUN(test_gm_charged_until_free);
	T_RUN(test_gm_never_over);
	T_RUN(test_inline_sigkill);
	return T_DONE();
}
