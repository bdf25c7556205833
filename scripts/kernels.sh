#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Fetch the Debian kernels the QEMU harness tests on: for each, the
# kernel image (vmlinuz + modules) and the headers to build chip.ko,
# extracted under a work directory without installing anything from
# another suite system-wide.
#
#   scripts/kernels.sh            fetch all kernels of the matrix
#   scripts/kernels.sh --list     print "NAME KVER" per kernel (after fetch)
#
# Matrix: bookworm 6.1, bookworm 6.12 (+deb12), the newest 7.x that
# trixie-backports or sid serves.  Extra suites reuse the mirror URI that
# the machine's apt sources already use; no host name is written here.
#
# Environment: CHIP_WORK (default /var/tmp/chip-ci), CHIP_KERNELS (subset
# of "6.1 6.12 7", default all three).
#
# Layout produced, per kernel NAME:
#   $CHIP_WORK/kernels/NAME/kver        the kernel release string
#   $CHIP_WORK/kernels/NAME/vmlinuz
#   $CHIP_WORK/kernels/NAME/modules     -> the image's lib/modules/KVER
#   $CHIP_WORK/kernels/NAME/build       -> kernel build dir for M=
#   $CHIP_WORK/kernels/NAME/chroot      (only if the build runs in a chroot:
#                                        its path; build/ lies inside it)
set -euo pipefail

W=${CHIP_WORK:-/var/tmp/chip-ci}
KERNELS=${CHIP_KERNELS:-"6.1 6.12 7"}
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$W/apt/lists/partial" "$W/apt/cache/archives/partial" "$W/kernels" "$W/debs"

log() { echo "kernels: $*" >&2; }

# The mirror of the machine's main Debian archive (not the security one).
mirror_uri() {
	local u
	u=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list \
		/etc/apt/sources.list.d/*.list 2>/dev/null |
	    awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }
		 $1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; break } }' |
	    grep -v -e '-security' -e '^cdrom' | head -n 1) || true
	[ -n "$u" ] || { log "no Debian mirror found in the apt sources"; exit 1; }
	echo "${u%/}"
}

# apt with private lists that add the other suites to the machine's own
# (bookworm and bookworm-security, which carries bookworm's 6.12).
APT_OPTS=(-o "Dir::Etc::SourceList=$W/apt/sources.list"
	  -o "Dir::State::Lists=$W/apt/lists"
	  -o "Dir::Cache=$W/apt/cache"
	  -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
	  -o "APT::Get::List-Cleanup=0" -o "Acquire::Languages=none"
	  -o "APT::Sandbox::User=root")
papt_cache() { apt-cache "${APT_OPTS[@]}" "$@"; }

setup_apt() {
	local m stamp
	m=$(mirror_uri)
	stamp=$W/apt/updated
	{
		echo "deb $m bookworm-backports main"
		echo "deb $m trixie main"
		echo "deb $m trixie-backports main"
		echo "deb $m sid main"
	} | sort -u > "$W/apt/sources.list.new"
	if ! cmp -s "$W/apt/sources.list.new" "$W/apt/sources.list" ||
	   [ -z "$(find "$stamp" -mmin -720 2>/dev/null)" ]; then
		mv "$W/apt/sources.list.new" "$W/apt/sources.list"
		log "updating private package lists"
		apt-get "${APT_OPTS[@]}" -qq update
		touch "$stamp"
	fi
}

# Newest "linux-image-X.Y.Z...-amd64" (unsigned or signed) release of a
# kernel series in the private lists: prints the KVER.
newest_kver() {
	local pat=$1
	papt_cache search --names-only "^linux-headers-${pat}-amd64\$" 2>/dev/null |
		awk '{ print $1 }' | sed 's/^linux-headers-//' | sort -V | tail -n 1
}

fetch() {	# fetch PKG... into $W/debs (cached)
	local p
	for p in "$@"; do
		if ! ls "$W/debs/${p}_"*.deb >/dev/null 2>&1; then
			(cd "$W/debs" && apt-get "${APT_OPTS[@]}" -qq download "$p")
		fi
	done
}

extract() {	# extract PKG into DIR
	local p=$1 d=$2 f
	f=$(ls "$W/debs/${p}_"*.deb | sort -V | tail -n 1)
	dpkg-deb -x "$f" "$d"
}

# A kernel whose build tools need a newer C library than this machine's
# is built inside a minimal chroot of its own suite, with the compiler
# its headers name (for example gcc-14 for trixie's kernels).
need_chroot() {	# need_chroot KBUILD_DEB
	local need have
	need=$(dpkg-deb -f "$1" Depends | grep -o 'libc6 (>= [^)]*)' |
		sed 's/libc6 (>= //; s/)//') || true
	have=$(dpkg-query -W -f '${Version}' libc6)
	[ -n "$need" ] && dpkg --compare-versions "$have" lt "$need"
}

make_chroot() {	# make_chroot DIR SUITE GCC
	local d=$1 suite=$2 gcc=$3
	[ -x "$d/usr/bin/$gcc" ] && [ -x "$d/usr/bin/make" ] && return 0
	command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
	log "creating a $suite chroot with $gcc in $d"
	rm -rf "$d"
	debootstrap --variant=minbase \
		--include="$gcc,make,libc6-dev,libelf1t64,libssl3t64,zlib1g,sparse,bc,pahole,kmod" \
		"$suite" "$d" "$(mirror_uri)" > "$W/debootstrap-$suite.log" 2>&1 ||
		{ tail -n 20 "$W/debootstrap-$suite.log" >&2; exit 1; }
}

# Debian's bookworm and trixie sparse (0.6.4) cannot parse the
# __typeof_unqual__ of newer kernels' headers.  A kernel built in a chroot
# gets the newest sparse of the configured suites in /opt/sparse, used
# only when it parses that construct (scripts/qemu-test.sh checks).
setup_sparse() {	# setup_sparse CHROOT
	local d=$1 v f x
	[ -x "$d/opt/sparse/sparse" ] && return 0
	v=$(papt_cache madison sparse | awk '{ print $3 }' | sort -V | tail -n 1)
	[ -n "$v" ] || return 0
	(cd "$W/debs" && apt-get "${APT_OPTS[@]}" -qq download "sparse=$v") ||
		return 0
	f=$(ls "$W/debs"/sparse_*.deb | sort -V | tail -n 1)
	x=$(mktemp -d)
	dpkg-deb -x "$f" "$x"
	mkdir -p "$d/opt/sparse"
	cp "$x/usr/bin/sparse" "$d/opt/sparse/sparse"
	rm -rf "$x"
	log "sparse $v in $d/opt/sparse"
}

get_kernel() {
	local name=$1 kver=$2 k=$W/kernels/$1 base common kbuild img deps p dest
	local suite gcc f
	if [ -f "$k/kver" ] && [ "$(cat "$k/kver")" = "$kver" ] &&
	   [ -e "$k/build/Makefile" ] && [ -f "$k/modules/modules.dep" ]; then
		log "$name: $kver (cached)"
		return 0
	fi
	log "$name: fetching $kver"
	rm -rf "$k"
	mkdir -p "$k/root"
	base=${kver%-amd64}
	common=linux-headers-$base-common
	# linux-kbuild-* carries the host tools (fixdep, modpost, ...)
	kbuild=$(papt_cache depends "linux-headers-$kver" |
		awk '/Depends: linux-kbuild-/ { print $2; exit }')
	img=linux-image-$kver
	# The signed image may be listed (named by another package) before it
	# is published: take the unsigned one unless the signed one can be had.
	[ -n "$(papt_cache madison "$img" 2>/dev/null)" ] ||
		img=linux-image-$kver-unsigned
	# Newer images are split into linux-binary-* and linux-modules-*.
	deps=$(papt_cache depends "$img" | awk '/Depends: linux-(binary|modules)-/ { print $2 }')
	fetch "$img" $deps "linux-headers-$kver" "$common" "$kbuild"
	for p in "$img" $deps; do
		extract "$p" "$k/root"
	done
	f=$(find "$k/root" -name "vmlinuz-$kver" -o -path "*/modules/$kver/vmlinuz" | head -n 1)
	[ -n "$f" ] || { log "$name: no vmlinuz in $img"; exit 1; }
	cp "$f" "$k/vmlinuz"
	# Merged-/usr images keep modules in usr/lib; depmod wants lib/.
	[ -e "$k/root/lib" ] || ln -s usr/lib "$k/root/lib"
	ln -sfn "$k/root/lib/modules/$kver" "$k/modules"
	# modules.dep is made by the package's postinst: make it here.
	depmod -b "$k/root" "$kver" 2>/dev/null
	dest=$k/root
	if need_chroot "$(ls "$W/debs/${kbuild}_"*.deb | tail -n 1)"; then
		case $kver in
		*deb13*) suite=trixie ;;
		*) suite=sid ;;
		esac
		gcc=$(papt_cache depends "linux-headers-$kver" |
			grep -o 'gcc-[0-9]*' | head -n 1)
		make_chroot "$W/chroot-$suite" "$suite" "${gcc:-gcc}"
		dest=$W/chroot-$suite
		echo "$dest" > "$k/chroot"
	fi
	extract "linux-headers-$kver" "$dest"
	extract "$common" "$dest"
	extract "$kbuild" "$dest"
	if [ "$dest" = "$k/root" ]; then
		# The packages' absolute symlinks must point inside the root.
		find "$k/root/usr/src" "$k/root/usr/lib" -type l 2>/dev/null |
		while read -r l; do
			t=$(readlink "$l")
			case $t in
			/*) ln -sfn "$k/root$t" "$l" ;;
			esac
		done
		sed -i "s|^include /usr/src/|include $k/root/usr/src/|" \
			"$k/root/usr/src/linux-headers-$kver/Makefile"
	fi
	ln -sfn "$dest/usr/src/linux-headers-$kver" "$k/build"
	echo "$kver" > "$k/kver"
}

if [ "${1:-}" = "--list" ]; then
	for n in $KERNELS; do
		[ -f "$W/kernels/$n/kver" ] && echo "$n $(cat "$W/kernels/$n/kver")"
	done
	exit 0
fi

setup_apt
for n in $KERNELS; do
	case $n in
	6.1)  kv=$(newest_kver '6\.1\.[0-9]+-[0-9]+') ;;
	6.12) kv=$(newest_kver '6\.12\.[0-9]+\+deb12') ;;
	7)    kv=$(newest_kver '7\.[0-9]+\.[0-9]+(\+deb[0-9]+)?') ;;
	*)    log "unknown kernel series $n"; exit 1 ;;
	esac
	[ -n "$kv" ] || { log "$n: no kernel found"; exit 1; }
	get_kernel "$n" "$kv"
	[ -f "$W/kernels/$n/chroot" ] && setup_sparse "$(cat "$W/kernels/$n/chroot")"
done
for n in $KERNELS; do echo "$n $(cat "$W/kernels/$n/kver")"; done
