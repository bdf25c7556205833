// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the interpreter (kernel/core/exec.c): every scalar and
 * branch opcode against a C reference, the environment opcodes, tile
 * loads, stores and arithmetic on exact binary32 values, matrix multiply,
 * memory faults, the instruction budget, the watchdog and cancellation.
 *
 * Floating-point results are checked as bit patterns built with integer
 * arithmetic, so the tests themselves use no floating point.
 */
#include <kunit/test.h>
#include <linux/bitops.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/slab.h>

#include "chip_kunit_helpers.h"

#define RW	(CHIPC_PROT_READ | CHIPC_PROT_WRITE)
#define MAXP	64

/* binary32 bits of @num / 2^@shift; exact for |num| < 2^24. */
static u32 f32q(s64 num, int shift)
{
	u64 v = num < 0 ? -num : num;
	u32 sign = num < 0 ? 0x80000000u : 0;
	int e;

	if (!v)
		return sign;
	e = fls64(v) - 1;
	return sign | (u32)(127 + e - shift) << 23 | (u32)((v << (23 - e)) & 0x7fffff);
}

static u32 f32i(s64 v)
{
	return f32q(v, 0);
}

/* A program under construction. */
struct prog {
	struct chip_insn in[MAXP];
	u32 n;
};

static void emit(struct kunit *test, struct prog *p, struct chip_insn in)
{
	KUNIT_ASSERT_LT(test, p->n, (u32)MAXP);
	p->in[p->n++] = in;
}

/* r@reg = @v (any 64-bit value): LI low half, LIH high half. */
static void load64(struct kunit *test, struct prog *p, u8 reg, u64 v)
{
	emit(test, p, CI_AI(LI, reg, (s32)(u32)v));
	emit(test, p, CI_AI(LIH, reg, (s32)(u32)(v >> 32)));
}

/* What the orchestration callbacks saw. */
struct rec {
	u64 vals[64];
	u32 nvals;
	s32 task_fid;
	u32 task_core;
	u64 t_addr, t_bytes;
	u32 t_dir;
	u32 scopes, endscopes;
	u64 alloc_bytes;
	int fail_task;
	u32 fail_status;
};

static int rec_task(void *s, s32 fid, u32 core, struct chipc_fault *f)
{
	struct rec *r = s;

	r->task_fid = fid;
	r->task_core = core;
	if (r->fail_task) {
		if (r->fail_status) {
			f->status = r->fail_status;
			f->code = 77;
		}
		return -1;
	}
	return 0;
}

static int rec_tensor(void *s, u64 addr, u64 bytes, u32 dir, struct chipc_fault *f)
{
	struct rec *r = s;

	r->t_addr = addr;
	r->t_bytes = bytes;
	r->t_dir = dir;
	return 0;
}

static int rec_scalar(void *s, u64 v, struct chipc_fault *f)
{
	struct rec *r = s;

	if (r->nvals < ARRAY_SIZE(r->vals))
		r->vals[r->nvals++] = v;
	return 0;
}

static int rec_submit(void *s, u64 *id, struct chipc_fault *f)
{
	*id = 1234;
	return 0;
}

static int rec_scope(void *s, struct chipc_fault *f)
{
	((struct rec *)s)->scopes++;
	return 0;
}

static int rec_endscope(void *s, struct chipc_fault *f)
{
	((struct rec *)s)->endscopes++;
	return 0;
}

static int rec_alloc(void *s, u64 bytes, u64 *addr, struct chipc_fault *f)
{
	((struct rec *)s)->alloc_bytes = bytes;
	*addr = 0xabc000;
	return 0;
}

static const struct chipc_orch_ops rec_ops = {
	.task = rec_task, .tensor = rec_tensor, .scalar = rec_scalar,
	.submit = rec_submit, .scope = rec_scope, .endscope = rec_endscope,
	.alloc = rec_alloc,
};

/* One core of @type with zeroed local memory owned by the test. */
static struct chipc_core *new_core(struct kunit *test, u32 type)
{
	struct chipc_core *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->core_type = type;
	c->count = 1;
	if (type != CHIP_CORE_AICPU) {
		c->local_cap = type == CHIP_CORE_AIC ? CHIP_LOCAL_AIC : CHIP_LOCAL_AIV;
		c->local = kunit_kzalloc(test, c->local_cap, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, c->local);
	}
	return c;
}

/* Verify @p for @core's type (the interpreter trusts verified code), then run it. */
static int run(struct kunit *test, struct chipc_core *core, const struct chipc_env *env,
	       const struct prog *p, const u64 *args, const u64 *sizes, u32 nargs,
	       struct rec *r, struct chipc_fault *f)
{
	struct chipc_prog prog;
	s32 err;

	KUNIT_ASSERT_EQ_MSG(test, chipc_isa_verify(p->in, p->n * 8, core->core_type, &prog, &err),
			    0, "verify failed at %d", err);
	return chipc_exec(core, env, &prog, args, sizes, nargs,
			  r ? &rec_ops : NULL, r, f);
}

/* Run @p on an AICPU core with recording callbacks; returns the TSCAL values. */
static struct rec *run_scalar(struct kunit *test, const struct prog *p)
{
	struct chipc_core *core = new_core(test, CHIP_CORE_AICPU);
	struct chipc_env env = {};
	struct chipc_fault f;
	struct rec *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_EQ_MSG(test, run(test, core, &env, p, NULL, NULL, 0, r, &f), 0,
			    "status %u: %s", f.status, f.msg);
	return r;
}

static const u64 operands[] = {
	0, 1, 5, 63, 64, 65, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull,
	0x123456789abcdef0ull, 0xfffffffffffffffbull,
};

static const u8 alu_ops[] = {
	CHIP_OP_ADD, CHIP_OP_SUB, CHIP_OP_MUL, CHIP_OP_DIVU, CHIP_OP_REMU,
	CHIP_OP_AND, CHIP_OP_OR, CHIP_OP_XOR, CHIP_OP_SHL, CHIP_OP_SHR,
	CHIP_OP_SAR, CHIP_OP_SLT, CHIP_OP_SLTU,
};

static u64 alu_ref(u8 op, u64 b, u64 c)
{
	switch (op) {
	case CHIP_OP_ADD: return b + c;
	case CHIP_OP_SUB: return b - c;
	case CHIP_OP_MUL: return b * c;
	case CHIP_OP_DIVU:
		return c ? div64_u64(b, c) : ~0ull;
	case CHIP_OP_REMU:
		return c ? b - div64_u64(b, c) * c : b;
	case CHIP_OP_AND: return b & c;
	case CHIP_OP_OR: return b | c;
	case CHIP_OP_XOR: return b ^ c;
	case CHIP_OP_SHL: return b << (c & 63);
	case CHIP_OP_SHR: return b >> (c & 63);
	case CHIP_OP_SAR: return (u64)((s64)b >> (c & 63));
	case CHIP_OP_SLT: return (s64)b < (s64)c;
	case CHIP_OP_SLTU: return b < c;
	}
	return 0xdead;
}

/* Every register-register ALU opcode matches the C reference on edge-case operands. */
static void exec_alu_reference(struct kunit *test)
{
	u32 i, j, k;

	for (i = 0; i < ARRAY_SIZE(operands); i++) {
		for (j = 0; j < ARRAY_SIZE(operands); j++) {
			struct prog p = {};
			struct rec *r;

			load64(test, &p, 1, operands[i]);
			load64(test, &p, 2, operands[j]);
			for (k = 0; k < ARRAY_SIZE(alu_ops); k++) {
				/* destination differs from the sources each time */
				emit(test, &p, CI_ABC(HALT, 3 + k % 12, 1, 2));
				p.in[p.n - 1].op = alu_ops[k];
				emit(test, &p, CI_A(TSCAL, 3 + k % 12));
			}
			r = run_scalar(test, &p);
			KUNIT_ASSERT_EQ(test, r->nvals, (u32)ARRAY_SIZE(alu_ops));
			for (k = 0; k < ARRAY_SIZE(alu_ops); k++)
				KUNIT_EXPECT_EQ_MSG(test, r->vals[k],
						    alu_ref(alu_ops[k], operands[i], operands[j]),
						    "op 0x%02x b=%llx c=%llx", alu_ops[k],
						    operands[i], operands[j]);
		}
	}
}

/* The immediate forms sign-extend their immediate (shifts use its low 6 bits). */
static void exec_alu_immediate_reference(struct kunit *test)
{
	static const s32 imms[] = { 0, 1, -1, 7, 63, 64, 0x7fffffff, -0x7fffffff - 1 };
	static const u8 ops[] = { CHIP_OP_ADDI, CHIP_OP_MULI, CHIP_OP_ANDI,
				  CHIP_OP_SHLI, CHIP_OP_SHRI };
	u32 i, j, k;

	for (i = 0; i < ARRAY_SIZE(operands); i++) {
		for (j = 0; j < ARRAY_SIZE(imms); j++) {
			u64 b = operands[i], si = (u64)(s64)imms[j];
			u64 want[] = { b + si, b * si, b & si, b << (imms[j] & 63),
				       b >> (imms[j] & 63) };
			struct prog p = {};
			struct rec *r;

			load64(test, &p, 1, b);
			for (k = 0; k < ARRAY_SIZE(ops); k++) {
				emit(test, &p, CI(HALT, 2, 1, 0, imms[j]));
				p.in[p.n - 1].op = ops[k];
				emit(test, &p, CI_A(TSCAL, 2));
			}
			r = run_scalar(test, &p);
			KUNIT_ASSERT_EQ(test, r->nvals, (u32)ARRAY_SIZE(ops));
			for (k = 0; k < ARRAY_SIZE(ops); k++)
				KUNIT_EXPECT_EQ_MSG(test, r->vals[k], want[k],
						    "op 0x%02x b=%llx imm=%d", ops[k], b, imms[j]);
		}
	}
}

/* LI sign-extends, LIH replaces the high half only, MOV copies; registers start at zero. */
static void exec_load_immediates(struct kunit *test)
{
	struct prog p = {};
	struct rec *r;

	emit(test, &p, CI_A(TSCAL, 9));			/* zero at entry */
	emit(test, &p, CI_AI(LI, 1, -1));
	emit(test, &p, CI_A(TSCAL, 1));
	emit(test, &p, CI_AI(LIH, 1, 0));
	emit(test, &p, CI_A(TSCAL, 1));
	emit(test, &p, CI_AI(LI, 2, 0x12345678));
	emit(test, &p, CI_AI(LIH, 2, (s32)0x9abcdef0u));
	emit(test, &p, CI_A(TSCAL, 2));
	emit(test, &p, CI_AB(MOV, 15, 2));
	emit(test, &p, CI_A(TSCAL, 15));
	emit(test, &p, CI_AI(LIF, 3, (s32)0xbf800000u));
	emit(test, &p, CI_A(TSCAL, 3));
	r = run_scalar(test, &p);
	KUNIT_ASSERT_EQ(test, r->nvals, 6u);
	KUNIT_EXPECT_EQ(test, r->vals[0], 0ull);
	KUNIT_EXPECT_EQ(test, r->vals[1], ~0ull);
	KUNIT_EXPECT_EQ(test, r->vals[2], 0xffffffffull);
	KUNIT_EXPECT_EQ(test, r->vals[3], 0x9abcdef012345678ull);
	KUNIT_EXPECT_EQ(test, r->vals[4], 0x9abcdef012345678ull);
	/* LIF zero-extends the binary32 pattern */
	KUNIT_EXPECT_EQ(test, r->vals[5], 0xbf800000ull);
}

static bool branch_ref(u8 op, u64 a, u64 b)
{
	switch (op) {
	case CHIP_OP_JMP: return true;
	case CHIP_OP_BEQ: return a == b;
	case CHIP_OP_BNE: return a != b;
	case CHIP_OP_BLT: return (s64)a < (s64)b;
	case CHIP_OP_BGE: return (s64)a >= (s64)b;
	case CHIP_OP_BLTU: return a < b;
	case CHIP_OP_BGEU: return a >= b;
	}
	return false;
}

/* Every branch is taken exactly when the C reference says so. */
static void exec_branch_reference(struct kunit *test)
{
	static const u8 ops[] = { CHIP_OP_JMP, CHIP_OP_BEQ, CHIP_OP_BNE, CHIP_OP_BLT,
				  CHIP_OP_BGE, CHIP_OP_BLTU, CHIP_OP_BGEU };
	static const u64 vals[] = { 0, 1, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull };
	u32 i, j, k;

	for (k = 0; k < ARRAY_SIZE(ops); k++) {
		for (i = 0; i < ARRAY_SIZE(vals); i++) {
			for (j = 0; j < ARRAY_SIZE(vals); j++) {
				struct prog p = {};
				struct chip_insn br = { .op = ops[k], .imm = 3 };
				struct rec *r;

				load64(test, &p, 1, vals[i]);
				load64(test, &p, 2, vals[j]);
				if (ops[k] != CHIP_OP_JMP) {
					br.a = 1;
					br.b = 2;
				}
				emit(test, &p, br);
				emit(test, &p, CI_AI(LI, 3, 0));
				emit(test, &p, CI(JMP, 0, 0, 0, 2));
				emit(test, &p, CI_AI(LI, 3, 1));
				emit(test, &p, CI_A(TSCAL, 3));
				r = run_scalar(test, &p);
				KUNIT_ASSERT_EQ(test, r->nvals, 1u);
				KUNIT_EXPECT_EQ_MSG(test, r->vals[0],
						    (u64)branch_ref(ops[k], vals[i], vals[j]),
						    "op 0x%02x a=%llx b=%llx", ops[k],
						    vals[i], vals[j]);
			}
		}
	}
}

/* A backward branch loops: 10 iterations of += 3 give 30 and 1 + 10 * 3 + 2 instructions more. */
static void exec_backward_loop(struct kunit *test)
{
	struct chipc_core *core = new_core(test, CHIP_CORE_AICPU);
	struct chipc_env env = {};
	struct chipc_fault f;
	struct rec r = {};
	struct prog p = {};

	emit(test, &p, CI_AI(LI, 1, 10));
	emit(test, &p, CI_ABI(ADDI, 2, 2, 3));
	emit(test, &p, CI_ABI(ADDI, 1, 1, -1));
	emit(test, &p, CI(BNE, 1, 0, 0, -2));
	emit(test, &p, CI_A(TSCAL, 2));
	emit(test, &p, CI0(HALT));
	KUNIT_ASSERT_EQ(test, run(test, core, &env, &p, NULL, NULL, 0, &r, &f), 0);
	KUNIT_EXPECT_EQ(test, r.vals[0], 30ull);
	KUNIT_EXPECT_EQ(test, core->insns, 1ull + 30 + 2);
}

/* ARG, ASIZE, NARG, CORE and NCORE read the run's arguments and the core's place. */
static void exec_environment(struct kunit *test)
{
	static const u64 args[] = { 0x1000, 77, 0x2000 };
	static const u64 sizes[] = { 256, 0, 64 };
	struct chipc_core *core = new_core(test, CHIP_CORE_AICPU);
	struct chipc_env env = {};
	struct chipc_fault f;
	struct rec r = {};
	struct prog p = {};

	core->index = 5;
	core->count = 48;
	emit(test, &p, CI_AI(ARG, 1, 2));
	emit(test, &p, CI_A(TSCAL, 1));
	emit(test, &p, CI_AI(ARG, 1, 1));
	emit(test, &p, CI_A(TSCAL, 1));
	emit(test, &p, CI_AI(ASIZE, 1, 0));
	emit(test, &p, CI_A(TSCAL, 1));
	emit(test, &p, CI_A(NARG, 1));
	emit(test, &p, CI_A(TSCAL, 1));
	emit(test, &p, CI_A(CORE, 1));
	emit(test, &p, CI_A(TSCAL, 1));
	emit(test, &p, CI_A(NCORE, 1));
	emit(test, &p, CI_A(TSCAL, 1));
	KUNIT_ASSERT_EQ(test, run(test, core, &env, &p, args, sizes, 3, &r, &f), 0);
	KUNIT_ASSERT_EQ(test, r.nvals, 6u);
	KUNIT_EXPECT_EQ(test, r.vals[0], 0x2000ull);
	KUNIT_EXPECT_EQ(test, r.vals[1], 77ull);
	KUNIT_EXPECT_EQ(test, r.vals[2], 256ull);
	KUNIT_EXPECT_EQ(test, r.vals[3], 3ull);
	KUNIT_EXPECT_EQ(test, r.vals[4], 5ull);
	KUNIT_EXPECT_EQ(test, r.vals[5], 48ull);
}

/* An argument index the verifier allows but the run does not have is a FAULT with code ARG. */
static void exec_arg_out_of_range_faults(struct kunit *test)
{
	static const u64 args[] = { 1, 2 };
	struct chipc_core *core = new_core(test, CHIP_CORE_AIV);
	struct chipc_env env = {};
	struct chipc_fault f;
	struct prog p = {};

	emit(test, &p, CI_AI(ARG, 1, 2));
	KUNIT_EXPECT_EQ(test, run(test, core, &env, &p, args, NULL, 2, NULL, &f), -1);
	KUNIT_EXPECT_EQ(test, f.status, (u32)CHIP_STATUS_FAULT);
	KUNIT_EXPECT_EQ(test, f.code, CHIP_FAULT_ARG);
	KUNIT_EXPECT_EQ(test, f.addr, 2ull);
}

/* Scalar binary32 arithmetic gives the correctly rounded IEEE results. */
static void exec_float_scalar(struct kunit *test)
{
	static const struct { u8 op; u32 b, c, want; } t[] = {
		{ CHIP_OP_FADD, F32_2, F32_3, F32_5 },
		{ CHIP_OP_FSUB, F32_3, F32_2, F32_1 },
		{ CHIP_OP_FMUL, F32_2, F32_3, 0x40c00000u },		/* 6 */
		{ CHIP_OP_FDIV, F32_3, F32_2, 0x3fc00000u },		/* 1.5 */
		{ CHIP_OP_FADD, 0x3dcccccdu, 0x3e4ccccdu, 0x3e99999au },	/* 0.1 + 0.2 */
		{ CHIP_OP_FDIV, F32_1, 0x40400000u, 0x3eaaaaabu },	/* 1 / 3 */
		{ CHIP_OP_FDIV, F32_1, F32_0, F32_INF },
		{ CHIP_OP_FDIV, 0xbf800000u, F32_0, 0xff800000u },
		{ CHIP_OP_FMUL, 0x7f000000u, F32_2, F32_INF },		/* overflow */
		{ CHIP_OP_FSUB, F32_1, F32_1, F32_0 },
	};
	struct prog p = {};
	struct rec *r;
	u32 i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		emit(test, &p, CI_AI(LIF, 1, (s32)t[i].b));
		emit(test, &p, CI_AI(LIF, 2, (s32)t[i].c));
		emit(test, &p, CI(HALT, 3, 1, 2, 0));
		p.in[p.n - 1].op = t[i].op;
		emit(test, &p, CI_A(TSCAL, 3));
	}
	/* 0 / 0 is a NaN */
	emit(test, &p, CI_AI(LIF, 1, 0));
	emit(test, &p, CI_ABC(FDIV, 3, 1, 1));
	emit(test, &p, CI_A(TSCAL, 3));
	r = run_scalar(test, &p);
	KUNIT_ASSERT_EQ(test, r->nvals, (u32)ARRAY_SIZE(t) + 1);
	for (i = 0; i < ARRAY_SIZE(t); i++)
		KUNIT_EXPECT_EQ_MSG(test, r->vals[i], (u64)t[i].want, "case %u", i);
	KUNIT_EXPECT_EQ(test, r->vals[i] & 0x7f800000u, 0x7f800000ull);
	KUNIT_EXPECT_NE(test, r->vals[i] & 0x7fffffu, 0ull);
}

/* Orchestration opcodes reach the callbacks with their operands; SUBMIT and ALLOC write ra. */
static void exec_orchestration_callbacks(struct kunit *test)
{
	struct chipc_core *core = new_core(test, CHIP_CORE_AICPU);
	struct chipc_env env = {};
	struct chipc_fault f;
	struct rec r = {};
	struct prog p = {};

	emit(test, &p, CI(TASK, CHIP_CORE_AIV, 0, 0, 7));
	emit(test, &p, CI_AI(LI, 1, 0x4000));
	emit(test, &p, CI_AI(LI, 2, 96));
	emit(test, &p, CI(TTENS, 1, 2, CHIP_DIR_OUT, 0));
	emit(test, &p, CI0(SCOPE));
	emit(test, &p, CI_A(SUBMIT, 5));
	emit(test, &p, CI_A(TSCAL, 5));
	emit(test, &p, CI0(ENDSCOPE));
	emit(test, &p, CI_AB(ALLOC, 6, 2));
	emit(test, &p, CI_A(TSCAL, 6));
	KUNIT_ASSERT_EQ(test, run(test, core, &env, &p, NULL, NULL, 0, &r, &f), 0);
	KUNIT_EXPECT_EQ(test, r.task_fid, 7);
	KUNIT_EXPECT_EQ(test, r.task_core, (u32)CHIP_CORE_AIV);
	KUNIT_EXPECT_EQ(test, r.t_addr, 0x4000ull);
	KUNIT_EXPECT_EQ(test, r.t_bytes, 96ull);
	KUNIT_EXPECT_EQ(test, r.t_dir, (u32)CHIP_DIR_OUT);
	KUNIT_EXPECT_EQ(test, r.scopes, 1u);
	KUNIT_EXPECT_EQ(test, r.endscopes, 1u);
	KUNIT_EXPECT_EQ(test, r.alloc_bytes, 96ull);
	KUNIT_ASSERT_EQ(test, r.nvals, 2u);
	KUNIT_EXPECT_EQ(test, r.vals[0], 1234ull);
	KUNIT_EXPECT_EQ(test, r.vals[1], 0xabc000ull);
}

/*
 * A failing callback ends the program: as ORCH_ERROR/INVALID_ARGS when it
 * set no status, with its own status otherwise; without callbacks an
 * orchestration opcode is a FAULT; FATAL reports its code.
 */
static void exec_orchestration_errors(struct kunit *test)
{
	struct chipc_core *core = new_core(test, CHIP_CORE_AICPU);
	struct chipc_env env = {};
	struct chipc_fault f;
	struct rec r = { .fail_task = 1 };
	struct prog p = {};

	emit(test, &p, CI(TASK, CHIP_CORE_AIC, 0, 0, 3));
	emit(test, &p, CI_AI(LI, 1, 1));
	emit(test, &p, CI_A(TSCAL, 1));
	KUNIT_EXPECT_EQ(test, run(test, core, &env, &p, NULL, NULL, 0, &r, &f), -1);
	KUNIT_EXPECT_EQ(test, f.status, (u32)CHIP_STATUS_ORCH_ERROR);
	KUNIT_EXPECT_EQ(test, f.code, CHIP_ORCH_INVALID_ARGS);
	KUNIT_EXPECT_EQ(test, r.nvals, 0u);

	r.fail_status = CHIP_STATUS_SCHED_ERROR;
	KUNIT_EXPECT_EQ(test, run(test, core, &env, &p, NULL, NULL, 0, &r, &f), -1);
	KUNIT_EXPECT_EQ(test, f.status, (u32)CHIP_STATUS_SCHED_ERROR);
	KUNIT_EXPECT_EQ(test, f.code, 77);

	KUNIT_EXPECT_EQ(test, run(test, core, &env, &p, NULL, NULL, 0, NULL, &f), -1);
	KUNIT_EXPECT_EQ(test, f.status, (u32)CHIP_STATUS_FAULT);

	p.n = 0;
	emit(test, &p, CI(FATAL, 0, 0, 0, 42));
	emit(test, &p, CI_A(TSCAL, 1));
	r.fail_task = 0;
	KUNIT_EXPECT_EQ(test, run(test, core, &env, &p, NULL, NULL, 0, &r, &f), -1);
	KUNIT_EXPECT_EQ(test, f.status, (u32)CHIP_STATUS_ORCH_ERROR);
	KUNIT_EXPECT_EQ(test, f.code, 42);
	KUNIT_EXPECT_EQ(test, r.nvals, 0u);
}

/* ------------------------------------------------------------- tiles */

#define A_VA	0x100000ull
#define B_VA	0x200000ull
#define O_VA	0x300000ull
#define TN	37	/* not a multiple of the tile block size */

struct tile_env {
	struct chipc_vm *vm;
	struct chipc_env env;
	u32 *a, *b, *o;
	u64 args[4];
};

static struct tile_env *tile_setup(struct kunit *test)
{
	struct tile_env *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->vm = chip_test_vm(test, 8);
	t->a = (u32 *)chip_test_vm_map(test, t->vm, A_VA, 4096, CHIPC_PROT_READ);
	t->b = (u32 *)chip_test_vm_map(test, t->vm, B_VA, 4096, CHIPC_PROT_READ);
	t->o = (u32 *)chip_test_vm_map(test, t->vm, O_VA, 4096, RW);
	t->env.vm = t->vm;
	for (i = 0; i < 1024; i++) {
		t->a[i] = f32i(i + 1);
		t->b[i] = f32i(20);
	}
	t->args[0] = A_VA;
	t->args[1] = B_VA;
	t->args[2] = O_VA;
	t->args[3] = TN;
	return t;
}

/* Prologue: r1..r3 = a, b, out; VL = n; r5, r6, r7 = local offsets; load a and b. */
static void tile_prologue(struct kunit *test, struct prog *p)
{
	emit(test, p, CI_AI(ARG, 1, 0));
	emit(test, p, CI_AI(ARG, 2, 1));
	emit(test, p, CI_AI(ARG, 3, 2));
	emit(test, p, CI_AI(ARG, 4, 3));
	emit(test, p, CI_A(SETVL, 4));
	emit(test, p, CI_AI(LI, 5, 0));
	emit(test, p, CI_AI(LI, 6, 1024));
	emit(test, p, CI_AI(LI, 7, 2048));
	emit(test, p, CI_AB(TLD, 5, 1));
	emit(test, p, CI_AB(TLD, 6, 2));
}

struct tile_case {
	u8 op;
	u32 scalar;		/* f32 operand of the *S forms */
	u32 (*want)(u32 i);	/* expected bits of element i (a[i] = i + 1, b[i] = 20) */
};

static u32 w_add(u32 i) { return f32i(i + 21); }
static u32 w_sub(u32 i) { return f32i((s64)i + 1 - 20); }
static u32 w_mul(u32 i) { return f32i(20 * (i + 1)); }
static u32 w_div(u32 i) { return f32q(i + 1, 2); }
static u32 w_max(u32 i) { return f32i(max(i + 1, 20u)); }
static u32 w_min(u32 i) { return f32i(min(i + 1, 20u)); }
static u32 w_adds(u32 i) { return f32q(2 * (i + 1) + 1, 1); }
static u32 w_subs(u32 i) { return f32i(i); }
static u32 w_muls(u32 i) { return f32i(3 * (i + 1)); }
static u32 w_divs(u32 i) { return f32q(i + 1, 2); }

/*
 * Every element-wise tile opcode gives the exact binary32 result on all
 * 37 elements (block-sized and tail elements alike) and writes nothing
 * past VL.
 */
static void exec_tile_elementwise(struct kunit *test)
{
	static const struct tile_case cases[] = {
		{ CHIP_OP_TADD, 0, w_add }, { CHIP_OP_TSUB, 0, w_sub },
		{ CHIP_OP_TMUL, 0, w_mul }, { CHIP_OP_TMAX, 0, w_max },
		{ CHIP_OP_TMIN, 0, w_min },
		{ CHIP_OP_TADDS, 0x3f000000u, w_adds },	/* + 0.5 */
		{ CHIP_OP_TSUBS, F32_1, w_subs }, { CHIP_OP_TMULS, F32_3, w_muls },
		{ CHIP_OP_TDIVS, 0x40800000u, w_divs },	/* / 4 */
	};
	u32 k, i;

	for (k = 0; k < ARRAY_SIZE(cases); k++) {
		struct chipc_core *core = new_core(test, CHIP_CORE_AIV);
		struct tile_env *t = tile_setup(test);
		struct chipc_fault f;
		u8 rc = 6;				/* the second tile ... */
		struct prog p = {};

		if (cases[k].op >= CHIP_OP_TADDS)
			rc = 8;				/* ... or the scalar */
		tile_prologue(test, &p);
		emit(test, &p, CI_AI(LIF, 8, (s32)cases[k].scalar));
		emit(test, &p, CI_ABC(HALT, 7, 5, rc));
		p.in[p.n - 1].op = cases[k].op;
		emit(test, &p, CI_AB(TST, 3, 7));
		KUNIT_ASSERT_EQ_MSG(test, run(test, core, &t->env, &p, t->args, NULL, 4, NULL, &f),
				    0, "%s", f.msg);
		for (i = 0; i < TN; i++)
			KUNIT_EXPECT_EQ_MSG(test, t->o[i], cases[k].want(i), "op 0x%02x elem %u",
					    cases[k].op, i);
		KUNIT_EXPECT_EQ(test, t->o[TN], 0u);
	}
}

/* TDIV divides element by element: (i + 1) / (i + 1) is 1 and a / 4 is exact. */
static void exec_tile_div(struct kunit *test)
{
	struct chipc_core *core = new_core(test, CHIP_CORE_AIV);
	struct tile_env *t = tile_setup(test);
	struct chipc_fault f;
	struct prog p = {};
	u32 i;

	for (i = 0; i < TN; i++)
		t->b[i] = i % 2 ? f32i(i + 1) : f32i(4);
	tile_prologue(test, &p);
	emit(test, &p, CI_ABC(TDIV, 7, 5, 6));
	emit(test, &p, CI_AB(TST, 3, 7));
	KUNIT_ASSERT_EQ(test, run(test, core, &t->env, &p, t->args, NULL, 4, NULL, &f), 0);
	for (i = 0; i < TN; i++)
		KUNIT_EXPECT_EQ_MSG(test, t->o[i], i % 2 ? F32_1 : w_div(i), "elem %u", i);
}

/* TEXP: exp(0) = 1 exactly, exp(1) within one ulp of e, very negative gives 0, large gives +inf. */
static void exec_tile_exp(struct kunit *test)
{
	static const struct { u32 in, lo, hi; } t_[] = {
		{ F32_0, F32_1, F32_1 },
		{ F32_1, 0x402df853u, 0x402df855u },		/* e = 0x402df854 */
		{ 0xbf800000u, 0x3ebc5ab1u, 0x3ebc5ab3u },	/* 1/e = 0x3ebc5ab2 */
		{ 0xc3480000u, 0, 0 },				/* -200 */
		{ 0x42c80000u, F32_INF, F32_INF },		/* 100 */
		{ 0xff800000u, 0, 0 },				/* -inf */
	};
	struct chipc_core *core = new_core(test, CHIP_CORE_AIV);
	struct tile_env *t = tile_setup(test);
	struct chipc_fault f;
	struct prog p = {};
	u32 i;

	for (i = 0; i < ARRAY_SIZE(t_); i++)
		t->a[i] = t_[i].in;
	t->args[3] = ARRAY_SIZE(t_);
	tile_prologue(test, &p);
	emit(test, &p, CI_AB(TEXP, 7, 5));
	emit(test, &p, CI_AB(TST, 3, 7));
	KUNIT_ASSERT_EQ(test, run(test, core, &t->env, &p, t->args, NULL, 4, NULL, &f), 0);
	for (i = 0; i < ARRAY_SIZE(t_); i++) {
		KUNIT_EXPECT_GE_MSG(test, t->o[i], t_[i].lo, "exp case %u", i);
		KUNIT_EXPECT_LE_MSG(test, t->o[i], t_[i].hi, "exp case %u", i);
	}
}

/*
 * TFILL, TMOV and the reductions: fill with 7, copy a, sum 1..37 = 703
 * and max 37, both stored through a one-element tile.
 */
static void exec_tile_fill_move_reduce(struct kunit *test)
{
	struct chipc_core *core = new_core(test, CHIP_CORE_AIV);
	struct tile_env *t = tile_setup(test);
	struct chipc_fault f;
	struct prog p = {};
	u32 i;

	tile_prologue(test, &p);
	emit(test, &p, CI_AI(LIF, 8, (s32)f32i(7)));
	emit(test, &p, CI_AB(TFILL, 7, 8));
	emit(test, &p, CI_AB(TST, 3, 7));		/* out[0..37) = 7 */
	emit(test, &p, CI_AB(TMOV, 7, 5));
	emit(test, &p, CI_ABI(ADDI, 9, 3, 1024));
	emit(test, &p, CI_AB(TST, 9, 7));		/* out[256..293) = a */
	emit(test, &p, CI_AB(TRSUM, 10, 5));
	emit(test, &p, CI_AB(TRMAX, 11, 5));
	emit(test, &p, CI_AI(LI, 4, 1));
	emit(test, &p, CI_A(SETVL, 4));
	emit(test, &p, CI_ABI(ADDI, 9, 3, 2048));
	emit(test, &p, CI_AB(TFILL, 7, 10));
	emit(test, &p, CI_AB(TST, 9, 7));		/* out[512] = sum */
	emit(test, &p, CI_ABI(ADDI, 9, 9, 4));
	emit(test, &p, CI_AB(TFILL, 7, 11));
	emit(test, &p, CI_AB(TST, 9, 7));		/* out[513] = max */
	KUNIT_ASSERT_EQ(test, run(test, core, &t->env, &p, t->args, NULL, 4, NULL, &f), 0);
	for (i = 0; i < TN; i++) {
		KUNIT_EXPECT_EQ(test, t->o[i], f32i(7));
		KUNIT_EXPECT_EQ(test, t->o[256 + i], f32i(i + 1));
	}
	KUNIT_EXPECT_EQ(test, t->o[TN], 0u);
	KUNIT_EXPECT_EQ(test, t->o[512], f32i(TN * (TN + 1) / 2));
	KUNIT_EXPECT_EQ(test, t->o[513], f32i(TN));
}

/*
 * TLD2/TST2 move a 2 x 3 block out of a 4 x 5 row-major matrix (row stride
 * 5) into a packed 2 x 3 matrix (row stride 3), and TMMA on an AIC core
 * computes [1..6](2x3) x [1..6](3x2) = [22 28; 49 64].
 */
static void exec_tile_2d_and_matmul(struct kunit *test)
{
	struct chipc_core *core = new_core(test, CHIP_CORE_AIC);
	struct tile_env *t = tile_setup(test);
	struct chipc_fault f;
	struct prog p = {};
	u32 i;

	/* a = 1..1024 row-major, so a 4x5 matrix's (1,1) block is 7 8 9 / 12 13 14 */
	emit(test, &p, CI_AI(ARG, 1, 0));
	emit(test, &p, CI_AI(ARG, 3, 2));
	emit(test, &p, CI_AI(LI, 10, 2));
	emit(test, &p, CI_AI(LI, 11, 3));
	emit(test, &p, CI_AI(LI, 12, 5));
	emit(test, &p, CI_ABC(SHAPE, 10, 11, 0));
	emit(test, &p, CI_ABI(ADDI, 2, 1, 6 * 4));
	emit(test, &p, CI_AI(LI, 5, 0));
	emit(test, &p, CI_ABC(TLD2, 5, 2, 12));
	emit(test, &p, CI_ABC(TST2, 3, 5, 11));		/* out[0..6) */

	/* A = a[0..6) as 2x3, B = a[0..6) as 3x2, C = 0 */
	emit(test, &p, CI_AI(LI, 6, 64));
	emit(test, &p, CI_AI(LI, 7, 128));
	emit(test, &p, CI_AI(LI, 8, 256));
	emit(test, &p, CI_AI(LI, 4, 6));
	emit(test, &p, CI_A(SETVL, 4));
	emit(test, &p, CI_AB(TLD, 6, 1));
	emit(test, &p, CI_AB(TLD, 7, 1));
	emit(test, &p, CI_AB(TFILL, 8, 0));
	emit(test, &p, CI_ABC(SHAPE, 10, 11, 10));
	emit(test, &p, CI_ABC(TMMA, 8, 6, 7));
	emit(test, &p, CI_ABC(SHAPE, 10, 10, 0));
	emit(test, &p, CI_ABI(ADDI, 9, 3, 64));
	emit(test, &p, CI_ABC(TST2, 9, 8, 10));		/* out[16..20) */
	KUNIT_ASSERT_EQ_MSG(test, run(test, core, &t->env, &p, t->args, NULL, 4, NULL, &f), 0,
			    "%s", f.msg);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, t->o[i], f32i(7 + i));
		KUNIT_EXPECT_EQ(test, t->o[3 + i], f32i(12 + i));
	}
	KUNIT_EXPECT_EQ(test, t->o[6], 0u);
	KUNIT_EXPECT_EQ(test, t->o[16], f32i(22));
	KUNIT_EXPECT_EQ(test, t->o[17], f32i(28));
	KUNIT_EXPECT_EQ(test, t->o[18], f32i(49));
	KUNIT_EXPECT_EQ(test, t->o[19], f32i(64));
}

/* A load from unmapped memory is a READ fault at that address. */
static void exec_fault_unmapped_load(struct kunit *test)
{
	struct chipc_core *core = new_core(test, CHIP_CORE_AIV);
	struct tile_env *t = tile_setup(test);
	struct chipc_fault f;
	struct prog p = {};

	t->args[0] = 0x900000;
	tile_prologue(test, &p);
	KUNIT_EXPECT_EQ(test, run(test, core, &t->env, &p, t->args, NULL, 4, NULL, &f), -1);
	KUNIT_EXPECT_EQ(test, f.status, (u32)CHIP_STATUS_FAULT);
	KUNIT_EXPECT_EQ(test, f.code, CHIP_FAULT_READ);
	KUNIT_EXPECT_EQ(test, f.addr, 0x900000ull);
}

/*
 * A store to read-only memory, or one that runs past the end of its
 * mapping, is a WRITE fault and writes nothing at all.
 */
static void exec_fault_store_refused(struct kunit *test)
{
	struct chipc_core *core = new_core(test, CHIP_CORE_AIV);
	struct tile_env *t = tile_setup(test);
	struct chipc_fault f;
	struct prog p = {};
	u32 i;

	tile_prologue(test, &p);
	emit(test, &p, CI_AB(TST, 3, 5));
	/* into a read-only mapping */
	t->args[2] = B_VA;
	KUNIT_EXPECT_EQ(test, run(test, core, &t->env, &p, t->args, NULL, 4, NULL, &f), -1);
	KUNIT_EXPECT_EQ(test, f.status, (u32)CHIP_STATUS_FAULT);
	KUNIT_EXPECT_EQ(test, f.code, CHIP_FAULT_WRITE);
	KUNIT_EXPECT_EQ(test, f.addr, B_VA);
	KUNIT_EXPECT_EQ(test, t->b[0], f32i(20));

	/* straddling the end of the output mapping: 16 bytes inside, the rest outside */
	t->args[2] = O_VA + 4096 - 16;
	KUNIT_EXPECT_EQ(test, run(test, core, &t->env, &p, t->args, NULL, 4, NULL, &f), -1);
	KUNIT_EXPECT_EQ(test, f.code, CHIP_FAULT_WRITE);
	KUNIT_EXPECT_EQ(test, f.addr, O_VA + 4096 - 16);
	for (i = 1024 - 4; i < 1024; i++)
		KUNIT_EXPECT_EQ(test, t->o[i], 0u);
}

/* Misaligned device addresses fault; so do local offsets past local memory and a VL beyond it. */
static void exec_fault_alignment_and_local(struct kunit *test)
{
	struct chipc_core *core = new_core(test, CHIP_CORE_AIV);
	struct tile_env *t = tile_setup(test);
	struct chipc_fault f;
	struct prog p = {};

	t->args[0] = A_VA + 2;
	tile_prologue(test, &p);
	KUNIT_EXPECT_EQ(test, run(test, core, &t->env, &p, t->args, NULL, 4, NULL, &f), -1);
	KUNIT_EXPECT_EQ(test, f.code, CHIP_FAULT_READ);
	KUNIT_EXPECT_EQ(test, f.addr, A_VA + 2);

	/* local offset: the last word is fine with VL 1, not with VL 2 */
	core->insns = 0;
	p.n = 0;
	emit(test, &p, CI_AI(LI, 1, 1));
	emit(test, &p, CI_A(SETVL, 1));
	emit(test, &p, CI_AI(LI, 2, CHIP_LOCAL_AIV - 4));
	emit(test, &p, CI_AB(TFILL, 2, 0));
	emit(test, &p, CI_AI(LI, 1, 2));
	emit(test, &p, CI_A(SETVL, 1));
	emit(test, &p, CI_AB(TFILL, 2, 0));
	KUNIT_EXPECT_EQ(test, run(test, core, &t->env, &p, t->args, NULL, 4, NULL, &f), -1);
	KUNIT_EXPECT_EQ(test, f.status, (u32)CHIP_STATUS_FAULT);
	KUNIT_EXPECT_EQ(test, f.code, CHIP_FAULT_LOCAL);
	KUNIT_EXPECT_EQ(test, core->insns, 7ull);

	/* VL larger than local memory holds */
	p.n = 0;
	emit(test, &p, CI_AI(LI, 1, CHIP_LOCAL_AIV / 4 + 1));
	emit(test, &p, CI_A(SETVL, 1));
	KUNIT_EXPECT_EQ(test, run(test, core, &t->env, &p, t->args, NULL, 4, NULL, &f), -1);
	KUNIT_EXPECT_EQ(test, f.code, CHIP_FAULT_SHAPE);

	/* a matrix multiply whose operands cannot fit */
	core = new_core(test, CHIP_CORE_AIC);
	p.n = 0;
	emit(test, &p, CI_AI(LI, 1, 1024));
	emit(test, &p, CI_ABC(SHAPE, 1, 1, 1));
	emit(test, &p, CI_ABC(TMMA, 0, 0, 0));
	KUNIT_EXPECT_EQ(test, run(test, core, &t->env, &p, t->args, NULL, 4, NULL, &f), -1);
	KUNIT_EXPECT_EQ(test, f.code, CHIP_FAULT_SHAPE);
}

/*
 * TMMA with a zero dimension is a SHAPE fault: (m, 0, 0) would otherwise
 * loop over m rows doing no arithmetic and counting no work.
 */
static void exec_tile_mma_degenerate(struct kunit *test)
{
	static const u64 shapes[][3] = {
		{ ~0ull, 0, 0 }, { 1u << 31, 0, 0 }, { 0, 4, 4 }, { 4, 0, 4 },
		{ 4, 4, 0 },
	};
	struct chipc_core *core = new_core(test, CHIP_CORE_AIC);
	struct chipc_env env = {};
	struct chipc_fault f;
	struct prog p = {};
	u32 i;

	for (i = 0; i < ARRAY_SIZE(shapes); i++) {
		p.n = 0;
		load64(test, &p, 1, shapes[i][0]);
		load64(test, &p, 2, shapes[i][1]);
		load64(test, &p, 3, shapes[i][2]);
		emit(test, &p, CI_ABC(SHAPE, 1, 2, 3));
		emit(test, &p, CI_ABC(TMMA, 0, 0, 0));
		emit(test, &p, CI0(HALT));
		KUNIT_EXPECT_EQ(test, run(test, core, &env, &p, NULL, NULL, 0, NULL, &f), -1);
		KUNIT_EXPECT_EQ(test, f.status, (u32)CHIP_STATUS_FAULT);
		KUNIT_EXPECT_EQ(test, f.code, CHIP_FAULT_SHAPE);
		KUNIT_EXPECT_NOT_NULL(test, strstr(f.msg, "degenerate"));
	}
}

/*
 * A large TMMA reaches the watchdog between bounded chunks of rows: with
 * the deadline passed once the program has started, a 128 x 128 x 128
 * multiply (2M multiply-adds) stops after its first chunk of 4 rows.
 */
static void exec_tile_mma_checks_between_chunks(struct kunit *test)
{
	struct chipc_core *core = new_core(test, CHIP_CORE_AIC);
	struct chipc_env env = { .now_ns = 1, .deadline_ns = 2 };
	u32 *c = (u32 *)core->local, *ab = c + 128 * 128;
	struct chipc_fault f;
	struct prog p = {};
	u32 i;

	memset(c, 0, 128 * 128 * 4);
	for (i = 0; i < 2 * 128 * 128; i++)
		ab[i] = f32i(1);
	emit(test, &p, CI_AI(LI, 1, 128));
	emit(test, &p, CI_ABC(SHAPE, 1, 1, 1));
	emit(test, &p, CI_AI(LI, 2, 128 * 128 * 4));
	emit(test, &p, CI_AI(LI, 3, 2 * 128 * 128 * 4));
	emit(test, &p, CI_ABC(TMMA, 0, 2, 3));
	emit(test, &p, CI0(HALT));
	KUNIT_EXPECT_EQ(test, run(test, core, &env, &p, NULL, NULL, 0, NULL, &f), -1);
	KUNIT_EXPECT_EQ(test, f.status, (u32)CHIP_STATUS_TIMEOUT);
	KUNIT_EXPECT_EQ(test, core->insns, 5ull);
	for (i = 0; i < 128 * 128; i++)
		if (c[i] != (i < 4 * 128 ? f32i(128) : 0u))
			break;
	KUNIT_EXPECT_EQ(test, i, 128u * 128);
}

/* The run's heap is addressable like a mapping; one byte past it faults. */
static void exec_heap_access(struct kunit *test)
{
	struct chipc_core *core = new_core(test, CHIP_CORE_AIV);
	struct tile_env *t = tile_setup(test);
	u32 *heap = kunit_kzalloc(test, 256, GFP_KERNEL);
	struct chipc_fault f;
	struct prog p = {};

	KUNIT_ASSERT_NOT_NULL(test, heap);
	t->env.heap_va = 0x800000;
	t->env.heap_size = 256;
	t->env.heap_host = (u8 *)heap;
	t->args[2] = 0x800000 + 256 - TN * 4 - 4;
	tile_prologue(test, &p);
	emit(test, &p, CI_AB(TST, 3, 5));
	emit(test, &p, CI_AB(TLD, 7, 3));
	/* b is read-only: a fault, after the heap round trip */
	emit(test, &p, CI_AB(TST, 2, 7));
	KUNIT_EXPECT_EQ(test, run(test, core, &t->env, &p, t->args, NULL, 4, NULL, &f), -1);
	KUNIT_EXPECT_EQ(test, f.code, CHIP_FAULT_WRITE);
	KUNIT_EXPECT_EQ(test, f.addr, B_VA);
	KUNIT_EXPECT_EQ(test, heap[(256 - TN * 4 - 4) / 4], f32i(1));
	KUNIT_EXPECT_EQ(test, heap[(256 - 4 - 4) / 4], f32i(TN));

	t->args[2] = 0x800000 + 256 - TN * 4 + 4;
	p.n = 0;
	tile_prologue(test, &p);
	emit(test, &p, CI_AB(TST, 3, 5));
	KUNIT_EXPECT_EQ(test, run(test, core, &t->env, &p, t->args, NULL, 4, NULL, &f), -1);
	KUNIT_EXPECT_EQ(test, f.code, CHIP_FAULT_WRITE);
}

/* ------------------------------------------------------- stopping */

static void spin_prog(struct kunit *test, struct prog *p)
{
	p->n = 0;
	emit(test, p, CI_ABI(ADDI, 1, 1, 1));
	emit(test, p, CI(JMP, 0, 0, 0, -1));
}

/* The instruction budget stops a spinning program after exactly that many instructions. */
static void exec_instruction_budget(struct kunit *test)
{
	struct chipc_core *core = new_core(test, CHIP_CORE_AIV);
	struct chipc_env env = { .insn_budget = 5000 };
	struct chipc_fault f;
	struct prog p = {};

	spin_prog(test, &p);
	KUNIT_EXPECT_EQ(test, run(test, core, &env, &p, NULL, NULL, 0, NULL, &f), -1);
	KUNIT_EXPECT_EQ(test, f.status, (u32)CHIP_STATUS_TIMEOUT);
	KUNIT_EXPECT_EQ(test, core->insns, 5000ull);

	/* the budget is per execution and the count accumulates */
	KUNIT_EXPECT_EQ(test, run(test, core, &env, &p, NULL, NULL, 0, NULL, &f), -1);
	KUNIT_EXPECT_EQ(test, core->insns, 10000ull);

	/* a program within budget halts normally and reports a clean fault record */
	p.n = 0;
	emit(test, &p, CI0(NOP));
	emit(test, &p, CI0(HALT));
	KUNIT_EXPECT_EQ(test, run(test, core, &env, &p, NULL, NULL, 0, NULL, &f), 0);
	KUNIT_EXPECT_EQ(test, f.status, (u32)CHIP_STATUS_OK);
	KUNIT_EXPECT_EQ(test, core->insns, 10002ull);
}

/*
 * The watchdog stops a spinning program soon after its deadline; a past
 * deadline stops it before it starts.
 */
static void exec_watchdog_deadline(struct kunit *test)
{
	struct chipc_core *core = new_core(test, CHIP_CORE_AIV);
	struct chipc_env env = {};
	struct chipc_fault f;
	struct prog p = {};
	u64 t0, dt;

	spin_prog(test, &p);
	t0 = ktime_get_ns();
	env.deadline_ns = t0 + 20 * NSEC_PER_MSEC;
	KUNIT_EXPECT_EQ(test, run(test, core, &env, &p, NULL, NULL, 0, NULL, &f), -1);
	dt = ktime_get_ns() - t0;
	KUNIT_EXPECT_EQ(test, f.status, (u32)CHIP_STATUS_TIMEOUT);
	KUNIT_EXPECT_GE(test, dt, 20 * NSEC_PER_MSEC);
	KUNIT_EXPECT_LT(test, dt, 2 * NSEC_PER_SEC);

	core->insns = 0;
	env.deadline_ns = 1;
	KUNIT_EXPECT_EQ(test, run(test, core, &env, &p, NULL, NULL, 0, NULL, &f), -1);
	KUNIT_EXPECT_EQ(test, f.status, (u32)CHIP_STATUS_TIMEOUT);
	KUNIT_EXPECT_EQ(test, core->insns, 0ull);
}

/* A set abort flag ends the program as CANCELLED before it runs anything. */
static void exec_abort_flag(struct kunit *test)
{
	struct chipc_core *core = new_core(test, CHIP_CORE_AIV);
	static int abort_flag;
	struct chipc_env env = { .abort = &abort_flag };
	struct chipc_fault f;
	struct prog p = {};

	spin_prog(test, &p);
	abort_flag = 1;
	KUNIT_EXPECT_EQ(test, run(test, core, &env, &p, NULL, NULL, 0, NULL, &f), -1);
	KUNIT_EXPECT_EQ(test, f.status, (u32)CHIP_STATUS_CANCELLED);
	KUNIT_EXPECT_EQ(test, core->insns, 0ull);
	abort_flag = 0;
}

/* Running off the end of a program is a normal halt. */
static void exec_falls_off_end(struct kunit *test)
{
	struct chipc_core *core = new_core(test, CHIP_CORE_AIV);
	struct chipc_env env = { .insn_budget = 100 };
	struct chipc_fault f;
	struct prog p = {};

	emit(test, &p, CI0(NOP));
	emit(test, &p, CI0(NOP));
	emit(test, &p, CI0(NOP));
	KUNIT_EXPECT_EQ(test, run(test, core, &env, &p, NULL, NULL, 0, NULL, &f), 0);
	KUNIT_EXPECT_EQ(test, core->insns, 3ull);
}

static struct kunit_case chip_exec_test_cases[] = {
	KUNIT_CASE(exec_alu_reference),
	KUNIT_CASE(exec_alu_immediate_reference),
	KUNIT_CASE(exec_load_immediates),
	KUNIT_CASE(exec_branch_reference),
	KUNIT_CASE(exec_backward_loop),
	KUNIT_CASE(exec_environment),
	KUNIT_CASE(exec_arg_out_of_range_faults),
	KUNIT_CASE(exec_float_scalar),
	KUNIT_CASE(exec_orchestration_callbacks),
	KUNIT_CASE(exec_orchestration_errors),
	KUNIT_CASE(exec_tile_elementwise),
	KUNIT_CASE(exec_tile_div),
	KUNIT_CASE(exec_tile_exp),
	KUNIT_CASE(exec_tile_fill_move_reduce),
	KUNIT_CASE(exec_tile_2d_and_matmul),
	KUNIT_CASE(exec_fault_unmapped_load),
	KUNIT_CASE(exec_fault_store_refused),
	KUNIT_CASE(exec_fault_alignment_and_local),
	KUNIT_CASE(exec_tile_mma_degenerate),
	KUNIT_CASE(exec_tile_mma_checks_between_chunks),
	KUNIT_CASE(exec_heap_access),
	KUNIT_CASE(exec_instruction_budget),
	KUNIT_CASE(exec_watchdog_deadline),
	KUNIT_CASE(exec_abort_flag),
	KUNIT_CASE(exec_falls_off_end),
	{}
};

static struct kunit_suite chip_exec_test_suite = {
	.name = "chip_exec",
	.test_cases = chip_exec_test_cases,
};

kunit_test_suite(chip_exec_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the chip ISA interpreter");
