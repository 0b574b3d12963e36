//! tocsin: a rules engine for indicator-based early warning.
//!
//! The library is layered so that the language, the data and the evaluator
//! are pure and testable from strings: [`lang`] parses and checks rule and
//! test files, [`data`] loads indicator files into sorted series, [`eval`]
//! answers rules at a date, [`workspace`] turns files in memory into a
//! checked model. Only [`cli`], [`project`], [`clock`], [`watch`], [`state`]
//! and [`sinks`] touch files, clocks, signals, the network and the terminal.
//!
//! Each layer names only those below it: [`diag`] and [`time`] nothing,
//! [`lang`] and [`data`] those two, [`eval`] nothing of the test runner,
//! the report, the daemon or the command line, and the daemon nothing of
//! the command line (the crates `tocsin-lang`, `tocsin-data` and
//! `tocsin-engine` under `crates/` make the compiler hold the first
//! three; a test in `layers.rs` reads the sources and holds the rest).

// One call into the C allocator (`watch::trim`) is allowed where it is made.
#![deny(unsafe_code)]
// User input must never make tocsin panic: no unwrap or expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod cli;
mod layers;
pub mod report;
pub mod sinks;
pub mod state;
pub mod watch;

// The lower layers, each a crate of its own, under the module names the
// program and its tests use.
pub use tocsin_data::data;
pub use tocsin_engine::{board, change, eval, heap, library, pretty, project, ruletest, workspace};
pub use tocsin_lang::{clock, diag, lang, time};
