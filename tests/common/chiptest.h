/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Helpers for the conformance suite, the examples and the benchmark:
 * platform selection, the reference workloads as callables for both
 * runtimes, and their CPU references.
 *
 * The platform comes from argv[1], else $CHIP_PLATFORM, else "a2a3sim";
 * the same binaries run against the simulated backend and, in a guest
 * with chip.ko loaded, against the kernel backend ("a2a3", "a5").
 */
#ifndef CHIP_TEST_CHIPTEST_H
#define CHIP_TEST_CHIPTEST_H

#include <stddef.h>
#include <stdint.h>
#include "chip/chip.h"

/* Workloads: each has an orchestration for both runtimes. */
enum ct_work {
	CT_VECTOR,	/* f = (a+b+1)*(a+b+2)+(a+b); tensors a, b, f */
	CT_NULL,	/* no tasks */
	CT_FATAL,	/* orchestration reports fatal (9) */
	CT_MATMUL,	/* C = A*B; tensors A, B, C; scalars M, K, N */
	CT_SOFTMAX,	/* row softmax; tensors in, out; scalars rows, cols */
	CT_SPIN,	/* one AIC kernel spinning forever */
	CT_OOB,		/* one AIV kernel storing to scalar 0 */
	CT_MANY,	/* scalar 0 null tasks */
	CT_STALE,	/* only func_id 0 registered; submits func_id 1 */
	CT_WORK_COUNT,
};

/* Both runtimes, for cases that must hold on each. */
extern const uint32_t ct_runtimes[2];
#define FOR_EACH_RUNTIME(rt) \
	for (size_t _i = 0; _i < 2 && ((rt) = ct_runtimes[_i], 1); _i++)

void ct_init(int argc, char **argv);
const char *ct_platform(void);
uint32_t ct_platform_id(void);	/* CHIP_PLATFORM_* of ct_platform() */
int ct_is_sim(void);
const char *ct_runtime_name(uint32_t runtime);

/* chip_open(ct_platform(), opts) */
int ct_open(struct chip_dev **dev, const struct chip_open_opts *opts);
/* Read a whole file into *@buf (free() it): 0, -errno or -EIO. */
int ct_read_file(const char *path, void **buf, size_t *len);

/*
 * Build workload @w for @runtime as a canonical image (free() it).
 * host_build_graph images carry the host orchestration shared object
 * (tools/examples/orch/host_orch.so, found next to the executable or via
 * $CHIP_ORCH_SO).  Returns 0 or -errno.
 */
int ct_build(enum ct_work w, uint32_t runtime, void **img, size_t *len);
/* ct_build() + chip_register(). */
int ct_register(struct chip_dev *dev, int32_t cid, enum ct_work w,
		uint32_t runtime);

/*
 * Run the vector example on @cid with a = @a, b = @b over @n floats; the
 * result is stored to @out by the run's store-to-host list.
 * Returns chip_run()'s value; the run's status is in @res.
 */
int ct_vector(struct chip_dev *dev, int32_t cid, float a, float b, uint32_t n,
	      float *out, struct chip_run_result *res);
/* Elements of @v differing from @want (exact comparison). */
uint32_t ct_mismatches(const float *v, uint32_t n, float want);
float ct_vector_ref(float a, float b);

/* Matmul / softmax runs with their CPU references; 0 when within tol. */
int ct_matmul_check(struct chip_dev *dev, int32_t cid, uint32_t m, uint32_t k,
		    uint32_t n, struct chip_run_result *res, double *max_err);
int ct_softmax_check(struct chip_dev *dev, int32_t cid, uint32_t rows,
		     uint32_t cols, struct chip_run_result *res,
		     double *max_err);

/* One tensor argument of @n float32 elements. */
int ct_add_f32(struct chip_args *a, uint64_t addr, uint32_t n);

#endif
