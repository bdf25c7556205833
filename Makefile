# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Userspace build: the portable core + libchip, tools, examples, tests.
# The kernel module is built by Kbuild (see `make module`).

O ?= build
CC ?= cc
CFLAGS ?= -O2 -g
SAN ?=
WFLAGS := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
BASEFLAGS := -std=gnu11 -pthread -fPIC -ffp-contract=off -D_GNU_SOURCE \
	-Iuapi -Ilibchip/include -Ikernel/core -Ilibchip/src -Itests -Itests/common $(SAN)
ALL_CFLAGS = $(BASEFLAGS) $(WFLAGS) $(CFLAGS)
LDLIBS := -pthread -ldl -lm

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
TOOL_BINS := $(patsubst %.c,$(O)/%,$(TOOL_SRCS))
EX_BINS := $(patsubst %.c,$(O)/%,$(EX_SRCS))
ORCH_SOS := $(patsubst %.c,$(O)/%.so,$(ORCH_SO_SRCS))
TEST_COMMON := $(patsubst %.c,$(O)/%.o,$(sort $(wildcard tests/common/*.c)))

.PHONY: all lib tools tests check test example clean module bench
.SECONDARY: $(TEST_COMMON) $(LIB_OBJS)
all: lib tools tests

lib: $(O)/libchip.a
tools: $(TOOL_BINS) $(EX_BINS) $(ORCH_SOS)
tests: $(UNIT_BINS) $(CONF_BINS) $(SOAK_BINS) $(ORCH_SOS)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/libchip.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

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
example: tools
	$(O)/tools/examples/vector_example a2a3sim

# All userspace tests (unit + conformance on the simulated backend).
check: tests
	tests/run.sh $(O)

test:
	scripts/test-all.sh

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	rm -rf $(O)

-include $(shell find $(O) -name '*.d' 2>/dev/null)
