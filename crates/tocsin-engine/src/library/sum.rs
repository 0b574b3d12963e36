//! `sum` and `count`: the total and the number of observations in the
//! window.

use super::{windowed, Builtin, Example, OverStale, Query, Read, Scale};
use crate::eval::{Evaluator, Value};
use crate::lang::functions::{Params, Signature, DURATION, SERIES};
use crate::lang::program::{Node, Type};
use crate::time::Date;

/// `sum(s, d)`
pub struct Sum;
/// `count(s, d)`
pub struct Count;

const DOC: &str = "| `sum(s, d)`, `count(s, d)` | over the window; 0 when it is empty |";

const DATA: &str = "date,value\n2025-01-01,4\n2025-01-31,2\n2025-03-01,5\n";

/// The signature of a function of a series over a window.
pub(super) fn window_signature(name: &'static str, usage: &'static str) -> Signature {
    Signature {
        name,
        params: Params::Fixed(&[SERIES, DURATION]),
        named: false,
        result: Type::Number,
        usage,
    }
}

/// Why a function of the window is unknown: `reason` of the number of
/// observations in it.
pub(super) fn window_why(q: &Query<'_>, reason: impl Fn(usize) -> String) -> Option<String> {
    if q.series.is_none() {
        return Some(super::AN_ARGUMENT.to_string());
    }
    let (_, w) = q.window()?;
    Some(reason(w.len()))
}

/// The reason when the window is empty.
pub(super) fn empty(_: usize) -> String {
    "the window is empty".to_string()
}

impl Builtin for Sum {
    fn signature(&self) -> Signature {
        window_signature("sum", "sum(series, duration)")
    }

    fn doc(&self) -> &'static str {
        DOC
    }

    fn examples(&self) -> &'static [Example] {
        &[
            // The window of 30 days at 2025-01-31 starts 2025-01-02.
            Example {
                call: "sum(s, 30d)",
                data: DATA,
                rules: "",
                at: "2025-01-31",
                value: "2",
            },
            // 1mo at 2025-02-28 is (2025-01-28, 2025-02-28].
            Example {
                call: "sum(s, 1mo)",
                data: DATA,
                rules: "",
                at: "2025-02-28",
                value: "2",
            },
            Example {
                call: "sum(s, 7d)",
                data: DATA,
                rules: "",
                at: "2025-02-28",
                value: "0",
            },
        ]
    }

    fn reads(&self) -> &'static [Read] {
        &[Read::Window(1)]
    }

    fn scale(&self) -> Scale {
        Scale::WholeForEvents
    }

    fn over_stale(&self) -> OverStale {
        OverStale::Unknown
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        match windowed(cx, args, t) {
            Some((s, w)) => Value::number(s.sum(w)),
            None => Value::None,
        }
    }

    fn why_unknown(&self, q: &Query<'_>) -> Option<String> {
        window_why(q, empty)
    }
}

impl Builtin for Count {
    fn signature(&self) -> Signature {
        window_signature("count", "count(series, duration)")
    }

    fn doc(&self) -> &'static str {
        DOC
    }

    fn examples(&self) -> &'static [Example] {
        &[
            Example {
                call: "count(s, 60d)",
                data: DATA,
                rules: "",
                at: "2025-03-01",
                value: "3",
            },
            // The window's first day is excluded: (2025-01-01, 2025-03-01].
            Example {
                call: "count(s, 59d)",
                data: DATA,
                rules: "",
                at: "2025-03-01",
                value: "2",
            },
        ]
    }

    fn reads(&self) -> &'static [Read] {
        &[Read::Window(1)]
    }

    fn scale(&self) -> Scale {
        Scale::Whole
    }

    fn over_stale(&self) -> OverStale {
        OverStale::Unknown
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        match windowed(cx, args, t) {
            Some((_, w)) => Value::Number(w.len() as f64),
            None => Value::None,
        }
    }

    fn why_unknown(&self, q: &Query<'_>) -> Option<String> {
        window_why(q, empty)
    }
}
