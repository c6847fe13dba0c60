#!/usr/bin/env bash
# Fetch and cache the real guest images from Debian 13 packages, using a private apt
# state directory and the mirror URI the machine already has configured (the system's
# apt sources are never modified; no mirror host is named here).
#
# Usage: scripts/fetch-guests.sh [CACHE_DIR]   (default: $VM_CACHE or ~/.cache/vm-guests)
# Prints nothing but progress on stderr; the cache layout is
#   $CACHE/riscv64/{linux,initrd.gz,fw_dynamic.bin,fw_dynamic.elf,fw_jump.bin,busybox}
#   $CACHE/amd64/{linux,initrd.gz,gtk-initrd.gz,busybox}
#   $CACHE/amd64/modules/*.ko  (the CD-ROM modules of the installer kernel's own version,
#                               in load order: modules/order)
set -euo pipefail

CACHE=${1:-${VM_CACHE:-${HOME:-/root}/.cache/vm-guests}}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
STAMP="$CACHE/.complete-v2"

if [ -f "$STAMP" ] &&
   [ -s "$CACHE/riscv64/linux" ] && [ -s "$CACHE/riscv64/initrd.gz" ] &&
   [ -s "$CACHE/riscv64/fw_dynamic.bin" ] && [ -s "$CACHE/riscv64/busybox" ] &&
   [ -s "$CACHE/amd64/linux" ] && [ -s "$CACHE/amd64/initrd.gz" ] &&
   [ -s "$CACHE/amd64/gtk-initrd.gz" ] && [ -s "$CACHE/amd64/busybox" ] &&
   [ -s "$CACHE/amd64/modules/order" ]; then
    exit 0
fi

src=/etc/apt/sources.list.d/debian.sources
if [ -f "$src" ]; then
    uri=$(awk '/^URIs:/{print $2; exit}' "$src")
else
    uri=$(awk '$1=="deb"{for(i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//){print $i; exit}}' /etc/apt/sources.list)
fi
[ -n "$uri" ] || { echo "fetch-guests: no Debian mirror URI configured in $src" >&2; exit 1; }

# apt_private NAME ARCHS MAINARCH SUITE: set up a private apt state directory and update it.
apt_private() {
    local name=$1 archs=$2 main=$3 suite=$4 st="$CACHE/apt-$1"
    mkdir -p "$st/lists/partial" "$st/cache/archives/partial"
    echo "deb [arch=$archs signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" >"$st/sources.list"
    APT_OPTS=(-o "Dir::Etc::sourcelist=$st/sources.list" -o Dir::Etc::sourceparts=-
              -o "Dir::State::Lists=$st/lists" -o "Dir::Cache=$st/cache"
              -o "APT::Architectures=$archs" -o "APT::Architecture=$main")
    local tries
    for tries in 1 2 3; do
        if apt-get -q "${APT_OPTS[@]}" update >&2; then return 0; fi
        sleep 2
    done
    return 1
}

# download NAME PKG... into $CACHE/debs and extract each into $CACHE/root-NAME
download() {
    local name=$1; shift
    mkdir -p "$CACHE/debs"
    (cd "$CACHE/debs" && apt-get -q "${APT_OPTS[@]}" download "$@" >&2)
    local p
    for p in "$@"; do
        local deb
        deb=$(ls -t "$CACHE/debs/${p%%:*}"_*.deb | head -n1)
        dpkg -x "$deb" "$CACHE/root-$name"
    done
}

mkdir -p "$CACHE/riscv64" "$CACHE/amd64"

apt_private trixie amd64,arm64 amd64 trixie
download trixie debian-installer-13-netboot-riscv64 opensbi \
    debian-installer-13-netboot-amd64 busybox-static
di="$CACHE/root-trixie/usr/lib/debian-installer/images/13/riscv64/text/debian-installer/riscv64"
sbi="$CACHE/root-trixie/usr/lib/riscv64-linux-gnu/opensbi/generic"
cp "$di/linux" "$di/initrd.gz" "$CACHE/riscv64/"
cp "$sbi/fw_dynamic.bin" "$sbi/fw_dynamic.elf" "$sbi/fw_jump.bin" "$sbi/fw_jump.elf" "$CACHE/riscv64/"

# amd64: the text-mode installer (netboot), the graphical one's initrd (for the netinst-like
# ISO the tests build) and busybox for the Linux-to-shell test.
di="$CACHE/root-trixie/usr/lib/debian-installer/images/13/amd64"
cp "$di/text/debian-installer/amd64/linux" "$di/text/debian-installer/amd64/initrd.gz" "$CACHE/amd64/"
cp "$di/gtk/debian-installer/amd64/initrd.gz" "$CACHE/amd64/gtk-initrd.gz"
cp "$CACHE/root-trixie/bin/busybox" "$CACHE/amd64/busybox" 2>/dev/null ||
    cp "$CACHE/root-trixie/usr/bin/busybox" "$CACHE/amd64/busybox"

# The netboot initrd has no storage drivers: the CD-ROM test loads them from Debian's
# kernel package of the same version as the installer's kernel, named after the version
# string in its bzImage header (boot.rst: kernel_version at 0x20E, +0x200).
k="$CACHE/amd64/linux"
off=$(od -An -tu2 -j $((0x20E)) -N2 "$k" | tr -d ' ')
kver=$(dd if="$k" bs=1 skip=$((off + 0x200)) count=128 2>/dev/null | tr '\0' '\n' | head -n1 | cut -d' ' -f1)
[ -n "$kver" ] || { echo "fetch-guests: no kernel version in $k" >&2; exit 1; }
download kimage "linux-image-$kver-unsigned"
mods="$CACHE/root-kimage/usr/lib/modules/$kver/kernel"
rm -rf "$CACHE/amd64/modules"
mkdir -p "$CACHE/amd64/modules"
# dependency order (each module's .modinfo "depends=")
order="scsi_common scsi_mod libata ata_piix cdrom sr_mod isofs"
for m in $order; do
    f=$(find "$mods" -name "$m.ko*" | head -n1)
    [ -n "$f" ] || { echo "fetch-guests: $m not in linux-image-$kver-unsigned" >&2; exit 1; }
    case $f in
        *.xz) xz -dc "$f" >"$CACHE/amd64/modules/$m.ko" ;;
        *.zst) zstd -qdc "$f" >"$CACHE/amd64/modules/$m.ko" ;;
        *) cp "$f" "$CACHE/amd64/modules/$m.ko" ;;
    esac
done
echo "$order" >"$CACHE/amd64/modules/order"
echo "$kver" >"$CACHE/amd64/modules/version"

# riscv64 binary packages: the trixie riscv64 index has been seen broken on the mirror,
# sid works (see shared/GUESTS.md).
apt_private sid-riscv64 riscv64 riscv64 sid
download sid-riscv64 busybox-static:riscv64
cp "$CACHE/root-sid-riscv64/bin/busybox" "$CACHE/riscv64/busybox" 2>/dev/null ||
    cp "$CACHE/root-sid-riscv64/usr/bin/busybox" "$CACHE/riscv64/busybox"

rm -rf "$CACHE/debs" "$CACHE/root-trixie" "$CACHE/root-sid-riscv64" "$CACHE/root-kimage"
touch "$STAMP"
echo "fetch-guests: cached in $CACHE" >&2
