// SPDX-License-Identifier: MIT
/*
 * The callable builder and the layout/patch helpers of the public API.
 *
 * chip_builder_build() produces the canonical image the device accepts
 * (see uapi/chip_callable.h): zero-filled, the orchestration binary at
 * hdr_size, children in insertion order at 64-byte aligned absolute
 * offsets, names NUL-padded, every resolved_addr zero.  The same inputs
 * always give the same bytes, so identical callables deduplicate across
 * processes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "chip/chip.h"
#include "chipc.h"
#include "internal.h"

struct chip_builder_child {
	int32_t func_id;
	uint32_t core_type;
	uint8_t sig[CHIP_CORE_MAX_ARGS];
	uint32_t nsig;
	uint8_t *code;
	uint32_t size;
};

struct chip_builder {
	uint32_t platform;
	uint32_t runtime;
	uint8_t *orch;
	uint32_t orch_size;
	char func_name[CHIP_NAME_MAX];
	char config_name[CHIP_NAME_MAX];
	uint8_t sig[CHIP_MAX_TENSOR_ARGS];
	uint32_t nsig;
	struct chip_builder_child *children;
	uint32_t nchildren;
	uint32_t cap;
	uint8_t used[CHIP_MAX_FUNC_ID];
};

static int check_sig(const uint8_t *sig, uint32_t nsig, uint32_t max)
{
	uint32_t i;

	if (nsig > max)
		return -E2BIG;
	if (nsig && !sig)
		return -EINVAL;
	for (i = 0; i < nsig; i++)
		if (sig[i] > CHIP_DIR_INOUT)
			return -EINVAL;
	return 0;
}

static int check_name(const char *name)
{
	return !name || strnlen(name, CHIP_NAME_MAX) < CHIP_NAME_MAX ?
	       0 : -EINVAL;
}

/* A malloc'd copy of @size bytes (NULL, 0 for an empty buffer). */
static int dup_bytes(const void *src, size_t size, uint8_t **out)
{
	*out = NULL;
	if (!size)
		return 0;
	if (!src)
		return -EINVAL;
	if (size > UINT32_MAX)
		return -E2BIG;
	*out = malloc(size);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, src, size);
	return 0;
}

int chip_builder_new(uint32_t platform, uint32_t runtime,
		     struct chip_builder **bp)
{
	struct chip_builder *b;

	if (!bp)
		return -EINVAL;
	*bp = NULL;
	if (!chipc_platform_get(platform))
		return -EINVAL;
	if (runtime != CHIP_RUNTIME_HOST_BUILD_GRAPH &&
	    runtime != CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER)
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->platform = platform;
	b->runtime = runtime;
	*bp = b;
	return 0;
}

void chip_builder_free(struct chip_builder *b)
{
	uint32_t i;

	if (!b)
		return;
	for (i = 0; i < b->nchildren; i++)
		free(b->children[i].code);
	free(b->children);
	free(b->orch);
	free(b);
}

int chip_builder_set_orch(struct chip_builder *b, const void *bin, size_t size,
			  const char *func_name, const char *config_name,
			  const uint8_t *sig, uint32_t nsig)
{
	uint8_t *copy;
	int rc;

	if (!b)
		return -EINVAL;
	if (check_name(func_name) || check_name(config_name))
		return -EINVAL;
	rc = check_sig(sig, nsig, CHIP_MAX_TENSOR_ARGS);
	if (rc)
		return rc;
	rc = dup_bytes(bin, size, &copy);
	if (rc)
		return rc;

	free(b->orch);
	b->orch = copy;
	b->orch_size = (uint32_t)size;
	memset(b->func_name, 0, sizeof(b->func_name));
	memset(b->config_name, 0, sizeof(b->config_name));
	if (func_name)
		memcpy(b->func_name, func_name, strlen(func_name));
	if (config_name)
		memcpy(b->config_name, config_name, strlen(config_name));
	memset(b->sig, 0, sizeof(b->sig));
	if (nsig)
		memcpy(b->sig, sig, nsig);
	b->nsig = nsig;
	return 0;
}

int chip_builder_add_child(struct chip_builder *b, int32_t func_id,
			   uint32_t core_type, const uint8_t *sig,
			   uint32_t nsig, const void *code, size_t size)
{
	struct chip_builder_child *c;
	int rc;

	if (!b)
		return -EINVAL;
	if (func_id < 0 || func_id >= CHIP_MAX_FUNC_ID)
		return -EINVAL;
	if (core_type != CHIP_CORE_AIC && core_type != CHIP_CORE_AIV)
		return -EINVAL;
	rc = check_sig(sig, nsig, CHIP_CORE_MAX_ARGS);
	if (rc)
		return rc;
	if (size && !code)
		return -EINVAL;
	if (size > UINT32_MAX)
		return -E2BIG;
	if (b->used[func_id])
		return -EEXIST;
	if (b->nchildren >= CHIP_MAX_CHILDREN)
		return -E2BIG;

	if (b->nchildren == b->cap) {
		uint32_t cap = b->cap ? b->cap * 2 : 8;
		struct chip_builder_child *n;

		if (cap > CHIP_MAX_CHILDREN)
			cap = CHIP_MAX_CHILDREN;
		n = realloc(b->children, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		b->children = n;
		b->cap = cap;
	}
	c = &b->children[b->nchildren];
	memset(c, 0, sizeof(*c));
	rc = dup_bytes(code, size, &c->code);
	if (rc)
		return rc;
	c->func_id = func_id;
	c->core_type = core_type;
	c->size = (uint32_t)size;
	c->nsig = nsig;
	if (nsig)
		memcpy(c->sig, sig, nsig);
	b->used[func_id] = 1;
	b->nchildren++;
	return 0;
}

int chip_builder_build(struct chip_builder *b, void **img, size_t *len)
{
	struct chip_callable_hdr *h;
	uint64_t end, off[CHIP_MAX_CHILDREN];
	uint8_t *p;
	uint32_t i;

	if (!b || !img || !len)
		return -EINVAL;
	*img = NULL;
	*len = 0;

	end = (uint64_t)CHIP_CALLABLE_HDR_SIZE + b->orch_size;
	for (i = 0; i < b->nchildren; i++) {
		off[i] = CHIPC_ALIGN_UP(end, (uint64_t)CHIP_CALLABLE_ALIGN);
		end = off[i] + CHIP_CHILD_HDR_SIZE + b->children[i].size;
	}
	/* Offsets and the total size are 32-bit fields. */
	if (end > UINT32_MAX)
		return -E2BIG;

	p = calloc(1, end);
	if (!p)
		return -ENOMEM;
	h = (struct chip_callable_hdr *)p;
	h->magic = CHIP_CALLABLE_MAGIC;
	h->version = CHIP_CALLABLE_VERSION;
	h->hdr_size = CHIP_CALLABLE_HDR_SIZE;
	h->total_size = (uint32_t)end;
	h->platform = (uint16_t)b->platform;
	h->runtime = (uint16_t)b->runtime;
	h->sig_count = b->nsig;
	h->orch_size = b->orch_size;
	h->func_name_len = (uint32_t)strlen(b->func_name);
	h->config_name_len = (uint32_t)strlen(b->config_name);
	h->child_count = b->nchildren;
	memcpy(h->func_name, b->func_name, sizeof(h->func_name));
	memcpy(h->config_name, b->config_name, sizeof(h->config_name));
	memcpy(h->signature, b->sig, sizeof(h->signature));
	if (b->orch_size)
		memcpy(p + CHIP_CALLABLE_HDR_SIZE, b->orch, b->orch_size);

	for (i = 0; i < b->nchildren; i++) {
		const struct chip_builder_child *c = &b->children[i];
		struct chip_child_hdr *ch;

		h->child_func_ids[i] = c->func_id;
		h->child_offsets[i] = (uint32_t)off[i];
		ch = (struct chip_child_hdr *)(p + off[i]);
		memcpy(ch->signature, c->sig, sizeof(ch->signature));
		ch->sig_count = c->nsig;
		ch->binary_size = c->size;
		ch->core_type = c->core_type;
		if (c->size)
			memcpy(p + off[i] + CHIP_CHILD_HDR_SIZE, c->code,
			       c->size);
	}
	*img = p;
	*len = (size_t)end;
	return 0;
}

/*
 * The core reads the image through its structs: hand it an 8-byte aligned
 * copy when the caller's buffer is not.
 */
static const void *aligned_view(const void *img, size_t len, void **tmp)
{
	*tmp = NULL;
	if (!((uintptr_t)img & 7))
		return img;
	*tmp = malloc(len ? len : 1);
	if (*tmp)
		memcpy(*tmp, img, len);
	return *tmp;
}

int chip_image_check(const void *img, size_t len, struct chipc_layout *cl)
{
	const void *v;
	void *tmp;
	int rc;

	v = aligned_view(img, len, &tmp);
	if (!v)
		return -ENOMEM;
	rc = chipc_callable_check(v, len, cl);
	free(tmp);
	return rc;
}

int chip_callable_layout(const void *img, size_t len, struct chip_layout *l)
{
	struct chipc_layout cl;
	int rc;

	if (!img || !l)
		return -EINVAL;
	rc = chip_image_check(img, len, &cl);
	if (rc)
		return rc;
	l->hdr_size = cl.hdr_size;
	l->total_size = cl.total_size;
	/* The reference runtime's content hash, for its tooling. */
	l->hash = chipc_fnv1a64(img, cl.total_size);
	l->child_count = cl.child_count;
	l->orch_size = cl.orch_size;
	return 0;
}

int chip_callable_patch(const void *img, size_t len, uint64_t base, void *out)
{
	struct chipc_layout cl;
	void *tmp;
	int rc;

	if (!img || !out)
		return -EINVAL;
	if (!CHIPC_IS_ALIGNED(base, (uint64_t)CHIP_CALLABLE_ALIGN))
		return -EINVAL;
	tmp = malloc(len ? len : 1);
	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, img, len);
	rc = chipc_callable_check(tmp, len, &cl);
	if (!rc && base > UINT64_MAX - cl.total_size)
		rc = -EINVAL;
	if (!rc) {
		chipc_callable_patch(tmp, &cl, base);
		memcpy(out, tmp, len);
	}
	free(tmp);
	return rc;
}
