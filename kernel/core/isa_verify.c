// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ISA verifier: every program is checked once, when it is uploaded, so
 * that the interpreter can trust opcodes, register numbers and branch
 * targets.  Documentation/isa.rst is the specification.
 *
 * One table describes every opcode: what each of the operand fields a, b
 * and c holds, what the immediate holds, and the core types that may run
 * it.  Anything outside the table is an unknown opcode.  The table is
 * compiled into masks and ranges, so that checking an instruction is a few
 * loads, masks and one unsigned comparison, without a branch per field:
 * verification is one pass over the program, at a few cycles per
 * instruction, and chipc_isa_verify_copy() makes the same pass write the
 * device copy (what was checked is what is stored).
 */
#include "chipc.h"

#define CT_AIC		BIT(CHIP_CORE_AIC)
#define CT_AIV		BIT(CHIP_CORE_AIV)
#define CT_AICPU	BIT(CHIP_CORE_AICPU)
#define CT_ALL		(CT_AIC | CT_AIV | CT_AICPU)
#define CT_TILE		(CT_AIC | CT_AIV)

/*
 * What an opcode allows: an instruction is legal on a core type in @cores
 * when it has no bit outside @allow (op, a, b, c, in struct chip_insn's
 * byte order) and its immediate lies in [lo, lo + range); for a branch
 * (pcmask ~0) lo is -pc and range the instruction count, so pc + imm lies
 * inside the program.  The entry of an unknown opcode is all zero: it
 * allows no bit of the opcode byte and no immediate.
 */
struct isa_entry {
	struct chip_insn allow;
	s64 lo;
	u64 range;
	u32 pcmask;
	u32 cores;	/* BIT(CHIP_CORE_*) */
};

/*
 * Operand fields (a, b, c), as the bits they may have set: Z unused (must
 * be zero), R a register number < CHIP_ISA_NREGS, CORE a TASK core type
 * (CHIP_CORE_AIC or CHIP_CORE_AIV), DIR a TTENS direction (CHIP_DIR_IN to
 * CHIP_DIR_INOUT: these bits, and not zero, checked apart).
 */
#define Z		0
#define R		(CHIP_ISA_NREGS - 1)
#define CORE		0x01
#define DIR		0x03

static_assert((CHIP_ISA_NREGS & (CHIP_ISA_NREGS - 1)) == 0,
	      "register numbers are checked with a mask");
static_assert(CHIP_CORE_AIC == 0 && CHIP_CORE_AIV == 1,
	      "TASK core types are checked with a mask");
static_assert(CHIP_DIR_IN == 1 && CHIP_DIR_INOUT == 3,
	      "TTENS directions are checked with a mask and against zero");
static_assert(CHIP_OP_MAX == 0x80, "opcodes are checked with a mask");
static_assert(sizeof(struct chip_insn) == 8, "instruction size");

/* Immediates: the range of each kind. */
#define I_ZERO		.lo = 0, .range = 1		/* unused: zero */
#define I_ANY		.lo = -(1ll << 31), .range = 1ull << 32
#define I_BRANCH	.pcmask = ~0u			/* pc + imm inside */
#define I_ARG		.lo = 0, .range = CHIP_MAX_TENSOR_ARGS + \
					  CHIP_MAX_SCALAR_ARGS
#define I_FUNC		.lo = 0, .range = CHIP_MAX_FUNC_ID
#define I_FATAL		.lo = 1, .range = 99		/* error code 1..99 */

#define OP(o, ka, kb, kc, ki, ct) \
	[CHIP_OP_##o] = { .allow = { .op = CHIP_OP_MAX - 1, .a = ka, .b = kb, \
				     .c = kc, .imm = -1 }, \
			  ki, .cores = ct }

static const struct isa_entry isa_tab[CHIP_OP_MAX] = {
	OP(NOP,		Z, Z, Z, I_ZERO,	CT_ALL),
	OP(HALT,	Z, Z, Z, I_ZERO,	CT_ALL),
	OP(LI,		R, Z, Z, I_ANY,	CT_ALL),
	OP(LIH,		R, Z, Z, I_ANY,	CT_ALL),
	OP(MOV,		R, R, Z, I_ZERO,	CT_ALL),
	OP(ADD,		R, R, R, I_ZERO,	CT_ALL),
	OP(SUB,		R, R, R, I_ZERO,	CT_ALL),
	OP(MUL,		R, R, R, I_ZERO,	CT_ALL),
	OP(DIVU,	R, R, R, I_ZERO,	CT_ALL),
	OP(REMU,	R, R, R, I_ZERO,	CT_ALL),
	OP(AND,		R, R, R, I_ZERO,	CT_ALL),
	OP(OR,		R, R, R, I_ZERO,	CT_ALL),
	OP(XOR,		R, R, R, I_ZERO,	CT_ALL),
	OP(SHL,		R, R, R, I_ZERO,	CT_ALL),
	OP(SHR,		R, R, R, I_ZERO,	CT_ALL),
	OP(SAR,		R, R, R, I_ZERO,	CT_ALL),
	OP(ADDI,	R, R, Z, I_ANY,	CT_ALL),
	OP(MULI,	R, R, Z, I_ANY,	CT_ALL),
	OP(ANDI,	R, R, Z, I_ANY,	CT_ALL),
	OP(SHLI,	R, R, Z, I_ANY,	CT_ALL),
	OP(SHRI,	R, R, Z, I_ANY,	CT_ALL),
	OP(SLT,		R, R, R, I_ZERO,	CT_ALL),
	OP(SLTU,	R, R, R, I_ZERO,	CT_ALL),

	OP(JMP,		Z, Z, Z, I_BRANCH,	CT_ALL),
	OP(BEQ,		R, R, Z, I_BRANCH,	CT_ALL),
	OP(BNE,		R, R, Z, I_BRANCH,	CT_ALL),
	OP(BLT,		R, R, Z, I_BRANCH,	CT_ALL),
	OP(BGE,		R, R, Z, I_BRANCH,	CT_ALL),
	OP(BLTU,	R, R, Z, I_BRANCH,	CT_ALL),
	OP(BGEU,	R, R, Z, I_BRANCH,	CT_ALL),

	OP(ARG,		R, Z, Z, I_ARG,	CT_ALL),
	OP(NARG,	R, Z, Z, I_ZERO,	CT_ALL),
	OP(CORE,	R, Z, Z, I_ZERO,	CT_ALL),
	OP(NCORE,	R, Z, Z, I_ZERO,	CT_ALL),
	OP(LIF,		R, Z, Z, I_ANY,	CT_ALL),
	OP(ASIZE,	R, Z, Z, I_ARG,	CT_ALL),

	OP(FADD,	R, R, R, I_ZERO,	CT_ALL),
	OP(FSUB,	R, R, R, I_ZERO,	CT_ALL),
	OP(FMUL,	R, R, R, I_ZERO,	CT_ALL),
	OP(FDIV,	R, R, R, I_ZERO,	CT_ALL),

	OP(SETVL,	R, Z, Z, I_ZERO,	CT_TILE),
	OP(SHAPE,	R, R, R, I_ZERO,	CT_TILE),
	OP(TLD,		R, R, Z, I_ZERO,	CT_TILE),
	OP(TST,		R, R, Z, I_ZERO,	CT_TILE),
	OP(TLD2,	R, R, R, I_ZERO,	CT_TILE),
	OP(TST2,	R, R, R, I_ZERO,	CT_TILE),
	OP(TFILL,	R, R, Z, I_ZERO,	CT_TILE),
	OP(TMOV,	R, R, Z, I_ZERO,	CT_TILE),

	OP(TADD,	R, R, R, I_ZERO,	CT_AIV),
	OP(TSUB,	R, R, R, I_ZERO,	CT_AIV),
	OP(TMUL,	R, R, R, I_ZERO,	CT_AIV),
	OP(TDIV,	R, R, R, I_ZERO,	CT_AIV),
	OP(TMAX,	R, R, R, I_ZERO,	CT_AIV),
	OP(TMIN,	R, R, R, I_ZERO,	CT_AIV),
	OP(TADDS,	R, R, R, I_ZERO,	CT_AIV),
	OP(TSUBS,	R, R, R, I_ZERO,	CT_AIV),
	OP(TMULS,	R, R, R, I_ZERO,	CT_AIV),
	OP(TDIVS,	R, R, R, I_ZERO,	CT_AIV),
	OP(TEXP,	R, R, Z, I_ZERO,	CT_AIV),
	OP(TRSUM,	R, R, Z, I_ZERO,	CT_AIV),
	OP(TRMAX,	R, R, Z, I_ZERO,	CT_AIV),

	OP(TMMA,	R, R, R, I_ZERO,	CT_AIC),

	OP(TASK,	CORE, Z, Z, I_FUNC,	CT_AICPU),
	OP(TTENS,	R, R, DIR, I_ZERO,	CT_AICPU),
	OP(TSCAL,	R, Z, Z, I_ZERO,	CT_AICPU),
	OP(SUBMIT,	R, Z, Z, I_ZERO,	CT_AICPU),
	OP(SCOPE,	Z, Z, Z, I_ZERO,	CT_AICPU),
	OP(ENDSCOPE,	Z, Z, Z, I_ZERO,	CT_AICPU),
	OP(ALLOC,	R, R, Z, I_ZERO,	CT_AICPU),
	OP(FATAL,	Z, Z, Z, I_FATAL,	CT_AICPU),
};

#undef OP
#undef I_ZERO
#undef I_ANY
#undef I_BRANCH
#undef I_ARG
#undef I_FUNC
#undef I_FATAL
#undef Z
#undef R
#undef CORE
#undef DIR

/*
 * Check @count instructions at @src for core type @core_type and, when
 * @dst is not NULL, store each one at @dst after it is checked.  Return:
 * -1 when every instruction is legal, else the index of the first that is
 * not.
 */
static CHIPC_ALWAYS_INLINE s64 isa_check(struct chip_insn *dst,
					 const struct chip_insn *src,
					 u32 count, u32 core_type)
{
	u32 cmask = BIT(core_type);
	u32 pc;

	for (pc = 0; pc < count; pc++) {
		struct chip_insn in = src[pc];
		const struct isa_entry *e = &isa_tab[in.op % CHIP_OP_MAX];
		u64 w, allow, range;
		s64 lo;

		memcpy(&w, &in, sizeof(w));
		memcpy(&allow, &e->allow, sizeof(allow));
		lo = e->lo - (s64)(pc & e->pcmask);
		range = e->range | (count & e->pcmask);
		if ((w & ~allow) || !(e->cores & cmask) ||
		    (u64)((s64)in.imm - lo) >= range)
			return pc;
		if (CHIPC_UNLIKELY(in.op == CHIP_OP_TTENS) && !in.c)
			return pc;
		if (dst)
			dst[pc] = in;
	}
	return -1;
}

static int isa_verify(void *dst, const void *code, u32 size, u32 core_type,
		      struct chipc_prog *out, s32 *err)
{
	u32 count;
	s64 bad;

	if (err)
		*err = -1;
	if (!code || size == 0 || size % sizeof(struct chip_insn) ||
	    size / sizeof(struct chip_insn) > CHIP_ISA_MAX_INSNS ||
	    core_type > CHIP_CORE_AICPU)
		return -EINVAL;
	count = size / sizeof(struct chip_insn);

	/* Two instances, so the loop without stores has no test for them. */
	if (dst)
		bad = isa_check(dst, code, count, core_type);
	else
		bad = isa_check(NULL, code, count, core_type);
	if (bad >= 0) {
		if (err)
			*err = (s32)bad;
		return -EINVAL;
	}
	if (out) {
		out->insns = dst ? dst : code;
		out->count = count;
		out->core_type = core_type;
	}
	return 0;
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
	return isa_verify(NULL, code, size, core_type, out, err);
}

/**
 * chipc_isa_verify_copy() - verify a program while copying it
 * @dst: where the program is copied, @size bytes, 8-byte aligned; must not
 *	overlap @code
 * @code: the program
 * @size: size of @code in bytes
 * @core_type: CHIP_CORE_* the program will run on
 * @out: filled on success; points into @dst
 * @err: as for chipc_isa_verify()
 *
 * chipc_isa_verify() and a copy in the same pass: each instruction is
 * loaded once, checked and stored, so @dst holds what was verified even if
 * @code changes meanwhile.  On failure @dst holds the instructions before
 * the failing one.
 *
 * Return: 0 or -EINVAL.
 */
int chipc_isa_verify_copy(void *dst, const void *code, u32 size,
			  u32 core_type, struct chipc_prog *out, s32 *err)
{
	if (!dst)
		return -EINVAL;
	return isa_verify(dst, code, size, core_type, out, err);
}
