// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Conformance: runs and their outcomes on both runtimes: the reference
 * workloads against CPU references, orchestration errors, the watchdog,
 * memory faults, asynchronous submission, store-to-host, run options.
 */
#include <errno.h>
#include "helpers.h"
#include "chiptest.h"

#define N 16384

static float out[N];

/* The vector example computes 47.0 everywhere for a = 2, b = 3. */
static int test_vector_example(void)
{
	struct chip_run_result res;
	struct chip_dev *dev;
	uint32_t rt;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(ct_register(dev, 7, CT_VECTOR, rt), 0);
		CHECK_EQ(ct_vector(dev, 7, 2.0f, 3.0f, N, out, &res), 0);
		CHECK_EQ(res.status, CHIP_STATUS_OK);
		CHECK_EQ(res.tasks, 5);
		CHECK(res.insns > 0);
		CHECK_EQ(ct_mismatches(out, N, 47.0f), 0);
		CHECK_EQ(chip_unregister(dev, 7), 0);
	}
	chip_close(dev);
	return 0;
}

/* One resident callable, three inputs: 47, 47, 7. */
static int test_cache_reuse_across_inputs(void)
{
	static const float in[3][3] = {
		{ 2.0f, 3.0f, 47.0f }, { 1.0f, 4.0f, 47.0f },
		{ 0.5f, 0.5f, 7.0f },
	};
	struct chip_run_result res;
	struct chip_dev *dev;
	uint32_t rt;
	int i;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(ct_register(dev, 0, CT_VECTOR, rt), 0);
		for (i = 0; i < 3; i++) {
			CHECK_EQ(ct_vector(dev, 0, in[i][0], in[i][1], N, out,
					   &res), 0);
			CHECK_EQ(res.status, CHIP_STATUS_OK);
			CHECK_EQ(ct_vector_ref(in[i][0], in[i][1]), in[i][2]);
			CHECK_EQ(ct_mismatches(out, N, in[i][2]), 0);
		}
		CHECK_EQ(chip_unregister(dev, 0), 0);
	}
	chip_close(dev);
	return 0;
}

/* Tiled matrix multiply against a CPU reference. */
static int test_matmul(void)
{
	struct chip_run_result res;
	struct chip_dev *dev;
	double err;
	uint32_t rt;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(ct_register(dev, 1, CT_MATMUL, rt), 0);
		CHECK_EQ(ct_matmul_check(dev, 1, 64, 96, 32, &res, &err), 0);
		CHECK_EQ(res.status, CHIP_STATUS_OK);
		CHECK_EQ(ct_matmul_check(dev, 1, 128, 128, 128, &res, &err), 0);
		CHECK_EQ(res.status, CHIP_STATUS_OK);
		CHECK_EQ(chip_unregister(dev, 1), 0);
	}
	chip_close(dev);
	return 0;
}

/* Row softmax against a CPU reference; every row sums to 1. */
static int test_softmax(void)
{
	struct chip_run_result res;
	struct chip_dev *dev;
	double err;
	uint32_t rt;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(ct_register(dev, 2, CT_SOFTMAX, rt), 0);
		CHECK_EQ(ct_softmax_check(dev, 2, 37, 1000, &res, &err), 0);
		CHECK_EQ(res.status, CHIP_STATUS_OK);
		CHECK_EQ(res.tasks, 3);
		CHECK_EQ(chip_unregister(dev, 2), 0);
	}
	chip_close(dev);
	return 0;
}

/* Explicit fatal: status and code, and outputs are not copied back. */
static int test_explicit_fatal(void)
{
	struct chip_run_opts o = { .sz = sizeof(o) };
	struct chip_run_result res;
	struct chip_store st;
	struct chip_args args;
	struct chip_dev *dev;
	uint64_t f;
	uint32_t rt;
	int i;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(chip_malloc(dev, 4096, &f), 0);
	for (i = 0; i < 1024; i++)
		out[i] = 1.0f;
	CHECK_EQ(chip_copy_to(dev, f, out, 4096), 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(ct_register(dev, 3, CT_FATAL, rt), 0);
		chip_args_init(&args);
		CHECK_EQ(ct_add_f32(&args, f, 1024), 0);
		for (i = 0; i < 1024; i++)
			out[i] = -5.0f;
		st.dev_addr = f;
		st.host = out;
		st.size = 4096;
		o.stores = &st;
		o.nstores = 1;
		o.block_dim = 24;
		o.aicpu_threads = 4;
		CHECK_EQ(chip_run(dev, 3, &args, &o, &res), 0);
		CHECK_EQ(res.status, CHIP_STATUS_ORCH_ERROR);
		CHECK_EQ(res.code, CHIP_ORCH_FATAL);
		CHECK_EQ(ct_mismatches(out, 1024, -5.0f), 0);
		CHECK_EQ(chip_unregister(dev, 3), 0);
	}
	CHECK_EQ(chip_free(dev, f), 0);
	chip_close(dev);
	return 0;
}

/* A spinning kernel ends in TIMEOUT well under 10 s; the device recovers. */
static int test_timeout_then_recover(void)
{
	struct chip_run_opts o = { .sz = sizeof(o) };
	struct chip_run_result res;
	struct chip_args args;
	struct chip_dev *dev;
	uint64_t t0, dt;
	uint32_t rt;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(ct_register(dev, 4, CT_SPIN, rt), 0);
		CHECK_EQ(ct_register(dev, 5, CT_VECTOR, rt), 0);
		chip_args_init(&args);
		o.block_dim = 1;
		o.aicpu_threads = 2;
		o.timeout_ns = 500000000ull;
		t0 = chip_now_ns();
		CHECK_EQ(chip_run(dev, 4, &args, &o, &res), 0);
		dt = chip_now_ns() - t0;
		CHECK_EQ(res.status, CHIP_STATUS_TIMEOUT);
		CHECK(dt < 10000000000ull);
		CHECK(dt >= 500000000ull);
		CHECK_EQ(ct_vector(dev, 5, 2.0f, 3.0f, N, out, &res), 0);
		CHECK_EQ(res.status, CHIP_STATUS_OK);
		CHECK_EQ(ct_mismatches(out, N, 47.0f), 0);
		/* The instruction budget also ends it, as a timeout. */
		o.timeout_ns = 0;
		o.insn_budget = 100000;
		CHECK_EQ(chip_run(dev, 4, &args, &o, &res), 0);
		CHECK_EQ(res.status, CHIP_STATUS_TIMEOUT);
		CHECK_EQ(chip_unregister(dev, 4), 0);
		CHECK_EQ(chip_unregister(dev, 5), 0);
		o.insn_budget = 0;
	}
	chip_close(dev);
	return 0;
}

/* An out-of-bounds store faults at its address and touches nothing. */
static int test_fault_touches_nothing(void)
{
	static float before[2][1024], after[2][1024];
	struct chip_run_result res;
	struct chip_args args;
	struct chip_dev *dev;
	uint64_t lo, gone, hi;
	uint32_t rt;
	int i, j;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(chip_malloc(dev, 4096, &lo), 0);
	CHECK_EQ(chip_malloc(dev, 4096, &gone), 0);
	CHECK_EQ(chip_malloc(dev, 4096, &hi), 0);
	CHECK_EQ(chip_free(dev, gone), 0);	/* now unmapped */
	for (i = 0; i < 2; i++) {
		for (j = 0; j < 1024; j++)
			before[i][j] = (float)(i * 1024 + j);
		CHECK_EQ(chip_copy_to(dev, i ? hi : lo, before[i], 4096), 0);
	}
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(ct_register(dev, 6, CT_OOB, rt), 0);
		chip_args_init(&args);
		CHECK_EQ(chip_args_add_scalar(&args, gone), 0);
		CHECK_EQ(chip_run(dev, 6, &args, NULL, &res), 0);
		CHECK_EQ(res.status, CHIP_STATUS_FAULT);
		CHECK_EQ(res.code, CHIP_FAULT_WRITE);
		CHECK_U64(res.fault_addr, gone);
		for (i = 0; i < 2; i++) {
			CHECK_EQ(chip_copy_from(dev, after[i], i ? hi : lo,
						4096), 0);
			CHECK(memcmp(before[i], after[i], 4096) == 0);
		}
		/* A store into the unmapped page below everything. */
		chip_args_init(&args);
		CHECK_EQ(chip_args_add_scalar(&args, 0x40), 0);
		CHECK_EQ(chip_run(dev, 6, &args, NULL, &res), 0);
		CHECK_EQ(res.status, CHIP_STATUS_FAULT);
		CHECK_U64(res.fault_addr, 0x40);
		CHECK_EQ(chip_unregister(dev, 6), 0);
	}
	chip_close(dev);
	return 0;
}

/*
 * Reap @want completions: each OK, each the seq of one entry of @seqs
 * (@n entries, 0: no run) and none twice; then nothing is left.
 */
static int reap_each_once(struct chip_dev *dev, const uint64_t *seqs, int n,
			  int want)
{
	static struct chip_run_result res[256];
	static char seen[256];
	int i, k, got, m;

	CHECK(n <= 256);
	memset(seen, 0, sizeof(seen));
	for (got = 0; got < want; got += m) {
		m = chip_reap(dev, res, 256, 1, chip_now_ns() + 5000000000ull);
		CHECK(m > 0);
		for (k = 0; k < m; k++) {
			CHECK_EQ(res[k].status, CHIP_STATUS_OK);
			for (i = 0; i < n && (!seqs[i] || seqs[i] != res[k].seq);
			     i++)
				;
			CHECK(i < n);
			CHECK_EQ(seen[i], 0);
			seen[i] = 1;
		}
	}
	CHECK_EQ(got, want);
	CHECK_EQ(chip_reap(dev, res, 256, 0, 0), 0);
	return 0;
}

/* Many runs submitted at once: every completion once, all correct. */
static int test_async_batches(void)
{
	enum { RUNS = 96 };
	static uint64_t seqs[RUNS];
	struct chip_counters c0, c;
	struct chip_args args;
	struct chip_dev *dev;
	uint32_t rt;
	int i;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(ct_register(dev, 0, CT_NULL, rt), 0);
		CHECK_EQ(chip_counters(dev, &c0), 0);
		chip_args_init(&args);
		for (i = 0; i < RUNS; i++)
			CHECK_EQ(chip_submit(dev, 0, &args, NULL, &seqs[i]), 0);
		CHECK_EQ(reap_each_once(dev, seqs, RUNS, RUNS), 0);
		CHECK_EQ(chip_wait(dev, seqs[0], 0, NULL), -ENOENT);
		CHECK_EQ(chip_counters(dev, &c), 0);
		CHECK_EQ(c.runs[CHIP_STATUS_OK] - c0.runs[CHIP_STATUS_OK], RUNS);
		CHECK_EQ(chip_unregister(dev, 0), 0);
	}
	chip_close(dev);
	return 0;
}

/*
 * chip_submit_batch(): every entry is queued or refused on its own, in
 * array order, with chip_submit()'s errors; the queued ones complete
 * once each with the right results, store-to-host copies included.
 */
static int test_submit_batch(void)
{
	enum { RUNS = 40, NV = 4, VN = 2048 };
	static struct chip_batch_run b[RUNS];
	static uint64_t seqs[RUNS];
	static float in[VN], outv[NV][VN];
	struct chip_args nargs, vargs[NV];
	struct chip_run_opts vo[NV];
	struct chip_store st[NV];
	struct chip_counters c0, c;
	uint64_t da[NV], db[NV], df[NV], last;
	struct chip_dev *dev;
	int i, j, want, bad;
	uint32_t rt;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(chip_submit_batch(dev, NULL, 1), -EINVAL);
	CHECK_EQ(chip_submit_batch(dev, b, 0), -EINVAL);
	CHECK_EQ(chip_submit_batch(dev, b, CHIP_BATCH_MAX + 1), -EINVAL);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(ct_register(dev, 0, CT_NULL, rt), 0);
		CHECK_EQ(ct_register(dev, 1, CT_VECTOR, rt), 0);
		CHECK_EQ(chip_counters(dev, &c0), 0);
		chip_args_init(&nargs);
		for (j = 0; j < NV; j++) {
			CHECK_EQ(chip_malloc(dev, VN * 4, &da[j]), 0);
			CHECK_EQ(chip_malloc(dev, VN * 4, &db[j]), 0);
			CHECK_EQ(chip_malloc(dev, VN * 4, &df[j]), 0);
			for (i = 0; i < VN; i++)
				in[i] = (float)(j + 1);
			CHECK_EQ(chip_copy_to(dev, da[j], in, sizeof(in)), 0);
			for (i = 0; i < VN; i++)
				in[i] = 3.0f;
			CHECK_EQ(chip_copy_to(dev, db[j], in, sizeof(in)), 0);
			chip_args_init(&vargs[j]);
			CHECK_EQ(ct_add_f32(&vargs[j], da[j], VN), 0);
			CHECK_EQ(ct_add_f32(&vargs[j], db[j], VN), 0);
			CHECK_EQ(ct_add_f32(&vargs[j], df[j], VN), 0);
			memset(outv[j], 0, sizeof(outv[j]));
			st[j].dev_addr = df[j];
			st[j].host = outv[j];
			st[j].size = sizeof(outv[j]);
			memset(&vo[j], 0, sizeof(vo[j]));
			vo[j].sz = sizeof(vo[j]);
			vo[j].stores = &st[j];
			vo[j].nstores = 1;
		}
		/* Null runs, four vector runs, and refusals in between. */
		memset(b, 0, sizeof(b));
		for (i = 0, want = 0; i < RUNS; i++) {
			b[i].args = &nargs;
			b[i].seq = ~0ull;
			b[i].ret = 12345;
			if (i >= 24 && i < 24 + NV) {
				b[i].cid = 1;
				b[i].args = &vargs[i - 24];
				b[i].opts = &vo[i - 24];
			}
			bad = i % 10 == 3 || i == 7 || i == 11;
			if (i % 10 == 3)
				b[i].cid = 5;		/* not registered */
			if (i == 7)
				b[i].cid = -1;
			if (i == 11)
				b[i].args = NULL;
			want += !bad;
		}
		CHECK_EQ(chip_submit_batch(dev, b, RUNS), want);
		last = 0;
		for (i = 0; i < RUNS; i++) {
			if (i % 10 == 3) {
				CHECK_EQ(b[i].ret, -ENOENT);
			} else if (i == 7 || i == 11) {
				CHECK_EQ(b[i].ret, -EINVAL);
			} else {
				CHECK_EQ(b[i].ret, 0);
				/* Queued in array order. */
				CHECK(b[i].seq > last);
				last = b[i].seq;
				continue;
			}
			CHECK_U64(b[i].seq, 0);
		}
		for (i = 0; i < RUNS; i++)
			seqs[i] = b[i].seq;
		CHECK_EQ(reap_each_once(dev, seqs, RUNS, want), 0);
		for (j = 0; j < NV; j++) {
			CHECK_EQ(ct_mismatches(outv[j], VN,
					       ct_vector_ref((float)(j + 1),
							     3.0f)), 0);
			CHECK_EQ(chip_free(dev, df[j]), 0);
			CHECK_EQ(chip_free(dev, db[j]), 0);
			CHECK_EQ(chip_free(dev, da[j]), 0);
		}
		CHECK_EQ(chip_counters(dev, &c), 0);
		CHECK_EQ(c.runs[CHIP_STATUS_OK] - c0.runs[CHIP_STATUS_OK], want);
		CHECK_EQ(chip_unregister(dev, 0), 0);
		CHECK_EQ(chip_unregister(dev, 1), 0);
	}
	chip_close(dev);
	/* A closed handle is refused. */
	CHECK_EQ(chip_submit_batch(dev, b, 1), -EBADF);
	return 0;
}

/*
 * A wait whose deadline passes while the run is still queued behind a
 * long one returns -ETIMEDOUT and leaves the run to be waited for again;
 * closing the device then aborts the long run promptly.
 */
static int test_wait_semantics(void)
{
	struct chip_run_opts o = { .sz = sizeof(o) };
	struct chip_run_result res;
	struct chip_args args;
	struct chip_dev *dev;
	uint64_t spin, vec, t0;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, 0, CT_SPIN,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	CHECK_EQ(ct_register(dev, 1, CT_NULL,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	chip_args_init(&args);
	o.timeout_ns = 5000000000ull;
	CHECK_EQ(chip_submit(dev, 0, &args, &o, &spin), 0);
	CHECK_EQ(chip_submit(dev, 1, &args, NULL, &vec), 0);
	/* The spinning run holds the device: a deadline 10 ms ahead expires. */
	CHECK_EQ(chip_wait(dev, vec, chip_now_ns() + 10000000ull, &res),
		 -ETIMEDOUT);
	CHECK_EQ(chip_wait(dev, vec, chip_now_ns() + 10000000ull, &res),
		 -ETIMEDOUT);
	CHECK_EQ(chip_wait(dev, 12345678, 0, &res), -ENOENT);
	t0 = chip_now_ns();
	chip_close(dev);
	CHECK(chip_now_ns() - t0 < 4000000000ull);
	return 0;
}

/* Run options are validated against the platform. */
static int test_run_options(void)
{
	struct chip_run_opts o = { .sz = sizeof(o) };
	struct chip_run_result res;
	struct chip_info info;
	struct chip_args args;
	struct chip_dev *dev;
	uint32_t rt;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(chip_info(dev, &info), 0);
	CHECK_EQ(info.max_blocks,
		 ct_platform_id() == CHIP_PLATFORM_A5 ? 36 : 24);
	CHECK_EQ(info.max_aicpu_threads,
		 ct_platform_id() == CHIP_PLATFORM_A5 ? 7 : 4);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(ct_register(dev, 0, CT_NULL, rt), 0);
		chip_args_init(&args);
		o.block_dim = info.max_blocks;
		o.aicpu_threads = info.max_aicpu_threads;
		CHECK_EQ(chip_run(dev, 0, &args, &o, &res), 0);
		CHECK_EQ(res.status, CHIP_STATUS_OK);
		o.block_dim = info.max_blocks + 1;
		CHECK_EQ(chip_run(dev, 0, &args, &o, &res), -EINVAL);
		o.block_dim = 1;
		o.aicpu_threads = info.max_aicpu_threads + 1;
		CHECK_EQ(chip_run(dev, 0, &args, &o, &res), -EINVAL);
		o.aicpu_threads = 1;
		o.nstores = CHIP_MAX_STORES + 1;
		CHECK_EQ(chip_run(dev, 0, &args, &o, &res), -EINVAL);
		o.nstores = 0;
		/* Unknown trailing option bytes must be zero. */
		{
			struct {
				struct chip_run_opts o;
				uint64_t future;
			} big = { .o = o, .future = 1 };

			big.o.sz = sizeof(big);
			CHECK_EQ(chip_run(dev, 0, &args, &big.o, &res), -EINVAL);
			big.future = 0;
			CHECK_EQ(chip_run(dev, 0, &args, &big.o, &res), 0);
		}
		CHECK_EQ(chip_unregister(dev, 0), 0);
	}
	chip_close(dev);
	return 0;
}

/* The task ring applies back-pressure; nothing is lost. */
static int test_many_tasks(void)
{
	struct chip_open_opts oo = { .sz = sizeof(oo), .ring_window = 8 };
	struct chip_run_result res;
	struct chip_args args;
	struct chip_dev *dev;
	uint32_t rt;

	if (!ct_is_sim())
		oo.ring_window = 0;	/* the driver's window is fixed */
	CHECK_EQ(ct_open(&dev, &oo), 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(ct_register(dev, 0, CT_MANY, rt), 0);
		chip_args_init(&args);
		CHECK_EQ(chip_args_add_scalar(&args, 500), 0);
		CHECK_EQ(chip_run(dev, 0, &args, NULL, &res), 0);
		CHECK_EQ(res.status, CHIP_STATUS_OK);
		CHECK_EQ(res.tasks, 500);
		CHECK_EQ(chip_unregister(dev, 0), 0);
	}
	chip_close(dev);
	return 0;
}

/* Closing with runs queued cancels them and frees everything. */
/*
 * Register, on @cid, a tensormap_and_ringbuffer callable whose
 * orchestration submits one AIC task running @kernel.
 */
static int register_aic_kernel(struct chip_dev *dev, int32_t cid,
			       const char *kernel)
{
	static const uint8_t sig[1] = { CHIP_DIR_IN };
	struct chip_builder *b;
	void *orch = NULL, *code = NULL, *img = NULL;
	size_t osize, csize, len;
	int rc;

	rc = chip_builder_new(ct_platform_id(),
			      CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER, &b);
	if (rc)
		return rc;
	rc = chip_asm("task 0, aic\nsubmit r15\nhalt\n", &orch, &osize,
		      NULL, 0);
	if (!rc)
		rc = chip_asm(kernel, &code, &csize, NULL, 0);
	if (!rc)
		rc = chip_builder_set_orch(b, orch, osize, "orch", NULL, sig, 0);
	if (!rc)
		rc = chip_builder_add_child(b, 0, CHIP_CORE_AIC, sig, 0, code,
					    csize);
	if (!rc)
		rc = chip_builder_build(b, &img, &len);
	if (!rc)
		rc = chip_register(dev, cid, img, len, NULL);
	free(img);
	free(code);
	free(orch);
	chip_builder_free(b);
	return rc;
}

/*
 * A matrix multiply with a zero dimension is a SHAPE fault (isa.rst), not
 * a loop over the other dimensions that does nothing and counts nothing.
 */
static int test_degenerate_matrix_faults(void)
{
	static const char *const kernels[] = {
		"li r1, -1\nshape r1, r0, r0\ntmma r0, r0, r0\nhalt\n",
		"li r1, 4\nshape r0, r1, r1\ntmma r0, r0, r0\nhalt\n",
		"li r1, 4\nshape r1, r1, r0\ntmma r0, r0, r0\nhalt\n",
	};
	struct chip_run_opts o = { .sz = sizeof(o), .block_dim = 1,
				   .aicpu_threads = 1,
				   .timeout_ns = 30000000000ull };
	struct chip_run_result res;
	struct chip_args args;
	struct chip_dev *dev;
	size_t i;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	chip_args_init(&args);
	for (i = 0; i < sizeof(kernels) / sizeof(kernels[0]); i++) {
		CHECK_EQ(register_aic_kernel(dev, 9, kernels[i]), 0);
		CHECK_EQ(chip_run(dev, 9, &args, &o, &res), 0);
		CHECK_EQ(res.status, CHIP_STATUS_FAULT);
		CHECK_EQ(res.code, CHIP_FAULT_SHAPE);
		CHECK(strstr(res.msg, "degenerate"));
		CHECK_EQ(chip_unregister(dev, 9), 0);
	}
	chip_close(dev);
	return 0;
}

static int test_close_with_runs_queued(void)
{
	struct chip_run_opts o = { .sz = sizeof(o), .timeout_ns = 200000000 };
	struct chip_args args;
	struct chip_dev *dev;
	uint64_t seq;
	int i;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, 0, CT_SPIN,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	CHECK_EQ(ct_register(dev, 1, CT_VECTOR,
			     CHIP_RUNTIME_HOST_BUILD_GRAPH), 0);
	chip_args_init(&args);
	for (i = 0; i < 16; i++)
		CHECK_EQ(chip_submit(dev, i & 1 ? 1 : 0, &args, &o, &seq), 0);
	chip_close(dev);
	/* A closed handle is refused, not dereferenced. */
	CHECK_EQ(chip_run(dev, 0, &args, NULL, NULL), -EBADF);
	return 0;
}

int main(int argc, char **argv)
{
	ct_init(argc, argv);
	T_RUN(test_vector_example);
	T_RUN(test_cache_reuse_across_inputs);
	T_RUN(test_matmul);
	T_RUN(test_softmax);
	T_RUN(test_explicit_fatal);
	T_RUN(test_timeout_then_recover);
	T_RUN(test_fault_touches_nothing);
	T_RUN(test_async_batches);
	T_RUN(test_submit_batch);
	T_RUN(test_wait_semantics);
	T_RUN(test_run_options);
	T_RUN(test_many_tasks);
	T_RUN(test_close_with_runs_queued);
	T_RUN(test_degenerate_matrix_faults);
	return T_DONE();
}
