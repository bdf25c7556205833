// SPDX-License-Identifier: MIT
/*
 * Run arguments: building a struct chip_args and encoding it into the
 * argument blob (see uapi/chip_callable.h) the device parses.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "chip/chip.h"
#include "chipc.h"

void chip_args_init(struct chip_args *a)
{
	if (a)
		memset(a, 0, sizeof(*a));
}

int chip_args_add_tensor(struct chip_args *a, uint64_t addr, uint32_t dtype,
			 uint32_t ndims, const uint32_t *shape)
{
	struct chip_tensor_arg t;
	uint32_t i;

	if (!a)
		return -EINVAL;
	if (a->tensor_count >= CHIP_MAX_TENSOR_ARGS)
		return -E2BIG;
	if (!shape || ndims < 1 || ndims > CHIP_TENSOR_MAX_DIMS)
		return -EINVAL;
	memset(&t, 0, sizeof(t));
	t.addr = addr;
	t.ndims = ndims;
	if (dtype >= CHIP_DT_COUNT)
		return -EINVAL;
	t.dtype = (uint8_t)dtype;
	for (i = 0; i < ndims; i++)
		t.shape[i] = shape[i];
	/* The device's own check: non-zero dims, extent fits in 64 bits. */
	if (!chipc_tensor_bytes(&t))
		return -EINVAL;
	a->tensors[a->tensor_count++] = t;
	return 0;
}

int chip_args_add_scalar(struct chip_args *a, uint64_t value)
{
	if (!a)
		return -EINVAL;
	if (a->scalar_count >= CHIP_MAX_SCALAR_ARGS)
		return -E2BIG;
	a->scalars[a->scalar_count++] = value;
	return 0;
}

long chip_args_encode(const struct chip_args *a, void *buf, size_t cap)
{
	struct chip_args_hdr h;
	uint8_t *p = buf;
	uint64_t size;

	if (!a || (!buf && cap))
		return -EINVAL;
	if (a->tensor_count > CHIP_MAX_TENSOR_ARGS ||
	    a->scalar_count > CHIP_MAX_SCALAR_ARGS)
		return -E2BIG;
	size = chipc_args_size(a->tensor_count, a->scalar_count);
	if (size > cap)
		return -ENOSPC;
	h.tensor_count = a->tensor_count;
	h.scalar_count = a->scalar_count;
	memcpy(p, &h, sizeof(h));
	p += sizeof(h);
	memcpy(p, a->tensors, a->tensor_count * sizeof(a->tensors[0]));
	p += a->tensor_count * sizeof(a->tensors[0]);
	memcpy(p, a->scalars, a->scalar_count * sizeof(a->scalars[0]));
	return (long)size;
}
