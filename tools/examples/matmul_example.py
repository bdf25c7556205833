#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Matrix multiply from Python: C = A @ B on the device (32 x 32 blocks on
an AIC core), on both runtimes, checked against numpy, first in one
process, then spread over a pool of worker processes (one device each).

Inputs are small dyadic rationals, so every product and every sum is exact
in float32 and the device must match numpy bit for bit.  Usage:
matmul_example.py [platform] [workers] (default $CHIP_PLATFORM or a2a3sim,
2 workers).  Exits 0 only if every result is right.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "python"))
import chip  # noqa: E402

SHAPES = [(32, 32, 32), (64, 128, 96), (128, 64, 32), (96, 96, 96)]


def operands(m: int, k: int, n: int, seed: int):
    rng = np.random.default_rng(seed)
    a = (rng.integers(-8, 9, (m, k)) / 8).astype(np.float32)
    b = (rng.integers(-6, 7, (k, n)) / 4).astype(np.float32)
    return a, b


def direct(platform: str) -> bool:
    ok = True
    with chip.Device(platform) as dev:
        for cid, rt, name in ((0, chip.RUNTIME_TENSORMAP_AND_RINGBUFFER,
                               "tensormap_and_ringbuffer"),
                              (1, chip.RUNTIME_HOST_BUILD_GRAPH,
                               "host_build_graph")):
            dev.register(cid, chip.programs.build("matmul", platform, rt))
            for i, (m, k, n) in enumerate(SHAPES):
                a, b = operands(m, k, n, i)
                da, db, dc = dev.from_host(a), dev.from_host(b), \
                    dev.array((m, n))
                c = np.empty((m, n), np.float32)
                res = dev.run(cid, chip.Args(da, db, dc, m, k, n),
                              stores=[(dc, c)])
                for buf in (da, db, dc):
                    buf.free()
                err = float(np.max(np.abs(c - a @ b)))
                good = res.ok and err == 0.0
                ok &= good
                print(f"{name:<26} {m:4d}x{k:<4d} @ {k:4d}x{n:<4d} "
                      f"status={res.status_name} insns={res.insns} "
                      f"max|C - A@B|={err:g}  {'PASS' if good else 'FAIL'}")
    return ok


def pooled(platform: str, workers: int) -> bool:
    items, refs = [], []
    for i in range(32):
        m, k, n = SHAPES[i % len(SHAPES)]
        a, b = operands(m, k, n, 100 + i)
        items.append(chip.Item(0, (a, b, chip.Out((m, n)), m, k, n)))
        refs.append(a @ b)
    with chip.Pool(platform, workers) as pool:
        pool.prepare(0, chip.programs.build("matmul", platform))
        results = pool.map(items)
    bad = sum(1 for r, ref in zip(results, refs)
              if not r.ok or not np.array_equal(r.outputs[0], ref))
    per = [sum(1 for r in results if r.worker == w) for w in range(workers)]
    print(f"pool of {workers} workers: {len(items)} matmuls, items per "
          f"worker {per}, {bad} wrong  {'PASS' if not bad else 'FAIL'}")
    return bad == 0


def main() -> int:
    platform = (sys.argv[1] if len(sys.argv) > 1
                else os.environ.get("CHIP_PLATFORM") or "a2a3sim")
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    print(f"matmul example on {platform}: C = A @ B against numpy")
    ok = direct(platform)
    ok &= pooled(platform, workers)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
