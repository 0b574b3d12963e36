//! `abs(x)` and `percent(x)`: functions of one number.

use super::{Builtin, Example, OverStale, Query, Read, Scale};
use crate::eval::value::format_percent;
use crate::eval::{Evaluator, Value};
use crate::lang::functions::{Params, Signature};
use crate::lang::program::{Node, Type};
use crate::time::Date;

/// `abs(x)`
pub struct Abs;
/// `percent(x)`
pub struct Percent;

const X: &[(&str, Type)] = &[("x", Type::Number)];

const ITS_ARGUMENT: &str = "its argument is unknown";

fn number(cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Option<f64> {
    cx.eval(args.first()?, t).as_number()
}

impl Builtin for Abs {
    fn signature(&self) -> Signature {
        Signature {
            name: "abs",
            params: Params::Fixed(X),
            named: false,
            result: Type::Number,
            usage: "abs(number)",
        }
    }

    fn doc(&self) -> &'static str {
        "| `abs(x)` | absolute value |"
    }

    fn examples(&self) -> &'static [Example] {
        &[Example {
            call: "abs(change(s, 1d))",
            data: "date,value\n2025-01-01,5\n2025-01-02,3\n",
            rules: "",
            at: "2025-01-02",
            value: "2",
        }]
    }

    fn reads(&self) -> &'static [Read] {
        &[]
    }

    fn scale(&self) -> Scale {
        Scale::Other
    }

    fn over_stale(&self) -> OverStale {
        OverStale::Unknown
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        number(cx, args, t).map_or(Value::None, |x| Value::number(x.abs()))
    }

    fn why_unknown(&self, _: &Query<'_>) -> Option<String> {
        Some(ITS_ARGUMENT.to_string())
    }
}

impl Builtin for Percent {
    fn signature(&self) -> Signature {
        Signature {
            name: "percent",
            params: Params::Fixed(X),
            named: false,
            result: Type::Str,
            usage: "percent(number)",
        }
    }

    fn doc(&self) -> &'static str {
        "| `percent(x)` | a string: the ratio as a percentage (`percent(3.0)` is `300%`) |"
    }

    fn examples(&self) -> &'static [Example] {
        &[Example {
            call: "percent(latest(s))",
            data: "date,value\n2025-01-01,3\n",
            rules: "",
            at: "2025-01-02",
            value: "300%",
        }]
    }

    fn reads(&self) -> &'static [Read] {
        &[]
    }

    fn scale(&self) -> Scale {
        Scale::Other
    }

    fn over_stale(&self) -> OverStale {
        OverStale::Unknown
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        number(cx, args, t).map_or(Value::None, |x| Value::Str(format_percent(x)))
    }

    fn why_unknown(&self, _: &Query<'_>) -> Option<String> {
        Some(ITS_ARGUMENT.to_string())
    }
}
