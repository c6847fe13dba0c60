# vm: build, tests, benchmarks. `make` builds build/vm-cli; `make check` runs every test
# (normal build + ASan/UBSan build); `make bench` runs the benchmarks against QEMU.
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter
# Feature-test macros. `make clang` asks for POSIX.1-2008 with XSI (SUSv4, which macOS
# conforms to) alone: glibc then hides its GNU/BSD extensions, so a call that macOS or a
# BSD would lack fails to build here first.
FEATURES ?= -D_GNU_SOURCE
CPPFLAGS := $(FEATURES) -Isrc
LDLIBS  := -lfdt -lz -lm

BUILD   ?= build
# SYSROOT: a directory holding the target's libfdt and zlib (usr/include, usr/lib/<triplet>)
# for a cross build, e.g. the one scripts/cross-aarch64-sysroot.sh unpacks.
SYSROOT ?=
ifneq ($(SYSROOT),)
# The multiarch directory name (aarch64-linux-gnu), which clang's -dumpmachine does not give.
TRIPLET := $(or $(shell $(CC) -print-multiarch 2>/dev/null),$(shell $(CC) -dumpmachine))
CPPFLAGS += -I$(SYSROOT)/usr/include
LDFLAGS += -L$(SYSROOT)/usr/lib/$(TRIPLET)
endif
SRCS    := $(shell find src -name '*.c' | sort)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
OBJS    := $(SRCS:%.c=$(BUILD)/%.o)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)

.PHONY: all clean check check-fast unit guests bench demo clang aarch64 aarch64-clang \
        x86diff x86diff-long
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

# The same sources with clang (-Werror too), POSIX/XSI-only, into build-clang/.
clang:
	$(MAKE) BUILD=build-clang CC=clang FEATURES=-D_XOPEN_SOURCE=700 all unit

# Cross build for aarch64 Linux into build-aarch64/, linking Debian's arm64 libfdt and zlib
# from a sysroot (made on first use); tests/cross_aarch64.sh runs it under qemu-aarch64.
AARCH64_CC ?= aarch64-linux-gnu-gcc
aarch64:
	sysroot=$$(scripts/cross-aarch64-sysroot.sh) && \
	$(MAKE) BUILD=build-aarch64 CC=$(AARCH64_CC) SYSROOT="$$sysroot" all unit

# clang for aarch64 too (Apple silicon and many Arm servers build with clang), using the
# same cross C library and binutils, into build-aarch64-clang/.
aarch64-clang:
	sysroot=$$(scripts/cross-aarch64-sysroot.sh) && \
	$(MAKE) BUILD=build-aarch64-clang CC="clang --target=aarch64-linux-gnu" SYSROOT="$$sysroot" all unit

# Everything a test run needs: the emulator, unit tests, guest programs.
guests:
	tests/guest/riscv/build.sh $(BUILD)/guest/riscv
	tests/guest/x86/build.sh $(BUILD)/guest/x86

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
	rm -rf build build-asan build-clang build-aarch64 build-aarch64-clang

-include $(OBJS:.o=.d)
