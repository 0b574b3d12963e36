//! Backtests: every rule evaluated at every step of a date range, told as
//! periods of each status, when it first fired, how often it flapped, and
//! how long before a named outcome it warned. One evaluator serves each
//! share of the rules over the whole range, so each day's work (and every
//! `for:` window) is done once per share.

#[cfg(test)]
mod share_tests;
mod shares;

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
    pub labels: super::InstanceLabels,
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

fn labels_map<S: serde::Serializer>(
    labels: &super::InstanceLabels,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(labels.len()))?;
    for (k, v) in labels.iter() {
        m.serialize_entry(&**k, &**v)?;
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

/// The event the warnings were meant to anticipate (`--outcome`).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Outcome {
    /// The series it is read from.
    pub series: String,
    /// Its first observation in the range whose value is not zero; `None`
    /// when it never happens there.
    pub first: Option<Date>,
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
    pub outcome: Option<Outcome>,
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

/// Runs the backtest, on every core when it is large enough to be worth
/// it. `progress` is told, from any thread, how many steps' worth of work
/// is done: a figure that only grows, and lastly the number of steps.
/// `outcome` is the date of the event the warnings were meant to
/// anticipate, if any.
pub fn run(
    model: &Model,
    dates: &[Date],
    step: Duration,
    outcome: Option<Outcome>,
    progress: impl FnMut(usize) + Send,
) -> Backtest {
    let threads = shares::threads();
    let shares = shares::shares_for(threads);
    run_with(
        model,
        dates,
        step,
        outcome,
        progress,
        (shares, shares::MIN_SHARED, threads),
    )
}

/// [`run`] cut into `shares` shares (one when the work asks for fewer than
/// `min_cost` statuses) on up to `threads` threads.
fn run_with(
    model: &Model,
    dates: &[Date],
    step: Duration,
    outcome: Option<Outcome>,
    progress: impl FnMut(usize) + Send,
    (shares, min_cost, threads): (usize, usize, usize),
) -> Backtest {
    let (plan, total) = shares::plan(model, dates, shares, min_cost);
    let progress = shares::Progress::new(total, dates.len(), progress);
    let outs = shares::run(model, dates, &plan, threads, &progress);
    progress.finish();
    let mut histories = Vec::new();
    let mut summaries = Vec::new();
    // The grouped rule whose instances are being gathered: the rule, where
    // its histories start, and how many instances were met at each step.
    let mut open: Option<(usize, usize, Vec<u32>)> = None;
    for out in outs {
        match out {
            shares::Out::Plain(h) => {
                close(model, dates, &histories, &mut summaries, open.take());
                histories.push(h);
            }
            shares::Out::Grouped {
                r,
                histories: hs,
                met,
            } => {
                match &mut open {
                    Some((o, _, sum)) if *o == r => {
                        sum.iter_mut().zip(met).for_each(|(a, b)| *a += b);
                    }
                    _ => {
                        close(model, dates, &histories, &mut summaries, open.take());
                        open = Some((r, histories.len(), met));
                    }
                }
                histories.extend(hs);
            }
        }
    }
    close(model, dates, &histories, &mut summaries, open.take());
    if let Some(Outcome {
        first: Some(when), ..
    }) = &outcome
    {
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

/// Adds the summary of grouped rule `r`, whose instances' histories are
/// `histories[start..]` and of which `met[k]` were met at step `k`.
fn close(
    model: &Model,
    dates: &[Date],
    histories: &[RuleHistory],
    summaries: &mut Vec<GroupSummary>,
    open: Option<(usize, usize, Vec<u32>)>,
) {
    let Some((r, start, met)) = open else {
        return;
    };
    let seen = &histories[start..];
    let mut s = GroupSummary {
        name: model.program.rules[r].name.clone(),
        kind: kind(model, r),
        instances: seen.len(),
        instances_met: seen.iter().filter(|h| h.met_steps > 0).count(),
        steps_any_met: 0,
        instance_steps_met: 0,
        first_met: None,
        most_met_at_once: 0,
    };
    for (&m, &t) in met.iter().zip(dates) {
        let m = m as usize;
        if m > 0 {
            s.steps_any_met += 1;
            s.first_met.get_or_insert(t);
        }
        s.instance_steps_met += m;
        s.most_met_at_once = s.most_met_at_once.max(m);
    }
    summaries.push(s);
}

fn kind(model: &Model, r: usize) -> &'static str {
    match model.program.rules[r].kind {
        RuleKind::Indicator => "indicator",
        RuleKind::Alert => "alert",
    }
}

/// The history of rule `r` (of one of its instances, with `labels`) before
/// its first step.
fn fresh(model: &Model, r: usize, labels: super::InstanceLabels) -> RuleHistory {
    let rule = &model.program.rules[r];
    RuleHistory {
        name: rule.name.clone(),
        labels,
        kind: kind(model, r),
        severity: rule.severity,
        periods: Vec::new(),
        first_met: None,
        met_steps: 0,
        pending_steps: 0,
        flaps: 0,
        lead_days: None,
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
