// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the argument blob codec (kernel/core/args.c).
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "chip_kunit_helpers.h"

/* A blob of @t tensors (1-D float32 of 16 elements) and @s scalars. */
static u8 *make_blob(struct kunit *test, u32 t, u32 s, u64 *len)
{
	u64 n = chipc_args_size(t, s);
	struct chip_args_hdr h = { .tensor_count = t, .scalar_count = s };
	u8 *b = kunit_kzalloc(test, n + 64, GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	memcpy(b, &h, sizeof(h));
	for (i = 0; i < t; i++) {
		struct chip_tensor_arg a = {
			.addr = 0x10000 + 0x100 * i,
			.shape = { 16 },
			.ndims = 1,
			.dtype = CHIP_DT_FLOAT32,
		};

		memcpy(b + 8 + 40 * i, &a, sizeof(a));
	}
	for (i = 0; i < s; i++) {
		u64 v = 1000 + i;

		memcpy(b + 8 + 40 * t + 8 * i, &v, sizeof(v));
	}
	*len = n;
	return b;
}

static struct chip_tensor_arg *tensor(u8 *blob, u32 i)
{
	return (struct chip_tensor_arg *)(blob + 8 + 40 * i);
}

/* The layout constants match the uAPI: 8 + 40 T + 8 S bytes. */
static void args_size_layout(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct chip_tensor_arg), (size_t)40);
	KUNIT_EXPECT_EQ(test, chipc_args_size(0, 0), 8ull);
	KUNIT_EXPECT_EQ(test, chipc_args_size(2, 3), 8ull + 80 + 24);
	KUNIT_EXPECT_EQ(test, chipc_args_size(CHIP_MAX_TENSOR_ARGS, CHIP_MAX_SCALAR_ARGS),
			(u64)CHIP_ARGS_MAX_SIZE);
}

/* A valid blob parses to its counts, with pointers into the blob itself. */
static void args_parse_valid(struct kunit *test)
{
	struct chipc_args a;
	u64 len;
	u8 *b = make_blob(test, 2, 3, &len);

	tensor(b, 1)->ndims = 3;
	tensor(b, 1)->shape[0] = 2;
	tensor(b, 1)->shape[1] = 3;
	tensor(b, 1)->shape[2] = 5;
	tensor(b, 1)->dtype = CHIP_DT_INT16;

	KUNIT_ASSERT_EQ(test, chipc_args_parse(b, len, &a), 0);
	KUNIT_EXPECT_EQ(test, a.tensor_count, 2u);
	KUNIT_EXPECT_EQ(test, a.scalar_count, 3u);
	KUNIT_EXPECT_PTR_EQ(test, (const void *)a.tensors, (const void *)(b + 8));
	KUNIT_EXPECT_PTR_EQ(test, (const void *)a.scalars, (const void *)(b + 88));
	KUNIT_EXPECT_EQ(test, a.tensors[0].addr, 0x10000ull);
	KUNIT_EXPECT_EQ(test, a.tensors[1].addr, 0x10100ull);
	KUNIT_EXPECT_EQ(test, a.scalars[0], 1000ull);
	KUNIT_EXPECT_EQ(test, a.scalars[2], 1002ull);
	KUNIT_EXPECT_EQ(test, chipc_tensor_bytes(&a.tensors[0]), 64ull);
	KUNIT_EXPECT_EQ(test, chipc_tensor_bytes(&a.tensors[1]), 2ull * 3 * 5 * 2);
}

/* The empty blob and the largest blob (256 tensors, 128 scalars) are valid. */
static void args_parse_limits(struct kunit *test)
{
	struct chipc_args a;
	u64 len;
	u8 *b;

	b = make_blob(test, 0, 0, &len);
	KUNIT_EXPECT_EQ(test, chipc_args_parse(b, len, &a), 0);
	KUNIT_EXPECT_EQ(test, a.tensor_count, 0u);
	KUNIT_EXPECT_EQ(test, a.scalar_count, 0u);

	b = make_blob(test, CHIP_MAX_TENSOR_ARGS, CHIP_MAX_SCALAR_ARGS, &len);
	KUNIT_EXPECT_EQ(test, chipc_args_parse(b, len, &a), 0);
	KUNIT_EXPECT_EQ(test, a.tensor_count, (u32)CHIP_MAX_TENSOR_ARGS);
	KUNIT_EXPECT_EQ(test, a.scalars[CHIP_MAX_SCALAR_ARGS - 1],
			1000ull + CHIP_MAX_SCALAR_ARGS - 1);
}

/* The 257th tensor and the 129th scalar are -E2BIG, whatever the length says. */
static void args_parse_too_many(struct kunit *test)
{
	struct chipc_args a;
	u64 len;
	u8 *b;

	b = make_blob(test, CHIP_MAX_TENSOR_ARGS + 1, 0, &len);
	KUNIT_EXPECT_EQ(test, chipc_args_parse(b, len, &a), -E2BIG);
	b = make_blob(test, 0, CHIP_MAX_SCALAR_ARGS + 1, &len);
	KUNIT_EXPECT_EQ(test, chipc_args_parse(b, len, &a), -E2BIG);
	/* huge counts in a short blob: no read past the header */
	b = make_blob(test, 0, 0, &len);
	((struct chip_args_hdr *)b)->tensor_count = 0xffffffffu;
	KUNIT_EXPECT_EQ(test, chipc_args_parse(b, len, &a), -E2BIG);
}

/* Every element type has its size; unknown types have size 0. */
static void args_dtype_sizes(struct kunit *test)
{
	static const u32 sizes[CHIP_DT_COUNT] = {
		[CHIP_DT_FLOAT32] = 4, [CHIP_DT_FLOAT16] = 2, [CHIP_DT_INT32] = 4,
		[CHIP_DT_INT16] = 2, [CHIP_DT_INT8] = 1, [CHIP_DT_UINT8] = 1,
		[CHIP_DT_BFLOAT16] = 2, [CHIP_DT_INT64] = 8, [CHIP_DT_UINT64] = 8,
		[CHIP_DT_UINT16] = 2, [CHIP_DT_UINT32] = 4,
	};
	u32 i;

	for (i = 0; i < CHIP_DT_COUNT; i++)
		KUNIT_EXPECT_EQ_MSG(test, chipc_dtype_size(i), sizes[i], "dtype %u", i);
	KUNIT_EXPECT_EQ(test, chipc_dtype_size(CHIP_DT_COUNT), 0u);
	KUNIT_EXPECT_EQ(test, chipc_dtype_size(255), 0u);
	KUNIT_EXPECT_EQ(test, chipc_dtype_size(0xffffffffu), 0u);
}

/*
 * The byte extent is exact up to 2^64 - 1 and an extent that does not fit
 * in 64 bits makes the tensor invalid.
 */
static void args_tensor_extent_overflow(struct kunit *test)
{
	struct chip_tensor_arg t = {
		.shape = { 0xffffffffu, 0xffffffffu }, .ndims = 2, .dtype = CHIP_DT_UINT8,
	};
	struct chipc_args a;
	u64 len;
	u8 *b;

	KUNIT_EXPECT_EQ(test, chipc_tensor_bytes(&t), 0xfffffffe00000001ull);
	t.dtype = CHIP_DT_INT16;
	KUNIT_EXPECT_EQ(test, chipc_tensor_bytes(&t), 0ull);
	t.dtype = CHIP_DT_UINT8;
	t.ndims = 3;
	t.shape[2] = 2;
	KUNIT_EXPECT_EQ(test, chipc_tensor_bytes(&t), 0ull);

	b = make_blob(test, 1, 0, &len);
	memcpy(tensor(b, 0), &t, sizeof(t));
	KUNIT_EXPECT_EQ(test, chipc_args_parse(b, len, &a), -EINVAL);
	t.ndims = 2;
	t.shape[2] = 0;
	memcpy(tensor(b, 0), &t, sizeof(t));
	KUNIT_EXPECT_EQ(test, chipc_args_parse(b, len, &a), 0);
}

struct args_reject {
	const char *name;
	void (*mutate)(u8 *b, u64 *len);
};

#define MUT(n) static void mut_##n(u8 *b, u64 *len)

MUT(len_short) { *len = 7; }
MUT(len_zero) { *len = 0; }
MUT(len_plus_8) { *len += 8; }
MUT(len_minus_8) { *len -= 8; }
MUT(len_plus_1) { *len += 1; }
MUT(ndims_zero) { tensor(b, 1)->ndims = 0; }
MUT(ndims_six) { tensor(b, 1)->ndims = 6; tensor(b, 1)->shape[1] = 1; }
MUT(shape_used_zero) { tensor(b, 0)->shape[0] = 0; }
MUT(shape_unused_nonzero) { tensor(b, 0)->shape[4] = 1; }
MUT(dtype_unknown) { tensor(b, 0)->dtype = CHIP_DT_COUNT; }
MUT(flags_nonzero) { tensor(b, 1)->flags = 1; }
MUT(pad_nonzero) { tensor(b, 1)->pad[5] = 1; }

#define REJ(n) { #n, mut_##n }

static const struct args_reject args_rejects[] = {
	REJ(len_short), REJ(len_zero), REJ(len_plus_8), REJ(len_minus_8),
	REJ(len_plus_1), REJ(ndims_zero), REJ(ndims_six), REJ(shape_used_zero),
	REJ(shape_unused_nonzero), REJ(dtype_unknown), REJ(flags_nonzero),
	REJ(pad_nonzero),
};

static void args_reject_desc(const struct args_reject *r, char *desc)
{
	strscpy(desc, r->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(args_reject, args_rejects, args_reject_desc);

/* Each malformed variant of a valid 2-tensor, 1-scalar blob is -EINVAL. */
static void args_parse_rejects(struct kunit *test)
{
	const struct args_reject *r = test->param_value;
	struct chipc_args a;
	u64 len;
	u8 *b = make_blob(test, 2, 1, &len);

	KUNIT_ASSERT_EQ(test, chipc_args_parse(b, len, &a), 0);
	r->mutate(b, &len);
	KUNIT_EXPECT_EQ(test, chipc_args_parse(b, len, &a), -EINVAL);
}

/* NULL blob or NULL output is -EINVAL. */
static void args_parse_null(struct kunit *test)
{
	struct chipc_args a;
	u64 len;
	u8 *b = make_blob(test, 1, 1, &len);

	KUNIT_EXPECT_EQ(test, chipc_args_parse(NULL, len, &a), -EINVAL);
	KUNIT_EXPECT_EQ(test, chipc_args_parse(b, len, NULL), -EINVAL);
}

static struct kunit_case chip_args_test_cases[] = {
	KUNIT_CASE(args_size_layout),
	KUNIT_CASE(args_parse_valid),
	KUNIT_CASE(args_parse_limits),
	KUNIT_CASE(args_parse_too_many),
	KUNIT_CASE(args_dtype_sizes),
	KUNIT_CASE(args_tensor_extent_overflow),
	KUNIT_CASE_PARAM(args_parse_rejects, args_reject_gen_params),
	KUNIT_CASE(args_parse_null),
	{}
};

static struct kunit_suite chip_args_test_suite = {
	.name = "chip_args",
	.test_cases = chip_args_test_cases,
};

kunit_test_suite(chip_args_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the chip argument blob codec");
