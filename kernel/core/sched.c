// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * chip core: the scheduler of the emulated device.
 *
 * One run at a time.  The caller's thread is the AICPU orchestrator; the
 * device's worker threads are the AIC/AIV cores.  Both runtimes feed two
 * ready queues (AIC, AIV) of task indices; a worker takes a task when a
 * core of its type is free and completes it under the scheduler lock.
 *
 * tensormap_and_ringbuffer: tasks live in ring slots from SUBMIT until
 * they complete.  Each live tensor argument is a region record, indexed
 * by address chunk; a new task depends on every live task whose region
 * overlaps one of its own in a conflicting way (RAW, WAR, WAW).
 *
 * host_build_graph: the graph's edges give each task its fanin; the
 * successor lists are rebuilt per run in O(tasks + edges).
 *
 * Documentation/runtimes.rst has the full picture.
 */
#include "chipc.h"
#include "chipc_sched.h"

/*
 * Region index: a record is chained in the bucket of the 64 KiB chunk it
 * starts in when it spans at most CHIPC_SPAN chunks, else in the wide
 * chain that every lookup walks.  A lookup visits the buckets of the
 * chunks that could hold an overlapping narrow record; past
 * CHIPC_SCAN_MAX buckets it walks the live tasks' records instead.
 */
#define CHIPC_CHUNK_SHIFT	16
#define CHIPC_SPAN		4u
#define CHIPC_SCAN_MAX		64u

#define CHIPC_MSG_LEN		sizeof(((struct chipc_fault *)0)->msg)

/* @pre, then (when @post is not NULL) @num in decimal and @post. */
static void chipc_msg(char *dst, const char *pre, s32 num, const char *post)
{
	char d[12];
	u32 v = num < 0 ? 0u - (u32)num : (u32)num;
	size_t n = 0, k = 0;

	for (; *pre && n + 1 < CHIPC_MSG_LEN; pre++)
		dst[n++] = *pre;
	if (post) {
		if (num < 0 && n + 1 < CHIPC_MSG_LEN)
			dst[n++] = '-';
		do {
			d[k++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		while (k && n + 1 < CHIPC_MSG_LEN)
			dst[n++] = d[--k];
		for (; *post && n + 1 < CHIPC_MSG_LEN; post++)
			dst[n++] = *post;
	}
	dst[n] = '\0';
}

/* ------------------------------------------------------------------ */
/* state                                                                */

static size_t carve(size_t *total, size_t bytes)
{
	size_t at = *total;

	*total = CHIPC_ALIGN_UP(at + bytes, (size_t)64);
	return at;
}

static u32 pow2_at_least(u32 n)
{
	u32 p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/**
 * chipc_sched_create() - allocate every piece of scheduler state
 * @cfg: a validated device configuration
 *
 * Task slots (ring_window), region records and fanout edges (dep_pool
 * each), the region index, two ready queues, the host_build_graph arrays
 * and each worker's local memory live in one allocation made here; runs
 * only take from and give back to its free stacks.  Worker threads are
 * started by the caller.
 *
 * Return: the scheduler, or NULL when out of memory.
 */
struct chipc_sched *chipc_sched_create(const struct chipc_device_cfg *cfg)
{
	u32 win = cfg->ring_window, pool = cfg->dep_pool, nb, qcap, i;
	size_t n = 0, o_slots, o_order, o_deps, o_recs, o_rfree, o_edges;
	size_t o_efree, o_heads, o_q0, o_q1, o_gfanin, o_goff, o_gsucc;
	size_t o_local, o_workers;
	struct chipc_sched *s;
	u8 *mem;

	nb = pow2_at_least(pool);
	qcap = CHIPC_MAX(win, pow2_at_least(CHIP_GRAPH_MAX_TASKS));

	o_workers = carve(&n, sizeof(struct chipc_worker) * (cfg->workers + 1));
	o_slots = carve(&n, sizeof(struct chipc_slot) * win);
	o_order = carve(&n, sizeof(u32) * win);
	o_deps = carve(&n, sizeof(u32) * win);
	o_recs = carve(&n, sizeof(struct chipc_region) * pool);
	o_rfree = carve(&n, sizeof(u32) * pool);
	o_edges = carve(&n, sizeof(struct chipc_edge) * pool);
	o_efree = carve(&n, sizeof(u32) * pool);
	o_heads = carve(&n, sizeof(u32) * (nb + 1));
	o_q0 = carve(&n, sizeof(u32) * qcap);
	o_q1 = carve(&n, sizeof(u32) * qcap);
	o_gfanin = carve(&n, sizeof(u32) * CHIP_GRAPH_MAX_TASKS);
	o_goff = carve(&n, sizeof(u32) * (CHIP_GRAPH_MAX_TASKS + 1));
	o_gsucc = carve(&n, sizeof(u32) * CHIP_GRAPH_MAX_EDGES);
	o_local = carve(&n, (size_t)CHIPC_LOCAL_MAX * (cfg->workers + 1));

	s = chipc_zalloc(sizeof(*s));
	if (!s)
		return NULL;
	mem = chipc_zalloc(n);
	if (!mem) {
		chipc_free(s);
		return NULL;
	}
	s->mem = mem;
	s->cfg = *cfg;
	s->workers = (struct chipc_worker *)(mem + o_workers);
	s->slots = (struct chipc_slot *)(mem + o_slots);
	s->slot_order = (u32 *)(mem + o_order);
	s->deps = (u32 *)(mem + o_deps);
	s->recs = (struct chipc_region *)(mem + o_recs);
	s->rec_free = (u32 *)(mem + o_rfree);
	s->edges = (struct chipc_edge *)(mem + o_edges);
	s->edge_free = (u32 *)(mem + o_efree);
	s->heads = (u32 *)(mem + o_heads);
	s->ready[0].q = (u32 *)(mem + o_q0);
	s->ready[1].q = (u32 *)(mem + o_q1);
	s->ready[0].mask = qcap - 1;
	s->ready[1].mask = qcap - 1;
	s->gfanin = (u32 *)(mem + o_gfanin);
	s->goff = (u32 *)(mem + o_goff);
	s->gsucc = (u32 *)(mem + o_gsucc);

	for (i = 0; i < win; i++) {
		s->slot_order[i] = i;
		s->slots[i].pos = i;
	}
	s->nfree_slots = win;
	for (i = 0; i < pool; i++) {
		s->rec_free[i] = pool - 1 - i;
		s->edge_free[i] = pool - 1 - i;
	}
	s->nrec_free = pool;
	s->nedge_free = pool;
	s->nbuckets = nb;
	s->bucket_shift = 64;
	while (nb >> (64 - s->bucket_shift) > 1)
		s->bucket_shift--;
	for (i = 0; i <= nb; i++)
		s->heads[i] = CHIPC_NIL;

	s->nworkers = cfg->workers;
	/* workers[nworkers] has no thread: the orchestrator uses it. */
	for (i = 0; i <= cfg->workers; i++) {
		s->workers[i].s = s;
		s->workers[i].core.local = mem + o_local +
					   (size_t)CHIPC_LOCAL_MAX * i;
	}
	chipc_mutex_init(&s->lock);
	chipc_cond_init(&s->work);
	chipc_cond_init(&s->done);
	return s;
}

/**
 * chipc_sched_destroy() - free what chipc_sched_create() allocated
 * @s: the scheduler; its workers have been joined
 */
void chipc_sched_destroy(struct chipc_sched *s)
{
	chipc_cond_destroy(&s->done);
	chipc_cond_destroy(&s->work);
	chipc_mutex_destroy(&s->lock);
	chipc_free(s->mem);
	chipc_free(s);
}

/* ------------------------------------------------------------------ */
/* failures, waiting                                                    */

/**
 * chipc_sched_fail_fault() - record a failure of the current run
 * @s: the scheduler, lock held
 * @f: what went wrong
 *
 * The first failure of a run is the one reported; later ones are
 * dropped.  Recording one sets the run's abort flag, so that cores stop
 * at their next check and no further task is dispatched.
 */
void chipc_sched_fail_fault(struct chipc_sched *s, const struct chipc_fault *f)
{
	struct chipc_run *r = &s->run;

	if (r->failed)
		return;
	r->failed = true;
	r->fail = *f;
	r->fail.msg[CHIPC_MSG_LEN - 1] = '\0';
	CHIPC_WRITE_ONCE(r->abort, 1);
	chipc_cond_broadcast(&s->done);
}

/**
 * chipc_sched_fail() - record a failure without a fault address
 * @s: the scheduler, lock held
 * @status: CHIP_STATUS_*
 * @code: its code
 * @msg: a short description
 */
void chipc_sched_fail(struct chipc_sched *s, u32 status, s32 code,
		      const char *msg)
{
	struct chipc_fault f;

	memset(&f, 0, sizeof(f));
	f.status = status;
	f.code = code;
	chipc_msg(f.msg, msg, 0, NULL);
	chipc_sched_fail_fault(s, &f);
}

/* Record an external cancellation (lock held); true if there is one. */
static bool sched_cancelled(struct chipc_sched *s)
{
	const int *ext = s->run.req->abort;

	if (!ext || !CHIPC_READ_ONCE(*ext))
		return false;
	chipc_sched_fail(s, CHIP_STATUS_CANCELLED, 0, "run cancelled");
	return true;
}

/**
 * chipc_sched_check() - is the current run still going?
 * @s: the scheduler, lock held
 *
 * Notices an external cancellation and the watchdog deadline, and
 * records them as the run's failure.
 *
 * Return: 0 while the run may go on, -1 once it has failed.
 */
int chipc_sched_check(struct chipc_sched *s)
{
	return chipc_sched_check_at(s, chipc_now_ns());
}

int chipc_sched_check_at(struct chipc_sched *s, u64 now)
{
	struct chipc_run *r = &s->run;

	if (r->failed || sched_cancelled(s))
		return -1;
	if (now >= r->env.deadline_ns) {
		chipc_sched_fail(s, CHIP_STATUS_TIMEOUT, 0,
				 "watchdog deadline expired");
		return -1;
	}
	return 0;
}

/**
 * chipc_sched_wait() - let a task complete
 * @s: the scheduler, lock held
 *
 * Called by the orchestrator wherever it waits for a task to complete.
 * When a task is ready and a core of its type is free, the orchestrator
 * executes it itself (as workers[nworkers]) instead of sleeping: a
 * sleeping thread's wake-up costs more than a small task.  Otherwise it
 * sleeps, waking at the latest at the run's deadline, and every
 * CHIPC_ABORT_POLL_NS when the run can be cancelled from outside, so that
 * chipc_sched_check() sees it.  Spurious wake-ups are possible.
 */
void chipc_sched_wait(struct chipc_sched *s)
{
	struct chipc_run *r = &s->run;
	u64 dl = r->env.deadline_ns;

	if (chipc_sched_run_one(s, &s->workers[s->nworkers]))
		return;
	if (r->req->abort)
		dl = CHIPC_MIN(dl, chipc_now_ns() + CHIPC_ABORT_POLL_NS);
	chipc_cond_wait(&s->done, &s->lock, dl);
}

/* ------------------------------------------------------------------ */
/* ready queues, workers                                                */

static void queue_push(struct chipc_queue *q, u32 idx)
{
	q->q[q->tail++ & q->mask] = idx;
}

/*
 * Tasks were made ready; lock held.  The thread that made them ready (a
 * worker looping for its next task, or the orchestrator, which runs ready
 * tasks whenever it waits) takes them, and another worker is woken only
 * for more than one ready task that, judging by the tasks so far, runs
 * long enough to be worth a wake-up.  One worker is woken per call; a
 * worker that finds more work keeps going.  Long executions wake workers
 * for what is ready from their periodic tick (see tick()).
 */
static void kick_workers(struct chipc_sched *s)
{
	u32 n = (s->ready[0].tail - s->ready[0].head) +
		(s->ready[1].tail - s->ready[1].head);

	if (!n)
		return;
	if (n > 1 && s->task_ns >= CHIPC_WAKE_WORTH_NS)
		chipc_cond_signal(&s->work);
}

/**
 * chipc_sched_pick() - take a ready task for a free emulated core
 * @s: the scheduler, lock held
 * @w: the worker that will run it; its core is set up for the task
 * @type: CHIP_CORE_AIC or CHIP_CORE_AIV
 * @idx: the task (ring slot or graph task index)
 *
 * Return: true when a task was taken.
 */
bool chipc_sched_pick(struct chipc_sched *s, struct chipc_worker *w,
		      u32 *type, u32 *idx)
{
	struct chipc_run *r = &s->run;
	struct chipc_queue *q;
	u32 t;

	if (!r->active || r->failed)
		return false;
	for (t = CHIP_CORE_AIC; t <= CHIP_CORE_AIV; t++) {
		q = &s->ready[t];
		if (q->head == q->tail || !r->nfree[t])
			continue;
		*type = t;
		*idx = q->q[q->head++ & q->mask];
		w->core.core_type = t;
		w->core.local_cap = t == CHIP_CORE_AIC ? CHIP_LOCAL_AIC :
							 CHIP_LOCAL_AIV;
		w->core.index = r->free_core[t][--r->nfree[t]];
		w->core.count = r->ncores[t];
		w->core.insns = 0;
		r->running++;
		return true;
	}
	return false;
}

/**
 * chipc_sched_task() - what a picked task runs, and with which arguments
 * @s: the scheduler (lock not needed: the task is the worker's own)
 * @w: the worker that picked it
 * @idx: the task
 * @args: its argument values
 * @sizes: their byte sizes (0 for a scalar)
 * @nargs: their number
 *
 * Return: the child program to execute.
 */
const struct chipc_prog *chipc_sched_task(struct chipc_sched *s,
					  struct chipc_worker *w, u32 idx,
					  const u64 **args, const u64 **sizes,
					  u32 *nargs)
{
	const struct chipc_run *r = &s->run;
	const struct chipc_graph *g = r->req->graph;
	const struct chip_graph_task *gt;
	const struct chipc_slot *sl;
	u32 i;

	if (r->runtime == CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER) {
		sl = &s->slots[idx];
		*args = sl->args;
		*sizes = sl->sizes;
		*nargs = sl->nargs;
		return &sl->fn->prog;
	}
	gt = &g->tasks[idx];
	for (i = 0; i < gt->arg_count; i++) {
		w->args[i] = g->args[gt->arg_first + i].value;
		w->sizes[i] = g->args[gt->arg_first + i].size;
	}
	*args = w->args;
	*sizes = w->sizes;
	*nargs = gt->arg_count;
	return &r->ft->fn[gt->func_id]->prog;
}

static bool trb_complete(struct chipc_sched *s, u32 idx, bool ok);
static bool graph_complete(struct chipc_sched *s, u32 idx, bool ok);
static const struct chipc_orch_ops task_ops;

/**
 * chipc_sched_run_one() - execute one ready task on @w, if there is one
 * @s: the scheduler, lock held (dropped while the task executes)
 * @w: a worker thread, or the orchestrator's workers[nworkers]
 *
 * Return: true when a task was executed (and completed).
 */
bool chipc_sched_run_one(struct chipc_sched *s, struct chipc_worker *w)
{
	const struct chipc_prog *prog;
	const u64 *args, *sizes;
	u32 type, idx, nargs;
	bool clean;
	int rc;

	if (!chipc_sched_pick(s, w, &type, &idx))
		return false;
	/* A run never sees what an earlier run left in local memory. */
	clean = w->clean_gen != s->gen;
	w->clean_gen = s->gen;
	chipc_mutex_unlock(&s->lock);

	/* Only what an earlier run touched can be non-zero. */
	if (clean) {
		memset(w->core.local, 0, w->core.dirty);
		w->core.dirty = 0;
	}
	prog = chipc_sched_task(s, w, idx, &args, &sizes, &nargs);
	w->task_ns = chipc_now_ns();
	w->task_start = w->task_ns;
	rc = chipc_exec(&w->core, &s->run.env, prog, args, sizes, nargs,
			&task_ops, w, &w->fault);
	w->task_ns = chipc_now_ns() - w->task_ns;

	chipc_mutex_lock(&s->lock);
	chipc_sched_complete(s, w, type, idx, rc);
	return true;
}

/*
 * Record a completed task in the run's timeline; lock held, which
 * serialises the cores' completions, so a slot index needs no atomics.
 * The core is freed under the same lock, so the core's next task starts
 * after this one's end.  Tasks beyond the capacity are only counted.
 */
static void record_span(struct chipc_sched *s, const struct chipc_worker *w,
			u32 type, u32 idx)
{
	struct chipc_run *r = &s->run;
	struct chipc_span *sp;

	if (r->nspans >= r->span_cap)
		return;
	sp = &r->spans[r->nspans++];
	sp->start_ns = w->task_start - r->start_ns;
	sp->end_ns = sp->start_ns + w->task_ns;
	if (r->runtime == CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER) {
		sp->task = (u32)s->slots[idx].id;
		sp->func_id = s->slots[idx].fn->func_id;
	} else {
		sp->task = idx;
		sp->func_id = r->req->graph->tasks[idx].func_id;
	}
	sp->core = (u16)w->core.index;
	sp->core_type = (u16)type;
	sp->pad = 0;
}

/**
 * chipc_sched_complete() - retire a task a worker has executed
 * @s: the scheduler, lock held
 * @w: the worker; its core and fault describe the execution
 * @type: the core type the task ran on
 * @idx: the task
 * @rc: chipc_exec()'s return value
 *
 * Frees the core, records a failure or counts the task (and records it
 * in the run's timeline when one was asked for), notices an
 * external cancellation, and on success releases the task's successors
 * into the ready queues.
 */
void chipc_sched_complete(struct chipc_sched *s, struct chipc_worker *w,
			  u32 type, u32 idx, int rc)
{
	struct chipc_run *r = &s->run;
	bool woke;

	r->insns += w->core.insns;
	s->task_ns = (7 * s->task_ns + w->task_ns) / 8;
	r->free_core[type][r->nfree[type]++] = (u8)w->core.index;
	r->running--;
	if (rc) {
		chipc_sched_fail_fault(s, &w->fault);
	} else {
		r->tasks++;
		if (CHIPC_UNLIKELY(r->spans))
			record_span(s, w, type, idx);
	}
	sched_cancelled(s);
	if (r->runtime == CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER)
		woke = trb_complete(s, idx, !rc);
	else
		woke = graph_complete(s, idx, !rc);
	if (woke)
		kick_workers(s);
	chipc_cond_broadcast(&s->done);
}

/* ------------------------------------------------------------------ */
/* tensormap_and_ringbuffer: region index                               */

static u32 chunk_bucket(const struct chipc_sched *s, u64 chunk)
{
	return (u32)((chunk * 0x9e3779b97f4a7c15ull) >> s->bucket_shift);
}

static void rec_link(struct chipc_sched *s, u32 ri)
{
	struct chipc_region *rec = &s->recs[ri];
	u32 *head = &s->heads[rec->chain];

	rec->prev = CHIPC_NIL;
	rec->next = *head;
	if (*head != CHIPC_NIL)
		s->recs[*head].prev = ri;
	*head = ri;
}

static void rec_unlink(struct chipc_sched *s, u32 ri)
{
	struct chipc_region *rec = &s->recs[ri];

	if (rec->prev != CHIPC_NIL)
		s->recs[rec->prev].next = rec->next;
	else
		s->heads[rec->chain] = rec->next;
	if (rec->next != CHIPC_NIL)
		s->recs[rec->next].prev = rec->prev;
}

/* One dependency scan: [start, end) against the live records. */
struct dep_scan {
	u64 start;
	u64 end;
	u64 stamp;
	bool writers_only;
	u32 n;
};

static void scan_rec(struct chipc_sched *s, struct dep_scan *d,
		     const struct chipc_region *rec)
{
	struct chipc_slot *sl;

	if (rec->start >= d->end || d->start >= rec->end)
		return;
	if (d->writers_only && !rec->writer)
		return;
	sl = &s->slots[rec->slot];
	if (sl->mark == d->stamp)
		return;
	sl->mark = d->stamp;
	s->deps[d->n++] = rec->slot;
}

static void scan_chain(struct chipc_sched *s, struct dep_scan *d, u32 ri)
{
	for (; ri != CHIPC_NIL; ri = s->recs[ri].next)
		scan_rec(s, d, &s->recs[ri]);
}

static void scan_all(struct chipc_sched *s, struct dep_scan *d)
{
	u32 i, ri;

	for (i = s->nfree_slots; i < s->cfg.ring_window; i++)
		for (ri = s->slots[s->slot_order[i]].recs; ri != CHIPC_NIL;
		     ri = s->recs[ri].task_next)
			scan_rec(s, d, &s->recs[ri]);
}

static void scan_range(struct chipc_sched *s, struct dep_scan *d)
{
	u64 c0 = d->start >> CHIPC_CHUNK_SHIFT;
	u64 c1 = (d->end - 1) >> CHIPC_CHUNK_SHIFT;
	u64 c = c0 - CHIPC_MIN(c0, (u64)CHIPC_SPAN - 1);

	if (c1 - c >= CHIPC_SCAN_MAX) {
		scan_all(s, d);
		return;
	}
	for (; c <= c1; c++)
		scan_chain(s, d, s->heads[chunk_bucket(s, c)]);
	scan_chain(s, d, s->heads[s->nbuckets]);
}

/*
 * Collect into s->deps the live tasks the task being built depends on:
 * for an IN argument every overlapping writer, for OUT and INOUT every
 * overlapping reader and writer.  Return: their number (distinct).
 */
static u32 trb_collect(struct chipc_sched *s)
{
	const struct chipc_build *b = &s->b;
	struct dep_scan d;
	u32 i;

	d.stamp = ++s->stamp;
	d.n = 0;
	for (i = 0; i < b->nargs; i++) {
		if (b->dirs[i] == CHIP_DIR_SCALAR)
			continue;
		d.start = b->args[i];
		d.end = b->args[i] + b->sizes[i];
		d.writers_only = b->dirs[i] == CHIP_DIR_IN;
		scan_range(s, &d);
	}
	return d.n;
}

/* ------------------------------------------------------------------ */
/* tensormap_and_ringbuffer: slots                                      */

/* Put the built task into a slot, wire it to s->deps[0, ndeps). */
static void trb_insert(struct chipc_sched *s, u32 ndeps)
{
	const struct chipc_build *b = &s->b;
	struct chipc_region *rec;
	struct chipc_slot *sl, *dep;
	u32 idx, i, e, ri;
	u64 c0, c1;

	idx = s->slot_order[--s->nfree_slots];
	sl = &s->slots[idx];
	sl->fn = b->fn;
	sl->id = b->next_id;
	sl->mark = 0;
	sl->fanin = 0;
	sl->fanout = CHIPC_NIL;
	sl->recs = CHIPC_NIL;
	sl->nargs = b->nargs;
	memcpy(sl->args, b->args, sizeof(u64) * b->nargs);
	memcpy(sl->sizes, b->sizes, sizeof(u64) * b->nargs);

	for (i = 0; i < ndeps; i++) {
		dep = &s->slots[s->deps[i]];
		e = s->edge_free[--s->nedge_free];
		s->edges[e].slot = idx;
		s->edges[e].next = dep->fanout;
		dep->fanout = e;
		sl->fanin++;
	}
	for (i = 0; i < b->nargs; i++) {
		if (b->dirs[i] == CHIP_DIR_SCALAR)
			continue;
		ri = s->rec_free[--s->nrec_free];
		rec = &s->recs[ri];
		rec->start = b->args[i];
		rec->end = b->args[i] + b->sizes[i];
		rec->slot = idx;
		rec->writer = b->dirs[i] != CHIP_DIR_IN;
		c0 = rec->start >> CHIPC_CHUNK_SHIFT;
		c1 = (rec->end - 1) >> CHIPC_CHUNK_SHIFT;
		rec->chain = c1 - c0 < CHIPC_SPAN ? chunk_bucket(s, c0) :
						    s->nbuckets;
		rec_link(s, ri);
		rec->task_next = sl->recs;
		sl->recs = ri;
	}
	s->run.live++;
	if (!sl->fanin) {
		queue_push(&s->ready[sl->fn->core_type], idx);
		kick_workers(s);
	}
}

/* Give a slot, its records and its edges back to the free stacks. */
static void trb_retire(struct chipc_sched *s, u32 idx)
{
	struct chipc_slot *sl = &s->slots[idx];
	u32 ri, e, p, q, other;

	for (ri = sl->recs; ri != CHIPC_NIL; ri = s->recs[ri].task_next) {
		rec_unlink(s, ri);
		s->rec_free[s->nrec_free++] = ri;
	}
	for (e = sl->fanout; e != CHIPC_NIL; e = s->edges[e].next)
		s->edge_free[s->nedge_free++] = e;
	sl->recs = CHIPC_NIL;
	sl->fanout = CHIPC_NIL;

	p = sl->pos;
	q = s->nfree_slots++;
	other = s->slot_order[q];
	s->slot_order[p] = other;
	s->slots[other].pos = p;
	s->slot_order[q] = idx;
	sl->pos = q;
	s->run.live--;
}

static bool trb_complete(struct chipc_sched *s, u32 idx, bool ok)
{
	struct chipc_slot *sl = &s->slots[idx], *c;
	bool woke = false;
	u32 e;

	if (ok && !s->run.failed) {
		for (e = sl->fanout; e != CHIPC_NIL; e = s->edges[e].next) {
			c = &s->slots[s->edges[e].slot];
			if (--c->fanin)
				continue;
			queue_push(&s->ready[c->fn->core_type],
				   s->edges[e].slot);
			woke = true;
		}
	}
	trb_retire(s, idx);
	return woke;
}

/**
 * chipc_sched_drop() - forget what is left of the run that just ended
 * @s: the scheduler, lock held, no task running
 *
 * Tasks that never started (after a failure) are dropped; every slot,
 * record and edge goes back to its free stack.  O(live tasks).
 */
void chipc_sched_drop(struct chipc_sched *s)
{
	while (s->nfree_slots < s->cfg.ring_window)
		trb_retire(s, s->slot_order[s->nfree_slots]);
	s->ready[0].head = 0;
	s->ready[0].tail = 0;
	s->ready[1].head = 0;
	s->ready[1].tail = 0;
	s->run.active = false;
}

/* ------------------------------------------------------------------ */
/* tensormap_and_ringbuffer: the orchestrator's operations              */

/*
 * Report an orchestration error.  It is recorded at once, so that it
 * wins over task failures that come later, and returned to chipc_exec(),
 * which adds the program counter to the message.
 */
static int orch_err(struct chipc_sched *s, struct chipc_fault *f, s32 code,
		    const char *pre, s32 num, const char *post)
{
	memset(f, 0, sizeof(*f));
	f->status = CHIP_STATUS_ORCH_ERROR;
	f->code = code;
	chipc_msg(f->msg, pre, num, post);
	chipc_mutex_lock(&s->lock);
	if (!s->run.failed) {
		chipc_sched_fail_fault(s, f);
		s->b.reported = true;
	}
	chipc_mutex_unlock(&s->lock);
	return -1;
}

static int op_task(void *p, s32 func_id, u32 core_type, struct chipc_fault *f)
{
	struct chipc_sched *s = p;
	const struct chipc_child_bind *fn = NULL;

	if (s->b.open)
		return orch_err(s, f, CHIP_ORCH_INVALID_ARGS,
				"TASK before SUBMIT of the previous task",
				0, NULL);
	if (func_id >= 0 && func_id < CHIP_MAX_FUNC_ID)
		fn = s->run.ft->fn[func_id];
	if (!fn)
		return orch_err(s, f, CHIP_ORCH_INVALID_ARGS, "func_id ",
				func_id, " not in cid's table");
	if (fn->core_type != core_type)
		return orch_err(s, f, CHIP_ORCH_INVALID_ARGS, "func_id ",
				func_id, core_type == CHIP_CORE_AIC ?
				" is not an AIC kernel" :
				" is not an AIV kernel");
	s->b.open = true;
	s->b.fn = fn;
	s->b.nargs = 0;
	s->b.ntens = 0;
	return 0;
}

static int add_arg(struct chipc_sched *s, u64 value, u64 size, u32 dir,
		   struct chipc_fault *f)
{
	struct chipc_build *b = &s->b;

	if (!b->open)
		return orch_err(s, f, CHIP_ORCH_INVALID_ARGS,
				"task argument outside TASK/SUBMIT", 0, NULL);
	if (b->nargs == CHIP_CORE_MAX_ARGS)
		return orch_err(s, f, CHIP_ORCH_INVALID_ARGS, "more than ",
				CHIP_CORE_MAX_ARGS, " task arguments");
	b->args[b->nargs] = value;
	b->sizes[b->nargs] = size;
	b->dirs[b->nargs] = (u8)dir;
	b->nargs++;
	if (dir != CHIP_DIR_SCALAR)
		b->ntens++;
	return 0;
}

static int op_tensor(void *p, u64 addr, u64 bytes, u32 dir,
		     struct chipc_fault *f)
{
	struct chipc_sched *s = p;

	if (!bytes || addr + bytes < addr)
		return orch_err(s, f, CHIP_ORCH_INVALID_ARGS,
				"tensor argument empty or wrapping", 0, NULL);
	if (dir < CHIP_DIR_IN || dir > CHIP_DIR_INOUT)
		return orch_err(s, f, CHIP_ORCH_INVALID_ARGS,
				"bad tensor direction ", (s32)dir, "");
	return add_arg(s, addr, bytes, dir, f);
}

static int op_scalar(void *p, u64 value, struct chipc_fault *f)
{
	return add_arg(p, value, 0, CHIP_DIR_SCALAR, f);
}

static int op_submit(void *p, u64 *task_id, struct chipc_fault *f)
{
	struct chipc_sched *s = p;
	struct chipc_run *r = &s->run;
	struct chipc_build *b = &s->b;
	u32 ndeps;

	if (!b->open)
		return orch_err(s, f, CHIP_ORCH_INVALID_ARGS,
				"SUBMIT without TASK", 0, NULL);
	b->open = false;
	chipc_mutex_lock(&s->lock);
	for (;;) {
		if (chipc_sched_check(s))
			goto out_failed;
		if (r->live < s->cfg.ring_window) {
			ndeps = trb_collect(s);
			if (ndeps <= s->nedge_free && b->ntens <= s->nrec_free)
				break;
			if (!r->live) {
				chipc_sched_fail(s, CHIP_STATUS_ORCH_ERROR,
						 CHIP_ORCH_DEP_POOL,
						 "dependency pool exhausted");
				goto out_failed;
			}
		}
		chipc_sched_wait(s);
	}
	trb_insert(s, ndeps);
	*task_id = b->next_id++;
	chipc_mutex_unlock(&s->lock);
	return 0;

out_failed:
	*f = r->fail;
	chipc_mutex_unlock(&s->lock);
	return -1;
}

static int op_scope(void *p, struct chipc_fault *f)
{
	struct chipc_sched *s = p;
	struct chipc_build *b = &s->b;

	if (b->nscope == CHIPC_MAX_SCOPES)
		return orch_err(s, f, CHIP_ORCH_SCOPE, "more than ",
				CHIPC_MAX_SCOPES, " nested scopes");
	b->scope_top[b->nscope++] = b->heap_top;
	return 0;
}

static int op_endscope(void *p, struct chipc_fault *f)
{
	struct chipc_sched *s = p;
	struct chipc_build *b = &s->b;

	if (!b->nscope)
		return orch_err(s, f, CHIP_ORCH_SCOPE,
				"ENDSCOPE without an open scope", 0, NULL);
	b->heap_top = b->scope_top[--b->nscope];
	return 0;
}

static int op_alloc(void *p, u64 bytes, u64 *addr, struct chipc_fault *f)
{
	struct chipc_sched *s = p;
	const struct chipc_env *env = &s->run.env;
	struct chipc_build *b = &s->b;
	u64 va = CHIPC_ALIGN_UP(env->heap_va + b->heap_top, 64ull);
	u64 off = va - env->heap_va;

	if (!bytes)
		return orch_err(s, f, CHIP_ORCH_INVALID_ARGS,
				"ALLOC of 0 bytes", 0, NULL);
	if (off > env->heap_size || bytes > env->heap_size - off)
		return orch_err(s, f, CHIP_ORCH_HEAP,
				"context heap exhausted", 0, NULL);
	b->heap_top = off + bytes;
	*addr = va;
	return 0;
}

/*
 * A program has executed since @start (lock not held).  Cores run side by
 * side: once an execution has lasted longer than a wake-up is worth while
 * other tasks are ready, a sleeping worker is woken for them.  So an
 * orchestrator that keeps computing, or a task that waits for another
 * task's effect, never holds ready tasks back, while short runs finish
 * without any wake-up.
 */
static void tick(struct chipc_sched *s, u64 start)
{
	if (chipc_now_ns() - start < CHIPC_WAKE_WORTH_NS)
		return;
	chipc_mutex_lock(&s->lock);
	if (s->ready[0].head != s->ready[0].tail ||
	    s->ready[1].head != s->ready[1].tail)
		chipc_cond_signal(&s->work);
	chipc_mutex_unlock(&s->lock);
}

static void op_tick(void *p)
{
	struct chipc_sched *s = p;

	tick(s, s->orch_start);
}

static void task_tick(void *p)
{
	struct chipc_worker *w = p;

	tick(w->s, w->task_ns);
}

/* What a kernel may call back: nothing but the periodic tick. */
static const struct chipc_orch_ops task_ops = {
	.tick = task_tick,
};

static const struct chipc_orch_ops trb_ops = {
	.task = op_task,
	.tensor = op_tensor,
	.scalar = op_scalar,
	.submit = op_submit,
	.scope = op_scope,
	.endscope = op_endscope,
	.alloc = op_alloc,
	.tick = op_tick,
};

/**
 * chipc_trb_run() - the tensormap_and_ringbuffer runtime
 * @s: the scheduler, its run set up; called without the lock
 *
 * Executes the orchestration program in the calling thread with the
 * run's tensors (address, byte extent) then scalars as its arguments,
 * then waits until every submitted task has completed, or the run
 * failed.
 */
void chipc_trb_run(struct chipc_sched *s)
{
	struct chipc_run *r = &s->run;
	const struct chipc_args *a = r->req->args;
	struct chipc_build *b = &s->b;
	u32 i, n = 0;
	int rc;

	memset(b, 0, offsetof(struct chipc_build, dirs));
	for (i = 0; i < a->tensor_count; i++, n++) {
		s->oargs[n] = a->tensors[i].addr;
		s->osizes[n] = chipc_tensor_bytes(&a->tensors[i]);
	}
	for (i = 0; i < a->scalar_count; i++, n++) {
		s->oargs[n] = a->scalars[i];
		s->osizes[n] = 0;
	}
	memset(&s->ocore, 0, sizeof(s->ocore));
	s->ocore.core_type = CHIP_CORE_AICPU;
	s->ocore.count = 1;

	s->orch_start = r->start_ns;
	rc = chipc_exec(&s->ocore, &r->env, &r->req->code->orch, s->oargs,
			s->osizes, n, &trb_ops, s, &s->ofault);
	if (!rc && b->open)
		rc = orch_err(s, &s->ofault, CHIP_ORCH_INVALID_ARGS,
			      "HALT with a task not submitted", 0, NULL);
	if (!rc && b->nscope)
		rc = orch_err(s, &s->ofault, CHIP_ORCH_SCOPE,
			      "HALT with an open scope", 0, NULL);

	chipc_mutex_lock(&s->lock);
	r->insns += s->ocore.insns;
	if (rc && b->reported)
		memcpy(r->fail.msg, s->ofault.msg, sizeof(r->fail.msg));
	else if (rc)
		chipc_sched_fail_fault(s, &s->ofault);
	while (r->live && !chipc_sched_check(s))
		chipc_sched_wait(s);
	chipc_mutex_unlock(&s->lock);
}

/* ------------------------------------------------------------------ */
/* host_build_graph                                                     */

static bool graph_complete(struct chipc_sched *s, u32 idx, bool ok)
{
	const struct chipc_graph *g = s->run.req->graph;
	bool woke = false;
	u32 j, c;

	if (!ok || s->run.failed)
		return false;
	s->run.remaining--;
	for (j = s->goff[idx]; j < s->goff[idx + 1]; j++) {
		c = s->gsucc[j];
		if (--s->gfanin[c])
			continue;
		queue_push(&s->ready[g->tasks[c].core_type], c);
		woke = true;
	}
	return woke;
}

/* Check every task's func_id against the table; 0 or -1 (recorded). */
static int graph_bind(struct chipc_sched *s)
{
	const struct chipc_graph *g = s->run.req->graph;
	const struct chipc_child_bind *fn;
	struct chipc_fault f;
	u32 i;

	for (i = 0; i < g->hdr->task_count; i++) {
		s32 id = g->tasks[i].func_id;

		fn = id >= 0 && id < CHIP_MAX_FUNC_ID ? s->run.ft->fn[id] :
							NULL;
		if (fn && fn->core_type == g->tasks[i].core_type)
			continue;
		return orch_err(s, &f, CHIP_ORCH_INVALID_ARGS, "func_id ", id,
				fn ? " core type differs from the task's" :
				     " not in cid's table");
	}
	return 0;
}

/**
 * chipc_graph_run() - the host_build_graph runtime
 * @s: the scheduler, its run set up; called without the lock
 *
 * Checks the graph's func_ids, counts each task's fanin and builds the
 * successor lists (O(tasks + edges)), releases the tasks without fanin
 * and waits until all have completed.  When nothing runs or is ready but
 * tasks remain, the graph has a cycle: CHIP_SCHED_STALL.
 */
void chipc_graph_run(struct chipc_sched *s)
{
	const struct chipc_graph *g = s->run.req->graph;
	u32 n = g->hdr->task_count, ne = g->hdr->edge_count, i;
	struct chipc_run *r = &s->run;

	if (graph_bind(s))
		return;
	for (i = 0; i < n; i++) {
		s->gfanin[i] = 0;
		s->goff[i + 1] = 0;
	}
	s->goff[0] = 0;
	for (i = 0; i < ne; i++) {
		s->goff[g->edges[i].from + 1]++;
		s->gfanin[g->edges[i].to]++;
	}
	for (i = 1; i <= n; i++)
		s->goff[i] += s->goff[i - 1];
	for (i = 0; i < ne; i++)
		s->gsucc[s->goff[g->edges[i].from]++] = g->edges[i].to;
	for (i = n; i > 0; i--)
		s->goff[i] = s->goff[i - 1];
	s->goff[0] = 0;

	chipc_mutex_lock(&s->lock);
	r->remaining = n;
	for (i = 0; i < n; i++)
		if (!s->gfanin[i])
			queue_push(&s->ready[g->tasks[i].core_type], i);
	kick_workers(s);
	while (r->remaining && !chipc_sched_check(s)) {
		if (!r->running && s->ready[0].head == s->ready[0].tail &&
		    s->ready[1].head == s->ready[1].tail) {
			chipc_sched_fail(s, CHIP_STATUS_SCHED_ERROR,
					 CHIP_SCHED_STALL,
					 "tasks left that can never run");
			break;
		}
		chipc_sched_wait(s);
	}
	chipc_mutex_unlock(&s->lock);
}
