// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fdinfo (/proc/PID/fdinfo/FD of an open chip node), the keys of the
 * kernel's Documentation/gpu/drm-usage-stats.rst and the driver's own,
 * prefixed chip-; listed in Documentation/driver.rst.  The DRM core (or
 * compat/fdinfo.c) prints drm-driver and drm-client-id first.
 */
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <drm/drm_file.h>
#include <drm/drm_print.h>

#include "chip_drv.h"
#include "chip_trace.h"
#include "compat/compat.h"

/* The fdinfo key of each CHIP_STATUS_*: chip-runs-<name>. */
static const char *const chip_status_key[CHIP_STATUS_COUNT] = {
	[CHIP_STATUS_OK] = "ok",
	[CHIP_STATUS_ORCH_ERROR] = "orch-error",
	[CHIP_STATUS_SCHED_ERROR] = "sched-error",
	[CHIP_STATUS_TIMEOUT] = "timeout",
	[CHIP_STATUS_FAULT] = "fault",
	[CHIP_STATUS_INVALID] = "invalid",
	[CHIP_STATUS_CANCELLED] = "cancelled",
	[CHIP_STATUS_DEVICE_LOST] = "device-lost",
};

/* Client ids, where the DRM core has none (compat.h). */
static atomic64_t chip_next_client_id = ATOMIC64_INIT(0);

/**
 * chip_file_set_client() - identify a new file
 * @f: the driver's file
 * @file: its DRM file
 *
 * The client id (drm-client-id of fdinfo, the trace events) and the
 * opener's pid and name (debugfs).
 */
void chip_file_set_client(struct chip_file *f, struct drm_file *file)
{
	f->client_id = chip_compat_client_id(file, &chip_next_client_id);
	f->pid = task_tgid_nr(current);
	get_task_comm(f->comm, current);
}

/**
 * chip_run_started() - @run begins to execute
 * @run: the run, RUNNING
 * @now: ktime_get_ns(), read by a caller before it took its lock; 0: read
 *	here
 *
 * Its start time (chip_file_busy_ns()) and trace event.
 */
void chip_run_started(struct chip_run *run, u64 now)
{
	WRITE_ONCE(run->start_ns, now ? : ktime_get_ns());
	trace_chip_run_start(run);
}

/**
 * chip_run_retired() - account the device time of a complete run
 * @run: the run, executed; cdev->run_lock held
 * @now: ktime_get_ns(), read before the lock was taken
 *
 * The file's busy time grows by the run's device_ns, or by the time since
 * the run started where that is longer: chip_file_busy_ns() counts a
 * running run from its start, and the busy time never goes back.
 */
void chip_run_retired(struct chip_run *run, u64 now)
{
	u64 start = READ_ONCE(run->start_ns);
	u64 spent = start && now > start ? now - start : 0;

	lockdep_assert_held(&run->file->cdev->run_lock);
	run->file->busy_ns += max(run->res.device_ns, spent);
	trace_chip_run_retire(run);
}

/**
 * chip_file_busy_ns() - the busy time of @f: drm-engine-npu
 * @f: the file; cdev->run_lock held
 *
 * Return: the busy time of its retired runs and the time so far of its
 * running one.
 */
u64 chip_file_busy_ns(struct chip_file *f)
{
	struct chip_run *run = f->cdev->running;
	u64 busy = f->busy_ns, start;

	lockdep_assert_held(&f->cdev->run_lock);
	if (run && run->file == f) {
		start = READ_ONCE(run->start_ns);
		if (start)
			busy += ktime_get_ns() - start;
	}
	return busy;
}

/**
 * chip_show_fdinfo() - the driver's fdinfo keys of @file
 * @p: where to print
 * @file: an open file of a chip device
 *
 * drm-engine-npu is the device time of the file's runs, its running one
 * included (chip_file_busy_ns()).
 */
void chip_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct chip_file *f = chip_file_of(file);
	struct chip_device *cdev = f->cdev;
	u64 runs[CHIP_STATUS_COUNT], busy, inl, hits, misses, reg;
	struct chipc_dedup *table;
	struct mutex *lock;	/* serialises @table */
	u64 bytes, callables;
	u32 i;

	spin_lock(&cdev->run_lock);
	busy = chip_file_busy_ns(f);
	inl = f->inline_runs;
	memcpy(runs, f->runs_by_status, sizeof(runs));
	spin_unlock(&cdev->run_lock);

	mutex_lock(&f->lock);
	hits = f->hits;
	misses = f->misses;
	reg = f->reg.count;
	chip_file_table(f, &table, &lock);
	mutex_lock(lock);
	bytes = table->resident_bytes;
	callables = table->entries;
	mutex_unlock(lock);
	mutex_unlock(&f->lock);

	drm_printf(p, "drm-engine-npu:\t%llu ns\n", busy);
	chip_compat_show_memory(p, file);
	for (i = 0; i < CHIP_STATUS_COUNT; i++)
		drm_printf(p, "chip-runs-%s:\t%llu\n", chip_status_key[i],
			   runs[i]);
	drm_printf(p, "chip-runs-inline:\t%llu\n", inl);
	drm_printf(p, "chip-registered:\t%llu\n", reg);
	drm_printf(p, "chip-dedup-hits:\t%llu\n", hits);
	drm_printf(p, "chip-dedup-misses:\t%llu\n", misses);
	drm_printf(p, "chip-resident-code-bytes:\t%llu\n", bytes);
	drm_printf(p, "chip-resident-callables:\t%llu\n", callables);
}
