# SPDX-License-Identifier: MIT
"""The cffi declarations match the C headers: every struct's size and
every member's offset, as the C compiler lays them out."""
import os
import shutil
import subprocess

import pytest

from chip._ffi import STRUCTS, ffi
from conftest import TOP

CC = os.environ.get("CC", "cc")


def members(name):
    t = ffi.typeof(f"struct {name}")
    return [(f, t.fields[i][1].offset) for i, f in
            enumerate(x[0] for x in t.fields)]


@pytest.mark.skipif(shutil.which(CC) is None, reason="no C compiler")
def test_struct_layouts_match_headers(tmp_path):
    lines = ['#include <stdio.h>', '#include <stddef.h>',
             '#include "chip/chip.h"', 'int main(void) {']
    want = []
    for s in STRUCTS:
        lines.append(f'printf("%zu\\n", sizeof(struct {s}));')
        want.append(ffi.sizeof(f"struct {s}"))
        for f, off in members(s):
            lines.append(f'printf("%zu\\n", offsetof(struct {s}, {f}));')
            want.append(off)
    lines.append("return 0; }")
    src = tmp_path / "layout.c"
    src.write_text("\n".join(lines) + "\n")
    exe = tmp_path / "layout"
    subprocess.run([CC, "-I", os.path.join(TOP, "libchip", "include"),
                    "-I", os.path.join(TOP, "uapi"), "-o", str(exe),
                    str(src)], check=True)
    got = [int(x) for x in subprocess.run([str(exe)], check=True,
                                          capture_output=True,
                                          text=True).stdout.split()]
    assert got == want


def test_result_format_matches_struct():
    from chip.device import _RES_FMT
    assert _RES_FMT.size == ffi.sizeof("struct chip_run_result")


def test_batch_format_matches_struct():
    from chip.device import _BATCH_FMT
    assert _BATCH_FMT.size == ffi.sizeof("struct chip_batch_run")
    assert ffi.offsetof("struct chip_batch_run", "seq") == 24
