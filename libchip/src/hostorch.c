// SPDX-License-Identifier: MIT
/*
 * host_build_graph: load the host orchestration carried in a callable and
 * run it to build the task graph the device schedules.
 *
 * The shared object is loaded from memory: its bytes go into an anonymous
 * memfd that is dlopen()ed through /proc/self/fd, so nothing touches the
 * file system and nothing is left behind when the process dies.
 */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "internal.h"

#if defined(__x86_64__)
#define CHIP_ELF_MACHINE	EM_X86_64
#elif defined(__aarch64__)
#define CHIP_ELF_MACHINE	EM_AARCH64
#elif defined(__riscv)
#define CHIP_ELF_MACHINE	EM_RISCV
#else
#error "host orchestration loading: unknown ELF machine"
#endif

/* Is [off, off + len) inside @size bytes? */
static int in_image(uint64_t off, uint64_t len, size_t size)
{
	return off <= size && len <= size - off;
}

/*
 * Validate a shared object of @size bytes before the dynamic loader maps
 * it: the loader trusts the file, and a header or segment past the end
 * of a truncated image makes it fault.  Checks the ELF identification
 * (64-bit, this machine's byte order, version, type ET_DYN, machine),
 * that the program and section header tables lie inside the image, and
 * that every segment's file bytes do (PT_LOAD also: file size <= memory
 * size).  Fields are read by copy: the image may have any alignment.
 * Returns 0 or -ENOEXEC.
 */
static int elf_check(const unsigned char *p, size_t size)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	unsigned int i;

	if (size < sizeof(eh))
		return -ENOEXEC;
	memcpy(&eh, p, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ?
				    ELFDATA2LSB : ELFDATA2MSB) ||
	    eh.e_ident[EI_VERSION] != EV_CURRENT || eh.e_type != ET_DYN ||
	    eh.e_machine != CHIP_ELF_MACHINE ||
	    eh.e_ehsize != sizeof(eh) || eh.e_phentsize != sizeof(ph) ||
	    !eh.e_phnum)
		return -ENOEXEC;
	if (!in_image(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(ph), size))
		return -ENOEXEC;
	if (eh.e_shnum &&
	    (eh.e_shentsize != sizeof(Elf64_Shdr) ||
	     !in_image(eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr),
		       size)))
		return -ENOEXEC;
	for (i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, p + eh.e_phoff + (uint64_t)i * sizeof(ph),
		       sizeof(ph));
		if (ph.p_type == PT_NULL)
			continue;
		if (!in_image(ph.p_offset, ph.p_filesz, size))
			return -ENOEXEC;
		if (ph.p_type == PT_LOAD && ph.p_filesz > ph.p_memsz)
			return -ENOEXEC;
	}
	return 0;
}

int chip_host_load(const void *so, size_t size, const char *entry,
		   chip_host_orch_fn *fn, void **dl)
{
	const unsigned char *p = so;
	char path[64];
	size_t off = 0;
	void *h, *sym;
	int fd;

	*fn = NULL;
	*dl = NULL;
	if (!size || !entry || !entry[0] || elf_check(p, size))
		return -ENOEXEC;
	fd = memfd_create("chip-host-orch", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (off < size) {
		ssize_t n = write(fd, p + off, size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -EIO;
		}
		off += (size_t)n;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	close(fd);
	if (!h)
		return -ENOEXEC;
	sym = dlsym(h, entry);
	if (!sym) {
		dlclose(h);
		return -ENOEXEC;
	}
	memcpy(fn, &sym, sizeof(*fn));
	*dl = h;
	return 0;
}

void chip_host_unload(void *dl)
{
	if (dl)
		dlclose(dl);
}

struct gtask {
	int32_t func_id;
	uint32_t core_type;
	uint32_t nargs;
	struct chip_graph_arg args[CHIP_CORE_MAX_ARGS];
};

struct chip_graph {
	struct gtask *tasks;
	uint32_t ntasks, cap_tasks;
	struct chip_graph_edge *edges;
	uint32_t nedges, cap_edges;
	uint32_t nargs;
	uint64_t heap_va, heap_size, heap_top;
	int error;			/* first builder error, -errno */
};

static int g_fail(struct chip_graph *g, int err)
{
	if (!g->error)
		g->error = err;
	return err;
}

static int g_add_task(struct chip_graph *g, int32_t func_id, uint32_t core_type)
{
	struct gtask *t;

	if (func_id < 0 || func_id >= CHIP_MAX_FUNC_ID ||
	    (core_type != CHIP_CORE_AIC && core_type != CHIP_CORE_AIV))
		return g_fail(g, -EINVAL);
	if (g->ntasks == CHIP_GRAPH_MAX_TASKS)
		return g_fail(g, -E2BIG);
	if (g->ntasks == g->cap_tasks) {
		uint32_t cap = g->cap_tasks ? g->cap_tasks * 2 : 16;

		t = realloc(g->tasks, cap * sizeof(*t));
		if (!t)
			return g_fail(g, -ENOMEM);
		g->tasks = t;
		g->cap_tasks = cap;
	}
	t = &g->tasks[g->ntasks];
	t->func_id = func_id;
	t->core_type = core_type;
	t->nargs = 0;
	return (int)g->ntasks++;
}

static int g_add_arg(struct chip_graph *g, int task, uint64_t value,
		     uint64_t size, uint32_t dir)
{
	struct gtask *t;

	if (task < 0 || (uint32_t)task >= g->ntasks)
		return g_fail(g, -EINVAL);
	t = &g->tasks[task];
	if (t->nargs == CHIP_CORE_MAX_ARGS)
		return g_fail(g, -E2BIG);
	if (g->nargs == CHIP_GRAPH_MAX_ARGS)
		return g_fail(g, -E2BIG);
	t->args[t->nargs].value = value;
	t->args[t->nargs].size = size;
	t->args[t->nargs].dir = dir;
	t->args[t->nargs].pad = 0;
	t->nargs++;
	g->nargs++;
	return 0;
}

static int g_add_tensor(struct chip_graph *g, int task, uint64_t addr,
			uint64_t bytes, uint32_t dir)
{
	if (!bytes || dir < CHIP_DIR_IN || dir > CHIP_DIR_INOUT)
		return g_fail(g, -EINVAL);
	return g_add_arg(g, task, addr, bytes, dir);
}

static int g_add_scalar(struct chip_graph *g, int task, uint64_t value)
{
	return g_add_arg(g, task, value, 0, CHIP_DIR_SCALAR);
}

static int g_add_edge(struct chip_graph *g, int from, int to)
{
	struct chip_graph_edge *e;

	if (from < 0 || to < 0 || (uint32_t)from >= g->ntasks ||
	    (uint32_t)to >= g->ntasks || from == to)
		return g_fail(g, -EINVAL);
	if (g->nedges == CHIP_GRAPH_MAX_EDGES)
		return g_fail(g, -E2BIG);
	if (g->nedges == g->cap_edges) {
		uint32_t cap = g->cap_edges ? g->cap_edges * 2 : 16;

		e = realloc(g->edges, cap * sizeof(*e));
		if (!e)
			return g_fail(g, -ENOMEM);
		g->edges = e;
		g->cap_edges = cap;
	}
	g->edges[g->nedges].from = (uint32_t)from;
	g->edges[g->nedges].to = (uint32_t)to;
	g->nedges++;
	return 0;
}

static uint64_t g_alloc(struct chip_graph *g, uint64_t bytes)
{
	uint64_t off = (g->heap_top + 63) & ~63ull;

	if (!bytes || off > g->heap_size || bytes > g->heap_size - off)
		return 0;
	g->heap_top = off + bytes;
	return g->heap_va + off;
}

static const struct chip_graph_ops graph_ops = {
	.add_task = g_add_task,
	.add_tensor = g_add_tensor,
	.add_scalar = g_add_scalar,
	.add_edge = g_add_edge,
	.alloc = g_alloc,
};

static int encode(const struct chip_graph *g, void **blob, size_t *len)
{
	size_t n = 16 + 16 * (size_t)g->ntasks + 24 * (size_t)g->nargs +
		   8 * (size_t)g->nedges;
	struct chip_graph_hdr *h;
	struct chip_graph_task *t;
	struct chip_graph_arg *a;
	uint32_t i, first = 0;
	unsigned char *p;

	p = calloc(1, n);
	if (!p)
		return -ENOMEM;
	h = (struct chip_graph_hdr *)p;
	h->task_count = g->ntasks;
	h->arg_count = g->nargs;
	h->edge_count = g->nedges;
	h->heap_bytes = (uint32_t)g->heap_top;
	t = (struct chip_graph_task *)(p + 16);
	a = (struct chip_graph_arg *)(p + 16 + 16 * (size_t)g->ntasks);
	for (i = 0; i < g->ntasks; i++) {
		t[i].func_id = g->tasks[i].func_id;
		t[i].core_type = g->tasks[i].core_type;
		t[i].arg_first = first;
		t[i].arg_count = g->tasks[i].nargs;
		if (g->tasks[i].nargs)
			memcpy(&a[first], g->tasks[i].args,
			       g->tasks[i].nargs * sizeof(*a));
		first += g->tasks[i].nargs;
	}
	if (g->nedges)
		memcpy(p + 16 + 16 * (size_t)g->ntasks + 24 * (size_t)g->nargs,
		       g->edges, 8 * (size_t)g->nedges);
	*blob = p;
	*len = n;
	return 0;
}

int chip_host_build_graph(struct chip_dev *dev, chip_host_orch_fn fn,
			  const struct chip_args *args, void **blob,
			  size_t *len)
{
	struct chip_graph g = {
		.heap_va = dev->heap_va,
		.heap_size = dev->heap_size > 0xffffffffull ? 0xffffffffull :
			     dev->heap_size,
	};
	int rc;

	*blob = NULL;
	*len = 0;
	rc = fn(&graph_ops, &g, args);
	if (rc > 0)
		goto out;		/* orchestration error code */
	if (g.error == -ENOMEM) {
		rc = -ENOMEM;
		goto out;
	}
	/* A rejected builder call fails the run like a bad TASK would. */
	if (rc < 0 || g.error) {
		rc = CHIP_ORCH_INVALID_ARGS;
		goto out;
	}
	rc = encode(&g, blob, len);
out:
	free(g.tasks);
	free(g.edges);
	return rc;
}
