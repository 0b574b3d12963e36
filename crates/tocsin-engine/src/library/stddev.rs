//! `stddev(s, d)`: the population standard deviation over the window.

use super::sum::{window_signature, window_why};
use super::{windowed, Builtin, Example, OverStale, Query, Read, Scale};
use crate::eval::{Evaluator, Value};
use crate::lang::functions::Signature;
use crate::lang::program::Node;
use crate::time::Date;

/// `stddev(s, d)`
pub struct Stddev;

impl Builtin for Stddev {
    fn signature(&self) -> Signature {
        window_signature("stddev", "stddev(series, duration)")
    }

    fn doc(&self) -> &'static str {
        "| `stddev(s, d)` | population standard deviation of the values in the window; `none` under 2 observations |"
    }

    fn examples(&self) -> &'static [Example] {
        &[
            Example {
                call: "stddev(s, 30d)",
                data: "date,value\n2025-01-01,2\n2025-01-02,4\n2025-01-03,4\n2025-01-04,4\n2025-01-05,5\n2025-01-06,5\n2025-01-07,7\n2025-01-08,9\n",
                rules: "",
                at: "2025-01-08",
                value: "2",
            },
            Example {
                call: "stddev(s, 30d)",
                data: "date,value\n2025-01-01,2\n",
                rules: "",
                at: "2025-01-08",
                value: "none",
            },
        ]
    }

    fn reads(&self) -> &'static [Read] {
        &[Read::Window(1)]
    }

    fn scale(&self) -> Scale {
        // A spread, not a level: a threshold on it is not drawn on the
        // series' chart.
        Scale::Other
    }

    fn over_stale(&self) -> OverStale {
        OverStale::Unknown
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        let spread = windowed(cx, args, t).and_then(|(s, w)| s.mean_stddev(w));
        Value::opt_number(spread.map(|(_, sd)| sd))
    }

    fn why_unknown(&self, q: &Query<'_>) -> Option<String> {
        window_why(q, |n| {
            if n < 2 {
                format!("{n} observation(s) in the window; 2 are needed")
            } else {
                "the result is not a finite number".to_string()
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{explained, value_at};
    use crate::eval::Value;

    const DATA: &str = "date,value\n2025-01-01,1\n2025-01-05,3\n2025-01-10,5\n2025-01-11,100\n";

    fn close(v: Value, want: f64) -> bool {
        matches!(v, Value::Number(x) if (x - want).abs() < 1e-12)
    }

    #[test]
    fn the_window_excludes_t_minus_d_and_includes_t() {
        // (2025-01-01, 2025-01-10]: 3 and 5; the 100 after T is not read.
        assert_eq!(
            value_at("stddev(s, 9d)", DATA, "2025-01-10"),
            Value::Number(1.0)
        );
        // (2024-12-31, 2025-01-10]: 1, 3 and 5, population: sqrt(8/3).
        assert!(close(
            value_at("stddev(s, 10d)", DATA, "2025-01-10"),
            (8.0f64 / 3.0).sqrt()
        ));
    }

    #[test]
    fn under_two_observations_it_is_unknown_and_explain_says_why() {
        assert_eq!(value_at("stddev(s, 5d)", DATA, "2025-01-10"), Value::None);
        assert_eq!(value_at("stddev(s, 3d)", DATA, "2025-01-09"), Value::None);
        let (why, spans) = explained("stddev(s, 5d)", DATA, "2025-01-10");
        assert_eq!(
            why.as_deref(),
            Some("1 observation(s) in the window; 2 are needed")
        );
        assert_eq!(spans, ["window"]);
    }

    #[test]
    fn equal_values_give_zero_and_a_shared_date_counts_each() {
        let same = "date,value\n2025-01-01,4\n2025-01-02,4\n";
        assert_eq!(
            value_at("stddev(s, 7d)", same, "2025-01-02"),
            Value::Number(0.0)
        );
        let shared = "date,value\n2025-01-05,2\n2025-01-05,4\n";
        assert_eq!(
            value_at("stddev(s, 1d)", shared, "2025-01-05"),
            Value::Number(1.0)
        );
    }

    #[test]
    fn a_window_in_months_clamps_to_the_month_end() {
        // 1mo at 2025-03-31 is (2025-02-28, 2025-03-31]: the 28th is out.
        let data = "date,value\n2025-02-28,50\n2025-03-01,1\n2025-03-31,3\n";
        assert_eq!(
            value_at("stddev(s, 1mo)", data, "2025-03-31"),
            Value::Number(1.0)
        );
    }
}
