//! `latest(s)`: the newest value.

use super::{newest, nothing_before, Builtin, Example, OverStale, Query, Read, Scale, AN_ARGUMENT};
use crate::eval::{Evaluator, Value};
use crate::lang::functions::{Params, Signature, SERIES};
use crate::lang::program::{Node, Type};
use crate::time::Date;

/// `latest(s)`
pub struct Latest;

impl Builtin for Latest {
    fn signature(&self) -> Signature {
        Signature {
            name: "latest",
            params: Params::Fixed(&[SERIES]),
            named: false,
            result: Type::Number,
            usage: "latest(series)",
        }
    }

    fn doc(&self) -> &'static str {
        "| `latest(s)` | value of the newest observation dated `<= T`; `none` if there is none |"
    }

    fn examples(&self) -> &'static [Example] {
        &[
            Example {
                call: "latest(s)",
                data: "date,value\n2025-01-01,3\n2025-01-05,7\n2025-02-01,9\n",
                rules: "",
                at: "2025-01-31",
                value: "7",
            },
            Example {
                call: "latest(s)",
                data: "date,value\n2025-01-05,7\n",
                rules: "",
                at: "2025-01-04",
                value: "none",
            },
        ]
    }

    fn reads(&self) -> &'static [Read] {
        &[Read::Newest]
    }

    fn scale(&self) -> Scale {
        Scale::Newest
    }

    fn over_stale(&self) -> OverStale {
        OverStale::Unknown
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        let Some(s) = args.first().and_then(|a| cx.series(a)) else {
            return Value::None;
        };
        Value::opt_number(newest(s, t))
    }

    fn why_unknown(&self, q: &Query<'_>) -> Option<String> {
        Some(match q.series {
            Some(_) => nothing_before(q.t),
            None => AN_ARGUMENT.to_string(),
        })
    }
}
