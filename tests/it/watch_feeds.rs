//! Feeds in the daemon: the status API and the metrics give every data
//! series' freshness at the daemon's date, and a feed going stale as the
//! date moves turns the rules that read it unknown, announced as a change.

use crate::common::{free_port, write, Daemon};
use serde_json::Value;
use tempfile::TempDir;

const RULES: &str = "feed strikes {\n  stale_after: 10d\n  title: \"Strike reports\"\n  source: \"Daily \\\"digest\\\"\"\n}\n\nindicator busy { when: count(strikes, 30d) >= 1 }\n";
const DATA: &str = "date\n2025-04-20\n2025-05-01\n";

fn feed(board: &Value) -> &Value {
    let feeds = board["feeds"].as_array().expect("feeds");
    assert_eq!(feeds.len(), 1, "{board:#}");
    &feeds[0]
}

#[test]
fn a_feed_going_stale_at_midnight_shows_in_events_status_and_metrics() {
    let clock = TempDir::new().unwrap();
    let clock_file = clock.path().join("today");
    write(&clock_file, "2025-05-05\n");
    let addr = format!("127.0.0.1:{}", free_port());
    let mut d = Daemon::start(
        &[("rules/a.rules", RULES), ("indicators/strikes.csv", DATA)],
        &["--listen", &addr],
        &[("TOCSIN_CLOCK_FILE", clock_file.to_str().unwrap())],
    );
    let board = d.board();
    assert_eq!(board["at"], "2025-05-05");
    assert_eq!(board["results"][0]["status"], "met");
    let f = feed(&board);
    assert_eq!(f["name"], "strikes");
    assert_eq!(f["newest"], "2025-05-01");
    assert_eq!(f["age_days"], 4);
    assert_eq!(f["stale_after"], "10d");
    assert_eq!(f["stale"], false);
    assert_eq!(f["title"], "Strike reports");
    assert_eq!(f["sources"][0], "Daily \"digest\"");
    let metrics = d.get("/metrics").1;
    assert!(
        metrics.contains("tocsin_feed_age_seconds{series=\"strikes\"} 345600\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("tocsin_feed_stale{series=\"strikes\"} 0\n"),
        "{metrics}"
    );

    // Only the date moves: on day 11 the newest observation is more than
    // 10d old.
    write(&clock_file, "2025-05-12\n");
    let e = d.status("busy", "unknown");
    assert_eq!(e["from"], "met");
    assert_eq!(e["at"], "2025-05-12");
    let (reload, _) = d.expect(|e| e["event"] == "reload");
    assert_eq!(reload["reason"], "date");
    let board = d.board();
    assert_eq!(board["at"], "2025-05-12");
    let f = feed(&board);
    assert_eq!(
        (f["age_days"].as_i64(), f["stale"].as_bool()),
        (Some(11), Some(true))
    );
    let metrics = d.get("/metrics").1;
    assert!(
        metrics.contains("tocsin_feed_age_seconds{series=\"strikes\"} 950400\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("tocsin_feed_stale{series=\"strikes\"} 1\n"),
        "{metrics}"
    );

    // New data makes it fresh, and the rule known, again.
    write(
        &d.path("indicators/strikes.csv"),
        "date\n2025-04-20\n2025-05-01\n2025-05-11\n",
    );
    let e = d.status("busy", "met");
    assert_eq!(e["from"], "unknown");
    let (code, _) = d.terminate();
    assert_eq!(code, 0);
}

#[test]
fn a_series_with_no_feed_is_listed_never_stale() {
    let addr = format!("127.0.0.1:{}", free_port());
    let d = Daemon::start(
        &[
            (
                "rules/a.rules",
                "indicator busy { when: count(strikes, 30d) >= 1 }\n",
            ),
            ("indicators/strikes.csv", DATA),
        ],
        &["--at", "2026-01-01", "--listen", &addr],
        &[],
    );
    let board = d.board();
    let f = feed(&board);
    assert_eq!(f["stale_after"], Value::Null);
    assert_eq!(f["stale"], false);
    assert_eq!(f["age_days"], 245);
    let metrics = d.get("/metrics").1;
    assert!(
        metrics.contains("tocsin_feed_stale{series=\"strikes\"} 0\n"),
        "{metrics}"
    );
    let (code, _) = d.terminate();
    assert_eq!(code, 0);
}
