#!/usr/bin/env bash
# Stand-in for vm-cli that runs QEMU instead, to check the images and the runner before
# (or independently of) our x86 guest:
#   tests/x86_system_tests.sh tests/guest/x86/qemu_shim.sh GUEST_DIR qemu
# Accepts: run --arch x86_64 --kernel K [--initrd LIST] [--append STR]; a .rom kernel is
# given to QEMU as -bios, anything else as a Multiboot -kernel, except a kernel with a
# NAME.noqemu sidecar (Multiboot2): that one boots through GRUB 2 from a rescue ISO
# (grub-mkrescue, xorriso, mtools, grub-pc-bin), as grub_mb2.sh does. ROM images always
# run on QEMU, so exc_noqemu fails here by design (its reference is bochs_ref.sh).
set -u
[ "${1:-}" = run ] || { echo "usage: $0 run --arch x86_64 --kernel K [--initrd L] [--append S]" >&2; exit 2; }
shift
kernel='' initrd='' append='' have_append=0
while [ $# -gt 0 ]; do
    case $1 in
        --arch) shift 2 ;;
        --kernel) kernel=$2; shift 2 ;;
        --initrd) initrd=$2; shift 2 ;;
        --append) append=$2 have_append=1; shift 2 ;;
        *) echo "qemu_shim: unknown option $1" >&2; exit 2 ;;
    esac
done
# shellcheck disable=SC2054  # the commas are QEMU's option syntax
args=(-M pc -cpu "${QEMU_CPU:-max}" -m 128M -display none -monitor none -serial stdio
      -device isa-debug-exit,iobase=0xf4,iosize=0x04)
if [ "${kernel%.rom}" = "$kernel" ] && [ -f "${kernel%.*}.noqemu" ] && command -v grub-mkrescue >/dev/null; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    mkdir -p "$tmp/iso/boot/grub"
    cp "$kernel" "$tmp/iso/boot/"
    {
        printf 'set timeout=0\nmenuentry x {\n multiboot2 /boot/%s %s\n' "$(basename "$kernel")" "$append"
        IFS=, read -r -a mods <<<"$initrd"
        for m in "${mods[@]}"; do
            f=${m%% *}
            cp "$f" "$tmp/iso/boot/"
            printf ' module2 /boot/%s %s\n' "$(basename "$f")" "$m"
        done
        printf ' boot\n}\n'
    } >"$tmp/iso/boot/grub/grub.cfg"
    grub-mkrescue -o "$tmp/k.iso" "$tmp/iso" >/dev/null 2>&1 || exit 125
    qemu-system-x86_64 "${args[@]}" -cdrom "$tmp/k.iso"
    exit
fi
case $kernel in
    *.rom) args+=(-bios "$kernel") ;;
    *) args+=(-kernel "$kernel")
       [ -n "$initrd" ] && args+=(-initrd "$initrd")
       [ $have_append = 1 ] && args+=(-append "$append") ;;
esac
exec qemu-system-x86_64 "${args[@]}"
