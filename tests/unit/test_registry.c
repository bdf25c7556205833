// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The cid registry and the func_id dispatch table.
 */
#include <errno.h>
#include "helpers.h"
#include "chipc.h"

/* A resident callable with children of the given func_ids (no image). */
struct fake_code {
	struct chipc_code code;
	struct chipc_child_bind kids[8];
};

static void fake_code_init(struct fake_code *f, const int32_t *fids, int n,
			   uint64_t base)
{
	int i;

	memset(f, 0, sizeof(*f));
	chipc_ref_init(&f->code.refs);
	f->code.dev_addr = base;
	f->code.layout.child_count = (uint32_t)n;
	f->code.children = f->kids;
	for (i = 0; i < n; i++) {
		f->kids[i].func_id = fids[i];
		f->kids[i].core_type = CHIP_CORE_AIV;
		f->kids[i].hdr_addr = base + 0x1000 * (i + 1);
		f->kids[i].code_addr = f->kids[i].hdr_addr + 128;
	}
}

static int t_cid_range(void)
{
	static struct chipc_registry r;
	struct fake_code f;
	struct chipc_cid out;

	chipc_registry_init(&r);
	fake_code_init(&f, NULL, 0, 0x1000);
	CHECK_EQ(chipc_registry_add(&r, -1, &f.code, NULL), -EINVAL);
	CHECK_EQ(chipc_registry_add(&r, CHIP_MAX_CIDS, &f.code, NULL),
		 -EINVAL);
	CHECK_EQ(chipc_registry_add(&r, INT32_MIN, &f.code, NULL), -EINVAL);
	CHECK_EQ(chipc_registry_add(&r, 0, NULL, NULL), -EINVAL);
	CHECK_EQ(r.count, 0);
	CHECK_EQ(chipc_registry_remove(&r, -1, &out), -EINVAL);
	CHECK_EQ(chipc_registry_remove(&r, 64, &out), -EINVAL);
	CHECK(!chipc_registry_get(&r, -1));
	CHECK(!chipc_registry_get(&r, 64));
	CHECK(!chipc_registry_get(&r, 0));
	chipc_registry_fini(&r);
	return 0;
}

static int t_fill_all(void)
{
	static struct chipc_registry r;
	static struct fake_code f[CHIP_MAX_CIDS + 1];
	struct chipc_cid out;
	int dummy, i;

	chipc_registry_init(&r);
	for (i = 0; i <= CHIP_MAX_CIDS; i++)
		fake_code_init(&f[i], NULL, 0, 0x10000ull * (i + 1));
	for (i = 0; i < CHIP_MAX_CIDS; i++)
		CHECK_EQ(chipc_registry_add(&r, i, &f[i].code,
					    i == 5 ? &dummy : NULL), 0);
	CHECK_EQ(r.count, CHIP_MAX_CIDS);
	for (i = 0; i < CHIP_MAX_CIDS; i++) {
		const struct chipc_cid *s = chipc_registry_get(&r, i);

		CHECK(s);
		CHECK(s->code == &f[i].code);
		CHECK(s->host_orch == (i == 5 ? (void *)&dummy : NULL));
	}

	/* Double add: -EBUSY, nothing changes. */
	CHECK_EQ(chipc_registry_add(&r, 5, &f[CHIP_MAX_CIDS].code, NULL),
		 -EBUSY);
	CHECK_EQ(r.count, CHIP_MAX_CIDS);
	CHECK(chipc_registry_get(&r, 5)->code == &f[5].code);
	CHECK(chipc_registry_get(&r, 5)->host_orch == &dummy);
	CHECK_EQ(chipc_ref_read(&f[CHIP_MAX_CIDS].code.refs), 1);

	/* Remove hands back the slot; a second remove is -ENOENT. */
	CHECK_EQ(chipc_registry_remove(&r, 5, &out), 0);
	CHECK(out.code == &f[5].code);
	CHECK(out.host_orch == &dummy);
	CHECK_EQ(r.count, CHIP_MAX_CIDS - 1);
	CHECK(!chipc_registry_get(&r, 5));
	CHECK_EQ(chipc_registry_remove(&r, 5, &out), -ENOENT);
	CHECK_EQ(chipc_registry_remove(&r, 5, NULL), -ENOENT);
	/* The slot is reusable. */
	CHECK_EQ(chipc_registry_add(&r, 5, &f[CHIP_MAX_CIDS].code, NULL), 0);
	CHECK(chipc_registry_get(&r, 5)->code == &f[CHIP_MAX_CIDS].code);
	CHECK(!chipc_registry_get(&r, 5)->host_orch);
	for (i = 0; i < CHIP_MAX_CIDS; i++)
		CHECK_EQ(chipc_registry_remove(&r, i, NULL), 0);
	CHECK_EQ(r.count, 0);
	chipc_registry_fini(&r);
	return 0;
}

static int t_remove_unknown(void)
{
	static struct chipc_registry r;
	struct chipc_cid out = { (void *)1, (void *)1 };

	chipc_registry_init(&r);
	CHECK_EQ(chipc_registry_remove(&r, 0, &out), -ENOENT);
	CHECK_EQ(chipc_registry_remove(&r, 63, &out), -ENOENT);
	CHECK(out.code == (void *)1);	/* untouched on error */
	CHECK_EQ(r.count, 0);
	chipc_registry_fini(&r);
	return 0;
}

/*
 * The walk visits exactly the registered cids, in increasing order, from
 * any start; the cids of a callable come as a mask; popping the lowest
 * cid (as a release does) empties the registry.
 */
static int t_walk(void)
{
	static const s32 cids[] = { 0, 3, 17, 62, 63 };
	static struct chipc_registry r;
	static struct fake_code f[5];
	const struct chipc_cid *slot;
	struct chipc_cid out;
	s32 cid;
	int i, n;

	chipc_registry_init(&r);
	cid = 0;
	CHECK(!chipc_registry_next(&r, &cid));
	for (i = 4; i >= 0; i--) {
		fake_code_init(&f[i], NULL, 0, 0x10000ull * (i + 1));
		CHECK_EQ(chipc_registry_add(&r, cids[i], &f[i].code, NULL), 0);
	}
	for (n = 0, cid = 0; (slot = chipc_registry_next(&r, &cid)); cid++) {
		CHECK(n < 5);
		CHECK_EQ(cid, cids[n]);
		CHECK(slot->code == &f[n].code);
		n++;
	}
	CHECK_EQ(n, 5);
	cid = 4;
	CHECK(chipc_registry_next(&r, &cid) == chipc_registry_get(&r, 17));
	CHECK_EQ(cid, 17);
	cid = -5;
	CHECK(chipc_registry_next(&r, &cid));
	CHECK_EQ(cid, 0);
	cid = CHIP_MAX_CIDS;
	CHECK(!chipc_registry_next(&r, &cid));
	CHECK_EQ(cid, CHIP_MAX_CIDS);
	/* The cids of a callable: a mask, also for one bound twice. */
	CHECK(chipc_registry_cids_of(&r, &f[3].code) == 1ull << 62);
	CHECK_EQ(chipc_registry_add(&r, 5, &f[3].code, NULL), 0);
	CHECK(chipc_registry_cids_of(&r, &f[3].code) ==
	      (1ull << 62 | 1ull << 5));
	CHECK_EQ(chipc_registry_remove(&r, 5, NULL), 0);
	/* A release pops the lowest cid until none is left. */
	for (n = 0; !chipc_registry_pop(&r, &out); n++)
		CHECK(out.code == &f[n].code);
	CHECK_EQ(n, 5);
	CHECK_EQ(r.count, 0);
	CHECK_EQ(chipc_registry_pop(&r, &out), -ENOENT);
	CHECK(!chipc_registry_cids_of(&r, &f[3].code));
	cid = 0;
	CHECK(!chipc_registry_next(&r, &cid));
	/* A registration left at fini: its slot is freed (no leak). */
	CHECK_EQ(chipc_registry_add(&r, 9, &f[0].code, NULL), 0);
	chipc_registry_fini(&r);
	CHECK_EQ(r.count, 0);
	return 0;
}

static int t_functab_stale(void)
{
	static const int32_t fa[] = { 0, 1, 2 };
	static const int32_t fb[] = { 0 };
	static struct chipc_functab t;
	struct fake_code a, b;
	int i;

	fake_code_init(&a, fa, 3, 0x100000);
	fake_code_init(&b, fb, 1, 0x200000);
	chipc_functab_init(&t);
	for (i = 0; i < CHIP_MAX_FUNC_ID; i++)
		CHECK(!t.fn[i]);
	CHECK_EQ(t.nset, 0);

	chipc_functab_bind(&t, &a.code);
	CHECK_EQ(t.nset, 3);
	for (i = 0; i < 3; i++) {
		CHECK(t.fn[i] == &a.kids[i]);
		CHECK_U64(t.fn[i]->code_addr, 0x100000 + 0x1000 * (i + 1) + 128);
	}

	chipc_functab_bind(&t, &b.code);
	CHECK_EQ(t.nset, 1);
	CHECK(t.fn[0] == &b.kids[0]);
	CHECK(!t.fn[1]);
	CHECK(!t.fn[2]);
	for (i = 1; i < CHIP_MAX_FUNC_ID; i++)
		CHECK(!t.fn[i]);

	/* Rebinding A brings back exactly A's entries. */
	chipc_functab_bind(&t, &a.code);
	for (i = 0; i < 3; i++)
		CHECK(t.fn[i] == &a.kids[i]);
	/* Binding nothing clears everything. */
	chipc_functab_bind(&t, NULL);
	CHECK_EQ(t.nset, 0);
	for (i = 0; i < CHIP_MAX_FUNC_ID; i++)
		CHECK(!t.fn[i]);
	return 0;
}

static int t_functab_high_ids(void)
{
	static const int32_t fa[] = { 1023, 512, 7, 0 };
	static const int32_t fb[] = { 512 };
	static struct chipc_functab t;
	struct fake_code a, b;
	int i, n;

	fake_code_init(&a, fa, 4, 0x100000);
	fake_code_init(&b, fb, 1, 0x200000);
	chipc_functab_init(&t);
	chipc_functab_bind(&t, &a.code);
	CHECK(t.fn[1023] == &a.kids[0]);
	CHECK(t.fn[512] == &a.kids[1]);
	CHECK(t.fn[7] == &a.kids[2]);
	CHECK(t.fn[0] == &a.kids[3]);
	chipc_functab_bind(&t, &b.code);
	for (i = 0, n = 0; i < CHIP_MAX_FUNC_ID; i++)
		n += t.fn[i] != NULL;
	CHECK_EQ(n, 1);
	CHECK(t.fn[512] == &b.kids[0]);
	return 0;
}

int main(void)
{
	T_RUN(t_cid_range);
	T_RUN(t_fill_all);
	T_RUN(t_remove_unknown);
	T_RUN(t_walk);
	T_RUN(t_functab_stale);
	T_RUN(t_functab_high_ids);
	return T_DONE();
}
