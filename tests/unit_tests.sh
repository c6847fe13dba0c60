#!/usr/bin/env bash
# Run every unit test of one build (BUILD/unit/test_*): exit status 0 and no sanitizer
# report. RUNNER (optional) is prefixed to each command, e.g. a qemu-user launcher for a
# cross build.
#   tests/unit_tests.sh BUILD LABEL [RUNNER...]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
dir=$1 label=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for u in "$dir"/unit/test_*; do
    [ -x "$u" ] || continue
    n=$((n + 1))
    name=$(basename "$u")
    if timeout 300 "$@" "$u" >"$tmp/out" 2>&1 && ! sanitizer_report "$tmp/out"; then
        pass "$label unit $name ($(grep -c '^ok' "$tmp/out") checks)"
    else
        why=$(grep -m3 -E '^not ok|runtime error|Sanitizer|error' "$tmp/out")
        fail "$label unit $name" "$(printf '%s\n' "${why:-$(tail -n 2 "$tmp/out")}" | tr '\n' '|')"
    fi
done
[ "$n" -gt 0 ] || fail "$label unit" "no unit test binaries in $dir/unit"
echo "RESULT $PASS $FAIL $SKIP"
