// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Reference workloads as callables for both runtimes, and their CPU
 * references.  See chiptest.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "chiptest.h"
#include "programs.h"

static const char *platform = "a2a3sim";

const uint32_t ct_runtimes[2] = {
	CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER,
	CHIP_RUNTIME_HOST_BUILD_GRAPH,
};

void ct_init(int argc, char **argv)
{
	const char *env = getenv("CHIP_PLATFORM");

	if (argc > 1 && argv[1][0])
		platform = argv[1];
	else if (env && env[0])
		platform = env;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# platform %s\n", platform);
}

const char *ct_platform(void)
{
	return platform;
}

uint32_t ct_platform_id(void)
{
	return !strncmp(platform, "a5", 2) ? CHIP_PLATFORM_A5 :
					     CHIP_PLATFORM_A2A3;
}

int ct_is_sim(void)
{
	size_t n = strlen(platform);

	return n > 3 && !strcmp(platform + n - 3, "sim");
}

const char *ct_runtime_name(uint32_t runtime)
{
	return runtime == CHIP_RUNTIME_HOST_BUILD_GRAPH ? "host_build_graph" :
	       "tensormap_and_ringbuffer";
}

int ct_open(struct chip_dev **dev, const struct chip_open_opts *opts)
{
	return chip_open(platform, opts, dev);
}

/* ---- building callables ------------------------------------------------ */

struct child_spec {
	int32_t func_id;
	uint32_t core_type;
	const char *src;
};

struct work_spec {
	const char *orch_src;		/* tensormap_and_ringbuffer */
	const char *host_entry;		/* host_build_graph */
	struct child_spec children[3];
	int nchildren;
};

/* Submits func_id 1; the callable registers only func_id 0. */
#define ORCH_STALE "task 1, aiv\nsubmit r0\nhalt\n"

static const struct work_spec works[CT_WORK_COUNT] = {
	[CT_VECTOR] = { PROG_ORCH_VECTOR, "vector_orch", {
		{ 0, CHIP_CORE_AIV, PROG_VEC_ADD },
		{ 1, CHIP_CORE_AIV, PROG_VEC_ADD_SCALAR },
		{ 2, CHIP_CORE_AIV, PROG_VEC_MUL } }, 3 },
	[CT_NULL] = { PROG_ORCH_NULL, "null_orch", {
		{ 0, CHIP_CORE_AIV, PROG_NULL_KERNEL } }, 1 },
	[CT_FATAL] = { PROG_ORCH_FATAL, "fatal_orch", { { 0 } }, 0 },
	[CT_MATMUL] = { PROG_ORCH_MATMUL, "matmul_orch", {
		{ 0, CHIP_CORE_AIC, PROG_MATMUL } }, 1 },
	[CT_SOFTMAX] = { PROG_ORCH_SOFTMAX, "softmax_orch", {
		{ 0, CHIP_CORE_AIV, PROG_SOFTMAX_ROWS } }, 1 },
	[CT_SPIN] = { PROG_ORCH_SPIN, "spin_orch", {
		{ 0, CHIP_CORE_AIC, PROG_SPIN } }, 1 },
	[CT_OOB] = { PROG_ORCH_OOB, "oob_orch", {
		{ 0, CHIP_CORE_AIV, PROG_OOB_STORE } }, 1 },
	[CT_MANY] = { PROG_ORCH_MANY, "many_orch", {
		{ 0, CHIP_CORE_AIV, PROG_NULL_KERNEL } }, 1 },
	[CT_STALE] = { ORCH_STALE, "stale_orch", {
		{ 0, CHIP_CORE_AIV, PROG_NULL_KERNEL } }, 1 },
};

/* The host orchestration shared object, read once. */
static void *so_bytes;
static size_t so_len;

int ct_read_file(const char *path, void **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -EIO;
	}
	*buf = malloc((size_t)n);
	if (!*buf || fread(*buf, 1, (size_t)n, f) != (size_t)n) {
		free(*buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*len = (size_t)n;
	return 0;
}

static int load_host_so(void)
{
	static const char *const rel[] = {
		"orch/host_orch.so",
		"examples/orch/host_orch.so",
		"../tools/examples/orch/host_orch.so",
		"../../tools/examples/orch/host_orch.so",
		"host_orch.so",
	};
	char exe[4096], path[4200], *slash;
	const char *env = getenv("CHIP_ORCH_SO");
	ssize_t n;
	size_t i;

	if (so_bytes)
		return 0;
	if (env && env[0])
		return ct_read_file(env, &so_bytes, &so_len);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -ENOENT;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (!slash)
		return -ENOENT;
	*slash = 0;
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", exe, rel[i]);
		if (!ct_read_file(path, &so_bytes, &so_len))
			return 0;
	}
	fprintf(stderr, "host_orch.so not found near %s (set CHIP_ORCH_SO)\n",
		exe);
	return -ENOENT;
}

static int assemble(const char *src, void **code, size_t *size)
{
	char err[128];
	int rc = chip_asm(src, code, size, err, sizeof(err));

	if (rc)
		fprintf(stderr, "assembler: %s\n", err);
	return rc;
}

int ct_build(enum ct_work w, uint32_t runtime, void **img, size_t *len)
{
	static const uint8_t sig3[3] = { CHIP_DIR_IN, CHIP_DIR_IN, CHIP_DIR_OUT };
	const struct work_spec *ws = &works[w];
	struct chip_builder *b;
	void *code = NULL;
	size_t size;
	int rc, i;

	if ((unsigned int)w >= CT_WORK_COUNT)
		return -EINVAL;
	rc = chip_builder_new(ct_platform_id(), runtime, &b);
	if (rc)
		return rc;
	if (runtime == CHIP_RUNTIME_HOST_BUILD_GRAPH) {
		rc = load_host_so();
		if (!rc)
			rc = chip_builder_set_orch(b, so_bytes, so_len,
						   ws->host_entry, NULL, sig3,
						   3);
	} else {
		rc = assemble(ws->orch_src, &code, &size);
		if (!rc)
			rc = chip_builder_set_orch(b, code, size, "orch", NULL,
						   sig3, 3);
		free(code);
	}
	for (i = 0; !rc && i < ws->nchildren; i++) {
		const struct child_spec *c = &ws->children[i];

		code = NULL;
		rc = assemble(c->src, &code, &size);
		if (!rc)
			rc = chip_builder_add_child(b, c->func_id, c->core_type,
						    sig3, 3, code, size);
		free(code);
	}
	if (!rc)
		rc = chip_builder_build(b, img, len);
	chip_builder_free(b);
	return rc;
}

int ct_register(struct chip_dev *dev, int32_t cid, enum ct_work w,
		uint32_t runtime)
{
	void *img;
	size_t len;
	int rc = ct_build(w, runtime, &img, &len);

	if (rc)
		return rc;
	rc = chip_register(dev, cid, img, len, NULL);
	free(img);
	return rc;
}

/* ---- workloads ------------------------------------------------------------ */

int ct_add_f32(struct chip_args *a, uint64_t addr, uint32_t n)
{
	return chip_args_add_tensor(a, addr, CHIP_DT_FLOAT32, 1, &n);
}

float ct_vector_ref(float a, float b)
{
	float c = a + b;

	return (c + 1.0f) * (c + 2.0f) + c;
}

uint32_t ct_mismatches(const float *v, uint32_t n, float want)
{
	uint32_t i, bad = 0;

	for (i = 0; i < n; i++)
		bad += v[i] != want;
	return bad;
}

static int fill(struct chip_dev *dev, uint64_t addr, float v, uint32_t n)
{
	float *buf = malloc((size_t)n * sizeof(float));
	uint32_t i;
	int rc;

	if (!buf)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		buf[i] = v;
	rc = chip_copy_to(dev, addr, buf, (uint64_t)n * sizeof(float));
	free(buf);
	return rc;
}

int ct_vector(struct chip_dev *dev, int32_t cid, float a, float b, uint32_t n,
	      float *out, struct chip_run_result *res)
{
	struct chip_run_opts o = { .sz = sizeof(o) };
	struct chip_store st;
	struct chip_args args;
	uint64_t da = 0, db = 0, df = 0, bytes = (uint64_t)n * 4;
	int rc;

	rc = chip_malloc(dev, bytes, &da);
	if (!rc)
		rc = chip_malloc(dev, bytes, &db);
	if (!rc)
		rc = chip_malloc(dev, bytes, &df);
	if (!rc)
		rc = fill(dev, da, a, n);
	if (!rc)
		rc = fill(dev, db, b, n);
	if (!rc)
		rc = fill(dev, df, -1.0f, n);
	if (rc)
		goto out;
	chip_args_init(&args);
	ct_add_f32(&args, da, n);
	ct_add_f32(&args, db, n);
	ct_add_f32(&args, df, n);
	memset(out, 0, bytes);
	st.dev_addr = df;
	st.host = out;
	st.size = bytes;
	o.stores = &st;
	o.nstores = 1;
	rc = chip_run(dev, cid, &args, &o, res);
out:
	if (df)
		chip_free(dev, df);
	if (db)
		chip_free(dev, db);
	if (da)
		chip_free(dev, da);
	return rc;
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

int ct_matmul_check(struct chip_dev *dev, int32_t cid, uint32_t m, uint32_t k,
		    uint32_t n, struct chip_run_result *res, double *max_err)
{
	float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n);
	float *c = malloc(sizeof(float) * m * n);
	uint64_t da = 0, db = 0, dc = 0;
	struct chip_args args;
	uint32_t i, j, l, seed = m * 131 + k * 7 + n;
	int rc = -ENOMEM;

	*max_err = 0;
	if (!a || !b || !c)
		goto out;
	for (i = 0; i < m * k; i++)
		a[i] = (float)((int)(lcg(&seed) % 17) - 8) / 8.0f;
	for (i = 0; i < k * n; i++)
		b[i] = (float)((int)(lcg(&seed) % 13) - 6) / 4.0f;
	rc = chip_malloc(dev, sizeof(float) * m * k, &da);
	if (!rc)
		rc = chip_malloc(dev, sizeof(float) * k * n, &db);
	if (!rc)
		rc = chip_malloc(dev, sizeof(float) * m * n, &dc);
	if (!rc)
		rc = chip_copy_to(dev, da, a, sizeof(float) * m * k);
	if (!rc)
		rc = chip_copy_to(dev, db, b, sizeof(float) * k * n);
	if (rc)
		goto out;
	chip_args_init(&args);
	chip_args_add_tensor(&args, da, CHIP_DT_FLOAT32, 2,
			     (const uint32_t[]){ m, k });
	chip_args_add_tensor(&args, db, CHIP_DT_FLOAT32, 2,
			     (const uint32_t[]){ k, n });
	chip_args_add_tensor(&args, dc, CHIP_DT_FLOAT32, 2,
			     (const uint32_t[]){ m, n });
	chip_args_add_scalar(&args, m);
	chip_args_add_scalar(&args, k);
	chip_args_add_scalar(&args, n);
	rc = chip_run(dev, cid, &args, NULL, res);
	if (rc || res->status != CHIP_STATUS_OK) {
		rc = rc ? rc : -EIO;
		goto out;
	}
	rc = chip_copy_from(dev, c, dc, sizeof(float) * m * n);
	if (rc)
		goto out;
	/* Inputs are small dyadic rationals: the products are exact. */
	for (i = 0; i < m; i++) {
		for (j = 0; j < n; j++) {
			double ref = 0, e;

			for (l = 0; l < k; l++)
				ref += (double)a[i * k + l] * b[l * n + j];
			e = fabs(ref - c[i * n + j]);
			if (e > *max_err)
				*max_err = e;
		}
	}
	rc = *max_err == 0 ? 0 : -EDOM;
	if (rc)
		fprintf(stderr, "matmul %ux%ux%u: max error %g\n", m, k, n,
			*max_err);
out:
	if (dc)
		chip_free(dev, dc);
	if (db)
		chip_free(dev, db);
	if (da)
		chip_free(dev, da);
	free(a);
	free(b);
	free(c);
	return rc;
}

int ct_softmax_check(struct chip_dev *dev, int32_t cid, uint32_t rows,
		     uint32_t cols, struct chip_run_result *res,
		     double *max_err)
{
	size_t cnt = (size_t)rows * cols, bytes = cnt * sizeof(float);
	float *x = malloc(bytes), *y = malloc(bytes);
	uint64_t dx = 0, dy = 0;
	struct chip_args args;
	uint32_t i, j, seed = rows * 31 + cols;
	int rc = -ENOMEM;

	*max_err = 0;
	if (!x || !y)
		goto out;
	for (i = 0; i < cnt; i++)
		x[i] = (float)((int)(lcg(&seed) % 2001) - 1000) / 100.0f;
	rc = chip_malloc(dev, bytes, &dx);
	if (!rc)
		rc = chip_malloc(dev, bytes, &dy);
	if (!rc)
		rc = chip_copy_to(dev, dx, x, bytes);
	if (rc)
		goto out;
	chip_args_init(&args);
	chip_args_add_tensor(&args, dx, CHIP_DT_FLOAT32, 2,
			     (const uint32_t[]){ rows, cols });
	chip_args_add_tensor(&args, dy, CHIP_DT_FLOAT32, 2,
			     (const uint32_t[]){ rows, cols });
	chip_args_add_scalar(&args, rows);
	chip_args_add_scalar(&args, cols);
	rc = chip_run(dev, cid, &args, NULL, res);
	if (rc || res->status != CHIP_STATUS_OK) {
		rc = rc ? rc : -EIO;
		goto out;
	}
	rc = chip_copy_from(dev, y, dy, bytes);
	if (rc)
		goto out;
	for (i = 0; i < rows; i++) {
		const float *xr = x + (size_t)i * cols;
		double mx = xr[0], sum = 0, tot = 0;

		for (j = 1; j < cols; j++)
			mx = xr[j] > mx ? xr[j] : mx;
		for (j = 0; j < cols; j++)
			sum += exp(xr[j] - mx);
		for (j = 0; j < cols; j++) {
			double ref = exp(xr[j] - mx) / sum;
			double got = y[(size_t)i * cols + j];
			double e = fabs(ref - got) / (ref > 1e-30 ? ref : 1e-30);

			if (ref > 1e-30 && e > *max_err)
				*max_err = e;
			tot += got;
		}
		if (fabs(tot - 1.0) > 1e-4)
			*max_err = fabs(tot - 1.0) > *max_err ?
				   fabs(tot - 1.0) : *max_err;
	}
	rc = *max_err < 1e-4 ? 0 : -EDOM;
	if (rc)
		fprintf(stderr, "softmax %ux%u: max relative error %g\n", rows,
			cols, *max_err);
out:
	if (dy)
		chip_free(dev, dy);
	if (dx)
		chip_free(dev, dx);
	free(x);
	free(y);
	return rc;
}
