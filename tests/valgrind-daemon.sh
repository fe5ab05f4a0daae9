#!/usr/bin/env bash
# Stands in for headroomd in the memcheck pass: the real one ($HR_REAL_HEADROOMD) under valgrind, exiting 9
# on any memory error or a leak at shutdown (a test that stops the daemon expects status 0).
set -euo pipefail
exec valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect --quiet \
        "${HR_REAL_HEADROOMD:?}" "$@"
