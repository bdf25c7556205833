// SPDX-License-Identifier: MIT
/*
 * The simulated backend (a2a3sim, a5sim): the portable core in-process.
 *
 * It plays the part the kernel driver plays for a2a3/a5: it owns the
 * context's buffers (a chipc_vm), its dedup table and cid registry, and a
 * device thread that takes submitted runs in FIFO order and executes them
 * with chipc_device_run() on the emulated device.  Completions are queued
 * for chip_wait()/chip_reap().
 *
 * Locks, in order: vm_lock (buffers; held by the device thread for the
 * length of a run, so a buffer cannot go away under it), then lock
 * (registry, dedup table, queues, counters).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/sync_file.h>
#include "internal.h"
#include "chipc.h"

#define SIM_GM_DEFAULT		(256ull << 20)
#define SIM_HEAP_DEFAULT	(16ull << 20)
#define SIM_WORKERS_DEFAULT	4
#define SIM_WINDOW_DEFAULT	1024
#define SIM_PAGE		CHIPC_PAGE
/*
 * The device address space layout and the placement of buffers and code
 * in it are the core's (chipc.h, space.c), as in the driver.
 */
#define SIM_HEAP_VA		CHIPC_HEAP_VA

enum run_state { RUN_QUEUED, RUN_RUNNING, RUN_DONE };

/*
 * A run's fences: the in-fences it waits for (the backend's own
 * duplicates of the caller's fds) and, with CHIP_RUN_FENCE, the
 * eventfds chip_run_fd() handed out (duplicates again: the caller may
 * close its copy at any time) that its retirement signals with its
 * outcome (fence_signal()).
 */
struct sim_fences {
	uint32_t flags;			/* CHIP_RUN_* */
	uint32_t nin;
	int in[CHIP_MAX_IN_FENCES];
	uint32_t nsig, sig_cap;
	int *sig;
};

/*
 * A buffer backed by a memfd (exported, or imported from another
 * handle): its host memory is a shared mapping, unmapped rather than
 * freed, and the memfd is kept for the next export.  vm_lock.
 */
struct sim_shared {
	struct sim_shared *next;
	uint64_t va;
	void *host;
	size_t len;			/* bytes mapped */
	int memfd;
	int imported;			/* mapped by chip_import() */
	dev_t st_dev;
	ino_t st_ino;
};

/*
 * A run from submission until its completion is consumed.  It is bound
 * at submission to the code its cid named then (@code, referenced), as
 * the driver binds it: unregistering or re-binding the cid afterwards
 * does not change what it executes.
 */
struct sim_run {
	struct sim_run *next;
	uint64_t seq;
	struct chipc_code *code;
	enum run_state state;
	int sync;			/* chip_run(): only its caller takes it */
	uint32_t block_dim;
	uint32_t aicpu_threads;
	uint64_t timeout_ns;
	uint64_t insn_budget;
	uint32_t nstores;
	struct chip_store stores[CHIP_MAX_STORES];
	uint32_t nloads;
	struct chip_load loads[CHIP_MAX_LOADS];	/* host: into @load_data */
	unsigned char *load_data;	/* the loads' bytes, read at submission */
	struct chip_timeline *timeline;	/* the caller's; NULL: none */
	uint32_t timeline_cap;
	uint32_t nspans;		/* spans the device recorded */
	struct chip_run_result res;
	size_t args_len;
	size_t args_cap;
	size_t graph_len;
	unsigned char *graph;
	struct sim_fences fences;
	unsigned char args[];		/* args_cap bytes */
};

/*
 * The device thread's states.  Woken by the first submission after a
 * quiet period, it does not execute at once: it watches the queue in
 * periods of SIM_GRACE_NS, giving the submitter the time to come back and
 * execute the queue itself (chip_reap() or chip_wait() without a
 * deadline), which costs no thread hand-off at all.  It executes only a
 * queue whose head has waited a whole period with nobody executing it,
 * and it goes back to sleep after a whole period in which no run started
 * and nothing waits, or one run kept executing (its executor hands the
 * queue over when it stops).  While it watches, submissions do not wake it:
 * a stream of batches costs the submitter no wake-up at all and the
 * device thread one timer wake-up per period (a 256-run batch of null
 * runs takes about 0.1 ms).  A caller that blocks, or stops executing
 * with runs left, wakes it with no grace (dev_hurry).
 */
enum { DEV_BUSY, DEV_IDLE, DEV_WATCH };
#define SIM_GRACE_NS	(1000ull * 1000)

/*
 * Freed runs kept for the next ones, so a stream of runs allocates
 * nothing: up to two batches of the largest size (one reaped while the
 * next is queued), about 1 KiB each.  A smaller cache makes every batch
 * of 256 allocate and free most of its runs, and the allocator return
 * the memory to the system and fault it back in, batch after batch.
 */
#define SIM_RUN_CACHE	(2 * CHIP_BATCH_MAX)

struct sim {
	uint32_t platform;
	uint64_t gm_size;
	uint64_t gm_used;
	struct chipc_space bo_space;	/* vm_lock */
	struct chipc_vm vm;
	pthread_mutex_t vm_lock;

	pthread_mutex_t lock;
	pthread_cond_t kick;		/* the device thread: work queued */
	int dev_idle;			/* DEV_*: the device thread's state */
	int dev_hurry;			/* a caller waits: no grace period */
	uint64_t started;		/* runs started, for the watch */
	struct sim_waiter *waiters;	/* blocked in run/wait/reap */
	struct chipc_dedup dedup;
	struct chipc_registry reg;
	struct chipc_space code_space;	/* lock, with the dedup table */
	uint64_t orch_loads;
	uint64_t runs[CHIP_STATUS_COUNT];
	struct sim_run *queue, **queue_tail;
	struct sim_run *running;
	/* Completions of chip_submit() runs, in completion order. */
	struct sim_run *done, **done_tail;
	uint32_t ndone;
	uint32_t async_pending;		/* chip_submit() runs queued or running */
	uint32_t nruns;			/* runs not consumed yet */
	struct sim_run *cache;
	uint32_t ncache;
	uint64_t next_seq;
	int stopping;
	int abort;			/* cancels the running run */

	unsigned char *heap;
	uint64_t heap_size;
	struct sim_shared *shared;	/* vm_lock */

	struct chipc_device cdev;
	struct chipc_thread thread;
};

static struct sim *sim_of(struct chip_dev *dev)
{
	return dev->priv;
}

/* ---- device memory for resident code ---------------------------------- */

struct sim_code_mem {
	u64 dev_addr;
	u32 size;
	unsigned char host[] __attribute__((aligned(64)));
};

/* chipc_code_mem_ops.alloc; s->lock held. */
static int code_alloc(void *priv, u32 size, u64 *dev_addr, u8 **host,
		      void **cookie)
{
	struct sim *s = priv;
	struct sim_code_mem *m;
	int rc;

	if (posix_memalign((void **)&m, 64, sizeof(*m) + size))
		return -ENOMEM;
	rc = chipc_space_alloc(&s->code_space, size, &m->dev_addr);
	if (rc) {
		free(m);
		return rc;
	}
	m->size = size;
	*dev_addr = m->dev_addr;
	*host = m->host;
	*cookie = m;
	return 0;
}

static void code_free(void *priv, void *cookie)
{
	struct sim *s = priv;
	struct sim_code_mem *m = cookie;

	chipc_space_free(&s->code_space, m->dev_addr, m->size);
	free(m);
}

/* ---- the run lifecycle -------------------------------------------------- */

/*
 * Who executes runs: one at a time, in submission order, whichever thread
 * gets there first: the device thread, or a caller blocked in run, wait
 * or reap without a deadline that would otherwise sleep (no hand-off, no
 * wake-up).  A caller that stops executing with runs still queued and
 * nobody executing wakes the device thread (handoff()), so queued runs
 * always make progress.
 *
 * Who takes a completion: a chip_run() run is taken only by its caller;
 * a chip_submit() run by chip_wait() of its seq or by chip_reap(),
 * whichever comes first.  Only the latter go on the done list.
 */

/*
 * A thread blocked in run or wait (for @seq) or reap (for @count
 * completions).  Completions wake only the waiters whose condition they
 * meet: a wake-up costs microseconds, more than a null run.
 */
struct sim_waiter {
	struct sim_waiter *next;
	pthread_cond_t cond;
	uint64_t seq;			/* run/wait: this run; 0 for reap */
	uint32_t count;			/* reap: this many completions */
};

static void wake_waiters(struct sim *s, const struct sim_run *r)
{
	struct sim_waiter *w;

	for (w = s->waiters; w; w = w->next)
		if (!r || (w->seq ? w->seq == r->seq :
				    (s->ndone >= w->count || !s->async_pending)))
			pthread_cond_signal(&w->cond);
}

/*
 * Runs are queued and nobody executes them: the device thread executes
 * them at once (woken if it sleeps; if it is just waking, it sees
 * dev_hurry).
 */
static void handoff(struct sim *s)
{
	if (s->queue && !s->running) {
		s->dev_hurry = 1;
		if (s->dev_idle != DEV_BUSY)
			pthread_cond_signal(&s->kick);
	}
}

/* A submission: wake a sleeping device thread, which starts watching. */
static void kick_submitted(struct sim *s)
{
	if (!s->running && s->dev_idle == DEV_IDLE)
		pthread_cond_signal(&s->kick);
}

static void fences_retire(struct sim_fences *f, uint32_t status);

static void finish(struct sim *s, struct sim_run *r)
{
	/* The timeline's head, with the result, before anyone can take it. */
	if (r->timeline) {
		r->timeline->count = r->nspans;
		r->timeline->tasks = (uint32_t)r->res.tasks;
		r->timeline->reserved = 0;
	}
	fences_retire(&r->fences, r->res.status);
	r->state = RUN_DONE;
	if (r->res.status < CHIP_STATUS_COUNT)
		s->runs[r->res.status]++;
	r->next = NULL;
	if (!r->sync) {
		*s->done_tail = r;
		s->done_tail = &r->next;
		s->ndone++;
		s->async_pending--;
	}
	wake_waiters(s, r);
}

/* Drop a consumed run: its code reference, its place.  s->lock held. */
static void release(struct sim *s, struct sim_run *r)
{
	if (r->code)
		chipc_dedup_put(&s->dedup, r->code);
	r->code = NULL;
	s->nruns--;
	free(r->graph);
	r->graph = NULL;
	free(r->load_data);
	r->load_data = NULL;
	if (s->ncache < SIM_RUN_CACHE) {
		r->next = s->cache;
		s->cache = r;
		s->ncache++;
	} else {
		free(r);
	}
}

static void set_result(struct sim_run *r, uint32_t status, const char *msg)
{
	r->res.status = status;
	snprintf(r->res.msg, sizeof(r->res.msg), "%s", msg);
}

/*
 * Store-to-host after a successful run and load-from-host before one
 * executes: the core's copies (chipc_run_stores(), chipc_run_loads()),
 * which fail the run on a range no longer mapped with nothing copied.
 * vm_lock held.
 */
static int copy_stores(struct sim *s, struct sim_run *r,
		       struct chipc_run_result *cres)
{
	struct chipc_xfer x[CHIP_MAX_STORES];
	uint32_t i;

	for (i = 0; i < r->nstores; i++) {
		x[i].va = r->stores[i].dev_addr;
		x[i].size = r->stores[i].size;
		x[i].dst = r->stores[i].host;
	}
	return chipc_run_stores(&s->vm, x, r->nstores, cres);
}

static int copy_loads(struct sim *s, struct sim_run *r,
		      struct chipc_run_result *cres)
{
	struct chipc_xfer x[CHIP_MAX_LOADS];
	uint32_t i;

	for (i = 0; i < r->nloads; i++) {
		x[i].va = r->loads[i].dev_addr;
		x[i].size = r->loads[i].size;
		x[i].src = r->loads[i].host;
	}
	return chipc_run_loads(&s->vm, x, r->nloads, cres);
}

/* The device's result into the run's completion record. */
static void take_result(struct sim_run *r, const struct chipc_run_result *cres)
{
	CHIPC_RESULT_COPY(&r->res, cres);
	r->nspans = cres->spans;
}

static int fences_wait(struct sim *s, struct sim_run *r);

/* Execute @r on the device. */
static void execute(struct sim *s, struct sim_run *r)
{
	struct chipc_run_result cres;
	struct chipc_run_req req;
	struct chipc_graph graph;
	struct chipc_args args;

	if (r->fences.nin && fences_wait(s, r))
		return;
	/* Both blobs were validated at submission; these only re-point. */
	memset(&req, 0, sizeof(req));
	if (chipc_args_parse(r->args, r->args_len, &args) ||
	    (r->graph && chipc_graph_parse(r->graph, r->graph_len, &graph))) {
		set_result(r, CHIP_STATUS_INVALID, "malformed request");
		return;
	}
	req.code = r->code;
	req.args = &args;
	req.graph = r->graph ? &graph : NULL;
	req.block_dim = r->block_dim;
	req.aicpu_threads = r->aicpu_threads;
	req.timeout_ns = r->timeout_ns;
	req.insn_budget = r->insn_budget;
	req.vm = &s->vm;
	req.heap_va = SIM_HEAP_VA;
	req.heap_size = s->heap_size;
	req.heap_host = s->heap;
	req.abort = &s->abort;
	/* The core records straight into the caller's spans. */
	if (r->timeline) {
		_Static_assert(sizeof(struct chip_span) ==
			       sizeof(struct chipc_span) &&
			       offsetof(struct chip_span, core_type) ==
			       offsetof(struct chipc_span, core_type),
			       "struct chip_span is struct chipc_span");
		req.spans = (struct chipc_span *)r->timeline->spans;
		req.span_cap = r->timeline_cap;
	}

	pthread_mutex_lock(&s->vm_lock);
	memset(&cres, 0, sizeof(cres));
	if (r->nloads && copy_loads(s, r, &cres)) {
		pthread_mutex_unlock(&s->vm_lock);
		take_result(r, &cres);
		return;
	}
	chipc_device_run(&s->cdev, &req, &cres);
	if (cres.status == CHIP_STATUS_OK && r->nstores)
		copy_stores(s, r, &cres);
	pthread_mutex_unlock(&s->vm_lock);
	take_result(r, &cres);
}

/*
 * Execute the next queued run in the calling thread, if the device is
 * free.  Called and returns with s->lock held.  Returns 1 if it ran one.
 */
static int run_next(struct sim *s)
{
	struct sim_run *r = s->queue;

	if (!r || s->running || s->stopping)
		return 0;
	s->queue = r->next;
	if (!s->queue)
		s->queue_tail = &s->queue;
	r->state = RUN_RUNNING;
	s->running = r;
	s->started++;
	__atomic_store_n(&s->abort, 0, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&s->lock);

	execute(s, r);

	pthread_mutex_lock(&s->lock);
	s->running = NULL;
	finish(s, r);
	return 1;
}

/* Sleep on s->kick until @deadline (CLOCK_MONOTONIC ns; 0: no deadline). */
static void device_sleep(struct sim *s, int state, uint64_t deadline)
{
	struct timespec ts;

	s->dev_idle = state;
	if (!deadline) {
		pthread_cond_wait(&s->kick, &s->lock);
	} else {
		ts.tv_sec = (time_t)(deadline / 1000000000ull);
		ts.tv_nsec = (long)(deadline % 1000000000ull);
		pthread_cond_timedwait(&s->kick, &s->lock, &ts);
	}
	s->dev_idle = DEV_BUSY;
}

static int device_thread(void *arg)
{
	struct sim *s = arg;
	uint64_t period_end = 0, head = 0, started = 0, now;

	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		if (s->queue && !s->running && s->dev_hurry) {
			run_next(s);
			continue;
		}
		s->dev_hurry = 0;
		now = chip_now_ns();
		if (period_end && now < period_end) {
			device_sleep(s, DEV_WATCH, period_end);
			continue;
		}
		if (period_end && s->queue && !s->running &&
		    s->queue->seq == head) {
			/* Unattended for a whole period: execute the queue. */
			s->dev_hurry = 1;
			continue;
		}
		if (period_end && (!s->queue || s->running) &&
		    s->started == started) {
			/*
			 * A quiet period, or one long run: sleep until a
			 * submission, or until whoever executes stops with
			 * runs left (handoff()).
			 */
			period_end = 0;
			device_sleep(s, DEV_IDLE, 0);
			continue;
		}
		/* Watch one more period. */
		head = s->queue && !s->running ? s->queue->seq : 0;
		started = s->started;
		period_end = now + SIM_GRACE_NS;
	}
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* ---- backend ops ------------------------------------------------------- */

static int sim_open(struct chip_dev *dev, uint32_t platform,
		    const struct chip_open_opts *o)
{
	struct chipc_code_mem_ops mem = { code_alloc, code_free, NULL };
	struct chipc_device_cfg cfg;
	struct sim *s;
	int rc;

	if ((o->workers && o->workers > 16) ||
	    (o->ring_window && (o->ring_window < 4 || o->ring_window > 65536 ||
				(o->ring_window & (o->ring_window - 1)))) ||
	    (o->heap_size && o->heap_size > (1ull << 32)) ||
	    (o->gm_size && o->gm_size < SIM_PAGE))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->platform = platform;
	s->gm_size = o->gm_size ? o->gm_size : SIM_GM_DEFAULT;
	s->heap_size = o->heap_size ? (o->heap_size + 63) & ~63ull :
		       SIM_HEAP_DEFAULT;
	s->queue_tail = &s->queue;
	s->done_tail = &s->done;
	pthread_mutex_init(&s->vm_lock, NULL);
	pthread_mutex_init(&s->lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&s->kick, &ca);
		pthread_condattr_destroy(&ca);
	}
	mem.priv = s;
	chipc_dedup_init(&s->dedup, &mem);
	chipc_registry_init(&s->reg);

	rc = chipc_space_init(&s->bo_space, CHIPC_BO_BASE, CHIPC_CODE_BASE);
	if (rc)
		goto err_free;
	rc = chipc_space_init(&s->code_space, CHIPC_CODE_BASE, CHIPC_CODE_END);
	if (rc)
		goto err_bo_space;
	rc = chipc_vm_init(&s->vm, CHIPC_MAX_BOS);
	if (rc)
		goto err_code_space;
	rc = -ENOMEM;
	if (posix_memalign((void **)&s->heap, 64, s->heap_size))
		goto err_vm;
	memset(s->heap, 0, s->heap_size);

	memset(&cfg, 0, sizeof(cfg));
	cfg.platform = platform;
	cfg.workers = o->workers ? o->workers : SIM_WORKERS_DEFAULT;
	cfg.ring_window = o->ring_window ? o->ring_window : SIM_WINDOW_DEFAULT;
	/* At least the core's minimum, also for the smallest legal ring. */
	cfg.dep_pool = cfg.ring_window * 8 < 64 ? 64 : cfg.ring_window * 8;
	rc = chipc_device_init(&s->cdev, &cfg);
	if (rc)
		goto err_heap;
	rc = chipc_thread_start(&s->thread, device_thread, s, "chip-sim");
	if (rc)
		goto err_dev;
	dev->priv = s;
	return 0;

err_dev:
	chipc_device_fini(&s->cdev);
err_heap:
	free(s->heap);
err_vm:
	chipc_vm_fini(&s->vm);
err_code_space:
	chipc_space_fini(&s->code_space);
err_bo_space:
	chipc_space_fini(&s->bo_space);
err_free:
	pthread_cond_destroy(&s->kick);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->vm_lock);
	free(s);
	return rc;
}

static int host_free(struct sim *s, const struct chipc_map *m);

static void free_list(struct sim_run *r)
{
	while (r) {
		struct sim_run *n = r->next;

		free(r->graph);
		free(r->load_data);
		free(r);
		r = n;
	}
}

static void waiter_init(struct sim_waiter *w, uint64_t seq);
static int sleep_on(struct sim *s, struct sim_waiter *w, uint64_t deadline,
		    int *inited);

/*
 * Stop what runs, then cancel what is queued: as on the driver, the fds
 * of the queued runs signal after the running one's, so that a queued
 * run's fd seen signalled means that the runs before it have stopped.
 */
static void sim_shutdown(struct chip_dev *dev)
{
	struct sim *s = sim_of(dev);
	struct sim_waiter w;
	struct sim_run *r;
	int inited = 0;

	pthread_mutex_lock(&s->lock);
	s->stopping = 1;		/* nothing starts any more */
	waiter_init(&w, 0);
	while ((r = s->running)) {
		__atomic_store_n(&s->abort, 1, __ATOMIC_RELAXED);
		w.seq = r->seq;
		sleep_on(s, &w, 0, &inited);
	}
	while ((r = s->queue)) {
		s->queue = r->next;
		set_result(r, CHIP_STATUS_CANCELLED, "cancelled");
		finish(s, r);
	}
	s->queue_tail = &s->queue;
	pthread_cond_signal(&s->kick);
	wake_waiters(s, NULL);
	pthread_mutex_unlock(&s->lock);
	if (inited)
		pthread_cond_destroy(&w.cond);
}

static void sim_close(struct chip_dev *dev)
{
	struct sim *s = sim_of(dev);
	struct chipc_cid slot;
	struct sim_run *r;
	uint32_t i;

	sim_shutdown(dev);
	chipc_thread_join(&s->thread);
	chipc_device_fini(&s->cdev);
	/* Completions nobody consumed still hold their code. */
	while ((r = s->done)) {
		s->done = r->next;
		chipc_dedup_put(&s->dedup, r->code);
		free(r->graph);
		free(r->load_data);
		free(r);
	}
	while (!chipc_registry_pop(&s->reg, &slot))
		chipc_dedup_put(&s->dedup, slot.code);
	chipc_registry_fini(&s->reg);
	chipc_dedup_fini(&s->dedup);
	for (i = 0; i < s->vm.count; i++)
		host_free(s, &s->vm.maps[i]);
	chipc_vm_fini(&s->vm);
	chipc_space_fini(&s->code_space);
	chipc_space_fini(&s->bo_space);
	free_list(s->cache);
	free(s->heap);
	pthread_cond_destroy(&s->kick);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->vm_lock);
	free(s);
	dev->priv = NULL;
}

static int sim_info(struct chip_dev *dev, struct chip_info *info)
{
	struct sim *s = sim_of(dev);
	const struct chipc_platform *p = chipc_platform_get(s->platform);

	info->platform = s->platform;
	info->simulated = 1;
	info->max_blocks = p->max_blocks;
	info->max_aicpu_threads = p->max_aicpu_threads;
	info->aic_cores = p->max_blocks;
	info->aiv_cores = 2 * p->max_blocks;
	info->local_aic = CHIP_LOCAL_AIC;
	info->local_aiv = CHIP_LOCAL_AIV;
	info->gm_size = s->gm_size;
	info->heap_va = SIM_HEAP_VA;
	info->heap_size = s->heap_size;
	snprintf(info->name, sizeof(info->name), "%s", dev->name);
	return 0;
}

/*
 * A buffer's device address, as the driver places it: the lowest free
 * range of the context's buffer space (chipc_space_alloc()), at most
 * CHIPC_MAX_BOS buffers, created or imported.  @m is filled but for its
 * host memory.  vm_lock held.  Returns 0 or -ENOSPC.
 */
static int bo_place(struct sim *s, uint64_t size, struct chipc_map *m)
{
	int rc;

	memset(m, 0, sizeof(*m));
	if (s->vm.count >= CHIPC_MAX_BOS)
		return -ENOSPC;
	rc = chipc_space_alloc(&s->bo_space, size, &m->va);
	if (rc)
		return rc == -ENOMEM ? -ENOMEM : -ENOSPC;
	m->size = size;
	m->prot = CHIPC_PROT_READ | CHIPC_PROT_WRITE;
	return 0;
}

/* Give @m's device range back.  vm_lock held. */
static void bo_unplace(struct sim *s, const struct chipc_map *m)
{
	chipc_space_free(&s->bo_space, m->va, m->size);
}

static int sim_mem_alloc(struct chip_dev *dev, uint64_t size, uint64_t *addr)
{
	struct sim *s = sim_of(dev);
	struct chipc_map m;
	uint64_t rounded;
	void *p;
	int rc;

	/*
	 * Device memory is host memory here: a size the host cannot provide,
	 * like one past the configured size or the buffer address range,
	 * is device memory exhausted.
	 */
	if (size > s->gm_size || size > CHIPC_CODE_BASE - CHIPC_BO_BASE)
		return -ENOSPC;
	rounded = (size + SIM_PAGE - 1) & ~(SIM_PAGE - 1);
	pthread_mutex_lock(&s->vm_lock);
	rc = -ENOSPC;
	if (rounded > s->gm_size - s->gm_used)
		goto out;
	rc = bo_place(s, size, &m);
	if (rc)
		goto out;
	rc = -ENOMEM;
	if (posix_memalign(&p, SIM_PAGE, rounded)) {
		bo_unplace(s, &m);
		goto out;
	}
	memset(p, 0, rounded);
	m.host = p;
	rc = chipc_vm_insert(&s->vm, &m);
	if (rc) {
		free(p);
		bo_unplace(s, &m);
		goto out;
	}
	s->gm_used += rounded;
	*addr = m.va;
out:
	pthread_mutex_unlock(&s->vm_lock);
	return rc;
}

static int sim_mem_free(struct chip_dev *dev, uint64_t addr)
{
	struct sim *s = sim_of(dev);
	struct chipc_map m;
	int rc;

	pthread_mutex_lock(&s->vm_lock);
	rc = chipc_vm_remove(&s->vm, addr, &m);
	if (!rc) {
		bo_unplace(s, &m);
		if (!host_free(s, &m))
			s->gm_used -= (m.size + SIM_PAGE - 1) & ~(SIM_PAGE - 1);
	}
	pthread_mutex_unlock(&s->vm_lock);
	return rc;
}

static int sim_copy(struct chip_dev *dev, uint64_t va, void *host, uint64_t n,
		    int to_dev)
{
	struct sim *s = sim_of(dev);
	u8 *p;

	pthread_mutex_lock(&s->vm_lock);
	p = chipc_vm_translate(&s->vm, va, n,
			       to_dev ? CHIPC_PROT_WRITE : CHIPC_PROT_READ);
	if (p) {
		if (to_dev)
			memcpy(p, host, n);
		else
			memcpy(host, p, n);
	}
	pthread_mutex_unlock(&s->vm_lock);
	return p ? 0 : -EFAULT;
}

static int sim_copy_to(struct chip_dev *dev, uint64_t dst, const void *src,
		       uint64_t n)
{
	return sim_copy(dev, dst, (void *)src, n, 1);
}

static int sim_copy_from(struct chip_dev *dev, void *dst, uint64_t src,
			 uint64_t n)
{
	return sim_copy(dev, src, dst, n, 0);
}

static int sim_reg(struct chip_dev *dev, int32_t cid, const void *img,
		   size_t len)
{
	struct sim *s = sim_of(dev);
	struct chipc_code *code;
	void *copy;
	bool hit;
	u64 key;
	int rc;

	if (cid < 0 || cid >= CHIP_MAX_CIDS)
		return -EINVAL;
	/*
	 * Work on a private copy, as the kernel does: never on the caller's.
	 * The dedup key is computed while copying.
	 */
	copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	key = chipc_copy_key(copy, img, len);

	pthread_mutex_lock(&s->lock);
	if (chipc_registry_get(&s->reg, cid)) {
		rc = -EBUSY;
		goto out;
	}
	rc = chipc_dedup_get_key(&s->dedup, copy, len, key, s->platform, &code,
				 &hit);
	if (rc)
		goto out;
	rc = chipc_registry_add(&s->reg, cid, code, NULL);
	if (rc) {
		chipc_dedup_put(&s->dedup, code);
		goto out;
	}
	/* The device loads the orchestration program at registration. */
	if (code->runtime == CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER)
		s->orch_loads++;
out:
	pthread_mutex_unlock(&s->lock);
	free(copy);
	return rc;
}

static int sim_unreg(struct chip_dev *dev, int32_t cid)
{
	struct sim *s = sim_of(dev);
	struct chipc_cid slot;
	int rc;

	pthread_mutex_lock(&s->lock);
	rc = chipc_registry_remove(&s->reg, cid, &slot);
	if (!rc)
		chipc_dedup_put(&s->dedup, slot.code);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/*
 * The checks of a request that need no lock, in request.c's order: sizes
 * and options, store ranges, load ranges, the blobs, then (vm_lock) the
 * store ranges' and the load ranges' mappings.  @args and @graph point into @req's blobs, which are the
 * front end's private copies.
 */
static int fences_check(const struct chip_submit_req *req);

static int check_req(struct sim *s, const struct chip_submit_req *req,
		     struct chipc_args *args, struct chipc_graph *graph)
{
	const struct chipc_request_limits lim = { 0 };
	const struct chipc_request rq = {
		.args_size = req->args_len,
		.graph_size = req->graph ? req->graph_len : 0,
		.nstores = req->nstores,
		.nloads = req->nloads,
		.timeout_ns = req->timeout_ns,
		.span_cap = req->timeline ? req->timeline_cap : 0,
	};
	uint64_t total = 0, ltotal = 0;
	uint32_t i;
	int rc;

	rc = chipc_request_check(&lim, &rq);
	for (i = 0; !rc && i < req->nstores; i++)
		rc = chipc_request_check_store(&lim, req->stores[i].dev_addr,
					       (uintptr_t)req->stores[i].host,
					       req->stores[i].size, &total);
	for (i = 0; !rc && i < req->nloads; i++)
		rc = chipc_request_check_load(&lim, req->loads[i].dev_addr,
					      (uintptr_t)req->loads[i].host,
					      req->loads[i].size, &ltotal);
	if (!rc && req->nin_fences)
		rc = fences_check(req);
	if (!rc)
		rc = chipc_args_parse(req->args, req->args_len, args);
	if (!rc && req->graph)
		rc = chipc_graph_parse(req->graph, req->graph_len, graph);
	if (rc || (!req->nstores && !req->nloads))
		return rc;
	pthread_mutex_lock(&s->vm_lock);
	for (i = 0; !rc && i < req->nstores; i++)
		rc = chipc_request_check_mapped(&s->vm,
						req->stores[i].dev_addr,
						req->stores[i].size);
	for (i = 0; !rc && i < req->nloads; i++)
		rc = chipc_request_check_mapped_load(&s->vm,
						     req->loads[i].dev_addr,
						     req->loads[i].size);
	pthread_mutex_unlock(&s->vm_lock);
	return rc;
}

/* Read the loads' host bytes into @r (the submitter's copy may change). */
static int snap_loads(struct sim_run *r, const struct chip_submit_req *req)
{
	uint64_t total = 0, off = 0;
	uint32_t i;

	for (i = 0; i < req->nloads; i++)
		total += req->loads[i].size;	/* checked: <= 64 MiB */
	r->load_data = malloc(total);
	if (!r->load_data)
		return -ENOMEM;
	for (i = 0; i < req->nloads; i++) {
		memcpy(r->load_data + off, req->loads[i].host,
		       req->loads[i].size);
		r->loads[i] = req->loads[i];
		r->loads[i].host = r->load_data + off;
		off += req->loads[i].size;
	}
	r->nloads = req->nloads;
	return 0;
}

static struct sim_run *run_alloc(struct sim *s, size_t args_len)
{
	struct sim_run *r = s->cache;

	if (r && r->args_cap >= args_len) {
		s->cache = r->next;
		s->ncache--;
		return r;
	}
	r = malloc(sizeof(*r) + (args_len < 64 ? 64 : args_len));
	if (r)
		r->args_cap = args_len < 64 ? 64 : args_len;
	return r;
}

static int fences_take(struct sim_fences *f,
		       const struct chip_submit_req *req);

/*
 * Bind a checked request to its cid's code and queue it: the last checks
 * (registration, the device's own, the run limit), in request.c's order.
 * s->lock held.  Returns 0 and the queued run in *@out, or -errno.
 */
static int enqueue_locked(struct sim *s, const struct chip_submit_req *req,
			  const struct chipc_args *args,
			  const struct chipc_graph *graph, int sync,
			  struct sim_run **out)
{
	const struct chipc_cid *slot;
	struct chipc_run_req creq;
	struct sim_run *r;
	int rc;

	if (s->stopping)
		return -EBADF;
	slot = chipc_registry_get(&s->reg, req->cid);
	if (!slot)
		return -ENOENT;
	memset(&creq, 0, sizeof(creq));
	creq.code = slot->code;
	creq.args = args;
	creq.graph = req->graph ? graph : NULL;
	creq.block_dim = req->block_dim;
	creq.aicpu_threads = req->aicpu_threads;
	creq.vm = &s->vm;
	creq.heap_size = s->heap_size;
	rc = chipc_run_check(&s->cdev, &creq);
	if (rc)
		return rc;
	if (s->nruns >= CHIPC_MAX_RUNS)
		return -EBUSY;

	r = run_alloc(s, req->args_len);
	if (!r)
		return -ENOMEM;
	r->graph = NULL;
	if (req->graph) {
		r->graph = malloc(req->graph_len);
		if (!r->graph) {
			free(r);
			return -ENOMEM;
		}
		memcpy(r->graph, req->graph, req->graph_len);
	}
	r->load_data = NULL;
	r->nloads = 0;
	if (req->nloads) {
		rc = snap_loads(r, req);
		if (rc) {
			free(r->graph);
			free(r);
			return rc;
		}
	}
	rc = fences_take(&r->fences, req);
	if (rc) {
		free(r->graph);
		free(r->load_data);
		free(r);
		return rc;
	}
	r->graph_len = req->graph ? req->graph_len : 0;
	memcpy(r->args, req->args, req->args_len);
	r->args_len = req->args_len;
	r->block_dim = req->block_dim;
	r->aicpu_threads = req->aicpu_threads;
	r->timeout_ns = req->timeout_ns;
	r->insn_budget = req->insn_budget;
	r->timeline = req->timeline;
	r->timeline_cap = req->timeline_cap;
	r->nspans = 0;
	r->nstores = req->nstores;
	if (req->nstores)
		memcpy(r->stores, req->stores,
		       req->nstores * sizeof(r->stores[0]));
	memset(&r->res, 0, sizeof(r->res));
	r->code = slot->code;
	chipc_dedup_ref(r->code);
	r->sync = sync;
	r->seq = ++s->next_seq;
	r->res.seq = r->seq;
	r->state = RUN_QUEUED;
	r->next = NULL;
	*s->queue_tail = r;
	s->queue_tail = &r->next;
	s->nruns++;
	if (!sync)
		s->async_pending++;
	*out = r;
	return 0;
}

static void waiter_init(struct sim_waiter *w, uint64_t seq)
{
	memset(w, 0, sizeof(*w));
	w->seq = seq;
}

/*
 * Sleep until a completion meets @w's condition, or @deadline (0: none).
 * Whoever sleeps makes sure somebody executes the queue.  s->lock held.
 * Returns -ETIMEDOUT once @deadline has passed.
 */
static int sleep_on(struct sim *s, struct sim_waiter *w, uint64_t deadline,
		    int *inited)
{
	struct sim_waiter **pp;
	struct timespec ts;

	if (deadline && chip_now_ns() >= deadline)
		return -ETIMEDOUT;
	handoff(s);
	if (!*inited) {
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&w->cond, &ca);
		pthread_condattr_destroy(&ca);
		*inited = 1;
	}
	w->next = s->waiters;
	s->waiters = w;
	if (!deadline) {
		pthread_cond_wait(&w->cond, &s->lock);
	} else {
		ts.tv_sec = (time_t)(deadline / 1000000000ull);
		ts.tv_nsec = (long)(deadline % 1000000000ull);
		pthread_cond_timedwait(&w->cond, &s->lock, &ts);
	}
	for (pp = &s->waiters; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	}
	return 0;
}

static int sim_submit(struct chip_dev *dev, const struct chip_submit_req *req,
		      uint64_t *seq)
{
	struct sim *s = sim_of(dev);
	struct chipc_graph graph;
	struct chipc_args args;
	struct sim_run *r;
	int rc;

	rc = check_req(s, req, &args, &graph);
	if (rc)
		return rc;
	pthread_mutex_lock(&s->lock);
	rc = enqueue_locked(s, req, &args, &graph, 0, &r);
	if (!rc) {
		*seq = r->seq;
		kick_submitted(s);
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* A batch: checked one by one, queued under one lock, one wake-up. */
static int sim_submit_many(struct chip_dev *dev,
			   const struct chip_submit_req *reqs, int n,
			   uint64_t *seqs, int *rets)
{
	struct sim *s = sim_of(dev);
	struct chipc_graph graph;
	struct chipc_args args;
	struct sim_run *r;
	int i;

	for (i = 0; i < n; i++)
		rets[i] = check_req(s, &reqs[i], &args, &graph);
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < n; i++) {
		seqs[i] = 0;
		if (rets[i])
			continue;
		/* Re-point into the blobs: parsing cannot fail twice. */
		chipc_args_parse(reqs[i].args, reqs[i].args_len, &args);
		if (reqs[i].graph)
			chipc_graph_parse(reqs[i].graph, reqs[i].graph_len,
					  &graph);
		rets[i] = enqueue_locked(s, &reqs[i], &args, &graph, 0, &r);
		if (!rets[i])
			seqs[i] = r->seq;
	}
	kick_submitted(s);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* chip_run(): queue, execute or wait, take the completion; nobody else can. */
static int sim_run(struct chip_dev *dev, const struct chip_submit_req *req,
		   struct chip_run_result *res)
{
	struct sim *s = sim_of(dev);
	struct chipc_graph graph;
	struct chipc_args args;
	struct sim_waiter w;
	struct sim_run *r;
	int rc, inited = 0;

	rc = check_req(s, req, &args, &graph);
	if (rc)
		return rc;
	pthread_mutex_lock(&s->lock);
	rc = enqueue_locked(s, req, &args, &graph, 1, &r);
	if (rc) {
		pthread_mutex_unlock(&s->lock);
		return rc;
	}
	waiter_init(&w, r->seq);
	while (r->state != RUN_DONE) {
		if (!run_next(s))
			sleep_on(s, &w, 0, &inited);
	}
	*res = r->res;
	release(s, r);
	handoff(s);
	pthread_mutex_unlock(&s->lock);
	if (inited)
		pthread_cond_destroy(&w.cond);
	return 0;
}

/* Is chip_submit() run @seq queued or running?  s->lock held. */
static int in_flight(struct sim *s, uint64_t seq)
{
	struct sim_run *r;

	if (s->running && s->running->seq == seq)
		return !s->running->sync;
	for (r = s->queue; r; r = r->next)
		if (r->seq == seq)
			return !r->sync;
	return 0;
}

/* Take the completion @seq (0: the oldest) off the done list. */
static int take_done(struct sim *s, uint64_t seq, struct chip_run_result *res)
{
	struct sim_run **pp, *r;

	for (pp = &s->done; (r = *pp); pp = &r->next) {
		if (seq && r->seq != seq)
			continue;
		*pp = r->next;
		if (s->done_tail == &r->next)
			s->done_tail = pp;
		s->ndone--;
		*res = r->res;
		release(s, r);
		return 0;
	}
	return -ENOENT;
}

static int sim_wait(struct chip_dev *dev, uint64_t seq, uint64_t deadline,
		    struct chip_run_result *res)
{
	struct sim *s = sim_of(dev);
	struct sim_waiter w;
	int rc, inited = 0;

	waiter_init(&w, seq);
	pthread_mutex_lock(&s->lock);
	for (;;) {
		rc = take_done(s, seq, res);
		if (!rc)
			break;
		if (!in_flight(s, seq)) {
			rc = -ENOENT;
			break;
		}
		if (!deadline && run_next(s))
			continue;
		rc = sleep_on(s, &w, deadline, &inited);
		if (rc)
			break;
	}
	handoff(s);
	pthread_mutex_unlock(&s->lock);
	if (inited)
		pthread_cond_destroy(&w.cond);
	return rc;
}

static int sim_reap(struct chip_dev *dev, struct chip_run_result *out, int max,
		    int min, uint64_t deadline)
{
	struct sim *s = sim_of(dev);
	struct sim_waiter w;
	int n = 0, inited = 0;

	waiter_init(&w, 0);
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (n < max && !take_done(s, 0, &out[n]))
			n++;
		/* Nothing of chip_submit() left in flight: no more will come. */
		if (n >= min || !s->async_pending)
			break;
		if (!deadline && run_next(s))
			continue;
		w.count = (uint32_t)(min - n);
		if (sleep_on(s, &w, deadline, &inited))
			break;
	}
	handoff(s);
	pthread_mutex_unlock(&s->lock);
	if (inited)
		pthread_cond_destroy(&w.cond);
	return n;
}

static int sim_counters(struct chip_dev *dev, struct chip_counters *c)
{
	struct sim *s = sim_of(dev);

	pthread_mutex_lock(&s->lock);
	c->orch_loads = s->orch_loads;
	c->dedup_hits = s->dedup.hits;
	c->dedup_misses = s->dedup.misses;
	c->resident_bytes = s->dedup.resident_bytes;
	c->resident_callables = s->dedup.entries;
	c->registered = s->reg.count;
	memcpy(c->runs, s->runs, sizeof(c->runs));
	pthread_mutex_unlock(&s->lock);
	pthread_mutex_lock(&s->vm_lock);
	c->gm_used = s->gm_used;
	pthread_mutex_unlock(&s->vm_lock);
	return 0;
}

static int sim_set_hash_mask(struct chip_dev *dev, uint64_t mask)
{
	struct sim *s = sim_of(dev);

	pthread_mutex_lock(&s->lock);
	s->dedup.hash_mask = mask;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* The table is this handle's own: every entry may be listed. */
static int sim_dedup_list(struct chip_dev *dev, uint32_t *scope,
			  struct chip_resident *out, int max)
{
	struct sim *s = sim_of(dev);
	const struct chipc_code *c;
	int n = 0;
	u32 b;

	if (scope)
		*scope = CHIP_DEDUP_SCOPE_FILE;
	pthread_mutex_lock(&s->lock);
	for (b = 0; b < CHIPC_DEDUP_BUCKETS; b++) {
		for (c = s->dedup.buckets[b]; c; c = c->next, n++) {
			struct chip_resident *r;

			if (n >= max)
				continue;
			r = &out[n];
			r->hash = c->key;
			r->size = c->layout.total_size;
			r->refs = chipc_ref_read(&c->refs);
			r->runtime = c->runtime;
			r->children = c->layout.child_count;
			r->cids = chipc_registry_cids_of(&s->reg, c);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* ---- fences ----------------------------------------------------------- */

/*
 * A run fd carries its run's outcome as the driver's fences do: the
 * driver signals a run's fence with an error from its status
 * (chipc_status_errno() of kernel/core/request.c), and a run one of whose
 * in-fences signalled with an error is cancelled without executing,
 * "an in-fence failed (<error>)", its own fence then carrying
 * -ECANCELED.  The simulated backend's run fds are eventfds, and the
 * error travels in the counter itself, which every duplicate of the fd
 * shares, also in another process that received it over a unix socket:
 * the retiring run writes
 *
 *	SIM_FENCE_TAG << 48 | error << 32 | 0xffffffff
 *
 * (error the positive errno, 0 for success), and the waiting run reads
 * it back from /proc/self/fdinfo ("eventfd-count"), which does not
 * change it.  Reads of the fd take 1 each (semaphore mode) from the low
 * 32 bits only.  Not a table of the fds handed out: all eventfds share
 * one inode (fstat() cannot tell them apart), and an fd number says
 * nothing once it was closed and reused, duplicated or sent to another
 * process.  A counter without the tag (an eventfd of the caller's own,
 * or of an older libchip) is a success whatever its value.  A
 * sync_file's error is its status (SYNC_IOC_FILE_INFO).
 */
#define SIM_FENCE_TAG	0xc41full

/*
 * What the simulated backend waits for: its own run fds and user
 * eventfds (readable once the counter is non-zero) and sync_files of a
 * kernel (readable once signalled).  -EINVAL for anything else: a file
 * that is always readable would order nothing.
 */
static int fence_kind_ok(int fd)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	return !strcmp(link, "anon_inode:[eventfd]") ||
	       !strcmp(link, "anon_inode:sync_file");
}

static int fences_check(const struct chip_submit_req *req)
{
	uint32_t i;

	for (i = 0; i < req->nin_fences; i++)
		if (!fence_kind_ok(req->in_fences[i]))
			return -EINVAL;
	return 0;
}

/* @req's fences into a queued run: the in-fences duplicated. */
static int fences_take(struct sim_fences *f, const struct chip_submit_req *req)
{
	uint32_t i;

	memset(f, 0, sizeof(*f));
	f->flags = req->sync ? 0 : req->flags;
	for (i = 0; i < req->nin_fences; i++) {
		f->in[i] = fcntl(req->in_fences[i], F_DUPFD_CLOEXEC, 0);
		if (f->in[i] < 0) {
			int rc = -errno;

			while (i--)
				close(f->in[i]);
			return rc;
		}
	}
	f->nin = req->nin_fences;
	return 0;
}

/*
 * The signalled state, with @err (-errno, 0: success): a counter no
 * read of it drains, that says the error (see above).
 */
static void fence_signal(int fd, int err)
{
	uint64_t v = SIM_FENCE_TAG << 48 | (uint64_t)(-err & 0xffff) << 32 |
		     0xffffffffull;
	ssize_t n;

	do {
		n = write(fd, &v, sizeof(v));
	} while (n < 0 && errno == EINTR);
}

/*
 * The error of signalled in-fence @fd: a tagged eventfd counter's error,
 * a sync_file's status; 0 for success and for anything else.
 */
static int fence_error(int fd)
{
	struct sync_file_info info;
	char path[64], buf[512], *p;
	uint64_t v;
	ssize_t n;
	int pfd;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	pfd = open(path, O_RDONLY | O_CLOEXEC);
	if (pfd < 0)
		return 0;
	do {
		n = read(pfd, buf, sizeof(buf) - 1);
	} while (n < 0 && errno == EINTR);
	close(pfd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strstr(buf, "eventfd-count:");
	if (!p) {
		/* fences_check() let only eventfds and sync_files in. */
		memset(&info, 0, sizeof(info));
		if (ioctl(fd, SYNC_IOC_FILE_INFO, &info) || info.status >= 0)
			return 0;
		return info.status;
	}
	v = strtoull(p + strlen("eventfd-count:"), NULL, 16);
	if (v >> 48 != SIM_FENCE_TAG)
		return 0;
	return -(int)((v >> 32) & 0xffff);
}

/*
 * The run retired (or was cancelled) with @status: signal its fds with
 * the error of that status, drop its fences.
 */
static void fences_retire(struct sim_fences *f, uint32_t status)
{
	int err = chipc_status_errno(status);
	uint32_t i;

	for (i = 0; i < f->nin; i++)
		close(f->in[i]);
	f->nin = 0;
	for (i = 0; i < f->nsig; i++) {
		fence_signal(f->sig[i], err);
		close(f->sig[i]);
	}
	free(f->sig);
	f->sig = NULL;
	f->nsig = f->sig_cap = 0;
}

/*
 * Before @r starts: wait until every in-fence is readable.  The runs of
 * this handle wait behind it, as they would behind a long run (they
 * execute in order); other handles have their own device thread.
 * chip_close() (s->abort) cancels the wait within a slice.  A fence
 * that signalled with an error cancels @r, as the driver does (the
 * error of the last such fence in @r's order is named).  Returns 0, or
 * -ECANCELED with @r's result set.
 */
static int fences_wait(struct sim *s, struct sim_run *r)
{
	struct pollfd pfd[CHIP_MAX_IN_FENCES];
	struct sim_fences *f = &r->fences;
	uint32_t i, n = 0;
	int err = 0, e;

	for (i = 0; i < f->nin; i++) {
		pfd[n].fd = f->in[i];
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		n++;
	}
	while (n) {
		if (__atomic_load_n(&s->abort, __ATOMIC_RELAXED)) {
			set_result(r, CHIP_STATUS_CANCELLED, "cancelled");
			return -ECANCELED;
		}
		if (poll(pfd, n, 50) <= 0)
			continue;
		for (i = 0; i < n;) {
			if (pfd[i].revents) {
				pfd[i] = pfd[--n];
				continue;
			}
			i++;
		}
	}
	for (i = 0; i < f->nin; i++) {
		e = fence_error(f->in[i]);
		if (e)
			err = e;
	}
	if (err) {
		r->res.status = CHIP_STATUS_CANCELLED;
		snprintf(r->res.msg, sizeof(r->res.msg),
			 "an in-fence failed (%d)", err);
		return -ECANCELED;
	}
	return 0;
}

/* The run @seq of chip_submit() not consumed yet.  s->lock held. */
static struct sim_run *find_run(struct sim *s, uint64_t seq)
{
	struct sim_run *r;

	if (s->running && s->running->seq == seq)
		return s->running;
	for (r = s->queue; r; r = r->next)
		if (r->seq == seq)
			return r;
	for (r = s->done; r; r = r->next)
		if (r->seq == seq)
			return r;
	return NULL;
}

static int sim_run_fd(struct chip_dev *dev, uint64_t seq, int *fdp)
{
	struct sim *s = sim_of(dev);
	struct sim_fences *f;
	struct sim_run *r;
	int fd, mine, rc = 0;

	fd = eventfd(0, EFD_CLOEXEC | EFD_SEMAPHORE);
	if (fd < 0)
		return -errno;
	pthread_mutex_lock(&s->lock);
	r = find_run(s, seq);
	if (!r || r->sync || !(r->fences.flags & CHIP_RUN_FENCE)) {
		rc = -ENOENT;
		goto out;
	}
	if (r->state == RUN_DONE) {
		fence_signal(fd, chipc_status_errno(r->res.status));
		goto out;
	}
	f = &r->fences;
	if (f->nsig == f->sig_cap) {
		uint32_t cap = f->sig_cap ? 2 * f->sig_cap : 2;
		int *sig = realloc(f->sig, cap * sizeof(*sig));

		if (!sig) {
			rc = -ENOMEM;
			goto out;
		}
		f->sig = sig;
		f->sig_cap = cap;
	}
	mine = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (mine < 0) {
		rc = -errno;
		goto out;
	}
	f->sig[f->nsig++] = mine;
out:
	pthread_mutex_unlock(&s->lock);
	if (rc)
		close(fd);
	else
		*fdp = fd;
	return rc;
}

/* ---- buffer sharing ----------------------------------------------------- */

static struct sim_shared *shared_find(struct sim *s, uint64_t va)
{
	struct sim_shared *sh;

	for (sh = s->shared; sh; sh = sh->next)
		if (sh->va == va)
			return sh;
	return NULL;
}

/*
 * Release the host memory of mapping @m: a shared one is unmapped.
 * Returns 1 for an imported buffer (not counted in gm_used, as the
 * driver counts only the objects a file created).
 */
static int host_free(struct sim *s, const struct chipc_map *m)
{
	struct sim_shared **pp, *sh;
	int imported;

	for (pp = &s->shared; (sh = *pp); pp = &sh->next) {
		if (sh->va != m->va)
			continue;
		*pp = sh->next;
		imported = sh->imported;
		munmap(sh->host, sh->len);
		close(sh->memfd);
		free(sh);
		return imported;
	}
	free(m->host);
	return 0;
}

/*
 * Export: the buffer moves into a memfd (once; its bytes copied) that
 * replaces its host memory, so that other handles can map the same
 * pages.  vm_lock keeps the device thread off it meanwhile.
 */
static int sim_export(struct chip_dev *dev, uint64_t addr, int *fdp)
{
	struct sim *s = sim_of(dev);
	const struct chipc_map *cm;
	struct sim_shared *sh;
	struct chipc_map m;
	struct stat st;
	size_t len;
	void *p;
	int rc, fd;

	pthread_mutex_lock(&s->vm_lock);
	cm = chipc_vm_find(&s->vm, addr);
	if (!cm || cm->va != addr) {
		rc = -ENOENT;
		goto out;
	}
	sh = shared_find(s, addr);
	if (!sh) {
		rc = -ENOMEM;
		sh = calloc(1, sizeof(*sh));
		if (!sh)
			goto out;
		len = (size_t)((cm->size + SIM_PAGE - 1) & ~(SIM_PAGE - 1));
		sh->memfd = memfd_create("chip-sim-buffer", MFD_CLOEXEC);
		if (sh->memfd < 0 || ftruncate(sh->memfd, (off_t)cm->size) ||
		    fstat(sh->memfd, &st)) {
			rc = errno == EMFILE ? -EMFILE : -ENOMEM;
			goto err;
		}
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 sh->memfd, 0);
		if (p == MAP_FAILED)
			goto err;
		memcpy(p, cm->host, cm->size);
		chipc_vm_remove(&s->vm, addr, &m);
		free(m.host);
		m.host = p;
		chipc_vm_insert(&s->vm, &m);	/* the slot just freed */
		sh->va = addr;
		sh->host = p;
		sh->len = len;
		sh->st_dev = st.st_dev;
		sh->st_ino = st.st_ino;
		sh->next = s->shared;
		s->shared = sh;
	}
	fd = fcntl(sh->memfd, F_DUPFD_CLOEXEC, 0);
	rc = fd < 0 ? -errno : 0;
	if (!rc)
		*fdp = fd;
	goto out;
err:
	if (sh->memfd >= 0)
		close(sh->memfd);
	free(sh);
out:
	pthread_mutex_unlock(&s->vm_lock);
	return rc;
}

/*
 * Import: map the memfd at a device address of this handle, as a new
 * allocation; a buffer already mapped here keeps its address.
 */
static int sim_import(struct chip_dev *dev, int fd, uint64_t *addr,
		      uint64_t *size)
{
	struct sim *s = sim_of(dev);
	struct sim_shared *sh;
	struct chipc_map m;
	struct stat st;
	uint64_t rounded;
	void *p;
	int rc;

	/* Only a memfd has seals: anything else is not a sim buffer. */
	if (fcntl(fd, F_GET_SEALS) < 0 || fstat(fd, &st) || st.st_size <= 0)
		return -EINVAL;
	pthread_mutex_lock(&s->vm_lock);
	for (sh = s->shared; sh; sh = sh->next) {
		if (sh->st_dev == st.st_dev && sh->st_ino == st.st_ino) {
			*addr = sh->va;
			*size = chipc_vm_find(&s->vm, sh->va)->size;
			rc = 0;
			goto out;
		}
	}
	rounded = ((uint64_t)st.st_size + SIM_PAGE - 1) & ~(SIM_PAGE - 1);
	rc = bo_place(s, (uint64_t)st.st_size, &m);
	if (rc)
		goto out;
	rc = -ENOMEM;
	sh = calloc(1, sizeof(*sh));
	if (!sh) {
		bo_unplace(s, &m);
		goto out;
	}
	sh->memfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (sh->memfd < 0) {
		rc = -errno;
		free(sh);
		bo_unplace(s, &m);
		goto out;
	}
	p = mmap(NULL, (size_t)rounded, PROT_READ | PROT_WRITE, MAP_SHARED,
		 sh->memfd, 0);
	if (p == MAP_FAILED) {
		rc = errno == EACCES ? -EINVAL : -ENOMEM;
		close(sh->memfd);
		free(sh);
		bo_unplace(s, &m);
		goto out;
	}
	m.host = p;
	rc = chipc_vm_insert(&s->vm, &m);
	if (rc) {
		munmap(p, (size_t)rounded);
		close(sh->memfd);
		free(sh);
		bo_unplace(s, &m);
		goto out;
	}
	sh->va = m.va;
	sh->host = p;
	sh->len = (size_t)rounded;
	sh->st_dev = st.st_dev;
	sh->st_ino = st.st_ino;
	sh->next = s->shared;
	s->shared = sh;
	sh->imported = 1;
	*addr = m.va;
	*size = m.size;
out:
	pthread_mutex_unlock(&s->vm_lock);
	return rc;
}

const struct chip_backend_ops chip_sim_backend = {
	.name = "sim",
	.open = sim_open,
	.close = sim_close,
	.info = sim_info,
	.mem_alloc = sim_mem_alloc,
	.mem_free = sim_mem_free,
	.copy_to = sim_copy_to,
	.copy_from = sim_copy_from,
	.reg = sim_reg,
	.unreg = sim_unreg,
	.submit = sim_submit,
	.submit_many = sim_submit_many,
	.run = sim_run,
	.wait = sim_wait,
	.reap = sim_reap,
	.counters = sim_counters,
	.set_hash_mask = sim_set_hash_mask,
	.dedup_list = sim_dedup_list,
	.run_fd = sim_run_fd,
	.export_buf = sim_export,
	.import_buf = sim_import,
	.shutdown = sim_shutdown,
};
