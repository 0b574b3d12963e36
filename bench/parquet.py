#!/usr/bin/env python3
"""The same data as CSV and as Parquet: 10,000,000 daily observations
(1,000 regions x 10,000 days, the shape a pipeline's per-region daily
reduction has), written once as CSV and once as Parquet by DuckDB (Snappy,
DuckDB's default row groups), and 20 rules `by: region` evaluated cold by
`tocsin eval` over each. The two boards are checked equal.

Usage: bench/parquet.py TOCSIN [--runs R] [--dir D]

Prints a JSON object with the figures (bench/run --only parquet makes the
table of docs/performance.md from it). Needs `pip install duckdb`.
"""
import argparse
import json
import os
import subprocess
import sys
import time

REGIONS = 1000
DAYS = 10000
AT = "2026-05-19"  # the last day of the data (1999-01-01 + 9,999 days)


def rules():
    out = []
    for k in range(10):
        out.append(f"indicator sum_{k:02} {{ by: region when: sum(daily, {30 + 10 * k}d) >= {1500 + 300 * k} }}\n")
    for k in range(5):
        out.append(f"indicator peak_{k:02} {{ by: region when: max(daily, {7 * (k + 1)}d) >= {95 + k} }}\n")
    for k in range(5):
        out.append(f"indicator avg_{k:02} {{ by: region when: avg(daily, {90 * (k + 1)}d) >= {49 + k} }}\n")
    return out


def generate(work):
    import duckdb
    marker = os.path.join(work, f".made-{REGIONS}x{DAYS}")
    if os.path.exists(marker):
        return
    for sub in ("csv/indicators", "parquet/indicators", "csv/rules", "parquet/rules"):
        os.makedirs(os.path.join(work, sub), exist_ok=True)
    query = (
        f"SELECT DATE '1999-01-01' + (i % {DAYS})::INTEGER AS date, "
        f"'R' || lpad((i // {DAYS})::VARCHAR, 4, '0') AS region, "
        f"((i * 7919) % 1000)::DOUBLE / 10 AS value FROM range({REGIONS * DAYS}) t(i)"
    )
    con = duckdb.connect()
    con.execute(f"COPY ({query}) TO '{work}/csv/indicators/daily.csv' (HEADER)")
    con.execute(f"COPY ({query}) TO '{work}/parquet/indicators/daily.parquet' (FORMAT parquet)")
    for side in ("csv", "parquet"):
        with open(os.path.join(work, side, "rules", "daily.rules"), "w") as f:
            f.writelines(rules())
    open(marker, "w").close()


def run(cmd, cwd):
    start = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{' '.join(cmd)} exited {code}")
    return wall, usage.ru_maxrss, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tocsin")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default=os.path.join("target", "bench-parquet"))
    a = ap.parse_args()
    work = os.path.abspath(a.dir)
    generate(work)
    cmd = [os.path.abspath(a.tocsin), "eval", "--at", AT, "--format", "json"]
    got = {"csv": [], "parquet": []}
    boards = {}
    for side in ("csv", "parquet"):  # warm the page cache once, untimed
        run(cmd, os.path.join(work, side))
    for _ in range(a.runs):
        for side in ("csv", "parquet"):
            wall, rss, out = run(cmd, os.path.join(work, side))
            got[side].append((wall, rss))
            boards[side] = json.loads(out)["results"]
    met = sum(1 for r in boards["csv"] if r["status"] == "met")
    print(json.dumps({
        "observations": REGIONS * DAYS,
        "regions": REGIONS,
        "rules": len(rules()),
        "instances": len(boards["csv"]),
        "met": met,
        "agree": boards["csv"] == boards["parquet"],
        "csv_bytes": os.path.getsize(os.path.join(work, "csv/indicators/daily.csv")),
        "parquet_bytes": os.path.getsize(os.path.join(work, "parquet/indicators/daily.parquet")),
        "csv": got["csv"],
        "parquet": got["parquet"],
    }))


if __name__ == "__main__":
    main()
