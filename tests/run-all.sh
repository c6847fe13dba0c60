#!/usr/bin/env bash
# The whole test suite: builds the emulator twice (optimised, and ASan+UBSan), then runs
# unit tests, bare-metal guest tests, the bad-input table, random code as the guest
# (robustness), the differential runs against QEMU and (x86) against the host CPU, and the
# Linux boot tests. The last line is "N passed, N failed, N skipped".
#
# Environment: VM_SKIP_ASAN=1 skips the sanitizer build; VM_SKIP_BOOT=1 skips Linux boots;
# VM_CACHE overrides the guest-image cache (default ~/.cache/vm-guests).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. tests/lib.sh
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

# run_part LABEL CMD...: run a script that prints PASS/FAIL/SKIP lines and a RESULT line.
run_part() {
    local label=$1
    shift
    "$@" >"$log/part" 2>&1
    grep -E '^(PASS|FAIL|SKIP) ' "$log/part"
    local r
    r=$(grep '^RESULT ' "$log/part" | tail -n1)
    if [ -z "$r" ]; then
        fail "$label" "did not finish: $(tail -n 3 "$log/part" | tr '\n' '|')"
        return
    fi
    set -- $r
    PASS=$((PASS + $2)); FAIL=$((FAIL + $3)); SKIP=$((SKIP + $4))
}

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

for b in "${builds[@]}"; do
    label=${b#build}; label=${label#-}; label=${label:-opt}
    for u in "$b"/unit/test_*; do
        [ -x "$u" ] || continue
        name=$(basename "$u")
        if "$u" >"$log/unit" 2>&1 && ! sanitizer_report "$log/unit"; then
            pass "$label unit $name ($(grep -c '^ok' "$log/unit") checks)"
        else
            fail "$label unit $name" "$(grep -m3 -E '^not ok|runtime error|Sanitizer' "$log/unit" | tr '\n' '|')"
        fi
    done
    run_part "$label guest tests" tests/guest_tests.sh "$b/vm-cli" "$guest_dir" "$label"
    run_part "$label bad input" tests/bad_input.sh "$b/vm-cli" "$guest_dir" "$label"
    run_part "$label robustness" tests/robustness.sh "$b/vm-cli" "$label"
done

run_part "differential" tests/differential_qemu.sh build/vm-cli "$guest_dir"
# x86 CPU against the host CPU, 10^7 instructions (opt build; the ASan build runs it as
# well, at ~1.5x the time: tests/x86diff/run.sh build-asan/x86diff)
run_part "x86diff" tests/x86diff/run.sh build/x86diff
run_part "console" tests/console.sh build/vm-cli

if [ "${VM_SKIP_BOOT:-0}" != 1 ]; then
    # Linux boots under both builds: the sanitizer build must boot the real guests too.
    for b in "${builds[@]}"; do
        for t in tests/boot/*.sh; do
            label=${b#build}; label=${label#-}; label=${label:-opt}
            run_part "$(basename "$t") ($label)" "$t" "$b/vm-cli" "$label"
        done
    done
else
    skip "Linux boot tests (VM_SKIP_BOOT=1)"
fi

echo "$PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" = 0 ]
