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

/*
 * What an opcode allows on one core type, compiled from ISA_OPS below: an
 * instruction is legal when it has no bit outside @allow (op, a, b, c, in
 * struct chip_insn's byte order) and its immediate lies in [lo, lo + range)
 * (for a branch, lo = -pc and range = the instruction count: pcmask ~0).
 * An entry of an opcode the core type may not run, or of no opcode, is
 * all zero: it allows no bit of the opcode byte and no immediate.
 */
struct isa_entry {
	struct chip_insn allow;
	s64 lo;
	u64 range;
	u32 pcmask;	/* ~0: the immediate is a branch offset */
	u32 dir;	/* c is a direction (TTENS): also non-zero */
};

/* Bits an operand field of a kind may have set. */
#define FALLOW(k)	((k) == OPK_REG ? CHIP_ISA_NREGS - 1 : \
			 (k) == OPK_CORE ? 0x01 : \
			 (k) == OPK_DIR ? 0x03 : 0)
/* The immediate's range for its kind; IMK_BRANCH is relative to pc. */
#define ILO(k)		((k) == IMK_ANY ? -(1ll << 31) : \
			 (k) == IMK_FATAL ? 1ll : 0ll)
#define IRANGE(k)	((k) == IMK_ZERO ? 1ull : \
			 (k) == IMK_ANY ? 1ull << 32 : \
			 (k) == IMK_ARG ? (u64)(CHIP_MAX_TENSOR_ARGS + \
						CHIP_MAX_SCALAR_ARGS) : \
			 (k) == IMK_FUNC ? (u64)CHIP_MAX_FUNC_ID : \
			 (k) == IMK_FATAL ? 99ull : 0ull)

/* The masks above are exact for these encodings. */
static_assert((CHIP_ISA_NREGS & (CHIP_ISA_NREGS - 1)) == 0,
	      "register numbers are checked with a mask");
static_assert(CHIP_CORE_AIC == 0 && CHIP_CORE_AIV == 1,
	      "TASK core types are checked with a mask");
static_assert(CHIP_DIR_IN == 1 && CHIP_DIR_INOUT == 3,
	      "TTENS directions are checked with a mask and dir");
static_assert(CHIP_OP_MAX == 0x80, "opcodes are checked with a mask");
static_assert(sizeof(struct chip_insn) == 8, "instruction size");

#define R	OPK_REG
#define Z	OPK_ZERO

/* X(core, opcode, a, b, c, immediate, core types) for every opcode. */
#define ISA_OPS(X, core) \
	X(core, NOP, Z, Z, Z, IMK_ZERO, CT_ALL) \
	X(core, HALT, Z, Z, Z, IMK_ZERO, CT_ALL) \
	X(core, LI, R, Z, Z, IMK_ANY, CT_ALL) \
	X(core, LIH, R, Z, Z, IMK_ANY, CT_ALL) \
	X(core, MOV, R, R, Z, IMK_ZERO, CT_ALL) \
	X(core, ADD, R, R, R, IMK_ZERO, CT_ALL) \
	X(core, SUB, R, R, R, IMK_ZERO, CT_ALL) \
	X(core, MUL, R, R, R, IMK_ZERO, CT_ALL) \
	X(core, DIVU, R, R, R, IMK_ZERO, CT_ALL) \
	X(core, REMU, R, R, R, IMK_ZERO, CT_ALL) \
	X(core, AND, R, R, R, IMK_ZERO, CT_ALL) \
	X(core, OR, R, R, R, IMK_ZERO, CT_ALL) \
	X(core, XOR, R, R, R, IMK_ZERO, CT_ALL) \
	X(core, SHL, R, R, R, IMK_ZERO, CT_ALL) \
	X(core, SHR, R, R, R, IMK_ZERO, CT_ALL) \
	X(core, SAR, R, R, R, IMK_ZERO, CT_ALL) \
	X(core, ADDI, R, R, Z, IMK_ANY, CT_ALL) \
	X(core, MULI, R, R, Z, IMK_ANY, CT_ALL) \
	X(core, ANDI, R, R, Z, IMK_ANY, CT_ALL) \
	X(core, SHLI, R, R, Z, IMK_ANY, CT_ALL) \
	X(core, SHRI, R, R, Z, IMK_ANY, CT_ALL) \
	X(core, SLT, R, R, R, IMK_ZERO, CT_ALL) \
	X(core, SLTU, R, R, R, IMK_ZERO, CT_ALL) \
	X(core, JMP, Z, Z, Z, IMK_BRANCH, CT_ALL) \
	X(core, BEQ, R, R, Z, IMK_BRANCH, CT_ALL) \
	X(core, BNE, R, R, Z, IMK_BRANCH, CT_ALL) \
	X(core, BLT, R, R, Z, IMK_BRANCH, CT_ALL) \
	X(core, BGE, R, R, Z, IMK_BRANCH, CT_ALL) \
	X(core, BLTU, R, R, Z, IMK_BRANCH, CT_ALL) \
	X(core, BGEU, R, R, Z, IMK_BRANCH, CT_ALL) \
	X(core, ARG, R, Z, Z, IMK_ARG, CT_ALL) \
	X(core, NARG, R, Z, Z, IMK_ZERO, CT_ALL) \
	X(core, CORE, R, Z, Z, IMK_ZERO, CT_ALL) \
	X(core, NCORE, R, Z, Z, IMK_ZERO, CT_ALL) \
	X(core, LIF, R, Z, Z, IMK_ANY, CT_ALL) \
	X(core, ASIZE, R, Z, Z, IMK_ARG, CT_ALL) \
	X(core, FADD, R, R, R, IMK_ZERO, CT_ALL) \
	X(core, FSUB, R, R, R, IMK_ZERO, CT_ALL) \
	X(core, FMUL, R, R, R, IMK_ZERO, CT_ALL) \
	X(core, FDIV, R, R, R, IMK_ZERO, CT_ALL) \
	X(core, SETVL, R, Z, Z, IMK_ZERO, CT_TILE) \
	X(core, SHAPE, R, R, R, IMK_ZERO, CT_TILE) \
	X(core, TLD, R, R, Z, IMK_ZERO, CT_TILE) \
	X(core, TST, R, R, Z, IMK_ZERO, CT_TILE) \
	X(core, TLD2, R, R, R, IMK_ZERO, CT_TILE) \
	X(core, TST2, R, R, R, IMK_ZERO, CT_TILE) \
	X(core, TFILL, R, R, Z, IMK_ZERO, CT_TILE) \
	X(core, TMOV, R, R, Z, IMK_ZERO, CT_TILE) \
	X(core, TADD, R, R, R, IMK_ZERO, CT_AIV) \
	X(core, TSUB, R, R, R, IMK_ZERO, CT_AIV) \
	X(core, TMUL, R, R, R, IMK_ZERO, CT_AIV) \
	X(core, TDIV, R, R, R, IMK_ZERO, CT_AIV) \
	X(core, TMAX, R, R, R, IMK_ZERO, CT_AIV) \
	X(core, TMIN, R, R, R, IMK_ZERO, CT_AIV) \
	X(core, TADDS, R, R, R, IMK_ZERO, CT_AIV) \
	X(core, TSUBS, R, R, R, IMK_ZERO, CT_AIV) \
	X(core, TMULS, R, R, R, IMK_ZERO, CT_AIV) \
	X(core, TDIVS, R, R, R, IMK_ZERO, CT_AIV) \
	X(core, TEXP, R, R, Z, IMK_ZERO, CT_AIV) \
	X(core, TRSUM, R, R, Z, IMK_ZERO, CT_AIV) \
	X(core, TRMAX, R, R, Z, IMK_ZERO, CT_AIV) \
	X(core, TMMA, R, R, R, IMK_ZERO, CT_AIC) \
	X(core, TASK, OPK_CORE, Z, Z, IMK_FUNC, CT_AICPU) \
	X(core, TTENS, R, R, OPK_DIR, IMK_ZERO, CT_AICPU) \
	X(core, TSCAL, R, Z, Z, IMK_ZERO, CT_AICPU) \
	X(core, SUBMIT, R, Z, Z, IMK_ZERO, CT_AICPU) \
	X(core, SCOPE, Z, Z, Z, IMK_ZERO, CT_AICPU) \
	X(core, ENDSCOPE, Z, Z, Z, IMK_ZERO, CT_AICPU) \
	X(core, ALLOC, R, R, Z, IMK_ZERO, CT_AICPU) \
	X(core, FATAL, Z, Z, Z, IMK_FATAL, CT_AICPU)

#define ISA_OK(core, ct)	(((ct) & BIT(core)) != 0)
#define ISA_ENTRY(core, o, ka, kb, kc, ki, ct) \
	[CHIP_OP_##o] = { \
		.allow = { \
			.op = ISA_OK(core, ct) ? CHIP_OP_MAX - 1 : 0, \
			.a = ISA_OK(core, ct) ? FALLOW(ka) : 0, \
			.b = ISA_OK(core, ct) ? FALLOW(kb) : 0, \
			.c = ISA_OK(core, ct) ? FALLOW(kc) : 0, \
			.imm = ISA_OK(core, ct) ? -1 : 0 }, \
		.lo = ILO(ki), \
		.range = ISA_OK(core, ct) ? IRANGE(ki) : 0, \
		.pcmask = ISA_OK(core, ct) && (ki) == IMK_BRANCH ? ~0u : 0, \
		.dir = (kc) == OPK_DIR },

static const struct isa_entry isa_tab[3][CHIP_OP_MAX] = {
	[CHIP_CORE_AIC] = { ISA_OPS(ISA_ENTRY, CHIP_CORE_AIC) },
	[CHIP_CORE_AIV] = { ISA_OPS(ISA_ENTRY, CHIP_CORE_AIV) },
	[CHIP_CORE_AICPU] = { ISA_OPS(ISA_ENTRY, CHIP_CORE_AICPU) },
};

#undef ISA_ENTRY
#undef ISA_OK
#undef ISA_OPS
#undef R
#undef Z

/*
 * Check @count instructions at @src against @tab and, when @dst is not
 * NULL, store each one at @dst after it is checked.  Return: -1 when every
 * instruction is legal, else the index of the first that is not.
 */
static CHIPC_ALWAYS_INLINE s64 isa_check(struct chip_insn *dst,
					 const struct chip_insn *src,
					 u32 count,
					 const struct isa_entry *tab)
{
	u32 pc;

	for (pc = 0; pc < count; pc++) {
		struct chip_insn in = src[pc];
		const struct isa_entry *e = &tab[in.op % CHIP_OP_MAX];
		u64 w, allow, range;
		s64 lo;

		memcpy(&w, &in, sizeof(w));
		memcpy(&allow, &e->allow, sizeof(allow));
		lo = e->lo - (s64)(pc & e->pcmask);
		range = e->range | (count & e->pcmask);
		if ((w & ~allow) || (u64)((s64)in.imm - lo) >= range)
			return pc;
		if (CHIPC_UNLIKELY(e->dir) && !in.c)
			return pc;
		if (dst)
			dst[pc] = in;
	}
	return -1;
}

static int isa_verify(void *dst, const void *code, u32 size, u32 core_type,
		      struct chipc_prog *out, s32 *err)
{
	const struct isa_entry *tab;
	u32 count;
	s64 bad;

	if (err)
		*err = -1;
	if (!code || size == 0 || size % sizeof(struct chip_insn) ||
	    size / sizeof(struct chip_insn) > CHIP_ISA_MAX_INSNS ||
	    core_type > CHIP_CORE_AICPU)
		return -EINVAL;
	count = size / sizeof(struct chip_insn);
	tab = isa_tab[core_type];

	/* Two instances, so the loop without stores has no test for them. */
	if (dst)
		bad = isa_check(dst, code, count, tab);
	else
		bad = isa_check(NULL, code, count, tab);
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
