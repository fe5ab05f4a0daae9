#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs headroomd on its built-in defaults, in the foreground,
# in observe mode (--dry-run: it logs what it sees and would do, and acts on nothing). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
exec ./build/src/headroomd --dry-run "$@"
