// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Content hashes of chip callables.
 *
 * The dedup key is xxh64 (seed 0) of the canonical image: the kernel's
 * lib/xxhash in chip.ko and the same function in libchip (chipc_deps.h
 * maps it).  It only selects candidates: every dedup hit is confirmed by
 * comparing bytes (see dedup.c).  chipc_copy_key() computes it while the
 * image is copied, so the bytes pass through the CPU once.
 *
 * FNV-1a 64 is the reference runtime's content hash, kept for its tooling
 * (chip_callable_layout() reports it); the upload path never computes it.
 */
#include "chipc.h"

/**
 * chipc_content_key() - the dedup key of an image
 * @p: the image
 * @n: its length in bytes
 *
 * Return: xxh64 of @p[0..@n) with seed CHIPC_KEY_SEED.
 */
u64 chipc_content_key(const void *p, size_t n)
{
	return xxh64(p, n, CHIPC_KEY_SEED);
}

/**
 * chipc_copy_key() - copy an image and compute its dedup key in one pass
 * @dst: destination, @n bytes
 * @src: source, @n bytes; must not overlap @dst
 * @n: number of bytes
 *
 * Copies in chunks of CHIPC_KEY_CHUNK bytes, each hashed as it is copied
 * (chipc_xxh64_copy_update(): fused in libchip, from the first-level cache
 * in the kernel).  What is hashed is the copy, so the key describes the
 * bytes the caller goes on to use even if @src changes meanwhile.
 *
 * Return: chipc_content_key(@dst, @n).
 */
u64 chipc_copy_key(void *dst, const void *src, size_t n)
{
	struct xxh64_state st;
	const u8 *s = src;
	u8 *d = dst;

	xxh64_reset(&st, CHIPC_KEY_SEED);
	while (n) {
		size_t c = n < CHIPC_KEY_CHUNK ? n : CHIPC_KEY_CHUNK;

		chipc_xxh64_copy_update(&st, d, s, c);
		d += c;
		s += c;
		n -= c;
	}
	return xxh64_digest(&st);
}

/**
 * chipc_fnv1a64_update() - continue an FNV-1a 64 hash
 * @h: hash so far (CHIPC_FNV_OFFSET to start)
 * @p: bytes to add
 * @n: number of bytes
 *
 * Return: the hash of everything hashed into @h followed by @p[0..@n).
 */
u64 chipc_fnv1a64_update(u64 h, const void *p, size_t n)
{
	const u8 *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= CHIPC_FNV_PRIME;
	}
	return h;
}

/**
 * chipc_fnv1a64() - FNV-1a 64 hash of a buffer
 * @p: bytes
 * @n: number of bytes
 *
 * Return: the hash; CHIPC_FNV_OFFSET for an empty buffer.
 */
u64 chipc_fnv1a64(const void *p, size_t n)
{
	return chipc_fnv1a64_update(CHIPC_FNV_OFFSET, p, n);
}
