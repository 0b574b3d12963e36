//! The store: every series of the loaded data files, merged across files
//! and sorted by date once, at load.

use super::{Fields, FileData};
use crate::diag::FileId;
use crate::fxhash::FxHashMap;
use crate::time::Date;

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
    /// Dates, ascending.
    pub dates: Vec<Date>,
    /// Values, one per date.
    pub values: Vec<f64>,
    /// The file each observation came from.
    pub files: Vec<FileId>,
    /// The 1-based line each observation came from.
    pub lines: Vec<u32>,
    /// String fields.
    pub fields: Fields,
}

impl Series {
    /// Number of observations.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// True when the series has no observation.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }
}

/// All series, by name.
#[derive(Clone, Debug, Default)]
pub struct Store {
    series: Vec<Series>,
    by_name: FxHashMap<String, SeriesId>,
}

impl Store {
    /// Merges the files' batches, in the order given (which must be path
    /// order), and sorts each series by date, keeping load order for ties.
    pub fn build<'a>(files: impl IntoIterator<Item = &'a FileData>) -> Store {
        let mut store = Store::default();
        for file in files {
            for batch in &file.batches {
                let id = match store.by_name.get(&batch.series) {
                    Some(&id) => id,
                    None => {
                        let id = SeriesId(store.series.len() as u32);
                        store.series.push(Series {
                            name: batch.series.clone(),
                            fields: Fields::new(),
                            ..Series::default()
                        });
                        store.by_name.insert(batch.series.clone(), id);
                        id
                    }
                };
                let s = &mut store.series[id.0 as usize];
                s.unit = batch.unit.clone().or(s.unit.take());
                s.description = batch.description.clone().or(s.description.take());
                s.dates.extend_from_slice(&batch.dates);
                s.values.extend_from_slice(&batch.values);
                s.lines.extend_from_slice(&batch.lines);
                s.files
                    .extend(std::iter::repeat_n(file.file, batch.dates.len()));
                let cols: Vec<usize> = batch
                    .field_names
                    .iter()
                    .map(|n| s.fields.column_or_insert(n))
                    .collect();
                let width = cols.len();
                for row in 0..batch.dates.len() {
                    let cells = &batch.cells[row * width..(row + 1) * width];
                    s.fields
                        .push_row(cols.iter().copied().zip(cells.iter().map(|c| &**c)));
                }
            }
        }
        for s in &mut store.series {
            sort_by_date(s);
        }
        store
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

fn sort_by_date(s: &mut Series) {
    if s.dates.windows(2).all(|w| w[0] <= w[1]) {
        return;
    }
    let mut order: Vec<u32> = (0..s.dates.len() as u32).collect();
    // Stable, so observations sharing a date keep load order.
    order.sort_by_key(|&i| s.dates[i as usize]);
    fn apply<T: Copy>(v: &mut Vec<T>, order: &[u32]) {
        *v = order.iter().map(|&i| v[i as usize]).collect();
    }
    apply(&mut s.dates, &order);
    apply(&mut s.values, &order);
    apply(&mut s.files, &order);
    apply(&mut s.lines, &order);
    s.fields.permute(&order);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Batch;

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
        };
        let b = FileData {
            file: FileId(1),
            batches: vec![batch("s", &[("2025-01-02", 3.0, "c")])],
            warnings: vec![],
        };
        let store = Store::build([&a, &b]);
        let s = store.series(store.get("s").unwrap());
        assert_eq!(s.values, vec![2.0, 1.0, 3.0]);
        let col = s.fields.column("ACTOR").unwrap();
        assert_eq!(s.fields.get(col, 2), "c");
        assert_eq!(s.files, vec![FileId(0), FileId(0), FileId(1)]);
        assert_eq!(store.observations(), 3);
    }
}
