//! Notifications a receiver can trust, end to end through `tocsin watch`:
//! the same id from two daemons, signatures a receiver verifies on its own,
//! refusals dead-lettered without holding back the queue, `Retry-After`
//! honoured, and each body format as its specification says.

use crate::common::{history, write, Daemon};
use crate::webhook_receiver::{Hook, HookServer};
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

const RULES: &str = "indicator busy { by: region when: count(incidents, 7d) >= 2 }\n\
                     alert any_busy { severity: warning when: any(busy) }\n";
const TWO: &str = "date,region\n2025-04-01,North\n2025-04-02,North\n2025-04-03,South\n";
const THREE: &str = "date,region\n2025-04-01,North\n2025-04-02,North\n2025-04-03,South\n\
                     2025-04-04,East\n2025-04-05,East\n";
const AT: [&str; 2] = ["--at", "2025-04-05"];
const SECRET: &str = "s1gning-key-never-shown";

fn files() -> [(&'static str, &'static str); 2] {
    [("rules/a.rules", RULES), ("indicators/incidents.csv", TWO)]
}

/// The rule's name and labels: what a notification is about.
fn about(body: &Value) -> String {
    format!("{}{}", body["name"].as_str().unwrap(), body["labels"])
}

/// `--webhook URL` with the `--at` date, then `extra`.
fn args<'a>(url: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--webhook", url];
    args.extend(AT);
    args.extend(extra);
    args
}

#[test]
fn two_daemons_give_each_change_the_same_id_and_each_change_its_own() {
    let (hook_a, hook_b) = (HookServer::ok(), HookServer::ok());
    let mut a = Daemon::start(&files(), &args(&hook_a.url, &[]), &[]);
    let b = Daemon::start(&files(), &args(&hook_b.url, &[]), &[]);
    let ids = |hooks: &[Hook]| -> BTreeMap<String, String> {
        hooks
            .iter()
            .map(|h| {
                let body = h.json();
                let id = body["id"].as_str().unwrap().to_string();
                assert_eq!(h.header("Idempotency-Key"), Some(id.as_str()), "{body}");
                (about(&body), id)
            })
            .collect()
    };
    let first_a = hook_a.take(3);
    let first_b = hook_b.take(3);
    let (ids_a, ids_b) = (ids(&first_a), ids(&first_b));
    assert_eq!(ids_a, ids_b);
    assert_eq!(
        ids_a.keys().collect::<Vec<_>>(),
        [
            "any_busy{}",
            "busy{\"region\":\"North\"}",
            "busy{\"region\":\"South\"}"
        ]
    );
    let distinct: std::collections::BTreeSet<&String> = ids_a.values().collect();
    assert_eq!(distinct.len(), 3, "{ids_a:?}");
    for h in &first_a {
        assert_eq!(h.path, "/hook?token=SECRET");
        let body = h.json();
        assert_eq!(body["event"], "status");
        assert_eq!(body["version"], 1);
        assert!(body["seq"].as_u64().is_some_and(|s| s > 0), "{body}");
        let ts = body["ts"].as_str().unwrap();
        let parsed = chrono::DateTime::parse_from_rfc3339(ts).unwrap();
        assert_eq!(parsed.offset().local_minus_utc(), 0, "{ts}");
        assert!(ts.ends_with('Z'), "{ts}");
        assert!(body["labels"].is_object());
        assert_eq!(h.header("Content-Type"), Some("application/json"));
    }

    // A new change (an instance appears) has an id of its own.
    write(&a.path("indicators/incidents.csv"), THREE);
    a.expect(|e| e["event"] == "status" && e["labels"]["region"] == "East");
    let east = hook_a.take(1)[0].json();
    assert_eq!(about(&east), "busy{\"region\":\"East\"}");
    let id = east["id"].as_str().unwrap().to_string();
    assert!(!ids_a.values().any(|v| *v == id), "{id} in {ids_a:?}");
    assert!(east["seq"].as_u64() > first_a[2].json()["seq"].as_u64());
    let _ = a.stop();
    let _ = b.stop();
}

/// Two daemons (an HA pair: own state folders, the same rules and data)
/// posting to one receiver: every change arrives twice, under one id, and
/// a receiver that keeps the first notification of each id keeps each
/// change exactly once.
#[test]
fn one_receiver_behind_two_daemons_drops_every_repeat_by_its_id() {
    let hook = HookServer::ok();
    let mut a = Daemon::start(&files(), &args(&hook.url, &[]), &[]);
    let mut b = Daemon::start(&files(), &args(&hook.url, &[]), &[]);
    let mut changes: Vec<String> = Daemon::statuses(&a.startup)
        .into_iter()
        .map(|(name, _, to)| format!("{name} {to}"))
        .collect();
    let mut got = hook.take(6);
    for d in [&mut a, &mut b] {
        write(&d.path("indicators/incidents.csv"), THREE);
        d.expect(|e| e["event"] == "status" && e["labels"]["region"] == "East");
    }
    changes.push("busy met".into());
    got.extend(hook.take(2));
    got.extend(hook.rest(Duration::from_millis(500)));
    assert_eq!(got.len(), 8, "every change once from each daemon");

    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut kept = Vec::new();
    for h in &got {
        let body = h.json();
        let id = h.header("Idempotency-Key").unwrap().to_string();
        assert_eq!(body["id"], id.as_str());
        let n = seen.entry(id).or_default();
        *n += 1;
        if *n == 1 {
            kept.push(format!(
                "{} {}",
                body["name"].as_str().unwrap(),
                body["to"].as_str().unwrap()
            ));
        }
    }
    assert!(seen.values().all(|&n| n == 2), "{seen:?}");
    kept.sort();
    changes.sort();
    assert_eq!(kept, changes);
    let _ = a.stop();
    let _ = b.stop();
}

/// The Python of docs/watch.md (every `python` block), so that what the
/// documentation tells a receiver to run is what is tested.
fn documented_python() -> String {
    let doc = std::fs::read_to_string(crate::common::root().join("docs/watch.md")).unwrap();
    let mut code = String::new();
    let mut inside = false;
    for line in doc.lines() {
        match (inside, line.trim_start()) {
            (false, "```python") => inside = true,
            (true, "```") => inside = false,
            (true, _) => {
                code.push_str(line);
                code.push('\n');
            }
            _ => {}
        }
    }
    assert!(code.contains("def verify(") && code.contains("def notification_id("));
    code
}

/// Runs the documented recipes on `hook` with `secret`: whether the
/// signature verifies, and the id recomputed from the body.
fn python_checks(hook: &Hook, secret: &str) -> Option<(bool, String)> {
    let python = crate::common::find_program("PYTHON", &["python3", "python"])?;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("body"), &hook.body).unwrap();
    let headers: BTreeMap<&str, &str> = [
        ("X-Tocsin-Timestamp", hook.header("X-Tocsin-Timestamp")?),
        ("X-Tocsin-Signature", hook.header("X-Tocsin-Signature")?),
    ]
    .into();
    std::fs::write(
        dir.path().join("headers"),
        serde_json::to_string(&headers).unwrap(),
    )
    .unwrap();
    let script = format!(
        "{}\nimport json, os, sys\n\
         body = open(sys.argv[1], 'rb').read()\n\
         headers = json.load(open(sys.argv[2]))\n\
         print(verify(os.environ['KEY'].encode(), headers, body))\n\
         print(notification_id(json.loads(body)))\n",
        documented_python()
    );
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(dir.path().join("body"))
        .arg(dir.path().join("headers"))
        .env("KEY", secret)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    Some((
        lines.next().unwrap() == "True",
        lines.next().unwrap().to_string(),
    ))
}

#[test]
fn a_receiver_verifies_the_signature_and_recomputes_the_id_on_its_own() {
    let hooks = HookServer::ok();
    let d = Daemon::start(
        &files(),
        &args(&hooks.url, &[]),
        &[("TOCSIN_WEBHOOK_SECRET", SECRET)],
    );
    let got = hooks.take(3);
    let (_, dir) = d.stop();
    for hook in &got {
        let signature = hook.header("X-Tocsin-Signature").unwrap();
        assert!(signature.starts_with("sha256="), "{signature}");
        let timestamp: u64 = hook.header("X-Tocsin-Timestamp").unwrap().parse().unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(now.abs_diff(timestamp) < 60, "{timestamp} vs {now}");

        // Independently of tocsin's code: the hmac crate over the raw bytes.
        use hmac::Mac;
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(format!("{timestamp}.").as_bytes());
        mac.update(&hook.body);
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(signature, format!("sha256={hex}"));

        // And with the documented Python, as a receiver would.
        let body = hook.json();
        if let Some((verified, id)) = python_checks(hook, SECRET) {
            assert!(verified, "the documented verify() refused {body}");
            assert_eq!(body["id"], id.as_str(), "the documented recipe");
            let (wrong_key, _) = python_checks(hook, "another-key").unwrap();
            assert!(!wrong_key);
            let mut tampered = hook.clone();
            tampered.body = hook
                .body
                .iter()
                .map(|b| if *b == b'N' { b'M' } else { *b })
                .collect();
            if tampered.body != hook.body {
                assert!(!python_checks(&tampered, SECRET).unwrap().0);
            }
        } else {
            eprintln!("python3 not found: the documented Python is not run");
        }
    }
    // The key shows nowhere: not in the events, not in the state folder.
    let story = history(dir.path(), None);
    assert!(!format!("{story:?}").contains(SECRET));
    for entry in std::fs::read_dir(dir.path().join(".tocsin")).unwrap() {
        let text = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!String::from_utf8_lossy(&text).contains(SECRET));
    }
}

#[test]
fn the_key_never_shows_in_the_events() {
    // A receiver that refuses everything: failures are reported as notices.
    let hooks = HookServer::start(|_| (500, Vec::new()));
    let mut d = Daemon::start(
        &files(),
        &args(&hooks.url, &[]),
        &[("TOCSIN_WEBHOOK_SECRET", SECRET)],
    );
    let (notice, mut seen) = d.expect(|e| e["event"] == "notice");
    seen.push(notice);
    seen.extend(d.startup.clone());
    let _ = d.stop();
    let text = format!("{seen:?}");
    assert!(!text.contains(SECRET) && !text.contains("SECRET"), "{text}");
}

/// `/metrics` lines of the sink metrics.
fn sink_metrics(d: &Daemon) -> Vec<String> {
    let (code, body) = d.get("/metrics");
    assert_eq!(code, 200);
    body.lines()
        .filter(|l| l.contains("notification"))
        .map(String::from)
        .collect()
}

/// Waits until `/metrics` holds every line of `want`.
fn wait_for_metrics(d: &Daemon, want: &[&str]) -> Vec<String> {
    let end = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let lines = sink_metrics(d);
        if want.iter().all(|w| lines.iter().any(|l| l == w)) {
            return lines;
        }
        assert!(
            std::time::Instant::now() < end,
            "{want:?} not in {lines:#?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_refused_notification_is_dead_lettered_and_the_next_ones_still_arrive() {
    // 400 to the first request, 200 to the others.
    let hooks = HookServer::start(|n| (if n == 0 { 400 } else { 200 }, Vec::new()));
    let port = crate::common::free_port().to_string();
    let listen = format!("127.0.0.1:{port}");
    let mut d = Daemon::start(&files(), &args(&hooks.url, &["--listen", &listen]), &[]);
    let got = hooks.take(3);
    let refused = got[0].json();
    // The refused one is not sent again: the queue moved on.
    let ids: Vec<&str> = got
        .iter()
        .map(|h| h.header("Idempotency-Key").unwrap())
        .collect();
    assert_eq!(
        ids.iter().filter(|id| **id == refused["id"]).count(),
        1,
        "{ids:?}"
    );
    let (notice, _) = d.expect(|e| {
        e["event"] == "notice" && e["message"].as_str().unwrap().contains("dead-lettered")
    });
    assert!(
        notice["message"]
            .as_str()
            .unwrap()
            .contains("HTTP status 400"),
        "{notice}"
    );
    let lines = wait_for_metrics(
        &d,
        &[
            "tocsin_notifications_dead_lettered_total{sink=\"webhook\"} 1",
            "tocsin_notification_failures_total{sink=\"webhook\",reason=\"permanent\"} 1",
            "tocsin_notification_failures_total{sink=\"webhook\",reason=\"retry\"} 0",
            "tocsin_notifications_pending{sink=\"webhook\"} 0",
        ],
    );
    assert!(
        lines.iter().any(|l| l
            .starts_with("tocsin_notification_last_success_timestamp_seconds{sink=\"webhook\"} ")),
        "{lines:#?}"
    );
    let (_, dir) = d.stop();

    // The state folder says so, and `history` shows it.
    let story = history(dir.path(), None);
    let entry = story
        .iter()
        .find(|e| e["seq"] == refused["seq"])
        .unwrap_or_else(|| panic!("{story:#?}"));
    assert_eq!(entry["delivered"], serde_json::json!([]));
    assert_eq!(entry["dead_lettered"][0]["sink"], "webhook");
    assert_eq!(entry["dead_lettered"][0]["reason"], "HTTP status 400");
    let others = story.iter().filter(|e| e["seq"] != refused["seq"]);
    assert!(
        others.clone().count() == 2
            && others
                .clone()
                .all(|e| e["delivered"][0]["sink"] == "webhook")
    );
    let text = crate::common::tocsin(dir.path())
        .args(["history", "--format", "text"])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("dead-lettered: webhook") && text.contains("(HTTP status 400)"),
        "{text}"
    );

    // A restart sends nothing again: nothing is owed.
    let again = HookServer::ok();
    let d = Daemon::start_in(dir, &args(&again.url, &[]), &[]);
    assert!(again.rest(Duration::from_millis(800)).is_empty());
    let _ = d.stop();
}

#[test]
fn a_503_with_retry_after_is_tried_again_no_sooner_than_asked() {
    let hooks = HookServer::start(|n| {
        if n == 0 {
            (503, vec![("Retry-After", "2".to_string())])
        } else {
            (200, Vec::new())
        }
    });
    let port = crate::common::free_port().to_string();
    let listen = format!("127.0.0.1:{port}");
    let mut d = Daemon::start(&files(), &args(&hooks.url, &["--listen", &listen]), &[]);
    let (notice, _) = d.expect(|e| e["event"] == "notice");
    assert!(
        notice["message"]
            .as_str()
            .unwrap()
            .contains("HTTP status 503"),
        "{notice}"
    );
    let got = hooks.take(4);
    // The first one again, the same bytes and key, two seconds later (not
    // the 0.5 s the backoff alone would wait).
    assert_eq!(got[0].body, got[1].body);
    assert_eq!(
        got[0].header("Idempotency-Key"),
        got[1].header("Idempotency-Key")
    );
    let waited = got[1].at - got[0].at;
    assert!(
        waited >= Duration::from_millis(1900),
        "retried after {waited:?}"
    );
    assert!(waited < Duration::from_secs(5), "retried after {waited:?}");
    wait_for_metrics(
        &d,
        &[
            "tocsin_notification_failures_total{sink=\"webhook\",reason=\"retry\"} 1",
            "tocsin_notifications_dead_lettered_total{sink=\"webhook\"} 0",
            "tocsin_notifications_pending{sink=\"webhook\"} 0",
        ],
    );
    let (_, dir) = d.stop();
    let story = history(dir.path(), None);
    assert!(
        story
            .iter()
            .all(|e| e["delivered"].as_array().unwrap().len() == 1),
        "{story:#?}"
    );
}
