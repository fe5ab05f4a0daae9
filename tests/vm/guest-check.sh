#!/usr/bin/env bash
# Runs inside the VM test bed (tests/vm/run-vm.sh -- tests/vm/guest-check.sh): reports which kernel interfaces headroomd
# uses work in the guest. Exits 0 only if the essential ones hold: PSI (+ a trigger), cgroup2 memory+cpu, freeze, zram swap.
set -euo pipefail

failed=0
ok() { echo "ok    - $*"; }
bad() { echo "FAIL  - $*"; failed=1; }
info() { echo "info  - $*"; }
warn() { echo "warn  - $*"; }

if [ "${HR_VM:-}" != 1 ]; then
        echo "guest-check: not inside the VM test bed (HR_VM is unset); run it through tests/vm/run-vm.sh" >&2
        exit 2
fi

info "kernel $(uname -r), $(nproc) CPUs, $(awk '/^MemTotal:/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo) RAM"
info "cmdline: $(cat /proc/cmdline)"

# PSI: the files, and a trigger registered the way headroomd does it (one write, NUL included, since the kernel
# overwrites the last byte written with NUL). A 1 s window needs CAP_SYS_RESOURCE, so this also shows root has it.
psi_ok=1
for r in cpu memory io; do
        if line=$(head -n 1 "/proc/pressure/$r" 2>/dev/null) && [ -n "$line" ]; then
                info "/proc/pressure/$r: $line"
        else
                bad "/proc/pressure/$r missing or unreadable (psi=1 on the kernel command line?)"
                psi_ok=0
        fi
done
[ -e /proc/pressure/irq ] && info "/proc/pressure/irq present" || info "/proc/pressure/irq absent"
if [ $psi_ok = 1 ]; then
        if (exec 3<>/proc/pressure/memory && printf 'some 150000 1000000\0' >&3) 2>/tmp/psi-trigger.err; then
                ok "PSI files present; trigger 'some 150000 1000000' registered on /proc/pressure/memory"
        else
                bad "PSI trigger on /proc/pressure/memory rejected: $(cat /tmp/psi-trigger.err)"
        fi
        if (exec 3<>/proc/pressure/memory && printf 'some 500000 2000000\0' >&3) 2>/dev/null; then
                info "unprivileged-style trigger (2 s window) also registers"
        fi
fi

# cgroup2: pure unified at /sys/fs/cgroup with memory and cpu available and enabled for children.
cg=/sys/fs/cgroup
fstype=$(stat -f -c %T "$cg" 2>/dev/null || echo none)
controllers=$(cat "$cg/cgroup.controllers" 2>/dev/null || true)
subtree=$(cat "$cg/cgroup.subtree_control" 2>/dev/null || true)
info "$cg is $fstype; controllers: $controllers; subtree_control: $subtree"
cg_ok=0
if [ "$fstype" = cgroup2fs ] && [[ " $controllers " == *" memory "* ]] && [[ " $controllers " == *" cpu "* ]] &&
        [[ " $subtree " == *" memory "* ]] && [[ " $subtree " == *" cpu "* ]]; then
        ok "cgroup2 at $cg with memory and cpu controllers enabled for children"
        cg_ok=1
else
        bad "cgroup2 at $cg lacks the memory or cpu controller (fs $fstype)"
fi

child=$cg/hr-guest-check.$$
sleeper=""
cleanup() {
        if [ -n "$sleeper" ]; then
                echo 0 >"$child/cgroup.freeze" 2>/dev/null || true
                kill "$sleeper" 2>/dev/null || true
                wait "$sleeper" 2>/dev/null || true
        fi
        rm -f /tmp/hr-guest-check.fill
        [ -d "$child" ] && rmdir "$child" 2>/dev/null || true
}
trap cleanup EXIT

events_say() { grep -E "^$1 " "$child/cgroup.events" 2>/dev/null | cut -d' ' -f2; }
wait_frozen() { # 0 or 1; waits up to 5 s
        local i
        for i in $(seq 50); do
                [ "$(events_say frozen)" = "$1" ] && return 0
                sleep 0.1
        done
        return 1
}

freeze_ok=0
if [ $cg_ok = 1 ] && mkdir "$child" 2>/dev/null; then
        for f in memory.reclaim memory.high memory.max memory.swap.max memory.pressure cgroup.freeze cgroup.kill; do
                [ -e "$child/$f" ] && info "$f present in a child cgroup" || warn "$f missing in a child cgroup"
        done

        # memory.reclaim: 16 MiB of tmpfs charged to the child, then ask for 8 MiB back (it goes to zram).
        if [ -e "$child/memory.reclaim" ]; then
                if bash -c 'echo $$ >"$1/cgroup.procs" && head -c 16M /dev/zero >/tmp/hr-guest-check.fill' _ "$child"; then
                        before=$(cat "$child/memory.current")
                        if echo 8M >"$child/memory.reclaim" 2>/tmp/reclaim.err; then
                                ok "memory.reclaim took 8M back (memory.current $before -> $(cat "$child/memory.current"))"
                        else
                                warn "memory.reclaim write failed: $(cat /tmp/reclaim.err) (memory.current $before)"
                        fi
                        rm -f /tmp/hr-guest-check.fill
                else
                        warn "could not charge tmpfs pages to $child for memory.reclaim"
                fi
        else
                warn "memory.reclaim missing (kernel older than 5.19?)"
        fi

        # cgroup.freeze on a child cgroup holding a sleep.
        bash -c 'echo $$ >"$1/cgroup.procs" && exec sleep 1000' _ "$child" &
        sleeper=$!
        for _ in $(seq 50); do grep -qx "$sleeper" "$child/cgroup.procs" && break; sleep 0.1; done
        if ! grep -qx "$sleeper" "$child/cgroup.procs"; then
                bad "could not move a sleep into $child"
        elif ! echo 1 >"$child/cgroup.freeze"; then
                bad "writing 1 to cgroup.freeze failed"
        elif ! wait_frozen 1; then
                bad "cgroup.events never showed frozen 1"
        else
                state=$(awk '{ print $3 }' "/proc/$sleeper/stat")
                echo 0 >"$child/cgroup.freeze"
                if wait_frozen 0; then
                        ok "cgroup.freeze froze and thawed a child cgroup holding sleep $sleeper (state while frozen: $state)"
                        freeze_ok=1
                else
                        bad "cgroup froze but did not thaw"
                fi
        fi
        if [ -e "$child/cgroup.kill" ] && [ -n "$sleeper" ]; then
                st=0
                echo 1 >"$child/cgroup.kill" && wait "$sleeper" 2>/dev/null || st=$?
                info "cgroup.kill ended the sleep (wait status $st)"
                sleeper=""
        fi
elif [ $cg_ok = 1 ]; then
        bad "cannot create a child cgroup $child"
fi

# zram swap
if grep -q '^/dev/zram0 ' /proc/swaps; then
        alg=$(grep -o '\[[a-z0-9-]*\]' /sys/block/zram0/comp_algorithm | tr -d '[]')
        size=$(($(cat /sys/block/zram0/disksize) / 1048576))
        ok "zram0 is swap: ${size} MiB, $alg ($(awk '$1 == "/dev/zram0" { print "priority " $5 }' /proc/swaps))"
        zram_ok=1
else
        bad "no zram0 in /proc/swaps: $(tail -n +2 /proc/swaps | tr '\n' ' ')"
        zram_ok=0
fi

# MGLRU: present if the file exists; 0x0007 means every feature enabled.
if [ -r /sys/kernel/mm/lru_gen/enabled ]; then
        mglru=$(cat /sys/kernel/mm/lru_gen/enabled)
        info "MGLRU present: /sys/kernel/mm/lru_gen/enabled = $mglru$([ "$mglru" = 0x0000 ] && echo ' (built in, off)')"
        if echo y >/sys/kernel/mm/lru_gen/enabled 2>/dev/null; then
                info "MGLRU switches on with 'echo y >/sys/kernel/mm/lru_gen/enabled': $(cat /sys/kernel/mm/lru_gen/enabled)"
                echo "$mglru" >/sys/kernel/mm/lru_gen/enabled 2>/dev/null || true
        fi
else
        info "MGLRU absent (no /sys/kernel/mm/lru_gen/enabled)"
fi

# CRIU
if command -v criu >/dev/null; then
        info "$(criu --version | head -n 1)"
        set +e
        criu_out=$(criu check 2>&1)
        criu_rc=$?
        set -e
        sed 's/^/        criu check: /' <<<"$criu_out"
        if [ $criu_rc -eq 0 ]; then ok "criu check passes"; else warn "criu check fails (status $criu_rc)"; fi
else
        warn "criu is not installed on the host root"
fi

echo
if [ $psi_ok = 1 ] && [ $cg_ok = 1 ] && [ $freeze_ok = 1 ] && [ $zram_ok = 1 ] && [ $failed = 0 ]; then
        echo "guest-check: essentials hold (PSI, cgroup2 memory+cpu, freeze, zram swap)"
        exit 0
fi
echo "guest-check: essentials missing (see FAIL lines)"
exit 1
