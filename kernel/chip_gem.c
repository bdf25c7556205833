// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Buffer objects: GEM shmem objects, each mapped at a device address of
 * the file that created it.  The device reaches them through a kernel
 * mapping (vmap) registered in the file's chipc_vm; userspace through
 * mmap() or DRM_IOCTL_CHIP_BO_COPY.  Closing the handle removes the
 * mapping; the memory, and its charge against the device's gm_size, go
 * with the last reference.
 */
#include <linux/kref.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_vma_manager.h>

#include "chip_drv.h"
#include "chip_trace.h"
#include "compat/compat.h"

/*
 * A file's address space is a refcounted, immutable-while-shared view
 * (struct chip_vm_view).  Runs and BO_COPY take a reference on the
 * current view under vm_sem, drop the lock and use the view without any
 * lock, for as long as they need it.  A change (BO_CREATE, GEM_CLOSE)
 * edits the current view in place when nobody else holds it, else a copy
 * that then becomes current.  Every view holds a GEM reference on each
 * object it maps: an object closed while a run or a copy still uses it
 * lives (mapped in that view only) until the last view mapping it goes.
 * vm_sem is held only for these short, non-faulting steps, never across
 * a user copy or a run.
 */
static struct chip_vm_view *chip_vm_view_alloc(u32 cap, gfp_t gfp)
{
	struct chip_vm_view *v = kmalloc(sizeof(*v), gfp);

	if (!v)
		return NULL;
	v->vm.maps = kvmalloc_array(cap, sizeof(v->vm.maps[0]), gfp);
	if (!v->vm.maps) {
		kfree(v);
		return NULL;
	}
	kref_init(&v->ref);
	v->vm.count = 0;
	v->vm.cap = cap;
	return v;
}

static void chip_vm_view_release(struct kref *ref)
{
	struct chip_vm_view *v = container_of(ref, struct chip_vm_view, ref);
	u32 i;

	for (i = 0; i < v->vm.count; i++)
		drm_gem_object_put(v->vm.maps[i].obj);
	kvfree(v->vm.maps);
	kfree(v);
}

/* The current view of @f, referenced; never NULL while @f is open. */
struct chip_vm_view *chip_vm_get(struct chip_file *f)
{
	struct chip_vm_view *v;

	down_read(&f->vm_sem);
	v = f->vm;
	kref_get(&v->ref);
	up_read(&f->vm_sem);
	return v;
}

/* Drop a reference; no lock of the file may be held (objects may go). */
void chip_vm_put(struct chip_vm_view *v)
{
	if (v)
		kref_put(&v->ref, chip_vm_view_release);
}

/*
 * Make @f's current view private to the file, with room for one more
 * mapping if @grow, so that the caller can edit it.  The view it
 * replaces, if any, is returned in *@old for the caller to put after
 * unlocking.  vm_sem held for writing.  Return: 0; -ENOSPC with
 * CHIP_MAX_BOS mappings; -ENOMEM (never with @nofail).
 */
static int chip_vm_edit(struct chip_file *f, bool grow, bool nofail,
			struct chip_vm_view **old)
{
	struct chip_vm_view *v = f->vm, *n;
	u32 cap = v->vm.cap, i;

	*old = NULL;
	if (grow && v->vm.count >= CHIP_MAX_BOS)
		return -ENOSPC;
	if (grow && v->vm.count == cap)
		cap = min_t(u32, max(2 * cap, 16u), CHIP_MAX_BOS);
	if (kref_read(&v->ref) == 1 && cap == v->vm.cap)
		return 0;
	n = chip_vm_view_alloc(cap, GFP_KERNEL_ACCOUNT |
				    (nofail ? __GFP_NOFAIL : 0));
	if (!n)
		return -ENOMEM;
	memcpy(n->vm.maps, v->vm.maps, v->vm.count * sizeof(v->vm.maps[0]));
	n->vm.count = v->vm.count;
	for (i = 0; i < n->vm.count; i++)
		drm_gem_object_get(n->vm.maps[i].obj);
	f->vm = n;
	*old = v;
	return 0;
}

int chip_file_vm_init(struct chip_file *f)
{
	f->vm = chip_vm_view_alloc(16, GFP_KERNEL_ACCOUNT);
	return f->vm ? 0 : -ENOMEM;
}

/* With the file: every handle is closed, no run or copy holds a view. */
void chip_file_vm_fini(struct chip_file *f)
{
	if (!f->vm)
		return;
	WARN_ON(f->vm->vm.count || kref_read(&f->vm->ref) != 1);
	chip_vm_put(f->vm);
	f->vm = NULL;
}

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

/*
 * Remove @bo from its file's address space; the object's view reference
 * is returned in *@put and the replaced view in *@old, both for the
 * caller to put after unlocking.  vm_sem held for writing.
 */
static void chip_bo_unmap_locked(struct chip_bo *bo, struct chip_vm_view **old,
				 struct drm_gem_object **put)
{
	struct chip_file *f = bo->owner;
	struct chipc_map m;

	*old = NULL;
	*put = NULL;
	if (!f)
		return;
	chip_vm_edit(f, false, true, old);
	if (!chipc_vm_remove(&f->vm->vm, bo->va, &m))
		*put = m.obj;
	f->gm_used -= bo->mapped;
	atomic64_dec(&f->cdev->bos);
	bo->owner = NULL;
}

static void chip_bo_unmap(struct chip_bo *bo, struct chip_file *f)
{
	struct drm_gem_object *put = NULL;
	struct chip_vm_view *old = NULL;

	down_write(&f->vm_sem);
	if (bo->owner == f)
		chip_bo_unmap_locked(bo, &old, &put);
	up_write(&f->vm_sem);
	chip_vm_put(old);
	if (put)
		drm_gem_object_put(put);
}

/*
 * The handle is closed: the object leaves the file's current view.  Runs
 * executing and copies in progress keep the view they hold, and the
 * object with it; nothing here waits for them.
 */
static void chip_gem_close(struct drm_gem_object *obj, struct drm_file *file)
{
	struct chip_bo *bo = to_chip_bo(obj);
	struct chip_file *f = chip_file_of(file);

	if (READ_ONCE(bo->owner) != f)
		return;
	if (chip_file_released(file))
		chip_file_cancel(f);
	chip_bo_unmap(bo, f);
}

/*
 * The last reference is gone (handles, views, mmaps, dma-bufs): only now
 * is the object's device memory given back.
 */
static void chip_gem_free(struct drm_gem_object *obj)
{
	struct chip_bo *bo = to_chip_bo(obj);

	trace_chip_bo_free(bo);
	if (!iosys_map_is_null(&bo->map))
		chip_compat_vunmap(&bo->base, &bo->map);
	if (bo->charged)
		chip_gm_uncharge(to_chip_device(obj->dev), bo->charged);
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
	CHIP_COMPAT_GEM_STATUS
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
	struct chip_vm_view *old = NULL;
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
		chip_gm_uncharge(cdev, rounded);
		return PTR_ERR(shmem);
	}
	bo = to_chip_bo(&shmem->base);
	bo->charged = rounded;	/* given back by chip_gem_free() */
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
	ret = chip_vm_edit(f, true, false, &old);
	if (ret) {
		up_write(&f->vm_sem);
		goto err_put;
	}
	m.va = f->bo_next;
	m.size = args->size;
	m.host = bo->map.vaddr;
	m.prot = CHIPC_PROT_READ | CHIPC_PROT_WRITE;
	m.obj = &shmem->base;
	ret = chipc_vm_insert(&f->vm->vm, &m);
	if (ret) {
		up_write(&f->vm_sem);
		chip_vm_put(old);
		goto err_put;
	}
	drm_gem_object_get(&shmem->base);	/* the view's reference */
	bo->va = m.va;
	bo->mapped = rounded;
	bo->owner = f;
	f->bo_next += rounded + CHIP_VA_GUARD;
	f->gm_used += rounded;
	atomic64_inc(&cdev->bos);
	up_write(&f->vm_sem);
	chip_vm_put(old);

	/* From here the object's mapping is undone by chip_gem_close(). */
	ret = drm_gem_handle_create(file, &shmem->base, &handle);
	if (ret) {
		chip_bo_unmap(bo, f);
		drm_gem_object_put(&shmem->base);
		return ret;
	}
	/* Record the handle for DRM_CHIP_BO_INFO_BY_VA lookups. */
	down_write(&f->vm_sem);
	if (bo->owner == f)
		chip_vm_set_handle(&f->vm->vm, bo->va, handle);
	up_write(&f->vm_sem);
	trace_chip_bo_create(f, bo, handle);
	drm_gem_object_put(&shmem->base);
	args->handle = handle;
	args->va = bo->va;
	return 0;

err_put:
	drm_gem_object_put(&shmem->base);
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
		m = chipc_vm_find(&f->vm->vm, args->va);
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

/*
 * Copy between user memory and a buffer object.  The copy may fault on
 * user pages for as long as the user makes it: it holds a reference on
 * the file's view (so the object stays alive if its handle is closed
 * meanwhile), never a lock.
 */
int chip_bo_copy_ioctl(struct drm_device *drm, void *data,
		       struct drm_file *file)
{
	struct chip_file *f = chip_file_of(file);
	struct drm_chip_bo_copy *args = data;
	void __user *uptr = u64_to_user_ptr(args->user_ptr);
	bool to_dev = args->flags & DRM_CHIP_BO_COPY_TO_DEVICE;
	struct chip_vm_view *v;
	unsigned long left;
	u8 *p;

	if (args->flags & ~DRM_CHIP_BO_COPY_FLAGS || args->pad)
		return -EINVAL;
	if (!args->size)
		return 0;
	if (args->size > chip_params.gm_size)
		return -EFAULT;

	v = chip_vm_get(f);
	p = chipc_vm_translate(&v->vm, args->va, args->size,
			       to_dev ? CHIPC_PROT_WRITE : CHIPC_PROT_READ);
	if (!p) {
		chip_vm_put(v);
		return -EFAULT;
	}
	if (to_dev)
		left = copy_from_user(p, uptr, args->size);
	else
		left = copy_to_user(uptr, p, args->size);
	chip_vm_put(v);
	return left ? -EFAULT : 0;
}
