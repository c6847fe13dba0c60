#!/usr/bin/env bash
# Run every bare-metal guest test under one vm-cli build: exit status (NAME.status or 0),
# exact stdout (NAME.expected, if present), and no sanitizer report.
#   tests/guest_tests.sh VM_CLI GUEST_DIR LABEL
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vm=$1 dir=$2 label=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for elf in "$dir"/*.elf; do
    name=$(basename "$elf" .elf)
    want_status=0
    [ -f "$dir/$name.status" ] && want_status=$(cat "$dir/$name.status")
    timeout 120 "$vm" run --arch riscv64 --memory 128M --kernel "$elf" </dev/null >"$tmp/out" 2>"$tmp/err"
    st=$?
    if sanitizer_report "$tmp/err"; then
        fail "$label guest $name" "sanitizer report: $(grep -m1 -E 'runtime error|Sanitizer' "$tmp/err")"
    elif [ "$st" != "$want_status" ]; then
        fail "$label guest $name" "exit status $st, expected $want_status; output: $(tail -n 3 "$tmp/out" | tr '\n' '|')"
    elif [ -f "$dir/$name.expected" ] && ! cmp -s "$tmp/out" "$dir/$name.expected"; then
        fail "$label guest $name" "output differs from $name.expected: $(diff "$dir/$name.expected" "$tmp/out" | head -n 4 | tr '\n' '|')"
    else
        pass "$label guest $name"
    fi
done
echo "RESULT $PASS $FAIL $SKIP"
