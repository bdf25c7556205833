// SPDX-License-Identifier: MIT
/*
 * The kernel backend: chip.ko through its device node.
 *
 * "a2a3" and "a5" open the first chip device of that platform (accel
 * nodes first, then render nodes), or opts->node.  Every operation is one
 * or two ioctls of uapi/drm/chip_accel.h; the kernel owns all state, so
 * this file keeps only the descriptor.  Errors are the kernel's errnos,
 * which match the simulated backend's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "internal.h"
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

struct kdev {
	int fd;
	volatile int closing;
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

static int kernel_open(struct chip_dev *dev, uint32_t platform,
		       const struct chip_open_opts *opts)
{
	char path[64];
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

static int kernel_submit(struct chip_dev *dev,
			 const struct chip_submit_req *req, uint64_t *seq)
{
	struct drm_chip_store stores[DRM_CHIP_MAX_STORES];
	struct drm_chip_run r;
	uint32_t i;
	int ret;

	if (kdev_of(dev)->closing)
		return -EBADF;
	if (req->nstores > DRM_CHIP_MAX_STORES)
		return -E2BIG;
	for (i = 0; i < req->nstores; i++) {
		stores[i].va = req->stores[i].dev_addr;
		stores[i].user_ptr = (uintptr_t)req->stores[i].host;
		stores[i].size = req->stores[i].size;
	}
	memset(&r, 0, sizeof(r));
	r.args_ptr = (uintptr_t)req->args;
	r.args_size = req->args_len;
	r.graph_ptr = (uintptr_t)req->graph;
	r.graph_size = req->graph ? req->graph_len : 0;
	if (!r.graph_size)
		r.graph_ptr = 0;
	r.stores_ptr = req->nstores ? (uintptr_t)stores : 0;
	r.store_count = req->nstores;
	r.cid = req->cid;
	r.block_dim = req->block_dim;
	r.aicpu_threads = req->aicpu_threads;
	r.timeout_ns = req->timeout_ns;
	r.insn_budget = req->insn_budget;
	ret = kioctl(kdev_of(dev)->fd, DRM_IOCTL_CHIP_RUN, &r);
	if (!ret)
		*seq = r.seq;
	return ret;
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
	return wait_one(kdev_of(dev), seq, deadline, res);
}

static int kernel_reap(struct chip_dev *dev, struct chip_run_result *out,
		       int max, int min, uint64_t deadline)
{
	struct kdev *k = kdev_of(dev);
	int n = 0, ret;

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

static int kernel_set_hash_mask(struct chip_dev *dev, uint64_t mask)
{
	struct drm_chip_debug d = {
		.op = DRM_CHIP_DEBUG_SET_HASH_MASK,
		.value = mask,
	};

	return kioctl(kdev_of(dev)->fd, DRM_IOCTL_CHIP_DEBUG, &d);
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
	.wait = kernel_wait,
	.reap = kernel_reap,
	.counters = kernel_counters,
	.set_hash_mask = kernel_set_hash_mask,
	.shutdown = kernel_shutdown,
};
