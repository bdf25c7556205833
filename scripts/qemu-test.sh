#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# The kernel matrix: for each Debian kernel of scripts/kernels.sh, build
# chip.ko with W=1 (and sparse, C=1, where Debian's sparse supports the
# kernel), install it with `make -C kernel modules_install` into a
# scratch root beside the DRM modules it needs (depmod), boot the kernel
# under QEMU (TCG) with a busybox initramfs made of that root, load the
# module with modprobe, run the conformance suite over libchip's kernel
# backend (platform a2a3) and the kernel-only tests, again with io_uring
# disabled and again with every run on the device worker (inline_us=0),
# then with two devices: device selection, the udev rule (udevadm test),
# the conformance suite as a user of group render and -EACCES for a user
# outside it; a bad module parameter is refused and named in the log.
#
#   scripts/qemu-test.sh               all kernels
#   CHIP_KERNELS="6.12" scripts/qemu-test.sh
#   CHIP_DKMS=1 scripts/qemu-test.sh   also dkms add/build/install the
#                                      module (dkms.conf) into a scratch
#                                      tree for each kernel not built in
#                                      a chroot (installs package dkms)
#   CHIP_BENCH=1 scripts/qemu-test.sh  also run tools/uringbench in the
#                                      guest (its table: bench-NAME.txt),
#                                      with tools/uringfloor's module
#                                      loaded for its asynchronous floor
#   CHIP_BENCH=1 CHIP_AB_BASE=REV scripts/qemu-test.sh
#                                      also build the module of git
#                                      revision REV; the guest loads it
#                                      and this tree's in turn,
#                                      CHIP_AB_ROUNDS times (default 8),
#                                      and runs the batch-32 rows under
#                                      each, CHIP_AB_ITERS runs a row
#                                      (default 20000; ab-NAME.txt, and a
#                                      summary)
#   CHIP_SCHEDBENCH=1 scripts/qemu-test.sh
#                                      also build tools/schedbench and load
#                                      it in the guest with each of
#                                      gpu-sched's policies (its results:
#                                      schedbench-NAME.txt)
#   CHIP_ONLY=fuzz_ioctl,test_load scripts/qemu-test.sh
#                                      only these guest tests (by name)
#   CHIP_FUZZ_SEED=0x... CHIP_FUZZ_OPS=N CHIP_LOAD_RUNS=N CHIP_LOAD_SEED=S
#                                      seed and bound of the adversarial
#                                      suites (fuzz_ioctl, test_load)
#   CHIP_BENCH=1 CHIP_PERF="uring_cmd b32" scripts/qemu-test.sh
#                                      and profile that row with perf in
#                                      the guest (perf-NAME.txt; needs the
#                                      host's perf, package linux-perf)
#
# Environment: CHIP_WORK (default /var/tmp/chip-ci), CHIP_KERNELS,
# CHIP_QEMU_TIMEOUT (seconds per boot, default 900), CHIP_NO_INSTALL=1
# (skip apt-get), CHIP_GUEST_APPEND (more guest kernel arguments).  Prints per-step PASS/FAIL lines and a final
# "N passed, N failed"; exits non-zero on any failure.
set -uo pipefail

P=$(cd "$(dirname "$0")/.." && pwd)
W=${CHIP_WORK:-/var/tmp/chip-ci}
KERNELS=${CHIP_KERNELS:-"6.1 6.12 7"}
QTIMEOUT=${CHIP_QEMU_TIMEOUT:-900}
export CHIP_WORK=$W CHIP_KERNELS="$KERNELS"
mkdir -p "$W"
PASSES=0 FAILS=0
ok() { PASSES=$((PASSES + 1)); echo "PASS: $*"; }
bad() { FAILS=$((FAILS + 1)); echo "FAIL: $*"; }
t0=$(date +%s)
stamp() { echo "[$(($(date +%s) - t0))s] $*"; }

# ---- host packages -------------------------------------------------------
if [ -z "${CHIP_NO_INSTALL:-}" ]; then
	stamp "installing host packages"
	export DEBIAN_FRONTEND=noninteractive
	pkgs="qemu-system-x86 busybox-static cpio xz-utils zstd kmod sparse
	      gcc make bc flex bison libelf-dev dwarves debootstrap perl
	      linux-headers-amd64 libc6-dev liburing-dev libdrm-dev pkg-config
	      udev"
	[ -n "${CHIP_DKMS:-}" ] && pkgs="$pkgs dkms"
	# shellcheck disable=SC2086
	if ! dpkg -s $pkgs >/dev/null 2>&1; then
		apt-get update -qq >/dev/null
		apt-get install -y -qq --no-install-recommends $pkgs >/dev/null ||
			{ echo "apt-get install failed"; exit 1; }
	fi
fi

stamp "fetching kernels"
"$P/scripts/kernels.sh" || { bad "fetch kernels"; echo "$PASSES passed, $FAILS failed"; exit 1; }

# ---- userspace: libchip (static archive) and the guest test programs ------
stamp "building guest programs"
U=$W/ubuild
rm -rf "$U"
# -k: a broken test program must not hide the others (it is reported).
# liburing and libdrm are linked statically into the guest programs.
STATIC_DEPS="-l:liburing.a -l:libdrm.a"
if make -s -k -C "$P" O="$U" CFLAGS="-O2" DEP_LIBS="$STATIC_DEPS" lib tests \
	"$U/tools/examples/vector_example" "$U/tools/chipctl" > "$W/ubuild.log" 2>&1; then
	ok "userspace build"
else
	tail -n 30 "$W/ubuild.log"
	bad "userspace build"
	[ -f "$U/libchip.a" ] || { echo "$PASSES passed, $FAILS failed"; exit 1; }
fi
KT=$W/ktests
rm -rf "$KT"
mkdir -p "$KT"
kt_ok=1
for t in "$P"/tests/kernel/*.c; do
	[ -e "$t" ] || continue
	n=$(basename "$t" .c)
	gcc -O2 -g -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
		-D_GNU_SOURCE -pthread -I"$P/uapi" -I"$P/libchip/include" \
		-I"$P/tests" -I"$P/tests/common" -I"$P/kernel/core" \
		-I"$P/libchip/src" $(pkg-config --cflags liburing libdrm) \
		-o "$KT/$n" "$t" "$P"/tests/common/*.c "$U/libchip.a" \
		$STATIC_DEPS -pthread -ldl -lm > "$KT/$n.log" 2>&1 ||
		{ cat "$KT/$n.log"; kt_ok=0; }
done
if [ -n "${CHIP_BENCH:-}${CHIP_PERF:-}" ]; then
	mkdir -p "$KT/bench"
	gcc -O2 -g -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
		-D_GNU_SOURCE -pthread -I"$P/uapi" -I"$P/libchip/include" \
		-I"$P/tests" -I"$P/tests/common" -I"$P/kernel/core" \
		-I"$P/libchip/src" $(pkg-config --cflags liburing libdrm) \
		-o "$KT/bench/uringbench" "$P/tools/uringbench.c" \
		"$P"/tests/common/*.c "$U/libchip.a" $STATIC_DEPS -pthread -ldl -lm \
		> "$KT/bench.log" 2>&1 || { cat "$KT/bench.log"; kt_ok=0; }
fi
[ $kt_ok = 1 ] && ok "kernel test programs build" || bad "kernel test programs build"

# ---- per kernel ----------------------------------------------------------
# Load order of the modules chip.ko needs, from the image's modules.dep.
mod_closure() {	# mod_closure MODDIR NAME... -> relative paths, deps first
	local dir=$1
	shift
	awk -v want="$*" '
	function base(p,  b) { b = p; sub(/.*\//, "", b); sub(/\.ko.*$/, "", b); gsub(/-/, "_", b); return b }
	function visit(m,  n, i, d) {
		if (m in seen) return
		seen[m] = 1
		n = split(deps[m], d, " ")
		for (i = n; i >= 1; i--) visit(base(d[i]))
		if (m in path) print path[m]
	}
	{ f = $1; sub(/:$/, "", f); m = base(f); path[m] = f
	  $1 = ""; deps[m] = $0 }
	END { n = split(want, w, " "); for (i = 1; i <= n; i++) { x = w[i]; gsub(/-/, "_", x); visit(x) } }
	' "$dir/modules.dep"
}

# "C=1 CHECK=..." for a chroot build when /opt/sparse/sparse parses
# __typeof_unqual__, else nothing.  The kernel's Makefile asks
# scripts/checker-valid.sh the same question; Debian's headers packages
# lack that script, so an equivalent is put there when it is missing.
UNQUAL='int f(const int *p)\n{\n\t__typeof_unqual__(*p) v = *p;\n\treturn v;\n}\n'
chroot_checker() {	# chroot_checker CHROOT KVER
	local ch=$1 kver=$2 s=/opt/sparse/sparse v
	[ -x "$ch$s" ] || return 0
	printf "$UNQUAL" > "$ch/tmp/chip-unqual.c"
	chroot "$ch" "$s" -m64 /tmp/chip-unqual.c 2>&1 | grep -q error && return 0
	v=$ch/usr/src/linux-headers-${kver%-amd64}-common/scripts/checker-valid.sh
	if [ ! -e "$v" ]; then
		{
			echo '#!/bin/sh'
			echo '# Prints 1 when the checker "$@" parses __typeof_unqual__.'
			echo 'f=$(mktemp)'
			echo "printf '$UNQUAL' > \"\$f\""
			echo 'if "$@" "$f" 2>&1 | grep -q error; then echo 0; else echo 1; fi'
			echo 'rm -f "$f"'
		} > "$v"
		chmod +x "$v"
	fi
	echo "C=1 CHECK=$s"
}

# Kernel log lines that fail a kernel: warnings, oopses, hung tasks,
# lockups and RCU stalls, sanitizer reports, allocation failures and the
# OOM killer, refcount and list corruption.
BAD_LOG='BUG:|WARNING:|Oops|Call Trace|KASAN|UBSAN|GUEST_FAIL|blocked for more than|soft lockup|hard LOCKUP|detected stall|general protection|Kernel panic|Out of memory|page allocation failure|refcount_t:|list_(add|del) corruption'

# The adversarial suites' bounds and seeds (Documentation/testing.rst).
STRESS_APPEND=
[ -n "${CHIP_FUZZ_SEED:-}" ] && STRESS_APPEND="$STRESS_APPEND chip.fuzz_seed=$CHIP_FUZZ_SEED"
[ -n "${CHIP_FUZZ_OPS:-}" ] && STRESS_APPEND="$STRESS_APPEND chip.fuzz_ops=$CHIP_FUZZ_OPS"
[ -n "${CHIP_LOAD_RUNS:-}" ] && STRESS_APPEND="$STRESS_APPEND chip.load_runs=$CHIP_LOAD_RUNS"
[ -n "${CHIP_LOAD_SEED:-}" ] && STRESS_APPEND="$STRESS_APPEND chip.load_seed=$CHIP_LOAD_SEED"
[ -n "${CHIP_ONLY:-}" ] && STRESS_APPEND="$STRESS_APPEND chip.only=$CHIP_ONLY"

# kbuild DIR LOG: build the modules in ${ch}/tmp/DIR against run_kernel's
# kernel with W=1 and sparse, in its chroot when it has one ($ch, $kver,
# $chk, $k of the caller); true when make succeeded and LOG holds no
# warning or error.
kbuild() {
	local dir=$1 log=$2 rc

	if [ -n "$ch" ]; then
		mountpoint -q "$ch/proc" || mount -t proc proc "$ch/proc"
		chroot "$ch" make -C "/usr/src/linux-headers-$kver" \
			M="/tmp/$dir" W=1 $chk modules > "$log" 2>&1
		rc=$?
		umount "$ch/proc" 2>/dev/null
	else
		make -C "$k/build" M="${ch}/tmp/$dir" W=1 C=1 modules > "$log" 2>&1
		rc=$?
	fi
	[ $rc = 0 ] && ! grep -v 'Skipping BTF' "$log" | grep -qiE 'warning|error'
}

# ab_summary FILE NAME: the paired benchmark's rounds (GUEST_AB lines and
# the uringbench rows after each): per module, issue 11's ratios
# (run b32 - its device_ns) / uring_cmd NOP b32 and sync ioctl run / null
# ioctl of every round, and the medians; with tools/uringfloor's rows,
# also its asynchronous NOP in NOPs and (run b32 - device_ns) against it.
# False when a round has no numbers.
ab_summary() {
	awk -v name="$2" '
	function median(a, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function flush() {
		if (v == "")
			return
		if (nop <= 0 || run <= 0 || null <= 0 || sync <= 0) {
			bad = 1
			return
		}
		k = ++n[v]
		r[v, k] = (run - dev) / nop
		c[v, k] = run - dev
		q[v, k] = sync / null
		printf "ab %s: %s round %s: run b32 %d ns, device_ns %d, NOP b32 %d ns, ratio %.2f; sync ioctl %d ns, null ioctl %d ns, ratio %.2f\n", name, v, round, run, dev, nop, r[v, k], sync, null, q[v, k]
		if (anop > 0) {
			a[v, k] = anop / nop
			ra[v, k] = (run - dev) / anop
			printf "ab %s: %s round %s: async NOP b32 %d ns, %.2f NOPs; (run b32 - device_ns) / async NOP %.2f\n", name, v, round, anop, a[v, k], ra[v, k]
			na[v]++
		}
	}
	function med(a, v,   k, x) {
		for (k = 1; k <= n[v]; k++)
			x[k] = a[v, k]
		return median(x, n[v])
	}
	/^GUEST_AB [a-z]+ [0-9]+$/ { flush(); v = $2; round = $3; nop = anop = run = dev = null = sync = 0; next }
	/^floor: uring_cmd NOP b32 / { nop = $(NF - 1); next }
	/^floor: async uring_cmd NOP b32 / { anop = $(NF - 1); next }
	/^floor: null ioctl / { null = $(NF - 1); next }
	/^run: sync ioctl \(RUN\+WAIT\) / { sync = $(NF - 1); next }
	/^run: uring_cmd b32 / { run = $(NF - 1); want = 1; next }
	want && /device_ns/ { dev = $NF; want = 0; next }
	END {
		flush()
		if (bad || !n["base"] || !n["new"])
			exit 1
		cb = med(c, "base"); cn = med(c, "new")
		printf "ab %s: median (run b32 - device_ns) / NOP b32: base %.2f, new %.2f; median (run b32 - device_ns): base %d ns, new %d ns (new/base %.2f); median sync ioctl / null ioctl: base %.2f, new %.2f\n", name, med(r, "base"), med(r, "new"), cb, cn, cn / cb, med(q, "base"), med(q, "new")
		if (na["base"] == n["base"] && na["new"] == n["new"])
			printf "ab %s: median async NOP b32 / NOP b32: base %.2f, new %.2f; median (run b32 - device_ns) / async NOP b32: base %.2f, new %.2f\n", name, med(a, "base"), med(a, "new"), med(ra, "base"), med(ra, "new")
	}' "$1"
}

run_kernel() {
	local name=$1 k=$W/kernels/$1 kver B ch chk log R guest rc m f p fl uf
	kver=$(cat "$k/kver")
	stamp "kernel $name ($kver)"

	# 1. build with W=1 (+ sparse) in a scratch copy: the tree stays clean
	ch=
	[ -f "$k/chroot" ] && ch=$(cat "$k/chroot")
	# One scratch directory per run: the kernels' chroots are shared by
	# every CHIP_WORK on the host, and two runs must not build in one place.
	bn=chip-build-$name-$$
	B=${ch}/tmp/$bn
	rm -rf "$B"
	mkdir -p "$B"
	cp -r "$P/Kbuild" "$P/kernel" "$P/uapi" "$B/"
	# A local hook for experiments: a tree whose kernel/ replaces ours.
	[ -n "${CHIP_MODULE_SRC:-}" ] && cp -r "$CHIP_MODULE_SRC/kernel" "$B/"
	rm -rf "$B/kernel/tests"
	log=$W/build-$name.log
	# The chroot's own sparse predates __typeof_unqual__; use the one
	# kernels.sh put in /opt/sparse (see chroot_checker).
	chk=
	[ -n "$ch" ] && chk=$(chroot_checker "$ch" "$kver")
	if kbuild "$bn" "$log" && [ -f "$B/kernel/chip.ko" ]; then
		if [ -n "$ch" ] && [ -z "$chk" ]; then
			bad "$name: build W=1, but no sparse that parses its headers"
		else
			ok "$name: build W=1 C=1"
		fi
	else
		grep -iE 'warning|error' "$log" | grep -v 'Skipping BTF' | head -n 40
		bad "$name: build"
		return
	fi
	# 1a. CHIP_AB_BASE=REV: that revision's module, built alike, for
	# the guest's paired benchmark (run_ab in scripts/guest/init).
	ab=
	if [ -n "${CHIP_AB_BASE:-}" ] && [ -n "${CHIP_BENCH:-}" ]; then
		rm -rf "$B-ab"
		mkdir -p "$B-ab"
		log=$W/build-ab-$name.log
		if git -C "$P" archive "$CHIP_AB_BASE" Kbuild kernel uapi |
		   tar -x -C "$B-ab" && rm -rf "$B-ab/kernel/tests" &&
		   kbuild "$bn-ab" "$log" && [ -f "$B-ab/kernel/chip.ko" ]; then
			ab=$B-ab/kernel/chip.ko
			ok "$name: build of $CHIP_AB_BASE for the paired benchmark"
		else
			grep -iE 'warning|error' "$log" | grep -v 'Skipping BTF' | head -n 20
			bad "$name: build of $CHIP_AB_BASE"
		fi
	fi
	# 1b. CHIP_SCHEDBENCH=1: the drm_sched test module, built alike.
	sb=
	if [ -n "${CHIP_SCHEDBENCH:-}" ]; then
		rm -rf "$B-sb"
		cp -r "$P/tools/schedbench" "$B-sb"
		log=$W/build-schedbench-$name.log
		if kbuild "$bn-sb" "$log" &&
		   [ -f "$B-sb/chip_schedbench.ko" ]; then
			sb=$B-sb/chip_schedbench.ko
			ok "$name: schedbench build W=1"
		else
			grep -iE 'warning|error' "$log" | grep -v 'Skipping BTF' | head -n 20
			bad "$name: schedbench build"
		fi
	fi

	# 1c. tools/uringfloor's test module (the floor of an asynchronous
	# io_uring command), with the driver's compat/ beside it: built on
	# every run, since it shares compat/ with the driver; loaded in the
	# guest with CHIP_BENCH=1.
	uf=
	rm -rf "$B-fl"
	cp -r "$P/tools/uringfloor" "$B-fl"
	cp -r "$P/kernel/compat" "$B-fl/"
	log=$W/build-uringfloor-$name.log
	if kbuild "$bn-fl" "$log" && [ -f "$B-fl/chip_uringfloor.ko" ]; then
		uf=$B-fl/chip_uringfloor.ko
		ok "$name: uringfloor build W=1"
	else
		grep -iE 'warning|error' "$log" | grep -v 'Skipping BTF' | head -n 20
		bad "$name: uringfloor build"
	fi

	# 2. the scratch root: `make -C kernel modules_install` puts chip.ko
	# in lib/modules/KVER/updates, the DRM modules it needs go beside it
	# from the kernel's image, depmod indexes them; the guest's modprobe
	# loads chip.ko from there.
	R=$W/root-$name
	rm -rf "$R"
	mkdir -p "$R"/{bin,dev,proc,sys,tmp,run,root,tests,ktests,lib64,lib/x86_64-linux-gnu,etc/udev/rules.d}
	S=$B-root
	rm -rf "$S"
	log=$W/modules_install-$name.log
	if [ -n "$ch" ]; then
		chroot "$ch" make -C "/tmp/$bn/kernel" \
			KDIR="/usr/src/linux-headers-$kver" \
			INSTALL_MOD_PATH="/tmp/$bn-root" modules_install \
			> "$log" 2>&1
	else
		make -C "$B/kernel" KDIR="$k/build" INSTALL_MOD_PATH="$S" \
			modules_install > "$log" 2>&1
	fi
	m=$S/lib/modules/$kver
	for f in $(mod_closure "$k/modules" $(modinfo -F depends "$B/kernel/chip.ko" | tr ',' ' ') ${sb:+gpu-sched}); do
		mkdir -p "$m/$(dirname "$f")"
		cp "$k/modules/$f" "$m/$f"
	done
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		[ -f "$k/modules/$f" ] && cp "$k/modules/$f" "$m/"
	done
	# (compressed and signed as the kernel's configuration says; signing
	# without the kernel's key fails, harmlessly)
	if ls "$m"/updates/kernel/chip.ko* > /dev/null 2>&1 &&
	   depmod -b "$S" "$kver" >> "$log" 2>&1 &&
	   grep -q '^updates/kernel/chip.ko[.a-z]*:.*drm' "$m/modules.dep"; then
		ok "$name: modules_install into a scratch root, depmod"
		cp -r "$S/lib/modules" "$R/lib/"
	else
		tail -n 20 "$log"
		bad "$name: modules_install into a scratch root"
	fi

	# 2b. CHIP_DKMS=1: dkms.conf builds and installs the same module.
	if [ -n "${CHIP_DKMS:-}" ] && [ -z "$ch" ]; then
		dk=$W/dkms-$name
		rm -rf "$dk"
		mkdir -p "$dk/var/lib/dkms" "$dk/lib/modules/$kver"
		dkms_run() {
			dkms --dkmstree "$dk/var/lib/dkms" --sourcetree "$dk/usr/src" \
				--installtree "$dk/lib/modules" "$@"
		}
		v=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$P/dkms.conf")
		if make -s -C "$P" install-dkms DESTDIR="$dk" DKMSDIR=/usr/src > "$W/dkms-$name.log" 2>&1 &&
		   dkms_run add "chip/$v" >> "$W/dkms-$name.log" 2>&1 &&
		   dkms_run install --no-depmod "chip/$v" -k "$kver" \
			--kernelsourcedir "$k/build" >> "$W/dkms-$name.log" 2>&1 &&
		   modinfo -F vermagic "$dk/lib/modules/$kver/updates/dkms/"chip.ko* |
			grep -q "^$kver "; then
			ok "$name: dkms add, build, install"
		else
			tail -n 20 "$W/dkms-$name.log"
			bad "$name: dkms add, build, install"
		fi
	fi

	# 3. initramfs: the scratch root's modules, busybox, kmod, udevadm,
	# the udev rule, users and groups, the C library, the tests
	cp /bin/busybox "$R/bin/"
	for a in sh mount umount insmod rmmod lsmod cat echo ls poweroff mkdir \
		 timeout dmesg sleep grep sed head tail kill wc tr true false env \
		 su id stat uname; do
		ln -s busybox "$R/bin/$a"
	done
	# kmod's modprobe (busybox's shell would run its own applet for a
	# bare "modprobe"): the guest calls /sbin/modprobe.
	mkdir -p "$R/sbin"
	cp "$(command -v kmod)" "$R/bin/kmod"
	ln -s ../bin/kmod "$R/sbin/modprobe"
	cp "$(command -v udevadm)" "$R/bin/udevadm"
	cp "$P/dist/70-chip.rules" "$R/etc/udev/rules.d/"
	# root; chip, a user of group render; other, a user outside it
	printf 'root:x:0:0::/root:/bin/sh\nchip:x:1000:1000::/tmp:/bin/sh\nother:x:1001:1001::/tmp:/bin/sh\n' \
		> "$R/etc/passwd"
	printf 'root:x:0:\nrender:x:993:chip\nchip:x:1000:\nother:x:1001:\n' \
		> "$R/etc/group"
	for f in "$U"/tests/conformance/test_* "$KT"/* "$U/tools/chipctl" "$R/bin/kmod" "$R/bin/udevadm"; do
		[ -x "$f" ] && [ -f "$f" ] || continue
		case $f in *.log|*.d|*.o) continue ;; esac
		ldd "$f" 2>/dev/null | awk '/=>/ { print $3 } /ld-linux/ { print $1 }'
	done | sort -u | while read -r lib; do
		[ -f "$lib" ] && cp -L "$lib" "$R/$lib" 2>/dev/null ||
			{ mkdir -p "$R/$(dirname "$lib")"; cp -L "$lib" "$R/$lib"; }
	done
	for f in "$U"/tests/conformance/test_*; do
		[ -x "$f" ] && [ -f "$f" ] && cp "$f" "$R/tests/"
	done
	cp "$U/tools/examples/vector_example" "$R/root/"
	# chipctl, which test_observe runs against the driver
	[ -x "$U/tools/chipctl" ] && cp "$U/tools/chipctl" "$R/bin/"
	[ -d "$U/tools/examples/orch" ] && cp -r "$U/tools/examples/orch" "$R/tests/"
	# The adversarial suites run in a pass of their own (scripts/guest/init).
	mkdir -p "$R/kstress"
	for f in "$KT"/*; do
		[ -x "$f" ] && [ -f "$f" ] || continue
		case ${f##*/} in
		fuzz_*|test_load) cp "$f" "$R/kstress/" ;;
		*) cp "$f" "$R/ktests/" ;;
		esac
	done
	if [ -n "${CHIP_BENCH:-}" ] && [ -x "$KT/bench/uringbench" ]; then
		mkdir -p "$R/bench"
		cp "$KT/bench/uringbench" "$R/bench/"
		[ -n "$uf" ] && cp "$uf" "$R/bench/"
	fi
	if [ -n "$ab" ] && [ -d "$R/bench" ]; then
		mkdir -p "$R/ab"
		cp "$ab" "$R/ab/"
		echo "${CHIP_AB_ROUNDS:-8} ${CHIP_AB_ITERS:-20000}" > "$R/ab/rounds"
	fi
	# CHIP_PERF=ROW: perf (the host's) profiles that benchmark row.
	if [ -n "${CHIP_PERF:-}" ] && [ -x "$KT/bench/uringbench" ]; then
		f=$(command -v perf)
		mkdir -p "$R/perf"
		cp "$KT/bench/uringbench" "$R/perf/"
		printf '%s\n' "$CHIP_PERF" > "$R/perf/row"
		cp -L "$f" "$R/bin/perf"
		ldd "$f" | awk '/=>/ { print $3 } /ld-linux/ { print $1 }' |
		while read -r lib; do
			mkdir -p "$R/$(dirname "$lib")"
			cp -L "$lib" "$R/$lib"
		done
	fi
	if [ -n "$sb" ]; then
		mkdir -p "$R/schedbench"
		cp "$sb" "$R/schedbench/"
	fi
	cp "$P/scripts/guest/init" "$R/init"
	chmod +x "$R/init"
	(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) > "$W/initrd-$name.gz"

	# 4. boot.  tsc=reliable: under TCG the kernel's TSC synchronisation
	# check fails and it falls back to the HPET, whose every read is an
	# emulated MMIO access (~230 ns); hardware keeps the TSC.
	# no_timer_check: on a loaded host the emulated timer can miss the
	# boot-time IO-APIC timer check, which then panics the guest.
	# A kernel that dies before it starts /init ran nothing of ours (no
	# module, no test): under multi-threaded TCG the guest kernel's own
	# boot-time text patching now and then hits a stale int3.  Such a
	# boot, and only such a boot, is repeated once; its log is kept.
	guest=$W/guest-$name.log
	for boot in 1 2; do
		stamp "booting $name"
		timeout "$QTIMEOUT" qemu-system-x86_64 -accel tcg,thread=multi -smp 2 \
			-m 1024 -nographic -no-reboot -net none -kernel "$k/vmlinuz" \
			-initrd "$W/initrd-$name.gz" \
			-append "console=ttyS0 panic=-1 oops=panic quiet printk.time=0 tsc=reliable no_timer_check chip.test_timeout=${CHIP_TEST_TIMEOUT:-300} $STRESS_APPEND ${CHIP_GUEST_APPEND:-}" \
			< /dev/null > "$guest" 2>&1
		rc=$?
		tr -d '\r' < "$guest" > "$guest.txt"
		stamp "$name: qemu exit $rc"
		# (the console's escape codes may precede the line's text)
		[ $boot = 1 ] && ! grep -q 'GUEST_INIT$' "$guest.txt" &&
			grep -qE 'Kernel panic|Oops' "$guest.txt" || break
		cp "$guest.txt" "$guest.before-init.txt"
		grep -m1 -E 'Oops|Kernel panic' "$guest.txt"
		echo "# $name: the kernel died before /init (log: $guest.before-init.txt); booting again"
	done

	# 5. verdict
	grep -q '^GUEST_DONE' "$guest.txt" && ok "$name: guest finished" ||
		{ tail -n 40 "$guest.txt"; bad "$name: guest did not finish (rc $rc)"; }
	grep -q 'GUEST_MODPROBE rc=0' "$guest.txt" && ok "$name: modprobe chip from the scratch root" ||
		bad "$name: modprobe chip from the scratch root"
	grep -q '^GUEST_BADPARAM ok' "$guest.txt" && ok "$name: a bad module parameter is named in the log" ||
		bad "$name: a bad module parameter is named in the log"
	grep -q '^GUEST_UDEV ok' "$guest.txt" && ok "$name: udev rule: group render, mode 0660" ||
		{ grep '^GUEST_UDEV' "$guest.txt"; bad "$name: udev rule"; }
	grep -q '^GUEST_EACCES ok' "$guest.txt" && ok "$name: a user outside group render gets -EACCES" ||
		{ grep '^GUEST_EACCES' "$guest.txt"; bad "$name: -EACCES for a user outside group render"; }
	grep -q '^GUEST_NODE ok' "$guest.txt" && ok "$name: device node" || bad "$name: device node"
	grep -q '^GUEST_RMMOD rc=0' "$guest.txt" && ok "$name: rmmod" || bad "$name: rmmod"
	if grep -q '^GUEST_BENCH_BEGIN' "$guest.txt"; then
		sed -n '/^GUEST_BENCH_BEGIN/,/^GUEST_BENCH_END/p' "$guest.txt" |
			tee "$W/bench-$name.txt"
		grep '^GUEST_BENCH_END' "$guest.txt" | grep -qv 'rc=0$' &&
			bad "$name: benchmark" || ok "$name: benchmark ran"
	fi
	if [ -n "$sb" ]; then
		sed -n '/^GUEST_SCHEDBENCH_BEGIN/,/^GUEST_SCHEDBENCH_END/p' "$guest.txt" |
			tee "$W/schedbench-$name.txt"
		if grep -q '^GUEST_SCHEDBENCH_END' "$guest.txt" &&
		   ! grep '^GUEST_SCHEDBENCH_END' "$guest.txt" | grep -qv 'rc=0$'; then
			ok "$name: schedbench ran"
		else
			bad "$name: schedbench"
		fi
	fi
	if [ -n "$ab" ]; then
		sed -n '/^GUEST_AB_BEGIN/,/^GUEST_AB_END/p' "$guest.txt" \
			> "$W/ab-$name.txt"
		if ab_summary "$W/ab-$name.txt" "$name"; then
			ok "$name: paired benchmark ran"
		else
			bad "$name: paired benchmark"
		fi
	fi
	if grep -q '^GUEST_PERF_BEGIN' "$guest.txt"; then
		sed -n '/^GUEST_PERF_BEGIN/,/^GUEST_PERF_END/p' "$guest.txt" \
			> "$W/perf-$name.txt"
		echo "profile: $W/perf-$name.txt"
	fi
	if grep -nE "$BAD_LOG" "$guest.txt"; then
		bad "$name: kernel log clean"
	else
		ok "$name: kernel log clean"
	fi
	while read -r line; do
		case $line in
		"GUEST_TEST "*)
			set -- $line
			t=$2 rc=${3#rc=}
			p=$(sed -n "/^GUEST_BEGIN $t\$/,/^GUEST_TEST $t /p" "$guest.txt" |
			    sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' | tail -n 1)
			fl=${p#* }
			p=${p% *}
			if [ "$rc" = 0 ] && [ -n "$p" ] && [ "${fl:-0}" = 0 ]; then
				ok "$name: $t ($p cases)"
			else
				sed -n "/^GUEST_BEGIN $t\$/,/^GUEST_TEST $t /p" "$guest.txt" |
					grep -vE '^ok |^PASS' | tail -n 30
				bad "$name: $t (exit $rc, ${p:-?} passed, ${fl:-?} failed)"
			fi
			;;
		esac
	done < "$guest.txt"
}

for n in $KERNELS; do
	run_kernel "$n"
done
stamp "done"
echo "$PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
