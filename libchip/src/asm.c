// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Text assembler and disassembler for the device ISA.  The syntax is
 * specified in Documentation/isa.rst ("Assembler syntax").
 *
 * The assembler checks syntax, operand forms, immediate ranges and branch
 * targets; legality of an opcode on a core type is left to the verifier
 * (chipc_isa_verify), which sees the program when it is uploaded.
 */
#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chip/chip.h"

/* Not public: used by tools/chipasm.c and the tests (common/programs.h). */
int chip_disasm(const void *code, size_t size, char **text);

/*
 * Operand formats, one character per operand:
 *	r  register; the first fills a, the second b, the third c
 *	i  signed 32-bit immediate
 *	u  32-bit immediate, signed or unsigned (LIH: the high half)
 *	f  binary32 literal (LIF)
 *	l  branch target: label or offset in instructions
 *	a  argument index 0..383
 *	k  core type aic|aiv (field a)
 *	d  direction in|out|inout (field c)
 *	F  func_id 0..1023
 *	E  error code 1..99
 */
struct mnem {
	const char *name;
	uint8_t op;
	const char *fmt;
};

static const struct mnem mnems[] = {
	{ "nop", CHIP_OP_NOP, "" },
	{ "halt", CHIP_OP_HALT, "" },
	{ "li", CHIP_OP_LI, "ri" },
	{ "lih", CHIP_OP_LIH, "ru" },
	{ "mov", CHIP_OP_MOV, "rr" },
	{ "add", CHIP_OP_ADD, "rrr" },
	{ "sub", CHIP_OP_SUB, "rrr" },
	{ "mul", CHIP_OP_MUL, "rrr" },
	{ "divu", CHIP_OP_DIVU, "rrr" },
	{ "remu", CHIP_OP_REMU, "rrr" },
	{ "and", CHIP_OP_AND, "rrr" },
	{ "or", CHIP_OP_OR, "rrr" },
	{ "xor", CHIP_OP_XOR, "rrr" },
	{ "shl", CHIP_OP_SHL, "rrr" },
	{ "shr", CHIP_OP_SHR, "rrr" },
	{ "sar", CHIP_OP_SAR, "rrr" },
	{ "addi", CHIP_OP_ADDI, "rri" },
	{ "muli", CHIP_OP_MULI, "rri" },
	{ "andi", CHIP_OP_ANDI, "rri" },
	{ "shli", CHIP_OP_SHLI, "rri" },
	{ "shri", CHIP_OP_SHRI, "rri" },
	{ "slt", CHIP_OP_SLT, "rrr" },
	{ "sltu", CHIP_OP_SLTU, "rrr" },
	{ "jmp", CHIP_OP_JMP, "l" },
	{ "beq", CHIP_OP_BEQ, "rrl" },
	{ "bne", CHIP_OP_BNE, "rrl" },
	{ "blt", CHIP_OP_BLT, "rrl" },
	{ "bge", CHIP_OP_BGE, "rrl" },
	{ "bltu", CHIP_OP_BLTU, "rrl" },
	{ "bgeu", CHIP_OP_BGEU, "rrl" },
	{ "arg", CHIP_OP_ARG, "ra" },
	{ "narg", CHIP_OP_NARG, "r" },
	{ "core", CHIP_OP_CORE, "r" },
	{ "ncore", CHIP_OP_NCORE, "r" },
	{ "lif", CHIP_OP_LIF, "rf" },
	{ "asize", CHIP_OP_ASIZE, "ra" },
	{ "fadd", CHIP_OP_FADD, "rrr" },
	{ "fsub", CHIP_OP_FSUB, "rrr" },
	{ "fmul", CHIP_OP_FMUL, "rrr" },
	{ "fdiv", CHIP_OP_FDIV, "rrr" },
	{ "setvl", CHIP_OP_SETVL, "r" },
	{ "shape", CHIP_OP_SHAPE, "rrr" },
	{ "tld", CHIP_OP_TLD, "rr" },
	{ "tst", CHIP_OP_TST, "rr" },
	{ "tld2", CHIP_OP_TLD2, "rrr" },
	{ "tst2", CHIP_OP_TST2, "rrr" },
	{ "tfill", CHIP_OP_TFILL, "rr" },
	{ "tmov", CHIP_OP_TMOV, "rr" },
	{ "tadd", CHIP_OP_TADD, "rrr" },
	{ "tsub", CHIP_OP_TSUB, "rrr" },
	{ "tmul", CHIP_OP_TMUL, "rrr" },
	{ "tdiv", CHIP_OP_TDIV, "rrr" },
	{ "tmax", CHIP_OP_TMAX, "rrr" },
	{ "tmin", CHIP_OP_TMIN, "rrr" },
	{ "tadds", CHIP_OP_TADDS, "rrr" },
	{ "tsubs", CHIP_OP_TSUBS, "rrr" },
	{ "tmuls", CHIP_OP_TMULS, "rrr" },
	{ "tdivs", CHIP_OP_TDIVS, "rrr" },
	{ "texp", CHIP_OP_TEXP, "rr" },
	{ "trsum", CHIP_OP_TRSUM, "rr" },
	{ "trmax", CHIP_OP_TRMAX, "rr" },
	{ "tmma", CHIP_OP_TMMA, "rrr" },
	{ "task", CHIP_OP_TASK, "Fk" },
	{ "ttens", CHIP_OP_TTENS, "rrd" },
	{ "tscal", CHIP_OP_TSCAL, "r" },
	{ "submit", CHIP_OP_SUBMIT, "r" },
	{ "scope", CHIP_OP_SCOPE, "" },
	{ "endscope", CHIP_OP_ENDSCOPE, "" },
	{ "alloc", CHIP_OP_ALLOC, "rr" },
	{ "fatal", CHIP_OP_FATAL, "E" },
};

static const struct mnem *mnem_by_op(uint8_t op)
{
	size_t i;

	for (i = 0; i < sizeof(mnems) / sizeof(mnems[0]); i++)
		if (mnems[i].op == op)
			return &mnems[i];
	return NULL;
}

static const char *const dir_names[] = { NULL, "in", "out", "inout" };
static const char *const core_names[] = { "aic", "aiv" };

/* ---- assembler --------------------------------------------------------- */

#define MAX_OPERANDS	5
#define NAME_MAX_LEN	63

struct label {
	char name[NAME_MAX_LEN + 1];
	uint32_t pc;
};

struct fixup {
	char name[NAME_MAX_LEN + 1];
	uint32_t pc;
	int line;
};

struct asm_state {
	struct chip_insn *code;
	uint32_t count, cap;
	struct label *labels;
	uint32_t nlabels, lcap;
	struct fixup *fixups;
	uint32_t nfixups, fcap;
	int line;
	char *err;
	size_t errlen;
};

static int asm_error(struct asm_state *st, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (st->err && st->errlen) {
		n = snprintf(st->err, st->errlen, "line %d: ", line);
		if (n >= 0 && (size_t)n < st->errlen) {
			va_start(ap, fmt);
			vsnprintf(st->err + n, st->errlen - n, fmt, ap);
			va_end(ap);
		}
	}
	return -EINVAL;
}

static int grow(void **p, uint32_t *cap, uint32_t need, size_t elem)
{
	uint32_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, (size_t)ncap * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

static int emit(struct asm_state *st, uint8_t op, uint8_t a, uint8_t b,
		uint8_t c, int32_t imm)
{
	struct chip_insn *in;

	if (st->count >= CHIP_ISA_MAX_INSNS)
		return asm_error(st, st->line, "more than %d instructions",
				 CHIP_ISA_MAX_INSNS);
	if (grow((void **)&st->code, &st->cap, st->count + 1, sizeof(*in)))
		return -ENOMEM;
	in = &st->code[st->count++];
	in->op = op;
	in->a = a;
	in->b = b;
	in->c = c;
	in->imm = imm;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

static bool ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '_' || c == '.';
}

static bool ident_char(char c)
{
	return ident_start(c) || (c >= '0' && c <= '9');
}

static bool is_ident(const char *s)
{
	if (!ident_start(*s))
		return false;
	while (*++s)
		if (!ident_char(*s))
			return false;
	return true;
}

/*
 * Integer: optional sign, then decimal digits or 0x and hex digits.
 * *neg and *mag receive sign and magnitude.  Return: 0 or -1.
 */
static int parse_int(const char *s, bool *neg, uint64_t *mag)
{
	uint64_t v = 0;
	unsigned int base = 10, d;
	const char *p = s;

	*neg = false;
	if (*p == '-' || *p == '+')
		*neg = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!*p)
		return -1;
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return -1;
		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	*mag = v;
	return 0;
}

/* An integer within [lo, hi]; hi may exceed INT64_MAX when lo >= 0. */
static int parse_range(const char *s, int64_t lo, uint64_t hi, int64_t *out)
{
	bool neg;
	uint64_t mag;

	if (parse_int(s, &neg, &mag))
		return -1;
	if (neg && mag) {
		/* -mag >= lo, written without overflow */
		if (lo >= 0 || mag - 1 > (uint64_t)(-(lo + 1)))
			return -1;
		*out = -(int64_t)(mag - 1) - 1;
		return 0;
	}
	if (mag > hi || (lo > 0 && mag < (uint64_t)lo))
		return -1;
	*out = (int64_t)mag;
	return 0;
}

static int parse_reg(const char *s)
{
	int64_t v;

	if ((s[0] != 'r' && s[0] != 'R') || !s[1] || s[1] == '-' ||
	    s[1] == '+')
		return -1;
	if (s[1] == '0' && s[2])
		return -1;
	if (parse_range(s + 1, 0, CHIP_ISA_NREGS - 1, &v))
		return -1;
	return (int)v;
}

/* Floats are read and written in the "C" locale, whatever the caller's. */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

static int parse_f32(const char *s, uint32_t *bits)
{
	char *end;
	float f;

	if (!*s)
		return -1;
	pthread_once(&c_locale_once, c_locale_init);
	f = c_locale ? strtof_l(s, &end, c_locale) : strtof(s, &end);
	if (*end || end == s)
		return -1;
	memcpy(bits, &f, 4);
	return 0;
}

static int find_label(const struct asm_state *st, const char *name)
{
	uint32_t i;

	for (i = 0; i < st->nlabels; i++)
		if (!strcmp(st->labels[i].name, name))
			return (int)i;
	return -1;
}

static int add_label(struct asm_state *st, const char *name)
{
	struct label *l;

	if (strlen(name) > NAME_MAX_LEN)
		return asm_error(st, st->line, "label '%.20s...' too long",
				 name);
	if (find_label(st, name) >= 0)
		return asm_error(st, st->line, "duplicate label '%s'", name);
	if (grow((void **)&st->labels, &st->lcap, st->nlabels + 1,
		 sizeof(*l)))
		return -ENOMEM;
	l = &st->labels[st->nlabels++];
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->pc = st->count;
	return 0;
}

/* Split @s at commas into at most MAX_OPERANDS trimmed operands. */
static int split_operands(char *s, char **ops)
{
	int n = 0;
	char *p;

	s = trim(s);
	if (!*s)
		return 0;
	for (;;) {
		p = strchr(s, ',');
		if (p)
			*p = 0;
		if (n == MAX_OPERANDS)
			return -1;
		ops[n++] = trim(s);
		if (!p)
			break;
		s = p + 1;
	}
	return n;
}

static int lookup_name(const char *s, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(s, names[i]))
			return i;
	return -1;
}

/* li64 rX, value: li rX, low half; lih rX, high half. */
static int asm_li64(struct asm_state *st, char **ops, int n)
{
	bool neg;
	uint64_t mag, v;
	int r, rc;

	if (n != 2)
		return asm_error(st, st->line, "li64 takes 2 operands");
	r = parse_reg(ops[0]);
	if (r < 0)
		return asm_error(st, st->line, "bad register '%s'", ops[0]);
	if (parse_int(ops[1], &neg, &mag) ||
	    (neg && mag > (uint64_t)INT64_MAX + 1))
		return asm_error(st, st->line, "bad 64-bit value '%s'",
				 ops[1]);
	v = neg ? (uint64_t)0 - mag : mag;
	rc = emit(st, CHIP_OP_LI, r, 0, 0, (int32_t)(uint32_t)v);
	if (rc)
		return rc;
	return emit(st, CHIP_OP_LIH, r, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

/* .insn op, a, b, c, imm: any raw instruction. */
static int asm_raw(struct asm_state *st, char **ops, int n)
{
	int64_t f[5];
	int i;

	if (n != 5)
		return asm_error(st, st->line, ".insn takes 5 operands");
	for (i = 0; i < 4; i++)
		if (parse_range(ops[i], 0, 255, &f[i]))
			return asm_error(st, st->line,
					 "bad byte '%s'", ops[i]);
	if (parse_range(ops[4], INT32_MIN, UINT32_MAX, &f[4]))
		return asm_error(st, st->line, "bad immediate '%s'", ops[4]);
	return emit(st, (uint8_t)f[0], (uint8_t)f[1], (uint8_t)f[2],
		    (uint8_t)f[3], (int32_t)(uint32_t)f[4]);
}

static int asm_insn(struct asm_state *st, const char *name, char *rest)
{
	const struct mnem *m = NULL;
	char *ops[MAX_OPERANDS];
	uint8_t f[3] = { 0, 0, 0 };
	int nreg = 0, n, i, v;
	int32_t imm = 0;
	int64_t x;
	uint32_t bits;
	struct fixup *fx;
	size_t k;

	n = split_operands(rest, ops);
	if (n < 0)
		return asm_error(st, st->line, "too many operands");
	for (i = 0; i < n; i++)
		if (!*ops[i])
			return asm_error(st, st->line, "empty operand");
	if (!strcmp(name, "li64"))
		return asm_li64(st, ops, n);
	if (!strcmp(name, ".insn"))
		return asm_raw(st, ops, n);
	for (k = 0; k < sizeof(mnems) / sizeof(mnems[0]); k++)
		if (!strcmp(mnems[k].name, name))
			m = &mnems[k];
	if (!m)
		return asm_error(st, st->line, "unknown mnemonic '%s'", name);
	if (n != (int)strlen(m->fmt))
		return asm_error(st, st->line, "%s takes %d operand%s, not %d",
				 m->name, (int)strlen(m->fmt),
				 strlen(m->fmt) == 1 ? "" : "s", n);

	for (i = 0; i < n; i++) {
		const char *o = ops[i];

		switch (m->fmt[i]) {
		case 'r':
			v = parse_reg(o);
			if (v < 0)
				return asm_error(st, st->line,
						 "bad register '%s'", o);
			f[nreg++] = (uint8_t)v;
			break;
		case 'i':
			if (parse_range(o, INT32_MIN, INT32_MAX, &x))
				return asm_error(st, st->line,
						 "bad 32-bit immediate '%s'",
						 o);
			imm = (int32_t)x;
			break;
		case 'u':
			if (parse_range(o, INT32_MIN, UINT32_MAX, &x))
				return asm_error(st, st->line,
						 "bad 32-bit immediate '%s'",
						 o);
			imm = (int32_t)(uint32_t)x;
			break;
		case 'f':
			if (parse_f32(o, &bits))
				return asm_error(st, st->line,
						 "bad float '%s'", o);
			imm = (int32_t)bits;
			break;
		case 'a':
			if (parse_range(o, 0, CHIP_MAX_TENSOR_ARGS +
					CHIP_MAX_SCALAR_ARGS - 1, &x))
				return asm_error(st, st->line,
						 "bad argument index '%s'", o);
			imm = (int32_t)x;
			break;
		case 'F':
			if (parse_range(o, 0, CHIP_MAX_FUNC_ID - 1, &x))
				return asm_error(st, st->line,
						 "bad func_id '%s'", o);
			imm = (int32_t)x;
			break;
		case 'E':
			if (parse_range(o, 1, 99, &x))
				return asm_error(st, st->line,
						 "bad error code '%s' (1..99)",
						 o);
			imm = (int32_t)x;
			break;
		case 'k':
			v = lookup_name(o, core_names, 2);
			if (v < 0)
				return asm_error(st, st->line,
						 "bad core type '%s' (aic|aiv)",
						 o);
			f[0] = (uint8_t)v;
			break;
		case 'd':
			v = lookup_name(o, dir_names, 4);
			if (v < 0)
				return asm_error(st, st->line,
						 "bad direction '%s' (in|out|inout)",
						 o);
			f[2] = (uint8_t)v;
			break;
		case 'l':
			if (grow((void **)&st->fixups, &st->fcap,
				 st->nfixups + 1, sizeof(struct fixup)))
				return -ENOMEM;
			fx = &st->fixups[st->nfixups];
			fx->name[0] = 0;
			fx->pc = st->count;
			fx->line = st->line;
			if (!parse_range(o, INT32_MIN, INT32_MAX, &x)) {
				imm = (int32_t)x;
			} else if (!is_ident(o)) {
				return asm_error(st, st->line,
						 "bad branch target '%s'", o);
			} else if (strlen(o) > NAME_MAX_LEN) {
				return asm_error(st, st->line,
						 "label '%.20s...' too long",
						 o);
			} else {
				snprintf(fx->name, sizeof(fx->name), "%s", o);
			}
			st->nfixups++;
			break;
		}
	}
	return emit(st, m->op, f[0], f[1], f[2], imm);
}

static int asm_line(struct asm_state *st, char *s)
{
	char *p, *name;
	int rc;

	p = strpbrk(s, ";#");
	if (p)
		*p = 0;
	s = trim(s);
	/* labels */
	for (;;) {
		p = s;
		if (!ident_start(*p))
			break;
		while (ident_char(*p))
			p++;
		if (*p != ':')
			break;
		*p = 0;
		rc = add_label(st, s);
		if (rc)
			return rc;
		s = trim(p + 1);
	}
	if (!*s)
		return 0;
	name = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = 0;
	for (p = name; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	return asm_insn(st, name, s);
}

/* Resolve labels; every branch must land on an instruction. */
static int resolve(struct asm_state *st)
{
	uint32_t i;
	int64_t target;
	int l;

	for (i = 0; i < st->nfixups; i++) {
		struct fixup *fx = &st->fixups[i];
		struct chip_insn *in = &st->code[fx->pc];

		if (fx->name[0]) {
			l = find_label(st, fx->name);
			if (l < 0)
				return asm_error(st, fx->line,
						 "undefined label '%s'",
						 fx->name);
			in->imm = (int32_t)((int64_t)st->labels[l].pc - fx->pc);
		}
		target = (int64_t)fx->pc + in->imm;
		if (target < 0 || target >= st->count)
			return asm_error(st, fx->line,
					 "branch target %lld outside the program",
					 (long long)target);
	}
	return 0;
}

/**
 * chip_asm() - assemble ISA text
 * @text: the program, NUL-terminated
 * @code: receives the malloc'd code
 * @size: receives its size in bytes
 * @err: may be NULL; receives "line N: reason" on -EINVAL
 * @errlen: size of @err
 *
 * Return: 0, -EINVAL for a syntax or range error, -ENOMEM.
 */
int chip_asm(const char *text, void **code, size_t *size, char *err,
	     size_t errlen)
{
	struct asm_state st;
	int rc = 0;
	const char *p, *nl;
	char *line = NULL;
	size_t len, lcap = 0;

	if (err && errlen)
		err[0] = 0;
	if (!text || !code || !size)
		return -EINVAL;
	memset(&st, 0, sizeof(st));
	st.err = err;
	st.errlen = errlen;
	for (p = text; *p; p = nl ? nl + 1 : p + len) {
		st.line++;
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (len + 1 > lcap) {
			char *nb = realloc(line, len + 1);

			if (!nb) {
				rc = -ENOMEM;
				break;
			}
			line = nb;
			lcap = len + 1;
		}
		memcpy(line, p, len);
		line[len] = 0;
		rc = asm_line(&st, line);
		if (rc)
			break;
		if (!nl)
			break;
	}
	if (!rc)
		rc = resolve(&st);
	if (!rc && !st.count)
		rc = asm_error(&st, st.line ? st.line : 1, "no instructions");
	free(line);
	free(st.labels);
	free(st.fixups);
	if (rc) {
		free(st.code);
		return rc;
	}
	*code = st.code;
	*size = (size_t)st.count * sizeof(struct chip_insn);
	return 0;
}

/* ---- disassembler ------------------------------------------------------ */

struct sbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = 1;
			return;
		}
		if ((size_t)n < room) {
			b->len += n;
			return;
		}
		{
			size_t ncap = b->cap ? b->cap * 2 : 4096;
			char *np;

			while (ncap - b->len <= (size_t)n)
				ncap *= 2;
			np = realloc(b->p, ncap);
			if (!np) {
				b->oom = 1;
				return;
			}
			b->p = np;
			b->cap = ncap;
		}
	}
}

/* Does @in have exactly the operand fields its format uses? */
static bool canonical(const struct chip_insn *in, const struct mnem *m)
{
	uint8_t used[3] = { 0, 0, 0 };
	int nreg = 0;
	bool uses_imm = false;
	const char *f;

	for (f = m->fmt; *f; f++) {
		switch (*f) {
		case 'r':
			if ((nreg == 0 ? in->a : nreg == 1 ? in->b : in->c) >=
			    CHIP_ISA_NREGS)
				return false;
			used[nreg++] = 1;
			break;
		case 'k':
			if (in->a > 1)
				return false;
			used[0] = 1;
			break;
		case 'd':
			if (in->c < 1 || in->c > 3)
				return false;
			used[2] = 1;
			break;
		case 'a':
			if (in->imm < 0 || in->imm >= CHIP_MAX_TENSOR_ARGS +
			    CHIP_MAX_SCALAR_ARGS)
				return false;
			uses_imm = true;
			break;
		case 'F':
			if (in->imm < 0 || in->imm >= CHIP_MAX_FUNC_ID)
				return false;
			uses_imm = true;
			break;
		case 'E':
			if (in->imm < 1 || in->imm > 99)
				return false;
			uses_imm = true;
			break;
		default:
			uses_imm = true;
			break;
		}
	}
	if ((!used[0] && in->a) || (!used[1] && in->b) ||
	    (!used[2] && in->c) || (!uses_imm && in->imm))
		return false;
	return true;
}

/* Text of a binary32 literal that reads back to the same bits, or -1. */
static int f32_text(uint32_t bits, char *buf, size_t len)
{
	uint32_t back;
	char *p;
	float f;

	memcpy(&f, &bits, 4);
	snprintf(buf, len, "%.9g", (double)f);
	/* a locale's decimal comma: %g has no other punctuation */
	for (p = buf; *p; p++)
		if (*p == ',')
			*p = '.';
	if (parse_f32(buf, &back) || back != bits)
		return -1;
	return 0;
}

static void disasm_one(struct sbuf *b, const struct chip_insn *in, uint32_t pc,
		       uint32_t count)
{
	const struct mnem *m = mnem_by_op(in->op);
	const uint8_t regs[3] = { in->a, in->b, in->c };
	char fbuf[48];
	int nreg = 0;
	const char *f;
	int64_t target;

	target = (int64_t)pc + in->imm;
	if (!m || !canonical(in, m) || (strchr(m->fmt, 'f') &&
	    f32_text((uint32_t)in->imm, fbuf, sizeof(fbuf))) ||
	    (strchr(m->fmt, 'l') && (target < 0 || target >= count))) {
		sb_printf(b, "\t.insn 0x%02x, %u, %u, %u, %d\n", in->op,
			  in->a, in->b, in->c, in->imm);
		return;
	}
	sb_printf(b, "\t%s", m->name);
	for (f = m->fmt; *f; f++) {
		sb_printf(b, f == m->fmt ? " " : ", ");
		switch (*f) {
		case 'r':
			sb_printf(b, "r%u", regs[nreg++]);
			break;
		case 'f':
			sb_printf(b, "%s", fbuf);
			break;
		case 'k':
			sb_printf(b, "%s", core_names[in->a]);
			break;
		case 'd':
			sb_printf(b, "%s", dir_names[in->c]);
			break;
		case 'l':
			sb_printf(b, "L%lld", (long long)target);
			break;
		case 'u':
			if (in->imm < 0)
				sb_printf(b, "0x%x", (uint32_t)in->imm);
			else
				sb_printf(b, "%d", in->imm);
			break;
		default:
			sb_printf(b, "%d", in->imm);
			break;
		}
	}
	sb_printf(b, "\n");
}

/**
 * chip_disasm() - disassemble code into assembler text
 * @code: instructions
 * @size: bytes, a multiple of 8
 * @text: receives the malloc'd NUL-terminated text
 *
 * The text assembles back to the same bytes: branch targets become labels
 * "L<index>:", and anything the mnemonic syntax cannot express (unknown
 * opcodes, non-zero unused fields, out-of-range operands) is written as
 * ".insn op, a, b, c, imm".
 *
 * Return: 0, -EINVAL for a size that is not a multiple of 8, -ENOMEM.
 */
int chip_disasm(const void *code, size_t size, char **text)
{
	const struct chip_insn *insns = code;
	struct sbuf b = { NULL, 0, 0, 0 };
	uint32_t count, i;
	uint8_t *tgt;
	int64_t t;

	if (!text || (size && !code) || size % sizeof(struct chip_insn) ||
	    size / sizeof(struct chip_insn) > CHIP_ISA_MAX_INSNS)
		return -EINVAL;
	count = size / sizeof(struct chip_insn);
	tgt = calloc(count ? count : 1, 1);
	if (!tgt)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		const struct mnem *m = mnem_by_op(insns[i].op);

		if (!m || !strchr(m->fmt, 'l') || !canonical(&insns[i], m))
			continue;
		t = (int64_t)i + insns[i].imm;
		if (t >= 0 && t < count)
			tgt[t] = 1;
	}
	b.p = malloc(4096);
	if (!b.p) {
		free(tgt);
		return -ENOMEM;
	}
	b.cap = 4096;
	b.p[0] = 0;
	for (i = 0; i < count; i++) {
		if (tgt[i])
			sb_printf(&b, "L%u:\n", i);
		disasm_one(&b, &insns[i], i, count);
	}
	free(tgt);
	if (b.oom) {
		free(b.p);
		return -ENOMEM;
	}
	*text = b.p;
	return 0;
}
