#!/usr/bin/env bash
# The whole test suite: builds the emulator twice (optimised, and ASan+UBSan), then runs
# unit tests, bare-metal guest tests, the bad-input table, random code as the guest
# (robustness), the differential runs against QEMU and (x86) against the host CPU, and
# the Linux boot tests. Then the portability builds: clang with POSIX/XSI-only
# headers (unit and guest tests), and the aarch64 cross builds (gcc and clang) run under
# qemu-user (unit and guest tests, and random code whose results must match the native
# build's).
# The last line is "N passed, N failed, N skipped".
#
# Environment: VM_SKIP_ASAN=1 skips the sanitizer build; VM_SKIP_BOOT=1 skips Linux boots;
# VM_SKIP_CROSS=1 skips the clang and aarch64 builds; VM_CACHE overrides the guest-image
# cache (default ~/.cache/vm-guests).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. tests/lib.sh
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

asan_flags="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

builds=(build)
if make -j2 all unit >"$log/make" 2>&1; then
    pass "build (gcc -Wall -Wextra -Werror)"
else
    fail "build" "$(grep -m3 -E 'error:|warning:' "$log/make" | tr '\n' '|')"
    echo "$PASS passed, $FAIL failed, $SKIP skipped"
    exit 1
fi
if [ "${VM_SKIP_ASAN:-0}" != 1 ]; then
    if make -j2 BUILD=build-asan CFLAGS="$asan_flags" all unit >"$log/make-asan" 2>&1; then
        pass "build with ASan+UBSan"
        builds+=(build-asan)
    else
        fail "build with ASan+UBSan" "$(grep -m3 -E 'error:|warning:' "$log/make-asan" | tr '\n' '|')"
    fi
fi
guest_dir=build/guest/riscv
if tests/guest/riscv/build.sh "$guest_dir" >"$log/guests" 2>&1; then
    pass "guest programs built (riscv64-unknown-elf-gcc)"
else
    fail "guest programs build" "$(tail -n 3 "$log/guests" | tr '\n' '|')"
fi
x86_guest_dir=build/guest/x86
if tests/guest/x86/build.sh "$x86_guest_dir" >"$log/guests-x86" 2>&1; then
    pass "x86 system test images built (nasm)"
else
    fail "x86 system test images build" "$(tail -n 3 "$log/guests-x86" | tr '\n' '|')"
fi

for b in "${builds[@]}"; do
    label=${b#build}; label=${label#-}; label=${label:-opt}
    run_part "$label unit tests" tests/unit_tests.sh "$b" "$label"
    run_part "$label guest tests" tests/guest_tests.sh "$b/vm-cli" "$guest_dir" "$label"
    run_part "$label bad input" tests/bad_input.sh "$b/vm-cli" "$guest_dir" "$label"
    run_part "$label robustness" tests/robustness.sh "$b/vm-cli" "$label"
    run_part "$label x86 system tests" tests/x86_system_tests.sh "$b/vm-cli" "$x86_guest_dir" "$label"
    run_part "$label x86 robustness" tests/robustness_x86.sh "$b/vm-cli" "$label"
done

run_part "differential" tests/differential_qemu.sh build/vm-cli "$guest_dir"
run_part "x86 differential (QEMU)" tests/differential_qemu_x86.sh build/vm-cli "$x86_guest_dir"
# x86 CPU against the host CPU, 10^7 instructions, in both builds (ASan: ~1.5x the time)
run_part "x86diff" tests/x86diff/run.sh build/x86diff
if [[ " ${builds[*]} " == *" build-asan "* ]]; then
    run_part "asan x86diff" tests/x86diff/run.sh build-asan/x86diff
fi
run_part "console" tests/console.sh build/vm-cli

# Linux boots: every script of tests/boot under every build, as a queue of jobs run two at
# a time (the emulator is one thread; CI has 2 cores), the longest first so the two
# workers end together. Each job's output goes to $log/boot-LABEL-SCRIPT with a TIME line.
boot_job() {
    local b=$1 label=$2 t=$3 t0 out
    out="$log/boot-$label-$(basename "$t" .sh)"
    t0=$(date +%s)
    "$t" "$b/vm-cli" "$label" >"$out" 2>&1
    echo "TIME $(basename "$t") ($label): $(($(date +%s) - t0)) s" >>"$out"
}

if [ "${VM_SKIP_BOOT:-0}" != 1 ]; then
    # "build script", longest first (minutes on a CI machine)
    jobs=()
    for j in "build-asan installer_x86" "build-asan installer" "build installer_x86" \
             "build-asan linux_shell_x86" "build installer" "build-asan linux_shell" \
             "build linux_shell_x86" "build linux_shell"; do
        case " ${builds[*]} " in *" ${j%% *} "*) jobs+=("${j%% *} tests/boot/${j#* }.sh") ;; esac
    done
    for s in tests/boot/*.sh; do # a script not named above still runs, last
        case " ${jobs[*]} " in *" $s"*) ;; *) for b in "${builds[@]}"; do jobs+=("$b $s"); done ;; esac
    done
    running=0
    for j in "${jobs[@]}"; do
        set -- $j
        label=${1#build}; label=${label#-}; label=${label:-opt}
        if [ "$running" -ge 2 ]; then
            wait -n
            running=$((running - 1))
        fi
        boot_job "$1" "$label" "$2" &
        running=$((running + 1))
    done
    wait
    for j in "${jobs[@]}"; do
        set -- $j
        label=${1#build}; label=${label#-}; label=${label:-opt}
        out="$log/boot-$label-$(basename "$2" .sh)"
        grep '^TIME ' "$out"
        collect_part "$(basename "$2") ($label)" "$out"
    done
else
    skip "Linux boot tests (VM_SKIP_BOOT=1)"
fi

# Portability: the same sources with clang, and cross-built for aarch64 Linux and run under
# qemu-user (the emulator's own results must not depend on the host it runs on).
if [ "${VM_SKIP_CROSS:-0}" != 1 ]; then
    for tool in clang aarch64-linux-gnu-gcc qemu-aarch64; do
        command -v $tool >/dev/null 2>&1 ||
            fail "portability builds" "$tool not found (scripts/setup-deps.sh test installs it)"
    done
    if make -j2 clang >"$log/make-clang" 2>&1; then
        pass "build with clang (-Wall -Wextra -Werror, POSIX.1-2008/XSI only)"
        run_part "clang unit tests" tests/unit_tests.sh build-clang clang
        run_part "clang guest tests" tests/guest_tests.sh build-clang/vm-cli "$guest_dir" clang
        run_part "clang host differential" tests/host_differential.sh build/vm-cli build-clang/vm-cli clang
    else
        fail "build with clang" "$(grep -m3 -E 'error:|warning:|Error' "$log/make-clang" | tr '\n' '|')"
    fi
    # make target (= build-TARGET/ and the label) and compiler
    for cross in aarch64:aarch64-linux-gnu-gcc aarch64-clang:clang; do
        t=${cross%%:*}
        if make -j2 "$t" >"$log/make-$t" 2>&1; then
            pass "cross build $t (${cross#*:} for aarch64 Linux, -Werror, arm64 libfdt/zlib)"
            run_part "$t under qemu-user" tests/cross_aarch64.sh "build-$t" "$guest_dir" "$t" build/vm-cli
        else
            fail "cross build $t" "$(grep -m3 -E 'error:|warning:|Error|cross-aarch64' "$log/make-$t" | tr '\n' '|')"
        fi
    done
else
    skip "clang and aarch64 builds (VM_SKIP_CROSS=1)"
fi

echo "$PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" = 0 ]
