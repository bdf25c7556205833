// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What tests/tools/run.sh compares chipctl's output with, computed here
 * through libchip directly:
 *
 *	chipctl_ref images DIR PLATFORM
 *		write the reference workloads' images: vector_tmr.img,
 *		vector_hbg.img, fatal.img (tensormap_and_ringbuffer unless
 *		named _hbg), and the vector example's ISA sources for
 *		chipasm: orch_vector.s, vec_add.s, vec_add_scalar.s, vec_mul.s
 *	chipctl_ref info PLATFORM
 *		chip_info() as JSON, with chipctl's key names
 *	chipctl_ref stats PLATFORM N IMAGE [REGISTER...]
 *		register each REGISTER at cids 0, 1, ..., IMAGE at the next
 *		cid, run it N times with the vector example's arguments
 *		(a = 2, b = 3, f) as `chipctl run` does, and print
 *		chip_counters() as JSON (chipctl's "client" object)
 *	chipctl_ref layout IMAGE
 *		the image's hash and size as JSON
 *	chipctl_ref dedup-api PLATFORM IMAGE1 IMAGE2
 *		chip_dedup_list()'s contract: errors, the count when the
 *		array is short, entries and scope (-EOPNOTSUPP on the kernel
 *		backend); prints what failed, exits 1 then
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chipc.h"
#include "chiptest.h"
#include "programs.h"

#define N 16384

static const char *const status_keys[CHIP_STATUS_COUNT] = {
	"ok", "orch_error", "sched_error", "timeout", "fault", "invalid",
	"cancelled", "device_lost",
};

static int write_image(const char *dir, const char *name, enum ct_work w,
		       uint32_t runtime)
{
	char path[4096];
	void *img;
	size_t len;
	FILE *f;
	int rc = ct_build(w, runtime, &img, &len);

	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(img, 1, len, f) != len)
		rc = -EIO;
	if (f && fclose(f))
		rc = -EIO;
	free(img);
	return rc;
}

static int write_text(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0)
		rc = -EIO;
	if (f && fclose(f))
		rc = -EIO;
	return rc;
}

static int images(const char *dir)
{
	int rc = write_image(dir, "vector_tmr.img", CT_VECTOR,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER);

	if (!rc)
		rc = write_text(dir, "orch_vector.s", PROG_ORCH_VECTOR);
	if (!rc)
		rc = write_text(dir, "vec_add.s", PROG_VEC_ADD);
	if (!rc)
		rc = write_text(dir, "vec_add_scalar.s", PROG_VEC_ADD_SCALAR);
	if (!rc)
		rc = write_text(dir, "vec_mul.s", PROG_VEC_MUL);

	if (!rc)
		rc = write_image(dir, "vector_hbg.img", CT_VECTOR,
				 CHIP_RUNTIME_HOST_BUILD_GRAPH);
	if (!rc)
		rc = write_image(dir, "fatal.img", CT_FATAL,
				 CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER);
	return rc;
}

static int info(void)
{
	struct chip_info in;
	struct chip_dev *dev;
	int rc = ct_open(&dev, NULL);

	if (rc)
		return rc;
	rc = chip_info(dev, &in);
	if (!rc)
		printf("{\"name\":\"%s\",\"platform_id\":%u,\"simulated\":%s,"
		       "\"max_blocks\":%u,\"max_aicpu_threads\":%u,"
		       "\"aic_cores\":%u,\"aiv_cores\":%u,\"local_aic\":%u,"
		       "\"local_aiv\":%u,\"gm_size\":%llu,\"heap_va\":%llu,"
		       "\"heap_size\":%llu}\n", in.name, in.platform,
		       in.simulated ? "true" : "false", in.max_blocks,
		       in.max_aicpu_threads, in.aic_cores, in.aiv_cores,
		       in.local_aic, in.local_aiv,
		       (unsigned long long)in.gm_size,
		       (unsigned long long)in.heap_va,
		       (unsigned long long)in.heap_size);
	chip_close(dev);
	return rc;
}

static int reg(struct chip_dev *dev, int32_t cid, const char *path)
{
	void *img;
	size_t len;
	int rc = ct_read_file(path, &img, &len);

	if (!rc)
		rc = chip_register(dev, cid, img, len, NULL);
	free(img);
	return rc;
}

static int stats(int n, const char *image, char **regs, int nregs)
{
	static float host[N];
	struct chip_run_result res;
	struct chip_counters c;
	struct chip_args args;
	struct chip_dev *dev;
	uint64_t t[3] = { 0 };
	float v;
	int rc, i, j;

	rc = ct_open(&dev, NULL);
	if (rc)
		return rc;
	for (i = 0; !rc && i < nregs; i++)
		rc = reg(dev, i, regs[i]);
	if (!rc)
		rc = reg(dev, nregs, image);
	chip_args_init(&args);
	for (i = 0; !rc && i < 3; i++) {
		v = i == 0 ? 2.0f : i == 1 ? 3.0f : 0.0f;
		for (j = 0; j < N; j++)
			host[j] = v;
		rc = chip_malloc(dev, sizeof(host), &t[i]);
		if (!rc)
			rc = chip_copy_to(dev, t[i], host, sizeof(host));
		if (!rc)
			rc = ct_add_f32(&args, t[i], N);
	}
	for (i = 0; !rc && i < n; i++)
		rc = chip_run(dev, nregs, &args, NULL, &res);
	if (!rc)
		rc = chip_counters(dev, &c);
	if (!rc) {
		printf("{\"orch_loads\":%llu,\"host_loads\":%llu,"
		       "\"dedup_hits\":%llu,\"dedup_misses\":%llu,"
		       "\"resident_bytes\":%llu,\"resident_callables\":%llu,"
		       "\"registered\":%llu,\"runs\":{",
		       (unsigned long long)c.orch_loads,
		       (unsigned long long)c.host_loads,
		       (unsigned long long)c.dedup_hits,
		       (unsigned long long)c.dedup_misses,
		       (unsigned long long)c.resident_bytes,
		       (unsigned long long)c.resident_callables,
		       (unsigned long long)c.registered);
		for (i = 0; i < CHIP_STATUS_COUNT; i++)
			printf("%s\"%s\":%llu", i ? "," : "", status_keys[i],
			       (unsigned long long)c.runs[i]);
		printf("},\"gm_used\":%llu}\n", (unsigned long long)c.gm_used);
	}
	chip_close(dev);
	return rc;
}

static int layout(const char *path)
{
	struct chip_layout l;
	void *img;
	size_t len;
	int rc = ct_read_file(path, &img, &len);

	if (rc)
		return rc;
	rc = chip_callable_layout(img, len, &l);
	if (!rc)
		printf("{\"hash\":\"0x%016llx\",\"key\":\"0x%016llx\",\"size\":%u}\n",
		       (unsigned long long)l.hash,
		       (unsigned long long)chipc_content_key(img, len),
		       l.total_size);
	free(img);
	return rc;
}

#define EXPECT(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "dedup-api: line %d: %s\n", __LINE__, #c); \
		rc = -EDOM;						\
		goto out;						\
	}								\
} while (0)

static int dedup_api(const char *a, const char *b)
{
	struct chip_resident r[3], *all = NULL;
	struct chip_layout la;
	struct chip_dev *dev;
	uint64_t key;
	uint32_t scope = 99;
	size_t len;
	void *img;
	int rc, n, i;

	rc = ct_open(&dev, NULL);
	if (rc)
		return rc;
	EXPECT(chip_dedup_list(NULL, NULL, NULL, 0) == -EBADF);
	EXPECT(chip_dedup_list(dev, NULL, NULL, -1) == -EINVAL);
	EXPECT(chip_dedup_list(dev, NULL, NULL, 1) == -EINVAL);
	n = chip_dedup_list(dev, &scope, NULL, 0);
	if (!ct_is_sim()) {
		/* The driver's table may hold other files' entries too. */
		EXPECT(n >= 0 && scope <= CHIP_DEDUP_SCOPE_USER);
		EXPECT(!reg(dev, 0, a) && !reg(dev, 5, a));
		EXPECT(!ct_read_file(a, &img, &len));
		rc = chip_callable_layout(img, len, &la);
		key = chipc_content_key(img, len);
		free(img);
		EXPECT(!rc);
		n = chip_dedup_list(dev, NULL, NULL, 0);
		EXPECT(n >= 1);
		all = calloc((size_t)n, sizeof(*all));
		EXPECT(all && chip_dedup_list(dev, NULL, all, n) == n);
		for (i = 0; i < n && all[i].hash != key; i++)
			;
		EXPECT(i < n && all[i].size == la.total_size &&
		       all[i].refs >= 2);
		EXPECT(!chip_unregister(dev, 0) && !chip_unregister(dev, 5));
		goto out;
	}
	EXPECT(n == 0 && scope == CHIP_DEDUP_SCOPE_FILE);
	EXPECT(!reg(dev, 0, a) && !reg(dev, 1, b) && !reg(dev, 5, a));
	memset(r, 0xff, sizeof(r));
	/* A short array: the count, one entry filled, the rest untouched. */
	EXPECT(chip_dedup_list(dev, NULL, r, 1) == 2);
	EXPECT(r[1].hash == ~0ull);
	EXPECT(chip_dedup_list(dev, &scope, r, 3) == 2);
	EXPECT(r[2].hash == 0 && r[2].refs == 0);	/* zeroed */
	EXPECT(!ct_read_file(a, &img, &len));
	rc = chip_callable_layout(img, len, &la);
	key = chipc_content_key(img, len);
	free(img);
	EXPECT(!rc);
	if (r[0].hash != key)
		r[0] = r[1];
	EXPECT(r[0].hash == key && r[0].size == la.total_size);
	EXPECT(r[0].refs == 2 && r[0].cids == ((1ull << 0) | (1ull << 5)));
	EXPECT(r[0].children == la.child_count && !r[0].reserved[0]);
	/* Unregistering drops the reference and the cid. */
	EXPECT(!chip_unregister(dev, 5));
	EXPECT(chip_dedup_list(dev, NULL, r, 3) == 2);
	if (r[0].hash != key)
		r[0] = r[1];
	EXPECT(r[0].refs == 1 && r[0].cids == 1);
	EXPECT(!chip_unregister(dev, 0) && !chip_unregister(dev, 1));
	EXPECT(chip_dedup_list(dev, NULL, r, 3) == 0);
out:
	free(all);
	chip_close(dev);
	return rc;
}

int main(int argc, char **argv)
{
	char *plat[2] = { argv[0], NULL };
	int rc = -EINVAL, fd, null;

	if (argc < 3) {
		fprintf(stderr, "usage: chipctl_ref images DIR PLATFORM | "
			"info PLATFORM | stats PLATFORM N IMAGE [REGISTER...] "
			"| layout IMAGE\n");
		return 2;
	}
	/* ct_init() prints a "# platform" line: keep stdout pure JSON. */
	fflush(stdout);
	fd = dup(1);
	null = open("/dev/null", O_WRONLY);
	if (fd < 0 || null < 0 || dup2(null, 1) < 0)
		return 1;
	plat[1] = !strcmp(argv[1], "images") && argc > 3 ? argv[3] : argv[2];
	ct_init(2, plat);
	fflush(stdout);
	if (dup2(fd, 1) < 0)
		return 1;
	close(fd);
	close(null);
	if (!strcmp(argv[1], "images") && argc == 4)
		rc = images(argv[2]);
	else if (!strcmp(argv[1], "info") && argc == 3)
		rc = info();
	else if (!strcmp(argv[1], "stats") && argc >= 5)
		rc = stats(atoi(argv[3]), argv[4], argv + 5, argc - 5);
	else if (!strcmp(argv[1], "dedup-api") && argc == 5)
		rc = dedup_api(argv[3], argv[4]);
	else if (!strcmp(argv[1], "layout") && argc == 3)
		rc = layout(argv[2]);
	if (rc)
		fprintf(stderr, "chipctl_ref %s: %s\n", argv[1], strerror(-rc));
	return rc ? 1 : 0;
}
