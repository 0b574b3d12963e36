//! `--webhook-format alertmanager|cloudevents`: each body checked against
//! its published specification (required attributes, their types).

use crate::common::Daemon;
use crate::webhook_receiver::HookServer;
use serde_json::Value;

const RULES: &str = "alert strait_closed { severity: critical title: \"Strait closed\" \
                     tags: [\"region=east-asia\"] when: latest(transits) < 1 }\n";
const OPEN: &str = "date,value\n2025-01-01,5\n";
const CLOSED: &str = "date,value\n2025-01-01,5\n2025-02-01,0\n";

fn start(format: &str, hooks: &HookServer) -> Daemon {
    Daemon::start(
        &[("rules/a.rules", RULES), ("indicators/transits.csv", OPEN)],
        &[
            "--at",
            "2025-03-01",
            "--webhook",
            &hooks.url,
            "--webhook-format",
            format,
        ],
        &[],
    )
}

/// RFC 3339 with an offset, as CloudEvents' `time` and Alertmanager's
/// timestamps are.
fn is_rfc3339(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
}

fn is_string_map(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|m| m.values().all(Value::is_string))
}

#[test]
fn cloudevents_are_structured_mode_events_of_the_1_0_specification() {
    let hooks = HookServer::ok();
    let mut d = start("cloudevents", &hooks);
    let first = hooks.take(1).remove(0);
    crate::common::write(&d.path("indicators/transits.csv"), CLOSED);
    d.status("strait_closed", "met");
    let second = hooks.take(1).remove(0);
    let _ = d.stop();
    for hook in [&first, &second] {
        // Structured content mode: the event is the body.
        let content_type = hook.header("Content-Type").unwrap();
        assert!(
            content_type.starts_with("application/cloudevents+json"),
            "{content_type}"
        );
        let event = hook.json();
        let object = event.as_object().unwrap();
        // Required context attributes: non-empty strings; specversion 1.0.
        assert_eq!(event["specversion"], "1.0");
        for required in ["id", "source", "type"] {
            assert!(
                object[required].as_str().is_some_and(|s| !s.is_empty()),
                "{required}: {event}"
            );
        }
        // `source` is a URI-reference; ours an absolute URI (a URN).
        let source = event["source"].as_str().unwrap();
        let scheme = source.split_once(':').unwrap().0;
        assert!(scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)));
        assert!(!source.contains(char::is_whitespace));
        // Optional ones, typed as the specification says.
        assert!(is_rfc3339(&event["time"]), "{event}");
        assert_eq!(event["datacontenttype"], "application/json");
        assert!(event["subject"].as_str().is_some_and(|s| !s.is_empty()));
        // Attribute names: lower-case ASCII letters and digits, at most 20.
        for name in object.keys() {
            assert!(
                name.len() <= 20
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
                "attribute name {name}"
            );
        }
        // The id is the notification's, as in the tocsin format.
        assert_eq!(event["id"], event["data"]["id"]);
        assert_eq!(hook.header("Idempotency-Key"), event["id"].as_str());
        assert_eq!(event["data"]["name"], "strait_closed");
        assert_eq!(event["type"], "io.tocsin.status.changed");
    }
    assert_eq!(second.json()["data"]["to"], "met");
    assert_ne!(first.json()["id"], second.json()["id"]);
}

/// Checks `body` has every key of the Alertmanager webhook payload
/// (version 4), each of the documented type.
pub(crate) fn check_alertmanager_payload(body: &Value) {
    assert_eq!(body["version"], "4", "{body}");
    for key in ["groupKey", "receiver", "externalURL"] {
        assert!(body[key].is_string(), "{key}: {body}");
    }
    assert!(body["truncatedAlerts"].is_u64(), "{body}");
    assert!(["firing", "resolved"].contains(&body["status"].as_str().unwrap()));
    for key in ["groupLabels", "commonLabels", "commonAnnotations"] {
        assert!(is_string_map(&body[key]), "{key}: {body}");
    }
    let alerts = body["alerts"].as_array().unwrap();
    assert!(!alerts.is_empty());
    for alert in alerts {
        assert!(["firing", "resolved"].contains(&alert["status"].as_str().unwrap()));
        assert!(is_string_map(&alert["labels"]) && is_string_map(&alert["annotations"]));
        assert!(is_rfc3339(&alert["startsAt"]) && is_rfc3339(&alert["endsAt"]));
        assert!(alert["generatorURL"].is_string());
        let fingerprint = alert["fingerprint"].as_str().unwrap();
        assert!(
            fingerprint.len() == 16 && fingerprint.chars().all(|c| c.is_ascii_hexdigit()),
            "{fingerprint}"
        );
    }
}

#[test]
fn alertmanager_bodies_are_webhook_payloads_of_version_4() {
    let hooks = HookServer::ok();
    let mut d = start("alertmanager", &hooks);
    let first = hooks.take(1).remove(0);
    crate::common::write(&d.path("indicators/transits.csv"), CLOSED);
    d.status("strait_closed", "met");
    let fired = hooks.take(1).remove(0);
    crate::common::write(&d.path("indicators/transits.csv"), OPEN);
    d.status("strait_closed", "not_met");
    let resolved = hooks.take(1).remove(0);
    let _ = d.stop();
    for hook in [&first, &fired, &resolved] {
        assert_eq!(hook.header("Content-Type"), Some("application/json"));
        check_alertmanager_payload(&hook.json());
    }
    let (fired, resolved) = (fired.json(), resolved.json());
    assert_eq!(fired["status"], "firing");
    assert_eq!(resolved["status"], "resolved");
    let alert = &fired["alerts"][0];
    assert_eq!(alert["labels"]["alertname"], "strait_closed");
    assert_eq!(alert["labels"]["severity"], "critical");
    assert_eq!(alert["labels"]["region"], "east-asia");
    assert_eq!(alert["annotations"]["title"], "Strait closed");
    assert_eq!(alert["endsAt"], "0001-01-01T00:00:00Z");
    assert_eq!(fired["groupLabels"]["alertname"], "strait_closed");
    // The same alert: the same fingerprint when it resolves.
    assert_eq!(alert["fingerprint"], resolved["alerts"][0]["fingerprint"]);
    assert!(is_rfc3339(&resolved["alerts"][0]["endsAt"]));
    assert_ne!(resolved["alerts"][0]["endsAt"], "0001-01-01T00:00:00Z");
}
