//! Reading only what a data file gained at its end. A CSV or TSV file that
//! a feed appends rows to is read again from where the last read ended,
//! as log shippers read logs: when the path still leads to the same file
//! (device and inode), the file is longer, and its bytes up to the old end
//! are the ones read then. A file under 32 MiB is compared whole, by a
//! hash; a larger one by its last 4 KiB, so that an edit in place far
//! from its end that also makes it longer goes unseen there (replacing
//! the file, as editors and `mv` do, is always seen). Anything else, and anything the tail's rows do not allow
//! (see `Project::append_tails`), reads the file whole as before.

use super::project::Fingerprint;
use crate::data::{FileData, Format};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

/// The last bytes of a file compared before its tail is taken.
const COMPARED: u64 = 4096;

/// Files shorter than this are compared whole before a tail is taken;
/// longer ones by their last [`COMPARED`] bytes.
const WHOLE_BELOW: u64 = 32 << 20;

/// The longest header (with any blank lines before it) read again in
/// front of a tail.
const MAX_HEAD: u64 = 64 << 10;

/// The longest tail read: more than that is a new file, read whole.
const MAX_TAIL: u64 = 64 << 20;

/// Where the last read of a data file ended, and what a tail is read with.
#[derive(Clone, Debug)]
pub(super) struct Mark {
    print: Fingerprint,
    /// Line feeds up to the end: the tail's first line is the next.
    newlines: u64,
    /// The file's text up to and including its header line: read in front
    /// of a tail, its columns are the file's.
    head: Arc<str>,
    /// The bytes just before the end.
    last: Vec<u8>,
    /// A hash of every byte up to the end, for a file read as text.
    whole: Option<u64>,
}

impl Mark {
    /// The fingerprint of the file where the read ended.
    pub fn print(&self) -> Fingerprint {
        self.print
    }
}

/// A tail read from a file: its text, and what the file's mark becomes
/// once its rows are in force.
pub(super) struct Tail {
    /// The header, then the new lines.
    pub text: String,
    /// Lines of the header in `text`.
    head_lines: u64,
    /// Line feeds of the file before the new lines.
    before: u64,
    /// The mark after this tail.
    pub next: Mark,
}

impl Tail {
    /// The line of the file that line `line` (1-based) of [`Tail::text`]
    /// is, past the header.
    pub fn file_line(&self, line: u32) -> Option<u32> {
        let k = u64::from(line).checked_sub(self.head_lines)?;
        u32::try_from(self.before + k).ok()
    }
}

/// The mark of a data file just read whole with fingerprint `print` and
/// parsed into `data` (`text` when it was read as text, else read as it
/// streams): `None` for a file whose tail cannot be read on its own (not
/// plain CSV or TSV, not ending with a line feed, a header with a quote,
/// warnings to quote).
pub(super) fn mark(
    path: &Path,
    print: Option<Fingerprint>,
    text: Option<&str>,
    data: &FileData,
) -> Option<Mark> {
    let print = print?;
    let name = path.to_string_lossy();
    let plain = matches!(Format::of_file_name(&name), Some(Format::Csv | Format::Tsv));
    if !plain || crate::data::is_compressed(&name) || !data.warnings.is_empty() {
        return None;
    }
    let len = print.len();
    let (newlines, head, last, whole) = match text {
        Some(t) => {
            if t.len() as u64 != len {
                return None;
            }
            let newlines = t.bytes().filter(|&b| b == b'\n').count() as u64;
            let from = t.len().saturating_sub(COMPARED as usize);
            let whole = (len < WHOLE_BELOW).then(|| hash(t.as_bytes()));
            (
                newlines,
                head_of(t.as_bytes())?,
                t.as_bytes()[from..].to_vec(),
                whole,
            )
        }
        // Read as it streams: its header and its last bytes read again,
        // when it did not change while it was read (the stream reads to
        // its end, wherever that was then).
        None => {
            if Fingerprint::of(path) != Some(print) {
                return None;
            }
            let mut file = std::fs::File::open(path).ok()?;
            let mut start = Vec::new();
            (&mut file).take(MAX_HEAD).read_to_end(&mut start).ok()?;
            let head = head_of(&start)?;
            let from = len.saturating_sub(COMPARED);
            file.seek(SeekFrom::Start(from)).ok()?;
            let mut last = Vec::new();
            file.take(len - from).read_to_end(&mut last).ok()?;
            (data.newlines?, head, last, None)
        }
    };
    (last.last() == Some(&b'\n')).then(|| Mark {
        print,
        newlines,
        head: head.into(),
        last,
        whole,
    })
}

/// The text up to and including the first line that is not blank, when
/// it holds no quote (a header read line by line) and is UTF-8.
fn head_of(bytes: &[u8]) -> Option<String> {
    let mut at = 0;
    loop {
        let end = at + bytes.get(at..)?.iter().position(|&b| b == b'\n')? + 1;
        let line = &bytes[at..end];
        if line.contains(&b'"') {
            return None;
        }
        if !line.iter().all(|b| b.is_ascii_whitespace()) {
            return std::str::from_utf8(&bytes[..end]).ok().map(str::to_string);
        }
        at = end;
    }
}

/// The lines `path` gained since `mark`, now that its fingerprint is
/// `print`: `None` when the file is not the one marked grown (replaced,
/// truncated, rewritten before the old end), when the new part does not
/// end with a whole line, or when it cannot be read.
pub(super) fn read(path: &Path, mark: &Mark, print: Option<Fingerprint>) -> Option<Tail> {
    let print = print?;
    let (old, new) = (mark.print.len(), print.len());
    if !print.same_file(&mark.print) || new <= old || new - old > MAX_TAIL {
        return None;
    }
    let mut file = std::fs::File::open(path).ok()?;
    let from = match mark.whole {
        Some(_) => 0,
        None => old - mark.last.len() as u64,
    };
    file.seek(SeekFrom::Start(from)).ok()?;
    let mut bytes = Vec::new();
    file.take(new - from).read_to_end(&mut bytes).ok()?;
    let kept = usize::try_from(old - from).ok()?;
    let same = match mark.whole {
        Some(h) => bytes.get(..kept).is_some_and(|b| hash(b) == h),
        None => bytes.get(..kept) == Some(mark.last.as_slice()),
    };
    if bytes.len() as u64 != new - from || !same {
        return None;
    }
    let added = &bytes[kept..];
    if added.last() != Some(&b'\n') || added.starts_with("\u{feff}".as_bytes()) {
        return None;
    }
    let added = std::str::from_utf8(added).ok()?;
    let gained = added.bytes().filter(|&b| b == b'\n').count() as u64;
    let from = bytes.len().saturating_sub(COMPARED as usize);
    let next = Mark {
        print,
        newlines: mark.newlines + gained,
        head: Arc::clone(&mark.head),
        last: bytes[from..].to_vec(),
        whole: (mark.whole.is_some() && new < WHOLE_BELOW).then(|| hash(&bytes)),
    };
    let mut text = String::with_capacity(mark.head.len() + added.len());
    text.push_str(&mark.head);
    text.push_str(added);
    Some(Tail {
        text,
        head_lines: mark.head.bytes().filter(|&b| b == b'\n').count() as u64,
        before: mark.newlines,
        next,
    })
}

/// A hash of a file's bytes.
fn hash(bytes: &[u8]) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = rustc_hash::FxBuildHasher.build_hasher();
    h.write(bytes);
    h.write_usize(bytes.len());
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::super::project::{Project, Reload, Roots};
    use crate::eval::evaluate;
    use crate::time::Date;
    use std::io::Write;
    use std::path::Path;

    const RULES: &str = "indicator busy { by: region when: count(events, 30d) >= 2 }\n\
        indicator heavy { when: sum(events.deaths, 30d) > 5 }\n\
        alert any_busy { severity: warning when: any(busy) }\n";

    /// A header after a blank line, a quoted note with a line break and a
    /// doubled quote: what the tail is read behind and numbered after.
    const HEAD: &str = "\ndate,region,deaths,notes\n\
        2025-03-01,North,1,plain\n\
        2025-03-02,South,2,\"two\nlines, \"\"quoted\"\"\"\n\
        2025-03-02,North,0,\n";

    fn project(dir: &Path) -> (Project, Reload) {
        let mut p = Project::new(Roots {
            rules: vec![dir.join("rules")],
            data: vec![dir.join("indicators")],
        });
        let r = p.reload(true);
        (p, r)
    }

    fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("rules")).unwrap();
        std::fs::create_dir_all(dir.path().join("indicators")).unwrap();
        std::fs::write(dir.path().join("rules/a.rules"), RULES).unwrap();
        let data = dir.path().join("indicators/events.csv");
        std::fs::write(&data, HEAD).unwrap();
        (dir, data)
    }

    fn append(path: &Path, text: &str) {
        let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }

    /// Every row of every series, with its file line and fields, and the
    /// results at `t`: what a reload must leave as a fresh load does.
    fn state(p: &Project, t: &str) -> String {
        let store = p.store();
        let mut out = String::new();
        for (_, s) in store.iter() {
            for r in 0..s.len() {
                let fields: Vec<&str> = (0..s.fields.names().len())
                    .map(|c| s.fields.get(c, r))
                    .collect();
                out += &format!(
                    "{} {} {} {} {:?} {:?}\n",
                    s.name,
                    s.dates[r],
                    s.values[r],
                    s.line(r),
                    fields,
                    s.repeats_dates()
                );
            }
        }
        let t = Date::parse_iso(t).unwrap();
        out + &format!("{:?}", evaluate(p.model().unwrap(), t))
    }

    #[test]
    fn appended_lines_alone_are_read_and_give_what_a_fresh_load_gives() {
        let (dir, data) = setup();
        let (mut p, first) = project(dir.path());
        assert!(first.errors.is_empty(), "{:?}", first.errors);
        for more in [
            "2025-03-03,East,4,\"a\nb\"\n2025-03-03,North,2,x\n",
            // A date already there, of this file: after its rows.
            "2025-03-03,South,1,\n",
            "2025-03-09,West,0,\"\"\"\"\n",
        ] {
            append(&data, more);
            let r = p.reload(false);
            assert!(r.errors.is_empty(), "{:?}", r.errors);
            assert_eq!(r.appended, [crate::project::files::display(&data)]);
            assert_eq!(r.applied, r.appended);
            assert!(r.rebuilt);
            let (fresh, _) = project(dir.path());
            assert_eq!(state(&p, "2025-03-09"), state(&fresh, "2025-03-09"));
        }
    }

    #[test]
    fn files_sharing_a_series_and_files_lending_theirs_stay_as_a_fresh_load() {
        // `events` is one file's alone, so lent to the store; `shared` has
        // rows in two files, so copied; each step is checked against a
        // fresh load.
        let (dir, data) = setup();
        let ind = dir.path().join("indicators");
        let shared = |name: &str, rows: &str| {
            std::fs::write(ind.join(name), format!("series,date,value,region\n{rows}")).unwrap();
        };
        shared(
            "a.csv",
            "shared,2025-03-01,1,North\nshared,2025-03-04,2,South\n",
        );
        shared("b.csv", "shared,2025-03-02,5,East\n");
        std::fs::write(
            dir.path().join("rules/b.rules"),
            "indicator shared_high { by: region when: sum(shared, 30d) > 1 }\n",
        )
        .unwrap();
        let (mut p, first) = project(dir.path());
        assert!(first.errors.is_empty(), "{:?}", first.errors);
        let same_as_fresh = |p: &Project, why: &str| {
            let (fresh, _) = project(dir.path());
            assert_eq!(state(p, "2025-03-09"), state(&fresh, "2025-03-09"), "{why}");
        };
        same_as_fresh(&p, "loaded");
        let steps: [(&str, &dyn Fn()); 5] = [
            ("a lent series' tail", &|| {
                append(&data, "2025-03-05,East,4,\n")
            }),
            ("a shared series' tail", &|| {
                append(&ind.join("b.csv"), "shared,2025-03-06,3,West\n")
            }),
            ("an older tail of a lent series", &|| {
                append(&data, "2025-02-20,West,1,\n")
            }),
            ("a file added", &|| {
                shared("c.csv", "shared,2025-03-03,7,North\n")
            }),
            ("a file edited", &|| {
                shared("a.csv", "shared,2025-03-01,9,North\n")
            }),
        ];
        for (why, change) in steps {
            change();
            let r = p.reload(false);
            assert!(r.errors.is_empty(), "{why}: {:?}", r.errors);
            assert!(r.rebuilt, "{why}");
            same_as_fresh(&p, why);
        }
        // The lending file removed while rules read it: refused, and
        // what it lent stays in force.
        let before = state(&p, "2025-03-09");
        std::fs::remove_file(&data).unwrap();
        let r = p.reload(false);
        assert_eq!(r.errors.len(), 2, "{:?}", r.errors);
        assert_eq!(state(&p, "2025-03-09"), before);
        // The file back, then a tail of it after a rule edit.
        std::fs::write(&data, HEAD).unwrap();
        p.reload(false);
        same_as_fresh(&p, "the file back");
        std::fs::write(dir.path().join("rules/b.rules"), "").unwrap();
        p.reload(false);
        append(&data, "2025-03-08,North,2,\n");
        let r = p.reload(false);
        assert_eq!(r.appended.len(), 1);
        same_as_fresh(&p, "a tail after a rule edit");
    }

    #[test]
    fn what_a_tail_cannot_give_is_read_whole() {
        let (dir, data) = setup();
        let (mut p, _) = project(dir.path());
        let mut text = HEAD.to_string();
        for (change, tail, why) in [
            // Dated before the newest row: read alone, the series then
            // sorted again.
            ("2025-02-01,West,3,\n", true, "older"),
            // No line feed at the end: a line still being written, left
            // for now and looked at again.
            ("2025-03-05,West,3,", false, "partial"),
            // The line finished: read from the tail.
            ("\n", true, "completed"),
            ("2025-03-05,West,3,\n", true, "again"),
        ] {
            append(&data, change);
            text += change;
            let r = p.reload(false);
            assert!(r.errors.is_empty(), "{why}: {:?}", r.errors);
            assert_eq!(r.appended.len(), usize::from(tail), "{why}");
            if why == "partial" {
                assert!(p.take_look_again().is_some());
                continue;
            }
            let (fresh, _) = project(dir.path());
            assert_eq!(
                state(&p, "2025-03-09"),
                state(&fresh, "2025-03-09"),
                "{why}"
            );
        }
        // An edit in place that also makes the file longer.
        text = text.replace("North,1,plain", "North,7,plain") + "2025-03-06,East,1,\n";
        std::fs::write(&data, &text).unwrap();
        let r = p.reload(false);
        assert!(r.appended.is_empty());
        let (fresh, _) = project(dir.path());
        assert_eq!(state(&p, "2025-03-09"), state(&fresh, "2025-03-09"));

        // A bad row: the file read whole reports it at its line, and the
        // rows in force stay.
        let before = state(&p, "2025-03-09");
        append(&data, "2025-03-07,East,1,\nnot a date,East,1,\n");
        let r = p.reload(false);
        assert!(r.appended.is_empty());
        assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
        let lines = text.bytes().filter(|&b| b == b'\n').count() + 2;
        assert_eq!(r.errors[0].line, lines, "{}", r.errors[0].rendered);
        assert_eq!(state(&p, "2025-03-09"), before);
    }
}
