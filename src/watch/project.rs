//! The daemon's view of the project: the last good version of every rule
//! and data file, updated file by file. A changed file is re-read and
//! re-parsed alone; the ruleset is then re-checked whole and the model
//! rebuilt, except for an edit of rule files that can be checked alone and
//! put into the model in place (see [`check_again`]). A file that fails
//! keeps its last good version in force.

use super::batch::SETTLE;
use super::scope::{self, Touched};
use super::tail::{self, Mark, Tail};
use crate::data::{ColumnSelection, FileData};
use crate::diag::{Code, Diagnostic, FileId, SourceMap};
use crate::eval::Model;
use crate::lang::ast::RuleFile;
use crate::lang::check::Kept;
use crate::lang::parser::parse_file;
use crate::library::{check_again, check_keeping};
use crate::project::files::{self, Kind};
use crate::workspace::{fields_read, parse_data_file, unreadable, Contents, SourceFile};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// What identifies a version of a file without reading it: where the path
/// leads (device and inode, so a swapped link counts), its size, its
/// modification time and its permissions (a file refused as unreadable
/// is read again once `chmod` lets it be, though nothing else changed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    dev: u64,
    ino: u64,
    len: u64,
    mtime_ns: i128,
    mode: u32,
}

impl Fingerprint {
    /// The file's size in bytes.
    pub(super) fn len(&self) -> u64 {
        self.len
    }

    /// Whether both are of the file at one device and inode.
    pub(super) fn same_file(&self, other: &Fingerprint) -> bool {
        (self.dev, self.ino) == (other.dev, other.ino)
    }

    /// The fingerprint of the file a path leads to, following links.
    pub fn of(path: &Path) -> Option<Fingerprint> {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path).ok()?;
        Some(Fingerprint {
            dev: m.dev(),
            ino: m.ino(),
            len: m.len(),
            mtime_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
            mode: m.mode(),
        })
    }
}

struct RuleEntry {
    id: FileId,
    text: Arc<str>,
    ast: RuleFile,
    print: Option<Fingerprint>,
    /// The field names its rules may read, found once when it is parsed:
    /// walking every file's rules at every reload took milliseconds a
    /// thousand files.
    fields: std::collections::BTreeSet<String>,
}

struct DataEntry {
    id: FileId,
    /// The file's series. A batch that is its series' only one holds no
    /// rows while the store in force holds them ([`Batch::lent`]).
    ///
    /// [`Batch::lent`]: crate::data::Batch::lent
    data: FileData,
    /// Text kept only while a warning quotes it.
    text: Option<Arc<str>>,
    print: Option<Fingerprint>,
    /// The columns it was parsed keeping: when the rules come to read
    /// more, the file is parsed again.
    selection: ColumnSelection,
    /// Where the read ended, when a tail can be read from there.
    mark: Option<Mark>,
}

/// A problem found while reloading, rendered for the event stream.
#[derive(Clone, Debug)]
pub struct Problem {
    /// The diagnostic.
    pub diagnostic: Diagnostic,
    /// File name.
    pub file: Option<String>,
    /// 1-based line (0 when unknown).
    pub line: usize,
    /// 1-based column (0 when unknown).
    pub col: usize,
    /// As a terminal shows it.
    pub rendered: String,
    /// For an error: whether the file it is in has a version in force,
    /// which stays; when not (a file bad from the start), the file is left
    /// out until a good version comes.
    pub kept: bool,
    /// Told at the reload before, of a file this change did not bring:
    /// an error still stands (the reload did not take every file), a
    /// warning still holds, but neither is told again.
    pub told: bool,
}

/// The rule and data files of a change, each with its new version.
type Candidates = (
    BTreeMap<PathBuf, Candidate<RuleEntry>>,
    BTreeMap<PathBuf, Candidate<DataEntry>>,
);

/// A change [`Project::commit`] undid for errors only the model showed:
/// the errors, rendered against the change, and its files, to set aside
/// those to blame and try the rest again.
struct Refused {
    problems: Vec<Problem>,
    rules: BTreeMap<PathBuf, Candidate<RuleEntry>>,
    data: BTreeMap<PathBuf, Candidate<DataEntry>>,
}

/// What one reload did.
#[derive(Debug, Default)]
pub struct Reload {
    /// Files whose new version is now in force (or that were removed).
    pub applied: Vec<String>,
    /// Errors: the files they are in keep their last good version.
    pub errors: Vec<Problem>,
    /// Warnings about the files now in force.
    pub warnings: Vec<Problem>,
    /// True when the model was rebuilt.
    pub rebuilt: bool,
    /// True when a stop request cut the reload short: nothing was applied.
    pub stopped: bool,
    /// Of `applied`, the data files whose new lines alone were read.
    pub appended: Vec<String>,
}

/// Where to look for files.
#[derive(Clone, Debug)]
pub struct Roots {
    /// `--rules` paths.
    pub rules: Vec<PathBuf>,
    /// `--indicators` paths.
    pub data: Vec<PathBuf>,
}

impl Roots {
    /// The roots given on the command line, a folder named two ways
    /// (`indicators` and its absolute path) once, under its first name:
    /// read twice, its series would be defined twice.
    pub fn new(rules: Vec<PathBuf>, data: Vec<PathBuf>) -> Roots {
        let once = |paths: Vec<PathBuf>| -> Vec<PathBuf> {
            let mut seen = HashSet::new();
            paths
                .into_iter()
                .filter(|p| seen.insert(files::resolved(p)))
                .collect()
        };
        Roots {
            rules: once(rules),
            data: once(data),
        }
    }
}

/// The last good state of every file, and the model built from it.
pub struct Project {
    roots: Roots,
    sources: SourceMap,
    ids: HashMap<PathBuf, FileId>,
    rules: BTreeMap<PathBuf, RuleEntry>,
    data: BTreeMap<PathBuf, DataEntry>,
    model: Option<Model>,
    store: crate::data::Store,
    /// The version of each file last rejected, so that it is reported once.
    rejected: HashMap<PathBuf, Option<Fingerprint>>,
    /// Data files whose new version came in a change refused for an error
    /// only the model shows (E213, E214): read again at every reload, as
    /// the rule files of `held` are, since a rule edit may make them good.
    held_data: std::collections::BTreeSet<PathBuf>,
    /// Data files rejected with no version in force, and the series each
    /// is named for: as for `check`, the rules that read it are not also
    /// refused for an unknown name; the series is empty until the file is
    /// good.
    left_out: BTreeMap<PathBuf, String>,
    /// Rule files rejected by the check rather than the parser: their
    /// errors may lie in what other files say (a series a data file was
    /// being rewritten without), so they are tried again at every reload.
    held: std::collections::HashSet<PathBuf>,
    /// The errors and warnings the last reload gave (file, place, code,
    /// message): one of a file unchanged since is not told twice.
    told: std::collections::HashSet<(Option<String>, usize, usize, Code, String)>,
    /// The files read (in force or refused) that are links, as each was
    /// last read.
    links: std::collections::BTreeSet<PathBuf>,
    /// Data files left in force while a line is written at their end:
    /// the version seen, and since when.
    partial: HashMap<PathBuf, (Fingerprint, std::time::Instant)>,
    /// When set, the daemon looks at every file again after that long.
    look_again: Option<std::time::Duration>,
    /// The model a rules-only change replaced, until it is evaluated.
    previous: Option<Model>,
    /// When set, a reload stops short between files and steps.
    stop: Arc<AtomicBool>,
    /// Files of a kind tocsin does not read under the data folders, as
    /// last warned about: the warning comes again only when they change.
    skipped: std::collections::BTreeSet<PathBuf>,
    /// What the check of the ruleset in force leaves for checking one
    /// file's rules again (none after a check that gave it up).
    kept: Option<Kept>,
    /// The rules the last reload replaced in the model in force, when it
    /// replaced them alone: nothing else can evaluate differently.
    spliced: Option<Vec<std::ops::Range<usize>>>,
}

/// A new version read from disk, with its fingerprint.
type Read<T> = Candidate<(T, Option<Fingerprint>)>;

/// The files found new, changed or gone, before parsing.
#[derive(Default)]
struct Changes {
    rules: BTreeMap<PathBuf, Read<Arc<str>>>,
    data: BTreeMap<PathBuf, Read<SourceFile>>,
    /// Data files in force that only gained lines at their end.
    tails: BTreeMap<PathBuf, Tail>,
}

enum Candidate<T> {
    Replace(T),
    Remove,
}

impl Project {
    /// An empty project over these roots; call [`Project::reload`] to load.
    pub fn new(roots: Roots) -> Project {
        Project {
            roots,
            sources: SourceMap::new(),
            ids: HashMap::new(),
            rules: BTreeMap::new(),
            data: BTreeMap::new(),
            model: None,
            store: crate::data::Store::default(),
            rejected: HashMap::new(),
            held_data: std::collections::BTreeSet::new(),
            left_out: BTreeMap::new(),
            held: std::collections::HashSet::new(),
            told: std::collections::HashSet::new(),
            partial: HashMap::new(),
            links: std::collections::BTreeSet::new(),
            look_again: None,
            previous: None,
            stop: Arc::new(AtomicBool::new(false)),
            skipped: std::collections::BTreeSet::new(),
            kept: None,
            spliced: None,
        }
    }

    /// Makes reloads stop short, applying nothing, once `stop` is set (a
    /// signal asking the daemon to exit: a long reload must not hold it).
    pub fn stop_when(&mut self, stop: Arc<AtomicBool>) {
        self.stop = stop;
    }

    /// Whether a stop was asked for; notes it in `out` if so.
    fn stopping(&self, out: &mut Reload) -> bool {
        out.stopped = self.stop.load(Ordering::Relaxed);
        out.stopped
    }

    /// The model in force (none before the first good load).
    pub fn model(&self) -> Option<&Model> {
        self.model.as_ref()
    }

    /// Takes the model out (to use it while the project is borrowed
    /// elsewhere); give it back with [`Project::put_model`].
    pub fn take_model(&mut self) -> Option<Model> {
        self.model.take()
    }

    /// The model the last rebuild replaced, when it shares its series with
    /// the model in force (the change was to rule files only).
    pub fn take_previous(&mut self) -> Option<Model> {
        self.previous.take()
    }

    /// The rules the last reload replaced alone in the model in force
    /// (see [`Reload`]): the results of every other rule stand.
    pub fn take_spliced(&mut self) -> Option<Vec<std::ops::Range<usize>>> {
        self.spliced.take()
    }

    /// Gives back a model taken with [`Project::take_model`].
    pub fn put_model(&mut self, model: Model) {
        self.model = Some(model);
    }

    /// The data in force.
    pub fn store(&self) -> &crate::data::Store {
        &self.store
    }

    /// Whether some file stands refused: the version refused is still the
    /// one there (not fixed, put back or deleted since).
    pub fn refusing(&self) -> bool {
        self.rejected
            .iter()
            .any(|(p, print)| !gone(p) && Fingerprint::of(p) == *print)
    }

    /// Whether a version of the file at `p` is in force.
    pub fn in_force(&self, p: &Path) -> bool {
        self.rules.contains_key(p) || self.data.contains_key(p)
    }

    /// The files refused with no version in force (bad from the start),
    /// that are still there.
    pub fn refused_without_version(&self) -> Vec<PathBuf> {
        self.rejected
            .keys()
            .chain(self.left_out.keys())
            .filter(|p| !self.in_force(p) && !gone(p))
            .cloned()
            .collect()
    }

    /// The files read that are links, in force or refused: the watcher
    /// watches each through its link, to see the file it leads to edited.
    pub fn linked_files(&self) -> Vec<PathBuf> {
        // Those refused too (bad, or leading nowhere, from the start): the
        // file they lead to being fixed, or made, is a change to take.
        self.links.iter().cloned().collect()
    }

    /// Notes whether the file at `p`, being read, is a link (looked at
    /// once a version, not at every reload for every file).
    fn note_link(&mut self, p: &Path) {
        if p.symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
        {
            self.links.insert(p.to_path_buf());
        } else {
            self.links.remove(p);
        }
    }

    /// File names and texts of the files in force.
    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    /// Counts of files in force: (rule files, data files).
    pub fn file_counts(&self) -> (usize, usize) {
        (self.rules.len(), self.data.len())
    }

    /// True when the file at `p` must be read: forced, or a version that
    /// is neither the one in force nor the one last rejected.
    fn changed(
        &self,
        p: &Path,
        print: Option<Fingerprint>,
        force: bool,
        in_force: Option<Option<Fingerprint>>,
    ) -> bool {
        force || (in_force != Some(print) && self.rejected.get(p) != Some(&print))
    }

    fn id_for(&mut self, path: &Path) -> FileId {
        if let Some(&id) = self.ids.get(path) {
            return id;
        }
        let id = self.sources.add(files::display(path), "");
        self.ids.insert(path.to_path_buf(), id);
        id
    }

    fn problem(&self, sources: &SourceMap, d: Diagnostic) -> Problem {
        self.problem_in(sources, d, &[])
    }

    /// The problem of `d`, placed in the first of its labels that lies in
    /// one of `files` (the files a change is refused for) rather than in
    /// its primary label: `high` defined again by a new file is that new
    /// file's error, whichever of the two comes first in path order.
    fn problem_in(&self, sources: &SourceMap, d: Diagnostic, files: &[FileId]) -> Problem {
        let blamed = d
            .labels
            .iter()
            .find(|l| files.contains(&l.span.file))
            .filter(|l| !l.primary)
            .map(|l| l.span);
        let (file, line, col) = match blamed {
            Some(span) => {
                let (l, c) = sources.line_col(span.file, span.start as usize);
                (Some(sources.name(span.file).to_string()), l, c)
            }
            None => match crate::diag::render::location(&d, sources) {
                Some((f, l, c)) => (Some(f), l, c),
                None => (None, 0, 0),
            },
        };
        let rendered = crate::diag::render::to_plain_string(std::slice::from_ref(&d), sources);
        let at = blamed
            .map(|s| s.file)
            .or(d.labels.first().map(|l| l.span.file))
            .or(d.file);
        let kept = self.ids.iter().any(|(p, id)| {
            Some(*id) == at && (self.rules.contains_key(p) || self.data.contains_key(p))
        });
        Problem {
            diagnostic: d,
            file,
            line,
            col,
            rendered,
            kept,
            told: false,
        }
    }

    /// Re-reads what changed on disk (every file when `force`), applies
    /// the new versions that are good, and rebuilds the model.
    pub fn reload(&mut self, force: bool) -> Reload {
        let mut out = Reload::default();
        let mut changes = Changes::default();
        self.scan_all(force, &mut changes, &mut out);
        self.apply(changes, out)
    }

    /// Like `reload(false)`, looking only at the files `paths` name (what
    /// the watcher reported) when they tell enough, and at every file
    /// otherwise.
    pub fn reload_paths(&mut self, paths: &[PathBuf]) -> Reload {
        let mut out = Reload::default();
        let mut changes = Changes::default();
        let had_under = |p: &Path| {
            self.rules
                .keys()
                .chain(self.data.keys())
                .any(|k| k.starts_with(p) && k != p)
        };
        match scope::touched(&self.roots, paths, had_under) {
            Some(files) => {
                let mut skipped = self.skipped.clone();
                for t in files {
                    match t {
                        Touched::Rule(p) => self.consider_rule(&p, false, &mut changes, &mut out),
                        Touched::Data(p) => self.consider_data(&p, false, &mut changes),
                        Touched::Skipped(p) if p.is_file() => {
                            skipped.insert(p);
                        }
                        Touched::Skipped(p) => {
                            skipped.remove(&p);
                        }
                    }
                }
                self.note_skipped(skipped, &mut out);
            }
            None => self.scan_all(false, &mut changes, &mut out),
        }
        self.apply(changes, out)
    }

    /// Takes `skipped` as the files of unknown kind, warning when they
    /// changed and some remain.
    fn note_skipped(&mut self, skipped: std::collections::BTreeSet<PathBuf>, out: &mut Reload) {
        if skipped == self.skipped {
            return;
        }
        self.skipped = skipped;
        let list: Vec<PathBuf> = self.skipped.iter().cloned().collect();
        if let Some(w) = files::skipped_warning(&list) {
            out.warnings.push(self.problem(&self.sources, w));
        }
    }

    /// Walks every folder: new, changed and gone files.
    fn scan_all(&mut self, force: bool, changes: &mut Changes, out: &mut Reload) {
        let rule_paths = files::discover(&self.roots.rules, Kind::Rules, false).unwrap_or_default();
        let (data_paths, skipped) =
            files::discover_data(&self.roots.data, false).unwrap_or_default();
        self.note_skipped(skipped.into_iter().collect(), out);
        for p in &rule_paths {
            self.consider_rule(p, force, changes, out);
        }
        let present: std::collections::HashSet<&PathBuf> = rule_paths.iter().collect();
        for p in self.rules.keys() {
            if !present.contains(p) {
                changes.rules.insert(p.clone(), Candidate::Remove);
            }
        }
        for p in &data_paths {
            self.consider_data(p, force, changes);
        }
        let present: std::collections::HashSet<&PathBuf> = data_paths.iter().collect();
        for p in self.data.keys() {
            if !present.contains(p) {
                changes.data.insert(p.clone(), Candidate::Remove);
            }
        }
        let gone: Vec<PathBuf> = self
            .left_out
            .keys()
            .filter(|p| !present.contains(p))
            .cloned()
            .collect();
        for p in gone {
            self.left_out.remove(&p);
            changes.data.insert(p, Candidate::Remove);
        }
    }

    /// Reads the rule file at `p` if it changed; notes it gone if it was in
    /// force and is no longer there.
    fn consider_rule(&mut self, p: &Path, force: bool, changes: &mut Changes, out: &mut Reload) {
        let print = Fingerprint::of(p);
        if print.is_none() && gone(p) {
            self.links.remove(p);
            if self.rules.contains_key(p) {
                changes.rules.insert(p.to_path_buf(), Candidate::Remove);
            }
            return;
        }
        if !self.changed(p, print, force, self.rules.get(p).map(|e| e.print)) {
            return;
        }
        self.note_link(p);
        match files::read(p) {
            Contents::Text(t) => {
                changes
                    .rules
                    .insert(p.to_path_buf(), Candidate::Replace((t.into(), print)));
            }
            other => {
                let id = self.id_for(p);
                let d = unreadable(id, &other).unwrap_or_else(|| {
                    Diagnostic::error(crate::diag::Code::Unreadable, "cannot be read").in_file(id)
                });
                out.errors.push(self.problem(&self.sources.clone(), d));
                self.rejected.insert(p.to_path_buf(), print);
            }
        }
    }

    /// Reads the data file at `p` if it changed; notes it gone if it was in
    /// force and is no longer there.
    fn consider_data(&mut self, p: &Path, force: bool, changes: &mut Changes) {
        let print = Fingerprint::of(p);
        if print.is_none() && gone(p) {
            self.links.remove(p);
            let was_left_out = self.left_out.remove(p).is_some();
            if self.data.contains_key(p) || was_left_out {
                changes.data.insert(p.to_path_buf(), Candidate::Remove);
            }
            return;
        }
        if self.changed(p, print, force, self.data.get(p).map(|e| e.print)) {
            self.note_link(p);
            if !force && self.line_being_written(p, print) {
                return;
            }
            let mark = self.data.get(p).and_then(|e| e.mark.as_ref());
            if let Some(t) = mark
                .filter(|_| !force)
                .and_then(|m| tail::read(p, m, print))
            {
                changes.tails.insert(p.to_path_buf(), t);
                return;
            }
            let file = SourceFile {
                name: files::display(p),
                contents: read_as_seen(p, print),
            };
            changes
                .data
                .insert(p.to_path_buf(), Candidate::Replace((file, print)));
        }
    }

    /// Applies `changes`, marking as told the errors and warnings the
    /// reload before told already (same file, place, code and message) of
    /// files this change did not bring: a refused rule file is tried again
    /// at every reload, since what it lacked may come back, and the rest
    /// is checked whole each time; what they say is told once, and again
    /// for a new version of their file.
    fn apply(&mut self, changes: Changes, out: Reload) -> Reload {
        let changed: std::collections::HashSet<String> = changes
            .rules
            .keys()
            .chain(changes.data.keys())
            .chain(changes.tails.keys())
            .map(|p| files::display(p))
            .collect();
        let mut out = self.apply_changes(changes, out);
        let key = |p: &Problem| {
            (
                p.file.clone(),
                p.line,
                p.col,
                p.diagnostic.code,
                p.diagnostic.message.clone(),
            )
        };
        let before = std::mem::take(&mut self.told);
        for p in out.errors.iter_mut().chain(out.warnings.iter_mut()) {
            let k = key(p);
            p.told = p.file.as_ref().is_some_and(|f| !changed.contains(f)) && before.contains(&k);
            self.told.insert(k);
        }
        out
    }

    /// Whether data file `p`, in force and grown in place to `print`,
    /// ends in a line still being written (no line feed after its last
    /// byte): it is then left as it is in force and looked at again after
    /// [`SETTLE`], so that a feed's writer caught between the two halves
    /// of a line is not read with half a row. A file that stays so that
    /// long is read as it is (a last line with no line feed is a line).
    fn line_being_written(&mut self, p: &Path, print: Option<Fingerprint>) -> bool {
        let (Some(print), Some(old)) = (print, self.data.get(p).and_then(|e| e.print)) else {
            return false;
        };
        if !plain_text(p)
            || !print.same_file(&old)
            || print.len() <= old.len()
            || ends_a_line(p, print.len())
        {
            self.partial.remove(p);
            return false;
        }
        let now = std::time::Instant::now();
        let since = match self.partial.get(p) {
            Some(&(seen, since)) if seen == print => since,
            _ => now,
        };
        let waited = now.duration_since(since);
        if waited >= SETTLE {
            self.partial.remove(p);
            return false;
        }
        self.partial.insert(p.to_path_buf(), (print, since));
        let left = SETTLE - waited;
        self.look_again = Some(self.look_again.map_or(left, |l| l.min(left)));
        true
    }

    /// How long until the files left for a line still being written are
    /// to be looked at again, if any are; taken once.
    pub fn take_look_again(&mut self) -> Option<std::time::Duration> {
        self.look_again.take()
    }

    /// Parses, checks and applies what changed.
    fn apply_changes(&mut self, changes: Changes, mut out: Reload) -> Reload {
        self.spliced = None;
        let Changes {
            rules: mut rule_changes,
            data: mut data_changes,
            tails,
        } = changes;
        // Tried again at every reload: what they lacked may be back even
        // when no file in force changed (a data file moved away and back).
        let held: Vec<PathBuf> = self.held.iter().cloned().collect();
        for p in held {
            if let std::collections::btree_map::Entry::Vacant(slot) = rule_changes.entry(p) {
                if let Contents::Text(t) = files::read(slot.key()) {
                    let print = Fingerprint::of(slot.key());
                    slot.insert(Candidate::Replace((t.into(), print)));
                }
            }
        }
        let held_data: Vec<PathBuf> = self.held_data.iter().cloned().collect();
        for p in held_data {
            if !p.exists() {
                // Gone: its removal comes as any other.
                self.held_data.remove(&p);
                continue;
            }
            if let std::collections::btree_map::Entry::Vacant(slot) = data_changes.entry(p) {
                let file = SourceFile {
                    name: files::display(slot.key()),
                    contents: files::read_or_defer(slot.key()),
                };
                let print = Fingerprint::of(slot.key());
                slot.insert(Candidate::Replace((file, print)));
            }
        }
        if !tails.is_empty() {
            let alone = rule_changes.is_empty() && data_changes.is_empty();
            if alone && self.append_tails(&tails, &mut out) {
                return out;
            }
            // Read whole, as any changed file.
            for (p, t) in tails {
                let file = SourceFile {
                    name: files::display(&p),
                    contents: read_as_seen(&p, Some(t.next.print())),
                };
                data_changes.insert(p, Candidate::Replace((file, Some(t.next.print()))));
            }
        }
        if rule_changes.is_empty() && data_changes.is_empty() && self.model.is_some() {
            return out;
        }

        // Rule files are parsed first, so that data files are parsed for
        // the fields the rules read. Data files still get their ids first,
        // and their errors still come first.
        for (p, c) in &data_changes {
            if let Candidate::Replace(_) = c {
                self.id_for(p);
            }
        }
        let mut new_rules: BTreeMap<PathBuf, Candidate<RuleEntry>> = BTreeMap::new();
        let mut rule_errors = Vec::new();
        for (p, c) in rule_changes {
            if self.stopping(&mut out) {
                return out;
            }
            match c {
                Candidate::Replace((text, print)) => {
                    let id = self.id_for(&p);
                    let (ast, diags) = parse_file(id, &text);
                    if diags.is_empty() {
                        new_rules.insert(
                            p,
                            Candidate::Replace(RuleEntry {
                                id,
                                text,
                                fields: fields_read(std::iter::once(&ast)),
                                ast,
                                print,
                            }),
                        );
                    } else {
                        let mut scratch = self.sources.clone();
                        scratch.set_text(id, text.clone());
                        for d in diags {
                            rule_errors.push(self.problem(&scratch, d));
                        }
                        self.held.remove(&p);
                        self.rejected.insert(p, print);
                    }
                }
                Candidate::Remove => {
                    new_rules.insert(p, Candidate::Remove);
                }
            }
        }

        if data_changes.is_empty() && rule_errors.is_empty() && self.splice(&new_rules) {
            self.commit_rules(new_rules, &mut out);
            return out;
        }

        let selection = self.columns_wanted(&new_rules);
        let refreshed = self.reparse_narrow(&selection, &mut data_changes);

        // Parse the changed files alone; a file that does not parse keeps
        // its last good version.
        let mut new_data: BTreeMap<PathBuf, Candidate<DataEntry>> = BTreeMap::new();
        for (p, c) in data_changes {
            if self.stopping(&mut out) {
                return out;
            }
            match c {
                Candidate::Replace((mut file, print)) => {
                    let id = self.id_for(&p);
                    let parsed = match &file.contents {
                        Contents::Large { read, .. } => match (read.0)(id, &selection) {
                            Ok(data) => Ok(data),
                            // Read whole after all (the stream gave up at
                            // something it does not read): parsed, and
                            // quoted, as any other file.
                            Err(whole) => {
                                file.contents = whole;
                                parse_data_file(id, &file, &selection)
                            }
                        },
                        _ => parse_data_file(id, &file, &selection),
                    };
                    match parsed {
                        Ok(data) => {
                            let text = match (&file.contents, data.warnings.is_empty()) {
                                (Contents::Text(t), false) => Some(Arc::<str>::from(t.as_str())),
                                _ => None,
                            };
                            let whole = match &file.contents {
                                Contents::Text(t) => Some(t.as_str()),
                                _ => None,
                            };
                            let mark = tail::mark(&p, print, whole, &data);
                            new_data.insert(
                                p,
                                Candidate::Replace(DataEntry {
                                    id,
                                    data,
                                    text,
                                    print,
                                    selection: selection.clone(),
                                    mark,
                                }),
                            );
                        }
                        Err(d) => {
                            let mut scratch = self.sources.clone();
                            if let Contents::Text(t) = &file.contents {
                                scratch.set_text(id, t.as_str());
                            }
                            out.errors.push(self.problem(&scratch, d));
                            if !self.data.contains_key(&p) {
                                let series = crate::data::series_name(
                                    &p.file_stem().unwrap_or_default().to_string_lossy(),
                                );
                                self.left_out.insert(p.clone(), series);
                            }
                            // Refused for itself now: tried again when it
                            // changes, as any file with an error.
                            self.held_data.remove(&p);
                            self.rejected.insert(p, print);
                        }
                    }
                }
                Candidate::Remove => {
                    new_data.insert(p, Candidate::Remove);
                }
            }
        }
        out.errors.extend(rule_errors);

        // Check the whole ruleset with the candidates; a candidate whose
        // file holds an error is set aside and the rest checked again.
        loop {
            if self.stopping(&mut out) {
                return out;
            }
            let (ok, diags, (program, kept), sources) = self.trial(&new_rules, &new_data);
            if self.stopping(&mut out) {
                return out;
            }
            if ok {
                if new_rules.is_empty() && new_data.is_empty() && self.model.is_some() {
                    break;
                }
                self.kept = kept;
                match self.commit(new_rules, new_data, &refreshed, program, &mut out) {
                    Ok(()) => {
                        out.warnings.extend(
                            diags
                                .into_iter()
                                .filter(|d| !d.is_error())
                                .map(|d| self.problem(&sources, d)),
                        );
                        break;
                    }
                    Err(refused) => match self.set_aside(refused, &refreshed, &mut out) {
                        Some((rules, data)) => {
                            new_rules = rules;
                            new_data = data;
                            continue;
                        }
                        None => break,
                    },
                }
            }
            let errors: Vec<Diagnostic> = diags.into_iter().filter(Diagnostic::is_error).collect();
            let blamed: Vec<PathBuf> = new_rules
                .iter()
                .filter(|(p, c)| {
                    let id = self.ids.get(*p).copied();
                    matches!(c, Candidate::Replace(_))
                        && errors
                            .iter()
                            .any(|d| d.labels.iter().any(|l| Some(l.span.file) == id))
                })
                .map(|(p, _)| p.clone())
                .collect();
            if blamed.is_empty() {
                // The errors lie in files that did not change (a removed
                // definition, a removed series): nothing changes.
                for d in errors {
                    out.errors.push(self.problem(&sources, d));
                }
                break;
            }
            let blamed_ids: Vec<FileId> = blamed
                .iter()
                .filter_map(|p| self.ids.get(p).copied())
                .collect();
            for d in errors
                .into_iter()
                .filter(|d| d.labels.iter().any(|l| blamed_ids.contains(&l.span.file)))
            {
                out.errors.push(self.problem_in(&sources, d, &blamed_ids));
            }
            for p in blamed {
                if let Some(Candidate::Replace(e)) = new_rules.remove(&p) {
                    self.rejected.insert(p.clone(), e.print);
                    self.held.insert(p);
                }
            }
        }
        out
    }

    /// Puts in force the rows that data files gained at their end, when
    /// nothing else changed: each tail is parsed alone (behind its file's
    /// header, with the columns the file was read keeping) and its rows
    /// added to the file's data and to the store's series, which are not
    /// sorted again; the model is then built on them. `false`, with
    /// nothing changed, when some tail does not parse cleanly or names a
    /// series its file did not have: the files are then read whole, which
    /// reports what is wrong where it is.
    fn append_tails(&mut self, tails: &BTreeMap<PathBuf, Tail>, out: &mut Reload) -> bool {
        if self.model.is_none() || !self.held.is_empty() {
            return false;
        }
        let mut parsed = Vec::with_capacity(tails.len());
        for (p, t) in tails {
            let Some(e) = self.data.get(p) else {
                return false;
            };
            let name = files::display(p);
            let Some(format) = crate::data::Format::of_file_name(&name) else {
                return false;
            };
            let stem = crate::data::file_stem(&name);
            let loaded = crate::data::load_selected(e.id, stem, format, &t.text, &e.selection);
            let Ok(mut data) = loaded else {
                return false;
            };
            if !data.warnings.is_empty() || !e.data.can_append(&data) {
                return false;
            }
            for b in &mut data.batches {
                match b.lines.try_map(|l| t.file_line(l)) {
                    Some(lines) => b.lines = lines,
                    None => return false,
                }
            }
            parsed.push((p, data, t));
        }
        let mut in_place = true;
        let mut grown = crate::eval::Grown::default();
        for (p, data, t) in parsed {
            for b in &data.batches {
                if let Some(id) = self.store.get(&b.series) {
                    grown.entry(id).or_insert(self.store.series(id).len());
                }
            }
            if in_place && !self.store.append(&data) {
                // The store is built again below, from the files: they
                // take back what they lent it first, so that this tail
                // is added to them whole.
                in_place = false;
                self.give_back_store();
            }
            if let Some(e) = self.data.get_mut(p) {
                e.data.append(data);
                e.print = Some(t.next.print());
                e.mark = Some(t.next.clone());
            }
            self.rejected.remove(p);
            out.applied.push(files::display(p));
            out.appended.push(files::display(p));
        }
        if !in_place {
            self.build_store();
        }
        let Some(old) = self.model.take() else {
            return false;
        };
        let grown_model = in_place
            .then(|| old.after_append(&self.store, &grown))
            .flatten();
        let model = match grown_model {
            Some(m) => {
                // Kept until the next evaluation, which takes from it the
                // results whose series did not change.
                self.previous = Some(old);
                m
            }
            None => {
                self.previous = None;
                let Model { program, .. } = old;
                Model::build(program, &self.store)
            }
        };
        for d in model.warnings.clone() {
            let problem = self.problem(&self.sources, d);
            if problem.diagnostic.is_error() {
                out.errors.push(problem);
            } else {
                out.warnings.push(problem);
            }
        }
        self.model = Some(model);
        out.rebuilt = true;
        true
    }

    /// The field columns data files must keep for the rules in force and
    /// the candidates: a candidate the check sets aside may keep a few
    /// columns more than needed, never fewer.
    fn columns_wanted(&self, rules: &BTreeMap<PathBuf, Candidate<RuleEntry>>) -> ColumnSelection {
        let in_force = self
            .rules
            .iter()
            .filter(|(p, _)| !matches!(rules.get(*p), Some(Candidate::Remove)))
            .map(|(_, e)| e);
        let candidates = rules.values().filter_map(|c| match c {
            Candidate::Replace(e) => Some(e),
            Candidate::Remove => None,
        });
        let mut names: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
        for e in in_force.chain(candidates) {
            names.extend(e.fields.iter().map(String::as_str));
        }
        ColumnSelection::Only(crate::data::FieldNames::new(names))
    }

    /// Adds to `changes` the data files in force that were parsed keeping
    /// fewer columns than `selection`, read again from disk. Returns those
    /// whose version is the one in force: parsing them again is no change
    /// to report.
    fn reparse_narrow(
        &self,
        selection: &ColumnSelection,
        changes: &mut BTreeMap<PathBuf, Read<SourceFile>>,
    ) -> HashSet<PathBuf> {
        let mut same = HashSet::new();
        for (p, e) in &self.data {
            if changes.contains_key(p) || e.selection.covers(selection) {
                continue;
            }
            let print = Fingerprint::of(p);
            if print.is_none() && gone(p) {
                changes.insert(p.clone(), Candidate::Remove);
                continue;
            }
            if print == e.print {
                same.insert(p.clone());
            }
            let file = SourceFile {
                name: files::display(p),
                contents: files::read_or_defer(p),
            };
            changes.insert(p.clone(), Candidate::Replace((file, print)));
        }
        same
    }

    /// Checks the ruleset as it would be with the candidates applied.
    fn trial(
        &self,
        rules: &BTreeMap<PathBuf, Candidate<RuleEntry>>,
        data: &BTreeMap<PathBuf, Candidate<DataEntry>>,
    ) -> (
        bool,
        Vec<Diagnostic>,
        (crate::lang::program::Program, Option<Kept>),
        SourceMap,
    ) {
        let mut sources = self.sources.clone();
        let mut files: Vec<(FileId, &RuleFile)> = Vec::new();
        let paths: std::collections::BTreeSet<&PathBuf> =
            self.rules.keys().chain(rules.keys()).collect();
        for p in paths {
            match (rules.get(p), self.rules.get(p)) {
                (Some(Candidate::Replace(e)), _) => {
                    sources.set_text(e.id, e.text.clone());
                    files.push((e.id, &e.ast));
                }
                (Some(Candidate::Remove), _) => {}
                (_, Some(e)) => files.push((e.id, &e.ast)),
                _ => {}
            }
        }
        // In no particular order (they are sorted below), and without a
        // set of every path: ordering 10,000 paths took tens of
        // milliseconds of a reload that changed none of them.
        let mut names: Vec<String> = Vec::new();
        let kept = self.data.iter().filter(|(p, _)| !data.contains_key(*p));
        let replaced = data.values().filter_map(|c| match c {
            Candidate::Replace(e) => Some(e),
            Candidate::Remove => None,
        });
        for e in kept.map(|(_, e)| e).chain(replaced) {
            names.extend(e.data.batches.iter().map(|b| b.series.clone()));
        }
        names.extend(
            self.left_out
                .iter()
                .filter(|(p, _)| !data.contains_key(*p))
                .map(|(_, series)| series.clone()),
        );
        names.sort();
        names.dedup();
        let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let (checked, kept) = check_keeping(&files, &name_refs);
        (
            !checked.has_errors(),
            checked.diagnostics,
            (checked.program, kept),
            sources,
        )
    }

    /// Checks the changed rule files' rules again and puts them into the
    /// model in force, when only rule files changed, each in a way that
    /// [`check_again`] and [`Model::splice`] take: a ruleset of 100,000
    /// rules is not checked and built whole for a threshold edited in one
    /// file. `false`, with the model unchanged, when the whole ruleset is
    /// to be checked.
    fn splice(&mut self, rules: &BTreeMap<PathBuf, Candidate<RuleEntry>>) -> bool {
        if rules.is_empty() || !self.held.is_empty() {
            return false;
        }
        let mut changed = Vec::with_capacity(rules.len());
        let mut more_fields = false;
        for (p, c) in rules {
            let (Candidate::Replace(new), Some(old)) = (c, self.rules.get(p)) else {
                return false;
            };
            more_fields |= !new.fields.is_subset(&old.fields);
            changed.push((new.id, &old.ast, &new.ast));
        }
        // A field that some data file was read without would need it read
        // again.
        if more_fields {
            let wanted = self.columns_wanted(rules);
            if !self.data.values().all(|e| e.selection.covers(&wanted)) {
                return false;
            }
        }
        let (Some(kept), Some(model)) = (self.kept.take(), self.model.as_ref()) else {
            return false;
        };
        let Some((again, kept)) = check_again(kept, &model.program, &changed) else {
            return false;
        };
        let Some(model) = self.model.as_mut() else {
            return false;
        };
        match model.splice(again, &self.store) {
            Some(replaced) => {
                self.kept = Some(kept);
                self.spliced = Some(replaced);
                true
            }
            None => false,
        }
    }

    /// Puts in force the rule files [`Project::splice`] took.
    fn commit_rules(&mut self, rules: BTreeMap<PathBuf, Candidate<RuleEntry>>, out: &mut Reload) {
        for (p, c) in rules {
            out.applied.push(files::display(&p));
            self.rejected.remove(&p);
            if let Candidate::Replace(e) = c {
                self.sources.set_text(e.id, e.text.clone());
                self.rules.insert(p, e);
            }
        }
        // As after a rebuild: the warnings about the data in force.
        if let Some(model) = &self.model {
            let warnings = model.warnings.clone();
            out.warnings
                .extend(warnings.into_iter().map(|d| self.problem(&self.sources, d)));
        }
        self.previous = None;
        out.rebuilt = true;
    }

    /// Reports the errors of a change [`Project::commit`] refused and sets
    /// aside its files to blame: the rule files an error names, or with
    /// none named, its data files. Each is tried again at every reload
    /// (what it lacked may come from another file). Returns the rest of
    /// the change, to try again; `None` when nothing is left to blame.
    fn set_aside(
        &mut self,
        refused: Refused,
        refreshed: &HashSet<PathBuf>,
        out: &mut Reload,
    ) -> Option<Candidates> {
        let Refused {
            problems,
            mut rules,
            mut data,
        } = refused;
        let named: Vec<FileId> = problems
            .iter()
            .flat_map(|p| p.diagnostic.labels.iter().map(|l| l.span.file))
            .collect();
        // In order, the first of these that holds a file is set aside:
        // versions refused before and tried again (an error naming them,
        // then data), so that a new edit is not blamed for them; then the
        // rule files an error names; then the change's data files; then
        // its rule files (an edit to a series another rule reads). A data
        // file read again only for more columns is the version in force,
        // never to blame.
        let retried = |p: &PathBuf| self.held.contains(p) || self.held_data.contains(p);
        let is_named = |p: &PathBuf| self.ids.get(p).is_some_and(|id| named.contains(id));
        let new_rules: Vec<&PathBuf> = rules
            .iter()
            .filter(|(_, c)| matches!(c, Candidate::Replace(_)))
            .map(|(p, _)| p)
            .collect();
        let new_data: Vec<&PathBuf> = data
            .iter()
            .filter(|(p, c)| matches!(c, Candidate::Replace(_)) && !refreshed.contains(*p))
            .map(|(p, _)| p)
            .collect();
        let pick = |files: &[&PathBuf], keep: &dyn Fn(&PathBuf) -> bool| -> Vec<PathBuf> {
            files
                .iter()
                .filter(|p| keep(p))
                .map(|p| (*p).clone())
                .collect()
        };
        let choices: [(Vec<PathBuf>, Vec<PathBuf>); 5] = [
            (pick(&new_rules, &|p| retried(p) && is_named(p)), Vec::new()),
            (Vec::new(), pick(&new_data, &|p| retried(p))),
            (pick(&new_rules, &|p| is_named(p)), Vec::new()),
            (Vec::new(), pick(&new_data, &|_| true)),
            (pick(&new_rules, &|_| true), Vec::new()),
        ];
        let (blamed_rules, blamed_data) = choices
            .into_iter()
            .find(|(r, d)| !r.is_empty() || !d.is_empty())
            .unwrap_or_default();
        for mut problem in problems {
            // Whether the file in error keeps a version, now the change
            // is undone.
            let at = problem.diagnostic.labels.first().map(|l| l.span.file);
            problem.kept = self.ids.iter().any(|(p, id)| {
                Some(*id) == at && (self.rules.contains_key(p) || self.data.contains_key(p))
            });
            out.errors.push(problem);
        }
        if blamed_rules.is_empty() && blamed_data.is_empty() {
            return None;
        }
        for p in blamed_rules {
            if let Some(Candidate::Replace(e)) = rules.remove(&p) {
                self.rejected.insert(p.clone(), e.print);
                self.held.insert(p);
            }
        }
        for p in blamed_data {
            if let Some(Candidate::Replace(e)) = data.remove(&p) {
                self.rejected.insert(p.clone(), e.print);
                self.held_data.insert(p);
            }
        }
        Some((rules, data))
    }

    fn commit(
        &mut self,
        rules: BTreeMap<PathBuf, Candidate<RuleEntry>>,
        data: BTreeMap<PathBuf, Candidate<DataEntry>>,
        refreshed: &HashSet<PathBuf>,
        program: crate::lang::program::Program,
        out: &mut Reload,
    ) -> Result<(), Refused> {
        let data_changed = !data.is_empty();
        // What the change replaces, to put back when the data shows it
        // wrong (see below).
        let old_program = self.model.as_ref().map(|m| m.program.clone());
        // Errors the model in force has already (a first load, rows
        // appended): a change is refused only for an error it brings.
        // Known by code and place, not text: E214's counts move with the
        // data.
        let place = |d: &Diagnostic| (d.code, d.labels.first().map(|l| l.span));
        let old_errors: Vec<_> = self
            .model
            .as_ref()
            .map(|m| {
                m.warnings
                    .iter()
                    .filter(|d| d.is_error())
                    .map(place)
                    .collect()
            })
            .unwrap_or_default();
        let old_left_out = self.left_out.clone();
        let mut undo_rules: Vec<(PathBuf, Option<RuleEntry>, Option<Fingerprint>)> = Vec::new();
        let mut undo_data: Vec<(PathBuf, Option<DataEntry>, Option<Fingerprint>)> = Vec::new();
        let applied_before = out.applied.len();
        if data_changed {
            // The rows lent to the store go back to the files in force
            // before any is replaced: one put back must hold its rows.
            drop_aside(self.model.take());
            self.give_back_store();
        }
        let mut tried: Vec<PathBuf> = Vec::new();
        for (p, c) in rules {
            out.applied.push(files::display(&p));
            self.rejected.remove(&p);
            tried.push(p.clone());
            match c {
                Candidate::Replace(e) => {
                    self.sources.set_text(e.id, e.text.clone());
                    let print = e.print;
                    let old = self.rules.insert(p.clone(), e);
                    undo_rules.push((p, old, print));
                }
                Candidate::Remove => {
                    if let Some(e) = self.rules.remove(&p) {
                        self.sources.set_text(e.id, "");
                        undo_rules.push((p, Some(e), None));
                    }
                }
            }
        }
        let mut data_warnings = Vec::new();
        for (p, c) in data {
            if refreshed.contains(&p) {
                // The same version, parsed keeping more columns: nothing
                // to report.
                if let Candidate::Replace(e) = c {
                    let old = self.data.insert(p.clone(), e);
                    undo_data.push((p, old, None));
                }
                continue;
            }
            out.applied.push(files::display(&p));
            self.rejected.remove(&p);
            self.left_out.remove(&p);
            tried.push(p.clone());
            match c {
                Candidate::Replace(e) => {
                    self.sources
                        .set_text(e.id, e.text.clone().unwrap_or_else(|| Arc::from("")));
                    data_warnings.extend(e.data.warnings.clone());
                    let print = e.print;
                    let old = self.data.insert(p.clone(), e);
                    undo_data.push((p, old, print));
                }
                Candidate::Remove => {
                    if let Some(e) = self.data.remove(&p) {
                        self.sources.set_text(e.id, "");
                        undo_data.push((p, Some(e), None));
                    }
                }
            }
        }
        let warnings = self.rebuild(program, data_changed);
        let errors: Vec<Diagnostic> = warnings.iter().filter(|d| d.is_error()).cloned().collect();
        let brought = errors.iter().any(|d| !old_errors.contains(&place(d)));
        if let (true, Some(old_program)) = (brought, old_program) {
            // Found only with the data (a `by:` field no series has, too
            // many instances): the change is undone, and every file keeps
            // the version in force before it; the caller sets aside the
            // files to blame and tries the rest again.
            let problems: Vec<Problem> = errors
                .into_iter()
                .map(|d| self.problem(&self.sources, d))
                .collect();
            out.applied.truncate(applied_before);
            if data_changed {
                // The change's files take back the rows they lent the
                // store, before they leave: each may be tried again.
                drop_aside(self.model.take());
                self.give_back_store();
            }
            let back_rules = undo(&mut self.rules, &mut self.sources, undo_rules, |e| {
                (e.id, e.text.clone())
            });
            let back_data = undo(&mut self.data, &mut self.sources, undo_data, |e| {
                (e.id, e.text.clone().unwrap_or_else(|| Arc::from("")))
            });
            self.left_out = old_left_out;
            self.kept = None;
            self.rebuild(old_program, data_changed);
            self.previous = None;
            out.rebuilt = true;
            return Err(Refused {
                problems,
                rules: back_rules,
                data: back_data,
            });
        }
        for d in data_warnings.into_iter().chain(warnings) {
            let problem = self.problem(&self.sources, d);
            if problem.diagnostic.is_error() {
                out.errors.push(problem);
            } else {
                out.warnings.push(problem);
            }
        }
        // In force now: no longer tried again at every reload.
        for p in tried {
            self.held.remove(&p);
            self.held_data.remove(&p);
        }
        out.applied.sort();
        out.rebuilt = true;
        Ok(())
    }

    /// Returns the rows the store holds to the files that lent them
    /// ([`Store::build_lending`]), leaving the store empty.
    fn give_back_store(&mut self) {
        let store = std::mem::take(&mut self.store);
        let mut files: Vec<&mut FileData> = self.data.values_mut().map(|e| &mut e.data).collect();
        drop_aside(store.give_back(&mut files));
    }

    /// Builds the store again from the files in force, in path order. Each
    /// series of one file's batch is lent to the store rather than copied,
    /// so that it is held once while the file is kept to build the store
    /// again.
    fn build_store(&mut self) {
        self.give_back_store();
        let mut files: Vec<&mut FileData> = self.data.values_mut().map(|e| &mut e.data).collect();
        self.store = crate::data::Store::build_lending(&mut files);
    }

    /// Rebuilds the model from the files in force with the program checked
    /// for them; the store only when data changed, and otherwise only the
    /// series the previous model did not have. Returns the new series'
    /// warnings about the data.
    fn rebuild(
        &mut self,
        program: crate::lang::program::Program,
        data_changed: bool,
    ) -> Vec<Diagnostic> {
        let previous = self.model.take();
        self.previous = None;
        let model = if data_changed || previous.is_none() {
            // The old model first, so that its memory can be reused.
            drop_aside(previous);
            self.build_store();
            Model::build(program, &self.store)
        } else {
            let model = Model::build_reusing(program, &self.store, previous.as_ref());
            // Kept until the next evaluation, which takes from it the
            // results of the rules this change did not touch.
            self.previous = previous;
            model
        };
        let warnings = model.warnings.clone();
        self.model = Some(model);
        warnings
    }
}

/// Puts back in `files` the versions a change replaced (`undone`, in the
/// order they were replaced, each with the version before it), their
/// texts in `sources` too, and returns the change's own versions, to try
/// again: each path's new entry, or its removal.
fn undo<E>(
    files: &mut BTreeMap<PathBuf, E>,
    sources: &mut SourceMap,
    undone: Vec<(PathBuf, Option<E>, Option<Fingerprint>)>,
    text: impl Fn(&E) -> (FileId, Arc<str>),
) -> BTreeMap<PathBuf, Candidate<E>> {
    let mut back = BTreeMap::new();
    for (p, old, _) in undone.into_iter().rev() {
        let new = match old {
            Some(e) => {
                let (id, t) = text(&e);
                sources.set_text(id, t);
                files.insert(p.clone(), e)
            }
            None => files.remove(&p),
        };
        if let (Some(e), false) = (&new, files.contains_key(&p)) {
            sources.set_text(text(e).0, "");
        }
        back.insert(p, new.map_or(Candidate::Remove, Candidate::Replace));
    }
    back
}

/// Drops `value` on a thread of its own: freeing a large model (thousands
/// of rules, millions of observations) takes long enough to hold up the
/// events of a reload, and nothing waits for it. Where no thread can be
/// started, it is dropped here.
pub(super) fn drop_aside<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("drop".into())
        .spawn(move || drop(value));
}

/// Whether the data file at `p` is read as the text it holds (CSV, TSV,
/// JSON, NDJSON, not compressed): its bytes are its lines.
fn plain_text(p: &Path) -> bool {
    let name = p.to_string_lossy();
    !crate::data::is_compressed(&name)
        && !matches!(
            crate::data::Format::of_file_name(&name),
            Some(crate::data::Format::Parquet) | None
        )
}

/// Whether nothing is at `p`, not even a link: a link that leads nowhere
/// (its target gone, a loop) is a file that cannot be read, an error
/// (E301) as for `check`, not a file deleted.
fn gone(p: &Path) -> bool {
    !p.exists() && p.symlink_metadata().is_err()
}

/// Whether the first `len` bytes of the file at `p` (the version its
/// fingerprint saw: a writer may have added since) end with a line feed.
fn ends_a_line(p: &Path, len: u64) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut f) = std::fs::File::open(p) else {
        return true;
    };
    if len == 0 || f.seek(SeekFrom::Start(len - 1)).is_err() {
        return true;
    }
    let mut last = [0u8; 1];
    f.read_exact(&mut last).is_err() || last[0] == b'\n'
}

/// The data file at `p` read whole, as the fingerprint `print` saw it: a
/// file that grew since in place (a feed's writer adding a line, perhaps
/// half of one) is cut at the length seen, which was checked to end a
/// line; the rest comes with the writer's next event.
fn read_as_seen(p: &Path, print: Option<Fingerprint>) -> Contents {
    let mut contents = files::read_or_defer(p);
    // A compressed file's text is longer than the file: its length says
    // nothing of where its text ended.
    if !plain_text(p) {
        return contents;
    }
    if let (Contents::Text(t), Some(seen)) = (&mut contents, print) {
        let len = usize::try_from(seen.len()).unwrap_or(usize::MAX);
        let grown = t.len() > len
            && Fingerprint::of(p).is_some_and(|now| now.same_file(&seen))
            && t.is_char_boundary(len);
        if grown {
            t.truncate(len);
        }
    }
    contents
}

#[cfg(test)]
#[path = "splice_tests.rs"]
mod splice_tests;

#[cfg(test)]
mod fingerprint_tests {
    use super::Fingerprint;
    use std::os::unix::fs::PermissionsExt;

    /// A file refused as unreadable is read again once `chmod` lets it
    /// be: its permissions are part of its fingerprint.
    #[test]
    fn a_change_of_permissions_changes_the_fingerprint() {
        let dir = tempfile::TempDir::new().unwrap();
        let p = dir.path().join("a.csv");
        std::fs::write(&p, "date,value\n2025-01-01,1\n").unwrap();
        let before = Fingerprint::of(&p).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
        let shut = Fingerprint::of(&p).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let open = Fingerprint::of(&p).unwrap();
        assert_ne!(before, shut);
        assert_ne!(shut, open);
        assert!(before.same_file(&open));
    }
}

#[cfg(test)]
mod roots_tests {
    use super::Roots;

    /// A folder named two ways is one root, under its first name.
    #[test]
    fn a_folder_named_two_ways_is_one_root() {
        let dir = tempfile::TempDir::new().unwrap();
        let data = dir.path().join("indicators");
        std::fs::create_dir_all(&data).unwrap();
        let roots = Roots::new(
            vec![dir.path().join("rules")],
            vec![
                data.clone(),
                dir.path().join("indicators/../indicators"),
                data.clone(),
            ],
        );
        assert_eq!(roots.data, [data]);
        assert_eq!(roots.rules.len(), 1);
    }
}
