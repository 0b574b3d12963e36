//! The daemon under hostile timing, run for real: a feed written without
//! pause, a file written in place with a pause mid-file, a file renamed
//! into place, a signal in the middle of a slow reload.

use crate::common::{history, write, Daemon};
use std::io::Write;
use std::time::{Duration, Instant};

const RULE: &str = "indicator high { when: latest(gauge) > 5 }\n";
const LOW: &str = "date,value\n2025-01-01,3\n";
const HIGH: &str = "date,value\n2025-01-01,3\n2025-02-01,9\n";

#[test]
fn a_feed_appended_to_without_pause_is_still_reloaded() {
    let mut d = Daemon::start(
        &[
            (
                "rules/a.rules",
                "indicator busy { when: count(stream, 100y) >= 3 }\n",
            ),
            ("indicators/stream.ndjson", "{\"date\": \"2025-01-01\"}\n"),
        ],
        &["--at", "2025-03-01"],
        &[],
    );
    // A line every 60 ms for 3 s by a writer that keeps the feed open: the
    // events never pause for the debounce, and the file is never closed.
    let mut feed = std::fs::OpenOptions::new()
        .append(true)
        .open(d.path("indicators/stream.ndjson"))
        .unwrap();
    let started = Instant::now();
    let writer = std::thread::spawn(move || {
        while started.elapsed() < Duration::from_secs(3) {
            writeln!(feed, "{{\"date\": \"2025-02-01\"}}").unwrap();
            std::thread::sleep(Duration::from_millis(60));
        }
    });
    let reloaded = |d: &mut Daemon| {
        d.expect(|e| e["event"] == "reload" && e["reason"] == "change");
        started.elapsed()
    };
    let first = reloaded(&mut d);
    assert!(first < Duration::from_millis(1500), "{first:?}");
    let second = reloaded(&mut d);
    assert!(
        second < Duration::from_millis(2900),
        "no reload while the writes went on: {second:?}"
    );
    writer.join().unwrap();
}

#[test]
fn a_file_written_in_place_with_a_pause_is_read_only_whole() {
    // Twenty rows, the last one high; the first five alone are low.
    let mut full = String::from("date,value\n");
    for day in 1..=20 {
        let v = if day == 20 { 9 } else { 3 };
        full.push_str(&format!("2025-01-{day:02},{v}\n"));
    }
    let cut = full.match_indices('\n').nth(5).unwrap().0 + 1;
    let mut d = Daemon::start(
        &[("rules/a.rules", RULE), ("indicators/gauge.csv", &full)],
        &["--at", "2025-03-01"],
        &[],
    );
    assert_eq!(Daemon::statuses(&d.startup)[0].2, "met");
    // Rewritten in place: truncated, the head and five rows, a pause with
    // the file still open, then the rest.
    let mut f = std::fs::File::create(d.path("indicators/gauge.csv")).unwrap();
    f.write_all(&full.as_bytes()[..cut]).unwrap();
    std::thread::sleep(Duration::from_millis(400));
    f.write_all(&full.as_bytes()[cut..]).unwrap();
    drop(f);
    let (reload, seen) = d.expect(|e| e["event"] == "reload");
    assert_eq!(reload["files"], serde_json::json!(["indicators/gauge.csv"]));
    assert_eq!(Daemon::statuses(&seen), []);
    let rest = d.drain(Duration::from_millis(300));
    assert_eq!(Daemon::statuses(&rest), []);
    let (code, dir) = d.stop();
    assert_eq!(code, 0);
    assert_eq!(
        history(dir.path(), None).len(),
        1,
        "a false change journaled"
    );
}

#[test]
fn a_file_renamed_into_place_is_read_at_once() {
    let mut d = Daemon::start(
        &[("rules/a.rules", RULE), ("indicators/gauge.csv", LOW)],
        &["--at", "2025-03-01"],
        &[],
    );
    for (text, to) in [(HIGH, "met"), (LOW, "not_met"), (HIGH, "met")] {
        let tmp = d.path("indicators/.gauge.csv.tmp");
        write(&tmp, text);
        let t = Instant::now();
        std::fs::rename(&tmp, d.path("indicators/gauge.csv")).unwrap();
        d.status("high", to);
        // Well under the debounce and the settle of a file written in place.
        let took = t.elapsed();
        assert!(took < Duration::from_millis(450), "{took:?}");
    }
}

/// Fifty series of 2,000 observations each, and 10,000 rules over them
/// whose evaluation takes seconds in a debug build (an optimised build,
/// many times faster, gets 100,000).
fn slow_project() -> (Vec<(String, String)>, String) {
    let count = if cfg!(debug_assertions) {
        10_000
    } else {
        100_000
    };
    let mut files = Vec::new();
    for s in 0..50 {
        let mut text = String::from("date,value\n");
        for d in 0..2000 {
            let (y, m, day) = (2000 + d / 336, d / 28 % 12 + 1, d % 28 + 1);
            text.push_str(&format!("{y}-{m:02}-{day:02},{}\n", (d * 7 + s) % 10));
        }
        files.push((format!("indicators/s{s}.csv"), text));
    }
    let mut rules = String::new();
    for k in 0..count {
        let s = k % 50;
        rules.push_str(&format!(
            "indicator i{k} {{ when: trend(s{s}, 100y) > 0 and zscore(s{}, 100y) > {} }}\n",
            (s + 1) % 50,
            k % 3
        ));
    }
    (files, rules)
}

#[test]
fn sigterm_in_the_middle_of_a_slow_reload_stops_at_once() {
    let (data, big) = slow_project();
    let mut files: Vec<(&str, &str)> = data.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    files.push((
        "rules/a.rules",
        "indicator small { when: latest(s0) > 100 }\n",
    ));
    let d = Daemon::start(&files, &["--at", "2010-01-01"], &[]);
    assert_eq!(Daemon::statuses(&d.startup).len(), 1);
    // Thousands of rules arrive; stop while they are being evaluated.
    write(&d.path("rules/.big.rules.tmp"), &big);
    std::fs::rename(d.path("rules/.big.rules.tmp"), d.path("rules/big.rules")).unwrap();
    std::thread::sleep(Duration::from_millis(400));
    let asked = Instant::now();
    let (code, dir) = d.stop();
    let took = asked.elapsed();
    assert_eq!(code, 0);
    assert!(took < Duration::from_secs(1), "stopped after {took:?}");
    // Nothing of the half-done evaluation was journaled.
    assert_eq!(history(dir.path(), None).len(), 1);
}
