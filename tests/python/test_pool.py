# SPDX-License-Identifier: MIT
"""The worker pool: one process per device (4 simulated devices, or
every device node of the module on a kernel platform)."""
import errno

import numpy as np
import pytest

import chip
from conftest import PLATFORM, build

N = 256


def vector_items(count, n=N):
    items = []
    for i in range(count):
        a = np.full(n, i % 7, np.float32)
        b = np.full(n, (i // 7) % 5 - 2, np.float32)
        items.append(chip.Item(0, (a, b, chip.Out((n,)))))
    return items


def check(r):
    assert r.ok, (r.index, r.error, r.result)
    i = r.index
    ref = chip.programs.vector_ref(i % 7, (i // 7) % 5 - 2)
    assert len(r.outputs) == 1
    np.testing.assert_array_equal(r.outputs[0], np.full(N, ref, np.float32))


@pytest.fixture(scope="module")
def pool():
    if not PLATFORM.endswith("sim") and len(chip.device_nodes(PLATFORM)) < 2:
        pytest.skip(f"fewer than 2 {PLATFORM} device nodes")
    with chip.Pool(PLATFORM, 4) as p:
        p.prepare(0, build("vector"))
        yield p


def test_thousand_items_survive_a_killed_worker(pool):
    items = vector_items(1000)
    events0 = len(pool.events)
    pids0 = pool.pids
    seen = {}
    killed = None
    for r in pool.imap_unordered(items):
        assert r.index not in seen, f"item {r.index} delivered twice"
        seen[r.index] = r
        if killed is None and len(seen) >= 200:
            # a worker with work in flight dies mid-run
            busy = [w for w in range(pool.size) if pool.inflight(w)]
            if busy:
                killed = busy[0]
                pool.kill(killed)
    assert killed is not None
    assert sorted(seen) == list(range(1000))
    for r in seen.values():
        check(r)
    ev = pool.events[events0:]
    assert [(e.kind, e.worker) for e in ev] == [("lost", killed),
                                                ("restarted", killed)]
    assert ev[0].pid == pids0[killed] and ev[0].exitcode == -9
    assert pool.pids[killed] != pids0[killed]
    rerun = sorted(i for i, r in seen.items() if r.reruns)
    assert rerun == sorted(ev[0].items)
    for i in rerun:
        assert seen[i].worker != killed or pool.size == 1
        assert seen[i].reruns == 1
    # the new worker has every callable prepared again and runs items
    again = pool.map(vector_items(40))
    assert [r.index for r in again] == list(range(40))
    for r in again:
        check(r)
    assert {r.worker for r in again} == set(range(pool.size))


def test_item_in_flight_on_killed_worker_runs_once_elsewhere(pool):
    pool.prepare(5, build("many"))
    try:
        # one long item (many null tasks); its worker is killed under it
        events0 = len(pool.events)
        it = pool.imap_unordered([chip.Item(5, (2_000_000,),
                                            {"timeout_ns": 60 * 10**9})])
        # the generator dispatches, then waits: drive it by hand
        gen = iter(it)
        import threading
        out = []
        t = threading.Thread(target=lambda: out.extend(gen))
        t.start()
        import time
        while not any(pool.inflight(w) for w in range(pool.size)):
            time.sleep(0.01)
        victim = [w for w in range(pool.size) if pool.inflight(w)][0]
        pool.kill(victim)
        t.join()
        assert len(out) == 1
        r = out[0]
        assert r.ok and r.reruns == 1 and r.worker != victim
        assert r.result.tasks == 2_000_000
        ev = pool.events[events0:]
        assert ev[0].kind == "lost" and ev[0].items == (0,)
    finally:
        pool.unprepare(5)


def test_results_and_errors_per_item(pool):
    pool.prepare(1, build("fatal"))
    try:
        rs = pool.map([chip.Item(1), chip.Item(9), vector_items(3)[2]])
        assert rs[0].result.status == chip.STATUS_ORCH_ERROR
        assert not rs[0].ok and rs[0].outputs == []
        assert isinstance(rs[1].error, chip.NotFoundError)
        assert rs[1].error.errno == errno.ENOENT
        check(rs[2])
    finally:
        pool.unprepare(1)


def test_prepare_failure_leaves_nothing(pool):
    before = [c.registered for c in pool.counters()]
    with pytest.raises(chip.BusyError):
        pool.prepare(0, build("matmul"))
    assert [c.registered for c in pool.counters()] == before
    with pytest.raises(chip.InvalidArgumentError):
        pool.prepare(70, build("null"))
    assert [c.registered for c in pool.counters()] == before


def test_matmul_items(pool):
    pool.prepare(2, build("matmul"))
    try:
        rng = np.random.default_rng(7)
        items, refs = [], []
        for i in range(12):
            m, k, n = 32 * (1 + i % 3), 32 * (1 + i % 2), 32
            a = (rng.integers(-8, 9, (m, k)) / 8).astype(np.float32)
            b = (rng.integers(-6, 7, (k, n)) / 4).astype(np.float32)
            items.append(chip.Item(2, (a, b, chip.Out((m, n)), m, k, n)))
            refs.append(a @ b)
        for r, ref in zip(pool.map(items), refs):
            assert r.ok
            np.testing.assert_array_equal(r.outputs[0], ref)
    finally:
        pool.unprepare(2)


def test_abandoned_iteration_does_not_leak_into_the_next(pool):
    it = pool.imap_unordered(vector_items(100))
    first = next(it)
    check(first)
    it.close()                      # items still in flight are abandoned
    assert pool.counters()          # control replies are not confused
    rs = pool.map(vector_items(30))
    assert [r.index for r in rs] == list(range(30))
    for r in rs:
        check(r)
