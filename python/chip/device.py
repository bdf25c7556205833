# SPDX-License-Identifier: MIT
"""Devices, device memory, arguments, runs: the Python face of libchip.

Every call maps to one libchip call; a negative errno becomes a
:class:`chip.ChipError`.  Host memory goes to and from libchip through
``ffi.from_buffer``: any object with the buffer protocol (``bytes``,
``bytearray``, ``memoryview``, C-contiguous numpy arrays) is passed by
address, never copied on the host.
"""
from __future__ import annotations

import struct
from operator import itemgetter as _itemgetter
from dataclasses import dataclass
from typing import (Any, Dict, Iterable, List, Optional, Sequence, Tuple,
                    Union)

from . import constants as C
from ._ffi import ffi, lib
from .errors import (NotSupportedError, RunError, make_error, raise_errno)

__all__ = [
    "Device", "Buffer", "Tensor", "Args", "RunOptions", "RunResult", "Info",
    "Counters", "dtype_code", "f32", "now_ns",
]

_NULL = ffi.NULL
_RES_P = "struct chip_run_result *"
_RES_FMT = struct.Struct("<QIiQQQQ96s")
_BATCH_FMT = struct.Struct("<iiQQQ")     # struct chip_batch_run
_STATUS_NAMES = tuple(ffi.string(lib.chip_status_str(s)).decode()
                      for s in range(C.STATUS_COUNT))
_F32 = struct.Struct("<f")
_U32 = struct.Struct("<I")
_chip_run = lib.chip_run


def now_ns() -> int:
    """libchip's clock (``CLOCK_MONOTONIC``), the base of every deadline."""
    return lib.chip_now_ns()


def f32(value: float) -> int:
    """A float as the binary32 bit pattern that f32 scalars travel as."""
    return _U32.unpack(_F32.pack(value))[0]


def dtype_code(dtype: Any) -> int:
    """``CHIP_DT_*`` for an int code, a name (``"float32"``), a numpy
    dtype or scalar type (``np.float32``)."""
    if isinstance(dtype, int):
        if dtype in C.DT_NAMES:
            return dtype
        raise make_error(-22, "dtype", f"unknown dtype code {dtype}")
    name = dtype if isinstance(dtype, str) else getattr(dtype, "name", None)
    if name is None:
        import numpy as np
        name = np.dtype(dtype).name
    try:
        return C.DTYPES[name][0]
    except KeyError:
        raise make_error(-22, "dtype", f"no chip dtype for {name}") from None


def _dtype_size(code: int) -> int:
    return C.DTYPES[C.DT_NAMES[code]][1]


# ---- results --------------------------------------------------------------


class RunResult(tuple):
    """The outcome of a completed run (``struct chip_run_result``).

    A tuple ``(seq, status, code, fault_addr, tasks, insns, device_ns,
    raw_msg)`` with named fields; ``msg`` is the decoded message.
    """

    __slots__ = ()

    seq = property(_itemgetter(0), doc="run sequence number")
    status = property(_itemgetter(1), doc="STATUS_*")
    code = property(_itemgetter(2), doc="error or fault code")
    fault_addr = property(_itemgetter(3), doc="faulting device address")
    tasks = property(_itemgetter(4), doc="tasks executed")
    insns = property(_itemgetter(5), doc="instructions executed")
    device_ns = property(_itemgetter(6), doc="device time in ns")

    def __new__(cls, seq: int, status: int, code: int = 0,
                fault_addr: int = 0, tasks: int = 0, insns: int = 0,
                device_ns: int = 0, msg: Union[str, bytes] = b""):
        if isinstance(msg, str):
            msg = msg.encode()
        return tuple.__new__(cls, (seq, status, code, fault_addr, tasks,
                                   insns, device_ns, msg))

    @property
    def msg(self) -> str:
        """What happened (empty for most successful runs)."""
        m = self[7]
        i = m.find(b"\0")
        return (m if i < 0 else m[:i]).decode(errors="replace")

    @property
    def ok(self) -> bool:
        """True when the status is ``STATUS_OK``."""
        return self[1] == C.STATUS_OK

    @property
    def status_name(self) -> str:
        """``chip_status_str()`` of the status."""
        if 0 <= self[1] < len(_STATUS_NAMES):
            return _STATUS_NAMES[self[1]]
        return f"status {self[1]}"

    def check(self) -> "RunResult":
        """Return self if the run succeeded, else raise :class:`RunError`."""
        if self[1] != C.STATUS_OK:
            raise RunError(self)
        return self

    def __reduce__(self):
        return (_tuple_new, (RunResult, tuple(self)))

    def __repr__(self) -> str:
        s = (f"RunResult(seq={self.seq}, status={self.status_name}, "
             f"tasks={self.tasks}, insns={self.insns}")
        if self.status != C.STATUS_OK:
            s += f", code={self.code}, msg={self.msg!r}"
        return s + ")"


def _tuple_new(cls, t):
    return tuple.__new__(cls, t)


def _result(buf) -> RunResult:
    return tuple.__new__(RunResult, _RES_FMT.unpack_from(buf))


def _slot():
    r = ffi.new(_RES_P)
    return (r, ffi.buffer(r))


@dataclass(frozen=True)
class Info:
    """``struct chip_info``."""
    platform: int
    simulated: bool
    max_blocks: int
    max_aicpu_threads: int
    aic_cores: int
    aiv_cores: int
    local_aic: int
    local_aiv: int
    gm_size: int
    heap_va: int
    heap_size: int
    name: str


@dataclass(frozen=True)
class Counters:
    """``struct chip_counters``; ``runs[status]`` counts completed runs."""
    orch_loads: int
    host_loads: int
    dedup_hits: int
    dedup_misses: int
    resident_bytes: int
    resident_callables: int
    registered: int
    runs: Tuple[int, ...]
    gm_used: int

    @property
    def runs_ok(self) -> int:
        """Runs completed with ``STATUS_OK``."""
        return self.runs[C.STATUS_OK]


# ---- device memory ----------------------------------------------------------


class Tensor:
    """A tensor argument: a device address, a dtype and a shape."""

    __slots__ = ("addr", "dtype", "shape")

    def __init__(self, addr: int, dtype: Any, shape: Sequence[int]):
        self.addr = int(addr)
        self.dtype = dtype_code(dtype)
        self.shape = tuple(int(d) for d in shape)

    @property
    def nbytes(self) -> int:
        """Bytes of the tensor's extent."""
        n = _dtype_size(self.dtype)
        for d in self.shape:
            n *= d
        return n

    def __repr__(self) -> str:
        return (f"Tensor(0x{self.addr:x}, {C.DT_NAMES[self.dtype]}, "
                f"{self.shape})")


class Buffer:
    """A device allocation (``chip_malloc``), optionally typed.

    ``dtype`` and ``shape`` (set by :meth:`Device.array` or
    :meth:`Device.from_host`) make the buffer usable directly as a tensor
    argument.  Freed by :meth:`free` or when its device closes.
    """

    __slots__ = ("device", "addr", "size", "dtype", "shape")

    def __init__(self, device: "Device", addr: int, size: int,
                 dtype: Optional[int] = None,
                 shape: Optional[Tuple[int, ...]] = None):
        self.device = device
        self.addr = addr
        self.size = size
        self.dtype = dtype
        self.shape = shape

    def copy_to(self, src: Any, offset: int = 0) -> None:
        """Copy the bytes of ``src`` (any buffer-protocol object) to the
        device at ``offset``; no host copy is made."""
        p = ffi.from_buffer(src)
        rc = lib.chip_copy_to(self.device._h, self.addr + offset, p, len(p))
        if rc:
            raise_errno(rc, "chip_copy_to")

    def copy_from(self, dst: Any, offset: int = 0) -> Any:
        """Fill the writable buffer ``dst`` from the device at ``offset``
        (as many bytes as ``dst`` has); returns ``dst``."""
        p = ffi.from_buffer(dst, require_writable=True)
        rc = lib.chip_copy_from(self.device._h, p, self.addr + offset, len(p))
        if rc:
            raise_errno(rc, "chip_copy_from")
        return dst

    def tensor(self, dtype: Any = None, shape: Optional[Sequence[int]] = None,
               offset: int = 0) -> Tensor:
        """This buffer (from ``offset``) as a tensor argument; dtype and
        shape default to the buffer's own."""
        dt = self.dtype if dtype is None else dtype_code(dtype)
        if dt is None:
            raise make_error(-22, "tensor", "untyped buffer needs a dtype")
        if shape is None:
            shape = self.shape or ((self.size - offset) // _dtype_size(dt),)
        return Tensor(self.addr + offset, dt, shape)

    def numpy(self) -> Any:
        """A new numpy array with the buffer's contents (typed buffers)."""
        import numpy as np
        if self.dtype is None:
            out = np.empty(self.size, np.uint8)
        else:
            out = np.empty(self.shape, C.DT_NAMES[self.dtype]
                           if self.dtype != C.DT_BFLOAT16 else np.uint16)
        return self.copy_from(out)

    def free(self) -> None:
        """``chip_free``; the buffer must not be used afterwards."""
        if self.addr:
            rc = lib.chip_free(self.device._h, self.addr)
            if rc:
                raise_errno(rc, "chip_free")
            self.addr = 0

    def __repr__(self) -> str:
        t = ""
        if self.dtype is not None:
            t = f", {C.DT_NAMES[self.dtype]}{list(self.shape or ())}"
        return f"Buffer(0x{self.addr:x}, {self.size}{t})"


# ---- arguments and options ----------------------------------------------


class Args:
    """Run arguments (``struct chip_args``): tensors, then scalars.

    ``Args(a, b, 3)`` adds each item with :meth:`add`.  An ``Args`` may be
    reused for any number of runs; libchip copies it at submission.
    """

    __slots__ = ("_c",)

    def __init__(self, *items: Any):
        self._c = ffi.new("struct chip_args *")
        lib.chip_args_init(self._c)
        for it in items:
            self.add(it)

    def add(self, item: Any) -> "Args":
        """A :class:`Tensor` or typed :class:`Buffer` as a tensor, an int
        as a scalar (a float as its binary32 bits)."""
        if isinstance(item, Tensor):
            return self.tensor(item.addr, item.dtype, item.shape)
        if isinstance(item, Buffer):
            t = item.tensor()
            return self.tensor(t.addr, t.dtype, t.shape)
        if isinstance(item, float):
            return self.scalar(f32(item))
        if isinstance(item, int):
            return self.scalar(item)
        raise TypeError(f"not a run argument: {type(item).__name__} "
                        "(device memory goes in as a Buffer or Tensor)")

    def tensor(self, addr: int, dtype: Any, shape: Sequence[int]) -> "Args":
        """``chip_args_add_tensor``."""
        shp = ffi.new("uint32_t[]", list(shape) or [0])
        rc = lib.chip_args_add_tensor(self._c, addr, dtype_code(dtype),
                                      len(shape), shp)
        if rc:
            raise_errno(rc, "chip_args_add_tensor")
        return self

    def scalar(self, value: int) -> "Args":
        """``chip_args_add_scalar`` (a uint64; negative ints wrap)."""
        rc = lib.chip_args_add_scalar(self._c, value & 0xFFFFFFFFFFFFFFFF)
        if rc:
            raise_errno(rc, "chip_args_add_scalar")
        return self

    @property
    def tensor_count(self) -> int:
        return self._c.tensor_count

    @property
    def scalar_count(self) -> int:
        return self._c.scalar_count


def _addr(dev: Any) -> int:
    if isinstance(dev, (Buffer, Tensor)):
        return dev.addr
    if isinstance(dev, tuple):
        return _addr(dev[0]) + dev[1]
    return int(dev)


class RunOptions:
    """Options of a run (``struct chip_run_opts``), reusable across runs.

    ``stores``: pairs ``(device, host)``: after a successful run libchip
    copies ``len(host)`` bytes from ``device`` (a :class:`Buffer`, a
    :class:`Tensor`, an address or ``(buffer, offset)``) into ``host``, a
    writable buffer-protocol object (numpy arrays included) kept alive by
    this object.

    ``loads``: pairs ``(host, device)``, the mirror of ``stores``
    (``struct chip_load``): ``len(host)`` bytes of ``host``, any
    buffer-protocol object (a numpy array: no extra copy on the Python
    side), are copied into device memory just before the run executes.
    libchip reads them when the run is submitted, so ``host`` may change
    as soon as :meth:`Device.submit` returns.  A driver without load lists
    raises :class:`chip.NotSupportedError` (``EOPNOTSUPP``) at submission.
    """

    __slots__ = ("_c", "_keep", "stores", "loads")

    def __init__(self, *, stores: Optional[Iterable[Tuple[Any, Any]]] = None,
                 loads: Optional[Iterable[Tuple[Any, Any]]] = None,
                 block_dim: int = 0, aicpu_threads: int = 0,
                 timeout_ns: int = 0, insn_budget: int = 0):
        self.stores = list(stores or ())
        self.loads = list(loads or ())
        o = ffi.new("struct chip_run_opts *")
        o.sz = ffi.sizeof("struct chip_run_opts")
        o.block_dim = block_dim
        o.aicpu_threads = aicpu_threads
        o.timeout_ns = timeout_ns
        o.insn_budget = insn_budget
        keep: List[Any] = []
        if self.stores:
            arr, keep = _ranges(self.stores, store=True)
            o.stores = arr
            o.nstores = len(self.stores)
            keep.append(arr)
        if self.loads:
            arr, lkeep = _ranges([(d, h) for h, d in self.loads],
                                 store=False)
            o.loads = arr
            o.nloads = len(self.loads)
            keep += lkeep
            keep.append(arr)
        self._c = o
        self._keep = keep


def _ranges(pairs: List[Tuple[Any, Any]], store: bool):
    """``struct chip_store[]`` or ``struct chip_load[]`` for (device,
    host) pairs (the host side is written for stores, read for loads)."""
    arr = ffi.new("struct chip_store[]" if store else "struct chip_load[]",
                  len(pairs))
    keep: List[Any] = []
    for i, (dev, host) in enumerate(pairs):
        p = ffi.from_buffer(host, require_writable=store)
        keep.append(p)
        arr[i].dev_addr = _addr(dev)
        arr[i].host = p
        arr[i].size = len(p)
    return arr, keep


RunArgs = Union[Args, Sequence[Any], None]


# ---- device -----------------------------------------------------------------


class Device:
    """An open chip device (``chip_open``); a context manager.

    ``platform``: ``"a2a3sim"``/``"a5sim"`` (simulated, in process) or
    ``"a2a3"``/``"a5"`` (the kernel driver; ``node`` picks a device node).
    The other keywords are ``struct chip_open_opts`` (0: defaults).
    """

    def __init__(self, platform: str = "a2a3sim", *, gm_size: int = 0,
                 workers: int = 0, ring_window: int = 0, heap_size: int = 0,
                 node: Optional[str] = None):
        self._h = _NULL
        self.platform = platform
        self._inflight: Dict[int, Any] = {}
        # result structs for synchronous calls, one per concurrent caller
        self._slots: List[Any] = []
        o = ffi.new("struct chip_open_opts *")
        o.sz = ffi.sizeof("struct chip_open_opts")
        o.gm_size = gm_size
        o.workers = workers
        o.ring_window = ring_window
        o.heap_size = heap_size
        nodep = ffi.new("char[]", node.encode()) if node else _NULL
        o.node = nodep
        hp = ffi.new("struct chip_dev **")
        rc = lib.chip_open(platform.encode(), o, hp)
        if rc:
            raise_errno(rc, "chip_open", platform)
        self._h = hp[0]
        self._empty = Args()

    # -- lifetime
    def close(self) -> None:
        """``chip_close``: cancels queued runs, waits for the running one,
        frees every buffer and registration of this handle."""
        h, self._h = self._h, _NULL
        if h != _NULL:
            lib.chip_close(h)
        self._inflight.clear()

    @property
    def closed(self) -> bool:
        return self._h == _NULL

    def __enter__(self) -> "Device":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    # -- information
    @property
    def info(self) -> Info:
        """``chip_info``."""
        i = ffi.new("struct chip_info *")
        rc = lib.chip_info(self._h, i)
        if rc:
            raise_errno(rc, "chip_info")
        return Info(i.platform, bool(i.simulated), i.max_blocks,
                    i.max_aicpu_threads, i.aic_cores, i.aiv_cores,
                    i.local_aic, i.local_aiv, i.gm_size, i.heap_va,
                    i.heap_size, ffi.string(i.name).decode())

    def counters(self) -> Counters:
        """``chip_counters``."""
        c = ffi.new("struct chip_counters *")
        rc = lib.chip_counters(self._h, c)
        if rc:
            raise_errno(rc, "chip_counters")
        return Counters(c.orch_loads, c.host_loads, c.dedup_hits,
                        c.dedup_misses, c.resident_bytes,
                        c.resident_callables, c.registered, tuple(c.runs),
                        c.gm_used)

    def set_hash_mask(self, mask: int) -> None:
        """``chip_debug_set_hash_mask`` (tests of dedup collisions)."""
        rc = lib.chip_debug_set_hash_mask(self._h, mask)
        if rc:
            raise_errno(rc, "chip_debug_set_hash_mask")

    # -- memory
    def malloc(self, size: int) -> Buffer:
        """``chip_malloc``: an untyped buffer of ``size`` bytes."""
        p = ffi.new("uint64_t *")
        rc = lib.chip_malloc(self._h, size, p)
        if rc:
            raise_errno(rc, "chip_malloc")
        return Buffer(self, p[0], size)

    def free(self, buf: Union[Buffer, int]) -> None:
        """``chip_free`` of a buffer or an address."""
        if isinstance(buf, Buffer):
            buf.free()
            return
        rc = lib.chip_free(self._h, buf)
        if rc:
            raise_errno(rc, "chip_free")

    def array(self, shape: Union[int, Sequence[int]],
              dtype: Any = "float32") -> Buffer:
        """A typed buffer for a tensor of ``shape`` and ``dtype``."""
        shp = (shape,) if isinstance(shape, int) else tuple(shape)
        dt = dtype_code(dtype)
        n = _dtype_size(dt)
        for d in shp:
            n *= d
        b = self.malloc(n)
        b.dtype, b.shape = dt, shp
        return b

    def from_host(self, array: Any) -> Buffer:
        """A typed buffer holding a copy of numpy ``array``."""
        b = self.array(array.shape, array.dtype)
        b.copy_to(array)
        return b

    def copy_to(self, dst: Union[Buffer, int], src: Any,
                offset: int = 0) -> None:
        """``chip_copy_to`` from any buffer-protocol object."""
        p = ffi.from_buffer(src)
        rc = lib.chip_copy_to(self._h, _addr(dst) + offset, p, len(p))
        if rc:
            raise_errno(rc, "chip_copy_to")

    def copy_from(self, dst: Any, src: Union[Buffer, int],
                  offset: int = 0) -> Any:
        """``chip_copy_from`` into a writable buffer-protocol object."""
        p = ffi.from_buffer(dst, require_writable=True)
        rc = lib.chip_copy_from(self._h, p, _addr(src) + offset, len(p))
        if rc:
            raise_errno(rc, "chip_copy_from")
        return dst

    # -- registration
    def register(self, cid: int, image: Any) -> None:
        """``chip_register``: upload (deduplicated) and bind to ``cid``.

        ``image`` is a callable image (``bytes`` or any buffer), e.g. from
        :class:`chip.Builder`.  ``BusyError`` if ``cid`` is taken (nothing
        changes).
        """
        p = ffi.from_buffer(image)
        rc = lib.chip_register(self._h, cid, p, len(p), _NULL)
        if rc:
            raise_errno(rc, "chip_register", f"cid {cid}")

    def unregister(self, cid: int) -> None:
        """``chip_unregister``."""
        rc = lib.chip_unregister(self._h, cid)
        if rc:
            raise_errno(rc, "chip_unregister", f"cid {cid}")

    # -- runs
    def _args(self, args: RunArgs):
        if args is None or (type(args) is tuple and not args):
            return self._empty._c
        if isinstance(args, Args):
            return args._c
        return Args(*args)._c

    @staticmethod
    def _opts(opts: Optional[RunOptions], kw: Dict[str, Any]):
        if kw:
            if opts is not None:
                raise TypeError("pass either opts or option keywords")
            opts = RunOptions(**kw)
        return opts

    def run(self, cid: int, args: RunArgs = None,
            opts: Optional[RunOptions] = None, **kw: Any) -> RunResult:
        """Run ``cid`` and wait (``chip_run``); returns the result whatever
        its status (see :meth:`RunResult.check`).

        ``args``: an :class:`Args` (fastest: build it once), a sequence of
        items for :meth:`Args.add`, or None.  ``opts`` or the keywords of
        :class:`RunOptions` (``stores=[(buffer, numpy_array)]``, ...).
        """
        if kw:
            opts = self._opts(opts, kw)
        slots = self._slots
        slot = slots.pop() if slots else _slot()
        try:
            rc = _chip_run(self._h, cid,
                           args._c if type(args) is Args
                           else self._args(args),
                           opts._c if opts is not None else _NULL, slot[0])
            if rc:
                raise_errno(rc, "chip_run", f"cid {cid}")
            return tuple.__new__(RunResult, _RES_FMT.unpack_from(slot[1]))
        finally:
            slots.append(slot)

    def submit(self, cid: int, args: RunArgs = None,
               opts: Optional[RunOptions] = None, **kw: Any) -> int:
        """Queue a run (``chip_submit``); returns its seq.  Host arrays of
        its stores are kept alive until :meth:`wait` or :meth:`reap`
        returns its result."""
        if kw:
            opts = self._opts(opts, kw)
        p = ffi.new("uint64_t *")
        rc = lib.chip_submit(self._h, cid, self._args(args),
                             opts._c if opts is not None else _NULL, p)
        if rc:
            raise_errno(rc, "chip_submit", f"cid {cid}")
        if opts is not None:
            self._inflight[p[0]] = opts
        return p[0]

    def submit_batch(self, runs: Sequence[Tuple[Any, ...]]
                     ) -> List[Union[int, Exception]]:
        """Queue runs ``(cid[, args[, opts]])`` with one
        ``chip_submit_batch``; returns, per run, its seq or the
        :class:`ChipError` that refused it (the others are still queued).
        """
        n = len(runs)
        if n == 0:
            return []
        arr = ffi.new("struct chip_batch_run[]", n)
        keep = []
        opts = []
        for i, r in enumerate(runs):
            e = arr[i]
            e.cid = r[0]
            if len(r) > 1:
                a = r[1]
                a = a._c if type(a) is Args else self._args(a)
                keep.append(a)
                e.args = a
            else:
                e.args = self._empty._c
            if len(r) > 2 and r[2] is not None:
                e.opts = r[2]._c
                opts.append((i, r[2]))
        rc = lib.chip_submit_batch(self._h, arr, n)
        if rc < 0:
            raise_errno(rc, "chip_submit_batch")
        out: List[Union[int, Exception]] = [
            seq if not ret else
            make_error(ret, "chip_submit_batch", f"run {i} (cid {cid})")
            for i, (cid, ret, _, _, seq) in
            enumerate(_BATCH_FMT.iter_unpack(ffi.buffer(arr)))]
        for i, o in opts:
            if type(out[i]) is int:
                self._inflight[out[i]] = o
        return out

    @staticmethod
    def _deadline(timeout: Optional[float]) -> int:
        if timeout is None:
            return 0
        return lib.chip_now_ns() + max(1, int(timeout * 1e9))

    def wait(self, seq: int, timeout: Optional[float] = None) -> RunResult:
        """``chip_wait``: the result of run ``seq`` (``timeout`` in
        seconds; None: forever).  ``ChipTimeoutError`` at the deadline."""
        res = _slot()
        rc = lib.chip_wait(self._h, seq, self._deadline(timeout), res[0])
        if rc:
            raise_errno(rc, "chip_wait", f"seq {seq}")
        self._inflight.pop(seq, None)
        return _result(res[1])

    def reap(self, max: int = 64, min: int = 1,
             timeout: Optional[float] = None) -> List[RunResult]:
        """``chip_reap``: up to ``max`` results, waiting for ``min`` (or
        the deadline, or an idle device)."""
        out = ffi.new("struct chip_run_result[]", max)
        n = lib.chip_reap(self._h, out, max, min, self._deadline(timeout))
        if n < 0:
            raise_errno(n, "chip_reap")
        buf = ffi.buffer(out)
        sz = _RES_FMT.size
        results = [tuple.__new__(RunResult, _RES_FMT.unpack_from(buf, i * sz))
                   for i in range(n)]
        if self._inflight:
            for r in results:
                self._inflight.pop(r[0], None)
        return results

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"Device({self.platform!r}, {state})"
