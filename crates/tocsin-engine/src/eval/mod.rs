//! The evaluator: binds a checked program to data and answers every rule
//! at a date. Pure: the date is an argument, never read from a clock.

mod absent;
pub mod backtest;
mod buckets;
pub mod describe;
mod engine;
pub mod explain;
mod fields;
mod gallop;
mod grow;
mod instances;
mod memo;
mod model;
mod radix;
mod ranked;
mod repeats;
pub mod reuse;
pub mod rows;
mod splice;
mod timeline;
pub mod value;
mod wavelet;

pub use describe::Evidence;
pub use engine::Evaluator;
pub use fields::FieldColumn;
pub use grow::Grown;
pub use instances::{Group, Instances, MAX_INSTANCES};
pub use model::{parse_number, Model, Origin, Staleness};
pub use timeline::{Timeline, Window};
pub use value::Value;
// The status belongs to the language (a test file expects one); the
// evaluator is where most code meets it.
pub use crate::lang::program::Status;

use crate::lang::ast::{RuleKind, Severity};
use crate::time::Date;

/// One rule's outcome at a date.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleResult {
    /// Index into the program's rules.
    pub rule: usize,
    /// Name.
    pub name: String,
    /// Indicator or alert.
    pub kind: RuleKind,
    /// Severity (alerts only).
    pub severity: Option<Severity>,
    /// Status.
    pub status: Status,
    /// The values that decided.
    pub evidence: Vec<Evidence>,
    /// The rendered summary.
    pub summary: Option<String>,
    /// The rendered description.
    pub description: Option<String>,
    /// For an instance of a rule with `by:`, each field as `by:` writes it
    /// with the instance's value, in the order of `by:`; empty otherwise.
    pub labels: InstanceLabels,
}

/// An instance's labels: each `by:` field as its rule writes it, with the
/// instance's value, in the order of `by:`. Held once per instance and
/// spelling of `by:`, and shared by the results of every rule that has it.
pub type InstanceLabels = std::sync::Arc<[(std::sync::Arc<str>, std::sync::Arc<str>)]>;

/// `labels` as a map from field to value, as output shows them.
pub fn labels_map(
    labels: &[(std::sync::Arc<str>, std::sync::Arc<str>)],
) -> std::collections::BTreeMap<String, String> {
    labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The labels of a rule without `by:`: none.
pub fn no_labels() -> InstanceLabels {
    static NONE: std::sync::LazyLock<InstanceLabels> =
        std::sync::LazyLock::new(|| std::sync::Arc::from(Vec::new()));
    std::sync::Arc::clone(&NONE)
}

impl RuleResult {
    /// The name as text output shows it: `name{field="value", ...}` for an
    /// instance, the bare name otherwise.
    pub fn display_name(&self) -> String {
        instance_name(&self.name, &self.labels)
    }
}

/// `name{field="value", ...}`, or `name` without labels. The fields are
/// in sorted order whatever the order `by:` writes them in, so that every
/// output (and the state folder's key, and `history`) names an instance
/// alike.
pub fn instance_name<K: AsRef<str>, V: AsRef<str>>(name: &str, labels: &[(K, V)]) -> String {
    if labels.is_empty() {
        return name.to_string();
    }
    let mut inner: Vec<(&str, String)> = labels
        .iter()
        .map(|(k, v)| {
            let v = serde_json::Value::String(v.as_ref().to_string());
            (k.as_ref(), format!("{}={v}", k.as_ref()))
        })
        .collect();
    inner.sort_by(|a, b| a.0.cmp(b.0));
    let inner: Vec<String> = inner.into_iter().map(|(_, field)| field).collect();
    format!("{name}{{{}}}", inner.join(", "))
}

/// Evaluates every rule of the model at `t`, in program order.
///
/// Many results (rules and their instances) are evaluated on every core:
/// the rules are cut into contiguous shares of about equal results, each
/// evaluated by an evaluator of its own, and joined in order. A rule that
/// two shares read is then evaluated by both, which the memo of one
/// evaluator would have saved; results are the same either way.
pub fn evaluate(model: &Model, t: Date) -> Vec<RuleResult> {
    ranked::prepare(model);
    let shares = shares(model);
    if shares.len() < 2 {
        let mut ev = Evaluator::new(model);
        return (0..model.program.rules.len())
            .flat_map(|r| results(&mut ev, r, t))
            .collect();
    }
    use rayon::prelude::*;
    let parts: Vec<Vec<RuleResult>> = shares
        .into_par_iter()
        .with_max_len(1)
        .map(|share| {
            let mut ev = Evaluator::new(model);
            share.flat_map(|r| results(&mut ev, r, t)).collect()
        })
        .collect();
    parts.into_iter().flatten().collect()
}

/// The rules of `model` cut into contiguous shares of about equal results
/// (a rule with `by:` counts its instances), to be evaluated on every core
/// with an evaluator each and joined in order; one share for all when
/// there are few results or one core.
pub fn shares(model: &Model) -> Vec<std::ops::Range<usize>> {
    let rules = model.program.rules.len();
    let threads = rayon::current_num_threads();
    let cost = |r: usize| model.instances.total(r).max(1);
    let total: usize = (0..rules).map(cost).sum();
    if threads < 2 || total < PARALLEL_RESULTS {
        return std::iter::once(0..rules).collect();
    }
    let target = total.div_ceil(threads * SHARES_PER_THREAD);
    let mut starts = vec![0];
    let mut acc = 0;
    for r in 0..rules {
        acc += cost(r);
        if acc >= target && r + 1 < rules {
            starts.push(r + 1);
            acc = 0;
        }
    }
    starts.push(rules);
    starts.windows(2).map(|w| w[0]..w[1]).collect()
}

/// Results (rules and instances) from which [`evaluate`] uses every core.
const PARALLEL_RESULTS: usize = 2_000;

/// Shares of the rules per thread in [`evaluate`], so that a share of
/// costlier results does not keep the others waiting.
const SHARES_PER_THREAD: usize = 4;

/// The results of rule `r` at `t`: one, or one per instance at `t` for a
/// rule with `by:`, in the order of their values.
pub fn results(ev: &mut Evaluator, r: usize, t: Date) -> Vec<RuleResult> {
    let model = ev.model();
    let Some(g) = model.instances.group_of(r) else {
        return vec![result(ev, r, t)];
    };
    model
        .instances
        .at(r, t)
        .into_iter()
        .map(|i| {
            let scope = model.instances.scope(g, i);
            let mut res = ev.in_scope(scope, |ev| result(ev, r, t));
            res.labels = instance_labels(model, r, i);
            res
        })
        .collect()
}

/// The labels of instance `i` of grouped rule `r`: each field as its
/// `by:` writes it, with the instance's value, in the order of `by:`
/// (empty for a rule without `by:`).
pub fn instance_labels(model: &Model, r: usize, i: u32) -> InstanceLabels {
    model.instances.labels(r, i).unwrap_or_else(no_labels)
}

/// One rule's result at `t`, using (and filling) the evaluator's memo.
pub fn result(ev: &mut Evaluator, r: usize, t: Date) -> RuleResult {
    let model = ev.model();
    let rule = &model.program.rules[r];
    let status = ev.status(r, t);
    let evidence = describe::evidence(ev, &rule.when, t);
    let summary = rule.summary.as_ref().map(|s| ev.render(s, t));
    let description = rule.description.as_ref().map(|s| ev.render(s, t));
    RuleResult {
        rule: r,
        name: rule.name.clone(),
        kind: rule.kind,
        severity: rule.severity,
        status,
        evidence,
        summary,
        description,
        labels: no_labels(),
    }
}

#[cfg(test)]
mod tests;
