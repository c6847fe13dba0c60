#!/usr/bin/env bash
# Linux to a shell: Debian's riscv64 kernel (from the installer package) with an initramfs
# built here from Debian's riscv64 busybox-static. /init prints /proc/cpuinfo and uname,
# computes something in the shell, and powers off; the run must end through that poweroff
# (exit status 0 from the test finisher / SBI SRST), once with OpenSBI and once with the
# built-in SBI (--bios none).
#   tests/boot/linux_shell.sh VM_CLI [LABEL]
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib.sh"
vm=$1
tag=${2:+$2 }  # build label for the result lines
cache=${VM_CACHE:-${HOME:-/root}/.cache/vm-guests}/riscv64
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

if [ ! -s "$cache/linux" ] || [ ! -s "$cache/busybox" ]; then
    fail "${tag}linux shell" "guest cache $cache incomplete (run scripts/fetch-guests.sh)"
    echo "RESULT $PASS $FAIL $SKIP"
    exit 0
fi

mkdir -p "$t/root/bin" "$t/root/proc" "$t/root/sys" "$t/root/dev"
cp "$cache/busybox" "$t/root/bin/busybox"
cat >"$t/root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "=== cpuinfo ==="
cat /proc/cpuinfo
echo "=== uname ==="
uname -a
echo "guest date: $(date -u +%Y-%m-%d)"
sum=0; i=1
while [ $i -le 100 ]; do sum=$((sum + i * i)); i=$((i + 1)); done
echo "shell computation: sum of squares 1..100 = $sum"
echo "fib: $(awk 'BEGIN { a = 0; b = 1; for (i = 0; i < 50; i++) { t = a + b; a = b; b = t } print a }')"
echo "=== powering off ==="
poweroff -f
INIT
chmod +x "$t/root/init"
(cd "$t/root" && find . | cpio -o -H newc --quiet | gzip -9) >"$t/initrd.gz"

boot() {
    local name=$1
    shift
    local start end st
    start=$(date +%s.%N)
    timeout 600 "$vm" run --arch riscv64 --memory 256M --kernel "$cache/linux" \
        --initrd "$t/initrd.gz" --append "console=ttyS0 panic=-1" --no-reboot "$@" </dev/null >"$t/out" 2>"$t/err"
    st=$?
    end=$(date +%s.%N)
    local secs
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}')
    local why=""
    grep -aq "Linux version .*riscv64" "$t/out" || why="no kernel banner"
    [ -z "$why" ] && { grep -aqE "^isa[[:space:]]*: rv64imafdc" "$t/out" || why="cpuinfo isa line missing"; }
    [ -z "$why" ] && { grep -aqE "^mmu[[:space:]]*: sv57" "$t/out" || why="cpuinfo mmu line missing"; }
    [ -z "$why" ] && { grep -aqE "^Linux .* riscv64 GNU/Linux" "$t/out" || why="uname -a output missing"; }
    # The Goldfish RTC gives the kernel the host's date (not 1970-01-01).
    [ -z "$why" ] && { grep -aqE "guest date: ($(date -u +%Y-%m-%d)|$(date -u -d '-1 day' +%Y-%m-%d))" "$t/out" ||
        why="guest date is not today's: $(grep -a -m1 'guest date' "$t/out")"; }
    [ -z "$why" ] && { grep -aq "sum of squares 1..100 = 338350" "$t/out" || why="shell computation wrong"; }
    [ -z "$why" ] && { grep -aq "fib: 12586269025" "$t/out" || why="awk computation wrong"; }
    [ -z "$why" ] && { grep -aq "reboot: Power down" "$t/out" || why="no 'reboot: Power down' from the kernel"; }
    [ -z "$why" ] && [ "$st" != 0 ] && why="exit status $st (expected 0 from the guest's poweroff)"
    sanitizer_report "$t/err" && why="sanitizer report: $(grep -m1 -E 'runtime error|Sanitizer' "$t/err")"
    if [ -z "$why" ]; then
        pass "${tag}linux shell ($name): cpuinfo, uname, computation, poweroff in ${secs}s"
    else
        fail "${tag}linux shell ($name)" "$why; last lines: $(tail -n 5 "$t/out" | tr -d '\r' | tr '\n' '|') $(tail -n 2 "$t/err" | tr '\n' '|')"
    fi
}

boot "OpenSBI"
boot "--bios none" --bios none

# reboot inside the guest restarts the machine: the kernel must come up a second time.
sed -i 's/^poweroff -f$/reboot -f/' "$t/root/init"
(cd "$t/root" && find . | cpio -o -H newc --quiet | gzip -9) >"$t/initrd-reboot.gz"
"$vm" run --arch riscv64 --memory 256M --kernel "$cache/linux" --initrd "$t/initrd-reboot.gz" \
    --append "console=ttyS0" </dev/null >"$t/out" 2>"$t/err" &
pid=$!
for _ in $(seq 1 600); do
    [ "$(grep -ac "Linux version .*riscv64" "$t/out")" -ge 2 ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
done
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if [ "$(grep -ac "Linux version .*riscv64" "$t/out")" -ge 2 ] && grep -aq "reboot: Restarting system" "$t/out"; then
    pass "${tag}linux shell: reboot -f restarts the machine (kernel booted twice)"
else
    fail "${tag}linux shell: reboot" "no second boot; last lines: $(tail -n 3 "$t/out" | tr -d '\r' | tr '\n' '|')"
fi
echo "RESULT $PASS $FAIL $SKIP"
