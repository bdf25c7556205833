// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Conformance: run timelines (struct chip_timeline, chip_run_opts.timeline)
 * on both runtimes and both backends: one span per completed task, on
 * the core it ran on, with its func_id and task id, within the run's
 * device time; spans of one core never overlap; a small buffer counts the
 * tasks it drops; the capacity's bounds and errnos; written when the
 * result is delivered (chip_run, chip_wait, chip_reap) and nowhere when
 * not asked for.
 */
#include <errno.h>
#include <stdlib.h>
#include "helpers.h"
#include "chiptest.h"

#define N 4096
#define VEC_TASKS 5

static float out[N];

/* The vector example (a = 2, b = 3) with @o's timeline; 47.0 checked. */
static int run_vector(struct chip_dev *dev, int32_t cid,
		      struct chip_run_opts *o, struct chip_run_result *res,
		      uint64_t *seq)
{
	struct chip_store st;
	struct chip_args args;
	uint64_t d[3] = { 0 };
	static const float init[3] = { 2.0f, 3.0f, -1.0f };
	float *h = malloc(N * sizeof(float));
	int rc = h ? 0 : -ENOMEM, i, j;

	for (i = 0; !rc && i < 3; i++) {
		rc = chip_malloc(dev, N * 4, &d[i]);
		for (j = 0; !rc && j < N; j++)
			h[j] = init[i];
		if (!rc)
			rc = chip_copy_to(dev, d[i], h, N * 4);
	}
	if (rc)
		goto out;
	chip_args_init(&args);
	for (i = 0; i < 3; i++)
		ct_add_f32(&args, d[i], N);
	st.dev_addr = d[2];
	st.host = out;
	st.size = sizeof(out);
	o->stores = &st;
	o->nstores = 1;
	memset(out, 0, sizeof(out));
	if (seq)
		rc = chip_submit(dev, cid, &args, o, seq);
	else
		rc = chip_run(dev, cid, &args, o, res);
	if (!rc && seq)
		rc = chip_wait(dev, *seq, 0, res);
	if (!rc && ct_mismatches(out, N, 47.0f))
		rc = -EIO;
out:
	for (i = 0; i < 3; i++)
		if (d[i])
			chip_free(dev, d[i]);
	free(h);
	return rc;
}

static struct chip_timeline *tl_new(uint32_t cap)
{
	struct chip_timeline *tl = malloc(CHIP_TIMELINE_SIZE(cap));

	if (tl)
		memset(tl, 0xa5, CHIP_TIMELINE_SIZE(cap));
	return tl;
}

/* func_id @id is one of @img's children, of core type @type. */
static int is_child(const void *img, int32_t id, uint32_t type)
{
	const struct chip_callable_hdr *hdr = img;
	const struct chip_child_hdr *c;
	uint32_t i;

	for (i = 0; i < hdr->child_count; i++) {
		c = (const void *)((const char *)img + hdr->child_offsets[i]);
		if (hdr->child_func_ids[i] == id)
			return c->core_type == type;
	}
	return 0;
}

/*
 * The spans of a completed run: @count of them, each within the run's
 * device time, on a core of the run, running a child of @img; distinct
 * task ids below @ntasks; the spans of one core disjoint.
 */
static int check_spans(const struct chip_timeline *tl, uint32_t count,
		       uint32_t ntasks, const struct chip_run_result *res,
		       const void *img, uint32_t block_dim)
{
	static unsigned char seen[CHIP_MAX_SPANS];
	uint32_t i, j;

	CHECK(ntasks <= CHIP_MAX_SPANS);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < count; i++) {
		const struct chip_span *a = &tl->spans[i];

		CHECK(a->end_ns >= a->start_ns);
		CHECK(a->end_ns <= res->device_ns);
		CHECK(a->core_type == CHIP_CORE_AIC ||
		      a->core_type == CHIP_CORE_AIV);
		CHECK(a->core < (a->core_type == CHIP_CORE_AIC ? 1 : 2) *
				block_dim);
		CHECK(is_child(img, a->func_id, a->core_type));
		CHECK(a->task < ntasks);
		CHECK(!seen[a->task]);
		seen[a->task] = 1;
		CHECK_EQ(a->reserved, 0);
		for (j = 0; j < i; j++) {
			const struct chip_span *b = &tl->spans[j];

			if (a->core_type != b->core_type || a->core != b->core)
				continue;
			/* One core, one task at a time. */
			CHECK(a->start_ns >= b->end_ns ||
			      b->start_ns >= a->end_ns);
		}
	}
	return 0;
}

/* "X" events of @tl's Chrome trace (chip_timeline_write_json()). */
static int count_x_events(const struct chip_timeline *tl)
{
	char *buf = NULL, *p;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int n = 0;

	if (!f)
		return -ENOMEM;
	if (chip_timeline_write_json(tl, f, ct_platform(), 1)) {
		fclose(f);
		free(buf);
		return -EIO;
	}
	fclose(f);
	for (p = buf; (p = strstr(p, "\"ph\": \"X\"")); p++)
		n++;
	free(buf);
	return n;
}

/* The vector example's 5 tasks, on both runtimes, with room to spare. */
static int test_vector_timeline(void)
{
	struct chip_run_opts o = { .sz = sizeof(o), .block_dim = 2 };
	struct chip_run_result res;
	struct chip_timeline *tl = tl_new(64);
	struct chip_dev *dev;
	size_t len;
	void *img;
	uint32_t rt;

	CHECK(tl);
	CHECK_EQ(ct_open(&dev, NULL), 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(ct_build(CT_VECTOR, rt, &img, &len), 0);
		CHECK_EQ(chip_register(dev, 3, img, len, NULL), 0);
		memset(tl, 0xa5, CHIP_TIMELINE_SIZE(64));
		o.timeline = tl;
		o.timeline_cap = 64;
		CHECK_EQ(run_vector(dev, 3, &o, &res, NULL), 0);
		CHECK_EQ(res.status, CHIP_STATUS_OK);
		CHECK_EQ(res.tasks, VEC_TASKS);
		CHECK_EQ(tl->tasks, res.tasks);
		CHECK_EQ(tl->count, VEC_TASKS);
		CHECK_EQ(tl->reserved, 0);
		CHECK_EQ(check_spans(tl, tl->count, VEC_TASKS, &res, img, 2),
			 0);
		/* Nothing past the count is written. */
		CHECK_EQ(tl->spans[VEC_TASKS].start_ns, 0xa5a5a5a5a5a5a5a5ull);
		CHECK_EQ(count_x_events(tl), VEC_TASKS);
		CHECK_EQ(chip_unregister(dev, 3), 0);
		free(img);
	}
	chip_close(dev);
	free(tl);
	return 0;
}

/* Capacity 2: two spans, the 5 tasks counted, nothing written past them. */
static int test_overflow_counted(void)
{
	struct chip_run_opts o = { .sz = sizeof(o) };
	struct chip_run_result res;
	struct chip_timeline *tl = tl_new(3);
	struct chip_dev *dev;
	size_t len;
	void *img;
	uint32_t rt, bd = ct_platform_id() == CHIP_PLATFORM_A5 ? 36 : 24;

	CHECK(tl);
	CHECK_EQ(ct_open(&dev, NULL), 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(ct_build(CT_VECTOR, rt, &img, &len), 0);
		CHECK_EQ(chip_register(dev, 0, img, len, NULL), 0);
		memset(tl, 0xa5, CHIP_TIMELINE_SIZE(3));
		o.timeline = tl;
		o.timeline_cap = 2;
		CHECK_EQ(run_vector(dev, 0, &o, &res, NULL), 0);
		CHECK_EQ(res.tasks, VEC_TASKS);
		CHECK_EQ(tl->tasks, VEC_TASKS);
		CHECK_EQ(tl->count, 2);
		CHECK_EQ(check_spans(tl, 2, VEC_TASKS, &res, img, bd), 0);
		CHECK_EQ(tl->spans[2].start_ns, 0xa5a5a5a5a5a5a5a5ull);
		CHECK_EQ(tl->spans[2].task, 0xa5a5a5a5u);
		CHECK_EQ(chip_unregister(dev, 0), 0);
		free(img);
	}
	chip_close(dev);
	free(tl);
	return 0;
}

/* The capacity's bounds; and a run without a timeline writes none. */
static int test_bounds_and_absence(void)
{
	struct chip_run_opts o = { .sz = sizeof(o) };
	struct chip_run_result res;
	struct chip_timeline *tl = tl_new(CHIP_MAX_SPANS);
	struct chip_timeline *copy = tl_new(8);
	struct chip_args args;
	struct chip_dev *dev;
	uint64_t seq;

	CHECK(tl && copy);
	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, 1, CT_VECTOR,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	chip_args_init(&args);
	o.timeline = tl;
	o.timeline_cap = CHIP_MAX_SPANS + 1;
	CHECK_EQ(chip_run(dev, 1, &args, &o, &res), -E2BIG);
	CHECK_EQ(chip_submit(dev, 1, &args, &o, &seq), -E2BIG);
	o.timeline_cap = 0;
	CHECK_EQ(chip_run(dev, 1, &args, &o, &res), -EINVAL);
	o.timeline = NULL;
	o.timeline_cap = 4;
	CHECK_EQ(chip_run(dev, 1, &args, &o, &res), -EINVAL);
	/* Refused requests wrote nothing. */
	CHECK_EQ(tl->count, 0xa5a5a5a5u);

	/* The largest capacity is accepted. */
	o.timeline = tl;
	o.timeline_cap = CHIP_MAX_SPANS;
	CHECK_EQ(run_vector(dev, 1, &o, &res, NULL), 0);
	CHECK_EQ(tl->count, VEC_TASKS);
	CHECK_EQ(tl->tasks, VEC_TASKS);

	/* A later run without a timeline leaves the buffer alone. */
	memcpy(copy, tl, CHIP_TIMELINE_SIZE(8));
	o.timeline = NULL;
	o.timeline_cap = 0;
	CHECK_EQ(run_vector(dev, 1, &o, &res, NULL), 0);
	CHECK_EQ(res.tasks, VEC_TASKS);
	CHECK_EQ(memcmp(copy, tl, CHIP_TIMELINE_SIZE(8)), 0);
	chip_close(dev);
	free(copy);
	free(tl);
	return 0;
}

/* Queued runs: written by chip_wait() and by chip_reap(). */
static int test_async_delivery(void)
{
	struct chip_run_opts o = { .sz = sizeof(o) };
	struct chip_run_result res[4];
	struct chip_timeline *tl[4];
	struct chip_args args;
	struct chip_dev *dev;
	uint64_t seq[4];
	int i, n, got = 0;

	for (i = 0; i < 4; i++) {
		tl[i] = tl_new(600);
		CHECK(tl[i]);
	}
	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, 2, CT_VECTOR,
			     CHIP_RUNTIME_HOST_BUILD_GRAPH), 0);
	CHECK_EQ(ct_register(dev, 4, CT_MANY,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	o.timeline = tl[0];
	o.timeline_cap = 8;
	CHECK_EQ(run_vector(dev, 2, &o, &res[0], &seq[0]), 0);
	CHECK_EQ(res[0].status, CHIP_STATUS_OK);
	CHECK_EQ(tl[0]->count, VEC_TASKS);
	CHECK_EQ(tl[0]->tasks, VEC_TASKS);

	/* Three runs of 1, 2 and 500 null tasks, reaped. */
	o.stores = NULL;
	o.nstores = 0;
	for (i = 1; i < 4; i++) {
		chip_args_init(&args);
		CHECK_EQ(chip_args_add_scalar(&args, i == 3 ? 500 : i), 0);
		o.timeline = tl[i];
		o.timeline_cap = 600;
		CHECK_EQ(chip_submit(dev, 4, &args, &o, &seq[i]), 0);
	}
	while (got < 3) {
		n = chip_reap(dev, res, 3, 1, 0);
		CHECK(n > 0);
		for (i = 0; i < n; i++) {
			int k = res[i].seq == seq[1] ? 1 :
				res[i].seq == seq[2] ? 2 : 3;
			uint32_t want = k == 3 ? 500 : (uint32_t)k;

			CHECK_EQ(res[i].seq, seq[k]);
			CHECK_EQ(res[i].status, CHIP_STATUS_OK);
			CHECK_EQ(res[i].tasks, want);
			CHECK_EQ(tl[k]->tasks, want);
			CHECK_EQ(tl[k]->count, want);
		}
		got += n;
	}
	chip_close(dev);
	for (i = 0; i < 4; i++)
		free(tl[i]);
	return 0;
}

/* A failed run: its completed tasks, none for an orchestration error. */
static int test_failed_run(void)
{
	struct chip_run_opts o = { .sz = sizeof(o) };
	struct chip_run_result res;
	struct chip_timeline *tl = tl_new(8);
	struct chip_args args;
	struct chip_dev *dev;
	uint32_t rt;

	CHECK(tl);
	CHECK_EQ(ct_open(&dev, NULL), 0);
	FOR_EACH_RUNTIME(rt) {
		CHECK_EQ(ct_register(dev, 5, CT_FATAL, rt), 0);
		chip_args_init(&args);
		memset(tl, 0xa5, CHIP_TIMELINE_SIZE(8));
		o.timeline = tl;
		o.timeline_cap = 8;
		CHECK_EQ(chip_run(dev, 5, &args, &o, &res), 0);
		CHECK_EQ(res.status, CHIP_STATUS_ORCH_ERROR);
		CHECK_EQ(tl->tasks, res.tasks);
		CHECK_EQ(tl->count, res.tasks);
		CHECK_EQ(chip_unregister(dev, 5), 0);
	}
	chip_close(dev);
	free(tl);
	return 0;
}

/* chip_timeline_write_json(): errors, and a well-formed event per span. */
static int test_write_json(void)
{
	struct chip_timeline *tl = tl_new(2);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	CHECK(tl);
	memset(tl, 0, CHIP_TIMELINE_SIZE(2));
	tl->count = 2;
	tl->tasks = 3;
	tl->spans[0] = (struct chip_span){ .start_ns = 1500, .end_ns = 4000,
					   .task = 7, .func_id = 2,
					   .core = 1,
					   .core_type = CHIP_CORE_AIV };
	tl->spans[1] = (struct chip_span){ .start_ns = 0, .end_ns = 999,
					   .task = 0, .func_id = 0,
					   .core_type = CHIP_CORE_AIC };
	f = open_memstream(&buf, &len);
	CHECK(f);
	CHECK_EQ(chip_timeline_write_json(NULL, f, "x", 0), -EINVAL);
	CHECK_EQ(chip_timeline_write_json(tl, NULL, "x", 0), -EINVAL);
	CHECK_EQ(chip_timeline_write_json(tl, f, "x", -1), -EINVAL);
	tl->spans[1].end_ns = 0;
	tl->spans[1].start_ns = 1;
	CHECK_EQ(chip_timeline_write_json(tl, f, "x", 0), -EINVAL);
	tl->spans[1].start_ns = 0;
	tl->spans[1].end_ns = 999;
	CHECK_EQ(chip_timeline_write_json(tl, f, "dev\"0", 3), 0);
	fclose(f);
	CHECK(strstr(buf, "\"traceEvents\": ["));
	CHECK(strstr(buf, "\"name\": \"dev\\\"0\""));
	CHECK(strstr(buf, "\"tid\": 1002, \"args\": {\"name\": \"AIV 1\"}"));
	CHECK(strstr(buf, "\"tid\": 1, \"args\": {\"name\": \"AIC 0\"}"));
	CHECK(strstr(buf, "\"name\": \"func 2\", \"cat\": \"task\", \"ph\": "
		      "\"X\", \"pid\": 3, \"tid\": 1002, \"ts\": 1.500, "
		      "\"dur\": 2.500, \"args\": {\"task\": 7, \"func_id\": 2"));
	CHECK(strstr(buf, "\"ts\": 0.000, \"dur\": 0.999"));
	free(buf);
	free(tl);
	return 0;
}

int main(int argc, char **argv)
{
	ct_init(argc, argv);
	T_RUN(test_vector_timeline);
	T_RUN(test_overflow_counted);
	T_RUN(test_bounds_and_absence);
	T_RUN(test_async_delivery);
	T_RUN(test_failed_run);
	T_RUN(test_write_json);
	return T_DONE();
}
