# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Userspace build: the portable core + libchip (libchip.a, libchip.so.N),
# tools, examples, tests; `make install` (Documentation/install.rst).
# The kernel module: `make module` (kernel/Makefile, KDIR).

O ?= build
CC ?= cc
CFLAGS ?= -O2 -g
LDFLAGS ?=
SAN ?=
PKG_CONFIG ?= pkg-config
WFLAGS := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
# libchip's dependencies: liburing and libdrm (Debian: liburing-dev,
# libdrm-dev).  DEP_LIBS may name their static archives instead.
DEP_CFLAGS := $(shell $(PKG_CONFIG) --cflags liburing libdrm 2>/dev/null || \
	echo -I/usr/include/libdrm)
DEP_LIBS ?= $(shell $(PKG_CONFIG) --libs liburing libdrm 2>/dev/null || \
	echo -luring -ldrm)
BASEFLAGS := -std=gnu11 -pthread -fPIC -ffp-contract=off -D_GNU_SOURCE \
	-Iuapi -Ilibchip/include -Ikernel/core -Ilibchip/src -Itests -Itests/common \
	$(DEP_CFLAGS) $(SAN)
ALL_CFLAGS = $(BASEFLAGS) $(WFLAGS) $(CFLAGS)
LDLIBS = $(DEP_LIBS) -pthread -ldl -lm

# Installation (GNU conventions; DESTDIR for staging).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
UDEVDIR ?= /usr/lib/udev/rules.d
MODPROBEDIR ?= /etc/modprobe.d
DKMSDIR ?= /usr/src
INSTALL ?= install

# CHIP_VERSION_* of libchip/include/chip/version.h
version_part = $(shell sed -n 's/^\#define CHIP_VERSION_$(1)[[:space:]]*\([0-9]*\)$$/\1/p' \
	libchip/include/chip/version.h)
VERSION := $(call version_part,MAJOR).$(call version_part,MINOR).$(call version_part,PATCH)
SONAME := libchip.so.$(call version_part,MAJOR)

CORE_SRCS := $(sort $(wildcard kernel/core/*.c))
LIB_SRCS := $(sort $(wildcard libchip/src/*.c))
LIB_OBJS := $(patsubst %.c,$(O)/%.o,$(CORE_SRCS) $(LIB_SRCS))

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
CONF_SRCS := $(sort $(wildcard tests/conformance/test_*.c))
SOAK_SRCS := $(sort $(wildcard tests/soak/test_*.c))
TOOL_SRCS := $(sort $(wildcard tools/*.c))
EX_SRCS := $(sort $(wildcard tools/examples/*.c))
ORCH_SO_SRCS := $(sort $(wildcard tools/examples/orch/*.c))

UNIT_BINS := $(patsubst %.c,$(O)/%,$(UNIT_SRCS))
CONF_BINS := $(patsubst %.c,$(O)/%,$(CONF_SRCS))
SOAK_BINS := $(patsubst %.c,$(O)/%,$(SOAK_SRCS))
# Helpers of tests/tools/run.sh (chipctl's test).
TOOLTEST_BINS := $(patsubst %.c,$(O)/%,$(sort $(wildcard tests/tools/*.c)))
TOOL_BINS := $(patsubst %.c,$(O)/%,$(TOOL_SRCS))
EX_BINS := $(patsubst %.c,$(O)/%,$(EX_SRCS))
ORCH_SOS := $(patsubst %.c,$(O)/%.so,$(ORCH_SO_SRCS))
TEST_COMMON := $(patsubst %.c,$(O)/%.o,$(sort $(wildcard tests/common/*.c)))

.PHONY: all lib tools tests check test example deps clean module bench \
	install uninstall install-lib install-tools install-module \
	install-dkms install-udev install-man modules_install
.SECONDARY: $(TEST_COMMON) $(LIB_OBJS)
all: lib tools tests

lib: $(O)/libchip.a $(O)/libchip.so $(O)/libchip.pc
tools: $(TOOL_BINS) $(EX_BINS) $(ORCH_SOS)
tests: $(UNIT_BINS) $(CONF_BINS) $(SOAK_BINS) $(TOOLTEST_BINS) $(ORCH_SOS)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/libchip.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

# The shared library exports chip.h's functions only, with symbol
# versions (libchip/libchip.map).
$(O)/libchip.so.$(VERSION): $(LIB_OBJS) libchip/libchip.map
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) \
		-Wl,--version-script=libchip/libchip.map -Wl,--no-undefined \
		-o $@ $(LIB_OBJS) $(LDLIBS)

$(O)/libchip.so: $(O)/libchip.so.$(VERSION)
	ln -sf libchip.so.$(VERSION) $(O)/$(SONAME)
	ln -sf $(SONAME) $@

$(O)/libchip.pc: libchip/libchip.pc.in libchip/include/chip/version.h Makefile
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		$< > $@

$(O)/tests/%: tests/%.c $(O)/libchip.a $(TEST_COMMON)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(TEST_COMMON) $(O)/libchip.a $(LDLIBS)

$(O)/tools/%: tools/%.c $(O)/libchip.a $(TEST_COMMON)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(TEST_COMMON) $(O)/libchip.a $(LDLIBS) $(EXTRA_LDFLAGS)

# The benchmark counts libchip's allocations per run.
$(O)/tools/chipbench: EXTRA_LDFLAGS := \
	-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=posix_memalign

# The benchmark runs the simulated backend; results go in Documentation.
bench: tools
	$(O)/tools/chipbench a2a3sim

# Host orchestrations for host_build_graph: self-contained shared objects.
$(O)/tools/examples/orch/%.so: tools/examples/orch/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -shared -nostartfiles -o $@ $<

# The main job: the vector example on the simulated backend.
# The packages the build needs (installed when run as root).
BUILD_PKGS := build-essential make pkg-config liburing-dev libdrm-dev
deps:
	@scripts/need-pkgs.sh $(BUILD_PKGS)

example: deps
	$(MAKE) tools
	$(O)/tools/examples/vector_example a2a3sim

# All userspace tests (unit + conformance on the simulated backend).
check: tests
	tests/run.sh $(O)

test:
	scripts/test-all.sh

# ---- installation ---------------------------------------------------------

# Programs users run (linked with libchip.a).
INSTALL_TOOLS := $(patsubst tools/%.c,%,$(TOOL_SRCS))
UAPI_HDRS := uapi/chip_callable.h uapi/chip_isa.h

MAN_PAGES := $(sort $(wildcard man/man[134]/*.[134]))

install: install-lib install-tools install-man

install-lib: lib
	$(INSTALL) -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(INCLUDEDIR)/chip/uapi/drm
	$(INSTALL) -m 644 $(O)/libchip.a $(DESTDIR)$(LIBDIR)/
	$(INSTALL) -m 755 $(O)/libchip.so.$(VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libchip.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libchip.so
	$(INSTALL) -m 644 $(O)/libchip.pc $(DESTDIR)$(PKGCONFIGDIR)/
	$(INSTALL) -m 644 libchip/include/chip/chip.h \
		libchip/include/chip/version.h $(DESTDIR)$(INCLUDEDIR)/chip/
	$(INSTALL) -m 644 $(UAPI_HDRS) $(DESTDIR)$(INCLUDEDIR)/chip/uapi/
	$(INSTALL) -m 644 uapi/drm/chip_accel.h $(DESTDIR)$(INCLUDEDIR)/chip/uapi/drm/
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then ldconfig; fi

install-tools: tools
	$(INSTALL) -d $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 755 $(addprefix $(O)/tools/,$(INSTALL_TOOLS)) $(DESTDIR)$(BINDIR)/

# Manual pages: chip(4), the tools' (1), one per libchip function (3).
install-man:
	$(INSTALL) -d $(addprefix $(DESTDIR)$(MANDIR)/man,1 3 4)
	for p in $(MAN_PAGES); do \
		$(INSTALL) -m 644 $$p $(DESTDIR)$(MANDIR)/$${p#man/} || exit 1; \
	done

uninstall:
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/,$(MAN_PAGES:man/%=%))
	rm -f $(DESTDIR)$(LIBDIR)/libchip.a $(DESTDIR)$(LIBDIR)/libchip.so \
		$(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libchip.so.$(VERSION) \
		$(DESTDIR)$(PKGCONFIGDIR)/libchip.pc \
		$(addprefix $(DESTDIR)$(BINDIR)/,$(INSTALL_TOOLS))
	rm -rf $(DESTDIR)$(INCLUDEDIR)/chip

# The driver: chip.ko for the kernel of KDIR (default: the running one).
module:
	$(MAKE) -C kernel

modules_install install-module:
	$(MAKE) -C kernel modules_install

# The driver's source for DKMS (dkms.conf): dkms add/build/install chip/$(VERSION).
install-dkms:
	$(INSTALL) -d $(DESTDIR)$(DKMSDIR)/chip-$(VERSION)
	tar -c --exclude=tests --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
		--exclude='*.mod*' Kbuild kernel uapi dkms.conf | \
		tar -x -C $(DESTDIR)$(DKMSDIR)/chip-$(VERSION)

# The udev rule (group render, mode 0660) and the module's options file.
install-udev:
	$(INSTALL) -D -m 644 dist/70-chip.rules $(DESTDIR)$(UDEVDIR)/70-chip.rules
	$(INSTALL) -D -m 644 dist/chip.conf $(DESTDIR)$(MODPROBEDIR)/chip.conf

clean:
	rm -rf $(O)

-include $(shell find $(O) -name '*.d' 2>/dev/null)
