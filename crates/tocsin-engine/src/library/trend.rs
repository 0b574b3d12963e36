//! `trend(s, d)`: the least-squares slope over the window.

use super::sum::{window_signature, window_why};
use super::{windowed, Builtin, Example, OverStale, Query, Read, Scale};
use crate::eval::{Evaluator, Value};
use crate::lang::functions::Signature;
use crate::lang::program::Node;
use crate::time::Date;

/// `trend(s, d)`
pub struct Trend;

impl Builtin for Trend {
    fn signature(&self) -> Signature {
        window_signature("trend", "trend(series, duration)")
    }

    fn doc(&self) -> &'static str {
        "| `trend(s, d)` | least-squares slope of value against date, per day; `none` under 2 observations or when all share a date |"
    }

    fn examples(&self) -> &'static [Example] {
        &[
            Example {
                call: "trend(s, 30d)",
                data: "date,value\n2025-01-01,1\n2025-01-03,5\n2025-01-05,9\n",
                rules: "",
                at: "2025-01-05",
                value: "2",
            },
            Example {
                call: "trend(s, 30d)",
                data: "date,value\n2025-01-05,1\n2025-01-05,5\n",
                rules: "",
                at: "2025-01-05",
                value: "none",
            },
        ]
    }

    fn reads(&self) -> &'static [Read] {
        &[Read::Window(1)]
    }

    fn scale(&self) -> Scale {
        Scale::Other
    }

    fn over_stale(&self) -> OverStale {
        OverStale::Unknown
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        Value::opt_number(windowed(cx, args, t).and_then(|(s, w)| s.slope(w)))
    }

    fn why_unknown(&self, q: &Query<'_>) -> Option<String> {
        window_why(q, |n| {
            if n >= 2 {
                "every observation in the window has the same date".to_string()
            } else {
                format!("{n} observation(s) in the window; 2 are needed")
            }
        })
    }
}
