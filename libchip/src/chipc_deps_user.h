/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The portable core's environment in userspace: what chipc_deps.h gives
 * the core in the kernel, from libc, pthreads and compiler builtins.
 */
#ifndef _CHIPC_DEPS_USER_H
#define _CHIPC_DEPS_USER_H

#include <assert.h>
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <errno.h>
#include <pthread.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

struct chipc_mutex {
	pthread_mutex_t m;
};

struct chipc_cond {
	pthread_cond_t c;
};

struct chipc_thread {
	pthread_t t;
	int (*fn)(void *arg);
	void *arg;
	int started;
};

/*
 * A report of a broken invariant of the core (deps_user.c: one line on
 * stderr); chipc_warnings() counts them, for tests.
 */
void chipc_warn(const char *what);
unsigned long chipc_warnings(void);

/*
 * A reference count that warns when misused, as the kernel's refcount_t:
 * an increment from zero or a decrement below zero reports and leaves
 * the count unchanged.
 */
struct chipc_ref {
	unsigned int r;
};

static inline void chipc_ref_init(struct chipc_ref *r)
{
	__atomic_store_n(&r->r, 1, __ATOMIC_RELAXED);
}

static inline void chipc_ref_get(struct chipc_ref *r)
{
	unsigned int old = __atomic_load_n(&r->r, __ATOMIC_RELAXED);

	do {
		if (!old) {
			chipc_warn("chipc_ref: increment from zero (use after free)");
			return;
		}
	} while (!__atomic_compare_exchange_n(&r->r, &old, old + 1, 0,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
}

/* Drop one; true if it was the last.  An underflow warns, false. */
static inline bool chipc_ref_put(struct chipc_ref *r)
{
	unsigned int old = __atomic_load_n(&r->r, __ATOMIC_RELAXED);

	do {
		if (!old) {
			chipc_warn("chipc_ref: decrement below zero (underflow)");
			return false;
		}
	} while (!__atomic_compare_exchange_n(&r->r, &old, old - 1, 0,
					      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	return old == 1;
}

static inline unsigned int chipc_ref_read(const struct chipc_ref *r)
{
	return __atomic_load_n(&r->r, __ATOMIC_RELAXED);
}

/* Relaxed atomic accesses: what READ_ONCE/WRITE_ONCE give the kernel. */
#define CHIPC_READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define CHIPC_WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define CHIPC_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#ifndef BIT
#define BIT(n)			(1ul << (n))
#endif

#define CHIPC_ALIGN_UP(x, a)	(((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define CHIPC_IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)
#define CHIPC_MIN(a, b)		((a) < (b) ? (a) : (b))
#define CHIPC_MAX(a, b)		((a) > (b) ? (a) : (b))

#endif /* _CHIPC_DEPS_USER_H */
