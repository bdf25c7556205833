// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The argument blob of a run (see uapi/chip_callable.h, "argument blob").
 * Fields are read with memcpy, so the validation itself makes no
 * alignment assumption; the pointers it hands out are as aligned as
 * @blob + 8.
 */
#include "chipc.h"

static_assert(sizeof(struct chip_args_hdr) == 8, "chip_args_hdr size");
static_assert(sizeof(struct chip_tensor_arg) == 40, "chip_tensor_arg size");

static const u8 chipc_dtype_sizes[CHIP_DT_COUNT] = {
	[CHIP_DT_FLOAT32] = 4,
	[CHIP_DT_FLOAT16] = 2,
	[CHIP_DT_INT32] = 4,
	[CHIP_DT_INT16] = 2,
	[CHIP_DT_INT8] = 1,
	[CHIP_DT_UINT8] = 1,
	[CHIP_DT_BFLOAT16] = 2,
	[CHIP_DT_INT64] = 8,
	[CHIP_DT_UINT64] = 8,
	[CHIP_DT_UINT16] = 2,
	[CHIP_DT_UINT32] = 4,
};

/**
 * chipc_dtype_size() - bytes per element of a dtype
 * @dtype: CHIP_DT_*
 *
 * Return: the element size, or 0 for an unknown dtype.
 */
u32 chipc_dtype_size(u32 dtype)
{
	return dtype < CHIP_DT_COUNT ? chipc_dtype_sizes[dtype] : 0;
}

/* *@n *= @s; false on overflow.  No 64-bit division (32-bit kernels). */
static bool chipc_mul_u64_u32(u64 *n, u32 s)
{
	u64 hi = (*n >> 32) * s;
	u64 lo = (*n & 0xffffffffull) * s;

	if (hi >> 32)
		return false;
	hi <<= 32;
	if (lo > ~0ull - hi)
		return false;
	*n = hi + lo;
	return true;
}

/*
 * Byte extent of @t into *@bytes.  Return: 0; -EINVAL for a malformed
 * tensor or an extent that does not fit in 64 bits.
 */
static int chipc_tensor_extent(const struct chip_tensor_arg *t, u64 *bytes)
{
	u64 n;
	u32 i;

	if (t->ndims < 1 || t->ndims > CHIP_TENSOR_MAX_DIMS)
		return -EINVAL;
	n = chipc_dtype_size(t->dtype);
	if (!n || t->flags)
		return -EINVAL;
	for (i = 0; i < sizeof(t->pad); i++)
		if (t->pad[i])
			return -EINVAL;
	for (i = 0; i < CHIP_TENSOR_MAX_DIMS; i++) {
		if (i >= t->ndims) {
			if (t->shape[i])
				return -EINVAL;
			continue;
		}
		if (!t->shape[i] || !chipc_mul_u64_u32(&n, t->shape[i]))
			return -EINVAL;
	}
	*bytes = n;
	return 0;
}

/**
 * chipc_tensor_bytes() - byte extent of a validated tensor
 * @t: a tensor that passed chipc_args_parse()
 *
 * Return: the product of its shape times its element size (0 if @t is
 * malformed after all).
 */
u64 chipc_tensor_bytes(const struct chip_tensor_arg *t)
{
	u64 n = 0;

	if (chipc_tensor_extent(t, &n))
		return 0;
	return n;
}

/**
 * chipc_args_parse() - validate an argument blob
 * @blob: the blob, a private copy
 * @len: its length in bytes
 * @out: receives counts and pointers into @blob
 *
 * Return: 0; -EINVAL for a short or wrongly sized blob or a malformed
 * tensor; -E2BIG for counts over CHIP_MAX_TENSOR_ARGS or
 * CHIP_MAX_SCALAR_ARGS.
 */
int chipc_args_parse(const void *blob, u64 len, struct chipc_args *out)
{
	const u8 *b = blob;
	struct chip_args_hdr h;
	u32 i;

	if (!blob || !out || len < sizeof(h))
		return -EINVAL;
	memcpy(&h, b, sizeof(h));
	if (h.tensor_count > CHIP_MAX_TENSOR_ARGS ||
	    h.scalar_count > CHIP_MAX_SCALAR_ARGS)
		return -E2BIG;
	if (len != chipc_args_size(h.tensor_count, h.scalar_count))
		return -EINVAL;
	for (i = 0; i < h.tensor_count; i++) {
		struct chip_tensor_arg t;
		u64 bytes;

		memcpy(&t, b + sizeof(h) + (size_t)i * sizeof(t), sizeof(t));
		if (chipc_tensor_extent(&t, &bytes))
			return -EINVAL;
	}
	out->tensor_count = h.tensor_count;
	out->scalar_count = h.scalar_count;
	out->tensors = (const struct chip_tensor_arg *)(b + sizeof(h));
	out->scalars = (const u64 *)(b + sizeof(h) +
				     (size_t)h.tensor_count *
				     sizeof(struct chip_tensor_arg));
	return 0;
}
