// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The hardware boundary (chip_hw.h): the jobs a device holds, their
 * completion and the job timeout, the backstop to a device's own
 * watchdog.
 *
 * Exactly one path ends a job: its completion by the device, or the job
 * timeout, whichever takes it off @inflight first (under @lock).  The
 * timeout resets the device before it hands the job back, so the device
 * no longer touches the job's memory, and a completion that races with
 * the timeout finds the job gone and is ignored.
 */
#include <linux/jiffies.h>
#include <linux/printk.h>
#include <linux/string.h>

#include "chip_hw.h"

#define CHIP_HW_GRACE_MS	1000

/* Arm the job timeout for @deadline.  @lock held. */
static void chip_hw_arm_at_locked(struct chip_hw *hw, unsigned long deadline)
{
	lockdep_assert_held(&hw->lock);
	hw->armed = true;
	hw->armed_at = deadline;
	mod_delayed_work(system_wq, &hw->tdr,
			 time_after(deadline, jiffies) ? deadline - jiffies : 0);
}

/*
 * Arm the job timeout for the earliest deadline in flight.  @lock held.
 * Completions leave it armed: when it fires early it finds nothing
 * expired and arms again, so a stream of jobs costs one timer update per
 * timeout period, not one per job.
 */
static void chip_hw_arm_locked(struct chip_hw *hw)
{
	struct chip_hw_job *job;
	unsigned long first = 0;
	bool any = false;

	lockdep_assert_held(&hw->lock);
	list_for_each_entry(job, &hw->inflight, node) {
		if (!any || time_before(job->deadline, first))
			first = job->deadline;
		any = true;
	}
	hw->armed = any;
	if (any)
		chip_hw_arm_at_locked(hw, first);
}

/* @job joined @inflight: arm only for a deadline earlier than the armed. */
static void chip_hw_arm_job_locked(struct chip_hw *hw, struct chip_hw_job *job)
{
	lockdep_assert_held(&hw->lock);
	if (!hw->armed || time_before(job->deadline, hw->armed_at))
		chip_hw_arm_at_locked(hw, job->deadline);
}

static void chip_hw_tdr_fn(struct work_struct *work)
{
	struct chip_hw *hw = container_of(to_delayed_work(work),
					  struct chip_hw, tdr);
	struct chip_hw_job *job, *tmp;
	LIST_HEAD(expired);
	LIST_HEAD(others);

	spin_lock(&hw->lock);
	hw->armed = false;
	list_for_each_entry_safe(job, tmp, &hw->inflight, node)
		if (time_after_eq(jiffies, job->deadline))
			list_move_tail(&job->node, &expired);
	if (!list_empty(&expired))	/* a reset ends every job */
		list_splice_init(&hw->inflight, &others);
	else
		chip_hw_arm_locked(hw);
	spin_unlock(&hw->lock);
	if (list_empty(&expired))
		return;

	pr_warn_ratelimited("a job ran past its watchdog: resetting the device\n");
	hw->ops->reset(hw);
	list_for_each_entry_safe(job, tmp, &expired, node) {
		list_del_init(&job->node);
		hw->timeouts++;
		memset(&job->res, 0, sizeof(job->res));
		job->res.status = CHIP_STATUS_TIMEOUT;
		strscpy(job->res.msg, "stopped by the driver's job timeout",
			sizeof(job->res.msg));
		hw->done(hw, job);
	}
	list_for_each_entry_safe(job, tmp, &others, node) {
		list_del_init(&job->node);
		memset(&job->res, 0, sizeof(job->res));
		job->res.status = CHIP_STATUS_CANCELLED;
		strscpy(job->res.msg, "device reset", sizeof(job->res.msg));
		hw->done(hw, job);
	}
}

void chip_hw_init(struct chip_hw *hw, const struct chip_hw_ops *ops,
		  void (*done)(struct chip_hw *hw, struct chip_hw_job *job))
{
	hw->ops = ops;
	hw->done = done;
	spin_lock_init(&hw->lock);
	INIT_LIST_HEAD(&hw->inflight);
	INIT_DELAYED_WORK(&hw->tdr, chip_hw_tdr_fn);
	hw->grace = msecs_to_jiffies(CHIP_HW_GRACE_MS);
	hw->armed = false;
	hw->timeouts = 0;
}

/* No job is in flight. */
void chip_hw_fini(struct chip_hw *hw)
{
	cancel_delayed_work_sync(&hw->tdr);
	WARN_ON(!list_empty(&hw->inflight));
}

/* Give @job to the device: 0, or -errno with the job not taken. */
int chip_hw_submit(struct chip_hw *hw, struct chip_hw_job *job)
{
	u64 t = job->req.timeout_ns ? : CHIPC_DEFAULT_TIMEOUT;
	int ret;

	job->deadline = jiffies + nsecs_to_jiffies(t) + hw->grace;
	spin_lock(&hw->lock);
	list_add_tail(&job->node, &hw->inflight);
	chip_hw_arm_job_locked(hw, job);
	spin_unlock(&hw->lock);
	ret = hw->ops->submit(hw, job);
	if (ret) {
		spin_lock(&hw->lock);
		list_del_init(&job->node);
		spin_unlock(&hw->lock);
	}
	return ret;
}

/*
 * From the device: @job is done and its result written.  Ignored for a
 * job the job timeout has already ended.
 */
void chip_hw_complete(struct chip_hw *hw, struct chip_hw_job *job)
{
	bool mine = false;

	spin_lock(&hw->lock);
	if (!list_empty(&job->node)) {
		list_del_init(&job->node);
		mine = true;
	}
	spin_unlock(&hw->lock);
	if (mine)
		hw->done(hw, job);
}

/* Ask the device to end @job early, if it still holds it. */
void chip_hw_cancel(struct chip_hw *hw, struct chip_hw_job *job)
{
	spin_lock(&hw->lock);
	if (!list_empty(&job->node))
		hw->ops->cancel(hw, job);
	spin_unlock(&hw->lock);
}
