// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for a context's device address space: mapping, lookup and
 * translation of device addresses (kernel/core/vm.c).
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "chip_kunit_helpers.h"

#define RW	(CHIPC_PROT_READ | CHIPC_PROT_WRITE)

static int insert(struct chipc_vm *vm, u64 va, u64 size, u32 prot, u8 *host)
{
	struct chipc_map m = { .va = va, .size = size, .prot = prot, .host = host };

	return chipc_vm_insert(vm, &m);
}

/* A zero capacity is -EINVAL; fini leaves an empty space and may be repeated. */
static void vm_init_fini(struct kunit *test)
{
	struct chipc_vm vm;

	KUNIT_EXPECT_EQ(test, chipc_vm_init(&vm, 0), -EINVAL);
	KUNIT_EXPECT_NULL(test, vm.maps);
	KUNIT_ASSERT_EQ(test, chipc_vm_init(&vm, 4), 0);
	KUNIT_EXPECT_EQ(test, vm.cap, 4u);
	KUNIT_EXPECT_EQ(test, vm.count, 0u);
	chipc_vm_fini(&vm);
	KUNIT_EXPECT_NULL(test, vm.maps);
	KUNIT_EXPECT_EQ(test, vm.cap, 0u);
	chipc_vm_fini(&vm);
}

/* Mappings inserted in any order are kept sorted and found by their exact start. */
static void vm_insert_sorted_find(struct kunit *test)
{
	struct chipc_vm *vm = chip_test_vm(test, 8);
	static const u64 vas[] = { 0x30000, 0x10000, 0x50000, 0x20000 };
	u32 i;

	for (i = 0; i < ARRAY_SIZE(vas); i++)
		KUNIT_ASSERT_EQ(test, insert(vm, vas[i], 0x1000, RW, NULL), 0);
	KUNIT_ASSERT_EQ(test, vm->count, 4u);
	for (i = 1; i < vm->count; i++)
		KUNIT_EXPECT_LT(test, vm->maps[i - 1].va, vm->maps[i].va);

	for (i = 0; i < ARRAY_SIZE(vas); i++) {
		const struct chipc_map *m = chipc_vm_find(vm, vas[i]);

		KUNIT_ASSERT_NOT_NULL(test, m);
		KUNIT_EXPECT_EQ(test, m->va, vas[i]);
	}
	KUNIT_EXPECT_NULL(test, chipc_vm_find(vm, 0x10001));
	KUNIT_EXPECT_NULL(test, chipc_vm_find(vm, 0x40000));
	KUNIT_EXPECT_NULL(test, chipc_vm_find(vm, 0));
}

/*
 * Size 0 and ranges wrapping past 2^64 are -EINVAL; any overlap is
 * -EEXIST; adjacent ranges are fine; a full space is -ENOSPC.
 */
static void vm_insert_rejects(struct kunit *test)
{
	struct chipc_vm *vm = chip_test_vm(test, 4);

	KUNIT_ASSERT_EQ(test, insert(vm, 0x10000, 0x1000, RW, NULL), 0);
	KUNIT_EXPECT_EQ(test, insert(vm, 0x20000, 0, RW, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, insert(vm, ~0ull - 0xfff, 0x2000, RW, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, insert(vm, 0x10000, 0x1000, RW, NULL), -EEXIST);
	KUNIT_EXPECT_EQ(test, insert(vm, 0xf000, 0x1001, RW, NULL), -EEXIST);
	KUNIT_EXPECT_EQ(test, insert(vm, 0x10fff, 0x10, RW, NULL), -EEXIST);
	KUNIT_EXPECT_EQ(test, insert(vm, 0x10800, 0x10, RW, NULL), -EEXIST);
	KUNIT_EXPECT_EQ(test, insert(vm, 0x8000, 0x10000, RW, NULL), -EEXIST);
	KUNIT_EXPECT_EQ(test, vm->count, 1u);

	KUNIT_EXPECT_EQ(test, insert(vm, 0xf000, 0x1000, RW, NULL), 0);
	KUNIT_EXPECT_EQ(test, insert(vm, 0x11000, 0x1000, RW, NULL), 0);
	/* the very top of the address space is usable */
	KUNIT_EXPECT_EQ(test, insert(vm, ~0ull - 0xfff, 0x1000, RW, NULL), 0);
	KUNIT_EXPECT_EQ(test, vm->count, 4u);
	KUNIT_EXPECT_EQ(test, insert(vm, 0x100000, 0x1000, RW, NULL), -ENOSPC);
}

/* Removal needs the exact start, returns the mapping and keeps the rest sorted. */
static void vm_remove(struct kunit *test)
{
	struct chipc_vm *vm = chip_test_vm(test, 4);
	struct chipc_map out = {};
	u8 *host = chip_test_vm_map(test, vm, 0x20000, 0x100, CHIPC_PROT_READ);

	chip_test_vm_map(test, vm, 0x10000, 0x100, RW);
	chip_test_vm_map(test, vm, 0x30000, 0x100, RW);

	KUNIT_EXPECT_EQ(test, chipc_vm_remove(vm, 0x20001, &out), -ENOENT);
	KUNIT_EXPECT_EQ(test, chipc_vm_remove(vm, 0x40000, &out), -ENOENT);
	KUNIT_ASSERT_EQ(test, chipc_vm_remove(vm, 0x20000, &out), 0);
	KUNIT_EXPECT_EQ(test, out.va, 0x20000ull);
	KUNIT_EXPECT_EQ(test, out.size, 0x100ull);
	KUNIT_EXPECT_PTR_EQ(test, out.host, host);
	KUNIT_EXPECT_EQ(test, out.prot, CHIPC_PROT_READ);
	KUNIT_EXPECT_EQ(test, vm->count, 2u);
	KUNIT_EXPECT_EQ(test, vm->maps[0].va, 0x10000ull);
	KUNIT_EXPECT_EQ(test, vm->maps[1].va, 0x30000ull);
	KUNIT_EXPECT_NULL(test, chipc_vm_translate(vm, 0x20000, 4, CHIPC_PROT_READ));
	KUNIT_EXPECT_EQ(test, chipc_vm_remove(vm, 0x20000, NULL), -ENOENT);
	/* the freed slot can be used again */
	KUNIT_EXPECT_EQ(test, chipc_vm_remove(vm, 0x10000, NULL), 0);
	KUNIT_EXPECT_EQ(test, insert(vm, 0x20000, 0x100, RW, host), 0);
}

/*
 * Translation returns host + offset for ranges inside one mapping, up to
 * its last byte, and NULL for anything that leaves it.
 */
static void vm_translate_bounds(struct kunit *test)
{
	struct chipc_vm *vm = chip_test_vm(test, 4);
	u8 *a = chip_test_vm_map(test, vm, 0x10000, 0x1000, RW);
	u8 *b = chip_test_vm_map(test, vm, 0x11000, 0x1000, RW);

	KUNIT_EXPECT_PTR_EQ(test, chipc_vm_translate(vm, 0x10000, 0x1000, RW), a);
	KUNIT_EXPECT_PTR_EQ(test, chipc_vm_translate(vm, 0x10010, 16, CHIPC_PROT_READ), a + 0x10);
	KUNIT_EXPECT_PTR_EQ(test, chipc_vm_translate(vm, 0x10fff, 1, RW), a + 0xfff);
	KUNIT_EXPECT_PTR_EQ(test, chipc_vm_translate(vm, 0x11000, 4, RW), b);
	/* one byte past, straddling two mappings, before the first */
	KUNIT_EXPECT_NULL(test, chipc_vm_translate(vm, 0x10fff, 2, RW));
	KUNIT_EXPECT_NULL(test, chipc_vm_translate(vm, 0x10000, 0x1001, RW));
	KUNIT_EXPECT_NULL(test, chipc_vm_translate(vm, 0x12000, 1, RW));
	KUNIT_EXPECT_NULL(test, chipc_vm_translate(vm, 0xffff, 1, RW));
	KUNIT_EXPECT_NULL(test, chipc_vm_translate(vm, 0xffff, 2, RW));
	KUNIT_EXPECT_NULL(test, chipc_vm_translate(vm, 0, 1, RW));
	/* length 0 and wrapping ranges */
	KUNIT_EXPECT_NULL(test, chipc_vm_translate(vm, 0x10000, 0, RW));
	KUNIT_EXPECT_NULL(test, chipc_vm_translate(vm, 0x10000, ~0ull, RW));
	KUNIT_EXPECT_NULL(test, chipc_vm_translate(vm, ~0ull, 2, RW));
}

/* Write access to a read-only mapping (and any access to a no-access one) fails. */
static void vm_translate_protection(struct kunit *test)
{
	struct chipc_vm *vm = chip_test_vm(test, 4);
	u8 *ro = chip_test_vm_map(test, vm, 0x10000, 0x100, CHIPC_PROT_READ);
	u8 *wo = chip_test_vm_map(test, vm, 0x20000, 0x100, CHIPC_PROT_WRITE);

	chip_test_vm_map(test, vm, 0x30000, 0x100, 0);
	KUNIT_EXPECT_PTR_EQ(test, chipc_vm_translate(vm, 0x10000, 4, CHIPC_PROT_READ), ro);
	KUNIT_EXPECT_NULL(test, chipc_vm_translate(vm, 0x10000, 4, CHIPC_PROT_WRITE));
	KUNIT_EXPECT_NULL(test, chipc_vm_translate(vm, 0x10000, 4, RW));
	KUNIT_EXPECT_PTR_EQ(test, chipc_vm_translate(vm, 0x20000, 4, CHIPC_PROT_WRITE), wo);
	KUNIT_EXPECT_NULL(test, chipc_vm_translate(vm, 0x20000, 4, CHIPC_PROT_READ));
	KUNIT_EXPECT_NULL(test, chipc_vm_translate(vm, 0x30000, 4, CHIPC_PROT_READ));
	KUNIT_EXPECT_NULL(test, chipc_vm_translate(vm, 0x30000, 4, CHIPC_PROT_WRITE));
}

/* The last byte of the address space translates; nothing wraps to address 0. */
static void vm_translate_top_of_space(struct kunit *test)
{
	struct chipc_vm *vm = chip_test_vm(test, 2);
	u8 *top = chip_test_vm_map(test, vm, ~0ull - 0xff, 0x100, RW);
	u8 *low = chip_test_vm_map(test, vm, 0, 0x100, RW);

	KUNIT_EXPECT_PTR_EQ(test, chipc_vm_translate(vm, ~0ull, 1, RW), top + 0xff);
	KUNIT_EXPECT_PTR_EQ(test, chipc_vm_translate(vm, ~0ull - 0xff, 0x100, RW), top);
	KUNIT_EXPECT_NULL(test, chipc_vm_translate(vm, ~0ull, 2, RW));
	KUNIT_EXPECT_PTR_EQ(test, chipc_vm_translate(vm, 0, 0x100, RW), low);
}

/* Many mappings: every interior address translates to its own buffer (bisection). */
static void vm_translate_many(struct kunit *test)
{
	const u32 n = 200;
	struct chipc_vm *vm = chip_test_vm(test, n);
	u8 **host = kunit_kcalloc(test, n, sizeof(*host), GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, host);
	/* insert in a scrambled order */
	for (i = 0; i < n; i++) {
		u32 k = (i * 7) % n;

		host[k] = chip_test_vm_map(test, vm, 0x100000 + 0x1000ull * k * 2, 64, RW);
	}
	for (i = 0; i < n; i++) {
		u64 va = 0x100000 + 0x1000ull * i * 2;

		KUNIT_EXPECT_PTR_EQ(test, chipc_vm_translate(vm, va + 60, 4, RW), host[i] + 60);
		KUNIT_EXPECT_NULL(test, chipc_vm_translate(vm, va + 64, 4, RW));
	}
}

static struct kunit_case chip_vm_test_cases[] = {
	KUNIT_CASE(vm_init_fini),
	KUNIT_CASE(vm_insert_sorted_find),
	KUNIT_CASE(vm_insert_rejects),
	KUNIT_CASE(vm_remove),
	KUNIT_CASE(vm_translate_bounds),
	KUNIT_CASE(vm_translate_protection),
	KUNIT_CASE(vm_translate_top_of_space),
	KUNIT_CASE(vm_translate_many),
	{}
};

static struct kunit_suite chip_vm_test_suite = {
	.name = "chip_vm",
	.test_cases = chip_vm_test_cases,
};

kunit_test_suite(chip_vm_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the chip device address space");
