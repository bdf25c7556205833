// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Kernel-only tests of run timelines (DRM_CHIP_FEATURE_TIMELINE; run in
 * the QEMU guest): the head and spans written by the WAIT that consumes
 * a run and before the completion of DRM_CHIP_URING_RUN; a small buffer
 * counts what it drops; timeline_count above DRM_CHIP_MAX_SPANS is
 * -E2BIG, a pointer without a count (or the reverse) -EINVAL; a pointer
 * the kernel cannot write is -EFAULT at delivery, which still consumes
 * the run; and the timeline's memory counts against max_run_mb.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <liburing.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "helpers.h"
#include "chiptest.h"
#include "drm/chip_accel.h"
#include "ktest.h"
#include "chip_callable.h"

#define MIB (1024ull * 1024)
#define SEC 1000000000ull
#define CID_MANY 1
#define CID_SPIN 2

/* An argument blob with one scalar (CT_MANY: that many tasks). */
static unsigned char blob[64];
static long blob_len;
static void *many_img;

static int set_tasks(uint64_t n)
{
	struct chip_args a;

	chip_args_init(&a);
	if (chip_args_add_scalar(&a, n))
		return -1;
	blob_len = chip_args_encode(&a, blob, sizeof(blob));
	return blob_len < 0 ? -1 : 0;
}

static void fill_run(struct drm_chip_run *r, int32_t cid, uint64_t tl,
		     uint32_t count)
{
	memset(r, 0, sizeof(*r));
	r->args_ptr = (uintptr_t)blob;
	r->args_size = (uint64_t)blob_len;
	r->cid = cid;
	r->block_dim = 2;
	r->aicpu_threads = 1;
	r->timeout_ns = 5 * SEC;
	r->timeline_ptr = tl;
	r->timeline_count = count;
}

static int run_tl(int fd, int32_t cid, void *tl, uint32_t count,
		  uint64_t *seq)
{
	struct drm_chip_run r;
	int ret;

	fill_run(&r, cid, (uintptr_t)tl, count);
	ret = kt_ioctl(fd, DRM_IOCTL_CHIP_RUN, &r);
	if (!ret)
		*seq = r.seq;
	return ret;
}

static int wait_seq(int fd, uint64_t seq, struct drm_chip_wait *w)
{
	memset(w, 0, sizeof(*w));
	w->seq = seq;
	return kt_ioctl(fd, DRM_IOCTL_CHIP_WAIT, w);
}

static struct drm_chip_timeline *tl_new(uint32_t cap)
{
	size_t n = sizeof(struct drm_chip_timeline) +
		   cap * sizeof(struct drm_chip_span);
	struct drm_chip_timeline *tl = malloc(n);

	if (tl)
		memset(tl, 0xa5, n);
	return tl;
}

static struct drm_chip_span *spans(struct drm_chip_timeline *tl)
{
	return (struct drm_chip_span *)(tl + 1);
}

static int is_child(int32_t id, uint32_t type)
{
	const struct chip_callable_hdr *hdr = many_img;
	const struct chip_child_hdr *c;
	uint32_t i;

	for (i = 0; i < hdr->child_count; i++) {
		c = (const void *)((const char *)many_img +
				   hdr->child_offsets[i]);
		if (hdr->child_func_ids[i] == id)
			return c->core_type == type;
	}
	return 0;
}

/* @count spans of a run of @ntasks tasks (block_dim 2) taking @dev_ns. */
static int check_spans(struct drm_chip_timeline *tl, uint32_t count,
		       uint32_t ntasks, uint64_t dev_ns)
{
	struct drm_chip_span *s = spans(tl);
	unsigned char seen[64] = { 0 };
	uint32_t i, j;

	CHECK(ntasks <= sizeof(seen));
	for (i = 0; i < count; i++) {
		CHECK(s[i].end_ns >= s[i].start_ns);
		CHECK(s[i].end_ns <= dev_ns);
		CHECK(s[i].core_type == DRM_CHIP_CORE_AIC ||
		      s[i].core_type == DRM_CHIP_CORE_AIV);
		CHECK(s[i].core < (s[i].core_type == DRM_CHIP_CORE_AIC ? 2 : 4));
		CHECK(is_child(s[i].func_id, s[i].core_type));
		CHECK(s[i].task < ntasks && !seen[s[i].task]);
		seen[s[i].task] = 1;
		CHECK_EQ(s[i].pad, 0);
		for (j = 0; j < i; j++)
			if (s[j].core == s[i].core &&
			    s[j].core_type == s[i].core_type)
				CHECK(s[i].start_ns >= s[j].end_ns ||
				      s[j].start_ns >= s[i].end_ns);
	}
	return 0;
}

static int open_reg(void)
{
	int fd = kt_open_node(NULL);

	if (fd < 0 || kt_reg(fd, CID_MANY, CT_MANY) ||
	    kt_reg(fd, CID_SPIN, CT_SPIN)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* RUN + WAIT: the head and spans; a small buffer; the feature bit. */
static int test_ioctl(void)
{
	struct drm_chip_get_param gp = { .param = DRM_CHIP_PARAM_FEATURES };
	struct drm_chip_timeline *tl = tl_new(16);
	struct drm_chip_wait w;
	uint64_t seq;
	int fd = open_reg();

	CHECK(fd >= 0 && tl);
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_GET_PARAM, &gp), 0);
	CHECK(gp.value & DRM_CHIP_FEATURE_TIMELINE);
	CHECK_EQ(set_tasks(7), 0);
	CHECK_EQ(run_tl(fd, CID_MANY, tl, 16, &seq), 0);
	CHECK_EQ(wait_seq(fd, seq, &w), 0);
	CHECK_EQ(w.status, CHIP_STATUS_OK);
	CHECK_EQ(w.tasks, 7);
	CHECK_EQ(tl->count, 7);
	CHECK_EQ(tl->tasks, 7);
	CHECK_EQ(tl->pad, 0);
	CHECK_EQ(check_spans(tl, 7, 7, w.device_ns), 0);
	CHECK_EQ(spans(tl)[7].task, 0xa5a5a5a5u);

	/* Capacity 3: three spans, seven tasks counted. */
	memset(tl, 0xa5, sizeof(*tl) + 16 * sizeof(struct drm_chip_span));
	CHECK_EQ(run_tl(fd, CID_MANY, tl, 3, &seq), 0);
	CHECK_EQ(wait_seq(fd, seq, &w), 0);
	CHECK_EQ(w.tasks, 7);
	CHECK_EQ(tl->count, 3);
	CHECK_EQ(tl->tasks, 7);
	CHECK_EQ(check_spans(tl, 3, 7, w.device_ns), 0);
	CHECK_EQ(spans(tl)[3].task, 0xa5a5a5a5u);

	/* No timeline: nothing written. */
	memset(tl, 0xa5, sizeof(*tl));
	CHECK_EQ(run_tl(fd, CID_MANY, NULL, 0, &seq), 0);
	CHECK_EQ(wait_seq(fd, seq, &w), 0);
	CHECK_EQ(w.tasks, 7);
	CHECK_EQ(tl->count, 0xa5a5a5a5u);
	close(fd);
	free(tl);
	return 0;
}

/* Bounds at submission; a bad pointer at delivery. */
static int test_errors(void)
{
	struct drm_chip_timeline *tl = tl_new(DRM_CHIP_MAX_SPANS + 1);
	struct drm_chip_wait w;
	uint64_t seq;
	void *ro;
	int fd = open_reg();

	CHECK(fd >= 0 && tl);
	CHECK_EQ(set_tasks(3), 0);
	CHECK_EQ(run_tl(fd, CID_MANY, tl, DRM_CHIP_MAX_SPANS + 1, &seq),
		 -E2BIG);
	CHECK_EQ(run_tl(fd, CID_MANY, tl, 0, &seq), -EINVAL);
	CHECK_EQ(run_tl(fd, CID_MANY, NULL, 4, &seq), -EINVAL);
	CHECK_EQ(tl->count, 0xa5a5a5a5u);
	/* The largest capacity is accepted. */
	CHECK_EQ(run_tl(fd, CID_MANY, tl, DRM_CHIP_MAX_SPANS, &seq), 0);
	CHECK_EQ(wait_seq(fd, seq, &w), 0);
	CHECK_EQ(tl->count, 3);

	/* Read-only memory: -EFAULT from the WAIT, which consumes the run. */
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED);
	CHECK_EQ(run_tl(fd, CID_MANY, ro, 4, &seq), 0);
	CHECK_EQ(wait_seq(fd, seq, &w), -EFAULT);
	CHECK_EQ(wait_seq(fd, seq, &w), -ENOENT);
	munmap(ro, 4096);
	/* The head fits, the spans do not: they cross into a read-only page. */
	ro = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED);
	CHECK_EQ(mprotect((char *)ro + 4096, 4096, PROT_READ), 0);
	CHECK_EQ(run_tl(fd, CID_MANY, (char *)ro + 4096 - sizeof(*tl), 3,
			&seq), 0);
	CHECK_EQ(wait_seq(fd, seq, &w), -EFAULT);
	munmap(ro, 8192);
	/* The file still works. */
	CHECK_EQ(run_tl(fd, CID_MANY, tl, 8, &seq), 0);
	CHECK_EQ(wait_seq(fd, seq, &w), 0);
	CHECK_EQ(tl->count, 3);
	close(fd);
	free(tl);
	return 0;
}

/* DRM_CHIP_URING_RUN: written before the completion; -EFAULT in the CQE. */
static int test_uring(void)
{
	struct drm_chip_timeline *tl = tl_new(8);
	struct drm_chip_uring_run u;
	struct drm_chip_uring_cmd c;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	void *ro;
	int fd = open_reg(), i;

	CHECK(fd >= 0 && tl);
	CHECK_EQ(io_uring_queue_init(8, &ring, 0), 0);
	CHECK_EQ(set_tasks(5), 0);
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED);
	for (i = 0; i < 2; i++) {
		memset(&u, 0, sizeof(u));
		fill_run(&u.run, CID_MANY, i ? (uintptr_t)ro : (uintptr_t)tl,
			 8);
		sqe = io_uring_get_sqe(&ring);
		CHECK(sqe);
		io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
		sqe->cmd_op = DRM_CHIP_URING_RUN;
		memset(&c, 0, sizeof(c));
		c.ptr = (uintptr_t)&u;
		memcpy(sqe->cmd, &c, sizeof(c));
		CHECK_EQ(io_uring_submit_and_wait(&ring, 1), 1);
		CHECK_EQ(io_uring_wait_cqe(&ring, &cqe), 0);
		if (!i) {
			CHECK_EQ(cqe->res, CHIP_STATUS_OK);
			CHECK_EQ(u.result.tasks, 5);
			CHECK_EQ(tl->count, 5);
			CHECK_EQ(tl->tasks, 5);
			CHECK_EQ(check_spans(tl, 5, 5, u.result.device_ns), 0);
		} else {
			CHECK_EQ(cqe->res, -EFAULT);
		}
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
	munmap(ro, 4096);
	close(fd);
	free(tl);
	return 0;
}

static unsigned long read_param(const char *name)
{
	char path[128], buf[32] = { 0 };
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/module/chip/parameters/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtoul(buf, NULL, 10) : 0;
}

/*
 * Behind a spinning run, queue runs that each name @s bytes of stores
 * (two halves of one object) and, with @tl, a timeline of
 * DRM_CHIP_MAX_SPANS, until RUN refuses one.  The count, or -1.
 */
static int fill_budget(uint64_t s, void *tl, int *err)
{
	struct drm_chip_bo_create bc = { .size = 32 * MIB };
	struct drm_chip_store st[2];
	struct drm_chip_run r;
	uint64_t seq;
	int fd = open_reg(), n = 0, ret;
	char *out = malloc(s / 2);

	if (fd < 0 || !out || set_tasks(1) ||
	    kt_ioctl(fd, DRM_IOCTL_CHIP_BO_CREATE, &bc) ||
	    run_tl(fd, CID_SPIN, NULL, 0, &seq))
		return -1;
	for (n = 0; n < 2; n++) {
		st[n].va = bc.va;
		st[n].user_ptr = (uintptr_t)out;
		st[n].size = s / 2;
	}
	for (n = 0; n < 64; n++) {
		fill_run(&r, CID_MANY, (uintptr_t)tl,
			 tl ? DRM_CHIP_MAX_SPANS : 0);
		r.stores_ptr = (uintptr_t)st;
		r.store_count = 2;
		ret = kt_ioctl(fd, DRM_IOCTL_CHIP_RUN, &r);
		if (ret)
			break;
	}
	*err = ret;
	close(fd);	/* cancels the spinning run and the queued ones */
	free(out);
	return n;
}

/*
 * The timeline counts against max_run_mb: k runs whose stores take the
 * budget less 64 KiB each fit, and only k - 1 with a timeline of
 * DRM_CHIP_MAX_SPANS (128 KiB) each.
 */
static int test_budget(void)
{
	unsigned long mb = read_param("max_run_mb");
	struct drm_chip_timeline *tl = tl_new(DRM_CHIP_MAX_SPANS);
	struct drm_chip_counters cnt;
	uint64_t k, s;
	int n, err = 0, fd;

	CHECK(tl);
	if (!mb)
		mb = 256;	/* the documented default */
	if (mb % 64) {
		printf("# max_run_mb %lu is not a multiple of 64: skipped\n", mb);
		free(tl);
		return 0;
	}
	k = mb / 64;
	s = (mb * MIB) / k - 64 * 1024;
	CHECK(sizeof(struct drm_chip_span) * DRM_CHIP_MAX_SPANS == 128 * 1024);
	n = fill_budget(s, NULL, &err);
	printf("# max_run_mb %lu: %d runs of %llu store bytes, then %d\n", mb,
	       n, (unsigned long long)s, err);
	CHECK_EQ(n, (int)k);
	CHECK_EQ(err, -EBUSY);
	n = fill_budget(s, tl, &err);
	printf("# with a timeline of %u spans: %d runs, then %d\n",
	       DRM_CHIP_MAX_SPANS, n, err);
	CHECK_EQ(n, (int)k - 1);
	CHECK_EQ(err, -EBUSY);

	/* Everything went with the files. */
	fd = kt_open_node(NULL);
	CHECK(fd >= 0);
	memset(&cnt, 0, sizeof(cnt));
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_COUNTERS, &cnt), 0);
	CHECK_EQ(cnt.dev_runs, 0);
	close(fd);
	free(tl);
	return 0;
}

int main(int argc, char **argv)
{
	size_t len;

	ct_init(argc, argv);
	if (ct_is_sim()) {
		printf("# kernel-only tests: skipped on %s\n", ct_platform());
		printf("0 passed, 0 failed\n");
		return 0;
	}
	if (ct_build(CT_MANY, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER, &many_img,
		     &len)) {
		printf("0 passed, 1 failed\n");
		return 1;
	}
	T_RUN(test_ioctl);
	T_RUN(test_errors);
	T_RUN(test_uring);
	T_RUN(test_budget);
	free(many_img);
	return T_DONE();
}
