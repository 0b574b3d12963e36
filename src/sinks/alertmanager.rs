//! A Prometheus Alertmanager: met alerts kept firing there, resolved when
//! they stop being met.

use super::http::HttpClient;
use super::labels::alert_labels;
use super::url::{check_http_url, redact};
use super::{Notification, Sink, SinkError};
use crate::change::{Announced, StatusChange};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often firing alerts are re-sent unless configured otherwise.
pub const DEFAULT_RESEND_INTERVAL: Duration = Duration::from_secs(60);

/// How many resend intervals a firing alert stays firing in Alertmanager
/// without hearing from us, as Prometheus does.
const ENDS_AFTER_RESENDS: u32 = 4;

/// Sends alerts to an Alertmanager through its v2 API
/// (`POST {base}/api/v2/alerts`), the way Prometheus does.
///
/// The sink keeps the set of alerts that are met (only rules of kind
/// `alert`: indicators are not sent; each instance of an alert with `by:`
/// is an alert of its own) with the time each became met:
///
/// - when an alert becomes `met`, it is posted firing: its
///   [labels](super::alert_labels), the annotations `title`, `summary`,
///   `description` and `source` (the sources joined with `"; "`), `startsAt`
///   the time it became met and `endsAt` four resend intervals from now;
/// - [`resend`](Alertmanager::resend), called about every resend interval,
///   posts every firing alert again with a fresh `endsAt`, so Alertmanager
///   keeps them firing, and lets them expire on its own within four
///   intervals if tocsin stops;
/// - when an alert leaves `met` (for any status, or is removed), it is posted
///   once more with `endsAt` now, which Alertmanager takes as resolved at
///   once. It is posted with the labels it fired with, so the right alert is
///   resolved even if its tags changed meanwhile.
///
/// The set changes only after Alertmanager accepted the post, so a failed
/// [`apply`](Alertmanager::apply) can simply be called again.
pub struct Alertmanager {
    name: &'static str,
    endpoint: String,
    redacted: String,
    client: HttpClient,
    resend_interval: Duration,
    generator_url: Option<String>,
    /// Whether `generator_url` is given `?rule=` and the alert's name.
    rule_links: bool,
    firing: BTreeMap<String, Firing>,
    /// The annotations each met alert has now, by key, kept up to date by
    /// the daemon's evaluations: a resend carries them, as Prometheus
    /// renders annotations again at every evaluation.
    current: Option<CurrentTexts>,
}

/// The annotations of the alerts that are met, by
/// [key](StatusChange::key), as the last evaluation rendered them.
pub type CurrentTexts = Arc<Mutex<BTreeMap<String, BTreeMap<String, String>>>>;

/// An alert Alertmanager is told is firing.
#[derive(Clone, Debug, PartialEq)]
struct Firing {
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
    starts_at: DateTime<Utc>,
}

impl Firing {
    fn new(change: &StatusChange, starts_at: DateTime<Utc>) -> Firing {
        Firing {
            labels: alert_labels(change),
            annotations: alert_annotations(change),
            starts_at,
        }
    }
}

/// The annotations of an alert: `title`, `summary`, `description` and
/// `source` (the sources joined with `"; "`), each left out when blank.
pub fn alert_annotations(change: &StatusChange) -> BTreeMap<String, String> {
    let mut annotations = BTreeMap::new();
    let fields = [
        ("title", change.title.clone()),
        ("summary", change.summary.clone()),
        ("description", change.description.clone()),
        ("source", Some(change.sources.join("; "))),
    ];
    for (key, value) in fields {
        if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
            annotations.insert(key.to_string(), value);
        }
    }
    annotations
}

/// What a change asks of Alertmanager, and the set once it is done.
#[derive(Debug, PartialEq)]
struct Plan {
    alerts: Vec<Value>,
    then: Then,
}

#[derive(Debug, PartialEq)]
enum Then {
    Fire(String, Firing),
    Resolve(String),
}

impl Alertmanager {
    /// A sink for the Alertmanager at `base_url` (such as
    /// `http://127.0.0.1:9093`; a path prefix is kept), resending every
    /// [`DEFAULT_RESEND_INTERVAL`], with no alert firing yet.
    pub fn new(base_url: &str) -> Result<Alertmanager, SinkError> {
        check_http_url(base_url)?;
        if base_url.contains('?') {
            return Err(SinkError::InvalidUrl {
                url: redact(base_url),
                reason: "the Alertmanager URL must not have a query string",
            });
        }
        let endpoint = format!("{}/api/v2/alerts", base_url.trim_end_matches('/'));
        Ok(Alertmanager {
            name: "alertmanager",
            redacted: redact(&endpoint),
            endpoint,
            client: HttpClient::new(),
            resend_interval: DEFAULT_RESEND_INTERVAL,
            generator_url: None,
            rule_links: false,
            firing: BTreeMap::new(),
            current: None,
        })
    }

    /// Has resends carry the annotations `current` holds for each firing
    /// alert, rather than those it fired with.
    pub fn with_current_texts(mut self, current: CurrentTexts) -> Alertmanager {
        self.current = Some(current);
        self
    }

    /// Sets the sink's name (`alertmanager` unless set): each Alertmanager
    /// of a cluster is a sink of its own, with its own queue in the state.
    pub fn named(mut self, name: &'static str) -> Alertmanager {
        self.name = name;
        self
    }

    /// Sets how often firing alerts are re-sent (and so how far ahead their
    /// `endsAt` is: four intervals).
    pub fn with_resend_interval(mut self, interval: Duration) -> Alertmanager {
        self.resend_interval = interval;
        self
    }

    /// Sets the `generatorURL` sent with every alert: a link for people to
    /// follow from Alertmanager (a dashboard, the rules' repository).
    pub fn with_generator_url(mut self, url: &str) -> Alertmanager {
        self.generator_url = Some(url.to_string());
        self.rule_links = false;
        self
    }

    /// Sets the `generatorURL` of each alert to `url` with the query
    /// `rule=` and the alert's name: a link to the rule's status.
    pub fn with_rule_links(mut self, url: &str) -> Alertmanager {
        self.generator_url = Some(url.to_string());
        self.rule_links = true;
        self
    }

    /// How often [`resend`](Alertmanager::resend) should be called.
    pub fn resend_interval(&self) -> Duration {
        self.resend_interval
    }

    /// The endpoint posted to, redacted.
    pub fn redacted_url(&self) -> &str {
        &self.redacted
    }

    /// The alerts firing now, by [key](StatusChange::key) (the rule's name,
    /// or the instance's for a rule with `by:`), with the time each became
    /// met.
    pub fn firing(&self) -> impl Iterator<Item = (&str, DateTime<Utc>)> {
        self.firing.iter().map(|(n, f)| (n.as_str(), f.starts_at))
    }

    /// Replaces the firing set, without posting anything: for the start of
    /// the daemon, from its recovered state. Give, for each rule whose
    /// status is `met`, the change that made it met and the time it did;
    /// changes of indicators, and to other statuses, are ignored. The next
    /// [`resend`](Alertmanager::resend) posts them.
    pub fn set_firing(&mut self, alerts: impl IntoIterator<Item = (StatusChange, DateTime<Utc>)>) {
        self.firing = alerts
            .into_iter()
            .filter(|(change, _)| change.kind == "alert" && change.to == Announced::Met)
            .map(|(change, since)| (change.key(), Firing::new(&change, since)))
            .collect();
    }

    /// Tells Alertmanager about `change`, which happened at `since`: fires
    /// an alert that became met, resolves one that stopped being met (also
    /// one not in the firing set when `change.from` is `met`, as after a
    /// restart). Indicators, and alerts moving between statuses other than
    /// `met`, post nothing.
    ///
    /// If the post fails the firing set is left as it was, and the same
    /// call can be made again.
    pub fn apply(&mut self, change: &StatusChange, since: DateTime<Utc>) -> Result<(), SinkError> {
        let Some(plan) = self.plan(change, since, Utc::now()) else {
            return Ok(());
        };
        self.post(&plan.alerts)?;
        match plan.then {
            Then::Fire(name, firing) => self.firing.insert(name, firing),
            Then::Resolve(name) => self.firing.remove(&name),
        };
        Ok(())
    }

    /// Posts every firing alert again with `endsAt` four resend intervals
    /// from now. Posts nothing when no alert is firing.
    pub fn resend(&mut self) -> Result<(), SinkError> {
        self.refresh_texts();
        let alerts = self.resend_alerts(Utc::now());
        if alerts.is_empty() {
            return Ok(());
        }
        self.post(&alerts)
    }

    /// Gives each firing alert the annotations it has now, where the
    /// daemon keeps them.
    fn refresh_texts(&mut self) {
        let Some(current) = &self.current else {
            return;
        };
        // A poisoned lock still holds texts written whole.
        let current = current.lock().unwrap_or_else(|e| e.into_inner());
        for (key, firing) in &mut self.firing {
            if let Some(annotations) = current.get(key) {
                firing.annotations.clone_from(annotations);
            }
        }
    }

    fn post(&self, alerts: &[Value]) -> Result<(), SinkError> {
        #[allow(clippy::expect_used, reason = "JSON values always serialise")]
        let body = serde_json::to_vec(alerts).expect("alerts serialise");
        self.client.post_json(&self.endpoint, &self.redacted, &body)
    }

    /// When a firing alert posted at `now` ends if not heard of again.
    fn firing_ends_at(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let ahead = self.resend_interval * ENDS_AFTER_RESENDS;
        now + chrono::Duration::from_std(ahead).unwrap_or(chrono::Duration::days(1))
    }

    fn plan(
        &self,
        change: &StatusChange,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<Plan> {
        if change.kind != "alert" {
            return None;
        }
        let key = change.key();
        let known = self.firing.get(&key);
        if change.to == Announced::Met {
            let starts_at = known.map_or(since, |f| f.starts_at);
            let firing = Firing::new(change, starts_at);
            let mut alerts = Vec::new();
            if let Some(old) = known.filter(|old| old.labels != firing.labels) {
                alerts.push(self.alert_json(old, now));
            }
            alerts.push(self.alert_json(&firing, self.firing_ends_at(now)));
            return Some(Plan {
                alerts,
                then: Then::Fire(key, firing),
            });
        }
        let was_met = change.from == Some(Announced::Met);
        let resolved = match known {
            // Its labels as it fired, so that the right alert is resolved;
            // its texts as they are now.
            Some(firing) => Firing {
                annotations: alert_annotations(change),
                ..firing.clone()
            },
            None if was_met => Firing::new(change, since),
            None => return None,
        };
        Some(Plan {
            alerts: vec![self.alert_json(&resolved, now)],
            then: Then::Resolve(key),
        })
    }

    fn resend_alerts(&self, now: DateTime<Utc>) -> Vec<Value> {
        let ends_at = self.firing_ends_at(now);
        self.firing
            .values()
            .map(|f| self.alert_json(f, ends_at))
            .collect()
    }

    /// One alert as the v2 API takes it. Alertmanager refuses an alert that
    /// ends before it starts, so `startsAt` is never after `endsAt`.
    fn alert_json(&self, alert: &Firing, ends_at: DateTime<Utc>) -> Value {
        let mut object = Map::new();
        object.insert("labels".to_string(), json!(alert.labels));
        object.insert("annotations".to_string(), json!(alert.annotations));
        object.insert(
            "startsAt".to_string(),
            json!(timestamp(alert.starts_at.min(ends_at))),
        );
        object.insert("endsAt".to_string(), json!(timestamp(ends_at)));
        if let Some(url) = &self.generator_url {
            let url = match alert.labels.get("alertname") {
                Some(name) if self.rule_links => {
                    let join = if url.contains('?') { '&' } else { '?' };
                    format!("{url}{join}rule={}", query_value(name))
                }
                _ => url.clone(),
            };
            object.insert("generatorURL".to_string(), json!(url));
        }
        Value::Object(object)
    }
}

/// `value` percent-encoded for a query string: every byte but the
/// unreserved characters of RFC 3986.
fn query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// RFC 3339 in UTC with milliseconds, as Alertmanager writes them.
fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl fmt::Debug for Alertmanager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Alertmanager")
            .field("url", &self.redacted)
            .field("resend_interval", &self.resend_interval)
            .field("firing", &self.firing.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Sink for Alertmanager {
    fn name(&self) -> &'static str {
        self.name
    }

    /// [`apply`](Alertmanager::apply) with the time the change was
    /// recorded as its time (the time of delivery if that cannot be read).
    fn deliver(&mut self, n: &Notification) -> Result<(), SinkError> {
        let since = DateTime::parse_from_rfc3339(&n.ts)
            .map_or_else(|_| Utc::now(), |t| t.with_timezone(&Utc));
        self.apply(&n.change, since)
    }

    /// [`resend`](Alertmanager::resend).
    fn tick(&mut self) -> Result<(), SinkError> {
        self.resend()
    }

    fn tick_interval(&self) -> Option<Duration> {
        Some(self.resend_interval)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::ast::Severity;
    use chrono::TimeZone;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 7, 20, h, m, s).unwrap()
    }

    fn change(name: &str, kind: &str, from: Option<Announced>, to: Announced) -> StatusChange {
        StatusChange {
            name: name.to_string(),
            labels: Default::default(),
            kind: kind.to_string(),
            from,
            to,
            at: "2025-07-20".to_string(),
            severity: (kind == "alert").then_some(Severity::Critical),
            title: Some("Strait closed".to_string()),
            summary: Some("Shipping halted in the strait".to_string()),
            description: Some("AIS tracks show no transit for 48h.".to_string()),
            sources: vec!["AIS feed".to_string(), "Coast guard notice".to_string()],
            tags: vec!["taiwan".to_string(), "region=east-asia".to_string()],
        }
    }

    fn sink() -> Alertmanager {
        Alertmanager::new("http://127.0.0.1:9093/")
            .unwrap()
            .with_resend_interval(Duration::from_secs(30))
    }

    #[test]
    fn the_endpoint_is_the_v2_alerts_api() {
        assert_eq!(sink().endpoint, "http://127.0.0.1:9093/api/v2/alerts");
        let prefixed = Alertmanager::new("https://u:SECRET@am.example.com/am").unwrap();
        assert_eq!(
            prefixed.endpoint,
            "https://u:SECRET@am.example.com/am/api/v2/alerts"
        );
        assert_eq!(prefixed.redacted_url(), "https://***@am.example.com/***");
        assert!(!format!("{prefixed:?}").contains("SECRET"));
        assert!(Alertmanager::new("http://am/?x=1").is_err());
        assert!(Alertmanager::new("am:9093").is_err());
    }

    #[test]
    fn an_alert_that_becomes_met_is_posted_firing() {
        let met = change(
            "strait_closed",
            "alert",
            Some(Announced::Pending),
            Announced::Met,
        );
        let plan = sink().plan(&met, at(10, 0, 0), at(10, 0, 5)).unwrap();
        assert_eq!(
            Value::Array(plan.alerts),
            json!([{
                "labels": {
                    "alertname": "strait_closed",
                    "severity": "critical",
                    "taiwan": "true",
                    "region": "east-asia"
                },
                "annotations": {
                    "title": "Strait closed",
                    "summary": "Shipping halted in the strait",
                    "description": "AIS tracks show no transit for 48h.",
                    "source": "AIS feed; Coast guard notice"
                },
                "startsAt": "2025-07-20T10:00:00.000Z",
                // now + 4 × 30 s
                "endsAt": "2025-07-20T10:02:05.000Z"
            }])
        );
        assert!(matches!(plan.then, Then::Fire(ref name, _) if name == "strait_closed"));
    }

    fn instance(country: &str, from: Option<Announced>, to: Announced) -> StatusChange {
        let mut c = change("unrest", "alert", from, to);
        c.labels.insert("country".to_string(), country.to_string());
        c
    }

    #[test]
    fn each_instance_fires_and_resolves_on_its_own() {
        let mut sink = sink();
        sink.set_firing([(instance("Chad", None, Announced::Met), at(9, 0, 0))]);
        let yemen = instance("Yemen", None, Announced::Met);
        let plan = sink.plan(&yemen, at(10, 0, 0), at(10, 0, 5)).unwrap();
        // Chad firing is no older version of Yemen: nothing is resolved.
        assert_eq!(plan.alerts.len(), 1);
        assert_eq!(plan.alerts[0]["labels"]["country"], "Yemen");
        assert_eq!(plan.alerts[0]["labels"]["alertname"], "unrest");
        assert!(matches!(plan.then, Then::Fire(ref key, _) if key == r#"unrest{country="Yemen"}"#));
        let Then::Fire(key, firing) = plan.then else {
            unreachable!()
        };
        sink.firing.insert(key, firing);
        let left = instance("Chad", Some(Announced::Met), Announced::Removed);
        let plan = sink.plan(&left, at(11, 0, 0), at(11, 0, 0)).unwrap();
        assert_eq!(plan.alerts[0]["labels"]["country"], "Chad");
        assert_eq!(plan.alerts[0]["startsAt"], "2025-07-20T09:00:00.000Z");
        assert!(matches!(plan.then, Then::Resolve(ref key) if key == r#"unrest{country="Chad"}"#));
        assert_eq!(sink.resend_alerts(at(11, 0, 0)).len(), 2);
    }

    #[test]
    fn an_alert_that_leaves_met_is_posted_resolved_now() {
        let mut sink = sink().with_generator_url("https://example.com/rules");
        let met = change("strait_closed", "alert", None, Announced::Met);
        sink.set_firing([(met, at(9, 0, 0))]);
        for to in [
            Announced::NotMet,
            Announced::Unknown,
            Announced::Pending,
            Announced::Removed,
        ] {
            let left = change("strait_closed", "alert", Some(Announced::Met), to);
            let plan = sink.plan(&left, at(10, 0, 0), at(10, 0, 5)).unwrap();
            assert_eq!(plan.alerts.len(), 1);
            let alert = &plan.alerts[0];
            assert_eq!(alert["startsAt"], "2025-07-20T09:00:00.000Z");
            assert_eq!(alert["endsAt"], "2025-07-20T10:00:05.000Z");
            assert_eq!(alert["labels"]["alertname"], "strait_closed");
            assert_eq!(alert["generatorURL"], "https://example.com/rules");
            assert_eq!(plan.then, Then::Resolve("strait_closed".to_string()));
        }
    }

    #[test]
    fn resends_and_resolves_carry_the_texts_of_now() {
        let texts = CurrentTexts::default();
        let mut sink = sink().with_current_texts(texts.clone());
        let met = change("strait_closed", "alert", None, Announced::Met);
        sink.set_firing([(met.clone(), at(9, 0, 0))]);
        // The summary counted on while the alert stayed met.
        let mut later = met.clone();
        later.summary = Some("Shipping halted for 3 days".to_string());
        texts
            .lock()
            .unwrap()
            .insert(later.key(), alert_annotations(&later));
        sink.refresh_texts();
        let resent = sink.resend_alerts(at(9, 1, 0));
        assert_eq!(
            resent[0]["annotations"]["summary"],
            "Shipping halted for 3 days"
        );
        assert_eq!(resent[0]["startsAt"], "2025-07-20T09:00:00.000Z");
        // Resolved with its labels as it fired and its texts as they are.
        let mut left = change(
            "strait_closed",
            "alert",
            Some(Announced::Met),
            Announced::NotMet,
        );
        left.summary = Some("Shipping resumed".to_string());
        left.tags.clear();
        let plan = sink.plan(&left, at(10, 0, 0), at(10, 0, 0)).unwrap();
        assert_eq!(plan.alerts[0]["annotations"]["summary"], "Shipping resumed");
        assert_eq!(plan.alerts[0]["labels"]["taiwan"], "true");
    }

    #[test]
    fn rule_links_name_the_rule_in_the_query() {
        let met = change("strait_closed", "alert", None, Announced::Met);
        let mut sink = sink().with_rule_links("http://127.0.0.1:9464/api/v1/status");
        let plan = sink.plan(&met, at(9, 0, 0), at(9, 0, 0)).unwrap();
        assert_eq!(
            plan.alerts[0]["generatorURL"],
            "http://127.0.0.1:9464/api/v1/status?rule=strait_closed"
        );
        sink = sink.with_rule_links("https://h/tocsin/api/v1/status?x=1");
        let plan = sink.plan(&met, at(9, 0, 0), at(9, 0, 0)).unwrap();
        assert_eq!(
            plan.alerts[0]["generatorURL"],
            "https://h/tocsin/api/v1/status?x=1&rule=strait_closed"
        );
        assert_eq!(query_value("a b/é~"), "a%20b%2F%C3%A9~");
    }

    #[test]
    fn a_resolve_not_in_the_set_is_still_posted_if_it_was_met() {
        // As after a restart that lost the firing set: resolve anyway.
        let left = change(
            "strait_closed",
            "alert",
            Some(Announced::Met),
            Announced::NotMet,
        );
        let plan = sink().plan(&left, at(10, 0, 0), at(10, 0, 5)).unwrap();
        assert_eq!(plan.alerts[0]["startsAt"], "2025-07-20T10:00:00.000Z");
        assert_eq!(plan.alerts[0]["endsAt"], "2025-07-20T10:00:05.000Z");
        // A change dated after now never starts after it ends.
        let plan = sink().plan(&left, at(11, 0, 0), at(10, 0, 5)).unwrap();
        assert_eq!(plan.alerts[0]["startsAt"], plan.alerts[0]["endsAt"]);
    }

    #[test]
    fn indicators_and_changes_outside_met_post_nothing() {
        let sink = sink();
        let indicator = change(
            "drills",
            "indicator",
            Some(Announced::Pending),
            Announced::Met,
        );
        assert_eq!(sink.plan(&indicator, at(10, 0, 0), at(10, 0, 0)), None);
        for (from, to) in [
            (None, Announced::Pending),
            (Some(Announced::Pending), Announced::NotMet),
            (Some(Announced::Unknown), Announced::Removed),
        ] {
            let alert = change("strait_closed", "alert", from, to);
            assert_eq!(sink.plan(&alert, at(10, 0, 0), at(10, 0, 0)), None);
        }
    }

    #[test]
    fn met_again_keeps_the_start_and_resolves_old_labels() {
        let mut sink = sink();
        let mut met = change("strait_closed", "alert", None, Announced::Met);
        sink.set_firing([(met.clone(), at(9, 0, 0))]);
        // Same labels: only the firing alert, with its first start.
        let plan = sink.plan(&met, at(10, 0, 0), at(10, 0, 0)).unwrap();
        assert_eq!(plan.alerts.len(), 1);
        assert_eq!(plan.alerts[0]["startsAt"], "2025-07-20T09:00:00.000Z");
        // Tags changed: the old alert is resolved, the new one fires.
        met.tags = vec!["japan".to_string()];
        let plan = sink.plan(&met, at(10, 0, 0), at(10, 0, 0)).unwrap();
        assert_eq!(plan.alerts.len(), 2);
        assert_eq!(plan.alerts[0]["labels"]["taiwan"], "true");
        assert_eq!(plan.alerts[0]["endsAt"], "2025-07-20T10:00:00.000Z");
        assert_eq!(plan.alerts[1]["labels"]["japan"], "true");
        assert_eq!(plan.alerts[1]["endsAt"], "2025-07-20T10:02:00.000Z");
    }

    #[test]
    fn resend_posts_every_firing_alert_with_a_fresh_end() {
        let mut sink = sink();
        assert!(sink.resend_alerts(at(10, 0, 0)).is_empty());
        sink.set_firing([
            (change("a", "alert", None, Announced::Met), at(8, 0, 0)),
            (change("b", "alert", None, Announced::Met), at(9, 0, 0)),
            (change("c", "alert", None, Announced::NotMet), at(9, 0, 0)),
            (change("d", "indicator", None, Announced::Met), at(9, 0, 0)),
        ]);
        let names: Vec<_> = sink.firing().map(|(n, _)| n).collect();
        assert_eq!(names, ["a", "b"]);
        let alerts = sink.resend_alerts(at(12, 0, 0));
        assert_eq!(alerts.len(), 2);
        assert_eq!(alerts[0]["startsAt"], "2025-07-20T08:00:00.000Z");
        assert_eq!(alerts[1]["startsAt"], "2025-07-20T09:00:00.000Z");
        for alert in &alerts {
            assert_eq!(alert["endsAt"], "2025-07-20T12:02:00.000Z");
        }
    }

    #[test]
    fn empty_annotations_are_left_out() {
        let mut bare = change("x", "alert", None, Announced::Met);
        bare.title = None;
        bare.summary = Some(" ".to_string());
        bare.description = None;
        bare.sources.clear();
        assert!(Firing::new(&bare, at(0, 0, 0)).annotations.is_empty());
    }
}
