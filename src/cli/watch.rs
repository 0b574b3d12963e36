//! `tocsin watch`: checks the paths given and starts the daemon.

use super::config::Daemon;
use super::{Config, BAD_INPUT, OK};
use crate::project::files;

/// The environment variable holding the key webhook bodies are signed with.
const SECRET_VARIABLE: &str = "TOCSIN_WEBHOOK_SECRET";

/// Runs `watch`.
pub fn run(cfg: &Config, daemon: &Daemon) -> u8 {
    let Daemon {
        format,
        listen,
        state,
        webhook,
        webhook_format,
        alertmanager,
        external_url,
    } = daemon;
    // From the environment only: a flag would show the key in the process
    // list.
    let webhook_secret = match std::env::var_os(SECRET_VARIABLE) {
        None => None,
        Some(value) => match value.to_str() {
            Some(text) => crate::sinks::Secret::new(text),
            None => {
                eprintln!("error: {SECRET_VARIABLE} is not valid UTF-8");
                return BAD_INPUT;
            }
        },
    };
    // Paths given explicitly must exist, as for the one-shot commands; the
    // defaults may appear later.
    for (given, flag) in [(&cfg.rules, "--rules"), (&cfg.indicators, "--indicators")] {
        if !given.explicit {
            continue;
        }
        if let Some(missing) = given.paths.iter().find(|p| !p.exists()) {
            eprintln!(
                "error[E309]: {flag} {}: no such file or folder",
                files::display(missing)
            );
            return BAD_INPUT;
        }
    }
    let started = crate::watch::run(crate::watch::Options {
        roots: crate::watch::Roots::new(cfg.rules.paths.clone(), cfg.indicators.paths.clone()),
        at: cfg.frozen,
        format: *format,
        listen: listen.clone(),
        state: state.clone(),
        webhook: webhook.clone(),
        webhook_format: *webhook_format,
        webhook_secret,
        alertmanager: alertmanager.clone(),
        external_url: external_url.clone(),
    });
    match started {
        Ok(()) => OK,
        Err(e) => {
            eprintln!("error: {e}");
            BAD_INPUT
        }
    }
}
