#!/usr/bin/env bash
# File lists are split on spaces on purpose.
# shellcheck disable=SC2086

# Build every x86 guest test in this folder into OUTDIR (incremental, silent on success):
#   NAME.asm that includes rom.inc  -> OUTDIR/NAME.rom  (64 KiB firmware image)
#   NAME.asm with "; format: elf"   -> OUTDIR/NAME.elf  (Multiboot ELF32, linked with mb.ld)
#   NAME.asm with "; format: bin"   -> OUTDIR/NAME.bin  (Multiboot a.out-kludge flat image)
# plus the sidecars NAME.expected, NAME.expected2, NAME.status, NAME.multiboot,
# NAME.noqemu, and the module files mod*.txt used by the Multiboot tests.
set -e
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
SRC=$(cd "$(dirname "$0")" && pwd)
OUT=$1
mkdir -p "$OUT/obj"
command -v nasm >/dev/null 2>&1 || { echo "build.sh: nasm not found" >&2; exit 1; }
LD=${X86_LD:-ld}
# One RWX segment is intended (tests write data next to code); silence binutils >= 2.39.
LDFLAGS=
if $LD --no-warn-rwx-segments --help >/dev/null 2>&1; then LDFLAGS=--no-warn-rwx-segments; fi

newer() {   # newer TARGET DEP... : true when TARGET is missing or older than a DEP
    t=$1; shift
    [ -e "$t" ] || return 0
    for d in "$@"; do [ "$d" -nt "$t" ] && return 0; done
    return 1
}

COMMON="$SRC/rom.inc $SRC/multiboot.inc $SRC/mb.ld $SRC/build.sh"
for f in "$SRC"/*.asm; do
    name=$(basename "$f" .asm)
    fmt=$(sed -n 's/^; format: *\([a-z]*\).*/\1/p' "$f" | head -n 1)
    [ -n "$fmt" ] || fmt=rom
    case $fmt in
        rom|bin) img="$OUT/$name.$fmt"
            if newer "$img" "$f" $COMMON "$SRC"/mod*.txt; then
                nasm -f bin -I"$SRC/" -o "$img" "$f"
            fi ;;
        elf) img="$OUT/$name.elf"
            if newer "$img" "$f" $COMMON "$SRC"/mod*.txt; then
                nasm -f elf32 -I"$SRC/" -o "$OUT/obj/$name.o" "$f"
                $LD $LDFLAGS -m elf_i386 -nostdlib -T "$SRC/mb.ld" -o "$img" "$OUT/obj/$name.o"
            fi ;;
        *) echo "build.sh: $name: unknown format $fmt" >&2; exit 1 ;;
    esac
    for ext in expected expected2 status multiboot noqemu; do
        if [ -e "$SRC/$name.$ext" ]; then
            if newer "$OUT/$name.$ext" "$SRC/$name.$ext"; then cp "$SRC/$name.$ext" "$OUT/$name.$ext"; fi
        else
            rm -f "$OUT/$name.$ext"
        fi
    done
done
for m in "$SRC"/mod*.txt; do
    [ -e "$m" ] || continue
    if newer "$OUT/$(basename "$m")" "$m"; then cp "$m" "$OUT/"; fi
done
