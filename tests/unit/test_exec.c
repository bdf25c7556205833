// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * chipc_exec(): scalar, branch and environment instructions against C
 * references, tile instructions against references computed here, device
 * memory through a chipc_vm and through the heap, every fault with its
 * exact code and address, the watchdog, the instruction budget, the abort
 * flag, the orchestration callbacks, and the shared programs end to end.
 */
#include <math.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include "helpers.h"
#include "chipc.h"
#include "chip/chip.h"
#include "common/programs.h"

#define AIC	CHIP_CORE_AIC
#define AIV	CHIP_CORE_AIV
#define CPU	CHIP_CORE_AICPU

static u64 rng = 0x2545f4914f6cdd1dull;

static u64 rnd64(void)
{
	return t_xorshift64(&rng);
}

static float rndf(void)
{
	return (float)(s64)(rnd64() % 20001 - 10000) / 64.0f;
}

/* ---- cores, memory, programs ------------------------------------------- */

static struct chipc_core mkcore(u32 type)
{
	struct chipc_core c;

	memset(&c, 0, sizeof(c));
	c.core_type = type;
	c.local_cap = type == AIC ? CHIP_LOCAL_AIC :
		      type == AIV ? CHIP_LOCAL_AIV : 0;
	c.local = c.local_cap ? malloc(c.local_cap) : NULL;
	if (c.local)
		memset(c.local, 0xa5, c.local_cap);
	c.count = 1;
	return c;
}

#define VA_A	0x10000000ull
#define VA_B	0x20000000ull
#define VA_O	0x30000000ull
#define VA_RO	0x40000000ull
#define VA_HEAP	0x80000000ull
#define BUF	(1u << 20)
#define HEAP	(1u << 20)

struct mem {
	struct chipc_vm vm;
	float *a, *b, *o, *ro;
	u8 *heap;
	struct chipc_env env;
};

static int mem_init(struct mem *m)
{
	struct chipc_map map;

	memset(m, 0, sizeof(*m));
	if (chipc_vm_init(&m->vm, 16))
		return -1;
	m->a = calloc(1, BUF);
	m->b = calloc(1, BUF);
	m->o = calloc(1, BUF);
	m->ro = calloc(1, BUF);
	m->heap = calloc(1, HEAP);
	if (!m->a || !m->b || !m->o || !m->ro || !m->heap)
		return -1;
	map = (struct chipc_map){ VA_A, BUF, (u8 *)m->a,
				  CHIPC_PROT_READ | CHIPC_PROT_WRITE, 1 };
	if (chipc_vm_insert(&m->vm, &map))
		return -1;
	map = (struct chipc_map){ VA_B, BUF, (u8 *)m->b,
				  CHIPC_PROT_READ | CHIPC_PROT_WRITE, 2 };
	if (chipc_vm_insert(&m->vm, &map))
		return -1;
	map = (struct chipc_map){ VA_O, BUF, (u8 *)m->o,
				  CHIPC_PROT_READ | CHIPC_PROT_WRITE, 3 };
	if (chipc_vm_insert(&m->vm, &map))
		return -1;
	map = (struct chipc_map){ VA_RO, BUF, (u8 *)m->ro, CHIPC_PROT_READ,
				  4 };
	if (chipc_vm_insert(&m->vm, &map))
		return -1;
	m->env.vm = &m->vm;
	m->env.heap_va = VA_HEAP;
	m->env.heap_size = HEAP;
	m->env.heap_host = m->heap;
	return 0;
}

static void mem_fini(struct mem *m)
{
	chipc_vm_fini(&m->vm);
	free(m->a);
	free(m->b);
	free(m->o);
	free(m->ro);
	free(m->heap);
}

/* Assemble and verify @text for @core_type; NULL on failure. */
static void *load(const char *text, u32 core_type, struct chipc_prog *p)
{
	size_t size;
	void *code = prog_build(text, &size);
	s32 err;

	if (!code)
		return NULL;
	if (chipc_isa_verify(code, (u32)size, core_type, p, &err)) {
		fprintf(stderr, "verify failed at insn %d:\n%s", err, text);
		free(code);
		return NULL;
	}
	return code;
}

/* ---- orchestration callbacks that record what they see ----------------- */

enum { EV_TASK = 1, EV_TENS, EV_SCAL, EV_SUBMIT, EV_SCOPE, EV_ENDSCOPE,
       EV_ALLOC };

struct ev {
	int kind;
	u64 a, b, c;
};

struct rec {
	struct ev ev[512];
	int n;
	u64 next_alloc;
	u64 next_id;
	int fail_kind;		/* make this callback fail */
	int fail_sets;		/* ... and fill the fault itself */
};

static int rec_add(struct rec *r, int kind, u64 a, u64 b, u64 c,
		   struct chipc_fault *f)
{
	if (r->n < (int)CHIPC_ARRAY_SIZE(r->ev))
		r->ev[r->n++] = (struct ev){ kind, a, b, c };
	if (r->fail_kind == kind) {
		if (r->fail_sets) {
			f->status = CHIP_STATUS_ORCH_ERROR;
			f->code = CHIP_ORCH_HEAP;
			snprintf(f->msg, sizeof(f->msg), "no heap");
		}
		return -1;
	}
	return 0;
}

static int r_task(void *s, s32 func_id, u32 core_type, struct chipc_fault *f)
{
	return rec_add(s, EV_TASK, (u64)func_id, core_type, 0, f);
}

static int r_tensor(void *s, u64 addr, u64 bytes, u32 dir,
		    struct chipc_fault *f)
{
	return rec_add(s, EV_TENS, addr, bytes, dir, f);
}

static int r_scalar(void *s, u64 v, struct chipc_fault *f)
{
	return rec_add(s, EV_SCAL, v, 0, 0, f);
}

static int r_submit(void *s, u64 *id, struct chipc_fault *f)
{
	struct rec *r = s;

	*id = ++r->next_id + 1000;
	return rec_add(s, EV_SUBMIT, *id, 0, 0, f);
}

static int r_scope(void *s, struct chipc_fault *f)
{
	return rec_add(s, EV_SCOPE, 0, 0, 0, f);
}

static int r_endscope(void *s, struct chipc_fault *f)
{
	return rec_add(s, EV_ENDSCOPE, 0, 0, 0, f);
}

static int r_alloc(void *s, u64 bytes, u64 *addr, struct chipc_fault *f)
{
	struct rec *r = s;

	r->next_alloc += 0x1000;
	*addr = VA_HEAP + r->next_alloc;
	return rec_add(s, EV_ALLOC, bytes, *addr, 0, f);
}

static const struct chipc_orch_ops rec_ops = {
	r_task, r_tensor, r_scalar, r_submit, r_scope, r_endscope, r_alloc,
	NULL,
};

/*
 * Run @text on an AICPU core; scalars it emits with TSCAL land in
 * @r->ev.  Returns chipc_exec()'s result.
 */
static int run_cpu(const char *text, const u64 *args, const u64 *sizes,
		   u32 nargs, struct rec *r, struct chipc_fault *f)
{
	struct chipc_core core = mkcore(CPU);
	struct chipc_env env;
	struct chipc_prog p;
	void *code = load(text, CPU, &p);
	int rc;

	if (!code)
		return -100;
	memset(&env, 0, sizeof(env));
	memset(r, 0, sizeof(*r));
	core.index = 3;
	core.count = 7;
	rc = chipc_exec(&core, &env, &p, args, sizes, nargs, &rec_ops, r, f);
	free(code);
	return rc;
}

/* ---- scalar instructions ----------------------------------------------- */

static const u64 vals[] = {
	0, 1, 2, 3, 5, 63, 64, 65, 0x7fffffff, 0x80000000, 0xffffffff,
	0x100000000ull, 0x8000000000000000ull, 0x7fffffffffffffffull,
	0xfffffffffffffffeull, 0xffffffffffffffffull, 0xdeadbeefcafebabeull,
	0x0123456789abcdefull,
};

static const char *const alu_names[] = {
	"add", "sub", "mul", "divu", "remu", "and", "or", "xor", "shl", "shr",
	"sar", "slt", "sltu",
};

static u64 ref_alu(int op, u64 b, u64 c)
{
	switch (op) {
	case 0: return b + c;
	case 1: return b - c;
	case 2: return b * c;
	case 3: return c ? b / c : ~0ull;
	case 4: return c ? b % c : b;
	case 5: return b & c;
	case 6: return b | c;
	case 7: return b ^ c;
	case 8: return b << (c & 63);
	case 9: return b >> (c & 63);
	case 10: return (u64)((s64)b >> (c & 63));
	case 11: return (s64)b < (s64)c;
	case 12: return b < c;
	}
	return 0;
}

static int test_alu(void)
{
	char text[4096];
	size_t i, j;
	int op, pos;

	for (i = 0; i < CHIPC_ARRAY_SIZE(vals) + 8; i++) {
		for (j = 0; j < CHIPC_ARRAY_SIZE(vals) + 8; j++) {
			u64 b = i < CHIPC_ARRAY_SIZE(vals) ? vals[i] : rnd64();
			u64 c = j < CHIPC_ARRAY_SIZE(vals) ? vals[j] : rnd64();
			struct chipc_fault f;
			struct rec r;

			if (j >= CHIPC_ARRAY_SIZE(vals) && (j & 1))
				c &= 127;	/* shift counts */
			pos = snprintf(text, sizeof(text),
				       "li64 r1, %llu\nli64 r2, %llu\n",
				       (unsigned long long)b,
				       (unsigned long long)c);
			for (op = 0; op < 13; op++)
				pos += snprintf(text + pos, sizeof(text) - pos,
						"%s r%d, r1, r2\ntscal r%d\n",
						alu_names[op], 3 + op % 12,
						3 + op % 12);
			/* destination == source */
			pos += snprintf(text + pos, sizeof(text) - pos,
					"sub r1, r1, r2\ntscal r1\nhalt\n");
			CHECK_EQ(run_cpu(text, NULL, NULL, 0, &r, &f), 0);
			CHECK_EQ(r.n, 14);
			for (op = 0; op < 13; op++) {
				if (r.ev[op].a != ref_alu(op, b, c))
					fprintf(stderr, "%s %llx %llx\n",
						alu_names[op],
						(unsigned long long)b,
						(unsigned long long)c);
				CHECK_U64(r.ev[op].a, ref_alu(op, b, c));
			}
			CHECK_U64(r.ev[13].a, b - c);
		}
	}
	return 0;
}

static int test_alu_imm(void)
{
	static const s32 imms[] = { 0, 1, -1, 2, 63, 64, 65, 127, -64,
				    INT32_MAX, INT32_MIN, 0x7fff, -0x8000 };
	char text[2048];
	size_t i, j;

	for (i = 0; i < CHIPC_ARRAY_SIZE(vals); i++) {
		for (j = 0; j < CHIPC_ARRAY_SIZE(imms); j++) {
			u64 b = vals[i], x = (u64)(s64)imms[j];
			struct chipc_fault f;
			struct rec r;

			snprintf(text, sizeof(text),
				 "li64 r1, %llu\n"
				 "addi r2, r1, %d\ntscal r2\n"
				 "muli r2, r1, %d\ntscal r2\n"
				 "andi r2, r1, %d\ntscal r2\n"
				 "shli r2, r1, %d\ntscal r2\n"
				 "shri r2, r1, %d\ntscal r2\n"
				 "li r3, %d\ntscal r3\n"
				 "lih r1, %d\ntscal r1\n"
				 "halt\n",
				 (unsigned long long)b, imms[j], imms[j],
				 imms[j], imms[j], imms[j], imms[j], imms[j]);
			CHECK_EQ(run_cpu(text, NULL, NULL, 0, &r, &f), 0);
			CHECK_EQ(r.n, 7);
			CHECK_U64(r.ev[0].a, b + x);
			CHECK_U64(r.ev[1].a, b * x);
			CHECK_U64(r.ev[2].a, b & x);
			CHECK_U64(r.ev[3].a, b << (imms[j] & 63));
			CHECK_U64(r.ev[4].a, b >> (imms[j] & 63));
			CHECK_U64(r.ev[5].a, x);
			CHECK_U64(r.ev[6].a, (b & 0xffffffffull) |
				  (u64)(u32)imms[j] << 32);
		}
	}
	return 0;
}

static int test_mov_and_zero_regs(void)
{
	struct chipc_fault f;
	struct rec r;
	int i;

	CHECK_EQ(run_cpu("tscal r0\ntscal r1\ntscal r2\ntscal r3\n"
			 "tscal r4\ntscal r5\ntscal r6\ntscal r7\n"
			 "tscal r8\ntscal r9\ntscal r10\ntscal r11\n"
			 "tscal r12\ntscal r13\ntscal r14\ntscal r15\n"
			 "li r15, -7\nmov r0, r15\ntscal r0\nmov r15, r1\n"
			 "tscal r15\n",	/* runs off the end: halt */
			 NULL, NULL, 0, &r, &f), 0);
	CHECK_EQ(r.n, 18);
	for (i = 0; i < 16; i++)
		CHECK_U64(r.ev[i].a, 0);
	CHECK_U64(r.ev[16].a, (u64)-7);
	CHECK_U64(r.ev[17].a, 0);
	CHECK_EQ(f.status, CHIP_STATUS_OK);
	return 0;
}

static const char *const br_names[] = {
	"beq", "bne", "blt", "bge", "bltu", "bgeu",
};

static int ref_br(int op, u64 a, u64 b)
{
	switch (op) {
	case 0: return a == b;
	case 1: return a != b;
	case 2: return (s64)a < (s64)b;
	case 3: return (s64)a >= (s64)b;
	case 4: return a < b;
	case 5: return a >= b;
	}
	return -1;
}

static int test_branches(void)
{
	char text[4096];
	size_t i, j;
	int op, pos;

	for (i = 0; i < CHIPC_ARRAY_SIZE(vals); i++) {
		for (j = 0; j < CHIPC_ARRAY_SIZE(vals); j++) {
			struct chipc_fault f;
			struct rec r;

			pos = snprintf(text, sizeof(text),
				       "li64 r1, %llu\nli64 r2, %llu\n",
				       (unsigned long long)vals[i],
				       (unsigned long long)vals[j]);
			for (op = 0; op < 6; op++)
				pos += snprintf(text + pos, sizeof(text) - pos,
						"li r3, 1\n%s r1, r2, t%d\n"
						"li r3, 0\nt%d: tscal r3\n",
						br_names[op], op, op);
			CHECK_EQ(run_cpu(text, NULL, NULL, 0, &r, &f), 0);
			CHECK_EQ(r.n, 6);
			for (op = 0; op < 6; op++)
				CHECK_EQ(r.ev[op].a, ref_br(op, vals[i],
							    vals[j]));
		}
	}
	return 0;
}

static int test_loops_and_jumps(void)
{
	struct chipc_fault f;
	struct rec r;

	/* backward branch: sum 1..100; forward jmp over a trap */
	CHECK_EQ(run_cpu("li r1, 0\nli r2, 1\nli r3, 101\n"
			 "loop: add r1, r1, r2\naddi r2, r2, 1\n"
			 "bne r2, r3, loop\n"
			 "jmp skip\nfatal 1\n"
			 "skip: tscal r1\n"
			 "jmp 2\nfatal 2\n"
			 "halt\nfatal 3\n", NULL, NULL, 0, &r, &f), 0);
	CHECK_EQ(r.n, 1);
	CHECK_EQ(r.ev[0].a, 5050);
	return 0;
}

static int test_environment(void)
{
	static const u64 args[] = { 0x1000, 42, 0x2000, 0xffffffffffffffffull };
	static const u64 sizes[] = { 4096, 0, 12, 0 };
	struct chipc_fault f;
	struct rec r;

	CHECK_EQ(run_cpu("arg r1, 0\ntscal r1\narg r1, 3\ntscal r1\n"
			 "narg r2\ntscal r2\ncore r3\ntscal r3\n"
			 "ncore r4\ntscal r4\nlif r5, 1.5\ntscal r5\n"
			 "lif r5, -0.0\ntscal r5\n"
			 "asize r6, 0\ntscal r6\nasize r6, 1\ntscal r6\n"
			 "asize r6, 2\ntscal r6\nhalt\n",
			 args, sizes, 4, &r, &f), 0);
	CHECK_EQ(r.n, 10);
	CHECK_U64(r.ev[0].a, 0x1000);
	CHECK_U64(r.ev[1].a, 0xffffffffffffffffull);
	CHECK_U64(r.ev[2].a, 4);
	CHECK_U64(r.ev[3].a, 3);
	CHECK_U64(r.ev[4].a, 7);
	CHECK_U64(r.ev[5].a, 0x3fc00000);
	CHECK_U64(r.ev[6].a, 0x80000000);	/* zero-extended */
	CHECK_U64(r.ev[7].a, 4096);
	CHECK_U64(r.ev[8].a, 0);		/* ASIZE of a scalar */
	CHECK_U64(r.ev[9].a, 12);
	/* sizes may be NULL: every ASIZE is 0 */
	CHECK_EQ(run_cpu("asize r6, 0\ntscal r6\n", args, NULL, 4, &r, &f), 0);
	CHECK_U64(r.ev[0].a, 0);
	return 0;
}

static int test_float_scalar(void)
{
	char text[1024];
	int i;

	for (i = 0; i < 3000; i++) {
		volatile float x = i < 100 ? rndf() : flt((u32)rnd64());
		volatile float y = i % 7 == 0 ? 0.0f : i < 100 ? rndf() :
				   flt((u32)rnd64());
		struct chipc_fault f;
		struct rec r;

		/* high halves are ignored; results are zero-extended */
		snprintf(text, sizeof(text),
			 "li64 r1, 0x%llx\nli64 r2, 0x%llx\n"
			 "fadd r3, r1, r2\ntscal r3\n"
			 "fsub r3, r1, r2\ntscal r3\n"
			 "fmul r3, r1, r2\ntscal r3\n"
			 "fdiv r3, r1, r2\ntscal r3\n"
			 "halt\n",
			 0xabcdef0100000000ull | bits(x),
			 0x1234567800000000ull | bits(y));
		CHECK_EQ(run_cpu(text, NULL, NULL, 0, &r, &f), 0);
		CHECK_U64(r.ev[0].a, bits(x + y));
		CHECK_U64(r.ev[1].a, bits(x - y));
		CHECK_U64(r.ev[2].a, bits(x * y));
		CHECK_U64(r.ev[3].a, bits(x / y));
	}
	return 0;
}

/* ---- tile instructions ------------------------------------------------- */

/*
 * Element-wise program: args a, b, out, n, s; local a at 0, b at 8192,
 * out at 16384.  @op is "tadd" etc.; @form 0: tile-tile, 1: tile-scalar,
 * 2: unary.
 */
static void elem_text(char *buf, size_t len, const char *op, int form)
{
	snprintf(buf, len,
		 "arg r1, 0\narg r2, 1\narg r3, 2\narg r4, 3\narg r5, 4\n"
		 "setvl r4\nli r6, 0\nli r7, 8192\nli r8, 16384\n"
		 "tld r6, r1\ntld r7, r2\n"
		 "%s r8, r6%s\n"
		 "tst r3, r8\nhalt\n", op,
		 form == 0 ? ", r7" : form == 1 ? ", r5" : "");
}

static int run_kernel(const char *text, u32 type, struct mem *m,
		      const u64 *args, const u64 *sizes, u32 nargs,
		      struct chipc_fault *f, u64 *insns)
{
	struct chipc_core core = mkcore(type);
	struct chipc_prog p;
	void *code = load(text, type, &p);
	int rc;

	if (!code) {
		free(core.local);
		return -100;
	}
	rc = chipc_exec(&core, &m->env, &p, args, sizes, nargs, NULL, NULL, f);
	if (insns)
		*insns = core.insns;
	free(code);
	free(core.local);
	return rc;
}

static float ref_elem(int op, float a, float b, float s)
{
	switch (op) {
	case 0: return a + b;
	case 1: return a - b;
	case 2: return a * b;
	case 3: return a / b;
	case 4: return a > b ? a : b;
	case 5: return a < b ? a : b;
	case 6: return a + s;
	case 7: return a - s;
	case 8: return a * s;
	case 9: return a / s;
	case 10: return flt(chipc_f32_exp(bits(a)));
	}
	return 0;
}

static int test_tile_elementwise(void)
{
	static const char *const names[] = {
		"tadd", "tsub", "tmul", "tdiv", "tmax", "tmin", "tadds",
		"tsubs", "tmuls", "tdivs", "texp",
	};
	struct mem m;
	char text[1024];
	int op;
	u32 i, n = 1021;

	CHECK_EQ(mem_init(&m), 0);
	for (op = 0; op < 11; op++) {
		float s = rndf();
		u64 args[5] = { VA_A, VA_B, VA_O, n, bits(s) };
		struct chipc_fault f;

		for (i = 0; i < n + 8; i++) {
			m.a[i] = op == 10 ? rndf() / 50.0f : rndf();
			m.b[i] = i % 97 == 3 ? 0.0f : rndf();
			m.o[i] = -1.0f;
		}
		m.a[5] = NAN;
		m.b[9] = NAN;
		elem_text(text, sizeof(text), names[op],
			  op < 6 ? 0 : op < 10 ? 1 : 2);
		CHECK_EQ(run_kernel(text, AIV, &m, args, NULL, 5, &f, NULL), 0);
		for (i = 0; i < n; i++) {
			float want = ref_elem(op, m.a[i], m.b[i], s);

			if (bits(m.o[i]) != bits(want))
				fprintf(stderr, "%s [%u]\n", names[op], i);
			CHECK_U64(bits(m.o[i]), bits(want));
		}
		CHECK_U64(bits(m.o[n]), bits(-1.0f));	/* VL respected */
	}
	mem_fini(&m);
	return 0;
}

static int test_tile_reduce_fill_mov(void)
{
	struct mem m;
	struct chipc_fault f;
	u64 args[4] = { VA_A, VA_O, 777, 0 };
	float acc, mx;
	u32 i, n = 777;

	CHECK_EQ(mem_init(&m), 0);
	for (i = 0; i < n; i++)
		m.a[i] = rndf();
	/* out[0] = sum, out[1] = max, out[2..5] = fill 2.5 */
	CHECK_EQ(run_kernel("arg r1, 0\narg r2, 1\narg r3, 2\nsetvl r3\n"
			    "li r4, 0\ntld r4, r1\n"
			    "trsum r5, r4\ntrmax r6, r4\n"
			    "li r7, 1\nsetvl r7\nli r8, 65536\n"
			    "tfill r8, r5\ntst r2, r8\n"
			    "tfill r8, r6\naddi r2, r2, 4\ntst r2, r8\n"
			    "li r7, 4\nsetvl r7\nlif r9, 2.5\n"
			    "tfill r8, r9\naddi r2, r2, 4\ntst r2, r8\nhalt\n",
			    AIV, &m, args, NULL, 3, &f, NULL), 0);
	acc = 0.0f;
	mx = m.a[0];
	for (i = 0; i < n; i++) {
		acc += m.a[i];
		mx = m.a[i] > mx ? m.a[i] : mx;
	}
	CHECK_U64(bits(m.o[0]), bits(acc));
	CHECK_U64(bits(m.o[1]), bits(mx));
	for (i = 2; i < 6; i++)
		CHECK_U64(bits(m.o[i]), bits(2.5f));
	CHECK_U64(bits(m.o[6]), 0);

	/* tmov: overlapping forward and backward, and disjoint */
	for (i = 0; i < 64; i++)
		m.a[i] = (float)i;
	args[2] = 16;
	CHECK_EQ(run_kernel("arg r1, 0\narg r2, 1\narg r3, 2\nli r4, 64\n"
			    "setvl r4\nli r5, 1024\ntld r5, r1\n"
			    "setvl r3\nli r6, 1032\n"
			    "tmov r6, r5\n"			/* up 2 */
			    "li r4, 64\nsetvl r4\ntst r2, r5\n"
			    "tld r5, r1\nsetvl r3\nli r6, 1032\n"
			    "tmov r5, r6\n"			/* down 2 */
			    "li r4, 64\nsetvl r4\naddi r2, r2, 256\n"
			    "tst r2, r5\n"
			    "li r6, 8192\ntmov r6, r5\naddi r2, r2, 256\n"
			    "tst r2, r6\nhalt\n",
			    AIV, &m, args, NULL, 3, &f, NULL), 0);
	for (i = 0; i < 64; i++) {
		float up = i < 2 || i >= 18 ? (float)i : (float)(i - 2);
		float down = i < 16 ? (float)(i + 2) : (float)i;

		CHECK_U64(bits(m.o[i]), bits(up));
		CHECK_U64(bits(m.o[64 + i]), bits(down));
		CHECK_U64(bits(m.o[128 + i]), bits(down));
	}
	mem_fini(&m);
	return 0;
}

/* TLD2/TST2 with strides: a 5 x 7 block at (2, 3) of a 10 x 20 matrix. */
static int test_tile_2d(void)
{
	struct mem m;
	struct chipc_fault f;
	u64 args[2] = { VA_A + (2 * 20 + 3) * 4, VA_O };
	u32 r, c;

	CHECK_EQ(mem_init(&m), 0);
	for (r = 0; r < 200; r++)
		m.a[r] = (float)r;
	CHECK_EQ(run_kernel("arg r1, 0\narg r2, 1\nli r3, 5\nli r4, 7\n"
			    "shape r3, r4, r0\nli r5, 20\nli r6, 9\n"
			    "li r7, 4096\ntld2 r7, r1, r5\ntst2 r2, r7, r6\n"
			    "halt\n", AIC, &m, args, NULL, 2, &f, NULL), 0);
	for (r = 0; r < 5; r++)
		for (c = 0; c < 9; c++)
			CHECK_U64(bits(m.o[r * 9 + c]),
				  c < 7 ? bits((float)((r + 2) * 20 + c + 3)) :
					  0);
	/* rows of 0 columns touch nothing, not even unmapped memory */
	args[0] = 0x4;
	CHECK_EQ(run_kernel("arg r1, 0\nli r3, 5\nshape r3, r0, r0\n"
			    "tld2 r0, r1, r3\ntst2 r1, r0, r3\nhalt\n",
			    AIV, &m, args, NULL, 2, &f, NULL), 0);
	mem_fini(&m);
	return 0;
}

static int test_tile_mma(void)
{
	static const u32 dims[][3] = {
		{ 17, 33, 15 }, { 32, 32, 32 }, { 1, 64, 1 }, { 8, 1, 40 },
	};
	const char *text =
		"arg r1, 0\narg r2, 1\narg r3, 2\narg r4, 3\narg r5, 4\n"
		"arg r6, 5\n"
		"shape r4, r5, r0\nli r7, 0\ntld2 r7, r1, r5\n"
		"shape r5, r6, r0\nli r8, 0x10000\ntld2 r8, r2, r6\n"
		"shape r4, r6, r0\nli r9, 0x20000\ntld2 r9, r3, r6\n"
		"shape r4, r5, r6\ntmma r9, r7, r8\n"
		"shape r4, r6, r0\ntst2 r3, r9, r6\nhalt\n";
	struct mem m;
	size_t t;

	CHECK_EQ(mem_init(&m), 0);
	for (t = 0; t < CHIPC_ARRAY_SIZE(dims); t++) {
		u32 M = dims[t][0], K = dims[t][1], N = dims[t][2], i, j, p;
		u64 args[6] = { VA_A, VA_B, VA_O, M, K, N };
		float *ref = malloc(M * N * 4);
		struct chipc_fault f;

		CHECK(ref);
		for (i = 0; i < M * K; i++)
			m.a[i] = rndf();
		for (i = 0; i < K * N; i++)
			m.b[i] = rndf();
		for (i = 0; i < M * N; i++)
			m.o[i] = ref[i] = rndf();
		for (i = 0; i < M; i++)
			for (j = 0; j < N; j++)
				for (p = 0; p < K; p++)
					ref[i * N + j] += m.a[i * K + p] *
							  m.b[p * N + j];
		CHECK_EQ(run_kernel(text, AIC, &m, args, NULL, 6, &f, NULL), 0);
		for (i = 0; i < M * N; i++)
			CHECK_U64(bits(m.o[i]), bits(ref[i]));
		free(ref);
	}
	mem_fini(&m);
	return 0;
}

/* Loads and stores through the heap, and between heap and buffers. */
static int test_heap(void)
{
	struct mem m;
	struct chipc_fault f;
	u64 args[3] = { VA_A, VA_HEAP + 64, VA_O };
	u32 i;

	CHECK_EQ(mem_init(&m), 0);
	for (i = 0; i < 100; i++)
		m.a[i] = (float)i;
	CHECK_EQ(run_kernel("arg r1, 0\narg r2, 1\narg r3, 2\nli r4, 100\n"
			    "setvl r4\nli r5, 0\ntld r5, r1\ntst r2, r5\n"
			    "li r5, 4096\ntld r5, r2\ntst r3, r5\nhalt\n",
			    AIV, &m, args, NULL, 3, &f, NULL), 0);
	for (i = 0; i < 100; i++) {
		float h;

		memcpy(&h, m.heap + 64 + i * 4, 4);
		CHECK_U64(bits(h), bits((float)i));
		CHECK_U64(bits(m.o[i]), bits((float)i));
	}
	/* the last bytes of the heap are reachable, one past is not */
	args[1] = VA_HEAP + HEAP - 400;
	CHECK_EQ(run_kernel("arg r1, 0\narg r2, 1\nli r4, 100\nsetvl r4\n"
			    "tld r0, r1\ntst r2, r0\naddi r2, r2, 4\n"
			    "tst r2, r0\nhalt\n",
			    AIV, &m, args, NULL, 2, &f, NULL), -1);
	CHECK_EQ(f.status, CHIP_STATUS_FAULT);
	CHECK_EQ(f.code, CHIP_FAULT_WRITE);
	CHECK_U64(f.addr, VA_HEAP + HEAP - 396);
	mem_fini(&m);
	return 0;
}

/* ---- faults ------------------------------------------------------------ */

/* Run a one-argument AIV kernel expected to fault. */
static int expect_fault(struct mem *m, u32 type, const char *text, u64 arg,
			u32 status, s32 code, u64 addr, u32 pc)
{
	struct chipc_fault f;
	char pcs[32];
	u64 args[1] = { arg };

	CHECK_EQ(run_kernel(text, type, m, args, NULL, 1, &f, NULL), -1);
	if (f.status != status || f.code != code || f.addr != addr)
		fprintf(stderr, "fault: %s\n", f.msg);
	CHECK_EQ(f.status, status);
	CHECK_EQ(f.code, code);
	CHECK_U64(f.addr, addr);
	snprintf(pcs, sizeof(pcs), "pc %u", pc);
	if (!strstr(f.msg, pcs))
		fprintf(stderr, "message '%s' lacks '%s'\n", f.msg, pcs);
	CHECK(strstr(f.msg, pcs));
	return 0;
}

static int test_fault_memory(void)
{
	struct mem m;
	const char *ld = "arg r1, 0\nli r2, 4\nsetvl r2\nli r3, 0\n"
			 "tld r3, r1\nhalt\n";
	const char *st = "arg r1, 0\nli r2, 4\nsetvl r2\nli r3, 0\n"
			 "tst r1, r3\nhalt\n";

	CHECK_EQ(mem_init(&m), 0);
	/* unmapped read */
	CHECK_EQ(expect_fault(&m, AIV, ld, 0x5000, CHIP_STATUS_FAULT,
			      CHIP_FAULT_READ, 0x5000, 4), 0);
	/* unmapped write */
	CHECK_EQ(expect_fault(&m, AIV, st, VA_O + BUF, CHIP_STATUS_FAULT,
			      CHIP_FAULT_WRITE, VA_O + BUF, 4), 0);
	/* read-only mapping: reads work, writes fault */
	CHECK_EQ(run_kernel(ld, AIV, &m, (u64[]){ VA_RO + 16 }, NULL, 1,
			    &(struct chipc_fault){ 0 }, NULL), 0);
	CHECK_EQ(expect_fault(&m, AIV, st, VA_RO + 16, CHIP_STATUS_FAULT,
			      CHIP_FAULT_WRITE, VA_RO + 16, 4), 0);
	/* a range running past the end of its mapping */
	CHECK_EQ(expect_fault(&m, AIV, ld, VA_A + BUF - 8, CHIP_STATUS_FAULT,
			      CHIP_FAULT_READ, VA_A + BUF - 8, 4), 0);
	/* misaligned device addresses */
	CHECK_EQ(expect_fault(&m, AIV, ld, VA_A + 2, CHIP_STATUS_FAULT,
			      CHIP_FAULT_READ, VA_A + 2, 4), 0);
	CHECK_EQ(expect_fault(&m, AIC, st, VA_O + 1, CHIP_STATUS_FAULT,
			      CHIP_FAULT_WRITE, VA_O + 1, 4), 0);
	/* wrapping around the address space */
	CHECK_EQ(expect_fault(&m, AIV, ld, 0xfffffffffffffffcull,
			      CHIP_STATUS_FAULT, CHIP_FAULT_READ,
			      0xfffffffffffffffcull, 4), 0);
	/* 2-D: the second row is outside (stride 1 MiB) */
	CHECK_EQ(expect_fault(&m, AIC, "arg r1, 0\nli r2, 2\nli r3, 4\n"
			      "shape r2, r3, r0\nli r4, 0x40000\n"
			      "tld2 r0, r1, r4\nhalt\n", VA_A,
			      CHIP_STATUS_FAULT, CHIP_FAULT_READ,
			      VA_A + 0x100000, 5), 0);
	/* no address space and no heap: everything faults */
	m.env.vm = NULL;
	CHECK_EQ(expect_fault(&m, AIV, ld, VA_A, CHIP_STATUS_FAULT,
			      CHIP_FAULT_READ, VA_A, 4), 0);
	mem_fini(&m);
	return 0;
}

static int test_fault_local_shape_arg(void)
{
	struct mem m;
	char text[512];

	CHECK_EQ(mem_init(&m), 0);
	/* local range: the last 16 bytes fit, one element more does not */
	snprintf(text, sizeof(text), "li r2, 4\nsetvl r2\nli r3, %u\n"
		 "tfill r3, r0\naddi r3, r3, 4\ntfill r3, r0\nhalt\n",
		 CHIP_LOCAL_AIV - 16);
	CHECK_EQ(expect_fault(&m, AIV, text, 0, CHIP_STATUS_FAULT,
			      CHIP_FAULT_LOCAL, CHIP_LOCAL_AIV - 12, 5), 0);
	/* the AIC has more local memory */
	snprintf(text, sizeof(text), "li r2, 4\nsetvl r2\nli r3, %u\n"
		 "tfill r3, r0\nhalt\n", CHIP_LOCAL_AIV);
	CHECK_EQ(run_kernel(text, AIC, &m, NULL, NULL, 0,
			    &(struct chipc_fault){ 0 }, NULL), 0);
	CHECK_EQ(expect_fault(&m, AIV, text, 0, CHIP_STATUS_FAULT,
			      CHIP_FAULT_LOCAL, CHIP_LOCAL_AIV, 3), 0);
	/* misaligned and huge local offsets; the second operand too */
	CHECK_EQ(expect_fault(&m, AIV, "li r2, 4\nsetvl r2\nli r3, 2\n"
			      "tld r3, r1\nhalt\n", 0, CHIP_STATUS_FAULT,
			      CHIP_FAULT_LOCAL, 2, 3), 0);
	CHECK_EQ(expect_fault(&m, AIV, "li r2, 1\nsetvl r2\nli r3, 1\n"
			      "shli r3, r3, 63\ntadd r0, r0, r3\nhalt\n", 0,
			      CHIP_STATUS_FAULT, CHIP_FAULT_LOCAL,
			      0x8000000000000000ull, 4), 0);
	CHECK_EQ(expect_fault(&m, AIV, "li r2, 1\nsetvl r2\nli r3, -4\n"
			      "tmov r0, r3\nhalt\n", 0, CHIP_STATUS_FAULT,
			      CHIP_FAULT_LOCAL, (u64)-4, 3), 0);
	/* VL: local_cap / 4 elements is the maximum */
	snprintf(text, sizeof(text), "li r2, %u\nsetvl r2\naddi r2, r2, 1\n"
		 "setvl r2\nhalt\n", CHIP_LOCAL_AIV / 4);
	CHECK_EQ(expect_fault(&m, AIV, text, 0, CHIP_STATUS_FAULT,
			      CHIP_FAULT_SHAPE, CHIP_LOCAL_AIV / 4 + 1, 3), 0);
	snprintf(text, sizeof(text), "li r2, %u\nsetvl r2\nhalt\n",
		 CHIP_LOCAL_AIC / 4);
	CHECK_EQ(run_kernel(text, AIC, &m, NULL, NULL, 0,
			    &(struct chipc_fault){ 0 }, NULL), 0);
	/* 2-D tiles that cannot fit */
	CHECK_EQ(expect_fault(&m, AIV, "li r2, 1000\nshape r2, r2, r2\n"
			      "tld2 r0, r0, r0\nhalt\n", 0, CHIP_STATUS_FAULT,
			      CHIP_FAULT_SHAPE, 1000000, 2), 0);
	CHECK_EQ(expect_fault(&m, AIC, "li r2, 300\nli r3, 1\n"
			      "shape r2, r3, r2\ntmma r0, r0, r0\nhalt\n", 0,
			      CHIP_STATUS_FAULT, CHIP_FAULT_SHAPE, 0, 3), 0);
	CHECK_EQ(expect_fault(&m, AIC, "li r2, -1\nli r3, 2\n"
			      "shape r3, r2, r0\ntst2 r0, r0, r0\nhalt\n", 0,
			      CHIP_STATUS_FAULT, CHIP_FAULT_SHAPE, (u64)-2, 3),
		 0);
	/* degenerate matrix shapes: any zero dimension (m rows of nothing) */
	CHECK_EQ(expect_fault(&m, AIC, "li r2, -1\nshape r2, r0, r0\n"
			      "tmma r0, r0, r0\nhalt\n", 0, CHIP_STATUS_FAULT,
			      CHIP_FAULT_SHAPE, 0, 2), 0);
	CHECK_EQ(expect_fault(&m, AIC, "li r2, 4\nshape r0, r2, r2\n"
			      "tmma r0, r0, r0\nhalt\n", 0, CHIP_STATUS_FAULT,
			      CHIP_FAULT_SHAPE, 0, 2), 0);
	CHECK_EQ(expect_fault(&m, AIC, "li r2, 4\nshape r2, r0, r2\n"
			      "tmma r0, r0, r0\nhalt\n", 0, CHIP_STATUS_FAULT,
			      CHIP_FAULT_SHAPE, 0, 2), 0);
	CHECK_EQ(expect_fault(&m, AIC, "li r2, 4\nshape r2, r2, r0\n"
			      "tmma r0, r0, r0\nhalt\n", 0, CHIP_STATUS_FAULT,
			      CHIP_FAULT_SHAPE, 0, 2), 0);
	/* a fitting matrix whose accumulator is out of range */
	snprintf(text, sizeof(text), "li r2, 16\nshape r2, r2, r2\n"
		 "li r3, %u\ntmma r3, r0, r0\nhalt\n", CHIP_LOCAL_AIC - 1020);
	CHECK_EQ(expect_fault(&m, AIC, text, 0, CHIP_STATUS_FAULT,
			      CHIP_FAULT_LOCAL, CHIP_LOCAL_AIC - 1020, 3), 0);
	/* argument indices */
	CHECK_EQ(expect_fault(&m, AIV, "arg r1, 0\narg r1, 1\nhalt\n", 0,
			      CHIP_STATUS_FAULT, CHIP_FAULT_ARG, 1, 1), 0);
	CHECK_EQ(expect_fault(&m, AIV, "nop\nasize r1, 383\nhalt\n", 0,
			      CHIP_STATUS_FAULT, CHIP_FAULT_ARG, 383, 1), 0);
	mem_fini(&m);
	return 0;
}

/* ---- watchdog, budget, abort ------------------------------------------- */

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int test_watchdog(void)
{
	struct chipc_core core = mkcore(AIC);
	struct chipc_fault f;
	struct chipc_prog p;
	struct chipc_env env;
	void *code = load(PROG_SPIN, AIC, &p);
	u64 t0, dt;

	CHECK(code);
	memset(&env, 0, sizeof(env));
	t0 = now_ns();
	env.deadline_ns = chipc_now_ns() + 50 * 1000 * 1000;
	CHECK_EQ(chipc_exec(&core, &env, &p, NULL, NULL, 0, NULL, NULL, &f),
		 -1);
	dt = now_ns() - t0;
	CHECK_EQ(f.status, CHIP_STATUS_TIMEOUT);
	CHECK(strstr(f.msg, "watchdog"));
	CHECK(strstr(f.msg, "pc 0"));
	CHECK(dt >= 50 * 1000 * 1000ull);
	CHECK(dt < 1000 * 1000 * 1000ull);
	CHECK(core.insns > 1000);
	/* a deadline in the past stops before the first instruction */
	core.insns = 0;
	env.deadline_ns = 1;
	CHECK_EQ(chipc_exec(&core, &env, &p, NULL, NULL, 0, NULL, NULL, &f),
		 -1);
	CHECK_EQ(f.status, CHIP_STATUS_TIMEOUT);
	CHECK_EQ(core.insns, 0);
	free(code);
	free(core.local);
	return 0;
}

/* Long tile operations bring the deadline check forward. */
static int test_watchdog_tiles(void)
{
	struct chipc_core core = mkcore(AIC);
	struct chipc_fault f;
	struct chipc_prog p;
	struct chipc_env env;
	void *code = load("li r1, 128\nshape r1, r1, r1\nli r2, 0x10000\n"
			  "li r3, 0x20000\n"
			  "loop: tmma r0, r2, r3\njmp loop\n", AIC, &p);
	u64 t0, dt;

	CHECK(code);
	memset(core.local, 0, core.local_cap);
	memset(&env, 0, sizeof(env));
	t0 = now_ns();
	env.deadline_ns = chipc_now_ns() + 50 * 1000 * 1000;
	CHECK_EQ(chipc_exec(&core, &env, &p, NULL, NULL, 0, NULL, NULL, &f),
		 -1);
	dt = now_ns() - t0;
	CHECK_EQ(f.status, CHIP_STATUS_TIMEOUT);
	CHECK(strstr(f.msg, "watchdog"));
	/* far fewer than 1024 matrix operations ran */
	CHECK(dt < 400 * 1000 * 1000ull);
	CHECK(core.insns < 2 * 1024);
	free(code);
	free(core.local);
	return 0;
}

/*
 * One large TMMA reaches the watchdog between bounded chunks of rows: the
 * deadline passes once the program has started (now_ns stands in for the
 * first check), and of a 128 x 128 x 128 multiply only the first chunk of
 * 4 rows is computed.
 */
static int test_watchdog_inside_mma(void)
{
	struct chipc_core core = mkcore(AIC);
	float *c = (float *)core.local, *ab = c + 128 * 128;
	struct chipc_fault f;
	struct chipc_prog p;
	struct chipc_env env;
	void *code = load("li r1, 128\nshape r1, r1, r1\nli r2, 0x10000\n"
			  "li r3, 0x20000\ntmma r0, r2, r3\nhalt\n", AIC, &p);
	u32 i, bad = 0;

	CHECK(code);
	memset(c, 0, 128 * 128 * 4);
	for (i = 0; i < 2 * 128 * 128; i++)
		ab[i] = 1.0f;
	memset(&env, 0, sizeof(env));
	env.now_ns = 1;
	env.deadline_ns = 2;
	CHECK_EQ(chipc_exec(&core, &env, &p, NULL, NULL, 0, NULL, NULL, &f),
		 -1);
	CHECK_EQ(f.status, CHIP_STATUS_TIMEOUT);
	CHECK(strstr(f.msg, "pc 4"));
	CHECK_EQ(core.insns, 5);
	for (i = 0; i < 128 * 128; i++)
		bad += c[i] != (i < 4 * 128 ? 128.0f : 0.0f);
	CHECK_EQ(bad, 0);
	free(code);
	free(core.local);
	return 0;
}

static int test_budget(void)
{
	struct chipc_core core = mkcore(AIC);
	struct chipc_fault f;
	struct chipc_prog p, q;
	struct chipc_env env;
	void *spin = load(PROG_SPIN, AIC, &p);
	void *five = load("nop\nnop\nnop\nnop\nhalt\n", AIC, &q);

	CHECK(spin && five);
	memset(&env, 0, sizeof(env));
	env.insn_budget = 1000;
	CHECK_EQ(chipc_exec(&core, &env, &p, NULL, NULL, 0, NULL, NULL, &f),
		 -1);
	CHECK_EQ(f.status, CHIP_STATUS_TIMEOUT);
	CHECK(strstr(f.msg, "instruction budget"));
	CHECK_EQ(core.insns, 1000);
	/* exactly the budget is fine; insns accumulate */
	env.insn_budget = 5;
	CHECK_EQ(chipc_exec(&core, &env, &q, NULL, NULL, 0, NULL, NULL, &f),
		 0);
	CHECK_EQ(f.status, CHIP_STATUS_OK);
	CHECK_EQ(core.insns, 1005);
	env.insn_budget = 4;
	CHECK_EQ(chipc_exec(&core, &env, &q, NULL, NULL, 0, NULL, NULL, &f),
		 -1);
	CHECK_EQ(f.status, CHIP_STATUS_TIMEOUT);
	CHECK(strstr(f.msg, "pc 4"));
	CHECK_EQ(core.insns, 1009);
	free(spin);
	free(five);
	free(core.local);
	return 0;
}

static int abort_flag;

static void *set_abort(void *arg)
{
	usleep(20000);
	__atomic_store_n(&abort_flag, 1, __ATOMIC_RELEASE);
	return arg;
}

static int test_abort(void)
{
	struct chipc_core core = mkcore(AIC);
	struct chipc_fault f;
	struct chipc_prog p;
	struct chipc_env env;
	void *code = load(PROG_SPIN, AIC, &p);
	pthread_t t;

	CHECK(code);
	memset(&env, 0, sizeof(env));
	env.abort = &abort_flag;
	abort_flag = 1;
	CHECK_EQ(chipc_exec(&core, &env, &p, NULL, NULL, 0, NULL, NULL, &f),
		 -1);
	CHECK_EQ(f.status, CHIP_STATUS_CANCELLED);
	CHECK_EQ(core.insns, 0);
	/* set while the program runs, with a distant deadline */
	abort_flag = 0;
	env.deadline_ns = chipc_now_ns() + 10ull * 1000 * 1000 * 1000;
	CHECK_EQ(pthread_create(&t, NULL, set_abort, NULL), 0);
	CHECK_EQ(chipc_exec(&core, &env, &p, NULL, NULL, 0, NULL, NULL, &f),
		 -1);
	pthread_join(t, NULL);
	CHECK_EQ(f.status, CHIP_STATUS_CANCELLED);
	CHECK(strstr(f.msg, "cancelled"));
	CHECK(core.insns > 0);
	free(code);
	free(core.local);
	return 0;
}

/* ---- orchestration ----------------------------------------------------- */

static int test_orch_callbacks(void)
{
	static const u64 args[3] = { VA_A, VA_B, VA_O };
	static const u64 sizes[3] = { 256, 256, 256 };
	const u64 A1 = VA_HEAP + 0x1000, A2 = VA_HEAP + 0x2000;
	const u64 A3 = VA_HEAP + 0x3000, A4 = VA_HEAP + 0x4000;
	const struct ev want[] = {
		{ EV_ALLOC, 256, A1, 0 },
		{ EV_TASK, 0, AIV, 0 },
		{ EV_TENS, VA_A, 256, CHIP_DIR_IN },
		{ EV_TENS, VA_B, 256, CHIP_DIR_IN },
		{ EV_TENS, A1, 256, CHIP_DIR_OUT },
		{ EV_SUBMIT, 1001, 0, 0 },
		{ EV_SCOPE, 0, 0, 0 },
		{ EV_ALLOC, 256, A2, 0 },
		{ EV_ALLOC, 256, A3, 0 },
		{ EV_ALLOC, 256, A4, 0 },
		{ EV_TASK, 1, AIV, 0 },
		{ EV_TENS, A1, 256, CHIP_DIR_IN },
		{ EV_TENS, A2, 256, CHIP_DIR_OUT },
		{ EV_SCAL, 0x3f800000, 0, 0 },
		{ EV_SUBMIT, 1002, 0, 0 },
		{ EV_TASK, 1, AIV, 0 },
		{ EV_TENS, A1, 256, CHIP_DIR_IN },
		{ EV_TENS, A3, 256, CHIP_DIR_OUT },
		{ EV_SCAL, 0x40000000, 0, 0 },
		{ EV_SUBMIT, 1003, 0, 0 },
		{ EV_TASK, 2, AIV, 0 },
		{ EV_TENS, A2, 256, CHIP_DIR_IN },
		{ EV_TENS, A3, 256, CHIP_DIR_IN },
		{ EV_TENS, A4, 256, CHIP_DIR_OUT },
		{ EV_SUBMIT, 1004, 0, 0 },
		{ EV_TASK, 0, AIV, 0 },
		{ EV_TENS, A4, 256, CHIP_DIR_IN },
		{ EV_TENS, A1, 256, CHIP_DIR_IN },
		{ EV_TENS, VA_O, 256, CHIP_DIR_OUT },
		{ EV_SUBMIT, 1005, 0, 0 },
		{ EV_ENDSCOPE, 0, 0, 0 },
	};
	struct chipc_fault f;
	struct rec r;
	size_t i;

	CHECK_EQ(run_cpu(PROG_ORCH_VECTOR, args, sizes, 3, &r, &f), 0);
	CHECK_EQ(r.n, (int)CHIPC_ARRAY_SIZE(want));
	for (i = 0; i < CHIPC_ARRAY_SIZE(want); i++) {
		if (memcmp(&r.ev[i], &want[i], sizeof(want[i])))
			fprintf(stderr, "event %zu: %d %llx %llx %llx\n", i,
				r.ev[i].kind, (unsigned long long)r.ev[i].a,
				(unsigned long long)r.ev[i].b,
				(unsigned long long)r.ev[i].c);
		CHECK(!memcmp(&r.ev[i], &want[i], sizeof(want[i])));
	}
	/* SUBMIT and ALLOC write their register; TASK takes aic too */
	CHECK_EQ(run_cpu("submit r5\ntscal r5\nli r1, 100\nalloc r6, r1\n"
			 "tscal r6\ntask 1023, aic\nttens r6, r1, inout\n"
			 "halt\n", NULL, NULL, 0, &r, &f), 0);
	CHECK_EQ(r.n, 6);
	CHECK_U64(r.ev[1].a, 1001);
	CHECK_U64(r.ev[3].a, VA_HEAP + 0x1000);
	CHECK_EQ(r.ev[4].kind, EV_TASK);
	CHECK_U64(r.ev[4].a, 1023);
	CHECK_U64(r.ev[4].b, AIC);
	CHECK_U64(r.ev[5].c, CHIP_DIR_INOUT);
	return 0;
}

static int test_orch_errors(void)
{
	struct chipc_core core = mkcore(CPU);
	struct chipc_fault f;
	struct chipc_prog p;
	struct chipc_env env;
	struct rec r;
	void *code;

	/* FATAL */
	CHECK_EQ(run_cpu("nop\nfatal 9\n", NULL, NULL, 0, &r, &f), -1);
	CHECK_EQ(f.status, CHIP_STATUS_ORCH_ERROR);
	CHECK_EQ(f.code, CHIP_ORCH_FATAL);
	CHECK(strstr(f.msg, "fatal"));
	CHECK(strstr(f.msg, "pc 1"));
	CHECK_EQ(run_cpu("fatal 42\n", NULL, NULL, 0, &r, &f), -1);
	CHECK_EQ(f.code, 42);

	/* a callback failing with its own fault keeps it; pc is appended */
	memset(&env, 0, sizeof(env));
	code = load("li r1, 64\nscope\nalloc r2, r1\nhalt\n", CPU, &p);
	CHECK(code);
	memset(&r, 0, sizeof(r));
	r.fail_kind = EV_ALLOC;
	r.fail_sets = 1;
	CHECK_EQ(chipc_exec(&core, &env, &p, NULL, NULL, 0, &rec_ops, &r, &f),
		 -1);
	CHECK_EQ(f.status, CHIP_STATUS_ORCH_ERROR);
	CHECK_EQ(f.code, CHIP_ORCH_HEAP);
	CHECK(!strcmp(f.msg, "no heap at pc 2"));
	CHECK_EQ(r.n, 2);
	/* ... and one that fills nothing gets a default */
	memset(&r, 0, sizeof(r));
	r.fail_kind = EV_SCOPE;
	CHECK_EQ(chipc_exec(&core, &env, &p, NULL, NULL, 0, &rec_ops, &r, &f),
		 -1);
	CHECK_EQ(f.status, CHIP_STATUS_ORCH_ERROR);
	CHECK_EQ(f.code, CHIP_ORCH_INVALID_ARGS);
	CHECK(!strcmp(f.msg, "scope failed at pc 1"));
	/* without callbacks, orchestration instructions fault */
	CHECK_EQ(chipc_exec(&core, &env, &p, NULL, NULL, 0, NULL, NULL, &f),
		 -1);
	CHECK_EQ(f.status, CHIP_STATUS_FAULT);
	CHECK_EQ(f.code, 0);
	CHECK(strstr(f.msg, "pc 1"));
	CHECK_EQ(core.insns, 3 + 2 + 2);
	free(code);
	return 0;
}

/* ---- the shared programs ----------------------------------------------- */

static int test_prog_vectors(void)
{
	static const u32 lens[] = { 1, 15, 4096, 10000 };
	struct mem m;
	size_t t;

	CHECK_EQ(mem_init(&m), 0);
	for (t = 0; t < CHIPC_ARRAY_SIZE(lens); t++) {
		u32 n = lens[t], i;
		u64 args[3] = { VA_A, VA_B, VA_O };
		u64 sizes[3] = { n * 4, n * 4, n * 4 };
		u64 sargs[3] = { VA_A, VA_O, bits(0.75f) };
		u64 ssizes[3] = { n * 4, n * 4, 0 };
		struct chipc_fault f;

		for (i = 0; i < n + 1; i++) {
			m.a[i] = rndf();
			m.b[i] = rndf();
			m.o[i] = 123.0f;
		}
		CHECK_EQ(run_kernel(PROG_VEC_ADD, AIV, &m, args, sizes, 3, &f,
				    NULL), 0);
		for (i = 0; i < n; i++)
			CHECK_U64(bits(m.o[i]), bits(m.a[i] + m.b[i]));
		CHECK_U64(bits(m.o[n]), bits(123.0f));
		CHECK_EQ(run_kernel(PROG_VEC_MUL, AIV, &m, args, sizes, 3, &f,
				    NULL), 0);
		for (i = 0; i < n; i++)
			CHECK_U64(bits(m.o[i]), bits(m.a[i] * m.b[i]));
		CHECK_EQ(run_kernel(PROG_VEC_ADD_SCALAR, AIV, &m, sargs, ssizes,
				    3, &f, NULL), 0);
		for (i = 0; i < n; i++)
			CHECK_U64(bits(m.o[i]), bits(m.a[i] + 0.75f));
		CHECK_U64(bits(m.o[n]), bits(123.0f));
	}
	mem_fini(&m);
	return 0;
}

static int test_prog_matmul(void)
{
	const u32 M = 64, K = 96, N = 32;
	struct mem m;
	struct chipc_fault f;
	u64 args[6] = { VA_A, VA_B, VA_O, M, K, N };
	u64 sizes[6] = { M * K * 4, K * N * 4, M * N * 4, 0, 0, 0 };
	u32 i, j, p;

	CHECK_EQ(mem_init(&m), 0);
	for (i = 0; i < M * K; i++)
		m.a[i] = rndf();
	for (i = 0; i < K * N; i++)
		m.b[i] = rndf();
	CHECK_EQ(run_kernel(PROG_MATMUL, AIC, &m, args, sizes, 6, &f, NULL),
		 0);
	for (i = 0; i < M; i++) {
		for (j = 0; j < N; j++) {
			float acc = 0.0f;

			for (p = 0; p < K; p++)
				acc += m.a[i * K + p] * m.b[p * N + j];
			CHECK_U64(bits(m.o[i * N + j]), bits(acc));
		}
	}
	mem_fini(&m);
	return 0;
}

static int test_prog_softmax(void)
{
	const u32 rows = 5, cols = 1000;
	struct mem m;
	struct chipc_fault f;
	u64 args[4] = { VA_A, VA_O, rows, cols };
	u32 r, c;

	CHECK_EQ(mem_init(&m), 0);
	for (r = 0; r < rows * cols; r++)
		m.a[r] = rndf() / 10.0f;
	CHECK_EQ(run_kernel(PROG_SOFTMAX_ROWS, AIV, &m, args, NULL, 4, &f,
			    NULL), 0);
	for (r = 0; r < rows; r++) {
		const float *x = m.a + r * cols;
		float mx = x[0], sum = 0.0f, t[1000];
		double dsum = 0.0, dmax = x[0];

		for (c = 1; c < cols; c++) {
			mx = x[c] > mx ? x[c] : mx;
			dmax = x[c] > dmax ? x[c] : dmax;
		}
		for (c = 0; c < cols; c++) {
			t[c] = flt(chipc_f32_exp(bits(x[c] - mx)));
			sum += t[c];
			dsum += exp((double)x[c] - dmax);
		}
		for (c = 0; c < cols; c++) {
			float got = m.o[r * cols + c];
			double want = exp((double)x[c] - dmax) / dsum;

			CHECK_U64(bits(got), bits(t[c] / sum));
			CHECK(fabs(got - want) <= 1e-5 * want + 1e-12);
		}
	}
	mem_fini(&m);
	return 0;
}

static int test_prog_oob_and_spin(void)
{
	struct mem m;

	CHECK_EQ(mem_init(&m), 0);
	CHECK_EQ(expect_fault(&m, AIV, PROG_OOB_STORE, 0xdead0000ull,
			      CHIP_STATUS_FAULT, CHIP_FAULT_WRITE,
			      0xdead0000ull, 4), 0);
	CHECK_EQ(expect_fault(&m, AIV, PROG_OOB_STORE, VA_RO,
			      CHIP_STATUS_FAULT, CHIP_FAULT_WRITE, VA_RO, 4),
		 0);
	/* inside a writable buffer it is just a store */
	CHECK_EQ(run_kernel(PROG_OOB_STORE, AIV, &m, (u64[]){ VA_O }, NULL, 1,
			    &(struct chipc_fault){ 0 }, NULL), 0);
	CHECK_EQ(run_kernel(PROG_NULL_KERNEL, AIV, &m, NULL, NULL, 0,
			    &(struct chipc_fault){ 0 }, NULL), 0);
	mem_fini(&m);
	return 0;
}

/*
 * The vector orchestration on a tiny in-order scheduler: each SUBMIT runs
 * its kernel immediately, ALLOC bumps through the heap, SCOPE/ENDSCOPE
 * save and restore the heap top.
 */
struct mini {
	struct mem *m;
	struct chipc_prog kern[3];
	s32 func;
	u64 args[CHIP_CORE_MAX_ARGS], sizes[CHIP_CORE_MAX_ARGS];
	u32 nargs;
	u64 top, saved[4];
	int depth;
	u64 tasks, insns;
};

static int m_task(void *s, s32 func_id, u32 core_type, struct chipc_fault *f)
{
	struct mini *x = s;

	if (func_id < 0 || func_id > 2 || core_type != AIV)
		return -1;
	x->func = func_id;
	x->nargs = 0;
	return 0;
}

static int m_tensor(void *s, u64 addr, u64 bytes, u32 dir,
		    struct chipc_fault *f)
{
	struct mini *x = s;

	x->args[x->nargs] = addr;
	x->sizes[x->nargs++] = bytes;
	return 0;
}

static int m_scalar(void *s, u64 v, struct chipc_fault *f)
{
	struct mini *x = s;

	x->args[x->nargs] = v;
	x->sizes[x->nargs++] = 0;
	return 0;
}

static int m_submit(void *s, u64 *id, struct chipc_fault *f)
{
	struct mini *x = s;
	struct chipc_core core = mkcore(AIV);
	int rc;

	rc = chipc_exec(&core, &x->m->env, &x->kern[x->func], x->args,
			x->sizes, x->nargs, NULL, NULL, f);
	x->insns += core.insns;
	free(core.local);
	*id = x->tasks++;
	return rc;
}

static int m_scope(void *s, struct chipc_fault *f)
{
	struct mini *x = s;

	x->saved[x->depth++] = x->top;
	return 0;
}

static int m_endscope(void *s, struct chipc_fault *f)
{
	struct mini *x = s;

	x->top = x->saved[--x->depth];
	return 0;
}

static int m_alloc(void *s, u64 bytes, u64 *addr, struct chipc_fault *f)
{
	struct mini *x = s;

	*addr = VA_HEAP + x->top;
	x->top = CHIPC_ALIGN_UP(x->top + bytes, 64);
	return 0;
}

static const struct chipc_orch_ops mini_ops = {
	m_task, m_tensor, m_scalar, m_submit, m_scope, m_endscope, m_alloc,
	NULL,
};

static int test_prog_orch_vector(void)
{
	const u32 n = 16384;
	struct chipc_core core = mkcore(CPU);
	struct chipc_prog orch;
	struct chipc_fault f;
	struct mini x;
	struct mem m;
	void *code[4];
	u64 args[3] = { VA_A, VA_B, VA_O };
	u64 sizes[3] = { n * 4, n * 4, n * 4 };
	u32 i;

	CHECK_EQ(mem_init(&m), 0);
	memset(&x, 0, sizeof(x));
	x.m = &m;
	code[0] = load(PROG_VEC_ADD, AIV, &x.kern[0]);
	code[1] = load(PROG_VEC_ADD_SCALAR, AIV, &x.kern[1]);
	code[2] = load(PROG_VEC_MUL, AIV, &x.kern[2]);
	code[3] = load(PROG_ORCH_VECTOR, CPU, &orch);
	CHECK(code[0] && code[1] && code[2] && code[3]);
	for (i = 0; i < n; i++) {
		m.a[i] = 2.0f;
		m.b[i] = 3.0f;
	}
	CHECK_EQ(chipc_exec(&core, &m.env, &orch, args, sizes, 3, &mini_ops,
			    &x, &f), 0);
	CHECK_EQ(x.tasks, 5);
	CHECK_EQ(x.depth, 0);
	CHECK_EQ(x.top, CHIPC_ALIGN_UP((u64)n * 4, 64));
	for (i = 0; i < n; i++)
		CHECK_U64(bits(m.o[i]), bits(47.0f));
	for (i = 0; i < 4; i++)
		free(code[i]);
	free(core.local);
	mem_fini(&m);
	return 0;
}

int main(void)
{
	T_RUN(test_alu);
	T_RUN(test_alu_imm);
	T_RUN(test_mov_and_zero_regs);
	T_RUN(test_branches);
	T_RUN(test_loops_and_jumps);
	T_RUN(test_environment);
	T_RUN(test_float_scalar);
	T_RUN(test_tile_elementwise);
	T_RUN(test_tile_reduce_fill_mov);
	T_RUN(test_tile_2d);
	T_RUN(test_tile_mma);
	T_RUN(test_heap);
	T_RUN(test_fault_memory);
	T_RUN(test_fault_local_shape_arg);
	T_RUN(test_watchdog);
	T_RUN(test_watchdog_tiles);
	T_RUN(test_watchdog_inside_mma);
	T_RUN(test_budget);
	T_RUN(test_abort);
	T_RUN(test_orch_callbacks);
	T_RUN(test_orch_errors);
	T_RUN(test_prog_vectors);
	T_RUN(test_prog_matmul);
	T_RUN(test_prog_softmax);
	T_RUN(test_prog_oob_and_spin);
	T_RUN(test_prog_orch_vector);
	return T_DONE();
}
