// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Soak: many threads on one device, every call of the API mixed at
 * random, bounded in operations.  Meant to run under ASan and TSan.
 *
 *	test_soak [platform]
 *
 * $CHIP_SOAK_SEED (default 1), $CHIP_SOAK_THREADS (default 6) and
 * $CHIP_SOAK_OPS (operations per thread, default 4000) select the run;
 * the seed is printed so that a failure can be replayed.
 *
 * Each thread: synchronous runs (null, and vector runs whose results are
 * checked), chip_submit() and chip_submit_batch() of null runs, chip_reap()
 * and chip_wait() of its latest run, register/unregister of a cid of its
 * own (also with one of its runs still queued), malloc/copy/free with the
 * data checked.  Every completion of a submitted run is accounted for
 * exactly once, by whichever thread took it, and none is of a run nobody
 * submitted; at the end the counters match what the threads did.
 */
#include <errno.h>
#include <pthread.h>
#include "helpers.h"
#include "chiptest.h"

#define VN		1024
#define MAX_THREADS	16
#define CID_NULL	0
#define CID_VEC		1
#define CID_VEC_HBG	2
#define CID_OWN		10

static struct chip_dev *dev;
static int nthreads = 6;
static long nops = 4000;
static unsigned long long seed = 1;

/* ---- accounting of submitted runs ---------------------------------------- */

struct acct {
	uint64_t seq;		/* 0: free */
	uint8_t submitted;
	uint8_t taken;		/* times its completion was taken */
};

static pthread_mutex_t acct_lock = PTHREAD_MUTEX_INITIALIZER;
static struct acct *acct;
static size_t acct_cap;
static uint64_t sync_runs, async_runs, failures;

static struct acct *acct_find(uint64_t seq)
{
	size_t i = (size_t)(seq * 0x9e3779b97f4a7c15ull) & (acct_cap - 1);

	while (acct[i].seq && acct[i].seq != seq)
		i = (i + 1) & (acct_cap - 1);
	acct[i].seq = seq;
	return &acct[i];
}

static void note_submitted(uint64_t seq)
{
	pthread_mutex_lock(&acct_lock);
	acct_find(seq)->submitted++;
	async_runs++;
	pthread_mutex_unlock(&acct_lock);
}

static void note_taken(const struct chip_run_result *r)
{
	pthread_mutex_lock(&acct_lock);
	acct_find(r->seq)->taken++;
	if (r->status != CHIP_STATUS_OK)
		failures++;
	pthread_mutex_unlock(&acct_lock);
}

static void note_sync(void)
{
	pthread_mutex_lock(&acct_lock);
	sync_runs++;
	pthread_mutex_unlock(&acct_lock);
}

/* ---- one thread ---------------------------------------------------------- */

struct worker {
	int id;
	unsigned long long rng;
	uint64_t a, b, f;		/* vector buffers */
	void *own_img[2];		/* its cid's two images */
	size_t own_len[2];
	int own_reg;			/* its cid is registered */
	uint64_t last_seq;		/* its latest submitted run, or 0 */
	int err;
	char what[128];
};

static uint32_t rnd(struct worker *w, uint32_t n)
{
	w->rng = w->rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(w->rng >> 33) % n;
}

#define FAIL(w, ...) do {						\
	snprintf((w)->what, sizeof((w)->what), __VA_ARGS__);		\
	(w)->err = 1;							\
	return -1;							\
} while (0)

static int op_sync_null(struct worker *w)
{
	struct chip_run_result res;
	struct chip_args args;
	int rc;

	chip_args_init(&args);
	rc = chip_run(dev, CID_NULL, &args, NULL, &res);
	if (rc || res.status != CHIP_STATUS_OK)
		FAIL(w, "sync null run: rc %d status %u", rc, res.status);
	note_sync();
	return 0;
}

static int op_sync_vector(struct worker *w)
{
	float in[VN], out[VN], a = (float)rnd(w, 8);
	struct chip_run_opts o = { .sz = sizeof(o) };
	struct chip_run_result res;
	struct chip_store st;
	struct chip_args args;
	uint32_t i, n = VN;
	int rc;

	for (i = 0; i < VN; i++)
		in[i] = a;
	if (chip_copy_to(dev, w->a, in, sizeof(in)))
		FAIL(w, "copy_to");
	chip_args_init(&args);
	chip_args_add_tensor(&args, w->a, CHIP_DT_FLOAT32, 1, &n);
	chip_args_add_tensor(&args, w->b, CHIP_DT_FLOAT32, 1, &n);
	chip_args_add_tensor(&args, w->f, CHIP_DT_FLOAT32, 1, &n);
	memset(out, 0, sizeof(out));
	st.dev_addr = w->f;
	st.host = out;
	st.size = sizeof(out);
	o.stores = &st;
	o.nstores = 1;
	rc = chip_run(dev, rnd(w, 2) ? CID_VEC : CID_VEC_HBG, &args, &o, &res);
	if (rc || res.status != CHIP_STATUS_OK)
		FAIL(w, "sync vector run: rc %d status %u", rc, res.status);
	if (ct_mismatches(out, VN, ct_vector_ref(a, 3.0f)))
		FAIL(w, "vector result");
	note_sync();
	return 0;
}

static int op_submit(struct worker *w)
{
	struct chip_batch_run b[8];
	struct chip_args args;
	int i, n = 1 + (int)rnd(w, 8), rc;
	uint64_t seq;

	chip_args_init(&args);
	if (n == 1) {
		rc = chip_submit(dev, CID_NULL, &args, NULL, &seq);
		if (rc == -EBUSY)
			return 0;
		if (rc)
			FAIL(w, "submit: %d", rc);
		note_submitted(seq);
		w->last_seq = seq;
		return 0;
	}
	memset(b, 0, sizeof(b));
	for (i = 0; i < n; i++) {
		b[i].cid = CID_NULL;
		b[i].args = &args;
	}
	rc = chip_submit_batch(dev, b, n);
	if (rc < 0)
		FAIL(w, "submit_batch: %d", rc);
	for (i = 0; i < n; i++) {
		if (b[i].ret == -EBUSY)
			continue;
		if (b[i].ret)
			FAIL(w, "submit_batch entry: %d", b[i].ret);
		note_submitted(b[i].seq);
		w->last_seq = b[i].seq;
	}
	return 0;
}

static int op_reap(struct worker *w)
{
	struct chip_run_result res[16];
	int i, n;

	n = chip_reap(dev, res, 16, (int)rnd(w, 3), 0);
	if (n < 0)
		FAIL(w, "reap: %d", n);
	for (i = 0; i < n; i++)
		note_taken(&res[i]);
	return 0;
}

static int op_wait(struct worker *w)
{
	struct chip_run_result res;
	int rc;

	if (!w->last_seq)
		return 0;
	rc = chip_wait(dev, w->last_seq, 0, &res);
	if (rc == -ENOENT) {	/* a reaper took it */
		w->last_seq = 0;
		return 0;
	}
	if (rc || res.seq != w->last_seq)
		FAIL(w, "wait: %d", rc);
	note_taken(&res);
	w->last_seq = 0;
	return 0;
}

/* Toggle the thread's own cid; sometimes with a run of it queued. */
static int op_own_cid(struct worker *w)
{
	int32_t cid = CID_OWN + w->id;
	struct chip_run_result res;
	struct chip_args args;
	int k = (int)rnd(w, 2), rc;
	uint64_t seq;

	chip_args_init(&args);
	if (!w->own_reg) {
		rc = chip_register(dev, cid, w->own_img[k], w->own_len[k],
				   NULL);
		if (rc)
			FAIL(w, "register own: %d", rc);
		w->own_reg = 1;
		rc = chip_run(dev, cid, &args, NULL, &res);
		if (rc || res.status != CHIP_STATUS_OK)
			FAIL(w, "run own: %d %u", rc, res.status);
		note_sync();
		return 0;
	}
	if (rnd(w, 2)) {
		rc = chip_submit(dev, cid, &args, NULL, &seq);
		if (rc && rc != -EBUSY)
			FAIL(w, "submit own: %d", rc);
		if (!rc) {
			note_submitted(seq);
			w->last_seq = seq;
		}
	}
	rc = chip_unregister(dev, cid);
	if (rc)
		FAIL(w, "unregister own: %d", rc);
	w->own_reg = 0;
	rc = chip_run(dev, cid, &args, NULL, &res);
	if (rc != -ENOENT)
		FAIL(w, "run of an unregistered cid: %d", rc);
	return 0;
}

static int op_memory(struct worker *w)
{
	unsigned char in[3000], back[3000];
	uint64_t size = 1 + rnd(w, sizeof(in)), addr;
	uint64_t i;
	int rc;

	rc = chip_malloc(dev, size, &addr);
	if (rc)
		FAIL(w, "malloc: %d", rc);
	for (i = 0; i < size; i++)
		in[i] = (unsigned char)(w->rng >> (i & 31));
	if (chip_copy_to(dev, addr, in, size) ||
	    chip_copy_from(dev, back, addr, size) || memcmp(in, back, size))
		FAIL(w, "copy round trip");
	/*
	 * No second free to check -ENOENT here (test_api does): freed
	 * addresses are reused, and another thread may already have been
	 * given this one.
	 */
	rc = chip_free(dev, addr);
	if (rc)
		FAIL(w, "free: %d", rc);
	return 0;
}

static void *worker_main(void *arg)
{
	static int (*const ops[])(struct worker *) = {
		op_sync_null, op_sync_null, op_sync_vector, op_submit,
		op_submit, op_reap, op_wait, op_own_cid, op_memory,
	};
	struct worker *w = arg;
	long i;

	for (i = 0; i < nops && !w->err; i++)
		ops[rnd(w, sizeof(ops) / sizeof(ops[0]))](w);
	if (!w->err && w->own_reg && chip_unregister(dev, CID_OWN + w->id)) {
		snprintf(w->what, sizeof(w->what), "final unregister");
		w->err = 1;
	}
	return NULL;
}

static int setup_worker(struct worker *w, int id)
{
	float b[VN];
	int i;

	memset(w, 0, sizeof(*w));
	w->id = id;
	w->rng = seed * 1000003ull + (unsigned long long)id;
	for (i = 0; i < VN; i++)
		b[i] = 3.0f;
	CHECK_EQ(chip_malloc(dev, sizeof(b), &w->a), 0);
	CHECK_EQ(chip_malloc(dev, sizeof(b), &w->b), 0);
	CHECK_EQ(chip_malloc(dev, sizeof(b), &w->f), 0);
	CHECK_EQ(chip_copy_to(dev, w->b, b, sizeof(b)), 0);
	CHECK_EQ(ct_build(CT_NULL, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER,
			  &w->own_img[0], &w->own_len[0]), 0);
	CHECK_EQ(ct_build(CT_NULL, CHIP_RUNTIME_HOST_BUILD_GRAPH,
			  &w->own_img[1], &w->own_len[1]), 0);
	return 0;
}

static int test_soak(void)
{
	static struct worker w[MAX_THREADS];
	struct chip_run_result res[64];
	struct chip_counters c0, c;
	pthread_t th[MAX_THREADS];
	uint64_t ok = 0;
	size_t i;
	int t, n;

	printf("# seed %llu, %d threads, %ld operations each\n", seed,
	       nthreads, nops);
	acct_cap = 1;
	while (acct_cap < (size_t)nthreads * (size_t)nops * 16)
		acct_cap <<= 1;
	acct = calloc(acct_cap, sizeof(*acct));
	CHECK(acct != NULL);
	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(ct_register(dev, CID_NULL, CT_NULL,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	CHECK_EQ(ct_register(dev, CID_VEC, CT_VECTOR,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	CHECK_EQ(ct_register(dev, CID_VEC_HBG, CT_VECTOR,
			     CHIP_RUNTIME_HOST_BUILD_GRAPH), 0);
	for (t = 0; t < nthreads; t++)
		CHECK_EQ(setup_worker(&w[t], t), 0);
	CHECK_EQ(chip_counters(dev, &c0), 0);
	for (t = 0; t < nthreads; t++)
		CHECK_EQ(pthread_create(&th[t], NULL, worker_main, &w[t]), 0);
	for (t = 0; t < nthreads; t++)
		CHECK_EQ(pthread_join(th[t], NULL), 0);
	for (t = 0; t < nthreads; t++) {
		if (w[t].err)
			fprintf(stderr, "thread %d: %s\n", t, w[t].what);
		CHECK_EQ(w[t].err, 0);
	}
	/* Collect what is left; then nothing is. */
	while ((n = chip_reap(dev, res, 64, 1, 0)) > 0)
		for (t = 0; t < n; t++)
			note_taken(&res[t]);
	CHECK_EQ(n, 0);

	for (i = 0; i < acct_cap; i++) {
		if (!acct[i].seq)
			continue;
		if (acct[i].submitted != 1 || acct[i].taken != 1)
			fprintf(stderr, "seq %llu: submitted %u, taken %u\n",
				(unsigned long long)acct[i].seq,
				acct[i].submitted, acct[i].taken);
		CHECK_EQ(acct[i].submitted, 1);
		CHECK_EQ(acct[i].taken, 1);
	}
	CHECK_EQ(failures, 0);
	CHECK_EQ(chip_counters(dev, &c), 0);
	for (i = 0; i < CHIP_STATUS_COUNT; i++)
		ok += c.runs[i] - c0.runs[i];
	CHECK_EQ(ok, sync_runs + async_runs);
	CHECK_EQ(c.runs[CHIP_STATUS_OK] - c0.runs[CHIP_STATUS_OK], ok);
	CHECK_EQ(c.registered, 3);
	printf("# %llu synchronous, %llu submitted runs\n",
	       (unsigned long long)sync_runs, (unsigned long long)async_runs);
	for (t = 0; t < nthreads; t++) {
		free(w[t].own_img[0]);
		free(w[t].own_img[1]);
	}
	chip_close(dev);
	free(acct);
	return 0;
}

int main(int argc, char **argv)
{
	const char *e;

	ct_init(argc, argv);
	e = getenv("CHIP_SOAK_SEED");
	if (e && *e)
		seed = strtoull(e, NULL, 0);
	e = getenv("CHIP_SOAK_THREADS");
	if (e && *e)
		nthreads = atoi(e);
	e = getenv("CHIP_SOAK_OPS");
	if (e && *e)
		nops = atol(e);
	if (nthreads < 1 || nthreads > MAX_THREADS || nops < 1) {
		fprintf(stderr, "bad CHIP_SOAK_THREADS or CHIP_SOAK_OPS\n");
		return 2;
	}
	T_RUN(test_soak);
	return T_DONE();
}
