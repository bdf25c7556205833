#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# The manual pages as `make install` installs them: every symbol
# libchip.so exports (nm -D, and every global of libchip/libchip.map)
# has a section 3 page that names it in NAME and SYNOPSIS (its own page
# or a .so link to a shared one); every installed program has a section
# 1 page; the driver has chip(4); and every page renders with
# `man --warnings -l` and `groff -man -ww -z` without a warning.  A page
# with a deliberate error must produce a warning, so the check itself is
# known to work.  Needs man-db and groff-base (scripts/test-all.sh
# installs them).
#
#   tests/install/man.sh [BUILD_DIR]
#
# Prints PASS/FAIL lines and "N passed, N failed".
set -u
P=$(cd "$(dirname "$0")/../.." && pwd)
O=${1:-build-install}
T=$(mktemp -d /tmp/chip-man.XXXXXX)
D=$T/root
PREFIX=/usr/local
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "PASS: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
finish() {
	echo "$passed passed, $failed failed"
	rm -rf "$T"
	[ "$failed" -eq 0 ]
	exit
}
for c in man groff nm; do
	command -v $c > /dev/null || { bad "$c is not installed"; finish; }
done

cd "$P" || exit 1
if ! make -s -j"$(nproc)" O="$O" install DESTDIR="$D" PREFIX=$PREFIX \
	> "$T/install.log" 2>&1; then
	tail -n 20 "$T/install.log"
	bad "make install DESTDIR"
	finish
fi
M=$D$PREFIX/share/man
L=$D$PREFIX/lib
[ -d "$M/man3" ] && ok "make install puts the pages in \$(MANDIR)" ||
	{ bad "no $M/man3"; finish; }

# render PAGE: no warning from man -l and groff -ww (from MANDIR, where
# the .so links resolve).
render() {
	local page=$1 out
	out=$(cd "$M" && MANWIDTH=80 man --warnings -l "$page" 2>&1 > /dev/null) ||
		{ echo "man -l $page failed: $out"; return 1; }
	[ -z "$out" ] || { echo "$out"; return 1; }
	out=$(cd "$M" && groff -man -ww -z "$page" 2>&1)
	[ -z "$out" ] || { echo "$out"; return 1; }
	return 0
}

# The check sees a broken page.
mkdir -p "$T/neg/man3"
printf '.TH X 3\n.SH NAME\nx \\- y\n.XX undefined macro\n\\fBunclosed\n.BI\n' \
	> "$T/neg/man3/x.3"
if (M=$T/neg; render man3/x.3) > /dev/null; then
	bad "a broken page renders without a warning (the check is blind)"
else
	ok "a broken page gets a warning"
fi

# The exported symbols, the version script's, and their pages.
nm -D --defined-only "$L"/libchip.so.*.*.* | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' |
	sort -u > "$T/exported"
sed -n 's/^[[:space:]]*\(chip_[a-z0-9_]*\);$/\1/p' libchip/libchip.map | sort -u > "$T/map"
if [ -s "$T/exported" ] && cmp -s "$T/exported" "$T/map"; then
	ok "nm -D: the $(wc -l < "$T/exported") symbols of libchip.map"
else
	diff "$T/exported" "$T/map" | head
	bad "nm -D and libchip.map differ"
fi
missing=0
while read -r sym; do
	page=man3/$sym.3
	if [ ! -f "$M/$page" ]; then
		bad "$sym has no page"
		missing=$((missing + 1))
		continue
	fi
	target=$page
	if head -n 1 "$M/$page" | grep -q '^\.so '; then
		target=$(sed -n '1s/^\.so //p' "$M/$page")
		[ "$(wc -l < "$M/$page")" = 1 ] && [ -f "$M/$target" ] ||
			{ bad "$page: a .so link to a missing page"; continue; }
	fi
	# NAME lists it; SYNOPSIS declares it.
	text=$(cd "$M" && MANWIDTH=200 man -l "$page" 2>/dev/null)
	name=$(printf '%s\n' "$text" | sed -n '/^NAME/,/^SYNOPSIS/p')
	if ! printf '%s\n' "$name" | grep -qw "$sym"; then
		bad "$page: NAME does not list $sym"
		missing=$((missing + 1))
	elif ! printf '%s\n' "$text" | grep -q "[ *]$sym("; then
		bad "$page: SYNOPSIS does not declare $sym()"
		missing=$((missing + 1))
	fi
done < "$T/exported"
[ $missing = 0 ] && ok "every exported symbol has a section 3 page naming and declaring it"

# Every installed program, and the driver.
for b in "$D$PREFIX"/bin/*; do
	n=$(basename "$b")
	[ -f "$M/man1/$n.1" ] && ok "$n(1)" || bad "$n has no page in section 1"
done
[ -f "$M/man4/chip.4" ] && ok "chip(4)" || bad "no chip(4)"

# Every installed page renders without a warning.
n=0 f=0
for page in "$M"/man[134]/*; do
	rel=${page#"$M"/}
	n=$((n + 1))
	if ! out=$(render "$rel"); then
		f=$((f + 1))
		bad "$rel renders with warnings: $(echo "$out" | head -n 3)"
	fi
done
[ $f = 0 ] && ok "all $n pages render with man -l and groff -ww without a warning"

# Every page is removed by make uninstall.
make -s O="$O" uninstall DESTDIR="$D" PREFIX=$PREFIX > /dev/null 2>&1
left=$(find "$M" -type f 2>/dev/null | head -n 3)
[ -z "$left" ] && ok "make uninstall removes the pages" ||
	bad "make uninstall leaves $left"
finish
