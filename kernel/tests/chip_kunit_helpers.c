// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the chip KUnit suites (see chip_kunit_helpers.h).
 */
#include <kunit/resource.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "chip_kunit_helpers.h"

static const struct chip_insn chip_test_halt[] = { CI0(HALT) };

static u32 chip_test_orch_size(const struct chip_test_callable *d)
{
	if (d->orch_bytes)
		return d->orch_bytes_size;
	if (d->orch)
		return d->norch * sizeof(struct chip_insn);
	if (d->runtime == CHIP_RUNTIME_HOST_BUILD_GRAPH)
		return 0;
	return sizeof(chip_test_halt);
}

u64 chip_test_callable_size(const struct chip_test_callable *d)
{
	u64 end = CHIP_CALLABLE_HDR_SIZE + chip_test_orch_size(d);
	u32 i;

	for (i = 0; i < d->nchildren; i++) {
		end = ALIGN(end, CHIP_CALLABLE_ALIGN);
		end += CHIP_CHILD_HDR_SIZE +
		       d->children[i].ninsns * sizeof(struct chip_insn);
	}
	return end;
}

void chip_test_callable_write(void *img, const struct chip_test_callable *d)
{
	struct chip_callable_hdr *h = img;
	const char *fname = d->func_name ? d->func_name : "entry";
	const char *cname = d->config_name ? d->config_name : "";
	u8 *b = img;
	u32 osz = chip_test_orch_size(d);
	u64 end;
	u32 i;

	h->magic = CHIP_CALLABLE_MAGIC;
	h->version = CHIP_CALLABLE_VERSION;
	h->hdr_size = CHIP_CALLABLE_HDR_SIZE;
	h->platform = d->platform ? d->platform : CHIP_PLATFORM_A2A3;
	h->runtime = d->runtime ? d->runtime :
				  CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER;
	h->sig_count = d->sig_count;
	for (i = 0; i < d->sig_count; i++)
		h->signature[i] = CHIP_DIR_INOUT;
	h->orch_size = osz;
	h->func_name_len = strlen(fname);
	h->config_name_len = strlen(cname);
	strscpy(h->func_name, fname, sizeof(h->func_name));
	strscpy(h->config_name, cname, sizeof(h->config_name));
	h->child_count = d->nchildren;

	if (d->orch_bytes)
		memcpy(b + CHIP_CALLABLE_HDR_SIZE, d->orch_bytes, osz);
	else if (d->orch)
		memcpy(b + CHIP_CALLABLE_HDR_SIZE, d->orch, osz);
	else if (osz)
		memcpy(b + CHIP_CALLABLE_HDR_SIZE, chip_test_halt, osz);

	end = CHIP_CALLABLE_HDR_SIZE + osz;
	for (i = 0; i < d->nchildren; i++) {
		const struct chip_test_child *c = &d->children[i];
		struct chip_child_hdr *ch;
		u32 j;

		end = ALIGN(end, CHIP_CALLABLE_ALIGN);
		h->child_func_ids[i] = c->func_id;
		h->child_offsets[i] = end;
		ch = (struct chip_child_hdr *)(b + end);
		ch->sig_count = c->sig_count;
		for (j = 0; j < c->sig_count; j++)
			ch->signature[j] = c->sig ? c->sig[j] : CHIP_DIR_IN;
		ch->binary_size = c->ninsns * sizeof(struct chip_insn);
		ch->core_type = c->core_type;
		memcpy(b + end + CHIP_CHILD_HDR_SIZE, c->code, ch->binary_size);
		end += CHIP_CHILD_HDR_SIZE + ch->binary_size;
	}
	h->total_size = end;
}

void *chip_test_callable(struct kunit *test, const struct chip_test_callable *d,
			 u64 *len)
{
	u64 n = chip_test_callable_size(d);
	void *img;

	img = kunit_kzalloc(test, n, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, img);
	chip_test_callable_write(img, d);
	*len = n;
	return img;
}

void *chip_test_callable_n(struct kunit *test, u32 n, s32 first, u64 *len)
{
	struct chip_test_child *ch;
	struct chip_test_callable d = { .nchildren = n };
	u32 i;

	ch = kunit_kcalloc(test, n ? n : 1, sizeof(*ch), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ch);
	for (i = 0; i < n; i++) {
		ch[i].func_id = first + i;
		ch[i].core_type = i % 2 ? CHIP_CORE_AIV : CHIP_CORE_AIC;
		ch[i].code = chip_test_halt;
		ch[i].ninsns = 1;
	}
	d.children = ch;
	return chip_test_callable(test, &d, len);
}

/* ------------------------------------------------------------ memory */

struct chip_test_block {
	struct list_head node;
	u32 size;
	u8 data[];
};

static int chip_test_mem_alloc(void *priv, u32 size, u64 *dev_addr, u8 **host,
			       void **cookie)
{
	struct chip_test_mem *m = priv;
	struct chip_test_block *blk;

	if (m->fail_after == 0)
		return m->fail_errno;
	blk = kzalloc(struct_size(blk, data, size), GFP_KERNEL);
	if (!blk)
		return -ENOMEM;
	if (m->fail_after > 0)
		m->fail_after--;
	blk->size = size;
	list_add_tail(&blk->node, &m->blocks);
	*dev_addr = m->next_addr + m->misalign;
	*host = blk->data;
	*cookie = blk;
	m->next_addr += ALIGN((u64)size, 4096) + 4096;
	m->allocs++;
	m->live++;
	m->live_bytes += size;
	return 0;
}

static void chip_test_mem_free(void *priv, void *cookie)
{
	struct chip_test_mem *m = priv;
	struct chip_test_block *blk = cookie;

	if (m->nfree_order < ARRAY_SIZE(m->free_order))
		m->free_order[m->nfree_order++] = cookie;
	m->frees++;
	m->live--;
	m->live_bytes -= blk->size;
	list_del(&blk->node);
	kfree(blk);
}

static void chip_test_mem_release(void *data)
{
	struct chip_test_mem *m = data;
	struct chip_test_block *blk, *tmp;

	list_for_each_entry_safe(blk, tmp, &m->blocks, node) {
		list_del(&blk->node);
		kfree(blk);
	}
}

struct chip_test_mem *chip_test_mem_create(struct kunit *test)
{
	struct chip_test_mem *m;
	int ret;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	m->next_addr = 0x100000000ull;
	m->fail_after = -1;
	m->fail_errno = -ENOSPC;
	INIT_LIST_HEAD(&m->blocks);
	ret = kunit_add_action_or_reset(test, chip_test_mem_release, m);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return m;
}

void chip_test_mem_ops(struct chip_test_mem *m, struct chipc_code_mem_ops *ops)
{
	ops->alloc = chip_test_mem_alloc;
	ops->free = chip_test_mem_free;
	ops->priv = m;
}

static void chip_test_dedup_release(void *data)
{
	chipc_dedup_fini(data);
}

struct chipc_dedup *chip_test_dedup(struct kunit *test, struct chip_test_mem **mem)
{
	struct chipc_code_mem_ops ops;
	struct chip_test_mem *m;
	struct chipc_dedup *d;
	int ret;

	m = chip_test_mem_create(test);
	d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	chip_test_mem_ops(m, &ops);
	chipc_dedup_init(d, &ops);
	ret = kunit_add_action_or_reset(test, chip_test_dedup_release, d);
	KUNIT_ASSERT_EQ(test, ret, 0);
	if (mem)
		*mem = m;
	return d;
}

/* -------------------------------------------------------- address space */

static void chip_test_vm_release(void *data)
{
	chipc_vm_fini(data);
}

struct chipc_vm *chip_test_vm(struct kunit *test, u32 max_maps)
{
	struct chipc_vm *vm;
	int ret;

	vm = kunit_kzalloc(test, sizeof(*vm), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vm);
	ret = chipc_vm_init(vm, max_maps);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, chip_test_vm_release, vm);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return vm;
}

u8 *chip_test_vm_map(struct kunit *test, struct chipc_vm *vm, u64 va, u64 size,
		     u32 prot)
{
	struct chipc_map m = { .va = va, .size = size, .prot = prot };
	int ret;

	m.host = kunit_kzalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.host);
	ret = chipc_vm_insert(vm, &m);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return m.host;
}

/* ------------------------------------------------------- user memory */

static void chip_test_mm_drop(void *data)
{
	mmdrop(data);
}

void __user *chip_test_user_mem(struct kunit *test, size_t size)
{
	struct mm_struct *mm;
	unsigned long addr;
	int ret;

	/*
	 * Attach the address space here rather than in kunit_vm_mmap(): the
	 * reference kthread_use_mm() takes is not returned when the case's
	 * thread exits, and kmemleak would report the mm_struct.
	 */
	if (!current->mm) {
		mm = mm_alloc();
		KUNIT_ASSERT_NOT_NULL(test, mm);
		mm->task_size = TASK_SIZE;
		arch_pick_mmap_layout(mm, &current->signal->rlim[RLIMIT_STACK]);
		kthread_use_mm(mm);
		ret = kunit_add_action_or_reset(test, chip_test_mm_drop, mm);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}
	addr = kunit_vm_mmap(test, NULL, 0, size, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, addr, 0ul, "no user mapping");
	return (void __user *)addr;
}
