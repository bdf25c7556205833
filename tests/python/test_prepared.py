# SPDX-License-Identifier: MIT
"""The reference runtime's prepared-callable cases, on the counters, for
both runtimes (tensormap_and_ringbuffer loads the orchestration program on
the device: orch_loads; host_build_graph loads the host orchestration:
host_loads).  Every run's output is checked against numpy."""
import errno

import pytest

import chip
from conftest import build, loads
from helpers import check_vector


def other(runtime):
    return (chip.RUNTIME_HOST_BUILD_GRAPH
            if runtime == chip.RUNTIME_TENSORMAP_AND_RINGBUFFER
            else chip.RUNTIME_TENSORMAP_AND_RINGBUFFER)


def test_same_cid_five_runs_one_load(dev, runtime):
    c0 = dev.counters()
    dev.register(0, build("vector", runtime))
    for i in range(5):
        check_vector(dev, 0, a=float(i), b=3.0)
    c = dev.counters()
    assert loads(c, runtime) - loads(c0, runtime) == 1
    assert loads(c, other(runtime)) == loads(c0, other(runtime))
    assert c.runs_ok - c0.runs_ok == 5
    assert c.registered == 1


def test_two_cids_one_callable(dev, runtime):
    c0 = dev.counters()
    img = build("vector", runtime)
    dev.register(0, img)
    dev.register(1, img)
    for i in range(5):
        check_vector(dev, 0, a=float(i))
        check_vector(dev, 1, b=float(i))
    c = dev.counters()
    assert loads(c, runtime) - loads(c0, runtime) == 2
    assert c.resident_callables == 1
    assert c.dedup_hits - c0.dedup_hits == 1
    assert c.registered == 2


def test_register_busy_cid_changes_nothing(dev, runtime):
    dev.register(0, build("vector", runtime))
    c0 = dev.counters()
    for work in ("vector", "matmul"):
        with pytest.raises(chip.BusyError) as ei:
            dev.register(0, build(work, runtime))
        assert ei.value.errno == errno.EBUSY
    c = dev.counters()
    assert c == c0
    assert c.registered == 1
    check_vector(dev, 0)


def test_unregister_then_reregister(dev, runtime):
    c0 = dev.counters()
    dev.register(0, build("vector", runtime))
    check_vector(dev, 0)
    assert loads(dev.counters(), runtime) - loads(c0, runtime) == 1
    dev.unregister(0)
    c = dev.counters()
    assert loads(c, runtime) - loads(c0, runtime) == 1
    assert c.resident_callables == 0 and c.registered == 0
    with pytest.raises(chip.NotFoundError):
        dev.run(0, ())
    dev.register(0, build("vector", runtime))
    check_vector(dev, 0, a=5.0, b=-1.0)
    assert loads(dev.counters(), runtime) - loads(c0, runtime) == 2


def test_shared_callable_survives_unregister(dev, runtime):
    img = build("vector", runtime)
    dev.register(0, img)
    dev.register(1, img)
    check_vector(dev, 0)
    dev.unregister(0)
    c = dev.counters()
    assert c.resident_callables == 1 and c.registered == 1
    for i in range(3):
        check_vector(dev, 1, a=float(i), b=0.5)
    with pytest.raises(chip.NotFoundError) as ei:
        dev.run(0, ())
    assert ei.value.errno == errno.ENOENT
    dev.unregister(1)
    c = dev.counters()
    assert c.resident_callables == 0 and c.resident_bytes == 0


def test_host_orchestration_loads_only_host(dev):
    c0 = dev.counters()
    dev.register(3, build("vector", chip.RUNTIME_HOST_BUILD_GRAPH))
    for _ in range(5):
        check_vector(dev, 3)
    c = dev.counters()
    assert c.host_loads - c0.host_loads == 1
    assert c.orch_loads == c0.orch_loads
