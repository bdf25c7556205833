// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The scheduler of the emulated device: dependency derivation from
 * overlapping regions, back-pressure, heap and scopes, orchestration
 * errors, task faults, the watchdog, cancellation, and host_build_graph
 * graphs.  Programs are built here as instruction arrays; ordering is
 * observed through the values kernels leave in device memory, with slow
 * kernels making a missing dependency show up as a wrong value.
 */
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include "helpers.h"
#include "chipc.h"

#define GM_VA		0x10000000ull
#define GM_SIZE		(16u << 20)
#define HEAP_VA		0x40000000ull
#define HEAP_SIZE	(1u << 20)
#define UNMAPPED	0x7f000000ull

/* A delay loop of SLOW iterations takes tens of milliseconds. */
#define SLOW		2000000

/* ---- program builder ------------------------------------------------ */

struct prog {
	struct chip_insn in[1024];
	uint32_t n;
};

static void emit(struct prog *p, uint8_t op, uint8_t a, uint8_t b, uint8_t c,
		 int32_t imm)
{
	struct chip_insn *in = &p->in[p->n++];

	in->op = op;
	in->a = a;
	in->b = b;
	in->c = c;
	in->imm = imm;
}

static void li(struct prog *p, uint8_t r, uint64_t v)
{
	emit(p, CHIP_OP_LI, r, 0, 0, (int32_t)(uint32_t)v);
	if ((v >> 31) != 0)
		emit(p, CHIP_OP_LIH, r, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

static uint32_t f2u(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

/* Kernels, by func_id. */
enum { K_STEP, K_ADD2, K_WAIT, K_FAULT, K_SPIN, K_COUNT };

/* Spin @reg's value times (r2 clobbered). */
static void delay_loop(struct prog *p, uint8_t reg)
{
	li(p, 2, 0);
	emit(p, CHIP_OP_BEQ, reg, 2, 0, 3);
	emit(p, CHIP_OP_ADDI, reg, reg, 0, -1);
	emit(p, CHIP_OP_JMP, 0, 0, 0, -2);
}

/* dst[0] = src[0] * mul + add after @delay iterations (AIV).
 * Args: 0 src, 1 dst, 2 mul (f32), 3 add (f32), 4 delay. */
static void k_step(struct prog *p)
{
	emit(p, CHIP_OP_ARG, 1, 0, 0, 4);
	delay_loop(p, 1);
	li(p, 3, 1);
	emit(p, CHIP_OP_SETVL, 3, 0, 0, 0);
	emit(p, CHIP_OP_ARG, 4, 0, 0, 0);
	li(p, 5, 0);
	emit(p, CHIP_OP_TLD, 5, 4, 0, 0);
	emit(p, CHIP_OP_TRSUM, 6, 5, 0, 0);
	emit(p, CHIP_OP_ARG, 7, 0, 0, 2);
	emit(p, CHIP_OP_FMUL, 6, 6, 7, 0);
	emit(p, CHIP_OP_ARG, 7, 0, 0, 3);
	emit(p, CHIP_OP_FADD, 6, 6, 7, 0);
	emit(p, CHIP_OP_TFILL, 5, 6, 0, 0);
	emit(p, CHIP_OP_ARG, 8, 0, 0, 1);
	emit(p, CHIP_OP_TST, 8, 5, 0, 0);
	emit(p, CHIP_OP_HALT, 0, 0, 0, 0);
}

/* dst[0] = a[0] + b[0] (AIV).  Args: 0 a, 1 b, 2 dst. */
static void k_add2(struct prog *p)
{
	li(p, 3, 1);
	emit(p, CHIP_OP_SETVL, 3, 0, 0, 0);
	li(p, 5, 0);
	emit(p, CHIP_OP_ARG, 1, 0, 0, 0);
	emit(p, CHIP_OP_TLD, 5, 1, 0, 0);
	emit(p, CHIP_OP_TRSUM, 6, 5, 0, 0);
	emit(p, CHIP_OP_ARG, 1, 0, 0, 1);
	emit(p, CHIP_OP_TLD, 5, 1, 0, 0);
	emit(p, CHIP_OP_TRSUM, 7, 5, 0, 0);
	emit(p, CHIP_OP_FADD, 6, 6, 7, 0);
	emit(p, CHIP_OP_TFILL, 5, 6, 0, 0);
	emit(p, CHIP_OP_ARG, 1, 0, 0, 2);
	emit(p, CHIP_OP_TST, 1, 5, 0, 0);
	emit(p, CHIP_OP_HALT, 0, 0, 0, 0);
}

/* Spin until the float at scalar address arg 1 is non-zero, then
 * dst (arg 0) = 1.0 (AIV). */
static void k_wait(struct prog *p)
{
	li(p, 3, 1);
	emit(p, CHIP_OP_SETVL, 3, 0, 0, 0);
	emit(p, CHIP_OP_ARG, 4, 0, 0, 1);
	li(p, 5, 0);
	li(p, 2, 0);
	emit(p, CHIP_OP_TLD, 5, 4, 0, 0);
	emit(p, CHIP_OP_TRSUM, 6, 5, 0, 0);
	emit(p, CHIP_OP_BEQ, 6, 2, 0, -2);
	emit(p, CHIP_OP_LIF, 7, 0, 0, (int32_t)f2u(1.0f));
	emit(p, CHIP_OP_TFILL, 5, 7, 0, 0);
	emit(p, CHIP_OP_ARG, 8, 0, 0, 0);
	emit(p, CHIP_OP_TST, 8, 5, 0, 0);
	emit(p, CHIP_OP_HALT, 0, 0, 0, 0);
}

/* After arg 1 iterations, store to the address in arg 0 (AIV). */
static void k_fault(struct prog *p)
{
	emit(p, CHIP_OP_ARG, 1, 0, 0, 1);
	delay_loop(p, 1);
	li(p, 3, 1);
	emit(p, CHIP_OP_SETVL, 3, 0, 0, 0);
	li(p, 5, 0);
	emit(p, CHIP_OP_ARG, 4, 0, 0, 0);
	emit(p, CHIP_OP_TST, 4, 5, 0, 0);
	emit(p, CHIP_OP_HALT, 0, 0, 0, 0);
}

/* Forever (AIC). */
static void k_spin(struct prog *p)
{
	emit(p, CHIP_OP_NOP, 0, 0, 0, 0);
	emit(p, CHIP_OP_JMP, 0, 0, 0, -1);
}

/* ---- orchestration helpers (r11..r14 scratch) ------------------------ */

static void o_tens(struct prog *p, uint64_t addr, uint64_t bytes, uint8_t dir)
{
	li(p, 12, addr);
	li(p, 13, bytes);
	emit(p, CHIP_OP_TTENS, 12, 13, dir, 0);
}

static void o_scal(struct prog *p, uint64_t v)
{
	li(p, 14, v);
	emit(p, CHIP_OP_TSCAL, 14, 0, 0, 0);
}

/* One K_STEP task: dst = src * mul + add, after @delay iterations. */
static void o_step(struct prog *p, uint64_t src, uint64_t sbytes, uint8_t sdir,
		   uint64_t dst, uint64_t dbytes, uint8_t ddir, float mul,
		   float add, uint32_t delay)
{
	emit(p, CHIP_OP_TASK, CHIP_CORE_AIV, 0, 0, K_STEP);
	o_tens(p, src, sbytes, sdir);
	o_tens(p, dst, dbytes, ddir);
	o_scal(p, f2u(mul));
	o_scal(p, f2u(add));
	o_scal(p, delay);
	emit(p, CHIP_OP_SUBMIT, 11, 0, 0, 0);
}

static void o_halt(struct prog *p)
{
	emit(p, CHIP_OP_HALT, 0, 0, 0, 0);
}

/* Fail with FATAL @code unless r@a == r@b. */
static void o_expect_eq(struct prog *p, uint8_t a, uint8_t b, int code)
{
	emit(p, CHIP_OP_BEQ, a, b, 0, 2);
	emit(p, CHIP_OP_FATAL, 0, 0, 0, code);
}

/* while (r1 != r2) { body; r1++; }: the head, then the tail. */
static uint32_t o_loop(struct prog *p)
{
	emit(p, CHIP_OP_BEQ, 1, 2, 0, 0);	/* patched by o_loop_end */
	return p->n - 1;
}

static void o_loop_end(struct prog *p, uint32_t head)
{
	emit(p, CHIP_OP_ADDI, 1, 1, 0, 1);
	emit(p, CHIP_OP_JMP, 0, 0, 0, (int32_t)head - (int32_t)p->n);
	p->in[head].imm = (int32_t)(p->n - head);
}

/* ---- fixture ---------------------------------------------------------- */

struct fx {
	struct chipc_device dev;
	struct chipc_vm vm;
	uint8_t *gm;
	uint8_t *heap;
	struct prog kprog[K_COUNT];
	struct chipc_child_bind kids[K_COUNT];
	struct chipc_code code;
	struct prog orch;
	struct chipc_args args;
	struct chipc_graph graph;
	struct chipc_run_req req;
	struct chipc_run_result res;
	int abort;
};

static struct fx F;

static int fx_open(uint32_t workers, uint32_t ring, uint32_t pool)
{
	struct chipc_device_cfg cfg = {
		.platform = CHIP_PLATFORM_A2A3,
		.workers = workers,
		.ring_window = ring,
		.dep_pool = pool,
	};
	struct chipc_map m;
	void (*gen[K_COUNT])(struct prog *) = {
		k_step, k_add2, k_wait, k_fault, k_spin,
	};
	uint32_t i, type;

	memset(&F, 0, sizeof(F));
	if (chipc_device_init(&F.dev, &cfg))
		return -1;
	F.gm = calloc(1, GM_SIZE);
	F.heap = calloc(1, HEAP_SIZE);
	if (!F.gm || !F.heap || chipc_vm_init(&F.vm, 16))
		return -1;
	memset(&m, 0, sizeof(m));
	m.va = GM_VA;
	m.size = GM_SIZE;
	m.host = F.gm;
	m.prot = CHIPC_PROT_READ | CHIPC_PROT_WRITE;
	if (chipc_vm_insert(&F.vm, &m))
		return -1;
	for (i = 0; i < K_COUNT; i++) {
		type = i == K_SPIN ? CHIP_CORE_AIC : CHIP_CORE_AIV;
		gen[i](&F.kprog[i]);
		F.kids[i].func_id = (int32_t)i;
		F.kids[i].core_type = type;
		if (chipc_isa_verify(F.kprog[i].in, F.kprog[i].n * 8, type,
				     &F.kids[i].prog, NULL)) {
			fprintf(stderr, "kernel %u does not verify\n", i);
			return -1;
		}
	}
	F.code.platform = CHIP_PLATFORM_A2A3;
	F.code.children = F.kids;
	F.code.layout.child_count = K_COUNT;
	F.req.code = &F.code;
	F.req.args = &F.args;
	F.req.block_dim = 1;
	F.req.aicpu_threads = 1;
	F.req.timeout_ns = 5000ull * 1000 * 1000;
	F.req.vm = &F.vm;
	F.req.heap_va = HEAP_VA;
	F.req.heap_size = HEAP_SIZE;
	F.req.heap_host = F.heap;
	return 0;
}

static void fx_close(void)
{
	chipc_device_fini(&F.dev);
	chipc_vm_fini(&F.vm);
	free(F.gm);
	free(F.heap);
}

static int fx_run_trb(void)
{
	s32 bad = -1;

	F.code.runtime = CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER;
	if (chipc_isa_verify(F.orch.in, F.orch.n * 8, CHIP_CORE_AICPU,
			     &F.code.orch, &bad)) {
		fprintf(stderr, "orchestration does not verify at %d\n", bad);
		return -1;
	}
	F.req.graph = NULL;
	chipc_device_run(&F.dev, &F.req, &F.res);
	return 0;
}

static float gm_f(uint64_t off)
{
	float f;

	memcpy(&f, F.gm + off, 4);
	return f;
}

static void gm_setf(uint64_t off, float v)
{
	memcpy(F.gm + off, &v, 4);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#define A(off)	(GM_VA + (off))

/* Run the orchestration in F.orch and expect success. */
#define RUN_OK() do {							\
	CHECK_EQ(fx_run_trb(), 0);					\
	if (F.res.status != CHIP_STATUS_OK)				\
		fprintf(stderr, "run: status %u code %d: %s\n",		\
			F.res.status, F.res.code, F.res.msg);		\
	CHECK_EQ(F.res.status, CHIP_STATUS_OK);				\
} while (0)

#define RUN_FAILS(st, cd) do {						\
	CHECK_EQ(fx_run_trb(), 0);					\
	CHECK_EQ(F.res.status, (st));					\
	CHECK_EQ(F.res.code, (cd));					\
} while (0)

/* ---- dependencies ----------------------------------------------------- */

/* Read after write: the reader sees the slow writer's value. */
static int test_raw(void)
{
	CHECK_EQ(fx_open(4, 16, 64), 0);
	/* B = 0 * 0 + 7, slowly; then C = B * 10 + 1. */
	o_step(&F.orch, A(0x100), 4, CHIP_DIR_IN, A(0x200), 4, CHIP_DIR_OUT,
	       0, 7, SLOW);
	o_step(&F.orch, A(0x200), 4, CHIP_DIR_IN, A(0x300), 4, CHIP_DIR_OUT,
	       10, 1, 0);
	o_halt(&F.orch);
	RUN_OK();
	CHECK(gm_f(0x200) == 7.0f);
	CHECK(gm_f(0x300) == 71.0f);
	CHECK_EQ(F.res.tasks, 2);
	CHECK(F.res.insns > 3 * SLOW);
	fx_close();
	return 0;
}

/* Write after read: the writer waits for the slow reader. */
static int test_war(void)
{
	CHECK_EQ(fx_open(4, 16, 64), 0);
	gm_setf(0x200, 5.0f);
	o_step(&F.orch, A(0x200), 4, CHIP_DIR_IN, A(0x300), 4, CHIP_DIR_OUT,
	       1, 0, SLOW);
	o_step(&F.orch, A(0x100), 4, CHIP_DIR_IN, A(0x200), 4, CHIP_DIR_OUT,
	       0, 99, 0);
	o_halt(&F.orch);
	RUN_OK();
	CHECK(gm_f(0x300) == 5.0f);
	CHECK(gm_f(0x200) == 99.0f);
	fx_close();
	return 0;
}

/* Write after write: the last submitted writer wins. */
static int test_waw(void)
{
	CHECK_EQ(fx_open(4, 16, 64), 0);
	o_step(&F.orch, A(0x100), 4, CHIP_DIR_IN, A(0x200), 4, CHIP_DIR_OUT,
	       0, 1, SLOW);
	o_step(&F.orch, A(0x100), 4, CHIP_DIR_IN, A(0x200), 4, CHIP_DIR_OUT,
	       0, 2, 0);
	o_halt(&F.orch);
	RUN_OK();
	CHECK(gm_f(0x200) == 2.0f);
	fx_close();
	return 0;
}

/* INOUT chains: x = x * 10 + d for d = 1..5, the first ones slowest. */
static int test_inout_chain(void)
{
	int d;

	CHECK_EQ(fx_open(4, 16, 64), 0);
	for (d = 1; d <= 5; d++)
		o_step(&F.orch, A(0x200), 4, CHIP_DIR_INOUT, A(0x200), 4,
		       CHIP_DIR_INOUT, 10, (float)d,
		       (uint32_t)(6 - d) * SLOW / 4);
	o_halt(&F.orch);
	RUN_OK();
	CHECK(gm_f(0x200) == 12345.0f);
	CHECK_EQ(F.res.tasks, 5);
	fx_close();
	return 0;
}

/*
 * A waiter spins until a flag is set by a task submitted after it; the
 * waiter's output region is [@addr, @addr + @bytes), the flag task's
 * [@flag, @flag + 0x40).  Independent regions run side by side; when
 * they overlap the flag task must wait for the waiter, which never
 * finishes, and the watchdog ends the run.
 */
static int handshake(uint64_t addr, uint64_t bytes, uint64_t flag)
{
	F.orch.n = 0;
	memset(F.gm + flag - GM_VA, 0, 4);
	emit(&F.orch, CHIP_OP_TASK, CHIP_CORE_AIV, 0, 0, K_WAIT);
	o_tens(&F.orch, addr, bytes, CHIP_DIR_OUT);
	o_scal(&F.orch, flag);
	emit(&F.orch, CHIP_OP_SUBMIT, 11, 0, 0, 0);
	o_step(&F.orch, A(0x100), 4, CHIP_DIR_IN, flag, 0x40, CHIP_DIR_OUT,
	       0, 1, 0);
	o_halt(&F.orch);
	return fx_run_trb();
}

static int test_disjoint_independent(void)
{
	CHECK_EQ(fx_open(2, 16, 64), 0);
	/* success takes milliseconds; the watchdog only ends a broken run */
	F.req.timeout_ns = 10000ull * 1000 * 1000;
	/* adjacent */
	CHECK_EQ(handshake(A(0x1000), 0x40, A(0x1040)), 0);
	CHECK_EQ(F.res.status, CHIP_STATUS_OK);
	CHECK(gm_f(0x1000) == 1.0f);
	CHECK(gm_f(0x1040) == 1.0f);
	/* the flag below the waiter's region */
	CHECK_EQ(handshake(A(0x2040), 0x40, A(0x2000)), 0);
	CHECK_EQ(F.res.status, CHIP_STATUS_OK);
	CHECK(gm_f(0x2040) == 1.0f);
	/* far apart, in different chunks of the region index */
	CHECK_EQ(handshake(A(0x3000), 0x40, A(0x93000)), 0);
	CHECK_EQ(F.res.status, CHIP_STATUS_OK);
	CHECK(gm_f(0x3000) == 1.0f);
	fx_close();
	return 0;
}

static int test_partial_overlap_orders(void)
{
	CHECK_EQ(fx_open(2, 16, 64), 0);
	F.req.timeout_ns = 200ull * 1000 * 1000;
	/* the waiter's last byte is the flag task's first */
	CHECK_EQ(handshake(A(0x1000), 0x41, A(0x1040)), 0);
	CHECK_EQ(F.res.status, CHIP_STATUS_TIMEOUT);
	CHECK(gm_f(0x1040) == 0.0f);	/* the flag task never ran */
	CHECK_EQ(F.res.tasks, 0);
	/* the flag task's last byte is the waiter's first */
	CHECK_EQ(handshake(A(0x203f), 0x40, A(0x2000)), 0);
	CHECK_EQ(F.res.status, CHIP_STATUS_TIMEOUT);
	/* the waiter's region starts one index chunk before the flag's */
	CHECK_EQ(handshake(A(0xffc0), 0x80, A(0x10000)), 0);
	CHECK_EQ(F.res.status, CHIP_STATUS_TIMEOUT);
	CHECK(gm_f(0x10000) == 0.0f);
	fx_close();
	return 0;
}

/* Large regions: a wide writer found by a small reader, and a small
 * writer found by a reader spanning more buckets than are scanned. */
static int test_wide_regions(void)
{
	CHECK_EQ(fx_open(4, 16, 64), 0);
	o_step(&F.orch, A(0x100), 4, CHIP_DIR_IN, A(0x10000), 4u << 20,
	       CHIP_DIR_OUT, 0, 7, SLOW);
	o_step(&F.orch, A(0x10000), 64, CHIP_DIR_IN, A(0x200), 4,
	       CHIP_DIR_OUT, 10, 1, 0);
	o_step(&F.orch, A(0x100), 4, CHIP_DIR_IN, A(0x300000), 4,
	       CHIP_DIR_OUT, 0, 3, SLOW);
	o_step(&F.orch, A(0x300000), 8u << 20, CHIP_DIR_IN, A(0x300), 4,
	       CHIP_DIR_OUT, 10, 2, 0);
	o_halt(&F.orch);
	RUN_OK();
	CHECK(gm_f(0x200) == 71.0f);
	CHECK(gm_f(0x300) == 32.0f);
	fx_close();
	return 0;
}

/* Readers of the same data do not order each other: the second reader
 * runs while the first one waits for its output. */
static int test_readers_share(void)
{
	CHECK_EQ(fx_open(3, 16, 64), 0);
	gm_setf(0x200, 4.0f);
	emit(&F.orch, CHIP_OP_TASK, CHIP_CORE_AIV, 0, 0, K_WAIT);
	o_tens(&F.orch, A(0x600), 4, CHIP_DIR_OUT);
	o_scal(&F.orch, A(0x500));
	o_tens(&F.orch, A(0x200), 4, CHIP_DIR_IN);
	emit(&F.orch, CHIP_OP_SUBMIT, 11, 0, 0, 0);
	o_step(&F.orch, A(0x200), 4, CHIP_DIR_IN, A(0x500), 4, CHIP_DIR_OUT,
	       1, 0, 0);
	o_halt(&F.orch);
	RUN_OK();
	CHECK(gm_f(0x500) == 4.0f);
	CHECK(gm_f(0x600) == 1.0f);
	fx_close();
	return 0;
}

/* ---- ring, pools ------------------------------------------------------- */

/*
 * 100 tasks through a ring of 4: task i writes out[i] = i (independent)
 * and all of them add 1 to one counter (a chain).
 */
static int test_backpressure(void)
{
	struct prog *p = &F.orch;
	uint32_t loop, i;

	CHECK_EQ(fx_open(4, 4, 64), 0);
	li(p, 1, 0);			/* i */
	li(p, 2, 100);			/* n */
	li(p, 3, A(0x4000));		/* &out[i] */
	emit(p, CHIP_OP_LIF, 4, 0, 0, 0);	/* (float)i */
	emit(p, CHIP_OP_LIF, 5, 0, 0, (int32_t)f2u(1.0f));
	li(p, 6, 4);
	li(p, 7, 0);			/* zero mul / delay */
	li(p, 8, A(0x100));		/* zero source */
	li(p, 9, A(0x200));		/* the counter */
	loop = o_loop(p);
	emit(p, CHIP_OP_TASK, CHIP_CORE_AIV, 0, 0, K_STEP);
	emit(p, CHIP_OP_TTENS, 8, 6, CHIP_DIR_IN, 0);
	emit(p, CHIP_OP_TTENS, 3, 6, CHIP_DIR_OUT, 0);
	emit(p, CHIP_OP_TSCAL, 7, 0, 0, 0);
	emit(p, CHIP_OP_TSCAL, 4, 0, 0, 0);
	emit(p, CHIP_OP_TSCAL, 7, 0, 0, 0);
	emit(p, CHIP_OP_SUBMIT, 11, 0, 0, 0);
	emit(p, CHIP_OP_TASK, CHIP_CORE_AIV, 0, 0, K_STEP);
	emit(p, CHIP_OP_TTENS, 9, 6, CHIP_DIR_INOUT, 0);
	emit(p, CHIP_OP_TTENS, 9, 6, CHIP_DIR_INOUT, 0);
	emit(p, CHIP_OP_TSCAL, 5, 0, 0, 0);
	emit(p, CHIP_OP_TSCAL, 5, 0, 0, 0);
	emit(p, CHIP_OP_TSCAL, 7, 0, 0, 0);
	emit(p, CHIP_OP_SUBMIT, 11, 0, 0, 0);
	emit(p, CHIP_OP_ADDI, 3, 3, 0, 4);
	emit(p, CHIP_OP_FADD, 4, 4, 5, 0);
	o_loop_end(p, loop);
	li(p, 10, 199);
	o_expect_eq(p, 11, 10, 13);		/* the last task id */
	o_halt(p);
	RUN_OK();
	CHECK_EQ(F.res.tasks, 200);
	for (i = 0; i < 100; i++)
		CHECK(gm_f(0x4000 + 4 * i) == (float)i);
	CHECK(gm_f(0x200) == 100.0f);
	fx_close();
	return 0;
}

/* Task ids count from 0 in every run. */
static int test_task_ids(void)
{
	struct prog *p = &F.orch;
	int run;

	CHECK_EQ(fx_open(2, 4, 64), 0);
	for (run = 0; run < 2; run++) {
		p->n = 0;
		o_step(p, A(0x100), 4, CHIP_DIR_IN, A(0x200), 4, CHIP_DIR_OUT,
		       0, 1, 0);
		li(p, 1, 0);
		o_expect_eq(p, 11, 1, 11);
		o_step(p, A(0x100), 4, CHIP_DIR_IN, A(0x204), 4, CHIP_DIR_OUT,
		       0, 1, 0);
		li(p, 1, 1);
		o_expect_eq(p, 11, 1, 12);
		o_halt(p);
		RUN_OK();
	}
	fx_close();
	return 0;
}

/*
 * A pool of 64 records and edges with ring 64: 150 tasks of three tensors
 * each, all reading one input, cannot all be live; the orchestrator waits
 * for completions.
 */
static int test_pool_pressure(void)
{
	struct prog *p = &F.orch;
	uint32_t loop, i;

	CHECK_EQ(fx_open(4, 64, 64), 0);
	gm_setf(0x100, 2.0f);
	li(p, 1, 0);
	li(p, 2, 150);
	li(p, 3, A(0x8000));
	li(p, 6, 4);
	li(p, 7, 0);
	li(p, 8, A(0x100));
	emit(p, CHIP_OP_LIF, 4, 0, 0, (int32_t)f2u(3.0f));
	emit(p, CHIP_OP_LIF, 5, 0, 0, (int32_t)f2u(1.0f));
	loop = o_loop(p);
	emit(p, CHIP_OP_TASK, CHIP_CORE_AIV, 0, 0, K_STEP);
	emit(p, CHIP_OP_TTENS, 8, 6, CHIP_DIR_IN, 0);
	emit(p, CHIP_OP_TTENS, 3, 6, CHIP_DIR_OUT, 0);
	emit(p, CHIP_OP_TSCAL, 4, 0, 0, 0);
	emit(p, CHIP_OP_TSCAL, 5, 0, 0, 0);
	emit(p, CHIP_OP_TSCAL, 7, 0, 0, 0);
	emit(p, CHIP_OP_TTENS, 8, 6, CHIP_DIR_IN, 0);
	emit(p, CHIP_OP_SUBMIT, 11, 0, 0, 0);
	emit(p, CHIP_OP_ADDI, 3, 3, 0, 4);
	o_loop_end(p, loop);
	o_halt(p);
	RUN_OK();
	CHECK_EQ(F.res.tasks, 150);
	for (i = 0; i < 150; i++)
		CHECK(gm_f(0x8000 + 4 * i) == 7.0f);
	fx_close();
	return 0;
}

/* ---- heap and scopes --------------------------------------------------- */

static int test_heap_scopes(void)
{
	struct prog *p = &F.orch;

	CHECK_EQ(fx_open(4, 16, 64), 0);
	li(p, 6, 1);
	li(p, 7, 100);
	li(p, 9, HEAP_VA);
	emit(p, CHIP_OP_SCOPE, 0, 0, 0, 0);
	emit(p, CHIP_OP_ALLOC, 1, 6, 0, 0);		/* 1 byte */
	o_expect_eq(p, 1, 9, 20);			/* at the heap base */
	emit(p, CHIP_OP_ALLOC, 2, 7, 0, 0);		/* 100 bytes */
	emit(p, CHIP_OP_ADDI, 10, 9, 0, 64);
	o_expect_eq(p, 2, 10, 21);			/* 64-byte aligned */
	emit(p, CHIP_OP_SCOPE, 0, 0, 0, 0);
	emit(p, CHIP_OP_ALLOC, 3, 6, 0, 0);
	emit(p, CHIP_OP_ADDI, 10, 9, 0, 192);
	o_expect_eq(p, 3, 10, 22);
	emit(p, CHIP_OP_ENDSCOPE, 0, 0, 0, 0);
	emit(p, CHIP_OP_ALLOC, 4, 6, 0, 0);		/* r3 again */
	o_expect_eq(p, 4, 3, 23);
	emit(p, CHIP_OP_ENDSCOPE, 0, 0, 0, 0);
	emit(p, CHIP_OP_ALLOC, 5, 6, 0, 0);		/* the base again */
	o_expect_eq(p, 5, 9, 24);
	o_halt(p);
	RUN_OK();
	CHECK_EQ(F.res.tasks, 0);
	fx_close();
	return 0;
}

/*
 * Space reused after ENDSCOPE: the second scope's writer of the same heap
 * bytes waits for the first scope's slow reader (WAR through the region).
 */
static int test_heap_reuse_ordered(void)
{
	CHECK_EQ(fx_open(4, 16, 64), 0);
	emit(&F.orch, CHIP_OP_SCOPE, 0, 0, 0, 0);
	o_step(&F.orch, A(0x100), 4, CHIP_DIR_IN, HEAP_VA, 64, CHIP_DIR_OUT,
	       0, 5, 0);
	o_step(&F.orch, HEAP_VA, 64, CHIP_DIR_IN, A(0x200), 4, CHIP_DIR_OUT,
	       1, 0, SLOW);
	emit(&F.orch, CHIP_OP_ENDSCOPE, 0, 0, 0, 0);
	emit(&F.orch, CHIP_OP_SCOPE, 0, 0, 0, 0);
	o_step(&F.orch, A(0x100), 4, CHIP_DIR_IN, HEAP_VA, 64, CHIP_DIR_OUT,
	       0, 9, 0);
	o_step(&F.orch, HEAP_VA, 64, CHIP_DIR_IN, A(0x204), 4, CHIP_DIR_OUT,
	       1, 0, 0);
	emit(&F.orch, CHIP_OP_ENDSCOPE, 0, 0, 0, 0);
	o_halt(&F.orch);
	RUN_OK();
	CHECK(gm_f(0x200) == 5.0f);
	CHECK(gm_f(0x204) == 9.0f);
	fx_close();
	return 0;
}

static int test_heap_exhausted(void)
{
	struct prog *p = &F.orch;

	CHECK_EQ(fx_open(2, 16, 64), 0);
	li(p, 6, HEAP_SIZE - 64);
	li(p, 7, 65);
	emit(p, CHIP_OP_ALLOC, 1, 6, 0, 0);	/* fits */
	emit(p, CHIP_OP_ALLOC, 2, 7, 0, 0);	/* one byte too many */
	o_halt(p);
	RUN_FAILS(CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_HEAP);
	CHECK(strstr(F.res.msg, "heap") != NULL);

	F.orch.n = 0;
	li(p, 6, HEAP_SIZE + 1);
	emit(p, CHIP_OP_ALLOC, 1, 6, 0, 0);
	o_halt(p);
	RUN_FAILS(CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_HEAP);

	/* Each run starts with an empty heap. */
	F.orch.n = 0;
	li(p, 6, HEAP_SIZE);
	emit(p, CHIP_OP_ALLOC, 1, 6, 0, 0);
	o_halt(p);
	RUN_OK();
	fx_close();
	return 0;
}

static int test_scope_errors(void)
{
	int i;

	CHECK_EQ(fx_open(2, 16, 64), 0);
	for (i = 0; i < 4; i++)
		emit(&F.orch, CHIP_OP_SCOPE, 0, 0, 0, 0);
	for (i = 0; i < 4; i++)
		emit(&F.orch, CHIP_OP_ENDSCOPE, 0, 0, 0, 0);
	o_halt(&F.orch);
	RUN_OK();			/* four levels are fine */

	F.orch.n = 0;
	for (i = 0; i < 5; i++)
		emit(&F.orch, CHIP_OP_SCOPE, 0, 0, 0, 0);
	o_halt(&F.orch);
	RUN_FAILS(CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_SCOPE);

	F.orch.n = 0;
	emit(&F.orch, CHIP_OP_SCOPE, 0, 0, 0, 0);
	emit(&F.orch, CHIP_OP_ENDSCOPE, 0, 0, 0, 0);
	emit(&F.orch, CHIP_OP_ENDSCOPE, 0, 0, 0, 0);
	o_halt(&F.orch);
	RUN_FAILS(CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_SCOPE);

	F.orch.n = 0;
	emit(&F.orch, CHIP_OP_SCOPE, 0, 0, 0, 0);
	o_halt(&F.orch);
	RUN_FAILS(CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_SCOPE);
	fx_close();
	return 0;
}

/* ---- orchestration errors ---------------------------------------------- */

static int test_func_id_not_in_table(void)
{
	CHECK_EQ(fx_open(2, 16, 64), 0);
	emit(&F.orch, CHIP_OP_TASK, CHIP_CORE_AIV, 0, 0, 7);
	o_halt(&F.orch);
	RUN_FAILS(CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_INVALID_ARGS);
	CHECK(strstr(F.res.msg, "func_id 7 not in cid's table") != NULL);

	/* A func_id bound by an earlier run of another callable is gone. */
	F.code.layout.child_count = K_FAULT;	/* no K_FAULT, K_SPIN */
	F.orch.n = 0;
	emit(&F.orch, CHIP_OP_TASK, CHIP_CORE_AIC, 0, 0, K_SPIN);
	o_halt(&F.orch);
	RUN_FAILS(CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_INVALID_ARGS);
	CHECK(strstr(F.res.msg, "func_id 4 not in cid's table") != NULL);
	fx_close();
	return 0;
}

static int test_core_type_mismatch(void)
{
	CHECK_EQ(fx_open(2, 16, 64), 0);
	emit(&F.orch, CHIP_OP_TASK, CHIP_CORE_AIC, 0, 0, K_STEP);
	o_halt(&F.orch);
	RUN_FAILS(CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_INVALID_ARGS);
	CHECK_EQ(F.res.tasks, 0);
	fx_close();
	return 0;
}

static int test_bad_task_building(void)
{
	int i;

	CHECK_EQ(fx_open(2, 16, 64), 0);
	/* TASK twice */
	emit(&F.orch, CHIP_OP_TASK, CHIP_CORE_AIV, 0, 0, K_STEP);
	emit(&F.orch, CHIP_OP_TASK, CHIP_CORE_AIV, 0, 0, K_STEP);
	o_halt(&F.orch);
	RUN_FAILS(CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_INVALID_ARGS);

	/* SUBMIT without TASK */
	F.orch.n = 0;
	emit(&F.orch, CHIP_OP_SUBMIT, 1, 0, 0, 0);
	o_halt(&F.orch);
	RUN_FAILS(CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_INVALID_ARGS);

	/* an empty tensor */
	F.orch.n = 0;
	emit(&F.orch, CHIP_OP_TASK, CHIP_CORE_AIV, 0, 0, K_STEP);
	o_tens(&F.orch, A(0), 0, CHIP_DIR_IN);
	o_halt(&F.orch);
	RUN_FAILS(CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_INVALID_ARGS);

	/* 33 arguments */
	F.orch.n = 0;
	emit(&F.orch, CHIP_OP_TASK, CHIP_CORE_AIV, 0, 0, K_STEP);
	for (i = 0; i < 33; i++)
		o_scal(&F.orch, 1);
	o_halt(&F.orch);
	RUN_FAILS(CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_INVALID_ARGS);

	/* HALT with a task open */
	F.orch.n = 0;
	emit(&F.orch, CHIP_OP_TASK, CHIP_CORE_AIV, 0, 0, K_STEP);
	o_halt(&F.orch);
	RUN_FAILS(CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_INVALID_ARGS);
	fx_close();
	return 0;
}

static int test_fatal(void)
{
	CHECK_EQ(fx_open(2, 16, 64), 0);
	o_step(&F.orch, A(0x100), 4, CHIP_DIR_IN, A(0x200), 4, CHIP_DIR_OUT,
	       0, 3, 0);
	emit(&F.orch, CHIP_OP_FATAL, 0, 0, 0, 9);
	o_halt(&F.orch);
	RUN_FAILS(CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_FATAL);
	CHECK(F.res.insns > 0);

	/* The device serves the next run. */
	F.orch.n = 0;
	o_step(&F.orch, A(0x100), 4, CHIP_DIR_IN, A(0x200), 4, CHIP_DIR_OUT,
	       0, 4, 0);
	o_halt(&F.orch);
	RUN_OK();
	CHECK(gm_f(0x200) == 4.0f);
	fx_close();
	return 0;
}

/* ---- task failures ------------------------------------------------------ */

static int test_task_fault(void)
{
	CHECK_EQ(fx_open(2, 16, 64), 0);
	emit(&F.orch, CHIP_OP_TASK, CHIP_CORE_AIV, 0, 0, K_FAULT);
	o_scal(&F.orch, UNMAPPED + 0x40);
	o_scal(&F.orch, 0);
	emit(&F.orch, CHIP_OP_SUBMIT, 11, 0, 0, 0);
	/* a successor that must never run */
	o_step(&F.orch, A(0x100), 4, CHIP_DIR_IN, A(0x200), 4, CHIP_DIR_OUT,
	       0, 1, SLOW);
	o_step(&F.orch, A(0x200), 4, CHIP_DIR_IN, A(0x300), 4, CHIP_DIR_OUT,
	       0, 2, 0);
	o_halt(&F.orch);
	RUN_FAILS(CHIP_STATUS_FAULT, CHIP_FAULT_WRITE);
	CHECK_U64(F.res.fault_addr, UNMAPPED + 0x40);
	CHECK(gm_f(0x300) == 0.0f);
	fx_close();
	return 0;
}

/*
 * Failed runs leave tasks behind (not started, waiting for a failed
 * producer); every slot and record must come back: after 20 of them a
 * ring of 4 and a pool of 64 still carry a run of 40 tasks.
 */
static int test_state_reset_after_failures(void)
{
	struct prog *p = &F.orch;
	int run, i;

	CHECK_EQ(fx_open(2, 4, 64), 0);
	for (run = 0; run < 20; run++) {
		p->n = 0;
		emit(p, CHIP_OP_TASK, CHIP_CORE_AIV, 0, 0, K_FAULT);
		o_scal(p, UNMAPPED);
		o_scal(p, SLOW / 8);
		o_tens(p, A(0x200), 4, CHIP_DIR_OUT);	/* not touched */
		emit(p, CHIP_OP_SUBMIT, 11, 0, 0, 0);
		for (i = 0; i < 3; i++)
			o_step(p, A(0x200), 4, CHIP_DIR_IN, A(0x300), 0x100,
			       CHIP_DIR_INOUT, 0, 1, 0);
		o_halt(p);
		RUN_FAILS(CHIP_STATUS_FAULT, CHIP_FAULT_WRITE);
		CHECK_EQ(F.res.tasks, 0);
	}
	p->n = 0;
	for (i = 0; i < 40; i++)
		o_step(p, A(0x100), 4, CHIP_DIR_IN,
		       A(0x4000 + 4 * (uint64_t)i), 4,
		       CHIP_DIR_OUT, 0, (float)i, 0);
	o_halt(p);
	RUN_OK();
	CHECK_EQ(F.res.tasks, 40);
	for (i = 0; i < 40; i++)
		CHECK(gm_f(0x4000 + 4 * (uint64_t)i) == (float)i);
	fx_close();
	return 0;
}

/* The orchestrator's error comes first; the slow faulting task after. */
static int test_orch_error_beats_later_fault(void)
{
	CHECK_EQ(fx_open(2, 16, 64), 0);
	emit(&F.orch, CHIP_OP_TASK, CHIP_CORE_AIV, 0, 0, K_FAULT);
	o_scal(&F.orch, UNMAPPED);
	o_scal(&F.orch, SLOW);
	emit(&F.orch, CHIP_OP_SUBMIT, 11, 0, 0, 0);
	emit(&F.orch, CHIP_OP_FATAL, 0, 0, 0, 9);
	o_halt(&F.orch);
	RUN_FAILS(CHIP_STATUS_ORCH_ERROR, CHIP_ORCH_FATAL);
	fx_close();
	return 0;
}

/* A fast task fault comes first; the orchestrator's later FATAL loses. */
static int test_first_failure_wins(void)
{
	struct prog *p = &F.orch;

	CHECK_EQ(fx_open(2, 16, 64), 0);
	emit(p, CHIP_OP_TASK, CHIP_CORE_AIV, 0, 0, K_FAULT);
	o_scal(p, UNMAPPED);
	o_scal(p, 0);
	emit(p, CHIP_OP_SUBMIT, 11, 0, 0, 0);
	li(p, 1, 4 * SLOW);
	delay_loop(p, 1);
	emit(p, CHIP_OP_FATAL, 0, 0, 0, 9);
	o_halt(p);
	RUN_FAILS(CHIP_STATUS_FAULT, CHIP_FAULT_WRITE);
	CHECK_U64(F.res.fault_addr, UNMAPPED);
	fx_close();
	return 0;
}

static int test_timeout_then_next_run(void)
{
	uint64_t t0, wall;

	CHECK_EQ(fx_open(2, 16, 64), 0);
	F.req.timeout_ns = 200ull * 1000 * 1000;
	emit(&F.orch, CHIP_OP_TASK, CHIP_CORE_AIC, 0, 0, K_SPIN);
	emit(&F.orch, CHIP_OP_SUBMIT, 11, 0, 0, 0);
	/* a task queued behind the spinner on its only AIC core */
	emit(&F.orch, CHIP_OP_TASK, CHIP_CORE_AIC, 0, 0, K_SPIN);
	emit(&F.orch, CHIP_OP_SUBMIT, 11, 0, 0, 0);
	o_halt(&F.orch);
	t0 = now_ns();
	RUN_FAILS(CHIP_STATUS_TIMEOUT, 0);
	wall = now_ns() - t0;
	CHECK(wall >= 200ull * 1000 * 1000);
	CHECK(wall < 2000ull * 1000 * 1000);
	CHECK(F.res.device_ns >= 200ull * 1000 * 1000);
	CHECK(F.res.device_ns <= wall);
	CHECK_EQ(F.res.tasks, 0);

	F.orch.n = 0;
	F.req.timeout_ns = 0;
	o_step(&F.orch, A(0x100), 4, CHIP_DIR_IN, A(0x200), 4, CHIP_DIR_OUT,
	       0, 6, 0);
	o_halt(&F.orch);
	RUN_OK();
	CHECK(gm_f(0x200) == 6.0f);
	CHECK_EQ(F.res.tasks, 1);
	fx_close();
	return 0;
}

/* An orchestration that never halts ends the same way. */
static int test_orch_timeout(void)
{
	CHECK_EQ(fx_open(2, 16, 64), 0);
	F.req.timeout_ns = 100ull * 1000 * 1000;
	emit(&F.orch, CHIP_OP_NOP, 0, 0, 0, 0);
	emit(&F.orch, CHIP_OP_JMP, 0, 0, 0, -1);
	RUN_FAILS(CHIP_STATUS_TIMEOUT, 0);
	CHECK(F.res.device_ns < 2000ull * 1000 * 1000);
	fx_close();
	return 0;
}

/* Back-pressure waits are bounded by the watchdog too. */
static int test_ring_full_timeout(void)
{
	int i;

	CHECK_EQ(fx_open(2, 4, 64), 0);
	F.req.timeout_ns = 100ull * 1000 * 1000;
	for (i = 0; i < 6; i++) {
		emit(&F.orch, CHIP_OP_TASK, CHIP_CORE_AIC, 0, 0, K_SPIN);
		emit(&F.orch, CHIP_OP_SUBMIT, 11, 0, 0, 0);
	}
	o_halt(&F.orch);
	RUN_FAILS(CHIP_STATUS_TIMEOUT, 0);
	fx_close();
	return 0;
}

static void *set_abort(void *arg)
{
	usleep(50 * 1000);
	__atomic_store_n((int *)arg, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static int test_cancel(void)
{
	pthread_t t;
	uint64_t t0;

	CHECK_EQ(fx_open(2, 16, 64), 0);
	F.req.abort = &F.abort;
	emit(&F.orch, CHIP_OP_TASK, CHIP_CORE_AIC, 0, 0, K_SPIN);
	emit(&F.orch, CHIP_OP_SUBMIT, 11, 0, 0, 0);
	o_halt(&F.orch);
	CHECK_EQ(pthread_create(&t, NULL, set_abort, &F.abort), 0);
	t0 = now_ns();
	RUN_FAILS(CHIP_STATUS_CANCELLED, 0);
	CHECK(now_ns() - t0 < 1000ull * 1000 * 1000);
	pthread_join(t, NULL);

	/* Already cancelled: nothing runs. */
	F.orch.n = 0;
	o_step(&F.orch, A(0x100), 4, CHIP_DIR_IN, A(0x200), 4, CHIP_DIR_OUT,
	       0, 6, 0);
	o_halt(&F.orch);
	RUN_FAILS(CHIP_STATUS_CANCELLED, 0);
	CHECK_EQ(F.res.tasks, 0);
	CHECK_EQ(F.res.insns, 0);
	CHECK(gm_f(0x200) == 0.0f);

	F.abort = 0;
	RUN_OK();
	CHECK(gm_f(0x200) == 6.0f);
	fx_close();
	return 0;
}

/* ---- host_build_graph --------------------------------------------------- */

struct gb {
	struct chip_graph_task t[64];
	struct chip_graph_arg a[256];
	struct chip_graph_edge e[128];
	uint32_t nt, na, ne;
	uint8_t blob[16 + 16 * 64 + 24 * 256 + 8 * 128]
		__attribute__((aligned(8)));
};

static struct gb G;

static int g_task(int32_t fid, uint32_t core)
{
	struct chip_graph_task *t = &G.t[G.nt];

	t->func_id = fid;
	t->core_type = core;
	t->arg_first = G.na;
	t->arg_count = 0;
	return (int)G.nt++;
}

static void g_arg(uint64_t value, uint64_t size, uint32_t dir)
{
	struct chip_graph_arg *a = &G.a[G.na++];

	a->value = value;
	a->size = size;
	a->dir = dir;
	a->pad = 0;
	G.t[G.nt - 1].arg_count++;
}

static int g_step(uint64_t src, uint64_t dst, float mul, float add,
		  uint32_t delay)
{
	int i = g_task(K_STEP, CHIP_CORE_AIV);

	g_arg(src, 4, CHIP_DIR_IN);
	g_arg(dst, 4, CHIP_DIR_OUT);
	g_arg(f2u(mul), 0, CHIP_DIR_SCALAR);
	g_arg(f2u(add), 0, CHIP_DIR_SCALAR);
	g_arg(delay, 0, CHIP_DIR_SCALAR);
	return i;
}

static void g_edge(int from, int to)
{
	G.e[G.ne].from = (uint32_t)from;
	G.e[G.ne].to = (uint32_t)to;
	G.ne++;
}

static int fx_run_graph(void)
{
	struct chip_graph_hdr h = {
		.task_count = G.nt, .arg_count = G.na, .edge_count = G.ne,
	};
	size_t off = 0;

	memcpy(G.blob, &h, sizeof(h));
	off += sizeof(h);
	memcpy(G.blob + off, G.t, sizeof(G.t[0]) * G.nt);
	off += sizeof(G.t[0]) * G.nt;
	memcpy(G.blob + off, G.a, sizeof(G.a[0]) * G.na);
	off += sizeof(G.a[0]) * G.na;
	memcpy(G.blob + off, G.e, sizeof(G.e[0]) * G.ne);
	off += sizeof(G.e[0]) * G.ne;
	if (chipc_graph_parse(G.blob, off, &F.graph))
		return -1;
	F.code.runtime = CHIP_RUNTIME_HOST_BUILD_GRAPH;
	memset(&F.code.orch, 0, sizeof(F.code.orch));
	F.req.graph = &F.graph;
	chipc_device_run(&F.dev, &F.req, &F.res);
	return 0;
}

/*
 * Diamond a -> (b, c) -> d, listed out of order (d first) and with slow
 * producers: d = b + c where b = a * 10 + 2, c = a * 10 + 3, a = 1.
 */
static int test_graph_diamond(void)
{
	int a, b, c, d;

	CHECK_EQ(fx_open(4, 16, 64), 0);
	memset(&G, 0, sizeof(G));
	d = g_task(K_ADD2, CHIP_CORE_AIV);
	g_arg(A(0x210), 4, CHIP_DIR_IN);
	g_arg(A(0x220), 4, CHIP_DIR_IN);
	g_arg(A(0x230), 4, CHIP_DIR_OUT);
	c = g_step(A(0x200), A(0x220), 10, 3, SLOW / 2);
	b = g_step(A(0x200), A(0x210), 10, 2, SLOW);
	a = g_step(A(0x100), A(0x200), 0, 1, SLOW);
	g_edge(b, d);
	g_edge(a, b);
	g_edge(c, d);
	g_edge(a, c);
	CHECK_EQ(fx_run_graph(), 0);
	CHECK_EQ(F.res.status, CHIP_STATUS_OK);
	CHECK_EQ(F.res.tasks, 4);
	CHECK(gm_f(0x200) == 1.0f);
	CHECK(gm_f(0x210) == 12.0f);
	CHECK(gm_f(0x220) == 13.0f);
	CHECK(gm_f(0x230) == 25.0f);
	fx_close();
	return 0;
}

static int test_graph_cycle(void)
{
	int a, b, c;

	CHECK_EQ(fx_open(2, 16, 64), 0);
	memset(&G, 0, sizeof(G));
	a = g_step(A(0x100), A(0x200), 0, 1, 0);
	b = g_step(A(0x100), A(0x204), 0, 1, 0);
	c = g_step(A(0x100), A(0x208), 0, 1, 0);	/* free-standing */
	g_edge(a, b);
	g_edge(b, a);
	(void)c;
	CHECK_EQ(fx_run_graph(), 0);
	CHECK_EQ(F.res.status, CHIP_STATUS_SCHED_ERROR);
	CHECK_EQ(F.res.code, CHIP_SCHED_STALL);
	CHECK_EQ(F.res.tasks, 1);
	CHECK(gm_f(0x208) == 1.0f);
	CHECK(gm_f(0x200) == 0.0f);

	/* Nothing ready at all. */
	memset(&G, 0, sizeof(G));
	a = g_step(A(0x100), A(0x200), 0, 1, 0);
	b = g_step(A(0x100), A(0x204), 0, 1, 0);
	g_edge(a, b);
	g_edge(b, a);
	CHECK_EQ(fx_run_graph(), 0);
	CHECK_EQ(F.res.status, CHIP_STATUS_SCHED_ERROR);
	CHECK_EQ(F.res.code, CHIP_SCHED_STALL);
	CHECK_EQ(F.res.tasks, 0);
	fx_close();
	return 0;
}

static int test_graph_bad_func(void)
{
	CHECK_EQ(fx_open(2, 16, 64), 0);
	memset(&G, 0, sizeof(G));
	g_step(A(0x100), A(0x200), 0, 1, 0);
	g_task(9, CHIP_CORE_AIV);
	CHECK_EQ(fx_run_graph(), 0);
	CHECK_EQ(F.res.status, CHIP_STATUS_ORCH_ERROR);
	CHECK_EQ(F.res.code, CHIP_ORCH_INVALID_ARGS);
	CHECK(strstr(F.res.msg, "func_id 9") != NULL);
	CHECK_EQ(F.res.tasks, 0);
	CHECK(gm_f(0x200) == 0.0f);	/* nothing ran */

	memset(&G, 0, sizeof(G));
	g_task(K_STEP, CHIP_CORE_AIC);
	CHECK_EQ(fx_run_graph(), 0);
	CHECK_EQ(F.res.status, CHIP_STATUS_ORCH_ERROR);
	CHECK_EQ(F.res.code, CHIP_ORCH_INVALID_ARGS);
	fx_close();
	return 0;
}

/* A graph wider than the ring and a task fault inside one. */
static int test_graph_wide_and_fault(void)
{
	int i, f;

	CHECK_EQ(fx_open(4, 4, 64), 0);
	memset(&G, 0, sizeof(G));
	for (i = 0; i < 40; i++)
		g_step(A(0x100), A(0x4000 + 4 * (uint64_t)i), 0, (float)i, 0);
	CHECK_EQ(fx_run_graph(), 0);
	CHECK_EQ(F.res.status, CHIP_STATUS_OK);
	CHECK_EQ(F.res.tasks, 40);
	for (i = 0; i < 40; i++)
		CHECK(gm_f(0x4000 + 4 * (uint64_t)i) == (float)i);

	memset(&G, 0, sizeof(G));
	f = g_task(K_FAULT, CHIP_CORE_AIV);
	g_arg(UNMAPPED + 8, 0, CHIP_DIR_SCALAR);
	g_arg(0, 0, CHIP_DIR_SCALAR);
	i = g_step(A(0x100), A(0x300), 0, 1, 0);
	g_edge(f, i);
	CHECK_EQ(fx_run_graph(), 0);
	CHECK_EQ(F.res.status, CHIP_STATUS_FAULT);
	CHECK_U64(F.res.fault_addr, UNMAPPED + 8);
	CHECK(gm_f(0x300) == 0.0f);
	fx_close();
	return 0;
}

int main(void)
{
	T_RUN(test_raw);
	T_RUN(test_war);
	T_RUN(test_waw);
	T_RUN(test_inout_chain);
	T_RUN(test_disjoint_independent);
	T_RUN(test_partial_overlap_orders);
	T_RUN(test_wide_regions);
	T_RUN(test_readers_share);
	T_RUN(test_backpressure);
	T_RUN(test_task_ids);
	T_RUN(test_pool_pressure);
	T_RUN(test_heap_scopes);
	T_RUN(test_heap_reuse_ordered);
	T_RUN(test_heap_exhausted);
	T_RUN(test_scope_errors);
	T_RUN(test_func_id_not_in_table);
	T_RUN(test_core_type_mismatch);
	T_RUN(test_bad_task_building);
	T_RUN(test_fatal);
	T_RUN(test_task_fault);
	T_RUN(test_state_reset_after_failures);
	T_RUN(test_orch_error_beats_later_fault);
	T_RUN(test_first_failure_wins);
	T_RUN(test_timeout_then_next_run);
	T_RUN(test_orch_timeout);
	T_RUN(test_ring_full_timeout);
	T_RUN(test_cancel);
	T_RUN(test_graph_diamond);
	T_RUN(test_graph_cycle);
	T_RUN(test_graph_bad_func);
	T_RUN(test_graph_wide_and_fault);
	return T_DONE();
}
