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
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>

/*
 * Node type: the accel subsystem (6.2 and later) gives /dev/accel/accelN;
 * before it, a render node.
 */
#ifdef CHIP_HAVE_DRM_ACCEL
#include <drm/drm_accel.h>
#define CHIP_DRIVER_NODE	DRIVER_COMPUTE_ACCEL
#define chip_compat_open	accel_open
#else
#define CHIP_DRIVER_NODE	DRIVER_RENDER
#define chip_compat_open	drm_open
#endif

/* 6.12 and later: DRM files need unsigned (large) mmap offsets. */
#ifdef CHIP_HAVE_FOP_UNSIGNED_OFFSET
#define CHIP_FOP_FLAGS		.fop_flags = FOP_UNSIGNED_OFFSET,
#else
#define CHIP_FOP_FLAGS
#endif

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

#endif /* _CHIP_COMPAT_H */
