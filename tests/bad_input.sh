#!/usr/bin/env bash
# The bad-input table: every user error gets exactly one "vm-cli: ..." line on stderr that
# names the file (or option) and the reason, exit status 2, and no sanitizer report.
#   tests/bad_input.sh VM_CLI GUEST_DIR LABEL
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vm=$1 guests=$2 label=$3
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

# Fixtures
: >"$t/empty.bin"
head -c 40 "$guests/hello.elf" >"$t/trunc_header.elf"
head -c 300 "$guests/hello.elf" >"$t/trunc_segment.elf"
printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000' >"$t/elf32.elf"
head -c 100 /dev/zero >>"$t/elf32.elf"
cp /bin/true "$t/x86.elf"
truncate -s 200M "$t/huge.bin"
mkdir "$t/dir"
{ head -c 56 /dev/zero; printf 'ARM\x64'; head -c 64 /dev/zero; } >"$t/arm64.Image"
printf 'garbage, not a dtb' >"$t/bad.dtb"
# the first 0x300 bytes of a bzImage: the setup header says more setup sectors follow
{ head -c $((0x1f1)) /dev/zero; printf '\037'; head -c 12 /dev/zero; printf '\125\252'; head -c 2 /dev/zero;
  printf 'HdrS\017\002'; head -c $((0x300 - 0x208)) /dev/zero; } >"$t/trunc.bzImage"
mkdir -p "$t/isodir/docs" && echo "no kernel here" >"$t/isodir/docs/README"
if command -v xorriso >/dev/null; then
    xorriso -as mkisofs -quiet -r -o "$t/nokernel.iso" "$t/isodir" 2>/dev/null
else
    printf 'not an iso' >"$t/nokernel.iso"
fi
printf '.globl _start\n_start: j _start\n' >"$t/far.S"
if riscv64-unknown-elf-gcc -nostdlib -Wl,-Ttext=0x1000000000 -o "$t/far.elf" "$t/far.S" 2>/dev/null; then
    have_far=1
else
    have_far=0
fi

# check NAME 'stderr regex' vm-cli args...
check() {
    local name=$1 want=$2
    shift 2
    timeout 30 "$vm" "$@" </dev/null >"$t/out" 2>"$t/err"
    local st=$?
    local lines
    lines=$(grep -c '^vm-cli:' "$t/err")
    if sanitizer_report "$t/err"; then
        fail "$label bad input: $name" "sanitizer report"
    elif [ "$st" != 2 ]; then
        fail "$label bad input: $name" "exit status $st, expected 2 ($(tail -n1 "$t/err"))"
    elif [ "$lines" != 1 ]; then
        fail "$label bad input: $name" "expected one vm-cli: line, got $lines"
    elif ! grep '^vm-cli:' "$t/err" | grep -qE -- "$want"; then
        fail "$label bad input: $name" "message '$(grep '^vm-cli:' "$t/err")' does not match '$want'"
    else
        pass "$label bad input: $name ($(grep '^vm-cli:' "$t/err"))"
    fi
}

R="run --arch riscv64"
check "missing kernel"         "$t/nope.elf: no such file"                $R --kernel "$t/nope.elf"
check "empty kernel"           "$t/empty.bin: file is empty"              $R --kernel "$t/empty.bin"
check "kernel is a directory"  "$t/dir: not a regular file"               $R --kernel "$t/dir"
check "truncated ELF header"   "$t/trunc_header.elf: truncated ELF header" $R --kernel "$t/trunc_header.elf"
check "truncated ELF segment"  "$t/trunc_segment.elf: truncated"          $R --kernel "$t/trunc_segment.elf"
check "32-bit ELF"             "$t/elf32.elf: 32-bit ELF"                 $R --kernel "$t/elf32.elf"
check "ELF for x86_64"         "$t/x86.elf: ELF for x86_64, not for RISC-V" $R --kernel "$t/x86.elf"
check "arm64 Image"            "$t/arm64.Image: arm64 Linux Image, not a riscv64 kernel" $R --kernel "$t/arm64.Image"
check "image larger than RAM"  "$t/huge.bin: image of .* larger than guest RAM" $R --memory 128M --kernel "$t/huge.bin"
if [ $have_far = 1 ]; then
    check "segment outside RAM" "$t/far.elf: segment [0-9]+ at 0x[0-9a-f]+-0x[0-9a-f]+ is outside guest RAM" $R --kernel "$t/far.elf"
else
    skip "$label bad input: segment outside RAM" "riscv64-unknown-elf-gcc missing"
fi
check "missing initrd"         "$t/nope.img: no such file"   $R --kernel "$guests/hello.elf" --initrd "$t/nope.img"
check "missing bios"           "$t/nope.bin: no such file"   $R --kernel "$guests/hello.elf" --bios "$t/nope.bin"
check "bad dtb"                "$t/bad.dtb: not a flattened device tree" $R --kernel "$guests/hello.elf" --dtb "$t/bad.dtb"
check "initrd larger than RAM" "$t/huge.bin: initrd of .* does not fit" $R --memory 128M --kernel "$guests/hello.elf" --initrd "$t/huge.bin"
check "memory zero"            "--memory 0: not a valid size"   $R --kernel "$guests/hello.elf" --memory 0
check "memory garbage"         "--memory 12Q: not a valid size" $R --kernel "$guests/hello.elf" --memory 12Q
check "memory too large"       "--memory .*: more than this host" $R --kernel "$guests/hello.elf" --memory 64T
check "memory overflow"        "--memory 99999999999999999999: not a valid size" $R --kernel "$guests/hello.elf" --memory 99999999999999999999
check "vcpus zero"             "--vcpus 0: must be a number"    $R --kernel "$guests/hello.elf" --vcpus 0
check "vcpus not implemented"  "--vcpus 2: only one vCPU is implemented" $R --kernel "$guests/hello.elf" --vcpus 2
check "cdrom on riscv64"       "--cdrom $t/empty.bin: the riscv64 virt board has no CD-ROM" $R --kernel "$guests/hello.elf" --cdrom "$t/empty.bin"
check "x86: truncated bzImage"  "$t/trunc.bzImage: .*(truncated|setup)" run --arch x86_64 --kernel "$t/trunc.bzImage"
check "x86: ISO without a kernel" "$t/nokernel.iso: .*(no |not |missing)" run --arch x86_64 --kernel "$t/nokernel.iso"
check "x86: missing cdrom"      "$t/nope.iso: no such file" run --arch x86_64 --kernel "$guests/../x86/mb1_elf.elf" --cdrom "$t/nope.iso"
check "unknown arch"           "--arch sparc: unknown architecture" run --arch sparc --kernel "$guests/hello.elf"
check "RISC-V ELF on x86_64"   "$guests/hello.elf: .*(RISC-V|Multiboot)" run --arch x86_64 --kernel "$guests/hello.elf"
check "arm64 not implemented"  "--arch arm64: .*not implemented yet" run --arch aarch64 --kernel "$guests/hello.elf"
check "no kernel"              "--kernel is required"          $R
check "unknown option"         "unknown or incomplete option '--frobnicate'" $R --kernel "$guests/hello.elf" --frobnicate
check "bad mode"               "--mode jit: only 'interpreter'" $R --kernel "$guests/hello.elf" --mode jit
check "bad escape"             "--escape abc: use"             $R --kernel "$guests/hello.elf" --escape abc
echo "RESULT $PASS $FAIL $SKIP"
