#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs every test: the normal build, then the whole suite again
# under AddressSanitizer + UndefinedBehaviorSanitizer. Ends with one "N passed, N failed" line and
# exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh || exit 1

passed=0 failed=0 skipped=0
suite() { # build dir, label, meson setup args...
        local dir=$1 label=$2
        shift 2
        echo "== $label ($dir/)"
        if ! scripts/build.sh "$dir" "$@"; then
                echo "== $label: build failed"
                failed=$((failed + 1))
                return
        fi
        meson test -C "$dir" --print-errorlogs ${test_args[@]+"${test_args[@]}"}
        local log=$dir/meson-logs/testlog.json
        passed=$((passed + $(grep -c '"result": "OK"' "$log")))
        failed=$((failed + $(grep -c -E '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$log")))
        skipped=$((skipped + $(grep -c '"result": "SKIP"' "$log")))
}

test_args=()
suite build "build and test"
# The VM suite runs the plain build's binaries inside the guest: once is enough.
test_args=(--no-suite vm)
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        suite build-san "build and test under ASan+UBSan" -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
