// SPDX-License-Identifier: MIT
/*
 * libchip front end: handle validation, option resolution, argument
 * encoding, host orchestration, and dispatch to a backend.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "internal.h"
#include "chipc.h"

/*
 * Live handles.  Every call looks its handle up here and holds a use
 * count, so a call on a closed handle fails with -EBADF instead of
 * touching freed memory, and chip_close() waits for calls in progress.
 */
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reg_cond = PTHREAD_COND_INITIALIZER;
static struct chip_dev *live_devs;

static int dev_get(struct chip_dev *dev)
{
	struct chip_dev *d;
	int rc = -EBADF;

	if (!dev)
		return -EBADF;
	pthread_mutex_lock(&reg_lock);
	for (d = live_devs; d; d = d->reg_next) {
		if (d == dev && !d->closing) {
			d->users++;
			rc = 0;
			break;
		}
	}
	pthread_mutex_unlock(&reg_lock);
	return rc;
}

static void dev_put(struct chip_dev *dev)
{
	pthread_mutex_lock(&reg_lock);
	if (--dev->users == 0 && dev->closing)
		pthread_cond_broadcast(&reg_cond);
	pthread_mutex_unlock(&reg_lock);
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
	struct chip_dev *dev;
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

	pthread_mutex_lock(&reg_lock);
	dev->reg_next = live_devs;
	live_devs = dev;
	pthread_mutex_unlock(&reg_lock);
	*devp = dev;
	return 0;

err_close:
	ops->close(dev);
err_free:
	pthread_rwlock_destroy(&dev->host_lock);
	pthread_mutex_destroy(&dev->synth_lock);
	free(dev);
	return rc;
}

void chip_close(struct chip_dev *dev)
{
	struct chip_dev **pp;
	struct chip_synth *s;
	int found = 0, i;

	if (!dev)
		return;
	pthread_mutex_lock(&reg_lock);
	for (pp = &live_devs; *pp; pp = &(*pp)->reg_next) {
		if (*pp == dev && !dev->closing) {
			dev->closing = 1;
			found = 1;
			break;
		}
	}
	pthread_mutex_unlock(&reg_lock);
	if (!found)
		return;

	/* Wake blocked waiters, cancel queued runs. */
	if (dev->ops->shutdown)
		dev->ops->shutdown(dev);

	pthread_mutex_lock(&reg_lock);
	while (dev->users)
		pthread_cond_wait(&reg_cond, &reg_lock);
	for (pp = &live_devs; *pp; pp = &(*pp)->reg_next) {
		if (*pp == dev) {
			*pp = dev->reg_next;
			break;
		}
	}
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
}

int chip_info(struct chip_dev *dev, struct chip_info *info)
{
	int rc;

	if (!info)
		return -EINVAL;
	rc = dev_get(dev);
	if (rc)
		return rc;
	memset(info, 0, sizeof(*info));
	rc = dev->ops->info(dev, info);
	dev_put(dev);
	return rc;
}

int chip_malloc(struct chip_dev *dev, uint64_t size, uint64_t *addr)
{
	int rc;

	if (!addr || !size)
		return -EINVAL;
	rc = dev_get(dev);
	if (rc)
		return rc;
	rc = dev->ops->mem_alloc(dev, size, addr);
	dev_put(dev);
	return rc;
}

int chip_free(struct chip_dev *dev, uint64_t addr)
{
	int rc = dev_get(dev);

	if (rc)
		return rc;
	rc = dev->ops->mem_free(dev, addr);
	dev_put(dev);
	return rc;
}

int chip_copy_to(struct chip_dev *dev, uint64_t dst, const void *src,
		 uint64_t n)
{
	int rc;

	if (!src && n)
		return -EINVAL;
	rc = dev_get(dev);
	if (rc)
		return rc;
	rc = n ? dev->ops->copy_to(dev, dst, src, n) : 0;
	dev_put(dev);
	return rc;
}

int chip_copy_from(struct chip_dev *dev, void *dst, uint64_t src, uint64_t n)
{
	int rc;

	if (!dst && n)
		return -EINVAL;
	rc = dev_get(dev);
	if (rc)
		return rc;
	rc = n ? dev->ops->copy_from(dev, dst, src, n) : 0;
	dev_put(dev);
	return rc;
}

int chip_register(struct chip_dev *dev, int32_t cid, const void *img,
		  size_t len, const struct chip_register_opts *opts)
{
	const struct chip_callable_hdr *h = img;
	chip_host_orch_fn fn = NULL;
	struct chipc_layout l;
	void *dl = NULL;
	int rc, hbg;

	if (!img || !OPTS_OK(opts, struct chip_register_opts))
		return -EINVAL;
	if (cid < 0 || cid >= CHIP_MAX_CIDS)
		return -EINVAL;
	/*
	 * The device validates the whole image.  Only a host_build_graph
	 * image is looked into here, to load its host orchestration, and
	 * only after the same validation.
	 */
	hbg = len >= sizeof(*h) && h->runtime == CHIP_RUNTIME_HOST_BUILD_GRAPH;
	if (opts && opts->host_orch && !hbg)
		return -EINVAL;
	if (hbg) {
		rc = chip_image_check(img, len, &l);
		if (rc)
			return rc;
	}
	rc = dev_get(dev);
	if (rc)
		return rc;

	if (hbg) {
		if (opts && opts->host_orch) {
			fn = opts->host_orch;
		} else {
			rc = chip_host_load((const uint8_t *)img + l.hdr_size,
					    l.orch_size, h->func_name, &fn, &dl);
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
	dev_put(dev);
	return rc;
}

int chip_unregister(struct chip_dev *dev, int32_t cid)
{
	void *dl = NULL;
	int rc;

	if (cid < 0 || cid >= CHIP_MAX_CIDS)
		return -EINVAL;
	rc = dev_get(dev);
	if (rc)
		return rc;
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
 * A run that failed in its host orchestration never reaches the device;
 * its completion is kept here, under a seq with the top bit set.
 */
#define SYNTH_SEQ_BIT	(1ull << 63)

static uint64_t add_synth(struct chip_dev *dev, int32_t code)
{
	struct chip_synth *s = calloc(1, sizeof(*s)), **pp;
	uint64_t seq;

	pthread_mutex_lock(&dev->synth_lock);
	seq = SYNTH_SEQ_BIT | ++dev->synth_seq;
	dev->synth_runs++;
	pthread_mutex_unlock(&dev->synth_lock);
	if (!s)
		return 0;
	s->res.seq = seq;
	s->res.status = CHIP_STATUS_ORCH_ERROR;
	s->res.code = code;
	snprintf(s->res.msg, sizeof(s->res.msg),
		 "host orchestration failed with code %d", code);
	pthread_mutex_lock(&dev->synth_lock);
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

static int resolve_opts(struct chip_dev *dev, const struct chip_run_opts *opts,
			struct chip_submit_req *req)
{
	struct chip_run_opts o = { .sz = sizeof(o) };
	uint32_t max_blocks = dev->platform == CHIP_PLATFORM_A5 ? 36 : 24;
	uint32_t max_threads = dev->platform == CHIP_PLATFORM_A5 ? 7 : 4;

	if (!OPTS_OK(opts, struct chip_run_opts))
		return -EINVAL;
	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	if (o.nstores > CHIP_MAX_STORES || (o.nstores && !o.stores))
		return -EINVAL;
	req->block_dim = o.block_dim ? o.block_dim : max_blocks;
	req->aicpu_threads = o.aicpu_threads ? o.aicpu_threads :
			     (max_threads < 3 ? max_threads : 3);
	req->timeout_ns = o.timeout_ns ? o.timeout_ns : 2000000000ull;
	req->insn_budget = o.insn_budget;
	req->stores = o.stores;
	req->nstores = o.nstores;
	return 0;
}

/*
 * Turn chip_submit()'s arguments into @req, its argument blob encoded
 * into @blob (@cap bytes) and, for a host orchestration, its graph built
 * (*@graph, freed by the caller).  host_lock held for reading.  Returns
 * 0 with @req ready; 1 when the host orchestration settled the run
 * without the device (*@seq is its completion); -errno.
 */
static int prepare_req(struct chip_dev *dev, int32_t cid,
		       const struct chip_args *args,
		       const struct chip_run_opts *opts, int sync,
		       struct chip_submit_req *req, void *blob, size_t cap,
		       void **graph, uint64_t *seq)
{
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
	rc = chip_host_build_graph(dev, hc->fn, args, graph, &glen);
	if (rc > 0) {
		*seq = add_synth(dev, rc);
		return *seq ? 1 : -ENOMEM;
	}
	if (rc < 0)
		return rc;
	req->graph = *graph;
	req->graph_len = glen;
	return 0;
}

static int submit_locked(struct chip_dev *dev, int32_t cid,
			 const struct chip_args *args,
			 const struct chip_run_opts *opts, uint64_t *seq,
			 int sync)
{
	unsigned char blob[CHIP_ARGS_MAX_SIZE];
	struct chip_submit_req req;
	void *graph;
	int rc;

	if (!seq)
		return -EINVAL;
	pthread_rwlock_rdlock(&dev->host_lock);
	rc = prepare_req(dev, cid, args, opts, sync, &req, blob, sizeof(blob),
			 &graph, seq);
	if (!rc)
		rc = dev->ops->submit(dev, &req, seq);
	pthread_rwlock_unlock(&dev->host_lock);
	free(graph);
	return rc > 0 ? 0 : rc;
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
	reqs = calloc((size_t)n, sizeof(*reqs));
	seqs = calloc((size_t)n, sizeof(*seqs));
	graphs = calloc((size_t)n, sizeof(*graphs));
	rets = calloc((size_t)n, sizeof(*rets));
	idx = calloc((size_t)n, sizeof(*idx));
	blobs = malloc(total ? total : 1);
	rc = -ENOMEM;
	if (!reqs || !seqs || !graphs || !rets || !idx || !blobs)
		goto out;

	pthread_rwlock_rdlock(&dev->host_lock);
	for (i = 0; i < n; i++) {
		size_t cap = args_blob_size(runs[i].args);

		rc = prepare_req(dev, runs[i].cid, runs[i].args, runs[i].opts, 0,
				 &reqs[k], blobs + off, cap, &graphs[i],
				 &runs[i].seq);
		off += cap;
		if (rc) {
			runs[i].ret = rc < 0 ? rc : 0;
			queued += rc > 0;
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
out:
	free(reqs);
	free(seqs);
	free(graphs);
	free(rets);
	free(idx);
	free(blobs);
	return rc;
}

int chip_submit_batch(struct chip_dev *dev, struct chip_batch_run *runs,
		      int n)
{
	int i, rc, queued = 0;

	if (!runs || n <= 0 || n > CHIP_BATCH_MAX)
		return -EINVAL;
	rc = dev_get(dev);
	if (rc)
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
						    &runs[i].seq, 0);
			queued += !runs[i].ret;
		}
		rc = queued;
	}
	dev_put(dev);
	return rc;
}

int chip_submit(struct chip_dev *dev, int32_t cid,
		const struct chip_args *args, const struct chip_run_opts *opts,
		uint64_t *seq)
{
	int rc = dev_get(dev);

	if (rc)
		return rc;
	rc = submit_locked(dev, cid, args, opts, seq, 0);
	dev_put(dev);
	return rc;
}

static int wait_locked(struct chip_dev *dev, uint64_t seq, uint64_t deadline,
		       struct chip_run_result *res)
{
	if (seq & SYNTH_SEQ_BIT)
		return take_synth(dev, seq, res);
	return dev->ops->wait(dev, seq, deadline, res);
}

int chip_wait(struct chip_dev *dev, uint64_t seq, uint64_t deadline_ns,
	      struct chip_run_result *res)
{
	struct chip_run_result tmp;
	int rc = dev_get(dev);

	if (rc)
		return rc;
	rc = wait_locked(dev, seq, deadline_ns, res ? res : &tmp);
	dev_put(dev);
	return rc;
}

int chip_run(struct chip_dev *dev, int32_t cid, const struct chip_args *args,
	     const struct chip_run_opts *opts, struct chip_run_result *res)
{
	struct chip_run_result tmp;
	uint64_t seq;
	int rc = dev_get(dev);

	if (rc)
		return rc;
	rc = submit_locked(dev, cid, args, opts, &seq, 1);
	if (!rc)
		rc = wait_locked(dev, seq, 0, res ? res : &tmp);
	dev_put(dev);
	return rc;
}

int chip_reap(struct chip_dev *dev, struct chip_run_result *out, int max,
	      int min, uint64_t deadline_ns)
{
	int rc, n = 0;

	if (!out || max <= 0 || min < 0 || min > max)
		return -EINVAL;
	rc = dev_get(dev);
	if (rc)
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

int chip_counters(struct chip_dev *dev, struct chip_counters *c)
{
	int rc;

	if (!c)
		return -EINVAL;
	rc = dev_get(dev);
	if (rc)
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

int chip_debug_set_hash_mask(struct chip_dev *dev, uint64_t mask)
{
	int rc = dev_get(dev);

	if (rc)
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
