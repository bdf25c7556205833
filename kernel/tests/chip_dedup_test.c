// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the dedup table of resident callables
 * (kernel/core/dedup.c).
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "chip_kunit_helpers.h"

static const struct chip_insn halt[] = { CI0(HALT) };
static const struct chip_insn aiv_code[] = { CI_AI(LI, 1, 5), CI0(HALT) };

/* A valid callable whose bytes depend on @func_id. */
static void *callable_fid(struct kunit *test, s32 func_id, u64 *len)
{
	const struct chip_test_child ch[] = {
		{ .func_id = func_id, .core_type = CHIP_CORE_AIV,
		  .code = aiv_code, .ninsns = ARRAY_SIZE(aiv_code) },
		{ .func_id = func_id + 1, .core_type = CHIP_CORE_AIC,
		  .code = halt, .ninsns = 1 },
	};
	const struct chip_test_callable d = { .children = ch, .nchildren = 2 };

	return chip_test_callable(test, &d, len);
}

/* A second buffer holding the same bytes, as a second upload would. */
static void *dup(struct kunit *test, const void *img, u64 len)
{
	void *p = kunit_kmalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	memcpy(p, img, len);
	return p;
}

/*
 * The first get of an image is a miss that allocates one device copy; a
 * get of the same bytes from another buffer is a hit on the same entry.
 */
static void dedup_get_miss_then_hit(struct kunit *test)
{
	struct chip_test_mem *mem;
	struct chipc_dedup *d = chip_test_dedup(test, &mem);
	struct chipc_code *a, *b;
	bool hit = true;
	u64 len;
	void *img = callable_fid(test, 10, &len);

	KUNIT_ASSERT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3, &a, &hit), 0);
	KUNIT_EXPECT_FALSE(test, hit);
	KUNIT_EXPECT_EQ(test, chipc_ref_read(&a->refs), 1u);
	KUNIT_EXPECT_EQ(test, d->misses, 1ull);
	KUNIT_EXPECT_EQ(test, d->hits, 0ull);
	KUNIT_EXPECT_EQ(test, d->entries, 1ull);
	KUNIT_EXPECT_EQ(test, d->resident_bytes, len);
	KUNIT_EXPECT_EQ(test, mem->allocs, 1ull);

	KUNIT_ASSERT_EQ(test, chipc_dedup_get(d, dup(test, img, len), len,
					      CHIP_PLATFORM_A2A3, &b, &hit), 0);
	KUNIT_EXPECT_TRUE(test, hit);
	KUNIT_EXPECT_PTR_EQ(test, a, b);
	KUNIT_EXPECT_EQ(test, chipc_ref_read(&a->refs), 2u);
	KUNIT_EXPECT_EQ(test, d->hits, 1ull);
	KUNIT_EXPECT_EQ(test, d->misses, 1ull);
	KUNIT_EXPECT_EQ(test, d->entries, 1ull);
	KUNIT_EXPECT_EQ(test, mem->allocs, 1ull);

	/* a NULL hit pointer is allowed */
	KUNIT_ASSERT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3, &b, NULL), 0);
	KUNIT_EXPECT_EQ(test, chipc_ref_read(&a->refs), 3u);
}

/*
 * The resident copy is the caller's image patched for its device address,
 * its programs are bound (func_id, core type, code address) and the
 * caller's buffer is not modified.
 */
static void dedup_get_device_copy(struct kunit *test)
{
	struct chip_test_mem *mem;
	struct chipc_dedup *d = chip_test_dedup(test, &mem);
	const struct chip_callable_hdr *h;
	struct chipc_code *c;
	u64 len;
	void *img = callable_fid(test, 40, &len);
	void *orig = dup(test, img, len);
	u32 i;

	KUNIT_ASSERT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3, &c, NULL), 0);
	KUNIT_EXPECT_MEMEQ(test, img, orig, len);
	KUNIT_EXPECT_EQ(test, c->dev_addr % CHIP_CALLABLE_ALIGN, 0ull);
	KUNIT_EXPECT_EQ(test, c->key, xxh64(img, len, 0));
	KUNIT_EXPECT_EQ(test, c->layout.total_size, (u32)len);
	KUNIT_EXPECT_EQ(test, c->platform, (u32)CHIP_PLATFORM_A2A3);
	KUNIT_EXPECT_EQ(test, c->runtime, (u32)CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER);
	KUNIT_EXPECT_EQ(test, chipc_callable_check_patched(c->image, &c->layout, c->dev_addr), 0);
	KUNIT_EXPECT_TRUE(test, chipc_callable_same(img, c->image, &c->layout));
	KUNIT_EXPECT_EQ(test, c->orch.count, 1u);
	KUNIT_EXPECT_EQ(test, c->orch.core_type, (u32)CHIP_CORE_AICPU);

	h = img;
	for (i = 0; i < 2; i++) {
		const struct chipc_child_bind *b = &c->children[i];

		KUNIT_EXPECT_EQ(test, b->func_id, 40 + (s32)i);
		KUNIT_EXPECT_EQ(test, b->core_type, i ? (u32)CHIP_CORE_AIC : (u32)CHIP_CORE_AIV);
		KUNIT_EXPECT_EQ(test, b->hdr_addr, c->dev_addr + h->child_offsets[i]);
		KUNIT_EXPECT_EQ(test, b->code_addr, b->hdr_addr + CHIP_CHILD_HDR_SIZE);
		KUNIT_EXPECT_EQ(test, b->code_addr, chipc_child(c->image, i)->resolved_addr);
		KUNIT_EXPECT_EQ(test, b->code_addr % CHIP_CALLABLE_ALIGN, 0ull);
		/* the bound program is the device copy's code */
		KUNIT_EXPECT_PTR_EQ(test, (const void *)b->prog.insns,
				    (const void *)(c->image + h->child_offsets[i] +
						   CHIP_CHILD_HDR_SIZE));
	}
	KUNIT_EXPECT_EQ(test, c->children[0].prog.count, 2u);
}

/*
 * Every get takes one reference; the entry and its device memory stay
 * until the last put, and the counters follow.
 */
static void dedup_put_last_reference_frees(struct kunit *test)
{
	struct chip_test_mem *mem;
	struct chipc_dedup *d = chip_test_dedup(test, &mem);
	struct chipc_code *c[3];
	u64 len;
	void *img = callable_fid(test, 1, &len);
	int i;

	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3,
						      &c[i], NULL), 0);
	KUNIT_EXPECT_EQ(test, chipc_ref_read(&c[0]->refs), 3u);
	chipc_dedup_put(d, c[0]);
	chipc_dedup_put(d, c[1]);
	KUNIT_EXPECT_EQ(test, mem->live, 1ull);
	KUNIT_EXPECT_EQ(test, d->entries, 1ull);
	KUNIT_EXPECT_EQ(test, chipc_ref_read(&c[2]->refs), 1u);
	chipc_dedup_put(d, c[2]);
	KUNIT_EXPECT_EQ(test, mem->live, 0ull);
	KUNIT_EXPECT_EQ(test, mem->frees, 1ull);
	KUNIT_EXPECT_EQ(test, d->entries, 0ull);
	KUNIT_EXPECT_EQ(test, d->resident_bytes, 0ull);

	/* the next get is a miss again, with a new device copy */
	KUNIT_ASSERT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3, &c[0], NULL), 0);
	KUNIT_EXPECT_EQ(test, d->misses, 2ull);
	KUNIT_EXPECT_EQ(test, mem->allocs, 2ull);
	chipc_dedup_put(d, c[0]);
	KUNIT_EXPECT_EQ(test, mem->live, 0ull);
}

/*
 * A reference taken with chipc_dedup_ref() (a run in flight) keeps the
 * entry alive.  chipc_dedup_put_unless_last() (a run's put, without the
 * table's lock) drops only a reference that is not the last.
 */
static void dedup_ref_keeps_entry(struct kunit *test)
{
	struct chip_test_mem *mem;
	struct chipc_dedup *d = chip_test_dedup(test, &mem);
	struct chipc_code *c;
	u64 len;
	void *img = callable_fid(test, 1, &len);

	KUNIT_ASSERT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3, &c, NULL), 0);
	chipc_dedup_ref(c);
	KUNIT_EXPECT_TRUE(test, chipc_dedup_put_unless_last(c));
	KUNIT_EXPECT_EQ(test, chipc_ref_read(&c->refs), 1u);
	KUNIT_EXPECT_FALSE(test, chipc_dedup_put_unless_last(c));
	KUNIT_EXPECT_EQ(test, chipc_ref_read(&c->refs), 1u);
	KUNIT_EXPECT_EQ(test, mem->live, 1ull);
	chipc_dedup_ref(c);
	KUNIT_EXPECT_EQ(test, chipc_ref_read(&c->refs), 2u);
	chipc_dedup_put(d, c);
	KUNIT_EXPECT_EQ(test, mem->live, 1ull);
	KUNIT_EXPECT_EQ(test, chipc_ref_read(&c->refs), 1u);
	chipc_dedup_put(d, c);
	KUNIT_EXPECT_EQ(test, mem->live, 0ull);
}

/*
 * With hash_mask = 0 every image has the same key: different images must
 * still get different entries, each lookup must find its own bytes, and
 * freeing one entry must not disturb the others in the chain.
 */
static void dedup_forced_collision_does_not_alias(struct kunit *test)
{
	struct chip_test_mem *mem;
	struct chipc_dedup *d = chip_test_dedup(test, &mem);
	struct chipc_code *c[3], *again;
	void *img[3];
	u64 len[3];
	bool hit;
	int i;

	d->hash_mask = 0;
	for (i = 0; i < 3; i++) {
		img[i] = callable_fid(test, 100 + 10 * i, &len[i]);
		KUNIT_ASSERT_EQ(test, chipc_dedup_get(d, img[i], len[i], CHIP_PLATFORM_A2A3,
						      &c[i], &hit), 0);
		KUNIT_EXPECT_FALSE(test, hit);
	}
	/* same size, same key, different bytes */
	KUNIT_EXPECT_EQ(test, len[0], len[1]);
	KUNIT_EXPECT_PTR_NE(test, c[0], c[1]);
	KUNIT_EXPECT_PTR_NE(test, c[1], c[2]);
	KUNIT_EXPECT_PTR_NE(test, c[0], c[2]);
	KUNIT_EXPECT_EQ(test, d->misses, 3ull);
	KUNIT_EXPECT_EQ(test, d->hits, 0ull);
	KUNIT_EXPECT_EQ(test, d->entries, 3ull);

	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_EQ(test, chipc_dedup_get(d, dup(test, img[i], len[i]), len[i],
						      CHIP_PLATFORM_A2A3, &again, &hit), 0);
		KUNIT_EXPECT_TRUE(test, hit);
		KUNIT_EXPECT_PTR_EQ(test, again, c[i]);
		KUNIT_EXPECT_EQ(test, again->children[0].func_id, 100 + 10 * i);
		chipc_dedup_put(d, again);
	}

	/* drop the middle of the chain, then the others are still found */
	chipc_dedup_put(d, c[1]);
	KUNIT_EXPECT_EQ(test, d->entries, 2ull);
	for (i = 0; i < 3; i += 2) {
		KUNIT_ASSERT_EQ(test, chipc_dedup_get(d, img[i], len[i], CHIP_PLATFORM_A2A3,
						      &again, &hit), 0);
		KUNIT_EXPECT_TRUE(test, hit);
		KUNIT_EXPECT_PTR_EQ(test, again, c[i]);
		chipc_dedup_put(d, again);
	}
	/* and the dropped image comes back as a new entry */
	KUNIT_ASSERT_EQ(test, chipc_dedup_get(d, img[1], len[1], CHIP_PLATFORM_A2A3,
					      &again, &hit), 0);
	KUNIT_EXPECT_FALSE(test, hit);
	KUNIT_EXPECT_EQ(test, again->children[0].func_id, 110);
	chipc_dedup_put(d, again);
	chipc_dedup_put(d, c[0]);
	chipc_dedup_put(d, c[2]);
	KUNIT_EXPECT_EQ(test, mem->live, 0ull);
	KUNIT_EXPECT_EQ(test, d->entries, 0ull);
}

/*
 * Two images that differ only in one byte of child code, under a colliding
 * key, are never confused (the hit is confirmed by comparing bytes).
 */
static void dedup_collision_one_byte_apart(struct kunit *test)
{
	struct chipc_dedup *d = chip_test_dedup(test, NULL);
	struct chipc_code *a, *b;
	bool hit;
	u64 len;
	void *img = callable_fid(test, 5, &len);
	u8 *other = dup(test, img, len);
	const struct chip_callable_hdr *h = img;

	/* child 0's first instruction is LI r1, 5: make it LI r1, 6 */
	other[h->child_offsets[0] + CHIP_CHILD_HDR_SIZE + 4] = 6;
	d->hash_mask = 0;
	KUNIT_ASSERT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3, &a, &hit), 0);
	KUNIT_ASSERT_EQ(test, chipc_dedup_get(d, other, len, CHIP_PLATFORM_A2A3, &b, &hit), 0);
	KUNIT_EXPECT_FALSE(test, hit);
	KUNIT_EXPECT_PTR_NE(test, a, b);
	KUNIT_EXPECT_EQ(test, a->children[0].prog.insns[0].imm, 5);
	KUNIT_EXPECT_EQ(test, b->children[0].prog.insns[0].imm, 6);
	chipc_dedup_put(d, a);
	chipc_dedup_put(d, b);
}

/*
 * A real key collision (full mask, the same xxh64 key handed in for two
 * different images): both become entries, and each image finds its own
 * entry; the key only selects candidates, the bytes decide.
 */
static void dedup_key_collision_full_mask(struct kunit *test)
{
	struct chipc_dedup *d = chip_test_dedup(test, NULL);
	const u64 key = 0xfeedfacecafebeefull;
	struct chipc_code *a, *b, *c;
	bool hit;
	u64 len;
	void *img = callable_fid(test, 5, &len);
	u8 *other = dup(test, img, len);
	const struct chip_callable_hdr *h = img;

	other[h->child_offsets[0] + CHIP_CHILD_HDR_SIZE + 4] = 6;
	KUNIT_ASSERT_EQ(test, chipc_dedup_get_key(d, img, len, key, CHIP_PLATFORM_A2A3,
						  &a, &hit), 0);
	KUNIT_EXPECT_FALSE(test, hit);
	KUNIT_ASSERT_EQ(test, chipc_dedup_get_key(d, other, len, key, CHIP_PLATFORM_A2A3,
						  &b, &hit), 0);
	KUNIT_EXPECT_FALSE(test, hit);
	KUNIT_EXPECT_PTR_NE(test, a, b);
	KUNIT_ASSERT_EQ(test, chipc_dedup_get_key(d, other, len, key, CHIP_PLATFORM_A2A3,
						  &c, &hit), 0);
	KUNIT_EXPECT_TRUE(test, hit);
	KUNIT_EXPECT_PTR_EQ(test, c, b);
	KUNIT_EXPECT_EQ(test, d->entries, 2ull);
	KUNIT_EXPECT_EQ(test, d->hits, 1ull);
	chipc_dedup_put(d, a);
	chipc_dedup_put(d, b);
	chipc_dedup_put(d, c);
	KUNIT_EXPECT_EQ(test, d->entries, 0ull);
}

/*
 * Device memory is released when the last reference drops, in put order,
 * not creation order: the storage cookies come back in that order.
 */
static void dedup_release_order(struct kunit *test)
{
	struct chip_test_mem *mem;
	struct chipc_dedup *d = chip_test_dedup(test, &mem);
	struct chipc_code *c[3];
	void *cookie[3];
	u64 len;
	int i;

	for (i = 0; i < 3; i++) {
		void *img = callable_fid(test, 200 + 4 * i, &len);

		KUNIT_ASSERT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3,
						      &c[i], NULL), 0);
		cookie[i] = c[i]->storage;
	}
	/* c[0] gets a second reference, so it goes last */
	chipc_dedup_ref(c[0]);
	chipc_dedup_put(d, c[0]);
	KUNIT_EXPECT_EQ(test, mem->frees, 0ull);
	chipc_dedup_put(d, c[2]);
	chipc_dedup_put(d, c[1]);
	KUNIT_EXPECT_EQ(test, mem->live, 1ull);
	KUNIT_EXPECT_EQ(test, d->entries, 1ull);
	chipc_dedup_put(d, c[0]);
	KUNIT_ASSERT_EQ(test, mem->nfree_order, 3u);
	KUNIT_EXPECT_PTR_EQ(test, mem->free_order[0], cookie[2]);
	KUNIT_EXPECT_PTR_EQ(test, mem->free_order[1], cookie[1]);
	KUNIT_EXPECT_PTR_EQ(test, mem->free_order[2], cookie[0]);
	KUNIT_EXPECT_EQ(test, mem->live, 0ull);
	KUNIT_EXPECT_EQ(test, d->entries, 0ull);
	KUNIT_EXPECT_EQ(test, d->resident_bytes, 0ull);
}

/* More entries than buckets: each image finds exactly its own entry. */
static void dedup_many_entries(struct kunit *test)
{
	const int n = CHIPC_DEDUP_BUCKETS + 40;
	struct chip_test_mem *mem;
	struct chipc_dedup *d = chip_test_dedup(test, &mem);
	struct chipc_code **c, *again;
	void **img;
	u64 len;
	bool hit;
	int i;

	c = kunit_kcalloc(test, n, sizeof(*c), GFP_KERNEL);
	img = kunit_kcalloc(test, n, sizeof(*img), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_NOT_NULL(test, img);
	for (i = 0; i < n; i++) {
		img[i] = callable_fid(test, i * 3, &len);
		KUNIT_ASSERT_EQ(test, chipc_dedup_get(d, img[i], len, CHIP_PLATFORM_A2A3,
						      &c[i], &hit), 0);
		KUNIT_ASSERT_FALSE(test, hit);
	}
	KUNIT_EXPECT_EQ(test, d->entries, (u64)n);
	KUNIT_EXPECT_EQ(test, d->resident_bytes, (u64)n * len);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, chipc_dedup_get(d, img[i], len, CHIP_PLATFORM_A2A3,
						      &again, &hit), 0);
		KUNIT_EXPECT_TRUE(test, hit);
		KUNIT_EXPECT_PTR_EQ(test, again, c[i]);
		chipc_dedup_put(d, again);
		chipc_dedup_put(d, c[i]);
	}
	KUNIT_EXPECT_EQ(test, mem->live, 0ull);
	KUNIT_EXPECT_EQ(test, d->entries, 0ull);
}

/* chipc_dedup_fini() frees entries whatever their reference counts. */
static void dedup_fini_frees_everything(struct kunit *test)
{
	struct chip_test_mem *mem;
	struct chipc_dedup *d = chip_test_dedup(test, &mem);
	struct chipc_code *c;
	u64 len;
	int i;

	for (i = 0; i < 4; i++) {
		void *img = callable_fid(test, 8 * i, &len);

		KUNIT_ASSERT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3,
						      &c, NULL), 0);
		chipc_dedup_ref(c);
	}
	KUNIT_EXPECT_EQ(test, mem->live, 4ull);
	chipc_dedup_fini(d);
	KUNIT_EXPECT_EQ(test, mem->live, 0ull);
	KUNIT_EXPECT_EQ(test, mem->frees, 4ull);
	KUNIT_EXPECT_EQ(test, d->entries, 0ull);
	KUNIT_EXPECT_EQ(test, d->resident_bytes, 0ull);
}

/*
 * A malformed image, a platform mismatch, a tensormap callable without
 * orchestration and a NULL out pointer are rejected before any device
 * memory is allocated, and leave the counters alone.
 */
static void dedup_get_rejects_before_alloc(struct kunit *test)
{
	static const struct chip_insn empty[] = { CI0(HALT) };
	struct chip_test_callable nd = { .orch = empty, .norch = 0 };
	struct chip_test_mem *mem;
	struct chipc_dedup *d = chip_test_dedup(test, &mem);
	struct chipc_code *c = NULL;
	struct chip_callable_hdr *h;
	u64 len;
	void *img = callable_fid(test, 1, &len);

	KUNIT_EXPECT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A5, &c, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, chipc_dedup_get(d, img, len - 8, CHIP_PLATFORM_A2A3, &c, NULL),
			-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3, NULL, NULL),
			-EINVAL);
	h = img;
	h->magic = 0;
	KUNIT_EXPECT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3, &c, NULL), -EINVAL);

	/* tensormap_and_ringbuffer needs an orchestration program */
	img = chip_test_callable(test, &nd, &len);
	KUNIT_EXPECT_EQ(test, ((struct chip_callable_hdr *)img)->orch_size, 0u);
	KUNIT_EXPECT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3, &c, NULL), -EINVAL);

	KUNIT_EXPECT_NULL(test, c);
	KUNIT_EXPECT_EQ(test, mem->allocs, 0ull);
	KUNIT_EXPECT_EQ(test, d->misses, 0ull);
	KUNIT_EXPECT_EQ(test, d->hits, 0ull);
	KUNIT_EXPECT_EQ(test, d->entries, 0ull);
}

/*
 * A program that fails verification (child code, or orchestration using a
 * tile opcode) is rejected after the copy, and its device memory is freed.
 */
static void dedup_get_rejects_unverifiable_program(struct kunit *test)
{
	static const struct chip_insn bad_child[] = { CI(HALT, 1, 0, 0, 0) };
	static const struct chip_insn aic_only[] = { CI_ABC(TMMA, 0, 1, 2), CI0(HALT) };
	static const struct chip_insn tile_orch[] = { CI_A(SETVL, 1), CI0(HALT) };
	struct chip_test_child ch = { .func_id = 1, .core_type = CHIP_CORE_AIV,
				      .code = bad_child, .ninsns = 1 };
	struct chip_test_callable desc = { .children = &ch, .nchildren = 1 };
	struct chip_test_mem *mem;
	struct chipc_dedup *d = chip_test_dedup(test, &mem);
	struct chipc_code *c;
	u64 len;
	void *img;

	img = chip_test_callable(test, &desc, &len);
	KUNIT_EXPECT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3, &c, NULL), -EINVAL);

	/* TMMA is legal on AIC only */
	ch.code = aic_only;
	ch.ninsns = ARRAY_SIZE(aic_only);
	img = chip_test_callable(test, &desc, &len);
	KUNIT_EXPECT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3, &c, NULL), -EINVAL);
	ch.core_type = CHIP_CORE_AIC;
	img = chip_test_callable(test, &desc, &len);
	KUNIT_ASSERT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3, &c, NULL), 0);
	chipc_dedup_put(d, c);

	desc.orch = tile_orch;
	desc.norch = ARRAY_SIZE(tile_orch);
	img = chip_test_callable(test, &desc, &len);
	KUNIT_EXPECT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3, &c, NULL), -EINVAL);

	KUNIT_EXPECT_EQ(test, mem->live, 0ull);
	KUNIT_EXPECT_EQ(test, mem->allocs, mem->frees);
	KUNIT_EXPECT_EQ(test, d->entries, 0ull);
	KUNIT_EXPECT_EQ(test, d->misses, 1ull);
}

/*
 * Allocator failures come back as the allocator's errno (a positive value
 * as -ENOMEM); a misaligned device address is refused and freed.
 */
static void dedup_get_allocator_failures(struct kunit *test)
{
	struct chip_test_mem *mem;
	struct chipc_dedup *d = chip_test_dedup(test, &mem);
	struct chipc_code *c;
	u64 len;
	void *img = callable_fid(test, 1, &len);

	mem->fail_after = 0;
	mem->fail_errno = -ENOSPC;
	KUNIT_EXPECT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3, &c, NULL), -ENOSPC);
	mem->fail_errno = 1;
	KUNIT_EXPECT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3, &c, NULL), -ENOMEM);
	mem->fail_after = -1;

	mem->misalign = 8;
	KUNIT_EXPECT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3, &c, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, mem->live, 0ull);
	mem->misalign = 0;

	KUNIT_EXPECT_EQ(test, d->misses, 0ull);
	KUNIT_EXPECT_EQ(test, d->entries, 0ull);
	KUNIT_ASSERT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3, &c, NULL), 0);
	chipc_dedup_put(d, c);
	KUNIT_EXPECT_EQ(test, mem->live, 0ull);
}

/* A table without memory operations cannot create entries. */
static void dedup_get_without_mem_ops(struct kunit *test)
{
	struct chipc_dedup *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	struct chipc_code *c;
	u64 len;
	void *img = callable_fid(test, 1, &len);

	KUNIT_ASSERT_NOT_NULL(test, d);
	chipc_dedup_init(d, NULL);
	KUNIT_EXPECT_EQ(test, d->hash_mask, ~0ull);
	KUNIT_EXPECT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3, &c, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, d->entries, 0ull);
	chipc_dedup_fini(d);
}

static struct kunit_case chip_dedup_test_cases[] = {
	KUNIT_CASE(dedup_get_miss_then_hit),
	KUNIT_CASE(dedup_get_device_copy),
	KUNIT_CASE(dedup_put_last_reference_frees),
	KUNIT_CASE(dedup_ref_keeps_entry),
	KUNIT_CASE(dedup_forced_collision_does_not_alias),
	KUNIT_CASE(dedup_collision_one_byte_apart),
	KUNIT_CASE(dedup_key_collision_full_mask),
	KUNIT_CASE(dedup_release_order),
	KUNIT_CASE(dedup_many_entries),
	KUNIT_CASE(dedup_fini_frees_everything),
	KUNIT_CASE(dedup_get_rejects_before_alloc),
	KUNIT_CASE(dedup_get_rejects_unverifiable_program),
	KUNIT_CASE(dedup_get_allocator_failures),
	KUNIT_CASE(dedup_get_without_mem_ops),
	{}
};

static struct kunit_suite chip_dedup_test_suite = {
	.name = "chip_dedup",
	.test_cases = chip_dedup_test_cases,
};

kunit_test_suite(chip_dedup_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the chip dedup table");
