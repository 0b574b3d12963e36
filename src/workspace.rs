//! A workspace: rule files and data files, already read into memory, turned
//! into a checked model. Pure, so that the one-shot commands, tests and a
//! long-running process all build their model the same way.

use crate::data::{self, FileData, Format, Store};
use crate::diag::{Code, Diagnostic, FileId, SourceMap};
use crate::eval::Model;
use crate::lang::check::check;
use crate::lang::parser::parse_file;
use std::borrow::Borrow;

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
    },
    /// Could not be read.
    Unreadable(String),
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
                Contents::NotUtf8 { offset, line, col }
            }
        }
    }
}

impl SourceFile {
    /// Size in bytes (0 when unreadable).
    pub fn len(&self) -> usize {
        match &self.contents {
            Contents::Text(t) => t.len(),
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
        Contents::Text(_) => None,
        Contents::NotUtf8 { offset, line, col } => Some(
            Diagnostic::error(
                Code::Unreadable,
                format!("line {line}, column {col}: not valid UTF-8 (byte offset {offset})"),
            )
            .in_file(file)
            .with_note("tocsin reads UTF-8 text; re-save the file as UTF-8"),
        ),
        Contents::Unreadable(why) => Some(
            Diagnostic::error(Code::Unreadable, format!("cannot be read: {why}"))
                .in_file(file)
                .with_note("check that the file exists and that tocsin may read it"),
        ),
    }
}

/// The stem of a file name: without folders and without its extension.
fn stem(name: &str) -> &str {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.rsplit_once('.').map_or(base, |(s, _)| s)
}

/// Parses one data file, already registered in the source map as `id`.
pub fn parse_data_file(id: FileId, file: &SourceFile) -> Result<FileData, Diagnostic> {
    let Contents::Text(text) = &file.contents else {
        return Err(unreadable(id, &file.contents)
            .unwrap_or_else(|| Diagnostic::error(Code::Unreadable, "unreadable")));
    };
    let format = Format::of_file_name(&file.name).unwrap_or(Format::Csv);
    data::load_text(id, stem(&file.name), format, text)
}

/// Parses data files on every core; results keep the files' order.
fn parse_data_files(files: &[(FileId, &SourceFile)]) -> Vec<Result<FileData, Diagnostic>> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let bytes: usize = files.iter().map(|(_, f)| f.len()).sum();
    if workers < 2 || files.len() < 2 || bytes < 1 << 20 {
        return files
            .iter()
            .map(|(id, f)| parse_data_file(*id, f))
            .collect();
    }
    // Contiguous chunks of about equal size, so that order is kept by
    // concatenating the chunks' results.
    let target = bytes / workers + 1;
    let mut chunks: Vec<&[(FileId, &SourceFile)]> = Vec::new();
    let (mut begin, mut size) = (0, 0);
    for (k, (_, f)) in files.iter().enumerate() {
        size += f.len();
        if size >= target {
            chunks.push(&files[begin..=k]);
            begin = k + 1;
            size = 0;
        }
    }
    chunks.push(&files[begin..]);
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|(id, f)| parse_data_file(*id, f))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// The names of data files that were rejected.
fn rejected_data_files(diagnostics: &[Diagnostic], sources: &SourceMap) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d.is_error())
        .filter_map(|d| d.file.map(|f| sources.name(f).to_string()))
        .collect()
}

/// Parses, checks and binds the rule files to the data files. Both lists
/// must be in path order.
pub fn load(rule_files: &[SourceFile], data_files: &[SourceFile]) -> Workspace {
    load_from(rule_files, data_files.iter().collect())
}

/// Like [`load`], but takes the data files, so that each one's text is
/// freed once it is parsed (unless a diagnostic quotes it) rather than
/// held while the model is built.
pub fn load_owned(rule_files: &[SourceFile], data_files: Vec<SourceFile>) -> Workspace {
    load_from(rule_files, data_files)
}

fn load_from<F: Borrow<SourceFile>>(rule_files: &[SourceFile], data_files: Vec<F>) -> Workspace {
    let mut sources = SourceMap::new();
    let mut diagnostics = Vec::new();
    let mut loaded = Vec::new();
    let data_count = data_files.len();
    let ids: Vec<(FileId, &SourceFile)> = data_files
        .iter()
        .map(|f| (sources.add(&f.borrow().name, ""), f.borrow()))
        .collect();
    let results = parse_data_files(&ids);
    let ids: Vec<FileId> = ids.into_iter().map(|(id, _)| id).collect();
    for ((id, f), result) in ids.into_iter().zip(data_files).zip(results) {
        let f = f.borrow();
        // Keep a file's text only when a diagnostic quotes it.
        let quoted = result.as_ref().map_or(true, |fd| !fd.warnings.is_empty());
        if let (true, Contents::Text(text)) = (quoted, &f.contents) {
            sources.set_text(id, text.as_str());
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
                let series = data::series_name(stem(&f.name));
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
    let store = Store::from_files(loaded);
    if rule_files.is_empty() {
        diagnostics.push(
            Diagnostic::warning(Code::NoRuleFiles, "no rule files found").with_note(
                "rule files end in `.rules`; tocsin looks under `rules/`, or where --rules points",
            ),
        );
    }
    let mut parsed = Vec::new();
    for f in rule_files {
        let Contents::Text(text) = &f.contents else {
            let id = sources.add(&f.name, "");
            diagnostics.extend(unreadable(id, &f.contents));
            continue;
        };
        let id = sources.add(&f.name, text.as_str());
        let (rf, diags) = parse_file(id, text);
        diagnostics.extend(diags);
        parsed.push((id, rf));
    }
    let names: Vec<&str> = store.iter().map(|(_, s)| s.name.as_str()).collect();
    let refs: Vec<(FileId, &crate::lang::ast::RuleFile)> =
        parsed.iter().map(|(id, rf)| (*id, rf)).collect();
    let checked = check(&refs, &names);
    let counts = Counts {
        rule_files: rule_files.len(),
        items: checked.items,
        data_files: data_count,
        series: store.len(),
        observations: store.observations(),
    };
    let ok = !checked.has_errors() && !diagnostics.iter().any(Diagnostic::is_error);
    let rejected = rejected_data_files(&diagnostics, &sources);
    diagnostics.extend(checked.diagnostics.into_iter().map(|mut d| {
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
    let model = ok.then(|| Model::build(checked.program, &store));
    if let Some(m) = &model {
        diagnostics.extend(m.warnings.iter().cloned());
    }
    Workspace {
        sources,
        diagnostics,
        model,
        store,
        counts,
    }
}
