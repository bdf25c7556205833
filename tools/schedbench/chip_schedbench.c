// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * chip_schedbench: what drm_sched would cost and do in chip's place.
 *
 * A test module, never part of the driver.  Loading it measures, and
 * prints to the kernel log (lines "chip_schedbench: ..."):
 *
 * - the per-job cost: @jobs null jobs pushed from one entity of a
 *   drm_gpu_scheduler (job allocation, drm_sched_job_init(), arm, push,
 *   run_job, the device's completion, free_job), against a floor
 *   measured in the same load: the same jobs handed straight to the
 *   device thread through a spinlocked list and a wake-up, which is what
 *   the driver does (kernel/chip_emu.c).  Both paths allocate, signal
 *   and free one dma_fence per job, the run's fence the driver has
 *   anyway; what remains is the scheduler's own cost.  A second floor
 *   hands @step_jobs jobs over one at a time, the submitter waiting for
 *   each: two sleeping hand-offs per job and no scheduler, as many as
 *   drm_sched makes per job at credit_limit 1 (device thread to its
 *   work item and back).
 * - the order under the loaded gpu-sched's policy (its parameter
 *   sched_policy): entity A queues @fair_jobs jobs of @long_us each,
 *   then entity B of the same scheduler and priority queues one of
 *   @short_us; the device is held until both are queued.  The result is
 *   B's position in the device's execution order.  chip's own
 *   round-robin between files starts B second (Documentation/driver.rst).
 *
 * The "device" is a kernel thread that takes jobs off a spinlocked list
 * one at a time, busy-waits for the job's length and signals its fence:
 * the analogue of the emulated device's thread.  credit_limit 1 is the
 * driver's model (the device executes one run at a time); a deep
 * credit_limit is the scheduler's best case and is measured too.
 *
 * Built against a kernel's headers by scripts/qemu-test.sh
 * (CHIP_SCHEDBENCH=1) and loaded in the guest once per sched_policy.
 * The two SB_HAVE_ macros are header probes of the Kbuild file: 6.1's
 * drm_sched (round-robin only, no sched_policy) lacks the credit count
 * and the run-queue count.
 */
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/dma-fence.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include <drm/gpu_scheduler.h>

static unsigned int jobs = 20000;
module_param(jobs, uint, 0444);
MODULE_PARM_DESC(jobs, "Null jobs per measurement (default 20000)");

static unsigned int step_jobs = 1000;
module_param(step_jobs, uint, 0444);
MODULE_PARM_DESC(step_jobs, "Jobs of the one-at-a-time floor (default 1000)");

static unsigned int rounds = 3;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "Measurements per configuration; the median is reported (default 3)");

static unsigned int deep_credits = 64;
module_param(deep_credits, uint, 0444);
MODULE_PARM_DESC(deep_credits, "credit_limit of the deep configuration (default 64)");

static unsigned int fair_jobs = 1000;
module_param(fair_jobs, uint, 0444);
MODULE_PARM_DESC(fair_jobs, "Jobs entity A queues before B's one (default 1000)");

static unsigned int long_us = 100;
module_param(long_us, uint, 0444);
MODULE_PARM_DESC(long_us, "Length of each of A's jobs in microseconds (default 100)");

static unsigned int short_us = 10;
module_param(short_us, uint, 0444);
MODULE_PARM_DESC(short_us, "Length of B's job in microseconds (default 10)");

/* The scheduler's job timeout: far above any job here. */
#define SB_TIMEOUT_MS	30000
#define SB_TAG_B	U32_MAX

/* The device: a thread executing the jobs of its queue in order. */
struct sb_dev {
	struct device *parent;
	spinlock_t lock;		/* @queue */
	struct list_head queue;		/* submitted jobs, by node */
	wait_queue_head_t wq;		/* the thread: a job was queued */
	bool open;			/* false: the device holds its jobs */
	struct task_struct *thread;
	spinlock_t fence_lock;		/* the jobs' fences */
	u64 context;
	atomic64_t seqno;
	/* the measurement under way */
	atomic_t left;			/* jobs not freed yet */
	struct completion done;		/* @left reached 0 */
	struct completion step;		/* a job with @step was freed */
	u64 t_done;
	atomic_t timeouts;
	u32 *order;			/* tags in execution order */
	unsigned int norder, maxorder;
};

struct sb_job {
	struct drm_sched_job base;	/* drm_sched jobs only */
	struct list_head node;		/* in sb_dev.queue */
	struct sb_dev *dev;
	struct dma_fence *hw;		/* signalled by the device */
	bool hw_live;			/* @hw initialised */
	bool sched;			/* freed by free_job, not the device */
	bool step;			/* complete sb_dev.step when freed */
	u32 tag;
	u32 busy_us;
};

static const char *sb_fence_driver_name(struct dma_fence *f)
{
	return "chip_schedbench";
}

static const char *sb_fence_timeline_name(struct dma_fence *f)
{
	return "device";
}

/* No release: dma_fence_free() frees the fence (kmalloc'ed). */
static const struct dma_fence_ops sb_fence_ops = {
	.get_driver_name = sb_fence_driver_name,
	.get_timeline_name = sb_fence_timeline_name,
};

static void sb_fence_init(struct sb_dev *d, struct sb_job *job)
{
	dma_fence_init(job->hw, &sb_fence_ops, &d->fence_lock, d->context,
		       atomic64_inc_return(&d->seqno));
	job->hw_live = true;
}

static void sb_begin(struct sb_dev *d, unsigned int n)
{
	atomic_set(&d->left, n);
	reinit_completion(&d->done);
}

/* @n jobs of the measurement are gone (freed, or never made). */
static void sb_freed(struct sb_dev *d, unsigned int n)
{
	if (atomic_sub_and_test(n, &d->left)) {
		d->t_done = ktime_get_ns();
		complete(&d->done);
	}
}

static void sb_dev_submit(struct sb_dev *d, struct sb_job *job)
{
	spin_lock(&d->lock);
	list_add_tail(&job->node, &d->queue);
	spin_unlock(&d->lock);
	/* Pairs with the barrier in the thread's prepare_to_wait(). */
	if (wq_has_sleeper(&d->wq))
		wake_up(&d->wq);
}

static void sb_dev_open(struct sb_dev *d, bool open)
{
	WRITE_ONCE(d->open, open);
	if (open)
		wake_up(&d->wq);
}

static void sb_dev_execute(struct sb_dev *d, struct sb_job *job)
{
	struct dma_fence *hw = job->hw;
	bool step = job->step;

	if (job->busy_us)
		udelay(job->busy_us);
	if (d->norder < d->maxorder)
		d->order[d->norder++] = job->tag;
	if (job->sched) {
		/* The scheduler's free_job may free @job from here on. */
		dma_fence_signal(hw);
		return;
	}
	dma_fence_signal(hw);
	dma_fence_put(hw);
	kfree(job);
	sb_freed(d, 1);
	if (step)
		complete(&d->step);
}

static int sb_dev_thread(void *arg)
{
	struct sb_dev *d = arg;
	struct sb_job *job;

	while (!kthread_should_stop()) {
		wait_event_interruptible(d->wq, kthread_should_stop() ||
					 (READ_ONCE(d->open) &&
					  !list_empty_careful(&d->queue)));
		if (!READ_ONCE(d->open))
			continue;
		spin_lock(&d->lock);
		job = list_first_entry_or_null(&d->queue, struct sb_job, node);
		if (job)
			list_del(&job->node);
		spin_unlock(&d->lock);
		if (!job)
			continue;
		sb_dev_execute(d, job);
		cond_resched();
	}
	return 0;
}

static struct sb_job *sb_job_alloc(struct sb_dev *d, u32 tag, u32 busy_us)
{
	struct sb_job *job = kzalloc(sizeof(*job), GFP_KERNEL);

	if (!job)
		return NULL;
	job->hw = kmalloc(sizeof(*job->hw), GFP_KERNEL);
	if (!job->hw) {
		kfree(job);
		return NULL;
	}
	job->dev = d;
	job->tag = tag;
	job->busy_us = busy_us;
	return job;
}

static void sb_job_free(struct sb_job *job)
{
	if (job->hw_live)
		dma_fence_put(job->hw);
	else
		kfree(job->hw);
	kfree(job);
}

/* ---- drm_sched with the device as its backend ------------------------ */

static struct sb_job *to_sb_job(struct drm_sched_job *sj)
{
	return container_of(sj, struct sb_job, base);
}

static struct dma_fence *sb_run_job(struct drm_sched_job *sj)
{
	struct sb_job *job = to_sb_job(sj);

	sb_fence_init(job->dev, job);
	/* The reference the scheduler takes over; @job keeps its own. */
	dma_fence_get(job->hw);
	sb_dev_submit(job->dev, job);
	return job->hw;
}

/*
 * Not expected: every job completes within microseconds.  Counted and
 * reported as a failure.  ENODEV is the status every kernel has (the
 * others were renamed in 7.x); the scheduler then stops its timer.
 */
static enum drm_gpu_sched_stat sb_timedout_job(struct drm_sched_job *sj)
{
	atomic_inc(&to_sb_job(sj)->dev->timeouts);
	return DRM_GPU_SCHED_STAT_ENODEV;
}

static void sb_free_job(struct drm_sched_job *sj)
{
	struct sb_job *job = to_sb_job(sj);
	struct sb_dev *d = job->dev;

	drm_sched_job_cleanup(sj);
	sb_job_free(job);
	sb_freed(d, 1);
}

static const struct drm_sched_backend_ops sb_sched_ops = {
	.run_job = sb_run_job,
	.timedout_job = sb_timedout_job,
	.free_job = sb_free_job,
};

static int sb_sched_init(struct sb_dev *d, struct drm_gpu_scheduler *s,
			 u32 credits)
{
	const struct drm_sched_init_args args = {
		.ops = &sb_sched_ops,
#ifdef SB_HAVE_NUM_RQS
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
#endif
		.credit_limit = credits,
		.timeout = msecs_to_jiffies(SB_TIMEOUT_MS),
		.name = "chip_schedbench",
		.dev = d->parent,
	};

	return drm_sched_init(s, &args);
}

static int sb_push(struct sb_dev *d, struct drm_sched_entity *e, u32 tag,
		   u32 busy_us)
{
	struct sb_job *job = sb_job_alloc(d, tag, busy_us);
	int ret;

	if (!job)
		return -ENOMEM;
	job->sched = true;
#ifdef SB_HAVE_JOB_CREDITS
	ret = drm_sched_job_init(&job->base, e, 1, NULL, 0);
#else
	ret = drm_sched_job_init(&job->base, e, NULL);
#endif
	if (ret) {
		sb_job_free(job);
		return ret;
	}
	drm_sched_job_arm(&job->base);
	drm_sched_entity_push_job(&job->base);
	return 0;
}

/* ---- the measurements -------------------------------------------------- */

struct sb_time {
	u64 total;	/* first allocation to last job freed */
	u64 submit;	/* first allocation to last job handed over */
};

/*
 * The floor: @n jobs straight to the device, as the driver does; with
 * @step, one at a time, each after the previous one was freed.
 */
static int sb_floor(struct sb_dev *d, unsigned int n, bool step,
		    struct sb_time *t)
{
	struct sb_job *job;
	unsigned int i;
	u64 t0;

	sb_begin(d, n);
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		job = sb_job_alloc(d, i, 0);
		if (!job)
			break;
		sb_fence_init(d, job);
		job->step = step;
		reinit_completion(&d->step);
		sb_dev_submit(d, job);
		if (step)
			wait_for_completion(&d->step);
	}
	t->submit = ktime_get_ns() - t0;
	if (i < n)
		sb_freed(d, n - i);
	wait_for_completion(&d->done);
	t->total = d->t_done - t0;
	return i < n ? -ENOMEM : 0;
}

/* @n null jobs through one entity of a scheduler of @credits. */
static int sb_sched(struct sb_dev *d, unsigned int n, u32 credits,
		    struct sb_time *t)
{
	struct drm_gpu_scheduler s;
	struct drm_gpu_scheduler *list[] = { &s };
	struct drm_sched_entity e;
	unsigned int i;
	int ret;
	u64 t0;

	ret = sb_sched_init(d, &s, credits);
	if (ret)
		return ret;
	ret = drm_sched_entity_init(&e, DRM_SCHED_PRIORITY_NORMAL, list, 1,
				    NULL);
	if (ret)
		goto out_sched;
	sb_begin(d, n);
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		ret = sb_push(d, &e, i, 0);
		if (ret)
			break;
	}
	t->submit = ktime_get_ns() - t0;
	if (i < n)
		sb_freed(d, n - i);
	wait_for_completion(&d->done);
	t->total = d->t_done - t0;
	drm_sched_entity_destroy(&e);
out_sched:
	drm_sched_fini(&s);
	return ret;
}

/*
 * A queues fair_jobs long jobs, then B one short job, while the device
 * holds its queue; returns B's 1-based position in the execution order.
 */
static int sb_fairness(struct sb_dev *d, unsigned int *pos)
{
	struct drm_gpu_scheduler s;
	struct drm_gpu_scheduler *list[] = { &s };
	struct drm_sched_entity a, b;
	unsigned int i, n = fair_jobs + 1;
	int ret;

	d->order = kcalloc(n, sizeof(*d->order), GFP_KERNEL);
	if (!d->order)
		return -ENOMEM;
	d->norder = 0;
	d->maxorder = n;
	ret = sb_sched_init(d, &s, 1);
	if (ret)
		goto out_order;
	ret = drm_sched_entity_init(&a, DRM_SCHED_PRIORITY_NORMAL, list, 1,
				    NULL);
	if (ret)
		goto out_sched;
	ret = drm_sched_entity_init(&b, DRM_SCHED_PRIORITY_NORMAL, list, 1,
				    NULL);
	if (ret)
		goto out_a;

	sb_dev_open(d, false);
	sb_begin(d, n);
	for (i = 0; i < fair_jobs && !ret; i++)
		ret = sb_push(d, &a, i, long_us);
	if (!ret)
		ret = sb_push(d, &b, SB_TAG_B, short_us);
	else
		i--;
	if (ret)
		sb_freed(d, n - i);
	sb_dev_open(d, true);
	wait_for_completion(&d->done);

	*pos = 0;
	for (i = 0; i < d->norder; i++)
		if (d->order[i] == SB_TAG_B)
			*pos = i + 1;
	drm_sched_entity_destroy(&b);
out_a:
	drm_sched_entity_destroy(&a);
out_sched:
	drm_sched_fini(&s);
out_order:
	d->maxorder = 0;
	kfree(d->order);
	d->order = NULL;
	return ret;
}

static int sb_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 sb_median(u64 *v, unsigned int n)
{
	sort(v, n, sizeof(*v), sb_cmp_u64, NULL);
	return v[n / 2];
}

enum { SB_FLOOR, SB_FLOOR_STEP, SB_SCHED_1, SB_SCHED_DEEP, SB_CONFIGS };

static int sb_run(struct sb_dev *d)
{
	static const char * const names[SB_CONFIGS] = {
		"floor (spinlocked list + wake_up)",
		"floor, one job at a time",
		"drm_sched credit_limit=1",
		"drm_sched credit_limit=deep",
	};
	u64 *total, *submit, med[SB_CONFIGS], sub[SB_CONFIGS];
	struct sb_time t;
	unsigned int r, c, n, pos;
	int ret = 0;

	total = kcalloc(rounds, sizeof(*total), GFP_KERNEL);
	submit = kcalloc(rounds, sizeof(*submit), GFP_KERNEL);
	if (!total || !submit) {
		ret = -ENOMEM;
		goto out;
	}
	pr_info("jobs=%u step_jobs=%u rounds=%u deep_credits=%u\n", jobs,
		step_jobs, rounds, deep_credits);
	for (c = 0; c < SB_CONFIGS; c++) {
		n = c == SB_FLOOR_STEP ? step_jobs : jobs;
		for (r = 0; r < rounds; r++) {
			if (c == SB_FLOOR || c == SB_FLOOR_STEP)
				ret = sb_floor(d, n, c == SB_FLOOR_STEP, &t);
			else
				ret = sb_sched(d, n, c == SB_SCHED_1 ? 1 :
					       deep_credits, &t);
			if (ret) {
				pr_err("%s: error %d\n", names[c], ret);
				goto out;
			}
			total[r] = t.total;
			submit[r] = t.submit;
		}
		med[c] = div_u64(sb_median(total, rounds), n);
		sub[c] = div_u64(sb_median(submit, rounds), n);
		pr_info("%s: %llu ns/job (submit side %llu ns/job), %llu.%llux floor\n",
			names[c], med[c], sub[c],
			div_u64(med[c] * 10, max(med[0], 1ULL)) / 10,
			div_u64(med[c] * 10, max(med[0], 1ULL)) % 10);
	}

	ret = sb_fairness(d, &pos);
	if (ret) {
		pr_err("fairness: error %d\n", ret);
		goto out;
	}
	pr_info("fairness: A queued %u jobs of %u us, then B 1 job of %u us: B ran at position %u of %u (after %u of A's jobs)\n",
		fair_jobs, long_us, short_us, pos, fair_jobs + 1,
		pos ? pos - 1 : 0);
	if (!pos)
		ret = -EIO;
out:
	if (atomic_read(&d->timeouts)) {
		pr_err("%d jobs timed out\n", atomic_read(&d->timeouts));
		ret = -ETIMEDOUT;
	}
	kfree(submit);
	kfree(total);
	return ret;
}

static struct sb_dev sb_dev;

static int __init sb_init(void)
{
	struct sb_dev *d = &sb_dev;
	int ret;

	if (!jobs || !step_jobs || !rounds || !deep_credits || !fair_jobs)
		return -EINVAL;
	spin_lock_init(&d->lock);
	spin_lock_init(&d->fence_lock);
	INIT_LIST_HEAD(&d->queue);
	init_waitqueue_head(&d->wq);
	init_completion(&d->done);
	init_completion(&d->step);
	d->open = true;
	d->context = dma_fence_context_alloc(1);
	d->parent = root_device_register("chip_schedbench");
	if (IS_ERR(d->parent))
		return PTR_ERR(d->parent);
	d->thread = kthread_run(sb_dev_thread, d, "chip_schedbench");
	if (IS_ERR(d->thread)) {
		ret = PTR_ERR(d->thread);
		goto out_dev;
	}
	ret = sb_run(d);
	pr_info("done: %d\n", ret);
	if (!ret)
		return 0;
	kthread_stop(d->thread);
out_dev:
	root_device_unregister(d->parent);
	return ret;
}

static void __exit sb_exit(void)
{
	kthread_stop(sb_dev.thread);
	root_device_unregister(sb_dev.parent);
}

module_init(sb_init);
module_exit(sb_exit);

MODULE_DESCRIPTION("chip: drm_sched cost and fairness against the driver's own queues");
MODULE_LICENSE("Dual MIT/GPL");
