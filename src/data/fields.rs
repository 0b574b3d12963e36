//! String fields of observations, stored by column with interned cells so
//! that a million rows of `actor = "Houthi"` cost four bytes each.

use crate::fxhash::FxHashMap;

/// The string fields of one series: named columns, one cell per row.
#[derive(Clone, Debug, Default)]
pub struct Fields {
    names: Vec<String>,
    lower: Vec<String>,
    columns: Vec<Vec<u32>>,
    strings: Vec<Box<str>>,
    interned: FxHashMap<Box<str>, u32>,
    rows: usize,
}

impl Fields {
    /// No columns, no rows.
    pub fn new() -> Fields {
        let mut f = Fields::default();
        f.intern("");
        f
    }

    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.interned.get(s) {
            return i;
        }
        let i = self.strings.len() as u32;
        self.strings.push(s.into());
        self.interned.insert(s.into(), i);
        i
    }

    /// The index of the column named `name`, ignoring case; adds it (empty
    /// for every existing row) when absent.
    pub(crate) fn column_or_insert(&mut self, name: &str) -> usize {
        if let Some(i) = self.column(name) {
            return i;
        }
        self.names.push(name.to_string());
        self.lower.push(name.to_lowercase());
        self.columns.push(vec![0; self.rows]);
        self.names.len() - 1
    }

    /// Appends a row; `cells` pairs column indices with text. Columns not
    /// named are empty in this row.
    pub(crate) fn push_row<'a>(&mut self, cells: impl IntoIterator<Item = (usize, &'a str)>) {
        for col in &mut self.columns {
            col.push(0);
        }
        for (col, text) in cells {
            let id = self.intern(text);
            self.columns[col][self.rows] = id;
        }
        self.rows += 1;
    }

    /// Appends `n` rows with every field empty.
    pub(crate) fn push_empty_rows(&mut self, n: usize) {
        for col in &mut self.columns {
            col.resize(col.len() + n, 0);
        }
        self.rows += n;
    }

    /// Reorders rows: row `i` of the result is row `order[i]` now.
    pub(crate) fn permute(&mut self, order: &[u32]) {
        for col in &mut self.columns {
            *col = order.iter().map(|&r| col[r as usize]).collect();
        }
    }

    /// The column names, as first written in the data.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The column named `name`, ignoring case (`actor1` finds `ACTOR1`).
    pub fn column(&self, name: &str) -> Option<usize> {
        let lower = name.to_lowercase();
        self.lower.iter().position(|n| *n == lower)
    }

    /// The text of a cell; `""` for a row that lacks the field.
    pub fn get(&self, col: usize, row: usize) -> &str {
        self.columns
            .get(col)
            .and_then(|c| c.get(row))
            .map_or("", |&i| &self.strings[i as usize])
    }

    /// The interned id of a cell, for fast equality tests against an
    /// interned literal (see [`Fields::lookup`]).
    pub fn cell_id(&self, col: usize, row: usize) -> u32 {
        self.columns
            .get(col)
            .and_then(|c| c.get(row))
            .copied()
            .unwrap_or(0)
    }

    /// The interned id of `text`, if any cell holds it.
    pub fn lookup(&self, text: &str) -> Option<u32> {
        self.interned.get(text).copied()
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

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_found_ignoring_case_and_missing_cells_are_empty() {
        let mut f = Fields::new();
        let a = f.column_or_insert("ACTOR1");
        f.push_row([(a, "Houthi")]);
        let b = f.column_or_insert("notes");
        f.push_row([(b, "x")]);
        assert_eq!(f.column("actor1"), Some(a));
        assert_eq!(f.get(a, 0), "Houthi");
        assert_eq!(f.get(b, 0), "");
        assert_eq!(f.get(a, 1), "");
        assert_eq!(f.get(b, 1), "x");
        f.permute(&[1, 0]);
        assert_eq!(f.get(a, 1), "Houthi");
        assert_eq!(f.cell_id(a, 1), f.lookup("Houthi").unwrap());
    }
}
