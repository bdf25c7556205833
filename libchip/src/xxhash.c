// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * xxh64 for the core in userspace: the function and the interface of the
 * kernel's lib/xxhash.c (xxh64(), xxh64_reset(), xxh64_update(),
 * xxh64_digest()), which chip.ko uses.  chipc_deps_user.h maps the
 * kernel's names to the chipc_ ones defined here.  The algorithm is
 * XXH64 of the xxHash specification (Yann Collet); tests/unit/test_hash.c
 * checks it against the specification's vectors and, where Debian's
 * libxxhash is installed, against its XXH64() on every length up to
 * several stripes and at every alignment.
 */
#include "chipc_deps.h"

#define PRIME64_1	0x9e3779b185ebca87ull
#define PRIME64_2	0xc2b2ae3d27d4eb4full
#define PRIME64_3	0x165667b19e3779f9ull
#define PRIME64_4	0x85ebca77c2b2ae63ull
#define PRIME64_5	0x27d4eb2f165667c5ull

static inline u64 rotl64(u64 x, unsigned int r)
{
	return (x << r) | (x >> (64 - r));
}

/* The specification reads little-endian lanes at any alignment. */
static inline u64 get_le64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline u32 get_le32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

static inline u64 xxh64_round(u64 acc, u64 input)
{
	acc += input * PRIME64_2;
	acc = rotl64(acc, 31);
	return acc * PRIME64_1;
}

static inline u64 xxh64_merge_round(u64 acc, u64 val)
{
	acc ^= xxh64_round(0, val);
	return acc * PRIME64_1 + PRIME64_4;
}

/* The lanes folded into one, then the tail (< 32 bytes) and avalanche. */
static u64 xxh64_finish(u64 h64, const u8 *p, const u8 *end)
{
	while (p + 8 <= end) {
		h64 ^= xxh64_round(0, get_le64(p));
		h64 = rotl64(h64, 27) * PRIME64_1 + PRIME64_4;
		p += 8;
	}
	if (p + 4 <= end) {
		h64 ^= (u64)get_le32(p) * PRIME64_1;
		h64 = rotl64(h64, 23) * PRIME64_2 + PRIME64_3;
		p += 4;
	}
	while (p < end) {
		h64 ^= *p * PRIME64_5;
		h64 = rotl64(h64, 11) * PRIME64_1;
		p++;
	}
	h64 ^= h64 >> 33;
	h64 *= PRIME64_2;
	h64 ^= h64 >> 29;
	h64 *= PRIME64_3;
	h64 ^= h64 >> 32;
	return h64;
}

static u64 xxh64_converge(u64 v1, u64 v2, u64 v3, u64 v4)
{
	u64 h64 = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) +
		  rotl64(v4, 18);

	h64 = xxh64_merge_round(h64, v1);
	h64 = xxh64_merge_round(h64, v2);
	h64 = xxh64_merge_round(h64, v3);
	return xxh64_merge_round(h64, v4);
}

/* Consume whole 32-byte stripes of [@p, @end); returns the first left. */
static const u8 *xxh64_stripes(u64 v[4], const u8 *p, const u8 *end)
{
	u64 v1 = v[0], v2 = v[1], v3 = v[2], v4 = v[3];

	while (end - p >= 32) {
		v1 = xxh64_round(v1, get_le64(p));
		v2 = xxh64_round(v2, get_le64(p + 8));
		v3 = xxh64_round(v3, get_le64(p + 16));
		v4 = xxh64_round(v4, get_le64(p + 24));
		p += 32;
	}
	v[0] = v1;
	v[1] = v2;
	v[2] = v3;
	v[3] = v4;
	return p;
}

/* xxh64_stripes() that also stores every byte it reads at @d. */
static const u8 *xxh64_stripes_copy(u64 v[4], u8 *d, const u8 *p,
				    const u8 *end)
{
	u64 v1 = v[0], v2 = v[1], v3 = v[2], v4 = v[3];

	while (end - p >= 32) {
		u64 w[4];

		memcpy(w, p, 32);
		memcpy(d, w, 32);
		v1 = xxh64_round(v1, get_le64(p));
		v2 = xxh64_round(v2, get_le64(p + 8));
		v3 = xxh64_round(v3, get_le64(p + 16));
		v4 = xxh64_round(v4, get_le64(p + 24));
		p += 32;
		d += 32;
	}
	v[0] = v1;
	v[1] = v2;
	v[2] = v3;
	v[3] = v4;
	return p;
}

u64 chipc_xxh64(const void *input, size_t len, u64 seed)
{
	const u8 *p = input;
	const u8 *end = p + len;
	u64 h64;

	if (len >= 32) {
		u64 v[4] = {
			seed + PRIME64_1 + PRIME64_2, seed + PRIME64_2, seed,
			seed - PRIME64_1,
		};

		p = xxh64_stripes(v, p, end);
		h64 = xxh64_converge(v[0], v[1], v[2], v[3]);
	} else {
		h64 = seed + PRIME64_5;
	}
	return xxh64_finish(h64 + (u64)len, p, end);
}

void chipc_xxh64_reset(struct chipc_xxh64_state *st, u64 seed)
{
	memset(st, 0, sizeof(*st));
	st->v1 = seed + PRIME64_1 + PRIME64_2;
	st->v2 = seed + PRIME64_2;
	st->v3 = seed;
	st->v4 = seed - PRIME64_1;
}

int chipc_xxh64_update(struct chipc_xxh64_state *st, const void *input,
		       size_t len)
{
	const u8 *p = input;
	const u8 *end = p + len;
	u8 *mem = (u8 *)st->mem64;
	u64 v[4];

	if (!input)
		return -EINVAL;
	st->total_len += len;
	if (st->memsize + len < 32) {
		memcpy(mem + st->memsize, p, len);
		st->memsize += (u32)len;
		return 0;
	}
	v[0] = st->v1;
	v[1] = st->v2;
	v[2] = st->v3;
	v[3] = st->v4;
	if (st->memsize) {
		u32 fill = 32 - st->memsize;

		memcpy(mem + st->memsize, p, fill);
		xxh64_stripes(v, mem, mem + 32);
		p += fill;
		st->memsize = 0;
	}
	p = xxh64_stripes(v, p, end);
	st->v1 = v[0];
	st->v2 = v[1];
	st->v3 = v[2];
	st->v4 = v[3];
	if (p < end) {
		memcpy(mem, p, (size_t)(end - p));
		st->memsize = (u32)(end - p);
	}
	return 0;
}

u64 chipc_xxh64_digest(const struct chipc_xxh64_state *st)
{
	const u8 *mem = (const u8 *)st->mem64;
	u64 h64;

	if (st->total_len >= 32)
		h64 = xxh64_converge(st->v1, st->v2, st->v3, st->v4);
	else
		h64 = st->v3 + PRIME64_5;
	return xxh64_finish(h64 + st->total_len, mem, mem + st->memsize);
}

/*
 * Copy @len bytes from @src to @dst and add them to @st: the same state as
 * memcpy() followed by chipc_xxh64_update() on @dst, in one pass (the
 * stores ride along with the multiplications).  Whole stripes are hashed
 * from the registers they were loaded into, so @dst holds exactly the bytes
 * that were hashed.
 */
void chipc_xxh64_copy_update(struct chipc_xxh64_state *st, void *dst,
			     const void *src, size_t len)
{
	const u8 *p = src;
	u8 *d = dst;
	size_t whole;
	u64 v[4];

	if (st->memsize || len < 32) {
		memcpy(dst, src, len);
		chipc_xxh64_update(st, dst, len);
		return;
	}
	whole = len & ~(size_t)31;
	v[0] = st->v1;
	v[1] = st->v2;
	v[2] = st->v3;
	v[3] = st->v4;
	xxh64_stripes_copy(v, d, p, p + whole);
	st->v1 = v[0];
	st->v2 = v[1];
	st->v3 = v[2];
	st->v4 = v[3];
	st->total_len += whole;
	if (len > whole) {
		memcpy(d + whole, p + whole, len - whole);
		chipc_xxh64_update(st, d + whole, len - whole);
	}
}
