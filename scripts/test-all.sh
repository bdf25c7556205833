#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Every test layer, in order; the README's test command.
#
#   1. userspace: unit tests + the conformance suite on a2a3sim and a5sim;
#      install: make install into a staging root, C and C++ programs
#      built against it with pkg-config alone (tests/install/run.sh);
#      clang: the whole userspace build and unit suite with CC=clang;
#      python: the Python package's pytest suite (tests/python/run.sh);
#      tools: chipctl against libchip (tests/tools/run.sh); man: every
#      exported symbol, tool and the driver have a page that renders
#      without warnings (tests/install/man.sh); docs: every page of
#      Documentation/ parses as reStructuredText (tests/install/docs.sh)
#   2. the same (with the multi-threaded soak) under ASan/UBSan and under
#      valgrind; the conformance suite and the soak under TSan
#   3. fuzz harnesses, bounded
#   4. kernel: checkpatch, the QEMU matrix (module + the same conformance
#      suite on Debian 6.1 / 6.12 / 7.x kernels), KUnit under UML
#
# CHIP_SKIP="kernel kunit ..." skips stages by name.  Prints one closing
# line "N passed, N failed" over all stages.
set -u
cd "$(dirname "$0")/.."
TOP=$PWD
export CHIP_WORK=${CHIP_WORK:-/var/tmp/chip-ci}
mkdir -p "$CHIP_WORK"
JOBS=$(nproc)
passed=0 failed=0
declare -a results

skip() { case " ${CHIP_SKIP:-} " in *" $1 "*) return 0 ;; esac; return 1; }

stage() {
	local name=$1; shift
	if skip "$name"; then
		echo "=== $name: skipped (CHIP_SKIP)"
		return
	fi
	echo "=== $name"
	local t0=$SECONDS log="$CHIP_WORK/stage-$name.log"
	"$@" > >(tee "$log") 2>&1
	local rc=$?
	local p f
	# "N passed, N failed", possibly after one "word:"
	p=$(sed -n 's/^\([a-z-]*: \)\{0,1\}\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\2/p' "$log" | tail -1)
	f=$(sed -n 's/^\([a-z-]*: \)\{0,1\}\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\3/p' "$log" | tail -1)
	p=${p:-0} f=${f:-0}
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	# a stage with no tally of its own counts as one check
	if [ $rc -eq 0 ] && [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then p=1; fi
	passed=$((passed + p)) failed=$((failed + f))
	results+=("$(printf '%-12s %4s passed %3s failed  rc=%d  %4ds' "$name" "$p" "$f" $rc $((SECONDS - t0)))")
}

need_pkgs() { scripts/need-pkgs.sh "$@"; }

userspace() {
	make -s -j"$JOBS" O=build lib tools tests || return 1
	local rc=0 log=$CHIP_WORK/userspace-runs.log
	CHIP_PLATFORM=a2a3sim tests/run.sh build > >(tee "$log") || rc=1
	# the conformance suite again on the other platform
	CHIP_PLATFORM=a5sim CHIP_ONLY=conformance tests/run.sh build \
		> >(tee -a "$log") || rc=1
	for ex in vector_example workloads_example; do
		build/tools/examples/$ex a5sim || rc=1
	done
	sleep 0.1	# let tee finish
	# one tally over both platforms
	awk '/^[0-9]+ passed, [0-9]+ failed$/ { p += $1; f += $3 }
	     END { printf "%d passed, %d failed\n", p, f }' "$log"
	return $rc
}

sanitizers() {
	make -s -j"$JOBS" O=build-san SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" lib tools tests || return 1
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		CHIP_PLATFORM=a2a3sim tests/run.sh build-san
}

# The conformance suite and the multi-threaded soak under ThreadSanitizer.
tsan() {
	make -s -j"$JOBS" O=build-tsan SAN="-fsanitize=thread -fno-omit-frame-pointer" lib tests || return 1
	local rc=0 log=$CHIP_WORK/tsan-runs.log
	: > "$log"
	for only in conformance soak; do
		TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
			CHIP_PLATFORM=a2a3sim CHIP_ONLY=$only \
			tests/run.sh build-tsan > >(tee -a "$log") || rc=1
	done
	sleep 0.1	# let tee finish
	awk '/^[0-9]+ passed, [0-9]+ failed$/ { p += $1; f += $3 }
	     END { printf "%d passed, %d failed\n", p, f }' "$log"
	return $rc
}

valgrind_stage() {
	need_pkgs valgrind || return 1
	# --fair-sched: valgrind runs one thread at a time, and by default a
	# spinning emulated core can keep a waiting or cancelling thread from
	# running for seconds.
	# The soak at a quarter of its operations: valgrind runs one thread
	# at a time.
	CHIP_SOAK_OPS=1000 \
	CHIP_PLATFORM=a2a3sim CHIP_TEST_TIMEOUT=900 tests/run.sh build \
		valgrind -q --fair-sched=yes --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect
}

clang_stage() {
	need_pkgs clang || return 1
	make -s -j"$JOBS" O=build-clang CC=clang lib tools tests || return 1
	CHIP_PLATFORM=a2a3sim tests/run.sh build-clang
}

python_stage() {
	need_pkgs python3-cffi python3-pytest python3-numpy || return 1
	tests/python/run.sh build
}

man_stage() {
	need_pkgs man-db groff-base || return 1
	tests/install/man.sh build
}

docs_stage() {
	need_pkgs python3-docutils || return 1
	tests/install/docs.sh
}

need_pkgs build-essential make pkg-config liburing-dev libdrm-dev python3
stage userspace userspace
stage install tests/install/run.sh build
stage tools tests/tools/run.sh build
stage man man_stage
stage docs docs_stage
stage clang clang_stage
stage python python_stage
stage sanitizers sanitizers
stage tsan tsan
stage valgrind valgrind_stage
[ -x scripts/fuzz.sh ] && stage fuzz scripts/fuzz.sh
[ -x scripts/checkpatch.sh ] && stage checkpatch scripts/checkpatch.sh --core
[ -x scripts/qemu-test.sh ] && stage kernel scripts/qemu-test.sh
[ -x scripts/kunit.sh ] && stage kunit scripts/kunit.sh
[ -x scripts/kunit.sh ] && stage kunit-debug scripts/kunit.sh debug

echo
echo "=== summary"
printf '%s\n' "${results[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
