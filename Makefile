# vm: build, tests, benchmarks. `make` builds build/vm-cli; `make check` runs every test
# (normal build + ASan/UBSan build); `make bench` runs the benchmarks against QEMU.
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter
CPPFLAGS := -D_GNU_SOURCE -Isrc
LDLIBS  := -lfdt -lz -lm

BUILD   ?= build
SRCS    := $(shell find src -name '*.c' | sort)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
OBJS    := $(SRCS:%.c=$(BUILD)/%.o)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)

.PHONY: all clean check check-fast unit guests bench demo x86diff x86diff-long
all: $(BUILD)/vm-cli

$(BUILD)/vm-cli: $(OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/unit/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -Itests/unit -o $@ $< $(LIB_OBJS) $(LDFLAGS) $(LDLIBS)

unit: $(UNIT_BINS) $(BUILD)/x86diff

# Differential test of the x86 CPU against the host CPU (tests/x86diff/README.md):
# `make x86diff` is the suite's run (10^7 instructions), `make x86diff-long` 30x more.
XD_SRCS := $(sort $(wildcard tests/x86diff/*.c))
$(BUILD)/x86diff: $(XD_SRCS) $(wildcard tests/x86diff/*.h) $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -o $@ $(XD_SRCS) $(LIB_OBJS) $(LDFLAGS) $(LDLIBS)

x86diff: $(BUILD)/x86diff
	tests/x86diff/run.sh $(BUILD)/x86diff

x86diff-long: $(BUILD)/x86diff
	tests/x86diff/run.sh $(BUILD)/x86diff --insns 300000000 --seed $$(date +%s)

# Everything a test run needs: the emulator, unit tests, guest programs.
guests:
	tests/guest/riscv/build.sh $(BUILD)/guest/riscv

# The README's test command: installs what the tests need, then runs them all.
check:
	scripts/check.sh

# Quick run without the sanitizer pass and the long boots (for development).
check-fast: all unit guests
	VM_SKIP_ASAN=1 VM_SKIP_BOOT=1 tests/run-all.sh

demo:
	scripts/demo.sh

bench:
	scripts/setup-deps.sh bench
	bench/run.sh

clean:
	rm -rf build build-asan

-include $(OBJS:.o=.d)
