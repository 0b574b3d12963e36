//! Keeping results across a reload: after one file changes, most rules are
//! defined as before and read the same series, so their results at the same
//! date are the same. Only the others are evaluated again.

use super::{results, Evaluator, Model, RuleResult};
use crate::eval::instance_labels;
use crate::lang::program::{Node, NodeKind, TemplatePiece};
use crate::time::Date;
use std::sync::Arc;

/// Evaluates every rule of `model` at `t`, taking from `old_results` (the
/// results of `old` at the same `t`, moved, not copied) the result of
/// each rule, or each instance, that is provably unchanged.
pub fn evaluate_reusing(
    model: &Model,
    t: Date,
    old: &Model,
    old_results: Vec<RuleResult>,
) -> Vec<RuleResult> {
    let same = unchanged(model, old);
    let mut ev = Evaluator::new(model);
    let mut old_by_rule = by_rule(old_results, model.program.rules.len());
    (0..model.program.rules.len())
        .flat_map(|r| {
            let taken = old_by_rule.get_mut(r).and_then(Option::take);
            results_reusing(&mut ev, r, t, old, &same, taken)
        })
        .collect()
}

/// The results of rule `r` at `t`, as [`results`] gives them, taken from
/// `taken` (the old model's results of the rule at `t`) where `same` (of
/// [`unchanged`]) or, for a rule with `by:`, the instance's own series
/// say they are the same.
pub fn results_reusing(
    ev: &mut Evaluator,
    r: usize,
    t: Date,
    old: &Model,
    same: &[Sameness],
    taken: Option<Vec<RuleResult>>,
) -> Vec<RuleResult> {
    let Some(taken) = taken else {
        return results(ev, r, t);
    };
    match &same[r] {
        Sameness::Whole => taken,
        Sameness::Changed => results(ev, r, t),
        Sameness::Instances(kept) => {
            let model = ev.model();
            let (Some(g), ids) = (model.instances.group_of(r), model.instances.at(r, t)) else {
                return results(ev, r, t);
            };
            if ids != old.instances.at(r, t) || ids.len() != taken.len() {
                return results(ev, r, t);
            }
            ids.into_iter()
                .zip(taken)
                .map(|(i, o)| {
                    if kept.get(i as usize) == Some(&true) {
                        return o;
                    }
                    let scope = model.instances.scope(g, i);
                    let mut res = ev.in_scope(scope, |ev| super::result(ev, r, t));
                    res.labels = instance_labels(model, r, i);
                    res
                })
                .collect()
        }
    }
}

/// Whether a rule's results at a date are those of an older model.
#[derive(Clone, Debug, PartialEq)]
pub enum Sameness {
    /// All of them.
    Whole,
    /// Those of the instances marked `true` (by instance number).
    Instances(Vec<bool>),
    /// None can be told to be.
    Changed,
}

impl Sameness {
    /// True for [`Sameness::Whole`].
    pub fn is_whole(&self) -> bool {
        matches!(self, Sameness::Whole)
    }
}

/// Results gathered by rule index (a rule with `by:` has one per
/// instance), each rule's in order; `None` for a rule with no result.
pub fn by_rule(results: Vec<RuleResult>, rules: usize) -> Vec<Option<Vec<RuleResult>>> {
    let mut out: Vec<Option<Vec<RuleResult>>> = vec![None; rules];
    for res in results {
        if let Some(slot) = out.get_mut(res.rule) {
            slot.get_or_insert_with(Vec::new).push(res);
        }
    }
    out
}

/// For each rule of `model`: whether `old` holds the same definition at
/// the same index, and everything it reads — series, lets, other rules —
/// is the same at the same index too (series by identity of their
/// timelines and origins, which a rebuild shares when the data did not
/// change).
pub fn unchanged(model: &Model, old: &Model) -> Vec<Sameness> {
    let mut c = Compare {
        new: model,
        old,
        rules: vec![None; model.program.rules.len()],
        lets: vec![None; model.program.lets.len()],
        series: vec![None; model.program.series.len()],
    };
    (0..model.program.rules.len())
        .map(|r| {
            if c.rule(r) {
                return Sameness::Whole;
            }
            match c.instances(r) {
                Some(kept) if kept.iter().any(|&k| k) => Sameness::Instances(kept),
                _ => Sameness::Changed,
            }
        })
        .collect()
}

struct Compare<'a> {
    new: &'a Model,
    old: &'a Model,
    /// Memo; `Some(false)` is also set while a rule is being looked at, so
    /// a cycle (which the checker refuses anyway) ends as "changed".
    rules: Vec<Option<bool>>,
    lets: Vec<Option<bool>>,
    /// Memo of [`Compare::series`]: 100,000 rules read a series each of
    /// 10,000, whose definitions were compared (names and all) at every
    /// reading.
    series: Vec<Option<bool>>,
}

impl Compare<'_> {
    fn rule(&mut self, r: usize) -> bool {
        if let Some(known) = self.rules[r] {
            return known;
        }
        self.rules[r] = Some(false);
        let new = &self.new.program.rules[r];
        // Instances come and go with the data: evaluated again.
        let same = !new.is_grouped()
            && self.old.program.rules.get(r) == Some(new)
            && read_nodes(new).into_iter().all(|n| self.reads_same(n));
        self.rules[r] = Some(same);
        same
    }

    /// For a rule with `by:` defined as before, whose instances are those
    /// of the old model: for each instance, whether everything the rule
    /// reads inside it is the same (its own series by identity, the rest
    /// as [`Compare::reads_same`] says).
    fn instances(&mut self, r: usize) -> Option<Vec<bool>> {
        let new = &self.new.program.rules[r];
        let g = self.new.instances.group_of(r)?;
        if self.old.program.rules.get(r) != Some(new) || self.old.instances.group_of(r) != Some(g) {
            return None;
        }
        let (ng, og) = (
            &self.new.instances.groups[g],
            self.old.instances.groups.get(g)?,
        );
        if ng.key != og.key || ng.labels != og.labels {
            return None;
        }
        let nodes = read_nodes(new);
        Some(
            (0..ng.labels.len())
                .map(|i| {
                    let mut seen = vec![false; self.new.program.rules.len()];
                    seen[r] = true;
                    nodes.iter().all(|n| self.same_in(n, g, i, &mut seen))
                })
                .collect(),
        )
    }

    /// Whether what `node` reads inside instance `i` of group `g` is the
    /// same: the group's own series and fields by identity in the
    /// instance, the rules of the group in the instance, and everything
    /// else whole.
    fn same_in(&mut self, node: &Node, g: usize, i: usize, seen: &mut [bool]) -> bool {
        let (ng, og) = (&self.new.instances.groups[g], &self.old.instances.groups[g]);
        match &node.kind {
            NodeKind::Series(s) => match (ng.series(*s, i), og.series(*s, i)) {
                (Some((n, _)), Some((o, _))) => {
                    Arc::ptr_eq(n, o)
                        // A feed's freshness is the whole data series'.
                        && self.new.stale_after(*s).is_none()
                        && self.old.stale_after(*s).is_none()
                }
                (None, None) => self.series(*s),
                _ => false,
            },
            NodeKind::Field(k) => match (ng.field(*k, i), og.field(*k, i)) {
                (Some(n), Some(o)) => Arc::ptr_eq(n, o),
                (None, None) => self.reads_same(node),
                _ => false,
            },
            NodeKind::Rule(r2) if self.new.instances.group_of(*r2) == Some(g) => {
                if std::mem::replace(&mut seen[*r2], true) {
                    // A cycle (refused by the checker) or a rule met twice:
                    // looked at on its first meeting.
                    return true;
                }
                let rule = &self.new.program.rules[*r2];
                if self.old.program.rules.get(*r2) != Some(rule) {
                    return false;
                }
                read_nodes(rule)
                    .into_iter()
                    .all(|n| self.same_in(n, g, i, seen))
            }
            NodeKind::Let(l) => {
                let new = &self.new.program.lets[*l];
                self.old.program.lets.get(*l) == Some(new) && self.same_in(&new.value, g, i, seen)
            }
            NodeKind::Const(_) | NodeKind::Now | NodeKind::Invalid | NodeKind::Rule(_) => {
                self.reads_same(node)
            }
            NodeKind::Unary(_, a) => self.same_in(a, g, i, seen),
            NodeKind::Binary(_, a, b) => self.same_in(a, g, i, seen) && self.same_in(b, g, i, seen),
            // A rule passed to a function (`any(r)`, `count_true(r)`) may
            // be read over every instance: compared whole.
            NodeKind::Call(_, args) => args.iter().all(|a| match a.kind {
                NodeKind::Rule(_) => self.reads_same(a),
                _ => self.same_in(a, g, i, seen),
            }),
            NodeKind::Weighted(pairs) => pairs
                .iter()
                .all(|(a, b)| self.same_in(a, g, i, seen) && self.same_in(b, g, i, seen)),
        }
    }

    fn let_(&mut self, l: usize) -> bool {
        if let Some(known) = self.lets[l] {
            return known;
        }
        self.lets[l] = Some(false);
        let new = &self.new.program.lets[l];
        let same = self.old.program.lets.get(l) == Some(new) && self.reads_same(&new.value);
        self.lets[l] = Some(same);
        same
    }

    fn series(&mut self, s: usize) -> bool {
        if let Some(known) = self.series.get(s).copied().flatten() {
            return known;
        }
        let same = self.series_compared(s);
        if let Some(slot) = self.series.get_mut(s) {
            *slot = Some(same);
        }
        same
    }

    fn series_compared(&self, s: usize) -> bool {
        self.old.program.series.get(s) == self.new.program.series.get(s)
            && same_arc(self.new.timelines.get(s), self.old.timelines.get(s))
            && same_arc(self.new.origins.get(s), self.old.origins.get(s))
            // A feed's `stale_after` changes what every function over the
            // series gives, though not its observations.
            && self.new.stale_after(s) == self.old.stale_after(s)
    }

    /// Whether every series, let and rule `node` reads is unchanged.
    fn reads_same(&mut self, node: &Node) -> bool {
        match &node.kind {
            NodeKind::Const(_) | NodeKind::Now | NodeKind::Invalid => true,
            NodeKind::Let(l) => self.let_(*l),
            NodeKind::Rule(r) => self.rule(*r),
            NodeKind::Series(s) => self.series(*s),
            // Built again with every model, from the data its series reads.
            NodeKind::Field(k) => {
                let read = self.new.program.fields.get(*k);
                read.is_some_and(|r| self.series(r.series))
                    && self.old.program.fields.get(*k) == read
            }
            NodeKind::Unary(_, a) => self.reads_same(a),
            NodeKind::Binary(_, a, b) => self.reads_same(a) && self.reads_same(b),
            NodeKind::Call(_, args) => args.iter().all(|a| self.reads_same(a)),
            NodeKind::Weighted(pairs) => pairs
                .iter()
                .all(|(a, b)| self.reads_same(a) && self.reads_same(b)),
        }
    }
}

/// What a rule's results read: its condition and the holes of its
/// templates.
fn read_nodes(rule: &crate::lang::program::RuleDef) -> Vec<&Node> {
    let mut nodes: Vec<&Node> = vec![&rule.when];
    for t in [&rule.summary, &rule.description].into_iter().flatten() {
        nodes.extend(t.iter().filter_map(|p| match p {
            TemplatePiece::Hole(n) => Some(n),
            TemplatePiece::Text(_) | TemplatePiece::Label(_) => None,
        }));
    }
    nodes
}

fn same_arc<T>(a: Option<&Arc<T>>, b: Option<&Arc<T>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::evaluate;
    use crate::workspace::{load, Contents, SourceFile, Workspace};

    fn ws(rules: &str) -> Workspace {
        let file = |name: &str, text: &str| SourceFile {
            name: name.into(),
            contents: Contents::Text(text.into()),
        };
        let data = "date,value\n2025-01-01,3\n2025-02-01,9\n";
        load(
            &[file("rules/a.rules", rules)],
            &[file("indicators/g.csv", data)],
        )
    }

    /// `after` checked, then built from `before`'s model as a reload does.
    fn reloaded(before: &Workspace, after: &str) -> Model {
        let program = ws(after).model.expect("a model").program;
        Model::build_reusing(program, &before.store, before.model.as_ref())
    }

    const RULES: &str = "indicator a { when: latest(g) > 5 }\nindicator b { when: a and count(g, 1y) > 1 }\nlet k = 100\nindicator c { when: sum(g, 1y) > k }\n";

    #[test]
    fn what_changed_and_what_reads_it_is_evaluated_again() {
        let t = Date::parse_iso("2025-03-01").unwrap();
        let before = ws(RULES);
        let old = before.model.as_ref().unwrap();
        let old_results = evaluate(old, t);
        for (after, want) in [
            (RULES.to_string(), [true, true, true]),
            // The last rule changed.
            (RULES.replace("> k", "> 1"), [true, true, false]),
            // A let it reads.
            (RULES.replace("= 100", "= 1"), [true, true, false]),
            // A rule another reads.
            (RULES.replace("> 5", "> 1"), [false, false, true]),
            // A feed for the series every rule reads: all of them.
            (
                format!("{RULES}feed g {{ stale_after: 10d }}\n"),
                [false, false, false],
            ),
        ] {
            let model = reloaded(&before, &after);
            let whole: Vec<bool> = unchanged(&model, old)
                .iter()
                .map(Sameness::is_whole)
                .collect();
            assert_eq!(whole, want, "{after}");
            // Reused or not, the results are what a full evaluation gives.
            assert_eq!(
                evaluate_reusing(&model, t, old, old_results.clone()),
                evaluate(&model, t)
            );
        }
        // Separate loads share no series: nothing is taken for unchanged.
        let separate = ws(RULES);
        assert_eq!(
            unchanged(separate.model.as_ref().unwrap(), old),
            [Sameness::Changed, Sameness::Changed, Sameness::Changed]
        );
    }
}
