//! The tocsin evaluator and what shares its layer: [`eval`] answers rules
//! at a date, [`library`] holds the built-in functions (one file each),
//! [`workspace`] turns files in memory into a checked model, [`project`]
//! finds the files, [`ruletest`] runs rule unit tests, [`board`] and
//! [`change`] are the results the daemon and the command line share
//! ([`pretty`] writes their long JSON on every core). Names
//! the language and data crates, never the daemon, the report or the
//! command line (the crate graph holds it; `layers.rs` in the `tocsin`
//! crate holds the modules within a crate).

#![forbid(unsafe_code)]
// User input must never make tocsin panic: no unwrap or expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod board;
pub mod change;
pub mod eval;
pub mod heap;
pub mod library;
pub mod pretty;
pub mod project;
pub mod ruletest;
pub mod workspace;

#[cfg(test)]
mod again_tests;
#[cfg(test)]
mod check_tests;
#[cfg(test)]
mod kept_columns_tests;

// The paths the engine names (`crate::lang`, `crate::data`, ...).
pub use tocsin_data::data;
pub use tocsin_lang::{clock, diag, lang, time};
