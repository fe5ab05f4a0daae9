#!/usr/bin/env bash
# The load test (issue 8) INSIDE the VM test bed: thousands of processes, a flood of control-socket clients and
# repeated real pressure episodes at the same time; reports headroomd's decision latency per episode (p50/p99) and
# its resident memory over the whole run. Host side: bench/vm/load-run.sh (writes bench/results/load.md).
#   tests/vm/run-vm.sh --mem 1024 --timeout 900 --out DIR -- bench/vm/load.sh /results [EPISODES] [PROCESSES] [CLIENTS]
set -uo pipefail

out=${1:?usage: load.sh OUTDIR [EPISODES] [PROCESSES] [CLIENTS]}
episodes=${2:-12} nprocs=${3:-2000} clients=${4:-8}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
wl=${HR_BENCH_WL:-$repo/build/bench/workloads}
headroomd=${HR_BENCH_HEADROOMD:-$repo/build/src/headroomd}
headroomctl=$(dirname "$headroomd")/headroomctl
sock=/run/headroom/headroom.sock

say() { echo "load: $(cut -d' ' -f1 /proc/uptime) $*"; }
die() { echo "load: ERROR: $*" >&2; echo "$*" >"$out/error"; exit 1; }
mkdir -p "$out" || exit 1
[ "$(id -u)" = 0 ] || die "must run as root in the VM"
[ "${HR_VM:-0}" = 1 ] || die "refusing to run outside the VM test bed (headroomd acts on the whole machine)"
for p in "$wl/hr-leak" "$wl/hr-fork-many" "$headroomd" "$headroomctl"; do [ -x "$p" ] || die "no $p"; done
echo -1000 >/proc/self/oom_score_adj # the harness is never a victim; what it starts gets 0 back
# headroomd logs wall-clock times, the episodes are in uptime: one pair ties them
echo "clock_uptime=$(cut -d' ' -f1 /proc/uptime) clock_wall=$(date +%H:%M:%S.%N)" >"$out/clock"

pids=()
cleanup() {
        for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
        sleep 1
        for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
}
trap cleanup EXIT

# ---- thousands of small processes ----
(echo 0 >/proc/self/oom_score_adj; exec "$wl/hr-fork-many" --count "$nprocs" --mib 0 --name svc --ready-file "$out/many.ready" \
        --out "$out/many.json") >"$out/many.log" 2>&1 &
pids+=($!)
for _ in $(seq 600); do [ -e "$out/many.ready" ] && break; sleep 0.2; done
[ -e "$out/many.ready" ] || die "hr-fork-many not ready"
say "$nprocs processes ready; running/tasks $(cut -d' ' -f4 /proc/loadavg)"

# ---- the daemon on its defaults ----
"$headroomd" --runtime-dir /run/headroom >"$out/headroomd.log" 2>&1 &
hpid=$!
pids+=($hpid)
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || die "no control socket"

# ---- its memory, twice a second ----
(
        echo "t rss_kib hwm_kib fds"
        while kill -0 "$hpid" 2>/dev/null; do
                awk -v t="$(cut -d' ' -f1 /proc/uptime)" -v fds="$(ls /proc/$hpid/fd 2>/dev/null | wc -l)" \
                        '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } END { print t, r, h, fds }' "/proc/$hpid/status"
                sleep 0.5
        done
) >"$out/rss.tsv" 2>/dev/null &
pids+=($!)

# ---- the flood: CLIENTS loops of requests, each a new connection ----
for c in $(seq "$clients"); do
        (
                echo 0 >/proc/self/oom_score_adj
                n=0 bad=0
                trap 'echo "$n $bad" >"$out/flood.$c"; exit 0' TERM
                while :; do
                        for cmd in status list metrics incidents; do
                                if "$headroomctl" --socket "$sock" --json $cmd >/dev/null 2>&1; then n=$((n + 1)); else bad=$((bad + 1)); fi
                        done
                done
        ) &
        pids+=($!)
        flood+=($!)
done
say "flood: $clients clients"
sleep 5 # the daemon sees the flood before the first episode

# ---- the episodes: a leak at 40 MiB/s until headroomd ends it, then calm ----
: >"$out/episodes"
for i in $(seq "$episodes"); do
        t0=$(cut -d' ' -f1 /proc/uptime)
        (echo 0 >/proc/self/oom_score_adj; exec "$wl/hr-leak" --rate 40 --max 4096 --name leaker --duration 90) \
                >/dev/null 2>&1 &
        lp=$!
        wait "$lp"
        st=$?
        t1=$(cut -d' ' -f1 /proc/uptime)
        echo "$i $lp $t0 $t1 $st" >>"$out/episodes"
        say "episode $i: leaker $lp ended with status $st after $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s"
        # calm again before the next one: the score under 5 (the damped level steps down one level per 20 s of calm,
        # so a later episode may start at HIGH: triggers still fire), at most 30 s
        for _ in $(seq 60); do
                "$headroomctl" --socket "$sock" --json status 2>/dev/null |
                        grep -Eq '"score": *[0-4](\.[0-9]+)?[,}]' && break
                sleep 0.5
        done
        sleep 3
done

for p in "${flood[@]}"; do kill -TERM "$p" 2>/dev/null; done
sleep 2
kill -TERM "$hpid" 2>/dev/null
wait "$hpid"
echo "headroomd_exit=$?" >"$out/meta"
grep -h . "$out"/flood.* 2>/dev/null | awk '{ n += $1; b += $2 } END { print "requests=" n + 0; print "failed=" b + 0 }' >>"$out/meta"
oom=$(awk '/^oom_kill / { print $2 }' /proc/vmstat)
echo "kernel_oom_kills=$oom" >>"$out/meta"
say "done"
exit 0
