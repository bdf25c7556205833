/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The hardware boundary: what the driver's job code asks of a device and
 * how the device reports back.
 *
 * The job code prepares a job (struct chip_hw_job: kernel pointers only,
 * to the view of the file's address space, the code, the arguments, the
 * load bytes and the buffer for the store snapshot) and hands it to the
 * device with chip_hw_submit().  The device executes it and reports its
 * completion with chip_hw_complete(), the analogue of an interrupt; the
 * boundary then calls the driver's done handler.  A job the device does
 * not complete within its watchdog plus a grace period is ended by the
 * boundary's job timeout (chip_hw_tdr_fn()): the device is reset and the
 * job completes with CHIP_STATUS_TIMEOUT.
 *
 * A device implementation (chip_emu.c, the emulated device) sees nothing
 * but jobs: no DRM object, file or user memory.
 */
#ifndef _CHIP_HW_H
#define _CHIP_HW_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "core/chipc.h"
#include "../uapi/drm/chip_accel.h"

struct chip_hw;

/**
 * struct chip_hw_job - one job for the device
 * @req: what to execute: code, arguments, graph, the address space view
 *	(@req.vm), heap, watchdog and the abort flag the device polls
 * @loads: ranges to write before executing, from @load_data in order
 * @load_data: the loads' bytes
 * @nloads: entries of @loads
 * @stores: ranges to copy into @snap after a successful execution
 * @snap: where the store bytes go, allocated by the job code
 * @nstores: entries of @stores
 * @res: the outcome, written by the device before it completes the job
 * @node: in chip_hw.inflight (the boundary's)
 * @deadline: jiffies after which the job timeout ends the job
 * @dev_node: for the device implementation's own queue
 */
struct chip_hw_job {
	struct chipc_run_req req;
	const struct drm_chip_load *loads;
	const u8 *load_data;
	u32 nloads;
	u32 nstores;
	const struct drm_chip_store *stores;
	u8 *snap;
	struct chipc_run_result res;
	struct list_head node;
	unsigned long deadline;
	struct list_head dev_node;
};

/**
 * struct chip_hw_ops - a device
 * @submit: start @job; it completes later, exactly once, through
 *	chip_hw_complete() (unless a reset comes first).  0 or -errno.
 * @run_inline: optional: execute @job in the caller and fill @job->res;
 *	no completion is reported.  Only when the device is idle.
 * @cancel: ask the device to end @job early (CHIP_STATUS_CANCELLED); it
 *	still completes
 * @reset: stop every job: afterwards the device touches no job it was
 *	given and reports no completion for one; it is usable again
 * @query: a property of the device (CHIP_HW_Q_*)
 * @destroy: stop the device and free it; no job is given to it
 */
struct chip_hw_ops {
	int (*submit)(struct chip_hw *hw, struct chip_hw_job *job);
	void (*run_inline)(struct chip_hw *hw, struct chip_hw_job *job);
	void (*cancel)(struct chip_hw *hw, struct chip_hw_job *job);
	void (*reset)(struct chip_hw *hw);
	u64 (*query)(struct chip_hw *hw, u32 what);
	void (*destroy)(struct chip_hw *hw);
};

#define CHIP_HW_Q_BUSY		0	/* jobs given and not completed */
#define CHIP_HW_Q_RESETS	1	/* resets so far */

/**
 * struct chip_hw - the boundary's state of one device
 * @ops: the device
 * @done: the driver's completion handler, in the device's completion
 *	context or the job timeout's work; @job is the driver's again
 * @lock: @inflight
 * @inflight: jobs given to the device and not completed, by node
 * @tdr: the job timeout
 * @armed: @tdr is queued, for @armed_at
 * @armed_at: jiffies @tdr fires at (at or before the earliest deadline)
 * @grace: jiffies a job may run past its watchdog before @tdr ends it
 * @timeouts: jobs ended by @tdr
 */
struct chip_hw {
	const struct chip_hw_ops *ops;
	void (*done)(struct chip_hw *hw, struct chip_hw_job *job);
	spinlock_t lock;	/* @inflight */
	struct list_head inflight;
	struct delayed_work tdr;
	bool armed;
	unsigned long armed_at;
	unsigned long grace;
	u64 timeouts;
};

void chip_hw_init(struct chip_hw *hw, const struct chip_hw_ops *ops,
		  void (*done)(struct chip_hw *hw, struct chip_hw_job *job));
void chip_hw_fini(struct chip_hw *hw);
int chip_hw_submit(struct chip_hw *hw, struct chip_hw_job *job);
void chip_hw_complete(struct chip_hw *hw, struct chip_hw_job *job);
void chip_hw_cancel(struct chip_hw *hw, struct chip_hw_job *job);

/*
 * chip_emu.c: the emulated device, executing jobs on @core; its thread
 * checks its queue for @poll_ns after its last job before it sleeps.
 */
struct chip_hw *chip_emu_create(struct chipc_device *core, u32 index,
				u64 poll_ns,
				void (*done)(struct chip_hw *hw,
					     struct chip_hw_job *job));

#endif /* _CHIP_HW_H */
