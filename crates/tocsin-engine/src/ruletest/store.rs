//! The data of one test: its file's `data` blocks and its own, laid out as
//! observations and loaded into a [`Store`] like the rows of a data file.

use super::ast::{DataBlock, DataField, Entry, Test};
use super::parser::run_date;
use crate::data::{Batch, FileData, Store};
use crate::diag::{FileId, SourceMap};

/// The blocks a test sees: the file's, except those the test gives again,
/// then the test's own.
pub fn blocks_of<'a>(file_data: &'a [DataBlock], test: &'a Test) -> Vec<&'a DataBlock> {
    let own = |name: &str| test.data.iter().any(|b| b.name.name == name);
    file_data
        .iter()
        .filter(|b| !own(&b.name.name))
        .chain(&test.data)
        .collect()
}

/// Builds the store of one test from its blocks, read from `file`.
pub fn build(file: FileId, blocks: &[&DataBlock], sources: &SourceMap) -> Store {
    let batches = blocks.iter().map(|b| batch(file, b, sources)).collect();
    Store::build([&FileData {
        file,
        batches,
        ..FileData::default()
    }])
}

/// The observations of one block, in file order.
pub fn batch(file: FileId, block: &DataBlock, sources: &SourceMap) -> Batch {
    let mut rows: Rows = Rows::default();
    let line = |offset: u32| sources.line_col(file, offset as usize).0 as u32;
    for entry in &block.entries {
        match entry {
            Entry::Point(p) => rows.push(
                p.date,
                p.value.unwrap_or(1.0),
                line(p.span.start),
                &p.fields,
            ),
            Entry::Run(r) => {
                let mut k = 0u64;
                for v in &r.values {
                    for _ in 0..v.count {
                        if let (Some(value), Some(date)) = (v.value, run_date(r, k)) {
                            rows.push(date, value, line(v.span.start), &r.fields);
                        }
                        k += 1;
                    }
                }
            }
        }
    }
    rows.into_batch(crate::data::series_name(&block.name.name))
}

/// Observations collected column by column.
#[derive(Default)]
struct Rows {
    dates: Vec<crate::time::Date>,
    values: Vec<f64>,
    lines: crate::data::Lines,
    field_names: Vec<String>,
    /// Each row's fields as (column, text).
    cells: Vec<Vec<(usize, String)>>,
}

impl Rows {
    fn push(&mut self, date: crate::time::Date, value: f64, line: u32, fields: &[DataField]) {
        self.dates.push(date);
        self.values.push(value);
        self.lines.push(line);
        let row = fields
            .iter()
            .map(|f| {
                let col = match self.field_names.iter().position(|n| *n == f.name) {
                    Some(c) => c,
                    None => {
                        self.field_names.push(f.name.clone());
                        self.field_names.len() - 1
                    }
                };
                (col, f.text.clone())
            })
            .collect();
        self.cells.push(row);
    }

    fn into_batch(self, series: String) -> Batch {
        let width = self.field_names.len();
        let mut cells: Vec<Box<str>> = vec![Box::from(""); self.dates.len() * width];
        for (r, row) in self.cells.into_iter().enumerate() {
            for (c, text) in row {
                cells[r * width + c] = text.into_boxed_str();
            }
        }
        Batch {
            series,
            dates: self.dates,
            values: self.values,
            lines: self.lines,
            field_names: self.field_names,
            cells,
            ..Batch::default()
        }
    }
}
