// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * chip_asm() and the disassembler: encodings, labels, pseudo-instructions,
 * round trips, and errors with their line numbers.
 */
#include <errno.h>
#include <locale.h>
#include "helpers.h"
#include "chip/chip.h"
#include "common/programs.h"

static struct chip_insn *code;
static size_t size;
static char err[160];

static int as(const char *text)
{
	free(code);
	code = NULL;
	size = 0;
	return chip_asm(text, (void **)&code, &size, err, sizeof(err));
}

#define INSN_EQ(i, o, a_, b_, c_, imm_) do {				\
	CHECK_EQ(code[i].op, o);					\
	CHECK_EQ(code[i].a, a_);					\
	CHECK_EQ(code[i].b, b_);					\
	CHECK_EQ(code[i].c, c_);					\
	CHECK_EQ(code[i].imm, imm_);					\
} while (0)

static int test_encoding(void)
{
	CHECK_EQ(as("nop\nhalt\nli r1, -5\nlih r15, 0xffffffff\n"
		    "mov r2, r3\nadd r4, r5, r6\naddi r7, r8, 0x7fffffff\n"
		    "arg r9, 383\nasize r10, 0\nlif r11, 1.5\n"
		    "setvl r12\nshape r1, r2, r3\ntld2 r4, r5, r6\n"
		    "tmma r7, r8, r9\ntexp r1, r2\ntrsum r3, r4\n"
		    "task 1023, aiv\nttens r1, r2, inout\ntscal r3\n"
		    "submit r4\nscope\nendscope\nalloc r5, r6\nfatal 99\n"),
		 0);
	CHECK_EQ(size, 24 * 8);
	INSN_EQ(0, CHIP_OP_NOP, 0, 0, 0, 0);
	INSN_EQ(1, CHIP_OP_HALT, 0, 0, 0, 0);
	INSN_EQ(2, CHIP_OP_LI, 1, 0, 0, -5);
	INSN_EQ(3, CHIP_OP_LIH, 15, 0, 0, -1);
	INSN_EQ(4, CHIP_OP_MOV, 2, 3, 0, 0);
	INSN_EQ(5, CHIP_OP_ADD, 4, 5, 6, 0);
	INSN_EQ(6, CHIP_OP_ADDI, 7, 8, 0, 0x7fffffff);
	INSN_EQ(7, CHIP_OP_ARG, 9, 0, 0, 383);
	INSN_EQ(8, CHIP_OP_ASIZE, 10, 0, 0, 0);
	INSN_EQ(9, CHIP_OP_LIF, 11, 0, 0, 0x3fc00000);
	INSN_EQ(10, CHIP_OP_SETVL, 12, 0, 0, 0);
	INSN_EQ(11, CHIP_OP_SHAPE, 1, 2, 3, 0);
	INSN_EQ(12, CHIP_OP_TLD2, 4, 5, 6, 0);
	INSN_EQ(13, CHIP_OP_TMMA, 7, 8, 9, 0);
	INSN_EQ(14, CHIP_OP_TEXP, 1, 2, 0, 0);
	INSN_EQ(15, CHIP_OP_TRSUM, 3, 4, 0, 0);
	INSN_EQ(16, CHIP_OP_TASK, CHIP_CORE_AIV, 0, 0, 1023);
	INSN_EQ(17, CHIP_OP_TTENS, 1, 2, CHIP_DIR_INOUT, 0);
	INSN_EQ(18, CHIP_OP_TSCAL, 3, 0, 0, 0);
	INSN_EQ(19, CHIP_OP_SUBMIT, 4, 0, 0, 0);
	INSN_EQ(20, CHIP_OP_SCOPE, 0, 0, 0, 0);
	INSN_EQ(21, CHIP_OP_ENDSCOPE, 0, 0, 0, 0);
	INSN_EQ(22, CHIP_OP_ALLOC, 5, 6, 0, 0);
	INSN_EQ(23, CHIP_OP_FATAL, 0, 0, 0, 99);
	/* task core types and ttens directions */
	CHECK_EQ(as("task 0, aic\nttens r0, r0, in\nttens r0, r0, out\n"), 0);
	INSN_EQ(0, CHIP_OP_TASK, CHIP_CORE_AIC, 0, 0, 0);
	INSN_EQ(1, CHIP_OP_TTENS, 0, 0, CHIP_DIR_IN, 0);
	INSN_EQ(2, CHIP_OP_TTENS, 0, 0, CHIP_DIR_OUT, 0);
	return 0;
}

static int test_numbers_and_floats(void)
{
	CHECK_EQ(as("li r1, 0\nli r1, -0\nli r1, -2147483648\n"
		    "li r1, 2147483647\nli r1, 0x10\nli r1, -0x10\n"
		    "lih r1, 4294967295\nlih r1, -1\nli r1, +7\n"
		    "li r1, 0XaBc\n"), 0);
	CHECK_EQ(code[0].imm, 0);
	CHECK_EQ(code[1].imm, 0);
	CHECK_EQ(code[2].imm, INT32_MIN);
	CHECK_EQ(code[3].imm, INT32_MAX);
	CHECK_EQ(code[4].imm, 16);
	CHECK_EQ(code[5].imm, -16);
	CHECK_EQ(code[6].imm, -1);
	CHECK_EQ(code[7].imm, -1);
	CHECK_EQ(code[8].imm, 7);
	CHECK_EQ(code[9].imm, 0xabc);
	CHECK_EQ(as("lif r1, 1\nlif r1, -0.0\nlif r1, 1e-45\nlif r1, inf\n"
		    "lif r1, -2.5e3\nlif r1, 0x1p-3\nlif r1, 3.4028235e38\n"),
		 0);
	CHECK_U64((uint32_t)code[0].imm, 0x3f800000);
	CHECK_U64((uint32_t)code[1].imm, 0x80000000);
	CHECK_U64((uint32_t)code[2].imm, 0x00000001);
	CHECK_U64((uint32_t)code[3].imm, 0x7f800000);
	CHECK_U64((uint32_t)code[4].imm, 0xc51c4000);
	CHECK_U64((uint32_t)code[5].imm, 0x3e000000);
	CHECK_U64((uint32_t)code[6].imm, 0x7f7fffff);
	return 0;
}

static int test_li64(void)
{
	CHECK_EQ(as("li64 r3, 0x0123456789abcdef\nli64 r4, -1\n"
		    "li64 r5, 0xffffffffffffffff\nli64 r6, -9223372036854775808\n"
		    "li64 r7, 5\n"), 0);
	CHECK_EQ(size, 10 * 8);
	INSN_EQ(0, CHIP_OP_LI, 3, 0, 0, (int32_t)0x89abcdef);
	INSN_EQ(1, CHIP_OP_LIH, 3, 0, 0, 0x01234567);
	INSN_EQ(2, CHIP_OP_LI, 4, 0, 0, -1);
	INSN_EQ(3, CHIP_OP_LIH, 4, 0, 0, -1);
	INSN_EQ(4, CHIP_OP_LI, 5, 0, 0, -1);
	INSN_EQ(5, CHIP_OP_LIH, 5, 0, 0, -1);
	INSN_EQ(6, CHIP_OP_LI, 6, 0, 0, 0);
	INSN_EQ(7, CHIP_OP_LIH, 6, 0, 0, INT32_MIN);
	INSN_EQ(8, CHIP_OP_LI, 7, 0, 0, 5);
	INSN_EQ(9, CHIP_OP_LIH, 7, 0, 0, 0);
	return 0;
}

static int test_labels(void)
{
	CHECK_EQ(as("; a loop\n"
		    "start:\n"
		    "	li r1, 10	# ten\n"
		    "loop:	addi r1, r1, -1\n"
		    "	bne r1, r0, loop\n"
		    "	beq r1, r0, end	; forward\n"
		    "	jmp start\n"
		    "a: b: c:\n"
		    "end:	jmp c\n"
		    "	jmp -1\n"
		    "	bltu r1, r2, 0\n"
		    "	li64 r1, 1\n"
		    "last: jmp loop\n"), 0);
	CHECK_EQ(size, 11 * 8);
	CHECK_EQ(code[2].imm, -1);	/* bne -> loop */
	CHECK_EQ(code[3].imm, 2);	/* beq -> end */
	CHECK_EQ(code[4].imm, -4);	/* jmp start */
	CHECK_EQ(code[5].imm, 0);	/* end: jmp c (same instruction) */
	CHECK_EQ(code[6].imm, -1);
	CHECK_EQ(code[7].imm, 0);
	CHECK_EQ(code[10].imm, -9);	/* after the 2-instruction li64 */
	/* labels may look like mnemonics or registers; case is kept */
	CHECK_EQ(as("halt:\nr1: jmp halt\nLoop: jmp r1\n_x.y: jmp Loop\n"),
		 0);
	CHECK_EQ(code[0].imm, 0);
	CHECK_EQ(code[1].imm, -1);
	CHECK_EQ(code[2].imm, -1);
	return 0;
}

static int test_syntax_variants(void)
{
	/* upper-case mnemonics and registers, CRLF, blank lines, tabs */
	CHECK_EQ(as("\r\n  ADD R1,R2 ,  r3\r\n\n\t# only a comment\n;\n"
		    "HALT ; done"), 0);
	CHECK_EQ(size, 16);
	INSN_EQ(0, CHIP_OP_ADD, 1, 2, 3, 0);
	INSN_EQ(1, CHIP_OP_HALT, 0, 0, 0, 0);
	/* raw instructions */
	CHECK_EQ(as(".insn 0xff, 1, 2, 255, -7\n.insn 0, 0, 0, 0, 0xffffffff\n"),
		 0);
	INSN_EQ(0, 0xff, 1, 2, 255, -7);
	INSN_EQ(1, 0, 0, 0, 0, -1);
	return 0;
}

/* Each error names its line. */
static int test_errors(void)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ "nop\nfrob r1\n", "line 2: unknown mnemonic 'frob'" },
		{ "add r1, r2\n", "line 1: add takes 3 operands, not 2" },
		{ "nop\n\nhalt r1\n", "line 3: halt takes 0 operands, not 1" },
		{ "mov r1, r16\n", "line 1: bad register 'r16'" },
		{ "mov r1, x1\n", "line 1: bad register 'x1'" },
		{ "mov r1, r01\n", "line 1: bad register 'r01'" },
		{ "mov r1, r-1\n", "line 1: bad register 'r-1'" },
		{ "li r1, 0x80000000\n",
		  "line 1: bad 32-bit immediate '0x80000000'" },
		{ "li r1, -2147483649\n",
		  "line 1: bad 32-bit immediate '-2147483649'" },
		{ "lih r1, 0x100000000\n",
		  "line 1: bad 32-bit immediate '0x100000000'" },
		{ "li r1, 12abc\n", "line 1: bad 32-bit immediate '12abc'" },
		{ "li r1, 010x\n", "line 1: bad 32-bit immediate '010x'" },
		{ "li r1, 0x\n", "line 1: bad 32-bit immediate '0x'" },
		{ "lif r1, 1.5x\n", "line 1: bad float '1.5x'" },
		{ "li64 r1, 0x10000000000000000\n",
		  "line 1: bad 64-bit value '0x10000000000000000'" },
		{ "li64 r1, -9223372036854775809\n",
		  "line 1: bad 64-bit value '-9223372036854775809'" },
		{ "li64 r1\n", "line 1: li64 takes 2 operands" },
		{ "nop\njmp nowhere\nnop\n",
		  "line 2: undefined label 'nowhere'" },
		{ "x: nop\nx: nop\n", "line 2: duplicate label 'x'" },
		{ "nop\nbeq r1, r2, 5\nnop\n",
		  "line 2: branch target 6 outside the program" },
		{ "jmp -1\n", "line 1: branch target -1 outside the program" },
		{ "jmp end\nend:\n",
		  "line 1: branch target 1 outside the program" },
		{ "jmp 1x\n", "line 1: bad branch target '1x'" },
		{ "task 0, cpu\n", "line 1: bad core type 'cpu' (aic|aiv)" },
		{ "task 1024, aiv\n", "line 1: bad func_id '1024'" },
		{ "task -1, aiv\n", "line 1: bad func_id '-1'" },
		{ "ttens r1, r2, both\n",
		  "line 1: bad direction 'both' (in|out|inout)" },
		{ "fatal 0\n", "line 1: bad error code '0' (1..99)" },
		{ "fatal 100\n", "line 1: bad error code '100' (1..99)" },
		{ "fatal -0\n", "line 1: bad error code '-0' (1..99)" },
		{ "fatal -5\n", "line 1: bad error code '-5' (1..99)" },
		{ "arg r1, 384\n", "line 1: bad argument index '384'" },
		{ "asize r1, -1\n", "line 1: bad argument index '-1'" },
		{ "add r1, , r2\n", "line 1: empty operand" },
		{ "add r1, r2, r3,\n", "line 1: empty operand" },
		{ "add r1, r2, r3, r4, r5, r6\n", "line 1: too many operands" },
		{ ".insn 256, 0, 0, 0, 0\n", "line 1: bad byte '256'" },
		{ ".insn 1, 2\n", "line 1: .insn takes 5 operands" },
		{ "", "line 1: no instructions" },
		{ "; nothing\n\nlabel:\n", "line 3: no instructions" },
		{ "1abc: nop\n", "line 1: unknown mnemonic '1abc:'" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = as(cases[i].text);

		if (rc != -EINVAL || strcmp(err, cases[i].msg))
			fprintf(stderr, "case %zu: rc %d '%s', want '%s'\n", i,
				rc, err, cases[i].msg);
		CHECK_EQ(rc, -EINVAL);
		CHECK(!strcmp(err, cases[i].msg));
		CHECK(code == NULL);
	}
	/* NULL err is allowed; a short one is truncated, not overrun */
	CHECK_EQ(chip_asm("bogus\n", (void **)&code, &size, NULL, 0), -EINVAL);
	memset(err, 'x', sizeof(err));
	CHECK_EQ(chip_asm("bogus\n", (void **)&code, &size, err, 8), -EINVAL);
	CHECK(!strcmp(err, "line 1:"));
	CHECK_EQ(err[8], 'x');
	CHECK_EQ(chip_asm(NULL, (void **)&code, &size, err, sizeof(err)),
		 -EINVAL);
	return 0;
}

/* Every shared program: text -> code -> text -> the same code. */
static int test_round_trip_programs(void)
{
	size_t i;

	for (i = 0; i < prog_catalogue_len; i++) {
		struct chip_insn *c1;
		size_t s1;
		char *text;

		CHECK_EQ(as(prog_catalogue[i].text), 0);
		c1 = code;
		s1 = size;
		code = NULL;
		CHECK_EQ(chip_disasm(c1, s1, &text), 0);
		if (as(text))
			fprintf(stderr, "%s: %s\n%s", prog_catalogue[i].name,
				err, text);
		CHECK_EQ(as(text), 0);
		CHECK_EQ(size, s1);
		CHECK(!memcmp(code, c1, s1));
		free(text);
		free(c1);
	}
	return 0;
}

/* Arbitrary bytes survive disassembly and reassembly. */
static int test_round_trip_random(void)
{
	uint64_t x = 88172645463325252ull;
	struct chip_insn buf[512];
	char *text;
	int round, i;

	for (round = 0; round < 200; round++) {
		for (i = 0; i < 512; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			memcpy(&buf[i], &x, 8);
			/* bias towards well-formed instructions */
			if (round & 1) {
				buf[i].op &= 0x7f;
				buf[i].a &= 15;
				buf[i].b &= 15;
				buf[i].c &= 3;
				if (x & 0x100)
					buf[i].imm %= 512;
				if (x & 0x200)
					buf[i].c = buf[i].imm = 0;
			}
		}
		CHECK_EQ(chip_disasm(buf, sizeof(buf), &text), 0);
		if (as(text))
			fprintf(stderr, "%s\n", err);
		CHECK_EQ(as(text), 0);
		CHECK_EQ(size, sizeof(buf));
		CHECK(!memcmp(code, buf, sizeof(buf)));
		free(text);
	}
	/* lif with a NaN payload uses the raw form */
	buf[0] = (struct chip_insn){ CHIP_OP_LIF, 1, 0, 0, 0x7fc12345 };
	CHECK_EQ(chip_disasm(buf, 8, &text), 0);
	CHECK(strstr(text, ".insn"));
	free(text);
	buf[0].imm = 0x3fc00000;
	CHECK_EQ(chip_disasm(buf, 8, &text), 0);
	CHECK(!strcmp(text, "\tlif r1, 1.5\n"));
	free(text);
	/* sizes */
	CHECK_EQ(chip_disasm(buf, 7, &text), -EINVAL);
	CHECK_EQ(chip_disasm(buf, 0, &text), 0);
	CHECK(!strcmp(text, ""));
	free(text);
	return 0;
}

static int test_disasm_text(void)
{
	char *text;

	CHECK_EQ(as("li r1, 3\nloop: addi r1, r1, -1\nbne r1, r0, loop\n"
		    "task 7, aic\nttens r1, r2, out\nlih r3, 0xdeadbeef\n"
		    "fatal 9\n"), 0);
	CHECK_EQ(chip_disasm(code, size, &text), 0);
	CHECK(!strcmp(text,
		      "\tli r1, 3\n"
		      "L1:\n"
		      "\taddi r1, r1, -1\n"
		      "\tbne r1, r0, L1\n"
		      "\ttask 7, aic\n"
		      "\tttens r1, r2, out\n"
		      "\tlih r3, 0xdeadbeef\n"
		      "\tfatal 9\n"));
	free(text);
	return 0;
}

/* Floats do not depend on the caller's locale (skipped without one). */
static int test_locale(void)
{
	static const char *const names[] = {
		"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8",
	};
	char *text = NULL;
	size_t i;
	int rc = T_SKIP;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (setlocale(LC_NUMERIC, names[i]))
			break;
	if (i == sizeof(names) / sizeof(names[0]))
		return T_SKIP;
	if (as("lif r1, 1.5\n") == 0 && (uint32_t)code[0].imm == 0x3fc00000 &&
	    chip_disasm(code, size, &text) == 0 &&
	    !strcmp(text, "\tlif r1, 1.5\n"))
		rc = 0;
	else
		rc = 1;
	free(text);
	setlocale(LC_NUMERIC, "C");
	return rc;
}

int main(void)
{
	T_RUN(test_encoding);
	T_RUN(test_numbers_and_floats);
	T_RUN(test_li64);
	T_RUN(test_labels);
	T_RUN(test_syntax_variants);
	T_RUN(test_errors);
	T_RUN(test_round_trip_programs);
	T_RUN(test_round_trip_random);
	T_RUN(test_disasm_text);
	T_RUN(test_locale);
	free(code);
	return T_DONE();
}
