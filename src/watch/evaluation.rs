//! Evaluation that a stop request cuts short: every rule is evaluated, or
//! none is used. A board evaluated halfway is never announced, so stopping
//! in the middle of a long evaluation journals nothing of it.

use crate::eval::reuse::{by_rule, results_reusing, unchanged, Sameness};
use crate::eval::{Evaluator, Model, RuleResult};
use crate::time::Date;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

/// A share of the rules, and the old results of each of them.
type Share = (Range<usize>, Vec<Option<Vec<RuleResult>>>);

/// Evaluates every rule of `model` at `t`, taking from `reuse` (a previous
/// model and its results at the same `t`) the results of the rules and
/// instances that are provably unchanged, as
/// [`crate::eval::reuse::evaluate_reusing`] does. `None` when `stop` was
/// set before the last rule was done.
pub(super) fn evaluate(
    model: &Model,
    t: Date,
    reuse: Option<(&Model, Vec<RuleResult>)>,
    stop: &AtomicBool,
) -> Option<Vec<RuleResult>> {
    let n = model.program.rules.len();
    let (old_model, same, mut old) = match reuse {
        Some((m, old_results)) => (m, unchanged(model, m), by_rule(old_results, n)),
        None => (model, vec![Sameness::Changed; n], Vec::new()),
    };
    old.resize_with(n, || None);
    // Shares of the rules on every core, each with its evaluator and its
    // rules' old results, joined in order.
    let shares = crate::eval::shares(model);
    let mut parts: Vec<Share> = Vec::new();
    for share in shares.into_iter().rev() {
        let olds = old.split_off(share.start);
        parts.push((share, olds));
    }
    parts.reverse();
    let run = |(share, mut olds): Share| {
        let mut ev = Evaluator::new(model);
        let mut out = Vec::new();
        for (k, r) in share.enumerate() {
            // A rule takes microseconds to milliseconds: looking at the
            // flag before each costs nothing and bounds the wait for a
            // stop.
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            let taken = olds.get_mut(k).and_then(Option::take);
            out.extend(results_reusing(&mut ev, r, t, old_model, &same, taken));
        }
        Some(out)
    };
    let done: Vec<Option<Vec<RuleResult>>> = if parts.len() < 2 {
        parts.into_iter().map(run).collect()
    } else {
        use rayon::prelude::*;
        parts.into_par_iter().with_max_len(1).map(run).collect()
    };
    let mut out = Vec::with_capacity(n);
    for part in done {
        out.extend(part?);
    }
    Some(out)
}

/// Evaluates at `t` the rules in `ranges` alone, which a reload replaced
/// in `model` and nothing else reads, putting their results in place of
/// those in `results` (the results at `t` before; one per rule, as none of
/// them has `by:`). Returns the indices in `results` replaced; `None`,
/// with `results` unchanged, when they are not laid out so, or when
/// `stop` was set before the last rule was done.
pub(super) fn evaluate_again(
    model: &Model,
    t: Date,
    ranges: &[Range<usize>],
    results: &mut [RuleResult],
    stop: &AtomicBool,
) -> Option<Vec<usize>> {
    let mut starts = Vec::with_capacity(ranges.len());
    for range in ranges {
        let start = results.partition_point(|r| r.rule < range.start);
        let end = start + range.len();
        let theirs = results.get(start..end)?;
        let next_is_other = results.get(end).is_none_or(|r| r.rule >= range.end);
        if !next_is_other
            || theirs
                .iter()
                .zip(range.clone())
                .any(|(res, r)| res.rule != r)
        {
            return None;
        }
        starts.push(start);
    }
    let mut ev = Evaluator::new(model);
    let mut fresh = Vec::new();
    for r in ranges.iter().flat_map(Clone::clone) {
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        let mut one = crate::eval::results(&mut ev, r, t);
        match (one.pop(), one.is_empty()) {
            (Some(res), true) => fresh.push(res),
            _ => return None,
        }
    }
    let mut fresh = fresh.into_iter();
    let mut replaced = Vec::with_capacity(fresh.len());
    for (range, start) in ranges.iter().zip(starts) {
        for (k, res) in (start..start + range.len()).zip(fresh.by_ref()) {
            results[k] = res;
            replaced.push(k);
        }
    }
    Some(replaced)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(text: &str) -> Model {
        let mut sources = crate::diag::SourceMap::new();
        let id = sources.add("a.rules", text);
        let (ast, diags) = crate::lang::parser::parse_file(id, text);
        assert!(diags.is_empty(), "{diags:?}");
        let checked = crate::library::check(&[(id, &ast)], &[]);
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
        Model::build(checked.program, &crate::data::Store::default())
    }

    #[test]
    fn a_stop_yields_nothing_and_otherwise_all_as_eval_does() {
        let m = model("indicator a { when: 1 > 0 }\nindicator b { when: 1 > 2 }\n");
        let t = Date::parse_iso("2025-03-01").unwrap();
        let all = evaluate(&m, t, None, &AtomicBool::new(false)).unwrap();
        let plain = crate::eval::evaluate(&m, t);
        assert_eq!(all.len(), 2);
        assert!(all
            .iter()
            .zip(&plain)
            .all(|(a, b)| a.name == b.name && a.status == b.status));
        assert!(evaluate(&m, t, None, &AtomicBool::new(true)).is_none());
        // Reusing: the unchanged results are taken, not evaluated again.
        let again = evaluate(&m, t, Some((&m, all)), &AtomicBool::new(false)).unwrap();
        assert_eq!(again.len(), 2);
    }

    #[test]
    fn rules_evaluated_again_alone_take_their_places() {
        let t = Date::parse_iso("2025-03-01").unwrap();
        let before = model("indicator a { when: 1 > 0 }\nindicator b { when: 1 > 2 }\nindicator c { when: 3 > 2 }\n");
        let after = model("indicator a { when: 1 > 0 }\nindicator b { when: 3 > 2 }\nindicator c { when: 3 > 2 }\n");
        let go = AtomicBool::new(false);
        // The rule `b` alone.
        let b = std::slice::from_ref(&(1..2));
        let mut results = crate::eval::evaluate(&before, t);
        let replaced = evaluate_again(&after, t, b, &mut results, &go).unwrap();
        assert_eq!(replaced, [1]);
        assert_eq!(results, crate::eval::evaluate(&after, t));
        // Results not one per rule in order: left as they were.
        let mut odd = crate::eval::evaluate(&before, t);
        odd.remove(1);
        let kept = odd.clone();
        assert!(evaluate_again(&after, t, b, &mut odd, &go).is_none());
        assert_eq!(odd, kept);
        let mut results = crate::eval::evaluate(&before, t);
        assert!(evaluate_again(&after, t, b, &mut results, &AtomicBool::new(true)).is_none());
        assert_eq!(results, crate::eval::evaluate(&before, t));
    }

    #[test]
    fn many_rules_are_evaluated_in_shares_in_order() {
        let text: String = (0..2_500)
            .map(|i| format!("indicator r{i} {{ when: {i} > 1000 }}\n"))
            .collect();
        let m = model(&text);
        assert!(crate::eval::shares(&m).len() > 1 || rayon::current_num_threads() < 2);
        let t = Date::parse_iso("2025-03-01").unwrap();
        let all = evaluate(&m, t, None, &AtomicBool::new(false)).unwrap();
        assert_eq!(all, crate::eval::evaluate(&m, t));
        let again = evaluate(&m, t, Some((&m, all.clone())), &AtomicBool::new(false)).unwrap();
        assert_eq!(again, all);
        assert!(evaluate(&m, t, None, &AtomicBool::new(true)).is_none());
    }
}
