#!/usr/bin/env bash
# Reference run of the Multiboot2 kernel, which QEMU's own loader cannot boot: put
# mb2.elf and its modules on a GRUB 2 rescue ISO (grub-mkrescue: grub-pc-bin, xorriso,
# mtools), boot it on qemu-system-x86_64 and compare the UART output and exit status
# with what tests/x86_system_tests.sh expects from vm-cli.
#   tests/guest/x86/grub_mb2.sh GUEST_DIR      (GUEST_DIR as built by build.sh)
set -u
[ $# -eq 1 ] || { echo "usage: $0 GUEST_DIR" >&2; exit 2; }
dir=$1
for t in grub-mkrescue xorriso mformat qemu-system-x86_64; do
    command -v $t >/dev/null || { echo "SKIP mb2 under GRUB ($t not installed)"; exit 0; }
done
[ -d /usr/lib/grub/i386-pc ] || { echo "SKIP mb2 under GRUB (grub-pc-bin not installed)"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/iso/boot/grub"
cp "$dir/mb2.elf" "$dir/mod1.txt" "$dir/mod2.txt" "$tmp/iso/boot/"
# GRUB gives a module the arguments after its file name: the same strings as vm-cli's
# (and QEMU's) "mod1.txt first arg" entries of mb2.multiboot.
cat >"$tmp/iso/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
menuentry "mb2" {
    multiboot2 /boot/mb2.elf $(sed -n 2p "$dir/mb2.multiboot")
    module2 /boot/mod1.txt mod1.txt first arg
    module2 /boot/mod2.txt mod2.txt
    boot
}
CFG
grub-mkrescue -o "$tmp/mb2.iso" "$tmp/iso" >/dev/null 2>&1 || { echo "FAIL mb2 under GRUB: grub-mkrescue failed"; exit 1; }
timeout 60 qemu-system-x86_64 -M pc -m 128M -display none -monitor none -serial stdio \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -cdrom "$tmp/mb2.iso" </dev/null >"$tmp/out" 2>/dev/null
st=$?
if [ $st != 1 ]; then
    echo "FAIL mb2 under GRUB: exit status $st; output: $(tail -n 3 "$tmp/out" | tr '\n' '|')"
    exit 1
elif ! cmp -s "$tmp/out" "$dir/mb2.expected"; then
    echo "FAIL mb2 under GRUB: $(diff "$dir/mb2.expected" "$tmp/out" | head -n 4 | tr '\n' '|')"
    exit 1
fi
echo "PASS mb2 under GRUB ($(wc -c <"$tmp/out") bytes identical to mb2.expected)"
