#!/usr/bin/env bash
# Run an aarch64 Linux cross build (make aarch64 -> build-aarch64/) under qemu-user on
# this host: its unit tests and the bare-metal guest tests, through a vm-cli wrapper that
# starts `qemu-aarch64` with the cross C library (/usr/aarch64-linux-gnu, Debian's
# libc6-dev-arm64-cross) and the arm64 libfdt/zlib of scripts/cross-aarch64-sysroot.sh.
# With NATIVE_VM_CLI, random code also runs on both builds, whose traces, register
# hashes and exit statuses must be identical (tests/host_differential.sh).
# Same output as the other parts: PASS/FAIL/SKIP lines, then "RESULT pass fail skip".
#   tests/cross_aarch64.sh BUILD GUEST_DIR LABEL [NATIVE_VM_CLI]
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/lib.sh"
label=$3 guest_dir=$2 native=${4:-}
if [ ! -f "$1/vm-cli" ]; then
    fail "$label" "no $1/vm-cli: build it with make aarch64"
    echo "RESULT $PASS $FAIL $SKIP"
    exit 0
fi
build=$(cd "$1" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

qemu=${QEMU_AARCH64:-qemu-aarch64}
libc=${AARCH64_LIBC:-/usr/aarch64-linux-gnu}
if ! command -v "$qemu" >/dev/null 2>&1; then
    fail "$label" "$qemu not found (Debian: qemu-user; scripts/setup-deps.sh test installs it)"
    echo "RESULT $PASS $FAIL $SKIP"
    exit 0
fi
if ! sysroot=$("$root/scripts/cross-aarch64-sysroot.sh" 2>"$tmp/sysroot.err"); then
    fail "$label" "no arm64 sysroot: $(tail -n 2 "$tmp/sysroot.err" | tr '\n' '|')"
    echo "RESULT $PASS $FAIL $SKIP"
    exit 0
fi

# qemu-user looks up the guest's absolute paths under -L first (the dynamic loader, libc),
# then falls back to the host path: LD_LIBRARY_PATH reaches the sysroot that way.
cat >"$tmp/qemu-run" <<WRAP
#!/bin/sh
exec "$qemu" -L "$libc" -E LD_LIBRARY_PATH="$sysroot/usr/lib/aarch64-linux-gnu" "\$@"
WRAP
cat >"$tmp/vm-cli" <<WRAP
#!/bin/sh
exec "$tmp/qemu-run" "$build/vm-cli" "\$@"
WRAP
chmod +x "$tmp/qemu-run" "$tmp/vm-cli"

# A binary that cannot start (wrong loader, missing library) fails every test below with
# a confusing message: say it once, plainly.
if ! "$tmp/vm-cli" --help >"$tmp/start" 2>&1 && ! grep -qi usage "$tmp/start"; then
    fail "$label vm-cli starts under $qemu" "$(head -n 2 "$tmp/start" | tr '\n' '|')"
    echo "RESULT $PASS $FAIL $SKIP"
    exit 0
fi

host=$("$tmp/vm-cli" run --arch riscv64 --kernel "$guest_dir/hello.elf" </dev/null 2>&1 >/dev/null |
       grep '^Host: ')
if [ "$host" = "Host: linux / aarch64" ]; then
    pass "$label banner names the host: $host"
else
    fail "$label banner names the host" "got '$host'"
fi

# The parts that run under qemu-user; each takes the wrapper in place of vm-cli.
run_part "$label unit tests" "$root/tests/unit_tests.sh" "$build" "$label" "$tmp/qemu-run"
run_part "$label guest tests" "$root/tests/guest_tests.sh" "$tmp/vm-cli" "$guest_dir" "$label"
if [ -n "$native" ]; then
    run_part "$label host differential" "$root/tests/host_differential.sh" "$native" "$tmp/vm-cli" "$label"
fi
# The x86_64 system tests take the same arguments as guest_tests.sh; their programs are
# built next to the RISC-V ones (GUEST_DIR/../x86) once that suite exists.
x86_dir=$(dirname "$guest_dir")/x86
if [ -x "$root/tests/x86_system_tests.sh" ] && [ -d "$x86_dir" ]; then
    run_part "$label x86 system tests" "$root/tests/x86_system_tests.sh" "$tmp/vm-cli" "$x86_dir" "$label"
fi

echo "RESULT $PASS $FAIL $SKIP"
