// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the cid registry and the func_id dispatch table
 * (kernel/core/registry.c).
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "chip_kunit_helpers.h"

/* A code object with children of the given func_ids (no device copy). */
static struct chipc_code *fake_code(struct kunit *test, const s32 *fids, u32 n)
{
	struct chipc_code *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->children = kunit_kcalloc(test, n ? n : 1, sizeof(*c->children), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->children);
	c->layout.child_count = n;
	chipc_ref_init(&c->refs);
	for (i = 0; i < n; i++) {
		c->children[i].func_id = fids[i];
		c->children[i].core_type = CHIP_CORE_AIV;
		c->children[i].code_addr = 0x1000 * (i + 1);
	}
	return c;
}

static void registry_fini_action(void *r)
{
	chipc_registry_fini(r);
}

/* A registry whose slots left at the end of the case are freed then. */
static struct chipc_registry *new_registry(struct kunit *test)
{
	struct chipc_registry *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	chipc_registry_init(r);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, registry_fini_action, r), 0);
	return r;
}

static struct chipc_functab *new_functab(struct kunit *test)
{
	struct chipc_functab *t = kunit_kmalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	memset(t, 0xa5, sizeof(*t));
	chipc_functab_init(t);
	return t;
}

/* Number of non-NULL dispatch entries. */
static u32 functab_count(const struct chipc_functab *t)
{
	u32 i, n = 0;

	for (i = 0; i < CHIP_MAX_FUNC_ID; i++)
		n += !!t->fn[i];
	return n;
}

/*
 * A cid added at either end of the range is found with its code and host
 * orchestration, and is gone after removal.
 */
static void registry_add_get_remove(struct kunit *test)
{
	static const s32 fids[] = { 1 };
	struct chipc_registry *r = new_registry(test);
	struct chipc_code *a = fake_code(test, fids, 1);
	struct chipc_code *b = fake_code(test, fids, 1);
	const struct chipc_cid *slot;
	struct chipc_cid out;
	int orch_cookie;

	KUNIT_ASSERT_EQ(test, chipc_registry_add(r, 0, a, NULL), 0);
	KUNIT_ASSERT_EQ(test, chipc_registry_add(r, CHIP_MAX_CIDS - 1, b, &orch_cookie), 0);
	KUNIT_EXPECT_EQ(test, r->count, 2u);

	slot = chipc_registry_get(r, 0);
	KUNIT_ASSERT_NOT_NULL(test, slot);
	KUNIT_EXPECT_PTR_EQ(test, slot->code, a);
	KUNIT_EXPECT_NULL(test, slot->host_orch);
	slot = chipc_registry_get(r, CHIP_MAX_CIDS - 1);
	KUNIT_ASSERT_NOT_NULL(test, slot);
	KUNIT_EXPECT_PTR_EQ(test, slot->code, b);
	KUNIT_EXPECT_PTR_EQ(test, slot->host_orch, (void *)&orch_cookie);
	KUNIT_EXPECT_NULL(test, chipc_registry_get(r, 1));

	KUNIT_ASSERT_EQ(test, chipc_registry_remove(r, CHIP_MAX_CIDS - 1, &out), 0);
	KUNIT_EXPECT_PTR_EQ(test, out.code, b);
	KUNIT_EXPECT_PTR_EQ(test, out.host_orch, (void *)&orch_cookie);
	KUNIT_EXPECT_NULL(test, chipc_registry_get(r, CHIP_MAX_CIDS - 1));
	KUNIT_EXPECT_EQ(test, r->count, 1u);

	/* a NULL out pointer is allowed */
	KUNIT_EXPECT_EQ(test, chipc_registry_remove(r, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, r->count, 0u);
	KUNIT_EXPECT_NULL(test, chipc_registry_get(r, 0));
}

/*
 * Out-of-range cids and a NULL code are -EINVAL; a taken cid is -EBUSY
 * and leaves the first registration in place.
 */
static void registry_add_rejects(struct kunit *test)
{
	static const s32 fids[] = { 1 };
	struct chipc_registry *r = new_registry(test);
	struct chipc_code *a = fake_code(test, fids, 1);
	struct chipc_code *b = fake_code(test, fids, 1);
	int cookie;

	KUNIT_EXPECT_EQ(test, chipc_registry_add(r, -1, a, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, chipc_registry_add(r, CHIP_MAX_CIDS, a, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, chipc_registry_add(r, 0x7fffffff, a, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, chipc_registry_add(r, 3, NULL, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, r->count, 0u);

	KUNIT_ASSERT_EQ(test, chipc_registry_add(r, 3, a, NULL), 0);
	KUNIT_EXPECT_EQ(test, chipc_registry_add(r, 3, b, &cookie), -EBUSY);
	KUNIT_EXPECT_PTR_EQ(test, chipc_registry_get(r, 3)->code, a);
	KUNIT_EXPECT_NULL(test, chipc_registry_get(r, 3)->host_orch);
	KUNIT_EXPECT_EQ(test, r->count, 1u);
	/* the registry took no reference of its own */
	KUNIT_EXPECT_EQ(test, chipc_ref_read(&b->refs), 1u);
}

/* Removing an out-of-range cid is -EINVAL, a free one -ENOENT; out is untouched. */
static void registry_remove_rejects(struct kunit *test)
{
	struct chipc_registry *r = new_registry(test);
	struct chipc_cid out = { .code = (void *)0x1, .host_orch = (void *)0x2 };

	KUNIT_EXPECT_EQ(test, chipc_registry_remove(r, -1, &out), -EINVAL);
	KUNIT_EXPECT_EQ(test, chipc_registry_remove(r, CHIP_MAX_CIDS, &out), -EINVAL);
	KUNIT_EXPECT_EQ(test, chipc_registry_remove(r, 5, &out), -ENOENT);
	KUNIT_EXPECT_PTR_EQ(test, out.code, (struct chipc_code *)0x1);
	KUNIT_EXPECT_NULL(test, chipc_registry_get(r, -1));
	KUNIT_EXPECT_NULL(test, chipc_registry_get(r, CHIP_MAX_CIDS));
}

/* All CHIP_MAX_CIDS slots can be used at once; remove + re-add reuses a slot. */
static void registry_fill_every_cid(struct kunit *test)
{
	static const s32 fids[] = { 1 };
	struct chipc_registry *r = new_registry(test);
	struct chipc_code *a = fake_code(test, fids, 1);
	s32 cid;

	for (cid = 0; cid < CHIP_MAX_CIDS; cid++)
		KUNIT_ASSERT_EQ(test, chipc_registry_add(r, cid, a, NULL), 0);
	KUNIT_EXPECT_EQ(test, r->count, (u32)CHIP_MAX_CIDS);
	KUNIT_EXPECT_EQ(test, chipc_registry_add(r, 17, a, NULL), -EBUSY);
	KUNIT_ASSERT_EQ(test, chipc_registry_remove(r, 17, NULL), 0);
	KUNIT_EXPECT_EQ(test, chipc_registry_add(r, 17, a, NULL), 0);
	KUNIT_EXPECT_EQ(test, r->count, (u32)CHIP_MAX_CIDS);
}

/*
 * The walk visits the registered cids in increasing order from any start,
 * the cids of a callable come as a mask, and popping the lowest cid (as
 * a release does) empties the registry.
 */
static void registry_walk(struct kunit *test)
{
	static const s32 fids[] = { 1 };
	static const s32 cids[] = { 0, 3, 17, CHIP_MAX_CIDS - 1 };
	struct chipc_registry *r = new_registry(test);
	struct chipc_code *a = fake_code(test, fids, 1);
	const struct chipc_cid *slot;
	struct chipc_cid out;
	s32 cid;
	int i, n;

	for (i = ARRAY_SIZE(cids) - 1; i >= 0; i--)
		KUNIT_ASSERT_EQ(test, chipc_registry_add(r, cids[i], a, NULL), 0);
	for (n = 0, cid = 0; (slot = chipc_registry_next(r, &cid)); cid++, n++) {
		KUNIT_ASSERT_LT(test, n, (int)ARRAY_SIZE(cids));
		KUNIT_EXPECT_EQ(test, cid, cids[n]);
		KUNIT_EXPECT_PTR_EQ(test, slot, chipc_registry_get(r, cid));
	}
	KUNIT_EXPECT_EQ(test, n, (int)ARRAY_SIZE(cids));
	cid = 4;
	KUNIT_EXPECT_NOT_NULL(test, chipc_registry_next(r, &cid));
	KUNIT_EXPECT_EQ(test, cid, 17);
	cid = CHIP_MAX_CIDS;
	KUNIT_EXPECT_NULL(test, chipc_registry_next(r, &cid));
	KUNIT_EXPECT_EQ(test, chipc_registry_cids_of(r, a),
			1ull | 1ull << 3 | 1ull << 17 | 1ull << (CHIP_MAX_CIDS - 1));
	for (n = 0; !chipc_registry_pop(r, &out); n++)
		KUNIT_EXPECT_PTR_EQ(test, out.code, a);
	KUNIT_EXPECT_EQ(test, n, (int)ARRAY_SIZE(cids));
	KUNIT_EXPECT_EQ(test, r->count, 0u);
	KUNIT_EXPECT_EQ(test, chipc_registry_pop(r, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, chipc_registry_cids_of(r, a), 0ull);
}

/* Binding a callable makes exactly its children reachable under their func_ids. */
static void functab_bind_sets_children(struct kunit *test)
{
	static const s32 fids[] = { 0, 17, CHIP_MAX_FUNC_ID - 1 };
	struct chipc_functab *t = new_functab(test);
	struct chipc_code *c = fake_code(test, fids, ARRAY_SIZE(fids));
	u32 i;

	KUNIT_EXPECT_EQ(test, functab_count(t), 0u);
	KUNIT_EXPECT_EQ(test, t->nset, 0u);
	chipc_functab_bind(t, c);
	KUNIT_EXPECT_EQ(test, functab_count(t), 3u);
	KUNIT_EXPECT_EQ(test, t->nset, 3u);
	for (i = 0; i < ARRAY_SIZE(fids); i++)
		KUNIT_EXPECT_PTR_EQ(test, t->fn[fids[i]], &c->children[i]);
	KUNIT_EXPECT_NULL(test, t->fn[1]);
}

/*
 * Rebinding to another callable clears every func_id of the previous one
 * (no stale entry is reachable) and binding NULL clears everything.
 */
static void functab_rebind_clears_stale_entries(struct kunit *test)
{
	static const s32 fa[] = { 1, 2, 3, 900 };
	static const s32 fb[] = { 3, 4 };
	struct chipc_functab *t = new_functab(test);
	struct chipc_code *a = fake_code(test, fa, ARRAY_SIZE(fa));
	struct chipc_code *b = fake_code(test, fb, ARRAY_SIZE(fb));

	chipc_functab_bind(t, a);
	chipc_functab_bind(t, b);
	KUNIT_EXPECT_NULL(test, t->fn[1]);
	KUNIT_EXPECT_NULL(test, t->fn[2]);
	KUNIT_EXPECT_NULL(test, t->fn[900]);
	KUNIT_EXPECT_PTR_EQ(test, t->fn[3], &b->children[0]);
	KUNIT_EXPECT_PTR_EQ(test, t->fn[4], &b->children[1]);
	KUNIT_EXPECT_EQ(test, functab_count(t), 2u);
	KUNIT_EXPECT_EQ(test, t->nset, 2u);

	chipc_functab_bind(t, a);
	KUNIT_EXPECT_NULL(test, t->fn[4]);
	KUNIT_EXPECT_PTR_EQ(test, t->fn[3], &a->children[2]);
	KUNIT_EXPECT_EQ(test, functab_count(t), 4u);

	chipc_functab_bind(t, NULL);
	KUNIT_EXPECT_EQ(test, functab_count(t), 0u);
	KUNIT_EXPECT_EQ(test, t->nset, 0u);
}

/* Children with out-of-range func_ids are never entered. */
static void functab_bind_skips_bad_func_ids(struct kunit *test)
{
	static const s32 fids[] = { -1, 5, CHIP_MAX_FUNC_ID, 6 };
	struct chipc_functab *t = new_functab(test);
	struct chipc_code *c = fake_code(test, fids, ARRAY_SIZE(fids));

	chipc_functab_bind(t, c);
	KUNIT_EXPECT_EQ(test, functab_count(t), 2u);
	KUNIT_EXPECT_PTR_EQ(test, t->fn[5], &c->children[1]);
	KUNIT_EXPECT_PTR_EQ(test, t->fn[6], &c->children[3]);
}

/*
 * With real resident callables: two cids of different callables, bound in
 * turn as runs would, never see each other's func_ids, and the table
 * handles a callable with the full 1024 children.
 */
static void functab_bind_resident_callables(struct kunit *test)
{
	struct chip_test_mem *mem;
	struct chipc_dedup *d = chip_test_dedup(test, &mem);
	struct chipc_registry *r = new_registry(test);
	struct chipc_functab *t = new_functab(test);
	struct chipc_code *big, *small;
	struct chipc_cid out;
	u64 len;
	void *img;
	u32 i;

	img = chip_test_callable_n(test, CHIP_MAX_CHILDREN, 0, &len);
	KUNIT_ASSERT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3, &big, NULL), 0);
	KUNIT_ASSERT_EQ(test, chipc_registry_add(r, 0, big, NULL), 0);
	img = chip_test_callable_n(test, 2, 500, &len);
	KUNIT_ASSERT_EQ(test, chipc_dedup_get(d, img, len, CHIP_PLATFORM_A2A3, &small, NULL), 0);
	KUNIT_ASSERT_EQ(test, chipc_registry_add(r, 1, small, NULL), 0);

	chipc_functab_bind(t, chipc_registry_get(r, 0)->code);
	KUNIT_EXPECT_EQ(test, functab_count(t), (u32)CHIP_MAX_FUNC_ID);
	for (i = 0; i < CHIP_MAX_FUNC_ID; i++)
		KUNIT_EXPECT_EQ(test, t->fn[i]->code_addr, big->children[i].code_addr);

	chipc_functab_bind(t, chipc_registry_get(r, 1)->code);
	KUNIT_EXPECT_EQ(test, functab_count(t), 2u);
	KUNIT_EXPECT_PTR_EQ(test, t->fn[500], &small->children[0]);
	KUNIT_EXPECT_PTR_EQ(test, t->fn[501], &small->children[1]);
	KUNIT_EXPECT_NULL(test, t->fn[0]);
	KUNIT_EXPECT_NULL(test, t->fn[499]);
	KUNIT_EXPECT_NULL(test, t->fn[502]);

	/* unregister both; the dedup references go with them */
	for (i = 0; i < 2; i++) {
		KUNIT_ASSERT_EQ(test, chipc_registry_remove(r, i, &out), 0);
		chipc_dedup_put(d, out.code);
	}
	KUNIT_EXPECT_EQ(test, mem->live, 0ull);
}

static struct kunit_case chip_registry_test_cases[] = {
	KUNIT_CASE(registry_add_get_remove),
	KUNIT_CASE(registry_add_rejects),
	KUNIT_CASE(registry_remove_rejects),
	KUNIT_CASE(registry_fill_every_cid),
	KUNIT_CASE(registry_walk),
	KUNIT_CASE(functab_bind_sets_children),
	KUNIT_CASE(functab_rebind_clears_stale_entries),
	KUNIT_CASE(functab_bind_skips_bad_func_ids),
	KUNIT_CASE(functab_bind_resident_callables),
	{}
};

static struct kunit_suite chip_registry_test_suite = {
	.name = "chip_registry",
	.test_cases = chip_registry_test_cases,
};

kunit_test_suite(chip_registry_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the chip cid registry and func table");
