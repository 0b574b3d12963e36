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
//! the command line (a test in `layers.rs` reads the sources and holds them
//! to it).

#![forbid(unsafe_code)]
// User input must never make tocsin panic: no unwrap or expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod board;
pub mod change;
pub mod cli;
pub mod clock;
pub mod data;
pub mod diag;
pub mod eval;
mod heap;
pub mod lang;
mod layers;
pub mod library;
pub mod project;
pub mod report;
pub mod ruletest;
pub mod sinks;
pub mod state;
pub mod time;
pub mod watch;
pub mod workspace;
