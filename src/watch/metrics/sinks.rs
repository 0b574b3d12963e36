//! The sinks' metrics: what each still owes, how often it failed, what it
//! dead-lettered, when it last delivered.

use super::label;
use crate::sinks::DeliveryFailure;
use std::fmt::Write;

/// The reasons a failure is counted under in
/// `tocsin_notification_failures_total`: `retry` (a notification will be
/// tried again), `permanent` (it was refused for good and dead-lettered),
/// `periodic` (a sink's periodic work, such as Alertmanager's resend).
const REASONS: [&str; 3] = ["retry", "permanent", "periodic"];

/// One sink's numbers.
#[derive(Clone, Debug, Default, PartialEq)]
struct SinkNumbers {
    sink: &'static str,
    pending: usize,
    /// By [`REASONS`], in that order.
    failures: [u64; 3],
    dead_lettered: u64,
    /// Unix time of the last delivery, if any in this process.
    last_success_unix: Option<f64>,
}

/// The numbers of every sink the daemon sends to.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NotificationStats {
    sinks: Vec<SinkNumbers>,
}

impl NotificationStats {
    /// Zero for each of `sinks`, so that every series exists from the start.
    pub fn new(sinks: &[&'static str]) -> NotificationStats {
        NotificationStats {
            sinks: sinks
                .iter()
                .map(|&sink| SinkNumbers {
                    sink,
                    ..SinkNumbers::default()
                })
                .collect(),
        }
    }

    fn of(&mut self, sink: &str) -> Option<&mut SinkNumbers> {
        self.sinks.iter_mut().find(|s| s.sink == sink)
    }

    /// `sink` still owes `count` notifications.
    pub fn pending(&mut self, sink: &str, count: usize) {
        if let Some(s) = self.of(sink) {
            s.pending = count;
        }
    }

    /// `sink` delivered a notification at `unix` seconds.
    pub fn delivered(&mut self, sink: &str, unix: f64) {
        if let Some(s) = self.of(sink) {
            s.last_success_unix = Some(unix);
        }
    }

    /// A sink failed.
    pub fn failed(&mut self, failure: &DeliveryFailure) {
        let Some(s) = self.of(failure.sink) else {
            return;
        };
        let reason = match (failure.id, failure.dead_lettered) {
            (None, _) => 2,
            (Some(_), true) => 1,
            (Some(_), false) => 0,
        };
        s.failures[reason] += 1;
        if failure.dead_lettered {
            s.dead_lettered += 1;
        }
    }
}

/// Appends the sinks' metrics (nothing without a sink).
pub fn render(m: &mut String, stats: &NotificationStats) {
    if stats.sinks.is_empty() {
        return;
    }
    let _ = writeln!(m, "# HELP tocsin_notifications_pending Notifications recorded and not yet delivered (nor dead-lettered), by sink.");
    let _ = writeln!(m, "# TYPE tocsin_notifications_pending gauge");
    for s in &stats.sinks {
        let _ = writeln!(
            m,
            "tocsin_notifications_pending{{sink=\"{}\"}} {}",
            label(s.sink),
            s.pending
        );
    }
    let _ = writeln!(m, "# HELP tocsin_notification_failures_total Failed attempts to send, by sink and reason: retry (tried again), permanent (refused for good, dead-lettered), periodic (a sink's periodic resend).");
    let _ = writeln!(m, "# TYPE tocsin_notification_failures_total counter");
    for s in &stats.sinks {
        for (reason, count) in REASONS.iter().zip(s.failures) {
            let _ = writeln!(
                m,
                "tocsin_notification_failures_total{{sink=\"{}\",reason=\"{reason}\"}} {count}",
                label(s.sink)
            );
        }
    }
    let _ = writeln!(m, "# HELP tocsin_notifications_dead_lettered_total Notifications a sink refused for good (an HTTP 4xx other than 408 and 429), recorded in the state folder and not sent again.");
    let _ = writeln!(m, "# TYPE tocsin_notifications_dead_lettered_total counter");
    for s in &stats.sinks {
        let _ = writeln!(
            m,
            "tocsin_notifications_dead_lettered_total{{sink=\"{}\"}} {}",
            label(s.sink),
            s.dead_lettered
        );
    }
    let _ = writeln!(m, "# HELP tocsin_notification_last_success_timestamp_seconds Unix time of the sink's last delivery (absent until its first since the daemon started).");
    let _ = writeln!(
        m,
        "# TYPE tocsin_notification_last_success_timestamp_seconds gauge"
    );
    for s in &stats.sinks {
        if let Some(unix) = s.last_success_unix {
            let _ = writeln!(
                m,
                "tocsin_notification_last_success_timestamp_seconds{{sink=\"{}\"}} {unix:.3}",
                label(s.sink)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sinks::SinkError;

    fn failure(id: Option<u64>, dead_lettered: bool) -> DeliveryFailure {
        DeliveryFailure {
            sink: "webhook",
            id,
            attempt: 1,
            retry_in: None,
            error: SinkError::Status {
                url: "http://h/".into(),
                code: 400,
                retry_after: None,
            },
            dead_lettered,
        }
    }

    #[test]
    fn each_sink_has_its_series_from_the_start() {
        let mut m = String::new();
        render(
            &mut m,
            &NotificationStats::new(&["webhook", "alertmanager"]),
        );
        for line in [
            "tocsin_notifications_pending{sink=\"webhook\"} 0\n",
            "tocsin_notifications_pending{sink=\"alertmanager\"} 0\n",
            "tocsin_notification_failures_total{sink=\"webhook\",reason=\"retry\"} 0\n",
            "tocsin_notification_failures_total{sink=\"webhook\",reason=\"permanent\"} 0\n",
            "tocsin_notifications_dead_lettered_total{sink=\"alertmanager\"} 0\n",
            "# TYPE tocsin_notification_failures_total counter\n",
            "# TYPE tocsin_notification_last_success_timestamp_seconds gauge\n",
        ] {
            assert!(m.contains(line), "{line} in {m}");
        }
        assert!(!m.contains("tocsin_notification_last_success_timestamp_seconds{"));
        let mut none = String::new();
        render(&mut none, &NotificationStats::default());
        assert!(none.is_empty());
    }

    #[test]
    fn failures_are_counted_by_reason() {
        let mut stats = NotificationStats::new(&["webhook"]);
        stats.failed(&failure(Some(1), false));
        stats.failed(&failure(Some(1), false));
        stats.failed(&failure(Some(2), true));
        stats.failed(&failure(None, false));
        stats.delivered("webhook", 1_753_002_843.5);
        stats.pending("webhook", 3);
        let mut m = String::new();
        render(&mut m, &stats);
        for line in [
            "tocsin_notification_failures_total{sink=\"webhook\",reason=\"retry\"} 2\n",
            "tocsin_notification_failures_total{sink=\"webhook\",reason=\"permanent\"} 1\n",
            "tocsin_notification_failures_total{sink=\"webhook\",reason=\"periodic\"} 1\n",
            "tocsin_notifications_dead_lettered_total{sink=\"webhook\"} 1\n",
            "tocsin_notifications_pending{sink=\"webhook\"} 3\n",
            "tocsin_notification_last_success_timestamp_seconds{sink=\"webhook\"} 1753002843.500\n",
        ] {
            assert!(m.contains(line), "{line} in {m}");
        }
    }
}
