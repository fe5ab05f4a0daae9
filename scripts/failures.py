#!/usr/bin/env python3
"""Prints, for each failed test in the meson test logs given, its name and the lines that say why, so the reason
survives at the end of a long CI log: around each cmocka error, the lines the test printed just before it;
for other tests, the last lines of their output. Reads meson's testlog.json (one JSON object per line)."""
import json
import sys

BAD = {"FAIL", "TIMEOUT", "ERROR", "UNEXPECTEDPASS"}
BEFORE = 4  # lines printed ahead of a cmocka "[  ERROR   ]"
TAIL = 12   # lines of a test without cmocka's markers


def why(stdout, stderr):
    out = []
    for text in (stderr, stdout):
        lines = text.splitlines()
        for i, l in enumerate(lines):
            if l.startswith("[  ERROR   ]"):
                out += lines[max(0, i - BEFORE):i + 2]  # the lines before, the error and its LINE
    if not out:
        out = (stdout + "\n" + stderr).strip().splitlines()[-TAIL:]
    return out


for path in sys.argv[1:]:
    try:
        records = open(path, encoding="utf-8", errors="replace").read().splitlines()
    except OSError:
        continue
    for record in records:
        try:
            t = json.loads(record)
        except ValueError:
            continue
        if t.get("result") not in BAD:
            continue
        print(f"== failed: {t.get('name')} ({path}): {t.get('result')}, exit {t.get('returncode')}")
        for l in why(t.get("stdout") or "", t.get("stderr") or ""):
            print(f"   {l[:400]}")
