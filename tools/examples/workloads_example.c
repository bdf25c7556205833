// SPDX-License-Identifier: MIT
/*
 * The reference workloads beyond the vector example, on both runtimes,
 * each checked against a CPU reference:
 *
 *	matmul	C[M x N] = A[M x K] * B[K x N] on an AIC core, tiled in
 *		32 x 32 blocks; exact (inputs are small dyadic rationals)
 *	softmax	row softmax on AIV cores, 16 rows per task; relative error
 *		< 1e-4 against double precision, every row summing to 1
 *
 * Usage: workloads_example [platform] [M K N [rows cols]]
 * (defaults 128 128 128, 100 1000; M, K, N multiples of 32).
 */
#include <stdio.h>
#include "../cmdline.h"
#include <stdlib.h>
#include <string.h>
#include "chiptest.h"

static uint32_t m = 128, k = 128, n = 128, rows = 100, cols = 1000;

/* Register @w for @rt under @cid, run its check and print one line. */
static int run(struct chip_dev *dev, int32_t cid, enum ct_work w, uint32_t rt)
{
	struct chip_run_result res = { 0 };
	double err = 0;
	char shape[48];
	int rc;

	rc = ct_register(dev, cid, w, rt);
	if (!rc && w == CT_MATMUL)
		rc = ct_matmul_check(dev, cid, m, k, n, &res, &err);
	else if (!rc)
		rc = ct_softmax_check(dev, cid, rows, cols, &res, &err);
	if (w == CT_MATMUL)
		snprintf(shape, sizeof(shape), "matmul %ux%ux%u", m, k, n);
	else
		snprintf(shape, sizeof(shape), "softmax %ux%u", rows, cols);
	printf("%-26s %-20s status=%s tasks=%llu device=%.1f us  "
	       "max error=%.2g  %s\n", ct_runtime_name(rt), shape,
	       rc ? strerror(-rc) : chip_status_str(res.status),
	       (unsigned long long)res.tasks, res.device_ns / 1e3, err,
	       rc ? "FAIL" : "PASS");
	return rc != 0;
}

int main(int argc, char **argv)
{
	struct chip_dev *dev;
	int i, rc, fails = 0;
	static const char usage[] =
		"usage: workloads_example [platform [M K N [rows cols]]]\n"
		"  platform  a2a3sim (default: $CHIP_PLATFORM, else a2a3sim), a5sim, a2a3, a5\n"
		"  M K N     matmul sizes, multiples of 32 up to 4096 (default 128 128 128)\n"
		"  rows cols softmax size, up to 4096 x 65536 (default 100 1000)\n";
	unsigned long v[5];

	if (cmdline_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc != 1 && argc != 2 && argc != 5 && argc != 7)
		return cmdline_bad("workloads_example", "wrong number of arguments",
				   usage);
	if (argc > 1 && !cmdline_platform(argv[1]))
		return cmdline_bad("workloads_example", argv[1], usage);
	for (i = 2; i < argc; i++) {
		if (cmdline_uint(argv[i], 1, i == 6 ? 65536 : 4096, &v[i - 2]) ||
		    (i < 5 && v[i - 2] % 32))
			return cmdline_bad("workloads_example", argv[i], usage);
	}
	ct_init(argc > 1 ? 2 : 1, argv);
	if (argc >= 5) {
		m = (uint32_t)v[0];
		k = (uint32_t)v[1];
		n = (uint32_t)v[2];
	}
	if (argc >= 7) {
		rows = (uint32_t)v[3];
		cols = (uint32_t)v[4];
	}
	rc = ct_open(&dev, NULL);
	if (rc) {
		fprintf(stderr, "chip_open(%s): %s: %s\n", ct_platform(),
			strerror(-rc), chip_last_error());
		return 1;
	}
	for (i = 0; i < 2; i++) {
		fails += run(dev, 2 * i, CT_MATMUL, ct_runtimes[i]);
		fails += run(dev, 2 * i + 1, CT_SOFTMAX, ct_runtimes[i]);
	}
	chip_close(dev);
	printf("%s\n", fails ? "FAIL" : "PASS");
	return fails ? 1 : 0;
}
