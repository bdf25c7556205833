/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Trace events of chip.ko (tracefs: events/chip/).  Their fields are
 * documented in Documentation/driver.rst; like every trace event they
 * are not ABI.  chip_trace.c instantiates them (CREATE_TRACE_POINTS).
 *
 * A run's events carry the device, the file's client id (drm-client-id
 * of its fdinfo) and the run's seq, which identify it: submit, then
 * start, then retire; a run cancelled while queued retires without a
 * start.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM chip

#if !defined(_CHIP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _CHIP_TRACE_H

#include <linux/sched.h>
#include <linux/tracepoint.h>

#include "chip_drv.h"

DECLARE_EVENT_CLASS(chip_run_class,
		    TP_PROTO(const struct chip_run *run),
		    TP_ARGS(run),
		    TP_STRUCT__entry(__field(u32, dev)
				     __field(u64, client)
				     __field(u64, seq)
				     __field(u64, code_va)),
		    TP_fast_assign(__entry->dev = run->file->cdev->index;
				   __entry->client = run->file->client_id;
				   __entry->seq = run->seq;
				   __entry->code_va = run->code ?
					run->code->dev_addr : 0;),
		    TP_printk("dev=%u client=%llu seq=%llu code_va=0x%llx",
			      __entry->dev, __entry->client, __entry->seq,
			      __entry->code_va)
);

/* The run is queued (or about to execute in its submitter). */
DEFINE_EVENT(chip_run_class, chip_run_submit,
	     TP_PROTO(const struct chip_run *run),
	     TP_ARGS(run)
);

/* The run begins to execute. */
DEFINE_EVENT(chip_run_class, chip_run_start,
	     TP_PROTO(const struct chip_run *run),
	     TP_ARGS(run)
);

/* The run is complete: its status and device time. */
TRACE_EVENT(chip_run_retire,
	    TP_PROTO(const struct chip_run *run),
	    TP_ARGS(run),
	    TP_STRUCT__entry(__field(u32, dev)
			     __field(u64, client)
			     __field(u64, seq)
			     __field(u32, status)
			     __field(u64, device_ns)
			     __field(u64, tasks)),
	    TP_fast_assign(__entry->dev = run->file->cdev->index;
			   __entry->client = run->file->client_id;
			   __entry->seq = run->seq;
			   __entry->status = run->res.status;
			   __entry->device_ns = run->res.device_ns;
			   __entry->tasks = run->res.tasks;),
	    TP_printk("dev=%u client=%llu seq=%llu status=%u device_ns=%llu tasks=%llu",
		      __entry->dev, __entry->client, __entry->seq,
		      __entry->status, __entry->device_ns, __entry->tasks)
);

/* A registration: whether it found a resident copy, the image's size. */
TRACE_EVENT(chip_callable_register,
	    TP_PROTO(const struct chip_file *f, s32 cid,
		     const struct chipc_code *code, bool hit, u64 bytes),
	    TP_ARGS(f, cid, code, hit, bytes),
	    TP_STRUCT__entry(__field(u32, dev)
			     __field(u64, client)
			     __field(s32, cid)
			     __field(bool, hit)
			     __field(u64, bytes)
			     __field(u64, code_va)),
	    TP_fast_assign(__entry->dev = f->cdev->index;
			   __entry->client = f->client_id;
			   __entry->cid = cid;
			   __entry->hit = hit;
			   __entry->bytes = bytes;
			   __entry->code_va = code->dev_addr;),
	    TP_printk("dev=%u client=%llu cid=%d %s bytes=%llu code_va=0x%llx",
		      __entry->dev, __entry->client, __entry->cid,
		      __entry->hit ? "hit" : "miss", __entry->bytes,
		      __entry->code_va)
);

/* A buffer object is created and mapped into its file's address space. */
TRACE_EVENT(chip_bo_create,
	    TP_PROTO(const struct chip_file *f, const struct chip_bo *bo,
		     u32 handle, u64 va),
	    TP_ARGS(f, bo, handle, va),
	    TP_STRUCT__entry(__field(u32, dev)
			     __field(u64, client)
			     __field(u32, handle)
			     __field(u64, va)
			     __field(u64, size)),
	    TP_fast_assign(__entry->dev = f->cdev->index;
			   __entry->client = f->client_id;
			   __entry->handle = handle;
			   __entry->va = va;
			   __entry->size = bo->size;),
	    TP_printk("dev=%u client=%llu handle=%u va=0x%llx size=%llu",
		      __entry->dev, __entry->client, __entry->handle,
		      __entry->va, __entry->size)
);

/*
 * The last reference to a buffer object is gone: its memory is freed.  @va
 * is its creator's address (an imported object has others too).
 */
TRACE_EVENT(chip_bo_free,
	    TP_PROTO(const struct chip_bo *bo),
	    TP_ARGS(bo),
	    TP_STRUCT__entry(__field(u32, dev)
			     __field(u64, va)
			     __field(u64, size)),
	    TP_fast_assign(__entry->dev =
				to_chip_device(bo->base.base.dev)->index;
			   __entry->va = bo->va;
			   __entry->size = bo->size;),
	    TP_printk("dev=%u va=0x%llx size=%llu",
		      __entry->dev, __entry->va, __entry->size)
);

#endif /* _CHIP_TRACE_H */

/* This part must be outside the include guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE chip_trace
#include <trace/define_trace.h>
