//! `tocsin watch`: resolves the flags and starts the daemon.

use super::args::{Inputs, WatchFormat};
use super::{fs, BAD_INPUT};
use crate::time::Date;
use std::io::IsTerminal;
use std::path::PathBuf;

fn or_default(given: &[PathBuf], default: &str) -> Vec<PathBuf> {
    if given.is_empty() {
        vec![PathBuf::from(default)]
    } else {
        given.to_vec()
    }
}

/// Runs `watch`.
pub fn run(
    inputs: &Inputs,
    at: Option<Date>,
    format: Option<WatchFormat>,
    listen: Option<String>,
    state: PathBuf,
    webhook: Option<String>,
    alertmanager: Option<String>,
) -> u8 {
    // Paths given explicitly must exist, as for the one-shot commands; the
    // defaults may appear later.
    for (given, flag) in [
        (&inputs.rules, "--rules"),
        (&inputs.indicators, "--indicators"),
    ] {
        if let Some(missing) = given.iter().find(|p| !p.exists()) {
            eprintln!(
                "error[E309]: {flag} {}: no such file or folder",
                fs::display(missing)
            );
            return BAD_INPUT;
        }
    }
    let format = match format {
        Some(WatchFormat::Text) => crate::watch::Format::Text,
        Some(WatchFormat::Json) => crate::watch::Format::Json,
        None if std::io::stdout().is_terminal() => crate::watch::Format::Text,
        None => crate::watch::Format::Json,
    };
    crate::watch::run(crate::watch::Options {
        roots: crate::watch::Roots {
            rules: or_default(&inputs.rules, "rules"),
            data: or_default(&inputs.indicators, "indicators"),
        },
        at,
        format,
        listen,
        state,
        webhook,
        alertmanager,
    })
}
