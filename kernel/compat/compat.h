/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Every difference between the kernels chip.ko builds on lives here.
 * Decisions come from the header probes of compat/Kbuild.include
 * (CHIP_HAVE_* macros), which test the target tree for the interface
 * itself, never from version numbers: distributions backport interfaces.
 * (Not __has_include(): sparse 0.6.4 does not understand it.)
 */
#ifndef _CHIP_COMPAT_H
#define _CHIP_COMPAT_H

#include <linux/iosys-map.h>
#include <drm/drm_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>

/*
 * Node type and file operations: the accel subsystem (6.2 and later)
 * gives /dev/accel/accelN and its standard fops (DRM_ACCEL_FOPS, which
 * sets FOP_UNSIGNED_OFFSET where the kernel needs it); before it, a
 * render node with the DRM core's GEM fops.
 */
#ifdef CHIP_HAVE_DRM_ACCEL
#include <drm/drm_accel.h>
#define CHIP_DRIVER_NODE	DRIVER_COMPUTE_ACCEL
#define CHIP_COMPAT_FOPS	DRM_ACCEL_FOPS
#else
#define CHIP_DRIVER_NODE	DRIVER_RENDER
#define CHIP_COMPAT_FOPS	DRM_GEM_FOPS
#endif

/*
 * The device's debugfs directory: one per device since 6.8 (for accel
 * devices too), the node's minor before.
 */
static inline struct dentry *chip_compat_debugfs_root(struct drm_device *drm)
{
#if defined(CHIP_HAVE_DEV_DEBUGFS_ROOT)
	return drm->debugfs_root;
#elif defined(CHIP_HAVE_DRM_ACCEL)
	return drm->accel ? drm->accel->debugfs_root : NULL;
#else
	return drm->render ? drm->render->debugfs_root : NULL;
#endif
}

/* struct drm_driver lost its .date member in 6.14. */
#ifdef CHIP_HAVE_DRIVER_DATE
#define CHIP_DRIVER_DATE	.date = "20250101",
#else
#define CHIP_DRIVER_DATE
#endif

/* A kernel mapping of a shmem object, taking whatever lock it needs. */
static inline int chip_compat_vmap(struct drm_gem_shmem_object *shmem,
				   struct iosys_map *map)
{
#if defined(CHIP_HAVE_GEM_VMAP_UNLOCKED)
	return drm_gem_vmap_unlocked(&shmem->base, map);
#elif defined(CHIP_HAVE_GEM_VMAP)
	return drm_gem_vmap(&shmem->base, map);
#else
	return drm_gem_shmem_vmap(shmem, map);
#endif
}

static inline void chip_compat_vunmap(struct drm_gem_shmem_object *shmem,
				      struct iosys_map *map)
{
#if defined(CHIP_HAVE_GEM_VMAP_UNLOCKED)
	drm_gem_vunmap_unlocked(&shmem->base, map);
#elif defined(CHIP_HAVE_GEM_VMAP)
	drm_gem_vunmap(&shmem->base, map);
#else
	drm_gem_shmem_vunmap(shmem, map);
#endif
}

/*
 * io_uring passthrough.  6.1 declares struct io_uring_cmd in
 * <linux/io_uring.h> with the command area at ->cmd; later kernels in
 * <linux/io_uring/cmd.h> with the whole entry at ->sqe.  Cancelable
 * commands (IO_URING_F_CANCEL) appeared after 6.1.  Task-work callbacks
 * take (cmd, issue_flags) up to 6.x and (struct io_tw_req, io_tw_token_t)
 * in 7.x, where io_uring_cmd_done() lost its second result and
 * io_uring_cmd_done32() carries it.
 */
#ifdef CHIP_HAVE_URING_CMD_H
#include <linux/io_uring/cmd.h>
#else
#include <linux/io_uring.h>
#include <linux/io_uring_types.h>	/* cmd_to_io_kiocb() */
#endif
#include <linux/sched.h>

static inline const void *chip_compat_uring_payload(struct io_uring_cmd *cmd)
{
#ifdef CHIP_HAVE_URING_CMD_SQE
	return cmd->sqe->cmd;
#else
	return cmd->cmd;
#endif
}

#ifdef CHIP_HAVE_URING_CANCELABLE
#define CHIP_URING_F_CANCEL	IO_URING_F_CANCEL
static inline void chip_compat_uring_cancelable(struct io_uring_cmd *cmd,
						unsigned int issue_flags)
{
	io_uring_cmd_mark_cancelable(cmd, issue_flags);
}

/* Not needed: io_uring tells the driver when the ring's task goes. */
static inline struct task_struct *
chip_compat_uring_task(struct io_uring_cmd *cmd)
{
	return NULL;
}
#else
#define CHIP_URING_F_CANCEL	0
static inline void chip_compat_uring_cancelable(struct io_uring_cmd *cmd,
						unsigned int issue_flags)
{
}

/*
 * The task whose ring carries @cmd.  The task that issues a command may
 * be an io-wq worker of it instead (IOSQE_ASYNC, or a reissue after
 * -EAGAIN), and such a worker exits on its own while the ring's task
 * lives on.
 */
static inline struct task_struct *
chip_compat_uring_task(struct io_uring_cmd *cmd)
{
	return cmd_to_io_kiocb(cmd)->task;
}
#endif

/* Post the completion: @res and, on CQE32 rings, @res2. */
static inline void chip_compat_uring_done(struct io_uring_cmd *cmd, int res,
					  u64 res2, bool cqe32,
					  unsigned int issue_flags)
{
#ifdef CHIP_HAVE_URING_DONE32
	if (cqe32)
		io_uring_cmd_done32(cmd, res, res2, issue_flags);
	else
		io_uring_cmd_done(cmd, res, issue_flags);
#else
	io_uring_cmd_done(cmd, res, res2, issue_flags);
#endif
}

/*
 * Task work: CHIP_URING_TW(name, fn) defines callback @name that calls
 * void fn(struct io_uring_cmd *cmd, unsigned int issue_flags, bool dead),
 * where @dead says the submitting task cannot be written to (it is
 * exiting, or the work runs from a fallback kernel thread).
 */
static inline bool chip_compat_task_unusable(void)
{
	return current->flags & (PF_EXITING | PF_KTHREAD) || !current->mm;
}

#ifdef CHIP_HAVE_URING_TW_REQ
#define CHIP_URING_TW(name, fn)						\
static void name(struct io_tw_req tw_req, io_tw_token_t tw)		\
{									\
	fn(io_uring_cmd_from_tw(tw_req),				\
	   IO_URING_CMD_TASK_WORK_ISSUE_FLAGS,				\
	   tw.cancel || chip_compat_task_unusable());			\
}
#elif defined(CHIP_HAVE_URING_F_TASK_DEAD)
#define CHIP_URING_TW(name, fn)						\
static void name(struct io_uring_cmd *cmd, unsigned int issue_flags)	\
{									\
	fn(cmd, issue_flags, (issue_flags & IO_URING_F_TASK_DEAD) ||	\
	   chip_compat_task_unusable());				\
}
#else
#define CHIP_URING_TW(name, fn)						\
static void name(struct io_uring_cmd *cmd, unsigned int issue_flags)	\
{									\
	fn(cmd, issue_flags, chip_compat_task_unusable());		\
}
#endif

/*
 * Core DRM ioctls of some kernels only: DRM_IOCTL_SYNCOBJ_EVENTFD (6.6).
 * The number is taken from the target's uapi drm.h.
 */
static inline bool chip_compat_core_ioctl_allowed(unsigned int nr)
{
#ifdef DRM_IOCTL_SYNCOBJ_EVENTFD
	return nr == DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_EVENTFD);
#else
	return false;
#endif
}

#endif /* _CHIP_COMPAT_H */
