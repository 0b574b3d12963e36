//! The lines a diagnostic quotes, as codespan-reporting is given them:
//! only the lines it marks (and their neighbours), each cut to a window
//! around the marks, with control characters escaped and secrets masked.
//!
//! codespan quotes whatever [`Files::line_range`] returns; given the source
//! itself it would quote a 20 MB line whole, escape sequences and all.
//! Here it gets a small text of its own, with the spans moved into it; the
//! line numbers and the column in the header stay those of the real file.

use super::escape::{ceil_boundary, cut_marker, floor_boundary, push_visible, EXCERPT_BYTES};
use super::redact::{Redactor, MASK};
use super::{Diagnostic, FileId, SourceMap};
use codespan_reporting::files::{Error as FilesError, Files};
use std::collections::BTreeSet;
use std::ops::Range;

/// How far before the first mark on a long line its window starts, in
/// bytes: enough context to recognise the place.
const LEAD_BYTES: usize = 40;

/// One quoted line.
struct Line {
    /// 0-based line number in the real file.
    index: usize,
    /// Where the line starts in the real file.
    real_start: usize,
    /// Its range in the excerpt text, the line end included.
    range: Range<usize>,
    /// Real offset → excerpt offset at each char boundary of the window,
    /// both increasing.
    map: Vec<(usize, usize)>,
}

struct ExcerptFile {
    id: FileId,
    name: String,
    text: String,
    /// Sorted by `index`.
    lines: Vec<Line>,
}

/// The quoted lines of one diagnostic's files; implements [`Files`] for
/// codespan-reporting.
pub(crate) struct Excerpt<'s> {
    sources: &'s SourceMap,
    files: Vec<ExcerptFile>,
}

impl<'s> Excerpt<'s> {
    /// The lines `d` marks, from `sources`.
    pub(crate) fn new(d: &Diagnostic, sources: &'s SourceMap, redactor: &Redactor) -> Excerpt<'s> {
        let mut wanted: Vec<(FileId, BTreeSet<usize>, Vec<usize>)> = Vec::new();
        for l in &d.labels {
            let file = l.span.file;
            let slot = match wanted.iter().position(|w| w.0 == file) {
                Some(k) => k,
                None => {
                    wanted.push((file, BTreeSet::new(), Vec::new()));
                    wanted.len() - 1
                }
            };
            let len = sources.text(file).len();
            let (start, end) = (l.span.start as usize, l.span.end as usize);
            let (start, end) = (start.min(len), end.min(len).max(start.min(len)));
            let first = line_of(sources, file, start);
            let last = line_of(sources, file, end);
            // The lines codespan may show: the first and last marked ones,
            // the few after the first and before the last it keeps as
            // context, and a neighbour of each (it shows a single line
            // between two shown ones rather than a gap).
            let (_, lines, marks) = &mut wanted[slot];
            for k in first.saturating_sub(1)..=(first + 4).min(last + 1) {
                lines.insert(k);
            }
            for k in last.saturating_sub(2).max(first)..=last + 1 {
                lines.insert(k);
            }
            marks.push(start);
            marks.push(end);
        }
        let files = wanted
            .into_iter()
            .map(|(id, lines, mut marks)| {
                marks.sort_unstable();
                build(sources, id, &lines, &marks, redactor)
            })
            .collect();
        Excerpt { sources, files }
    }

    fn line(&self, id: FileId, index: usize) -> Option<&Line> {
        let f = self.file(id).ok()?;
        f.lines
            .binary_search_by_key(&index, |l| l.index)
            .ok()
            .map(|k| &f.lines[k])
    }

    fn file(&self, id: FileId) -> Result<&ExcerptFile, FilesError> {
        self.files
            .iter()
            .find(|f| f.id == id)
            .ok_or(FilesError::FileMissing)
    }

    /// Where real offset `offset` of `file` is in the excerpt.
    pub(crate) fn offset(&self, file: FileId, offset: usize) -> usize {
        let index = line_of(
            self.sources,
            file,
            offset.min(self.sources.text(file).len()),
        );
        let Some(line) = self.line(file, index) else {
            return 0;
        };
        let k = line.map.partition_point(|&(real, _)| real <= offset);
        line.map[k.saturating_sub(1)].1
    }
}

fn line_of(sources: &SourceMap, file: FileId, offset: usize) -> usize {
    sources
        .line_starts(file)
        .partition_point(|&s| s <= offset)
        .saturating_sub(1)
}

fn build(
    sources: &SourceMap,
    id: FileId,
    lines: &BTreeSet<usize>,
    marks: &[usize],
    redactor: &Redactor,
) -> ExcerptFile {
    let text = sources.text(id);
    let starts = sources.line_starts(id);
    let mut out = ExcerptFile {
        id,
        name: super::escape::escape_controls(&redactor.redact(sources.name(id))).into_owned(),
        text: String::new(),
        lines: Vec::new(),
    };
    for &index in lines {
        let Some(&start) = starts.get(index) else {
            break;
        };
        let next = starts.get(index + 1).copied().unwrap_or(text.len());
        let body = text[start..next].trim_end_matches(['\n', '\r']);
        let end = start + body.len();
        let first_mark = marks
            .get(marks.partition_point(|&m| m < start))
            .copied()
            .filter(|&m| m <= next);
        out.lines.push(quote(
            &mut out.text,
            text,
            index,
            start..end,
            first_mark,
            redactor,
        ));
    }
    out
}

/// Appends the quoted form of `text[line]` to `out`.
fn quote(
    out: &mut String,
    text: &str,
    index: usize,
    line: Range<usize>,
    first_mark: Option<usize>,
    redactor: &Redactor,
) -> Line {
    let begin = out.len();
    let (mut from, mut to) = (line.start, line.end);
    if to - from > EXCERPT_BYTES {
        let anchor = first_mark.unwrap_or(from).clamp(from, to);
        from = floor_boundary(text, anchor.saturating_sub(LEAD_BYTES).max(line.start));
        to = ceil_boundary(text, (from + EXCERPT_BYTES).min(line.end));
    }
    // A secret across an edge of the window is masked whole, not shown in
    // part: the window grows to hold it.
    let reach = redactor.longest();
    let near = floor_boundary(text, from.saturating_sub(reach).max(line.start))
        ..ceil_boundary(text, (to + reach).min(line.end));
    let secrets: Vec<Range<usize>> = redactor
        .ranges(&text[near.clone()])
        .into_iter()
        .map(|r| r.start + near.start..r.end + near.start)
        .filter(|r| r.end > from && r.start < to)
        .collect();
    if let Some(r) = secrets.first() {
        from = from.min(r.start);
    }
    if let Some(r) = secrets.last() {
        to = to.max(r.end);
    }
    let mut map = vec![(line.start, begin)];
    if from > line.start {
        out.push_str(&format!("[{} bytes] …", from - line.start));
    }
    let mut at = from;
    let mut secrets = secrets.into_iter().peekable();
    while at < to {
        map.push((at, out.len()));
        if let Some(r) = secrets.next_if(|r| r.start <= at) {
            out.push_str(MASK);
            at = r.end;
            continue;
        }
        let Some(c) = text[at..].chars().next() else {
            break;
        };
        push_visible(out, c);
        at += c.len_utf8();
    }
    map.push((to, out.len()));
    if to < line.end {
        out.push_str(&cut_marker(line.end - to));
    }
    // Offsets past the window (and the line end itself) mark its end.
    map.push((to + 1, out.len()));
    out.push('\n');
    Line {
        index,
        real_start: line.start,
        range: begin..out.len(),
        map,
    }
}

impl<'a> Files<'a> for Excerpt<'_> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.file(id)?.name)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.file(id)?.text)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        let f = self.file(id)?;
        let k = f.lines.partition_point(|l| l.range.start <= byte_index);
        Ok(f.lines.get(k.saturating_sub(1)).map_or(0, |l| l.index))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let f = self.file(id)?;
        // A line inside a long multi-line mark that codespan passes over
        // without showing: an empty range will do.
        Ok(self
            .line(id, line_index)
            .map_or(f.text.len()..f.text.len(), |l| l.range.clone()))
    }

    fn column_number(
        &'a self,
        id: FileId,
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, FilesError> {
        let Some(line) = self.line(id, line_index) else {
            return Ok(1);
        };
        let k = line.map.partition_point(|&(_, shown)| shown <= byte_index);
        let real = line.map[k.saturating_sub(1)].0.max(line.real_start);
        Ok(self.sources.line_col(id, real).1)
    }
}
