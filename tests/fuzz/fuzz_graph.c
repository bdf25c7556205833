// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Fuzz harness: task graph blob parser.  An accepted graph must have
 * exactly the size its counts give and every index the scheduler will
 * follow must be in range.
 *
 * Built by scripts/fuzz.sh: standalone (gcc) or with -DCHIP_LIBFUZZER.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chipc.h"
#include "fuzz_driver.h"

static unsigned long fz_accepted;

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_graph: %s\n", what);
	abort();
}

static void invariants(size_t size, const struct chipc_graph *g)
{
	const struct chip_graph_hdr *h = g->hdr;
	u64 sum = 0;
	u32 i, j;

	if (size != chipc_graph_size(h->task_count, h->arg_count,
				     h->edge_count))
		fail("accepted size");
	for (i = 0; i < h->task_count; i++) {
		const struct chip_graph_task *t = &g->tasks[i];

		if (t->func_id < 0 || t->func_id >= CHIP_MAX_FUNC_ID ||
		    t->arg_count > CHIP_CORE_MAX_ARGS ||
		    (u64)t->arg_first + t->arg_count > h->arg_count)
			fail("accepted task");
		/* touch every argument the scheduler would read */
		for (j = 0; j < t->arg_count; j++)
			sum += g->args[t->arg_first + j].value;
	}
	for (i = 0; i < h->edge_count; i++)
		if (g->edges[i].from >= h->task_count ||
		    g->edges[i].to >= h->task_count ||
		    g->edges[i].from == g->edges[i].to)
			fail("accepted edge");
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chipc_graph g;
	u8 *blob;
	int rc;

	blob = malloc(size ? size : 1);
	if (!blob)
		return 0;
	memcpy(blob, data, size);
	rc = chipc_graph_parse(blob, size, &g);
	if (!rc) {
		fz_accepted++;
		invariants(size, &g);
	} else if (rc != -EINVAL && rc != -E2BIG) {
		fail("unexpected error code");
	}
	free(blob);
	return 0;
}

#ifndef CHIP_LIBFUZZER
int main(int argc, char **argv)
{
	static const struct chip_graph_hdr h = { 3, 6, 2, 4096 };
	static const struct chip_graph_task t[3] = {
		{ 0, CHIP_CORE_AIV, 0, 3 },
		{ 1, CHIP_CORE_AIC, 3, 2 },
		{ 2, CHIP_CORE_AIV, 5, 1 },
	};
	static const struct chip_graph_arg a[6] = {
		{ 0x1000, 64, CHIP_DIR_IN, 0 },
		{ 0x2000, 64, CHIP_DIR_IN, 0 },
		{ 0x3000, 64, CHIP_DIR_OUT, 0 },
		{ 0x3000, 64, CHIP_DIR_INOUT, 0 },
		{ 42, 0, CHIP_DIR_SCALAR, 0 },
		{ 0x3000, 64, CHIP_DIR_IN, 0 },
	};
	static const struct chip_graph_edge e[2] = { { 0, 1 }, { 1, 2 } };
	uint8_t seed[16 + sizeof(t) + sizeof(a) + sizeof(e)];
	uint8_t *p = seed;

	memcpy(p, &h, sizeof(h));
	p += sizeof(h);
	memcpy(p, t, sizeof(t));
	p += sizeof(t);
	memcpy(p, a, sizeof(a));
	p += sizeof(a);
	memcpy(p, e, sizeof(e));
	return fz_main("fuzz_graph", argc, argv, seed, sizeof(seed),
		       &fz_accepted);
}
#endif
