#!/usr/bin/env bash
# The VM test bed's host side: boots Debian's kernel under qemu with the host root shared read-only, runs ONE command
# in the guest and exits with its status (77 = the VM cannot run here, 124 = timed out, 99 = the test bed broke).
set -euo pipefail

usage() {
        cat <<'EOF'
usage: tests/vm/run-vm.sh [--mem MIB] [--smp N] [--timeout SECS] [--out DIR] -- COMMAND [ARGS...]
  --mem MIB      guest RAM (default 1024); zram swap is HR_VM_ZRAM percent of it (default 50, 0 = none)
  --smp N        guest CPUs (default 2)
  --timeout SECS kill the VM after this long (default 600; exit 124)
  --out DIR      results directory (default: a fresh build/vm/out-XXXXXX, removed after a passing run
                 unless HR_VM_KEEP=1); the guest sees it as /results (HR_VM_RESULTS)
The command runs as root in the guest, in the directory run-vm.sh was started from, with the host root mounted
read-only under a tmpfs overlay. Environment: ACCEL (default tcg,thread=multi), HR_VM_KERNEL (kernel image),
HR_VM_APPEND (extra kernel parameters), HR_VM_ZRAM, HR_VM_DIR (cache dir, default build/vm), HR_VM_KEEP;
variables named HR_* or HEADROOM* are passed to the command.
EOF
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

mem=1024 smp=2 timeout_s=600 out=""
while [ $# -gt 0 ]; do
        case $1 in
        --mem) mem=${2:?--mem needs MiB}; shift 2 ;;
        --smp) smp=${2:?--smp needs a count}; shift 2 ;;
        --timeout) timeout_s=${2:?--timeout needs seconds}; shift 2 ;;
        --out) out=${2:?--out needs a directory}; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        --) shift; break ;;
        *) echo "run-vm: unknown argument $1 (the command goes after --)" >&2; usage >&2; exit 2 ;;
        esac
done
[ $# -gt 0 ] || { echo "run-vm: no command given" >&2; usage >&2; exit 2; }
for v in "$mem" "$smp" "$timeout_s" "${HR_VM_ZRAM:-50}"; do
        case $v in ''|*[!0-9]*) echo "run-vm: not a number: $v" >&2; exit 2 ;; esac
done

skip() { echo "run-vm: SKIP: $*"; exit 77; }
broke() { echo "run-vm: ERROR: $*" >&2; exit 99; }

qemu=$(command -v qemu-system-x86_64 || true)
[ -n "$qemu" ] || skip "no qemu-system-x86_64 (scripts/install-deps.sh installs qemu-system-x86)"
[ "$(uname -m)" = x86_64 ] || skip "the test bed boots an x86_64 kernel; this is $(uname -m)"

# The kernel: HR_VM_KERNEL, or the newest /boot/vmlinuz-VERSION whose /lib/modules/VERSION exists.
kernel=${HR_VM_KERNEL:-}
if [ -n "$kernel" ]; then
        [ -r "$kernel" ] || skip "HR_VM_KERNEL=$kernel is not readable"
        kver=$(basename "$kernel")
        kver=${kver#vmlinuz-}
        [ -d "/lib/modules/$kver" ] || skip "no /lib/modules/$kver for HR_VM_KERNEL=$kernel"
else
        kver=$(for k in /boot/vmlinuz-*; do
                v=${k#/boot/vmlinuz-}
                [ -r "$k" ] && [ -d "/lib/modules/$v" ] && echo "$v"
        done | sort -V | tail -n 1)
        [ -n "$kver" ] || skip "no readable /boot/vmlinuz-* with matching /lib/modules (install linux-image-amd64)"
        kernel=/boot/vmlinuz-$kver
fi

vmdir=${HR_VM_DIR:-$repo/build/vm}
mkdir -p "$vmdir" || broke "cannot create $vmdir"
set +e
initrd=$(HR_VM_DIR=$vmdir "$here/mkinitramfs.sh" --kver "$kver")
st=$?
set -e
if [ $st -eq 77 ]; then skip "cannot build the initramfs (see above)"; fi
[ $st -eq 0 ] && [ -r "$initrd" ] || broke "mkinitramfs.sh failed for $kver"

keep=${HR_VM_KEEP:-0}
if [ -n "$out" ]; then
        mkdir -p "$out" || broke "cannot create --out $out"
        out=$(cd "$out" && pwd)
        rm -f "$out"/{cmd,cwd,env,vm.conf,output.log,console.log,rc,rc.tmp,rc-reason,started,timing}
        keep=1
else
        out=$(mktemp -d "$vmdir/out-XXXXXX") || broke "cannot create a results directory in $vmdir"
fi

# POSIX single quoting, for the guest's /bin/sh
quote() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }

{
        printf 'exec'
        for a in "$@"; do printf ' %s' "$(quote "$a")"; done
        printf '\n'
} >"$out/cmd"
pwd >"$out/cwd"
: >"$out/env"
while IFS= read -r name; do
        printf 'export %s=%s\n' "$name" "$(quote "${!name}")" >>"$out/env"
done < <(compgen -e | grep -E '^(HR_|HEADROOM)' | grep -vE '^HR_VM_(RESULTS|KERNEL|APPEND|DIR|KEEP)$' || true)
echo "zram_pct=${HR_VM_ZRAM:-50}" >"$out/vm.conf"

append="console=ttyS0 psi=1 quiet panic=1 ${HR_VM_APPEND:-}"
accel=${ACCEL:-tcg,thread=multi}
qemu_args=(
        -accel "$accel" -cpu max -m "$mem" -smp "$smp"
        -nographic -no-reboot -nic none
        -fw_cfg name=etc/sercon-port,string=0 # keeps SeaBIOS (and its terminal resets) off the serial console
        -kernel "$kernel" -initrd "$initrd" -append "$append"
        -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
        -virtfs "local,path=$out,mount_tag=results,security_model=none,multidevs=remap"
)

t0=$(date +%s.%N)
set +e
timeout --kill-after=10 "$timeout_s" "$qemu" "${qemu_args[@]}" </dev/null 2>"$out/qemu.err" | tee "$out/console.log"
statuses=("${PIPESTATUS[@]}")
set -e
t1=$(date +%s.%N)
qst=${statuses[0]}

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
summary="host wall $(elapsed "$t0" "$t1")s"
if [ -f "$out/started" ]; then
        summary+=", boot to command $(elapsed "$t0" "$(stat -c %.Y "$out/started")")s"
fi
if [ -f "$out/timing" ]; then
        read -r _ gs _ ge <"$out/timing" || true
        summary+=", command $(elapsed "$gs" "$ge")s"
fi

if [ "$qst" -eq 124 ] || [ "$qst" -eq 137 ]; then
        echo "run-vm: TIMEOUT: the VM did not finish within ${timeout_s}s ($summary); results in $out" >&2
        exit 124
fi
if [ -s "$out/qemu.err" ]; then
        grep -v -e 'TCG doesn.t support requested feature' -e 'fw_cfg item names should be prefixed' \
                "$out/qemu.err" >&2 || true
fi
if [ ! -f "$out/rc" ]; then
        if [ -s "$out/rc-reason" ]; then
                echo "run-vm: ERROR: guest set-up failed: $(cat "$out/rc-reason") ($summary); results in $out" >&2
        else
                echo "run-vm: ERROR: the guest ended without an exit status (qemu status $qst, $summary);" \
                        "console in $out/console.log" >&2
        fi
        exit 99
fi
rc=$(cat "$out/rc")
echo "run-vm: exit status $rc ($summary, kernel $kver, accel $accel)" >&2
if [ "$keep" != 1 ] && [ "$rc" = 0 ]; then
        rm -rf "$out"
elif [ "$rc" != 0 ]; then
        echo "run-vm: results in $out" >&2
fi
exit "$rc"
