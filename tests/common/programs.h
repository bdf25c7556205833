/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Device programs (ISA assembler text, see Documentation/isa.rst) shared
 * by examples, tests and benchmarks.  Each PROG_* macro is a string
 * literal (usable in static initialisers); assemble it with chip_asm() or
 * prog_build().
 *
 * Kernels receive their arguments the way the tensormap_and_ringbuffer
 * scheduler passes them: ARG i is the i-th TTENS address or TSCAL value
 * of the task, in submission order, and ASIZE i the TTENS byte size (0
 * for a scalar).  Orchestrations (AICPU) receive the run's arguments:
 * the tensors first (ARG = device address, ASIZE = byte extent), then the
 * scalars.  Every f32 scalar travels as its binary32 bit pattern in the
 * low 32 bits.
 */
#ifndef CHIP_TESTS_PROGRAMS_H
#define CHIP_TESTS_PROGRAMS_H

#include <stddef.h>
#include <stdint.h>

/* ---- kernels ----------------------------------------------------------- */

/*
 * vec_add (AIV): args tensor a, tensor b, tensor out (f32).
 * n = ASIZE(out) / 4; out[i] = a[i] + b[i], in chunks of 2048 elements
 * (the last chunk with SETVL of the remainder).
 */
#define PROG_VEC_BINARY(op)						\
	"; out[i] = a[i] (" op ") b[i]; args a, b, out\n"		\
	"	arg r1, 0		; a\n"				\
	"	arg r2, 1		; b\n"				\
	"	arg r3, 2		; out\n"			\
	"	asize r4, 2\n"						\
	"	shri r4, r4, 2		; n = elements left\n"		\
	"	li r5, 2048		; chunk\n"			\
	"	li r6, 0		; local: a tile\n"		\
	"	li r7, 8192		; local: b tile\n"		\
	"loop:\n"							\
	"	beq r4, r0, done	; r0 is always 0\n"		\
	"	mov r9, r4\n"						\
	"	bgeu r5, r4, go		; last chunk: the remainder\n"	\
	"	mov r9, r5\n"						\
	"go:\n"								\
	"	setvl r9\n"						\
	"	tld r6, r1\n"						\
	"	tld r7, r2\n"						\
	"	" op " r6, r6, r7\n"					\
	"	tst r3, r6\n"						\
	"	shli r10, r9, 2		; bytes\n"			\
	"	add r1, r1, r10\n"					\
	"	add r2, r2, r10\n"					\
	"	add r3, r3, r10\n"					\
	"	sub r4, r4, r9\n"					\
	"	jmp loop\n"						\
	"done:\n"							\
	"	halt\n"
#define PROG_VEC_ADD PROG_VEC_BINARY("tadd")

/* vec_add_scalar (AIV): args tensor in, tensor out, scalar f32 s:
 * out[i] = in[i] + s, n = ASIZE(out) / 4. */
#define PROG_VEC_ADD_SCALAR \
	"; vec_add_scalar: out[i] = in[i] + s; args in, out, scalar f32 s\n" \
	"	arg r1, 0		; in\n" \
	"	arg r3, 1		; out\n" \
	"	arg r8, 2		; s\n" \
	"	asize r4, 1\n" \
	"	shri r4, r4, 2		; n = elements left\n" \
	"	li r5, 2048		; chunk\n" \
	"	li r6, 0		; local tile\n" \
	"loop:\n" \
	"	beq r4, r0, done\n" \
	"	mov r9, r4\n" \
	"	bgeu r5, r4, go\n" \
	"	mov r9, r5\n" \
	"go:\n" \
	"	setvl r9\n" \
	"	tld r6, r1\n" \
	"	tadds r6, r6, r8\n" \
	"	tst r3, r6\n" \
	"	shli r10, r9, 2\n" \
	"	add r1, r1, r10\n" \
	"	add r3, r3, r10\n" \
	"	sub r4, r4, r9\n" \
	"	jmp loop\n" \
	"done:\n" \
	"	halt\n"

/* vec_mul (AIV): args tensor a, tensor b, tensor out: out = a * b. */
#define PROG_VEC_MUL PROG_VEC_BINARY("tmul")

/*
 * matmul (AIC): args tensor A [M x K], tensor B [K x N], tensor C [M x N]
 * (row-major f32), scalars M, K, N, each a multiple of 32.  C = A * B,
 * computed in 32 x 32 blocks (TLD2, TMMA, TST2); every C element is the
 * sum over k in ascending order starting from +0.0.
 */
#define PROG_MATMUL \
	"; matmul (AIC): C[M x N] = A[M x K] * B[K x N], 32 x 32 blocks\n" \
	"; args: A, B, C, scalars M, K, N (multiples of 32)\n" \
	"	arg r1, 0		; A\n" \
	"	arg r2, 1		; B\n" \
	"	arg r3, 2		; C\n" \
	"	arg r4, 3		; M\n" \
	"	arg r5, 4		; K\n" \
	"	arg r6, 5		; N\n" \
	"	li r13, 32\n" \
	"	shape r13, r13, r13\n" \
	"	li r14, 1024\n" \
	"	setvl r14		; one 32 x 32 tile, for tfill\n" \
	"	li r10, 8192		; local: C tile (A at 0, B at 4096)\n" \
	"	li r7, 0		; i\n" \
	"iloop:\n" \
	"	bgeu r7, r4, done\n" \
	"	li r8, 0		; j\n" \
	"jloop:\n" \
	"	bgeu r8, r6, inext\n" \
	"	tfill r10, r0		; C tile = +0.0\n" \
	"	li r9, 0		; p\n" \
	"ploop:\n" \
	"	bgeu r9, r5, pdone\n" \
	"	mul r11, r7, r5		; A + (i * K + p) * 4\n" \
	"	add r11, r11, r9\n" \
	"	shli r11, r11, 2\n" \
	"	add r11, r11, r1\n" \
	"	li r12, 0\n" \
	"	tld2 r12, r11, r5\n" \
	"	mul r11, r9, r6		; B + (p * N + j) * 4\n" \
	"	add r11, r11, r8\n" \
	"	shli r11, r11, 2\n" \
	"	add r11, r11, r2\n" \
	"	li r12, 4096\n" \
	"	tld2 r12, r11, r6\n" \
	"	li r11, 0\n" \
	"	tmma r10, r11, r12	; C += A * B\n" \
	"	add r9, r9, r13\n" \
	"	jmp ploop\n" \
	"pdone:\n" \
	"	mul r11, r7, r6		; C + (i * N + j) * 4\n" \
	"	add r11, r11, r8\n" \
	"	shli r11, r11, 2\n" \
	"	add r11, r11, r3\n" \
	"	tst2 r11, r10, r6\n" \
	"	add r8, r8, r13\n" \
	"	jmp jloop\n" \
	"inext:\n" \
	"	add r7, r7, r13\n" \
	"	jmp iloop\n" \
	"done:\n" \
	"	halt\n"

/*
 * softmax_rows (AIV): args tensor in, tensor out (f32 [rows x cols]),
 * scalars rows, cols (cols <= 8192).  Per row: m = max, t = exp(x - m),
 * out = t / sum(t) (TRMAX, TSUBS, TEXP, TRSUM, TDIVS).
 */
#define PROG_SOFTMAX_ROWS \
	"; softmax_rows (AIV): args in, out, scalars rows, cols (<= 8192)\n" \
	"	arg r1, 0		; in\n" \
	"	arg r2, 1		; out\n" \
	"	arg r3, 2		; rows\n" \
	"	arg r4, 3		; cols\n" \
	"	setvl r4\n" \
	"	shli r5, r4, 2		; row bytes\n" \
	"	li r6, 0		; row\n" \
	"	li r7, 0		; local: the row\n" \
	"loop:\n" \
	"	bgeu r6, r3, done\n" \
	"	tld r7, r1\n" \
	"	trmax r8, r7		; m = max\n" \
	"	tsubs r7, r7, r8	; x - m\n" \
	"	texp r7, r7\n" \
	"	trsum r9, r7		; s = sum\n" \
	"	tdivs r7, r7, r9\n" \
	"	tst r2, r7\n" \
	"	add r1, r1, r5\n" \
	"	add r2, r2, r5\n" \
	"	addi r6, r6, 1\n" \
	"	jmp loop\n" \
	"done:\n" \
	"	halt\n"

/* spin (AIC): an infinite loop, for watchdog tests.  No args. */
#define PROG_SPIN \
	"; spin (AIC): never halts\n" \
	"spin:\n" \
	"	jmp spin\n"

/* oob_store (AIV): args scalar addr: stores a 16-element tile at addr. */
#define PROG_OOB_STORE \
	"; oob_store (AIV): 16 elements to the address in scalar arg 0\n" \
	"	arg r1, 0\n" \
	"	li r2, 16\n" \
	"	setvl r2\n" \
	"	li r3, 0\n" \
	"	tst r1, r3\n" \
	"	halt\n"

/* null kernel (any core type): halt. */
#define PROG_NULL_KERNEL \
	"	halt\n"

/* ---- orchestrations (AICPU, tensormap_and_ringbuffer) ------------------ */

/* orch_null: halt.  Any args. */
#define PROG_ORCH_NULL \
	"	halt\n"

/* orch_fatal: FATAL 9 (CHIP_STATUS_ORCH_ERROR, code CHIP_ORCH_FATAL). */
#define PROG_ORCH_FATAL \
	"	fatal 9\n"

/*
 * orch_vector: the reference vector example.  Run args: tensors a, b, f
 * (f32, same size).  Children: func 0 vec_add, func 1 vec_add_scalar,
 * func 2 vec_mul (all AIV).
 *	c = ALLOC;  t0: add(a, b) -> c
 *	SCOPE
 *	d, e, g = ALLOC
 *	t1: add_scalar(c, 1.0) -> d;  t2: add_scalar(c, 2.0) -> e
 *	t3: mul(d, e) -> g;  t4: add(g, c) -> f
 *	ENDSCOPE
 * f = (a + b + 1) * (a + b + 2) + (a + b): 47.0 for a = 2, b = 3.
 */
#define PROG_ORCH_VECTOR \
	"; f = (a + b + 1) * (a + b + 2) + (a + b); args: tensors a, b, f\n" \
	"; func 0: vec_add, func 1: vec_add_scalar, func 2: vec_mul\n" \
	"	arg r1, 0		; a\n" \
	"	arg r2, 1		; b\n" \
	"	arg r3, 2		; f\n" \
	"	asize r4, 2		; bytes of every tensor\n" \
	"	alloc r5, r4		; c\n" \
	"	task 0, aiv		; t0: c = a + b\n" \
	"	ttens r1, r4, in\n" \
	"	ttens r2, r4, in\n" \
	"	ttens r5, r4, out\n" \
	"	submit r15\n" \
	"	scope\n" \
	"	alloc r6, r4		; d\n" \
	"	alloc r7, r4		; e\n" \
	"	alloc r8, r4		; g\n" \
	"	lif r9, 1.0\n" \
	"	task 1, aiv		; t1: d = c + 1\n" \
	"	ttens r5, r4, in\n" \
	"	ttens r6, r4, out\n" \
	"	tscal r9\n" \
	"	submit r15\n" \
	"	lif r9, 2.0\n" \
	"	task 1, aiv		; t2: e = c + 2\n" \
	"	ttens r5, r4, in\n" \
	"	ttens r7, r4, out\n" \
	"	tscal r9\n" \
	"	submit r15\n" \
	"	task 2, aiv		; t3: g = d * e\n" \
	"	ttens r6, r4, in\n" \
	"	ttens r7, r4, in\n" \
	"	ttens r8, r4, out\n" \
	"	submit r15\n" \
	"	task 0, aiv		; t4: f = g + c\n" \
	"	ttens r8, r4, in\n" \
	"	ttens r5, r4, in\n" \
	"	ttens r3, r4, out\n" \
	"	submit r15\n" \
	"	endscope\n" \
	"	halt\n"

/*
 * orch_matmul: run args tensors A, B, C, scalars M, K, N.  One task:
 * func 0 (matmul, AIC) with A in, B in, C out, M, K, N.
 */
#define PROG_ORCH_MATMUL \
	"; args: tensors A, B, C, scalars M, K, N; func 0: matmul (AIC)\n" \
	"	arg r1, 0\n" \
	"	arg r2, 1\n" \
	"	arg r3, 2\n" \
	"	arg r4, 3		; M\n" \
	"	arg r5, 4		; K\n" \
	"	arg r6, 5		; N\n" \
	"	asize r7, 0\n" \
	"	asize r8, 1\n" \
	"	asize r9, 2\n" \
	"	task 0, aic\n" \
	"	ttens r1, r7, in\n" \
	"	ttens r2, r8, in\n" \
	"	ttens r3, r9, out\n" \
	"	tscal r4\n" \
	"	tscal r5\n" \
	"	tscal r6\n" \
	"	submit r15\n" \
	"	halt\n"

/*
 * orch_softmax: run args tensors in, out, scalars rows, cols.  Splits the
 * rows into chunks of up to 16 rows; one task per chunk: func 0
 * (softmax_rows, AIV) with the chunk's in and out, its row count, cols.
 */
#define PROG_ORCH_SOFTMAX \
	"; args: tensors in, out, scalars rows, cols; func 0: softmax_rows\n" \
	"; one AIV task per chunk of up to 16 rows\n" \
	"	arg r1, 0		; in\n" \
	"	arg r2, 1		; out\n" \
	"	arg r3, 2		; rows\n" \
	"	arg r4, 3		; cols\n" \
	"	shli r5, r4, 2		; row bytes\n" \
	"	li r6, 0		; first row of the chunk\n" \
	"	li r7, 16\n" \
	"loop:\n" \
	"	bgeu r6, r3, done\n" \
	"	sub r8, r3, r6		; rows left\n" \
	"	bgeu r7, r8, last\n" \
	"	mov r8, r7		; chunk rows = min(16, left)\n" \
	"last:\n" \
	"	mul r9, r8, r5		; chunk bytes\n" \
	"	mul r10, r6, r5		; chunk offset\n" \
	"	add r11, r1, r10\n" \
	"	add r12, r2, r10\n" \
	"	task 0, aiv\n" \
	"	ttens r11, r9, in\n" \
	"	ttens r12, r9, out\n" \
	"	tscal r8\n" \
	"	tscal r4\n" \
	"	submit r15\n" \
	"	add r6, r6, r8\n" \
	"	jmp loop\n" \
	"done:\n" \
	"	halt\n"

/* orch_spin: submits func 0 (spin) on AIC.  No args. */
#define PROG_ORCH_SPIN \
	"; func 0: spin (AIC)\n" \
	"	task 0, aic\n" \
	"	submit r15\n" \
	"	halt\n"

/*
 * orch_oob: run args: one scalar, a device address.  Submits func 0
 * (oob_store, AIV) with that address as its scalar arg 0.
 */
#define PROG_ORCH_OOB \
	"; args: scalar addr; func 0: oob_store (AIV)\n" \
	"	arg r1, 0\n" \
	"	task 0, aiv\n" \
	"	tscal r1\n" \
	"	submit r15\n" \
	"	halt\n"

/*
 * orch_many: run args: one scalar N.  Submits N tasks of func 0 (the null
 * kernel, AIV) without arguments, for ring back-pressure tests.
 */
#define PROG_ORCH_MANY \
	"; args: scalar N; N tasks of func 0 (null kernel, AIV)\n" \
	"	arg r1, 0\n" \
	"	li r2, 0\n" \
	"loop:\n" \
	"	bgeu r2, r1, done\n" \
	"	task 0, aiv\n" \
	"	submit r15\n" \
	"	addi r2, r2, 1\n" \
	"	jmp loop\n" \
	"done:\n" \
	"	halt\n"

/* ---- catalogue and helpers --------------------------------------------- */

struct prog_info {
	const char *name;
	const char *text;
	uint32_t core_type;		/* CHIP_CORE_* it is written for */
};

/* Every program above, with its core type (the null kernel as AIV). */
extern const struct prog_info prog_catalogue[];
extern const size_t prog_catalogue_len;

/*
 * Assemble @text; on failure print the assembler's message to stderr and
 * return NULL.  Free the result with free().
 */
void *prog_build(const char *text, size_t *size);

/*
 * libchip's disassembler (libchip/src/asm.c), not part of the public API:
 * *@text receives malloc'd assembler text that assembles back to the same
 * bytes.  Return: 0, -EINVAL, -ENOMEM.
 */
int chip_disasm(const void *code, size_t size, char **text);

#endif /* CHIP_TESTS_PROGRAMS_H */
