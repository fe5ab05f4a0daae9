#!/usr/bin/env python3
"""The load test's numbers from one run of bench/vm/load.sh: per episode, headroomd's decision latency (from the PSI
trigger, or the level's rise, to its first action) and the relief time; its resident memory and fds over the run;
the control requests served. Prints Markdown.   load-report.py RUNDIR"""
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from collect import HR_ACTION, HR_LINE, clock_s, parse_clock, read  # noqa: E402


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return None
    k = max(0, min(len(xs) - 1, round(p / 100 * (len(xs) - 1))))
    return xs[k]


def main(d):
    clock = dict(kv.split("=", 1) for kv in read(os.path.join(d, "clock")).split())
    up0, wall0 = float(clock["clock_uptime"]), parse_clock(clock["clock_wall"][:15])
    to_up = lambda wall: (wall - wall0) % 86400 + up0  # noqa: E731
    triggers, rises, actions = [], [], []
    for line in read(os.path.join(d, "headroomd.log")).splitlines():
        m = HR_LINE.match(line)
        if not m:
            continue
        t, msg = to_up(clock_s(*m.groups()[:4])), m[5]
        if msg.startswith("PSI trigger fired"):
            triggers.append(t)
        elif msg.startswith("Level NORMAL -> "):
            rises.append(t)
        elif HR_ACTION.match(msg):
            a = HR_ACTION.match(msg)
            actions.append((t, a[1], int(a[2]), a[3]))
    eps = []
    for line in read(os.path.join(d, "episodes")).splitlines():
        i, pid, t0, t1, st = line.split()
        t0, t1 = float(t0), float(t1)
        starts = [t for t in triggers + rises if t0 <= t <= t1]
        first_action = next((a for a in actions if starts and a[0] >= min(starts)), None)
        ended = next((a for a in actions if a[2] == int(pid) and a[1] in ("kill", "terminate")), None)
        eps.append({
            "i": int(i), "status": int(st), "relief_s": t1 - t0,
            "latency_ms": (first_action[0] - min(starts)) * 1000 if first_action and starts else None,
            "ended_by_headroom": ended is not None,
        })
    rss = [tuple(map(float, l.split())) for l in read(os.path.join(d, "rss.tsv")).splitlines()[1:] if l.strip()]
    meta = dict(l.split("=", 1) for l in read(os.path.join(d, "meta")).splitlines() if "=" in l)
    lat = [e["latency_ms"] for e in eps if e["latency_ms"] is not None]
    rel = [e["relief_s"] for e in eps]
    print(f"{len(eps)} episodes; leaker ended by headroomd in {sum(e['ended_by_headroom'] for e in eps)}, "
          f"kernel OOM kills {meta.get('kernel_oom_kills', '?')}; control requests served {meta.get('requests', '?')}, "
          f"failed {meta.get('failed', '?')}; headroomd exit {meta.get('headroomd_exit', '?')}\n")
    print("| measure | p50 | p99 | max | n |")
    print("|---|---:|---:|---:|---:|")
    if lat:
        print(f"| decision latency (trigger or level rise -> first action), ms | {pct(lat, 50):.0f} | {pct(lat, 99):.0f} | "
              f"{max(lat):.0f} | {len(lat)} |")
    if rel:
        print(f"| relief (leak start -> leaker gone), s | {pct(rel, 50):.1f} | {pct(rel, 99):.1f} | {max(rel):.1f} | {len(rel)} |")
    if rss:
        third = max(1, len(rss) // 3)
        early = statistics.median(r[1] for r in rss[:third])
        late = statistics.median(r[1] for r in rss[-third:])
        print(f"\nheadroomd VmRSS over {rss[-1][0] - rss[0][0]:.0f} s ({len(rss)} samples): min {min(r[1] for r in rss):.0f} KiB, "
              f"max {max(r[1] for r in rss):.0f} KiB, median of the first third {early:.0f} KiB, of the last third "
              f"{late:.0f} KiB; VmHWM at the end {rss[-1][2]:.0f} KiB; open fds {min(r[3] for r in rss):.0f}..{max(r[3] for r in rss):.0f}.")
    print("\nper episode: " + ", ".join(
        f"#{e['i']} {e['relief_s']:.1f} s" + (f"/{e['latency_ms']:.0f} ms" if e['latency_ms'] is not None else "")
        for e in eps))


if __name__ == "__main__":
    main(sys.argv[1])
