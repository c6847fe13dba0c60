#!/usr/bin/env bash
# Differential run: each x86 system test on vm-cli and on qemu-system-x86_64 -M pc (ROM
# images as -bios, Multiboot kernels as -kernel) must print the same bytes and end with
# the same status. Tests marked NAME.noqemu (Multiboot2: QEMU's loader is v1 only) are
# skipped. QEMU_CPU picks QEMU's -cpu model (default max, the one the .expected files
# were made with).
#   tests/differential_qemu_x86.sh VM_CLI GUEST_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
[ $# -eq 2 ] || { echo "usage: $0 VM_CLI GUEST_DIR" >&2; exit 2; }
vm=$1 dir=$2
case $vm in /*) ;; */*) vm=$(cd "$(dirname "$vm")" && pwd)/$(basename "$vm") ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! command -v qemu-system-x86_64 >/dev/null; then
    skip "differential x86 (qemu-system-x86_64 not installed)"
    echo "RESULT $PASS $FAIL $SKIP"
    exit 0
fi
# shellcheck disable=SC2054  # the commas are QEMU's option syntax
qemu=(qemu-system-x86_64 -M pc -cpu "${QEMU_CPU:-max}" -m 128M -display none -monitor none
      -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04)
for exp in "$dir"/*.expected; do
    [ -e "$exp" ] || continue
    name=$(basename "$exp" .expected)
    if [ -f "$dir/$name.noqemu" ]; then
        skip "differential x86 $name (QEMU cannot boot it: $(head -n 1 "$dir/$name.noqemu"))"
        continue
    fi
    vargs=() qargs=()
    if [ -f "$dir/$name.rom" ]; then
        kernel=$name.rom qargs=(-bios "$kernel")
    else
        kernel=$name.elf
        [ -f "$dir/$kernel" ] || kernel=$name.bin
        qargs=(-kernel "$kernel")
        if [ -f "$dir/$name.multiboot" ]; then
            mods=$(sed -n 1p "$dir/$name.multiboot")
            cmdline=$(sed -n 2p "$dir/$name.multiboot")
            [ -n "$mods" ] && { vargs+=(--initrd "$mods"); qargs+=(-initrd "$mods"); }
            vargs+=(--append "$cmdline") qargs+=(-append "$cmdline")
        fi
    fi
    (cd "$dir" && timeout 60 "$vm" run --arch x86_64 --memory 128M --kernel "$kernel" "${vargs[@]}" \
        </dev/null >"$tmp/vm.out" 2>/dev/null)
    vst=$?
    (cd "$dir" && timeout 60 "${qemu[@]}" "${qargs[@]}" </dev/null >"$tmp/q.out" 2>/dev/null)
    qst=$?
    if [ "$vst" != "$qst" ]; then
        fail "differential x86 $name" "exit status vm=$vst qemu=$qst"
    elif ! cmp -s "$tmp/vm.out" "$tmp/q.out"; then
        fail "differential x86 $name" "$(diff "$tmp/q.out" "$tmp/vm.out" | head -n 4 | tr '\n' '|')"
    else
        pass "differential x86 $name (status $vst, $(wc -c <"$tmp/vm.out") bytes identical)"
    fi
done
echo "RESULT $PASS $FAIL $SKIP"
