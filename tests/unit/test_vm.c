// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A context's device address space: insertion, removal, lookup and
 * overflow-safe translation.
 */
#include <errno.h>
#include "helpers.h"
#include "chipc.h"

static uint8_t host[4][4096];

static struct chipc_map M(u64 va, u64 size, int h, u32 prot)
{
	struct chipc_map m = {
		.va = va, .size = size, .host = host[h], .prot = prot,
		.handle = (u32)h + 1,
	};

	return m;
}

#define RW	(CHIPC_PROT_READ | CHIPC_PROT_WRITE)
#define RO	CHIPC_PROT_READ

static int sorted(const struct chipc_vm *vm)
{
	u32 i;

	for (i = 1; i < vm->count; i++)
		if (vm->maps[i - 1].va + vm->maps[i - 1].size > vm->maps[i].va)
			return 0;
	return 1;
}

static int t_init(void)
{
	struct chipc_vm vm;

	CHECK_EQ(chipc_vm_init(&vm, 0), -EINVAL);
	CHECK(!vm.maps);
	CHECK_EQ(vm.cap, 0);
	CHECK_EQ(chipc_vm_init(&vm, 8), 0);
	CHECK(vm.maps);
	CHECK_EQ(vm.count, 0);
	CHECK_EQ(vm.cap, 8);
	chipc_vm_fini(&vm);
	CHECK(!vm.maps);
	chipc_vm_fini(&vm);	/* repeatable */
	return 0;
}

static int t_insert_rules(void)
{
	struct chipc_vm vm;
	struct chipc_map m;

	CHECK_EQ(chipc_vm_init(&vm, 4), 0);
	m = M(0x10000, 0, 0, RW);
	CHECK_EQ(chipc_vm_insert(&vm, &m), -EINVAL);
	m = M(~0ull - 10, 12, 0, RW);		/* wraps past 2^64 */
	CHECK_EQ(chipc_vm_insert(&vm, &m), -EINVAL);
	m = M(2, ~0ull, 0, RW);
	CHECK_EQ(chipc_vm_insert(&vm, &m), -EINVAL);
	CHECK_EQ(vm.count, 0);

	m = M(0x10000, 0x1000, 0, RW);
	CHECK_EQ(chipc_vm_insert(&vm, &m), 0);
	/* overlaps: same, left edge, right edge, inside, around */
	m = M(0x10000, 0x1000, 1, RW);
	CHECK_EQ(chipc_vm_insert(&vm, &m), -EEXIST);
	m = M(0xf000, 0x1001, 1, RW);
	CHECK_EQ(chipc_vm_insert(&vm, &m), -EEXIST);
	m = M(0x10fff, 0x1000, 1, RW);
	CHECK_EQ(chipc_vm_insert(&vm, &m), -EEXIST);
	m = M(0x10800, 0x10, 1, RW);
	CHECK_EQ(chipc_vm_insert(&vm, &m), -EEXIST);
	m = M(0x8000, 0x10000, 1, RW);
	CHECK_EQ(chipc_vm_insert(&vm, &m), -EEXIST);
	CHECK_EQ(vm.count, 1);
	/* adjacent on both sides is fine */
	m = M(0xf000, 0x1000, 1, RO);
	CHECK_EQ(chipc_vm_insert(&vm, &m), 0);
	m = M(0x11000, 0x1000, 2, RW);
	CHECK_EQ(chipc_vm_insert(&vm, &m), 0);
	/* the very top of the address space */
	m = M(~0ull - 0xfff, 0x1000, 3, RW);
	CHECK_EQ(chipc_vm_insert(&vm, &m), 0);
	CHECK_EQ(vm.count, 4);
	CHECK(sorted(&vm));
	/* full: overlap still reported as such, else -ENOSPC */
	m = M(0x100000, 0x1000, 0, RW);
	CHECK_EQ(chipc_vm_insert(&vm, &m), -ENOSPC);
	m = M(0x10000, 0x1000, 0, RW);
	CHECK_EQ(chipc_vm_insert(&vm, &m), -EEXIST);
	CHECK_EQ(vm.count, 4);
	CHECK_U64(vm.maps[0].va, 0xf000);
	CHECK_U64(vm.maps[1].va, 0x10000);
	CHECK_U64(vm.maps[2].va, 0x11000);
	CHECK_U64(vm.maps[3].va, ~0ull - 0xfff);
	chipc_vm_fini(&vm);
	return 0;
}

static int t_remove_find(void)
{
	struct chipc_vm vm;
	struct chipc_map m, out;

	CHECK_EQ(chipc_vm_init(&vm, 3), 0);
	m = M(0x30000, 0x1000, 2, RW);
	CHECK_EQ(chipc_vm_insert(&vm, &m), 0);
	m = M(0x10000, 0x1000, 0, RW);
	CHECK_EQ(chipc_vm_insert(&vm, &m), 0);
	m = M(0x20000, 0x2000, 1, RO);
	CHECK_EQ(chipc_vm_insert(&vm, &m), 0);
	CHECK(sorted(&vm));

	CHECK(chipc_vm_find(&vm, 0x20000));
	CHECK_EQ(chipc_vm_find(&vm, 0x20000)->handle, 2);
	CHECK(!chipc_vm_find(&vm, 0x20001));	/* inside, not a start */
	CHECK(!chipc_vm_find(&vm, 0x1ffff));
	CHECK(!chipc_vm_find(&vm, 0));
	CHECK(!chipc_vm_find(&vm, ~0ull));

	CHECK_EQ(chipc_vm_remove(&vm, 0x20001, &out), -ENOENT);
	CHECK_EQ(chipc_vm_remove(&vm, 0x5000, &out), -ENOENT);
	CHECK_EQ(chipc_vm_remove(&vm, 0x40000, NULL), -ENOENT);
	CHECK_EQ(chipc_vm_remove(&vm, 0x20000, &out), 0);
	CHECK_U64(out.va, 0x20000);
	CHECK_U64(out.size, 0x2000);
	CHECK(out.host == host[1]);
	CHECK_EQ(out.prot, RO);
	CHECK_EQ(out.handle, 2);
	CHECK_EQ(vm.count, 2);
	CHECK(!chipc_vm_find(&vm, 0x20000));
	CHECK(!chipc_vm_translate(&vm, 0x20000, 1, RO));
	CHECK_EQ(chipc_vm_remove(&vm, 0x20000, &out), -ENOENT);
	CHECK_U64(vm.maps[0].va, 0x10000);
	CHECK_U64(vm.maps[1].va, 0x30000);
	/* room again */
	m = M(0x20000, 0x1000, 1, RW);
	CHECK_EQ(chipc_vm_insert(&vm, &m), 0);
	CHECK_EQ(chipc_vm_remove(&vm, 0x10000, NULL), 0);
	CHECK_EQ(chipc_vm_remove(&vm, 0x30000, NULL), 0);
	CHECK_EQ(chipc_vm_remove(&vm, 0x20000, NULL), 0);
	CHECK_EQ(vm.count, 0);
	CHECK(!chipc_vm_find(&vm, 0x20000));
	CHECK(!chipc_vm_translate(&vm, 0x20000, 1, 0));
	chipc_vm_fini(&vm);
	return 0;
}

static int t_translate(void)
{
	struct chipc_vm vm;
	struct chipc_map m;

	CHECK_EQ(chipc_vm_init(&vm, 8), 0);
	m = M(0x10000, 0x1000, 0, RW);
	CHECK_EQ(chipc_vm_insert(&vm, &m), 0);
	m = M(0x11000, 0x1000, 1, RO);		/* adjacent */
	CHECK_EQ(chipc_vm_insert(&vm, &m), 0);
	m = M(0x20000, 0x1000, 2, CHIPC_PROT_WRITE);
	CHECK_EQ(chipc_vm_insert(&vm, &m), 0);
	m = M(~0ull - 0xfff, 0x1000, 3, RW);
	CHECK_EQ(chipc_vm_insert(&vm, &m), 0);

	CHECK(chipc_vm_translate(&vm, 0x10000, 0x1000, RW) == host[0]);
	CHECK(chipc_vm_translate(&vm, 0x10010, 16, RO) == host[0] + 16);
	CHECK(chipc_vm_translate(&vm, 0x10fff, 1, RW) == host[0] + 0xfff);
	CHECK(chipc_vm_translate(&vm, 0x11000, 4, RO) == host[1]);
	CHECK(chipc_vm_translate(&vm, 0x10000, 1, 0) == host[0]);
	/* len 0, before, between, after */
	CHECK(!chipc_vm_translate(&vm, 0x10000, 0, RO));
	CHECK(!chipc_vm_translate(&vm, 0xffff, 1, RO));
	CHECK(!chipc_vm_translate(&vm, 0xffff, 2, RO));
	CHECK(!chipc_vm_translate(&vm, 0x12000, 1, RO));
	CHECK(!chipc_vm_translate(&vm, 0x1ffff, 2, CHIPC_PROT_WRITE));
	CHECK(!chipc_vm_translate(&vm, 0x21000, 1, CHIPC_PROT_WRITE));
	CHECK(!chipc_vm_translate(&vm, 0, 1, RO));
	/* crossing the end, even into an adjacent mapping */
	CHECK(!chipc_vm_translate(&vm, 0x10fff, 2, RO));
	CHECK(!chipc_vm_translate(&vm, 0x10000, 0x1001, RO));
	CHECK(!chipc_vm_translate(&vm, 0x10000, 0x2000, RO));
	/* protection */
	CHECK(!chipc_vm_translate(&vm, 0x11000, 4, CHIPC_PROT_WRITE));
	CHECK(!chipc_vm_translate(&vm, 0x11000, 4, RW));
	CHECK(!chipc_vm_translate(&vm, 0x20000, 4, RO));
	CHECK(chipc_vm_translate(&vm, 0x20000, 4, CHIPC_PROT_WRITE) ==
	      host[2]);
	/* overflow: huge lengths and ranges that wrap */
	CHECK(!chipc_vm_translate(&vm, 0x10010, ~0ull, RO));
	CHECK(!chipc_vm_translate(&vm, 0x10010, ~0ull - 0xf, RO));
	CHECK(!chipc_vm_translate(&vm, 0x10010, 1ull << 63, RO));
	CHECK(!chipc_vm_translate(&vm, ~0ull, 2, RO));
	CHECK(!chipc_vm_translate(&vm, ~0ull - 0xfff, 0x1001, RO));
	CHECK(!chipc_vm_translate(&vm, ~0ull - 0xfff, ~0ull, RO));
	/* the last byte of the address space */
	CHECK(chipc_vm_translate(&vm, ~0ull, 1, RW) == host[3] + 0xfff);
	CHECK(chipc_vm_translate(&vm, ~0ull - 0xfff, 0x1000, RW) == host[3]);
	chipc_vm_fini(&vm);
	return 0;
}

/* One mapping may cover everything but address 0. */
static int t_whole_space(void)
{
	struct chipc_vm vm;
	struct chipc_map m;

	CHECK_EQ(chipc_vm_init(&vm, 2), 0);
	m = M(1, ~0ull, 0, RW);
	CHECK_EQ(chipc_vm_insert(&vm, &m), 0);
	CHECK(chipc_vm_translate(&vm, 1, 16, RW) == host[0]);
	CHECK(!chipc_vm_translate(&vm, 0, 1, RW));
	CHECK(!chipc_vm_translate(&vm, 0, 2, RW));
	CHECK(chipc_vm_translate(&vm, 1, ~0ull, RW) == host[0]);
	m = M(0, 2, 1, RW);
	CHECK_EQ(chipc_vm_insert(&vm, &m), -EEXIST);
	m = M(0, 1, 1, RW);
	CHECK_EQ(chipc_vm_insert(&vm, &m), 0);
	CHECK(chipc_vm_translate(&vm, 0, 1, RW) == host[1]);
	CHECK(!chipc_vm_translate(&vm, 0, 2, RW));
	chipc_vm_fini(&vm);
	return 0;
}

/* Many mappings inserted in scrambled order: bisection finds each. */
static int t_many(void)
{
	enum { N = 1000 };
	struct chipc_vm vm;
	struct chipc_map m;
	u32 i, k;

	CHECK_EQ(chipc_vm_init(&vm, N), 0);
	for (i = 0; i < N; i++) {
		k = (i * 617u) % N;	/* 617 is coprime with 1000 */
		m = M(0x100000ull + k * 0x2000ull, 0x1000 + k, 0, RW);
		m.handle = k;
		CHECK_EQ(chipc_vm_insert(&vm, &m), 0);
	}
	CHECK_EQ(vm.count, N);
	CHECK(sorted(&vm));
	m = M(0x50000000, 1, 0, RW);
	CHECK_EQ(chipc_vm_insert(&vm, &m), -ENOSPC);
	for (k = 0; k < N; k++) {
		u64 va = 0x100000ull + k * 0x2000ull;

		CHECK_EQ(vm.maps[k].handle, k);
		CHECK(chipc_vm_find(&vm, va) == &vm.maps[k]);
		CHECK(chipc_vm_translate(&vm, va, 0x1000 + k, RW) == host[0]);
		CHECK(chipc_vm_translate(&vm, va + 0xfff + k, 1, RW) ==
		      host[0] + 0xfff + k);
		CHECK(!chipc_vm_translate(&vm, va + 0x1000 + k, 1, RW));
		CHECK(!chipc_vm_translate(&vm, va, 0x1001 + k, RW));
		CHECK(!chipc_vm_translate(&vm, va - 1, 1, RW));
	}
	/* remove every other one, scrambled */
	for (i = 0; i < N; i++) {
		k = (i * 617u) % N;
		if (k % 2)
			CHECK_EQ(chipc_vm_remove(&vm, 0x100000ull +
						 k * 0x2000ull, NULL), 0);
	}
	CHECK_EQ(vm.count, N / 2);
	CHECK(sorted(&vm));
	for (k = 0; k < N; k++) {
		u64 va = 0x100000ull + k * 0x2000ull;

		CHECK((chipc_vm_translate(&vm, va, 1, RO) == NULL) ==
		      (k % 2 == 1));
	}
	chipc_vm_fini(&vm);
	return 0;
}

int main(void)
{
	T_RUN(t_init);
	T_RUN(t_insert_rules);
	T_RUN(t_remove_find);
	T_RUN(t_translate);
	T_RUN(t_whole_space);
	T_RUN(t_many);
	return T_DONE();
}
