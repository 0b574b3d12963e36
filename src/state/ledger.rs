//! What the journal adds up to: the last announced status of every rule,
//! and the changes each sink still owes. Replaying entries into a
//! [`Ledger`] is the only way state is built, on open as while running.

use super::entry::{Body, Entry};
use super::labels::{Labels, Texts};
use crate::change::{Announced, StatusChange};
use crate::lang::ast::Severity;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The last announced status of a rule, or of one instance of a rule with
/// `by:`: what the daemon compares a new evaluation with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleRecord {
    /// The rule's name. Empty in snapshots written before breakdowns,
    /// where the key was always the name: see [`RuleRecord::rule`].
    #[serde(default, skip_serializing_if = "is_empty")]
    pub name: Arc<str>,
    /// The instance's labels; empty for a rule without `by:`.
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    pub labels: Labels,
    /// The status last announced (never [`Announced::Removed`]: a removed
    /// rule leaves the map).
    pub status: Announced,
    /// The evaluation date of that change (YYYY-MM-DD).
    pub at: Arc<str>,
    /// When that change was recorded (RFC 3339 UTC): for a `met` alert,
    /// when it started (Alertmanager's `startsAt`).
    pub since: Arc<str>,
    /// `indicator` or `alert`.
    pub kind: Arc<str>,
    /// Severity (alerts).
    pub severity: Option<Severity>,
    /// The journal id of that change.
    pub seq: u64,
}

fn is_empty(s: &Arc<str>) -> bool {
    s.is_empty()
}

impl RuleRecord {
    /// The rule's name, given the key the record is filed under.
    pub fn rule<'a>(&'a self, key: &'a str) -> &'a str {
        if self.name.is_empty() {
            key
        } else {
            &self.name
        }
    }
}

/// A recorded change that some sinks have not delivered yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Owed {
    /// The id of the status entry.
    pub seq: u64,
    /// When it was recorded.
    pub ts: String,
    pub change: StatusChange,
    /// The sinks that must still deliver it.
    pub sinks: BTreeSet<String>,
}

/// The text last given to one field of the records, handed to the next
/// record that has the same: the changes of one evaluation share their
/// date and time, and come rule by rule, so that tens of thousands of
/// records hold a handful of texts. A cache, not state: two ledgers are
/// equal whatever their caches hold.
#[derive(Clone, Debug, Default)]
struct Last(Option<Arc<str>>);

impl PartialEq for Last {
    fn eq(&self, _: &Last) -> bool {
        true
    }
}

impl Last {
    fn share(&mut self, text: &str) -> Arc<str> {
        match &self.0 {
            Some(last) if **last == *text => Arc::clone(last),
            _ => {
                let new: Arc<str> = text.into();
                self.0 = Some(Arc::clone(&new));
                new
            }
        }
    }
}

/// The texts the records of a ledger share: name, date, time, kind and
/// labels.
#[derive(Clone, Debug, Default, PartialEq)]
struct Shared {
    name: Last,
    at: Last,
    since: Last,
    kind: Last,
    labels: LabelTexts,
}

/// [`Texts`], compared as a cache is: never a difference.
#[derive(Clone, Debug, Default)]
struct LabelTexts(Texts);

impl PartialEq for LabelTexts {
    fn eq(&self, _: &LabelTexts) -> bool {
        true
    }
}

/// The fewest records gained at once for which [`Ledger::settle`] builds
/// the map again: below, the nodes left half empty are a few kilobytes.
const SETTLED_RECORDS: usize = 1024;

/// The folded state.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Ledger {
    /// The last sequence number used.
    pub seq: u64,
    /// By [`StatusChange::key`]: the rule's name, or the instance's.
    pub announced: BTreeMap<Box<str>, RuleRecord>,
    /// Undelivered changes by id; ids grow with time, so this is oldest
    /// first.
    pub owed: BTreeMap<u64, Owed>,
    shared: Shared,
}

impl Ledger {
    /// Adds one entry.
    pub fn apply(&mut self, entry: &Entry) {
        self.seq = self.seq.max(entry.seq);
        match &entry.body {
            Body::Status { change, sinks } => {
                self.apply_status(entry.seq, &entry.ts, change, sinks);
            }
            // Dead-lettered or delivered, the sink owes it no more.
            Body::Delivered { id, sink } | Body::DeadLettered { id, sink, .. } => {
                if let Some(owed) = self.owed.get_mut(id) {
                    owed.sinks.remove(sink);
                    if owed.sinks.is_empty() {
                        self.owed.remove(id);
                    }
                }
            }
        }
    }

    /// Adds one status entry, from its parts.
    pub fn apply_status(&mut self, seq: u64, ts: &str, change: &StatusChange, sinks: &[String]) {
        self.seq = self.seq.max(seq);
        let key = change.key();
        if change.to == Announced::Removed {
            self.announced.remove(key.as_str());
        } else {
            self.announced.insert(
                key.into_boxed_str(),
                RuleRecord {
                    name: self.shared.name.share(&change.name),
                    labels: Labels::shared(&change.labels, &mut self.shared.labels.0),
                    status: change.to,
                    at: self.shared.at.share(&change.at),
                    since: self.shared.since.share(ts),
                    kind: self.shared.kind.share(&change.kind),
                    severity: change.severity,
                    seq,
                },
            );
        }
        if !sinks.is_empty() {
            self.owed.insert(
                seq,
                Owed {
                    seq,
                    ts: ts.to_string(),
                    change: change.clone(),
                    sinks: sinks.iter().cloned().collect(),
                },
            );
        }
    }

    /// Builds the map of announced statuses again, whole, when it has
    /// gained many records since it held `before`. Records come in key
    /// order (an evaluation's changes are sorted by key, a journal is
    /// replayed in that order), and a B-tree filled in order leaves its
    /// nodes about half empty: twice the memory of one built at once.
    pub fn settle(&mut self, before: usize) {
        let added = self.announced.len().saturating_sub(before);
        if added >= SETTLED_RECORDS && added * 8 >= self.announced.len() {
            self.announced = std::mem::take(&mut self.announced).into_iter().collect();
        }
    }

    /// The ledger a snapshot holds; its records share their texts as
    /// those folded in one by one do.
    pub fn loaded(
        seq: u64,
        mut announced: BTreeMap<Box<str>, RuleRecord>,
        owed: BTreeMap<u64, Owed>,
    ) -> Ledger {
        let mut shared = Shared::default();
        for record in announced.values_mut() {
            record.name = shared.name.share(&record.name);
            record.at = shared.at.share(&record.at);
            record.since = shared.since.share(&record.since);
            record.kind = shared.kind.share(&record.kind);
            record.labels.share(&mut shared.labels.0);
        }
        Ledger {
            seq,
            announced,
            owed,
            shared,
        }
    }

    /// Whether `sink` still has to deliver change `id`.
    pub fn owes(&self, id: u64, sink: &str) -> bool {
        self.owed.get(&id).is_some_and(|o| o.sinks.contains(sink))
    }

    /// The changes `sink` has not delivered, oldest first.
    pub fn undelivered(&self, sink: &str) -> Vec<(u64, StatusChange)> {
        self.owed_by(sink)
            .map(|o| (o.seq, o.change.clone()))
            .collect()
    }

    /// What `sink` still owes, oldest first.
    pub fn owed_by<'a>(&'a self, sink: &'a str) -> impl Iterator<Item = &'a Owed> + 'a {
        self.owed.values().filter(move |o| o.sinks.contains(sink))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::entry::tests::change;

    fn status(seq: u64, name: &str, to: Announced, sinks: &[&str]) -> Entry {
        Entry {
            seq,
            ts: format!("t{seq}"),
            body: Body::Status {
                change: change(name, None, to),
                sinks: sinks.iter().map(|s| s.to_string()).collect(),
            },
        }
    }

    fn delivered(seq: u64, id: u64, sink: &str) -> Entry {
        Entry {
            seq,
            ts: format!("t{seq}"),
            body: Body::Delivered {
                id,
                sink: sink.into(),
            },
        }
    }

    #[test]
    fn last_status_wins_and_removed_leaves() {
        let mut l = Ledger::default();
        l.apply(&status(1, "a", Announced::Pending, &[]));
        l.apply(&status(2, "a", Announced::Met, &[]));
        l.apply(&status(3, "b", Announced::Met, &[]));
        assert_eq!(l.announced["a"].status, Announced::Met);
        assert_eq!(&*l.announced["a"].since, "t2");
        l.apply(&status(4, "b", Announced::Removed, &[]));
        assert!(!l.announced.contains_key("b"));
        assert_eq!(l.seq, 4);
    }

    #[test]
    fn each_instance_is_kept_on_its_own() {
        let instance = |seq: u64, country: &str, to: Announced| {
            let mut e = status(seq, "a", to, &[]);
            if let Body::Status { change, .. } = &mut e.body {
                change.labels.insert("country".into(), country.into());
            }
            e
        };
        let mut l = Ledger::default();
        l.apply(&status(1, "b", Announced::Met, &[]));
        l.apply(&instance(2, "Yemen", Announced::Met));
        l.apply(&instance(3, "Chad", Announced::Pending));
        l.apply(&instance(4, "Yemen", Announced::Removed));
        let keys: Vec<&str> = l.announced.keys().map(|k| &**k).collect();
        assert_eq!(keys, [r#"a{country="Chad"}"#, "b"]);
        let chad = &l.announced[r#"a{country="Chad"}"#];
        assert_eq!(chad.rule("ignored"), "a");
        assert_eq!(chad.labels.get("country"), Some("Chad"));
        assert_eq!(chad.status, Announced::Pending);
    }

    #[test]
    fn records_of_one_evaluation_share_their_texts() {
        let mut l = Ledger::default();
        for country in ["Chad", "Mali", "Niger"] {
            let mut c = change("a", None, Announced::Met);
            c.labels.insert("country".into(), country.into());
            l.apply_status(7, "t7", &c, &[]);
        }
        let records: Vec<&RuleRecord> = l.announced.values().collect();
        for pair in records.windows(2) {
            assert!(Arc::ptr_eq(&pair[0].name, &pair[1].name));
            assert!(Arc::ptr_eq(&pair[0].since, &pair[1].since));
            assert!(Arc::ptr_eq(&pair[0].at, &pair[1].at));
            assert!(Arc::ptr_eq(&pair[0].kind, &pair[1].kind));
        }
        // As read back from a snapshot.
        let json = serde_json::to_string(&l.announced).unwrap();
        let loaded = Ledger::loaded(7, serde_json::from_str(&json).unwrap(), BTreeMap::new());
        assert_eq!(loaded, l);
        let records: Vec<&RuleRecord> = loaded.announced.values().collect();
        assert!(Arc::ptr_eq(&records[0].since, &records[2].since));
        assert_eq!(&*records[2].name, "a");
    }

    #[test]
    fn a_record_without_a_name_is_filed_under_it() {
        // As snapshots written before breakdowns hold them.
        let old = r#"{"status":"met","at":"2025-07-20","since":"t","kind":"alert","severity":null,"seq":3}"#;
        let record: RuleRecord = serde_json::from_str(old).unwrap();
        assert_eq!(record.rule("pla"), "pla");
        assert!(record.labels.is_empty());
    }

    #[test]
    fn deliveries_settle_what_is_owed() {
        let mut l = Ledger::default();
        l.apply(&status(
            1,
            "a",
            Announced::Met,
            &["webhook", "alertmanager"],
        ));
        l.apply(&status(2, "b", Announced::Met, &["webhook"]));
        l.apply(&delivered(3, 1, "webhook"));
        assert_eq!(l.undelivered("webhook").len(), 1);
        assert_eq!(l.undelivered("webhook")[0].0, 2);
        assert_eq!(l.undelivered("alertmanager")[0].0, 1);
        l.apply(&delivered(4, 1, "alertmanager"));
        assert!(!l.owed.contains_key(&1));
        // A delivery reported twice changes nothing.
        l.apply(&delivered(5, 1, "alertmanager"));
        assert!(l.undelivered("alertmanager").is_empty());
        assert!(l.owes(2, "webhook"));
    }

    #[test]
    fn a_dead_letter_settles_what_is_owed() {
        let mut l = Ledger::default();
        l.apply(&status(1, "a", Announced::Met, &["webhook"]));
        l.apply(&status(2, "b", Announced::Met, &["webhook"]));
        l.apply(&Entry {
            seq: 3,
            ts: "t3".into(),
            body: Body::DeadLettered {
                id: 1,
                sink: "webhook".into(),
                reason: "HTTP status 400".into(),
            },
        });
        assert!(!l.owes(1, "webhook"));
        assert_eq!(l.undelivered("webhook")[0].0, 2);
    }

    #[test]
    fn a_map_built_again_holds_what_it_held() {
        let mut l = Ledger::default();
        for k in 0..SETTLED_RECORDS * 2 {
            l.apply(&status(
                k as u64 + 1,
                &format!("r{k:05}"),
                Announced::Met,
                &[],
            ));
        }
        let before = l.clone();
        let held = l.announced.values().next().unwrap().name.clone();
        l.settle(0);
        assert_eq!(l, before);
        assert!(Arc::ptr_eq(
            &l.announced.values().next().unwrap().name,
            &held
        ));
        // A few more records: left as they are.
        l.apply(&status(9999, "zz", Announced::NotMet, &[]));
        l.settle(l.announced.len() - 1);
        assert_eq!(l.announced.len(), SETTLED_RECORDS * 2 + 1);
    }
}
