//! `zscore(s, d)`: how many standard deviations the newest value lies
//! from the window's mean.

use super::sum::window_signature;
use super::{
    newest, nothing_before, windowed, Builtin, Example, OverStale, Query, Read, Scale, AN_ARGUMENT,
};
use crate::eval::{Evaluator, Value};
use crate::lang::functions::Signature;
use crate::lang::program::Node;
use crate::time::Date;

/// `zscore(s, d)`
pub struct Zscore;

impl Builtin for Zscore {
    fn signature(&self) -> Signature {
        window_signature("zscore", "zscore(series, duration)")
    }

    fn doc(&self) -> &'static str {
        "| `zscore(s, d)` | `(latest(s) - mean) / stddev` over the window (population stddev); `none` under 2 observations or stddev 0 |"
    }

    fn examples(&self) -> &'static [Example] {
        &[
            Example {
                call: "zscore(s, 30d)",
                data: "date,value\n2025-01-01,2\n2025-01-02,4\n2025-01-03,6\n",
                rules: "",
                at: "2025-01-03",
                value: "1.2247",
            },
            Example {
                call: "zscore(s, 30d)",
                data: "date,value\n2025-01-01,2\n2025-01-02,2\n",
                rules: "",
                at: "2025-01-03",
                value: "none",
            },
        ]
    }

    fn reads(&self) -> &'static [Read] {
        &[Read::Window(1), Read::NewestBefore(1)]
    }

    fn scale(&self) -> Scale {
        Scale::Other
    }

    fn over_stale(&self) -> OverStale {
        OverStale::Unknown
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        let Some((s, w)) = windowed(cx, args, t) else {
            return Value::None;
        };
        match (newest(s, t), s.mean_stddev(w)) {
            (Some(x), Some((mean, sd))) if sd > 0.0 => Value::number((x - mean) / sd),
            _ => Value::None,
        }
    }

    fn why_unknown(&self, q: &Query<'_>) -> Option<String> {
        let Some(s) = q.series else {
            return Some(AN_ARGUMENT.to_string());
        };
        let (_, w) = q.window()?;
        Some(if w.len() < 2 {
            format!("{} observation(s) in the window; 2 are needed", w.len())
        } else if s.last_at(q.t).is_none() {
            nothing_before(q.t)
        } else {
            "every value in the window is the same: standard deviation 0".to_string()
        })
    }
}
