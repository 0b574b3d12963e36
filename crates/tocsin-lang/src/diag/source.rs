//! The files that diagnostics point into.

use std::sync::{Arc, OnceLock};

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct FileId(pub u32);

#[derive(Clone)]
struct SourceFile {
    name: String,
    text: Arc<str>,
    /// Found when first needed: most files never have a diagnostic.
    line_starts: OnceLock<Vec<usize>>,
}

impl SourceFile {
    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
    }
}

/// File names and texts, so that byte spans can be shown as `FILE:LINE:COL`
/// with the line quoted.
#[derive(Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<Arc<str>>) -> FileId {
        self.files.push(SourceFile {
            name: name.into(),
            text: text.into(),
            line_starts: OnceLock::new(),
        });
        FileId(self.files.len() as u32 - 1)
    }

    /// Replaces a file's text (kept only for files that have diagnostics).
    pub fn set_text(&mut self, id: FileId, text: impl Into<Arc<str>>) {
        let name = self.name(id).to_string();
        let fresh = {
            let mut m = SourceMap::new();
            m.add(name, text);
            m.files.pop()
        };
        if let (Some(slot), Some(fresh)) = (self.files.get_mut(id.0 as usize), fresh) {
            *slot = fresh;
        }
    }

    /// The file's name as given or found (for example `rules/taiwan.rules`).
    pub fn name(&self, id: FileId) -> &str {
        self.files
            .get(id.0 as usize)
            .map_or("<unknown>", |f| f.name.as_str())
    }

    /// The file's text.
    pub fn text(&self, id: FileId) -> &str {
        self.files.get(id.0 as usize).map_or("", |f| &f.text)
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when no file was added.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, id: FileId, offset: usize) -> (usize, usize) {
        let Some(f) = self.files.get(id.0 as usize) else {
            return (1, 1);
        };
        let offset = offset.min(f.text.len());
        let starts = f.line_starts();
        let line = starts.partition_point(|&s| s <= offset) - 1;
        let start = starts[line];
        let col = f
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// Byte offsets where each line starts (for the quoted excerpts).
    pub(crate) fn line_starts(&self, id: FileId) -> &[usize] {
        self.files
            .get(id.0 as usize)
            .map_or(&[0][..], |f| f.line_starts())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let mut m = SourceMap::new();
        let id = m.add("a.rules", "ab\ncdé f\n");
        assert_eq!(m.line_col(id, 0), (1, 1));
        assert_eq!(m.line_col(id, 3), (2, 1));
        assert_eq!(m.line_col(id, 8), (2, 5));
        assert_eq!(m.name(id), "a.rules");
    }
}
