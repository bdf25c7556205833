// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Streams of batches: full batches queued back to back (two on the
 * simulated backend; one on the kernel backend, whose ring holds one)
 * and reaped a few at a time complete once each, oldest first (on the
 * simulated backend in submission order), and, once warm, cost the
 * simulated backend no allocation (its run records are recycled); a
 * batch nobody reaps is still executed by the device.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include "helpers.h"
#include "common/chiptest.h"
#include "common/alloccount.h"

#define B	CHIP_BATCH_MAX

static struct chip_batch_run br[2][B];
static struct chip_run_result res[2 * B];

/* Batches queued at once: the kernel backend's ring holds one. */
static int nbatches(void)
{
	return ct_is_sim() ? 2 : 1;
}

/* Queue nbatches() full batches of null runs on cid 0; seqs into @seqs. */
static int submit_two(struct chip_dev *dev, const struct chip_args *args,
		      uint64_t *seqs)
{
	int i, j;

	for (j = 0; j < nbatches(); j++) {
		for (i = 0; i < B; i++) {
			br[j][i].cid = 0;
			br[j][i].args = args;
			br[j][i].opts = NULL;
		}
		CHECK_EQ(chip_submit_batch(dev, br[j], B), B);
		for (i = 0; i < B; i++) {
			CHECK_EQ(br[j][i].ret, 0);
			seqs[j * B + i] = br[j][i].seq;
		}
	}
	return 0;
}

/*
 * Reap the runs of @seqs at most 7 at a time: each once, OK; on the
 * simulated backend in submission order.
 */
static int reap_two(struct chip_dev *dev, const uint64_t *seqs)
{
	static unsigned char seen[2 * B];
	int got = 0, n, i, k, total = nbatches() * B;

	memset(seen, 0, sizeof(seen));
	while (got < total) {
		n = chip_reap(dev, res + got, 7, 1, 0);
		CHECK(n >= 1 && n <= 7);
		got += n;
	}
	for (i = 0; i < total; i++) {
		CHECK_EQ(res[i].status, CHIP_STATUS_OK);
		if (ct_is_sim())
			CHECK_U64(res[i].seq, seqs[i]);
		for (k = 0; k < total && seqs[k] != res[i].seq; k++)
			;
		CHECK(k < total);
		CHECK_EQ(seen[k], 0);
		seen[k] = 1;
	}
	CHECK_EQ(chip_reap(dev, res, 1, 0, 0), 0);
	return 0;
}

static int test_two_batches_in_order(void)
{
	static uint64_t seqs[2 * B];
	struct chip_counters c0, c;
	unsigned long a0, a1;
	struct chip_args args;
	struct chip_dev *dev;
	int round;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, 0, CT_NULL,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	chip_args_init(&args);
	CHECK_EQ(chip_counters(dev, &c0), 0);
	for (round = 0; round < 3; round++) {
		a0 = allocs();
		CHECK_EQ(submit_two(dev, &args, seqs), 0);
		CHECK_EQ(reap_two(dev, seqs), 0);
		a1 = allocs();
		/*
		 * Warm (after the first round), the simulated backend
		 * recycles every run record: what is left is the front
		 * end's one request array per batch.
		 */
		if (round && ct_is_sim() && a0 != ~0ul)
			CHECK(a1 - a0 <= 2 + 1);
	}
	CHECK_EQ(chip_counters(dev, &c), 0);
	CHECK_U64(c.runs[CHIP_STATUS_OK] - c0.runs[CHIP_STATUS_OK],
		  (uint64_t)3 * nbatches() * B);
	chip_close(dev);
	return 0;
}

/*
 * A batch nobody reaps or waits for is executed all the same: its
 * completions appear to a reap that never blocks (nor executes).
 */
static int test_unattended_batch_runs(void)
{
	const struct timespec ms = { 0, 1000000 };
	struct chip_args args;
	struct chip_dev *dev;
	int got = 0, n, i;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, 0, CT_NULL,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	chip_args_init(&args);
	for (i = 0; i < 32; i++) {
		br[0][i].cid = 0;
		br[0][i].args = &args;
		br[0][i].opts = NULL;
	}
	CHECK_EQ(chip_submit_batch(dev, br[0], 32), 32);
	/* A bound for a hung device only (minutes), not a timing. */
	for (i = 0; got < 32 && i < 120000; i++) {
		n = chip_reap(dev, res + got, 32, 0, 0);
		CHECK(n >= 0);
		got += n;
		if (got < 32)
			nanosleep(&ms, NULL);
	}
	CHECK_EQ(got, 32);
	for (i = 0; i < 32; i++) {
		CHECK_EQ(res[i].status, CHIP_STATUS_OK);
		if (ct_is_sim())
			CHECK_U64(res[i].seq, br[0][i].seq);
	}
	chip_close(dev);
	return 0;
}

int main(int argc, char **argv)
{
	ct_init(argc, argv);
	T_RUN(test_two_batches_in_order);
	T_RUN(test_unattended_batch_runs);
	return T_DONE();
}
