// SPDX-License-Identifier: MIT
/*
 * Host orchestrations for the host_build_graph runtime, one per example
 * and test workload.  The shared object is carried inside the callable and
 * loaded from memory by libchip; it calls nothing but the ops it is handed.
 * Each mirrors the tensormap_and_ringbuffer orchestration program of the
 * same name in tests/common/programs.c, with explicit edges instead of
 * derived dependencies.
 */
#include "chip/chip.h"

static uint64_t f32_bits(float f)
{
	union { float f; uint32_t u; } v = { .f = f };

	return v.u;
}

/*
 * The vector example, f = (a + b + 1) * (a + b + 2) + (a + b):
 * t0 c = a + b; t1 d = c + 1; t2 e = c + 2; t3 g = d * e; t4 f = g + c.
 * Kernels: func 0 add, 1 add scalar, 2 mul.  Tensors: a, b, f.
 */
int vector_orch(const struct chip_graph_ops *ops, struct chip_graph *g,
		const struct chip_args *args)
{
	uint64_t a, b, f, c, d, e, m, bytes;
	int t0, t1, t2, t3, t4;

	if (args->tensor_count < 3)
		return CHIP_ORCH_INVALID_ARGS;
	a = args->tensors[0].addr;
	b = args->tensors[1].addr;
	f = args->tensors[2].addr;
	bytes = (uint64_t)args->tensors[2].shape[0] * 4;
	c = ops->alloc(g, bytes);
	d = ops->alloc(g, bytes);
	e = ops->alloc(g, bytes);
	m = ops->alloc(g, bytes);
	if (!c || !d || !e || !m)
		return CHIP_ORCH_HEAP;

	t0 = ops->add_task(g, 0, CHIP_CORE_AIV);
	ops->add_tensor(g, t0, a, bytes, CHIP_DIR_IN);
	ops->add_tensor(g, t0, b, bytes, CHIP_DIR_IN);
	ops->add_tensor(g, t0, c, bytes, CHIP_DIR_OUT);

	t1 = ops->add_task(g, 1, CHIP_CORE_AIV);
	ops->add_tensor(g, t1, c, bytes, CHIP_DIR_IN);
	ops->add_tensor(g, t1, d, bytes, CHIP_DIR_OUT);
	ops->add_scalar(g, t1, f32_bits(1.0f));

	t2 = ops->add_task(g, 1, CHIP_CORE_AIV);
	ops->add_tensor(g, t2, c, bytes, CHIP_DIR_IN);
	ops->add_tensor(g, t2, e, bytes, CHIP_DIR_OUT);
	ops->add_scalar(g, t2, f32_bits(2.0f));

	t3 = ops->add_task(g, 2, CHIP_CORE_AIV);
	ops->add_tensor(g, t3, d, bytes, CHIP_DIR_IN);
	ops->add_tensor(g, t3, e, bytes, CHIP_DIR_IN);
	ops->add_tensor(g, t3, m, bytes, CHIP_DIR_OUT);

	t4 = ops->add_task(g, 0, CHIP_CORE_AIV);
	ops->add_tensor(g, t4, m, bytes, CHIP_DIR_IN);
	ops->add_tensor(g, t4, c, bytes, CHIP_DIR_IN);
	ops->add_tensor(g, t4, f, bytes, CHIP_DIR_OUT);

	ops->add_edge(g, t0, t1);
	ops->add_edge(g, t0, t2);
	ops->add_edge(g, t1, t3);
	ops->add_edge(g, t2, t3);
	ops->add_edge(g, t3, t4);
	ops->add_edge(g, t0, t4);
	return 0;
}

/* An orchestration that reports an explicit fatal error. */
int fatal_orch(const struct chip_graph_ops *ops, struct chip_graph *g,
	       const struct chip_args *args)
{
	return CHIP_ORCH_FATAL;
}

/* No tasks at all: the cheapest possible run. */
int null_orch(const struct chip_graph_ops *ops, struct chip_graph *g,
	      const struct chip_args *args)
{
	return 0;
}

/* One AIC task: C[M x N] = A[M x K] * B[K x N]; scalars M, K, N. */
int matmul_orch(const struct chip_graph_ops *ops, struct chip_graph *g,
		const struct chip_args *args)
{
	uint64_t m, k, n;
	int t;

	if (args->tensor_count < 3 || args->scalar_count < 3)
		return CHIP_ORCH_INVALID_ARGS;
	m = args->scalars[0];
	k = args->scalars[1];
	n = args->scalars[2];
	t = ops->add_task(g, 0, CHIP_CORE_AIC);
	ops->add_tensor(g, t, args->tensors[0].addr, m * k * 4, CHIP_DIR_IN);
	ops->add_tensor(g, t, args->tensors[1].addr, k * n * 4, CHIP_DIR_IN);
	ops->add_tensor(g, t, args->tensors[2].addr, m * n * 4, CHIP_DIR_OUT);
	ops->add_scalar(g, t, m);
	ops->add_scalar(g, t, k);
	ops->add_scalar(g, t, n);
	return 0;
}

#define SOFTMAX_CHUNK	16

/* Row softmax of in[rows x cols] into out, one AIV task per 16 rows. */
int softmax_orch(const struct chip_graph_ops *ops, struct chip_graph *g,
		 const struct chip_args *args)
{
	uint64_t in, out, rows, cols, r, n, row_bytes;
	int t;

	if (args->tensor_count < 2 || args->scalar_count < 2)
		return CHIP_ORCH_INVALID_ARGS;
	in = args->tensors[0].addr;
	out = args->tensors[1].addr;
	rows = args->scalars[0];
	cols = args->scalars[1];
	row_bytes = cols * 4;
	for (r = 0; r < rows; r += n) {
		n = rows - r < SOFTMAX_CHUNK ? rows - r : SOFTMAX_CHUNK;
		t = ops->add_task(g, 0, CHIP_CORE_AIV);
		ops->add_tensor(g, t, in + r * row_bytes, n * row_bytes,
				CHIP_DIR_IN);
		ops->add_tensor(g, t, out + r * row_bytes, n * row_bytes,
				CHIP_DIR_OUT);
		ops->add_scalar(g, t, n);
		ops->add_scalar(g, t, cols);
	}
	return 0;
}

/* One AIC task that never finishes: the watchdog must end it. */
int spin_orch(const struct chip_graph_ops *ops, struct chip_graph *g,
	      const struct chip_args *args)
{
	return ops->add_task(g, 0, CHIP_CORE_AIC) < 0 ? CHIP_ORCH_INVALID_ARGS : 0;
}

/* One AIV task storing to the address in scalar 0. */
int oob_orch(const struct chip_graph_ops *ops, struct chip_graph *g,
	     const struct chip_args *args)
{
	int t;

	if (args->scalar_count < 1)
		return CHIP_ORCH_INVALID_ARGS;
	t = ops->add_task(g, 0, CHIP_CORE_AIV);
	ops->add_scalar(g, t, args->scalars[0]);
	return 0;
}

/* Scalar 0 independent tasks of the null kernel (func 0, AIV). */
int many_orch(const struct chip_graph_ops *ops, struct chip_graph *g,
	      const struct chip_args *args)
{
	uint64_t i;

	if (args->scalar_count < 1)
		return CHIP_ORCH_INVALID_ARGS;
	for (i = 0; i < args->scalars[0]; i++)
		if (ops->add_task(g, 0, CHIP_CORE_AIV) < 0)
			return CHIP_ORCH_INVALID_ARGS;
	return 0;
}

/* Submits func_id 1 (the stale-table test registers only func_id 0). */
int stale_orch(const struct chip_graph_ops *ops, struct chip_graph *g,
	       const struct chip_args *args)
{
	ops->add_task(g, 1, CHIP_CORE_AIV);
	return 0;
}
