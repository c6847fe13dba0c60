#!/usr/bin/env bash
# Install what building, testing, benchmarking or the demo needs on Debian 12, then fetch
# the guest images into the cache. Skips work that is already done.
#   scripts/setup-deps.sh build|test|bench|demo
set -euo pipefail
mode=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)

pkgs=(gcc make libc6-dev libfdt-dev zlib1g-dev)
case "$mode" in
    build) ;;
    demo) pkgs+=(ca-certificates) ;;
    # clang, and the aarch64 cross build run under qemu-user (tests/cross_aarch64.sh);
    # nasm for the x86 test images, qemu-system-x86 for their differential reference,
    # xorriso for the ISO images of tests/unit/test_bootcfg.c, acpica-tools (iasl) to
    # disassemble the x86 ACPI tables in tests/unit/test_pc_acpi.c.
    test) pkgs+=(gcc-riscv64-unknown-elf qemu-system-misc cpio gzip device-tree-compiler
                 clang gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user nasm qemu-system-x86
                 xorriso acpica-tools) ;;
    bench) pkgs+=(gcc-riscv64-unknown-elf qemu-system-misc qemu-system-x86 binutils cpio gzip
                  hyperfine time) ;;
    *) echo "usage: $0 build|test|bench|demo" >&2; exit 2 ;;
esac
# fetch-guests.sh (every mode but build) unpacks the amd64 kernel modules with xz.
[ "$mode" = build ] || pkgs+=(xz-utils)

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup-deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2 || true
    apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >&2
fi

if [ "$mode" != build ]; then
    "$here/scripts/fetch-guests.sh"
fi
if [ "$mode" = test ]; then
    # arm64 libfdt/zlib unpacked into a sysroot: libfdt-dev:arm64 would replace the amd64 one.
    "$here/scripts/cross-aarch64-sysroot.sh" >/dev/null
fi
