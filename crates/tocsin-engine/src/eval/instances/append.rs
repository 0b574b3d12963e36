//! The instances after rows were appended to data series: each new
//! observation of a narrowed series joins the timeline of the instance
//! its `by` fields name; the other instances' timelines are shared.

use super::{blank, Instances, NONE};
use crate::data::Store;
use crate::eval::model::Origin;
use crate::eval::timeline::Timeline;
use crate::lang::program::Program;
use crate::time::Date;
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

/// The new observations of one instance in one series: dates, values and
/// their rows in the data series.
#[derive(Default)]
struct Added {
    dates: Vec<Date>,
    values: Vec<f64>,
    rows: Vec<u32>,
}

/// The series of a program after rows were appended to data series.
pub(in crate::eval) struct Appended<'a> {
    /// Every series' timeline, and where its observations come from.
    pub timelines: &'a [Arc<Timeline>],
    pub origins: &'a [Arc<Origin>],
    /// Whether each series gained observations, and how many it had.
    pub changed: &'a [bool],
    pub before: &'a [usize],
    /// The data series that gained rows, with their rows before.
    pub rows: &'a crate::eval::Grown,
}

impl Instances {
    /// These instances over the series `appended` holds, those of the same
    /// program after rows were appended. `None` when a new row names an
    /// instance there was none of (or one that a rule of its group had not
    /// met), or a narrowed field would need its column split again: the
    /// instances are then found whole.
    pub(in crate::eval) fn after_append(
        &self,
        program: &Program,
        store: &Store,
        appended: &Appended,
    ) -> Option<Instances> {
        let Appended {
            timelines,
            origins,
            changed,
            before,
            rows: grown_rows,
        } = *appended;
        let mut groups = self.groups.clone();
        for (g, group) in groups.iter_mut().enumerate() {
            let narrowed = |s: usize| group.pos.get(s).is_some_and(|&p| p != NONE);
            let grown: Vec<usize> = (0..changed.len())
                .filter(|&s| changed[s] && narrowed(s))
                .collect();
            let searched = group.roots.iter().any(|root| {
                store
                    .get(root)
                    .is_some_and(|id| grown_rows.contains_key(&id))
            });
            if grown.is_empty() && !searched {
                continue;
            }
            let fields_grow = program
                .fields
                .iter()
                .enumerate()
                .any(|(k, read)| changed[read.series] && group.field_pos[k] != NONE);
            if fields_grow {
                return None;
            }
            let index: HashMap<Vec<&str>, u32> = group
                .labels
                .iter()
                .enumerate()
                .map(|(i, l)| (l.iter().map(|v| &**v).collect(), i as u32))
                .collect();
            // The first new date of each instance that new rows name: the
            // rows of every data series searched for instances, whether or
            // not a series of the group keeps them (a row filtered out
            // still names its instance; a series may be reached only
            // through a rule without `by:`).
            let mut met: Vec<Option<Date>> = vec![None; group.labels.len()];
            for root in &group.roots {
                let Some(id) = store.get(root) else {
                    continue;
                };
                let Some(&from) = grown_rows.get(&id) else {
                    continue;
                };
                let series = store.series(id);
                let cols: Vec<usize> = group
                    .key
                    .iter()
                    .map(|f| series.fields.column(f))
                    .collect::<Option<_>>()?;
                let mut key: Vec<&str> = Vec::with_capacity(cols.len());
                for row in from..series.len() {
                    key.clear();
                    key.extend(cols.iter().map(|&c| series.fields.get(c, row)));
                    if key.iter().any(|v| blank(v)) {
                        continue;
                    }
                    let i = *index.get(&key)?;
                    let date = series.dates[row];
                    let first = &mut met[i as usize];
                    *first = Some(first.map_or(date, |d| d.min(date)));
                }
            }
            for s in grown {
                let series = store.series(store.get(&program.series[s].root)?);
                let cols: Vec<usize> = group
                    .key
                    .iter()
                    .map(|f| series.fields.column(f))
                    .collect::<Option<_>>()?;
                let (tl, origin) = (&timelines[s], &origins[s]);
                let mut added: HashMap<u32, Added> = HashMap::default();
                let mut key: Vec<&str> = Vec::with_capacity(cols.len());
                for j in before[s]..tl.len() {
                    let row = origin.row(j)?;
                    key.clear();
                    key.extend(cols.iter().map(|&c| series.fields.get(c, row)));
                    if key.iter().any(|v| blank(v)) {
                        continue;
                    }
                    let i = *index.get(&key)?;
                    let first = &mut met[i as usize];
                    *first = Some(first.map_or(tl.dates()[j], |d| d.min(tl.dates()[j])));
                    let a = added.entry(i).or_default();
                    a.dates.push(tl.dates()[j]);
                    a.values.push(tl.values()[j]);
                    a.rows.push(row as u32);
                }
                let p = group.pos[s] as usize;
                for (i, a) in added {
                    let i = i as usize;
                    let old = &group.timelines[p][i];
                    group.timelines[p][i] = Arc::new(old.appended(&a.dates, &a.values));
                    let rows = group.origins[p][i].rows.as_ref()?.extended(&a.rows);
                    group.origins[p][i] = Arc::new(Origin {
                        series: group.origins[p][i].series,
                        rows: Some(rows),
                        bucketed: false,
                    });
                }
            }
            // Every instance a new row names must already be one of each
            // rule of the group, first met no later.
            for a in self.rules.iter().flatten().filter(|a| a.group == g) {
                let mut known: Vec<Option<Date>> = vec![None; group.labels.len()];
                for &(d, i) in &a.by_date {
                    known[i as usize] = Some(d);
                }
                let later = |(m, k): (&Option<Date>, &Option<Date>)| match (m, k) {
                    (Some(_), None) => true,
                    (Some(m), Some(k)) => m < k,
                    (None, _) => false,
                };
                if met.iter().zip(&known).any(later) {
                    return None;
                }
            }
        }
        Some(Instances {
            groups,
            rules: self.rules.clone(),
            base: self.base.clone(),
        })
    }
}
