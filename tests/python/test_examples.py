# SPDX-License-Identifier: MIT
"""The Python examples run and check themselves (exit 0, PASS)."""
import os
import subprocess
import sys

import pytest

from conftest import PLATFORM, TOP


@pytest.mark.parametrize("script,extra", [
    ("vector_example.py", []), ("matmul_example.py", ["2"])])
def test_example(script, extra):
    path = os.path.join(TOP, "tools", "examples", script)
    p = subprocess.run([sys.executable, path, PLATFORM] + extra,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    lines = p.stdout.splitlines()
    assert lines[-1] == "PASS" and "FAIL" not in p.stdout
    if script == "vector_example.py":
        assert sum("f[0]=47.0" in x and "PASS" in x for x in lines) == 2
