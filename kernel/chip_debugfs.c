// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * debugfs: test hooks of a device, in its DRM debugfs directory
 * (/sys/kernel/debug/accel/N/ or /sys/kernel/debug/dri/N/).  Nothing
 * here is ABI: names and formats may change with any release, and only
 * root can reach them.
 *
 *	hash_mask	the key mask of every dedup table of the device
 *			(chip_set_hash_mask()); 0 makes every key collide,
 *			to show that a hit is confirmed by comparing bytes.
 *			Reads as hex; accepts any u64.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>

#include "chip_drv.h"
#include "compat/compat.h"

static int chip_hash_mask_get(void *data, u64 *val)
{
	struct chip_device *cdev = data;

	*val = READ_ONCE(cdev->hash_mask);
	return 0;
}

static int chip_hash_mask_set(void *data, u64 val)
{
	chip_set_hash_mask(data, val);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(chip_hash_mask_fops, chip_hash_mask_get,
			 chip_hash_mask_set, "0x%016llx\n");

/**
 * chip_debugfs_init() - create the device's debugfs files
 * @cdev: a registered device; the DRM core removes the files with the
 *	device's debugfs directory
 */
void chip_debugfs_init(struct chip_device *cdev)
{
	struct dentry *root = chip_compat_debugfs_root(&cdev->drm);

	if (IS_ERR_OR_NULL(root))
		return;
	debugfs_create_file_unsafe("hash_mask", 0600, root, cdev,
				   &chip_hash_mask_fops);
}
