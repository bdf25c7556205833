# SPDX-License-Identifier: MIT
"""Exceptions: every negative errno of libchip becomes a :class:`ChipError`.

:class:`ChipError` is an :class:`OSError`: ``e.errno`` is the positive
errno, ``e.strerror`` the message, ``e.func`` the libchip call that failed.
The common errnos have subclasses, which also derive from the matching
built-in :class:`OSError` subclass where there is one (``NotFoundError`` is
a ``FileNotFoundError``, ``ChipTimeoutError`` a ``TimeoutError``), so both
``except chip.BusyError`` and ``except OSError as e: e.errno == EBUSY``
work.
"""
from __future__ import annotations

import errno as _errno
import os
from typing import Dict, NoReturn, Optional, Type


class ChipError(OSError):
    """A libchip call returned ``-errno``."""

    def __init__(self, errno: int, strerror: str, func: Optional[str] = None):
        super().__init__(errno, strerror)
        self.func = func

    def __reduce__(self):
        return (self.__class__, (self.errno, self.strerror, self.func))


class InvalidArgumentError(ChipError):
    """EINVAL: bad argument, option, image or program."""


class NotFoundError(ChipError, FileNotFoundError):
    """ENOENT: cid not registered, unknown allocation or run."""


class ExistsError(ChipError, FileExistsError):
    """EEXIST: duplicate (e.g. a child's func_id)."""


class BusyError(ChipError):
    """EBUSY: cid already registered (nothing changed)."""


class NoSpaceError(ChipError):
    """ENOSPC: device memory or table exhausted."""


class BadAddressError(ChipError):
    """EFAULT: a range outside one device allocation."""


class TooBigError(ChipError):
    """E2BIG: a count past its maximum."""


class MessageSizeError(ChipError):
    """EMSGSIZE: an image shorter than its layout."""


class ExecFormatError(ChipError):
    """ENOEXEC: the host orchestration cannot be loaded."""


class NoDeviceError(ChipError):
    """ENODEV: no such device."""


class ClosedError(ChipError):
    """EBADF: the device handle is closed."""


class OutOfMemoryError(ChipError):
    """ENOMEM: host memory exhausted."""


class ChipTimeoutError(ChipError, TimeoutError):
    """ETIMEDOUT: a wait reached its deadline."""


class NotSupportedError(ChipError):
    """EOPNOTSUPP: this libchip does not provide the feature."""


class AsmError(InvalidArgumentError):
    """The assembler rejected a program; ``strerror`` is ``line N: reason``."""


class RunError(Exception):
    """A run completed with a status other than OK (see ``result``)."""

    def __init__(self, result):
        super().__init__(f"run {result.seq}: {result.status_name} "
                         f"(code {result.code}): {result.msg}")
        self.result = result

    def __reduce__(self):
        return (self.__class__, (self.result,))


class WorkerLostError(Exception):
    """A pool worker died while running the item, and its re-run too."""


_CLASSES: Dict[int, Type[ChipError]] = {
    _errno.EINVAL: InvalidArgumentError,
    _errno.ENOENT: NotFoundError,
    _errno.EEXIST: ExistsError,
    _errno.EBUSY: BusyError,
    _errno.ENOSPC: NoSpaceError,
    _errno.EFAULT: BadAddressError,
    _errno.E2BIG: TooBigError,
    _errno.EMSGSIZE: MessageSizeError,
    _errno.ENOEXEC: ExecFormatError,
    _errno.ENODEV: NoDeviceError,
    _errno.EBADF: ClosedError,
    _errno.ENOMEM: OutOfMemoryError,
    _errno.ETIMEDOUT: ChipTimeoutError,
    _errno.EOPNOTSUPP: NotSupportedError,
}


def error_class(err: int) -> Type[ChipError]:
    """The :class:`ChipError` subclass raised for the positive errno ``err``."""
    return _CLASSES.get(err, ChipError)


def make_error(rc: int, func: str, detail: Optional[str] = None) -> ChipError:
    """The exception for libchip's return value ``rc`` (a negative errno)."""
    err = -rc if rc < 0 else rc
    msg = f"{func}: {os.strerror(err)}"
    if detail:
        msg += f": {detail}"
    return error_class(err)(err, msg, func)


def raise_errno(rc: int, func: str, detail: Optional[str] = None) -> NoReturn:
    """Raise the exception for libchip's return value ``rc``."""
    raise make_error(rc, func, detail)
