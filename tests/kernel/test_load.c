// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_load: the driver under load (run in the QEMU guest).  8 processes
 * each run 10 000 runs of the vector example (CHIP_LOAD_PROCS,
 * CHIP_LOAD_RUNS) on a file of their own, at the same time: the even ones
 * over io_uring (libchip's default), the odd ones over the RUN/WAIT
 * ioctls ($CHIP_NO_URING at open).  (One file per process: each file's
 * first run takes a heap of device memory, 16 MiB by default, and 16 of
 * them would fill the default 256 MiB device.)  Each run is, at random (seeded, CHIP_LOAD_SEED): a synchronous
 * chip_run(), a chip_submit() or a chip_submit_batch(), with up to 32
 * runs in flight per file, reaped in batches.  Every run reads one of 8
 * input pairs and stores its result to a host buffer of its own; every
 * completion must arrive exactly once, with CHIP_STATUS_OK and every
 * element equal to the CPU reference of its inputs.  At the end each
 * file's COUNTERS show exactly its runs, and the device holds no run.
 * On a simulated platform the same runs exercise libchip alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "helpers.h"
#include "chiptest.h"
#include "drm/chip_accel.h"

#define NIN	8	/* input pairs per file */
#define SLOTS	32	/* runs in flight per file */
#define NF	64	/* floats per tensor */

static int procs = 8;
static long runs = 10000;
static uint64_t seed;

struct slot {
	int busy;
	uint64_t seq;
	int in;
	float out[NF];
};

struct lfile {
	struct chip_dev *dev;
	const char *name;
	uint64_t a[NIN], b[NIN], f[SLOTS];
	float ref[NIN];
	struct slot s[SLOTS];
	int inflight;
	long submitted, completed;
	struct chip_counters c0;
};

static uint64_t rs;

static uint32_t rn(uint32_t n)
{
	return (uint32_t)(t_xorshift64(&rs) % n);
}

static int fill(struct chip_dev *dev, uint64_t addr, float v)
{
	float buf[NF];
	int i;

	for (i = 0; i < NF; i++)
		buf[i] = v;
	return chip_copy_to(dev, addr, buf, sizeof(buf));
}

/* Open one file (@nouring: the ioctl path) with its inputs. */
static int lf_open(struct lfile *l, int p, int nouring)
{
	int i, ret;

	memset(l, 0, sizeof(*l));
	l->name = nouring ? "ioctl" : "io_uring";
	if (nouring)
		setenv("CHIP_NO_URING", "1", 1);
	ret = ct_open(&l->dev, NULL);
	unsetenv("CHIP_NO_URING");
	if (ret)
		return ret;
	ret = ct_register(l->dev, 1, CT_VECTOR,
			  CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER);
	for (i = 0; !ret && i < NIN; i++) {
		float a = (float)p + 0.5f * (float)i, b = (float)(nouring * 3 + 1);

		l->ref[i] = ct_vector_ref(a, b);
		ret = chip_malloc(l->dev, sizeof(float) * NF, &l->a[i]);
		if (!ret)
			ret = chip_malloc(l->dev, sizeof(float) * NF, &l->b[i]);
		if (!ret)
			ret = fill(l->dev, l->a[i], a);
		if (!ret)
			ret = fill(l->dev, l->b[i], b);
	}
	for (i = 0; !ret && i < SLOTS; i++)
		ret = chip_malloc(l->dev, sizeof(float) * NF, &l->f[i]);
	if (!ret)
		ret = chip_counters(l->dev, &l->c0);
	return ret;
}

static int free_slot(struct lfile *l)
{
	int i;

	for (i = 0; i < SLOTS; i++)
		if (!l->s[i].busy)
			return i;
	return -1;
}

/* The request of a run on slot @s: input pair @in, its own output. */
static void prepare(struct lfile *l, int s, int in, struct chip_args *args,
		    struct chip_run_opts *o, struct chip_store *st)
{
	int i;

	for (i = 0; i < NF; i++)
		l->s[s].out[i] = -7.0f;
	l->s[s].in = in;
	chip_args_init(args);
	ct_add_f32(args, l->a[in], NF);
	ct_add_f32(args, l->b[in], NF);
	ct_add_f32(args, l->f[s], NF);
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	st->dev_addr = l->f[s];
	st->host = l->s[s].out;
	st->size = sizeof(l->s[s].out);
	o->stores = st;
	o->nstores = 1;
}

/* Check one completion: a run of ours, not seen before, right result. */
static int complete(struct lfile *l, const struct chip_run_result *r, int p)
{
	int i;

	for (i = 0; i < SLOTS; i++)
		if (l->s[i].busy && l->s[i].seq == r->seq)
			break;
	if (i == SLOTS) {
		fprintf(stderr, "proc %d %s: completion of seq %llu: not in flight\n",
			p, l->name, (unsigned long long)r->seq);
		return 1;
	}
	if (r->status != CHIP_STATUS_OK ||
	    ct_mismatches(l->s[i].out, NF, l->ref[l->s[i].in])) {
		fprintf(stderr, "proc %d %s: seq %llu: status %u (%s), %u of %d elements wrong (%g, want %g)\n",
			p, l->name, (unsigned long long)r->seq, r->status,
			r->msg, ct_mismatches(l->s[i].out, NF, l->ref[l->s[i].in]),
			NF, (double)l->s[i].out[0], (double)l->ref[l->s[i].in]);
		return 1;
	}
	l->s[i].busy = 0;
	l->inflight--;
	l->completed++;
	return 0;
}

static int reap(struct lfile *l, int min, int p)
{
	struct chip_run_result res[SLOTS];
	int n, i;

	n = chip_reap(l->dev, res, SLOTS, min,
		      chip_now_ns() + 30000000000ull);
	if (n < 0 || n < min) {
		fprintf(stderr, "proc %d %s: chip_reap(min %d): %d, %d in flight\n",
			p, l->name, min, n, l->inflight);
		return 1;
	}
	for (i = 0; i < n; i++)
		if (complete(l, &res[i], p))
			return 1;
	return 0;
}

static int submit_one(struct lfile *l, int p)
{
	struct chip_run_opts o;
	struct chip_store st;
	struct chip_args args;
	int s = free_slot(l), ret;

	prepare(l, s, (int)rn(NIN), &args, &o, &st);
	ret = chip_submit(l->dev, 1, &args, &o, &l->s[s].seq);
	if (ret) {
		fprintf(stderr, "proc %d %s: chip_submit: %d\n", p, l->name, ret);
		return 1;
	}
	l->s[s].busy = 1;
	l->inflight++;
	l->submitted++;
	return 0;
}

static int submit_batch(struct lfile *l, int n, int p)
{
	struct chip_batch_run b[SLOTS];
	struct chip_run_opts o[SLOTS];
	struct chip_store st[SLOTS];
	struct chip_args args[SLOTS];
	int k, s[SLOTS], ret;

	for (k = 0; k < n; k++) {
		s[k] = free_slot(l);
		prepare(l, s[k], (int)rn(NIN), &args[k], &o[k], &st[k]);
		l->s[s[k]].busy = 1;	/* reserved */
		b[k].cid = 1;
		b[k].args = &args[k];
		b[k].opts = &o[k];
	}
	ret = chip_submit_batch(l->dev, b, n);
	if (ret != n) {
		fprintf(stderr, "proc %d %s: chip_submit_batch(%d): %d\n", p,
			l->name, n, ret);
		return 1;
	}
	for (k = 0; k < n; k++) {
		if (b[k].ret) {
			fprintf(stderr, "proc %d %s: batch run %d: %d\n", p,
				l->name, k, b[k].ret);
			return 1;
		}
		l->s[s[k]].seq = b[k].seq;
	}
	l->inflight += n;
	l->submitted += n;
	return 0;
}

static int run_sync(struct lfile *l, int p)
{
	struct chip_run_result r;
	struct chip_run_opts o;
	struct chip_store st;
	struct chip_args args;
	int s = free_slot(l), ret;

	prepare(l, s, (int)rn(NIN), &args, &o, &st);
	ret = chip_run(l->dev, 1, &args, &o, &r);
	if (ret) {
		fprintf(stderr, "proc %d %s: chip_run: %d\n", p, l->name, ret);
		return 1;
	}
	l->s[s].busy = 1;
	l->s[s].seq = r.seq;
	l->inflight++;
	l->submitted++;
	return complete(l, &r, p);
}

/* One process: @runs runs over its two files; 0 or 1. */
static int proc_main(int p)
{
	struct lfile lf[1];
	struct chip_counters c;
	struct chip_run_result r;
	long done = 0;
	int i, ret;

	rs = seed ^ (0x9e3779b97f4a7c15ull * (uint64_t)(p + 1));
	if (!rs)
		rs = 1;
	ret = lf_open(&lf[0], p, p & 1);
	if (ret) {
		fprintf(stderr, "proc %d: open: %d\n", p, ret);
		return 1;
	}
	while (done < runs) {
		struct lfile *l = &lf[0];
		uint32_t what = rn(16);
		int room = SLOTS - l->inflight;

		if (what < 2 && room) {
			if (run_sync(l, p))
				return 1;
			done++;
		} else if (what < 4 && room >= 2) {
			int n = 2 + (int)rn((uint32_t)(room < 16 ? room - 1 : 15));

			if (n > runs - done)
				n = (int)(runs - done);
			if (submit_batch(l, n, p))
				return 1;
			done += n;
		} else if (what < 12 && room) {
			if (submit_one(l, p))
				return 1;
			done++;
		} else if (l->inflight) {
			if (reap(l, room ? 1 : (int)(1 + rn(4)), p))
				return 1;
		}
	}
	for (i = 0; i < 1; i++) {
		struct lfile *l = &lf[i];

		while (l->inflight)
			if (reap(l, 1, p))
				return 1;
		/* nothing more to reap, and a consumed seq is gone */
		if (chip_reap(l->dev, &r, 1, 0, 1) != 0 ||
		    chip_wait(l->dev, l->s[0].seq ? l->s[0].seq : 1, 1, &r) != -ENOENT) {
			fprintf(stderr, "proc %d %s: a completion after the last\n",
				p, l->name);
			return 1;
		}
		if (l->submitted != l->completed || chip_counters(l->dev, &c) ||
		    c.runs[CHIP_STATUS_OK] - l->c0.runs[CHIP_STATUS_OK] !=
		    (uint64_t)l->completed) {
			fprintf(stderr, "proc %d %s: %ld submitted, %ld completed, counters %llu\n",
				p, l->name, l->submitted, l->completed,
				(unsigned long long)(c.runs[CHIP_STATUS_OK] -
						     l->c0.runs[CHIP_STATUS_OK]));
			return 1;
		}
		printf("# proc %d %s: %ld runs\n", p, l->name, l->completed);
	}
	chip_close(lf[0].dev);
	return 0;
}

/* Open the node (root: the device-wide counters); -1 on a simulator. */
static int open_node(void)
{
	int fd;

	if (ct_is_sim())
		return -1;
	fd = open("/dev/accel/accel0", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fd = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);
	return fd;
}

static int test_load(void)
{
	struct drm_chip_counters c, c0;
	pid_t pid[64];
	int p, status, bad = 0, fd;
	uint64_t t0 = chip_now_ns();

	fd = open_node();
	memset(&c0, 0, sizeof(c0));
	if (fd >= 0)
		CHECK_EQ(ioctl(fd, DRM_IOCTL_CHIP_COUNTERS, &c0), 0);
	fflush(stdout);
	for (p = 0; p < procs; p++) {
		pid[p] = fork();
		CHECK(pid[p] >= 0);
		if (pid[p] == 0)
			_exit(proc_main(p));
	}
	for (p = 0; p < procs; p++) {
		CHECK_EQ(waitpid(pid[p], &status, 0), pid[p]);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "proc %d failed (status 0x%x)\n", p, status);
			bad++;
		}
	}
	printf("# %d processes x %ld runs in %.1f s\n", procs, runs,
	       (double)(chip_now_ns() - t0) / 1e9);
	CHECK_EQ(bad, 0);
	if (ct_is_sim())
		return 0;
	/* the device holds no run and no file of ours */
	CHECK(fd >= 0);
	memset(&c, 0, sizeof(c));
	CHECK_EQ(ioctl(fd, DRM_IOCTL_CHIP_COUNTERS, &c), 0);
	CHECK_U64(c.dev_runs, 0);
	CHECK_U64(c.dev_files, c0.dev_files);
	CHECK_U64(c.dev_bos, c0.dev_bos);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *s;

	ct_init(argc, argv);
	s = getenv("CHIP_LOAD_PROCS");
	if (s && *s)
		procs = atoi(s);
	if (procs < 1 || procs > 64)
		procs = 8;
	s = getenv("CHIP_LOAD_RUNS");
	if (s && *s)
		runs = atol(s);
	s = getenv("CHIP_LOAD_SEED");
	seed = s && *s ? strtoull(s, NULL, 0) :
			 (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid();
	printf("# test_load: %d processes x %ld runs, seed 0x%llx (CHIP_LOAD_SEED)\n",
	       procs, runs, (unsigned long long)seed);
	T_RUN(test_load);
	return T_DONE();
}
