// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The dedup table: resident, immutable, patched device copies of chip
 * callables, shared by every registration of the same bytes.
 *
 * Entries live in CHIPC_DEDUP_BUCKETS hash chains.  The key of an image is
 * xxh64 of its bytes (chipc_content_key(), usually computed while the
 * image was copied, chipc_copy_key()), masked with @hash_mask; a key match
 * is only a candidate, and a hit is declared only when
 * chipc_callable_same() finds every byte equal.  Different images with the
 * same key simply coexist in the chain.  Tests set @hash_mask to 0 to make
 * every key collide.
 *
 * Programs are verified once, when an entry is created, on the device copy
 * that will execute (so what was verified is what runs), one pass over
 * each program.  A hit has the same bytes as a verified entry and
 * verifies nothing: it costs the layout check and one comparison.
 *
 * Counters: @misses counts entries created, @hits successful lookups of
 * an existing entry; a failed get changes neither.
 */
#include "chipc.h"

static u32 chipc_dedup_bucket(const struct chipc_dedup *d, u64 key)
{
	return (u32)((key & d->hash_mask) % CHIPC_DEDUP_BUCKETS);
}

/**
 * chipc_dedup_init() - set up an empty table
 * @d: the table
 * @mem: how to get device memory for resident images (copied)
 */
void chipc_dedup_init(struct chipc_dedup *d,
		      const struct chipc_code_mem_ops *mem)
{
	memset(d, 0, sizeof(*d));
	d->hash_mask = ~0ull;
	if (mem)
		d->mem = *mem;
}

static void chipc_code_free(struct chipc_dedup *d, struct chipc_code *c)
{
	d->mem.free(d->mem.priv, c->storage);
	if (c->children)
		chipc_free(c->children);
	chipc_free(c);
}

static bool chipc_dedup_unlink_from(struct chipc_code **pp,
				    const struct chipc_code *c)
{
	for (; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			return true;
		}
	}
	return false;
}

/* Remove @c from its chain; looks everywhere if the mask has changed. */
static void chipc_dedup_unlink(struct chipc_dedup *d, struct chipc_code *c)
{
	u32 i;

	if (chipc_dedup_unlink_from(&d->buckets[chipc_dedup_bucket(d, c->key)],
				    c))
		return;
	for (i = 0; i < CHIPC_DEDUP_BUCKETS; i++)
		if (chipc_dedup_unlink_from(&d->buckets[i], c))
			return;
}

/**
 * chipc_dedup_fini() - free every entry, whatever its references
 * @d: the table; it is left empty
 */
void chipc_dedup_fini(struct chipc_dedup *d)
{
	u32 i;

	for (i = 0; i < CHIPC_DEDUP_BUCKETS; i++) {
		while (d->buckets[i]) {
			struct chipc_code *c = d->buckets[i];

			d->buckets[i] = c->next;
			chipc_code_free(d, c);
		}
	}
	d->entries = 0;
	d->resident_bytes = 0;
}

/*
 * Fill the device copy of @c from checked image @img in one pass: every
 * program is verified while it is copied (chipc_isa_verify_copy()), the
 * rest is copied as it is, then the children are patched and bound.
 */
static int chipc_code_fill(struct chipc_code *c, const u8 *img)
{
	const struct chip_callable_hdr *h = (const void *)img;
	const struct chipc_layout *l = &c->layout;
	u8 *dst = c->image;
	u64 pos, code;
	u32 i;

	pos = l->hdr_size;
	memcpy(dst, img, pos);
	if (c->runtime == CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER) {
		if (!l->orch_size ||
		    chipc_isa_verify_copy(dst + pos, img + pos, l->orch_size,
					  CHIP_CORE_AICPU, &c->orch, NULL))
			return -EINVAL;
	} else {
		memcpy(dst + pos, img + pos, l->orch_size);
	}
	pos += l->orch_size;
	for (i = 0; i < l->child_count; i++) {
		const struct chip_child_hdr *ch = chipc_child(img, i);
		struct chipc_child_bind *b = &c->children[i];
		u32 off = h->child_offsets[i];

		if (ch->core_type != CHIP_CORE_AIC &&
		    ch->core_type != CHIP_CORE_AIV)
			return -EINVAL;
		/* padding and the child header */
		code = (u64)off + CHIP_CHILD_HDR_SIZE;
		memcpy(dst + pos, img + pos, (size_t)(code - pos));
		if (chipc_isa_verify_copy(dst + code, img + code,
					  ch->binary_size, ch->core_type,
					  &b->prog, NULL))
			return -EINVAL;
		pos = code + ch->binary_size;
		b->func_id = h->child_func_ids[i];
		b->core_type = ch->core_type;
		b->hdr_addr = c->dev_addr + off;
		b->code_addr = b->hdr_addr + CHIP_CHILD_HDR_SIZE;
	}
	/* chipc_callable_check(): the image ends with the last binary */
	chipc_callable_patch(dst, l, c->dev_addr);
	return 0;
}

/* A new entry for checked image @img: allocate, then copy and verify. */
static int chipc_code_create(struct chipc_dedup *d, const void *img,
			     const struct chipc_layout *l, u64 key,
			     struct chipc_code **out)
{
	const struct chip_callable_hdr *h = img;
	struct chipc_code *c;
	void *cookie = NULL;
	u8 *host = NULL;
	u64 dev = 0;
	int rc;

	if (!d->mem.alloc || !d->mem.free)
		return -EINVAL;
	c = chipc_zalloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	if (l->child_count) {
		c->children = chipc_zalloc(sizeof(*c->children) *
					   l->child_count);
		if (!c->children) {
			rc = -ENOMEM;
			goto err_free;
		}
	}
	rc = d->mem.alloc(d->mem.priv, l->total_size, &dev, &host, &cookie);
	if (rc) {
		if (rc > 0)
			rc = -ENOMEM;
		goto err_free;
	}
	/* Storage and child code must be 64-byte aligned on the device. */
	if (!host || !CHIPC_IS_ALIGNED(dev, CHIP_CALLABLE_ALIGN) ||
	    dev > ~0ull - l->total_size) {
		rc = -EINVAL;
		goto err_mem;
	}

	c->key = key;
	chipc_ref_init(&c->refs);
	c->platform = h->platform;
	c->runtime = h->runtime;
	c->layout = *l;
	c->dev_addr = dev;
	c->image = host;
	c->storage = cookie;
	rc = chipc_code_fill(c, img);
	if (rc)
		goto err_mem;
	*out = c;
	return 0;

err_mem:
	d->mem.free(d->mem.priv, cookie);
err_free:
	if (c->children)
		chipc_free(c->children);
	chipc_free(c);
	return rc;
}

/**
 * chipc_dedup_get_key() - find or create the resident copy of an image
 * @d: the table
 * @img: canonical image, a private copy, 8-byte aligned
 * @len: its length
 * @key: chipc_content_key(@img, @len), computed by the caller while it
 *	copied the image (chipc_copy_key())
 * @platform: the device's CHIP_PLATFORM_*; the image must be built for it
 * @out: receives the entry, with one reference for the caller
 * @hit: receives whether an existing entry was used (may be NULL)
 *
 * A wrong @key cannot make a wrong hit (bytes decide); it only costs the
 * sharing.
 *
 * Return: 0; the errors of chipc_callable_check(); -EINVAL for a platform
 * mismatch or a program that fails verification; the allocator's error
 * (-ENOSPC, -ENOMEM).  On error nothing is left allocated.
 */
int chipc_dedup_get_key(struct chipc_dedup *d, const void *img, u64 len,
			u64 key, u32 platform, struct chipc_code **out,
			bool *hit)
{
	const struct chip_callable_hdr *h = img;
	struct chipc_layout l;
	struct chipc_code *c;
	u64 mkey;
	u32 bkt;
	int rc;

	if (!out)
		return -EINVAL;
	rc = chipc_callable_check(img, len, &l);
	if (rc)
		return rc;
	if (h->platform != platform)
		return -EINVAL;
	if (h->runtime == CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER &&
	    !l.orch_size)
		return -EINVAL;

	mkey = key & d->hash_mask;
	bkt = chipc_dedup_bucket(d, key);
	for (c = d->buckets[bkt]; c; c = c->next) {
		if ((c->key & d->hash_mask) != mkey ||
		    c->layout.total_size != l.total_size ||
		    !chipc_callable_same(img, c->image, &l))
			continue;
		chipc_ref_get(&c->refs);
		d->hits++;
		*out = c;
		if (hit)
			*hit = true;
		return 0;
	}

	rc = chipc_code_create(d, img, &l, key, &c);
	if (rc)
		return rc;
	c->next = d->buckets[bkt];
	d->buckets[bkt] = c;
	d->misses++;
	d->entries++;
	d->resident_bytes += l.total_size;
	*out = c;
	if (hit)
		*hit = false;
	return 0;
}

/**
 * chipc_dedup_get() - chipc_dedup_get_key() for an image not hashed yet
 * @d: the table
 * @img: canonical image, a private copy, 8-byte aligned
 * @len: its length
 * @platform: the device's CHIP_PLATFORM_*
 * @out: receives the entry, with one reference for the caller
 * @hit: receives whether an existing entry was used (may be NULL)
 *
 * Return: as chipc_dedup_get_key().
 */
int chipc_dedup_get(struct chipc_dedup *d, const void *img, u64 len,
		    u32 platform, struct chipc_code **out, bool *hit)
{
	if (!img)
		return -EINVAL;
	return chipc_dedup_get_key(d, img, len,
				   chipc_content_key(img, (size_t)len),
				   platform, out, hit);
}

/**
 * chipc_dedup_put() - drop one reference
 * @d: the table holding @c
 * @c: a live entry; the last reference frees it and its device memory
 *
 * A put on an entry without references is a bug of the caller: it
 * warns (chipc_ref_put()) and frees nothing.
 */
void chipc_dedup_put(struct chipc_dedup *d, struct chipc_code *c)
{
	if (!c || !chipc_ref_put(&c->refs))
		return;
	chipc_dedup_unlink(d, c);
	d->entries--;
	d->resident_bytes -= c->layout.total_size;
	chipc_code_free(d, c);
}

/**
 * chipc_dedup_put_unless_last() - drop a reference that is not the last
 * @c: a live entry
 *
 * Without the table's lock: an entry's count reaches zero only in
 * chipc_dedup_put(), under it, so a lookup never finds a dying entry.
 *
 * Return: true if a reference was dropped; false, with nothing changed,
 * if it is the last one (the caller then calls chipc_dedup_put() under
 * the table's lock).
 */
bool chipc_dedup_put_unless_last(struct chipc_code *c)
{
	return chipc_ref_put_not_last(&c->refs);
}

/**
 * chipc_dedup_ref() - take one more reference on a live entry
 * @c: the entry; the caller holds a reference on it (directly or
 *	through a registration it has locked), so no table lock is needed
 */
void chipc_dedup_ref(struct chipc_code *c)
{
	chipc_ref_get(&c->refs);
}
