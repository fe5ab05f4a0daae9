#!/usr/bin/env bash
# Idle overhead, side by side in one run: starts headroomd --dry-run and earlyoom --dryrun (and nohang
# if installed) on this machine, lets them settle, then measures each one for N seconds: wake-ups per
# second (context switches of the process), resident memory (VmRSS, and VmHWM) and CPU time.
# Usage: bench/idle.sh [--seconds N] [--out FILE.md]   (default 60 s; builds headroomd if needed)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60 out=""
while [ $# -gt 0 ]; do
        case "$1" in
        --seconds) seconds=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        *) echo "usage: bench/idle.sh [--seconds N] [--out FILE.md]" >&2; exit 2 ;;
        esac
done

scripts/install-deps.sh --bench
scripts/build.sh build

pids=() names=() logs=()
cleanup() {
        for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
        for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
        rm -f "${logs[@]}"
}
trap cleanup EXIT

start() { # name, command...
        local name=$1; shift
        local log; log=$(mktemp /tmp/hr-bench-idle.XXXXXX)
        "$@" >"$log" 2>&1 &
        pids+=($!) names+=("$name") logs+=("$log")
}

# Idle means idle: let the memory PSI averages of earlier work (a test run) decay first, up to 60 s.
for _ in $(seq 60); do
        grep -q '^some avg10=0.00 avg60=0.00' /proc/pressure/memory 2>/dev/null && break
        sleep 1
done

start "headroomd --dry-run" ./build/src/headroomd --dry-run
start "earlyoom --dryrun" earlyoom --dryrun
# nohang has no dry-run mode: on a shared host it would act for real, so it is measured only where it is
# allowed to (HR_BENCH_NOHANG=1, e.g. inside the VM test bed).
if [ "${HR_BENCH_NOHANG:-0}" = 1 ] && command -v nohang >/dev/null; then
        start "nohang --monitor" nohang --monitor --config /etc/nohang/nohang.conf
fi

ctx() { awk '/^(non)?voluntary_ctxt_switches/ {s += $2} END {print s}' "/proc/$1/status"; }
cpu() { awk '{ printf "%.3f", $1 / 1e6 }' "/proc/$1/schedstat"; } # ms on CPU, from the scheduler's ns clock
field() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

sleep 3 # start-up is not idle
declare -A c0 t0
for i in "${!pids[@]}"; do
        p=${pids[$i]}
        kill -0 "$p" 2>/dev/null || { echo "bench: ${names[$i]} exited early:"; cat "${logs[$i]}"; exit 1; }
        c0[$p]=$(ctx "$p") t0[$p]=$(cpu "$p")
done
psi_total() { awk '$1 == "some" { sub("total=", "", $5); print $5 }' /proc/pressure/memory 2>/dev/null || echo 0; }
stall0=$(psi_total)
sleep "$seconds"
stall_ms=$(( ($(psi_total) - stall0) / 1000 ))

table=$(
        printf '| contender | wake-ups/s | RSS (KiB) | peak RSS (KiB) | CPU (ms in %ss) | CPU (s/hour) |\n' "$seconds"
        printf '|---|---:|---:|---:|---:|---:|\n'
        for i in "${!pids[@]}"; do
                p=${pids[$i]}
                c1=$(ctx "$p") t1=$(cpu "$p")
                awk -v n="${names[$i]}" -v dc=$((c1 - c0[$p])) -v t0="${t0[$p]}" -v t1="$t1" \
                    -v s="$seconds" -v rss="$(field "$p" VmRSS)" -v hwm="$(field "$p" VmHWM)" \
                    'BEGIN { dt = t1 - t0; printf "| %s | %.2f | %d | %d | %.1f | %.2f |\n", n, dc / s, rss, hwm, dt, dt / s * 3600 / 1000 }'
        done
)
header="Idle overhead on $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(date -u +%Y-%m-%d); $(./build/src/headroomd --version), $(earlyoom -v 2>&1 | head -1)"
note="System memory stall (PSI some) during the window: ${stall_ms} ms. Not idle if that is large: headroomd then samples faster, by design."
printf '%s\n\n%s\n\n%s\n' "$header" "$table" "$note"
if [ -n "$out" ]; then
        mkdir -p "$(dirname "$out")"
        printf '%s\n\n%s\n\n%s\n' "$header" "$table" "$note" >"$out"
fi
