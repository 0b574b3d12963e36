//! Parquet input end to end: the shipped example with its CSV files written
//! as Parquet (by the `parquet` crate's writer, typed as a data pipeline
//! writes them: `DATE` dates, `DOUBLE` values, text fields) gives the same
//! board as the CSV, and the daemon reloads a Parquet file replaced by a
//! new one like any other data file.

use crate::common::{copy_dir, root, tocsin, write, Daemon};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use tempfile::TempDir;

/// The CSV file at `csv` written as Parquet at `out`: the date column as
/// `DATE`, `value` as `DOUBLE`, every other column as text (empty cells
/// null), in row groups of `group` rows.
fn csv_to_parquet(csv: &Path, out: &Path, group: usize) {
    let mut reader = csv::Reader::from_path(csv).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let is_date = |h: &str| ["date", "at", "time", "timestamp", "event_date"].contains(&h);
    let schema: Vec<String> = header
        .iter()
        .map(|h| match h.as_str() {
            h if is_date(h) => format!("optional int32 {h} (DATE);"),
            "value" => "optional double value;".to_string(),
            h => format!("optional binary {h} (UTF8);"),
        })
        .collect();
    let schema = parse_message_type(&format!("message m {{ {} }}", schema.join(" "))).unwrap();
    let file = std::fs::File::create(out).unwrap();
    let props = Arc::new(WriterProperties::builder().build());
    let mut w = SerializedFileWriter::new(file, Arc::new(schema), props).unwrap();
    for chunk in rows.chunks(group) {
        let mut g = w.next_row_group().unwrap();
        for (i, h) in header.iter().enumerate() {
            let cells: Vec<&str> = chunk.iter().map(|r| &r[i]).collect();
            let defs: Vec<i16> = cells.iter().map(|c| i16::from(!c.is_empty())).collect();
            let present = cells.iter().filter(|c| !c.is_empty());
            let mut c = g.next_column().unwrap().unwrap();
            match h.as_str() {
                h if is_date(h) => {
                    let days: Vec<i32> = present
                        .map(|d| {
                            let d = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
                            (d - chrono::NaiveDate::default()).num_days() as i32
                        })
                        .collect();
                    c.typed::<Int32Type>().write_batch(&days, Some(&defs), None)
                }
                "value" => {
                    let v: Vec<f64> = present.map(|v| v.parse().unwrap()).collect();
                    c.typed::<DoubleType>().write_batch(&v, Some(&defs), None)
                }
                _ => {
                    let v: Vec<ByteArray> = present.map(|s| ByteArray::from(*s)).collect();
                    c.typed::<ByteArrayType>()
                        .write_batch(&v, Some(&defs), None)
                }
            }
            .unwrap();
            c.close().unwrap();
        }
        g.close().unwrap();
    }
    w.close().unwrap();
}

/// `eval --format json` of the project in `dir` at the example's date.
fn board(dir: &Path) -> Value {
    let out = tocsin(dir)
        .args(["eval", "--at", "2026-11-27", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_example_as_parquet_gives_the_same_board_as_its_csv() {
    let dir = TempDir::new().unwrap();
    copy_dir(&root().join("rules"), &dir.path().join("rules"));
    copy_dir(&root().join("indicators"), &dir.path().join("indicators"));
    let csv_board = board(dir.path());
    let mut converted = 0;
    for entry in std::fs::read_dir(dir.path().join("indicators")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            // Small row groups, so that every file has several.
            csv_to_parquet(&path, &path.with_extension("parquet"), 7);
            std::fs::remove_file(&path).unwrap();
            converted += 1;
        }
    }
    assert!(converted >= 5, "{converted}");
    let parquet_board = board(dir.path());
    assert_eq!(csv_board["results"], parquet_board["results"]);
    // The feeds name their series' newest observations alike.
    assert_eq!(csv_board["feeds"], parquet_board["feeds"]);

    // `explain` shows an observation's row where CSV shows its line.
    let out = tocsin(dir.path())
        .args(["explain", "--at", "2026-11-27", "houthi_strikes_resumed"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("(indicators/red_sea_attacks.parquet:"),
        "{text}"
    );
}

#[test]
fn the_daemon_reloads_a_replaced_parquet_file() {
    let dir = TempDir::new().unwrap();
    let p = dir.path();
    write(
        &p.join("rules/a.rules"),
        "alert surge { severity: critical when: sum(daily, 7d) > 10 }\n",
    );
    write(
        &p.join("low.csv"),
        "date,value\n2025-03-01,2\n2025-03-02,3\n",
    );
    write(
        &p.join("high.csv"),
        "date,value\n2025-03-01,2\n2025-03-02,30\n",
    );
    std::fs::create_dir_all(p.join("indicators")).unwrap();
    csv_to_parquet(&p.join("low.csv"), &p.join("indicators/daily.parquet"), 100);
    let mut daemon = Daemon::start_in(dir, &["--at", "2025-03-03"], &[]);
    let start = Daemon::statuses(&daemon.startup);
    assert_eq!(
        start,
        [("surge".to_string(), Value::Null, "not_met".to_string())]
    );
    // Written beside, then renamed over: what a pipeline's last step does.
    let staged = daemon.path("daily.parquet.part");
    csv_to_parquet(&daemon.path("high.csv"), &staged, 100);
    std::fs::rename(&staged, daemon.path("indicators/daily.parquet")).unwrap();
    daemon.status("surge", "met");
    // A file that is not Parquet keeps the last good version in force.
    write(&daemon.path("indicators/daily.parquet"), "date,value\n");
    let (error, _) = daemon.expect(|e| e["event"] == "error");
    assert_eq!(error["code"], "E316", "{error}");
    assert_eq!(error["kept"], true, "{error}");
    let _ = daemon.stop();
}
