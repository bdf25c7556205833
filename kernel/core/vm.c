// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A context's device address space: a fixed-capacity array of mappings
 * sorted by device address, searched by bisection.  Mappings never
 * overlap and never wrap around the end of the address space.
 */
#include "chipc.h"

/* Index of the first mapping with va > @va (the count if none). */
static u32 chipc_vm_upper(const struct chipc_vm *vm, u64 va)
{
	u32 lo = 0, hi = vm->count;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (vm->maps[mid].va <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Last byte of a mapping; size is non-zero and va + size does not wrap. */
static u64 chipc_map_last(const struct chipc_map *m)
{
	return m->va + (m->size - 1);
}

/**
 * chipc_vm_init() - set up an empty address space
 * @vm: the address space
 * @max_maps: capacity in mappings, at least 1
 *
 * Return: 0; -EINVAL for a zero or oversized capacity; -ENOMEM.
 */
int chipc_vm_init(struct chipc_vm *vm, u32 max_maps)
{
	u64 bytes = (u64)max_maps * sizeof(struct chipc_map);

	vm->maps = NULL;
	vm->count = 0;
	vm->cap = 0;
	if (!max_maps || bytes > (u64)SIZE_MAX)
		return -EINVAL;
	vm->maps = chipc_zalloc((size_t)bytes);
	if (!vm->maps)
		return -ENOMEM;
	vm->cap = max_maps;
	return 0;
}

/**
 * chipc_vm_fini() - free an address space's mapping array
 * @vm: the address space; it is left empty, and fini may be repeated
 */
void chipc_vm_fini(struct chipc_vm *vm)
{
	if (vm->maps)
		chipc_free(vm->maps);
	vm->maps = NULL;
	vm->count = 0;
	vm->cap = 0;
}

/**
 * chipc_vm_insert() - add a mapping
 * @vm: the address space
 * @m: the mapping, copied
 *
 * Return: 0; -EINVAL for size 0 or a range that wraps past 2^64;
 * -EEXIST if it overlaps an existing mapping; -ENOSPC when full.
 */
int chipc_vm_insert(struct chipc_vm *vm, const struct chipc_map *m)
{
	u32 pos, i;

	if (!m->size || m->size - 1 > ~0ull - m->va)
		return -EINVAL;
	pos = chipc_vm_upper(vm, m->va);
	if (pos > 0 && chipc_map_last(&vm->maps[pos - 1]) >= m->va)
		return -EEXIST;
	if (pos < vm->count && chipc_map_last(m) >= vm->maps[pos].va)
		return -EEXIST;
	if (vm->count >= vm->cap)
		return -ENOSPC;
	for (i = vm->count; i > pos; i--)
		vm->maps[i] = vm->maps[i - 1];
	vm->maps[pos] = *m;
	vm->count++;
	return 0;
}

/**
 * chipc_vm_remove() - remove the mapping that starts at @va
 * @vm: the address space
 * @va: its start address
 * @out: receives the removed mapping (may be NULL)
 *
 * Return: 0; -ENOENT if no mapping starts at @va.
 */
int chipc_vm_remove(struct chipc_vm *vm, u64 va, struct chipc_map *out)
{
	u32 pos = chipc_vm_upper(vm, va);
	u32 i;

	if (!pos || vm->maps[pos - 1].va != va)
		return -ENOENT;
	pos--;
	if (out)
		*out = vm->maps[pos];
	for (i = pos; i + 1 < vm->count; i++)
		vm->maps[i] = vm->maps[i + 1];
	vm->count--;
	memset(&vm->maps[vm->count], 0, sizeof(vm->maps[vm->count]));
	return 0;
}

/**
 * chipc_vm_find() - the mapping that starts exactly at @va
 * @vm: the address space
 * @va: start address
 *
 * Return: the mapping or NULL.
 */
const struct chipc_map *chipc_vm_find(const struct chipc_vm *vm, u64 va)
{
	u32 pos = chipc_vm_upper(vm, va);

	if (!pos || vm->maps[pos - 1].va != va)
		return NULL;
	return &vm->maps[pos - 1];
}

/**
 * chipc_vm_translate() - host view of a device range
 * @vm: the address space
 * @va: first device address
 * @len: length in bytes
 * @prot: CHIPC_PROT_* bits the access needs
 *
 * Return: the host pointer for @va if [@va, @va + @len) lies inside one
 * mapping whose protection includes @prot; NULL for len 0, a range that
 * wraps, or anything else.
 */
u8 *chipc_vm_translate(const struct chipc_vm *vm, u64 va, u64 len, u32 prot)
{
	const struct chipc_map *m;
	u32 pos;
	u64 delta;

	if (!len || len - 1 > ~0ull - va)
		return NULL;
	pos = chipc_vm_upper(vm, va);
	if (!pos)
		return NULL;
	m = &vm->maps[pos - 1];
	delta = va - m->va;
	if (delta >= m->size || len > m->size - delta)
		return NULL;
	if ((m->prot & prot) != prot)
		return NULL;
	return m->host + delta;
}
