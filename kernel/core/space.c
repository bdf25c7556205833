// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * First-fit allocation of device address ranges: the placement rule of a
 * context's buffers and of resident code, the same for every backend.
 *
 * The free ranges ("holes") of [base, end) are kept in an array sorted by
 * address, never adjacent (a freed range merges with its neighbours).  An
 * allocation takes the lowest hole that fits, so freed addresses are
 * reused at once and a context's addresses stay as low as its live
 * ranges allow.  Holes never outnumber the allocated ranges by more than
 * one; the array is grown at allocation so that a free never allocates
 * and never fails on a valid range.
 *
 * Not locked: the caller serialises access to one space.
 */
#include "chipc.h"

#define CHIPC_SPACE_MIN_CAP	16u

/**
 * chipc_space_extent() - device bytes an allocation of @size takes
 * @size: the bytes asked for
 *
 * Return: @size rounded up to CHIPC_PAGE, plus the CHIPC_VA_GUARD gap
 * after it; 0 for size 0 or a size whose extent does not fit in 64 bits.
 */
u64 chipc_space_extent(u64 size)
{
	if (!size || size > ~0ull - (CHIPC_PAGE - 1) - CHIPC_VA_GUARD)
		return 0;
	return CHIPC_ALIGN_UP(size, CHIPC_PAGE) + CHIPC_VA_GUARD;
}

/**
 * chipc_space_init() - an empty space over [@base, @end)
 * @s: the space
 * @base: first address, CHIPC_PAGE aligned
 * @end: one past the last address, CHIPC_PAGE aligned, above @base
 *
 * Return: 0; -EINVAL for a misaligned or empty range; -ENOMEM.
 */
int chipc_space_init(struct chipc_space *s, u64 base, u64 end)
{
	memset(s, 0, sizeof(*s));
	if (base >= end || !CHIPC_IS_ALIGNED(base, CHIPC_PAGE) ||
	    !CHIPC_IS_ALIGNED(end, CHIPC_PAGE))
		return -EINVAL;
	s->holes = chipc_zalloc(CHIPC_SPACE_MIN_CAP * sizeof(*s->holes));
	if (!s->holes)
		return -ENOMEM;
	s->cap = CHIPC_SPACE_MIN_CAP;
	s->base = base;
	s->end = end;
	s->holes[0].start = base;
	s->holes[0].end = end;
	s->nholes = 1;
	return 0;
}

/**
 * chipc_space_fini() - free a space's bookkeeping
 * @s: the space; ranges still allocated are simply forgotten
 */
void chipc_space_fini(struct chipc_space *s)
{
	if (s->holes)
		chipc_free(s->holes);
	memset(s, 0, sizeof(*s));
}

/* Room for one more hole than allocated ranges after one more allocation. */
static int chipc_space_reserve(struct chipc_space *s)
{
	struct chipc_space_hole *h;
	u32 cap;

	if (s->used + 2 <= s->cap)
		return 0;
	if (s->cap > 0x7fffffffu / sizeof(*h))
		return -ENOMEM;
	cap = 2 * s->cap;
	h = chipc_zalloc((size_t)cap * sizeof(*h));
	if (!h)
		return -ENOMEM;
	memcpy(h, s->holes, (size_t)s->nholes * sizeof(*h));
	chipc_free(s->holes);
	s->holes = h;
	s->cap = cap;
	return 0;
}

/**
 * chipc_space_alloc() - place a range at the lowest free address
 * @s: the space
 * @size: bytes; the range takes chipc_space_extent(@size) bytes
 * @va: receives its first address
 *
 * Return: 0; -EINVAL for size 0; -ENOSPC when no hole fits (the space is
 * exhausted); -ENOMEM.
 */
int chipc_space_alloc(struct chipc_space *s, u64 size, u64 *va)
{
	u64 ext = chipc_space_extent(size);
	u32 i;
	int ret;

	if (!size)
		return -EINVAL;
	if (!ext || ext > s->end - s->base)
		return -ENOSPC;
	for (i = 0; i < s->nholes; i++)
		if (s->holes[i].end - s->holes[i].start >= ext)
			break;
	if (i == s->nholes)
		return -ENOSPC;
	ret = chipc_space_reserve(s);
	if (ret)
		return ret;
	*va = s->holes[i].start;
	s->holes[i].start += ext;
	if (s->holes[i].start == s->holes[i].end) {
		memmove(&s->holes[i], &s->holes[i + 1],
			(size_t)(s->nholes - i - 1) * sizeof(s->holes[0]));
		s->nholes--;
	}
	s->used++;
	return 0;
}

/* Index of the first hole starting above @va (nholes if none). */
static u32 chipc_space_upper(const struct chipc_space *s, u64 va)
{
	u32 lo = 0, hi = s->nholes;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (s->holes[mid].start <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/**
 * chipc_space_free() - give back a range chipc_space_alloc() placed
 * @s: the space
 * @va: its first address
 * @size: the size it was allocated with
 *
 * @size must be the size the range was allocated with: the space keeps
 * its free ranges only, so it cannot tell two adjacent allocated ranges
 * apart.
 *
 * Return: 0; -EINVAL if [@va, @va + extent) is not allocated in @s (a
 * double free, or a range this space never gave), with nothing changed.
 */
int chipc_space_free(struct chipc_space *s, u64 va, u64 size)
{
	u64 ext = chipc_space_extent(size);
	struct chipc_space_hole *prev, *next;
	u32 pos;

	if (!ext || va < s->base || va > s->end || ext > s->end - va ||
	    !s->used)
		return -EINVAL;
	pos = chipc_space_upper(s, va);
	prev = pos ? &s->holes[pos - 1] : NULL;
	next = pos < s->nholes ? &s->holes[pos] : NULL;
	if ((prev && prev->end > va) || (next && next->start < va + ext))
		return -EINVAL;
	if (prev && prev->end == va && next && next->start == va + ext) {
		prev->end = next->end;
		memmove(next, next + 1,
			(size_t)(s->nholes - pos - 1) * sizeof(*next));
		s->nholes--;
	} else if (prev && prev->end == va) {
		prev->end += ext;
	} else if (next && next->start == va + ext) {
		next->start = va;
	} else {
		/* Fits: chipc_space_reserve() keeps nholes <= used + 1. */
		memmove(&s->holes[pos + 1], &s->holes[pos],
			(size_t)(s->nholes - pos) * sizeof(s->holes[0]));
		s->holes[pos].start = va;
		s->holes[pos].end = va + ext;
		s->nholes++;
	}
	s->used--;
	return 0;
}
