#!/usr/bin/env bash
# Builds a fuzz target with clang's libFuzzer (+ASan, UBSan) and runs it over a copy of its corpus.
# Usage: scripts/fuzz.sh TARGET [SECONDS]   (TARGET: ini, registry). New crashes land in build-fuzz/TARGET/;
# add each one (fixed) to tests/fuzz/corpus/TARGET/ so `meson test` replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:?usage: scripts/fuzz.sh TARGET [SECONDS]}
seconds=${2:-120}
libs=()
case "$target" in
ini) sources=(tests/fuzz/fuzz-ini.c src/parse/ini.c src/parse/number.c src/daemon/config.c src/core/config.c
              src/core/pressure.c src/core/level.c src/core/sample.c) ;;
registry) sources=(tests/fuzz/fuzz-registry.c src/daemon/registry.c src/core/policy.c src/core/pressure.c
                   src/core/level.c src/core/action.c)
          libs=(-ljson-c) ;;
*) echo "fuzz.sh: unknown target '$target'" >&2; exit 2 ;;
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
