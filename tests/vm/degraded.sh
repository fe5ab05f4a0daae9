#!/usr/bin/env bash
# Runs inside the VM test bed with kernel features taken away (tests/meson.build: vm-degraded boots with psi=0; this
# script unmounts cgroup2): headroomd must say what is missing, fall back (polling instead of PSI triggers, SIGSTOP
# instead of the cgroup freezer) and still stop a real leak before the kernel OOM killer, leaving nothing stopped.
set -uo pipefail

[ "${HR_VM:-}" = 1 ] || { echo "degraded: not inside the VM test bed (run it through tests/vm/run-vm.sh)" >&2; exit 2; }
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${HR_BUILD_ROOT:-$repo/build}
headroomd=$build/src/headroomd headroomctl=$build/src/headroomctl wl=$build/bench/workloads
failed=0
ok() { echo "ok    - $*"; }
bad() { echo "FAIL  - $*"; failed=1; }
for p in "$headroomd" "$headroomctl" "$wl/hr-leak" "$wl/hr-idle"; do
        [ -x "$p" ] || { echo "degraded: no $p (build first)" >&2; exit 1; }
done
echo -1000 >/proc/self/oom_score_adj

# ---- what is gone ----
if [ -e /proc/pressure/memory ]; then bad "PSI still present (was the kernel booted with psi=0?)"; else ok "no PSI (psi=0)"; fi
cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -n "$cg2" ] && umount "$cg2"
if awk '$3 == "cgroup2"' /proc/mounts | grep -q .; then bad "cgroup2 still mounted"; else ok "no cgroup2 mounted"; fi

# ---- doctor says so ----
"$headroomctl" doctor >/tmp/doctor.txt 2>&1
cat /tmp/doctor.txt
grep -Eq "^psi +no " /tmp/doctor.txt && ok "doctor: psi no" || bad "doctor does not say PSI is missing"
grep -Eq "^cgroup2 +no " /tmp/doctor.txt && ok "doctor: cgroup2 no" || bad "doctor does not say cgroup2 is missing"

# ---- a real leak beside idle tabs ----
tabs=()
for i in 1 2 3; do
        (echo 0 >/proc/self/oom_score_adj; exec "$wl/hr-idle" --mib 64 --name chrome --ready-file "/tmp/tab$i.ready" \
                --cmdline-tail --type=renderer --renderer-client-id=$i) \
                >/dev/null 2>&1 &
        tabs+=($!)
done
for i in 1 2 3; do for _ in $(seq 300); do [ -e "/tmp/tab$i.ready" ] && break; sleep 0.1; done; done
"$headroomd" --runtime-dir /run/headroom >/tmp/headroomd.log 2>&1 &
hp=$!
sleep 2
oom0=$(awk '/^oom_kill / { print $2 }' /proc/vmstat)
(echo 0 >/proc/self/oom_score_adj; exec "$wl/hr-leak" --rate 40 --max 4096 --name leaker --duration 120) >/dev/null 2>&1 &
lp=$!
t0=$(cut -d' ' -f1 /proc/uptime)
wait "$lp"
st=$?
t1=$(cut -d' ' -f1 /proc/uptime)
oom1=$(awk '/^oom_kill / { print $2 }' /proc/vmstat)
echo "leaker ended with status $st after $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s; kernel OOM kills $((oom1 - oom0))"
kill -TERM "$hp"
wait "$hp"
hst=$?
cat /tmp/headroomd.log

grep -q "no PSI, so no triggers: polling" /tmp/headroomd.log && ok "headroomd: no PSI, polling (said once)" ||
        bad "headroomd did not say it polls without PSI"
[ "$(grep -c "no PSI, so no triggers" /tmp/headroomd.log)" -le 1 ] || bad "the missing PSI is logged more than once"
grep -Eq "(terminate|kill) $lp \(leaker" /tmp/headroomd.log && ok "the leaker was ended by headroomd" ||
        bad "headroomd did not end the leaker"
[ $((oom1 - oom0)) -eq 0 ] && ok "no kernel OOM kill" || bad "the kernel OOM killer fired $((oom1 - oom0)) time(s)"
if grep -q " freeze .*\[sigstop\]" /tmp/headroomd.log; then ok "freezes fell back to SIGSTOP (no cgroup freezer)"
else bad "no freeze by SIGSTOP (the tabs, expendable-heavy, go first)"; fi
[ "$hst" = 0 ] && ok "headroomd stopped cleanly" || bad "headroomd exited with status $hst"
stopped=0
for p in "${tabs[@]}"; do
        [ "$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null)" = T ] && { bad "tab $p left stopped"; stopped=1; }
        kill -KILL "$p" 2>/dev/null
done
[ $stopped = 0 ] && ok "no tab left stopped"
exit $failed
