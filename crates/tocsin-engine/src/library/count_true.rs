//! `count_true(b1, b2, ...)`: how many conditions hold.

use super::{Builtin, Example, OverStale, Query, Read, Scale, AN_ARGUMENT};
use crate::eval::{Evaluator, Value};
use crate::lang::functions::{Params, Signature};
use crate::lang::program::{Node, NodeKind, Type};
use crate::time::Date;

/// `count_true(b1, b2, ...)`
pub struct CountTrue;

impl Builtin for CountTrue {
    fn signature(&self) -> Signature {
        Signature {
            name: "count_true",
            params: Params::Bools,
            named: false,
            result: Type::Number,
            usage: "count_true(bool, ...)",
        }
    }

    fn doc(&self) -> &'static str {
        "| `count_true(b1, b2, ...)` | how many arguments are `true` (`none` counts 0) |"
    }

    fn examples(&self) -> &'static [Example] {
        &[Example {
            call: "count_true(true, latest(s) > 1, latest(s) > 5, none)",
            data: "date,value\n2025-01-01,2\n",
            rules: "",
            at: "2025-01-01",
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
        // `count_true(r)` of one rule with `by:`: its met instances.
        if let [Node {
            kind: NodeKind::Rule(r),
            ..
        }] = args
        {
            if cx.model().instances.group_of(*r).is_some() {
                let met = cx.instance_statuses(*r, t);
                let n = met
                    .iter()
                    .filter(|s| **s == crate::eval::Status::Met)
                    .count();
                return Value::Number(n as f64);
            }
        }
        let mut n = 0;
        for a in args {
            if cx.eval(a, t) == Value::Bool(true) {
                n += 1;
            }
        }
        Value::Number(f64::from(n))
    }

    fn why_unknown(&self, _: &Query<'_>) -> Option<String> {
        Some(AN_ARGUMENT.to_string())
    }
}
