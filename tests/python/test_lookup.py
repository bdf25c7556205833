# SPDX-License-Identifier: MIT
"""Where the package finds libchip: $CHIP_LIBCHIP, the build tree, the
system's library path, in that order."""
import os

import chip
from chip import _ffi


def test_env_first(monkeypatch):
    monkeypatch.setenv("CHIP_LIBCHIP", "/some/where/libchip.so.0")
    assert chip.find_libchip() == "/some/where/libchip.so.0"


def test_build_tree_then_system(monkeypatch, tmp_path):
    monkeypatch.delenv("CHIP_LIBCHIP", raising=False)
    (tmp_path / "libchip" / "include").mkdir(parents=True)
    (tmp_path / "build").mkdir()
    monkeypatch.setattr(_ffi, "_TOP", str(tmp_path))
    got = chip.find_libchip()
    assert os.sep not in got or not got.startswith(str(tmp_path))
    (tmp_path / "build" / "libchip.so").write_bytes(b"")
    assert chip.find_libchip() == str(tmp_path / "build" / "libchip.so")
    (tmp_path / "build" / "libchip.so.0").write_bytes(b"")
    assert chip.find_libchip() == str(tmp_path / "build" / "libchip.so.0")


def test_loaded_library_is_the_one_found():
    assert chip.LIBCHIP_PATH == os.environ.get("CHIP_LIBCHIP",
                                               chip.LIBCHIP_PATH)
