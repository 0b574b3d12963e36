//! Checking the rules of a changed file again, without checking the whole
//! ruleset: what a daemon does when one file of a large ruleset is edited.
//!
//! Only the common edit is taken this way: a file that holds indicators
//! and alerts only, none with `by:`, none read by another definition,
//! whose new version defines the same names in the same order and reads
//! only data series, `series` items and lets that lead to no rule. The
//! namespace is then the same, no other definition reads what changed,
//! and no cycle can form, so the rest of the program stands as it was.
//! Anything else (and any error) is left to the whole check, which
//! reports it as it always does.

use super::depth::{rule_refs, Depths, MAX_DEPTH, MAX_LEVELS};
use super::lower::{Interned, Lowerer};
use super::names::{Def, Defs};
use crate::diag::FileId;
use crate::lang::ast::{FieldKey, Item, RuleFile, RuleItem};
use crate::lang::functions::Signature;
use crate::lang::program::{FieldRead, Node, NodeKind, Program, RuleDef, SeriesDef};
use rustc_hash::FxHashMap;

/// What a whole check leaves for checking one file's rules again: the
/// namespace, how deep each definition stands, what was interned, and how
/// many times each series and field is read. Valid for the program it
/// came with, and for that program as [`check_again`] changes it.
#[derive(Debug)]
pub struct Kept {
    names: FxHashMap<Box<str>, Def>,
    depths: Depths,
    /// Where the rules start in `depths` (after series items and lets).
    rules_at: usize,
    lets_at: usize,
    interned: Interned,
    series_uses: Vec<u32>,
    field_uses: Vec<u32>,
}

impl Kept {
    /// What is kept of a whole check that found no error.
    pub(super) fn new(
        names: FxHashMap<Box<str>, Def>,
        depths: Depths,
        counts: (usize, usize),
        interned: Interned,
        program: &Program,
    ) -> Kept {
        let (series_items, lets) = counts;
        let mut kept = Kept {
            names,
            depths,
            lets_at: series_items,
            rules_at: series_items + lets,
            interned,
            series_uses: vec![0; program.series.len()],
            field_uses: vec![0; program.fields.len()],
        };
        for &(_, slot) in &program.named_series {
            kept.series_uses[slot] += 1;
        }
        for f in &program.fields {
            kept.series_uses[f.series] += 1;
        }
        program.walk(&mut |n| {
            kept.count(n, 1);
        });
        kept
    }

    /// Adds `by` to the uses of what `n` reads itself (not below it).
    fn count(&mut self, n: &Node, by: i32) -> bool {
        let slot = match n.kind {
            NodeKind::Series(s) => self.series_uses.get_mut(s),
            NodeKind::Field(k) => self.field_uses.get_mut(k),
            _ => return true,
        };
        let Some(slot) = slot else { return false };
        *slot = slot.saturating_add_signed(by);
        *slot > 0
    }

    /// The index in `depths` of a series item, let or rule.
    fn at(&self, def: Def) -> Option<usize> {
        match def {
            Def::Data => None,
            Def::Series(i) => Some(i),
            Def::Let(i) => Some(self.lets_at + i),
            Def::Rule(i) => Some(self.rules_at + i),
        }
    }
}

/// A namespace that outlives the rule files' syntax trees.
pub(super) fn owned(names: &FxHashMap<&str, Def>) -> FxHashMap<Box<str>, Def> {
    names.iter().map(|(&n, &d)| (Box::from(n), d)).collect()
}

/// The rules of the changed files, checked again: each file's rules (in
/// the program, from `at`), and the series and fields they added after
/// the program's.
#[derive(Debug, Default)]
pub struct Again {
    /// The first rule of each file in the program, and its new rules.
    pub rules: Vec<(usize, Vec<RuleDef>)>,
    /// Series read first by the new rules, in slots after the program's.
    pub series: Vec<SeriesDef>,
    /// Fields read first by the new rules, after the program's.
    pub fields: Vec<FieldRead>,
}

/// Checks again the rules of the files `changed` (each with its id, its
/// version in `program` and its new version), when the edit is of the
/// kind this module describes and the new rules have no error. `None`
/// when the whole ruleset must be checked instead; `kept` is then spent.
pub fn check_again(
    kept: Kept,
    program: &Program,
    changed: &[(FileId, &RuleFile, &RuleFile)],
    sigs: &[Signature],
) -> Option<(Again, Kept)> {
    let mut kept = kept;
    let mut rules: Vec<(FileId, &RuleItem)> = Vec::new();
    let mut starts = Vec::with_capacity(changed.len());
    for &(file, old, new) in changed {
        let at = same_names(program, file, old, new)?;
        for (k, item) in new.items.iter().enumerate() {
            let Item::Rule(rule) = item else { return None };
            let index = kept.at(Def::Rule(at + k))?;
            if item_by(rule) || *kept.depths.users.get(index)? > 0 {
                return None;
            }
            rules.push((file, rule));
        }
        starts.push((at, new.items.len()));
    }
    let names = resolve(&mut kept, &rules, &starts)?;
    let defs = Defs {
        series: Vec::new(),
        lets: Vec::new(),
        rules,
        feeds: Vec::new(),
        names,
        diagnostics: Vec::new(),
    };
    let interned = std::mem::take(&mut kept.interned);
    let mut lowerer = Lowerer::again(defs, sigs, program, interned);
    lowerer.run_rules();
    let (mut lowered, series, fields, interned, diags) = lowerer.finish_rules();
    if !diags.is_empty() {
        return None;
    }
    kept.interned = interned;
    kept.series_uses
        .resize(program.series.len() + series.len(), 0);
    kept.field_uses
        .resize(program.fields.len() + fields.len(), 0);
    for f in &fields {
        kept.series_uses[f.series] += 1;
    }
    let mut all_read = true;
    for r in &lowered {
        r.walk(&mut |n| all_read &= kept.count(n, 1));
    }
    for &(at, len) in &starts {
        for r in &program.rules[at..at + len] {
            // A series or field the old rules alone read would be left in
            // the program, read by nothing: the whole check drops it.
            r.walk(&mut |n| all_read &= kept.count(n, -1));
        }
    }
    if !all_read {
        return None;
    }
    let mut out = Again {
        rules: Vec::with_capacity(starts.len()),
        series,
        fields,
    };
    for &(at, len) in starts.iter().rev() {
        let tail = lowered.split_off(lowered.len() - len);
        out.rules.push((at, tail));
    }
    out.rules.reverse();
    Some((out, kept))
}

/// Where the rules of `file` start in `program`, when its old and new
/// versions are indicators and alerts alone, with the same names in the
/// same order, and the program holds them (the old version checked).
fn same_names(program: &Program, file: FileId, old: &RuleFile, new: &RuleFile) -> Option<usize> {
    fn rule_name(item: &Item) -> Option<&str> {
        match item {
            Item::Rule(r) => Some(r.name.name.as_str()),
            _ => None,
        }
    }
    if old.items.len() != new.items.len() || new.items.is_empty() {
        return None;
    }
    let at = program.rules.iter().position(|r| r.file == file)?;
    let in_program = program.rules.get(at..at + old.items.len())?;
    for ((o, n), r) in old.items.iter().zip(&new.items).zip(in_program) {
        let name = rule_name(o)?;
        if rule_name(n)? != name || r.name != name || r.file != file || r.is_grouped() {
            return None;
        }
    }
    // Nothing more of the file after them.
    let next = program.rules.get(at + old.items.len());
    next.is_none_or(|r| r.file != file).then_some(at)
}

/// True when the rule has `by:`.
fn item_by(rule: &RuleItem) -> bool {
    rule.field(FieldKey::By).is_some()
}

/// The names the rules read, resolved, when each is a data series, or a
/// series item or let that leads to no rule, and the chains they make are
/// within the limits; the depths of the rules are updated.
fn resolve<'a>(
    kept: &mut Kept,
    rules: &[(FileId, &'a RuleItem)],
    starts: &[(usize, usize)],
) -> Option<FxHashMap<&'a str, Def>> {
    let mut names: FxHashMap<&'a str, Def> = FxHashMap::default();
    let (mut refs, mut stack) = (Vec::new(), Vec::new());
    let indices = starts.iter().flat_map(|&(at, len)| at..at + len);
    let mut depths = Vec::with_capacity(rules.len());
    for (&(_, rule), r) in rules.iter().zip(indices) {
        let weight = rule_refs(rule, &mut refs, &mut stack);
        let (mut depth, mut levels) = (1, weight);
        for &name in &refs {
            let def = *kept.names.get(name)?;
            if let Some(k) = kept.at(def) {
                if matches!(def, Def::Rule(_)) || *kept.depths.reaches_rule.get(k)? {
                    return None;
                }
                depth = depth.max(1 + kept.depths.depth.get(k)?);
                levels = levels.max(weight + kept.depths.levels.get(k)?);
            }
            names.insert(name, def);
        }
        if depth > MAX_DEPTH || levels > MAX_LEVELS {
            return None;
        }
        depths.push((kept.at(Def::Rule(r))?, depth, levels));
    }
    for (k, depth, levels) in depths {
        kept.depths.depth[k] = depth;
        kept.depths.levels[k] = levels;
    }
    Some(names)
}
