#!/usr/bin/env bash
# Differential run: each guest test on vm-cli and on qemu-system-riscv64 -M virt -bios none
# must print the same bytes and end with the same status. Tests marked NAME.noqemu use
# devices QEMU's virt board lacks (HTIF).
#   tests/differential_qemu.sh VM_CLI GUEST_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vm=$1 dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! command -v qemu-system-riscv64 >/dev/null; then
    skip "differential (qemu-system-riscv64 not installed)"
    echo "RESULT $PASS $FAIL $SKIP"
    exit 0
fi
for elf in "$dir"/*.elf; do
    name=$(basename "$elf" .elf)
    [ -f "$dir/$name.noqemu" ] && continue
    timeout 120 "$vm" run --arch riscv64 --memory 128M --kernel "$elf" </dev/null >"$tmp/vm.out" 2>/dev/null
    vst=$?
    timeout 120 qemu-system-riscv64 -M virt -bios none -nographic -m 128M -monitor none \
        -serial stdio -kernel "$elf" </dev/null >"$tmp/q.out" 2>/dev/null
    qst=$?
    # QEMU's serial translates nothing; strip the terminal reset QEMU may emit.
    if [ "$vst" != "$qst" ]; then
        fail "differential $name" "exit status vm=$vst qemu=$qst"
    elif ! cmp -s "$tmp/vm.out" "$tmp/q.out"; then
        fail "differential $name" "$(diff "$tmp/q.out" "$tmp/vm.out" | head -n 4 | tr '\n' '|')"
    else
        pass "differential $name (status $vst, $(wc -c <"$tmp/vm.out") bytes identical)"
    fi
done
echo "RESULT $PASS $FAIL $SKIP"
