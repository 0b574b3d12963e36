//! `/metrics` of a running daemon follows the Prometheus conventions: the
//! names Prometheus tools expect are there, and `promtool check metrics`
//! (`$TOCSIN_PROMTOOL`, or `promtool` on PATH; `.ci/promtool-setup`
//! installs it) finds nothing to report. Without promtool that check is
//! skipped, with a note.

use crate::common::{find_program, free_port, Daemon};
use std::io::Write;
use std::process::{Command, Stdio};

const RULES: &str = "feed strikes {\n  stale_after: 10d\n}\n\nindicator busy { when: count(strikes, 30d) >= 1 }\n\nalert by_region {\n  severity: warning\n  by: region\n  when: count(strikes, 30d) >= 1\n}\n";
/// The last row is dated after the evaluation date: loaded, not yet read.
const DATA: &str = "date,region\n2025-04-20,North\n2025-05-01,South\n2025-06-01,North\n";

/// A daemon with rules, a feed, an instance rule and both sinks (which
/// cannot deliver: their failure counters are part of what is checked).
fn scrape() -> String {
    let addr = format!("127.0.0.1:{}", free_port());
    let d = Daemon::start(
        &[("rules/a.rules", RULES), ("indicators/strikes.csv", DATA)],
        &[
            "--listen",
            &addr,
            "--at",
            "2025-05-05",
            "--webhook",
            "http://127.0.0.1:9/hook",
            "--alertmanager",
            "http://127.0.0.1:9/",
        ],
        &[],
    );
    let (code, body) = d.get("/metrics");
    assert_eq!(code, 200, "{body}");
    body
}

#[test]
fn metrics_have_build_info_process_metrics_and_ages_in_seconds() {
    let m = scrape();
    for want in [
        &format!(
            "tocsin_build_info{{version=\"{}\"}} 1\n",
            env!("CARGO_PKG_VERSION")
        ),
        "tocsin_series_age_seconds{series=\"strikes\"} 345600\n",
        "tocsin_series_observations{series=\"strikes\"} 2\n",
        "tocsin_feed_age_seconds{series=\"strikes\"} 345600\n",
        "# TYPE process_cpu_seconds_total counter\n",
    ] {
        assert!(m.contains(want), "{want} in {m}");
    }
    assert!(!m.contains("_days"), "{m}");
    if cfg!(target_os = "linux") {
        for name in [
            "process_cpu_seconds_total",
            "process_resident_memory_bytes",
            "process_virtual_memory_bytes",
            "process_open_fds",
            "process_max_fds",
            "process_start_time_seconds",
        ] {
            assert!(m.contains(&format!("\n{name} ")), "{name} in {m}");
        }
    }
}

#[test]
fn promtool_check_metrics_is_clean() {
    let Some(promtool) = find_program("TOCSIN_PROMTOOL", &["promtool"]) else {
        eprintln!("skipping: no promtool (set TOCSIN_PROMTOOL or put promtool on PATH)");
        return;
    };
    let m = scrape();
    let mut child = Command::new(&promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", promtool.display()));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(m.as_bytes())
        .expect("write to promtool");
    let out = child.wait_with_output().expect("promtool");
    assert!(
        out.status.success(),
        "promtool check metrics: {}\n{}{}\n{m}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
