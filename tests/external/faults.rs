//! The daemon under faults injected for real: a full state disk (a small
//! tmpfs), a state folder that cannot be written, a rule file replaced by a
//! folder, a data file cut short mid-line, bursts of thousands of changes,
//! a webhook that answers slowly and an Alertmanager that is down. Each is
//! reported, the daemon keeps running, and no status change is lost.
//!
//! The tmpfs tests need to mount (root with CAP_SYS_ADMIN); where the
//! machine does not allow it they say so and pass without running.

use crate::common::{free_port, history, history_in, write, Daemon};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

const RULE: &str = "indicator high { when: latest(gauge) > 5 }\n";
const LOW: &str = "date,value\n2025-01-01,3\n";
const HIGH: &str = "date,value\n2025-01-01,3\n2025-02-01,9\n";

/// A tmpfs mounted for the length of a test.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mounts a tmpfs of `size` (e.g. `"256k"`) at `at`, or says why not.
    fn mount(at: &Path, size: &str, read_only: bool) -> Option<Tmpfs> {
        std::fs::create_dir_all(at).unwrap();
        let mut opts = format!("size={size}");
        if read_only {
            opts.push_str(",ro");
        }
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &opts, "tmpfs"])
            .arg(at)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs(at.to_path_buf())),
            Ok(o) => {
                eprintln!(
                    "SKIPPED: cannot mount a tmpfs here ({}); this fault is not injected",
                    String::from_utf8_lossy(&o.stderr).trim()
                );
                None
            }
            Err(e) => {
                eprintln!("SKIPPED: cannot run mount ({e}); this fault is not injected");
                None
            }
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Fills the file system holding `path` until a write fails.
fn fill(path: &Path) {
    let mut f = std::fs::File::create(path).unwrap();
    let block = [7u8; 4096];
    while f.write_all(&block).is_ok() {}
    let _ = f.sync_all();
}

fn metric(d: &Daemon, name: &str) -> f64 {
    let (code, body) = d.get("/metrics");
    assert_eq!(code, 200);
    body.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in\n{body}"))
}

/// Polls `ok` for up to ten seconds.
fn eventually(ok: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ok() {
        assert!(Instant::now() < deadline, "not within 10 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn is_notice(e: &Value, text: &str) -> bool {
    e["event"] == "notice" && e["message"].as_str().is_some_and(|m| m.contains(text))
}

#[test]
fn a_full_state_disk_delays_announcements_and_loses_none() {
    let dir = tempfile::TempDir::new().unwrap();
    let Some(_disk) = Tmpfs::mount(&dir.path().join("state"), "256k", false) else {
        return;
    };
    write(&dir.path().join("rules/a.rules"), RULE);
    write(&dir.path().join("indicators/gauge.csv"), LOW);
    let port = free_port().to_string();
    let listen = format!("127.0.0.1:{port}");
    let args = [
        "--at",
        "2025-03-01",
        "--state",
        "state",
        "--listen",
        &listen,
    ];
    let mut d = Daemon::start_in(dir, &args, &[]);
    assert_eq!(Daemon::statuses(&d.startup).len(), 1);
    fill(&d.path("state/filler"));

    // Flip the data until an append finds no room (a journal line may still
    // fit in the last page of the file the first times).
    let mut want = "not_met";
    let mut refused = false;
    for _ in 0..60 {
        want = if want == "met" { "not_met" } else { "met" };
        let text = if want == "met" { HIGH } else { LOW };
        write(&d.path("indicators/gauge.csv"), text);
        let (e, _) = d.expect(|e| {
            (e["event"] == "status" && e["name"] == "high") || is_notice(e, "not recorded")
        });
        if e["event"] == "notice" {
            let m = e["message"].as_str().unwrap();
            assert!(m.contains("No space left on device"), "{m}");
            refused = true;
            break;
        }
        assert_eq!(e["to"], want);
    }
    assert!(refused, "the full disk never refused a journal entry");

    // Still serving, and saying what is owed.
    assert_eq!(d.get("/healthz").0, 200);
    // Published just after the notice is printed.
    eventually(|| metric(&d, "tocsin_state_unrecorded_changes") == 1.0);
    // Tried again while the disk stays full: no status event, more notices.
    let (again, seen) = d.expect(|e| is_notice(e, "not recorded"));
    assert!(again["message"]
        .as_str()
        .unwrap()
        .contains("1 status changes"));
    assert_eq!(Daemon::statuses(&seen), []);

    // Room again: the change is recorded and announced, once.
    std::fs::remove_file(d.path("state/filler")).unwrap();
    let (e, seen) = d.expect(|e| e["event"] == "status");
    assert_eq!(
        (e["name"].as_str(), e["to"].as_str()),
        (Some("high"), Some(want))
    );
    assert!(
        seen.iter().any(|e| is_notice(e, "can be written again")),
        "{seen:?}"
    );
    eventually(|| metric(&d, "tocsin_state_unrecorded_changes") == 0.0);
    assert_eq!(Daemon::statuses(&d.drain(Duration::from_millis(2500))), []);

    // The journal is whole: one unbroken chain, ending where the data is,
    // and a restart announces nothing.
    let (code, dir) = d.stop();
    assert_eq!(code, 0);
    let chain = state_chain(dir.path());
    assert_eq!(chain.last().map(String::as_str), Some(want));
    let d = Daemon::start_in(dir, &args, &[]);
    assert_eq!(Daemon::statuses(&d.startup), []);
}

/// The statuses `high` was announced with, in order, checking each entry
/// starts where the one before ended.
fn state_chain(project: &Path) -> Vec<String> {
    let entries = history_in(project, "state", Some("high"));
    let mut prev = Value::Null;
    let mut chain = Vec::new();
    for v in &entries {
        let change = &v["change"];
        assert_eq!(change["from"], prev, "a break in the journal: {v}");
        prev = change["to"].clone();
        chain.push(change["to"].as_str().unwrap().to_string());
    }
    chain
}

#[test]
fn a_state_folder_that_cannot_be_written_is_refused_at_start() {
    let dir = tempfile::TempDir::new().unwrap();
    let Some(_ro) = Tmpfs::mount(&dir.path().join("state"), "64k", true) else {
        return;
    };
    write(&dir.path().join("rules/a.rules"), RULE);
    write(&dir.path().join("indicators/gauge.csv"), LOW);
    let out = Command::new(assert_cmd::cargo::cargo_bin("tocsin"))
        .args(["watch", "--at", "2025-03-01", "--state", "state"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("state") && err.contains("Read-only file system"),
        "{err}"
    );
}

#[test]
fn a_rule_file_replaced_by_a_folder_is_a_removal_and_its_content_is_read() {
    let mut d = Daemon::start(
        &[
            ("rules/a.rules", RULE),
            ("rules/b.rules", "indicator b { when: latest(gauge) > 1 }\n"),
            ("indicators/gauge.csv", LOW),
        ],
        &["--at", "2025-03-01"],
        &[],
    );
    std::fs::remove_file(d.path("rules/b.rules")).unwrap();
    write(
        &d.path("rules/b.rules/c.rules"),
        "indicator c { when: latest(gauge) > 1 }\n",
    );
    let (reload, seen) = d.expect(|e| e["event"] == "reload");
    let mut got = Daemon::statuses(&seen);
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        got,
        [
            ("b".to_string(), Value::from("met"), "removed".to_string()),
            ("c".to_string(), Value::Null, "met".to_string()),
        ]
    );
    assert_eq!(reload["rules"], 2);
    // And back to a file.
    std::fs::remove_dir_all(d.path("rules/b.rules")).unwrap();
    write(
        &d.path("rules/b.rules"),
        "indicator b { when: latest(gauge) > 1 }\n",
    );
    d.status("b", "met");
    d.status("c", "removed");
}

#[test]
fn a_data_file_cut_short_mid_line_keeps_the_last_good_data() {
    let rows: String = (0..2000)
        .map(|i| format!("{},{}\n", date_plus(i), 10 + i % 7))
        .collect();
    let full = format!("date,value\n{rows}");
    let port = free_port().to_string();
    let listen = format!("127.0.0.1:{port}");
    let mut d = Daemon::start(
        &[
            (
                "rules/a.rules",
                "indicator many { when: count(gauge, 100y) >= 2000 }\n",
            ),
            ("indicators/gauge.csv", &full),
        ],
        &["--at", "2030-01-01", "--listen", &listen],
        &[],
    );
    assert_eq!(Daemon::statuses(&d.startup)[0].2, "met");
    // Cut in the middle of a date, as a reader may see a file being written.
    let cut = full.find(&format!("{},", date_plus(1500))).unwrap() + 7;
    std::fs::write(d.path("indicators/gauge.csv"), &full[..cut]).unwrap();
    let (err, seen) = d.expect(|e| e["event"] == "error");
    assert_eq!(Daemon::statuses(&seen), []);
    assert_eq!(err["file"], "indicators/gauge.csv");
    assert_eq!(err["line"], 1502);
    // The cut row has one cell where the header has two.
    assert_eq!(err["code"], "E306");
    eventually(|| metric(&d, "tocsin_reload_success") == 0.0);
    assert_eq!(
        d.board()["results"][0]["status"],
        "met",
        "the last good data is kept"
    );
    // The writer finishes: all good again, nothing announced (no change).
    std::fs::write(d.path("indicators/gauge.csv"), &full).unwrap();
    let (_, seen) = d.expect(|e| e["event"] == "reload");
    assert_eq!(Daemon::statuses(&seen), []);
    assert_eq!(metric(&d, "tocsin_reload_success"), 1.0);
}

fn date_plus(days: i64) -> String {
    let d = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Duration::days(days);
    d.format("%Y-%m-%d").to_string()
}

#[test]
fn bursts_of_thousands_of_changes_end_in_the_right_state() {
    let port = free_port().to_string();
    let listen = format!("127.0.0.1:{port}");
    let mut d = Daemon::start(
        &[("rules/a.rules", RULE), ("indicators/gauge.csv", LOW)],
        &["--at", "2025-03-01", "--listen", &listen],
        &[],
    );
    // 1,000 new rule files, as fast as they can be written.
    for i in 0..1000 {
        write(
            &d.path(&format!("rules/many/r{i:04}.rules")),
            &format!("indicator r{i:04} {{ when: latest(gauge) > {} }}\n", i % 10),
        );
    }
    // 2,000 rewrites of the data, ending high.
    for i in 0..2000 {
        let text = if i % 2 == 1 { HIGH } else { LOW };
        std::fs::write(d.path("indicators/gauge.csv"), text).unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut events = Vec::new();
    loop {
        events.extend(d.drain(Duration::from_millis(1500)));
        let (_, body) = d.get("/api/v1/status");
        let board: Value = serde_json::from_str(&body).unwrap();
        if board["results"].as_array().map_or(0, Vec::len) == 1001 {
            break;
        }
        assert!(Instant::now() < deadline, "the burst was not absorbed");
    }
    events.extend(d.drain(Duration::from_millis(1500)));
    // Rewrites in place can be read half done: such a read is reported as
    // an error and kept out, and the next event reads the file whole. The
    // last reload succeeded.
    assert!(events
        .iter()
        .filter(|e| e["event"] == "error")
        .all(|e| e["file"] == "indicators/gauge.csv"
            || e["message"].as_str().is_some_and(|m| m.contains("gauge"))));
    assert_eq!(metric(&d, "tocsin_reload_success"), 1.0);
    let board = d.board();
    for r in board["results"].as_array().unwrap() {
        let name = r["name"].as_str().unwrap();
        let want = match name.strip_prefix('r') {
            Some(n) => 9 > n.parse::<u32>().unwrap() % 10,
            None => true,
        };
        assert_eq!(r["status"], if want { "met" } else { "not_met" }, "{name}");
    }
    // Every rule's announcements form one unbroken chain (the data flipped
    // while the rules arrived, so some flipped too) that ends at the status
    // on the board; what was printed is what was journaled.
    let mut last: std::collections::BTreeMap<String, Value> = Default::default();
    last.insert("high".into(), Value::from("not_met"));
    let statuses = Daemon::statuses(&events);
    for (name, from, to) in &statuses {
        assert_eq!(last.get(name).unwrap_or(&Value::Null), from, "{name}");
        last.insert(name.clone(), Value::from(to.as_str()));
    }
    assert_eq!(last.len(), 1001);
    for r in board["results"].as_array().unwrap() {
        assert_eq!(last[r["name"].as_str().unwrap()], r["status"]);
    }
    let (code, dir) = d.stop();
    assert_eq!(code, 0);
    assert_eq!(history(dir.path(), None).len(), 1 + statuses.len());
}

/// A webhook receiver that takes each request, reports its body at once
/// and holds its answer until `gate` is dropped: a receiver as slow as the
/// test wants, without the test waiting on a clock.
fn held_hook(listener: TcpListener, gate: Receiver<()>) -> Receiver<Value> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut s) = conn else { continue };
            let mut reader = BufReader::new(s.try_clone().unwrap());
            let mut len = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; len];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            if let Ok(v) = serde_json::from_slice(&body) {
                let _ = tx.send(v);
            }
            // Returns at once for good when the gate's sender is dropped.
            let _ = gate.recv();
            let _ =
                s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    rx
}

#[test]
fn a_slow_webhook_holds_up_neither_evaluation_nor_order() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (gate, held) = channel::<()>();
    let got = held_hook(listener, held);
    // Given by the environment, as a URL with a token should be.
    let mut d = Daemon::start(
        &[("rules/a.rules", RULE), ("indicators/gauge.csv", LOW)],
        &["--at", "2025-03-01"],
        &[("TOCSIN_WEBHOOK", &url)],
    );
    let first = got
        .recv_timeout(Duration::from_secs(20))
        .expect("the first webhook call");
    let mut bodies = vec![first];
    // The receiver holds its answer to the first call for as long as the
    // test runs on: four changes are evaluated and announced all the same,
    // and none is sent before the first call is answered.
    let mut want = vec![("not_met".to_string(), Value::Null)];
    for i in 0..4 {
        let (text, to, from) = if i % 2 == 0 {
            (HIGH, "met", "not_met")
        } else {
            (LOW, "not_met", "met")
        };
        write(&d.path("indicators/gauge.csv"), text);
        d.status("high", to);
        want.push((to.to_string(), Value::from(from)));
    }
    assert!(got.try_recv().is_err(), "a call overtook the held one");
    drop(gate);
    while bodies.len() < want.len() {
        bodies.push(
            got.recv_timeout(Duration::from_secs(20))
                .expect("a webhook call"),
        );
    }
    let order: Vec<(String, Value)> = bodies
        .iter()
        .map(|b| (b["to"].as_str().unwrap().to_string(), b["from"].clone()))
        .collect();
    assert_eq!(order, want);
}

#[test]
fn alertmanager_down_then_up_gets_the_firing_alert() {
    let port = free_port();
    let url = format!("http://user:hunter2@127.0.0.1:{port}/");
    let mut d = Daemon::start(
        &[
            (
                "rules/a.rules",
                "alert hot { severity: critical when: latest(gauge) > 5 }\n",
            ),
            ("indicators/gauge.csv", HIGH),
        ],
        &["--at", "2025-03-01", "--alertmanager", &url],
        &[],
    );
    // Down: a failure is reported, without the password, and the daemon
    // goes on.
    let (notice, _) = d.expect(|e| is_notice(e, "alertmanager"));
    let text = notice["message"].as_str().unwrap();
    assert!(!text.contains("hunter2"), "{text}");
    write(&d.path("indicators/gauge.csv"), LOW);
    d.status("hot", "not_met");
    write(&d.path("indicators/gauge.csv"), HIGH);
    d.status("hot", "met");
    // Up: the owed notifications arrive, in order, ending with `hot` firing.
    let server = tiny_http::Server::http(("127.0.0.1", port)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(45);
    let mut posts: Vec<Value> = Vec::new();
    while Instant::now() < deadline {
        let Ok(Some(mut req)) = server.recv_timeout(Duration::from_millis(200)) else {
            if posts.len() >= 3 {
                break;
            }
            continue;
        };
        assert_eq!(req.url(), "/api/v2/alerts");
        let mut body = String::new();
        req.as_reader().read_to_string(&mut body).unwrap();
        posts.push(serde_json::from_str(&body).unwrap());
        let _ = req.respond(tiny_http::Response::empty(200));
    }
    assert!(posts.len() >= 3, "{posts:#?}");
    let last = &posts.last().unwrap()[0];
    assert_eq!(last["labels"]["alertname"], "hot");
    assert_eq!(last["labels"]["severity"], "critical");
    let ends: Vec<bool> = posts
        .iter()
        .take(3)
        .map(|p| {
            let end =
                chrono::DateTime::parse_from_rfc3339(p[0]["endsAt"].as_str().unwrap()).unwrap();
            end > chrono::Utc::now()
        })
        .collect();
    // firing, resolved, firing again.
    assert_eq!(ends, [true, false, true]);
}

#[test]
fn a_rule_refused_for_what_another_file_said_is_taken_once_that_file_is_fixed() {
    let mut d = Daemon::start(
        &[("rules/a.rules", RULE), ("indicators/gauge.csv", HIGH)],
        &["--at", "2025-03-01"],
        &[],
    );
    // The series disappears for a moment (a data file being replaced) just
    // as a new rule naming it arrives: the new rule is refused.
    std::fs::rename(
        d.path("indicators/gauge.csv"),
        d.path("indicators/moved.csv"),
    )
    .unwrap();
    write(
        &d.path("rules/b.rules"),
        "indicator b { when: latest(gauge) > 1 }\n",
    );
    let (err, _) = d.expect(|e| e["event"] == "error" && e["file"] == "rules/b.rules");
    assert_eq!(err["code"], "E101");
    // The data comes back; the rule file itself did not change, yet it is
    // taken now.
    std::fs::rename(
        d.path("indicators/moved.csv"),
        d.path("indicators/gauge.csv"),
    )
    .unwrap();
    d.status("b", "met");
}
