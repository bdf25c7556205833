// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the host_build_graph task graph parser
 * (kernel/core/graph.c).
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "chip_kunit_helpers.h"

/*
 * The reference graph: 3 tasks (AIV, AIV, AIC) with 2, 1 and 1 arguments
 * and the edges 0 -> 2, 1 -> 2.
 */
#define G_TASKS	3
#define G_ARGS	4
#define G_EDGES	2

struct graph_blob {
	struct chip_graph_hdr h;
	struct chip_graph_task t[G_TASKS];
	struct chip_graph_arg a[G_ARGS];
	struct chip_graph_edge e[G_EDGES];
	u8 slack[64];
};

static struct graph_blob *make_graph(struct kunit *test, u64 *len)
{
	struct graph_blob *g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, g);
	g->h = (struct chip_graph_hdr){ G_TASKS, G_ARGS, G_EDGES, 4096 };
	g->t[0] = (struct chip_graph_task){ 10, CHIP_CORE_AIV, 0, 2 };
	g->t[1] = (struct chip_graph_task){ 11, CHIP_CORE_AIV, 2, 1 };
	g->t[2] = (struct chip_graph_task){ CHIP_MAX_FUNC_ID - 1, CHIP_CORE_AIC, 3, 1 };
	g->a[0] = (struct chip_graph_arg){ 0x1000, 64, CHIP_DIR_IN, 0 };
	g->a[1] = (struct chip_graph_arg){ 0x2000, 64, CHIP_DIR_OUT, 0 };
	g->a[2] = (struct chip_graph_arg){ 42, 0, CHIP_DIR_SCALAR, 0 };
	g->a[3] = (struct chip_graph_arg){ 0x2000, 64, CHIP_DIR_INOUT, 0 };
	g->e[0] = (struct chip_graph_edge){ 0, 2 };
	g->e[1] = (struct chip_graph_edge){ 1, 2 };
	*len = chipc_graph_size(G_TASKS, G_ARGS, G_EDGES);
	return g;
}

/* The blob layout matches the uAPI and the packed test structure. */
static void graph_size_layout(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, chipc_graph_size(0, 0, 0), 16ull);
	KUNIT_EXPECT_EQ(test, chipc_graph_size(G_TASKS, G_ARGS, G_EDGES),
			(u64)offsetof(struct graph_blob, slack));
}

/* A valid graph parses, with every pointer into the blob at its documented offset. */
static void graph_parse_valid(struct kunit *test)
{
	struct chipc_graph out;
	u64 len;
	struct graph_blob *g = make_graph(test, &len);

	KUNIT_ASSERT_EQ(test, chipc_graph_parse(g, len, &out), 0);
	KUNIT_EXPECT_PTR_EQ(test, (const void *)out.hdr, (const void *)&g->h);
	KUNIT_EXPECT_PTR_EQ(test, (const void *)out.tasks, (const void *)g->t);
	KUNIT_EXPECT_PTR_EQ(test, (const void *)out.args, (const void *)g->a);
	KUNIT_EXPECT_PTR_EQ(test, (const void *)out.edges, (const void *)g->e);
	KUNIT_EXPECT_EQ(test, out.hdr->heap_bytes, 4096u);
	KUNIT_EXPECT_EQ(test, out.tasks[2].func_id, CHIP_MAX_FUNC_ID - 1);
	KUNIT_EXPECT_EQ(test, out.args[2].value, 42ull);
	KUNIT_EXPECT_EQ(test, out.edges[1].from, 1u);
}

/* An empty graph and a graph of tasks without arguments or edges are valid. */
static void graph_parse_minimal(struct kunit *test)
{
	struct chipc_graph out;
	struct graph_blob *g;
	u64 len;

	g = make_graph(test, &len);
	memset(g, 0, sizeof(*g));
	KUNIT_EXPECT_EQ(test, chipc_graph_parse(g, 16, &out), 0);

	g->h.task_count = 1;
	g->t[0] = (struct chip_graph_task){ 0, CHIP_CORE_AIC, 0, 0 };
	KUNIT_EXPECT_EQ(test, chipc_graph_parse(g, chipc_graph_size(1, 0, 0), &out), 0);
}

/* Counts over their maxima are -E2BIG before the length is considered. */
static void graph_parse_too_big(struct kunit *test)
{
	struct chipc_graph out;
	u64 len;
	struct graph_blob *g = make_graph(test, &len);

	g->h.task_count = CHIP_GRAPH_MAX_TASKS + 1;
	KUNIT_EXPECT_EQ(test, chipc_graph_parse(g, len, &out), -E2BIG);
	g->h.task_count = G_TASKS;
	g->h.arg_count = CHIP_GRAPH_MAX_ARGS + 1;
	KUNIT_EXPECT_EQ(test, chipc_graph_parse(g, len, &out), -E2BIG);
	g->h.arg_count = G_ARGS;
	g->h.edge_count = CHIP_GRAPH_MAX_EDGES + 1;
	KUNIT_EXPECT_EQ(test, chipc_graph_parse(g, len, &out), -E2BIG);
	g->h.edge_count = 0xffffffffu;
	KUNIT_EXPECT_EQ(test, chipc_graph_parse(g, len, &out), -E2BIG);
}

struct graph_reject {
	const char *name;
	void (*mutate)(struct graph_blob *g, u64 *len);
};

#define MUT(n) static void mut_##n(struct graph_blob *g, u64 *len)

MUT(len_short) { *len = 15; }
MUT(len_plus_8) { *len += 8; }
MUT(len_minus_8) { *len -= 8; }
MUT(task_func_negative) { g->t[0].func_id = -1; }
MUT(task_func_too_big) { g->t[1].func_id = CHIP_MAX_FUNC_ID; }
MUT(task_core_aicpu) { g->t[0].core_type = CHIP_CORE_AICPU; }
MUT(task_core_unknown) { g->t[2].core_type = 9; }
MUT(task_too_many_args) { g->t[0].arg_count = CHIP_CORE_MAX_ARGS + 1; }
MUT(task_args_past_end) { g->t[2].arg_count = 2; }
MUT(task_arg_first_past_end) { g->t[1].arg_first = G_ARGS; }
MUT(task_arg_range_wraps) { g->t[1].arg_first = 0xffffffffu; g->t[1].arg_count = 2; }
MUT(arg_dir_unknown) { g->a[1].dir = CHIP_DIR_INOUT + 1; }
MUT(arg_pad_nonzero) { g->a[0].pad = 1; }
MUT(arg_scalar_with_size) { g->a[2].size = 8; }
MUT(arg_tensor_size_zero) { g->a[3].size = 0; }
MUT(edge_from_out_of_range) { g->e[0].from = G_TASKS; }
MUT(edge_to_out_of_range) { g->e[1].to = 0xffffffffu; }
MUT(edge_self_loop) { g->e[1].to = 1; }

#define REJ(n) { #n, mut_##n }

static const struct graph_reject graph_rejects[] = {
	REJ(len_short), REJ(len_plus_8), REJ(len_minus_8),
	REJ(task_func_negative), REJ(task_func_too_big), REJ(task_core_aicpu),
	REJ(task_core_unknown), REJ(task_too_many_args), REJ(task_args_past_end),
	REJ(task_arg_first_past_end), REJ(task_arg_range_wraps),
	REJ(arg_dir_unknown), REJ(arg_pad_nonzero), REJ(arg_scalar_with_size),
	REJ(arg_tensor_size_zero), REJ(edge_from_out_of_range),
	REJ(edge_to_out_of_range), REJ(edge_self_loop),
};

static void graph_reject_desc(const struct graph_reject *r, char *desc)
{
	strscpy(desc, r->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(graph_reject, graph_rejects, graph_reject_desc);

/* Each malformed variant of the reference graph is -EINVAL. */
static void graph_parse_rejects(struct kunit *test)
{
	const struct graph_reject *r = test->param_value;
	struct chipc_graph out;
	u64 len;
	struct graph_blob *g = make_graph(test, &len);

	KUNIT_ASSERT_EQ(test, chipc_graph_parse(g, len, &out), 0);
	r->mutate(g, &len);
	KUNIT_EXPECT_EQ(test, chipc_graph_parse(g, len, &out), -EINVAL);
}

/* A cycle is not a parse error: it is found when the graph runs. */
static void graph_parse_accepts_cycle(struct kunit *test)
{
	struct chipc_graph out;
	u64 len;
	struct graph_blob *g = make_graph(test, &len);

	g->e[1] = (struct chip_graph_edge){ 2, 0 };
	KUNIT_EXPECT_EQ(test, chipc_graph_parse(g, len, &out), 0);
}

/* NULL blob or NULL output is -EINVAL. */
static void graph_parse_null(struct kunit *test)
{
	struct chipc_graph out;
	u64 len;
	struct graph_blob *g = make_graph(test, &len);

	KUNIT_EXPECT_EQ(test, chipc_graph_parse(NULL, len, &out), -EINVAL);
	KUNIT_EXPECT_EQ(test, chipc_graph_parse(g, len, NULL), -EINVAL);
}

static struct kunit_case chip_graph_test_cases[] = {
	KUNIT_CASE(graph_size_layout),
	KUNIT_CASE(graph_parse_valid),
	KUNIT_CASE(graph_parse_minimal),
	KUNIT_CASE(graph_parse_too_big),
	KUNIT_CASE_PARAM(graph_parse_rejects, graph_reject_gen_params),
	KUNIT_CASE(graph_parse_accepts_cycle),
	KUNIT_CASE(graph_parse_null),
	{}
};

static struct kunit_suite chip_graph_test_suite = {
	.name = "chip_graph",
	.test_cases = chip_graph_test_cases,
};

kunit_test_suite(chip_graph_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the chip task graph parser");
