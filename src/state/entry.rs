//! One line of the journal (and of the history): a status change recorded
//! before it is announced, or the delivery of one to a sink.

use crate::change::StatusChange;
use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// A journal line: `{"seq":..,"ts":..,"type":"status"|"delivered"|"dead_lettered",..}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// Sequence number, strictly increasing over the life of the folder.
    pub seq: u64,
    /// Wall-clock time of the write, RFC 3339 UTC.
    pub ts: String,
    #[serde(flatten)]
    pub body: Body,
}

/// What a journal line records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(
    clippy::large_enum_variant,
    reason = "entries are read and written one at a time; boxing would only add an allocation to each status"
)]
pub(crate) enum Body {
    /// A change of status, and the sinks that must still deliver it.
    Status {
        change: StatusChange,
        sinks: Vec<String>,
    },
    /// The status entry `id` was delivered by `sink`.
    Delivered { id: u64, sink: String },
    /// `sink` refused the status entry `id` for good (an answer a retry
    /// cannot mend, such as HTTP 400): it is owed no more, and the reason
    /// stays in the history.
    DeadLettered {
        id: u64,
        sink: String,
        reason: String,
    },
}

impl Entry {
    /// The line as written: JSON and a newline. JSON strings escape
    /// newlines, so one entry is always exactly one line.
    pub fn to_line(&self) -> Vec<u8> {
        #[allow(clippy::expect_used, reason = "entries hold strings and numbers only")]
        let mut line = serde_json::to_vec(self).expect("entries serialize");
        line.push(b'\n');
        line
    }
}

/// A status line written from a change borrowed, not copied into an
/// [`Entry`]: the same bytes as the entry's [`Entry::to_line`]. An
/// evaluation may record tens of thousands of changes at once.
#[derive(Serialize)]
pub(crate) struct StatusLine<'a> {
    pub seq: u64,
    pub ts: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub change: &'a StatusChange,
    pub sinks: &'a [String],
}

impl StatusLine<'_> {
    /// Adds the line, and a newline, to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        #[allow(clippy::expect_used, reason = "entries hold strings and numbers only")]
        serde_json::to_writer(&mut *out, self).expect("entries serialize");
        out.push(b'\n');
    }
}

/// Now, as written in `ts`: RFC 3339 UTC with milliseconds.
pub(crate) fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::change::Announced;
    use crate::lang::ast::Severity;

    /// A change for tests.
    pub fn change(name: &str, from: Option<Announced>, to: Announced) -> StatusChange {
        StatusChange {
            name: name.into(),
            labels: Default::default(),
            kind: "alert".into(),
            from,
            to,
            at: "2025-07-20".into(),
            severity: Some(Severity::Critical),
            title: Some("A title".into()),
            summary: None,
            description: None,
            sources: vec![],
            tags: vec![],
        }
    }

    #[test]
    fn status_line_has_the_documented_shape() {
        let e = Entry {
            seq: 7,
            ts: "2025-07-20T09:14:03.000Z".into(),
            body: Body::Status {
                change: change("a", None, Announced::Met),
                sinks: vec!["webhook".into()],
            },
        };
        let line = String::from_utf8(e.to_line()).unwrap();
        assert!(line.starts_with(
            r#"{"seq":7,"ts":"2025-07-20T09:14:03.000Z","type":"status","change":{"name":"a""#
        ));
        assert!(line.ends_with("\"sinks\":[\"webhook\"]}\n"));
        assert_eq!(serde_json::from_str::<Entry>(&line).unwrap(), e);
    }

    #[test]
    fn a_status_line_borrowed_is_the_entry_line() {
        let sinks = vec!["webhook".to_string(), "alertmanager".to_string()];
        let mut c = change("a", Some(Announced::Pending), Announced::Met);
        c.labels.insert("country".into(), "Chad \"N\"".into());
        c.summary = Some("two\nlines".into());
        let e = Entry {
            seq: 12,
            ts: "2025-07-20T09:14:03.000Z".into(),
            body: Body::Status {
                change: c.clone(),
                sinks: sinks.clone(),
            },
        };
        let mut line = Vec::new();
        StatusLine {
            seq: 12,
            ts: "2025-07-20T09:14:03.000Z",
            kind: "status",
            change: &c,
            sinks: &sinks,
        }
        .write_to(&mut line);
        assert_eq!(
            String::from_utf8(line).unwrap(),
            String::from_utf8(e.to_line()).unwrap()
        );
    }

    #[test]
    fn dead_lettered_line_round_trips() {
        let e = Entry {
            seq: 9,
            ts: now(),
            body: Body::DeadLettered {
                id: 7,
                sink: "webhook".into(),
                reason: "HTTP status 400".into(),
            },
        };
        let line = String::from_utf8(e.to_line()).unwrap();
        assert!(line.contains(
            r#""type":"dead_lettered","id":7,"sink":"webhook","reason":"HTTP status 400""#
        ));
        assert_eq!(serde_json::from_str::<Entry>(&line).unwrap(), e);
    }

    #[test]
    fn delivered_line_round_trips() {
        let e = Entry {
            seq: 8,
            ts: now(),
            body: Body::Delivered {
                id: 7,
                sink: "webhook".into(),
            },
        };
        let line = String::from_utf8(e.to_line()).unwrap();
        assert!(line.contains(r#""type":"delivered","id":7,"sink":"webhook""#));
        assert_eq!(serde_json::from_str::<Entry>(&line).unwrap(), e);
    }
}
