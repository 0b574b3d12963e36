//! Why each unknown rule is unknown: the deepest reasons that `explain`
//! gives under its condition (a comparison's "`x` is unknown" points at a
//! deeper one), and which of them are stale feeds, so that a card can say
//! "stale: newest observation of `red_sea_attacks` 2025-09-29, more than
//! 120d before 2026-12-02" and link to the feed.

use super::Report;
use crate::eval::explain::{explain, Explained};
use crate::eval::{Evaluator, Status};
use std::collections::HashMap;

/// How many reasons a card lists; the rest are counted.
pub const LISTED: usize = 4;

/// One reason a rule is unknown.
#[derive(Clone, Debug, PartialEq)]
pub struct Reason {
    /// As `explain` words it.
    pub text: String,
    /// The data series (an index of `Model::data`) whose staleness it is.
    pub stale: Option<usize>,
}

/// The reasons of one unknown rule, deepest first found, without repeats.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Why {
    /// At most [`LISTED`] reasons.
    pub reasons: Vec<Reason>,
    /// Reasons left out.
    pub omitted: usize,
}

impl Why {
    /// True when a stale feed is one of the reasons.
    pub fn stale(&self) -> bool {
        self.reasons.iter().any(|r| r.stale.is_some())
    }
}

/// The reasons of every unknown rule, by name.
pub fn find(ev: &mut Evaluator, r: &Report) -> HashMap<String, Why> {
    // A stale reason is recognised by being the very text the data
    // series gives, not by its wording.
    let stale: HashMap<String, usize> = r
        .model
        .data
        .iter()
        .enumerate()
        .filter_map(|(i, d)| d.reason(r.at).map(|text| (text, i)))
        .collect();
    let mut out = HashMap::new();
    for res in r.results.iter().filter(|x| x.status == Status::Unknown) {
        let tree = explain(ev, r.store, res.rule, r.at);
        let mut texts = Vec::new();
        deepest(&tree.when, &mut texts);
        // Stale feeds first: they are what a reader can act on.
        let mut reasons: Vec<Reason> = texts
            .into_iter()
            .map(|text| Reason {
                stale: stale.get(&text).copied(),
                text,
            })
            .collect();
        reasons.sort_by_key(|x| x.stale.is_none());
        let omitted = reasons.len().saturating_sub(LISTED);
        reasons.truncate(LISTED);
        out.insert(res.name.clone(), Why { reasons, omitted });
    }
    out
}

/// The reasons of `e`'s subtree that no deeper reason explains; true when
/// the subtree gives any (one already found counts: a deeper reason seen
/// twice still explains its parents).
fn deepest(e: &Explained, out: &mut Vec<String>) -> bool {
    let mut deeper = false;
    for c in &e.children {
        deeper |= deepest(c, out);
    }
    match &e.unknown_because {
        _ if deeper => true,
        Some(why) => {
            if !out.contains(why) {
                out.push(why.clone());
            }
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Value;

    fn node(why: Option<&str>, children: Vec<Explained>) -> Explained {
        Explained {
            expr: "x".into(),
            value: Value::None,
            unknown_because: why.map(String::from),
            spans: Vec::new(),
            children,
            see_above: false,
            cut: false,
        }
    }

    #[test]
    fn the_deepest_reasons_are_kept_once() {
        let stale = "stale: newest observation of `s` 2025-01-01, more than 10d before 2025-02-01";
        let tree = node(
            Some("both sides are unknown"),
            vec![
                node(Some("`a` is unknown"), vec![node(Some(stale), vec![])]),
                node(Some("`b` is unknown"), vec![node(Some(stale), vec![])]),
                node(
                    Some("no observation in the window"),
                    vec![node(None, vec![])],
                ),
            ],
        );
        let mut out = Vec::new();
        deepest(&tree, &mut out);
        assert_eq!(out, [stale, "no observation in the window"]);
    }
}
