#!/usr/bin/env bash
# Configures (once) and builds a Meson build directory. Usage: scripts/build.sh [DIR [MESON-SETUP-ARGS...]]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
[ -f "$dir/build.ninja" ] || meson setup "$dir" "$@" >/dev/null
ninja -C "$dir" >/dev/null
