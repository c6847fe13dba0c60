#!/usr/bin/env bash
# Run every x86 system test image (tests/guest/x86, built by its build.sh) under vm-cli:
# exit status (NAME.status, else 1 = the guest wrote 0 to the exit port), exact UART
# output (NAME.expected, or NAME.expected2 where a CPUID feature changes a line), and no
# sanitizer report. Multiboot kernels take their --initrd/--append from NAME.multiboot
# (line 1: the module list as for QEMU's -initrd, line 2: the command line); they run
# from GUEST_DIR so module names are relative.
#   tests/x86_system_tests.sh VM_CLI GUEST_DIR LABEL
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
[ $# -eq 3 ] || { echo "usage: $0 VM_CLI GUEST_DIR LABEL" >&2; exit 2; }
vm=$1 dir=$2 label=$3
case $vm in /*) ;; */*) vm=$(cd "$(dirname "$vm")" && pwd)/$(basename "$vm") ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# x86_kernel DIR NAME: the image file of test NAME (empty if none)
x86_kernel() {
    for ext in rom elf bin; do
        [ -f "$1/$2.$ext" ] && { echo "$2.$ext"; return; }
    done
}

found=0
for exp in "$dir"/*.expected; do
    [ -e "$exp" ] || continue
    found=1
    name=$(basename "$exp" .expected)
    kernel=$(x86_kernel "$dir" "$name")
    if [ -z "$kernel" ]; then
        fail "$label x86 $name" "no image $name.rom/.elf/.bin in $dir"
        continue
    fi
    want_status=1
    [ -f "$dir/$name.status" ] && want_status=$(cat "$dir/$name.status")
    args=(run --arch x86_64 --memory 128M --kernel "$kernel")
    if [ -f "$dir/$name.multiboot" ]; then
        mods=$(sed -n 1p "$dir/$name.multiboot")
        cmdline=$(sed -n 2p "$dir/$name.multiboot")
        [ -n "$mods" ] && args+=(--initrd "$mods")
        args+=(--append "$cmdline")
    fi
    (cd "$dir" && timeout 60 "$vm" "${args[@]}" </dev/null >"$tmp/out" 2>"$tmp/err")
    st=$?
    if sanitizer_report "$tmp/err"; then
        fail "$label x86 $name" "sanitizer report: $(grep -m1 -E 'runtime error|Sanitizer' "$tmp/err")"
    elif [ "$st" != "$want_status" ]; then
        fail "$label x86 $name" "exit status $st, expected $want_status; output: $(tail -n 3 "$tmp/out" | tr '\n' '|') stderr: $(tail -n 2 "$tmp/err" | tr '\n' '|')"
    elif ! cmp -s "$tmp/out" "$exp" && ! { [ -f "$dir/$name.expected2" ] && cmp -s "$tmp/out" "$dir/$name.expected2"; }; then
        fail "$label x86 $name" "output differs from $name.expected: $(diff "$exp" "$tmp/out" | head -n 4 | tr '\n' '|')"
    else
        pass "$label x86 $name"
    fi
done
[ $found = 1 ] || skip "$label x86 system tests (no NAME.expected in $dir)"
echo "RESULT $PASS $FAIL $SKIP"
