/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Counting every allocation of the process (libchip's included), to show
 * that a path makes none.  The header defines malloc(), calloc() and
 * realloc(): include it in one file of a test program only.  Under
 * AddressSanitizer or ThreadSanitizer NO_ALLOC_COUNT is defined and
 * nothing is counted.
 */
#ifndef CHIP_TESTS_ALLOCCOUNT_H
#define CHIP_TESTS_ALLOCCOUNT_H

#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NO_ALLOC_COUNT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define NO_ALLOC_COUNT 1
#endif
#endif

#ifndef NO_ALLOC_COUNT
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);

static unsigned long n_allocs;
static void *volatile sink;

void *malloc(size_t n)
{
	__atomic_fetch_add(&n_allocs, 1, __ATOMIC_RELAXED);
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	__atomic_fetch_add(&n_allocs, 1, __ATOMIC_RELAXED);
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	__atomic_fetch_add(&n_allocs, 1, __ATOMIC_RELAXED);
	return __libc_realloc(p, n);
}

/* Allocations so far, or ~0ul when they are not seen (valgrind). */
static inline unsigned long allocs(void)
{
	unsigned long before = __atomic_load_n(&n_allocs, __ATOMIC_RELAXED);

	sink = malloc(16);
	free(sink);
	if (__atomic_load_n(&n_allocs, __ATOMIC_RELAXED) == before)
		return ~0ul;
	return __atomic_load_n(&n_allocs, __ATOMIC_RELAXED);
}
#else
static inline unsigned long allocs(void)
{
	return ~0ul;
}
#endif

#endif /* CHIP_TESTS_ALLOCCOUNT_H */
