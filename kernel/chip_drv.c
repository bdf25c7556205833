// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * chip.ko: module parameters, the emulated devices, the DRM driver, its
 * file operations and ioctl table, and the init/exit ladder.
 */
#include <linux/capability.h>
#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_prime.h>

#include "chip_drv.h"
#include "compat/compat.h"

#define CHIP_MAX_DEVICES	8

static unsigned int devices = 1;
module_param(devices, uint, 0444);
MODULE_PARM_DESC(devices, "Number of emulated devices (1-8, default 1)");

static char *platform = "a2a3";
module_param(platform, charp, 0444);
MODULE_PARM_DESC(platform, "Platform of the devices: a2a3 (default) or a5");

static unsigned long gm_size_mb = 256;
module_param(gm_size_mb, ulong, 0444);
MODULE_PARM_DESC(gm_size_mb, "Device memory per device in MiB (default 256)");

static unsigned long heap_size_mb = 16;
module_param(heap_size_mb, ulong, 0444);
MODULE_PARM_DESC(heap_size_mb, "Heap per open file in MiB (default 16)");

/*
 * user by default: on a shared host, device scope lets one user learn
 * whether another has a given callable resident (Documentation/driver.rst).
 */
static char *dedup_scope = "user";
module_param(dedup_scope, charp, 0444);
MODULE_PARM_DESC(dedup_scope,
		 "Callables shared by identical content across: user (default), device or file");

static unsigned int workers = 2;
module_param(workers, uint, 0444);
MODULE_PARM_DESC(workers, "Host threads executing cores per device (1-16, default 2)");

static unsigned int max_timeout_ms = 60000;
module_param(max_timeout_ms, uint, 0444);
MODULE_PARM_DESC(max_timeout_ms, "Largest run watchdog in ms (default 60000)");

static unsigned int inline_us = 200;
module_param(inline_us, uint, 0444);
MODULE_PARM_DESC(inline_us,
		 "Execute a run in the submitting task when the device is idle and the callable's last run took at most this many us (default 200, 0: never)");

static unsigned int poll_us = 50;
module_param(poll_us, uint, 0444);
MODULE_PARM_DESC(poll_us,
		 "The emulated device checks its queue for this many us after its last job before its thread sleeps (default 50, 0: sleep at once, at most 10000)");

static unsigned int max_run_mb = 256;
module_param(max_run_mb, uint, 0444);
MODULE_PARM_DESC(max_run_mb,
		 "Kernel memory of one file's pending runs in MiB (default 256; RUN: -EBUSY past it)");

struct chip_params chip_params;

static struct platform_device *chip_pdevs[CHIP_MAX_DEVICES];
static struct chip_device *chip_devs[CHIP_MAX_DEVICES];
static void *chip_groups[CHIP_MAX_DEVICES];

/*
 * Add @bytes to *@used unless that takes it above @limit.  A refused
 * charge never shows in *@used, not even for a moment: a reader
 * (COUNTERS, fdinfo) never sees use above the limit, and a concurrent
 * charge that fits is not refused because of one that does not.
 */
bool chip_charge(atomic64_t *used, u64 bytes, u64 limit)
{
	s64 old = atomic64_read(used);

	do {
		if (bytes > limit || (u64)old > limit - bytes)
			return false;
	} while (!atomic64_try_cmpxchg(used, &old, old + (s64)bytes));
	return true;
}

int chip_gm_charge(struct chip_device *cdev, u64 bytes)
{
	return chip_charge(&cdev->gm_used, bytes, chip_params.gm_size) ?
	       0 : -ENOSPC;
}

void chip_gm_uncharge(struct chip_device *cdev, u64 bytes)
{
	atomic64_sub(bytes, &cdev->gm_used);
}

/* ---- ioctls ------------------------------------------------------------ */

static int chip_get_param_ioctl(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	struct chip_device *cdev = to_chip_device(drm);
	const struct chipc_platform *p = cdev->core.plat;
	struct drm_chip_get_param *args = data;

	if (args->pad)
		return -EINVAL;

	switch (args->param) {
	case DRM_CHIP_PARAM_PLATFORM:
		args->value = p->id;
		break;
	case DRM_CHIP_PARAM_MAX_BLOCKS:
	case DRM_CHIP_PARAM_AIC_CORES:
		args->value = p->max_blocks;
		break;
	case DRM_CHIP_PARAM_MAX_AICPU_THREADS:
		args->value = p->max_aicpu_threads;
		break;
	case DRM_CHIP_PARAM_AIV_CORES:
		args->value = 2ull * p->max_blocks;
		break;
	case DRM_CHIP_PARAM_LOCAL_AIC:
		args->value = CHIP_LOCAL_AIC;
		break;
	case DRM_CHIP_PARAM_LOCAL_AIV:
		args->value = CHIP_LOCAL_AIV;
		break;
	case DRM_CHIP_PARAM_GM_SIZE:
		args->value = chip_params.gm_size;
		break;
	case DRM_CHIP_PARAM_HEAP_VA:
		args->value = CHIPC_HEAP_VA;
		break;
	case DRM_CHIP_PARAM_HEAP_SIZE:
		args->value = chip_params.heap_size;
		break;
	case DRM_CHIP_PARAM_FEATURES:
		args->value = DRM_CHIP_FEATURE_STORES |
			      DRM_CHIP_FEATURE_HOST_GRAPH |
			      DRM_CHIP_FEATURE_URING |
			      DRM_CHIP_FEATURE_RUN_INLINE |
			      DRM_CHIP_FEATURE_LOADS |
			      DRM_CHIP_FEATURE_FENCES |
			      DRM_CHIP_FEATURE_IMPORT |
			      DRM_CHIP_FEATURE_DEDUP_LIST |
			      DRM_CHIP_FEATURE_TIMELINE;
		break;
	case DRM_CHIP_PARAM_MAX_CALLABLE:
		args->value = chip_params.max_callable;
		break;
	case DRM_CHIP_PARAM_MAX_STORE_BYTES:
		args->value = chip_params.max_store_bytes;
		break;
	case DRM_CHIP_PARAM_MAX_TIMEOUT_NS:
		args->value = chip_params.max_timeout_ns;
		break;
	case DRM_CHIP_PARAM_DEDUP_SCOPE:
		args->value = chip_params.dedup_scope;
		break;
	case DRM_CHIP_PARAM_MAX_RUNS:
		args->value = chip_params.max_runs;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static const struct drm_ioctl_desc chip_ioctls[] = {
	DRM_IOCTL_DEF_DRV(CHIP_GET_PARAM, chip_get_param_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(CHIP_BO_CREATE, chip_bo_create_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(CHIP_BO_INFO, chip_bo_info_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(CHIP_BO_COPY, chip_bo_copy_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(CHIP_REGISTER, chip_register_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(CHIP_UNREGISTER, chip_unregister_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(CHIP_RUN, chip_run_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(CHIP_WAIT, chip_wait_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(CHIP_COUNTERS, chip_counters_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(CHIP_CANCEL, chip_cancel_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(CHIP_DEDUP_LIST, chip_dedup_list_ioctl, DRM_RENDER_ALLOW),
};

/*
 * The core DRM ioctls a client of this device may use: what an accel or
 * render client needs and the DRM core implements without a master or
 * modesetting.  drm_ioctl() dispatches on the number alone (not the type
 * or size of the command), and on an accel node it lets every core ioctl
 * through, including those that dereference the file's (absent) master;
 * so every other core number is refused here with -EACCES, what the DRM
 * core answers a render client for a core ioctl it does not allow.
 */
static bool chip_core_ioctl_allowed(unsigned int nr)
{
	switch (nr) {
	case DRM_IOCTL_NR(DRM_IOCTL_VERSION):
	case DRM_IOCTL_NR(DRM_IOCTL_GET_CAP):
	case DRM_IOCTL_NR(DRM_IOCTL_GEM_CLOSE):
	case DRM_IOCTL_NR(DRM_IOCTL_PRIME_HANDLE_TO_FD):
	case DRM_IOCTL_NR(DRM_IOCTL_PRIME_FD_TO_HANDLE):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_CREATE):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_DESTROY):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_WAIT):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_RESET):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_SIGNAL):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_QUERY):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TRANSFER):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL):
		return true;
	default:
		/* DRM_IOCTL_SYNCOBJ_EVENTFD where the kernel has it */
		return chip_compat_core_ioctl_allowed(nr);
	}
}

/*
 * The DRM core's syncobj array ioctls allocate count_handles entries with
 * a kmalloc_array() that warns on a huge count (a page allocator WARN in
 * the kernel log, from any client).  Counts above CHIP_MAX_SYNCOBJ_ARRAY
 * are refused here with -EINVAL (what the core answers a zero count).
 * The count is read where the core will read it; a command too short to
 * hold it, or memory that cannot be read, is left to the core.
 */
#define CHIP_MAX_SYNCOBJ_ARRAY	65536

static int chip_syncobj_count_check(unsigned int cmd, unsigned long arg)
{
	unsigned int off;
	u32 count;

	switch (DRM_IOCTL_NR(cmd)) {
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_RESET):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_SIGNAL):
		off = offsetof(struct drm_syncobj_array, count_handles);
		break;
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_WAIT):
		off = offsetof(struct drm_syncobj_wait, count_handles);
		break;
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT):
		off = offsetof(struct drm_syncobj_timeline_wait, count_handles);
		break;
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_QUERY):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL):
		off = offsetof(struct drm_syncobj_timeline_array, count_handles);
		break;
	default:
		return 0;
	}
	if (!(_IOC_DIR(cmd) & _IOC_WRITE) || _IOC_SIZE(cmd) < off + sizeof(count))
		return 0;
	if (get_user(count, (u32 __user *)(arg + off)))
		return 0;
	return count > CHIP_MAX_SYNCOBJ_ARRAY ? -EINVAL : 0;
}

static int chip_ioctl_check(unsigned int cmd, unsigned long arg)
{
	unsigned int nr = DRM_IOCTL_NR(cmd);

	if (nr >= DRM_COMMAND_BASE && nr < DRM_COMMAND_END)
		return 0;	/* the driver's: the DRM core checks them */
	if (!chip_core_ioctl_allowed(nr))
		return -EACCES;
	return chip_syncobj_count_check(cmd, arg);
}

static long chip_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	int ret = chip_ioctl_check(cmd, arg);

	return ret ? ret : drm_ioctl(filp, cmd, arg);
}

#ifdef CONFIG_COMPAT
static long chip_compat_ioctl(struct file *filp, unsigned int cmd,
			      unsigned long arg)
{
	int ret = chip_ioctl_check(cmd, (unsigned long)compat_ptr(arg));

	return ret ? ret : drm_compat_ioctl(filp, cmd, arg);
}
#else
#define chip_compat_ioctl NULL
#endif

/*
 * The standard fops of the node type (compat.h), with the ioctl entry
 * points above in front of the DRM core's, and io_uring passthrough.
 * (Overriding initializers: Kbuild builds this file with
 * -Wno-override-init.)
 */
static const struct file_operations chip_fops = {
	.owner = THIS_MODULE,
	CHIP_COMPAT_FOPS,
	.unlocked_ioctl = chip_ioctl,
	.compat_ioctl = chip_compat_ioctl,
	.uring_cmd = chip_uring_cmd,
	CHIP_COMPAT_FOPS_FDINFO
};

static int chip_open(struct drm_device *drm, struct drm_file *file)
{
	struct chip_device *cdev = to_chip_device(drm);
	struct chip_file *f;
	int ret;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->cdev = cdev;
	f->drm = file;
	f->fence_ctx = dma_fence_context_alloc(1);
	INIT_LIST_HEAD(&f->queue);
	INIT_LIST_HEAD(&f->rr_node);
	mutex_init(&f->lock);
	init_rwsem(&f->vm_sem);
	INIT_LIST_HEAD(&f->runs);
	f->wait_tree = RB_ROOT;
	INIT_LIST_HEAD(&f->done);
	init_waitqueue_head(&f->done_wq);
	spin_lock_init(&f->cache_lock);
	INIT_LIST_HEAD(&f->cache);
	chipc_registry_init(&f->reg);
	chip_file_set_client(f, file);
	ret = chip_file_vm_init(f);
	if (ret)
		goto err_free;
	if (chip_params.dedup_scope == DRM_CHIP_DEDUP_FILE) {
		ret = chip_dedup_init(cdev, &f->dedup);
		if (ret)
			goto err_vm;
	} else if (chip_params.dedup_scope == DRM_CHIP_DEDUP_USER) {
		/* the user is whoever opens the file: open runs as them */
		f->utab = chip_user_table_get(cdev, current_euid());
		if (!f->utab) {
			ret = -ENOMEM;
			goto err_vm;
		}
	}
	file->driver_priv = f;
	atomic64_inc(&cdev->files);
	return 0;

err_vm:
	chip_file_vm_fini(f);
err_free:
	mutex_destroy(&f->lock);
	kfree(f);
	return ret;
}

static void chip_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct chip_file *f = chip_file_of(file);
	struct chip_device *cdev = to_chip_device(drm);

	/*
	 * Handles are gone (the first one stopped the file's runs, see
	 * chip_file_released()); stop them here for a file that had none.
	 */
	chip_file_cancel(f);
	chip_file_release_runs(f);
	chip_file_free_cache(f);
	chip_registry_release(f);
	if (chip_params.dedup_scope == DRM_CHIP_DEDUP_FILE) {
		mutex_lock(&cdev->dedup_lock);
		chipc_dedup_fini(&f->dedup);
		mutex_unlock(&cdev->dedup_lock);
	}
	if (f->utab)
		chip_user_table_put(f->utab);
	if (f->heap) {
		vfree(f->heap);
		chip_gm_uncharge(cdev, chip_params.heap_size);
	}
	chip_file_vm_fini(f);
	mutex_destroy(&f->lock);
	file->driver_priv = NULL;
	kfree_rcu(f, rcu);
	atomic64_dec(&cdev->files);
}

static const struct drm_driver chip_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_SYNCOBJ |
			   DRIVER_SYNCOBJ_TIMELINE | CHIP_DRIVER_NODE,
	.open = chip_open,
	.postclose = chip_postclose,
	CHIP_COMPAT_DRIVER_FDINFO
	.gem_create_object = chip_gem_create_object,
	/*
	 * PRIME through the DRM core's helpers (the default from 6.6 on,
	 * needed before it): an import of a dma-buf of this device gives the
	 * object itself, mapped into the importer's space (chip_gem.c); any
	 * other dma-buf is -EINVAL (no gem_prime_import_sg_table).
	 */
	.prime_handle_to_fd = drm_gem_prime_handle_to_fd,
	.prime_fd_to_handle = drm_gem_prime_fd_to_handle,
	.ioctls = chip_ioctls,
	.num_ioctls = ARRAY_SIZE(chip_ioctls),
	.fops = &chip_fops,
	.name = "chip",
	.desc = "chip NPU (emulated device)",
	CHIP_DRIVER_DATE
	.major = 1,
	.minor = 0,
};

/* ---- devices ------------------------------------------------------------ */

static int chip_device_create(u32 index)
{
	struct chipc_device_cfg cfg = {
		.platform = chip_params.platform,
		.workers = chip_params.workers,
		.ring_window = 1024,
		.dep_pool = 16384,
	};
	struct platform_device *pdev;
	struct chip_device *cdev;
	void *group;
	int ret;

	pdev = platform_device_register_simple("chip", index, NULL, 0);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	chip_pdevs[index] = pdev;

	group = devres_open_group(&pdev->dev, NULL, GFP_KERNEL);
	if (!group) {
		ret = -ENOMEM;
		goto err_pdev;
	}
	chip_groups[index] = group;

	cdev = devm_drm_dev_alloc(&pdev->dev, &chip_drm_driver,
				  struct chip_device, drm);
	if (IS_ERR(cdev)) {
		ret = PTR_ERR(cdev);
		goto err_group;
	}
	cdev->index = index;
	mutex_init(&cdev->dedup_lock);
	xa_init(&cdev->user_tables);
	spin_lock_init(&cdev->run_lock);
	INIT_LIST_HEAD(&cdev->active);
	cdev->hash_mask = ~0ull;

	ret = chipc_space_init(&cdev->code_space, CHIPC_CODE_BASE,
			       CHIPC_CODE_END);
	if (ret)
		goto err_group;
	ret = chipc_device_init(&cdev->core, &cfg);
	if (ret)
		goto err_space;
	ret = chip_dedup_init(cdev, &cdev->dedup);
	if (ret)
		goto err_core;
	ret = chip_worker_start(cdev);
	if (ret)
		goto err_dedup;
	ret = drm_dev_register(&cdev->drm, 0);
	if (ret)
		goto err_worker;
	chip_debugfs_init(cdev);
	chip_devs[index] = cdev;
	return 0;

err_worker:
	chip_worker_stop(cdev);
err_dedup:
	mutex_lock(&cdev->dedup_lock);
	chipc_dedup_fini(&cdev->dedup);
	mutex_unlock(&cdev->dedup_lock);
err_core:
	chipc_device_fini(&cdev->core);
err_space:
	chipc_space_fini(&cdev->code_space);
err_group:
	devres_release_group(&pdev->dev, group);
	chip_groups[index] = NULL;
err_pdev:
	platform_device_unregister(pdev);
	chip_pdevs[index] = NULL;
	return ret;
}

static void chip_device_destroy(u32 index)
{
	struct chip_device *cdev = chip_devs[index];
	struct platform_device *pdev = chip_pdevs[index];

	if (cdev) {
		drm_dev_unregister(&cdev->drm);
		chip_worker_stop(cdev);
		WARN_ON(cdev->dedup.entries);
		WARN_ON(!xa_empty(&cdev->user_tables));
		xa_destroy(&cdev->user_tables);
		mutex_lock(&cdev->dedup_lock);
		chipc_dedup_fini(&cdev->dedup);
		mutex_unlock(&cdev->dedup_lock);
		WARN_ON(cdev->code_space.used);
		chipc_space_fini(&cdev->code_space);
		chipc_device_fini(&cdev->core);
		WARN_ON(atomic64_read(&cdev->gm_used));
		chip_devs[index] = NULL;
	}
	if (pdev) {
		if (chip_groups[index])
			devres_release_group(&pdev->dev, chip_groups[index]);
		chip_groups[index] = NULL;
		platform_device_unregister(pdev);
		chip_pdevs[index] = NULL;
	}
}

/* A module parameter out of range: named in the kernel log. */
#define chip_param_bad(name, fmt, val, range) ({			\
	pr_err("invalid module parameter " #name "=" fmt " (" range ")\n", \
	       val);							\
	-EINVAL;							\
})

static int chip_params_init(void)
{
	if (!strcmp(platform, "a2a3"))
		chip_params.platform = CHIP_PLATFORM_A2A3;
	else if (!strcmp(platform, "a5"))
		chip_params.platform = CHIP_PLATFORM_A5;
	else
		return chip_param_bad(platform, "%s", platform, "a2a3 or a5");

	if (!strcmp(dedup_scope, "device"))
		chip_params.dedup_scope = DRM_CHIP_DEDUP_DEVICE;
	else if (!strcmp(dedup_scope, "file"))
		chip_params.dedup_scope = DRM_CHIP_DEDUP_FILE;
	else if (!strcmp(dedup_scope, "user"))
		chip_params.dedup_scope = DRM_CHIP_DEDUP_USER;
	else
		return chip_param_bad(dedup_scope, "%s", dedup_scope,
				      "device, user or file");

	if (!devices || devices > CHIP_MAX_DEVICES)
		return chip_param_bad(devices, "%u", devices, "1-8");
	if (!workers || workers > 16)
		return chip_param_bad(workers, "%u", workers, "1-16");
	if (!gm_size_mb || gm_size_mb > (1ul << 20))
		return chip_param_bad(gm_size_mb, "%lu", gm_size_mb, "1-1048576");
	if (heap_size_mb > 1024)
		return chip_param_bad(heap_size_mb, "%lu", heap_size_mb, "0-1024");
	if (!max_timeout_ms)
		return chip_param_bad(max_timeout_ms, "%u", max_timeout_ms, ">= 1");
	if (poll_us > 10000)
		return chip_param_bad(poll_us, "%u", poll_us, "0-10000");
	if (max_run_mb < 128 || max_run_mb > (1u << 20))
		return chip_param_bad(max_run_mb, "%u", max_run_mb, "128-1048576");

	chip_params.gm_size = (u64)gm_size_mb << 20;
	chip_params.heap_size = (u64)heap_size_mb << 20;
	chip_params.workers = workers;
	chip_params.max_callable = 64ull << 20;
	chip_params.max_store_bytes = CHIPC_MAX_STORE_BYTES;
	chip_params.max_timeout_ns = (u64)max_timeout_ms * NSEC_PER_MSEC;
	chip_params.max_runs = CHIPC_MAX_RUNS;
	chip_params.max_run_bytes = (u64)max_run_mb << 20;
	chip_params.inline_ns = (u64)inline_us * NSEC_PER_USEC;
	chip_params.poll_ns = (u64)poll_us * NSEC_PER_USEC;
	return 0;
}

static int __init chip_init(void)
{
	unsigned int i;
	int ret;

	BUILD_BUG_ON(DRM_CHIP_COMMAND_BASE != DRM_COMMAND_BASE);
	BUILD_BUG_ON(DRM_CHIP_STATUS_COUNT != CHIP_STATUS_COUNT);

	ret = chip_params_init();
	if (ret)
		return ret;
	for (i = 0; i < devices; i++) {
		ret = chip_device_create(i);
		if (ret)
			goto err_devices;
	}
	return 0;

err_devices:
	while (i--)
		chip_device_destroy(i);
	return ret;
}

static void __exit chip_exit(void)
{
	unsigned int i = devices;

	while (i--)
		chip_device_destroy(i);
}

module_init(chip_init);
module_exit(chip_exit);

MODULE_DESCRIPTION("chip NPU accel driver with an emulated device");
MODULE_LICENSE("Dual MIT/GPL");
