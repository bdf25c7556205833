// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for callable layout, validation and patching
 * (kernel/core/callable.c) and the platform table (platform.c).
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "chip_kunit_helpers.h"

static const struct chip_insn one_halt[] = { CI0(HALT) };
static const struct chip_insn nop_halt[] = { CI0(NOP), CI0(HALT) };
static const u8 sig_in_out[] = { CHIP_DIR_IN, CHIP_DIR_OUT };

static const struct chip_test_child base_children[] = {
	{ .func_id = 3, .core_type = CHIP_CORE_AIC, .code = one_halt,
	  .ninsns = 1, .sig_count = 2, .sig = sig_in_out },
	{ .func_id = 7, .core_type = CHIP_CORE_AIV, .code = nop_halt,
	  .ninsns = 2, .sig_count = 1 },
};

/*
 * The base image: 8704-byte header, an 8-byte orchestration, child 0 at
 * 8768 (128 + 8 bytes), child 1 at 8960 (128 + 16 bytes), 9104 in all.
 */
#define BASE_CHILD0	8768u
#define BASE_CHILD1	8960u
#define BASE_TOTAL	9104u

static const struct chip_test_callable base_desc = {
	.func_name = "entry",
	.config_name = "cfg",
	.sig_count = 2,
	.children = base_children,
	.nchildren = ARRAY_SIZE(base_children),
};

static void *base_image(struct kunit *test, u64 *len)
{
	return chip_test_callable(test, &base_desc, len);
}

static struct chip_callable_hdr *hdr(void *img)
{
	return img;
}

static struct chip_child_hdr *child(void *img, u32 i)
{
	return (struct chip_child_hdr *)((u8 *)img + hdr(img)->child_offsets[i]);
}

/* The base image has the documented layout. */
static void callable_check_layout_golden(struct kunit *test)
{
	struct chipc_layout l;
	u64 len;
	void *img = base_image(test, &len);

	KUNIT_ASSERT_EQ(test, len, (u64)BASE_TOTAL);
	KUNIT_EXPECT_EQ(test, hdr(img)->child_offsets[0], BASE_CHILD0);
	KUNIT_EXPECT_EQ(test, hdr(img)->child_offsets[1], BASE_CHILD1);
	KUNIT_ASSERT_EQ(test, chipc_callable_check(img, len, &l), 0);
	KUNIT_EXPECT_EQ(test, l.hdr_size, (u32)CHIP_CALLABLE_HDR_SIZE);
	KUNIT_EXPECT_EQ(test, l.total_size, BASE_TOTAL);
	KUNIT_EXPECT_EQ(test, l.child_count, 2u);
	KUNIT_EXPECT_EQ(test, l.orch_size, 8u);
	/* NULL layout pointer is allowed */
	KUNIT_EXPECT_EQ(test, chipc_callable_check(img, len, NULL), 0);
}

/* Validation never writes to the caller's image. */
static void callable_check_leaves_image_untouched(struct kunit *test)
{
	struct chipc_layout l;
	u64 len;
	void *img = base_image(test, &len);
	void *copy = kunit_kmalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, copy);
	memcpy(copy, img, len);
	KUNIT_ASSERT_EQ(test, chipc_callable_check(img, len, &l), 0);
	KUNIT_EXPECT_MEMEQ(test, img, copy, len);
}

/* Images without children and host_build_graph images without orchestration are valid. */
static void callable_check_minimal_images(struct kunit *test)
{
	struct chip_test_callable d = { .runtime = CHIP_RUNTIME_HOST_BUILD_GRAPH };
	struct chipc_layout l;
	u64 len;
	void *img;

	img = chip_test_callable(test, &d, &len);
	KUNIT_EXPECT_EQ(test, len, (u64)CHIP_CALLABLE_HDR_SIZE);
	KUNIT_EXPECT_EQ(test, chipc_callable_check(img, len, &l), 0);
	KUNIT_EXPECT_EQ(test, l.orch_size, 0u);
	KUNIT_EXPECT_EQ(test, l.child_count, 0u);

	d.runtime = 0;
	img = chip_test_callable(test, &d, &len);
	KUNIT_EXPECT_EQ(test, chipc_callable_check(img, len, &l), 0);
	KUNIT_EXPECT_EQ(test, l.total_size, (u32)CHIP_CALLABLE_HDR_SIZE + 8);
}

/* 1024 children with func_ids 0..1023 validate and every child sits on a 64-byte boundary. */
static void callable_check_max_children(struct kunit *test)
{
	struct chipc_layout l;
	u64 len;
	void *img = chip_test_callable_n(test, CHIP_MAX_CHILDREN, 0, &len);
	u32 i;

	KUNIT_ASSERT_EQ(test, chipc_callable_check(img, len, &l), 0);
	KUNIT_EXPECT_EQ(test, l.child_count, (u32)CHIP_MAX_CHILDREN);
	for (i = 0; i < CHIP_MAX_CHILDREN; i++)
		KUNIT_EXPECT_EQ(test, hdr(img)->child_offsets[i] % CHIP_CALLABLE_ALIGN, 0u);
}

/* One malformed image and the errno chipc_callable_check() must return. */
struct callable_reject {
	const char *name;
	void (*mutate)(void *img, u64 *len);
	int err;
};

#define MUT(n) static void mut_##n(void *img, u64 *len)

MUT(null_image) { }
MUT(short_len) { *len = CHIP_CALLABLE_HDR_SIZE - 1; }
MUT(bad_magic) { hdr(img)->magic ^= 1; }
MUT(bad_version) { hdr(img)->version = CHIP_CALLABLE_VERSION + 1; }
MUT(bad_hdr_size) { hdr(img)->hdr_size = CHIP_CALLABLE_HDR_SIZE - 64; }
MUT(hdr_flags) { hdr(img)->flags = 1; }
MUT(unknown_platform) { hdr(img)->platform = 3; }
MUT(zero_platform) { hdr(img)->platform = 0; }
MUT(unknown_runtime) { hdr(img)->runtime = 3; }
MUT(zero_runtime) { hdr(img)->runtime = 0; }
MUT(hdr_reserved) { hdr(img)->reserved[87] = 1; }
MUT(sig_count_big) { hdr(img)->sig_count = CHIP_MAX_TENSOR_ARGS + 1; }
MUT(sig_bad_dir) { hdr(img)->signature[1] = CHIP_DIR_INOUT + 1; }
MUT(sig_tail_nonzero) { hdr(img)->signature[2] = CHIP_DIR_IN; }
MUT(func_name_len_max) { hdr(img)->func_name_len = CHIP_NAME_MAX; }
MUT(func_name_short_len) { hdr(img)->func_name_len = 3; }
MUT(func_name_nul_inside) { hdr(img)->func_name_len = 6; }
MUT(func_name_pad) { hdr(img)->func_name[CHIP_NAME_MAX - 1] = 'x'; }
MUT(config_name_len_long) { hdr(img)->config_name_len = 4; }
MUT(config_name_pad) { hdr(img)->config_name[10] = 'x'; }
MUT(child_count_big) { hdr(img)->child_count = CHIP_MAX_CHILDREN + 1; }
MUT(func_id_negative) { hdr(img)->child_func_ids[0] = -1; }
MUT(func_id_too_big) { hdr(img)->child_func_ids[1] = CHIP_MAX_FUNC_ID; }
MUT(func_id_duplicate) { hdr(img)->child_func_ids[1] = 3; }
MUT(func_id_tail_nonzero) { hdr(img)->child_func_ids[2] = 9; }
MUT(offset_tail_nonzero) { hdr(img)->child_offsets[5] = BASE_TOTAL; }
MUT(offset_misaligned) { hdr(img)->child_offsets[1] += 8; }
MUT(offset_gap) { hdr(img)->child_offsets[1] += 64; }
MUT(offset_before_orch) { hdr(img)->child_offsets[0] = CHIP_CALLABLE_HDR_SIZE; }
MUT(offsets_swapped)
{
	hdr(img)->child_offsets[0] = BASE_CHILD1;
	hdr(img)->child_offsets[1] = BASE_CHILD0;
}

MUT(child_hdr_truncated) { *len = BASE_CHILD1 + 64; }
MUT(padding_nonzero) { ((u8 *)img)[CHIP_CALLABLE_HDR_SIZE + 8] = 1; }
MUT(child_padding_nonzero) { ((u8 *)img)[BASE_CHILD0 + 128 + 8] = 1; }
MUT(child_sig_count_big) { child(img, 0)->sig_count = CHIP_CORE_MAX_ARGS + 1; }
MUT(child_sig_bad_dir) { child(img, 0)->signature[0] = 9; }
MUT(child_sig_tail_nonzero) { child(img, 1)->signature[CHIP_CORE_MAX_ARGS - 1] = 1; }
MUT(child_core_aicpu) { child(img, 0)->core_type = CHIP_CORE_AICPU; }
MUT(child_core_unknown) { child(img, 1)->core_type = 7; }
MUT(child_flags) { child(img, 0)->flags = 0x80000000u; }
MUT(child_resolved_addr) { child(img, 1)->resolved_addr = 0x1000; }
MUT(child_reserved) { child(img, 0)->reserved[0] = 1; }
MUT(child_binary_overrun) { child(img, 1)->binary_size += 8; }
MUT(child_binary_short) { child(img, 1)->binary_size -= 8; }
MUT(total_size_mismatch) { hdr(img)->total_size += 64; }
MUT(len_longer_than_image) { *len += 64; }
MUT(len_shorter_than_image) { *len -= 8; }

#define REJ(n, e) { #n, mut_##n, e }

static const struct callable_reject callable_rejects[] = {
	REJ(null_image, -EINVAL),
	REJ(short_len, -EMSGSIZE),
	REJ(bad_magic, -EINVAL),
	REJ(bad_version, -EINVAL),
	REJ(bad_hdr_size, -EINVAL),
	REJ(hdr_flags, -EINVAL),
	REJ(unknown_platform, -EINVAL),
	REJ(zero_platform, -EINVAL),
	REJ(unknown_runtime, -EINVAL),
	REJ(zero_runtime, -EINVAL),
	REJ(hdr_reserved, -EINVAL),
	REJ(sig_count_big, -E2BIG),
	REJ(sig_bad_dir, -EINVAL),
	REJ(sig_tail_nonzero, -EINVAL),
	REJ(func_name_len_max, -EINVAL),
	REJ(func_name_short_len, -EINVAL),
	REJ(func_name_nul_inside, -EINVAL),
	REJ(func_name_pad, -EINVAL),
	REJ(config_name_len_long, -EINVAL),
	REJ(config_name_pad, -EINVAL),
	REJ(child_count_big, -E2BIG),
	REJ(func_id_negative, -EINVAL),
	REJ(func_id_too_big, -EINVAL),
	REJ(func_id_duplicate, -EINVAL),
	REJ(func_id_tail_nonzero, -EINVAL),
	REJ(offset_tail_nonzero, -EINVAL),
	REJ(offset_misaligned, -EINVAL),
	REJ(offset_gap, -EINVAL),
	REJ(offset_before_orch, -EINVAL),
	REJ(offsets_swapped, -EINVAL),
	REJ(child_hdr_truncated, -EMSGSIZE),
	REJ(padding_nonzero, -EINVAL),
	REJ(child_padding_nonzero, -EINVAL),
	REJ(child_sig_count_big, -E2BIG),
	REJ(child_sig_bad_dir, -EINVAL),
	REJ(child_sig_tail_nonzero, -EINVAL),
	REJ(child_core_aicpu, -EINVAL),
	REJ(child_core_unknown, -EINVAL),
	REJ(child_flags, -EINVAL),
	REJ(child_resolved_addr, -EINVAL),
	REJ(child_reserved, -EINVAL),
	REJ(child_binary_overrun, -EMSGSIZE),
	REJ(child_binary_short, -EINVAL),
	REJ(total_size_mismatch, -EINVAL),
	REJ(len_longer_than_image, -EINVAL),
	REJ(len_shorter_than_image, -EMSGSIZE),
};

static void callable_reject_desc(const struct callable_reject *r, char *desc)
{
	strscpy(desc, r->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(callable_reject, callable_rejects, callable_reject_desc);

/*
 * Each malformed variant of the base image is rejected with its documented
 * errno (and the unmodified base image is accepted, so the mutation is
 * what the check caught).
 */
static void callable_check_rejects(struct kunit *test)
{
	const struct callable_reject *r = test->param_value;
	struct chipc_layout l;
	u64 len;
	void *img, *buf;

	img = base_image(test, &len);
	KUNIT_ASSERT_EQ(test, chipc_callable_check(img, len, &l), 0);

	/* room for the variants that claim a longer length */
	buf = kunit_kzalloc(test, len + 128, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	memcpy(buf, img, len);
	r->mutate(buf, &len);
	if (r->mutate == mut_null_image)
		buf = NULL;
	KUNIT_EXPECT_EQ(test, chipc_callable_check(buf, len, &l), r->err);
}

/* Patching writes base + offset + 128 into each resolved_addr and nothing else. */
static void callable_patch_resolved_addrs(struct kunit *test)
{
	const u64 base = 0x2000000040ull;
	struct chipc_layout l;
	u64 len;
	void *img = base_image(test, &len);
	u8 *copy = kunit_kmalloc(test, len, GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, copy);
	KUNIT_ASSERT_EQ(test, chipc_callable_check(img, len, &l), 0);
	memcpy(copy, img, len);
	chipc_callable_patch(copy, &l, base);

	KUNIT_EXPECT_EQ(test, child(copy, 0)->resolved_addr, base + BASE_CHILD0 + 128);
	KUNIT_EXPECT_EQ(test, child(copy, 1)->resolved_addr, base + BASE_CHILD1 + 128);
	KUNIT_EXPECT_EQ(test, chipc_callable_check_patched(copy, &l, base), 0);

	/* only the two resolved_addr fields differ */
	for (i = 0; i < 2; i++)
		child(copy, i)->resolved_addr = 0;
	KUNIT_EXPECT_MEMEQ(test, copy, img, len);
}

/* A resolved_addr that is not its patched value is detected. */
static void callable_check_patched_detects_wrong_addr(struct kunit *test)
{
	const u64 base = 0x40000000ull;
	struct chipc_layout l;
	u64 len;
	void *img = base_image(test, &len);

	KUNIT_ASSERT_EQ(test, chipc_callable_check(img, len, &l), 0);
	chipc_callable_patch(img, &l, base);
	KUNIT_EXPECT_EQ(test, chipc_callable_check_patched(img, &l, base), 0);
	KUNIT_EXPECT_EQ(test, chipc_callable_check_patched(img, &l, base + 64), -EINVAL);
	child(img, 1)->resolved_addr += 64;
	KUNIT_EXPECT_EQ(test, chipc_callable_check_patched(img, &l, base), -EINVAL);
	/* the canonical form is not a patched one */
	child(img, 0)->resolved_addr = 0;
	child(img, 1)->resolved_addr = 0;
	KUNIT_EXPECT_EQ(test, chipc_callable_check_patched(img, &l, base), -EINVAL);
}

/*
 * A canonical image and its patched copy compare equal; any other changed
 * byte, at the start, in the middle, in a child or in the last byte, does not.
 */
static void callable_same_compares_all_but_resolved_addr(struct kunit *test)
{
	static const u32 flips[] = { 0, 100, BASE_CHILD0 + 127, BASE_CHILD0 + 128,
				     BASE_CHILD1 + 7, BASE_TOTAL - 1 };
	struct chipc_layout l;
	u64 len;
	void *img = base_image(test, &len);
	u8 *copy = kunit_kmalloc(test, len, GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, copy);
	KUNIT_ASSERT_EQ(test, chipc_callable_check(img, len, &l), 0);
	memcpy(copy, img, len);
	chipc_callable_patch(copy, &l, 0x7000000000ull);
	KUNIT_EXPECT_TRUE(test, chipc_callable_same(img, copy, &l));

	for (i = 0; i < ARRAY_SIZE(flips); i++) {
		copy[flips[i]] ^= 0x20;
		KUNIT_EXPECT_FALSE_MSG(test, chipc_callable_same(img, copy, &l),
				       "byte %u", flips[i]);
		copy[flips[i]] ^= 0x20;
	}
	/* a canonical side with a non-zero resolved_addr is not canonical */
	child(img, 0)->resolved_addr = child((void *)copy, 0)->resolved_addr;
	KUNIT_EXPECT_FALSE(test, chipc_callable_same(img, copy, &l));
}

/* Both platforms report their documented limits; unknown ids are NULL. */
static void platform_get_limits(struct kunit *test)
{
	const struct chipc_platform *p;

	p = chipc_platform_get(CHIP_PLATFORM_A2A3);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_STREQ(test, p->name, "a2a3");
	KUNIT_EXPECT_EQ(test, p->max_blocks, 24u);
	KUNIT_EXPECT_EQ(test, p->max_aicpu_threads, 4u);

	p = chipc_platform_get(CHIP_PLATFORM_A5);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_STREQ(test, p->name, "a5");
	KUNIT_EXPECT_EQ(test, p->max_blocks, 36u);
	KUNIT_EXPECT_EQ(test, p->max_aicpu_threads, 7u);

	KUNIT_EXPECT_NULL(test, chipc_platform_get(0));
	KUNIT_EXPECT_NULL(test, chipc_platform_get(3));
}

static struct kunit_case chip_callable_test_cases[] = {
	KUNIT_CASE(callable_check_layout_golden),
	KUNIT_CASE(callable_check_leaves_image_untouched),
	KUNIT_CASE(callable_check_minimal_images),
	KUNIT_CASE(callable_check_max_children),
	KUNIT_CASE_PARAM(callable_check_rejects, callable_reject_gen_params),
	KUNIT_CASE(callable_patch_resolved_addrs),
	KUNIT_CASE(callable_check_patched_detects_wrong_addr),
	KUNIT_CASE(callable_same_compares_all_but_resolved_addr),
	KUNIT_CASE(platform_get_limits),
	{}
};

static struct kunit_suite chip_callable_test_suite = {
	.name = "chip_callable",
	.test_cases = chip_callable_test_cases,
};

kunit_test_suite(chip_callable_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for chip callable layout and validation");
