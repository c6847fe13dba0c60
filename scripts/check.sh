#!/usr/bin/env bash
# The README's test command: install what the tests need (Debian packages, guest images
# into the cache), then run the whole suite. Last line: "N passed, N failed, N skipped".
set -eu
cd "$(dirname "$0")/.."
scripts/setup-deps.sh test
exec tests/run-all.sh
