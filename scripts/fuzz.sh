#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Build and run the fuzz harnesses in tests/fuzz/ (they are not part of the
# Makefile): every parser and verifier of the core, each for a bounded
# number of executions.
#
#  1. gcc: each harness as a standalone program linked against
#     $O/libchip.a, run on ITERATIONS deterministic mutations of a valid
#     seed (first argument, default 100000).
#  2. clang, if installed: each harness with libFuzzer, AddressSanitizer
#     and UBSan (-DCHIP_LIBFUZZER), coverage-guided, for FUZZ_RUNS
#     executions (default 100000), starting from a corpus the script
#     generates (the standalone harness writes its seed; nothing binary
#     is kept in git).
#
# Usage: scripts/fuzz.sh [ITERATIONS]
#        scripts/fuzz.sh --long RUNS [HARNESS...]
#            only the libFuzzer build of each HARNESS (default: all), one
#            after the other, for RUNS executions each (the record in
#            Documentation/testing.rst uses 10000000); prints the
#            executions, coverage and corpus of each.
# Environment: O (build directory, default build), CC (default cc),
# FUZZ_RUNS, VALGRIND=1 (also run each standalone harness under valgrind
# for ITERATIONS / 100 inputs).
# A finding stops the script with the failing input in
# $O/fuzz/crash_HARNESS_*; run the libFuzzer binary on it to reproduce.
# The timeout of one input is 60 s of wall time: a niced run on a busy
# machine can stall for seconds (libFuzzer then also writes a
# slow-unit-* file, which is not a finding).
set -eu

cd "$(dirname "$0")/.."
O=${O:-build}
CC=${CC:-cc}
ALL="callable args graph isa run"
LONG=
if [ "${1:-}" = --long ]; then
	LONG=${2:?--long RUNS [HARNESS...]}
	shift 2
	HARNESSES=${*:-$ALL}
else
	N=${1:-100000}
	HARNESSES=$ALL
fi
FUZZ_RUNS=${LONG:-${FUZZ_RUNS:-100000}}

# The core is included as "chipc.h"; -iquote keeps its headers from
# shadowing system headers.
INC="-Iuapi -Ilibchip/include -iquote kernel/core -iquote libchip/src -Itests/fuzz"
CFLAGS_F="-std=gnu11 -O2 -g -D_GNU_SOURCE -pthread -Wall -Wextra -Werror \
-Wno-unused-parameter -ffp-contract=off"

# The sources the harnesses exercise, for the instrumented libFuzzer build:
# the whole core and the libchip units it needs in userspace.
CORE="$(ls kernel/core/*.c | tr '\n' ' ') libchip/src/builder.c \
libchip/src/args.c libchip/src/deps_user.c libchip/src/xxhash.c"

mkdir -p "$O/fuzz"
make -s O="$O" lib

if [ -z "$LONG" ]; then
	echo "== standalone (gcc), $N inputs each"
	for h in $HARNESSES; do
		$CC $CFLAGS_F $INC -o "$O/fuzz/fuzz_$h" "tests/fuzz/fuzz_$h.c" \
			"$O/libchip.a" -ldl -lm -pthread
		"$O/fuzz/fuzz_$h" "$N"
		if [ "${VALGRIND:-0}" = 1 ] && command -v valgrind >/dev/null
		then
			valgrind -q --error-exitcode=99 --leak-check=full \
				"$O/fuzz/fuzz_$h" $((N / 100))
		fi
	done
fi

if ! command -v clang >/dev/null; then
	echo "== clang not found: libFuzzer runs skipped"
	[ -z "$LONG" ] || exit 1
	exit 0
fi

echo "== libFuzzer (clang, ASan + UBSan), $FUZZ_RUNS executions each"
# The core, instrumented once for coverage and the sanitizers.
LFO="$O/fuzz/lf_obj"
mkdir -p "$LFO"
LF_OBJS=
for src in $CORE; do
	obj="$LFO/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
	clang $CFLAGS_F $INC -DCHIP_LIBFUZZER \
		-fsanitize=fuzzer-no-link,address,undefined \
		-fno-sanitize-recover=undefined -fno-omit-frame-pointer \
		-c -o "$obj" "$src"
	LF_OBJS="$LF_OBJS $obj"
done
for h in $HARNESSES; do
	bin="$O/fuzz/lf_$h"
	corpus="$O/fuzz/corpus_$h"
	log="$O/fuzz/lf_$h.log"
	clang $CFLAGS_F $INC -DCHIP_LIBFUZZER \
		-fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -fno-omit-frame-pointer \
		-o "$bin" "tests/fuzz/fuzz_$h.c" $LF_OBJS -ldl -lm
	# The seed corpus: the standalone harness's seed input.
	mkdir -p "$corpus"
	[ -x "$O/fuzz/fuzz_$h" ] ||
		$CC $CFLAGS_F $INC -o "$O/fuzz/fuzz_$h" "tests/fuzz/fuzz_$h.c" \
			"$O/libchip.a" -ldl -lm -pthread
	"$O/fuzz/fuzz_$h" --seed "$corpus/seed"
	t0=$(date +%s)
	if ! "$bin" -runs="$FUZZ_RUNS" -rss_limit_mb=2048 -timeout=60 \
		-artifact_prefix="$O/fuzz/crash_${h}_" -print_final_stats=1 \
		"$corpus" >"$log" 2>&1; then
		tail -40 "$log"
		echo "fuzz_$h: FAILED (log: $log)"
		exit 1
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
		tail -1)
	cov=$(grep -E '^#[0-9]+' "$log" | tail -1 |
		sed -n 's/.*cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\).*/cov \1, ft \2, corpus \3/p')
	echo "fuzz_$h: $runs executions in $(( $(date +%s) - t0 )) s, $cov, no finding"
done
echo "== fuzzing done"
