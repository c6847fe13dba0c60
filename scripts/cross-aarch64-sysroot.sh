#!/usr/bin/env bash
# Build the arm64 library sysroot the aarch64 cross build links against: Debian's arm64
# libfdt and zlib packages, downloaded with a private apt state directory (same approach
# as scripts/fetch-guests.sh: the machine's own mirror URI, the system's apt sources and
# architectures untouched) and unpacked with dpkg -x.
#
# Why not `apt-get install libfdt-dev:arm64`: Debian 12's libfdt-dev is not Multi-Arch
# co-installable, so installing the arm64 one removes the amd64 one the native build needs.
#
# Usage: scripts/cross-aarch64-sysroot.sh [CACHE_DIR]  (default: $VM_CACHE or ~/.cache/vm-guests)
# Prints the sysroot's path on stdout (progress on stderr). The sysroot holds
#   usr/include/{libfdt.h,fdt.h,libfdt_env.h,zlib.h,zconf.h}
#   usr/lib/aarch64-linux-gnu/{libfdt.so*,libz.so*}
# The C library itself comes from Debian's libc6-dev-arm64-cross (/usr/aarch64-linux-gnu).
set -euo pipefail

CACHE=${1:-${VM_CACHE:-${HOME:-/root}/.cache/vm-guests}}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
SYSROOT="$CACHE/sysroot-aarch64"
STAMP="$SYSROOT/.complete-v1"
PKGS=(libfdt-dev libfdt1 zlib1g-dev zlib1g)

if [ -f "$STAMP" ]; then
    echo "$SYSROOT"
    exit 0
fi

src=/etc/apt/sources.list.d/debian.sources
if [ -f "$src" ]; then
    uri=$(awk '/^URIs:/{print $2; exit}' "$src")
else
    uri=$(awk '$1=="deb"{for(i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//){print $i; exit}}' /etc/apt/sources.list)
fi
[ -n "$uri" ] || { echo "cross-aarch64-sysroot: no Debian mirror URI configured" >&2; exit 1; }
# The host's release, so the arm64 libraries match the cross C library's generation.
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$suite" ] || { echo "cross-aarch64-sysroot: no VERSION_CODENAME in /etc/os-release" >&2; exit 1; }

# Private apt state whose only (and main) architecture is arm64: `apt-get download` then
# resolves the arm64 packages without `dpkg --add-architecture`.
st="$CACHE/apt-$suite-arm64"
mkdir -p "$st/lists/partial" "$st/cache/archives/partial"
echo "deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" >"$st/sources.list"
apt_opts=(-o "Dir::Etc::sourcelist=$st/sources.list" -o Dir::Etc::sourceparts=-
          -o "Dir::State::Lists=$st/lists" -o "Dir::Cache=$st/cache"
          -o APT::Architectures=arm64 -o APT::Architecture=arm64)
ok=0
for _ in 1 2 3; do
    if apt-get -q "${apt_opts[@]}" update >&2; then ok=1; break; fi
    sleep 2
done
[ "$ok" = 1 ] || { echo "cross-aarch64-sysroot: apt-get update failed" >&2; exit 1; }

debs="$CACHE/debs-arm64"
rm -rf "$debs" "$SYSROOT"
mkdir -p "$debs" "$SYSROOT"
(cd "$debs" && apt-get -q "${apt_opts[@]}" download "${PKGS[@]}" >&2)
for p in "${PKGS[@]}"; do
    deb=$(ls -t "$debs/${p}"_*_arm64.deb | head -n1)
    dpkg -x "$deb" "$SYSROOT"
done

# Debian's -dev symlinks may be absolute (libz.so -> /lib/aarch64-linux-gnu/libz.so.1...):
# inside a sysroot they would point at the host's amd64 files. Re-point them within it
# (relative links: the sysroot can move with the cache).
while IFS= read -r link; do
    target=$(readlink "$link")
    case "$target" in
        /*) ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$SYSROOT$target")" "$link" ;;
    esac
done < <(find "$SYSROOT" -type l)

# Debian 12 is not /usr-merged inside packages: zlib1g puts libz.so.1 under lib/. Give the
# linker and the loader one library directory.
libdir="$SYSROOT/usr/lib/aarch64-linux-gnu"
mkdir -p "$libdir"
if [ -d "$SYSROOT/lib/aarch64-linux-gnu" ]; then
    for f in "$SYSROOT"/lib/aarch64-linux-gnu/*; do
        [ -e "$libdir/$(basename "$f")" ] ||
            ln -s "../../../lib/aarch64-linux-gnu/$(basename "$f")" "$libdir/$(basename "$f")"
    done
fi
for f in libfdt.so libz.so zlib.h libfdt.h; do
    if [ ! -e "$libdir/$f" ] && [ ! -e "$SYSROOT/usr/include/$f" ]; then
        echo "cross-aarch64-sysroot: $f missing after unpacking ${PKGS[*]}" >&2
        exit 1
    fi
done

rm -rf "$debs"
touch "$STAMP"
echo "cross-aarch64-sysroot: arm64 libraries in $SYSROOT" >&2
echo "$SYSROOT"
