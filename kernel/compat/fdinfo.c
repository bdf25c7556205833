// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fdinfo on kernels without drm_show_fdinfo() (compat.h): the file
 * operation prints the keys the DRM core prints elsewhere, drm-driver,
 * drm-client-id and the memory keys of drm_show_memory_stats(), in the
 * same format, then the driver's own (chip_show_fdinfo()).
 */
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_print.h>

#include "../chip_drv.h"
#include "compat.h"

#ifndef CHIP_HAVE_DRM_SHOW_FDINFO
/* As the DRM core prints a size: in KiB or MiB when that is exact. */
static void chip_compat_print_size(struct drm_printer *p, const char *stat,
				   u64 sz)
{
	static const char *const units[] = { "", " KiB", " MiB" };
	unsigned int u;

	for (u = 0; u < ARRAY_SIZE(units) - 1; u++) {
		if (!sz || !IS_ALIGNED(sz, SZ_1K))
			break;
		sz = div_u64(sz, SZ_1K);
	}
	drm_printf(p, "drm-%s-memory:\t%llu%s\n", stat, sz, units[u]);
}

void chip_compat_show_memory(struct drm_printer *p, struct drm_file *file)
{
	u64 total = 0, shared = 0, resident = 0;
	struct drm_gem_object *obj;
	int id;

	spin_lock(&file->table_lock);
	idr_for_each_entry(&file->object_idr, obj, id) {
		total += obj->size;
		if (obj->handle_count > 1 || obj->dma_buf)
			shared += obj->size;
		if (READ_ONCE(to_drm_gem_shmem_obj(obj)->pages))
			resident += obj->size;
	}
	spin_unlock(&file->table_lock);
	chip_compat_print_size(p, "total", total);
	chip_compat_print_size(p, "shared", shared);
	chip_compat_print_size(p, "resident", resident);
}

void chip_compat_show_fdinfo(struct seq_file *m, struct file *f)
{
	struct drm_file *file = f->private_data;
	struct drm_printer p = drm_seq_file_printer(m);

	drm_printf(&p, "drm-driver:\t%s\n", file->minor->dev->driver->name);
	drm_printf(&p, "drm-client-id:\t%llu\n", chip_file_of(file)->client_id);
	chip_show_fdinfo(&p, file);
}
#endif
