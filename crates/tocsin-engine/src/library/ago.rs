//! `ago`, `change` and `pct_change`: the newest value at `T - d`, and how
//! the newest value at `T` differs from it.

use super::{
    newest, newest_seen, nothing_before, Builtin, Example, OverStale, Query, Read, Scale,
    AN_ARGUMENT,
};
use crate::eval::{Evaluator, Value};
use crate::lang::functions::{Params, Signature, DURATION, SERIES};
use crate::lang::program::{Node, Type};
use crate::time::Date;

/// `ago(s, d)`
pub struct Ago;
/// `change(s, d)`
pub struct Change;
/// `pct_change(s, d)`
pub struct PctChange;

/// `change` and `pct_change` read both values; `ago` only the older one.
const READS: &[Read] = &[Read::Newest, Read::Point(1)];

fn signature(name: &'static str, usage: &'static str) -> Signature {
    Signature {
        name,
        params: Params::Fixed(&[SERIES, DURATION]),
        named: false,
        result: Type::Number,
        usage,
    }
}

/// The newest values at `t` and at `t - d`.
fn now_and_then(cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> (Option<f64>, Option<f64>) {
    let Some(s) = args.first().and_then(|a| cx.series(a)) else {
        return (None, None);
    };
    let Some(d) = args.get(1).and_then(|a| cx.duration(a, t)) else {
        return (None, None);
    };
    (
        newest(s, t),
        t.minus(d).and_then(|past| newest_seen(s, past, t)),
    )
}

/// Why a comparison with the value at `T - d` is unknown; `pct` divides
/// by it.
fn why(q: &Query<'_>, pct: bool) -> Option<String> {
    let Some(s) = q.series else {
        return Some(AN_ARGUMENT.to_string());
    };
    let past = q.t.minus(q.d?)?;
    Some(match newest_seen(s, past, q.t) {
        Some(x) if pct && x == 0.0 => "the earlier value is 0: division by zero".to_string(),
        None => nothing_before(past),
        Some(_) => nothing_before(q.t),
    })
}

const DATA: &str = "date,value\n2025-01-01,4\n2025-03-01,0\n2025-06-01,10\n";

impl Builtin for Ago {
    fn signature(&self) -> Signature {
        signature("ago", "ago(series, duration)")
    }

    fn doc(&self) -> &'static str {
        "| `ago(s, d)` | value of the newest observation dated `<= T - d`; `none` if none |"
    }

    fn examples(&self) -> &'static [Example] {
        &[
            Example {
                call: "ago(s, 30d)",
                data: DATA,
                rules: "",
                at: "2025-06-10",
                value: "0",
            },
            Example {
                call: "ago(s, 1y)",
                data: DATA,
                rules: "",
                at: "2025-06-10",
                value: "none",
            },
        ]
    }

    fn reads(&self) -> &'static [Read] {
        &[Read::Point(1)]
    }

    fn scale(&self) -> Scale {
        Scale::Series
    }

    fn over_stale(&self) -> OverStale {
        OverStale::Unknown
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        Value::opt_number(now_and_then(cx, args, t).1)
    }

    fn why_unknown(&self, q: &Query<'_>) -> Option<String> {
        why(q, false)
    }
}

impl Builtin for Change {
    fn signature(&self) -> Signature {
        signature("change", "change(series, duration)")
    }

    fn doc(&self) -> &'static str {
        "| `change(s, d)` | `latest(s) - ago(s, d)` |"
    }

    fn examples(&self) -> &'static [Example] {
        &[Example {
            call: "change(s, 6mo)",
            data: DATA,
            rules: "",
            at: "2025-07-01",
            value: "6",
        }]
    }

    fn reads(&self) -> &'static [Read] {
        READS
    }

    fn scale(&self) -> Scale {
        Scale::Other
    }

    fn over_stale(&self) -> OverStale {
        OverStale::Unknown
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        match now_and_then(cx, args, t) {
            (Some(a), Some(b)) => Value::number(a - b),
            _ => Value::None,
        }
    }

    fn why_unknown(&self, q: &Query<'_>) -> Option<String> {
        why(q, false)
    }
}

impl Builtin for PctChange {
    fn signature(&self) -> Signature {
        signature("pct_change", "pct_change(series, duration)")
    }

    fn doc(&self) -> &'static str {
        "| `pct_change(s, d)` | `(latest - ago) / abs(ago)`; `none` if `ago` is `none` or 0 |"
    }

    fn examples(&self) -> &'static [Example] {
        &[
            Example {
                call: "pct_change(s, 6mo)",
                data: DATA,
                rules: "",
                at: "2025-07-01",
                value: "1.5",
            },
            Example {
                call: "pct_change(s, 30d)",
                data: DATA,
                rules: "",
                at: "2025-06-10",
                value: "none",
            },
        ]
    }

    fn reads(&self) -> &'static [Read] {
        READS
    }

    fn scale(&self) -> Scale {
        Scale::Other
    }

    fn over_stale(&self) -> OverStale {
        OverStale::Unknown
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        match now_and_then(cx, args, t) {
            (Some(a), Some(b)) if b != 0.0 => Value::number((a - b) / b.abs()),
            _ => Value::None,
        }
    }

    fn why_unknown(&self, q: &Query<'_>) -> Option<String> {
        why(q, true)
    }
}
