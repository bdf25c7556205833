# SPDX-License-Identifier: MIT
"""Workload helpers shared by the tests."""
import numpy as np

import chip


def run_vector(dev, cid, a=2.0, b=3.0, n=4096):
    """Run the vector example on ``cid`` with a, b over n floats; returns
    (result, output array) with the output stored by the run."""
    da = dev.from_host(np.full(n, a, np.float32))
    db = dev.from_host(np.full(n, b, np.float32))
    df = dev.from_host(np.full(n, -1.0, np.float32))
    out = np.zeros(n, np.float32)
    try:
        res = dev.run(cid, chip.Args(da, db, df), stores=[(df, out)])
    finally:
        for x in (da, db, df):
            x.free()
    return res, out


def check_vector(dev, cid, a=2.0, b=3.0, n=4096):
    """Run the vector example and check every element against numpy."""
    res, out = run_vector(dev, cid, a, b, n)
    assert res.ok, res
    ref = chip.programs.vector_ref(np.float32(a), np.float32(b))
    assert ref.dtype == np.float32
    np.testing.assert_array_equal(out, np.full(n, ref, np.float32))
    return res
