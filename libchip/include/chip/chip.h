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
 * closed handle return -EBADF.
 */
#ifndef CHIP_CHIP_H
#define CHIP_CHIP_H

#include <stddef.h>
#include <stdint.h>
#include "../../../uapi/chip_callable.h"
#include "../../../uapi/chip_isa.h"

#ifdef __cplusplus
extern "C" {
#endif

struct chip_dev;

/* ---- device -------------------------------------------------------- */

/**
 * struct chip_open_opts - options of chip_open()
 * @sz: sizeof(struct chip_open_opts)
 * @gm_size: device memory in bytes (simulated backend; 0: 256 MiB)
 * @workers: host threads executing cores (simulated backend; 0: 4)
 * @ring_window: task ring slots (0: 1024)
 * @heap_size: per-context heap for intermediate buffers (0: 16 MiB)
 * @node: device node path for the kernel backend (NULL: first chip node)
 */
struct chip_open_opts {
	size_t sz;
	uint64_t gm_size;
	uint32_t workers;
	uint32_t ring_window;
	uint64_t heap_size;
	const char *node;
};

/*
 * Open a device by the runtime's platform name: "a2a3sim" and "a5sim"
 * select the in-process simulated backend; "a2a3" and "a5" the kernel
 * driver.  Returns 0, -EINVAL (unknown name or bad option), -ENODEV (no
 * such device), -ENOMEM.
 */
int chip_open(const char *platform, const struct chip_open_opts *opts,
	      struct chip_dev **devp);
/* Cancels queued runs, waits for the running one, frees everything. */
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

/* 64-byte aligned (in fact page aligned).  -EINVAL for 0, -ENOSPC. */
int chip_malloc(struct chip_dev *dev, uint64_t size, uint64_t *addr);
/* -ENOENT unless @addr is a live allocation of this device handle. */
int chip_free(struct chip_dev *dev, uint64_t addr);
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
 * Upload @img (@len bytes; never written) into the device's dedup table
 * and bind it to @cid.  Returns 0; -EINVAL (cid out of range, malformed
 * image, failed program verification, platform mismatch), -E2BIG, -EMSGSIZE
 * (len shorter than the layout), -EBUSY (cid taken: nothing changes),
 * -ENOSPC, -ENOMEM, -ENOEXEC (host orchestration cannot be loaded).
 */
int chip_register(struct chip_dev *dev, int32_t cid, const void *img,
		  size_t len, const struct chip_register_opts *opts);
/* -EINVAL out of range, -ENOENT not registered. */
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
 * @dev_addr: device address
 * @host: destination
 * @size: bytes
 */
struct chip_store {
	uint64_t dev_addr;
	void *host;
	uint64_t size;
};

#define CHIP_MAX_STORES	16

/**
 * struct chip_run_opts - options of a run
 * @sz: sizeof(struct chip_run_opts)
 * @block_dim: clusters (1 AIC + 2 AIV each); 0: the platform maximum
 * @aicpu_threads: AICPU threads; 0: 3 (bounded by the platform)
 * @timeout_ns: watchdog; 0: 2 s
 * @insn_budget: instructions per program execution; 0: unlimited
 * @stores: copied after a successful run, before completion is reported
 * @nstores: <= CHIP_MAX_STORES
 */
struct chip_run_opts {
	size_t sz;
	uint32_t block_dim;
	uint32_t aicpu_threads;
	uint64_t timeout_ns;
	uint64_t insn_budget;
	const struct chip_store *stores;
	uint32_t nstores;
};

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
 * status: see @res) or a negative errno when it could not be submitted:
 * -ENOENT (cid not registered), -EINVAL (bad options or arguments).
 */
int chip_run(struct chip_dev *dev, int32_t cid, const struct chip_args *args,
	     const struct chip_run_opts *opts, struct chip_run_result *res);
/* Queue a run; *@seq identifies it.  Same errors as chip_run(). */
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
 * Wait for run @seq until CLOCK_MONOTONIC @deadline_ns (0: forever) and
 * consume its completion.  -ETIMEDOUT, -ENOENT (unknown or already
 * consumed seq).
 */
int chip_wait(struct chip_dev *dev, uint64_t seq, uint64_t deadline_ns,
	      struct chip_run_result *res);
/*
 * Reap up to @max completions, waiting until at least @min are available
 * or @deadline_ns passes.  Returns the count (possibly 0 at the deadline).
 */
int chip_reap(struct chip_dev *dev, struct chip_run_result *out, int max,
	      int min, uint64_t deadline_ns);

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
