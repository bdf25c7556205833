# SPDX-License-Identifier: MIT
"""cffi declarations of libchip's public API and the library lookup.

ABI mode: the declarations below mirror ``libchip/include/chip/chip.h`` and
``uapi/chip_callable.h`` byte for byte (``tests/python/test_layout.py``
compiles the real headers and compares every size and offset), and the
shared library is opened with ``dlopen``.  No compiler is needed to install
or import the package.
"""
from __future__ import annotations

import ctypes.util
import os

from cffi import FFI

CDEF = r"""
struct chip_dev;

struct chip_open_opts {
	size_t sz;
	uint64_t gm_size;
	uint32_t workers;
	uint32_t ring_window;
	uint64_t heap_size;
	const char *node;
	uint32_t device;
	uint32_t pad;
};
int chip_open(const char *platform, const struct chip_open_opts *opts,
	      struct chip_dev **devp);
void chip_close(struct chip_dev *dev);

struct chip_info {
	uint32_t platform;
	uint32_t simulated;
	uint32_t max_blocks;
	uint32_t max_aicpu_threads;
	uint32_t aic_cores;
	uint32_t aiv_cores;
	uint32_t local_aic;
	uint32_t local_aiv;
	uint64_t gm_size;
	uint64_t heap_va;
	uint64_t heap_size;
	char name[16];
};
int chip_info(struct chip_dev *dev, struct chip_info *info);

int chip_malloc(struct chip_dev *dev, uint64_t size, uint64_t *addr);
int chip_free(struct chip_dev *dev, uint64_t addr);
int chip_copy_to(struct chip_dev *dev, uint64_t dst, const void *src,
		 uint64_t n);
int chip_copy_from(struct chip_dev *dev, void *dst, uint64_t src, uint64_t n);

struct chip_builder;
int chip_builder_new(uint32_t platform, uint32_t runtime,
		     struct chip_builder **bp);
void chip_builder_free(struct chip_builder *b);
int chip_builder_set_orch(struct chip_builder *b, const void *bin, size_t size,
			  const char *func_name, const char *config_name,
			  const uint8_t *sig, uint32_t nsig);
int chip_builder_add_child(struct chip_builder *b, int32_t func_id,
			   uint32_t core_type, const uint8_t *sig,
			   uint32_t nsig, const void *code, size_t size);
int chip_builder_build(struct chip_builder *b, void **img, size_t *len);

struct chip_layout {
	uint32_t hdr_size;
	uint32_t total_size;
	uint64_t hash;
	uint32_t child_count;
	uint32_t orch_size;
};
int chip_callable_layout(const void *img, size_t len, struct chip_layout *l);
int chip_asm(const char *text, void **code, size_t *size, char *err,
	     size_t errlen);

struct chip_tensor_arg {
	uint64_t addr;
	uint32_t shape[5];
	uint32_t ndims;
	uint8_t dtype;
	uint8_t flags;
	uint8_t pad[6];
};
struct chip_args {
	uint32_t tensor_count;
	uint32_t scalar_count;
	struct chip_tensor_arg tensors[256];
	uint64_t scalars[128];
};

struct chip_graph;
struct chip_graph_ops {
	int (*add_task)(struct chip_graph *g, int32_t func_id,
			uint32_t core_type);
	int (*add_tensor)(struct chip_graph *g, int task, uint64_t addr,
			  uint64_t bytes, uint32_t dir);
	int (*add_scalar)(struct chip_graph *g, int task, uint64_t value);
	int (*add_edge)(struct chip_graph *g, int from, int to);
	uint64_t (*alloc)(struct chip_graph *g, uint64_t bytes);
};
typedef int (*chip_host_orch_fn)(const struct chip_graph_ops *ops,
				 struct chip_graph *g,
				 const struct chip_args *args);
struct chip_register_opts {
	size_t sz;
	chip_host_orch_fn host_orch;
};
int chip_register(struct chip_dev *dev, int32_t cid, const void *img,
		  size_t len, const struct chip_register_opts *opts);
int chip_unregister(struct chip_dev *dev, int32_t cid);

void chip_args_init(struct chip_args *a);
int chip_args_add_tensor(struct chip_args *a, uint64_t addr, uint32_t dtype,
			 uint32_t ndims, const uint32_t *shape);
int chip_args_add_scalar(struct chip_args *a, uint64_t value);

struct chip_store {
	uint64_t dev_addr;
	void *host;
	uint64_t size;
};
struct chip_load {
	uint64_t dev_addr;
	const void *host;
	uint64_t size;
};
struct chip_timeline;
struct chip_run_opts {
	size_t sz;
	uint32_t block_dim;
	uint32_t aicpu_threads;
	uint64_t timeout_ns;
	uint64_t insn_budget;
	const struct chip_store *stores;
	uint32_t nstores;
	const struct chip_load *loads;
	uint32_t nloads;
	struct chip_timeline *timeline;
	uint32_t timeline_cap;
	const int *in_fence_fds;
	uint32_t nin_fences;
	uint32_t flags;
};
struct chip_run_result {
	uint64_t seq;
	uint32_t status;
	int32_t code;
	uint64_t fault_addr;
	uint64_t tasks;
	uint64_t insns;
	uint64_t device_ns;
	char msg[96];
};
int chip_run(struct chip_dev *dev, int32_t cid, const struct chip_args *args,
	     const struct chip_run_opts *opts, struct chip_run_result *res);
int chip_submit(struct chip_dev *dev, int32_t cid,
		const struct chip_args *args, const struct chip_run_opts *opts,
		uint64_t *seq);
struct chip_batch_run {
	int32_t cid;
	int32_t ret;
	const struct chip_args *args;
	const struct chip_run_opts *opts;
	uint64_t seq;
};
int chip_submit_batch(struct chip_dev *dev, struct chip_batch_run *runs,
		      int n);
int chip_wait(struct chip_dev *dev, uint64_t seq, uint64_t deadline_ns,
	      struct chip_run_result *res);
int chip_reap(struct chip_dev *dev, struct chip_run_result *out, int max,
	      int min, uint64_t deadline_ns);
const char *chip_status_str(uint32_t status);
uint64_t chip_now_ns(void);

struct chip_counters {
	uint64_t orch_loads;
	uint64_t host_loads;
	uint64_t dedup_hits;
	uint64_t dedup_misses;
	uint64_t resident_bytes;
	uint64_t resident_callables;
	uint64_t registered;
	uint64_t runs[8];
	uint64_t gm_used;
};
int chip_counters(struct chip_dev *dev, struct chip_counters *c);
int chip_debug_set_hash_mask(struct chip_dev *dev, uint64_t mask);

void free(void *);
"""

#: Structs whose layout the test suite checks against the C headers.
STRUCTS = (
    "chip_open_opts", "chip_info", "chip_layout", "chip_tensor_arg",
    "chip_args", "chip_graph_ops", "chip_register_opts", "chip_store",
    "chip_load", "chip_run_opts", "chip_run_result", "chip_batch_run", "chip_counters",
)

#: The SONAME of the installed library.
SONAME = "libchip.so.0"

_TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def find_libchip() -> str:
    """Return the path (or bare SONAME) of the libchip shared library.

    In order: ``$CHIP_LIBCHIP`` (a path), the build tree next to this
    package (``build/libchip.so.0``, then ``build/libchip.so``), the
    system library path (``ctypes.util.find_library("chip")``, else the
    SONAME for the dynamic loader to resolve).
    """
    env = os.environ.get("CHIP_LIBCHIP")
    if env:
        return env
    if os.path.isdir(os.path.join(_TOP, "libchip", "include")):
        for name in (SONAME, "libchip.so"):
            path = os.path.join(_TOP, "build", name)
            if os.path.exists(path):
                return path
    return ctypes.util.find_library("chip") or SONAME


ffi = FFI()
ffi.cdef(CDEF)
LIBCHIP_PATH = find_libchip()
try:
    lib = ffi.dlopen(LIBCHIP_PATH)
except OSError as e:
    raise ImportError(
        f"chip: cannot load libchip ({LIBCHIP_PATH}): build it (make), "
        f"install it (make install) or set CHIP_LIBCHIP to its path: {e}"
    ) from e
