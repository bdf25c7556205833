// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Conformance: hostile and concurrent clients of the libchip API, on
 * both backends.  Who takes a completion, what a queued run executes,
 * the errno of every refused request, stale handles, bad images.
 *
 * Cases that hung before their fix arm a watchdog (alarm()) so that a
 * regression fails the binary instead of stalling the suite.
 */
#include <errno.h>
#include <pthread.h>
#include <unistd.h>
#include "helpers.h"
#include "chiptest.h"

#define HANG_GUARD_S	120

#define VN 4096

/* A device buffer of @n floats set to @v. */
static int fbuf(struct chip_dev *dev, uint32_t n, float v, uint64_t *addr)
{
	static float tmp[VN];
	uint32_t i;
	int rc;

	if (n > VN)
		return -EINVAL;
	for (i = 0; i < n; i++)
		tmp[i] = v;
	rc = chip_malloc(dev, (uint64_t)n * 4, addr);
	return rc ? rc : chip_copy_to(dev, *addr, tmp, (uint64_t)n * 4);
}

/* Vector arguments a, b, f over VN floats with a = @a, b = 3. */
static int vec_args(struct chip_dev *dev, float a, struct chip_args *args,
		    uint64_t bufs[3])
{
	CHECK_EQ(fbuf(dev, VN, a, &bufs[0]), 0);
	CHECK_EQ(fbuf(dev, VN, 3.0f, &bufs[1]), 0);
	CHECK_EQ(fbuf(dev, VN, 0.0f, &bufs[2]), 0);
	chip_args_init(args);
	CHECK_EQ(ct_add_f32(args, bufs[0], VN), 0);
	CHECK_EQ(ct_add_f32(args, bufs[1], VN), 0);
	CHECK_EQ(ct_add_f32(args, bufs[2], VN), 0);
	return 0;
}

/* ---- who takes a completion --------------------------------------------- */

struct sync_ctx {
	struct chip_dev *dev;
	int32_t cid;
	int runs;
	int tasks;		/* CT_MANY: tasks per run */
	int bad;
};

static void *sync_runner(void *arg)
{
	struct sync_ctx *c = arg;
	struct chip_run_result res;
	struct chip_args args;
	int i;

	chip_args_init(&args);
	if (c->tasks && chip_args_add_scalar(&args, (uint64_t)c->tasks))
		c->bad++;
	for (i = 0; i < c->runs; i++) {
		if (chip_run(c->dev, c->cid, &args, NULL, &res) ||
		    res.status != CHIP_STATUS_OK)
			c->bad++;
	}
	return NULL;
}

/*
 * Threads calling chip_run() on one device all return, each with its own
 * completion, while another thread submits and reaps: the reaper gets
 * exactly its own runs, never a synchronous one.
 */
static int test_threads_sync_and_reap(void)
{
	enum { THREADS = 3, RUNS = 400, ASYNC = 400 };
	static uint64_t seqs[ASYNC];
	static char seen[ASYNC];
	struct chip_run_result res[64];
	struct sync_ctx ctx[THREADS];
	pthread_t th[THREADS];
	struct chip_counters c0, c;
	struct chip_args args;
	struct chip_dev *dev;
	int i, j, k, m, got;

	alarm(HANG_GUARD_S);
	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, 0, CT_NULL,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	CHECK_EQ(chip_counters(dev, &c0), 0);
	for (i = 0; i < THREADS; i++) {
		ctx[i] = (struct sync_ctx){ .dev = dev, .runs = RUNS };
		CHECK_EQ(pthread_create(&th[i], NULL, sync_runner, &ctx[i]), 0);
	}
	chip_args_init(&args);
	memset(seen, 0, sizeof(seen));
	for (i = 0, got = 0; i < ASYNC; i++) {
		CHECK_EQ(chip_submit(dev, 0, &args, NULL, &seqs[i]), 0);
		/* Reap without a deadline, at least one, every few runs. */
		if (i % 7 != 6 && i != ASYNC - 1)
			continue;
		while (got <= i - 4 || (i == ASYNC - 1 && got < ASYNC)) {
			m = chip_reap(dev, res, 64, 1, 0);
			CHECK(m > 0);
			for (k = 0; k < m; k++) {
				for (j = 0; j < ASYNC && seqs[j] != res[k].seq;
				     j++)
					;
				CHECK(j <= i);		/* one of ours */
				CHECK_EQ(seen[j], 0);	/* once */
				CHECK_EQ(res[k].status, CHIP_STATUS_OK);
				seen[j] = 1;
			}
			got += m;
		}
	}
	for (i = 0; i < THREADS; i++) {
		CHECK_EQ(pthread_join(th[i], NULL), 0);
		CHECK_EQ(ctx[i].bad, 0);
	}
	CHECK_EQ(got, ASYNC);
	CHECK_EQ(chip_reap(dev, res, 64, 0, 0), 0);
	/* With nothing of ours in flight, reap(min > 0) returns at once. */
	CHECK_EQ(chip_reap(dev, res, 64, 8, 0), 0);
	CHECK_EQ(chip_counters(dev, &c), 0);
	CHECK_EQ(c.runs[CHIP_STATUS_OK] - c0.runs[CHIP_STATUS_OK],
		 THREADS * RUNS + ASYNC);
	chip_close(dev);
	alarm(0);
	return 0;
}

struct wait_ctx {
	struct chip_dev *dev;
	int runs;
	int bad;
};

static void *submit_waiter(void *arg)
{
	struct wait_ctx *c = arg;
	struct chip_run_result res;
	struct chip_args args;
	uint64_t seq;
	int i;

	chip_args_init(&args);
	for (i = 0; i < c->runs; i++) {
		if (chip_submit(c->dev, 0, &args, NULL, &seq) ||
		    chip_wait(c->dev, seq, 0, &res) || res.seq != seq ||
		    res.status != CHIP_STATUS_OK)
			c->bad++;
	}
	return NULL;
}

/*
 * Two threads calling chip_run() on one device, then two calling
 * chip_submit() + chip_wait(seq, no deadline) next to one calling
 * chip_run(): every call returns, with its own run's completion.
 */
static int test_threads_run_and_wait(void)
{
	enum { RUNS = 3000 };
	struct sync_ctx sc[2];
	struct wait_ctx wc[2];
	struct chip_dev *dev;
	pthread_t th[3];
	int i;

	alarm(HANG_GUARD_S);
	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, 0, CT_NULL,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	CHECK_EQ(ct_register(dev, 1, CT_MANY,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	/* Runs long enough for the device thread to see one in progress. */
	for (i = 0; i < 2; i++) {
		sc[i] = (struct sync_ctx){ .dev = dev, .cid = 1, .runs = RUNS / 10,
					   .tasks = 64 };
		CHECK_EQ(pthread_create(&th[i], NULL, sync_runner, &sc[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		CHECK_EQ(pthread_join(th[i], NULL), 0);
		CHECK_EQ(sc[i].bad, 0);
	}
	sc[0].runs = RUNS / 10;
	CHECK_EQ(pthread_create(&th[0], NULL, sync_runner, &sc[0]), 0);
	for (i = 0; i < 2; i++) {
		wc[i] = (struct wait_ctx){ .dev = dev, .runs = RUNS };
		CHECK_EQ(pthread_create(&th[i + 1], NULL, submit_waiter,
					&wc[i]), 0);
	}
	for (i = 0; i < 3; i++)
		CHECK_EQ(pthread_join(th[i], NULL), 0);
	CHECK_EQ(sc[0].bad, 0);
	CHECK_EQ(wc[0].bad, 0);
	CHECK_EQ(wc[1].bad, 0);
	chip_close(dev);
	alarm(0);
	return 0;
}

static void *one_sync_run(void *arg)
{
	struct sync_ctx *c = arg;

	c->runs = 1;
	sync_runner(c);
	return NULL;
}

/*
 * A chip_run() queued behind a long run is not reaped by another thread
 * waiting for two completions: the reaper gets its one run and returns.
 */
static int test_reap_never_takes_sync_run(void)
{
	struct chip_run_opts o = { .sz = sizeof(o), .timeout_ns = 300000000 };
	struct chip_run_result res[4];
	struct sync_ctx ctx = { 0 };
	struct chip_args args;
	struct chip_dev *dev;
	uint64_t spin;
	pthread_t th;

	alarm(HANG_GUARD_S);
	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, 0, CT_SPIN,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	CHECK_EQ(ct_register(dev, 1, CT_NULL,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	chip_args_init(&args);
	o.block_dim = 1;
	CHECK_EQ(chip_submit(dev, 0, &args, &o, &spin), 0);
	ctx.dev = dev;
	ctx.cid = 1;
	CHECK_EQ(pthread_create(&th, NULL, one_sync_run, &ctx), 0);
	CHECK_EQ(chip_reap(dev, res, 4, 2, 0), 1);
	CHECK_U64(res[0].seq, spin);
	CHECK_EQ(res[0].status, CHIP_STATUS_TIMEOUT);
	CHECK_EQ(pthread_join(th, NULL), 0);
	CHECK_EQ(ctx.bad, 0);
	/* wait() names one run; "any" is reap's. */
	CHECK_EQ(chip_wait(dev, 0, 0, res), -EINVAL);
	chip_close(dev);
	alarm(0);
	return 0;
}

/* ---- what a queued run executes ------------------------------------------ */

/*
 * A run is bound to the callable its cid names when it is submitted:
 * unregistering and re-binding the cid while it waits in the queue does
 * not change what it executes.
 */
static int test_queued_run_keeps_its_callable(void)
{
	struct chip_run_opts so = { .sz = sizeof(so), .timeout_ns = 300000000,
				    .block_dim = 1 };
	static float outv[VN];
	struct chip_run_opts vo = { .sz = sizeof(vo) };
	struct chip_run_result res[4];
	struct chip_args sargs, vargs;
	struct chip_store st;
	struct chip_dev *dev;
	uint64_t spin, vec, bufs[3];
	uint32_t rt;
	int n, i;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(vec_args(dev, 2.0f, &vargs, bufs), 0);
	st.dev_addr = bufs[2];
	st.host = outv;
	st.size = sizeof(outv);
	vo.stores = &st;
	vo.nstores = 1;
	chip_args_init(&sargs);
	CHECK_EQ(ct_register(dev, 0, CT_SPIN,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	FOR_EACH_RUNTIME(rt) {
		memset(outv, 0, sizeof(outv));
		CHECK_EQ(ct_register(dev, 1, CT_VECTOR, rt), 0);
		CHECK_EQ(chip_submit(dev, 0, &sargs, &so, &spin), 0);
		CHECK_EQ(chip_submit(dev, 1, &vargs, &vo, &vec), 0);
		/* While the vector run waits behind the spinning one: */
		CHECK_EQ(chip_unregister(dev, 1), 0);
		CHECK_EQ(ct_register(dev, 1, CT_FATAL, rt), 0);
		for (n = 0; n < 2; n += i) {
			i = chip_reap(dev, res + n, 4 - n, 2 - n, 0);
			CHECK(i > 0);
		}
		CHECK_U64(res[0].seq, spin);
		CHECK_U64(res[1].seq, vec);
		CHECK_EQ(res[1].status, CHIP_STATUS_OK);
		CHECK_EQ(res[1].tasks, 5);
		CHECK_EQ(ct_mismatches(outv, VN, 47.0f), 0);
		/* A run submitted now executes the new binding. */
		CHECK_EQ(chip_run(dev, 1, &vargs, NULL, &res[0]), 0);
		CHECK_EQ(res[0].status, CHIP_STATUS_ORCH_ERROR);
		CHECK_EQ(chip_unregister(dev, 1), 0);
	}
	chip_close(dev);
	return 0;
}

/* ---- the errno of a refused request ---------------------------------------- */

/*
 * The same bad request fails with the same errno at submission on every
 * backend (the core's request checks), through chip_run(), chip_submit()
 * and chip_submit_batch() alike, and nothing is copied to the host.
 */
static int test_request_errnos(void)
{
	static float host[VN];
	struct chip_run_opts o;
	struct chip_store st[2];
	struct chip_batch_run b;
	struct chip_run_result res;
	struct chip_args args;
	struct chip_dev *dev;
	uint64_t good, gone, seq;
	uint32_t rt;
	size_t i;
	struct {
		uint64_t addr, size;
		int null_host, two, rc;
		uint64_t timeout;
	} cases[] = {
		{ 0, 64, 0, 0, -EINVAL, 0 },		/* filled below */
		{ 0, 0, 0, 0, -EINVAL, 0 },		/* 0-byte store */
		{ 0, 64, 1, 0, -EINVAL, 0 },		/* no destination */
		{ 0, 64, 0, 0, -EFAULT, 0 },		/* unmapped range */
		{ 0, 8192, 0, 0, -EFAULT, 0 },		/* past the buffer */
		{ 0, 64, 0, 1, -EFAULT, 0 },		/* second unmapped */
		{ 0, 65ull << 20, 0, 0, -E2BIG, 0 },	/* past the limit */
		{ 0, 64, 0, 0, -EINVAL, 3600ull * 1000000000 },	/* watchdog */
	};

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(chip_malloc(dev, 4096, &good), 0);
	CHECK_EQ(chip_malloc(dev, 4096, &gone), 0);
	CHECK_EQ(chip_free(dev, gone), 0);
	cases[0].addr = good;
	cases[0].rc = 0;
	cases[1].addr = good;
	cases[2].addr = good;
	cases[3].addr = gone;
	cases[4].addr = good;
	cases[5].addr = gone;
	cases[6].addr = good;
	cases[7].addr = good;
	chip_args_init(&args);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(ct_register(dev, 0, CT_NULL, rt), 0);
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			memset(&o, 0, sizeof(o));
			o.sz = sizeof(o);
			o.timeout_ns = cases[i].timeout;
			st[0].dev_addr = cases[i].two ? good : cases[i].addr;
			st[0].host = host;
			st[0].size = cases[i].two ? 64 : cases[i].size;
			st[1].dev_addr = cases[i].addr;
			st[1].host = cases[i].null_host ? NULL : host + 64;
			st[1].size = cases[i].size;
			if (!cases[i].two)
				st[0] = st[1];
			o.stores = st;
			o.nstores = cases[i].two ? 2 : 1;
			memset(host, 0xa5, sizeof(host));
			CHECK_EQ(chip_run(dev, 0, &args, &o, &res), cases[i].rc);
			if (cases[i].rc) {
				CHECK_EQ(chip_submit(dev, 0, &args, &o, &seq),
					 cases[i].rc);
				memset(&b, 0, sizeof(b));
				b.cid = 0;
				b.args = &args;
				b.opts = &o;
				CHECK_EQ(chip_submit_batch(dev, &b, 1), 0);
				CHECK_EQ(b.ret, cases[i].rc);
				/* Nothing was copied. */
				CHECK_EQ(((unsigned char *)host)[0], 0xa5);
			} else {
				CHECK_EQ(res.status, CHIP_STATUS_OK);
			}
		}
		/* An unregistered cid, then options beyond the platform. */
		CHECK_EQ(chip_run(dev, 5, &args, NULL, &res), -ENOENT);
		memset(&o, 0, sizeof(o));
		o.sz = sizeof(o);
		o.block_dim = 1000;
		CHECK_EQ(chip_run(dev, 0, &args, &o, &res), -EINVAL);
		CHECK_EQ(chip_unregister(dev, 0), 0);
	}
	chip_close(dev);
	return 0;
}

/*
 * A run whose store range is no longer mapped when it completes fails
 * with FAULT and copies none of its stores, not even the ranges before
 * the missing one.  The range is freed while the run waits behind a
 * spinning one; whichever comes first, the outcome is all or nothing.
 */
static int test_fault_copies_no_store(void)
{
	struct chip_run_opts so = { .sz = sizeof(so), .timeout_ns = 50000000,
				    .block_dim = 1 };
	static float outv[2][VN];
	struct chip_run_opts vo = { .sz = sizeof(vo) };
	struct chip_run_result res[4];
	struct chip_args sargs, vargs;
	struct chip_store st[2];
	struct chip_dev *dev;
	uint64_t spin, vec, bufs[3], victim;
	int n, i, it;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, 0, CT_SPIN,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	CHECK_EQ(ct_register(dev, 1, CT_VECTOR,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	CHECK_EQ(vec_args(dev, 2.0f, &vargs, bufs), 0);
	chip_args_init(&sargs);
	for (it = 0; it < 8; it++) {
		CHECK_EQ(fbuf(dev, VN, 1.0f, &victim), 0);
		st[0].dev_addr = bufs[2];
		st[0].host = outv[0];
		st[0].size = sizeof(outv[0]);
		st[1].dev_addr = victim;
		st[1].host = outv[1];
		st[1].size = sizeof(outv[1]);
		vo.stores = st;
		vo.nstores = 2;
		memset(outv, 0, sizeof(outv));
		CHECK_EQ(chip_submit(dev, 0, &sargs, &so, &spin), 0);
		CHECK_EQ(chip_submit(dev, 1, &vargs, &vo, &vec), 0);
		CHECK_EQ(chip_free(dev, victim), 0);
		for (n = 0; n < 2; n += i) {
			i = chip_reap(dev, res + n, 4 - n, 2 - n, 0);
			CHECK(i > 0);
		}
		CHECK_U64(res[1].seq, vec);
		if (res[1].status == CHIP_STATUS_OK) {
			CHECK_EQ(ct_mismatches(outv[0], VN, 47.0f), 0);
			CHECK_EQ(ct_mismatches(outv[1], VN, 1.0f), 0);
		} else {
			CHECK_EQ(res[1].status, CHIP_STATUS_FAULT);
			CHECK_U64(res[1].fault_addr, victim);
			CHECK_EQ(ct_mismatches(outv[0], VN, 0.0f), 0);
			CHECK_EQ(ct_mismatches(outv[1], VN, 0.0f), 0);
		}
	}
	chip_close(dev);
	return 0;
}

/* Up to 4096 runs may wait for their completion; the next is -EBUSY. */
static int test_run_limit(void)
{
	struct chip_run_opts so = { .sz = sizeof(so), .timeout_ns = 2000000000,
				    .block_dim = 1 };
	struct chip_args args;
	struct chip_dev *dev;
	uint64_t seq;
	int i;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, 0, CT_SPIN,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	CHECK_EQ(ct_register(dev, 1, CT_NULL,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	chip_args_init(&args);
	CHECK_EQ(chip_submit(dev, 0, &args, &so, &seq), 0);
	for (i = 1; i < 4096; i++)
		CHECK_EQ(chip_submit(dev, 1, &args, NULL, &seq), 0);
	CHECK_EQ(chip_submit(dev, 1, &args, NULL, &seq), -EBUSY);
	chip_close(dev);	/* cancels them all */
	return 0;
}

/* ---- handles and devices ------------------------------------------------- */

/*
 * A closed handle stays closed, even when the next device lands where the
 * closed one was: calls on it fail with -EBADF and never reach the new
 * device.
 */
static int test_stale_handle(void)
{
	struct chip_counters c;
	struct chip_info info;
	struct chip_dev *old, *dev;
	uint64_t a;
	int i;

	for (i = 0; i < 16; i++) {
		CHECK_EQ(ct_open(&old, NULL), 0);
		chip_close(old);
		CHECK_EQ(ct_open(&dev, NULL), 0);
		CHECK_EQ(chip_info(old, &info), -EBADF);
		CHECK_EQ(chip_malloc(old, 4096, &a), -EBADF);
		CHECK_EQ(chip_counters(old, &c), -EBADF);
		chip_close(old);	/* harmless, and not the new one */
		CHECK_EQ(chip_info(dev, &info), 0);
		chip_close(dev);
	}
	return 0;
}

/* The smallest legal ring and an unbounded device memory size. */
static int test_open_limits(void)
{
	struct chip_open_opts oo = { .sz = sizeof(oo), .ring_window = 4 };
	struct chip_run_result res;
	struct chip_args args;
	struct chip_dev *dev;
	uint64_t a;
	uint32_t rt;

	CHECK_EQ(ct_open(&dev, &oo), 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(ct_register(dev, 0, CT_MANY, rt), 0);
		chip_args_init(&args);
		CHECK_EQ(chip_args_add_scalar(&args, 100), 0);
		CHECK_EQ(chip_run(dev, 0, &args, NULL, &res), 0);
		CHECK_EQ(res.status, CHIP_STATUS_OK);
		CHECK_EQ(res.tasks, 100);
		CHECK_EQ(chip_unregister(dev, 0), 0);
	}
	chip_close(dev);

	oo.ring_window = 0;
	oo.gm_size = UINT64_MAX;
	CHECK_EQ(ct_open(&dev, &oo), 0);
	CHECK_EQ(chip_malloc(dev, UINT64_MAX, &a), -ENOSPC);
	CHECK_EQ(chip_malloc(dev, UINT64_MAX - 4095, &a), -ENOSPC);
	CHECK_EQ(chip_malloc(dev, 1ull << 62, &a), -ENOSPC);
	CHECK_EQ(chip_malloc(dev, 4096, &a), 0);
	CHECK_EQ(chip_free(dev, a), 0);
	chip_close(dev);
	return 0;
}

/* ---- images ---------------------------------------------------------------- */

/* An image at any alignment registers like an aligned one. */
static int test_misaligned_image(void)
{
	struct chip_counters c0, c;
	struct chip_dev *dev;
	unsigned char *buf;
	uint32_t rt;
	size_t len;
	void *img;
	int off;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(ct_build(CT_VECTOR, rt, &img, &len), 0);
		buf = malloc(len + 8);
		CHECK(buf != NULL);
		for (off = 1; off < 8; off += 3) {
			memcpy(buf + off, img, len);
			CHECK_EQ(chip_counters(dev, &c0), 0);
			CHECK_EQ(chip_register(dev, off, buf + off, len, NULL),
				 0);
			CHECK_EQ(chip_counters(dev, &c), 0);
			CHECK_EQ(c.dedup_hits + c.dedup_misses -
				 c0.dedup_hits - c0.dedup_misses, 1);
		}
		for (off = 1; off < 8; off += 3)
			CHECK_EQ(chip_unregister(dev, off), 0);
		free(buf);
		free(img);
	}
	chip_close(dev);
	return 0;
}

/*
 * A host_build_graph image whose shared object is cut short, or is not
 * an ELF object at all, is refused with -ENOEXEC before the loader sees
 * it, at every length.
 */
static int test_truncated_host_object(void)
{
	static const uint8_t sig3[3] = { CHIP_DIR_IN, CHIP_DIR_IN,
					 CHIP_DIR_OUT };
	const struct chip_callable_hdr *h;
	struct chip_builder *b;
	struct chip_layout l;
	struct chip_dev *dev;
	void *img, *bad;
	size_t len, blen, cut;
	unsigned char *so;
	int rc;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_build(CT_NULL, CHIP_RUNTIME_HOST_BUILD_GRAPH, &img, &len),
		 0);
	CHECK_EQ(chip_callable_layout(img, len, &l), 0);
	h = img;
	CHECK(h->child_count >= 1);
	so = malloc(l.orch_size);
	CHECK(so != NULL);
	memcpy(so, (const uint8_t *)img + l.hdr_size, l.orch_size);
	for (cut = 1; cut <= l.orch_size; cut = cut < 4096 ? cut * 2 :
							cut + l.orch_size / 7) {
		size_t n = cut < l.orch_size ? l.orch_size - cut : 1;
		const struct chip_child_hdr *ch = (const void *)
			((const uint8_t *)img + h->child_offsets[0]);

		CHECK_EQ(chip_builder_new(ct_platform_id(),
					  CHIP_RUNTIME_HOST_BUILD_GRAPH, &b), 0);
		if (cut == l.orch_size) {
			so[0] ^= 0xff;	/* not ELF */
			n = l.orch_size;
		}
		CHECK_EQ(chip_builder_set_orch(b, so, n, h->func_name, NULL,
					       sig3, 3), 0);
		CHECK_EQ(chip_builder_add_child(b, h->child_func_ids[0],
						ch->core_type, ch->signature,
						ch->sig_count, ch + 1,
						ch->binary_size), 0);
		CHECK_EQ(chip_builder_build(b, &bad, &blen), 0);
		chip_builder_free(b);
		rc = chip_register(dev, 0, bad, blen, NULL);
		free(bad);
		CHECK_EQ(rc, -ENOEXEC);
		if (cut == l.orch_size)
			break;
	}
	/* The whole object still loads. */
	CHECK_EQ(chip_register(dev, 0, img, len, NULL), 0);
	free(so);
	free(img);
	chip_close(dev);
	return 0;
}

/* ---- calls from inside a host orchestration ------------------------------- */

static struct chip_dev *orch_dev;
static int orch_unreg_rc, orch_reg_rc;
static void *orch_img;
static size_t orch_len;

static int unregistering_orch(const struct chip_graph_ops *ops,
			      struct chip_graph *g,
			      const struct chip_args *args)
{
	orch_unreg_rc = chip_unregister(orch_dev, 0);
	orch_reg_rc = chip_register(orch_dev, 1, orch_img, orch_len, NULL);
	chip_close(orch_dev);	/* ignored: it would wait for this call */
	return 7;
}

/*
 * chip_register(), chip_unregister() and chip_close() of the device
 * whose orchestration is running refuse (-EDEADLK; close returns)
 * instead of waiting for the call they are part of.
 */
static int test_calls_from_host_orchestration(void)
{
	struct chip_register_opts ro = { .sz = sizeof(ro),
					 .host_orch = unregistering_orch };
	struct chip_run_result res;
	struct chip_args args;
	void *img;
	size_t len;

	alarm(HANG_GUARD_S);
	CHECK_EQ(ct_open(&orch_dev, NULL), 0);
	CHECK_EQ(ct_build(CT_NULL, CHIP_RUNTIME_HOST_BUILD_GRAPH, &img, &len),
		 0);
	CHECK_EQ(ct_build(CT_NULL, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER,
			  &orch_img, &orch_len), 0);
	CHECK_EQ(chip_register(orch_dev, 0, img, len, &ro), 0);
	chip_args_init(&args);
	CHECK_EQ(chip_run(orch_dev, 0, &args, NULL, &res), 0);
	CHECK_EQ(res.status, CHIP_STATUS_ORCH_ERROR);
	CHECK_EQ(res.code, 7);
	CHECK_EQ(orch_unreg_rc, -EDEADLK);
	CHECK_EQ(orch_reg_rc, -EDEADLK);
	/* The device is still open and the cid still registered. */
	CHECK_EQ(chip_unregister(orch_dev, 0), 0);
	CHECK_EQ(chip_register(orch_dev, 1, orch_img, orch_len, NULL), 0);
	chip_close(orch_dev);
	free(img);
	free(orch_img);
	alarm(0);
	return 0;
}

int main(int argc, char **argv)
{
	ct_init(argc, argv);
	T_RUN(test_threads_run_and_wait);
	T_RUN(test_threads_sync_and_reap);
	T_RUN(test_reap_never_takes_sync_run);
	T_RUN(test_queued_run_keeps_its_callable);
	T_RUN(test_request_errnos);
	T_RUN(test_fault_copies_no_store);
	T_RUN(test_run_limit);
	T_RUN(test_stale_handle);
	T_RUN(test_open_limits);
	T_RUN(test_misaligned_image);
	T_RUN(test_truncated_host_object);
	T_RUN(test_calls_from_host_orchestration);
	return T_DONE();
}
