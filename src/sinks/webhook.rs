//! A webhook: each status change POSTed as one JSON object.

use super::http::HttpClient;
use super::url::{check_http_url, redact};
use super::{Sink, SinkError};
use crate::change::StatusChange;
use serde_json::{Map, Value};
use std::fmt;

/// A webhook endpoint. Each status change is POSTed to it as the JSON
/// object the daemon prints for the event:
///
/// ```json
/// {"event": "status", "name": "...", "labels": {}, "kind": "alert", "from": "pending",
///  "to": "met", "at": "2025-07-20", "severity": "critical", "title": "...",
///  "summary": "...", "description": "...", "sources": [], "tags": []}
/// ```
///
/// (`labels` holds an instance's `by:` fields and values, such as
/// `{"country": "Yemen"}`, and is `{}` for a rule without `by:`), with
/// `Content-Type: application/json`, a 2 s connect timeout and 10 s
/// for the whole request. Any 2xx answer counts as delivered.
///
/// The URL may hold secrets (a password, a token in the query): it is never
/// shown, not even by `Debug`; [`Webhook::redacted_url`] is what may be.
pub struct Webhook {
    url: String,
    redacted: String,
    client: HttpClient,
}

impl Webhook {
    /// A webhook posting to `url`, which must be an `http` or `https` URL
    /// with a host.
    pub fn new(url: &str) -> Result<Webhook, SinkError> {
        check_http_url(url)?;
        Ok(Webhook {
            url: url.to_string(),
            redacted: redact(url),
            client: HttpClient::new(),
        })
    }

    /// The URL with its secrets replaced by `***`.
    pub fn redacted_url(&self) -> &str {
        &self.redacted
    }

    /// POSTs `change`; an error for no answer in time, no connection, or an
    /// answer other than 2xx (with its status code).
    pub fn send(&self, change: &StatusChange) -> Result<(), SinkError> {
        #[allow(clippy::expect_used, reason = "JSON values always serialise")]
        let body = serde_json::to_vec(&payload(change)).expect("a status change serialises");
        self.client.post_json(&self.url, &self.redacted, &body)
    }
}

/// The JSON object posted for `change`: `"event": "status"` first, then the
/// fields of the change.
pub(crate) fn payload(change: &StatusChange) -> Value {
    let mut object = Map::new();
    object.insert("event".to_string(), Value::from("status"));
    #[allow(
        clippy::expect_used,
        reason = "a struct of strings and enums always serialises"
    )]
    let value = serde_json::to_value(change).expect("a status change serialises");
    match value {
        Value::Object(fields) => object.extend(fields),
        _ => unreachable!("a struct serialises to an object"),
    }
    Value::Object(object)
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &self.redacted)
            .finish_non_exhaustive()
    }
}

impl Sink for Webhook {
    fn name(&self) -> &'static str {
        "webhook"
    }

    fn deliver(&mut self, change: &StatusChange) -> Result<(), SinkError> {
        self.send(change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::Announced;
    use crate::lang::ast::Severity;
    use serde_json::json;

    #[test]
    fn the_payload_is_the_status_event() {
        let change = StatusChange {
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
        };
        let body = payload(&change);
        assert_eq!(
            body,
            json!({
                "event": "status", "name": "blockade_drill", "labels": {}, "kind": "alert",
                "from": "pending", "to": "met", "at": "2025-07-20",
                "severity": "critical", "title": "Blockade drill",
                "summary": null, "description": null,
                "sources": ["MND daily report"], "tags": ["taiwan"]
            })
        );
        assert_eq!(body.as_object().unwrap().keys().next().unwrap(), "event");
    }

    #[test]
    fn new_checks_the_url_and_debug_hides_secrets() {
        assert!(Webhook::new("ftp://example.com").is_err());
        let hook = Webhook::new("https://u:SECRET@example.com/h?token=SECRET").unwrap();
        assert_eq!(hook.redacted_url(), "https://***@example.com/***?token=***");
        assert!(!format!("{hook:?}").contains("SECRET"));
    }
}
