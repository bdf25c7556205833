// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Buffer objects: GEM shmem objects, each mapped at a device address of
 * the file that created it.  The device reaches them through a kernel
 * mapping (vmap) registered in the file's chipc_vm; userspace through
 * mmap() or DRM_IOCTL_CHIP_BO_COPY.  Closing the handle removes the
 * mapping; the memory goes with the last reference.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_vma_manager.h>

#include "chip_drv.h"
#include "compat/compat.h"

static void chip_vm_set_handle(struct chipc_vm *vm, u64 va, u32 handle)
{
	u32 i;

	for (i = 0; i < vm->count; i++) {
		if (vm->maps[i].va == va) {
			vm->maps[i].handle = handle;
			return;
		}
	}
}

/* Remove @bo from its file's address space.  vm_sem held for writing. */
static void chip_bo_unmap_locked(struct chip_bo *bo)
{
	struct chip_file *f = bo->owner;

	if (!f)
		return;
	chipc_vm_remove(&f->vm, bo->va, NULL);
	f->gm_used -= bo->mapped;
	chip_gm_uncharge(f->cdev, bo->mapped);
	atomic64_dec(&f->cdev->bos);
	bo->owner = NULL;
}

static void chip_gem_close(struct drm_gem_object *obj, struct drm_file *file)
{
	struct chip_bo *bo = to_chip_bo(obj);
	struct chip_file *f = chip_file_of(file);

	if (bo->owner != f)
		return;
	if (chip_file_released(file))
		chip_file_cancel(f);
	/* Waits for a run of this file that still executes. */
	down_write(&f->vm_sem);
	chip_bo_unmap_locked(bo);
	up_write(&f->vm_sem);
}

static void chip_gem_free(struct drm_gem_object *obj)
{
	struct chip_bo *bo = to_chip_bo(obj);

	if (!iosys_map_is_null(&bo->map))
		chip_compat_vunmap(&bo->base, &bo->map);
	drm_gem_shmem_free(&bo->base);
}

static const struct drm_gem_object_funcs chip_gem_funcs = {
	.free = chip_gem_free,
	.close = chip_gem_close,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

struct drm_gem_object *chip_gem_create_object(struct drm_device *drm,
					      size_t size)
{
	struct chip_bo *bo = kzalloc(sizeof(*bo), GFP_KERNEL);

	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->base.base.funcs = &chip_gem_funcs;
	bo->base.map_wc = false;
	return &bo->base.base;
}

int chip_bo_create_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct chip_device *cdev = to_chip_device(drm);
	struct chip_file *f = chip_file_of(file);
	struct drm_chip_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	struct chipc_map m = { 0 };
	struct chip_bo *bo;
	u64 rounded;
	u32 handle;
	int ret;

	if (args->flags & ~DRM_CHIP_BO_CREATE_FLAGS || args->handle || args->va)
		return -EINVAL;
	if (!args->size)
		return -EINVAL;
	if (args->size > chip_params.gm_size)
		return -ENOSPC;
	rounded = PAGE_ALIGN(args->size);

	ret = chip_gm_charge(cdev, rounded);
	if (ret)
		return ret;

	shmem = drm_gem_shmem_create(drm, rounded);
	if (IS_ERR(shmem)) {
		ret = PTR_ERR(shmem);
		goto err_uncharge;
	}
	bo = to_chip_bo(&shmem->base);
	bo->size = args->size;
	ret = chip_compat_vmap(shmem, &bo->map);
	if (ret)
		goto err_put;
	if (bo->map.is_iomem) {
		ret = -EINVAL;
		goto err_put;
	}
	memset(bo->map.vaddr, 0, rounded);

	down_write(&f->vm_sem);
	m.va = f->bo_next;
	m.size = args->size;
	m.host = bo->map.vaddr;
	m.prot = CHIPC_PROT_READ | CHIPC_PROT_WRITE;
	ret = chipc_vm_insert(&f->vm, &m);
	if (ret) {
		up_write(&f->vm_sem);
		goto err_put;
	}
	bo->va = m.va;
	bo->mapped = rounded;
	bo->owner = f;
	f->bo_next += rounded + CHIP_VA_GUARD;
	f->gm_used += rounded;
	atomic64_inc(&cdev->bos);
	up_write(&f->vm_sem);

	/* From here the object's mapping is undone by chip_gem_close(). */
	ret = drm_gem_handle_create(file, &shmem->base, &handle);
	if (ret) {
		down_write(&f->vm_sem);
		chip_bo_unmap_locked(bo);
		up_write(&f->vm_sem);
		drm_gem_object_put(&shmem->base);
		return ret;
	}
	/* Record the handle for DRM_CHIP_BO_INFO_BY_VA lookups. */
	down_write(&f->vm_sem);
	if (bo->owner == f)
		chip_vm_set_handle(&f->vm, bo->va, handle);
	up_write(&f->vm_sem);
	drm_gem_object_put(&shmem->base);
	args->handle = handle;
	args->va = bo->va;
	return 0;

err_put:
	drm_gem_object_put(&shmem->base);
err_uncharge:
	chip_gm_uncharge(cdev, rounded);
	return ret;
}

/* The object of @file with @handle, if this file owns it; referenced. */
static struct chip_bo *chip_bo_lookup(struct drm_file *file, u32 handle)
{
	struct drm_gem_object *obj = drm_gem_object_lookup(file, handle);
	struct chip_bo *bo;

	if (!obj)
		return NULL;
	if (obj->funcs != &chip_gem_funcs) {
		drm_gem_object_put(obj);
		return NULL;
	}
	bo = to_chip_bo(obj);
	if (READ_ONCE(bo->owner) != chip_file_of(file)) {
		drm_gem_object_put(obj);
		return NULL;
	}
	return bo;
}

int chip_bo_info_ioctl(struct drm_device *drm, void *data,
		       struct drm_file *file)
{
	struct chip_file *f = chip_file_of(file);
	struct drm_chip_bo_info *args = data;
	const struct chipc_map *m;
	struct chip_bo *bo;
	u32 handle;
	int ret;

	if (args->flags & ~DRM_CHIP_BO_INFO_FLAGS)
		return -EINVAL;
	if (args->flags & DRM_CHIP_BO_INFO_BY_VA) {
		if (args->handle)
			return -EINVAL;
		down_read(&f->vm_sem);
		m = chipc_vm_find(&f->vm, args->va);
		handle = m ? m->handle : 0;
		up_read(&f->vm_sem);
		if (!m)
			return -ENOENT;
	} else {
		if (args->va)
			return -EINVAL;
		handle = args->handle;
	}
	if (args->size || args->mmap_offset)
		return -EINVAL;

	bo = chip_bo_lookup(file, handle);
	if (!bo)
		return -ENOENT;
	ret = drm_gem_create_mmap_offset(&bo->base.base);
	if (!ret) {
		args->handle = handle;
		args->va = bo->va;
		args->size = bo->size;
		args->mmap_offset = drm_vma_node_offset_addr(&bo->base.base.vma_node);
	}
	drm_gem_object_put(&bo->base.base);
	return ret;
}

int chip_bo_copy_ioctl(struct drm_device *drm, void *data,
		       struct drm_file *file)
{
	struct chip_file *f = chip_file_of(file);
	struct drm_chip_bo_copy *args = data;
	void __user *uptr = u64_to_user_ptr(args->user_ptr);
	bool to_dev = args->flags & DRM_CHIP_BO_COPY_TO_DEVICE;
	unsigned long left;
	u8 *p;

	if (args->flags & ~DRM_CHIP_BO_COPY_FLAGS || args->pad)
		return -EINVAL;
	if (!args->size)
		return 0;
	if (args->size > chip_params.gm_size)
		return -EFAULT;

	down_read(&f->vm_sem);
	p = chipc_vm_translate(&f->vm, args->va, args->size,
			       to_dev ? CHIPC_PROT_WRITE : CHIPC_PROT_READ);
	if (!p) {
		up_read(&f->vm_sem);
		return -EFAULT;
	}
	if (to_dev)
		left = copy_from_user(p, uptr, args->size);
	else
		left = copy_to_user(uptr, p, args->size);
	up_read(&f->vm_sem);
	return left ? -EFAULT : 0;
}
