/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the chip KUnit suites: a callable builder, an
 * instrumented device-memory allocator for the dedup table, and a device
 * address space backed by test-owned buffers.  Everything is released
 * through KUnit resources when the case ends.
 */
#ifndef _CHIP_KUNIT_HELPERS_H
#define _CHIP_KUNIT_HELPERS_H

#include <kunit/test.h>

#include "../core/chipc.h"

/* Instruction constructors for struct chip_insn arrays. */
#define CI(o, ra, rb, rc, i) \
	((struct chip_insn){ .op = CHIP_OP_##o, .a = (ra), .b = (rb), .c = (rc), .imm = (i) })
#define CI0(o)			CI(o, 0, 0, 0, 0)
#define CI_A(o, ra)		CI(o, ra, 0, 0, 0)
#define CI_AB(o, ra, rb)	CI(o, ra, rb, 0, 0)
#define CI_ABC(o, ra, rb, rc)	CI(o, ra, rb, rc, 0)
#define CI_AI(o, ra, i)		CI(o, ra, 0, 0, i)
#define CI_ABI(o, ra, rb, i)	CI(o, ra, rb, 0, i)

/* binary32 bit patterns used by the tests */
#define F32_0		0x00000000u
#define F32_1		0x3f800000u
#define F32_2		0x40000000u
#define F32_3		0x40400000u
#define F32_5		0x40a00000u
#define F32_47		0x423c0000u
#define F32_INF		0x7f800000u

/* One child of a callable built by chip_test_callable(). */
struct chip_test_child {
	s32 func_id;
	u32 core_type;
	const struct chip_insn *code;
	u32 ninsns;
	u32 sig_count;
	const u8 *sig;		/* NULL: sig_count CHIP_DIR_IN */
};

/* A callable description; zero fields get the defaults noted. */
struct chip_test_callable {
	u32 platform;		/* 0: CHIP_PLATFORM_A2A3 */
	u32 runtime;		/* 0: CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER */
	const struct chip_insn *orch;	/* NULL: a single HALT (tensormap) */
	u32 norch;
	const void *orch_bytes;	/* host_build_graph: opaque orchestration */
	u32 orch_bytes_size;
	const char *func_name;	/* NULL: "entry" */
	const char *config_name;	/* NULL: "" */
	u32 sig_count;
	const struct chip_test_child *children;
	u32 nchildren;
};

/* Layout-only helpers, usable without a KUnit context. */
u64 chip_test_callable_size(const struct chip_test_callable *d);
void chip_test_callable_write(void *img, const struct chip_test_callable *d);

/*
 * Build a canonical image for @d in a buffer that lives until the case
 * ends.  *@len receives its size.
 */
void *chip_test_callable(struct kunit *test, const struct chip_test_callable *d,
			 u64 *len);

/* A callable with @n children (func_ids @first, @first + 1, ...) of one HALT. */
void *chip_test_callable_n(struct kunit *test, u32 n, s32 first, u64 *len);

/*
 * Device memory for a dedup table: kzalloc'ed storage at ascending device
 * addresses (64-byte aligned).  Counts every call; @fail_after makes the
 * allocation after that many successful ones fail with @fail_errno.
 */
struct chip_test_mem {
	u64 next_addr;
	u64 allocs;
	u64 frees;
	u64 live;
	u64 live_bytes;
	s64 fail_after;		/* < 0: never */
	int fail_errno;
	u64 misalign;		/* added to returned device addresses */
	struct list_head blocks;
	void *free_order[16];	/* cookies in the order they were freed */
	u32 nfree_order;
};

struct chip_test_mem *chip_test_mem_create(struct kunit *test);
void chip_test_mem_ops(struct chip_test_mem *m, struct chipc_code_mem_ops *ops);

/*
 * A dedup table using a fresh chip_test_mem; finalised when the case ends
 * (after which the test checks that every allocation was freed).
 */
struct chipc_dedup *chip_test_dedup(struct kunit *test, struct chip_test_mem **mem);

/* A device address space finalised when the case ends. */
struct chipc_vm *chip_test_vm(struct kunit *test, u32 max_maps);

/*
 * Map @size zeroed bytes at @va with @prot; returns the host view (owned
 * by the test).
 */
u8 *chip_test_vm_map(struct kunit *test, struct chipc_vm *vm, u64 va, u64 size,
		     u32 prot);

/*
 * @size bytes of anonymous user memory for the case's thread (which gets
 * an address space of its own), unmapped and released when the case ends.
 */
void __user *chip_test_user_mem(struct kunit *test, size_t size);

#endif /* _CHIP_KUNIT_HELPERS_H */
