//! A workspace: rule files and data files, already read into memory, turned
//! into a checked model. Pure, so that the one-shot commands, tests and a
//! long-running process all build their model the same way.

use crate::data::{self, FileData, Format, Store};
use crate::diag::{Code, Diagnostic, FileId, SourceMap};
use crate::eval::Model;
use crate::lang::ast::RuleFile;
use crate::lang::check::check;
use crate::lang::parser::parse_file;
use crate::parallel::in_parallel;

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
    in_parallel(
        files,
        |(_, f)| f.len(),
        1 << 20,
        |(id, f)| parse_data_file(*id, f),
    )
}

/// Parses rule files on every core; results keep the files' order.
fn parse_rule_files(files: &[(FileId, &str)]) -> Vec<(RuleFile, Vec<Diagnostic>)> {
    // Rules take about ten times longer per byte than CSV: sharing them
    // out pays off on less.
    in_parallel(
        files,
        |(_, t)| t.len(),
        64 << 10,
        |(id, t)| parse_file(*id, t),
    )
}

/// What loading the data files gives.
struct Data<'a> {
    /// Their errors and warnings, in path order.
    diagnostics: Vec<Diagnostic>,
    /// The series.
    store: Store,
    /// The files whose text a diagnostic quotes.
    quoted: Vec<(FileId, &'a str)>,
}

/// Parses the data files (already in the source map) and builds the store.
fn load_data<'a>(files: &[(FileId, &'a SourceFile)]) -> Data<'a> {
    let mut diagnostics = Vec::new();
    let mut quoted = Vec::new();
    let mut loaded = Vec::new();
    for ((id, f), result) in files.iter().zip(parse_data_files(files)) {
        // Keep a file's text only when a diagnostic quotes it.
        let quotes = result.as_ref().map_or(true, |fd| !fd.warnings.is_empty());
        if let (true, Contents::Text(text)) = (quotes, &f.contents) {
            quoted.push((*id, text.as_str()));
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
    Data {
        diagnostics,
        store: Store::build(&loaded),
        quoted,
    }
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
    load_with_syntax(rule_files, data_files).0
}

/// The rule files' syntax trees, by file.
pub type Syntax = Vec<(FileId, RuleFile)>;

/// [`load`], also handing back the syntax trees that `load` drops, so that
/// a one-shot command may leave them to the process exit rather than free
/// them node by node.
pub fn load_with_syntax(
    rule_files: &[SourceFile],
    data_files: &[SourceFile],
) -> (Workspace, Syntax) {
    let mut sources = SourceMap::new();
    let data_ids: Vec<(FileId, &SourceFile)> = data_files
        .iter()
        .map(|f| (sources.add(&f.name, ""), f))
        .collect();
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
    // One after the other: loading the data while the rules parse would
    // leave the data's garbage in another thread's arena, out of reach of
    // the evaluation (some 35 MB more at the peak of a large one-shot run).
    let data = load_data(&data_ids);
    let rules = parse_rule_files(&texts);
    for (id, text) in data.quoted {
        sources.set_text(id, text);
    }
    let store = data.store;
    let mut diagnostics = data.diagnostics;
    if rule_files.is_empty() {
        diagnostics.push(
            Diagnostic::warning(Code::NoRuleFiles, "no rule files found").with_note(
                "rule files end in `.rules`; tocsin looks under `rules/`, or where --rules points",
            ),
        );
    }
    let mut results = rules.into_iter();
    let mut parsed = Vec::new();
    for ((id, text), f) in ids.iter().zip(rule_files) {
        match text.and_then(|_| results.next()) {
            Some((rf, diags)) => {
                diagnostics.extend(diags);
                parsed.push((*id, rf));
            }
            None => diagnostics.extend(unreadable(*id, &f.contents)),
        }
    }
    let names: Vec<&str> = store.iter().map(|(_, s)| s.name.as_str()).collect();
    let refs: Vec<(FileId, &crate::lang::ast::RuleFile)> =
        parsed.iter().map(|(id, rf)| (*id, rf)).collect();
    let checked = check(&refs, &names);
    let counts = Counts {
        rule_files: rule_files.len(),
        items: checked.items,
        data_files: data_files.len(),
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

    fn text(name: String, body: String) -> SourceFile {
        SourceFile {
            name,
            contents: Contents::Text(body),
        }
    }

    #[test]
    fn rule_files_parsed_together_keep_their_order() {
        // Enough text to be shared out between threads, with an unreadable
        // file and a syntax error among the files.
        let mut files: Vec<SourceFile> = (0..40)
            .map(|k| {
                let body: String = (0..60)
                    .map(|r| format!("indicator r{k}_{r} {{\n  when: 1 + {r} > 2\n}}\n"))
                    .collect();
                text(format!("rules/f{k:02}.rules"), body)
            })
            .collect();
        files[10].contents = Contents::Unreadable("denied".into());
        files[30] = text(
            "rules/f30.rules".into(),
            "indicator broken { when: }\n".into(),
        );
        assert!(files.iter().map(SourceFile::len).sum::<usize>() > 64 << 10);
        let ws = load(&files, &[]);
        let codes: Vec<(Code, Option<String>)> = ws
            .diagnostics
            .iter()
            .map(|d| {
                let file = d.file.or(d.labels.first().map(|l| l.span.file));
                (d.code, file.map(|f| ws.sources.name(f).to_string()))
            })
            .collect();
        assert_eq!(
            codes,
            vec![
                (Code::Unreadable, Some("rules/f10.rules".into())),
                (Code::Syntax, Some("rules/f30.rules".into())),
            ]
        );
        assert_eq!(ws.counts.items, 38 * 60);
    }
}
