// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * chip core: the emulated device.
 *
 * A device is its configuration, its scheduler state (sched.c) and a
 * fixed set of worker threads that play the AIC/AIV cores.  A run is
 * executed by chipc_device_run() in the caller's thread, which plays the
 * AICPU: it sets the run up, hands it to the runtime, waits for the cores
 * to drain and reports one status.
 */
#include "chipc.h"
#include "chipc_sched.h"

/* How often the end of a run re-checks that every core has stopped. */
#define CHIPC_DRAIN_POLL_NS	(10ull * 1000 * 1000)

static_assert(sizeof(((struct chipc_run_result *)0)->msg) ==
	      sizeof(((struct chipc_fault *)0)->msg),
	      "a failure's message is copied whole into the result");

static bool is_pow2(u32 v)
{
	return v && !(v & (v - 1));
}

static int worker_main(void *arg)
{
	struct chipc_worker *w = arg;
	struct chipc_sched *s = w->s;

	chipc_mutex_lock(&s->lock);
	while (!s->stop)
		if (!chipc_sched_run_one(s, w))
			chipc_cond_wait(&s->work, &s->lock, 0);
	chipc_mutex_unlock(&s->lock);
	return 0;
}

static void stop_workers(struct chipc_sched *s, u32 started)
{
	u32 i;

	chipc_mutex_lock(&s->lock);
	s->stop = true;
	chipc_cond_broadcast(&s->work);
	chipc_mutex_unlock(&s->lock);
	for (i = 0; i < started; i++)
		chipc_thread_join(&s->workers[i].thread);
}

/**
 * chipc_device_init() - start an emulated device
 * @dev: the device to fill
 * @cfg: platform, worker threads (1..16), ring window (a power of two,
 *	4..65536) and dependency pool (64..4194304)
 *
 * All scheduler state is allocated here, sized by @cfg, and the worker
 * threads are started; runs allocate nothing.
 *
 * Return: 0; -EINVAL for a bad configuration; -ENOMEM; the error of a
 * thread that failed to start.
 */
int chipc_device_init(struct chipc_device *dev,
		      const struct chipc_device_cfg *cfg)
{
	const struct chipc_platform *plat = chipc_platform_get(cfg->platform);
	struct chipc_sched *s;
	u32 i;
	int rc;

	memset(dev, 0, sizeof(*dev));
	if (!plat || !cfg->workers || cfg->workers > CHIPC_MAX_WORKERS ||
	    !is_pow2(cfg->ring_window) || cfg->ring_window < CHIPC_MIN_RING ||
	    cfg->ring_window > CHIPC_MAX_RING ||
	    cfg->dep_pool < CHIPC_MIN_DEP_POOL ||
	    cfg->dep_pool > CHIPC_MAX_DEP_POOL)
		return -EINVAL;

	s = chipc_sched_create(cfg);
	if (!s)
		return -ENOMEM;
	for (i = 0; i < cfg->workers; i++) {
		rc = chipc_thread_start(&s->workers[i].thread, worker_main,
					&s->workers[i], "chip-core");
		if (rc) {
			stop_workers(s, i);
			chipc_sched_destroy(s);
			return rc;
		}
	}
	dev->plat = plat;
	dev->cfg = *cfg;
	dev->sched = s;
	chipc_functab_init(&dev->functab);
	return 0;
}

/**
 * chipc_device_fini() - stop the workers and free the device's state
 * @dev: a device chipc_device_init() started; no run in progress
 */
void chipc_device_fini(struct chipc_device *dev)
{
	if (!dev->sched)
		return;
	stop_workers(dev->sched, dev->sched->nworkers);
	chipc_sched_destroy(dev->sched);
	dev->sched = NULL;
}

/**
 * chipc_run_check() - validate a run request against the device
 * @dev: the device
 * @req: the request
 *
 * Every submission path calls this before queuing a run.  Checks that
 * the code, arguments and address space are given, that the code was
 * built for this platform, block_dim (1..max_blocks) and aicpu_threads
 * (1..max_aicpu_threads), that tensormap_and_ringbuffer has an
 * orchestration program and no graph, and host_build_graph a graph whose
 * heap use fits the heap.
 *
 * Return: 0 or -EINVAL.
 */
int chipc_run_check(const struct chipc_device *dev,
		    const struct chipc_run_req *req)
{
	const struct chipc_platform *plat = dev->plat;
	const struct chipc_code *code = req->code;
	const struct chipc_args *a = req->args;

	if (!code || !a || !req->vm || code->platform != plat->id)
		return -EINVAL;
	if (a->tensor_count > CHIP_MAX_TENSOR_ARGS ||
	    a->scalar_count > CHIP_MAX_SCALAR_ARGS)
		return -EINVAL;
	if (!req->block_dim || req->block_dim > plat->max_blocks ||
	    req->block_dim > CHIPC_MAX_BLOCKS)
		return -EINVAL;
	if (!req->aicpu_threads ||
	    req->aicpu_threads > plat->max_aicpu_threads)
		return -EINVAL;
	switch (code->runtime) {
	case CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER:
		if (req->graph || !code->orch.count)
			return -EINVAL;
		return 0;
	case CHIP_RUNTIME_HOST_BUILD_GRAPH:
		if (!req->graph || !req->graph->hdr ||
		    req->graph->hdr->heap_bytes > req->heap_size)
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

/* Reset the run state and open it to the workers; lock held. */
static void run_begin(struct chipc_device *dev,
		      const struct chipc_run_req *req, u64 start)
{
	struct chipc_sched *s = dev->sched;
	struct chipc_run *r = &s->run;
	u64 timeout = req->timeout_ns ? req->timeout_ns : CHIPC_DEFAULT_TIMEOUT;
	u32 t, i;

	memset(r, 0, offsetof(struct chipc_run, fail));
	r->req = req;
	r->ft = &dev->functab;
	r->runtime = req->code->runtime;
	r->env.vm = req->vm;
	r->env.heap_va = req->heap_va;
	r->env.heap_size = req->heap_size;
	r->env.heap_host = req->heap_host;
	r->env.deadline_ns = start + timeout < start ? ~0ull : start + timeout;
	r->env.now_ns = start;
	r->start_ns = start;
	if (req->spans && req->span_cap) {
		r->spans = req->spans;
		r->span_cap = CHIPC_MIN(req->span_cap, CHIPC_MAX_SPANS);
	}
	r->env.insn_budget = req->insn_budget;
	r->env.abort = &r->abort;
	r->env.cancel = req->abort;
	r->ncores[CHIP_CORE_AIC] = req->block_dim;
	r->ncores[CHIP_CORE_AIV] = 2 * req->block_dim;
	for (t = CHIP_CORE_AIC; t <= CHIP_CORE_AIV; t++) {
		for (i = 0; i < r->ncores[t]; i++)
			r->free_core[t][i] = (u8)(r->ncores[t] - 1 - i);
		r->nfree[t] = r->ncores[t];
	}
	s->gen++;
	r->active = true;
}

/* Wait for every core to stop, drop what is left; lock held. */
static void run_end(struct chipc_sched *s)
{
	struct chipc_run *r = &s->run;

	/*
	 * After a failure the abort flag is set and the deadline bounds
	 * every execution, so cores stop within one interpreter check.
	 */
	while (r->running)
		chipc_cond_wait(&s->done, &s->lock,
				chipc_now_ns() + CHIPC_DRAIN_POLL_NS);
	chipc_sched_drop(s);
}

/**
 * chipc_device_run() - execute one run to completion
 * @dev: the device; runs on it are serialised by the caller
 * @req: the request (see chipc_run_check())
 * @res: the outcome
 *
 * Rebinds the func_id table from @req->code, runs the request's runtime
 * with the caller's thread as the AICPU and the workers as cores, and
 * waits until no core executes anything of this run.  The first failure
 * is reported; an invalid request is CHIP_STATUS_INVALID.
 */
void chipc_device_run(struct chipc_device *dev, const struct chipc_run_req *req,
		      struct chipc_run_result *res)
{
	struct chipc_sched *s = dev->sched;
	struct chipc_run *r = &s->run;
	u64 start = chipc_now_ns();

	memset(res, 0, sizeof(*res));
	if (chipc_run_check(dev, req)) {
		res->status = CHIP_STATUS_INVALID;
		memcpy(res->msg, "invalid run request", 20);
		res->device_ns = chipc_now_ns() - start;
		return;
	}
	chipc_functab_bind(&dev->functab, req->code);

	chipc_mutex_lock(&s->lock);
	run_begin(dev, req, start);
	if (!chipc_sched_check_at(s, start)) {
		chipc_mutex_unlock(&s->lock);
		if (r->runtime == CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER)
			chipc_trb_run(s);
		else
			chipc_graph_run(s);
		chipc_mutex_lock(&s->lock);
	}
	run_end(s);
	res->tasks = r->tasks;
	res->insns = r->insns;
	res->spans = r->nspans;
	if (r->failed) {
		res->status = r->fail.status;
		res->code = r->fail.code;
		res->fault_addr = r->fail.addr;
		memcpy(res->msg, r->fail.msg, sizeof(res->msg));
	}
	chipc_mutex_unlock(&s->lock);
	res->device_ns = chipc_now_ns() - start;
}
