//! Running a suite: one model per test, built from the test's data alone,
//! and each expectation checked at its dates. A failure carries what was
//! expected, what came out, and the values that decided.

use super::store;
use super::suite::{Check, Expectation, Suite};
use crate::diag::{Code, Diagnostic, SourceMap};
use crate::eval::describe::{evidence, show};
use crate::eval::value::{format_number, format_percent};
use crate::eval::{Evaluator, Model, Value};
use crate::lang::ast::BinOp;
use crate::lang::program::Status;
use crate::lang::program::{Node, NodeKind, TemplatePiece};
use crate::time::Date;
use std::time::Duration;

/// The results of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// One entry per test file, in the suite's order.
    pub files: Vec<FileOutcome>,
    /// Warnings about the tests' data as the rules read it (a filter field
    /// that no observation has, say), without repeats.
    pub warnings: Vec<Diagnostic>,
}

impl Outcome {
    /// How many tests passed.
    pub fn passed(&self) -> usize {
        self.tests().filter(|t| t.passed()).count()
    }

    /// How many tests failed.
    pub fn failed(&self) -> usize {
        self.tests().filter(|t| !t.passed()).count()
    }

    /// How long the tests took together.
    pub fn time(&self) -> Duration {
        self.files.iter().map(FileOutcome::time).sum()
    }

    fn tests(&self) -> impl Iterator<Item = &TestOutcome> {
        self.files.iter().flat_map(|f| &f.tests)
    }
}

/// The results of one test file.
#[derive(Clone, Debug, PartialEq)]
pub struct FileOutcome {
    /// The file's name as given or found.
    pub name: String,
    /// Its tests, in file order.
    pub tests: Vec<TestOutcome>,
}

impl FileOutcome {
    /// How many of its tests failed.
    pub fn failed(&self) -> usize {
        self.tests.iter().filter(|t| !t.passed()).count()
    }

    /// How long its tests took together.
    pub fn time(&self) -> Duration {
        self.tests.iter().map(|t| t.time).sum()
    }
}

/// The result of one test.
#[derive(Clone, Debug, PartialEq)]
pub struct TestOutcome {
    /// The test's name.
    pub name: String,
    /// The line of its `test` keyword.
    pub line: usize,
    /// How many expectations it checked.
    pub expectations: usize,
    /// The expectations that did not hold.
    pub failures: Vec<Failure>,
    /// How long it took, by the clock [`run_timed`] was given.
    pub time: Duration,
}

impl TestOutcome {
    /// True when every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// An expectation that did not hold, explained at the first date it failed.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// Where the expectation is written: file, line, column.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// The (first) date it failed at.
    pub at: Date,
    /// For a range, on how many of how many days it failed.
    pub days: Option<(usize, usize)>,
    /// What was expected, as written.
    pub expected: String,
    /// What came out, in the same words.
    pub got: String,
    /// The values that decided, one `expression = value` a line.
    pub values: Vec<String>,
}

/// Runs every test of the suite. The suite must be free of errors. The
/// tests take no time: [`run_timed`] measures them.
pub fn run(suite: &Suite) -> Outcome {
    run_timed(suite, &|| Duration::ZERO)
}

/// [`run`], with each test timed by `now` (the time since some fixed
/// start); the clock is the caller's, so that the run itself stays a pure
/// function of the suite.
pub fn run_timed(suite: &Suite, now: &dyn Fn() -> Duration) -> Outcome {
    let mut warnings: Vec<Diagnostic> = Vec::new();
    // Each warning as the model gave it, once whatever the tests it is
    // said of; `warnings` holds it marked at the first of them.
    let mut said: Vec<Diagnostic> = Vec::new();
    let mut files = Vec::new();
    for file in &suite.files {
        let mut tests = Vec::new();
        for t in &file.tests {
            let started = now();
            let blocks = store::blocks_of(&file.data, &t.test);
            let data = store::build(file.id, &blocks, &suite.sources);
            let model = Model::build(file.program.clone(), &data);
            // A test's data holds only what the test needs: a filter
            // text it lacks (W007) is what a quiet case is made of, and a
            // `by:` field it lacks (E213) leaves a rule the test does not
            // look at without instances, as data without that column
            // would. An expectation on one of its instances fails.
            for w in model
                .warnings
                .iter()
                .filter(|w| w.code != Code::FilterValueAbsent && w.code != Code::ByFieldMissing)
            {
                if !said.contains(w) {
                    said.push(w.clone());
                    // The rule is marked; the data the warning is about
                    // is the test's.
                    warnings.push(
                        w.clone()
                            .with_secondary(t.test.name.span, "said of this test's data"),
                    );
                }
            }
            let mut ev = Evaluator::new(&model);
            let failures = t
                .checks
                .iter()
                .filter_map(|c| check(&mut ev, c, &file.name, &suite.sources))
                .collect();
            tests.push(TestOutcome {
                name: t.test.name.value.clone(),
                line: suite
                    .sources
                    .line_col(file.id, t.test.span.start as usize)
                    .0,
                expectations: t.checks.len(),
                failures,
                time: now().saturating_sub(started),
            });
        }
        files.push(FileOutcome {
            name: file.name.clone(),
            tests,
        });
    }
    Outcome { files, warnings }
}

/// Checks one expectation on every day of its range; explains the first
/// day it fails.
fn check(ev: &mut Evaluator, c: &Check, file: &str, sources: &SourceMap) -> Option<Failure> {
    let mut first = None;
    let mut failed = 0;
    let mut days = 0;
    let mut day = Some(c.from);
    while let Some(t) = day.filter(|d| *d <= c.to) {
        days += 1;
        if !holds(ev, &c.what, t) {
            failed += 1;
            first.get_or_insert(t);
        }
        day = t.add_days(1);
    }
    let at = first?;
    let (line, col) = sources.line_col(c.span.file, c.span.start as usize);
    let (expected, got, values) = explain(ev, c, at);
    Some(Failure {
        file: file.to_string(),
        line,
        col,
        at,
        days: (c.from != c.to).then_some((failed, days)),
        expected,
        got,
        values,
    })
}

fn holds(ev: &mut Evaluator, what: &Expectation, t: Date) -> bool {
    let model = ev.model();
    match what {
        Expectation::Status {
            rule,
            labels,
            status,
        } => status_of(ev, *rule, labels, t) == Some(*status),
        Expectation::Value {
            slot, op, within, ..
        } => {
            let Some((l, r)) = sides(&model.program.lets[*slot].value) else {
                return false;
            };
            let (a, b) = (ev.eval(l, t), ev.eval(r, t));
            compare(*op, &a, &b, *within)
        }
        Expectation::Summary {
            rule,
            labels,
            exact,
            text,
        } => {
            let Some(scope) = scope_of(ev, *rule, labels, t) else {
                return false;
            };
            let got = ev.in_scope(scope, |ev| summary(ev, *rule, t));
            if *exact {
                got == *text
            } else {
                got.to_lowercase().contains(&text.to_lowercase())
            }
        }
    }
}

/// The status of rule `r` at `t`, or of its instance with `labels`;
/// `None` when that instance has no observation by `t`.
fn status_of(ev: &mut Evaluator, r: usize, labels: &[(String, String)], t: Date) -> Option<Status> {
    if labels.is_empty() {
        return Some(ev.status(r, t));
    }
    let scope = instance_scope(ev, r, labels, t)?;
    Some(ev.in_scope(scope, |ev| ev.status(r, t)))
}

/// The scope an expectation on rule `r` (its instance with `labels`) is
/// evaluated in at `t`: 0 for the rule itself; `None` when the instance
/// has no observation by `t`.
fn scope_of(ev: &Evaluator, r: usize, labels: &[(String, String)], t: Date) -> Option<u32> {
    if labels.is_empty() {
        return Some(0);
    }
    instance_scope(ev, r, labels, t)
}

/// What a report says of an instance that is not there.
fn no_instance(name: &str, t: Date) -> String {
    format!("{name}: no such instance at {t} (no observation with these values by then)")
}

/// The scope of the instance of rule `r` with `labels` at `t`.
fn instance_scope(ev: &Evaluator, r: usize, labels: &[(String, String)], t: Date) -> Option<u32> {
    let model = ev.model();
    let g = model.instances.group_of(r)?;
    model
        .instances
        .at(r, t)
        .into_iter()
        .find(|&i| {
            let have = crate::eval::instance_labels(model, r, i);
            let have = have.iter().map(|(k, v)| (&**k, &**v));
            have.eq(labels.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        })
        .map(|i| model.instances.scope(g, i))
}

fn sides(n: &Node) -> Option<(&Node, &Node)> {
    match &n.kind {
        NodeKind::Binary(_, l, r) => Some((l, r)),
        _ => None,
    }
}

fn summary(ev: &mut Evaluator, rule: usize, t: Date) -> String {
    let model = ev.model();
    match &model.program.rules[rule].summary {
        Some(s) => ev.render(s, t),
        None => String::new(),
    }
}

/// Two values compared as the expectation says. Numbers are equal within
/// the tolerance, or a hair's breadth without one, so that `0.1 + 0.2 ==
/// 0.3`; `none == none` holds, and an order never holds with `none`.
pub fn compare(op: BinOp, a: &Value, b: &Value, within: Option<f64>) -> bool {
    let same = || match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let tol = within.unwrap_or(1e-9 * x.abs().max(y.abs()).max(1.0));
            (x - y).abs() <= tol
        }
        _ => a == b,
    };
    let order = || match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.partial_cmp(y),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        _ => None,
    };
    match op {
        BinOp::Eq => same(),
        BinOp::Ne => !same(),
        BinOp::Lt => order().is_some_and(|o| o.is_lt()),
        BinOp::Le => order().is_some_and(|o| o.is_le()),
        BinOp::Gt => order().is_some_and(|o| o.is_gt()),
        BinOp::Ge => order().is_some_and(|o| o.is_ge()),
        BinOp::And | BinOp::Or | BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => false,
    }
}

type Explained = (String, String, Vec<String>);

/// What was expected, what came out, and the values that decided.
fn explain(ev: &mut Evaluator, c: &Check, t: Date) -> Explained {
    let model = ev.model();
    let program = &model.program;
    let listed = |ev: &mut Evaluator, n: &Node, skip: &[String]| -> Vec<String> {
        evidence(ev, n, t)
            .into_iter()
            .filter(|e| !skip.iter().any(|s| **s == *e.expr))
            .map(|e| format!("{} = {}", e.expr, e.value.display()))
            .collect()
    };
    match &c.what {
        Expectation::Status { rule, labels, .. } => {
            let def = &program.rules[*rule];
            let name = crate::eval::instance_name(&def.name, labels);
            let Some(scope) = scope_of(ev, *rule, labels, t) else {
                return (c.text.clone(), no_instance(&name, t), Vec::new());
            };
            ev.in_scope(scope, |ev| {
                let got = ev.status(*rule, t);
                let mut values = listed(ev, &def.when, &[]);
                if let (Some(d), Status::Met | Status::Pending) = (def.for_, got) {
                    values.push(format!("for: {d}; {}", held_since(ev, *rule, t)));
                }
                (c.text.clone(), format!("{name} {}", got.as_str()), values)
            })
        }
        Expectation::Value {
            slot,
            lhs,
            rhs,
            percent,
            ..
        } => {
            let Some((l, r)) = sides(&program.lets[*slot].value) else {
                return (c.text.clone(), "no value".to_string(), Vec::new());
            };
            let (a, b) = (ev.eval(l, t), ev.eval(r, t));
            let precise = shows_same(&a, &b, *percent);
            let mut got = format!("value {lhs} = {}", shown(&a, *percent, precise));
            if !matches!(r.kind, NodeKind::Const(_) | NodeKind::Now) {
                got.push_str(&format!(", {rhs} = {}", shown(&b, *percent, precise)));
            }
            let skip = [show(l, program), show(r, program)];
            let mut values = Vec::new();
            for side in [l, r] {
                inner_values(ev, side, t, &skip, &mut values);
            }
            (c.text.clone(), got, values)
        }
        Expectation::Summary { rule, labels, .. } => {
            let def = &program.rules[*rule];
            let name = crate::eval::instance_name(&def.name, labels);
            let Some(scope) = scope_of(ev, *rule, labels, t) else {
                return (c.text.clone(), no_instance(&name, t), Vec::new());
            };
            ev.in_scope(scope, |ev| {
                let text = summary(ev, *rule, t);
                let mut values = Vec::new();
                for piece in def.summary.iter().flatten() {
                    if let TemplatePiece::Hole(n) = piece {
                        for v in listed(ev, n, &[]) {
                            if !values.contains(&v) {
                                values.push(v);
                            }
                        }
                    }
                }
                (c.text.clone(), format!("summary {name} {text:?}"), values)
            })
        }
    }
}

/// The calls, lets and rules inside a value, outermost first, as
/// `expression = value` lines (rules show their status).
fn inner_values(ev: &mut Evaluator, n: &Node, t: Date, skip: &[String], out: &mut Vec<String>) {
    let model = ev.model();
    let mut record = |ev: &mut Evaluator, n: &Node| {
        let expr = show(n, &model.program);
        if skip.contains(&expr) || out.iter().any(|o| o.starts_with(&format!("{expr} = "))) {
            return;
        }
        let value = match n.kind {
            NodeKind::Rule(r) => ev.status(r, t).as_str().to_string(),
            _ => ev.eval(n, t).display(),
        };
        out.push(format!("{expr} = {value}"));
    };
    match &n.kind {
        NodeKind::Call(_, args) => {
            record(ev, n);
            for a in args {
                inner_values(ev, a, t, skip, out);
            }
        }
        NodeKind::Let(_) | NodeKind::Rule(_) | NodeKind::Weighted(_) => record(ev, n),
        NodeKind::Unary(_, e) => inner_values(ev, e, t, skip, out),
        NodeKind::Binary(_, a, b) => {
            inner_values(ev, a, t, skip, out);
            inner_values(ev, b, t, skip, out);
        }
        _ => {}
    }
}

/// How a value prints in a failure: as a percent when the expectation is
/// written with one, and with every digit when the short form would look
/// the same as what was expected.
fn shown(v: &Value, percent: bool, precise: bool) -> String {
    match v {
        Value::Number(x) if precise && percent => format!("{}%", x * 100.0),
        Value::Number(x) if precise => format!("{x}"),
        Value::Number(x) if percent => format_percent(*x),
        Value::Number(x) => format_number(*x),
        Value::Str(s) => format!("{s:?}"),
        other => other.display(),
    }
}

fn shows_same(a: &Value, b: &Value, percent: bool) -> bool {
    matches!((a, b), (Value::Number(_), Value::Number(_)))
        && shown(a, percent, false) == shown(b, percent, false)
}

/// For a rule with `for:` whose `when` is true at `t`: since when it has
/// held, looking back no further than the window.
fn held_since(ev: &mut Evaluator, rule: usize, t: Date) -> String {
    let model = ev.model();
    let Some(d) = model.program.rules[rule].for_ else {
        return String::new();
    };
    let first = t.minus(d).and_then(|s| s.add_days(1)).unwrap_or(Date::MIN);
    let mut since = t;
    while let Some(prev) = since.add_days(-1).filter(|p| *p >= first) {
        if ev.when(rule, prev) != Some(true) {
            return format!("`when` true only since {since} (the window starts {first})");
        }
        since = prev;
    }
    format!("`when` true throughout the window, since {since}")
}
