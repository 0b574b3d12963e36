//! `days_since(s)`: days since the newest active observation.

use super::{Builtin, Example, OverStale, Query, Read, Scale, AN_ARGUMENT};
use crate::eval::{Evaluator, Value};
use crate::lang::functions::{Params, Signature, SERIES};
use crate::lang::program::{Node, Type};
use crate::time::Date;

/// `days_since(s)`
pub struct DaysSince;

impl Builtin for DaysSince {
    fn signature(&self) -> Signature {
        Signature {
            name: "days_since",
            params: Params::Fixed(&[SERIES]),
            named: false,
            result: Type::Number,
            usage: "days_since(series)",
        }
    }

    fn doc(&self) -> &'static str {
        "| `days_since(s)` | days from the newest active observation `<= T` to `T`; `none` if none |"
    }

    fn examples(&self) -> &'static [Example] {
        &[
            // The observation of 0 is not active.
            Example {
                call: "days_since(s)",
                data: "date,value\n2025-01-01,2\n2025-01-05,0\n",
                rules: "",
                at: "2025-01-11",
                value: "10",
            },
            Example {
                call: "days_since(s)",
                data: "date,value\n2025-01-05,0\n",
                rules: "",
                at: "2025-01-11",
                value: "none",
            },
        ]
    }

    fn reads(&self) -> &'static [Read] {
        &[Read::NewestActive]
    }

    fn scale(&self) -> Scale {
        Scale::Whole
    }

    fn over_stale(&self) -> OverStale {
        OverStale::Unknown
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        let Some(s) = args.first().and_then(|a| cx.series(a)) else {
            return Value::None;
        };
        Value::opt_number(s.last_active(t).map(|d| t.days_since(d) as f64))
    }

    fn why_unknown(&self, q: &Query<'_>) -> Option<String> {
        Some(match q.series {
            Some(_) => format!("no active observation dated on or before {}", q.t),
            None => AN_ARGUMENT.to_string(),
        })
    }
}
