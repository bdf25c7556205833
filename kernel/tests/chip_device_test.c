// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the emulated device and its schedulers through
 * chipc_device_run() (kernel/core/device.c, sched.c): run validation,
 * tensormap_and_ringbuffer dependency derivation on overlapping regions,
 * ring back-pressure, heap and scope release, error statuses, the
 * watchdog, cancellation, host_build_graph, and the reference vector
 * workload.
 *
 * The dependency cases are deterministic with one worker: UML's kernel
 * is not preemptible, so the orchestrator submits every task before the
 * worker runs any, and the worker then takes ready AIC tasks before ready
 * AIV tasks.  Each case submits an AIV task U, then an AIC task T that
 * conflicts with it: with the dependency T runs after U; without it T
 * would run first, and the data shows which happened.
 */
#include <kunit/test.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "chip_kunit_helpers.h"

#define RW		(CHIPC_PROT_READ | CHIPC_PROT_WRITE)
#define MEM_VA		0x10000000ull
#define MEM_SIZE	(256 * 1024)
#define HEAP_VA		0x40000000ull
#define HEAP_SIZE	(64 * 1024)
#define MAXP		96

/* func_ids of the kernels every test callable carries */
enum {
	K_FILL = 1,	/* AIV: out(tensor) = f32 value(scalar) */
	K_ADD1,		/* AIV: out(tensor) = in(tensor) + 1 */
	K_COPY,		/* AIV: out(tensor 1) = in(tensor 0) */
	K_COPY_AIC,	/* AIC: the same */
	K_FILL_AIC,	/* AIC: out(tensor) = f32 value(scalar) */
	K_MARK,		/* AIV: *addr(scalar 0) = value(scalar 1); more args unused */
	K_MARK_AIC,	/* AIC: the same */
	K_SPIN,		/* AIV: loops forever */
	K_STORE_AT,	/* AIV: stores one element at address(scalar) */
	K_AIC_NOP,	/* AIC: HALT */
	K_VEC,		/* AIV: out = (a+b+1)*(a+b+2)+(a+b) */
	K_COUNT
};

static const struct chip_insn k_fill[] = {
	CI_AI(ARG, 1, 0), CI_AI(ASIZE, 2, 0), CI_ABI(SHRI, 2, 2, 2), CI_A(SETVL, 2),
	CI_AI(ARG, 3, 1), CI_AI(LI, 4, 0), CI_AB(TFILL, 4, 3), CI_AB(TST, 1, 4), CI0(HALT),
};

static const struct chip_insn k_add1[] = {
	CI_AI(ARG, 1, 0), CI_AI(ARG, 5, 1), CI_AI(ASIZE, 2, 1), CI_ABI(SHRI, 2, 2, 2),
	CI_A(SETVL, 2), CI_AI(LI, 4, 0), CI_AB(TLD, 4, 1), CI_AI(LIF, 3, (s32)F32_1),
	CI_ABC(TADDS, 4, 4, 3), CI_AB(TST, 5, 4), CI0(HALT),
};

/* copy: VL = size of tensor 1 / 4; tile runs on AIC and AIV alike */
static const struct chip_insn k_copy[] = {
	CI_AI(ARG, 1, 0), CI_AI(ARG, 5, 1), CI_AI(ASIZE, 2, 1), CI_ABI(SHRI, 2, 2, 2),
	CI_A(SETVL, 2), CI_AI(LI, 4, 0), CI_AB(TLD, 4, 1), CI_AB(TST, 5, 4), CI0(HALT),
};

static const struct chip_insn k_mark[] = {
	CI_AI(ARG, 1, 0), CI_AI(ARG, 2, 1), CI_AI(LI, 3, 1), CI_A(SETVL, 3),
	CI_AI(LI, 4, 0), CI_AB(TFILL, 4, 2), CI_AB(TST, 1, 4), CI0(HALT),
};

static const struct chip_insn k_spin[] = { CI0(NOP), CI(JMP, 0, 0, 0, -1) };

static const struct chip_insn k_store_at[] = {
	CI_AI(ARG, 1, 0), CI_AI(LI, 2, 1), CI_A(SETVL, 2), CI_AI(LI, 3, 0),
	CI_AB(TST, 1, 3), CI0(HALT),
};

static const struct chip_insn k_aic_nop[] = { CI0(HALT) };

static const struct chip_insn k_vec[] = {
	CI_AI(ARG, 1, 0), CI_AI(ARG, 2, 1), CI_AI(ARG, 3, 2), CI_AI(ASIZE, 4, 2),
	CI_ABI(SHRI, 4, 4, 2), CI_A(SETVL, 4),
	CI_AI(LI, 5, 0), CI_AI(LI, 6, 4096), CI_AI(LI, 7, 8192), CI_AI(LI, 8, 12288),
	CI_AB(TLD, 5, 1), CI_AB(TLD, 6, 2),
	CI_ABC(TADD, 7, 5, 6),			/* s = a + b */
	CI_AI(LIF, 9, (s32)F32_1), CI_ABC(TADDS, 5, 7, 9),	/* s + 1 */
	CI_AI(LIF, 9, (s32)F32_2), CI_ABC(TADDS, 8, 7, 9),	/* s + 2 */
	CI_ABC(TMUL, 5, 5, 8), CI_ABC(TADD, 5, 5, 7), CI_AB(TST, 3, 5), CI0(HALT),
};

static const struct chip_test_child kernels[] = {
	{ K_FILL, CHIP_CORE_AIV, k_fill, ARRAY_SIZE(k_fill) },
	{ K_ADD1, CHIP_CORE_AIV, k_add1, ARRAY_SIZE(k_add1) },
	{ K_COPY, CHIP_CORE_AIV, k_copy, ARRAY_SIZE(k_copy) },
	{ K_COPY_AIC, CHIP_CORE_AIC, k_copy, ARRAY_SIZE(k_copy) },
	{ K_FILL_AIC, CHIP_CORE_AIC, k_fill, ARRAY_SIZE(k_fill) },
	{ K_MARK, CHIP_CORE_AIV, k_mark, ARRAY_SIZE(k_mark) },
	{ K_MARK_AIC, CHIP_CORE_AIC, k_mark, ARRAY_SIZE(k_mark) },
	{ K_SPIN, CHIP_CORE_AIV, k_spin, ARRAY_SIZE(k_spin) },
	{ K_STORE_AT, CHIP_CORE_AIV, k_store_at, ARRAY_SIZE(k_store_at) },
	{ K_AIC_NOP, CHIP_CORE_AIC, k_aic_nop, ARRAY_SIZE(k_aic_nop) },
	{ K_VEC, CHIP_CORE_AIV, k_vec, ARRAY_SIZE(k_vec) },
};

/* A started device, a dedup table, an address space with one buffer, a heap. */
struct fx {
	struct chipc_device dev;
	struct chipc_dedup *dedup;
	struct chipc_vm *vm;
	u32 *mem;		/* MEM_SIZE bytes at MEM_VA, read-write */
	u8 *heap;
	int abort;
};

static void fx_device_fini(void *data)
{
	chipc_device_fini(data);
}

static struct fx *fx_create(struct kunit *test, u32 platform, u32 workers, u32 ring)
{
	struct chipc_device_cfg cfg = {
		.platform = platform, .workers = workers, .ring_window = ring,
		.dep_pool = 1024,
	};
	struct fx *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fx);
	fx->dedup = chip_test_dedup(test, NULL);
	fx->vm = chip_test_vm(test, 16);
	fx->mem = (u32 *)chip_test_vm_map(test, fx->vm, MEM_VA, MEM_SIZE, RW);
	fx->heap = kunit_kzalloc(test, HEAP_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fx->heap);
	KUNIT_ASSERT_EQ(test, chipc_device_init(&fx->dev, &cfg), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fx_device_fini, &fx->dev), 0);
	return fx;
}

static struct chipc_code *fx_load_desc(struct kunit *test, struct fx *fx,
				       const struct chip_test_callable *d)
{
	struct chipc_code *c;
	u64 len;
	void *img = chip_test_callable(test, d, &len);

	KUNIT_ASSERT_EQ(test, chipc_dedup_get(fx->dedup, img, len, d->platform ?
					      d->platform : CHIP_PLATFORM_A2A3, &c, NULL), 0);
	return c;
}

/* A tensormap callable with the test kernels and orchestration @orch. */
static struct chipc_code *fx_load(struct kunit *test, struct fx *fx,
				  const struct chip_insn *orch, u32 n)
{
	const struct chip_test_callable d = {
		.orch = orch, .norch = n, .children = kernels,
		.nchildren = ARRAY_SIZE(kernels),
	};

	return fx_load_desc(test, fx, &d);
}

/* Run arguments: byte tensors at device addresses, then scalars. */
struct fx_args {
	u32 nt, ns;
	u64 taddr[8], tbytes[8];
	u64 scal[8];
};

static const struct chipc_args *fx_parse(struct kunit *test, const struct fx_args *a)
{
	u64 len = chipc_args_size(a->nt, a->ns);
	struct chip_args_hdr h = { a->nt, a->ns };
	struct chipc_args *out = kunit_kzalloc(test, sizeof(*out), GFP_KERNEL);
	u8 *b = kunit_kzalloc(test, len, GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_ASSERT_NOT_NULL(test, b);
	memcpy(b, &h, sizeof(h));
	for (i = 0; i < a->nt; i++) {
		struct chip_tensor_arg t = {
			.addr = a->taddr[i], .shape = { (u32)a->tbytes[i] }, .ndims = 1,
			.dtype = CHIP_DT_UINT8,
		};

		memcpy(b + 8 + 40 * i, &t, sizeof(t));
	}
	memcpy(b + 8 + 40 * a->nt, a->scal, 8 * a->ns);
	KUNIT_ASSERT_EQ(test, chipc_args_parse(b, len, out), 0);
	return out;
}

static struct chipc_run_req fx_req(struct fx *fx, const struct chipc_code *code,
				   const struct chipc_args *args)
{
	return (struct chipc_run_req){
		.code = code, .args = args, .block_dim = 1, .aicpu_threads = 1,
		.timeout_ns = 2 * NSEC_PER_SEC, .vm = fx->vm, .heap_va = HEAP_VA,
		.heap_size = HEAP_SIZE, .heap_host = fx->heap,
	};
}

static void fx_run(struct kunit *test, struct fx *fx, const struct chipc_code *code,
		   const struct fx_args *a, struct chipc_run_result *res)
{
	static const struct fx_args none;
	struct chipc_run_req req = fx_req(fx, code, fx_parse(test, a ? a : &none));

	chipc_device_run(&fx->dev, &req, res);
}

/* Orchestration program builder. */
struct prog {
	struct chip_insn in[MAXP];
	u32 n;
};

static void emit(struct kunit *test, struct prog *p, struct chip_insn in)
{
	KUNIT_ASSERT_LT(test, p->n, (u32)MAXP);
	p->in[p->n++] = in;
}

/* r@reg = MEM_VA + @off */
static void mem_addr(struct kunit *test, struct prog *p, u8 reg, u32 off)
{
	emit(test, p, CI_AI(LI, reg, (s32)(MEM_VA + off)));
}

/* TASK @fid (AIV) ... SUBMIT into r15 */
static void task(struct kunit *test, struct prog *p, s32 fid)
{
	emit(test, p, CI(TASK, CHIP_CORE_AIV, 0, 0, fid));
}

static void submit(struct kunit *test, struct prog *p)
{
	emit(test, p, CI_A(SUBMIT, 15));
}

static u32 *mem(struct fx *fx, u32 off)
{
	return fx->mem + off / 4;
}

#define OFF_X	0x1000
#define OFF_Y	0x2000
#define OFF_Z	0x3000
#define OFF_F	0x4000

/* A task: @fid with tensor (reg addr, reg bytes, dir) args and scalar regs. */
static void ttens(struct kunit *test, struct prog *p, u8 areg, u8 breg, u8 dir)
{
	emit(test, p, CI(TTENS, areg, breg, dir, 0));
}

/* Registers used by the dependency programs. */
enum { R_X = 1, R_X32, R_Y, R_Z, R_F, R_V, R_64, R_32, R_4 };

static void dep_prologue(struct kunit *test, struct prog *p)
{
	mem_addr(test, p, R_X, OFF_X);
	mem_addr(test, p, R_X32, OFF_X + 32);
	mem_addr(test, p, R_Y, OFF_Y);
	mem_addr(test, p, R_Z, OFF_Z);
	mem_addr(test, p, R_F, OFF_F);
	emit(test, p, CI_AI(LI, R_64, 64));
	emit(test, p, CI_AI(LI, R_32, 32));
	emit(test, p, CI_AI(LI, R_4, 4));
}

static struct fx *dep_fx(struct kunit *test)
{
	return fx_create(test, CHIP_PLATFORM_A2A3, 1, 16);
}

static void expect_ok(struct kunit *test, const struct chipc_run_result *res)
{
	KUNIT_EXPECT_EQ_MSG(test, res->status, (u32)CHIP_STATUS_OK, "code %d: %s", res->code,
			    res->msg);
}

static void task_aic(struct kunit *test, struct prog *p, s32 fid)
{
	emit(test, p, CI(TASK, CHIP_CORE_AIC, 0, 0, fid));
}

/*
 * The premise of the dependency cases: of two independent ready tasks,
 * the AIC one submitted second runs first, so the AIV one's mark (1.0)
 * is the one left in F.
 */
static void device_dep_pick_order(struct kunit *test)
{
	struct fx *fx = dep_fx(test);
	struct chipc_run_result res;
	struct chipc_code *code;
	struct prog p = {};

	dep_prologue(test, &p);
	task(test, &p, K_MARK);				/* U */
	emit(test, &p, CI_A(TSCAL, R_F));
	emit(test, &p, CI_AI(LIF, R_V, (s32)F32_1));
	emit(test, &p, CI_A(TSCAL, R_V));
	submit(test, &p);
	task_aic(test, &p, K_MARK_AIC);			/* T */
	emit(test, &p, CI_A(TSCAL, R_F));
	emit(test, &p, CI_AI(LIF, R_V, (s32)F32_2));
	emit(test, &p, CI_A(TSCAL, R_V));
	submit(test, &p);
	code = fx_load(test, fx, p.in, p.n);
	fx_run(test, fx, code, NULL, &res);
	expect_ok(test, &res);
	KUNIT_EXPECT_EQ_MSG(test, *mem(fx, OFF_F), F32_1,
			    "the later AIC task did not run first");
	chipc_dedup_put(fx->dedup, code);
}

/*
 * Read after write on partially overlapping regions: U fills X[0, 64)
 * with 2.0, T copies X[32, 64) to Y.  T must run after U: Y is 2.0.
 */
static void device_dep_read_after_write(struct kunit *test)
{
	struct fx *fx = dep_fx(test);
	struct chipc_run_result res;
	struct chipc_code *code;
	struct prog p = {};
	u32 i;

	dep_prologue(test, &p);
	task(test, &p, K_FILL);				/* U */
	ttens(test, &p, R_X, R_64, CHIP_DIR_OUT);
	emit(test, &p, CI_AI(LIF, R_V, (s32)F32_2));
	emit(test, &p, CI_A(TSCAL, R_V));
	submit(test, &p);
	task_aic(test, &p, K_COPY_AIC);			/* T */
	ttens(test, &p, R_X32, R_64, CHIP_DIR_IN);
	ttens(test, &p, R_Y, R_32, CHIP_DIR_OUT);
	submit(test, &p);
	code = fx_load(test, fx, p.in, p.n);

	fx_run(test, fx, code, NULL, &res);
	expect_ok(test, &res);
	KUNIT_EXPECT_EQ(test, res.tasks, 2ull);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ_MSG(test, *mem(fx, OFF_Y + 4 * i), F32_2, "elem %u", i);
	chipc_dedup_put(fx->dedup, code);
}

/*
 * Write after read: U copies X[0, 64) to Z, T overwrites X[32, 96) with
 * 5.0.  T must wait for U, so Z keeps X's old 3.0.
 */
static void device_dep_write_after_read(struct kunit *test)
{
	struct fx *fx = dep_fx(test);
	struct chipc_run_result res;
	struct chipc_code *code;
	struct prog p = {};
	u32 i;

	for (i = 0; i < 16; i++)
		*mem(fx, OFF_X + 4 * i) = F32_3;
	dep_prologue(test, &p);
	task(test, &p, K_COPY);				/* U */
	ttens(test, &p, R_X, R_64, CHIP_DIR_IN);
	ttens(test, &p, R_Z, R_64, CHIP_DIR_OUT);
	submit(test, &p);
	task_aic(test, &p, K_FILL_AIC);			/* T */
	ttens(test, &p, R_X32, R_64, CHIP_DIR_OUT);
	emit(test, &p, CI_AI(LIF, R_V, (s32)F32_5));
	emit(test, &p, CI_A(TSCAL, R_V));
	submit(test, &p);
	code = fx_load(test, fx, p.in, p.n);

	fx_run(test, fx, code, NULL, &res);
	expect_ok(test, &res);
	for (i = 0; i < 16; i++)
		KUNIT_EXPECT_EQ_MSG(test, *mem(fx, OFF_Z + 4 * i), F32_3, "elem %u", i);
	KUNIT_EXPECT_EQ(test, *mem(fx, OFF_X), F32_3);
	KUNIT_EXPECT_EQ(test, *mem(fx, OFF_X + 32), F32_5);
	chipc_dedup_put(fx->dedup, code);
}

/* Write after write: the later writer's 5.0 is what remains where they overlap. */
static void device_dep_write_after_write(struct kunit *test)
{
	struct fx *fx = dep_fx(test);
	struct chipc_run_result res;
	struct chipc_code *code;
	struct prog p = {};

	dep_prologue(test, &p);
	task(test, &p, K_FILL);				/* U: X[0, 64) = 2 */
	ttens(test, &p, R_X, R_64, CHIP_DIR_OUT);
	emit(test, &p, CI_AI(LIF, R_V, (s32)F32_2));
	emit(test, &p, CI_A(TSCAL, R_V));
	submit(test, &p);
	task_aic(test, &p, K_FILL_AIC);			/* T: X[32, 64) = 5 */
	ttens(test, &p, R_X32, R_32, CHIP_DIR_INOUT);
	emit(test, &p, CI_AI(LIF, R_V, (s32)F32_5));
	emit(test, &p, CI_A(TSCAL, R_V));
	submit(test, &p);
	code = fx_load(test, fx, p.in, p.n);

	fx_run(test, fx, code, NULL, &res);
	expect_ok(test, &res);
	KUNIT_EXPECT_EQ(test, *mem(fx, OFF_X), F32_2);
	KUNIT_EXPECT_EQ(test, *mem(fx, OFF_X + 32), F32_5);
	KUNIT_EXPECT_EQ(test, *mem(fx, OFF_X + 60), F32_5);
	chipc_dedup_put(fx->dedup, code);
}

/*
 * No false dependencies: two readers of overlapping regions, and tasks
 * on adjacent regions, are independent, so T (AIC) runs first and U's
 * mark (1.0), written last, remains in F.
 */
static void device_dep_none_for_readers_and_adjacent(struct kunit *test)
{
	static const struct { u8 udir, tdir; u32 toff; } t[] = {
		{ CHIP_DIR_IN, CHIP_DIR_IN, 32 },	/* readers, overlapping */
		{ CHIP_DIR_OUT, CHIP_DIR_OUT, 64 },	/* writers, adjacent */
		{ CHIP_DIR_INOUT, CHIP_DIR_IN, 64 },	/* writer and reader, adjacent */
	};
	struct fx *fx = dep_fx(test);
	struct chipc_run_result res;
	struct chipc_code *code;
	u32 k;

	for (k = 0; k < ARRAY_SIZE(t); k++) {
		struct prog p = {};

		*mem(fx, OFF_F) = 0;
		dep_prologue(test, &p);
		emit(test, &p, CI_AI(LI, 10, (s32)(MEM_VA + OFF_X + t[k].toff)));
		task(test, &p, K_MARK);			/* U */
		emit(test, &p, CI_A(TSCAL, R_F));
		emit(test, &p, CI_AI(LIF, R_V, (s32)F32_1));
		emit(test, &p, CI_A(TSCAL, R_V));
		ttens(test, &p, R_X, R_64, t[k].udir);
		submit(test, &p);
		task_aic(test, &p, K_MARK_AIC);		/* T */
		emit(test, &p, CI_A(TSCAL, R_F));
		emit(test, &p, CI_AI(LIF, R_V, (s32)F32_2));
		emit(test, &p, CI_A(TSCAL, R_V));
		ttens(test, &p, 10, R_32, t[k].tdir);
		submit(test, &p);
		code = fx_load(test, fx, p.in, p.n);
		fx_run(test, fx, code, NULL, &res);
		expect_ok(test, &res);
		KUNIT_EXPECT_EQ_MSG(test, *mem(fx, OFF_F), F32_1, "case %u: false dependency", k);
		chipc_dedup_put(fx->dedup, code);
	}
}

/*
 * Back-pressure: 200 tasks through a 4-slot ring, each adding 1 to the
 * same INOUT element, all complete in order: the element ends at 200.
 */
static void device_ring_back_pressure_chain(struct kunit *test)
{
	struct fx *fx = fx_create(test, CHIP_PLATFORM_A2A3, 3, 4);
	struct chipc_run_result res;
	struct chipc_code *code;
	struct prog p = {};

	dep_prologue(test, &p);
	emit(test, &p, CI_AI(LI, 10, 200));
	task(test, &p, K_ADD1);				/* loop: X = X + 1 */
	ttens(test, &p, R_X, R_4, CHIP_DIR_IN);
	ttens(test, &p, R_X, R_4, CHIP_DIR_OUT);
	submit(test, &p);
	emit(test, &p, CI_ABI(ADDI, 10, 10, -1));
	emit(test, &p, CI(BNE, 10, 0, 0, -5));
	code = fx_load(test, fx, p.in, p.n);

	fx_run(test, fx, code, NULL, &res);
	expect_ok(test, &res);
	KUNIT_EXPECT_EQ(test, res.tasks, 200ull);
	KUNIT_EXPECT_EQ(test, *mem(fx, OFF_X), 0x43480000u);	/* 200.0 */
	chipc_dedup_put(fx->dedup, code);
}

/*
 * An a5 callable of 300 independent tasks: task i fills the 64-byte slice
 * i of OFF_X with 47.0.
 */
static struct chipc_code *load_300_fills(struct kunit *test, struct fx *fx)
{
	struct prog p = {};
	struct chip_test_callable dd = {
		.platform = CHIP_PLATFORM_A5, .children = kernels,
		.nchildren = ARRAY_SIZE(kernels),
	};

	dep_prologue(test, &p);
	emit(test, &p, CI_AI(LI, 10, 300));
	emit(test, &p, CI_AI(LIF, R_V, (s32)F32_47));
	task(test, &p, K_FILL);				/* loop: slice[i] = 47 */
	ttens(test, &p, R_X, R_64, CHIP_DIR_OUT);
	emit(test, &p, CI_A(TSCAL, R_V));
	submit(test, &p);
	emit(test, &p, CI_ABC(ADD, R_X, R_X, R_64));
	emit(test, &p, CI_ABI(ADDI, 10, 10, -1));
	emit(test, &p, CI(BNE, 10, 0, 0, -6));
	dd.orch = p.in;
	dd.norch = p.n;
	return fx_load_desc(test, fx, &dd);
}

/*
 * More independent tasks than ring slots, on a5 with 8 blocks: every task
 * fills its own 64-byte slice, and every slice is written.
 */
static void device_ring_many_independent_tasks(struct kunit *test)
{
	struct fx *fx = fx_create(test, CHIP_PLATFORM_A5, 4, 8);
	struct chipc_run_result res;
	struct chipc_run_req req;
	struct chipc_code *code;
	u32 i;

	code = load_300_fills(test, fx);

	req = fx_req(fx, code, fx_parse(test, &(struct fx_args){}));
	req.block_dim = 8;
	chipc_device_run(&fx->dev, &req, &res);
	expect_ok(test, &res);
	KUNIT_EXPECT_EQ(test, res.tasks, 300ull);
	for (i = 0; i < 300 * 16; i++)
		if (*mem(fx, OFF_X + 4 * i) != F32_47) {
			KUNIT_FAIL(test, "element %u not written", i);
			break;
		}
	KUNIT_EXPECT_EQ(test, *mem(fx, OFF_X + 300 * 64), 0u);
	chipc_dedup_put(fx->dedup, code);
}

/* The spans of one run: cores of the run, distinct ids, disjoint per core. */
static void expect_spans(struct kunit *test, const struct chipc_span *sp,
			 u32 n, u32 ntasks, u64 device_ns, u32 naiv)
{
	unsigned long *seen = kunit_kzalloc(test, BITS_TO_LONGS(ntasks) *
					    sizeof(long), GFP_KERNEL);
	u32 i, j;

	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_LE(test, sp[i].start_ns, sp[i].end_ns);
		KUNIT_EXPECT_LE(test, sp[i].end_ns, device_ns);
		KUNIT_EXPECT_EQ(test, sp[i].func_id, K_FILL);
		KUNIT_EXPECT_EQ(test, sp[i].core_type, (u16)CHIP_CORE_AIV);
		KUNIT_EXPECT_LT(test, sp[i].core, (u16)naiv);
		KUNIT_EXPECT_EQ(test, sp[i].pad, 0u);
		KUNIT_ASSERT_LT(test, sp[i].task, ntasks);
		KUNIT_EXPECT_FALSE(test, test_and_set_bit(sp[i].task, seen));
		for (j = 0; j < i; j++)
			if (sp[j].core == sp[i].core)
				KUNIT_EXPECT_TRUE(test,
						  sp[i].start_ns >= sp[j].end_ns ||
						  sp[j].start_ns >= sp[i].end_ns);
	}
}

/*
 * A timeline records one span per completed task up to its capacity and
 * counts the rest; without one, nothing is recorded.
 */
static void device_timeline(struct kunit *test)
{
	struct fx *fx = fx_create(test, CHIP_PLATFORM_A5, 4, 8);
	struct chipc_span *sp = kunit_kcalloc(test, 301, sizeof(*sp),
					      GFP_KERNEL);
	struct chipc_run_result res;
	struct chipc_run_req req;
	struct chipc_code *code;

	KUNIT_ASSERT_NOT_NULL(test, sp);
	code = load_300_fills(test, fx);

	req = fx_req(fx, code, fx_parse(test, &(struct fx_args){}));
	req.block_dim = 8;
	req.spans = sp;
	req.span_cap = 300;
	chipc_device_run(&fx->dev, &req, &res);
	expect_ok(test, &res);
	KUNIT_EXPECT_EQ(test, res.tasks, 300ull);
	KUNIT_EXPECT_EQ(test, res.spans, 300u);
	expect_spans(test, sp, 300, 300, res.device_ns, 16);
	KUNIT_EXPECT_EQ(test, sp[300].end_ns, 0ull);

	memset(sp, 0, 301 * sizeof(*sp));
	req.span_cap = 10;
	chipc_device_run(&fx->dev, &req, &res);
	KUNIT_EXPECT_EQ(test, res.tasks, 300ull);
	KUNIT_EXPECT_EQ(test, res.spans, 10u);
	expect_spans(test, sp, 10, 300, res.device_ns, 16);
	KUNIT_EXPECT_EQ(test, sp[10].end_ns, 0ull);

	memset(sp, 0, 301 * sizeof(*sp));
	req.spans = NULL;
	req.span_cap = 0;
	chipc_device_run(&fx->dev, &req, &res);
	KUNIT_EXPECT_EQ(test, res.tasks, 300ull);
	KUNIT_EXPECT_EQ(test, res.spans, 0u);
	KUNIT_EXPECT_EQ(test, sp[0].end_ns, 0ull);
	chipc_dedup_put(fx->dedup, code);
}

/*
 * ALLOC hands out 64-byte aligned heap buffers; a scope gives its
 * allocations back at ENDSCOPE, so 20 scoped 40 KiB allocations fit a
 * 64 KiB heap, and a task can use a heap buffer.
 */
static void device_heap_scope_release(struct kunit *test)
{
	struct fx *fx = fx_create(test, CHIP_PLATFORM_A2A3, 2, 16);
	struct chipc_run_result res;
	struct chipc_code *code;
	struct prog p = {};

	dep_prologue(test, &p);
	emit(test, &p, CI_AI(LI, 10, 20));
	emit(test, &p, CI_AI(LI, 11, 40 * 1024));
	emit(test, &p, CI_AI(LI, 12, 3));
	emit(test, &p, CI_AB(ALLOC, 13, 12));		/* 3 bytes, outside the loop */
	emit(test, &p, CI0(SCOPE));			/* loop: */
	emit(test, &p, CI_AB(ALLOC, 14, 11));
	task(test, &p, K_FILL);				/* heap buffer = 47 */
	ttens(test, &p, 14, R_64, CHIP_DIR_OUT);
	emit(test, &p, CI_AI(LIF, R_V, (s32)F32_47));
	emit(test, &p, CI_A(TSCAL, R_V));
	submit(test, &p);
	task(test, &p, K_ADD1);				/* Y = heap buffer + 1 */
	ttens(test, &p, 14, R_64, CHIP_DIR_IN);
	ttens(test, &p, R_Y, R_64, CHIP_DIR_OUT);
	submit(test, &p);
	emit(test, &p, CI0(ENDSCOPE));
	emit(test, &p, CI_ABI(ADDI, 10, 10, -1));
	emit(test, &p, CI(BNE, 10, 0, 0, -13));
	code = fx_load(test, fx, p.in, p.n);

	fx_run(test, fx, code, NULL, &res);
	expect_ok(test, &res);
	KUNIT_EXPECT_EQ(test, res.tasks, 40ull);
	KUNIT_EXPECT_EQ(test, *mem(fx, OFF_Y), 0x42400000u);	/* 48.0 */
	KUNIT_EXPECT_EQ(test, *(u32 *)(fx->heap + 64), F32_47);

	/* the heap is the run's: the next run starts with all of it */
	fx_run(test, fx, code, NULL, &res);
	expect_ok(test, &res);
	chipc_dedup_put(fx->dedup, code);
}

/* Without the scope, the second 40 KiB allocation exhausts the heap: ORCH_ERROR/HEAP. */
static void device_heap_exhausted(struct kunit *test)
{
	struct fx *fx = fx_create(test, CHIP_PLATFORM_A2A3, 2, 16);
	static const struct chip_insn orch[] = {
		CI_AI(LI, 1, 40 * 1024), CI_AB(ALLOC, 2, 1), CI_AB(ALLOC, 3, 1), CI0(HALT),
	};
	static const struct chip_insn zero[] = { CI_AB(ALLOC, 2, 0), CI0(HALT) };
	struct chipc_run_result res;
	struct chipc_code *code = fx_load(test, fx, orch, ARRAY_SIZE(orch));

	fx_run(test, fx, code, NULL, &res);
	KUNIT_EXPECT_EQ(test, res.status, (u32)CHIP_STATUS_ORCH_ERROR);
	KUNIT_EXPECT_EQ(test, res.code, CHIP_ORCH_HEAP);
	chipc_dedup_put(fx->dedup, code);

	code = fx_load(test, fx, zero, ARRAY_SIZE(zero));
	fx_run(test, fx, code, NULL, &res);
	KUNIT_EXPECT_EQ(test, res.status, (u32)CHIP_STATUS_ORCH_ERROR);
	KUNIT_EXPECT_EQ(test, res.code, CHIP_ORCH_INVALID_ARGS);
	chipc_dedup_put(fx->dedup, code);
}

/*
 * One orchestration program and the status/code its run must end with.
 * The program is padded with NOPs, which run off its end like a HALT.
 */
struct orch_error {
	const char *name;
	struct chip_insn in[8];
	u32 status;
	s32 code;
};

#define OE(nm, st, cd, ...) { .name = #nm, .in = { __VA_ARGS__ }, .status = st, .code = cd }

static const struct orch_error orch_errors[] = {
	OE(fatal, CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_FATAL, CI(FATAL, 0, 0, 0, 9)),
	OE(fatal_code_42, CHIP_STATUS_ORCH_ERROR, 42, CI(FATAL, 0, 0, 0, 42)),
	OE(unknown_func_id, CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_INVALID_ARGS,
	   CI(TASK, CHIP_CORE_AIV, 0, 0, 999), CI_A(SUBMIT, 1)),
	OE(wrong_core_type, CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_INVALID_ARGS,
	   CI(TASK, CHIP_CORE_AIC, 0, 0, K_FILL), CI_A(SUBMIT, 1)),
	OE(submit_without_task, CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_INVALID_ARGS,
	   CI_A(SUBMIT, 1)),
	OE(arg_without_task, CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_INVALID_ARGS,
	   CI_A(TSCAL, 1)),
	OE(task_twice, CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_INVALID_ARGS,
	   CI(TASK, CHIP_CORE_AIC, 0, 0, K_AIC_NOP), CI(TASK, CHIP_CORE_AIC, 0, 0, K_AIC_NOP)),
	OE(halt_with_open_task, CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_INVALID_ARGS,
	   CI(TASK, CHIP_CORE_AIC, 0, 0, K_AIC_NOP), CI0(HALT)),
	OE(empty_tensor, CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_INVALID_ARGS,
	   CI(TASK, CHIP_CORE_AIV, 0, 0, K_FILL), CI(TTENS, 1, 2, CHIP_DIR_IN, 0)),
	OE(wrapping_tensor, CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_INVALID_ARGS,
	   CI_AI(LI, 1, -64), CI_AI(LI, 2, 128),
	   CI(TASK, CHIP_CORE_AIV, 0, 0, K_FILL), CI(TTENS, 1, 2, CHIP_DIR_IN, 0)),
	OE(too_many_args, CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_INVALID_ARGS,
	   CI_AI(LI, 2, 33), CI(TASK, CHIP_CORE_AIV, 0, 0, K_FILL), CI_A(TSCAL, 1),
	   CI_ABI(ADDI, 2, 2, -1), CI(BNE, 2, 0, 0, -2), CI_A(SUBMIT, 1)),
	OE(endscope_without_scope, CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_SCOPE, CI0(ENDSCOPE)),
	OE(halt_with_open_scope, CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_SCOPE, CI0(SCOPE), CI0(HALT)),
	OE(scopes_too_deep, CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_SCOPE,
	   CI0(SCOPE), CI0(SCOPE), CI0(SCOPE), CI0(SCOPE), CI0(SCOPE)),
	OE(orch_fault, CHIP_STATUS_FAULT, CHIP_FAULT_ARG, CI_AI(ARG, 1, 3)),
	OE(kernel_store_fault, CHIP_STATUS_FAULT, CHIP_FAULT_WRITE,
	   CI_AI(LI, 1, 0x1000), CI(TASK, CHIP_CORE_AIV, 0, 0, K_STORE_AT), CI_A(TSCAL, 1),
	   CI_A(SUBMIT, 2)),
};

static void orch_error_desc(const struct orch_error *e, char *desc)
{
	strscpy(desc, e->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(orch_error, orch_errors, orch_error_desc);

/*
 * Each faulty orchestration ends its run with its documented status and
 * code, and the device runs the next request normally.
 */
static void device_run_error_status(struct kunit *test)
{
	static const struct chip_insn ok[] = {
		CI(TASK, CHIP_CORE_AIC, 0, 0, K_AIC_NOP), CI_A(SUBMIT, 1), CI0(HALT),
	};
	const struct orch_error *e = test->param_value;
	struct fx *fx = fx_create(test, CHIP_PLATFORM_A2A3, 2, 16);
	struct chipc_run_result res;
	struct chipc_code *code = fx_load(test, fx, e->in, ARRAY_SIZE(e->in));
	struct chipc_code *good = fx_load(test, fx, ok, ARRAY_SIZE(ok));

	fx_run(test, fx, code, NULL, &res);
	KUNIT_EXPECT_EQ_MSG(test, res.status, e->status, "%s", res.msg);
	KUNIT_EXPECT_EQ(test, res.code, e->code);
	KUNIT_EXPECT_NE(test, res.msg[0], '\0');
	if (e->status == CHIP_STATUS_FAULT && e->code == CHIP_FAULT_WRITE)
		KUNIT_EXPECT_EQ(test, res.fault_addr, 0x1000ull);

	fx_run(test, fx, good, NULL, &res);
	expect_ok(test, &res);
	KUNIT_EXPECT_EQ(test, res.tasks, 1ull);
	chipc_dedup_put(fx->dedup, code);
	chipc_dedup_put(fx->dedup, good);
}

/*
 * A spinning kernel is stopped by the watchdog (TIMEOUT well under a
 * second for a 100 ms timeout) and by the instruction budget; the device
 * serves the next run.
 */
static void device_watchdog_and_budget(struct kunit *test)
{
	static const struct chip_insn spin[] = {
		CI(TASK, CHIP_CORE_AIV, 0, 0, K_SPIN), CI_A(SUBMIT, 1), CI0(HALT),
	};
	static const struct chip_insn ok[] = {
		CI(TASK, CHIP_CORE_AIC, 0, 0, K_AIC_NOP), CI_A(SUBMIT, 1), CI0(HALT),
	};
	struct fx *fx = fx_create(test, CHIP_PLATFORM_A2A3, 2, 16);
	struct chipc_code *code = fx_load(test, fx, spin, ARRAY_SIZE(spin));
	struct chipc_code *good = fx_load(test, fx, ok, ARRAY_SIZE(ok));
	struct chipc_run_result res;
	struct chipc_run_req req;
	u64 t0, dt;

	req = fx_req(fx, code, fx_parse(test, &(struct fx_args){}));
	req.timeout_ns = 100 * NSEC_PER_MSEC;
	t0 = ktime_get_ns();
	chipc_device_run(&fx->dev, &req, &res);
	dt = ktime_get_ns() - t0;
	KUNIT_EXPECT_EQ(test, res.status, (u32)CHIP_STATUS_TIMEOUT);
	KUNIT_EXPECT_GE(test, dt, 100 * NSEC_PER_MSEC);
	KUNIT_EXPECT_LT(test, dt, NSEC_PER_SEC);

	req.timeout_ns = 0;
	req.insn_budget = 10000;
	chipc_device_run(&fx->dev, &req, &res);
	KUNIT_EXPECT_EQ(test, res.status, (u32)CHIP_STATUS_TIMEOUT);

	fx_run(test, fx, good, NULL, &res);
	expect_ok(test, &res);
	chipc_dedup_put(fx->dedup, code);
	chipc_dedup_put(fx->dedup, good);
}

/* A run whose abort flag is set is CANCELLED, and runs no task. */
static void device_run_cancelled(struct kunit *test)
{
	static const struct chip_insn orch[] = {
		CI(TASK, CHIP_CORE_AIV, 0, 0, K_SPIN), CI_A(SUBMIT, 1), CI0(HALT),
	};
	struct fx *fx = fx_create(test, CHIP_PLATFORM_A2A3, 2, 16);
	struct chipc_code *code = fx_load(test, fx, orch, ARRAY_SIZE(orch));
	struct chipc_run_result res;
	struct chipc_run_req req;

	req = fx_req(fx, code, fx_parse(test, &(struct fx_args){}));
	fx->abort = 1;
	req.abort = &fx->abort;
	chipc_device_run(&fx->dev, &req, &res);
	KUNIT_EXPECT_EQ(test, res.status, (u32)CHIP_STATUS_CANCELLED);
	KUNIT_EXPECT_EQ(test, res.tasks, 0ull);
	chipc_dedup_put(fx->dedup, code);
}

/*
 * The dispatch table is rebuilt for every run: after running a callable
 * with func_id 1, a callable without it cannot reach func_id 1.
 */
static void device_stale_func_id_unreachable(struct kunit *test)
{
	static const struct chip_insn orch[] = {
		CI(TASK, CHIP_CORE_AIV, 0, 0, K_FILL), CI0(HALT),
	};
	static const struct chip_insn nop_orch[] = { CI0(HALT) };
	static const struct chip_test_child only_aic[] = {
		{ 500, CHIP_CORE_AIC, k_aic_nop, 1 },
	};
	const struct chip_test_callable other = {
		.orch = orch, .norch = ARRAY_SIZE(orch), .children = only_aic, .nchildren = 1,
	};
	struct fx *fx = fx_create(test, CHIP_PLATFORM_A2A3, 2, 16);
	struct chipc_code *a = fx_load(test, fx, nop_orch, 1);
	struct chipc_code *b = fx_load_desc(test, fx, &other);
	struct chipc_run_result res;

	fx_run(test, fx, a, NULL, &res);
	expect_ok(test, &res);
	KUNIT_EXPECT_NOT_NULL(test, fx->dev.functab.fn[K_FILL]);
	fx_run(test, fx, b, NULL, &res);
	KUNIT_EXPECT_EQ(test, res.status, (u32)CHIP_STATUS_ORCH_ERROR);
	KUNIT_EXPECT_EQ(test, res.code, CHIP_ORCH_INVALID_ARGS);
	KUNIT_EXPECT_NULL(test, fx->dev.functab.fn[K_FILL]);
	KUNIT_EXPECT_NOT_NULL(test, fx->dev.functab.fn[500]);
	chipc_dedup_put(fx->dedup, a);
	chipc_dedup_put(fx->dedup, b);
}

/*
 * chipc_run_check() enforces block_dim 1..max_blocks and aicpu_threads
 * 1..max per platform, the platform of the code and the runtime's
 * graph rule; chipc_device_run() reports a rejected request as INVALID.
 */
static void device_run_check_limits(struct kunit *test)
{
	static const struct chip_insn orch[] = { CI0(HALT) };
	struct fx *fx = fx_create(test, CHIP_PLATFORM_A2A3, 1, 4);
	struct chipc_code *code = fx_load(test, fx, orch, 1);
	const struct chipc_args *args = fx_parse(test, &(struct fx_args){});
	struct chipc_run_req req = fx_req(fx, code, args);
	struct chipc_graph g = {};
	struct chipc_run_result res;

	KUNIT_EXPECT_EQ(test, chipc_run_check(&fx->dev, &req), 0);
	req.block_dim = 24;
	req.aicpu_threads = 4;
	KUNIT_EXPECT_EQ(test, chipc_run_check(&fx->dev, &req), 0);
	req.block_dim = 25;
	KUNIT_EXPECT_EQ(test, chipc_run_check(&fx->dev, &req), -EINVAL);
	req.block_dim = 0;
	KUNIT_EXPECT_EQ(test, chipc_run_check(&fx->dev, &req), -EINVAL);
	req.block_dim = 1;
	req.aicpu_threads = 5;
	KUNIT_EXPECT_EQ(test, chipc_run_check(&fx->dev, &req), -EINVAL);
	req.aicpu_threads = 0;
	KUNIT_EXPECT_EQ(test, chipc_run_check(&fx->dev, &req), -EINVAL);
	req.aicpu_threads = 1;
	req.graph = &g;
	KUNIT_EXPECT_EQ(test, chipc_run_check(&fx->dev, &req), -EINVAL);
	req.graph = NULL;
	req.vm = NULL;
	KUNIT_EXPECT_EQ(test, chipc_run_check(&fx->dev, &req), -EINVAL);
	req.vm = fx->vm;
	req.args = NULL;
	KUNIT_EXPECT_EQ(test, chipc_run_check(&fx->dev, &req), -EINVAL);
	req.args = args;
	req.block_dim = 25;
	chipc_device_run(&fx->dev, &req, &res);
	KUNIT_EXPECT_EQ(test, res.status, (u32)CHIP_STATUS_INVALID);
	KUNIT_EXPECT_EQ(test, res.tasks, 0ull);
	chipc_dedup_put(fx->dedup, code);
}

/* On a5 the limits are 36 blocks and 7 AICPU threads; a2a3 code is refused there. */
static void device_run_check_a5(struct kunit *test)
{
	static const struct chip_insn orch[] = { CI0(HALT) };
	const struct chip_test_callable d = { .platform = CHIP_PLATFORM_A5, .orch = orch,
					      .norch = 1 };
	struct fx *fx = fx_create(test, CHIP_PLATFORM_A5, 1, 4);
	struct chipc_code *code = fx_load_desc(test, fx, &d);
	struct chipc_code *a2 = fx_load(test, fx, orch, 1);
	struct chipc_run_req req = fx_req(fx, code, fx_parse(test, &(struct fx_args){}));

	req.block_dim = 36;
	req.aicpu_threads = 7;
	KUNIT_EXPECT_EQ(test, chipc_run_check(&fx->dev, &req), 0);
	req.block_dim = 37;
	KUNIT_EXPECT_EQ(test, chipc_run_check(&fx->dev, &req), -EINVAL);
	req.block_dim = 1;
	req.aicpu_threads = 8;
	KUNIT_EXPECT_EQ(test, chipc_run_check(&fx->dev, &req), -EINVAL);
	req.aicpu_threads = 1;
	req.code = a2;
	KUNIT_EXPECT_EQ(test, chipc_run_check(&fx->dev, &req), -EINVAL);
	chipc_dedup_put(fx->dedup, code);
	chipc_dedup_put(fx->dedup, a2);
}

/* Bad device configurations are -EINVAL and start nothing. */
static void device_init_rejects_config(struct kunit *test)
{
	static const struct chipc_device_cfg bad[] = {
		{ 0, 1, 4, 64 }, { 3, 1, 4, 64 },
		{ CHIP_PLATFORM_A2A3, 0, 4, 64 }, { CHIP_PLATFORM_A2A3, 17, 4, 64 },
		{ CHIP_PLATFORM_A2A3, 1, 2, 64 }, { CHIP_PLATFORM_A2A3, 1, 6, 64 },
		{ CHIP_PLATFORM_A2A3, 1, 131072, 64 }, { CHIP_PLATFORM_A2A3, 1, 4, 63 },
	};
	struct chipc_device *dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, dev);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, chipc_device_init(dev, &bad[i]), -EINVAL, "cfg %u", i);
		KUNIT_EXPECT_NULL(test, dev->sched);
	}
	/* fini of a device that never started is harmless */
	chipc_device_fini(dev);
}

/*
 * Accounting: every task of a run is counted, and the instruction count
 * is the orchestration's plus each kernel's (here 1 HALT each).
 */
static void device_run_accounting(struct kunit *test)
{
	static const struct chip_insn orch[] = {
		CI_AI(LI, 1, 10),
		CI(TASK, CHIP_CORE_AIC, 0, 0, K_AIC_NOP), CI_A(SUBMIT, 2),
		CI_ABI(ADDI, 1, 1, -1), CI(BNE, 1, 0, 0, -3), CI0(HALT),
	};
	struct fx *fx = fx_create(test, CHIP_PLATFORM_A2A3, 2, 4);
	struct chipc_code *code = fx_load(test, fx, orch, ARRAY_SIZE(orch));
	struct chipc_run_result res;

	fx_run(test, fx, code, NULL, &res);
	expect_ok(test, &res);
	KUNIT_EXPECT_EQ(test, res.tasks, 10ull);
	KUNIT_EXPECT_EQ(test, res.insns, 1ull + 10 * 4 + 1 + 10);
	KUNIT_EXPECT_GT(test, res.device_ns, 0ull);
	chipc_dedup_put(fx->dedup, code);
}

/*
 * The reference workload: f = (a+b+1)*(a+b+2) + (a+b) over 16384 floats
 * with a = 2, b = 3 is 47.0 everywhere, computed by 16 tasks of 1024
 * elements on 4 blocks.
 */
static void device_vector_example(struct kunit *test)
{
	static const struct chip_insn orch[] = {
		CI_AI(ARG, 1, 0), CI_AI(ARG, 2, 1), CI_AI(ARG, 3, 2),
		CI_AI(LI, 4, 4096), CI_AI(LI, 5, 16),
		CI(TASK, CHIP_CORE_AIV, 0, 0, K_VEC),		/* loop: */
		CI(TTENS, 1, 4, CHIP_DIR_IN, 0), CI(TTENS, 2, 4, CHIP_DIR_IN, 0),
		CI(TTENS, 3, 4, CHIP_DIR_OUT, 0), CI_A(SUBMIT, 6),
		CI_ABC(ADD, 1, 1, 4), CI_ABC(ADD, 2, 2, 4), CI_ABC(ADD, 3, 3, 4),
		CI_ABI(ADDI, 5, 5, -1), CI(BNE, 5, 0, 0, -9), CI0(HALT),
	};
	const u32 n = 16384;
	struct fx *fx = fx_create(test, CHIP_PLATFORM_A2A3, 4, 8);
	struct chipc_code *code = fx_load(test, fx, orch, ARRAY_SIZE(orch));
	struct fx_args a = { .nt = 3, .taddr = { MEM_VA, MEM_VA + 4 * n, MEM_VA + 8 * n },
			     .tbytes = { 4 * n, 4 * n, 4 * n } };
	struct chipc_run_req req;
	struct chipc_run_result res;
	u32 i, bad = 0;

	KUNIT_ASSERT_LE(test, 12 * n, (u32)MEM_SIZE);
	for (i = 0; i < n; i++) {
		fx->mem[i] = F32_2;
		fx->mem[n + i] = F32_3;
	}
	req = fx_req(fx, code, fx_parse(test, &a));
	req.block_dim = 4;
	chipc_device_run(&fx->dev, &req, &res);
	expect_ok(test, &res);
	KUNIT_EXPECT_EQ(test, res.tasks, 16ull);
	for (i = 0; i < n; i++)
		bad += fx->mem[2 * n + i] != F32_47;
	KUNIT_EXPECT_EQ(test, bad, 0u);
	chipc_dedup_put(fx->dedup, code);
}

/* ------------------------------------------------------ host_build_graph */

struct gblob {
	struct chip_graph_hdr h;
	struct chip_graph_task t[4];
	struct chip_graph_arg a[8];
	struct chip_graph_edge e[4];
};

/*
 * A host_build_graph chain fill -> add1 -> add1 (explicit edges) leaves
 * 4.0; a cycle is a SCHED_ERROR/STALL; a func_id outside the callable is
 * INVALID_ARGS; a heap larger than the run's is INVALID.
 */
static void device_graph_runtime(struct kunit *test)
{
	const struct chip_test_callable d = {
		.runtime = CHIP_RUNTIME_HOST_BUILD_GRAPH, .children = kernels,
		.nchildren = ARRAY_SIZE(kernels),
	};
	struct fx *fx = fx_create(test, CHIP_PLATFORM_A2A3, 2, 16);
	struct chipc_code *code = fx_load_desc(test, fx, &d);
	struct gblob *g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);
	struct chipc_run_result res;
	struct chipc_run_req req;
	struct chipc_graph graph;
	u64 len = chipc_graph_size(3, 5, 2);
	u8 *blob;

	KUNIT_ASSERT_NOT_NULL(test, g);
	g->h = (struct chip_graph_hdr){ 3, 5, 2, 0 };
	g->t[0] = (struct chip_graph_task){ K_FILL, CHIP_CORE_AIV, 0, 2 };
	g->t[1] = (struct chip_graph_task){ K_ADD1, CHIP_CORE_AIV, 2, 2 };
	g->t[2] = (struct chip_graph_task){ K_ADD1, CHIP_CORE_AIV, 3, 2 };
	g->a[0] = (struct chip_graph_arg){ MEM_VA + OFF_X, 64, CHIP_DIR_OUT, 0 };
	g->a[1] = (struct chip_graph_arg){ F32_2, 0, CHIP_DIR_SCALAR, 0 };
	g->a[2] = (struct chip_graph_arg){ MEM_VA + OFF_X, 64, CHIP_DIR_INOUT, 0 };
	g->a[3] = (struct chip_graph_arg){ MEM_VA + OFF_X, 64, CHIP_DIR_INOUT, 0 };
	g->a[4] = (struct chip_graph_arg){ MEM_VA + OFF_X, 64, CHIP_DIR_INOUT, 0 };
	g->e[0] = (struct chip_graph_edge){ 0, 1 };
	g->e[1] = (struct chip_graph_edge){ 1, 2 };

	/* the blob is packed: tasks, then args, then edges */
	blob = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, blob);
	memcpy(blob, &g->h, 16);
	memcpy(blob + 16, g->t, 3 * 16);
	memcpy(blob + 64, g->a, 5 * 24);
	memcpy(blob + 184, g->e, 2 * 8);
	KUNIT_ASSERT_EQ(test, chipc_graph_parse(blob, len, &graph), 0);

	req = fx_req(fx, code, fx_parse(test, &(struct fx_args){}));
	req.graph = &graph;
	chipc_device_run(&fx->dev, &req, &res);
	expect_ok(test, &res);
	KUNIT_EXPECT_EQ(test, res.tasks, 3ull);
	KUNIT_EXPECT_EQ(test, *mem(fx, OFF_X), 0x40800000u);		/* 4.0 */
	KUNIT_EXPECT_EQ(test, *mem(fx, OFF_X + 60), 0x40800000u);

	/* edge 1 -> 0 closes a cycle with 0 -> 1 */
	((struct chip_graph_edge *)(blob + 184))[1] = (struct chip_graph_edge){ 1, 0 };
	KUNIT_ASSERT_EQ(test, chipc_graph_parse(blob, len, &graph), 0);
	chipc_device_run(&fx->dev, &req, &res);
	KUNIT_EXPECT_EQ(test, res.status, (u32)CHIP_STATUS_SCHED_ERROR);
	KUNIT_EXPECT_EQ(test, res.code, CHIP_SCHED_STALL);

	((struct chip_graph_task *)(blob + 16))[1].func_id = 777;
	chipc_device_run(&fx->dev, &req, &res);
	KUNIT_EXPECT_EQ(test, res.status, (u32)CHIP_STATUS_ORCH_ERROR);
	KUNIT_EXPECT_EQ(test, res.code, CHIP_ORCH_INVALID_ARGS);

	((struct chip_graph_hdr *)blob)->heap_bytes = HEAP_SIZE + 1;
	chipc_device_run(&fx->dev, &req, &res);
	KUNIT_EXPECT_EQ(test, res.status, (u32)CHIP_STATUS_INVALID);
	chipc_dedup_put(fx->dedup, code);
}

static struct kunit_case chip_device_test_cases[] = {
	KUNIT_CASE(device_dep_pick_order),
	KUNIT_CASE(device_dep_read_after_write),
	KUNIT_CASE(device_dep_write_after_read),
	KUNIT_CASE(device_dep_write_after_write),
	KUNIT_CASE(device_dep_none_for_readers_and_adjacent),
	KUNIT_CASE(device_ring_back_pressure_chain),
	KUNIT_CASE(device_ring_many_independent_tasks),
	KUNIT_CASE(device_timeline),
	KUNIT_CASE(device_heap_scope_release),
	KUNIT_CASE(device_heap_exhausted),
	KUNIT_CASE_PARAM(device_run_error_status, orch_error_gen_params),
	KUNIT_CASE(device_watchdog_and_budget),
	KUNIT_CASE(device_run_cancelled),
	KUNIT_CASE(device_stale_func_id_unreachable),
	KUNIT_CASE(device_run_check_limits),
	KUNIT_CASE(device_run_check_a5),
	KUNIT_CASE(device_init_rejects_config),
	KUNIT_CASE(device_run_accounting),
	KUNIT_CASE(device_vector_example),
	KUNIT_CASE(device_graph_runtime),
	{}
};

static struct kunit_suite chip_device_test_suite = {
	.name = "chip_device",
	.test_cases = chip_device_test_cases,
};

kunit_test_suite(chip_device_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the chip emulated device and schedulers");
