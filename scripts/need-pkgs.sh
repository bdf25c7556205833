#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# scripts/need-pkgs.sh PKG...: make sure Debian packages are installed.
# As root the missing ones are installed from the machine's apt sources;
# otherwise the script names them, with the command that installs them,
# and fails.
set -u
missing=()
for p in "$@"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
	apt-get update -qq >/dev/null 2>&1 || true
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
	exit
fi
echo "missing packages: ${missing[*]}" >&2
echo "install them with: sudo apt-get install ${missing[*]}" >&2
exit 1
