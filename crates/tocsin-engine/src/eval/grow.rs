//! The model after rows were appended to data series (a feed's file that
//! gained lines at its end): only the series built on those data series
//! take the new rows, and within a breakdown only the instances the rows
//! belong to; every other timeline is the old model's, shared. Where the
//! new rows could change more than that (a new instance, a calendar
//! bucket, a warning that counts rows), nothing is built and the caller
//! builds the model whole.

use super::model::{data_series, field_column, select_from, Model, Origin, PARALLEL_OBSERVATIONS};
use super::timeline::Timeline;
use crate::data::{SeriesId, Store};
use crate::diag::Code;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// The data series that gained rows at their end, each with its number
/// of rows before.
pub type Grown = FxHashMap<SeriesId, usize>;

/// A series after the append: its timeline, its origin, and whether it
/// grew.
type Grew = (Arc<Timeline>, Arc<Origin>, bool);

/// Warnings whose text a few more rows would change (they count rows, or
/// name texts no row has): a model holding one is built whole.
const COUNTING: [Code; 3] = [
    Code::ProjectionSkipped,
    Code::FilterValueAbsent,
    Code::TooManyInstances,
];

impl Model {
    /// The model of `store`, which is the store this model was built from
    /// with rows appended to the data series of `grown` (their order kept,
    /// the new rows last): what [`Model::build`] gives, built from this
    /// one. `None` where that cannot be done by adding rows (see the
    /// module documentation).
    pub fn after_append(&self, store: &Store, grown: &Grown) -> Option<Model> {
        if self.warnings.iter().any(|d| COUNTING.contains(&d.code)) {
            return None;
        }
        let program = self.program.clone();
        // Each series grows on its own: on large data, on every core.
        let grow = |(s, def): (usize, &crate::lang::program::SeriesDef)| -> Option<Grew> {
            let (old_t, old_o) = (&self.timelines[s], &self.origins[s]);
            let grew = store
                .get(&def.root)
                .and_then(|id| Some((id, *grown.get(&id)?)));
            let Some((id, before)) = grew else {
                return Some((Arc::clone(old_t), Arc::clone(old_o), false));
            };
            if def.is_bucketed() || old_o.series != Some(id) || old_o.bucketed {
                return None;
            }
            let series = store.series(id);
            if def.steps.is_empty() {
                if old_t.len() != before || old_o.rows.is_some() {
                    return None;
                }
                let dates = Arc::clone(&series.dates);
                let t = old_t.extended(dates, Arc::clone(&series.values));
                return Some((Arc::new(t), Arc::clone(old_o), true));
            }
            let mut warnings = Vec::new();
            let (rows, values) = select_from(def, series, before, &mut warnings);
            if !warnings.is_empty() {
                return None;
            }
            let every_row = old_o.rows.is_none();
            if every_row && old_t.len() != before {
                return None;
            }
            if every_row && rows.len() == series.len() - before {
                // Still every row of the data series: its dates, shared.
                let mut all = Vec::with_capacity(old_t.len() + values.len());
                all.extend_from_slice(old_t.values());
                all.extend_from_slice(&values);
                let values = super::timeline::held(all);
                let t = old_t.extended(Arc::clone(&series.dates), values);
                return Some((Arc::new(t), Arc::clone(old_o), true));
            }
            let dates: Vec<_> = rows.iter().map(|&r| series.dates[r as usize]).collect();
            let t = old_t.appended(&dates, &values);
            let mut all = Vec::with_capacity(old_t.len() + rows.len());
            match &old_o.rows {
                Some(old) => all.extend(old.iter()),
                None => all.extend(0..before as u32),
            }
            all.extend_from_slice(&rows);
            let o = Origin {
                series: Some(id),
                rows: Some(super::rows::Rows::from(all)),
                bucketed: false,
            };
            Some((Arc::new(t), Arc::new(o), true))
        };
        let defs = program.series.iter().enumerate();
        let grew: Vec<Grew> = if store.observations() >= PARALLEL_OBSERVATIONS {
            defs.collect::<Vec<_>>()
                .into_par_iter()
                .map(grow)
                .collect::<Option<_>>()?
        } else {
            defs.map(grow).collect::<Option<_>>()?
        };
        let mut timelines = Vec::with_capacity(grew.len());
        let mut origins = Vec::with_capacity(grew.len());
        let mut changed = Vec::with_capacity(grew.len());
        for (t, o, c) in grew {
            timelines.push(t);
            origins.push(o);
            changed.push(c);
        }
        let mut scratch = Vec::new();
        // The columns of the grown series are built again; their warnings
        // (a field no row has) are the ones given already.
        let fields = program
            .fields
            .iter()
            .enumerate()
            .map(|(k, read)| {
                let s = read.series;
                if !changed[s] {
                    return Arc::clone(&self.fields[k]);
                }
                let def = &program.series[s];
                let column =
                    field_column(read, def, &timelines[s], &origins[s], store, &mut scratch);
                Arc::new(column)
            })
            .collect();
        let before: Vec<usize> = self.timelines.iter().map(|t| t.len()).collect();
        let appended = super::instances::Appended {
            timelines: &timelines,
            origins: &origins,
            changed: &changed,
            before: &before,
            rows: grown,
        };
        let instances = self.instances.after_append(&program, store, &appended)?;
        let (stepped, repeated) = self.warning_parts;
        let repeats = super::repeats::warnings(&program, &timelines, store);
        let mut warnings = self.warnings[..stepped].to_vec();
        let warning_parts = (stepped, repeats.len());
        warnings.extend(repeats);
        warnings.extend_from_slice(&self.warnings[stepped + repeated..]);
        let (data, data_of) = data_series(&program, store);
        Some(Model {
            program,
            timelines,
            origins,
            fields,
            warnings,
            data,
            data_of,
            instances,
            warning_parts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::evaluate;
    use crate::eval::reuse::{evaluate_reusing, unchanged, Sameness};
    use crate::time::Date;
    use crate::workspace::{load, Contents, SourceFile, Workspace};

    const RULES: &str = "\
indicator busy { by: region when: count(events, 7d) >= 2 }
indicator riots { by: region when: count(events[kind == \"riot\"], 7d) >= 1 }
indicator deadly { by: region, kind when: sum(events.deaths, 30d) > 3 }
indicator mean { by: region when: avg(events.deaths, 30d) > 1 and not busy }
indicator total { when: sum(events.deaths, 30d) > 5 }
alert any_busy { severity: warning when: any(busy) and count_true(riots) >= 1 }
indicator placed { when: count(events[region != \"\"], 7d) >= 1 }
";

    fn ws(rules: &str, rows: &[&str]) -> Workspace {
        let file = |name: &str, text: String| SourceFile {
            name: name.into(),
            contents: Contents::Text(text),
        };
        let data = format!("date,region,kind,deaths\n{}", rows.concat());
        load(
            &[file("rules/a.rules", rules.into())],
            &[file("indicators/events.csv", data)],
        )
    }

    /// Every instance appears in the first six rows.
    const ROWS: [&str; 11] = [
        "2025-03-01,North,riot,1\n",
        "2025-03-01,South,march,0\n",
        "2025-03-02,North,march,2\n",
        "2025-03-02,East,riot,4\n",
        "2025-03-03,South,riot,3\n",
        "2025-03-03,East,march,1\n",
        "2025-03-04,North,riot,0\n",
        "2025-03-06,,riot,9\n",
        "2025-03-08,South,riot,3\n",
        "2025-03-09,North,riot,5\n",
        "2025-03-09,East,march,2\n",
    ];

    /// Every result at every date of March, and every timeline.
    fn seen(m: &Model) -> String {
        let mut out = format!("{:?}\n", m.warnings);
        for t in m
            .timelines
            .iter()
            .chain(m.instances.groups.iter().flat_map(|g| g.all_timelines()))
        {
            out += &format!("{:?} {:?}\n", t.dates(), t.values());
        }
        for day in 1..=31 {
            let t = Date::parse_iso(&format!("2025-03-{day:02}")).unwrap();
            out += &format!("{:?}\n", evaluate(m, t));
        }
        out
    }

    /// An appended row whose region is spaces only names no instance, as
    /// in a whole build: the model still grows.
    #[test]
    fn an_appended_row_of_a_blank_region_grows_the_model() {
        let mut rows = ROWS[..6].to_vec();
        rows.push("2025-03-07,   ,riot,9\n");
        let whole = ws(RULES, &rows);
        let head = ws(RULES, &ROWS[..6]);
        let old = head.model.as_ref().expect("a model");
        let id = whole.store.get("events").unwrap();
        let grown: Grown = [(id, 6)].into_iter().collect();
        let grown = old.after_append(&whole.store, &grown).expect("grown");
        assert_eq!(seen(&grown), seen(whole.model.as_ref().unwrap()));
    }

    #[test]
    fn a_model_grown_by_appended_rows_is_the_model_built_whole() {
        let whole = ws(RULES, &ROWS);
        let want = seen(whole.model.as_ref().expect("a model"));
        // Cut after every row whose instances are all known by then.
        for cut in 6..ROWS.len() {
            let head = ws(RULES, &ROWS[..cut]);
            let old = head.model.as_ref().expect("a model");
            let id = whole.store.get("events").unwrap();
            let grown: Grown = [(id, cut)].into_iter().collect();
            let grown = old.after_append(&whole.store, &grown).expect("grown");
            assert_eq!(seen(&grown), want, "cut at {cut}");
            // A series keeping every row of its data series holds no rows
            // of its own, before and after, as a whole build has it; one
            // that left out a row from the eighth on, the rows it keeps.
            let rows_of = |m: &Model, label: &str| {
                let s = m.program.series.iter().position(|d| d.label == label);
                m.origins[s.expect(label)]
                    .rows
                    .as_ref()
                    .map(super::super::rows::Rows::len)
            };
            assert_eq!(rows_of(old, "events.deaths"), None);
            assert_eq!(rows_of(&grown, "events.deaths"), None);
            let placed = rows_of(whole.model.as_ref().unwrap(), "events[region != \"\"]");
            assert_eq!(placed, Some(ROWS.len() - 1));
            assert_eq!(
                rows_of(old, "events[region != \"\"]"),
                (cut > 7).then_some(cut - 1)
            );
            assert_eq!(
                rows_of(&grown, "events[region != \"\"]"),
                placed,
                "cut at {cut}"
            );
            // Results taken from the old model where an instance's series
            // did not change are the ones evaluated again.
            for day in 1..=31 {
                let t = Date::parse_iso(&format!("2025-03-{day:02}")).unwrap();
                let reused = evaluate_reusing(&grown, t, old, evaluate(old, t));
                assert_eq!(reused, evaluate(&grown, t), "cut at {cut}, {t}");
            }
            let same = unchanged(&grown, old);
            let kept = |r: usize| match &same[r] {
                Sameness::Instances(k) => k.iter().filter(|&&k| k).count(),
                Sameness::Whole => usize::MAX,
                Sameness::Changed => 0,
            };
            // `busy` keeps the instances no new row is of; `any_busy`
            // counts every instance, so it is evaluated again.
            // New rows from row 8 on: South, North, East in turn.
            assert_eq!(
                (kept(0), kept(5)),
                (cut.saturating_sub(8), 0),
                "cut at {cut}"
            );
            // Instances no new row names keep their timelines.
            let g = &old.instances.groups[0];
            let south = g.labels.iter().position(|l| &*l[0] == "South").unwrap();
            let slot = (0..old.program.series.len())
                .find(|&s| g.series(s, south).is_some())
                .unwrap();
            let new = grown.instances.groups[0].series(slot, south).unwrap().0;
            assert_eq!(
                Arc::ptr_eq(g.series(slot, south).unwrap().0, new),
                cut > 8,
                "cut at {cut}"
            );
        }
        // A row of an instance not known before: built whole instead.
        let head = ws(RULES, &ROWS[..3]);
        let id = whole.store.get("events").unwrap();
        let grown: Grown = [(id, 3)].into_iter().collect();
        assert!(head
            .model
            .unwrap()
            .after_append(&whole.store, &grown)
            .is_none());
        // A calendar bucket over the grown series, too.
        let bucketed = "indicator weekly { when: max(weekly(events, sum), 30d) > 1 }\n";
        let head = ws(bucketed, &ROWS[..6]);
        let grown: Grown = [(id, 6)].into_iter().collect();
        assert!(head
            .model
            .unwrap()
            .after_append(&whole.store, &grown)
            .is_none());
    }
}
#[cfg(test)]
mod unseen {
    use super::*;
    use crate::eval::evaluate;
    use crate::workspace::{load, Contents, SourceFile};

    /// A new row that names a new instance is seen though no series of its
    /// group keeps it (filtered out, or read only through a rule without
    /// `by:`): the model is built whole, as it must be to have the
    /// instance.
    #[test]
    fn a_new_instance_in_rows_no_series_keeps_builds_the_model_whole() {
        let f = |name: &str, text: String| SourceFile {
            name: name.into(),
            contents: Contents::Text(text),
        };
        let rows = [
            "2025-03-01,North,riot\n",
            "2025-03-02,South,riot\n",
            "2025-03-03,West,march\n",
        ];
        for rules in [
            "indicator riots { by: region when: count(events[kind == \"riot\"], 7d) >= 1 }\n",
            "indicator busy { when: count(events, 7d) >= 1 }\nindicator through { by: region when: busy }\n",
        ] {
            let ws = |n: usize| {
                let data = format!("date,region,kind\n{}", rows[..n].concat());
                load(
                    &[f("rules/a.rules", rules.into())],
                    &[f("indicators/events.csv", data)],
                )
            };
            let (whole, head) = (ws(3), ws(2));
            let id = whole.store.get("events").unwrap();
            let grown: Grown = [(id, 2)].into_iter().collect();
            let t = crate::time::Date::parse_iso("2025-03-05").unwrap();
            let want = evaluate(whole.model.as_ref().unwrap(), t);
            assert_eq!(want.iter().filter(|r| r.display_name().contains("West")).count(), 1);
            let after = head.model.as_ref().unwrap().after_append(&whole.store, &grown);
            assert!(after.is_none(), "{rules}");
        }
    }
}
