//! The loaders on two real exports, quirks included, read from
//! `../shared/data/real/` when that folder is present (the files are not
//! part of the project). The expected facts were computed independently
//! with Python's `csv` module:
//!
//! ```python
//! text = open(path, 'rb').read().decode('utf-8-sig')   # drops the BOM
//! r = csv.reader(io.StringIO(text, newline=''))
//! header = next(r)
//! rows = []                                            # (line, cells)
//! while True:
//!     line = r.line_num + 1                            # first line of the record
//!     try: rows.append((line, next(r)))
//!     except StopIteration: break
//! dated = [(l, x) for l, x in rows if x[0].strip()]    # date is column 0 (PLA)
//! ```
//!
//! and for ACLED `csv.DictReader` over the same text, counting
//! `'houthi' in row['ACTOR1'].lower()` and `datetime.date.fromisoformat`
//! of `EVENT_DATE` for the first and last dates.

use std::path::PathBuf;
use tocsin::data::{load_text, FileData, Format, Series, Store};
use tocsin::diag::{Code, FileId, SourceMap};

/// The text of a real export, or `None` (with a message) when the folder
/// is not present.
fn real_file(name: &str) -> Option<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/real");
    if !dir.is_dir() {
        eprintln!("skipping: ../shared/data/real not present");
        return None;
    }
    match std::fs::read_to_string(dir.join(name)) {
        Ok(text) => Some(text),
        Err(e) => panic!("{name}: {e}"),
    }
}

fn load(stem: &str, text: &str) -> FileData {
    match load_text(FileId(0), stem, Format::Csv, text) {
        Ok(data) => data,
        Err(e) => panic!("{stem}: {e:?}"),
    }
}

/// The index of the observation that came from `line`.
fn row_at_line(series: &Series, line: u32) -> usize {
    match (0..series.len()).position(|r| series.line(r) == line) {
        Some(row) => row,
        None => panic!("no observation from line {line}"),
    }
}

fn field<'a>(series: &'a Series, name: &str, row: usize) -> &'a str {
    match series.fields.column(name) {
        Some(col) => series.fields.get(col, row),
        None => panic!("no field {name}"),
    }
}

#[test]
fn pla_aircraft_daily() {
    let Some(text) = real_file("pla_aircraft_daily.csv") else {
        return;
    };
    assert!(text.starts_with('\u{feff}'));
    let data = load("pla_aircraft_daily", &text);

    // 2768 records after the header; 744 have an empty date cell (the
    // `,,,,NaT,...` padding, lines 2029 to 2772), 2024 have a date.
    let [warning] = &data.warnings[..] else {
        panic!("{:?}", data.warnings)
    };
    assert_eq!(warning.code, Code::RowsSkipped);
    assert_eq!(warning.message, "744 rows without a date were skipped");
    let mut sources = SourceMap::new();
    let file = sources.add("pla_aircraft_daily.csv", text.as_str());
    let span = warning
        .primary_span()
        .expect("the warning marks the first skipped row");
    assert_eq!(sources.line_col(file, span.start as usize), (2029, 1));

    let [batch] = &data.batches[..] else {
        panic!("one series expected")
    };
    assert_eq!(batch.series, "pla_aircraft_daily");
    assert_eq!(batch.dates.len(), 2024);
    // No `value` column: every row is an event of value 1.
    assert!(batch.values.iter().all(|&v| v == 1.0));
    // Every column but `date` is a field, Chinese names included.
    assert_eq!(batch.fields.names().len(), 20);
    assert_eq!(batch.fields.names()[6], "pla_aircraft_sorties");
    assert_eq!(
        batch.fields.names().last().map(String::as_str),
        Some("國家")
    );

    let store = Store::build([&data]);
    let series = store.series(store.get("pla_aircraft_daily").expect("series"));
    assert_eq!(series.len(), 2024);
    // `2015/3/30` on line 2 is the first date, `2026/8/22` on line 2028
    // the last; the file is in date order.
    assert_eq!(series.dates[0].to_string(), "2015-03-30");
    assert_eq!(series.line(0), 2);
    assert_eq!(series.dates[2023].to_string(), "2026-08-22");
    assert_eq!(series.line(2023), 2028);
    assert_eq!(field(series, "pla_aircraft_sorties", 0), "1.0");

    // `2023/4/8` appears on lines 825, 826 and 827, each with 71.0 sorties
    // and its own political statement.
    let day = |row: usize| series.dates[row].to_string();
    let first = row_at_line(series, 825);
    for row in first..first + 3 {
        assert_eq!(day(row), "2023-04-08");
        assert_eq!(field(series, "pla_aircraft_sorties", row), "71.0");
    }
    let lines: Vec<u32> = (first..first + 3).map(|r| series.line(r)).collect();
    assert_eq!(lines, [825, 826, 827]);
    assert!(field(series, "Political_statement", first).starts_with("蔡英文會晤美國眾議院議長"));
    assert_eq!(
        series
            .dates
            .iter()
            .filter(|d| d.to_string() == "2024-07-09")
            .count(),
        4
    );

    // Line 1497 (2025/2/17, 41.0 sorties) holds a quoted statement over two
    // lines, so the next row, 2025/2/18 with 8.0 sorties, is on line 1499.
    let row = row_at_line(series, 1497);
    assert_eq!(day(row), "2025-02-17");
    assert_eq!(field(series, "pla_aircraft_sorties", row), "41.0");
    let statement = field(series, "political_statement", row);
    assert!(
        statement.starts_with("美國國務院從其「臺灣」事實表頁面移除"),
        "{statement}"
    );
    assert!(statement.contains('\n'));
    let next = row_at_line(series, 1499);
    assert_eq!(next, row + 1);
    assert_eq!(day(next), "2025-02-18");
    assert_eq!(field(series, "pla_aircraft_sorties", next), "8.0");
    // The two other multi-line statements (lines 1527 and 1772) shift the
    // rows after them the same way.
    assert_eq!(day(row_at_line(series, 1529)), "2025-03-19");
    assert_eq!(
        field(series, "pla_aircraft_sorties", row_at_line(series, 1774)),
        "21.0"
    );

    // 66 dated rows leave the sorties cell empty; 25 name 俄羅斯 in 國家.
    let col = series
        .fields
        .column("PLA_AIRCRAFT_SORTIES")
        .expect("column");
    assert_eq!(
        (0..series.len())
            .filter(|&r| series.fields.get(col, r).is_empty())
            .count(),
        66
    );
    let col = series.fields.column("國家").expect("column");
    assert_eq!(
        (0..series.len())
            .filter(|&r| series.fields.get(col, r) == "俄羅斯")
            .count(),
        25
    );
}

#[test]
fn houthi_red_sea_acled() {
    let Some(text) = real_file("houthi_red_sea_acled.csv") else {
        return;
    };
    assert!(text.contains("\r\n"));
    let data = load("houthi_red_sea_acled", &text);
    assert!(data.warnings.is_empty());

    let store = Store::build([&data]);
    let series = store.series(store.get("houthi_red_sea_acled").expect("series"));
    // 362 records, one event each, on lines 2 to 363 (CRLF, no line breaks
    // inside the quoted notes).
    assert_eq!(series.len(), 362);
    assert!(series.values.iter().all(|&v| v == 1.0));
    assert_eq!(series.line(0), 2);
    assert_eq!(series.line(361), 363);
    assert_eq!(series.dates[0].to_string(), "2023-10-27");
    assert_eq!(series.dates[361].to_string(), "2025-09-29");

    // The date column is EVENT_DATE (column 2), not TIMESTAMP (column 27,
    // seconds since 1970, kept as a field).
    let names = series.fields.names();
    assert!(!names.iter().any(|n| n == "EVENT_DATE"));
    assert!(names.iter().any(|n| n == "TIMESTAMP"));
    assert_eq!(names.len(), 30);
    assert_eq!(field(series, "timestamp", 0), "1753954407");
    assert_eq!(field(series, "event_id_cnty", 0), "YEM83378");
    assert_eq!(field(series, "event_id_cnty", 361), "YEM108275");

    // 174 events have an ACTOR1 containing "houthi", ignoring case, all
    // "Military Forces of Yemen (2017-) Houthi"; fatalities add up to 22.
    let actor = series.fields.column("actor1").expect("ACTOR1");
    let houthi = (0..series.len())
        .filter(|&r| {
            series
                .fields
                .get(actor, r)
                .to_lowercase()
                .contains("houthi")
        })
        .count();
    assert_eq!(houthi, 174);
    let fatalities: u32 = (0..series.len())
        .map(|r| {
            field(series, "FATALITIES", r)
                .parse::<u32>()
                .expect("a count")
        })
        .sum();
    assert_eq!(fatalities, 22);
    let notes = field(series, "notes", 0);
    assert!(
        notes.starts_with("Interception: On 8 November 2023, Houthi forces shot down"),
        "{notes}"
    );
}

/// Rules over both exports, with answers worked out by hand from the files
/// with Python's csv module:
/// - projected sorties: 2024 dated rows minus 66 with an empty cell = 1958
///   observations; in (2025-06-20, 2025-07-20] 30 of them summing to 562,
///   largest 58; the row for 2025-07-20 reads 0.0;
/// - the sums over (2024-07-20, 2025-07-20] and the year before are 5358 and
///   4735, so growth is 5358 / 4735 - 1 = 0.1316 (printed 0.13);
/// - ACLED rows whose ACTOR1 contains "houthi": 41 dated in
///   (2024-07-20, 2025-07-20]; the newest before 2025-07-20 is 2025-07-08
///   (12 days earlier); 2025-07-06 came after a gap from 2025-03-16
///   (112 days), so `resumed(quiet: 3mo, within: 30d)` holds at 2025-07-20
///   and no longer at 2025-08-06.
#[test]
fn rules_over_the_real_exports() {
    let (Some(pla), Some(acled)) = (
        real_file("pla_aircraft_daily.csv"),
        real_file("houthi_red_sea_acled.csv"),
    ) else {
        return;
    };
    use tocsin::eval::{evaluate, Status, Value};
    use tocsin::time::Date;
    use tocsin::workspace::{load, Contents, SourceFile};
    let file = |name: &str, text: String| SourceFile {
        name: name.to_string(),
        contents: Contents::Text(text),
    };
    let rules = r#"
series pla_sorties = pla_aircraft_daily.pla_aircraft_sorties
series houthi = houthi_red_sea_acled[actor1 ~ "houthi"]
let sorties_30d = sum(pla_sorties, 30d)
let reports_30d = count(pla_sorties, 30d)
let peak_30d = max(pla_sorties, 30d)
let last_report = latest(pla_sorties)
let year_growth = growth(pla_sorties, 1y)
let houthi_year = count(houthi, 1y)
let houthi_days_since = days_since(houthi)
indicator houthi_resumed { when: resumed(houthi, quiet: 3mo, within: 30d) }
"#;
    let ws = load(
        &[file("rules/real.rules", rules.to_string())],
        &[
            file("indicators/houthi_red_sea_acled.csv", acled),
            file("indicators/pla_aircraft_daily.csv", pla),
        ],
    );
    let model = ws
        .model
        .as_ref()
        .expect("the real exports load and the rules check");
    let codes: Vec<Code> = ws.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        [
            Code::RowsSkipped,
            Code::ProjectionSkipped,
            Code::RepeatedDates
        ],
        "the skipped padding rows, the 66 empty sortie cells and the repeated dates"
    );
    // The export repeats 13 dates (one of them four times); 11 of them
    // still repeat among the rows with a sortie count (Python: Counter of
    // `date` over rows whose `pla_aircraft_sorties` is not empty, 11 dates
    // with more than one row, the first 2020/10/26). `sum` and `growth`
    // read the series: each repeated row would count again.
    assert!(
        ws.diagnostics[2].message.starts_with(
            "`pla_sorties` has 11 date(s) with more than one observation (the first 2020-10-26)"
        ),
        "{}",
        ws.diagnostics[2].message
    );
    assert!(
        ws.diagnostics[1]
            .message
            .starts_with("66 of the 2024 observations of `pla_aircraft_daily`"),
        "{}",
        ws.diagnostics[1].message
    );
    let at = Date::parse_iso("2025-07-20").unwrap();
    let mut ev = tocsin::eval::Evaluator::new(model);
    let lets: Vec<Value> = model
        .program
        .lets
        .iter()
        .map(|l| ev.eval(&l.value, at))
        .collect();
    assert_eq!(lets[0], Value::Number(562.0));
    assert_eq!(lets[1], Value::Number(30.0));
    assert_eq!(lets[2], Value::Number(58.0));
    assert_eq!(lets[3], Value::Number(0.0));
    let Value::Number(g) = lets[4] else {
        panic!("{:?}", lets[4])
    };
    assert!((g - (5358.0 / 4735.0 - 1.0)).abs() < 1e-12);
    assert_eq!(lets[5], Value::Number(41.0));
    assert_eq!(lets[6], Value::Number(12.0));
    assert_eq!(evaluate(model, at)[0].status, Status::Met);
    assert_eq!(
        evaluate(model, Date::parse_iso("2025-08-06").unwrap())[0].status,
        Status::NotMet
    );
}

/// Feeds, buckets and the robust statistics on the real exports, with the
/// answers worked out independently in Python (csv.DictReader over the
/// files; a year back from a date is the same day a year earlier):
/// - PLA, one value a day (the last row with a sortie count for each date,
///   in file order): the sums over (2024-05-13, 2025-05-13] and the year
///   before are 5448 and 4207, so growth is 5448 / 4207 - 1 = 0.294985
///   (29.50%); every row counted, 5563 and 4257 give 0.306789 (30.68%),
///   which passes a `>= 30%` threshold the daily figure does not;
/// - ACLED events in (2024-07-20, 2025-07-20]: 73, with 7 different
///   non-empty ACTOR2 values and 1 LOCATION;
/// - ACLED events by calendar month, October 2023 (the first event,
///   2023-10-27) to June 2025, the last month complete at 2025-07-20:
///   1 8 34 31 40 41 24 31 51 25 32 7 10 4 6 1 2 3 1 0 0 (21 months).
///   June's 0 against their mean 16.761905 and population standard
///   deviation 16.280005 is a z-score of -1.029601;
/// - the newest ACLED event on or before 2025-07-20 is 2025-07-08, and
///   the newest of all 2025-09-29: with `stale_after: 30d` the export is
///   fresh on 2025-07-20 (12 days) and stale on 2026-12-02 (429 days on).
///   It was stale on 2025-07-01 too: nothing from 2025-04-15 to 2025-07-06,
///   the Houthi pause, which a 30-day feed cannot tell from a silent
///   export.
#[test]
fn feeds_buckets_and_statistics_over_the_real_exports() {
    let (Some(pla), Some(acled)) = (
        real_file("pla_aircraft_daily.csv"),
        real_file("houthi_red_sea_acled.csv"),
    ) else {
        return;
    };
    use tocsin::eval::{Evaluator, Value};
    use tocsin::time::Date;
    use tocsin::workspace::{load, Contents, SourceFile};
    let file = |name: &str, text: String| SourceFile {
        name: name.to_string(),
        contents: Contents::Text(text),
    };
    let rules = r#"
feed acled { stale_after: 30d }
series pla_days = daily(pla.pla_aircraft_sorties, last)
let growth_daily = growth(pla_days, 1y)
let growth_rows = growth(pla.pla_aircraft_sorties, 1y)
let targets = distinct(acled, 1y, ACTOR2)
let places = distinct(acled, 1y, location)
let month_z = zscore(monthly(acled, count), 2y)
let acled_stale = stale(acled)
let acled_age = age(acled)
let houthi_year = count(acled[ACTOR1 ~ "houthi"], 1y)
indicator rise { when: growth(pla_days, 1y) >= 30% }
"#;
    let ws = load(
        &[file("rules/real.rules", rules.to_string())],
        &[
            file("indicators/acled.csv", acled),
            file("indicators/pla.csv", pla),
        ],
    );
    let model = ws
        .model
        .as_ref()
        .unwrap_or_else(|| panic!("the rules check: {:?}", ws.diagnostics));
    let at = |day: &str| {
        let t = Date::parse_iso(day).unwrap();
        let mut ev = Evaluator::new(model);
        model
            .program
            .lets
            .iter()
            .map(|l| (l.name.clone(), ev.eval(&l.value, t)))
            .collect::<std::collections::HashMap<String, Value>>()
    };
    let close = |v: &Value, want: f64| matches!(v, Value::Number(x) if (x - want).abs() < 1e-6);

    let may = at("2025-05-13");
    assert!(
        close(&may["growth_daily"], 5448.0 / 4207.0 - 1.0),
        "{:?}",
        may["growth_daily"]
    );
    assert!(
        close(&may["growth_rows"], 5563.0 / 4257.0 - 1.0),
        "{:?}",
        may["growth_rows"]
    );
    assert_eq!(may["growth_daily"].display(), "0.29");

    let july = at("2025-07-20");
    assert_eq!(july["targets"], Value::Number(7.0));
    assert_eq!(july["places"], Value::Number(1.0));
    assert!(
        close(&july["month_z"], -1.029_600_740_7),
        "{:?}",
        july["month_z"]
    );
    assert_eq!(july["acled_stale"], Value::Bool(false));
    assert_eq!(july["acled_age"], Value::Number(12.0));
    let pause = at("2025-07-01");
    assert_eq!(pause["acled_stale"], Value::Bool(true));
    assert_eq!(pause["acled_age"], Value::Number(77.0));

    // Today the export is 429 days old: stale, and every count over it
    // unknown rather than a lull.
    let today = at("2026-12-02");
    assert_eq!(today["acled_stale"], Value::Bool(true));
    assert_eq!(today["acled_age"], Value::Number(429.0));
    assert_eq!(today["houthi_year"], Value::None);
    assert_eq!(today["targets"], Value::None);
}

/// Breakdowns over the ACLED export: one instance per `COUNTRY` and per
/// `ACTOR1`, each counting its own rows. The expected counts were computed
/// independently with Python over the same file:
///
/// ```python
/// rows = list(csv.DictReader(io.StringIO(text, newline='')))
/// t = date(2025, 7, 20); lo = t - timedelta(days=90)
/// Counter(r['COUNTRY'] for r in rows if lo < date.fromisoformat(r['EVENT_DATE']) <= t)
/// count, fatal = Counter(), Counter()
/// for r in rows: count[r['ACTOR1']] += 1; fatal[r['ACTOR1']] += int(r['FATALITIES'] or 0)
/// ```
#[test]
fn breakdowns_over_the_acled_export() {
    let Some(acled) = real_file("houthi_red_sea_acled.csv") else {
        return;
    };
    use tocsin::eval::{evaluate, Status};
    use tocsin::time::Date;
    use tocsin::workspace::{load, Contents, SourceFile};
    let file = |name: &str, text: String| SourceFile {
        name: name.to_string(),
        contents: Contents::Text(text),
    };
    let rules = r#"
indicator per_country { by: COUNTRY when: count(acled, 90d) >= 1 summary: "{count(acled, 90d)}" }
indicator per_actor { by: actor1 when: sum(acled.fatalities, 3y) >= 1 summary: "{count(acled, 3y)} {sum(acled.fatalities, 3y)}" }
"#;
    let ws = load(
        &[file("rules/real.rules", rules.to_string())],
        &[file("indicators/acled.csv", acled)],
    );
    let model = ws
        .model
        .as_ref()
        .unwrap_or_else(|| panic!("the rules check: {:?}", ws.diagnostics));
    let at = |day: &str| evaluate(model, Date::parse_iso(day).unwrap());

    let july: Vec<_> = at("2025-07-20")
        .into_iter()
        .filter(|r| r.name == "per_country")
        .map(|r| (r.display_name(), r.summary.unwrap()))
        .collect();
    assert_eq!(
        july,
        [(
            "per_country{COUNTRY=\"Yemen\"}".to_string(),
            "5".to_string()
        )]
    );

    let actors: Vec<(String, String, Status)> = at("2025-09-30")
        .into_iter()
        .filter(|r| r.name == "per_actor")
        .map(|r| (r.labels[0].1.to_string(), r.summary.unwrap(), r.status))
        .collect();
    let want = [
        ("EU: European Union", 1, 0),
        ("Military Forces of Belgium (2020-2025)", 1, 0),
        ("Military Forces of Denmark (2019-)", 1, 0),
        ("Military Forces of Eritrea (1993-)", 3, 0),
        ("Military Forces of France (2017-)", 14, 0),
        ("Military Forces of Germany (2021-2025)", 4, 0),
        ("Military Forces of Greece (2019-)", 5, 0),
        ("Military Forces of India (2014-)", 1, 0),
        ("Military Forces of Italy (2022-)", 7, 0),
        ("Military Forces of Japan (2012-)", 1, 0),
        ("Military Forces of Saudi Arabia (2015-)", 1, 0),
        ("Military Forces of Yemen (2017-) Houthi", 174, 19),
        (
            "Military Forces of Yemen (2022-) Presidential Leadership Council - Coast Guard",
            3,
            0,
        ),
        ("Military Forces of the United Kingdom (2010-2024)", 6, 2),
        ("Military Forces of the United States (2021-2025)", 125, 1),
        ("Private Security Forces (International)", 8, 0),
        ("Unidentified Armed Group (International)", 2, 0),
        ("Unidentified Armed Group (Somalia)", 1, 0),
        ("Unidentified Armed Group (Yemen)", 1, 0),
        ("Unidentified Military Forces", 3, 0),
    ];
    let want: Vec<(String, String, Status)> = want
        .iter()
        .map(|&(actor, n, dead)| {
            let status = if dead >= 1 {
                Status::Met
            } else {
                Status::NotMet
            };
            (actor.to_string(), format!("{n} {dead}"), status)
        })
        .collect();
    assert_eq!(actors, want);
}

/// `explain` of one instance of a rule with `by: ACTOR1` lists that
/// actor's rows of the ACLED export and no other (six rows of the United
/// Kingdom's forces, by the same Python count as above).
#[test]
fn explain_of_one_instance_lists_only_its_rows() {
    let Some(acled) = real_file("houthi_red_sea_acled.csv") else {
        return;
    };
    let rules = "indicator per_actor { by: actor1 when: count(acled, 3y) >= 1 }\n";
    let dir = crate::common::project(&[
        ("rules/real.rules", rules),
        ("indicators/acled.csv", &acled),
    ]);
    let uk = "Military Forces of the United Kingdom (2010-2024)";
    let out = crate::common::tocsin(dir.path())
        .args([
            "explain",
            &format!("per_actor{{actor1=\"{uk}\"}}"),
            "--at",
            "2025-09-30",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("(indicators/acled.csv:"))
        .collect();
    assert_eq!(rows.len(), 6, "{text}");
    // Long cells are shortened in the listing.
    for row in rows {
        assert!(
            row.contains("ACTOR1=Military Forces of the United Kingdom ("),
            "{row}"
        );
    }
    assert!(text.contains("= 6"), "{text}");
}
