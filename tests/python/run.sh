#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# The Python package's tests: pytest (Debian's python3-pytest) under
# Debian's /usr/bin/python3, against libchip built in the build tree.
#
#   tests/python/run.sh [build-dir] [pytest arguments...]
#
# libchip: $CHIP_LIBCHIP if set, else the build's <build-dir>/libchip.so.0.  Prints pytest's closing line, then
# "python: N passed, N failed" (errors count as failed).
set -u
cd "$(dirname "$0")/../.."
O=${1:-build}
[ $# -gt 0 ] && shift
PY=${CHIP_PYTHON:-/usr/bin/python3}
make -s -j"$(nproc)" O="$O" lib tools || exit 1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "${CHIP_LIBCHIP:-}" ]; then
	CHIP_LIBCHIP=$PWD/$O/libchip.so.0
fi
export CHIP_LIBCHIP
export CHIP_ORCH_SO=${CHIP_ORCH_SO:-$PWD/$O/tools/examples/orch/host_orch.so}

"$PY" -m pytest -q -p no:cacheprovider tests/python "$@" > >(tee "$tmp/log") 2>&1
rc=$?
sleep 0.1	# let tee finish
last=$(grep -E '[0-9]+ (passed|failed|error)' "$tmp/log" | tail -1)
p=$(grep -oE '[0-9]+ passed' <<<"$last" | grep -oE '[0-9]+')
f=$(grep -oE '[0-9]+ failed' <<<"$last" | grep -oE '[0-9]+')
e=$(grep -oE '[0-9]+ errors?' <<<"$last" | grep -oE '[0-9]+')
p=${p:-0} f=$(( ${f:-0} + ${e:-0} ))
[ $rc -ne 0 ] && [ $f -eq 0 ] && f=1
echo "python: $p passed, $f failed"
exit $rc
