// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Binary32 arithmetic of the device: scalar helpers and tile loops.
 *
 * This is the only file of the core that uses floating point.  In the
 * kernel it is built with the FPU enabled; its callers (exec.c) open the
 * FPU section with chipc_fpu_begin()/chipc_fpu_end() around every call,
 * from a unit without floating point, so that no FPU work can be moved
 * outside the section.  Results are
 * bit-identical wherever the core runs: every operation is a single
 * IEEE-754 binary32 operation rounded to nearest even (the build forbids
 * contraction into fused multiply-add), reductions run strictly in index
 * order, and exp is computed by our own deterministic code, not libm.
 *
 * Element-wise loops work on fixed-size blocks copied into local arrays:
 * a loop with a constant trip count over non-aliasing arrays is what the
 * compiler vectorises at -O2, and the copies make the operation well
 * defined for aliasing operands (a block is read completely before it is
 * written).  The tail of a tile goes through the same block code, padded
 * with zeros.
 */
#include "chipc.h"

#define TBLK	16	/* elements per block */

union f32bits {
	float f;
	u32 u;
};

static inline float f32_of(u32 u)
{
	union f32bits v = { .u = u };

	return v.f;
}

static inline u32 bits_of(float f)
{
	union f32bits v = { .f = f };

	return v.u;
}

/**
 * chipc_f32_add() - binary32 addition
 * @a: bit pattern of the first operand
 * @b: bit pattern of the second operand
 *
 * Return: bit pattern of @a + @b, rounded to nearest even.
 */
u32 chipc_f32_add(u32 a, u32 b)
{
	u32 r;

	r = bits_of(f32_of(a) + f32_of(b));
	return r;
}

/**
 * chipc_f32_sub() - binary32 subtraction
 * @a: bit pattern of the first operand
 * @b: bit pattern of the second operand
 *
 * Return: bit pattern of @a - @b, rounded to nearest even.
 */
u32 chipc_f32_sub(u32 a, u32 b)
{
	u32 r;

	r = bits_of(f32_of(a) - f32_of(b));
	return r;
}

/**
 * chipc_f32_mul() - binary32 multiplication
 * @a: bit pattern of the first operand
 * @b: bit pattern of the second operand
 *
 * Return: bit pattern of @a * @b, rounded to nearest even.
 */
u32 chipc_f32_mul(u32 a, u32 b)
{
	u32 r;

	r = bits_of(f32_of(a) * f32_of(b));
	return r;
}

/**
 * chipc_f32_div() - binary32 division
 * @a: bit pattern of the dividend
 * @b: bit pattern of the divisor
 *
 * Return: bit pattern of @a / @b, rounded to nearest even (x / 0 is a
 * signed infinity, 0 / 0 a NaN).
 */
u32 chipc_f32_div(u32 a, u32 b)
{
	u32 r;

	r = bits_of(f32_of(a) / f32_of(b));
	return r;
}

/*
 * exp over one block.
 *
 * x = n * ln2 + r with n = round(x / ln2) and |r| <= ln2 / 2; ln2 is split
 * into a high part with 9 significant bits (n * EXP_LN2_HI is exact for
 * |n| <= 151) and a low part.  e^r comes from a degree 6 minimax
 * polynomial (Cephes expf), and 2^n is applied as two exact powers of two
 * built from exponent bits, so results that are subnormal are rounded
 * once, by the last multiplication.  Inputs are clamped to [-104, 89],
 * which keeps n within [-151, 129]: below the clamp e^x rounds to zero,
 * above it to +inf, and the arithmetic produces exactly that.  NaN inputs
 * (mapped to the clamp first) come out as quiet NaN.
 */
#define EXP_LOG2E	1.44269504088896341f
#define EXP_LN2_HI	0.693359375f
#define EXP_LN2_LO	(-0.000212194440f)
#define EXP_ROUND	12582912.0f		/* 1.5 * 2^23 */
#define EXP_ROUND_BITS	0x4b400000u
#define EXP_MIN		(-104.0f)
#define EXP_MAX		89.0f
#define EXP_P0		0.00019875691500f
#define EXP_P1		0.0013981999507f
#define EXP_P2		0.0083334519073f
#define EXP_P3		0.041665795894f
#define EXP_P4		0.16666665459f
#define EXP_P5		0.50000001201f

/* A block viewed as binary32 values or as their bit patterns. */
union fblk {
	float f[TBLK];
	u32 u[TBLK];
};

static void exp_block(float *dst, const float *src)
{
	union fblk x, in, t, p, s1, s2;
	int i;

	memcpy(in.f, src, sizeof(in.f));
	/* separate loops: each one is if-converted and vectorised */
	for (i = 0; i < TBLK; i++)
		x.f[i] = in.f[i] > EXP_MIN ? in.f[i] : EXP_MIN;	/* NaN too */
	for (i = 0; i < TBLK; i++)
		x.f[i] = x.f[i] < EXP_MAX ? x.f[i] : EXP_MAX;
	for (i = 0; i < TBLK; i++)
		t.f[i] = x.f[i] * EXP_LOG2E + EXP_ROUND;
	for (i = 0; i < TBLK; i++) {
		float n = t.f[i] - EXP_ROUND;
		float r, z, q;

		r = x.f[i] - n * EXP_LN2_HI;
		r = r - n * EXP_LN2_LO;
		z = r * r;
		q = EXP_P0 * r + EXP_P1;
		q = q * r + EXP_P2;
		q = q * r + EXP_P3;
		q = q * r + EXP_P4;
		q = q * r + EXP_P5;
		p.f[i] = q * z + r + 1.0f;
	}
	for (i = 0; i < TBLK; i++) {
		/* n = t - EXP_ROUND_BITS, in [-151, 129] */
		s32 n = (s32)(t.u[i] - EXP_ROUND_BITS);
		s32 k1 = n / 2;
		s32 k2 = n - k1;

		s1.u[i] = (u32)(k1 + 127) << 23;
		s2.u[i] = (u32)(k2 + 127) << 23;
	}
	for (i = 0; i < TBLK; i++)
		p.f[i] = p.f[i] * s1.f[i] * s2.f[i];
	for (i = 0; i < TBLK; i++) {
		u32 nan = (in.u[i] & 0x7fffffffu) > 0x7f800000u;

		p.u[i] = nan ? in.u[i] | 0x00400000u : p.u[i];
	}
	memcpy(dst, p.f, sizeof(p.f));
}

/**
 * chipc_f32_exp() - binary32 exponential
 * @a: bit pattern of the argument
 *
 * Deterministic: the same bits everywhere, within 2 ulp of the correctly
 * rounded e^a.  exp(NaN) is a quiet NaN, exp(+inf) = +inf, exp(-inf) = 0;
 * results overflow to +inf above about 88.72 and underflow through the
 * subnormals to zero below about -103.97.
 *
 * Return: bit pattern of e^@a.
 */
u32 chipc_f32_exp(u32 a)
{
	float in[TBLK], out[TBLK];

	memset(in, 0, sizeof(in));
	in[0] = f32_of(a);
	exp_block(out, in);
	return bits_of(out[0]);
}

/* One block of an element-wise operation; b is unused for scalar forms. */
static void binary_block(enum chipc_tile_op op, float *d, const float *a,
			 const float *b, float s)
{
	int i;

	switch (op) {
	case CHIPC_T_ADD:
		for (i = 0; i < TBLK; i++)
			d[i] = a[i] + b[i];
		break;
	case CHIPC_T_SUB:
		for (i = 0; i < TBLK; i++)
			d[i] = a[i] - b[i];
		break;
	case CHIPC_T_MUL:
		for (i = 0; i < TBLK; i++)
			d[i] = a[i] * b[i];
		break;
	case CHIPC_T_DIV:
		for (i = 0; i < TBLK; i++)
			d[i] = a[i] / b[i];
		break;
	case CHIPC_T_MAX:
		for (i = 0; i < TBLK; i++)
			d[i] = a[i] > b[i] ? a[i] : b[i];
		break;
	case CHIPC_T_MIN:
		for (i = 0; i < TBLK; i++)
			d[i] = a[i] < b[i] ? a[i] : b[i];
		break;
	case CHIPC_T_ADDS:
		for (i = 0; i < TBLK; i++)
			d[i] = a[i] + s;
		break;
	case CHIPC_T_SUBS:
		for (i = 0; i < TBLK; i++)
			d[i] = a[i] - s;
		break;
	case CHIPC_T_MULS:
		for (i = 0; i < TBLK; i++)
			d[i] = a[i] * s;
		break;
	case CHIPC_T_DIVS:
		for (i = 0; i < TBLK; i++)
			d[i] = a[i] / s;
		break;
	case CHIPC_T_EXP:
		exp_block(d, a);
		break;
	case CHIPC_T_FILL:
		for (i = 0; i < TBLK; i++)
			d[i] = s;
		break;
	}
}

/*
 * Whole blocks of an element-wise operation: each block is copied into
 * local arrays, computed by a fixed-length (vectorised) loop and copied
 * out.  TILE_LOOP2 reads a and b, TILE_LOOP1 only a.
 */
#define TILE_LOOP2(expr)						\
	for (; n - i >= TBLK; i += TBLK) {				\
		memcpy(ta, a + i, sizeof(ta));				\
		memcpy(tb, b + i, sizeof(tb));				\
		for (j = 0; j < TBLK; j++)				\
			td[j] = (expr);					\
		memcpy(dst + i, td, sizeof(td));			\
	}

#define TILE_LOOP1(expr)						\
	for (; n - i >= TBLK; i += TBLK) {				\
		memcpy(ta, a + i, sizeof(ta));				\
		for (j = 0; j < TBLK; j++)				\
			td[j] = (expr);					\
		memcpy(dst + i, td, sizeof(td));			\
	}

/**
 * chipc_tile_binary() - element-wise tile operation
 * @op: CHIPC_T_*
 * @dst: destination, @n elements
 * @a: first operand (unused by CHIPC_T_FILL; may be NULL there)
 * @b: second operand of the tile-tile forms; unused (may be NULL) by the
 *	scalar forms, CHIPC_T_EXP and CHIPC_T_FILL
 * @s: bit pattern of the scalar operand of the *S forms and CHIPC_T_FILL
 * @n: number of elements
 *
 * dst[i] = op(a[i], b[i] or @s).  Operands may alias: each block of 16
 * elements is read before it is written.  MAX yields a[i] when it compares
 * greater than b[i] and b[i] otherwise; MIN yields a[i] when it compares
 * less than b[i] and b[i] otherwise (so a NaN in b propagates, one in a
 * does not).
 */
void chipc_tile_binary(enum chipc_tile_op op, float *dst, const float *a,
		       const float *b, u32 s, u32 n)
{
	float ta[TBLK], tb[TBLK], td[TBLK];
	float sf = f32_of(s);
	u32 i = 0, j, m;

	switch (op) {
	case CHIPC_T_ADD:
		TILE_LOOP2(ta[j] + tb[j]);
		break;
	case CHIPC_T_SUB:
		TILE_LOOP2(ta[j] - tb[j]);
		break;
	case CHIPC_T_MUL:
		TILE_LOOP2(ta[j] * tb[j]);
		break;
	case CHIPC_T_DIV:
		TILE_LOOP2(ta[j] / tb[j]);
		break;
	case CHIPC_T_MAX:
		TILE_LOOP2(ta[j] > tb[j] ? ta[j] : tb[j]);
		break;
	case CHIPC_T_MIN:
		TILE_LOOP2(ta[j] < tb[j] ? ta[j] : tb[j]);
		break;
	case CHIPC_T_ADDS:
		TILE_LOOP1(ta[j] + sf);
		break;
	case CHIPC_T_SUBS:
		TILE_LOOP1(ta[j] - sf);
		break;
	case CHIPC_T_MULS:
		TILE_LOOP1(ta[j] * sf);
		break;
	case CHIPC_T_DIVS:
		TILE_LOOP1(ta[j] / sf);
		break;
	case CHIPC_T_EXP:
		for (; n - i >= TBLK; i += TBLK) {
			memcpy(ta, a + i, sizeof(ta));
			exp_block(td, ta);
			memcpy(dst + i, td, sizeof(td));
		}
		break;
	case CHIPC_T_FILL:
		for (j = 0; j < TBLK; j++)
			td[j] = sf;
		for (; n - i >= TBLK; i += TBLK)
			memcpy(dst + i, td, sizeof(td));
		break;
	}
	if (i < n) {
		/* the tail, padded with zeros */
		m = n - i;
		memset(ta, 0, sizeof(ta));
		memset(tb, 0, sizeof(tb));
		if (op != CHIPC_T_FILL)
			memcpy(ta, a + i, m * sizeof(float));
		if (op <= CHIPC_T_MIN)
			memcpy(tb, b + i, m * sizeof(float));
		binary_block(op, td, ta, tb, sf);
		memcpy(dst + i, td, m * sizeof(float));
	}
}

/**
 * chipc_tile_sum() - sum of a tile, in index order
 * @a: @n elements
 * @n: number of elements
 *
 * ((a[0] + a[1]) + a[2]) + ..., starting from +0.0; each addition rounded.
 *
 * Return: bit pattern of the sum (+0.0 for @n == 0).
 */
u32 chipc_tile_sum(const float *a, u32 n)
{
	float acc = 0.0f;
	u32 i, r;

	for (i = 0; i < n; i++)
		acc += a[i];
	r = bits_of(acc);
	return r;
}

/**
 * chipc_tile_max() - maximum of a tile, in index order
 * @a: @n elements
 * @n: number of elements
 *
 * m = a[0]; then for each i, m = a[i] if a[i] compares greater than m.
 * A NaN is therefore never picked unless it is a[0].
 *
 * Return: bit pattern of the maximum (-inf for @n == 0).
 */
u32 chipc_tile_max(const float *a, u32 n)
{
	float m;
	u32 i, r;

	if (!n)
		return 0xff800000u;
	m = a[0];
	for (i = 1; i < n; i++)
		m = a[i] > m ? a[i] : m;
	r = bits_of(m);
	return r;
}

/**
 * chipc_tile_mma() - matrix multiply-accumulate
 * @c: @m x @n accumulator, row-major
 * @a: @m x @k, row-major
 * @b: @k x @n, row-major
 * @m: rows of @a and @c
 * @k: columns of @a, rows of @b
 * @n: columns of @b and @c
 *
 * c[i][j] += a[i][p] * b[p][j] for p = 0, 1, ..., k - 1 in that order,
 * each product and sum rounded separately.  The accumulator must not
 * overlap @a or @b.
 */
void chipc_tile_mma(float *c, const float *a, const float *b, u32 m, u32 k,
		    u32 n)
{
	float cb[TBLK], bb[TBLK];
	u32 i, p, j, w, l;

	for (i = 0; i < m; i++) {
		float *crow = c + (size_t)i * n;
		const float *arow = a + (size_t)i * k;

		for (j = 0; j < n; j += w) {
			w = CHIPC_MIN(n - j, (u32)TBLK);
			memset(cb, 0, sizeof(cb));
			memset(bb, 0, sizeof(bb));
			memcpy(cb, crow + j, w * sizeof(float));
			for (p = 0; p < k; p++) {
				float av = arow[p];

				memcpy(bb, b + (size_t)p * n + j,
				       w * sizeof(float));
				for (l = 0; l < TBLK; l++)
					cb[l] += av * bb[l];
			}
			memcpy(crow + j, cb, w * sizeof(float));
		}
	}
}
