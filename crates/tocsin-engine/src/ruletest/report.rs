//! The results as people and CI servers read them: a text report, failures
//! as diffs of what was expected and what came out, and JUnit XML.

use super::run::{Failure, Outcome, TestOutcome};

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
/// test, a `failure` per failed test holding every failed expectation.
pub fn junit(outcome: &Outcome) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"tocsin test\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n",
        outcome.passed() + outcome.failed(),
        outcome.failed()
    ));
    for file in &outcome.files {
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n",
            xml(&file.name),
            file.tests.len(),
            file.failed()
        ));
        let class = class_name(&file.name);
        for t in &file.tests {
            out.push_str(&format!(
                "    <testcase name=\"{}\" classname=\"{}\"",
                xml(&t.name),
                xml(&class)
            ));
            if t.passed() {
                out.push_str("/>\n");
                continue;
            }
            out.push_str(">\n");
            out.push_str(&format!(
                "      <failure message=\"{}\" type=\"expectation\">{}</failure>\n",
                xml(&message(t)),
                xml(&details(t))
            ));
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// A JUnit class name: the file's path without `.test`, dotted
/// (`rules/taiwan.test` is `rules.taiwan`), as CI servers group by it.
fn class_name(file: &str) -> String {
    let stem = file.strip_suffix(".test").unwrap_or(file);
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
