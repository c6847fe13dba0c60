#!/usr/bin/env bash
# The guest is untrusted, x86 edition: random bytes run as code in real mode (as the
# firmware ROM), in 32-bit protected mode and in 64-bit long mode (behind Multiboot stubs
# whose exception handlers skip a byte and return, tests/robustness/x86_stub.asm) must
# end with a status vm-cli chose (the instruction limit, a guest exit or reset), never a
# host signal, a busy hang or a sanitizer report. Bytes 0xF4 (HLT) are left out of the
# random data, but random stores can still write one and jump to it: with interrupts off
# and no device to wake it, a halted PC waits forever, as on QEMU. A run still alive at
# the deadline therefore passes only if it was idle (used under a quarter of the wall
# time in CPU), i.e. halted, not spinning in the host.
#   tests/robustness_x86.sh VM_CLI LABEL
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vm=$1 label=$2
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
insns=${VM_X86_RANDOM_INSNS:-2000000}
deadline=60     # seconds; an ASan build runs 2M instructions in a few

if ! command -v nasm >/dev/null; then
    skip "$label x86 robustness" "nasm not installed"
    echo "RESULT $PASS $FAIL $SKIP"
    exit 0
fi

# random_bytes SEED N: N deterministic pseudo-random bytes, none of them 0xF4
random_bytes() {
    LC_ALL=C awk -v seed="$1" -v n="$2" 'BEGIN {
        srand(seed); for (i = 0; i < n; i++) { b = int(rand() * 255); if (b >= 244) b++; printf "%c", b } }'
}

for seed in 1 2 3 4; do
    random_bytes "$seed" 65536 >"$t/random.bin"
    for mode in 16 32 64; do
        name="$label x86 robustness: random code seed $seed, ${mode}-bit"
        if ! nasm -f bin -DMODE=$mode -I"$t/" -o "$t/img$mode.bin" "$here/robustness/x86_stub.asm" 2>"$t/nasm"; then
            fail "$name" "nasm: $(head -n 1 "$t/nasm")"
            continue
        fi
        "$vm" run --arch x86_64 --memory 64M --max-insns "$insns" \
            --kernel "$t/img$mode.bin" </dev/null >"$t/out" 2>"$t/err" &
        pid=$!
        idle=
        for _ in $(seq 1 "$((deadline * 5))"); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        if kill -0 "$pid" 2>/dev/null; then
            # utime + stime in clock ticks, against the deadline in ticks
            ticks=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
            hz=$(getconf CLK_TCK)
            kill -9 "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
            st=timeout
            [ "$ticks" -lt $((deadline * hz / 4)) ] && idle=1
        else
            wait "$pid"
            st=$?
        fi
        if [ "$st" = timeout ] && [ -n "$idle" ]; then
            pass "$name: still running at ${deadline}s but idle (halted with interrupts off)"
        elif [ "$st" = timeout ]; then
            fail "$name" "busy after ${deadline}s (host hang)"
        elif sanitizer_report "$t/err"; then
            fail "$name" "sanitizer: $(grep -m1 -E 'runtime error|Sanitizer' "$t/err")"
        elif [ "$st" -ge 125 ] && [ "$st" != 255 ]; then
            fail "$name" "exit status $st (host signal)"
        elif grep -v "stopped after" "$t/err" | grep -q "^vm-cli:"; then
            fail "$name" "$(grep "^vm-cli:" "$t/err" | head -n 1)"
        else
            pass "$name ended with status $st"
        fi
    done
done
echo "RESULT $PASS $FAIL $SKIP"
