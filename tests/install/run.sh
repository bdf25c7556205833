#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# The install test: `make install DESTDIR=<tmp>`, then out-of-tree C and
# C++ programs built with nothing but `pkg-config --cflags --libs
# libchip` (shared) and `pkg-config --static` (static), run on a2a3sim;
# the shared library's SONAME, its exports (exactly chip.h's functions,
# with symbol versions), the installed tools, every tool's --help and
# refusal of a bad argument, and `make uninstall`.
#
#   tests/install/run.sh [BUILD_DIR]       (CC, CXX: the compilers)
#
# Prints PASS/FAIL lines and "N passed, N failed".
set -u
P=$(cd "$(dirname "$0")/../.." && pwd)
O=${1:-build-install}
CC=${CC:-cc}
CXX=${CXX:-c++}
T=$(mktemp -d /tmp/chip-install.XXXXXX)
D=$T/root
PREFIX=/usr/local
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "PASS: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
finish() {
	echo "$passed passed, $failed failed"
	rm -rf "$T"
	[ "$failed" -eq 0 ]
	exit
}

cd "$P" || exit 1
if ! make -s -j"$(nproc)" O="$O" CC="$CC" install DESTDIR="$D" PREFIX=$PREFIX \
	> "$T/install.log" 2>&1; then
	tail -n 30 "$T/install.log"
	bad "make install DESTDIR"
	finish
fi
ok "make install DESTDIR"
L=$D$PREFIX/lib
I=$D$PREFIX/include
VERSION=$(sed -n 's/^Version: //p' "$L/pkgconfig/libchip.pc")
SONAME=libchip.so.${VERSION%%.*}

for f in "$L/libchip.a" "$L/libchip.so.$VERSION" "$L/$SONAME" "$L/libchip.so" \
	 "$L/pkgconfig/libchip.pc" "$I/chip/chip.h" "$I/chip/version.h" \
	 "$I/chip/uapi/chip_callable.h" "$I/chip/uapi/chip_isa.h" \
	 "$I/chip/uapi/drm/chip_accel.h" "$D$PREFIX/bin/chipasm"; do
	[ -e "$f" ] || bad "installed: ${f#$D}"
done
ok "installed files ($VERSION)"
check "dkms.conf is version $VERSION" \
	grep -q "^PACKAGE_VERSION=\"$VERSION\"$" dkms.conf

# The shared library: its SONAME, and exactly chip.h's functions exported.
check "SONAME $SONAME" \
	sh -c "readelf -d '$L/libchip.so.$VERSION' | grep -q 'SONAME.*\[$SONAME\]'"
sed -n 's/^[a-z_ 0-9]*[ *]\(chip_[a-z0-9_]*\)(.*/\1/p' "$I/chip/chip.h" |
	sort -u > "$T/declared"
nm -D --defined-only "$L/libchip.so.$VERSION" | awk '$2 == "T" { print $3 }' |
	sort > "$T/exported"
sed 's/@@.*//' "$T/exported" > "$T/exported-names"
if [ -s "$T/declared" ] && cmp -s "$T/declared" "$T/exported-names"; then
	ok "nm -D: the $(wc -l < "$T/declared") functions of chip.h, nothing else"
else
	diff "$T/declared" "$T/exported-names" | head -n 20
	bad "nm -D: exports differ from chip.h"
fi
if nm -D --defined-only "$L/libchip.so.$VERSION" | grep -v ' A ' | grep -qv '@@CHIP_'; then
	bad "every export has a CHIP_ symbol version"
else
	ok "every export has a CHIP_ symbol version"
fi

# Out-of-tree programs: a copy of the sources, the installed tree only.
export PKG_CONFIG_PATH=$L/pkgconfig PKG_CONFIG_SYSROOT_DIR=$D
export PKG_CONFIG_LIBDIR=/usr/lib/x86_64-linux-gnu/pkgconfig:/usr/lib/pkgconfig:/usr/share/pkgconfig
cp tests/install/hello.c tests/install/hello.cpp "$T/"
cd "$T" || exit 1
W="-Wall -Wextra -Werror"
build() {	# build NAME COMPILER SOURCE [--static]
	local name=$1 cc=$2 src=$3 st=${4:-} ld=
	[ -n "$st" ] && ld=-static
	# shellcheck disable=SC2046
	$cc $W -o "$name" "$src" $ld $(pkg-config $st --cflags --libs libchip) \
		> "$name.log" 2>&1 ||
		{ cat "$name.log"; return 1; }
	grep -v "statically linked applications requires at runtime" "$name.log" |
		grep -i "warning" && return 1
	return 0
}
run() {		# run NAME: on a2a3sim, with the staged library
	LD_LIBRARY_PATH=$L ./"$1" a2a3sim
}
linked_shared() { readelf -d "$1" | grep -q "NEEDED.*\[$SONAME\]"; }
linked_static() { ! readelf -d "$1" 2>/dev/null | grep -q NEEDED; }
check "C, shared: build with pkg-config --cflags --libs libchip" build hello-c "$CC" hello.c
check "C, shared: needs $SONAME" linked_shared hello-c
check "C, shared: runs on a2a3sim" run hello-c
check "C, static: build with pkg-config --static" build hello-c-static "$CC" hello.c --static
check "C, static: no shared libraries" linked_static hello-c-static
check "C, static: runs on a2a3sim" run hello-c-static
check "C++, shared: build" build hello-cxx "$CXX" hello.cpp
check "C++, shared: needs $SONAME" linked_shared hello-cxx
check "C++, shared: runs on a2a3sim" run hello-cxx
check "C++, static: build" build hello-cxx-static "$CXX" hello.cpp --static
check "C++, static: runs on a2a3sim" run hello-cxx-static
check "chip_open of a missing device: -ENODEV, a message" \
	sh -c "LD_LIBRARY_PATH=$L ./hello-c a5 2>&1 | grep -q 'No such device: a5: '"
check "installed chipasm --help" "$D$PREFIX/bin/chipasm" --help
cd "$P" || exit 1

# Every program of tools/: --help answers, a bad argument is refused.
for t in "$O"/tools/* "$O"/tools/examples/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	case $t in *.d|*.o|*.so) continue ;; esac
	n=${t#"$O"/}
	"$t" --help > "$T/help" 2>&1
	rc=$?
	[ $rc = 0 ] && grep -q '^usage: ' "$T/help" || { bad "$n --help (exit $rc)"; continue; }
	"$t" --no-such-option > "$T/out" 2> "$T/err"
	rc=$?
	[ $rc = 2 ] && grep -q 'usage: ' "$T/err" || { bad "$n rejects a bad argument (exit $rc)"; continue; }
	ok "$n: --help, and a bad argument gets the usage and exit 2"
done

# make uninstall removes every file install made.
make -s O="$O" uninstall DESTDIR="$D" PREFIX=$PREFIX > "$T/uninstall.log" 2>&1
left=$(find "$D" ! -type d | sed "s|^$D||")
if [ -z "$left" ]; then
	ok "make uninstall leaves nothing"
else
	echo "$left" | head
	bad "make uninstall leaves files"
fi
finish
