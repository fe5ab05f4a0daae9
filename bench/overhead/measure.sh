#!/usr/bin/env bash
# The overhead benchmark's measuring half, run on the host or inside the VM test bed (bench/overhead.sh runs it in
# both and writes the tables). On the machine it runs on it measures, for each contender (headroomd, earlyoom,
# nohang):
#   idle  all side by side on their default settings: wake-ups/s (context switches of every thread), RSS (smaps_rollup), peak,
#         CPU time (the scheduler's ns clock, /proc/PID/task/*/schedstat) over --idle-seconds;
#   scan  each alone (they take turns), with thresholds that are always crossed, so every poll is a full victim
#         selection: CPU time of each selection (read between two), first with the machine's own processes, then
#         with --procs more sleeping processes (bench/workloads/hr-fork-many);
#         plus headroom's scanner alone on the live /proc (tests/scan-bench: cold, warm and full scans).
# Raw results go to OUT: env.txt, idle.tsv, scan.tsv, scanbench-*.txt and the contenders' logs.
# Usage: bench/overhead/measure.sh --out DIR [--contenders headroomd,earlyoom[,nohang]] [--build DIR]
#        [--idle-seconds N] [--scan-seconds N] [--base-seconds N] [--rounds N] [--procs N] [--reps N]
#        (defaults: 65 s idle, so that headroomd's once-a-minute warm scan falls in it; 12 s of selections each
#        with the extra processes, in 3 turns, 4 s in 2 turns without; 10000 processes; 3 scan-bench reps)
# Safety: headroomd runs only with --dry-run and private --runtime-dir/--state-dir/--socket/--config; earlyoom only
# with --dryrun; nohang only inside the VM (HR_VM=1), and there with min_badness above any possible badness, so it
# finds its victim and then does nothing. Everything started here is stopped by its pid on exit; the sleeping
# processes die with their parent (PR_SET_PDEATHSIG).
set -euo pipefail
cd "$(dirname "$0")/../.."

out="" contenders=headroomd,earlyoom build=build idle_s=65 scan_s=12 base_s=4 rounds=3 procs=10000 reps=3
usage() {
        echo "usage: bench/overhead/measure.sh --out DIR [--contenders LIST] [--build DIR] [--idle-seconds N]" \
                "[--scan-seconds N] [--base-seconds N] [--rounds N] [--procs N] [--reps N]" >&2
        exit 2
}
while [ $# -gt 0 ]; do
        case "$1" in
        --out) out=$2; shift 2 ;;
        --contenders) contenders=$2; shift 2 ;;
        --build) build=$2; shift 2 ;;
        --idle-seconds) idle_s=$2; shift 2 ;;
        --scan-seconds) scan_s=$2; shift 2 ;;
        --base-seconds) base_s=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --procs) procs=$2; shift 2 ;;
        --reps) reps=$2; shift 2 ;;
        *) usage ;;
        esac
done
[ -n "$out" ] || usage
IFS=, read -r -a names <<<"$contenders"
for n in "${names[@]}"; do
        case $n in
        headroomd | earlyoom) ;;
        nohang)
                # nohang has no dry-run mode: only where acting is harmless, the VM test bed.
                [ "${HR_VM:-0}" = 1 ] || { echo "measure: nohang runs only inside the VM (HR_VM=1)" >&2; exit 2; }
                command -v nohang >/dev/null || { echo "measure: nohang is not installed" >&2; exit 1; }
                ;;
        *) echo "measure: unknown contender $n" >&2; exit 2 ;;
        esac
done
hrd=$build/src/headroomd hrctl=$build/src/headroomctl
forkmany=$build/bench/workloads/hr-fork-many hog_bin=$build/bench/workloads/hr-idle scanbench=$build/tests/scan-bench
for f in "$hrd" "$hrctl" "$forkmany" "$hog_bin" "$scanbench"; do
        [ -x "$f" ] || { echo "measure: $f missing (ninja -C $build)" >&2; exit 1; }
done
command -v earlyoom >/dev/null || { echo "measure: earlyoom is not installed" >&2; exit 1; }

mkdir -p "$out"
t_start=$SECONDS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hr-overhead.XXXXXX")
tag=hrovh$$ # names of the processes started here (comm, 15 bytes at most)
declare -A cpid clog csock
started=() # every pid started here, for the exit trap
fork_pid="" hog_pid=""

stop_pid() { # pid: SIGTERM, up to 10 s, then SIGKILL; only a pid this script started
        local p=$1
        kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null || true; return 0; }
        kill -TERM "$p" 2>/dev/null || true
        kill -CONT "$p" 2>/dev/null || true # a contender may be stopped between its turns
        for _ in $(seq 100); do
                kill -0 "$p" 2>/dev/null || break
                # a zombie child of ours is gone for our purpose; wait reaps it below
                [ "$(awk '/^State:/ {print $2}' "/proc/$p/status" 2>/dev/null)" = Z ] && break
                sleep 0.1
        done
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
}
cleanup() {
        local p
        for p in "${started[@]}"; do stop_pid "$p"; done
        rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- probes ----
# While a contender is measured nothing here forks: nohang drops a selection when a process it saw at the start of
# its scan is gone at the end ("During the search for the victim, the next processes were died"), and a poll loop of
# short-lived children would make that happen every time. So these are bash builtins, results in globals.
mkfifo "$tmp/nap"
exec {sfd}<>"$tmp/nap" # never readable (nobody writes): read -t on it is a sleep without a child
nap() { read -r -t "$1" -u "$sfd" _ || true; }
cpu_ns() { # R = ns on CPU, summed over the threads of $1 (the scheduler's clock)
        local f a
        R=0
        for f in /proc/"$1"/task/*/schedstat; do
                { read -r a _ <"$f"; } 2>/dev/null || continue
                R=$((R + a))
        done
}
ctxsw() { # R = context switches (voluntary and not), summed over the threads of $1
        local f k v
        R=0
        for f in /proc/"$1"/task/*/status; do
                while read -r k v _; do
                        case $k in voluntary_ctxt_switches: | nonvoluntary_ctxt_switches:) R=$((R + v)) ;; esac
                done 2>/dev/null <"$f" || true
        done
}
status_kib() { # R = the kB value of field $2 in /proc/$1/status
        local k v
        R=""
        while read -r k v _; do [ "$k" = "$2:" ] && { R=$v; break; }; done <"/proc/$1/status"
}
# R = resident KiB from a walk of the page tables (smaps_rollup's Rss). VmRSS is a counter that kernels before 6.2
# update lazily per thread (SPLIT_RSS_COUNTING): in the 6.1 test bed an idle earlyoom showed 928 KiB of VmRSS
# while its page tables held 1684 KiB. Falls back to VmRSS where smaps_rollup is missing (before 4.14).
rss_kib() {
        local k v
        R=""
        if [ -r "/proc/$1/smaps_rollup" ]; then
                while read -r k v _; do [ "$k" = "Rss:" ] && { R=$v; break; }; done <"/proc/$1/smaps_rollup"
        fi
        [ -n "$R" ] || status_kib "$1" VmRSS
}
# R = peak resident KiB: VmHWM (the same lazy counter), or the exact RSS $2 when that is higher.
peak_kib() {
        status_kib "$1" VmHWM
        [ -n "$R" ] && [ "$R" -ge "$2" ] || R=$2
}
note() { echo "measure: $* ($((SECONDS - t_start)) s)" >&2; }
mem_kib() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
nprocs() { local n=0 _d; for _d in /proc/[0-9]*; do n=$((n + 1)); done; echo "$n"; }
kthreads() { grep -L '^VmSize' /proc/[0-9]*/status 2>/dev/null | wc -l || true; } # no address space
psi_some_us() { awk '$1 == "some" { sub("total=", "", $5); print $5 }' /proc/pressure/memory 2>/dev/null || echo 0; }

# ---- configurations ----
: >"$tmp/hr-idle.conf" # headroomd's built-in defaults (and not /etc/headroom)
cat >"$tmp/hr-scan.conf" <<'EOF'
# Always ELEVATED, whatever else the machine does: MemAvailable below 99% gives the score its 30 points and
# nothing else counts, so every tick (every 250 ms: room to read its CPU time between two) scans /proc, classifies
# and plans (nothing to do at ELEVATED for sleeping processes). The triggers and the higher levels are out of reach.
[Pressure]
PsiSomeWeight=0
PsiFullWeight=0
SwapFillWeight=0
SwapIoWeight=0
RefaultWeight=0
MemAvailableWeight=0.3
SwapCredit=0
MemAvailableStart=100%
MemAvailableFull=99%
HighScore=90
CriticalScore=95
EmergencyScore=99
SpikeTrend=1000
SpikePsiFull=100%
TriggerSome=100%
TriggerFull=100%
TickElevatedSec=250ms
EOF
if [[ ,$contenders, == *,nohang,* ]]; then
        # Debian's configuration, except: min_badness above any badness (oom_score tops out at 2000, nohang's
        # badness adjustments are off by default), so it never acts, in both modes.
        sed -e 's/^\(min_badness[[:space:]]*=\).*/\1 1000000000/' /etc/nohang/nohang.conf >"$tmp/nohang-idle.conf"
        # Scan mode: soft threshold at nohang's maximum (50% of MemTotal; a hog keeps MemAvailable below it) and
        # every swap level (no swap: 0 <= 0).
        sed -e 's/^\(soft_threshold_min_mem[[:space:]]*=\).*/\1 50 %/' \
                -e 's/^\(soft_threshold_min_swap[[:space:]]*=\).*/\1 100 %/' "$tmp/nohang-idle.conf" >"$tmp/nohang-scan.conf"
        grep -q '^min_badness = 1000000000$' "$tmp/nohang-scan.conf" ||
                { echo "measure: cannot set nohang's min_badness" >&2; exit 1; }
fi

# ---- contenders ----
spawn() { # log command...: in the background, $! the command itself (the subshell execs it) without our traps
        local log=$1
        shift
        : >"$log"
        (
                trap - EXIT INT TERM
                exec "$@" >"$log" 2>&1
        ) &
        started+=("$!")
}
start() { # name mode(idle|scan)
        local n=$1 mode=$2 log=$tmp/$1-$2.log
        case $n in
        headroomd)
                local rt=$tmp/hr-run-$mode
                mkdir -p "$rt" "$tmp/hr-state-$mode"
                csock[$n]=$rt/headroom.sock
                spawn "$log" "$hrd" --dry-run --config "$tmp/hr-$mode.conf" --runtime-dir "$rt" \
                        --state-dir "$tmp/hr-state-$mode" --socket "${csock[$n]}"
                ;;
        earlyoom)
                if [ "$mode" = idle ]; then
                        spawn "$log" earlyoom --dryrun -r 3600 # Debian's EARLYOOM_ARGS
                else
                        spawn "$log" earlyoom --dryrun -m 99 -s 100 -r 0 # -m: 99% is its maximum
                fi
                ;;
        nohang)
                spawn "$log" env PYTHONUNBUFFERED=1 nohang --monitor --config "$tmp/nohang-$mode.conf"
                ;;
        esac
        cpid[$n]=$! clog[$n]=$log
}
stop() {
        local fd=${logfd[$1]:-}
        stop_pid "${cpid[$1]}"
        [ -z "$fd" ] || exec {fd}<&-
        logfd[$1]=""
        cp "${clog[$1]}" "$out/"
}

# Selections: earlyoom and nohang log one line at the end of each (then sleep 100 ms); read with builtins from an
# fd kept open on the log. headroomd counts samples (at ELEVATED each one is a plan), asked over its socket.
declare -A logfd partial nsel nfound
open_log() {
        local fd
        exec {fd}<"${clog[$1]}"
        logfd[$1]=$fd partial[$1]="" nsel[$1]=0 nfound[$1]=0
}
poll_log() {
        local n=$1 line
        while :; do
                line=""
                if IFS= read -r -u "${logfd[$n]}" line; then
                        line=${partial[$n]}$line
                        partial[$n]=""
                        case $line in # earlyoom; nohang: nothing done, or the scan dropped (see above)
                        *"dryrun, not actually sending"* | *"); nothing to do"* | *"the next processes were died"*)
                                nsel[$n]=$((${nsel[$n]} + 1)) ;;
                        esac
                        case $line in *"tasks with non-zero oom_score"*) nfound[$n]=$((${nfound[$n]} + 1)) ;; esac
                else
                        partial[$n]+=$line # a line still being written
                        break
                fi
        done
}
count() { # SEL = selections of $1 so far
        if [ "$1" = headroomd ]; then
                SEL=$("$hrctl" --socket "${csock[headroomd]}" metrics 2>/dev/null |
                        awk '$1 == "headroom_samples_total" { n = $2 } END { print n + 0 }')
        else
                poll_log "$1"
                SEL=${nsel[$1]}
        fi
}
hr_level() {
        "$hrctl" --socket "${csock[headroomd]}" metrics 2>/dev/null | awk '$1 == "headroom_level" { print $2 }'
}
alive() { kill -0 "${cpid[$1]}" 2>/dev/null || { echo "measure: $1 exited:" >&2; cat "${clog[$1]}" >&2; exit 1; }; }
# Waits until the count of $1 moves past $2 (at most $3 s), then reads its CPU time at once: every contender idles
# at least 100 ms after a selection, so the reading falls between two. Sets A_SEL, A_CPU, A_FOUND.
after() {
        local n=$1 from=$2 limit=$3 t0=$SECONDS
        while :; do
                count "$n"
                [ "$SEL" -gt "$from" ] && break
                alive "$n"
                [ $((SECONDS - t0)) -lt "$limit" ] || { echo "measure: $n: no selection within ${limit}s" >&2; exit 1; }
                if [ "$n" = headroomd ]; then nap 0.05; else nap 0.01; fi
        done
        cpu_ns "${cpid[$n]}"
        A_SEL=$SEL A_CPU=$R A_FOUND=${nfound[$n]:-0}
}

# ---- the sleeping processes and the hog ----
spawn_procs() {
        local ready=$tmp/fork-ready t0=$SECONDS
        spawn "$tmp/fork.log" "$forkmany" --count "$procs" --mib 0 --name "$tag" --ready-file "$ready" \
                --out "$tmp/fork.json"
        fork_pid=$!
        while [ ! -e "$ready" ]; do
                kill -0 "$fork_pid" 2>/dev/null || { echo "measure: hr-fork-many failed:" >&2; cat "$tmp/fork.log" >&2; exit 1; }
                [ $((SECONDS - t0)) -lt 300 ] || { echo "measure: $procs processes not up within 300 s" >&2; exit 1; }
                sleep 0.2
        done
        echo "spawn_s	$((SECONDS - t0))" >>"$out/env.txt"
}
# nohang's soft threshold can be 50% of MemTotal at most: where nohang runs, a hog holds MemAvailable near 40%.
hog_up() {
        [[ ,$contenders, == *,nohang,* ]] || return 0
        local want_mib=$((($(mem_kib MemAvailable) - $(mem_kib MemTotal) * 40 / 100) / 1024)) t0=$SECONDS
        [ "$want_mib" -gt 16 ] || return 0
        spawn "$tmp/hog.log" "$hog_bin" --mib "$want_mib" --name "$tag-hog" --ready-file "$tmp/hog-ready"
        hog_pid=$!
        while [ ! -e "$tmp/hog-ready" ]; do
                kill -0 "$hog_pid" 2>/dev/null || { echo "measure: the hog failed" >&2; exit 1; }
                [ $((SECONDS - t0)) -lt 120 ] || { echo "measure: the hog not ready within 120 s" >&2; exit 1; }
                sleep 0.2
        done
}
hog_down() {
        [ -n "$hog_pid" ] || return 0
        stop_pid "$hog_pid"
        hog_pid=""
        rm -f "$tmp/hog-ready"
}

# ---- env ----
{
        printf 'where\t%s\n' "$([ "${HR_VM:-0}" = 1 ] && echo vm || echo host)"
        printf 'kernel\t%s\n' "$(uname -r)"
        printf 'cpus\t%s\n' "$(nproc)"
        printf 'mem_total_kib\t%s\n' "$(mem_kib MemTotal)"
        printf 'swap_total_kib\t%s\n' "$(mem_kib SwapTotal)"
        printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
        printf 'headroomd\t%s\n' "$("$hrd" --version | head -n 1)"
        printf 'earlyoom\t%s\n' "$(earlyoom -v 2>&1 | head -n 1)"
        if [[ ,$contenders, == *,nohang,* ]]; then
                printf 'nohang\tnohang %s (%s)\n' "$(dpkg-query -W -f '${Version}' nohang 2>/dev/null || echo '?')" \
                        "$(python3 --version 2>&1)"
        fi
        printf 'procs\t%s\n' "$procs"
} >"$out/env.txt"

# ---- idle: all side by side, defaults ----
# Idle means idle: let the memory PSI averages of earlier work decay first (at most 20 s).
for _ in $(seq 20); do
        grep -q '^some avg10=0.00 avg60=0.00' /proc/pressure/memory 2>/dev/null && break
        sleep 1
done
for n in "${names[@]}"; do start "$n" idle; done
# Start-up is not idle: wait for each one's "running" line (nohang's Python start takes seconds under TCG), then 3 s.
for n in "${names[@]}"; do
        case $n in
        headroomd) ready="headroomd: Started" ;;
        earlyoom) ready="SIGKILL when" ;;
        nohang) ready="Monitoring has started" ;;
        esac
        s0=$SECONDS
        until grep -q "$ready" "${clog[$n]}"; do
                alive "$n"
                [ $((SECONDS - s0)) -lt 120 ] || { echo "measure: $n did not start within 120 s" >&2; exit 1; }
                sleep 0.2
        done
done
sleep 3
# Up to 2 windows: a memory stall on the machine (someone else's work; PSI some grows) wakes headroomd by design,
# so a window with one is repeated once and the calmer one is kept.
declare -A c0 t0
best="" best_stall=-1
for attempt in 1 2; do
        for n in "${names[@]}"; do
                alive "$n"
                ctxsw "${cpid[$n]}"
                c0[$n]=$R
                cpu_ns "${cpid[$n]}"
                t0[$n]=$R
        done
        stall0=$(psi_some_us)
        sleep "$idle_s"
        stall_ms=$((($(psi_some_us) - stall0) / 1000))
        avail_pct=$(($(mem_kib MemAvailable) * 100 / $(mem_kib MemTotal)))
        rows=""
        for n in "${names[@]}"; do
                p=${cpid[$n]}
                alive "$n"
                ctxsw "$p"
                dc=$((R - ${c0[$n]}))
                cpu_ns "$p"
                dt=$((R - ${t0[$n]}))
                rss_kib "$p"
                rss=$R
                peak_kib "$p" "$rss"
                rows+=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$n" "$idle_s" "$dc" "$dt" "$rss" "$R" "$stall_ms" \
                        "$avail_pct" "$attempt")$'\n'
        done
        if [ "$best_stall" -lt 0 ] || [ "$stall_ms" -lt "$best_stall" ]; then best=$rows best_stall=$stall_ms; fi
        note "idle window $attempt: memory stall ${stall_ms} ms"
        [ "$stall_ms" -gt 50 ] || break
done
printf 'contender\tseconds\tctxsw\tcpu_ns\trss_kib\thwm_kib\tpsi_some_ms\tmem_avail_pct\tattempt\n' >"$out/idle.tsv"
printf '%s' "$best" >>"$out/idle.tsv"
printf 'idle_attempts\t%s\n' "$attempt" >>"$out/env.txt"
for n in "${names[@]}"; do stop "$n"; done

# ---- scan: each alone, every poll a full selection ----
# All start together; each is stopped (SIGSTOP) right after its second selection, and then they take turns:
# continued, measured for window/rounds seconds of whole selections, stopped again, the next one. Taking turns
# spreads whatever else the (shared) machine does over all of them alike. A stopped contender uses no CPU and its
# count does not move, so its readings chain across its turns.
printf 'contender\tphase\tprocs\tkthreads\tselections\tcpu_ns\tseconds\trss_kib\thwm_kib\tself_ms\tmem_avail_pct\tsingles\tmedian_ns\tmin_ns\n' \
        >"$out/scan.tsv"
declare -A cp tp fp f0 c0s t0s secs
scan_phase() { # phase window-seconds rounds
        local phase=$1 window=$2 rounds=$3 n s0 one_file
        for n in "${names[@]}"; do
                start "$n" scan
                [ "$n" = headroomd ] || open_log "$n"
        done
        for n in "${names[@]}"; do
                # Skip the first selection (cold: the dentries of /proc are not cached yet) and, for headroomd,
                # wait until it is ELEVATED (the level change plans with the first, cold scan).
                if [ "$n" = headroomd ]; then
                        s0=$SECONDS
                        until [ "$(hr_level)" = 1 ]; do
                                alive "$n"
                                [ $((SECONDS - s0)) -lt 180 ] || { echo "measure: headroomd not ELEVATED in 180 s" >&2; exit 1; }
                                nap 0.1
                        done
                fi
                after "$n" 0 180
                after "$n" "$A_SEL" 180
                kill -STOP "${cpid[$n]}"
                cp[$n]=$A_SEL tp[$n]=$A_CPU fp[$n]=$A_FOUND c0s[$n]=$A_SEL t0s[$n]=$A_CPU f0[$n]=$A_FOUND secs[$n]=0
                : >"$tmp/$n-$phase.one"
        done
        for _ in $(seq "$rounds"); do
                for n in "${names[@]}"; do
                        local one=()
                        kill -CONT "${cpid[$n]}"
                        s0=$SECONDS
                        while [ $((SECONDS - s0)) -lt $(((window + rounds - 1) / rounds)) ]; do
                                after "$n" "${cp[$n]}" 180
                                [ $((A_SEL - ${cp[$n]})) -ne 1 ] || one+=($((A_CPU - ${tp[$n]})))
                                cp[$n]=$A_SEL tp[$n]=$A_CPU fp[$n]=$A_FOUND
                        done
                        kill -STOP "${cpid[$n]}"
                        secs[$n]=$((${secs[$n]} + SECONDS - s0))
                        [ ${#one[@]} -eq 0 ] || printf '%s\n' "${one[@]}" >>"$tmp/$n-$phase.one"
                done
        done
        local procs_now kthr_now avail_now rss hwm med mn self
        procs_now=$(nprocs) kthr_now=$(kthreads) avail_now=$(($(mem_kib MemAvailable) * 100 / $(mem_kib MemTotal)))
        for n in "${names[@]}"; do
                if [ "$n" = headroomd ]; then
                        kill -CONT "${cpid[$n]}"
                        [ "$(hr_level)" = 1 ] || { echo "measure: headroomd left ELEVATED during the window" >&2; exit 1; }
                fi
                rss_kib "${cpid[$n]}"
                rss=$R
                peak_kib "${cpid[$n]}" "$rss"
                hwm=$R
                stop "$n"
                one_file=$tmp/$n-$phase.one
                med=$(sort -n "$one_file" | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }')
                mn=$(sort -n "$one_file" | awk 'NR == 1')
                self=""
                if [ "$n" = nohang ]; then # its own timing of each scan ("Found N tasks ... in X ms"): the median
                        self=$(grep 'tasks with non-zero oom_score' "${clog[$n]}" | sed -n "$((f0[$n] + 1)),${fp[$n]}p" |
                                sed -n 's/.* in \([0-9]*\)ms.*/\1/p' | sort -n |
                                awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }')
                fi
                printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$phase" "$procs_now" "$kthr_now" \
                        $((${cp[$n]} - ${c0s[$n]})) $((${tp[$n]} - ${t0s[$n]})) "${secs[$n]}" "$rss" "$hwm" "$self" "$avail_now" \
                        "$(wc -l <"$one_file")" "$med" "$mn" >>"$out/scan.tsv"
                mv "$out/$n-scan.log" "$out/$n-scan-$phase.log"
        done
}

note "idle done"
hog_up
scan_phase base "$base_s" 2
note "scan without the extra processes done"
"$scanbench" --reps "$reps" >"$out/scanbench-base.txt"
hog_down

spawn_procs
note "$procs processes up"
hog_up
scan_phase procs "$scan_s" "$rounds"
note "scan with them done"
"$scanbench" --reps "$reps" >"$out/scanbench-procs.txt"
hog_down

stop_pid "$fork_pid"
cp "$tmp/fork.json" "$out/" 2>/dev/null || true
left=$(grep -lx "$tag" /proc/[0-9]*/comm 2>/dev/null | wc -l || true)
printf 'left_over\t%s\n' "$left" >>"$out/env.txt"
[ "$left" -eq 0 ] || echo "measure: $left of the sleeping processes are still there" >&2
echo "measure: done ($(nprocs) processes now)"
