// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Buffer objects: GEM shmem objects.  A file that holds a handle on an
 * object maps it at a device address of its own (struct chip_bo_map):
 * the creator from BO_CREATE, and every file of the same device that
 * imports the object's dma-buf (DRM_IOCTL_PRIME_FD_TO_HANDLE) from the
 * import.  The device reaches them through one kernel mapping (vmap)
 * registered in each mapping file's chipc_vm; userspace through mmap()
 * or DRM_IOCTL_CHIP_BO_COPY.  Closing a handle removes that file's
 * mapping only; the memory, and its charge against the device's gm_size,
 * go with the last reference of any file, view, mmap or dma-buf.
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

/* chip_vm_get() without sleeping: NULL while the view is being replaced. */
struct chip_vm_view *chip_vm_tryget(struct chip_file *f)
{
	struct chip_vm_view *v;

	if (!down_read_trylock(&f->vm_sem))
		return NULL;
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

/*
 * Device addresses of objects: a drm_mm per file over [CHIPC_BO_BASE,
 * CHIPC_CODE_BASE).  Each node covers the object's pages and the guard
 * gap after them, so that an access running off the end of an object
 * faults; the lowest free range is taken, so that the addresses of a
 * file stay as low as its live objects allow, and a freed range is
 * reused at once (a view that still maps the old object there is
 * immutable and keeps it).  This is the core's placement rule
 * (core/space.c, which the simulated backend uses for its buffers and
 * both use for resident code) with the kernel's own range allocator:
 * the same layout, page alignment and guard, checked on both backends by
 * tests/conformance/test_placement.
 */
int chip_file_vm_init(struct chip_file *f)
{
	f->vm = chip_vm_view_alloc(16, GFP_KERNEL_ACCOUNT);
	if (!f->vm)
		return -ENOMEM;
	drm_mm_init(&f->va_mm, CHIPC_BO_BASE, CHIPC_CODE_BASE - CHIPC_BO_BASE);
	return 0;
}

static void chip_bo_unmap(struct chip_bo *bo, struct chip_file *f,
			  struct chip_bo_map *bm);

/*
 * With the file: every handle is closed and no run or copy holds a view.
 * A mapping left by a handle closed while it was being made (see
 * chip_gem_open()) goes here.
 */
void chip_file_vm_fini(struct chip_file *f)
{
	struct drm_mm_node *node, *next;

	if (!f->vm)
		return;
	drm_mm_for_each_node_safe(node, next, &f->va_mm) {
		struct chip_bo_map *bm = container_of(node, struct chip_bo_map, va);

		chip_bo_unmap(bm->bo, f, bm);
	}
	drm_mm_takedown(&f->va_mm);
	WARN_ON(f->vm->vm.count || kref_read(&f->vm->ref) != 1);
	chip_vm_put(f->vm);
	f->vm = NULL;
}

/* The mapping of @bo in @f, or NULL.  maps_lock held. */
static struct chip_bo_map *chip_bo_map_find(struct chip_bo *bo,
					    struct chip_file *f)
{
	struct chip_bo_map *bm;

	lockdep_assert_held(&bo->maps_lock);
	list_for_each_entry(bm, &bo->maps, node)
		if (bm->file == f)
			return bm;
	return NULL;
}

/*
 * Map @bo into @f's address space at the lowest free address.  Return:
 * 0; -ENOSPC with CHIP_MAX_BOS mappings or no free range; -ENOMEM.
 */
static int chip_bo_map(struct chip_bo *bo, struct chip_file *f)
{
	struct drm_gem_object *obj = &bo->base.base;
	struct chip_vm_view *old = NULL;
	struct chipc_map m = { 0 };
	struct chip_bo_map *bm;
	int ret;

	bm = kzalloc(sizeof(*bm), GFP_KERNEL_ACCOUNT);
	if (!bm)
		return -ENOMEM;
	bm->file = f;
	bm->bo = bo;

	down_write(&f->vm_sem);
	ret = chip_vm_edit(f, true, false, &old);
	if (ret)
		goto out;
	ret = drm_mm_insert_node_in_range(&f->va_mm, &bm->va,
					  obj->size + CHIPC_VA_GUARD,
					  PAGE_SIZE, 0, CHIPC_BO_BASE,
					  CHIPC_CODE_BASE, DRM_MM_INSERT_LOW);
	if (ret)
		goto out;
	m.va = bm->va.start;
	m.size = bo->size;
	m.host = bo->map.vaddr;
	m.prot = CHIPC_PROT_READ | CHIPC_PROT_WRITE;
	m.obj = obj;
	ret = chipc_vm_insert(&f->vm->vm, &m);
	if (ret) {
		drm_mm_remove_node(&bm->va);
		goto out;
	}
	drm_gem_object_get(obj);	/* the view's reference */
	spin_lock(&bo->maps_lock);
	bm->created = !bo->mapped_once;
	if (bm->created)
		bo->va = m.va;
	bo->mapped_once = true;
	list_add_tail(&bm->node, &bo->maps);
	spin_unlock(&bo->maps_lock);
	if (bm->created)
		f->gm_used += obj->size;
	bm = NULL;
out:
	up_write(&f->vm_sem);
	chip_vm_put(old);
	kfree(bm);
	return ret;
}

/*
 * Remove mapping @bm, already off its object's list, from @f's address
 * space; the object's view reference is returned in *@put and the
 * replaced view in *@old, both for the caller to put after unlocking.
 * vm_sem held for writing.
 */
static void chip_bo_unmap_locked(struct chip_file *f, struct chip_bo_map *bm,
				 struct chip_vm_view **old,
				 struct drm_gem_object **put)
{
	struct chipc_map m;

	lockdep_assert_held_write(&f->vm_sem);
	*old = NULL;
	*put = NULL;
	chip_vm_edit(f, false, true, old);
	if (!chipc_vm_remove(&f->vm->vm, bm->va.start, &m))
		*put = m.obj;
	drm_mm_remove_node(&bm->va);
	if (bm->created)
		f->gm_used -= bm->bo->base.base.size;
}

/*
 * Remove @f's mapping of @bo: @bm, or the one chip_bo_map_find() finds
 * (none: nothing to do), and free it.
 */
static void chip_bo_unmap(struct chip_bo *bo, struct chip_file *f,
			  struct chip_bo_map *bm)
{
	struct drm_gem_object *put = NULL;
	struct chip_vm_view *old = NULL;

	down_write(&f->vm_sem);
	spin_lock(&bo->maps_lock);
	if (!bm)
		bm = chip_bo_map_find(bo, f);
	if (bm)
		list_del(&bm->node);
	spin_unlock(&bo->maps_lock);
	if (bm)
		chip_bo_unmap_locked(f, bm, &old, &put);
	up_write(&f->vm_sem);
	chip_vm_put(old);
	if (put)
		drm_gem_object_put(put);
	kfree(bm);
}

/*
 * A handle on the object is made in @file (BO_CREATE, or a PRIME import
 * of a dma-buf of this device): map it into the file's address space.
 * The DRM core publishes the handle before calling this, so a GEM_CLOSE
 * racing with it may find no mapping yet; the mapping it then leaves
 * goes with the file (chip_file_vm_fini()).
 */
static int chip_gem_open(struct drm_gem_object *obj, struct drm_file *file)
{
	return chip_bo_map(to_chip_bo(obj), chip_file_of(file));
}

/*
 * The handle is closed: the object leaves the file's current view.  Runs
 * executing and copies in progress keep the view they hold, and the
 * object with it; nothing here waits for them.  Other files' mappings
 * of the object are untouched.
 */
static void chip_gem_close(struct drm_gem_object *obj, struct drm_file *file)
{
	struct chip_file *f = chip_file_of(file);

	if (chip_file_released(file))
		chip_file_cancel(f);
	chip_bo_unmap(to_chip_bo(obj), f, NULL);
}

/*
 * The last reference is gone (handles of every file, views, mmaps,
 * dma-bufs): only now is the object's device memory given back.
 */
static void chip_gem_free(struct drm_gem_object *obj)
{
	struct chip_bo *bo = to_chip_bo(obj);
	struct chip_device *cdev = to_chip_device(obj->dev);

	WARN_ON(!list_empty(&bo->maps));
	trace_chip_bo_free(bo);
	if (!iosys_map_is_null(&bo->map))
		chip_compat_vunmap(&bo->base, &bo->map);
	if (bo->charged) {
		chip_gm_uncharge(cdev, bo->charged);
		atomic64_dec(&cdev->bos);
	}
	drm_gem_shmem_free(&bo->base);
}

static const struct drm_gem_object_funcs chip_gem_funcs = {
	.free = chip_gem_free,
	.open = chip_gem_open,
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
	spin_lock_init(&bo->maps_lock);
	INIT_LIST_HEAD(&bo->maps);
	return &bo->base.base;
}

int chip_bo_create_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct chip_device *cdev = to_chip_device(drm);
	struct chip_file *f = chip_file_of(file);
	struct drm_chip_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	struct chip_bo_map *bm;
	struct chip_bo *bo;
	u64 rounded, va = 0;
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
	atomic64_inc(&cdev->bos);
	bo->size = args->size;
	ret = chip_compat_vmap(shmem, &bo->map);
	if (ret)
		goto out_put;
	if (bo->map.is_iomem) {
		ret = -EINVAL;
		goto out_put;
	}
	/* Zeroed: shmem clears every page it allocates. */

	/* Maps the object (chip_gem_open()); GEM_CLOSE unmaps it. */
	ret = drm_gem_handle_create(file, &shmem->base, &handle);
	if (ret)
		goto out_put;
	spin_lock(&bo->maps_lock);
	bm = chip_bo_map_find(bo, f);
	if (bm) {
		bm->handle = handle;
		va = bm->va.start;
	}
	spin_unlock(&bo->maps_lock);
	if (!bm)
		ret = -ENOENT;	/* the handle was closed meanwhile */
	else
		trace_chip_bo_create(f, bo, handle, va);
	args->handle = handle;
	args->va = va;
out_put:
	drm_gem_object_put(&shmem->base);
	return ret;
}

/*
 * The handle of @obj in @file: for an object this file imported, whose
 * handle its mapping does not know yet.
 */
static u32 chip_handle_of(struct drm_file *file, struct drm_gem_object *obj)
{
	struct drm_gem_object *o;
	u32 handle = 0;
	int id;

	spin_lock(&file->table_lock);
	idr_for_each_entry(&file->object_idr, o, id) {
		if (o == obj) {
			handle = id;
			break;
		}
	}
	spin_unlock(&file->table_lock);
	return handle;
}

/*
 * The object of @file with @handle, if it is a chip object mapped in
 * this file; referenced, its device address in *@va.
 */
static struct chip_bo *chip_bo_lookup(struct drm_file *file, u32 handle,
				      u64 *va)
{
	struct drm_gem_object *obj = drm_gem_object_lookup(file, handle);
	struct chip_bo_map *bm;
	struct chip_bo *bo;

	if (!obj)
		return NULL;
	if (obj->funcs != &chip_gem_funcs) {
		drm_gem_object_put(obj);
		return NULL;
	}
	bo = to_chip_bo(obj);
	spin_lock(&bo->maps_lock);
	bm = chip_bo_map_find(bo, chip_file_of(file));
	if (bm) {
		bm->handle = handle;
		*va = bm->va.start;
	}
	spin_unlock(&bo->maps_lock);
	if (!bm) {
		drm_gem_object_put(obj);
		return NULL;
	}
	return bo;
}

/*
 * The handle of the object mapped at @va in @f's address space, or 0.
 * vm_sem held.
 */
static u32 chip_handle_at(struct drm_file *file, struct chip_file *f, u64 va)
{
	const struct chipc_map *m = chipc_vm_find(&f->vm->vm, va);
	struct chip_bo_map *bm;
	struct chip_bo *bo;
	u32 handle = 0;

	lockdep_assert_held(&f->vm_sem);
	if (!m)
		return 0;
	bo = to_chip_bo(m->obj);
	spin_lock(&bo->maps_lock);
	bm = chip_bo_map_find(bo, f);
	if (bm && bm->va.start == va)
		handle = bm->handle;
	spin_unlock(&bo->maps_lock);
	if (bm && !handle)
		handle = chip_handle_of(file, m->obj);
	return handle;
}

int chip_bo_info_ioctl(struct drm_device *drm, void *data,
		       struct drm_file *file)
{
	struct chip_file *f = chip_file_of(file);
	struct drm_chip_bo_info *args = data;
	struct chip_bo *bo;
	u32 handle;
	u64 va;
	int ret;

	if (args->flags & ~DRM_CHIP_BO_INFO_FLAGS)
		return -EINVAL;
	if (args->flags & DRM_CHIP_BO_INFO_BY_VA) {
		if (args->handle)
			return -EINVAL;
		down_read(&f->vm_sem);
		handle = chip_handle_at(file, f, args->va);
		up_read(&f->vm_sem);
		if (!handle)
			return -ENOENT;
	} else {
		if (args->va)
			return -EINVAL;
		handle = args->handle;
	}
	if (args->size || args->mmap_offset)
		return -EINVAL;

	bo = chip_bo_lookup(file, handle, &va);
	if (!bo)
		return -ENOENT;
	ret = drm_gem_create_mmap_offset(&bo->base.base);
	if (!ret) {
		args->handle = handle;
		args->va = va;
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
