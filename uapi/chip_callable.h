/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * chip callable binary format and argument blob.
 *
 * DOC: chip callable
 *
 * A chip callable is one contiguous, position-independent byte image:
 *
 *	+-------------------------------+ 0
 *	| struct chip_callable_hdr      |   CHIP_CALLABLE_HDR_SIZE bytes
 *	+-------------------------------+ hdr_size (64-byte aligned)
 *	| orchestration binary          |   orch_size bytes
 *	+-------------------------------+ child_offsets[0] (64-byte aligned)
 *	| struct chip_child_hdr         |   128 bytes
 *	| child code                    |   child binary_size bytes
 *	+-------------------------------+ child_offsets[1] (64-byte aligned)
 *	| ...                           |
 *	+-------------------------------+ total_size
 *
 * Every offset is absolute (from the start of the image) and 64-byte
 * aligned, so storage and every child's code sit on 64-byte boundaries
 * whenever the image does.  Unused bytes are zero, which makes the image a
 * deterministic function of its contents: identical callables hash and
 * compare equal across processes.
 *
 * In the canonical (uploaded) form every child's @resolved_addr is zero.
 * The device copy has it patched to the device address of that child's
 * code: base + child_offsets[i] + CHIP_CHILD_HDR_SIZE.
 */
#ifndef _UAPI_CHIP_CALLABLE_H
#define _UAPI_CHIP_CALLABLE_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <linux/types.h>
#endif

#define CHIP_CALLABLE_MAGIC	0x4c4c4143u	/* "CALL" little-endian */
#define CHIP_CALLABLE_VERSION	1

#define CHIP_CALLABLE_ALIGN	64
#define CHIP_MAX_CHILDREN	1024
#define CHIP_MAX_FUNC_ID	1024
#define CHIP_NAME_MAX		64
#define CHIP_MAX_TENSOR_ARGS	256
#define CHIP_MAX_SCALAR_ARGS	128
#define CHIP_CORE_MAX_ARGS	32
#define CHIP_MAX_CIDS		64

/* Argument directions, stored one byte each in signatures. */
#define CHIP_DIR_SCALAR		0
#define CHIP_DIR_IN		1
#define CHIP_DIR_OUT		2
#define CHIP_DIR_INOUT		3

/* Platforms.  The simulated variants use the same platform value. */
#define CHIP_PLATFORM_A2A3	1
#define CHIP_PLATFORM_A5	2

/* Runtimes. */
#define CHIP_RUNTIME_HOST_BUILD_GRAPH		1
#define CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER	2

/* Core types (child header @core_type, ISA legality). */
#define CHIP_CORE_AIC		0
#define CHIP_CORE_AIV		1
#define CHIP_CORE_AICPU		2

/**
 * struct chip_child_hdr - header of one child kernel (128 bytes)
 * @signature: direction of each argument (CHIP_DIR_*), @sig_count used
 * @sig_count: number of valid @signature entries, <= CHIP_CORE_MAX_ARGS
 * @binary_size: size of the code that follows the header, in bytes
 * @resolved_addr: zero in the canonical image; device address of the code
 *	(this header's device address + CHIP_CHILD_HDR_SIZE) in the device copy
 * @core_type: CHIP_CORE_AIC or CHIP_CORE_AIV; the code is verified for it
 * @flags: must be zero
 * @reserved: must be zero
 */
struct chip_child_hdr {
	__u8 signature[CHIP_CORE_MAX_ARGS];
	__u32 sig_count;
	__u32 binary_size;
	__u64 resolved_addr;
	__u32 core_type;
	__u32 flags;
	__u8 reserved[72];
};

#define CHIP_CHILD_HDR_SIZE	128

/**
 * struct chip_callable_hdr - header of a chip callable (8704 bytes)
 * @magic: CHIP_CALLABLE_MAGIC
 * @version: CHIP_CALLABLE_VERSION
 * @hdr_size: sizeof(struct chip_callable_hdr); the orchestration binary
 *	starts here
 * @total_size: size of the whole image; the device recomputes it and
 *	rejects a mismatch
 * @platform: CHIP_PLATFORM_*
 * @runtime: CHIP_RUNTIME_*
 * @flags: must be zero
 * @sig_count: number of valid @signature entries, <= CHIP_MAX_TENSOR_ARGS
 * @orch_size: size of the orchestration binary in bytes (an ISA program for
 *	tensormap_and_ringbuffer, a host shared object for host_build_graph)
 * @func_name_len: strlen(@func_name), < CHIP_NAME_MAX
 * @config_name_len: strlen(@config_name), < CHIP_NAME_MAX
 * @child_count: number of children, <= CHIP_MAX_CHILDREN
 * @func_name: orchestration entry symbol, NUL-padded
 * @config_name: orchestration config symbol, NUL-padded (may be empty)
 * @signature: direction of each orchestration tensor argument
 * @child_func_ids: func_id of each child, unique, < CHIP_MAX_FUNC_ID;
 *	entries past @child_count are zero
 * @child_offsets: absolute, 64-byte aligned offset of each child header;
 *	entries past @child_count are zero
 * @reserved: must be zero
 */
struct chip_callable_hdr {
	__u32 magic;
	__u16 version;
	__u16 hdr_size;
	__u32 total_size;
	__u16 platform;
	__u16 runtime;
	__u32 flags;
	__u32 sig_count;
	__u32 orch_size;
	__u32 func_name_len;
	__u32 config_name_len;
	__u32 child_count;
	char func_name[CHIP_NAME_MAX];
	char config_name[CHIP_NAME_MAX];
	__u8 signature[CHIP_MAX_TENSOR_ARGS];
	__s32 child_func_ids[CHIP_MAX_CHILDREN];
	__u32 child_offsets[CHIP_MAX_CHILDREN];
	__u8 reserved[88];
};

#define CHIP_CALLABLE_HDR_SIZE	8704

/*
 * DOC: argument blob
 *
 * Arguments of a run travel as one length-delimited blob:
 *
 *	+0			struct chip_args_hdr
 *	+8			struct chip_tensor_arg[tensor_count]  (40 bytes each)
 *	+8 + 40 * T		__u64 scalars[scalar_count]
 *	total = 8 + 40 * T + 8 * S
 *
 * A tensor is a device address plus shape and dtype; its byte extent
 * (product of the shape times the dtype size) is what dependency tracking
 * and bounds checks use.
 */

/* Tensor element types. */
#define CHIP_DT_FLOAT32		0
#define CHIP_DT_FLOAT16		1
#define CHIP_DT_INT32		2
#define CHIP_DT_INT16		3
#define CHIP_DT_INT8		4
#define CHIP_DT_UINT8		5
#define CHIP_DT_BFLOAT16	6
#define CHIP_DT_INT64		7
#define CHIP_DT_UINT64		8
#define CHIP_DT_UINT16		9
#define CHIP_DT_UINT32		10
#define CHIP_DT_COUNT		11

#define CHIP_TENSOR_MAX_DIMS	5

/**
 * struct chip_args_hdr - argument blob header
 * @tensor_count: number of tensors, <= CHIP_MAX_TENSOR_ARGS
 * @scalar_count: number of scalars, <= CHIP_MAX_SCALAR_ARGS
 */
struct chip_args_hdr {
	__u32 tensor_count;
	__u32 scalar_count;
};

/**
 * struct chip_tensor_arg - one tensor argument (40 bytes)
 * @addr: device address of element 0
 * @shape: extent of each dimension; entries past @ndims are zero
 * @ndims: number of dimensions, 1..CHIP_TENSOR_MAX_DIMS
 * @dtype: CHIP_DT_*
 * @flags: must be zero
 * @pad: must be zero
 */
struct chip_tensor_arg {
	__u64 addr;
	__u32 shape[CHIP_TENSOR_MAX_DIMS];
	__u32 ndims;
	__u8 dtype;
	__u8 flags;
	__u8 pad[6];
};

#define CHIP_ARGS_MAX_SIZE	(8 + 40 * CHIP_MAX_TENSOR_ARGS + 8 * CHIP_MAX_SCALAR_ARGS)

/* Run status, as reported by a completed run. */
#define CHIP_STATUS_OK			0
#define CHIP_STATUS_ORCH_ERROR		1	/* code: orchestration error code */
#define CHIP_STATUS_SCHED_ERROR		2	/* code: scheduler error code */
#define CHIP_STATUS_TIMEOUT		3	/* watchdog or instruction budget */
#define CHIP_STATUS_FAULT		4	/* code: CHIP_FAULT_*, fault_addr */
#define CHIP_STATUS_INVALID		5	/* request rejected by the device */
#define CHIP_STATUS_CANCELLED		6	/* cancelled before it ran */
#define CHIP_STATUS_DEVICE_LOST		7
#define CHIP_STATUS_COUNT		8

/* Fault codes (code of CHIP_STATUS_FAULT). */
#define CHIP_FAULT_READ		1	/* load from unmapped device memory */
#define CHIP_FAULT_WRITE	2	/* store to unmapped or read-only memory */
#define CHIP_FAULT_LOCAL	3	/* core-local memory out of range */
#define CHIP_FAULT_ARG		4	/* argument index out of range */
#define CHIP_FAULT_SHAPE	5	/* vector length or shape out of range */

/* Orchestration error codes (code of CHIP_STATUS_ORCH_ERROR). */
#define CHIP_ORCH_SCOPE		1	/* unbalanced or too deep scopes */
#define CHIP_ORCH_HEAP		2	/* heap ring cannot satisfy ALLOC */
#define CHIP_ORCH_FLOW		3	/* task ring deadlock */
#define CHIP_ORCH_DEP_POOL	4	/* dependency records exhausted */
#define CHIP_ORCH_INVALID_ARGS	5	/* bad func_id, core type or arguments */
#define CHIP_ORCH_DEP_OVERFLOW	6	/* too many dependencies for one task */
#define CHIP_ORCH_FATAL		9	/* explicit fatal (FATAL 9) */

/* Scheduler error codes (code of CHIP_STATUS_SCHED_ERROR). */
#define CHIP_SCHED_STALL	100	/* tasks left but none can become ready */
#define CHIP_SCHED_GRAPH	101	/* malformed task graph */

/*
 * DOC: task graph blob
 *
 * The host_build_graph runtime runs its orchestration on the host; what it
 * builds reaches the device as one length-delimited blob:
 *
 *	+0	struct chip_graph_hdr
 *	+16	struct chip_graph_task[task_count]	(16 bytes each)
 *	...	struct chip_graph_arg[arg_count]	(24 bytes each)
 *	...	struct chip_graph_edge[edge_count]	(8 bytes each)
 *
 * Task i's arguments are args[arg_first, arg_first + arg_count).  An edge
 * {from, to} makes task @to wait for task @from.  The device schedules the
 * graph; it derives no dependencies of its own.
 */
#define CHIP_GRAPH_MAX_TASKS	16384
#define CHIP_GRAPH_MAX_ARGS	(16384 * 4)
#define CHIP_GRAPH_MAX_EDGES	65536

/**
 * struct chip_graph_hdr - task graph blob header
 * @task_count: number of tasks, <= CHIP_GRAPH_MAX_TASKS
 * @arg_count: number of arguments of all tasks, <= CHIP_GRAPH_MAX_ARGS
 * @edge_count: number of edges, <= CHIP_GRAPH_MAX_EDGES
 * @heap_bytes: bytes of the context heap the graph's buffers use
 */
struct chip_graph_hdr {
	__u32 task_count;
	__u32 arg_count;
	__u32 edge_count;
	__u32 heap_bytes;
};

/**
 * struct chip_graph_task - one task of a graph
 * @func_id: child to run, < CHIP_MAX_FUNC_ID
 * @core_type: CHIP_CORE_AIC or CHIP_CORE_AIV; must match the child's
 * @arg_first: index of the first argument in the argument array
 * @arg_count: number of arguments, <= CHIP_CORE_MAX_ARGS
 */
struct chip_graph_task {
	__s32 func_id;
	__u32 core_type;
	__u32 arg_first;
	__u32 arg_count;
};

/**
 * struct chip_graph_arg - one task argument
 * @value: device address of a tensor, or the scalar's value
 * @size: byte size of a tensor; zero for a scalar
 * @dir: CHIP_DIR_*
 * @pad: must be zero
 */
struct chip_graph_arg {
	__u64 value;
	__u64 size;
	__u32 dir;
	__u32 pad;
};

/**
 * struct chip_graph_edge - dependency between two tasks
 * @from: producer task index
 * @to: consumer task index, != @from
 */
struct chip_graph_edge {
	__u32 from;
	__u32 to;
};

#endif /* _UAPI_CHIP_CALLABLE_H */
