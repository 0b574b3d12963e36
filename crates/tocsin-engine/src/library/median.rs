//! `median(s, d)`: the middle of the values in the window.

use super::percentile::{why, DOC, READINGS};
use super::sum::window_signature;
use super::{windowed, Builtin, Example, OverStale, Query, Read, Scale};
use crate::eval::{Evaluator, Value};
use crate::lang::functions::Signature;
use crate::lang::program::Node;
use crate::time::Date;

/// `median(s, d)`
pub struct Median;

impl Builtin for Median {
    fn signature(&self) -> Signature {
        window_signature("median", "median(series, duration)")
    }

    fn doc(&self) -> &'static str {
        DOC
    }

    fn examples(&self) -> &'static [Example] {
        &[
            // An even count: halfway between 4 and 6.
            Example {
                call: "median(s, 7d)",
                data: READINGS,
                rules: "",
                at: "2025-06-04",
                value: "5",
            },
            // (2025-06-01, 2025-06-03]: 4 and 6; the 2 of the first day is
            // out.
            Example {
                call: "median(s, 2d)",
                data: READINGS,
                rules: "",
                at: "2025-06-03",
                value: "5",
            },
            Example {
                call: "median(s, 7d)",
                data: READINGS,
                rules: "",
                at: "2025-06-20",
                value: "none",
            },
        ]
    }

    fn reads(&self) -> &'static [Read] {
        &[Read::Window(1)]
    }

    fn scale(&self) -> Scale {
        Scale::Series
    }

    fn over_stale(&self) -> OverStale {
        OverStale::Unknown
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        let median = windowed(cx, args, t).and_then(|(s, w)| s.percentile(w, 50.0));
        Value::opt_number(median)
    }

    fn why_unknown(&self, q: &Query<'_>) -> Option<String> {
        why(q)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{explained, value_at};
    use crate::eval::Value;

    const DATA: &str = "date,value\n2025-01-01,1\n2025-01-05,7\n2025-01-10,3\n2025-01-11,100\n";

    #[test]
    fn the_window_excludes_t_minus_d_and_includes_t() {
        // (2025-01-01, 2025-01-10]: 7 and 3.
        assert_eq!(
            value_at("median(s, 9d)", DATA, "2025-01-10"),
            Value::Number(5.0)
        );
        // (2024-12-31, 2025-01-10]: 1, 7 and 3, an odd count.
        assert_eq!(
            value_at("median(s, 10d)", DATA, "2025-01-10"),
            Value::Number(3.0)
        );
    }

    #[test]
    fn one_observation_is_its_own_median_and_an_empty_window_is_none() {
        assert_eq!(
            value_at("median(s, 1d)", DATA, "2025-01-11"),
            Value::Number(100.0)
        );
        let shared = "date,value\n2025-01-05,2\n2025-01-05,4\n";
        assert_eq!(
            value_at("median(s, 1d)", shared, "2025-01-05"),
            Value::Number(3.0)
        );
        assert_eq!(value_at("median(s, 3d)", DATA, "2025-01-09"), Value::None);
        let (why, spans) = explained("median(s, 3d)", DATA, "2025-01-09");
        assert_eq!(why.as_deref(), Some("the window is empty"));
        assert_eq!(spans, ["window"]);
    }
}
