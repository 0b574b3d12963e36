//! The checker: resolves names across the whole ruleset, infers and checks
//! types, finds cycles, and lowers the syntax tree into a [`Program`].
//! Every problem is reported, not just the first.

mod again;
mod depth;
mod feeds;
mod lower;
mod names;

use crate::diag::{Diagnostic, FileId};
use crate::lang::ast::RuleFile;
use crate::lang::functions::Signature;
use crate::lang::program::Program;

pub use again::{check_again, Again, Kept};

/// The result of checking a ruleset.
#[derive(Debug)]
pub struct Checked {
    /// The checked program. Items with errors are still present (their
    /// broken parts lowered to `Invalid`), so that callers can tell which
    /// names exist; evaluate only when there are no errors.
    pub program: Program,
    /// Errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
    /// Number of items checked.
    pub items: usize,
}

impl Checked {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Checks the parsed rule files (given in path order) against the names of
/// the data series and the functions whose signatures are `sigs`; each
/// call in the program refers to its function by position in `sigs`.
pub fn check_with(
    files: &[(FileId, &RuleFile)],
    data_series: &[&str],
    sigs: &[Signature],
) -> Checked {
    check_inner(files, data_series, sigs, false).0
}

/// [`check_with`], and, when it finds no error, what [`check_again`]
/// needs to check one file's rules again later.
pub fn check_keeping(
    files: &[(FileId, &RuleFile)],
    data_series: &[&str],
    sigs: &[Signature],
) -> (Checked, Option<Kept>) {
    check_inner(files, data_series, sigs, true)
}

fn check_inner(
    files: &[(FileId, &RuleFile)],
    data_series: &[&str],
    sigs: &[Signature],
    keep: bool,
) -> (Checked, Option<Kept>) {
    let defs = names::collect(files, data_series);
    let items = defs.item_count();
    let (too_deep, depths) = depth::measure(&defs);
    if let Some(too_deep) = too_deep {
        // Lowering follows references recursively: stop before it.
        let mut diagnostics = defs.diagnostics;
        diagnostics.push(too_deep);
        let checked = Checked {
            program: Program::default(),
            diagnostics,
            items,
        };
        return (checked, None);
    }
    let mut feed_diags = Vec::new();
    let feeds = feeds::lower(&defs, &mut feed_diags);
    // The namespace is copied before the lowerer takes it, and only when
    // it is to be kept.
    let names = (keep && defs.diagnostics.is_empty() && feed_diags.is_empty()).then(|| {
        (
            again::owned(&defs.names),
            (defs.series.len(), defs.lets.len()),
        )
    });
    let mut lowerer = lower::Lowerer::new(defs, sigs);
    lowerer.run();
    let (mut program, mut diagnostics, interned) = lowerer.finish_keeping();
    program.feeds = feeds;
    diagnostics.extend(feed_diags);
    let kept = match names {
        Some((names, counts)) if diagnostics.is_empty() => {
            Some(Kept::new(names, depths, counts, interned, &program))
        }
        _ => None,
    };
    let checked = Checked {
        program,
        diagnostics,
        items,
    };
    (checked, kept)
}
