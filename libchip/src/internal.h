/* SPDX-License-Identifier: MIT */
/*
 * libchip internals: the front end (chip.c: handles, host orchestration,
 * argument encoding) and the backends it dispatches to.
 */
#ifndef CHIP_INTERNAL_H
#define CHIP_INTERNAL_H

#include <stdint.h>
#include <stddef.h>
#include <pthread.h>
#include "chip/chip.h"

struct chip_dev;
struct chipc_layout;

/*
 * One submission as a backend sees it: the argument blob and, for
 * host_build_graph, the graph blob the host orchestration built, both
 * already encoded (the backend or the kernel validates them again).
 */
struct chip_submit_req {
	int32_t cid;
	const void *args;
	size_t args_len;
	const void *graph;		/* NULL for tensormap_and_ringbuffer */
	size_t graph_len;
	uint32_t block_dim;		/* resolved: never 0 */
	uint32_t aicpu_threads;		/* resolved: never 0 */
	uint64_t timeout_ns;		/* resolved: never 0 */
	uint64_t insn_budget;
	const struct chip_store *stores;
	uint32_t nstores;
	const struct chip_load *loads;
	uint32_t nloads;
	uint32_t sync;			/* chip_run(): the caller waits at once */
	struct chip_timeline *timeline;	/* NULL: none */
	uint32_t timeline_cap;		/* 1..CHIP_MAX_SPANS with @timeline */
	uint32_t flags;			/* CHIP_RUN_* */
	const int *in_fences;		/* open fds, checked by the front end */
	uint32_t nin_fences;
};

/*
 * A backend.  Every op returns 0 or -errno.  Completions carry the seq
 * returned by submit; store-to-host copies are done by the backend when
 * the run completes successfully, before the completion is visible.
 */
struct chip_backend_ops {
	const char *name;
	int (*open)(struct chip_dev *dev, uint32_t platform,
		    const struct chip_open_opts *opts);
	void (*close)(struct chip_dev *dev);
	int (*info)(struct chip_dev *dev, struct chip_info *info);
	int (*mem_alloc)(struct chip_dev *dev, uint64_t size, uint64_t *addr);
	int (*mem_free)(struct chip_dev *dev, uint64_t addr);
	int (*copy_to)(struct chip_dev *dev, uint64_t dst, const void *src,
		       uint64_t n);
	int (*copy_from)(struct chip_dev *dev, void *dst, uint64_t src,
			 uint64_t n);
	/* Upload + bind (the front end loaded any host orchestration). */
	int (*reg)(struct chip_dev *dev, int32_t cid, const void *img,
		   size_t len);
	int (*unreg)(struct chip_dev *dev, int32_t cid);
	int (*submit)(struct chip_dev *dev, const struct chip_submit_req *req,
		      uint64_t *seq);
	/*
	 * Optional: submit @n requests at once, in order; @rets[i] and
	 * @seqs[i] as submit's return and *seq.  Returns 0, or -errno when
	 * none was attempted.  Without it, submit is called @n times.
	 */
	int (*submit_many)(struct chip_dev *dev,
			   const struct chip_submit_req *reqs, int n,
			   uint64_t *seqs, int *rets);
	/*
	 * chip_run(): submit @req (req->sync set) and wait for it.  Its
	 * completion is the caller's alone: wait and reap never see it.
	 */
	int (*run)(struct chip_dev *dev, const struct chip_submit_req *req,
		   struct chip_run_result *res);
	/* Only runs queued with submit/submit_many: -ENOENT for others. */
	int (*wait)(struct chip_dev *dev, uint64_t seq, uint64_t deadline_ns,
		    struct chip_run_result *res);
	/*
	 * Completions of runs queued with submit/submit_many only; returns
	 * early (with fewer than @min) when none of them is in flight.
	 */
	int (*reap)(struct chip_dev *dev, struct chip_run_result *out, int max,
		    int min, uint64_t deadline_ns);
	int (*counters)(struct chip_dev *dev, struct chip_counters *c);
	int (*set_hash_mask)(struct chip_dev *dev, uint64_t mask);
	/* chip_run_fd(), chip_export(), chip_import(). */
	int (*run_fd)(struct chip_dev *dev, uint64_t seq, int *fd);
	int (*export_buf)(struct chip_dev *dev, uint64_t addr, int *fd);
	int (*import_buf)(struct chip_dev *dev, int fd, uint64_t *addr,
			  uint64_t *size);
	/* Optional: chip_dedup_list(); without it, -EOPNOTSUPP. */
	int (*dedup_list)(struct chip_dev *dev, uint32_t *scope,
			  struct chip_resident *out, int max);
	/*
	 * Optional: cancel queued runs and wake every blocked wait/reap
	 * (they return); called by chip_close() before it waits for calls
	 * in progress and then calls close.
	 */
	void (*shutdown)(struct chip_dev *dev);
};

extern const struct chip_backend_ops chip_sim_backend;
extern const struct chip_backend_ops chip_kernel_backend;

/* Host orchestration state of one cid (host_build_graph). */
struct chip_host_cid {
	int used;
	uint32_t runtime;
	chip_host_orch_fn fn;
	void *dl;			/* dlopen handle, or NULL */
};

/* A completion made by the front end (host orchestration failure). */
struct chip_synth {
	struct chip_synth *next;
	struct chip_run_result res;
};

struct chip_dev {
	const struct chip_backend_ops *ops;
	void *priv;			/* backend state */
	uint32_t platform;
	char name[16];
	pthread_rwlock_t host_lock;	/* host_cids, host_loads */
	struct chip_host_cid host_cids[CHIP_MAX_CIDS];
	uint64_t host_loads;
	uint64_t heap_va;		/* from backend info, for graph allocs */
	uint64_t heap_size;
	pthread_mutex_t synth_lock;
	struct chip_synth *synth;
	uint64_t synth_seq;
	uint64_t synth_runs;
	uint32_t handle_slot;		/* index in the handle table */
};

/* Set chip_last_error()'s message (error.c). */
void chip_set_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/*
 * chipc_callable_check() of an image at any alignment (builder.c); it
 * computes no hash.
 */
int chip_image_check(const void *img, size_t len, struct chipc_layout *cl);

/* Host orchestration loading (hostorch.c). */
int chip_host_load(const void *so, size_t size, const char *entry,
		   chip_host_orch_fn *fn, void **dl);
void chip_host_unload(void *dl);
/*
 * Run a host orchestration and encode its graph; *@blob is malloc'd.
 * Returns 0, a positive orchestration error code, or -errno.
 */
int chip_host_build_graph(struct chip_dev *dev, chip_host_orch_fn fn,
			  const struct chip_args *args, void **blob,
			  size_t *len);

#endif /* CHIP_INTERNAL_H */
