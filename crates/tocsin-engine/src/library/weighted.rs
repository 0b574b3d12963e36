//! `weighted(name: w, ...)`: the sum of the weights of the conditions that
//! hold. The checker lowers a call to its own node (its operands are
//! names, not values), which the evaluator and `explain` walk.

use super::{Builtin, Example, OverStale, Query, Read, Scale, AN_ARGUMENT};
use crate::eval::{Evaluator, Value};
use crate::lang::functions::{Params, Signature};
use crate::lang::program::{Node, Type};
use crate::time::Date;

/// `weighted(name: w, ...)`
pub struct Weighted;

impl Builtin for Weighted {
    fn signature(&self) -> Signature {
        Signature {
            name: "weighted",
            params: Params::Weights,
            named: true,
            result: Type::Number,
            usage: "weighted(name: weight, ...)",
        }
    }

    fn doc(&self) -> &'static str {
        "| `weighted(name: w, ...)` | sum of the weights of the named indicators, alerts or bool lets that are `true` |"
    }

    fn examples(&self) -> &'static [Example] {
        &[Example {
            call: "weighted(high: 2, low: 0.5, rising: 1)",
            data: "date,value\n2025-01-01,2\n2025-01-02,3\n",
            rules: "indicator high { when: latest(s) > 2 }\nindicator low { when: latest(s) < 2 }\nlet rising = change(s, 1d) > 0\n",
            at: "2025-01-02",
            value: "3",
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

    fn eval(&self, _: &mut Evaluator<'_>, _: &[Node], _: Date) -> Value {
        // Never reached: see the module's comment.
        Value::None
    }

    fn why_unknown(&self, _: &Query<'_>) -> Option<String> {
        Some(AN_ARGUMENT.to_string())
    }
}
