#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs every test: the normal build, then the whole suite again
# under AddressSanitizer + UndefinedBehaviorSanitizer. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

echo "== build and test (build/)"
scripts/build.sh build
meson test -C build --print-errorlogs

echo "== build and test under ASan+UBSan (build-san/)"
scripts/build.sh build-san -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        meson test -C build-san --print-errorlogs
