#!/usr/bin/python3
"""The head-to-head VM benchmark's report: reads RUNS/SCENARIO/CONTENDER/repN/result.json (bench/vm/matrix.sh),
writes OUT/vm-matrix.md (per scenario x contender, the median over reps) and PNG plots (OUT/vm-SCENARIO-latency.png:
the probe's worst latency per 100 ms over time, one line per contender; OUT/vm-stall.png: stall time per scenario
and contender). Needs Debian's python3-matplotlib for the plots (the table is written without it).

Usage: report.py RUNS_DIR [--out DIR] [--recollect]
  --recollect   re-run bench/vm/collect.py on every run first (after a change to the parsing)
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENARIOS = ["leak", "spike", "foreground", "many"]
CONTENDERS = ["kernel", "mglru", "earlyoom", "earlyoom-tuned", "nohang", "systemd-oomd", "headroom",
              "headroom-no-page-out", "headroom-no-pause", "headroom-no-cgroup", "headroom-no-protect",
              "headroom-no-kernel"]
DESCRIPTION = {
    "leak": "hr-leak 30 MiB/s (max 2 GiB) beside the probe, a 64 MiB compositor, 3 idle 96 MiB tabs and a 48 MiB "
            "indexer; 60 s. Wanted: the leaker stopped, nothing else dies, probe p99 under 100 ms, no kernel OOM kill.",
    "spike": "hr-spike (make + 4 cc1 workers x 200 MiB, 3 rounds, hold 1.5 s): a peak of ~800 MiB on top of ~450 MiB "
             "of background, more than RAM; up to 90 s. Wanted: it completes, nothing killed, fastest.",
    "foreground": "a foreground job (1 worker x 640 MiB, 2 rounds, hold 5 s) beside 4 idle 128 MiB tabs; up to 90 s. "
                  "Wanted: the job completes, background frozen or reclaimed, nothing killed that did not have to be.",
    "many": "hr-fork-many 2000 small processes, then the 30 MiB/s leak: scan cost and decision latency; 60 s.",
}


def med(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    return statistics.median(vals)


def fmt(v, digits=0, unit=""):
    if v is None:
        return "–"
    if isinstance(v, float) and digits == 0:
        return f"{v:.0f}{unit}"
    if isinstance(v, float):
        return f"{v:.{digits}f}{unit}"
    return f"{v}{unit}"


def frac(bools):
    n = len(bools)
    k = sum(1 for b in bools if b)
    if n == 1:
        return "yes" if k else "**no**"
    return f"{k}/{n}" if k == n else f"**{k}/{n}**"


def load_results(runs):
    res = {}
    for path in sorted(glob.glob(os.path.join(runs, "*", "*", "rep*", "result.json"))):
        rep_dir = os.path.dirname(path)
        c = os.path.basename(os.path.dirname(rep_dir))
        s = os.path.basename(os.path.dirname(os.path.dirname(rep_dir)))
        try:
            with open(path) as f:
                r = json.load(f)
        except (OSError, ValueError):
            continue
        r["_dir"] = rep_dir
        res.setdefault((s, c), []).append(r)
    return res


def failed_runs(runs):
    out = []
    for rc in sorted(glob.glob(os.path.join(runs, "*", "*", "rep*", "run-vm.rc"))):
        d = os.path.dirname(rc)
        st = open(rc).read().strip()
        if st != "0" or not os.path.exists(os.path.join(d, "result.json")):
            out.append((os.path.relpath(d, runs), st))
    return out


def row(s, c, rs):
    p = [r["probe"] for r in rs]
    load = [r["load"] for r in rs]
    if s in ("leak", "many"):
        outcome = "**leaker survived**" if all(l["survived"] for l in load) else (
            "leaker stopped" if not any(l["survived"] for l in load) else
            f"leaker stopped {sum(1 for l in load if not l['survived'])}/{len(load)}")
        by_kernel = sum(1 for r in rs if "leaker" in (r.get("kernel_oom_victims") or []))
        if by_kernel:
            outcome += " by the kernel OOM killer" + (f" ({by_kernel}/{len(rs)})" if len(rs) > 1 else "")
    else:
        done = [l.get("completed") for l in load]
        outcome = ("completed" if all(done) else "**not completed**" if not any(done)
                   else f"completed {sum(1 for d in done if d)}/{len(done)}")
        t = med([l.get("elapsed_s") for l in load if l.get("completed")])
        if t is not None:
            outcome += f" in {t:.1f} s"
    coll = med([r["collateral_deaths"] for r in rs])
    names = sorted({n for r in rs for n in r["collateral"]})
    coll_s = fmt(coll) + (f" ({', '.join(names)})" if names else "")
    if s == "many":
        fm = [r.get("fork_many") or {} for r in rs]
        de = med([f.get("died_early") for f in fm])
        if de:
            coll_s += f" + {de:.0f} small"
    hr = [r.get("headroom") or {} for r in rs]
    lat = med([h.get("decision_latency_ms") for h in hr]) if c.startswith("headroom") else None
    avail = all(r.get("contender_available", True) for r in rs)
    name = c if avail else f"{c} (not running¹)"
    return "| " + " | ".join([
        name,
        fmt(med([x.get("p50_ms") for x in p]), 1),
        fmt(med([x.get("p99_ms") for x in p]), 1),
        fmt(med([x.get("max_ms") for x in p])),
        fmt(med([x.get("over_100ms") for x in p])),
        fmt(med([x.get("over_1s") for x in p])),
        fmt(med([r.get("relief_s") for r in rs]), 1),
        coll_s,
        frac([r["protected_survived"] for r in rs]) + " / " + frac([r["probe_survived"] for r in rs]),
        fmt(med([r["kernel_oom_kills"] for r in rs])),
        fmt(med([r.get("psi_some_s") for r in rs]), 1) + " / " + fmt(med([r.get("psi_full_s") for r in rs]), 1),
        outcome,
        (fmt(lat, 0, " ms") + ("²" if any(h.get("latency_from") == "level" for h in hr) else "")) if c.startswith("headroom") else "",
    ]) + " |"


HEADER = ("| contender | probe p50 ms | p99 ms | max ms | iters >100 ms | >1 s | relief s | collateral deaths | "
          "compositor / probe survived | kernel OOM kills | PSI some / full s | load | decision latency |\n"
          "|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---|---:|")


def write_table(res, runs, out, reps_note):
    lines = ["# Head-to-head in the VM: headroom against the kernel, MGLRU, earlyoom, nohang and systemd-oomd", "",
             "Generated by `bench/vm/matrix.sh` (`make bench-vm`) with `bench/vm/report.py`; raw runs in "
             f"`{os.path.relpath(runs, REPO)}` (not kept in git). "
             "Each run boots the VM test bed (`tests/vm/run-vm.sh --mem 1024`: Debian's 6.1 kernel under qemu TCG, "
             "2 vCPUs, 1 GiB, zram swap 50 % lz4) and runs `bench/vm/scenario.sh SCENARIO CONTENDER`.", "",
             f"{reps_note} Values are medians over the reps. TCG makes guest CPU work, faults, compression and 9p "
             "I/O 5–20× slower while timers run in real time: compare contenders within this table, not with "
             "figures from elsewhere.", "",
             "Columns: the probe (`hr-probe --wss 32 --code-mib 64 --interval-ms 10`: touches 32 MiB of anonymous "
             "memory and reads 64 MiB of file-backed \"code\" over 9p every 100 ms, in 10 ms slices) — its latency "
             "per iteration, and iterations over 100 ms and 1 s; *relief*: seconds from the load's start until the "
             "leaker was gone (leak, many), or until PSI memory some avg10 was back under 5 % (spike, foreground; "
             "0 = never over); *collateral deaths*: processes other than the load that died; *PSI*: the growth of "
             "/proc/pressure/memory some/full total over the load phase; *decision latency*: headroomd's log, from "
             "a \"PSI trigger fired\" to its first action.", ""]
    notes = {}
    for s in SCENARIOS:
        cs = [c for c in CONTENDERS if (s, c) in res]
        if not cs:
            continue
        lines += [f"## {s}", "", DESCRIPTION[s], "", HEADER]
        for c in cs:
            lines.append(row(s, c, res[(s, c)]))
            for r in res[(s, c)]:
                if r.get("contender_note"):
                    notes[c] = r["contender_note"]
        lines.append("")
        # what the active contenders did (headroom: its actions)
        for c in cs:
            r = res[(s, c)][0]
            hr = r.get("headroom")
            if hr and hr.get("actions"):
                acts = ", ".join(f"{a['type']} {a['comm']} at {a['after_load_s']} s" for a in hr["actions"][:8])
                more = len(hr["actions"]) - 8
                lines.append(f"- {c} (rep 1): {acts}{f', … {more} more' if more > 0 else ''}.")
            died = r.get("died") or []
            if died:
                lines.append(f"- {c} (rep 1): died: {', '.join(died)}"
                             + (f"; kernel OOM victims: {', '.join(r['kernel_oom_victims'])}"
                                if r.get("kernel_oom_victims") else "") + ".")
        lines.append("")
        if os.path.exists(os.path.join(out, f"vm-{s}-latency.png")):
            lines += [f"![probe latency, {s}](vm-{s}-latency.png)", ""]
    if os.path.exists(os.path.join(out, "vm-stall.png")):
        lines += ["## Stall time", "", "![stall time per scenario and contender](vm-stall.png)", ""]
    lines += ["## Notes", "",
              "² headroomd acted before any PSI trigger fired (its score rose on MemAvailable first): the latency "
              "is from its level's first rise above NORMAL to its first action.", ""]
    if notes:
        for c, n in notes.items():
            lines.append(f"¹ {c}: {n}")
        lines.append("")
    failed = failed_runs(runs)
    if failed:
        lines += ["Runs that failed (no result): " + ", ".join(f"{d} (status {st})" for d, st in failed), ""]
    with open(os.path.join(out, "vm-matrix.md"), "w") as f:
        f.write("\n".join(lines))


def plots(res, out):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report: no matplotlib (apt-get install python3-matplotlib): no plots", file=sys.stderr)
        return
    for s in SCENARIOS:
        cs = [c for c in CONTENDERS if (s, c) in res]
        if not cs:
            continue
        fig, ax = plt.subplots(figsize=(10, 5))
        for c in cs:
            r = res[(s, c)][0]
            ser = r["probe"].get("series") or {}
            t, m = ser.get("t_s") or [], ser.get("max_ms") or []
            if t and m:
                ax.plot(t[:len(m)], [max(v or 0, 1) for v in m], label=c, linewidth=1.6 if c == "headroom" else 0.9)
        ax.set_yscale("log")
        ax.axhline(100, color="grey", linestyle=":", linewidth=0.8)
        ax.axvline(0, color="black", linestyle="--", linewidth=0.6)
        ax.set_xlabel("seconds from the load's start (guest)")
        ax.set_ylabel("probe: worst iteration per 100 ms (ms)")
        ax.set_title(f"{s}: interactive probe latency (rep 1)")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(os.path.join(out, f"vm-{s}-latency.png"), dpi=90)
        plt.close(fig)
    scen = [s for s in SCENARIOS if any((s, c) in res for c in CONTENDERS)]
    cons = [c for c in CONTENDERS if any((s, c) in res for s in SCENARIOS)]
    if not scen:
        return
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    width = 0.8 / max(len(cons), 1)
    for i, c in enumerate(cons):
        stall = [med([r["probe"].get("stall_ms") for r in res.get((s, c), [])]) for s in scen]
        psi = [med([r.get("psi_some_s") for r in res.get((s, c), [])]) for s in scen]
        xs = [j + i * width for j in range(len(scen))]
        axes[0].bar(xs, [(v or 0) / 1000.0 for v in stall], width, label=c)
        axes[1].bar(xs, [v or 0 for v in psi], width, label=c)
    for ax, title in ((axes[0], "probe stall (s, time late)"), (axes[1], "PSI memory some (s)")):
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(scen))])
        ax.set_xticklabels(scen)
        ax.set_title(title)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "vm-stall.png"), dpi=90)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "results"))
    ap.add_argument("--recollect", action="store_true")
    a = ap.parse_args()
    runs = os.path.abspath(a.runs)
    out = os.path.abspath(a.out)
    if a.recollect:
        here = os.path.dirname(os.path.abspath(__file__))
        for meta in glob.glob(os.path.join(runs, "*", "*", "rep*", "meta")):
            subprocess.run([sys.executable, os.path.join(here, "collect.py"), os.path.dirname(meta)],
                           stdout=subprocess.DEVNULL, check=False)
    res = load_results(runs)
    if not res:
        sys.exit(f"report: no result.json under {runs}")
    reps = max(len(v) for v in res.values())
    reps_note = f"{reps} rep{'s' if reps > 1 else ''} per cell."
    os.makedirs(out, exist_ok=True)
    plots(res, out)
    write_table(res, runs, out, reps_note)
    print(f"report: {out}/vm-matrix.md ({len(res)} cells)", file=sys.stderr)


if __name__ == "__main__":
    main()
