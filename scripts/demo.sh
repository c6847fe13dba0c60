#!/usr/bin/env bash
# The README's demo command: install the build dependencies, build vm-cli, fetch the
# Debian 13 riscv64 installer into the cache, and boot it on this terminal.
# The installer runs GNU screen (prefix Ctrl-A), so the emulator's escape key is Ctrl-]:
# press Ctrl-] then x to quit.
set -eu
cd "$(dirname "$0")/.."
scripts/setup-deps.sh demo
make -j"$(nproc)" >/dev/null
cache=${VM_CACHE:-${HOME:-/root}/.cache/vm-guests}/riscv64
exec build/vm-cli run --arch riscv64 --memory 1G --escape '^]' \
    --kernel "$cache/linux" --initrd "$cache/initrd.gz" --append "console=ttyS0"
