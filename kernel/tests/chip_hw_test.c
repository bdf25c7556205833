// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the hardware boundary (kernel/chip_hw.c) with fake
 * devices: one that completes its jobs in an order the test chooses
 * (out of submission order), and one that never completes a job, whose
 * jobs the job timeout must end (CHIP_STATUS_TIMEOUT) with a reset,
 * leaving the device usable.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/jiffies.h>

#include "chip_hw.h"

#define FAKE_JOBS	4

struct fake_dev {
	struct chip_hw hw;
	struct chip_hw_job *held[FAKE_JOBS];	/* submitted, not completed */
	int nsubmit, ncancel, nreset;
	/* What the boundary handed back, in order. */
	struct chip_hw_job *done[FAKE_JOBS * 2];
	u32 done_status[FAKE_JOBS * 2];
	int ndone;
	struct completion done_one;
};

static struct fake_dev *to_fake(struct chip_hw *hw)
{
	return container_of(hw, struct fake_dev, hw);
}

static int fake_submit(struct chip_hw *hw, struct chip_hw_job *job)
{
	struct fake_dev *d = to_fake(hw);
	int i;

	for (i = 0; i < FAKE_JOBS; i++) {
		if (!d->held[i]) {
			d->held[i] = job;
			d->nsubmit++;
			return 0;
		}
	}
	return -EBUSY;
}

static void fake_cancel(struct chip_hw *hw, struct chip_hw_job *job)
{
	to_fake(hw)->ncancel++;
}

static void fake_reset(struct chip_hw *hw)
{
	struct fake_dev *d = to_fake(hw);

	memset(d->held, 0, sizeof(d->held));
	d->nreset++;
}

static u64 fake_query(struct chip_hw *hw, u32 what)
{
	struct fake_dev *d = to_fake(hw);
	u64 n = 0;
	int i;

	if (what == CHIP_HW_Q_RESETS)
		return d->nreset;
	for (i = 0; i < FAKE_JOBS; i++)
		n += !!d->held[i];
	return n;
}

static const struct chip_hw_ops fake_ops = {
	.submit = fake_submit,
	.cancel = fake_cancel,
	.reset = fake_reset,
	.query = fake_query,
};

static void fake_done(struct chip_hw *hw, struct chip_hw_job *job)
{
	struct fake_dev *d = to_fake(hw);

	if (d->ndone < (int)ARRAY_SIZE(d->done)) {
		d->done[d->ndone] = job;
		d->done_status[d->ndone] = job->res.status;
	}
	d->ndone++;
	complete(&d->done_one);
}

/* The device "executes" held job @i: result @status, then completes it. */
static void fake_complete(struct fake_dev *d, int i, u32 status)
{
	struct chip_hw_job *job = d->held[i];

	d->held[i] = NULL;
	job->res.status = status;
	chip_hw_complete(&d->hw, job);
}

static struct fake_dev *fake_new(struct kunit *test)
{
	struct fake_dev *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	chip_hw_init(&d->hw, &fake_ops, fake_done);
	init_completion(&d->done_one);
	return d;
}

static struct chip_hw_job *job_new(struct kunit *test, u64 timeout_ns)
{
	struct chip_hw_job *job = kunit_kzalloc(test, sizeof(*job),
						 GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, job);
	job->req.timeout_ns = timeout_ns;
	INIT_LIST_HEAD(&job->node);
	INIT_LIST_HEAD(&job->dev_node);
	return job;
}

/* Three jobs completed as 2, 0, 1: each handed back once, in that order. */
static void chip_hw_out_of_order(struct kunit *test)
{
	struct fake_dev *d = fake_new(test);
	struct chip_hw_job *job[3];
	int i;

	for (i = 0; i < 3; i++) {
		job[i] = job_new(test, 0);
		KUNIT_ASSERT_EQ(test, chip_hw_submit(&d->hw, job[i]), 0);
	}
	KUNIT_EXPECT_EQ(test, d->hw.ops->query(&d->hw, CHIP_HW_Q_BUSY), 3ull);
	fake_complete(d, 2, CHIP_STATUS_OK);
	fake_complete(d, 0, CHIP_STATUS_FAULT);
	chip_hw_cancel(&d->hw, job[1]);
	KUNIT_EXPECT_EQ(test, d->ncancel, 1);
	fake_complete(d, 1, CHIP_STATUS_CANCELLED);
	KUNIT_ASSERT_EQ(test, d->ndone, 3);
	KUNIT_EXPECT_PTR_EQ(test, d->done[0], job[2]);
	KUNIT_EXPECT_PTR_EQ(test, d->done[1], job[0]);
	KUNIT_EXPECT_PTR_EQ(test, d->done[2], job[1]);
	KUNIT_EXPECT_EQ(test, d->done_status[0], (u32)CHIP_STATUS_OK);
	KUNIT_EXPECT_EQ(test, d->done_status[1], (u32)CHIP_STATUS_FAULT);
	KUNIT_EXPECT_EQ(test, d->done_status[2], (u32)CHIP_STATUS_CANCELLED);
	/* A second completion of a job, or a cancel after it: nothing. */
	chip_hw_complete(&d->hw, job[2]);
	chip_hw_cancel(&d->hw, job[2]);
	KUNIT_EXPECT_EQ(test, d->ndone, 3);
	KUNIT_EXPECT_EQ(test, d->ncancel, 1);
	KUNIT_EXPECT_TRUE(test, list_empty(&d->hw.inflight));
	KUNIT_EXPECT_EQ(test, d->hw.timeouts, 0ull);
	chip_hw_fini(&d->hw);
}

/*
 * A job the device never completes: the job timeout resets the device
 * and ends the job as CHIP_STATUS_TIMEOUT; a late completion of it is
 * ignored, and the device takes and completes the next job.
 */
static void chip_hw_never_completes(struct kunit *test)
{
	struct fake_dev *d = fake_new(test);
	struct chip_hw_job *stuck = job_new(test, 1000000);	/* 1 ms */
	struct chip_hw_job *next;

	d->hw.grace = msecs_to_jiffies(20);
	KUNIT_ASSERT_EQ(test, chip_hw_submit(&d->hw, stuck), 0);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&d->done_one,
							  10 * HZ), 0ul);
	KUNIT_ASSERT_EQ(test, d->ndone, 1);
	KUNIT_EXPECT_PTR_EQ(test, d->done[0], stuck);
	KUNIT_EXPECT_EQ(test, d->done_status[0], (u32)CHIP_STATUS_TIMEOUT);
	KUNIT_EXPECT_EQ(test, d->nreset, 1);
	KUNIT_EXPECT_EQ(test, d->hw.timeouts, 1ull);
	KUNIT_EXPECT_EQ(test, d->hw.ops->query(&d->hw, CHIP_HW_Q_BUSY), 0ull);
	/* Too late: the boundary has ended it. */
	chip_hw_complete(&d->hw, stuck);
	KUNIT_EXPECT_EQ(test, d->ndone, 1);

	/* Usable after the reset. */
	next = job_new(test, 0);
	KUNIT_ASSERT_EQ(test, chip_hw_submit(&d->hw, next), 0);
	fake_complete(d, 0, CHIP_STATUS_OK);
	KUNIT_ASSERT_EQ(test, d->ndone, 2);
	KUNIT_EXPECT_PTR_EQ(test, d->done[1], next);
	KUNIT_EXPECT_EQ(test, d->done_status[1], (u32)CHIP_STATUS_OK);
	KUNIT_EXPECT_EQ(test, d->nreset, 1);
	chip_hw_fini(&d->hw);
}

/* A device that refuses a job: the boundary forgets it, no timeout. */
static void chip_hw_refused(struct kunit *test)
{
	struct fake_dev *d = fake_new(test);
	struct chip_hw_job *job[FAKE_JOBS + 1];
	int i;

	for (i = 0; i < FAKE_JOBS; i++) {
		job[i] = job_new(test, 0);
		KUNIT_ASSERT_EQ(test, chip_hw_submit(&d->hw, job[i]), 0);
	}
	job[i] = job_new(test, 0);
	KUNIT_EXPECT_EQ(test, chip_hw_submit(&d->hw, job[i]), -EBUSY);
	KUNIT_EXPECT_TRUE(test, list_empty(&job[i]->node));
	for (i = FAKE_JOBS - 1; i >= 0; i--)
		fake_complete(d, i, CHIP_STATUS_OK);
	KUNIT_EXPECT_EQ(test, d->ndone, FAKE_JOBS);
	KUNIT_EXPECT_TRUE(test, list_empty(&d->hw.inflight));
	chip_hw_fini(&d->hw);
}

static struct kunit_case chip_hw_test_cases[] = {
	KUNIT_CASE(chip_hw_out_of_order),
	KUNIT_CASE(chip_hw_never_completes),
	KUNIT_CASE(chip_hw_refused),
	{}
};

static struct kunit_suite chip_hw_test_suite = {
	.name = "chip_hw",
	.test_cases = chip_hw_test_cases,
};
kunit_test_suite(chip_hw_test_suite);
