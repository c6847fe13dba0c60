#!/usr/bin/env bash
# The Debian 13 riscv64 installer (debian-installer-13-netboot-riscv64, text images):
# boot it with the default OpenSBI, wait for the language screen on the serial console,
# press Enter, and check the next screen ("Select your location") appears. Prints the
# seconds to each milestone.
#   tests/boot/installer.sh VM_CLI [LABEL]
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib.sh"
vm=$1
tag=${2:+$2 }  # build label for the result lines
cache=${VM_CACHE:-${HOME:-/root}/.cache/vm-guests}/riscv64
t=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    exec 3>&- 2>/dev/null
    rm -rf "$t"
}
trap cleanup EXIT

if [ ! -s "$cache/linux" ] || [ ! -s "$cache/initrd.gz" ]; then
    fail "${tag}installer" "guest cache $cache incomplete (run scripts/fetch-guests.sh)"
    echo "RESULT $PASS $FAIL $SKIP"
    exit 0
fi

mkfifo "$t/in"
t0=$(date +%s.%N)
"$vm" run --arch riscv64 --memory 1G --kernel "$cache/linux" --initrd "$cache/initrd.gz" \
    --append "console=ttyS0" <"$t/in" >"$t/out" 2>"$t/err" &
pid=$!
exec 3>"$t/in"

milestones=""
ok=1
for m in "Linux version:Linux version" "Run /init:Run /init" \
         "language screen:Select a language|Choose language"; do
    label=${m%%:*} pattern=${m#*:}
    if secs=$(wait_for "$t/out" "$pattern" 900 "$pid" "$t0"); then
        milestones="$milestones $label at ${secs}s;"
        echo "installer milestone: $label at ${secs}s"
    else
        fail "${tag}installer: $label" "not reached; last output: $(tail -c 300 "$t/out" | tr -cd '[:print:]\n' | tail -n 3 | tr '\n' '|') $(tail -n 2 "$t/err" | tr '\n' '|')"
        ok=0
        break
    fi
done
if [ $ok = 1 ]; then
    pass "${tag}installer language screen:$milestones"
    # Let the screen settle, then choose the highlighted language with Enter.
    sleep 2
    : >"$t/out.before"
    cp "$t/out" "$t/out.before"
    printf '\r' >&3
    if secs=$(wait_for "$t/out" "Select your location|Choose a country|Select a location" 300 "$pid"); then
        pass "${tag}installer: Enter on the language screen leads to 'Select your location' (${secs}s)"
    else
        fail "${tag}installer: next screen" "no location screen after Enter; last output: $(tail -c 400 "$t/out" | tr -cd '[:print:]\n' | tail -n 4 | tr '\n' '|')"
    fi
fi
if sanitizer_report "$t/err"; then
    fail "${tag}installer" "sanitizer report"
fi
echo "RESULT $PASS $FAIL $SKIP"
