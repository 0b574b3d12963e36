//! The results as people and CI servers read them: a text report, failures
//! as diffs of what was expected and what came out, and JUnit XML.

use super::run::{Failure, Outcome, TestOutcome};
use crate::diag::{render, Diagnostic, SourceMap};
use std::time::Duration;

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// The text report. Each file gets a line (`ok` or `FAIL` and its counts);
/// each failing test, and with `verbose` each passing one, a line under it;
/// each failure the place of the expectation, the date, the diff and the
/// values that decided. The last line is exactly `N passed, N failed`.
pub fn text(outcome: &Outcome, verbose: bool, colour: bool) -> String {
    let paint = Paint(colour);
    let mut out = String::new();
    for file in &outcome.files {
        let total = file.tests.len();
        let failed = file.failed();
        if failed == 0 {
            out.push_str(&format!(
                "{} {} ({total} test{})\n",
                paint.wrap("32", "ok  "),
                file.name,
                plural(total)
            ));
        } else {
            out.push_str(&format!(
                "{} {} ({failed} of {total} test{} failed)\n",
                paint.wrap("1;31", "FAIL"),
                file.name,
                plural(total)
            ));
        }
        for t in &file.tests {
            if t.passed() {
                if verbose {
                    out.push_str(&format!("  {} {:?}\n", paint.wrap("32", "ok  "), t.name));
                }
                continue;
            }
            out.push_str(&format!("  {} {:?}\n", paint.wrap("1;31", "FAIL"), t.name));
            for f in &t.failures {
                out.push_str(&failure(f, &paint, "    "));
            }
        }
    }
    if !outcome.files.is_empty() {
        out.push('\n');
    }
    out.push_str(&format!(
        "{} passed, {} failed\n",
        outcome.passed(),
        outcome.failed()
    ));
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Where the expectation failed, when, what was expected against what came
/// out, and the values that decided.
fn failure(f: &Failure, paint: &Paint, indent: &str) -> String {
    let mut out = format!("{indent}{}:{}:{} at {}", f.file, f.line, f.col, f.at);
    if let Some((failed, days)) = f.days {
        out.push_str(&format!(
            " (the first of {failed} failing day{} out of {days})",
            plural(failed)
        ));
    }
    out.push('\n');
    out.push_str(&format!(
        "{indent}{}\n",
        paint.wrap("31", &format!("- expected {}", f.expected))
    ));
    out.push_str(&format!(
        "{indent}{}\n",
        paint.wrap("32", &format!("+ got      {}", f.got))
    ));
    for v in &f.values {
        out.push_str(&format!("{indent}    {}\n", paint.wrap("2", v)));
    }
    out
}

/// The results as JUnit XML: a `testsuite` per file, a `testcase` per
/// test, a `failure` per failed test holding every failed expectation;
/// each with its `time` in seconds.
pub fn junit(outcome: &Outcome) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"tocsin test\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{}\">\n",
        outcome.passed() + outcome.failed(),
        outcome.failed(),
        seconds(outcome.time())
    ));
    for file in &outcome.files {
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{}\">\n",
            attr(&file.name),
            file.tests.len(),
            file.failed(),
            seconds(file.time())
        ));
        let class = class_name(&file.name);
        for t in &file.tests {
            out.push_str(&format!(
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
                attr(&t.name),
                attr(&class),
                seconds(t.time)
            ));
            if t.passed() {
                out.push_str("/>\n");
                continue;
            }
            out.push_str(">\n");
            out.push_str(&format!(
                "      <failure message=\"{}\" type=\"expectation\">{}</failure>\n",
                attr(&message(t)),
                xml(&details(t))
            ));
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// JUnit XML for a suite that could not run (its errors make `tocsin test`
/// exit 2): a CI server that reads the report shows why instead of an empty
/// or stale one. Each file with an error gets a `testsuite` holding one
/// `testcase`, named after the file, whose `error` carries the first
/// error as its message and every error, one a line, as its text; errors
/// that belong to no file (a test path that does not exist) go under
/// `tocsin test`. Warnings are left out.
pub fn junit_errors(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let mut by_file: Vec<(String, Vec<&Diagnostic>)> = Vec::new();
    for d in diagnostics.iter().filter(|d| d.is_error()) {
        let file =
            render::location(d, sources).map_or_else(|| "tocsin test".to_string(), |(f, _, _)| f);
        match by_file.iter_mut().find(|(f, _)| *f == file) {
            Some((_, ds)) => ds.push(d),
            None => by_file.push((file, vec![d])),
        }
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"tocsin test\" tests=\"{n}\" failures=\"0\" errors=\"{n}\" time=\"0.000\">\n",
        n = by_file.len()
    ));
    for (file, errors) in &by_file {
        let first = errors[0];
        let text: String = errors
            .iter()
            .map(|d| format!("{}\n", render::one_line(d, sources)))
            .collect();
        out.push_str(&format!(
            "  <testsuite name=\"{f}\" tests=\"1\" failures=\"0\" errors=\"1\" time=\"0.000\">\n    <testcase name=\"{f}\" classname=\"{}\" time=\"0.000\">\n      <error message=\"{}\" type=\"{}\">{}</error>\n    </testcase>\n  </testsuite>\n",
            attr(&class_name(file)),
            attr(&render::shown(&first.message)),
            first.code,
            xml(&text),
            f = attr(file),
        ));
    }
    out.push_str("</testsuites>\n");
    out
}

/// A duration as JUnit's `time`: seconds, with milliseconds.
fn seconds(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

/// A JUnit class name: the file's path without `.test` (or `.rules`, for
/// a rule file in error), dotted (`rules/taiwan.test` is `rules.taiwan`),
/// as CI servers group by it; an absolute path without its leading
/// separator, which would give an empty first package.
fn class_name(file: &str) -> String {
    let stem = [".test", ".rules"]
        .iter()
        .find_map(|ext| file.strip_suffix(ext))
        .unwrap_or(file);
    let stem = stem
        .trim_start_matches("./")
        .trim_start_matches(['/', '\\']);
    stem.replace(['/', '\\'], ".")
}

/// One line for the `message` attribute: the first failure.
fn message(t: &TestOutcome) -> String {
    let Some(f) = t.failures.first() else {
        return String::new();
    };
    let more = match t.failures.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    format!("at {}: expected {}, got {}{more}", f.at, f.expected, f.got)
}

/// Every failure of a test, as the text report shows them.
fn details(t: &TestOutcome) -> String {
    t.failures
        .iter()
        .map(|f| failure(f, &Paint(false), ""))
        .collect()
}

/// Text escaped for an XML attribute: as [`xml`], with tabs and line
/// breaks as character references, which a parser keeps (written as they
/// are, it reads them as spaces).
fn attr(s: &str) -> String {
    xml(s)
        .replace('\t', "&#9;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
}

/// Text escaped for XML attributes and content; characters XML 1.0 cannot
/// hold at all become U+FFFD.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}
