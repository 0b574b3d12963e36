//! The daemon's memory across restarts and crashes, and its webhook: a
//! restart announces only what changed while it was down, a crash loses no
//! status change and announces none twice, and undelivered notifications
//! are sent after a restart.

use crate::common::{history, hook_server, write, Daemon, WAIT};
use serde_json::Value;

use std::net::TcpListener;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

const RULES: &str = "indicator high { when: latest(gauge) > 5 }\nindicator steady { when: count(gauge, 1y) >= 1 }\n";
const LOW: &str = "date,value\n2025-01-01,3\n";
const HIGH: &str = "date,value\n2025-01-01,3\n2025-02-01,9\n";

#[test]
fn a_restart_announces_only_what_changed_while_down() {
    let d = Daemon::start(
        &[("rules/a.rules", RULES), ("indicators/gauge.csv", LOW)],
        &["--at", "2025-03-01"],
        &[],
    );
    let first = Daemon::statuses(&d.startup);
    assert_eq!(first.len(), 2, "{first:?}");
    assert!(first.iter().all(|(_, from, _)| from.is_null()));
    let (code, dir) = d.stop();
    assert_eq!(code, 0);

    // Nothing changed: a restart announces nothing.
    let d = Daemon::start_in(dir, &["--at", "2025-03-01"], &[]);
    assert_eq!(Daemon::statuses(&d.startup), []);
    let (_, dir) = d.stop();

    // The data changed while it was down: exactly that is announced.
    write(&dir.path().join("indicators/gauge.csv"), HIGH);
    let d = Daemon::start_in(dir, &["--at", "2025-03-01"], &[]);
    assert_eq!(
        Daemon::statuses(&d.startup),
        [(
            "high".to_string(),
            Value::from("not_met"),
            "met".to_string()
        )]
    );
    let (_, dir) = d.stop();

    // A rule removed while it was down is announced as removed.
    write(
        &dir.path().join("rules/a.rules"),
        "indicator high { when: latest(gauge) > 5 }\n",
    );
    let d = Daemon::start_in(dir, &["--at", "2025-03-01"], &[]);
    assert_eq!(
        Daemon::statuses(&d.startup),
        [(
            "steady".to_string(),
            Value::from("met"),
            "removed".to_string()
        )]
    );
    let (_, dir) = d.stop();

    let story = history(dir.path(), Some("high"));
    let tos: Vec<&str> = story
        .iter()
        .map(|e| e["change"]["to"].as_str().unwrap())
        .collect();
    assert_eq!(tos, ["not_met", "met"]);
}

#[test]
fn a_crash_mid_write_loses_nothing_and_repeats_nothing() {
    let mut d = Daemon::start(
        &[("rules/a.rules", RULES), ("indicators/gauge.csv", LOW)],
        &["--at", "2025-03-01"],
        &[],
    );
    // Flip the indicator as fast as the daemon follows (each write just
    // past the debounce, so that each is a reload of its own), and kill it
    // while it is busy journaling.
    let mut printed = Daemon::statuses(&d.startup);
    for i in 0..30 {
        write(
            &d.path("indicators/gauge.csv"),
            if i % 2 == 0 { HIGH } else { LOW },
        );
        std::thread::sleep(Duration::from_millis(if i < 20 { 130 } else { 7 }));
    }
    printed.extend(Daemon::statuses(&d.drain(Duration::from_millis(1))));
    let dir = d.crash();

    // Every status change printed before the crash is in the journal (it is
    // written first), in order.
    let journal = history(dir.path(), None);
    let journaled: Vec<(String, Value, String)> = journal
        .iter()
        .map(|e| {
            (
                e["change"]["name"].as_str().unwrap().to_string(),
                e["change"]["from"].clone(),
                e["change"]["to"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(journaled.len() >= printed.len());
    assert_eq!(journaled[..printed.len()], printed[..]);
    assert!(
        journaled.len() > 10,
        "too few changes to prove anything: {journaled:?}"
    );

    // Per rule, the journal is one unbroken chain: no change lost, none twice.
    let seqs: Vec<u64> = journal.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    for name in ["high", "steady"] {
        let chain: Vec<&(String, Value, String)> =
            journaled.iter().filter(|c| c.0 == name).collect();
        assert!(chain[0].1.is_null());
        for w in chain.windows(2) {
            assert_eq!(w[1].1, Value::from(w[0].2.as_str()), "{name}: {chain:?}");
            assert_ne!(w[1].2, w[0].2, "{name}: announced twice: {chain:?}");
        }
    }

    // The restart announces exactly the difference between the last
    // journaled status and the data now, and nothing else.
    let last_high = journaled
        .iter()
        .rev()
        .find(|c| c.0 == "high")
        .unwrap()
        .2
        .clone();
    let now_high =
        if std::fs::read_to_string(dir.path().join("indicators/gauge.csv")).unwrap() == HIGH {
            "met"
        } else {
            "not_met"
        };
    let d = Daemon::start_in(dir, &["--at", "2025-03-01"], &[]);
    let announced = Daemon::statuses(&d.startup);
    if last_high == now_high {
        assert_eq!(announced, []);
    } else {
        assert_eq!(
            announced,
            [(
                "high".to_string(),
                Value::from(last_high.as_str()),
                now_high.to_string()
            )]
        );
    }
    let (code, _) = d.stop();
    assert_eq!(code, 0);
}

fn received(rx: &Receiver<Value>, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + WAIT;
    let mut out = Vec::new();
    while out.len() < n {
        let left = deadline
            .checked_duration_since(Instant::now())
            .unwrap_or_default();
        match rx.recv_timeout(left) {
            Ok(v) => out.push(v),
            Err(_) => panic!("received {} of {n}: {out:?}", out.len()),
        }
    }
    out
}

#[test]
fn the_webhook_gets_every_change() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/hook?token=SECRET",
        listener.local_addr().unwrap()
    );
    let hooks = hook_server(listener);
    let mut d = Daemon::start(
        &[("rules/a.rules", RULES), ("indicators/gauge.csv", LOW)],
        &["--at", "2025-03-01", "--webhook", &url],
        &[],
    );
    let first = received(&hooks, 2);
    assert!(first
        .iter()
        .all(|h| h["event"] == "status" && h["from"].is_null()));
    write(&d.path("indicators/gauge.csv"), HIGH);
    d.status("high", "met");
    let next = received(&hooks, 1);
    assert_eq!(
        (
            next[0]["name"].as_str(),
            next[0]["from"].as_str(),
            next[0]["to"].as_str()
        ),
        (Some("high"), Some("not_met"), Some("met"))
    );
    let (_, dir) = d.stop();
    let story = history(dir.path(), Some("high"));
    assert!(
        story
            .iter()
            .all(|e| e["delivered"].as_array().unwrap().len() == 1),
        "{story:?}"
    );
}

#[test]
fn undelivered_notifications_are_sent_after_a_restart() {
    // A port where nothing listens yet.
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let url = format!("http://{addr}/hook?token=SECRET");
    let mut d = Daemon::start(
        &[("rules/a.rules", RULES), ("indicators/gauge.csv", LOW)],
        &["--at", "2025-03-01", "--webhook", &url],
        &[],
    );
    write(&d.path("indicators/gauge.csv"), HIGH);
    d.status("high", "met");
    // The failures are reported, without the secret.
    let (notice, _) =
        d.expect(|e| e["event"] == "notice" && e["message"].as_str().unwrap().contains("webhook"));
    assert!(
        !notice["message"].as_str().unwrap().contains("SECRET"),
        "{notice}"
    );
    let (_, dir) = d.stop();

    // The receiver comes up; the restarted daemon sends what it owes, in order.
    let hooks = hook_server(TcpListener::bind(addr).unwrap());
    let d = Daemon::start_in(dir, &["--at", "2025-03-01", "--webhook", &url], &[]);
    assert_eq!(Daemon::statuses(&d.startup), []);
    let got = received(&hooks, 3);
    let seen: Vec<(String, Option<String>)> = got
        .iter()
        .map(|h| {
            (
                h["name"].as_str().unwrap().to_string(),
                h["to"].as_str().map(String::from),
            )
        })
        .collect();
    assert_eq!(
        seen[2],
        ("high".to_string(), Some("met".to_string())),
        "{seen:?}"
    );
    let (_, dir) = d.stop();
    let story = history(dir.path(), None);
    assert!(
        story
            .iter()
            .all(|e| !e["delivered"].as_array().unwrap().is_empty()),
        "{story:?}"
    );
}
