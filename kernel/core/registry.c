// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Prepared callables of one context, by cid in [0, CHIP_MAX_CIDS), and
 * the func_id -> child table a run dispatches through.
 *
 * A registry keeps its registrations in a chipc_idmap (chipc_deps.h: an
 * xarray in the kernel), one allocated slot per registered cid, so that
 * releasing or listing them visits only the cids in use.  The caller
 * serialises access to it.
 */
#include "chipc.h"

/* chipc_registry_cids_of()'s mask has a bit for every cid. */
static_assert(CHIP_MAX_CIDS <= 64, "a cid mask is a u64");

static bool chipc_cid_valid(s32 cid)
{
	return cid >= 0 && cid < CHIP_MAX_CIDS;
}

/**
 * chipc_registry_init() - an empty registry
 * @r: the registry
 */
void chipc_registry_init(struct chipc_registry *r)
{
	chipc_idmap_init(&r->cids);
	r->count = 0;
}

/**
 * chipc_registry_fini() - free a registry
 * @r: the registry; the caller has removed its registrations (and dropped
 *	their code references): the slot of any cid left is freed, its code
 *	untouched
 */
void chipc_registry_fini(struct chipc_registry *r)
{
	while (!chipc_registry_pop(r, NULL))
		;
	chipc_idmap_fini(&r->cids);
}

/**
 * chipc_registry_add() - bind a resident callable to a cid
 * @r: the registry
 * @cid: callable id, [0, CHIP_MAX_CIDS)
 * @code: the resident callable; on success the registry owns the
 *	caller's reference
 * @host_orch: glue-owned host orchestration (host_build_graph), or NULL
 *
 * Return: 0; -EINVAL for a cid out of range or a NULL @code; -EBUSY if
 * @cid is taken; -ENOMEM.  On failure nothing changes and the caller
 * keeps its reference.
 */
int chipc_registry_add(struct chipc_registry *r, s32 cid,
		       struct chipc_code *code, void *host_orch)
{
	struct chipc_cid *slot;
	int ret;

	if (!chipc_cid_valid(cid) || !code)
		return -EINVAL;
	if (chipc_idmap_load(&r->cids, (u32)cid))
		return -EBUSY;
	slot = chipc_zalloc(sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	slot->code = code;
	slot->host_orch = host_orch;
	ret = chipc_idmap_insert(&r->cids, (u32)cid, slot);
	if (ret) {
		chipc_free(slot);
		return ret;
	}
	r->count++;
	return 0;
}

/**
 * chipc_registry_remove() - unbind a cid
 * @r: the registry
 * @cid: callable id
 * @out: receives the slot's contents (may be NULL); the caller drops the
 *	code reference and releases the host orchestration
 *
 * Return: 0; -EINVAL for a cid out of range; -ENOENT if it is free.
 */
int chipc_registry_remove(struct chipc_registry *r, s32 cid,
			  struct chipc_cid *out)
{
	struct chipc_cid *slot;

	if (!chipc_cid_valid(cid))
		return -EINVAL;
	slot = chipc_idmap_erase(&r->cids, (u32)cid);
	if (!slot)
		return -ENOENT;
	if (out)
		*out = *slot;
	chipc_free(slot);
	r->count--;
	return 0;
}

/**
 * chipc_registry_pop() - unbind the lowest registered cid
 * @r: the registry
 * @out: receives its slot's contents (may be NULL), as from
 *	chipc_registry_remove()
 *
 * What a release loops on until the registry is empty.
 *
 * Return: 0; -ENOENT if no cid is registered.
 */
int chipc_registry_pop(struct chipc_registry *r, struct chipc_cid *out)
{
	struct chipc_cid *slot;
	u32 cid = 0;

	slot = chipc_idmap_next(&r->cids, &cid);
	if (!slot)
		return -ENOENT;
	return chipc_registry_remove(r, (s32)cid, out);
}

/**
 * chipc_registry_cids_of() - the cids whose registration holds a callable
 * @r: the registry
 * @code: the resident callable
 *
 * Return: a mask with bit n set for each cid n bound to @code (0: none).
 */
u64 chipc_registry_cids_of(struct chipc_registry *r,
			   const struct chipc_code *code)
{
	const struct chipc_cid *slot;
	u64 mask = 0;
	s32 cid;

	for (cid = 0; (slot = chipc_registry_next(r, &cid)); cid++)
		if (slot->code == code)
			mask |= 1ull << cid;
	return mask;
}

/**
 * chipc_registry_get() - look up a registered cid
 * @r: the registry
 * @cid: callable id
 *
 * Return: its slot, valid until the cid is removed, or NULL when @cid is
 * out of range or free.
 */
const struct chipc_cid *chipc_registry_get(struct chipc_registry *r, s32 cid)
{
	if (!chipc_cid_valid(cid))
		return NULL;
	return chipc_idmap_load(&r->cids, (u32)cid);
}

/**
 * chipc_registry_next() - walk the registered cids in increasing order
 * @r: the registry
 * @cid: in: where to start; out: the cid found
 *
 * Return: the slot of the lowest registered cid >= *@cid, or NULL.
 */
const struct chipc_cid *chipc_registry_next(struct chipc_registry *r,
					    s32 *cid)
{
	u32 id = *cid < 0 ? 0 : (u32)*cid;
	struct chipc_cid *slot;

	if (id >= CHIP_MAX_CIDS)
		return NULL;
	slot = chipc_idmap_next(&r->cids, &id);
	if (slot)
		*cid = (s32)id;
	return slot;
}

/**
 * chipc_functab_init() - an empty dispatch table
 * @t: the table
 */
void chipc_functab_init(struct chipc_functab *t)
{
	memset(t, 0, sizeof(*t));
}

/**
 * chipc_functab_bind() - rebuild the dispatch table from one callable
 * @t: the table
 * @code: the callable whose children become reachable (NULL: none)
 *
 * Every entry the previous bind set is cleared first, so a func_id of
 * another callable never stays reachable; then each child of @code is
 * entered under its func_id.  The cost is proportional to the two
 * callables' child counts, not to the table size.
 */
void chipc_functab_bind(struct chipc_functab *t, const struct chipc_code *code)
{
	u32 i, n;

	for (i = 0; i < t->nset && i < CHIP_MAX_CHILDREN; i++) {
		s32 fid = t->set[i];

		if (fid >= 0 && fid < CHIP_MAX_FUNC_ID)
			t->fn[fid] = NULL;
		t->set[i] = 0;
	}
	t->nset = 0;
	if (!code)
		return;

	n = CHIPC_MIN(code->layout.child_count, (u32)CHIP_MAX_CHILDREN);
	for (i = 0; i < n; i++) {
		const struct chipc_child_bind *b = &code->children[i];

		if (b->func_id < 0 || b->func_id >= CHIP_MAX_FUNC_ID)
			continue;
		t->fn[b->func_id] = b;
		t->set[t->nset++] = b->func_id;
	}
}
