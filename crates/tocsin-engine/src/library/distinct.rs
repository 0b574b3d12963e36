//! `distinct(s, d, FIELD)`: how many different texts a field takes in the
//! window.

use super::sum::window_why;
use super::{windowed, Builtin, Example, OverStale, Query, Read, Scale, AN_ARGUMENT};
use crate::eval::{Evaluator, Value};
use crate::lang::functions::{Params, Signature, DURATION, FIELD, SERIES};
use crate::lang::program::{Node, Type};
use crate::time::Date;

/// `distinct(s, d, FIELD)`
pub struct Distinct;

const READINGS: &str = "date,value,station\n2025-06-01,2,A\n2025-06-02,4,B\n2025-06-03,6,A\n2025-06-04,8,C\n2025-06-05,1,\n";

impl Builtin for Distinct {
    fn signature(&self) -> Signature {
        Signature {
            name: "distinct",
            params: Params::Fixed(&[SERIES, DURATION, FIELD]),
            named: false,
            result: Type::Number,
            usage: "distinct(series, duration, field)",
        }
    }

    fn doc(&self) -> &'static str {
        "| `distinct(s, d, FIELD)` | how many different non-empty values the field takes among the window's observations (text compared exactly); 0 when the window is empty |"
    }

    fn examples(&self) -> &'static [Example] {
        &[
            // A, B, A, C and an empty cell: three stations.
            Example {
                call: "distinct(s, 7d, station)",
                data: READINGS,
                rules: "",
                at: "2025-06-05",
                value: "3",
            },
            // (2025-06-02, 2025-06-04]: A and C; B on the first day is out.
            Example {
                call: "distinct(s, 2d, \"Station\")",
                data: READINGS,
                rules: "",
                at: "2025-06-04",
                value: "2",
            },
            Example {
                call: "distinct(s, 7d, station)",
                data: READINGS,
                rules: "",
                at: "2025-05-31",
                value: "0",
            },
        ]
    }

    fn reads(&self) -> &'static [Read] {
        &[Read::Window(1)]
    }

    fn scale(&self) -> Scale {
        Scale::Whole
    }

    fn over_stale(&self) -> OverStale {
        OverStale::Unknown
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        let Some((_, w)) = windowed(cx, args, t) else {
            return Value::None;
        };
        match args.get(2).and_then(|f| cx.field(f)) {
            Some(column) => Value::Number(column.distinct(w) as f64),
            None => Value::None,
        }
    }

    fn why_unknown(&self, q: &Query<'_>) -> Option<String> {
        window_why(q, |_| AN_ARGUMENT.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::value_at;
    use crate::eval::Value;

    const DATA: &str = "date,value,vessel,Event Type\n\
        2025-01-01,1,Ever Given,Seizure\n\
        2025-01-05,1,ever given,Attack\n\
        2025-01-10,1,Galaxy Leader,Attack\n\
        2025-01-10,1,,Attack\n\
        2025-01-11,1,Maersk,Attack\n";

    fn n(x: f64) -> Value {
        Value::Number(x)
    }

    #[test]
    fn the_window_excludes_t_minus_d_and_includes_t() {
        // (2025-01-01, 2025-01-10]: "ever given" and Galaxy Leader; the
        // empty cell is not a value, Maersk is after T.
        assert_eq!(
            value_at("distinct(s, 9d, vessel)", DATA, "2025-01-10"),
            n(2.0)
        );
        // A day longer, "Ever Given" is in too: text compared exactly.
        assert_eq!(
            value_at("distinct(s, 10d, vessel)", DATA, "2025-01-10"),
            n(3.0)
        );
        assert_eq!(
            value_at("distinct(s, 10d, \"Event Type\")", DATA, "2025-01-10"),
            n(2.0)
        );
        assert_eq!(
            value_at("distinct(s, 9d, \"event type\")", DATA, "2025-01-10"),
            n(1.0)
        );
    }

    #[test]
    fn a_shared_date_counts_each_and_an_empty_window_counts_zero() {
        assert_eq!(
            value_at("distinct(s, 1d, vessel)", DATA, "2025-01-10"),
            n(1.0)
        );
        assert_eq!(
            value_at("distinct(s, 1d, \"EVENT TYPE\")", DATA, "2025-01-10"),
            n(1.0)
        );
        assert_eq!(
            value_at("distinct(s, 3d, vessel)", DATA, "2025-01-04"),
            n(0.0)
        );
        assert_eq!(
            value_at("distinct(s, 1d, vessel)", DATA, "2024-12-01"),
            n(0.0)
        );
        // One observation.
        assert_eq!(
            value_at("distinct(s, 1d, vessel)", DATA, "2025-01-11"),
            n(1.0)
        );
    }

    #[test]
    fn value_and_a_field_no_row_has() {
        // `value` is the observation's value, as in filters.
        let data = "date,value\n2025-01-01,1\n2025-01-02,2\n2025-01-03,1.0\n";
        assert_eq!(
            value_at("distinct(s, 5d, value)", data, "2025-01-03"),
            n(2.0)
        );
        assert_eq!(
            value_at("distinct(s, 5d, nothing)", data, "2025-01-03"),
            n(0.0)
        );
    }

    #[test]
    fn a_long_window_is_counted_through_the_index() {
        // 60 days, stations cycling through 7 names, one day in 5 empty.
        let mut data = String::from("date,value,station\n");
        for i in 0..60 {
            let station = if i % 5 == 4 {
                String::new()
            } else {
                format!("S{}", i % 7)
            };
            let date = crate::time::Date::parse_iso("2025-01-01")
                .unwrap()
                .add_days(i)
                .unwrap();
            data.push_str(&format!("{date},1,{station}\n"));
        }
        assert_eq!(
            value_at("distinct(s, 60d, station)", &data, "2025-03-01"),
            n(7.0)
        );
        // The last 20 days: i from 40 to 59, all 7 stations.
        assert_eq!(
            value_at("distinct(s, 20d, station)", &data, "2025-03-01"),
            n(7.0)
        );
        // Days 55 to 59 (i = 59 is empty): S6, S0, S1, S2.
        assert_eq!(
            value_at("distinct(s, 5d, station)", &data, "2025-03-01"),
            n(4.0)
        );
    }
}
