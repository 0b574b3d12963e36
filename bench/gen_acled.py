#!/usr/bin/env python3
"""Writes one large CSV file in the layout of ACLED exports: 31 columns,
long quoted NOTES cells holding commas, quotes and line breaks, and a rule
file that reads it.

Usage: bench/gen_acled.py OUT_DIR [--rows N] [--seed S] [--countries C]

With --countries above 1, each event falls in one of C countries
(`Country 000`, ...) and has one of ACLED's six event types, for rules with
`by: country` (bench/grouped.py).

OUT_DIR/indicators/acled.csv  N events (200,000 by default: about 170 MB)
OUT_DIR/rules/acled.rules     a few rules over the file's series
"""
import argparse
import datetime as dt
import os
import random

COLUMNS = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,"
    "sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,"
    "interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,"
    "location,latitude,longitude,geo_precision,source,source_scale,notes,"
    "fatalities,tags,timestamp"
)
WORDS = (
    "On around reported forces attacked positions near the village, "
    "\"unconfirmed\" sources said; shelling continued overnight and "
    "residents fled towards the district centre. Casualties unknown"
).split(" ")


def note(rnd):
    words = [rnd.choice(WORDS) for _ in range(rnd.randint(60, 110))]
    if rnd.random() < 0.3:
        words.insert(rnd.randrange(len(words)), "\n")
    text = " ".join(words)
    return '"' + text.replace('"', '""') + '"'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--countries", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    ind = os.path.join(a.out, "indicators")
    rul = os.path.join(a.out, "rules")
    os.makedirs(ind, exist_ok=True)
    os.makedirs(rul, exist_ok=True)
    start = dt.date(2018, 1, 1)
    notes = [note(rnd) for _ in range(997)]
    types = ["Battles", "Explosions/Remote violence", "Violence against civilians",
             "Protests", "Riots", "Strategic developments"]
    actors = ['"Military Forces of Yemen (2017-)"', "Houthi Movement", '"Protesters (Yemen)"', "Unidentified Armed Group"]
    with open(os.path.join(ind, "acled.csv"), "w", newline="") as f:
        f.write(COLUMNS + "\n")
        for i in range(a.rows):
            day = (start + dt.timedelta(days=i * 3000 // a.rows)).isoformat()
            row = [
                f"YEM{i}", day, day[:4], "1", "Political violence",
                "Battles" if a.countries <= 1 else f'"{rnd.choice(types)}"',
                "Armed clash", rnd.choice(actors), "", "1", rnd.choice(actors), "", "3",
                "13", "", "887", "Middle East",
                "Yemen" if a.countries <= 1 else f"Country {rnd.randrange(a.countries):03}",
                "Taizz", "Al Mawasit", "",
                '"Al Mawasit, Taizz"', f"{rnd.uniform(12, 16):.4f}", f"{rnd.uniform(43, 45):.4f}",
                "1", '"Yemen Data Project; Xinhua"', "National-International",
                notes[i % len(notes)][:-1] + f' (event {i})"', str(rnd.randrange(5)), "", str(1_600_000_000 + i),
            ]
            f.write(",".join(row) + "\n")
    with open(os.path.join(rul, "acled.rules"), "w") as f:
        f.write(
            "alert clashes_surge {\n  severity: warning\n"
            "  when: count(acled[actor1 ~ \"houthi\"], 30d) >= 20\n}\n\n"
            "indicator fatalities_high {\n  when: sum(acled, 90d) > 10\n}\n"
        )


if __name__ == "__main__":
    main()
