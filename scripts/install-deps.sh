#!/usr/bin/env bash
# Installs every Debian package headroom needs to build, test and benchmark. Idempotent; silent when
# everything is already there. Usage: scripts/install-deps.sh
set -euo pipefail

packages=(
        # build
        gcc make meson ninja-build pkg-config libjson-c-dev
        # tests (cmocka) and the real-kernel integration test (mkswap/swapon for zram swap)
        libcmocka-dev util-linux procps
        # the memcheck pass of scripts/test.sh
        valgrind
        # side-by-side benchmark
        earlyoom
        # head-to-head VM benchmark (bench/vm): nohang and systemd-oomd as contenders, matplotlib for the plots
        nohang systemd-oomd python3-matplotlib
        # fuzzing with libFuzzer (scripts/fuzz.sh)
        clang libclang-rt-dev
        # VM test bed (tests/vm): qemu TCG, Debian's 6.1 kernel, static busybox for the initramfs, CRIU
        qemu-system-x86 linux-image-amd64 busybox-static cpio criu
        # service files: systemd-analyze verify; man page lint; bash-completion's completionsdir (tests/install)
        systemd mandoc groff-base bash-completion
)

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
