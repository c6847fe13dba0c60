#!/usr/bin/env bash
# The console on a terminal (a pty from script(1)): Ctrl-A h lists the escapes, Ctrl-A x
# quits with status 0, and --escape '^]' moves the escape to Ctrl-] (the Debian installer
# runs GNU screen, whose prefix is Ctrl-A).
#   tests/console.sh VM_CLI
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vm=$1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
if ! command -v script >/dev/null; then
    skip "console escapes (script(1) not installed)"
    echo "RESULT $PASS $FAIL $SKIP"
    exit 0
fi
printf '\x6f\x00\x00\x00' >"$t/loop.bin" # j . : a guest that never ends by itself

(sleep 1; printf '\001h'; sleep 0.5; printf '\001x') |
    timeout 20 script -qec "$vm run --arch riscv64 --kernel $t/loop.bin" /dev/null >"$t/out" 2>&1
st=$?
if [ $st = 0 ] && grep -aq "C-A x    exit the emulator" "$t/out"; then
    pass "console: Ctrl-A h lists the escapes, Ctrl-A x quits (status 0)"
else
    fail "console: Ctrl-A escapes" "status $st; output: $(tail -c 200 "$t/out" | tr -cd '[:print:]\n' | tr '\n' '|')"
fi

(sleep 1; printf '\001x'; sleep 1; printf '\035x') |
    timeout 20 script -qec "$vm run --arch riscv64 --escape '^]' --kernel $t/loop.bin" /dev/null >"$t/out" 2>&1
st=$?
if [ $st = 0 ]; then
    pass "console: --escape '^]': Ctrl-A goes to the guest, Ctrl-] x quits"
else
    fail "console: --escape '^]'" "status $st"
fi
echo "RESULT $PASS $FAIL $SKIP"
