#!/usr/bin/env bash
# The idle overhead is now part of bench/overhead.sh (idle and one full scan of 10,000 processes; headroomd and
# earlyoom on this host, all three with nohang in the VM test bed; bench/results/overhead.md). This name stays for
# `make bench` and old habits; --seconds N is its --idle-seconds N.
# Usage: bench/idle.sh [--seconds N] [bench/overhead.sh's options]
set -euo pipefail
args=()
while [ $# -gt 0 ]; do
        case "$1" in
        --seconds) args+=(--idle-seconds "$2"); shift 2 ;;
        *) args+=("$1"); shift ;;
        esac
done
exec "$(dirname "$0")/overhead.sh" "${args[@]}"
