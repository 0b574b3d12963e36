//! Putting the rules of a file checked again into a model in place, with
//! the series they read first, instead of building the model again: what
//! the daemon does when one file of a large ruleset is edited.

use super::model::{field_column, materialise, Model};
use super::repeats::{may_warn, summed};
use crate::data::Store;
use crate::lang::check::Again;
use std::ops::Range;
use std::sync::Arc;

impl Model {
    /// Replaces the rules `again` holds (from the same data), building
    /// only the series and fields they read first. Returns the indices of
    /// the rules replaced, which alone may evaluate differently (nothing
    /// else reads them). `None`, with the model unchanged, when the model
    /// must be built whole instead: a new series or field would bring a
    /// warning, or reads a data series the model does not, or the old or
    /// new rules read a series whose repeated dates may call for one.
    pub fn splice(&mut self, again: Again, store: &Store) -> Option<Vec<Range<usize>>> {
        let base = self.program.series.len();
        let mut warnings = Vec::new();
        let mut built = Vec::with_capacity(again.series.len());
        let mut data_of = Vec::with_capacity(again.series.len());
        for def in &again.series {
            let (timeline, origin) = materialise(def, store, &mut warnings);
            let k = self
                .data
                .binary_search_by(|d| d.series.as_str().cmp(def.root.as_str()))
                .ok()?;
            if !warnings.is_empty() || may_warn(def, &timeline, store) {
                return None;
            }
            built.push((Arc::new(timeline), Arc::new(origin)));
            data_of.push(k);
        }
        let series = |slot: usize| match slot.checked_sub(base) {
            Some(k) => again.series.get(k).zip(built.get(k).map(|b| &*b.0)),
            None => self
                .program
                .series
                .get(slot)
                .zip(self.timelines.get(slot).map(|t| &**t)),
        };
        let mut summed_repeats = false;
        let olds = again
            .rules
            .iter()
            .flat_map(|(at, rules)| self.program.rules.get(*at..at + rules.len()))
            .flatten();
        for rule in again.rules.iter().flat_map(|(_, r)| r).chain(olds) {
            rule.walk(&mut |n| {
                if let Some(s) = summed(n) {
                    summed_repeats |= series(s).is_none_or(|(d, t)| may_warn(d, t, store));
                }
            });
        }
        if summed_repeats {
            return None;
        }
        let mut columns = Vec::with_capacity(again.fields.len());
        for read in &again.fields {
            let (def, timeline) = series(read.series)?;
            let origin = match read.series.checked_sub(base) {
                Some(k) => &built.get(k)?.1,
                None => self.origins.get(read.series)?,
            };
            columns.push(Arc::new(field_column(
                read,
                def,
                timeline,
                origin,
                store,
                &mut warnings,
            )));
            if !warnings.is_empty() {
                return None;
            }
        }
        let rules = self.program.rules.len();
        if again.rules.iter().any(|(at, r)| at + r.len() > rules) {
            return None;
        }
        let mut replaced = Vec::with_capacity(again.rules.len());
        for (at, rules) in again.rules {
            let range = at..at + rules.len();
            for (slot, rule) in self.program.rules[range.clone()].iter_mut().zip(rules) {
                *slot = rule;
            }
            replaced.push(range);
        }
        self.program.series.extend(again.series);
        self.program.fields.extend(again.fields);
        for (timeline, origin) in built {
            self.timelines.push(timeline);
            self.origins.push(origin);
        }
        self.data_of.extend(data_of);
        self.fields.extend(columns);
        Some(replaced)
    }
}
