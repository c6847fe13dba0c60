#!/usr/bin/env bash
# Linux to a shell on the x86_64 PC board, and the guest reads the CD-ROM: Debian's amd64
# installer kernel with an initramfs built here from Debian's amd64 busybox-static and the
# CD-ROM modules of the same kernel version (scripts/fetch-guests.sh: ata_piix, libata,
# sr_mod, cdrom, isofs and their dependencies). An ISO made here with xorriso is attached
# with --cdrom; /init loads the modules, mounts /dev/sr0, checks a file's SHA-256 against
# the one computed on the host, prints /proc/cpuinfo, uname and the SMBIOS identity
# (/sys/class/dmi/id), and powers off: the run must end through that poweroff with exit
# status 0.
#   tests/boot/linux_shell_x86.sh VM_CLI [LABEL]
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib.sh"
vm=$1
tag=${2:+$2 }
cache=${VM_CACHE:-${HOME:-/root}/.cache/vm-guests}/amd64
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

if [ ! -s "$cache/linux" ] || [ ! -s "$cache/busybox" ] || [ ! -s "$cache/modules/order" ]; then
    fail "${tag}x86 linux shell" "guest cache $cache incomplete (run scripts/fetch-guests.sh)"
    echo "RESULT $PASS $FAIL $SKIP"
    exit 0
fi
if ! command -v xorriso >/dev/null; then
    fail "${tag}x86 linux shell" "xorriso not installed (scripts/setup-deps.sh test installs it)"
    echo "RESULT $PASS $FAIL $SKIP"
    exit 0
fi

# The CD: a few MiB of pseudo-random data in a subdirectory, so the read crosses many
# sectors and READ(10) transfers.
mkdir -p "$t/cd/data"
head -c $((3 * 1024 * 1024 + 1234)) /dev/urandom >"$t/cd/data/payload.bin"
echo "hello from the CD" >"$t/cd/README.TXT"
want=$(sha256sum "$t/cd/data/payload.bin" | cut -d' ' -f1)
xorriso -as mkisofs -quiet -R -J -V VMTESTCD -o "$t/cd.iso" "$t/cd" 2>"$t/xorriso.err" ||
    { fail "${tag}x86 linux shell" "xorriso: $(tail -n1 "$t/xorriso.err")"; echo "RESULT $PASS $FAIL $SKIP"; exit 0; }

mkdir -p "$t/root/bin" "$t/root/proc" "$t/root/sys" "$t/root/dev" "$t/root/mnt" "$t/root/lib/modules"
cp "$cache/busybox" "$t/root/bin/busybox"
order=$(cat "$cache/modules/order")
for m in $order; do cp "$cache/modules/$m.ko" "$t/root/lib/modules/"; done
cat >"$t/root/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $order; do insmod /lib/modules/\$m.ko || echo "insmod \$m failed"; done
i=0
while [ ! -b /dev/sr0 ] && [ \$i -lt 50 ]; do sleep 0.2; i=\$((i + 1)); done
echo "=== cpuinfo ==="
cat /proc/cpuinfo
echo "=== uname ==="
uname -a
echo "dmi: \$(cat /sys/class/dmi/id/sys_vendor) / \$(cat /sys/class/dmi/id/product_name) / \$(cat /sys/class/dmi/id/bios_version)"
if mount -t iso9660 -o ro /dev/sr0 /mnt; then
    echo "cd label file: \$(cat /mnt/README.TXT)"
    echo "cd sha256: \$(sha256sum /mnt/data/payload.bin | cut -d' ' -f1)"
    umount /mnt
else
    echo "cd mount failed"
fi
echo "=== powering off ==="
poweroff -f
INIT
chmod +x "$t/root/init"
(cd "$t/root" && find . | cpio -o -H newc --quiet | gzip -9) >"$t/initrd.gz"

start=$(date +%s.%N)
timeout 900 "$vm" run --arch x86_64 --memory 512M --kernel "$cache/linux" --initrd "$t/initrd.gz" \
    --cdrom "$t/cd.iso" --append "console=ttyS0 panic=-1" --no-reboot </dev/null >"$t/out" 2>"$t/err"
st=$?
secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
why=""
grep -aq "Linux version .*deb13-amd64" "$t/out" || why="no kernel banner"
[ -z "$why" ] && { grep -aqE "^flags[[:space:]]*:.* sse4_2" "$t/out" || why="cpuinfo flags line (sse4_2) missing"; }
[ -z "$why" ] && { grep -aqE "^Linux .* x86_64 GNU/Linux" "$t/out" || why="uname -a output missing"; }
# MTRRs as firmware sets them: Linux had logged "MTRRs disabled (not available)".
[ -z "$why" ] && { grep -aq "MTRR map: 4 entries" "$t/out" || why="MTRRs: $(grep -a -m1 MTRR "$t/out" | tr -d '\r')"; }
# SMBIOS (pc_smbios.c): Linux had logged "DMI not present or invalid."
[ -z "$why" ] && { grep -aq "dmi: vm / Standard PC (i440FX + PIIX) / " "$t/out" || why="SMBIOS not seen: $(grep -a -m2 -E 'DMI|dmi:' "$t/out" | tr -d '\r' | tr '\n' '|')"; }
[ -z "$why" ] && { grep -aq "cd label file: hello from the CD" "$t/out" || why="the CD was not mounted: $(grep -a -m2 -E 'insmod|mount failed|sr0' "$t/out" | tr -d '\r' | tr '\n' '|')"; }
[ -z "$why" ] && { grep -aq "cd sha256: $want" "$t/out" || why="CD file checksum differs: $(grep -a -m1 'cd sha256' "$t/out")"; }
[ -z "$why" ] && { grep -aq "reboot: Power down" "$t/out" || why="no 'reboot: Power down' from the kernel"; }
[ -z "$why" ] && [ "$st" != 0 ] && why="exit status $st (expected 0 from the guest's poweroff)"
sanitizer_report "$t/err" && why="sanitizer report: $(grep -m1 -E 'runtime error|Sanitizer' "$t/err")"
if [ -z "$why" ]; then
    pass "${tag}x86 linux shell: modules, CD-ROM mount and checksum, poweroff in ${secs}s"
else
    fail "${tag}x86 linux shell" "$why; last lines: $(tail -n 5 "$t/out" | tr -d '\r' | tr '\n' '|') $(tail -n 2 "$t/err" | tr '\n' '|')"
fi
echo "RESULT $PASS $FAIL $SKIP"
