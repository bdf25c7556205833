# SPDX-License-Identifier: MIT
"""chip.programs carries the same ISA texts as tests/common/programs.h."""
import ast
import os
import re

import pytest

import chip
from conftest import TOP


def parse_header(path):
    """PROG_* string macros of a C header, expanded (one level of
    function-like macros with a string argument)."""
    src = open(path).read().replace("\\\n", " ")
    macros = {}
    for line in src.split("\n"):
        m = re.match(r"#define\s+(PROG_\w+)(\((\w+)\))?\s+(.*)$", line)
        if m:
            macros[m.group(1)] = (m.group(3), m.group(4))

    def expand(name, argval=None):
        param, body = macros[name]
        out = []
        for t in re.finditer(r'"((?:[^"\\]|\\.)*)"|(\w+)(\("(\w+)"\))?', body):
            if t.group(1) is not None:
                out.append(ast.literal_eval('"' + t.group(1) + '"'))
            elif t.group(2) == param:
                out.append(argval)
            elif t.group(2) in macros:
                out.append(expand(t.group(2), t.group(4)))
        return "".join(out)
    return {n[5:]: expand(n) for n, (p, _) in macros.items() if p is None}


HDR = parse_header(os.path.join(TOP, "tests", "common", "programs.h"))
NAMES = [n for n in HDR if hasattr(chip.programs, n)]


def test_every_used_program_is_from_the_header():
    used = {text for _, _, ch in chip.programs.WORKLOADS.values()
            for _, _, text in ch}
    used |= {orch for orch, _, _ in chip.programs.WORKLOADS.values()}
    assert used <= {getattr(chip.programs, n) for n in NAMES}
    assert len(NAMES) >= 10


@pytest.mark.parametrize("name", NAMES)
def test_program_text_matches_header(name):
    assert getattr(chip.programs, name) == HDR[name]
    assert len(chip.assemble(HDR[name])) > 0
