//! The integration tests that start an outside program: a real
//! Alertmanager, headless Chromium, `mount` for a small tmpfs; and the soak
//! test (ignored by default, see `bench/soak`). Each finds its program
//! through an environment variable or PATH (`.ci/run` sets them) and, when
//! it is absent, says so and passes, except under CI where it fails.

mod alertmanager;
mod alertmanager_webhook;
#[path = "../common/mod.rs"]
mod common;
mod faults;
mod ha_pair;
mod report_browser;
mod report_phone;
mod soak;
