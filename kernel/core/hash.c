// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * FNV-1a 64: the content hash of chip callables.  It is the reference
 * runtime's hash, kept for compatibility; it is not collision resistant,
 * so every dedup hit is confirmed by comparing bytes (see dedup.c).
 */
#include "chipc.h"

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
