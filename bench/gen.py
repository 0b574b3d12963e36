#!/usr/bin/env python3
"""Writes a synthetic tocsin workload: N series of daily data over Y years
and R rules with the spec's function mix.

Usage: bench/gen.py OUT_DIR [--series N] [--years Y] [--rules R] [--seed S]
                     [--mix spec|buckets|sums]

OUT_DIR/indicators/sNNNN.csv  one file per series (date,value), daily
OUT_DIR/indicators/events.csv an event list (date,actor) for resumed/count
OUT_DIR/rules/rNN.rules       100 rules a file
OUT_DIR/rules/feeds.rules     (--mix buckets) a feed with stale_after for
                              every tenth series the rules read

--mix spec (the default) writes the spec's function mix. --mix buckets
writes calendar buckets, percentiles and medians, four consecutive rules
reading one series (so that rules share a bucketed series and a rank
index); --mix sums writes the same count of `sum(sN, 1y)` over the very
same series, the baseline bench/buckets compares it with. The data is the
same for every mix given the same --series, --years and --seed.
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
    ap.add_argument("--mix", choices=["spec", "buckets", "sums"], default="spec")
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
    if a.mix != "spec":
        write_bucket_rules(a, rul)
        return
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


# Calendar buckets, percentiles and medians; pairs of shapes read the same
# bucketed series (monthly sums, weekly maxima), so that it is built once.
BUCKET_SHAPES = [
    "sum(monthly({s}, sum), 1y) > {y:.0f}",
    "zscore(monthly({s}, sum), 2y) > 2",
    "latest(weekly({s}, max)) > {t:.0f}",
    "avg(weekly({s}, max), 12w) > {t:.0f}",
    "percentile({s}, 1y, 90) > {t:.0f}",
    "median(daily({s}, last), 90d) > {t:.0f}",
    "zscore(monthly({s}, count), 2y) > 2",
    "max(quarterly({s}, avg), 2y) > {t:.0f}",
]


def write_bucket_rules(a, rul):
    """--mix buckets and --mix sums: the same series in the same order,
    four consecutive rules to a series, 100 rules a file."""
    rnd = random.Random(a.seed + 1)
    per_group = 4
    groups = [rnd.randrange(a.series) for _ in range((a.rules + per_group - 1) // per_group)]
    per_file = 100
    for f in range((a.rules + per_file - 1) // per_file):
        out = []
        for k in range(f * per_file, min(a.rules, (f + 1) * per_file)):
            s = f"s{groups[k // per_group]:04d}"
            t = rnd.uniform(20, 120)
            if a.mix == "sums":
                when = f"sum({s}, 1y) > {t * 365:.0f}"
            else:
                when = BUCKET_SHAPES[k % len(BUCKET_SHAPES)].format(s=s, t=t, y=t * 365)
            out.append(f"indicator rule_{k:05d} {{\n  when: {when}\n}}\n")
        with open(os.path.join(rul, f"r{f:02d}.rules"), "w") as fh:
            fh.write("\n".join(out))
    if a.mix == "buckets":
        feeds = []
        for s in sorted(set(groups))[::10]:
            feeds.append(f"feed s{s:04d} {{\n  stale_after: 30d\n}}\n")
        with open(os.path.join(rul, "feeds.rules"), "w") as fh:
            fh.write("\n".join(feeds))


if __name__ == "__main__":
    main()
