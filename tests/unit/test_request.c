// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The request checks every backend makes (kernel/core/request.c): sizes
 * and limits, and the copies of a run's loads and stores into and out of
 * its address space, with the fault every backend reports.
 */
#include <errno.h>
#include <string.h>
#include "helpers.h"
#include "chipc.h"

static int t_request_limits(void)
{
	const struct chipc_request_limits lim = { 0 };
	struct chipc_request rq = { .args_size = 8 };

	CHECK_EQ(chipc_request_check(&lim, &rq), 0);
	rq.span_cap = CHIPC_MAX_SPANS;
	CHECK_EQ(chipc_request_check(&lim, &rq), 0);
	rq.span_cap = CHIPC_MAX_SPANS + 1;
	CHECK_EQ(chipc_request_check(&lim, &rq), -E2BIG);
	rq.span_cap = 0;
	rq.nloads = CHIPC_MAX_LOADS + 1;
	CHECK_EQ(chipc_request_check(&lim, &rq), -E2BIG);
	rq.nloads = 0;
	rq.timeout_ns = CHIPC_MAX_TIMEOUT_NS + 1;
	CHECK_EQ(chipc_request_check(&lim, &rq), -EINVAL);
	return 0;
}

static u8 bo[2][4096];

static int setup(struct chipc_vm *vm)
{
	struct chipc_map m = {
		.va = 0x10000, .size = 4096, .host = bo[0],
		.prot = CHIPC_PROT_READ | CHIPC_PROT_WRITE,
	};

	CHECK_EQ(chipc_vm_init(vm, 4), 0);
	CHECK_EQ(chipc_vm_insert(vm, &m), 0);
	m.va = 0x20000;
	m.host = bo[1];
	m.prot = CHIPC_PROT_READ;
	CHECK_EQ(chipc_vm_insert(vm, &m), 0);
	return 0;
}

/* Loads: all or nothing; a range not writable is the run's fault. */
static int t_loads(void)
{
	static const char a[] = "abcdef", b[] = "XYZ";
	struct chipc_run_result res;
	struct chipc_xfer x[2];
	struct chipc_vm vm;

	memset(bo, 0, sizeof(bo));
	CHECK_EQ(setup(&vm), 0);
	memset(&res, 0, sizeof(res));
	x[0].va = 0x10010;
	x[0].size = 6;
	x[0].src = a;
	x[1].va = 0x10ffd;
	x[1].size = 3;
	x[1].src = b;
	CHECK_EQ(chipc_run_loads(&vm, x, 2, &res), 0);
	CHECK(!memcmp(bo[0] + 0x10, "abcdef", 6));
	CHECK(!memcmp(bo[0] + 0xffd, "XYZ", 3));
	CHECK_EQ(res.status, 0);

	/* The second one runs past its buffer: nothing is written. */
	memset(bo, 0, sizeof(bo));
	res.tasks = 7;
	x[1].va = 0x10ffe;
	CHECK_EQ(chipc_run_loads(&vm, x, 2, &res), -EFAULT);
	CHECK_EQ(res.status, CHIP_STATUS_FAULT);
	CHECK_EQ(res.code, CHIP_FAULT_WRITE);
	CHECK_U64(res.fault_addr, 0x10ffe);
	CHECK(!strcmp(res.msg, "load 1: range not mapped"));
	CHECK_U64(res.tasks, 7);
	CHECK_EQ(bo[0][0x10], 0);
	/* Read-only memory takes no load. */
	x[0].va = 0x20000;
	CHECK_EQ(chipc_run_loads(&vm, x, 1, &res), -EFAULT);
	CHECK(!strcmp(res.msg, "load 0: range not mapped"));
	chipc_vm_fini(&vm);
	return 0;
}

static int t_stores(void)
{
	struct chipc_run_result res;
	struct chipc_xfer x[CHIPC_MAX_STORES];
	char out[CHIPC_MAX_STORES][4];
	struct chipc_vm vm;
	u32 i;

	CHECK_EQ(setup(&vm), 0);
	memcpy(bo[1], "0123456789abcdef", 16);
	for (i = 0; i < CHIPC_MAX_STORES; i++) {
		x[i].va = 0x20000 + i;
		x[i].size = 1;
		x[i].dst = out[i];
		out[i][0] = '-';
	}
	memset(&res, 0, sizeof(res));
	CHECK_EQ(chipc_run_stores(&vm, x, CHIPC_MAX_STORES, &res), 0);
	for (i = 0; i < CHIPC_MAX_STORES; i++)
		CHECK_EQ(out[i][0], "0123456789abcdef"[i]);

	for (i = 0; i < CHIPC_MAX_STORES; i++)
		out[i][0] = '-';
	x[12].va = 0x30000;
	CHECK_EQ(chipc_run_stores(&vm, x, CHIPC_MAX_STORES, &res), -EFAULT);
	CHECK_EQ(res.status, CHIP_STATUS_FAULT);
	CHECK_EQ(res.code, CHIP_FAULT_READ);
	CHECK_U64(res.fault_addr, 0x30000);
	CHECK(!strcmp(res.msg, "store 12: range not mapped"));
	for (i = 0; i < CHIPC_MAX_STORES; i++)
		CHECK_EQ(out[i][0], '-');
	chipc_vm_fini(&vm);
	return 0;
}

/* The error each final status gives a run's fence, on both backends. */
static int t_status_errno(void)
{
	static const int want[CHIP_STATUS_COUNT] = {
		[CHIP_STATUS_OK] = 0,
		[CHIP_STATUS_ORCH_ERROR] = -EIO,
		[CHIP_STATUS_SCHED_ERROR] = -EIO,
		[CHIP_STATUS_TIMEOUT] = -ETIMEDOUT,
		[CHIP_STATUS_FAULT] = -EIO,
		[CHIP_STATUS_INVALID] = -EIO,
		[CHIP_STATUS_CANCELLED] = -ECANCELED,
		[CHIP_STATUS_DEVICE_LOST] = -ENODEV,
	};
	u32 s;

	for (s = 0; s < CHIP_STATUS_COUNT; s++)
		CHECK_EQ(chipc_status_errno(s), want[s]);
	CHECK_EQ(chipc_status_errno(CHIP_STATUS_COUNT), -EIO);
	CHECK_EQ(chipc_status_errno(~0u), -EIO);
	return 0;
}

int main(void)
{
	T_RUN(t_request_limits);
	T_RUN(t_loads);
	T_RUN(t_stores);
	T_RUN(t_status_errno);
	return T_DONE();
}
