//! The checker: resolves names across the whole ruleset, infers and checks
//! types, finds cycles, and lowers the syntax tree into a [`Program`].
//! Every problem is reported, not just the first.

mod depth;
mod feeds;
mod lower;
mod names;

use crate::diag::{Diagnostic, FileId};
use crate::lang::ast::RuleFile;
use crate::lang::functions::Signature;
use crate::lang::program::Program;

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
    let defs = names::collect(files, data_series);
    let items = defs.item_count();
    if let Some(too_deep) = depth::check(&defs) {
        // Lowering follows references recursively: stop before it.
        let mut diagnostics = defs.diagnostics;
        diagnostics.push(too_deep);
        return Checked {
            program: Program::default(),
            diagnostics,
            items,
        };
    }
    let mut feed_diags = Vec::new();
    let feeds = feeds::lower(&defs, &mut feed_diags);
    let mut lowerer = lower::Lowerer::new(defs, sigs);
    lowerer.run();
    let (mut program, mut diagnostics) = lowerer.finish();
    program.feeds = feeds;
    diagnostics.extend(feed_diags);
    Checked {
        program,
        diagnostics,
        items,
    }
}
