// SPDX-License-Identifier: MIT
/*
 * Row softmax on AIV cores (16 rows per task), on both runtimes, checked
 * against a double-precision CPU reference (relative error < 1e-4, every
 * row summing to 1).  Usage: softmax_example [platform] [rows cols]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chiptest.h"

int main(int argc, char **argv)
{
	const uint32_t *rts = ct_runtimes;
	uint32_t rows = 100, cols = 1000;
	struct chip_run_result res;
	struct chip_dev *dev;
	double err;
	int i, rc, fails = 0;

	ct_init(argc > 1 ? 2 : 1, argv);
	if (argc == 4) {
		rows = (uint32_t)atoi(argv[2]);
		cols = (uint32_t)atoi(argv[3]);
	}
	rc = ct_open(&dev, NULL);
	if (rc) {
		fprintf(stderr, "chip_open(%s): %s\n", ct_platform(),
			strerror(-rc));
		return 1;
	}
	for (i = 0; i < 2; i++) {
		rc = ct_register(dev, i, CT_SOFTMAX, rts[i]);
		if (!rc)
			rc = ct_softmax_check(dev, i, rows, cols, &res, &err);
		printf("%-26s %ux%u  status=%s tasks=%llu device=%.1f us  "
		       "max rel. error=%.2g  %s\n", ct_runtime_name(rts[i]),
		       rows, cols, rc ? strerror(-rc) : chip_status_str(res.status),
		       (unsigned long long)res.tasks, res.device_ns / 1e3, err,
		       rc ? "FAIL" : "PASS");
		fails += rc != 0;
	}
	chip_close(dev);
	return fails ? 1 : 0;
}
