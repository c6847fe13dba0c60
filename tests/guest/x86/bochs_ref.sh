#!/usr/bin/env bash
# Second reference for the firmware-ROM tests: run each NAME.rom on Bochs (packages
# bochs, bochs-term, vgabios) and compare its UART output with NAME.expected /
# NAME.expected2. Bochs checks what QEMU's TCG does not (segment limits and types,
# alignment, SIMD exceptions, exact error codes), so it is how exc_noqemu was validated.
# Bochs has no isa-debug-exit device: the run ends when the final line appears.
#   tests/guest/x86/bochs_ref.sh GUEST_DIR [NAME...]
# BOCHS_CPU picks the CPU model; BOCHS_KEEP=DIR keeps each NAME.out there.
set -u
[ $# -ge 1 ] || { echo "usage: $0 GUEST_DIR [NAME...]" >&2; exit 2; }
dir=$(cd "$1" && pwd); shift
command -v bochs >/dev/null || { echo "SKIP bochs (not installed)"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for r in "$dir"/*.rom; do names+=("$(basename "$r" .rom)"); done
fi
printf 'c\nq\n' >"$tmp/cmds"
pass=0 fail=0
for n in "${names[@]}"; do
    out=$tmp/$n.out
    addr=$(printf '0x%x' $((0x100000000 - $(wc -c <"$dir/$n.rom"))))   # ends at 4 GiB
    cat >"$tmp/bochsrc" <<RC
megs: 128
romimage: file=$dir/$n.rom, address=$addr
vga: extension=none
display_library: term
cpu: model=${BOCHS_CPU:-corei7_icelake_u}
com1: enabled=1, mode=file, dev=$out
speaker: enabled=0
sound: driver=dummy
log: $tmp/log
RC
    # The debugger build of Bochs reads commands from -rc: continue, then quit on SIGINT.
    TERM=dumb bochs -q -f "$tmp/bochsrc" -rc "$tmp/cmds" </dev/null >"$tmp/stdout" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
        sleep 0.2
        grep -aqE 'checks passed|^FAIL' "$out" 2>/dev/null && break
    done
    sleep 0.3
    kill -INT "$pid" 2>/dev/null
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    [ -n "${BOCHS_KEEP:-}" ] && cp "$out" "$BOCHS_KEEP/$n.out"
    if cmp -s "$out" "$dir/$n.expected" || { [ -f "$dir/$n.expected2" ] && cmp -s "$out" "$dir/$n.expected2"; }; then
        echo "PASS bochs $n"; pass=$((pass + 1))
    else
        echo "FAIL bochs $n: $(diff "$dir/$n.expected" "$out" | tail -n 4 | tr '\n' '|')"; fail=$((fail + 1))
    fi
done
echo "RESULT $pass $fail 0"
