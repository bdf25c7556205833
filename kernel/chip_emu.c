// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The emulated device behind the hardware boundary (chip_hw.h): a kernel
 * thread takes the jobs in the order they were submitted and executes
 * each with the portable core's interpreter (chipc_device_run(), whose
 * own threads execute the cores).  Like a device's DMA engine it writes
 * a job's loads into the address space view before executing it and
 * copies the store ranges out of it after a successful execution, then
 * reports the completion (chip_hw_complete(), the interrupt).
 *
 * It sees only jobs: kernel memory the job code prepared.  No DRM
 * object, file or user memory.
 *
 * Like a device that fetches from a command ring, the thread keeps
 * checking its queue for a while (@poll_ns, the module's poll_us) after
 * its last job before it sleeps: a stream of short jobs then reaches it
 * without a wake-up per job, which costs more than a short job itself.
 * It stops checking as soon as the CPU is wanted (need_resched()).
 */
#include <linux/kthread.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "chip_hw.h"

struct chip_emu {
	struct chip_hw hw;
	struct chipc_device *core;
	spinlock_t lock;		/* @queue, @cur */
	struct list_head queue;		/* submitted jobs, by dev_node */
	struct chip_hw_job *cur;	/* executing */
	u64 resets;
	wait_queue_head_t wq;		/* the thread: a job was queued */
	wait_queue_head_t idle_wq;	/* reset: @cur went */
	struct task_struct *thread;
	u64 poll_ns;			/* idle poll before sleeping */
};

static struct chip_emu *to_emu(struct chip_hw *hw)
{
	return container_of(hw, struct chip_emu, hw);
}

/*
 * Write the loads into the view, before the job executes, and copy the
 * store ranges of a successful job into its snapshot: the core's copies
 * (chipc_run_loads(), chipc_run_stores(), the same as the simulated
 * backend's), which check every range before copying any.
 */
static bool chip_emu_load(struct chip_hw_job *job)
{
	struct chipc_xfer x[DRM_CHIP_MAX_LOADS];
	u64 off = 0;
	u32 i;

	for (i = 0; i < job->nloads; i++) {
		x[i].va = job->loads[i].va;
		x[i].size = job->loads[i].size;
		x[i].src = job->load_data + off;
		off += job->loads[i].size;
	}
	return !chipc_run_loads(job->req.vm, x, job->nloads, &job->res);
}

static void chip_emu_store(struct chip_hw_job *job)
{
	struct chipc_xfer x[DRM_CHIP_MAX_STORES];
	u64 off = 0;
	u32 i;

	for (i = 0; i < job->nstores; i++) {
		x[i].va = job->stores[i].va;
		x[i].size = job->stores[i].size;
		x[i].dst = job->snap + off;
		off += job->stores[i].size;
	}
	chipc_run_stores(job->req.vm, x, job->nstores, &job->res);
}

static void chip_emu_execute(struct chip_emu *emu, struct chip_hw_job *job)
{
	if (READ_ONCE(*job->req.abort)) {
		memset(&job->res, 0, sizeof(job->res));
		job->res.status = CHIP_STATUS_CANCELLED;
		strscpy(job->res.msg, "cancelled", sizeof(job->res.msg));
		return;
	}
	if (job->nloads && !chip_emu_load(job))
		return;
	chipc_device_run(emu->core, &job->req, &job->res);
	if (job->res.status == CHIP_STATUS_OK && job->nstores)
		chip_emu_store(job);
}

/* Check the queue for @poll_ns: true once a job is there. */
static bool chip_emu_poll(struct chip_emu *emu)
{
	u64 end;

	if (!emu->poll_ns)
		return false;
	end = local_clock() + emu->poll_ns;
	while (list_empty_careful(&emu->queue)) {
		if (need_resched() || kthread_should_stop() ||
		    local_clock() > end)
			return false;
		cpu_relax();
	}
	return true;
}

static int chip_emu_thread(void *arg)
{
	struct chip_emu *emu = arg;
	struct chip_hw_job *job;

	while (!kthread_should_stop()) {
		if (!chip_emu_poll(emu))
			wait_event_interruptible(emu->wq,
						 kthread_should_stop() ||
						 !list_empty_careful(&emu->queue));
		spin_lock(&emu->lock);
		job = list_first_entry_or_null(&emu->queue, struct chip_hw_job,
					       dev_node);
		if (job) {
			list_del_init(&job->dev_node);
			emu->cur = job;
		}
		spin_unlock(&emu->lock);
		if (!job)
			continue;
		chip_emu_execute(emu, job);
		chip_hw_complete(&emu->hw, job);
		spin_lock(&emu->lock);
		emu->cur = NULL;
		spin_unlock(&emu->lock);
		/* A reset waits; pairs with the barrier in its wait_event(). */
		if (wq_has_sleeper(&emu->idle_wq))
			wake_up_all(&emu->idle_wq);
		cond_resched();
	}
	return 0;
}

static int chip_emu_submit(struct chip_hw *hw, struct chip_hw_job *job)
{
	struct chip_emu *emu = to_emu(hw);

	spin_lock(&emu->lock);
	list_add_tail(&job->dev_node, &emu->queue);
	spin_unlock(&emu->lock);
	/* Pairs with the barrier in the thread's prepare_to_wait(). */
	if (wq_has_sleeper(&emu->wq))
		wake_up(&emu->wq);
	return 0;
}

/* Synchronous: the device is idle, so executing here delays no job. */
static void chip_emu_run_inline(struct chip_hw *hw, struct chip_hw_job *job)
{
	chip_emu_execute(to_emu(hw), job);
}

/* The core polls the abort flag (at least every 1024 instructions). */
static void chip_emu_cancel(struct chip_hw *hw, struct chip_hw_job *job)
{
	if (job->req.abort)
		WRITE_ONCE(*(int *)job->req.abort, 1);
}

static void chip_emu_reset(struct chip_hw *hw)
{
	struct chip_emu *emu = to_emu(hw);
	struct chip_hw_job *job, *tmp;

	spin_lock(&emu->lock);
	list_for_each_entry_safe(job, tmp, &emu->queue, dev_node)
		list_del_init(&job->dev_node);
	if (emu->cur)
		chip_emu_cancel(hw, emu->cur);
	emu->resets++;
	spin_unlock(&emu->lock);
	wait_event(emu->idle_wq, !READ_ONCE(emu->cur));
}

static u64 chip_emu_query(struct chip_hw *hw, u32 what)
{
	struct chip_emu *emu = to_emu(hw);
	u64 v = 0;

	spin_lock(&emu->lock);
	if (what == CHIP_HW_Q_BUSY)
		v = !list_empty(&emu->queue) || emu->cur;
	else if (what == CHIP_HW_Q_RESETS)
		v = emu->resets;
	spin_unlock(&emu->lock);
	return v;
}

static void chip_emu_destroy(struct chip_hw *hw)
{
	struct chip_emu *emu = to_emu(hw);

	kthread_stop(emu->thread);
	kfree(emu);
}

static const struct chip_hw_ops chip_emu_ops = {
	.submit = chip_emu_submit,
	.run_inline = chip_emu_run_inline,
	.cancel = chip_emu_cancel,
	.reset = chip_emu_reset,
	.query = chip_emu_query,
	.destroy = chip_emu_destroy,
};

/*
 * The emulated device executing on @core, completing jobs to @done.
 * Returns its boundary or an ERR_PTR().
 */
struct chip_hw *chip_emu_create(struct chipc_device *core, u32 index,
				u64 poll_ns,
				void (*done)(struct chip_hw *hw,
					     struct chip_hw_job *job))
{
	struct chip_emu *emu = kzalloc(sizeof(*emu), GFP_KERNEL);
	struct task_struct *t;

	if (!emu)
		return ERR_PTR(-ENOMEM);
	emu->core = core;
	emu->poll_ns = poll_ns;
	spin_lock_init(&emu->lock);
	INIT_LIST_HEAD(&emu->queue);
	init_waitqueue_head(&emu->wq);
	init_waitqueue_head(&emu->idle_wq);
	chip_hw_init(&emu->hw, &chip_emu_ops, done);
	t = kthread_run(chip_emu_thread, emu, "chip%u", index);
	if (IS_ERR(t)) {
		kfree(emu);
		return ERR_CAST(t);
	}
	emu->thread = t;
	return &emu->hw;
}
