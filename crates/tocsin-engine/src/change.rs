//! A change of a rule's status: what the daemon announces, journals and
//! sends to sinks. Plain data, the same in every place it travels.

use crate::lang::ast::Severity;
use crate::lang::program::Status;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a rule is, or has become: a status, or gone from the ruleset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Announced {
    /// `when` is true (for the whole `for:` window).
    Met,
    /// `when` is true, not yet for the whole `for:` window.
    Pending,
    /// `when` is false.
    NotMet,
    /// `when` is unknown.
    Unknown,
    /// The rule was removed from the ruleset.
    Removed,
}

impl From<Status> for Announced {
    fn from(s: Status) -> Announced {
        match s {
            Status::Met => Announced::Met,
            Status::Pending => Announced::Pending,
            Status::NotMet => Announced::NotMet,
            Status::Unknown => Announced::Unknown,
        }
    }
}

impl Announced {
    /// The name as written in events.
    pub fn as_str(self) -> &'static str {
        match self {
            Announced::Met => "met",
            Announced::Pending => "pending",
            Announced::NotMet => "not_met",
            Announced::Unknown => "unknown",
            Announced::Removed => "removed",
        }
    }
}

/// One change of status, with what a reader or a sink needs to act on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    /// Rule name.
    pub name: String,
    /// The instance's labels (`by:` field, value) for a rule with `by:`;
    /// empty for a rule without. Missing in journals written before
    /// breakdowns, which only held rules without `by:`.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// `indicator` or `alert`.
    pub kind: String,
    /// The status before; `None` the first time the rule (or the instance)
    /// is seen.
    pub from: Option<Announced>,
    /// The status now.
    pub to: Announced,
    /// The evaluation date (YYYY-MM-DD).
    pub at: String,
    /// Severity (alerts).
    pub severity: Option<Severity>,
    /// `title:`
    #[serde(default)]
    pub title: Option<String>,
    /// Rendered `summary:`.
    #[serde(default)]
    pub summary: Option<String>,
    /// Rendered `description:`.
    #[serde(default)]
    pub description: Option<String>,
    /// `source:` fields.
    #[serde(default)]
    pub sources: Vec<String>,
    /// `tags:`
    #[serde(default)]
    pub tags: Vec<String>,
}

impl StatusChange {
    /// What identifies the rule or instance whose status changed:
    /// [`instance_key`] of its name and labels.
    pub fn key(&self) -> String {
        instance_key(&self.name, &self.labels)
    }
}

/// The name of a rule, or of one instance of a rule with `by:`, as the
/// daemon keys its statuses: `name` alone without labels, else
/// `name{field="value", ...}` with the fields in sorted order, so that
/// reordering the fields of `by:` names the same instances. Written as
/// the evaluator's `instance_name` writes an instance (this layer sits
/// below the evaluator, so it cannot call it).
pub fn instance_key(name: &str, labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return name.to_string();
    }
    let inner: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}={}", serde_json::Value::String(v.clone())))
        .collect();
    format!("{name}{{{}}}", inner.join(", "))
}

/// [`instance_key`] of labels as results hold them (in `by:` order): the
/// same text, without building a map of them.
pub fn instance_key_of<K: AsRef<str>, V: AsRef<str>>(name: &str, labels: &[(K, V)]) -> String {
    if labels.is_empty() {
        return name.to_string();
    }
    let mut sorted: Vec<(&str, &str)> = labels
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .collect();
    // As a map of them holds them: by field, the last of a field kept.
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    sorted.dedup_by(|later, earlier| {
        let same = later.0 == earlier.0;
        if same {
            std::mem::swap(later, earlier);
        }
        same
    });
    let mut out = String::with_capacity(name.len() + 16 * labels.len());
    out.push_str(name);
    out.push('{');
    for (k, (field, value)) in sorted.into_iter().enumerate() {
        if k > 0 {
            out.push_str(", ");
        }
        out.push_str(field);
        out.push('=');
        out.push_str(&serde_json::Value::String(value.to_string()).to_string());
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_labels_in_by_order_are_the_keys_of_their_map() {
        let pairs = |l: &[(&str, &str)]| -> Vec<(String, String)> {
            l.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        for labels in [
            pairs(&[]),
            pairs(&[("country", "Yemen")]),
            pairs(&[("region", "Nord \"Ost\"\n"), ("country", "Côte d'Ivoire")]),
            pairs(&[("b", "1"), ("a", "2"), ("b", "3")]),
        ] {
            let map: BTreeMap<String, String> = labels.iter().cloned().collect();
            assert_eq!(instance_key_of("r", &labels), instance_key("r", &map));
        }
    }

    #[test]
    fn a_key_is_the_name_and_the_sorted_labels() {
        let mut labels = BTreeMap::new();
        assert_eq!(instance_key("r", &labels), "r");
        labels.insert("region".to_string(), "Asia".to_string());
        labels.insert("country".to_string(), "Yemen \"N\"".to_string());
        assert_eq!(
            instance_key("r", &labels),
            r#"r{country="Yemen \"N\"", region="Asia"}"#
        );
    }
}
