# SPDX-License-Identifier: MIT
"""The project's sample device programs and workloads, for examples,
tests and benchmarks.

The ISA texts are those of ``tests/common/programs.h`` (the test suite
checks that they stay identical); :func:`build` makes the callables of the
C helpers' ``ct_build()`` for either runtime.  host_build_graph callables
carry the host orchestration shared object
``tools/examples/orch/host_orch.so`` (``$CHIP_ORCH_SO``, else the build
tree).
"""
from __future__ import annotations

import os
from typing import Dict, Optional, Tuple, Union

from . import constants as C
from .builder import Builder, assemble

# flake8: noqa: E501

VEC_ADD = (
    '; out[i] = a[i] (tadd) b[i]; args a, b, out\n'
    '\targ r1, 0\t\t; a\n'
    '\targ r2, 1\t\t; b\n'
    '\targ r3, 2\t\t; out\n'
    '\tasize r4, 2\n'
    '\tshri r4, r4, 2\t\t; n = elements left\n'
    '\tli r5, 2048\t\t; chunk\n'
    '\tli r6, 0\t\t; local: a tile\n'
    '\tli r7, 8192\t\t; local: b tile\n'
    'loop:\n'
    '\tbeq r4, r0, done\t; r0 is always 0\n'
    '\tmov r9, r4\n'
    '\tbgeu r5, r4, go\t\t; last chunk: the remainder\n'
    '\tmov r9, r5\n'
    'go:\n'
    '\tsetvl r9\n'
    '\ttld r6, r1\n'
    '\ttld r7, r2\n'
    '\ttadd r6, r6, r7\n'
    '\ttst r3, r6\n'
    '\tshli r10, r9, 2\t\t; bytes\n'
    '\tadd r1, r1, r10\n'
    '\tadd r2, r2, r10\n'
    '\tadd r3, r3, r10\n'
    '\tsub r4, r4, r9\n'
    '\tjmp loop\n'
    'done:\n'
    '\thalt\n'
)

VEC_ADD_SCALAR = (
    '; vec_add_scalar: out[i] = in[i] + s; args in, out, scalar f32 s\n'
    '\targ r1, 0\t\t; in\n'
    '\targ r3, 1\t\t; out\n'
    '\targ r8, 2\t\t; s\n'
    '\tasize r4, 1\n'
    '\tshri r4, r4, 2\t\t; n = elements left\n'
    '\tli r5, 2048\t\t; chunk\n'
    '\tli r6, 0\t\t; local tile\n'
    'loop:\n'
    '\tbeq r4, r0, done\n'
    '\tmov r9, r4\n'
    '\tbgeu r5, r4, go\n'
    '\tmov r9, r5\n'
    'go:\n'
    '\tsetvl r9\n'
    '\ttld r6, r1\n'
    '\ttadds r6, r6, r8\n'
    '\ttst r3, r6\n'
    '\tshli r10, r9, 2\n'
    '\tadd r1, r1, r10\n'
    '\tadd r3, r3, r10\n'
    '\tsub r4, r4, r9\n'
    '\tjmp loop\n'
    'done:\n'
    '\thalt\n'
)

VEC_MUL = (
    '; out[i] = a[i] (tmul) b[i]; args a, b, out\n'
    '\targ r1, 0\t\t; a\n'
    '\targ r2, 1\t\t; b\n'
    '\targ r3, 2\t\t; out\n'
    '\tasize r4, 2\n'
    '\tshri r4, r4, 2\t\t; n = elements left\n'
    '\tli r5, 2048\t\t; chunk\n'
    '\tli r6, 0\t\t; local: a tile\n'
    '\tli r7, 8192\t\t; local: b tile\n'
    'loop:\n'
    '\tbeq r4, r0, done\t; r0 is always 0\n'
    '\tmov r9, r4\n'
    '\tbgeu r5, r4, go\t\t; last chunk: the remainder\n'
    '\tmov r9, r5\n'
    'go:\n'
    '\tsetvl r9\n'
    '\ttld r6, r1\n'
    '\ttld r7, r2\n'
    '\ttmul r6, r6, r7\n'
    '\ttst r3, r6\n'
    '\tshli r10, r9, 2\t\t; bytes\n'
    '\tadd r1, r1, r10\n'
    '\tadd r2, r2, r10\n'
    '\tadd r3, r3, r10\n'
    '\tsub r4, r4, r9\n'
    '\tjmp loop\n'
    'done:\n'
    '\thalt\n'
)

MATMUL = (
    '; matmul (AIC): C[M x N] = A[M x K] * B[K x N], 32 x 32 blocks\n'
    '; args: A, B, C, scalars M, K, N (multiples of 32)\n'
    '\targ r1, 0\t\t; A\n'
    '\targ r2, 1\t\t; B\n'
    '\targ r3, 2\t\t; C\n'
    '\targ r4, 3\t\t; M\n'
    '\targ r5, 4\t\t; K\n'
    '\targ r6, 5\t\t; N\n'
    '\tli r13, 32\n'
    '\tshape r13, r13, r13\n'
    '\tli r14, 1024\n'
    '\tsetvl r14\t\t; one 32 x 32 tile, for tfill\n'
    '\tli r10, 8192\t\t; local: C tile (A at 0, B at 4096)\n'
    '\tli r7, 0\t\t; i\n'
    'iloop:\n'
    '\tbgeu r7, r4, done\n'
    '\tli r8, 0\t\t; j\n'
    'jloop:\n'
    '\tbgeu r8, r6, inext\n'
    '\ttfill r10, r0\t\t; C tile = +0.0\n'
    '\tli r9, 0\t\t; p\n'
    'ploop:\n'
    '\tbgeu r9, r5, pdone\n'
    '\tmul r11, r7, r5\t\t; A + (i * K + p) * 4\n'
    '\tadd r11, r11, r9\n'
    '\tshli r11, r11, 2\n'
    '\tadd r11, r11, r1\n'
    '\tli r12, 0\n'
    '\ttld2 r12, r11, r5\n'
    '\tmul r11, r9, r6\t\t; B + (p * N + j) * 4\n'
    '\tadd r11, r11, r8\n'
    '\tshli r11, r11, 2\n'
    '\tadd r11, r11, r2\n'
    '\tli r12, 4096\n'
    '\ttld2 r12, r11, r6\n'
    '\tli r11, 0\n'
    '\ttmma r10, r11, r12\t; C += A * B\n'
    '\tadd r9, r9, r13\n'
    '\tjmp ploop\n'
    'pdone:\n'
    '\tmul r11, r7, r6\t\t; C + (i * N + j) * 4\n'
    '\tadd r11, r11, r8\n'
    '\tshli r11, r11, 2\n'
    '\tadd r11, r11, r3\n'
    '\ttst2 r11, r10, r6\n'
    '\tadd r8, r8, r13\n'
    '\tjmp jloop\n'
    'inext:\n'
    '\tadd r7, r7, r13\n'
    '\tjmp iloop\n'
    'done:\n'
    '\thalt\n'
)

SPIN = (
    '; spin (AIC): never halts\n'
    'spin:\n'
    '\tjmp spin\n'
)

NULL_KERNEL = (
    '\thalt\n'
)

ORCH_NULL = (
    '\thalt\n'
)

ORCH_FATAL = (
    '\tfatal 9\n'
)

ORCH_VECTOR = (
    '; f = (a + b + 1) * (a + b + 2) + (a + b); args: tensors a, b, f\n'
    '; func 0: vec_add, func 1: vec_add_scalar, func 2: vec_mul\n'
    '\targ r1, 0\t\t; a\n'
    '\targ r2, 1\t\t; b\n'
    '\targ r3, 2\t\t; f\n'
    '\tasize r4, 2\t\t; bytes of every tensor\n'
    '\talloc r5, r4\t\t; c\n'
    '\ttask 0, aiv\t\t; t0: c = a + b\n'
    '\tttens r1, r4, in\n'
    '\tttens r2, r4, in\n'
    '\tttens r5, r4, out\n'
    '\tsubmit r15\n'
    '\tscope\n'
    '\talloc r6, r4\t\t; d\n'
    '\talloc r7, r4\t\t; e\n'
    '\talloc r8, r4\t\t; g\n'
    '\tlif r9, 1.0\n'
    '\ttask 1, aiv\t\t; t1: d = c + 1\n'
    '\tttens r5, r4, in\n'
    '\tttens r6, r4, out\n'
    '\ttscal r9\n'
    '\tsubmit r15\n'
    '\tlif r9, 2.0\n'
    '\ttask 1, aiv\t\t; t2: e = c + 2\n'
    '\tttens r5, r4, in\n'
    '\tttens r7, r4, out\n'
    '\ttscal r9\n'
    '\tsubmit r15\n'
    '\ttask 2, aiv\t\t; t3: g = d * e\n'
    '\tttens r6, r4, in\n'
    '\tttens r7, r4, in\n'
    '\tttens r8, r4, out\n'
    '\tsubmit r15\n'
    '\ttask 0, aiv\t\t; t4: f = g + c\n'
    '\tttens r8, r4, in\n'
    '\tttens r5, r4, in\n'
    '\tttens r3, r4, out\n'
    '\tsubmit r15\n'
    '\tendscope\n'
    '\thalt\n'
)

ORCH_MATMUL = (
    '; args: tensors A, B, C, scalars M, K, N; func 0: matmul (AIC)\n'
    '\targ r1, 0\n'
    '\targ r2, 1\n'
    '\targ r3, 2\n'
    '\targ r4, 3\t\t; M\n'
    '\targ r5, 4\t\t; K\n'
    '\targ r6, 5\t\t; N\n'
    '\tasize r7, 0\n'
    '\tasize r8, 1\n'
    '\tasize r9, 2\n'
    '\ttask 0, aic\n'
    '\tttens r1, r7, in\n'
    '\tttens r2, r8, in\n'
    '\tttens r3, r9, out\n'
    '\ttscal r4\n'
    '\ttscal r5\n'
    '\ttscal r6\n'
    '\tsubmit r15\n'
    '\thalt\n'
)

ORCH_SPIN = (
    '; func 0: spin (AIC)\n'
    '\ttask 0, aic\n'
    '\tsubmit r15\n'
    '\thalt\n'
)

ORCH_MANY = (
    '; args: scalar N; N tasks of func 0 (null kernel, AIV)\n'
    '\targ r1, 0\n'
    '\tli r2, 0\n'
    'loop:\n'
    '\tbgeu r2, r1, done\n'
    '\ttask 0, aiv\n'
    '\tsubmit r15\n'
    '\taddi r2, r2, 1\n'
    '\tjmp loop\n'
    'done:\n'
    '\thalt\n'
)

#: Workloads: name -> (orchestration program, host entry symbol,
#: children as (func_id, core type, program)).  Every signature is
#: (in, in, out), as in ct_build().
WORKLOADS: Dict[str, Tuple[str, str, Tuple[Tuple[int, int, str], ...]]] = {
    "vector": (ORCH_VECTOR, "vector_orch", (
        (0, C.CORE_AIV, VEC_ADD), (1, C.CORE_AIV, VEC_ADD_SCALAR),
        (2, C.CORE_AIV, VEC_MUL))),
    "null": (ORCH_NULL, "null_orch", ((0, C.CORE_AIV, NULL_KERNEL),)),
    "fatal": (ORCH_FATAL, "fatal_orch", ()),
    "matmul": (ORCH_MATMUL, "matmul_orch", ((0, C.CORE_AIC, MATMUL),)),
    "spin": (ORCH_SPIN, "spin_orch", ((0, C.CORE_AIC, SPIN),)),
    "many": (ORCH_MANY, "many_orch", ((0, C.CORE_AIV, NULL_KERNEL),)),
}

_TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_so_cache: Dict[str, bytes] = {}
_code_cache: Dict[str, bytes] = {}


def host_orch_path() -> str:
    """Where the host orchestration shared object is looked for."""
    env = os.environ.get("CHIP_ORCH_SO")
    if env:
        return env
    return os.path.join(_TOP, "build", "tools", "examples", "orch",
                        "host_orch.so")


def _asm(text: str) -> bytes:
    code = _code_cache.get(text)
    if code is None:
        code = _code_cache[text] = assemble(text)
    return code


def build(work: str, platform: Union[str, int] = "a2a3sim",
          runtime: int = C.RUNTIME_TENSORMAP_AND_RINGBUFFER,
          host_so: Optional[str] = None) -> bytes:
    """The callable image of workload ``work`` (a key of
    :data:`WORKLOADS`) for ``platform`` and ``runtime``."""
    orch, entry, children = WORKLOADS[work]
    sig = (C.DIR_IN, C.DIR_IN, C.DIR_OUT)
    with Builder(platform, runtime) as b:
        if runtime == C.RUNTIME_HOST_BUILD_GRAPH:
            path = host_so or host_orch_path()
            so = _so_cache.get(path)
            if so is None:
                with open(path, "rb") as f:
                    so = _so_cache[path] = f.read()
            b.set_orch(so, entry, None, sig)
        else:
            b.set_orch(_asm(orch), "orch", None, sig)
        for func_id, core, text in children:
            b.add_child(func_id, core, _asm(text), sig)
        return b.build()


def vector_ref(a, b):
    """The vector example's reference, f = (a+b+1)*(a+b+2)+(a+b), in
    float32 as the device computes it (one rounding per operation)."""
    import numpy as np
    one, two = np.float32(1), np.float32(2)
    c = np.float32(a) + np.float32(b)
    return (c + one) * (c + two) + c
