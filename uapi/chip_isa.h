/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * chip device ISA encoding.  Documentation/isa.rst is the specification;
 * this header is the binary contract.
 *
 * DOC: encoding
 *
 * A program is an array of 8-byte little-endian instructions:
 *
 *	byte 0	op	CHIP_OP_*
 *	byte 1	a	operand a (register number or small immediate)
 *	byte 2	b	operand b
 *	byte 3	c	operand c
 *	4..7	imm	signed 32-bit immediate
 *
 * There are CHIP_ISA_NREGS 64-bit scalar registers r0..r15, all zero at
 * entry.  Operand fields an opcode does not use must be zero.  Branch
 * offsets are in instructions, relative to the branch itself.  Running
 * past the last instruction is the same as HALT.
 *
 * Floating point values are IEEE-754 binary32, carried in the low 32 bits
 * of a scalar register and stored as 4-byte elements in memory.  Tile
 * operands are byte offsets into the core's local memory, held in
 * registers; a tile is VL consecutive elements (1-D operations) or an
 * S0 x S1 row-major block (2-D operations).
 */
#ifndef _UAPI_CHIP_ISA_H
#define _UAPI_CHIP_ISA_H

#include <linux/types.h>

/**
 * struct chip_insn - one instruction
 * @op: opcode, CHIP_OP_*
 * @a: operand a
 * @b: operand b
 * @c: operand c
 * @imm: immediate
 */
struct chip_insn {
	__u8 op;
	__u8 a;
	__u8 b;
	__u8 c;
	__s32 imm;
};

#define CHIP_ISA_NREGS		16
#define CHIP_ISA_MAX_INSNS	65536

/* Core-local memory capacity in bytes. */
#define CHIP_LOCAL_AIC		(256 * 1024)
#define CHIP_LOCAL_AIV		(192 * 1024)

/* Scalar: every core type. */
#define CHIP_OP_NOP	0x00	/* -				*/
#define CHIP_OP_HALT	0x01	/* end of program		*/
#define CHIP_OP_LI	0x02	/* ra = (s64)imm		*/
#define CHIP_OP_LIH	0x03	/* ra = lo32(ra) | (u32)imm << 32 */
#define CHIP_OP_MOV	0x04	/* ra = rb			*/
#define CHIP_OP_ADD	0x05	/* ra = rb + rc			*/
#define CHIP_OP_SUB	0x06	/* ra = rb - rc			*/
#define CHIP_OP_MUL	0x07	/* ra = rb * rc			*/
#define CHIP_OP_DIVU	0x08	/* ra = rb / rc (rc == 0: ~0)	*/
#define CHIP_OP_REMU	0x09	/* ra = rb % rc (rc == 0: rb)	*/
#define CHIP_OP_AND	0x0a	/* ra = rb & rc			*/
#define CHIP_OP_OR	0x0b	/* ra = rb | rc			*/
#define CHIP_OP_XOR	0x0c	/* ra = rb ^ rc			*/
#define CHIP_OP_SHL	0x0d	/* ra = rb << (rc & 63)		*/
#define CHIP_OP_SHR	0x0e	/* ra = rb >> (rc & 63), logical */
#define CHIP_OP_SAR	0x0f	/* ra = rb >> (rc & 63), arithmetic */
#define CHIP_OP_ADDI	0x10	/* ra = rb + imm		*/
#define CHIP_OP_MULI	0x11	/* ra = rb * imm		*/
#define CHIP_OP_ANDI	0x12	/* ra = rb & imm		*/
#define CHIP_OP_SHLI	0x13	/* ra = rb << (imm & 63)	*/
#define CHIP_OP_SHRI	0x14	/* ra = rb >> (imm & 63), logical */
#define CHIP_OP_SLT	0x18	/* ra = (s64)rb < (s64)rc	*/
#define CHIP_OP_SLTU	0x19	/* ra = rb < rc			*/

/* Branches: every core type.  Target = pc + imm, must be in the program. */
#define CHIP_OP_JMP	0x20	/* pc += imm			*/
#define CHIP_OP_BEQ	0x21	/* if ra == rb			*/
#define CHIP_OP_BNE	0x22	/* if ra != rb			*/
#define CHIP_OP_BLT	0x23	/* if (s64)ra < (s64)rb		*/
#define CHIP_OP_BGE	0x24	/* if (s64)ra >= (s64)rb	*/
#define CHIP_OP_BLTU	0x25	/* if ra < rb			*/
#define CHIP_OP_BGEU	0x26	/* if ra >= rb			*/

/* Environment: every core type. */
#define CHIP_OP_ARG	0x30	/* ra = argument imm (tensor address or scalar) */
#define CHIP_OP_NARG	0x31	/* ra = number of arguments	*/
#define CHIP_OP_CORE	0x32	/* ra = index of this core among its type */
#define CHIP_OP_NCORE	0x33	/* ra = number of cores of this type */
#define CHIP_OP_LIF	0x34	/* ra = (u32)imm (binary32 bits) */
#define CHIP_OP_ASIZE	0x35	/* ra = byte size of tensor argument imm */

/* Scalar binary32 arithmetic: every core type. */
#define CHIP_OP_FADD	0x38	/* ra = rb + rc			*/
#define CHIP_OP_FSUB	0x39	/* ra = rb - rc			*/
#define CHIP_OP_FMUL	0x3a	/* ra = rb * rc			*/
#define CHIP_OP_FDIV	0x3b	/* ra = rb / rc			*/

/* Tiles and local memory: AIC and AIV. */
#define CHIP_OP_SETVL	0x40	/* VL = ra (elements)		*/
#define CHIP_OP_SHAPE	0x41	/* S0 = ra, S1 = rb, S2 = rc	*/
#define CHIP_OP_TLD	0x42	/* local[ra] <- gm[rb], VL elements */
#define CHIP_OP_TST	0x43	/* gm[ra] <- local[rb], VL elements */
#define CHIP_OP_TLD2	0x44	/* local[ra] <- gm[rb], S0 x S1, gm row stride rc elements */
#define CHIP_OP_TST2	0x45	/* gm[ra] <- local[rb], S0 x S1, gm row stride rc elements */
#define CHIP_OP_TFILL	0x46	/* local[ra][0..VL) = f32 rb	*/
#define CHIP_OP_TMOV	0x47	/* local[ra] <- local[rb], VL elements */

/* Element-wise tile operations, VL elements: AIV only. */
#define CHIP_OP_TADD	0x50	/* t[ra] = t[rb] + t[rc]	*/
#define CHIP_OP_TSUB	0x51	/* t[ra] = t[rb] - t[rc]	*/
#define CHIP_OP_TMUL	0x52	/* t[ra] = t[rb] * t[rc]	*/
#define CHIP_OP_TDIV	0x53	/* t[ra] = t[rb] / t[rc]	*/
#define CHIP_OP_TMAX	0x54	/* t[ra] = max(t[rb], t[rc])	*/
#define CHIP_OP_TMIN	0x55	/* t[ra] = min(t[rb], t[rc])	*/
#define CHIP_OP_TADDS	0x56	/* t[ra] = t[rb] + f32 rc	*/
#define CHIP_OP_TSUBS	0x57	/* t[ra] = t[rb] - f32 rc	*/
#define CHIP_OP_TMULS	0x58	/* t[ra] = t[rb] * f32 rc	*/
#define CHIP_OP_TDIVS	0x59	/* t[ra] = t[rb] / f32 rc	*/
#define CHIP_OP_TEXP	0x5a	/* t[ra] = exp(t[rb])		*/

/* Reductions over VL elements into a scalar register: AIV only. */
#define CHIP_OP_TRSUM	0x60	/* ra = sum t[rb], in index order */
#define CHIP_OP_TRMAX	0x61	/* ra = max t[rb]		*/

/* Matrix: AIC only.  C[S0 x S2] += A[S0 x S1] * B[S1 x S2], row-major. */
#define CHIP_OP_TMMA	0x68	/* t[ra] += t[rb] * t[rc]	*/

/* Orchestration: AICPU only. */
#define CHIP_OP_TASK	0x70	/* begin task: func_id imm, core type a */
#define CHIP_OP_TTENS	0x71	/* add tensor arg: addr ra, bytes rb, direction c */
#define CHIP_OP_TSCAL	0x72	/* add scalar arg ra		*/
#define CHIP_OP_SUBMIT	0x73	/* submit the task; ra = task id */
#define CHIP_OP_SCOPE	0x74	/* open a scope			*/
#define CHIP_OP_ENDSCOPE 0x75	/* close the innermost scope	*/
#define CHIP_OP_ALLOC	0x76	/* ra = heap buffer of rb bytes, 64-byte aligned */
#define CHIP_OP_FATAL	0x77	/* orchestration error, code imm (1..99) */

#define CHIP_OP_MAX	0x80

#endif /* _UAPI_CHIP_ISA_H */
