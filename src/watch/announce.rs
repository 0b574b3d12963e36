//! Announcing: each change of status is recorded in the state folder
//! before it is printed and handed to the sinks, so that a restart neither
//! repeats nor loses it.

use super::events::Event;
use super::{Daemon, Msg};
use crate::change::{instance_key_of, Announced, StatusChange};
use crate::eval::{Model, RuleResult};
use crate::lang::ast::RuleKind;
use crate::sinks::{
    Alertmanager, Delivery, DeliveryOptions, Notification, Secret, Sink, SinkError, Webhook,
    WebhookFormat,
};
use crate::state::RuleRecord;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashSet};

/// How soon status changes that could not be recorded are tried again.
pub(super) const RETRY: std::time::Duration = std::time::Duration::from_secs(2);

/// How long stopping may wait for sinks to finish.
pub(super) const SHUTDOWN: std::time::Duration = std::time::Duration::from_millis(500);

/// The sinks, before their delivery threads start (after the first
/// evaluation, so that Alertmanager knows which alerts already fire).
pub(super) struct Sinks {
    webhook: Option<Webhook>,
    alertmanagers: Vec<Alertmanager>,
}

impl Sinks {
    /// The sinks asked for on the command line: the webhook posting in
    /// `format`, signed with `secret` if there is one.
    pub(super) fn new(
        webhook: Option<&str>,
        format: WebhookFormat,
        secret: Option<Secret>,
        alertmanagers: &[String],
        rule_links: Option<&str>,
    ) -> Result<Sinks, String> {
        let webhook = webhook
            .map(Webhook::new)
            .transpose()
            .map_err(|e| format!("--webhook: {e}"))?
            .map(|w| w.with_format(format))
            .map(|w| match secret {
                Some(secret) => w.with_secret(secret),
                None => w,
            });
        let mut seen = HashSet::new();
        let mut alertmanager = Vec::new();
        for (i, url) in alertmanagers.iter().enumerate() {
            let a = Alertmanager::new(url).map_err(|e| format!("--alertmanager: {e}"))?;
            if !seen.insert(url.trim_end_matches('/')) {
                return Err(format!(
                    "--alertmanager: {} is given twice",
                    crate::sinks::redact(url)
                ));
            }
            let a = a.named(alertmanager_name(i));
            alertmanager.push(match rule_links {
                Some(url) => a.with_rule_links(url),
                None => a,
            });
        }
        Ok(Sinks {
            webhook,
            alertmanagers: alertmanager,
        })
    }

    /// The names of the sinks, as the state records them.
    pub(super) fn names(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if let Some(w) = &self.webhook {
            names.push(w.name());
        }
        names.extend(self.alertmanagers.iter().map(Sink::name));
        names
    }
}

/// The sink name of the `i`-th `--alertmanager` (from 0): `alertmanager`
/// for the first, as with one alone, so that adding a second keeps the
/// first one's undelivered notifications; then `alertmanager-2`, ...
fn alertmanager_name(i: usize) -> &'static str {
    match i {
        0 => "alertmanager",
        // Made once per sink at start: the names live as long as the
        // process, as the sinks' do.
        _ => Box::leak(format!("alertmanager-{}", i + 1).into_boxed_str()),
    }
}

/// The changes between what was announced and the results now. Each
/// instance of a rule with `by:` counts on its own, under its
/// [key](StatusChange::key): one that appears is announced as a rule added
/// (`from` none), one that is gone as a rule removed (`to` removed).
///
/// With `only`, the indices in `results` of the only ones that may have
/// changed (of rules without `by:`, so that no key can be gone): only they
/// are looked at.
fn changes(
    daemon: &Daemon,
    model: &Model,
    results: &[RuleResult],
    only: Option<&[usize]>,
) -> Vec<StatusChange> {
    let at = daemon.today.to_string();
    let announced = daemon.state.announced();
    if let Some(only) = only {
        return only
            .iter()
            .filter_map(|&i| {
                let r = results.get(i)?;
                let from = announced
                    .get(instance_key_of(&r.name, &r.labels).as_str())
                    .map(|record| record.status);
                (from != Some(Announced::from(r.status))).then(|| change_of(model, r, from, &at))
            })
            .collect();
    }
    // The results' keys in key order, walked beside the announced ones
    // (a map in the same order): one pass, not a look-up per result.
    // Made and sorted on every core: 100,000 keys took about 35 ms on one.
    let mut keys: Vec<(String, usize)> = results
        .par_iter()
        .enumerate()
        .map(|(i, r)| (instance_key_of(&r.name, &r.labels), i))
        .collect();
    keys.par_sort_unstable();
    let mut changed: Vec<(usize, Option<Announced>)> = Vec::new();
    let mut removed: Vec<(&Box<str>, &RuleRecord)> = Vec::new();
    let mut known = announced.iter().peekable();
    for (key, i) in &keys {
        while let Some((k, record)) = known.next_if(|(k, _)| &***k < key.as_str()) {
            removed.push((k, record));
        }
        let from = known
            .next_if(|(k, _)| ***k == **key)
            .map(|(_, record)| record.status);
        if from != Some(Announced::from(results[*i].status)) {
            changed.push((*i, from));
        }
    }
    removed.extend(known);
    changed.sort_unstable_by_key(|&(i, _)| i);
    let mut out: Vec<StatusChange> = changed
        .into_iter()
        .map(|(i, from)| change_of(model, &results[i], from, &at))
        .collect();
    for (key, known) in removed {
        if known.status != Announced::Removed {
            out.push(StatusChange {
                name: known.rule(key).to_string(),
                labels: known.labels.to_map(),
                kind: known.kind.to_string(),
                from: Some(known.status),
                to: Announced::Removed,
                at: at.clone(),
                severity: known.severity,
                title: None,
                summary: None,
                description: None,
                sources: Vec::new(),
                tags: Vec::new(),
            });
        }
    }
    out
}

/// A result's labels, as changes carry them.
fn labels_of(r: &RuleResult) -> BTreeMap<String, String> {
    crate::eval::labels_map(&r.labels)
}

fn change_of(model: &Model, r: &RuleResult, from: Option<Announced>, at: &str) -> StatusChange {
    let def = &model.program.rules[r.rule];
    StatusChange {
        name: r.name.clone(),
        labels: labels_of(r),
        kind: match r.kind {
            RuleKind::Indicator => "indicator".into(),
            RuleKind::Alert => "alert".into(),
        },
        from,
        to: Announced::from(r.status),
        at: at.to_string(),
        severity: r.severity,
        title: def.title.clone(),
        summary: r.summary.clone(),
        description: r.description.clone(),
        sources: def.sources.clone(),
        tags: def.tags.clone(),
    }
}

impl Daemon {
    /// Records, prints and sends every change between what was announced
    /// and `results` (among those at `only`, when given: see [`changes`]).
    pub(super) fn announce(
        &mut self,
        model: &Model,
        results: &[RuleResult],
        only: Option<&[usize]>,
    ) {
        self.start_delivery(model, results);
        self.keep_alert_texts(model, results);
        let changes = changes(self, model, results, only);
        // One flush for the whole evaluation; then print and send.
        match self.state.record_all(&changes, &self.sink_names) {
            Ok(ids) => {
                // Said once something was written: with no change, the
                // disk may be as full as it was.
                if self.stats.unrecorded > 0 && !changes.is_empty() {
                    let message = format!(
                        "the state folder can be written again: {} status changes recorded",
                        changes.len()
                    );
                    self.output.emit(&Event::Notice { message: &message });
                }
                self.stats.unrecorded = 0;
                self.retry_at = None;
                for (id, change) in ids.into_iter().zip(changes) {
                    self.output.emit(&Event::Status(&change));
                    if let Some(d) = &self.delivery {
                        let ts = self.state.recorded_at(id).unwrap_or_default().to_string();
                        d.submit(Notification {
                            seq: id,
                            ts,
                            change,
                        });
                    }
                }
            }
            Err(e) => {
                // Not recorded, so not announced: tried again shortly (and
                // at every evaluation until it works), so that a full or
                // failing disk delays an announcement but never loses it.
                let message = format!(
                    "{} status changes not recorded, so not announced yet (trying again every {} s): {e}",
                    changes.len(),
                    RETRY.as_secs()
                );
                self.output.emit(&Event::Notice { message: &message });
                self.stats.unrecorded = changes.len();
                self.retry_at = Some(std::time::Instant::now() + RETRY);
            }
        }
        if self.state.needs_compaction() {
            if let Err(e) = self.state.compact() {
                self.output.emit(&Event::Notice {
                    message: &format!("state compaction failed (will retry): {e}"),
                });
            }
        }
    }

    /// Starts the delivery threads once, after the first evaluation: the
    /// alerts that fire and were already announced are handed to
    /// Alertmanager as firing, and whatever the state says is undelivered
    /// is sent again.
    fn start_delivery(&mut self, model: &Model, results: &[RuleResult]) {
        let Some(sinks) = self.sinks.take() else {
            return;
        };
        let mut boxed: Vec<Box<dyn Sink>> = Vec::new();
        if let Some(w) = sinks.webhook {
            boxed.push(Box::new(w));
        }
        if !sinks.alertmanagers.is_empty() {
            let at = self.today.to_string();
            let announced = self.state.announced();
            let firing: Vec<_> = results
                .iter()
                .filter(|r| r.kind == RuleKind::Alert)
                .filter_map(|r| {
                    let known = announced.get(instance_key_of(&r.name, &r.labels).as_str())?;
                    let since = chrono::DateTime::parse_from_rfc3339(&known.since)
                        .ok()?
                        .with_timezone(&chrono::Utc);
                    (known.status == Announced::Met)
                        .then(|| (change_of(model, r, Some(Announced::Met), &at), since))
                })
                .collect();
            let texts = crate::sinks::CurrentTexts::default();
            for mut am in sinks.alertmanagers {
                am.set_firing(firing.clone());
                boxed.push(Box::new(am.with_current_texts(texts.clone())));
            }
            self.alert_texts = Some(texts);
        }
        if boxed.is_empty() {
            return;
        }
        let tx = self.tx.clone();
        let failures = self.tx.clone();
        let options = DeliveryOptions::default().on_failure(move |f| {
            let _ = failures.send(Msg::SinkFailure(f.clone()));
        });
        let names = self.sink_names.clone();
        let delivery = Delivery::spawn_with(boxed, options, move |id, sink| {
            let _ = tx.send(Msg::Delivered(id, sink_name(&names, sink)));
        });
        for name in &self.sink_names {
            for (seq, ts, change) in self.state.owed(name) {
                delivery.submit_to(name, Notification { seq, ts, change });
            }
        }
        self.delivery = Some(delivery);
    }

    /// Hands Alertmanager's resends the texts each met alert has after
    /// this evaluation: a summary that counts events moves on while the
    /// alert stays firing.
    fn keep_alert_texts(&self, model: &Model, results: &[RuleResult]) {
        let Some(texts) = &self.alert_texts else {
            return;
        };
        let at = self.today.to_string();
        let current = results
            .iter()
            .filter(|r| r.kind == RuleKind::Alert && r.status == crate::eval::Status::Met)
            .map(|r| {
                let change = change_of(model, r, Some(Announced::Met), &at);
                (change.key(), crate::sinks::alert_annotations(&change))
            })
            .collect();
        *texts.lock().unwrap_or_else(|e| e.into_inner()) = current;
    }

    /// Records a delivery or a dead letter, and prints a sink's failure.
    pub(super) fn handle_delivery(&mut self, msg: Msg) {
        match msg {
            Msg::Delivered(id, sink) => {
                self.stats.notifications.delivered(sink, super::unix_now());
                if let Err(e) = self.state.delivered(id, sink) {
                    let message = format!("delivery of {id} to {sink} not recorded (it may be sent again after a restart): {e}");
                    self.output.emit(&Event::Notice { message: &message });
                }
            }
            Msg::SinkFailure(failure) => {
                self.stats.notifications.failed(&failure);
                self.output.emit(&Event::Notice {
                    message: &failure.to_string(),
                });
                if let (true, Some(id)) = (failure.dead_lettered, failure.id) {
                    self.record_dead_letter(id, failure.sink, &failure.error);
                }
            }
            Msg::Files(..) | Msg::Rescan(_) => {}
        }
        self.sinks_changed = true;
    }

    /// Records that `sink` refused change `id` for good, so that it is not
    /// sent again after a restart and the history shows why.
    fn record_dead_letter(&mut self, id: u64, sink: &'static str, error: &SinkError) {
        let reason = match error {
            SinkError::Status { code, .. } => format!("HTTP status {code}"),
            other => other.to_string(),
        };
        if let Err(e) = self.state.dead_lettered(id, sink, &reason) {
            let message = format!("dead letter of {id} for {sink} not recorded (it may be sent again after a restart): {e}");
            self.output.emit(&Event::Notice { message: &message });
        }
    }
}

/// The static name of a sink from the name a callback reports: one of
/// `names` (`alertmanager-2` is a sink of its own, with its own queue).
fn sink_name(names: &[&'static str], name: &str) -> &'static str {
    names
        .iter()
        .find(|n| **n == name)
        .copied()
        .unwrap_or("sink")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sinks(urls: &[&str]) -> Result<Sinks, String> {
        let urls: Vec<String> = urls.iter().map(|u| u.to_string()).collect();
        Sinks::new(None, WebhookFormat::Tocsin, None, &urls, None)
    }

    #[test]
    fn each_alertmanager_of_a_cluster_is_a_sink_of_its_own() {
        assert!(sinks(&[]).unwrap().names().is_empty());
        assert_eq!(
            sinks(&["http://127.0.0.1:9093"]).unwrap().names(),
            ["alertmanager"]
        );
        assert_eq!(
            sinks(&["http://a:9093", "http://b:9093/", "http://c:9093"])
                .unwrap()
                .names(),
            ["alertmanager", "alertmanager-2", "alertmanager-3"]
        );
    }

    #[test]
    fn a_delivery_is_recorded_for_the_sink_that_made_it() {
        let names = sinks(&["http://a:9093", "http://b:9093"]).unwrap().names();
        let names = [&["webhook"][..], &names].concat();
        for name in ["webhook", "alertmanager", "alertmanager-2"] {
            assert_eq!(sink_name(&names, name), name);
        }
    }

    #[test]
    fn an_alertmanager_given_twice_is_refused() {
        let e = sinks(&["http://a:9093", "http://a:9093/"]).err().unwrap();
        assert!(e.contains("given twice"), "{e}");
        let e = sinks(&["http://a:9093", "ftp://b"]).err().unwrap();
        assert!(e.starts_with("--alertmanager: "), "{e}");
    }
}
