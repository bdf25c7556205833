# SPDX-License-Identifier: MIT
"""Run loads (``struct chip_load``): host arrays copied into device memory
just before a run executes, alone, with stores, asynchronously and in
batches; refusals carry the C API's errno and copy nothing."""
import errno

import numpy as np
import pytest

import chip
from conftest import build


@pytest.mark.parametrize("dtype,shape", [
    (np.float32, (4096,)), (np.float16, (64, 33)), (np.int8, (3, 5, 7)),
    (np.uint8, (1,)), (np.int16, (100, 2)), (np.int32, (1000,)),
    (np.uint32, (8, 8)), (np.int64, (5, 50)), (np.uint64, (7, 9)),
])
def test_load_then_store_back(dev, dtype, shape):
    rng = np.random.default_rng(sum(shape))
    host = (rng.standard_normal(shape) * 100).astype(dtype)
    buf = dev.from_host(np.zeros(shape, dtype))
    dev.register(0, build("null"))
    out = np.zeros(shape, dtype)
    # one run: the load lands before it executes, the store after it
    res = dev.run(0, chip.Args(buf), loads=[(host, buf)], stores=[(buf, out)])
    assert res.ok, res
    np.testing.assert_array_equal(out, host)
    np.testing.assert_array_equal(buf.numpy(), host)
    # into an offset of the buffer, from a contiguous view of an array
    half = host.reshape(-1)[host.size // 2:][::-1].copy()
    dev.run(0, (), loads=[(half, (buf, (host.size // 2) * host.itemsize))]
            ).check()
    want = host.copy().reshape(-1)
    want[host.size // 2:] = half
    np.testing.assert_array_equal(buf.numpy().reshape(-1), want)


def test_vector_inputs_only_by_loads(dev, runtime):
    dev.register(0, build("vector", runtime))
    n = 16384
    da, db, df = (dev.from_host(np.full(n, -9.0, np.float32))
                  for _ in range(3))
    for a, b in ((2.0, 3.0), (0.5, 0.5), (1.0, 4.0)):
        out = np.zeros(n, np.float32)
        res = dev.run(0, chip.Args(da, db, df),
                      loads=[(np.full(n, a, np.float32), da),
                             (np.full(n, b, np.float32), db)],
                      stores=[(df, out)])
        assert res.ok and res.tasks == 5, res
        ref = chip.programs.vector_ref(np.float32(a), np.float32(b))
        np.testing.assert_array_equal(out, np.full(n, ref, np.float32))
    assert chip.programs.vector_ref(np.float32(2), np.float32(3)) == 47.0


def test_matmul_inputs_by_loads(dev, runtime):
    m, k, n = 64, 96, 32
    dev.register(0, build("matmul", runtime))
    rng = np.random.default_rng(5)
    a = (rng.integers(-8, 9, (m, k)) / 8).astype(np.float32)
    b = (rng.integers(-6, 7, (k, n)) / 4).astype(np.float32)
    da, db, dc = dev.array((m, k)), dev.array((k, n)), dev.array((m, n))
    out = np.empty((m, n), np.float32)
    dev.run(0, chip.Args(da, db, dc, m, k, n), loads=[(a, da), (b, db)],
            stores=[(dc, out)]).check()
    np.testing.assert_array_equal(out, a @ b)


def test_loads_read_at_submit(dev):
    """The host bytes are read by submit: changing them afterwards changes
    nothing; queued runs load the same buffers one after the other."""
    dev.register(0, build("vector"))
    n = 4096
    da, db, df = dev.array(n), dev.array(n), dev.array(n)
    ins = [(2.0, 3.0), (0.5, 0.5), (1.0, 4.0), (3.0, 1.0)]
    seqs, outs = [], []
    for a, b in ins:
        ha, hb = np.full(n, a, np.float32), np.full(n, b, np.float32)
        outs.append(np.zeros(n, np.float32))
        seqs.append(dev.submit(0, chip.Args(da, db, df),
                               loads=[(ha, da), (hb, db)],
                               stores=[(df, outs[-1])]))
        ha[:] = 100.0
    for (a, b), seq, out in zip(ins, seqs, outs):
        assert dev.wait(seq).ok
        ref = chip.programs.vector_ref(np.float32(a), np.float32(b))
        np.testing.assert_array_equal(out, np.full(n, ref, np.float32))


def test_batch_with_loads(dev):
    dev.register(0, build("vector"))
    n = 1024
    runs, outs, bufs = [], [], []
    for i in range(5):
        da, db, df = dev.array(n), dev.array(n), dev.array(n)
        bufs.append(da)
        outs.append(np.zeros(n, np.float32))
        bad = da.addr + 4 * n if i == 2 else da   # not mapped: refused
        runs.append((0, chip.Args(da, db, df), chip.RunOptions(
            loads=[(np.full(n, i, np.float32), bad),
                   (np.ones(n, np.float32), db)],
            stores=[(df, outs[-1])])))
    got = dev.submit_batch(runs)
    assert isinstance(got[2], chip.BadAddressError)
    assert got[2].errno == errno.EFAULT
    for i, s in enumerate(got):
        if i == 2:
            continue
        assert dev.wait(s).ok
        ref = chip.programs.vector_ref(np.float32(i), np.float32(1))
        np.testing.assert_array_equal(outs[i], np.full(n, ref, np.float32))
    assert not outs[2].any()


@pytest.mark.parametrize("loads,err,cls", [
    (lambda b, g: [(np.ones(4, np.float32), b)] * 17, errno.E2BIG,
     chip.TooBigError),
    (lambda b, g: [(np.ones(4, np.float32), b), (np.zeros(0), b)],
     errno.EINVAL, chip.InvalidArgumentError),
    (lambda b, g: [(np.ones(4, np.float32), b), (np.ones(4), g)],
     errno.EFAULT, chip.BadAddressError),
    (lambda b, g: [(np.ones(4, np.float32), b),
                   (np.ones(4, np.float32), (b, 4096 - 8))],
     errno.EFAULT, chip.BadAddressError),
])
def test_load_refusals_copy_nothing(dev, loads, err, cls):
    dev.register(0, build("null"))
    b = dev.from_host(np.full(1024, -9.0, np.float32))
    g = dev.malloc(64)
    gone = g.addr
    g.free()
    for call in (dev.run, dev.submit):
        with pytest.raises(cls) as ei:
            call(0, (), loads=loads(b, gone))
        assert ei.value.errno == err
        np.testing.assert_array_equal(b.numpy(),
                                      np.full(1024, -9.0, np.float32))
