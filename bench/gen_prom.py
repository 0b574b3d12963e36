#!/usr/bin/env python3
"""Writes one synthetic workload for both tocsin and Prometheus's promtool:
M daily series over Y years, and R rules with tocsin's function mix written
twice, once as tocsin rules and once as Prometheus rule groups with the
equivalent PromQL, plus a `promtool test rules` file that loads the same
series as `input_series` (interval 1d) and evaluates every rule daily
(`evaluation_interval: 1d`) over the whole range, as `tocsin backtest
--step 1d` does.

Usage:
  bench/gen_prom.py OUT_DIR [--series M] [--years Y] [--rules R]
                    [--per-file K] [--seed S] [--end YYYY-MM-DD]
                    [--prom-ranges closed|open] [--data full|stub|none]
                    [--no-prom] [--no-test]

Writes:
  OUT_DIR/indicators/sNNNN.csv   one file per series (date,value), daily
  OUT_DIR/indicators/events.csv  an event list (date,actor), ~5% of days
  OUT_DIR/rules/rNNNN.rules      K rules a file (tocsin)
  OUT_DIR/prom/rNNNN.yml         the same rules, one group a file (Prometheus)
  OUT_DIR/prom/test.yml          `promtool test rules` over the same data
  OUT_DIR/manifest.json          counts, dates and sizes of what was written

`--data stub` writes one observation per series instead (in one file,
`indicators/stub.csv`, with a `series` column), enough for `tocsin check`
to know every name; `--data none` writes no data.

The equivalences (window `(T-d, T]` in tocsin; `--prom-ranges closed`
writes a d-day range as `[<d-1>d23h59m59s]`, because Prometheus 2.x ranges
include both ends; `open` writes `[<d>d]` for Prometheus 3.x, whose ranges
are left-open, so that both tools read the same samples):

  tocsin                                  PromQL
  growth(s, 365d) >= 10%                  sum_over_time(s[365d]) / sum_over_time(s[365d] offset 365d) - 1 >= 0.1
  pct_change(s, 30d) > 5%                 (s - s offset 30d) / abs(s offset 30d) > 0.05
  sum(s, 30d) > 1500                      sum_over_time(s[30d]) > 1500
  count(events[actor ~ "houthi"], 30d)    sum(count_over_time(events{actor=~"(?i).*houthi.*"}[30d]))
  resumed(e, quiet: 60d, within: 30d)     sum(count_over_time(e[30d])) > 0
                                            unless sum(count_over_time(e[60d] offset 30d)) > 0   (approximate)
  trend(s, 90d) > 0                       deriv(s[90d]) > 0
  avg(s, 7d) > max(s, 365d) * 0.9         avg_over_time(s[7d]) > max_over_time(s[365d]) * 0.9
  zscore(s, 365d) > 2                     (s - avg_over_time(s[365d])) / stddev_over_time(s[365d]) > 2
  for: 7d (7 daily evaluations)           for: 6d (pending at the first, firing 6 days later)

Alerts and indicators with `for:` become alerting rules; the other
indicators become recording rules. Durations are written in days on both
sides (tocsin's `1y` and `2mo` are calendar units; PromQL has none).
"""
import argparse
import datetime as dt
import json
import os
import random

ACTORS = ["Houthi forces", "PLA Navy", "Unknown"]


def prom_range(days, mode):
    """A PromQL range that holds the same daily samples as tocsin's (T-d, T]."""
    if mode == "open":
        return f"{days}d"
    return f"{days - 1}d23h59m59s" if days > 1 else "23h59m59s"


def shapes(mode):
    w = lambda d: prom_range(d, mode)
    hou = 'events{actor=~"(?i).*houthi.*"}'
    pla = 'events{actor=~"(?i).*pla.*"}'
    return [
        ("growth({s}, 365d) >= 10%",
         f"sum_over_time({{s}}[{w(365)}]) / sum_over_time({{s}}[{w(365)}] offset 365d) - 1 >= 0.1"),
        ("pct_change({s}, 30d) > 5%",
         "({s} - {s} offset 30d) / abs({s} offset 30d) > 0.05"),
        ("sum({s}, 30d) > 1500",
         f"sum_over_time({{s}}[{w(30)}]) > 1500"),
        ('count(events[actor ~ "houthi"], 30d) >= 2',
         f"sum(count_over_time({hou}[{w(30)}])) >= 2"),
        ('resumed(events[actor ~ "pla"], quiet: 60d, within: 30d)',
         f"sum(count_over_time({pla}[{w(30)}])) > 0 unless sum(count_over_time({pla}[{w(60)}] offset 30d)) > 0"),
        ("trend({s}, 90d) > 0",
         f"deriv({{s}}[{w(90)}]) > 0"),
        ("avg({s}, 7d) > max({s}, 365d) * 0.9",
         f"avg_over_time({{s}}[{w(7)}]) > max_over_time({{s}}[{w(365)}]) * 0.9"),
        ("zscore({s}, 365d) > 2",
         f"({{s}} - avg_over_time({{s}}[{w(365)}])) / stddev_over_time({{s}}[{w(365)}]) > 2"),
    ]


def compress(tokens):
    """promtool's expanding notation: a run of k equal values `v` is
    `v+0x(k-1)`, a run of k missing samples `_xk`."""
    out = []
    i = 0
    while i < len(tokens):
        j = i
        while j + 1 < len(tokens) and tokens[j + 1] == tokens[i]:
            j += 1
        k = j - i + 1
        if k == 1:
            out.append(tokens[i])
        elif tokens[i] == "_":
            out.append(f"_x{k}")
        else:
            out.append(f"{tokens[i]}+0x{k - 1}")
        i = j + 1
    return " ".join(out)


def yaml_str(s):
    return "'" + s.replace("'", "''") + "'"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--series", type=int, default=1000)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--rules", type=int, default=200)
    ap.add_argument("--per-file", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--end", default="2026-11-01")
    ap.add_argument("--prom-ranges", choices=["closed", "open"], default="closed")
    ap.add_argument("--data", choices=["full", "stub", "none"], default="full")
    ap.add_argument("--no-prom", action="store_true", help="no Prometheus rule files")
    ap.add_argument("--no-test", action="store_true", help="no promtool test file")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    ind = os.path.join(a.out, "indicators")
    rul = os.path.join(a.out, "rules")
    prom = os.path.join(a.out, "prom")
    for d in [rul] + ([ind] if a.data != "none" else []) + ([prom] if not a.no_prom else []):
        os.makedirs(d, exist_ok=True)
    end = dt.date.fromisoformat(a.end)
    start = end - dt.timedelta(days=365 * a.years)
    ndays = (end - start).days + 1
    days = [(start + dt.timedelta(days=i)).isoformat() for i in range(ndays)]
    write_data = a.data == "full"
    write_test = write_data and not a.no_prom and not a.no_test

    # Data: random walks (rounded to cents, as written) and an event list.
    manifest = {"series": a.series, "days": ndays, "from": days[0], "to": days[-1],
                "rules": a.rules, "observations": 0, "data_bytes": 0}
    test_series = []
    if write_data:
        for s in range(a.series):
            level = rnd.uniform(10, 100)
            cells = []
            for _ in days:
                level = max(0.0, level + rnd.gauss(0, 2))
                cells.append(f"{level:.2f}")
            text = "date,value\n" + "".join(f"{d},{c}\n" for d, c in zip(days, cells))
            with open(os.path.join(ind, f"s{s:04d}.csv"), "w") as f:
                f.write(text)
            manifest["observations"] += ndays
            manifest["data_bytes"] += len(text)
            if write_test:
                test_series.append((f"s{s:04d}", compress(cells)))
        by_actor = {actor: ["_"] * ndays for actor in ACTORS}
        lines = ["date,actor"]
        for i, d in enumerate(days):
            if rnd.random() < 0.05:
                actor = rnd.choice(ACTORS)
                lines.append(f"{d},{actor}")
                by_actor[actor][i] = "1"
        text = "\n".join(lines) + "\n"
        with open(os.path.join(ind, "events.csv"), "w") as f:
            f.write(text)
        manifest["observations"] += len(lines) - 1
        manifest["data_bytes"] += len(text)
        for actor in ACTORS:
            test_series.append((f'events{{actor="{actor}"}}', compress(by_actor[actor])))
    elif a.data == "stub":
        rows = ["date,series,value"] + [f"{days[-1]},s{s:04d},1" for s in range(a.series)]
        with open(os.path.join(ind, "stub.csv"), "w") as f:
            f.write("\n".join(rows) + "\n")
        with open(os.path.join(ind, "events.csv"), "w") as f:
            f.write("date,actor\n" + "".join(f"{days[-1]},{x}\n" for x in ACTORS))
        manifest["observations"] = a.series + len(ACTORS)

    # Rules: the same R rules for both tools.
    table = shapes(a.prom_ranges)
    nfiles = (a.rules + a.per_file - 1) // a.per_file
    alerting = recording = 0
    for f in range(nfiles):
        tocsin_items, prom_rules = [], []
        for k in range(f * a.per_file, min(a.rules, (f + 1) * a.per_file)):
            s = f"s{rnd.randrange(a.series):04d}"
            t_when, p_expr = table[k % len(table)]
            t_when, p_expr = t_when.replace("{s}", s), p_expr.replace("{s}", s)
            has_for = k % 5 == 0
            kind = "alert" if k % 4 == 0 else "indicator"
            name = f"rule_{k:05d}"
            sev = "  severity: warning\n" if kind == "alert" else ""
            extra = "  for: 7d\n" if has_for else ""
            tocsin_items.append(f"{kind} {name} {{\n{sev}  when: {t_when}\n{extra}}}\n")
            if kind == "alert" or has_for:
                alerting += 1
                r = f"  - alert: {name}\n    expr: {yaml_str(p_expr)}\n"
                if has_for:
                    r += "    for: 6d\n"
                if kind == "alert":
                    r += "    labels:\n      severity: warning\n"
            else:
                recording += 1
                r = f"  - record: {name}\n    expr: {yaml_str(p_expr)}\n"
            prom_rules.append(r)
        with open(os.path.join(rul, f"r{f:04d}.rules"), "w") as fh:
            fh.write("\n".join(tocsin_items))
        if not a.no_prom:
            with open(os.path.join(prom, f"r{f:04d}.yml"), "w") as fh:
                fh.write(f"groups:\n- name: r{f:04d}\n  rules:\n" + "".join(prom_rules))
    manifest.update(rule_files=nfiles, alerting_rules=alerting, recording_rules=recording)

    # The promtool test: the same series, every rule evaluated daily from
    # the first day (t = 0) to the last; one trivial expression test at the
    # last day sets the range and passes.
    if write_test:
        with open(os.path.join(prom, "test.yml"), "w") as fh:
            fh.write("rule_files:\n  - 'r*.yml'\nevaluation_interval: 1d\ntests:\n")
            fh.write("  - interval: 1d\n    input_series:\n")
            for series, values in test_series:
                fh.write(f"      - series: {yaml_str(series)}\n        values: {yaml_str(values)}\n")
            fh.write(f"    promql_expr_test:\n      - expr: vector(1)\n        eval_time: {ndays - 1}d\n"
                     "        exp_samples:\n          - labels: '{}'\n            value: 1\n")
        manifest["test_eval_steps"] = ndays
    with open(os.path.join(a.out, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)


if __name__ == "__main__":
    main()
