// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Fuzz harness: a run request as the uAPI carries it.  The input is a
 * struct drm_chip_run followed by the blobs it names (args_size bytes of
 * argument blob, then graph_size bytes of graph blob; sizes beyond the
 * input are cut to it, as a short user buffer would be refused).  The
 * request goes through the core's checks in the order every submission
 * path applies them: the argument blob (chipc_args_parse()), the graph
 * blob (chipc_graph_parse()), then chipc_run_check() against a device of
 * the platform the input names and a resident callable of its runtime.
 * What is accepted must keep every promise the scheduler relies on.
 *
 * Built by scripts/fuzz.sh: standalone (gcc) or with -DCHIP_LIBFUZZER.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chip/chip.h"
#include "chipc.h"
#include "drm/chip_accel.h"
#include "fuzz_driver.h"

static unsigned long fz_accepted;

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_run: %s\n", what);
	abort();
}

/* A private, exactly sized copy of @n bytes at @p (for ASan). */
static u8 *copy_of(const u8 *p, u64 n)
{
	u8 *q = malloc(n ? n : 1);

	if (q)
		memcpy(q, p, n);
	return q;
}

static void accepted(const struct chipc_device *dev,
		     const struct chipc_run_req *req)
{
	const struct chipc_args *a = req->args;
	u32 i;

	if (!req->block_dim || req->block_dim > dev->plat->max_blocks ||
	    !req->aicpu_threads ||
	    req->aicpu_threads > dev->plat->max_aicpu_threads)
		fail("accepted core counts");
	if (a->tensor_count > CHIP_MAX_TENSOR_ARGS ||
	    a->scalar_count > CHIP_MAX_SCALAR_ARGS)
		fail("accepted argument counts");
	for (i = 0; i < a->tensor_count; i++)
		if (!chipc_tensor_bytes(&a->tensors[i]))
			fail("accepted tensor without extent");
	if (req->code->runtime == CHIP_RUNTIME_HOST_BUILD_GRAPH) {
		if (!req->graph ||
		    req->graph->hdr->heap_bytes > req->heap_size)
			fail("accepted graph");
	} else if (req->graph) {
		fail("accepted graph for tensormap_and_ringbuffer");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct chip_insn halt = { .op = CHIP_OP_HALT };
	struct chipc_device dev;
	struct chipc_code code;
	struct chipc_run_req req;
	struct chipc_args args;
	struct chipc_graph graph;
	struct drm_chip_run run;
	u8 *ablob = NULL, *gblob = NULL;
	u64 left, an, gn;
	int rc;

	if (size < sizeof(run))
		return 0;
	memcpy(&run, data, sizeof(run));
	data += sizeof(run);
	left = size - sizeof(run);
	an = run.args_size < left ? run.args_size : left;
	gn = run.graph_size < left - an ? run.graph_size : left - an;

	/* the platform and runtime come from otherwise unused input bits */
	memset(&dev, 0, sizeof(dev));
	dev.plat = chipc_platform_get(1 + (run.pad & 1));
	if (!dev.plat)
		fail("platform");
	memset(&code, 0, sizeof(code));
	code.platform = dev.plat->id;
	code.runtime = run.pad & 2 ? CHIP_RUNTIME_HOST_BUILD_GRAPH :
				     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER;
	if (code.runtime == CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER) {
		code.orch.insns = &halt;
		code.orch.count = 1;
		code.orch.core_type = CHIP_CORE_AICPU;
	}

	ablob = copy_of(data, an);
	gblob = copy_of(data + an, gn);
	if (!ablob || !gblob)
		goto out;
	rc = chipc_args_parse(ablob, an, &args);
	if (rc) {
		if (rc != -EINVAL && rc != -E2BIG)
			fail("args: unexpected error code");
		goto out;
	}
	memset(&req, 0, sizeof(req));
	if (gn) {
		rc = chipc_graph_parse(gblob, gn, &graph);
		if (rc) {
			if (rc != -EINVAL && rc != -E2BIG)
				fail("graph: unexpected error code");
			goto out;
		}
		req.graph = &graph;
	}
	req.code = &code;
	req.args = &args;
	req.block_dim = run.block_dim;
	req.aicpu_threads = run.aicpu_threads;
	req.timeout_ns = run.timeout_ns;
	req.insn_budget = run.insn_budget;
	req.vm = (const struct chipc_vm *)&dev;	/* only its presence counts */
	req.heap_size = run.seq;		/* any 64-bit value */
	rc = chipc_run_check(&dev, &req);
	if (!rc) {
		fz_accepted++;
		accepted(&dev, &req);
	} else if (rc != -EINVAL) {
		fail("run check: unexpected error code");
	}
out:
	free(ablob);
	free(gblob);
	return 0;
}

#ifndef CHIP_LIBFUZZER
int main(int argc, char **argv)
{
	/* host_build_graph on a5: one tensor, one scalar; a two-task graph */
	static const struct chip_graph_hdr gh = { 2, 3, 1, 4096 };
	static const struct chip_graph_task gt[2] = {
		{ 0, CHIP_CORE_AIV, 0, 2 },
		{ 1, CHIP_CORE_AIC, 2, 1 },
	};
	static const struct chip_graph_arg ga[3] = {
		{ 0x1000, 64, CHIP_DIR_IN, 0 },
		{ 7, 0, CHIP_DIR_SCALAR, 0 },
		{ 0x1000, 64, CHIP_DIR_INOUT, 0 },
	};
	static const struct chip_graph_edge ge[1] = { { 0, 1 } };
	struct drm_chip_run run = {
		.block_dim = 4, .aicpu_threads = 2, .pad = 3,
		.timeout_ns = 1000000, .seq = 1 << 20,
	};
	struct chip_args a;
	uint32_t shape[2] = { 4, 4 };
	uint8_t seed[sizeof(run) + 128 + sizeof(gh) + sizeof(gt) +
		     sizeof(ga) + sizeof(ge)];
	uint8_t *p;
	long n;

	chip_args_init(&a);
	chip_args_add_tensor(&a, 0x1000, CHIP_DT_FLOAT32, 2, shape);
	chip_args_add_scalar(&a, 7);
	n = chip_args_encode(&a, seed + sizeof(run), 128);
	if (n <= 0)
		return 1;
	run.args_size = (u64)n;
	run.graph_size = sizeof(gh) + sizeof(gt) + sizeof(ga) + sizeof(ge);
	memcpy(seed, &run, sizeof(run));
	p = seed + sizeof(run) + n;
	memcpy(p, &gh, sizeof(gh));
	p += sizeof(gh);
	memcpy(p, gt, sizeof(gt));
	p += sizeof(gt);
	memcpy(p, ga, sizeof(ga));
	p += sizeof(ga);
	memcpy(p, ge, sizeof(ge));
	p += sizeof(ge);
	return fz_main("fuzz_run", argc, argv, seed, (size_t)(p - seed),
		       &fz_accepted);
}
#endif
