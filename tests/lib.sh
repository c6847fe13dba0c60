# Shared helpers of the test scripts: result counting and sanitizer-report detection.
PASS=${PASS:-0}
FAIL=${FAIL:-0}
SKIP=${SKIP:-0}

pass() { PASS=$((PASS + 1)); echo "PASS $1"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL $1${2:+: $2}"; }
skip() { SKIP=$((SKIP + 1)); echo "SKIP $1${2:+: $2}"; }

# sanitizer_report FILE: true if FILE holds an ASan/UBSan/LSan report
sanitizer_report() {
    grep -qE 'runtime error:|ERROR: (Address|Leak|Undefined)Sanitizer|SUMMARY: .*Sanitizer' "$1"
}

# wait_for FILE PATTERN TIMEOUT_S PID [T0]: poll FILE until grep -E PATTERN matches;
# fails if the process PID ends first or the timeout passes. Prints the seconds elapsed
# since T0 (a `date +%s.%N` stamp; default: the start of this wait).
wait_for() {
    local file=$1 pattern=$2 limit=$3 pid=$4 start now t0
    start=$(date +%s.%N)
    t0=${5:-$start}
    while :; do
        if grep -aqE "$pattern" "$file" 2>/dev/null; then
            now=$(date +%s.%N)
            awk -v a="$t0" -v b="$now" 'BEGIN{printf "%.1f\n", b-a}'
            return 0
        fi
        now=$(date +%s.%N)
        if ! kill -0 "$pid" 2>/dev/null; then
            grep -aqE "$pattern" "$file" 2>/dev/null && { echo 0; return 0; }
            return 1
        fi
        if awk -v a="$start" -v b="$now" -v l="$limit" 'BEGIN{exit !(b-a>l)}'; then
            return 1
        fi
        sleep 0.2
    done
}

# run_part LABEL CMD...: run a test script that prints PASS/FAIL/SKIP lines and a final
# "RESULT pass fail skip" line; echo its result lines and add its counts to ours. A script
# that ends without a RESULT line counts as one failure. Prints the part's wall time as a
# "TIME" line (the suite must stay under 45 minutes on 2 cores; these lines show where
# the time goes).
run_part() {
    local label=$1 out t0
    shift
    out=$(mktemp)
    t0=$(date +%s)
    "$@" >"$out" 2>&1
    echo "TIME $label: $(($(date +%s) - t0)) s"
    collect_part "$label" "$out"
    rm -f "$out"
}

# collect_part LABEL FILE: the result lines and counts of a part whose output is FILE.
collect_part() {
    local label=$1 out=$2 r
    grep -E '^(PASS|FAIL|SKIP) ' "$out"
    r=$(grep '^RESULT ' "$out" | tail -n1)
    if [ -z "$r" ]; then
        fail "$label" "did not finish: $(tail -n 3 "$out" | tr '\n' '|')"
    else
        set -- $r
        PASS=$((PASS + $2)); FAIL=$((FAIL + $3)); SKIP=$((SKIP + $4))
    fi
}
