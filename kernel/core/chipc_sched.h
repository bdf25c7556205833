/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * chip core: scheduler state of the emulated device, shared by device.c
 * (configuration, worker threads, the run lifecycle) and sched.c (ready
 * queues, the tensormap_and_ringbuffer and host_build_graph runtimes).
 * Private to the core; Documentation/runtimes.rst describes the design.
 *
 * Everything here is allocated once by chipc_sched_create() and sized by
 * the device configuration.  A run allocates nothing: it takes task slots,
 * region records and fanout edges from free stacks and returns every one
 * of them before chipc_device_run() returns.
 */
#ifndef _CHIPC_SCHED_PRIV_H
#define _CHIPC_SCHED_PRIV_H

#include "chipc.h"

#define CHIPC_NIL		0xffffffffu

#define CHIPC_MAX_WORKERS	16
#define CHIPC_MIN_RING		4u
#define CHIPC_MAX_RING		65536u
#define CHIPC_MIN_DEP_POOL	64u
#define CHIPC_MAX_DEP_POOL	BIT(22)
/* Emulated cores per type: block_dim AIC, 2 * block_dim AIV. */
#define CHIPC_MAX_BLOCKS	64u
#define CHIPC_MAX_CORES		(2 * CHIPC_MAX_BLOCKS)
#define CHIPC_MAX_SCOPES	4
#define CHIPC_ORCH_MAX_ARGS	(CHIP_MAX_TENSOR_ARGS + CHIP_MAX_SCALAR_ARGS)
#define CHIPC_LOCAL_MAX		CHIPC_MAX(CHIP_LOCAL_AIC, CHIP_LOCAL_AIV)

/*
 * Tasks shorter than this on average are not worth waking a sleeping
 * worker for while the orchestrator itself can run them: a wake-up costs
 * microseconds to tens of microseconds of latency.
 */
#define CHIPC_WAKE_WORTH_NS	(50ull * 1000)

/* Poll interval for an external abort while the orchestrator waits. */
#define CHIPC_ABORT_POLL_NS	(1000ull * 1000)

/* One tensormap_and_ringbuffer task, from SUBMIT until it completes. */
struct chipc_slot {
	const struct chipc_child_bind *fn;
	u64 mark;		/* dependency scan stamp (dedup) */
	u32 fanin;		/* producers not yet completed */
	u32 fanout;		/* first edge: consumers waiting for us */
	u32 recs;		/* first region record of this task */
	u32 pos;		/* index in chipc_sched.slot_order */
	u32 nargs;
	u64 args[CHIP_CORE_MAX_ARGS];
	u64 sizes[CHIP_CORE_MAX_ARGS];
	u64 id;			/* SUBMIT's task id (timelines) */
};

/* A live task's tensor argument: [start, end), written or only read. */
struct chipc_region {
	u64 start;
	u64 end;
	u32 slot;
	u32 writer;
	u32 chain;		/* bucket, or nbuckets: the wide chain */
	u32 prev;
	u32 next;
	u32 task_next;
};

/* @slot waits for the task whose fanout list holds this edge. */
struct chipc_edge {
	u32 slot;
	u32 next;
};

/* FIFO of task indices; never holds more than mask + 1 entries. */
struct chipc_queue {
	u32 *q;
	u32 mask;
	u32 head;
	u32 tail;
};

struct chipc_sched;

/* A host thread playing the emulated AIC/AIV cores, one task at a time. */
struct chipc_worker {
	struct chipc_sched *s;
	struct chipc_thread thread;
	struct chipc_core core;
	struct chipc_fault fault;
	u64 clean_gen;		/* run that found local memory zeroed */
	u64 args[CHIP_CORE_MAX_ARGS];
	u64 sizes[CHIP_CORE_MAX_ARGS];
	u64 task_ns;		/* start, then duration, of its task */
	u64 task_start;		/* start of its task (timelines) */
};

/*
 * The orchestrator's private state (tensormap_and_ringbuffer).  A run
 * zeroes it up to @dirs; the arrays are written before they are read
 * (the first @nargs, the first @nscope).
 */
struct chipc_build {
	const struct chipc_child_bind *fn;
	bool open;		/* between TASK and SUBMIT */
	bool reported;		/* the run's failure is an op's error */
	u32 nargs;
	u32 ntens;
	u64 next_id;
	u64 heap_top;		/* bytes used from heap_va */
	u32 nscope;
	u8 dirs[CHIP_CORE_MAX_ARGS];
	u64 args[CHIP_CORE_MAX_ARGS];
	u64 sizes[CHIP_CORE_MAX_ARGS];
	u64 scope_top[CHIPC_MAX_SCOPES];
};

/*
 * The one run in progress; reset at its start in O(block_dim): zeroed
 * up to @fail, which is valid only while @failed, and @free_core, whose
 * first @ncores entries per type run_begin() sets.
 */
struct chipc_run {
	const struct chipc_run_req *req;
	const struct chipc_functab *ft;
	struct chipc_env env;
	u32 runtime;
	int abort;		/* internal; env.abort points here */
	bool active;		/* workers may pick tasks */
	bool failed;		/* @fail holds the first failure */
	u32 ncores[2];		/* per core type: AIC, AIV */
	u32 nfree[2];
	u32 running;		/* tasks executing on a worker */
	u32 live;		/* submitted, not completed (ring) */
	u32 remaining;		/* graph tasks not completed */
	u64 tasks;
	u64 insns;
	u64 start_ns;		/* clock at chipc_device_run() entry */
	struct chipc_span *spans;	/* the request's timeline, or NULL */
	u32 span_cap;
	u32 nspans;		/* spans recorded */
	struct chipc_fault fail;
	u8 free_core[2][CHIPC_MAX_CORES];
};

struct chipc_sched {
	struct chipc_device_cfg cfg;
	struct chipc_mutex lock;	/* everything below but @b, @o* */
	struct chipc_cond work;		/* workers: task ready or stop */
	struct chipc_cond done;		/* orchestrator: task done */
	bool stop;
	u64 gen;			/* runs started */
	u64 stamp;			/* dependency scans started */
	struct chipc_run run;
	u64 task_ns;			/* moving average of task durations */
	u64 orch_start;			/* orchestration program started */
	struct chipc_queue ready[2];

	/* tensormap_and_ringbuffer */
	struct chipc_slot *slots;	/* ring_window */
	u32 *slot_order;		/* [0, nfree_slots) free, rest live */
	u32 nfree_slots;
	struct chipc_region *recs;	/* dep_pool */
	u32 *rec_free;
	u32 nrec_free;
	struct chipc_edge *edges;	/* dep_pool */
	u32 *edge_free;
	u32 nedge_free;
	u32 *heads;			/* nbuckets + 1 chain heads */
	u32 nbuckets;
	u32 bucket_shift;
	u32 *deps;			/* ring_window: a task's producers */

	/* host_build_graph */
	u32 *gfanin;			/* CHIP_GRAPH_MAX_TASKS */
	u32 *goff;			/* CHIP_GRAPH_MAX_TASKS + 1 */
	u32 *gsucc;			/* CHIP_GRAPH_MAX_EDGES */

	/* orchestrator (caller's thread) */
	struct chipc_build b;
	struct chipc_core ocore;
	struct chipc_fault ofault;
	u64 oargs[CHIPC_ORCH_MAX_ARGS];
	u64 osizes[CHIPC_ORCH_MAX_ARGS];

	u32 nworkers;
	struct chipc_worker *workers;
	void *mem;			/* the one allocation behind it all */
};

struct chipc_sched *chipc_sched_create(const struct chipc_device_cfg *cfg);
void chipc_sched_destroy(struct chipc_sched *s);

void chipc_sched_fail(struct chipc_sched *s, u32 status, s32 code,
		      const char *msg);
void chipc_sched_fail_fault(struct chipc_sched *s, const struct chipc_fault *f);
int chipc_sched_check(struct chipc_sched *s);
/* The same against clock reading @now. */
int chipc_sched_check_at(struct chipc_sched *s, u64 now);
void chipc_sched_wait(struct chipc_sched *s);

bool chipc_sched_pick(struct chipc_sched *s, struct chipc_worker *w,
		      u32 *type, u32 *idx);
const struct chipc_prog *chipc_sched_task(struct chipc_sched *s,
					  struct chipc_worker *w, u32 idx,
					  const u64 **args, const u64 **sizes,
					  u32 *nargs);
void chipc_sched_complete(struct chipc_sched *s, struct chipc_worker *w,
			  u32 type, u32 idx, int rc);

void chipc_trb_run(struct chipc_sched *s);
void chipc_graph_run(struct chipc_sched *s);
void chipc_sched_drop(struct chipc_sched *s);

bool chipc_sched_run_one(struct chipc_sched *s, struct chipc_worker *w);

#endif /* _CHIPC_SCHED_PRIV_H */
