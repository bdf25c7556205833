// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Runs: submission (validation shared with every submission path),
 * the device worker that executes them one at a time in FIFO order, wait,
 * cancel, and their release with the file.
 *
 * A run never hangs the device: the core's watchdog (timeout_ns) and
 * instruction budget end it with CHIP_STATUS_TIMEOUT, a bad access with
 * CHIP_STATUS_FAULT, and the abort flag (cancel, close) with
 * CHIP_STATUS_CANCELLED.  The worker then takes the next run.
 */
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

#include "chip_drv.h"

/*
 * A file keeps up to CHIP_RUN_CACHE freed runs for its next ones, so a
 * stream of runs allocates nothing; chip_file_free_cache() frees them
 * with the file.
 */
#define CHIP_RUN_CACHE	64

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
	if ((u64)atomic64_add_return(cost, used) > chip_params.max_run_bytes) {
		atomic64_sub(cost, used);
		return -EBUSY;
	}
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

static void chip_run_free(struct chip_run *run)
{
	struct chip_file *f = run->file;

	if (run->owner)
		put_task_struct(run->owner);
	mem_cgroup_put(run->memcg);
	kvfree(run->snap);
	kvfree(run->spans);
	run->spans = NULL;
	chip_run_free_blobs(run);
	if (run->cost)
		chip_run_unreserve(run, run->cost);
	spin_lock(&f->cache_lock);
	if (f->ncache < CHIP_RUN_CACHE) {
		list_add(&run->qnode, &f->cache);
		f->ncache++;
		run = NULL;
	}
	spin_unlock(&f->cache_lock);
	kfree(run);
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

static void chip_run_put_code(struct chip_run *run)
{
	if (!run->code)
		return;
	mutex_lock(run->table_lock);
	chipc_dedup_put(run->table, run->code);
	mutex_unlock(run->table_lock);
	run->code = NULL;
}

/*
 * Copy the store ranges of a successful run from the view it ran on.
 * The snapshot is allocated now, not at submission, charged to the
 * submitter's memory cgroup; its size was reserved in the file's budget.
 */
static void chip_run_snapshot(struct chip_run *run, struct chip_vm_view *v)
{
	struct mem_cgroup *old;
	u64 off = 0;
	u32 i;

	old = set_active_memcg(run->memcg);
	run->snap = kvmalloc(run->snap_size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	set_active_memcg(old);
	if (!run->snap) {
		run->res.status = CHIP_STATUS_FAULT;
		run->res.code = CHIP_FAULT_READ;
		run->res.fault_addr = run->stores[0].va;
		strscpy(run->res.msg, "no memory for the store snapshot",
			sizeof(run->res.msg));
		return;
	}
	for (i = 0; i < run->nstores; i++) {
		const struct drm_chip_store *s = &run->stores[i];
		const u8 *p = chipc_vm_translate(&v->vm, s->va, s->size,
						 CHIPC_PROT_READ);

		if (!p) {
			run->res.status = CHIP_STATUS_FAULT;
			run->res.code = CHIP_FAULT_READ;
			run->res.fault_addr = s->va;
			snprintf(run->res.msg, sizeof(run->res.msg),
				 "store %u: range not mapped", i);
			return;
		}
		memcpy(run->snap + off, p, s->size);
		off += s->size;
	}
}

/*
 * Write the load bytes of @run into the view it is about to run on: every
 * range is checked first, so a buffer freed since submission fails the
 * run with nothing copied.  Returns true if the run may execute.
 */
static bool chip_run_load(struct chip_run *run, struct chip_vm_view *v)
{
	u8 *dst[DRM_CHIP_MAX_LOADS];
	u64 off = 0;
	u32 i;

	for (i = 0; i < run->nloads; i++) {
		const struct drm_chip_load *l = &run->loads[i];

		dst[i] = chipc_vm_translate(&v->vm, l->va, l->size,
					    CHIPC_PROT_WRITE);
		if (!dst[i]) {
			run->res.status = CHIP_STATUS_FAULT;
			run->res.code = CHIP_FAULT_WRITE;
			run->res.fault_addr = l->va;
			snprintf(run->res.msg, sizeof(run->res.msg),
				 "load %u: range not mapped", i);
			return false;
		}
	}
	for (i = 0; i < run->nloads; i++) {
		memcpy(dst[i], run->load_data + off, run->loads[i].size);
		off += run->loads[i].size;
	}
	return true;
}

/*
 * Execute @run on the file's current view of its address space, which
 * pins every buffer object it maps: no lock is held while the run
 * executes, so the file can create and close objects meanwhile.
 */
static void chip_run_execute(struct chip_device *cdev, struct chip_run *run)
{
	struct chip_file *f = run->file;
	struct chip_vm_view *v = chip_vm_get(f);
	struct chipc_run_req req = {
		.code = run->code,
		.args = &run->args,
		.graph = run->has_graph ? &run->graph : NULL,
		.block_dim = run->block_dim,
		.aicpu_threads = run->aicpu_threads,
		.timeout_ns = run->timeout_ns,
		.insn_budget = run->insn_budget,
		.vm = &v->vm,
		.heap_va = CHIP_HEAP_VA,
		.heap_size = chip_params.heap_size,
		.heap_host = f->heap,
		.abort = &run->abort,
		.spans = run->spans,
		.span_cap = run->timeline_count,
	};

	if (READ_ONCE(run->abort)) {
		run->res.status = CHIP_STATUS_CANCELLED;
		strscpy(run->res.msg, "cancelled", sizeof(run->res.msg));
	} else if (!run->nloads || chip_run_load(run, v)) {
		chipc_device_run(&cdev->core, &req, &run->res);
		if (run->res.status == CHIP_STATUS_OK && run->nstores)
			chip_run_snapshot(run, v);
		/* What chip_run_inline() predicts the next run from. */
		if (run->res.status != CHIP_STATUS_CANCELLED)
			WRITE_ONCE(run->code->last_run_ns,
				   run->res.device_ns + 1);
	}
	chip_vm_put(v);
	chip_run_free_blobs(run);
	if (!run->snap && run->snap_size)
		chip_run_unreserve(run, run->snap_size);
}

/*
 * @run has executed: account it, give the device back and wake whoever
 * waits for that.  Returns true if the caller is to complete its io_uring
 * command; an ioctl run may be consumed and freed as soon as this returns.
 */
static bool chip_run_retire(struct chip_device *cdev, struct chip_run *run)
{
	bool worker = current == cdev->worker;
	bool uring, more;

	chip_run_put_code(run);
	spin_lock(&cdev->run_lock);
	if (run->res.status < CHIP_STATUS_COUNT)
		run->file->runs_by_status[run->res.status]++;
	if (!worker)
		run->file->inline_runs++;
	run->state = CHIP_RUN_DONE;
	cdev->running = NULL;
	uring = run->ucmd && chip_uring_claim(run);
	more = !list_empty(&cdev->queue);
	spin_unlock(&cdev->run_lock);
	if (more && !worker)
		wake_up(&cdev->run_wq);
	/*
	 * Waiters: WAIT and chip_file_cancel(); pairs with the barrier in
	 * their prepare_to_wait().
	 */
	if (wq_has_sleeper(&cdev->done_wq))
		wake_up_all(&cdev->done_wq);
	return uring;
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
			WRITE_ONCE(run->abort, 1);
		else
			again = true;
	} else if (run && chip_uring_watch_owner(run)) {
		if (chip_uring_owner_gone(run))
			WRITE_ONCE(run->abort, 1);
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

/* Queued runs and nobody executing one (a submitter may be, inline). */
static bool chip_worker_has_work(struct chip_device *cdev)
{
	return !list_empty_careful(&cdev->queue) && !READ_ONCE(cdev->running);
}

static int chip_worker_fn(void *arg)
{
	struct chip_device *cdev = arg;
	struct chip_run *run;

	while (!kthread_should_stop()) {
		wait_event_interruptible(cdev->run_wq,
					 kthread_should_stop() ||
					 chip_worker_has_work(cdev));
		spin_lock(&cdev->run_lock);
		run = NULL;
		if (!cdev->running)
			run = list_first_entry_or_null(&cdev->queue,
						       struct chip_run, qnode);
		if (run) {
			list_del_init(&run->qnode);
			run->state = CHIP_RUN_RUNNING;
			cdev->running = run;
		}
		spin_unlock(&cdev->run_lock);
		if (!run)
			continue;
		if (chip_uring_watch_owner(run))
			chip_owner_watch_start(cdev, run);

		chip_run_execute(cdev, run);
		if (chip_run_retire(cdev, run))
			chip_uring_complete(run);
		cond_resched();
	}
	return 0;
}

int chip_worker_start(struct chip_device *cdev)
{
	struct task_struct *t;

	INIT_DELAYED_WORK(&cdev->owner_watch, chip_owner_watch_fn);
	t = kthread_run(chip_worker_fn, cdev, "chip%u", cdev->index);
	if (IS_ERR(t))
		return PTR_ERR(t);
	cdev->worker = t;
	return 0;
}

/* No file is open, so the queue is empty and nothing runs. */
void chip_worker_stop(struct chip_device *cdev)
{
	if (cdev->worker) {
		kthread_stop(cdev->worker);
		cancel_delayed_work_sync(&cdev->owner_watch);
	}
	cdev->worker = NULL;
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
 * Cancel the queued runs of @f and stop its running one; returns when
 * none of its runs executes.  Cancelled runs complete as
 * CHIP_STATUS_CANCELLED and stay for wait to consume.
 */
u64 chip_file_cancel(struct chip_file *f)
{
	struct chip_device *cdev = f->cdev;
	struct chip_run *run, *tmp;
	LIST_HEAD(cancelled);
	u64 n = 0;

	spin_lock(&cdev->run_lock);
	list_for_each_entry_safe(run, tmp, &cdev->queue, qnode) {
		if (run->file != f)
			continue;
		list_move_tail(&run->qnode, &cancelled);
		if (run->ucmd)
			chip_uring_claim(run);	/* queued: never claimed */
		run->res.status = CHIP_STATUS_CANCELLED;
		strscpy(run->res.msg, "cancelled", sizeof(run->res.msg));
		f->runs_by_status[CHIP_STATUS_CANCELLED]++;
		n++;
	}
	if (cdev->running && cdev->running->file == f)
		WRITE_ONCE(cdev->running->abort, 1);
	spin_unlock(&cdev->run_lock);

	list_for_each_entry_safe(run, tmp, &cancelled, qnode) {
		chip_run_put_code(run);
		chip_run_free_blobs(run);
		if (run->snap_size)
			chip_run_unreserve(run, run->snap_size);
		spin_lock(&cdev->run_lock);
		list_del_init(&run->qnode);
		run->state = CHIP_RUN_DONE;
		spin_unlock(&cdev->run_lock);
		if (run->ucmd)
			chip_uring_complete(run);
	}
	wake_up_all(&cdev->done_wq);

	wait_event(cdev->done_wq, !chip_file_running(cdev, f));
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
	if (nowait)
		return copy_from_user_nofault(dst, u64_to_user_ptr(uptr),
					      size) ? -EAGAIN : 0;
	return copy_from_user(dst, u64_to_user_ptr(uptr), size) ? -EFAULT : 0;
}

/*
 * Copy @size bytes from user pointer @uptr into @small when they fit in
 * its @small_size bytes, else into a new allocation.
 */
static void *chip_copy_blob(u64 uptr, u64 size, void *small, u64 small_size,
			    bool nowait, int *ret)
{
	void *p = small;

	if (size > small_size) {
		p = kvmalloc(size, (nowait ? GFP_NOWAIT : GFP_KERNEL) |
			     __GFP_ACCOUNT);
		if (!p) {
			*ret = nowait ? -EAGAIN : -ENOMEM;
			return NULL;
		}
	}
	*ret = chip_copy_in(p, uptr, size, nowait);
	if (*ret) {
		if (p != small)
			kvfree(p);
		return NULL;
	}
	return p;
}

/*
 * Build a run from a request: copy and validate everything it carries.
 * Shared by every submission path; with @nowait, -EAGAIN instead of
 * blocking.
 */
static struct chip_run *chip_run_prepare(struct chip_file *f,
					 const struct drm_chip_run *args,
					 bool nowait, int *ret)
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
	};
	gfp_t gfp = nowait ? GFP_NOWAIT : GFP_KERNEL;
	struct chip_run *run;
	u64 snap = 0, load = 0, off;
	u32 i;

	*ret = -EINVAL;
	/* Syncs and NO_RESULT: not supported yet (-EINVAL). */
	if (args->flags & ~DRM_CHIP_RUN_INLINE || args->pad || args->seq ||
	    args->pad2 || args->in_syncs_ptr || args->in_sync_count ||
	    args->pad3 || args->out_sync.handle || args->out_sync.flags ||
	    args->out_sync.point || args->pad4)
		return NULL;
	/* A timeline: a buffer and its capacity, both or neither. */
	if (!args->timeline_ptr != !args->timeline_count)
		return NULL;
	if (args->timeline_count > DRM_CHIP_MAX_SPANS) {
		*ret = -E2BIG;
		return NULL;
	}
	if ((!args->graph_size && args->graph_ptr) ||
	    (!args->load_count && args->loads_ptr))
		return NULL;
	/* The core's checks, in the order every backend makes them. */
	*ret = chipc_request_check(&lim, &rq);
	if (*ret)
		return NULL;

	run = chip_run_alloc(f, gfp);
	if (!run) {
		*ret = nowait ? -EAGAIN : -ENOMEM;
		return NULL;
	}
	memset(run, 0, offsetof(struct chip_run, stores));
	INIT_LIST_HEAD(&run->qnode);
	INIT_LIST_HEAD(&run->fnode);
	run->file = f;
	run->block_dim = args->block_dim;
	run->aicpu_threads = args->aicpu_threads;
	run->timeout_ns = args->timeout_ns;
	run->insn_budget = args->insn_budget;
	run->inline_ok = args->flags & DRM_CHIP_RUN_INLINE;
	run->nstores = args->store_count;
	run->nloads = args->load_count;

	*ret = chip_copy_in(run->stores, args->stores_ptr,
			    run->nstores * sizeof(run->stores[0]), nowait);
	if (*ret)
		goto err;
	for (i = 0; i < run->nstores; i++) {
		*ret = chipc_request_check_store(&lim, run->stores[i].va,
						 run->stores[i].user_ptr,
						 run->stores[i].size, &snap);
		if (*ret)
			goto err;
	}
	*ret = chip_copy_in(run->loads, args->loads_ptr,
			    run->nloads * sizeof(run->loads[0]), nowait);
	if (*ret)
		goto err;
	for (i = 0; i < run->nloads; i++) {
		*ret = chipc_request_check_load(&lim, run->loads[i].va,
						run->loads[i].user_ptr,
						run->loads[i].size, &load);
		if (*ret)
			goto err;
	}
	/* The snapshot itself is allocated when the run completes. */
	run->snap_size = snap;
	*ret = chip_run_reserve(run, chip_run_cost(args, snap, load));
	if (*ret)
		goto err;
	run->memcg = get_mem_cgroup_from_mm(current->mm);

	/* The timeline the core records into, counted in the cost above. */
	if (args->timeline_count) {
		run->spans = kvmalloc_array(args->timeline_count,
					    sizeof(*run->spans),
					    gfp | __GFP_ACCOUNT | __GFP_NOWARN);
		if (!run->spans) {
			*ret = nowait ? -EAGAIN : -ENOMEM;
			goto err;
		}
		run->timeline_ptr = args->timeline_ptr;
		run->timeline_count = args->timeline_count;
	}

	/* The load bytes: read now, from the submitter's memory. */
	if (load) {
		run->load_data = kvmalloc(load, gfp | __GFP_ACCOUNT |
					  __GFP_NOWARN);
		if (!run->load_data) {
			*ret = nowait ? -EAGAIN : -ENOMEM;
			goto err;
		}
		run->load_size = load;
		for (i = 0, off = 0; i < run->nloads; i++) {
			*ret = chip_copy_in(run->load_data + off,
					    run->loads[i].user_ptr,
					    run->loads[i].size, nowait);
			if (*ret)
				goto err;
			off += run->loads[i].size;
		}
	}

	run->args_size = args->args_size;
	run->args_blob = chip_copy_blob(args->args_ptr, args->args_size,
					run->args_small, sizeof(run->args_small),
					nowait, ret);
	if (!run->args_blob)
		goto err;
	*ret = chipc_args_parse(run->args_blob, args->args_size, &run->args);
	if (*ret)
		goto err;
	if (args->graph_size) {
		run->graph_size = args->graph_size;
		run->graph_blob = chip_copy_blob(args->graph_ptr,
						 args->graph_size, NULL, 0, nowait,
						 ret);
		if (!run->graph_blob)
			goto err;
		*ret = chipc_graph_parse(run->graph_blob, args->graph_size,
					 &run->graph);
		if (*ret)
			goto err;
		run->has_graph = true;
	}
	return run;

err:
	chip_run_free(run);
	return NULL;
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
 * device worker?  Only for a caller that waits for it at once
 * (DRM_CHIP_RUN_INLINE), and only when that cannot delay anyone and is
 * cheap: the device is idle with nothing queued (so FIFO order holds),
 * and the callable's latest run took at most inline_us.  Waking the
 * worker and then the waiting submitter costs more than a short run
 * itself; a long run still goes to the worker, where it can be
 * cancelled like any other.  Runs submitted without the flag (batches)
 * go to the worker, which executes them while the submitter prepares
 * the next ones.  run_lock held.
 */
static bool chip_run_inline(struct chip_device *cdev, struct chip_run *run,
			    const struct chipc_code *code)
{
	u64 last = READ_ONCE(code->last_run_ns);

	return run->inline_ok && last && last - 1 <= chip_params.inline_ns &&
	       !cdev->running && list_empty(&cdev->queue);
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
	struct chip_run *run;
	bool inl;
	int ret;

	run = chip_run_prepare(f, args, nowait, &ret);
	if (!run)
		return ret;
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
	if (f->nruns >= chip_params.max_runs) {
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
	f->nruns++;
	if (inl) {
		run->state = CHIP_RUN_RUNNING;
		run->inline_task = current;
		cdev->running = run;
	}
	spin_unlock(&cdev->run_lock);
	chip_file_table(f, &run->table, &run->table_lock);
	chipc_dedup_ref(slot->code);
	run->code = slot->code;
	mutex_unlock(&f->lock);

	/* Bind the command, then make the run visible. */
	if (ucmd)
		chip_uring_bind(run, ucmd, issue_flags, !inl);

	spin_lock(&cdev->run_lock);
	run->seq = ++f->next_seq;
	run->res.status = CHIP_STATUS_INVALID;
	list_add_tail(&run->fnode, &f->runs);
	if (!inl) {
		run->state = CHIP_RUN_QUEUED;
		list_add_tail(&run->qnode, &cdev->queue);
	}
	*seq = run->seq;
	spin_unlock(&cdev->run_lock);
	atomic64_inc(&cdev->runs);
	if (!inl) {
		/* Pairs with the barrier in the worker's prepare_to_wait(). */
		if (wq_has_sleeper(&cdev->run_wq))
			wake_up(&cdev->run_wq);
		return 0;
	}

	/* A fatal signal of the submitter stops the run: see the watch. */
	if (fatal_signal_pending(current))
		WRITE_ONCE(run->abort, 1);
	else
		schedule_delayed_work(&cdev->owner_watch,
				      msecs_to_jiffies(CHIP_OWNER_WATCH_MS));
	chip_run_execute(cdev, run);
	chip_run_retire(cdev, run);
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
	f->nruns--;
	spin_unlock(&cdev->run_lock);
	chip_run_put_code(run);
	chip_run_free(run);
	atomic64_dec(&cdev->runs);
}

/*
 * Find the run @seq of @f (0: the oldest completed).  Returns 1 and the
 * run unlinked in *@out when it is complete, 0 while it is pending,
 * -ENOENT if there is no such run.
 */
static int chip_run_take(struct chip_file *f, u64 seq, struct chip_run **out)
{
	struct chip_device *cdev = f->cdev;
	struct chip_run *run;
	bool pending = false;
	int ret = -ENOENT;

	spin_lock(&cdev->run_lock);
	list_for_each_entry(run, &f->runs, fnode) {
		if (run->ucmd || (seq && run->seq != seq))
			continue;
		if (run->state == CHIP_RUN_DONE) {
			list_del_init(&run->fnode);
			f->nruns--;
			*out = run;
			ret = 1;
			break;
		}
		pending = true;
		if (seq)
			break;
	}
	spin_unlock(&cdev->run_lock);
	if (ret < 0 && pending)
		ret = 0;
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

	args->status = run->res.status;
	args->code = run->res.code;
	args->fault_addr = run->res.fault_addr;
	args->tasks = run->res.tasks;
	args->insns = run->res.insns;
	args->device_ns = run->res.device_ns;
	args->done_seq = run->seq;
	memcpy(args->msg, run->res.msg, sizeof(args->msg));
	args->msg[sizeof(args->msg) - 1] = '\0';
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
		left = wait_event_interruptible_timeout(cdev->done_wq,
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
