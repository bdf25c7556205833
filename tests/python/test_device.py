# SPDX-License-Identifier: MIT
"""Device, memory, runs, asynchronous runs and errors."""
import errno
import pickle

import numpy as np
import pytest

import chip
from conftest import PLATFORM, build
from helpers import check_vector


def test_info_and_counters(dev):
    i = dev.info
    assert i.name == PLATFORM
    assert i.platform == chip.platform_id(PLATFORM)
    assert i.simulated == PLATFORM.endswith("sim")
    assert i.aiv_cores == 2 * i.max_blocks
    c = dev.counters()
    assert c.registered == 0 and sum(c.runs) == 0 and c.gm_used == 0
    b = dev.malloc(100)
    assert dev.counters().gm_used >= 100
    b.free()
    assert dev.counters().gm_used == 0


def test_context_manager_closes():
    with chip.Device(PLATFORM) as d:
        assert not d.closed
    assert d.closed
    with pytest.raises(chip.ClosedError) as ei:
        d.counters()
    assert ei.value.errno == errno.EBADF
    d.close()   # twice is fine


@pytest.mark.parametrize("dtype,shape", [
    (np.float32, (4096,)), (np.float16, (64, 33)), (np.int8, (3, 5, 7)),
    (np.uint8, (1,)), (np.int16, (100, 2)), (np.uint16, (17, 3, 2, 2)),
    (np.int32, (1000,)), (np.uint32, (8, 8)), (np.int64, (5, 50)),
    (np.uint64, (2, 3, 4, 5, 6)),
])
def test_copies_and_stores_of_numpy_arrays(dev, dtype, shape):
    rng = np.random.default_rng(sum(shape))
    host = (rng.standard_normal(shape) * 100).astype(dtype)
    buf = dev.from_host(host)
    assert buf.dtype == chip.dtype_code(dtype) and buf.shape == shape
    np.testing.assert_array_equal(buf.numpy(), host)
    # a run's store list brings it back into an array of the same kind
    dev.register(0, build("null"))
    out = np.zeros(shape, dtype)
    res = dev.run(0, chip.Args(buf), stores=[(buf, out)])
    assert res.ok, res
    np.testing.assert_array_equal(out, host)
    # into a contiguous view of a larger array, at an offset of the buffer
    big = np.zeros((3,) + shape, dtype)
    half = host.reshape(-1)[host.size // 2:]
    res = dev.run(0, (), stores=[((buf, (host.size // 2) * host.itemsize),
                                  big[1].reshape(-1)[:half.size])])
    assert res.ok
    np.testing.assert_array_equal(big[1].reshape(-1)[:half.size], half)
    assert not big[0].any() and not big[2].any()


def test_copy_without_host_copy(dev):
    a = np.arange(1024, dtype=np.float32)
    b = dev.malloc(a.nbytes)
    b.copy_to(a)
    back = np.empty_like(a)
    assert b.copy_from(back) is back
    np.testing.assert_array_equal(back, a)
    # memoryview / bytearray / bytes go the same way
    ba = bytearray(16)
    dev.copy_to(b, b"0123456789abcdef", offset=8)
    dev.copy_from(ba, b, offset=8)
    assert bytes(ba) == b"0123456789abcdef"
    dev.copy_from(memoryview(ba)[4:8], b.addr + 8)
    assert bytes(ba[4:8]) == b"0123"


def test_non_contiguous_and_read_only_refused(dev):
    b = dev.malloc(4096)
    a = np.arange(64, dtype=np.float32).reshape(8, 8)
    with pytest.raises((ValueError, BufferError, TypeError)):
        b.copy_to(a[:, ::2])
    ro = np.zeros(8, np.float32)
    ro.flags.writeable = False
    with pytest.raises((ValueError, BufferError, TypeError)):
        b.copy_from(ro)
    with pytest.raises((ValueError, BufferError, TypeError)):
        dev.run(0, (), stores=[(b, ro)])


def test_stores_skipped_unless_ok(dev):
    dev.register(1, build("fatal"))
    b = dev.from_host(np.ones(16, np.float32))
    out = np.full(16, 7.0, np.float32)
    res = dev.run(1, (), stores=[(b, out)])
    assert res.status == chip.STATUS_ORCH_ERROR and res.code == chip.ORCH_FATAL
    assert res.status_name and not res.ok
    assert (out == 7.0).all()
    with pytest.raises(chip.RunError) as ei:
        res.check()
    assert ei.value.result == res
    assert pickle.loads(pickle.dumps(res)) == res


def test_vector_both_runtimes(dev, runtime):
    dev.register(0, build("vector", runtime))
    r = check_vector(dev, 0, n=16384)
    assert r.tasks == 5 and r.insns > 0


@pytest.mark.parametrize("m,k,n", [(32, 32, 32), (64, 96, 32), (96, 32, 128)])
def test_matmul_against_numpy(dev, runtime, m, k, n):
    dev.register(0, build("matmul", runtime))
    rng = np.random.default_rng(m * k + n)
    # small dyadic rationals: every product and sum is exact in float32
    a = (rng.integers(-8, 9, (m, k)) / 8).astype(np.float32)
    b = (rng.integers(-6, 7, (k, n)) / 4).astype(np.float32)
    da, db, dc = dev.from_host(a), dev.from_host(b), dev.array((m, n))
    out = np.empty((m, n), np.float32)
    dev.run(0, chip.Args(da, db, dc, m, k, n), stores=[(dc, out)]).check()
    np.testing.assert_array_equal(out, a @ b)


def test_submit_reap_wait_batch(dev):
    dev.register(0, build("vector"))
    dev.register(1, build("fatal"))
    n = 1024
    bufs, outs, seqs = [], [], []
    for i in range(6):
        a = dev.from_host(np.full(n, i, np.float32))
        bb = dev.from_host(np.full(n, 1, np.float32))
        f = dev.array(n)
        bufs.append((a, bb, f))
        outs.append(np.zeros(n, np.float32))
    for i in range(3):
        a, bb, f = bufs[i]
        seqs.append(dev.submit(0, chip.Args(a, bb, f),
                               stores=[(f, outs[i])]))
    batch = []
    for i in range(3, 6):
        a, bb, f = bufs[i]
        batch.append((0, chip.Args(a, bb, f),
                      chip.RunOptions(stores=[(f, outs[i])])))
    batch.insert(1, (9, chip.Args()))     # not registered: refused alone
    batch.append((1,))
    got = dev.submit_batch(batch)
    assert isinstance(got[1], chip.NotFoundError)
    assert got[1].errno == errno.ENOENT
    ok_seqs = [s for s in got if isinstance(s, int)]
    assert len(ok_seqs) == 4
    first = dev.wait(seqs[0])
    assert first.seq == seqs[0] and first.ok
    with pytest.raises(chip.NotFoundError):
        dev.wait(seqs[0])       # consumed
    results = []
    while len(results) < 6:
        results += dev.reap(8, 1)
    by_seq = {r.seq: r for r in results}
    assert set(by_seq) == set(seqs[1:] + ok_seqs)
    assert by_seq[ok_seqs[-1]].status == chip.STATUS_ORCH_ERROR
    for i in range(6):
        ref = chip.programs.vector_ref(np.float32(i), np.float32(1))
        np.testing.assert_array_equal(outs[i], np.full(n, ref, np.float32))
    assert dev.reap(8, 0, timeout=0.001) == []


def test_wait_deadline_and_watchdog(dev):
    dev.register(2, build("spin"))
    seq = dev.submit(2, (), timeout_ns=300_000_000)
    with pytest.raises(chip.ChipTimeoutError) as ei:
        dev.wait(seq, timeout=0.001)
    assert ei.value.errno == errno.ETIMEDOUT
    assert isinstance(ei.value, TimeoutError)
    res = dev.wait(seq)
    assert res.status == chip.STATUS_TIMEOUT and res.seq == seq


@pytest.mark.parametrize("call,err,cls", [
    (lambda d: d.unregister(5), errno.ENOENT, chip.NotFoundError),
    (lambda d: d.unregister(64), errno.EINVAL, chip.InvalidArgumentError),
    (lambda d: d.run(7, ()), errno.ENOENT, chip.NotFoundError),
    (lambda d: d.run(-1, ()), errno.EINVAL, chip.InvalidArgumentError),
    (lambda d: d.free(0x1234), errno.ENOENT, chip.NotFoundError),
    (lambda d: d.malloc(0), errno.EINVAL, chip.InvalidArgumentError),
    (lambda d: d.malloc(1 << 50), errno.ENOSPC, chip.NoSpaceError),
    (lambda d: d.register(0, b"\0" * 64), None, chip.ChipError),
    (lambda d: d.register(99, build("null")), errno.EINVAL,
     chip.InvalidArgumentError),
    (lambda d: d.malloc(64).copy_to(bytes(128)), errno.EFAULT,
     chip.BadAddressError),
    (lambda d: d.malloc(64).copy_from(bytearray(65)), errno.EFAULT,
     chip.BadAddressError),
    (lambda d: d.wait(12345), errno.ENOENT, chip.NotFoundError),
    (lambda d: d.run(0, (), loads=[(np.zeros(4), 0x1234)]),
     errno.EFAULT, chip.BadAddressError),
    (lambda d: d.run(0, (), loads=[(np.zeros(0), d.malloc(16))]),
     errno.EINVAL, chip.InvalidArgumentError),
])
def test_errors_carry_errno(dev, call, err, cls):
    with pytest.raises(cls) as ei:
        call(dev)
    e = ei.value
    assert isinstance(e, chip.ChipError) and isinstance(e, OSError)
    if err is not None:
        assert e.errno == err
    assert e.errno > 0 and e.func and e.func in str(e)
    assert chip.error_class(e.errno) is type(e)
    e2 = pickle.loads(pickle.dumps(e))
    assert type(e2) is type(e) and e2.errno == e.errno and e2.func == e.func


def test_errors_builder_and_args():
    with pytest.raises(chip.AsmError) as ei:
        chip.assemble("\tbogus r1, r2\n")
    assert ei.value.errno == errno.EINVAL and "line 1" in str(ei.value)
    code = chip.assemble(chip.programs.NULL_KERNEL)
    b = chip.Builder(PLATFORM, chip.RUNTIME_TENSORMAP_AND_RINGBUFFER)
    b.add_child(0, chip.CORE_AIV, code)
    with pytest.raises(chip.ExistsError) as ei:
        b.add_child(0, chip.CORE_AIV, code)
    assert ei.value.errno == errno.EEXIST
    assert isinstance(ei.value, FileExistsError)
    a = chip.Args()
    for _ in range(chip.MAX_SCALAR_ARGS):
        a.scalar(1)
    with pytest.raises(chip.TooBigError) as ei:
        a.scalar(1)
    assert ei.value.errno == errno.E2BIG
    with pytest.raises(chip.InvalidArgumentError):
        a.tensor(0x1000, "float32", (1, 1, 1, 1, 1, 1))
    with pytest.raises(chip.InvalidArgumentError):
        chip.dtype_code("complex128")
    with pytest.raises(TypeError):
        chip.Args(np.zeros(3))


def test_builder_layout_and_platform_mismatch(dev):
    img = build("vector")
    lo = chip.layout(img)
    assert lo.total_size == len(img) and lo.child_count == 3
    other = "a5sim" if chip.platform_id(PLATFORM) == chip.PLATFORM_A2A3 \
        else "a2a3sim"
    with pytest.raises(chip.InvalidArgumentError):
        dev.register(0, chip.programs.build("vector", other))
    assert dev.counters().registered == 0


def test_busy_register_under_dedup_collision(dev):
    dev.set_hash_mask(0)
    dev.register(0, build("vector"))
    dev.register(1, build("matmul"))
    c = dev.counters()
    assert c.resident_callables == 2
    check_vector(dev, 0)


def test_store_targets_live_until_reaped(dev):
    import gc
    import weakref
    dev.register(0, build("vector"))
    n = 2048
    a = dev.from_host(np.full(n, 1, np.float32))
    f = dev.array(n)
    out = np.zeros(n, np.float32)
    ref = weakref.ref(out)
    seq = dev.submit(0, chip.Args(a, a, f), stores=[(f, out)])
    del out
    gc.collect()
    out = ref()
    assert out is not None          # held by the device until reaped
    res = dev.wait(seq)
    assert res.ok
    want = chip.programs.vector_ref(np.float32(1), np.float32(1))
    np.testing.assert_array_equal(out, np.full(n, want, np.float32))
    del out
    gc.collect()
    assert ref() is None            # and released once reaped


def test_threads_share_a_device(dev):
    import threading
    dev.register(0, build("vector"))
    errors = []

    def worker(t):
        try:
            n = 512
            a = dev.from_host(np.full(n, t, np.float32))
            b = dev.from_host(np.full(n, 2, np.float32))
            f = dev.array(n)
            args = chip.Args(a, b, f)
            want = chip.programs.vector_ref(np.float32(t), np.float32(2))
            for _ in range(30):
                out = np.zeros(n, np.float32)
                r = dev.run(0, args, stores=[(f, out)])
                assert r.ok and (out == want).all()
        except Exception as e:   # reported below
            errors.append(e)

    ts = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert errors == []
    assert dev.counters().runs_ok == 120
