/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * chip DRM/accel driver uAPI.
 *
 * DOC: chip accel uAPI
 *
 * A chip device is an accel node (/dev/accel/accelN) on kernels that have
 * the accel subsystem and a render node (/dev/dri/renderDN) before it.
 * Everything a client creates belongs to the open file it was created
 * through: buffer objects (GEM handles) and their device addresses, the
 * callables registered under a cid, and runs with their completions.
 * Another file of the same device cannot see or use any of them (-ENOENT),
 * and closing the file cancels its queued runs, stops its running one and
 * frees everything.
 *
 * Device addresses are per file.  Each file has a heap of device memory
 * for run-lifetime buffers at a fixed address (DRM_CHIP_PARAM_HEAP_VA).
 *
 * Every struct has explicit padding and is a multiple of 8 bytes.  Every
 * flags, pad and reserved field must be zero (-EINVAL).
 *
 * Extension rule (the DRM core's, drm_ioctl()): structs only grow, by
 * fields appended at the end whose zero value means what the kernel did
 * before they existed.  The size of an ioctl's struct is part of its
 * number.  When userspace passes a struct shorter than the kernel's (a
 * binary built against an older header), the kernel zero-extends it:
 * the missing input fields read as zero, and output fields past the
 * caller's size are not written back.  When it passes a longer one (a
 * newer header on an older kernel), the kernel ignores the extra bytes
 * and does not write them back: a caller that needs a new field checks
 * DRM_CHIP_PARAM_FEATURES (or the driver's version) first.  An unknown
 * driver ioctl number is -EINVAL.
 *
 * Core DRM ioctls: a chip file accepts only DRM_IOCTL_VERSION,
 * DRM_IOCTL_GET_CAP, DRM_IOCTL_GEM_CLOSE, DRM_IOCTL_PRIME_HANDLE_TO_FD,
 * DRM_IOCTL_PRIME_FD_TO_HANDLE and the syncobj ioctls
 * (DRM_IOCTL_SYNCOBJ_CREATE, _DESTROY, _HANDLE_TO_FD, _FD_TO_HANDLE (also
 * sync_file import and export), _WAIT, _RESET, _SIGNAL, _TIMELINE_WAIT,
 * _QUERY, _TRANSFER, _TIMELINE_SIGNAL, and _EVENTFD on kernels that have
 * it, 6.6 and later) (the numbers, whatever the rest of the command);
 * every other core number (0x00-0x3f, 0xa0-0xff) is -EACCES.  The
 * syncobj ioctls that take an array refuse more than 65536 handles
 * (-EINVAL).
 *
 * Times are CLOCK_MONOTONIC nanoseconds; timeouts are absolute.
 */
#ifndef _UAPI_DRM_CHIP_ACCEL_H
#define _UAPI_DRM_CHIP_ACCEL_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#if defined(__cplusplus)
extern "C" {
#endif

/*
 * DRM_COMMAND_BASE and DRM_IOWR() of drm.h, spelled out so that this
 * header needs no DRM include path in userspace.
 */
#define DRM_CHIP_COMMAND_BASE	0x40
#define DRM_CHIP_IOWR(nr, type)	_IOWR('d', DRM_CHIP_COMMAND_BASE + (nr), type)
#define DRM_CHIP_IOW(nr, type)	_IOW('d', DRM_CHIP_COMMAND_BASE + (nr), type)

#define DRM_CHIP_GET_PARAM	0x00
#define DRM_CHIP_BO_CREATE	0x01
#define DRM_CHIP_BO_INFO	0x02
#define DRM_CHIP_BO_COPY	0x03
#define DRM_CHIP_REGISTER	0x04
#define DRM_CHIP_UNREGISTER	0x05
#define DRM_CHIP_RUN		0x06
#define DRM_CHIP_WAIT		0x07
#define DRM_CHIP_COUNTERS	0x08
#define DRM_CHIP_CANCEL		0x09
/* 0x0a: retired (a test hook); never reused. */
#define DRM_CHIP_DEDUP_LIST	0x0b

#define DRM_IOCTL_CHIP_GET_PARAM \
	DRM_CHIP_IOWR(DRM_CHIP_GET_PARAM, struct drm_chip_get_param)
#define DRM_IOCTL_CHIP_BO_CREATE \
	DRM_CHIP_IOWR(DRM_CHIP_BO_CREATE, struct drm_chip_bo_create)
#define DRM_IOCTL_CHIP_BO_INFO \
	DRM_CHIP_IOWR(DRM_CHIP_BO_INFO, struct drm_chip_bo_info)
#define DRM_IOCTL_CHIP_BO_COPY \
	DRM_CHIP_IOW(DRM_CHIP_BO_COPY, struct drm_chip_bo_copy)
#define DRM_IOCTL_CHIP_REGISTER \
	DRM_CHIP_IOWR(DRM_CHIP_REGISTER, struct drm_chip_register)
#define DRM_IOCTL_CHIP_UNREGISTER \
	DRM_CHIP_IOW(DRM_CHIP_UNREGISTER, struct drm_chip_unregister)
#define DRM_IOCTL_CHIP_RUN \
	DRM_CHIP_IOWR(DRM_CHIP_RUN, struct drm_chip_run)
#define DRM_IOCTL_CHIP_WAIT \
	DRM_CHIP_IOWR(DRM_CHIP_WAIT, struct drm_chip_wait)
#define DRM_IOCTL_CHIP_COUNTERS \
	DRM_CHIP_IOWR(DRM_CHIP_COUNTERS, struct drm_chip_counters)
#define DRM_IOCTL_CHIP_CANCEL \
	DRM_CHIP_IOWR(DRM_CHIP_CANCEL, struct drm_chip_cancel)
#define DRM_IOCTL_CHIP_DEDUP_LIST \
	DRM_CHIP_IOWR(DRM_CHIP_DEDUP_LIST, struct drm_chip_dedup_list)

/* Parameters of DRM_IOCTL_CHIP_GET_PARAM. */
#define DRM_CHIP_PARAM_PLATFORM		0	/* CHIP_PLATFORM_* */
#define DRM_CHIP_PARAM_MAX_BLOCKS	1
#define DRM_CHIP_PARAM_MAX_AICPU_THREADS 2
#define DRM_CHIP_PARAM_AIC_CORES	3
#define DRM_CHIP_PARAM_AIV_CORES	4
#define DRM_CHIP_PARAM_LOCAL_AIC	5	/* bytes of AIC local memory */
#define DRM_CHIP_PARAM_LOCAL_AIV	6	/* bytes of AIV local memory */
#define DRM_CHIP_PARAM_GM_SIZE		7	/* bytes of device memory */
#define DRM_CHIP_PARAM_HEAP_VA		8	/* this file's heap */
#define DRM_CHIP_PARAM_HEAP_SIZE	9
#define DRM_CHIP_PARAM_FEATURES		10	/* DRM_CHIP_FEATURE_* mask */
#define DRM_CHIP_PARAM_MAX_CALLABLE	11	/* bytes of one callable image */
#define DRM_CHIP_PARAM_MAX_STORE_BYTES	12	/* store bytes of one run */
#define DRM_CHIP_PARAM_MAX_TIMEOUT_NS	13	/* largest run watchdog */
#define DRM_CHIP_PARAM_DEDUP_SCOPE	14	/* DRM_CHIP_DEDUP_* */
#define DRM_CHIP_PARAM_MAX_RUNS		15	/* runs a file may hold */
#define DRM_CHIP_PARAM_COUNT		16

/* Features (DRM_CHIP_PARAM_FEATURES). */
#define DRM_CHIP_FEATURE_STORES		_BITULL(0)	/* run store lists */
#define DRM_CHIP_FEATURE_HOST_GRAPH	_BITULL(1)	/* host_build_graph */
/* _BITULL(2): retired (a test hook); never set, never reused. */

/* Dedup scopes (DRM_CHIP_PARAM_DEDUP_SCOPE). */
#define DRM_CHIP_DEDUP_DEVICE	0	/* one table per device */
#define DRM_CHIP_DEDUP_FILE	1	/* one table per open file */
#define DRM_CHIP_DEDUP_USER	2	/* one table per user (opener's euid) */

/**
 * struct drm_chip_get_param - query one device or file property
 * @param: DRM_CHIP_PARAM_*; unknown values are rejected with -EINVAL
 * @pad: must be zero
 * @value: returned value
 */
struct drm_chip_get_param {
	__u32 param;
	__u32 pad;
	__u64 value;
};

/* Flags of struct drm_chip_bo_create: none defined yet. */
#define DRM_CHIP_BO_CREATE_FLAGS	0u

/**
 * struct drm_chip_bo_create - create a buffer object in device memory
 * @size: bytes, > 0; rounded up to pages
 * @flags: DRM_CHIP_BO_CREATE_FLAGS bits only, must be zero today
 * @handle: returned GEM handle
 * @va: returned device virtual address in this file's address space
 *
 * The memory is zeroed.  It is freed with DRM_IOCTL_GEM_CLOSE, which also
 * removes the address from the file's address space.
 */
struct drm_chip_bo_create {
	__u64 size;
	__u32 flags;
	__u32 handle;
	__u64 va;
};

/* Flags of struct drm_chip_bo_info. */
#define DRM_CHIP_BO_INFO_BY_VA	_BITUL(0)	/* look up by @va, not @handle */
#define DRM_CHIP_BO_INFO_FLAGS	DRM_CHIP_BO_INFO_BY_VA

/**
 * struct drm_chip_bo_info - describe a buffer object
 * @handle: GEM handle (in), or returned with DRM_CHIP_BO_INFO_BY_VA
 * @flags: DRM_CHIP_BO_INFO_* bits
 * @va: device address; in with DRM_CHIP_BO_INFO_BY_VA (must be the
 *	start of the object), else out
 * @size: returned size in bytes, as created
 * @mmap_offset: returned offset to mmap() the object through this file
 */
struct drm_chip_bo_info {
	__u32 handle;
	__u32 flags;
	__u64 va;
	__u64 size;
	__u64 mmap_offset;
};

/* Flags of struct drm_chip_bo_copy. */
#define DRM_CHIP_BO_COPY_TO_DEVICE	_BITUL(0)	/* else from device */
#define DRM_CHIP_BO_COPY_FLAGS		DRM_CHIP_BO_COPY_TO_DEVICE

/**
 * struct drm_chip_bo_copy - copy between user memory and device memory
 * @va: device address; [@va, @va + @size) must lie in one buffer object
 *	of this file (-EFAULT otherwise)
 * @user_ptr: user memory, @size bytes
 * @size: bytes; zero is a no-op
 * @flags: DRM_CHIP_BO_COPY_* bits
 * @pad: must be zero
 */
struct drm_chip_bo_copy {
	__u64 va;
	__u64 user_ptr;
	__u64 size;
	__u32 flags;
	__u32 pad;
};

/* Flags of struct drm_chip_register: none defined yet. */
#define DRM_CHIP_REGISTER_FLAGS		0u

/* Results of struct drm_chip_register. */
#define DRM_CHIP_REGISTER_HIT		_BITUL(0)	/* resident copy reused */

/**
 * struct drm_chip_register - upload a callable and bind it to a cid
 * @image_ptr: user pointer to the canonical callable image
 * @image_size: bytes of the image, <= DRM_CHIP_PARAM_MAX_CALLABLE (-E2BIG)
 * @cid: 0 <= cid < CHIP_MAX_CIDS
 * @flags: DRM_CHIP_REGISTER_FLAGS bits only
 * @result: returned DRM_CHIP_REGISTER_* bits
 * @runtime: returned CHIP_RUNTIME_* of the image
 * @dev_addr: returned device address of the resident copy
 * @hash: returned dedup key of the canonical image: XXH64 with seed 0 of
 *	its bytes (formerly FNV-1a 64, which chip_callable_layout() in
 *	libchip still reports)
 *
 * The kernel copies the image once, hashing it as it copies, validates its
 * layout on the copy and looks it up in the dedup table, comparing bytes on
 * a key hit; a miss verifies every program as it copies it into the
 * resident copy.  Identical images share one resident copy.
 */
struct drm_chip_register {
	__u64 image_ptr;
	__u64 image_size;
	__s32 cid;
	__u32 flags;
	__u32 result;
	__u32 runtime;
	__u64 dev_addr;
	__u64 hash;
};

/**
 * struct drm_chip_unregister - unbind a cid
 * @cid: a registered cid of this file
 * @pad: must be zero
 *
 * Runs already submitted keep the callable alive until they complete.
 */
struct drm_chip_unregister {
	__s32 cid;
	__u32 pad;
};

/**
 * struct drm_chip_store - copy a device range to user memory after a run
 * @va: device address; the range must lie in one buffer object
 * @user_ptr: destination in the memory of the process that waits
 * @size: bytes, > 0
 *
 * The device copies the range when the run completes with
 * CHIP_STATUS_OK, before the completion becomes visible; the wait that
 * consumes the completion writes it to @user_ptr.
 */
struct drm_chip_store {
	__u64 va;
	__u64 user_ptr;
	__u64 size;
};

#define DRM_CHIP_MAX_STORES	16

/*
 * Flags of struct drm_chip_run.
 *
 * DRM_CHIP_RUN_INLINE: the caller waits for this run at once (a
 * synchronous run).  If the device is idle, nothing is queued and the
 * callable's previous run took at most the module parameter inline_us,
 * the run executes in the submitting task, inside the RUN ioctl or the
 * io_uring issue, instead of being handed to the device worker; it is
 * then complete when the call returns.  The outcome is the same either
 * way.  Without the flag submission never executes a run.
 */
#define DRM_CHIP_RUN_INLINE	_BITUL(0)
/*
 * DRM_CHIP_RUN_NO_RESULT: nobody will wait for this run's result by seq.
 * Its detailed result is dropped when it retires, and it never counts
 * against DRM_CHIP_PARAM_MAX_RUNS (its memory counts against the module
 * parameter max_run_mb until it retires); its outcome is its fence's
 * (out_sync) error: 0 for CHIP_STATUS_OK, -ECANCELED for
 * CHIP_STATUS_CANCELLED, -ETIMEDOUT for CHIP_STATUS_TIMEOUT, -ENODEV for
 * CHIP_STATUS_DEVICE_LOST, -EIO otherwise.  Stores are not allowed
 * (-EINVAL).  DRM_IOCTL_CHIP_WAIT on its seq is -ENOENT.  Through
 * io_uring its completion entry carries the status, and the result
 * record is not written.
 */
#define DRM_CHIP_RUN_NO_RESULT	_BITUL(1)
#define DRM_CHIP_RUN_FLAGS	(DRM_CHIP_RUN_INLINE | DRM_CHIP_RUN_NO_RESULT)

/**
 * struct drm_chip_sync - a point of a DRM syncobj a run waits for or signals
 * @handle: a syncobj handle of this file (DRM_IOCTL_SYNCOBJ_CREATE); an
 *	unknown handle is -ENOENT (an in-fence handle must not be zero:
 *	-EINVAL)
 * @flags: must be zero
 * @point: timeline point; 0: the syncobj is binary.  An in-fence point
 *	with no fence attached yet is -EINVAL (the run never waits for a
 *	fence to be attached)
 */
struct drm_chip_sync {
	__u32 handle;
	__u32 flags;
	__u64 point;
};

#define DRM_CHIP_MAX_IN_SYNCS	16

/* Core types of struct drm_chip_span. */
#define DRM_CHIP_CORE_AIC	0
#define DRM_CHIP_CORE_AIV	1
#define DRM_CHIP_CORE_AICPU	2

/**
 * struct drm_chip_span - one task of a run's timeline
 * @start_ns: when the task started, device time from the start of the run
 * @end_ns: when it ended, on the same clock, >= @start_ns
 * @task: the task's id within the run
 * @func_id: the child kernel it executed (its func_id)
 * @core: index of the core within its type
 * @core_type: DRM_CHIP_CORE_*
 * @pad: written as zero
 */
struct drm_chip_span {
	__u64 start_ns;
	__u64 end_ns;
	__u32 task;
	__s32 func_id;
	__u16 core;
	__u16 core_type;
	__u32 pad;
};

/**
 * struct drm_chip_timeline - head of a run's timeline buffer
 * @count: spans written after this head
 * @tasks: tasks the run executed; more than @count when the buffer (the
 *	run's timeline_count) was too small and later tasks were dropped
 * @pad: written as zero
 *
 * Written, with the spans that follow it, where the run's results are
 * delivered: by the wait that consumes the run, or before the io_uring
 * completion.
 */
struct drm_chip_timeline {
	__u32 count;
	__u32 tasks;
	__u64 pad;
	/* struct drm_chip_span spans[count]; */
};

#define DRM_CHIP_MAX_SPANS	4096

/**
 * struct drm_chip_run - queue a run of a registered cid
 * @args_ptr: user pointer to the argument blob (chip_callable.h)
 * @args_size: bytes of the argument blob
 * @graph_ptr: user pointer to the task graph blob (host_build_graph
 *	only; zero with @graph_size zero otherwise)
 * @graph_size: bytes of the graph blob
 * @stores_ptr: user pointer to @store_count struct drm_chip_store
 * @store_count: <= DRM_CHIP_MAX_STORES (-E2BIG)
 * @cid: a registered cid of this file
 * @block_dim: 1..max_blocks
 * @aicpu_threads: 1..max_aicpu_threads
 * @flags: DRM_CHIP_RUN_FLAGS bits only
 * @pad: must be zero
 * @timeout_ns: watchdog relative to the start of the run; 0 selects the
 *	default (2 s); at most DRM_CHIP_PARAM_MAX_TIMEOUT_NS
 * @insn_budget: instructions per program execution; 0: unlimited
 * @seq: returned sequence number of the run, > 0, increasing per file
 * @loads_ptr: user pointer to @load_count struct drm_chip_load; zero with
 *	@load_count zero (-EINVAL otherwise)
 * @load_count: <= DRM_CHIP_MAX_LOADS (-E2BIG); 0: no loads.  Drivers
 *	without DRM_CHIP_FEATURE_LOADS take struct drm_chip_run without the
 *	load fields (the DRM core zero-extends an older, shorter struct)
 * @pad2: must be zero
 * @in_syncs_ptr: user pointer to @in_sync_count struct drm_chip_sync the
 *	run waits for before it starts (DRM_CHIP_FEATURE_FENCES); zero with
 *	@in_sync_count zero.  A fence that signals with an error cancels the
 *	run (CHIP_STATUS_CANCELLED)
 * @in_sync_count: <= DRM_CHIP_MAX_IN_SYNCS (-E2BIG)
 * @pad3: must be zero
 * @out_sync: where the run's fence is published when it is queued:
 *	@out_sync.handle 0 publishes nothing; @out_sync.point 0 replaces the
 *	binary syncobj's fence, a point > 0 adds it to the timeline
 * @timeline_ptr: user pointer to a struct drm_chip_timeline followed by
 *	@timeline_count struct drm_chip_span (DRM_CHIP_FEATURE_TIMELINE);
 *	zero with @timeline_count zero.  Not with DRM_CHIP_RUN_NO_RESULT
 * @timeline_count: spans the buffer holds, <= DRM_CHIP_MAX_SPANS (-E2BIG);
 *	0: record no timeline.  The record is allocated only when asked
 *	for and counted in the file's run memory
 * @pad4: must be zero
 *
 * Runs of one device execute one at a time.  Each file's runs start in
 * submission order; the device serves the files with runs ready to start
 * in turn (round-robin), so a file's run waits behind at most the one run
 * executing.  A run waiting for its in-fences holds back the later runs
 * of its own file only.  Its fence signals when it retires, with the
 * error DRM_CHIP_RUN_NO_RESULT lists.
 * -EBUSY: the file's runs not yet consumed are too many (4096) or hold
 * too much kernel memory (module parameter max_run_mb; a run larger than
 * that alone: -E2BIG); consume completions and submit again.
 */
struct drm_chip_run {
	__u64 args_ptr;
	__u64 args_size;
	__u64 graph_ptr;
	__u64 graph_size;
	__u64 stores_ptr;
	__u32 store_count;
	__s32 cid;
	__u32 block_dim;
	__u32 aicpu_threads;
	__u32 flags;
	__u32 pad;
	__u64 timeout_ns;
	__u64 insn_budget;
	__u64 seq;
	__u64 loads_ptr;
	__u32 load_count;
	__u32 pad2;
	__u64 in_syncs_ptr;
	__u32 in_sync_count;
	__u32 pad3;
	struct drm_chip_sync out_sync;
	__u64 timeline_ptr;
	__u32 timeline_count;
	__u32 pad4;
};

/* Flags of struct drm_chip_wait: none defined yet. */
#define DRM_CHIP_WAIT_FLAGS	0u

/**
 * struct drm_chip_wait - wait for a run and consume its completion
 * @seq: the run's sequence number; 0 takes the oldest completed run
 * @timeout_ns: absolute CLOCK_MONOTONIC deadline; 0 waits forever
 * @flags: DRM_CHIP_WAIT_FLAGS bits only
 * @status: returned CHIP_STATUS_*
 * @code: returned error or fault code
 * @pad: must be zero
 * @fault_addr: returned device address of a memory fault
 * @tasks: returned number of tasks completed
 * @insns: returned number of instructions executed
 * @device_ns: returned wall time the run spent on the device
 * @done_seq: returned sequence number of the consumed run
 * @msg: returned NUL-terminated description of the outcome
 *
 * Returns -ETIMEDOUT at the deadline (the run stays pending) and -ENOENT
 * when @seq is not a run of this file or was already consumed (for @seq
 * 0: when nothing is completed or in flight).
 */
struct drm_chip_wait {
	__u64 seq;
	__u64 timeout_ns;
	__u32 flags;
	__u32 status;
	__s32 code;
	__u32 pad;
	__u64 fault_addr;
	__u64 tasks;
	__u64 insns;
	__u64 device_ns;
	__u64 done_seq;
	char msg[96];
};

#define DRM_CHIP_STATUS_COUNT	8	/* == CHIP_STATUS_COUNT */

/**
 * struct drm_chip_counters - counters of this file and of its device
 * @orch_loads: orchestration programs loaded by this file's registrations
 * @dedup_hits: this file's registrations that reused a resident copy
 * @dedup_misses: this file's registrations that uploaded a new copy
 * @resident_bytes: bytes of resident callables in the table this file
 *	uses (DRM_CHIP_PARAM_DEDUP_SCOPE: its user's by default; with the
 *	device scope, every user's)
 * @resident_callables: resident callables in that table
 * @registered: cids registered by this file
 * @runs: this file's completed runs by CHIP_STATUS_*
 * @gm_used: bytes of buffer objects of this file (page rounded)
 * @dev_dedup_hits: dedup hits of the device since load (this and every
 *	other dev_* field: only for a caller with CAP_SYS_ADMIN, zero for
 *	others, as they describe every client of the device)
 * @dev_dedup_misses: dedup misses of the device since load
 * @dev_resident_bytes: bytes of resident callables of the whole device
 *	(every dedup table, whatever the scope)
 * @dev_resident_callables: resident callables of the whole device
 * @dev_gm_used: device memory in use by all files
 * @dev_files: open files of the device
 * @dev_bos: buffer objects of the device
 * @dev_runs: runs of the device queued, running or not yet consumed
 * @flags: must be zero
 * @pad: must be zero
 * @inline_runs: this file's runs executed by the task that submitted
 *	them (RUN ioctl or io_uring issue) instead of the device's worker:
 *	short runs submitted while the device was idle (module parameter
 *	inline_us); their results are the same either way
 */
struct drm_chip_counters {
	__u64 orch_loads;
	__u64 dedup_hits;
	__u64 dedup_misses;
	__u64 resident_bytes;
	__u64 resident_callables;
	__u64 registered;
	__u64 runs[DRM_CHIP_STATUS_COUNT];
	__u64 gm_used;
	__u64 dev_dedup_hits;
	__u64 dev_dedup_misses;
	__u64 dev_resident_bytes;
	__u64 dev_resident_callables;
	__u64 dev_gm_used;
	__u64 dev_files;
	__u64 dev_bos;
	__u64 dev_runs;
	__u32 flags;
	__u32 pad;
	__u64 inline_runs;
};

/**
 * struct drm_chip_cancel - cancel this file's runs
 * @flags: must be zero
 * @pad: must be zero
 * @cancelled: returned number of queued runs cancelled (their status is
 *	CHIP_STATUS_CANCELLED); a running run of this file is stopped and
 *	completes as CHIP_STATUS_CANCELLED too
 */
struct drm_chip_cancel {
	__u32 flags;
	__u32 pad;
	__u64 cancelled;
};

/*
 * io_uring passthrough (IORING_OP_URING_CMD on the device file).
 *
 * sqe->cmd_op is one of the DRM_CHIP_URING_* opcodes below: _IOWR('d', nr,
 * struct) like an ioctl number; the kernel checks its type, direction,
 * number and size (bad type or number: -ENOTTY; wrong size: -EINVAL).
 * The first 16 bytes of sqe->cmd are a struct drm_chip_uring_cmd; on a ring
 * with 128-byte entries (IORING_SETUP_SQE128) the remaining 64 bytes must
 * be zero (-EINVAL).
 *
 * DRM_CHIP_URING_RUN: @ptr points to a struct drm_chip_uring_run.  Its
 * @run member is validated exactly as DRM_IOCTL_CHIP_RUN validates its
 * argument (same function, same errnos).  A request that fails validation
 * completes at once with cqe->res = -errno.  Otherwise the run is queued,
 * run.seq is written back before io_uring_enter() returns, and when the
 * run finishes (in the submitting task's context) the kernel performs the
 * run's store-to-host copies, fills @result and posts the completion:
 * cqe->res = the run's CHIP_STATUS_* (>= 0), or -EFAULT if a store or
 * @result could not be written; on rings with 32-byte completions
 * (IORING_SETUP_CQE32) cqe->big_cqe[0] = the run's seq.  The struct must
 * stay valid until the completion.  A run submitted this way is not seen
 * by DRM_IOCTL_CHIP_WAIT (its completion is the CQE), but counts against
 * DRM_CHIP_PARAM_MAX_RUNS until its completion is posted and is cancelled
 * by DRM_IOCTL_CHIP_CANCEL like any other run.
 *
 * Tearing the ring down, or the submitting task exiting, cancels queued
 * runs (cqe->res = CHIP_STATUS_CANCELLED) on kernels that support
 * cancelable commands and waits for running ones; the file stays open
 * while the ring holds commands on it.
 *
 * DRM_CHIP_URING_NOP: @ptr must be zero; completes at once with res 0.
 * It measures the cost of the passthrough itself.
 */
#define DRM_CHIP_URING_RUN_NR	0x20
#define DRM_CHIP_URING_NOP_NR	0x21

#define DRM_CHIP_URING_RUN \
	DRM_CHIP_IOWR(DRM_CHIP_URING_RUN_NR, struct drm_chip_uring_run)
#define DRM_CHIP_URING_NOP \
	DRM_CHIP_IOWR(DRM_CHIP_URING_NOP_NR, struct drm_chip_uring_cmd)

/* Features (DRM_CHIP_PARAM_FEATURES), continued. */
#define DRM_CHIP_FEATURE_URING		_BITULL(3)	/* uring_cmd supported */
#define DRM_CHIP_FEATURE_RUN_INLINE	_BITULL(4)	/* DRM_CHIP_RUN_INLINE */

/**
 * struct drm_chip_uring_cmd - the command area of the submission entry
 * @ptr: DRM_CHIP_URING_RUN: user pointer to struct drm_chip_uring_run;
 *	DRM_CHIP_URING_NOP: zero
 * @flags: must be zero
 * @pad: must be zero
 */
struct drm_chip_uring_cmd {
	__u64 ptr;
	__u32 flags;
	__u32 pad;
};

/**
 * struct drm_chip_run_result - outcome of a run submitted through io_uring
 * @seq: the run's sequence number
 * @status: CHIP_STATUS_*
 * @code: error or fault code
 * @pad: written as zero
 * @fault_addr: device address of a memory fault
 * @tasks: tasks completed
 * @insns: instructions executed
 * @device_ns: wall time the run spent on the device
 * @msg: NUL-terminated description of the outcome
 */
struct drm_chip_run_result {
	__u64 seq;
	__u32 status;
	__s32 code;
	__u64 fault_addr;
	__u64 tasks;
	__u64 insns;
	__u64 device_ns;
	char msg[96];
};

/**
 * struct drm_chip_uring_run - a run request for DRM_CHIP_URING_RUN
 * @run: as for DRM_IOCTL_CHIP_RUN; @run.seq must be zero and is returned
 * @result: written when the run completes, before its completion entry
 */
struct drm_chip_uring_run {
	struct drm_chip_run run;
	struct drm_chip_run_result result;
};

/**
 * struct drm_chip_load - copy user memory to a device range before a run
 * @va: device address; the range must lie in one buffer object when the
 *	run is submitted (-EFAULT) and when it starts (else the run ends
 *	with CHIP_STATUS_FAULT and no load is copied)
 * @user_ptr: source in the submitter's memory, not zero (-EINVAL); read
 *	at submission (-EFAULT if it cannot be read), so it may change as
 *	soon as the submission returns
 * @size: bytes, > 0 (-EINVAL); the loads of a run together at most
 *	DRM_CHIP_PARAM_MAX_STORE_BYTES (-E2BIG), and counted in the file's
 *	run memory (module parameter max_run_mb) until the run starts
 *
 * The loads of a run are written in order, just before it executes,
 * after every earlier run of the device.
 */
struct drm_chip_load {
	__u64 va;
	__u64 user_ptr;
	__u64 size;
};

#define DRM_CHIP_MAX_LOADS	16

/* Features (DRM_CHIP_PARAM_FEATURES), continued. */
#define DRM_CHIP_FEATURE_LOADS		_BITULL(5)	/* run load lists */

/*
 * DRM_CHIP_URING_RUN encodes the size of struct drm_chip_uring_run, which
 * grew with struct drm_chip_run's load fields.  A driver with
 * DRM_CHIP_FEATURE_LOADS also takes the command of the size before them,
 * DRM_CHIP_URING_RUN_V1: a struct drm_chip_uring_run whose @run ends
 * before @loads_ptr (DRM_CHIP_RUN_SIZE_V1 bytes) and whose @result follows
 * it at once; such a run has no loads.
 */
#define DRM_CHIP_RUN_SIZE_V1	88
#define DRM_CHIP_URING_RUN_V1 \
	_IOC(_IOC_READ | _IOC_WRITE, 'd', \
	     DRM_CHIP_COMMAND_BASE + DRM_CHIP_URING_RUN_NR, \
	     DRM_CHIP_RUN_SIZE_V1 + sizeof(struct drm_chip_run_result))

/*
 * DRM_CHIP_URING_RUN_V2: the command of a struct drm_chip_uring_run whose
 * @run ends after @pad2 (DRM_CHIP_RUN_SIZE_V2 bytes, with loads but before
 * the sync and timeline fields) and whose @result follows it at once.
 */
#define DRM_CHIP_RUN_SIZE_V2	104
#define DRM_CHIP_URING_RUN_V2 \
	_IOC(_IOC_READ | _IOC_WRITE, 'd', \
	     DRM_CHIP_COMMAND_BASE + DRM_CHIP_URING_RUN_NR, \
	     DRM_CHIP_RUN_SIZE_V2 + sizeof(struct drm_chip_run_result))

/* Features (DRM_CHIP_PARAM_FEATURES), continued. */
#define DRM_CHIP_FEATURE_FENCES		_BITULL(6)	/* syncobjs, NO_RESULT */
#define DRM_CHIP_FEATURE_TIMELINE	_BITULL(7)	/* run timelines */
#define DRM_CHIP_FEATURE_IMPORT		_BITULL(8)	/* PRIME import maps */
#define DRM_CHIP_FEATURE_DEDUP_LIST	_BITULL(9)	/* DEDUP_LIST ioctl */

/* Flags of struct drm_chip_dedup_entry. */
#define DRM_CHIP_DEDUP_ENTRY_MINE	_BITUL(0)	/* this file uses it */

/**
 * struct drm_chip_dedup_entry - one resident callable
 * @hash: its content key; zero for an entry this file does not use
 *	unless the caller has CAP_SYS_ADMIN (device scope shares one table
 *	between users; a key would tell whether another user holds an image)
 * @size: bytes of resident code
 * @code_va: device address of the resident code; zero where @hash is
 * @refs: registrations (of every file sharing the table) that hold it
 * @flags: DRM_CHIP_DEDUP_ENTRY_*
 */
struct drm_chip_dedup_entry {
	__u64 hash;
	__u64 size;
	__u64 code_va;
	__u32 refs;
	__u32 flags;
};

/**
 * struct drm_chip_dedup_list - list the callables of the file's dedup table
 * @entries_ptr: user pointer to @count struct drm_chip_dedup_entry; may be
 *	zero with @count zero to ask for the number only
 * @count: in: entries the buffer holds; out: entries the table has (more
 *	than were written when the buffer was too small)
 * @scope: out: DRM_CHIP_DEDUP_* of the table
 * @flags: must be zero
 * @pad: must be zero
 */
struct drm_chip_dedup_list {
	__u64 entries_ptr;
	__u32 count;
	__u32 scope;
	__u32 flags;
	__u32 pad;
};

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_DRM_CHIP_ACCEL_H */
