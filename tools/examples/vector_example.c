// SPDX-License-Identifier: MIT
/*
 * The reference runtime's vector example, on both runtimes:
 *
 *	f = (a + b + 1) * (a + b + 2) + (a + b)	over 16384 float32
 *
 * a = 2, b = 3 gives 47.0 everywhere.  Usage: vector_example [platform]
 * (default a2a3sim).  Prints the result check and the device counters;
 * exits 0 only if every element of both runs is right.
 */
#include <stdio.h>
#include <string.h>
#include "../cmdline.h"
#include "chiptest.h"

#define N 16384

static float out[N];

static int run_one(struct chip_dev *dev, uint32_t runtime, int32_t cid)
{
	struct chip_run_result res;
	uint32_t bad;
	int rc;

	rc = ct_register(dev, cid, CT_VECTOR, runtime);
	if (rc) {
		fprintf(stderr, "register (%s): %s\n", ct_runtime_name(runtime),
			strerror(-rc));
		return 1;
	}
	rc = ct_vector(dev, cid, 2.0f, 3.0f, N, out, &res);
	if (rc) {
		fprintf(stderr, "run: %s\n", strerror(-rc));
		return 1;
	}
	bad = ct_mismatches(out, N, 47.0f);
	printf("%-26s status=%s tasks=%llu insns=%llu device=%.1f us  "
	       "f[0]=%.1f f[%d]=%.1f  %s (%u of %d wrong)\n",
	       ct_runtime_name(runtime), chip_status_str(res.status),
	       (unsigned long long)res.tasks, (unsigned long long)res.insns,
	       res.device_ns / 1e3, out[0], N - 1, out[N - 1],
	       res.status == CHIP_STATUS_OK && !bad ? "PASS" : "FAIL", bad, N);
	return res.status != CHIP_STATUS_OK || bad;
}

int main(int argc, char **argv)
{
	struct chip_counters c;
	struct chip_dev *dev;
	int rc, fails = 0;
	static const char usage[] =
		"usage: vector_example [platform]\n"
		"  platform  a2a3sim (default: $CHIP_PLATFORM, else a2a3sim), a5sim, a2a3, a5\n"
		"  On a2a3/a5, $CHIP_DEVICE picks the device (an index or a node path).\n";

	if (cmdline_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc > 2 || (argc > 1 && !cmdline_platform(argv[1])))
		return cmdline_bad("vector_example", argv[argc - 1], usage);
	ct_init(argc, argv);
	rc = ct_open(&dev, NULL);
	if (rc) {
		fprintf(stderr, "chip_open(%s): %s: %s\n", ct_platform(),
			strerror(-rc), chip_last_error());
		return 1;
	}
	printf("vector example on %s: f = (a+b+1)*(a+b+2)+(a+b), a=2, b=3, "
	       "n=%d, expect 47.0\n", ct_platform(), N);
	fails += run_one(dev, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER, 0);
	fails += run_one(dev, CHIP_RUNTIME_HOST_BUILD_GRAPH, 1);
	if (!chip_counters(dev, &c))
		printf("counters: orch_loads=%llu host_loads=%llu "
		       "dedup_hits=%llu dedup_misses=%llu resident=%llu "
		       "(%llu bytes) runs_ok=%llu\n",
		       (unsigned long long)c.orch_loads,
		       (unsigned long long)c.host_loads,
		       (unsigned long long)c.dedup_hits,
		       (unsigned long long)c.dedup_misses,
		       (unsigned long long)c.resident_callables,
		       (unsigned long long)c.resident_bytes,
		       (unsigned long long)c.runs[CHIP_STATUS_OK]);
	chip_close(dev);
	printf("%s\n", fails ? "FAIL" : "PASS");
	return fails ? 1 : 0;
}
