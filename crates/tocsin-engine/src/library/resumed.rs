//! `resumed(s, quiet: d1, within: d2)`: activity came back after a quiet
//! spell.

use super::{Builtin, Example, OverStale, Query, Read, Scale, AN_ARGUMENT};
use crate::eval::{Evaluator, Value};
use crate::lang::functions::{Params, Signature, SERIES};
use crate::lang::program::{Node, Type};
use crate::time::{Date, Range};

/// `resumed(s, quiet: d1, within: d2)`
pub struct Resumed;

impl Builtin for Resumed {
    fn signature(&self) -> Signature {
        Signature {
            name: "resumed",
            params: Params::Fixed(&[
                SERIES,
                ("quiet", Type::Duration),
                ("within", Type::Duration),
            ]),
            named: true,
            result: Type::Bool,
            usage: "resumed(series, quiet: duration, within: duration)",
        }
    }

    fn doc(&self) -> &'static str {
        "| `resumed(s, quiet: d1, within: d2)` | `true` if an active observation `e` in `(T - d2, T]` follows an earlier active observation `p` with `p + d1 <= e` and none between; else `false` |"
    }

    fn examples(&self) -> &'static [Example] {
        &[
            Example {
                call: "resumed(s, quiet: 30d, within: 7d)",
                data: "date,value\n2025-01-01,1\n2025-02-10,1\n",
                rules: "",
                at: "2025-02-12",
                value: "true",
            },
            Example {
                call: "resumed(s, 60d, 7d)",
                data: "date,value\n2025-01-01,1\n2025-02-10,1\n",
                rules: "",
                at: "2025-02-12",
                value: "false",
            },
        ]
    }

    fn reads(&self) -> &'static [Read] {
        &[Read::WindowAndBefore(2)]
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
        let quiet = args.get(1).and_then(|a| cx.duration(a, t));
        let within = args.get(2).and_then(|a| cx.duration(a, t));
        let (Some(quiet), Some(within)) = (quiet, within) else {
            return Value::None;
        };
        // Before the calendar: every observation is after it.
        let after = Range::window(t, within)
            .after
            .unwrap_or(Date(Date::MIN.0 - 1));
        Value::Bool(s.resumed(after, t, quiet))
    }

    fn why_unknown(&self, q: &Query<'_>) -> Option<String> {
        q.series.is_none().then(|| AN_ARGUMENT.to_string())
    }
}
