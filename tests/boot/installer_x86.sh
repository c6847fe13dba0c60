#!/usr/bin/env bash
# The Debian 13 amd64 installer (debian-installer netboot, text images) on the x86 PC
# board, as a new user would boot it (--memory 1G, the installer's kernel and initrd,
# console=ttyS0): wait for the language screen on the serial console, press Enter, check
# the next screen ("Select your location") appears, and check the kernel trusted its TSC
# (CPUID 0x15: no calibration, no watchdog demotion) and no program died of a signal.
# Prints the seconds to each milestone. Then the same from an ISO in the layout of Debian's
# netinst image (tests/make_netinst_iso.sh), booted as the issue's user did:
# `--arch x8664 --kernel that.iso --verbose` with no --memory (the default must do): the
# board must pick the text-mode entry, say why, fix the console parameters and attach the
# ISO as the CD-ROM (VM_X86_INSTALLER_ISO=0 skips that second boot).
#   tests/boot/installer_x86.sh VM_CLI [LABEL]
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib.sh"
vm=$1
tag=${2:+$2 }  # build label for the result lines
cache=${VM_CACHE:-${HOME:-/root}/.cache/vm-guests}/amd64
name="${tag}x86 installer"
t=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    exec 3>&- 2>/dev/null
    rm -rf "$t"
}
trap cleanup EXIT

if [ ! -s "$cache/linux" ] || [ ! -s "$cache/initrd.gz" ]; then
    fail "$name" "guest cache $cache incomplete (run scripts/fetch-guests.sh)"
    echo "RESULT $PASS $FAIL $SKIP"
    exit 0
fi

# The milestones on the serial console, "label:pattern". The ISO's entries pass `quiet`
# (as Debian's do), so its kernel prints no messages and only the screen is a milestone.
kernel_milestones=("Linux version:Linux version" "Run /init:Run /init")
screen_milestone="language screen:Select a language|Choose language"
# Seconds to wait for each milestone: the optimised build reaches the screen in 4-6 min
# on a CI machine, the ASan build in 13-17; a milestone as many minutes late means stuck.
timeout=900
[ "${2:-}" = asan ] && timeout=1500

# boot_installer NAME QUIET VM-CLI-RUN-ARGS...: the milestones, Enter, the next screen;
# QUIET=1 for a kernel booted with `quiet` (no kernel messages to check).
boot_installer() {
    local name=$1 quiet=$2 m label pattern secs milestones ok list
    shift 2
    if [ "$quiet" = 1 ]; then list=("$screen_milestone")
    else list=("${kernel_milestones[@]}" "$screen_milestone"); fi
    rm -f "$t/in"
    mkfifo "$t/in"
    t0=$(date +%s.%N)
    "$vm" run "$@" --escape '^]' <"$t/in" >"$t/out" 2>"$t/err" &
    pid=$!
    exec 3>"$t/in"

    milestones="" ok=1
    for m in "${list[@]}"; do
        label=${m%%:*} pattern=${m#*:}
        if secs=$(wait_for "$t/out" "$pattern" "$timeout" "$pid" "$t0"); then
            milestones="$milestones $label at ${secs}s;"
            echo "x86 installer milestone: $label at ${secs}s"
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
        if secs=$(wait_for "$t/out" "Select your location|Choose a country|Select a location" 600 "$pid"); then
            pass "$name: Enter on the language screen leads to 'Select your location' (${secs}s)"
        else
            fail "$name: next screen" "no location screen after Enter; last output: $(tail -c 400 "$t/out" | tr -cd '[:print:]\n' | tail -n 4 | tr '\n' '|')"
        fi
    fi
    if [ "$quiet" = 1 ]; then
        : # the TSC messages are KERN_INFO: not on a quiet console
    elif grep -aq "tsc: Detected 1000.000 MHz" "$t/out" && ! grep -aq "Marking TSC unstable" "$t/out"; then
        pass "$name: the kernel takes the TSC frequency from CPUID and keeps the TSC"
    else
        fail "$name: TSC" "$(grep -a -m3 -E 'tsc:|TSC' "$t/out" | tr -cd '[:print:]\n' | tr '\n' '|')"
    fi
    if grep -aqE "unhandled signal|Kernel panic|segfault at|general protection" "$t/out"; then
        fail "$name: signals" "$(grep -aE -m2 'unhandled signal|Kernel panic|segfault at|general protection' "$t/out" | tr -cd '[:print:]\n' | tr '\n' '|')"
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

boot_installer "$name" 0 --arch x86_64 --memory 1G --kernel "$cache/linux" \
    --initrd "$cache/initrd.gz" --append "console=ttyS0"

if [ "${VM_X86_INSTALLER_ISO:-1}" = 0 ]; then
    skip "${tag}x86 installer from ISO" "VM_X86_INSTALLER_ISO=0"
elif [ ! -s "$cache/gtk-initrd.gz" ] || ! command -v xorriso >/dev/null; then
    fail "${tag}x86 installer ISO" "no gtk-initrd.gz in $cache or no xorriso (scripts/setup-deps.sh test)"
elif ! "$here/make_netinst_iso.sh" "$t/netinst.iso" "$cache" >"$t/iso.log" 2>&1; then
    fail "${tag}x86 installer ISO" "building the ISO: $(tail -n 2 "$t/iso.log" | tr '\n' '|')"
else
    boot_installer "${tag}x86 installer from ISO" 1 --arch x8664 --kernel "$t/netinst.iso" --verbose
    why=""
    grep -q 'entry "install"' "$t/err" || why="--verbose does not name the chosen entry \"install\""
    grep -q "dropped vga=788" "$t/err" || why="--verbose does not say vga=788 was dropped"
    grep -q "added console=ttyS0" "$t/err" || why="--verbose does not say console=ttyS0 was added"
    grep -q "CD-ROM: $t/netinst.iso" "$t/err" || why="the ISO was not attached as the CD-ROM"
    grep -q "^Memory: 1024 MB" "$t/err" || why="the banner does not show the 1 GiB default"
    # The entry's own parameters reach the kernel: with `quiet`, no kernel banner.
    grep -aq "Linux version" "$t/out" && why="the kernel printed its banner: the entry's 'quiet' was lost"
    if [ -z "$why" ]; then
        pass "${tag}x86 installer from ISO: --verbose names the text-mode entry, the console changes and the CD-ROM"
    else
        fail "${tag}x86 installer from ISO" "$why"
    fi
fi
echo "RESULT $PASS $FAIL $SKIP"
