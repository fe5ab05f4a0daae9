#!/usr/bin/env bash
# The overhead benchmark (make bench): headroomd, earlyoom and nohang side by side in one run. Idle: wake-ups per
# second, resident memory (and its peak), CPU per hour. Scan: CPU of one full process scan (victim selection) with
# 10,000 sleeping processes. bench/overhead/measure.sh does the measuring: first here on the host for headroomd and
# earlyoom (native speed; nohang has no dry-run mode, so never on the host), then in the VM test bed (tests/vm,
# qemu TCG) for all three. Prints the Markdown of bench/results/overhead.md (method and tables); ~5 minutes.
# Usage: bench/overhead.sh [--build DIR] [--out FILE.md] [--host-only | --vm-only] [--keep DIR]
#                          [--idle-seconds N] [--scan-seconds N] [--base-seconds N] [--rounds N] [--procs N]
#   --build DIR   the build directory to use (default build; built first)
#   --keep DIR    keep the raw results (DIR/host, DIR/vm) for bench/overhead/report.sh
# The VM measures 16 s of selections per contender (12 s on the host): under TCG a selection takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

build=build out="" where=both keep="" measure_args=()
usage() {
        echo "usage: bench/overhead.sh [--build DIR] [--out FILE.md] [--host-only | --vm-only] [--keep DIR]" \
                "[--idle-seconds N] [--scan-seconds N] [--base-seconds N] [--rounds N] [--procs N]" >&2
        exit 2
}
while [ $# -gt 0 ]; do
        case "$1" in
        --build) build=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --host-only) where=host; shift ;;
        --vm-only) where=vm; shift ;;
        --keep) keep=$2; shift 2 ;;
        --idle-seconds | --scan-seconds | --base-seconds | --rounds | --procs) measure_args+=("$1" "$2"); shift 2 ;;
        *) usage ;;
        esac
done

scripts/install-deps.sh --bench
scripts/build.sh "$build"

if [ -n "$keep" ]; then
        mkdir -p "$keep"
        work=$(cd "$keep" && pwd)
        rm -rf "$work/host" "$work/vm"
else
        work=$(mktemp -d "${TMPDIR:-/tmp}/hr-overhead-run.XXXXXX")
        trap 'rm -rf "$work"' EXIT
fi
t0=$SECONDS
report=()

if [ "$where" != vm ]; then
        echo "overhead: host (headroomd, earlyoom)" >&2
        bench/overhead/measure.sh --out "$work/host" --contenders headroomd,earlyoom --build "$build" --reps 3 \
                "${measure_args[@]}" >&2
        report+=(--host "$work/host")
fi
if [ "$where" != host ]; then
        echo "overhead: VM (headroomd, earlyoom, nohang), after $((SECONDS - t0)) s" >&2
        mkdir -p "$work/vm"
        set +e
        HR_VM_ZRAM=0 tests/vm/run-vm.sh --mem 2048 --timeout 900 --out "$work/vm" -- \
                bench/overhead/measure.sh --out /results --contenders headroomd,earlyoom,nohang --build "$build" \
                --reps 1 --scan-seconds 16 "${measure_args[@]}" >"$work/vm-console.log" 2>&1
        st=$?
        set -e
        if [ $st -eq 77 ]; then
                echo "overhead: the VM cannot run here ($(tail -n 1 "$work/vm-console.log")): host results only" >&2
        elif [ $st -ne 0 ]; then
                echo "overhead: the VM run failed (status $st):" >&2
                grep -v '^\[' "$work/vm/output.log" 2>/dev/null | tail -n 20 >&2 || tail -n 20 "$work/vm-console.log" >&2
                exit 1
        else
                report+=(--vm "$work/vm")
        fi
fi
[ ${#report[@]} -gt 0 ] || { echo "overhead: nothing measured" >&2; exit 1; }
echo "overhead: measured in $((SECONDS - t0)) s" >&2

cmd="bench/overhead.sh"
[ "$build" = build ] || cmd+=" --build $build"
[ ${#measure_args[@]} -eq 0 ] || cmd+=" ${measure_args[*]}"
case $where in host) cmd+=" --host-only" ;; vm) cmd+=" --vm-only" ;; esac
# What was measured: this tree at HEAD (and whether src/ differs from it), or the build's own source directory.
src=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["directories"]["source"])' \
        "$build/meson-info/meson-info.json" 2>/dev/null || pwd)
if [ "$src" = "$(pwd)" ]; then
        commit="commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
        [ -z "$(git status --porcelain -- src 2>/dev/null)" ] || commit+=", src/ with uncommitted changes"
else
        commit="built from ${src#"$(pwd)/"}"
        [ ! -r "$src/.commit" ] || commit+=", a copy of commit $(cat "$src/.commit")"
fi
text=$(bench/overhead/report.sh "${report[@]}" --command "$cmd" --commit "$commit")
echo "$text"
if [ -n "$out" ]; then
        mkdir -p "$(dirname "$out")"
        echo "$text" >"$out"
fi
