// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Conformance: load-from-host (struct chip_load) on both runtimes: runs
 * whose inputs arrive only by loads, loads with stores, loads in a batch,
 * the host bytes read at submission, and every refusal with the same
 * errno on every backend and nothing copied.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "chiptest.h"

#define N 4096
#define BYTES (N * 4)

static float a_host[N], b_host[N], out[N], probe[N];

static void set(float *p, float v)
{
	int i;

	for (i = 0; i < N; i++)
		p[i] = v;
}

/* Device buffers a, b, f of N floats, every element @init. */
static int alloc3(struct chip_dev *dev, uint64_t *d, float init)
{
	int i;

	set(probe, init);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(chip_malloc(dev, BYTES, &d[i]), 0);
		CHECK_EQ(chip_copy_to(dev, d[i], probe, BYTES), 0);
	}
	return 0;
}

static void vec_args(struct chip_args *args, const uint64_t *d)
{
	chip_args_init(args);
	ct_add_f32(args, d[0], N);
	ct_add_f32(args, d[1], N);
	ct_add_f32(args, d[2], N);
}

/* Is every float of device range @addr (N floats) @v? */
static int dev_all(struct chip_dev *dev, uint64_t addr, float v)
{
	CHECK_EQ(chip_copy_from(dev, probe, addr, BYTES), 0);
	CHECK_EQ(ct_mismatches(probe, N, v), 0);
	return 0;
}

/*
 * The vector example's inputs arrive only by loads (the buffers hold
 * -9.0 before): 47.0 for a = 2, b = 3, read back by chip_copy_from()
 * and, in a second run, by a store of the same run.
 */
static int test_inputs_only_by_loads(void)
{
	struct chip_run_opts o = { .sz = sizeof(o) };
	struct chip_run_result res;
	struct chip_load ld[2];
	struct chip_store st;
	struct chip_args args;
	struct chip_dev *dev;
	uint64_t d[3];
	uint32_t rt;
	int i;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(ct_register(dev, 4, CT_VECTOR, rt), 0);
		CHECK_EQ(alloc3(dev, d, -9.0f), 0);
		set(a_host, 2.0f);
		set(b_host, 3.0f);
		ld[0] = (struct chip_load){ d[0], a_host, BYTES };
		ld[1] = (struct chip_load){ d[1], b_host, BYTES };
		vec_args(&args, d);
		o.loads = ld;
		o.nloads = 2;
		o.stores = NULL;
		o.nstores = 0;
		CHECK_EQ(chip_run(dev, 4, &args, &o, &res), 0);
		CHECK_EQ(res.status, CHIP_STATUS_OK);
		CHECK_EQ(dev_all(dev, d[0], 2.0f), 0);
		CHECK_EQ(dev_all(dev, d[1], 3.0f), 0);
		CHECK_EQ(dev_all(dev, d[2], 47.0f), 0);

		/* Loads and a store in one run: new inputs, 7.0. */
		set(a_host, 0.5f);
		set(b_host, 0.5f);
		set(out, -1.0f);
		st = (struct chip_store){ d[2], out, BYTES };
		o.stores = &st;
		o.nstores = 1;
		CHECK_EQ(chip_run(dev, 4, &args, &o, &res), 0);
		CHECK_EQ(res.status, CHIP_STATUS_OK);
		CHECK_EQ(ct_vector_ref(0.5f, 0.5f), 7.0f);
		CHECK_EQ(ct_mismatches(out, N, 7.0f), 0);

		/* A load may overwrite part of a buffer: loads go in order. */
		ld[0] = (struct chip_load){ d[0], a_host, BYTES };
		ld[1] = (struct chip_load){ d[0], b_host, 8 };
		set(a_host, 2.0f);
		set(b_host, 1.0f);
		o.stores = NULL;
		o.nstores = 0;
		CHECK_EQ(chip_run(dev, 4, &args, &o, &res), 0);
		CHECK_EQ(res.status, CHIP_STATUS_OK);
		CHECK_EQ(chip_copy_from(dev, probe, d[0], BYTES), 0);
		CHECK_EQ(probe[0], 1.0f);
		CHECK_EQ(probe[1], 1.0f);
		CHECK_EQ(ct_mismatches(probe + 2, N - 2, 2.0f), 0);
		for (i = 0; i < 3; i++)
			CHECK_EQ(chip_free(dev, d[i]), 0);
		CHECK_EQ(chip_unregister(dev, 4), 0);
	}
	chip_close(dev);
	return 0;
}

/*
 * Every refusal: the same errno on every backend, and nothing of the
 * run's valid loads (listed first) reaches device memory.
 */
static int test_load_refusals(void)
{
	static struct chip_load many[CHIP_MAX_LOADS + 1];
	struct chip_run_opts o = { .sz = sizeof(o) };
	struct chip_run_result res;
	struct chip_load ld[2];
	struct chip_args args;
	struct chip_dev *dev;
	uint64_t d[3], gone, seq;
	uint32_t rt;
	int i;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, 4, CT_VECTOR,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	CHECK_EQ(alloc3(dev, d, -9.0f), 0);
	CHECK_EQ(chip_malloc(dev, BYTES, &gone), 0);
	CHECK_EQ(chip_free(dev, gone), 0);
	set(a_host, 2.0f);
	vec_args(&args, d);
	for (rt = 0; rt < 2; rt++) {	/* chip_run(), then chip_submit() */
#define REFUSED(err) do { \
		if (rt == 0) \
			CHECK_EQ(chip_run(dev, 4, &args, &o, &res), (err)); \
		else \
			CHECK_EQ(chip_submit(dev, 4, &args, &o, &seq), (err)); \
		CHECK_EQ(dev_all(dev, d[0], -9.0f), 0); \
		CHECK_EQ(dev_all(dev, d[1], -9.0f), 0); \
	} while (0)
		/* Too many. */
		for (i = 0; i <= CHIP_MAX_LOADS; i++)
			many[i] = (struct chip_load){ d[0], a_host, 4 };
		o.loads = many;
		o.nloads = CHIP_MAX_LOADS + 1;
		REFUSED(-E2BIG);
		/* A list without an array. */
		o.loads = NULL;
		o.nloads = 1;
		REFUSED(-EINVAL);

		o.loads = ld;
		o.nloads = 2;
		ld[0] = (struct chip_load){ d[0], a_host, BYTES };
		/* Zero size. */
		ld[1] = (struct chip_load){ d[1], a_host, 0 };
		REFUSED(-EINVAL);
		/* NULL host. */
		ld[1] = (struct chip_load){ d[1], NULL, BYTES };
		REFUSED(-EINVAL);
		/* Too big, alone (never read) and all together. */
		ld[1] = (struct chip_load){ d[1], a_host, (64ull << 20) + 1 };
		REFUSED(-E2BIG);
		ld[0] = (struct chip_load){ d[0], a_host, 40ull << 20 };
		ld[1] = (struct chip_load){ d[1], a_host, 40ull << 20 };
		REFUSED(-E2BIG);
		ld[0] = (struct chip_load){ d[0], a_host, BYTES };
		/* Not mapped: a freed buffer, a range past the end. */
		ld[1] = (struct chip_load){ gone, a_host, BYTES };
		REFUSED(-EFAULT);
		ld[1] = (struct chip_load){ d[1] + 4, a_host, BYTES };
		REFUSED(-EFAULT);
		/* Spanning two buffers is not one mapping either. */
		ld[1] = (struct chip_load){ d[1] + BYTES - 4, a_host, 8 };
		if (d[2] == d[1] + BYTES)
			REFUSED(-EFAULT);
#undef REFUSED
	}
	/* The device still works, and the loads were all that was wrong. */
	ld[1] = (struct chip_load){ d[1], a_host, BYTES };
	CHECK_EQ(chip_run(dev, 4, &args, &o, &res), 0);
	CHECK_EQ(res.status, CHIP_STATUS_OK);
	CHECK_EQ(dev_all(dev, d[2], ct_vector_ref(2.0f, 2.0f)), 0);
	for (i = 0; i < 3; i++)
		CHECK_EQ(chip_free(dev, d[i]), 0);
	chip_close(dev);
	return 0;
}

/*
 * The host bytes are read when the run is submitted: changing them after
 * chip_submit() returns does not change what the run loads.  Runs load
 * into the same buffers one after the other, each its own inputs.
 */
#define QRUNS 4
static int test_loads_read_at_submit(void)
{
	static float ha[QRUNS][N], hb[QRUNS][N], ho[QRUNS][N];
	static const float in[QRUNS][2] = {
		{ 2.0f, 3.0f }, { 0.5f, 0.5f }, { 1.0f, 4.0f }, { 3.0f, 1.0f },
	};
	struct chip_run_opts o[QRUNS];
	struct chip_run_result res;
	struct chip_load ld[QRUNS][2];
	struct chip_store st[QRUNS];
	struct chip_args args;
	struct chip_dev *dev;
	uint64_t d[3], seq[QRUNS];
	uint32_t rt;
	int i;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(ct_register(dev, 4, CT_VECTOR, rt), 0);
		CHECK_EQ(alloc3(dev, d, -9.0f), 0);
		vec_args(&args, d);
		for (i = 0; i < QRUNS; i++) {
			set(ha[i], in[i][0]);
			set(hb[i], in[i][1]);
			set(ho[i], -1.0f);
			ld[i][0] = (struct chip_load){ d[0], ha[i], BYTES };
			ld[i][1] = (struct chip_load){ d[1], hb[i], BYTES };
			st[i] = (struct chip_store){ d[2], ho[i], BYTES };
			o[i] = (struct chip_run_opts){
				.sz = sizeof(o[i]), .loads = ld[i], .nloads = 2,
				.stores = &st[i], .nstores = 1,
			};
			CHECK_EQ(chip_submit(dev, 4, &args, &o[i], &seq[i]), 0);
			set(ha[i], 100.0f);	/* after submission: not seen */
		}
		for (i = 0; i < QRUNS; i++) {
			CHECK_EQ(chip_wait(dev, seq[i], 0, &res), 0);
			CHECK_EQ(res.status, CHIP_STATUS_OK);
			CHECK_EQ(ct_mismatches(ho[i], N,
					       ct_vector_ref(in[i][0],
							     in[i][1])), 0);
		}
		for (i = 0; i < 3; i++)
			CHECK_EQ(chip_free(dev, d[i]), 0);
		CHECK_EQ(chip_unregister(dev, 4), 0);
	}
	chip_close(dev);
	return 0;
}

/*
 * chip_submit_batch() with loads: every run its own inputs and its own
 * buffers; a refused entry (an unmapped load) copies nothing and does not
 * stop the others.
 */
#define BRUNS 6
static int test_batch_with_loads(void)
{
	static float ha[BRUNS][N], hb[BRUNS][N], ho[BRUNS][N];
	struct chip_batch_run b[BRUNS];
	struct chip_run_opts o[BRUNS];
	struct chip_load ld[BRUNS][2];
	struct chip_store st[BRUNS];
	struct chip_args args[BRUNS];
	struct chip_run_result res;
	struct chip_dev *dev;
	uint64_t d[BRUNS][3];
	uint32_t rt;
	int i, j, bad = 3;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(ct_register(dev, 4, CT_VECTOR, rt), 0);
		for (i = 0; i < BRUNS; i++) {
			CHECK_EQ(alloc3(dev, d[i], -9.0f), 0);
			vec_args(&args[i], d[i]);
			set(ha[i], (float)i);
			set(hb[i], 1.0f + i);
			set(ho[i], -1.0f);
			ld[i][0] = (struct chip_load){ d[i][0], ha[i], BYTES };
			ld[i][1] = (struct chip_load){ d[i][1], hb[i], BYTES };
			if (i == bad)
				ld[i][1].dev_addr = d[i][1] + BYTES;
			st[i] = (struct chip_store){ d[i][2], ho[i], BYTES };
			o[i] = (struct chip_run_opts){
				.sz = sizeof(o[i]), .loads = ld[i], .nloads = 2,
				.stores = &st[i], .nstores = 1,
			};
			b[i] = (struct chip_batch_run){
				.cid = 4, .args = &args[i], .opts = &o[i],
			};
		}
		CHECK_EQ(chip_submit_batch(dev, b, BRUNS), BRUNS - 1);
		for (i = 0; i < BRUNS; i++) {
			if (i == bad) {
				CHECK_EQ(b[i].ret, -EFAULT);
				CHECK_EQ(b[i].seq, 0);
				continue;
			}
			CHECK_EQ(b[i].ret, 0);
			CHECK_EQ(chip_wait(dev, b[i].seq, 0, &res), 0);
			CHECK_EQ(res.status, CHIP_STATUS_OK);
			CHECK_EQ(ct_mismatches(ho[i], N,
					       ct_vector_ref((float)i,
							     1.0f + i)), 0);
		}
		CHECK_EQ(dev_all(dev, d[bad][0], -9.0f), 0);
		CHECK_EQ(dev_all(dev, d[bad][1], -9.0f), 0);
		CHECK_EQ(ct_mismatches(ho[bad], N, -1.0f), 0);
		for (i = 0; i < BRUNS; i++)
			for (j = 0; j < 3; j++)
				CHECK_EQ(chip_free(dev, d[i][j]), 0);
		CHECK_EQ(chip_unregister(dev, 4), 0);
	}
	chip_close(dev);
	return 0;
}

/* Old callers: a chip_run_opts without the load fields has no loads. */
static int test_short_opts(void)
{
	struct chip_run_opts o = { .sz = offsetof(struct chip_run_opts, loads) };
	struct chip_run_result res;
	struct chip_args args;
	struct chip_dev *dev;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, 0, CT_NULL,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	chip_args_init(&args);
	o.nloads = 5;	/* beyond @sz: not read */
	CHECK_EQ(chip_run(dev, 0, &args, &o, &res), 0);
	CHECK_EQ(res.status, CHIP_STATUS_OK);
	chip_close(dev);
	return 0;
}

int main(int argc, char **argv)
{
	ct_init(argc, argv);
	T_RUN(test_inputs_only_by_loads);
	T_RUN(test_load_refusals);
	T_RUN(test_loads_read_at_submit);
	T_RUN(test_batch_with_loads);
	T_RUN(test_short_opts);
	return T_DONE();
}
