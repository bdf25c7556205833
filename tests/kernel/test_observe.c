// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Kernel-only test of what the driver shows (Documentation/driver.rst,
 * "Observing the driver"), run in the QEMU guest as root, in the default
 * (user) and in device dedup scope:
 *
 *	fdinfo	a gputop-style reader finds libchip's descriptor of the node
 *		in /proc/self/fd and parses /proc/self/fdinfo/FD:
 *		drm-driver is chip, drm-client-id differs between files,
 *		after N runs drm-engine-npu has grown by at least the sum of
 *		their device_ns and chip-runs-ok by N, the dedup keys equal
 *		the COUNTERS ioctl, the memory keys count a buffer object;
 *		a running run counts while it runs (and in debugfs queues)
 *	trace	the chip trace events through tracefs: a miss then a hit
 *		for two identical registrations, a buffer object created
 *		and freed, and submit -> start -> retire of a run's seq with
 *		its status and device_ns
 *	debugfs	the dedup file lists a registered callable: key, size,
 *		references, code address
 *	list	DRM_IOCTL_CHIP_DEDUP_LIST: entries, the count with a short
 *		buffer, flags/pad -EINVAL, a bad pointer -EFAULT; in device
 *		scope a user (uid 65534) sees the key of its own entry only,
 *		root every key
 *	chipctl	chipctl against the driver: list, info, stats --json (equal
 *		to the COUNTERS ioctl), dedup --json (the registered image
 *		with its references), run IMAGE (status ok, the values),
 *		trace IMAGE (5 spans, a Chrome trace of 5 tasks, disjoint
 *		per core)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "helpers.h"
#include "ktest.h"
#include "chiptest.h"
#include "chip/chip.h"
#include "drm/chip_accel.h"

#define NRUNS	4
#define VEC_N	4096

/* ---- fdinfo: a gputop-style reader ------------------------------------- */

struct fdinfo {
	char driver[32];
	unsigned long long client_id;
	unsigned long long engine_ns;
	unsigned long long total_mem;	/* bytes */
	int has_total, has_resident;
	unsigned long long runs[CHIP_STATUS_COUNT];
	unsigned long long hits, misses, resident_bytes;
	int has_engine, has_client, nchip;
};

/* A drm-*-memory value: "N", "N KiB" or "N MiB". */
static unsigned long long mem_value(const char *v)
{
	char *end;
	unsigned long long n = strtoull(v, &end, 10);

	while (*end == ' ')
		end++;
	if (!strncmp(end, "KiB", 3))
		n <<= 10;
	else if (!strncmp(end, "MiB", 3))
		n <<= 20;
	return n;
}

static int read_fdinfo(int fd, struct fdinfo *fi)
{
	static const char *const status[CHIP_STATUS_COUNT] = {
		"ok", "orch-error", "sched-error", "timeout", "fault",
		"invalid", "cancelled", "device-lost",
	};
	char path[64], line[256];
	FILE *f;
	int i;

	memset(fi, 0, sizeof(*fi));
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		*v++ = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		v[strcspn(v, "\n")] = '\0';
		if (!strcmp(line, "drm-driver")) {
			snprintf(fi->driver, sizeof(fi->driver), "%s", v);
		} else if (!strcmp(line, "drm-client-id")) {
			fi->client_id = strtoull(v, NULL, 10);
			fi->has_client = 1;
		} else if (!strcmp(line, "drm-engine-npu")) {
			fi->engine_ns = strtoull(v, NULL, 10);
			fi->has_engine = !!strstr(v, " ns");
		} else if (!strcmp(line, "drm-total-memory")) {
			fi->total_mem = mem_value(v);
			fi->has_total = 1;
		} else if (!strcmp(line, "drm-resident-memory")) {
			fi->has_resident = 1;
		} else if (!strcmp(line, "chip-dedup-hits")) {
			fi->hits = strtoull(v, NULL, 10);
			fi->nchip++;
		} else if (!strcmp(line, "chip-dedup-misses")) {
			fi->misses = strtoull(v, NULL, 10);
			fi->nchip++;
		} else if (!strcmp(line, "chip-resident-code-bytes")) {
			fi->resident_bytes = strtoull(v, NULL, 10);
			fi->nchip++;
		} else if (!strncmp(line, "chip-runs-", 10)) {
			for (i = 0; i < CHIP_STATUS_COUNT; i++)
				if (!strcmp(line + 10, status[i])) {
					fi->runs[i] = strtoull(v, NULL, 10);
					fi->nchip++;
				}
		}
	}
	fclose(f);
	return 0;
}

/* Is @fd a descriptor of a chip node (by its link)? */
static int is_node_fd(int fd)
{
	char path[64], link[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	return !strncmp(link, "/dev/accel/accel", 16) ||
	       !strncmp(link, "/dev/dri/renderD", 16);
}

/*
 * The descriptor of the node that a chip_open() between @before (from
 * node_fds()) and now added, as gputop finds a client: -1 if not one.
 */
static int node_fds(unsigned char *seen, int max)
{
	struct dirent *d;
	DIR *dir = opendir("/proc/self/fd");
	int n = 0, fd;

	if (!dir)
		return -1;
	memset(seen, 0, (size_t)max);
	while ((d = readdir(dir))) {
		fd = atoi(d->d_name);
		if (d->d_name[0] == '.' || fd >= max)
			continue;
		if (is_node_fd(fd)) {
			seen[fd] = 1;
			n++;
		}
	}
	closedir(dir);
	return n;
}

static int new_node_fd(const unsigned char *before, int max)
{
	unsigned char now[1024];
	int fd, found = -1;

	if (node_fds(now, max) < 0)
		return -1;
	for (fd = 0; fd < max; fd++) {
		if (now[fd] && !before[fd]) {
			if (found >= 0)
				return -1;
			found = fd;
		}
	}
	return found;
}

/* Open a libchip handle and find its descriptor of the node. */
static int open_traced(struct chip_dev **dev, int *fd)
{
	unsigned char before[1024];
	int rc;

	if (node_fds(before, (int)sizeof(before)) < 0)
		return -EIO;
	rc = ct_open(dev, NULL);
	if (rc)
		return rc;
	*fd = new_node_fd(before, (int)sizeof(before));
	if (*fd < 0) {
		chip_close(*dev);
		return -ENOENT;
	}
	return 0;
}

/* Three files: two libchip handles (@dev with @fd, @fd2) and @rawfd. */
static int fdinfo_check(struct chip_dev *dev, int fd, int fd2, int rawfd)
{
	static float out[VEC_N];
	struct fdinfo a, b, a0, raw;
	struct chip_run_result res;
	struct chip_counters c;
	unsigned long long sum = 0;
	struct drm_chip_counters kc;
	uint64_t addr;
	int i;

	CHECK_EQ(read_fdinfo(fd, &a0), 0);
	CHECK_EQ(read_fdinfo(fd2, &b), 0);
	CHECK_EQ(read_fdinfo(rawfd, &raw), 0);
	printf("# fdinfo: driver %s, client ids %llu %llu %llu\n", a0.driver,
	       a0.client_id, b.client_id, raw.client_id);
	CHECK(!strcmp(a0.driver, "chip") && !strcmp(b.driver, "chip"));
	CHECK(a0.has_client && b.has_client && raw.has_client);
	CHECK(a0.client_id != b.client_id && a0.client_id != raw.client_id &&
	      b.client_id != raw.client_id);
	CHECK(a0.has_engine && a0.engine_ns == 0 && a0.nchip == 11);
	CHECK(a0.has_total);

	/* N runs: the busy time grows by their device time at least. */
	CHECK_EQ(ct_register(dev, 3, CT_VECTOR,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	CHECK_EQ(ct_register(dev, 4, CT_VECTOR,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	for (i = 0; i < NRUNS; i++) {
		CHECK_EQ(ct_vector(dev, 3, 2.0f, 3.0f, VEC_N, out, &res), 0);
		CHECK_EQ(res.status, CHIP_STATUS_OK);
		CHECK(res.device_ns > 0);
		CHECK_EQ(ct_mismatches(out, VEC_N, ct_vector_ref(2.0f, 3.0f)), 0);
		sum += res.device_ns;
	}
	CHECK_EQ(chip_malloc(dev, 1 << 20, &addr), 0);
	CHECK_EQ(read_fdinfo(fd, &a), 0);
	printf("# fdinfo: drm-engine-npu %llu ns after %d runs of %llu ns; "
	       "chip-runs-ok %llu; drm-total-memory %llu\n", a.engine_ns,
	       NRUNS, sum, a.runs[CHIP_STATUS_OK], a.total_mem);
	CHECK(a.engine_ns - a0.engine_ns >= sum);
	CHECK_EQ(a.runs[CHIP_STATUS_OK] - a0.runs[CHIP_STATUS_OK], NRUNS);
	for (i = 1; i < CHIP_STATUS_COUNT; i++)
		CHECK_EQ(a.runs[i], 0);
	CHECK(a.has_total && a.has_resident && a.total_mem >= 1 << 20);

	/* The chip keys are the COUNTERS ioctl's (chip_counters()). */
	CHECK_EQ(chip_counters(dev, &c), 0);
	CHECK_EQ(a.hits, c.dedup_hits);
	CHECK_EQ(a.misses, c.dedup_misses);
	CHECK_EQ(a.resident_bytes, c.resident_bytes);
	CHECK_EQ(a.runs[CHIP_STATUS_OK], c.runs[CHIP_STATUS_OK]);
	CHECK_EQ(a.hits + a.misses, 2);
	memset(&kc, 0, sizeof(kc));
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_COUNTERS, &kc), 0);
	CHECK_EQ(a.hits, kc.dedup_hits);
	CHECK_EQ(a.misses, kc.dedup_misses);
	CHECK_EQ(a.resident_bytes, kc.resident_bytes);

	/* The other files saw nothing of it. */
	CHECK_EQ(read_fdinfo(fd2, &b), 0);
	CHECK(b.engine_ns == 0 && b.runs[CHIP_STATUS_OK] == 0 &&
	      b.hits + b.misses == 0);
	CHECK_EQ(chip_free(dev, addr), 0);
	return 0;
}

static int test_fdinfo(void)
{
	struct chip_dev *dev, *dev2;
	int fd, fd2, rawfd, ret;

	CHECK_EQ(open_traced(&dev, &fd), 0);
	ret = open_traced(&dev2, &fd2);
	if (ret) {
		chip_close(dev);
		CHECK_EQ(ret, 0);
	}
	rawfd = kt_open_node(NULL);
	ret = rawfd < 0 || fdinfo_check(dev, fd, fd2, rawfd);
	if (rawfd >= 0)
		close(rawfd);
	chip_close(dev2);
	chip_close(dev);
	return ret;
}

/* The chip device's debugfs file @name (the only match), or NULL. */
static FILE *debugfs_open(const char *name)
{
	static const char *const dirs[] = {
		"/sys/kernel/debug/accel/*", "/sys/kernel/debug/dri/*",
	};
	char pat[64];
	FILE *f = NULL;
	glob_t g;
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !f; i++) {
		snprintf(pat, sizeof(pat), "%s/%s", dirs[i], name);
		if (glob(pat, 0, NULL, &g))
			continue;
		if (g.gl_pathc == 1)
			f = fopen(g.gl_pathv[0], "r");
		globfree(&g);
	}
	return f;
}

/* The debugfs queues line of @client: its running runs, or -1. */
static int queues_running(unsigned long long client)
{
	unsigned long long id, busy;
	unsigned int queued, running, done;
	char line[256], comm[32];
	int pid, ret = -1;
	FILE *f = debugfs_open("queues");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llu %d %31s %u %u %u %llu", &id, &pid, comm,
			   &queued, &running, &done, &busy) == 7 &&
		    id == client && pid == getpid())
			ret = (int)running;
	fclose(f);
	return ret;
}

/* @check on a node opened for it (closed after): its result. */
static int on_node(int (*check)(int fd))
{
	int fd = kt_open_node(NULL), ret;

	CHECK(fd >= 0);
	ret = check(fd);
	close(fd);
	return ret;
}

/*
 * A running run counts in drm-engine-npu while it runs: one that spins
 * until cancelled (its watchdog far away), read twice, then cancelled.
 */
static int busy_check(int fd)
{
	static const uint64_t noargs;	/* zero tensors, zero scalars */
	struct drm_chip_cancel cancel;
	struct fdinfo a, b, c;
	struct drm_chip_wait w;
	struct drm_chip_run r;
	struct timespec ts;
	int i;

	CHECK_EQ(kt_reg(fd, 1, CT_SPIN), 0);
	memset(&r, 0, sizeof(r));
	r.args_ptr = (uintptr_t)&noargs;
	r.args_size = sizeof(noargs);
	r.cid = 1;
	r.block_dim = 1;
	r.aicpu_threads = 1;
	r.timeout_ns = 60000000000ull;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_RUN, &r), 0);
	/* Until the worker has started it (bounded by the watchdog). */
	for (i = 0; i < 50000; i++) {
		CHECK_EQ(read_fdinfo(fd, &a), 0);
		if (a.engine_ns)
			break;
		usleep(1000);
	}
	usleep(1000);
	CHECK_EQ(read_fdinfo(fd, &b), 0);
	printf("# a running run: drm-engine-npu %llu, then %llu ns; "
	       "debugfs queues: %d running\n", a.engine_ns, b.engine_ns,
	       queues_running(a.client_id));
	CHECK(a.engine_ns > 0 && b.engine_ns > a.engine_ns);
	CHECK_EQ(b.runs[CHIP_STATUS_OK] + b.runs[CHIP_STATUS_TIMEOUT], 0);
	CHECK_EQ(queues_running(a.client_id), 1);

	memset(&cancel, 0, sizeof(cancel));
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_CANCEL, &cancel), 0);
	memset(&w, 0, sizeof(w));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	w.seq = r.seq;
	w.timeout_ns = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec +
		       60000000000ull;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_WAIT, &w), 0);
	CHECK_EQ(w.status, CHIP_STATUS_CANCELLED);
	/* Retired: the busy time never went back. */
	CHECK_EQ(read_fdinfo(fd, &c), 0);
	CHECK(c.engine_ns >= b.engine_ns);
	CHECK_EQ(c.runs[CHIP_STATUS_CANCELLED], 1);
	CHECK_EQ(queues_running(a.client_id), 0);
	return 0;
}

static int test_busy_running(void)
{
	return on_node(busy_check);
}

/* ---- tracefs ------------------------------------------------------------ */

static const char *tracefs(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char p[128];
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/trace", dirs[i]);
		if (!access(p, F_OK))
			return dirs[i];
	}
	if (mount("tracefs", dirs[0], "tracefs", 0, NULL))
		return NULL;
	return dirs[0];
}

static int write_str(const char *dir, const char *file, const char *s)
{
	char p[256];
	int fd, ok;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok ? 0 : -EIO;
}

/* A field "name=value" of a trace line, as an integer (0x for hex). */
static int field(const char *line, const char *name, unsigned long long *v)
{
	char pat[48];
	const char *p;

	snprintf(pat, sizeof(pat), " %s=", name);
	p = strstr(line, pat);
	if (!p)
		return 0;
	*v = strtoull(p + strlen(pat), NULL, 0);
	return 1;
}

static int trace_check(const char *t)
{
	static float out[VEC_N];
	unsigned long long client = 0, v, seq, va = 0;
	int reg_miss = 0, reg_hit = 0, bo_create = 0, bo_free = 0;
	int submit = 0, start = 0, retire = 0, order = 0;
	struct chip_run_result res;
	struct chip_dev *dev;
	struct fdinfo fi;
	char p[256], *line = NULL;
	size_t cap = 0;
	uint64_t addr;
	FILE *f;
	int fd;

	CHECK_EQ(write_str(t, "tracing_on", "0"), 0);
	CHECK_EQ(write_str(t, "trace", ""), 0);
	/*
	 * No comm recording: it would hook the scheduler's own tracepoints,
	 * patching the code every CPU runs, for names the test does not read.
	 */
	write_str(t, "options/record-cmd", "0");
	CHECK_EQ(write_str(t, "events/chip/enable", "1"), 0);
	CHECK_EQ(write_str(t, "tracing_on", "1"), 0);

	CHECK_EQ(open_traced(&dev, &fd), 0);
	/* Nothing else holds the image: a miss, then a hit. */
	if (read_fdinfo(fd, &fi) ||
	    ct_register(dev, 0, CT_VECTOR,
			CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER) ||
	    ct_register(dev, 1, CT_VECTOR,
			CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER) ||
	    chip_malloc(dev, 12345, &addr) || chip_free(dev, addr) ||
	    ct_vector(dev, 1, 2.0f, 3.0f, VEC_N, out, &res)) {
		chip_close(dev);
		CHECK(!"register, allocate, free, run");
	}
	client = fi.client_id;
	chip_close(dev);
	CHECK_EQ(res.status, CHIP_STATUS_OK);

	CHECK_EQ(write_str(t, "tracing_on", "0"), 0);
	seq = res.seq;
	printf("# trace: client %llu, run seq %llu, device_ns %llu\n", client,
	       seq, (unsigned long long)res.device_ns);

	snprintf(p, sizeof(p), "%s/trace", t);
	f = fopen(p, "r");
	CHECK(f);
	while (getline(&line, &cap, f) > 0) {
		unsigned long long c = ~0ull;

		if (line[0] == '#')
			continue;
		if (!field(line, "client", &c) && !strstr(line, "chip_bo_free:"))
			continue;
		if (strstr(line, "chip_bo_free:")) {
			if (field(line, "va", &v) && v == va &&
			    field(line, "size", &v) && v == 12345)
				bo_free++;
			continue;
		}
		if (c != client)
			continue;
		if (strstr(line, "chip_callable_register:")) {
			if (strstr(line, " cid=0 miss ") && !reg_hit)
				reg_miss++;
			else if (strstr(line, " cid=1 hit "))
				reg_hit++;
			continue;
		}
		if (strstr(line, "chip_bo_create:")) {
			if (field(line, "size", &v) && v == 12345 &&
			    field(line, "va", &va) && va == addr)
				bo_create++;
			continue;
		}
		if (!field(line, "seq", &v) || v != seq)
			continue;
		if (strstr(line, "chip_run_submit:")) {
			submit++;
			order = order * 10 + 1;
		} else if (strstr(line, "chip_run_start:")) {
			start++;
			order = order * 10 + 2;
		} else if (strstr(line, "chip_run_retire:")) {
			retire++;
			order = order * 10 + 3;
			CHECK(field(line, "status", &v) && v == CHIP_STATUS_OK);
			CHECK(field(line, "device_ns", &v) && v > 0 &&
			      v == res.device_ns);
		}
	}
	free(line);
	fclose(f);
	printf("# trace: register miss %d hit %d, bo create %d free %d, "
	       "run events %d\n", reg_miss, reg_hit, bo_create, bo_free,
	       order);
	CHECK_EQ(reg_miss, 1);
	CHECK_EQ(reg_hit, 1);
	CHECK_EQ(bo_create, 1);
	CHECK_EQ(bo_free, 1);
	CHECK(submit == 1 && start == 1 && retire == 1);
	CHECK_EQ(order, 123);
	return 0;
}

static int test_trace(void)
{
	const char *t = tracefs();
	int ret;

	CHECK(t);
	ret = trace_check(t);
	/* Enabled events hold a reference on the module. */
	write_str(t, "tracing_on", "0");
	write_str(t, "events/chip/enable", "0");
	write_str(t, "options/record-cmd", "1");
	return ret;
}

/* ---- the raw registration, DEDUP_LIST, debugfs -------------------------- */

struct reg {
	uint64_t hash, dev_addr, size;
};

static int raw_reg(int fd, int32_t cid, enum ct_work w, struct reg *out)
{
	struct drm_chip_register r;
	struct chip_layout l;
	size_t len;
	void *img;
	int ret;

	ret = ct_build(w, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER, &img, &len);
	if (ret)
		return ret;
	memset(&r, 0, sizeof(r));
	ret = chip_callable_layout(img, len, &l);
	if (!ret)
		ret = kt_reg_image(fd, cid, img, len, &r);
	free(img);
	out->hash = r.hash;
	out->dev_addr = r.dev_addr;
	out->size = l.total_size;
	return ret;
}

static int dedup_scope(int fd)
{
	struct drm_chip_get_param p = { .param = DRM_CHIP_PARAM_DEDUP_SCOPE };

	return kt_ioctl(fd, DRM_IOCTL_CHIP_GET_PARAM, &p) ? -1 : (int)p.value;
}

/* The entries of @fd's table into @e (up to @max); the count or -errno. */
static int list(int fd, struct drm_chip_dedup_entry *e, uint32_t max,
		uint32_t *scope)
{
	struct drm_chip_dedup_list l;
	int ret;

	memset(&l, 0, sizeof(l));
	l.entries_ptr = (uintptr_t)e;
	l.count = max;
	ret = kt_ioctl(fd, DRM_IOCTL_CHIP_DEDUP_LIST, &l);
	if (scope)
		*scope = l.scope;
	return ret ? ret : (int)l.count;
}

static const struct drm_chip_dedup_entry *
find(const struct drm_chip_dedup_entry *e, int n, uint64_t hash)
{
	int i;

	for (i = 0; i < n; i++)
		if (e[i].hash == hash)
			return &e[i];
	return NULL;
}

static int debugfs_dedup_check(int fd)
{
	char want[64], line[256];
	int found = 0;
	struct reg r;
	FILE *f;

	CHECK_EQ(raw_reg(fd, 0, CT_VECTOR, &r), 0);
	f = debugfs_open("dedup");
	CHECK(f);
	snprintf(want, sizeof(want), " %016llx %10llu ",
		 (unsigned long long)r.hash, (unsigned long long)r.size);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long refs, va;

		if (!strstr(line, want))
			continue;
		CHECK_EQ(sscanf(strstr(line, want) + strlen(want), "%llu %llx",
				&refs, &va), 2);
		printf("# debugfs dedup: %s", line);
		CHECK(refs >= 1);
		CHECK_U64(va, r.dev_addr);
		found++;
	}
	fclose(f);
	CHECK_EQ(found, 1);
	return 0;
}

static int test_debugfs_dedup(void)
{
	return on_node(debugfs_dedup_check);
}

/* As uid 65534: list the table, report over @rep, hold until @go. */
static void foreign_child(int rep, int go, uint64_t root_hash)
{
	struct drm_chip_dedup_entry e[16];
	const struct drm_chip_dedup_entry *x;
	struct reg r;
	char ch = 'F';
	int fd, n, i, hidden = 0;

	if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		_exit(2);
	fd = kt_open_node(NULL);
	if (fd < 0 || raw_reg(fd, 0, CT_MATMUL, &r))
		_exit(3);
	memset(e, 0, sizeof(e));
	n = list(fd, e, 16, NULL);
	x = n > 0 ? find(e, n, r.hash) : NULL;
	/* Its own entry in full, root's without key or address. */
	for (i = 0; i < n && i < 16; i++)
		if (!(e[i].flags & DRM_CHIP_DEDUP_ENTRY_MINE) && !e[i].hash &&
		    !e[i].code_va && e[i].size && e[i].refs)
			hidden++;
	if (x && x->flags == DRM_CHIP_DEDUP_ENTRY_MINE &&
	    x->code_va == r.dev_addr && !find(e, n, root_hash) && hidden == 2)
		ch = 'K';
	if (write(rep, &ch, 1) != 1 || write(rep, &r.hash, 8) != 8 ||
	    read(go, &ch, 1) != 1)
		_exit(4);
	close(fd);
	_exit(0);
}

/* Device scope: uid 65534 and root (@fd, holding @a) share the table. */
static int dedup_list_foreign(int fd, const struct reg *a)
{
	static const char *const nodes[] = {
		"/dev/accel/accel0", "/dev/dri/renderD128",
	};
	struct drm_chip_dedup_entry e[8];
	const struct drm_chip_dedup_entry *x;
	uint64_t child_hash = 0;
	int n, go[2], rep[2], st, ok;
	char ch = 'F';
	size_t i;
	pid_t pid;

	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		chmod(nodes[i], 0666);
	CHECK(pipe(go) == 0 && pipe(rep) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid)
		foreign_child(rep[1], go[0], a->hash);
	close(rep[1]);
	ok = read(rep[0], &ch, 1) == 1 &&
	     read(rep[0], &child_hash, 8) == 8;
	/* Root (CAP_SYS_ADMIN) sees every key, the child's too. */
	n = list(fd, e, 8, NULL);
	x = n > 0 ? find(e, n, child_hash) : NULL;
	/* Whatever happened: let the child go. */
	if (write(go[1], "g", 1) != 1)
		ok = 0;
	close(go[1]);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	printf("# uid 65534 sees its own entry, two without key: %c\n", ch);
	CHECK(ok);
	CHECK_EQ(ch, 'K');
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(n, 3);
	CHECK(x && !x->flags && x->code_va && x->refs == 1);
	return 0;
}

static int dedup_list_check(int fd)
{
	struct drm_chip_dedup_entry e[8], s[2];
	const struct drm_chip_dedup_entry *x;
	struct drm_chip_dedup_list l;
	uint32_t scope = 99;
	struct reg a, b, a2;
	int sc;

	sc = dedup_scope(fd);
	CHECK(sc >= 0);
	/* Nothing resident yet (every earlier file is closed). */
	CHECK_EQ(list(fd, NULL, 0, &scope), 0);
	CHECK_EQ(scope, (uint32_t)sc);
	CHECK_EQ(raw_reg(fd, 0, CT_VECTOR, &a), 0);
	CHECK_EQ(raw_reg(fd, 1, CT_SOFTMAX, &b), 0);
	CHECK_EQ(raw_reg(fd, 2, CT_VECTOR, &a2), 0);
	CHECK_U64(a2.hash, a.hash);
	CHECK(a.hash != b.hash);

	/* The count alone, then every entry. */
	CHECK_EQ(list(fd, NULL, 0, NULL), 2);
	memset(e, 0xa5, sizeof(e));
	CHECK_EQ(list(fd, e, 8, NULL), 2);
	x = find(e, 2, a.hash);
	CHECK(x);
	CHECK_U64(x->size, a.size);
	CHECK_U64(x->code_va, a.dev_addr);
	CHECK_EQ(x->refs, 2);
	CHECK_EQ(x->flags, DRM_CHIP_DEDUP_ENTRY_MINE);
	x = find(e, 2, b.hash);
	CHECK(x);
	CHECK(x->size == b.size && x->refs == 1 && x->code_va == b.dev_addr);
	CHECK_U64(e[2].hash, 0xa5a5a5a5a5a5a5a5ull);	/* not written */

	/* A short buffer: the count of the table, one entry written. */
	memset(s, 0xa5, sizeof(s));
	CHECK_EQ(list(fd, s, 1, NULL), 2);
	CHECK(s[0].hash == a.hash || s[0].hash == b.hash);
	CHECK_U64(s[1].hash, 0xa5a5a5a5a5a5a5a5ull);

	/* Unregistering drops a reference. */
	CHECK_EQ(kt_unreg(fd, 2), 0);
	CHECK_EQ(list(fd, e, 8, NULL), 2);
	x = find(e, 2, a.hash);
	CHECK(x && x->refs == 1);

	/* Flags and pad must be zero; a bad buffer faults. */
	memset(&l, 0, sizeof(l));
	l.flags = 1;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_DEDUP_LIST, &l), -EINVAL);
	memset(&l, 0, sizeof(l));
	l.pad = 1;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_DEDUP_LIST, &l), -EINVAL);
	memset(&l, 0, sizeof(l));
	l.entries_ptr = 8;
	l.count = 2;
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_DEDUP_LIST, &l), -EFAULT);

	if (sc != DRM_CHIP_DEDUP_DEVICE) {
		printf("# dedup scope %d: one user's table, nothing to hide\n",
		       sc);
		return 0;
	}
	return dedup_list_foreign(fd, &a);
}

static int test_dedup_list(void)
{
	return on_node(dedup_list_check);
}

/* ---- chipctl against the driver ------------------------------------------ */

/* Run @cmd; its stdout into @out; returns its exit code. */
static int sh(const char *cmd, char *out, size_t n)
{
	size_t got = 0, k;
	FILE *p;
	int st;

	printf("# %s\n", cmd);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (got + 1 < n && (k = fread(out + got, 1, n - 1 - got, p)) > 0)
		got += k;
	out[got] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The number after "key": in the object that follows "obj":{ in @j. */
static int json_u64(const char *j, const char *obj, const char *key,
		    unsigned long long *v)
{
	char pat[64];
	const char *p = j;

	if (obj) {
		snprintf(pat, sizeof(pat), "\"%s\":{", obj);
		p = strstr(j, pat);
		if (!p)
			return 0;
	}
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(p, pat);
	if (!p)
		return 0;
	*v = strtoull(p + strlen(pat), NULL, 10);
	return 1;
}

/*
 * The complete ("X") events of a Chrome trace chip_timeline_write_json()
 * wrote: each ends at or after its start, no two on one core overlap,
 * and the task ids are 0..n-1.  Returns n, or -1.
 */
static int chrome_trace_check(const char *j)
{
	struct { char core[16]; unsigned long long a, b; } ev[16];
	unsigned int task, seen = 0;
	const char *p = j;
	int n = 0, i, k;

	while ((p = strstr(p, "\"ph\": \"X\""))) {
		const char *q = strstr(p, "\"args\": {");

		if (!q || n == 16 ||
		    sscanf(q, "\"args\": {\"task\": %u, \"func_id\": %*d, "
			   "\"core\": \"%15[^\"]\", \"start_ns\": %llu, "
			   "\"end_ns\": %llu}", &task, ev[n].core, &ev[n].a,
			   &ev[n].b) != 4 || ev[n].b < ev[n].a || task >= 16)
			return -1;
		seen |= 1u << task;
		n++;
		p = q;
	}
	for (i = 0; i < n; i++)
		for (k = 0; k < i; k++)
			if (!strcmp(ev[i].core, ev[k].core) &&
			    ev[i].a < ev[k].b && ev[k].a < ev[i].b)
				return -1;
	return seen == (1u << n) - 1 ? n : -1;
}

static int test_chipctl(void)
{
	static const char img_path[] = "/tmp/observe-vec.img";
	static const char out_path[] = "/tmp/observe-f.bin";
	static const char trace_path[] = "/tmp/observe-trace.json";
	static char j[65536];
	static float f[VEC_N];
	const char *cc = getenv("CHIPCTL") ? getenv("CHIPCTL") : "/bin/chipctl";
	unsigned long long hits, misses, reg, dh, dm;
	struct drm_chip_counters kc;
	char cmd[512], want[128];
	size_t len;
	struct reg r;
	void *img;
	FILE *fp;
	int fd, ret;

	CHECK(!access(cc, X_OK));
	CHECK_EQ(ct_build(CT_VECTOR, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER,
			  &img, &len), 0);
	fp = fopen(img_path, "w");
	CHECK(fp && fwrite(img, 1, len, fp) == len);
	fclose(fp);
	free(img);
	/* The image's key, from a file closed again before chipctl runs. */
	fd = kt_open_node(NULL);
	CHECK(fd >= 0);
	ret = raw_reg(fd, 0, CT_VECTOR, &r);
	close(fd);
	CHECK_EQ(ret, 0);

	snprintf(cmd, sizeof(cmd), "%s --json -p a2a3 list", cc);
	CHECK_EQ(sh(cmd, j, sizeof(j)), 0);
	CHECK(strstr(j, "\"name\":\"chip\"") && strstr(j, "\"node\":\"/dev/"));

	snprintf(cmd, sizeof(cmd), "%s --json -p a2a3 info", cc);
	CHECK_EQ(sh(cmd, j, sizeof(j)), 0);
	CHECK(strstr(j, "\"simulated\":false") && strstr(j, "\"dedup_scope\":\""));

	/* stats: this client's counters, the device's equal COUNTERS'. */
	snprintf(cmd, sizeof(cmd), "%s --json -p a2a3 stats -r %s -r %s", cc,
		 img_path, img_path);
	CHECK_EQ(sh(cmd, j, sizeof(j)), 0);
	CHECK(json_u64(j, "client", "dedup_hits", &hits));
	CHECK(json_u64(j, "client", "dedup_misses", &misses));
	CHECK(json_u64(j, "client", "registered", &reg));
	CHECK(json_u64(j, "device", "dedup_hits", &dh));
	CHECK(json_u64(j, "device", "dedup_misses", &dm));
	CHECK(hits == 1 && misses == 1 && reg == 2);
	fd = kt_open_node(NULL);
	CHECK(fd >= 0);
	memset(&kc, 0, sizeof(kc));
	ret = kt_ioctl(fd, DRM_IOCTL_CHIP_COUNTERS, &kc);
	close(fd);
	CHECK_EQ(ret, 0);
	printf("# device dedup hits %llu misses %llu; COUNTERS %llu %llu\n",
	       dh, dm, (unsigned long long)kc.dev_dedup_hits,
	       (unsigned long long)kc.dev_dedup_misses);
	CHECK_EQ(dh, kc.dev_dedup_hits);
	CHECK_EQ(dm, kc.dev_dedup_misses);

	/* dedup: the image, held by both registrations. */
	snprintf(cmd, sizeof(cmd), "%s --json -p a2a3 dedup -r %s -r %s", cc,
		 img_path, img_path);
	CHECK_EQ(sh(cmd, j, sizeof(j)), 0);
	snprintf(want, sizeof(want), "{\"hash\":\"0x%016llx\",\"size\":%llu,\"refs\":2,",
		 (unsigned long long)r.hash, (unsigned long long)r.size);
	CHECK(strstr(j, want));
	CHECK(json_u64(j, NULL, "resident_callables", &reg) && reg == 1);

	/* run: status ok, the vector example's values. */
	snprintf(cmd, sizeof(cmd), "%s --json -p a2a3 run %s -t f32:%d:fill=2 "
		 "-t f32:%d:fill=3 -t f32:%d:out=%s", cc, img_path, VEC_N,
		 VEC_N, VEC_N, out_path);
	CHECK_EQ(sh(cmd, j, sizeof(j)), 0);
	CHECK(strstr(j, "\"status\":\"ok\""));
	fp = fopen(out_path, "r");
	CHECK(fp && fread(f, sizeof(f[0]), VEC_N, fp) == VEC_N);
	fclose(fp);
	CHECK_EQ(ct_mismatches(f, VEC_N, ct_vector_ref(2.0f, 3.0f)), 0);

	/* trace: the run's timeline through the driver, as Chrome JSON. */
	snprintf(cmd, sizeof(cmd), "%s --json -p a2a3 trace %s -t f32:%d:fill=2 "
		 "-t f32:%d:fill=3 -t f32:%d -o %s", cc, img_path, VEC_N,
		 VEC_N, VEC_N, trace_path);
	CHECK_EQ(sh(cmd, j, sizeof(j)), 0);
	CHECK(strstr(j, "\"status\":\"ok\""));
	CHECK(json_u64(j, "trace", "spans", &reg) && reg == 5);
	CHECK(json_u64(j, "trace", "tasks", &reg) && reg == 5);
	CHECK(json_u64(j, "trace", "dropped", &reg) && reg == 0);
	fp = fopen(trace_path, "r");
	CHECK(fp);
	len = fread(j, 1, sizeof(j) - 1, fp);
	fclose(fp);
	j[len] = '\0';
	CHECK_EQ(chrome_trace_check(j), 5);
	unlink(trace_path);
	unlink(img_path);
	unlink(out_path);
	return 0;
}

int main(int argc, char **argv)
{
	ct_init(argc, argv);
	T_RUN(test_fdinfo);
	T_RUN(test_busy_running);
	T_RUN(test_trace);
	T_RUN(test_debugfs_dedup);
	T_RUN(test_dedup_list);
	T_RUN(test_chipctl);
	return T_DONE();
}
