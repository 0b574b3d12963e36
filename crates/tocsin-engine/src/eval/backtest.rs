//! Backtests: every rule evaluated at every step of a date range, told as
//! periods of each status, when it first fired, how often it flapped, and
//! how long before a named outcome it warned. One evaluator serves the
//! whole range, so each day's work (and every `for:` window) is done once.

use super::engine::Evaluator;
use super::model::Model;
use super::Status;
use crate::lang::ast::{RuleKind, Severity};
use crate::time::{Date, Duration};

/// A run of steps with one status.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Period {
    /// The status.
    pub status: Status,
    /// First step with it.
    pub from: Date,
    /// Last step with it.
    pub to: Date,
    /// Steps in the run.
    pub steps: usize,
}

/// One rule, or one instance of a rule with `by:`, over the range.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RuleHistory {
    /// Name.
    pub name: String,
    /// For an instance, each `by:` field with its value, in the order of
    /// `by:`; empty otherwise. An instance's history starts at the first
    /// step at which it has an observation.
    #[serde(serialize_with = "labels_map")]
    pub labels: Vec<(String, String)>,
    /// `indicator` or `alert`.
    pub kind: &'static str,
    /// Severity (alerts).
    pub severity: Option<Severity>,
    /// Its status, run by run.
    pub periods: Vec<Period>,
    /// The first step at which it was met.
    pub first_met: Option<Date>,
    /// Steps at which it was met.
    pub met_steps: usize,
    /// Steps at which it was pending.
    pub pending_steps: usize,
    /// Times it became met again after having been met and stopped.
    pub flaps: usize,
    /// Days from its first warning (met) to the outcome, when it warned on
    /// or before the outcome.
    pub lead_days: Option<i64>,
}

impl RuleHistory {
    /// `name{field="value", ...}` for an instance, the name otherwise.
    pub fn display_name(&self) -> String {
        super::instance_name(&self.name, &self.labels)
    }
}

fn labels_map<S: serde::Serializer>(labels: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(labels.len()))?;
    for (k, v) in labels {
        m.serialize_entry(k, v)?;
    }
    m.end()
}

/// A rule with `by:` over the range, all its instances together.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GroupSummary {
    /// The rule's name.
    pub name: String,
    /// `indicator` or `alert`.
    pub kind: &'static str,
    /// Instances that had an observation by the last step.
    pub instances: usize,
    /// Instances met at some step.
    pub instances_met: usize,
    /// Steps at which some instance was met.
    pub steps_any_met: usize,
    /// Met steps summed over the instances.
    pub instance_steps_met: usize,
    /// The first step at which some instance was met.
    pub first_met: Option<Date>,
    /// The most instances met at one step.
    pub most_met_at_once: usize,
}

/// A whole backtest.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Backtest {
    /// First step.
    pub from: Date,
    /// Last step (on or before the `to` asked for).
    pub to: Date,
    /// The step.
    pub step: String,
    /// Number of steps.
    pub steps: usize,
    /// The outcome series and the date of its first event in the range.
    pub outcome: Option<(String, Option<Date>)>,
    /// Every rule, in program order; a rule with `by:` as one history per
    /// instance, in the order of their values.
    pub rules: Vec<RuleHistory>,
    /// Each rule with `by:`, in program order.
    pub groups: Vec<GroupSummary>,
}

/// Adds status `status` at step `t` to `h`.
fn record(h: &mut RuleHistory, status: Status, t: Date) {
    match h.periods.last_mut() {
        Some(p) if p.status == status => {
            p.to = t;
            p.steps += 1;
        }
        _ => {
            if status == Status::Met && h.first_met.is_some() {
                h.flaps += 1;
            }
            h.periods.push(Period {
                status,
                from: t,
                to: t,
                steps: 1,
            });
        }
    }
    match status {
        Status::Met => {
            h.met_steps += 1;
            h.first_met.get_or_insert(t);
        }
        Status::Pending => h.pending_steps += 1,
        _ => {}
    }
}

/// The dates from `from` to `to` by `step` (calendar months and years
/// counted from `from`, so that month ends stay month ends).
pub fn steps(from: Date, to: Date, step: Duration) -> Vec<Date> {
    let mut out = Vec::new();
    if step.is_zero() {
        return out;
    }
    for k in 0i64.. {
        let next = match step {
            Duration::Days(n) => from.add_days(n.saturating_mul(k)),
            Duration::Months(n) => from.add_months(n.saturating_mul(k)),
        };
        match next {
            Some(d) if d <= to => out.push(d),
            _ => break,
        }
    }
    out
}

/// Runs the backtest; `progress` is called after each step with the number
/// done. `outcome` is the date of the event the warnings were meant to
/// anticipate, if any.
pub fn run(
    model: &Model,
    dates: &[Date],
    step: Duration,
    outcome: Option<(String, Option<Date>)>,
    mut progress: impl FnMut(usize),
) -> Backtest {
    // One evaluator walks the whole range, instances included: each
    // instance's memo tables (and `for:` runs) carry over from day to day.
    let mut ev = Evaluator::new(model);
    let fresh = |r: usize, labels: Vec<(String, String)>| {
        let rule = &model.program.rules[r];
        RuleHistory {
            name: rule.name.clone(),
            labels,
            kind: match rule.kind {
                RuleKind::Indicator => "indicator",
                RuleKind::Alert => "alert",
            },
            severity: rule.severity,
            periods: Vec::new(),
            first_met: None,
            met_steps: 0,
            pending_steps: 0,
            flaps: 0,
            lead_days: None,
        }
    };
    // Per rule: its history, or (grouped) one per instance seen so far,
    // indexed by instance, with the group summary.
    let mut plain: Vec<Option<RuleHistory>> = Vec::new();
    let mut per_instance: Vec<Vec<Option<RuleHistory>>> = Vec::new();
    let mut groups: Vec<Option<GroupSummary>> = Vec::new();
    for (r, rule) in model.program.rules.iter().enumerate() {
        match model.instances.group_of(r) {
            None => {
                plain.push(Some(fresh(r, Vec::new())));
                per_instance.push(Vec::new());
                groups.push(None);
            }
            Some(g) => {
                plain.push(None);
                per_instance.push(vec![None; model.instances.groups[g].labels.len()]);
                groups.push(Some(GroupSummary {
                    name: rule.name.clone(),
                    kind: fresh(r, Vec::new()).kind,
                    instances: 0,
                    instances_met: 0,
                    steps_any_met: 0,
                    instance_steps_met: 0,
                    first_met: None,
                    most_met_at_once: 0,
                }));
            }
        }
    }
    for (k, &t) in dates.iter().enumerate() {
        for r in 0..model.program.rules.len() {
            if let Some(h) = plain[r].as_mut() {
                record(h, ev.status(r, t), t);
                continue;
            }
            let Some(g) = model.instances.group_of(r) else {
                continue;
            };
            let mut met = 0;
            for i in model.instances.at(r, t) {
                let status = ev.in_scope(model.instances.scope(g, i), |ev| ev.status(r, t));
                let h = per_instance[r][i as usize]
                    .get_or_insert_with(|| fresh(r, super::instance_labels(model, r, i)));
                record(h, status, t);
                met += usize::from(status == Status::Met);
            }
            if let Some(s) = groups[r].as_mut() {
                if met > 0 {
                    s.steps_any_met += 1;
                    s.first_met.get_or_insert(t);
                }
                s.instance_steps_met += met;
                s.most_met_at_once = s.most_met_at_once.max(met);
            }
        }
        progress(k + 1);
    }
    let mut histories = Vec::new();
    let mut summaries = Vec::new();
    for (r, h) in plain.into_iter().enumerate() {
        match h {
            Some(h) => histories.push(h),
            None => {
                let seen: Vec<RuleHistory> = std::mem::take(&mut per_instance[r])
                    .into_iter()
                    .flatten()
                    .collect();
                if let Some(mut s) = groups[r].take() {
                    s.instances = seen.len();
                    s.instances_met = seen.iter().filter(|h| h.met_steps > 0).count();
                    summaries.push(s);
                }
                histories.extend(seen);
            }
        }
    }
    if let Some((_, Some(when))) = &outcome {
        for h in &mut histories {
            h.lead_days = h
                .first_met
                .filter(|d| d <= when)
                .map(|d| when.days_since(d));
        }
    }
    Backtest {
        from: dates.first().copied().unwrap_or(Date(0)),
        to: dates.last().copied().unwrap_or(Date(0)),
        step: step.to_string(),
        steps: dates.len(),
        outcome,
        rules: histories,
        groups: summaries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    #[test]
    fn steps_by_days_and_by_calendar_months() {
        assert_eq!(
            steps(d("2025-01-30"), d("2025-02-02"), Duration::Days(1)).len(),
            4
        );
        let months = steps(d("2025-01-31"), d("2025-05-31"), Duration::Months(1));
        let shown: Vec<String> = months.iter().map(|m| m.to_string()).collect();
        assert_eq!(
            shown,
            [
                "2025-01-31",
                "2025-02-28",
                "2025-03-31",
                "2025-04-30",
                "2025-05-31"
            ]
        );
        assert!(steps(d("2025-01-02"), d("2025-01-01"), Duration::Days(1)).is_empty());
    }
}
