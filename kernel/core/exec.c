// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The interpreter: runs one verified program on one core.
 *
 * Every device memory access is translated through the run's heap and the
 * context's address space, every core-local access is bounds checked, and
 * the program is stopped by the instruction budget, the watchdog deadline
 * or the abort flag.  No floating point here: binary32 arithmetic is in
 * tile.c.  Documentation/isa.rst is the specification.
 */
#include "chipc.h"

/*
 * Work units between two deadline/abort checks.  Every instruction is one
 * unit; tile operations add one unit per CHECK_ELEMS elements they touch,
 * so long tile operations bring the next check closer.
 */
#define CHECK_UNITS	1024
#define CHECK_ELEMS	64

struct xstate {
	struct chipc_core *core;
	const struct chipc_env *env;
	struct chipc_fault *f;
	u32 pc;
	u64 vl;
	u64 s0, s1, s2;
	u64 units;	/* work since the last check */
};

/* ---- messages --------------------------------------------------------- */

static size_t msg_str(char *m, size_t pos, const char *s)
{
	const size_t cap = sizeof(((struct chipc_fault *)0)->msg);

	while (*s && pos + 1 < cap)
		m[pos++] = *s++;
	m[pos] = 0;
	return pos;
}

static size_t msg_num(char *m, size_t pos, u64 v, bool hex)
{
	char buf[24];
	int i = sizeof(buf) - 1;
	u32 base = hex ? 16 : 10;

	buf[i] = 0;
	do {
		buf[--i] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v && i > 2);
	if (hex) {
		buf[--i] = 'x';
		buf[--i] = '0';
	}
	return msg_str(m, pos, &buf[i]);
}

static int fail_at(struct xstate *x, u32 status, s32 code, u64 addr,
		   const char *what, bool show_addr)
{
	struct chipc_fault *f = x->f;
	size_t pos;

	f->status = status;
	f->code = code;
	f->addr = addr;
	pos = msg_str(f->msg, 0, what);
	pos = msg_str(f->msg, pos, " at pc ");
	pos = msg_num(f->msg, pos, x->pc, false);
	if (show_addr) {
		pos = msg_str(f->msg, pos, ", addr ");
		msg_num(f->msg, pos, addr, true);
	}
	return -1;
}

static int fault(struct xstate *x, s32 code, u64 addr, const char *what)
{
	return fail_at(x, CHIP_STATUS_FAULT, code, addr, what, true);
}

/* ---- memory ----------------------------------------------------------- */

/* Host view of device range [addr, addr + len), len > 0; NULL if none. */
static u8 *gm_xlate(const struct chipc_env *env, u64 addr, u64 len, u32 prot)
{
	u64 off = addr - env->heap_va;

	if (addr >= env->heap_va && off < env->heap_size &&
	    len <= env->heap_size - off && env->heap_host)
		return env->heap_host + off;
	if (!env->vm)
		return NULL;
	return chipc_vm_translate(env->vm, addr, len, prot);
}

/* Device memory of @elems binary32 elements at @addr. */
static u8 *gm_tile(struct xstate *x, u64 addr, u64 elems, bool write)
{
	s32 code = write ? CHIP_FAULT_WRITE : CHIP_FAULT_READ;
	u8 *p;

	if (!CHIPC_IS_ALIGNED(addr, 4)) {
		fault(x, code, addr, write ? "misaligned store" :
					     "misaligned load");
		return NULL;
	}
	p = gm_xlate(x->env, addr, elems * 4,
		     write ? CHIPC_PROT_WRITE : CHIPC_PROT_READ);
	if (!p)
		fault(x, code, addr, write ? "write fault" : "read fault");
	return p;
}

/* Core-local tile of @elems elements at byte offset @off. */
static float *local_tile(struct xstate *x, u64 off, u64 elems)
{
	u64 cap = x->core->local_cap;

	/* elems <= local_cap / 4 is guaranteed by the VL and shape checks */
	if (!CHIPC_IS_ALIGNED(off, 4) || off > cap || elems * 4 > cap - off ||
	    !x->core->local) {
		fault(x, CHIP_FAULT_LOCAL, off, "local memory out of range");
		return NULL;
	}
	if (off + elems * 4 > x->core->dirty)
		x->core->dirty = (u32)(off + elems * 4);
	return (float *)(x->core->local + off);
}

/* Is an @r x @c tile within local memory? (no overflow for 64-bit r, c) */
static bool tile_fits(const struct xstate *x, u64 r, u64 c)
{
	u64 lim = x->core->local_cap / 4;

	return c == 0 || r <= lim / c;
}

/* memmove for core-local memory, whose offsets are 4-byte aligned. */
static void local_move(u8 *dst, const u8 *src, u64 bytes)
{
	u32 w;
	u64 i;

	if (dst == src || !bytes)
		return;
	if (dst + bytes <= src || src + bytes <= dst) {
		memcpy(dst, src, bytes);
		return;
	}
	if (dst < src) {
		for (i = 0; i < bytes; i += 4) {
			memcpy(&w, src + i, 4);
			memcpy(dst + i, &w, 4);
		}
	} else {
		for (i = bytes; i > 0; i -= 4) {
			memcpy(&w, src + i - 4, 4);
			memcpy(dst + i - 4, &w, 4);
		}
	}
}

/* ---- watchdog ----------------------------------------------------------- */

/*
 * Stop for cancellation or the deadline?  @first: before the first
 * instruction, where the caller's recent clock reading (@env->now_ns)
 * stands in for a clock read.
 */
static int check_stop(struct xstate *x, bool first)
{
	const struct chipc_env *env = x->env;
	u64 now;

	x->units = 0;
	chipc_yield();
	if ((env->abort && CHIPC_READ_ONCE(*env->abort)) ||
	    (env->cancel && CHIPC_READ_ONCE(*env->cancel)))
		return fail_at(x, CHIP_STATUS_CANCELLED, 0, 0, "cancelled",
			       false);
	if (!env->deadline_ns)
		return 0;
	now = first && env->now_ns ? env->now_ns : chipc_now_ns();
	if (now >= env->deadline_ns)
		return fail_at(x, CHIP_STATUS_TIMEOUT, 0, 0, "watchdog", false);
	return 0;
}

/* Account for a tile operation over @elems elements. */
static int tile_work(struct xstate *x, u64 elems)
{
	x->units += elems / CHECK_ELEMS;
	if (x->units >= CHECK_UNITS)
		return check_stop(x, false);
	return 0;
}

/* ---- tile instructions -------------------------------------------------- */

/* TLD (@store false) and TST: VL elements between local @loff and @gaddr. */
static int exec_ldst(struct xstate *x, u64 loff, u64 gaddr, bool store)
{
	float *l = local_tile(x, loff, x->vl);
	u8 *g;

	if (!l)
		return -1;
	if (!x->vl) {
		if (CHIPC_IS_ALIGNED(gaddr, 4))
			return 0;
		return store ? fault(x, CHIP_FAULT_WRITE, gaddr,
				     "misaligned store") :
			       fault(x, CHIP_FAULT_READ, gaddr,
				     "misaligned load");
	}
	g = gm_tile(x, gaddr, x->vl, store);
	if (!g)
		return -1;
	if (store)
		memcpy(g, l, x->vl * 4);
	else
		memcpy(l, g, x->vl * 4);
	return tile_work(x, x->vl);
}

/* TLD2 / TST2: S0 rows of S1 elements, GM row stride @stride elements. */
static int exec_2d(struct xstate *x, u64 loff, u64 gaddr, u64 stride,
		   bool store)
{
	s32 code = store ? CHIP_FAULT_WRITE : CHIP_FAULT_READ;
	u64 rows = x->s0, cols = x->s1, i;
	u8 *l, *g;

	if (!tile_fits(x, rows, cols))
		return fault(x, CHIP_FAULT_SHAPE, rows * cols,
			     "tile does not fit");
	l = (u8 *)local_tile(x, loff, rows * cols);
	if (!l)
		return -1;
	if (!CHIPC_IS_ALIGNED(gaddr, 4))
		return fault(x, code, gaddr,
			     store ? "misaligned store" : "misaligned load");
	if (!cols)
		return 0;
	for (i = 0; i < rows; i++) {
		u64 row = gaddr + i * stride * 4;

		g = gm_tile(x, row, cols, store);
		if (!g)
			return -1;
		if (store)
			memcpy(g, l + i * cols * 4, cols * 4);
		else
			memcpy(l + i * cols * 4, g, cols * 4);
	}
	return tile_work(x, rows * cols);
}

/*
 * Multiply-adds per FPU section of TMMA: the section (preemption off in
 * the kernel) stays short, and the watchdog and abort checks are reached
 * between sections.
 */
#define MMA_CHUNK	(64u * 1024)

/*
 * TMMA.  A zero dimension is a fault: it would do no arithmetic yet loop
 * over the other dimensions.  Rows are computed in chunks of at most
 * MMA_CHUNK multiply-adds (one row at least); the rows of C are
 * independent, so the result is the same bits as one call.
 */
static int exec_mma(struct xstate *x, u64 coff, u64 aoff, u64 boff)
{
	u64 m = x->s0, k = x->s1, n = x->s2, i, rows, step;
	float *c, *a, *b;
	int rc;

	if (!m || !k || !n)
		return fault(x, CHIP_FAULT_SHAPE, 0, "degenerate matrix shape");
	if (!tile_fits(x, m, k) || !tile_fits(x, k, n) || !tile_fits(x, m, n))
		return fault(x, CHIP_FAULT_SHAPE, 0, "matrix does not fit");
	c = local_tile(x, coff, m * n);
	if (!c)
		return -1;
	a = local_tile(x, aoff, m * k);
	if (!a)
		return -1;
	b = local_tile(x, boff, k * n);
	if (!b)
		return -1;
	step = CHIPC_MAX(MMA_CHUNK / (k * n), (u64)1);
	for (i = 0; i < m; i += rows) {
		rows = CHIPC_MIN(step, m - i);
		chipc_fpu_begin();
		chipc_tile_mma(c + i * n, a + i * k, b, (u32)rows, (u32)k,
			       (u32)n);
		chipc_fpu_end();
		rc = tile_work(x, rows * k * n);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Floating point lives in tile.c alone.  The FPU section (the kernel saves
 * the user's FPU state there) is opened here, around each call into it:
 * exec.c has no floating point, and a call into another unit cannot be
 * moved across the opaque chipc_fpu_begin()/chipc_fpu_end() calls, which
 * the compiler could do with floating point in the same function.
 */
static u32 fpu_f32(u32 (*fn)(u32, u32), u32 a, u32 b)
{
	u32 v;

	chipc_fpu_begin();
	v = fn(a, b);
	chipc_fpu_end();
	return v;
}

static const enum chipc_tile_op tile_ops[] = {
	[CHIP_OP_TADD - CHIP_OP_TADD] = CHIPC_T_ADD,
	[CHIP_OP_TSUB - CHIP_OP_TADD] = CHIPC_T_SUB,
	[CHIP_OP_TMUL - CHIP_OP_TADD] = CHIPC_T_MUL,
	[CHIP_OP_TDIV - CHIP_OP_TADD] = CHIPC_T_DIV,
	[CHIP_OP_TMAX - CHIP_OP_TADD] = CHIPC_T_MAX,
	[CHIP_OP_TMIN - CHIP_OP_TADD] = CHIPC_T_MIN,
	[CHIP_OP_TADDS - CHIP_OP_TADD] = CHIPC_T_ADDS,
	[CHIP_OP_TSUBS - CHIP_OP_TADD] = CHIPC_T_SUBS,
	[CHIP_OP_TMULS - CHIP_OP_TADD] = CHIPC_T_MULS,
	[CHIP_OP_TDIVS - CHIP_OP_TADD] = CHIPC_T_DIVS,
	[CHIP_OP_TEXP - CHIP_OP_TADD] = CHIPC_T_EXP,
};

/* TADD..TEXP: element-wise over VL elements. */
static int exec_elem(struct xstate *x, const struct chip_insn *in,
		     const u64 *r)
{
	enum chipc_tile_op op = tile_ops[in->op - CHIP_OP_TADD];
	float *d, *a, *b = NULL;
	u32 s = 0;

	d = local_tile(x, r[in->a & 15], x->vl);
	if (!d)
		return -1;
	a = local_tile(x, r[in->b & 15], x->vl);
	if (!a)
		return -1;
	if (in->op <= CHIP_OP_TMIN) {
		b = local_tile(x, r[in->c & 15], x->vl);
		if (!b)
			return -1;
	} else if (in->op != CHIP_OP_TEXP) {
		s = (u32)r[in->c & 15];
	}
	chipc_fpu_begin();
	chipc_tile_binary(op, d, a, b, s, (u32)x->vl);
	chipc_fpu_end();
	return tile_work(x, x->vl);
}

/* ---- orchestration ------------------------------------------------------- */

static const char *const orch_names[] = {
	[CHIP_OP_TASK - CHIP_OP_TASK] = "task",
	[CHIP_OP_TTENS - CHIP_OP_TASK] = "ttens",
	[CHIP_OP_TSCAL - CHIP_OP_TASK] = "tscal",
	[CHIP_OP_SUBMIT - CHIP_OP_TASK] = "submit",
	[CHIP_OP_SCOPE - CHIP_OP_TASK] = "scope",
	[CHIP_OP_ENDSCOPE - CHIP_OP_TASK] = "endscope",
	[CHIP_OP_ALLOC - CHIP_OP_TASK] = "alloc",
};

static int exec_orch(struct xstate *x, const struct chip_insn *in, u64 *r,
		     const struct chipc_orch_ops *ops, void *s)
{
	struct chipc_fault *f = x->f;
	const char *name = orch_names[in->op - CHIP_OP_TASK];
	int (*fn)(void *s, struct chipc_fault *f) = NULL;
	u64 v = 0;
	int rc;
	size_t pos;

	if (!ops)
		return fail_at(x, CHIP_STATUS_FAULT, 0, 0,
			       "orchestration without a scheduler", false);
	f->status = CHIP_STATUS_OK;
	f->code = 0;
	f->addr = 0;
	f->msg[0] = 0;
	switch (in->op) {
	case CHIP_OP_TASK:
		rc = ops->task ? ops->task(s, in->imm, in->a, f) : -1;
		break;
	case CHIP_OP_TTENS:
		rc = ops->tensor ? ops->tensor(s, r[in->a & 15], r[in->b & 15],
					       in->c, f) : -1;
		break;
	case CHIP_OP_TSCAL:
		rc = ops->scalar ? ops->scalar(s, r[in->a & 15], f) : -1;
		break;
	case CHIP_OP_SUBMIT:
		rc = ops->submit ? ops->submit(s, &v, f) : -1;
		if (!rc)
			r[in->a & 15] = v;
		break;
	case CHIP_OP_SCOPE:
	case CHIP_OP_ENDSCOPE:
		fn = in->op == CHIP_OP_SCOPE ? ops->scope : ops->endscope;
		rc = fn ? fn(s, f) : -1;
		break;
	default: /* CHIP_OP_ALLOC */
		rc = ops->alloc ? ops->alloc(s, r[in->b & 15], &v, f) : -1;
		if (!rc)
			r[in->a & 15] = v;
		break;
	}
	if (!rc)
		return 0;
	if (f->status == CHIP_STATUS_OK) {
		f->status = CHIP_STATUS_ORCH_ERROR;
		f->code = CHIP_ORCH_INVALID_ARGS;
	}
	if (!f->msg[0]) {
		pos = msg_str(f->msg, 0, name);
		pos = msg_str(f->msg, pos, " failed");
	} else {
		pos = 0;
		while (pos + 1 < sizeof(f->msg) && f->msg[pos])
			pos++;
	}
	pos = msg_str(f->msg, pos, " at pc ");
	msg_num(f->msg, pos, x->pc, false);
	return -1;
}

/* ---- the interpreter ----------------------------------------------------- */

static inline u64 branch_to(u32 pc, s32 imm)
{
	/* verified to be inside the program; anything else ends it */
	return (u64)((s64)pc + imm);
}

static int run(struct xstate *x, const struct chipc_prog *prog,
	       const u64 *args, const u64 *sizes, u32 nargs,
	       const struct chipc_orch_ops *ops, void *s, u64 *executed)
{
	const struct chipc_env *env = x->env;
	const struct chip_insn *insns = prog->insns;
	u64 budget = env->insn_budget;
	u32 lim = x->core->local_cap / 4;
	u64 r[CHIP_ISA_NREGS];
	u64 n = 0, next;
	int rc = 0;

	memset(r, 0, sizeof(r));
	rc = check_stop(x, true);
	while (!rc) {
		const struct chip_insn *in;
		u64 *ra, rb, rc_;

		if (x->pc >= prog->count)
			break;
		if (x->units >= CHECK_UNITS) {
			rc = check_stop(x, false);
			if (rc)
				break;
			if (ops && ops->tick)
				ops->tick(s);
		}
		if (budget && n >= budget) {
			rc = fail_at(x, CHIP_STATUS_TIMEOUT, 0, 0,
				     "instruction budget", false);
			break;
		}
		in = &insns[x->pc];
		n++;
		x->units++;
		next = (u64)x->pc + 1;
		ra = &r[in->a & 15];
		rb = r[in->b & 15];
		rc_ = r[in->c & 15];

		switch (in->op) {
		case CHIP_OP_NOP:
			break;
		case CHIP_OP_HALT:
			next = prog->count;
			break;
		case CHIP_OP_LI:
			*ra = (u64)(s64)in->imm;
			break;
		case CHIP_OP_LIH:
			*ra = (*ra & 0xffffffffull) | (u64)(u32)in->imm << 32;
			break;
		case CHIP_OP_MOV:
			*ra = rb;
			break;
		case CHIP_OP_ADD:
			*ra = rb + rc_;
			break;
		case CHIP_OP_SUB:
			*ra = rb - rc_;
			break;
		case CHIP_OP_MUL:
			*ra = rb * rc_;
			break;
		case CHIP_OP_DIVU:
			*ra = rc_ ? rb / rc_ : ~0ull;
			break;
		case CHIP_OP_REMU:
			*ra = rc_ ? rb % rc_ : rb;
			break;
		case CHIP_OP_AND:
			*ra = rb & rc_;
			break;
		case CHIP_OP_OR:
			*ra = rb | rc_;
			break;
		case CHIP_OP_XOR:
			*ra = rb ^ rc_;
			break;
		case CHIP_OP_SHL:
			*ra = rb << (rc_ & 63);
			break;
		case CHIP_OP_SHR:
			*ra = rb >> (rc_ & 63);
			break;
		case CHIP_OP_SAR:
			/* arithmetic shift without relying on signed >> */
			*ra = (rb >> (rc_ & 63)) |
			      ((rb >> 63) && (rc_ & 63) ?
			       ~0ull << (64 - (rc_ & 63)) : 0);
			break;
		case CHIP_OP_ADDI:
			*ra = rb + (u64)(s64)in->imm;
			break;
		case CHIP_OP_MULI:
			*ra = rb * (u64)(s64)in->imm;
			break;
		case CHIP_OP_ANDI:
			*ra = rb & (u64)(s64)in->imm;
			break;
		case CHIP_OP_SHLI:
			*ra = rb << (in->imm & 63);
			break;
		case CHIP_OP_SHRI:
			*ra = rb >> (in->imm & 63);
			break;
		case CHIP_OP_SLT:
			*ra = (s64)rb < (s64)rc_;
			break;
		case CHIP_OP_SLTU:
			*ra = rb < rc_;
			break;

		case CHIP_OP_JMP:
			next = branch_to(x->pc, in->imm);
			break;
		case CHIP_OP_BEQ:
			if (*ra == rb)
				next = branch_to(x->pc, in->imm);
			break;
		case CHIP_OP_BNE:
			if (*ra != rb)
				next = branch_to(x->pc, in->imm);
			break;
		case CHIP_OP_BLT:
			if ((s64)*ra < (s64)rb)
				next = branch_to(x->pc, in->imm);
			break;
		case CHIP_OP_BGE:
			if ((s64)*ra >= (s64)rb)
				next = branch_to(x->pc, in->imm);
			break;
		case CHIP_OP_BLTU:
			if (*ra < rb)
				next = branch_to(x->pc, in->imm);
			break;
		case CHIP_OP_BGEU:
			if (*ra >= rb)
				next = branch_to(x->pc, in->imm);
			break;

		case CHIP_OP_ARG:
		case CHIP_OP_ASIZE:
			if (in->imm < 0 || (u32)in->imm >= nargs) {
				rc = fault(x, CHIP_FAULT_ARG, (u64)(s64)in->imm,
					   "argument index out of range");
				break;
			}
			if (in->op == CHIP_OP_ARG)
				*ra = args[in->imm];
			else
				*ra = sizes ? sizes[in->imm] : 0;
			break;
		case CHIP_OP_NARG:
			*ra = nargs;
			break;
		case CHIP_OP_CORE:
			*ra = x->core->index;
			break;
		case CHIP_OP_NCORE:
			*ra = x->core->count;
			break;
		case CHIP_OP_LIF:
			*ra = (u32)in->imm;
			break;

		case CHIP_OP_FADD:
			*ra = fpu_f32(chipc_f32_add, (u32)rb, (u32)rc_);
			break;
		case CHIP_OP_FSUB:
			*ra = fpu_f32(chipc_f32_sub, (u32)rb, (u32)rc_);
			break;
		case CHIP_OP_FMUL:
			*ra = fpu_f32(chipc_f32_mul, (u32)rb, (u32)rc_);
			break;
		case CHIP_OP_FDIV:
			*ra = fpu_f32(chipc_f32_div, (u32)rb, (u32)rc_);
			break;

		case CHIP_OP_SETVL:
			if (*ra > lim) {
				rc = fault(x, CHIP_FAULT_SHAPE, *ra,
					   "vector length out of range");
				break;
			}
			x->vl = *ra;
			break;
		case CHIP_OP_SHAPE:
			x->s0 = *ra;
			x->s1 = rb;
			x->s2 = rc_;
			break;
		case CHIP_OP_TLD:
			rc = exec_ldst(x, *ra, rb, false);
			break;
		case CHIP_OP_TST:
			rc = exec_ldst(x, rb, *ra, true);
			break;
		case CHIP_OP_TLD2:
			rc = exec_2d(x, *ra, rb, rc_, false);
			break;
		case CHIP_OP_TST2:
			rc = exec_2d(x, rb, *ra, rc_, true);
			break;
		case CHIP_OP_TFILL: {
			float *d = local_tile(x, *ra, x->vl);

			if (!d) {
				rc = -1;
				break;
			}
			chipc_fpu_begin();
			chipc_tile_binary(CHIPC_T_FILL, d, NULL, NULL, (u32)rb,
					  (u32)x->vl);
			chipc_fpu_end();
			rc = tile_work(x, x->vl);
			break;
		}
		case CHIP_OP_TMOV: {
			float *d = local_tile(x, *ra, x->vl);
			float *a = d ? local_tile(x, rb, x->vl) : NULL;

			if (!a) {
				rc = -1;
				break;
			}
			local_move((u8 *)d, (const u8 *)a, x->vl * 4);
			rc = tile_work(x, x->vl);
			break;
		}

		case CHIP_OP_TADD: case CHIP_OP_TSUB: case CHIP_OP_TMUL:
		case CHIP_OP_TDIV: case CHIP_OP_TMAX: case CHIP_OP_TMIN:
		case CHIP_OP_TADDS: case CHIP_OP_TSUBS: case CHIP_OP_TMULS:
		case CHIP_OP_TDIVS: case CHIP_OP_TEXP:
			rc = exec_elem(x, in, r);
			break;
		case CHIP_OP_TRSUM:
		case CHIP_OP_TRMAX: {
			float *a = local_tile(x, rb, x->vl);

			if (!a) {
				rc = -1;
				break;
			}
			chipc_fpu_begin();
			*ra = in->op == CHIP_OP_TRSUM ?
				chipc_tile_sum(a, (u32)x->vl) :
				chipc_tile_max(a, (u32)x->vl);
			chipc_fpu_end();
			rc = tile_work(x, x->vl);
			break;
		}
		case CHIP_OP_TMMA:
			rc = exec_mma(x, *ra, rb, rc_);
			break;

		case CHIP_OP_TASK: case CHIP_OP_TTENS: case CHIP_OP_TSCAL:
		case CHIP_OP_SUBMIT: case CHIP_OP_SCOPE: case CHIP_OP_ENDSCOPE:
		case CHIP_OP_ALLOC:
			rc = exec_orch(x, in, r, ops, s);
			break;
		case CHIP_OP_FATAL:
			rc = fail_at(x, CHIP_STATUS_ORCH_ERROR, in->imm, 0,
				     "fatal", false);
			break;
		default:
			rc = fail_at(x, CHIP_STATUS_INVALID, 0, 0,
				     "illegal instruction", false);
			break;
		}
		if (rc)
			break;
		x->pc = next > prog->count ? prog->count : (u32)next;
	}
	*executed = n;
	return rc;
}

/**
 * chipc_exec() - run a verified program on one core
 * @core: the core: local memory, type, index and count; @core->insns
 *	accumulates the instructions executed
 * @env: device memory (heap, address space) and stop conditions
 * @prog: a program accepted by chipc_isa_verify()
 * @args: argument values (tensor device addresses or scalars)
 * @sizes: byte size of each tensor argument, 0 for scalars; may be NULL
 * @nargs: number of arguments
 * @ops: orchestration callbacks; NULL for kernels
 * @s: passed to @ops
 * @f: receives the outcome; on failure status, code, address and message
 *
 * Registers, VL and the shape start at zero.  The deadline and the abort
 * flag are checked before the first instruction, at least every 1024
 * instructions and after long tile operations.
 *
 * Return: 0 when the program halts, -1 with @f filled otherwise.
 */
int chipc_exec(struct chipc_core *core, const struct chipc_env *env,
	       const struct chipc_prog *prog, const u64 *args, const u64 *sizes,
	       u32 nargs, const struct chipc_orch_ops *ops, void *s,
	       struct chipc_fault *f)
{
	struct chipc_fault dummy;
	struct xstate x;
	u64 executed = 0;
	int rc;

	if (!f)
		f = &dummy;
	memset(f, 0, sizeof(*f));
	memset(&x, 0, sizeof(x));
	x.core = core;
	x.env = env;
	x.f = f;
	if (nargs && !args)
		nargs = 0;
	rc = run(&x, prog, args, sizes, nargs, ops, s, &executed);
	core->insns += executed;
	if (!rc)
		memset(f, 0, sizeof(*f));
	return rc;
}
