//! A program bound to data: every series the rules use, filtered and
//! projected once per load and indexed for window queries.

use super::absent::TextTest;
use super::fields::FieldColumn;
use super::timeline::Timeline;
use crate::data::{Fields, Series, Store};
use crate::diag::{did_you_mean, Code, Diagnostic};
use crate::lang::ast::{FieldRef, FieldTest};
use crate::lang::program::{FieldRead, Program, SeriesDef, Step};
use crate::time::{Date, Duration};
use std::collections::HashMap;
use std::sync::Arc;

/// A checked program and the series it reads.
#[derive(Debug)]
pub struct Model {
    /// The rules.
    pub program: Program,
    /// One timeline per entry of `program.series`.
    pub timelines: Vec<Arc<Timeline>>,
    /// Where each timeline's observations come from: the data series and,
    /// for a derived series, the row of each observation in it (`None`
    /// when the rows are the data series' own, one for one).
    pub origins: Vec<Arc<Origin>>,
    /// One column per entry of `program.fields`: the field's text on each
    /// observation of its timeline.
    pub fields: Vec<Arc<FieldColumn>>,
    /// Warnings about the data as the rules read it (unknown filter fields,
    /// observations left out of projections).
    pub warnings: Vec<Diagnostic>,
    /// Every data series a rule reads, by name: its dates and its feed's
    /// `stale_after`.
    pub data: Vec<Arc<Staleness>>,
    /// For each entry of `program.series`, its data series in `data`.
    pub data_of: Vec<usize>,
    /// The instances of the rules with `by:`, and their series.
    pub instances: super::instances::Instances,
    /// How many of `warnings` are about the series' steps, and how many
    /// then about repeated dates (the rest are about fields and instances).
    pub(super) warning_parts: (usize, usize),
}

/// A data series that rules read: how fresh it is, and when it, and every
/// series derived from it, is stale.
#[derive(Debug)]
pub struct Staleness {
    /// The data series.
    pub series: String,
    /// From its feed: stale at `T` with no observation in `(T - after, T]`.
    pub after: Option<Duration>,
    /// The data series' dates, ascending (empty when no file gives it).
    dates: Arc<Vec<Date>>,
}

impl Staleness {
    /// The date of the data series' newest observation dated `<= t`.
    pub fn newest(&self, t: Date) -> Option<Date> {
        let k = self.dates.partition_point(|d| *d <= t);
        k.checked_sub(1).map(|i| self.dates[i])
    }

    /// True when the feed declares `stale_after` and the data series has
    /// no observation in `(t - after, t]`.
    pub fn is_stale(&self, t: Date) -> bool {
        let Some(after) = self.after else {
            return false;
        };
        match (self.newest(t), t.minus(after)) {
            (None, _) => true,
            (Some(newest), Some(start)) => newest <= start,
            // The window reaches back past the calendar: nothing is older.
            (Some(_), None) => false,
        }
    }

    /// Why a value over the series is unknown at `t`, when it is stale.
    pub fn reason(&self, t: Date) -> Option<String> {
        let after = self.after.filter(|_| self.is_stale(t))?;
        Some(match self.newest(t) {
            Some(n) => format!(
                "stale: newest observation of `{}` {n}, more than {} before {t}",
                self.series, after
            ),
            None => format!(
                "stale: `{}` has no observation on or before {t} (stale after {})",
                self.series, after
            ),
        })
    }
}

/// Observations in the store from which series are built (and split by
/// instance) on every core: below, the threads cost more than they save.
pub(super) const PARALLEL_OBSERVATIONS: usize = 1 << 18;

impl Model {
    /// Materialises every series of `program` from `store`.
    pub fn build(program: Program, store: &Store) -> Model {
        Model::build_reusing(program, store, None)
    }

    /// Like [`Model::build`], but takes the series of `previous` (built
    /// from the same store) instead of materialising them again: after a
    /// change to rule files only, just the new series are built.
    pub fn build_reusing(program: Program, store: &Store, previous: Option<&Model>) -> Model {
        let known: HashMap<String, usize> = previous
            .map(|m| {
                m.program
                    .series
                    .iter()
                    .enumerate()
                    .map(|(i, d)| (d.key(), i))
                    .collect()
            })
            .unwrap_or_default();
        let build = |defs: &[SeriesDef]| -> Vec<Built> {
            defs.iter()
                .map(|def| match (previous, known.get(&def.key())) {
                    (Some(prev), Some(&i)) => (
                        Arc::clone(&prev.timelines[i]),
                        Arc::clone(&prev.origins[i]),
                        Vec::new(),
                    ),
                    _ => {
                        let mut warnings = Vec::new();
                        let (t, o) = materialise(def, store, &mut warnings);
                        (Arc::new(t), Arc::new(o), warnings)
                    }
                })
                .collect()
        };
        let defs = &program.series;
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        // Series are independent: on large data they are built on every
        // core, in contiguous shares so that the order (and that of the
        // warnings) is kept. Small data is not worth the threads.
        let built: Vec<Built> =
            if workers < 2 || defs.len() < 2 || store.observations() < PARALLEL_OBSERVATIONS {
                build(defs)
            } else {
                let share = defs.len().div_ceil(workers);
                std::thread::scope(|scope| {
                    let handles: Vec<_> = defs
                        .chunks(share)
                        .map(|chunk| (chunk, scope.spawn(move || build(chunk))))
                        .collect();
                    handles
                        .into_iter()
                        // A worker that panicked (it cannot, short of memory)
                        // leaves its share to this thread.
                        .flat_map(|(chunk, h)| h.join().unwrap_or_else(|_| build(chunk)))
                        .collect()
                })
            };
        let mut warnings = Vec::new();
        let mut timelines = Vec::with_capacity(built.len());
        let mut origins = Vec::with_capacity(built.len());
        for (t, o, w) in built {
            timelines.push(t);
            origins.push(o);
            // A series derived from another repeats its steps, and would
            // repeat their warnings: one finding (code, message, place) is
            // said once, naming the first series that has it.
            for d in w {
                if !warnings.iter().any(|known| same_finding(known, &d)) {
                    warnings.push(d);
                }
            }
        }
        let (data, data_of) = data_series(&program, store);
        let stepped = warnings.len();
        warnings.extend(super::repeats::warnings(&program, &timelines, store));
        let warning_parts = (stepped, warnings.len() - stepped);
        let fields = program
            .fields
            .iter()
            .map(|read| {
                let s = read.series;
                let (def, timeline, origin) = (&program.series[s], &timelines[s], &origins[s]);
                Arc::new(field_column(
                    read,
                    def,
                    timeline,
                    origin,
                    store,
                    &mut warnings,
                ))
            })
            .collect::<Vec<_>>();
        let instances = super::instances::Instances::build(
            &program,
            store,
            &timelines,
            &origins,
            &fields,
            &mut warnings,
        );
        Model {
            program,
            timelines,
            origins,
            fields,
            warnings,
            data,
            data_of,
            instances,
            warning_parts,
        }
    }

    /// Why a function over series `slot` is unknown at `t`, when its data
    /// series is stale then.
    pub fn stale_reason(&self, slot: usize, t: Date) -> Option<String> {
        self.data.get(*self.data_of.get(slot)?)?.reason(t)
    }

    /// The `stale_after` of the feed of the data series under series
    /// `slot`, if any.
    pub fn stale_after(&self, slot: usize) -> Option<Duration> {
        self.data.get(*self.data_of.get(slot)?)?.after
    }

    /// True when the data series under series `slot` is stale at `t`.
    pub fn is_stale(&self, slot: usize, t: Date) -> bool {
        self.data_of
            .get(slot)
            .and_then(|&k| self.data.get(k))
            .is_some_and(|s| s.is_stale(t))
    }
}

/// Whether two warnings say the same of the same place (their labels'
/// texts aside, which name the series read).
fn same_finding(a: &Diagnostic, b: &Diagnostic) -> bool {
    let place = |d: &Diagnostic| d.labels.first().map(|l| l.span);
    a.code == b.code && a.message == b.message && place(a) == place(b)
}

/// The data series under the series of `program`, sorted by name, and for
/// each series its data series' position among them.
pub(super) fn data_series(program: &Program, store: &Store) -> (Vec<Arc<Staleness>>, Vec<usize>) {
    let mut names: Vec<&str> = program.series.iter().map(|d| d.root.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let data = names
        .iter()
        .map(|&name| {
            Arc::new(Staleness {
                series: name.to_string(),
                after: program.feed(name).and_then(|f| f.stale_after),
                dates: store
                    .get(name)
                    .map(|id| Arc::clone(&store.series(id).dates))
                    .unwrap_or_default(),
            })
        })
        .collect();
    let data_of = program
        .series
        .iter()
        .map(|d| names.binary_search(&d.root.as_str()).unwrap_or(0))
        .collect();
    (data, data_of)
}

/// A materialised series: its timeline, its origin and the warnings about
/// it.
type Built = (Arc<Timeline>, Arc<Origin>, Vec<Diagnostic>);

/// The data behind a timeline.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    /// The data series, if it exists.
    pub series: Option<crate::data::SeriesId>,
    /// Row in the data series of each observation; `None` for all rows.
    pub rows: Option<super::rows::Rows>,
    /// Calendar buckets: an observation stands for no one row.
    pub bucketed: bool,
}

impl Origin {
    /// The data series' row of observation `i` of the timeline; `None`
    /// for a bucket.
    pub fn row(&self, i: usize) -> Option<usize> {
        if self.bucketed {
            return None;
        }
        match &self.rows {
            None => Some(i),
            Some(rows) => rows.get(i).map(|r| r as usize),
        }
    }
}

/// A field of a series as a filter or projection reads it.
enum Column {
    /// The observation's value.
    Value,
    /// A string field.
    Field(usize),
    /// A field no observation has: reads as `""`.
    Missing,
}

fn column(
    series: &Series,
    field: &FieldRef,
    label: &str,
    warnings: &mut Vec<Diagnostic>,
) -> Column {
    if field.name.eq_ignore_ascii_case("value") {
        return Column::Value;
    }
    if let Some(c) = series.fields.column(&field.name) {
        return Column::Field(c);
    }
    if !series.is_empty() {
        let mut d = Diagnostic::warning(
            Code::UnknownFilterField,
            format!(
                "no observation of `{}` has a field `{}`",
                series.name, field.name
            ),
        )
        .with_primary(
            field.span,
            format!("every row of `{label}` reads this as \"\""),
        );
        let names = series.fields.names();
        d = match did_you_mean(&field.name, names.iter().map(String::as_str)) {
            Some(near) => {
                d.message.push_str(&format!("; did you mean `{near}`?"));
                d
            }
            None if names.is_empty() => d.with_note(format!(
                "`{}` has no fields besides its date and value",
                series.name
            )),
            None => d.with_note(format!("its fields are: {}", names.join(", "))),
        };
        warnings.push(d);
    }
    Column::Missing
}

/// The text of a field on each observation of a timeline. `value` is the
/// observation's value as templates print it, as in filters; a field no
/// observation has is empty everywhere, with the warning a filter gets.
pub(super) fn field_column(
    read: &FieldRead,
    def: &SeriesDef,
    timeline: &Timeline,
    origin: &Origin,
    store: &Store,
    warnings: &mut Vec<Diagnostic>,
) -> FieldColumn {
    let Some(id) = origin.series else {
        return FieldColumn::default();
    };
    let series = store.series(id);
    let mut texts: Vec<Arc<str>> = vec![Arc::from("")];
    let ids = match column(series, &read.field, &def.label, warnings) {
        Column::Missing => vec![0; timeline.len()],
        Column::Value => {
            let mut known: HashMap<String, u32> = HashMap::new();
            timeline
                .values()
                .iter()
                .map(|&v| {
                    let text = crate::eval::value::format_number(v);
                    *known.entry(text).or_insert_with_key(|text| {
                        texts.push(Arc::from(text.as_str()));
                        texts.len() as u32 - 1
                    })
                })
                .collect()
        }
        Column::Field(c) => {
            // The store's ids, renumbered densely from 1 in order of
            // first appearance: 0, the empty text, stays 0.
            let mut renumbered = vec![u32::MAX; series.fields.distinct_count()];
            renumbered[0] = 0;
            (0..timeline.len())
                .map(|i| {
                    // Bucket observations carry no fields.
                    let Some(row) = origin.row(i) else {
                        return 0;
                    };
                    let cell = series.fields.cell_id(c, row) as usize;
                    if renumbered[cell] == u32::MAX {
                        texts.push(Arc::from(series.fields.get(c, row)));
                        renumbered[cell] = texts.len() as u32 - 1;
                    }
                    renumbered[cell]
                })
                .collect()
        }
    };
    FieldColumn::new(ids, texts)
}

/// Per-distinct-text memo, so that a test runs once per distinct cell text
/// rather than once per row.
struct TextMemo(Vec<u8>);

impl TextMemo {
    fn new(fields: &Fields) -> TextMemo {
        TextMemo(vec![0; fields.distinct_count()])
    }

    /// Whether the text `id` passes `test`, tested once; `text` gives it.
    fn get<'a>(
        &mut self,
        id: u32,
        text: impl FnOnce() -> &'a str,
        test: impl Fn(&str) -> bool,
    ) -> bool {
        let slot = &mut self.0[id as usize];
        if *slot == 0 {
            *slot = if test(text()) { 1 } else { 2 };
        }
        *slot == 1
    }

    /// True when a cell with text `id` was tested.
    fn seen(&self, id: u32) -> bool {
        self.0.get(id as usize).is_some_and(|&s| s != 0)
    }
}

/// A cell read as a number: trimmed, finite, else `None`.
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    let looks_numeric = t
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+' | b'e' | b'E'));
    if t.is_empty() || !looks_numeric {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn text_test(test: &FieldTest) -> impl Fn(&str) -> bool + '_ {
    move |text: &str| match test {
        FieldTest::TextEq(s) => text == s,
        FieldTest::TextNe(s) => text != s,
        FieldTest::Contains(s) => text.to_lowercase().contains(&s.to_lowercase()),
        FieldTest::In(list) => list.iter().any(|s| s == text),
        FieldTest::Num(op, n) => parse_number(text).is_some_and(|v| op.holds(v, *n)),
    }
}

pub(super) fn materialise(
    def: &SeriesDef,
    store: &Store,
    warnings: &mut Vec<Diagnostic>,
) -> (Timeline, Origin) {
    let Some(id) = store.get(&def.root) else {
        return (Timeline::default(), Origin::default());
    };
    let series = store.series(id);
    if def.steps.is_empty() {
        let origin = Origin {
            series: Some(id),
            rows: None,
            bucketed: false,
        };
        return (
            Timeline::shared(Arc::clone(&series.dates), Arc::clone(&series.values)),
            origin,
        );
    }
    let (rows, vals) = select(def, series, warnings);
    let bucketed = def.is_bucketed();
    if !bucketed && rows.len() == series.len() {
        // Every row kept (a projection of a column every row fills): the
        // rows are the data series' own, and so are the dates.
        let origin = Origin {
            series: Some(id),
            rows: None,
            bucketed: false,
        };
        let values = super::timeline::held(vals);
        return (Timeline::shared(Arc::clone(&series.dates), values), origin);
    }
    let dates: Vec<_> = rows.iter().map(|&r| series.dates[r as usize]).collect();
    let (dates, vals) = bucket_steps(def, series, dates, vals);
    let mut timeline = Timeline::new(dates, vals);
    if bucketed {
        timeline = timeline.completed_by(&series.dates);
    }
    (
        timeline,
        Origin {
            series: Some(id),
            rows: (!bucketed).then(|| super::rows::Rows::from(rows)),
            bucketed,
        },
    )
}

/// Applies the calendar buckets of `def`, in order, to observations of
/// its data series `series` (complete buckets only, by the whole data
/// series' newest observation).
pub(super) fn bucket_steps(
    def: &SeriesDef,
    series: &Series,
    mut dates: Vec<Date>,
    mut vals: Vec<f64>,
) -> (Vec<Date>, Vec<f64>) {
    for step in &def.steps {
        if let Step::Bucket(period, agg) = step {
            (dates, vals) =
                super::buckets::bucket(&dates, &vals, *period, *agg, series.dates.last().copied());
        }
    }
    (dates, vals)
}

/// The rows of `series` that the filters and projections of `def` keep,
/// in order, with each one's value (projected where a projection says).
pub(super) fn select(
    def: &SeriesDef,
    series: &Series,
    warnings: &mut Vec<Diagnostic>,
) -> (Vec<u32>, Vec<f64>) {
    select_from(def, series, 0, warnings)
}

/// Like [`select`], for rows `from..` of `series` only (rows appended to
/// it); texts that no row of those has are not warned about then.
pub(super) fn select_from(
    def: &SeriesDef,
    series: &Series,
    from: usize,
    warnings: &mut Vec<Diagnostic>,
) -> (Vec<u32>, Vec<f64>) {
    let from = from.min(series.len());
    // The rows kept so far with their values: `None` while every row from
    // `from` is, so that the first filter lists only the rows it keeps
    // rather than every row of the series first.
    let mut kept: Option<Kept> = None;
    // The spans of the texts of `==` and `in` tests, in step order.
    let mut value_spans = def.values.as_slice();
    let count = |kept: &Option<Kept>| kept.as_ref().map_or(series.len() - from, |k| k.0.len());
    for step in &def.steps {
        match step {
            // After every filter and projection (the checker sees to it):
            // applied below, to the rows they leave.
            Step::Bucket(..) => {}
            Step::Filter(preds) => {
                for (field, test) in preds {
                    let texts = match test {
                        FieldTest::TextEq(s) => std::slice::from_ref(s),
                        FieldTest::In(list) => list.as_slice(),
                        _ => &[],
                    };
                    let (spans, rest) = value_spans.split_at(texts.len().min(value_spans.len()));
                    value_spans = rest;
                    let t = text_test(test);
                    match column(series, field, &def.label, warnings) {
                        Column::Value => retain(&mut kept, series, from, |_, v| match test {
                            FieldTest::Num(op, n) => op.holds(*v, *n),
                            _ => t(&crate::eval::value::format_number(*v)),
                        }),
                        Column::Missing => {
                            let hit = t("");
                            retain(&mut kept, series, from, |_, _| hit);
                        }
                        Column::Field(c) => {
                            let all_rows = count(&kept) == series.len();
                            let fields = &series.fields;
                            let mut memo = TextMemo::new(fields);
                            retain(&mut kept, series, from, |r, _| {
                                let cell = fields.cell_id(c, r as usize);
                                memo.get(cell, || fields.text_of(cell), &t)
                            });
                            if !texts.is_empty() && from == 0 {
                                let test = TextTest {
                                    series,
                                    field,
                                    column: c,
                                    texts,
                                    spans,
                                    all_rows,
                                };
                                test.warn_absent(|id| memo.seen(id), warnings);
                            }
                        }
                    }
                }
            }
            Step::Project(field) => {
                let before = count(&kept);
                let col = column(series, field, &def.label, warnings);
                let missing = matches!(col, Column::Missing);
                match col {
                    Column::Value => {}
                    Column::Missing => kept = Some(Kept::default()),
                    Column::Field(c) => {
                        let mut parsed: Vec<Option<Option<f64>>> =
                            vec![None; series.fields.distinct_count()];
                        retain(&mut kept, series, from, |r, v| {
                            let id = series.fields.cell_id(c, r as usize);
                            let parsed = *parsed[id as usize]
                                .get_or_insert_with(|| parse_number(series.fields.text_of(id)));
                            parsed.map(|p| *v = p).is_some()
                        });
                    }
                }
                let dropped = before - count(&kept);
                if dropped > 0 && !missing {
                    warnings.push(
                        Diagnostic::warning(
                            Code::ProjectionSkipped,
                            // Named after the data series, not the series derived on: every
                            // series built on this projection repeats it, and says it once.
                            format!("{dropped} of the {before} observations of `{}` read here have no number in `{}` and are left out", def.root, field.name),
                        )
                        .with_primary(field.span, "projected here")
                        .with_note("rows whose field is empty or not a number are left out of a projected series"),
                    );
                }
            }
        }
    }
    match kept {
        // Grown row by row, then held as long as the model: trimmed to
        // what they hold (a filter keeping a sixth of a million rows left
        // room for a quarter of a million).
        Some((mut rows, mut values)) => {
            rows.shrink_to_fit();
            values.shrink_to_fit();
            (rows, values)
        }
        None => {
            let rows = (from as u32..series.len() as u32).collect();
            (rows, series.values[from..].to_vec())
        }
    }
}

/// Rows of a data series with their values, in order.
type Kept = (Vec<u32>, Vec<f64>);

/// Keeps the rows (`None`: every row of `series` from `from`) for which
/// `keep` holds; `keep` may change the value it is given (a projection).
fn retain(
    kept: &mut Option<Kept>,
    series: &Series,
    from: usize,
    mut keep: impl FnMut(u32, &mut f64) -> bool,
) {
    match kept {
        Some((rows, vals)) => {
            let mut w = 0;
            for j in 0..rows.len() {
                let (r, mut v) = (rows[j], vals[j]);
                if keep(r, &mut v) {
                    rows[w] = r;
                    vals[w] = v;
                    w += 1;
                }
            }
            rows.truncate(w);
            vals.truncate(w);
        }
        None => {
            let (mut rows, mut vals) = (Vec::new(), Vec::new());
            for (r, &v) in series.values.iter().enumerate().skip(from) {
                let mut v = v;
                if keep(r as u32, &mut v) {
                    rows.push(r as u32);
                    vals.push(v);
                }
            }
            *kept = Some((rows, vals));
        }
    }
}
