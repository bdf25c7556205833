// SPDX-License-Identifier: MIT
/*
 * libchip front end: handle validation, option resolution, argument
 * encoding, host orchestration, and dispatch to a backend.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "internal.h"
#include "chipc.h"

/*
 * Handles.  The struct chip_dev * a caller holds is a token, never an
 * address: the index of a slot of the handle table plus one in the low
 * HANDLE_IDX_BITS, that slot's generation above.  A slot gets a new
 * generation when its device is closed, so a closed handle never reaches
 * a device opened later, whatever memory the allocator hands out.  Each
 * slot's state word holds its generation, a closing bit and the number
 * of calls in progress: a call enters with one compare-and-swap (no lock,
 * no scan) and chip_close() waits until the count drains.
 */
#define HANDLE_IDX_BITS		16
#define HANDLE_CHUNK		256
#define HANDLE_MAX		(1u << HANDLE_IDX_BITS)
#define HANDLE_GEN_BITS		(8 * sizeof(uintptr_t) - HANDLE_IDX_BITS < 32 ? \
				 8 * sizeof(uintptr_t) - HANDLE_IDX_BITS : 32)
#define HANDLE_GEN_MASK		((1ull << HANDLE_GEN_BITS) - 1)
#define ST_CLOSING		(1ull << 31)
#define ST_USERS		(ST_CLOSING - 1)
#define ST_GEN(st)		((st) >> 32)

struct handle_slot {
	uint64_t state;			/* gen << 32 | ST_CLOSING | users */
	struct chip_dev *dev;
	uint32_t next_free;
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reg_cond = PTHREAD_COND_INITIALIZER;
static struct handle_slot *handle_chunks[HANDLE_MAX / HANDLE_CHUNK];
static uint32_t handle_count;		/* slots created; grows only */
static uint32_t handle_free = UINT32_MAX;	/* free slots, a list */

static struct handle_slot *slot_at(uint32_t idx)
{
	return &handle_chunks[idx / HANDLE_CHUNK][idx % HANDLE_CHUNK];
}

static struct chip_dev *token(uint32_t idx, uint64_t gen)
{
	return (struct chip_dev *)(uintptr_t)(((gen & HANDLE_GEN_MASK) <<
					       HANDLE_IDX_BITS) | (idx + 1));
}

/* The slot a token names, or NULL. */
static struct handle_slot *slot_of(const struct chip_dev *h, uint64_t *gen)
{
	uintptr_t t = (uintptr_t)h;
	uint32_t idx = (uint32_t)(t & (HANDLE_MAX - 1));

	if (!idx || idx > __atomic_load_n(&handle_count, __ATOMIC_ACQUIRE))
		return NULL;
	*gen = (uint64_t)(t >> HANDLE_IDX_BITS);
	return slot_at(idx - 1);
}

/* Enter a call on handle @h: its device, or NULL and *@rc = -EBADF. */
static struct chip_dev *dev_get(struct chip_dev *h, int *rc)
{
	struct handle_slot *slot;
	uint64_t gen, st;

	*rc = -EBADF;
	slot = slot_of(h, &gen);
	if (!slot)
		return NULL;
	st = __atomic_load_n(&slot->state, __ATOMIC_ACQUIRE);
	do {
		if ((ST_GEN(st) & HANDLE_GEN_MASK) != gen ||
		    (st & ST_CLOSING) || (st & ST_USERS) == ST_USERS)
			return NULL;
	} while (!__atomic_compare_exchange_n(&slot->state, &st, st + 1, 1,
					      __ATOMIC_ACQUIRE,
					      __ATOMIC_ACQUIRE));
	*rc = 0;
	return slot->dev;
}

static void dev_put(struct chip_dev *dev)
{
	struct handle_slot *slot = slot_at(dev->handle_slot);
	uint64_t st = __atomic_sub_fetch(&slot->state, 1, __ATOMIC_ACQ_REL);

	if ((st & ST_CLOSING) && !(st & ST_USERS)) {
		pthread_mutex_lock(&reg_lock);
		pthread_cond_broadcast(&reg_cond);
		pthread_mutex_unlock(&reg_lock);
	}
}

/* A free slot for @dev; returns its token or NULL (table full). */
static struct chip_dev *handle_new(struct chip_dev *dev)
{
	struct handle_slot *slot, *chunk;
	struct chip_dev *t = NULL;
	uint32_t idx;
	uint64_t st;

	pthread_mutex_lock(&reg_lock);
	if (handle_free != UINT32_MAX) {
		idx = handle_free;
		handle_free = slot_at(idx)->next_free;
	} else if (handle_count < HANDLE_MAX) {
		idx = handle_count;
		if (!handle_chunks[idx / HANDLE_CHUNK]) {
			chunk = calloc(HANDLE_CHUNK, sizeof(*chunk));
			if (!chunk)
				goto out;
			handle_chunks[idx / HANDLE_CHUNK] = chunk;
		}
		slot_at(idx)->state = 1ull << 32;
		__atomic_store_n(&handle_count, idx + 1, __ATOMIC_RELEASE);
	} else {
		goto out;
	}
	slot = slot_at(idx);
	slot->dev = dev;
	dev->handle_slot = idx;
	/* Publish @dev to every call that loads the state with acquire. */
	st = __atomic_load_n(&slot->state, __ATOMIC_RELAXED);
	__atomic_store_n(&slot->state, st, __ATOMIC_RELEASE);
	t = token(idx, ST_GEN(st));
out:
	pthread_mutex_unlock(&reg_lock);
	return t;
}

/*
 * Host orchestrations running in this thread, innermost first: the
 * calls that would wait for the orchestration's own call to finish
 * (register, unregister, close of the same device) refuse instead.
 */
struct orch_frame {
	struct chip_dev *dev;
	struct orch_frame *up;
};

static __thread struct orch_frame *orch_top;

static int in_orch(const struct chip_dev *dev)
{
	const struct orch_frame *f;

	for (f = orch_top; f; f = f->up)
		if (f->dev == dev)
			return 1;
	return 0;
}

uint64_t chip_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const struct {
	const char *name;
	uint32_t platform;
	int sim;
} platforms[] = {
	{ "a2a3sim", CHIP_PLATFORM_A2A3, 1 },
	{ "a5sim", CHIP_PLATFORM_A5, 1 },
	{ "a2a3", CHIP_PLATFORM_A2A3, 0 },
	{ "a5", CHIP_PLATFORM_A5, 0 },
};

/* Non-zero when the bytes of an options struct past @known are all zero. */
static int opts_tail_zero(const void *opts, size_t sz, size_t known)
{
	const unsigned char *p = opts;

	for (; known < sz; known++)
		if (p[known])
			return 0;
	return 1;
}

#define OPTS_OK(o, type) \
	(!(o) || ((o)->sz >= sizeof(size_t) && \
		  opts_tail_zero((o), (o)->sz, sizeof(type))))

int chip_open(const char *platform, const struct chip_open_opts *opts,
	      struct chip_dev **devp)
{
	const struct chip_backend_ops *ops = NULL;
	struct chip_open_opts o = { .sz = sizeof(o) };
	struct chip_info info;
	struct chip_dev *dev, *h;
	uint32_t plat = 0;
	size_t i;
	int rc;

	chip_set_error("%s", "");
	if (!platform || !devp || !OPTS_OK(opts, struct chip_open_opts))
		return -EINVAL;
	*devp = NULL;
	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	if (o.pad)
		return -EINVAL;
	for (i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++) {
		if (!strcmp(platform, platforms[i].name)) {
			plat = platforms[i].platform;
			ops = platforms[i].sim ? &chip_sim_backend :
						 &chip_kernel_backend;
			break;
		}
	}
	if (!ops) {
		chip_set_error("%s: unknown platform (a2a3, a5, a2a3sim, a5sim)",
			       platform);
		return -EINVAL;
	}

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->ops = ops;
	dev->platform = plat;
	snprintf(dev->name, sizeof(dev->name), "%s", platform);
	pthread_rwlock_init(&dev->host_lock, NULL);
	pthread_mutex_init(&dev->synth_lock, NULL);
	rc = ops->open(dev, plat, &o);
	if (rc)
		goto err_free;
	rc = ops->info(dev, &info);
	if (rc)
		goto err_close;
	dev->heap_va = info.heap_va;
	dev->heap_size = info.heap_size;

	h = handle_new(dev);
	rc = -EMFILE;
	if (!h)
		goto err_close;
	*devp = h;
	return 0;

err_close:
	ops->close(dev);
err_free:
	pthread_rwlock_destroy(&dev->host_lock);
	pthread_mutex_destroy(&dev->synth_lock);
	free(dev);
	return rc;
}

void chip_close(struct chip_dev *h)
{
	struct handle_slot *slot;
	struct chip_dev *dev;
	struct chip_synth *s;
	uint64_t gen, st;
	uint32_t idx;
	int i;

	slot = slot_of(h, &gen);
	if (!slot)
		return;
	st = __atomic_load_n(&slot->state, __ATOMIC_ACQUIRE);
	do {
		if ((ST_GEN(st) & HANDLE_GEN_MASK) != gen || (st & ST_CLOSING))
			return;
		/* From inside its own host orchestration it would never return. */
		if (in_orch(slot->dev))
			return;
	} while (!__atomic_compare_exchange_n(&slot->state, &st,
					      st | ST_CLOSING, 1,
					      __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	dev = slot->dev;
	idx = dev->handle_slot;

	/* Wake blocked waiters, cancel queued runs. */
	if (dev->ops->shutdown)
		dev->ops->shutdown(dev);

	pthread_mutex_lock(&reg_lock);
	while (__atomic_load_n(&slot->state, __ATOMIC_ACQUIRE) & ST_USERS)
		pthread_cond_wait(&reg_cond, &reg_lock);
	pthread_mutex_unlock(&reg_lock);

	dev->ops->close(dev);
	for (i = 0; i < CHIP_MAX_CIDS; i++)
		if (dev->host_cids[i].dl)
			chip_host_unload(dev->host_cids[i].dl);
	while ((s = dev->synth)) {
		dev->synth = s->next;
		free(s);
	}
	pthread_rwlock_destroy(&dev->host_lock);
	pthread_mutex_destroy(&dev->synth_lock);
	free(dev);

	/* The slot's next device gets a new generation. */
	pthread_mutex_lock(&reg_lock);
	slot->dev = NULL;
	__atomic_store_n(&slot->state, (ST_GEN(st) + 1) << 32,
			 __ATOMIC_RELEASE);
	slot->next_free = handle_free;
	handle_free = idx;
	pthread_mutex_unlock(&reg_lock);
}

int chip_info(struct chip_dev *h, struct chip_info *info)
{
	struct chip_dev *dev;
	int rc;

	if (!info)
		return -EINVAL;
	dev = dev_get(h, &rc);
	if (!dev)
		return rc;
	memset(info, 0, sizeof(*info));
	rc = dev->ops->info(dev, info);
	dev_put(dev);
	return rc;
}

int chip_malloc(struct chip_dev *h, uint64_t size, uint64_t *addr)
{
	struct chip_dev *dev;
	int rc;

	if (!addr || !size)
		return -EINVAL;
	dev = dev_get(h, &rc);
	if (!dev)
		return rc;
	rc = dev->ops->mem_alloc(dev, size, addr);
	dev_put(dev);
	return rc;
}

int chip_free(struct chip_dev *h, uint64_t addr)
{
	struct chip_dev *dev;
	int rc;

	dev = dev_get(h, &rc);
	if (!dev)
		return rc;
	rc = dev->ops->mem_free(dev, addr);
	dev_put(dev);
	return rc;
}

int chip_copy_to(struct chip_dev *h, uint64_t dst, const void *src,
		 uint64_t n)
{
	struct chip_dev *dev;
	int rc;

	if (!src && n)
		return -EINVAL;
	dev = dev_get(h, &rc);
	if (!dev)
		return rc;
	rc = n ? dev->ops->copy_to(dev, dst, src, n) : 0;
	dev_put(dev);
	return rc;
}

int chip_copy_from(struct chip_dev *h, void *dst, uint64_t src, uint64_t n)
{
	struct chip_dev *dev;
	int rc;

	if (!dst && n)
		return -EINVAL;
	dev = dev_get(h, &rc);
	if (!dev)
		return rc;
	rc = n ? dev->ops->copy_from(dev, dst, src, n) : 0;
	dev_put(dev);
	return rc;
}

int chip_register(struct chip_dev *h, int32_t cid, const void *img,
		  size_t len, const struct chip_register_opts *opts)
{
	struct chip_callable_hdr hdr;
	chip_host_orch_fn fn = NULL;
	struct chipc_layout l;
	struct chip_dev *dev;
	void *dl = NULL, *copy = NULL;
	int rc, hbg;

	if (!img || !OPTS_OK(opts, struct chip_register_opts))
		return -EINVAL;
	if (cid < 0 || cid >= CHIP_MAX_CIDS)
		return -EINVAL;
	/*
	 * The device validates the whole image.  Only a host_build_graph
	 * image is looked into here, to load its host orchestration, and
	 * only after the same validation; the caller's buffer may have any
	 * alignment, so its header is read by copy.
	 */
	hbg = 0;
	if (len >= sizeof(hdr)) {
		memcpy(&hdr, img, sizeof(hdr));
		hbg = hdr.runtime == CHIP_RUNTIME_HOST_BUILD_GRAPH;
	}
	if (opts && opts->host_orch && !hbg)
		return -EINVAL;
	if (hbg) {
		rc = chip_image_check(img, len, &l);
		if (rc)
			return rc;
	}
	dev = dev_get(h, &rc);
	if (!dev)
		return rc;
	rc = -EDEADLK;
	if (in_orch(dev))
		goto out;

	if (hbg && !(opts && opts->host_orch) && ((uintptr_t)img & 7)) {
		rc = -ENOMEM;
		copy = malloc(len);
		if (!copy)
			goto out;
		memcpy(copy, img, len);
		img = copy;
	}
	if (hbg) {
		if (opts && opts->host_orch) {
			fn = opts->host_orch;
		} else {
			rc = chip_host_load((const uint8_t *)img + l.hdr_size,
					    l.orch_size, hdr.func_name, &fn,
					    &dl);
			if (rc)
				goto out;
		}
	}

	pthread_rwlock_wrlock(&dev->host_lock);
	rc = dev->ops->reg(dev, cid, img, len);
	if (!rc && fn) {
		dev->host_cids[cid].used = 1;
		dev->host_cids[cid].fn = fn;
		dev->host_cids[cid].dl = dl;
		dev->host_loads++;
		dl = NULL;
	}
	pthread_rwlock_unlock(&dev->host_lock);
	if (dl)
		chip_host_unload(dl);
out:
	free(copy);
	dev_put(dev);
	return rc;
}

int chip_unregister(struct chip_dev *h, int32_t cid)
{
	struct chip_dev *dev;
	void *dl = NULL;
	int rc;

	if (cid < 0 || cid >= CHIP_MAX_CIDS)
		return -EINVAL;
	dev = dev_get(h, &rc);
	if (!dev)
		return rc;
	if (in_orch(dev)) {
		dev_put(dev);
		return -EDEADLK;
	}
	pthread_rwlock_wrlock(&dev->host_lock);
	rc = dev->ops->unreg(dev, cid);
	if (!rc && dev->host_cids[cid].used) {
		dl = dev->host_cids[cid].dl;
		memset(&dev->host_cids[cid], 0, sizeof(dev->host_cids[cid]));
	}
	pthread_rwlock_unlock(&dev->host_lock);
	if (dl)
		chip_host_unload(dl);
	dev_put(dev);
	return rc;
}

/*
 * A queued run that failed in its host orchestration never reaches the
 * device; its completion is kept here, under a seq with the top bit set,
 * for chip_wait() or chip_reap() like any chip_submit() completion.
 */
#define SYNTH_SEQ_BIT	(1ull << 63)

static void orch_failed(struct chip_run_result *res, uint64_t seq, int32_t code)
{
	memset(res, 0, sizeof(*res));
	res->seq = seq;
	res->status = CHIP_STATUS_ORCH_ERROR;
	res->code = code;
	snprintf(res->msg, sizeof(res->msg),
		 "host orchestration failed with code %d", code);
}

static uint64_t add_synth(struct chip_dev *dev, int32_t code)
{
	struct chip_synth *s = calloc(1, sizeof(*s)), **pp;
	uint64_t seq;

	if (!s)
		return 0;
	pthread_mutex_lock(&dev->synth_lock);
	seq = SYNTH_SEQ_BIT | ++dev->synth_seq;
	dev->synth_runs++;
	orch_failed(&s->res, seq, code);
	for (pp = &dev->synth; *pp; pp = &(*pp)->next)
		;
	*pp = s;
	pthread_mutex_unlock(&dev->synth_lock);
	return seq;
}

/* Take the synthetic completion @seq (any when @seq is 0). */
static int take_synth(struct chip_dev *dev, uint64_t seq,
		      struct chip_run_result *res)
{
	struct chip_synth **pp, *s = NULL;

	pthread_mutex_lock(&dev->synth_lock);
	for (pp = &dev->synth; *pp; pp = &(*pp)->next) {
		if (!seq || (*pp)->res.seq == seq) {
			s = *pp;
			*pp = s->next;
			break;
		}
	}
	pthread_mutex_unlock(&dev->synth_lock);
	if (!s)
		return -ENOENT;
	if (res)
		*res = s->res;
	free(s);
	return 0;
}

/*
 * The options of fences every backend checks alike: flags, the in-fence
 * array, and that each in-fence is an open fd (whether it is a fence the
 * backend can wait for is the backend's -EINVAL).
 */
static int check_fences(const struct chip_run_opts *o)
{
	uint32_t i;

	if (o->flags & ~CHIP_RUN_FLAGS)
		return -EINVAL;
	if (o->nin_fences && !o->in_fence_fds)
		return -EINVAL;
	if (o->nin_fences > CHIP_MAX_IN_FENCES)
		return -E2BIG;
	for (i = 0; i < o->nin_fences; i++)
		if (o->in_fence_fds[i] < 0 ||
		    fcntl(o->in_fence_fds[i], F_GETFD) < 0)
			return -EBADF;
	return 0;
}

static int resolve_opts(struct chip_dev *dev, const struct chip_run_opts *opts,
			struct chip_submit_req *req)
{
	struct chip_run_opts o = { .sz = sizeof(o) };
	uint32_t max_blocks = dev->platform == CHIP_PLATFORM_A5 ? 36 : 24;
	uint32_t max_threads = dev->platform == CHIP_PLATFORM_A5 ? 7 : 4;
	int rc;

	if (!OPTS_OK(opts, struct chip_run_opts))
		return -EINVAL;
	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	if (o.nstores > CHIP_MAX_STORES || (o.nstores && !o.stores))
		return -EINVAL;
	if (o.nloads && !o.loads)
		return -EINVAL;
	if (!o.timeline != !o.timeline_cap)
		return -EINVAL;
	if (o.timeline_cap > CHIP_MAX_SPANS)
		return -E2BIG;
	rc = check_fences(&o);
	if (rc)
		return rc;
	req->block_dim = o.block_dim ? o.block_dim : max_blocks;
	req->aicpu_threads = o.aicpu_threads ? o.aicpu_threads :
			     (max_threads < 3 ? max_threads : 3);
	req->timeout_ns = o.timeout_ns ? o.timeout_ns : 2000000000ull;
	req->insn_budget = o.insn_budget;
	req->stores = o.stores;
	req->nstores = o.nstores;
	req->loads = o.loads;
	req->nloads = o.nloads;
	req->timeline = o.timeline;
	req->timeline_cap = o.timeline_cap;
	req->flags = o.flags;
	req->in_fences = o.nin_fences ? o.in_fence_fds : NULL;
	req->nin_fences = o.nin_fences;
	return 0;
}

/*
 * Turn chip_submit()'s arguments into @req, its argument blob encoded
 * into @blob (@cap bytes) and, for a host orchestration, its graph built
 * (*@graph, freed by the caller).  host_lock held for reading.  Returns
 * 0 with @req ready; a positive orchestration error code when the host
 * orchestration failed the run without the device; -errno.
 */
static int prepare_req(struct chip_dev *dev, int32_t cid,
		       const struct chip_args *args,
		       const struct chip_run_opts *opts, int sync,
		       struct chip_submit_req *req, void *blob, size_t cap,
		       void **graph)
{
	struct orch_frame frame;
	struct chip_host_cid *hc;
	size_t glen = 0;
	long alen;
	int rc;

	memset(req, 0, sizeof(*req));
	req->cid = cid;
	req->sync = (uint32_t)sync;
	*graph = NULL;
	if (cid < 0 || cid >= CHIP_MAX_CIDS || !args)
		return -EINVAL;
	rc = resolve_opts(dev, opts, req);
	if (rc)
		return rc;
	alen = chip_args_encode(args, blob, cap);
	if (alen < 0)
		return (int)alen;
	req->args = blob;
	req->args_len = (size_t)alen;

	hc = &dev->host_cids[cid];
	if (!hc->used)
		return 0;
	frame.dev = dev;
	frame.up = orch_top;
	orch_top = &frame;
	rc = chip_host_build_graph(dev, hc->fn, args, graph, &glen);
	orch_top = frame.up;
	if (rc > 0 && req->timeline) {
		/* Failed on the host: a timeline without tasks. */
		req->timeline->count = 0;
		req->timeline->tasks = 0;
		req->timeline->reserved = 0;
	}
	if (rc)
		return rc;
	req->graph = *graph;
	req->graph_len = glen;
	return 0;
}

static int submit_locked(struct chip_dev *dev, int32_t cid,
			 const struct chip_args *args,
			 const struct chip_run_opts *opts, uint64_t *seq)
{
	unsigned char blob[CHIP_ARGS_MAX_SIZE];
	struct chip_submit_req req;
	void *graph;
	int rc;

	if (!seq)
		return -EINVAL;
	pthread_rwlock_rdlock(&dev->host_lock);
	rc = prepare_req(dev, cid, args, opts, 0, &req, blob, sizeof(blob),
			 &graph);
	if (!rc)
		rc = dev->ops->submit(dev, &req, seq);
	pthread_rwlock_unlock(&dev->host_lock);
	free(graph);
	if (rc > 0) {
		*seq = add_synth(dev, rc);
		rc = *seq ? 0 : -ENOMEM;
	}
	return rc;
}

/* Bytes of @a's argument blob; 0 for arguments chip_args_encode() refuses. */
static size_t args_blob_size(const struct chip_args *a)
{
	if (!a || a->tensor_count > CHIP_MAX_TENSOR_ARGS ||
	    a->scalar_count > CHIP_MAX_SCALAR_ARGS)
		return 0;
	return chipc_args_size(a->tensor_count, a->scalar_count);
}

/*
 * The batch for a backend with submit_many: every request prepared
 * first (argument blobs in one allocation, kept until the backend has
 * taken them), then handed over at once.  Entries that fail preparation
 * or were settled on the host are left out.
 */
static int submit_batch_many(struct chip_dev *dev, struct chip_batch_run *runs,
			     int n)
{
	struct chip_submit_req *reqs;
	uint64_t *seqs;
	void **graphs;
	int *rets, *idx;
	unsigned char *blobs;
	size_t total = 0, off = 0;
	int i, k = 0, queued = 0, rc;

	for (i = 0; i < n; i++)
		total += args_blob_size(runs[i].args);
	reqs = malloc((size_t)n * (sizeof(*reqs) + sizeof(*seqs) +
				   sizeof(*graphs) + sizeof(*rets) +
				   sizeof(*idx)) + total);
	if (!reqs)
		return -ENOMEM;
	seqs = (uint64_t *)(reqs + n);
	graphs = (void **)(seqs + n);
	rets = (int *)(graphs + n);
	idx = rets + n;
	blobs = (unsigned char *)(idx + n);

	pthread_rwlock_rdlock(&dev->host_lock);
	for (i = 0; i < n; i++) {
		size_t cap = args_blob_size(runs[i].args);

		rc = prepare_req(dev, runs[i].cid, runs[i].args, runs[i].opts, 0,
				 &reqs[k], blobs + off, cap, &graphs[i]);
		off += cap;
		if (rc > 0) {
			runs[i].seq = add_synth(dev, rc);
			rc = runs[i].seq ? 0 : -ENOMEM;
			runs[i].ret = rc;
			queued += !rc;
			continue;
		}
		if (rc) {
			runs[i].ret = rc;
			continue;
		}
		idx[k++] = i;
	}
	rc = k ? dev->ops->submit_many(dev, reqs, k, seqs, rets) : 0;
	pthread_rwlock_unlock(&dev->host_lock);
	for (i = 0; i < k; i++) {
		struct chip_batch_run *r = &runs[idx[i]];

		r->ret = rc ? rc : rets[i];
		r->seq = r->ret ? 0 : seqs[i];
		queued += !r->ret;
	}
	rc = queued;
	for (i = 0; i < n; i++)
		free(graphs[i]);
	free(reqs);
	return rc;
}

int chip_submit_batch(struct chip_dev *h, struct chip_batch_run *runs,
		      int n)
{
	struct chip_dev *dev;
	int i, rc, queued = 0;

	if (!runs || n <= 0 || n > CHIP_BATCH_MAX)
		return -EINVAL;
	dev = dev_get(h, &rc);
	if (!dev)
		return rc;
	for (i = 0; i < n; i++) {
		runs[i].ret = 0;
		runs[i].seq = 0;
	}
	if (dev->ops->submit_many) {
		rc = submit_batch_many(dev, runs, n);
	} else {
		for (i = 0; i < n; i++) {
			runs[i].ret = submit_locked(dev, runs[i].cid,
						    runs[i].args, runs[i].opts,
						    &runs[i].seq);
			queued += !runs[i].ret;
		}
		rc = queued;
	}
	dev_put(dev);
	return rc;
}

int chip_submit(struct chip_dev *h, int32_t cid,
		const struct chip_args *args, const struct chip_run_opts *opts,
		uint64_t *seq)
{
	struct chip_dev *dev;
	int rc;

	dev = dev_get(h, &rc);
	if (!dev)
		return rc;
	rc = submit_locked(dev, cid, args, opts, seq);
	dev_put(dev);
	return rc;
}

int chip_wait(struct chip_dev *h, uint64_t seq, uint64_t deadline_ns,
	      struct chip_run_result *res)
{
	struct chip_run_result tmp;
	struct chip_dev *dev;
	int rc;

	dev = dev_get(h, &rc);
	if (!dev)
		return rc;
	/* A run, not "any": that is chip_reap(). */
	if (!seq)
		rc = -EINVAL;
	else if (seq & SYNTH_SEQ_BIT)
		rc = take_synth(dev, seq, res ? res : &tmp);
	else
		rc = dev->ops->wait(dev, seq, deadline_ns, res ? res : &tmp);
	dev_put(dev);
	return rc;
}

int chip_run(struct chip_dev *h, int32_t cid, const struct chip_args *args,
	     const struct chip_run_opts *opts, struct chip_run_result *res)
{
	unsigned char blob[CHIP_ARGS_MAX_SIZE];
	struct chip_run_result tmp;
	struct chip_submit_req req;
	struct chip_dev *dev;
	void *graph;
	int rc;

	dev = dev_get(h, &rc);
	if (!dev)
		return rc;
	if (!res)
		res = &tmp;
	pthread_rwlock_rdlock(&dev->host_lock);
	rc = prepare_req(dev, cid, args, opts, 1, &req, blob, sizeof(blob),
			 &graph);
	if (!rc)
		rc = dev->ops->run(dev, &req, res);
	pthread_rwlock_unlock(&dev->host_lock);
	free(graph);
	if (rc > 0) {
		/* Failed on the host: the caller's completion, nobody else's. */
		pthread_mutex_lock(&dev->synth_lock);
		dev->synth_runs++;
		pthread_mutex_unlock(&dev->synth_lock);
		orch_failed(res, 0, rc);
		rc = 0;
	}
	dev_put(dev);
	return rc;
}

int chip_reap(struct chip_dev *h, struct chip_run_result *out, int max,
	      int min, uint64_t deadline_ns)
{
	struct chip_dev *dev;
	int rc, n = 0;

	if (!out || max <= 0 || min < 0 || min > max)
		return -EINVAL;
	dev = dev_get(h, &rc);
	if (!dev)
		return rc;
	while (n < max && take_synth(dev, 0, &out[n]) == 0)
		n++;
	if (n < max) {
		rc = dev->ops->reap(dev, out + n, max - n,
				    min > n ? min - n : 0, deadline_ns);
		if (rc >= 0)
			n += rc;
		else if (!n)
			n = rc;
	}
	dev_put(dev);
	return n;
}

int chip_counters(struct chip_dev *h, struct chip_counters *c)
{
	struct chip_dev *dev;
	int rc;

	if (!c)
		return -EINVAL;
	dev = dev_get(h, &rc);
	if (!dev)
		return rc;
	memset(c, 0, sizeof(*c));
	rc = dev->ops->counters(dev, c);
	pthread_rwlock_rdlock(&dev->host_lock);
	c->host_loads = dev->host_loads;
	pthread_rwlock_unlock(&dev->host_lock);
	pthread_mutex_lock(&dev->synth_lock);
	c->runs[CHIP_STATUS_ORCH_ERROR] += dev->synth_runs;
	pthread_mutex_unlock(&dev->synth_lock);
	dev_put(dev);
	return rc;
}

int chip_dedup_list(struct chip_dev *h, uint32_t *scope,
		    struct chip_resident *out, int max)
{
	struct chip_dev *dev;
	int rc;

	if (max < 0 || (!out && max))
		return -EINVAL;
	dev = dev_get(h, &rc);
	if (!dev)
		return rc;
	if (out)
		memset(out, 0, (size_t)max * sizeof(*out));
	rc = dev->ops->dedup_list ? dev->ops->dedup_list(dev, scope, out, max) :
				    -EOPNOTSUPP;
	dev_put(dev);
	return rc;
}

int chip_debug_set_hash_mask(struct chip_dev *h, uint64_t mask)
{
	struct chip_dev *dev;
	int rc;

	dev = dev_get(h, &rc);
	if (!dev)
		return rc;
	rc = dev->ops->set_hash_mask ? dev->ops->set_hash_mask(dev, mask) :
				       -EOPNOTSUPP;
	dev_put(dev);
	return rc;
}

const char *chip_status_str(uint32_t status)
{
	static const char *const names[CHIP_STATUS_COUNT] = {
		[CHIP_STATUS_OK] = "ok",
		[CHIP_STATUS_ORCH_ERROR] = "orchestration error",
		[CHIP_STATUS_SCHED_ERROR] = "scheduler error",
		[CHIP_STATUS_TIMEOUT] = "timeout",
		[CHIP_STATUS_FAULT] = "memory fault",
		[CHIP_STATUS_INVALID] = "invalid",
		[CHIP_STATUS_CANCELLED] = "cancelled",
		[CHIP_STATUS_DEVICE_LOST] = "device lost",
	};

	return status < CHIP_STATUS_COUNT ? names[status] : "unknown";
}

int chip_run_fd(struct chip_dev *h, uint64_t seq, int *fd)
{
	struct chip_dev *dev;
	int rc;

	if (!fd || !seq)
		return -EINVAL;
	dev = dev_get(h, &rc);
	if (!dev)
		return rc;
	rc = dev->ops->run_fd ? dev->ops->run_fd(dev, seq, fd) : -EOPNOTSUPP;
	dev_put(dev);
	return rc;
}

int chip_export(struct chip_dev *h, uint64_t addr, int *fd)
{
	struct chip_dev *dev;
	int rc;

	if (!fd)
		return -EINVAL;
	dev = dev_get(h, &rc);
	if (!dev)
		return rc;
	rc = dev->ops->export_buf ? dev->ops->export_buf(dev, addr, fd) :
	     -EOPNOTSUPP;
	dev_put(dev);
	return rc;
}

int chip_import(struct chip_dev *h, int fd, uint64_t *addr, uint64_t *size)
{
	struct chip_dev *dev;
	uint64_t sz;
	int rc;

	if (!addr)
		return -EINVAL;
	dev = dev_get(h, &rc);
	if (!dev)
		return rc;
	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		rc = -EBADF;
	else
		rc = dev->ops->import_buf ?
		     dev->ops->import_buf(dev, fd, addr, &sz) : -EOPNOTSUPP;
	if (!rc && size)
		*size = sz;
	dev_put(dev);
	return rc;
}
