#!/usr/bin/env bash
# meson test --wrap for the memcheck pass (scripts/test.sh): runs the project's test programs (tests/test-*,
# tests/fuzz-*) under valgrind, failing on any error or definite/indirect leak; anything else (the replay
# test is a bash script) runs as it is.
set -euo pipefail
case $1 in
*/tests/test-* | */tests/fuzz-*)
        export HR_UNDER_VALGRIND=1
        exec valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect --quiet "$@"
        ;;
esac
exec "$@"
