// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the ISA verifier (kernel/core/isa_verify.c).
 *
 * The expected legality of every opcode is written down here again, from
 * uapi/chip_isa.h, rather than taken from the verifier's own table.
 */
#include <kunit/test.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "chip_kunit_helpers.h"

enum { K_Z, K_R, K_CORE, K_DIR };			/* operand fields */
enum { I_Z, I_ANY, I_BR, I_ARG, I_FUNC, I_FATAL };	/* immediates */

#define C_AIC	BIT(CHIP_CORE_AIC)
#define C_AIV	BIT(CHIP_CORE_AIV)
#define C_CPU	BIT(CHIP_CORE_AICPU)
#define C_ALL	(C_AIC | C_AIV | C_CPU)
#define C_TILE	(C_AIC | C_AIV)

struct op_spec {
	u8 op;
	const char *name;
	u8 cores;
	u8 k[3];
	u8 imm;
};

#define S(o, ct, ka, kb, kc, ki) { CHIP_OP_##o, #o, ct, { ka, kb, kc }, ki }

static const struct op_spec op_specs[] = {
	S(NOP, C_ALL, K_Z, K_Z, K_Z, I_Z), S(HALT, C_ALL, K_Z, K_Z, K_Z, I_Z),
	S(LI, C_ALL, K_R, K_Z, K_Z, I_ANY), S(LIH, C_ALL, K_R, K_Z, K_Z, I_ANY),
	S(MOV, C_ALL, K_R, K_R, K_Z, I_Z), S(ADD, C_ALL, K_R, K_R, K_R, I_Z),
	S(SUB, C_ALL, K_R, K_R, K_R, I_Z), S(MUL, C_ALL, K_R, K_R, K_R, I_Z),
	S(DIVU, C_ALL, K_R, K_R, K_R, I_Z), S(REMU, C_ALL, K_R, K_R, K_R, I_Z),
	S(AND, C_ALL, K_R, K_R, K_R, I_Z), S(OR, C_ALL, K_R, K_R, K_R, I_Z),
	S(XOR, C_ALL, K_R, K_R, K_R, I_Z), S(SHL, C_ALL, K_R, K_R, K_R, I_Z),
	S(SHR, C_ALL, K_R, K_R, K_R, I_Z), S(SAR, C_ALL, K_R, K_R, K_R, I_Z),
	S(ADDI, C_ALL, K_R, K_R, K_Z, I_ANY), S(MULI, C_ALL, K_R, K_R, K_Z, I_ANY),
	S(ANDI, C_ALL, K_R, K_R, K_Z, I_ANY), S(SHLI, C_ALL, K_R, K_R, K_Z, I_ANY),
	S(SHRI, C_ALL, K_R, K_R, K_Z, I_ANY), S(SLT, C_ALL, K_R, K_R, K_R, I_Z),
	S(SLTU, C_ALL, K_R, K_R, K_R, I_Z), S(JMP, C_ALL, K_Z, K_Z, K_Z, I_BR),
	S(BEQ, C_ALL, K_R, K_R, K_Z, I_BR), S(BNE, C_ALL, K_R, K_R, K_Z, I_BR),
	S(BLT, C_ALL, K_R, K_R, K_Z, I_BR), S(BGE, C_ALL, K_R, K_R, K_Z, I_BR),
	S(BLTU, C_ALL, K_R, K_R, K_Z, I_BR), S(BGEU, C_ALL, K_R, K_R, K_Z, I_BR),
	S(ARG, C_ALL, K_R, K_Z, K_Z, I_ARG), S(NARG, C_ALL, K_R, K_Z, K_Z, I_Z),
	S(CORE, C_ALL, K_R, K_Z, K_Z, I_Z), S(NCORE, C_ALL, K_R, K_Z, K_Z, I_Z),
	S(LIF, C_ALL, K_R, K_Z, K_Z, I_ANY), S(ASIZE, C_ALL, K_R, K_Z, K_Z, I_ARG),
	S(FADD, C_ALL, K_R, K_R, K_R, I_Z), S(FSUB, C_ALL, K_R, K_R, K_R, I_Z),
	S(FMUL, C_ALL, K_R, K_R, K_R, I_Z), S(FDIV, C_ALL, K_R, K_R, K_R, I_Z),
	S(SETVL, C_TILE, K_R, K_Z, K_Z, I_Z), S(SHAPE, C_TILE, K_R, K_R, K_R, I_Z),
	S(TLD, C_TILE, K_R, K_R, K_Z, I_Z), S(TST, C_TILE, K_R, K_R, K_Z, I_Z),
	S(TLD2, C_TILE, K_R, K_R, K_R, I_Z), S(TST2, C_TILE, K_R, K_R, K_R, I_Z),
	S(TFILL, C_TILE, K_R, K_R, K_Z, I_Z), S(TMOV, C_TILE, K_R, K_R, K_Z, I_Z),
	S(TADD, C_AIV, K_R, K_R, K_R, I_Z), S(TSUB, C_AIV, K_R, K_R, K_R, I_Z),
	S(TMUL, C_AIV, K_R, K_R, K_R, I_Z), S(TDIV, C_AIV, K_R, K_R, K_R, I_Z),
	S(TMAX, C_AIV, K_R, K_R, K_R, I_Z), S(TMIN, C_AIV, K_R, K_R, K_R, I_Z),
	S(TADDS, C_AIV, K_R, K_R, K_R, I_Z), S(TSUBS, C_AIV, K_R, K_R, K_R, I_Z),
	S(TMULS, C_AIV, K_R, K_R, K_R, I_Z), S(TDIVS, C_AIV, K_R, K_R, K_R, I_Z),
	S(TEXP, C_AIV, K_R, K_R, K_Z, I_Z), S(TRSUM, C_AIV, K_R, K_R, K_Z, I_Z),
	S(TRMAX, C_AIV, K_R, K_R, K_Z, I_Z), S(TMMA, C_AIC, K_R, K_R, K_R, I_Z),
	S(TASK, C_CPU, K_CORE, K_Z, K_Z, I_FUNC), S(TTENS, C_CPU, K_R, K_R, K_DIR, I_Z),
	S(TSCAL, C_CPU, K_R, K_Z, K_Z, I_Z), S(SUBMIT, C_CPU, K_R, K_Z, K_Z, I_Z),
	S(SCOPE, C_CPU, K_Z, K_Z, K_Z, I_Z), S(ENDSCOPE, C_CPU, K_Z, K_Z, K_Z, I_Z),
	S(ALLOC, C_CPU, K_R, K_R, K_Z, I_Z), S(FATAL, C_CPU, K_Z, K_Z, K_Z, I_FATAL),
};

static const struct op_spec *spec_of(u32 op)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(op_specs); i++)
		if (op_specs[i].op == op)
			return &op_specs[i];
	return NULL;
}

/* A valid encoding of @s: sample registers and in-range immediates. */
static struct chip_insn sample(const struct op_spec *s)
{
	static const u8 reg[3] = { 1, 2, 3 };
	struct chip_insn in = { .op = s->op };
	u8 *f[3] = { &in.a, &in.b, &in.c };
	u32 i;

	for (i = 0; i < 3; i++) {
		if (s->k[i] == K_R)
			*f[i] = reg[i];
		else if (s->k[i] == K_CORE)
			*f[i] = CHIP_CORE_AIV;
		else if (s->k[i] == K_DIR)
			*f[i] = CHIP_DIR_INOUT;
	}
	switch (s->imm) {
	case I_ANY:
		in.imm = -7;
		break;
	case I_FUNC:
		in.imm = 5;
		break;
	case I_FATAL:
		in.imm = 9;
		break;
	default:	/* I_Z, I_ARG 0, I_BR 0 (branch to itself) */
		break;
	}
	return in;
}

/* Verify the two-instruction program { @in, HALT }. */
static int verify2(struct chip_insn in, u32 core, s32 *err)
{
	struct chip_insn p[2] = { in, CI0(HALT) };
	struct chipc_prog out;

	return chipc_isa_verify(p, sizeof(p), core, &out, err);
}

/*
 * Every one of the 256 opcode values is accepted exactly on the core types
 * uapi/chip_isa.h allows it, and rejected (at index 0) everywhere else.
 */
static void isa_verify_opcode_legality(struct kunit *test)
{
	u32 op, core;

	for (op = 0; op < 256; op++) {
		const struct op_spec *s = spec_of(op);
		struct chip_insn in = { .op = op };

		if (s)
			in = sample(s);
		for (core = CHIP_CORE_AIC; core <= CHIP_CORE_AICPU; core++) {
			bool legal = s && (s->cores & BIT(core));
			s32 err = 77;
			int rc = verify2(in, core, &err);

			KUNIT_EXPECT_EQ_MSG(test, rc, legal ? 0 : -EINVAL,
					    "op 0x%02x (%s) on core %u", op,
					    s ? s->name : "unknown", core);
			if (!legal)
				KUNIT_EXPECT_EQ_MSG(test, err, 0, "op 0x%02x", op);
		}
	}
}

/* Register operands 16 and 255 are rejected in every register field; 15 is fine. */
static void isa_verify_register_range(struct kunit *test)
{
	static const u8 bad[] = { CHIP_ISA_NREGS, 255 };
	u32 i, f, j;

	for (i = 0; i < ARRAY_SIZE(op_specs); i++) {
		const struct op_spec *s = &op_specs[i];
		u32 core = __ffs(s->cores);

		for (f = 0; f < 3; f++) {
			struct chip_insn in = sample(s);
			u8 *fld = f == 0 ? &in.a : f == 1 ? &in.b : &in.c;

			if (s->k[f] != K_R)
				continue;
			*fld = CHIP_ISA_NREGS - 1;
			KUNIT_EXPECT_EQ_MSG(test, verify2(in, core, NULL), 0, "%s field %u",
					    s->name, f);
			for (j = 0; j < ARRAY_SIZE(bad); j++) {
				*fld = bad[j];
				KUNIT_EXPECT_EQ_MSG(test, verify2(in, core, NULL), -EINVAL,
						    "%s field %u = %u", s->name, f, bad[j]);
			}
		}
	}
}

/* A non-zero operand field or immediate that the opcode does not use is rejected. */
static void isa_verify_unused_fields_zero(struct kunit *test)
{
	u32 i, f;

	for (i = 0; i < ARRAY_SIZE(op_specs); i++) {
		const struct op_spec *s = &op_specs[i];
		u32 core = __ffs(s->cores);
		struct chip_insn in;

		for (f = 0; f < 3; f++) {
			if (s->k[f] != K_Z)
				continue;
			in = sample(s);
			if (f == 0)
				in.a = 1;
			else if (f == 1)
				in.b = 1;
			else
				in.c = 1;
			KUNIT_EXPECT_EQ_MSG(test, verify2(in, core, NULL), -EINVAL,
					    "%s unused field %u", s->name, f);
		}
		if (s->imm != I_Z)
			continue;
		in = sample(s);
		in.imm = 1;
		KUNIT_EXPECT_EQ_MSG(test, verify2(in, core, NULL), -EINVAL, "%s imm 1", s->name);
		in.imm = -1;
		KUNIT_EXPECT_EQ_MSG(test, verify2(in, core, NULL), -EINVAL, "%s imm -1", s->name);
	}
}

/*
 * Branch targets must lie inside the program: the first and last
 * instruction are fine, one before or one past is not, for every branch.
 */
static void isa_verify_branch_targets(struct kunit *test)
{
	static const u8 br[] = { CHIP_OP_JMP, CHIP_OP_BEQ, CHIP_OP_BNE, CHIP_OP_BLT,
				 CHIP_OP_BGE, CHIP_OP_BLTU, CHIP_OP_BGEU };
	struct chip_insn p[4] = { CI0(NOP), CI0(NOP), CI0(NOP), CI0(HALT) };
	static const struct { s32 imm; int rc; } t[] = {
		{ -2, 0 }, { 0, 0 }, { 1, 0 },
		{ -3, -EINVAL }, { 2, -EINVAL }, { 0x7fffffff, -EINVAL },
		{ -0x7fffffff - 1, -EINVAL },
	};
	u32 i, j;
	s32 err;

	for (i = 0; i < ARRAY_SIZE(br); i++) {
		for (j = 0; j < ARRAY_SIZE(t); j++) {
			/* the branch sits at index 2 of 4 */
			p[2] = (struct chip_insn){ .op = br[i], .imm = t[j].imm };
			if (br[i] != CHIP_OP_JMP) {
				p[2].a = 4;
				p[2].b = 5;
			}
			KUNIT_EXPECT_EQ_MSG(test, chipc_isa_verify(p, sizeof(p), CHIP_CORE_AIV,
								   NULL, &err), t[j].rc,
					    "op 0x%02x imm %d", br[i], t[j].imm);
			if (t[j].rc)
				KUNIT_EXPECT_EQ(test, err, 2);
		}
	}
}

/*
 * Immediates with a range: ARG/ASIZE index, TASK func_id and core type,
 * TTENS direction and FATAL code are checked at both ends.
 */
static void isa_verify_immediate_ranges(struct kunit *test)
{
	const s32 nargs = CHIP_MAX_TENSOR_ARGS + CHIP_MAX_SCALAR_ARGS;
	static const u8 argops[] = { CHIP_OP_ARG, CHIP_OP_ASIZE };
	u32 i;

	for (i = 0; i < ARRAY_SIZE(argops); i++) {
		struct chip_insn in = { .op = argops[i], .a = 1 };

		in.imm = 0;
		KUNIT_EXPECT_EQ(test, verify2(in, CHIP_CORE_AIV, NULL), 0);
		in.imm = nargs - 1;
		KUNIT_EXPECT_EQ(test, verify2(in, CHIP_CORE_AIV, NULL), 0);
		in.imm = nargs;
		KUNIT_EXPECT_EQ(test, verify2(in, CHIP_CORE_AIV, NULL), -EINVAL);
		in.imm = -1;
		KUNIT_EXPECT_EQ(test, verify2(in, CHIP_CORE_AIV, NULL), -EINVAL);
	}

	KUNIT_EXPECT_EQ(test, verify2(CI(TASK, CHIP_CORE_AIC, 0, 0, 0), CHIP_CORE_AICPU, NULL), 0);
	KUNIT_EXPECT_EQ(test, verify2(CI(TASK, CHIP_CORE_AIV, 0, 0, CHIP_MAX_FUNC_ID - 1),
				      CHIP_CORE_AICPU, NULL), 0);
	KUNIT_EXPECT_EQ(test, verify2(CI(TASK, CHIP_CORE_AIV, 0, 0, CHIP_MAX_FUNC_ID),
				      CHIP_CORE_AICPU, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, verify2(CI(TASK, CHIP_CORE_AIV, 0, 0, -1), CHIP_CORE_AICPU, NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, verify2(CI(TASK, CHIP_CORE_AICPU, 0, 0, 1), CHIP_CORE_AICPU, NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, verify2(CI(TASK, 3, 0, 0, 1), CHIP_CORE_AICPU, NULL), -EINVAL);

	for (i = CHIP_DIR_IN; i <= CHIP_DIR_INOUT; i++)
		KUNIT_EXPECT_EQ(test, verify2(CI(TTENS, 1, 2, i, 0), CHIP_CORE_AICPU, NULL), 0);
	KUNIT_EXPECT_EQ(test, verify2(CI(TTENS, 1, 2, CHIP_DIR_SCALAR, 0), CHIP_CORE_AICPU, NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, verify2(CI(TTENS, 1, 2, CHIP_DIR_INOUT + 1, 0), CHIP_CORE_AICPU,
				      NULL), -EINVAL);

	KUNIT_EXPECT_EQ(test, verify2(CI(FATAL, 0, 0, 0, 1), CHIP_CORE_AICPU, NULL), 0);
	KUNIT_EXPECT_EQ(test, verify2(CI(FATAL, 0, 0, 0, 99), CHIP_CORE_AICPU, NULL), 0);
	KUNIT_EXPECT_EQ(test, verify2(CI(FATAL, 0, 0, 0, 0), CHIP_CORE_AICPU, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, verify2(CI(FATAL, 0, 0, 0, 100), CHIP_CORE_AICPU, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, verify2(CI(FATAL, 0, 0, 0, -9), CHIP_CORE_AICPU, NULL), -EINVAL);
}

KUNIT_DEFINE_ACTION_WRAPPER(vfree_action, vfree, const void *);

/*
 * The program size must be a non-zero multiple of 8 of at most 65536
 * instructions, the core type known and the code non-NULL; these report
 * index -1.
 */
static void isa_verify_program_size(struct kunit *test)
{
	const u32 max = CHIP_ISA_MAX_INSNS;
	struct chip_insn p[2] = { CI0(NOP), CI0(HALT) };
	struct chipc_prog out;
	struct chip_insn *big;
	s32 err;

	KUNIT_EXPECT_EQ(test, chipc_isa_verify(NULL, 8, CHIP_CORE_AIV, &out, &err), -EINVAL);
	KUNIT_EXPECT_EQ(test, err, -1);
	err = 5;
	KUNIT_EXPECT_EQ(test, chipc_isa_verify(p, 0, CHIP_CORE_AIV, &out, &err), -EINVAL);
	KUNIT_EXPECT_EQ(test, err, -1);
	KUNIT_EXPECT_EQ(test, chipc_isa_verify(p, 12, CHIP_CORE_AIV, &out, &err), -EINVAL);
	KUNIT_EXPECT_EQ(test, chipc_isa_verify(p, 7, CHIP_CORE_AIV, &out, &err), -EINVAL);
	KUNIT_EXPECT_EQ(test, chipc_isa_verify(p, sizeof(p), 3, &out, &err), -EINVAL);
	KUNIT_EXPECT_EQ(test, err, -1);
	KUNIT_EXPECT_EQ(test, chipc_isa_verify(p, sizeof(p), 0xffffffffu, &out, &err), -EINVAL);

	/* 65536 NOPs (all-zero instructions) are the largest program */
	big = vzalloc(array_size(max + 1, sizeof(*big)));
	KUNIT_ASSERT_NOT_NULL(test, big);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vfree_action, big), 0);
	KUNIT_EXPECT_EQ(test, chipc_isa_verify(big, max * 8, CHIP_CORE_AIC, &out, &err), 0);
	KUNIT_EXPECT_EQ(test, out.count, max);
	KUNIT_EXPECT_EQ(test, chipc_isa_verify(big, (max + 1) * 8, CHIP_CORE_AIC, &out, &err),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, err, -1);
}

/* On success @out describes the program in place; a program may end without HALT. */
static void isa_verify_fills_prog(struct kunit *test)
{
	struct chip_insn p[3] = { CI_AI(LI, 1, 3), CI_ABI(ADDI, 1, 1, -1), CI0(NOP) };
	struct chipc_prog out = {};
	s32 err = 9;

	KUNIT_ASSERT_EQ(test, chipc_isa_verify(p, sizeof(p), CHIP_CORE_AIC, &out, &err), 0);
	KUNIT_EXPECT_PTR_EQ(test, out.insns, (const struct chip_insn *)p);
	KUNIT_EXPECT_EQ(test, out.count, 3u);
	KUNIT_EXPECT_EQ(test, out.core_type, (u32)CHIP_CORE_AIC);
	KUNIT_EXPECT_EQ(test, err, -1);
	/* @out and @err may be NULL */
	KUNIT_EXPECT_EQ(test, chipc_isa_verify(p, sizeof(p), CHIP_CORE_AIV, NULL, NULL), 0);
}

/* The failing instruction's index is reported, also deep inside a long program. */
static void isa_verify_reports_failing_index(struct kunit *test)
{
	struct chip_insn *p = kunit_kcalloc(test, 1000, sizeof(*p), GFP_KERNEL);
	s32 err;

	KUNIT_ASSERT_NOT_NULL(test, p);
	p[999] = CI0(HALT);
	p[737] = CI_ABC(TADD, 1, 2, 3);
	KUNIT_EXPECT_EQ(test, chipc_isa_verify(p, 1000 * 8, CHIP_CORE_AIV, NULL, &err), 0);
	KUNIT_EXPECT_EQ(test, chipc_isa_verify(p, 1000 * 8, CHIP_CORE_AIC, NULL, &err), -EINVAL);
	KUNIT_EXPECT_EQ(test, err, 737);
	p[12] = CI(ADD, 1, 2, 16, 0);
	KUNIT_EXPECT_EQ(test, chipc_isa_verify(p, 1000 * 8, CHIP_CORE_AIV, NULL, &err), -EINVAL);
	KUNIT_EXPECT_EQ(test, err, 12);
}

static struct kunit_case chip_isa_test_cases[] = {
	KUNIT_CASE(isa_verify_opcode_legality),
	KUNIT_CASE(isa_verify_register_range),
	KUNIT_CASE(isa_verify_unused_fields_zero),
	KUNIT_CASE(isa_verify_branch_targets),
	KUNIT_CASE(isa_verify_immediate_ranges),
	KUNIT_CASE(isa_verify_program_size),
	KUNIT_CASE(isa_verify_fills_prog),
	KUNIT_CASE(isa_verify_reports_failing_index),
	{}
};

static struct kunit_suite chip_isa_test_suite = {
	.name = "chip_isa",
	.test_cases = chip_isa_test_cases,
};

kunit_test_suite(chip_isa_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the chip ISA verifier");
