// SPDX-License-Identifier: MIT
/*
 * The kernel backend: chip.ko through its device node.
 *
 * "a2a3" and "a5" open a chip device of that platform: the one that
 * opts->node or opts->device names, else $CHIP_DEVICE's, else the first.
 * Devices are found in sysfs (/sys/class/accel, then the render nodes of
 * /sys/class/drm for kernels without accel) and counted in minor order;
 * other drivers' nodes are never opened (chip.h lists chip_open()'s
 * errors; chip_last_error() names the node).  Every operation is one or two
 * ioctls of uapi/drm/chip_accel.h through libdrm's drmIoctl(); the kernel
 * owns all state, so this file keeps only the descriptor.  Errors are the
 * kernel's errnos, which match the simulated backend's.
 *
 * Runs go through io_uring when the kernel allows it (DRM_CHIP_URING_RUN
 * on a liburing ring of this descriptor): chip_submit() is one
 * io_uring_enter() that queues the run and returns its seq or the
 * validation error, and completions are read from the completion queue
 * in batches, without a system call when they are already there.  When
 * io_uring_setup() fails (kernel.io_uring_disabled, seccomp, no kernel
 * support) or $CHIP_NO_URING is set, runs use the RUN and WAIT ioctls;
 * results are the same.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <liburing.h>
#include <xf86drm.h>

#include "internal.h"
#include "chipc.h"
#include "drm/chip_accel.h"

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
	struct io_uring ring;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int blocker;			/* a thread sleeps in io_uring_enter */
	struct kslot *slots;
	struct kslot *free;
	struct kslot *hash[KHASH];
	struct kslot *dhead, *dtail;	/* completed chip_submit() runs */
	unsigned int inflight;		/* KS_SUBMIT + KS_FLIGHT */
	/*
	 * sizeof(struct drm_chip_run) with DRM_CHIP_FEATURE_FENCES or
	 * DRM_CHIP_FEATURE_TIMELINE,
	 * DRM_CHIP_RUN_SIZE_V2 with DRM_CHIP_FEATURE_LOADS, else
	 * DRM_CHIP_RUN_SIZE_V1: where the kernel writes a slot's result
	 * record.
	 */
	size_t run_size;
};

/* The result record of slot @s, right after the run the kernel takes. */
static struct drm_chip_run_result *kres(const struct kuring *u,
					struct kslot *s)
{
	return (struct drm_chip_run_result *)((char *)&s->u + u->run_size);
}

/*
 * The ioctl path's chip_submit() runs not consumed yet, in seq order:
 * chip_reap() waits for them by seq, oldest first, so it never takes
 * another thread's chip_run() completion (WAIT with seq 0 would).
 */
struct kpend {
	pthread_mutex_t lock;
	unsigned int n;
	uint64_t seq[KSLOTS];
	unsigned char claimed[KSLOTS];	/* a reaper waits for it */
};

struct kdev {
	int fd;
	volatile int closing;
	struct kuring *ur;		/* NULL: the ioctl path */
	struct kpend *pend;		/* the ioctl path's runs */
	uint32_t sync_flags;		/* drm_chip_run.flags of chip_run() */
	uint64_t feat;			/* DRM_CHIP_PARAM_FEATURES */
	struct kfences *fences;		/* CHIP_RUN_FENCE runs' syncobjs */
};

/*
 * The syncobjs of CHIP_RUN_FENCE runs not consumed yet, by seq, for
 * chip_run_fd(); destroyed when the run's completion is consumed.
 */
struct kfence {
	uint64_t seq;
	uint32_t handle;
};

struct kfences {
	pthread_mutex_t lock;
	unsigned int n, cap;
	struct kfence *v;
};

/* A request's syncobjs: its in-fences imported, its out-fence. */
struct ksyncs {
	struct drm_chip_sync in[CHIP_MAX_IN_FENCES];
	uint32_t nin;
	uint32_t out;			/* 0: none */
};

static struct kdev *kdev_of(struct chip_dev *dev)
{
	return dev->priv;
}

/* drmIoctl() (restarted after a signal) returning 0 or -errno. */
static int kioctl(int fd, unsigned long req, void *arg)
{
	return drmIoctl(fd, req, arg) ? -errno : 0;
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
	drmVersionPtr v = drmGetVersion(fd);
	uint64_t plat;
	int ours;

	if (!v)
		return 0;
	ours = v->name && !strcmp(v->name, "chip");
	drmFreeVersion(v);
	if (!ours || get_param(fd, DRM_CHIP_PARAM_PLATFORM, &plat))
		return 0;
	return plat == platform;
}

static int open_node(const char *path, uint32_t platform, int *fdp)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT || errno == ENXIO ? -ENODEV : -errno;
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
	struct io_uring_cqe *cqe;
	unsigned int head;
	int n = 0;

	io_uring_for_each_cqe(&u->ring, head, cqe) {
		uint64_t idx = cqe->user_data;

		n++;
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
		if (!kres(u, s)->seq) {
			struct drm_chip_run_result *r = kres(u, s);

			/* Cancelled by io_uring itself: no record written. */
			r->seq = s->seq;
			r->status = cqe->res >= 0 ? (uint32_t)cqe->res :
				    CHIP_STATUS_CANCELLED;
			snprintf(r->msg, sizeof(r->msg), "cancelled");
		}
		done_push(u, s);
	}
	io_uring_cq_advance(&u->ring, (unsigned int)n);
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
	struct __kernel_timespec kts;
	struct io_uring_cqe *cqe;
	struct timespec ts;

	if (deadline && deadline - now < left)
		left = deadline - now;
	if (!u->blocker) {
		u->blocker = 1;
		pthread_mutex_unlock(&u->lock);
		if (!left)
			left = 1;
		kts.tv_sec = (long long)(left / 1000000000ull);
		kts.tv_nsec = (long long)(left % 1000000000ull);
		/* Only a wake-up: harvest() consumes, under the lock. */
		io_uring_wait_cqe_timeout(&u->ring, &cqe, &kts);
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
	io_uring_queue_exit(&u->ring);
	if (u->inflight)
		return;		/* leaked rather than written after free */
	pthread_cond_destroy(&u->cond);
	pthread_mutex_destroy(&u->lock);
	free(u->slots);
	free(u);
}

/*
 * A DRM_CHIP_URING_* command on @fd with @cmd in the SQE's command area.
 * liburing 2.3 has no io_uring_prep_cmd(): io_uring_prep_rw() zeroes
 * what the kernel checks, then cmd_op (sharing storage with off) is set.
 */
static void prep_cmd(struct io_uring_sqe *sqe, int fd, uint32_t op,
		     const struct drm_chip_uring_cmd *cmd)
{
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = op;
	memcpy(sqe->cmd, cmd, sizeof(*cmd));
}

/* io_uring for runs, or NULL: the ioctl path. */
static struct kuring *uring_init(int fd)
{
	struct drm_chip_uring_cmd nop = { 0 };
	const char *env = getenv("CHIP_NO_URING");
	struct __kernel_timespec ts = { .tv_sec = 1 };
	struct io_uring_params p = {
		/* the completion queue holds every slot's completion */
		.flags = IORING_SETUP_CQSIZE,
		.cq_entries = 2 * KSLOTS,
	};
	struct io_uring_cqe *cqe;
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
	u->run_size = feat & (DRM_CHIP_FEATURE_FENCES |
			      DRM_CHIP_FEATURE_TIMELINE) ?
		      sizeof(struct drm_chip_run) :
		      feat & DRM_CHIP_FEATURE_LOADS ? DRM_CHIP_RUN_SIZE_V2 :
		      DRM_CHIP_RUN_SIZE_V1;
	u->slots = calloc(KSLOTS, sizeof(*u->slots));
	if (!u->slots || io_uring_queue_init_params(256, &u->ring, &p)) {
		free(u->slots);
		free(u);
		return NULL;
	}
	pthread_mutex_init(&u->lock, NULL);
	pthread_cond_init(&u->cond, NULL);
	for (i = KSLOTS - 1; i >= 0; i--)
		slot_free(u, &u->slots[i]);

	/* Probe: a NOP command must complete with 0. */
	sqe = io_uring_get_sqe(&u->ring);
	prep_cmd(sqe, fd, DRM_CHIP_URING_NOP, &nop);
	cqe = NULL;
	ret = io_uring_submit_and_wait_timeout(&u->ring, &cqe, 1, &ts, NULL);
	if (ret >= 0 && cqe) {
		ret = cqe->res;
		io_uring_cqe_seen(&u->ring, cqe);
	} else if (ret >= 0) {
		ret = -EIO;
	}
	if (ret) {
		io_uring_queue_exit(&u->ring);
		pthread_cond_destroy(&u->cond);
		pthread_mutex_destroy(&u->lock);
		free(u->slots);
		free(u);
		return NULL;
	}
	return u;
}

/* @req as the driver's run, with DRM_CHIP_RUN_* @flags. */
static void fill_run(struct drm_chip_run *r, const struct chip_submit_req *req,
		     const struct drm_chip_store *stores, uint32_t flags,
		     const struct ksyncs *ks)
{
	/*
	 * On LP64 struct chip_load is struct drm_chip_load: the kernel reads
	 * the caller's array (submit_prep() refuses loads elsewhere).
	 */
	_Static_assert(sizeof(void *) != 8 ||
		       (sizeof(struct chip_load) == sizeof(struct drm_chip_load) &&
			offsetof(struct chip_load, host) ==
			offsetof(struct drm_chip_load, user_ptr)),
		       "struct chip_load is struct drm_chip_load");
	memset(r, 0, sizeof(*r));
	r->flags = flags;
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
	r->loads_ptr = req->nloads ? (uintptr_t)req->loads : 0;
	r->load_count = req->nloads;
	/* The driver writes the caller's struct chip_timeline itself. */
	_Static_assert(sizeof(struct chip_timeline) ==
		       sizeof(struct drm_chip_timeline) &&
		       sizeof(struct chip_span) == sizeof(struct drm_chip_span) &&
		       offsetof(struct chip_span, func_id) ==
		       offsetof(struct drm_chip_span, func_id) &&
		       offsetof(struct chip_span, core_type) ==
		       offsetof(struct drm_chip_span, core_type),
		       "struct chip_timeline is struct drm_chip_timeline");
	r->timeline_ptr = (uintptr_t)req->timeline;
	r->timeline_count = req->timeline ? req->timeline_cap : 0;
	if (ks && ks->nin) {
		r->in_syncs_ptr = (uintptr_t)ks->in;
		r->in_sync_count = ks->nin;
	}
	if (ks)
		r->out_sync.handle = ks->out;
}

/* Take a free slot and SQE for @req.  NULL when either is exhausted. */
static struct kslot *uring_queue(struct kuring *u, int fd,
				 const struct chip_submit_req *req,
				 const struct drm_chip_store *stores,
				 const struct ksyncs *ks)
{
	struct drm_chip_uring_cmd cmd = { 0 };
	struct io_uring_sqe *sqe;
	struct kslot *s = u->free;

	if (!s)
		return NULL;
	sqe = io_uring_get_sqe(&u->ring);
	if (!sqe)
		return NULL;
	u->free = s->hnext;
	memset(&s->u, 0, sizeof(s->u));
	fill_run(&s->u.run, req, stores, 0, ks);
	s->state = KS_SUBMIT;
	s->seq = 0;
	u->inflight++;
	cmd.ptr = (uintptr_t)&s->u;
	prep_cmd(sqe, fd, u->run_size == sizeof(struct drm_chip_run) ?
		 DRM_CHIP_URING_RUN : u->run_size == DRM_CHIP_RUN_SIZE_V2 ?
		 DRM_CHIP_URING_RUN_V2 : DRM_CHIP_URING_RUN_V1, &cmd);
	io_uring_sqe_set_data64(sqe, (uint64_t)(s - u->slots) + 1);
	return s;
}

/*
 * Take back the SQEs that io_uring_submit() published but the kernel did
 * not consume: what liburing has no call for.  Without an SQ thread the
 * kernel reads the queue only inside io_uring_enter(), which this file
 * calls with the lock held, so rewinding the tail to the head is safe.
 */
static void ring_withdraw(struct io_uring *ring)
{
	unsigned int head = io_uring_smp_load_acquire(ring->sq.khead);

	ring->sq.sqe_head = head;
	ring->sq.sqe_tail = head;
	io_uring_smp_store_release(ring->sq.ktail, head);
}

/*
 * Hand the @n SQEs queued last to the kernel.  Returns how many it
 * consumed; on a hard error the others are taken back off the queue and
 * *@err says why.  (An SQE the kernel rejects completes with its error;
 * the ones after it stay queued for the next io_uring_submit().)
 */
static unsigned int uring_flush(struct kuring *u, unsigned int n, int *err)
{
	unsigned int head0 = *u->ring.sq.khead;
	unsigned int done = 0;
	int ret;

	*err = 0;
	while (done < n) {
		ret = io_uring_submit(&u->ring);
		if (ret > 0) {
			done += (unsigned int)ret;
		} else if (ret == -EBUSY || ret == -EAGAIN) {
			harvest(u);	/* room in the completion queue */
		} else if (ret != -EINTR) {
			*err = ret ? ret : -EAGAIN;
			break;
		}
	}
	if (done < n) {
		done = io_uring_smp_load_acquire(u->ring.sq.khead) - head0;
		ring_withdraw(&u->ring);
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
			      const struct ksyncs *ks,
			      int n, uint64_t *seqs, int *rets)
{
	struct kslot *ss[CHIP_BATCH_MAX];
	unsigned int k, done, j;
	int i = 0, err;

	pthread_mutex_lock(&u->lock);
	while (i < n) {
		int first = i;

		for (k = 0; i < n && k < CHIP_BATCH_MAX; i++, k++) {
			ss[k] = uring_queue(u, fd, &reqs[i], stores[i], ks);
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
			const struct drm_chip_store *stores,
			const struct ksyncs *ks, uint64_t *seq)
{
	int ret;

	uring_submit_many(u, fd, req, &stores, ks, 1, seq, &ret);
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
	CHIPC_RESULT_COPY(res, kres(u, s));
	slot_free(u, s);
	return ret;
}

/* Wait for chip_submit() run @seq. */
static int uring_wait(struct kuring *u, uint64_t seq, uint64_t deadline,
		      struct chip_run_result *res)
{
	struct kslot *s;
	int ret;

	pthread_mutex_lock(&u->lock);
	for (;;) {
		harvest(u);
		s = hash_find(u, seq);
		if (!s) {
			ret = -ENOENT;
			break;
		}
		if (s->state == KS_DONE) {
			ret = take(u, s, res);
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

/* ---- finding the device ------------------------------------------------- */

/*
 * Is the sysfs device @cls/@name (a class link such as
 * /sys/class/accel/accel0) a chip device?  Its parent is bound to the
 * "chip" driver or is one of the module's "chip.N" devices.
 */
static int sysfs_is_chip(const char *cls, const char *name)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s/device/driver", cls, name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		base = strrchr(link, '/');
		if (!strcmp(base ? base + 1 : link, "chip"))
			return 1;
	}
	snprintf(path, sizeof(path), "%s/%s/device", cls, name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	return !strncmp(base, "chip.", 5);
}

static int minor_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * The minors of the chip nodes of class @cls whose names are @prefix
 * followed by a number, ascending, into @minors (up to @max).
 */
static int sysfs_nodes(const char *cls, const char *prefix, int *minors,
		       int max)
{
	size_t plen = strlen(prefix);
	struct dirent *de;
	DIR *d = opendir(cls);
	int n = 0;
	char *end;
	long m;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		if (strncmp(de->d_name, prefix, plen))
			continue;
		m = strtol(de->d_name + plen, &end, 10);
		if (end == de->d_name + plen || *end || m < 0 || m > INT_MAX)
			continue;
		if (sysfs_is_chip(cls, de->d_name))
			minors[n++] = (int)m;
	}
	closedir(d);
	qsort(minors, (size_t)n, sizeof(*minors), minor_cmp);
	return n;
}

#define KMAX_NODES	64

/*
 * The minors of the chip render nodes (kernels before accel, such as
 * 6.1), ascending: those drmGetDevices2() enumerates, and those of sysfs
 * it leaves out.  libdrm describes a platform device only as far as
 * sysfs tells it what it expects (an OF node), and merges devices it
 * cannot tell apart: the module's "chip.N" devices may come out as one
 * device or none.
 */
static int render_nodes(int *minors, int max)
{
	drmDevicePtr devs[KMAX_NODES];
	int extra[KMAX_NODES];
	const char *node, *end;
	int i, j, n, ne, m = 0;

	n = drmGetDevices2(0, devs, KMAX_NODES);
	for (i = 0; i < n; i++) {
		if (!(devs[i]->available_nodes & (1 << DRM_NODE_RENDER)))
			continue;
		node = devs[i]->nodes[DRM_NODE_RENDER];
		end = strrchr(node, '/');
		end = end ? end + 1 : node;
		if (strncmp(end, "renderD", 7) || m >= max)
			continue;
		if (sysfs_is_chip("/sys/class/drm", end))
			minors[m++] = atoi(end + 7);
	}
	if (n > 0)
		drmFreeDevices(devs, n);
	ne = sysfs_nodes("/sys/class/drm", "renderD", extra, KMAX_NODES);
	for (i = 0; i < ne && m < max; i++) {
		for (j = 0; j < m && minors[j] != extra[i]; j++)
			;
		if (j == m)
			minors[m++] = extra[i];
	}
	qsort(minors, (size_t)m, sizeof(*minors), minor_cmp);
	return m;
}

/*
 * Open device number @index (counted from 0) among the chip devices of
 * @platform: accel nodes, else (kernels before accel) render nodes.
 */
static int open_index(uint32_t platform, const char *pname, unsigned int index,
		      int *fdp)
{
	static const struct {
		const char *cls, *prefix, *dev;
	} kinds[] = {
		{ "/sys/class/accel", "accel", "/dev/accel/accel%d" },
		{ "/sys/class/drm", "renderD", "/dev/dri/renderD%d" },
	};
	char path[64], denied[64] = "";
	int minors[KMAX_NODES];
	unsigned int found = 0, seen = 0;
	size_t k;
	int i, n, ret;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		/* libdrm does not enumerate accel nodes: sysfs does. */
		n = k ? render_nodes(minors, KMAX_NODES) :
		    sysfs_nodes(kinds[k].cls, kinds[k].prefix, minors,
				KMAX_NODES);
		for (i = 0; i < n; i++) {
			snprintf(path, sizeof(path), kinds[k].dev, minors[i]);
			seen++;
			ret = open_node(path, platform, fdp);
			if (ret == -EACCES || ret == -EPERM) {
				if (!denied[0])
					snprintf(denied, sizeof(denied), "%s",
						 path);
				continue;
			}
			if (ret)
				continue;
			if (found++ == index) {
				chip_set_error("%s: %s", pname, path);
				return 0;
			}
			close(*fdp);
		}
		if (seen)
			break;	/* accel nodes: render nodes are not ours */
	}
	if (denied[0]) {
		chip_set_error("%s: %s: permission denied (the udev rule gives "
			       "group render access: Documentation/install.rst)",
			       pname, denied);
		return -EACCES;
	}
	if (!seen)
		chip_set_error("%s: no chip device in /sys/class/accel or "
			       "/sys/class/drm (is chip.ko loaded?)", pname);
	else
		chip_set_error("%s: device %u not found: %u %s device%s of %u "
			       "chip device node%s", pname, index, found,
			       pname, found == 1 ? "" : "s", seen,
			       seen == 1 ? "" : "s");
	return -ENODEV;
}

/* Open @path, which must be a chip device of @platform. */
static int open_path(uint32_t platform, const char *pname, const char *path,
		     int *fdp)
{
	int ret = open_node(path, platform, fdp);

	if (ret == -EPERM)
		ret = -EACCES;
	if (!ret)
		chip_set_error("%s: %s", pname, path);
	else if (ret == -ENODEV && access(path, F_OK))
		chip_set_error("%s: %s: no such device node", pname, path);
	else if (ret == -ENODEV)
		chip_set_error("%s: %s: not a chip %s device", pname, path,
			       pname);
	else
		chip_set_error("%s: %s: %s", pname, path, strerror(-ret));
	return ret;
}

/*
 * opts->node, else opts->device (CHIP_DEVICE_INDEX()), else $CHIP_DEVICE
 * (an index counted from 0, or a node path), else the first device.
 */
static int open_device(uint32_t platform, const char *pname,
		       const struct chip_open_opts *opts, int *fdp)
{
	const char *env = getenv("CHIP_DEVICE");
	unsigned long idx = 0;
	char *end;

	if (opts && opts->node)
		return open_path(platform, pname, opts->node, fdp);
	if (opts && opts->device)
		return open_index(platform, pname, opts->device - 1, fdp);
	if (env && *env) {
		if (strchr(env, '/'))
			return open_path(platform, pname, env, fdp);
		idx = strtoul(env, &end, 10);
		if (*end || idx >= KMAX_NODES) {
			chip_set_error("%s: CHIP_DEVICE=%s: not a device index "
				       "or node path", pname, env);
			return -EINVAL;
		}
	}
	return open_index(platform, pname, (unsigned int)idx, fdp);
}

/* kernel_open() failed after the ring and the pending list were made. */
static void kernel_close_early(struct kdev *k)
{
	uring_fini(k->ur, k->fd);
	close(k->fd);
	if (k->pend)
		pthread_mutex_destroy(&k->pend->lock);
	free(k->pend);
	free(k);
}

static int kernel_open(struct chip_dev *dev, uint32_t platform,
		       const struct chip_open_opts *opts)
{
	uint64_t feat;
	struct kdev *k;
	int fd = -1, ret;

	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	ret = open_device(platform, dev->name, opts, &fd);
	if (ret) {
		free(k);
		return ret;
	}
	k->fd = fd;
	k->ur = uring_init(fd);
	if (!k->ur) {
		k->pend = calloc(1, sizeof(*k->pend));
		if (!k->pend) {
			close(fd);
			free(k);
			return -ENOMEM;
		}
		pthread_mutex_init(&k->pend->lock, NULL);
	}
	if (!get_param(fd, DRM_CHIP_PARAM_FEATURES, &feat)) {
		if (feat & DRM_CHIP_FEATURE_RUN_INLINE)
			k->sync_flags = DRM_CHIP_RUN_INLINE;
		k->feat = feat;
	}
	if (k->feat & DRM_CHIP_FEATURE_FENCES) {
		k->fences = calloc(1, sizeof(*k->fences));
		if (!k->fences) {
			kernel_close_early(k);
			return -ENOMEM;
		}
		pthread_mutex_init(&k->fences->lock, NULL);
	}
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

static void kfences_free(struct kdev *k);

static void kernel_close(struct chip_dev *dev)
{
	struct kdev *k = kdev_of(dev);

	if (!k)
		return;
	uring_fini(k->ur, k->fd);
	close(k->fd);	/* the kernel cancels and frees everything */
	kfences_free(k);
	if (k->pend)
		pthread_mutex_destroy(&k->pend->lock);
	free(k->pend);
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
	int ret;

	ret = kioctl(k->fd, DRM_IOCTL_CHIP_BO_INFO, &i);
	if (ret)
		return ret;
	ret = drmCloseBufferHandle(k->fd, i.handle) ? -errno : 0;
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

/* ---- the ioctl path's chip_submit() runs ------------------------------- */

static int pend_find(struct kpend *p, uint64_t seq)
{
	unsigned int i;

	for (i = 0; i < p->n; i++)
		if (p->seq[i] == seq)
			return (int)i;
	return -1;
}

/* Record queued run @seq; the kernel allows at most KSLOTS per file. */
static void pend_add(struct kpend *p, uint64_t seq)
{
	unsigned int i;

	pthread_mutex_lock(&p->lock);
	if (p->n < KSLOTS) {
		for (i = p->n; i && p->seq[i - 1] > seq; i--) {
			p->seq[i] = p->seq[i - 1];
			p->claimed[i] = p->claimed[i - 1];
		}
		p->seq[i] = seq;
		p->claimed[i] = 0;
		p->n++;
	}
	pthread_mutex_unlock(&p->lock);
}

/* Forget @seq (consumed); with @keep, only give up the reaper's claim. */
static void pend_drop(struct kpend *p, uint64_t seq, int keep)
{
	int i;

	pthread_mutex_lock(&p->lock);
	i = pend_find(p, seq);
	if (i >= 0 && keep) {
		p->claimed[i] = 0;
	} else if (i >= 0) {
		p->n--;
		memmove(&p->seq[i], &p->seq[i + 1],
			(p->n - (unsigned int)i) * sizeof(p->seq[0]));
		memmove(&p->claimed[i], &p->claimed[i + 1],
			p->n - (unsigned int)i);
	}
	pthread_mutex_unlock(&p->lock);
}

/* The oldest run no other reaper waits for, claimed; 0 if none. */
static uint64_t pend_claim(struct kpend *p)
{
	uint64_t seq = 0;
	unsigned int i;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->n; i++) {
		if (!p->claimed[i]) {
			p->claimed[i] = 1;
			seq = p->seq[i];
			break;
		}
	}
	pthread_mutex_unlock(&p->lock);
	return seq;
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

/*
 * Does @req need what this driver lacks: a load list
 * (DRM_CHIP_FEATURE_LOADS, 64-bit user pointers), a timeline or
 * syncobjs (in-fences, or the out-fence of a CHIP_RUN_FENCE submission)?
 */
static int req_unsupported(const struct kdev *k,
			   const struct chip_submit_req *req)
{
	if (req->nloads && (!(k->feat & DRM_CHIP_FEATURE_LOADS) ||
			    sizeof(void *) != 8))
		return 1;
	if (req->timeline && !(k->feat & DRM_CHIP_FEATURE_TIMELINE))
		return 1;
	return (req->nin_fences ||
		(!req->sync && (req->flags & CHIP_RUN_FENCE))) &&
	       !(k->feat & DRM_CHIP_FEATURE_FENCES);
}

/*
 * What libchip checks before the driver does (the driver checks them
 * too), then @req's store ranges in the driver's form.
 */
static int submit_prep(struct kdev *k, const struct chip_submit_req *req,
		       struct drm_chip_store *stores)
{
	if (k->closing)
		return -EBADF;
	if (req->nstores > DRM_CHIP_MAX_STORES)
		return -E2BIG;
	if (req->nloads > DRM_CHIP_MAX_LOADS)
		return -E2BIG;
	if (req_unsupported(k, req))
		return -EOPNOTSUPP;
	put_stores(stores, req);
	return 0;
}

/* A chip_submit() run: over the ring, else RUN and the pending list. */
static int ksyncs_make(struct kdev *k, const struct chip_submit_req *req,
		       struct ksyncs *ks);
static void ksyncs_put(struct kdev *k, struct ksyncs *ks);
static int kfence_add_locked(struct kfences *f, uint64_t seq,
			     uint32_t handle);

static int kernel_submit(struct chip_dev *dev,
			 const struct chip_submit_req *req, uint64_t *seq)
{
	struct drm_chip_store stores[DRM_CHIP_MAX_STORES];
	struct kdev *k = kdev_of(dev);
	struct drm_chip_run r;
	int ret;

	struct ksyncs ks;

	ret = submit_prep(k, req, stores);
	if (ret)
		return ret;
	ret = ksyncs_make(k, req, &ks);
	if (ret)
		return ret;
	if (ks.out)
		pthread_mutex_lock(&k->fences->lock);
	if (k->ur) {
		ret = uring_submit(k->ur, k->fd, req, stores, &ks, seq);
	} else {
		fill_run(&r, req, stores, 0, &ks);
		ret = kioctl(k->fd, DRM_IOCTL_CHIP_RUN, &r);
		if (!ret) {
			*seq = r.seq;
			pend_add(k->pend, r.seq);
		}
	}
	if (ks.out) {
		if (!ret && kfence_add_locked(k->fences, *seq, ks.out))
			ks.out = 0;	/* kept for chip_run_fd() */
		pthread_mutex_unlock(&k->fences->lock);
	}
	ksyncs_put(k, &ks);
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
	for (i = 0; i < n; i++)
		if (req_unsupported(k, &reqs[i]) || reqs[i].nin_fences ||
		    (reqs[i].flags & CHIP_RUN_FENCE))
			break;
	if (!k->ur || n > CHIP_BATCH_MAX || i < n) {
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
	uring_submit_many(k->ur, k->fd, reqs, sp, NULL, n, seqs, rets);
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
	CHIPC_RESULT_COPY(res, &w);
	return 0;
}

static void kfence_drop(struct kdev *k, uint64_t seq);

static int kernel_wait(struct chip_dev *dev, uint64_t seq, uint64_t deadline,
		       struct chip_run_result *res)
{
	struct kdev *k = kdev_of(dev);

	int ret;

	if (k->ur) {
		ret = uring_wait(k->ur, seq, deadline, res);
		if (!ret)
			kfence_drop(k, seq);
		return ret;
	}
	pthread_mutex_lock(&k->pend->lock);
	ret = pend_find(k->pend, seq);
	pthread_mutex_unlock(&k->pend->lock);
	if (ret < 0)
		return -ENOENT;		/* not a chip_submit() run */
	ret = wait_one(k, seq, deadline, res);
	if (ret != -ETIMEDOUT)
		pend_drop(k->pend, seq, 0);
	if (!ret)
		kfence_drop(k, seq);
	return ret;
}

/*
 * chip_run() always takes the RUN and WAIT ioctls, also beside a ring: a
 * short run on an idle device then executes inside RUN
 * (DRM_CHIP_RUN_INLINE), while an io_uring issue may not block and
 * would hand it to io-wq.  Its completion is this caller's alone: it is
 * waited for by seq and never reaches the ring or the pending list.
 */
static int kernel_run(struct chip_dev *dev, const struct chip_submit_req *req,
		      struct chip_run_result *res)
{
	struct drm_chip_store stores[DRM_CHIP_MAX_STORES];
	struct kdev *k = kdev_of(dev);
	struct drm_chip_run r;
	int ret;

	struct ksyncs ks;

	ret = submit_prep(k, req, stores);
	if (ret)
		return ret;
	ret = ksyncs_make(k, req, &ks);
	if (ret)
		return ret;
	fill_run(&r, req, stores, k->sync_flags, &ks);
	ret = kioctl(k->fd, DRM_IOCTL_CHIP_RUN, &r);
	ksyncs_put(k, &ks);
	if (ret)
		return ret;
	return wait_one(k, r.seq, 0, res);
}

static int kernel_reap_one(struct chip_dev *dev, struct chip_run_result *out,
			   int max, int min, uint64_t deadline)
{
	struct kdev *k = kdev_of(dev);
	int n = 0, ret;

	uint64_t seq;

	if (k->ur)
		return uring_reap(k->ur, out, max, min, deadline);
	/* Runs complete in seq order: wait for the oldest first. */
	while (n < max && (seq = pend_claim(k->pend))) {
		/* Past @min only what is already complete: deadline 1 ns. */
		ret = wait_one(k, seq, n < min ? deadline : 1, &out[n]);
		pend_drop(k->pend, seq, ret == -ETIMEDOUT);
		if (ret == -ETIMEDOUT)
			break;
		if (ret == -ENOENT)
			continue;	/* taken by chip_wait() meanwhile */
		if (ret)
			return n ? n : ret;
		n++;
	}
	return n;
}

static int kernel_reap(struct chip_dev *dev, struct chip_run_result *out,
		       int max, int min, uint64_t deadline)
{
	struct kdev *k = kdev_of(dev);
	int i, n = kernel_reap_one(dev, out, max, min, deadline);

	for (i = 0; i < n; i++)
		kfence_drop(k, out[i].seq);
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

/*
 * DRM_IOCTL_CHIP_DEDUP_LIST.  The driver hides the key of an entry this
 * file does not use (unless the caller has CAP_SYS_ADMIN) and does not
 * say which cids hold an entry, its runtime or its children: those stay
 * zero.  A driver without the ioctl: -EOPNOTSUPP.
 */
static int kernel_dedup_list(struct chip_dev *dev, uint32_t *scope,
			     struct chip_resident *out, int max)
{
	struct drm_chip_dedup_entry *e = NULL;
	struct drm_chip_dedup_list l;
	int ret, i;

	if (max) {
		e = calloc((size_t)max, sizeof(*e));
		if (!e)
			return -ENOMEM;
	}
	memset(&l, 0, sizeof(l));
	l.entries_ptr = (uintptr_t)e;
	l.count = (uint32_t)max;
	ret = kioctl(kdev_of(dev)->fd, DRM_IOCTL_CHIP_DEDUP_LIST, &l);
	if (ret == -EINVAL || ret == -ENOTTY)
		ret = -EOPNOTSUPP;	/* a driver before the ioctl */
	for (i = 0; !ret && i < max && (uint32_t)i < l.count; i++) {
		out[i].hash = e[i].hash;
		out[i].size = (uint32_t)e[i].size;
		out[i].refs = e[i].refs;
	}
	free(e);
	if (ret)
		return ret;
	if (scope)
		*scope = l.scope;
	return l.count > INT32_MAX ? INT32_MAX : (int)l.count;
}

/* ---- fences: syncobjs (DRM_CHIP_FEATURE_FENCES) ----------------------- */

static void ksyncs_put(struct kdev *k, struct ksyncs *ks)
{
	uint32_t i;

	for (i = 0; i < ks->nin; i++)
		drmSyncobjDestroy(k->fd, ks->in[i].handle);
	ks->nin = 0;
	if (ks->out)
		drmSyncobjDestroy(k->fd, ks->out);
	ks->out = 0;
}

/*
 * Each in-fence (a sync_file) imported into a syncobj of its own for the
 * run to wait on; the kernel takes the fences at submission, so the
 * syncobjs go right after it.  With CHIP_RUN_FENCE a syncobj where the
 * run's fence is published.  An fd that is no sync_file is -EINVAL.
 */
static int ksyncs_make(struct kdev *k, const struct chip_submit_req *req,
		       struct ksyncs *ks)
{
	uint32_t i, h;
	int ret;

	memset(ks, 0, sizeof(*ks));
	for (i = 0; i < req->nin_fences; i++) {
		if (drmSyncobjCreate(k->fd, 0, &h)) {
			ret = -errno;
			goto err;
		}
		ks->in[ks->nin].handle = h;
		ks->nin++;
		if (drmSyncobjImportSyncFile(k->fd, h, req->in_fences[i])) {
			ret = errno == EMFILE || errno == ENOMEM ? -errno :
			      -EINVAL;
			goto err;
		}
	}
	if (!req->sync && (req->flags & CHIP_RUN_FENCE) &&
	    drmSyncobjCreate(k->fd, 0, &ks->out)) {
		ret = -errno;
		goto err;
	}
	return 0;
err:
	ksyncs_put(k, ks);
	return ret;
}

/*
 * Keep @handle as run @seq's fence.  Returns 1 if kept.  f->lock held,
 * since before the submission: a reaper that consumes the run at once
 * drops its fence only after it was added.
 */
static int kfence_add_locked(struct kfences *f, uint64_t seq, uint32_t handle)
{
	if (f->n == f->cap) {
		unsigned int cap = f->cap ? 2 * f->cap : 16;
		struct kfence *v = realloc(f->v, cap * sizeof(*v));

		if (!v)
			return 0;
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n].seq = seq;
	f->v[f->n].handle = handle;
	f->n++;
	return 1;
}

/* Run @seq's completion was consumed: its fence goes. */
static void kfence_drop(struct kdev *k, uint64_t seq)
{
	struct kfences *f = k->fences;
	unsigned int i;

	if (!f)
		return;
	pthread_mutex_lock(&f->lock);
	for (i = 0; i < f->n; i++) {
		if (f->v[i].seq == seq) {
			drmSyncobjDestroy(k->fd, f->v[i].handle);
			f->v[i] = f->v[--f->n];
			break;
		}
	}
	pthread_mutex_unlock(&f->lock);
}

static void kfences_free(struct kdev *k)
{
	struct kfences *f = k->fences;

	if (!f)
		return;
	/* Closing the file destroyed the syncobjs. */
	pthread_mutex_destroy(&f->lock);
	free(f->v);
	free(f);
	k->fences = NULL;
}

/* A sync_file of run @seq's fence (O_CLOEXEC, made by the kernel). */
static int kernel_run_fd(struct chip_dev *dev, uint64_t seq, int *fdp)
{
	struct kdev *k = kdev_of(dev);
	struct kfences *f = k->fences;
	unsigned int i;
	int ret = -ENOENT;

	if (!(k->feat & DRM_CHIP_FEATURE_FENCES))
		return -EOPNOTSUPP;
	if (!f)
		return -ENOENT;
	pthread_mutex_lock(&f->lock);
	for (i = 0; i < f->n; i++) {
		if (f->v[i].seq == seq) {
			ret = drmSyncobjExportSyncFile(k->fd, f->v[i].handle,
						       fdp) ? -errno : 0;
			break;
		}
	}
	pthread_mutex_unlock(&f->lock);
	return ret;
}

/* ---- buffer sharing: PRIME (DRM_CHIP_FEATURE_IMPORT) ------------------- */

static int kernel_export(struct chip_dev *dev, uint64_t addr, int *fdp)
{
	struct kdev *k = kdev_of(dev);
	struct drm_chip_bo_info i = {
		.flags = DRM_CHIP_BO_INFO_BY_VA,
		.va = addr,
	};
	int ret;

	if (!(k->feat & DRM_CHIP_FEATURE_IMPORT))
		return -EOPNOTSUPP;
	ret = kioctl(k->fd, DRM_IOCTL_CHIP_BO_INFO, &i);
	if (ret)
		return ret == -EINVAL ? -ENOENT : ret;
	return drmPrimeHandleToFD(k->fd, i.handle, DRM_CLOEXEC | DRM_RDWR,
				  fdp) ? -errno : 0;
}

/*
 * The dma-buf's GEM object in this file (the same handle for a buffer
 * it already has), mapped by the driver in this file's address space.
 */
static int kernel_import(struct chip_dev *dev, int fd, uint64_t *addr,
			 uint64_t *size)
{
	struct kdev *k = kdev_of(dev);
	struct drm_chip_bo_info i = { 0 };
	int ret;

	if (!(k->feat & DRM_CHIP_FEATURE_IMPORT))
		return -EOPNOTSUPP;
	if (drmPrimeFDToHandle(k->fd, fd, &i.handle))
		return errno == EBADF ? -EBADF : errno == ENOMEM ? -ENOMEM :
		       errno == ENOSPC ? -ENOSPC : -EINVAL;
	ret = kioctl(k->fd, DRM_IOCTL_CHIP_BO_INFO, &i);
	if (ret) {
		drmCloseBufferHandle(k->fd, i.handle);
		return ret;
	}
	*addr = i.va;
	*size = i.size;
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
	.run = kernel_run,
	.wait = kernel_wait,
	.reap = kernel_reap,
	.counters = kernel_counters,
	.dedup_list = kernel_dedup_list,
	/* The driver's hook is in debugfs (not ABI): -EOPNOTSUPP. */
	.run_fd = kernel_run_fd,
	.export_buf = kernel_export,
	.import_buf = kernel_import,
	.shutdown = kernel_shutdown,
};
