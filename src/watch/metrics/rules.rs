//! The status gauges of rules and of the instances of rules with `by:`,
//! within a bound: a rule with thousands of instances must not give
//! Prometheus thousands of series, yet the instances that need attention
//! must be there.

use super::label;
use crate::eval::{RuleResult, Status};
use crate::lang::ast::RuleKind;
use crate::lang::program::RuleDef;
use crate::sinks::instance_label_names;
use std::collections::BTreeMap;
use std::fmt::Write;

/// At most this many instances of one rule have `tocsin_rule_status`
/// series of their own.
pub const INSTANCE_SERIES_PER_RULE: usize = 100;

/// The labels every status series has; an instance label named like one
/// of them is prefixed `exported_`.
const BUILT_IN: [&str; 4] = ["name", "kind", "severity", "status"];

const STATUSES: [Status; 4] = [
    Status::Met,
    Status::Pending,
    Status::NotMet,
    Status::Unknown,
];

/// Writes `tocsin_rule_status` (every rule without `by:`; the listed
/// instances of every rule with `by:`), then, for every rule with `by:`,
/// `tocsin_rule_instances` (its instances counted by status) and
/// `tocsin_rule_instances_unlisted` (those without series of their own).
pub(super) fn render(m: &mut String, rules: &[RuleDef], results: &[RuleResult]) {
    let mut by_rule: BTreeMap<usize, Vec<&RuleResult>> = BTreeMap::new();
    for r in results {
        by_rule.entry(r.rule).or_default().push(r);
    }
    let grouped = |r: usize| rules.get(r).is_some_and(RuleDef::is_grouped);

    let _ = writeln!(m, "# HELP tocsin_rule_status Status of each indicator and alert (of each listed instance of one with by:, with its labels): 1 for its current status, 0 for the others.");
    let _ = writeln!(m, "# TYPE tocsin_rule_status gauge");
    for (&r, list) in &by_rule {
        let shown = if grouped(r) {
            listed(list)
        } else {
            list.clone()
        };
        for res in shown {
            status_series(m, res);
        }
    }

    let _ = writeln!(
        m,
        "# HELP tocsin_rule_instances Instances of each indicator and alert with by:, by status."
    );
    let _ = writeln!(m, "# TYPE tocsin_rule_instances gauge");
    let empty = Vec::new();
    for (r, rule) in rules.iter().enumerate().filter(|(r, _)| grouped(*r)) {
        let list = by_rule.get(&r).unwrap_or(&empty);
        let ids = ids(&rule.name, rule.kind, rule.severity);
        for s in STATUSES {
            let n = list.iter().filter(|res| res.status == s).count();
            let _ = writeln!(
                m,
                "tocsin_rule_instances{{{ids},status=\"{}\"}} {n}",
                s.as_str()
            );
        }
    }

    let _ = writeln!(m, "# HELP tocsin_rule_instances_unlisted Instances of each indicator and alert with by: that have no tocsin_rule_status series (more than {INSTANCE_SERIES_PER_RULE}: the met, then pending, then unknown ones are listed first).");
    let _ = writeln!(m, "# TYPE tocsin_rule_instances_unlisted gauge");
    for (r, rule) in rules.iter().enumerate().filter(|(r, _)| grouped(*r)) {
        let n = by_rule.get(&r).map_or(0, |l| l.len());
        let _ = writeln!(
            m,
            "tocsin_rule_instances_unlisted{{{}}} {}",
            ids(&rule.name, rule.kind, rule.severity),
            n.saturating_sub(INSTANCE_SERIES_PER_RULE)
        );
    }
}

/// The instances of one rule that get series of their own: all of them
/// up to [`INSTANCE_SERIES_PER_RULE`], else that many, the met ones first,
/// then pending, unknown and not met, each in the order of their labels.
fn listed<'a>(instances: &[&'a RuleResult]) -> Vec<&'a RuleResult> {
    let mut shown = instances.to_vec();
    if shown.len() > INSTANCE_SERIES_PER_RULE {
        // Stable: label order within a status.
        shown.sort_by_key(|r| match r.status {
            Status::Met => 0,
            Status::Pending => 1,
            Status::Unknown => 2,
            Status::NotMet => 3,
        });
        shown.truncate(INSTANCE_SERIES_PER_RULE);
    }
    shown
}

/// The four series of one rule or instance, one of them 1.
fn status_series(m: &mut String, r: &RuleResult) {
    let mut ids = ids(&r.name, r.kind, r.severity);
    let labels: BTreeMap<String, String> = crate::eval::labels_map(&r.labels);
    for (name, value) in instance_label_names(&labels, &BUILT_IN)
        .iter()
        .zip(labels.values())
    {
        let _ = write!(ids, ",{name}=\"{}\"", label(value));
    }
    for s in STATUSES {
        let _ = writeln!(
            m,
            "tocsin_rule_status{{{ids},status=\"{}\"}} {}",
            s.as_str(),
            u8::from(r.status == s)
        );
    }
}

/// `name="..",kind="..",severity=".."`.
fn ids(name: &str, kind: RuleKind, severity: Option<crate::lang::ast::Severity>) -> String {
    let kind = match kind {
        RuleKind::Indicator => "indicator",
        RuleKind::Alert => "alert",
    };
    let sev = severity.map_or("", |s| s.as_str());
    format!(
        "name=\"{}\",kind=\"{kind}\",severity=\"{sev}\"",
        label(name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(country: &str, status: Status) -> RuleResult {
        RuleResult {
            rule: 0,
            name: "unrest".into(),
            kind: RuleKind::Alert,
            severity: None,
            status,
            evidence: Vec::new(),
            summary: None,
            description: None,
            labels: vec![
                ("Country".into(), country.into()),
                ("status".into(), "x".into()),
            ]
            .into(),
        }
    }

    #[test]
    fn an_instance_series_carries_its_labels_without_replacing_the_built_in_ones() {
        let mut m = String::new();
        status_series(&mut m, &instance("Côte \"d'Ivoire\"", Status::Met));
        assert!(m.contains(
            "tocsin_rule_status{name=\"unrest\",kind=\"alert\",severity=\"\",Country=\"Côte \\\"d'Ivoire\\\"\",exported_status=\"x\",status=\"met\"} 1\n"
        ), "{m}");
        assert_eq!(m.lines().count(), 4);
    }

    #[test]
    fn past_the_bound_met_then_pending_instances_are_listed_in_label_order() {
        let few: Vec<RuleResult> = (0..3)
            .map(|k| instance(&k.to_string(), Status::NotMet))
            .collect();
        let refs: Vec<&RuleResult> = few.iter().collect();
        assert_eq!(listed(&refs).len(), 3);

        let many: Vec<RuleResult> = (0..INSTANCE_SERIES_PER_RULE + 50)
            .map(|k| {
                let status = match k {
                    120 => Status::Met,
                    7 | 130 => Status::Pending,
                    _ => Status::NotMet,
                };
                instance(&format!("{k:04}"), status)
            })
            .collect();
        let refs: Vec<&RuleResult> = many.iter().collect();
        let shown = listed(&refs);
        assert_eq!(shown.len(), INSTANCE_SERIES_PER_RULE);
        let first: Vec<&str> = shown[..4].iter().map(|r| &*r.labels[0].1).collect();
        assert_eq!(first, ["0120", "0007", "0130", "0000"]);
    }
}
