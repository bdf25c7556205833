// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Fuzz harness: chip callable validation.  An accepted image must keep
 * every promise of chipc_callable_check(): its length is its layout,
 * chip_callable_layout() agrees (and reports FNV-1a 64 of the bytes),
 * patching round-trips, and the dedup table can take it in (XXH64 key,
 * every program verified while copied), find it again and let it go
 * without leaking.
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

static int mem_alloc(void *priv, u32 size, u64 *dev_addr, u8 **host,
		     void **cookie)
{
	u8 *p = aligned_alloc(64, ((size_t)size + 63) & ~(size_t)63);

	if (!p)
		return -ENOMEM;
	*dev_addr = 0x4000000000ull;
	*host = p;
	*cookie = p;
	return 0;
}

static void mem_free(void *priv, void *cookie)
{
	free(cookie);
}

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_callable: %s\n", what);
	abort();
}

static void round_trip(const u8 *img, size_t size,
		       const struct chipc_layout *l)
{
	const u64 base = 0x4000000000ull;
	struct chipc_code_mem_ops ops = { mem_alloc, mem_free, NULL };
	struct chipc_dedup d;
	struct chipc_code *c, *c2;
	struct chip_layout ul;
	bool hit;
	u8 *q;
	int rc;

	if (l->total_size != size)
		fail("layout does not describe the image");
	if (chip_callable_layout(img, size, &ul) ||
	    ul.hash != chipc_fnv1a64(img, size) ||
	    ul.total_size != l->total_size || ul.orch_size != l->orch_size ||
	    ul.child_count != l->child_count)
		fail("chip_callable_layout disagrees");

	q = malloc(size);
	if (!q)
		return;
	memcpy(q, img, size);
	chipc_callable_patch(q, l, base);
	if (chipc_callable_check_patched(q, l, base))
		fail("patched image fails check_patched");
	if (!chipc_callable_same(img, q, l))
		fail("patched image differs from its canonical form");
	if (l->child_count && !chipc_callable_check(q, size, NULL))
		fail("patched image accepted as canonical");
	if (!l->child_count && memcmp(img, q, size))
		fail("patch changed an image without children");
	free(q);

	chipc_dedup_init(&d, &ops);
	rc = chipc_dedup_get(&d, img, size,
			     ((const struct chip_callable_hdr *)img)->platform,
			     &c, &hit);
	if (!rc) {
		if (hit || d.entries != 1 || d.resident_bytes != size)
			fail("dedup counters");
		if (!chipc_callable_same(img, c->image, l))
			fail("dedup copy differs");
		if (chipc_dedup_get(&d, img, size, c->platform, &c2, &hit) ||
		    !hit || c2 != c || chipc_ref_read(&c->refs) != 2)
			fail("dedup second get");
		chipc_dedup_put(&d, c);
		chipc_dedup_put(&d, c2);
		if (d.entries || d.resident_bytes)
			fail("dedup did not release");
	} else if (rc != -EINVAL) {
		fail("dedup error other than -EINVAL for a checked image");
	}
	chipc_dedup_fini(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chipc_layout l;
	u8 *img;
	int rc;

	img = malloc(size ? size : 1);	/* a private, aligned copy */
	if (!img)
		return 0;
	memcpy(img, data, size);
	rc = chipc_callable_check(img, size, &l);
	if (!rc) {
		fz_accepted++;
		round_trip(img, size, &l);
	} else if (rc != -EINVAL && rc != -E2BIG && rc != -EMSGSIZE) {
		fail("unexpected error code");
	}
	free(img);
	return 0;
}

#ifndef CHIP_LIBFUZZER
int main(int argc, char **argv)
{
	static const uint8_t halt[8] = { CHIP_OP_HALT };
	static const uint8_t nop_halt[16] = { CHIP_OP_NOP, 0, 0, 0, 0, 0, 0,
					      0, CHIP_OP_HALT };
	static const uint8_t sig[2] = { CHIP_DIR_IN, CHIP_DIR_OUT };
	struct chip_builder *b;
	void *seed = NULL;
	size_t len = 0;
	int rc;

	rc = chip_builder_new(CHIP_PLATFORM_A2A3,
			      CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER, &b);
	if (!rc)
		rc = chip_builder_set_orch(b, halt, sizeof(halt), "orch_fn",
					   "cfg_name", sig, 2);
	if (!rc)
		rc = chip_builder_add_child(b, 5, CHIP_CORE_AIV, sig, 2,
					    nop_halt, sizeof(nop_halt));
	if (!rc)
		rc = chip_builder_add_child(b, 7, CHIP_CORE_AIC, sig, 2, halt,
					    sizeof(halt));
	if (!rc)
		rc = chip_builder_build(b, &seed, &len);
	chip_builder_free(b);
	if (rc) {
		fprintf(stderr, "fuzz_callable: seed: %d\n", rc);
		return 1;
	}
	rc = fz_main("fuzz_callable", argc, argv, seed, len, &fz_accepted);
	free(seed);
	return rc;
}
#endif
