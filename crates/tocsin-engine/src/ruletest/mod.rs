//! Rule unit tests: test files that give data, dates and the statuses
//! (values, summaries) expected there, run against the repository's rules
//! or against rules written in the test file itself.
//!
//! Pure, like the language: [`parser`] (in [`crate::lang::testfile`]) reads
//! a test file into an [`ast::TestFile`]; [`suite::prepare`] checks the files with the rule
//! checker and resolves every name an expectation uses; [`run::run`] builds
//! a model per test from the test's data alone and checks each
//! expectation; [`report`] renders the outcome as text or JUnit XML. The
//! `tocsin test` command (`cli::test`) finds and reads the files.
//!
//! ```text
//! indicator surge { when: growth(adiz, 1y) >= 300% }
//!
//! test "a fourfold year is a surge" {
//!   data adiz { every 1mo from 2024-01-31: 1 x 12, 4 x 12 }
//!   at 2025-12-31 { surge met  value growth(adiz, 1y) == 300% }
//! }
//! ```

pub mod report;
pub mod run;
mod store;
pub mod suite;

// The test-file language lives with the rule language, below the evaluator.
pub use crate::lang::testfile::{ast, parse_test_file, parser};
pub use run::{run, run_timed, Failure, FileOutcome, Outcome, TestOutcome};
pub use suite::{prepare, Suite};

#[cfg(test)]
mod tests;
