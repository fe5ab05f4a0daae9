#!/usr/bin/env bash
# The overhead benchmark's tables: turns the raw results of bench/overhead/measure.sh (a directory from the host,
# one from the VM, or both) into the Markdown of bench/results/overhead.md, on stdout.
# Usage: bench/overhead/report.sh [--host DIR] [--vm DIR] [--command TEXT] [--commit TEXT]
set -euo pipefail

host="" vm="" command="bench/overhead.sh" commit=""
while [ $# -gt 0 ]; do
        case "$1" in
        --host) host=$2; shift 2 ;;
        --vm) vm=$2; shift 2 ;;
        --command) command=$2; shift 2 ;;
        --commit) commit=$2; shift 2 ;;
        *) echo "usage: bench/overhead/report.sh [--host DIR] [--vm DIR] [--command TEXT] [--commit TEXT]" >&2; exit 2 ;;
        esac
done
[ -n "$host$vm" ] || { echo "report: give --host DIR and/or --vm DIR" >&2; exit 2; }

env_get() { awk -F '\t' -v k="$2" '$1 == k { print $2 }' "$1/env.txt"; }
label() { # contender -> how it ran
        case $1 in
        headroomd) echo "headroomd --dry-run" ;;
        earlyoom) echo "earlyoom --dryrun" ;;
        nohang) echo "nohang --monitor" ;;
        esac
}
describe() { # dir -> one line on the machine
        local d=$1 where kernel
        where=$(env_get "$d" where) kernel=$(env_get "$d" kernel)
        if [ "$where" = vm ]; then
                printf 'VM test bed: Debian kernel %s under qemu TCG, %s vCPUs, %s MiB guest, swap %s MiB' "$kernel" \
                        "$(env_get "$d" cpus)" $(($(env_get "$d" mem_total_kib) / 1024)) \
                        $(($(env_get "$d" swap_total_kib) / 1024))
        else
                printf 'host: kernel %s, %s CPUs, %s MiB, swap %s MiB' "$kernel" "$(env_get "$d" cpus)" \
                        $(($(env_get "$d" mem_total_kib) / 1024)) $(($(env_get "$d" swap_total_kib) / 1024))
        fi
        printf '; %s UTC' "$(env_get "$d" date | sed 's/ UTC$//')" # the caller adds the full stop
}

idle_table() {
        local d=$1 s
        s=$(awk -F '\t' 'NR == 2 { print $2 }' "$d/idle.tsv")
        printf '| contender | wake-ups/s | RSS (KiB) | peak RSS (KiB) | CPU (ms in %s s) | CPU (s/hour) |\n' "$s"
        printf '|---|---:|---:|---:|---:|---:|\n'
        while IFS=$'\t' read -r n sec ctx cpu rss hwm _; do
                awk -v l="$(label "$n")" -v s="$sec" -v c="$ctx" -v t="$cpu" -v r="$rss" -v h="$hwm" 'BEGIN {
                        printf "| %s | %.2f | %d | %d | %.1f | %.2f |\n", l, c / s, r, h, t / 1e6, t / 1e9 / s * 3600 }'
        done < <(tail -n +2 "$d/idle.tsv")
        awk -F '\t' 'NR == 2 { printf "\nDuring the window: memory stall (PSI some) %s ms, MemAvailable %s%% of MemTotal", $7, $8
                if ($9 > 1) printf "; window %d of %d (the earlier ones had memory stalls from other work)", $9, $9
                printf ".\n" }' "$d/idle.tsv"
}

scan_table() {
        local d=$1 n procs
        procs=$(env_get "$d" procs)
        printf '| contender | own processes: ms per selection | +%s: ms per selection, median | min | mean | the %s alone (ms) | per process (µs) | selections (own / +%s) | RSS / peak with them (KiB) |\n' \
                "$procs" "$procs" "$procs"
        printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|\n'
        awk -F '\t' 'NR > 1 && $2 == "procs" { print $1 }' "$d/scan.tsv" | while read -r n; do
                awk -F '\t' -v n="$n" -v l="$(label "$n")" -v N="$procs" '
                        $1 == n && $2 == "base" { bp = $3; bs = $5; bmed = $13 / 1e6 }
                        $1 == n && $2 == "procs" { pp = $3; ps = $5; mean = $6 / $5 / 1e6; rss = $8; hwm = $9; med = $13 / 1e6; mn = $14 / 1e6 }
                        END {
                                printf "| %s | %.2f | **%.1f** | %.1f | %.1f | %.1f | %.1f | %d / %d | %d / %d |\n",
                                        l, bmed, med, mn, mean, med - bmed, (med - bmed) * 1000 / N, bs, ps, rss, hwm
                        }' "$d/scan.tsv"
        done
        awk -F '\t' 'NR > 1 && $2 == "base" { b = $3 } NR > 1 && $2 == "procs" { p = $3 } END {
                printf "\nProcesses in /proc (kernel threads included): about %d on its own, %d with the extra ones.\n", b, p }' "$d/scan.tsv"
        awk -F '\t' -v N="$procs" '$1 == "headroomd" && $2 == "procs" {
                printf "\nAt NORMAL headroomd also scans once a minute to keep its table warm (and after 256 new pids), so with\n"
                printf "the %s processes its idle CPU is about %.1f s/hour more (derived: the median above x 60, not measured\n", N, $13 / 1e9 * 60
                printf "here); earlyoom and nohang read no process at idle.\n" }' "$d/scan.tsv"
        local self
        self=$(awk -F '\t' '$1 == "nohang" && $2 == "procs" { print $10 }' "$d/scan.tsv")
        if [ -n "$self" ]; then
                printf '\nnohang times its own scan ("Found N tasks with non-zero oom_score ... in X ms", wall clock, without the\n'
                printf 'sorting, the top-15 list and the two listings of /proc around it): median %s ms with the %s.\n' "$self" "$procs"
        fi
        printf '\nheadroom'"'"'s scanner alone on the same live /proc (`scan-bench`, CPU time of `hr_procfs_scan` per scan):\n\n```\n'
        grep -h -e '^root' -e 'scan' "$d/scanbench-base.txt" "$d/scanbench-procs.txt" | sed 's/^root \/: /\/proc: /'
        printf '```\n'
}

section() { # title dir
        local title=$1 d=$2
        printf '## %s\n\n%s.\n\n' "$title" "$(describe "$d")"
        printf '### Idle, side by side (defaults)\n\n'
        idle_table "$d"
        printf '\n### One full scan (victim selection), each alone, %s sleeping processes added\n\n' "$(env_get "$d" procs)"
        scan_table "$d"
        printf '\nThe %s processes (`hr-fork-many --mib 0`) were up in %s s; left over after the run: %s.\n\n' \
                "$(env_get "$d" procs)" "$(env_get "$d" spawn_s)" "$(env_get "$d" left_over)"
}

any=${vm:-$host}
printf '# Overhead: headroomd, earlyoom and nohang\n\n'
printf 'Command: `%s`%s. Versions: %s, %s' "$command" "${commit:+ ($commit)}" "$(env_get "$any" headroomd)" \
        "$(env_get "$any" earlyoom)"
[ -z "$vm" ] || printf ', %s' "$(env_get "$vm" nohang)"
printf '.\n\n'
if [ -n "$vm" ]; then
        printf 'All three run in one environment only inside the VM test bed: nohang has no dry-run mode and would act on\n'
        printf 'the shared host. The host part (headroomd and earlyoom, native speed) is the same measurement without nohang.\n'
        printf 'Under TCG every CPU number is 5-20x the native one; compare within a table, not across them.\n\n'
fi
[ -z "$vm" ] || section "VM: all three" "$vm"
[ -z "$host" ] || section "Host: headroomd and earlyoom" "$host"
cat <<'EOF'
## Method

- **Idle.** All contenders start together on their default settings: `headroomd --dry-run` on its built-in
  configuration (an empty `--config`; private `--runtime-dir`, `--state-dir`, `--socket`), `earlyoom --dryrun
  -r 3600` (Debian's `EARLYOOM_ARGS`), `nohang --monitor` with Debian's `/etc/nohang/nohang.conf` except
  `min_badness` (below). Once each has logged that it runs, and 3 s more, all are measured over the same window:
  wake-ups = context switches (voluntary and involuntary, summed over the threads), CPU = the scheduler's clock
  (`/proc/PID/task/*/schedstat`), RSS = `Rss` of `/proc/PID/smaps_rollup` (a walk of the page tables; `VmRSS` is a
  counter that kernels before 6.2 update lazily per thread, and in the 6.1 VM an idle earlyoom showed 928 KiB of
  `VmRSS` with 1684 KiB in its page tables), peak = `VmHWM`, or that RSS when it is higher. A window with a
  memory stall over 50 ms on the machine (someone else's work: headroomd then samples faster, by design) is
  repeated once and the calmer one kept. The window is 65 s because headroomd scans once a minute at NORMAL to keep its table warm.
- **Scan.** All contenders start together, configured so that every poll is a full victim selection and nothing
  is done; then they take turns (SIGSTOP / SIGCONT, 3 turns each), so each is measured alone and whatever else
  the machine does falls on all of them alike.
  - headroomd: `--dry-run` and a configuration where MemAvailable below 99% gives 30 points and nothing else
    counts, so it is always ELEVATED: every tick (`TickElevatedSec=250ms`) samples, scans `/proc`, classifies and
    plans (nothing to plan for sleeping processes). Selections = `headroom_samples_total` (`headroomctl
    metrics`). A warm tick reads each process's `stat`, and its other files (`status`, `cmdline`, `exe`, `cgroup`,
    `oom_score_adj`, `oom_score`) when it changed and every 10th tick anyway: the table is that steady state;
    `scan-bench`'s cold and full scans read all seven files of every process.
  - earlyoom: `--dryrun -m 99 -s 100 -r 0` (99% is its largest `-m`): it picks a victim on every 100 ms poll,
    reading `oom_score` and `statm` of every process (`comm` and `oom_score_adj` of each new leader), and logs
    "dryrun, not actually sending any signal". Selections = those lines.
  - nohang: `--monitor` with `soft_threshold_min_mem = 50 %` (its largest) and `soft_threshold_min_swap = 100 %`;
    a hog (`hr-idle`) holds MemAvailable near 40% so that the threshold is crossed. Every 100 ms it reads
    `oom_score` of every process, sorts them, prints the top 15 and lists `/proc` twice more; then
    `min_badness = 1000000000`, above any badness (oom_score tops out at 2000; its regex adjustments are off),
    makes it log "badness (B) < min_badness; nothing to do", and it never signals. Selections = those lines, and
    "the next processes were died" (the same scan, dropped because a process it listed had gone).
  The first selection (cold dentry cache; headroomd's first, full scan) is skipped. Then the harness reads the
  contender's CPU time right after each selection ends (all three then sleep 100 ms or more), so each selection
  is timed alone: the table gives the median, the smallest and the mean (whole window). Compare the medians: the
  host is shared, and someone else's burst moves a mean. While earlyoom or nohang is measured the harness starts
  no process at all (bash builtins only), or nohang would drop its scans. headroomd's count comes from
  `headroomctl metrics` every 50 ms; each request costs it about 60 µs (native), included. Measured first with
  the machine's own processes, then with `hr-fork-many --count N --mib 0` sleeping (they die with their parent);
  the difference of the medians is the cost of those N processes. `scan-bench` runs once per scan kind in the VM
  (3 times on the host): its VM numbers are single samples.
- **Safety.** headroomd never runs without `--dry-run` nor with the default runtime directory; earlyoom only with
  `--dryrun`; nohang only in the VM (`HR_VM=1`), and there `min_badness` keeps it from acting. Everything is
  stopped by its pid; the run checks that none of the sleeping processes is left.
- **The VM.** `tests/vm/run-vm.sh --mem 2048` with `HR_VM_ZRAM=0`: no swap, like the host, so "swap below X%"
  always holds and nothing moves to zram under the hog. 10,000 sleeping processes take about 1.2 GiB (kernel
  stacks, page tables, their few private pages): hence 2 GiB.
EOF
