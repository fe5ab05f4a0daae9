#!/usr/bin/env bash
# One benchmark run INSIDE the VM test bed's guest (tests/vm/run-vm.sh; root, disposable machine):
#   bench/vm/scenario.sh SCENARIO CONTENDER OUTDIR
# Starts the desktop-like background (a protected "compositor", idle "browser tabs", an "indexer"), the interactive
# probe, then the contender, then the scenario's load; stops everything after the scenario's time; writes raw files
# and OUTDIR/result.json (bench/vm/collect.py). Scenarios: leak spike foreground many. Contenders: kernel mglru
# earlyoom earlyoom-tuned nohang systemd-oomd headroom. See bench/vm/README.md.
#
# Environment: HR_BENCH_WL (directory of the hr-* workloads), HR_BENCH_HEADROOMD (the daemon), HR_BENCH_CODE_FILE
# (the probe's file-backed code set: a file on the host root, read through 9p cache=loose so its pages are evictable
# like a disk's; created under OUTDIR when missing), HR_BENCH_LOAD_S (override the load phase's length),
# HR_BENCH_SCOPES=1 (every workload in its own app cgroup, /sys/fs/cgroup/app.slice/app-KEY.scope with the cpu and
# memory controllers, as a systemd desktop runs applications; default 0: all in the root cgroup).
set -uo pipefail

scenario=${1:?usage: scenario.sh SCENARIO CONTENDER OUTDIR}
contender=${2:?usage: scenario.sh SCENARIO CONTENDER OUTDIR}
out=${3:?usage: scenario.sh SCENARIO CONTENDER OUTDIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

say() { echo "scenario: $(cut -d' ' -f1 /proc/uptime) $*"; }
die() { echo "scenario: ERROR: $*" >&2; echo "$*" >"$out/error"; exit 1; }

mkdir -p "$out" || exit 1
[ "$(id -u)" = 0 ] || die "must run as root (in the VM: tests/vm/run-vm.sh -- bench/vm/scenario.sh ...)"
[ "${HR_VM:-0}" = 1 ] || [ "${HR_BENCH_ALLOW_HOST:-0}" = 1 ] \
        || die "refusing to run outside the VM test bed (contenders act on the whole machine); HR_BENCH_ALLOW_HOST=1 overrides"

wl=${HR_BENCH_WL:-}
if [ -z "$wl" ]; then
        for d in "$repo/build/bench/workloads" "$repo/build-vmb/bench/workloads"; do
                [ -x "$d/hr-probe" ] && { wl=$d; break; }
        done
fi
for p in hr-idle hr-leak hr-spike hr-probe hr-fork-many; do
        [ -x "$wl/$p" ] || die "no workload $p (build them: ninja -C build; or set HR_BENCH_WL)"
done
headroomd=${HR_BENCH_HEADROOMD:-$repo/build/src/headroomd}

# ---- sizes (1 GiB guest, zram 50 % lz4; the fill pattern compresses ~2.9:1, so RAM + zram holds ~1.3 GiB of anon) ----
probe_wss=32 probe_code=64 probe_interval=10
shell_mib=64 indexer_mib=48
tabs=3 tab_mib=96
load_s=60 # how long the load phase lasts at most (guest seconds; timers run in real time under TCG)
case $scenario in
leak) load_s=60 ;;
spike) load_s=90 ;;
foreground) tabs=4 tab_mib=128 load_s=90 ;;
many) load_s=60 ;;
*) die "unknown scenario $scenario (leak spike foreground many)" ;;
esac
load_s=${HR_BENCH_LOAD_S:-$load_s}

# ---- the harness itself is never the OOM victim; everything it starts gets the default adj back ----
echo -1000 >/proc/self/oom_score_adj 2>/dev/null || true

scopes=${HR_BENCH_SCOPES:-0}
if [ "$scopes" = 1 ]; then
        mkdir -p /sys/fs/cgroup/app.slice && echo "+cpu +memory" >/sys/fs/cgroup/app.slice/cgroup.subtree_control \
                || die "cannot enable cpu and memory in /sys/fs/cgroup/app.slice (HR_BENCH_SCOPES=1)"
fi
echo "scopes=$scopes" >>"$out/meta"

declare -A pid_of=() role_of=()
names=()
spawn() { # spawn KEY ROLE CMD...: in the background with oom_score_adj 0, output to OUTDIR/KEY.log
        local key=$1 role=$2
        shift 2
        (
                echo 0 >/proc/self/oom_score_adj
                # an application of its own (the contender stays in the root cgroup, as a system service would not)
                if [ "$scopes" = 1 ] && [ "$role" != contender ]; then
                        mkdir -p "/sys/fs/cgroup/app.slice/app-$key.scope" &&
                                echo "$BASHPID" >"/sys/fs/cgroup/app.slice/app-$key.scope/cgroup.procs" || exit 97
                fi
                exec "$@"
        ) >"$out/$key.log" 2>&1 </dev/null &
        pid_of[$key]=$!
        role_of[$key]=$role
        names+=("$key")
        echo "$key ${pid_of[$key]} $role $*" >>"$out/procs"
}

alive() { # the process exists and is not a zombie
        local st
        [ -r "/proc/$1/stat" ] || return 1
        read -r st </proc/"$1"/stat 2>/dev/null || return 1
        st=${st##*) }
        [ "${st:0:1}" != Z ]
}

wait_file() { # wait_file PATH SECONDS
        local n=0
        while [ ! -e "$1" ]; do
                sleep 0.2
                n=$((n + 1))
                [ $n -ge $(($2 * 5)) ] && return 1
        done
        return 0
}

now() { cut -d' ' -f1 /proc/uptime; }

: >"$out/procs"
{
        echo "scenario=$scenario"
        echo "contender=$contender"
        echo "kernel=$(uname -r)"
        echo "memtotal_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
        echo "swap=$(tail -n +2 /proc/swaps | awk '{ printf "%s %s kB; ", $1, $3 }')"
        echo "cpus=$(nproc)"
} >"$out/meta"

# ---- the probe's code file: on the host root (9p, cache=loose) when given, else under OUTDIR ----
code=${HR_BENCH_CODE_FILE:-}
if [ -z "$code" ] || [ ! -r "$code" ]; then
        code=$out/probe-code.bin
        "$wl/hr-probe" --prepare --code-file "$code" --code-mib $probe_code --wss 1 --duration 1 --out /dev/null \
                >/dev/null 2>&1 || die "cannot create the probe's code file $code"
fi
echo "code_file=$code" >>"$out/meta"

# ---- the contender's set-up that must precede everything (MGLRU) ----
case $contender in
mglru)
        [ -w /sys/kernel/mm/lru_gen/enabled ] || die "no MGLRU in this kernel"
        echo y >/sys/kernel/mm/lru_gen/enabled
        echo 1000 >/sys/kernel/mm/lru_gen/min_ttl_ms
        echo "lru_gen=$(cat /sys/kernel/mm/lru_gen/enabled) min_ttl_ms=$(cat /sys/kernel/mm/lru_gen/min_ttl_ms)" >>"$out/meta"
        ;;
kernel | earlyoom | earlyoom-tuned | nohang | systemd-oomd | headroom | headroom-no-page-out | headroom-no-pause | \
        headroom-no-cgroup | headroom-no-protect | headroom-no-kernel) ;;
*) die "unknown contender $contender (kernel mglru earlyoom earlyoom-tuned nohang systemd-oomd headroom" \
        "headroom-no-page-out headroom-no-pause headroom-no-cgroup headroom-no-protect headroom-no-kernel)" ;;
esac

# ---- the desktop: compositor, idle tabs, indexer, then the probe ----
say "setting up $scenario for $contender"
spawn shell protected "$wl/hr-idle" --mib $shell_mib --name gnome-shell --ready-file "$out/shell.ready" --out "$out/shell.json"
for i in $(seq 1 $tabs); do
        spawn tab$i background "$wl/hr-idle" --mib $tab_mib --name chrome --ready-file "$out/tab$i.ready" \
                --out "$out/tab$i.json" --cmdline-tail --type=renderer --renderer-client-id=$i
done
spawn indexer background "$wl/hr-idle" --mib $indexer_mib --name tracker-miner-f --ready-file "$out/indexer.ready" \
        --out "$out/indexer.json"
for k in shell indexer $(seq -f 'tab%g' 1 $tabs); do
        wait_file "$out/$k.ready" 120 || die "$k did not fill its memory in 120 s"
done
probe_s=$((load_s + 15))
spawn probe probe "$wl/hr-probe" --wss $probe_wss --code-mib $probe_code --code-file "$code" \
        --interval-ms $probe_interval --duration $probe_s --name probe --ready-file "$out/probe.ready" --out "$out/probe.json"
wait_file "$out/probe.ready" 60 || die "the probe did not start in 60 s"
echo "probe_start_uptime=$(now)" >>"$out/meta"
say "background ready: $(awk '/^(MemAvailable|SwapFree):/ { printf "%s %d MiB ", $1, $2 / 1024 }' /proc/meminfo)"

# ---- the contender ----
cpid=""
case $contender in
earlyoom)
        spawn contender contender earlyoom
        cpid=${pid_of[contender]}
        ;;
earlyoom-tuned)
        spawn contender contender earlyoom --prefer '(^|/)(chrome|leak)' --avoid '(^|/)(gnome-shell|probe)'
        cpid=${pid_of[contender]}
        ;;
nohang)
        command -v nohang >/dev/null || die "nohang is not installed (scripts/install-deps.sh)"
        spawn contender contender nohang --monitor --config /etc/nohang/nohang.conf
        cpid=${pid_of[contender]}
        ;;
systemd-oomd)
        oomd=""
        for c in /lib/systemd/systemd-oomd /usr/lib/systemd/systemd-oomd; do [ -x "$c" ] && { oomd=$c; break; }; done
        if [ -z "$oomd" ]; then
                echo "not installed" >"$out/contender.unavailable"
        else
                {
                        echo "PID 1: $(cat /proc/1/comm) ($(readlink /proc/1/exe))"
                        [ -S /run/dbus/system_bus_socket ] && echo "D-Bus system bus: yes" || echo "D-Bus system bus: no"
                } >"$out/contender.env"
                spawn contender contender "$oomd"
                cpid=${pid_of[contender]}
                sleep 3
                if ! alive "$cpid"; then
                        wait "$cpid"
                        echo "exited at start with status $?: $(tail -n 3 "$out/contender.log" | tr '\n' ' ')" \
                                >"$out/contender.unavailable"
                        cpid=""
                fi
        fi
        ;;
headroom | headroom-no-page-out | headroom-no-pause | headroom-no-cgroup | headroom-no-protect | headroom-no-kernel)
        [ -x "$headroomd" ] || die "no $headroomd (ninja -C build)"
        # The defaults, or the defaults with one relief family off (what it earns: bench/vm/README.md).
        conf=()
        case $contender in
        headroom-no-page-out) printf '[Freeze]\nPageOut=no\n' >"$out/headroom.conf" && conf=(--config "$out/headroom.conf") ;;
        headroom-no-pause) printf '[Freeze]\nPauseBuilds=no\n' >"$out/headroom.conf" && conf=(--config "$out/headroom.conf") ;;
        headroom-no-cgroup) printf '[Cgroup]\nThrottle=no\nCap=no\nProtect=no\nReclaim=no\n' >"$out/headroom.conf" &&
                conf=(--config "$out/headroom.conf") ;;
        headroom-no-protect) printf '[Cgroup]\nProtect=no\n' >"$out/headroom.conf" && conf=(--config "$out/headroom.conf") ;;
        headroom-no-kernel) printf '[Kernel]\nZramCompact=no\nDropCaches=no\n' >"$out/headroom.conf" &&
                conf=(--config "$out/headroom.conf") ;;
        esac
        spawn contender contender "$headroomd" --runtime-dir /run/headroom "${conf[@]}"
        cpid=${pid_of[contender]}
        ;;
esac
if [ -n "$cpid" ]; then
        sleep 2
        if ! alive "$cpid"; then
                wait "$cpid"
                echo "exited at start with status $?: $(tail -n 3 "$out/contender.log" | tr '\n' ' ')" >"$out/contender.unavailable"
                cpid=""
        fi
fi
[ -f "$out/contender.unavailable" ] && say "contender $contender unavailable: $(cat "$out/contender.unavailable")"

# ---- the sampler: once a second, PSI memory, MemAvailable, swap, load process states ----
sampler() {
        local t line some full mem swf
        echo "t some_avg10 full_avg10 some_total full_total memavail_kb swapfree_kb load_alive" >"$out/samples.tsv"
        while :; do
                t=$(now)
                some="" full=""
                while read -r line; do
                        case $line in
                        some*) some=$line ;;
                        full*) full=$line ;;
                        esac
                done </proc/pressure/memory
                mem=$(awk '/^MemAvailable:/ { m = $2 } /^SwapFree:/ { s = $2 } END { print m, s }' /proc/meminfo)
                local la=1
                if [ -n "${load_pid:-}" ] && ! alive "$load_pid"; then la=0; fi
                set -- $some
                local sa=${2#avg10=} st=${5#total=}
                set -- $full
                echo "$t $sa ${2#avg10=} $st ${5#total=} $mem $la"
                sleep 1
        done >>"$out/samples.tsv"
}

psi_totals() { awk '/^some/ { split($5, a, "="); s = a[2] } /^full/ { split($5, b, "="); f = b[2] } END { print s, f }' /proc/pressure/memory; }
oom_kills() { awk '/^oom_kill / { print $2 }' /proc/vmstat; }

# ---- the load ----
dmesg -c >/dev/null 2>&1 || true
read -r psi_some0 psi_full0 <<<"$(psi_totals)"
oom0=$(oom_kills)
load_pid=""
t_load=$(now)
echo "load_start_uptime=$t_load" >>"$out/meta"
echo "load_start_clock=$(date +%H:%M:%S.%N)" >>"$out/meta"
case $scenario in
leak)
        load_key=leaker
        spawn leaker load "$wl/hr-leak" --rate 30 --max 2048 --name leaker --out "$out/leaker.json"
        ;;
spike)
        load_key=spike
        spawn spike load "$wl/hr-spike" --workers 4 --mib 200 --hold-ms 1500 --rounds 3 --name make --worker-name cc1 \
                --out "$out/spike.json"
        ;;
foreground)
        load_key=fgjob
        spawn fgjob load "$wl/hr-spike" --workers 1 --mib 640 --hold-ms 5000 --rounds 2 --name fgjob --out "$out/fgjob.json"
        ;;
many)
        spawn many load-bg "$wl/hr-fork-many" --count 2000 --mib 0 --name svc --ready-file "$out/many.ready" \
                --out "$out/many.json"
        wait_file "$out/many.ready" 120 || say "fork-many not ready after 120 s"
        echo "many_ready_uptime=$(now)" >>"$out/meta"
        load_key=leaker
        spawn leaker load "$wl/hr-leak" --rate 30 --max 2048 --name leaker --out "$out/leaker.json"
        ;;
esac
load_pid=${pid_of[$load_key]}
# The desktop tells headroom which application is in front (what a compositor or session integration does
# through headroomctl foreground); the peers have no such input, earlyoom-tuned gets --prefer/--avoid instead.
if [ "$scenario" = foreground ] && [ "${contender%%-*}" = headroom ] && [ -n "$cpid" ]; then
        "$(dirname "$headroomd")/headroomctl" --socket /run/headroom/headroom.sock foreground "$load_pid" \
                >>"$out/contender.log" 2>&1 || say "headroomctl foreground failed"
fi
sampler &
sampler_pid=$!
say "load $load_key started (pid $load_pid)"

# ---- wait: the load phase's time, or a finished job plus 10 s of aftermath ----
deadline=$(awk -v a="$t_load" -v b="$load_s" 'BEGIN { print a + b }')
done_at=""
while :; do
        t=$(now)
        awk -v a="$t" -v b="$deadline" 'BEGIN { exit !(a >= b) }' && break
        if [ -z "$done_at" ] && ! alive "$load_pid"; then
                done_at=$t
                say "$load_key is gone"
        fi
        if [ -n "$done_at" ] && awk -v a="$t" -v b="$done_at" 'BEGIN { exit !(a >= b + 10) }'; then
                [ "$scenario" = spike ] || [ "$scenario" = foreground ] && break
        fi
        sleep 1
done
t_end=$(now)
echo "load_end_uptime=$t_end" >>"$out/meta"
echo "load_gone_uptime=$done_at" >>"$out/meta"
read -r psi_some1 psi_full1 <<<"$(psi_totals)"
oom1=$(oom_kills)
{
        echo "psi_some_total_us=$((psi_some1 - psi_some0))"
        echo "psi_full_total_us=$((psi_full1 - psi_full0))"
        echo "oom_kill_delta=$((oom1 - oom0))"
} >>"$out/meta"
say "load phase over after $(awk -v a="$t_load" -v b="$t_end" 'BEGIN { printf "%.1f", b - a }') s"

# ---- stop: the contender first (headroomd thaws what it froze), then every workload, gently, then hard ----
kill "$sampler_pid" 2>/dev/null
if [ -n "$cpid" ] && alive "$cpid"; then
        kill -TERM "$cpid" 2>/dev/null
        for _ in $(seq 1 50); do alive "$cpid" || break; sleep 0.2; done
        alive "$cpid" && kill -KILL "$cpid" 2>/dev/null
fi
dmesg >"$out/dmesg.txt" 2>&1 || true
for k in "${names[@]}"; do
        [ "$k" = contender ] && continue
        p=${pid_of[$k]}
        if alive "$p"; then
                echo "$k" >>"$out/alive-at-end"
                kill -CONT "$p" 2>/dev/null
                # a process SIGSTOPped with its group: continue the group too
                kill -CONT -- "-$p" 2>/dev/null
        fi
done
# the cgroup freezer: thaw anything left frozen
find /sys/fs/cgroup -name cgroup.freeze 2>/dev/null | while read -r f; do
        [ "$(cat "$f" 2>/dev/null)" = 1 ] && echo 0 >"$f"
done
for k in "${names[@]}"; do
        [ "$k" = contender ] && continue
        alive "${pid_of[$k]}" && kill -TERM "${pid_of[$k]}" 2>/dev/null
done
for _ in $(seq 1 75); do
        any=0
        for k in "${names[@]}"; do alive "${pid_of[$k]}" && any=1; done
        [ $any = 0 ] && break
        sleep 0.2
done
for k in "${names[@]}"; do alive "${pid_of[$k]}" && kill -KILL "${pid_of[$k]}" 2>/dev/null; done
: >"$out/exits"
for k in "${names[@]}"; do
        wait "${pid_of[$k]}"
        echo "$k ${pid_of[$k]} ${role_of[$k]} $?" >>"$out/exits"
done
say "collected; writing result.json"
/usr/bin/python3 "$here/collect.py" "$out" || die "collect.py failed"
exit 0
