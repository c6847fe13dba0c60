#!/usr/bin/env bash
# The emulator's results must not depend on the host it runs on. Random 32-bit
# instructions run as M-mode code behind a trap handler that skips whatever faults, on two
# vm-cli builds (the native one and the aarch64 cross build under qemu-user): the trap
# trace (cause, tval and pc of every exception), the console output and the exit status
# must be identical. Every 64th trap the handler prints a hash of all integer and FP
# registers and fcsr, so every ALU, M, A, F and D result reaches the output.
# A quarter of the words are FP operations with defined function codes, 5% fused
# multiply-adds, 20% integer register-register operations (base, M, B); after each hash the registers get new random values (doubles and
# NaN-boxed singles in the FP registers, so FP operations see finite operands).
# Branches and jumps are turned into OP-IMM so that no random loop holds the run; every
# 64th trap also moves on to the next 256-byte chunk; the handler returns to M-mode with
# the FPU on, so a random xRET or mstatus write does not end the interesting part.
#   tests/host_differential.sh VM_CLI_A VM_CLI_B LABEL
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vm_a=$1 vm_b=$2 label=$3
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cc=${RISCV_CC:-riscv64-unknown-elf-gcc}
insns=1000000

if ! command -v "$cc" >/dev/null 2>&1; then
    skip "$label host differential" "$cc not found"
    echo "RESULT $PASS $FAIL $SKIP"
    exit 0
fi

cat >"$t/start.S" <<'ASM'
    .globl _start
_start:
    la   t0, on_trap
    csrw mtvec, t0
    j    body

    .macro mix reg           # t2 = t2 * 33 + reg (t1 is scratch)
    slli t1, t2, 5
    add  t2, t2, t1
    add  t2, t2, \reg
    .endm
    .macro next              # xorshift64 step on t2 (t1 is scratch)
    slli t1, t2, 13
    xor  t2, t2, t1
    srli t1, t2, 7
    xor  t2, t2, t1
    slli t1, t2, 17
    xor  t2, t2, t1
    .endm

    .balign 8
state:                       # saved t1, t2, t3; trap count
    .dword 0, 0, 0, 0
    .balign 4
on_trap:
    csrw mscratch, t0
    la   t0, state
    sd   t1, 0(t0)
    sd   t2, 8(t0)
    ld   t1, 24(t0)
    addi t1, t1, 1
    sd   t1, 24(t0)
    andi t1, t1, 63
    bnez t1, 3f
    # Every 64th trap: a hash of all integer and FP registers and fcsr on the UART (so
    # every result reaches the output), then on to the next 256-byte chunk.
    li   t0, 0x6000
    csrs mstatus, t0         # FS on: fmv.x.d must not trap here
    li   t2, 0
    .irp r, x1,x2,x3,x4,x8,x9,x10,x11,x12,x13,x14,x15,x16,x17,x18,x19,x20,x21,x22,x23,x24,x25,x26,x27,x28,x29,x30,x31
    mix  \r
    .endr
    csrr t0, mscratch
    mix  t0
    la   t0, state
    ld   t0, 0(t0)
    mix  t0
    la   t0, state
    ld   t0, 8(t0)
    mix  t0
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fmv.x.d t0, f\n
    mix  t0
    .endr
    csrr t0, fcsr
    mix  t0
    la   t0, state
    sd   t3, 16(t0)
    li   t0, 0x10000000      # virt UART THR: 16 hex digits and a newline
    li   t1, 60
4:  srl  t3, t2, t1
    andi t3, t3, 15
    addi t3, t3, -10
    bltz t3, 5f
    addi t3, t3, 39          # 'a' - '0' - 10
5:  addi t3, t3, 58          # '0' + 10
    sb   t3, 0(t0)
    addi t1, t1, -4
    bgez t1, 4b
    li   t3, 10
    sb   t3, 0(t0)
    # New random register values from the hash: doubles in the even FP registers,
    # NaN-boxed singles in the odd ones, so the FP operations see finite operands.
    ori  t2, t2, 1
    .irp r, x1,x2,x3,x4,x8,x9,x10,x11,x12,x13,x14,x15,x16,x17,x18,x19,x20,x21,x22,x23,x24,x25,x26,x27,x29,x30,x31
    next
    mv   \r, t2
    .endr
    .irp n, 0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30
    next
    fmv.d.x f\n, t2
    .endr
    .irp n, 1,3,5,7,9,11,13,15,17,19,21,23,25,27,29,31
    next
    fmv.w.x f\n, t2
    .endr
    la   t0, state
    ld   t3, 16(t0)
    ld   t1, 24(t0)
    srli t0, t1, 6
    slli t0, t0, 8
    j    1f
3:  csrr t0, mepc
    csrr t1, mcause
    addi t1, t1, -1
    beqz t1, 1f              # instruction access fault: a jump out of RAM
    addi t0, t0, 4           # skip whatever faulted
    la   t1, body
    bltu t0, t1, 1f          # a jump back into this stub
    la   t1, body_end
    bltu t0, t1, 2f
1:  li   t1, 0xfffc          # resume in the random region at the same low offset
    and  t0, t0, t1
    la   t1, body
    add  t0, t0, t1
2:  li   t1, 0x7800
    csrs mstatus, t1         # MPP = M: a random xRET may leave M-mode, a trap comes back;
                             # FS = dirty: random FP instructions execute
    csrw mepc, t0
    mret
    .balign 4
body:
    .incbin "random.bin"
body_end:
ASM

for seed in 101 102 103 104; do
    name="$label host differential: random code seed $seed"
    LC_ALL=C awk -v seed="$seed" '
        function r(n) { return int(rand() * n) }
        function rm() { m = r(6); return m == 5 ? 7 : m }   # a valid rounding mode
        BEGIN { srand(seed); n = split("0 1 2 3 4 5 8 11 20 24 26 28 30", fp5, " ")
        # funct7 of OP/OP-32: base, M, SUB/SRA, and the Zba/Zbb/Zbs/Zbc groups
        m = split("0 1 32 0 1 32 4 5 16 20 36 48 52", op7, " ")
        for (i = 0; i < 16384; i++) {
            k = rand()
            if (k < 0.25)        # OP-FP: a defined funct5, S or D, random registers
                w = fp5[1 + r(n)] * 2^27 + r(2) * 2^25 + r(32) * 2^20 + r(32) * 2^15 + \
                    rm() * 2^12 + r(32) * 2^7 + 83
            else if (k < 0.3)    # FMADD/FMSUB/FNMSUB/FNMADD
                w = r(32) * 2^27 + r(2) * 2^25 + r(32) * 2^20 + r(32) * 2^15 + \
                    rm() * 2^12 + r(32) * 2^7 + 67 + 4 * r(4)
            else if (k < 0.5)    # OP / OP-32 with a defined funct7
                w = op7[1 + r(m)] * 2^25 + r(32) * 2^20 + r(32) * 2^15 + r(8) * 2^12 + \
                    r(32) * 2^7 + (r(2) ? 51 : 59)
            else {               # anything with a 32-bit encoding but branches and jumps
                b0 = r(256); b0 = b0 - b0 % 4 + 3; op = b0 % 128
                if (op == 99 || op == 103 || op == 111)      # BRANCH, JALR, JAL
                    b0 = b0 - op + 19                        # -> OP-IMM
                w = b0 + r(256) * 2^8 + r(256) * 2^16 + r(256) * 2^24
                csr = int(w / 2^20)
                # mtvec, PMP, mseccfg -> mscratch: keep the handler reachable; time (the
                # host clock) -> mscratch too: the run must be deterministic
                if (op == 115 && (csr == 773 || (csr >= 928 && csr < 1008) || csr == 1863 ||
                                  csr == 3073))
                    w += (832 - csr) * 2^20
            }
            printf "%c%c%c%c", w % 256, int(w / 2^8) % 256, int(w / 2^16) % 256, int(w / 2^24)
        } }' >"$t/random.bin"
    if ! (cd "$t" && "$cc" -march=rv64gc -mabi=lp64d -nostdlib -Wl,-N -Wl,-Ttext=0x80000000 \
            -Wl,--no-warn-rwx-segments -o prog.elf start.S) >"$t/cc.err" 2>&1; then
        fail "$name" "assembling the stub: $(head -n 2 "$t/cc.err" | tr '\n' '|')"
        continue
    fi
    for side in a b; do
        vm=$vm_a
        [ $side = b ] && vm=$vm_b
        timeout 300 "$vm" run --arch riscv64 --memory 64M --max-insns $insns --trace trap \
            --kernel "$t/prog.elf" </dev/null >"$t/out.$side" 2>"$t/err.$side"
        echo "status $?" >>"$t/out.$side"
    done
    traps=$(grep -c '^\[TRAP\]' "$t/err.a")
    hashes=$(grep -c '^[0-9a-f]\{16\}$' "$t/out.a")
    if sanitizer_report "$t/err.a" || sanitizer_report "$t/err.b"; then
        fail "$name" "sanitizer report"
    elif ! cmp -s "$t/out.a" "$t/out.b"; then
        fail "$name" "output/status differ: $(diff "$t/out.a" "$t/out.b" | head -n 3 | tr '\n' '|')"
    elif ! cmp -s <(grep -v '^Host: ' "$t/err.a") <(grep -v '^Host: ' "$t/err.b"); then
        fail "$name" "trap traces differ: $(diff "$t/err.a" "$t/err.b" | head -n 3 | tr '\n' '|')"
    elif [ "$traps" -lt 1000 ] || [ "$hashes" -lt 10 ]; then
        fail "$name" "only $traps traps, $hashes register hashes: the random code did not run as intended"
    else
        pass "$name ($traps traps, $hashes register hashes identical)"
    fi
done
echo "RESULT $PASS $FAIL $SKIP"
