#!/usr/bin/env bash
# Records a real memory-pressure episode as a headroomd --record trace (how tests/traces/leak-episode.jsonl
# was made). Needs root, cgroups (v1 memory + cgroup2, or cgroup2 with memory), PSI and swap (zram0 is
# set up and torn down when there is none). In one cgroup limited to 256 MiB it starts two idle "browser
# tabs" (cmdline --type=renderer), an idle "indexer" (comm tracker-miner-f), a "compositor" (comm
# gnome-shell) and a leaker growing 8 MiB/s, and runs headroomd --dry-run --scope on it for SECONDS.
# Usage: tests/traces/record-episode.sh OUT.jsonl [SECONDS]   (after a build in build/)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$1 secs=${2:-45}
name=hr-trace-$$
v2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)/$name
v1=""
bin=$(mktemp -d /tmp/hr-trace-bin.XXXXXX)
pids=()
zram_ours=0

cleanup() {
        for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
        for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
        rmdir "$v2" 2>/dev/null || true
        [ -n "$v1" ] && rmdir "$v1" 2>/dev/null || true
        if [ "$zram_ours" = 1 ]; then swapoff /dev/zram0 || true; echo 1 >/sys/block/zram0/reset || true; fi
        rm -rf "$bin"
}
trap cleanup EXIT

if [ "$(awk 'NR > 1' /proc/swaps | wc -l)" = 0 ]; then
        echo lz4 >/sys/block/zram0/comp_algorithm || true
        echo 1G >/sys/block/zram0/disksize
        zram_ours=1
        mkswap /dev/zram0 >/dev/null
        swapon /dev/zram0
fi

mkdir "$v2"
if grep -qw memory "$(dirname "$v2")/cgroup.controllers"; then
        echo +memory >"$(dirname "$v2")/cgroup.subtree_control" || true
        echo 256M >"$v2/memory.max"
else
        v1=/sys/fs/cgroup/memory/$name
        mkdir "$v1"
        echo 256M >"$v1/memory.limit_in_bytes"
fi

for n in tracker-miner-fs-3 gnome-shell leaker chrome; do cp build/tests/hog "$bin/$n"; done
spawn() { # command...: runs it inside the cgroup(s)
        ( echo $BASHPID >"$v2/cgroup.procs"; [ -z "$v1" ] || echo $BASHPID >"$v1/cgroup.procs"; exec "$@" ) >/dev/null &
        pids+=($!)
}
spawn "$bin/chrome" =48 600 --type=renderer --lang=en
spawn "$bin/chrome" =40 600 --type=renderer --lang=en
spawn "$bin/tracker-miner-fs-3" =32 600
spawn "$bin/gnome-shell" =24 600
sleep 2
spawn "$bin/leaker" +8 "$secs"

rt=$(mktemp -d)
timeout -s INT "$secs" build/src/headroomd --dry-run --no-mlock --scope "$v2" --runtime-dir "$rt" --state-dir "$rt" \
        --record "$out" || true
rm -rf "$rt"
