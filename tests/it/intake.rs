//! Data intake as analysts' exports arrive: empty and header-only files,
//! tab and semicolon files, gzip-compressed files, files of a kind tocsin
//! does not read, and the errors that say what went wrong with a header or
//! a row.

use crate::common::{project, tocsin, write, Daemon};
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// Writes `bytes` at `path`, making its folder.
fn write_bytes(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// `eval --at AT --format json`: the exit code, each result's status by
/// name, and stderr.
fn eval(dir: &Path, at: &str) -> (i32, Vec<(String, String)>, String) {
    let out = tocsin(dir)
        .args(["eval", "--at", at, "--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let statuses = match serde_json::from_slice::<Value>(&out.stdout) {
        Ok(doc) => doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["name"].as_str().unwrap().to_string(),
                    r["status"].as_str().unwrap().to_string(),
                )
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    (out.status.code().unwrap_or(-1), statuses, stderr)
}

fn check(dir: &Path) -> (i32, String, String) {
    let out = tocsin(dir).arg("check").output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// Rules over the series `s`: how many observations, and the latest.
const COUNT_AND_LATEST: &str = "indicator none_yet { when: count(s, 30d) == 0 }\n\
                                indicator latest_known { when: latest(s) > 0 }\n";

#[test]
fn empty_and_header_only_files_define_an_empty_series() {
    for (name, text) in [
        ("s.csv", ""),
        ("s.csv", "date,value\n"),
        ("s.csv", "\u{feff}date,value,actor\r\n"),
        ("s.tsv", "date\tvalue\n"),
        ("s.csv", "date;value\n"),
        ("s.json", "[]"),
        ("s.json", "{\"observations\": []}"),
        (
            "s.json",
            "{\"series\": \"s\", \"unit\": \"events\", \"observations\": []}",
        ),
        ("s.ndjson", ""),
        ("s.jsonl", "\n"),
    ] {
        let dir = project(&[
            ("rules/a.rules", COUNT_AND_LATEST),
            (&format!("indicators/{name}"), text),
        ]);
        let (code, out, err) = check(dir.path());
        assert_eq!(code, 0, "{name} {text:?}: {err}");
        assert!(
            out.contains("1 series from 1 data file"),
            "{name} {text:?}: {out}"
        );
        let (code, statuses, err) = eval(dir.path(), "2025-01-10");
        assert_eq!(code, 0, "{name} {text:?}: {err}");
        assert_eq!(
            statuses,
            pairs(&[("none_yet", "met"), ("latest_known", "unknown")]),
            "{name} {text:?}"
        );
    }
    // A gzip-compressed empty file, and one of zero bytes.
    for bytes in [gz(b"date,value\n"), Vec::new()] {
        let dir = project(&[("rules/a.rules", COUNT_AND_LATEST)]);
        write_bytes(&dir.path().join("indicators/s.csv.gz"), &bytes);
        let (code, _, err) = check(dir.path());
        assert_eq!(code, 0, "{err}");
    }
}

#[test]
fn a_header_only_file_with_a_series_column_names_no_series() {
    let dir = project(&[
        ("rules/a.rules", COUNT_AND_LATEST),
        ("indicators/many.csv", "series,date,value\n"),
    ]);
    let (code, _, err) = check(dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("error[E101]: unknown series `s`"), "{err}");
}

#[test]
fn tab_and_semicolon_files_and_decimal_commas() {
    let dir = project(&[
        (
            "rules/a.rules",
            "indicator rate { when: sum(rates, 7d) == 4 }\n\
             indicator counted { when: latest(counts) == 7 }\n\
             indicator by_actor { when: count(rates[actor == \"A, B\"], 7d) == 1 }\n\
             indicator weighed { when: sum(rates.weight, 7d) == 1.5 }\n\
             indicator heavy { when: count(rates[weight > 0.6], 7d) == 1 }\n",
        ),
        ("indicators/counts.tsv", "date\tvalue\n2025-01-02\t7\n"),
        (
            "indicators/rates.csv",
            "date;value;actor;weight\n2025-01-01;1,25;A, B;0,5\n2025-01-02;2,75;C;1\n",
        ),
    ]);
    let (code, statuses, err) = eval(dir.path(), "2025-01-02");
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        statuses,
        pairs(&[
            ("rate", "met"),
            ("counted", "met"),
            ("by_actor", "met"),
            ("weighed", "met"),
            ("heavy", "met")
        ])
    );
    // A tab-separated export named .csv reads the same.
    write(
        &dir.path().join("indicators/counts.tsv"),
        "date\tvalue\n2025-01-02\t6\n",
    );
    std::fs::rename(
        dir.path().join("indicators/counts.tsv"),
        dir.path().join("indicators/counts.csv"),
    )
    .unwrap();
    let (_, statuses, _) = eval(dir.path(), "2025-01-02");
    assert_eq!(statuses[1], ("counted".into(), "not_met".into()));
}

#[test]
fn gzip_files_read_as_their_inner_name_and_bad_ones_are_refused() {
    let dir = project(&[(
        "rules/a.rules",
        "indicator a { when: latest(acled) == 3 }\n\
         indicator f { when: count(stream, 30d) == 2 }\n\
         indicator g { when: latest(gdp) == 1.5 }\n",
    )]);
    let ind = dir.path().join("indicators");
    write_bytes(
        &ind.join("acled.csv.gz"),
        &gz(b"date,value\n2025-01-01,3\n"),
    );
    let mut two_members = gz(b"{\"date\": \"2025-01-01\"}\n");
    two_members.extend(gz(b"{\"date\": \"2025-01-02\"}\n"));
    std::fs::write(ind.join("stream.ndjson.gz"), two_members).unwrap();
    let json = b"{\"observations\": [{\"date\": \"2025-01-01\", \"value\": 1.5}]}";
    std::fs::write(ind.join("gdp.json.GZ"), gz(json)).unwrap();
    let (code, statuses, err) = eval(dir.path(), "2025-01-02");
    assert_eq!(code, 0, "{err}");
    assert_eq!(statuses, pairs(&[("a", "met"), ("f", "met"), ("g", "met")]));

    // Not gzip, and cut short: each refused with E316, never as UTF-8.
    std::fs::write(ind.join("acled.csv.gz"), "date,value\n2025-01-01,3\n").unwrap();
    let whole = gz(&b"date,value\n2025-01-01,3\n".repeat(50));
    std::fs::write(ind.join("gdp.json.GZ"), &whole[..whole.len() / 2]).unwrap();
    let (code, _, err) = check(dir.path());
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "error[E316]: indicators/acled.csv.gz: cannot be decompressed: it is not gzip data"
        ),
        "{err}"
    );
    assert!(
        err.contains("error[E316]: indicators/gdp.json.GZ: cannot be decompressed: the gzip stream is corrupt or cut short"),
        "{err}"
    );
    assert!(!err.contains("UTF-8") && !err.contains("E101"), "{err}");
    // Binary content that decompresses fine but is not text.
    std::fs::write(ind.join("acled.csv.gz"), gz(b"date,value\n\xff\n")).unwrap();
    let (_, _, err) = check(dir.path());
    assert!(
        err.contains("error[E301]: indicators/acled.csv.gz:2:1: not valid UTF-8"),
        "{err}"
    );
    // The line and column are the record's, for scripts and annotations.
    let out = tocsin(dir.path())
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let e301 = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "E301")
        .unwrap()
        .clone();
    assert_eq!(
        (e301["line"].as_u64(), e301["col"].as_u64()),
        (Some(2), Some(1)),
        "{e301}"
    );
}

#[test]
fn errors_in_a_compressed_file_point_into_its_decompressed_text() {
    let dir = project(&[("rules/a.rules", "")]);
    write_bytes(
        &dir.path().join("indicators/s.csv.gz"),
        &gz(b"date,value\n2025-01-01,3\n2025-13-01,4\n"),
    );
    let (code, _, err) = check(dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("┌─ indicators/s.csv.gz:3:1"), "{err}");
    assert!(err.contains("3 │ 2025-13-01,4"), "{err}");
}

#[test]
fn skipped_files_are_named_in_one_warning() {
    let dir = project(&[
        ("rules/a.rules", "indicator x { when: latest(s) > 0 }\n"),
        ("indicators/s.csv", "date,value\n2025-01-01,1\n"),
        ("indicators/a.xlsx", "PK"),
        ("indicators/sub/b.feather", "ARROW1"),
        ("indicators/README.md", "about the data\n"),
        ("indicators/.hidden.xlsx", ""),
        ("indicators/c.xlsx~", ""),
        ("indicators/d.csv.part", ""),
        ("indicators/e.swp", ""),
        ("indicators/.git/objects/x", ""),
    ]);
    let (code, out, err) = check(dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(1 warning)"), "{out}");
    assert_eq!(
        err.trim_end(),
        "warning[W006]: 2 files of a kind tocsin does not read were skipped: indicators/a.xlsx, indicators/sub/b.feather\n \
         = tocsin reads .csv, .tsv, .json, .ndjson and .jsonl, each also compressed with gzip (.gz), and .parquet\n \
         = convert the data to one of these (CSV is read by every spreadsheet), or move other files out of the data folder"
    );
    // `eval` shows it in full, not only counted.
    let (code, statuses, err) = eval(dir.path(), "2025-01-02");
    assert_eq!(code, 0);
    assert_eq!(statuses, pairs(&[("x", "met")]));
    assert!(err.starts_with("warning[W006]: 2 files"), "{err}");
    assert!(!err.contains("note: 1 warning"), "{err}");
    // Long lists name what fits in a line, and count the others.
    for i in 0..25 {
        write(&dir.path().join(format!("indicators/x{i:02}.xlsx")), "");
    }
    let (_, _, err) = check(dir.path());
    assert!(
        err.contains("27 files of a kind tocsin does not read were skipped: indicators/a.xlsx, "),
        "{err}"
    );
    assert!(err.contains("indicators/x10.xlsx, and 14 more\n"), "{err}");
}

#[test]
fn the_daemon_warns_when_the_skipped_files_change_and_reads_new_kinds() {
    let mut d = Daemon::start(
        &[
            (
                "rules/a.rules",
                "indicator t_two { when: latest(t) == 2 }\nindicator z_three { when: latest(z) == 3 }\n",
            ),
            ("indicators/t.tsv", "date\tvalue\n2025-01-01\t1\n"),
            ("indicators/z.csv.gz", ""),
            ("indicators/a.xlsx", "PK"),
        ],
        &["--at", "2025-01-02"],
        &[],
    );
    let warned = |e: &Value| e["event"] == "warning" && e["code"] == "W006";
    let at_start: Vec<&Value> = d.startup.iter().filter(|e| warned(e)).collect();
    assert_eq!(at_start.len(), 1, "{:#?}", d.startup);
    assert!(at_start[0]["message"]
        .as_str()
        .unwrap()
        .ends_with("was skipped: indicators/a.xlsx"));
    // Changes to .tsv and .gz files are picked up.
    write(&d.path("indicators/t.tsv"), "date\tvalue\n2025-01-02\t2\n");
    d.status("t_two", "met");
    std::fs::write(
        d.path("indicators/z.csv.gz"),
        gz(b"date,value\n2025-01-02,3\n"),
    )
    .unwrap();
    d.status("z_three", "met");
    // A new skipped file: warned about once, with the whole set.
    write(&d.path("indicators/b.feather"), "ARROW1");
    let (e, _) = d.expect(warned);
    assert!(e["message"]
        .as_str()
        .unwrap()
        .ends_with("were skipped: indicators/a.xlsx, indicators/b.feather"));
    // Reloads that leave the set alone do not repeat it.
    write(&d.path("indicators/t.tsv"), "date\tvalue\n2025-01-02\t5\n");
    d.status("t_two", "not_met");
    let later = d.drain(Duration::from_millis(300));
    assert!(!later.iter().any(warned), "{later:#?}");
}

#[test]
fn a_glued_append_says_a_line_break_may_be_missing() {
    let mut text = String::from("date,value,actor\n");
    for day in 1..=9 {
        text.push_str(&format!("2025-01-0{day},{day},Houthi rebels\n"));
    }
    // The writer forgot the line break after a row with a long cell, then
    // appended: the mark stays short.
    text.push_str(&format!(
        "2025-01-10,4,{}",
        "Ansar Allah (Houthis) ".repeat(10).trim_end()
    ));
    text.push_str("2025-01-11,2,Houthi rebels\n");
    let dir = project(&[("rules/a.rules", ""), ("indicators/attacks.csv", &text)]);
    let (code, _, err) = check(dir.path());
    assert_eq!(code, 2);
    insta::assert_snapshot!(err);
}

#[test]
fn a_header_read_with_the_wrong_delimiter_says_so() {
    let dir = project(&[
        ("rules/a.rules", ""),
        ("indicators/rates.tsv", "date,value\n2025-01-01,1\n"),
    ]);
    let (code, _, err) = check(dir.path());
    assert_eq!(code, 2);
    insta::assert_snapshot!(err);
}
