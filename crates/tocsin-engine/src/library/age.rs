//! `age(s)` and `stale(s)`: how old the newest observation is, and whether
//! the series' feed calls that stale. The two functions answered over a
//! stale series.

use super::{
    newest_date, nothing_before, Builtin, Example, OverStale, Query, Read, Scale, AN_ARGUMENT,
};
use crate::eval::{Evaluator, Value};
use crate::lang::functions::{Params, Signature, SERIES};
use crate::lang::program::{Node, NodeKind, Type};
use crate::time::Date;

/// `age(s)`
pub struct Age;

impl Builtin for Age {
    fn signature(&self) -> Signature {
        Signature {
            name: "age",
            params: Params::Fixed(&[SERIES]),
            named: false,
            result: Type::Number,
            usage: "age(series)",
        }
    }

    fn doc(&self) -> &'static str {
        "| `age(s)` | days from the newest observation dated `<= T` (whatever its value) to `T`; `none` if there is none. Never made `none` by staleness |"
    }

    fn examples(&self) -> &'static [Example] {
        &[
            // An observation of 0 counts: age is about the data, not activity.
            Example {
                call: "age(s)",
                data: "date,value\n2025-01-01,2\n2025-01-05,0\n",
                rules: "feed s { stale_after: 3d }\n",
                at: "2025-01-11",
                value: "6",
            },
            Example {
                call: "age(s)",
                data: "date,value\n2025-01-05,1\n",
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
        Scale::Whole
    }

    fn over_stale(&self) -> OverStale {
        OverStale::Answers
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        let Some(s) = args.first().and_then(|a| cx.series(a)) else {
            return Value::None;
        };
        Value::opt_number(newest_date(s, t).map(|d| t.days_since(d) as f64))
    }

    fn why_unknown(&self, q: &Query<'_>) -> Option<String> {
        Some(match q.series {
            Some(_) => nothing_before(q.t),
            None => AN_ARGUMENT.to_string(),
        })
    }
}

/// `stale(s)`
pub struct Stale;

impl Builtin for Stale {
    fn signature(&self) -> Signature {
        Signature {
            name: "stale",
            params: Params::Fixed(&[SERIES]),
            named: false,
            result: Type::Bool,
            usage: "stale(series)",
        }
    }

    fn doc(&self) -> &'static str {
        "| `stale(s)` | `true` when the data series under `s` has a `feed` with `stale_after` and is stale at `T` (see \"Feeds\"); `false` otherwise |"
    }

    fn examples(&self) -> &'static [Example] {
        &[
            Example {
                call: "stale(s)",
                data: "date,value\n2025-01-01,2\n",
                rules: "feed s { stale_after: 7d }\n",
                at: "2025-01-08",
                value: "true",
            },
            // (2025-01-01, 2025-01-07] holds no observation... the 1st is
            // out, but at the 7th the window is (12-31, 01-07]: fresh.
            Example {
                call: "stale(s)",
                data: "date,value\n2025-01-01,2\n",
                rules: "feed s { stale_after: 7d }\n",
                at: "2025-01-07",
                value: "false",
            },
            // Without a feed a series is never stale.
            Example {
                call: "stale(s)",
                data: "date,value\n2020-01-01,2\n",
                rules: "",
                at: "2025-01-08",
                value: "false",
            },
        ]
    }

    fn reads(&self) -> &'static [Read] {
        &[Read::Newest]
    }

    fn scale(&self) -> Scale {
        Scale::Other
    }

    fn over_stale(&self) -> OverStale {
        OverStale::Answers
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        match args.first().map(|a| &a.kind) {
            Some(NodeKind::Series(slot)) => Value::Bool(cx.model().is_stale(*slot, t)),
            _ => Value::None,
        }
    }

    fn why_unknown(&self, _: &Query<'_>) -> Option<String> {
        Some(AN_ARGUMENT.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{model, value_of_x};
    use crate::eval::Value;

    const DATA: &str = "date,value\n2025-05-01,4\n2025-05-10,0\n";

    fn at(rules: &str, at: &str) -> Value {
        value_of_x(&model(rules, DATA), at)
    }

    #[test]
    fn stale_begins_the_day_the_window_holds_no_observation() {
        let rules = "feed s { stale_after: 7d }\nlet x = stale(s)\nindicator p { when: true }\n";
        // (05-09, 05-16] holds the 10th; (05-10, 05-17] does not.
        assert_eq!(at(rules, "2025-05-16"), Value::Bool(false));
        assert_eq!(at(rules, "2025-05-17"), Value::Bool(true));
        // Before the first observation there is none in any window.
        assert_eq!(at(rules, "2025-04-30"), Value::Bool(true));
    }

    #[test]
    fn every_function_but_age_and_stale_is_unknown_over_a_stale_series() {
        let feed =
            "feed s { stale_after: 7d }\nseries f = s[value >= 0]\nseries m = monthly(s, sum)\n";
        for call in [
            "count(s, 30d)",
            "sum(s, 30d)",
            "latest(s)",
            "count(f, 30d)",
            "days_since(s)",
            "count(m, 1y)",
        ] {
            let rules = format!("{feed}let x = {call}\nindicator p {{ when: true }}\n");
            assert_eq!(at(&rules, "2025-05-17"), Value::None, "{call}");
            assert_ne!(at(&rules, "2025-05-16"), Value::None, "{call} while fresh");
        }
        let rules = format!("{feed}let x = age(f)\nindicator p {{ when: true }}\n");
        assert_eq!(at(&rules, "2025-05-30"), Value::Number(20.0));
    }

    #[test]
    fn a_series_with_no_observation_has_no_age() {
        let m = model(
            "let x = age(s)\nindicator p { when: true }\n",
            "date,value\n2025-02-01,1\n",
        );
        assert_eq!(value_of_x(&m, "2025-01-31"), Value::None);
    }
}
