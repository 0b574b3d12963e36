//! The bodies a webhook can post: tocsin's own, an Alertmanager webhook's,
//! or a CloudEvent.

use super::alertmanager::alert_annotations;
use super::labels::alert_labels;
use super::notification::{Notification, SCHEMA_VERSION};
use crate::change::Announced;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The CloudEvents `type` of a notification.
pub const CLOUDEVENTS_TYPE: &str = "io.tocsin.status.changed";
/// The CloudEvents `source` of a notification: the same for every daemon,
/// so that `source` and `id` together identify a change wherever it was
/// evaluated.
pub const CLOUDEVENTS_SOURCE: &str = "urn:tocsin:watch";
/// The `receiver` named in an Alertmanager webhook body.
pub const ALERTMANAGER_RECEIVER: &str = "tocsin";

/// How a webhook shapes its body (`--webhook-format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WebhookFormat {
    /// tocsin's own: the status event with `version`, `id`, `seq`, `ts`.
    #[default]
    Tocsin,
    /// The body Alertmanager posts to its webhook receivers (version 4),
    /// with the change as its one alert.
    Alertmanager,
    /// A CloudEvents 1.0 event in structured JSON mode, the tocsin body as
    /// its `data`.
    CloudEvents,
}

impl WebhookFormat {
    /// The `Content-Type` of the body.
    pub fn content_type(self) -> &'static str {
        match self {
            WebhookFormat::Tocsin | WebhookFormat::Alertmanager => "application/json",
            WebhookFormat::CloudEvents => "application/cloudevents+json; charset=utf-8",
        }
    }

    /// The body for `n`.
    pub fn body(self, n: &Notification) -> Value {
        match self {
            WebhookFormat::Tocsin => n.body(),
            WebhookFormat::Alertmanager => alertmanager(n),
            WebhookFormat::CloudEvents => cloudevent(n),
        }
    }
}

/// A CloudEvent: the required `specversion`, `id` (the notification's id),
/// `source` and `type`, then `subject` (the rule, or the instance), `time`
/// (when the change was recorded), `datacontenttype` and the tocsin body as
/// `data`.
fn cloudevent(n: &Notification) -> Value {
    json!({
        "specversion": "1.0",
        "id": n.id(),
        "source": CLOUDEVENTS_SOURCE,
        "type": CLOUDEVENTS_TYPE,
        "subject": n.change.key(),
        "time": n.ts,
        "datacontenttype": "application/json",
        "data": n.body(),
    })
}

/// The body Alertmanager posts to a webhook receiver, for one alert: the
/// change. `firing` when the rule became met, else `resolved` (with
/// `endsAt` the time of the change). The labels are those the
/// Alertmanager sink gives the alert; the annotations its, plus
/// `tocsin_id`, `tocsin_seq` and `tocsin_version`, so that nothing of the
/// notification is lost to a receiver that keeps annotations.
fn alertmanager(n: &Notification) -> Value {
    let change = &n.change;
    let labels = alert_labels(change);
    let mut annotations = alert_annotations(change);
    annotations.insert("tocsin_id".to_string(), n.id());
    annotations.insert("tocsin_seq".to_string(), n.seq.to_string());
    annotations.insert("tocsin_version".to_string(), SCHEMA_VERSION.to_string());
    let firing = change.to == Announced::Met;
    let status = if firing { "firing" } else { "resolved" };
    // Alertmanager's zero time: a firing alert has not ended.
    let ends_at = if firing {
        "0001-01-01T00:00:00Z"
    } else {
        n.ts.as_str()
    };
    let group_labels = BTreeMap::from([("alertname".to_string(), change.name.clone())]);
    json!({
        "version": "4",
        "groupKey": format!("{{}}:{}", label_set(&group_labels)),
        "truncatedAlerts": 0,
        "status": status,
        "receiver": ALERTMANAGER_RECEIVER,
        "groupLabels": group_labels,
        "commonLabels": labels,
        "commonAnnotations": annotations,
        "externalURL": "",
        "alerts": [{
            "status": status,
            "labels": labels,
            "annotations": annotations,
            "startsAt": n.ts,
            "endsAt": ends_at,
            "generatorURL": "",
            "fingerprint": fingerprint(&labels),
        }],
    })
}

/// A label set written as Prometheus writes one: `{a="x", b="y"}`.
fn label_set(labels: &BTreeMap<String, String>) -> String {
    let inner: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}={}", Value::from(v.as_str())))
        .collect();
    format!("{{{}}}", inner.join(", "))
}

/// The fingerprint Alertmanager gives an alert with these labels (Prometheus'
/// `LabelSet.Fingerprint`): FNV-1a 64 over each name and value in name
/// order, each followed by the byte 0xff, as 16 hex digits.
fn fingerprint(labels: &BTreeMap<String, String>) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    let mut add = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(PRIME);
        }
    };
    for (name, value) in labels {
        add(name.as_bytes());
        add(&[0xff]);
        add(value.as_bytes());
        add(&[0xff]);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sinks::notification::tests::notification;

    #[test]
    fn a_cloudevent_has_the_required_attributes() {
        let n = notification();
        let event = WebhookFormat::CloudEvents.body(&n);
        assert_eq!(event["specversion"], "1.0");
        assert_eq!(event["id"], n.id());
        assert_eq!(event["source"], CLOUDEVENTS_SOURCE);
        assert_eq!(event["type"], CLOUDEVENTS_TYPE);
        assert_eq!(event["time"], n.ts);
        assert_eq!(event["subject"], "blockade_drill");
        assert_eq!(event["data"], n.body());
        assert!(WebhookFormat::CloudEvents
            .content_type()
            .starts_with("application/cloudevents+json"));
    }

    #[test]
    fn an_alertmanager_body_fires_and_resolves() {
        let mut n = notification();
        let body = WebhookFormat::Alertmanager.body(&n);
        assert_eq!(body["version"], "4");
        assert_eq!(body["status"], "firing");
        assert_eq!(body["groupKey"], "{}:{alertname=\"blockade_drill\"}");
        let alert = &body["alerts"][0];
        assert_eq!(alert["labels"]["alertname"], "blockade_drill");
        assert_eq!(alert["labels"]["taiwan"], "true");
        assert_eq!(alert["annotations"]["tocsin_id"], n.id());
        assert_eq!(alert["endsAt"], "0001-01-01T00:00:00Z");
        assert_eq!(body["commonLabels"], alert["labels"]);
        n.change.from = Some(Announced::Met);
        n.change.to = Announced::NotMet;
        let body = WebhookFormat::Alertmanager.body(&n);
        assert_eq!(body["status"], "resolved");
        assert_eq!(body["alerts"][0]["endsAt"], n.ts);
    }

    #[test]
    fn the_fingerprint_is_prometheus_own() {
        // prometheus/common gives the empty set FNV-1a's offset basis.
        assert_eq!(fingerprint(&BTreeMap::new()), "cbf29ce484222325");
        let labels = BTreeMap::from([("alertname".to_string(), "x".to_string())]);
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in b"alertname\xffx\xff" {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x100_0000_01b3);
        }
        assert_eq!(fingerprint(&labels), format!("{hash:016x}"));
    }
}
