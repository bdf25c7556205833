#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# chipctl's test (Documentation/chipctl.rst): on a2a3sim and a5sim, its
# --json output is one valid JSON object for every command; `info` is
# chip_info(); `stats` after a known sequence of registrations and runs
# is chip_counters() after the same sequence (tests/tools/chipctl_ref.c)
# and the values that sequence must give; `dedup` lists the resident
# callables with their hashes, sizes, references and cids; `run` of the
# vector example image (both runtimes) prints ok and writes 16384 times
# 47.0; and each documented exit code: 1 for a failed run, 2 for bad
# arguments, 3 without a device, 4 for a bad image; `trace` of the
# vector example (both runtimes) writes Chrome Trace Event JSON with its
# 5 tasks, one "X" event each, disjoint on every core lane, each a child
# of the image, and its --json summary agrees.
#
#   tests/tools/run.sh [BUILD_DIR] [PLATFORM...]    (default: build, both sims)
#
# A platform of the kernel backend (a2a3, a5) runs the same checks on
# the device, in a guest with chip.ko.  Needs python3.  Prints PASS/FAIL
# lines and "N passed, N failed".
set -u
P=$(cd "$(dirname "$0")/../.." && pwd)
O=${1:-build}
[ $# -gt 0 ] && shift
PLATS=${*:-a2a3sim a5sim}
case $O in /*) ;; *) O=$P/$O ;; esac
C=$O/tools/chipctl
REF=$O/tests/tools/chipctl_ref
T=$(mktemp -d /tmp/chip-chipctl.XXXXXX)
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "PASS: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
finish() {
	echo "$passed passed, $failed failed"
	rm -rf "$T"
	[ "$failed" -eq 0 ]
	exit
}
for f in "$C" "$REF"; do
	[ -x "$f" ] || { bad "$f not built (make tools tests)"; finish; }
done
command -v python3 > /dev/null || { bad "python3 missing"; finish; }

# expect_exit WANT WHAT CMD...: CMD's exit code is WANT.
expect_exit() {
	local want=$1 what=$2 rc
	shift 2
	"$@" > "$T/out" 2> "$T/err"
	rc=$?
	if [ "$rc" = "$want" ]; then
		ok "$what: exit $want"
	else
		bad "$what: exit $rc, want $want"
		head -n 5 "$T/err"
	fi
}

# pycheck WHAT SCRIPT ARGS...: a python assertion over JSON files.
pycheck() {
	local what=$1
	shift
	if python3 - "$@" > "$T/py" 2>&1; then
		ok "$what"
	else
		bad "$what"
		tail -n 5 "$T/py"
	fi
}

VEC="-t f32:16384:fill=2 -t f32:16384:fill=3"

for p in $PLATS; do
	I=$T/$p
	mkdir -p "$I"
	"$REF" images "$I" "$p" || { bad "$p: chipctl_ref images"; continue; }

	# Every command's --json: one object, nothing else on stdout.
	for cmd in list info stats dedup; do
		"$C" --json -p "$p" $cmd > "$I/$cmd.json" 2> "$I/$cmd.err"
		rc=$?
		pycheck "$p: chipctl --json $cmd is one JSON object (exit $rc)" \
			"$I/$cmd.json" "$cmd" <<-'EOF'
		import json, sys
		j = json.load(open(sys.argv[1]))
		assert isinstance(j, dict) and j["command"] == sys.argv[2], j
		EOF
	done

	# info is chip_info().
	"$REF" info "$p" > "$I/info-ref.json"
	pycheck "$p: chipctl --json info matches chip_info()" \
		"$I/info.json" "$I/info-ref.json" <<-'EOF'
	import json, sys
	got, ref = (json.load(open(f)) for f in sys.argv[1:3])
	for k, v in ref.items():
	    assert got[k] == v, (k, got[k], v)
	assert got["limits"]["cids"] == 64 and got["dedup_scope"], got
	EOF

	# stats: a known sequence, chipctl vs libchip in this process.
	"$C" --json -p "$p" run -r "$I/vector_hbg.img" -r "$I/vector_tmr.img" \
		-n 3 --stats "$I/vector_tmr.img" $VEC -t f32:16384 \
		> "$I/seq.json" 2> "$I/seq.err" || cat "$I/seq.err"
	"$REF" stats "$p" 3 "$I/vector_tmr.img" "$I/vector_hbg.img" \
		"$I/vector_tmr.img" > "$I/seq-ref.json"
	pycheck "$p: chipctl run --stats counters match chip_counters()" \
		"$I/seq.json" "$I/seq-ref.json" "$p" <<-'EOF'
	import json, sys
	got = json.load(open(sys.argv[1]))["client"]
	ref = json.load(open(sys.argv[2]))
	assert got == ref, (got, ref)
	# two uploads, one hit; one host orchestration; three runs ok
	want = dict(dedup_hits=1, dedup_misses=2, registered=3, host_loads=1,
	            resident_callables=2)
	for k, v in want.items():
	    assert got[k] == v, (k, got[k], v)
	assert got["runs"]["ok"] == 3 and sum(got["runs"].values()) == 3
	assert got["gm_used"] >= 3 * 65536
	EOF
	pycheck "$p: stats: device-wide figures on the kernel backend only" \
		"$I/seq.json" "$p" <<-'EOF'
	import json, sys
	j = json.load(open(sys.argv[1]))
	if sys.argv[2].endswith("sim"):
	    assert j["device"] is None and j["simulated"] is True
	else:
	    d = j["device"]
	    assert d["dedup_misses"] >= j["client"]["dedup_misses"]
	    assert d["files"] >= 2 and d["resident_callables"] >= 2
	EOF

	# A failed run: exit 1, its status, counted as such.
	expect_exit 1 "$p: run of an orchestration that fails" \
		"$C" --json -p "$p" run --stats "$I/fatal.img" $VEC -t f32:16384
	pycheck "$p: the failed run's status and counters" "$T/out" <<-'EOF'
	import json, sys
	j = json.load(open(sys.argv[1]))
	assert j["status"] == "orch_error" and j["ok"] == 0, j
	assert j["result"]["code"] == 9, j["result"]
	assert j["client"]["runs"]["orch_error"] == 1, j["client"]
	assert j["outputs"] == [], j
	EOF

	# dedup: hash, size, references and cids of each resident callable.
	if [ "${p%sim}" != "$p" ]; then
		"$C" --json -p "$p" dedup -r "$I/vector_tmr.img" \
			-r "$I/vector_hbg.img" -r "$I/vector_tmr.img" \
			> "$I/dedup.json" 2> "$I/dedup.err"
		"$REF" layout "$I/vector_tmr.img" > "$I/tmr.json"
		"$REF" layout "$I/vector_hbg.img" > "$I/hbg.json"
		pycheck "$p: dedup lists hash, size, refs and cids" \
			"$I/dedup.json" "$I/tmr.json" "$I/hbg.json" <<-'EOF'
		import json, sys
		j = json.load(open(sys.argv[1]))
		tmr, hbg = (json.load(open(f)) for f in sys.argv[2:4])
		e = {x["hash"]: x for x in j["entries"]}
		assert len(e) == 2 and j["resident_callables"] == 2, j
		assert j["scope"] == "file", j
		a, b = e[tmr["key"]], e[hbg["key"]]
		assert (a["size"], a["refs"], a["cids"]) == (tmr["size"], 2, [0, 2]), a
		assert (b["size"], b["refs"], b["cids"]) == (hbg["size"], 1, [1]), b
		assert a["runtime"] == "tensormap_and_ringbuffer" and a["children"] == 3
		assert j["resident_bytes"] == tmr["size"] + hbg["size"], j
		EOF
		"$C" -p "$p" dedup -r "$I/vector_tmr.img" > "$I/dedup.txt"
		h=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["key"][2:])' "$I/tmr.json")
		if grep -q "^$h " "$I/dedup.txt"; then
			ok "$p: dedup text lists the image's key"
		else
			bad "$p: dedup text lists the image's key"
		fi
	else
		"$C" --json -p "$p" dedup -r "$I/vector_tmr.img" \
			-r "$I/vector_tmr.img" > "$I/dedup.json" 2> "$I/dedup.err"
		"$REF" layout "$I/vector_tmr.img" > "$I/tmr.json"
		pycheck "$p: dedup lists the image with its two references" \
			"$I/dedup.json" "$I/tmr.json" <<-'EOF'
		import json, sys
		j = json.load(open(sys.argv[1]))
		tmr = json.load(open(sys.argv[2]))
		e = [x for x in j["entries"] if x["hash"] == tmr["key"]]
		assert len(e) == 1 and e[0]["size"] == tmr["size"], j
		assert e[0]["refs"] >= 2, e
		EOF
	fi

	# chip_dedup_list() itself.
	if "$REF" dedup-api "$p" "$I/vector_tmr.img" "$I/vector_hbg.img"; then
		ok "$p: chip_dedup_list(): errors, short array, refs and cids"
	else
		bad "$p: chip_dedup_list(): errors, short array, refs and cids"
	fi

	# run: the vector example's image on both runtimes: ok, 47.0.
	for rt in tmr hbg; do
		rm -f "$I/f.bin"
		expect_exit 0 "$p: run vector_$rt.img" \
			"$C" -p "$p" run "$I/vector_$rt.img" $VEC \
			-t "f32:16384:out=$I/f.bin"
		if grep -q "^ok " "$T/out" && grep -q "tensor 2 f32\[16384\].*: 47 47 47 47 47 47 47 47 ...  min 47 max 47" "$T/out"; then
			ok "$p: run vector_$rt.img prints ok and 47"
		else
			bad "$p: run vector_$rt.img prints ok and 47"
			cat "$T/out"
		fi
		pycheck "$p: run vector_$rt.img writes 16384 x 47.0" \
			"$I/f.bin" <<-'EOF'
		import struct, sys
		b = open(sys.argv[1], "rb").read()
		assert len(b) == 16384 * 4, len(b)
		v = struct.unpack("<16384f", b)
		assert all(x == 47.0 for x in v), [x for x in v if x != 47.0][:4]
		EOF
	done
	# trace: the vector example's timeline as Chrome Trace Event JSON.
	for rt in tmr hbg; do
		rm -f "$I/trace.json"
		expect_exit 0 "$p: trace vector_$rt.img" \
			"$C" --json -p "$p" trace "$I/vector_$rt.img" $VEC \
			-t f32:16384 -o "$I/trace.json"
		pycheck "$p: trace vector_$rt.img: 5 tasks, disjoint per core, children of the image" \
			"$I/trace.json" "$T/out" "$I/vector_$rt.img" <<-'EOF'
		import json, struct, sys
		t = json.load(open(sys.argv[1]))
		j = json.load(open(sys.argv[2]))
		img = open(sys.argv[3], "rb").read()
		# struct chip_callable_hdr: child_count at 36, func_ids at 424,
		# offsets at 4520; struct chip_child_hdr: core_type at 48.
		n = struct.unpack_from("<I", img, 36)[0]
		ids = struct.unpack_from("<%di" % n, img, 424)
		offs = struct.unpack_from("<%dI" % n, img, 4520)
		core = {f: ("AIC", "AIV")[struct.unpack_from("<I", img, o + 48)[0]]
		        for f, o in zip(ids, offs)}
		ev = t["traceEvents"]
		names = {(e["pid"], e["tid"]): e["args"]["name"] for e in ev
		         if e["ph"] == "M" and e["name"] == "thread_name"}
		x = [e for e in ev if e["ph"] == "X"]
		assert len(x) == 5, len(x)
		assert sorted(e["args"]["task"] for e in x) == list(range(5)), x
		lanes = {}
		for e in x:
		    assert e["dur"] >= 0 and e["ts"] >= 0, e
		    assert e["args"]["end_ns"] >= e["args"]["start_ns"], e
		    f = e["args"]["func_id"]
		    assert f in core, (f, core)
		    lane = names[(e["pid"], e["tid"])]
		    assert lane == e["args"]["core"], (lane, e)
		    assert lane.split()[0] == core[f], (lane, core[f])
		    assert e["ts"] * 1000 <= j["result"]["device_ns"], e
		    lanes.setdefault(lane, []).append(
		        (e["args"]["start_ns"], e["args"]["end_ns"]))
		for lane, iv in lanes.items():
		    iv.sort()
		    for a, b in zip(iv, iv[1:]):
		        assert a[1] <= b[0], (lane, a, b)
		assert j["command"] == "trace" and j["status"] == "ok", j
		s = j["trace"]
		assert (s["spans"], s["tasks"], s["dropped"]) == (5, 5, 0), s
		assert s["cores"] == len(lanes), (s, lanes)
		assert t["otherData"] == {"tasks": 5, "spans": 5}, t["otherData"]
		EOF
	done
	# Without --output the trace itself is stdout.
	"$C" -p "$p" trace "$I/vector_tmr.img" $VEC -t f32:16384 > "$I/t.json"
	pycheck "$p: trace without -o writes the JSON to stdout" "$I/t.json" <<-'EOF'
	import json, sys
	t = json.load(open(sys.argv[1]))
	assert len([e for e in t["traceEvents"] if e["ph"] == "X"]) == 5
	EOF

	# The image built from chipasm's programs (--orch, --child) is the
	# builder's, byte for byte, and runs to 47.0.
	A=$O/tools/chipasm
	for s in orch_vector vec_add vec_add_scalar vec_mul; do
		"$A" -o "$I/$s.bin" "$I/$s.s" || bad "$p: chipasm $s.s"
	done
	rm -f "$I/f.bin"
	expect_exit 0 "$p: run --orch/--child of chipasm's programs" \
		"$C" --json -p "$p" run --orch "$I/orch_vector.bin" \
		--child "0:aiv:$I/vec_add.bin" --child "1:aiv:$I/vec_add_scalar.bin" \
		--child "2:aiv:$I/vec_mul.bin" --save "$I/built.img" $VEC \
		-t "f32:16384:out=$I/f.bin"
	"$REF" layout "$I/vector_tmr.img" > "$I/tmr.json"
	pycheck "$p: --save writes the builder's image; the run gives 47.0" \
		"$T/out" "$I/tmr.json" "$I/built.img" "$I/vector_tmr.img" "$I/f.bin" <<-'EOF'
	import json, struct, sys
	j, ref = (json.load(open(f)) for f in sys.argv[1:3])
	assert j["status"] == "ok" and j["image"]["hash"] == ref["hash"], (j, ref)
	assert open(sys.argv[3], "rb").read() == open(sys.argv[4], "rb").read()
	v = struct.unpack("<16384f", open(sys.argv[5], "rb").read())
	assert set(v) == {47.0}, set(v)
	EOF

	# Inputs from files: a and b as raw float32.
	python3 -c 'import struct,sys; open(sys.argv[1],"wb").write(struct.pack("<16384f",*[float(i%7) for i in range(16384)]))' "$I/a.bin"
	python3 -c 'import struct,sys; open(sys.argv[1],"wb").write(struct.pack("<16384f",*[0.5]*16384))' "$I/b.bin"
	"$C" -p "$p" --json run "$I/vector_tmr.img" -t "f32:16384:file=$I/a.bin" \
		-t "f32:16384:file=$I/b.bin" -t "f32:16384:out=$I/f.bin" > "$I/files.json"
	pycheck "$p: run with tensors from files: (a+b+1)*(a+b+2)+(a+b)" \
		"$I/f.bin" "$I/files.json" <<-'EOF'
	import json, struct, sys
	v = struct.unpack("<16384f", open(sys.argv[1], "rb").read())
	for i, x in enumerate(v):
	    c = (i % 7) + 0.5
	    assert x == (c + 1) * (c + 2) + c, (i, x)
	j = json.load(open(sys.argv[2]))
	assert j["outputs"][0]["min"] == 4.25 and j["outputs"][0]["max"] == 70.25, j
	EOF
done

# Exit codes of bad arguments, of failures, of the unsupported.
p=${PLATS%% *}
I=$T/$p
for args in "" "nosuch" "run" "info extra" "-p nosuch info" "--nosuch info" \
	"info -t f32:4" "run x -t f99:4" "run x -t f32:0" "run x -t f32:4:fill=q" \
	"run x -t f32:4:what=1" "run x -s 1.5" "run x -n 0" "stats -n 2" \
	"info -r x" "-p a2a3sim -d 0 info" "list -d 0" "run --child 0:aiv:x" \
	"run --orch o --child 0:gpu:x" "run --orch o --child x:aiv:y" "info --orch o" \
	"trace" "--json trace x" "run x -o y.json" "trace x y"; do
	# shellcheck disable=SC2086
	expect_exit 2 "chipctl $args" "$C" $args
	grep -q "usage: chipctl" "$T/err" || bad "chipctl $args: no usage on stderr"
	[ -s "$T/out" ] && bad "chipctl $args: output on stdout"
done
expect_exit 0 "chipctl --help" "$C" --help
grep -q "^usage: chipctl" "$T/out" || bad "chipctl --help: no usage"
expect_exit 4 "run of a file that is not an image" \
	"$C" --json -p "$p" run "$P/README.md"
pycheck "a failure with --json still prints one object" "$T/out" <<-'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["error"]["exit"] == 4 and j["error"]["errno"].startswith("E"), j
EOF
expect_exit 4 "run of a missing file" "$C" -p "$p" run "$T/nosuch.img"
other=a5sim; [ "$p" = a5sim ] && other=a2a3sim
[ -d "$T/$p" ] && expect_exit 4 "run of a $p image on $other" \
	"$C" -p $other run "$I/vector_tmr.img"
if ! ls /sys/class/accel/accel* > /dev/null 2>&1 &&
	! grep -qs chip /sys/class/drm/renderD*/device/uevent; then
	expect_exit 3 "info on a2a3 without a device" "$C" --json -p a2a3 info
	pycheck "no device: the JSON error names ENODEV" "$T/out" <<-'EOF'
	import json, sys
	j = json.load(open(sys.argv[1]))
	assert j["error"]["exit"] == 3 and j["error"]["errno"] == "ENODEV", j
	EOF
fi
finish
