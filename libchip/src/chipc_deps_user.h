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

/* Drop one unless it is the last (or none is left); true if dropped. */
static inline bool chipc_ref_put_not_last(struct chipc_ref *r)
{
	unsigned int old = __atomic_load_n(&r->r, __ATOMIC_RELAXED);

	do {
		if (old <= 1)
			return false;
	} while (!__atomic_compare_exchange_n(&r->r, &old, old - 1, 0,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	return true;
}

static inline unsigned int chipc_ref_read(const struct chipc_ref *r)
{
	return __atomic_load_n(&r->r, __ATOMIC_RELAXED);
}

/*
 * A map from small ids to pointers, as the kernel's xarray does it for
 * the core: an array grown to the highest id.  Not locked: its user
 * serialises access (as the core's registry requires anyway).
 */
struct chipc_idmap {
	void **v;
	u32 cap;
};

void chipc_idmap_init(struct chipc_idmap *m);
void chipc_idmap_fini(struct chipc_idmap *m);
void *chipc_idmap_load(struct chipc_idmap *m, u32 id);
/* Return: 0; -EBUSY if @id is taken; -ENOMEM. */
int chipc_idmap_insert(struct chipc_idmap *m, u32 id, void *p);
/* Return: what was at @id, or NULL. */
void *chipc_idmap_erase(struct chipc_idmap *m, u32 id);
/* The entry with the lowest id >= *@id (then in *@id), or NULL. */
void *chipc_idmap_next(struct chipc_idmap *m, u32 *id);

/* Relaxed atomic accesses: what READ_ONCE/WRITE_ONCE give the kernel. */
#define CHIPC_READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define CHIPC_WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define CHIPC_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define CHIPC_ALWAYS_INLINE	inline __attribute__((__always_inline__))
#define CHIPC_UNLIKELY(x)	__builtin_expect(!!(x), 0)
#ifndef BIT
#define BIT(n)			(1ul << (n))
#endif

#define CHIPC_ALIGN_UP(x, a)	(((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define CHIPC_IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)
#define CHIPC_MIN(a, b)		((a) < (b) ? (a) : (b))
#define CHIPC_MAX(a, b)		((a) > (b) ? (a) : (b))

/*
 * xxh64 with the kernel's interface (<linux/xxhash.h>), implemented in
 * libchip/src/xxhash.c under chipc_ names so that libchip exports no
 * name of another library's.
 */
struct chipc_xxh64_state {
	u64 total_len;
	u64 v1;
	u64 v2;
	u64 v3;
	u64 v4;
	u64 mem64[4];
	u32 memsize;
};

u64 chipc_xxh64(const void *input, size_t len, u64 seed);
void chipc_xxh64_reset(struct chipc_xxh64_state *st, u64 seed);
int chipc_xxh64_update(struct chipc_xxh64_state *st, const void *input,
		       size_t len);
u64 chipc_xxh64_digest(const struct chipc_xxh64_state *st);
/* Need: memcpy() then xxh64_update() on the copy, fused into one pass. */
void chipc_xxh64_copy_update(struct chipc_xxh64_state *st, void *dst,
			     const void *src, size_t len);

#define xxh64_state		chipc_xxh64_state
#define xxh64			chipc_xxh64
#define xxh64_reset		chipc_xxh64_reset
#define xxh64_update		chipc_xxh64_update
#define xxh64_digest		chipc_xxh64_digest

#endif /* _CHIPC_DEPS_USER_H */
