//! The syntax tree of rule files, as written. Spans are byte ranges into
//! the file; lines and columns are computed only when a diagnostic is shown.

use crate::diag::Span;
use crate::time::{Date, Duration};

/// One parsed rule file.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleFile {
    /// Items in source order.
    pub items: Vec<Item>,
}

/// A name as written, with its span.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// A top-level item.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `series NAME = SERIES_EXPR`
    Series(SeriesItem),
    /// `let NAME = EXPR`
    Let(LetItem),
    /// `indicator NAME { ... }` or `alert NAME { ... }`
    Rule(RuleItem),
    /// `feed NAME { ... }`: facts about a data series.
    Feed(FeedItem),
}

impl Item {
    /// The name the item defines.
    pub fn name(&self) -> &Ident {
        match self {
            Item::Series(s) => &s.name,
            Item::Let(l) => &l.name,
            Item::Rule(r) => &r.name,
            Item::Feed(f) => &f.name,
        }
    }

    /// The span of the whole item.
    pub fn span(&self) -> Span {
        match self {
            Item::Series(s) => s.span,
            Item::Let(l) => l.span,
            Item::Rule(r) => r.span,
            Item::Feed(f) => f.span,
        }
    }
}

/// `series NAME = SERIES_EXPR`
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesItem {
    /// The derived series' name.
    pub name: Ident,
    /// What it is derived from.
    pub expr: SeriesExpr,
    /// The whole item.
    pub span: Span,
}

/// `let NAME = EXPR`
#[derive(Clone, Debug, PartialEq)]
pub struct LetItem {
    /// The name.
    pub name: Ident,
    /// The value.
    pub value: Expr,
    /// The whole item.
    pub span: Span,
}

/// Indicator or alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleKind {
    /// An observable condition.
    Indicator,
    /// A condition with a severity, sent to sinks when met.
    Alert,
}

impl RuleKind {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            RuleKind::Indicator => "indicator",
            RuleKind::Alert => "alert",
        }
    }
}

/// Alert severities, ordered from least to most severe.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// `info`
    Info,
    /// `watch`
    Watch,
    /// `warning` (the default)
    Warning,
    /// `critical`
    Critical,
}

impl Severity {
    /// Every severity, least severe first.
    pub const ALL: [Severity; 4] = [
        Severity::Info,
        Severity::Watch,
        Severity::Warning,
        Severity::Critical,
    ];

    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Watch => "watch",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    /// Parses a keyword.
    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// `indicator NAME { FIELDS }` or `alert NAME { FIELDS }`
#[derive(Clone, Debug, PartialEq)]
pub struct RuleItem {
    /// Indicator or alert.
    pub kind: RuleKind,
    /// The name.
    pub name: Ident,
    /// Fields in source order.
    pub fields: Vec<Field>,
    /// The whole item.
    pub span: Span,
}

impl RuleItem {
    /// The first field with this key.
    pub fn field(&self, key: FieldKey) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }
}

/// `feed NAME { FIELDS }`: when a data series is stale, and where it
/// comes from. The name is the data series', not a new one.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedItem {
    /// The data series described.
    pub name: Ident,
    /// Fields in source order (`stale_after`, `title`, `source`,
    /// `description`).
    pub fields: Vec<Field>,
    /// The whole item.
    pub span: Span,
}

impl FeedItem {
    /// The first field with this key.
    pub fn field(&self, key: FieldKey) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }
}

/// Field names of indicators, alerts and feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldKey {
    /// `when:`
    When,
    /// `for:`
    For,
    /// `title:`
    Title,
    /// `description:`
    Description,
    /// `source:` (may repeat)
    Source,
    /// `tags:`
    Tags,
    /// `severity:`
    Severity,
    /// `summary:`
    Summary,
    /// `stale_after:` (feeds only)
    StaleAfter,
    /// `by:` (indicators and alerts): one instance per combination of
    /// the fields' values.
    By,
}

impl FieldKey {
    /// Every field key, in the canonical order.
    pub const ALL: [FieldKey; 10] = [
        FieldKey::StaleAfter,
        FieldKey::Title,
        FieldKey::Severity,
        FieldKey::By,
        FieldKey::When,
        FieldKey::For,
        FieldKey::Summary,
        FieldKey::Description,
        FieldKey::Source,
        FieldKey::Tags,
    ];

    /// The key as written.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKey::When => "when",
            FieldKey::For => "for",
            FieldKey::Title => "title",
            FieldKey::Description => "description",
            FieldKey::Source => "source",
            FieldKey::Tags => "tags",
            FieldKey::Severity => "severity",
            FieldKey::Summary => "summary",
            FieldKey::StaleAfter => "stale_after",
            FieldKey::By => "by",
        }
    }

    /// Parses a key.
    pub fn parse(s: &str) -> Option<FieldKey> {
        FieldKey::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One `key: value` of an indicator or alert.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Which field.
    pub key: FieldKey,
    /// Where the key is written.
    pub key_span: Span,
    /// The value.
    pub value: FieldValue,
}

/// The value of a field; its shape depends on the key.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue {
    /// `when:`
    Expr(Expr),
    /// `for:`
    Duration(Duration, Span),
    /// `title:`, `source:`
    Text(StrLit),
    /// `summary:`, `description:`
    Template(Template),
    /// `tags:`
    Tags(Vec<StrLit>, Span),
    /// `severity:`
    Severity(Severity, Span),
    /// `by:` fields, in order, and the span of the list.
    By(Vec<FieldRef>, Span),
}

/// A string literal, unescaped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrLit {
    /// The text, escapes resolved.
    pub value: String,
    /// The span including the quotes.
    pub span: Span,
}

/// A summary template: text with `{EXPR}` holes.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    /// Text and holes in order.
    pub parts: Vec<TemplatePart>,
    /// The span including the quotes.
    pub span: Span,
}

/// A piece of a template.
#[derive(Clone, Debug, PartialEq)]
pub enum TemplatePart {
    /// Literal text (escapes and `{{`/`}}` resolved).
    Text(String),
    /// An expression whose value is printed.
    Hole(Expr),
}

/// An expression with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// Where it is written.
    pub span: Span,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }

    /// Binding strength: higher binds tighter.
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 4,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Mul | BinOp::Div => 6,
        }
    }

    /// True for the comparison operators.
    pub fn is_comparison(self) -> bool {
        self.precedence() == 4
    }
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// `-x`
    Neg,
    /// `not x`
    Not,
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `42`, `3.5`
    Number(f64),
    /// `300%`, held as the ratio (3.0) .
    Percent(f64),
    /// `30d`, `6mo`
    Duration(Duration),
    /// `2027-01-01`
    Date(Date),
    /// `"text"`
    Str(String),
    /// `true`, `false`
    Bool(bool),
    /// `none`
    None,
    /// `now`
    Now,
    /// A bare name: a series, let, indicator or alert.
    Name(Ident),
    /// A series with a filter and/or projection: `acled[actor1 ~ "houthi"]`.
    /// Boxed: it is the largest kind, and every expression would be as
    /// large.
    Series(Box<SeriesExpr>),
    /// `f(arg, name: arg)`
    Call {
        /// The function's name.
        func: Ident,
        /// Arguments in order.
        args: Vec<Arg>,
    },
    /// `-x`, `not x`
    Unary {
        /// Which operator.
        op: UnOp,
        /// The operand.
        expr: Box<Expr>,
    },
    /// `a OP b`
    Binary {
        /// Which operator.
        op: BinOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `( EXPR )`, kept so that the formatter writes back what was written.
    Paren(Box<Expr>),
}

/// A call argument, positional or named.
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    /// `name:` for named arguments.
    pub name: Option<Ident>,
    /// The value.
    pub value: Expr,
}

/// `NAME`, `NAME[PRED, ...]`, `NAME.FIELD` or `NAME[PRED, ...].FIELD`,
/// possibly bucketed: `monthly(daily(NAME[...].FIELD, last), sum)`.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesExpr {
    /// The series narrowed.
    pub base: Ident,
    /// Predicates (all must hold); `None` without brackets.
    pub filter: Option<Vec<Predicate>>,
    /// The field taken as value.
    pub projection: Option<FieldRef>,
    /// Calendar buckets applied after the filter and projection,
    /// innermost first.
    pub buckets: Vec<Bucket>,
    /// The whole expression.
    pub span: Span,
}

/// `PERIOD(..., AGG)` around a series expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Bucket {
    /// `daily`, `weekly`, ...
    pub period: crate::lang::bucket::Period,
    /// `sum`, `last`, ...
    pub agg: crate::lang::bucket::Agg,
    /// From the period's name to the closing parenthesis.
    pub span: Span,
}

/// A field of observations, named bare (`actor1`) or quoted (`"Event Type"`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldRef {
    /// The field name.
    pub name: String,
    /// True when written as a string.
    pub quoted: bool,
    /// Where it is written.
    pub span: Span,
}

/// One filter predicate: `field OP literal`.
#[derive(Clone, Debug, PartialEq)]
pub struct Predicate {
    /// The field tested.
    pub field: FieldRef,
    /// The test.
    pub test: FieldTest,
    /// Where each text of an `==` or `in` test is written, in order.
    pub values: Vec<Span>,
    /// The whole predicate.
    pub span: Span,
}

/// Comparison operators of predicates on numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NumCmp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl NumCmp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            NumCmp::Eq => "==",
            NumCmp::Ne => "!=",
            NumCmp::Lt => "<",
            NumCmp::Le => "<=",
            NumCmp::Gt => ">",
            NumCmp::Ge => ">=",
        }
    }

    /// Applies the comparison.
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            NumCmp::Eq => a == b,
            NumCmp::Ne => a != b,
            NumCmp::Lt => a < b,
            NumCmp::Le => a <= b,
            NumCmp::Gt => a > b,
            NumCmp::Ge => a >= b,
        }
    }
}

/// What a predicate tests.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldTest {
    /// `== "x"`: exact text.
    TextEq(String),
    /// `!= "x"`: text differs.
    TextNe(String),
    /// `~ "x"`: case-insensitive substring.
    Contains(String),
    /// `in ["a", "b"]`: exact text, one of.
    In(Vec<String>),
    /// `>= 10` and friends: the field read as a number.
    Num(NumCmp, f64),
}
