/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * chip core: the device semantics shared by chip.ko and libchip's
 * simulated backend.  Portable C; see chipc_deps.h for what it needs.
 *
 * Ownership: the core never copies from or to user memory.  Every buffer
 * it is handed (callable image, argument blob, graph blob) is a private
 * copy the caller made, and the core validates it against its length
 * before reading anything else out of it.
 *
 * Errors are 0 or a negative errno.
 */
#ifndef _CHIPC_H
#define _CHIPC_H

#include "chipc_deps.h"
#include "../../uapi/chip_callable.h"
#include "../../uapi/chip_isa.h"

/* ------------------------------------------------------------------ */
/* hash.c: the dedup key (xxh64) and FNV-1a 64                         */

/*
 * The dedup key of a canonical image: xxh64 with this seed over every
 * byte.  A key match only selects a candidate; bytes decide a hit.
 */
#define CHIPC_KEY_SEED		0ull
/* chipc_copy_key() copies and hashes this many bytes at a time. */
#define CHIPC_KEY_CHUNK		16384u

u64 chipc_content_key(const void *p, size_t n);
u64 chipc_copy_key(void *dst, const void *src, size_t n);

/* FNV-1a 64, the reference runtime's content hash (not on the upload path) */
#define CHIPC_FNV_OFFSET	0xcbf29ce484222325ull
#define CHIPC_FNV_PRIME		0x00000100000001b3ull

u64 chipc_fnv1a64_update(u64 h, const void *p, size_t n);
u64 chipc_fnv1a64(const void *p, size_t n);

/* ------------------------------------------------------------------ */
/* platform.c                                                           */

struct chipc_platform {
	u32 id;			/* CHIP_PLATFORM_* */
	const char *name;	/* "a2a3", "a5" */
	u32 max_blocks;		/* 24, 36 */
	u32 max_aicpu_threads;	/* 4, 7 */
};

/* NULL for an unknown platform id. */
const struct chipc_platform *chipc_platform_get(u32 id);

/* ------------------------------------------------------------------ */
/* callable.c: layout, validation, patching                             */

struct chipc_layout {
	u32 hdr_size;		/* offset of the orchestration binary */
	u32 total_size;		/* recomputed, == hdr->total_size */
	u32 child_count;
	u32 orch_size;
};

/*
 * Validate a canonical callable image of @len bytes and compute its layout.
 * Checks magic, version, sizes, every offset (64-byte aligned, in bounds,
 * ascending, non-overlapping), func_ids (< CHIP_MAX_FUNC_ID, unique),
 * signature counts and values, names (NUL-terminated, length matches,
 * zero padded), reserved and flag fields, zero padding between regions,
 * resolved_addr == 0, and recomputes total_size (must equal both the
 * header's value and @len).  Does not verify programs (see chipc_isa_*).
 *
 * Return: 0; -EINVAL for a malformed image; -E2BIG when a count exceeds
 * its maximum; -EMSGSIZE when @len is shorter than the computed size.
 */
int chipc_callable_check(const void *img, u64 len, struct chipc_layout *out);

/* Write every child's resolved_addr for a device copy based at @base. */
void chipc_callable_patch(void *img, const struct chipc_layout *l, u64 base);

/* Return: 0 if every resolved_addr of @img equals its patched value. */
int chipc_callable_check_patched(const void *img, const struct chipc_layout *l,
				 u64 base);

/*
 * Compare a canonical image with a patched device copy of the same layout:
 * every byte equal except the children's resolved_addr fields, which are
 * zero in @canon.  Return: true when they hold the same callable.
 */
bool chipc_callable_same(const void *canon, const void *patched,
			 const struct chipc_layout *l);

static inline const struct chip_child_hdr *
chipc_child(const void *img, u32 i)
{
	const struct chip_callable_hdr *h = img;

	return (const struct chip_child_hdr *)((const u8 *)img +
					       h->child_offsets[i]);
}

/* ------------------------------------------------------------------ */
/* isa_verify.c                                                         */

struct chipc_prog {
	const struct chip_insn *insns;
	u32 count;
	u32 core_type;		/* CHIP_CORE_* */
};

/*
 * Verify @size bytes of code for @core_type: size a non-zero multiple of
 * 8 and at most CHIP_ISA_MAX_INSNS instructions; known opcodes legal on
 * the core type; register operands < CHIP_ISA_NREGS; unused operand
 * fields zero; branch targets inside the program; immediates in range
 * (TTENS direction 1..3, TASK core type AIC/AIV, FATAL code 1..99,
 * ARG/ASIZE index < CHIP_MAX_TENSOR_ARGS + CHIP_MAX_SCALAR_ARGS).
 * On success fills @out (pointing into @code, which must stay alive).
 * Return: 0 or -EINVAL; @err (may be NULL) receives the failing
 * instruction index or -1.
 */
int chipc_isa_verify(const void *code, u32 size, u32 core_type,
		     struct chipc_prog *out, s32 *err);
/* The same check while copying @code to @dst; @out points into @dst. */
int chipc_isa_verify_copy(void *dst, const void *code, u32 size,
			  u32 core_type, struct chipc_prog *out, s32 *err);

/* ------------------------------------------------------------------ */
/* vm.c: a context's device address space                               */

/*
 * The device address space of a context, the same for every backend:
 * buffers from CHIPC_BO_BASE up to CHIPC_CODE_BASE, each followed by an
 * unmapped gap of CHIPC_VA_GUARD bytes; the heap at CHIPC_HEAP_VA;
 * resident code from CHIPC_CODE_BASE up.
 */
#define CHIPC_HEAP_VA		0x0000080000000000ull
#define CHIPC_BO_BASE		0x0000100000000000ull
#define CHIPC_CODE_BASE		0x0000400000000000ull
#define CHIPC_VA_GUARD		(64ull << 10)

#define CHIPC_PROT_READ		1u
#define CHIPC_PROT_WRITE	2u

struct chipc_map {
	u64 va;
	u64 size;
	u8 *host;
	u32 prot;
	u32 handle;		/* glue's object id, 0 if none */
	void *obj;		/* glue's object, NULL if none */
};

/* Sorted by va, non-overlapping. */
struct chipc_vm {
	struct chipc_map *maps;
	u32 count;
	u32 cap;
};

int chipc_vm_init(struct chipc_vm *vm, u32 max_maps);
void chipc_vm_fini(struct chipc_vm *vm);
/* Return: 0; -EEXIST on overlap; -ENOSPC when full; -EINVAL for size 0. */
int chipc_vm_insert(struct chipc_vm *vm, const struct chipc_map *m);
/* Return: 0 and the removed mapping in @out (may be NULL); -ENOENT. */
int chipc_vm_remove(struct chipc_vm *vm, u64 va, struct chipc_map *out);
/* The mapping that starts exactly at @va, or NULL. */
const struct chipc_map *chipc_vm_find(const struct chipc_vm *vm, u64 va);
/*
 * Host pointer for [va, va + len) if it lies inside one mapping allowing
 * @prot; NULL otherwise (also for len 0 or overflow).
 */
u8 *chipc_vm_translate(const struct chipc_vm *vm, u64 va, u64 len, u32 prot);

/* ------------------------------------------------------------------ */
/* space.c: placement of device address ranges                          */

/*
 * Where a context's buffers and the device's resident code go: the
 * lowest free range of [base, end) that holds the size rounded up to
 * CHIPC_PAGE plus a CHIPC_VA_GUARD gap after it.  Freed ranges are
 * reused at once.  The buffer space is [CHIPC_BO_BASE, CHIPC_CODE_BASE)
 * of one context, holding at most CHIPC_MAX_BOS buffers (created or
 * imported); the code space is [CHIPC_CODE_BASE, CHIPC_CODE_END).
 * Running out of either is -ENOSPC.
 */
#define CHIPC_PAGE		4096ull
#define CHIPC_CODE_END		0x0000800000000000ull
#define CHIPC_MAX_BOS		16384

struct chipc_space_hole {
	u64 start;
	u64 end;		/* one past the last free address */
};

struct chipc_space {
	u64 base;
	u64 end;
	struct chipc_space_hole *holes;	/* sorted, never adjacent */
	u32 nholes;
	u32 cap;
	u32 used;		/* ranges allocated */
};

/* Not locked: the caller serialises access to one space. */
int chipc_space_init(struct chipc_space *s, u64 base, u64 end);
void chipc_space_fini(struct chipc_space *s);
u64 chipc_space_extent(u64 size);
/* Return: 0; -EINVAL for size 0; -ENOSPC when exhausted; -ENOMEM. */
int chipc_space_alloc(struct chipc_space *s, u64 size, u64 *va);
/* Return: 0; -EINVAL for a range that is not allocated. */
int chipc_space_free(struct chipc_space *s, u64 va, u64 size);

/* ------------------------------------------------------------------ */
/* dedup.c: resident callables, deduplicated by content                 */

struct chipc_child_bind {
	s32 func_id;
	u32 core_type;
	u64 hdr_addr;		/* device address of the child header */
	u64 code_addr;		/* == patched resolved_addr */
	struct chipc_prog prog;
};

/* One resident, immutable, patched device copy of a callable. */
struct chipc_code {
	struct chipc_code *next;	/* hash chain */
	u64 key;		/* chipc_content_key() of the canonical image */
	struct chipc_ref refs;	/* one per registration and per run holding it */
	u32 platform;
	u32 runtime;
	struct chipc_layout layout;
	u64 dev_addr;		/* device address of byte 0 */
	u8 *image;		/* patched copy, layout.total_size bytes */
	struct chipc_prog orch;	/* tensormap_and_ringbuffer only */
	struct chipc_child_bind *children;	/* layout.child_count */
	void *storage;		/* glue's allocation cookie */
	u64 last_run_ns;	/* glue: device time of the latest run, + 1 */
};

/* How the table gets device memory for a resident image. */
struct chipc_code_mem_ops {
	/* Return: 0 and a device address + host view of @size bytes. */
	int (*alloc)(void *priv, u32 size, u64 *dev_addr, u8 **host,
		     void **cookie);
	void (*free)(void *priv, void *cookie);
	void *priv;
};

#define CHIPC_DEDUP_BUCKETS	256

struct chipc_dedup {
	struct chipc_code *buckets[CHIPC_DEDUP_BUCKETS];
	u64 hash_mask;		/* chain by key & mask; tests set 0 to collide */
	u64 hits;
	u64 misses;
	u64 resident_bytes;
	u64 entries;
	struct chipc_code_mem_ops mem;
};

/* Not locked: the caller serialises access to one table. */
void chipc_dedup_init(struct chipc_dedup *d, const struct chipc_code_mem_ops *mem);
/* Frees every entry, whatever its references. */
void chipc_dedup_fini(struct chipc_dedup *d);

/*
 * Find or create the resident copy of canonical image @img (@len bytes):
 * validate it (chipc_callable_check) and check @platform matches.  On a
 * key match the bytes are compared (chipc_callable_same); only an
 * identical image is a hit, and a hit verifies nothing again.  A miss
 * allocates device memory, copies, patches, verifies the orchestration
 * program (tensormap_and_ringbuffer) and every child program for its core
 * type on that copy, once, and inserts.  Either way the entry gains one
 * reference and *@hit says which it was.
 * chipc_dedup_get_key() takes the key the caller computed while copying
 * the image (chipc_copy_key()); chipc_dedup_get() computes it.
 * Return: 0; the errors of chipc_callable_check; -EINVAL for a program
 * that fails verification or a platform mismatch; -ENOSPC / -ENOMEM from
 * the allocator.
 */
int chipc_dedup_get(struct chipc_dedup *d, const void *img, u64 len,
		    u32 platform, struct chipc_code **out, bool *hit);
int chipc_dedup_get_key(struct chipc_dedup *d, const void *img, u64 len,
			u64 key, u32 platform, struct chipc_code **out,
			bool *hit);
/* Drop one reference; the last one frees the entry. */
void chipc_dedup_put(struct chipc_dedup *d, struct chipc_code *c);
/* Drop a reference, without the table's lock, unless it is the last. */
bool chipc_dedup_put_unless_last(struct chipc_code *c);
/* Take one more reference on a live entry. */
void chipc_dedup_ref(struct chipc_code *c);	/* no lock needed */

/* ------------------------------------------------------------------ */
/* registry.c: prepared callables of one context                        */

struct chipc_cid {
	struct chipc_code *code;	/* the registered callable */
	void *host_orch;		/* glue-owned (host_build_graph) */
};

/*
 * The registrations of one context, by cid.  chipc_registry_init() before
 * use, chipc_registry_fini() once every cid is removed; the caller
 * serialises access.
 */
struct chipc_registry {
	struct chipc_idmap cids;	/* cid -> struct chipc_cid */
	u32 count;			/* registered cids */
};

void chipc_registry_init(struct chipc_registry *r);
void chipc_registry_fini(struct chipc_registry *r);
/*
 * Bind @code (whose reference the registry takes over) to @cid.
 * Return: 0; -EINVAL for cid outside [0, CHIP_MAX_CIDS); -EBUSY if taken;
 * -ENOMEM (on failure nothing changes, the caller still owns its
 * reference).
 */
int chipc_registry_add(struct chipc_registry *r, s32 cid,
		       struct chipc_code *code, void *host_orch);
/*
 * Unbind @cid.  Return: 0 and the slot's contents in @out (the caller
 * drops the code reference); -EINVAL out of range; -ENOENT if free.
 */
int chipc_registry_remove(struct chipc_registry *r, s32 cid,
			  struct chipc_cid *out);
/* The slot of a registered @cid (valid until it is removed), or NULL. */
const struct chipc_cid *chipc_registry_get(struct chipc_registry *r, s32 cid);
/* The slot of the lowest registered cid >= *@cid, which goes to *@cid. */
const struct chipc_cid *chipc_registry_next(struct chipc_registry *r,
					    s32 *cid);
/* Unbind the lowest registered cid, as chipc_registry_remove(); -ENOENT. */
int chipc_registry_pop(struct chipc_registry *r, struct chipc_cid *out);
/* Bit n set for each cid n bound to @code. */
u64 chipc_registry_cids_of(struct chipc_registry *r,
			   const struct chipc_code *code);

/* The func_id -> child table a run dispatches through. */
struct chipc_functab {
	const struct chipc_child_bind *fn[CHIP_MAX_FUNC_ID];
	s32 set[CHIP_MAX_CHILDREN];	/* func_ids set by the last bind */
	u32 nset;
};

void chipc_functab_init(struct chipc_functab *t);
/*
 * Rebuild @t from @code alone: every entry the previous bind set is
 * cleared first, so no func_id of another callable stays reachable.
 */
void chipc_functab_bind(struct chipc_functab *t, const struct chipc_code *code);

/* ------------------------------------------------------------------ */
/* args.c: argument blob                                                */

struct chipc_args {
	u32 tensor_count;
	u32 scalar_count;
	const struct chip_tensor_arg *tensors;
	const u64 *scalars;
};

static inline u64 chipc_args_size(u32 tensors, u32 scalars)
{
	return 8 + 40ull * tensors + 8ull * scalars;
}

u32 chipc_dtype_size(u32 dtype);	/* 0 for an unknown dtype */
/* Byte extent of a validated tensor. */
u64 chipc_tensor_bytes(const struct chip_tensor_arg *t);

/*
 * Validate a blob of @len bytes: len >= 8, counts within maxima (-E2BIG),
 * len == chipc_args_size() (-EINVAL), each tensor: ndims 1..5, shape
 * entries past ndims zero and used ones non-zero, known dtype, flags and
 * pad zero, byte extent without overflow.  @out points into @blob.
 */
int chipc_args_parse(const void *blob, u64 len, struct chipc_args *out);

/* ------------------------------------------------------------------ */
/* graph.c: host_build_graph task graph blob                            */

struct chipc_graph {
	const struct chip_graph_hdr *hdr;
	const struct chip_graph_task *tasks;
	const struct chip_graph_arg *args;
	const struct chip_graph_edge *edges;
};

static inline u64 chipc_graph_size(u32 tasks, u32 args, u32 edges)
{
	return 16 + 16ull * tasks + 24ull * args + 8ull * edges;
}

/*
 * Validate a graph blob: counts within maxima (-E2BIG), exact length,
 * each task's func_id < CHIP_MAX_FUNC_ID, core type AIC/AIV, argument
 * range inside the array with count <= CHIP_CORE_MAX_ARGS, each argument's
 * dir valid and pad zero (scalars have size 0, tensors size > 0), edges in
 * range and not self-loops.  Cycles are found at run time.
 */
int chipc_graph_parse(const void *blob, u64 len, struct chipc_graph *out);

/* ------------------------------------------------------------------ */
/* exec.c + tile.c: the interpreter                                     */

struct chipc_fault {
	u32 status;		/* CHIP_STATUS_* */
	s32 code;
	u64 addr;
	char msg[96];
};

/* Orchestration callbacks (the AICPU's view of the scheduler). */
struct chipc_orch_ops {
	int (*task)(void *s, s32 func_id, u32 core_type, struct chipc_fault *f);
	int (*tensor)(void *s, u64 addr, u64 bytes, u32 dir, struct chipc_fault *f);
	int (*scalar)(void *s, u64 value, struct chipc_fault *f);
	int (*submit)(void *s, u64 *task_id, struct chipc_fault *f);
	int (*scope)(void *s, struct chipc_fault *f);
	int (*endscope)(void *s, struct chipc_fault *f);
	int (*alloc)(void *s, u64 bytes, u64 *addr, struct chipc_fault *f);
	/* Optional: called at every watchdog check of the program. */
	void (*tick)(void *s);
};

/* What a running program may touch, and when it must stop. */
struct chipc_env {
	const struct chipc_vm *vm;	/* the context's buffers */
	u64 heap_va;			/* the context heap, [va, va + size) */
	u64 heap_size;
	u8 *heap_host;
	u64 deadline_ns;		/* watchdog, CLOCK_MONOTONIC; 0: none */
	u64 now_ns;			/* a recent clock reading; 0: none */
	u64 insn_budget;		/* per program execution; 0: none */
	const int *abort;		/* non-zero: stop as cancelled/faulted */
	const int *cancel;		/* the same, set from outside the run */
};

/* Per-core execution state; local memory is owned by the caller. */
struct chipc_core {
	u8 *local;
	u32 local_cap;		/* CHIP_LOCAL_AIC / CHIP_LOCAL_AIV */
	u32 core_type;
	u32 index;		/* CORE */
	u32 count;		/* NCORE */
	u64 insns;		/* instructions executed, accumulated */
	u32 dirty;		/* local bytes [0, dirty) may be non-zero */
};

/*
 * Run @prog to HALT on @core.  @args/@sizes are its arguments (sizes[i] is
 * the byte size of a tensor argument, 0 for a scalar).  Orchestration
 * opcodes call @ops with @s (may be NULL for kernels).
 * Memory accesses go through @env: the heap, else @env->vm; anything else
 * is CHIP_STATUS_FAULT with the address.  The deadline is checked before
 * the first instruction (against @env->now_ns when set, saving a clock
 * read), then at least every 1024 instructions and inside long tile
 * operations; exceeding it or the budget is CHIP_STATUS_TIMEOUT;
 * *@env->abort set is CHIP_STATUS_CANCELLED.
 * Return: 0 at HALT, else -1 with @f filled.
 */
int chipc_exec(struct chipc_core *core, const struct chipc_env *env,
	       const struct chipc_prog *prog, const u64 *args, const u64 *sizes,
	       u32 nargs, const struct chipc_orch_ops *ops, void *s,
	       struct chipc_fault *f);

/*
 * tile.c: binary32 helpers (bit patterns in u32), bit-identical everywhere.
 * Callers bracket every call with chipc_fpu_begin()/chipc_fpu_end().
 */
u32 chipc_f32_add(u32 a, u32 b);
u32 chipc_f32_sub(u32 a, u32 b);
u32 chipc_f32_mul(u32 a, u32 b);
u32 chipc_f32_div(u32 a, u32 b);
u32 chipc_f32_exp(u32 a);

enum chipc_tile_op {
	CHIPC_T_ADD, CHIPC_T_SUB, CHIPC_T_MUL, CHIPC_T_DIV, CHIPC_T_MAX,
	CHIPC_T_MIN, CHIPC_T_ADDS, CHIPC_T_SUBS, CHIPC_T_MULS, CHIPC_T_DIVS,
	CHIPC_T_EXP, CHIPC_T_FILL,
};

/* dst[i] = op(a[i], b[i] or scalar s), n elements; buffers may alias. */
void chipc_tile_binary(enum chipc_tile_op op, float *dst, const float *a,
		       const float *b, u32 s, u32 n);
u32 chipc_tile_sum(const float *a, u32 n);
u32 chipc_tile_max(const float *a, u32 n);
/* c[m x n] += a[m x k] * b[k x n], row-major, k in ascending order. */
void chipc_tile_mma(float *c, const float *a, const float *b, u32 m, u32 k,
		    u32 n);

/* ------------------------------------------------------------------ */
/* device.c + sched.c: the emulated device and its two runtimes         */

struct chipc_device_cfg {
	u32 platform;		/* CHIP_PLATFORM_* */
	u32 workers;		/* host threads executing cores, 1..16 */
	u32 ring_window;	/* task ring slots, power of two, 4..65536 */
	u32 dep_pool;		/* dependency records, >= 64 */
};

struct chipc_sched;	/* sched.c private */

struct chipc_device {
	const struct chipc_platform *plat;
	struct chipc_device_cfg cfg;
	struct chipc_sched *sched;
	struct chipc_functab functab;
};

/*
 * One task of a run's timeline, in the layout of struct drm_chip_span:
 * the core it ran on, its func_id, its task id (the orchestrator's SUBMIT
 * id, or the graph task index) and its start and end in device time, ns
 * from the start of the run.
 */
struct chipc_span {
	u64 start_ns;
	u64 end_ns;
	u32 task;
	s32 func_id;
	u16 core;		/* index among the run's cores of its type */
	u16 core_type;		/* CHIP_CORE_AIC or CHIP_CORE_AIV */
	u32 pad;
};

/* Spans a run records at most (DRM_CHIP_MAX_SPANS). */
#define CHIPC_MAX_SPANS		4096u

struct chipc_run_req {
	const struct chipc_code *code;	/* the cid's code, referenced */
	const struct chipc_args *args;
	const struct chipc_graph *graph;	/* host_build_graph; else NULL */
	u32 block_dim;
	u32 aicpu_threads;
	u64 timeout_ns;			/* watchdog; 0: CHIPC_DEFAULT_TIMEOUT */
	u64 insn_budget;		/* per program; 0: none */
	const struct chipc_vm *vm;
	u64 heap_va;
	u64 heap_size;
	u8 *heap_host;
	const int *abort;		/* set by the glue to cancel; may be NULL */
	/*
	 * Timeline: the first @span_cap completed tasks are recorded into
	 * @spans (NULL: none, at no cost); see chipc_run_result.spans.
	 */
	struct chipc_span *spans;
	u32 span_cap;			/* <= CHIPC_MAX_SPANS */
};

#define CHIPC_DEFAULT_TIMEOUT	(2000ull * 1000 * 1000)

struct chipc_run_result {
	u32 status;		/* CHIP_STATUS_* */
	s32 code;
	u64 fault_addr;
	u64 tasks;		/* tasks completed */
	u64 insns;		/* instructions executed, all cores */
	u64 device_ns;		/* wall time inside chipc_device_run */
	u32 spans;		/* spans recorded: min(tasks, span_cap) */
	char msg[96];
};

/*
 * The result fields every completion record carries, copied between any
 * two of chipc_run_result, the uAPI's drm_chip_wait and drm_chip_run_result,
 * and libchip's chip_run_result: status, code, fault_addr, tasks, insns,
 * device_ns and msg (always NUL-terminated).  The sequence number is the
 * caller's: each record names it differently.
 */
#define CHIPC_RESULT_COPY(dst, src)					\
	do {								\
		__typeof__(dst) d_ = (dst);				\
		__typeof__(src) s_ = (src);				\
									\
		static_assert(sizeof(d_->msg) == sizeof(s_->msg),	\
			      "result message sizes");			\
		d_->status = s_->status;				\
		d_->code = s_->code;					\
		d_->fault_addr = s_->fault_addr;			\
		d_->tasks = s_->tasks;					\
		d_->insns = s_->insns;					\
		d_->device_ns = s_->device_ns;				\
		memcpy(d_->msg, s_->msg, sizeof(d_->msg));		\
		d_->msg[sizeof(d_->msg) - 1] = '\0';			\
	} while (0)

/*
 * Start the device: scheduler state sized by @cfg, worker threads.
 * Return: 0; -EINVAL for a bad config; -ENOMEM.
 */
int chipc_device_init(struct chipc_device *dev, const struct chipc_device_cfg *cfg);
/* Stop the workers and free everything.  No run may be in progress. */
void chipc_device_fini(struct chipc_device *dev);

/*
 * The validation every submission path shares: runtime-specific checks
 * of @req against the device (block_dim 1..max_blocks, aicpu_threads
 * 1..max_aicpu_threads, a graph iff host_build_graph, the graph's heap
 * use within heap_size).  Return: 0 or -EINVAL.
 */
int chipc_run_check(const struct chipc_device *dev, const struct chipc_run_req *req);

/*
 * Execute one run to completion in the calling thread (the AICPU's
 * orchestrator), using the device's workers as cores.  Runs on one device
 * are serialised by the caller.  Never fails to return: every outcome is
 * a status in @res.
 */
void chipc_device_run(struct chipc_device *dev, const struct chipc_run_req *req,
		      struct chipc_run_result *res);

/* ------------------------------------------------------------------ */
/* request.c: validation of a run request before it is queued          */

#define CHIPC_MAX_STORES	16
#define CHIPC_MAX_STORE_BYTES	(64ull << 20)	/* default store limit */
#define CHIPC_MAX_LOADS		16	/* load bytes: the store limit */
#define CHIPC_MAX_TIMEOUT_NS	(60000ull * 1000 * 1000)	/* default */
#define CHIPC_MAX_RUNS		4096	/* runs of a context not yet consumed */

/* What a context accepts; zero fields select the defaults above. */
struct chipc_request_limits {
	u64 max_timeout_ns;
	u64 max_store_bytes;
};

/* The sizes and options of a run request, as submitted. */
struct chipc_request {
	u64 args_size;
	u64 graph_size;
	u32 nstores;
	u32 nloads;
	u64 timeout_ns;
	u32 span_cap;		/* spans the caller takes; 0: no timeline */
};

int chipc_request_check(const struct chipc_request_limits *lim,
			const struct chipc_request *rq);
int chipc_request_check_store(const struct chipc_request_limits *lim, u64 va,
			      u64 host, u64 size, u64 *total);
int chipc_request_check_load(const struct chipc_request_limits *lim, u64 va,
			     u64 host, u64 size, u64 *total);
int chipc_request_check_mapped(const struct chipc_vm *vm, u64 va, u64 size);
int chipc_request_check_mapped_load(const struct chipc_vm *vm, u64 va,
				    u64 size);

/*
 * One load or store range of a run as the device sees it: the device
 * range and the host bytes it is copied from (a load, the submitter's
 * bytes read at submission) or to (a store, the snapshot or the
 * submitter's memory).
 */
struct chipc_xfer {
	u64 va;
	u64 size;
	union {
		const void *src;	/* a load's bytes */
		void *dst;		/* where a store's bytes go */
	};
};

/*
 * Before a run executes: write its @n loads into @vm, in order.  Every
 * range is translated first, so a range no longer mapped (writable)
 * copies nothing and fills @res: CHIP_STATUS_FAULT, CHIP_FAULT_WRITE,
 * the range's address, "load <i>: range not mapped".
 * Return: 0 or -EFAULT.
 */
int chipc_run_loads(const struct chipc_vm *vm, const struct chipc_xfer *x,
		    u32 n, struct chipc_run_result *res);
/*
 * After a successful run: copy its @n store ranges out of @vm, the same
 * way (CHIP_FAULT_READ, "store <i>: range not mapped").
 * Return: 0 or -EFAULT.
 */
int chipc_run_stores(const struct chipc_vm *vm, const struct chipc_xfer *x,
		     u32 n, struct chipc_run_result *res);

/*
 * The error a run's fence carries for its final @status: 0 for
 * CHIP_STATUS_OK, -ECANCELED for a cancelled run, -ETIMEDOUT for a
 * watchdog or instruction budget, -ENODEV for a lost device and -EIO for
 * every other failure.  The driver signals its dma_fences with it, the
 * simulated backend writes it into its run fds.
 */
int chipc_status_errno(u32 status);

#endif /* _CHIPC_H */
