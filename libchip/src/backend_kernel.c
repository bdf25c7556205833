// SPDX-License-Identifier: MIT
/*
 * The kernel backend: chip.ko through its device node.
 *
 * "a2a3" and "a5" open the first chip device of that platform (accel
 * nodes first, then render nodes), or opts->node.  Every operation is one
 * or two ioctls of uapi/drm/chip_accel.h; the kernel owns all state, so
 * this file keeps only the descriptor.  Errors are the kernel's errnos,
 * which match the simulated backend's.
 *
 * Runs go through io_uring when the kernel allows it (DRM_CHIP_URING_RUN
 * on a ring of this descriptor, raw system calls, no library needed):
 * chip_submit() is one io_uring_enter() that queues the run and returns
 * its seq or the validation error, and completions are read from the
 * completion queue in batches, without a system call when they are
 * already there.  When io_uring_setup() fails (kernel.io_uring_disabled,
 * seccomp, no kernel support) or $CHIP_NO_URING is set, runs use the RUN
 * and WAIT ioctls; results are the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/io_uring.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "internal.h"
#include "kring.h"
#include "../../uapi/drm/chip_accel.h"

/* The two DRM core ioctls used here, without a libdrm include path. */
struct chip_drm_version {
	int version_major;
	int version_minor;
	int version_patchlevel;
	size_t name_len;
	char *name;
	size_t date_len;
	char *date;
	size_t desc_len;
	char *desc;
};

struct chip_drm_gem_close {
	uint32_t handle;
	uint32_t pad;
};

#define CHIP_DRM_IOCTL_VERSION	_IOWR('d', 0x00, struct chip_drm_version)
#define CHIP_DRM_IOCTL_GEM_CLOSE _IOW('d', 0x09, struct chip_drm_gem_close)


/* ---- a minimal io_uring (raw system calls) ------------------------------ */

/* ---- runs through io_uring ---------------------------------------------- */

#define KSLOTS		4096	/* == the kernel's DRM_CHIP_PARAM_MAX_RUNS */
#define KHASH		1024
#define KWAIT_SLICE_NS	100000000ull

enum { KS_FREE, KS_SUBMIT, KS_FLIGHT, KS_DONE };

struct kslot {
	struct drm_chip_uring_run u;	/* the kernel reads and writes it */
	uint64_t seq;
	int state;
	int res;			/* cqe->res */
	struct kslot *hnext;		/* seq hash chain / free list */
	struct kslot *dprev, *dnext;	/* completed, in completion order */
};

struct kuring {
	struct chip_kring ring;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int blocker;			/* a thread sleeps in io_uring_enter */
	struct kslot *slots;
	struct kslot *free;
	struct kslot *hash[KHASH];
	struct kslot *dhead, *dtail;
	unsigned int inflight;		/* KS_SUBMIT + KS_FLIGHT */
};

struct kdev {
	int fd;
	volatile int closing;
	struct kuring *ur;		/* NULL: the ioctl path */
	uint32_t sync_flags;		/* drm_chip_run.flags of chip_run() */
};

static struct kdev *kdev_of(struct chip_dev *dev)
{
	return dev->priv;
}

/* ioctl() returning 0 or -errno, restarted after a signal. */
static int kioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret == -1 ? -errno : 0;
}

static int get_param(int fd, uint32_t param, uint64_t *value)
{
	struct drm_chip_get_param p = { .param = param };
	int ret = kioctl(fd, DRM_IOCTL_CHIP_GET_PARAM, &p);

	if (!ret)
		*value = p.value;
	return ret;
}

/* Is @fd a chip device of @platform? */
static int is_chip(int fd, uint32_t platform)
{
	struct chip_drm_version v;
	char name[16] = { 0 };
	uint64_t plat;

	memset(&v, 0, sizeof(v));
	v.name = name;
	v.name_len = sizeof(name) - 1;
	if (kioctl(fd, CHIP_DRM_IOCTL_VERSION, &v) || strcmp(name, "chip"))
		return 0;
	if (get_param(fd, DRM_CHIP_PARAM_PLATFORM, &plat))
		return 0;
	return plat == platform;
}

static int open_node(const char *path, uint32_t platform, int *fdp)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (!is_chip(fd, platform)) {
		close(fd);
		return -ENODEV;
	}
	*fdp = fd;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct kslot **hash_head(struct kuring *u, uint64_t seq)
{
	return &u->hash[seq % KHASH];
}

static struct kslot *hash_find(struct kuring *u, uint64_t seq)
{
	struct kslot *s;

	for (s = *hash_head(u, seq); s; s = s->hnext)
		if (s->seq == seq)
			return s;
	return NULL;
}

static void hash_del(struct kuring *u, struct kslot *s)
{
	struct kslot **pp;

	for (pp = hash_head(u, s->seq); *pp; pp = &(*pp)->hnext) {
		if (*pp == s) {
			*pp = s->hnext;
			break;
		}
	}
}

/*
 * Queue completed slot @s in seq order.  The device completes a file's
 * runs in seq order, but io_uring may post the completions of one
 * task-work pass in another order (6.1 runs its task-work list last in,
 * first out), so the slots are sorted here: chip_reap() and chip_wait()
 * of "any" return runs in the order they finished.  The walk is short:
 * slots arrive nearly sorted.
 */
static void done_push(struct kuring *u, struct kslot *s)
{
	struct kslot *prev = u->dtail;

	while (prev && prev->seq > s->seq)
		prev = prev->dprev;
	s->dprev = prev;
	s->dnext = prev ? prev->dnext : u->dhead;
	if (prev)
		prev->dnext = s;
	else
		u->dhead = s;
	if (s->dnext)
		s->dnext->dprev = s;
	else
		u->dtail = s;
}

static void done_del(struct kuring *u, struct kslot *s)
{
	if (s->dprev)
		s->dprev->dnext = s->dnext;
	else
		u->dhead = s->dnext;
	if (s->dnext)
		s->dnext->dprev = s->dprev;
	else
		u->dtail = s->dprev;
}

static void slot_free(struct kuring *u, struct kslot *s)
{
	s->state = KS_FREE;
	s->hnext = u->free;
	u->free = s;
}

/* Move what the completion queue holds into the slots.  Lock held. */
static int harvest(struct kuring *u)
{
	struct chip_kring *r = &u->ring;
	unsigned int head = *r->cq_head;
	unsigned int tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
	int n = 0;

	for (; head != tail; head++, n++) {
		const struct io_uring_cqe *cqe = &r->cqes[head & *r->cq_mask];
		uint64_t idx = cqe->user_data;
		struct kslot *s;

		if (!idx || idx > KSLOTS)
			continue;	/* the probe's NOP */
		s = &u->slots[idx - 1];
		s->res = cqe->res;
		if (s->state == KS_SUBMIT) {
			s->state = KS_DONE;	/* chip_submit() takes it */
			continue;
		}
		if (s->state != KS_FLIGHT)
			continue;
		s->state = KS_DONE;
		u->inflight--;
		if (!s->u.result.seq) {
			/* Cancelled by io_uring itself: no record written. */
			s->u.result.seq = s->seq;
			s->u.result.status = cqe->res >= 0 ? (uint32_t)cqe->res :
					     CHIP_STATUS_CANCELLED;
			snprintf(s->u.result.msg, sizeof(s->u.result.msg),
				 "cancelled");
		}
		done_push(u, s);
	}
	__atomic_store_n(r->cq_head, head, __ATOMIC_RELEASE);
	if (n)
		pthread_cond_broadcast(&u->cond);
	return n;
}

/*
 * Sleep until a completion may have arrived or @deadline (0: none) or a
 * time slice passes.  One thread sleeps in the kernel; the others on the
 * condition variable.  Lock held; dropped while sleeping.
 */
static void block(struct kuring *u, uint64_t deadline)
{
	uint64_t now = now_ns(), left = KWAIT_SLICE_NS;
	struct timespec ts;

	if (deadline && deadline - now < left)
		left = deadline - now;
	if (!u->blocker) {
		u->blocker = 1;
		pthread_mutex_unlock(&u->lock);
		chip_kring_enter(&u->ring, 0, 1, left ? left : 1);
		pthread_mutex_lock(&u->lock);
		u->blocker = 0;
		pthread_cond_broadcast(&u->cond);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (long)(left % 1000000000ull);
	ts.tv_sec += (time_t)(left / 1000000000ull) + ts.tv_nsec / 1000000000l;
	ts.tv_nsec %= 1000000000l;
	pthread_cond_timedwait(&u->cond, &u->lock, &ts);
}

static void uring_fini(struct kuring *u, int fd)
{
	struct drm_chip_cancel c = { 0 };
	uint64_t end = now_ns() + 120000000000ull;

	if (!u)
		return;
	/* No command may write into the slots once they are freed. */
	kioctl(fd, DRM_IOCTL_CHIP_CANCEL, &c);
	pthread_mutex_lock(&u->lock);
	while (u->inflight && now_ns() < end) {
		harvest(u);
		if (u->inflight)
			block(u, end);
	}
	pthread_mutex_unlock(&u->lock);
	chip_kring_exit(&u->ring);
	if (u->inflight)
		return;		/* leaked rather than written after free */
	pthread_cond_destroy(&u->cond);
	pthread_mutex_destroy(&u->lock);
	free(u->slots);
	free(u);
}

/* io_uring for runs, or NULL: the ioctl path. */
static struct kuring *uring_init(int fd)
{
	struct drm_chip_uring_cmd nop = { 0 };
	const char *env = getenv("CHIP_NO_URING");
	struct io_uring_sqe *sqe;
	struct kuring *u;
	uint64_t feat;
	int i, ret;

	if ((env && *env && strcmp(env, "0")) ||
	    get_param(fd, DRM_CHIP_PARAM_FEATURES, &feat) ||
	    !(feat & DRM_CHIP_FEATURE_URING))
		return NULL;
	u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->slots = calloc(KSLOTS, sizeof(*u->slots));
	if (!u->slots || chip_kring_setup(&u->ring, 256, 2 * KSLOTS, 0)) {
		free(u->slots);
		free(u);
		return NULL;
	}
	pthread_mutex_init(&u->lock, NULL);
	pthread_cond_init(&u->cond, NULL);
	for (i = KSLOTS - 1; i >= 0; i--)
		slot_free(u, &u->slots[i]);

	/* Probe: a NOP command must complete with 0. */
	sqe = chip_kring_sqe(&u->ring);
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = DRM_CHIP_URING_NOP;
	memcpy(sqe->cmd, &nop, sizeof(nop));
	ret = chip_kring_enter(&u->ring, 1, 1, 1000000000ull);
	if (ret >= 0) {
		unsigned int head = *u->ring.cq_head;

		ret = -EIO;
		if (head != __atomic_load_n(u->ring.cq_tail, __ATOMIC_ACQUIRE)) {
			ret = u->ring.cqes[head & *u->ring.cq_mask].res;
			__atomic_store_n(u->ring.cq_head, head + 1,
					 __ATOMIC_RELEASE);
		}
	}
	if (ret) {
		chip_kring_exit(&u->ring);
		pthread_cond_destroy(&u->cond);
		pthread_mutex_destroy(&u->lock);
		free(u->slots);
		free(u);
		return NULL;
	}
	return u;
}

static void fill_run(struct drm_chip_run *r, const struct chip_submit_req *req,
		     const struct drm_chip_store *stores, uint32_t sync_flags)
{
	memset(r, 0, sizeof(*r));
	r->flags = req->sync ? sync_flags : 0;
	r->args_ptr = (uintptr_t)req->args;
	r->args_size = req->args_len;
	r->graph_ptr = (uintptr_t)req->graph;
	r->graph_size = req->graph ? req->graph_len : 0;
	if (!r->graph_size)
		r->graph_ptr = 0;
	r->stores_ptr = req->nstores ? (uintptr_t)stores : 0;
	r->store_count = req->nstores;
	r->cid = req->cid;
	r->block_dim = req->block_dim;
	r->aicpu_threads = req->aicpu_threads;
	r->timeout_ns = req->timeout_ns;
	r->insn_budget = req->insn_budget;
}

/* Take a free slot and SQE for @req.  NULL when either is exhausted. */
static struct kslot *uring_queue(struct kuring *u, int fd,
				 const struct chip_submit_req *req,
				 const struct drm_chip_store *stores,
				 uint32_t sync_flags)
{
	struct drm_chip_uring_cmd cmd = { 0 };
	struct io_uring_sqe *sqe;
	struct kslot *s = u->free;

	if (!s)
		return NULL;
	sqe = chip_kring_sqe(&u->ring);
	if (!sqe)
		return NULL;
	u->free = s->hnext;
	memset(&s->u, 0, sizeof(s->u));
	fill_run(&s->u.run, req, stores, sync_flags);
	s->state = KS_SUBMIT;
	s->seq = 0;
	u->inflight++;
	cmd.ptr = (uintptr_t)&s->u;
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = DRM_CHIP_URING_RUN;
	sqe->user_data = (uint64_t)(s - u->slots) + 1;
	memcpy(sqe->cmd, &cmd, sizeof(cmd));
	return s;
}

/*
 * Hand the @n SQEs queued last to the kernel.  Returns how many it
 * consumed; on a hard error the others are taken back off the queue and
 * *@err says why.
 */
static unsigned int uring_flush(struct kuring *u, unsigned int n, int *err)
{
	struct chip_kring *r = &u->ring;
	unsigned int head0 = __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE);
	unsigned int done = 0;
	int ret;

	*err = 0;
	while (done < n) {
		ret = chip_kring_enter(r, n - done, 0, 0);
		if (ret > 0) {
			done += (unsigned int)ret;
		} else if (ret < 0 && ret != -EINTR && ret != -EAGAIN &&
			   ret != -EBUSY) {
			*err = ret;
			break;
		}
	}
	if (done < n) {
		/* Not consumed (no SQ thread): withdraw them. */
		done = __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE) - head0;
		__atomic_store_n(r->sq_tail, head0 + done, __ATOMIC_RELEASE);
	}
	return done;
}

/*
 * After the issue of @s: an invalid request completed at once with its
 * -errno; a queued one has its seq written back.  Lock held.
 */
static int uring_settle(struct kuring *u, struct kslot *s, uint64_t *seq)
{
	int ret;

	for (;;) {
		harvest(u);
		if (s->state == KS_DONE && s->res < 0) {
			ret = s->res;
			u->inflight--;
			slot_free(u, s);
			return ret;
		}
		if (__atomic_load_n(&s->u.run.seq, __ATOMIC_ACQUIRE))
			break;
		block(u, 0);	/* issued asynchronously: rare */
	}
	s->seq = s->u.run.seq;
	s->hnext = *hash_head(u, s->seq);
	*hash_head(u, s->seq) = s;
	if (s->state == KS_DONE) {
		u->inflight--;
		done_push(u, s);
	} else {
		s->state = KS_FLIGHT;
	}
	*seq = s->seq;
	return 0;
}

/* A slot whose SQE the kernel never consumed. */
static void uring_unqueue(struct kuring *u, struct kslot *s)
{
	u->inflight--;
	slot_free(u, s);
}

/*
 * @n requests, as many per io_uring_enter() as the free slots and the
 * submission queue take (all of a batch of CHIP_BATCH_MAX on an idle
 * ring).  @stores[i] are request i's converted store ranges.
 */
static void uring_submit_many(struct kuring *u, int fd,
			      const struct chip_submit_req *reqs,
			      const struct drm_chip_store *const *stores,
			      int n, uint32_t sync_flags, uint64_t *seqs,
			      int *rets)
{
	struct kslot *ss[CHIP_BATCH_MAX];
	unsigned int k, done, j;
	int i = 0, err;

	pthread_mutex_lock(&u->lock);
	while (i < n) {
		int first = i;

		for (k = 0; i < n && k < CHIP_BATCH_MAX; i++, k++) {
			ss[k] = uring_queue(u, fd, &reqs[i], stores[i],
					    sync_flags);
			if (!ss[k])
				break;
		}
		if (!k) {
			for (; i < n; i++)
				rets[i] = -EBUSY;
			break;
		}
		done = uring_flush(u, k, &err);
		for (j = 0; j < k; j++) {
			if (j < done) {
				rets[first + (int)j] =
					uring_settle(u, ss[j],
						     &seqs[first + (int)j]);
			} else {
				uring_unqueue(u, ss[j]);
				rets[first + (int)j] = err;
			}
		}
		if (done < k) {
			for (; i < n; i++)
				rets[i] = err;
			break;
		}
	}
	pthread_mutex_unlock(&u->lock);
}

static int uring_submit(struct kuring *u, int fd,
			const struct chip_submit_req *req,
			const struct drm_chip_store *stores, uint32_t sync_flags,
			uint64_t *seq)
{
	int ret;

	uring_submit_many(u, fd, req, &stores, 1, sync_flags, seq, &ret);
	return ret;
}

/* Consume completed slot @s into @res.  Lock held. */
static int take(struct kuring *u, struct kslot *s, struct chip_run_result *res)
{
	int ret = s->res < 0 ? s->res : 0;

	done_del(u, s);
	hash_del(u, s);
	memset(res, 0, sizeof(*res));
	res->seq = s->seq;
	res->status = s->u.result.status;
	res->code = s->u.result.code;
	res->fault_addr = s->u.result.fault_addr;
	res->tasks = s->u.result.tasks;
	res->insns = s->u.result.insns;
	res->device_ns = s->u.result.device_ns;
	memcpy(res->msg, s->u.result.msg, sizeof(res->msg));
	res->msg[sizeof(res->msg) - 1] = '\0';
	slot_free(u, s);
	return ret;
}

static int uring_wait(struct kuring *u, uint64_t seq, uint64_t deadline,
		      struct chip_run_result *res)
{
	struct kslot *s;
	int ret;

	pthread_mutex_lock(&u->lock);
	for (;;) {
		harvest(u);
		if (seq) {
			s = hash_find(u, seq);
			if (!s) {
				ret = -ENOENT;
				break;
			}
			if (s->state == KS_DONE) {
				ret = take(u, s, res);
				break;
			}
		} else if (u->dhead) {
			ret = take(u, u->dhead, res);
			break;
		} else if (!u->inflight) {
			ret = -ENOENT;
			break;
		}
		if (deadline && now_ns() >= deadline) {
			ret = -ETIMEDOUT;
			break;
		}
		block(u, deadline);
	}
	pthread_mutex_unlock(&u->lock);
	return ret;
}

static int uring_reap(struct kuring *u, struct chip_run_result *out, int max,
		      int min, uint64_t deadline)
{
	int n = 0, ret;

	pthread_mutex_lock(&u->lock);
	for (;;) {
		harvest(u);
		while (n < max && u->dhead) {
			ret = take(u, u->dhead, &out[n]);
			if (ret && !n) {
				pthread_mutex_unlock(&u->lock);
				return ret;
			}
			if (ret)
				break;
			n++;
		}
		if (n >= min || n >= max || (!u->inflight && !u->dhead))
			break;
		if (deadline && now_ns() >= deadline)
			break;
		block(u, deadline);
	}
	pthread_mutex_unlock(&u->lock);
	return n;
}

static int kernel_open(struct chip_dev *dev, uint32_t platform,
		       const struct chip_open_opts *opts)
{
	char path[64];
	uint64_t feat;
	struct kdev *k;
	int fd = -1, ret = -ENODEV, i;

	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	if (opts && opts->node) {
		ret = open_node(opts->node, platform, &fd);
		if (ret == -ENOENT)
			ret = -ENODEV;
	} else {
		for (i = 0; i < 64 && fd < 0; i++) {
			snprintf(path, sizeof(path), "/dev/accel/accel%d", i);
			open_node(path, platform, &fd);
		}
		for (i = 128; i < 192 && fd < 0; i++) {
			snprintf(path, sizeof(path), "/dev/dri/renderD%d", i);
			open_node(path, platform, &fd);
		}
		ret = fd < 0 ? -ENODEV : 0;
	}
	if (ret) {
		free(k);
		return ret;
	}
	k->fd = fd;
	k->ur = uring_init(fd);
	if (!get_param(fd, DRM_CHIP_PARAM_FEATURES, &feat) &&
	    (feat & DRM_CHIP_FEATURE_RUN_INLINE))
		k->sync_flags = DRM_CHIP_RUN_INLINE;
	dev->priv = k;
	return 0;
}

static void kernel_shutdown(struct chip_dev *dev)
{
	struct kdev *k = kdev_of(dev);
	struct drm_chip_cancel c = { 0 };

	k->closing = 1;
	/* Queued runs complete as cancelled, so blocked waits return. */
	kioctl(k->fd, DRM_IOCTL_CHIP_CANCEL, &c);
}

static void kernel_close(struct chip_dev *dev)
{
	struct kdev *k = kdev_of(dev);

	if (!k)
		return;
	uring_fini(k->ur, k->fd);
	close(k->fd);	/* the kernel cancels and frees everything */
	free(k);
	dev->priv = NULL;
}

static int kernel_info(struct chip_dev *dev, struct chip_info *info)
{
	static const struct {
		uint32_t param;
		size_t off;
		int wide;
	} map[] = {
#define F32(p, f) { p, offsetof(struct chip_info, f), 0 }
#define F64(p, f) { p, offsetof(struct chip_info, f), 1 }
		F32(DRM_CHIP_PARAM_PLATFORM, platform),
		F32(DRM_CHIP_PARAM_MAX_BLOCKS, max_blocks),
		F32(DRM_CHIP_PARAM_MAX_AICPU_THREADS, max_aicpu_threads),
		F32(DRM_CHIP_PARAM_AIC_CORES, aic_cores),
		F32(DRM_CHIP_PARAM_AIV_CORES, aiv_cores),
		F32(DRM_CHIP_PARAM_LOCAL_AIC, local_aic),
		F32(DRM_CHIP_PARAM_LOCAL_AIV, local_aiv),
		F64(DRM_CHIP_PARAM_GM_SIZE, gm_size),
		F64(DRM_CHIP_PARAM_HEAP_VA, heap_va),
		F64(DRM_CHIP_PARAM_HEAP_SIZE, heap_size),
#undef F32
#undef F64
	};
	struct kdev *k = kdev_of(dev);
	uint64_t v;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		ret = get_param(k->fd, map[i].param, &v);
		if (ret)
			return ret;
		if (map[i].wide)
			memcpy((char *)info + map[i].off, &v, sizeof(v));
		else
			*(uint32_t *)(void *)((char *)info + map[i].off) =
				(uint32_t)v;
	}
	info->simulated = 0;
	snprintf(info->name, sizeof(info->name), "%s", dev->name);
	return 0;
}

static int kernel_mem_alloc(struct chip_dev *dev, uint64_t size,
			    uint64_t *addr)
{
	struct drm_chip_bo_create c = { .size = size };
	int ret;

	if (!size)
		return -EINVAL;
	ret = kioctl(kdev_of(dev)->fd, DRM_IOCTL_CHIP_BO_CREATE, &c);
	if (!ret)
		*addr = c.va;
	return ret;
}

static int kernel_mem_free(struct chip_dev *dev, uint64_t addr)
{
	struct kdev *k = kdev_of(dev);
	struct drm_chip_bo_info i = {
		.flags = DRM_CHIP_BO_INFO_BY_VA,
		.va = addr,
	};
	struct chip_drm_gem_close c = { 0 };
	int ret;

	ret = kioctl(k->fd, DRM_IOCTL_CHIP_BO_INFO, &i);
	if (ret)
		return ret;
	c.handle = i.handle;
	ret = kioctl(k->fd, CHIP_DRM_IOCTL_GEM_CLOSE, &c);
	/* Freed by another thread in between. */
	return ret == -EINVAL ? -ENOENT : ret;
}

static int kernel_copy(struct chip_dev *dev, uint64_t va, void *host,
		       uint64_t n, uint32_t flags)
{
	struct drm_chip_bo_copy c = {
		.va = va,
		.user_ptr = (uintptr_t)host,
		.size = n,
		.flags = flags,
	};

	return kioctl(kdev_of(dev)->fd, DRM_IOCTL_CHIP_BO_COPY, &c);
}

static int kernel_copy_to(struct chip_dev *dev, uint64_t dst, const void *src,
			  uint64_t n)
{
	return kernel_copy(dev, dst, (void *)(uintptr_t)src, n,
			   DRM_CHIP_BO_COPY_TO_DEVICE);
}

static int kernel_copy_from(struct chip_dev *dev, void *dst, uint64_t src,
			    uint64_t n)
{
	return kernel_copy(dev, src, dst, n, 0);
}

static int kernel_reg(struct chip_dev *dev, int32_t cid, const void *img,
		      size_t len)
{
	struct drm_chip_register r = {
		.image_ptr = (uintptr_t)img,
		.image_size = len,
		.cid = cid,
	};

	return kioctl(kdev_of(dev)->fd, DRM_IOCTL_CHIP_REGISTER, &r);
}

static int kernel_unreg(struct chip_dev *dev, int32_t cid)
{
	struct drm_chip_unregister u = { .cid = cid };

	return kioctl(kdev_of(dev)->fd, DRM_IOCTL_CHIP_UNREGISTER, &u);
}

/* @req's store ranges in the uAPI's form, into @dst. */
static void put_stores(struct drm_chip_store *dst,
		       const struct chip_submit_req *req)
{
	uint32_t i;

	for (i = 0; i < req->nstores; i++) {
		dst[i].va = req->stores[i].dev_addr;
		dst[i].user_ptr = (uintptr_t)req->stores[i].host;
		dst[i].size = req->stores[i].size;
	}
}

static int kernel_submit(struct chip_dev *dev,
			 const struct chip_submit_req *req, uint64_t *seq)
{
	struct drm_chip_store stores[DRM_CHIP_MAX_STORES];
	struct kdev *k = kdev_of(dev);
	struct drm_chip_run r;
	int ret;

	if (k->closing)
		return -EBADF;
	if (req->nstores > DRM_CHIP_MAX_STORES)
		return -E2BIG;
	put_stores(stores, req);
	if (k->ur)
		return uring_submit(k->ur, k->fd, req, stores, k->sync_flags,
				    seq);
	fill_run(&r, req, stores, k->sync_flags);
	ret = kioctl(k->fd, DRM_IOCTL_CHIP_RUN, &r);
	if (!ret)
		*seq = r.seq;
	return ret;
}

static int kernel_submit_many(struct chip_dev *dev,
			      const struct chip_submit_req *reqs, int n,
			      uint64_t *seqs, int *rets)
{
	const struct drm_chip_store *sp[CHIP_BATCH_MAX];
	struct kdev *k = kdev_of(dev);
	struct drm_chip_store *st, *stores;
	size_t total = 0;
	int i;

	if (k->closing)
		return -EBADF;
	if (!k->ur || n > CHIP_BATCH_MAX) {
		for (i = 0; i < n; i++)
			rets[i] = kernel_submit(dev, &reqs[i], &seqs[i]);
		return 0;
	}
	for (i = 0; i < n; i++)
		total += reqs[i].nstores;
	stores = malloc((total ? total : 1) * sizeof(*stores));
	if (!stores)
		return -ENOMEM;
	for (i = 0, st = stores; i < n; i++) {
		sp[i] = st;
		if (reqs[i].nstores > DRM_CHIP_MAX_STORES)
			continue;	/* the kernel says -E2BIG */
		put_stores(st, &reqs[i]);
		st += reqs[i].nstores;
	}
	uring_submit_many(k->ur, k->fd, reqs, sp, n, k->sync_flags, seqs,
			  rets);
	free(stores);
	return 0;
}

static int wait_one(struct kdev *k, uint64_t seq, uint64_t deadline,
		    struct chip_run_result *res)
{
	struct drm_chip_wait w;
	int ret;

	memset(&w, 0, sizeof(w));
	w.seq = seq;
	w.timeout_ns = deadline;
	ret = kioctl(k->fd, DRM_IOCTL_CHIP_WAIT, &w);
	if (ret)
		return ret;
	memset(res, 0, sizeof(*res));
	res->seq = w.done_seq;
	res->status = w.status;
	res->code = w.code;
	res->fault_addr = w.fault_addr;
	res->tasks = w.tasks;
	res->insns = w.insns;
	res->device_ns = w.device_ns;
	memcpy(res->msg, w.msg, sizeof(res->msg));
	res->msg[sizeof(res->msg) - 1] = '\0';
	return 0;
}

static int kernel_wait(struct chip_dev *dev, uint64_t seq, uint64_t deadline,
		       struct chip_run_result *res)
{
	struct kdev *k = kdev_of(dev);

	if (k->ur)
		return uring_wait(k->ur, seq, deadline, res);
	return wait_one(k, seq, deadline, res);
}

static int kernel_reap(struct chip_dev *dev, struct chip_run_result *out,
		       int max, int min, uint64_t deadline)
{
	struct kdev *k = kdev_of(dev);
	int n = 0, ret;

	if (k->ur)
		return uring_reap(k->ur, out, max, min, deadline);
	while (n < max) {
		/* Past @min only what is already complete: deadline 1 ns. */
		ret = wait_one(k, 0, n < min ? deadline : 1, &out[n]);
		if (ret == -ETIMEDOUT || ret == -ENOENT)
			break;
		if (ret)
			return n ? n : ret;
		n++;
	}
	return n;
}

static int kernel_counters(struct chip_dev *dev, struct chip_counters *c)
{
	struct drm_chip_counters k;
	int ret, i;

	memset(&k, 0, sizeof(k));
	ret = kioctl(kdev_of(dev)->fd, DRM_IOCTL_CHIP_COUNTERS, &k);
	if (ret)
		return ret;
	c->orch_loads = k.orch_loads;
	c->dedup_hits = k.dedup_hits;
	c->dedup_misses = k.dedup_misses;
	c->resident_bytes = k.resident_bytes;
	c->resident_callables = k.resident_callables;
	c->registered = k.registered;
	for (i = 0; i < CHIP_STATUS_COUNT && i < DRM_CHIP_STATUS_COUNT; i++)
		c->runs[i] = k.runs[i];
	c->gm_used = k.gm_used;
	return 0;
}

const struct chip_backend_ops chip_kernel_backend = {
	.name = "kernel",
	.open = kernel_open,
	.close = kernel_close,
	.info = kernel_info,
	.mem_alloc = kernel_mem_alloc,
	.mem_free = kernel_mem_free,
	.copy_to = kernel_copy_to,
	.copy_from = kernel_copy_from,
	.reg = kernel_reg,
	.unreg = kernel_unreg,
	.submit = kernel_submit,
	.submit_many = kernel_submit_many,
	.wait = kernel_wait,
	.reap = kernel_reap,
	.counters = kernel_counters,
	/* The driver's hook is in debugfs (not ABI): -EOPNOTSUPP. */
	.shutdown = kernel_shutdown,
};
