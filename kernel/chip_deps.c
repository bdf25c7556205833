// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What the portable core needs from its environment (core/chipc_deps.h),
 * implemented with kernel primitives.
 */
#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <asm/fpu/api.h>

#include "core/chipc_deps.h"

void *chipc_zalloc(size_t size)
{
	return kvzalloc(size ? size : 1, GFP_KERNEL);
}

void chipc_free(void *p)
{
	kvfree(p);
}

void chipc_mutex_init(struct chipc_mutex *m)
{
	mutex_init(&m->m);
}

void chipc_mutex_destroy(struct chipc_mutex *m)
{
	mutex_destroy(&m->m);
}

void chipc_mutex_lock(struct chipc_mutex *m)
{
	mutex_lock(&m->m);
}

void chipc_mutex_unlock(struct chipc_mutex *m)
{
	mutex_unlock(&m->m);
}

void chipc_cond_init(struct chipc_cond *c)
{
	init_waitqueue_head(&c->wq);
	c->gen = 0;
}

void chipc_cond_destroy(struct chipc_cond *c)
{
}

/*
 * Sleep until the generation moves on (a broadcast) or the deadline.
 * The generation is read under @m, so a broadcast made by a thread that
 * held @m after us cannot be missed.
 */
int chipc_cond_wait(struct chipc_cond *c, struct chipc_mutex *m,
		    u64 deadline_ns)
{
	unsigned long gen = READ_ONCE(c->gen);
	long timeout = MAX_SCHEDULE_TIMEOUT;
	u64 now;

	if (deadline_ns) {
		now = ktime_get_ns();
		if (now >= deadline_ns)
			return -ETIMEDOUT;
		timeout = nsecs_to_jiffies(deadline_ns - now) + 1;
	}
	mutex_unlock(&m->m);
	/* Idle threads of a quiet device must not look like hung tasks. */
	wait_event_idle_exclusive_timeout(c->wq, READ_ONCE(c->gen) != gen,
					  timeout);
	mutex_lock(&m->m);
	if (deadline_ns && ktime_get_ns() >= deadline_ns)
		return -ETIMEDOUT;
	return 0;
}

void chipc_cond_broadcast(struct chipc_cond *c)
{
	WRITE_ONCE(c->gen, c->gen + 1);
	wake_up_all(&c->wq);
}

/* Waiters are exclusive: wake_up() wakes one of them. */
void chipc_cond_signal(struct chipc_cond *c)
{
	WRITE_ONCE(c->gen, c->gen + 1);
	wake_up(&c->wq);
}

static int chipc_thread_fn(void *data)
{
	struct chipc_thread *t = data;
	struct completion *done = t->done;

	t->fn(t->arg);
	/* Leaves without returning into module text after the signal. */
	kthread_complete_and_exit(done, 0);
}

int chipc_thread_start(struct chipc_thread *t, int (*fn)(void *), void *arg,
		       const char *name)
{
	struct task_struct *task;

	t->fn = fn;
	t->arg = arg;
	t->done = kmalloc(sizeof(*t->done), GFP_KERNEL);
	if (!t->done)
		return -ENOMEM;
	init_completion(t->done);
	task = kthread_run(chipc_thread_fn, t, "%s", name);
	if (IS_ERR(task)) {
		kfree(t->done);
		t->done = NULL;
		return PTR_ERR(task);
	}
	t->task = task;
	return 0;
}

void chipc_thread_join(struct chipc_thread *t)
{
	if (!t->done)
		return;
	wait_for_completion(t->done);
	kfree(t->done);
	t->done = NULL;
	t->task = NULL;
}

u64 chipc_now_ns(void)
{
	return ktime_get_ns();
}

void chipc_fpu_begin(void)
{
	kernel_fpu_begin();
}

void chipc_fpu_end(void)
{
	kernel_fpu_end();
}

void chipc_yield(void)
{
	cond_resched();
}
