//! The watch daemon, run for real against a temporary folder: every kind of
//! file change produces the right events, bad edits are rejected while the
//! last good state keeps being served, the date moves at midnight, and
//! SIGTERM stops it cleanly.

use crate::common::{free_port, write, Daemon, WAIT};
use serde_json::Value;
use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};
use tempfile::TempDir;

const RULE: &str = "indicator high { when: latest(gauge) > 5 }\n";
const LOW: &str = "date,value\n2025-01-01,3\n";
const HIGH: &str = "date,value\n2025-01-01,3\n2025-02-01,9\n";

#[test]
fn start_announces_every_rule_once() {
    let mut d = Daemon::start(
        &[("rules/a.rules", RULE), ("indicators/gauge.csv", LOW)],
        &["--at", "2025-03-01"],
        &[],
    );
    // The start event came after the status events: they are in `seen`.
    let rest = d.drain(Duration::from_millis(300));
    assert!(rest.is_empty(), "{rest:?}");
    let (code, _) = d.terminate();
    assert_eq!(code, 0);
}

#[test]
fn an_edit_in_place_changes_status() {
    let mut d = Daemon::start(
        &[("rules/a.rules", RULE), ("indicators/gauge.csv", LOW)],
        &["--at", "2025-03-01"],
        &[],
    );
    write(&d.path("indicators/gauge.csv"), HIGH);
    let e = d.status("high", "met");
    assert_eq!(e["from"], "not_met");
    assert_eq!(e["at"], "2025-03-01");
    let (reload, _) = d.expect(|e| e["event"] == "reload");
    assert_eq!(reload["files"], serde_json::json!(["indicators/gauge.csv"]));
}

#[test]
fn an_atomic_rename_save_is_seen() {
    let mut d = Daemon::start(
        &[("rules/a.rules", RULE), ("indicators/gauge.csv", LOW)],
        &["--at", "2025-03-01"],
        &[],
    );
    // What editors do: write a temporary file, then rename it over the old one.
    write(&d.path("rules/.a.rules.swp"), "broken {");
    write(
        &d.path("rules/a.rules.tmp"),
        "indicator high { when: latest(gauge) > 1 }\n",
    );
    std::fs::rename(d.path("rules/a.rules.tmp"), d.path("rules/a.rules")).unwrap();
    d.status("high", "met");
}

#[test]
fn a_new_file_and_a_deletion() {
    let mut d = Daemon::start(
        &[("rules/a.rules", RULE), ("indicators/gauge.csv", HIGH)],
        &["--at", "2025-03-01"],
        &[],
    );
    write(
        &d.path("rules/sub/b.rules"),
        "alert also { severity: critical when: high }\n",
    );
    let e = d.status("also", "met");
    assert_eq!(e["from"], Value::Null);
    assert_eq!(e["severity"], "critical");
    std::fs::remove_file(d.path("rules/sub/b.rules")).unwrap();
    let e = d.status("also", "removed");
    assert_eq!(e["from"], "met");
    assert_eq!(e["kind"], "alert");
}

#[test]
fn an_ndjson_append_is_picked_up() {
    let mut d = Daemon::start(
        &[
            (
                "rules/a.rules",
                "indicator busy { when: count(stream, 30d) >= 2 }\n",
            ),
            ("indicators/stream.ndjson", "{\"date\": \"2025-02-20\"}\n"),
        ],
        &["--at", "2025-03-01"],
        &[],
    );
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(d.path("indicators/stream.ndjson"))
        .unwrap();
    writeln!(f, "{{\"date\": \"2025-02-27\", \"actor\": \"x\"}}").unwrap();
    drop(f);
    d.status("busy", "met");
}

#[test]
fn a_kubernetes_style_symlink_swap_is_seen() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("indicators");
    write(&dir.path().join("rules/a.rules"), RULE);
    write(&data.join("..2025_01/gauge.csv"), LOW);
    std::os::unix::fs::symlink("..2025_01", data.join("..data")).unwrap();
    std::os::unix::fs::symlink("..data/gauge.csv", data.join("gauge.csv")).unwrap();
    let mut d = Daemon::start_in(dir, &["--at", "2025-03-01"], &[]);
    // The new version appears in a new folder; `..data` is swapped to it
    // atomically by renaming a new link over it.
    write(&data.join("..2025_02/gauge.csv"), HIGH);
    std::os::unix::fs::symlink("..2025_02", data.join("..data_tmp")).unwrap();
    std::fs::rename(data.join("..data_tmp"), data.join("..data")).unwrap();
    d.status("high", "met");
}

/// A root folder deleted and made again is watched again: an edit in the
/// new folder is seen, for the rules as for the data.
#[test]
fn a_root_folder_deleted_and_made_again_is_watched_again() {
    let mut d = Daemon::start(
        &[("rules/a.rules", RULE), ("indicators/gauge.csv", LOW)],
        &["--at", "2025-03-01"],
        &[],
    );
    std::fs::remove_dir_all(d.path("rules")).unwrap();
    d.status("high", "removed");
    write(&d.path("rules/a.rules"), RULE);
    d.status("high", "not_met");
    write(
        &d.path("rules/a.rules"),
        "indicator high { when: latest(gauge) > 1 }\n",
    );
    d.status("high", "met");
    // Without the data, the rule names an unknown series: refused, the
    // last good files kept; the data back, then edited, is seen.
    std::fs::remove_dir_all(d.path("indicators")).unwrap();
    d.expect(|e| e["event"] == "error" && e["code"] == "E101");
    write(&d.path("indicators/gauge.csv"), LOW);
    d.expect(|e| e["event"] == "reload");
    write(
        &d.path("indicators/gauge.csv"),
        "date,value\n2025-01-01,0\n",
    );
    d.status("high", "not_met");
}

/// A root that is a link, swapped to another folder by renaming a new
/// link over it (an atomic deploy), is read and watched there; a rule file
/// linked in from outside the folder is seen when the file it leads to is
/// edited in place or saved by rename.
#[test]
fn a_swapped_root_link_and_a_file_linked_from_outside_are_watched() {
    let dir = TempDir::new().unwrap();
    let p = dir.path();
    write(&p.join("v1/a.rules"), RULE);
    write(
        &p.join("v2/a.rules"),
        "indicator high { when: latest(gauge) > 1 }\n",
    );
    write(
        &p.join("shared/e.rules"),
        "indicator ext { when: latest(gauge) > 100 }\n",
    );
    write(&p.join("indicators/gauge.csv"), LOW);
    for v in ["v1", "v2"] {
        std::os::unix::fs::symlink(p.join("shared/e.rules"), p.join(v).join("e.rules")).unwrap();
    }
    std::os::unix::fs::symlink("v1", p.join("rules")).unwrap();
    let mut d = Daemon::start_in(dir, &["--at", "2025-03-01"], &[]);
    std::os::unix::fs::symlink("v2", d.path("rules.new")).unwrap();
    std::fs::rename(d.path("rules.new"), d.path("rules")).unwrap();
    d.status("high", "met");
    // Edits of the folder now in force are seen; v1 is no longer read.
    write(
        &d.path("v2/a.rules"),
        "indicator high { when: latest(gauge) > 4 }\n",
    );
    d.status("high", "not_met");
    write(
        &d.path("shared/e.rules"),
        "indicator ext { when: latest(gauge) > 0 }\n",
    );
    d.status("ext", "met");
    write(
        &d.path("shared/e.tmp"),
        "indicator ext { when: latest(gauge) > 50 }\n",
    );
    std::fs::rename(d.path("shared/e.tmp"), d.path("shared/e.rules")).unwrap();
    d.status("ext", "not_met");
    write(
        &d.path("shared/e.rules"),
        "indicator ext { when: latest(gauge) > 0 }\n",
    );
    d.status("ext", "met");
}

/// What a link leads to, deleted and made again (a linked file), or made
/// after the link (a root swapped to a folder not there yet), is seen: the
/// folder holding it is watched too.
#[test]
fn a_link_target_deleted_and_made_again_or_made_late_is_seen() {
    let dir = TempDir::new().unwrap();
    let p = dir.path();
    write(&p.join("r1/a.rules"), RULE);
    write(
        &p.join("shared/e.rules"),
        "indicator ext { when: latest(gauge) > 100 }\n",
    );
    write(&p.join("indicators/gauge.csv"), LOW);
    // A relative link, through `..`.
    std::os::unix::fs::symlink("../shared/e.rules", p.join("r1/e.rules")).unwrap();
    std::os::unix::fs::symlink("r1", p.join("rules")).unwrap();
    let mut d = Daemon::start_in(dir, &["--at", "2025-03-01"], &[]);
    std::fs::remove_file(d.path("shared/e.rules")).unwrap();
    d.expect(|e| e["event"] == "error" && e["code"] == "E301");
    write(
        &d.path("shared/e.rules"),
        "indicator ext { when: latest(gauge) > 1 }\n",
    );
    d.status("ext", "met");
    write(
        &d.path("shared/e.rules"),
        "indicator ext { when: latest(gauge) > 50 }\n",
    );
    d.status("ext", "not_met");
    // The root swapped to a folder not made yet: its rules go; the folder
    // made, its rules come, and an edit in it is seen.
    std::os::unix::fs::symlink("r3", d.path("rules.new")).unwrap();
    std::fs::rename(d.path("rules.new"), d.path("rules")).unwrap();
    d.status("high", "removed");
    write(
        &d.path("r3/x.rules"),
        "indicator x { when: latest(gauge) > 1 }\n",
    );
    d.status("x", "met");
    write(
        &d.path("r3/x.rules"),
        "indicator x { when: latest(gauge) > 4 }\n",
    );
    d.status("x", "not_met");
}

/// A gzip-compressed data file is read whole by the daemon, as by `eval`
/// (its text is longer than the file: no length of the file cuts it).
#[test]
fn a_compressed_data_file_is_read_whole() {
    use flate2::write::GzEncoder;
    let dir = TempDir::new().unwrap();
    write(
        &dir.path().join("rules/a.rules"),
        "indicator big { when: count(s, 1y) >= 40 }\n",
    );
    let mut text = String::from("date,value\n");
    for day in 1..=40 {
        text += &format!(
            "2024-{:02}-{:02},1\n",
            1 + (day - 1) / 28,
            1 + (day - 1) % 28
        );
    }
    let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    std::fs::create_dir_all(dir.path().join("indicators")).unwrap();
    std::fs::write(dir.path().join("indicators/s.csv.gz"), gz.finish().unwrap()).unwrap();
    let d = Daemon::start_in(dir, &["--at", "2024-03-01"], &[]);
    assert!(
        d.startup
            .iter()
            .any(|e| e["event"] == "status" && e["name"] == "big" && e["to"] == "met"),
        "{:?}",
        d.startup
    );
}

/// A linked-in file bad from the start (no version in force) is taken
/// once the file it leads to is fixed.
#[test]
fn a_linked_file_bad_from_the_start_is_taken_once_fixed() {
    let dir = TempDir::new().unwrap();
    let p = dir.path();
    write(&p.join("rules/a.rules"), RULE);
    write(&p.join("indicators/gauge.csv"), HIGH);
    write(
        &p.join("ext/x.rules"),
        "indicator ex { when: latest(gauge) > 1 \n",
    );
    std::os::unix::fs::symlink(p.join("ext/x.rules"), p.join("rules/x.rules")).unwrap();
    let mut d = Daemon::start_in(dir, &["--at", "2025-03-01"], &[]);
    assert!(d
        .startup
        .iter()
        .any(|e| e["event"] == "error" && e["code"] == "E001"));
    write(
        &d.path("ext/x.rules"),
        "indicator ex { when: latest(gauge) > 1 }\n",
    );
    d.status("ex", "met");
}

/// A link under a root that leads nowhere (its target gone, a loop) is a
/// file that cannot be read, E301, as `check` says: not a file deleted.
#[test]
fn a_link_that_leads_nowhere_is_an_error_as_for_check() {
    let dir = TempDir::new().unwrap();
    write(&dir.path().join("rules/a.rules"), RULE);
    write(&dir.path().join("indicators/gauge.csv"), LOW);
    std::os::unix::fs::symlink(
        dir.path().join("nowhere.rules"),
        dir.path().join("rules/b.rules"),
    )
    .unwrap();
    let d = Daemon::start_in(dir, &["--at", "2025-03-01"], &[]);
    let error = d
        .startup
        .iter()
        .find(|e| e["event"] == "error")
        .expect("an error event");
    assert_eq!(
        (error["file"].as_str(), error["code"].as_str()),
        (Some("rules/b.rules"), Some("E301"))
    );
}

/// A start that refused a rule file has no good ruleset: `/healthz` and
/// the status say so (503) until the file is fixed, while `/metrics`
/// already shows the refusal; a later refusal keeps the daemon ready.
#[test]
fn a_start_that_refused_a_file_is_not_ready_until_it_is_fixed() {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut d = Daemon::start(
        &[
            (
                "rules/a.rules",
                "indicator high { when: latest(gauge) > }\n",
            ),
            ("indicators/gauge.csv", HIGH),
        ],
        &["--at", "2025-03-01", "--listen", &addr],
        &[],
    );
    assert_eq!(d.get("/healthz").0, 503);
    assert_eq!(d.get("/api/v1/status").0, 503);
    let (code, metrics) = d.get("/metrics");
    assert_eq!(code, 200);
    assert!(metrics.contains("\ntocsin_reload_success 0\n"), "{metrics}");
    write(&d.path("rules/a.rules"), RULE);
    d.status("high", "met");
    assert_eq!(d.get("/healthz").0, 200);
    assert_eq!(d.get("/api/v1/status").0, 200);
    write(
        &d.path("rules/a.rules"),
        "indicator high { when: latest(gauge) > }\n",
    );
    d.expect(|e| e["event"] == "error");
    assert_eq!(d.get("/healthz").0, 200);
}

/// A data file refused at the start keeps the daemon unready while it
/// stays refused, though other changes are taken; fixed, it is ready.
#[test]
fn a_data_file_refused_at_the_start_keeps_it_unready_until_fixed() {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut d = Daemon::start(
        &[
            ("rules/a.rules", RULE),
            ("indicators/gauge.csv", LOW),
            ("indicators/bad.csv", "date,value\n2025-13-01,1\n"),
        ],
        &["--at", "2025-03-01", "--listen", &addr],
        &[],
    );
    assert_eq!(d.get("/healthz").0, 503);
    write(
        &d.path("rules/a.rules"),
        "indicator high { when: latest(gauge) > 1 }\n",
    );
    d.status("high", "met");
    d.expect(|e| e["event"] == "reload");
    assert_eq!(d.get("/healthz").0, 503);
    write(&d.path("indicators/bad.csv"), "date,value\n2025-02-01,1\n");
    d.expect(|e| e["event"] == "reload");
    assert_eq!(d.get("/healthz").0, 200);
}

#[test]
fn broken_files_are_rejected_and_the_last_good_state_is_served() {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut d = Daemon::start(
        &[("rules/a.rules", RULE), ("indicators/gauge.csv", HIGH)],
        &["--at", "2025-03-01", "--listen", &addr],
        &[],
    );
    assert_eq!(d.board()["results"][0]["status"], "met");

    // A broken rule file: an error event with its location; the old rule stays.
    write(
        &d.path("rules/a.rules"),
        "indicator high { when: latest(gauge) > }\n",
    );
    let (err, _) = d.expect(|e| e["event"] == "error");
    assert_eq!(err["file"], "rules/a.rules");
    assert_eq!(
        (err["line"].as_u64(), err["col"].as_u64()),
        (Some(1), Some(40))
    );
    assert_eq!(d.board()["results"][0]["status"], "met");
    assert_eq!(d.get("/healthz").0, 200);

    // A broken CSV: rejected whole, the last good data stays.
    write(
        &d.path("indicators/gauge.csv"),
        "date,value\n2025-01-01,3\n2025-13-01,1\n",
    );
    let (err, _) = d.expect(|e| e["event"] == "error");
    assert_eq!(err["file"], "indicators/gauge.csv");
    assert_eq!(err["line"], 3);
    assert_eq!(err["code"], "E303");
    assert_eq!(d.board()["results"][0]["status"], "met");
    let metrics = d.get("/metrics").1;
    assert!(metrics.contains("tocsin_reload_success 0"), "{metrics}");
    assert!(
        metrics.contains(
            "tocsin_rule_status{name=\"high\",kind=\"indicator\",severity=\"\",status=\"met\"} 1"
        ),
        "{metrics}"
    );

    // A rule file that parses but does not check (an unknown name) is
    // rejected the same way.
    write(
        &d.path("rules/b.rules"),
        "indicator other { when: latest(nope) > 1 }\n",
    );
    let (err, _) = d.expect(|e| e["event"] == "error");
    assert_eq!(err["file"], "rules/b.rules");
    assert_eq!(err["code"], "E101");

    // Fixing them recovers.
    write(
        &d.path("rules/a.rules"),
        "indicator high { when: latest(gauge) > 4 }\n",
    );
    write(&d.path("indicators/gauge.csv"), LOW);
    write(
        &d.path("rules/b.rules"),
        "indicator other { when: latest(gauge) > 1 }\n",
    );
    d.status("other", "met");
    let deadline = Instant::now() + WAIT;
    while d.board()["results"].as_array().unwrap().len() < 2
        || d.get("/metrics").1.contains("tocsin_reload_success 0")
    {
        assert!(Instant::now() < deadline, "never recovered");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(d.get("/nope").0, 404);
    let (code, _) = d.terminate();
    assert_eq!(code, 0);
}

#[test]
fn a_new_file_defining_a_name_again_is_the_one_refused_and_its_removal_is_said() {
    // `a.rules` comes before `b.rules` in path order, so the checker calls
    // b's definition the second; b's is the one in force.
    let mut d = Daemon::start(
        &[
            (
                "rules/b.rules",
                "indicator high { when: latest(gauge) > 5 }\n",
            ),
            ("indicators/gauge.csv", HIGH),
        ],
        &["--at", "2025-03-01"],
        &[],
    );
    write(&d.path("rules/a.rules"), "indicator high { when: false }\n");
    let (err, _) = d.expect(|e| e["event"] == "error");
    assert_eq!(err["code"], "E102");
    assert_eq!(err["file"], "rules/a.rules");
    assert_eq!(
        (err["line"].as_u64(), err["col"].as_u64()),
        (Some(1), Some(11))
    );
    assert_eq!(err["kept"], false);
    // Deleting the refused file changes no status but clears the error:
    // a reload says so.
    std::fs::remove_file(d.path("rules/a.rules")).unwrap();
    let (reload, before) = d.expect(|e| e["event"] == "reload");
    assert_eq!(reload["reason"], "change");
    assert!(before.iter().all(|e| e["event"] != "status"), "{before:?}");
    // A removed data file put back as it was clears its errors alike.
    std::fs::rename(d.path("indicators/gauge.csv"), d.path("gauge.csv")).unwrap();
    let (err, _) = d.expect(|e| e["event"] == "error");
    assert_eq!(err["code"], "E101");
    std::fs::rename(d.path("gauge.csv"), d.path("indicators/gauge.csv")).unwrap();
    d.expect(|e| e["event"] == "reload");
    let (code, _) = d.terminate();
    assert_eq!(code, 0);
}

#[test]
fn crossing_midnight_re_evaluates() {
    let clock = TempDir::new().unwrap();
    let clock_file = clock.path().join("today");
    write(&clock_file, "2025-05-23\n");
    let mut d = Daemon::start(
        &[
            (
                "rules/a.rules",
                "indicator back { when: resumed(strikes, quiet: 3mo, within: 14d) }\n",
            ),
            ("indicators/strikes.csv", "date\n2025-01-05\n2025-05-10\n"),
        ],
        &[],
        &[("TOCSIN_CLOCK_FILE", clock_file.to_str().unwrap())],
    );
    // No file changes: only the date moves, and the window expires by itself.
    write(&clock_file, "2025-05-24\n");
    let e = d.status("back", "not_met");
    assert_eq!(e["from"], "met");
    assert_eq!(e["at"], "2025-05-24");
    let (reload, _) = d.expect(|e| e["event"] == "reload");
    assert_eq!(reload["reason"], "date");
}

#[test]
fn sigterm_stops_within_a_second_with_exit_0() {
    let d = Daemon::start(
        &[("rules/a.rules", RULE), ("indicators/gauge.csv", LOW)],
        &["--at", "2025-03-01"],
        &[],
    );
    let (code, took) = d.terminate();
    assert_eq!(code, 0);
    assert!(took < Duration::from_secs(1), "took {took:?}");
}

/// A new rule file refused by the check (a series no file gives) is
/// tried again at every reload, and told once: not again at each later
/// change of another file, until a new version of it comes.
#[test]
fn a_refused_rule_file_is_told_once_while_other_files_change() {
    let mut d = Daemon::start(
        &[("rules/a.rules", RULE), ("indicators/gauge.csv", LOW)],
        &["--at", "2025-03-01"],
        &[],
    );
    write(
        &d.path("rules/y.rules"),
        "indicator y { when: latest(nosuch) > 5 }\n",
    );
    d.expect(|e| e["event"] == "error" && e["code"] == "E101");
    for day in 2..5 {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(d.path("indicators/gauge.csv"))
            .unwrap();
        writeln!(f, "2025-01-0{day},4").unwrap();
        drop(f);
        let (reload, before) = d.expect(|e| e["event"] == "reload");
        assert_eq!(reload["files"][0], "indicators/gauge.csv");
        assert!(before.is_empty(), "{before:?}");
    }
    write(
        &d.path("rules/y.rules"),
        "indicator y { when: latest(nosuch) > 5 }\n\n",
    );
    d.expect(|e| e["event"] == "error" && e["code"] == "E101");
    write(
        &d.path("rules/y.rules"),
        "indicator y { when: latest(gauge) > 5 }\n",
    );
    d.status("y", "not_met");
}

/// A feed's writer caught between the two halves of a line: the half
/// line is not read as a row (no instance `na`); the whole one is. A last
/// line that never gets its line feed is read once it has stayed so.
#[test]
fn a_line_still_being_written_is_not_read_half() {
    let mut d = Daemon::start(
        &[
            (
                "rules/a.rules",
                "indicator busy { by: actor when: count(strm, 30d) >= 1 }\n",
            ),
            ("indicators/strm.csv", "date,actor\n2025-02-01,houthi\n"),
        ],
        &["--at", "2025-03-01"],
        &[],
    );
    let append = |d: &Daemon, text: &str| {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(d.path("indicators/strm.csv"))
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    };
    append(&d, "2025-02-20,na");
    std::thread::sleep(Duration::from_millis(250));
    append(&d, "vy\n");
    let (navy, before) = d.expect(|e| e["event"] == "status");
    assert_eq!(navy["labels"]["actor"], "navy", "{before:?}");
    append(&d, "2025-02-21,army");
    let (army, _) = d.expect(|e| e["event"] == "status");
    assert_eq!(army["labels"]["actor"], "army");
    let rest = d.drain(Duration::from_millis(300));
    assert!(rest.iter().all(|e| e["event"] != "status"), "{rest:?}");
}

/// A warning about files that did not change (a summed series repeating
/// a date) is told at the start, not again at each change elsewhere.
#[test]
fn a_warning_is_told_once_while_other_files_change() {
    let mut d = Daemon::start(
        &[
            (
                "rules/a.rules",
                "indicator big { when: sum(dup, 30d) > 5 }\nindicator o { when: latest(other) > 1 }\n",
            ),
            ("indicators/dup.csv", "date,value\n2025-01-01,3\n2025-01-01,3\n"),
            ("indicators/other.csv", "date,value\n2025-01-01,3\n"),
        ],
        &["--at", "2025-03-01"],
        &[],
    );
    assert!(d
        .startup
        .iter()
        .any(|e| e["event"] == "warning" && e["code"] == "W008"));
    for day in 2..5 {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(d.path("indicators/other.csv"))
            .unwrap();
        writeln!(f, "2025-01-0{day},4").unwrap();
        drop(f);
        let (_, before) = d.expect(|e| e["event"] == "reload");
        assert!(before.is_empty(), "{before:?}");
    }
}

/// With stdout closed (`tocsin watch | head -1`) and no sink, a change
/// would be announced nowhere: the daemon says so and stops.
#[test]
fn a_closed_stdout_without_a_sink_stops_the_daemon() {
    use std::io::{BufRead, BufReader};
    let dir = TempDir::new().unwrap();
    write(&dir.path().join("rules/a.rules"), RULE);
    write(&dir.path().join("indicators/gauge.csv"), LOW);
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("tocsin"))
        .args(["watch", "--format", "json", "--at", "2025-03-01"])
        .current_dir(dir.path())
        .env_remove("TOCSIN_WEBHOOK")
        .env_remove("TOCSIN_ALERTMANAGER")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("\"reload\"") {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0);
    }
    drop(out);
    write(
        &dir.path().join("rules/a.rules"),
        "indicator high { when: latest(gauge) > 1 }\n",
    );
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "still running");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success());
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(
        err.contains("standard output was closed, and no sink is set"),
        "{err}"
    );
}

#[test]
fn sighup_reloads_everything() {
    let mut d = Daemon::start(
        &[("rules/a.rules", RULE), ("indicators/gauge.csv", LOW)],
        &["--at", "2025-03-01"],
        &[],
    );
    Command::new("kill")
        .args(["-HUP", &d.child.id().to_string()])
        .status()
        .unwrap();
    let (reload, _) = d.expect(|e| e["event"] == "reload");
    assert_eq!(reload["reason"], "signal");
}

#[test]
fn a_rule_edit_that_filters_on_a_column_no_rule_read_sees_its_cells() {
    let events = "date,actor,region\n\
                  2025-02-01,PLA,East\n\
                  2025-02-02,PLA,East\n\
                  2025-02-03,Navy,West\n";
    let mut d = Daemon::start(
        &[
            (
                "rules/a.rules",
                "indicator busy { when: count(acled[actor == \"PLA\"], 60d) >= 3 }\n",
            ),
            ("indicators/acled.csv", events),
        ],
        &["--at", "2025-03-01"],
        &[],
    );
    // `region` was read by no rule when the data was loaded.
    write(
        &d.path("rules/a.rules"),
        "indicator busy { when: count(acled[region == \"East\"], 60d) >= 2 }\n",
    );
    let e = d.status("busy", "met");
    assert_eq!(e["from"], "not_met");
    // The data file, parsed again for the new column, is no change to report.
    let (reload, _) = d.expect(|e| e["event"] == "reload");
    assert_eq!(reload["files"], serde_json::json!(["rules/a.rules"]));
    // And back: the column stays, the status follows the rule.
    write(
        &d.path("rules/a.rules"),
        "indicator busy { when: count(acled[region == \"West\"], 60d) >= 2 }\n",
    );
    d.status("busy", "not_met");
}

#[test]
fn a_threshold_edited_in_one_file_of_several_announces_that_rule_alone() {
    let shared = "let limit = 5\nindicator high { when: latest(gauge) > limit }\n";
    let plain = "indicator above_two { when: latest(gauge) > 2 }\n\
                 alert above_four { severity: critical when: latest(gauge) > 4 }\n";
    let mut d = Daemon::start(
        &[
            ("rules/a.rules", shared),
            ("rules/b.rules", plain),
            ("indicators/gauge.csv", LOW),
        ],
        &[
            "--at",
            "2025-03-01",
            "--listen",
            &format!("127.0.0.1:{}", free_port()),
        ],
        &[],
    );
    write(&d.path("rules/b.rules"), &plain.replace("> 4", "> 1"));
    let (reload, before) = d.expect(|e| e["event"] == "reload");
    assert_eq!(reload["files"], serde_json::json!(["rules/b.rules"]));
    let changed = Daemon::statuses(&before);
    assert_eq!(
        changed,
        [(
            "above_four".to_string(),
            Value::from("not_met"),
            "met".to_string()
        )]
    );
    // The board served is the new one, every rule on it.
    let board = d.board();
    let rules = board["results"].as_array().unwrap();
    let status = |name: &str| rules.iter().find(|r| r["name"] == name).unwrap()["status"].clone();
    assert_eq!(status("above_four"), "met");
    assert_eq!(status("above_two"), "met");
    assert_eq!(status("high"), "not_met");
    // A restart finds the change recorded: nothing is announced again.
    let (code, dir) = d.stop();
    assert_eq!(code, 0);
    let d = Daemon::start_in(dir, &["--at", "2025-03-01"], &[]);
    assert!(Daemon::statuses(&d.startup).is_empty(), "{:?}", d.startup);
}
