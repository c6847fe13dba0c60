#!/usr/bin/env bash
# Differential test of the x86 CPU against the host CPU (tests/x86diff/README.md).
#   tests/x86diff/run.sh X86DIFF_BINARY [x86diff options: --insns N --seed S --group NAME]
# Prints PASS/FAIL/SKIP lines and "RESULT pass fail skip" (tests/run-all.sh's run_part).
# Needs an x86_64 Linux host: elsewhere the whole part is skipped.
set -u
bin=$1
shift
if [ "$(uname -s)" != Linux ] || [ "$(uname -m)" != x86_64 ]; then
    echo "SKIP x86diff: the host is $(uname -sm); the comparison needs an x86_64 Linux host"
    echo "RESULT 0 0 1"
    exit 0
fi
if [ ! -x "$bin" ]; then
    echo "FAIL x86diff: $bin is not built (make unit builds it)"
    echo "RESULT 0 1 0"
    exit 1
fi
exec "$bin" "$@"
