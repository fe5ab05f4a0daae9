#!/usr/bin/env bash
# Installs the Debian packages headroom needs to build and test (and with --bench, to run the peers it is
# benchmarked against). Idempotent; silent when everything is already there.
# Usage: scripts/install-deps.sh [--bench]
set -euo pipefail

bench=false
[ "${1:-}" = --bench ] && bench=true

packages=(
        # build
        gcc make meson ninja-build pkg-config libjson-c-dev
        # tests (cmocka) and the real-kernel integration test (mkswap/swapon for zram swap)
        libcmocka-dev util-linux procps
        # the memcheck pass of scripts/test.sh
        valgrind
        # fuzzing with libFuzzer (scripts/fuzz.sh)
        clang libclang-rt-dev
        # VM test bed (tests/vm): qemu TCG, Debian's 6.1 kernel, static busybox for the initramfs, CRIU
        qemu-system-x86 linux-image-amd64 busybox-static cpio criu
        # service files: systemd-analyze verify; man page lint; bash-completion's completionsdir (tests/install)
        systemd mandoc groff-base bash-completion
)
# The benchmarks (bench/idle.sh, bench/vm): the peers and matplotlib for the plots. Not for the tests: on a
# machine that boots with systemd, Debian enables these daemons' services when it installs them.
peers=(earlyoom nohang systemd-oomd)
$bench && packages+=("${peers[@]}" python3-matplotlib)

missing=()
for p in "${packages[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
                missing+=("$p")
        fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
        sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if $bench && [ -d /run/systemd/system ]; then
        echo "install-deps: the peers are for the benchmark only; where their services were enabled:" \
             "systemctl disable --now ${peers[*]}" >&2
fi
