//! Alertmanager labels from an alert's name, severity, instance labels
//! and tags.

use crate::change::StatusChange;
use crate::lang::ast::Severity;
use std::collections::BTreeMap;

/// The labels an alert carries in Alertmanager, which identify it there:
///
/// - `alertname`: the rule name;
/// - `severity`: an alert's severity (`warning` when it has none); an
///   indicator, which has none, carries no `severity` label, so that a
///   receiver that pages on severity does not page for indicators (sent
///   only by the webhook's `alertmanager` format);
/// - for an instance of a rule with `by:`, one label per field of `by:`
///   with the instance's value, named as [`instance_label_names`] says
///   (sanitised; one that would take the name of a label above is
///   prefixed `exported_`, as Prometheus does, so that it neither replaces
///   it nor is lost, since it tells the instances apart);
/// - one label per tag: a tag written `key=value` or `key:value` (split at
///   the first `=` or `:`) gives label `key` = `value`; any other tag, such
///   as `taiwan`, gives label `taiwan` = `true` (so does `key=` with nothing
///   after the separator).
///
/// Label names are made valid with [`sanitize_label_name`]; a tag whose name
/// has nothing left is skipped. Tags never override `alertname`,
/// `severity` or an instance's labels, and when two tags give the same
/// label the first one wins.
pub fn alert_labels(change: &StatusChange) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    labels.insert("alertname".to_string(), change.name.clone());
    if change.kind != "indicator" {
        let severity = change.severity.unwrap_or(Severity::Warning);
        labels.insert("severity".to_string(), severity.as_str().to_string());
    }
    // Reserved for indicators too: an instance label never reads as one.
    let builtin = ["alertname", "severity"];
    for (name, value) in instance_label_names(&change.labels, &builtin)
        .into_iter()
        .zip(change.labels.values())
    {
        labels.insert(name, value.clone());
    }
    for tag in &change.tags {
        if let Some((name, value)) = tag_label(tag) {
            labels.entry(name).or_insert(value);
        }
    }
    labels
}

/// The label a tag gives, if any. A name starting with `__`, which
/// Prometheus reserves, is prefixed `exported_` as an instance label's is.
fn tag_label(tag: &str) -> Option<(String, String)> {
    let tag = tag.trim();
    let (key, value) = match tag.find(['=', ':']) {
        Some(at) if !tag[..at].trim().is_empty() => {
            let value = tag[at + 1..].trim();
            (
                tag[..at].trim(),
                if value.is_empty() { "true" } else { value },
            )
        }
        _ => (tag, "true"),
    };
    let name = sanitize_label_name(key)?;
    let name = if name.starts_with("__") {
        format!("exported_{name}")
    } else {
        name
    };
    Some((name, value.to_string()))
}

/// The label names an instance's labels (`by:` field, value) take beside
/// the built-in labels `taken`, in the order of `labels`: each field name
/// [sanitised](sanitize_label_name) (`by_field` when nothing is left of
/// it), then prefixed `exported_` as often as needed to differ from the
/// built-in labels and from the names before it (and, for one starting
/// with `__`, which Prometheus reserves, once). Never dropped: two
/// instances of a rule differ only by these labels, so losing one would
/// make two alerts (or two series) one.
pub fn instance_label_names(labels: &BTreeMap<String, String>, taken: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(labels.len());
    for field in labels.keys() {
        let mut name = sanitize_label_name(field).unwrap_or_else(|| "by_field".to_string());
        // `__` names are reserved for Prometheus' own use.
        while name.starts_with("__") || taken.contains(&name.as_str()) || names.contains(&name) {
            name.insert_str(0, "exported_");
        }
        names.push(name);
    }
    names
}

/// `name` made into a valid Prometheus label name
/// (`[a-zA-Z_][a-zA-Z0-9_]*`): every other character becomes `_`, and a
/// leading digit gets a `_` before it. `None` when no letter or digit is
/// left (`""`, `"--"`, a name written only in another script), since a name
/// of underscores alone says nothing and `__` names are reserved.
pub fn sanitize_label_name(name: &str) -> Option<String> {
    if !name.chars().any(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let mut out = String::with_capacity(name.len() + 1);
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        out.push('_');
    }
    out.extend(name.chars().map(|c| {
        if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '_'
        }
    }));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::Announced;

    fn alert(tags: &[&str], severity: Option<Severity>) -> StatusChange {
        StatusChange {
            name: "strait_closure".to_string(),
            labels: Default::default(),
            kind: "alert".to_string(),
            from: None,
            to: Announced::Met,
            at: "2025-07-20".to_string(),
            severity,
            title: None,
            summary: None,
            description: None,
            sources: vec![],
            tags: tags.iter().map(|t| t.to_string()).collect(),
        }
    }

    fn labels(tags: &[&str]) -> Vec<(String, String)> {
        alert_labels(&alert(tags, Some(Severity::Critical)))
            .into_iter()
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn name_and_severity_are_always_there() {
        assert_eq!(
            labels(&[]),
            pairs(&[("alertname", "strait_closure"), ("severity", "critical")])
        );
        let default = alert_labels(&alert(&[], None));
        assert_eq!(default["severity"], "warning");
        // An indicator has no severity, and is given none.
        let mut indicator = alert(&[], None);
        indicator.kind = "indicator".to_string();
        let indicator = alert_labels(&indicator);
        assert_eq!(indicator.get("severity"), None, "{indicator:?}");
    }

    #[test]
    fn plain_tags_become_true_and_key_value_tags_their_value() {
        assert_eq!(
            labels(&["taiwan", "region=east-asia", "source: MND ", "pla", "flag="]),
            pairs(&[
                ("alertname", "strait_closure"),
                ("flag", "true"),
                ("pla", "true"),
                ("region", "east-asia"),
                ("severity", "critical"),
                ("source", "MND"),
                ("taiwan", "true"),
            ])
        );
    }

    #[test]
    fn the_first_separator_splits_and_the_value_is_kept_whole() {
        assert_eq!(
            labels(&["url=http://x/y", "ratio:a=b"]),
            pairs(&[
                ("alertname", "strait_closure"),
                ("ratio", "a=b"),
                ("severity", "critical"),
                ("url", "http://x/y"),
            ])
        );
    }

    #[test]
    fn names_are_sanitised() {
        assert_eq!(
            labels(&[
                "data-quality",
                "2025",
                "south china sea",
                "theatre.name=pacific"
            ]),
            pairs(&[
                ("_2025", "true"),
                ("alertname", "strait_closure"),
                ("data_quality", "true"),
                ("severity", "critical"),
                ("south_china_sea", "true"),
                ("theatre_name", "pacific"),
            ])
        );
        assert_eq!(sanitize_label_name("Zone_9"), Some("Zone_9".to_string()));
        assert_eq!(sanitize_label_name("台湾"), None);
        assert_eq!(sanitize_label_name("--"), None);
        assert_eq!(sanitize_label_name(""), None);
        assert_eq!(sanitize_label_name("é1"), Some("_1".to_string()));
    }

    #[test]
    fn a_tag_named_as_prometheus_reserves_is_exported() {
        assert_eq!(
            labels(&["__x=y", "__meta"]),
            pairs(&[
                ("alertname", "strait_closure"),
                ("exported___meta", "true"),
                ("exported___x", "y"),
                ("severity", "critical"),
            ])
        );
    }

    #[test]
    fn tags_never_override_name_or_severity_and_the_first_tag_wins() {
        assert_eq!(
            labels(&[
                "alertname=other",
                "severity:info",
                "severity",
                "team=a",
                "team=b",
                "",
                "=x"
            ]),
            pairs(&[
                ("_x", "true"),
                ("alertname", "strait_closure"),
                ("severity", "critical"),
                ("team", "a"),
            ])
        );
    }

    fn instance(fields: &[(&str, &str)], tags: &[&str]) -> Vec<(String, String)> {
        let mut change = alert(tags, Some(Severity::Critical));
        change.labels = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        alert_labels(&change).into_iter().collect()
    }

    #[test]
    fn an_instance_carries_its_labels_and_tags_do_not_replace_them() {
        assert_eq!(
            instance(
                &[("country", "Yemen"), ("admin-1", "Aden")],
                &["country=x", "team=a"]
            ),
            pairs(&[
                ("admin_1", "Aden"),
                ("alertname", "strait_closure"),
                ("country", "Yemen"),
                ("severity", "critical"),
                ("team", "a"),
            ])
        );
    }

    #[test]
    fn an_instance_label_named_like_a_built_in_one_is_exported() {
        assert_eq!(
            instance(
                &[("severity", "high"), ("alertname", "x"), ("台湾", "TW")],
                &[]
            ),
            pairs(&[
                ("alertname", "strait_closure"),
                ("by_field", "TW"),
                ("exported_alertname", "x"),
                ("exported_severity", "high"),
                ("severity", "critical"),
            ])
        );
        let two: BTreeMap<String, String> = [("a-b", "1"), ("a_b", "2")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(instance_label_names(&two, &[]), ["a_b", "exported_a_b"]);
        let reserved: BTreeMap<String, String> = [("__name__".to_string(), "x".to_string())].into();
        assert_eq!(instance_label_names(&reserved, &[]), ["exported___name__"]);
    }

    #[test]
    fn every_label_name_is_valid() {
        let tags = ["a b", "9", "x-y=1", "ü=2", ":", "k:", "__", "_ok"];
        for name in alert_labels(&alert(&tags, None)).keys() {
            let mut chars = name.chars();
            let first = chars.next().unwrap();
            assert!(first.is_ascii_alphabetic() || first == '_', "{name}");
            assert!(
                chars.all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "{name}"
            );
        }
    }
}
