#!/usr/bin/env bash
# The guest is untrusted: random bytes run as code (in M-mode as a raw program, and in
# S-mode as a Linux Image with the built-in SBI, so random ecalls reach it) must end with
# a status vm-cli chose (the instruction limit, or a guest exit), never a host signal or
# a sanitizer report. The prototype this project replaces died with a host panic when
# its guest jumped into garbage.
#   tests/robustness.sh VM_CLI LABEL
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vm=$1 label=$2
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

# random_bytes SEED N: N deterministic pseudo-random bytes
random_bytes() {
    LC_ALL=C awk -v seed="$1" -v n="$2" 'BEGIN {
        srand(seed); for (i = 0; i < n; i++) printf "%c", int(rand() * 256) }'
}

# A stub whose M-mode trap handler skips the faulting halfword, so execution walks
# through the whole random region (CSR writes, wild loads/stores, AMOs, FP, xRET...)
# instead of stopping at the first trap.
cat >"$t/stub.S" <<'STUB'
    .section .text
    .globl _start
_start:
    la t0, handler
    csrw mtvec, t0
    j random_code
    .align 2
handler:
    csrr t0, mcause
    li t1, 1
    beq t0, t1, refetch
    csrr t0, mepc
    addi t0, t0, 2
    csrw mepc, t0
    mret
refetch:                    # a jump out of RAM: resume somewhere in the random region
    csrr t0, mepc
    li t1, 0xfffe
    and t0, t0, t1
    la t1, random_code
    add t0, t0, t1
    csrw mepc, t0
    mret
    .align 2
random_code:
    .incbin "raw.bin"
STUB
have_cc=0
command -v riscv64-unknown-elf-gcc >/dev/null && have_cc=1

for seed in 1 2 3 4 5 6 7 8; do
    random_bytes "$seed" 65536 >"$t/raw.bin"
    modes=("M-mode raw" "S-mode Image")
    if [ $have_cc = 1 ] && (cd "$t" && riscv64-unknown-elf-gcc -march=rv64gc -mabi=lp64d -nostdlib \
            -Wl,-N -Wl,--no-warn-rwx-segments -Wl,-Ttext=0x80000000 -o stub.elf stub.S); then
        modes+=("M-mode skipping handler")
    fi
    # RISC-V Image header: text_offset 2 MiB, image size, magic2 "RSC\x05" at 56
    { printf 'j\000\000\000\000\000\000\000'; printf '\000\000\040\000\000\000\000\000'
      printf '\000\000\001\000\000\000\000\000'; head -c 24 /dev/zero
      printf 'RISCV\000\000\000RSC\005'; head -c 4 /dev/zero; cat "$t/raw.bin"; } >"$t/image"
    for mode in "${modes[@]}"; do
        case "$mode" in
            "M-mode raw") args=(--kernel "$t/raw.bin") ;;
            "S-mode Image") args=(--kernel "$t/image" --bios none) ;;
            *) args=(--kernel "$t/stub.elf") ;;
        esac
        timeout 120 "$vm" run --arch riscv64 --memory 64M --max-insns 3000000 "${args[@]}" \
            </dev/null >"$t/out" 2>"$t/err"
        st=$?
        if sanitizer_report "$t/err"; then
            fail "$label robustness: random code seed $seed ($mode)" "sanitizer: $(grep -m1 -E 'runtime error|Sanitizer' "$t/err")"
        elif [ "$st" -ge 125 ] && [ "$st" != 255 ]; then
            fail "$label robustness: random code seed $seed ($mode)" "exit status $st (host signal or timeout)"
        elif grep -v "stopped after" "$t/err" | grep -q "^vm-cli:"; then
            fail "$label robustness: random code seed $seed ($mode)" "$(grep "^vm-cli:" "$t/err")"
        else
            pass "$label robustness: random code seed $seed ($mode) ended with status $st"
        fi
    done
done
echo "RESULT $PASS $FAIL $SKIP"
