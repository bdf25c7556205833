// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The emulated device: configuration checks, the shared run validation,
 * start/stop without leaks, runs that allocate nothing, and the vector
 * example (f = (a+b+1)*(a+b+2) + (a+b) over 16384 floats) on both
 * platforms, with one worker and a ring of 4, and on two devices at once.
 */
#include <pthread.h>
#include <malloc.h>
#include "helpers.h"
#include "chipc.h"
#include "common/programs.h"
#include "common/alloccount.h"

#define N		16384
#define BYTES		(N * 4)
#define GM_VA		0x10000000ull
#define HEAP_VA		0x40000000ull
#define HEAP_SIZE	(1u << 20)

/* ---- configuration ------------------------------------------------------ */

static struct chipc_device_cfg cfg_of(uint32_t plat, uint32_t workers,
				      uint32_t ring, uint32_t pool)
{
	struct chipc_device_cfg c = {
		.platform = plat, .workers = workers, .ring_window = ring,
		.dep_pool = pool,
	};

	return c;
}

static int test_init_config(void)
{
	static const struct {
		uint32_t plat, workers, ring, pool;
		int rc;
	} cases[] = {
		{ 0, 4, 1024, 1024, -EINVAL },		/* unknown platform */
		{ 3, 4, 1024, 1024, -EINVAL },
		{ CHIP_PLATFORM_A2A3, 0, 1024, 1024, -EINVAL },
		{ CHIP_PLATFORM_A2A3, 17, 1024, 1024, -EINVAL },
		{ CHIP_PLATFORM_A2A3, 4, 0, 1024, -EINVAL },
		{ CHIP_PLATFORM_A2A3, 4, 2, 1024, -EINVAL },
		{ CHIP_PLATFORM_A2A3, 4, 6, 1024, -EINVAL },
		{ CHIP_PLATFORM_A2A3, 4, 1000, 1024, -EINVAL },
		{ CHIP_PLATFORM_A2A3, 4, 131072, 1024, -EINVAL },
		{ CHIP_PLATFORM_A5, 4, 1024, 0, -EINVAL },	/* dep_pool */
		{ CHIP_PLATFORM_A5, 4, 1024, 63, -EINVAL },
		{ CHIP_PLATFORM_A5, 4, 1024, (1u << 22) + 1, -EINVAL },
		{ CHIP_PLATFORM_A2A3, 1, 4, 64, 0 },
		{ CHIP_PLATFORM_A2A3, 16, 65536, 65536, 0 },
		{ CHIP_PLATFORM_A5, 3, 1024, 100, 0 },
	};
	struct chipc_device dev;
	struct chipc_device_cfg c;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = cfg_of(cases[i].plat, cases[i].workers, cases[i].ring,
			   cases[i].pool);
		CHECK_EQ(chipc_device_init(&dev, &c), cases[i].rc);
		if (cases[i].rc) {
			CHECK(dev.sched == NULL);
		} else {
			CHECK(dev.sched != NULL);
			CHECK_EQ(dev.plat->id, cases[i].plat);
			CHECK_EQ(dev.cfg.ring_window, cases[i].ring);
		}
		chipc_device_fini(&dev);
		CHECK(dev.sched == NULL);
		chipc_device_fini(&dev);	/* twice is harmless */
	}
	return 0;
}

/*
 * Start and stop many devices.  The heap in use afterwards is what it
 * was before (valgrind, run by the project's checks, sees the rest).
 */
static int test_init_fini_no_leak(void)
{
	struct chipc_device dev;
	struct chipc_device_cfg c = cfg_of(CHIP_PLATFORM_A5, 4, 256, 256);
	size_t before, after;
	int i;

	CHECK_EQ(chipc_device_init(&dev, &c), 0);	/* warm up the heap */
	chipc_device_fini(&dev);
	before = mallinfo2().uordblks;
	for (i = 0; i < 50; i++) {
		c.workers = 1 + i % 16;
		CHECK_EQ(chipc_device_init(&dev, &c), 0);
		chipc_device_fini(&dev);
	}
	after = mallinfo2().uordblks;
	CHECK_EQ(after, before);
	return 0;
}

/* ---- the vector example -------------------------------------------- */

static uint32_t dev_max_blocks(uint32_t plat)
{
	return chipc_platform_get(plat)->max_blocks;
}

struct vec {
	struct chipc_device dev;
	struct chipc_vm vm;
	uint8_t *gm;		/* a, b, f: BYTES each */
	uint8_t *heap;
	void *code[4];		/* orch, vec_add, add_scalar, mul */
	size_t size[4];
	struct chipc_child_bind kids[3];
	struct chipc_code cc;
	struct chip_tensor_arg tens[3];
	struct chipc_args args;
	struct chipc_run_req req;
	struct chipc_run_result res;
};

static int vec_open(struct vec *v, uint32_t plat, uint32_t workers,
		    uint32_t ring)
{
	static const char *const text[4] = {
		PROG_ORCH_VECTOR, PROG_VEC_ADD, PROG_VEC_ADD_SCALAR,
		PROG_VEC_MUL,
	};
	struct chipc_device_cfg c = cfg_of(plat, workers, ring, 1024);
	struct chipc_map m = {
		.va = GM_VA, .size = 3 * BYTES,
		.prot = CHIPC_PROT_READ | CHIPC_PROT_WRITE,
	};
	int i;

	memset(v, 0, sizeof(*v));
	if (chipc_device_init(&v->dev, &c))
		return -1;
	v->gm = calloc(1, 3 * BYTES);
	v->heap = calloc(1, HEAP_SIZE);
	m.host = v->gm;
	if (!v->gm || !v->heap || chipc_vm_init(&v->vm, 8) ||
	    chipc_vm_insert(&v->vm, &m))
		return -1;
	for (i = 0; i < 4; i++) {
		v->code[i] = prog_build(text[i], &v->size[i]);
		if (!v->code[i])
			return -1;
	}
	if (chipc_isa_verify(v->code[0], (u32)v->size[0], CHIP_CORE_AICPU,
			     &v->cc.orch, NULL))
		return -1;
	for (i = 0; i < 3; i++) {
		v->kids[i].func_id = i;
		v->kids[i].core_type = CHIP_CORE_AIV;
		if (chipc_isa_verify(v->code[i + 1], (u32)v->size[i + 1],
				     CHIP_CORE_AIV, &v->kids[i].prog, NULL))
			return -1;
	}
	v->cc.platform = plat;
	v->cc.runtime = CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER;
	v->cc.children = v->kids;
	v->cc.layout.child_count = 3;
	for (i = 0; i < 3; i++) {
		v->tens[i].addr = GM_VA + (uint64_t)i * BYTES;
		v->tens[i].shape[0] = N;
		v->tens[i].ndims = 1;
		v->tens[i].dtype = CHIP_DT_FLOAT32;
	}
	v->args.tensor_count = 3;
	v->args.tensors = v->tens;
	v->req.code = &v->cc;
	v->req.args = &v->args;
	v->req.block_dim = dev_max_blocks(plat);
	v->req.aicpu_threads = 3;
	v->req.vm = &v->vm;
	v->req.heap_va = HEAP_VA;
	v->req.heap_size = HEAP_SIZE;
	v->req.heap_host = v->heap;
	return 0;
}

static void vec_close(struct vec *v)
{
	int i;

	chipc_device_fini(&v->dev);
	chipc_vm_fini(&v->vm);
	for (i = 0; i < 4; i++)
		free(v->code[i]);
	free(v->gm);
	free(v->heap);
}

static void vec_fill(struct vec *v, float a, float b)
{
	float *fa = (float *)v->gm, *fb = fa + N, *ff = fb + N;
	int i;

	for (i = 0; i < N; i++) {
		fa[i] = a;
		fb[i] = b;
		ff[i] = -1.0f;
	}
}

/* Elements of f that differ from @want. */
static int vec_bad(const struct vec *v, float want)
{
	const float *ff = (const float *)v->gm + 2 * N;
	int i, bad = 0;

	for (i = 0; i < N; i++)
		bad += ff[i] != want;
	return bad;
}

static int vec_run(struct vec *v, float a, float b)
{
	vec_fill(v, a, b);
	chipc_device_run(&v->dev, &v->req, &v->res);
	if (v->res.status != CHIP_STATUS_OK)
		fprintf(stderr, "vector: status %u code %d: %s\n",
			v->res.status, v->res.code, v->res.msg);
	return (int)v->res.status;
}

static struct vec V, V2;

static int test_vector_example(void)
{
	CHECK_EQ(vec_open(&V, CHIP_PLATFORM_A2A3, 4, 1024), 0);
	CHECK_EQ(vec_run(&V, 2.0f, 3.0f), CHIP_STATUS_OK);
	CHECK_EQ(vec_bad(&V, 47.0f), 0);
	CHECK_EQ(V.res.tasks, 5);
	CHECK(V.res.insns > 5 * (N / 4096));
	CHECK(V.res.device_ns > 0);

	/* again on the same device, other values: 3 * 4 + 2 */
	CHECK_EQ(vec_run(&V, 1.0f, 1.0f), CHIP_STATUS_OK);
	CHECK_EQ(vec_bad(&V, 14.0f), 0);
	vec_close(&V);
	return 0;
}

static int test_vector_a5_one_worker_small_ring(void)
{
	CHECK_EQ(vec_open(&V, CHIP_PLATFORM_A5, 1, 4), 0);
	CHECK_EQ(V.req.block_dim, 36);
	V.req.aicpu_threads = 7;
	CHECK_EQ(vec_run(&V, 2.0f, 3.0f), CHIP_STATUS_OK);
	CHECK_EQ(vec_bad(&V, 47.0f), 0);
	V.req.block_dim = 1;
	CHECK_EQ(vec_run(&V, 0.5f, 0.25f), CHIP_STATUS_OK);
	CHECK_EQ(vec_bad(&V, 1.75f * 2.75f + 0.75f), 0);
	vec_close(&V);
	return 0;
}

static void *vec_thread(void *arg)
{
	struct vec *v = arg;
	long bad = 0;
	int i;

	for (i = 0; i < 20; i++) {
		if (vec_run(v, 2.0f, 3.0f) != CHIP_STATUS_OK ||
		    vec_bad(v, 47.0f))
			bad++;
	}
	return (void *)bad;
}

/* Two devices run at the same time without sharing any state. */
static int test_two_devices_at_once(void)
{
	pthread_t t1, t2;
	void *r1, *r2;

	CHECK_EQ(vec_open(&V, CHIP_PLATFORM_A2A3, 3, 64), 0);
	CHECK_EQ(vec_open(&V2, CHIP_PLATFORM_A5, 2, 16), 0);
	CHECK_EQ(pthread_create(&t1, NULL, vec_thread, &V), 0);
	CHECK_EQ(pthread_create(&t2, NULL, vec_thread, &V2), 0);
	pthread_join(t1, &r1);
	pthread_join(t2, &r2);
	CHECK_EQ((long)r1, 0);
	CHECK_EQ((long)r2, 0);
	vec_close(&V);
	vec_close(&V2);
	return 0;
}

/* A run allocates nothing, however large the ring and the pools are. */
static int test_run_allocates_nothing(void)
{
#ifdef NO_ALLOC_COUNT
	return T_SKIP;
#else
	unsigned long before;
	int i;

	/* Under valgrind, its allocator replaces ours: nothing to count. */
	if (allocs() == ~0ul)
		return T_SKIP;

	CHECK_EQ(vec_open(&V, CHIP_PLATFORM_A2A3, 4, 65536), 0);
	CHECK_EQ(vec_run(&V, 2.0f, 3.0f), CHIP_STATUS_OK);
	before = __atomic_load_n(&n_allocs, __ATOMIC_RELAXED);
	for (i = 0; i < 50; i++)
		CHECK_EQ(vec_run(&V, 2.0f, 3.0f), CHIP_STATUS_OK);
	V.req.block_dim = 0;			/* an invalid one too */
	chipc_device_run(&V.dev, &V.req, &V.res);
	CHECK_EQ(__atomic_load_n(&n_allocs, __ATOMIC_RELAXED), before);
	CHECK_EQ(V.res.status, CHIP_STATUS_INVALID);
	/* and the count does see allocations */
	sink = malloc(16);
	CHECK_EQ(__atomic_load_n(&n_allocs, __ATOMIC_RELAXED), before + 1);
	free(sink);
	vec_close(&V);
	return 0;
#endif
}

/* ---- chipc_run_check -------------------------------------------------- */

/* @ok passes the check, @bad and 0 do not. */
static int check_limit(uint32_t *field, uint32_t ok, uint32_t bad)
{
	*field = ok;
	CHECK_EQ(chipc_run_check(&V.dev, &V.req), 0);
	*field = bad;
	CHECK_EQ(chipc_run_check(&V.dev, &V.req), -EINVAL);
	*field = 0;
	CHECK_EQ(chipc_run_check(&V.dev, &V.req), -EINVAL);
	*field = 1;
	return 0;
}

static int test_run_check_limits(void)
{
	CHECK_EQ(vec_open(&V, CHIP_PLATFORM_A2A3, 1, 16), 0);
	CHECK_EQ(check_limit(&V.req.block_dim, 24, 25), 0);
	CHECK_EQ(check_limit(&V.req.aicpu_threads, 4, 5), 0);
	vec_close(&V);

	CHECK_EQ(vec_open(&V, CHIP_PLATFORM_A5, 1, 16), 0);
	CHECK_EQ(check_limit(&V.req.block_dim, 36, 37), 0);
	CHECK_EQ(check_limit(&V.req.aicpu_threads, 7, 8), 0);
	vec_close(&V);
	return 0;
}

static int test_run_check_request(void)
{
	struct chip_graph_hdr gh = { .heap_bytes = HEAP_SIZE };
	struct chipc_graph g = { .hdr = &gh };
	struct chipc_run_req req;

	CHECK_EQ(vec_open(&V, CHIP_PLATFORM_A2A3, 1, 16), 0);
	req = V.req;
	CHECK_EQ(chipc_run_check(&V.dev, &req), 0);

	V.req.code = NULL;
	CHECK_EQ(chipc_run_check(&V.dev, &V.req), -EINVAL);
	V.req = req;
	V.req.args = NULL;
	CHECK_EQ(chipc_run_check(&V.dev, &V.req), -EINVAL);
	V.req = req;
	V.req.vm = NULL;
	CHECK_EQ(chipc_run_check(&V.dev, &V.req), -EINVAL);

	/* tensormap_and_ringbuffer: no graph, an orchestration program */
	V.req = req;
	V.req.graph = &g;
	CHECK_EQ(chipc_run_check(&V.dev, &V.req), -EINVAL);
	V.req = req;
	V.cc.orch.count = 0;
	CHECK_EQ(chipc_run_check(&V.dev, &V.req), -EINVAL);

	/* host_build_graph: a graph whose heap use fits the heap */
	V.cc.runtime = CHIP_RUNTIME_HOST_BUILD_GRAPH;
	CHECK_EQ(chipc_run_check(&V.dev, &V.req), -EINVAL);
	V.req.graph = &g;
	CHECK_EQ(chipc_run_check(&V.dev, &V.req), 0);
	gh.heap_bytes = HEAP_SIZE + 1;
	CHECK_EQ(chipc_run_check(&V.dev, &V.req), -EINVAL);

	/* unknown runtime; code built for the other platform */
	V.cc.runtime = 7;
	CHECK_EQ(chipc_run_check(&V.dev, &V.req), -EINVAL);
	V.cc.runtime = CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER;
	V.req = req;
	V.cc.orch.count = 1;
	V.cc.platform = CHIP_PLATFORM_A5;
	CHECK_EQ(chipc_run_check(&V.dev, &V.req), -EINVAL);

	/* chipc_device_run reports a rejected request as INVALID */
	vec_fill(&V, 2.0f, 3.0f);
	chipc_device_run(&V.dev, &V.req, &V.res);
	CHECK_EQ(V.res.status, CHIP_STATUS_INVALID);
	CHECK_EQ(V.res.tasks, 0);
	CHECK_EQ(vec_bad(&V, -1.0f), 0);	/* nothing ran */
	vec_close(&V);
	return 0;
}

int main(void)
{
	T_RUN(test_init_config);
	T_RUN(test_init_fini_no_leak);
	T_RUN(test_vector_example);
	T_RUN(test_vector_a5_one_worker_small_ring);
	T_RUN(test_two_devices_at_once);
	T_RUN(test_run_allocates_nothing);
	T_RUN(test_run_check_limits);
	T_RUN(test_run_check_request);
	return T_DONE();
}
