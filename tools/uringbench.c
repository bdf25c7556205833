// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * uringbench: the per-run cost of a null callable through each submission
 * path of chip.ko, against floors measured in the same process: a null
 * ioctl of the driver (GET_PARAM), an io_uring NOP and the driver's
 * uring_cmd NOP at the same batch sizes, and, where tools/uringfloor's
 * module is loaded, a command that completes from another thread and
 * does nothing else; and upload (register) hit/miss
 * throughput of a 9 KiB and a 1 MiB callable against memcpy of the same
 * bytes.  The libchip rows run on
 * every backend (a2a3sim too); the raw rows need the device node.
 *
 *   uringbench [platform] [iterations] [row]
 *
 * Prints a table of ns per operation and ratios, then the targets.  The
 * ring rows also give the CPU time per operation of this process (both
 * user and kernel, io-wq workers included) and of the device's thread
 * (chip0: it retires runs and starts the next; and chip_floor, the thread
 * of tools/uringfloor's module, where loaded), for the driver's CPU per
 * run: that CPU less the run's own device_ns.  With
 * @row, only the ring rows whose name contains it run, or the 1 MiB upload
 * rows when @row is part of "upload 1 MiB" (for a profile of one path:
 * scripts/qemu-test.sh with CHIP_PERF=ROW).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <liburing.h>
#include <sys/ioctl.h>

#include "chiptest.h"
#include "cmdline.h"
#include "drm/chip_accel.h"
#include "chip_callable.h"
#include "kernel/ktest.h"
#include "uringfloor/chip_uringfloor.h"

static int iters = 2000;
static const char *only;	/* run only the ring rows matching this */

struct row {
	char name[48];
	double ns;
	double cpu;	/* CPU ns per op (ring rows), else 0 */
	double dev;	/* mean device_ns of the row's runs, else 0 */
};

static struct row rows[64];
static int nrows;

static double add(const char *name, uint64_t t, long n)
{
	struct row *r = &rows[nrows++];

	snprintf(r->name, sizeof(r->name), "%s", name);
	r->ns = n ? (double)t / (double)n : 0;
	printf("%-34s %10.0f ns/op\n", name, r->ns);
	fflush(stdout);
	return r->ns;
}

static struct row *find(const char *name)
{
	static struct row none;
	int i;

	for (i = 0; i < nrows; i++)
		if (!strcmp(rows[i].name, name))
			return &rows[i];
	return &none;
}

static double get(const char *name)
{
	return find(name)->ns;
}

/*
 * The kernel threads whose CPU counts with this process's: the device's,
 * "chip0", and tools/uringfloor's, "chip_floor".  Their pids: 0 until
 * looked up, -1 where one is not found.
 */
static const char *const kthreads[] = { "chip0\n", "chip_floor\n" };
#define NKTHREADS	(sizeof(kthreads) / sizeof(kthreads[0]))
static int kthread_pid[NKTHREADS];

/* The pid of the kernel thread called @name, or 0. */
static int find_kthread(const char *name)
{
	char path[64], comm[32];
	int pid;
	FILE *f;

	for (pid = 2; pid < 4096; pid++) {
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, name)) {
			fclose(f);
			return pid;
		}
		fclose(f);
	}
	return 0;
}

/* CPU ns of this process and of those kernel threads so far. */
static uint64_t cpu_ns(void)
{
	unsigned long long sum = 0, v;
	struct timespec ts;
	char path[64];
	unsigned int i;
	FILE *f;

	for (i = 0; i < NKTHREADS; i++) {
		if (!kthread_pid[i])
			kthread_pid[i] = find_kthread(kthreads[i]) ? : -1;
		if (kthread_pid[i] < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/schedstat",
			 kthread_pid[i]);
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%llu", &v) == 1)
				sum += v;
			fclose(f);
		}
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + sum;
}

static unsigned char null_args[256];
static long null_args_len;
static double dev_ns_sum;
static long dev_ns_n;

/* @sync: the caller waits for the run at once (DRM_CHIP_RUN_INLINE). */
static void null_run(struct drm_chip_run *r, int32_t cid, int sync)
{
	memset(r, 0, sizeof(*r));
	r->flags = sync ? DRM_CHIP_RUN_INLINE : 0;
	r->args_ptr = (uintptr_t)null_args;
	r->args_size = (uint64_t)null_args_len;
	r->cid = cid;
	r->block_dim = 1;
	r->aicpu_threads = 1;
	r->timeout_ns = 2000000000ull;
}

/* The last row's CPU time @c and its runs' device_ns @dev, over @n ops. */
static void row_cpu(uint64_t c, double dev, long n)
{
	struct row *r = &rows[nrows - 1];

	r->cpu = (double)c / (double)n;
	r->dev = dev / (double)n;
	dev_ns_sum += dev;
	printf("%-34s %10.0f cpu ns/op, device_ns %.0f\n", "", r->cpu,
	       r->dev);
}

/* ---- raw rows ------------------------------------------------------------ */

static void bench_null_ioctl(int fd)
{
	struct drm_chip_get_param p = { .param = DRM_CHIP_PARAM_PLATFORM };
	uint64_t c = cpu_ns(), t = kt_mono_ns();
	int i;

	for (i = 0; i < iters * 10; i++)
		kt_ioctl(fd, DRM_IOCTL_CHIP_GET_PARAM, &p);
	t = kt_mono_ns() - t;
	c = cpu_ns() - c;
	add("floor: null ioctl (GET_PARAM)", t, iters * 10L);
	row_cpu(c, 0, iters * 10L);
}

/* @op < 0: IORING_OP_NOP; else a uring_cmd with @op, ptr from @u. */
static int poll;

static double bench_ring(int fd, struct io_uring *r, int batch, long op,
			 struct drm_chip_uring_run *u, const char *name)
{
	struct io_uring_cqe *cqe;
	long total = 0, n = (long)iters * (op == DRM_CHIP_URING_RUN ? 1 : 10);
	double dev = 0, ret;
	uint64_t t, cpu;
	int i, got;

	if (only && !strstr(name, only))
		return 0;
	n = n / batch * batch;
	cpu = cpu_ns();
	t = kt_mono_ns();
	while (total < n) {
		for (i = 0; i < batch; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(r);

			if (op < 0) {
				io_uring_prep_nop(sqe);
			} else {
				struct drm_chip_uring_cmd c = { 0 };

				if (u) {
					null_run(&u[i].run, 1, batch == 1);
					c.ptr = (uintptr_t)&u[i];
				}
				io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd,
						 NULL, 0, 0);
				sqe->cmd_op = (uint32_t)op;
				memcpy(sqe->cmd, &c, sizeof(c));
			}
			io_uring_sqe_set_data64(sqe, (uint64_t)i + 1);
		}
		if (poll)
			io_uring_submit(r);
		else
			io_uring_submit_and_wait(r, (unsigned int)batch);
		got = 0;
		while (got < batch) {
			if (io_uring_peek_cqe(r, &cqe)) {
				/* poll: a bare enter runs the task work */
				if (poll)
					io_uring_get_events(r);
				else
					io_uring_wait_cqe_nr(r, &cqe,
							     (unsigned int)(batch - got));
				continue;
			}
			if (cqe->res < 0) {
				fprintf(stderr, "%s: res %d\n", name, cqe->res);
				return 0;
			}
			if (u) {
				dev += (double)u[cqe->user_data - 1].result.device_ns;
				dev_ns_n++;
			}
			io_uring_cqe_seen(r, cqe);
			got++;
		}
		total += batch;
	}
	t = kt_mono_ns() - t;
	cpu = cpu_ns() - cpu;
	ret = add(name, t, total);
	row_cpu(cpu, dev, total);
	return ret;
}

static void bench_ioctl_runs(int fd)
{
	struct drm_chip_run r;
	struct drm_chip_wait w;
	double dev = 0;
	uint64_t t, c;
	int i, j;

	/* Warm up: the first run of a file allocates its heap. */
	null_run(&r, 1, 1);
	kt_ioctl(fd, DRM_IOCTL_CHIP_RUN, &r);
	memset(&w, 0, sizeof(w));
	w.seq = r.seq;
	kt_ioctl(fd, DRM_IOCTL_CHIP_WAIT, &w);

	c = cpu_ns();
	t = kt_mono_ns();
	for (i = 0; i < iters; i++) {
		null_run(&r, 1, 1);
		kt_ioctl(fd, DRM_IOCTL_CHIP_RUN, &r);
		memset(&w, 0, sizeof(w));
		w.seq = r.seq;
		kt_ioctl(fd, DRM_IOCTL_CHIP_WAIT, &w);
		dev += (double)w.device_ns;
		dev_ns_n++;
	}
	t = kt_mono_ns() - t;
	c = cpu_ns() - c;
	add("run: sync ioctl (RUN+WAIT)", t, iters);
	row_cpu(c, dev, iters);

	t = kt_mono_ns();
	for (i = 0; i < iters / 32; i++) {
		for (j = 0; j < 32; j++) {
			null_run(&r, 1, 0);
			kt_ioctl(fd, DRM_IOCTL_CHIP_RUN, &r);
		}
		for (j = 0; j < 32; j++) {
			memset(&w, 0, sizeof(w));
			kt_ioctl(fd, DRM_IOCTL_CHIP_WAIT, &w);
		}
	}
	add("run: async ioctl x32 + 32 WAIT", kt_mono_ns() - t, iters / 32 * 32L);

	/* The same sync run, polling WAIT instead of sleeping in it. */
	t = kt_mono_ns();
	for (i = 0; i < iters; i++) {
		null_run(&r, 1, 1);
		kt_ioctl(fd, DRM_IOCTL_CHIP_RUN, &r);
		do {
			memset(&w, 0, sizeof(w));
			w.seq = r.seq;
			w.timeout_ns = 1;
		} while (kt_ioctl(fd, DRM_IOCTL_CHIP_WAIT, &w) == -ETIMEDOUT);
	}
	add("run: sync ioctl, WAIT polled", kt_mono_ns() - t, iters);
}

/* REGISTER of @img under @cid; *@hit (may be NULL): whether it hit. */
static int reg(int fd, int32_t cid, const void *img, size_t len, uint32_t *hit)
{
	struct drm_chip_register r;
	int ret = kt_reg_image(fd, cid, img, len, &r);

	if (hit)
		*hit = r.result & DRM_CHIP_REGISTER_HIT;
	return ret;
}

/*
 * REGISTER+UNREGISTER of @img as a miss (the only registration goes each
 * time, so does the resident copy; every miss registers new bytes, the
 * config name changes) and as a hit (another cid keeps it resident), and
 * memcpy of the same bytes, as rows named after @tag.  Each of the @n
 * operations is timed alone and a row is the fastest of them, as for the
 * other floors of the same guest, so that a stall of the host does not
 * decide a ratio.
 */
static void upload_rows(int fd, void *img, size_t len, int n,
			const char *tag)
{
	struct chip_callable_hdr *h = img;
	uint32_t hit = 0, hits = 0;
	uint64_t t, best[3] = { ~0ull, ~0ull, ~0ull };
	char name[3][48];
	void *dst;
	int i, k;

	dst = malloc(len);
	if (!dst)
		return;
	snprintf(name[0], sizeof(name[0]), "floor: memcpy %s", tag);
	snprintf(name[1], sizeof(name[1]), "upload %s: miss", tag);
	snprintf(name[2], sizeof(name[2]), "upload %s: hit", tag);
	reg(fd, 11, img, len, NULL);
	for (i = 0; i < n; i++) {
		for (k = 0; k < 3; k++) {
			t = kt_mono_ns();
			switch (k) {
			case 0:
				memcpy(dst, img, len);
				__asm__ volatile("" : : "r"(dst) : "memory");
				break;
			case 1:
				kt_unreg(fd, 11);
				snprintf(h->config_name, sizeof(h->config_name),
					 "v%d", i);
				h->config_name_len =
					(uint32_t)strlen(h->config_name);
				t = kt_mono_ns();
				reg(fd, 10, img, len, &hit);
				hits += hit;
				kt_unreg(fd, 10);
				break;
			default:
				/* cid 11 keeps this image resident */
				reg(fd, 11, img, len, NULL);
				t = kt_mono_ns();
				reg(fd, 12, img, len, &hit);
				hits += !hit;
				kt_unreg(fd, 12);
				break;
			}
			t = kt_mono_ns() - t;
			if (t < best[k])
				best[k] = t;
		}
	}
	kt_unreg(fd, 11);
	for (k = 0; k < 3; k++)
		add(name[k], best[k], 1);
	if (hits)
		printf("# upload %s: %u unexpected hit/miss results\n", tag,
		       hits);
	printf("# upload %s, %zu bytes (best of %d): miss %.1f MB/s (%.3fx memcpy), hit %.1f MB/s (%.3fx memcpy), memcpy %.1f MB/s\n",
	       tag, len, n, len * 1e3 / get(name[1]),
	       get(name[0]) / get(name[1]), len * 1e3 / get(name[2]),
	       get(name[0]) / get(name[2]), len * 1e3 / get(name[0]));
	free(dst);
}

static void bench_upload(int fd)
{
	void *img;
	size_t len;
	int n = iters / 20 ? iters / 20 : 1;

	if (!only &&
	    !ct_build(CT_MATMUL, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER, &img,
		      &len)) {
		upload_rows(fd, img, len, n, "9 KiB");
		free(img);
	}
	if (only && !strstr("upload 1 MiB", only))
		return;
	img = kt_big_image(&len, NULL);
	if (img) {
		upload_rows(fd, img, len, n / 4 ? n / 4 : 1, "1 MiB");
		free(img);
	}
}

/* A ring of 256 entries and 1024 completions, with @flags: 0 or -errno. */
static int ring_init(struct io_uring *r, unsigned int flags)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE | flags;
	p.cq_entries = 1024;
	return io_uring_queue_init_params(256, r, &p);
}

static int bench_raw(void)
{
	static struct drm_chip_uring_run u[256];
	static const int batches[] = { 1, 32, 256 };
	struct io_uring r;
	int fd, ffd, i, ring = 0;
	char name[64];
	void *img;
	size_t len;

	fd = open("/dev/accel/accel0", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fd = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ct_build(CT_NULL, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER, &img, &len) ||
	    reg(fd, 1, img, len, NULL)) {
		close(fd);
		return -EIO;
	}
	free(img);
	if (!only || strstr("floor: null ioctl (GET_PARAM)", only))
		bench_null_ioctl(fd);
	if (ring_init(&r, 0)) {
		printf("# io_uring unavailable: uring rows skipped\n");
	} else {
		ring = 1;
		for (i = 0; i < 3; i++) {
			snprintf(name, sizeof(name), "floor: io_uring NOP b%d",
				 batches[i]);
			bench_ring(fd, &r, batches[i], -1, NULL, name);
		}
		for (i = 0; i < 3; i++) {
			snprintf(name, sizeof(name), "floor: uring_cmd NOP b%d",
				 batches[i]);
			bench_ring(fd, &r, batches[i], DRM_CHIP_URING_NOP,
				   NULL, name);
		}
	}
	/*
	 * tools/uringfloor's module, where loaded: a command that completes
	 * from another thread through task work, like every run, and does
	 * nothing else (Documentation/benchmarks-kernel.rst).
	 */
	ffd = open("/dev/chip_uringfloor", O_RDWR | O_CLOEXEC);
	if (ring && ffd >= 0)
		bench_ring(ffd, &r, 32, CHIP_FLOOR_ASYNC, NULL,
			   "floor: async uring_cmd NOP b32");
	dev_ns_sum = 0;
	dev_ns_n = 0;
	if (!only || strstr("run: sync ioctl", only))
		bench_ioctl_runs(fd);
	if (ring) {
		for (i = 0; i < 3; i++) {
			snprintf(name, sizeof(name), "run: uring_cmd b%d",
				 batches[i]);
			bench_ring(fd, &r, batches[i], DRM_CHIP_URING_RUN, u,
				   name);
		}
		poll = 1;
		bench_ring(fd, &r, 1, DRM_CHIP_URING_RUN, u,
			   "run: uring_cmd b1, CQ polled");
		bench_ring(fd, &r, 32, DRM_CHIP_URING_RUN, u,
			   "run: uring_cmd b32, CQ polled");
		poll = 0;
		io_uring_queue_exit(&r);
	}
	/*
	 * A ring whose task is not interrupted for completions
	 * (COOP_TASKRUN): their task work runs when the task enters the
	 * kernel, which the benchmark does to submit and to wait; no
	 * inter-processor interrupt per completion.
	 */
	if (!ring_init(&r, IORING_SETUP_COOP_TASKRUN |
			  IORING_SETUP_TASKRUN_FLAG)) {
		if (ffd >= 0)
			bench_ring(ffd, &r, 32, CHIP_FLOOR_ASYNC, NULL,
				   "floor: async uring_cmd NOP b32, coop");
		bench_ring(fd, &r, 32, DRM_CHIP_URING_RUN, u,
			   "run: uring_cmd b32, coop");
		io_uring_queue_exit(&r);
	}
	/*
	 * A ring a single-threaded runtime would use: completions are
	 * processed only when the submitter waits, which then wakes once
	 * its batch is complete instead of at every completion.
	 */
	if (!ring_init(&r, IORING_SETUP_SINGLE_ISSUER |
			  IORING_SETUP_DEFER_TASKRUN)) {
		bench_ring(fd, &r, 32, -1, NULL,
			   "floor: io_uring NOP b32, defer");
		if (ffd >= 0)
			bench_ring(ffd, &r, 32, CHIP_FLOOR_ASYNC, NULL,
				   "floor: async uring_cmd NOP b32, defer");
		bench_ring(fd, &r, 32, DRM_CHIP_URING_RUN, u,
			   "run: uring_cmd b32, defer");
		bench_ring(fd, &r, 256, DRM_CHIP_URING_RUN, u,
			   "run: uring_cmd b256, defer");
		io_uring_queue_exit(&r);
	}
	if (dev_ns_n)
		printf("# device time of a null run (mean of %ld): %.0f ns\n",
		       dev_ns_n, dev_ns_sum / (double)dev_ns_n);
	bench_upload(fd);
	if (ffd >= 0)
		close(ffd);
	close(fd);
	return 0;
}

/* ---- libchip rows -------------------------------------------------------- */

static void bench_lib(const char *tag, int nouring)
{
	static struct chip_run_result res[256];
	static struct chip_batch_run batch[256];
	static const int batches[] = { 1, 32, 256 };
	struct chip_args args;
	struct chip_dev *dev;
	uint64_t t, seq;
	char name[64];
	int i, b, j, n;

	if (nouring)
		setenv("CHIP_NO_URING", "1", 1);
	else
		unsetenv("CHIP_NO_URING");
	if (ct_open(&dev, NULL)) {
		printf("# %s: cannot open\n", tag);
		return;
	}
	unsetenv("CHIP_NO_URING");
	if (ct_register(dev, 1, CT_NULL, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER)) {
		chip_close(dev);
		return;
	}
	chip_args_init(&args);
	chip_run(dev, 1, &args, NULL, &res[0]);	/* warm up: heap */
	t = kt_mono_ns();
	for (i = 0; i < iters; i++)
		chip_run(dev, 1, &args, NULL, &res[0]);
	snprintf(name, sizeof(name), "lib%s: chip_run", tag);
	add(name, kt_mono_ns() - t, iters);
	for (b = 0; b < 3; b++) {
		long total = iters / batches[b] * batches[b];

		t = kt_mono_ns();
		for (i = 0; i < total; i += batches[b]) {
			for (j = 0; j < batches[b]; j++)
				chip_submit(dev, 1, &args, NULL, &seq);
			for (n = 0; n < batches[b];) {
				int k = chip_reap(dev, res, 256, batches[b] - n, 0);

				if (k <= 0)
					break;
				n += k;
			}
		}
		snprintf(name, sizeof(name), "lib%s: submit+reap b%d", tag,
			 batches[b]);
		add(name, kt_mono_ns() - t, total);
	}
	for (b = 1; b < 3; b++) {
		long total = iters / batches[b] * batches[b];

		for (j = 0; j < batches[b]; j++) {
			batch[j].cid = 1;
			batch[j].args = &args;
			batch[j].opts = NULL;
		}
		t = kt_mono_ns();
		for (i = 0; i < total; i += batches[b]) {
			if (chip_submit_batch(dev, batch, batches[b]) !=
			    batches[b]) {
				printf("# %s: submit_batch failed\n", tag);
				break;
			}
			for (n = 0; n < batches[b];) {
				int k = chip_reap(dev, res, 256, batches[b] - n, 0);

				if (k <= 0)
					break;
				n += k;
			}
		}
		snprintf(name, sizeof(name), "lib%s: submit_batch+reap b%d",
			 tag, batches[b]);
		add(name, kt_mono_ns() - t, total);
	}
	chip_close(dev);
}

static void ratio(const char *what, double num, double den, double target,
		  int le)
{
	double r = den > 0 ? num / den : 0;

	if (num <= 0 || den <= 0) {
		printf("%-52s      n/a\n", what);
		return;
	}
	printf("%-52s %8.2f  target %s %.0f: %s\n", what, r, le ? "<=" : ">=",
	       target, (le ? r <= target : r >= target) ? "met" : "MISSED");
}

/* A ratio without a target: how far apart two rows are. */
static void info_ratio(const char *what, double num, double den)
{
	if (num <= 0 || den <= 0) {
		printf("%-52s      n/a\n", what);
		return;
	}
	printf("%-52s %8.2f\n", what, num / den);
}

/* Upload throughput as a fraction of memcpy's: @num / @den >= @target. */
static void upload_ratio(const char *what, double num, double den,
			 double target)
{
	double r = den > 0 ? num / den : 0;

	if (num <= 0 || den <= 0) {
		printf("%-52s      n/a\n", what);
		return;
	}
	printf("%-52s %8.3f  target >= %.2f: %s\n", what, r, target,
	       r >= target ? "met" : "MISSED");
}

int main(int argc, char **argv)
{
	static const char usage[] =
		"usage: uringbench [platform [iterations [row]]]\n"
		"  platform    a2a3 (the device; default: $CHIP_PLATFORM), a5, a2a3sim, a5sim\n"
		"  iterations  runs per row, 64 or more (default 2000)\n"
		"  row         run only the ring rows whose name contains this\n";
	struct chip_args a;
	unsigned long v;

	if (cmdline_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc > 4)
		return cmdline_bad("uringbench", "too many arguments", usage);
	if (argc > 1 && !cmdline_platform(argv[1]))
		return cmdline_bad("uringbench", argv[1], usage);
	if (argc > 2 && cmdline_uint(argv[2], 64, 100000000, &v))
		return cmdline_bad("uringbench", argv[2], usage);
	ct_init(argc, argv);
	if (argc > 2)
		iters = (int)v;
	if (argc > 3)
		only = argv[3];
	chip_args_init(&a);
	null_args_len = chip_args_encode(&a, null_args, sizeof(null_args));
	printf("# uringbench on %s, %d iterations per row\n", ct_platform(),
	       iters);
	if (!ct_is_sim() && bench_raw())
		printf("# no device node: raw rows skipped\n");
	if (only)
		return 0;
	bench_lib("", 0);
	if (!ct_is_sim())
		bench_lib("(ioctl)", 1);

	printf("\nratios\n");
	ratio("uring_cmd run b32 / io_uring NOP b32",
	      get("run: uring_cmd b32"), get("floor: io_uring NOP b32"), 4, 1);
	ratio("sync ioctl run / uring_cmd run b32 (throughput x)",
	      get("run: sync ioctl (RUN+WAIT)"), get("run: uring_cmd b32"), 3, 0);
	ratio("sync ioctl run / uring_cmd run b256 (throughput x)",
	      get("run: sync ioctl (RUN+WAIT)"), get("run: uring_cmd b256"), 3, 0);
	ratio("sync ioctl run / null ioctl",
	      get("run: sync ioctl (RUN+WAIT)"),
	      get("floor: null ioctl (GET_PARAM)"), 10, 1);
	ratio("CPU: (sync ioctl run - device_ns) / null ioctl",
	      find("run: sync ioctl (RUN+WAIT)")->cpu -
	      find("run: sync ioctl (RUN+WAIT)")->dev,
	      find("floor: null ioctl (GET_PARAM)")->cpu, 10, 1);
	ratio("async ioctl b32 / null ioctl",
	      get("run: async ioctl x32 + 32 WAIT"),
	      get("floor: null ioctl (GET_PARAM)"), 10, 1);
	ratio("uring_cmd NOP b32 / io_uring NOP b32",
	      get("floor: uring_cmd NOP b32"), get("floor: io_uring NOP b32"),
	      4, 1);
	ratio("lib chip_run / lib submit+reap b256 (throughput x)",
	      get("lib: chip_run"), get("lib: submit+reap b256"), 3, 0);
	ratio("lib(ioctl) submit+reap b32 / lib submit+reap b32",
	      get("lib(ioctl): submit+reap b32"), get("lib: submit+reap b32"),
	      1, 0);
	ratio("lib(ioctl) submit+reap b32 / lib submit_batch+reap b32",
	      get("lib(ioctl): submit+reap b32"),
	      get("lib: submit_batch+reap b32"), 1, 0);
	/*
	 * The driver's own time per run at batch 32 through io_uring: the
	 * run's cost less its execution on the device (its device_ns),
	 * against the driver's uring_cmd NOP, in wall time and in CPU time.
	 */
	ratio("(uring_cmd run b32 - device_ns) / uring_cmd NOP b32",
	      get("run: uring_cmd b32") - find("run: uring_cmd b32")->dev,
	      get("floor: uring_cmd NOP b32"), 4, 1);
	ratio("CPU: (uring_cmd run b32 - device_ns) / uring_cmd NOP b32",
	      find("run: uring_cmd b32")->cpu - find("run: uring_cmd b32")->dev,
	      find("floor: uring_cmd NOP b32")->cpu, 4, 1);
	/*
	 * How much of that an asynchronous completion costs by itself
	 * (tools/uringfloor), and the driver's time per run against it.
	 */
	info_ratio("async uring_cmd NOP b32 / uring_cmd NOP b32",
		   get("floor: async uring_cmd NOP b32"),
		   get("floor: uring_cmd NOP b32"));
	info_ratio("(uring_cmd run b32 - device_ns) / async NOP b32",
		   get("run: uring_cmd b32") - find("run: uring_cmd b32")->dev,
		   get("floor: async uring_cmd NOP b32"));
	upload_ratio("upload 1 MiB hit, x memcpy (throughput)",
		     get("floor: memcpy 1 MiB"), get("upload 1 MiB: hit"), 0.25);
	upload_ratio("upload 1 MiB miss, x memcpy (throughput)",
		     get("floor: memcpy 1 MiB"), get("upload 1 MiB: miss"), 0.1);
	return 0;
}
