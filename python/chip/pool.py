# SPDX-License-Identifier: MIT
"""A worker pool: one process per device, a dispatcher on the host.

Each worker process opens one device (a simulated ``a2a3sim``/``a5sim``
device of its own, or one node of the kernel driver) and runs what the
dispatcher sends it.  The dispatcher prepares callables on every worker
(:meth:`Pool.prepare`: ``chip_register`` under the same cid everywhere)
and hands work items to whichever worker has room (``depth`` items in
flight per worker; the items a worker is given at once travel in one
message, and their results come back in one).

A work item is a cid and its arguments: numpy arrays are input tensors
(copied into device memory before the run), :class:`Out` entries output
tensors (stored into fresh arrays after a successful run and returned),
ints and floats scalars.  This is the bootstrap variant of the reference
runtime's worker loop (load_from_host, run, store_to_host): the inputs
travel as the run's load list (up to 16 and 64 MiB of them; the rest, and
all of them on a driver without loads, are copied in before the run).

Failure handling: a worker whose process dies (killed, crashed) or whose
device reports ``STATUS_DEVICE_LOST`` is reported (:attr:`Pool.events`,
``on_event``), and a new process reopens its device and re-prepares every
callable.  Every item yields exactly one :class:`WorkResult`: an item in
flight on a lost worker is re-run once, on another worker where there is
one, and marked ``reruns == 1``; if that run is lost too the item fails
with :class:`chip.WorkerLostError`.  Results already sent by a worker
before it died are delivered, not re-run.
"""
from __future__ import annotations

import collections
import glob
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
from dataclasses import dataclass, field
from typing import (Any, Callable, Deque, Dict, Iterable, Iterator, List,
                    Optional, Sequence, Tuple)

from . import constants as C
from .errors import ChipError, NotSupportedError, WorkerLostError

__all__ = ["Pool", "Out", "Item", "WorkResult", "PoolEvent", "device_nodes"]

log = logging.getLogger("chip.pool")

#: Exit code of a worker whose device reported STATUS_DEVICE_LOST.
EXIT_DEVICE_LOST = 3


@dataclass(frozen=True)
class Out:
    """An output tensor of a work item: a device buffer of this shape and
    dtype, stored into a new numpy array after a successful run."""
    shape: Tuple[int, ...]
    dtype: str = "float32"


@dataclass
class Item:
    """A work item: run ``cid`` with ``args`` (numpy arrays: inputs;
    :class:`Out`: outputs; ints/floats: scalars) and run options
    (``block_dim``, ``timeout_ns``, ...)."""
    cid: int
    args: Sequence[Any] = ()
    options: Dict[str, int] = field(default_factory=dict)


@dataclass
class WorkResult:
    """What one item produced.

    ``index``: the item's position in the submitted sequence; ``outputs``:
    one numpy array per :class:`Out` (only when the run succeeded);
    ``result``: the :class:`chip.RunResult` (None if the item could not
    run); ``error``: the exception that stopped it, if any; ``worker``:
    the device index that ran it; ``pid``: its process; ``reruns``: 1 when
    the item was re-run after its first worker was lost.
    """
    index: int
    outputs: List[Any]
    result: Any
    error: Optional[BaseException]
    worker: int
    pid: int
    reruns: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None and self.result is not None and \
            self.result.status == C.STATUS_OK


@dataclass(frozen=True)
class PoolEvent:
    """A worker event: ``kind`` is ``"lost"`` (process died: ``exitcode``)
    or ``"restarted"`` (a new process ``pid`` reopened the device);
    ``items`` are the indices of the items re-run because of it."""
    kind: str
    worker: int
    pid: int
    exitcode: Optional[int] = None
    items: Tuple[int, ...] = ()


def device_nodes(platform: str) -> List[str]:
    """The device nodes of the kernel driver that open as ``platform``
    (``/dev/accel/accel*``, then ``/dev/dri/renderD*``)."""
    from .device import Device
    found = []
    cands = sorted(glob.glob("/dev/accel/accel*"),
                   key=lambda p: int(p.rsplit("accel", 1)[1] or 0))
    cands += sorted(glob.glob("/dev/dri/renderD*"))
    for path in cands:
        try:
            Device(platform, node=path).close()
            found.append(path)
        except (ChipError, OSError):
            pass
    return found


# ---- the worker process -------------------------------------------------


def _worker_main(conn, platform: str, open_kw: Dict[str, Any],
                 index: int) -> None:
    """Body of a worker process: open the device, then serve requests."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .device import Args, Device, RunOptions
    import numpy as np

    try:
        dev = Device(platform, **open_kw)
    except ChipError as e:
        conn.send(("open_failed", e))
        return
    conn.send(("ready", os.getpid()))
    free: Dict[int, List[Any]] = collections.defaultdict(list)

    def buffer(nbytes: int):
        lst = free[nbytes]
        return lst.pop() if lst else dev.malloc(max(nbytes, 1))

    use_loads = [True]

    def execute(cid: int, args: Sequence[Any], options: Dict[str, int]):
        """One item: inputs loaded, the run, outputs stored."""
        used: List[Any] = []
        outputs: List[Any] = []
        result = err = None
        try:
            a = Args()
            stores = []
            loads: List[Any] = []
            load_bytes = 0
            for x in args:
                if isinstance(x, Out):
                    arr = np.empty(x.shape, x.dtype)
                    b = buffer(arr.nbytes)
                    used.append(b)
                    a.tensor(b.addr, arr.dtype, arr.shape or (1,))
                    stores.append((b, arr))
                    outputs.append(arr)
                elif isinstance(x, np.ndarray):
                    x = np.ascontiguousarray(x)
                    b = buffer(x.nbytes)
                    used.append(b)
                    if use_loads[0] and x.nbytes and len(loads) < 16 and \
                            load_bytes + x.nbytes <= 64 << 20:
                        loads.append((x, b))
                        load_bytes += x.nbytes
                    else:
                        b.copy_to(x)
                    a.tensor(b.addr, x.dtype, x.shape or (1,))
                else:
                    a.add(x)
            try:
                result = dev.run(cid, a, RunOptions(stores=stores,
                                                    loads=loads, **options))
            except NotSupportedError:
                if not loads:
                    raise
                use_loads[0] = False    # a driver without load lists
                for x, b in loads:
                    b.copy_to(x)
                result = dev.run(cid, a, RunOptions(stores=stores,
                                                    **options))
        except Exception as e:  # reported with the item
            err = e
        for b in used:
            free[b.size].append(b)
        if result is None or not result.ok:
            outputs = []
        return outputs, result, err

    lost = False
    while not lost:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            break
        kind = msg[0]
        if kind == "run":
            # a batch of items: their results go back in one message
            done = []
            for item_id, cid, args, options in msg[1]:
                outputs, result, err = execute(cid, args, options)
                done.append((item_id, outputs, result, err))
                if result is not None and \
                        result.status == C.STATUS_DEVICE_LOST:
                    lost = True     # the rest stay in flight: re-run
                    break
            conn.send(("done", done))
        elif kind == "prepare":
            _, cid, image = msg
            try:
                dev.register(cid, image)
                conn.send(("prepared", cid, None))
            except ChipError as e:
                conn.send(("prepared", cid, e))
        elif kind == "unprepare":
            try:
                dev.unregister(msg[1])
                conn.send(("unprepared", msg[1], None))
            except ChipError as e:
                conn.send(("unprepared", msg[1], e))
        elif kind == "counters":
            conn.send(("counters", dev.counters()))
        elif kind == "close":
            break
    dev.close()
    conn.close()
    if lost:
        os._exit(EXIT_DEVICE_LOST)


# ---- the dispatcher -------------------------------------------------------


class _Worker:
    __slots__ = ("index", "proc", "conn", "pid", "inflight")

    def __init__(self, index: int):
        self.index = index
        self.proc: Any = None
        self.conn: Any = None
        self.pid = 0
        # item id -> (index, item, reruns, generation)
        self.inflight: Dict[int, Tuple[int, Item, int, int]] = {}


class Pool:
    """``n`` worker processes, one per device; a context manager.

    ``platform``: ``"a2a3sim"``/``"a5sim"`` (``n`` simulated devices,
    default 2) or ``"a2a3"``/``"a5"`` (one worker per device node:
    ``nodes`` or every node of that platform, at most ``n``).
    ``open_kw``: :class:`chip.Device` keywords for every worker.
    ``depth``: items in flight per worker.  ``on_event``: called with
    every :class:`PoolEvent`.
    """

    def __init__(self, platform: str = "a2a3sim", n: Optional[int] = None,
                 *, nodes: Optional[Sequence[str]] = None,
                 open_kw: Optional[Dict[str, Any]] = None, depth: int = 2,
                 on_event: Optional[Callable[[PoolEvent], None]] = None,
                 start_timeout: float = 120.0):
        self.platform = platform
        self.depth = max(1, depth)
        self.events: List[PoolEvent] = []
        self._on_event = on_event
        self._timeout = start_timeout
        self._ctx = multiprocessing.get_context("spawn")
        self._prepared: Dict[int, bytes] = {}
        self._next_id = 0
        self._gen = 0
        kw = dict(open_kw or {})
        if platform.endswith("sim"):
            self._kws = [kw] * (n if n is not None else 2)
        else:
            nodes = list(nodes) if nodes is not None else \
                device_nodes(platform)
            if n is not None:
                nodes = nodes[:n]
            if not nodes:
                raise ChipError(19, f"no {platform} device node", "Pool")
            self._kws = [dict(kw, node=p) for p in nodes]
        self._workers = [_Worker(i) for i in range(len(self._kws))]
        try:
            for w in self._workers:
                self._spawn(w)
            for w in self._workers:
                self._await_ready(w)
        except BaseException:
            self.close()
            raise

    # -- processes
    def _spawn(self, w: _Worker) -> None:
        parent, child = self._ctx.Pipe()
        p = self._ctx.Process(target=_worker_main, name=f"chip-worker-{w.index}",
                              args=(child, self.platform, self._kws[w.index],
                                    w.index), daemon=True)
        p.start()
        child.close()
        w.proc, w.conn, w.pid = p, parent, p.pid

    def _await_ready(self, w: _Worker) -> None:
        if not w.conn.poll(self._timeout):
            raise ChipError(110, f"worker {w.index} did not start",
                            "Pool")
        msg = w.conn.recv()
        if msg[0] != "ready":
            raise msg[1]
        for cid, image in self._prepared.items():
            self._call(w, ("prepare", cid, image))

    def _call(self, w: _Worker, msg: tuple) -> Any:
        w.conn.send(msg)
        while True:
            reply = w.conn.recv()
            if reply[0] != "done":
                break
            # results of an abandoned imap_unordered(): dropped
            for ent in reply[1]:
                w.inflight.pop(ent[0], None)
        if len(reply) > 2 and reply[2] is not None:
            raise reply[2]
        return reply

    def _emit(self, ev: PoolEvent) -> None:
        self.events.append(ev)
        log.warning("chip pool: worker %d (pid %d) %s%s", ev.worker, ev.pid,
                    ev.kind, f", exit code {ev.exitcode}"
                    if ev.exitcode is not None else "")
        if self._on_event:
            self._on_event(ev)

    def _restart(self, w: _Worker) -> List[Tuple[int, Item, int, int]]:
        """Report a lost worker, start a new one; returns its in-flight
        items."""
        try:
            w.conn.close()
        except OSError:
            pass
        w.proc.join(5)
        if w.proc.exitcode is None:
            w.proc.kill()
            w.proc.join()
        items = list(w.inflight.values())
        w.inflight.clear()
        self._emit(PoolEvent("lost", w.index, w.pid, w.proc.exitcode,
                             tuple(i for i, _, r, g in items
                                   if r == 0 and g == self._gen)))
        self._spawn(w)
        self._await_ready(w)
        self._emit(PoolEvent("restarted", w.index, w.pid))
        return items

    # -- public
    @property
    def size(self) -> int:
        """Number of workers (devices)."""
        return len(self._workers)

    @property
    def pids(self) -> List[int]:
        """Process id of each worker, by device index."""
        return [w.pid for w in self._workers]

    def inflight(self, worker: int) -> List[int]:
        """Indices of the items in flight on ``worker``."""
        return sorted(i for i, _, _, g in
                      self._workers[worker].inflight.values()
                      if g == self._gen)

    def kill(self, worker: int, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to a worker process (failure drills)."""
        os.kill(self._workers[worker].pid, sig)

    def prepare(self, cid: int, image: bytes) -> None:
        """Register ``image`` under ``cid`` on every worker (and on every
        worker started later).  On an error nothing stays registered."""
        image = bytes(image)
        done: List[_Worker] = []
        try:
            for w in self._workers:
                self._call(w, ("prepare", cid, image))
                done.append(w)
        except BaseException:
            for w in done:
                try:
                    self._call(w, ("unprepare", cid))
                except Exception:
                    pass
            raise
        self._prepared[cid] = image

    def unprepare(self, cid: int) -> None:
        """Unregister ``cid`` on every worker."""
        self._prepared.pop(cid, None)
        for w in self._workers:
            self._call(w, ("unprepare", cid))

    def counters(self) -> List[Any]:
        """:class:`chip.Counters` of every worker's device."""
        return [self._call(w, ("counters",))[1] for w in self._workers]

    def map(self, items: Iterable[Any]) -> List[WorkResult]:
        """Run every item; results in item order."""
        out = list(self.imap_unordered(items))
        out.sort(key=lambda r: r.index)
        return out

    def imap_unordered(self, items: Iterable[Any]) -> Iterator[WorkResult]:
        """Run every item (an :class:`Item` or a tuple ``(cid, args)``),
        yielding each result as it completes.  One call at a time; the
        results of items still in flight when a caller abandons the
        iterator are dropped."""
        self._gen += 1
        gen = self._gen
        pending: Deque[Tuple[int, Item, int, int]] = collections.deque()
        for i, it in enumerate(items):
            if not isinstance(it, Item):
                it = Item(*it)
            pending.append((i, it, 0, -1))   # index, item, reruns, avoid
        workers = self._workers
        nworkers = len(workers)
        outstanding = len(pending)
        while outstanding:
            self._dispatch(pending, nworkers, gen)
            if not pending and not any(e[3] == gen for w in workers
                                       for e in w.inflight.values()):
                raise RuntimeError(f"chip pool: {outstanding} items "
                                   "neither pending nor in flight")
            conns = {}
            for w in workers:
                conns[w.conn] = w
                conns[w.proc.sentinel] = w
            ready = multiprocessing.connection.wait(list(conns))
            done: List[WorkResult] = []
            lost = []
            for obj in ready:
                w = conns[obj]
                if w in lost:
                    continue
                if obj is w.conn:
                    if not self._receive(w, done, gen):
                        lost.append(w)
                else:
                    while True:   # deliver what it sent before dying
                        try:
                            if not w.conn.poll() or \
                                    not self._receive(w, done, gen):
                                break
                        except (EOFError, OSError):
                            break
                    lost.append(w)
            for w in lost:
                for idx, item, reruns, g in self._restart(w):
                    if g != gen:
                        continue
                    if reruns == 0:
                        pending.appendleft((idx, item, 1, w.index))
                    else:
                        done.append(WorkResult(
                            idx, [], None,
                            WorkerLostError(f"item {idx}: worker lost "
                                            "twice"), w.index, w.pid,
                            reruns))
            outstanding -= len(done)
            yield from done

    def _dispatch(self, pending, nworkers: int, gen: int) -> None:
        skipped = []
        batches: Dict[_Worker, List[tuple]] = {}
        while pending:
            idx, item, reruns, avoid = pending[0]
            best = None
            for w in self._workers:
                if len(w.inflight) >= self.depth:
                    continue
                if w.index == avoid and nworkers > 1:
                    continue
                if best is None or len(w.inflight) < len(best.inflight):
                    best = w
            if best is None:
                if avoid >= 0 and nworkers > 1:
                    # wait for a worker other than the one it was lost on,
                    # but do not hold back the items behind it
                    skipped.append(pending.popleft())
                    continue
                break
            pending.popleft()
            iid = self._next_id
            self._next_id += 1
            best.inflight[iid] = (idx, item, reruns, gen)
            batches.setdefault(best, []).append(
                (iid, item.cid, tuple(item.args), item.options))
        pending.extendleft(reversed(skipped))
        # one message per worker for everything it was given now
        for w, batch in batches.items():
            try:
                w.conn.send(("run", batch))
            except (OSError, ValueError):
                pass    # still in flight: the sentinel reports the worker

    def _receive(self, w: _Worker, done: List[WorkResult], gen: int) -> bool:
        try:
            msg = w.conn.recv()
        except Exception:
            return False
        if msg[0] != "done":
            return True
        alive = True
        for iid, outputs, result, err in msg[1]:
            ent = w.inflight.pop(iid, None)
            if ent is None:
                continue
            idx, _, reruns, g = ent
            if g == gen:
                done.append(WorkResult(idx, outputs, result, err, w.index,
                                       w.pid, reruns))
            if result is not None and \
                    result.status == C.STATUS_DEVICE_LOST:
                alive = False
        return alive

    def close(self) -> None:
        """Stop every worker (their devices close)."""
        for w in getattr(self, "_workers", ()):
            if w.proc is None:
                continue
            try:
                w.conn.send(("close",))
            except (OSError, ValueError):
                pass
        for w in getattr(self, "_workers", ()):
            if w.proc is None:
                continue
            w.proc.join(10)
            if w.proc.exitcode is None:
                w.proc.kill()
                w.proc.join()
            try:
                w.conn.close()
            except OSError:
                pass
            w.proc = None

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
