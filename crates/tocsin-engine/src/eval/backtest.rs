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

/// One rule over the range.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RuleHistory {
    /// Name.
    pub name: String,
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
    /// Every rule, in program order.
    pub rules: Vec<RuleHistory>,
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
    let mut ev = Evaluator::new(model);
    let n = model.program.rules.len();
    let mut histories: Vec<RuleHistory> = model
        .program
        .rules
        .iter()
        .map(|r| RuleHistory {
            name: r.name.clone(),
            kind: match r.kind {
                RuleKind::Indicator => "indicator",
                RuleKind::Alert => "alert",
            },
            severity: r.severity,
            periods: Vec::new(),
            first_met: None,
            met_steps: 0,
            pending_steps: 0,
            flaps: 0,
            lead_days: None,
        })
        .collect();
    for (k, &t) in dates.iter().enumerate() {
        for (r, h) in histories.iter_mut().enumerate().take(n) {
            let status = ev.status(r, t);
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
        progress(k + 1);
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
