//! The terminal: whether to use colour, and printing diagnostics.

use crate::diag::{redact, render, Diagnostic, Redactor, SourceMap};
use codespan_reporting::term::termcolor::{BufferedStandardStream, ColorChoice, WriteColor};

/// Environment variables whose values are secrets: sink URLs (which may
/// hold a password or a token) and the webhook signing secret.
pub const SECRET_VARIABLES: [&str; 3] = [
    "TOCSIN_WEBHOOK",
    "TOCSIN_ALERTMANAGER",
    "TOCSIN_WEBHOOK_SECRET",
];

/// Options whose values are sink URLs.
const SECRET_OPTIONS: [&str; 2] = ["--webhook", "--alertmanager"];

/// The secrets this process knows of: the values of [`SECRET_VARIABLES`]
/// and of the sink URL options, and the credentials in each. A data file
/// that is a link to `/proc/self/environ` or `/proc/self/cmdline` holds
/// them all.
pub fn secrets(
    vars: impl IntoIterator<Item = (String, String)>,
    args: impl IntoIterator<Item = String>,
) -> Vec<String> {
    let mut values: Vec<String> = Vec::new();
    let mut keep = |key: &str, value: String| {
        // Several Alertmanagers are given as one list: each URL is a secret
        // of its own, so that one printed alone is hidden too.
        if key.ends_with("ALERTMANAGER") || key == "--alertmanager" {
            values.extend(value.split(',').filter(|v| *v != value).map(String::from));
        }
        values.push(value);
    };
    for (k, v) in vars {
        if SECRET_VARIABLES.contains(&k.as_str()) {
            keep(&k, v);
        }
    }
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        if SECRET_OPTIONS.contains(&a.as_str()) {
            if let Some(v) = args.next() {
                keep(&a, v);
            }
        } else if let Some((k, v)) = a.split_once('=') {
            if SECRET_OPTIONS.contains(&k) {
                keep(k, v.to_string());
            }
        }
    }
    let parts: Vec<String> = values
        .iter()
        .flat_map(|v| crate::sinks::credentials(v))
        .collect();
    values.extend(parts);
    values.retain(|v| !v.trim().is_empty());
    values
}

/// Builds the [`Redactor`] from this process's environment and arguments
/// and installs it for every renderer. Called first thing.
pub fn install_redactor() {
    let vars = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
    let args = std::env::args_os().filter_map(|a| a.into_string().ok());
    redact::install(Redactor::new(secrets(vars, args)));
}

/// True when `NO_COLOR` is set and not empty: no colour under
/// `--color auto` (<https://no-color.org>).
pub fn no_colour() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// True when `CLICOLOR_FORCE` is set, not empty and not `0`: colour under
/// `--color auto` even into a pipe.
pub fn force_colour() -> bool {
    std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Prints diagnostics to stderr, rustc-style, in colour when `colour`
/// (see [`super::Config::colour_err`], which `--color` decides).
pub fn print_diagnostics(diags: &[Diagnostic], sources: &SourceMap, colour: bool) {
    let choice = if colour {
        ColorChoice::Always
    } else {
        ColorChoice::Never
    };
    // Buffered, flushed once: codespan writes a quoted line piece by piece.
    let mut out = BufferedStandardStream::stderr(choice);
    let written =
        render::emit(&mut out, diags, sources).and_then(|()| std::io::Write::flush(&mut out));
    if written.is_err() {
        let _ = out.reset();
        for d in diags {
            eprintln!("{}", render::one_line(d, sources));
        }
    }
}

/// Writes `text` to stdout. A reader that went away (`| head`) is not an
/// error worth a panic: the rest is simply not written.
pub fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

/// [`out`] with a line end.
pub fn outln(text: &str) {
    out(&format!("{text}\n"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_come_from_the_sink_variables_and_options() {
        let vars = [
            ("TOCSIN_WEBHOOK", "http://u:hunter2@h/x"),
            ("TOCSIN_WEBHOOK_SECRET", "s1gning-key"),
            ("HOME", "/root"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let args = [
            "tocsin",
            "watch",
            "--alertmanager",
            "http://am:pw0rd@h",
            "--webhook=https://t0ken@x/",
            "--alertmanager=http://a:s3cond@h2,http://b:th1rd@h3",
        ]
        .map(String::from);
        let found = secrets(vars, args);
        for want in [
            "http://u:hunter2@h/x",
            "u:hunter2",
            "hunter2",
            "s1gning-key",
            "http://am:pw0rd@h",
            "pw0rd",
            "https://t0ken@x/",
            "t0ken",
            "http://a:s3cond@h2",
            "s3cond",
            "http://b:th1rd@h3",
            "th1rd",
        ] {
            assert!(
                found.iter().any(|s| s == want),
                "{want} not in {}",
                found.len()
            );
        }
        assert!(!found.iter().any(|s| s == "/root"));
        let r = Redactor::new(found);
        assert_eq!(
            r.redact("TOCSIN_WEBHOOK=http://u:hunter2@h/x"),
            "TOCSIN_WEBHOOK=***"
        );
    }
}
