#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Every page of Documentation/ parses as reStructuredText without an
# error (docutils at report level 3: malformed tables, bad indentation,
# unknown link targets), as the kernel's Sphinx build would require.
# The one Sphinx role the pages use, :class:, is not in plain docutils
# and is not reported.  A page with a deliberate error must fail, so the
# check itself is known to work.  Needs python3-docutils
# (scripts/test-all.sh installs it).
#
#   tests/install/docs.sh
#
# Prints PASS/FAIL lines and "N passed, N failed".
set -u
P=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/chip-docs.XXXXXX)
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "PASS: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# errors of one page, one per line, without the Sphinx-only roles
errors() {
	/usr/bin/python3 -m docutils --report=3 --halt=5 "$1" /dev/null 2>&1 |
		grep -E '\((ERROR|SEVERE)/[34]\)' |
		grep -v 'Unknown interpreted text role "class"'
}

cat > "$T/bad.rst" <<'RST'
Title
=====

=====  =====
a      b
=====  =====
toolongcell x
=====  =====
RST
if [ -n "$(errors "$T/bad.rst")" ]; then
	ok "a malformed table is reported"
else
	bad "a malformed table is not reported: the check does not work"
fi

n=0 f=0
for page in "$P"/Documentation/*.rst; do
	n=$((n + 1))
	out=$(errors "$page")
	if [ -n "$out" ]; then
		f=$((f + 1))
		bad "${page#"$P"/}: $(echo "$out" | head -n 3)"
	fi
done
[ $f = 0 ] && ok "all $n pages of Documentation/ parse without an error"
echo "$passed passed, $failed failed"
rm -rf "$T"
[ "$failed" -eq 0 ]
