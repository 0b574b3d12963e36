//! The integration tests that need nothing but tocsin itself, one module
//! per area, in one binary: the binary is linked once and its tests share
//! one process, so `cargo test` spends its time testing, not linking.
//! Tests that start an outside program (Alertmanager, Chromium, `mount`)
//! and the soak test are in `tests/external/`.

#[path = "../common/mod.rs"]
mod common;

mod alertmanager_links;
mod backtest;
mod cli;
mod colour;
mod conformance;
mod data_properties;
mod diagnostics;
mod docs;
mod example;
mod explain;
mod fmt_cli;
mod format;
mod format_tests;
mod formats;
mod fuzz_regressions;
mod guard;
mod hardening_daemon;
mod hardening_data;
mod hardening_lang;
mod hardening_output;
mod instances;
mod intake;
mod junit;
mod large_csv;
mod man;
mod messages;
mod metrics;
mod parquet;
mod real_data;
mod report;
mod ruletest;
mod state;
mod statistics;
mod watch;
mod watch_feeds;
mod watch_instances;
mod watch_state;
mod webhook;
mod webhook_formats;
mod webhook_receiver;
mod webhook_trust;
