// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Chip callable layout: validation of a canonical image, patching of the
 * device copy, and comparison of a canonical image with a device copy.
 *
 * The layout is fully determined by the contents (see uapi/chip_callable.h):
 * the orchestration binary starts at hdr_size, the first child header at
 * align_up(hdr_size + orch_size, 64), every further child at
 * align_up(end of the previous child, 64), and the image ends with the last
 * child (or the orchestration binary when there is none).  Every byte that
 * is not part of a field or a binary is zero.  chipc_callable_check()
 * accepts exactly these images, so equal contents mean equal bytes.
 *
 * Every length is computed in u64 from u32 fields, so no sum can wrap, and
 * nothing is read before it is known to lie inside the image.
 */
#include "chipc.h"

static_assert(sizeof(struct chip_callable_hdr) == CHIP_CALLABLE_HDR_SIZE,
	      "chip_callable_hdr size");
static_assert(sizeof(struct chip_child_hdr) == CHIP_CHILD_HDR_SIZE,
	      "chip_child_hdr size");
static_assert(CHIP_CALLABLE_HDR_SIZE % CHIP_CALLABLE_ALIGN == 0,
	      "header size alignment");

#define CHIPC_RA_OFF	offsetof(struct chip_child_hdr, resolved_addr)

static bool chipc_zero(const u8 *p, u64 n)
{
	u64 i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* @count directions of at most @max, then zero up to @size entries. */
static int chipc_check_sig(const u8 *sig, u32 count, u32 max, u32 size)
{
	u32 i;

	if (count > max)
		return -E2BIG;
	for (i = 0; i < count; i++)
		if (sig[i] > CHIP_DIR_INOUT)
			return -EINVAL;
	return chipc_zero(sig + count, size - count) ? 0 : -EINVAL;
}

/* @len characters, none NUL, then NUL padding to CHIP_NAME_MAX. */
static int chipc_check_name(const char *name, u32 len)
{
	u32 i;

	if (len >= CHIP_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!name[i])
			return -EINVAL;
	return chipc_zero((const u8 *)name + len, CHIP_NAME_MAX - len) ?
	       0 : -EINVAL;
}

static int chipc_check_hdr(const struct chip_callable_hdr *h)
{
	u64 seen[CHIP_MAX_FUNC_ID / 64];
	u32 i;
	int rc;

	if (h->magic != CHIP_CALLABLE_MAGIC ||
	    h->version != CHIP_CALLABLE_VERSION ||
	    h->hdr_size != CHIP_CALLABLE_HDR_SIZE || h->flags)
		return -EINVAL;
	if (!chipc_platform_get(h->platform))
		return -EINVAL;
	if (h->runtime != CHIP_RUNTIME_HOST_BUILD_GRAPH &&
	    h->runtime != CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER)
		return -EINVAL;
	if (!chipc_zero(h->reserved, sizeof(h->reserved)))
		return -EINVAL;
	rc = chipc_check_sig(h->signature, h->sig_count, CHIP_MAX_TENSOR_ARGS,
			     CHIP_MAX_TENSOR_ARGS);
	if (rc)
		return rc;
	rc = chipc_check_name(h->func_name, h->func_name_len);
	if (rc)
		return rc;
	rc = chipc_check_name(h->config_name, h->config_name_len);
	if (rc)
		return rc;
	if (h->child_count > CHIP_MAX_CHILDREN)
		return -E2BIG;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < h->child_count; i++) {
		s32 fid = h->child_func_ids[i];

		if (fid < 0 || fid >= CHIP_MAX_FUNC_ID)
			return -EINVAL;
		if (seen[fid / 64] & (1ull << (fid % 64)))
			return -EINVAL;
		seen[fid / 64] |= 1ull << (fid % 64);
	}
	for (; i < CHIP_MAX_CHILDREN; i++)
		if (h->child_func_ids[i] || h->child_offsets[i])
			return -EINVAL;
	return 0;
}

static int chipc_check_child(const struct chip_child_hdr *ch)
{
	int rc;

	rc = chipc_check_sig(ch->signature, ch->sig_count, CHIP_CORE_MAX_ARGS,
			     CHIP_CORE_MAX_ARGS);
	if (rc)
		return rc;
	if (ch->core_type != CHIP_CORE_AIC && ch->core_type != CHIP_CORE_AIV)
		return -EINVAL;
	if (ch->flags || ch->resolved_addr ||
	    !chipc_zero(ch->reserved, sizeof(ch->reserved)))
		return -EINVAL;
	return 0;
}

/**
 * chipc_callable_check() - validate a canonical callable image
 * @img: the image, a private copy, 8-byte aligned
 * @len: its length in bytes
 * @out: its layout (may be NULL)
 *
 * See chipc.h for the rules.  Nothing at or past @len is read.
 *
 * Return: 0; -EINVAL for a malformed image; -E2BIG when a count exceeds
 * its maximum; -EMSGSIZE when @len is shorter than the computed size.
 */
int chipc_callable_check(const void *img, u64 len, struct chipc_layout *out)
{
	const struct chip_callable_hdr *h = img;
	const u8 *b = img;
	u64 end, off;
	u32 i;
	int rc;

	if (!img)
		return -EINVAL;
	if (len < CHIP_CALLABLE_HDR_SIZE)
		return -EMSGSIZE;
	rc = chipc_check_hdr(h);
	if (rc)
		return rc;

	end = (u64)h->hdr_size + h->orch_size;
	for (i = 0; i < h->child_count; i++) {
		const struct chip_child_hdr *ch;

		off = h->child_offsets[i];
		if (!CHIPC_IS_ALIGNED(off, CHIP_CALLABLE_ALIGN) ||
		    off != CHIPC_ALIGN_UP(end, CHIP_CALLABLE_ALIGN))
			return -EINVAL;
		if (off + CHIP_CHILD_HDR_SIZE > len)
			return -EMSGSIZE;
		/* end <= off < len: the padding lies inside the image */
		if (!chipc_zero(b + end, off - end))
			return -EINVAL;
		ch = (const struct chip_child_hdr *)(b + off);
		rc = chipc_check_child(ch);
		if (rc)
			return rc;
		end = off + CHIP_CHILD_HDR_SIZE + ch->binary_size;
	}

	if (end > len)
		return -EMSGSIZE;
	if (end != h->total_size || end != len)
		return -EINVAL;

	if (out) {
		out->hdr_size = h->hdr_size;
		out->total_size = (u32)end;
		out->child_count = h->child_count;
		out->orch_size = h->orch_size;
	}
	return 0;
}

static u64 chipc_child_code_addr(const struct chip_callable_hdr *h, u32 i,
				 u64 base)
{
	return base + h->child_offsets[i] + CHIP_CHILD_HDR_SIZE;
}

/**
 * chipc_callable_patch() - patch a device copy's resolved addresses
 * @img: a copy of an image that passed chipc_callable_check()
 * @l: its layout
 * @base: device address of byte 0 of the device copy
 *
 * Sets every child's resolved_addr to the device address of its code,
 * @base + child_offsets[i] + CHIP_CHILD_HDR_SIZE.
 */
void chipc_callable_patch(void *img, const struct chipc_layout *l, u64 base)
{
	const struct chip_callable_hdr *h = img;
	u8 *b = img;
	u32 i;

	for (i = 0; i < l->child_count; i++) {
		struct chip_child_hdr *ch;

		ch = (struct chip_child_hdr *)(b + h->child_offsets[i]);
		ch->resolved_addr = chipc_child_code_addr(h, i, base);
	}
}

/**
 * chipc_callable_check_patched() - check a device copy's resolved addresses
 * @img: a device copy patched for @base
 * @l: its layout
 * @base: device address of byte 0 of the device copy
 *
 * Return: 0 if every child's resolved_addr equals its patched value,
 * -EINVAL otherwise.
 */
int chipc_callable_check_patched(const void *img, const struct chipc_layout *l,
				 u64 base)
{
	const struct chip_callable_hdr *h = img;
	u32 i;

	for (i = 0; i < l->child_count; i++)
		if (chipc_child(img, i)->resolved_addr !=
		    chipc_child_code_addr(h, i, base))
			return -EINVAL;
	return 0;
}

/**
 * chipc_callable_same() - compare a canonical image with a device copy
 * @canon: a canonical image that passed chipc_callable_check() with @l
 * @patched: a device copy of at least @l->total_size bytes
 * @l: the layout of @canon
 *
 * Every byte is compared except the resolved_addr fields of the children,
 * which must be zero in @canon.  @patched's header (and so its child
 * offsets) is part of the first compared segment.
 *
 * Return: true when both hold the same callable.
 */
bool chipc_callable_same(const void *canon, const void *patched,
			 const struct chipc_layout *l)
{
	const struct chip_callable_hdr *h = canon;
	const u8 *a = canon;
	const u8 *b = patched;
	u64 pos = 0;
	u32 i;

	for (i = 0; i < l->child_count; i++) {
		u64 ra = (u64)h->child_offsets[i] + CHIPC_RA_OFF;

		if (chipc_child(canon, i)->resolved_addr)
			return false;
		if (memcmp(a + pos, b + pos, (size_t)(ra - pos)))
			return false;
		pos = ra + sizeof(u64);
	}
	return memcmp(a + pos, b + pos, (size_t)(l->total_size - pos)) == 0;
}
