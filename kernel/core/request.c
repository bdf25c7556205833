// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * chip core: validation of a run request before it is queued.
 *
 * A run request is what a submission carries: the argument blob, the
 * graph blob (host_build_graph), the store-to-host ranges, the
 * load-from-host ranges and the options.  Every submission path (the
 * driver's RUN ioctl and io_uring command, libchip's simulated backend)
 * validates it with these functions in the same order, so the same
 * request fails with the same errno on every backend:
 *
 *  1. chipc_request_check(): sizes and options, nothing of the context;
 *  2. chipc_request_check_store() for each store range, in order, then
 *     chipc_request_check_load() for each load range, in order;
 *  3. chipc_args_parse() and chipc_graph_parse() on private copies;
 *  4. chipc_request_check_mapped() for each store range, then
 *     chipc_request_check_mapped_load() for each load range, against the
 *     context's address space;
 *  5. the cid's registration (-ENOENT), then chipc_run_check().
 *
 * A run is bound to the code registered under its cid at step 5, when it
 * is queued: the glue takes a reference on that code and executes it,
 * whatever happens to the cid before the run starts.
 */
#include "chipc.h"

/**
 * chipc_request_check() - validate the sizes and options of a run request
 * @lim: the context's limits; a zero field selects the core's default
 * @rq: the request
 *
 * Return: 0; -EINVAL for a watchdog longer than the limit; -E2BIG for an
 * argument blob, graph blob, store list, load list or timeline larger
 * than its maximum (CHIPC_MAX_SPANS spans).
 */
int chipc_request_check(const struct chipc_request_limits *lim,
			const struct chipc_request *rq)
{
	const u64 max_graph = chipc_graph_size(CHIP_GRAPH_MAX_TASKS,
					       CHIP_GRAPH_MAX_ARGS,
					       CHIP_GRAPH_MAX_EDGES);
	u64 max_timeout = lim->max_timeout_ns ? lim->max_timeout_ns :
			  CHIPC_MAX_TIMEOUT_NS;

	if (rq->timeout_ns > max_timeout)
		return -EINVAL;
	if (rq->args_size > CHIP_ARGS_MAX_SIZE || rq->graph_size > max_graph ||
	    rq->nstores > CHIPC_MAX_STORES || rq->nloads > CHIPC_MAX_LOADS ||
	    rq->span_cap > CHIPC_MAX_SPANS)
		return -E2BIG;
	return 0;
}

/**
 * chipc_request_check_store() - validate one store-to-host range
 * @lim: the context's limits; a zero field selects the core's default
 * @va: device address of the range
 * @host: destination address in the submitter's memory
 * @size: bytes
 * @total: bytes of the request's earlier ranges; @size is added on success
 *
 * Return: 0; -EINVAL for an empty range or no destination; -E2BIG when
 * the range, or all ranges so far, exceed the store limit.
 */
int chipc_request_check_store(const struct chipc_request_limits *lim, u64 va,
			      u64 host, u64 size, u64 *total)
{
	u64 max = lim->max_store_bytes ? lim->max_store_bytes :
		  CHIPC_MAX_STORE_BYTES;

	if (!size || !host)
		return -EINVAL;
	if (size > max || *total > max - size)
		return -E2BIG;
	*total += size;
	return 0;
}

/**
 * chipc_request_check_load() - validate one load-from-host range
 * @lim: the context's limits; a zero field selects the core's default
 * @va: device address of the range
 * @host: source address in the submitter's memory
 * @size: bytes
 * @total: bytes of the request's earlier load ranges; @size is added on
 *	success
 *
 * The same limits as the store ranges, counted separately.
 *
 * Return: 0; -EINVAL for an empty range or no source; -E2BIG when the
 * range, or all load ranges so far, exceed the limit.
 */
int chipc_request_check_load(const struct chipc_request_limits *lim, u64 va,
			     u64 host, u64 size, u64 *total)
{
	return chipc_request_check_store(lim, va, host, size, total);
}

/**
 * chipc_request_check_mapped() - is a store range readable now?
 * @vm: the context's address space, locked by the caller
 * @va: device address of the range
 * @size: bytes (checked by chipc_request_check_store())
 *
 * The range must lie inside one mapping.  The run checks it again when
 * it completes: a buffer freed in between makes it CHIP_STATUS_FAULT.
 *
 * Return: 0 or -EFAULT.
 */
int chipc_request_check_mapped(const struct chipc_vm *vm, u64 va, u64 size)
{
	return chipc_vm_translate(vm, va, size, CHIPC_PROT_READ) ? 0 : -EFAULT;
}

/**
 * chipc_request_check_mapped_load() - is a load range writable now?
 * @vm: the context's address space, locked by the caller
 * @va: device address of the range
 * @size: bytes (checked by chipc_request_check_load())
 *
 * The range must lie inside one mapping.  The run checks it again before
 * it executes: a buffer freed in between makes it CHIP_STATUS_FAULT with
 * nothing copied.
 *
 * Return: 0 or -EFAULT.
 */
int chipc_request_check_mapped_load(const struct chipc_vm *vm, u64 va,
				    u64 size)
{
	return chipc_vm_translate(vm, va, size, CHIPC_PROT_WRITE) ? 0 : -EFAULT;
}

/* @res: a fault of range @i ("load 3: range not mapped"). */
static int chipc_xfer_fault(struct chipc_run_result *res, const char *what,
			    u32 i, s32 code, u64 va)
{
	static const char tail[] = ": range not mapped";
	char *m = res->msg;
	size_t n = strlen(what);

	/* The run's counts (tasks, instructions, time) stay. */
	memset(res->msg, 0, sizeof(res->msg));
	res->status = CHIP_STATUS_FAULT;
	res->code = code;
	res->fault_addr = va;
	memcpy(m, what, n);
	m[n++] = ' ';
	if (i >= 10)
		m[n++] = (char)('0' + (i / 10) % 10);
	m[n++] = (char)('0' + i % 10);
	memcpy(m + n, tail, sizeof(tail));
	return -EFAULT;
}

/*
 * Copy @n ranges between @vm and the host: into @vm for loads, out of it
 * for stores.  Every range is translated before anything is copied.
 */
static int chipc_run_xfer(const struct chipc_vm *vm, const struct chipc_xfer *x,
			  u32 n, bool store, struct chipc_run_result *res)
{
	const char *what = store ? "store" : "load";
	s32 code = store ? CHIP_FAULT_READ : CHIP_FAULT_WRITE;
	u32 prot = store ? CHIPC_PROT_READ : CHIPC_PROT_WRITE;
	u8 *p[CHIPC_MAX_STORES];
	u32 i;

	static_assert(CHIPC_MAX_LOADS <= CHIPC_MAX_STORES, "transfer array");
	if (n > CHIPC_MAX_STORES)
		return chipc_xfer_fault(res, what, CHIPC_MAX_STORES, code, 0);
	for (i = 0; i < n; i++) {
		p[i] = chipc_vm_translate(vm, x[i].va, x[i].size, prot);
		if (!p[i])
			return chipc_xfer_fault(res, what, i, code, x[i].va);
	}
	for (i = 0; i < n; i++) {
		if (store)
			memcpy(x[i].dst, p[i], x[i].size);
		else
			memcpy(p[i], x[i].src, x[i].size);
	}
	return 0;
}

/**
 * chipc_run_loads() - write a run's loads into its address space
 * @vm: the address space the run executes on
 * @x: the load ranges, in order; @x[i].src holds @x[i].size bytes
 * @n: how many, at most CHIPC_MAX_LOADS
 * @res: the run's result, filled on a fault
 *
 * Every range is translated before anything is copied, so a range that
 * is no longer mapped (or not writable) leaves the space unchanged.
 *
 * Return: 0; -EFAULT with @res set to CHIP_STATUS_FAULT, CHIP_FAULT_WRITE
 * and the range's address.
 */
int chipc_run_loads(const struct chipc_vm *vm, const struct chipc_xfer *x,
		    u32 n, struct chipc_run_result *res)
{
	if (n > CHIPC_MAX_LOADS)
		return chipc_xfer_fault(res, "load", CHIPC_MAX_LOADS,
					CHIP_FAULT_WRITE, 0);
	return chipc_run_xfer(vm, x, n, false, res);
}

/**
 * chipc_run_stores() - copy a successful run's store ranges out
 * @vm: the address space the run executed on
 * @x: the store ranges, in order; @x[i].dst receives @x[i].size bytes
 * @n: how many, at most CHIPC_MAX_STORES
 * @res: the run's result, filled on a fault
 *
 * Every range is translated before anything is copied, so a range that
 * is no longer mapped fails the run with no host byte written.
 *
 * Return: 0; -EFAULT with @res set to CHIP_STATUS_FAULT, CHIP_FAULT_READ
 * and the range's address.
 */
int chipc_run_stores(const struct chipc_vm *vm, const struct chipc_xfer *x,
		     u32 n, struct chipc_run_result *res)
{
	return chipc_run_xfer(vm, x, n, true, res);
}

int chipc_status_errno(u32 status)
{
	switch (status) {
	case CHIP_STATUS_OK:
		return 0;
	case CHIP_STATUS_CANCELLED:
		return -ECANCELED;
	case CHIP_STATUS_TIMEOUT:
		return -ETIMEDOUT;
	case CHIP_STATUS_DEVICE_LOST:
		return -ENODEV;
	default:
		return -EIO;
	}
}
