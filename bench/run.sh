#!/usr/bin/env bash
# Benchmarks of vm against QEMU TCG (qemu-system-riscv64 -M virt -smp 1): Debian installer
# boot milestones, a bare-metal CPU workload (MIPS), the same workload as a Linux process,
# peak RSS and start-up time. Writes a markdown table to bench/results/ and prints it.
# See bench/README.md.
#   bench/run.sh            (make bench installs the dependencies first)
# Environment:
#   BENCH_RUNS=3            runs per emulator for each timed row (alternating vm, QEMU)
#   BENCH_ONLY=a,b          sections: installer, workload, linux, startup, x86workload,
#                           x86installer (amd64 installer and busybox prompt)
#                           (default: all)
#   BENCH_ITERS=3000        workload iterations (~2.4 M instructions each)
#   BENCH_TIMEOUT=300       seconds before one run is given up (killed, reported in a note)
#   BENCH_OUT=FILE          results file (default results/latest.md; a BENCH_ONLY run
#                           writes results/subset.md so it does not replace the full table)
#   VM_CACHE                guest image cache (default ~/.cache/vm-guests)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${BENCH_RUNS:-3}
only=${BENCH_ONLY:-installer,workload,linux,startup,x86workload,x86installer}
iters=${BENCH_ITERS:-3000}
limit=${BENCH_TIMEOUT:-300}
cache=${VM_CACHE:-${HOME:-/root}/.cache/vm-guests}/riscv64
cache_x86=${VM_CACHE:-${HOME:-/root}/.cache/vm-guests}/amd64
load0=$(awk '{ print $1 ", " $2 ", " $3 }' /proc/loadavg)
work=$here/build
vm=$work/vm-cli
qemu=qemu-system-riscv64
if [ -n "${BENCH_OUT:-}" ]; then out=$BENCH_OUT
elif [ -z "${BENCH_ONLY:-}" ]; then out=$here/results/latest.md
else out=$here/results/subset.md; fi

want() { case ",$only," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
say() { echo "bench: $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

qemu_x86=qemu-system-x86_64
for tool in "$qemu" "$qemu_x86" riscv64-unknown-elf-gcc cpio gzip hyperfine cc objcopy; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (run scripts/setup-deps.sh bench)"
done
for f in linux initrd.gz fw_dynamic.bin busybox; do
    [ -s "$cache/$f" ] || die "$cache/$f missing (run scripts/fetch-guests.sh)"
done
for f in linux initrd.gz busybox; do
    [ -s "$cache_x86/$f" ] || die "$cache_x86/$f missing (run scripts/fetch-guests.sh)"
done

say "building vm-cli"
make -C "$root" -s -j2 all >&2 || die "building vm-cli failed"
# Run a private copy: colleagues may rebuild build/vm-cli while the benchmark runs.
mkdir -p "$work"
cp "$root/build/vm-cli" "$vm"
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$root" status --porcelain -- src 2>/dev/null | head -n 1)
rm -rf "$work/data" "$work/logs"
mkdir -p "$work/data" "$work/logs" "$here/results"

# ---- Build the helpers and guests ----
cc -O2 -Wall -Wextra -o "$work/milestones" "$here/milestones.c"

RVCC=riscv64-unknown-elf-gcc
RVFLAGS=(-O2 -march=rv64gc -mabi=lp64d -mcmodel=medany -nostdlib -ffreestanding -Wall -Wextra)
NOWARN=()
if $RVCC -Wl,--no-warn-rwx-segments -Wl,--help >/dev/null 2>&1; then NOWARN=(-Wl,--no-warn-rwx-segments); fi
w=$here/workload
$RVCC "${RVFLAGS[@]}" "${NOWARN[@]}" -DBENCH_ITERS="$iters" -T "$w/metal.ld" \
    -o "$work/bench.elf" "$w/metal.c" "$w/mix.c" -lgcc
$RVCC "${RVFLAGS[@]}" "${NOWARN[@]}" -T "$w/metal.ld" -o "$work/tiny.elf" "$w/tiny.S"
$RVCC "${RVFLAGS[@]}" "${NOWARN[@]}" -static -DBENCH_ITERS="$iters" \
    -o "$work/bench-linux" "$w/linux.c" "$w/mix.c" -lgcc

# The same workload bare-metal on x86_64: a flat Multiboot image for QEMU's pc and vm's.
gcc -O2 -m64 -ffreestanding -fno-pic -fno-pie -no-pie -nostdlib -mno-red-zone \
    -mgeneral-regs-only -fno-stack-protector -static -Wall -Wextra -DBENCH_ITERS="$iters" \
    -T "$w/x86_metal.ld" -Wl,--build-id=none -o "$work/bench-x86.elf" \
    "$w/x86_entry.S" "$w/x86_metal.c" "$w/mix.c"
objcopy -O binary "$work/bench-x86.elf" "$work/bench-x86.bin"

# Initramfs: busybox, the workload as /bench, and an /init that times it between markers.
rm -rf "$work/root"
mkdir -p "$work/root/bin" "$work/root/proc" "$work/root/dev"
cp "$cache/busybox" "$work/root/bin/busybox"
cp "$work/bench-linux" "$work/root/bench"
cat >"$work/root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
echo BENCH-START
/bench
st=$?
echo "BENCH-END status $st"
poweroff -f
INIT
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -6) >"$work/bench-initrd.gz"

# amd64 initramfs: busybox and an /init that says when the shell is up, then powers off.
rm -rf "$work/root-x86"
mkdir -p "$work/root-x86/bin" "$work/root-x86/proc"
cp "$cache_x86/busybox" "$work/root-x86/bin/busybox"
cat >"$work/root-x86/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
echo "BUSYBOX-PROMPT $(cat /proc/uptime)"
poweroff -f
INIT
chmod +x "$work/root-x86/init"
(cd "$work/root-x86" && find . | cpio -o -H newc --quiet | gzip -6) >"$work/busybox-x86-initrd.gz"

# ---- Running and recording ----
# watch NAME TIMEOUT [milestones options...] -- CMD...: one run under the output watcher;
# its report goes to logs/NAME.times, stdout to logs/NAME.out, stderr to logs/NAME.err.
watch() {
    local name=$1 limit=$2
    shift 2
    awk '{ print $1 }' /proc/loadavg >>"$work/data/load"
    "$work/milestones" -t "$limit" -o "$work/logs/$name.out" -e "$work/logs/$name.err" "$@" \
        >"$work/logs/$name.times"
}
# field NAME KEY [N]: from logs/NAME.times, "match N" seconds, "end" seconds or "maxrss_kb"
field() {
    awk -v k="$2" -v n="${3:-}" '
        k == "match" && $1 == "match" && $2 == n { print $3 }
        k == "end" && $1 == "end" { print $2 }
        k == "how" && $1 == "end" { print $3 " " $4 }
        k == "maxrss_kb" && $1 == "maxrss_kb" { print $2 }' "$work/logs/$1.times"
}
# record KEY EMU VALUE: one measurement (empty values are dropped)
record() { [ -n "$3" ] && echo "$3" >>"$work/data/$1.$2"; return 0; }
median() {
    [ -s "$1" ] || { echo ""; return; }
    sort -g "$1" | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
sub() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b != "") printf "%.6f", b - a }'; }
ram_mib() { awk -v k="$1" 'BEGIN { if (k != "") printf "%.6f", k / 1024 }'; }

fw=$cache/fw_dynamic.bin
vm_cmd() { echo "$vm" run --arch riscv64 "$@"; }
notes=()

if want installer; then
    for i in $(seq 1 "$runs"); do
        for emu in vm qemu; do
            name=installer-$emu-$i
            say "installer, $emu, run $i/$runs"
            if [ $emu = vm ]; then
                set -- "$vm" run --arch riscv64 --memory 1G --kernel "$cache/linux" \
                    --initrd "$cache/initrd.gz" --append console=ttyS0
            else
                set -- "$qemu" -M virt -smp 1 -m 1G -nographic -bios "$fw" -kernel "$cache/linux" \
                    -initrd "$cache/initrd.gz" -append console=ttyS0
            fi
            watch "$name" "$limit" -p "Linux version" -p "Run /init" -p "Select a language|Choose language" -- "$@"
            record inst_linux $emu "$(field "$name" match 1)"
            record inst_init $emu "$(field "$name" match 2)"
            record inst_lang $emu "$(field "$name" match 3)"
            record inst_rss $emu "$(ram_mib "$(field "$name" maxrss_kb)")"
            [ -n "$(field "$name" match 3)" ] || notes+=("installer run $i on $emu did not reach the language screen ($(field "$name" how)); see bench/build/logs/$name.out")
        done
    done
fi

metal_sum=
insns=
if want workload || want linux; then
    # The exact retired-instruction count of the bare-metal workload, from vm --verbose.
    for i in $(seq 1 "$runs"); do
        for emu in vm qemu; do
            name=workload-$emu-$i
            say "bare-metal workload, $emu, run $i/$runs"
            if [ $emu = vm ]; then
                set -- "$vm" run --arch riscv64 --memory 128M --bios none --kernel "$work/bench.elf" --verbose
            else
                set -- "$qemu" -M virt -smp 1 -m 128M -bios none -nographic -kernel "$work/bench.elf"
            fi
            watch "$name" "$limit" -w -- "$@"
            [ "$(field "$name" how)" = "exited 0" ] || die "$name: $(field "$name" how); see $work/logs/$name.{out,err}"
            sum=$(grep -ao 'checksum [0-9a-f]*' "$work/logs/$name.out" | awk '{ print $2 }')
            [ -n "$sum" ] || die "$name printed no checksum"
            [ -z "$metal_sum" ] || [ "$sum" = "$metal_sum" ] || die "$name: checksum $sum differs from $metal_sum"
            metal_sum=$sum
            if [ $emu = vm ]; then
                n=$(sed -n 's/.*guest stopped after \([0-9]*\) instructions.*/\1/p' "$work/logs/$name.err" | tail -n 1)
                [ -n "$n" ] || die "$name: no instruction count in vm --verbose output"
                [ -z "$insns" ] || [ "$n" = "$insns" ] || die "$name: instruction count $n differs from $insns"
                insns=$n
            fi
            # Only the instruction count and checksum are needed for `linux`: one vm run.
            want workload || break 2
            record wl_time $emu "$(field "$name" end)"
            record wl_rss $emu "$(ram_mib "$(field "$name" maxrss_kb)")"
        done
    done
    if want workload; then
        for emu in vm qemu; do
            while read -r t; do
                record wl_mips $emu "$(awk -v n="$insns" -v t="$t" 'BEGIN { printf "%.3f", n / t / 1e6 }')"
            done <"$work/data/wl_time.$emu"
        done
    fi
fi

if want linux; then
    for i in $(seq 1 "$runs"); do
        for emu in vm qemu; do
            name=linux-$emu-$i
            say "workload under Linux, $emu, run $i/$runs"
            if [ $emu = vm ]; then
                set -- "$vm" run --arch riscv64 --memory 256M --kernel "$cache/linux" \
                    --initrd "$work/bench-initrd.gz" --append console=ttyS0
            else
                set -- "$qemu" -M virt -smp 1 -m 256M -nographic -bios "$fw" -kernel "$cache/linux" \
                    -initrd "$work/bench-initrd.gz" -append console=ttyS0
            fi
            watch "$name" "$limit" -w -p "BENCH-START" -p "BENCH-END" -- "$@"
            s=$(field "$name" match 1) e=$(field "$name" match 2)
            [ -n "$s" ] && [ -n "$e" ] || die "$name: markers not seen ($(field "$name" how)); see $work/logs/$name.out"
            grep -aq "BENCH-END status 0" "$work/logs/$name.out" || die "$name: workload failed; see $work/logs/$name.out"
            sum=$(grep -ao 'checksum [0-9a-f]*' "$work/logs/$name.out" | awk '{ print $2 }')
            [ "$sum" = "$metal_sum" ] || die "$name: checksum '$sum' differs from bare metal $metal_sum"
            record lx_boot $emu "$s"
            record lx_time $emu "$(sub "$s" "$e")"
            record lx_mips $emu "$(awk -v n="$insns" -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", n / (e - s) / 1e6 }')"
            record lx_rss $emu "$(ram_mib "$(field "$name" maxrss_kb)")"
        done
    done
fi

x86_sum=
x86_insns=
if want x86workload; then
    for i in $(seq 1 "$runs"); do
        for emu in vm qemu; do
            name=x86-workload-$emu-$i
            say "x86_64 bare-metal workload, $emu, run $i/$runs"
            if [ $emu = vm ]; then
                set -- "$vm" run --arch x86_64 --memory 128M --kernel "$work/bench-x86.bin" --verbose
            else
                set -- "$qemu_x86" -M pc -smp 1 -m 128M -display none -serial stdio \
                    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$work/bench-x86.bin"
            fi
            watch "$name" "$limit" -w -- "$@"
            # isa-debug-exit: the workload's status 0 exits with 0 * 2 + 1
            [ "$(field "$name" how)" = "exited 1" ] || die "$name: $(field "$name" how); see $work/logs/$name.{out,err}"
            sum=$(grep -ao 'checksum [0-9a-f]*' "$work/logs/$name.out" | awk '{ print $2 }')
            [ -n "$sum" ] || die "$name printed no checksum"
            [ -z "$x86_sum" ] || [ "$sum" = "$x86_sum" ] || die "$name: checksum $sum differs from $x86_sum"
            x86_sum=$sum
            if [ $emu = vm ]; then
                n=$(sed -n 's/.*guest stopped after \([0-9]*\) instructions.*/\1/p' "$work/logs/$name.err" | tail -n 1)
                [ -n "$n" ] || die "$name: no instruction count in vm --verbose output"
                [ -z "$x86_insns" ] || [ "$n" = "$x86_insns" ] || die "$name: instruction count $n differs from $x86_insns"
                x86_insns=$n
            fi
            record x86_time $emu "$(field "$name" end)"
            record x86_rss $emu "$(ram_mib "$(field "$name" maxrss_kb)")"
        done
    done
    for emu in vm qemu; do
        while read -r t; do
            record x86_mips $emu "$(awk -v n="$x86_insns" -v t="$t" 'BEGIN { printf "%.3f", n / t / 1e6 }')"
        done <"$work/data/x86_time.$emu"
    done
fi

if want x86installer; then
    for i in $(seq 1 "$runs"); do
        for emu in vm qemu; do
            name=x86-installer-$emu-$i
            say "amd64 installer, $emu, run $i/$runs"
            if [ $emu = vm ]; then
                set -- "$vm" run --arch x86_64 --memory 1G --kernel "$cache_x86/linux" \
                    --initrd "$cache_x86/initrd.gz" --append console=ttyS0
            else
                set -- "$qemu_x86" -M pc -smp 1 -m 1G -display none -serial stdio -monitor none \
                    -kernel "$cache_x86/linux" -initrd "$cache_x86/initrd.gz" -append console=ttyS0
            fi
            watch "$name" "$limit" -p "Linux version" -p "Run /init" -p "Select a language|Choose language" -- "$@"
            record x86i_linux $emu "$(field "$name" match 1)"
            record x86i_init $emu "$(field "$name" match 2)"
            record x86i_lang $emu "$(field "$name" match 3)"
            record x86i_rss $emu "$(ram_mib "$(field "$name" maxrss_kb)")"
            [ -n "$(field "$name" match 3)" ] || notes+=("amd64 installer run $i on $emu did not reach the language screen ($(field "$name" how)); see bench/build/logs/$name.out")

            name=x86-busybox-$emu-$i
            say "amd64 busybox prompt, $emu, run $i/$runs"
            if [ $emu = vm ]; then
                set -- "$vm" run --arch x86_64 --memory 1G --kernel "$cache_x86/linux" \
                    --initrd "$work/busybox-x86-initrd.gz" --append console=ttyS0
            else
                set -- "$qemu_x86" -M pc -smp 1 -m 1G -display none -serial stdio -monitor none \
                    -kernel "$cache_x86/linux" -initrd "$work/busybox-x86-initrd.gz" -append console=ttyS0
            fi
            watch "$name" "$limit" -p "BUSYBOX-PROMPT" -- "$@"
            record x86b_prompt $emu "$(field "$name" match 1)"
            record x86b_rss $emu "$(ram_mib "$(field "$name" maxrss_kb)")"
            [ -n "$(field "$name" match 1)" ] || notes+=("amd64 busybox run $i on $emu did not reach the prompt ($(field "$name" how)); see bench/build/logs/$name.out")
        done
    done
fi

if want startup; then
    say "start-up: hyperfine on tiny.elf"
    hyperfine -N --style none --warmup 5 --runs 50 --export-csv "$work/logs/startup.csv" \
        "$(vm_cmd --bios none --kernel "$work/tiny.elf")" \
        "$qemu -M virt -smp 1 -bios none -nographic -kernel $work/tiny.elf" >"$work/logs/startup.txt" 2>&1 \
        || die "hyperfine failed; see $work/logs/startup.txt"
    # CSV: command,mean,stddev,median,user,system,min,max (seconds); row 2 = vm, row 3 = QEMU
    awk -F, 'NR == 2 { printf "%.3f\n", $4 * 1000 }' "$work/logs/startup.csv" >"$work/data/st_ms.vm"
    awk -F, 'NR == 3 { printf "%.3f\n", $4 * 1000 }' "$work/logs/startup.csv" >"$work/data/st_ms.qemu"
fi

# ---- The table ----
# row LABEL KEY DECIMALS: medians of vm and QEMU and their ratio
row() {
    local v q
    v=$(median "$work/data/$2.vm")
    q=$(median "$work/data/$2.qemu")
    [ -n "$v$q" ] || return 0
    awk -v l="$1" -v v="$v" -v q="$q" -v d="$3" -v rc="${4:-}" -v nv="$(cat "$work/data/$2.vm" 2>/dev/null | wc -l)" \
        -v nq="$(cat "$work/data/$2.qemu" 2>/dev/null | wc -l)" 'BEGIN {
        fv = v == "" ? "–" : sprintf("%." d "f", v)
        fq = q == "" ? "–" : sprintf("%." d "f", q)
        r = (v == "" || q == "" || q == 0) ? "–" : sprintf("%.2f", v / q)
        printf "| %s | %s | %s | %s | %s |\n", l, fv, fq, r, (rc != "" ? rc : nv " / " nq) }'
}
runs_of() {   # every run of KEY, for the details section
    local emu
    for emu in vm qemu; do
        [ -s "$work/data/$1.$emu" ] && printf '%s %s: %s\n' "$1" "$emu" "$(tr '\n' ' ' <"$work/data/$1.$emu")"
    done
    return 0
}

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
load=$(awk '{ print $1 ", " $2 ", " $3 }' /proc/loadavg)
{
    echo "# vm vs QEMU TCG benchmarks"
    echo
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- Machine: ${cpu:-unknown CPU}, $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM"
    echo "- vm: commit $commit${dirty:+ with uncommitted changes in src/}"
    echo "- QEMU: $($qemu --version | head -n 1)"
    echo "- Runs: $runs per emulator, alternating; sections: $only; workload: $iters iterations${insns:+, $insns instructions}${metal_sum:+, checksum $metal_sum (identical in both)}"
    [ -z "$x86_insns" ] || echo "- x86_64 workload: $x86_insns instructions, checksum $x86_sum (identical in both); QEMU: $($qemu_x86 --version | head -n 1)"
    echo "- Load average (1, 5, 15 min) at the start: $load0; at the end: $load"
    echo "- Highest 1-min load average seen before a run: $(sort -g "$work/data/load" 2>/dev/null | tail -n 1)"
    if awk -v a="${load0%%,*}" -v b="${load%%,*}" -v m="$(sort -g "$work/data/load" 2>/dev/null | tail -n 1)" 'BEGIN { exit !(a > 1.5 || b > 1.5 || m > 1.5) }'; then
        echo "- Note: load average above 1.5 — another job was running on this 2-core machine; times may be inflated."
    fi
    for n in "${notes[@]}"; do echo "- Note: $n"; done
    echo
    echo "| Measurement (median) | vm | QEMU | vm/QEMU | runs vm / QEMU |"
    echo "|---|---:|---:|---:|---:|"
    row "Installer: first kernel line \"Linux version\" (s)" inst_linux 2
    row "Installer: \"Run /init\" (s)" inst_init 2
    row "Installer: language screen \"Select a language\" (s)" inst_lang 2
    row "Installer: peak RSS (MiB)" inst_rss 0
    row "Bare-metal workload: run time, process start to exit (s)" wl_time 2
    row "Bare-metal workload: guest MIPS" wl_mips 0
    row "Bare-metal workload: peak RSS (MiB)" wl_rss 0
    row "Linux workload: boot to BENCH-START (s)" lx_boot 2
    row "Linux workload: BENCH-START → BENCH-END (s)" lx_time 2
    row "Linux workload: MIPS (bare-metal count / that time)" lx_mips 0
    row "Linux workload: peak RSS (MiB)" lx_rss 0
    row "x86_64 bare-metal workload: run time, process start to exit (s)" x86_time 2
    row "x86_64 bare-metal workload: guest MIPS" x86_mips 0
    row "x86_64 bare-metal workload: peak RSS (MiB)" x86_rss 0
    row "amd64 installer: first kernel line \"Linux version\" (s)" x86i_linux 2
    row "amd64 installer: \"Run /init\" (s)" x86i_init 2
    row "amd64 installer: language screen \"Select a language\" (s)" x86i_lang 2
    row "amd64 installer: peak RSS (MiB)" x86i_rss 0
    row "amd64 busybox: shell prompt (s)" x86b_prompt 2
    row "amd64 busybox: peak RSS (MiB)" x86b_rss 0
    row "Start-up: tiny.elf total wall time (ms, hyperfine, 50 runs, 5 warm-up)" st_ms 1 "50 / 50"
    echo
    echo "Ratio vm/QEMU: above 1 means vm takes longer (times) or uses more (RSS); for MIPS, below 1"
    echo "means vm is slower. Every run:"
    echo
    echo '```'
    for k in inst_linux inst_init inst_lang inst_rss wl_time wl_mips wl_rss lx_boot lx_time lx_mips lx_rss x86_time x86_mips x86_rss \
             x86i_linux x86i_init x86i_lang x86i_rss x86b_prompt x86b_rss st_ms; do
        runs_of $k
    done
    echo '```'
} >"$out"
cat "$out"
say "written to $out"
