// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Callables: the dedup tables and their device memory, upload +
 * registration of a cid, counters.
 *
 * Every dedup table of a device, whatever the scope (the device's, a
 * user's, a file's), and the device-wide state they share (the next code
 * address, the list of user tables) are serialised by the one
 * device-wide chip_device.dedup_lock.
 *
 * The image is copied from userspace once and hashed (xxh64) while it is
 * copied; the portable core validates the copy (layout, every offset and
 * count), looks it up by that key and confirms a hit by comparing the
 * bytes with the resident copy; a miss verifies every program while it
 * copies it into the resident copy.  Resident copies are immutable kernel
 * memory, never mapped to userspace.
 *
 * The copy goes into a staging buffer that the file keeps for its next
 * registration (struct chip_upload): allocating a large buffer anew costs
 * more than copying into it (the page allocator, and zeroing every page
 * where init_on_alloc is set, as on Debian's kernels).
 */
#include <linux/capability.h>
#include <linux/lockdep.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "chip_drv.h"
#include "chip_trace.h"

struct chip_code_mem {
	void *host;
	u64 charged;
	u64 dev_addr;
	u32 size;
};

/* chipc_code_mem_ops.alloc; called with dedup_lock held. */
static int chip_code_alloc(void *priv, u32 size, u64 *dev_addr, u8 **host,
			   void **cookie)
{
	struct chip_device *cdev = priv;
	struct chip_code_mem *mem;
	u64 rounded = PAGE_ALIGN((u64)size);
	int ret;

	lockdep_assert_held(&cdev->dedup_lock);
	if (!size)
		return -EINVAL;
	ret = chip_gm_charge(cdev, rounded);
	if (ret)
		return ret;
	ret = -ENOMEM;
	mem = kzalloc(sizeof(*mem), GFP_KERNEL);
	if (!mem)
		goto err_uncharge;
	/* The core places code, the same way as the simulated backend. */
	ret = chipc_space_alloc(&cdev->code_space, size, &mem->dev_addr);
	if (ret)
		goto err_free;
	/*
	 * Page (so 64-byte) aligned.  The core writes every byte of the
	 * image before the copy is used; only the tail needs zeroing.
	 */
	ret = -ENOMEM;
	mem->host = vmalloc(rounded);
	if (!mem->host)
		goto err_space;
	memset((u8 *)mem->host + size, 0, rounded - size);
	mem->charged = rounded;
	mem->size = size;
	atomic64_add(size, &cdev->resident_bytes);
	atomic64_inc(&cdev->resident_callables);
	*dev_addr = mem->dev_addr;
	*host = mem->host;
	*cookie = mem;
	return 0;

err_space:
	chipc_space_free(&cdev->code_space, mem->dev_addr, size);
err_free:
	kfree(mem);
err_uncharge:
	chip_gm_uncharge(cdev, rounded);
	return ret;
}

static void chip_code_free(void *priv, void *cookie)
{
	struct chip_device *cdev = priv;
	struct chip_code_mem *mem = cookie;

	/* The code space is the device's: every table frees under the lock. */
	lockdep_assert_held(&cdev->dedup_lock);
	chipc_space_free(&cdev->code_space, mem->dev_addr, mem->size);
	vfree(mem->host);
	chip_gm_uncharge(cdev, mem->charged);
	atomic64_sub(mem->size, &cdev->resident_bytes);
	atomic64_dec(&cdev->resident_callables);
	kfree(mem);
}

int chip_dedup_init(struct chip_device *cdev, struct chipc_dedup *d)
{
	const struct chipc_code_mem_ops ops = {
		.alloc = chip_code_alloc,
		.free = chip_code_free,
		.priv = cdev,
	};

	chipc_dedup_init(d, &ops);
	d->hash_mask = READ_ONCE(cdev->hash_mask);
	return 0;
}

/**
 * chip_user_table_get() - the dedup table of @uid, created on first use
 * @cdev: the device
 * @uid: the effective uid that opens a file
 *
 * Return: the table with one more reference, or NULL without memory.
 */
struct chip_user_table *chip_user_table_get(struct chip_device *cdev,
					    kuid_t uid)
{
	struct chip_user_table *t;

	mutex_lock(&cdev->dedup_lock);
	t = xa_load(&cdev->user_tables, __kuid_val(uid));
	if (t) {
		kref_get(&t->ref);
		goto out;
	}
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		goto out;
	t->uid = uid;
	t->cdev = cdev;
	kref_init(&t->ref);
	chip_dedup_init(cdev, &t->dedup);
	if (xa_insert(&cdev->user_tables, __kuid_val(uid), t, GFP_KERNEL)) {
		chipc_dedup_fini(&t->dedup);
		kfree(t);
		t = NULL;
	}
out:
	mutex_unlock(&cdev->dedup_lock);
	return t;
}

/* kref release; dedup_lock held (kref_put_mutex()), released here. */
static void chip_user_table_release(struct kref *ref)
{
	struct chip_user_table *t = container_of(ref, struct chip_user_table,
						 ref);

	xa_erase(&t->cdev->user_tables, __kuid_val(t->uid));
	WARN_ON(t->dedup.entries);
	chipc_dedup_fini(&t->dedup);
	mutex_unlock(&t->cdev->dedup_lock);
	kfree(t);
}

/**
 * chip_user_table_put() - drop a file's reference on its user's table
 * @t: the table; freed with its last file (its registrations are gone)
 */
void chip_user_table_put(struct chip_user_table *t)
{
	kref_put_mutex(&t->ref, chip_user_table_release, &t->cdev->dedup_lock);
}

/* The dedup table @f uses and the lock that serialises it. */
void chip_file_table(struct chip_file *f, struct chipc_dedup **table,
		     struct mutex **lock)
{
	switch (chip_params.dedup_scope) {
	case DRM_CHIP_DEDUP_FILE:
		*table = &f->dedup;
		break;
	case DRM_CHIP_DEDUP_USER:
		*table = &f->utab->dedup;
		break;
	default:
		*table = &f->cdev->dedup;
		break;
	}
	*lock = &f->cdev->dedup_lock;
}

static void chip_code_put(struct chip_file *f, struct chipc_code *code)
{
	struct chipc_dedup *table;
	struct mutex *lock;	/* serialises @table */

	chip_file_table(f, &table, &lock);
	mutex_lock(lock);
	chipc_dedup_put(table, code);
	mutex_unlock(lock);
}

/*
 * A file's staging buffer for REGISTER: @cap bytes at @buf.  The file
 * keeps one, the largest it used up to CHIP_UPLOAD_KEEP bytes, charged to
 * the memory cgroup of the task that registered, from one registration to
 * the next; it is freed at close.  Concurrent registrations of one file
 * each take their own (chip_upload_get() takes the kept one, if any, and
 * chip_upload_put() keeps the one put last).
 */
struct chip_upload {
	void *buf;
	size_t cap;
};

#define CHIP_UPLOAD_KEEP	SZ_4M

static void chip_upload_free(struct chip_upload *u)
{
	if (u) {
		kvfree(u->buf);
		kfree(u);
	}
}

/* A staging buffer of at least @size bytes, or NULL without memory. */
static struct chip_upload *chip_upload_get(struct chip_file *f, size_t size)
{
	struct chip_upload *u = xchg(&f->upload, NULL);

	if (u && u->cap >= size)
		return u;
	if (!u) {
		u = kzalloc(sizeof(*u), GFP_KERNEL_ACCOUNT);
		if (!u)
			return NULL;
	}
	kvfree(u->buf);
	u->cap = size;
	u->buf = kvmalloc(size, GFP_KERNEL_ACCOUNT);
	if (!u->buf) {
		kfree(u);
		return NULL;
	}
	return u;
}

/* Keep @u for the next registration of @f, or free it. */
static void chip_upload_put(struct chip_file *f, struct chip_upload *u)
{
	if (u->cap <= CHIP_UPLOAD_KEEP)
		u = xchg(&f->upload, u);
	chip_upload_free(u);
}

/*
 * Drop every registration of @f, and its staging buffer.  Its runs are
 * gone.
 */
void chip_registry_release(struct chip_file *f)
{
	struct chipc_cid slot;

	mutex_lock(&f->lock);
	while (!chipc_registry_pop(&f->reg, &slot))
		chip_code_put(f, slot.code);
	chipc_registry_fini(&f->reg);
	mutex_unlock(&f->lock);
	chip_upload_free(xchg(&f->upload, NULL));
}

/*
 * Copy the image from userspace and compute its dedup key in the same
 * pass: each chunk is hashed right after it is copied, while it is in
 * cache, and what is hashed is the kernel's copy.
 */
static int chip_copy_image(void *dst, u64 uptr, u64 len, u64 *key)
{
	struct xxh64_state st;
	u64 off, n;

	xxh64_reset(&st, CHIPC_KEY_SEED);
	for (off = 0; off < len; off += n) {
		n = min_t(u64, len - off, CHIPC_KEY_CHUNK);
		if (copy_from_user(dst + off, u64_to_user_ptr(uptr + off), n))
			return -EFAULT;
		xxh64_update(&st, dst + off, n);
	}
	*key = xxh64_digest(&st);
	return 0;
}

int chip_register_ioctl(struct drm_device *drm, void *data,
			struct drm_file *file)
{
	struct chip_device *cdev = to_chip_device(drm);
	struct chip_file *f = chip_file_of(file);
	struct drm_chip_register *args = data;
	struct chipc_dedup *table;
	struct chip_upload *up;
	struct chipc_code *code;
	struct mutex *lock;	/* serialises @table */
	void *img;
	bool hit;
	u64 key;
	int ret;

	if (args->flags & ~DRM_CHIP_REGISTER_FLAGS || args->result ||
	    args->runtime || args->dev_addr || args->hash)
		return -EINVAL;
	if (args->cid < 0 || args->cid >= CHIP_MAX_CIDS)
		return -EINVAL;
	if (args->image_size > chip_params.max_callable)
		return -E2BIG;
	if (args->image_size < sizeof(struct chip_callable_hdr))
		return -EMSGSIZE;

	up = chip_upload_get(f, args->image_size);
	if (!up)
		return -ENOMEM;
	img = up->buf;
	ret = chip_copy_image(img, args->image_ptr, args->image_size, &key);
	if (ret)
		goto out_free;

	mutex_lock(&f->lock);
	if (chipc_registry_get(&f->reg, args->cid)) {
		ret = -EBUSY;
		goto out_unlock;
	}
	/*
	 * The file's heap comes with its first registration (what its runs
	 * need), not its first run: a run's issue through io_uring must not
	 * block, and an allocation there would reorder a batch.
	 */
	if (!f->heap) {
		ret = chip_gm_charge(cdev, chip_params.heap_size);
		if (ret)
			goto out_unlock;
		f->heap = vzalloc(chip_params.heap_size ? : PAGE_SIZE);
		if (!f->heap) {
			chip_gm_uncharge(cdev, chip_params.heap_size);
			ret = -ENOMEM;
			goto out_unlock;
		}
	}
	chip_file_table(f, &table, &lock);
	mutex_lock(lock);
	ret = chipc_dedup_get_key(table, img, args->image_size, key,
				  cdev->core.plat->id, &code, &hit);
	mutex_unlock(lock);
	if (ret)
		goto out_unlock;
	ret = chipc_registry_add(&f->reg, args->cid, code, NULL);
	if (ret) {
		chip_code_put(f, code);
		goto out_unlock;
	}
	if (hit) {
		f->hits++;
		atomic64_inc(&cdev->hits);
	} else {
		f->misses++;
		atomic64_inc(&cdev->misses);
	}
	trace_chip_callable_register(f, args->cid, code, hit, args->image_size);
	/* The device loads the orchestration program at registration. */
	if (code->runtime == CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER)
		f->orch_loads++;
	args->result = hit ? DRM_CHIP_REGISTER_HIT : 0;
	args->runtime = code->runtime;
	args->dev_addr = code->dev_addr;
	args->hash = code->key;
out_unlock:
	mutex_unlock(&f->lock);
out_free:
	chip_upload_put(f, up);
	return ret;
}

int chip_unregister_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	struct chip_file *f = chip_file_of(file);
	struct drm_chip_unregister *args = data;
	struct chipc_cid slot;
	int ret;

	if (args->pad)
		return -EINVAL;
	mutex_lock(&f->lock);
	ret = chipc_registry_remove(&f->reg, args->cid, &slot);
	if (!ret)
		chip_code_put(f, slot.code);
	mutex_unlock(&f->lock);
	return ret;
}

/*
 * Device-wide figures describe every client of the device: only a
 * privileged caller (CAP_SYS_ADMIN) gets them; for others they are zero.
 */
int chip_counters_ioctl(struct drm_device *drm, void *data,
			struct drm_file *file)
{
	struct chip_device *cdev = to_chip_device(drm);
	struct chip_file *f = chip_file_of(file);
	struct drm_chip_counters *c = data;
	struct chipc_dedup *table;
	struct mutex *lock;	/* serialises @table */
	u32 i;

	if (c->flags || c->pad)
		return -EINVAL;
	memset(c, 0, sizeof(*c));

	mutex_lock(&f->lock);
	c->orch_loads = f->orch_loads;
	c->dedup_hits = f->hits;
	c->dedup_misses = f->misses;
	c->registered = f->reg.count;
	chip_file_table(f, &table, &lock);
	mutex_lock(lock);
	c->resident_bytes = table->resident_bytes;
	c->resident_callables = table->entries;
	mutex_unlock(lock);
	mutex_unlock(&f->lock);

	down_read(&f->vm_sem);
	c->gm_used = f->gm_used;
	up_read(&f->vm_sem);

	spin_lock(&cdev->run_lock);
	for (i = 0; i < CHIP_STATUS_COUNT; i++)
		c->runs[i] = f->runs_by_status[i];
	c->inline_runs = f->inline_runs;
	spin_unlock(&cdev->run_lock);

	if (!capable(CAP_SYS_ADMIN))
		return 0;
	c->dev_resident_bytes = atomic64_read(&cdev->resident_bytes);
	c->dev_resident_callables = atomic64_read(&cdev->resident_callables);
	c->dev_dedup_hits = atomic64_read(&cdev->hits);
	c->dev_dedup_misses = atomic64_read(&cdev->misses);
	c->dev_gm_used = atomic64_read(&cdev->gm_used);
	c->dev_files = atomic64_read(&cdev->files);
	c->dev_bos = atomic64_read(&cdev->bos);
	c->dev_runs = atomic64_read(&cdev->runs);
	return 0;
}

/**
 * chip_set_hash_mask() - give every dedup table of @cdev a key mask
 * @cdev: the device
 * @mask: the key mask (chipc_dedup.hash_mask)
 *
 * The test hook behind debugfs (chip_debugfs.c): the device's table, its
 * user tables and the tables of its open files take @mask now, tables
 * created later (files opened, users seen) start with it.
 */
void chip_set_hash_mask(struct chip_device *cdev, u64 mask)
{
	struct chip_user_table *t;
	struct drm_file *file;
	struct chip_file *f;
	unsigned long uid;

	mutex_lock(&cdev->drm.filelist_mutex);
	mutex_lock(&cdev->dedup_lock);
	WRITE_ONCE(cdev->hash_mask, mask);
	cdev->dedup.hash_mask = mask;
	xa_for_each(&cdev->user_tables, uid, t)
		t->dedup.hash_mask = mask;
	if (chip_params.dedup_scope == DRM_CHIP_DEDUP_FILE) {
		list_for_each_entry(file, &cdev->drm.filelist, lhead) {
			f = chip_file_of(file);
			if (f)
				f->dedup.hash_mask = mask;
		}
	}
	mutex_unlock(&cdev->dedup_lock);
	mutex_unlock(&cdev->drm.filelist_mutex);
}

/* Does a registration of @f hold @c?  f->lock held. */
static bool chip_file_uses(struct chip_file *f, const struct chipc_code *c)
{
	return chipc_registry_cids_of(&f->reg, c);
}

/*
 * Fill up to @max entries of @out from @table, with the key and address
 * of entries @f does not use hidden unless @all; returns the number of
 * entries in the table.  f->lock and the table's lock held.
 */
static u32 chip_dedup_fill(struct chip_file *f,
			   const struct chipc_dedup *table, bool all,
			   struct drm_chip_dedup_entry *out, u32 max)
{
	const struct chipc_code *c;
	u32 b, n = 0;

	for (b = 0; b < CHIPC_DEDUP_BUCKETS; b++) {
		for (c = table->buckets[b]; c; c = c->next, n++) {
			struct drm_chip_dedup_entry *e;
			bool mine;

			if (n >= max)
				continue;
			e = &out[n];
			mine = chip_file_uses(f, c);
			e->hash = mine || all ? c->key : 0;
			e->code_va = mine || all ? c->dev_addr : 0;
			e->size = c->layout.total_size;
			e->refs = chipc_ref_read(&c->refs);
			e->flags = mine ? DRM_CHIP_DEDUP_ENTRY_MINE : 0;
		}
	}
	return n;
}

/*
 * DRM_IOCTL_CHIP_DEDUP_LIST: the entries of the dedup table @file uses
 * (the device's in device scope, its user's, its own), in no particular
 * order.  Return: 0; -EINVAL for flags or pad; -EFAULT; -ENOMEM.
 */
int chip_dedup_list_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	struct chip_file *f = chip_file_of(file);
	struct drm_chip_dedup_list *args = data;
	struct drm_chip_dedup_entry *buf = NULL;
	bool all = capable(CAP_SYS_ADMIN);
	struct chipc_dedup *table;
	struct mutex *lock;	/* serialises @table */
	u32 max = 0, n;
	int ret = 0;

	if (args->flags || args->pad)
		return -EINVAL;
	chip_file_table(f, &table, &lock);
	if (args->count) {
		/* Room for what the table holds now, at most what was asked. */
		mutex_lock(lock);
		max = min_t(u64, args->count, table->entries);
		mutex_unlock(lock);
	}
	if (max) {
		buf = kvcalloc(max, sizeof(*buf), GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
	}
	mutex_lock(&f->lock);
	mutex_lock(lock);
	n = chip_dedup_fill(f, table, all, buf, max);
	mutex_unlock(lock);
	mutex_unlock(&f->lock);
	if (max && copy_to_user(u64_to_user_ptr(args->entries_ptr), buf,
				min(max, n) * sizeof(*buf)))
		ret = -EFAULT;
	kvfree(buf);
	if (ret)
		return ret;
	args->count = n;
	args->scope = chip_params.dedup_scope;
	return 0;
}

static const char *const chip_scope_name[] = {
	[DRM_CHIP_DEDUP_DEVICE] = "device",
	[DRM_CHIP_DEDUP_USER] = "user",
	[DRM_CHIP_DEDUP_FILE] = "file",
};

/* One line per entry of @table; dedup_lock held. */
static void chip_dedup_show_table(struct seq_file *m, const char *scope,
				  u64 owner, const struct chipc_dedup *table)
{
	const struct chipc_code *c;
	u32 b;

	for (b = 0; b < CHIPC_DEDUP_BUCKETS; b++)
		for (c = table->buckets[b]; c; c = c->next)
			seq_printf(m, "%-6s %10llu %016llx %10u %6u 0x%016llx\n",
				   scope, owner, c->key, c->layout.total_size,
				   chipc_ref_read(&c->refs), c->dev_addr);
}

/**
 * chip_dedup_show() - every dedup table of @cdev, for debugfs
 * @cdev: the device
 * @m: where to print
 *
 * One line per resident callable: the table's scope and owner (0 for
 * the device, the uid of a user, the client id of a file), the key,
 * the size, the references and the device address of the code.
 */
void chip_dedup_show(struct chip_device *cdev, struct seq_file *m)
{
	struct chip_user_table *t;
	struct drm_file *file;
	struct chip_file *f;
	unsigned long uid;

	seq_printf(m, "# scope %s\n", chip_scope_name[chip_params.dedup_scope]);
	seq_puts(m, "scope       owner key              size       refs   code_va\n");
	mutex_lock(&cdev->drm.filelist_mutex);
	mutex_lock(&cdev->dedup_lock);
	chip_dedup_show_table(m, "device", 0, &cdev->dedup);
	xa_for_each(&cdev->user_tables, uid, t)
		chip_dedup_show_table(m, "user", from_kuid(&init_user_ns, t->uid),
				      &t->dedup);
	if (chip_params.dedup_scope == DRM_CHIP_DEDUP_FILE) {
		list_for_each_entry(file, &cdev->drm.filelist, lhead) {
			f = chip_file_of(file);
			if (f)
				chip_dedup_show_table(m, "file", f->client_id,
						      &f->dedup);
		}
	}
	mutex_unlock(&cdev->dedup_lock);
	mutex_unlock(&cdev->drm.filelist_mutex);
}
