// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * tile.c: scalar binary32 helpers bit-identical to native C float, exp
 * within 2 ulp of libm's expf, and the tile loops against C references.
 */
#include <math.h>
#include "helpers.h"
#include "chipc.h"

static u64 rng = 0x9e3779b97f4a7c15ull;

static u32 rnd32(void)
{
	return (u32)(t_xorshift64(&rng) >> 11);
}

/* A random float: mostly ordinary values, some special bit patterns. */
static u32 rnd_f32(void)
{
	static const u32 special[] = {
		0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000,
		0xffc00000, 0x7f800001, 0x7fa00000, 0x00000001, 0x807fffff,
		0x00800000, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000,
	};
	u32 r = rnd32();

	if ((r & 15) == 0)
		return special[rnd32() % CHIPC_ARRAY_SIZE(special)];
	if ((r & 15) == 1)
		return rnd32();			/* any bit pattern */
	/* exponent near 1.0 so that operations interact */
	return (rnd32() & 0x807fffffu) | ((120u + rnd32() % 16) << 23);
}

/* Distance in ulps between two finite floats (as ordered integers). */
static s64 ulps(float a, float b)
{
	s64 ia = (s32)bits(a), ib = (s32)bits(b);

	if (ia < 0)
		ia = (s64)INT32_MIN - ia;
	if (ib < 0)
		ib = (s64)INT32_MIN - ib;
	return ia > ib ? ia - ib : ib - ia;
}

/*
 * @got is @want, or both operands are NaNs and @got is one of them,
 * quieted: x86 returns the first operand's NaN, and a compiler may swap
 * the operands of a commutative operation (clang does).
 */
static int same_or_nan(u32 got, u32 want, u32 a, u32 b)
{
	if (got == want)
		return 1;
	return isnan(flt(a)) && isnan(flt(b)) &&
	       (got == (a | 0x400000u) || got == (b | 0x400000u));
}

static int test_scalar_ops_bit_identical(void)
{
	volatile float x, y;	/* computed by the compiler's own code */
	int i;

	for (i = 0; i < 2000000; i++) {
		u32 a = rnd_f32(), b = rnd_f32();

		x = flt(a);
		y = flt(b);
		CHECK(same_or_nan(chipc_f32_add(a, b), bits(x + y), a, b));
		CHECK_U64(chipc_f32_sub(a, b), bits(x - y));
		CHECK(same_or_nan(chipc_f32_mul(a, b), bits(x * y), a, b));
		CHECK_U64(chipc_f32_div(a, b), bits(x / y));
	}
	return 0;
}

static int test_scalar_ops_specials(void)
{
	/* exact, rounded to nearest even */
	CHECK_U64(chipc_f32_add(bits(1.0f), bits(0x1p-24f)), bits(1.0f));
	CHECK_U64(chipc_f32_add(bits(1.0f), bits(0x1.8p-24f)),
		  bits(1.0f + 0x1p-23f));
	CHECK_U64(chipc_f32_add(bits(0.1f), bits(0.2f)), bits(0.1f + 0.2f));
	CHECK_U64(chipc_f32_div(bits(1.0f), bits(0.0f)), 0x7f800000);
	CHECK_U64(chipc_f32_div(bits(-1.0f), bits(0.0f)), 0xff800000);
	CHECK(isnan(flt(chipc_f32_div(0, 0))));
	CHECK(isnan(flt(chipc_f32_sub(0x7f800000, 0x7f800000))));
	CHECK_U64(chipc_f32_mul(bits(0x1p-100f), bits(0x1p-49f)), 1);
	CHECK_U64(chipc_f32_mul(0x7f7fffff, bits(2.0f)), 0x7f800000);
	CHECK_U64(chipc_f32_add(0x80000000, 0x80000000), 0x80000000);
	CHECK_U64(chipc_f32_add(0x80000000, 0), 0);
	return 0;
}

static float exp_of(float x)
{
	return flt(chipc_f32_exp(bits(x)));
}

static int test_exp_sweep(void)
{
	s64 worst = 0;
	float at = 0;
	u32 u;
	int i;

	/* a dense sweep of [-87, 88] */
	for (i = 0; i <= 1750000; i++) {
		float x = -87.0f + (float)i * 1e-4f;
		s64 d = ulps(exp_of(x), expf(x));

		if (d > worst) {
			worst = d;
			at = x;
		}
	}
	/* every float in [0.5, 1) and [-1, -0.5), a stride elsewhere */
	for (u = 0x3f000000; u < 0x3f800000; u += 7) {
		s64 d = ulps(exp_of(flt(u)), expf(flt(u)));
		s64 e = ulps(exp_of(-flt(u)), expf(-flt(u)));

		if (d > worst || e > worst) {
			worst = d > e ? d : e;
			at = flt(u);
		}
	}
	for (i = 0; i < 1000000; i++) {
		float x = flt(rnd32());

		if (!(x >= -87.0f && x <= 88.0f))
			continue;
		if (ulps(exp_of(x), expf(x)) > worst) {
			worst = ulps(exp_of(x), expf(x));
			at = x;
		}
	}
	if (worst > 2)
		fprintf(stderr, "exp: %lld ulp at %a\n", (long long)worst,
			(double)at);
	CHECK(worst <= 2);
	/* tiny arguments: exp(x) rounds to 1 or its neighbours */
	CHECK_U64(chipc_f32_exp(bits(1e-10f)), bits(1.0f));
	CHECK_U64(chipc_f32_exp(bits(-1e-10f)), bits(1.0f));
	CHECK(ulps(exp_of(0x1p-24f), expf(0x1p-24f)) <= 1);
	return 0;
}

/* Subnormal results and the overflow edge. */
static int test_exp_edges(void)
{
	float x;
	s64 worst = 0;

	for (x = -103.9f; x < -87.0f; x += 0.001f) {
		float r = exp_of(x), ref = expf(x);
		s64 d = ulps(r, ref);

		if (d > worst)
			worst = d;
	}
	CHECK(worst <= 2);
	for (x = 88.0f; x < 88.72f; x += 1e-5f)
		CHECK(ulps(exp_of(x), expf(x)) <= 2);
	CHECK(isfinite(exp_of(88.72f)));
	CHECK_U64(chipc_f32_exp(bits(88.7229f)), 0x7f800000);
	CHECK_U64(chipc_f32_exp(bits(88.8f)), 0x7f800000);
	CHECK_U64(chipc_f32_exp(bits(89.0f)), 0x7f800000);
	CHECK_U64(chipc_f32_exp(bits(1000.0f)), 0x7f800000);
	CHECK_U64(chipc_f32_exp(bits(3e38f)), 0x7f800000);
	CHECK_U64(chipc_f32_exp(bits(-104.0f)), 0);
	CHECK_U64(chipc_f32_exp(bits(-200.0f)), 0);
	CHECK_U64(chipc_f32_exp(bits(-3e38f)), 0);
	CHECK(exp_of(-103.0f) > 0.0f);		/* subnormal, not flushed */
	CHECK(exp_of(-103.0f) < 0x1p-126f);
	return 0;
}

static int test_exp_specials(void)
{
	CHECK_U64(chipc_f32_exp(0x7f800000), 0x7f800000);	/* +inf */
	CHECK_U64(chipc_f32_exp(0xff800000), 0);		/* -inf */
	CHECK_U64(chipc_f32_exp(0), bits(1.0f));
	CHECK_U64(chipc_f32_exp(0x80000000), bits(1.0f));
	CHECK_U64(chipc_f32_exp(1), bits(1.0f));		/* subnormal */
	CHECK_U64(chipc_f32_exp(0x7fc00000), 0x7fc00000);
	CHECK_U64(chipc_f32_exp(0xffc00000), 0xffc00000);
	CHECK_U64(chipc_f32_exp(0x7f800001), 0x7fc00001);	/* quieted */
	CHECK_U64(chipc_f32_exp(0xff812345), 0xffc12345);
	CHECK(ulps(exp_of(1.0f), 2.71828182845904523f) <= 1);
	CHECK(ulps(exp_of(-1.0f), 0.36787944117144233f) <= 1);
	CHECK(ulps(exp_of(0.69314718f), 2.0f) <= 1);
	CHECK(ulps(exp_of(10.0f), 22026.4657948067f) <= 1);
	return 0;
}

#define N 1003	/* not a multiple of the block size */

static void fill_rand(float *p, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		p[i] = flt(rnd_f32());
}

static float ref_op(enum chipc_tile_op op, float a, float b, float s)
{
	switch (op) {
	case CHIPC_T_ADD: return a + b;
	case CHIPC_T_SUB: return a - b;
	case CHIPC_T_MUL: return a * b;
	case CHIPC_T_DIV: return a / b;
	case CHIPC_T_MAX: return a > b ? a : b;
	case CHIPC_T_MIN: return a < b ? a : b;
	case CHIPC_T_ADDS: return a + s;
	case CHIPC_T_SUBS: return a - s;
	case CHIPC_T_MULS: return a * s;
	case CHIPC_T_DIVS: return a / s;
	case CHIPC_T_EXP: return flt(chipc_f32_exp(bits(a)));
	case CHIPC_T_FILL: return s;
	}
	return 0;
}

static int test_tile_binary(void)
{
	static float a[N], b[N], d[N], e[N];
	enum chipc_tile_op op;
	u32 n, i;

	for (op = CHIPC_T_ADD; op <= CHIPC_T_FILL; op++) {
		for (n = 0; n < 40; n += 13) {
			u32 len = n == 39 ? N : n;
			u32 s = rnd_f32();

			fill_rand(a, N);
			fill_rand(b, N);
			fill_rand(d, N);
			memcpy(e, d, sizeof(e));
			chipc_tile_binary(op, d, a, b, s, len);
			for (i = 0; i < N; i++) {
				u32 want = i < len ?
					bits(ref_op(op, a[i], b[i], flt(s))) :
					bits(e[i]);

				if (bits(d[i]) != want)
					fprintf(stderr, "op %d n %u i %u\n", op,
						len, i);
				CHECK_U64(bits(d[i]), want);
			}
		}
	}
	return 0;
}

/* In-place (dst == a, dst == b) gives the same result as out of place. */
static int test_tile_alias(void)
{
	static float a[N], b[N], d[N], r[N];
	u32 i;

	fill_rand(a, N);
	fill_rand(b, N);
	chipc_tile_binary(CHIPC_T_SUB, r, a, b, 0, N);
	memcpy(d, a, sizeof(d));
	chipc_tile_binary(CHIPC_T_SUB, d, d, b, 0, N);
	for (i = 0; i < N; i++)
		CHECK_U64(bits(d[i]), bits(r[i]));
	memcpy(d, b, sizeof(d));
	chipc_tile_binary(CHIPC_T_SUB, d, a, d, 0, N);
	for (i = 0; i < N; i++)
		CHECK_U64(bits(d[i]), bits(r[i]));
	memcpy(d, a, sizeof(d));
	chipc_tile_binary(CHIPC_T_EXP, d, d, NULL, 0, N);
	for (i = 0; i < N; i++)
		CHECK_U64(bits(d[i]), chipc_f32_exp(bits(a[i])));
	return 0;
}

static int test_tile_sum_max(void)
{
	static float a[N];
	float acc, m;
	u32 i, n;

	for (n = 0; n <= N; n += 59) {
		for (i = 0; i < n; i++)
			a[i] = (float)(s32)(rnd32() % 2001 - 1000) *
			       flt((rnd32() & 0x007fffffu) | 0x3f800000u);
		acc = 0.0f;
		for (i = 0; i < n; i++)
			acc += a[i];
		CHECK_U64(chipc_tile_sum(a, n), bits(acc));
		if (n) {
			m = a[0];
			for (i = 1; i < n; i++)
				m = a[i] > m ? a[i] : m;
			CHECK_U64(chipc_tile_max(a, n), bits(m));
		}
	}
	CHECK_U64(chipc_tile_sum(a, 0), 0);
	CHECK_U64(chipc_tile_max(a, 0), 0xff800000);
	/* order matters: (1e8 + 1) - 1e8 == 0, (1e8 - 1e8) + 1 == 1 */
	a[0] = 1e8f;
	a[1] = 1.0f;
	a[2] = -1e8f;
	CHECK_U64(chipc_tile_sum(a, 3), bits(0.0f));
	a[1] = -1e8f;
	a[2] = 1.0f;
	CHECK_U64(chipc_tile_sum(a, 3), bits(1.0f));
	/* max skips NaNs after the first element, keeps -inf */
	a[0] = -INFINITY;
	a[1] = NAN;
	a[2] = -5.0f;
	CHECK_U64(chipc_tile_max(a, 3), bits(-5.0f));
	CHECK_U64(chipc_tile_max(a, 1), 0xff800000);
	return 0;
}

static int test_tile_mma(void)
{
	static const u32 dims[][3] = {
		{ 1, 1, 1 }, { 3, 5, 7 }, { 32, 32, 32 }, { 17, 33, 15 },
		{ 2, 0, 9 }, { 0, 4, 4 }, { 64, 8, 40 },
	};
	size_t t;

	for (t = 0; t < CHIPC_ARRAY_SIZE(dims); t++) {
		u32 m = dims[t][0], k = dims[t][1], n = dims[t][2], i, j, p;
		float *a = malloc((m * k + 1) * 4);
		float *b = malloc((k * n + 1) * 4);
		float *c = malloc((m * n + 1) * 4);
		float *r = malloc((m * n + 1) * 4);

		CHECK(a && b && c && r);
		for (i = 0; i < m * k; i++)
			a[i] = (float)(s32)(rnd32() % 200 - 100) / 7.0f;
		for (i = 0; i < k * n; i++)
			b[i] = (float)(s32)(rnd32() % 200 - 100) / 3.0f;
		for (i = 0; i < m * n; i++)
			c[i] = r[i] = (float)(s32)(rnd32() % 20 - 10);
		for (i = 0; i < m; i++)
			for (j = 0; j < n; j++)
				for (p = 0; p < k; p++)
					r[i * n + j] += a[i * k + p] *
							b[p * n + j];
		chipc_tile_mma(c, a, b, m, k, n);
		for (i = 0; i < m * n; i++)
			CHECK_U64(bits(c[i]), bits(r[i]));
		free(a);
		free(b);
		free(c);
		free(r);
	}
	return 0;
}

int main(void)
{
	T_RUN(test_scalar_ops_bit_identical);
	T_RUN(test_scalar_ops_specials);
	T_RUN(test_exp_sweep);
	T_RUN(test_exp_edges);
	T_RUN(test_exp_specials);
	T_RUN(test_tile_binary);
	T_RUN(test_tile_alias);
	T_RUN(test_tile_sum_max);
	T_RUN(test_tile_mma);
	return T_DONE();
}
