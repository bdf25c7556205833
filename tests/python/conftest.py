# SPDX-License-Identifier: MIT
"""pytest setup: import the package from the source tree; the platform
comes from $CHIP_PLATFORM (default a2a3sim).  libchip is found as the
package finds it ($CHIP_LIBCHIP, the build tree, the system)."""
import os
import sys

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "python"))

import chip  # noqa: E402

PLATFORM = os.environ.get("CHIP_PLATFORM", "a2a3sim")
RUNTIMES = (chip.RUNTIME_TENSORMAP_AND_RINGBUFFER, chip.RUNTIME_HOST_BUILD_GRAPH)
RT_IDS = ("tensormap_and_ringbuffer", "host_build_graph")


@pytest.fixture
def dev():
    d = chip.Device(PLATFORM)
    yield d
    d.close()


@pytest.fixture(params=RUNTIMES, ids=RT_IDS)
def runtime(request):
    return request.param


def build(work, runtime=chip.RUNTIME_TENSORMAP_AND_RINGBUFFER):
    return chip.programs.build(work, PLATFORM, runtime)


def loads(c, runtime):
    """The load counter of ``runtime``: device loads of orchestration
    programs, or host loads of host orchestrations."""
    return c.host_loads if runtime == chip.RUNTIME_HOST_BUILD_GRAPH \
        else c.orch_loads
