#!/usr/bin/env bash
# Builds a fuzz target with clang's libFuzzer (+ASan, UBSan) and runs it over a copy of its corpus, in build-fuzz/.
# Usage: scripts/fuzz.sh TARGET [SECONDS]   (TARGET: one of the list below, or `all`: each in turn for SECONDS, a
# summary line per target at the end, the full output in build-fuzz/TARGET/fuzz.log). New crashes land in
# build-fuzz/TARGET/; add each one (fixed) to tests/fuzz/corpus/TARGET/ so `meson test` replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(ini registry psi meminfo vmstat swaps zram mountinfo pidstat number loadavg maps drm cgmem rules conf-value conf-load
         control)
target=${1:?usage: scripts/fuzz.sh TARGET|all [SECONDS]  (TARGET: ${targets[*]})}
seconds=${2:-120}

if [ "$target" = all ]; then
        failed=0
        for t in "${targets[@]}"; do
                mkdir -p "build-fuzz/$t"
                echo "== $t: ${seconds}s"
                if "$0" "$t" "$seconds" >"build-fuzz/$t/fuzz.log" 2>&1; then status=ok; else status=FAILED; failed=1; fi
                runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "build-fuzz/$t/fuzz.log" | tail -n 1)
                crashes=$(find "build-fuzz/$t" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
                        -o -name 'oom-*' \) | wc -l)
                echo "$t: $status, ${runs:-?} executions, $crashes crash/leak/timeout file(s) in build-fuzz/$t"
        done
        exit "$failed"
fi

parse_srcs=(src/parse/*.c src/core/*.c)
daemon_srcs=()
for f in src/io/*.c src/daemon/*.c; do
        [ "$f" = src/daemon/main.c ] || daemon_srcs+=("$f")
done
libs=()
case "$target" in
registry) sources=(tests/fuzz/fuzz-registry.c src/daemon/registry.c src/core/policy.c src/core/pressure.c
                   src/core/level.c src/core/action.c)
          libs=(-ljson-c) ;;
psi|meminfo|vmstat|swaps|zram|mountinfo|pidstat|number|loadavg|maps|drm|cgmem|rules)
        sources=("tests/fuzz/fuzz-$target.c" "${parse_srcs[@]}") ;;
ini|conf-value|conf-load|control)
        # The daemon layer whole (its objects call each other), as meson's libhr_daemon links it.
        sources=("tests/fuzz/fuzz-$target.c" "${parse_srcs[@]}" "${daemon_srcs[@]}")
        libs=(-ljson-c -lm "-DHR_SOURCE_ROOT_FALLBACK=\"$PWD\"" -I/usr/include/json-c) ;;
*) echo "fuzz.sh: unknown target '$target' (${targets[*]}, all)" >&2; exit 2 ;;
esac
command -v clang >/dev/null || { echo "fuzz.sh: needs clang (and libclang-rt-dev for libFuzzer)" >&2; exit 1; }

out=build-fuzz/$target
mkdir -p "$out/corpus"
clang -g -O1 -std=gnu17 -D_GNU_SOURCE -DHR_VERSION='"fuzz"' -Isrc \
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        "${sources[@]}" "${libs[@]}" -o "$out/fuzz-$target"
cp -n tests/fuzz/corpus/"$target"/* "$out/corpus/" 2>/dev/null || true
[ "$target" = ini ] && cp -n etc/headroom.conf.example "$out/corpus/" || true
cd "$out"
dict=()
[ -f "../../tests/fuzz/$target.dict" ] && dict=(-dict="../../tests/fuzz/$target.dict")
exec ./"fuzz-$target" "${dict[@]}" -max_total_time="$seconds" -max_len=65536 -timeout=10 -print_final_stats=1 corpus
