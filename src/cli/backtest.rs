//! `tocsin backtest`: how every rule would have behaved over a past range.

use super::args::BacktestFormat;
use super::Config;
use super::{term, BAD_INPUT, OK};
use crate::data::Store;
use crate::diag::escape_controls;
use crate::eval::backtest::{self, Backtest, RuleHistory};
use crate::eval::{Model, Status};
use crate::time::{Date, Duration};
use std::fmt::Write;

/// Parses a step: `1d`, `1w`, `1mo`, `1y`, ...
pub fn parse_step(s: &str) -> Result<Duration, String> {
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: i64 = n
        .parse()
        .map_err(|_| format!("`{s}` is not a step; write 1d, 1w, 1mo or 1y"))?;
    let d = match unit {
        "d" => Duration::Days(n),
        "w" => Duration::Days(n * 7),
        "mo" => Duration::Months(n),
        "y" => Duration::Months(n * 12),
        _ => return Err(format!("`{s}` is not a step; write 1d, 1w, 1mo or 1y")),
    };
    if d.is_zero() {
        return Err("the step must be longer than zero".to_string());
    }
    Ok(d)
}

/// Runs `backtest`.
pub fn run(
    cfg: &Config,
    from: Date,
    to: Date,
    step: Duration,
    outcome: Option<String>,
    format: BacktestFormat,
) -> u8 {
    let ws = match super::load(cfg, crate::workspace::KeptColumns::Read) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let Some(model) = &ws.model else {
        term::print_diagnostics(&ws.diagnostics, &ws.sources, cfg.colour_err);
        return BAD_INPUT;
    };
    if to < from {
        eprintln!("error: --to {to} is before --from {from}");
        return BAD_INPUT;
    }
    let outcome = match outcome {
        None => None,
        Some(name) => match first_outcome(&ws.store, model, &name, from, to) {
            Ok(first) => Some(backtest::Outcome {
                series: name,
                first,
            }),
            Err(message) => {
                eprintln!("error: --outcome {}: {message}", escape_controls(&name));
                return BAD_INPUT;
            }
        },
    };
    let dates = backtest::steps(from, to, step);
    let bar = (cfg.progress && dates.len() > 365).then(|| {
        let bar = indicatif::ProgressBar::new(dates.len() as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} days {eta}")
        {
            bar.set_style(style);
        }
        bar
    });
    // Told at most once per step, from whichever thread finished the work.
    let mut result = backtest::run(model, &dates, step, outcome, |done| {
        if let Some(b) = &bar {
            b.set_position(done as u64);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let text = match format {
        BacktestFormat::Table => table(&result),
        BacktestFormat::Csv => csv(&result),
        BacktestFormat::Json => json(&mut result),
    };
    super::term::out(&text);
    OK
}

/// `--format json`: the rule histories are written on every core into the
/// rest of the document, as one thread would write it.
fn json(result: &mut backtest::Backtest) -> String {
    let rules = std::mem::take(&mut result.rules);
    let spliced = serde_json::to_string_pretty(result)
        .ok()
        .and_then(|shell| crate::pretty::splice_array(&shell, "rules", &rules));
    result.rules = rules;
    let text = spliced.unwrap_or_else(|| serde_json::to_string_pretty(result).unwrap_or_default());
    format!("{text}\n")
}

/// The first observation from `from` to `to` with a value other than zero
/// of the outcome `name`: a data series, or a `series` item of the rules
/// (a data series filtered or projected, read as the rules read it).
fn first_outcome(
    store: &Store,
    model: &Model,
    name: &str,
    from: Date,
    to: Date,
) -> Result<Option<Date>, String> {
    let first = |dates: &[Date], values: &[f64]| {
        dates
            .iter()
            .zip(values)
            .find(|(d, v)| **d >= from && **d <= to && **v != 0.0)
            .map(|(d, _)| *d)
    };
    if let Some(id) = store.get(name) {
        let s = store.series(id);
        return Ok(first(&s.dates, &s.values));
    }
    if let Some(i) = model.program.series_named(name) {
        let t = &model.timelines[i];
        // Calendar buckets only once the data up to `to` completes them.
        let n = t.upto(to);
        return Ok(first(&t.dates()[..n], &t.values()[..n]));
    }
    if model.program.rule(name).is_some() {
        return Err(
            "an indicator or alert, not a series: the outcome is what happened, read from data (a data series or a `series` item, such as the events a rule predicts)"
                .to_string(),
        );
    }
    let data = store.iter().map(|(_, s)| s.name.as_str());
    let named = model.program.named_series.iter().map(|(n, _)| n.as_str());
    let hint = crate::diag::did_you_mean(name, data.chain(named))
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_default();
    Err(format!(
        "no data series or `series` item has this name{hint}"
    ))
}

fn met_periods(h: &RuleHistory) -> Vec<String> {
    h.periods
        .iter()
        .filter(|p| p.status == Status::Met)
        .map(|p| {
            if p.from == p.to {
                p.from.to_string()
            } else {
                format!("{}..{}", p.from, p.to)
            }
        })
        .collect()
}

fn table(b: &Backtest) -> String {
    let mut out = format!(
        "backtest {}..{} by {} ({} steps)",
        b.from, b.to, b.step, b.steps
    );
    if let Some(backtest::Outcome {
        series: name,
        first,
    }) = &b.outcome
    {
        match first {
            Some(d) => {
                let _ = write!(out, "; outcome `{name}` first on {d}");
            }
            None => {
                let _ = write!(out, "; outcome `{name}` never happens in the range");
            }
        }
    }
    out.push('\n');
    let w = b
        .rules
        .iter()
        .map(|r| r.display_name().len())
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(
        out,
        "\n{:<w$}  {:<9}  {:<8}  {:<20}  {:>9}  {:>13}  {:>5}  {:>5}  MET PERIODS",
        "NAME",
        "KIND",
        "SEVERITY",
        "FIRST MET (in range)",
        "MET STEPS",
        "PENDING STEPS",
        "FLAPS",
        "LEAD"
    );
    let mut rows: Vec<&RuleHistory> = b.rules.iter().collect();
    rows.sort_by_key(|r| (r.kind != "alert", r.first_met.is_none(), r.first_met));
    for r in rows {
        let periods = met_periods(r);
        let shown = if periods.len() > 3 {
            format!("{} and {} more", periods[..3].join(", "), periods.len() - 3)
        } else {
            periods.join(", ")
        };
        let _ = writeln!(
            out,
            "{:<w$}  {:<9}  {:<8}  {:<20}  {:>9}  {:>13}  {:>5}  {:>5}  {}",
            r.display_name(),
            r.kind,
            r.severity.map_or("", |s| s.as_str()),
            r.first_met.map_or("never".to_string(), |d| d.to_string()),
            r.met_steps,
            r.pending_steps,
            r.flaps,
            r.lead_days.map_or("".to_string(), |d| format!("{d}d")),
            shown
        );
    }
    // A rule with `by:` has a line for each instance above, and one here
    // for all of them together.
    if !b.groups.is_empty() {
        out.push('\n');
        for g in &b.groups {
            let first = g
                .first_met
                .map_or("never met".to_string(), |d| format!("first met {d}"));
            let _ = writeln!(
                out,
                "{}: {} instance{}, {} ever met, {first}; some instance met on {} step{}, at most {} at once; {} instance-step{} met",
                g.name,
                g.instances,
                if g.instances == 1 { "" } else { "s" },
                g.instances_met,
                g.steps_any_met,
                if g.steps_any_met == 1 { "" } else { "s" },
                g.most_met_at_once,
                g.instance_steps_met,
                if g.instance_steps_met == 1 { "" } else { "s" },
            );
        }
    }
    // The range hides what came before it: a rule met since long before
    // `--from` shows `--from` as its first met.
    let _ = writeln!(
        out,
        "\nFIRST MET (in range): the first step of {}..{} at which the rule is met\n\
         (a rule already met at {} shows {}); MET STEPS and PENDING STEPS count steps.\n\
         FLAPS: times the rule became met again after it had been met and stopped;\n\
         MET PERIODS: the runs of steps at which it was met.",
        b.from, b.to, b.from, b.from
    );
    if b.outcome.is_some() {
        let _ = writeln!(
            out,
            "LEAD: days from FIRST MET to the outcome, for a rule met on or before it."
        );
    }
    out
}

fn csv(b: &Backtest) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "name",
        "kind",
        "severity",
        "first_met",
        "met_steps",
        "pending_steps",
        "flaps",
        "lead_days",
        "met_periods",
    ]);
    for r in &b.rules {
        let _ = w.write_record([
            r.display_name(),
            r.kind.to_string(),
            r.severity.map_or(String::new(), |s| s.as_str().to_string()),
            r.first_met.map_or(String::new(), |d| d.to_string()),
            r.met_steps.to_string(),
            r.pending_steps.to_string(),
            r.flaps.to_string(),
            r.lead_days.map_or(String::new(), |d| d.to_string()),
            met_periods(r).join(";"),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
