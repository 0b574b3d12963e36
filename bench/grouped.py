#!/usr/bin/env python3
"""Breakdowns side by side with DuckDB: one wide export in ACLED's
31-column layout (long quoted NOTES), 200 countries, and 100 rules with
`by:` (by country; some by country and event type), evaluated cold by
`tocsin eval` and, as one SQL query over the same CSV, by DuckDB in a
fresh Python process. The met instances of both are checked equal.

Usage: bench/grouped.py TOCSIN [--rows N] [--runs R] [--dir D] [--at DATE]
                        [--backtest-days DAYS] [--used-bytes]

--used-bytes also reports the bytes of the columns the rules use (their
cells' text, as DuckDB reads the CSV as text): what tocsin keeps in memory
is measured against them.

Prints a JSON object with the figures (bench/run --only grouped makes the
table of docs/performance.md from it). Needs `pip install duckdb`.
"""
import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TYPES = ["Battles", "Explosions/Remote violence", "Violence against civilians",
         "Protests", "Riots", "Strategic developments"]


def rules():
    """The 100 rules, as (name, by, kind, window days, type or None, threshold)."""
    out = []
    for k in range(60):
        out.append((f"type_{k:02}", ["country"], "count", 30, TYPES[k % 6], 6 + k % 7))
    for k in range(20):
        out.append((f"deadly_{k:02}", ["country"], "sum", 90, None, 280 + 2 * k))
    for k in range(20):
        out.append((f"pair_{k:02}", ["country", "event_type"], "count", 30, None, 7 + k % 4))
    return out


def rule_text(r):
    name, by, kind, days, typ, n = r
    series = "acled" if typ is None else f'acled[event_type == "{typ}"]'
    if kind == "sum":
        series += ".fatalities"
    fn = "sum" if kind == "sum" else "count"
    return f"indicator {name} {{ by: {', '.join(by)} when: {fn}({series}, {days}d) >= {n} }}\n"


def sql(at, csv):
    parts = []
    for name, by, kind, days, typ, n in rules():
        lo = (at - dt.timedelta(days=days)).isoformat()
        where = f"d > DATE '{lo}' AND d <= DATE '{at.isoformat()}'"
        if typ is not None:
            where += f" AND event_type = '{typ}'"
        agg = "sum(fatalities)" if kind == "sum" else "count(*)"
        l2 = "event_type" if len(by) == 2 else "NULL"
        parts.append(
            f"SELECT '{name}' AS rule, country AS l1, {l2} AS l2 FROM a WHERE {where} "
            f"GROUP BY ALL HAVING {agg} >= {n}"
        )
    return (
        "WITH a AS (SELECT country, event_type, event_date::DATE AS d, fatalities "
        f"FROM read_csv('{csv}', header = true)) " + " UNION ALL ".join(parts)
    )


def rss_of(cmd, stdin=None):
    """Runs `cmd` once under wait4 and gives (wall seconds, peak RSS KiB, stdout)."""
    r, w = os.pipe()
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(w, 1)
        os.close(r)
        if stdin is not None:
            sr, sw = os.pipe()
            os.write(sw, stdin.encode())
            os.close(sw)
            os.dup2(sr, 0)
        os.execvp(cmd[0], cmd)
    os.close(w)
    chunks = []
    while True:
        b = os.read(r, 1 << 20)
        if not b:
            break
        chunks.append(b)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{cmd[0]} exited {code}")
    return wall, usage.ru_maxrss, b"".join(chunks)


DUCK = """
import duckdb, json, sys
q = sys.stdin.read()
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
rows = con.sql(q).fetchall()
print(json.dumps(rows))
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tocsin")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default="target/bench-grouped")
    ap.add_argument("--at", default="2026-03-01")
    ap.add_argument("--backtest-days", type=int, default=365)
    ap.add_argument("--used-bytes", action="store_true")
    a = ap.parse_args()
    at = dt.date.fromisoformat(a.at)
    csv = os.path.join(a.dir, "indicators", "acled.csv")
    stamp = os.path.join(a.dir, f".rows-{a.rows}")
    if not os.path.exists(stamp):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_acled.py"), a.dir,
                        "--rows", str(a.rows), "--countries", "200"], check=True)
        open(stamp, "w").close()
    with open(os.path.join(a.dir, "rules", "acled.rules"), "w") as f:
        f.writelines(rule_text(r) for r in rules())
    size = os.path.getsize(csv)
    query = sql(at, os.path.abspath(csv))
    ev = [a.tocsin, "eval", "--rules", os.path.join(a.dir, "rules"),
          "--indicators", os.path.join(a.dir, "indicators"), "--at", a.at, "--format", "json"]
    duck = [sys.executable, "-c", DUCK]
    t_runs, d_runs = [], []
    t_out = d_out = None
    for _ in range(a.runs):
        w, rss, out = rss_of(ev)
        t_runs.append((w, rss))
        t_out = out
        w, rss, out = rss_of(duck, query)
        d_runs.append((w, rss))
        d_out = out
    board = json.loads(t_out)
    t_met = sorted(
        (r["name"], r["labels"]["country"], r["labels"].get("event_type"))
        for r in board["results"] if r["status"] == "met"
    )
    d_met = sorted((r, l1, l2) for r, l1, l2 in json.loads(d_out.splitlines()[-1]))
    instances = len(board["results"])
    agree = t_met == d_met
    result = {
        "rows": a.rows,
        "file_bytes": size,
        "rules": len(rules()),
        "instances": instances,
        "met": len(t_met),
        "agree": agree,
        "tocsin": t_runs,
        "duckdb": d_runs,
    }
    if a.used_bytes:
        import duckdb
        result["used_bytes"] = duckdb.sql(
            "SELECT sum(strlen(event_date) + strlen(country) + "
            "strlen(event_type) + strlen(fatalities)) "
            f"FROM read_csv('{os.path.abspath(csv)}', header = true, all_varchar = true)"
        ).fetchall()[0][0]
    if a.backtest_days:
        start = (at - dt.timedelta(days=a.backtest_days - 1)).isoformat()
        bt = [a.tocsin, "backtest", "--rules", os.path.join(a.dir, "rules"),
              "--indicators", os.path.join(a.dir, "indicators"), "--from", start,
              "--to", a.at, "--step", "1d", "--format", "json"]
        w, rss, _ = rss_of(bt)
        result["backtest"] = (w, rss)
    if not agree:
        only_t = sorted(set(t_met) - set(d_met))[:5]
        only_d = sorted(set(d_met) - set(t_met))[:5]
        result["disagree"] = {"tocsin_only": only_t, "duckdb_only": only_d}
    print(json.dumps(result))
    if not agree:
        sys.exit("tocsin and DuckDB disagree")


if __name__ == "__main__":
    main()
