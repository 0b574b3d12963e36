#!/usr/bin/env python3
"""Writes a synthetic tocsin workload: N series of daily data over Y years
and R rules with the spec's function mix.

Usage: bench/gen.py OUT_DIR [--series N] [--years Y] [--rules R] [--seed S]

OUT_DIR/indicators/sNNNN.csv  one file per series (date,value), daily
OUT_DIR/indicators/events.csv an event list (date,actor) for resumed/count
OUT_DIR/rules/rNN.rules       100 rules a file
"""
import argparse
import datetime as dt
import os
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--series", type=int, default=1000)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--rules", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    ind = os.path.join(a.out, "indicators")
    rul = os.path.join(a.out, "rules")
    os.makedirs(ind, exist_ok=True)
    os.makedirs(rul, exist_ok=True)
    end = dt.date(2026, 11, 1)
    start = end - dt.timedelta(days=365 * a.years)
    days = [(start + dt.timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]
    for s in range(a.series):
        level = rnd.uniform(10, 100)
        lines = ["date,value"]
        for d in days:
            level = max(0.0, level + rnd.gauss(0, 2))
            lines.append(f"{d},{level:.2f}")
        with open(os.path.join(ind, f"s{s:04d}.csv"), "w") as f:
            f.write("\n".join(lines) + "\n")
    with open(os.path.join(ind, "events.csv"), "w") as f:
        f.write("date,actor\n")
        for d in days:
            if rnd.random() < 0.05:
                f.write(f"{d},{rnd.choice(['Houthi forces', 'PLA Navy', 'Unknown'])}\n")
    shapes = [
        "growth(s{s:04d}, 1y) >= 10%",
        "pct_change(s{s:04d}, 30d) > 5%",
        "sum(s{s:04d}, 30d) > 1500",
        "count(events[actor ~ \"houthi\"], 30d) >= 2",
        "resumed(events[actor ~ \"pla\"], quiet: 2mo, within: 30d)",
        "trend(s{s:04d}, 90d) > 0",
        "avg(s{s:04d}, 7d) > max(s{s:04d}, 1y) * 0.9",
        "zscore(s{s:04d}, 1y) > 2",
    ]
    per_file = 100
    for f in range((a.rules + per_file - 1) // per_file):
        out = []
        for k in range(f * per_file, min(a.rules, (f + 1) * per_file)):
            s = rnd.randrange(a.series)
            when = shapes[k % len(shapes)].format(s=s)
            extra = "  for: 7d\n" if k % 5 == 0 else ""
            kind = "alert" if k % 4 == 0 else "indicator"
            sev = "  severity: warning\n" if kind == "alert" else ""
            out.append(f"{kind} rule_{k:05d} {{\n{sev}  when: {when}\n{extra}}}\n")
        with open(os.path.join(rul, f"r{f:02d}.rules"), "w") as fh:
            fh.write("\n".join(out))


if __name__ == "__main__":
    main()
