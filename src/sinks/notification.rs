//! A notification: a recorded status change as the sinks send it, with the
//! journal's sequence number, the time it was recorded and an id that any
//! daemon evaluating the same rules and data gives it.

use crate::change::StatusChange;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The version of the notification body's schema, sent as `version`. It
/// changes only when a key is removed or changes meaning.
pub const SCHEMA_VERSION: u32 = 1;

/// The first field hashed into a notification id: it names the recipe, so
/// that a future recipe can never give the same id to another change.
const ID_DOMAIN: &str = "tocsin-notification-v1";

/// One status change on its way to the sinks.
#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    /// The journal's sequence number of the change: strictly increasing
    /// within one state folder.
    pub seq: u64,
    /// When the change was recorded, RFC 3339 UTC (the journal's `ts`): the
    /// same in every attempt and after a restart.
    pub ts: String,
    /// The change.
    pub change: StatusChange,
}

impl Notification {
    /// The notification's deterministic id: see [`notification_id`].
    pub fn id(&self) -> String {
        notification_id(&self.change)
    }

    /// The body the `tocsin` webhook format posts: `event`, `version`,
    /// `id`, `seq`, `ts`, then every key of the status event (`name`,
    /// `labels`, `kind`, `from`, `to`, `at`, `severity`, `title`, ...).
    pub fn body(&self) -> Value {
        let mut object = Map::new();
        object.insert("event".to_string(), Value::from("status"));
        object.insert("version".to_string(), Value::from(SCHEMA_VERSION));
        object.insert("id".to_string(), Value::from(self.id()));
        object.insert("seq".to_string(), Value::from(self.seq));
        object.insert("ts".to_string(), Value::from(self.ts.as_str()));
        #[allow(
            clippy::expect_used,
            reason = "a struct of strings and enums always serialises"
        )]
        let value = serde_json::to_value(&self.change).expect("a status change serialises");
        if let Value::Object(fields) = value {
            object.extend(fields);
        }
        Value::Object(object)
    }
}

/// The id of a change: lowercase hex SHA-256 of the netstrings
/// (`<byte length>:<bytes>,`) of, in order, `tocsin-notification-v1`, the
/// rule's name, the number of labels (in decimal), each label's name and
/// value in the byte order of the names, `from` (empty when there was
/// none), `to` and the evaluation date `at`.
///
/// It depends on nothing else (not the time, not the sequence number, not
/// the rule's text), so two daemons on the same rules and data, each with
/// its own state folder, give the same change the same id, and a receiver
/// can drop the second.
pub fn notification_id(change: &StatusChange) -> String {
    let count = change.labels.len().to_string();
    let mut fields: Vec<&str> = vec![ID_DOMAIN, &change.name, &count];
    for (name, value) in &change.labels {
        fields.push(name);
        fields.push(value);
    }
    fields.push(change.from.map_or("", |f| f.as_str()));
    fields.push(change.to.as_str());
    fields.push(&change.at);
    let mut hash = Sha256::new();
    for field in fields {
        hash.update(field.len().to_string().as_bytes());
        hash.update(b":");
        hash.update(field.as_bytes());
        hash.update(b",");
    }
    hex(&hash.finalize())
}

/// Lowercase hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::change::Announced;
    use crate::lang::ast::Severity;
    use serde_json::json;

    /// A change for tests.
    pub fn change() -> StatusChange {
        StatusChange {
            name: "blockade_drill".to_string(),
            labels: Default::default(),
            kind: "alert".to_string(),
            from: Some(Announced::Pending),
            to: Announced::Met,
            at: "2025-07-20".to_string(),
            severity: Some(Severity::Critical),
            title: Some("Blockade drill".to_string()),
            summary: None,
            description: None,
            sources: vec!["MND daily report".to_string()],
            tags: vec!["taiwan".to_string()],
        }
    }

    /// A notification of [`change`] for tests.
    pub fn notification() -> Notification {
        Notification {
            seq: 7,
            ts: "2025-07-20T09:14:03.512Z".to_string(),
            change: change(),
        }
    }

    #[test]
    fn the_body_is_the_status_event_with_what_a_receiver_needs() {
        let n = notification();
        let body = n.body();
        assert_eq!(
            body,
            json!({
                "event": "status", "version": 1, "id": n.id(), "seq": 7,
                "ts": "2025-07-20T09:14:03.512Z",
                "name": "blockade_drill", "labels": {}, "kind": "alert",
                "from": "pending", "to": "met", "at": "2025-07-20",
                "severity": "critical", "title": "Blockade drill",
                "summary": null, "description": null,
                "sources": ["MND daily report"], "tags": ["taiwan"]
            })
        );
        let keys: Vec<&String> = body.as_object().unwrap().keys().take(5).collect();
        assert_eq!(keys, ["event", "version", "id", "seq", "ts"]);
    }

    #[test]
    fn the_id_follows_the_documented_recipe() {
        let mut c = change();
        c.labels.insert("region".into(), "North".into());
        c.labels.insert("country".into(), "Yémen".into());
        let mut text = Vec::new();
        for f in [
            ID_DOMAIN,
            "blockade_drill",
            "2",
            "country",
            "Yémen",
            "region",
            "North",
            "pending",
            "met",
            "2025-07-20",
        ] {
            text.extend_from_slice(format!("{}:{f},", f.len()).as_bytes());
        }
        assert_eq!(notification_id(&c), hex(&Sha256::digest(&text)));
        assert_eq!(notification_id(&c).len(), 64);
    }

    #[test]
    fn the_id_depends_on_the_change_alone() {
        let base = notification_id(&change());
        // Not on what is not part of the change's identity.
        let mut other = change();
        other.title = Some("Renamed".into());
        other.tags.clear();
        assert_eq!(notification_id(&other), base);
        // On each part of it.
        let edits: [fn(&mut StatusChange); 5] = [
            |c| c.name.push('x'),
            |c| c.from = None,
            |c| c.to = Announced::NotMet,
            |c| c.at = "2025-07-21".into(),
            |c| {
                c.labels.insert("region".into(), "North".into());
            },
        ];
        for edit in edits {
            let mut c = change();
            edit(&mut c);
            assert_ne!(notification_id(&c), base, "{c:?}");
        }
        // Netstrings keep fields apart: moving a byte from one to the next
        // is another id.
        let mut a = change();
        a.labels.insert("ab".into(), "c".into());
        let mut b = change();
        b.labels.insert("a".into(), "bc".into());
        assert_ne!(notification_id(&a), notification_id(&b));
    }
}
