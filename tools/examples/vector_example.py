#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The reference runtime's vector example from Python, on both runtimes:

    f = (a + b + 1) * (a + b + 2) + (a + b)   over 16384 float32

a = 2, b = 3 gives 47.0 everywhere; the result is stored into a numpy
array by the run and compared with numpy's.  Usage:
vector_example.py [platform] (default $CHIP_PLATFORM or a2a3sim).
Exits 0 only if every element of both runs is right.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "python"))
import chip  # noqa: E402

N = 16384


def run_one(dev: chip.Device, runtime: int, cid: int) -> bool:
    name = ("host_build_graph" if runtime == chip.RUNTIME_HOST_BUILD_GRAPH
            else "tensormap_and_ringbuffer")
    dev.register(cid, chip.programs.build("vector", dev.platform, runtime))
    a = np.full(N, 2.0, np.float32)
    b = np.full(N, 3.0, np.float32)
    da, db, df = dev.from_host(a), dev.from_host(b), dev.array(N)
    f = np.zeros(N, np.float32)
    res = dev.run(cid, chip.Args(da, db, df), stores=[(df, f)])
    for buf in (da, db, df):
        buf.free()
    ref = chip.programs.vector_ref(a, b)
    bad = int(np.count_nonzero(f != ref))
    good = res.ok and bad == 0
    print(f"{name:<26} status={res.status_name} tasks={res.tasks} "
          f"insns={res.insns} device={res.device_ns / 1e3:.1f} us  "
          f"f[0]={f[0]:.1f} f[{N - 1}]={f[-1]:.1f}  "
          f"{'PASS' if good else 'FAIL'} ({bad} of {N} wrong)")
    return good


def main() -> int:
    platform = (sys.argv[1] if len(sys.argv) > 1
                else os.environ.get("CHIP_PLATFORM") or "a2a3sim")
    with chip.Device(platform) as dev:
        print(f"vector example on {platform}: f = (a+b+1)*(a+b+2)+(a+b), "
              f"a=2, b=3, n={N}, expect 47.0")
        ok = run_one(dev, chip.RUNTIME_TENSORMAP_AND_RINGBUFFER, 0)
        ok &= run_one(dev, chip.RUNTIME_HOST_BUILD_GRAPH, 1)
        c = dev.counters()
        print(f"counters: orch_loads={c.orch_loads} host_loads={c.host_loads} "
              f"dedup_hits={c.dedup_hits} dedup_misses={c.dedup_misses} "
              f"resident={c.resident_callables} ({c.resident_bytes} bytes) "
              f"runs_ok={c.runs_ok}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
