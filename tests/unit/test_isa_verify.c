// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * chipc_isa_verify(): every rejection path with one broken field per
 * case, the per-opcode core-type legality table, and acceptance of every
 * shared program for its core type.
 */
#include "helpers.h"
#include "chipc.h"
#include "chip/chip.h"
#include "common/programs.h"

#define AIC	CHIP_CORE_AIC
#define AIV	CHIP_CORE_AIV
#define CPU	CHIP_CORE_AICPU

static struct chip_insn I(u8 op, u8 a, u8 b, u8 c, s32 imm)
{
	struct chip_insn in = { .op = op, .a = a, .b = b, .c = c, .imm = imm };

	return in;
}

/* Verify a program of @n instructions; returns rc, *err the index. */
static int verify(const struct chip_insn *p, u32 n, u32 core, s32 *err)
{
	struct chipc_prog prog;

	return chipc_isa_verify(p, n * 8, core, &prog, err);
}

/* One instruction followed by HALT; 0 if accepted, else the index + 1. */
static int one(struct chip_insn in, u32 core)
{
	struct chip_insn p[2] = { in, I(CHIP_OP_HALT, 0, 0, 0, 0) };
	s32 err = 99;
	int rc = verify(p, 2, core, &err);

	if (rc == 0)
		return err == -1 ? 0 : 100;
	if (rc != -EINVAL)
		return 101;
	return err + 1;
}

/*
 * The expected operand forms, written independently of the verifier:
 * R = register, Z = zero, K = core type, D = direction; imm kinds
 * 0 = zero, A = any, B = branch, G = argument index, F = func_id,
 * E = error code.
 */
struct form {
	u8 op;
	const char *abc;
	char imm;
	u32 cores;	/* bit per core type */
};

#define ALL	7u
#define TILE	3u
#define ONLY(c)	(1u << (c))

static const struct form forms[] = {
	{ CHIP_OP_NOP, "ZZZ", '0', ALL },
	{ CHIP_OP_HALT, "ZZZ", '0', ALL },
	{ CHIP_OP_LI, "RZZ", 'A', ALL },
	{ CHIP_OP_LIH, "RZZ", 'A', ALL },
	{ CHIP_OP_MOV, "RRZ", '0', ALL },
	{ CHIP_OP_ADD, "RRR", '0', ALL },
	{ CHIP_OP_SUB, "RRR", '0', ALL },
	{ CHIP_OP_MUL, "RRR", '0', ALL },
	{ CHIP_OP_DIVU, "RRR", '0', ALL },
	{ CHIP_OP_REMU, "RRR", '0', ALL },
	{ CHIP_OP_AND, "RRR", '0', ALL },
	{ CHIP_OP_OR, "RRR", '0', ALL },
	{ CHIP_OP_XOR, "RRR", '0', ALL },
	{ CHIP_OP_SHL, "RRR", '0', ALL },
	{ CHIP_OP_SHR, "RRR", '0', ALL },
	{ CHIP_OP_SAR, "RRR", '0', ALL },
	{ CHIP_OP_ADDI, "RRZ", 'A', ALL },
	{ CHIP_OP_MULI, "RRZ", 'A', ALL },
	{ CHIP_OP_ANDI, "RRZ", 'A', ALL },
	{ CHIP_OP_SHLI, "RRZ", 'A', ALL },
	{ CHIP_OP_SHRI, "RRZ", 'A', ALL },
	{ CHIP_OP_SLT, "RRR", '0', ALL },
	{ CHIP_OP_SLTU, "RRR", '0', ALL },
	{ CHIP_OP_JMP, "ZZZ", 'B', ALL },
	{ CHIP_OP_BEQ, "RRZ", 'B', ALL },
	{ CHIP_OP_BNE, "RRZ", 'B', ALL },
	{ CHIP_OP_BLT, "RRZ", 'B', ALL },
	{ CHIP_OP_BGE, "RRZ", 'B', ALL },
	{ CHIP_OP_BLTU, "RRZ", 'B', ALL },
	{ CHIP_OP_BGEU, "RRZ", 'B', ALL },
	{ CHIP_OP_ARG, "RZZ", 'G', ALL },
	{ CHIP_OP_NARG, "RZZ", '0', ALL },
	{ CHIP_OP_CORE, "RZZ", '0', ALL },
	{ CHIP_OP_NCORE, "RZZ", '0', ALL },
	{ CHIP_OP_LIF, "RZZ", 'A', ALL },
	{ CHIP_OP_ASIZE, "RZZ", 'G', ALL },
	{ CHIP_OP_FADD, "RRR", '0', ALL },
	{ CHIP_OP_FSUB, "RRR", '0', ALL },
	{ CHIP_OP_FMUL, "RRR", '0', ALL },
	{ CHIP_OP_FDIV, "RRR", '0', ALL },
	{ CHIP_OP_SETVL, "RZZ", '0', TILE },
	{ CHIP_OP_SHAPE, "RRR", '0', TILE },
	{ CHIP_OP_TLD, "RRZ", '0', TILE },
	{ CHIP_OP_TST, "RRZ", '0', TILE },
	{ CHIP_OP_TLD2, "RRR", '0', TILE },
	{ CHIP_OP_TST2, "RRR", '0', TILE },
	{ CHIP_OP_TFILL, "RRZ", '0', TILE },
	{ CHIP_OP_TMOV, "RRZ", '0', TILE },
	{ CHIP_OP_TADD, "RRR", '0', ONLY(AIV) },
	{ CHIP_OP_TSUB, "RRR", '0', ONLY(AIV) },
	{ CHIP_OP_TMUL, "RRR", '0', ONLY(AIV) },
	{ CHIP_OP_TDIV, "RRR", '0', ONLY(AIV) },
	{ CHIP_OP_TMAX, "RRR", '0', ONLY(AIV) },
	{ CHIP_OP_TMIN, "RRR", '0', ONLY(AIV) },
	{ CHIP_OP_TADDS, "RRR", '0', ONLY(AIV) },
	{ CHIP_OP_TSUBS, "RRR", '0', ONLY(AIV) },
	{ CHIP_OP_TMULS, "RRR", '0', ONLY(AIV) },
	{ CHIP_OP_TDIVS, "RRR", '0', ONLY(AIV) },
	{ CHIP_OP_TEXP, "RRZ", '0', ONLY(AIV) },
	{ CHIP_OP_TRSUM, "RRZ", '0', ONLY(AIV) },
	{ CHIP_OP_TRMAX, "RRZ", '0', ONLY(AIV) },
	{ CHIP_OP_TMMA, "RRR", '0', ONLY(AIC) },
	{ CHIP_OP_TASK, "KZZ", 'F', ONLY(CPU) },
	{ CHIP_OP_TTENS, "RRD", '0', ONLY(CPU) },
	{ CHIP_OP_TSCAL, "RZZ", '0', ONLY(CPU) },
	{ CHIP_OP_SUBMIT, "RZZ", '0', ONLY(CPU) },
	{ CHIP_OP_SCOPE, "ZZZ", '0', ONLY(CPU) },
	{ CHIP_OP_ENDSCOPE, "ZZZ", '0', ONLY(CPU) },
	{ CHIP_OP_ALLOC, "RRZ", '0', ONLY(CPU) },
	{ CHIP_OP_FATAL, "ZZZ", 'E', ONLY(CPU) },
};

static const struct form *form_of(u8 op)
{
	size_t i;

	for (i = 0; i < CHIPC_ARRAY_SIZE(forms); i++)
		if (forms[i].op == op)
			return &forms[i];
	return NULL;
}

/* A valid instance of @f (placed at index 0 of a 2-instruction program). */
static struct chip_insn valid(const struct form *f)
{
	u8 v[3];
	s32 imm = 0;
	int i;

	for (i = 0; i < 3; i++)
		v[i] = f->abc[i] == 'R' ? 15 - i : f->abc[i] == 'K' ? 1 :
		       f->abc[i] == 'D' ? 3 : 0;
	switch (f->imm) {
	case 'A':
		imm = -123456;
		break;
	case 'B':
		imm = 1;
		break;
	case 'G':
		imm = 383;
		break;
	case 'F':
		imm = 1023;
		break;
	case 'E':
		imm = 99;
		break;
	}
	return I(f->op, v[0], v[1], v[2], imm);
}

static int test_legality_table(void)
{
	u32 op, core;

	for (op = 0; op < 256; op++) {
		const struct form *f = form_of((u8)op);

		for (core = 0; core <= CPU; core++) {
			int rc;

			if (!f) {
				/* unknown opcode: rejected whatever it holds */
				rc = one(I((u8)op, 0, 0, 0, 0), core);
				if (rc != 1) {
					fprintf(stderr, "op 0x%x core %u\n", op,
						core);
					CHECK_EQ(rc, 1);
				}
				continue;
			}
			rc = one(valid(f), core);
			if (f->cores & (1u << core)) {
				if (rc) {
					fprintf(stderr, "op 0x%x core %u\n", op,
						core);
					CHECK_EQ(rc, 0);
				}
			} else if (rc != 1) {
				fprintf(stderr, "op 0x%x core %u\n", op, core);
				CHECK_EQ(rc, 1);
			}
		}
	}
	return 0;
}

/* For every known opcode, break each field in turn. */
static int test_each_field(void)
{
	size_t i;
	int k;

	for (i = 0; i < CHIPC_ARRAY_SIZE(forms); i++) {
		const struct form *f = &forms[i];
		u32 core = f->cores & ONLY(AIV) ? AIV :
			   f->cores & ONLY(AIC) ? AIC : CPU;
		struct chip_insn good = valid(f), bad;
		u8 *fld[3] = { &bad.a, &bad.b, &bad.c };

		CHECK_EQ(one(good, core), 0);
		for (k = 0; k < 3; k++) {
			bad = good;
			switch (f->abc[k]) {
			case 'R':
				*fld[k] = CHIP_ISA_NREGS;
				CHECK_EQ(one(bad, core), 1);
				*fld[k] = 255;
				break;
			case 'Z':
				*fld[k] = 1;
				break;
			case 'K':
				*fld[k] = CHIP_CORE_AICPU;
				break;
			case 'D':
				*fld[k] = 4;
				CHECK_EQ(one(bad, core), 1);
				*fld[k] = CHIP_DIR_SCALAR;
				break;
			}
			if (one(bad, core) != 1) {
				fprintf(stderr, "op 0x%x field %d\n", f->op, k);
				return 1;
			}
		}
		bad = good;
		switch (f->imm) {
		case '0':
			bad.imm = 1;
			CHECK_EQ(one(bad, core), 1);
			bad.imm = -1;
			break;
		case 'A':
			bad.imm = INT32_MIN;	/* any value is fine */
			CHECK_EQ(one(bad, core), 0);
			continue;
		case 'B':
			bad.imm = 2;		/* one past the end */
			CHECK_EQ(one(bad, core), 1);
			bad.imm = -1;		/* before the start */
			break;
		case 'G':
			bad.imm = CHIP_MAX_TENSOR_ARGS + CHIP_MAX_SCALAR_ARGS;
			CHECK_EQ(one(bad, core), 1);
			bad.imm = -1;
			break;
		case 'F':
			bad.imm = CHIP_MAX_FUNC_ID;
			CHECK_EQ(one(bad, core), 1);
			bad.imm = -1;
			break;
		case 'E':
			bad.imm = 100;
			CHECK_EQ(one(bad, core), 1);
			bad.imm = 0;
			break;
		}
		if (one(bad, core) != 1) {
			fprintf(stderr, "op 0x%x imm %d\n", f->op, bad.imm);
			return 1;
		}
	}
	return 0;
}

static int test_sizes(void)
{
	struct chip_insn p[2] = { I(CHIP_OP_NOP, 0, 0, 0, 0),
				  I(CHIP_OP_HALT, 0, 0, 0, 0) };
	struct chipc_prog prog = { NULL, 0, 0 };
	struct chip_insn *big;
	s32 err = 7;

	CHECK_EQ(chipc_isa_verify(p, 0, AIV, &prog, &err), -EINVAL);
	CHECK_EQ(err, -1);
	CHECK_EQ(chipc_isa_verify(p, 4, AIV, &prog, &err), -EINVAL);
	CHECK_EQ(chipc_isa_verify(p, 12, AIV, &prog, &err), -EINVAL);
	CHECK_EQ(chipc_isa_verify(p, 15, AIV, &prog, &err), -EINVAL);
	CHECK_EQ(err, -1);
	CHECK_EQ(chipc_isa_verify(NULL, 8, AIV, &prog, &err), -EINVAL);
	CHECK_EQ(chipc_isa_verify(p, 16, 3, &prog, &err), -EINVAL);
	CHECK_EQ(err, -1);
	CHECK_EQ(chipc_isa_verify(p, 16, 0xffffffffu, NULL, NULL), -EINVAL);
	CHECK(prog.insns == NULL);

	CHECK_EQ(chipc_isa_verify(p, 16, AIV, &prog, &err), 0);
	CHECK_EQ(err, -1);
	CHECK(prog.insns == p);
	CHECK_EQ(prog.count, 2);
	CHECK_EQ(prog.core_type, AIV);
	CHECK_EQ(chipc_isa_verify(p, 8, CPU, NULL, NULL), 0);

	/* CHIP_ISA_MAX_INSNS is accepted, one more is not */
	big = calloc(CHIP_ISA_MAX_INSNS + 1, sizeof(*big));	/* NOPs */
	CHECK(big);
	CHECK_EQ(chipc_isa_verify(big, CHIP_ISA_MAX_INSNS * 8, AIC, &prog,
				  &err), 0);
	CHECK_EQ(prog.count, CHIP_ISA_MAX_INSNS);
	err = 5;
	CHECK_EQ(chipc_isa_verify(big, (CHIP_ISA_MAX_INSNS + 1) * 8, AIC,
				  &prog, &err), -EINVAL);
	CHECK_EQ(err, -1);
	/* a branch to the last of 65536 instructions */
	big[0] = I(CHIP_OP_JMP, 0, 0, 0, CHIP_ISA_MAX_INSNS - 1);
	CHECK_EQ(chipc_isa_verify(big, CHIP_ISA_MAX_INSNS * 8, AIC, &prog,
				  &err), 0);
	big[0].imm = CHIP_ISA_MAX_INSNS;
	CHECK_EQ(chipc_isa_verify(big, CHIP_ISA_MAX_INSNS * 8, AIC, &prog,
				  &err), -EINVAL);
	CHECK_EQ(err, 0);
	free(big);
	return 0;
}

/* The error index names the first bad instruction. */
static int test_error_index(void)
{
	struct chip_insn p[6] = {
		I(CHIP_OP_LI, 1, 0, 0, 5),
		I(CHIP_OP_ADD, 2, 1, 1, 0),
		I(CHIP_OP_NOP, 0, 0, 0, 0),
		I(CHIP_OP_ADD, 2, 1, 16, 0),	/* bad */
		I(CHIP_OP_MOV, 3, 1, 1, 0),	/* bad too */
		I(CHIP_OP_HALT, 0, 0, 0, 0),
	};
	s32 err = -5;

	CHECK_EQ(verify(p, 6, AIV, &err), -EINVAL);
	CHECK_EQ(err, 3);
	p[3].c = 15;
	CHECK_EQ(verify(p, 6, AIV, &err), -EINVAL);
	CHECK_EQ(err, 4);
	p[4].c = 0;
	CHECK_EQ(verify(p, 6, AIV, &err), 0);
	CHECK_EQ(err, -1);
	/* the last instruction may be anything valid, even a branch back */
	p[5] = I(CHIP_OP_BNE, 1, 2, 0, -5);
	CHECK_EQ(verify(p, 6, AIV, &err), 0);
	p[5].imm = -6;
	CHECK_EQ(verify(p, 6, AIV, &err), -EINVAL);
	CHECK_EQ(err, 5);
	/* a branch to itself is inside the program */
	p[5].imm = 0;
	CHECK_EQ(verify(p, 6, AIV, &err), 0);
	return 0;
}

/* Immediate boundaries, one value each side. */
static int test_imm_bounds(void)
{
	CHECK_EQ(one(I(CHIP_OP_TASK, AIC, 0, 0, 0), CPU), 0);
	CHECK_EQ(one(I(CHIP_OP_TASK, AIV, 0, 0, 1023), CPU), 0);
	CHECK_EQ(one(I(CHIP_OP_TASK, AIV, 0, 0, 1024), CPU), 1);
	CHECK_EQ(one(I(CHIP_OP_TASK, AIV, 0, 0, -1), CPU), 1);
	CHECK_EQ(one(I(CHIP_OP_TASK, CPU, 0, 0, 0), CPU), 1);
	CHECK_EQ(one(I(CHIP_OP_TASK, 3, 0, 0, 0), CPU), 1);
	CHECK_EQ(one(I(CHIP_OP_TASK, AIV, 1, 0, 0), CPU), 1);

	CHECK_EQ(one(I(CHIP_OP_TTENS, 1, 2, CHIP_DIR_IN, 0), CPU), 0);
	CHECK_EQ(one(I(CHIP_OP_TTENS, 1, 2, CHIP_DIR_OUT, 0), CPU), 0);
	CHECK_EQ(one(I(CHIP_OP_TTENS, 1, 2, CHIP_DIR_INOUT, 0), CPU), 0);
	CHECK_EQ(one(I(CHIP_OP_TTENS, 1, 2, 0, 0), CPU), 1);
	CHECK_EQ(one(I(CHIP_OP_TTENS, 1, 2, 4, 0), CPU), 1);
	CHECK_EQ(one(I(CHIP_OP_TTENS, 1, 2, 1, 1), CPU), 1);

	CHECK_EQ(one(I(CHIP_OP_FATAL, 0, 0, 0, 1), CPU), 0);
	CHECK_EQ(one(I(CHIP_OP_FATAL, 0, 0, 0, 99), CPU), 0);
	CHECK_EQ(one(I(CHIP_OP_FATAL, 0, 0, 0, 0), CPU), 1);
	CHECK_EQ(one(I(CHIP_OP_FATAL, 0, 0, 0, 100), CPU), 1);
	CHECK_EQ(one(I(CHIP_OP_FATAL, 1, 0, 0, 9), CPU), 1);

	CHECK_EQ(one(I(CHIP_OP_ARG, 0, 0, 0, 0), AIV), 0);
	CHECK_EQ(one(I(CHIP_OP_ARG, 0, 0, 0, 383), AIC), 0);
	CHECK_EQ(one(I(CHIP_OP_ARG, 0, 0, 0, 384), AIC), 1);
	CHECK_EQ(one(I(CHIP_OP_ARG, 0, 0, 0, -1), AIC), 1);
	CHECK_EQ(one(I(CHIP_OP_ASIZE, 0, 0, 0, 383), CPU), 0);
	CHECK_EQ(one(I(CHIP_OP_ASIZE, 0, 0, 0, 384), CPU), 1);
	CHECK_EQ(one(I(CHIP_OP_ASIZE, 0, 0, 0, INT32_MIN), CPU), 1);

	CHECK_EQ(one(I(CHIP_OP_JMP, 0, 0, 0, INT32_MAX), AIV), 1);
	CHECK_EQ(one(I(CHIP_OP_JMP, 0, 0, 0, INT32_MIN), AIV), 1);
	CHECK_EQ(one(I(CHIP_OP_BEQ, 1, 2, 0, 1), AIV), 0);
	return 0;
}

/* Core-type legality spot checks named in the ISA. */
static int test_core_types(void)
{
	CHECK_EQ(one(I(CHIP_OP_TMMA, 1, 2, 3, 0), AIC), 0);
	CHECK_EQ(one(I(CHIP_OP_TMMA, 1, 2, 3, 0), AIV), 1);
	CHECK_EQ(one(I(CHIP_OP_TMMA, 1, 2, 3, 0), CPU), 1);
	CHECK_EQ(one(I(CHIP_OP_TADD, 1, 2, 3, 0), AIV), 0);
	CHECK_EQ(one(I(CHIP_OP_TADD, 1, 2, 3, 0), AIC), 1);
	CHECK_EQ(one(I(CHIP_OP_TRSUM, 1, 2, 0, 0), AIC), 1);
	CHECK_EQ(one(I(CHIP_OP_TEXP, 1, 2, 0, 0), AIC), 1);
	CHECK_EQ(one(I(CHIP_OP_TLD, 1, 2, 0, 0), AIC), 0);
	CHECK_EQ(one(I(CHIP_OP_TLD, 1, 2, 0, 0), CPU), 1);
	CHECK_EQ(one(I(CHIP_OP_SETVL, 1, 0, 0, 0), CPU), 1);
	CHECK_EQ(one(I(CHIP_OP_SUBMIT, 1, 0, 0, 0), AIV), 1);
	CHECK_EQ(one(I(CHIP_OP_SCOPE, 0, 0, 0, 0), AIC), 1);
	CHECK_EQ(one(I(CHIP_OP_FADD, 1, 2, 3, 0), CPU), 0);
	CHECK_EQ(one(I(CHIP_OP_ARG, 1, 0, 0, 0), CPU), 0);
	CHECK_EQ(one(I(0x15, 0, 0, 0, 0), AIV), 1);
	CHECK_EQ(one(I(0x7f, 0, 0, 0, 0), CPU), 1);
	CHECK_EQ(one(I(CHIP_OP_MAX, 0, 0, 0, 0), CPU), 1);
	CHECK_EQ(one(I(0xff, 0, 0, 0, 0), AIC), 1);
	return 0;
}

/* Every shared program verifies for its core type. */
static int test_programs(void)
{
	size_t i;

	for (i = 0; i < prog_catalogue_len; i++) {
		const struct prog_info *pi = &prog_catalogue[i];
		struct chipc_prog prog;
		size_t size;
		void *code = prog_build(pi->text, &size);
		s32 err = 0;
		int rc;

		CHECK(code);
		rc = chipc_isa_verify(code, (u32)size, pi->core_type, &prog,
				      &err);
		if (rc)
			fprintf(stderr, "%s: insn %d\n", pi->name, err);
		CHECK_EQ(rc, 0);
		CHECK_EQ(prog.count, size / 8);
		free(code);
	}
	return 0;
}

/* ... and programs using core-specific opcodes fail on the others. */
static int test_programs_wrong_core(void)
{
	static const struct {
		const char *text;
		u32 core;
	} bad[] = {
		{ PROG_MATMUL, AIV },		/* tmma */
		{ PROG_MATMUL, CPU },
		{ PROG_VEC_ADD, AIC },		/* tadd */
		{ PROG_SOFTMAX_ROWS, AIC },	/* trmax */
		{ PROG_OOB_STORE, CPU },	/* setvl */
		{ PROG_ORCH_VECTOR, AIV },	/* alloc */
		{ PROG_ORCH_FATAL, AIC },
		{ PROG_ORCH_MANY, AIV },
	};
	size_t i, size;

	for (i = 0; i < CHIPC_ARRAY_SIZE(bad); i++) {
		void *code = prog_build(bad[i].text, &size);
		s32 err = -1;

		CHECK(code);
		CHECK_EQ(chipc_isa_verify(code, (u32)size, bad[i].core, NULL,
					  &err), -EINVAL);
		CHECK(err >= 0);
		free(code);
	}
	/* the scalar-only kernels run anywhere */
	for (i = 0; i <= CPU; i++) {
		void *code = prog_build(PROG_SPIN, &size);

		CHECK(code);
		CHECK_EQ(chipc_isa_verify(code, (u32)size, (u32)i, NULL, NULL),
			 0);
		free(code);
	}
	return 0;
}

int main(void)
{
	T_RUN(test_legality_table);
	T_RUN(test_each_field);
	T_RUN(test_sizes);
	T_RUN(test_error_index);
	T_RUN(test_imm_bounds);
	T_RUN(test_core_types);
	T_RUN(test_programs);
	T_RUN(test_programs_wrong_core);
	return T_DONE();
}
