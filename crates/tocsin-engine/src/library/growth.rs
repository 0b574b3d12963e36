//! `growth(s, d)`: the window's sum against the sum of the window before.

use super::sum::window_signature;
use super::{observations, Builtin, Example, OverStale, Query, Read, Scale, AN_ARGUMENT};
use crate::eval::{Evaluator, Value};
use crate::lang::functions::Signature;
use crate::lang::program::Node;
use crate::time::{Date, Range};

/// `growth(s, d)`
pub struct Growth;

impl Builtin for Growth {
    fn signature(&self) -> Signature {
        window_signature("growth", "growth(series, duration)")
    }

    fn doc(&self) -> &'static str {
        "| `growth(s, d)` | `sum` over `(T-d, T]` ÷ `sum` over `(T-2d, T-d]` − 1, with `2d` the doubled duration (`2 × 6mo = 12mo`); `none` if the earlier sum is 0 |"
    }

    fn examples(&self) -> &'static [Example] {
        &[
            // Windows (2025-02-28, 2025-03-31] and (2025-01-31, 2025-02-28].
            Example {
                call: "growth(s, 1mo)",
                data: "date,value\n2025-01-31,100\n2025-02-01,2\n2025-03-01,3\n2025-03-31,3\n",
                rules: "",
                at: "2025-03-31",
                value: "2",
            },
            Example {
                call: "growth(s, 1mo)",
                data: "date,value\n2025-01-31,100\n2025-03-31,3\n",
                rules: "",
                at: "2025-03-31",
                value: "none",
            },
        ]
    }

    fn reads(&self) -> &'static [Read] {
        &[Read::Window(1), Read::Earlier(1)]
    }

    fn scale(&self) -> Scale {
        Scale::Other
    }

    fn over_stale(&self) -> OverStale {
        OverStale::Unknown
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        let Some(s) = args.first().and_then(|a| cx.series(a)) else {
            return Value::None;
        };
        let Some(d) = args.get(1).and_then(|a| cx.duration(a, t)) else {
            return Value::None;
        };
        let Some(earlier) = Range::earlier(t, d) else {
            return Value::None;
        };
        let prev = s.sum(observations(s, earlier));
        if prev == 0.0 {
            Value::None
        } else {
            Value::number(s.sum(observations(s, Range::window(t, d))) / prev - 1.0)
        }
    }

    fn why_unknown(&self, q: &Query<'_>) -> Option<String> {
        if q.series.is_none() {
            return Some(AN_ARGUMENT.to_string());
        }
        q.d.map(|_| "the earlier window sums to 0".to_string())
    }
}
