#!/usr/bin/env bash
# The Debian 13 riscv64 installer (debian-installer-13-netboot-riscv64, text images),
# booted under both firmware choices: the default OpenSBI and `--bios none` (the built-in
# SBI), as a new user would (--memory 1G, the installer's kernel and initrd). For each:
# wait for the language screen on the serial console, press Enter, check the next screen
# ("Select your location") appears, and check the kernel found the SBI PMU extension and
# no program died of a signal on the way. Prints the seconds to each milestone.
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

# boot_installer NAME [VM-CLI OPTIONS...]: one boot to the location screen.
boot_installer() {
    local fw=$1 name="${tag}installer ($1)"
    shift
    rm -f "$t/in"
    mkfifo "$t/in"
    local t0
    t0=$(date +%s.%N)
    "$vm" run --arch riscv64 --memory 1G --kernel "$cache/linux" --initrd "$cache/initrd.gz" \
        --append "console=ttyS0" --escape '^]' "$@" <"$t/in" >"$t/out" 2>"$t/err" &
    pid=$!
    exec 3>"$t/in"

    local milestones="" ok=1 m label pattern secs
    for m in "Linux version:Linux version" "Run /init:Run /init" \
             "language screen:Select a language|Choose language"; do
        label=${m%%:*} pattern=${m#*:}
        if secs=$(wait_for "$t/out" "$pattern" 900 "$pid" "$t0"); then
            milestones="$milestones $label at ${secs}s;"
            echo "installer ($fw) milestone: $label at ${secs}s"
        else
            fail "$name: $label" "not reached; last output: $(tail -c 300 "$t/out" | tr -cd '[:print:]\n' | tail -n 3 | tr '\n' '|') $(tail -n 2 "$t/err" | tr '\n' '|')"
            ok=0
            break
        fi
    done
    if [ $ok = 1 ]; then
        pass "$name language screen:$milestones"
        # Let the screen settle, then choose the highlighted language with Enter.
        sleep 2
        printf '\r' >&3
        if secs=$(wait_for "$t/out" "Select your location|Choose a country|Select a location" 300 "$pid"); then
            pass "$name: Enter on the language screen leads to 'Select your location' (${secs}s)"
        else
            fail "$name: next screen" "no location screen after Enter; last output: $(tail -c 400 "$t/out" | tr -cd '[:print:]\n' | tail -n 4 | tr '\n' '|')"
        fi
    fi
    # What the kernel needs from the firmware: the PMU extension (its driver is what lets
    # user mode read the time CSR), and no program killed by a signal (a user-mode rdtime
    # without scounteren.TM is SIGILL).
    if grep -aq "riscv-pmu-sbi: SBI PMU extension is available" "$t/out"; then
        pass "$name: the kernel uses the SBI PMU extension"
    else
        fail "$name: SBI PMU" "no 'SBI PMU extension is available' in the boot log"
    fi
    if grep -aqE "unhandled signal|Kernel panic" "$t/out"; then
        fail "$name: signals" "$(grep -aE -m2 'unhandled signal|Kernel panic' "$t/out" | tr -cd '[:print:]\n' | tr '\n' '|')"
    else
        pass "$name: no program died of a signal, no panic"
    fi
    if sanitizer_report "$t/err"; then
        fail "$name" "sanitizer report"
    fi
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    pid=
    exec 3>&-
}

boot_installer OpenSBI
boot_installer "--bios none" --bios none
echo "RESULT $PASS $FAIL $SKIP"
