//! `/metrics` in the Prometheus text exposition format.

use crate::board::FeedRow;
use crate::data::Store;
use crate::eval::{RuleResult, Status};
use crate::lang::program::RuleDef;

mod process;
mod rules;
mod sinks;

pub use process::render as render_process;

pub use sinks::NotificationStats;

use crate::time::Date;
use std::fmt::Write;

/// Counters and timings of the daemon itself.
#[derive(Clone, Debug, Default)]
pub struct DaemonStats {
    /// Reloads that applied every change.
    pub reloads_ok: u64,
    /// Reloads that rejected at least one file.
    pub reloads_failed: u64,
    /// 1 when the last reload applied every change.
    pub last_reload_ok: bool,
    /// Unix time of the last reload that applied every change.
    pub last_success_unix: f64,
    /// Duration of the last reload (read, parse, check, build), seconds.
    pub reload_seconds: f64,
    /// Duration of the last evaluation, seconds.
    pub eval_seconds: f64,
    /// Status changes found but not yet recorded in the state folder
    /// (so not yet announced): the folder cannot be written.
    pub unrecorded: usize,
    /// The sinks' deliveries and failures.
    pub notifications: NotificationStats,
}

/// Seconds in a day: ages and dates are whole days, and Prometheus
/// wants seconds.
const DAY: i64 = 86_400;

fn label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Renders the metrics; `feeds` are the board's, at `at`; `rule_defs`
/// are the rules `results` are of.
pub fn render(
    rule_defs: &[RuleDef],
    results: &[RuleResult],
    feeds: &[FeedRow],
    store: &Store,
    at: Date,
    stats: &DaemonStats,
) -> String {
    let mut m = String::new();
    rules::render(&mut m, rule_defs, results);
    let _ = writeln!(
        m,
        "# HELP tocsin_rules_met Number of indicators and alerts met (each met instance of one with by: counts)."
    );
    let _ = writeln!(m, "# TYPE tocsin_rules_met gauge");
    let _ = writeln!(
        m,
        "tocsin_rules_met {}",
        results.iter().filter(|r| r.status == Status::Met).count()
    );
    let _ = writeln!(m, "# HELP tocsin_reloads_total Reloads, by outcome.");
    let _ = writeln!(m, "# TYPE tocsin_reloads_total counter");
    let _ = writeln!(
        m,
        "tocsin_reloads_total{{outcome=\"ok\"}} {}",
        stats.reloads_ok
    );
    let _ = writeln!(
        m,
        "tocsin_reloads_total{{outcome=\"rejected\"}} {}",
        stats.reloads_failed
    );
    let _ = writeln!(m, "# HELP tocsin_reload_success 1 when the last reload applied every change and no file stands refused, 0 otherwise.");
    let _ = writeln!(m, "# TYPE tocsin_reload_success gauge");
    let _ = writeln!(
        m,
        "tocsin_reload_success {}",
        u8::from(stats.last_reload_ok)
    );
    let _ = writeln!(m, "# HELP tocsin_reload_last_success_timestamp_seconds Unix time of the last reload that applied every change.");
    let _ = writeln!(
        m,
        "# TYPE tocsin_reload_last_success_timestamp_seconds gauge"
    );
    let _ = writeln!(
        m,
        "tocsin_reload_last_success_timestamp_seconds {:.3}",
        stats.last_success_unix
    );
    let _ = writeln!(m, "# HELP tocsin_reload_duration_seconds Time the last reload took (read, parse, check, build).");
    let _ = writeln!(m, "# TYPE tocsin_reload_duration_seconds gauge");
    let _ = writeln!(
        m,
        "tocsin_reload_duration_seconds {:.6}",
        stats.reload_seconds
    );
    let _ = writeln!(
        m,
        "# HELP tocsin_evaluation_duration_seconds Time the last evaluation of every rule took."
    );
    let _ = writeln!(m, "# TYPE tocsin_evaluation_duration_seconds gauge");
    let _ = writeln!(
        m,
        "tocsin_evaluation_duration_seconds {:.6}",
        stats.eval_seconds
    );
    let _ = writeln!(m, "# HELP tocsin_state_unrecorded_changes Status changes waiting to be recorded in the state folder (it cannot be written); announced once recorded.");
    let _ = writeln!(m, "# TYPE tocsin_state_unrecorded_changes gauge");
    let _ = writeln!(m, "tocsin_state_unrecorded_changes {}", stats.unrecorded);
    let _ = writeln!(m, "# HELP tocsin_evaluation_date_timestamp_seconds The evaluation date (midnight UTC) as Unix time.");
    let _ = writeln!(m, "# TYPE tocsin_evaluation_date_timestamp_seconds gauge");
    let _ = writeln!(
        m,
        "tocsin_evaluation_date_timestamp_seconds {}",
        i64::from(at.0) * DAY
    );
    let _ = writeln!(
        m,
        "# HELP tocsin_series_observations Observations per series dated on or before the evaluation date (those rules may read)."
    );
    let _ = writeln!(m, "# TYPE tocsin_series_observations gauge");
    for (_, s) in store.iter() {
        // As of the evaluation date, as the age and last date below are:
        // rows dated later are loaded but no rule reads them yet.
        let _ = writeln!(
            m,
            "tocsin_series_observations{{series=\"{}\"}} {}",
            label(&s.name),
            s.dates.partition_point(|d| *d <= at)
        );
    }
    let _ = writeln!(m, "# HELP tocsin_series_age_seconds Time from the newest observation dated on or before the evaluation date to that date, in seconds (whole days; data freshness).");
    let _ = writeln!(m, "# TYPE tocsin_series_age_seconds gauge");
    for (_, s) in store.iter() {
        let k = s.dates.partition_point(|d| *d <= at);
        if k > 0 {
            let _ = writeln!(
                m,
                "tocsin_series_age_seconds{{series=\"{}\"}} {}",
                label(&s.name),
                at.days_since(s.dates[k - 1]) * DAY
            );
        }
    }
    let _ = writeln!(m, "# HELP tocsin_series_last_observation_timestamp_seconds Date of the newest observation dated on or before the evaluation date, as Unix time.");
    let _ = writeln!(
        m,
        "# TYPE tocsin_series_last_observation_timestamp_seconds gauge"
    );
    for (_, s) in store.iter() {
        let k = s.dates.partition_point(|d| *d <= at);
        if k > 0 {
            let _ = writeln!(
                m,
                "tocsin_series_last_observation_timestamp_seconds{{series=\"{}\"}} {}",
                label(&s.name),
                i64::from(s.dates[k - 1].0) * DAY
            );
        }
    }
    feed_gauges(&mut m, feeds);
    sinks::render(&mut m, &stats.notifications);
    m
}

/// The freshness of every data series a rule reads, as on the board: an
/// alerting rule on `tocsin_feed_stale == 1` needs no date arithmetic.
fn feed_gauges(m: &mut String, feeds: &[FeedRow]) {
    let _ = writeln!(m, "# HELP tocsin_feed_age_seconds Time from the newest observation dated on or before the evaluation date to that date, in seconds (whole days), for every data series a rule reads (none before its first observation).");
    let _ = writeln!(m, "# TYPE tocsin_feed_age_seconds gauge");
    for f in feeds {
        if let Some(age) = f.age_days {
            let _ = writeln!(
                m,
                "tocsin_feed_age_seconds{{series=\"{}\"}} {}",
                label(&f.name),
                age * DAY
            );
        }
    }
    let _ = writeln!(m, "# HELP tocsin_feed_stale 1 when the data series' feed declares stale_after and it has passed with no observation (the rules reading it are unknown), else 0.");
    let _ = writeln!(m, "# TYPE tocsin_feed_stale gauge");
    for f in feeds {
        let _ = writeln!(
            m,
            "tocsin_feed_stale{{series=\"{}\"}} {}",
            label(&f.name),
            u8::from(f.stale)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, age: Option<i64>, stale: bool) -> FeedRow {
        FeedRow {
            name: name.into(),
            newest: None,
            age_days: age,
            stale_after: None,
            stale,
            title: None,
            sources: Vec::new(),
            description: None,
        }
    }

    #[test]
    fn feed_gauges_give_age_where_known_and_staleness_always() {
        let mut m = String::new();
        feed_gauges(
            &mut m,
            &[row("a\"b", Some(3), false), row("lagging", None, true)],
        );
        assert!(
            m.contains("tocsin_feed_age_seconds{series=\"a\\\"b\"} 259200\n"),
            "{m}"
        );
        assert!(
            !m.contains("tocsin_feed_age_seconds{series=\"lagging\"}"),
            "{m}"
        );
        assert!(
            m.contains("tocsin_feed_stale{series=\"a\\\"b\"} 0\n"),
            "{m}"
        );
        assert!(
            m.contains("tocsin_feed_stale{series=\"lagging\"} 1\n"),
            "{m}"
        );
        assert!(m.contains("# TYPE tocsin_feed_stale gauge"));
    }
}
