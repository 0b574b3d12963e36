//! Indicator data files (CSV, JSON, NDJSON) parsed from text into sorted
//! series. Loaders read `&str`; the file system is touched by the crates
//! above. Names only the language crate's diagnostics and dates.

#![forbid(unsafe_code)]
// User input must never make tocsin panic: no unwrap or expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod data;

// The paths the loaders name (`crate::diag`, `crate::time`).
pub use tocsin_lang::{diag, time};
