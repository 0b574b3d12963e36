//! The function library: every built-in function of the rule language, one
//! file per function (or small family), each holding its signature, its
//! row of the function table, runnable examples, the windows it reads, its
//! evaluation and why it can be unknown. [`LIBRARY`] registers them, one
//! line each. The checker takes [`signatures`] as input; the evaluator,
//! `explain` and the report dispatch through [`get`].
//!
//! A function is a type implementing [`Builtin`], whose methods are all
//! required: a function that forgets one does not compile. The windows a
//! function reads are data ([`Read`]), turned into dates in one place
//! ([`crate::time::Range`]) and into observations in one place
//! ([`observations`]).

mod abs;
mod age;
mod ago;
mod any_all;
mod avg_min_max;
mod count_true;
mod days_since;
mod distinct;
mod field;
mod growth;
mod latest;
mod median;
mod percentile;
mod resumed;
mod stddev;
mod sum;
mod trend;
mod weighted;
mod zscore;

#[cfg(test)]
mod tests;

use crate::eval::{Evaluator, Timeline, Value, Window};
use crate::lang::functions::{Func, Signature};
use crate::lang::program::Node;
use crate::time::{Date, Duration, Range};
use std::sync::LazyLock;

/// Every function, in the order of the function table of the language
/// reference. Adding a function is one line here.
pub static LIBRARY: &[&dyn Builtin] = &[
    &latest::Latest,
    &ago::Ago,
    &ago::Change,
    &ago::PctChange,
    &sum::Sum,
    &sum::Count,
    &avg_min_max::Avg,
    &avg_min_max::Min,
    &avg_min_max::Max,
    &growth::Growth,
    &trend::Trend,
    &zscore::Zscore,
    &days_since::DaysSince,
    &resumed::Resumed,
    &count_true::CountTrue,
    &weighted::Weighted,
    &abs::Abs,
    &abs::Percent,
    &stddev::Stddev,
    &median::Median,
    &percentile::Percentile,
    &distinct::Distinct,
    &field::Field,
    &age::Age,
    &age::Stale,
    &any_all::Any,
    &any_all::All,
];

/// A built-in function. Every method is required, so that a new function
/// cannot leave out a part of its behaviour.
pub trait Builtin: Sync {
    /// Its name, parameters and result: what the checker needs.
    fn signature(&self) -> Signature;

    /// Its row of the function table in `docs/language.md` (a small
    /// family shares one row: the same text in each).
    fn doc(&self) -> &'static str;

    /// Calls with their data and expected values, run as tests.
    fn examples(&self) -> &'static [Example];

    /// The windows and observations it reads, in the order `explain`
    /// lists them.
    fn reads(&self) -> &'static [Read];

    /// What its values are, for the report's charts.
    fn scale(&self) -> Scale;

    /// What it gives over a stale series (one whose data series has a
    /// feed with `stale_after` and no recent observation).
    fn over_stale(&self) -> OverStale;

    /// Its value at `t` for the checked arguments `args`.
    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value;

    /// Why its value is unknown, for `explain` (asked only when it is).
    fn why_unknown(&self, q: &Query<'_>) -> Option<String>;
}

/// A window or observation a function reads at `T`. The number is the
/// position of the duration argument that sizes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    /// The newest observation dated `<= T`.
    Newest,
    /// The newest observation dated `<= T - d`.
    Point(usize),
    /// The window `(T - d, T]`.
    Window(usize),
    /// The window before it, `(T - 2d, T - d]`.
    Earlier(usize),
    /// The newest observation dated `<= T`, when it is older than the
    /// window `(T - d, T]` (so not listed with it).
    NewestBefore(usize),
    /// The newest active (not 0) observation dated `<= T`.
    NewestActive,
    /// The window `(T - d, T]` and the observation just before it.
    WindowAndBefore(usize),
}

impl Read {
    /// The position of the duration argument that sizes it.
    pub fn duration_arg(self) -> Option<usize> {
        match self {
            Read::Point(k)
            | Read::Window(k)
            | Read::Earlier(k)
            | Read::NewestBefore(k)
            | Read::WindowAndBefore(k) => Some(k),
            Read::Newest | Read::NewestActive => None,
        }
    }
}

/// What a function gives over a stale series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverStale {
    /// `none`, as every function but those about staleness itself: a
    /// lagging export reads as unknown, never as a lull.
    Unknown,
    /// Its own answer (`age`, `stale`).
    Answers,
}

/// What a function's values are, for the report's charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// The newest value of the series itself (`latest`): its chart is the
    /// series' own line.
    Newest,
    /// Other values in the series' own unit (`avg`): a constant compared
    /// with it is drawn on the series' chart.
    Series,
    /// Whole numbers (`count`).
    Whole,
    /// Whole numbers when the series is a list of events, each 1 (`sum`).
    WholeForEvents,
    /// Any other number.
    Other,
}

impl Scale {
    /// True when the values are in the series' own unit.
    pub fn same_as_series(self) -> bool {
        match self {
            Scale::Newest | Scale::Series => true,
            Scale::Whole | Scale::WholeForEvents | Scale::Other => false,
        }
    }
}

/// A runnable example: series `s` holds `data` (a CSV file), the rules
/// hold `rules` and `let x = call`; `x` at `at` displays as `value`.
#[derive(Clone, Copy, Debug)]
pub struct Example {
    /// The call.
    pub call: &'static str,
    /// The CSV file of series `s` (`date,value` rows).
    pub data: &'static str,
    /// Definitions the call refers to, if any.
    pub rules: &'static str,
    /// The evaluation date.
    pub at: &'static str,
    /// The value expected, as tocsin displays it.
    pub value: &'static str,
}

/// What `explain` knows of an unknown call.
pub struct Query<'a> {
    /// The evaluation date.
    pub t: Date,
    /// The series read, when the first argument is one.
    pub series: Option<&'a Timeline>,
    /// The second argument, when it is a known duration.
    pub d: Option<Duration>,
}

impl Query<'_> {
    /// The series and the window `(T - d, T]`, when both are known.
    pub fn window(&self) -> Option<(&Timeline, Window)> {
        let s = self.series?;
        Some((s, observations(s, Range::window(self.t, self.d?))))
    }
}

/// The reason given when an argument of a call is unknown.
pub const AN_ARGUMENT: &str = "an argument is unknown";

/// The reason given when the newest observation is missing.
pub fn nothing_before(t: Date) -> String {
    format!("no observation dated on or before {t}")
}

/// Checks the parsed rule files (given in path order) against the names of
/// the data series and the functions of this library: the language's
/// checker with this library's signatures.
pub fn check(
    files: &[(crate::diag::FileId, &crate::lang::ast::RuleFile)],
    data_series: &[&str],
) -> crate::lang::check::Checked {
    let mut checked = crate::lang::check::check_with(files, data_series, signatures());
    percentile::check_constant_ranks(&checked.program, &mut checked.diagnostics);
    checked
}

/// [`check`], and what checking one file's rules again later needs
/// (when there is no error): see [`check_again`].
pub fn check_keeping(
    files: &[(crate::diag::FileId, &crate::lang::ast::RuleFile)],
    data_series: &[&str],
) -> (
    crate::lang::check::Checked,
    Option<crate::lang::check::Kept>,
) {
    let (mut checked, kept) = crate::lang::check::check_keeping(files, data_series, signatures());
    percentile::check_constant_ranks(&checked.program, &mut checked.diagnostics);
    let kept = kept.filter(|_| checked.diagnostics.is_empty());
    (checked, kept)
}

/// The language's [`crate::lang::check::check_again`] with this library's
/// signatures: the rules of the changed files checked again, when the
/// edit allows it and they have no error (this library's included).
pub fn check_again(
    kept: crate::lang::check::Kept,
    program: &crate::lang::program::Program,
    changed: &[(
        crate::diag::FileId,
        &crate::lang::ast::RuleFile,
        &crate::lang::ast::RuleFile,
    )],
) -> Option<(crate::lang::check::Again, crate::lang::check::Kept)> {
    let (again, kept) = crate::lang::check::check_again(kept, program, changed, signatures())?;
    let mut errors = Vec::new();
    for (_, rules) in &again.rules {
        let part = crate::lang::program::Program {
            rules: rules.clone(),
            ..Default::default()
        };
        percentile::check_constant_ranks(&part, &mut errors);
    }
    errors.is_empty().then_some((again, kept))
}

/// The table of signatures, in the order of [`LIBRARY`]: what the checker
/// takes.
pub fn signatures() -> &'static [Signature] {
    static SIGNATURES: LazyLock<Vec<Signature>> =
        LazyLock::new(|| LIBRARY.iter().map(|b| b.signature()).collect());
    &SIGNATURES
}

/// The function a checked call refers to.
pub fn get(f: Func) -> Option<&'static dyn Builtin> {
    LIBRARY.get(f.index()).copied()
}

/// The name of a checked call's function.
pub fn name(f: Func) -> &'static str {
    get(f).map_or("", |b| b.signature().name)
}

/// The observations of `s` dated in `r`.
pub fn observations(s: &Timeline, r: Range) -> Window {
    match r.after {
        Some(after) => s.between_seen(after, r.last, r.seen),
        None => Window {
            lo: 0,
            hi: s.upto_seen(r.last, r.seen),
        },
    }
}

/// The series and the window `(T - d, T]` of a call `f(s, d)`.
pub fn windowed<'m>(
    cx: &mut Evaluator<'m>,
    args: &[Node],
    t: Date,
) -> Option<(&'m Timeline, Window)> {
    let s = cx.series(args.first()?)?;
    let d = cx.duration(args.get(1)?, t)?;
    Some((s, cx.observations(s, Range::window(t, d))))
}

/// The date of the newest observation of `s` dated `<= t`.
pub fn newest_date(s: &Timeline, t: Date) -> Option<Date> {
    s.last_at(t).map(|i| s.dates()[i])
}

/// The value of the newest observation of `s` dated `<= t`.
pub fn newest(s: &Timeline, t: Date) -> Option<f64> {
    s.last_at(t).map(|i| s.values()[i])
}

/// The value of the newest observation of `s` dated `<= last` that an
/// evaluation at `seen` may read (a calendar bucket complete by then).
pub fn newest_seen(s: &Timeline, last: Date, seen: Date) -> Option<f64> {
    s.upto_seen(last, seen)
        .checked_sub(1)
        .map(|i| s.values()[i])
}
