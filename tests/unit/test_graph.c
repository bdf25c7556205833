// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The host_build_graph task graph blob parser.
 */
#include <errno.h>
#include "helpers.h"
#include "chipc.h"

struct gb {
	struct chip_graph_hdr h;
	struct chip_graph_task t[40];
	struct chip_graph_arg a[80];
	struct chip_graph_edge e[40];
	uint8_t buf[16 + 16 * 40 + 24 * 80 + 8 * 40];
	size_t len;
};

/* Serialise @g's first h.task_count / arg_count / edge_count entries. */
static void gb_pack(struct gb *g)
{
	uint8_t *p = g->buf;

	memcpy(p, &g->h, 16);
	p += 16;
	memcpy(p, g->t, 16 * g->h.task_count);
	p += 16 * g->h.task_count;
	memcpy(p, g->a, 24 * g->h.arg_count);
	p += 24 * g->h.arg_count;
	memcpy(p, g->e, 8 * g->h.edge_count);
	p += 8 * g->h.edge_count;
	g->len = (size_t)(p - g->buf);
}

/* Three tasks: 0 (AIV: in, in, out), 1 (AIC: inout, scalar), 2 (AIV). */
static void gb_valid(struct gb *g)
{
	memset(g, 0, sizeof(*g));
	g->h.task_count = 3;
	g->h.arg_count = 6;
	g->h.edge_count = 2;
	g->h.heap_bytes = 4096;
	g->t[0] = (struct chip_graph_task){ 0, CHIP_CORE_AIV, 0, 3 };
	g->t[1] = (struct chip_graph_task){ 1023, CHIP_CORE_AIC, 3, 2 };
	g->t[2] = (struct chip_graph_task){ 5, CHIP_CORE_AIV, 5, 1 };
	g->a[0] = (struct chip_graph_arg){ 0x1000, 64, CHIP_DIR_IN, 0 };
	g->a[1] = (struct chip_graph_arg){ 0x2000, 64, CHIP_DIR_IN, 0 };
	g->a[2] = (struct chip_graph_arg){ 0x3000, 64, CHIP_DIR_OUT, 0 };
	g->a[3] = (struct chip_graph_arg){ 0x3000, 64, CHIP_DIR_INOUT, 0 };
	g->a[4] = (struct chip_graph_arg){ 42, 0, CHIP_DIR_SCALAR, 0 };
	g->a[5] = (struct chip_graph_arg){ 0x3000, 1, CHIP_DIR_IN, 0 };
	g->e[0] = (struct chip_graph_edge){ 0, 1 };
	g->e[1] = (struct chip_graph_edge){ 1, 2 };
	gb_pack(g);
}

static int parse(struct gb *g)
{
	struct chipc_graph out;

	gb_pack(g);
	return chipc_graph_parse(g->buf, g->len, &out);
}

static int t_sizes(void)
{
	CHECK_EQ(sizeof(struct chip_graph_hdr), 16);
	CHECK_EQ(sizeof(struct chip_graph_task), 16);
	CHECK_EQ(sizeof(struct chip_graph_arg), 24);
	CHECK_EQ(sizeof(struct chip_graph_edge), 8);
	CHECK_EQ(chipc_graph_size(0, 0, 0), 16);
	CHECK_EQ(chipc_graph_size(1, 2, 3), 16 + 16 + 48 + 24);
	return 0;
}

static int t_valid(void)
{
	static struct gb g;
	struct chipc_graph out;

	gb_valid(&g);
	CHECK_EQ(g.len, 16 + 48 + 144 + 16);
	CHECK_EQ(chipc_graph_parse(g.buf, g.len, &out), 0);
	CHECK(out.hdr == (const void *)g.buf);
	CHECK(out.tasks == (const void *)(g.buf + 16));
	CHECK(out.args == (const void *)(g.buf + 16 + 48));
	CHECK(out.edges == (const void *)(g.buf + 16 + 48 + 144));
	CHECK_EQ(out.hdr->heap_bytes, 4096);
	CHECK_EQ(out.tasks[1].func_id, 1023);
	CHECK_U64(out.args[4].value, 42);
	CHECK_EQ(out.edges[1].to, 2);
	return 0;
}

static int t_empty(void)
{
	static struct gb g;
	struct chipc_graph out;

	memset(&g, 0, sizeof(g));
	gb_pack(&g);
	CHECK_EQ(g.len, 16);
	CHECK_EQ(chipc_graph_parse(g.buf, 16, &out), 0);
	/* args with no task referring to them are allowed */
	g.h.arg_count = 1;
	g.a[0] = (struct chip_graph_arg){ 1, 0, CHIP_DIR_SCALAR, 0 };
	CHECK_EQ(parse(&g), 0);
	return 0;
}

static int t_length(void)
{
	static struct gb g;
	struct chipc_graph out;
	size_t n;

	gb_valid(&g);
	for (n = 0; n < 16; n++)
		CHECK_EQ(chipc_graph_parse(g.buf, n, &out), -EINVAL);
	CHECK_EQ(chipc_graph_parse(NULL, g.len, &out), -EINVAL);
	CHECK_EQ(chipc_graph_parse(g.buf, g.len - 1, &out), -EINVAL);
	CHECK_EQ(chipc_graph_parse(g.buf, g.len + 1, &out), -EINVAL);
	CHECK_EQ(chipc_graph_parse(g.buf, g.len - 8, &out), -EINVAL);
	CHECK_EQ(chipc_graph_parse(g.buf, 16, &out), -EINVAL);
	CHECK_EQ(chipc_graph_parse(g.buf, ~0ull, &out), -EINVAL);
	CHECK_EQ(chipc_graph_parse(g.buf, g.len, &out), 0);
	return 0;
}

static int t_counts(void)
{
	static struct gb g;
	struct chipc_graph out;
	struct chip_graph_hdr h;

	memset(&g, 0, sizeof(g));
	h = (struct chip_graph_hdr){ CHIP_GRAPH_MAX_TASKS + 1, 0, 0, 0 };
	memcpy(g.buf, &h, 16);
	CHECK_EQ(chipc_graph_parse(g.buf, chipc_graph_size(h.task_count, 0, 0),
				   &out), -E2BIG);
	h = (struct chip_graph_hdr){ 0, CHIP_GRAPH_MAX_ARGS + 1, 0, 0 };
	memcpy(g.buf, &h, 16);
	CHECK_EQ(chipc_graph_parse(g.buf, chipc_graph_size(0, h.arg_count, 0),
				   &out), -E2BIG);
	h = (struct chip_graph_hdr){ 0, 0, CHIP_GRAPH_MAX_EDGES + 1, 0 };
	memcpy(g.buf, &h, 16);
	CHECK_EQ(chipc_graph_parse(g.buf,
				   chipc_graph_size(0, 0, h.edge_count), &out),
		 -E2BIG);
	h = (struct chip_graph_hdr){ 0xffffffffu, 0xffffffffu, 0xffffffffu,
				     0 };
	memcpy(g.buf, &h, 16);
	CHECK_EQ(chipc_graph_parse(g.buf, sizeof(g.buf), &out), -E2BIG);
	CHECK_EQ(chipc_graph_parse(g.buf, 16, &out), -E2BIG);
	return 0;
}

static int t_max_graph(void)
{
	const uint32_t T = CHIP_GRAPH_MAX_TASKS, A = CHIP_GRAPH_MAX_ARGS;
	const uint32_t E = CHIP_GRAPH_MAX_EDGES;
	u64 len = chipc_graph_size(T, A, E);
	uint8_t *p = calloc(1, len);	/* exactly sized */
	struct chip_graph_hdr h = { T, A, E, 0 };
	struct chip_graph_task *t;
	struct chip_graph_arg *a;
	struct chip_graph_edge *e;
	struct chipc_graph out;
	uint32_t i;

	CHECK(p);
	memcpy(p, &h, 16);
	t = (struct chip_graph_task *)(p + 16);
	a = (struct chip_graph_arg *)(p + 16 + 16ull * T);
	e = (struct chip_graph_edge *)(p + 16 + 16ull * T + 24ull * A);
	for (i = 0; i < T; i++)
		t[i] = (struct chip_graph_task){ (int32_t)(i % 1024),
						 i & 1, 4 * i, 4 };
	for (i = 0; i < A; i++)
		a[i] = (struct chip_graph_arg){ 0x1000 + i, 4, CHIP_DIR_IN, 0 };
	for (i = 0; i < E; i++)
		e[i] = (struct chip_graph_edge){ i % T, (i + 1) % T };
	CHECK_EQ(chipc_graph_parse(p, len, &out), 0);
	CHECK(out.edges == e);
	/* the very last edge is checked too */
	e[E - 1].to = e[E - 1].from;
	CHECK_EQ(chipc_graph_parse(p, len, &out), -EINVAL);
	free(p);
	return 0;
}

static int t_tasks(void)
{
	static struct gb g;

	gb_valid(&g);
	g.t[0].func_id = -1;
	CHECK_EQ(parse(&g), -EINVAL);
	gb_valid(&g);
	g.t[2].func_id = CHIP_MAX_FUNC_ID;
	CHECK_EQ(parse(&g), -EINVAL);
	gb_valid(&g);
	g.t[2].func_id = INT32_MIN;
	CHECK_EQ(parse(&g), -EINVAL);
	gb_valid(&g);
	g.t[1].core_type = CHIP_CORE_AICPU;
	CHECK_EQ(parse(&g), -EINVAL);
	gb_valid(&g);
	g.t[1].core_type = 0xffffffffu;
	CHECK_EQ(parse(&g), -EINVAL);

	/* argument ranges */
	gb_valid(&g);
	g.t[2].arg_first = 6;		/* [6, 7) past the 6 args */
	CHECK_EQ(parse(&g), -EINVAL);
	gb_valid(&g);
	g.t[2].arg_first = 6;
	g.t[2].arg_count = 0;		/* empty range at the end */
	CHECK_EQ(parse(&g), 0);
	gb_valid(&g);
	g.t[2].arg_first = 0xffffffffu;	/* would wrap in 32 bits */
	g.t[2].arg_count = 1;
	CHECK_EQ(parse(&g), -EINVAL);
	gb_valid(&g);
	g.t[0].arg_count = 7;
	CHECK_EQ(parse(&g), -EINVAL);
	gb_valid(&g);
	g.t[0].arg_first = 0;		/* overlapping ranges are fine */
	g.t[0].arg_count = 6;
	CHECK_EQ(parse(&g), 0);

	/* at most CHIP_CORE_MAX_ARGS arguments per task */
	gb_valid(&g);
	g.h.arg_count = 40;
	for (int i = 6; i < 40; i++)
		g.a[i] = (struct chip_graph_arg){ 7, 0, CHIP_DIR_SCALAR, 0 };
	g.t[0].arg_first = 0;
	g.t[0].arg_count = CHIP_CORE_MAX_ARGS;
	CHECK_EQ(parse(&g), 0);
	g.t[0].arg_count = CHIP_CORE_MAX_ARGS + 1;
	CHECK_EQ(parse(&g), -EINVAL);
	return 0;
}

static int t_args(void)
{
	static struct gb g;

	gb_valid(&g);
	g.a[1].dir = 4;
	CHECK_EQ(parse(&g), -EINVAL);
	gb_valid(&g);
	g.a[1].dir = 0xffffffffu;
	CHECK_EQ(parse(&g), -EINVAL);
	gb_valid(&g);
	g.a[5].pad = 1;
	CHECK_EQ(parse(&g), -EINVAL);
	gb_valid(&g);
	g.a[4].size = 8;		/* scalar with a size */
	CHECK_EQ(parse(&g), -EINVAL);
	gb_valid(&g);
	g.a[0].size = 0;		/* IN tensor of size 0 */
	CHECK_EQ(parse(&g), -EINVAL);
	gb_valid(&g);
	g.a[2].size = 0;		/* OUT */
	CHECK_EQ(parse(&g), -EINVAL);
	gb_valid(&g);
	g.a[3].size = 0;		/* INOUT */
	CHECK_EQ(parse(&g), -EINVAL);
	gb_valid(&g);
	g.a[3].size = ~0ull;		/* the size itself is not bounded here */
	g.a[4].value = ~0ull;
	CHECK_EQ(parse(&g), 0);
	return 0;
}

static int t_edges(void)
{
	static struct gb g;

	gb_valid(&g);
	g.e[0].to = 0;			/* self loop */
	CHECK_EQ(parse(&g), -EINVAL);
	gb_valid(&g);
	g.e[1].from = 3;		/* out of range */
	CHECK_EQ(parse(&g), -EINVAL);
	gb_valid(&g);
	g.e[1].to = 3;
	CHECK_EQ(parse(&g), -EINVAL);
	gb_valid(&g);
	g.e[1].to = 0xffffffffu;
	CHECK_EQ(parse(&g), -EINVAL);
	gb_valid(&g);
	g.e[1].from = 2;		/* a cycle: found at run time */
	g.e[1].to = 0;
	g.h.edge_count = 3;
	g.e[2] = (struct chip_graph_edge){ 1, 2 };
	CHECK_EQ(parse(&g), 0);
	gb_valid(&g);
	g.h.edge_count = 3;		/* duplicate edges are allowed */
	g.e[2] = g.e[0];
	CHECK_EQ(parse(&g), 0);
	/* edges without tasks */
	memset(&g, 0, sizeof(g));
	g.h.edge_count = 1;
	CHECK_EQ(parse(&g), -EINVAL);
	return 0;
}

static int t_unaligned(void)
{
	static struct gb g;
	static uint8_t buf[sizeof(g.buf) + 1];
	struct chipc_graph out;

	gb_valid(&g);
	memcpy(buf + 1, g.buf, g.len);
	CHECK_EQ(chipc_graph_parse(buf + 1, g.len, &out), 0);
	buf[1 + 16 + 48 + 24 + 16] = 9;	/* a[1].dir */
	CHECK_EQ(chipc_graph_parse(buf + 1, g.len, &out), -EINVAL);
	return 0;
}

int main(void)
{
	T_RUN(t_sizes);
	T_RUN(t_valid);
	T_RUN(t_empty);
	T_RUN(t_length);
	T_RUN(t_counts);
	T_RUN(t_max_graph);
	T_RUN(t_tasks);
	T_RUN(t_args);
	T_RUN(t_edges);
	T_RUN(t_unaligned);
	return T_DONE();
}
