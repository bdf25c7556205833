/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * chip.ko: a DRM accel driver for the emulated chip NPU.
 *
 * Objects and their owners:
 *
 *	chip_device	one device: a DRM device, the device behind the
 *			hardware boundary (chip_hw.h; the emulated one,
 *			chip_emu.c, executes on the portable core's
 *			chipc_device), runs served round-robin between the
 *			files with runnable work, the device-wide dedup table
 *	chip_file	one open file: its device address space (chipc_vm),
 *			buffer objects, registry of cids, heap, runs
 *	chip_bo		a GEM shmem object, mapped into the space of every
 *			file holding a handle on it (chip_bo_map): its
 *			creator's, and those of the files that imported it
 *	chip_run	one submitted run, owned by its file until consumed
 *
 * Locks, outermost first: chip_file.lock (registry, counters) ->
 * chip_device.dedup_lock (every dedup table of the device, whatever the
 * scope, and the device-wide state they share) and chip_file.vm_sem (the
 * current view of the address space; held only to take a reference on it
 * or to edit it, never across a user copy or a run) ->
 * chip_device.run_lock (spinlock: the files with queued runs, every
 * file's run queue and run list, run states) -> a run fence's lock, and
 * chip_file.cache_lock (a retired run's memory back to its file).
 */
#ifndef _CHIP_DRV_H
#define _CHIP_DRV_H

#include <linux/atomic.h>
#include <linux/dma-fence.h>
#include <linux/fs.h>
#include <linux/iosys-map.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_mm.h>

#include "core/chipc.h"
#include "../uapi/drm/chip_accel.h"
#include "chip_hw.h"

/*
 * The device address space layout is the core's (CHIPC_BO_BASE and the
 * rest, core/chipc.h), shared with the simulated backend.
 */
#define CHIP_HEAP_VA		CHIPC_HEAP_VA
#define CHIP_MAX_BOS		CHIPC_MAX_BOS	/* mappings per file */

struct chip_params {
	u32 platform;		/* CHIP_PLATFORM_* */
	u64 gm_size;
	u64 heap_size;
	u32 dedup_scope;	/* DRM_CHIP_DEDUP_* */
	u32 workers;
	u64 max_callable;
	u64 max_store_bytes;
	u64 max_timeout_ns;
	u32 max_runs;
	u64 max_run_bytes;	/* per file: kernel memory of pending runs */
	u64 inline_ns;		/* see chip_run_inline() */
	u64 poll_ns;		/* the emulated device's idle poll */
};

extern struct chip_params chip_params;

struct chip_device {
	struct drm_device drm;
	u32 index;

	/* The emulated hardware. */
	struct chipc_device core;
	atomic64_t gm_used;	/* buffer objects, heaps, resident code */

	/*
	 * Dedup: @dedup_lock serialises every table of the device (its own,
	 * the user tables, the files' tables) and what follows.
	 */
	struct mutex dedup_lock;
	struct chipc_dedup dedup;	/* DRM_CHIP_DEDUP_DEVICE */
	struct xarray user_tables;	/* DRM_CHIP_DEDUP_USER, by kuid */
	struct chipc_space code_space;	/* resident code's device addresses */
	u64 hash_mask;		/* of new tables; debugfs (chip_debugfs.c) */

	/*
	 * Runs: every file queues its own (chip_file.queue, FIFO); the
	 * device gets the head of the file served longest ago whose head
	 * may start (chip_pick_locked()), one run at a time (@running).
	 */
	spinlock_t run_lock;
	struct list_head active;	/* files with queued runs, by rr_node */
	u64 rr_gen;		/* files served so far */
	struct chip_run *running;
	struct chip_hw *hw;	/* the device behind the boundary */
	/* chip_pump(): an in-fence signalled, or a start would block */
	struct work_struct pump_work;
	struct chip_run *deferred;	/* @running, for @pump_work to start */
	/* Kernels without cancelable commands: see chip_uring_owner_gone(). */
	struct delayed_work owner_watch;

	/* Device-wide statistics; resident_* of every dedup table. */
	atomic64_t resident_bytes;
	atomic64_t resident_callables;
	atomic64_t hits;
	atomic64_t misses;
	atomic64_t files;
	atomic64_t bos;
	atomic64_t runs;
};

/* The dedup table of one user (DRM_CHIP_DEDUP_USER), under dedup_lock. */
struct chip_user_table {
	struct chip_device *cdev;
	kuid_t uid;		/* the effective uid that opened the files */
	struct kref ref;	/* one per open file using the table */
	struct chipc_dedup dedup;
};

/*
 * One version of a file's address space (chip_gem.c): immutable while
 * anyone but the file holds it.  Every object it maps (maps[i].obj) is
 * GEM-referenced by the view.
 */
struct chip_vm_view {
	struct kref ref;
	struct chipc_vm vm;
};

struct chip_file {
	/*
	 * Freed after a grace period: a retirement may still wake @done_wq
	 * after its file's last run is gone (chip_run_retire()).  First:
	 * kfree_rcu() wants it in the first 4 KiB.
	 */
	struct rcu_head rcu;
	struct chip_device *cdev;
	struct drm_file *drm;	/* its syncobjs */
	struct chip_user_table *utab;	/* DRM_CHIP_DEDUP_USER only */
	u64 client_id;		/* drm-client-id of fdinfo, trace events */
	pid_t pid;		/* the opener's, for debugfs */
	char comm[TASK_COMM_LEN];

	struct mutex lock;	/* registry, counters */
	struct chipc_registry reg;
	struct chipc_dedup dedup;	/* DRM_CHIP_DEDUP_FILE only; dedup_lock */
	u64 orch_loads;
	u64 hits;
	u64 misses;
	struct chip_upload *upload;	/* kept for REGISTER; chip_callable.c */

	struct rw_semaphore vm_sem;
	struct chip_vm_view *vm;	/* current view, under vm_sem */
	struct drm_mm va_mm;	/* its objects' device addresses, under vm_sem */
	u64 gm_used;		/* objects it created and maps, under vm_sem */
	u8 *heap;		/* allocated by the first run */

	/* Under cdev->run_lock. */
	struct list_head queue;	/* runs not started yet, by seq */
	struct list_head rr_node;	/* in cdev->active while @queue has any */
	u64 served;		/* cdev->rr_gen when a run of it last started */
	struct list_head runs;	/* every run not yet consumed, by seq */
	/*
	 * What WAIT looks at, so that it never walks @runs: the runs it may
	 * take (neither io_uring nor NO_RESULT ones) by seq, and those of
	 * them that are complete, by seq.
	 */
	struct rb_root wait_tree;	/* by wnode */
	struct list_head done;		/* by dnode */
	u64 next_seq;
	u32 nruns;
	atomic64_t run_bytes;	/* kernel memory of its runs, see chip_run_cost() */
	u64 runs_by_status[CHIP_STATUS_COUNT];
	u64 inline_runs;	/* executed by their submitter */
	u64 fence_ctx;		/* dma_fence context of its runs' fences */
	u64 busy_ns;		/* device time of its retired runs, see
				 * chip_run_retired()
				 */

	spinlock_t cache_lock;	/* @cache, @ncache */
	struct list_head cache;	/* freed runs for reuse, by qnode */
	u32 ncache;

	/*
	 * Woken when a run of this file retires (or its device completes
	 * it, for a run executed inline): WAIT, the file's cancel and an
	 * inline submitter wait here, and nothing another file does wakes
	 * them.
	 */
	wait_queue_head_t done_wq;
};

/*
 * One mapping of an object in one file's address space (chip_gem.c):
 * made when the file gets a handle on the object (BO_CREATE, PRIME
 * import), removed when the handle is closed.  Owned by the file; on
 * its object's @maps list.
 */
struct chip_bo_map {
	struct list_head node;		/* chip_bo.maps */
	struct chip_file *file;
	struct chip_bo *bo;		/* kept alive by the file's view */
	struct drm_mm_node va;		/* the object and its guard gap */
	u32 handle;			/* in @file; 0 until known */
	bool created;			/* in @file's gm_used: it created @bo */
};

struct chip_bo {
	struct drm_gem_shmem_object base;
	spinlock_t maps_lock;	/* @maps, @mapped_once, the maps' @handle */
	struct list_head maps;	/* struct chip_bo_map, one per mapping file */
	bool mapped_once;	/* the creator's mapping was made */
	u64 va;			/* the creator's address (trace events) */
	u64 size;		/* as requested */
	u64 charged;		/* device memory, given back at free */
	struct iosys_map map;
};

enum chip_run_state {
	CHIP_RUN_QUEUED,
	CHIP_RUN_RUNNING,
	CHIP_RUN_DONE,
};

struct io_uring_cmd;
struct mem_cgroup;
struct drm_syncobj;
struct dma_fence_chain;
struct seq_file;

/* An in-fence of a run (drm_chip_run.in_syncs_ptr). */
struct chip_run_dep {
	struct dma_fence_cb cb;
	struct dma_fence *fence;	/* referenced until detached */
	struct chip_run *run;
};

/* Argument blobs up to this size live in the run itself. */
#define CHIP_RUN_ARGS_SMALL	256

struct chip_run {
	struct list_head qnode;		/* chip_file.queue */
	struct list_head fnode;		/* chip_file.runs */
	struct rb_node wnode;		/* chip_file.wait_tree, if WAIT may take it */
	struct list_head dnode;		/* chip_file.done, once it is complete */
	struct chip_file *file;
	u64 seq;
	enum chip_run_state state;
	int abort;
	bool hw_done;		/* the device completed @job (inline only) */
	bool no_result;		/* DRM_CHIP_RUN_NO_RESULT */

	/*
	 * Its fence, signalled when it retires; published in @out_syncobj
	 * at submission (with @out_chain for a timeline point).  NULL for a
	 * run without an out-syncobj: nothing outside the driver could
	 * ever see it.
	 */
	struct dma_fence *fence;
	bool signalled;
	struct drm_syncobj *out_syncobj;
	struct dma_fence_chain *out_chain;
	u64 out_point;
	/* In-fences: the run may start once @deps_left is zero. */
	u32 ndeps;
	atomic_t deps_left;
	int dep_error;		/* an in-fence signalled an error */
	u64 start_ns;		/* ktime_get_ns() when it began to execute */

	struct chipc_code *code;	/* referenced until done */
	struct chipc_dedup *table;	/* @code's table */
	struct mutex *table_lock;	/* serialises @table */

	struct chipc_args args;
	struct chipc_graph graph;
	bool has_graph;
	u32 block_dim;
	u32 aicpu_threads;
	u64 timeout_ns;
	u64 insn_budget;
	bool inline_ok;		/* DRM_CHIP_RUN_INLINE */
	struct chipc_run_result res;

	u32 nstores;
	u32 nloads;
	u8 *load_data;		/* the loads' bytes, read at submission */
	u64 load_size;
	u8 *snap;		/* store bytes captured at completion */
	u64 snap_size;
	u64 cost;		/* bytes in the file's run_bytes */
	struct mem_cgroup *memcg;	/* the submitter's, charged for @snap */
	/* Executing in its submitter (inline): that task, for the watch. */
	struct task_struct *inline_task;

	void *args_blob;	/* @args_small or allocated; freed at retire */
	void *graph_blob;	/* freed at retire */
	u64 args_size;
	u64 graph_size;

	/*
	 * The run's timeline (DRM_CHIP_FEATURE_TIMELINE): @timeline_count
	 * spans the core records into, allocated at submission, written to
	 * @timeline_ptr where the run's results are delivered; NULL: none.
	 */
	struct chipc_span *spans;
	u64 timeline_ptr;
	u32 timeline_count;

	/* Submitted through io_uring (chip_uring.c); NULL for the ioctl. */
	struct io_uring_cmd *ucmd;
	struct task_struct *owner;	/* the ring's task (6.1), referenced */
	bool uring_claimed;	/* under run_lock: completion under way */
	bool uring_cqe32;	/* the ring has 32-byte completions */

	struct chip_vm_view *view;	/* referenced while it executes */

	/*
	 * Not zeroed at allocation.  What the device executes: set up
	 * whole when the run starts (chip_run_start()), its list nodes at
	 * allocation.  Then only the first entries / bytes used.
	 */
	struct chip_hw_job job;
	struct drm_chip_store stores[DRM_CHIP_MAX_STORES];
	struct drm_chip_load loads[DRM_CHIP_MAX_LOADS];
	struct chip_run_dep deps[DRM_CHIP_MAX_IN_SYNCS];
	u8 args_small[CHIP_RUN_ARGS_SMALL];
};

static inline struct chip_device *to_chip_device(struct drm_device *drm)
{
	return container_of(drm, struct chip_device, drm);
}

static inline struct chip_bo *to_chip_bo(struct drm_gem_object *obj)
{
	return container_of(obj, struct chip_bo, base.base);
}

static inline struct chip_file *chip_file_of(struct drm_file *file)
{
	return file->driver_priv;
}

/*
 * Is @file being released?  The DRM core drops a file's GEM handles
 * before its postclose; the release of the handles of such a file stops
 * the file's runs first (chip_file_cancel()) rather than wait for them.
 */
static inline bool chip_file_released(struct drm_file *file)
{
	return !file_count(file->filp);
}

/* Add @bytes to *@used unless that goes above @limit (chip_drv.c). */
bool chip_charge(atomic64_t *used, u64 bytes, u64 limit);
/* Account @bytes of device memory; -ENOSPC past gm_size. */
int chip_gm_charge(struct chip_device *cdev, u64 bytes);
void chip_gm_uncharge(struct chip_device *cdev, u64 bytes);

/* chip_gem.c */
struct drm_gem_object *chip_gem_create_object(struct drm_device *drm,
					      size_t size);
int chip_bo_create_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file);
int chip_bo_info_ioctl(struct drm_device *drm, void *data,
		       struct drm_file *file);
int chip_bo_copy_ioctl(struct drm_device *drm, void *data,
		       struct drm_file *file);
int chip_file_vm_init(struct chip_file *f);
void chip_file_vm_fini(struct chip_file *f);
struct chip_vm_view *chip_vm_get(struct chip_file *f);
struct chip_vm_view *chip_vm_tryget(struct chip_file *f);
void chip_vm_put(struct chip_vm_view *v);

/* chip_callable.c */
int chip_dedup_init(struct chip_device *cdev, struct chipc_dedup *d);
struct chip_user_table *chip_user_table_get(struct chip_device *cdev,
					    kuid_t uid);
void chip_user_table_put(struct chip_user_table *t);
void chip_file_table(struct chip_file *f, struct chipc_dedup **table,
		     struct mutex **lock);	/* serialises *@table */
void chip_registry_release(struct chip_file *f);
int chip_register_ioctl(struct drm_device *drm, void *data,
			struct drm_file *file);
int chip_unregister_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file);
int chip_counters_ioctl(struct drm_device *drm, void *data,
			struct drm_file *file);
void chip_set_hash_mask(struct chip_device *cdev, u64 mask);
int chip_dedup_list_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file);
void chip_dedup_show(struct chip_device *cdev, struct seq_file *m);

/* chip_fdinfo.c */
struct drm_printer;
void chip_file_set_client(struct chip_file *f, struct drm_file *file);
void chip_show_fdinfo(struct drm_printer *p, struct drm_file *file);
void chip_run_started(struct chip_run *run, u64 now);
void chip_run_retired(struct chip_run *run, u64 now);	/* run_lock held */
u64 chip_file_busy_ns(struct chip_file *f);	/* run_lock held */

/* chip_debugfs.c */
void chip_debugfs_init(struct chip_device *cdev);

/* chip_job.c */
int chip_worker_start(struct chip_device *cdev);
void chip_worker_stop(struct chip_device *cdev);
u64 chip_file_cancel(struct chip_file *f);
void chip_file_release_runs(struct chip_file *f);
void chip_file_free_cache(struct chip_file *f);
int chip_run_submit(struct chip_file *f, const struct drm_chip_run *args,
		    struct io_uring_cmd *ucmd, unsigned int issue_flags,
		    u64 *seq);
void chip_run_unlink_free(struct chip_run *run);
void chip_run_dequeue_locked(struct chip_run *run);
void chip_run_signal(struct chip_run *run);
int chip_run_copy_stores(struct chip_run *run);
int chip_run_copy_timeline(struct chip_run *run);
int chip_run_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int chip_wait_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int chip_cancel_ioctl(struct drm_device *drm, void *data,
		      struct drm_file *file);

/* chip_uring.c */
int chip_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags);
bool chip_uring_claim(struct chip_run *run);	/* run_lock held */
void chip_uring_complete(struct chip_run *run);	/* claimed, run DONE */
void chip_uring_bind(struct chip_run *run, struct io_uring_cmd *cmd,
		     unsigned int issue_flags, bool cancelable);
void chip_uring_finish(struct io_uring_cmd *cmd, unsigned int issue_flags,
		       bool dead);
bool chip_uring_owner_gone(const struct chip_run *run);
bool chip_uring_nowait(struct io_uring_cmd *cmd, unsigned int issue_flags);
bool chip_uring_watch_owner(const struct chip_run *run);

#endif /* _CHIP_DRV_H */
