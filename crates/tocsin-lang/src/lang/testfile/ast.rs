//! The syntax tree of test files, as written. Spans are byte ranges into
//! the file, like those of rule files.

use crate::diag::Span;
use crate::lang::ast::{BinOp, Expr, Ident, RuleFile, StrLit};
use crate::lang::program::Status;
use crate::time::{Date, Duration};

/// One parsed test file.
#[derive(Clone, Debug, PartialEq)]
pub struct TestFile {
    /// Inline rule items; when there are any, the file's tests run against
    /// them alone instead of the repository's rules.
    pub rules: RuleFile,
    /// Data shared by every test of the file.
    pub data: Vec<DataBlock>,
    /// The tests, in file order.
    pub tests: Vec<Test>,
}

/// `data NAME { ENTRY ... }`: the observations of one series.
#[derive(Clone, Debug, PartialEq)]
pub struct DataBlock {
    /// The series.
    pub name: Ident,
    /// Points and runs, in file order.
    pub entries: Vec<Entry>,
    /// The whole block.
    pub span: Span,
}

/// One entry of a data block.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// `2025-01-01: 3`, `2025-01-05 {actor: "Houthi"}`.
    Point(Point),
    /// `every 7d from 2024-01-01: 1 2 4 8 x 3 _ 9`.
    Run(Run),
}

/// One dated observation.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// Its date.
    pub date: Date,
    /// Its value; `None` for an event, which counts 1.
    pub value: Option<f64>,
    /// Its fields.
    pub fields: Vec<DataField>,
    /// The whole entry.
    pub span: Span,
}

/// Observations at a regular step: the `k`-th value falls on `from + k × step`,
/// computed from `from` so that month steps clamp to the month's end
/// without drifting (`every 1mo from 2024-01-31` gives 01-31, 02-29, 03-31).
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// The step between values.
    pub step: Duration,
    /// The date of the first value.
    pub from: Date,
    /// Fields shared by every observation of the run.
    pub fields: Vec<DataField>,
    /// Values, each repeated `count` times.
    pub values: Vec<RunValue>,
    /// The whole entry.
    pub span: Span,
}

impl Run {
    /// How many steps the run covers, gaps included.
    pub fn steps(&self) -> u64 {
        self.values.iter().map(|v| u64::from(v.count)).sum()
    }
}

/// `4`, `9 x 30` or `_` (a step without an observation).
#[derive(Clone, Debug, PartialEq)]
pub struct RunValue {
    /// The value; `None` for `_`.
    pub value: Option<f64>,
    /// How many consecutive steps take it (1 unless `x N`).
    pub count: u32,
    /// Where it is written.
    pub span: Span,
}

/// `name: "text"` or `name: 3` on an observation.
#[derive(Clone, Debug, PartialEq)]
pub struct DataField {
    /// The field name.
    pub name: String,
    /// The text (a number as written).
    pub text: String,
    /// Where the field is written.
    pub span: Span,
}

/// `test "NAME" { data ... at DATE { ... } }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Test {
    /// The test's name.
    pub name: StrLit,
    /// Data of this test; a series given here replaces the file's block of
    /// that name.
    pub data: Vec<DataBlock>,
    /// The dates checked and what is expected there.
    pub checks: Vec<At>,
    /// The whole block.
    pub span: Span,
}

/// `at DATE { ... }` or `at DATE to DATE { ... }` (every day of the range,
/// both ends included).
#[derive(Clone, Debug, PartialEq)]
pub struct At {
    /// The first date.
    pub from: Date,
    /// The last date (the same as `from` for a single date).
    pub to: Date,
    /// The expectations.
    pub expects: Vec<Expect>,
    /// Where `at DATE [to DATE]` is written.
    pub span: Span,
}

/// One expectation.
#[derive(Clone, Debug, PartialEq)]
pub struct Expect {
    /// What is expected.
    pub kind: ExpectKind,
    /// The whole expectation.
    pub span: Span,
}

/// The kinds of expectation.
#[derive(Clone, Debug, PartialEq)]
pub enum ExpectKind {
    /// `NAME STATUS`: an indicator or alert has this status; or
    /// `NAME{field="value", ...} STATUS`: that instance of a rule with
    /// `by:` has it.
    Status {
        /// The rule.
        rule: Ident,
        /// The instance's labels, as written; empty for a bare name.
        labels: Vec<(Ident, StrLit)>,
        /// The status expected.
        status: Status,
    },
    /// `value EXPR OP EXPR [within TOLERANCE]`.
    Value {
        /// The value computed.
        lhs: Box<Expr>,
        /// The comparison.
        op: BinOp,
        /// What it is compared with.
        rhs: Box<Expr>,
        /// For `==` and `!=` on numbers: how far apart still counts as equal.
        within: Option<(f64, Span)>,
    },
    /// `summary NAME ~ "text"` or `summary NAME == "text"`, `NAME` with
    /// an instance's labels for a rule with `by:`.
    Summary {
        /// The rule.
        rule: Ident,
        /// The instance's labels (`NAME{field="value"}`), empty for the
        /// rule itself.
        labels: Vec<(Ident, StrLit)>,
        /// True for `==`, false for `~` (contains).
        exact: bool,
        /// The text.
        text: StrLit,
    },
}
