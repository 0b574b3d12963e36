//! The tocsin rule language, pure and testable from strings: [`lang`]
//! parses, checks and formats rule and test files, [`diag`] holds the
//! diagnostics they give, [`time`] the dates and durations, [`clock`]
//! today's date. It names no crate of tocsin above it: the checker takes
//! the functions' signatures as an argument.

#![forbid(unsafe_code)]
// User input must never make tocsin panic: no unwrap or expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod clock;
pub mod diag;
pub mod lang;
pub mod time;
