// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the driver's ioctls (kernel/chip_*.c), on the device
 * the driver creates at boot when it is built into the KUnit kernel.
 *
 * Each case opens the accel node as a client would (devtmpfs is mounted
 * internally), passes its arguments in a KUnit-owned user mapping and
 * calls the file's ioctl entry point, so the DRM core's copying and size
 * checks run as well; closing the file runs the driver's cleanup.
 */
#include <kunit/test.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <drm/drm.h>

#include "chip_kunit_helpers.h"
#include "../../uapi/drm/chip_accel.h"

#define UMAP_SIZE	(64 * 1024)

struct drm_fx {
	struct vfsmount *mnt;
	u8 __user *ubuf;	/* UMAP_SIZE bytes of user memory */
};

/* A client: an open file of the device. */
struct client {
	struct file *f;
};

KUNIT_DEFINE_ACTION_WRAPPER(kern_unmount_action, kern_unmount, struct vfsmount *);

static int chip_drm_test_init(struct kunit *test)
{
	struct file_system_type *type;
	struct drm_fx *fx;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fx);
	type = get_fs_type("devtmpfs");
	KUNIT_ASSERT_NOT_NULL(test, type);
	fx->mnt = kern_mount(type);
	KUNIT_ASSERT_FALSE(test, IS_ERR(fx->mnt));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kern_unmount_action, fx->mnt), 0);
	fx->ubuf = chip_test_user_mem(test, UMAP_SIZE);
	test->priv = fx;
	return 0;
}

/* Close a client and wait until the driver has released it. */
static void client_close(struct client *c)
{
	if (!c->f)
		return;
	fput(c->f);
	c->f = NULL;
	flush_delayed_fput();
}

static void client_close_action(void *data)
{
	client_close(data);
}

static struct client *client_open(struct kunit *test)
{
	struct drm_fx *fx = test->priv;
	struct client *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->f = file_open_root_mnt(fx->mnt, "accel/accel0", O_RDWR, 0);
	if (IS_ERR(c->f))
		c->f = file_open_root_mnt(fx->mnt, "dri/renderD128", O_RDWR, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(c->f), "open: %ld", PTR_ERR(c->f));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, client_close_action, c), 0);
	return c;
}

/*
 * ioctl @cmd with @arg (@size bytes) copied to user memory at @off and
 * back.  Returns the ioctl's result.
 */
static long uioctl(struct kunit *test, struct client *c, unsigned int cmd, void *arg,
		   size_t size, size_t off)
{
	struct drm_fx *fx = test->priv;
	long ret;

	KUNIT_ASSERT_LE(test, off + size, (size_t)UMAP_SIZE);
	KUNIT_ASSERT_EQ(test, copy_to_user(fx->ubuf + off, arg, size), 0ul);
	ret = c->f->f_op->unlocked_ioctl(c->f, cmd, (unsigned long)(fx->ubuf + off));
	KUNIT_ASSERT_EQ(test, copy_from_user(arg, fx->ubuf + off, size), 0ul);
	return ret;
}

#define IOC(test, c, cmd, arg) uioctl(test, c, cmd, arg, sizeof(*(arg)), 0)

static u64 uaddr(struct kunit *test, size_t off)
{
	return (u64)(uintptr_t)(((struct drm_fx *)test->priv)->ubuf + off);
}

/* Copy @n bytes to user memory at @off; returns the user address. */
static u64 uput(struct kunit *test, size_t off, const void *p, size_t n)
{
	struct drm_fx *fx = test->priv;

	KUNIT_ASSERT_LE(test, off + n, (size_t)UMAP_SIZE);
	KUNIT_ASSERT_EQ(test, copy_to_user(fx->ubuf + off, p, n), 0ul);
	return uaddr(test, off);
}

static u64 param(struct kunit *test, struct client *c, u32 which)
{
	struct drm_chip_get_param gp = { .param = which };

	KUNIT_ASSERT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_GET_PARAM, &gp), 0L);
	return gp.value;
}

static struct drm_chip_counters counters(struct kunit *test, struct client *c)
{
	struct drm_chip_counters k = {};

	KUNIT_ASSERT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_COUNTERS, &k), 0L);
	return k;
}

/* GET_PARAM reports the platform's limits; an unknown param or non-zero pad is -EINVAL. */
static void drm_get_param(struct kunit *test)
{
	struct client *c = client_open(test);
	struct drm_chip_get_param gp = { .param = DRM_CHIP_PARAM_COUNT };

	KUNIT_EXPECT_EQ(test, param(test, c, DRM_CHIP_PARAM_PLATFORM), (u64)CHIP_PLATFORM_A2A3);
	KUNIT_EXPECT_EQ(test, param(test, c, DRM_CHIP_PARAM_MAX_BLOCKS), 24ull);
	KUNIT_EXPECT_EQ(test, param(test, c, DRM_CHIP_PARAM_MAX_AICPU_THREADS), 4ull);
	KUNIT_EXPECT_EQ(test, param(test, c, DRM_CHIP_PARAM_LOCAL_AIV), (u64)CHIP_LOCAL_AIV);
	KUNIT_EXPECT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_GET_PARAM, &gp), (long)-EINVAL);
	gp.param = DRM_CHIP_PARAM_PLATFORM;
	gp.pad = 1;
	KUNIT_EXPECT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_GET_PARAM, &gp), (long)-EINVAL);
}

/*
 * BO_CREATE gives a zeroed object at a device address; BO_COPY copies to
 * and from it; bad sizes, flags, pads and ranges are rejected.
 */
static void drm_bo_create_copy(struct kunit *test)
{
	struct client *c = client_open(test);
	struct drm_chip_bo_create bo = { .size = 8192 };
	struct drm_chip_bo_info info = {};
	struct drm_chip_bo_copy cp = {};
	u8 pattern[256], back[256];
	u32 i;

	KUNIT_ASSERT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_BO_CREATE, &bo), 0L);
	KUNIT_EXPECT_NE(test, bo.handle, 0u);
	KUNIT_EXPECT_NE(test, bo.va, 0ull);

	info.handle = bo.handle;
	KUNIT_ASSERT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_BO_INFO, &info), 0L);
	KUNIT_EXPECT_EQ(test, info.va, bo.va);
	KUNIT_EXPECT_EQ(test, info.size, 8192ull);

	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = i * 7 + 1;
	cp.va = bo.va + 100;
	cp.size = sizeof(pattern);
	cp.user_ptr = uput(test, 4096, pattern, sizeof(pattern));
	cp.flags = DRM_CHIP_BO_COPY_TO_DEVICE;
	KUNIT_ASSERT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_BO_COPY, &cp), 0L);
	cp.user_ptr = uaddr(test, 8192);
	cp.flags = 0;
	KUNIT_ASSERT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_BO_COPY, &cp), 0L);
	KUNIT_ASSERT_EQ(test, copy_from_user(back, ((struct drm_fx *)test->priv)->ubuf + 8192,
					     sizeof(back)), 0ul);
	KUNIT_EXPECT_MEMEQ(test, back, pattern, sizeof(pattern));

	/* past the object's end, unknown flag, non-zero pad */
	cp.va = bo.va + 8192 - 8;
	KUNIT_EXPECT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_BO_COPY, &cp), (long)-EFAULT);
	cp.va = bo.va;
	cp.flags = 0x80;
	KUNIT_EXPECT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_BO_COPY, &cp), (long)-EINVAL);
	cp.flags = 0;
	cp.pad = 1;
	KUNIT_EXPECT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_BO_COPY, &cp), (long)-EINVAL);

	bo = (struct drm_chip_bo_create){ .size = 0 };
	KUNIT_EXPECT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_BO_CREATE, &bo), (long)-EINVAL);
	bo = (struct drm_chip_bo_create){ .size = 4096, .flags = 1 };
	KUNIT_EXPECT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_BO_CREATE, &bo), (long)-EINVAL);
	info = (struct drm_chip_bo_info){ .handle = 0x7777 };
	KUNIT_EXPECT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_BO_INFO, &info), (long)-ENOENT);
}

static long do_register(struct kunit *test, struct client *c, const void *img, u64 len,
			s32 cid, struct drm_chip_register *out)
{
	struct drm_chip_register r = {
		.image_ptr = uput(test, 8192, img, len), .image_size = len, .cid = cid,
	};
	long ret = IOC(test, c, DRM_IOCTL_CHIP_REGISTER, &r);

	if (out)
		*out = r;
	return ret;
}

/*
 * REGISTER uploads once per content: a second cid with the same image is
 * a hit with the same device address; a taken cid is -EBUSY, a malformed
 * image -EINVAL, a cid out of range -EINVAL; UNREGISTER frees the slot
 * (-ENOENT the second time).
 */
static void drm_register_unregister(struct kunit *test)
{
	struct client *c = client_open(test);
	struct drm_chip_register a, b;
	struct drm_chip_unregister u = { .cid = 1 };
	struct drm_chip_counters k;
	u64 len;
	void *img = chip_test_callable_n(test, 2, 10, &len);

	KUNIT_ASSERT_EQ(test, do_register(test, c, img, len, 0, &a), 0L);
	KUNIT_EXPECT_EQ(test, a.result & DRM_CHIP_REGISTER_HIT, 0u);
	KUNIT_EXPECT_EQ(test, a.hash, xxh64(img, len, 0));
	KUNIT_ASSERT_EQ(test, do_register(test, c, img, len, 1, &b), 0L);
	KUNIT_EXPECT_NE(test, b.result & DRM_CHIP_REGISTER_HIT, 0u);
	KUNIT_EXPECT_EQ(test, b.dev_addr, a.dev_addr);

	k = counters(test, c);
	KUNIT_EXPECT_EQ(test, k.registered, 2ull);
	KUNIT_EXPECT_EQ(test, k.dedup_hits, 1ull);
	KUNIT_EXPECT_EQ(test, k.dedup_misses, 1ull);
	KUNIT_EXPECT_EQ(test, k.resident_callables, 1ull);

	KUNIT_EXPECT_EQ(test, do_register(test, c, img, len, 1, NULL), (long)-EBUSY);
	KUNIT_EXPECT_EQ(test, do_register(test, c, img, len, CHIP_MAX_CIDS, NULL), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, do_register(test, c, img, len - 8, 2, NULL), (long)-EMSGSIZE);
	((struct chip_callable_hdr *)img)->magic = 0;
	KUNIT_EXPECT_EQ(test, do_register(test, c, img, len, 2, NULL), (long)-EINVAL);

	KUNIT_EXPECT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_UNREGISTER, &u), 0L);
	KUNIT_EXPECT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_UNREGISTER, &u), (long)-ENOENT);
	u.cid = 0;
	u.pad = 1;
	KUNIT_EXPECT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_UNREGISTER, &u), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, counters(test, c).registered, 1ull);
}

/*
 * A second client cannot see the first one's buffers or cids, and
 * closing a client releases its registrations and buffers: the device's
 * counters go back to what they were.
 */
static void drm_close_releases_everything(struct kunit *test)
{
	struct client *watch = client_open(test);
	struct client *c = client_open(test);
	struct client *other = client_open(test);
	struct drm_chip_counters before = counters(test, watch), k;
	struct drm_chip_bo_create bo = { .size = 4096 };
	struct drm_chip_bo_info info = {};
	struct drm_chip_unregister u = { .cid = 5 };
	u64 len;
	void *img = chip_test_callable_n(test, 3, 600, &len);

	KUNIT_ASSERT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_BO_CREATE, &bo), 0L);
	KUNIT_ASSERT_EQ(test, do_register(test, c, img, len, 5, NULL), 0L);
	k = counters(test, watch);
	KUNIT_EXPECT_EQ(test, k.dev_bos, before.dev_bos + 1);
	KUNIT_EXPECT_EQ(test, k.dev_resident_callables, before.dev_resident_callables + 1);

	info.handle = bo.handle;
	KUNIT_EXPECT_EQ(test, IOC(test, other, DRM_IOCTL_CHIP_BO_INFO, &info), (long)-ENOENT);
	KUNIT_EXPECT_EQ(test, IOC(test, other, DRM_IOCTL_CHIP_UNREGISTER, &u), (long)-ENOENT);

	client_close(c);
	k = counters(test, watch);
	KUNIT_EXPECT_EQ(test, k.dev_bos, before.dev_bos);
	KUNIT_EXPECT_EQ(test, k.dev_resident_callables, before.dev_resident_callables);
	KUNIT_EXPECT_EQ(test, k.dev_resident_bytes, before.dev_resident_bytes);
	KUNIT_EXPECT_EQ(test, k.dev_gm_used, before.dev_gm_used);
	KUNIT_EXPECT_EQ(test, k.dev_files, before.dev_files - 1);
}

/*
 * RUN queues a run of a registered cid and WAIT returns its status: a
 * kernel fills a buffer object with 47.0, read back with BO_COPY; a
 * consumed run is -ENOENT, bad flags or block_dim are -EINVAL and an
 * unregistered cid fails.
 */
static void drm_run_wait(struct kunit *test)
{
	static const struct chip_insn fill[] = {
		CI_AI(ARG, 1, 0), CI_AI(ASIZE, 2, 0), CI_ABI(SHRI, 2, 2, 2), CI_A(SETVL, 2),
		CI_AI(ARG, 3, 1), CI_AI(LI, 4, 0), CI_AB(TFILL, 4, 3), CI_AB(TST, 1, 4),
		CI0(HALT),
	};
	static const struct chip_insn orch[] = {
		CI_AI(ARG, 1, 0), CI_AI(ASIZE, 2, 0), CI(TASK, CHIP_CORE_AIV, 0, 0, 1),
		CI(TTENS, 1, 2, CHIP_DIR_OUT, 0), CI_AI(LIF, 3, (s32)F32_47), CI_A(TSCAL, 3),
		CI_A(SUBMIT, 4), CI0(HALT),
	};
	static const struct chip_test_child child = {
		.func_id = 1, .core_type = CHIP_CORE_AIV, .code = fill, .ninsns = ARRAY_SIZE(fill),
	};
	const struct chip_test_callable d = {
		.orch = orch, .norch = ARRAY_SIZE(orch), .children = &child, .nchildren = 1,
	};
	struct client *c = client_open(test);
	struct drm_chip_bo_create bo = { .size = 4096 };
	struct {
		struct chip_args_hdr h;
		struct chip_tensor_arg t;
	} args = { { 1, 0 } };
	struct drm_chip_run run = {};
	struct drm_chip_wait w = {};
	struct drm_chip_bo_copy cp = {};
	u32 out[64], i;
	u64 len;
	void *img = chip_test_callable(test, &d, &len);

	KUNIT_ASSERT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_BO_CREATE, &bo), 0L);
	KUNIT_ASSERT_EQ(test, do_register(test, c, img, len, 3, NULL), 0L);
	args.t = (struct chip_tensor_arg){ .addr = bo.va, .shape = { 64 }, .ndims = 1,
					   .dtype = CHIP_DT_FLOAT32 };
	run.args_ptr = uput(test, 16384, &args, sizeof(args));
	run.args_size = sizeof(args);
	run.cid = 3;
	run.block_dim = 1;
	run.aicpu_threads = 1;
	KUNIT_ASSERT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_RUN, &run), 0L);
	KUNIT_EXPECT_GT(test, run.seq, 0ull);

	w.seq = run.seq;
	KUNIT_ASSERT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_WAIT, &w), 0L);
	KUNIT_EXPECT_EQ_MSG(test, w.status, (u32)CHIP_STATUS_OK, "%s", w.msg);
	KUNIT_EXPECT_EQ(test, w.tasks, 1ull);
	KUNIT_EXPECT_EQ(test, w.done_seq, run.seq);
	w = (struct drm_chip_wait){ .seq = run.seq };
	KUNIT_EXPECT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_WAIT, &w), (long)-ENOENT);

	cp.va = bo.va;
	cp.size = sizeof(out);
	cp.user_ptr = uaddr(test, 8192);
	KUNIT_ASSERT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_BO_COPY, &cp), 0L);
	KUNIT_ASSERT_EQ(test, copy_from_user(out, ((struct drm_fx *)test->priv)->ubuf + 8192,
					     sizeof(out)), 0ul);
	for (i = 0; i < 64; i++)
		KUNIT_EXPECT_EQ_MSG(test, out[i], F32_47, "element %u", i);
	KUNIT_EXPECT_EQ(test, counters(test, c).runs[CHIP_STATUS_OK], 1ull);

	run.flags = 0x10;
	KUNIT_EXPECT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_RUN, &run), (long)-EINVAL);
	run.flags = 0;
	run.block_dim = 0;
	KUNIT_EXPECT_EQ(test, IOC(test, c, DRM_IOCTL_CHIP_RUN, &run), (long)-EINVAL);
	run.block_dim = 1;
	run.cid = 4;
	KUNIT_EXPECT_LT(test, IOC(test, c, DRM_IOCTL_CHIP_RUN, &run), 0L);
}

/* An unknown ioctl number of the driver's range is -ENOTTY or -EINVAL, never success. */
static void drm_unknown_ioctl(struct kunit *test)
{
	struct client *c = client_open(test);
	u64 buf[8] = {};
	long ret = uioctl(test, c, DRM_IOWR(DRM_COMMAND_BASE + 0x3f, struct drm_chip_get_param),
			  buf, sizeof(buf), 0);

	KUNIT_EXPECT_LT(test, ret, 0L);
}

static struct kunit_case chip_drm_test_cases[] = {
	KUNIT_CASE(drm_get_param),
	KUNIT_CASE(drm_bo_create_copy),
	KUNIT_CASE(drm_register_unregister),
	KUNIT_CASE(drm_close_releases_everything),
	KUNIT_CASE(drm_run_wait),
	KUNIT_CASE(drm_unknown_ioctl),
	{}
};

static struct kunit_suite chip_drm_test_suite = {
	.name = "chip_drm",
	.init = chip_drm_test_init,
	.test_cases = chip_drm_test_cases,
};

kunit_test_suite(chip_drm_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the chip driver's ioctls");
