//! Lowering the rules of a large ruleset in shares on every core. Series
//! items and lets are lowered first, on one thread; each share then
//! lowers its rules with a copy of what was interned so far, and the
//! shares are joined in order: the series and fields a share met first
//! are interned again in the joined tables (in the order it met them, after
//! those of the shares before it, as one thread lowering every rule in
//! order would), and its rules' nodes are renumbered to them.

use super::Lowerer;
use crate::lang::program::{Node, NodeKind, RuleDef, TemplatePiece};

/// Rules above which they are lowered in shares.
pub(super) const PARALLEL_RULES: usize = 20_000;

impl<'a> Lowerer<'a> {
    /// Lowers every rule, in `workers` shares.
    pub(super) fn lower_rules_in_shares(&mut self, workers: usize) {
        let n = self.defs.rules.len();
        let share = n.div_ceil(workers.max(1)).max(1);
        let ranges: Vec<std::ops::Range<usize>> = (0..n)
            .step_by(share)
            .map(|s| s..(s + share).min(n))
            .collect();
        let Some((first, rest)) = ranges.split_first() else {
            return;
        };
        let known = (self.series.len(), self.fields.len());
        let helpers: Vec<Lowerer<'a>> = rest.iter().map(|_| self.helper()).collect();
        let done: Vec<Lowerer<'a>> = std::thread::scope(|scope| {
            let handles: Vec<_> = rest
                .iter()
                .cloned()
                .zip(helpers)
                .map(|(range, mut l)| {
                    scope.spawn(move || {
                        for i in range {
                            l.lower_rule(i);
                        }
                        l
                    })
                })
                .collect();
            for i in first.clone() {
                self.lower_rule(i);
            }
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        for helper in done {
            self.join(helper, known);
        }
    }

    /// A lowerer for a share of the rules: the names, and what is interned
    /// and lowered so far.
    fn helper(&self) -> Lowerer<'a> {
        let mut l = Lowerer::new(self.defs.clone(), self.sigs);
        l.diags.clear();
        l.series = self.series.clone();
        l.series_keys = self.series_keys.clone();
        l.fields = self.fields.clone();
        l.field_keys = self.field_keys.clone();
        l.data_slots = self.data_slots.clone();
        l.named_series = self.named_series.clone();
        l.lets = self.lets.clone();
        l
    }

    /// Takes in a share's rules, errors and references, interning the
    /// series and fields it met first.
    fn join(&mut self, share: Lowerer<'a>, (known_series, known_fields): (usize, usize)) {
        // Each share started with the series and fields of the series items
        // and lets, the same here; those after them are renumbered.
        let mut series: Vec<usize> = (0..known_series).collect();
        for def in share.series.into_iter().skip(known_series) {
            // Interned as the share finished it (labelled by its first use).
            series.push(self.intern_series_as(def, |_| {}));
        }
        let mut fields: Vec<usize> = (0..known_fields).collect();
        for mut read in share.fields.into_iter().skip(known_fields) {
            read.series = series[read.series];
            let key = (read.series, read.field.name.to_lowercase());
            let k = match self.field_keys.get(&key) {
                Some(&k) => k,
                None => {
                    self.fields.push(read);
                    self.field_keys.insert(key, self.fields.len() - 1);
                    self.fields.len() - 1
                }
            };
            fields.push(k);
        }
        for mut rule in share.rules {
            renumber_rule(&mut rule, &series, &fields);
            self.rules.push(rule);
        }
        self.diags.extend(share.diags);
        self.edges.extend(share.edges);
    }
}

/// Renumbers the series and fields `rule`'s nodes read.
fn renumber_rule(rule: &mut RuleDef, series: &[usize], fields: &[usize]) {
    renumber(&mut rule.when, series, fields);
    for pieces in [&mut rule.summary, &mut rule.description]
        .into_iter()
        .flatten()
    {
        for piece in pieces {
            if let TemplatePiece::Hole(n) = piece {
                renumber(n, series, fields);
            }
        }
    }
}

/// Renumbers the series and fields below `n`. Expressions are at most 256
/// levels deep (E016), so the recursion is bounded.
fn renumber(n: &mut Node, series: &[usize], fields: &[usize]) {
    match &mut n.kind {
        NodeKind::Series(s) => *s = series.get(*s).copied().unwrap_or(*s),
        NodeKind::Field(k) => *k = fields.get(*k).copied().unwrap_or(*k),
        NodeKind::Unary(_, a) => renumber(a, series, fields),
        NodeKind::Binary(_, a, b) => {
            renumber(a, series, fields);
            renumber(b, series, fields);
        }
        NodeKind::Call(_, args) => args.iter_mut().for_each(|a| renumber(a, series, fields)),
        NodeKind::Weighted(pairs) => pairs.iter_mut().for_each(|(a, b)| {
            renumber(a, series, fields);
            renumber(b, series, fields);
        }),
        NodeKind::Const(_)
        | NodeKind::Now
        | NodeKind::Let(_)
        | NodeKind::Rule(_)
        | NodeKind::Invalid => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::names;
    use super::*;
    use crate::diag::FileId;
    use crate::lang::functions::TEST_SIGS as SIGS;
    use crate::lang::parser::parse_file;
    use crate::lang::program::Program;

    fn lowered(text: &str, workers: usize) -> (Program, Vec<String>, usize) {
        let (file, diags) = parse_file(FileId(0), text);
        assert!(diags.is_empty(), "{diags:?}");
        let files = [(FileId(0), &file)];
        let defs = names::collect(&files, &["events", "gauge"]);
        let mut l = Lowerer::new(defs, SIGS);
        for i in 0..l.named_series.len() {
            l.named_series_slot(i);
        }
        for i in 0..l.lets.len() {
            l.lower_let(i);
        }
        l.lower_rules(workers);
        l.report_cycles();
        let edges = l.edges.values().map(Vec::len).sum();
        let (program, diags, _) = l.finish_keeping();
        let diags = diags.iter().map(|d| format!("{d:?}")).collect();
        (program, diags, edges)
    }

    #[test]
    fn rules_lowered_in_shares_are_those_lowered_in_order() {
        // Series met first in each share, met again in others, fields of
        // them, rules reading rules across shares, a cycle and errors.
        let mut text = String::from(
            "let limit = 3\nseries north = events[region == \"North\"]\n\
             indicator cycle_a { when: cycle_b }\nindicator cycle_b { when: cycle_a }\n",
        );
        for i in 0..PARALLEL_RULES + 700 {
            let read = match i % 9 {
                0 => format!("count(events[region == \"R{}\"], 30d) > limit", i % 41),
                1 => format!("field(events[kind == \"K{}\"], who) > 1", i % 13),
                2 => format!("count(north, 7d) > {i}"),
                3 if i > 3 => format!(
                    "r{} and count(gauge, 1d) > 0",
                    i * 7 % (PARALLEL_RULES + 700)
                ),
                4 => format!("count(unknown{}, 1d) > 0", i % 5),
                5 => "count(events, 1d) + \"text\" > 0".to_string(),
                _ => format!("count(events[actor == \"A{}\"], 1d) >= {}", i % 997, i % 4),
            };
            text +=
                &format!("indicator r{i} {{ when: {read} summary: \"{{count(gauge, 2d)}}\" }}\n");
        }
        let (one, one_diags, one_edges) = lowered(&text, 1);
        for workers in [2, 3, 8] {
            let (many, diags, edges) = lowered(&text, workers);
            assert!(many.series.len() > 1000 && many.fields.len() > 10);
            assert_eq!(many, one, "{workers} shares");
            assert_eq!(diags, one_diags, "{workers} shares");
            assert_eq!(edges, one_edges);
        }
        assert!(one_diags.len() > 4000, "{}", one_diags.len());
    }
}
