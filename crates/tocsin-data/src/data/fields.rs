//! String fields of observations, stored by column with interned cells so
//! that a million rows of `actor = "Houthi"` cost four bytes each, while a
//! column that few rows fill costs nothing in the rows without it.
//!
//! Columns are found by hash, never by scanning the names: a file may name
//! thousands of fields, each observation its own.

use hashbrown::HashTable;
use ids::Ids;
use rustc_hash::{FxBuildHasher, FxHashMap};
use std::hash::BuildHasher;
use std::sync::Arc;

mod ids;

/// The string fields of one series: named columns, one cell per row (empty
/// where a row lacks the field).
#[derive(Clone)]
pub struct Fields {
    /// Shared by the series of one CSV file, which all have its columns:
    /// a series costs only the cells it holds.
    names: Arc<Names>,
    /// One per column up to the last holding a cell; later ones are empty.
    columns: Vec<Column>,
    /// Distinct texts; id 0 is `""`.
    strings: Vec<Arc<str>>,
    /// The id of each text, with the text's hash, so that fields read in
    /// pieces are joined without hashing every text again (see
    /// [`Fields::append_in_order`]).
    interned: HashTable<(u64, u32)>,
    rows: usize,
}

/// The hash texts are interned by.
fn hash_of(s: &str) -> u64 {
    FxBuildHasher.hash_one(s)
}

/// Column names, and the column of each name.
#[derive(Clone, Default)]
struct Names {
    list: Vec<String>,
    /// Column by lower-case name: names match ignoring case.
    by_lower: FxHashMap<Box<str>, u32>,
    /// Column by every other spelling met, so that the keys of every row
    /// need not be lowercased again.
    by_spelling: FxHashMap<Box<str>, u32>,
}

impl Names {
    fn get(&self, name: &str) -> Option<usize> {
        self.by_lower
            .get(name)
            .or_else(|| self.by_spelling.get(name))
            .map(|&i| i as usize)
    }
}

/// The cells of one column. Dense while at least a quarter of its rows up
/// to its last cell hold one, sparse below: memory stays proportional to
/// the cells, and a column every row fills is read by index.
#[derive(Clone, Debug, PartialEq)]
enum Column {
    /// One id per row up to the last cell; later rows are empty.
    Dense { ids: Ids, filled: u32 },
    /// Rows holding a cell, ascending, and their ids.
    Sparse { rows: Vec<u32>, ids: Vec<u32> },
}

impl Column {
    fn get(&self, row: usize) -> u32 {
        match self {
            Column::Dense { ids, .. } => ids.get(row).unwrap_or(0),
            Column::Sparse { rows, ids } => u32::try_from(row)
                .ok()
                .and_then(|r| rows.binary_search(&r).ok())
                .and_then(|i| ids.get(i).copied())
                .unwrap_or(0),
        }
    }

    fn filled(&self) -> usize {
        match self {
            Column::Dense { filled, .. } => *filled as usize,
            Column::Sparse { rows, .. } => rows.len(),
        }
    }

    /// Sets the cell of `row`, which must not come before the column's last
    /// cell (rows are added in order); id 0 empties it.
    fn put(&mut self, row: u32, id: u32) {
        match self {
            Column::Dense { ids, filled } => {
                let r = row as usize;
                if let Some(cell) = ids.get(r) {
                    *filled = *filled + u32::from(id != 0) - u32::from(cell != 0);
                    ids.set(r, id);
                    return;
                }
                if id == 0 {
                    return;
                }
                if (r as u64) >= 4 * (u64::from(*filled) + 1) {
                    self.make_sparse();
                    self.put(row, id);
                    return;
                }
                ids.push_at(r, id);
                *filled += 1;
            }
            Column::Sparse { rows, ids } => {
                if rows.last() == Some(&row) {
                    if id == 0 {
                        rows.pop();
                        ids.pop();
                    } else if let Some(last) = ids.last_mut() {
                        *last = id;
                    }
                    return;
                }
                if id == 0 {
                    return;
                }
                rows.push(row);
                ids.push(id);
                if 2 * rows.len() as u64 > u64::from(row) + 1 {
                    self.make_dense();
                }
            }
        }
    }

    fn make_sparse(&mut self) {
        if let Column::Dense { ids, .. } = self {
            let (rows, ids) = ids
                .iter()
                .enumerate()
                .filter(|&(_, id)| id != 0)
                .map(|(r, id)| (r as u32, id))
                .unzip();
            *self = Column::Sparse { rows, ids };
        }
    }

    fn make_dense(&mut self) {
        if let Column::Sparse { rows, ids } = self {
            let len = rows.last().map_or(0, |&r| r as usize + 1);
            let mut dense = Ids::zeros(len);
            for (&r, &id) in rows.iter().zip(ids.iter()) {
                dense.set(r as usize, id);
            }
            let filled = rows.len() as u32;
            *self = Column::Dense { ids: dense, filled };
        }
    }

    /// The non-empty cells as (row, id), in row order.
    fn cells(&self) -> Box<dyn Iterator<Item = (u32, u32)> + '_> {
        match self {
            Column::Dense { ids, .. } => Box::new(
                ids.iter()
                    .enumerate()
                    .filter(|&(_, id)| id != 0)
                    .map(|(r, id)| (r as u32, id)),
            ),
            Column::Sparse { rows, ids } => Box::new(rows.iter().copied().zip(ids.iter().copied())),
        }
    }
}

impl Default for Fields {
    fn default() -> Fields {
        Fields::new()
    }
}

impl std::fmt::Debug for Fields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cells: Vec<Vec<(u32, &str)>> = self
            .columns
            .iter()
            .map(|c| c.cells().map(|(r, id)| (r, self.text(id))).collect())
            .collect();
        f.debug_struct("Fields")
            .field("names", &self.names.list)
            .field("rows", &self.rows)
            .field("cells", &cells)
            .finish()
    }
}

/// Equal when the names, the number of rows and every cell's text are,
/// however the cells are stored.
impl PartialEq for Fields {
    fn eq(&self, other: &Fields) -> bool {
        let empty = Column::Sparse {
            rows: Vec::new(),
            ids: Vec::new(),
        };
        self.names.list == other.names.list
            && self.rows == other.rows
            && (0..self.names.list.len()).all(|c| {
                let a = self.columns.get(c).unwrap_or(&empty);
                let b = other.columns.get(c).unwrap_or(&empty);
                a.filled() == b.filled()
                    && a.cells()
                        .all(|(r, id)| self.text(id) == other.text(b.get(r as usize)))
            })
    }
}

impl Fields {
    /// No columns, no rows.
    pub fn new() -> Fields {
        let empty: Arc<str> = Arc::from("");
        let mut interned = HashTable::new();
        interned.insert_unique(hash_of(""), (hash_of(""), 0), |&(h, _)| h);
        Fields {
            names: Arc::default(),
            columns: Vec::new(),
            strings: vec![empty],
            interned,
            rows: 0,
        }
    }

    fn intern(&mut self, s: &str) -> u32 {
        if s.is_empty() {
            return 0;
        }
        let hash = hash_of(s);
        match self.find(hash, s) {
            Some(i) => i,
            None => self.add_string(hash, Arc::from(s)),
        }
    }

    /// Like `intern`, sharing the text of another `Fields`, whose hash is
    /// known, rather than copying it.
    fn intern_shared(&mut self, hash: u64, s: &Arc<str>) -> u32 {
        if s.is_empty() {
            return 0;
        }
        match self.find(hash, s) {
            Some(i) => i,
            None => self.add_string(hash, s.clone()),
        }
    }

    fn find(&self, hash: u64, s: &str) -> Option<u32> {
        let strings = &self.strings;
        let found = self.interned.find(hash, |&(_, i)| {
            strings.get(i as usize).is_some_and(|t| **t == *s)
        });
        found.map(|&(_, i)| i)
    }

    fn add_string(&mut self, hash: u64, s: Arc<str>) -> u32 {
        let i = self.strings.len() as u32;
        self.strings.push(s);
        self.interned.insert_unique(hash, (hash, i), |&(h, _)| h);
        i
    }

    /// The hash of each text, by id.
    fn hashes(&self) -> Vec<u64> {
        let mut hashes = vec![0; self.strings.len()];
        for &(h, i) in &self.interned {
            if let Some(slot) = hashes.get_mut(i as usize) {
                *slot = h;
            }
        }
        hashes
    }

    fn text(&self, id: u32) -> &str {
        self.strings.get(id as usize).map_or("", |s| s)
    }

    /// The index of the column named `name`, ignoring case; adds it (empty
    /// for every existing row) when absent.
    pub(crate) fn column_or_insert(&mut self, name: &str) -> usize {
        if let Some(i) = self.names.get(name) {
            return i;
        }
        let lower = name.to_lowercase();
        let names = Arc::make_mut(&mut self.names);
        let i = match names.by_lower.get(lower.as_str()) {
            Some(&i) => i,
            None => {
                let i = names.list.len() as u32;
                names.list.push(name.to_string());
                names.by_lower.insert(lower.as_str().into(), i);
                i
            }
        };
        if lower != name {
            names.by_spelling.insert(name.into(), i);
        }
        i as usize
    }

    /// Sets the cell of `col` in `row`, adding rows up to it. Cells of a
    /// column are set in row order; setting one of the last row again
    /// replaces it (with `""`, empties it).
    pub(crate) fn set(&mut self, col: usize, row: usize, text: &str) {
        let id = self.intern(text);
        self.set_id(col, row, id);
    }

    /// The id of `text` in these fields, added if new: for
    /// [`Fields::set_id`], when a loader sets one text in many rows.
    pub(crate) fn text_id(&mut self, text: &str) -> u32 {
        self.intern(text)
    }

    /// [`Fields::set`] with the id [`Fields::text_id`] gave.
    pub(crate) fn set_id(&mut self, col: usize, row: usize, id: u32) {
        if let (Some(column), Ok(r)) = (self.column_mut(col), u32::try_from(row)) {
            column.put(r, id);
        }
        self.rows = self.rows.max(row + 1);
    }

    /// Column `col` for setting cells, the columns up to it added empty;
    /// `None` past the named columns.
    fn column_mut(&mut self, col: usize) -> Option<&mut Column> {
        if col >= self.names.list.len() {
            return None;
        }
        if col >= self.columns.len() {
            self.columns.resize(
                col + 1,
                Column::Sparse {
                    rows: Vec::new(),
                    ids: Vec::new(),
                },
            );
        }
        self.columns.get_mut(col)
    }

    /// Appends a row; `cells` pairs column indices with text. Columns not
    /// named are empty in this row.
    #[cfg(test)]
    pub(crate) fn push_row<'a>(&mut self, cells: impl IntoIterator<Item = (usize, &'a str)>) {
        let row = self.rows;
        for (col, text) in cells {
            self.set(col, row, text);
        }
        self.rows = row + 1;
    }

    /// Gives back the room the columns were left by growing.
    pub(crate) fn shrink_to_fit(&mut self) {
        for column in &mut self.columns {
            match column {
                Column::Dense { ids, .. } => ids.shrink_to_fit(),
                Column::Sparse { rows, ids } => {
                    rows.shrink_to_fit();
                    ids.shrink_to_fit();
                }
            }
        }
    }

    /// Makes the number of rows `n` at least, the new ones empty.
    pub(crate) fn pad_rows(&mut self, n: usize) {
        self.rows = self.rows.max(n);
    }

    /// Appends the rows of `other` after these, matching columns by name
    /// ignoring case.
    pub(crate) fn append(&mut self, other: &Fields) {
        let base = self.rows;
        let mut ids: Vec<Option<u32>> = vec![None; other.strings.len()];
        for (c, name) in other.names.list.iter().enumerate() {
            let col = self.column_or_insert(name);
            let Some(cells) = other.columns.get(c) else {
                continue;
            };
            for (r, id) in cells.cells() {
                let new = match ids.get(id as usize).copied().flatten() {
                    Some(new) => new,
                    None => {
                        let new = other
                            .strings
                            .get(id as usize)
                            .map_or(0, |s| self.intern_shared(hash_of(s), s));
                        if let Some(slot) = ids.get_mut(id as usize) {
                            *slot = Some(new);
                        }
                        new
                    }
                };
                if let (Some(column), Ok(row)) =
                    (self.column_mut(col), u32::try_from(base + r as usize))
                {
                    column.put(row, new);
                }
            }
        }
        self.rows = base + other.rows;
    }

    /// Like [`Fields::append`], but takes `other`, which becomes these
    /// fields whole when there are none yet.
    pub(crate) fn append_owned(&mut self, other: Fields) {
        if self.rows == 0 && self.names.list.is_empty() {
            *self = other;
        } else {
            self.append(&other);
        }
    }

    /// Like [`Fields::append_owned`], but every text of `other` is
    /// interned first, in `other`'s own order, rather than as its columns
    /// are walked: fields read in pieces and joined number their texts as
    /// the same rows read in one piece do.
    pub(crate) fn append_in_order(&mut self, other: Fields) {
        if self.rows == 0 && self.strings.len() == 1 && self.names.list == other.names.list {
            *self = other;
            return;
        }
        let ids: Vec<u32> = other
            .strings
            .iter()
            .zip(other.hashes())
            .map(|(s, hash)| self.intern_shared(hash, s))
            .collect();
        let base = self.rows;
        for (c, name) in other.names.list.iter().enumerate() {
            let col = self.column_or_insert(name);
            let Some(cells) = other.columns.get(c) else {
                continue;
            };
            for (r, id) in cells.cells() {
                let new = ids.get(id as usize).copied().unwrap_or(0);
                if let (Some(column), Ok(row)) =
                    (self.column_mut(col), u32::try_from(base + r as usize))
                {
                    column.put(row, new);
                }
            }
        }
        self.rows = base + other.rows;
    }

    /// Reorders rows: row `i` of the result is row `order[i]` now.
    pub(crate) fn permute(&mut self, order: &[u32]) {
        let mut new_row: Vec<u32> = Vec::new();
        for col in &mut self.columns {
            match col {
                Column::Dense { ids, .. } => *ids = ids.permuted(order),
                Column::Sparse { rows, ids } => {
                    if new_row.is_empty() {
                        new_row = vec![0; order.len()];
                        for (i, &r) in order.iter().enumerate() {
                            if let Some(slot) = new_row.get_mut(r as usize) {
                                *slot = i as u32;
                            }
                        }
                    }
                    let mut cells: Vec<(u32, u32)> = rows
                        .iter()
                        .zip(ids.iter())
                        .map(|(&r, &id)| (new_row.get(r as usize).copied().unwrap_or(r), id))
                        .collect();
                    cells.sort_unstable_by_key(|&(r, _)| r);
                    (*rows, *ids) = cells.into_iter().unzip();
                }
            }
        }
    }

    /// The column names, as first written in the data.
    pub fn names(&self) -> &[String] {
        &self.names.list
    }

    /// The column named `name`, ignoring case (`actor1` finds `ACTOR1`).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.names.get(name).or_else(|| {
            self.names
                .by_lower
                .get(name.to_lowercase().as_str())
                .map(|&i| i as usize)
        })
    }

    /// The text of a cell; `""` for a row that lacks the field.
    pub fn get(&self, col: usize, row: usize) -> &str {
        self.text(self.cell_id(col, row))
    }

    /// The interned id of a cell, for fast equality tests against an
    /// interned literal (see [`Fields::lookup`]).
    pub fn cell_id(&self, col: usize, row: usize) -> u32 {
        self.columns.get(col).map_or(0, |c| c.get(row))
    }

    /// The interned id of `text`, if any cell holds it.
    pub fn lookup(&self, text: &str) -> Option<u32> {
        self.find(hash_of(text), text)
    }

    /// Every distinct text of the column (for matching a filter once per
    /// distinct value instead of once per row), as (id, text).
    pub fn distinct(&self) -> impl Iterator<Item = (u32, &str)> {
        self.strings
            .iter()
            .enumerate()
            .map(|(i, s)| (i as u32, &**s))
    }

    /// Number of distinct texts (ids run from 0 to this, exclusive).
    pub fn distinct_count(&self) -> usize {
        self.strings.len()
    }

    /// The text of an interned id (see [`Fields::cell_id`]); `""` for an
    /// unknown id.
    pub fn text_of(&self, id: u32) -> &str {
        self.text(id)
    }

    /// How many rows hold each distinct text in column `col`, indexed by
    /// id (id 0 counts the rows without a cell): one pass over the
    /// column's cells, not over every row.
    pub fn counts_in(&self, col: usize) -> Vec<u32> {
        let mut counts = vec![0u32; self.strings.len()];
        let Some(column) = self.columns.get(col) else {
            counts[0] = self.rows as u32;
            return counts;
        };
        for (_, id) in column.cells() {
            if let Some(n) = counts.get_mut(id as usize) {
                *n += 1;
            }
        }
        counts[0] = self.rows.saturating_sub(column.filled()) as u32;
        counts
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_in_a_column_count_its_cells_alone() {
        let mut f = Fields::new();
        let a = f.column_or_insert("actor");
        let b = f.column_or_insert("place");
        f.push_row([(a, "Houthi"), (b, "Aden")]);
        f.push_row([(a, "Houthi")]);
        f.push_row([(b, "Houthi")]);
        let counts = f.counts_in(a);
        let houthi = f.lookup("Houthi").unwrap();
        let aden = f.lookup("Aden").unwrap();
        assert_eq!(f.text_of(houthi), "Houthi");
        assert_eq!(
            (counts[0], counts[houthi as usize], counts[aden as usize]),
            (1, 2, 0)
        );
        assert_eq!(f.counts_in(b)[0], 1);
        // A column past those holding cells: every row is without one.
        assert_eq!(f.counts_in(7)[0], 3);
    }

    #[test]
    fn columns_are_found_ignoring_case_and_missing_cells_are_empty() {
        let mut f = Fields::new();
        let a = f.column_or_insert("ACTOR1");
        f.push_row([(a, "Houthi")]);
        let b = f.column_or_insert("notes");
        f.push_row([(b, "x")]);
        assert_eq!(f.column("actor1"), Some(a));
        assert_eq!(f.column_or_insert("Actor1"), a);
        assert_eq!(f.names(), ["ACTOR1", "notes"]);
        assert_eq!(f.get(a, 0), "Houthi");
        assert_eq!(f.get(b, 0), "");
        assert_eq!(f.get(a, 1), "");
        assert_eq!(f.get(b, 1), "x");
        f.permute(&[1, 0]);
        assert_eq!(f.get(a, 1), "Houthi");
        assert_eq!(f.cell_id(a, 1), f.lookup("Houthi").unwrap());
    }

    #[test]
    fn fields_joined_in_order_number_their_texts_as_fields_read_whole() {
        let rows = [["x", "y"], ["z", "x"], ["", "w"], ["y", "v"]];
        let piece = |rows: &[[&str; 2]]| {
            let mut f = Fields::new();
            let (a, b) = (f.column_or_insert("a"), f.column_or_insert("B"));
            for (r, [x, y]) in rows.iter().enumerate() {
                f.set(a, r, x);
                f.set(b, r, y);
            }
            f
        };
        let whole = piece(&rows);
        let mut joined = piece(&[]);
        joined.append_in_order(piece(&rows[..1]));
        joined.append_in_order(piece(&rows[1..]));
        let texts = |f: &Fields| {
            f.distinct()
                .map(|(i, t)| (i, t.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(texts(&joined), texts(&whole));
        assert_eq!(joined, whole);
        for r in 0..rows.len() {
            assert_eq!(joined.cell_id(1, r), whole.cell_id(1, r));
        }
        assert_eq!(joined.lookup("w"), whole.lookup("w"));
        assert_eq!((joined.lookup(""), joined.lookup("q")), (Some(0), None));
    }

    #[test]
    fn a_cell_set_again_in_its_row_is_replaced_and_may_be_emptied() {
        let mut f = Fields::new();
        let a = f.column_or_insert("a");
        f.set(a, 0, "x");
        f.set(a, 0, "y");
        f.set(a, 5, "z");
        f.set(a, 5, "");
        assert_eq!((f.get(a, 0), f.get(a, 5), f.rows()), ("y", "", 6));
    }

    #[test]
    fn a_column_per_row_costs_one_cell_a_row() {
        let mut f = Fields::new();
        for row in 0..2_000 {
            let col = f.column_or_insert(&format!("f{row}"));
            f.push_row([(col, "x")]);
        }
        let stored: usize = f
            .columns
            .iter()
            .map(|c| match c {
                Column::Dense { ids, .. } => ids.len(),
                Column::Sparse { rows, .. } => rows.len(),
            })
            .sum();
        // The first column is dense from row 0; every other holds one cell.
        assert_eq!(stored, 2_000);
        assert_eq!(f.get(1_999, 1_999), "x");
        assert_eq!(f.get(1_999, 1_998), "");
        assert_eq!(f.get(0, 0), "x");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// The fields as the plain grid they stand for: one text per row and
    /// column, as a `Vec` of rows.
    fn grid(f: &Fields) -> Vec<Vec<String>> {
        (0..f.rows())
            .map(|r| {
                (0..f.names().len())
                    .map(|c| f.get(c, r).to_string())
                    .collect()
            })
            .collect()
    }

    proptest! {
        /// Whatever the mix of full and sparse columns, rows added one by
        /// one, appended from another `Fields` and reordered read back as
        /// a plain grid of cells does.
        #[test]
        fn sparse_storage_reads_back_as_a_grid(
            rows in proptest::collection::vec(
                proptest::collection::vec((0usize..6, 0usize..4), 0..5), 0..60),
            split in 0usize..60,
            seed in any::<u64>(),
        ) {
            let names = ["a", "B", "c", "D", "e", "f"];
            let texts = ["", "x", "y", "a longer text"];
            let mut want: Vec<Vec<String>> = Vec::new();
            let mut whole = Fields::new();
            let mut first = Fields::new();
            let mut second = Fields::new();
            let mut order_of_names: Vec<&str> = Vec::new();
            for (r, row) in rows.iter().enumerate() {
                let mut cells = vec![None; names.len()];
                for &(c, t) in row {
                    cells[c] = Some(texts[t]);
                }
                let part = if r < split { &mut first } else { &mut second };
                let mut pairs = Vec::new();
                let mut whole_pairs = Vec::new();
                for (c, t) in cells.iter().enumerate() {
                    if let Some(t) = t {
                        if !order_of_names.contains(&names[c]) {
                            order_of_names.push(names[c]);
                        }
                        pairs.push((part.column_or_insert(&names[c].to_uppercase()), *t));
                        whole_pairs.push((whole.column_or_insert(names[c]), *t));
                    }
                }
                part.push_row(pairs);
                whole.push_row(whole_pairs);
                want.push(cells.iter().map(|t| t.unwrap_or("").to_string()).collect());
            }
            // The grid in the order the names first appeared.
            let by_name = |g: &Vec<Vec<String>>| -> Vec<Vec<String>> {
                g.iter().map(|row| order_of_names.iter().map(|n| {
                    row[names.iter().position(|m| m == n).unwrap_or(0)].clone()
                }).collect()).collect()
            };
            let want = by_name(&want);
            prop_assert_eq!(&grid(&whole), &want);
            let mut appended = Fields::new();
            appended.append_owned(first);
            appended.append(&second);
            prop_assert_eq!(appended.rows(), want.len());
            for (c, n) in order_of_names.iter().enumerate() {
                let col = appended.column(n);
                prop_assert!(col.is_some());
                for (r, row) in want.iter().enumerate() {
                    prop_assert_eq!(appended.get(col.unwrap_or(0), r), row[c].as_str());
                }
            }
            let mut order: Vec<u32> = (0..want.len() as u32).collect();
            let mut x = seed | 1;
            for i in (1..order.len()).rev() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                order.swap(i, (x % (i as u64 + 1)) as usize);
            }
            whole.permute(&order);
            let permuted: Vec<Vec<String>> = order.iter().map(|&i| want[i as usize].clone()).collect();
            prop_assert_eq!(grid(&whole), permuted);
        }
    }
}
