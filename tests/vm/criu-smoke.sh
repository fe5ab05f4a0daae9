#!/usr/bin/env bash
# Runs inside the VM test bed (tests/vm/run-vm.sh -- tests/vm/criu-smoke.sh): checkpoints a counting shell loop with
# criu dump, restores it with criu restore -d and checks it counts on. Exits 0 if dump and restore both worked.
set -euo pipefail

if [ "${HR_VM:-}" != 1 ]; then
        echo "criu-smoke: not inside the VM test bed (HR_VM is unset); run it through tests/vm/run-vm.sh" >&2
        exit 2
fi
command -v criu >/dev/null || { echo "criu-smoke: SKIP: criu is not installed on the host root"; exit 77; }

dir=$(mktemp -d /tmp/criu-smoke.XXXXXX)
img=$dir/img
mkdir "$img"
pid=""
cleanup() {
        if [ -n "$pid" ]; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

step() { echo "criu-smoke: $*"; }
log_tail() { # file: the last lines, and every error line, of a criu log
        echo "---- $1 (errors) ----"
        grep -E 'Error|Warn|fail' "$1" | tail -n 20 || true
        echo "---- $1 (tail) ----"
        tail -n 25 "$1" || true
}
count() { cat "$dir/counter" 2>/dev/null || echo 0; }
fail() {
        step "FAILED: $*"
        exit 1
}

step "$(criu --version | head -n 1), kernel $(uname -r)"

# A session of its own (setsid), no terminal, stdio on /dev/null: a tree criu can dump without --shell-job.
cd "$dir"
setsid bash -c 'echo $$ >"$1/pid"; i=0; while :; do i=$((i + 1)); echo $i >"$1/counter"; sleep 0.2; done' _ "$dir" \
        </dev/null >/dev/null 2>&1 &
disown
for _ in $(seq 50); do [ -s "$dir/pid" ] && [ "$(count)" -ge 3 ] && break; sleep 0.1; done
pid=$(cat "$dir/pid" 2>/dev/null || true)
[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || fail "the counting loop did not start"
step "counter loop is pid $pid (session $(ps -o sid= -p "$pid" | tr -d ' ')), counter at $(count)"

t0=$(date +%s.%N)
if ! criu dump -t "$pid" -D "$img" -o dump.log -v4; then
        log_tail "$img/dump.log"
        fail "criu dump -t $pid failed (log above)"
fi
t1=$(date +%s.%N)
at_dump=$(count)
sleep 0.5
if kill -0 "$pid" 2>/dev/null; then fail "pid $pid still runs after the dump (it should have been killed)"; fi
[ "$(count)" = "$at_dump" ] || fail "the counter moved after the dump ($at_dump -> $(count))"
step "dump OK in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')s: $(du -sh "$img" | cut -f1) of images" \
        "($(ls "$img" | wc -l) files), pid $pid gone, counter stopped at $at_dump"

t0=$(date +%s.%N)
if ! criu restore -d -D "$img" -o restore.log -v4; then
        log_tail "$img/restore.log"
        pid=""
        fail "criu restore failed (log above)"
fi
t1=$(date +%s.%N)
kill -0 "$pid" 2>/dev/null || { log_tail "$img/restore.log"; fail "restore returned 0 but pid $pid does not exist"; }
before=$(count)
sleep 1.5
after=$(count)
[ "$after" -gt "$before" ] || fail "pid $pid is back but the counter does not advance ($before -> $after)"
step "restore OK in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')s: pid $pid runs again" \
        "($(tr '\0' ' ' <"/proc/$pid/cmdline" | cut -c1-40)...), counter $before -> $after"

# A second round on the restored tree: dump with --leave-running, so the checkpoint did not change it.
img2=$dir/img2
mkdir "$img2"
if criu dump -t "$pid" -D "$img2" -o dump.log -v4 --leave-running; then
        kill -0 "$pid" 2>/dev/null && step "dump --leave-running of the restored tree OK; it keeps running" \
                || fail "pid $pid died in dump --leave-running"
else
        log_tail "$img2/dump.log"
        fail "criu dump --leave-running of the restored tree failed"
fi

kill -KILL -- "-$pid" 2>/dev/null || true
pid=""
step "PASS: dump, restore and counting on work in this guest"
