#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Build and run the fuzz harnesses in tests/fuzz/ (they are not part of the
# Makefile).
#
#  1. gcc: each harness as a standalone program linked against
#     $O/libchip.a, run for a bounded number of deterministic mutations of
#     a valid seed (first argument, default 200000).
#  2. clang, if installed: each harness with libFuzzer, AddressSanitizer
#     and UBSan (-DCHIP_LIBFUZZER), started from the same seed and run for
#     FUZZ_TIME seconds (default 20).
#
# Usage: scripts/fuzz.sh [ITERATIONS]
# Environment: O (build directory, default build), CC (default cc),
# FUZZ_TIME, VALGRIND=1 (also run each standalone harness under valgrind
# for ITERATIONS / 100 inputs).
set -eu

cd "$(dirname "$0")/.."
O=${O:-build}
CC=${CC:-cc}
N=${1:-200000}
FUZZ_TIME=${FUZZ_TIME:-20}
HARNESSES="callable args graph"

# The core is included as "chipc.h"; -iquote keeps its headers from
# shadowing system headers.
INC="-Iuapi -Ilibchip/include -iquote kernel/core -iquote libchip/src -Itests/fuzz"
CFLAGS_F="-std=gnu11 -O2 -g -D_GNU_SOURCE -pthread -Wall -Wextra -Werror \
-Wno-unused-parameter"

# The sources the harnesses exercise, for the instrumented libFuzzer build.
CORE="kernel/core/hash.c kernel/core/platform.c kernel/core/callable.c \
kernel/core/isa_verify.c kernel/core/dedup.c kernel/core/args.c \
kernel/core/graph.c libchip/src/builder.c libchip/src/args.c \
libchip/src/deps_user.c"

mkdir -p "$O/fuzz"
make -s O="$O" lib

echo "== standalone (gcc), $N inputs each"
for h in $HARNESSES; do
	$CC $CFLAGS_F $INC -o "$O/fuzz/fuzz_$h" "tests/fuzz/fuzz_$h.c" \
		"$O/libchip.a" -ldl -lm
	"$O/fuzz/fuzz_$h" "$N"
	if [ "${VALGRIND:-0}" = 1 ] && command -v valgrind >/dev/null; then
		valgrind -q --error-exitcode=99 --leak-check=full \
			"$O/fuzz/fuzz_$h" $((N / 100))
	fi
done

if ! command -v clang >/dev/null; then
	echo "== clang not found: libFuzzer runs skipped"
	exit 0
fi

echo "== libFuzzer (clang, ASan + UBSan), ${FUZZ_TIME}s each"
for h in $HARNESSES; do
	bin="$O/fuzz/lf_$h"
	corpus="$O/fuzz/corpus_$h"
	clang $CFLAGS_F $INC -DCHIP_LIBFUZZER \
		-fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -fno-omit-frame-pointer \
		-o "$bin" "tests/fuzz/fuzz_$h.c" $CORE -ldl -lm
	mkdir -p "$corpus"
	"$O/fuzz/fuzz_$h" --seed "$corpus/seed"
	if ! "$bin" -max_total_time="$FUZZ_TIME" -rss_limit_mb=2048 \
		-artifact_prefix="$O/fuzz/crash_${h}_" -print_final_stats=1 \
		"$corpus" >"$O/fuzz/lf_$h.log" 2>&1; then
		tail -40 "$O/fuzz/lf_$h.log"
		echo "fuzz_$h: FAILED (log: $O/fuzz/lf_$h.log)"
		exit 1
	fi
	echo "-- fuzz_$h"
	tail -8 "$O/fuzz/lf_$h.log"
done
echo "== fuzzing done"
