// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Kernel-only tests of the io_uring submission path (run in the QEMU
 * guest): malformed commands, 10 000 runs with no completion lost or
 * duplicated, ordering of dependent runs, closing the file with 256 runs
 * queued, tearing the ring down (and exiting the task) with runs in
 * flight, and libchip's ioctl fallback when io_uring is disabled; an
 * issue that would block returns to io_uring_enter() (IO_URING_F_NONBLOCK)
 * and runs issued from an io-wq worker (IOSQE_ASYNC) outlive that worker;
 * batches with store snapshots while another thread creates and frees
 * buffers (a run whose start would block in the issue is started later).
 *
 * The rings are liburing's, as libchip's; SQE128/CQE32 rings too.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <liburing.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "helpers.h"
#include "chiptest.h"
#include "drm/chip_accel.h"
#include "ktest.h"
#include "chip_callable.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Register workload @w as @cid on raw @fd. */
static unsigned char null_args[256];
static long null_args_len;

static void null_run(struct drm_chip_uring_run *u, int32_t cid)
{
	memset(u, 0, sizeof(*u));
	u->run.args_ptr = (uintptr_t)null_args;
	u->run.args_size = (uint64_t)null_args_len;
	u->run.cid = cid;
	u->run.block_dim = 1;
	u->run.aicpu_threads = 1;
	u->run.timeout_ns = 2000000000ull;
}

/* A ring of @entries SQEs and @cq CQEs with IORING_SETUP_* @flags. */
static int ring_init(struct io_uring *r, unsigned int entries, unsigned int cq,
		     unsigned int flags)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE | flags;
	p.cq_entries = cq;
	return io_uring_queue_init_params(entries, r, &p);
}

/* The next SQE, zeroed (all 128 bytes on an SQE128 ring). */
static struct io_uring_sqe *get_sqe(struct io_uring *r)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(r);

	if (sqe)
		memset(sqe, 0, sizeof(*sqe) <<
		       !!(r->flags & IORING_SETUP_SQE128));
	return sqe;
}

/* A uring_cmd with opcode @op; its command area (reserved fields 0). */
static struct io_uring_sqe *prep_op(struct io_uring *r, int fd, uint32_t op)
{
	struct io_uring_sqe *sqe = get_sqe(r);

	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = op;
	return sqe;
}

static struct io_uring_sqe *prep(struct io_uring *r, int fd, uint32_t op,
				 uint64_t ptr, uint64_t user_data)
{
	struct io_uring_sqe *sqe = prep_op(r, fd, op);
	struct drm_chip_uring_cmd c = { .ptr = ptr };

	io_uring_sqe_set_data64(sqe, user_data);
	memcpy(sqe->cmd, &c, sizeof(c));
	return sqe;
}

static struct __kernel_timespec secs(long long s, long long ns)
{
	struct __kernel_timespec ts = { .tv_sec = s, .tv_nsec = ns };

	return ts;
}

/* Submit what is queued and wait for one completion; its res. */
static int one(struct io_uring *r, uint64_t *res2)
{
	return kt_uring_wait(r, 5, res2);
}

static int counters(int fd, struct drm_chip_counters *c)
{
	memset(c, 0, sizeof(*c));
	return kt_ioctl(fd, DRM_IOCTL_CHIP_COUNTERS, c);
}

/*
 * Poll the counters into *@c until the device holds no run and, with
 * @files nonzero, exactly @files open files, or @secs seconds pass.
 * 0 or the COUNTERS error; the caller checks *@c.
 */
static int settle(int fd, uint64_t files, unsigned int secs,
		  struct drm_chip_counters *c)
{
	uint64_t end = now_ns() + secs * 1000000000ull;
	int ret;

	do {
		ret = counters(fd, c);
		if (ret)
			return ret;
		if (c->dev_runs == 0 && (!files || c->dev_files == files))
			break;
		usleep(10000);
	} while (now_ns() < end);
	return 0;
}

/* The module's inline_us, -1 if unreadable. */
static long inline_us(void)
{
	FILE *f = fopen("/sys/module/chip/parameters/inline_us", "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* RUN @u's request; with @wait, WAIT for it and return its status. */
static int run_ioctl(int fd, struct drm_chip_uring_run *u, uint64_t *seq,
		     int wait)
{
	struct drm_chip_run run;
	struct drm_chip_wait w;
	int ret;

	memcpy(&run, &u->run, sizeof(run));
	ret = kt_ioctl(fd, DRM_IOCTL_CHIP_RUN, &run);
	if (ret)
		return 1000 + ret;
	*seq = run.seq;
	if (!wait)
		return 0;
	memset(&w, 0, sizeof(w));
	w.seq = run.seq;
	ret = kt_ioctl(fd, DRM_IOCTL_CHIP_WAIT, &w);
	return ret ? 2000 + ret : (int)w.status;
}

/*
 * Is run @seq complete right now (@now), or once complete (!@now)?  1,
 * 0, or -errno; its status and, with @ns, its device time.
 */
static int done_ns(int fd, uint64_t seq, int now, uint32_t *status,
		   uint64_t *ns)
{
	struct drm_chip_wait w;
	int ret;

	memset(&w, 0, sizeof(w));
	w.seq = seq;
	w.timeout_ns = now;	/* 1: a deadline already past, never sleeps */
	ret = kt_ioctl(fd, DRM_IOCTL_CHIP_WAIT, &w);
	if (ret == -ETIMEDOUT)
		return 0;
	if (ret)
		return ret;
	*status = w.status;
	if (ns)
		*ns = w.device_ns;
	return 1;
}

static int done_now(int fd, uint64_t seq, uint32_t *status)
{
	return done_ns(fd, seq, 1, status, NULL);
}

#define RESIZE(req, size) \
	(((req) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) | \
	 ((unsigned int)(size) << _IOC_SIZESHIFT))

static int test_malformed(void)
{
	struct drm_chip_uring_run u;
	struct drm_chip_run run;
	struct io_uring_sqe *sqe;
	struct io_uring r, big;
	uint64_t res2 = 0;
	int fd = kt_open_node(NULL);

	CHECK(fd >= 0);
	CHECK_EQ(kt_reg(fd, 1, CT_NULL), 0);
	CHECK_EQ(ring_init(&r, 8, 16, 0), 0);

	prep(&r, fd, DRM_CHIP_URING_NOP, 0, 1);
	CHECK_EQ(one(&r, NULL), 0);
	/* Bad opcodes: another type, an unknown number, a plain ioctl. */
	prep(&r, fd, _IOWR('x', 0x60, struct drm_chip_uring_cmd), 0, 2);
	CHECK_EQ(one(&r, NULL), -ENOTTY);
	prep(&r, fd, DRM_CHIP_IOWR(0x2f, struct drm_chip_uring_cmd), 0, 3);
	CHECK_EQ(one(&r, NULL), -ENOTTY);
	prep(&r, fd, DRM_IOCTL_CHIP_RUN, 0, 3);
	CHECK_EQ(one(&r, NULL), -ENOTTY);
	prep(&r, fd, _IOW('d', 0x61, struct drm_chip_uring_cmd), 0, 3);
	CHECK_EQ(one(&r, NULL), -ENOTTY);
	/* Wrong size. */
	prep(&r, fd, RESIZE(DRM_CHIP_URING_RUN, sizeof(struct drm_chip_run)),
	     (uintptr_t)&u, 4);
	CHECK_EQ(one(&r, NULL), -EINVAL);
	prep(&r, fd, RESIZE(DRM_CHIP_URING_NOP, 8), 0, 4);
	CHECK_EQ(one(&r, NULL), -EINVAL);
	/* Nonzero reserved fields of the command area. */
	sqe = prep_op(&r, fd, DRM_CHIP_URING_NOP);
	sqe->cmd[8] = 1;	/* flags */
	CHECK_EQ(one(&r, NULL), -EINVAL);
	sqe = prep_op(&r, fd, DRM_CHIP_URING_NOP);
	sqe->cmd[12] = 1;	/* pad */
	CHECK_EQ(one(&r, NULL), -EINVAL);
	prep(&r, fd, DRM_CHIP_URING_NOP, 8, 5);
	CHECK_EQ(one(&r, NULL), -EINVAL);
	/* The run request: the RUN ioctl's validation and errnos. */
	null_run(&u, 1);
	u.run.pad = 1;
	prep(&r, fd, DRM_CHIP_URING_RUN, (uintptr_t)&u, 6);
	CHECK_EQ(one(&r, NULL), -EINVAL);
	memcpy(&run, &u.run, sizeof(run));
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_RUN, &run), -EINVAL);
	null_run(&u, 1);
	u.run.flags = (__u32)~DRM_CHIP_RUN_FLAGS;
	prep(&r, fd, DRM_CHIP_URING_RUN, (uintptr_t)&u, 6);
	CHECK_EQ(one(&r, NULL), -EINVAL);
	null_run(&u, 1);
	u.run.seq = 5;
	prep(&r, fd, DRM_CHIP_URING_RUN, (uintptr_t)&u, 6);
	CHECK_EQ(one(&r, NULL), -EINVAL);
	null_run(&u, 7);
	prep(&r, fd, DRM_CHIP_URING_RUN, (uintptr_t)&u, 7);
	CHECK_EQ(one(&r, NULL), -ENOENT);
	memcpy(&run, &u.run, sizeof(run));
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_RUN, &run), -ENOENT);
	null_run(&u, 1);
	u.run.store_count = DRM_CHIP_MAX_STORES + 1;
	prep(&r, fd, DRM_CHIP_URING_RUN, (uintptr_t)&u, 8);
	CHECK_EQ(one(&r, NULL), -E2BIG);
	prep(&r, fd, DRM_CHIP_URING_RUN, 16, 9);
	CHECK_EQ(one(&r, NULL), -EFAULT);
	/* A valid run: status in res, record written, seq written back. */
	null_run(&u, 1);
	prep(&r, fd, DRM_CHIP_URING_RUN, (uintptr_t)&u, 10);
	CHECK_EQ(one(&r, NULL), CHIP_STATUS_OK);
	CHECK(u.run.seq > 0);
	CHECK_U64(u.result.seq, u.run.seq);
	CHECK_EQ(u.result.status, CHIP_STATUS_OK);
	/* A uring run is not WAIT's to consume. */
	{
		struct drm_chip_wait w;

		memset(&w, 0, sizeof(w));
		w.seq = u.run.seq;
		CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_WAIT, &w), -ENOENT);
	}
	io_uring_queue_exit(&r);

	/* 128-byte entries: the tail of the command area is reserved. */
	CHECK_EQ(ring_init(&big, 8, 16, IORING_SETUP_SQE128 |
			   IORING_SETUP_CQE32), 0);
	null_run(&u, 1);
	prep(&big, fd, DRM_CHIP_URING_RUN, (uintptr_t)&u, 11);
	CHECK_EQ(one(&big, &res2), CHIP_STATUS_OK);
	CHECK_U64(res2, u.run.seq);
	null_run(&u, 1);
	sqe = prep(&big, fd, DRM_CHIP_URING_RUN, (uintptr_t)&u, 12);
	sqe->cmd[40] = 1;
	CHECK_EQ(one(&big, NULL), -EINVAL);
	io_uring_queue_exit(&big);
	close(fd);
	return 0;
}

/* 10 000 runs through libchip (io_uring), reaped in batches. */
static int test_10k(void)
{
	enum { N = 10000, BATCH = 64 };
	static struct chip_run_result res[BATCH];
	static unsigned char seen[N + 1];
	struct chip_args args;
	struct chip_dev *dev;
	uint64_t seq, first = 0;
	int submitted = 0, reaped = 0, inflight = 0, i, n;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, 3, CT_NULL,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	chip_args_init(&args);
	while (reaped < N) {
		while (submitted < N && inflight < 256) {
			CHECK_EQ(chip_submit(dev, 3, &args, NULL, &seq), 0);
			if (!first)
				first = seq;
			CHECK(seq >= first && seq - first < N);
			CHECK_EQ(seen[seq - first], 0);
			seen[seq - first] = 1;
			submitted++;
			inflight++;
		}
		n = chip_reap(dev, res, BATCH, 1, now_ns() + 10000000000ull);
		CHECK(n > 0);
		for (i = 0; i < n; i++) {
			CHECK(res[i].seq >= first && res[i].seq - first < N);
			CHECK_EQ(seen[res[i].seq - first], 1);
			seen[res[i].seq - first] = 2;
			CHECK_EQ(res[i].status, CHIP_STATUS_OK);
		}
		reaped += n;
		inflight -= n;
	}
	for (i = 0; i < N; i++)
		CHECK_EQ(seen[i], 2);
	CHECK_EQ(chip_reap(dev, res, BATCH, 0, 1), 0);
	CHECK_EQ(chip_wait(dev, first, 1, &res[0]), -ENOENT);
	chip_close(dev);
	return 0;
}

/*
 * Dependencies: each pair writes a buffer and then reads it, submitted
 * together without waiting; runs of a device execute in submission order,
 * so every reader sees its writer's output.  Completions of one submitter
 * arrive in seq order (counted, and reported).
 */
static int test_order(void)
{
	enum { PAIRS = 32, NF = 256 };
	static float out[2 * PAIRS][NF];
	struct chip_run_result res[2 * PAIRS];
	struct chip_run_opts o;
	struct chip_store st[2 * PAIRS];
	struct chip_args args;
	struct chip_dev *dev;
	uint64_t da, db, dx, dy, seqs[2 * PAIRS], last = 0;
	int i, n = 0, inversions = 0;
	float zero[NF];

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, 4, CT_VECTOR,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	CHECK_EQ(chip_malloc(dev, NF * 4, &da), 0);
	CHECK_EQ(chip_malloc(dev, NF * 4, &db), 0);
	CHECK_EQ(chip_malloc(dev, NF * 4, &dx), 0);
	CHECK_EQ(chip_malloc(dev, NF * 4, &dy), 0);
	memset(zero, 0, sizeof(zero));
	CHECK_EQ(chip_copy_to(dev, db, zero, sizeof(zero)), 0);
	for (i = 0; i < 2 * PAIRS; i++) {
		float a = (float)(i / 2 % 5);

		chip_args_init(&args);
		memset(&o, 0, sizeof(o));
		o.sz = sizeof(o);
		if (i % 2 == 0) {
			/* writer: x = f(a, 0) with a taken from host */
			float va[NF];
			int j;

			for (j = 0; j < NF; j++)
				va[j] = a;
			CHECK_EQ(chip_copy_to(dev, da, va, sizeof(va)), 0);
			ct_add_f32(&args, da, NF);
			ct_add_f32(&args, db, NF);
			ct_add_f32(&args, dx, NF);
			st[i].dev_addr = dx;
		} else {
			/* reader: y = f(x, 0) */
			ct_add_f32(&args, dx, NF);
			ct_add_f32(&args, db, NF);
			ct_add_f32(&args, dy, NF);
			st[i].dev_addr = dy;
		}
		st[i].host = out[i];
		st[i].size = sizeof(out[i]);
		o.stores = &st[i];
		o.nstores = 1;
		CHECK_EQ(chip_submit(dev, 4, &args, &o, &seqs[i]), 0);
		if (i)
			CHECK(seqs[i] > seqs[i - 1]);
		/*
		 * The next writer's input must not change under this pair:
		 * the host copy is synchronous, so wait for the reader.
		 */
		if (i % 2 == 1) {
			while (n <= i) {
				int k = chip_reap(dev, res + n, 2 * PAIRS - n, 1,
						  now_ns() + 10000000000ull);

				CHECK(k > 0);
				n += k;
			}
		}
	}
	for (i = 0; i < n; i++) {
		CHECK_EQ(res[i].status, CHIP_STATUS_OK);
		if (res[i].seq < last)
			inversions++;
		last = res[i].seq;
	}
	for (i = 0; i < 2 * PAIRS; i += 2) {
		float a = (float)(i / 2 % 5);
		float x = ct_vector_ref(a, 0.0f);
		float y = ct_vector_ref(x, 0.0f);

		CHECK_EQ(ct_mismatches(out[i], NF, x), 0);
		CHECK_EQ(ct_mismatches(out[i + 1], NF, y), 0);
	}
	printf("# completion order: %d of %d out of seq order\n", inversions, n);
	CHECK_EQ(inversions, 0);
	chip_close(dev);
	return 0;
}

/*
 * Buffer churn: creating and freeing buffers replaces the file's view of
 * its address space (under its lock, taken for writing) while batches
 * with store snapshots are issued.  A non-blocking issue that finds the
 * device free starts the run itself, and leaves the start to the work
 * item where taking the view or allocating the snapshot would block.
 * Every run must complete once, OK, with its snapshot right.
 */
static volatile int churn_stop;
static long churn_n;

static void *churn_thread(void *arg)
{
	struct chip_dev *dev = arg;
	uint64_t a[4];
	int i;

	while (!churn_stop) {
		for (i = 0; i < 4; i++)
			if (chip_malloc(dev, 4096 << i, &a[i]))
				return (void *)1;
		for (i = 0; i < 4; i++)
			if (chip_free(dev, a[i]))
				return (void *)1;
		churn_n++;
	}
	return NULL;
}

static int test_start_contended(void)
{
	enum { NF = 64, B = 32, ROUNDS = 40 };
	static float out[B][NF];
	static struct chip_batch_run batch[B];
	static struct chip_run_opts o[B];
	static struct chip_store st[B];
	struct chip_run_result res[B];
	struct chip_args args;
	struct chip_dev *dev;
	uint64_t da, db, dx;
	float va[NF], vb[NF], want = ct_vector_ref(3.0f, 1.0f);
	pthread_t t;
	void *tret;
	int r, i, n, bad = 0;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, 6, CT_VECTOR,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	CHECK_EQ(chip_malloc(dev, sizeof(va), &da), 0);
	CHECK_EQ(chip_malloc(dev, sizeof(vb), &db), 0);
	CHECK_EQ(chip_malloc(dev, sizeof(va), &dx), 0);
	for (i = 0; i < NF; i++) {
		va[i] = 3.0f;
		vb[i] = 1.0f;
	}
	CHECK_EQ(chip_copy_to(dev, da, va, sizeof(va)), 0);
	CHECK_EQ(chip_copy_to(dev, db, vb, sizeof(vb)), 0);
	chip_args_init(&args);
	ct_add_f32(&args, da, NF);
	ct_add_f32(&args, db, NF);
	ct_add_f32(&args, dx, NF);
	for (i = 0; i < B; i++) {
		memset(&o[i], 0, sizeof(o[i]));
		o[i].sz = sizeof(o[i]);
		st[i].dev_addr = dx;
		st[i].host = out[i];
		st[i].size = sizeof(out[i]);
		o[i].stores = &st[i];
		o[i].nstores = 1;
		batch[i].cid = 6;
		batch[i].args = &args;
		batch[i].opts = &o[i];
	}
	churn_stop = 0;
	churn_n = 0;
	CHECK_EQ(pthread_create(&t, NULL, churn_thread, dev), 0);
	for (r = 0; r < ROUNDS && !bad; r++) {
		memset(out, 0, sizeof(out));
		if (chip_submit_batch(dev, batch, B) != B) {
			bad = 1;
			break;
		}
		for (n = 0; n < B && !bad; ) {
			int k = chip_reap(dev, res, B - n, 1,
					  now_ns() + 10000000000ull);

			if (k <= 0)
				bad = 2;
			for (i = 0; i < k; i++)
				if (res[i].status != CHIP_STATUS_OK)
					bad = 3;
			n += k > 0 ? k : 0;
		}
		for (i = 0; i < B && !bad; i++)
			if (ct_mismatches(out[i], NF, want))
				bad = 4;
	}
	churn_stop = 1;
	CHECK_EQ(pthread_join(t, &tret), 0);
	printf("# %d batches of %d with stores, %ld buffer churn rounds\n",
	       r, B, churn_n);
	CHECK_EQ(bad, 0);
	CHECK(tret == NULL);
	CHECK(churn_n > 0);
	CHECK_EQ(chip_reap(dev, res, B, 0, 1), 0);
	chip_close(dev);
	CHECK_EQ(kt_klog_bugs(), 0);
	return 0;
}

/* Submit @n null runs on a raw ring; 0 or an error. */
static int submit_null(struct io_uring *r, int fd, struct drm_chip_uring_run *u,
		       int n, int32_t cid)
{
	int i, done = 0, ret;

	for (i = 0; i < n; i++) {
		null_run(&u[i], cid);
		prep(r, fd, DRM_CHIP_URING_RUN, (uintptr_t)&u[i], (uint64_t)i + 1);
		if ((i + 1) % 64 == 0 || i + 1 == n) {
			ret = io_uring_submit(r);
			if (ret != i + 1 - done)
				return ret < 0 ? ret : -EIO;
			done = i + 1;
		}
	}
	return 0;
}

/* Close the device file with 256 runs queued on the ring. */
static int test_close_256(void)
{
	enum { N = 256 };
	static struct drm_chip_uring_run u[N];
	static unsigned char seen[N + 1];
	struct __kernel_timespec ts = secs(0, 100000000);
	struct io_uring_cqe *cqe;
	struct drm_chip_counters c;
	struct io_uring r;
	int fd = kt_open_node(NULL), fd2, got = 0, ok = 0, cancelled = 0;
	uint64_t end;

	CHECK(fd >= 0);
	CHECK_EQ(kt_reg(fd, 1, CT_NULL), 0);
	CHECK_EQ(ring_init(&r, 256, 1024, 0), 0);
	memset(seen, 0, sizeof(seen));
	CHECK_EQ(submit_null(&r, fd, u, N, 1), 0);
	close(fd);
	end = now_ns() + 30000000000ull;
	while (got < N && now_ns() < end) {
		io_uring_wait_cqe_timeout(&r, &cqe, &ts);
		while (!io_uring_peek_cqe(&r, &cqe)) {
			CHECK(cqe->user_data >= 1 && cqe->user_data <= N);
			CHECK_EQ(seen[cqe->user_data], 0);
			seen[cqe->user_data] = 1;
			if (cqe->res == CHIP_STATUS_OK)
				ok++;
			else if (cqe->res == CHIP_STATUS_CANCELLED)
				cancelled++;
			else
				CHECK_EQ(cqe->res, CHIP_STATUS_OK);
			got++;
			io_uring_cqe_seen(&r, cqe);
		}
	}
	CHECK_EQ(got, N);
	printf("# close with %d queued: %d ok, %d cancelled\n", N, ok,
	       cancelled);
	io_uring_queue_exit(&r);
	/* The file is gone with everything it held. */
	fd2 = kt_open_node(NULL);
	CHECK(fd2 >= 0);
	CHECK_EQ(settle(fd2, 1, 10, &c), 0);
	CHECK_EQ(c.dev_files, 1);
	CHECK_EQ(c.dev_runs, 0);
	close(fd2);
	return 0;
}

/* Tear the ring down with runs in flight (a spinning one among them). */
static int test_ring_exit(void)
{
	enum { N = 128 };
	static struct drm_chip_uring_run u[N + 1];
	struct drm_chip_counters c;
	struct io_uring r;
	uint64_t seq;
	int fd = kt_open_node(NULL), i;

	CHECK(fd >= 0);
	CHECK_EQ(kt_reg(fd, 1, CT_NULL), 0);
	CHECK_EQ(kt_reg(fd, 2, CT_SPIN), 0);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(ring_init(&r, 256, 1024, 0), 0);
		/* A spinning run first (watchdog 300 ms), then null runs. */
		null_run(&u[N], 2);
		u[N].run.timeout_ns = 300000000ull;
		prep(&r, fd, DRM_CHIP_URING_RUN, (uintptr_t)&u[N], 999);
		CHECK_EQ(io_uring_submit(&r), 1);
		CHECK_EQ(submit_null(&r, fd, u, N, 1), 0);
		io_uring_queue_exit(&r);	/* nothing reaped */
		/* Every run ends and is freed: the counters return to zero. */
		CHECK_EQ(settle(fd, 0, 20, &c), 0);
		CHECK_EQ(c.dev_runs, 0);
	}
	/* The file still works through the ioctls. */
	null_run(&u[0], 1);
	CHECK_EQ(run_ioctl(fd, &u[0], &seq, 1), CHIP_STATUS_OK);
	close(fd);
	return 0;
}

/* A task exits (SIGKILL) with runs queued on its ring. */
static int test_task_exit(void)
{
	struct drm_chip_counters c;
	int fd2, status;
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		static struct drm_chip_uring_run u[256];
		struct io_uring r;
		int fd = kt_open_node(NULL);

		if (fd < 0 || kt_reg(fd, 1, CT_NULL) || kt_reg(fd, 2, CT_SPIN) ||
		    ring_init(&r, 256, 1024, 0))
			_exit(2);
		null_run(&u[0], 2);
		u[0].run.timeout_ns = 500000000ull;
		prep(&r, fd, DRM_CHIP_URING_RUN, (uintptr_t)&u[0], 1);
		io_uring_submit(&r);
		if (submit_null(&r, fd, u + 1, 200, 1))
			_exit(3);
		printf("# child: queued\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	usleep(200000);
	kill(pid, SIGKILL);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFSIGNALED(status));
	fd2 = kt_open_node(NULL);
	CHECK(fd2 >= 0);
	CHECK_EQ(settle(fd2, 1, 20, &c), 0);
	CHECK_EQ(c.dev_files, 1);
	CHECK_EQ(c.dev_runs, 0);
	close(fd2);
	return 0;
}

/* kernel.io_uring_disabled=2: io_uring_setup fails, libchip falls back. */
static int test_disabled_fallback(void)
{
	const char *p = "/proc/sys/kernel/io_uring_disabled";
	float out[1024];
	struct chip_run_result res;
	struct chip_dev *dev;
	struct io_uring r;
	FILE *f = fopen(p, "r+");
	int old = 0, ret;

	if (!f) {
		printf("# %s: not on this kernel\n", p);
		return T_SKIP;
	}
	CHECK_EQ(fscanf(f, "%d", &old), 1);
	fclose(f);
	f = fopen(p, "w");
	CHECK(f);
	fprintf(f, "2\n");
	fclose(f);
	ret = ring_init(&r, 8, 16, 0);
	if (!ret)
		io_uring_queue_exit(&r);
	CHECK(ret == -EPERM || ret == -ENOSYS);
	ret = ct_open(&dev, NULL);
	if (!ret) {
		ret = ct_register(dev, 1, CT_VECTOR,
				  CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER);
		if (!ret)
			ret = ct_vector(dev, 1, 2.0f, 3.0f, 1024, out, &res);
		chip_close(dev);
	}
	f = fopen(p, "w");
	CHECK(f);
	fprintf(f, "%d\n", old);
	fclose(f);
	CHECK_EQ(ret, 0);
	CHECK_EQ(res.status, CHIP_STATUS_OK);
	CHECK_EQ(ct_mismatches(out, 1024, 47.0f), 0);
	return 0;
}

/*
 * DRM_CHIP_RUN_INLINE: a short run on an idle device executes in the
 * submitting task (complete when RUN or the io_uring issue returns,
 * counted in inline_runs; through io_uring, the issue from io-wq that
 * follows the one from io_uring_enter(), which may not block); without
 * the flag, behind a queued run, or for
 * a callable whose last run was long it goes to the device worker.  With
 * inline_us=0 nothing executes inline.  Whether a flagged run of the
 * null callable is inline follows from the device time of the run before
 * it, which the test reads back: an emulated device on a busy host can
 * take longer than inline_us for a null run now and then.
 */
static int test_inline(void)
{
	struct drm_chip_uring_run u, spin;
	struct drm_chip_counters c0, c;
	struct __kernel_timespec ts = secs(5, 0);
	struct io_uring_cqe *cqe;
	struct io_uring r;
	uint64_t seq, sseq, prev = 0;
	uint32_t st = 0;
	long inl = inline_us();
	int fd = kt_open_node(NULL), i, expect;

	CHECK(fd >= 0);
	CHECK(inl >= 0);
	printf("# inline_us=%ld\n", inl);
	CHECK_EQ(kt_reg(fd, 1, CT_NULL), 0);
	CHECK_EQ(kt_reg(fd, 2, CT_SPIN), 0);
	null_run(&u, 1);
	u.run.flags = DRM_CHIP_RUN_INLINE;
	null_run(&spin, 2);
	spin.run.timeout_ns = 100000000ull;	/* spins into its watchdog */

	/* The first run of a callable has no history: the worker runs it. */
	CHECK_EQ(counters(fd, &c0), 0);
	CHECK_EQ(run_ioctl(fd, &u, &seq, 0), 0);
	CHECK_EQ(done_ns(fd, seq, 0, &st, &prev), 1);
	CHECK_EQ(st, CHIP_STATUS_OK);
	CHECK_EQ(counters(fd, &c), 0);
	CHECK_EQ(c.inline_runs, c0.inline_runs);

	/* Sync runs: done when RUN returns, each counted. */
	for (i = 0, expect = 0; i < 20; i++) {
		CHECK_EQ(run_ioctl(fd, &u, &seq, 0), 0);
		if (inl && prev <= (uint64_t)inl * 1000) {
			CHECK_EQ(done_ns(fd, seq, 1, &st, &prev), 1);
			expect++;
		} else {
			CHECK_EQ(done_ns(fd, seq, 0, &st, &prev), 1);
		}
		CHECK_EQ(st, CHIP_STATUS_OK);
	}
	CHECK_EQ(counters(fd, &c), 0);
	CHECK_EQ(c.inline_runs - c0.inline_runs, (uint64_t)expect);
	CHECK(!inl || expect > 0);
	CHECK_EQ(c.dev_runs, 0);

	/* Without the flag: never executed by the submitter. */
	c0 = c;
	u.run.flags = 0;
	for (i = 0; i < 10; i++)
		CHECK_EQ(run_ioctl(fd, &u, &seq, 1), CHIP_STATUS_OK);
	u.run.flags = DRM_CHIP_RUN_INLINE;
	CHECK_EQ(counters(fd, &c), 0);
	CHECK_EQ(c.inline_runs, c0.inline_runs);

	/* Behind a queued run: FIFO holds, the worker runs both. */
	CHECK_EQ(run_ioctl(fd, &spin, &sseq, 0), 0);
	CHECK_EQ(run_ioctl(fd, &u, &seq, 1), CHIP_STATUS_OK);
	CHECK_EQ(done_now(fd, sseq, &st), 1);
	CHECK_EQ(st, CHIP_STATUS_TIMEOUT);
	CHECK_EQ(counters(fd, &c), 0);
	CHECK_EQ(c.inline_runs, c0.inline_runs);

	/* A callable whose last run took 100 ms: not inline, even flagged. */
	spin.run.flags = DRM_CHIP_RUN_INLINE;
	CHECK_EQ(run_ioctl(fd, &spin, &sseq, 0), 0);
	CHECK_EQ(done_now(fd, sseq, &st), 0);
	CHECK_EQ(run_ioctl(fd, &u, &seq, 0), 0);
	CHECK_EQ(done_ns(fd, seq, 0, &st, &prev), 1);
	CHECK_EQ(st, CHIP_STATUS_OK);
	CHECK_EQ(done_now(fd, sseq, &st), 1);
	CHECK_EQ(st, CHIP_STATUS_TIMEOUT);
	CHECK_EQ(counters(fd, &c), 0);
	CHECK_EQ(c.inline_runs, c0.inline_runs);

	/*
	 * io_uring: io_uring_enter() does not execute the run (its issue may
	 * not block), io-wq's issue does, posting the completion itself.
	 */
	CHECK_EQ(ring_init(&r, 8, 16, IORING_SETUP_CQE32), 0);
	for (i = 0, expect = 0; i < 8; i++) {
		int now = inl && prev <= (uint64_t)inl * 1000;

		null_run(&u, 1);
		u.run.flags = DRM_CHIP_RUN_INLINE;
		prep(&r, fd, DRM_CHIP_URING_RUN, (uintptr_t)&u, 77);
		CHECK_EQ(io_uring_submit(&r), 1);
		cqe = NULL;
		CHECK_EQ(io_uring_wait_cqe_timeout(&r, &cqe, &ts), 0);
		CHECK(cqe != NULL);
		CHECK_EQ(cqe->res, CHIP_STATUS_OK);
		CHECK_EQ(cqe->user_data, 77);
		CHECK(cqe->big_cqe[0] > 0);
		CHECK_EQ(cqe->big_cqe[0], u.result.seq);
		CHECK_EQ(u.result.status, CHIP_STATUS_OK);
		io_uring_cqe_seen(&r, cqe);
		prev = u.result.device_ns;
		expect += now;
	}
	io_uring_queue_exit(&r);
	CHECK_EQ(counters(fd, &c), 0);
	CHECK_EQ(c.inline_runs - c0.inline_runs, (uint64_t)expect);
	CHECK(!inl || expect > 0);
	CHECK_EQ(c.dev_runs, 0);
	close(fd);
	return 0;
}

/*
 * IOSQE_ASYNC: io_uring issues the commands from an io-wq worker of the
 * submitting task.  Such a worker exits on its own (idle, or outside the
 * task's io-wq CPU mask) while the task and its ring live on; the runs
 * it issued are the task's and complete normally: a spinning run at its
 * watchdog, the run queued behind it OK.  The worker is made to exit:
 * once the commands are issued, the io-wq CPU mask
 * (IORING_REGISTER_IOWQ_AFF) moves off the CPU it runs on, and io-wq
 * retires it at its next idle timeout (5 s), before the spinning run's
 * watchdog (8 s).  Needs two CPUs.
 */
static int iowq_aff(struct io_uring *r, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return io_uring_register_iowq_aff(r, sizeof(set), &set);
}

static int test_async_issuer_exits(void)
{
	static struct drm_chip_uring_run u[2];
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct __kernel_timespec ts = secs(30, 0);
	struct io_uring r;
	int fd = kt_open_node(NULL), i, st[2] = { -1, -1 };
	uint64_t end;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		printf("# one CPU: skipped\n");
		return T_SKIP;
	}
	CHECK(fd >= 0);
	CHECK_EQ(kt_reg(fd, 1, CT_SPIN), 0);
	CHECK_EQ(kt_reg(fd, 2, CT_NULL), 0);
	CHECK_EQ(ring_init(&r, 8, 16, 0), 0);
	CHECK_EQ(iowq_aff(&r, 0), 0);
	null_run(&u[0], 1);
	u[0].run.timeout_ns = 8000000000ull;
	null_run(&u[1], 2);
	for (i = 0; i < 2; i++) {
		sqe = prep(&r, fd, DRM_CHIP_URING_RUN, (uintptr_t)&u[i], i);
		sqe->flags |= IOSQE_ASYNC;
	}
	CHECK_EQ(io_uring_submit(&r), 2);
	/* Issued (the seqs are written back by the issue): move the mask. */
	end = now_ns() + 10000000000ull;
	while ((!__atomic_load_n(&u[0].run.seq, __ATOMIC_ACQUIRE) ||
		!__atomic_load_n(&u[1].run.seq, __ATOMIC_ACQUIRE)) &&
	       now_ns() < end)
		usleep(1000);
	CHECK(u[0].run.seq && u[1].run.seq);
	CHECK_EQ(iowq_aff(&r, 1), 0);
	for (i = 0; i < 2; i++) {
		cqe = NULL;
		CHECK_EQ(io_uring_wait_cqe_timeout(&r, &cqe, &ts), 0);
		CHECK(cqe != NULL);
		CHECK(cqe->user_data < 2);
		st[cqe->user_data] = cqe->res;
		io_uring_cqe_seen(&r, cqe);
	}
	CHECK_EQ(st[0], CHIP_STATUS_TIMEOUT);
	CHECK_EQ(st[1], CHIP_STATUS_OK);
	CHECK_EQ(u[1].result.status, CHIP_STATUS_OK);
	io_uring_queue_exit(&r);
	close(fd);
	return 0;
}

/*
 * IO_URING_F_NONBLOCK: io_uring_enter() issues a command without
 * blocking.  The argument blob of the run lies in a page that is not
 * there yet (userfaultfd), and a thread of this test supplies it only
 * once io_uring_enter() has returned: the issue from io_uring_enter()
 * must give up (-EAGAIN) instead of waiting for the page, io-wq issues
 * the command again and waits for it, and the run completes OK.  An
 * issue that waited would keep io_uring_enter() from returning: the
 * thread then supplies the page anyway after 20 s, and the test fails.
 */
struct uffd_ctx {
	int uffd;
	void *page;
	int entered;	/* io_uring_enter() has returned */
	int faults;
	int late;	/* the page was supplied before io_uring_enter() returned */
};

static void *uffd_thread(void *arg)
{
	static unsigned char src[4096] __attribute__((aligned(4096)));
	struct uffd_ctx *c = arg;
	struct uffdio_copy cp;
	struct uffd_msg msg;
	struct pollfd pfd = { .fd = c->uffd, .events = POLLIN };
	uint64_t end = now_ns() + 20000000000ull;

	memcpy(src, null_args, (size_t)null_args_len);
	while (now_ns() < end) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if (read(c->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
		    msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		c->faults++;
		while (!__atomic_load_n(&c->entered, __ATOMIC_ACQUIRE) &&
		       now_ns() < end)
			usleep(1000);
		c->late = !__atomic_load_n(&c->entered, __ATOMIC_ACQUIRE);
		memset(&cp, 0, sizeof(cp));
		cp.dst = (uintptr_t)c->page;
		cp.src = (uintptr_t)src;
		cp.len = 4096;
		if (ioctl(c->uffd, UFFDIO_COPY, &cp))
			fprintf(stderr, "UFFDIO_COPY: %s\n", strerror(errno));
		break;
	}
	return NULL;
}

static int test_nonblock_issue(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register ur;
	static struct drm_chip_uring_run u;
	struct uffd_ctx c = { .uffd = -1 };
	struct __kernel_timespec ts = secs(30, 0);
	struct io_uring_cqe *cqe;
	struct io_uring r;
	pthread_t th;
	int fd = kt_open_node(NULL);

	CHECK(fd >= 0);
	CHECK_EQ(kt_reg(fd, 1, CT_NULL), 0);
	c.uffd = (int)syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (c.uffd < 0) {
		printf("# no userfaultfd (%s): skipped\n", strerror(errno));
		close(fd);
		return T_SKIP;
	}
	CHECK_EQ(ioctl(c.uffd, UFFDIO_API, &api), 0);
	c.page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(c.page != MAP_FAILED);
	memset(&ur, 0, sizeof(ur));
	ur.range.start = (uintptr_t)c.page;
	ur.range.len = 4096;
	ur.mode = UFFDIO_REGISTER_MODE_MISSING;
	CHECK_EQ(ioctl(c.uffd, UFFDIO_REGISTER, &ur), 0);
	CHECK_EQ(pthread_create(&th, NULL, uffd_thread, &c), 0);

	CHECK_EQ(ring_init(&r, 8, 16, 0), 0);
	null_run(&u, 1);
	u.run.args_ptr = (uintptr_t)c.page;
	prep(&r, fd, DRM_CHIP_URING_RUN, (uintptr_t)&u, 5);
	CHECK_EQ(io_uring_submit(&r), 1);
	__atomic_store_n(&c.entered, 1, __ATOMIC_RELEASE);
	cqe = NULL;
	CHECK_EQ(io_uring_wait_cqe_timeout(&r, &cqe, &ts), 0);
	CHECK(cqe != NULL);
	CHECK_EQ(cqe->user_data, 5);
	CHECK_EQ(cqe->res, CHIP_STATUS_OK);
	io_uring_cqe_seen(&r, cqe);
	CHECK_EQ(pthread_join(th, NULL), 0);
	CHECK_EQ(c.faults, 1);
	CHECK_EQ(c.late, 0);
	io_uring_queue_exit(&r);
	munmap(c.page, 4096);
	close(c.uffd);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct chip_args a;

	ct_init(argc, argv);
	if (ct_is_sim()) {
		printf("# kernel-only tests: skipped on %s\n", ct_platform());
		printf("0 passed, 0 failed\n");
		return 0;
	}
	chip_args_init(&a);
	null_args_len = chip_args_encode(&a, null_args, sizeof(null_args));
	if (null_args_len < 0) {
		printf("0 passed, 1 failed\n");
		return 1;
	}
	T_RUN(test_malformed);
	T_RUN(test_10k);
	T_RUN(test_order);
	T_RUN(test_close_256);
	T_RUN(test_ring_exit);
	T_RUN(test_task_exit);
	T_RUN(test_disabled_fallback);
	T_RUN(test_inline);
	T_RUN(test_nonblock_issue);
	T_RUN(test_async_issuer_exits);
	T_RUN(test_start_contended);
	return T_DONE();
}
