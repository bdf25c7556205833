// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Runs: submission (validation shared with every submission path), their
 * fences, handing them to the device one at a time, round-robin between
 * files, wait, cancel, and their release with the file.
 *
 * A run never hangs the device: the core's watchdog (timeout_ns) and
 * instruction budget end it with CHIP_STATUS_TIMEOUT, a bad access with
 * CHIP_STATUS_FAULT, and the abort flag (cancel, close) with
 * CHIP_STATUS_CANCELLED.  A run still executing well past its watchdog is
 * ended by the hardware boundary's job timeout (chip_hw.c) with
 * CHIP_STATUS_TIMEOUT.  The device then takes the next run.
 *
 * The job code talks to the device only through the hardware boundary
 * (chip_hw.h): chip_pump() prepares the next run's job and submits it;
 * the device's completion (chip_run_done()) retires the run and pumps
 * the next one.
 *
 * Scheduling: each file queues its runs in submission order
 * (chip_file.queue).  The head of a file's queue may start once all its
 * in-fences have signalled; a head still waiting holds back its own
 * file's later runs (so a file's runs start, and its fences signal, in
 * seq order) but no other file.  Among the files whose head may start,
 * chip_pump() takes the one whose last run started longest ago
 * (chip_pick_locked()): a file with many queued runs delays another
 * file's run by at most the one run executing.
 */
#include <linux/dma-fence-chain.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/memcontrol.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <drm/drm_syncobj.h>

#include "chip_drv.h"
#include "chip_hw.h"
#include "chip_trace.h"

/*
 * A run's fence.  Its lock is its own: the fence may outlive the run and
 * the file (in a syncobj, a sync_file or another driver's wait).
 */
struct chip_fence {
	struct dma_fence base;
	spinlock_t lock;	/* of @base only */
};

static const char *chip_fence_driver_name(struct dma_fence *fence)
{
	return "chip";
}

static const char *chip_fence_timeline_name(struct dma_fence *fence)
{
	return "chip-file";
}

static const struct dma_fence_ops chip_fence_ops = {
	.get_driver_name = chip_fence_driver_name,
	.get_timeline_name = chip_fence_timeline_name,
};

/* Signal the fence of a submitted run with its status, once. */
void chip_run_signal(struct chip_run *run)
{
	int err;

	if (!run->fence || run->signalled)
		return;
	run->signalled = true;
	err = chipc_status_errno(run->res.status);
	if (err)
		dma_fence_set_error(run->fence, err);
	dma_fence_signal(run->fence);
}

/* The error of an in-fence, or of the fence of a timeline point. */
static int chip_dep_error(struct dma_fence *fence)
{
	struct dma_fence_chain *chain = to_dma_fence_chain(fence);

	if (chain && chain->fence && chain->fence->error)
		return chain->fence->error;
	return fence->error;
}

/*
 * An in-fence signalled (in whatever context its signaller runs, under
 * the fence's lock): count it, and have the device's next run chosen
 * again (chip_pump(), from a work item) once the last one has.
 */
static void chip_run_dep_cb(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct chip_run_dep *dep = container_of(cb, struct chip_run_dep, cb);
	struct chip_run *run = dep->run;
	struct chip_device *cdev = run->file->cdev;
	int err = chip_dep_error(fence);

	if (err)
		WRITE_ONCE(run->dep_error, err);
	if (atomic_dec_and_test(&run->deps_left))
		queue_work(system_wq, &cdev->pump_work);
}

/*
 * Drop the in-fences of @run.  Removing a callback takes the fence's
 * lock, under which callbacks run: none is running on @run afterwards.
 */
static void chip_run_detach_deps(struct chip_run *run)
{
	u32 i;

	for (i = 0; i < run->ndeps; i++) {
		dma_fence_remove_callback(run->deps[i].fence, &run->deps[i].cb);
		dma_fence_put(run->deps[i].fence);
	}
	run->ndeps = 0;
}

/*
 * A file keeps up to CHIP_RUN_CACHE freed runs for its next ones, so a
 * stream of runs allocates nothing; chip_file_free_cache() frees them
 * with the file.  Under KASAN every run is freed instead, so that a use
 * of a consumed run is reported rather than hidden by its reuse.
 */
#define CHIP_RUN_CACHE	(IS_ENABLED(CONFIG_KASAN) ? 0 : 64)

static struct chip_run *chip_run_alloc(struct chip_file *f, gfp_t gfp)
{
	struct chip_run *run;

	spin_lock(&f->cache_lock);
	run = list_first_entry_or_null(&f->cache, struct chip_run, qnode);
	if (run) {
		list_del(&run->qnode);
		f->ncache--;
	}
	spin_unlock(&f->cache_lock);
	return run ? run : kmalloc(sizeof(*run), gfp | __GFP_ACCOUNT);
}

/*
 * Per-file budget of run memory (max_run_mb): every run counts the kernel
 * memory it may hold, its own structure, its argument and graph blobs, its
 * load bytes, its store snapshot and its timeline, from submission until
 * it is consumed.
 */
static u64 chip_run_cost(const struct drm_chip_run *args, u64 snap, u64 load)
{
	return sizeof(struct chip_run) + snap + load + args->graph_size +
	       (args->args_size > CHIP_RUN_ARGS_SMALL ? args->args_size : 0) +
	       (u64)args->timeline_count * sizeof(struct chipc_span);
}

/* Return: 0; -E2BIG if the run alone exceeds the budget; -EBUSY. */
static int chip_run_reserve(struct chip_run *run, u64 cost)
{
	atomic64_t *used = &run->file->run_bytes;

	if (cost > chip_params.max_run_bytes)
		return -E2BIG;
	if (!chip_charge(used, cost, chip_params.max_run_bytes))
		return -EBUSY;
	run->cost = cost;
	return 0;
}

static void chip_run_unreserve(struct chip_run *run, u64 bytes)
{
	atomic64_sub(bytes, &run->file->run_bytes);
	run->cost -= bytes;
}

/* What an executed run no longer needs: its blobs and load bytes. */
static void chip_run_free_blobs(struct chip_run *run)
{
	u64 bytes = 0;

	if (run->load_data) {
		kvfree(run->load_data);
		run->load_data = NULL;
		bytes += run->load_size;
	}
	if (run->graph_blob) {
		kvfree(run->graph_blob);
		run->graph_blob = NULL;
		bytes += run->graph_size;
	}
	if (run->args_blob && run->args_blob != run->args_small) {
		kvfree(run->args_blob);
		bytes += run->args_size;
	}
	run->args_blob = NULL;
	run->has_graph = false;
	if (bytes && run->cost >= bytes)
		chip_run_unreserve(run, bytes);
}

/*
 * Release what a run holds, everything but its memory: its in-fences, its
 * fence and syncobj, its buffers and its place in the file's budget.
 */
static void chip_run_release(struct chip_run *run)
{
	chip_run_detach_deps(run);
	if (run->fence) {
		/* A submitted run that never retired: as cancelled. */
		if (run->seq)
			chip_run_signal(run);
		dma_fence_put(run->fence);
		run->fence = NULL;
	}
	if (run->out_syncobj)
		drm_syncobj_put(run->out_syncobj);
	kfree(run->out_chain);
	if (run->owner)
		put_task_struct(run->owner);
	mem_cgroup_put(run->memcg);
	kvfree(run->snap);
	kvfree(run->spans);
	run->spans = NULL;
	chip_run_free_blobs(run);
	if (run->cost)
		chip_run_unreserve(run, run->cost);
}

/* The memory of a released run: kept in its file's cache, or freed. */
static void chip_run_recycle(struct chip_run *run)
{
	struct chip_file *f = run->file;

	spin_lock(&f->cache_lock);
	if (f->ncache < CHIP_RUN_CACHE) {
		list_add(&run->qnode, &f->cache);
		f->ncache++;
		run = NULL;
	}
	spin_unlock(&f->cache_lock);
	kfree(run);
}

static void chip_run_free(struct chip_run *run)
{
	chip_run_release(run);
	chip_run_recycle(run);
}

/* With the file: no run of @f is left. */
void chip_file_free_cache(struct chip_file *f)
{
	struct chip_run *run, *tmp;

	list_for_each_entry_safe(run, tmp, &f->cache, qnode)
		kfree(run);
	INIT_LIST_HEAD(&f->cache);
	f->ncache = 0;
}

/*
 * Drop the run's reference on its resident callable.  Only the last
 * reference (which unlinks and frees the entry) needs the table's lock;
 * while the callable stays registered the run's is never the last.
 */
static void chip_run_put_code(struct chip_run *run)
{
	if (!run->code)
		return;
	if (!chipc_dedup_put_unless_last(run->code)) {
		mutex_lock(run->table_lock);
		chipc_dedup_put(run->table, run->code);
		mutex_unlock(run->table_lock);
	}
	run->code = NULL;
}

/* What chip_run_start() made of a run. */
enum chip_start {
	CHIP_START_GO,		/* its job is ready for the device */
	CHIP_START_SKIP,	/* not to execute: its result is set */
	CHIP_START_BLOCK,	/* @nowait, and starting it would block */
};

/*
 * Prepare the job of @run for the device (chip_hw.h): a reference on the
 * file's current view of its address space, which pins every buffer
 * object it maps (no lock is held while the run executes, so the file
 * can create and close objects meanwhile), and the buffer for its store
 * snapshot, allocated now, not at submission, charged to the submitter's
 * memory cgroup (its size was reserved in the file's budget).  With
 * @nowait (an io_uring issue that may not block) nothing here sleeps:
 * CHIP_START_BLOCK, with what is done kept, where it would.
 */
static enum chip_start chip_run_start(struct chip_run *run, bool nowait)
{
	struct chip_hw_job *job = &run->job;
	struct chip_file *f = run->file;
	struct mem_cgroup *old;

	/* Every in-fence has signalled. */
	chip_run_detach_deps(run);
	if (READ_ONCE(run->dep_error)) {
		run->res.status = CHIP_STATUS_CANCELLED;
		snprintf(run->res.msg, sizeof(run->res.msg),
			 "an in-fence failed (%d)", READ_ONCE(run->dep_error));
		return CHIP_START_SKIP;
	}
	if (READ_ONCE(run->abort)) {
		run->res.status = CHIP_STATUS_CANCELLED;
		strscpy(run->res.msg, "cancelled", sizeof(run->res.msg));
		return CHIP_START_SKIP;
	}
	if (run->nstores && !run->snap) {
		old = set_active_memcg(run->memcg);
		if (nowait)
			run->snap = kmalloc(run->snap_size, GFP_NOWAIT |
					    __GFP_ACCOUNT | __GFP_NOWARN);
		else
			run->snap = kvmalloc(run->snap_size,
					     GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		set_active_memcg(old);
		if (!run->snap && nowait)
			return CHIP_START_BLOCK;
		if (!run->snap) {
			run->res.status = CHIP_STATUS_FAULT;
			run->res.code = CHIP_FAULT_READ;
			run->res.fault_addr = run->stores[0].va;
			strscpy(run->res.msg, "no memory for the store snapshot",
				sizeof(run->res.msg));
			return CHIP_START_SKIP;
		}
	}
	run->view = nowait ? chip_vm_tryget(f) : chip_vm_get(f);
	if (!run->view)
		return CHIP_START_BLOCK;
	job->req = (struct chipc_run_req) {
		.code = run->code,
		.args = &run->args,
		.graph = run->has_graph ? &run->graph : NULL,
		.block_dim = run->block_dim,
		.aicpu_threads = run->aicpu_threads,
		.timeout_ns = run->timeout_ns,
		.insn_budget = run->insn_budget,
		.vm = &run->view->vm,
		.heap_va = CHIP_HEAP_VA,
		.heap_size = chip_params.heap_size,
		.heap_host = f->heap,
		.abort = &run->abort,
		.spans = run->spans,
		.span_cap = run->timeline_count,
	};
	job->loads = run->loads;
	job->load_data = run->load_data;
	job->nloads = run->nloads;
	job->stores = run->stores;
	job->nstores = run->nstores;
	job->snap = run->snap;
	memset(&job->res, 0, sizeof(job->res));
	return CHIP_START_GO;
}

/* The device has given @run back (@executed) or it never went there. */
static void chip_run_finish(struct chip_run *run, bool executed)
{
	if (executed) {
		run->res = run->job.res;
		/* What chip_run_inline() predicts the next run from. */
		if (run->res.status != CHIP_STATUS_CANCELLED &&
		    run->res.status != CHIP_STATUS_TIMEOUT)
			WRITE_ONCE(run->code->last_run_ns,
				   run->res.device_ns + 1);
		chip_vm_put(run->view);
		run->view = NULL;
	}
	if (run->res.status != CHIP_STATUS_OK && run->snap) {
		kvfree(run->snap);
		run->snap = NULL;
	}
	chip_run_free_blobs(run);
	if (!run->snap && run->snap_size)
		chip_run_unreserve(run, run->snap_size);
}

/* Order of a file's wait_tree: by seq. */
static bool chip_run_seq_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct chip_run, wnode)->seq <
	       rb_entry(b, struct chip_run, wnode)->seq;
}

static int chip_run_seq_cmp(const void *key, const struct rb_node *node)
{
	u64 seq = *(const u64 *)key;
	u64 other = rb_entry(node, struct chip_run, wnode)->seq;

	return seq < other ? -1 : seq > other;
}

/*
 * @run has become DONE: if WAIT may take it, it joins its file's @done,
 * which stays in seq order (a file's runs complete in seq order, one
 * device executing each file's queue in order; cancelled ones follow
 * the running one).
 */
static void chip_run_done_locked(struct chip_run *run)
{
	struct chip_file *f = run->file;
	struct chip_run *prev;

	lockdep_assert_held(&f->cdev->run_lock);
	if (RB_EMPTY_NODE(&run->wnode))
		return;
	list_for_each_entry_reverse(prev, &f->done, dnode)
		if (prev->seq < run->seq)
			break;
	list_add(&run->dnode, &prev->dnode);
}

static void chip_pump(struct chip_device *cdev, bool nowait);
static void chip_pump_from(struct chip_device *cdev, struct chip_run *run,
			   bool nowait);
static struct chip_run *chip_pick_locked(struct chip_device *cdev, u64 now);

/*
 * @run has executed: account it, give the device back and wake whoever
 * waits for that.  Returns true if the caller is to complete its io_uring
 * command; an ioctl run may be consumed and freed as soon as this returns.
 */
static bool chip_run_retire(struct chip_device *cdev, struct chip_run *run,
			    bool inl, bool pump)
{
	struct chip_file *f = run->file;
	struct chip_run *next = NULL;
	bool uring, more, drop;
	u64 now;

	chip_run_put_code(run);
	chip_run_signal(run);
	/*
	 * DRM_CHIP_RUN_NO_RESULT: nothing is retained past this point.
	 * Released now, while the run still keeps its file from closing
	 * (chip_file_cancel() waits for it); its memory goes back under the
	 * lock below, the last the retirement does with the file.
	 */
	drop = run->no_result && !run->ucmd;
	if (drop)
		chip_run_release(run);
	/* Outside the lock: the retirement's and the next run's start. */
	now = ktime_get_ns();
	spin_lock(&cdev->run_lock);
	if (run->res.status < CHIP_STATUS_COUNT)
		f->runs_by_status[run->res.status]++;
	chip_run_retired(run, now);
	if (inl)
		f->inline_runs++;
	run->state = CHIP_RUN_DONE;
	chip_run_done_locked(run);
	cdev->running = NULL;
	uring = run->ucmd && chip_uring_claim(run);
	if (drop) {
		list_del_init(&run->fnode);
		chip_run_recycle(run);
		atomic64_dec(&cdev->runs);
	}
	/* The next run, chosen under the same lock (see chip_pump()). */
	if (pump && !cdev->deferred)
		next = chip_pick_locked(cdev, now);
	more = pump && cdev->deferred;
	/*
	 * Waiters of this file only: WAIT and chip_file_cancel(); pairs
	 * with the barrier in their prepare_to_wait().  Once the lock is
	 * dropped the file may close (nothing of it runs now) and the run
	 * be consumed; the file's memory outlives this RCU read section
	 * (chip_postclose()).
	 */
	rcu_read_lock();
	spin_unlock(&cdev->run_lock);
	if (wq_has_sleeper(&f->done_wq))
		wake_up_all(&f->done_wq);
	rcu_read_unlock();
	if (next)
		chip_pump_from(cdev, next, false);
	else if (more)
		chip_pump(cdev, false);
	return uring;
}

/* Stop the running @run: the device polls its abort flag. */
static void chip_run_abort_locked(struct chip_device *cdev,
				  struct chip_run *run)
{
	lockdep_assert_held(&cdev->run_lock);
	WRITE_ONCE(run->abort, 1);
	chip_hw_cancel(cdev->hw, &run->job);
}

/*
 * While a run executes in its submitter (inline): stop it once that task
 * has a fatal signal.  While a run submitted through io_uring executes
 * on a kernel without cancelable commands: stop it once its submitter is
 * exiting (see chip_uring_watch_owner()).  Polls every few milliseconds.
 */
#define CHIP_OWNER_WATCH_MS	5

static void chip_owner_watch_fn(struct work_struct *work)
{
	struct chip_device *cdev = container_of(to_delayed_work(work),
						struct chip_device,
						owner_watch);
	struct chip_run *run;
	bool again = false;

	spin_lock(&cdev->run_lock);
	run = cdev->running;
	if (run && run->inline_task) {
		/* The submitter executes it and cannot poll: do it here. */
		if (fatal_signal_pending(run->inline_task))
			chip_run_abort_locked(cdev, run);
		else
			again = true;
	} else if (run && chip_uring_watch_owner(run)) {
		if (chip_uring_owner_gone(run))
			chip_run_abort_locked(cdev, run);
		else
			again = true;
	}
	spin_unlock(&cdev->run_lock);
	if (again)
		schedule_delayed_work(&cdev->owner_watch,
				      msecs_to_jiffies(CHIP_OWNER_WATCH_MS));
}

/* @run is about to execute: cancel it or watch its owner. */
static void chip_owner_watch_start(struct chip_device *cdev,
				   struct chip_run *run)
{
	if (chip_uring_owner_gone(run))
		WRITE_ONCE(run->abort, 1);	/* queued by a dead task */
	else
		schedule_delayed_work(&cdev->owner_watch,
				      msecs_to_jiffies(CHIP_OWNER_WATCH_MS));
}

/* Is the head of the queue of @f free to start (its in-fences signalled)? */
static bool chip_head_ready_locked(struct chip_file *f)
{
	struct chip_run *head;

	lockdep_assert_held(&f->cdev->run_lock);
	head = list_first_entry(&f->queue, struct chip_run, qnode);
	return !atomic_read(&head->deps_left);
}

/* Take @run off its file's queue. */
void chip_run_dequeue_locked(struct chip_run *run)
{
	struct chip_file *f = run->file;

	lockdep_assert_held(&f->cdev->run_lock);
	list_del_init(&run->qnode);
	if (list_empty(&f->queue))
		list_del_init(&f->rr_node);
}

/*
 * The next run to start, taken off its queue and made the device's, or
 * NULL: the head of the file served longest ago among those whose head
 * may start, if the device is free.  @now: its start time, see
 * chip_run_started().
 */
static struct chip_run *chip_pick_locked(struct chip_device *cdev, u64 now)
{
	struct chip_file *f, *best = NULL;
	struct chip_run *run;

	lockdep_assert_held(&cdev->run_lock);
	if (cdev->running)
		return NULL;
	list_for_each_entry(f, &cdev->active, rr_node)
		if (chip_head_ready_locked(f) &&
		    (!best || f->served < best->served))
			best = f;
	if (!best)
		return NULL;
	best->served = ++cdev->rr_gen;
	run = list_first_entry(&best->queue, struct chip_run, qnode);
	chip_run_dequeue_locked(run);
	run->state = CHIP_RUN_RUNNING;
	cdev->running = run;
	chip_run_started(run, now);
	return run;
}

/*
 * Give the device its next run, if it is free and a run may start.
 * Called wherever that may have changed: after a submission, a
 * retirement (the device's completion) and, from @pump_work, when an
 * in-fence signals.  A run that is not to execute (cancelled, failed
 * in-fence) retires at once and the next is taken.  With @nowait (an
 * io_uring issue that may not block) a run whose start would block is
 * left to @pump_work as @deferred; it stays the device's meanwhile.
 */
static void chip_pump(struct chip_device *cdev, bool nowait)
{
	chip_pump_from(cdev, NULL, nowait);
}

/*
 * chip_pump(), starting with @run when the caller has already made it
 * the device's (chip_pick_locked() under the run_lock it held anyway:
 * after a submission or a retirement, one lock round trip fewer).
 */
static void chip_pump_from(struct chip_device *cdev, struct chip_run *run,
			   bool nowait)
{
	int ret;

	for (;; run = NULL) {
		if (!run) {
			spin_lock(&cdev->run_lock);
			run = cdev->deferred;
			if (run && !nowait)
				cdev->deferred = NULL;
			else if (!run)
				run = chip_pick_locked(cdev, 0);
			else
				run = NULL;	/* the work item starts it */
			spin_unlock(&cdev->run_lock);
			if (!run)
				return;
		}
		if (chip_uring_watch_owner(run))
			chip_owner_watch_start(cdev, run);
		switch (chip_run_start(run, nowait)) {
		case CHIP_START_BLOCK:
			spin_lock(&cdev->run_lock);
			cdev->deferred = run;
			spin_unlock(&cdev->run_lock);
			queue_work(system_wq, &cdev->pump_work);
			return;
		case CHIP_START_GO:
			ret = chip_hw_submit(cdev->hw, &run->job);
			if (!ret)
				return;	/* the device has it; see chip_run_done() */
			run->job.res.status = CHIP_STATUS_DEVICE_LOST;
			snprintf(run->job.res.msg, sizeof(run->job.res.msg),
				 "device refused the job (%d)", ret);
			chip_run_finish(run, true);
			break;
		case CHIP_START_SKIP:
			chip_run_finish(run, false);
			break;
		}
		if (chip_run_retire(cdev, run, false, false))
			chip_uring_complete(run);
	}
}

static void chip_pump_fn(struct work_struct *work)
{
	chip_pump(container_of(work, struct chip_device, pump_work), false);
}

/*
 * The device's completion of a job (chip_hw.h), in process context (the
 * device's thread, or the job timeout's work): the analogue of the
 * threaded half of an interrupt handler.
 */
static void chip_run_done(struct chip_hw *hw, struct chip_hw_job *job)
{
	struct chip_run *run = container_of(job, struct chip_run, job);
	struct chip_device *cdev = run->file->cdev;

	if (run->inline_task) {
		struct chip_file *f = run->file;

		/*
		 * Once the flag is set the submitter may return and its file
		 * close; the file's memory outlives this RCU read section
		 * (chip_postclose()).
		 */
		rcu_read_lock();
		/*
		 * A submitter waits for it (a device without run_inline):
		 * the result before the flag.
		 */
		smp_store_release(&run->hw_done, true);
		wake_up_all(&f->done_wq);
		rcu_read_unlock();
		return;
	}
	chip_run_finish(run, true);
	if (chip_run_retire(cdev, run, false, true))
		chip_uring_complete(run);
}

static bool chip_run_hw_done(struct chip_run *run)
{
	/* Pairs with the release in chip_run_done(): the result is in. */
	return smp_load_acquire(&run->hw_done);
}

/*
 * Execute @run in its submitter (chip_run_inline()): the device's
 * run_inline when it has one, else through the device, waiting.
 */
static void chip_run_execute_inline(struct chip_device *cdev,
				    struct chip_run *run)
{
	struct chip_hw *hw = cdev->hw;

	if (chip_run_start(run, false) != CHIP_START_GO) {
		chip_run_finish(run, false);
		return;
	}
	if (hw->ops->run_inline) {
		hw->ops->run_inline(hw, &run->job);
	} else {
		run->hw_done = false;
		if (chip_hw_submit(hw, &run->job)) {
			run->job.res.status = CHIP_STATUS_DEVICE_LOST;
			strscpy(run->job.res.msg, "device refused the job",
				sizeof(run->job.res.msg));
		} else {
			wait_event(run->file->done_wq, chip_run_hw_done(run));
		}
	}
	chip_run_finish(run, true);
}

int chip_worker_start(struct chip_device *cdev)
{
	struct chip_hw *hw;

	INIT_DELAYED_WORK(&cdev->owner_watch, chip_owner_watch_fn);
	INIT_WORK(&cdev->pump_work, chip_pump_fn);
	hw = chip_emu_create(&cdev->core, cdev->index, chip_params.poll_ns,
			     chip_run_done);
	if (IS_ERR(hw))
		return PTR_ERR(hw);
	cdev->hw = hw;
	return 0;
}

/* No file is open, so the queues are empty and nothing runs. */
void chip_worker_stop(struct chip_device *cdev)
{
	if (!cdev->hw)
		return;
	cancel_work_sync(&cdev->pump_work);
	cancel_delayed_work_sync(&cdev->owner_watch);
	chip_hw_fini(cdev->hw);
	cdev->hw->ops->destroy(cdev->hw);
	cdev->hw = NULL;
}

static bool chip_file_running(struct chip_device *cdev, struct chip_file *f)
{
	bool ret;

	spin_lock(&cdev->run_lock);
	ret = cdev->running && cdev->running->file == f;
	spin_unlock(&cdev->run_lock);
	return ret;
}

/*
 * Cancel the queued runs of @f (also those waiting for in-fences) and
 * stop its running one; returns when none of its runs executes (it never
 * waits for another file's run or for an in-fence).  Cancelled runs
 * complete as CHIP_STATUS_CANCELLED, their fences signal with
 * -ECANCELED after the running one's, and they stay for wait to consume
 * (DRM_CHIP_RUN_NO_RESULT runs are freed).
 */
u64 chip_file_cancel(struct chip_file *f)
{
	struct chip_device *cdev = f->cdev;
	struct chip_run *run, *tmp;
	LIST_HEAD(cancelled);
	LIST_HEAD(dropped);
	u64 n = 0;

	spin_lock(&cdev->run_lock);
	list_splice_init(&f->queue, &cancelled);
	list_del_init(&f->rr_node);
	list_for_each_entry(run, &cancelled, qnode) {
		if (run->ucmd)
			chip_uring_claim(run);	/* queued: never claimed */
		run->res.status = CHIP_STATUS_CANCELLED;
		strscpy(run->res.msg, "cancelled", sizeof(run->res.msg));
		f->runs_by_status[CHIP_STATUS_CANCELLED]++;
		trace_chip_run_retire(run);
		n++;
	}
	if (cdev->running && cdev->running->file == f)
		chip_run_abort_locked(cdev, cdev->running);
	spin_unlock(&cdev->run_lock);

	wait_event(f->done_wq, !chip_file_running(cdev, f));

	list_for_each_entry_safe(run, tmp, &cancelled, qnode) {
		chip_run_detach_deps(run);
		chip_run_put_code(run);
		chip_run_free_blobs(run);
		if (run->snap_size)
			chip_run_unreserve(run, run->snap_size);
		chip_run_signal(run);
		spin_lock(&cdev->run_lock);
		list_del_init(&run->qnode);
		run->state = CHIP_RUN_DONE;
		chip_run_done_locked(run);
		if (run->no_result && !run->ucmd)
			list_move_tail(&run->fnode, &dropped);
		spin_unlock(&cdev->run_lock);
		if (run->ucmd)
			chip_uring_complete(run);
	}
	list_for_each_entry_safe(run, tmp, &dropped, fnode) {
		list_del_init(&run->fnode);
		chip_run_free(run);
		atomic64_dec(&cdev->runs);
	}
	wake_up_all(&f->done_wq);
	return n;
}

/* Free every run of @f; none is queued or running. */
void chip_file_release_runs(struct chip_file *f)
{
	struct chip_device *cdev = f->cdev;
	struct chip_run *run, *tmp;
	LIST_HEAD(dead);

	spin_lock(&cdev->run_lock);
	list_splice_init(&f->runs, &dead);
	f->wait_tree = RB_ROOT;
	INIT_LIST_HEAD(&f->done);
	f->nruns = 0;
	spin_unlock(&cdev->run_lock);
	list_for_each_entry_safe(run, tmp, &dead, fnode) {
		WARN_ON(run->state != CHIP_RUN_DONE);
		list_del(&run->fnode);
		chip_run_put_code(run);
		chip_run_free(run);
		atomic64_dec(&cdev->runs);
	}
}

/*
 * A user copy of the submission path; with @nowait (an io_uring issue
 * that may not block) without taking a page fault: -EAGAIN.
 */
static int chip_copy_in(void *dst, u64 uptr, u64 size, bool nowait)
{
	if (!size)
		return 0;
	if (nowait)
		return copy_from_user_nofault(dst, u64_to_user_ptr(uptr),
					      size) ? -EAGAIN : 0;
	return copy_from_user(dst, u64_to_user_ptr(uptr), size) ? -EFAULT : 0;
}

/*
 * Copy @size bytes from user pointer @uptr into @small when they fit in
 * its @small_size bytes, else into a new allocation.  Return: the copy;
 * ERR_PTR(-ENOMEM) (with @nowait -EAGAIN) or the copy's error.
 */
static void *chip_copy_blob(u64 uptr, u64 size, void *small, u64 small_size,
			    bool nowait)
{
	void *p = small;
	int ret;

	if (size > small_size) {
		p = kvmalloc(size, (nowait ? GFP_NOWAIT : GFP_KERNEL) |
			     __GFP_ACCOUNT);
		if (!p)
			return ERR_PTR(nowait ? -EAGAIN : -ENOMEM);
	}
	ret = chip_copy_in(p, uptr, size, nowait);
	if (ret) {
		if (p != small)
			kvfree(p);
		return ERR_PTR(ret);
	}
	return p;
}

/*
 * Look the request's in-fences up (there are some): a function of its
 * own for the copy of the array, which the kernel's stack initialisation
 * would otherwise clear for every run.
 */
static int chip_run_find_in_syncs(struct chip_run *run,
				  const struct drm_chip_run *args, bool nowait)
{
	struct drm_chip_sync in[DRM_CHIP_MAX_IN_SYNCS];
	struct drm_file *file = run->file->drm;
	u32 i, n = args->in_sync_count;
	int ret;

	ret = chip_copy_in(in, args->in_syncs_ptr, n * sizeof(in[0]), nowait);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		struct chip_run_dep *dep = &run->deps[i];

		if (in[i].flags || !in[i].handle)
			return -EINVAL;
		ret = drm_syncobj_find_fence(file, in[i].handle, in[i].point,
					     0, &dep->fence);
		if (ret)
			return ret;
		INIT_LIST_HEAD(&dep->cb.node);
		dep->run = run;
		run->ndeps++;
	}
	return 0;
}

/*
 * The syncs of a request: its in-fences, each looked up now (a point with
 * no fence yet: -EINVAL) and watched from now on, and the syncobj (and,
 * for a timeline point, the chain link) that will publish its fence.
 *
 * The run's fence is made only for an out-syncobj, the one place where
 * anything outside the driver can get it; the driver's own waits (WAIT,
 * the io_uring completion) do not use it.  Its seqno is the run's seq:
 * the fences of a file's context still come in seq order, with gaps.
 */
static int chip_run_prepare_syncs(struct chip_run *run,
				  const struct drm_chip_run *args, bool nowait)
{
	struct drm_file *file = run->file->drm;
	gfp_t gfp = nowait ? GFP_NOWAIT : GFP_KERNEL;
	struct chip_fence *cf;
	u32 i;
	int ret;

	if (args->in_sync_count) {
		ret = chip_run_find_in_syncs(run, args, nowait);
		if (ret)
			return ret;
	}

	if (args->out_sync.handle) {
		run->out_syncobj = drm_syncobj_find(file, args->out_sync.handle);
		if (!run->out_syncobj)
			return -ENOENT;
		run->out_point = args->out_sync.point;
		if (run->out_point) {
			run->out_chain = kmalloc(sizeof(*run->out_chain),
						 gfp | __GFP_ACCOUNT);
			if (!run->out_chain)
				return nowait ? -EAGAIN : -ENOMEM;
		}
		cf = kzalloc(sizeof(*cf), gfp | __GFP_ACCOUNT);
		if (!cf)
			return nowait ? -EAGAIN : -ENOMEM;
		spin_lock_init(&cf->lock);
		/* The seqno is set before anyone sees the fence. */
		dma_fence_init(&cf->base, &chip_fence_ops, &cf->lock,
			       run->file->fence_ctx, 0);
		run->fence = &cf->base;
	}

	/* Watch the in-fences; the submitter holds the last count. */
	atomic_set(&run->deps_left, run->ndeps + 1);
	for (i = 0; i < run->ndeps; i++) {
		struct chip_run_dep *dep = &run->deps[i];

		ret = dma_fence_add_callback(dep->fence, &dep->cb,
					     chip_run_dep_cb);
		if (ret) {	/* already signalled */
			ret = chip_dep_error(dep->fence);
			if (ret)
				WRITE_ONCE(run->dep_error, ret);
			atomic_dec(&run->deps_left);
		}
	}
	return 0;
}

/*
 * The request's own fields, before anything is copied or allocated:
 * flags, padding, pointers that go with their counts.  Return: 0,
 * -EINVAL or -E2BIG.
 */
static int chip_run_args_check(const struct drm_chip_run *args)
{
	if (args->flags & ~DRM_CHIP_RUN_FLAGS || args->pad || args->seq ||
	    args->pad2 || args->pad3 || args->out_sync.flags ||
	    (!args->out_sync.handle && args->out_sync.point) || args->pad4)
		return -EINVAL;
	/* A timeline: a buffer and its capacity, both or neither. */
	if (!args->timeline_ptr != !args->timeline_count)
		return -EINVAL;
	if ((!args->graph_size && args->graph_ptr) ||
	    (!args->load_count && args->loads_ptr) ||
	    (!args->in_sync_count && args->in_syncs_ptr))
		return -EINVAL;
	if ((args->flags & DRM_CHIP_RUN_NO_RESULT) &&
	    (args->store_count || args->timeline_count))
		return -EINVAL;
	if (args->in_sync_count > DRM_CHIP_MAX_IN_SYNCS)
		return -E2BIG;
	return 0;
}

/*
 * Copy the request's store and load lists into @run and check each
 * range (the core's checks), summing the snapshot's and the load's bytes.
 */
static int chip_run_copy_ranges(struct chip_run *run,
				const struct drm_chip_run *args,
				const struct chipc_request_limits *lim,
				bool nowait, u64 *snap, u64 *load)
{
	int ret;
	u32 i;

	ret = chip_copy_in(run->stores, args->stores_ptr,
			   run->nstores * sizeof(run->stores[0]), nowait);
	for (i = 0; !ret && i < run->nstores; i++)
		ret = chipc_request_check_store(lim, run->stores[i].va,
						run->stores[i].user_ptr,
						run->stores[i].size, snap);
	if (ret)
		return ret;
	ret = chip_copy_in(run->loads, args->loads_ptr,
			   run->nloads * sizeof(run->loads[0]), nowait);
	for (i = 0; !ret && i < run->nloads; i++)
		ret = chipc_request_check_load(lim, run->loads[i].va,
					       run->loads[i].user_ptr,
					       run->loads[i].size, load);
	return ret;
}

/* Read the load bytes (@load of them) from the submitter's memory now. */
static int chip_run_copy_loads(struct chip_run *run, u64 load, gfp_t gfp,
			       bool nowait)
{
	u64 off = 0;
	int ret;
	u32 i;

	run->load_data = kvmalloc(load, gfp | __GFP_ACCOUNT | __GFP_NOWARN);
	if (!run->load_data)
		return nowait ? -EAGAIN : -ENOMEM;
	run->load_size = load;
	for (i = 0; i < run->nloads; i++) {
		ret = chip_copy_in(run->load_data + off, run->loads[i].user_ptr,
				   run->loads[i].size, nowait);
		if (ret)
			return ret;
		off += run->loads[i].size;
	}
	return 0;
}

/*
 * Copy and parse the argument blob and, if there is one, the graph blob.
 * A blob that fails to copy is never left in @run (chip_copy_blob()).
 */
static int chip_run_copy_blobs(struct chip_run *run,
			       const struct drm_chip_run *args, bool nowait)
{
	void *blob;
	int ret;

	run->args_size = args->args_size;
	blob = chip_copy_blob(args->args_ptr, args->args_size, run->args_small,
			      sizeof(run->args_small), nowait);
	if (IS_ERR(blob))
		return PTR_ERR(blob);
	run->args_blob = blob;
	ret = chipc_args_parse(blob, args->args_size, &run->args);
	if (ret || !args->graph_size)
		return ret;
	run->graph_size = args->graph_size;
	blob = chip_copy_blob(args->graph_ptr, args->graph_size, NULL, 0,
			      nowait);
	if (IS_ERR(blob))
		return PTR_ERR(blob);
	run->graph_blob = blob;
	ret = chipc_graph_parse(blob, args->graph_size, &run->graph);
	if (ret)
		return ret;
	run->has_graph = true;
	return 0;
}

/*
 * Build a run from a request: copy and validate everything it carries.
 * Shared by every submission path; with @nowait, -EAGAIN instead of
 * blocking.  Return: the run, or ERR_PTR() of the first check that
 * failed, in the order below (the order of every backend's checks).
 */
static struct chip_run *chip_run_prepare(struct chip_file *f,
					 const struct drm_chip_run *args,
					 bool nowait)
{
	const struct chipc_request_limits lim = {
		.max_timeout_ns = chip_params.max_timeout_ns,
		.max_store_bytes = chip_params.max_store_bytes,
	};
	const struct chipc_request rq = {
		.args_size = args->args_size,
		.graph_size = args->graph_size,
		.nstores = args->store_count,
		.nloads = args->load_count,
		.timeout_ns = args->timeout_ns,
		.span_cap = args->timeline_count,
	};
	gfp_t gfp = nowait ? GFP_NOWAIT : GFP_KERNEL;
	struct chip_run *run;
	u64 snap = 0, load = 0;
	int ret;

	ret = chip_run_args_check(args);
	if (ret)
		return ERR_PTR(ret);
	/* The core's checks, in the order every backend makes them. */
	ret = chipc_request_check(&lim, &rq);
	if (ret)
		return ERR_PTR(ret);

	run = chip_run_alloc(f, gfp);
	if (!run)
		return ERR_PTR(nowait ? -EAGAIN : -ENOMEM);
	memset(run, 0, offsetof(struct chip_run, job));
	INIT_LIST_HEAD(&run->qnode);
	INIT_LIST_HEAD(&run->fnode);
	RB_CLEAR_NODE(&run->wnode);
	INIT_LIST_HEAD(&run->dnode);
	/* Empty whenever the device does not hold the job. */
	INIT_LIST_HEAD(&run->job.node);
	INIT_LIST_HEAD(&run->job.dev_node);
	run->file = f;
	run->block_dim = args->block_dim;
	run->aicpu_threads = args->aicpu_threads;
	run->timeout_ns = args->timeout_ns;
	run->insn_budget = args->insn_budget;
	run->inline_ok = args->flags & DRM_CHIP_RUN_INLINE;
	run->no_result = args->flags & DRM_CHIP_RUN_NO_RESULT;
	run->nstores = args->store_count;
	run->nloads = args->load_count;

	ret = chip_run_copy_ranges(run, args, &lim, nowait, &snap, &load);
	if (ret)
		goto err;
	/* The snapshot itself is allocated when the run completes. */
	run->snap_size = snap;
	ret = chip_run_reserve(run, chip_run_cost(args, snap, load));
	if (ret)
		goto err;
	/* What the store snapshot is charged to, when it is allocated. */
	if (snap)
		run->memcg = get_mem_cgroup_from_mm(current->mm);

	/* The timeline the core records into, counted in the cost above. */
	if (args->timeline_count) {
		run->spans = kvmalloc_array(args->timeline_count,
					    sizeof(*run->spans),
					    gfp | __GFP_ACCOUNT | __GFP_NOWARN);
		if (!run->spans) {
			ret = nowait ? -EAGAIN : -ENOMEM;
			goto err;
		}
		run->timeline_ptr = args->timeline_ptr;
		run->timeline_count = args->timeline_count;
	}
	if (load) {
		ret = chip_run_copy_loads(run, load, gfp, nowait);
		if (ret)
			goto err;
	}
	ret = chip_run_copy_blobs(run, args, nowait);
	if (ret)
		goto err;
	ret = chip_run_prepare_syncs(run, args, nowait);
	if (ret)
		goto err;
	return run;

err:
	chip_run_free(run);
	return ERR_PTR(ret);
}

/* Check the store, then the load ranges against the file's mappings now. */
static int chip_run_check_stores(struct chip_file *f, struct chip_run *run,
				 bool nowait)
{
	int ret = 0;
	u32 i;

	if (!run->nstores && !run->nloads)
		return 0;
	if (!nowait)
		down_read(&f->vm_sem);
	else if (!down_read_trylock(&f->vm_sem))
		return -EAGAIN;
	for (i = 0; !ret && i < run->nstores; i++)
		ret = chipc_request_check_mapped(&f->vm->vm, run->stores[i].va,
						 run->stores[i].size);
	for (i = 0; !ret && i < run->nloads; i++)
		ret = chipc_request_check_mapped_load(&f->vm->vm,
						      run->loads[i].va,
						      run->loads[i].size);
	up_read(&f->vm_sem);
	return ret;
}

/*
 * Execute @run in the submitting task instead of handing it to the
 * device?  Only for a caller that waits for it at once
 * (DRM_CHIP_RUN_INLINE), and only when that cannot delay anyone and is
 * cheap: the device is idle with nothing queued (so FIFO order holds),
 * and the callable's latest run took at most inline_us.  Waking the
 * device's thread and then the waiting submitter costs more than a short
 * run itself; a long run still goes to the device, where it can be
 * cancelled like any other.  Runs submitted without the flag (batches)
 * go to the device, which executes them while the submitter prepares
 * the next ones.  run_lock held.
 */
static bool chip_run_inline(struct chip_device *cdev, struct chip_run *run,
			    const struct chipc_code *code)
{
	u64 last = READ_ONCE(code->last_run_ns);

	return run->inline_ok && !run->ndeps && last &&
	       last - 1 <= chip_params.inline_ns &&
	       !cdev->running && list_empty(&cdev->active);
}

/*
 * Validate @args and queue the run: the one submission path of the RUN
 * ioctl and of DRM_CHIP_URING_RUN.  With @ucmd the run completes through
 * io_uring (chip_uring.c) instead of WAIT.  Returns the run's seq in
 * *@seq and 0 when the run is queued, 1 when it has already executed
 * (chip_run_inline(); the caller completes an io_uring command itself),
 * or -errno with nothing queued: -EAGAIN for an io_uring issue that may
 * not block (chip_uring_nowait()) where it would block, or where the run
 * would execute inline.
 */
int chip_run_submit(struct chip_file *f, const struct drm_chip_run *args,
		    struct io_uring_cmd *ucmd, unsigned int issue_flags,
		    u64 *seq)
{
	struct chip_device *cdev = f->cdev;
	const struct chipc_cid *slot;
	struct chipc_run_req req = { 0 };
	bool nowait = chip_uring_nowait(ucmd, issue_flags);
	struct drm_syncobj *out_syncobj;
	struct dma_fence_chain *out_chain;
	struct dma_fence *fence;
	struct chip_run *run, *next;
	u64 out_point, now;
	bool inl;
	int ret;

	run = chip_run_prepare(f, args, nowait);
	if (IS_ERR(run))
		return PTR_ERR(run);
	ret = chip_run_check_stores(f, run, nowait);
	if (ret)
		goto err_free;

	if (!nowait) {
		mutex_lock(&f->lock);
	} else if (!mutex_trylock(&f->lock)) {
		ret = -EAGAIN;
		goto err_free;
	}
	if (!f->heap) {
		ret = -EAGAIN;	/* the file's first run allocates its heap */
		if (nowait)
			goto err_unlock;
		ret = chip_gm_charge(cdev, chip_params.heap_size);
		if (ret)
			goto err_unlock;
		f->heap = vzalloc(chip_params.heap_size ? : PAGE_SIZE);
		if (!f->heap) {
			chip_gm_uncharge(cdev, chip_params.heap_size);
			ret = -ENOMEM;
			goto err_unlock;
		}
	}
	slot = chipc_registry_get(&f->reg, args->cid);
	if (!slot) {
		ret = -ENOENT;
		goto err_unlock;
	}
	req.code = slot->code;
	req.args = &run->args;
	req.graph = run->has_graph ? &run->graph : NULL;
	req.block_dim = run->block_dim;
	req.aicpu_threads = run->aicpu_threads;
	req.timeout_ns = run->timeout_ns;
	req.insn_budget = run->insn_budget;
	req.vm = &READ_ONCE(f->vm)->vm;	/* checked, not used */
	req.heap_va = CHIP_HEAP_VA;
	req.heap_size = chip_params.heap_size;
	req.heap_host = f->heap;
	ret = chipc_run_check(&cdev->core, &req);
	if (ret)
		goto err_unlock;

	/*
	 * Reserve a place and maybe the device while the registration holds
	 * the callable (f->lock): the run's own reference needs no table
	 * lock then, and a failure has nothing to undo.
	 */
	spin_lock(&cdev->run_lock);
	if (!run->no_result && f->nruns >= chip_params.max_runs) {
		spin_unlock(&cdev->run_lock);
		ret = -EBUSY;
		goto err_unlock;
	}
	inl = chip_run_inline(cdev, run, slot->code);
	if (inl && nowait) {
		/* Executing it would block: io-wq issues it again. */
		spin_unlock(&cdev->run_lock);
		ret = -EAGAIN;
		goto err_unlock;
	}
	if (!run->no_result)
		f->nruns++;
	if (inl) {
		run->state = CHIP_RUN_RUNNING;
		run->inline_task = current;
		cdev->running = run;
		chip_run_started(run, 0);
	}
	spin_unlock(&cdev->run_lock);
	chip_file_table(f, &run->table, &run->table_lock);
	chipc_dedup_ref(slot->code);
	run->code = slot->code;
	mutex_unlock(&f->lock);

	/* Bind the command, then make the run visible. */
	if (ucmd)
		chip_uring_bind(run, ucmd, issue_flags, !inl);
	/* Once visible, the run may retire and be freed at any time. */
	fence = dma_fence_get(run->fence);	/* NULL without out_sync */
	out_syncobj = run->out_syncobj;
	out_chain = run->out_chain;
	out_point = run->out_point;
	run->out_syncobj = NULL;
	run->out_chain = NULL;

	/* The start time of a run picked below, read outside the lock. */
	now = inl || READ_ONCE(cdev->running) ? 0 : ktime_get_ns();
	spin_lock(&cdev->run_lock);
	run->seq = ++f->next_seq;
	if (fence)
		fence->seqno = run->seq;
	run->res.status = CHIP_STATUS_INVALID;
	list_add_tail(&run->fnode, &f->runs);
	if (!run->ucmd && !run->no_result)
		rb_add(&run->wnode, &f->wait_tree, chip_run_seq_less);
	if (!inl) {
		run->state = CHIP_RUN_QUEUED;
		if (list_empty(&f->queue))
			list_add_tail(&f->rr_node, &cdev->active);
		list_add_tail(&run->qnode, &f->queue);
	}
	/* The submitter's count: the run may start once the fences have. */
	atomic_dec(&run->deps_left);
	*seq = run->seq;
	trace_chip_run_submit(run);
	/*
	 * An idle device's next run, chosen now (see chip_pump()); a busy
	 * device takes it when the running one retires.
	 */
	next = !inl && !cdev->running ? chip_pick_locked(cdev, now) : NULL;
	spin_unlock(&cdev->run_lock);
	atomic64_inc(&cdev->runs);

	/* Publish the fence (it may have signalled already). */
	if (out_syncobj) {
		if (out_chain)
			drm_syncobj_add_point(out_syncobj, out_chain, fence,
					      out_point);
		else
			drm_syncobj_replace_fence(out_syncobj, fence);
		drm_syncobj_put(out_syncobj);
	}
	dma_fence_put(fence);

	if (!inl) {
		if (next)
			chip_pump_from(cdev, next, nowait);
		return 0;
	}

	/* A fatal signal of the submitter stops the run: see the watch. */
	if (fatal_signal_pending(current))
		WRITE_ONCE(run->abort, 1);
	else
		schedule_delayed_work(&cdev->owner_watch,
				      msecs_to_jiffies(CHIP_OWNER_WATCH_MS));
	chip_run_execute_inline(cdev, run);
	chip_run_retire(cdev, run, true, true);
	return 1;

err_unlock:
	mutex_unlock(&f->lock);
err_free:
	chip_run_free(run);
	return ret;
}

int chip_run_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_chip_run *args = data;
	u64 seq;
	int ret;

	ret = chip_run_submit(chip_file_of(file), args, NULL, 0, &seq);
	if (ret < 0)
		return ret;
	args->seq = seq;
	return 0;
}

/* Remove a completed run from its file and free it. */
void chip_run_unlink_free(struct chip_run *run)
{
	struct chip_file *f = run->file;
	struct chip_device *cdev = f->cdev;

	spin_lock(&cdev->run_lock);
	list_del_init(&run->fnode);
	if (!run->no_result)
		f->nruns--;
	spin_unlock(&cdev->run_lock);
	chip_run_put_code(run);
	chip_run_free(run);
	atomic64_dec(&cdev->runs);
}

/*
 * Find the run @seq of @f (0: the oldest completed).  Returns 1 and the
 * run unlinked in *@out when it is complete, 0 while it is pending,
 * -ENOENT if there is no such run.  A lookup in the file's tree of the
 * runs WAIT may take, never a walk: WAIT is called again at each of the
 * file's retirements, under the device's lock.
 */
static int chip_run_take(struct chip_file *f, u64 seq, struct chip_run **out)
{
	struct chip_device *cdev = f->cdev;
	struct chip_run *run = NULL;
	struct rb_node *node;
	int ret = -ENOENT;

	spin_lock(&cdev->run_lock);
	if (!seq) {
		run = list_first_entry_or_null(&f->done, struct chip_run,
					       dnode);
		if (!run && !RB_EMPTY_ROOT(&f->wait_tree))
			ret = 0;
	} else {
		node = rb_find(&seq, &f->wait_tree, chip_run_seq_cmp);
		run = node ? rb_entry(node, struct chip_run, wnode) : NULL;
		if (run && run->state != CHIP_RUN_DONE) {
			run = NULL;
			ret = 0;
		}
	}
	if (run) {
		rb_erase(&run->wnode, &f->wait_tree);
		RB_CLEAR_NODE(&run->wnode);
		list_del_init(&run->dnode);
		list_del_init(&run->fnode);
		f->nruns--;
		*out = run;
		ret = 1;
	}
	spin_unlock(&cdev->run_lock);
	return ret;
}

/* Write the store snapshot of a successful run to the caller's memory. */
int chip_run_copy_stores(struct chip_run *run)
{
	u64 off = 0;
	u32 i;

	if (run->res.status != CHIP_STATUS_OK)
		return 0;
	for (i = 0; i < run->nstores; i++) {
		const struct drm_chip_store *s = &run->stores[i];

		if (copy_to_user(u64_to_user_ptr(s->user_ptr), run->snap + off,
				 s->size))
			return -EFAULT;
		off += s->size;
	}
	return 0;
}

/*
 * Write the timeline of a run (any status) to the caller's buffer: the
 * head, then the spans the device recorded.  Where the run's results are
 * delivered: the WAIT that consumes it, or before its io_uring completion.
 */
int chip_run_copy_timeline(struct chip_run *run)
{
	void __user *p = u64_to_user_ptr(run->timeline_ptr);
	struct drm_chip_timeline head = { 0 };

	static_assert(sizeof(struct chipc_span) ==
		      sizeof(struct drm_chip_span));
	static_assert(offsetof(struct chipc_span, func_id) ==
		      offsetof(struct drm_chip_span, func_id));
	static_assert(offsetof(struct chipc_span, core_type) ==
		      offsetof(struct drm_chip_span, core_type));
	static_assert(CHIPC_MAX_SPANS == DRM_CHIP_MAX_SPANS);
	if (!run->spans)
		return 0;
	head.count = min(run->res.spans, run->timeline_count);
	head.tasks = run->res.tasks;
	if (copy_to_user(p, &head, sizeof(head)) ||
	    copy_to_user(p + sizeof(head), run->spans,
			 head.count * sizeof(*run->spans)))
		return -EFAULT;
	return 0;
}

static int chip_run_deliver(struct chip_run *run, struct drm_chip_wait *args)
{
	int ret;

	CHIPC_RESULT_COPY(args, &run->res);
	args->done_seq = run->seq;
	ret = chip_run_copy_stores(run);
	if (chip_run_copy_timeline(run))
		ret = -EFAULT;
	return ret;
}

int chip_wait_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct chip_device *cdev = to_chip_device(drm);
	struct chip_file *f = chip_file_of(file);
	struct drm_chip_wait *args = data;
	struct chip_run *run = NULL;
	long left;
	u64 now;
	int ret;

	if (args->flags & ~DRM_CHIP_WAIT_FLAGS || args->pad || args->status ||
	    args->code || args->fault_addr || args->tasks || args->insns ||
	    args->device_ns || args->done_seq || memchr_inv(args->msg, 0, sizeof(args->msg)))
		return -EINVAL;

	for (;;) {
		ret = chip_run_take(f, args->seq, &run);
		if (ret)
			break;
		if (args->timeout_ns) {
			now = ktime_get_ns();
			if (now >= args->timeout_ns)
				return -ETIMEDOUT;
			left = nsecs_to_jiffies(args->timeout_ns - now) + 1;
		} else {
			left = MAX_SCHEDULE_TIMEOUT;
		}
		left = wait_event_interruptible_timeout(f->done_wq,
							chip_run_take(f, args->seq, &run) != 0,
							left);
		if (left < 0)
			return left;	/* -ERESTARTSYS: the deadline is absolute */
		if (run)
			break;
	}
	if (ret < 0 && !run)
		return ret;

	ret = chip_run_deliver(run, args);
	chip_run_free(run);
	atomic64_dec(&cdev->runs);
	return ret;
}

int chip_cancel_ioctl(struct drm_device *drm, void *data,
		      struct drm_file *file)
{
	struct drm_chip_cancel *args = data;

	if (args->flags || args->pad || args->cancelled)
		return -EINVAL;
	args->cancelled = chip_file_cancel(chip_file_of(file));
	return 0;
}
