// SPDX-License-Identifier: MIT
/*
 * Tiled matrix multiply on an AIC core, C[M x N] = A[M x K] * B[K x N],
 * on both runtimes, checked element by element against a CPU reference.
 * Usage: matmul_example [platform] [M K N]  (multiples of 32; 128 each)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chiptest.h"

int main(int argc, char **argv)
{
	const uint32_t *rts = ct_runtimes;
	uint32_t m = 128, k = 128, n = 128;
	struct chip_run_result res;
	struct chip_dev *dev;
	double err;
	int i, rc, fails = 0;

	ct_init(argc > 1 ? 2 : 1, argv);
	if (argc == 5) {
		m = (uint32_t)atoi(argv[2]);
		k = (uint32_t)atoi(argv[3]);
		n = (uint32_t)atoi(argv[4]);
	}
	rc = ct_open(&dev, NULL);
	if (rc) {
		fprintf(stderr, "chip_open(%s): %s\n", ct_platform(),
			strerror(-rc));
		return 1;
	}
	for (i = 0; i < 2; i++) {
		rc = ct_register(dev, i, CT_MATMUL, rts[i]);
		if (!rc)
			rc = ct_matmul_check(dev, i, m, k, n, &res, &err);
		printf("%-26s %ux%ux%u  status=%s insns=%llu device=%.1f us  "
		       "max |error|=%g  %s\n", ct_runtime_name(rts[i]), m, k, n,
		       rc ? strerror(-rc) : chip_status_str(res.status),
		       (unsigned long long)res.insns, res.device_ns / 1e3, err,
		       rc ? "FAIL" : "PASS");
		fails += rc != 0;
	}
	chip_close(dev);
	return fails ? 1 : 0;
}
