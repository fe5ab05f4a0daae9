#!/usr/bin/python3
"""Turns one scenario run's raw files (bench/vm/scenario.sh's OUTDIR) into OUTDIR/result.json.

Runs in the guest at the end of scenario.sh, and again on the host (bench/vm/report.py --recollect) when the
parsing changes. Usage: collect.py OUTDIR
"""
import json
import os
import re
import sys

# headroomd's log: "HH:MM:SS.mmm headroomd: MESSAGE"
HR_LINE = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) headroomd: (.*)$")
HR_ACTION = re.compile(r"^(freeze|terminate|kill|checkpoint|warn|SIGKILL|SIGTERM) (\d+) \(([^,)]*)")


def read(path, default=""):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return default


def load_json(path):
    try:
        with open(path) as f:
            return json.loads(f.read().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        return None


def kv(path):
    d = {}
    for line in read(path).splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            d[k] = v
    return d


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def clock_s(h, m, s, ms):
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000.0


def parse_clock(s):
    m = re.match(r"^(\d\d):(\d\d):(\d\d)\.(\d+)$", s or "")
    if not m:
        return None
    return int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3]) + float("0." + m[4])


def headroom_log(text, load_clock):
    """Decision latency: the first action line, from the last 'PSI trigger fired' at or before it."""
    triggers, actions, rises = [], [], []
    for line in text.splitlines():
        m = HR_LINE.match(line)
        if not m:
            continue
        t = clock_s(*m.groups()[:4])
        msg = m[5]
        if msg.startswith("PSI trigger fired"):
            triggers.append(t)
            continue
        if msg.startswith("Level NORMAL -> "):
            rises.append(t)
            continue
        a = HR_ACTION.match(msg)
        if a:
            actions.append({"t": t, "type": a[1], "pid": int(a[2]), "comm": a[3]})
    res = {"triggers": len(triggers), "actions": [], "decision_latency_ms": None,
           "first_trigger_to_action_ms": None, "first_action_after_load_s": None}
    for a in actions:
        rel = None if load_clock is None else round((a["t"] - load_clock) % 86400, 3)
        res["actions"].append({"after_load_s": rel, "type": a["type"], "pid": a["pid"], "comm": a["comm"]})
    if actions:
        first = actions[0]
        if load_clock is not None:
            res["first_action_after_load_s"] = round((first["t"] - load_clock) % 86400, 3)
    # decision latency: from a PSI trigger to the first action within 10 s after it (the first such pair)
    for t in triggers:
        nxt = [a for a in actions if t <= a["t"] <= t + 10]
        if nxt:
            res["decision_latency_ms"] = round((nxt[0]["t"] - t) * 1000, 1)
            res["latency_action"] = f'{nxt[0]["type"]} {nxt[0]["comm"]}'
            break
    # none after a trigger (the score rose on MemAvailable before PSI crossed a trigger): from the level's first
    # rise above NORMAL to the first action after it
    if res["decision_latency_ms"] is None:
        for t in rises:
            nxt = [a for a in actions if t <= a["t"] <= t + 10]
            if nxt:
                res["decision_latency_ms"] = round((nxt[0]["t"] - t) * 1000, 1)
                res["latency_action"] = f'{nxt[0]["type"]} {nxt[0]["comm"]}'
                res["latency_from"] = "level"
                break
    elif "latency_action" in res:
        res["latency_from"] = "trigger"
    if actions and triggers and triggers[0] <= actions[0]["t"]:
        res["first_trigger_to_action_ms"] = round((actions[0]["t"] - triggers[0]) * 1000, 1)
    return res


def main(out):
    meta = kv(os.path.join(out, "meta"))
    scenario, contender = meta.get("scenario"), meta.get("contender")
    t_load = num(meta.get("load_start_uptime"))
    t_end = num(meta.get("load_end_uptime"))
    t_gone = num(meta.get("load_gone_uptime"))
    t_probe = num(meta.get("probe_start_uptime"))

    procs = {}
    for line in read(os.path.join(out, "procs")).splitlines():
        f = line.split()
        if len(f) >= 3:
            procs[f[0]] = {"pid": int(f[1]), "role": f[2]}
    exits = {}
    for line in read(os.path.join(out, "exits")).splitlines():
        f = line.split()
        if len(f) >= 4:
            exits[f[0]] = int(f[3])
    alive_end = set(read(os.path.join(out, "alive-at-end")).split())

    load_key = {"leak": "leaker", "many": "leaker", "spike": "spike", "foreground": "fgjob"}.get(scenario)
    died = sorted(k for k in procs if k != "contender" and k not in alive_end)
    # collateral: whatever died that is not the load (the leaker should die; a job that dies is "not completed")
    collateral = [k for k in died if k != load_key]

    probe = load_json(os.path.join(out, "probe.json")) or {}
    series = probe.get("series") or {}
    t_ms = series.get("t_ms") or []
    offset_ms = 0.0 if t_probe is None or t_load is None else (t_probe - t_load) * 1000.0
    probe_res = {k: probe.get(k) for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms", "mean_ms", "over_100ms",
                                            "over_1s", "stall_ms", "iterations", "late_iterations",
                                            "major_faults", "ended_by")}
    probe_res["series"] = {"t_s": [round((t + offset_ms) / 1000.0, 2) for t in t_ms],
                           "max_ms": series.get("max_ms") or []}

    # PSI samples: relief = the load gone (leak, many); else PSI some avg10 back under 5 % after it was over
    samples = []
    lines = read(os.path.join(out, "samples.tsv")).splitlines()
    for line in lines[1:]:
        f = line.split()
        if len(f) >= 8 and t_load is not None:
            samples.append({"t": round(float(f[0]) - t_load, 2), "some10": num(f[1]), "full10": num(f[2]),
                            "memavail_kb": num(f[5]), "swapfree_kb": num(f[6]), "load_alive": f[7] == "1"})
    relief_s = None
    if scenario in ("leak", "many"):
        if t_gone is not None and t_load is not None:
            relief_s = round(t_gone - t_load, 1)
    else:
        was_over = False
        for s in samples:
            if s["some10"] is None:
                continue
            if s["some10"] >= 5:
                was_over = True
                relief_s = None
            elif was_over and relief_s is None:
                relief_s = s["t"]
        if not was_over:
            relief_s = 0.0

    load_json_res = load_json(os.path.join(out, f"{load_key}.json")) if load_key else None
    load_res = {"key": load_key, "survived": load_key in alive_end, "exit": exits.get(load_key),
                "gone_after_s": None if t_gone is None or t_load is None else round(t_gone - t_load, 1)}
    if scenario in ("spike", "foreground"):
        j = load_json_res or {}
        load_res["completed"] = bool(j.get("completed")) if j else False
        load_res["elapsed_s"] = None if not j.get("elapsed_ms") else round(j["elapsed_ms"] / 1000.0, 1)
        load_res["completed_workers"] = j.get("completed_workers")
        load_res["killed_workers"] = sum(1 for w in j.get("worker_results", []) if w.get("signal")) if j else None
    elif load_json_res:
        load_res["held_mib"] = load_json_res.get("held_mib")
    many = load_json(os.path.join(out, "many.json"))

    dmesg = read(os.path.join(out, "dmesg.txt"))
    oom_victims = re.findall(r"Killed process \d+ \(([^)]*)\)", dmesg)

    contender_log = read(os.path.join(out, "contender.log"))
    unavailable = read(os.path.join(out, "contender.unavailable")).strip() or None
    hr = headroom_log(contender_log, parse_clock(meta.get("load_start_clock"))) if contender.startswith("headroom") else None

    psi_some = num(meta.get("psi_some_total_us"))
    psi_full = num(meta.get("psi_full_total_us"))
    result = {
        "scenario": scenario,
        "contender": contender,
        "contender_available": unavailable is None,
        "contender_note": unavailable,
        "kernel": meta.get("kernel"),
        "memtotal_kb": num(meta.get("memtotal_kb")),
        "load_phase_s": None if t_end is None or t_load is None else round(t_end - t_load, 1),
        "probe": probe_res,
        "probe_survived": "probe" in alive_end,
        "protected_survived": "shell" in alive_end,
        "died": died,
        "collateral": collateral,
        "collateral_deaths": len(collateral),
        "load": load_res,
        "fork_many": None if not many else {k: many.get(k) for k in ("count", "started", "ready", "ready_ms",
                                                                      "died_early", "died_early_sigkill")},
        "kernel_oom_kills": int(num(meta.get("oom_kill_delta")) or 0),
        "kernel_oom_victims": oom_victims,
        "psi_some_s": None if psi_some is None else round(psi_some / 1e6, 2),
        "psi_full_s": None if psi_full is None else round(psi_full / 1e6, 2),
        "relief_s": relief_s,
        "headroom": hr,
        "samples": samples,
        "exits": exits,
    }
    with open(os.path.join(out, "result.json.tmp"), "w") as f:
        json.dump(result, f, indent=1)
    os.replace(os.path.join(out, "result.json.tmp"), os.path.join(out, "result.json"))
    short = {k: result[k] for k in ("scenario", "contender", "probe_survived", "protected_survived", "collateral",
                                    "kernel_oom_kills", "psi_some_s", "psi_full_s", "relief_s")}
    short["p99_ms"] = probe_res.get("p99_ms")
    short["max_ms"] = probe_res.get("max_ms")
    short["load"] = load_res
    if hr:
        short["decision_latency_ms"] = hr["decision_latency_ms"]
    print("result:", json.dumps(short))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: collect.py OUTDIR")
    main(sys.argv[1])
