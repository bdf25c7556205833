// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The dedup table: sharing, reference counts, forced hash collisions,
 * verification and allocator failures, with a malloc-backed device
 * memory that hands out fake device addresses.
 */
#include <errno.h>
#include "helpers.h"
#include "chip/chip.h"
#include "chipc.h"

/* ---- fake device memory ---------------------------------------------- */

struct fake_mem {
	uint64_t next_addr;
	int live;		/* allocations not yet freed */
	int allocs;		/* successful allocations */
	int fail_rc;		/* non-zero: the next alloc fails with it */
	int misalign;		/* non-zero: hand out a misaligned address */
};

struct fake_blk {
	uint8_t *host;
	uint64_t addr;
};

static int fake_alloc(void *priv, u32 size, u64 *dev_addr, u8 **host,
		      void **cookie)
{
	struct fake_mem *m = priv;
	struct fake_blk *b;

	if (m->fail_rc) {
		int rc = m->fail_rc;

		m->fail_rc = 0;
		return rc;
	}
	b = malloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->host = aligned_alloc(64, (size + 63) & ~63u);
	if (!b->host) {
		free(b);
		return -ENOMEM;
	}
	memset(b->host, 0xa5, (size + 63) & ~63u);	/* not zeroed */
	b->addr = m->next_addr + (m->misalign ? 8 : 0);
	m->next_addr += ((uint64_t)size + 4095) & ~4095ull;
	m->live++;
	m->allocs++;
	*dev_addr = b->addr;
	*host = b->host;
	*cookie = b;
	return 0;
}

static void fake_free(void *priv, void *cookie)
{
	struct fake_mem *m = priv;
	struct fake_blk *b = cookie;

	m->live--;
	free(b->host);
	free(b);
}

static struct fake_mem mem;

static void table_init(struct chipc_dedup *d)
{
	struct chipc_code_mem_ops ops = {
		.alloc = fake_alloc,
		.free = fake_free,
		.priv = &mem,
	};

	memset(&mem, 0, sizeof(mem));
	mem.next_addr = 0x100000000ull;
	chipc_dedup_init(d, &ops);
}

/* ---- callables ------------------------------------------------------- */

static const struct chip_insn halt[] = { { .op = CHIP_OP_HALT } };
static const struct chip_insn nop_halt[] = { { .op = CHIP_OP_NOP },
					     { .op = CHIP_OP_HALT } };
static const struct chip_insn bad_op[] = { { .op = 0xff } };
static const uint8_t sig2[] = { CHIP_DIR_IN, CHIP_DIR_OUT };

struct kid {
	int32_t func_id;
	uint32_t core;
	const void *code;
	size_t size;
};

static int build(uint32_t platform, uint32_t runtime, const void *orch,
		 size_t orch_size, const struct kid *kids, int n,
		 void **img, size_t *len)
{
	struct chip_builder *b;
	int rc, i;

	rc = chip_builder_new(platform, runtime, &b);
	if (rc)
		return rc;
	rc = chip_builder_set_orch(b, orch, orch_size, "entry", NULL, NULL,
				   0);
	for (i = 0; !rc && i < n; i++)
		rc = chip_builder_add_child(b, kids[i].func_id, kids[i].core,
					    sig2, 2, kids[i].code,
					    kids[i].size);
	if (!rc)
		rc = chip_builder_build(b, img, len);
	chip_builder_free(b);
	return rc;
}

/* A valid tensormap_and_ringbuffer callable; @v varies its content. */
static int build_valid(int v, void **img, size_t *len)
{
	struct kid kids[2] = {
		{ 3, CHIP_CORE_AIV, halt, sizeof(halt) },
		{ 8 + v, CHIP_CORE_AIC, nop_halt, sizeof(nop_halt) },
	};

	return build(CHIP_PLATFORM_A2A3,
		     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER, halt, sizeof(halt),
		     kids, 2, img, len);
}

/* The entry holds a correct patched copy of @img. */
static int entry_matches(const struct chipc_code *c, const void *img,
			 size_t len)
{
	const struct chip_callable_hdr *h = img;
	struct chipc_layout l;
	uint32_t i;

	CHECK_EQ(chipc_callable_check(img, len, &l), 0);
	CHECK_EQ(c->layout.total_size, len);
	CHECK_U64(c->key, chipc_content_key(img, len));
	CHECK_EQ(c->layout.child_count, h->child_count);
	CHECK_EQ(c->platform, h->platform);
	CHECK_EQ(c->runtime, h->runtime);
	CHECK_EQ(c->dev_addr % 64, 0);
	CHECK(chipc_callable_same(img, c->image, &l));
	CHECK_EQ(chipc_callable_check_patched(c->image, &l, c->dev_addr), 0);
	if (h->runtime == CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER) {
		CHECK(c->orch.insns ==
		      (const void *)(c->image + CHIP_CALLABLE_HDR_SIZE));
		CHECK_EQ(c->orch.count, h->orch_size / 8);
		CHECK_EQ(c->orch.core_type, CHIP_CORE_AICPU);
	} else {
		CHECK(!c->orch.insns);
	}
	for (i = 0; i < h->child_count; i++) {
		const struct chipc_child_bind *b = &c->children[i];
		const struct chip_child_hdr *ch = chipc_child(img, i);
		uint32_t off = h->child_offsets[i];

		CHECK_EQ(b->func_id, h->child_func_ids[i]);
		CHECK_EQ(b->core_type, ch->core_type);
		CHECK_U64(b->hdr_addr, c->dev_addr + off);
		CHECK_U64(b->code_addr, c->dev_addr + off + 128);
		CHECK_EQ(b->code_addr % 64, 0);
		CHECK_U64(chipc_child(c->image, i)->resolved_addr,
			  b->code_addr);
		CHECK(b->prog.insns ==
		      (const void *)(c->image + off + 128));
		CHECK_EQ(b->prog.count, ch->binary_size / 8);
		CHECK_EQ(b->prog.core_type, ch->core_type);
	}
	return 0;
}

/* ---- cases ----------------------------------------------------------- */

static int t_same_bytes_share(void)
{
	struct chipc_dedup d;
	struct chipc_code *a, *b;
	uint8_t *copy;
	void *img, *img2;
	size_t len, len2;
	bool hit = true;

	table_init(&d);
	CHECK_U64(d.hash_mask, ~0ull);
	CHECK_EQ(build_valid(0, &img, &len), 0);
	CHECK_EQ(build_valid(0, &img2, &len2), 0);	/* another process */
	copy = malloc(len);
	CHECK(copy);
	memcpy(copy, img, len);

	CHECK_EQ(chipc_dedup_get(&d, img, len, CHIP_PLATFORM_A2A3, &a, &hit),
		 0);
	CHECK(!hit);
	CHECK_EQ(chipc_ref_read(&a->refs), 1);
	CHECK_EQ(d.misses, 1);
	CHECK_EQ(d.hits, 0);
	CHECK_EQ(d.entries, 1);
	CHECK_EQ(d.resident_bytes, len);
	CHECK_EQ(entry_matches(a, img, len), 0);
	CHECK(!memcmp(copy, img, len));		/* input untouched */

	CHECK_EQ(chipc_dedup_get(&d, img2, len2, CHIP_PLATFORM_A2A3, &b,
				 &hit), 0);
	CHECK(hit);
	CHECK(a == b);
	CHECK_EQ(chipc_ref_read(&a->refs), 2);
	CHECK_EQ(d.hits, 1);
	CHECK_EQ(d.misses, 1);
	CHECK_EQ(d.entries, 1);
	CHECK_EQ(d.resident_bytes, len);
	CHECK_EQ(mem.allocs, 1);

	chipc_dedup_put(&d, a);
	CHECK_EQ(d.entries, 1);		/* still resident */
	CHECK_EQ(d.resident_bytes, len);
	CHECK_EQ(mem.live, 1);
	CHECK_EQ(chipc_ref_read(&b->refs), 1);
	CHECK_EQ(entry_matches(b, img, len), 0);

	chipc_dedup_put(&d, b);
	CHECK_EQ(d.entries, 0);
	CHECK_EQ(d.resident_bytes, 0);
	CHECK_EQ(mem.live, 0);
	CHECK_EQ(d.hits, 1);
	CHECK_EQ(d.misses, 1);

	/* After the last put the next get is a miss again. */
	CHECK_EQ(chipc_dedup_get(&d, img, len, CHIP_PLATFORM_A2A3, &a, &hit),
		 0);
	CHECK(!hit);
	CHECK_EQ(d.misses, 2);
	chipc_dedup_ref(a);
	CHECK_EQ(chipc_ref_read(&a->refs), 2);
	chipc_dedup_put(&d, a);
	chipc_dedup_put(&d, a);
	CHECK_EQ(mem.live, 0);

	/* Without the lock only a reference that is not the last goes. */
	CHECK_EQ(chipc_dedup_get(&d, img, len, CHIP_PLATFORM_A2A3, &a, &hit),
		 0);
	chipc_dedup_ref(a);
	CHECK(chipc_dedup_put_unless_last(a));
	CHECK_EQ(chipc_ref_read(&a->refs), 1);
	CHECK(!chipc_dedup_put_unless_last(a));
	CHECK_EQ(chipc_ref_read(&a->refs), 1);
	CHECK_EQ(d.entries, 1);
	chipc_dedup_put(&d, a);
	CHECK_EQ(d.entries, 0);
	CHECK_EQ(mem.live, 0);
	chipc_dedup_fini(&d);
	free(copy);
	free(img);
	free(img2);
	return 0;
}

static int t_different_bytes(void)
{
	struct chipc_dedup d;
	struct chipc_code *a, *b;
	void *i1, *i2;
	size_t l1, l2;
	bool hit;

	table_init(&d);
	CHECK_EQ(build_valid(0, &i1, &l1), 0);
	CHECK_EQ(build_valid(1, &i2, &l2), 0);
	CHECK_EQ(l1, l2);
	CHECK_EQ(chipc_dedup_get(&d, i1, l1, CHIP_PLATFORM_A2A3, &a, &hit),
		 0);
	CHECK_EQ(chipc_dedup_get(&d, i2, l2, CHIP_PLATFORM_A2A3, &b, &hit),
		 0);
	CHECK(!hit);
	CHECK(a != b);
	CHECK(a->dev_addr != b->dev_addr);
	CHECK_EQ(d.entries, 2);
	CHECK_EQ(d.misses, 2);
	CHECK_EQ(d.hits, 0);
	CHECK_EQ(d.resident_bytes, l1 + l2);
	CHECK_EQ(entry_matches(a, i1, l1), 0);
	CHECK_EQ(entry_matches(b, i2, l2), 0);
	chipc_dedup_put(&d, a);
	CHECK_EQ(d.entries, 1);
	CHECK_EQ(d.resident_bytes, l2);
	chipc_dedup_put(&d, b);
	CHECK_EQ(mem.live, 0);
	chipc_dedup_fini(&d);
	free(i1);
	free(i2);
	return 0;
}

static int t_forced_collision(void)
{
	struct chipc_dedup d;
	struct chipc_code *c[4];
	void *img[4];
	size_t len[4];
	bool hit;
	int i;

	table_init(&d);
	d.hash_mask = 0;	/* every key collides */
	for (i = 0; i < 3; i++)
		CHECK_EQ(build_valid(i, &img[i], &len[i]), 0);
	CHECK_EQ(build_valid(0, &img[3], &len[3]), 0);

	for (i = 0; i < 3; i++) {
		CHECK_EQ(chipc_dedup_get(&d, img[i], len[i],
					 CHIP_PLATFORM_A2A3, &c[i], &hit), 0);
		CHECK(!hit);
	}
	CHECK(c[0] != c[1] && c[1] != c[2] && c[0] != c[2]);
	CHECK_EQ(d.entries, 3);
	CHECK_EQ(d.misses, 3);
	CHECK_EQ(d.hits, 0);
	/* all in one chain */
	CHECK(d.buckets[0] && d.buckets[0]->next &&
	      d.buckets[0]->next->next && !d.buckets[0]->next->next->next);
	for (i = 0; i < 3; i++)
		CHECK_EQ(entry_matches(c[i], img[i], len[i]), 0);

	/* An identical image finds its own entry, not a colliding one. */
	CHECK_EQ(chipc_dedup_get(&d, img[3], len[3], CHIP_PLATFORM_A2A3,
				 &c[3], &hit), 0);
	CHECK(hit);
	CHECK(c[3] == c[0]);
	CHECK_EQ(chipc_ref_read(&c[0]->refs), 2);
	CHECK_EQ(d.hits, 1);
	CHECK_EQ(d.entries, 3);

	/* Unlink from the middle of the chain, then the rest. */
	chipc_dedup_put(&d, c[1]);
	CHECK_EQ(d.entries, 2);
	CHECK_EQ(entry_matches(c[0], img[0], len[0]), 0);
	CHECK_EQ(entry_matches(c[2], img[2], len[2]), 0);
	CHECK_EQ(chipc_dedup_get(&d, img[1], len[1], CHIP_PLATFORM_A2A3,
				 &c[1], &hit), 0);
	CHECK(!hit);
	CHECK_EQ(entry_matches(c[1], img[1], len[1]), 0);
	for (i = 0; i < 4; i++)
		chipc_dedup_put(&d, c[i]);
	CHECK_EQ(d.entries, 0);
	CHECK_EQ(d.resident_bytes, 0);
	CHECK_EQ(mem.live, 0);
	chipc_dedup_fini(&d);
	for (i = 0; i < 4; i++)
		free(img[i]);
	return 0;
}

/*
 * Different images under the same xxh64 key with the full mask (what a
 * real collision looks like to the table): the bytes decide, so neither
 * is taken for the other; the same bytes under a key that matches
 * nothing resident are a miss (a new entry), never a wrong hit.
 */
static int t_key_collision(void)
{
	struct chipc_dedup d;
	struct chipc_code *a, *b, *c, *e;
	void *i1, *i2;
	size_t l1, l2;
	const u64 key = 0x0123456789abcdefull;
	bool hit;

	table_init(&d);
	CHECK_EQ(build_valid(0, &i1, &l1), 0);
	CHECK_EQ(build_valid(1, &i2, &l2), 0);
	CHECK_EQ(l1, l2);
	CHECK(memcmp(i1, i2, l1));
	CHECK_EQ(chipc_dedup_get_key(&d, i1, l1, key, CHIP_PLATFORM_A2A3, &a,
				     &hit), 0);
	CHECK(!hit);
	CHECK_U64(a->key, key);
	CHECK_EQ(chipc_dedup_get_key(&d, i2, l2, key, CHIP_PLATFORM_A2A3, &b,
				     &hit), 0);
	CHECK(!hit);
	CHECK(a != b);
	CHECK_EQ(d.entries, 2);
	CHECK(chipc_callable_same(i2, b->image, &b->layout));
	/* the right bytes under the colliding key: a hit on their entry */
	CHECK_EQ(chipc_dedup_get_key(&d, i2, l2, key, CHIP_PLATFORM_A2A3, &c,
				     &hit), 0);
	CHECK(hit);
	CHECK(c == b);
	CHECK_EQ(mem.allocs, 2);
	/* the same bytes as @a under their own key: not @a's chain entry */
	CHECK_EQ(chipc_dedup_get(&d, i1, l1, CHIP_PLATFORM_A2A3, &e, &hit), 0);
	CHECK(!hit);
	CHECK(e != a);
	CHECK_U64(e->key, chipc_content_key(i1, l1));
	CHECK_EQ(d.hits, 1);
	CHECK_EQ(d.misses, 3);
	chipc_dedup_put(&d, a);
	chipc_dedup_put(&d, b);
	chipc_dedup_put(&d, c);
	chipc_dedup_put(&d, e);
	CHECK_EQ(d.entries, 0);
	CHECK_EQ(mem.live, 0);
	chipc_dedup_fini(&d);
	free(i1);
	free(i2);
	return 0;
}

/* The mask changes while entries are resident: no aliasing, no leak. */
static int t_mask_change(void)
{
	struct chipc_dedup d;
	struct chipc_code *a, *b;
	void *img;
	size_t len;
	bool hit;

	table_init(&d);
	CHECK_EQ(build_valid(0, &img, &len), 0);
	CHECK_EQ(chipc_dedup_get(&d, img, len, CHIP_PLATFORM_A2A3, &a, &hit),
		 0);
	d.hash_mask = 0;
	CHECK_EQ(chipc_dedup_get(&d, img, len, CHIP_PLATFORM_A2A3, &b, &hit),
		 0);
	CHECK_EQ(entry_matches(b, img, len), 0);
	chipc_dedup_put(&d, a);		/* found outside its current bucket */
	chipc_dedup_put(&d, b);
	CHECK_EQ(d.entries, 0);
	CHECK_EQ(mem.live, 0);
	for (int i = 0; i < CHIPC_DEDUP_BUCKETS; i++)
		CHECK(!d.buckets[i]);
	chipc_dedup_fini(&d);
	free(img);
	return 0;
}

static int expect_reject(const void *img, size_t len, uint32_t platform,
			 int want)
{
	struct chipc_dedup d;
	struct chipc_code *c = NULL;
	bool hit = false;

	table_init(&d);
	CHECK_EQ(chipc_dedup_get(&d, img, len, platform, &c, &hit), want);
	CHECK(!c);
	CHECK_EQ(d.entries, 0);
	CHECK_EQ(d.resident_bytes, 0);
	CHECK_EQ(d.hits, 0);
	CHECK_EQ(d.misses, 0);
	CHECK_EQ(mem.live, 0);
	for (int i = 0; i < CHIPC_DEDUP_BUCKETS; i++)
		CHECK(!d.buckets[i]);
	chipc_dedup_fini(&d);
	return 0;
}

static int t_verify_fail(void)
{
	struct kid bad_child[2] = {
		{ 1, CHIP_CORE_AIV, halt, sizeof(halt) },
		{ 2, CHIP_CORE_AIV, bad_op, sizeof(bad_op) },
	};
	struct kid short_child[1] = { { 1, CHIP_CORE_AIC, halt, 7 } };
	struct kid empty_child[1] = { { 1, CHIP_CORE_AIC, NULL, 0 } };
	void *img;
	size_t len;

	/* a child fails verification */
	CHECK_EQ(build(CHIP_PLATFORM_A2A3,
		       CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER, halt,
		       sizeof(halt), bad_child, 2, &img, &len), 0);
	CHECK_EQ(expect_reject(img, len, CHIP_PLATFORM_A2A3, -EINVAL), 0);
	free(img);
	CHECK_EQ(build(CHIP_PLATFORM_A2A3, CHIP_RUNTIME_HOST_BUILD_GRAPH,
		       NULL, 0, bad_child, 2, &img, &len), 0);
	CHECK_EQ(expect_reject(img, len, CHIP_PLATFORM_A2A3, -EINVAL), 0);
	free(img);
	CHECK_EQ(build(CHIP_PLATFORM_A2A3, CHIP_RUNTIME_HOST_BUILD_GRAPH,
		       NULL, 0, short_child, 1, &img, &len), 0);
	CHECK_EQ(expect_reject(img, len, CHIP_PLATFORM_A2A3, -EINVAL), 0);
	free(img);
	CHECK_EQ(build(CHIP_PLATFORM_A2A3, CHIP_RUNTIME_HOST_BUILD_GRAPH,
		       NULL, 0, empty_child, 1, &img, &len), 0);
	CHECK_EQ(expect_reject(img, len, CHIP_PLATFORM_A2A3, -EINVAL), 0);
	free(img);

	/* the orchestration program fails verification */
	CHECK_EQ(build(CHIP_PLATFORM_A2A3,
		       CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER, bad_op,
		       sizeof(bad_op), NULL, 0, &img, &len), 0);
	CHECK_EQ(expect_reject(img, len, CHIP_PLATFORM_A2A3, -EINVAL), 0);
	free(img);
	/* tensormap_and_ringbuffer needs an orchestration program */
	CHECK_EQ(build(CHIP_PLATFORM_A2A3,
		       CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER, NULL, 0,
		       bad_child, 1, &img, &len), 0);
	CHECK_EQ(expect_reject(img, len, CHIP_PLATFORM_A2A3, -EINVAL), 0);
	free(img);
	return 0;
}

/* host_build_graph: the orchestration is a host object, not verified. */
static int t_host_orch_not_verified(void)
{
	static const uint8_t elf[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	struct kid kids[1] = { { 0, CHIP_CORE_AIV, halt, sizeof(halt) } };
	struct chipc_dedup d;
	struct chipc_code *c;
	void *img;
	size_t len;
	bool hit;

	table_init(&d);
	CHECK_EQ(build(CHIP_PLATFORM_A5, CHIP_RUNTIME_HOST_BUILD_GRAPH, elf,
		       sizeof(elf), kids, 1, &img, &len), 0);
	CHECK_EQ(chipc_dedup_get(&d, img, len, CHIP_PLATFORM_A5, &c, &hit),
		 0);
	CHECK_EQ(entry_matches(c, img, len), 0);
	chipc_dedup_put(&d, c);
	free(img);
	CHECK_EQ(build(CHIP_PLATFORM_A5, CHIP_RUNTIME_HOST_BUILD_GRAPH, NULL,
		       0, NULL, 0, &img, &len), 0);
	CHECK_EQ(chipc_dedup_get(&d, img, len, CHIP_PLATFORM_A5, &c, &hit),
		 0);
	CHECK_EQ(c->layout.total_size, CHIP_CALLABLE_HDR_SIZE);
	chipc_dedup_put(&d, c);
	CHECK_EQ(mem.live, 0);
	chipc_dedup_fini(&d);
	free(img);
	return 0;
}

static int t_platform_mismatch(void)
{
	void *img;
	size_t len;

	CHECK_EQ(build_valid(0, &img, &len), 0);
	CHECK_EQ(expect_reject(img, len, CHIP_PLATFORM_A5, -EINVAL), 0);
	CHECK_EQ(expect_reject(img, len, 0, -EINVAL), 0);
	free(img);
	return 0;
}

static int t_malformed(void)
{
	uint8_t *p;
	void *img;
	size_t len;

	CHECK_EQ(build_valid(0, &img, &len), 0);
	p = malloc(len - 1);
	CHECK(p);
	memcpy(p, img, len - 1);
	CHECK_EQ(expect_reject(p, len - 1, CHIP_PLATFORM_A2A3, -EMSGSIZE),
		 0);
	free(p);
	((struct chip_callable_hdr *)img)->child_count = 2000;
	CHECK_EQ(expect_reject(img, len, CHIP_PLATFORM_A2A3, -E2BIG), 0);
	free(img);
	return 0;
}

static int t_alloc_fail(void)
{
	struct chipc_dedup d;
	struct chipc_code *a, *c = NULL;
	void *img, *img2;
	size_t len, len2;
	bool hit;

	CHECK_EQ(build_valid(0, &img, &len), 0);
	CHECK_EQ(build_valid(1, &img2, &len2), 0);

	table_init(&d);
	mem.fail_rc = -ENOSPC;
	CHECK_EQ(chipc_dedup_get(&d, img, len, CHIP_PLATFORM_A2A3, &c, &hit),
		 -ENOSPC);
	CHECK(!c);
	CHECK_EQ(d.entries, 0);
	CHECK_EQ(d.misses, 0);
	CHECK_EQ(mem.live, 0);
	mem.fail_rc = -ENOMEM;
	CHECK_EQ(chipc_dedup_get(&d, img, len, CHIP_PLATFORM_A2A3, &c, &hit),
		 -ENOMEM);
	CHECK_EQ(d.entries, 0);
	CHECK_EQ(mem.live, 0);

	/* A failure next to a resident entry leaves that entry alone. */
	CHECK_EQ(chipc_dedup_get(&d, img, len, CHIP_PLATFORM_A2A3, &a, &hit),
		 0);
	mem.fail_rc = -ENOSPC;
	CHECK_EQ(chipc_dedup_get(&d, img2, len2, CHIP_PLATFORM_A2A3, &c,
				 &hit), -ENOSPC);
	CHECK_EQ(d.entries, 1);
	CHECK_EQ(d.resident_bytes, len);
	CHECK_EQ(mem.live, 1);
	CHECK_EQ(chipc_ref_read(&a->refs), 1);
	/* a hit needs no allocation */
	mem.fail_rc = -ENOSPC;
	CHECK_EQ(chipc_dedup_get(&d, img, len, CHIP_PLATFORM_A2A3, &c, &hit),
		 0);
	CHECK(hit && c == a);
	mem.fail_rc = 0;
	chipc_dedup_put(&d, a);
	chipc_dedup_put(&d, a);
	CHECK_EQ(mem.live, 0);

	/* Device memory that is not 64-byte aligned is refused and freed. */
	mem.misalign = 1;
	CHECK_EQ(chipc_dedup_get(&d, img, len, CHIP_PLATFORM_A2A3, &c, &hit),
		 -EINVAL);
	CHECK_EQ(mem.live, 0);
	CHECK_EQ(d.entries, 0);
	chipc_dedup_fini(&d);
	free(img);
	free(img2);
	return 0;
}

static int t_fini_frees_all(void)
{
	struct chipc_dedup d;
	struct chipc_code *c;
	void *img[3];
	size_t len[3];
	bool hit;
	int i;

	table_init(&d);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(build_valid(i, &img[i], &len[i]), 0);
		CHECK_EQ(chipc_dedup_get(&d, img[i], len[i],
					 CHIP_PLATFORM_A2A3, &c, &hit), 0);
		CHECK_EQ(chipc_dedup_get(&d, img[i], len[i],
					 CHIP_PLATFORM_A2A3, &c, &hit), 0);
	}
	CHECK_EQ(mem.live, 3);
	chipc_dedup_fini(&d);
	CHECK_EQ(mem.live, 0);
	CHECK_EQ(d.entries, 0);
	CHECK_EQ(d.resident_bytes, 0);
	for (i = 0; i < 3; i++)
		free(img[i]);
	return 0;
}

/*
 * A put on an entry whose count is already zero (a caller's bug) warns
 * and frees nothing; the count saturates instead of wrapping.
 */
static int t_put_underflow_warns(void)
{
	struct chipc_dedup d;
	struct chipc_code *a;
	unsigned long w0;
	void *img;
	size_t len;
	bool hit;

	table_init(&d);
	CHECK_EQ(build_valid(0, &img, &len), 0);
	CHECK_EQ(chipc_dedup_get(&d, img, len, CHIP_PLATFORM_A2A3, &a, &hit),
		 0);
	a->refs.r = 0;		/* as if a reference had been dropped twice */
	w0 = chipc_warnings();
	chipc_dedup_put(&d, a);
	CHECK_EQ(chipc_warnings() - w0, 1);
	CHECK_EQ(d.entries, 1);
	CHECK_EQ(mem.live, 1);
	chipc_dedup_ref(a);		/* an increment from zero warns too */
	CHECK_EQ(chipc_warnings() - w0, 2);
	CHECK_EQ(chipc_ref_read(&a->refs), 0);
	chipc_dedup_fini(&d);
	CHECK_EQ(mem.live, 0);
	free(img);
	return 0;
}

int main(void)
{
	T_RUN(t_same_bytes_share);
	T_RUN(t_different_bytes);
	T_RUN(t_forced_collision);
	T_RUN(t_key_collision);
	T_RUN(t_mask_change);
	T_RUN(t_verify_fail);
	T_RUN(t_host_orch_not_verified);
	T_RUN(t_platform_mismatch);
	T_RUN(t_malformed);
	T_RUN(t_alloc_fail);
	T_RUN(t_fini_frees_all);
	T_RUN(t_put_underflow_warns);
	return T_DONE();
}
