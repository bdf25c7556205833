// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Kernel-only tests of runs as DRM fences (run in the QEMU guest):
 *
 *	cross process	process B's run waits for process A's run through an
 *			exported syncobj fd; when B's run is done, A's has
 *			signalled (an ordering, not a time)
 *	timeline	out points on a timeline syncobj: TIMELINE_WAIT and
 *			QUERY see them
 *	eventfd		DRM_IOCTL_SYNCOBJ_EVENTFD on an out point (6.6 and
 *			later; skipped with the reason before)
 *	sync_file	a run's fence exported as a sync_file: poll, status
 *	error cancels	an in-fence that signals with an error cancels the
 *			run, whose own fence then carries -ECANCELED
 *	fairness	file A queues 1000 long runs, file B one short run: B's
 *			run retires before more than one more of A's runs does
 *	wake-ups	file A's WAIT sleeps while 201 runs of file B
 *			retire: it is not woken by them (its voluntary
 *			context switches stay below 20); B's results come
 *			back oldest first with WAIT(0), and by seq
 *	close pending	closing a file with runs queued, running and waiting
 *			for another file's fence returns, every fence signals
 *			with an error, nothing leaks, the kernel log is clean
 *	no result	NO_RESULT runs: more than max_runs without waiting,
 *			WAIT on one is -ENOENT, nothing is retained
 *	uring		syncs and NO_RESULT through DRM_CHIP_URING_RUN
 *	mixed		runs with and without an out-syncobj in one file (only
 *			the former have a fence): the fences of a file stay
 *			ordered (merging two pending sync_files keeps the
 *			later, still pending once the earlier has signalled)
 *
 * Bounds on waits (seconds) only catch hangs.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <liburing.h>
#include <linux/sync_file.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <drm.h>

#include "helpers.h"
#include "chiptest.h"
#include "drm/chip_accel.h"
#include "ktest.h"

#define SEC	1000000000ull

/* drm.h of 6.6 and later; libdrm's copy may predate it. */
struct t_syncobj_eventfd {
	uint32_t handle;
	uint32_t flags;
	uint64_t point;
	int32_t fd;
	uint32_t pad;
};

#define T_IOCTL_SYNCOBJ_EVENTFD	DRM_IOWR(0xCF, struct t_syncobj_eventfd)

enum { CID_NULL = 1, CID_SPIN = 2, CID_MANY = 3 };

/* A node with the three workloads registered, or -1. */
static int open_dev(void)
{
	int fd = kt_open_node(NULL);

	if (fd < 0)
		return -1;
	if (kt_reg(fd, CID_NULL, CT_NULL) || kt_reg(fd, CID_SPIN, CT_SPIN) ||
	    kt_reg(fd, CID_MANY, CT_MANY)) {
		close(fd);
		return -1;
	}
	return fd;
}

static uint32_t syncobj_create(int fd)
{
	struct drm_syncobj_create c = { 0 };

	return kt_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c) ? 0 : c.handle;
}

/* Wait for syncobj @h (point @point) until @bound_ns from now: 0 or -errno. */
static int syncobj_wait(int fd, uint32_t h, uint64_t point, uint64_t bound_ns)
{
	struct drm_syncobj_timeline_wait w = { 0 };

	w.handles = (uintptr_t)&h;
	w.points = (uintptr_t)&point;
	w.count_handles = 1;
	w.timeout_nsec = bound_ns ? (int64_t)(kt_mono_ns() + bound_ns) : 0;
	return kt_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w);
}

static int64_t syncobj_query(int fd, uint32_t h)
{
	struct drm_syncobj_timeline_array a = { 0 };
	uint64_t point = 0;

	a.handles = (uintptr_t)&h;
	a.points = (uintptr_t)&point;
	a.count_handles = 1;
	return kt_ioctl(fd, DRM_IOCTL_SYNCOBJ_QUERY, &a) ? -1 : (int64_t)point;
}

/* Export syncobj @h as a syncobj fd, or its fence as a sync_file. */
static int syncobj_export(int fd, uint32_t h, int sync_file)
{
	struct drm_syncobj_handle a = { .handle = h };

	if (sync_file)
		a.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE;
	return kt_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &a) ? -1 : a.fd;
}

/* Import a syncobj fd into @fd: its handle there, or 0. */
static uint32_t syncobj_import(int fd, int sfd)
{
	struct drm_syncobj_handle a = { .fd = sfd };

	return kt_ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &a) ? 0 : a.handle;
}

/* The status of a sync_file: 1 signalled, 0 active, < 0 its error. */
static int sync_file_status(int sfd)
{
	struct sync_file_info info;

	memset(&info, 0, sizeof(info));
	if (ioctl(sfd, SYNC_IOC_FILE_INFO, &info))
		return -1000;
	return info.status;
}

struct run_opts {
	uint32_t flags;
	uint64_t timeout_ns;
	uint64_t tasks;		/* CID_MANY */
	const struct drm_chip_sync *in;
	uint32_t nin;
	uint32_t out;		/* out_sync.handle */
	uint64_t out_point;
};

static void fill_run(struct drm_chip_run *r, int32_t cid,
		     const struct run_opts *o, void *args)
{
	struct { uint32_t t, s; uint64_t v; } *a = args;

	memset(a, 0, sizeof(*a));
	memset(r, 0, sizeof(*r));
	r->args_ptr = (uintptr_t)a;
	r->args_size = 8;
	if (cid == CID_MANY) {
		a->s = 1;
		a->v = o->tasks;
		r->args_size = 16;
	}
	r->cid = cid;
	r->block_dim = 1;
	r->aicpu_threads = 1;
	r->flags = o->flags;
	r->timeout_ns = o->timeout_ns;
	r->in_syncs_ptr = (uintptr_t)o->in;
	r->in_sync_count = o->nin;
	r->out_sync.handle = o->out;
	r->out_sync.point = o->out_point;
}

/* RUN @cid with @o: 0 or -errno; its seq in *@seq. */
static int run(int fd, int32_t cid, const struct run_opts *o, uint64_t *seq)
{
	uint64_t args[2];
	struct drm_chip_run r;
	int ret;

	fill_run(&r, cid, o, args);
	ret = kt_ioctl(fd, DRM_IOCTL_CHIP_RUN, &r);
	if (!ret && seq)
		*seq = r.seq;
	return ret;
}

static int wait_run(int fd, uint64_t seq, uint64_t bound_ns,
		    struct drm_chip_wait *w)
{
	memset(w, 0, sizeof(*w));
	w->seq = seq;
	w->timeout_ns = kt_mono_ns() + bound_ns;
	return kt_ioctl(fd, DRM_IOCTL_CHIP_WAIT, w);
}

static int dev_runs(int fd, uint64_t *n)
{
	struct drm_chip_counters c;
	int ret;

	memset(&c, 0, sizeof(c));
	ret = kt_ioctl(fd, DRM_IOCTL_CHIP_COUNTERS, &c);
	*n = c.dev_runs;
	return ret;
}

/* ---- fence ordering across processes ------------------------------------ */

/*
 * Child B: import A's syncobj, run after it, then check A's fence has
 * signalled.  Exit code 0 on success.
 */
static int order_child(int sfd)
{
	struct drm_chip_sync in = { 0 };
	struct run_opts o = { 0 };
	struct drm_chip_wait w;
	uint32_t mine;
	uint64_t seq;
	int fd = open_dev();

	if (fd < 0)
		return 2;
	in.handle = syncobj_import(fd, sfd);
	if (!in.handle)
		return 3;
	mine = syncobj_create(fd);
	if (!mine)
		return 4;
	o.in = &in;
	o.nin = 1;
	o.out = mine;
	if (run(fd, CID_NULL, &o, &seq))
		return 5;
	if (syncobj_wait(fd, mine, 0, 60 * SEC))
		return 6;
	/* A's run has retired: its fence is signalled now. */
	if (syncobj_wait(fd, in.handle, 0, 0))
		return 7;
	if (wait_run(fd, seq, 10 * SEC, &w) || w.status != CHIP_STATUS_OK)
		return 8;
	close(fd);
	return 0;
}

static int test_cross_process(void)
{
	struct run_opts o = { .tasks = 20000, .timeout_ns = 60 * SEC };
	struct drm_chip_wait w;
	int fd = open_dev(), sfd, st;
	uint32_t h;
	uint64_t seq;
	pid_t pid;

	CHECK(fd >= 0);
	h = syncobj_create(fd);
	CHECK(h);
	o.out = h;
	CHECK_EQ(run(fd, CID_MANY, &o, &seq), 0);
	sfd = syncobj_export(fd, h, 0);
	CHECK(sfd >= 0);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid)
		_exit(order_child(sfd));
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	CHECK_EQ(wait_run(fd, seq, 60 * SEC, &w), 0);
	CHECK_EQ(w.status, CHIP_STATUS_OK);
	close(sfd);
	close(fd);
	return 0;
}

/* ---- timeline points, eventfd, sync_file -------------------------------- */

static int test_timeline(void)
{
	struct run_opts o = { 0 };
	int fd = open_dev(), i;
	uint64_t seq;
	uint32_t t;

	CHECK(fd >= 0);
	t = syncobj_create(fd);
	CHECK(t);
	o.out = t;
	o.flags = DRM_CHIP_RUN_NO_RESULT;
	for (i = 1; i <= 3; i++) {
		o.out_point = i;
		CHECK_EQ(run(fd, CID_NULL, &o, &seq), 0);
	}
	CHECK_EQ(syncobj_wait(fd, t, 3, 30 * SEC), 0);
	CHECK_EQ(syncobj_query(fd, t), 3);
	/*
	 * A huge array: refused by the driver (the core's allocation of it
	 * would warn in the kernel log).
	 */
	{
		struct drm_syncobj_timeline_wait w = { 0 };
		struct drm_syncobj_array a = { 0 };

		w.handles = (uintptr_t)&t;
		w.count_handles = 1u << 24;
		CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w),
			 -EINVAL);
		a.handles = (uintptr_t)&t;
		a.count_handles = 1u << 24;
		CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_SYNCOBJ_RESET, &a), -EINVAL);
	}
	/* A point never submitted: WAIT_FOR_SUBMIT not asked, -EINVAL. */
	CHECK_EQ(syncobj_wait(fd, t, 4, 0), -EINVAL);
	/* An in-fence point with no fence attached is -EINVAL too. */
	{
		struct drm_chip_sync in = { .handle = t, .point = 9 };

		o.in = &in;
		o.nin = 1;
		o.out = 0;
		o.out_point = 0;
		CHECK_EQ(run(fd, CID_NULL, &o, &seq), -EINVAL);
		in.handle = 999;
		in.point = 0;
		CHECK_EQ(run(fd, CID_NULL, &o, &seq), -ENOENT);
	}
	close(fd);
	return 0;
}

static int test_eventfd(void)
{
	struct run_opts o = { .tasks = 2000, .timeout_ns = 60 * SEC };
	struct t_syncobj_eventfd e;
	struct pollfd p;
	uint64_t seq, v = 0;
	int fd, efd;
	uint32_t t;

	if (!kt_kernel_has_eventfd()) {
		printf("# skipped: DRM_IOCTL_SYNCOBJ_EVENTFD needs Linux 6.6\n");
		return 0;
	}
	fd = open_dev();
	CHECK(fd >= 0);
	t = syncobj_create(fd);
	CHECK(t);
	o.out = t;
	o.out_point = 1;
	o.flags = DRM_CHIP_RUN_NO_RESULT;
	CHECK_EQ(run(fd, CID_MANY, &o, &seq), 0);
	efd = eventfd(0, EFD_CLOEXEC);
	CHECK(efd >= 0);
	memset(&e, 0, sizeof(e));
	e.handle = t;
	e.point = 1;
	e.fd = efd;
	CHECK_EQ(kt_ioctl(fd, T_IOCTL_SYNCOBJ_EVENTFD, &e), 0);
	p.fd = efd;
	p.events = POLLIN;
	CHECK_EQ(poll(&p, 1, 60000), 1);
	CHECK_EQ(read(efd, &v, sizeof(v)), (ssize_t)sizeof(v));
	CHECK(v >= 1);
	CHECK_EQ(syncobj_wait(fd, t, 1, 0), 0);
	close(efd);
	close(fd);
	return 0;
}

static int test_sync_file(void)
{
	struct run_opts o = { .tasks = 2000, .timeout_ns = 60 * SEC };
	struct drm_chip_wait w;
	struct pollfd p;
	uint64_t seq;
	int fd = open_dev(), sfd;
	uint32_t h;

	CHECK(fd >= 0);
	h = syncobj_create(fd);
	CHECK(h);
	o.out = h;
	CHECK_EQ(run(fd, CID_MANY, &o, &seq), 0);
	sfd = syncobj_export(fd, h, 1);
	CHECK(sfd >= 0);
	p.fd = sfd;
	p.events = POLLIN;
	CHECK_EQ(poll(&p, 1, 60000), 1);
	CHECK_EQ(sync_file_status(sfd), 1);
	CHECK_EQ(wait_run(fd, seq, 10 * SEC, &w), 0);
	CHECK_EQ(w.status, CHIP_STATUS_OK);
	close(sfd);
	close(fd);
	return 0;
}

/* ---- an in-fence with an error ------------------------------------------ */

static int test_error_cancels(void)
{
	struct run_opts o = { .timeout_ns = 10000000 };	/* 10 ms spin */
	struct drm_chip_sync in = { 0 };
	struct drm_chip_wait w;
	uint64_t seq_a, seq_b;
	int fd = open_dev(), sa, sb;
	uint32_t a, b;

	CHECK(fd >= 0);
	a = syncobj_create(fd);
	b = syncobj_create(fd);
	CHECK(a && b);
	o.out = a;
	CHECK_EQ(run(fd, CID_SPIN, &o, &seq_a), 0);
	memset(&o, 0, sizeof(o));
	in.handle = a;
	o.in = &in;
	o.nin = 1;
	o.out = b;
	CHECK_EQ(run(fd, CID_NULL, &o, &seq_b), 0);
	CHECK_EQ(wait_run(fd, seq_b, 30 * SEC, &w), 0);
	CHECK_EQ(w.status, CHIP_STATUS_CANCELLED);
	CHECK_EQ(wait_run(fd, seq_a, 30 * SEC, &w), 0);
	CHECK_EQ(w.status, CHIP_STATUS_TIMEOUT);
	sa = syncobj_export(fd, a, 1);
	sb = syncobj_export(fd, b, 1);
	CHECK(sa >= 0 && sb >= 0);
	CHECK_EQ(sync_file_status(sa), -ETIMEDOUT);
	CHECK_EQ(sync_file_status(sb), -ECANCELED);
	close(sa);
	close(sb);
	close(fd);
	return 0;
}

/* ---- fairness ------------------------------------------------------------ */

static int test_fairness(void)
{
	struct run_opts o = { .timeout_ns = 20000000 };	/* 20 ms spins */
	int fa = open_dev(), fb = open_dev(), i;
	int64_t q0, q1;
	uint32_t ta, sb;
	uint64_t seq;

	CHECK(fa >= 0 && fb >= 0);
	ta = syncobj_create(fa);
	sb = syncobj_create(fb);
	CHECK(ta && sb);
	o.out = ta;
	o.flags = DRM_CHIP_RUN_NO_RESULT;
	for (i = 1; i <= 1000; i++) {
		o.out_point = i;
		CHECK_EQ(run(fa, CID_SPIN, &o, &seq), 0);
	}
	q0 = syncobj_query(fa, ta);
	CHECK(q0 >= 0);
	memset(&o, 0, sizeof(o));
	o.out = sb;
	CHECK_EQ(run(fb, CID_NULL, &o, &seq), 0);
	CHECK_EQ(syncobj_wait(fb, sb, 0, 120 * SEC), 0);
	q1 = syncobj_query(fa, ta);
	printf("# A's runs retired: %lld before B's submission, %lld after B's retired\n",
	       (long long)q0, (long long)q1);
	/*
	 * The run of A executing at B's submission retires, then B's run
	 * executes: at most one more of A's runs retires (and one more for
	 * the query racing A's next run).
	 */
	CHECK(q1 - q0 <= 2);
	CHECK(q1 < 1000);
	close(fa);	/* cancels the rest of A's runs */
	close(fb);
	return 0;
}

/* ---- wake-ups stay within a file ----------------------------------------- */

struct waiter {
	int fd;
	uint64_t seq;
	int ret;
	uint32_t status;
	long nvcsw;		/* voluntary context switches during its WAIT */
	pid_t tid;
	int started;
};

static void *waiter_fn(void *arg)
{
	struct waiter *w = arg;
	struct drm_chip_wait wt;
	struct rusage a, b;

	w->tid = gettid();
	getrusage(RUSAGE_THREAD, &a);
	__atomic_store_n(&w->started, 1, __ATOMIC_RELEASE);
	w->ret = wait_run(w->fd, w->seq, 60 * SEC, &wt);
	getrusage(RUSAGE_THREAD, &b);
	w->nvcsw = b.ru_nvcsw - a.ru_nvcsw;
	w->status = wt.status;
	return NULL;
}

/* Is thread @tid of this process asleep ('S' in its stat)? */
static int thread_sleeps(pid_t tid)
{
	char path[64], buf[256], *p;
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f)) {
		p = strrchr(buf, ')');
		ret = p && p[1] == ' ' && p[2] == 'S';
	}
	fclose(f);
	return ret;
}

#define WAKE_RUNS	200

/*
 * File A waits (WAIT) for its run, which waits for the last of file B's
 * runs: WAKE_RUNS spins of 2 ms (each longer than a wake-up takes) and a
 * null run.  B's runs queue behind file C's spinning run until A's
 * waiter sleeps, then C's run is cancelled.  A's waiter is woken by its
 * own file's retirement, not by each of B's: its voluntary context
 * switches stay far below WAKE_RUNS.  Then B's results come back oldest
 * first with WAIT(0) and by seq.
 */
static int test_wakeups(void)
{
	struct run_opts spin = { .timeout_ns = 30 * SEC }, o = { 0 };
	struct drm_chip_cancel c = { 0 };
	struct drm_chip_sync in = { 0 };
	static struct waiter w;
	uint64_t sc, seq[WAKE_RUNS + 1], t0;
	struct drm_chip_wait wt;
	pthread_t th;
	uint32_t hb;
	int fa = open_dev(), fb = open_dev(), fc = open_dev(), sfd, i;

	CHECK(fa >= 0 && fb >= 0 && fc >= 0);
	memset(&w, 0, sizeof(w));	/* static: outlives a failed check */
	CHECK_EQ(run(fc, CID_SPIN, &spin, &sc), 0);
	hb = syncobj_create(fb);
	CHECK(hb);
	o.timeout_ns = 2000000;
	for (i = 0; i < WAKE_RUNS; i++)
		CHECK_EQ(run(fb, CID_SPIN, &o, &seq[i]), 0);
	o.timeout_ns = 0;
	o.out = hb;
	CHECK_EQ(run(fb, CID_NULL, &o, &seq[WAKE_RUNS]), 0);
	sfd = syncobj_export(fb, hb, 0);
	CHECK(sfd >= 0);
	in.handle = syncobj_import(fa, sfd);
	CHECK(in.handle);
	close(sfd);
	o.out = 0;
	o.in = &in;
	o.nin = 1;
	w.fd = fa;
	CHECK_EQ(run(fa, CID_NULL, &o, &w.seq), 0);
	CHECK_EQ(pthread_create(&th, NULL, waiter_fn, &w), 0);
	t0 = kt_mono_ns();
	while (!__atomic_load_n(&w.started, __ATOMIC_ACQUIRE) ||
	       !thread_sleeps(w.tid)) {
		if (kt_mono_ns() - t0 > 10 * SEC)
			break;
		usleep(1000);
	}
	CHECK_EQ(kt_ioctl(fc, DRM_IOCTL_CHIP_CANCEL, &c), 0);
	CHECK_EQ(pthread_join(th, NULL), 0);
	CHECK_EQ(w.ret, 0);
	CHECK_EQ(w.status, CHIP_STATUS_OK);
	printf("# A's waiter: %ld voluntary context switches while %d runs of B retired\n",
	       w.nvcsw, WAKE_RUNS + 1);
	CHECK(w.nvcsw < WAKE_RUNS / 10);
	/* B's runs, all retired: the older half oldest first, then by seq. */
	for (i = 0; i < WAKE_RUNS / 2; i++) {
		CHECK_EQ(wait_run(fb, 0, 10 * SEC, &wt), 0);
		CHECK_EQ(wt.done_seq, seq[i]);
		CHECK_EQ(wt.status, CHIP_STATUS_TIMEOUT);
	}
	for (i = WAKE_RUNS; i >= WAKE_RUNS / 2; i--) {
		CHECK_EQ(wait_run(fb, seq[i], 10 * SEC, &wt), 0);
		CHECK_EQ(wt.done_seq, seq[i]);
	}
	CHECK_EQ(wt.status, CHIP_STATUS_TIMEOUT);
	CHECK_EQ(wait_run(fb, 0, 10 * SEC, &wt), -ENOENT);
	CHECK_EQ(wait_run(fb, seq[0], 10 * SEC, &wt), -ENOENT);
	close(fa);
	close(fb);
	close(fc);
	return 0;
}

/* ---- close with fences pending ------------------------------------------- */

static int test_close_pending(void)
{
	struct run_opts o = { .timeout_ns = 30 * SEC };
	struct drm_chip_sync in = { 0 };
	int fx = open_dev(), fy = open_dev(), bugs0, i, sf[3], sy;
	uint32_t hx[3], hy;
	uint64_t seq, n;

	CHECK(fx >= 0 && fy >= 0);
	bugs0 = kt_klog_bugs();
	CHECK(bugs0 >= 0);
	hy = syncobj_create(fy);
	CHECK(hy);
	o.out = hy;
	CHECK_EQ(run(fy, CID_SPIN, &o, &seq), 0);	/* Y: 30 s spin */
	sy = syncobj_export(fy, hy, 0);
	CHECK(sy >= 0);
	for (i = 0; i < 3; i++) {
		hx[i] = syncobj_create(fx);
		CHECK(hx[i]);
	}
	/* X: a run waiting for Y's, then two more behind it. */
	in.handle = syncobj_import(fx, sy);
	CHECK(in.handle);
	o.in = &in;
	o.nin = 1;
	o.out = hx[0];
	CHECK_EQ(run(fx, CID_NULL, &o, &seq), 0);
	o.in = NULL;
	o.nin = 0;
	o.out = hx[1];
	CHECK_EQ(run(fx, CID_SPIN, &o, &seq), 0);
	o.out = hx[2];
	o.flags = DRM_CHIP_RUN_NO_RESULT;
	CHECK_EQ(run(fx, CID_NULL, &o, &seq), 0);
	for (i = 0; i < 3; i++) {
		sf[i] = syncobj_export(fx, hx[i], 1);
		CHECK(sf[i] >= 0);
		CHECK_EQ(sync_file_status(sf[i]), 0);
	}
	close(fx);	/* never waits for Y's run */
	for (i = 0; i < 3; i++) {
		CHECK_EQ(sync_file_status(sf[i]), -ECANCELED);
		close(sf[i]);
	}
	CHECK_EQ(dev_runs(fy, &n), 0);
	CHECK_EQ(n, 1);	/* Y's spin only */
	close(sy);
	close(fy);
	fx = open_dev();
	CHECK(fx >= 0);
	CHECK_EQ(dev_runs(fx, &n), 0);
	CHECK_EQ(n, 0);
	close(fx);
	CHECK_EQ(kt_klog_bugs(), bugs0);
	return 0;
}

/* ---- NO_RESULT ----------------------------------------------------------- */

static int test_no_result(void)
{
	struct drm_chip_get_param gp = { .param = DRM_CHIP_PARAM_MAX_RUNS };
	struct run_opts o = { .flags = DRM_CHIP_RUN_NO_RESULT };
	struct drm_chip_store st = { .va = 1, .user_ptr = 1, .size = 1 };
	struct drm_chip_wait w;
	uint64_t seq = 0, first = 0, n = 1, i, t0;
	int fd = open_dev();
	uint32_t h;

	CHECK(fd >= 0);
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_GET_PARAM, &gp), 0);
	h = syncobj_create(fd);
	CHECK(h);
	/* A spinning run first, so that the others queue behind it. */
	{
		struct run_opts s = { .timeout_ns = 200000000,
				      .flags = DRM_CHIP_RUN_NO_RESULT };

		CHECK_EQ(run(fd, CID_SPIN, &s, &first), 0);
	}
	for (i = 0; i < gp.value + 100; i++) {
		o.out = i == gp.value + 99 ? h : 0;
		CHECK_EQ(run(fd, CID_NULL, &o, &seq), 0);
	}
	CHECK_EQ(wait_run(fd, first, 0, &w), -ENOENT);
	CHECK_EQ(wait_run(fd, seq, 0, &w), -ENOENT);
	CHECK_EQ(syncobj_wait(fd, h, 0, 120 * SEC), 0);
	/* Retired and freed: nothing retained (the count drops just after). */
	for (t0 = kt_mono_ns(); n && kt_mono_ns() - t0 < 10 * SEC; usleep(1000))
		CHECK_EQ(dev_runs(fd, &n), 0);
	CHECK_EQ(n, 0);
	CHECK_EQ(wait_run(fd, 0, 0, &w), -ENOENT);
	/* Not with stores. */
	{
		uint64_t args[2];
		struct drm_chip_run r;

		fill_run(&r, CID_NULL, &o, args);
		r.stores_ptr = (uintptr_t)&st;
		r.store_count = 1;
		CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_RUN, &r), -EINVAL);
	}
	close(fd);
	return 0;
}

/* ---- io_uring ------------------------------------------------------------ */

static int uring_one(struct io_uring *r, int fd, struct drm_chip_uring_run *u)
{
	struct drm_chip_uring_cmd c = { .ptr = (uintptr_t)u };
	struct io_uring_sqe *sqe = io_uring_get_sqe(r);

	if (!sqe)
		return 3000;
	memset(sqe, 0, sizeof(*sqe));
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = DRM_CHIP_URING_RUN;
	memcpy(sqe->cmd, &c, sizeof(c));
	return kt_uring_wait(r, 60, NULL);
}

static int test_uring(void)
{
	struct run_opts o = { 0 };
	struct drm_chip_sync in = { 0 };
	struct drm_chip_uring_run u;
	struct io_uring r;
	uint64_t args[2];
	int fd = open_dev();
	uint32_t a, b;

	CHECK(fd >= 0);
	if (io_uring_queue_init(8, &r, 0)) {
		printf("# skipped: no io_uring\n");
		close(fd);
		return 0;
	}
	a = syncobj_create(fd);
	b = syncobj_create(fd);
	CHECK(a && b);
	o.out = a;
	o.out_point = 5;
	fill_run(&u.run, CID_NULL, &o, args);
	memset(&u.result, 0, sizeof(u.result));
	CHECK_EQ(uring_one(&r, fd, &u), CHIP_STATUS_OK);
	CHECK(u.result.seq > 0);
	CHECK_EQ(syncobj_wait(fd, a, 5, 10 * SEC), 0);
	/* NO_RESULT, after a's point: the CQE only, no result record. */
	in.handle = a;
	in.point = 5;
	memset(&o, 0, sizeof(o));
	o.in = &in;
	o.nin = 1;
	o.out = b;
	o.flags = DRM_CHIP_RUN_NO_RESULT;
	fill_run(&u.run, CID_NULL, &o, args);
	memset(&u.result, 0xa5, sizeof(u.result));
	CHECK_EQ(uring_one(&r, fd, &u), CHIP_STATUS_OK);
	CHECK_EQ(u.result.seq, 0xa5a5a5a5a5a5a5a5ull);
	CHECK_EQ(syncobj_wait(fd, b, 0, 0), 0);
	io_uring_queue_exit(&r);
	close(fd);
	return 0;
}

/* ---- runs with and without a fence in one file ------------------------- */

/* Merge sync_files @a and @b: the new one's fd, or -1. */
static int sync_file_merge(int a, int b)
{
	struct sync_merge_data m;

	memset(&m, 0, sizeof(m));
	strcpy(m.name, "mixed");
	m.fd2 = b;
	return ioctl(a, SYNC_IOC_MERGE, &m) ? -1 : m.fence;
}

static int sync_file_count(int sfd)
{
	struct sync_file_info info;

	memset(&info, 0, sizeof(info));
	return ioctl(sfd, SYNC_IOC_FILE_INFO, &info) ? -1 :
	       (int)info.num_fences;
}

static int test_mixed(void)
{
	struct run_opts o = { .timeout_ns = 3 * SEC };
	struct drm_chip_cancel c;
	struct drm_chip_wait w;
	uint64_t sl, sx, sy, n;
	int fd = open_dev(), fx, fy, fm;
	uint32_t hx, hy;

	CHECK(fd >= 0);
	hx = syncobj_create(fd);
	hy = syncobj_create(fd);
	CHECK(hx && hy);
	/* L spins 3 s without a fence; X (null) and Y (spin) wait behind. */
	CHECK_EQ(run(fd, CID_SPIN, &o, &sl), 0);
	memset(&o, 0, sizeof(o));
	o.out = hx;
	CHECK_EQ(run(fd, CID_NULL, &o, &sx), 0);
	o.out = hy;
	o.timeout_ns = 60 * SEC;
	CHECK_EQ(run(fd, CID_SPIN, &o, &sy), 0);
	CHECK(sl < sx && sx < sy);
	fx = syncobj_export(fd, hx, 1);
	fy = syncobj_export(fd, hy, 1);
	CHECK(fx >= 0 && fy >= 0);
	/*
	 * One context: the merge keeps the later fence, Y's, named first.
	 * Reversed seqnos would keep X's (equal ones too, on 6.1).
	 */
	fm = sync_file_merge(fy, fx);
	CHECK(fm >= 0);
	CHECK_EQ(sync_file_count(fm), 1);
	/* L times out, X completes; the merge still waits for Y. */
	CHECK_EQ(syncobj_wait(fd, hx, 0, 60 * SEC), 0);
	CHECK_EQ(sync_file_status(fx), 1);
	CHECK_EQ(sync_file_status(fm), 0);
	CHECK_EQ(syncobj_wait(fd, hy, 0, 0), -ETIME);
	memset(&c, 0, sizeof(c));
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_CANCEL, &c), 0);
	CHECK_EQ(syncobj_wait(fd, hy, 0, 30 * SEC), 0);
	CHECK_EQ(sync_file_status(fm), -ECANCELED);
	CHECK_EQ(wait_run(fd, sl, 30 * SEC, &w), 0);
	CHECK_EQ(w.status, CHIP_STATUS_TIMEOUT);
	CHECK_EQ(wait_run(fd, sx, 30 * SEC, &w), 0);
	CHECK_EQ(w.status, CHIP_STATUS_OK);
	CHECK_EQ(wait_run(fd, sy, 30 * SEC, &w), 0);
	CHECK_EQ(w.status, CHIP_STATUS_CANCELLED);
	CHECK_EQ(dev_runs(fd, &n), 0);
	CHECK_EQ(n, 0);
	close(fm);
	close(fx);
	close(fy);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct drm_chip_get_param gp = { .param = DRM_CHIP_PARAM_FEATURES };
	int fd;

	ct_init(argc, argv);
	fd = kt_open_node(NULL);
	if (fd < 0) {
		printf("0 passed, 1 failed (no node)\n");
		return 1;
	}
	if (kt_ioctl(fd, DRM_IOCTL_CHIP_GET_PARAM, &gp) ||
	    !(gp.value & DRM_CHIP_FEATURE_FENCES))
		printf("# DRM_CHIP_FEATURE_FENCES not reported\n");
	close(fd);
	T_RUN(test_cross_process);
	T_RUN(test_timeline);
	T_RUN(test_eventfd);
	T_RUN(test_sync_file);
	T_RUN(test_error_cancels);
	T_RUN(test_fairness);
	T_RUN(test_wakeups);
	T_RUN(test_close_pending);
	T_RUN(test_no_result);
	T_RUN(test_uring);
	T_RUN(test_mixed);
	return T_DONE();
}
