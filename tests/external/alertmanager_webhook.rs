//! `--webhook-format alertmanager` against what a real Alertmanager posts
//! to its webhook receivers: the same keys, of the same types, and the same
//! group key and fingerprint for the same labels.

use crate::alertmanager::{agent, alertmanager_with};
use chrono::{SecondsFormat, Utc};
use serde_json::{json, Value};

use std::net::TcpListener;
use std::sync::mpsc::Receiver;
use std::time::Duration;
use tocsin::change::{Announced, StatusChange};
use tocsin::lang::ast::Severity;
use tocsin::sinks::{Notification, WebhookFormat};

/// A receiver answering 200 and handing over each JSON body.
fn receiver() -> (String, Receiver<Value>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    (url, crate::common::hook_server(listener))
}

/// The JSON type of every key, recursively, with the first element of each
/// array standing for all; label and annotation maps by their value type
/// alone (their keys are the alert's).
fn shape(v: &Value, path: &str, out: &mut Vec<String>) {
    let kind = match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    out.push(format!("{path}: {kind}"));
    match v {
        Value::Object(m) if path.ends_with("abels") || path.ends_with("nnotations") => {
            assert!(m.values().all(Value::is_string), "{path}: {v}");
        }
        Value::Object(m) => {
            for (k, v) in m {
                shape(v, &format!("{path}.{k}"), out);
            }
        }
        Value::Array(items) => {
            if let Some(first) = items.first() {
                shape(first, &format!("{path}[]"), out);
            }
        }
        _ => {}
    }
}

fn shape_of(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    shape(v, "", &mut out);
    out.sort();
    out
}

#[test]
fn the_alertmanager_format_is_what_alertmanager_posts() {
    let (url, bodies) = receiver();
    let config = format!(
        "route:\n  receiver: hook\n  group_by: ['alertname']\n  group_wait: 100ms\n  \
         group_interval: 100ms\n  repeat_interval: 1h\nreceivers:\n  - name: hook\n    \
         webhook_configs:\n      - url: {url}\n        send_resolved: true\n"
    );
    let Some(am) = alertmanager_with(&config) else {
        return;
    };
    let now = Utc::now();
    let stamp = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
    let alert = |ends: chrono::DateTime<Utc>| {
        json!([{
            "labels": {"alertname": "strait_closed", "severity": "critical"},
            "annotations": {"title": "Strait closed"},
            "startsAt": stamp(now),
            "endsAt": stamp(ends),
        }])
    };
    let post = |body: Value| {
        agent()
            .post(&format!("{}/api/v2/alerts", am.base))
            .header("Content-Type", "application/json")
            .send(body.to_string())
            .expect("POST /api/v2/alerts");
    };
    post(alert(now + chrono::Duration::minutes(5)));
    let theirs_firing = bodies
        .recv_timeout(Duration::from_secs(20))
        .expect("a webhook");
    post(alert(Utc::now()));
    let theirs_resolved = loop {
        let body = bodies
            .recv_timeout(Duration::from_secs(20))
            .expect("a resolved webhook");
        if body["status"] == "resolved" {
            break body;
        }
    };

    let mut change = StatusChange {
        name: "strait_closed".to_string(),
        labels: Default::default(),
        kind: "alert".to_string(),
        from: Some(Announced::NotMet),
        to: Announced::Met,
        at: "2025-03-01".to_string(),
        severity: Some(Severity::Critical),
        title: Some("Strait closed".to_string()),
        summary: None,
        description: None,
        sources: vec![],
        tags: vec![],
    };
    let note = |change: &StatusChange| Notification {
        seq: 7,
        ts: stamp(Utc::now()),
        change: change.clone(),
    };
    let ours_firing = WebhookFormat::Alertmanager.body(&note(&change));
    change.from = Some(Announced::Met);
    change.to = Announced::NotMet;
    let ours_resolved = WebhookFormat::Alertmanager.body(&note(&change));

    for (ours, theirs) in [
        (&ours_firing, &theirs_firing),
        (&ours_resolved, &theirs_resolved),
    ] {
        assert_eq!(
            shape_of(ours),
            shape_of(theirs),
            "ours {ours}\ntheirs {theirs}"
        );
        for key in [
            "version",
            "status",
            "groupKey",
            "groupLabels",
            "commonLabels",
        ] {
            assert_eq!(
                ours[key], theirs[key],
                "{key}: ours {ours}\ntheirs {theirs}"
            );
        }
        let (a, b) = (&ours["alerts"][0], &theirs["alerts"][0]);
        for key in ["status", "labels", "fingerprint"] {
            assert_eq!(a[key], b[key], "{key}: ours {a}\ntheirs {b}");
        }
        assert_eq!(a["annotations"]["title"], b["annotations"]["title"]);
    }
    assert_eq!(theirs_firing["alerts"][0]["endsAt"], "0001-01-01T00:00:00Z");
}
