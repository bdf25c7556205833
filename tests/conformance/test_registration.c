// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Conformance: upload, dedup and the cid registry, on both runtimes.
 * Ported from the reference runtime's prepared-callable cases.
 */
#include <errno.h>
#include "helpers.h"
#include "chiptest.h"

#define N 16384

static float out[N];

/* The loads counter that this runtime moves. */
static uint64_t loads(const struct chip_counters *c, uint32_t rt)
{
	return rt == CHIP_RUNTIME_HOST_BUILD_GRAPH ? c->host_loads :
						     c->orch_loads;
}

static int run47(struct chip_dev *dev, int32_t cid)
{
	struct chip_run_result res;

	CHECK_EQ(ct_vector(dev, cid, 2.0f, 3.0f, N, out, &res), 0);
	CHECK_EQ(res.status, CHIP_STATUS_OK);
	CHECK_EQ(ct_mismatches(out, N, 47.0f), 0);
	return 0;
}

/* Upload never writes the caller's buffer. */
static int test_upload_leaves_caller_buffer(void)
{
	struct chip_dev *dev;
	uint32_t rt;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	FOR_EACH_RUNTIME(rt) {
		struct chip_layout before, after;
		void *img, *copy;
		size_t len;

		CHECK_EQ(ct_build(CT_VECTOR, rt, &img, &len), 0);
		copy = malloc(len);
		memcpy(copy, img, len);
		CHECK_EQ(chip_callable_layout(img, len, &before), 0);
		CHECK_EQ(chip_register(dev, 0, img, len, NULL), 0);
		CHECK_EQ(chip_callable_layout(img, len, &after), 0);
		CHECK_U64(before.hash, after.hash);
		CHECK(memcmp(img, copy, len) == 0);
		CHECK(run47(dev, 0) == 0);
		CHECK(memcmp(img, copy, len) == 0);
		CHECK_EQ(chip_unregister(dev, 0), 0);
		free(copy);
		free(img);
	}
	chip_close(dev);
	return 0;
}

/* Same bytes share one resident copy, held once per registration. */
static int test_dedup_refcount(void)
{
	struct chip_counters c0, c;
	struct chip_dev *dev;
	uint32_t rt;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(chip_counters(dev, &c0), 0);
		CHECK_EQ(c0.resident_callables, 0);
		CHECK_EQ(ct_register(dev, 0, CT_VECTOR, rt), 0);
		CHECK_EQ(ct_register(dev, 1, CT_VECTOR, rt), 0);
		CHECK_EQ(chip_counters(dev, &c), 0);
		CHECK_EQ(c.resident_callables, 1);
		CHECK_EQ(c.dedup_misses - c0.dedup_misses, 1);
		CHECK_EQ(c.dedup_hits - c0.dedup_hits, 1);
		CHECK(c.resident_bytes > 0);

		/* A different callable gets its own copy. */
		CHECK_EQ(ct_register(dev, 2, CT_MATMUL, rt), 0);
		CHECK_EQ(chip_counters(dev, &c), 0);
		CHECK_EQ(c.resident_callables, 2);

		/* The shared copy survives unregistering one cid. */
		CHECK_EQ(chip_unregister(dev, 0), 0);
		CHECK_EQ(chip_counters(dev, &c), 0);
		CHECK_EQ(c.resident_callables, 2);
		CHECK(run47(dev, 1) == 0);
		CHECK_EQ(chip_unregister(dev, 1), 0);
		CHECK_EQ(chip_unregister(dev, 2), 0);
		CHECK_EQ(chip_counters(dev, &c), 0);
		CHECK_EQ(c.resident_callables, 0);
		CHECK_EQ(c.resident_bytes, 0);
		CHECK_EQ(c.registered, 0);
	}
	chip_close(dev);
	return 0;
}

/*
 * With every key colliding, different callables still do not alias.
 * The kernel backend has no such hook (the driver's is in debugfs, and
 * tests/kernel/test_scope.c uses it): skipped there.
 */
static int test_forced_collision(void)
{
	struct chip_run_result res;
	struct chip_counters c0, c;
	struct chip_dev *dev;
	double err;
	uint32_t rt;
	int rc;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	rc = chip_debug_set_hash_mask(dev, 0);
	if (rc == -EOPNOTSUPP && !ct_is_sim()) {
		chip_close(dev);
		return T_SKIP;
	}
	CHECK_EQ(rc, 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(chip_counters(dev, &c0), 0);
		CHECK_EQ(ct_register(dev, 0, CT_VECTOR, rt), 0);
		CHECK_EQ(ct_register(dev, 1, CT_MATMUL, rt), 0);
		CHECK_EQ(chip_counters(dev, &c), 0);
		CHECK_EQ(c.resident_callables, 2);
		CHECK_EQ(c.dedup_hits - c0.dedup_hits, 0);
		CHECK_EQ(c.dedup_misses - c0.dedup_misses, 2);
		/* An identical image still finds its own entry. */
		CHECK_EQ(ct_register(dev, 2, CT_MATMUL, rt), 0);
		CHECK_EQ(chip_counters(dev, &c), 0);
		CHECK_EQ(c.resident_callables, 2);
		CHECK_EQ(c.dedup_hits - c0.dedup_hits, 1);
		CHECK(run47(dev, 0) == 0);
		CHECK_EQ(ct_matmul_check(dev, 1, 64, 32, 64, &res, &err), 0);
		CHECK_EQ(ct_matmul_check(dev, 2, 32, 64, 32, &res, &err), 0);
		CHECK_EQ(chip_unregister(dev, 0), 0);
		CHECK_EQ(chip_unregister(dev, 1), 0);
		CHECK_EQ(chip_unregister(dev, 2), 0);
	}
	chip_close(dev);
	return 0;
}

/* (A) Same cid replayed five times: one load. */
static int test_same_cid_replay(void)
{
	struct chip_counters c0, c;
	struct chip_dev *dev;
	uint32_t rt;
	int i;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(chip_counters(dev, &c0), 0);
		CHECK_EQ(ct_register(dev, 0, CT_VECTOR, rt), 0);
		for (i = 0; i < 5; i++)
			CHECK(run47(dev, 0) == 0);
		CHECK_EQ(chip_counters(dev, &c), 0);
		CHECK_EQ(loads(&c, rt) - loads(&c0, rt), 1);
		CHECK_EQ(c.runs[CHIP_STATUS_OK] - c0.runs[CHIP_STATUS_OK], 5);
		/* The other runtime's counter does not move. */
		CHECK_EQ(loads(&c, rt == CHIP_RUNTIME_HOST_BUILD_GRAPH ?
			       CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER :
			       CHIP_RUNTIME_HOST_BUILD_GRAPH) -
			 loads(&c0, rt == CHIP_RUNTIME_HOST_BUILD_GRAPH ?
			       CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER :
			       CHIP_RUNTIME_HOST_BUILD_GRAPH), 0);
		CHECK_EQ(chip_unregister(dev, 0), 0);
	}
	chip_close(dev);
	return 0;
}

/* (B) Two cids, same callable, alternating: two loads, one copy. */
static int test_two_cids_alternating(void)
{
	struct chip_counters c0, c;
	struct chip_dev *dev;
	uint32_t rt;
	int i;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(chip_counters(dev, &c0), 0);
		CHECK_EQ(ct_register(dev, 0, CT_VECTOR, rt), 0);
		CHECK_EQ(ct_register(dev, 1, CT_VECTOR, rt), 0);
		for (i = 0; i < 5; i++) {
			CHECK(run47(dev, 0) == 0);
			CHECK(run47(dev, 1) == 0);
		}
		CHECK_EQ(chip_counters(dev, &c), 0);
		CHECK_EQ(loads(&c, rt) - loads(&c0, rt), 2);
		CHECK_EQ(c.resident_callables, 1);
		CHECK_EQ(chip_unregister(dev, 0), 0);
		CHECK_EQ(chip_unregister(dev, 1), 0);
	}
	chip_close(dev);
	return 0;
}

/* (C) A second register of a taken cid fails and changes nothing. */
static int test_double_register(void)
{
	struct chip_counters c0, c;
	struct chip_dev *dev;
	uint32_t rt;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(ct_register(dev, 0, CT_VECTOR, rt), 0);
		CHECK_EQ(chip_counters(dev, &c0), 0);
		CHECK_EQ(ct_register(dev, 0, CT_VECTOR, rt), -EBUSY);
		CHECK_EQ(ct_register(dev, 0, CT_MATMUL, rt), -EBUSY);
		CHECK_EQ(chip_counters(dev, &c), 0);
		CHECK_EQ(c.resident_callables, c0.resident_callables);
		CHECK_EQ(c.resident_bytes, c0.resident_bytes);
		CHECK_EQ(c.dedup_hits, c0.dedup_hits);
		CHECK_EQ(c.dedup_misses, c0.dedup_misses);
		CHECK_EQ(loads(&c, rt), loads(&c0, rt));
		CHECK_EQ(c.registered, 1);
		CHECK(run47(dev, 0) == 0);
		CHECK_EQ(chip_unregister(dev, 0), 0);
	}
	chip_close(dev);
	return 0;
}

/* (D) Unregister then re-register: loads +1, still +1, then +2. */
static int test_unregister_reregister(void)
{
	struct chip_counters c0, c;
	struct chip_dev *dev;
	uint32_t rt;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(chip_counters(dev, &c0), 0);
		CHECK_EQ(ct_register(dev, 0, CT_VECTOR, rt), 0);
		CHECK(run47(dev, 0) == 0);
		CHECK_EQ(chip_counters(dev, &c), 0);
		CHECK_EQ(loads(&c, rt) - loads(&c0, rt), 1);
		CHECK_EQ(chip_unregister(dev, 0), 0);
		CHECK_EQ(chip_counters(dev, &c), 0);
		CHECK_EQ(loads(&c, rt) - loads(&c0, rt), 1);
		CHECK_EQ(c.resident_callables, 0);
		CHECK_EQ(ct_register(dev, 0, CT_VECTOR, rt), 0);
		CHECK(run47(dev, 0) == 0);
		CHECK_EQ(chip_counters(dev, &c), 0);
		CHECK_EQ(loads(&c, rt) - loads(&c0, rt), 2);
		CHECK_EQ(chip_unregister(dev, 0), 0);
	}
	chip_close(dev);
	return 0;
}

/* A func_id of a previously registered callable is never reachable. */
static int test_stale_func_table(void)
{
	struct chip_run_result res;
	struct chip_args args;
	struct chip_dev *dev;
	uint32_t rt;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	FOR_EACH_RUNTIME(rt) {
		/* A: func_ids {0, 1, 2}; B: {0} but submits func_id 1. */
		CHECK_EQ(ct_register(dev, 0, CT_VECTOR, rt), 0);
		CHECK(run47(dev, 0) == 0);
		CHECK_EQ(chip_unregister(dev, 0), 0);
		CHECK_EQ(ct_register(dev, 0, CT_STALE, rt), 0);
		chip_args_init(&args);
		CHECK_EQ(chip_run(dev, 0, &args, NULL, &res), 0);
		CHECK_EQ(res.status, CHIP_STATUS_ORCH_ERROR);
		CHECK_EQ(res.code, CHIP_ORCH_INVALID_ARGS);
		CHECK_EQ(res.tasks, 0);
		/* Also while A stays registered under another cid. */
		CHECK_EQ(ct_register(dev, 1, CT_VECTOR, rt), 0);
		CHECK(run47(dev, 1) == 0);
		CHECK_EQ(chip_run(dev, 0, &args, NULL, &res), 0);
		CHECK_EQ(res.status, CHIP_STATUS_ORCH_ERROR);
		CHECK_EQ(res.code, CHIP_ORCH_INVALID_ARGS);
		CHECK_EQ(chip_unregister(dev, 0), 0);
		CHECK_EQ(chip_unregister(dev, 1), 0);
	}
	chip_close(dev);
	return 0;
}

/* cid range, the 65th registration, func_id 1024, short length. */
static int test_bounds(void)
{
	struct chip_counters c;
	struct chip_callable_hdr *h;
	struct chip_args args;
	struct chip_dev *dev;
	void *img;
	size_t len;
	int i;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_build(CT_VECTOR, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER,
			  &img, &len), 0);
	CHECK_EQ(chip_register(dev, -1, img, len, NULL), -EINVAL);
	CHECK_EQ(chip_register(dev, CHIP_MAX_CIDS, img, len, NULL), -EINVAL);
	CHECK_EQ(chip_unregister(dev, CHIP_MAX_CIDS), -EINVAL);
	CHECK_EQ(chip_unregister(dev, 5), -ENOENT);
	for (i = 0; i < CHIP_MAX_CIDS; i++)
		CHECK_EQ(chip_register(dev, i, img, len, NULL), 0);
	CHECK_EQ(chip_counters(dev, &c), 0);
	CHECK_EQ(c.registered, CHIP_MAX_CIDS);
	CHECK_EQ(c.resident_callables, 1);
	for (i = 0; i < CHIP_MAX_CIDS; i++)
		CHECK_EQ(chip_unregister(dev, i), 0);

	/* Length shorter than the layout: rejected, nothing read past it. */
	CHECK_EQ(chip_register(dev, 0, img, len - 1, NULL), -EMSGSIZE);
	/* func_id 1024 in the image. */
	h = img;
	h->child_func_ids[0] = CHIP_MAX_FUNC_ID;
	CHECK_EQ(chip_register(dev, 0, img, len, NULL), -EINVAL);
	h->child_func_ids[0] = -1;
	CHECK_EQ(chip_register(dev, 0, img, len, NULL), -EINVAL);
	CHECK_EQ(chip_counters(dev, &c), 0);
	CHECK_EQ(c.registered, 0);
	CHECK_EQ(c.resident_callables, 0);
	free(img);

	/* Unregistered cid, cid out of range at run time. */
	chip_args_init(&args);
	CHECK_EQ(chip_run(dev, 3, &args, NULL, NULL), -ENOENT);
	CHECK_EQ(chip_run(dev, -1, &args, NULL, NULL), -EINVAL);
	CHECK_EQ(chip_run(dev, CHIP_MAX_CIDS, &args, NULL, NULL), -EINVAL);

	/* The 257th tensor. */
	for (i = 0; i < CHIP_MAX_TENSOR_ARGS; i++)
		CHECK_EQ(ct_add_f32(&args, 0x1000, 4), 0);
	CHECK_EQ(ct_add_f32(&args, 0x1000, 4), -E2BIG);
	for (i = 0; i < CHIP_MAX_SCALAR_ARGS; i++)
		CHECK_EQ(chip_args_add_scalar(&args, (uint64_t)i), 0);
	CHECK_EQ(chip_args_add_scalar(&args, 1), -E2BIG);
	chip_close(dev);
	return 0;
}

/* A callable of the other platform is refused. */
static int test_platform_mismatch(void)
{
	struct chip_callable_hdr *h;
	struct chip_dev *dev;
	void *img;
	size_t len;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_build(CT_VECTOR, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER,
			  &img, &len), 0);
	h = img;
	h->platform = ct_platform_id() == CHIP_PLATFORM_A5 ?
		      CHIP_PLATFORM_A2A3 : CHIP_PLATFORM_A5;
	CHECK_EQ(chip_register(dev, 0, img, len, NULL), -EINVAL);
	free(img);
	chip_close(dev);
	return 0;
}

/*
 * host_build_graph with a C callback instead of a shared object: the
 * callable carries no orchestration bytes, the callback builds the graph
 * (the vector example's, with explicit edges), and a callback that
 * reports an error fails the run with that code.
 */
static int cb_code;

static int vector_cb(const struct chip_graph_ops *ops, struct chip_graph *g,
		     const struct chip_args *args)
{
	uint64_t bytes = (uint64_t)args->tensors[2].shape[0] * 4;
	uint64_t c = ops->alloc(g, bytes), d = ops->alloc(g, bytes);
	uint64_t e = ops->alloc(g, bytes), m = ops->alloc(g, bytes);
	union { float f; uint32_t u; } one = { 1.0f }, two = { 2.0f };
	int t[5], i;

	if (cb_code)
		return cb_code;
	if (!c || !d || !e || !m)
		return CHIP_ORCH_HEAP;
	for (i = 0; i < 5; i++)
		t[i] = ops->add_task(g, i == 3 ? 2 : i == 1 || i == 2 ? 1 : 0,
				     CHIP_CORE_AIV);
	ops->add_tensor(g, t[0], args->tensors[0].addr, bytes, CHIP_DIR_IN);
	ops->add_tensor(g, t[0], args->tensors[1].addr, bytes, CHIP_DIR_IN);
	ops->add_tensor(g, t[0], c, bytes, CHIP_DIR_OUT);
	ops->add_tensor(g, t[1], c, bytes, CHIP_DIR_IN);
	ops->add_tensor(g, t[1], d, bytes, CHIP_DIR_OUT);
	ops->add_scalar(g, t[1], one.u);
	ops->add_tensor(g, t[2], c, bytes, CHIP_DIR_IN);
	ops->add_tensor(g, t[2], e, bytes, CHIP_DIR_OUT);
	ops->add_scalar(g, t[2], two.u);
	ops->add_tensor(g, t[3], d, bytes, CHIP_DIR_IN);
	ops->add_tensor(g, t[3], e, bytes, CHIP_DIR_IN);
	ops->add_tensor(g, t[3], m, bytes, CHIP_DIR_OUT);
	ops->add_tensor(g, t[4], m, bytes, CHIP_DIR_IN);
	ops->add_tensor(g, t[4], c, bytes, CHIP_DIR_IN);
	ops->add_tensor(g, t[4], args->tensors[2].addr, bytes, CHIP_DIR_OUT);
	ops->add_edge(g, t[0], t[1]);
	ops->add_edge(g, t[0], t[2]);
	ops->add_edge(g, t[1], t[3]);
	ops->add_edge(g, t[2], t[3]);
	ops->add_edge(g, t[3], t[4]);
	ops->add_edge(g, t[0], t[4]);
	return 0;
}

static int test_host_callback(void)
{
	struct chip_register_opts ro = { .sz = sizeof(ro),
					 .host_orch = vector_cb };
	struct chip_counters c0, c;
	struct chip_run_result res;
	struct chip_dev *dev;
	struct chip_layout l;
	void *img, *tr;
	size_t len, tlen;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	/* the vector callable's children, with no orchestration bytes */
	CHECK_EQ(ct_build(CT_VECTOR, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER,
			  &tr, &tlen), 0);
	{
		struct chip_builder *b;
		const struct chip_callable_hdr *h = tr;
		uint32_t i;

		CHECK_EQ(chip_builder_new(ct_platform_id(),
					  CHIP_RUNTIME_HOST_BUILD_GRAPH, &b), 0);
		CHECK_EQ(chip_builder_set_orch(b, NULL, 0, NULL, NULL, NULL, 0),
			 0);
		for (i = 0; i < h->child_count; i++) {
			const struct chip_child_hdr *ch = (const void *)
				((const uint8_t *)tr + h->child_offsets[i]);

			CHECK_EQ(chip_builder_add_child(b, h->child_func_ids[i],
							ch->core_type,
							ch->signature,
							ch->sig_count, ch + 1,
							ch->binary_size), 0);
		}
		CHECK_EQ(chip_builder_build(b, &img, &len), 0);
		chip_builder_free(b);
	}
	CHECK_EQ(chip_callable_layout(img, len, &l), 0);
	CHECK_EQ(l.orch_size, 0);
	CHECK_EQ(chip_counters(dev, &c0), 0);
	/* no shared object and no callback: nothing to load */
	CHECK_EQ(chip_register(dev, 0, img, len, NULL), -ENOEXEC);
	/* a callback is only for host_build_graph */
	CHECK_EQ(chip_register(dev, 0, tr, tlen, &ro), -EINVAL);
	CHECK_EQ(chip_register(dev, 0, img, len, &ro), 0);
	CHECK_EQ(chip_counters(dev, &c), 0);
	CHECK_EQ(c.host_loads - c0.host_loads, 1);
	CHECK_EQ(c.orch_loads - c0.orch_loads, 0);
	CHECK(run47(dev, 0) == 0);
	CHECK(run47(dev, 0) == 0);
	cb_code = 42;
	CHECK_EQ(ct_vector(dev, 0, 2.0f, 3.0f, N, out, &res), 0);
	CHECK_EQ(res.status, CHIP_STATUS_ORCH_ERROR);
	CHECK_EQ(res.code, 42);
	cb_code = 0;
	CHECK(run47(dev, 0) == 0);
	CHECK_EQ(chip_unregister(dev, 0), 0);
	free(img);
	free(tr);
	chip_close(dev);
	return 0;
}

int main(int argc, char **argv)
{
	ct_init(argc, argv);
	T_RUN(test_upload_leaves_caller_buffer);
	T_RUN(test_dedup_refcount);
	T_RUN(test_forced_collision);
	T_RUN(test_same_cid_replay);
	T_RUN(test_two_cids_alternating);
	T_RUN(test_double_register);
	T_RUN(test_unregister_reregister);
	T_RUN(test_stale_func_table);
	T_RUN(test_bounds);
	T_RUN(test_platform_mismatch);
	T_RUN(test_host_callback);
	return T_DONE();
}
