//! What opening the state folder had to repair or leave out: for the
//! daemon to print as a warning, since each item is a change that may not
//! have been recorded as the last run believed.

use super::lines::{SkippedLine, TornTail};
use std::fmt;
use std::path::PathBuf;

/// What [`super::State::open`] found and did about it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    /// The journal.
    pub journal: PathBuf,
    /// The unfinished last line of the journal, dropped and cut from the
    /// file (a crash during a write; that change was never announced).
    pub torn: Option<TornTail>,
    /// Journal lines that could not be read, skipped (they stay in the file
    /// until the next compaction).
    pub skipped: Vec<SkippedLine>,
    /// Journal entries already in the snapshot, ignored: a compaction was
    /// interrupted after writing the snapshot. Harmless.
    pub already_in_snapshot: usize,
    /// Temporary files of an interrupted compaction, removed. Harmless.
    pub removed_temp_files: Vec<PathBuf>,
}

impl Recovery {
    /// Whether nothing was dropped or skipped (interrupted compactions are
    /// harmless and do not count).
    pub fn is_clean(&self) -> bool {
        self.torn.is_none() && self.skipped.is_empty()
    }
}

/// One line per problem; empty when [`Recovery::is_clean`].
impl fmt::Display for Recovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let journal = self.journal.display();
        for s in &self.skipped {
            writeln!(
                f,
                "{journal}:{}: skipped an unreadable line: {}",
                s.line, s.reason
            )?;
        }
        if let Some(t) = &self.torn {
            writeln!(
                f,
                "{journal}:{}: dropped an unfinished or unreadable last line ({} bytes), as an interrupted write leaves",
                t.line, t.bytes
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_prints_nothing() {
        let r = Recovery {
            already_in_snapshot: 3,
            ..Recovery::default()
        };
        assert!(r.is_clean());
        assert_eq!(r.to_string(), "");
    }

    #[test]
    fn problems_one_a_line() {
        let r = Recovery {
            journal: PathBuf::from(".tocsin/journal.ndjson"),
            torn: Some(TornTail { line: 9, bytes: 40 }),
            skipped: vec![SkippedLine {
                line: 4,
                reason: "EOF while parsing".into(),
            }],
            ..Recovery::default()
        };
        assert_eq!(
            r.to_string(),
            ".tocsin/journal.ndjson:4: skipped an unreadable line: EOF while parsing\n\
             .tocsin/journal.ndjson:9: dropped an unfinished or unreadable last line (40 bytes), as an interrupted write leaves\n"
        );
    }
}
