// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Fuzz harness: the ISA verifier.  The first input byte picks the core
 * type (0-2, and 3, on which every program fails), the rest is the
 * program.  chipc_isa_verify() and chipc_isa_verify_copy() must both give
 * the verdict and the failing index of a reference verifier written
 * directly from the operand and immediate rules of Documentation/isa.rst,
 * one field at a time (the verifier under test compiles the same rules
 * into masks and ranges); the copy must hold exactly the instructions
 * checked.
 *
 * Built by scripts/fuzz.sh: standalone (gcc) or with -DCHIP_LIBFUZZER.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chipc.h"
#include "fuzz_driver.h"

static unsigned long fz_accepted;

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_isa: %s\n", what);
	abort();
}

/* ---- the reference: one rule per field --------------------------------- */

enum { OPK_ZERO = 0, OPK_REG, OPK_CORE, OPK_DIR };
enum { IMK_ZERO = 0, IMK_ANY, IMK_BRANCH, IMK_ARG, IMK_FUNC, IMK_FATAL };

#define CT_AIC		BIT(CHIP_CORE_AIC)
#define CT_AIV		BIT(CHIP_CORE_AIV)
#define CT_AICPU	BIT(CHIP_CORE_AICPU)
#define CT_ALL		(CT_AIC | CT_AIV | CT_AICPU)
#define CT_TILE		(CT_AIC | CT_AIV)

struct opdesc {
	u8 a, b, c;	/* OPK_* */
	u8 imm;		/* IMK_* */
	u8 cores;	/* CT_* mask; 0: unknown opcode */
};

#define R	OPK_REG
#define Z	OPK_ZERO
#define OP(o, ka, kb, kc, ki, ct) \
	[CHIP_OP_##o] = { .a = ka, .b = kb, .c = kc, .imm = ki, .cores = ct }

static const struct opdesc isa_ops[CHIP_OP_MAX] = {
	OP(NOP,		Z, Z, Z, IMK_ZERO,	CT_ALL),
	OP(HALT,	Z, Z, Z, IMK_ZERO,	CT_ALL),
	OP(LI,		R, Z, Z, IMK_ANY,	CT_ALL),
	OP(LIH,		R, Z, Z, IMK_ANY,	CT_ALL),
	OP(MOV,		R, R, Z, IMK_ZERO,	CT_ALL),
	OP(ADD,		R, R, R, IMK_ZERO,	CT_ALL),
	OP(SUB,		R, R, R, IMK_ZERO,	CT_ALL),
	OP(MUL,		R, R, R, IMK_ZERO,	CT_ALL),
	OP(DIVU,	R, R, R, IMK_ZERO,	CT_ALL),
	OP(REMU,	R, R, R, IMK_ZERO,	CT_ALL),
	OP(AND,		R, R, R, IMK_ZERO,	CT_ALL),
	OP(OR,		R, R, R, IMK_ZERO,	CT_ALL),
	OP(XOR,		R, R, R, IMK_ZERO,	CT_ALL),
	OP(SHL,		R, R, R, IMK_ZERO,	CT_ALL),
	OP(SHR,		R, R, R, IMK_ZERO,	CT_ALL),
	OP(SAR,		R, R, R, IMK_ZERO,	CT_ALL),
	OP(ADDI,	R, R, Z, IMK_ANY,	CT_ALL),
	OP(MULI,	R, R, Z, IMK_ANY,	CT_ALL),
	OP(ANDI,	R, R, Z, IMK_ANY,	CT_ALL),
	OP(SHLI,	R, R, Z, IMK_ANY,	CT_ALL),
	OP(SHRI,	R, R, Z, IMK_ANY,	CT_ALL),
	OP(SLT,		R, R, R, IMK_ZERO,	CT_ALL),
	OP(SLTU,	R, R, R, IMK_ZERO,	CT_ALL),

	OP(JMP,		Z, Z, Z, IMK_BRANCH,	CT_ALL),
	OP(BEQ,		R, R, Z, IMK_BRANCH,	CT_ALL),
	OP(BNE,		R, R, Z, IMK_BRANCH,	CT_ALL),
	OP(BLT,		R, R, Z, IMK_BRANCH,	CT_ALL),
	OP(BGE,		R, R, Z, IMK_BRANCH,	CT_ALL),
	OP(BLTU,	R, R, Z, IMK_BRANCH,	CT_ALL),
	OP(BGEU,	R, R, Z, IMK_BRANCH,	CT_ALL),

	OP(ARG,		R, Z, Z, IMK_ARG,	CT_ALL),
	OP(NARG,	R, Z, Z, IMK_ZERO,	CT_ALL),
	OP(CORE,	R, Z, Z, IMK_ZERO,	CT_ALL),
	OP(NCORE,	R, Z, Z, IMK_ZERO,	CT_ALL),
	OP(LIF,		R, Z, Z, IMK_ANY,	CT_ALL),
	OP(ASIZE,	R, Z, Z, IMK_ARG,	CT_ALL),

	OP(FADD,	R, R, R, IMK_ZERO,	CT_ALL),
	OP(FSUB,	R, R, R, IMK_ZERO,	CT_ALL),
	OP(FMUL,	R, R, R, IMK_ZERO,	CT_ALL),
	OP(FDIV,	R, R, R, IMK_ZERO,	CT_ALL),

	OP(SETVL,	R, Z, Z, IMK_ZERO,	CT_TILE),
	OP(SHAPE,	R, R, R, IMK_ZERO,	CT_TILE),
	OP(TLD,		R, R, Z, IMK_ZERO,	CT_TILE),
	OP(TST,		R, R, Z, IMK_ZERO,	CT_TILE),
	OP(TLD2,	R, R, R, IMK_ZERO,	CT_TILE),
	OP(TST2,	R, R, R, IMK_ZERO,	CT_TILE),
	OP(TFILL,	R, R, Z, IMK_ZERO,	CT_TILE),
	OP(TMOV,	R, R, Z, IMK_ZERO,	CT_TILE),

	OP(TADD,	R, R, R, IMK_ZERO,	CT_AIV),
	OP(TSUB,	R, R, R, IMK_ZERO,	CT_AIV),
	OP(TMUL,	R, R, R, IMK_ZERO,	CT_AIV),
	OP(TDIV,	R, R, R, IMK_ZERO,	CT_AIV),
	OP(TMAX,	R, R, R, IMK_ZERO,	CT_AIV),
	OP(TMIN,	R, R, R, IMK_ZERO,	CT_AIV),
	OP(TADDS,	R, R, R, IMK_ZERO,	CT_AIV),
	OP(TSUBS,	R, R, R, IMK_ZERO,	CT_AIV),
	OP(TMULS,	R, R, R, IMK_ZERO,	CT_AIV),
	OP(TDIVS,	R, R, R, IMK_ZERO,	CT_AIV),
	OP(TEXP,	R, R, Z, IMK_ZERO,	CT_AIV),
	OP(TRSUM,	R, R, Z, IMK_ZERO,	CT_AIV),
	OP(TRMAX,	R, R, Z, IMK_ZERO,	CT_AIV),

	OP(TMMA,	R, R, R, IMK_ZERO,	CT_AIC),

	OP(TASK,	OPK_CORE, Z, Z, IMK_FUNC, CT_AICPU),
	OP(TTENS,	R, R, OPK_DIR, IMK_ZERO, CT_AICPU),
	OP(TSCAL,	R, Z, Z, IMK_ZERO,	CT_AICPU),
	OP(SUBMIT,	R, Z, Z, IMK_ZERO,	CT_AICPU),
	OP(SCOPE,	Z, Z, Z, IMK_ZERO,	CT_AICPU),
	OP(ENDSCOPE,	Z, Z, Z, IMK_ZERO,	CT_AICPU),
	OP(ALLOC,	R, R, Z, IMK_ZERO,	CT_AICPU),
	OP(FATAL,	Z, Z, Z, IMK_FATAL,	CT_AICPU),
};

#undef OP
#undef R
#undef Z

static bool operand_ok(u8 kind, u8 v)
{
	switch (kind) {
	case OPK_ZERO:
		return v == 0;
	case OPK_REG:
		return v < CHIP_ISA_NREGS;
	case OPK_CORE:
		return v == CHIP_CORE_AIC || v == CHIP_CORE_AIV;
	case OPK_DIR:
		return v >= CHIP_DIR_IN && v <= CHIP_DIR_INOUT;
	}
	return false;
}

static bool imm_ok(u8 kind, s32 imm, u32 pc, u32 count)
{
	s64 target;

	switch (kind) {
	case IMK_ZERO:
		return imm == 0;
	case IMK_ANY:
		return true;
	case IMK_BRANCH:
		target = (s64)pc + imm;
		return target >= 0 && target < (s64)count;
	case IMK_ARG:
		return imm >= 0 &&
		       imm < CHIP_MAX_TENSOR_ARGS + CHIP_MAX_SCALAR_ARGS;
	case IMK_FUNC:
		return imm >= 0 && imm < CHIP_MAX_FUNC_ID;
	case IMK_FATAL:
		return imm >= 1 && imm <= 99;
	}
	return false;
}

/* 0, or -EINVAL with *@err the failing index (-1: size or core type). */
static int ref_verify(const struct chip_insn *insns, u32 size, u32 core,
		      s32 *err)
{
	u32 count, pc;

	*err = -1;
	if (size == 0 || size % 8 || size / 8 > CHIP_ISA_MAX_INSNS ||
	    core > CHIP_CORE_AICPU)
		return -EINVAL;
	count = size / 8;
	for (pc = 0; pc < count; pc++) {
		const struct chip_insn *in = &insns[pc];
		const struct opdesc *d;

		*err = (s32)pc;
		if (in->op >= CHIP_OP_MAX)
			return -EINVAL;
		d = &isa_ops[in->op];
		if (!(d->cores & (1u << core)) ||
		    !operand_ok(d->a, in->a) || !operand_ok(d->b, in->b) ||
		    !operand_ok(d->c, in->c) ||
		    !imm_ok(d->imm, in->imm, pc, count))
			return -EINVAL;
	}
	*err = -1;
	return 0;
}

/* ---- the harness --------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chipc_prog p1, p2;
	struct chip_insn *code, *copy;
	s32 e_ref, e1, e2;
	int r_ref, r1, r2;
	u32 core, n;

	if (size < 1 || size - 1 > (size_t)CHIP_ISA_MAX_INSNS * 8 + 8)
		return 0;
	core = data[0] % 4;
	n = (u32)(size - 1);
	/* private, aligned, exactly sized copies (for ASan) */
	code = malloc(n ? n : 1);
	copy = malloc(n ? n : 1);
	if (!code || !copy)
		goto out;
	memcpy(code, data + 1, n);
	memset(copy, 0xa5, n);

	r_ref = ref_verify(code, n, core, &e_ref);
	r1 = chipc_isa_verify(code, n, core, &p1, &e1);
	r2 = chipc_isa_verify_copy(copy, code, n, core, &p2, &e2);
	if (r1 != r_ref || e1 != e_ref)
		fail("chipc_isa_verify disagrees with the reference");
	if (r2 != r_ref || e2 != e_ref)
		fail("chipc_isa_verify_copy disagrees with the reference");
	if (!r1) {
		fz_accepted++;
		if (p1.insns != code || p1.count != n / 8 ||
		    p1.core_type != core)
			fail("verify: program description");
		if (p2.insns != copy || p2.count != n / 8 ||
		    p2.core_type != core)
			fail("verify_copy: program description");
		if (memcmp(copy, code, n))
			fail("verify_copy: the copy differs");
	} else if (e2 >= 0) {
		/* the instructions before the failing one are copied */
		if (memcmp(copy, code, (size_t)e2 * 8))
			fail("verify_copy: prefix not copied");
	}
out:
	free(code);
	free(copy);
	return 0;
}

#ifndef CHIP_LIBFUZZER
int main(int argc, char **argv)
{
	/* an orchestration using every operand and immediate kind */
	static const struct chip_insn prog[] = {
		{ CHIP_OP_LI, 1, 0, 0, -5 },
		{ CHIP_OP_ADD, 2, 1, 1, 0 },
		{ CHIP_OP_ARG, 3, 0, 0, 2 },
		{ CHIP_OP_ASIZE, 4, 0, 0, 300 },
		{ CHIP_OP_BEQ, 1, 2, 0, 2 },
		{ CHIP_OP_TASK, CHIP_CORE_AIV, 0, 0, 7 },
		{ CHIP_OP_TTENS, 3, 4, CHIP_DIR_INOUT, 0 },
		{ CHIP_OP_SUBMIT, 5, 0, 0, 0 },
		{ CHIP_OP_JMP, 0, 0, 0, -3 },
		{ CHIP_OP_FATAL, 0, 0, 0, 42 },
		{ CHIP_OP_HALT, 0, 0, 0, 0 },
	};
	uint8_t seed[1 + sizeof(prog)];

	seed[0] = CHIP_CORE_AICPU;
	memcpy(seed + 1, prog, sizeof(prog));
	return fz_main("fuzz_isa", argc, argv, seed, sizeof(seed),
		       &fz_accepted);
}
#endif
