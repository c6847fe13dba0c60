#!/usr/bin/env bash
# Flag and file lists are split on spaces on purpose.
# shellcheck disable=SC2086

# Build every guest test in this folder into OUTDIR/NAME.elf (plus NAME.expected,
# NAME.status and NAME.noqemu when present). Incremental; silent on success.
set -e
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
SRC=$(cd "$(dirname "$0")" && pwd)
OUT=$1
mkdir -p "$OUT/obj"

CC=${RISCV_CC:-riscv64-unknown-elf-gcc}
command -v "$CC" >/dev/null 2>&1 || { echo "build.sh: $CC not found" >&2; exit 1; }

# Zb* need binutils >= 2.38; Debian 12 has 2.40. Older toolchains get plain rv64gc and the
# tests skip their Zb* checks (guarded by __riscv_zbb etc.).
MARCH=rv64gc_zba_zbb_zbs_zicsr_zifencei
if ! echo 'sh1add a0, a0, a0' | "$CC" -march=$MARCH -mabi=lp64d -x assembler -c -o /dev/null - 2>/dev/null; then
    MARCH=rv64gc
fi
FLAGS="-march=$MARCH -mabi=lp64d -mcmodel=medany -nostdlib -nostartfiles -static \
       -ffreestanding -fno-builtin -fno-pic -O2 -g -Wall -Wextra -I$SRC"

# One RWX segment is intended (tests write data next to code); silence binutils >= 2.39.
LDFLAGS=
if $CC -Wl,--no-warn-rwx-segments -Wl,--help >/dev/null 2>&1; then
    LDFLAGS=-Wl,--no-warn-rwx-segments
fi

SUPPORT="crt0.S print.c"
COMMON="$SRC/test.h $SRC/print.h $SRC/link.ld $SRC/build.sh"

newer() {   # newer TARGET DEP... : true when TARGET is missing or older than a DEP
    t=$1; shift
    [ -e "$t" ] || return 0
    for d in "$@"; do [ "$d" -nt "$t" ] && return 0; done
    return 1
}

SUPPORT_OBJS=
for s in $SUPPORT; do
    o="$OUT/obj/${s%.*}.o"
    if newer "$o" "$SRC/$s" $COMMON; then
        $CC $FLAGS -c -o "$o" "$SRC/$s"
    fi
    SUPPORT_OBJS="$SUPPORT_OBJS $o"
done

for f in "$SRC"/*.S "$SRC"/*.c; do
    [ -e "$f" ] || continue
    base=$(basename "$f")
    case " $SUPPORT " in *" $base "*) continue ;; esac
    name=${base%.*}
    elf="$OUT/$name.elf"
    if newer "$elf" "$f" $COMMON $SUPPORT_OBJS; then
        $CC $FLAGS -c -o "$OUT/obj/$name.o" "$f"
        $CC $FLAGS $LDFLAGS -T "$SRC/link.ld" -o "$elf" "$OUT/obj/$name.o" $SUPPORT_OBJS -lgcc
    fi
    for ext in expected status noqemu; do
        if [ -e "$SRC/$name.$ext" ]; then
            if newer "$OUT/$name.$ext" "$SRC/$name.$ext"; then cp "$SRC/$name.$ext" "$OUT/$name.$ext"; fi
        else
            rm -f "$OUT/$name.$ext"
        fi
    done
done
