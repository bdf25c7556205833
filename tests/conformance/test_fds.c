// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Conformance: fences and shared buffers on both backends.  A run's fd
 * (chip_run_fd()) becomes readable only once the run completed and does
 * not consume its completion; a run with another run's fd as in-fence
 * reads what that run wrote, also across device handles and processes
 * (fds passed over a unix socket); a buffer exported by one process is
 * written by its run and read by another process's run, also after the
 * exporter freed it and closed its handle; refusals with their errnos;
 * several threads submitting with in-fences at once.
 *
 * Runs are held back by a gate, a fence the test signals itself: an
 * eventfd on the simulated backend, a sw_sync fence on a kernel with
 * debugfs.  "Not yet complete" is then a fact, not a race.  On a kernel
 * backend whose driver lacks DRM_CHIP_FEATURE_FENCES or _IMPORT, the
 * cases that need them skip with the reason printed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "helpers.h"
#include "chiptest.h"

#define N 1024
#define BYTES (N * 4)

/* ---- a gate: a fence the test signals ---------------------------------- */

struct sw_sync_create_fence_data {
	uint32_t value;
	char name[32];
	int32_t fence;
};

#define SW_SYNC_IOC_CREATE_FENCE \
	_IOWR('W', 0, struct sw_sync_create_fence_data)
#define SW_SYNC_IOC_INC _IOW('W', 1, uint32_t)

struct gate {
	int fence;	/* the fence runs wait for */
	int ctl;	/* what signals it (the eventfd or the timeline) */
};

static int gate_make(struct gate *g)
{
	struct sw_sync_create_fence_data d = { .value = 1, .name = "gate" };

	if (ct_is_sim()) {
		g->fence = eventfd(0, EFD_CLOEXEC);
		g->ctl = -1;
		return g->fence < 0 ? -errno : 0;
	}
	g->ctl = open("/sys/kernel/debug/sync/sw_sync", O_RDWR | O_CLOEXEC);
	if (g->ctl < 0)
		return -errno;
	if (ioctl(g->ctl, SW_SYNC_IOC_CREATE_FENCE, &d)) {
		close(g->ctl);
		return -errno;
	}
	g->fence = d.fence;
	return 0;
}

static int gate_open(struct gate *g)
{
	uint64_t one = 1;
	uint32_t inc = 1;

	if (g->ctl < 0)
		return write(g->fence, &one, sizeof(one)) == sizeof(one) ?
		       0 : -errno;
	return ioctl(g->ctl, SW_SYNC_IOC_INC, &inc) ? -errno : 0;
}

static void gate_free(struct gate *g)
{
	close(g->fence);
	if (g->ctl >= 0)
		close(g->ctl);
}

/* ---- helpers ------------------------------------------------------------- */

static int readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static int wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 60000) == 1 && (p.revents & POLLIN);
}

/*
 * May this device use fences (@fences) and shared buffers (@import)?
 * T_SKIP with the reason printed when its driver lacks them (kernel
 * backend), after checking that the calls say -EOPNOTSUPP.
 */
static int need(struct chip_dev *dev, int fences, int import)
{
	struct chip_run_opts o = {
		.sz = sizeof(o), .flags = CHIP_RUN_FENCE,
	};
	struct chip_run_result res;
	struct chip_args args;
	uint64_t seq, addr, sz;
	int rc, fd;

	if (fences) {
		CHECK_EQ(ct_register(dev, 60, CT_NULL, ct_runtimes[0]), 0);
		chip_args_init(&args);
		rc = chip_submit(dev, 60, &args, &o, &seq);
		CHECK_EQ(chip_unregister(dev, 60), 0);
		if (rc == -EOPNOTSUPP) {
			CHECK(!ct_is_sim());
			CHECK_EQ(chip_run_fd(dev, 1, &fd), -EOPNOTSUPP);
			printf("# skip: %s: the driver has no "
			       "DRM_CHIP_FEATURE_FENCES\n", ct_platform());
			return T_SKIP;
		}
		CHECK_EQ(rc, 0);
		CHECK_EQ(chip_wait(dev, seq, 0, &res), 0);
	}
	if (!import)
		return 0;
	CHECK_EQ(chip_malloc(dev, 4096, &addr), 0);
	rc = chip_export(dev, addr, &fd);
	CHECK_EQ(chip_free(dev, addr), 0);
	if (rc == -EOPNOTSUPP) {
		CHECK(!ct_is_sim());
		CHECK_EQ(chip_import(dev, 0, &addr, &sz), -EOPNOTSUPP);
		printf("# skip: %s: the driver has no DRM_CHIP_FEATURE_IMPORT\n",
		       ct_platform());
		return T_SKIP;
	}
	CHECK_EQ(rc, 0);
	close(fd);
	return 0;
}

#define NEED(dev, fences, import) do {					\
	int _n = need(dev, fences, import);				\
	if (_n) {							\
		chip_close(dev);					\
		return _n;						\
	}								\
} while (0)

/* Skip the case (closing @dev) where the system has no gate fence. */
#define NEED_GATE(dev, g) do {						\
	if (gate_make(g)) {						\
		printf("# skip: no gate fence (sw_sync) on this system\n"); \
		chip_close(dev);					\
		return T_SKIP;						\
	}								\
} while (0)

static float host[N];

/* A device buffer of N floats, each @v. */
static int buf(struct chip_dev *dev, float v, uint64_t *addr)
{
	int i;

	for (i = 0; i < N; i++)
		host[i] = v;
	CHECK_EQ(chip_malloc(dev, BYTES, addr), 0);
	CHECK_EQ(chip_copy_to(dev, *addr, host, BYTES), 0);
	return 0;
}

/* Is every float of @addr @v? */
static int all(struct chip_dev *dev, uint64_t addr, float v)
{
	float *p = malloc(BYTES);
	uint32_t bad;

	CHECK(p);
	CHECK_EQ(chip_copy_from(dev, p, addr, BYTES), 0);
	bad = ct_mismatches(p, N, v);
	free(p);
	CHECK_EQ(bad, 0);
	return 0;
}

/*
 * Queue the vector example f = g(a + b) on @cid, waiting for @fences,
 * with CHIP_RUN_FENCE.
 */
static int vec(struct chip_dev *dev, int32_t cid, uint64_t a, uint64_t b,
	       uint64_t f, const int *fences, uint32_t nfences, uint64_t *seq)
{
	struct chip_run_opts o = {
		.sz = sizeof(o), .in_fence_fds = fences,
		.nin_fences = nfences, .flags = CHIP_RUN_FENCE,
	};
	struct chip_args args;

	chip_args_init(&args);
	ct_add_f32(&args, a, N);
	ct_add_f32(&args, b, N);
	ct_add_f32(&args, f, N);
	return chip_submit(dev, cid, &args, &o, seq);
}

/*
 * Queue a run of @cid with CHIP_RUN_FENCE, waiting for @fences: @scalar
 * its one argument (0: none), with @insn_budget and @timeout_ns.  CT_OOB at
 * 0x40 faults (CHIP_STATUS_FAULT), CT_SPIN ends by its instruction
 * budget (CHIP_STATUS_TIMEOUT) or spins until its watchdog or a cancel.
 */
static int solo(struct chip_dev *dev, int32_t cid, uint64_t scalar,
		uint64_t insn_budget, uint64_t timeout_ns, const int *fences,
		uint32_t nfences, uint64_t *seq)
{
	struct chip_run_opts o = {
		.sz = sizeof(o), .insn_budget = insn_budget,
		.timeout_ns = timeout_ns, .in_fence_fds = fences,
		.nin_fences = nfences, .flags = CHIP_RUN_FENCE,
	};
	struct chip_args args;

	chip_args_init(&args);
	if (scalar)
		CHECK_EQ(chip_args_add_scalar(&args, scalar), 0);
	return chip_submit(dev, cid, &args, &o, seq);
}

/*
 * @res is a run cancelled, without executing, because an in-fence
 * signalled with error @err: the driver's status and message, which the
 * simulated backend mirrors.
 */
static int dep_failed(const struct chip_run_result *res, int err)
{
	char want[sizeof(res->msg)];

	CHECK_EQ(res->status, CHIP_STATUS_CANCELLED);
	snprintf(want, sizeof(want), "an in-fence failed (%d)", err);
	if (strcmp(res->msg, want)) {
		fprintf(stderr, "message \"%s\", want \"%s\"\n", res->msg,
			want);
		return 1;
	}
	CHECK_U64(res->tasks, 0);
	CHECK_U64(res->device_ns, 0);
	return 0;
}

/* ---- cases --------------------------------------------------------------- */

/*
 * A run's fd is not readable while the run is held back, becomes
 * readable when it completed, and stays so; reading it consumes
 * nothing: chip_wait() still takes the result, exactly once.
 */
static int test_run_fd(void)
{
	struct chip_run_result res;
	struct chip_dev *dev;
	uint64_t a, b, f, seq, seq2;
	struct gate g;
	int fd, fd2;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	NEED(dev, 1, 0);
	NEED_GATE(dev, &g);
	CHECK_EQ(ct_register(dev, 1, CT_VECTOR, ct_runtimes[0]), 0);
	CHECK_EQ(buf(dev, 2.0f, &a), 0);
	CHECK_EQ(buf(dev, 3.0f, &b), 0);
	CHECK_EQ(buf(dev, 0.0f, &f), 0);
	CHECK_EQ(vec(dev, 1, a, b, f, &g.fence, 1, &seq), 0);
	CHECK_EQ(chip_run_fd(dev, seq, &fd), 0);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CHECK(!readable(fd));
	CHECK_EQ(chip_wait(dev, seq, chip_now_ns() + 1000000, &res),
		 -ETIMEDOUT);
	CHECK(!readable(fd));
	CHECK_EQ(gate_open(&g), 0);
	CHECK(wait_readable(fd));
	/* A second fd of a complete run is readable at once. */
	CHECK_EQ(chip_run_fd(dev, seq, &fd2), 0);
	CHECK(readable(fd2));
	close(fd2);
	/* The result is still there for chip_wait(), once. */
	CHECK_EQ(chip_wait(dev, seq, 0, &res), 0);
	CHECK_EQ(res.status, CHIP_STATUS_OK);
	CHECK_EQ(all(dev, f, ct_vector_ref(2.0f, 3.0f)), 0);
	CHECK_EQ(chip_wait(dev, seq, 0, &res), -ENOENT);
	CHECK(readable(fd));
	/* Consumed: no fd any more; the one handed out stays readable. */
	CHECK_EQ(chip_run_fd(dev, seq, &fd2), -ENOENT);

	/* chip_reap() takes it just as well. */
	CHECK_EQ(vec(dev, 1, a, b, f, NULL, 0, &seq2), 0);
	CHECK_EQ(chip_run_fd(dev, seq2, &fd2), 0);
	CHECK(wait_readable(fd2));
	CHECK_EQ(chip_reap(dev, &res, 1, 1, 0), 1);
	CHECK_EQ(res.seq, seq2);
	CHECK_EQ(chip_run_fd(dev, seq2, &fd), -ENOENT);
	close(fd2);

	/* Refusals. */
	CHECK_EQ(chip_run_fd(dev, 0, &fd2), -EINVAL);
	CHECK_EQ(chip_run_fd(dev, seq, NULL), -EINVAL);
	CHECK_EQ(chip_run_fd(dev, seq + 1000, &fd2), -ENOENT);
	{
		struct chip_args args;

		chip_args_init(&args);
		ct_add_f32(&args, a, N);
		ct_add_f32(&args, b, N);
		ct_add_f32(&args, f, N);
		/* Without CHIP_RUN_FENCE. */
		CHECK_EQ(chip_submit(dev, 1, &args, NULL, &seq2), 0);
		CHECK_EQ(chip_run_fd(dev, seq2, &fd2), -ENOENT);
		CHECK_EQ(chip_wait(dev, seq2, 0, &res), 0);
	}
	gate_free(&g);
	chip_close(dev);
	/* It outlives the device handle. */
	CHECK(readable(fd));
	close(fd);
	CHECK_EQ(chip_run_fd(dev, seq, &fd2), -EBADF);
	return 0;
}

/*
 * Run B waits for run A's fd: it reads what A wrote (A writes 47.0
 * into X; B computes g(X + 0) from it).  Without the wait it would read
 * X's initial 1.0.  Once on one handle, once across two handles sharing
 * X by export/import.
 */
static int test_in_fence_order(void)
{
	const float want = ct_vector_ref(ct_vector_ref(2.0f, 3.0f), 0.0f);
	struct chip_dev *dev, *dev2;
	struct chip_run_result res;
	uint64_t a, b, x, z, y, x2, z2, y2, sz, sa, sb;
	struct gate g;
	int fa, fb, fx, two;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	NEED(dev, 1, 0);
	NEED_GATE(dev, &g);
	CHECK_EQ(ct_register(dev, 1, CT_VECTOR, ct_runtimes[0]), 0);
	CHECK_EQ(ct_register(dev, 2, CT_VECTOR, ct_runtimes[1]), 0);
	CHECK_EQ(buf(dev, 2.0f, &a), 0);
	CHECK_EQ(buf(dev, 3.0f, &b), 0);
	CHECK_EQ(buf(dev, 1.0f, &x), 0);
	CHECK_EQ(buf(dev, 0.0f, &z), 0);
	CHECK_EQ(buf(dev, 0.0f, &y), 0);

	CHECK_EQ(vec(dev, 1, a, b, x, &g.fence, 1, &sa), 0);
	CHECK_EQ(chip_run_fd(dev, sa, &fa), 0);
	CHECK_EQ(vec(dev, 2, x, z, y, &fa, 1, &sb), 0);
	close(fa);		/* read at submission */
	CHECK_EQ(chip_run_fd(dev, sb, &fb), 0);
	CHECK(!readable(fb));
	CHECK_EQ(gate_open(&g), 0);
	CHECK_EQ(chip_wait(dev, sb, 0, &res), 0);
	CHECK_EQ(res.status, CHIP_STATUS_OK);
	CHECK(readable(fb));
	close(fb);
	CHECK_EQ(chip_wait(dev, sa, 0, &res), 0);
	CHECK_EQ(all(dev, y, want), 0);
	gate_free(&g);

	/* Across handles: B on dev2 reads X through an import. */
	two = need(dev, 0, 1) == 0;
	if (two) {
		CHECK_EQ(ct_open(&dev2, NULL), 0);
		CHECK_EQ(ct_register(dev2, 3, CT_VECTOR, ct_runtimes[0]), 0);
		CHECK_EQ(gate_make(&g), 0);
		CHECK_EQ(buf(dev, 1.0f, &x), 0);
		CHECK_EQ(chip_export(dev, x, &fx), 0);
		CHECK_EQ(chip_import(dev2, fx, &x2, &sz), 0);
		close(fx);
		CHECK_EQ(sz, BYTES);
		CHECK_EQ(buf(dev2, 0.0f, &z2), 0);
		CHECK_EQ(buf(dev2, 0.0f, &y2), 0);
		CHECK_EQ(vec(dev, 1, a, b, x, &g.fence, 1, &sa), 0);
		CHECK_EQ(chip_run_fd(dev, sa, &fa), 0);
		CHECK_EQ(vec(dev2, 3, x2, z2, y2, &fa, 1, &sb), 0);
		close(fa);
		CHECK_EQ(chip_run_fd(dev2, sb, &fb), 0);
		CHECK(!readable(fb));
		CHECK_EQ(gate_open(&g), 0);
		CHECK_EQ(chip_wait(dev2, sb, 0, &res), 0);
		CHECK_EQ(res.status, CHIP_STATUS_OK);
		CHECK(readable(fb));
		close(fb);
		CHECK_EQ(all(dev2, y2, want), 0);
		CHECK_EQ(chip_wait(dev, sa, 0, &res), 0);
		gate_free(&g);
		chip_close(dev2);
	}
	chip_close(dev);
	return 0;
}

/*
 * chip_submit_batch() takes the same options: A (held back by the gate)
 * and B (after A in the handle's order) of one batch both have fds; B
 * reads what A wrote.
 */
static int test_batch(void)
{
	const float want = ct_vector_ref(ct_vector_ref(2.0f, 3.0f), 0.0f);
	struct chip_run_opts oa = { .sz = sizeof(oa), .nin_fences = 1,
				    .flags = CHIP_RUN_FENCE };
	struct chip_run_opts ob = { .sz = sizeof(ob),
				    .flags = CHIP_RUN_FENCE };
	struct chip_batch_run br[2];
	struct chip_args args[2];
	struct chip_run_result res;
	struct chip_dev *dev;
	uint64_t a, b, x, z, y;
	struct gate g;
	int fa, fb;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	NEED(dev, 1, 0);
	NEED_GATE(dev, &g);
	oa.in_fence_fds = &g.fence;
	CHECK_EQ(ct_register(dev, 1, CT_VECTOR, ct_runtimes[0]), 0);
	CHECK_EQ(buf(dev, 2.0f, &a), 0);
	CHECK_EQ(buf(dev, 3.0f, &b), 0);
	CHECK_EQ(buf(dev, 1.0f, &x), 0);
	CHECK_EQ(buf(dev, 0.0f, &z), 0);
	CHECK_EQ(buf(dev, 0.0f, &y), 0);
	chip_args_init(&args[0]);
	ct_add_f32(&args[0], a, N);
	ct_add_f32(&args[0], b, N);
	ct_add_f32(&args[0], x, N);
	chip_args_init(&args[1]);
	ct_add_f32(&args[1], x, N);
	ct_add_f32(&args[1], z, N);
	ct_add_f32(&args[1], y, N);
	memset(br, 0, sizeof(br));
	br[0] = (struct chip_batch_run){ .cid = 1, .args = &args[0],
					 .opts = &oa };
	br[1] = (struct chip_batch_run){ .cid = 1, .args = &args[1],
					 .opts = &ob };
	CHECK_EQ(chip_submit_batch(dev, br, 2), 2);
	CHECK_EQ(br[0].ret, 0);
	CHECK_EQ(br[1].ret, 0);
	CHECK_EQ(chip_run_fd(dev, br[0].seq, &fa), 0);
	CHECK_EQ(chip_run_fd(dev, br[1].seq, &fb), 0);
	CHECK_EQ(chip_wait(dev, br[1].seq, chip_now_ns() + 1000000, &res),
		 -ETIMEDOUT);
	CHECK(!readable(fa));
	CHECK(!readable(fb));
	CHECK_EQ(gate_open(&g), 0);
	CHECK_EQ(chip_reap(dev, &res, 1, 1, 0), 1);
	CHECK_EQ(res.seq, br[0].seq);
	CHECK(readable(fa));
	CHECK_EQ(chip_wait(dev, br[1].seq, 0, &res), 0);
	CHECK_EQ(res.status, CHIP_STATUS_OK);
	CHECK(readable(fb));
	CHECK_EQ(all(dev, y, want), 0);
	close(fa);
	close(fb);
	gate_free(&g);
	chip_close(dev);
	return 0;
}

/*
 * Without a gate (a kernel without sw_sync): handle 1 queues a long run
 * S and then A, which writes X; handle 2, sharing X, queues B with A's
 * fd as in-fence.  B must read what A wrote.  Without the wait B would
 * run as soon as its own handle lets it (the simulated backend: at
 * once; the kernel: when the device serves handle 2, before A) and read
 * X's initial 1.0.  Only the outcome is asserted, which holds however
 * long S takes.
 */
static int test_in_fence_across_files(void)
{
	const float want = ct_vector_ref(ct_vector_ref(2.0f, 3.0f), 0.0f);
	struct chip_run_opts so = { .sz = sizeof(so) };
	struct chip_dev *dev, *dev2;
	struct chip_run_result res;
	uint64_t a, b, x, x2, z2, y2, ss, sa, sb, sz;
	struct chip_args sargs;
	int fa, fx;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	NEED(dev, 1, 1);
	CHECK_EQ(ct_open(&dev2, NULL), 0);
	CHECK_EQ(ct_register(dev, 1, CT_VECTOR, ct_runtimes[0]), 0);
	CHECK_EQ(ct_register(dev, 2, CT_MANY, ct_runtimes[0]), 0);
	CHECK_EQ(ct_register(dev2, 3, CT_VECTOR, ct_runtimes[0]), 0);
	CHECK_EQ(buf(dev, 2.0f, &a), 0);
	CHECK_EQ(buf(dev, 3.0f, &b), 0);
	CHECK_EQ(buf(dev, 1.0f, &x), 0);
	CHECK_EQ(chip_export(dev, x, &fx), 0);
	CHECK_EQ(chip_import(dev2, fx, &x2, &sz), 0);
	close(fx);
	CHECK_EQ(buf(dev2, 0.0f, &z2), 0);
	CHECK_EQ(buf(dev2, 0.0f, &y2), 0);

	chip_args_init(&sargs);
	CHECK_EQ(chip_args_add_scalar(&sargs, 20000), 0);
	CHECK_EQ(chip_submit(dev, 2, &sargs, &so, &ss), 0);
	CHECK_EQ(vec(dev, 1, a, b, x, NULL, 0, &sa), 0);
	CHECK_EQ(chip_run_fd(dev, sa, &fa), 0);
	CHECK_EQ(vec(dev2, 3, x2, z2, y2, &fa, 1, &sb), 0);
	close(fa);
	CHECK_EQ(chip_wait(dev2, sb, 0, &res), 0);
	CHECK_EQ(res.status, CHIP_STATUS_OK);
	CHECK_EQ(all(dev2, y2, want), 0);
	CHECK_EQ(chip_wait(dev, ss, 0, &res), 0);
	CHECK_EQ(res.status, CHIP_STATUS_OK);
	printf("# S: %llu tasks, %llu us on the device\n",
	       (unsigned long long)res.tasks,
	       (unsigned long long)(res.device_ns / 1000));
	CHECK_EQ(chip_wait(dev, sa, 0, &res), 0);
	chip_close(dev2);
	chip_close(dev);
	return 0;
}

/*
 * A run behind a run that failed does not execute.  A faults (CT_OOB)
 * or exhausts its instruction budget (CT_SPIN); B, with A's fd as
 * in-fence, would write Y.  B completes CHIP_STATUS_CANCELLED with the
 * driver's message naming A's fence error (-EIO, -ETIMEDOUT), Y keeps
 * its bytes, and B's own fd carries -ECANCELED on: C behind B is
 * cancelled in turn.  The same for D on another handle, for chip_run()
 * with an fd of A taken after A completed beside the fd of a run that
 * succeeded, and, where there is a gate, with A held back by it so that
 * B, C and D are queued while A's fence is pending.
 */
static int test_in_fence_failed(void)
{
	static const struct {
		int32_t cid;
		uint64_t scalar, budget;
		uint32_t status;
		int err;
	} bad[] = {
		{ 6, 0x40, 0, CHIP_STATUS_FAULT, -EIO },
		{ 4, 0, 100000, CHIP_STATUS_TIMEOUT, -ETIMEDOUT },
	};
	struct chip_run_opts o = { .sz = sizeof(o), .nin_fences = 2 };
	uint64_t a, y, z, a2, y2, sa, sb, sc, sd, sok;
	struct chip_run_result res;
	struct chip_dev *dev, *dev2;
	struct chip_args args;
	int fa, fb, fok, two[2];
	unsigned int i, gated;
	struct gate g;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	NEED(dev, 1, 0);
	CHECK_EQ(ct_open(&dev2, NULL), 0);
	CHECK_EQ(ct_register(dev, 1, CT_VECTOR, ct_runtimes[0]), 0);
	CHECK_EQ(ct_register(dev, 4, CT_SPIN, ct_runtimes[0]), 0);
	CHECK_EQ(ct_register(dev, 6, CT_OOB, ct_runtimes[0]), 0);
	CHECK_EQ(ct_register(dev2, 1, CT_VECTOR, ct_runtimes[0]), 0);
	CHECK_EQ(buf(dev, 2.0f, &a), 0);
	CHECK_EQ(buf(dev, -1.0f, &y), 0);
	CHECK_EQ(buf(dev, 0.0f, &z), 0);
	CHECK_EQ(buf(dev2, 2.0f, &a2), 0);
	CHECK_EQ(buf(dev2, -1.0f, &y2), 0);
	chip_args_init(&args);
	ct_add_f32(&args, a, N);
	ct_add_f32(&args, a, N);
	ct_add_f32(&args, y, N);
	for (gated = 0; gated < 2; gated++) {
		if (gated && gate_make(&g)) {
			printf("# no gate fence (sw_sync): A not held back\n");
			break;
		}
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			CHECK_EQ(solo(dev, bad[i].cid, bad[i].scalar,
				      bad[i].budget, 0, &g.fence, gated, &sa),
				 0);
			CHECK_EQ(chip_run_fd(dev, sa, &fa), 0);
			CHECK_EQ(vec(dev, 1, a, a, y, &fa, 1, &sb), 0);
			CHECK_EQ(chip_run_fd(dev, sb, &fb), 0);
			CHECK_EQ(vec(dev, 1, a, a, y, &fb, 1, &sc), 0);
			CHECK_EQ(vec(dev2, 1, a2, a2, y2, &fa, 1, &sd), 0);
			if (gated) {
				CHECK(!readable(fa));
				CHECK(!readable(fb));
				CHECK_EQ(gate_open(&g), 0);
			}
			CHECK(wait_readable(fa));
			/* A retired, not consumed: its fd carries the error. */
			close(fa);
			CHECK_EQ(chip_run_fd(dev, sa, &fa), 0);
			CHECK_EQ(vec(dev, 1, a, a, z, NULL, 0, &sok), 0);
			CHECK_EQ(chip_run_fd(dev, sok, &fok), 0);
			two[0] = fok;
			two[1] = fa;
			o.in_fence_fds = two;
			CHECK_EQ(chip_run(dev, 1, &args, &o, &res), 0);
			CHECK_EQ(dep_failed(&res, bad[i].err), 0);

			CHECK_EQ(chip_wait(dev, sa, 0, &res), 0);
			CHECK_EQ(res.status, bad[i].status);
			CHECK_EQ(chip_wait(dev, sb, 0, &res), 0);
			CHECK_EQ(dep_failed(&res, bad[i].err), 0);
			CHECK(readable(fb));
			CHECK_EQ(chip_wait(dev, sc, 0, &res), 0);
			CHECK_EQ(dep_failed(&res, -ECANCELED), 0);
			CHECK_EQ(chip_wait(dev2, sd, 0, &res), 0);
			CHECK_EQ(dep_failed(&res, bad[i].err), 0);
			CHECK_EQ(chip_wait(dev, sok, 0, &res), 0);
			CHECK_EQ(res.status, CHIP_STATUS_OK);
			CHECK_EQ(all(dev, y, -1.0f), 0);
			CHECK_EQ(all(dev2, y2, -1.0f), 0);
			CHECK_EQ(all(dev, z, ct_vector_ref(2.0f, 2.0f)), 0);
			close(fa);
			close(fb);
			close(fok);
		}
		if (gated)
			gate_free(&g);
	}
	chip_close(dev2);
	chip_close(dev);
	return 0;
}

/*
 * Cancelled runs cancel the runs behind them.  S spins on handle 1 (its
 * watchdog a minute away), R on handle 2 waits for S's fd, T on handle
 * 3 for R's.  Closing handle 2 cancels R while it waits for its
 * in-fence: R's fd becomes readable while S still spins.  Closing handle
 * 1 cancels S as it runs.  T then completes CHIP_STATUS_CANCELLED naming
 * -ECANCELED, without writing Y, and so does U behind S's fd.  (The
 * driver retires T only once the device is free of S, as it would start
 * it: hence the order of the steps.)
 */
static int test_in_fence_cancelled(void)
{
	struct chip_dev *d1, *d2, *d3;
	struct chip_run_result res;
	uint64_t a2, y2, a, y, ss, sr, st, su;
	int fs, fr;

	CHECK_EQ(ct_open(&d1, NULL), 0);
	NEED(d1, 1, 0);
	CHECK_EQ(ct_open(&d2, NULL), 0);
	CHECK_EQ(ct_open(&d3, NULL), 0);
	CHECK_EQ(ct_register(d1, 4, CT_SPIN, ct_runtimes[0]), 0);
	CHECK_EQ(ct_register(d2, 1, CT_VECTOR, ct_runtimes[0]), 0);
	CHECK_EQ(ct_register(d3, 1, CT_VECTOR, ct_runtimes[0]), 0);
	CHECK_EQ(buf(d2, 2.0f, &a2), 0);
	CHECK_EQ(buf(d2, -1.0f, &y2), 0);
	CHECK_EQ(buf(d3, 2.0f, &a), 0);
	CHECK_EQ(buf(d3, -1.0f, &y), 0);
	CHECK_EQ(solo(d1, 4, 0, 0, 60000000000ull, NULL, 0, &ss), 0);
	CHECK_EQ(chip_run_fd(d1, ss, &fs), 0);
	CHECK_EQ(vec(d2, 1, a2, a2, y2, &fs, 1, &sr), 0);
	CHECK_EQ(chip_run_fd(d2, sr, &fr), 0);
	CHECK_EQ(vec(d3, 1, a, a, y, &fr, 1, &st), 0);
	CHECK(!readable(fr));
	chip_close(d2);
	CHECK(wait_readable(fr));
	CHECK(!readable(fs));
	chip_close(d1);
	CHECK(wait_readable(fs));
	CHECK_EQ(chip_wait(d3, st, 0, &res), 0);
	CHECK_EQ(dep_failed(&res, -ECANCELED), 0);
	CHECK_EQ(vec(d3, 1, a, a, y, &fs, 1, &su), 0);
	CHECK_EQ(chip_wait(d3, su, 0, &res), 0);
	CHECK_EQ(dep_failed(&res, -ECANCELED), 0);
	CHECK_EQ(all(d3, y, -1.0f), 0);
	close(fs);
	close(fr);
	chip_close(d3);
	return 0;
}

/*
 * A kernel backend's fd (a sync_file) as the in-fence of a simulated
 * backend's run: the simulated backend takes the fence's error from the
 * sync_file, as the driver does.  Only with a kernel backend.
 */
static int test_in_fence_kernel_to_sim(void)
{
	struct chip_dev *dev, *sim;
	struct chip_run_result res;
	uint64_t a, y, sa, sg, sb;
	int fa, fg;

	if (ct_is_sim()) {
		printf("# skip: needs a kernel backend\n");
		return T_SKIP;
	}
	CHECK_EQ(ct_open(&dev, NULL), 0);
	NEED(dev, 1, 0);
	CHECK_EQ(chip_open(ct_platform_id() == CHIP_PLATFORM_A5 ? "a5sim" :
			   "a2a3sim", NULL, &sim), 0);
	CHECK_EQ(ct_register(dev, 6, CT_OOB, ct_runtimes[0]), 0);
	CHECK_EQ(ct_register(dev, 7, CT_NULL, ct_runtimes[0]), 0);
	CHECK_EQ(ct_register(sim, 1, CT_VECTOR, ct_runtimes[0]), 0);
	CHECK_EQ(buf(sim, 2.0f, &a), 0);
	CHECK_EQ(buf(sim, -1.0f, &y), 0);
	CHECK_EQ(solo(dev, 6, 0x40, 0, 0, NULL, 0, &sa), 0);
	CHECK_EQ(chip_run_fd(dev, sa, &fa), 0);
	CHECK_EQ(vec(sim, 1, a, a, y, &fa, 1, &sb), 0);
	CHECK_EQ(chip_wait(sim, sb, 0, &res), 0);
	CHECK_EQ(dep_failed(&res, -EIO), 0);
	CHECK_EQ(all(sim, y, -1.0f), 0);
	CHECK_EQ(chip_wait(dev, sa, 0, &res), 0);
	CHECK_EQ(res.status, CHIP_STATUS_FAULT);
	/* A fence without an error orders, and lets the run execute. */
	CHECK_EQ(solo(dev, 7, 0, 0, 0, NULL, 0, &sg), 0);
	CHECK_EQ(chip_run_fd(dev, sg, &fg), 0);
	CHECK_EQ(vec(sim, 1, a, a, y, &fg, 1, &sb), 0);
	CHECK_EQ(chip_wait(sim, sb, 0, &res), 0);
	CHECK_EQ(res.status, CHIP_STATUS_OK);
	CHECK_EQ(all(sim, y, ct_vector_ref(2.0f, 2.0f)), 0);
	CHECK_EQ(chip_wait(dev, sg, 0, &res), 0);
	close(fa);
	close(fg);
	chip_close(sim);
	chip_close(dev);
	return 0;
}

/* ---- two processes -------------------------------------------------------- */

static int send_fds(int sock, const int *fds, int n)
{
	char buf[CMSG_SPACE(4 * sizeof(int))];
	struct msghdr m = { 0 };
	struct cmsghdr *c;
	struct iovec iov;
	char byte = 'f';

	memset(buf, 0, sizeof(buf));
	iov.iov_base = &byte;
	iov.iov_len = 1;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = buf;
	m.msg_controllen = CMSG_SPACE((size_t)n * sizeof(int));
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, (size_t)n * sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int recv_fds(int sock, int *fds, int n)
{
	char buf[CMSG_SPACE(4 * sizeof(int))];
	struct msghdr m = { 0 };
	struct cmsghdr *c;
	struct iovec iov;
	char byte;

	iov.iov_base = &byte;
	iov.iov_len = 1;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = buf;
	m.msg_controllen = sizeof(buf);
	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN((size_t)n * sizeof(int)))
		return -1;
	memcpy(fds, CMSG_DATA(c), (size_t)n * sizeof(int));
	return 0;
}

static int say(int sock, char c)
{
	return write(sock, &c, 1) == 1 ? 0 : -1;
}

static int hear(int sock, char want)
{
	char c;

	return read(sock, &c, 1) == 1 && c == want ? 0 : -1;
}

/*
 * The importing process: its run B waits for A's fd and reads X, which
 * A (in the other process) writes; then, after the exporter freed X and
 * closed its device, X is still mapped here and a run C reads it again.
 */
static int child(int sock)
{
	const float x_want = ct_vector_ref(2.0f, 3.0f);
	struct chip_run_result res;
	struct chip_dev *dev;
	uint64_t x, z, y, sz, sb;
	int fds[2], fb;

	CHECK_EQ(recv_fds(sock, fds, 2), 0);	/* X, A's fd */
	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, 5, CT_VECTOR, ct_runtimes[0]), 0);
	CHECK_EQ(chip_import(dev, fds[0], &x, &sz), 0);
	CHECK_EQ(sz, BYTES);
	close(fds[0]);
	CHECK_EQ(buf(dev, 0.0f, &z), 0);
	CHECK_EQ(buf(dev, 0.0f, &y), 0);
	CHECK_EQ(vec(dev, 5, x, z, y, &fds[1], 1, &sb), 0);
	close(fds[1]);
	CHECK_EQ(chip_run_fd(dev, sb, &fb), 0);
	/* A is held back by the gate, B by A. */
	CHECK_EQ(chip_wait(dev, sb, chip_now_ns() + 20000000, &res),
		 -ETIMEDOUT);
	CHECK(!readable(fb));
	CHECK_EQ(say(sock, 's'), 0);	/* submitted: open the gate */
	CHECK_EQ(chip_wait(dev, sb, 0, &res), 0);
	CHECK_EQ(res.status, CHIP_STATUS_OK);
	CHECK(readable(fb));
	close(fb);
	CHECK_EQ(all(dev, y, ct_vector_ref(x_want, 0.0f)), 0);

	CHECK_EQ(say(sock, 'd'), 0);
	CHECK_EQ(hear(sock, 'c'), 0);	/* the exporter freed X and closed */
	CHECK_EQ(all(dev, x, x_want), 0);
	CHECK_EQ(buf(dev, 1.0f, &z), 0);
	CHECK_EQ(vec(dev, 5, x, z, y, NULL, 0, &sb), 0);
	CHECK_EQ(chip_wait(dev, sb, 0, &res), 0);
	CHECK_EQ(res.status, CHIP_STATUS_OK);
	CHECK_EQ(all(dev, y, ct_vector_ref(x_want, 1.0f)), 0);
	CHECK_EQ(chip_free(dev, x), 0);
	chip_close(dev);
	return 0;
}

static int test_two_processes(void)
{
	struct chip_run_result res;
	struct chip_dev *dev;
	uint64_t a, b, x, sa;
	int sv[2], fds[2], status, rc;
	struct gate g;
	pid_t pid;

	/* Probe in a process of its own: fork before any device exists. */
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		CHECK_EQ(ct_open(&dev, NULL), 0);
		rc = need(dev, 1, 1);
		chip_close(dev);
		if (!rc && gate_make(&g)) {
			printf("# skip: no gate fence (sw_sync) on this system\n");
			rc = T_SKIP;
		} else if (!rc) {
			gate_free(&g);
		}
		fflush(stdout);
		_exit(rc);
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status));
	if (WEXITSTATUS(status) == T_SKIP)
		return T_SKIP;
	CHECK_EQ(WEXITSTATUS(status), 0);

	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		close(sv[0]);
		rc = child(sv[1]);
		fflush(stdout);
		_exit(rc ? 1 : 0);
	}
	close(sv[1]);
	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(gate_make(&g), 0);
	CHECK_EQ(ct_register(dev, 1, CT_VECTOR, ct_runtimes[0]), 0);
	CHECK_EQ(buf(dev, 2.0f, &a), 0);
	CHECK_EQ(buf(dev, 3.0f, &b), 0);
	CHECK_EQ(buf(dev, 1.0f, &x), 0);
	CHECK_EQ(vec(dev, 1, a, b, x, &g.fence, 1, &sa), 0);
	CHECK_EQ(chip_export(dev, x, &fds[0]), 0);
	CHECK_EQ(chip_run_fd(dev, sa, &fds[1]), 0);
	CHECK_EQ(send_fds(sv[0], fds, 2), 0);
	close(fds[0]);
	close(fds[1]);
	CHECK_EQ(hear(sv[0], 's'), 0);
	CHECK_EQ(gate_open(&g), 0);
	CHECK_EQ(chip_wait(dev, sa, 0, &res), 0);
	CHECK_EQ(res.status, CHIP_STATUS_OK);
	CHECK_EQ(hear(sv[0], 'd'), 0);
	CHECK_EQ(chip_free(dev, x), 0);
	chip_close(dev);
	gate_free(&g);
	CHECK_EQ(say(sv[0], 'c'), 0);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	close(sv[0]);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
	return 0;
}

/*
 * Across processes: B, in a process of its own, waits for the fd of A,
 * a run of this process that faults; B is cancelled naming -EIO and
 * leaves Y alone.  On the simulated backend the outcome travels in the
 * fd's eventfd counter (Documentation/libchip.rst).
 */
static int failed_child(int sock)
{
	struct chip_run_result res;
	struct chip_dev *dev;
	uint64_t a, y, sb;
	int fa;

	if (recv_fds(sock, &fa, 1))
		return T_SKIP;		/* the parent skips */
	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, 1, CT_VECTOR, ct_runtimes[0]), 0);
	CHECK_EQ(buf(dev, 2.0f, &a), 0);
	CHECK_EQ(buf(dev, -1.0f, &y), 0);
	CHECK_EQ(vec(dev, 1, a, a, y, &fa, 1, &sb), 0);
	close(fa);
	CHECK_EQ(chip_wait(dev, sb, 0, &res), 0);
	CHECK_EQ(dep_failed(&res, -EIO), 0);
	CHECK_EQ(all(dev, y, -1.0f), 0);
	chip_close(dev);
	return 0;
}

static int test_in_fence_failed_two_processes(void)
{
	struct chip_run_result res;
	struct chip_dev *dev;
	int sv[2], status, fa, rc;
	uint64_t sa;
	pid_t pid;

	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		close(sv[0]);
		rc = failed_child(sv[1]);
		close(sv[1]);
		fflush(stdout);
		_exit(rc == T_SKIP ? T_SKIP : rc ? 1 : 0);
	}
	close(sv[1]);
	CHECK_EQ(ct_open(&dev, NULL), 0);
	rc = need(dev, 1, 0);
	if (!rc) {
		CHECK_EQ(ct_register(dev, 6, CT_OOB, ct_runtimes[0]), 0);
		CHECK_EQ(solo(dev, 6, 0x40, 0, 0, NULL, 0, &sa), 0);
		CHECK_EQ(chip_run_fd(dev, sa, &fa), 0);
		CHECK_EQ(send_fds(sv[0], &fa, 1), 0);
		close(fa);
		CHECK_EQ(chip_wait(dev, sa, 0, &res), 0);
		CHECK_EQ(res.status, CHIP_STATUS_FAULT);
	}
	close(sv[0]);
	chip_close(dev);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status));
	if (rc)
		return rc;
	CHECK_EQ(WEXITSTATUS(status), 0);
	return 0;
}

/*
 * Export/import in one process: both handles see the same bytes either
 * way; a handle's own export, or a second import, maps at the address
 * it already has; the importer's mapping outlives the exporter's free;
 * chip_free() of the import unmaps it.
 */
static int test_export_import(void)
{
	struct chip_counters c0, c1;
	struct chip_dev *dev, *dev2;
	uint64_t x, x2, x3, xs, sz;
	int fx;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	NEED(dev, 0, 1);
	CHECK_EQ(ct_open(&dev2, NULL), 0);
	CHECK_EQ(buf(dev, 5.0f, &x), 0);
	CHECK_EQ(chip_export(dev, x, &fx), 0);
	CHECK(fcntl(fx, F_GETFD) & FD_CLOEXEC);
	CHECK_EQ(all(dev, x, 5.0f), 0);		/* moved, not changed */
	CHECK_EQ(chip_counters(dev2, &c0), 0);
	CHECK_EQ(chip_import(dev2, fx, &x2, &sz), 0);
	CHECK_EQ(sz, BYTES);
	CHECK_EQ(all(dev2, x2, 5.0f), 0);
	/* gm_used counts what a handle created, not what it imported. */
	CHECK_EQ(chip_counters(dev2, &c1), 0);
	CHECK_U64(c1.gm_used, c0.gm_used);
	CHECK_EQ(chip_import(dev2, fx, &x3, NULL), 0);
	CHECK_EQ(x3, x2);
	CHECK_EQ(chip_import(dev, fx, &xs, &sz), 0);
	CHECK_EQ(xs, x);
	close(fx);
	CHECK_EQ(buf(dev2, 6.0f, &x3), 0);
	CHECK_EQ(chip_copy_from(dev2, host, x3, BYTES), 0);
	CHECK_EQ(chip_copy_to(dev2, x2, host, BYTES), 0);
	CHECK_EQ(all(dev, x, 6.0f), 0);
	CHECK_EQ(chip_free(dev, x), 0);
	CHECK_EQ(chip_free(dev, x), -ENOENT);
	CHECK_EQ(all(dev2, x2, 6.0f), 0);	/* still mapped here */
	CHECK_EQ(chip_free(dev2, x2), 0);
	CHECK_EQ(chip_copy_from(dev2, host, x2, BYTES), -EFAULT);
	chip_close(dev2);
	chip_close(dev);
	return 0;
}

/* Refusals of in-fences and of export/import, with their errnos. */
static int test_refusals(void)
{
	struct chip_run_opts o = { .sz = sizeof(o) };
	int fences[CHIP_MAX_IN_FENCES + 1];
	struct chip_run_result res;
	struct chip_args args;
	struct chip_dev *dev;
	uint64_t a, seq, addr;
	int p[2], fd, i;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, 1, CT_VECTOR, ct_runtimes[0]), 0);
	CHECK_EQ(buf(dev, 1.0f, &a), 0);
	chip_args_init(&args);
	for (i = 0; i < 3; i++)
		ct_add_f32(&args, a, N);

	/* Checked by every backend alike. */
	o.flags = 1u << 31;
	CHECK_EQ(chip_submit(dev, 1, &args, &o, &seq), -EINVAL);
	o.flags = 0;
	o.nin_fences = 1;
	CHECK_EQ(chip_submit(dev, 1, &args, &o, &seq), -EINVAL);
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	for (i = 0; i <= CHIP_MAX_IN_FENCES; i++)
		fences[i] = p[0];
	o.in_fence_fds = fences;
	o.nin_fences = CHIP_MAX_IN_FENCES + 1;
	CHECK_EQ(chip_submit(dev, 1, &args, &o, &seq), -E2BIG);
	fences[0] = -1;
	o.nin_fences = 1;
	CHECK_EQ(chip_submit(dev, 1, &args, &o, &seq), -EBADF);
	fd = dup(p[1]);
	close(fd);
	fences[0] = fd;			/* closed */
	CHECK_EQ(chip_submit(dev, 1, &args, &o, &seq), -EBADF);
	CHECK_EQ(chip_import(dev, -1, &addr, NULL), -EBADF);
	CHECK_EQ(chip_import(dev, fd, &addr, NULL), -EBADF);
	CHECK_EQ(chip_import(dev, p[0], NULL, NULL), -EINVAL);
	CHECK_EQ(chip_export(dev, a, NULL), -EINVAL);

	/* Open, but not a fence / not a buffer. */
	fences[0] = p[0];
	if (!need(dev, 1, 0)) {
		CHECK_EQ(chip_submit(dev, 1, &args, &o, &seq), -EINVAL);
		CHECK_EQ(chip_run(dev, 1, &args, &o, &res), -EINVAL);
	}
	if (!need(dev, 0, 1)) {
		CHECK_EQ(chip_import(dev, p[0], &addr, NULL), -EINVAL);
		CHECK_EQ(chip_export(dev, a + 64, &fd), -ENOENT);
		CHECK_EQ(chip_export(dev, 0x10, &fd), -ENOENT);
	}
	close(p[0]);
	close(p[1]);
	chip_close(dev);
	return 0;
}

/* ---- threads ----------------------------------------------------------- */

#define THREADS 4
#define ROUNDS 6

struct worker {
	struct chip_dev *dev;
	int id;
	int rc;
};

/* A writes g(id + 1) into X; B, waiting for A's fd, computes g(X + 0). */
static int work(struct worker *w)
{
	const float av = (float)w->id, want =
		ct_vector_ref(ct_vector_ref(av, 1.0f), 0.0f);
	struct chip_run_result res;
	uint64_t a, b, x, z, y, sa, sb;
	int r, fa, fb;
	float *p = malloc(BYTES);

	CHECK(p);
	for (r = 0; r < N; r++)
		p[r] = av;
	CHECK_EQ(chip_malloc(w->dev, BYTES, &a), 0);
	CHECK_EQ(chip_copy_to(w->dev, a, p, BYTES), 0);
	for (r = 0; r < N; r++)
		p[r] = 1.0f;
	CHECK_EQ(chip_malloc(w->dev, BYTES, &b), 0);
	CHECK_EQ(chip_copy_to(w->dev, b, p, BYTES), 0);
	CHECK_EQ(chip_malloc(w->dev, BYTES, &z), 0);
	CHECK_EQ(chip_malloc(w->dev, BYTES, &x), 0);
	CHECK_EQ(chip_malloc(w->dev, BYTES, &y), 0);
	for (r = 0; r < ROUNDS; r++) {
		CHECK_EQ(vec(w->dev, 1, a, b, x, NULL, 0, &sa), 0);
		CHECK_EQ(chip_run_fd(w->dev, sa, &fa), 0);
		CHECK_EQ(vec(w->dev, 1, x, z, y, &fa, 1, &sb), 0);
		close(fa);
		CHECK_EQ(chip_run_fd(w->dev, sb, &fb), 0);
		CHECK(wait_readable(fb));
		close(fb);
		CHECK_EQ(chip_wait(w->dev, sb, 0, &res), 0);
		CHECK_EQ(res.status, CHIP_STATUS_OK);
		CHECK_EQ(chip_wait(w->dev, sa, 0, &res), 0);
		CHECK_EQ(chip_copy_from(w->dev, p, y, BYTES), 0);
		CHECK_EQ(ct_mismatches(p, N, want), 0);
		memset(p, 0, BYTES);
		CHECK_EQ(chip_copy_to(w->dev, x, p, BYTES), 0);
	}
	free(p);
	return 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	w->rc = work(w);
	return NULL;
}

static int test_threads(void)
{
	struct worker w[THREADS];
	pthread_t t[THREADS];
	struct chip_dev *dev;
	int i;

	CHECK_EQ(ct_open(&dev, NULL), 0);
	NEED(dev, 1, 0);
	CHECK_EQ(ct_register(dev, 1, CT_VECTOR, ct_runtimes[0]), 0);
	for (i = 0; i < THREADS; i++) {
		w[i].dev = dev;
		w[i].id = i + 1;
		w[i].rc = -1;
		CHECK_EQ(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		CHECK_EQ(w[i].rc, 0);
	}
	chip_close(dev);
	return 0;
}

/* The fds open in this process. */
static int count_fds(void)
{
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

struct waiter {
	struct chip_dev *dev;
	uint64_t seq;
	struct chip_run_result res;
	int rc;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;

	w->rc = chip_wait(w->dev, w->seq, 0, &w->res);
	return NULL;
}

/*
 * chip_close() with runs held back by an in-fence that never signals
 * returns, also with a thread blocked in chip_wait() for the first one
 * (which may be executing it): both runs complete cancelled, their fds
 * become readable with -ECANCELED, so that a run of another handle
 * behind the first one's fd is cancelled in turn, and the closed handle
 * leaves no fd open.
 */
static int test_close_with_fence_pending(void)
{
	struct chip_run_result res;
	struct chip_dev *dev, *dev2;
	uint64_t a, a2, y2, seq, seq2, seq3;
	struct waiter w;
	pthread_t t;
	int fd, fd2, nfd;
	struct gate g;

	CHECK_EQ(ct_open(&dev2, NULL), 0);
	NEED(dev2, 1, 0);
	NEED_GATE(dev2, &g);
	CHECK_EQ(ct_register(dev2, 1, CT_VECTOR, ct_runtimes[0]), 0);
	CHECK_EQ(buf(dev2, 2.0f, &a2), 0);
	CHECK_EQ(buf(dev2, -1.0f, &y2), 0);
	nfd = count_fds();
	CHECK(nfd > 0);
	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, 1, CT_VECTOR, ct_runtimes[0]), 0);
	CHECK_EQ(buf(dev, 1.0f, &a), 0);
	CHECK_EQ(vec(dev, 1, a, a, a, &g.fence, 1, &seq), 0);
	CHECK_EQ(chip_run_fd(dev, seq, &fd), 0);
	CHECK_EQ(vec(dev, 1, a, a, a, NULL, 0, &seq2), 0);
	CHECK_EQ(chip_run_fd(dev, seq2, &fd2), 0);
	CHECK_EQ(vec(dev2, 1, a2, a2, y2, &fd, 1, &seq3), 0);
	CHECK_EQ(chip_wait(dev, seq, chip_now_ns() + 1000000, &res),
		 -ETIMEDOUT);
	w.dev = dev;
	w.seq = seq;
	CHECK_EQ(pthread_create(&t, NULL, waiter_main, &w), 0);
	CHECK_EQ(chip_wait(dev, seq2, chip_now_ns() + 1000000, &res),
		 -ETIMEDOUT);
	chip_close(dev);
	pthread_join(t, NULL);
	/* Blocked in the wait, or too late for it. */
	if (w.rc != -EBADF) {
		CHECK_EQ(w.rc, 0);
		CHECK_EQ(w.res.status, CHIP_STATUS_CANCELLED);
		CHECK(!strcmp(w.res.msg, "cancelled"));
	}
	CHECK(wait_readable(fd));	/* cancelled: the fds are signalled */
	CHECK(wait_readable(fd2));
	CHECK_EQ(chip_wait(dev2, seq3, 0, &res), 0);
	CHECK_EQ(dep_failed(&res, -ECANCELED), 0);
	CHECK_EQ(all(dev2, y2, -1.0f), 0);
	close(fd);
	close(fd2);
	CHECK_EQ(count_fds(), nfd);
	gate_free(&g);
	chip_close(dev2);
	return 0;
}

struct order {
	int first, later;	/* fds of a running run, of one queued after */
	int seen;		/* @first readable once @later was */
};

static void *order_main(void *arg)
{
	struct order *o = arg;

	o->seen = wait_readable(o->later) ? readable(o->first) : -1;
	return NULL;
}

/*
 * chip_close() signals the fd of a queued run it cancels only after the
 * fd of the run before it, as the driver does: whoever sees the queued
 * run's fd readable knows that the run before it has stopped (and no
 * longer writes its buffers).  S spins (its watchdog a minute away), or
 * where there is a gate waits for it, which stays shut; Q is queued
 * behind S; a thread waits for Q's fd while the handle closes.
 */
static int test_close_fence_order(void)
{
	struct chip_run_result res;
	struct chip_dev *dev;
	uint64_t a, ss, sq;
	unsigned int gated;
	struct order o;
	struct gate g;
	pthread_t t;

	for (gated = 0; gated < 2; gated++) {
		CHECK_EQ(ct_open(&dev, NULL), 0);
		NEED(dev, 1, 0);
		if (gated && gate_make(&g)) {
			printf("# no gate fence (sw_sync): S only spins\n");
			chip_close(dev);
			break;
		}
		CHECK_EQ(ct_register(dev, 1, CT_VECTOR, ct_runtimes[0]), 0);
		CHECK_EQ(ct_register(dev, 4, CT_SPIN, ct_runtimes[0]), 0);
		CHECK_EQ(ct_register(dev, 7, CT_NULL, ct_runtimes[0]), 0);
		CHECK_EQ(buf(dev, 1.0f, &a), 0);
		if (gated)
			CHECK_EQ(vec(dev, 1, a, a, a, &g.fence, 1, &ss), 0);
		else
			CHECK_EQ(solo(dev, 4, 0, 0, 60000000000ull, NULL, 0,
				      &ss), 0);
		CHECK_EQ(chip_run_fd(dev, ss, &o.first), 0);
		CHECK_EQ(solo(dev, 7, 0, 0, 0, NULL, 0, &sq), 0);
		CHECK_EQ(chip_run_fd(dev, sq, &o.later), 0);
		/* A waiter has the device start S at once. */
		CHECK_EQ(chip_wait(dev, sq, chip_now_ns() + 20000000, &res),
			 -ETIMEDOUT);
		CHECK(!readable(o.first));
		o.seen = -1;
		CHECK_EQ(pthread_create(&t, NULL, order_main, &o), 0);
		chip_close(dev);
		pthread_join(t, NULL);
		CHECK_EQ(o.seen, 1);
		close(o.first);
		close(o.later);
		if (gated)
			gate_free(&g);
	}
	return 0;
}

int main(int argc, char **argv)
{
	ct_init(argc, argv);
	T_RUN(test_run_fd);
	T_RUN(test_in_fence_order);
	T_RUN(test_batch);
	T_RUN(test_in_fence_across_files);
	T_RUN(test_two_processes);
	T_RUN(test_in_fence_failed);
	T_RUN(test_in_fence_cancelled);
	T_RUN(test_in_fence_kernel_to_sim);
	T_RUN(test_in_fence_failed_two_processes);
	T_RUN(test_export_import);
	T_RUN(test_refusals);
	T_RUN(test_threads);
	T_RUN(test_close_with_fence_pending);
	T_RUN(test_close_fence_order);
	return T_DONE();
}
