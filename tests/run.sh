#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Run every unit and conformance test binary under a timeout; print a
# summary line "N passed, N failed".  Usage: tests/run.sh BUILD_DIR [WRAPPER...]
# CHIP_ONLY=conformance|soak runs one layer.
O=${1:-build}
[ $# -gt 0 ] && shift
TIMEOUT=${CHIP_TEST_TIMEOUT:-300}
passed=0 failed=0 skipped=0
case "${CHIP_ONLY:-}" in
conformance) tests="$O/tests/conformance/test_*" ;;
soak) tests="$O/tests/soak/test_*" ;;
*) tests="$O/tests/unit/test_* $O/tests/conformance/test_* $O/tests/soak/test_*" ;;
esac
for t in $tests; do
	[ -x "$t" ] || continue
	case "$t" in *.d|*.o) continue ;; esac
	out=$(timeout "$TIMEOUT" "$@" "$t" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' | tail -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ $rc -ne 0 ]; then
		[ "${f:-0}" -eq 0 ] && failed=$((failed + 1))
		printf '%s\n' "$out" | grep -v '^ok ' | tail -40
		echo "FAIL: $t (exit $rc)"
	else
		echo "PASS: $t (${p:-0} cases)"
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
