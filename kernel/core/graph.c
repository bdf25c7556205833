// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The host_build_graph task graph blob (see uapi/chip_callable.h, "task
 * graph blob").  Fields are read with memcpy, so the validation makes no
 * alignment assumption; the pointers it hands out are as aligned as @blob.
 */
#include "chipc.h"

static_assert(sizeof(struct chip_graph_hdr) == 16, "chip_graph_hdr size");
static_assert(sizeof(struct chip_graph_task) == 16, "chip_graph_task size");
static_assert(sizeof(struct chip_graph_arg) == 24, "chip_graph_arg size");
static_assert(sizeof(struct chip_graph_edge) == 8, "chip_graph_edge size");

static int chipc_graph_check_task(const struct chip_graph_task *t,
				  u32 arg_count)
{
	if (t->func_id < 0 || t->func_id >= CHIP_MAX_FUNC_ID)
		return -EINVAL;
	if (t->core_type != CHIP_CORE_AIC && t->core_type != CHIP_CORE_AIV)
		return -EINVAL;
	if (t->arg_count > CHIP_CORE_MAX_ARGS)
		return -EINVAL;
	if ((u64)t->arg_first + t->arg_count > arg_count)
		return -EINVAL;
	return 0;
}

static int chipc_graph_check_arg(const struct chip_graph_arg *a)
{
	if (a->dir > CHIP_DIR_INOUT || a->pad)
		return -EINVAL;
	if (a->dir == CHIP_DIR_SCALAR ? a->size != 0 : a->size == 0)
		return -EINVAL;
	return 0;
}

/**
 * chipc_graph_parse() - validate a task graph blob
 * @blob: the blob, a private copy
 * @len: its length in bytes
 * @out: receives pointers into @blob
 *
 * Return: 0; -EINVAL for a short or wrongly sized blob, a bad task,
 * argument or edge; -E2BIG for counts over their maxima.
 */
int chipc_graph_parse(const void *blob, u64 len, struct chipc_graph *out)
{
	const u8 *b = blob;
	struct chip_graph_hdr h;
	u64 tasks_off, args_off, edges_off;
	u32 i;
	int rc;

	if (!blob || !out || len < sizeof(h))
		return -EINVAL;
	memcpy(&h, b, sizeof(h));
	if (h.task_count > CHIP_GRAPH_MAX_TASKS ||
	    h.arg_count > CHIP_GRAPH_MAX_ARGS ||
	    h.edge_count > CHIP_GRAPH_MAX_EDGES)
		return -E2BIG;
	if (len != chipc_graph_size(h.task_count, h.arg_count, h.edge_count))
		return -EINVAL;

	tasks_off = sizeof(h);
	args_off = tasks_off + (u64)h.task_count * sizeof(struct chip_graph_task);
	edges_off = args_off + (u64)h.arg_count * sizeof(struct chip_graph_arg);

	for (i = 0; i < h.task_count; i++) {
		struct chip_graph_task t;

		memcpy(&t, b + tasks_off + (size_t)i * sizeof(t), sizeof(t));
		rc = chipc_graph_check_task(&t, h.arg_count);
		if (rc)
			return rc;
	}
	for (i = 0; i < h.arg_count; i++) {
		struct chip_graph_arg a;

		memcpy(&a, b + args_off + (size_t)i * sizeof(a), sizeof(a));
		rc = chipc_graph_check_arg(&a);
		if (rc)
			return rc;
	}
	for (i = 0; i < h.edge_count; i++) {
		struct chip_graph_edge e;

		memcpy(&e, b + edges_off + (size_t)i * sizeof(e), sizeof(e));
		if (e.from >= h.task_count || e.to >= h.task_count ||
		    e.from == e.to)
			return -EINVAL;
	}

	out->hdr = (const struct chip_graph_hdr *)b;
	out->tasks = (const struct chip_graph_task *)(b + tasks_off);
	out->args = (const struct chip_graph_arg *)(b + args_off);
	out->edges = (const struct chip_graph_edge *)(b + edges_off);
	return 0;
}
