#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# checkpatch.pl --strict on the driver (kernel/, without the KUnit
# tests), the uAPI headers and the test modules of tools/schedbench and
# tools/uringfloor.
# checkpatch comes from Debian's linux-source package; only the three
# files it needs are extracted (cached under $CHIP_WORK, default
# /var/tmp/chip-ci).
#
#   scripts/checkpatch.sh            the driver, compat/, uapi/, the test modules
#   scripts/checkpatch.sh --core     also the portable core (kernel/core)
#   scripts/checkpatch.sh FILE...
set -euo pipefail

P=$(cd "$(dirname "$0")/.." && pwd)
W=${CHIP_WORK:-/var/tmp/chip-ci}
C=$W/checkpatch
mkdir -p "$C"

if [ ! -f "$C/scripts/checkpatch.pl" ]; then
	src=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1) || true
	if [ -z "$src" ]; then
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -qq linux-source >/dev/null 2>&1 || {
			apt-get update -qq >/dev/null
			apt-get install -y -qq linux-source >/dev/null
		}
		src=$(ls /usr/src/linux-source-*.tar.xz | sort -V | tail -n 1)
	fi
	top=$(basename "$src" .tar.xz)
	tar -xJf "$src" -C "$C" --strip-components=1 \
		"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" \
		"$top/scripts/const_structs.checkpatch"
fi

core=
if [ "${1:-}" = "--core" ]; then
	core="kernel/core/*.c kernel/core/*.h"
	shift
fi
if [ $# -eq 0 ]; then
	# shellcheck disable=SC2086
	set -- $(cd "$P" && ls kernel/*.c kernel/*.h kernel/compat/*.c kernel/compat/*.h uapi/*.h uapi/drm/*.h tools/schedbench/*.c tools/uringfloor/*.c $core)
fi
# Run outside the repository: checkpatch caches its CamelCase scan in
# the current directory when that is a git tree.
abs=()
for f in "$@"; do
	case $f in
	/*) abs+=("$f") ;;
	*) abs+=("$P/$f") ;;
	esac
done
cd "$C"
# --no-tree: this is not a kernel tree.  Ignored: the SPDX tag check
# wants the kernel's own license list; the remaining ignores concern
# code that is shared with userspace (kernel/core, uapi): it keeps C99
# fixed-width types and file-level typedefs of the portable core.
perl "$C/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
	--ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES \
	-f "${abs[@]}" | sed "s|^$P/||"
