//! The evaluator: binds a checked program to data and answers every rule
//! at a date. Pure: the date is an argument, never read from a clock.

mod absent;
pub mod backtest;
mod buckets;
pub mod describe;
mod engine;
pub mod explain;
mod fields;
mod model;
mod radix;
mod ranked;
mod repeats;
pub mod reuse;
mod timeline;
pub mod value;
mod wavelet;

pub use describe::Evidence;
pub use engine::Evaluator;
pub use fields::FieldColumn;
pub use model::{parse_number, stale_after_text, Model, Origin, Staleness};
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
}

/// Evaluates every rule of the model at `t`, in program order.
pub fn evaluate(model: &Model, t: Date) -> Vec<RuleResult> {
    ranked::prepare(model);
    let mut ev = Evaluator::new(model);
    (0..model.program.rules.len())
        .map(|r| result(&mut ev, r, t))
        .collect()
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
    }
}

#[cfg(test)]
mod tests;
