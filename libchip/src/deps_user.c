// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The core's environment in userspace: libc and pthreads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "chipc_deps.h"

static unsigned long chipc_nwarn;

void chipc_warn(const char *what)
{
	__atomic_fetch_add(&chipc_nwarn, 1, __ATOMIC_RELAXED);
	fprintf(stderr, "chipc: WARNING: %s\n", what);
}

unsigned long chipc_warnings(void)
{
	return __atomic_load_n(&chipc_nwarn, __ATOMIC_RELAXED);
}

void *chipc_zalloc(size_t size)
{
	return calloc(1, size ? size : 1);
}

void chipc_free(void *p)
{
	free(p);
}

void chipc_idmap_init(struct chipc_idmap *m)
{
	m->v = NULL;
	m->cap = 0;
}

void chipc_idmap_fini(struct chipc_idmap *m)
{
	free(m->v);
	chipc_idmap_init(m);
}

void *chipc_idmap_load(struct chipc_idmap *m, u32 id)
{
	return id < m->cap ? m->v[id] : NULL;
}

int chipc_idmap_insert(struct chipc_idmap *m, u32 id, void *p)
{
	if (id >= m->cap) {
		u32 cap = m->cap ? m->cap : 16;
		void **v;

		while (cap <= id) {
			if (cap > UINT32_MAX / 2)
				return -ENOMEM;
			cap *= 2;
		}
		v = realloc(m->v, (size_t)cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		memset(v + m->cap, 0, (size_t)(cap - m->cap) * sizeof(*v));
		m->v = v;
		m->cap = cap;
	}
	if (m->v[id])
		return -EBUSY;
	m->v[id] = p;
	return 0;
}

void *chipc_idmap_erase(struct chipc_idmap *m, u32 id)
{
	void *p = chipc_idmap_load(m, id);

	if (p)
		m->v[id] = NULL;
	return p;
}

void *chipc_idmap_next(struct chipc_idmap *m, u32 *id)
{
	u32 i;

	for (i = *id; i < m->cap; i++) {
		if (m->v[i]) {
			*id = i;
			return m->v[i];
		}
	}
	return NULL;
}

void chipc_mutex_init(struct chipc_mutex *m)
{
	pthread_mutex_init(&m->m, NULL);
}

void chipc_mutex_destroy(struct chipc_mutex *m)
{
	pthread_mutex_destroy(&m->m);
}

void chipc_mutex_lock(struct chipc_mutex *m)
{
	pthread_mutex_lock(&m->m);
}

void chipc_mutex_unlock(struct chipc_mutex *m)
{
	pthread_mutex_unlock(&m->m);
}

void chipc_cond_init(struct chipc_cond *c)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&c->c, &a);
	pthread_condattr_destroy(&a);
}

void chipc_cond_destroy(struct chipc_cond *c)
{
	pthread_cond_destroy(&c->c);
}

int chipc_cond_wait(struct chipc_cond *c, struct chipc_mutex *m, u64 deadline_ns)
{
	struct timespec ts;

	if (!deadline_ns) {
		pthread_cond_wait(&c->c, &m->m);
		return 0;
	}
	if (chipc_now_ns() >= deadline_ns)
		return -ETIMEDOUT;
	ts.tv_sec = deadline_ns / 1000000000ull;
	ts.tv_nsec = deadline_ns % 1000000000ull;
	pthread_cond_timedwait(&c->c, &m->m, &ts);
	return chipc_now_ns() >= deadline_ns ? -ETIMEDOUT : 0;
}

void chipc_cond_broadcast(struct chipc_cond *c)
{
	pthread_cond_broadcast(&c->c);
}

void chipc_cond_signal(struct chipc_cond *c)
{
	pthread_cond_signal(&c->c);
}

static void *thread_main(void *arg)
{
	struct chipc_thread *t = arg;

	t->fn(t->arg);
	return NULL;
}

int chipc_thread_start(struct chipc_thread *t, int (*fn)(void *), void *arg,
		       const char *name)
{
	int rc;

	t->fn = fn;
	t->arg = arg;
	rc = pthread_create(&t->t, NULL, thread_main, t);
	if (rc)
		return -rc;
	t->started = 1;
	if (name) {
		char n[16];

		snprintf(n, sizeof(n), "%s", name);
		pthread_setname_np(t->t, n);
	}
	return 0;
}

void chipc_thread_join(struct chipc_thread *t)
{
	if (t->started)
		pthread_join(t->t, NULL);
	t->started = 0;
}

u64 chipc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

void chipc_fpu_begin(void)
{
}

void chipc_fpu_end(void)
{
}

/* Threads are preempted by the host's scheduler. */
void chipc_yield(void)
{
}
