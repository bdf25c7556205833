// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The argument blob: the core's parser and libchip's builder/encoder.
 */
#include <errno.h>
#include "helpers.h"
#include "chip/chip.h"
#include "chipc.h"

#define MAXBLOB	CHIP_ARGS_MAX_SIZE

/* A blob of @t tensors (float32, shape {4}) and @s scalars. */
static size_t make_blob(uint8_t *buf, uint32_t t, uint32_t s)
{
	struct chip_args_hdr h = { t, s };
	struct chip_tensor_arg ta;
	uint64_t v;
	uint32_t i;

	memcpy(buf, &h, 8);
	for (i = 0; i < t; i++) {
		memset(&ta, 0, sizeof(ta));
		ta.addr = 0x1000 + 64ull * i;
		ta.shape[0] = 4;
		ta.ndims = 1;
		ta.dtype = CHIP_DT_FLOAT32;
		memcpy(buf + 8 + 40 * i, &ta, 40);
	}
	for (i = 0; i < s; i++) {
		v = 100 + i;
		memcpy(buf + 8 + 40 * t + 8 * i, &v, 8);
	}
	return (size_t)chipc_args_size(t, s);
}

static struct chip_tensor_arg *T0(uint8_t *buf)
{
	return (struct chip_tensor_arg *)(buf + 8);
}

static int t_sizes(void)
{
	CHECK_EQ(sizeof(struct chip_args_hdr), 8);
	CHECK_EQ(sizeof(struct chip_tensor_arg), 40);
	CHECK_EQ(chipc_args_size(0, 0), 8);
	CHECK_EQ(chipc_args_size(1, 1), 56);
	CHECK_EQ(chipc_args_size(256, 128), MAXBLOB);
	CHECK_EQ(MAXBLOB, 11272);
	CHECK_U64(chipc_args_size(0xffffffffu, 0xffffffffu),
		  8 + 40ull * 0xffffffffu + 8ull * 0xffffffffu);
	return 0;
}

static int t_dtypes(void)
{
	static const uint32_t want[CHIP_DT_COUNT] = {
		4, 2, 4, 2, 1, 1, 2, 8, 8, 2, 4,
	};
	uint32_t i;

	for (i = 0; i < CHIP_DT_COUNT; i++)
		CHECK_EQ(chipc_dtype_size(i), want[i]);
	CHECK_EQ(chipc_dtype_size(CHIP_DT_COUNT), 0);
	CHECK_EQ(chipc_dtype_size(255), 0);
	CHECK_EQ(chipc_dtype_size(0xffffffffu), 0);
	return 0;
}

static int t_short_and_counts(void)
{
	static uint8_t buf[MAXBLOB + 64];
	struct chipc_args a;
	struct chip_args_hdr h;
	uint32_t n;

	memset(buf, 0, sizeof(buf));
	for (n = 0; n < 8; n++)
		CHECK_EQ(chipc_args_parse(buf, n, &a), -EINVAL);
	CHECK_EQ(chipc_args_parse(NULL, 8, &a), -EINVAL);
	CHECK_EQ(chipc_args_parse(buf, 8, &a), 0);	/* empty is fine */
	CHECK_EQ(a.tensor_count, 0);
	CHECK_EQ(a.scalar_count, 0);

	/* T = -1 style huge counts */
	h.tensor_count = 0xffffffffu;
	h.scalar_count = 0;
	memcpy(buf, &h, 8);
	CHECK_EQ(chipc_args_parse(buf, sizeof(buf), &a), -E2BIG);
	h.tensor_count = 0;
	h.scalar_count = 0xffffffffu;
	memcpy(buf, &h, 8);
	CHECK_EQ(chipc_args_parse(buf, sizeof(buf), &a), -E2BIG);
	h.tensor_count = 0x80000000u;
	h.scalar_count = 0x80000000u;
	memcpy(buf, &h, 8);
	CHECK_EQ(chipc_args_parse(buf, 8, &a), -E2BIG);
	/* one over each maximum */
	make_blob(buf, 256, 128);
	h.tensor_count = 257;
	h.scalar_count = 0;
	memcpy(buf, &h, 8);
	CHECK_EQ(chipc_args_parse(buf, chipc_args_size(257, 0), &a), -E2BIG);
	h.tensor_count = 0;
	h.scalar_count = 129;
	memcpy(buf, &h, 8);
	CHECK_EQ(chipc_args_parse(buf, chipc_args_size(0, 129), &a), -E2BIG);
	return 0;
}

static int t_size_mismatch(void)
{
	static uint8_t buf[MAXBLOB + 64];
	struct chipc_args a;
	size_t len;

	memset(buf, 0, sizeof(buf));
	len = make_blob(buf, 3, 2);
	CHECK_EQ(len, 8 + 120 + 16);
	CHECK_EQ(chipc_args_parse(buf, len, &a), 0);
	CHECK_EQ(chipc_args_parse(buf, len - 1, &a), -EINVAL);
	CHECK_EQ(chipc_args_parse(buf, len + 1, &a), -EINVAL);
	CHECK_EQ(chipc_args_parse(buf, len - 8, &a), -EINVAL);
	CHECK_EQ(chipc_args_parse(buf, len + 8, &a), -EINVAL);
	CHECK_EQ(chipc_args_parse(buf, 8, &a), -EINVAL);
	CHECK_EQ(chipc_args_parse(buf, ~0ull, &a), -EINVAL);
	return 0;
}

static int t_max_blob(void)
{
	uint8_t *buf = malloc(MAXBLOB);	/* exactly sized */
	struct chipc_args a;
	size_t len;

	CHECK(buf);
	len = make_blob(buf, CHIP_MAX_TENSOR_ARGS, CHIP_MAX_SCALAR_ARGS);
	CHECK_EQ(len, MAXBLOB);
	CHECK_EQ(chipc_args_parse(buf, len, &a), 0);
	CHECK_EQ(a.tensor_count, 256);
	CHECK_EQ(a.scalar_count, 128);
	CHECK(a.tensors == (const void *)(buf + 8));
	CHECK(a.scalars == (const void *)(buf + 8 + 40 * 256));
	CHECK_U64(a.tensors[255].addr, 0x1000 + 64 * 255);
	CHECK_U64(a.scalars[0], 100);
	CHECK_U64(a.scalars[127], 227);
	free(buf);
	return 0;
}

/* Mutate tensor 0 of a one-tensor blob; return the parser's verdict. */
static int parse_mut(void (*mut)(struct chip_tensor_arg *t))
{
	uint8_t buf[64];
	struct chipc_args a;
	size_t len = make_blob(buf, 1, 0);

	mut(T0(buf));
	return chipc_args_parse(buf, len, &a);
}

static void m_none(struct chip_tensor_arg *t)
{
	(void)t;
}

static void m_flags(struct chip_tensor_arg *t)
{
	t->flags = 1;
}

static void m_pad0(struct chip_tensor_arg *t)
{
	t->pad[0] = 1;
}

static void m_pad5(struct chip_tensor_arg *t)
{
	t->pad[5] = 0x80;
}

static void m_ndims0(struct chip_tensor_arg *t)
{
	t->ndims = 0;
}

static void m_ndims6(struct chip_tensor_arg *t)
{
	int i;

	for (i = 0; i < 5; i++)
		t->shape[i] = 1;
	t->ndims = 6;
}

static void m_ndims_huge(struct chip_tensor_arg *t)
{
	t->ndims = ~0u;
}

static void m_ndims5(struct chip_tensor_arg *t)
{
	int i;

	for (i = 0; i < 5; i++)
		t->shape[i] = 2;
	t->ndims = 5;
}

static void m_dtype(struct chip_tensor_arg *t)
{
	t->dtype = CHIP_DT_COUNT;
}

static void m_dtype255(struct chip_tensor_arg *t)
{
	t->dtype = 255;
}

static void m_dtype_last(struct chip_tensor_arg *t)
{
	t->dtype = CHIP_DT_COUNT - 1;
}

static void m_shape_zero(struct chip_tensor_arg *t)
{
	t->shape[0] = 0;
}

static void m_shape_past(struct chip_tensor_arg *t)
{
	t->shape[1] = 3;
}

static void m_shape_past_last(struct chip_tensor_arg *t)
{
	t->shape[4] = 1;
}

static void m_shape_zero_mid(struct chip_tensor_arg *t)
{
	t->ndims = 3;
	t->shape[1] = 0;
	t->shape[2] = 5;
}

static void m_overflow(struct chip_tensor_arg *t)
{
	int i;

	for (i = 0; i < 5; i++)
		t->shape[i] = 0xffffffffu;
	t->ndims = 5;
}

static void m_exact_2_64(struct chip_tensor_arg *t)
{
	int i;

	for (i = 0; i < 4; i++)
		t->shape[i] = 65536;	/* 2^64 elements of 1 byte */
	t->ndims = 4;
	t->dtype = CHIP_DT_UINT8;
}

static void m_below_2_64(struct chip_tensor_arg *t)
{
	m_exact_2_64(t);
	t->shape[3] = 65535;
}

static void m_below_2_64_x2(struct chip_tensor_arg *t)
{
	m_below_2_64(t);
	t->dtype = CHIP_DT_INT16;
}

static void m_addr_any(struct chip_tensor_arg *t)
{
	t->addr = ~0ull;
}

static int t_tensor_rules(void)
{
	static const struct {
		const char *name;
		void (*mut)(struct chip_tensor_arg *t);
		int rc;
	} cases[] = {
		{ "none", m_none, 0 },
		{ "flags", m_flags, -EINVAL },
		{ "pad0", m_pad0, -EINVAL },
		{ "pad5", m_pad5, -EINVAL },
		{ "ndims0", m_ndims0, -EINVAL },
		{ "ndims6", m_ndims6, -EINVAL },
		{ "ndims_huge", m_ndims_huge, -EINVAL },
		{ "ndims5", m_ndims5, 0 },
		{ "dtype", m_dtype, -EINVAL },
		{ "dtype255", m_dtype255, -EINVAL },
		{ "dtype_last", m_dtype_last, 0 },
		{ "shape_zero", m_shape_zero, -EINVAL },
		{ "shape_past", m_shape_past, -EINVAL },
		{ "shape_past_last", m_shape_past_last, -EINVAL },
		{ "shape_zero_mid", m_shape_zero_mid, -EINVAL },
		{ "overflow", m_overflow, -EINVAL },
		{ "exact_2_64", m_exact_2_64, -EINVAL },
		{ "below_2_64", m_below_2_64, 0 },
		{ "below_2_64_x2", m_below_2_64_x2, -EINVAL },
		{ "addr_any", m_addr_any, 0 },
	};
	size_t i;

	for (i = 0; i < CHIPC_ARRAY_SIZE(cases); i++) {
		int rc = parse_mut(cases[i].mut);

		if (rc != cases[i].rc) {
			fprintf(stderr, "case %s: %d != %d\n", cases[i].name,
				rc, cases[i].rc);
			return 1;
		}
	}
	return 0;
}

/* A bad tensor anywhere is found, not only the first. */
static int t_bad_last_tensor(void)
{
	static uint8_t buf[MAXBLOB];
	struct chip_tensor_arg *t;
	struct chipc_args a;
	size_t len = make_blob(buf, 256, 1);

	t = (struct chip_tensor_arg *)(buf + 8 + 40 * 255);
	t->pad[2] = 1;
	CHECK_EQ(chipc_args_parse(buf, len, &a), -EINVAL);
	return 0;
}

static int t_tensor_bytes(void)
{
	struct chip_tensor_arg t;

	memset(&t, 0, sizeof(t));
	t.ndims = 3;
	t.shape[0] = 2;
	t.shape[1] = 3;
	t.shape[2] = 4;
	t.dtype = CHIP_DT_FLOAT32;
	CHECK_U64(chipc_tensor_bytes(&t), 96);
	t.dtype = CHIP_DT_FLOAT16;
	CHECK_U64(chipc_tensor_bytes(&t), 48);
	t.dtype = CHIP_DT_INT8;
	CHECK_U64(chipc_tensor_bytes(&t), 24);
	t.dtype = CHIP_DT_UINT64;
	CHECK_U64(chipc_tensor_bytes(&t), 192);
	memset(&t, 0, sizeof(t));
	t.ndims = 1;
	t.shape[0] = 16384;
	t.dtype = CHIP_DT_FLOAT32;
	CHECK_U64(chipc_tensor_bytes(&t), 65536);
	t.ndims = 5;
	t.shape[0] = 0xffffffffu;
	t.shape[1] = 0xffffffffu;
	t.shape[2] = 1;
	t.shape[3] = 1;
	t.shape[4] = 1;
	t.dtype = CHIP_DT_UINT8;
	CHECK_U64(chipc_tensor_bytes(&t), 0xfffffffe00000001ull);
	return 0;
}

static int t_unaligned_blob(void)
{
	static uint8_t buf[256];
	struct chipc_args a;
	size_t len = make_blob(buf + 1, 2, 3);

	CHECK_EQ(chipc_args_parse(buf + 1, len, &a), 0);
	CHECK_EQ(a.tensor_count, 2);
	CHECK_EQ(a.scalar_count, 3);
	return 0;
}

static int t_builder(void)
{
	static struct chip_args a;
	uint32_t shape[6] = { 2, 3, 4, 5, 6, 7 };
	uint32_t i;

	chip_args_init(&a);
	CHECK_EQ(a.tensor_count, 0);
	CHECK_EQ(a.scalar_count, 0);
	CHECK_EQ(chip_args_add_tensor(&a, 0x1000, CHIP_DT_FLOAT32, 0, shape),
		 -EINVAL);
	CHECK_EQ(chip_args_add_tensor(&a, 0x1000, CHIP_DT_FLOAT32, 6, shape),
		 -EINVAL);
	CHECK_EQ(chip_args_add_tensor(&a, 0x1000, CHIP_DT_COUNT, 1, shape),
		 -EINVAL);
	CHECK_EQ(chip_args_add_tensor(&a, 0x1000, CHIP_DT_FLOAT32, 1, NULL),
		 -EINVAL);
	shape[1] = 0;
	CHECK_EQ(chip_args_add_tensor(&a, 0x1000, CHIP_DT_FLOAT32, 2, shape),
		 -EINVAL);
	shape[1] = 3;
	CHECK_EQ(a.tensor_count, 0);
	CHECK_EQ(chip_args_add_tensor(NULL, 0, 0, 1, shape), -EINVAL);

	for (i = 0; i < CHIP_MAX_TENSOR_ARGS; i++)
		CHECK_EQ(chip_args_add_tensor(&a, 64ull * i, i % CHIP_DT_COUNT,
					      1 + i % 5, shape), 0);
	CHECK_EQ(chip_args_add_tensor(&a, 0, CHIP_DT_FLOAT32, 1, shape),
		 -E2BIG);
	CHECK_EQ(a.tensor_count, CHIP_MAX_TENSOR_ARGS);
	for (i = 0; i < CHIP_MAX_SCALAR_ARGS; i++)
		CHECK_EQ(chip_args_add_scalar(&a, i * 3ull), 0);
	CHECK_EQ(chip_args_add_scalar(&a, 0), -E2BIG);
	CHECK_EQ(a.scalar_count, CHIP_MAX_SCALAR_ARGS);
	/* entries past ndims are zero */
	CHECK_EQ(a.tensors[0].ndims, 1);
	CHECK_EQ(a.tensors[0].shape[0], 2);
	CHECK_EQ(a.tensors[0].shape[1], 0);
	CHECK_EQ(a.tensors[4].ndims, 5);
	CHECK_EQ(a.tensors[4].shape[4], 6);
	return 0;
}

static int t_round_trip(void)
{
	static struct chip_args a;
	static uint8_t buf[MAXBLOB];
	const uint32_t s1[1] = { 16384 };
	const uint32_t s3[3] = { 2, 3, 4 };
	struct chipc_args p;
	long n;

	chip_args_init(&a);
	CHECK_EQ(chip_args_add_tensor(&a, 0x10000, CHIP_DT_FLOAT32, 1, s1), 0);
	CHECK_EQ(chip_args_add_tensor(&a, 0x20040, CHIP_DT_INT16, 3, s3), 0);
	CHECK_EQ(chip_args_add_scalar(&a, 0xdeadbeefcafebabeull), 0);
	CHECK_EQ(chip_args_add_scalar(&a, 7), 0);

	n = chip_args_encode(&a, buf, sizeof(buf));
	CHECK_EQ(n, 8 + 80 + 16);
	CHECK_EQ(chip_args_encode(&a, buf, (size_t)n - 1), -ENOSPC);
	CHECK_EQ(chip_args_encode(&a, buf, 0), -ENOSPC);
	CHECK_EQ(chip_args_encode(&a, buf, (size_t)n), n);
	CHECK_EQ(chipc_args_parse(buf, (u64)n, &p), 0);
	CHECK_EQ(p.tensor_count, 2);
	CHECK_EQ(p.scalar_count, 2);
	CHECK_U64(p.tensors[0].addr, 0x10000);
	CHECK_EQ(p.tensors[0].ndims, 1);
	CHECK_EQ(p.tensors[0].shape[0], 16384);
	CHECK_EQ(p.tensors[0].dtype, CHIP_DT_FLOAT32);
	CHECK_U64(chipc_tensor_bytes(&p.tensors[0]), 65536);
	CHECK_U64(p.tensors[1].addr, 0x20040);
	CHECK_EQ(p.tensors[1].ndims, 3);
	CHECK_EQ(p.tensors[1].shape[2], 4);
	CHECK_EQ(p.tensors[1].shape[3], 0);
	CHECK_U64(chipc_tensor_bytes(&p.tensors[1]), 48);
	CHECK_U64(p.scalars[0], 0xdeadbeefcafebabeull);
	CHECK_U64(p.scalars[1], 7);
	CHECK(!memcmp(p.tensors, a.tensors, 2 * sizeof(a.tensors[0])));

	/* The empty argument set. */
	chip_args_init(&a);
	CHECK_EQ(chip_args_encode(&a, buf, sizeof(buf)), 8);
	CHECK_EQ(chipc_args_parse(buf, 8, &p), 0);
	/* A hand-corrupted struct is refused, not encoded. */
	a.tensor_count = 257;
	CHECK_EQ(chip_args_encode(&a, buf, sizeof(buf)), -E2BIG);
	CHECK_EQ(chip_args_encode(NULL, buf, sizeof(buf)), -EINVAL);
	return 0;
}

static int t_round_trip_max(void)
{
	static struct chip_args a;
	static uint8_t buf[MAXBLOB];
	const uint32_t s[2] = { 8, 8 };
	struct chipc_args p;
	uint32_t i;
	long n;

	chip_args_init(&a);
	for (i = 0; i < CHIP_MAX_TENSOR_ARGS; i++)
		CHECK_EQ(chip_args_add_tensor(&a, 0x1000ull * i,
					      CHIP_DT_UINT32, 2, s), 0);
	for (i = 0; i < CHIP_MAX_SCALAR_ARGS; i++)
		CHECK_EQ(chip_args_add_scalar(&a, ~0ull - i), 0);
	n = chip_args_encode(&a, buf, sizeof(buf));
	CHECK_EQ(n, MAXBLOB);
	CHECK_EQ(chipc_args_parse(buf, (u64)n, &p), 0);
	CHECK_EQ(p.tensor_count, 256);
	CHECK_EQ(p.scalar_count, 128);
	for (i = 0; i < CHIP_MAX_TENSOR_ARGS; i++)
		CHECK_U64(p.tensors[i].addr, 0x1000ull * i);
	for (i = 0; i < CHIP_MAX_SCALAR_ARGS; i++)
		CHECK_U64(p.scalars[i], ~0ull - i);
	return 0;
}

int main(void)
{
	T_RUN(t_sizes);
	T_RUN(t_dtypes);
	T_RUN(t_short_and_counts);
	T_RUN(t_size_mismatch);
	T_RUN(t_max_blob);
	T_RUN(t_tensor_rules);
	T_RUN(t_bad_last_tensor);
	T_RUN(t_tensor_bytes);
	T_RUN(t_unaligned_blob);
	T_RUN(t_builder);
	T_RUN(t_round_trip);
	T_RUN(t_round_trip_max);
	return T_DONE();
}
