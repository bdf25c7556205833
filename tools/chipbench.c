// SPDX-License-Identifier: MIT
/*
 * chipbench: what a run and an upload cost, as ratios against floors
 * measured in the same process in the same run.
 *
 *	chipbench [platform] [-q] [-r ROUNDS [-R ROW]]
 *
 * Floors: a null system call, a mutex/condvar handoff between two threads
 * (the least a completion from another thread can cost), memcpy.
 * Measured: null-callable runs (sync, submit+reap at batch 1/32/256,
 * submit_batch+reap at batch 32/256),
 * the vector example against a plain C loop doing the same five passes,
 * 1 MiB callable uploads (dedup miss and hit) against memcpy, and the
 * bytes libchip allocates per run in steady state for small and large
 * ring/heap configurations (counted by wrapping malloc at link time).
 *
 * -r ROUNDS measures only the null runs of chip_run() and of
 * chip_submit_batch() + chip_reap() at batch 32 and 256, in ROUNDS rounds
 * that interleave the three rows, and prints each round's ratios to the
 * chip_run() row of the same round, in wall time and in the process's
 * CPU time (all threads), then their medians: on a loaded machine the
 * spread of the ratios is the figure to look at.  -R ROW
 * (sync, sb32 or sb256) runs that row alone, for a profile.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "chiptest.h"
#include "cmdline.h"

static int quick;

/* ---- allocation accounting (-Wl,--wrap=...) ------------------------------ */

static unsigned long long alloc_bytes, alloc_calls;
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
int __real_posix_memalign(void **p, size_t a, size_t n);

void *__wrap_malloc(size_t n)
{
	__atomic_add_fetch(&alloc_bytes, n, __ATOMIC_RELAXED);
	__atomic_add_fetch(&alloc_calls, 1, __ATOMIC_RELAXED);
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
	__atomic_add_fetch(&alloc_bytes, n * m, __ATOMIC_RELAXED);
	__atomic_add_fetch(&alloc_calls, 1, __ATOMIC_RELAXED);
	return __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
	__atomic_add_fetch(&alloc_bytes, n, __ATOMIC_RELAXED);
	__atomic_add_fetch(&alloc_calls, 1, __ATOMIC_RELAXED);
	return __real_realloc(p, n);
}

int __wrap_posix_memalign(void **p, size_t a, size_t n)
{
	__atomic_add_fetch(&alloc_bytes, n, __ATOMIC_RELAXED);
	__atomic_add_fetch(&alloc_calls, 1, __ATOMIC_RELAXED);
	return __real_posix_memalign(p, a, n);
}

/* ---- helpers ------------------------------------------------------------ */

static __attribute__((noreturn)) void die(const char *what, int rc)
{
	fprintf(stderr, "chipbench: %s: %s\n", what, strerror(rc < 0 ? -rc : rc));
	exit(1);
}

/* Best of @reps timings of @fn(@arg, @iters), in ns per iteration. */
static double best(double (*fn)(void *, long), void *arg, long iters, int reps)
{
	double b = 1e300, t;
	int i;

	for (i = 0; i < reps; i++) {
		t = fn(arg, iters);
		if (t < b)
			b = t;
	}
	return b;
}

/* ---- floors ------------------------------------------------------------- */

static double f_syscall(void *arg, long n)
{
	uint64_t t0 = chip_now_ns();
	long i;

	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	return (double)(chip_now_ns() - t0) / n;
}

struct pingpong {
	pthread_mutex_t m;
	pthread_cond_t c;
	long turn, n;
};

static void *pong(void *arg)
{
	struct pingpong *p = arg;
	long i;

	pthread_mutex_lock(&p->m);
	for (i = 0; i < p->n; i++) {
		while (!(p->turn & 1))
			pthread_cond_wait(&p->c, &p->m);
		p->turn++;
		pthread_cond_broadcast(&p->c);
	}
	pthread_mutex_unlock(&p->m);
	return NULL;
}

/* One request handed to another thread and its answer handed back. */
static double f_handoff(void *arg, long n)
{
	struct pingpong p = { PTHREAD_MUTEX_INITIALIZER,
			      PTHREAD_COND_INITIALIZER, 0, n };
	pthread_t t;
	uint64_t t0;
	long i;

	pthread_create(&t, NULL, pong, &p);
	t0 = chip_now_ns();
	pthread_mutex_lock(&p.m);
	for (i = 0; i < n; i++) {
		p.turn++;
		pthread_cond_broadcast(&p.c);
		while (p.turn & 1)
			pthread_cond_wait(&p.c, &p.m);
	}
	pthread_mutex_unlock(&p.m);
	t0 = chip_now_ns() - t0;
	pthread_join(t, NULL);
	return (double)t0 / n;
}

static double f_memcpy(void *arg, long n)
{
	static char src[1 << 20], dst[1 << 20];
	uint64_t t0;
	long i;

	memset(src, (int)n, sizeof(src));
	t0 = chip_now_ns();
	for (i = 0; i < n; i++) {
		memcpy(dst, src, sizeof(dst));
		__asm__ volatile("" : : "r"(dst) : "memory");
	}
	return (double)(chip_now_ns() - t0) / n;	/* ns per MiB */
}

/* ---- runs ---------------------------------------------------------------- */

struct runctx {
	struct chip_dev *dev;
	int32_t cid;
	int batch;
	struct chip_args args;
};

static double r_sync(void *arg, long n)
{
	struct runctx *r = arg;
	struct chip_run_result res;
	uint64_t t0 = chip_now_ns();
	long i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = chip_run(r->dev, r->cid, &r->args, NULL, &res);
		if (rc || res.status)
			die("chip_run", rc ? rc : EIO);
	}
	return (double)(chip_now_ns() - t0) / n;
}

/* @r on a new device with the null workload under cid 0. */
static void runctx_open(struct runctx *r)
{
	if (ct_open(&r->dev, NULL))
		die("open", ENODEV);
	chip_args_init(&r->args);
	if (ct_register(r->dev, 0, CT_NULL,
			CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER))
		die("register null", EINVAL);
}

/* Reap @b completions of @dev, every one CHIP_STATUS_OK. */
static void reap_ok(struct chip_dev *dev, int b)
{
	static struct chip_run_result res[256];
	int got, rc, i;

	for (got = 0; got < b;) {
		rc = chip_reap(dev, res, 256, b - got, 0);
		if (rc <= 0)
			die("chip_reap", rc ? rc : EIO);
		for (i = 0; i < rc; i++)
			if (res[i].status)
				die("run status", EIO);
		got += rc;
	}
}

static double r_batch(void *arg, long n)
{
	struct runctx *r = arg;
	uint64_t t0 = chip_now_ns(), seq;
	long done = 0, i;
	int b, rc;

	while (done < n) {
		b = r->batch;
		for (i = 0; i < b; i++) {
			rc = chip_submit(r->dev, r->cid, &r->args, NULL, &seq);
			if (rc)
				die("chip_submit", rc);
		}
		reap_ok(r->dev, b);
		done += b;
	}
	return (double)(chip_now_ns() - t0) / done;
}

/* The same with one chip_submit_batch() per batch. */
static double r_submit_batch(void *arg, long n)
{
	static struct chip_batch_run br[256];
	struct runctx *r = arg;
	uint64_t t0 = chip_now_ns();
	long done = 0, i;
	int b, rc;

	while (done < n) {
		b = r->batch;
		for (i = 0; i < b; i++) {
			br[i].cid = r->cid;
			br[i].args = &r->args;
			br[i].opts = NULL;
		}
		rc = chip_submit_batch(r->dev, br, b);
		if (rc != b)
			die("chip_submit_batch", rc < 0 ? rc : EIO);
		reap_ok(r->dev, b);
		done += b;
	}
	return (double)(chip_now_ns() - t0) / done;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* CPU time of the whole process (every thread), in ns. */
static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * best() of @reps timings of @fn; *@cpu receives the process's CPU time
 * per iteration over all of them (every thread's, so also the device
 * thread's), which a loaded machine distorts far less than wall time.
 */
static double best_cpu(double (*fn)(void *, long), void *arg, long iters,
		       int reps, double *cpu)
{
	double c0 = cpu_ns(), b;

	b = best(fn, arg, iters, reps);
	*cpu = (cpu_ns() - c0) / ((double)iters * reps);
	return b;
}

/* -r: @rounds rounds of the three run rows, ratios to sync per round. */
static int run_rounds(int rounds, const char *only)
{
	double *q[4], sync = 0, sb32 = 0, sb256 = 0, csync = 0, c32 = 0,
	       c256 = 0;
	struct runctx r = { 0 };
	struct chip_dev *dev;
	int i, n = 0;

	for (i = 0; i < 4; i++) {
		q[i] = calloc((size_t)rounds, sizeof(*q[i]));
		if (!q[i])
			die("calloc", ENOMEM);
	}
	runctx_open(&r);
	dev = r.dev;
	printf("round    sync ns  sb32 ns  sb256 ns   sb32/sync  sb256/sync   CPU: sb32/sync  sb256/sync\n");
	for (i = 0; i < rounds; i++) {
		if (!only || !strcmp(only, "sync"))
			sync = best_cpu(r_sync, &r, 20000, 3, &csync);
		r.batch = 32;
		if (!only || !strcmp(only, "sb32"))
			sb32 = best_cpu(r_submit_batch, &r, 32 * 625, 3, &c32);
		r.batch = 256;
		if (!only || !strcmp(only, "sb256"))
			sb256 = best_cpu(r_submit_batch, &r, 256 * 80, 3, &c256);
		if (only)
			continue;
		q[0][n] = sb32 / sync;
		q[1][n] = sb256 / sync;
		q[2][n] = c32 / csync;
		q[3][n++] = c256 / csync;
		printf("%5d  %9.1f %8.1f %9.1f   %9.2f  %10.2f        %9.2f  %10.2f\n",
		       i, sync, sb32, sb256, sb32 / sync, sb256 / sync,
		       c32 / csync, c256 / csync);
	}
	if (n) {
		for (i = 0; i < 4; i++)
			qsort(q[i], (size_t)n, sizeof(*q[i]), cmp_double);
		printf("median of %d rounds: sb32/sync %.2f (%.2f-%.2f), sb256/sync %.2f (%.2f-%.2f)\n",
		       n, q[0][n / 2], q[0][0], q[0][n - 1], q[1][n / 2],
		       q[1][0], q[1][n - 1]);
		printf("CPU time, median: sb32/sync %.2f (%.2f-%.2f), sb256/sync %.2f (%.2f-%.2f)\n",
		       q[2][n / 2], q[2][0], q[2][n - 1], q[3][n / 2],
		       q[3][0], q[3][n - 1]);
	}
	chip_close(dev);
	for (i = 0; i < 4; i++)
		free(q[i]);
	return 0;
}

/* ---- vector example ------------------------------------------------------ */

#define VN 16384

static double v_plain(void *arg, long n)
{
	static float a[VN], b[VN], c[VN], d[VN], e[VN], g[VN], f[VN];
	uint64_t t0;
	long it;
	int i;

	for (i = 0; i < VN; i++) {
		a[i] = 2.0f;
		b[i] = 3.0f;
	}
	t0 = chip_now_ns();
	for (it = 0; it < n; it++) {
		/* the same five element-wise passes the device runs */
		for (i = 0; i < VN; i++)
			c[i] = a[i] + b[i];
		for (i = 0; i < VN; i++)
			d[i] = c[i] + 1.0f;
		for (i = 0; i < VN; i++)
			e[i] = c[i] + 2.0f;
		for (i = 0; i < VN; i++)
			g[i] = d[i] * e[i];
		for (i = 0; i < VN; i++)
			f[i] = g[i] + c[i];
		__asm__ volatile("" : : "r"(f) : "memory");
	}
	if (f[VN - 1] != 47.0f)
		die("plain loop", EIO);
	return (double)(chip_now_ns() - t0) / n;
}

struct vecctx {
	struct chip_dev *dev;
	int32_t cid;
	struct chip_args args;
	uint64_t df;
};

static double v_chip(void *arg, long n)
{
	static float out[VN];
	struct vecctx *v = arg;
	struct chip_run_result res;
	uint64_t t0 = chip_now_ns();
	long i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = chip_run(v->dev, v->cid, &v->args, NULL, &res);
		if (rc || res.status)
			die("vector run", rc ? rc : EIO);
	}
	t0 = chip_now_ns() - t0;
	chip_copy_from(v->dev, out, v->df, sizeof(out));
	if (ct_mismatches(out, VN, 47.0f))
		die("vector result", EIO);
	return (double)t0 / n;
}

static void vec_setup(struct chip_dev *dev, struct vecctx *v, int32_t cid)
{
	static float two[VN], three[VN];
	uint64_t da, db;
	int i;

	for (i = 0; i < VN; i++) {
		two[i] = 2.0f;
		three[i] = 3.0f;
	}
	v->dev = dev;
	v->cid = cid;
	if (chip_malloc(dev, sizeof(two), &da) ||
	    chip_malloc(dev, sizeof(two), &db) ||
	    chip_malloc(dev, sizeof(two), &v->df) ||
	    chip_copy_to(dev, da, two, sizeof(two)) ||
	    chip_copy_to(dev, db, three, sizeof(three)))
		die("vector buffers", ENOMEM);
	chip_args_init(&v->args);
	ct_add_f32(&v->args, da, VN);
	ct_add_f32(&v->args, db, VN);
	ct_add_f32(&v->args, v->df, VN);
}

/* ---- uploads -------------------------------------------------------------- */

#define UP_CHILDREN	4
#define UP_INSNS	32768		/* 256 KiB of code per child */

static void *make_big(size_t *len)
{
	static struct chip_insn code[UP_INSNS];
	struct chip_builder *b;
	void *img, *orch;
	size_t olen;
	int i, rc;

	rc = chip_asm("halt\n", &orch, &olen, NULL, 0);
	if (rc)
		die("asm", rc);
	memset(code, 0, sizeof(code));		/* NOPs */
	code[UP_INSNS - 1].op = CHIP_OP_HALT;
	rc = chip_builder_new(ct_platform_id(),
			      CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER, &b);
	if (!rc)
		rc = chip_builder_set_orch(b, orch, olen, "orch", NULL, NULL, 0);
	for (i = 0; !rc && i < UP_CHILDREN; i++)
		rc = chip_builder_add_child(b, i, CHIP_CORE_AIV, NULL, 0, code,
					    sizeof(code));
	if (!rc)
		rc = chip_builder_build(b, &img, len);
	chip_builder_free(b);
	free(orch);
	if (rc)
		die("build", rc);
	return img;
}

struct upctx {
	struct chip_dev *dev;
	void *img;
	size_t len;
	int hit;
	void *dst;
	double floor;		/* fastest memcpy of the image seen */
};

/*
 * The fastest of @n registrations (+ unregistrations, not timed), each
 * next to a memcpy of the same image: the upload rows compare with the
 * fastest memcpy of the image measured among them, single operations on
 * both sides, so that a loaded machine decides neither.
 */
static double u_register(void *arg, long n)
{
	struct upctx *u = arg;
	struct chip_callable_hdr *h = u->img;
	uint64_t t0 = chip_now_ns(), fastest = ~0ull, t;
	long i;
	int rc;

	for (i = 0; i < n; i++) {
		if (!u->hit) {
			/* new content each time: a different name */
			snprintf(h->config_name, sizeof(h->config_name),
				 "v%ld-%llu", i,
				 (unsigned long long)t0);
			h->config_name_len = (uint32_t)strlen(h->config_name);
		}
		t = chip_now_ns();
		memcpy(u->dst, u->img, u->len);
		__asm__ volatile("" : : "r"(u->dst) : "memory");
		t = chip_now_ns() - t;
		if (t < u->floor)
			u->floor = (double)t;
		t = chip_now_ns();
		rc = chip_register(u->dev, 1, u->img, u->len, NULL);
		t = chip_now_ns() - t;
		if (t < fastest)
			fastest = t;
		if (rc)
			die("register", rc);
		chip_unregister(u->dev, 1);
	}
	return (double)fastest;
}

/* ---- per-run allocations -------------------------------------------------- */

static double per_run_bytes(uint32_t window, uint64_t heap, double *calls)
{
	struct chip_open_opts o = { .sz = sizeof(o) };
	struct runctx r = { 0 };
	unsigned long long b0, c0;
	double t;

	o.ring_window = window;
	o.heap_size = heap;
	if (ct_open(&r.dev, &o))
		die("open", EINVAL);
	if (ct_register(r.dev, 0, CT_VECTOR,
			CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER))
		die("register", EINVAL);
	{
		struct vecctx v;

		vec_setup(r.dev, &v, 0);
		v_chip(&v, 20);			/* warm */
		b0 = alloc_bytes;
		c0 = alloc_calls;
		v_chip(&v, 200);
		t = (double)(alloc_bytes - b0) / 200;
		*calls = (double)(alloc_calls - c0) / 200;
	}
	chip_close(r.dev);
	return t;
}

int main(int argc, char **argv)
{
	double sysc, hand, mcpy, sync, b1, b32, b256, sb32, sb256, plain, vtrb,
	       vhbg, miss, hit, small, large, csmall, clarge;
	struct chip_dev *dev;
	struct runctx r = { 0 };
	struct vecctx vt, vh;
	struct upctx u;
	const char *only = NULL;
	int i, reps, rounds = 0;
	long k;

	static const char usage[] =
		"usage: chipbench [platform] [-q] [-r ROUNDS [-R ROW]]\n"
		"  platform  a2a3sim (default: $CHIP_PLATFORM, else a2a3sim), a5sim, a2a3, a5\n"
		"  -q        quick: fewer repetitions\n"
		"  -r N      only the null runs: N rounds of chip_run, submit_batch+reap\n"
		"            at batch 32 and 256, each round's ratios and their medians\n"
		"  -R ROW    with -r: only ROW (sync, sb32, sb256), for a profile\n";

	if (cmdline_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-q")) {
			quick = 1;
		} else if (!strcmp(argv[i], "-r") && i + 1 < argc) {
			rounds = atoi(argv[++i]);
			if (rounds < 1 || rounds > 10000)
				return cmdline_bad("chipbench", argv[i], usage);
		} else if (!strcmp(argv[i], "-R") && i + 1 < argc) {
			only = argv[++i];
			if (strcmp(only, "sync") && strcmp(only, "sb32") &&
			    strcmp(only, "sb256"))
				return cmdline_bad("chipbench", only, usage);
		} else if (i > 1 || !cmdline_platform(argv[i])) {
			return cmdline_bad("chipbench", argv[i], usage);
		}
	}
	ct_init(argc > 1 && argv[1][0] != '-' ? 2 : 1, argv);
	if (rounds)
		return run_rounds(rounds, only);
	reps = quick ? 2 : 5;
	k = quick ? 1 : 4;

	sysc = best(f_syscall, NULL, 200000 * k, reps);
	hand = best(f_handoff, NULL, 20000 * k, reps);
	mcpy = best(f_memcpy, NULL, 200 * k, reps);

	runctx_open(&r);
	dev = r.dev;
	sync = best(r_sync, &r, 5000 * k, reps);
	r.batch = 1;
	b1 = best(r_batch, &r, 5000 * k, reps);
	r.batch = 32;
	b32 = best(r_batch, &r, 32 * 500 * k, reps);
	r.batch = 256;
	b256 = best(r_batch, &r, 256 * 60 * k, reps);
	r.batch = 32;
	sb32 = best(r_submit_batch, &r, 32 * 500 * k, reps);
	r.batch = 256;
	sb256 = best(r_submit_batch, &r, 256 * 60 * k, reps);

	if (ct_register(dev, 2, CT_VECTOR, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER) ||
	    ct_register(dev, 3, CT_VECTOR, CHIP_RUNTIME_HOST_BUILD_GRAPH))
		die("register vector", EINVAL);
	vec_setup(dev, &vt, 2);
	vec_setup(dev, &vh, 3);
	plain = best(v_plain, NULL, 200 * k, reps);
	vtrb = best(v_chip, &vt, 50 * k, reps);
	vhbg = best(v_chip, &vh, 50 * k, reps);

	u.dev = dev;
	u.img = make_big(&u.len);
	u.dst = malloc(u.len);
	if (!u.dst)
		die("malloc", ENOMEM);
	u.floor = 1e300;
	u.hit = 0;
	miss = best(u_register, &u, 10 * k, reps);
	u.hit = 1;
	if (chip_register(dev, 4, u.img, u.len, NULL))	/* keeps it resident */
		die("register big", EINVAL);
	hit = best(u_register, &u, 20 * k, reps);
	chip_close(dev);

	small = per_run_bytes(64, 1 << 20, &csmall);
	large = per_run_bytes(65536, 256ull << 20, &clarge);

	printf("chipbench on %s (best of %d)\n\n", ct_platform(), reps);
	printf("floors\n");
	printf("  null syscall                      %9.1f ns\n", sysc);
	printf("  thread handoff (cond round trip)  %9.1f ns\n", hand);
	printf("  memcpy                            %9.2f GB/s\n",
	       (1 << 20) / mcpy);
	printf("\nnull callable, per run             ns/run   x handoff  x syscall\n");
	printf("  chip_run (sync)                 %9.1f  %9.2f  %9.2f\n", sync,
	       sync / hand, sync / sysc);
	printf("  submit+reap, batch 1            %9.1f  %9.2f  %9.2f\n", b1,
	       b1 / hand, b1 / sysc);
	printf("  submit+reap, batch 32           %9.1f  %9.2f  %9.2f   target <= 1000 ns\n",
	       b32, b32 / hand, b32 / sysc);
	printf("  submit+reap, batch 256          %9.1f  %9.2f  %9.2f\n", b256,
	       b256 / hand, b256 / sysc);
	printf("  submit_batch+reap, batch 32     %9.1f  %9.2f  %9.2f   target <= sync (x%.2f)\n",
	       sb32, sb32 / hand, sb32 / sysc, sb32 / sync);
	printf("  submit_batch+reap, batch 256    %9.1f  %9.2f  %9.2f   target <= sync (x%.2f)\n",
	       sb256, sb256 / hand, sb256 / sysc, sb256 / sync);
	printf("\nvector example, 16384 f32         us/run   x plain C\n");
	printf("  plain C, same five passes       %9.2f\n", plain / 1e3);
	printf("  tensormap_and_ringbuffer        %9.2f  %9.2f   target <= 5x\n",
	       vtrb / 1e3, vtrb / plain);
	printf("  host_build_graph                %9.2f  %9.2f\n", vhbg / 1e3,
	       vhbg / plain);
	printf("\nupload, %zu-byte callable          MB/s     x memcpy\n",
	       u.len);
	printf("  memcpy of the image (floor)     %9.0f\n", u.len / u.floor * 1e3);
	printf("  dedup miss (copy+key, verify)   %9.0f  %9.3f   target >= 0.1x\n",
	       u.len / miss * 1e3, u.floor / miss);
	printf("  dedup hit (copy+key, compare)   %9.0f  %9.3f   target >= 0.25x\n",
	       u.len / hit * 1e3, u.floor / hit);
	printf("\nlibchip allocations per vector run (steady state)\n");
	printf("  ring 64, heap 1 MiB             %9.0f bytes in %.1f calls\n",
	       small, csmall);
	printf("  ring 65536, heap 256 MiB        %9.0f bytes in %.1f calls\n",
	       large, clarge);
	free(u.img);
	free(u.dst);
	return 0;
}
