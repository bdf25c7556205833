// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * chip_uringfloor: the floor under an asynchronous io_uring command.
 *
 * A test module, never part of the driver.  It registers a misc device,
 * /dev/chip_uringfloor, whose only operation is io_uring passthrough
 * (IORING_OP_URING_CMD) with two command numbers:
 *
 * - CHIP_FLOOR_NOP (0) completes in the issue, like the driver's
 *   DRM_CHIP_URING_NOP;
 * - CHIP_FLOOR_ASYNC (1) does nothing but hand the command to another
 *   thread and complete it from there, the way every run of the driver
 *   completes: the issue puts the command on a spinlocked list and wakes
 *   a kernel thread if it sleeps; the thread takes commands off the list
 *   one at a time and completes each through task work of the submitting
 *   task (io_uring_cmd_complete_in_task()), whose callback posts the
 *   completion.  Like the driver's device thread (kernel/chip_emu.c) it
 *   keeps checking its list for @poll_us after the last command before
 *   it sleeps.
 *
 * What CHIP_FLOOR_ASYNC costs per command over CHIP_FLOOR_NOP, measured
 * in the same boot by tools/uringbench (row "floor: async uring_cmd NOP
 * b32"), is what any command pays that completes elsewhere than in its
 * issue: the hand-over between CPUs, the wake-ups and the task work.  It
 * is the part of the driver's per-run cost that no change to the
 * driver's own work removes (Documentation/benchmarks-kernel.rst).
 *
 * Built against a kernel's headers by scripts/qemu-test.sh (CHIP_BENCH=1)
 * and loaded in the guest before the benchmark.
 */
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/sched/clock.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "chip_uringfloor.h"
#include "compat/compat.h"

static unsigned int poll_us = 50;
module_param(poll_us, uint, 0444);
MODULE_PARM_DESC(poll_us,
		 "How long the thread checks its list before it sleeps (us, default 50, as chip.ko)");

static DEFINE_SPINLOCK(floor_lock);	/* floor_queue */
static LIST_HEAD(floor_queue);		/* commands, by their pdu */
static DECLARE_WAIT_QUEUE_HEAD(floor_wq);
static struct task_struct *floor_thread;

static struct list_head *floor_node(struct io_uring_cmd *cmd)
{
	BUILD_BUG_ON(sizeof(struct list_head) > sizeof(cmd->pdu));
	return (struct list_head *)cmd->pdu;
}

static struct io_uring_cmd *floor_cmd(struct list_head *node)
{
	return container_of((void *)node, struct io_uring_cmd, pdu);
}

static void floor_done(struct io_uring_cmd *cmd, unsigned int issue_flags,
		       bool dead)
{
	chip_compat_uring_done(cmd, 0, 0, false, issue_flags);
}

CHIP_URING_TW(floor_tw, floor_done)

/* Check the list for poll_us: true once a command is there. */
static bool floor_poll(void)
{
	u64 end;

	if (!poll_us)
		return false;
	end = local_clock() + poll_us * NSEC_PER_USEC;
	while (list_empty_careful(&floor_queue)) {
		if (need_resched() || kthread_should_stop() ||
		    local_clock() > end)
			return false;
		cpu_relax();
	}
	return true;
}

static int floor_thread_fn(void *arg)
{
	struct list_head *node;

	while (!kthread_should_stop()) {
		if (!floor_poll())
			wait_event_interruptible(floor_wq,
						 kthread_should_stop() ||
						 !list_empty_careful(&floor_queue));
		spin_lock(&floor_lock);
		node = floor_queue.next;
		if (node != &floor_queue)
			list_del(node);
		else
			node = NULL;
		spin_unlock(&floor_lock);
		if (node)
			io_uring_cmd_complete_in_task(floor_cmd(node), floor_tw);
		cond_resched();
	}
	return 0;
}

static int floor_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	switch (READ_ONCE(cmd->cmd_op)) {
	case CHIP_FLOOR_NOP:
		return 0;
	case CHIP_FLOOR_ASYNC:
		spin_lock(&floor_lock);
		list_add_tail(floor_node(cmd), &floor_queue);
		spin_unlock(&floor_lock);
		/* Pairs with the barrier in the thread's prepare_to_wait(). */
		if (wq_has_sleeper(&floor_wq))
			wake_up(&floor_wq);
		return -EIOCBQUEUED;
	default:
		return -EINVAL;
	}
}

static const struct file_operations floor_fops = {
	.owner = THIS_MODULE,
	.uring_cmd = floor_uring_cmd,
};

static struct miscdevice floor_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "chip_uringfloor",
	.fops = &floor_fops,
	.mode = 0600,
};

static int __init floor_init(void)
{
	int ret;

	floor_thread = kthread_run(floor_thread_fn, NULL, "chip_floor");
	if (IS_ERR(floor_thread))
		return PTR_ERR(floor_thread);
	ret = misc_register(&floor_misc);
	if (ret)
		kthread_stop(floor_thread);
	return ret;
}

/* No command is in flight: each holds its file, and the file the module. */
static void __exit floor_exit(void)
{
	misc_deregister(&floor_misc);
	kthread_stop(floor_thread);
}

module_init(floor_init);
module_exit(floor_exit);
MODULE_DESCRIPTION("chip test module: the cost of an asynchronous io_uring command");
MODULE_LICENSE("Dual MIT/GPL");
