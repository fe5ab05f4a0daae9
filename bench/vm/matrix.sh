#!/usr/bin/env bash
# The head-to-head VM benchmark's host side: for each scenario x contender x rep, boots the VM test bed
# (tests/vm/run-vm.sh, one VM at a time) with bench/vm/scenario.sh in it, keeps every run's raw files under the runs
# directory, then writes bench/results/vm-matrix.md and bench/results/vm-*.png (bench/vm/report.py).
#   bench/vm/matrix.sh [--reps N] [--scenarios a,b] [--contenders x,y] [--runs-dir DIR] [--no-report]
#   bench/vm/matrix.sh --smoke      leak x headroom once; fails if the leaker survived, the compositor or the probe
#                                   died, or the kernel OOM killer fired
# Exit: 0; 1 when a run failed (or the smoke check did); 77 when the VM cannot run here.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

all_scenarios=leak,spike,foreground,many
all_contenders=kernel,mglru,earlyoom,earlyoom-tuned,nohang,systemd-oomd,headroom
variants=headroom-no-page-out,headroom-no-pause,headroom-no-cgroup,headroom-no-protect,headroom-no-kernel # one family off
reps=1 scenarios=$all_scenarios contenders=$all_contenders smoke=0 report=1 runs_root=""
usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
        case $1 in
        --reps) reps=${2:?}; shift 2 ;;
        --scenarios) scenarios=${2:?}; shift 2 ;;
        --contenders) contenders=${2:?}; shift 2 ;;
        --runs-dir) runs_root=${2:?}; shift 2 ;;
        --no-report) report=0; shift ;;
        --smoke) smoke=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "matrix: unknown argument $1" >&2; usage >&2; exit 2 ;;
        esac
done
case $reps in '' | *[!0-9]* | 0) echo "matrix: --reps needs a positive number" >&2; exit 2 ;; esac
if [ $smoke = 1 ]; then
        scenarios=leak contenders=headroom reps=1 report=0
fi
for s in ${scenarios//,/ }; do
        case ,$all_scenarios, in *,"$s",*) ;; *) echo "matrix: unknown scenario $s ($all_scenarios)" >&2; exit 2 ;; esac
done
for c in ${contenders//,/ }; do
        case ,$all_contenders,$variants, in *,"$c",*) ;; *) echo "matrix: unknown contender $c ($all_contenders,$variants)" >&2; exit 2 ;; esac
done

# The peers, the VM's packages, the workloads and the daemon (build/; HR_BENCH_WL / HR_BENCH_HEADROOMD override).
# The smoke run has headroom alone: the base packages (the VM's) are enough.
if [ $smoke = 1 ]; then "$repo/scripts/install-deps.sh"; else "$repo/scripts/install-deps.sh" --bench; fi
[ -n "${HR_BENCH_WL:-}" ] && [ -n "${HR_BENCH_HEADROOMD:-}" ] || "$repo/scripts/build.sh" build
HR_BENCH_WL=${HR_BENCH_WL:-$repo/build/bench/workloads}
[ -x "$HR_BENCH_WL/hr-probe" ] || { echo "matrix: no workloads in $HR_BENCH_WL (hr-probe...)" >&2; exit 1; }
export HR_BENCH_WL
export HR_BENCH_HEADROOMD=${HR_BENCH_HEADROOMD:-$repo/build/src/headroomd}
case ,$contenders, in *,headroom*)
        [ -x "$HR_BENCH_HEADROOMD" ] || { echo "matrix: no $HR_BENCH_HEADROOMD: run ninja -C build first" >&2; exit 1; } ;;
esac

stamp=$(date +%Y%m%d-%H%M%S)
runs=${runs_root:-$repo/build/vm-bench}/$stamp
[ $smoke = 1 ] && runs=${runs_root:-$repo/build/vm-bench}/smoke-$stamp
mkdir -p "$runs"
runs=$(cd "$runs" && pwd)
# The probe's file-backed "code": made here, on the host root, so the guest reads it over 9p with cache=loose and
# its pages are evictable and refaulted like a disk's (bench/vm/README.md).
export HR_BENCH_CODE_FILE=$runs/probe-code.bin
"$HR_BENCH_WL/hr-probe" --prepare --code-file "$HR_BENCH_CODE_FILE" --code-mib 64 --wss 1 --duration 1 --out /dev/null \
        >/dev/null

echo "matrix: runs in $runs (scenarios $scenarios; contenders $contenders; reps $reps)" >&2
failed=0 n=0 t0=$(date +%s)
for rep in $(seq 1 "$reps"); do
        for s in ${scenarios//,/ }; do
                for c in ${contenders//,/ }; do
                        dir=$runs/$s/$c/rep$rep
                        mkdir -p "$dir"
                        n=$((n + 1))
                        echo "matrix: [$n] $s x $c, rep $rep" >&2
                        set +e
                        (cd "$repo" && tests/vm/run-vm.sh --mem 1024 --timeout 300 --out "$dir" \
                                -- bench/vm/scenario.sh "$s" "$c" /results) >"$dir/run-vm.log" 2>&1
                        st=$?
                        set -e
                        echo "$st" >"$dir/run-vm.rc"
                        if [ $st -eq 77 ]; then
                                tail -n 1 "$dir/run-vm.log" >&2
                                exit 77
                        fi
                        if [ $st -ne 0 ] || [ ! -s "$dir/result.json" ]; then
                                echo "matrix: run failed (status $st): $dir/run-vm.log, $dir/output.log" >&2
                                failed=1
                        else
                                grep '^result:' "$dir/output.log" | tail -n 1 | cut -c1-400 >&2 || true
                        fi
                done
        done
done
echo "matrix: $n runs in $(($(date +%s) - t0)) s" >&2

if [ $smoke = 1 ]; then
        r=$runs/leak/headroom/rep1/result.json
        [ -s "$r" ] || { echo "matrix: SMOKE FAIL: no result ($runs/leak/headroom/rep1)" >&2; exit 1; }
        /usr/bin/python3 - "$r" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
bad = []
if r["load"]["survived"]:
    bad.append("the leaker survived")
if not r["protected_survived"]:
    bad.append("the compositor (gnome-shell) died")
if not r["probe_survived"]:
    bad.append("the probe died")
if r["kernel_oom_kills"]:
    bad.append(f"the kernel OOM killer fired {r['kernel_oom_kills']} time(s): {r['kernel_oom_victims']}")
p = r["probe"]
print(f"smoke: leaker gone after {r['load']['gone_after_s']} s; probe p99 {p['p99_ms']} ms, max {p['max_ms']} ms; "
      f"collateral {r['collateral'] or 'none'}; decision latency {(r['headroom'] or {}).get('decision_latency_ms')} ms",
      file=sys.stderr)
if bad:
    print("matrix: SMOKE FAIL: " + "; ".join(bad), file=sys.stderr)
    sys.exit(1)
print("matrix: smoke OK", file=sys.stderr)
EOF
        exit $?
fi

if [ $report = 1 ]; then
        /usr/bin/python3 "$here/report.py" "$runs" --out "$repo/bench/results" || failed=1
fi
exit $failed
