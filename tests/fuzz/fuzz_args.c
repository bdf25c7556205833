// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Fuzz harness: argument blob parser.  An accepted blob must have exactly
 * the size its counts give, only tensors libchip could have built, and
 * re-encode to the same bytes.
 *
 * Built by scripts/fuzz.sh: standalone (gcc) or with -DCHIP_LIBFUZZER.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chip/chip.h"
#include "chipc.h"
#include "fuzz_driver.h"

static unsigned long fz_accepted;

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_args: %s\n", what);
	abort();
}

static void round_trip(const u8 *blob, size_t size, const struct chipc_args *p)
{
	static struct chip_args a;
	static u8 out[CHIP_ARGS_MAX_SIZE];
	u32 i;
	long n;

	if (size != chipc_args_size(p->tensor_count, p->scalar_count) ||
	    size > CHIP_ARGS_MAX_SIZE)
		fail("accepted size");
	chip_args_init(&a);
	for (i = 0; i < p->tensor_count; i++) {
		const struct chip_tensor_arg *t = &p->tensors[i];

		if (!chipc_tensor_bytes(t))
			fail("accepted tensor without extent");
		if (chip_args_add_tensor(&a, t->addr, t->dtype, t->ndims,
					 t->shape))
			fail("libchip refuses an accepted tensor");
	}
	for (i = 0; i < p->scalar_count; i++)
		if (chip_args_add_scalar(&a, p->scalars[i]))
			fail("libchip refuses a scalar");
	n = chip_args_encode(&a, out, sizeof(out));
	if (n < 0 || (size_t)n != size || memcmp(out, blob, size))
		fail("re-encoding differs");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chipc_args p;
	u8 *blob;
	int rc;

	blob = malloc(size ? size : 1);
	if (!blob)
		return 0;
	memcpy(blob, data, size);
	rc = chipc_args_parse(blob, size, &p);
	if (!rc) {
		fz_accepted++;
		round_trip(blob, size, &p);
	} else if (rc != -EINVAL && rc != -E2BIG) {
		fail("unexpected error code");
	}
	free(blob);
	return 0;
}

#ifndef CHIP_LIBFUZZER
int main(int argc, char **argv)
{
	static struct chip_args a;
	static uint8_t seed[CHIP_ARGS_MAX_SIZE];
	const uint32_t s1[1] = { 16384 };
	const uint32_t s3[3] = { 4, 8, 16 };
	const uint32_t s5[5] = { 1, 2, 3, 4, 5 };
	long n;

	chip_args_init(&a);
	if (chip_args_add_tensor(&a, 0x10000, CHIP_DT_FLOAT32, 1, s1) ||
	    chip_args_add_tensor(&a, 0x20000, CHIP_DT_INT16, 3, s3) ||
	    chip_args_add_tensor(&a, 0x30000, CHIP_DT_UINT64, 5, s5) ||
	    chip_args_add_scalar(&a, 3) ||
	    chip_args_add_scalar(&a, 0x40400000))
		return 1;
	n = chip_args_encode(&a, seed, sizeof(seed));
	if (n < 0)
		return 1;
	return fz_main("fuzz_args", argc, argv, seed, (size_t)n,
		       &fz_accepted);
}
#endif
