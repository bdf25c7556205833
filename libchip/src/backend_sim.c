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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "internal.h"
#include "chipc.h"

#define SIM_GM_DEFAULT		(256ull << 20)
#define SIM_HEAP_DEFAULT	(16ull << 20)
#define SIM_WORKERS_DEFAULT	4
#define SIM_WINDOW_DEFAULT	1024
#define SIM_MAX_BUFFERS		65536
#define SIM_PAGE		4096ull
#define SIM_GUARD		(64ull << 10)	/* unmapped gap between buffers */
#define SIM_BO_BASE		0x0000100000000000ull
#define SIM_HEAP_VA		0x0000080000000000ull
#define SIM_CODE_BASE		0x0000400000000000ull

enum run_state { RUN_QUEUED, RUN_RUNNING, RUN_DONE };

struct sim_run {
	struct sim_run *next;
	uint64_t seq;
	int32_t cid;
	enum run_state state;
	uint32_t block_dim;
	uint32_t aicpu_threads;
	uint64_t timeout_ns;
	uint64_t insn_budget;
	uint32_t nstores;
	struct chip_store stores[CHIP_MAX_STORES];
	struct chip_run_result res;
	size_t args_len;
	size_t graph_len;
	unsigned char *graph;
	unsigned char args[];		/* args_len bytes */
};

struct sim {
	uint32_t platform;
	uint64_t gm_size;
	uint64_t gm_used;
	uint64_t bo_next;
	struct chipc_vm vm;
	pthread_mutex_t vm_lock;

	pthread_mutex_t lock;
	pthread_cond_t kick;		/* the device thread: work queued */
	int dev_idle;			/* the device thread sleeps on kick */
	struct sim_waiter *waiters;	/* blocked in wait/reap */
	uint32_t ndone;
	struct chipc_dedup dedup;
	struct chipc_registry reg;
	uint64_t code_next;
	uint64_t orch_loads;
	uint64_t runs[CHIP_STATUS_COUNT];
	struct sim_run *queue, **queue_tail;
	struct sim_run *running;
	struct sim_run *done, **done_tail;
	uint64_t next_seq;
	int stopping;
	int abort;			/* cancels the running run */

	unsigned char *heap;
	uint64_t heap_size;

	struct chipc_device cdev;
	struct chipc_thread thread;
};

static struct sim *sim_of(struct chip_dev *dev)
{
	return dev->priv;
}

/* ---- device memory for resident code ---------------------------------- */

static int code_alloc(void *priv, u32 size, u64 *dev_addr, u8 **host,
		      void **cookie)
{
	struct sim *s = priv;
	void *p;

	if (posix_memalign(&p, 64, size))
		return -ENOMEM;
	*dev_addr = s->code_next;
	s->code_next += (size + SIM_GUARD + SIM_PAGE - 1) & ~(SIM_PAGE - 1);
	*host = p;
	*cookie = p;
	return 0;
}

static void code_free(void *priv, void *cookie)
{
	free(cookie);
}

/* ---- the device thread -------------------------------------------------- */

/*
 * A thread blocked in wait (for @seq) or reap (for @count completions).
 * Completions wake only the waiters whose condition they meet: a wake-up
 * costs microseconds, more than a null run.
 */
struct sim_waiter {
	struct sim_waiter *next;
	pthread_cond_t cond;
	uint64_t seq;			/* wait: this run; 0 for reap */
	uint32_t count;			/* reap: this many completions */
};

static void wake_waiters(struct sim *s, const struct sim_run *r)
{
	int idle = !s->queue && !s->running;
	struct sim_waiter *w;

	for (w = s->waiters; w; w = w->next)
		if (w->seq ? (r && w->seq == r->seq) :
			     (s->ndone >= w->count || idle))
			pthread_cond_signal(&w->cond);
}

static void finish(struct sim *s, struct sim_run *r)
{
	r->state = RUN_DONE;
	if (r->res.status < CHIP_STATUS_COUNT)
		s->runs[r->res.status]++;
	r->next = NULL;
	*s->done_tail = r;
	s->done_tail = &r->next;
	s->ndone++;
	wake_waiters(s, r);
}

static void set_result(struct sim_run *r, uint32_t status, const char *msg)
{
	r->res.status = status;
	snprintf(r->res.msg, sizeof(r->res.msg), "%s", msg);
}

/* Execute @r on the device; @code is the cid's code, referenced. */
static void execute(struct sim *s, struct sim_run *r, struct chipc_code *code)
{
	struct chipc_run_result cres;
	struct chipc_run_req req;
	struct chipc_graph graph;
	struct chipc_args args;
	uint32_t i;

	memset(&req, 0, sizeof(req));
	if (!code) {
		set_result(r, CHIP_STATUS_INVALID, "cid not registered");
		return;
	}

	if (chipc_args_parse(r->args, r->args_len, &args)) {
		set_result(r, CHIP_STATUS_INVALID, "malformed arguments");
		return;
	}
	req.code = code;
	req.args = &args;
	if (r->graph) {
		if (chipc_graph_parse(r->graph, r->graph_len, &graph)) {
			set_result(r, CHIP_STATUS_INVALID, "malformed graph");
			return;
		}
		req.graph = &graph;
	}
	req.block_dim = r->block_dim;
	req.aicpu_threads = r->aicpu_threads;
	req.timeout_ns = r->timeout_ns;
	req.insn_budget = r->insn_budget;
	req.vm = &s->vm;
	req.heap_va = SIM_HEAP_VA;
	req.heap_size = s->heap_size;
	req.heap_host = s->heap;
	req.abort = &s->abort;
	if (chipc_run_check(&s->cdev, &req)) {
		set_result(r, CHIP_STATUS_INVALID, "rejected by the device");
		return;
	}

	pthread_mutex_lock(&s->vm_lock);
	chipc_device_run(&s->cdev, &req, &cres);
	r->res.status = cres.status;
	r->res.code = cres.code;
	r->res.fault_addr = cres.fault_addr;
	r->res.tasks = cres.tasks;
	r->res.insns = cres.insns;
	r->res.device_ns = cres.device_ns;
	memcpy(r->res.msg, cres.msg, sizeof(r->res.msg));
	r->res.msg[sizeof(r->res.msg) - 1] = 0;
	/* Store-to-host: after success, before the completion is visible. */
	for (i = 0; cres.status == CHIP_STATUS_OK && i < r->nstores; i++) {
		const struct chip_store *st = &r->stores[i];
		const u8 *src = chipc_vm_translate(&s->vm, st->dev_addr,
						   st->size, CHIPC_PROT_READ);

		if (!src) {
			set_result(r, CHIP_STATUS_FAULT, "store range not mapped");
			r->res.code = CHIP_FAULT_READ;
			r->res.fault_addr = st->dev_addr;
			break;
		}
		memcpy(st->host, src, st->size);
	}
	pthread_mutex_unlock(&s->vm_lock);
}

/*
 * Execute the next queued run in the calling thread, if the device is
 * free.  Runs execute one at a time, in submission order, in whichever
 * thread gets here first: the device thread, or a caller blocked in
 * wait/reap that would otherwise sleep (no hand-off, no wake-up).
 * Called and returns with s->lock held.  Returns 1 if it ran one.
 */
static int run_next(struct sim *s)
{
	struct sim_run *r = s->queue;
	const struct chipc_cid *slot;
	struct chipc_code *code = NULL;

	if (!r || s->running || s->stopping)
		return 0;
	s->queue = r->next;
	if (!s->queue)
		s->queue_tail = &s->queue;
	r->state = RUN_RUNNING;
	s->running = r;
	s->abort = 0;
	/* The cid as it is now; the reference keeps its code alive. */
	slot = chipc_registry_get(&s->reg, r->cid);
	if (slot) {
		code = slot->code;
		chipc_dedup_ref(code);
	}
	pthread_mutex_unlock(&s->lock);

	execute(s, r, code);

	pthread_mutex_lock(&s->lock);
	if (code)
		chipc_dedup_put(&s->dedup, code);
	s->running = NULL;
	finish(s, r);
	return 1;
}

static int device_thread(void *arg)
{
	struct sim *s = arg;

	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		if (run_next(s))
			continue;
		s->dev_idle = 1;
		pthread_cond_wait(&s->kick, &s->lock);
		s->dev_idle = 0;
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
	s->bo_next = SIM_BO_BASE;
	s->code_next = SIM_CODE_BASE;
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

	rc = chipc_vm_init(&s->vm, SIM_MAX_BUFFERS);
	if (rc)
		goto err_free;
	rc = -ENOMEM;
	if (posix_memalign((void **)&s->heap, 64, s->heap_size))
		goto err_vm;
	memset(s->heap, 0, s->heap_size);

	memset(&cfg, 0, sizeof(cfg));
	cfg.platform = platform;
	cfg.workers = o->workers ? o->workers : SIM_WORKERS_DEFAULT;
	cfg.ring_window = o->ring_window ? o->ring_window : SIM_WINDOW_DEFAULT;
	cfg.dep_pool = cfg.ring_window * 8;
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
err_free:
	pthread_cond_destroy(&s->kick);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->vm_lock);
	free(s);
	return rc;
}

static void free_list(struct sim_run *r)
{
	while (r) {
		struct sim_run *n = r->next;

		free(r->graph);
		free(r);
		r = n;
	}
}

static void sim_shutdown(struct chip_dev *dev)
{
	struct sim *s = sim_of(dev);
	struct sim_run *r;

	pthread_mutex_lock(&s->lock);
	/* Cancel what is queued; stop what runs. */
	while ((r = s->queue)) {
		s->queue = r->next;
		set_result(r, CHIP_STATUS_CANCELLED, "device closed");
		finish(s, r);
	}
	s->queue_tail = &s->queue;
	if (s->running)
		s->abort = 1;
	s->stopping = 1;
	pthread_cond_signal(&s->kick);
	wake_waiters(s, NULL);
	pthread_mutex_unlock(&s->lock);
}

static void sim_close(struct chip_dev *dev)
{
	struct sim *s = sim_of(dev);
	struct chipc_cid slot;
	uint32_t i;

	sim_shutdown(dev);
	chipc_thread_join(&s->thread);
	chipc_device_fini(&s->cdev);
	for (i = 0; i < CHIP_MAX_CIDS; i++)
		if (!chipc_registry_remove(&s->reg, (s32)i, &slot))
			chipc_dedup_put(&s->dedup, slot.code);
	chipc_dedup_fini(&s->dedup);
	for (i = 0; i < s->vm.count; i++)
		free(s->vm.maps[i].host);
	chipc_vm_fini(&s->vm);
	free_list(s->done);
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

static int sim_mem_alloc(struct chip_dev *dev, uint64_t size, uint64_t *addr)
{
	struct sim *s = sim_of(dev);
	struct chipc_map m;
	uint64_t rounded;
	void *p;
	int rc;

	if (size > s->gm_size)
		return -ENOSPC;
	rounded = (size + SIM_PAGE - 1) & ~(SIM_PAGE - 1);
	pthread_mutex_lock(&s->vm_lock);
	rc = -ENOSPC;
	if (s->gm_used + rounded > s->gm_size)
		goto out;
	rc = -ENOMEM;
	if (posix_memalign(&p, SIM_PAGE, rounded))
		goto out;
	memset(p, 0, rounded);
	memset(&m, 0, sizeof(m));
	m.va = s->bo_next;
	m.size = size;
	m.host = p;
	m.prot = CHIPC_PROT_READ | CHIPC_PROT_WRITE;
	rc = chipc_vm_insert(&s->vm, &m);
	if (rc) {
		free(p);
		goto out;
	}
	s->bo_next += rounded + SIM_GUARD;
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
		s->gm_used -= (m.size + SIM_PAGE - 1) & ~(SIM_PAGE - 1);
		free(m.host);
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

static int sim_submit(struct chip_dev *dev, const struct chip_submit_req *req,
		      uint64_t *seq)
{
	struct sim *s = sim_of(dev);
	const struct chipc_platform *p = chipc_platform_get(s->platform);
	struct chipc_args args;
	struct chipc_graph graph;
	const struct chipc_cid *slot;
	struct sim_run *r;
	int rc;

	/* The checks a submission fails synchronously with. */
	rc = chipc_args_parse(req->args, req->args_len, &args);
	if (rc)
		return rc;
	if (req->graph) {
		rc = chipc_graph_parse(req->graph, req->graph_len, &graph);
		if (rc)
			return rc;
		if (graph.hdr->heap_bytes > s->heap_size)
			return -EINVAL;
	}
	if (req->block_dim < 1 || req->block_dim > p->max_blocks ||
	    req->aicpu_threads < 1 ||
	    req->aicpu_threads > p->max_aicpu_threads)
		return -EINVAL;

	r = malloc(sizeof(*r) + req->args_len);
	if (!r)
		return -ENOMEM;
	memset(r, 0, sizeof(*r));
	memcpy(r->args, req->args, req->args_len);
	r->args_len = req->args_len;
	if (req->graph) {
		r->graph = malloc(req->graph_len);
		if (!r->graph) {
			free(r);
			return -ENOMEM;
		}
		memcpy(r->graph, req->graph, req->graph_len);
		r->graph_len = req->graph_len;
	}
	r->cid = req->cid;
	r->block_dim = req->block_dim;
	r->aicpu_threads = req->aicpu_threads;
	r->timeout_ns = req->timeout_ns;
	r->insn_budget = req->insn_budget;
	r->nstores = req->nstores;
	if (req->nstores)
		memcpy(r->stores, req->stores,
		       req->nstores * sizeof(r->stores[0]));

	pthread_mutex_lock(&s->lock);
	slot = chipc_registry_get(&s->reg, req->cid);
	if (!slot || s->stopping ||
	    (slot->code->runtime == CHIP_RUNTIME_HOST_BUILD_GRAPH) !=
	    (req->graph != NULL)) {
		rc = !slot ? -ENOENT : s->stopping ? -EBADF : -EINVAL;
		pthread_mutex_unlock(&s->lock);
		free(r->graph);
		free(r);
		return rc;
	}
	r->seq = ++s->next_seq;
	r->res.seq = r->seq;
	r->state = RUN_QUEUED;
	*s->queue_tail = r;
	s->queue_tail = &r->next;
	*seq = r->seq;
	/* A synchronous caller executes the run itself: no wake-up. */
	if (!req->sync && s->dev_idle)
		pthread_cond_signal(&s->kick);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* Is @seq queued or running?  Called with s->lock held. */
static int in_flight(struct sim *s, uint64_t seq)
{
	struct sim_run *r;

	if (s->running && s->running->seq == seq)
		return 1;
	for (r = s->queue; r; r = r->next)
		if (r->seq == seq)
			return 1;
	return 0;
}

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
		free(r->graph);
		free(r);
		return 0;
	}
	return -ENOENT;
}

/*
 * Block until @w's condition or @deadline.  With no deadline the caller
 * executes queued runs itself while the device is free; with one it only
 * sleeps (a run cannot be interrupted to honour the caller's deadline) and
 * makes sure the device thread is awake.
 */
static int block(struct sim *s, struct sim_waiter *w, uint64_t deadline)
{
	struct sim_waiter **pp;
	struct timespec ts;

	if (!deadline && run_next(s))
		return 0;
	if (deadline && chip_now_ns() >= deadline)
		return -ETIMEDOUT;
	if (s->queue && s->dev_idle)
		pthread_cond_signal(&s->kick);
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

static void waiter_init(struct sim_waiter *w, uint64_t seq, uint32_t count)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &ca);
	pthread_condattr_destroy(&ca);
	w->seq = seq;
	w->count = count;
	w->next = NULL;
}

static int sim_wait(struct chip_dev *dev, uint64_t seq, uint64_t deadline,
		    struct chip_run_result *res)
{
	struct sim *s = sim_of(dev);
	struct sim_waiter w;
	int rc;

	waiter_init(&w, seq, 0);
	pthread_mutex_lock(&s->lock);
	for (;;) {
		rc = take_done(s, seq, res);
		if (!rc || !seq || !in_flight(s, seq))
			break;
		if (block(s, &w, deadline)) {
			rc = -ETIMEDOUT;
			break;
		}
	}
	pthread_mutex_unlock(&s->lock);
	pthread_cond_destroy(&w.cond);
	return rc;
}

static int sim_reap(struct chip_dev *dev, struct chip_run_result *out, int max,
		    int min, uint64_t deadline)
{
	struct sim *s = sim_of(dev);
	struct sim_waiter w;
	int n = 0;

	waiter_init(&w, 0, 0);
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (n < max && !take_done(s, 0, &out[n]))
			n++;
		if (n >= min || (!s->queue && !s->running))
			break;
		w.count = (uint32_t)(min - n);
		if (block(s, &w, deadline))
			break;
	}
	pthread_mutex_unlock(&s->lock);
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
	.wait = sim_wait,
	.reap = sim_reap,
	.counters = sim_counters,
	.set_hash_mask = sim_set_hash_mask,
	.shutdown = sim_shutdown,
};
