# SPDX-License-Identifier: MIT
"""Callables: the ISA assembler and the image builder."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence, Union

from . import constants as C
from ._ffi import ffi, lib
from .errors import AsmError, raise_errno

__all__ = ["assemble", "Builder", "Layout", "layout", "platform_id"]

#: The orchestration and child signature of most workloads: in, in, out.
SIG_IN_IN_OUT = (C.DIR_IN, C.DIR_IN, C.DIR_OUT)


def platform_id(platform: Union[str, int]) -> int:
    """``CHIP_PLATFORM_*`` of a platform name or id."""
    if isinstance(platform, int):
        return platform
    try:
        return C.PLATFORMS[platform]
    except KeyError:
        raise AsmError(22, f"unknown platform {platform!r}",
                       "platform_id") from None


def assemble(text: str) -> bytes:
    """Assemble ISA text (``Documentation/isa.rst``) with ``chip_asm``.

    Raises :class:`chip.AsmError` (``EINVAL``, the message names the line)
    for a bad program.
    """
    code = ffi.new("void **")
    size = ffi.new("size_t *")
    err = ffi.new("char[160]")
    rc = lib.chip_asm(text.encode(), code, size, err, 160)
    if rc:
        msg = ffi.string(err).decode(errors="replace")
        if rc == -22:
            raise AsmError(22, f"chip_asm: {msg}", "chip_asm")
        raise_errno(rc, "chip_asm", msg)
    try:
        return ffi.buffer(code[0], size[0])[:]
    finally:
        lib.free(code[0])


@dataclass(frozen=True)
class Layout:
    """``struct chip_layout`` of a validated image."""
    hdr_size: int
    total_size: int
    hash: int
    child_count: int
    orch_size: int


def layout(image: Any) -> Layout:
    """Validate an image (``chip_callable_layout``) and return its layout."""
    p = ffi.from_buffer(image)
    lo = ffi.new("struct chip_layout *")
    rc = lib.chip_callable_layout(p, len(p), lo)
    if rc:
        raise_errno(rc, "chip_callable_layout")
    return Layout(lo.hdr_size, lo.total_size, lo.hash, lo.child_count,
                  lo.orch_size)


def _sig(sig: Sequence[int]):
    return ffi.new("uint8_t[]", list(sig) or [0]), len(sig)


class Builder:
    """A callable image builder (``chip_builder_*``); a context manager.

    ``platform``: a name (``"a2a3sim"``) or ``CHIP_PLATFORM_*``;
    ``runtime``: ``RUNTIME_TENSORMAP_AND_RINGBUFFER`` (an ISA
    orchestration) or ``RUNTIME_HOST_BUILD_GRAPH`` (a host shared object).
    """

    def __init__(self, platform: Union[str, int], runtime: int):
        bp = ffi.new("struct chip_builder **")
        rc = lib.chip_builder_new(platform_id(platform), runtime, bp)
        if rc:
            raise_errno(rc, "chip_builder_new")
        self._b = ffi.gc(bp[0], lib.chip_builder_free)

    def set_orch(self, binary: Any, func_name: Optional[str] = "orch",
                 config_name: Optional[str] = None,
                 signature: Sequence[int] = SIG_IN_IN_OUT) -> "Builder":
        """The orchestration: ISA code or a host shared object's bytes
        (``func_name``: its entry symbol)."""
        p = ffi.from_buffer(binary)
        sig, n = _sig(signature)
        fn = func_name.encode() if func_name else ffi.NULL
        cn = config_name.encode() if config_name else ffi.NULL
        rc = lib.chip_builder_set_orch(self._b, p, len(p), fn, cn, sig, n)
        if rc:
            raise_errno(rc, "chip_builder_set_orch")
        return self

    def add_child(self, func_id: int, core_type: int, code: Any,
                  signature: Sequence[int] = SIG_IN_IN_OUT) -> "Builder":
        """A child kernel (ISA ``code`` for ``core_type``);
        ``ExistsError`` for a duplicate ``func_id``."""
        p = ffi.from_buffer(code)
        sig, n = _sig(signature)
        rc = lib.chip_builder_add_child(self._b, func_id, core_type, sig, n,
                                        p, len(p))
        if rc:
            raise_errno(rc, "chip_builder_add_child", f"func_id {func_id}")
        return self

    def build(self) -> bytes:
        """The canonical image."""
        img = ffi.new("void **")
        n = ffi.new("size_t *")
        rc = lib.chip_builder_build(self._b, img, n)
        if rc:
            raise_errno(rc, "chip_builder_build")
        try:
            return ffi.buffer(img[0], n[0])[:]
        finally:
            lib.free(img[0])

    def close(self) -> None:
        """Free the builder now (else when it is collected)."""
        if self._b is not None:
            ffi.release(self._b)
            self._b = None

    def __enter__(self) -> "Builder":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
