// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ISA verifier: every program is checked once, when it is uploaded, so
 * that the interpreter can trust opcodes, register numbers and branch
 * targets.  Documentation/isa.rst is the specification.
 *
 * One table describes every opcode: what each of the operand fields a, b
 * and c holds, what the immediate holds, and the core types that may run
 * it.  Anything outside the table is an unknown opcode.
 */
#include "chipc.h"

/* Operand field kinds (a, b, c). */
enum {
	OPK_ZERO = 0,	/* unused: must be zero */
	OPK_REG,	/* register number < CHIP_ISA_NREGS */
	OPK_CORE,	/* TASK core type: CHIP_CORE_AIC or CHIP_CORE_AIV */
	OPK_DIR,	/* TTENS direction: CHIP_DIR_IN..CHIP_DIR_INOUT */
};

/* Immediate kinds. */
enum {
	IMK_ZERO = 0,	/* unused: must be zero */
	IMK_ANY,	/* any 32-bit value */
	IMK_BRANCH,	/* pc + imm inside the program */
	IMK_ARG,	/* argument index */
	IMK_FUNC,	/* func_id 0..CHIP_MAX_FUNC_ID - 1 */
	IMK_FATAL,	/* orchestration error code 1..99 */
};

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

/**
 * chipc_isa_verify() - verify a program for one core type
 * @code: the program, an array of struct chip_insn
 * @size: size of @code in bytes
 * @core_type: CHIP_CORE_* the program will run on
 * @out: filled on success; points into @code
 * @err: may be NULL; receives the failing instruction index, or -1 when
 *	the failure is not about one instruction (size, core type)
 *
 * Checks the size (a non-zero multiple of 8, at most CHIP_ISA_MAX_INSNS
 * instructions) and, for every instruction, that the opcode is known and
 * legal on @core_type, that register operands are below CHIP_ISA_NREGS,
 * that fields the opcode does not use are zero, that branch targets lie
 * inside the program and that immediates are in range.
 *
 * Return: 0 or -EINVAL.
 */
int chipc_isa_verify(const void *code, u32 size, u32 core_type,
		     struct chipc_prog *out, s32 *err)
{
	const struct chip_insn *insns = code;
	u32 count, pc;

	if (err)
		*err = -1;
	if (!code || size == 0 || size % sizeof(struct chip_insn) ||
	    size / sizeof(struct chip_insn) > CHIP_ISA_MAX_INSNS ||
	    core_type > CHIP_CORE_AICPU)
		return -EINVAL;
	count = size / sizeof(struct chip_insn);

	for (pc = 0; pc < count; pc++) {
		const struct chip_insn *in = &insns[pc];
		const struct opdesc *d;

		if (in->op >= CHIP_OP_MAX)
			goto bad;
		d = &isa_ops[in->op];
		if (!(d->cores & (1u << core_type)) ||
		    !operand_ok(d->a, in->a) || !operand_ok(d->b, in->b) ||
		    !operand_ok(d->c, in->c) ||
		    !imm_ok(d->imm, in->imm, pc, count))
			goto bad;
	}

	if (out) {
		out->insns = insns;
		out->count = count;
		out->core_type = core_type;
	}
	return 0;
bad:
	if (err)
		*err = (s32)pc;
	return -EINVAL;
}
