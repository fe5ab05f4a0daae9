#!/usr/bin/env bash
# Replay tests: the shipped recording of a real leak episode (record-episode.sh) gives exactly the
# decisions in leak-episode.expected, twice in a row; broken recordings fail with path:line.
# Usage: test-replay.sh HEADROOMD TRACES_DIR
set -uo pipefail
hd=$1 dir=$2
conf=$dir/defaults.conf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi; }

"$hd" --config "$conf" --replay "$dir/leak-episode.jsonl" >"$tmp/a" 2>"$tmp/a.err"
check "replay of the leak episode exits 0" '[ $? -eq 0 ]'
check "it gives the expected decisions" 'diff -u "$dir/leak-episode.expected" "$tmp/a"'
"$hd" --config "$conf" --replay "$dir/leak-episode.jsonl" >"$tmp/b" 2>&1
check "the same file gives the same output" 'cmp -s "$tmp/a" "$tmp/b"'
check "the runaway leaker is the victim, not the critical compositor" \
        'grep -q "kill [0-9]* (leaker" "$tmp/a" && ! grep -q "gnome-shell" "$tmp/a"'

head -3 "$dir/leak-episode.jsonl" >"$tmp/bad.jsonl"
echo '{"v":1,"t":"soon"}' >>"$tmp/bad.jsonl"
"$hd" --config "$conf" --replay "$tmp/bad.jsonl" >/dev/null 2>"$tmp/bad.err"
check "a bad line fails" '[ $? -ne 0 ]'
check "and names path:line" 'grep -q "bad.jsonl:4: " "$tmp/bad.err"'
printf 'not json\n' >"$tmp/garbage.jsonl"
"$hd" --config "$conf" --replay "$tmp/garbage.jsonl" >/dev/null 2>"$tmp/g.err"
check "garbage fails with path:1" '[ $? -ne 0 ] && grep -q "garbage.jsonl:1: not JSON" "$tmp/g.err"'
"$hd" --config "$conf" --replay "$tmp/missing.jsonl" >/dev/null 2>&1
check "a missing file fails" '[ $? -ne 0 ]'

[ $fail -eq 0 ] && echo "replay: all passed"
exit $fail
