//! The built-in functions and their signatures.

use crate::lang::program::Type;

/// A built-in function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Func {
    /// `latest(s)`
    Latest,
    /// `ago(s, d)`
    Ago,
    /// `change(s, d)`
    Change,
    /// `pct_change(s, d)`
    PctChange,
    /// `sum(s, d)`
    Sum,
    /// `count(s, d)`
    Count,
    /// `avg(s, d)`
    Avg,
    /// `min(s, d)`
    Min,
    /// `max(s, d)`
    Max,
    /// `growth(s, d)`
    Growth,
    /// `trend(s, d)`
    Trend,
    /// `zscore(s, d)`
    Zscore,
    /// `days_since(s)`
    DaysSince,
    /// `resumed(s, quiet: d1, within: d2)`
    Resumed,
    /// `count_true(b1, b2, ...)`
    CountTrue,
    /// `weighted(name: w, ...)`
    Weighted,
    /// `abs(x)`
    Abs,
    /// `percent(x)`
    Percent,
}

/// How a function takes its arguments.
pub enum Params {
    /// Fixed positional parameters; the names let `resumed` take its
    /// durations by name as well.
    Fixed(&'static [(&'static str, Type)]),
    /// One or more bools (`count_true`).
    Bools,
    /// Named bool operands with number weights (`weighted`).
    Weights,
}

const S: (&str, Type) = ("series", Type::Series);
const D: (&str, Type) = ("duration", Type::Duration);

impl Func {
    /// Every function.
    pub const ALL: [Func; 18] = [
        Func::Latest,
        Func::Ago,
        Func::Change,
        Func::PctChange,
        Func::Sum,
        Func::Count,
        Func::Avg,
        Func::Min,
        Func::Max,
        Func::Growth,
        Func::Trend,
        Func::Zscore,
        Func::DaysSince,
        Func::Resumed,
        Func::CountTrue,
        Func::Weighted,
        Func::Abs,
        Func::Percent,
    ];

    /// The function's name.
    pub fn name(self) -> &'static str {
        match self {
            Func::Latest => "latest",
            Func::Ago => "ago",
            Func::Change => "change",
            Func::PctChange => "pct_change",
            Func::Sum => "sum",
            Func::Count => "count",
            Func::Avg => "avg",
            Func::Min => "min",
            Func::Max => "max",
            Func::Growth => "growth",
            Func::Trend => "trend",
            Func::Zscore => "zscore",
            Func::DaysSince => "days_since",
            Func::Resumed => "resumed",
            Func::CountTrue => "count_true",
            Func::Weighted => "weighted",
            Func::Abs => "abs",
            Func::Percent => "percent",
        }
    }

    /// Looks a function up by name.
    pub fn by_name(name: &str) -> Option<Func> {
        Func::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The parameters.
    pub fn params(self) -> Params {
        match self {
            Func::Latest | Func::DaysSince => Params::Fixed(&[S]),
            Func::Resumed => {
                Params::Fixed(&[S, ("quiet", Type::Duration), ("within", Type::Duration)])
            }
            Func::CountTrue => Params::Bools,
            Func::Weighted => Params::Weights,
            Func::Abs | Func::Percent => Params::Fixed(&[("x", Type::Number)]),
            _ => Params::Fixed(&[S, D]),
        }
    }

    /// True when the function takes arguments by name.
    pub fn takes_names(self) -> bool {
        matches!(self, Func::Resumed | Func::Weighted)
    }

    /// The result type.
    pub fn result(self) -> Type {
        match self {
            Func::Resumed => Type::Bool,
            Func::Percent => Type::Str,
            _ => Type::Number,
        }
    }

    /// How the call is written, for messages.
    pub fn usage(self) -> &'static str {
        match self {
            Func::Latest => "latest(series)",
            Func::DaysSince => "days_since(series)",
            Func::Resumed => "resumed(series, quiet: duration, within: duration)",
            Func::CountTrue => "count_true(bool, ...)",
            Func::Weighted => "weighted(name: weight, ...)",
            Func::Abs => "abs(number)",
            Func::Percent => "percent(number)",
            Func::Ago => "ago(series, duration)",
            Func::Change => "change(series, duration)",
            Func::PctChange => "pct_change(series, duration)",
            Func::Sum => "sum(series, duration)",
            Func::Count => "count(series, duration)",
            Func::Avg => "avg(series, duration)",
            Func::Min => "min(series, duration)",
            Func::Max => "max(series, duration)",
            Func::Growth => "growth(series, duration)",
            Func::Trend => "trend(series, duration)",
            Func::Zscore => "zscore(series, duration)",
        }
    }
}
