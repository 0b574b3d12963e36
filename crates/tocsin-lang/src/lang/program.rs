//! The checked program: names resolved to indices, types known, series
//! expressions flattened into definitions that the evaluator materialises
//! once per data load.

use crate::diag::{FileId, Span};
use crate::lang::ast::{FieldRef, FieldTest, RuleKind, Severity, UnOp};
use crate::lang::functions::Func;
use crate::time::{Date, Duration};

/// The type of an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// A number.
    Number,
    /// A bool (true, false or none).
    Bool,
    /// A date.
    Date,
    /// A duration.
    Duration,
    /// A string.
    Str,
    /// A series of observations.
    Series,
    /// A field of a series' observations, named as in a filter: a
    /// parameter kind only (`distinct(s, d, FIELD)`), never a value.
    Field,
    /// The literal `none`, which fits any scalar type.
    None,
    /// Already reported; suppresses follow-on errors.
    Error,
}

impl Type {
    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Type::Number => "number",
            Type::Bool => "bool",
            Type::Date => "date",
            Type::Duration => "duration",
            Type::Str => "string",
            Type::Series => "series",
            Type::Field => "field name",
            Type::None => "none",
            Type::Error => "error",
        }
    }

    /// True when a value of this type may stand where `want` is expected.
    pub fn fits(self, want: Type) -> bool {
        self == want || matches!(self, Type::None | Type::Error) || want == Type::Error
    }
}

/// A constant value known at check time.
#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    /// Number.
    Number(f64),
    /// A percent literal, held as its ratio (`300%` is 3.0): a number that
    /// remembers how it was written, for explanations.
    Percent(f64),
    /// Bool.
    Bool(bool),
    /// Date.
    Date(Date),
    /// Duration.
    Duration(Duration),
    /// String.
    Str(String),
    /// `none`.
    None,
}

/// A checked expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// What it computes.
    pub kind: NodeKind,
    /// Its type.
    pub ty: Type,
    /// Where it is written.
    pub span: Span,
}

impl Node {
    /// Calls `visit` on this node and on every node below it, parents
    /// first. Expressions are at most 256 levels deep (E016), so the
    /// recursion is bounded.
    pub fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a Node)) {
        visit(self);
        match &self.kind {
            NodeKind::Unary(_, a) => a.walk(visit),
            NodeKind::Binary(_, a, b) => {
                a.walk(visit);
                b.walk(visit);
            }
            NodeKind::Call(_, args) => args.iter().for_each(|a| a.walk(visit)),
            NodeKind::Weighted(pairs) => pairs.iter().for_each(|(a, b)| {
                a.walk(visit);
                b.walk(visit);
            }),
            NodeKind::Const(_)
            | NodeKind::Now
            | NodeKind::Let(_)
            | NodeKind::Rule(_)
            | NodeKind::Series(_)
            | NodeKind::Field(_)
            | NodeKind::Invalid => {}
        }
    }
}

/// The kinds of checked expression.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// A literal.
    Const(Const),
    /// The evaluation date.
    Now,
    /// A `let`, by index into [`Program::lets`].
    Let(usize),
    /// An indicator or alert (true when met), by index into [`Program::rules`].
    Rule(usize),
    /// A series, by index into [`Program::series`].
    Series(usize),
    /// A field argument, by index into [`Program::fields`].
    Field(usize),
    /// `-x`, `not x`.
    Unary(UnOp, Box<Node>),
    /// `a OP b`.
    Binary(crate::lang::ast::BinOp, Box<Node>, Box<Node>),
    /// A call of a built-in function with its arguments in signature order.
    Call(Func, Vec<Node>),
    /// `weighted(name: w, ...)`: bool operands with their weights.
    Weighted(Vec<(Node, Node)>),
    /// An expression that failed to check (never evaluated).
    Invalid,
}

/// One step applied to a series: keep rows where all predicates hold, or
/// take a field as the value.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// `[PRED, ...]`
    Filter(Vec<(FieldRef, FieldTest)>),
    /// `.FIELD`
    Project(FieldRef),
    /// `PERIOD(..., AGG)`: one observation per complete calendar bucket.
    Bucket(crate::lang::bucket::Period, crate::lang::bucket::Agg),
}

/// A series the rules use: a data series, narrowed by steps.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesDef {
    /// How the series is shown (its name, or the expression as written).
    pub label: String,
    /// The data series it starts from.
    pub root: String,
    /// Steps from the root, in order.
    pub steps: Vec<Step>,
    /// Where it is first written (for warnings about its data).
    pub span: Span,
    /// Where each text of its filters' `==` and `in` tests is written, in
    /// the order of the steps and their predicates (for warnings about a
    /// value).
    pub values: Vec<Span>,
}

impl SeriesDef {
    /// True when a calendar bucket is among its steps: its observations
    /// carry no fields and stand for no one row.
    pub fn is_bucketed(&self) -> bool {
        self.steps.iter().any(|s| matches!(s, Step::Bucket(..)))
    }

    /// What the series is, ignoring where it is written and how it is
    /// shown: two definitions with the same key hold the same observations.
    pub fn key(&self) -> String {
        use std::fmt::Write;
        // Written into one string: interning a series computes its key.
        let mut key = format!("{}\u{0}", self.root);
        for step in &self.steps {
            match step {
                Step::Filter(preds) => {
                    key.push('[');
                    for (k, (f, t)) in preds.iter().enumerate() {
                        if k > 0 {
                            key.push(',');
                        }
                        let _ = write!(key, "{:?} {t:?}", f.name);
                    }
                    key.push(']');
                }
                Step::Project(f) => {
                    let _ = write!(key, ".{:?}", f.name);
                }
                Step::Bucket(p, a) => {
                    let _ = write!(key, "|{}:{}", p.as_str(), a.as_str());
                }
            }
        }
        key
    }
}

/// A field of a series that a function reads (`field(s, station)`).
#[derive(Clone, Debug, PartialEq)]
pub struct FieldRead {
    /// The series, by index into [`Program::series`].
    pub series: usize,
    /// The field, as written.
    pub field: FieldRef,
}

/// A checked `let`.
#[derive(Clone, Debug, PartialEq)]
pub struct LetDef {
    /// Name.
    pub name: String,
    /// Value.
    pub value: Node,
    /// The item.
    pub span: Span,
}

/// A template: text with holes.
pub type TemplateNodes = Vec<TemplatePiece>;

/// A piece of a checked template.
#[derive(Clone, Debug, PartialEq)]
pub enum TemplatePiece {
    /// Literal text.
    Text(String),
    /// A value to print.
    Hole(Node),
    /// The instance's value of a `by` field: its index in the rule's
    /// [`by_key`].
    Label(usize),
}

/// A checked indicator or alert.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleDef {
    /// Name.
    pub name: String,
    /// Indicator or alert.
    pub kind: RuleKind,
    /// Severity (alerts only; `warning` when not given).
    pub severity: Option<Severity>,
    /// The condition.
    pub when: Node,
    /// How long `when` must have held.
    pub for_: Option<Duration>,
    /// `by:` fields, as written: the rule is evaluated once per instance,
    /// and they are its label keys. Empty for a rule without `by:`.
    pub by: Vec<FieldRef>,
    /// `title:`
    pub title: Option<String>,
    /// `description:`
    pub description: Option<TemplateNodes>,
    /// `source:` fields, in order.
    pub sources: Vec<String>,
    /// `tags:`
    pub tags: Vec<String>,
    /// `summary:`
    pub summary: Option<TemplateNodes>,
    /// The file it is defined in.
    pub file: FileId,
    /// The whole item.
    pub span: Span,
}

/// A checked `feed`: what is known of a data series.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedDef {
    /// The data series.
    pub name: String,
    /// With no observation in `(T - d, T]`, the series is stale at `T`.
    pub stale_after: Option<Duration>,
    /// `title:`
    pub title: Option<String>,
    /// `source:` fields, in order.
    pub sources: Vec<String>,
    /// `description:` (plain text).
    pub description: Option<String>,
    /// The file it is written in.
    pub file: FileId,
    /// The whole item.
    pub span: Span,
}

/// A checked ruleset, ready to be bound to data.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Program {
    /// Every series the rules use (named or inline), deduplicated.
    pub series: Vec<SeriesDef>,
    /// Every field of a series that a function reads, deduplicated by
    /// series and name (ignoring case).
    pub fields: Vec<FieldRead>,
    /// Lets, in file order.
    pub lets: Vec<LetDef>,
    /// Indicators and alerts, ordered by file path, then position.
    pub rules: Vec<RuleDef>,
    /// Feeds, one at most per data series, in file order.
    pub feeds: Vec<FeedDef>,
    /// Each `series` item that checked: its name and its entry in
    /// `series` (whose label may be another name for the same
    /// observations).
    pub named_series: Vec<(String, usize)>,
}

impl RuleDef {
    /// Calls `visit` on every node of the rule: its condition and the
    /// holes of its summary and description.
    pub fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a Node)) {
        self.when.walk(visit);
        for pieces in [&self.summary, &self.description].into_iter().flatten() {
            for piece in pieces {
                if let TemplatePiece::Hole(n) = piece {
                    n.walk(visit);
                }
            }
        }
    }

    /// True when the rule has `by:`: it has instances.
    pub fn is_grouped(&self) -> bool {
        !self.by.is_empty()
    }
}

/// The `by:` fields as one key: lower case, sorted, deduplicated. Two rules
/// with the same key have the same instances of the same data.
pub fn by_key(by: &[FieldRef]) -> Vec<String> {
    let mut key: Vec<String> = by.iter().map(|f| f.name.to_ascii_lowercase()).collect();
    key.sort_unstable();
    key.dedup();
    key
}

impl Program {
    /// The rule called `name`.
    pub fn rule(&self, name: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.name == name)
    }

    /// Calls `visit` on every node of the program: each let's value, each
    /// rule's condition and the holes of its summary and description.
    pub fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a Node)) {
        for l in &self.lets {
            l.value.walk(visit);
        }
        for r in &self.rules {
            r.walk(visit);
        }
    }

    /// The feed of the data series `name`.
    pub fn feed(&self, name: &str) -> Option<&FeedDef> {
        self.feeds.iter().find(|f| f.name == name)
    }

    /// The entry in `series` of the `series` item called `name`.
    pub fn series_named(&self, name: &str) -> Option<usize> {
        self.named_series
            .iter()
            .find(|(n, _)| n == name)
            .map(|&(_, i)| i)
    }
}

/// The status of an indicator or alert at a date.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, PartialOrd, Ord,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// `when` is true, and has been for the whole `for:` window.
    Met,
    /// `when` is true, but not yet for the whole `for:` window.
    Pending,
    /// `when` is unknown: no data to answer with.
    Unknown,
    /// `when` is false.
    NotMet,
}

impl Status {
    /// The status as written in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Pending => "pending",
            Status::NotMet => "not_met",
            Status::Unknown => "unknown",
        }
    }
}
