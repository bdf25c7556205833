/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Everything the portable core needs from its environment.  The core
 * includes this header and nothing else outside kernel/core/ and uapi/;
 * it makes no kernel or libc call of its own.  The functions declared at
 * the bottom are implemented once per environment: kernel/chip_deps.c in
 * the module and libchip/src/deps_user.c in libchip, whose types and
 * macros for userspace are in libchip/src/chipc_deps_user.h.
 */
#ifndef _CHIPC_DEPS_H
#define _CHIPC_DEPS_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/xxhash.h>	/* Need: xxh64 (lib/xxhash, CONFIG_XXHASH) */
#include <linux/refcount.h>
#include <linux/xarray.h>

struct task_struct;

/* Need: a sleeping lock. */
struct chipc_mutex {
	struct mutex m;		/* the lock itself */
};

/* Need: a condition variable (generation counter + wait queue). */
struct chipc_cond {
	wait_queue_head_t wq;
	unsigned long gen;
};

/* Need: a joinable thread. */
struct chipc_thread {
	struct task_struct *task;
	int (*fn)(void *arg);
	void *arg;
	struct completion *done;
};

/*
 * Need: a reference count that warns when misused: an increment from
 * zero (use after free) or a decrement below zero (underflow) reports
 * and leaves the count saturated instead of wrapping.
 */
struct chipc_ref {
	refcount_t r;
};

static inline void chipc_ref_init(struct chipc_ref *r)
{
	refcount_set(&r->r, 1);
}

static inline void chipc_ref_get(struct chipc_ref *r)
{
	refcount_inc(&r->r);
}

/* Drop one; true if it was the last.  An underflow warns, false. */
static inline bool chipc_ref_put(struct chipc_ref *r)
{
	return refcount_dec_and_test(&r->r);
}

/* Drop one unless it is the last; true if dropped. */
static inline bool chipc_ref_put_not_last(struct chipc_ref *r)
{
	return refcount_dec_not_one(&r->r);
}

static inline unsigned int chipc_ref_read(const struct chipc_ref *r)
{
	return refcount_read(&r->r);
}

/*
 * Need: a map from small ids to pointers (the cids of a registry), with
 * its own lock: an xarray.
 */
struct chipc_idmap {
	struct xarray xa;
};

static inline void chipc_idmap_init(struct chipc_idmap *m)
{
	xa_init(&m->xa);
}

/* The map is empty. */
static inline void chipc_idmap_fini(struct chipc_idmap *m)
{
	xa_destroy(&m->xa);
}

static inline void *chipc_idmap_load(struct chipc_idmap *m, u32 id)
{
	return xa_load(&m->xa, id);
}

/* Return: 0; -EBUSY if @id is taken; -ENOMEM. */
static inline int chipc_idmap_insert(struct chipc_idmap *m, u32 id, void *p)
{
	return xa_insert(&m->xa, id, p, GFP_KERNEL_ACCOUNT);
}

/* Return: what was at @id, or NULL. */
static inline void *chipc_idmap_erase(struct chipc_idmap *m, u32 id)
{
	return xa_erase(&m->xa, id);
}

/* The entry with the lowest id >= *@id (then in *@id), or NULL. */
static inline void *chipc_idmap_next(struct chipc_idmap *m, u32 *id)
{
	unsigned long i = *id;
	void *p = xa_find(&m->xa, &i, U32_MAX, XA_PRESENT);

	if (p)
		*id = i;
	return p;
}

#define CHIPC_READ_ONCE(x)	READ_ONCE(x)
#define CHIPC_WRITE_ONCE(x, v)	WRITE_ONCE(x, v)
#define CHIPC_ARRAY_SIZE(a)	ARRAY_SIZE(a)
#define CHIPC_ALWAYS_INLINE	__always_inline
#define CHIPC_UNLIKELY(x)	unlikely(x)

#define CHIPC_ALIGN_UP(x, a)	ALIGN(x, a)
#define CHIPC_IS_ALIGNED(x, a)	IS_ALIGNED(x, a)
#define CHIPC_MIN(a, b)		min(a, b)
#define CHIPC_MAX(a, b)		max(a, b)

/*
 * Need: memcpy() then xxh64_update() on the copy (libchip fuses the two
 * into one pass; here the chunk the caller passes is hashed from cache).
 */
static inline void chipc_xxh64_copy_update(struct xxh64_state *st, void *dst,
					   const void *src, size_t len)
{
	memcpy(dst, src, len);
	xxh64_update(st, dst, len);
}

#else
/* The same for userspace, from libchip (libchip/src). */
#include "chipc_deps_user.h"
#endif /* __KERNEL__ */

/* Need: memory.  Zeroed; may sleep; NULL on failure. */
void *chipc_zalloc(size_t size);
void chipc_free(void *p);

/* Need: locking. */
void chipc_mutex_init(struct chipc_mutex *m);
void chipc_mutex_destroy(struct chipc_mutex *m);
void chipc_mutex_lock(struct chipc_mutex *m);
void chipc_mutex_unlock(struct chipc_mutex *m);

void chipc_cond_init(struct chipc_cond *c);
void chipc_cond_destroy(struct chipc_cond *c);
/*
 * Wait with @m held until signalled or CLOCK_MONOTONIC reaches
 * @deadline_ns (0: no deadline).  Spurious wake-ups are allowed.
 * Returns 0, or -ETIMEDOUT once the deadline has passed.
 */
int chipc_cond_wait(struct chipc_cond *c, struct chipc_mutex *m, u64 deadline_ns);
void chipc_cond_broadcast(struct chipc_cond *c);
/* Wake at least one waiter (all of them is allowed). */
void chipc_cond_signal(struct chipc_cond *c);

/* Need: threads.  @fn runs once; join waits for it to return. */
int chipc_thread_start(struct chipc_thread *t, int (*fn)(void *), void *arg,
		       const char *name);
void chipc_thread_join(struct chipc_thread *t);

/* Need: time, CLOCK_MONOTONIC nanoseconds. */
u64 chipc_now_ns(void);

/*
 * Need: floating point.  Every binary32 computation of the core happens
 * between these two calls (the kernel saves FPU state there).  They are
 * called from a unit without floating point around each call into
 * tile.c, the only unit with it.
 */
void chipc_fpu_begin(void);
void chipc_fpu_end(void);

/*
 * Need: a scheduling point.  Long computations call it between FPU
 * sections (with no lock held) so that they never hog a CPU.
 */
void chipc_yield(void);

#endif /* _CHIPC_DEPS_H */
