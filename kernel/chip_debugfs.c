// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * debugfs: what a device holds and test hooks, in its DRM debugfs
 * directory (/sys/kernel/debug/accel/N/ or /sys/kernel/debug/dri/N/).
 * Nothing here is ABI: names and formats may change with any release,
 * and only root can reach them.
 *
 *	dedup		every dedup table of the device, one line per
 *			resident callable (chip_dedup_show()): scope,
 *			owner, key, size, references, code address
 *	queues		one line per open file: client id (drm-client-id
 *			of its fdinfo), the opener's pid and name, its runs
 *			queued, running and complete but not consumed, its
 *			busy time (drm-engine-npu of its fdinfo)
 *	hash_mask	the key mask of every dedup table of the device
 *			(chip_set_hash_mask()); 0 makes every key collide,
 *			to show that a hit is confirmed by comparing bytes.
 *			Reads as hex; accepts any u64.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>

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

static int chip_dedup_debugfs_show(struct seq_file *m, void *unused)
{
	chip_dedup_show(m->private, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(chip_dedup_debugfs);

static void chip_client_show(struct seq_file *m, struct chip_file *f)
{
	struct chip_device *cdev = f->cdev;
	u32 queued = 0, running = 0, done = 0;
	struct chip_run *run;
	u64 busy;

	spin_lock(&cdev->run_lock);
	list_for_each_entry(run, &f->runs, fnode) {
		if (run->state == CHIP_RUN_QUEUED)
			queued++;
		else if (run->state == CHIP_RUN_RUNNING)
			running++;
		else
			done++;
	}
	busy = chip_file_busy_ns(f);
	spin_unlock(&cdev->run_lock);
	seq_printf(m, "%10llu %8d %-16s %8u %8u %8u %16llu\n", f->client_id,
		   f->pid, f->comm, queued, running, done, busy);
}

static int chip_queues_show(struct seq_file *m, void *unused)
{
	struct chip_device *cdev = m->private;
	struct drm_file *file;

	seq_puts(m, "    client      pid comm               queued  running     done          busy_ns\n");
	mutex_lock(&cdev->drm.filelist_mutex);
	list_for_each_entry(file, &cdev->drm.filelist, lhead)
		if (chip_file_of(file))
			chip_client_show(m, chip_file_of(file));
	mutex_unlock(&cdev->drm.filelist_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(chip_queues);

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
	debugfs_create_file("dedup", 0400, root, cdev,
			    &chip_dedup_debugfs_fops);
	debugfs_create_file("queues", 0400, root, cdev, &chip_queues_fops);
	debugfs_create_file_unsafe("hash_mask", 0600, root, cdev,
				   &chip_hash_mask_fops);
}
