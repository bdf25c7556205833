# SPDX-License-Identifier: MIT
"""Constants of ``uapi/chip_callable.h`` and ``uapi/chip_isa.h``."""
from __future__ import annotations

from typing import Dict

# Platforms (the simulated variants share the value).
PLATFORM_A2A3 = 1
PLATFORM_A5 = 2
PLATFORMS: Dict[str, int] = {
    "a2a3": PLATFORM_A2A3, "a2a3sim": PLATFORM_A2A3,
    "a5": PLATFORM_A5, "a5sim": PLATFORM_A5,
}

# Runtimes.
RUNTIME_HOST_BUILD_GRAPH = 1
RUNTIME_TENSORMAP_AND_RINGBUFFER = 2

# Core types.
CORE_AIC = 0
CORE_AIV = 1
CORE_AICPU = 2

# Argument directions (signature bytes).
DIR_SCALAR = 0
DIR_IN = 1
DIR_OUT = 2
DIR_INOUT = 3

# Tensor element types: name -> (CHIP_DT_*, bytes).
DTYPES: Dict[str, tuple] = {
    "float32": (0, 4), "float16": (1, 2), "int32": (2, 4), "int16": (3, 2),
    "int8": (4, 1), "uint8": (5, 1), "bfloat16": (6, 2), "int64": (7, 8),
    "uint64": (8, 8), "uint16": (9, 2), "uint32": (10, 4),
}
DT_FLOAT32, DT_FLOAT16, DT_INT32, DT_INT16, DT_INT8, DT_UINT8, \
    DT_BFLOAT16, DT_INT64, DT_UINT64, DT_UINT16, DT_UINT32 = range(11)
DT_NAMES = {code: name for name, (code, _) in DTYPES.items()}

# Run status.
STATUS_OK = 0
STATUS_ORCH_ERROR = 1
STATUS_SCHED_ERROR = 2
STATUS_TIMEOUT = 3
STATUS_FAULT = 4
STATUS_INVALID = 5
STATUS_CANCELLED = 6
STATUS_DEVICE_LOST = 7
STATUS_COUNT = 8

# Fault and orchestration error codes.
FAULT_READ, FAULT_WRITE, FAULT_LOCAL, FAULT_ARG, FAULT_SHAPE = 1, 2, 3, 4, 5
ORCH_SCOPE, ORCH_HEAP, ORCH_FLOW, ORCH_DEP_POOL = 1, 2, 3, 4
ORCH_INVALID_ARGS, ORCH_DEP_OVERFLOW, ORCH_FATAL = 5, 6, 9

# Limits.
MAX_CIDS = 64
MAX_TENSOR_ARGS = 256
MAX_SCALAR_ARGS = 128
TENSOR_MAX_DIMS = 5
MAX_STORES = 16
BATCH_MAX = 256
