/* SPDX-License-Identifier: MIT */
/*
 * libchip: upload chip callables, register them under a cid, run them.
 *
 * Conventions: every int-returning call returns 0 (or a count) on success
 * and a negative errno on failure; errno is never the only carrier of
 * meaning.  Objects come back through out-parameters.  Option structs
 * start with their size (`sz`) so that new fields can be appended; pass
 * NULL for defaults.  All calls on one device are thread-safe.
 *
 * A device handle stays valid until chip_close(); calls on a NULL or
 * closed handle return -EBADF, also when a device opened later happens
 * to be placed where the closed one was (a handle is a generation-checked
 * token, not an address).
 *
 * Completions belong to whoever submitted the run:
 *  - a chip_run() run's completion is its caller's alone; chip_wait() and
 *    chip_reap() never see it;
 *  - a chip_submit()/chip_submit_batch() run's completion belongs to the
 *    handle: it is taken exactly once, by chip_wait() of its seq or by
 *    chip_reap(), whichever comes first (the other gets -ENOENT or does
 *    not see it).
 */
#ifndef CHIP_CHIP_H
#define CHIP_CHIP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "version.h"
#include "uapi/chip_callable.h"
#include "uapi/chip_isa.h"

#ifdef __cplusplus
extern "C" {
#endif

struct chip_dev;

/*
 * The library's version (CHIP_VERSION_NUM() of it); each out-parameter
 * may be NULL.  Compare with CHIP_VERSION of the headers built against.
 */
int chip_version(int *major, int *minor, int *patch);

/* ---- device -------------------------------------------------------- */

/**
 * struct chip_open_opts - options of chip_open()
 * @sz: sizeof(struct chip_open_opts)
 * @gm_size: device memory in bytes (simulated backend; 0: 256 MiB)
 * @workers: host threads executing cores (simulated backend; 0: 4)
 * @ring_window: task ring slots (0: 1024)
 * @heap_size: per-context heap for intermediate buffers (0: 16 MiB)
 * @node: device node path for the kernel backend (NULL: see @device)
 * @device: kernel backend: CHIP_DEVICE_INDEX(i) opens device i (counted
 *	    from 0) among the platform's devices; 0: $CHIP_DEVICE, else
 *	    the first
 */
struct chip_open_opts {
	size_t sz;
	uint64_t gm_size;
	uint32_t workers;
	uint32_t ring_window;
	uint64_t heap_size;
	const char *node;
	uint32_t device;
	uint32_t pad;		/* must be 0 */
};

#define CHIP_DEVICE_INDEX(i)	((uint32_t)(i) + 1)

/*
 * Open a device by the runtime's platform name: "a2a3sim" and "a5sim"
 * select the in-process simulated backend; "a2a3" and "a5" the kernel
 * driver.  The kernel backend opens, in this order of precedence,
 * @opts->node, the device @opts->device names, the one $CHIP_DEVICE names
 * (an index counted from 0, or a node path such as /dev/accel/accel1), or
 * the first device of the platform.  Devices of a platform are counted
 * in the order of their nodes' minor numbers (accel0 before accel1).
 *
 * Returns 0, -EINVAL (unknown name, bad option or $CHIP_DEVICE), -ENODEV
 * (no such device: no chip node, none of this platform, or fewer than
 * the index asks for), -EACCES (a chip node exists but this user may not
 * open it: see the udev rule in Documentation/install.rst), -ENOMEM,
 * -EMFILE (65536 handles open).  chip_last_error() then says which node
 * was tried and why.
 */
int chip_open(const char *platform, const struct chip_open_opts *opts,
	      struct chip_dev **devp);
/*
 * A message about the last chip_open() in the calling thread: on failure
 * the node it tried and why ("a2a3: /dev/accel/accel0: permission
 * denied ..."), on success the node it opened ("a2a3: /dev/accel/accel0";
 * "" for a simulated platform).  Valid until the thread's next
 * chip_open().
 */
const char *chip_last_error(void);
/*
 * Cancels queued runs, waits for the running one and for calls in
 * progress on other threads, frees everything.  Called from a host
 * orchestration of the same device it returns without closing (it would
 * wait for the call the orchestration is part of).
 */
void chip_close(struct chip_dev *dev);

struct chip_info {
	uint32_t platform;	/* CHIP_PLATFORM_* */
	uint32_t simulated;	/* 1 for the simulated backend */
	uint32_t max_blocks;
	uint32_t max_aicpu_threads;
	uint32_t aic_cores;	/* max_blocks */
	uint32_t aiv_cores;	/* 2 * max_blocks */
	uint32_t local_aic;	/* bytes of core-local memory */
	uint32_t local_aiv;
	uint64_t gm_size;
	uint64_t heap_va;	/* this context's heap */
	uint64_t heap_size;
	char name[16];		/* "a2a3sim", ... */
};

int chip_info(struct chip_dev *dev, struct chip_info *info);

/* ---- device memory --------------------------------------------------- */

/*
 * 64-byte aligned (in fact page aligned).  -EINVAL for 0; -ENOSPC when
 * device memory (on the simulated backend: the host memory behind it)
 * cannot hold @size more bytes, whatever gm_size says.
 */
int chip_malloc(struct chip_dev *dev, uint64_t size, uint64_t *addr);
/* -ENOENT unless @addr is a live allocation of this device handle. */
int chip_free(struct chip_dev *dev, uint64_t addr);
/*
 * Export allocation @addr (its start) as a new fd (O_CLOEXEC; the caller
 * closes it) that another device handle, also of another process (sent
 * over a unix socket), can chip_import(): on the kernel backend a
 * dma-buf (PRIME), on the simulated backend a memfd.  Both handles then
 * see the same bytes.  Returns 0, -ENOENT (@addr is not the start of a
 * live allocation of this handle), -EINVAL (@fd NULL), -EMFILE,
 * -ENOMEM, -EOPNOTSUPP (kernel backend without
 * DRM_CHIP_FEATURE_IMPORT), -EBADF.
 */
int chip_export(struct chip_dev *dev, uint64_t addr, int *fd);
/*
 * Map the buffer @fd (of chip_export() of the same backend kind) into
 * this handle's device address space: *@addr receives its device
 * address here, *@size its size in bytes (may be NULL).  @fd stays the
 * caller's.  The mapping is an allocation of this handle like one of
 * chip_malloc(): chip_free() unmaps it; it keeps the memory alive when
 * the exporter frees the buffer, closes its handle or exits.  Importing
 * a buffer this handle already maps (its own export, or an earlier
 * import) returns the same address, and one chip_free() unmaps it.
 * Returns 0, -EBADF (@fd not open, or @dev closed), -EINVAL (@fd is not
 * such a buffer, or @addr NULL), -ENOSPC, -ENOMEM, -EOPNOTSUPP (kernel
 * backend without DRM_CHIP_FEATURE_IMPORT).
 */
int chip_import(struct chip_dev *dev, int fd, uint64_t *addr, uint64_t *size);
/* The whole range must lie inside one allocation: -EFAULT otherwise. */
int chip_copy_to(struct chip_dev *dev, uint64_t dst, const void *src,
		 uint64_t n);
int chip_copy_from(struct chip_dev *dev, void *dst, uint64_t src, uint64_t n);

/* ---- callables ------------------------------------------------------- */

struct chip_builder;

/* A builder for @platform (CHIP_PLATFORM_*) and @runtime (CHIP_RUNTIME_*). */
int chip_builder_new(uint32_t platform, uint32_t runtime,
		     struct chip_builder **bp);
void chip_builder_free(struct chip_builder *b);
/*
 * The orchestration: an ISA program (tensormap_and_ringbuffer) or a host
 * shared object (host_build_graph; may be empty when a C callback is
 * registered instead).  Names may be NULL.  @sig: @nsig CHIP_DIR_* bytes.
 */
int chip_builder_set_orch(struct chip_builder *b, const void *bin, size_t size,
			  const char *func_name, const char *config_name,
			  const uint8_t *sig, uint32_t nsig);
/* Add a child kernel (ISA code for @core_type). -EEXIST for a dup func_id. */
int chip_builder_add_child(struct chip_builder *b, int32_t func_id,
			   uint32_t core_type, const uint8_t *sig,
			   uint32_t nsig, const void *code, size_t size);
/* The canonical image; free it with free(). */
int chip_builder_build(struct chip_builder *b, void **img, size_t *len);

struct chip_layout {
	uint32_t hdr_size;
	uint32_t total_size;
	uint64_t hash;		/* FNV-1a 64 of the canonical image */
	uint32_t child_count;
	uint32_t orch_size;
};

/* Validate an image of @len bytes and compute its layout. */
int chip_callable_layout(const void *img, size_t len, struct chip_layout *l);
/* Copy @img to @out (same length) and patch it for device address @base. */
int chip_callable_patch(const void *img, size_t len, uint64_t base, void *out);

/*
 * Assemble ISA text (Documentation/isa.rst) into code; free *@code with
 * free().  On -EINVAL, @err (may be NULL) receives "line N: reason".
 */
int chip_asm(const char *text, void **code, size_t *size, char *err,
	     size_t errlen);

/* ---- host orchestration (host_build_graph) ---------------------------- */

struct chip_graph;

/* What a host orchestration may call while building its graph. */
struct chip_graph_ops {
	/* Returns a task index >= 0 or -errno. */
	int (*add_task)(struct chip_graph *g, int32_t func_id,
			uint32_t core_type);
	int (*add_tensor)(struct chip_graph *g, int task, uint64_t addr,
			  uint64_t bytes, uint32_t dir);
	int (*add_scalar)(struct chip_graph *g, int task, uint64_t value);
	/* @to waits for @from. */
	int (*add_edge)(struct chip_graph *g, int from, int to);
	/* A run-lifetime buffer on the context heap; 0 on exhaustion. */
	uint64_t (*alloc)(struct chip_graph *g, uint64_t bytes);
};

struct chip_args;

/*
 * The signature of a host orchestration: the entry symbol of the shared
 * object, or the callback given to chip_register().  Returns 0, or a
 * positive orchestration error code that fails the run with
 * CHIP_STATUS_ORCH_ERROR.
 */
typedef int (*chip_host_orch_fn)(const struct chip_graph_ops *ops,
				 struct chip_graph *g,
				 const struct chip_args *args);

/* ---- registration ---------------------------------------------------- */

/**
 * struct chip_register_opts - options of chip_register()
 * @sz: sizeof(struct chip_register_opts)
 * @host_orch: host_build_graph callback used instead of the shared object
 */
struct chip_register_opts {
	size_t sz;
	chip_host_orch_fn host_orch;
};

/*
 * Upload @img (@len bytes at any alignment; never written) into the
 * device's dedup table and bind it to @cid.  Returns 0; -EINVAL (cid out
 * of range, malformed image, failed program verification, platform
 * mismatch), -E2BIG, -EMSGSIZE (len shorter than the layout), -EBUSY (cid
 * taken: nothing changes), -ENOSPC, -ENOMEM, -ENOEXEC (the host
 * orchestration is not a whole ELF shared object of this machine, or
 * cannot be loaded), -EDEADLK (called from a host orchestration of this
 * device).
 */
int chip_register(struct chip_dev *dev, int32_t cid, const void *img,
		  size_t len, const struct chip_register_opts *opts);
/*
 * -EINVAL out of range, -ENOENT not registered, -EDEADLK called from a
 * host orchestration of this device.  Runs already queued keep the
 * callable they were bound to at submission and complete normally.
 */
int chip_unregister(struct chip_dev *dev, int32_t cid);

/* ---- arguments --------------------------------------------------------- */

struct chip_args {
	uint32_t tensor_count;
	uint32_t scalar_count;
	struct chip_tensor_arg tensors[CHIP_MAX_TENSOR_ARGS];
	uint64_t scalars[CHIP_MAX_SCALAR_ARGS];
};

void chip_args_init(struct chip_args *a);
/* -E2BIG past CHIP_MAX_TENSOR_ARGS; -EINVAL for a bad shape or dtype. */
int chip_args_add_tensor(struct chip_args *a, uint64_t addr, uint32_t dtype,
			 uint32_t ndims, const uint32_t *shape);
int chip_args_add_scalar(struct chip_args *a, uint64_t value);
/* Serialise to the blob format; returns the length or -ENOSPC. */
long chip_args_encode(const struct chip_args *a, void *buf, size_t cap);

/* ---- runs -------------------------------------------------------------- */

/**
 * struct chip_store - copy a device range to host memory after success
 * @dev_addr: device address; the range must lie in one allocation when
 *	the run is submitted (-EFAULT) and when it completes (else the run
 *	ends with CHIP_STATUS_FAULT and no store is copied)
 * @host: destination, not NULL (-EINVAL)
 * @size: bytes, > 0 (-EINVAL); all stores of a run at most 64 MiB (-E2BIG)
 *
 * All stores of a run are copied, or none: only after CHIP_STATUS_OK.
 */
struct chip_store {
	uint64_t dev_addr;
	void *host;
	uint64_t size;
};

#define CHIP_MAX_STORES	16

/**
 * struct chip_load - copy host memory to a device range before a run
 * @dev_addr: device address; the range must lie in one allocation when
 *	the run is submitted (-EFAULT) and when it starts (else the run ends
 *	with CHIP_STATUS_FAULT and no load is copied)
 * @host: source, not NULL (-EINVAL); read when the run is submitted, so
 *	it may be reused as soon as chip_submit() returns
 * @size: bytes, > 0 (-EINVAL); all loads of a run at most 64 MiB (-E2BIG)
 *
 * All loads of a run are copied, in order, or none: just before the run
 * executes, after every earlier run of the handle.
 */
struct chip_load {
	uint64_t dev_addr;
	const void *host;
	uint64_t size;
};

#define CHIP_MAX_LOADS	16

/**
 * struct chip_span - one task of a run's timeline
 * @start_ns: when the task started, device time: ns from the start of
 *	the run
 * @end_ns: when it ended, same clock, >= @start_ns
 * @task: the task's id: the orchestration's SUBMIT id
 *	(tensormap_and_ringbuffer) or its index in the graph
 *	(host_build_graph)
 * @func_id: the child it executed
 * @core: the core's index among the run's cores of @core_type
 *	(0..block_dim - 1 for AIC, 0..2 * block_dim - 1 for AIV)
 * @core_type: CHIP_CORE_AIC or CHIP_CORE_AIV
 * @reserved: zero
 *
 * One core executes one task at a time: the spans of one core
 * (@core_type, @core) never overlap.
 */
struct chip_span {
	uint64_t start_ns;
	uint64_t end_ns;
	uint32_t task;
	int32_t func_id;
	uint16_t core;
	uint16_t core_type;
	uint32_t reserved;
};

/**
 * struct chip_timeline - a run's timeline: a head and its spans
 * @count: spans written to @spans: min(@tasks, the capacity)
 * @tasks: tasks the run completed (struct chip_run_result.tasks); more
 *	than @count when the buffer was too small
 * @reserved: zero
 * @spans: the first @count completed tasks, in order of completion
 *
 * The caller allocates CHIP_TIMELINE_SIZE(capacity) bytes and names it
 * and its capacity in struct chip_run_opts; the head and spans are
 * written when the run's result is delivered (see chip_run_opts).
 */
struct chip_timeline {
	uint32_t count;
	uint32_t tasks;
	uint64_t reserved;
	struct chip_span spans[];
};

/* Spans a run records at most (the driver's DRM_CHIP_MAX_SPANS). */
#define CHIP_MAX_SPANS	4096
/* Bytes of a struct chip_timeline with room for @n spans. */
#define CHIP_TIMELINE_SIZE(n) \
	(sizeof(struct chip_timeline) + (size_t)(n) * sizeof(struct chip_span))

/**
 * struct chip_run_opts - options of a run
 * @sz: sizeof(struct chip_run_opts)
 * @block_dim: clusters (1 AIC + 2 AIV each); 0: the platform maximum
 * @aicpu_threads: AICPU threads; 0: 3 (bounded by the platform)
 * @timeout_ns: watchdog; 0: 2 s; at most 60 s (-EINVAL)
 * @insn_budget: instructions per program execution; 0: unlimited
 * @stores: copied after a successful run, before completion is reported
 * @nstores: <= CHIP_MAX_STORES (-EINVAL)
 * @loads: copied into device memory before the run executes
 * @nloads: <= CHIP_MAX_LOADS (-E2BIG); 0: no loads
 * @timeline: where to record the run's timeline (struct chip_timeline);
 *	NULL: none, at no cost.  Written when the run's result is
 *	delivered: before chip_run() returns, or before chip_wait() or
 *	chip_reap() returns the run's result; the buffer must stay valid
 *	and is not to be read until then.  Not with @timeline_cap 0
 *	(-EINVAL); -EOPNOTSUPP from a driver without timelines
 * @timeline_cap: spans @timeline has room for, 1..CHIP_MAX_SPANS
 *	(-E2BIG above); 0 with a NULL @timeline (-EINVAL otherwise)
 * @in_fence_fds: fences the run waits for before it starts (its loads
 *	too): fds of chip_run_fd(), also of another process's device (sent
 *	over a unix socket), or sync_files; on the simulated backend also
 *	an eventfd(2), signalled once its counter is non-zero.  Read at
 *	submission (the caller may close them when chip_submit() returns);
 *	never read from or written to.  An fd that is not open is -EBADF,
 *	one that is not such a fence -EINVAL, any fence on a kernel
 *	backend whose driver has no DRM_CHIP_FEATURE_FENCES -EOPNOTSUPP.
 *	A fence signalled with an error (a run fd of a run that did not
 *	end CHIP_STATUS_OK) cancels the run without executing it:
 *	CHIP_STATUS_CANCELLED, "an in-fence failed (<error>)"; a user
 *	eventfd is a success whatever its value
 * @nin_fences: <= CHIP_MAX_IN_FENCES (-E2BIG); 0: none
 * @flags: CHIP_RUN_* bits; others -EINVAL
 */
struct chip_run_opts {
	size_t sz;
	uint32_t block_dim;
	uint32_t aicpu_threads;
	uint64_t timeout_ns;
	uint64_t insn_budget;
	const struct chip_store *stores;
	uint32_t nstores;
	const struct chip_load *loads;
	uint32_t nloads;
	struct chip_timeline *timeline;
	uint32_t timeline_cap;
	const int *in_fence_fds;
	uint32_t nin_fences;
	uint32_t flags;
};

#define CHIP_MAX_IN_FENCES	16

/*
 * CHIP_RUN_FENCE: a chip_submit() run whose completion chip_run_fd()
 * can turn into an fd (on the kernel backend a syncobj is made for it,
 * hence opt-in).  Ignored by chip_run().  -EOPNOTSUPP on a kernel backend
 * whose driver has no DRM_CHIP_FEATURE_FENCES.
 */
#define CHIP_RUN_FENCE		(1u << 0)
#define CHIP_RUN_FLAGS		CHIP_RUN_FENCE

struct chip_run_result {
	uint64_t seq;
	uint32_t status;	/* CHIP_STATUS_* */
	int32_t code;		/* error or fault code */
	uint64_t fault_addr;
	uint64_t tasks;
	uint64_t insns;
	uint64_t device_ns;
	char msg[96];
};

/*
 * Run @cid synchronously.  Returns 0 when the run completed (whatever its
 * status: see @res) or a negative errno when it could not be submitted.
 * The checks, in this order, are the same on every backend: -EINVAL (cid
 * out of range, NULL @args, bad options); -EINVAL, -E2BIG (store ranges,
 * see struct chip_store, then load ranges, see struct chip_load, and
 * argument counts); -EFAULT (a store range, then a load range, not
 * mapped); -ENOENT (cid not registered); -EINVAL (block_dim or
 * aicpu_threads beyond the platform, a graph heap beyond the heap);
 * -EBUSY (4096 runs of the handle not consumed yet).  The run executes
 * the callable registered under @cid at this call; its completion is the
 * caller's alone.
 */
int chip_run(struct chip_dev *dev, int32_t cid, const struct chip_args *args,
	     const struct chip_run_opts *opts, struct chip_run_result *res);
/*
 * Queue a run; *@seq identifies it.  Same errors as chip_run().  The run
 * is bound to the callable @cid names now: unregistering or re-binding
 * the cid before it starts does not change what it executes.
 */
int chip_submit(struct chip_dev *dev, int32_t cid,
		const struct chip_args *args, const struct chip_run_opts *opts,
		uint64_t *seq);
/*
 * One run of chip_submit_batch(): chip_submit()'s arguments (@opts may be
 * NULL) and, on return, its outcome: @ret 0 and the run's @seq, or the
 * -errno chip_submit() would have returned (@seq 0).
 */
struct chip_batch_run {
	int32_t cid;
	int32_t ret;
	const struct chip_args *args;
	const struct chip_run_opts *opts;
	uint64_t seq;
};

#define CHIP_BATCH_MAX	256

/*
 * Queue @n (1..CHIP_BATCH_MAX) runs in array order, as @n chip_submit()
 * calls would, and fill in each entry's @ret and @seq: a run that cannot
 * be queued does not stop the others.  On the kernel backend's io_uring
 * path the whole batch reaches the device in one system call.  Returns
 * the number of runs queued, or (nothing queued) -EINVAL for a NULL
 * @runs or @n out of range, -EBADF for a closed device, -ENOMEM.
 */
int chip_submit_batch(struct chip_dev *dev, struct chip_batch_run *runs,
		      int n);
/*
 * Wait for run @seq of chip_submit()/chip_submit_batch() until
 * CLOCK_MONOTONIC @deadline_ns (0: forever) and consume its completion.
 * -EINVAL for seq 0 (to take any completion, use chip_reap()),
 * -ETIMEDOUT, -ENOENT (no such run of this handle, or its completion was
 * already taken, e.g. by chip_reap()).
 */
int chip_wait(struct chip_dev *dev, uint64_t seq, uint64_t deadline_ns,
	      struct chip_run_result *res);
/*
 * Reap up to @max completions of chip_submit()/chip_submit_batch() runs
 * of this handle, oldest first, waiting until at least @min are
 * available, @deadline_ns passes (0: no deadline), or none of those runs
 * is left in flight.  Returns the count (possibly fewer than @min).
 */
int chip_reap(struct chip_dev *dev, struct chip_run_result *out, int max,
	      int min, uint64_t deadline_ns);

/*
 * Write @tl as Chrome Trace Event JSON to @f: an object whose
 * "traceEvents" hold one "X" (complete) event per span, named "func
 * <func_id>", with "pid" @pid (the device), "tid" the core's lane (1 +
 * core for AIC, 1001 + core for AIV, named "AIC <core>" / "AIV <core>"
 * by "thread_name" metadata events), "ts" and "dur" in microseconds of
 * device time and "args" {task, func_id, core, start_ns, end_ns}; the
 * process is named @device (NULL: "chip").  Perfetto and chrome://tracing
 * show it as one swimlane per core.  Returns 0, -EINVAL (NULL @tl or
 * @f, @pid < 0, a malformed span), -EIO (a write to @f failed).
 */
int chip_timeline_write_json(const struct chip_timeline *tl, FILE *f,
			     const char *device, int pid);

/*
 * A new fd (O_CLOEXEC; the caller closes it) that poll(2), epoll(7) and
 * io_uring see readable (POLLIN) once run @seq completed, and stays
 * readable: on the kernel backend a sync_file of the run's fence, on the
 * simulated backend an eventfd(2) in semaphore mode.  Pass it as an
 * in-fence of another run (struct chip_run_opts), also of another
 * process; do not read it (a read does not un-signal it, but is of no
 * use).  The fd carries completion and the run's outcome (the error of
 * the driver's fence: 0 for CHIP_STATUS_OK, -ECANCELED, -ETIMEDOUT,
 * -ENODEV for DEVICE_LOST, -EIO for the rest; on the simulated backend
 * in the eventfd's counter), not its result: it does not consume the
 * run's completion, which chip_wait()/chip_reap() still take exactly
 * once, and remains valid after they did and after chip_close().
 *
 * @seq must be a chip_submit()/chip_submit_batch() run of this handle
 * queued with CHIP_RUN_FENCE whose completion has not been consumed
 * yet.  Returns 0, -EINVAL (@fd NULL, seq 0), -ENOENT (no such run, not
 * queued with CHIP_RUN_FENCE, or its completion was already taken),
 * -EMFILE, -EOPNOTSUPP (kernel backend without DRM_CHIP_FEATURE_FENCES),
 * -EBADF.
 */
int chip_run_fd(struct chip_dev *dev, uint64_t seq, int *fd);

const char *chip_status_str(uint32_t status);
uint64_t chip_now_ns(void);

/* ---- counters ---------------------------------------------------------- */

struct chip_counters {
	uint64_t orch_loads;	/* device loads of orchestration programs */
	uint64_t host_loads;	/* host loads of host orchestrations */
	uint64_t dedup_hits;
	uint64_t dedup_misses;
	uint64_t resident_bytes;	/* bytes of resident callables */
	uint64_t resident_callables;
	uint64_t registered;	/* cids registered now */
	uint64_t runs[CHIP_STATUS_COUNT];
	uint64_t gm_used;	/* bytes of device memory allocated */
};

int chip_counters(struct chip_dev *dev, struct chip_counters *c);

/* ---- the dedup table --------------------------------------------------- */

/* Whose registrations share a resident callable (struct chip_resident). */
#define CHIP_DEDUP_SCOPE_DEVICE	0	/* every user of the device */
#define CHIP_DEDUP_SCOPE_FILE	1	/* one device handle (open file) */
#define CHIP_DEDUP_SCOPE_USER	2	/* the handles of one user */

/**
 * struct chip_resident - one resident callable of the dedup table
 * @hash: its dedup key, XXH64 (seed 0) of its canonical image (not
 *	struct chip_layout's FNV-1a 64 hash)
 * @cids: bit i set: cid i of this handle is bound to it
 * @size: bytes resident (the image's total_size)
 * @refs: references: one per registration in the table's scope, one
 *	per run executing it
 * @runtime: CHIP_RUNTIME_*
 * @children: child kernels
 * @reserved: zero
 */
struct chip_resident {
	uint64_t hash;
	uint64_t cids;
	uint32_t size;
	uint32_t refs;
	uint32_t runtime;
	uint32_t children;
	uint64_t reserved[2];
};

/*
 * List the resident callables of the dedup table this handle uses, in
 * no particular order: up to @max entries into @out (may be NULL when
 * @max is 0), the table's CHIP_DEDUP_SCOPE_* into *@scope (may be NULL).
 * The simulated backend's table is the handle's own.  On the kernel
 * backend (DRM_IOCTL_CHIP_DEDUP_LIST) a device-scope table also holds
 * other users' entries, whose @hash is zero unless the caller has
 * CAP_SYS_ADMIN, and @cids, @runtime and @children are zero.  Returns
 * the number of entries in the table (more than @max: call again with a
 * larger array), or -EINVAL (@max < 0, or @out NULL with @max > 0),
 * -EBADF, -ENOMEM, -EOPNOTSUPP (a driver without the ioctl).
 */
int chip_dedup_list(struct chip_dev *dev, uint32_t *scope,
		    struct chip_resident *out, int max);

/* ---- testing ----------------------------------------------------------- */

/*
 * Dedup key mask (default ~0).  Setting it to 0 makes every callable's
 * key collide, to prove that hits are confirmed by comparing bytes.
 * Simulated backend only: -EOPNOTSUPP on a device (the driver's hook is
 * in debugfs, not in its uAPI).
 */
int chip_debug_set_hash_mask(struct chip_dev *dev, uint64_t mask);

#ifdef __cplusplus
}
#endif

#endif /* CHIP_CHIP_H */
