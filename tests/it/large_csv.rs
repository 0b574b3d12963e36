//! A CSV file past the size from which it is read in chunks on every core:
//! the counts, the lines of diagnostics and the first error are those of
//! the one-thread read.

use crate::common::write;
use assert_cmd::Command;
use std::path::Path;
use std::time::Duration;
use tempfile::TempDir;

const RULE: &str = "indicator clashes { when: count(acled[actor ~ \"houthi\"], 10y) >= 1 }\n";

fn tocsin(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("tocsin").unwrap();
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("TOCSIN_TODAY", "2026-01-01")
        .timeout(Duration::from_secs(20));
    c
}

/// Just over 16 MiB of ACLED-like rows, each a quoted note over two
/// lines (CRLF in every other row): row `i` starts on line `2 + 2 i`.
/// Rows `no_date` have no date, row `bad` an invalid one.
fn acled(rows: usize, no_date: &[usize], bad: Option<usize>) -> String {
    let mut s = String::from("id,event_date,actor,notes,fatalities\n");
    let note = "On the date, forces \"\"reportedly\"\" shelled positions; ".repeat(3);
    for i in 0..rows {
        let date = match i {
            _ if no_date.contains(&i) => "",
            _ if Some(i) == bad => "2025-13-01",
            _ => "2025-03-01",
        };
        let actor = if i % 3 == 0 {
            "Houthi Movement"
        } else {
            "\"Protesters, Yemen\""
        };
        let end = if i % 2 == 0 { "\r\n" } else { "\n" };
        s += &format!(
            "YEM{i},{date},{actor},\"{note}{end}event {i}\",{}{end}",
            i % 5
        );
    }
    s
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = tocsin(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_large_file_read_in_chunks_keeps_counts_lines_and_the_first_error() {
    let rows = 78_500;
    let text = acled(rows, &[40_001, 70_000], None);
    assert!(text.len() > 16 << 20 && text.len() < 17 << 20);
    let dir = TempDir::new().unwrap();
    write(&dir.path().join("rules/a.rules"), RULE);
    write(&dir.path().join("indicators/acled.csv"), &text);

    let (code, out, err) = run(dir.path(), &["eval", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let houthi = (0..rows).filter(|i| i % 3 == 0 && *i != 70_000).count();
    assert!(out.contains(&format!("\"value\": {houthi}.0")), "{out}");
    let (code, _, err) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning[W003]: 2 rows without a date were skipped")
            && err.contains("indicators/acled.csv:80004:1"),
        "{err}"
    );

    let text = acled(rows, &[], Some(78_490)) + &acled(2, &[], Some(1))[37..];
    write(&dir.path().join("indicators/acled.csv"), &text);
    let (code, _, err) = run(dir.path(), &["check"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error[E303]: date '2025-13-01' is not a valid date")
            && err.contains(&format!("indicators/acled.csv:{}:", 2 + 2 * 78_490)),
        "{err}"
    );
    assert_eq!(err.matches("error[").count(), 1, "{err}");
}

/// Past 32 MiB a plain CSV file is read as it streams, never whole; where
/// that reading gives up (here, at an invalid date near the end) the file
/// is read whole and the error is the one-thread read's.
#[test]
fn a_file_read_as_it_streams_keeps_counts_lines_and_the_first_error() {
    let rows = 157_000;
    let text = acled(rows, &[], None);
    assert!(text.len() > 32 << 20, "{}", text.len());
    let dir = TempDir::new().unwrap();
    write(&dir.path().join("rules/a.rules"), RULE);
    write(&dir.path().join("indicators/acled.csv"), &text);

    let (code, out, err) = run(dir.path(), &["eval", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let houthi = (0..rows).filter(|i| i % 3 == 0).count();
    assert!(out.contains(&format!("\"value\": {houthi}.0")), "{out}");
    let (code, _, err) = run(dir.path(), &["explain", "clashes"]);
    assert_eq!(code, 0, "{err}");

    let text = acled(rows, &[], Some(156_990));
    write(&dir.path().join("indicators/acled.csv"), &text);
    let (code, _, err) = run(dir.path(), &["check"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error[E303]: date '2025-13-01' is not a valid date")
            && err.contains(&format!("indicators/acled.csv:{}:", 2 + 2 * 156_990)),
        "{err}"
    );
}

/// A CSV file over the 1 GiB limit of a whole read is read as it
/// streams; one the stream gives up on (here, a run of NUL bytes that no
/// line break ends) cannot be read whole either, and says so. The file
/// is sparse: it takes no disk.
#[test]
fn a_file_over_a_gibibyte_that_cannot_stream_says_why() {
    let dir = TempDir::new().unwrap();
    write(&dir.path().join("rules/a.rules"), RULE);
    let path = dir.path().join("indicators/acled.csv");
    write(&path, "id,event_date,actor\n1,2025-03-01,Houthi Movement\n");
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len((1 << 30) + (1 << 20)).unwrap();
    let out = tocsin(dir.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error[E311]: indicators/acled.csv: the file is 1074790400 bytes: it could not be read as it streams, and a data file read whole is limited to 1024 MiB"),
        "{err}"
    );
}

/// The daemon reads a file of 32 MiB or more as it streams, and then only
/// the lines it gains at its end: their rows are taken in, and a bad one
/// is reported at its line of the whole file.
#[test]
fn the_daemon_reads_a_streamed_file_then_only_its_new_lines() {
    use std::io::Write;
    let rows = 157_000;
    let text = acled(rows, &[], None);
    assert!(text.len() > 32 << 20, "{}", text.len());
    let dir = TempDir::new().unwrap();
    let rule = "indicator today { when: count(acled[actor ~ \"houthi\"], 1d) >= 1 }\n";
    write(&dir.path().join("rules/a.rules"), rule);
    write(&dir.path().join("indicators/acled.csv"), &text);
    let mut d = crate::common::Daemon::start_in(dir, &["--at", "2025-03-02"], &[]);
    let statuses = |events: &[serde_json::Value]| -> Vec<String> {
        events
            .iter()
            .filter(|e| e["event"] == "status")
            .map(|e| format!("{} {}", e["name"], e["to"]))
            .collect()
    };
    assert_eq!(statuses(&d.startup), ["\"today\" \"not_met\""]);
    let append = |d: &crate::common::Daemon, more: &str| {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(d.path("indicators/acled.csv"))
            .unwrap();
        f.write_all(more.as_bytes()).unwrap();
    };
    append(&d, "YEMX,2025-03-02,Houthi Movement,\"a\nb\",1\n");
    let (reload, before) = d.expect(|e| e["event"] == "reload");
    assert_eq!(statuses(&before), ["\"today\" \"met\""], "{reload}");
    // Rows take two lines each after the header; the new row took two.
    append(&d, "YEMY,2025-13-01,Houthi Movement,x,1\n");
    let (err, _) = d.expect(|e| e["event"] == "error");
    assert_eq!(err["line"], 2 + 2 * rows as u64 + 2, "{err}");
    assert_eq!(err["code"], "E303", "{err}");
}
