//! `avg`, `min` and `max` of the values in the window.

use super::sum::{empty, window_signature, window_why};
use super::{windowed, Builtin, Example, OverStale, Query, Read, Scale};
use crate::eval::{Evaluator, Value};
use crate::lang::functions::Signature;
use crate::lang::program::Node;
use crate::time::Date;

/// `avg(s, d)`
pub struct Avg;
/// `min(s, d)`
pub struct Min;
/// `max(s, d)`
pub struct Max;

const DOC: &str =
    "| `avg(s, d)`, `min(s, d)`, `max(s, d)` | over the window; `none` when it is empty |";

const DATA: &str = "date,value\n2025-01-01,4\n2025-01-20,-2\n2025-01-31,7\n";

const READS: &[Read] = &[Read::Window(1)];

impl Builtin for Avg {
    fn signature(&self) -> Signature {
        window_signature("avg", "avg(series, duration)")
    }

    fn doc(&self) -> &'static str {
        DOC
    }

    fn examples(&self) -> &'static [Example] {
        &[
            Example {
                call: "avg(s, 31d)",
                data: DATA,
                rules: "",
                at: "2025-01-31",
                value: "3",
            },
            Example {
                call: "avg(s, 7d)",
                data: DATA,
                rules: "",
                at: "2025-01-19",
                value: "none",
            },
        ]
    }

    fn reads(&self) -> &'static [Read] {
        READS
    }

    fn scale(&self) -> Scale {
        Scale::Series
    }

    fn over_stale(&self) -> OverStale {
        OverStale::Unknown
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        match windowed(cx, args, t) {
            Some((s, w)) if !w.is_empty() => Value::number(s.sum(w) / w.len() as f64),
            _ => Value::None,
        }
    }

    fn why_unknown(&self, q: &Query<'_>) -> Option<String> {
        window_why(q, empty)
    }
}

impl Builtin for Min {
    fn signature(&self) -> Signature {
        window_signature("min", "min(series, duration)")
    }

    fn doc(&self) -> &'static str {
        DOC
    }

    fn examples(&self) -> &'static [Example] {
        &[Example {
            call: "min(s, 30d)",
            data: DATA,
            rules: "",
            at: "2025-01-31",
            value: "-2",
        }]
    }

    fn reads(&self) -> &'static [Read] {
        READS
    }

    fn scale(&self) -> Scale {
        Scale::Series
    }

    fn over_stale(&self) -> OverStale {
        OverStale::Unknown
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        let extremes = windowed(cx, args, t).and_then(|(s, w)| s.extremes(w));
        Value::opt_number(extremes.map(|e| e.0))
    }

    fn why_unknown(&self, q: &Query<'_>) -> Option<String> {
        window_why(q, empty)
    }
}

impl Builtin for Max {
    fn signature(&self) -> Signature {
        window_signature("max", "max(series, duration)")
    }

    fn doc(&self) -> &'static str {
        DOC
    }

    fn examples(&self) -> &'static [Example] {
        &[Example {
            call: "max(s, 20d)",
            data: DATA,
            rules: "",
            at: "2025-01-30",
            value: "-2",
        }]
    }

    fn reads(&self) -> &'static [Read] {
        READS
    }

    fn scale(&self) -> Scale {
        Scale::Series
    }

    fn over_stale(&self) -> OverStale {
        OverStale::Unknown
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        let extremes = windowed(cx, args, t).and_then(|(s, w)| s.extremes(w));
        Value::opt_number(extremes.map(|e| e.1))
    }

    fn why_unknown(&self, q: &Query<'_>) -> Option<String> {
        window_why(q, empty)
    }
}
