//! The store: every series of the loaded data files, merged across files
//! and sorted by date once, at load.

use super::{Batch, Fields, FileData, Lines};
use crate::diag::FileId;
use crate::time::Date;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// Index of a series in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeriesId(pub u32);

/// One series: observations in date order; where several share a date,
/// the last in load order (files sorted by path, then row order) comes last.
#[derive(Clone, Debug, Default)]
pub struct Series {
    /// Normalised name.
    pub name: String,
    /// Unit, if a JSON file gave one.
    pub unit: Option<String>,
    /// Description, if a JSON file gave one.
    pub description: Option<String>,
    /// Dates, ascending. Shared (not copied) by the timelines that read
    /// the series whole; a series from one file holds the loader's vector
    /// itself.
    pub dates: Arc<Vec<Date>>,
    /// Values, one per date, shared as the dates are.
    pub values: Arc<Vec<f64>>,
    /// The file and line each observation came from.
    sources: Sources,
    /// String fields.
    pub fields: Fields,
    /// True when two observations share a date.
    repeats_dates: bool,
}

impl Series {
    /// True when two observations share a date (known from the load, so
    /// that asking costs nothing).
    pub fn repeats_dates(&self) -> bool {
        self.repeats_dates
    }

    /// Number of observations.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// True when the series has no observation.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    /// The file and 1-based line observation `row` came from.
    pub fn source(&self, row: usize) -> Option<(FileId, u32)> {
        self.sources.get(row)
    }

    /// The 1-based line observation `row` came from (0 for no such row).
    pub fn line(&self, row: usize) -> u32 {
        self.source(row).map_or(0, |(_, line)| line)
    }

    /// The file observation `row` came from (the default id for no such
    /// row).
    pub fn file(&self, row: usize) -> FileId {
        self.source(row).map(|(file, _)| file).unwrap_or_default()
    }
}

/// The file and line of every observation: the lines as evenly stepping
/// runs ([`Lines`]), and the file of each run of rows from one file. A
/// file in date order, whatever its length, is one run of each (about 20
/// bytes per file instead of 8 per observation).
#[derive(Clone, Debug, Default)]
struct Sources {
    lines: Lines,
    /// Rows `row ..` (up to the next entry) come from `file`.
    files: Vec<(u32, FileId)>,
}

impl Sources {
    /// Starts a run of `file` at the next row, unless the last run is of
    /// that file already.
    fn open_file(&mut self, file: FileId) {
        if self.files.last().is_none_or(|&(_, f)| f != file) {
            self.files.push((self.lines.len() as u32, file));
        }
    }

    fn push(&mut self, file: FileId, line: u32) {
        self.open_file(file);
        self.lines.push(line);
    }

    /// Adds a batch's rows of `file`, a run of lines at a time.
    fn extend(&mut self, file: FileId, lines: &Lines) {
        if lines.is_empty() {
            return;
        }
        self.open_file(file);
        self.lines.extend_from(lines);
    }

    fn get(&self, row: usize) -> Option<(FileId, u32)> {
        let line = self.lines.get(row)?;
        let k = self.files.partition_point(|&(r, _)| r as usize <= row);
        let &(_, file) = self.files.get(k.checked_sub(1)?)?;
        Some((file, line))
    }

    /// Reorders rows: row `i` of the result is row `order[i]` now.
    fn permute(&mut self, order: &[u32]) {
        let old = std::mem::take(self);
        for &i in order {
            if let Some((file, line)) = old.get(i as usize) {
                self.push(file, line);
            }
        }
    }
}

/// A series while the files are merged: growable, not yet sorted.
#[derive(Default)]
struct Building {
    name: String,
    unit: Option<String>,
    description: Option<String>,
    dates: Vec<Date>,
    values: Vec<f64>,
    sources: Sources,
    fields: Fields,
}

/// All series, by name.
#[derive(Clone, Debug, Default)]
pub struct Store {
    series: Vec<Series>,
    by_name: FxHashMap<String, SeriesId>,
}

/// Merges files' batches into series.
#[derive(Default)]
struct Builder {
    series: Vec<Building>,
    by_name: FxHashMap<String, SeriesId>,
}

impl Builder {
    /// Appends a batch of `file`. An owned batch's dates and values are
    /// taken rather than copied when they are the first of their series.
    fn add(&mut self, file: FileId, batch: std::borrow::Cow<'_, Batch>) {
        let id = match self.by_name.get(&batch.series) {
            Some(&id) => id,
            None => {
                let id = SeriesId(self.series.len() as u32);
                self.series.push(Building {
                    name: batch.series.clone(),
                    fields: Fields::new(),
                    ..Building::default()
                });
                self.by_name.insert(batch.series.clone(), id);
                id
            }
        };
        let s = &mut self.series[id.0 as usize];
        s.unit = batch.unit.clone().or(s.unit.take());
        s.description = batch.description.clone().or(s.description.take());
        s.sources.extend(file, &batch.lines);
        let base = s.fields.rows();
        let rows = batch.dates.len();
        let batch = match batch {
            std::borrow::Cow::Owned(mut b) => {
                s.fields.append_owned(std::mem::take(&mut b.fields));
                std::borrow::Cow::Owned(b)
            }
            b => {
                s.fields.append(&b.fields);
                b
            }
        };
        let width = batch.field_names.len();
        if width > 0 {
            let cols: Vec<usize> = batch
                .field_names
                .iter()
                .map(|n| s.fields.column_or_insert(n))
                .collect();
            for (row, cells) in batch.cells.chunks(width).take(rows).enumerate() {
                for (&col, text) in cols.iter().zip(cells) {
                    s.fields.set(col, base + row, text);
                }
            }
        }
        s.fields.pad_rows(base + rows);
        match batch {
            std::borrow::Cow::Owned(b) if s.dates.is_empty() => {
                s.dates = b.dates;
                s.values = b.values;
            }
            b => {
                s.dates.extend_from_slice(&b.dates);
                s.values.extend_from_slice(&b.values);
            }
        }
    }

    fn finish(self) -> Store {
        let series = self
            .series
            .into_iter()
            .map(|mut s| {
                let repeats_dates = sort_by_date(&mut s);
                Series {
                    name: s.name,
                    unit: s.unit,
                    description: s.description,
                    dates: Arc::new(s.dates),
                    values: Arc::new(s.values),
                    sources: s.sources,
                    fields: s.fields,
                    repeats_dates,
                }
            })
            .collect();
        Store {
            series,
            by_name: self.by_name,
        }
    }
}

impl Store {
    /// Merges the files' batches, in the order given (which must be path
    /// order), and sorts each series by date, keeping load order for ties.
    pub fn build<'a>(files: impl IntoIterator<Item = &'a FileData>) -> Store {
        let mut b = Builder::default();
        for file in files {
            for batch in &file.batches {
                b.add(file.file, std::borrow::Cow::Borrowed(batch));
            }
        }
        b.finish()
    }

    /// Like [`Store::build`], but takes the files, so that their
    /// observations are moved rather than copied and each file's memory is
    /// freed as soon as it is merged.
    pub fn from_files(files: impl IntoIterator<Item = FileData>) -> Store {
        let mut b = Builder::default();
        for file in files {
            for batch in file.batches {
                b.add(file.file, std::borrow::Cow::Owned(batch));
            }
        }
        b.finish()
    }

    /// Like [`Store::build`], but each batch that is the only one of its
    /// series lends its rows to the store: they are moved, not copied, and
    /// the batch is left holding its name alone, marked [`Batch::lent`],
    /// until [`Store::give_back`] returns them. What keeps the files' data
    /// to build the store again (the daemon) so holds each row once. The
    /// files must hold all their rows: a batch still lent adds none.
    pub fn build_lending(files: &mut [&mut FileData]) -> Store {
        let mut batches: FxHashMap<&str, u32> = FxHashMap::default();
        for file in files.iter() {
            for batch in &file.batches {
                *batches.entry(batch.series.as_str()).or_default() += 1;
            }
        }
        let alone: rustc_hash::FxHashSet<String> = batches
            .into_iter()
            .filter(|&(_, n)| n == 1)
            .map(|(name, _)| name.to_string())
            .collect();
        let mut b = Builder::default();
        for file in files.iter_mut() {
            let id = file.file;
            for batch in &mut file.batches {
                if alone.contains(&batch.series) && !batch.lent {
                    let rows = batch.take_rows();
                    batch.lent = true;
                    b.add(id, std::borrow::Cow::Owned(rows));
                } else {
                    b.add(id, std::borrow::Cow::Borrowed(batch));
                }
            }
        }
        b.finish()
    }

    /// Returns to `files` the rows [`Store::build_lending`] took from
    /// them, with the rows [`Store::append`] added since, in the store's
    /// order (by date, ties in file order): a build from them gives this
    /// store again. Dates and values still shared with timelines are
    /// copied. Returns the series that were not lent, for the caller to
    /// drop where it likes.
    pub fn give_back(self, files: &mut [&mut FileData]) -> Vec<Series> {
        let by_name = self.by_name;
        let mut series: Vec<Option<Series>> = self.series.into_iter().map(Some).collect();
        for file in files.iter_mut() {
            let id = file.file;
            for batch in file.batches.iter_mut().filter(|b| b.lent) {
                batch.lent = false;
                let slot = by_name
                    .get(&batch.series)
                    .and_then(|s| series.get_mut(s.0 as usize));
                let Some(s) = slot.and_then(Option::take) else {
                    continue;
                };
                // Lent only when the batch is its series' one batch.
                debug_assert!(s.sources.files.iter().all(|&(_, f)| f == id));
                batch.dates = Arc::try_unwrap(s.dates).unwrap_or_else(|a| (*a).clone());
                batch.values = Arc::try_unwrap(s.values).unwrap_or_else(|a| (*a).clone());
                batch.lines = s.sources.lines;
                batch.fields = s.fields;
            }
        }
        series.into_iter().flatten().collect()
    }

    /// Adds the rows a file gained at its end (`tail`, its lines numbered
    /// in the whole file) to the series they belong to, without sorting
    /// again: the result is what [`Store::build`] gives with the longer
    /// file. That holds only when every batch names a series this store
    /// has, its dates ascend, and its first date is after the series'
    /// newest (or on it, when the newest row is of this file too, which
    /// comes last among the files); `false`, and nothing changed, when it
    /// does not. Dates and values shared with timelines are copied first.
    pub fn append(&mut self, tail: &FileData) -> bool {
        let fits = tail.batches.iter().all(|b| {
            let Some(id) = self.get(&b.series) else {
                return false;
            };
            let s = &self.series[id.0 as usize];
            let ascending = b.dates.windows(2).all(|w| w[0] <= w[1]);
            let after = match (s.dates.last(), b.dates.first()) {
                (Some(newest), Some(first)) => {
                    first > newest
                        || (first == newest
                            && s.source(s.len() - 1).is_some_and(|(f, _)| f == tail.file))
                }
                _ => true,
            };
            ascending && after && b.cells.is_empty() && b.lines.len() == b.dates.len()
        });
        if !fits {
            return false;
        }
        for b in &tail.batches {
            let Some(id) = self.get(&b.series) else {
                continue;
            };
            let s = &mut self.series[id.0 as usize];
            let repeats = b.dates.windows(2).any(|w| w[0] == w[1])
                || matches!((s.dates.last(), b.dates.first()), (Some(x), Some(y)) if x == y);
            s.repeats_dates |= repeats;
            s.unit = b.unit.clone().or(s.unit.take());
            s.description = b.description.clone().or(s.description.take());
            s.sources.extend(tail.file, &b.lines);
            s.fields.append(&b.fields);
            // Held as long as the store: grown by what was added, not by
            // the doubling that growing a vector leaves room for.
            s.fields.shrink_to_fit();
            s.sources.lines.shrink_to_fit();
            extend_exact(&mut s.dates, &b.dates);
            extend_exact(&mut s.values, &b.values);
            s.fields.pad_rows(s.dates.len());
        }
        true
    }

    /// The series called `name`.
    pub fn get(&self, name: &str) -> Option<SeriesId> {
        self.by_name.get(name).copied()
    }

    /// The series with this id.
    pub fn series(&self, id: SeriesId) -> &Series {
        &self.series[id.0 as usize]
    }

    /// Every series, in order of first appearance.
    pub fn iter(&self) -> impl Iterator<Item = (SeriesId, &Series)> {
        self.series
            .iter()
            .enumerate()
            .map(|(i, s)| (SeriesId(i as u32), s))
    }

    /// Number of series.
    pub fn len(&self) -> usize {
        self.series.len()
    }

    /// True when there is no series.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// Total number of observations.
    pub fn observations(&self) -> usize {
        self.series.iter().map(Series::len).sum()
    }
}

/// Adds `tail` to `v`, making room for it alone; a vector shared with
/// timelines is copied into one of the new length.
fn extend_exact<T: Copy>(v: &mut Arc<Vec<T>>, tail: &[T]) {
    match Arc::get_mut(v) {
        Some(own) => {
            own.reserve_exact(tail.len());
            own.extend_from_slice(tail);
        }
        None => {
            let mut new = Vec::with_capacity(v.len() + tail.len());
            new.extend_from_slice(v);
            new.extend_from_slice(tail);
            *v = Arc::new(new);
        }
    }
}

/// Sorts the series by date; returns whether two observations share a
/// date. The usual series, strictly ascending, is one pass.
fn sort_by_date(s: &mut Building) -> bool {
    if s.dates.windows(2).all(|w| w[0] < w[1]) {
        return false;
    }
    if s.dates.windows(2).all(|w| w[0] <= w[1]) {
        return true;
    }
    let order = date_order(&s.dates);
    fn apply<T: Copy>(v: &mut Vec<T>, order: &[u32]) {
        *v = order.iter().map(|&i| v[i as usize]).collect();
    }
    apply(&mut s.dates, &order);
    apply(&mut s.values, &order);
    s.sources.permute(&order);
    s.fields.permute(&order);
    s.dates.windows(2).any(|w| w[0] == w[1])
}

/// The indices of `dates` in date order, observations sharing a date in
/// load order. Dates of real data span few days for their number (a day
/// holds many events, or a series has a point a day), so a counting sort
/// does it in two passes; a sparse span is sorted as (date, index) pairs,
/// which compare without looking anything up.
fn date_order(dates: &[Date]) -> Vec<u32> {
    let n = dates.len();
    let (Some(lo), Some(hi)) = (dates.iter().min(), dates.iter().max()) else {
        return Vec::new();
    };
    let span = usize::try_from(i64::from(hi.0) - i64::from(lo.0) + 1).unwrap_or(usize::MAX);
    if span <= n.saturating_mul(4) {
        let slot = |d: &Date| (d.0 - lo.0) as usize;
        let mut start = vec![0u32; span + 1];
        for d in dates {
            start[slot(d) + 1] += 1;
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut order = vec![0u32; n];
        for (i, d) in dates.iter().enumerate() {
            let at = &mut start[slot(d)];
            order[*at as usize] = i as u32;
            *at += 1;
        }
        return order;
    }
    let mut keyed: Vec<(Date, u32)> = dates.iter().zip(0u32..).map(|(&d, i)| (d, i)).collect();
    // The index breaks ties: as stable as a stable sort.
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Batch;

    #[test]
    fn date_order_is_a_stable_sort_for_dense_and_sparse_dates() {
        let d = |days: &[i32]| days.iter().map(|&x| Date(x)).collect::<Vec<_>>();
        for dates in [
            d(&[3, 1, 2, 1, 3, 0]),
            d(&[5, -4, 5, 0]),
            d(&[1_000_000, 1, 1_000_000, -7, 1]),
            d(&[]),
            d(&[9]),
        ] {
            let mut want: Vec<u32> = (0..dates.len() as u32).collect();
            want.sort_by_key(|&i| dates[i as usize]);
            assert_eq!(date_order(&dates), want, "{dates:?}");
        }
    }

    fn batch(series: &str, rows: &[(&str, f64, &str)]) -> Batch {
        Batch {
            series: series.into(),
            dates: rows.iter().map(|r| Date::parse_iso(r.0).unwrap()).collect(),
            values: rows.iter().map(|r| r.1).collect(),
            lines: (2..2 + rows.len() as u32).collect(),
            field_names: vec!["actor".into()],
            cells: rows.iter().map(|r| r.2.into()).collect(),
            ..Batch::default()
        }
    }

    #[test]
    fn merges_files_and_keeps_load_order_for_ties() {
        let a = FileData {
            file: FileId(0),
            batches: vec![batch(
                "s",
                &[("2025-01-02", 1.0, "a"), ("2025-01-01", 2.0, "b")],
            )],
            warnings: vec![],
            newlines: None,
        };
        let b = FileData {
            file: FileId(1),
            batches: vec![batch("s", &[("2025-01-02", 3.0, "c")])],
            warnings: vec![],
            newlines: None,
        };
        let store = Store::build([&a, &b]);
        let s = store.series(store.get("s").unwrap());
        assert_eq!(*s.values, [2.0, 1.0, 3.0]);
        let col = s.fields.column("ACTOR").unwrap();
        assert_eq!(s.fields.get(col, 2), "c");
        let sources: Vec<_> = (0..3).map(|r| s.source(r)).collect();
        assert_eq!(
            sources,
            [
                Some((FileId(0), 3)),
                Some((FileId(0), 2)),
                Some((FileId(1), 2))
            ]
        );
        assert_eq!(s.source(3), None);
        assert_eq!(store.observations(), 3);
        let owned = Store::from_files([a.clone(), b.clone()]);
        let t = owned.series(owned.get("s").unwrap());
        assert_eq!(*t.values, *s.values);
        assert_eq!(*t.dates, *s.dates);
        assert_eq!((0..3).map(|r| t.source(r)).collect::<Vec<_>>(), sources);
        assert!(s.repeats_dates() && t.repeats_dates());
    }

    /// A row as a build shows it: date, value bits, source and field.
    type Row = (Date, u64, Option<(FileId, u32)>, String);

    /// What every row of series `name` holds.
    fn rows_of(store: &Store, name: &str) -> Vec<Row> {
        let s = store.series(store.get(name).unwrap());
        let col = s.fields.column("actor");
        (0..s.len())
            .map(|r| {
                let actor = col.map_or(String::new(), |c| s.fields.get(c, r).to_string());
                (s.dates[r], s.values[r].to_bits(), s.source(r), actor)
            })
            .collect()
    }

    #[test]
    fn a_tail_appended_gives_what_a_build_of_the_longer_file_gives() {
        let rows = [
            ("2025-01-01", 1.0, "a"),
            ("2025-01-03", 2.0, "b"),
            ("2025-01-03", 3.0, "a"),
            ("2025-01-04", 4.0, "c"),
            ("2025-01-09", 5.0, ""),
        ];
        let other = FileData {
            file: FileId(0),
            batches: vec![batch("s", &[("2025-01-02", 9.0, "z")])],
            ..FileData::default()
        };
        for cut in 1..rows.len() {
            let file = |rows: &[(&str, f64, &str)], first_line: u32| {
                let mut b = batch("s", rows);
                b.lines = (first_line..first_line + rows.len() as u32).collect();
                // As a loader gives them: interned fields, no grid.
                let mut fields = Fields::new();
                let col = fields.column_or_insert("actor");
                for (r, row) in rows.iter().enumerate() {
                    fields.set(col, r, row.2);
                }
                fields.pad_rows(rows.len());
                b.fields = fields;
                b.field_names.clear();
                b.cells.clear();
                FileData {
                    file: FileId(1),
                    batches: vec![b],
                    ..FileData::default()
                }
            };
            let whole = Store::build([&other, &file(&rows, 2)]);
            let mut head = file(&rows[..cut], 2);
            let mut store = Store::build([&other, &head]);
            let tail = file(&rows[cut..], 2 + cut as u32);
            assert!(store.append(&tail), "cut at {cut}");
            assert_eq!(rows_of(&store, "s"), rows_of(&whole, "s"), "cut at {cut}");
            let repeats = |st: &Store| st.series(st.get("s").unwrap()).repeats_dates();
            assert!(repeats(&store) && repeats(&whole), "cut at {cut}");
            assert!(head.append(tail));
            assert_eq!(
                rows_of(&Store::build([&other, &head]), "s"),
                rows_of(&whole, "s")
            );
        }
        // Rows dated before the newest, or of a series it lacks: refused,
        // and nothing changed.
        let mut store = Store::build([&other]);
        let before = rows_of(&store, "s");
        for tail in [
            vec![batch("s", &[("2025-01-01", 1.0, "a")])],
            vec![batch("s", &[("2025-01-02", 1.0, "a")])],
            vec![batch("t", &[("2025-02-01", 1.0, "a")])],
        ] {
            let tail = FileData {
                file: FileId(1),
                batches: tail,
                ..FileData::default()
            };
            assert!(!store.append(&tail));
        }
        assert_eq!(rows_of(&store, "s"), before);
    }

    #[test]
    fn rows_lent_to_a_store_come_back_as_a_build_of_them_gives_them() {
        let file = |id: u32, batches: Vec<Batch>| FileData {
            file: FileId(id),
            batches,
            ..FileData::default()
        };
        let mut a = file(
            0,
            vec![
                batch("s", &[("2025-01-03", 1.0, "a"), ("2025-01-01", 2.0, "b")]),
                batch("t", &[("2025-01-05", 3.0, "c"), ("2025-01-02", 4.0, "")]),
            ],
        );
        let mut b = file(
            1,
            vec![
                batch("s", &[("2025-01-01", 5.0, "d")]),
                batch("u", &[("2025-01-01", 6.0, "e"), ("2025-01-01", 7.0, "a")]),
            ],
        );
        let mut tail = file(1, vec![batch("u", &[("2025-01-04", 8.0, "f")])]);
        tail.batches[0].lines = Lines::from_iter([9]);
        // As a loader gives them: interned fields, no grid.
        for b in a
            .batches
            .iter_mut()
            .chain(&mut b.batches)
            .chain(&mut tail.batches)
        {
            let col = b.fields.column_or_insert("actor");
            for (row, text) in b.cells.iter().enumerate() {
                b.fields.set(col, row, text);
            }
            b.fields.pad_rows(b.dates.len());
            b.field_names.clear();
            b.cells.clear();
        }
        let built = Store::build([&a, &b]);
        let (mut lent_a, mut lent_b) = (a.clone(), b.clone());
        let mut lent = Store::build_lending(&mut [&mut lent_a, &mut lent_b]);
        for name in ["s", "t", "u"] {
            assert_eq!(rows_of(&lent, name), rows_of(&built, name), "{name}");
        }
        // `s` has a batch in each file: copied, not lent.
        let flags = |f: &FileData| f.batches.iter().map(|b| b.lent).collect::<Vec<_>>();
        assert_eq!(
            (flags(&lent_a), flags(&lent_b)),
            (vec![false, true], vec![false, true])
        );
        assert!(lent_a.batches[1].dates.is_empty() && lent_a.batches[1].fields.rows() == 0);
        assert_eq!(lent_a.batches[0], a.batches[0]);

        // A tail of a lent batch goes to the store alone.
        assert!(lent.append(&tail));
        assert!(lent_b.append(tail.clone()));
        assert!(lent_b.batches[1].dates.is_empty());
        let mut whole_b = b.clone();
        assert!(whole_b.append(tail));
        let rest = lent.give_back(&mut [&mut lent_a, &mut lent_b]);
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].name, "s");
        assert!(lent_a
            .batches
            .iter()
            .chain(&lent_b.batches)
            .all(|b| !b.lent));
        let again = Store::build([&lent_a, &lent_b]);
        let whole = Store::build([&a, &whole_b]);
        for name in ["s", "t", "u"] {
            assert_eq!(rows_of(&again, name), rows_of(&whole, name), "{name}");
        }
        assert_eq!(again.series(again.get("u").unwrap()).len(), 3);
    }

    #[test]
    fn a_series_knows_whether_it_repeats_a_date() {
        let file = |rows: &[(&str, f64, &str)]| FileData {
            file: FileId(0),
            batches: vec![batch("s", rows)],
            warnings: vec![],
            newlines: None,
        };
        let repeats = |rows: &[(&str, f64, &str)]| {
            let store = Store::build([&file(rows)]);
            store.series(store.get("s").unwrap()).repeats_dates()
        };
        assert!(!repeats(&[]));
        assert!(!repeats(&[
            ("2025-01-01", 1.0, ""),
            ("2025-01-02", 1.0, "")
        ]));
        assert!(!repeats(&[
            ("2025-01-03", 1.0, ""),
            ("2025-01-02", 1.0, "")
        ]));
        assert!(repeats(&[("2025-01-01", 1.0, ""), ("2025-01-01", 1.0, "")]));
        assert!(repeats(&[
            ("2025-01-03", 1.0, ""),
            ("2025-01-01", 1.0, ""),
            ("2025-01-03", 1.0, "")
        ]));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sources_give_back_every_file_and_line(
            rows in proptest::collection::vec((0u32..3, 0u32..12), 0..80),
            seed in any::<u64>(),
        ) {
            let mut s = Sources::default();
            // Lines that mostly step evenly, as files give them, with jumps.
            let mut line = 0u32;
            let mut want = Vec::new();
            for (file, jump) in rows {
                line += if jump < 8 { 1 } else { jump };
                s.push(FileId(file), line);
                want.push((FileId(file), line));
            }
            for (row, w) in want.iter().enumerate() {
                prop_assert_eq!(s.get(row), Some(*w));
            }
            prop_assert_eq!(s.get(want.len()), None);
            // The same rows added file by file, as batches are.
            let mut t = Sources::default();
            for chunk in want.chunk_by(|a, b| a.0 == b.0) {
                let lines: Lines = chunk.iter().map(|w| w.1).collect();
                t.extend(chunk[0].0, &lines);
            }
            for row in 0..=want.len() {
                prop_assert_eq!(t.get(row), s.get(row));
            }
            prop_assert_eq!(&t.lines, &s.lines);
            prop_assert_eq!(&t.files, &s.files);
            // A shuffle, as sorting by date gives.
            let mut order: Vec<u32> = (0..want.len() as u32).collect();
            let mut x = seed | 1;
            for i in (1..order.len()).rev() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                order.swap(i, (x % (i as u64 + 1)) as usize);
            }
            s.permute(&order);
            for (row, &i) in order.iter().enumerate() {
                prop_assert_eq!(s.get(row), Some(want[i as usize]));
            }
        }
    }
}
