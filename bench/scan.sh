#!/usr/bin/env bash
# Cost of one process scan (io/procfs.c): writes a synthetic N-process tree (bench/gen-procs.c, default 10,000) into
# a temporary directory, counts the instructions of hr_procfs_scan under callgrind (cold: every file of every process;
# warm: the steady state, and warm with every file re-read), then measures CPU time per scan of that tree and of the
# live /proc with CLOCK_PROCESS_CPUTIME_ID (bench/scan-bench.c) over several repetitions.
# With --live N it also starts N sleeping processes (bench/workloads/hr-fork-many; they die with it) and measures
# the live /proc with them there: the kernel side of reading procfs, which callgrind does not see, is most of the
# cost. The same scan inside the daemon, next to earlyoom's and nohang's: bench/overhead.sh.
# Usage: bench/scan.sh [--procs N] [--reps N] [--live N] [--build DIR] [--out FILE.md]
set -euo pipefail
cd "$(dirname "$0")/.."

procs=10000 reps=20 build=build out="" live_n=0
while [ $# -gt 0 ]; do
        case "$1" in
        --procs) procs=$2; shift 2 ;;
        --reps) reps=$2; shift 2 ;;
        --build) build=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --live) live_n=$2; shift 2 ;;
        *) echo "usage: bench/scan.sh [--procs N] [--reps N] [--live N] [--build DIR] [--out FILE.md]" >&2; exit 2 ;;
        esac
done
command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null ||
        { echo "bench: needs valgrind (callgrind, callgrind_annotate)" >&2; exit 1; }

ninja -C "$build" tests/gen-procs tests/scan-bench bench/workloads/hr-fork-many >/dev/null
gen=$build/tests/gen-procs bench=$build/tests/scan-bench forkmany=$build/bench/workloads/hr-fork-many

dir=$(mktemp -d "${TMPDIR:-/tmp}/hr-bench-scan.XXXXXX")
fork_pid=""
stop_kids() { # hr-fork-many kills and reaps its children on SIGTERM; they die with it anyway (PR_SET_PDEATHSIG)
        [ -n "$fork_pid" ] || return 0
        kill "$fork_pid" 2>/dev/null || true
        wait "$fork_pid" 2>/dev/null || true
        fork_pid=""
}
cleanup() {
        stop_kids
        rm -rf "$dir"
}
trap cleanup EXIT
"$gen" "$dir" "$procs"

# Inclusive instructions of hr_procfs_scan over a run of the driver with the given arguments.
scan_ir() {
        local cg=$dir/callgrind.out
        valgrind --tool=callgrind --callgrind-out-file="$cg" "$bench" --root "$dir" "$@" >/dev/null 2>&1
        callgrind_annotate --inclusive=yes "$cg" | # awk reads it all: an early exit would SIGPIPE it under pipefail
                awk '/:hr_procfs_scan / && !/=>/ && !n { gsub(",", "", $1); n = $1 } END { print n + 0 }'
}
total_ir() {
        local cg=$dir/callgrind.out
        valgrind --tool=callgrind --callgrind-out-file="$cg" "$bench" --root "$dir" "$@" >/dev/null 2>&1
        callgrind_annotate "$cg" | awk '/PROGRAM TOTALS/ && !n { gsub(",", "", $1); n = $1 } END { print n + 0 }'
}

base=$(total_ir --no-scan --scans 1)
one_total=$(total_ir --scans 1)
cold=$(scan_ir --scans 1)
three=$(scan_ir --scans 3)
three_full=$(scan_ir --scans 3 --refresh 1)
warm=$(( (three - cold) / 2 ))
warm_full=$(( (three_full - cold) / 2 ))

tree=$("$bench" --root "$dir" --reps "$reps")
live=$("$bench" --reps "$reps")
live_many=""
if [ "$live_n" -gt 0 ]; then
        "$forkmany" --count "$live_n" --mib 0 --name hr-scan-sleeper --ready-file "$dir/ready" >/dev/null 2>&1 &
        fork_pid=$!
        until [ -e "$dir/ready" ]; do
                kill -0 "$fork_pid" 2>/dev/null || { echo "bench: hr-fork-many failed" >&2; exit 1; }
                sleep 0.2
        done
        live_many=$("$bench" --reps "$reps")
        stop_kids
fi

report=$(
        printf 'Process scan cost on %s, %s CPUs, %s; %s processes in a generated tree (%s)\n\n' \
                "$(uname -r)" "$(nproc)" "$(date +%F)" "$procs" "$(df -T "$dir" | awk 'NR == 2 { print $2 }')"
        printf 'Instructions (callgrind, user space only: the kernel side of each syscall is not counted)\n\n'
        printf '| scan | Ir of hr_procfs_scan | per process |\n|---|---:|---:|\n'
        printf '| cold: every file of every process | %s | %s |\n' "$cold" "$(( cold / procs ))"
        printf '| warm: stat only, unless moved or due (refresh every 10) | %s | %s |\n' "$warm" "$(( warm / procs ))"
        printf '| warm, every file re-read (--refresh 1) | %s | %s |\n' "$warm_full" "$(( warm_full / procs ))"
        printf '\nCross-check: whole driver %s Ir with one scan, %s without: %s Ir.\n\n' "$one_total" "$base" \
                "$(( one_total - base ))"
        printf 'CPU time (CLOCK_PROCESS_CPUTIME_ID per scan; user/sys split from getrusage), %s repetitions\n\n' "$reps"
        printf '```\n%s\n\n%s\n```\n\n' "$tree" "$live"
        if [ -n "$live_many" ]; then
                printf 'The live /proc with %s sleeping processes (hr-fork-many --mib 0) started by the benchmark:\n\n```\n%s\n```\n\n' \
                        "$live_n" "$live_many"
        fi
        printf 'Commands: %s %s N; valgrind --tool=callgrind %s --root DIR --scans 1|3 [--refresh 1];\n' \
                "$gen" DIR "$bench"
        printf 'callgrind_annotate --inclusive=yes callgrind.out | grep :hr_procfs_scan; %s --root DIR|(none) --reps %s\n' \
                "$bench" "$reps"
)
echo "$report"
if [ -n "$out" ]; then
        echo "$report" >"$out"
fi
