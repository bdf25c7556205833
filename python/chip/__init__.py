# SPDX-License-Identifier: MIT
"""chip: upload chip callables, register them under a cid, run them.

A Python binding of libchip (``Documentation/python.rst``)::

    import numpy as np, chip
    with chip.Device("a2a3sim") as dev:
        dev.register(0, chip.programs.build("vector"))
        a = dev.from_host(np.full(1024, 2, np.float32))
        b = dev.from_host(np.full(1024, 3, np.float32))
        f = dev.array(1024, np.float32)
        out = np.empty(1024, np.float32)
        dev.run(0, chip.Args(a, b, f), stores=[(f, out)]).check()
        assert (out == 47).all()
"""
from ._ffi import LIBCHIP_PATH, find_libchip
from .builder import Builder, Layout, assemble, layout, platform_id
from .constants import *  # noqa: F401,F403
from .device import (Args, Buffer, Counters, Device, Info, RunOptions,
                     RunResult, Tensor, dtype_code, f32, now_ns)
from .errors import (AsmError, BadAddressError, BusyError, ChipError,
                     ChipTimeoutError, ClosedError, ExecFormatError,
                     ExistsError, InvalidArgumentError, MessageSizeError,
                     NoDeviceError, NoSpaceError, NotFoundError,
                     NotSupportedError, OutOfMemoryError, RunError,
                     TooBigError, WorkerLostError, error_class)
from . import programs

__version__ = "0.2.0"
from .pool import Item, Out, Pool, PoolEvent, WorkResult, device_nodes
