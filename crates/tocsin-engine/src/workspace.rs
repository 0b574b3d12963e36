//! A workspace: rule files and data files, already read into memory, turned
//! into a checked model. Pure, so that the one-shot commands, tests and a
//! long-running process all build their model the same way.

use crate::data::{self, ColumnSelection, FieldNames, FileData, Format, Store};
use crate::diag::{Code, Diagnostic, FileId, SourceMap};
use crate::eval::Model;
use crate::lang::ast::RuleFile;
use crate::lang::parser::parse_file;
use crate::library::check;
use rayon::prelude::*;
use std::borrow::Cow;
use std::sync::Arc;

/// A file's contents as read, or the byte offset where it stopped being
/// valid UTF-8, or why it could not be read.
#[derive(Clone, Debug)]
pub enum Contents {
    /// The text.
    Text(String),
    /// Not UTF-8: where the first bad byte is.
    NotUtf8 {
        /// Byte offset.
        offset: usize,
        /// 1-based line.
        line: usize,
        /// 1-based column (in characters).
        col: usize,
        /// The file starts with a UTF-16 byte-order mark (an Excel
        /// "Unicode text" export).
        utf16: bool,
    },
    /// Could not be read.
    Unreadable(String),
    /// A device, pipe or socket, or a system file under `/proc` or `/sys`:
    /// not read.
    Special {
        /// What it is, as "a FIFO (named pipe)".
        what: String,
        /// Where the links it is reached through lead, if any.
        target: Option<String>,
    },
    /// Larger than [`size_limit`] allows: not read.
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The limit for its kind of file.
        limit: u64,
    },
    /// A CSV or TSV file over [`MAX_DATA_FILE`] that could not be read as
    /// it streams (a row the fast reading leaves to the whole read: an
    /// error in it, or a quote it reads differently), and is too large to
    /// be read whole.
    NotStreamed {
        /// Its size in bytes.
        size: u64,
    },
    /// A gzip-compressed file that could not be decompressed, or that
    /// decompresses past [`size_limit`].
    Undecodable(data::GzipError),
    /// Read by its loader and refused (a Parquet file that cannot be
    /// decoded, or a cell in it that cannot be read): why.
    Rejected(Box<Diagnostic>),
    /// A large plain CSV or TSV data file, or a Parquet file, looked at
    /// but not read: it is read (as it streams, or by the columns used)
    /// when parsed.
    Large {
        /// Its size in bytes, when looked at.
        size: u64,
        /// How to read it.
        read: Deferred,
    },
}

/// The reading of a [`Contents::Large`] file, left to the layer that
/// touches files: given the file's id and the field columns to keep, its
/// data read as it streams, or its contents read whole where that reading
/// gives up (for the general path to parse and to quote).
#[derive(Clone)]
pub struct Deferred(pub Arc<DeferredRead>);

/// See [`Deferred`].
pub type DeferredRead =
    dyn Fn(FileId, &ColumnSelection) -> Result<FileData, Contents> + Send + Sync;

impl std::fmt::Debug for Deferred {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Deferred")
    }
}

/// Largest rule or rule-test file read, in bytes.
pub const MAX_RULE_FILE: u64 = 16 << 20;
/// Largest data file read whole, in bytes.
pub const MAX_DATA_FILE: u64 = 1 << 30;
/// Largest data file read without ever being held whole, in bytes: a large
/// plain CSV or TSV file read as it streams, or a Parquet file read by
/// column. Only the columns some rule uses are kept, so memory follows
/// them, not the file.
pub const MAX_STREAMED_DATA_FILE: u64 = 64 << 30;

/// The size limit for a file, by its name: rule and test files are text
/// written by people, data files may be large exports.
pub fn size_limit(name: &str) -> u64 {
    if name.ends_with(".rules") || name.ends_with(".test") {
        MAX_RULE_FILE
    } else {
        MAX_DATA_FILE
    }
}

impl Contents {
    /// Classifies raw bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Contents {
        match String::from_utf8(bytes) {
            Ok(s) => Contents::Text(s),
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                let good = &e.as_bytes()[..offset];
                let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
                let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
                let col = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
                let utf16 = bytes_start_utf16(e.as_bytes());
                Contents::NotUtf8 {
                    offset,
                    line,
                    col,
                    utf16,
                }
            }
        }
    }
}

/// True when `bytes` start with a UTF-16 byte-order mark, either order.
fn bytes_start_utf16(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF])
}

impl SourceFile {
    /// A file read whole as `text`.
    pub fn text(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            name: name.into(),
            contents: Contents::Text(text.into()),
        }
    }

    /// Size in bytes (0 when unreadable).
    pub fn len(&self) -> usize {
        match &self.contents {
            Contents::Text(t) => t.len(),
            Contents::Large { size, .. } => usize::try_from(*size).unwrap_or(usize::MAX),
            _ => 0,
        }
    }

    /// True when the file is empty or unreadable.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One file handed to the workspace.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The name shown in diagnostics (the path as given or found).
    pub name: String,
    /// Its contents.
    pub contents: Contents,
}

/// Counts for the one-line summary of `check`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Rule files read.
    pub rule_files: usize,
    /// Items checked.
    pub items: usize,
    /// Data files read.
    pub data_files: usize,
    /// Series loaded.
    pub series: usize,
    /// Observations loaded.
    pub observations: usize,
}

/// The outcome of loading a workspace.
pub struct Workspace {
    /// Every file, for rendering diagnostics.
    pub sources: SourceMap,
    /// Errors and warnings, data files first, in path order.
    pub diagnostics: Vec<Diagnostic>,
    /// The model, when there was no error.
    pub model: Option<Model>,
    /// The loaded data.
    pub store: Store,
    /// What was read.
    pub counts: Counts,
}

impl Workspace {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// The error for a file that could not be read as text, if it could not.
pub fn unreadable(file: FileId, contents: &Contents) -> Option<Diagnostic> {
    match contents {
        Contents::Text(_) | Contents::Large { .. } => None,
        Contents::Rejected(d) => Some((**d).clone()),
        Contents::NotStreamed { size } => Some(
            Diagnostic::error(
                Code::OverLimit,
                format!(
                    "the file is {size} bytes: it could not be read as it streams, and a data file read whole is limited to {} MiB",
                    MAX_DATA_FILE >> 20
                ),
            )
            .in_file(file)
            .with_note("a large file is read as it streams unless a row needs the whole read: an error in the data (a bad date or value, a row with the wrong number of cells) or a quote read differently")
            .with_note("check a part of the file (`head -n 1000000`) to find the row, or convert the file to Parquet"),
        ),
        Contents::NotUtf8 {
            offset,
            line,
            col,
            utf16,
        } => {
            let mut d = Diagnostic::error(
                Code::Unreadable,
                format!("not valid UTF-8 (byte offset {offset})"),
            )
            .in_file(file);
            d.position = Some((*line, *col));
            if *utf16 {
                d = d.with_note("the file is UTF-16 (it starts with UTF-16's byte-order mark), as Excel's \"Unicode text\" writes it");
            }
            Some(d.with_note("tocsin reads UTF-8 text; re-save the file as UTF-8"))
        }
        Contents::TooLarge { size, limit } => Some(
            Diagnostic::error(
                Code::OverLimit,
                format!(
                    "the file is {size} bytes; {} are limited to {} MiB",
                    if *limit == MAX_RULE_FILE {
                        "rule and test files"
                    } else {
                        "data files"
                    },
                    limit >> 20
                ),
            )
            .in_file(file)
            .with_note("split it into several files"),
        ),
        Contents::Special { what, target } => {
            let message = match target {
                Some(target) => {
                    format!("leads to {target}, {what}: tocsin reads only regular files")
                }
                None => format!("is {what}: tocsin reads only regular files"),
            };
            Some(
                Diagnostic::error(Code::SpecialFile, message)
                    .in_file(file)
                    .with_note("copy the data into a regular file, or point the link at one"),
            )
        }
        Contents::Unreadable(why) => Some(
            Diagnostic::error(Code::Unreadable, format!("cannot be read: {why}"))
                .in_file(file)
                .with_note("check that the file exists and that tocsin may read it"),
        ),
        Contents::Undecodable(data::GzipError::TooLarge { limit }) => Some(
            Diagnostic::error(
                Code::OverLimit,
                format!(
                    "decompressed, the file holds more than {limit} bytes; data files are limited to {} MiB",
                    limit >> 20
                ),
            )
            .in_file(file)
            .with_note("split it into several files"),
        ),
        Contents::Undecodable(why) => Some(
            Diagnostic::error(Code::Undecodable, format!("cannot be decompressed: {why}"))
                .in_file(file)
                .with_note("a file whose name ends in `.gz` must be gzip data, whole: compress it again with `gzip`, or drop `.gz` from its name if it is not compressed"),
        ),
    }
}

/// The stem of a file name: without folders, `.gz` and its extension.
fn stem(name: &str) -> &str {
    data::file_stem(name)
}

/// Parses one data file, already registered in the source map as `id`,
/// keeping the cells of the field columns `selection` keeps.
pub fn parse_data_file(
    id: FileId,
    file: &SourceFile,
    selection: &ColumnSelection,
) -> Result<FileData, Diagnostic> {
    let whole;
    let contents = match &file.contents {
        Contents::Large { read, .. } => match (read.0)(id, selection) {
            Ok(data) => return Ok(data),
            Err(contents) => {
                whole = contents;
                &whole
            }
        },
        contents => contents,
    };
    let Contents::Text(text) = contents else {
        return Err(unreadable(id, contents)
            .unwrap_or_else(|| Diagnostic::error(Code::Unreadable, "unreadable")));
    };
    let format = Format::of_file_name(&file.name).unwrap_or(Format::Csv);
    data::load_selected(id, stem(&file.name), format, text, selection)
}

/// Which field columns of the data files loading keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeptColumns {
    /// Those that some rule reads (see [`columns_read`]): the cells of the
    /// others would cost memory and time and change no result.
    Read,
    /// Every column, for what shows whole observations (`explain`).
    All,
}

/// The field columns that the rules of `files` may read, as a selection
/// for the data loaders: any field a rule reads anywhere is kept in every
/// data file.
pub fn columns_read<'a>(files: impl IntoIterator<Item = &'a RuleFile>) -> ColumnSelection {
    let names = fields_read(files);
    ColumnSelection::Only(FieldNames::new(names.iter().map(String::as_str)))
}

/// The field names the rules of `files` may read (see
/// [`crate::lang::fields_read`]): the union of each file's, so that a
/// caller holding files apart may keep each file's and join them.
pub fn fields_read<'a>(
    files: impl IntoIterator<Item = &'a RuleFile>,
) -> std::collections::BTreeSet<String> {
    crate::lang::fields_read::fields_read(files, crate::library::signatures())
}

/// What parsing one data file gives: the data or why the file was
/// rejected, and its text when a diagnostic quotes it.
type Parsed = (Result<FileData, Diagnostic>, Option<String>);

/// Gets data file `k` (reads it, or lends it) and parses it.
fn parse_nth<'a>(
    ids: &[FileId],
    file: &(impl Fn(usize) -> Cow<'a, SourceFile> + Sync),
    k: usize,
    selection: &ColumnSelection,
) -> Parsed {
    let mut f = file(k);
    if let Contents::Large { read, .. } = &f.contents {
        match (read.0)(ids[k], selection) {
            Ok(data) => return (Ok(data), None),
            // Read whole after all: parsed, and quoted, as any other file.
            Err(contents) => {
                f = Cow::Owned(SourceFile {
                    name: f.name.clone(),
                    contents,
                })
            }
        }
    }
    let result = parse_data_file(ids[k], &f, selection);
    // Keep a file's text only when a diagnostic quotes it.
    let quoted = result.as_ref().map_or(true, |fd| !fd.warnings.is_empty());
    let mut text = match (quoted, f) {
        (false, _) => None,
        (
            true,
            Cow::Owned(SourceFile {
                contents: Contents::Text(text),
                ..
            }),
        ) => Some(text),
        (
            true,
            Cow::Borrowed(SourceFile {
                contents: Contents::Text(text),
                ..
            }),
        ) => Some(text.clone()),
        (true, _) => None,
    };
    if let (Err(d), Some(t)) = (&result, &mut text) {
        keep_quoted_part(t, d);
    }
    (result, text)
}

/// Cuts the text of a rejected file after what its diagnostic quotes: the
/// line of its mark, or 64 KiB past the mark in a longer line. A file of
/// one huge line would otherwise be held twice over for the one line of
/// context shown.
fn keep_quoted_part(text: &mut String, d: &Diagnostic) {
    let end = d
        .labels
        .iter()
        .map(|l| l.span.end as usize)
        .max()
        .unwrap_or(0)
        .min(text.len());
    let rest = &text.as_bytes()[end..];
    let line_end = rest.iter().take(64 << 10).position(|&c| c == b'\n');
    let mut cut = end + line_end.unwrap_or(rest.len().min(64 << 10));
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    if cut < text.len() {
        text.truncate(cut);
        text.shrink_to_fit();
    }
}

/// Most threads files are parsed on, however many cores there are.
const MAX_WORKERS: usize = 8;

/// Stack of each parsing thread: rule parsing recurses, and gets the same
/// room as the command's main thread.
const WORKER_STACK: usize = 256 << 20;

/// Total size of rule files below which they are parsed on one thread.
/// Rules take about ten times longer per byte than CSV: sharing them out
/// pays off on less.
const MIN_RULE_BYTES: usize = 64 << 10;

/// Total size of data files below which they are parsed on one thread:
/// below a megabyte the threads cost more than they save.
const MIN_DATA_BYTES: usize = 1 << 20;

/// Threads for parsing: one a core, up to [`MAX_WORKERS`].
fn workers() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_WORKERS)
}

/// Whether `files` files of `bytes` bytes in all (when known) are worth
/// sharing out between `workers` threads.
fn share_out(workers: usize, files: usize, bytes: Option<usize>, min_bytes: usize) -> bool {
    workers >= 2 && files >= 2 && bytes.is_none_or(|b| b >= min_bytes)
}

/// `work(k)` for every `k` below `n`, in that order; on [`workers`]
/// threads of their own when `share` is true. Each file is a task of its
/// own, taken by whichever thread is free, so that a few large files do not
/// leave a core idle. The threads end with the call: they would otherwise
/// hold on to their heaps, which the threads that build the model next
/// could not reuse (5 MB more at the peak of an `eval` of 1,000 rules
/// over 3.65 million observations).
fn map_files<R: Send>(n: usize, share: bool, work: impl Fn(usize) -> R + Sync) -> Vec<R> {
    let here = || (0..n).map(&work).collect();
    if !share {
        return here();
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(workers())
        .stack_size(WORKER_STACK)
        .thread_name(|k| format!("tocsin-parse-{k}"))
        .build_scoped(
            |thread| {
                crate::heap::reserve_if_asked();
                thread.run()
            },
            |pool| pool.install(|| (0..n).into_par_iter().with_max_len(1).map(&work).collect()),
        )
        // No thread to be had: the calling thread does the work.
        .unwrap_or_else(|_| here())
}

/// Parses data files, on every core when they are worth it; results keep
/// the files' order. `bytes` is their total size when known.
fn parse_data_files<'a>(
    ids: &[FileId],
    bytes: Option<usize>,
    file: impl Fn(usize) -> Cow<'a, SourceFile> + Sync,
    selection: &ColumnSelection,
) -> Vec<Parsed> {
    let share = share_out(workers(), ids.len(), bytes, MIN_DATA_BYTES);
    map_files(ids.len(), share, |k| parse_nth(ids, &file, k, selection))
}

/// The names of data files that were rejected.
fn rejected_data_files(diagnostics: &[Diagnostic], sources: &SourceMap) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d.is_error())
        .filter_map(|d| d.file.map(|f| sources.name(f).to_string()))
        .collect()
}

/// Parses rule files, on every core when they are worth it; results keep
/// the files' order.
fn parse_rule_files(files: &[(FileId, &str)]) -> Vec<(RuleFile, Vec<Diagnostic>)> {
    let bytes = files.iter().map(|(_, t)| t.len()).sum();
    let share = share_out(workers(), files.len(), Some(bytes), MIN_RULE_BYTES);
    map_files(files.len(), share, |k| parse_file(files[k].0, files[k].1))
}

/// The rule files' syntax trees, by file.
pub type Syntax = Vec<(FileId, RuleFile)>;

/// Parses, checks and binds the rule files to the data files. Both lists
/// must be in path order. Only the field columns that rules read are kept.
pub fn load(rule_files: &[SourceFile], data_files: &[SourceFile]) -> Workspace {
    load_keeping(rule_files, data_files, KeptColumns::Read)
}

/// Like [`load`], keeping the field columns `kept` says.
pub fn load_keeping(
    rule_files: &[SourceFile],
    data_files: &[SourceFile],
    kept: KeptColumns,
) -> Workspace {
    let names: Vec<&str> = data_files.iter().map(|f| f.name.as_str()).collect();
    let bytes = data_files.iter().map(SourceFile::len).sum();
    load_from(rule_files, &names, Some(bytes), kept, |k| {
        Cow::Borrowed(&data_files[k])
    })
    .0
}

/// Like [`load`], but the data files are read as they are parsed, on every
/// core: `read(k)` gives the contents of the file named `data_names[k]`.
/// Reading overlaps parsing, and each file's text is freed once parsed
/// (unless a diagnostic quotes it) rather than all of it held at once.
///
/// The rule files' syntax trees, which loading no longer needs, are handed
/// back too, so that a one-shot command may leave them to the process exit
/// rather than free them node by node.
pub fn load_reading(
    rule_files: &[SourceFile],
    data_names: &[&str],
    kept: KeptColumns,
    read: impl Fn(usize) -> Contents + Sync,
) -> (Workspace, Syntax) {
    load_from(rule_files, data_names, None, kept, |k| {
        Cow::Owned(SourceFile {
            name: data_names[k].to_string(),
            contents: read(k),
        })
    })
}

/// Series above which the store is built on a thread of its own while
/// the rules are checked.
const PARALLEL_CHECK_SERIES: usize = 1_000;

/// Rule files are parsed first, so that the data loaders know which
/// field columns to keep; diagnostics keep their order (data files first).
fn load_from<'a>(
    rule_files: &[SourceFile],
    data_names: &[&str],
    data_bytes: Option<usize>,
    kept: KeptColumns,
    data_file: impl Fn(usize) -> Cow<'a, SourceFile> + Sync,
) -> (Workspace, Syntax) {
    let mut sources = SourceMap::new();
    let mut diagnostics = Vec::new();
    let data_ids: Vec<FileId> = data_names.iter().map(|n| sources.add(*n, "")).collect();
    // Ids in path order first, then the texts parsed together; an
    // unreadable file keeps its place among the diagnostics.
    let ids: Vec<(FileId, Option<&str>)> = rule_files
        .iter()
        .map(|f| match &f.contents {
            Contents::Text(text) => (sources.add(&f.name, text.as_str()), Some(text.as_str())),
            _ => (sources.add(&f.name, ""), None),
        })
        .collect();
    let texts: Vec<(FileId, &str)> = ids
        .iter()
        .filter_map(|(id, text)| text.map(|t| (*id, t)))
        .collect();
    let mut results = parse_rule_files(&texts).into_iter();
    let mut parsed = Vec::new();
    let mut rule_diagnostics = Vec::new();
    for ((id, text), f) in ids.iter().zip(rule_files) {
        match text.and_then(|_| results.next()) {
            Some((rf, diags)) => {
                rule_diagnostics.extend(diags);
                parsed.push((*id, rf));
            }
            None => rule_diagnostics.extend(unreadable(*id, &f.contents)),
        }
    }
    let selection = match kept {
        KeptColumns::Read => columns_read(parsed.iter().map(|(_, rf)| rf)),
        KeptColumns::All => ColumnSelection::All,
    };
    let mut loaded = Vec::new();
    let parsed_data = parse_data_files(&data_ids, data_bytes, data_file, &selection);
    for ((&id, name), (result, text)) in data_ids.iter().zip(data_names).zip(parsed_data) {
        if let Some(text) = text {
            sources.set_text(id, text);
        }
        match result {
            Ok(fd) => {
                diagnostics.extend(fd.warnings.iter().cloned());
                loaded.push(fd);
            }
            Err(d) => {
                diagnostics.push(d);
                // The series of a rejected file are known to exist, so that
                // rules that use them do not also report unknown names.
                let series = data::series_name(stem(name));
                loaded.push(FileData {
                    batches: vec![data::Batch {
                        series,
                        ..data::Batch::default()
                    }],
                    ..FileData::default()
                });
            }
        }
    }
    // The series' names, for the check, from the files: the store is
    // built beside the check (each is one core's work).
    let mut names: Vec<String> = loaded
        .iter()
        .flat_map(|f| f.batches.iter().map(|b| b.series.clone()))
        .collect();
    names.sort_unstable();
    names.dedup();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let refs: Vec<(FileId, &crate::lang::ast::RuleFile)> =
        parsed.iter().map(|(id, rf)| (*id, rf)).collect();
    let (store, checked) = if names.len() >= PARALLEL_CHECK_SERIES {
        std::thread::scope(|scope| {
            let store = scope.spawn(|| Store::from_files(loaded));
            let checked = check(&refs, &names);
            let store = store
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            (store, checked)
        })
    } else {
        (Store::from_files(loaded), check(&refs, &names))
    };
    if rule_files.is_empty() {
        diagnostics.push(
            Diagnostic::warning(Code::NoRuleFiles, "no rule files found").with_note(
                "rule files end in `.rules`; tocsin looks under `rules/`, or where --rules points",
            ),
        );
    }
    // Data files only: a rule file's syntax error rejects no series.
    let rejected = rejected_data_files(&diagnostics, &sources);
    diagnostics.extend(rule_diagnostics);
    let counts = Counts {
        rule_files: rule_files.len(),
        items: checked.items,
        data_files: data_names.len(),
        series: store.len(),
        observations: store.observations(),
    };
    let ok = !checked.has_errors() && !diagnostics.iter().any(Diagnostic::is_error);
    diagnostics.extend(checked.diagnostics.into_iter().map(|mut d| {
        // The checker knows a data series by name only: say where it is.
        if d.code == Code::NameTakenBySeries {
            let name = d.message.split('`').nth(1).unwrap_or("");
            let file = store
                .get(name)
                .and_then(|id| store.series(id).source(0))
                .map(|(file, _)| sources.name(file).to_string());
            if let Some(file) = file {
                d.notes
                    .push(format!("the data series `{name}` is read from {file}"));
            }
        }
        // A series of a rejected file may be the one a rule misses.
        if d.code == Code::UnknownName
            && d.message.starts_with("unknown series")
            && !rejected.is_empty()
        {
            d.notes.push(format!(
                "{} could not be loaded (see above); fix it first",
                rejected.join(", ")
            ));
        }
        d
    }));
    let mut model = ok.then(|| Model::build(checked.program, &store));
    if let Some(m) = &model {
        diagnostics.extend(m.warnings.iter().cloned());
    }
    // Errors found only with the data (a `by:` field no series has, too
    // many instances) stop evaluation as the checker's do: no rule is
    // evaluated with instances it could not tell apart.
    if model
        .as_ref()
        .is_some_and(|m| m.warnings.iter().any(Diagnostic::is_error))
    {
        model = None;
    }
    let ws = Workspace {
        sources,
        diagnostics,
        model,
        store,
        counts,
    };
    (ws, parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utf16_file_is_said_to_be_one() {
        let notes = |bytes: &[u8]| {
            let d = unreadable(FileId(0), &Contents::from_bytes(bytes.to_vec())).unwrap();
            (d.position, d.notes.len())
        };
        assert_eq!(notes(b"\xff\xfed\0a\0"), (Some((1, 1)), 2));
        assert_eq!(notes(b"date\n2024\xff"), (Some((2, 5)), 1));
    }

    #[test]
    fn small_inputs_are_parsed_on_the_calling_thread() {
        assert!(!share_out(1, 100, None, MIN_DATA_BYTES));
        assert!(!share_out(8, 1, None, MIN_DATA_BYTES));
        assert!(!share_out(8, 10, Some(MIN_DATA_BYTES - 1), MIN_DATA_BYTES));
        assert!(share_out(8, 10, Some(MIN_DATA_BYTES), MIN_DATA_BYTES));
        // Files read as they are parsed: their size is not known.
        assert!(share_out(2, 2, None, MIN_DATA_BYTES));
        assert!(!share_out(8, 10, Some(MIN_RULE_BYTES - 1), MIN_RULE_BYTES));
        assert!(share_out(8, 10, Some(MIN_RULE_BYTES), MIN_RULE_BYTES));
        let caller = std::thread::current().id();
        let ran_on = map_files(50, false, |_| std::thread::current().id());
        assert!(ran_on.iter().all(|&id| id == caller));
    }

    #[test]
    fn shared_out_results_keep_the_files_order() {
        // Uneven tasks, so that they finish out of order.
        let out = map_files(300, true, |k| {
            let spin = if k % 7 == 0 { 20_000 } else { 10 };
            (0..spin).fold(k, |a, i| std::hint::black_box(a ^ i) ^ i)
        });
        assert_eq!(out, (0..300).collect::<Vec<_>>());
    }

    #[test]
    fn parsing_threads_have_the_main_threads_stack() {
        // 16 frames of 1 MiB: past the 2 MiB a pool thread gets by default
        // and the 8 MiB of a process's first thread.
        fn deep(n: u8) -> u8 {
            let frame = std::hint::black_box([n; 1 << 20]);
            if n == 0 {
                frame[0]
            } else {
                deep(n - 1).wrapping_add(frame[1 << 19])
            }
        }
        let out = map_files(2, true, |_| {
            let name = std::thread::current().name().map(str::to_string);
            (name, deep(16))
        });
        for (name, sum) in out {
            assert!(name.is_some_and(|n| n.starts_with("tocsin-parse")));
            assert_eq!(sum, (0..=16).sum::<u8>());
        }
    }
}
