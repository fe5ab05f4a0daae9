#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs every test: the normal build, then the whole suite again
# under AddressSanitizer + UndefinedBehaviorSanitizer, then a memcheck pass (valgrind: the unit, fixture
# and fuzz tiers, and the control socket tests with headroomd itself under valgrind, which fails on a
# leak at shutdown). Ends with one "N passed, N failed" line and exits non-zero on any failure.
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

# memcheck: a dynamically linked daemon (valgrind cannot follow a static one's allocator)
echo "== memcheck under valgrind (build-vg/)"
if scripts/build.sh build-vg -Dstatic_daemon=false; then
        meson test -C build-vg --print-errorlogs --logbase memcheck --suite unit --suite fixture --suite fuzz \
                --wrap "$PWD/tests/valgrind-wrap.sh"
        # meson names the log after --logbase and the wrapper: memcheck-valgrind-wrap.sh.json
        log=$(ls build-vg/meson-logs/memcheck*.json 2>/dev/null | head -n 1)
        if [ -n "$log" ]; then
                passed=$((passed + $(grep -c '"result": "OK"' "$log")))
                failed=$((failed + $(grep -c -E '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$log")))
                skipped=$((skipped + $(grep -c '"result": "SKIP"' "$log")))
        else
                echo "== memcheck: no test log"
                failed=$((failed + 1))
        fi
        echo "== memcheck: the control socket tests, headroomd under valgrind"
        if HR_UNDER_VALGRIND=1 HR_REAL_HEADROOMD="$PWD/build-vg/src/headroomd" HEADROOMD="$PWD/tests/valgrind-daemon.sh" \
                HEADROOMCTL="$PWD/build-vg/src/headroomctl" HR_HOG="$PWD/build-vg/tests/hog" \
                timeout 600 build-vg/tests/test-control; then
                passed=$((passed + 1))
        elif [ $? -eq 77 ]; then
                skipped=$((skipped + 1))
        else
                failed=$((failed + 1))
        fi
else
        echo "== memcheck: build failed"
        failed=$((failed + 1))
fi

# Each failure's reason again at the end, where a long log's tail still shows it.
if [ "$failed" -gt 0 ]; then
        python3 scripts/failures.py build/meson-logs/testlog.json build-san/meson-logs/testlog.json \
                build-vg/meson-logs/memcheck*.json || true
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
