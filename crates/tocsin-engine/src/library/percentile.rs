//! `percentile(s, d, p)`: the `p`th percentile of the values in the window,
//! and the check that a constant `p` lies from 0 to 100.

use super::sum::window_why;
use super::{windowed, Builtin, Example, OverStale, Query, Read, Scale};
use crate::diag::{Code, Diagnostic};
use crate::eval::{Evaluator, Value};
use crate::lang::ast::UnOp;
use crate::lang::functions::{Params, Signature, DURATION, SERIES};
use crate::lang::program::{Const, Node, NodeKind, Program, Type};
use crate::time::Date;

/// `percentile(s, d, p)`
pub struct Percentile;

/// The row `median` and `percentile` share.
pub(super) const DOC: &str = "| `median(s, d)`, `percentile(s, d, p)` | the median / the `p`-th percentile (`p` a number from 0 to 100) of the values in the window, interpolating linearly between the two nearest ranks (rank `(n-1)·p/100` of the sorted values, 0-based); `none` when the window is empty |";

/// Readings of four days: the examples of both functions.
pub(super) const READINGS: &str =
    "date,value\n2025-06-01,2\n2025-06-02,4\n2025-06-03,6\n2025-06-04,8\n";

/// Why a window's percentile is unknown.
pub(super) fn why(q: &Query<'_>) -> Option<String> {
    window_why(q, |n| {
        if n == 0 {
            "the window is empty".to_string()
        } else {
            "the percentile asked for is unknown or not from 0 to 100".to_string()
        }
    })
}

impl Builtin for Percentile {
    fn signature(&self) -> Signature {
        Signature {
            name: "percentile",
            params: Params::Fixed(&[SERIES, DURATION, ("p", Type::Number)]),
            named: false,
            result: Type::Number,
            usage: "percentile(series, duration, number from 0 to 100)",
        }
    }

    fn doc(&self) -> &'static str {
        DOC
    }

    fn examples(&self) -> &'static [Example] {
        &[
            // Rank (4 - 1) × 75 / 100 = 2.25: a quarter of the way from 6
            // to 8.
            Example {
                call: "percentile(s, 7d, 75)",
                data: READINGS,
                rules: "",
                at: "2025-06-04",
                value: "6.5",
            },
            Example {
                call: "percentile(s, 7d, 0)",
                data: READINGS,
                rules: "",
                at: "2025-06-04",
                value: "2",
            },
            Example {
                call: "percentile(s, 7d, 100)",
                data: READINGS,
                rules: "",
                at: "2025-06-04",
                value: "8",
            },
            // A computed rank outside 0 to 100 gives none.
            Example {
                call: "percentile(s, 7d, r)",
                data: READINGS,
                rules: "let r = latest(s) * 20\n",
                at: "2025-06-04",
                value: "none",
            },
        ]
    }

    fn reads(&self) -> &'static [Read] {
        &[Read::Window(1)]
    }

    fn scale(&self) -> Scale {
        // One of the window's values, or between two of them.
        Scale::Series
    }

    fn over_stale(&self) -> OverStale {
        OverStale::Unknown
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        let Some((s, w)) = windowed(cx, args, t) else {
            return Value::None;
        };
        let p = args.get(2).map(|p| cx.eval(p, t));
        match p.as_ref().and_then(Value::as_number) {
            Some(p) => Value::opt_number(s.percentile(w, p)),
            None => Value::None,
        }
    }

    fn why_unknown(&self, q: &Query<'_>) -> Option<String> {
        why(q)
    }
}

/// `E211` for every call of `percentile` whose `p` is a number written in
/// the rules (`150`, `-5`) outside 0 to 100: it could never give a value.
/// A computed `p` is left to the evaluation, which gives `none`.
pub(super) fn check_constant_ranks(program: &Program, diagnostics: &mut Vec<Diagnostic>) {
    // Found once: every call node is compared by its index, not its name.
    let Some((percentile, _)) = crate::lang::functions::lookup(super::signatures(), "percentile")
    else {
        return;
    };
    program.walk(&mut |n| {
        let NodeKind::Call(f, args) = &n.kind else {
            return;
        };
        if *f != percentile {
            return;
        }
        let Some(p) = args.get(2) else { return };
        if let Some(x) = constant_number(p) {
            if !(0.0..=100.0).contains(&x) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::PercentileOutOfRange,
                        format!("percentile takes a number from 0 to 100, found {x}"),
                    )
                    .with_primary(p.span, "outside 0 to 100")
                    .with_note("write the percentile as a number from 0 to 100: `percentile(s, 30d, 90)` is the 90th percentile, `percentile(s, 30d, 50)` the median"),
                );
            }
        }
    });
}

/// A number written as a literal, negated or not.
fn constant_number(n: &Node) -> Option<f64> {
    match &n.kind {
        NodeKind::Const(Const::Number(x) | Const::Percent(x)) => Some(*x),
        NodeKind::Unary(UnOp::Neg, inner) => constant_number(inner).map(|x| -x),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{explained, value_at};
    use crate::eval::Value;

    const DATA: &str =
        "date,value\n2025-01-01,1\n2025-01-05,3\n2025-01-10,5\n2025-01-10,9\n2025-01-11,100\n";

    #[test]
    fn the_window_excludes_t_minus_d_and_includes_t() {
        // (2025-01-01, 2025-01-10]: 3, 5 and 9; the 1 on the first day is
        // out, the 100 after T is not read.
        assert_eq!(
            value_at("percentile(s, 9d, 0)", DATA, "2025-01-10"),
            Value::Number(3.0)
        );
        assert_eq!(
            value_at("percentile(s, 10d, 0)", DATA, "2025-01-10"),
            Value::Number(1.0)
        );
        assert_eq!(
            value_at("percentile(s, 9d, 100)", DATA, "2025-01-10"),
            Value::Number(9.0)
        );
    }

    #[test]
    fn ranks_interpolate_between_the_two_nearest_values() {
        // 1, 3, 5, 9: rank 3 × 0.4 = 1.2, a fifth of the way from 3 to 5.
        assert_eq!(
            value_at("percentile(s, 30d, 40)", DATA, "2025-01-10"),
            Value::Number(3.4)
        );
        // Rank 3 × 0.9 = 2.7: 5 + 0.7 × 4.
        let got = value_at("percentile(s, 30d, 90)", DATA, "2025-01-10");
        assert!(matches!(got, Value::Number(x) if (x - 7.8).abs() < 1e-12));
    }

    #[test]
    fn observations_sharing_a_date_count_each() {
        // Both readings of 2025-01-10 are in a one-day window.
        assert_eq!(
            value_at("percentile(s, 1d, 50)", DATA, "2025-01-10"),
            Value::Number(7.0)
        );
    }

    #[test]
    fn one_observation_is_every_percentile_and_none_is_none() {
        for p in ["0", "37.5", "100"] {
            assert_eq!(
                value_at(&format!("percentile(s, 1d, {p})"), DATA, "2025-01-11"),
                Value::Number(100.0)
            );
        }
        assert_eq!(
            value_at("percentile(s, 2d, 50)", DATA, "2025-01-04"),
            Value::None
        );
        let (why, spans) = explained("percentile(s, 2d, 50)", DATA, "2025-01-04");
        assert_eq!(why.as_deref(), Some("the window is empty"));
        assert_eq!(spans, ["window"]);
    }

    #[test]
    fn a_computed_rank_outside_0_to_100_is_none() {
        let data = "date,value\n2025-01-01,1\n2025-01-02,2\n";
        for p in ["latest(s) - 3", "latest(s) * 60", "none"] {
            assert_eq!(
                value_at(&format!("percentile(s, 5d, {p})"), data, "2025-01-02"),
                Value::None,
                "{p}"
            );
        }
        let (why, _) = explained("percentile(s, 5d, latest(s) * 60)", data, "2025-01-02");
        assert_eq!(
            why.as_deref(),
            Some("the percentile asked for is unknown or not from 0 to 100")
        );
    }

    #[test]
    fn a_long_window_is_ranked_through_the_index() {
        // 40 values (past the length selected directly), 0 to 39 in a
        // shuffled order: the 25th percentile is rank 9.75.
        let mut data = String::from("date,value\n");
        for i in 0..40 {
            data.push_str(&format!("2025-01-{:02},{}\n", i % 28 + 1, (i * 17) % 40));
        }
        let data = {
            let mut rows: Vec<&str> = data.lines().skip(1).collect();
            rows.sort();
            format!("date,value\n{}\n", rows.join("\n"))
        };
        assert_eq!(
            value_at("percentile(s, 60d, 25)", &data, "2025-01-28"),
            Value::Number(9.75)
        );
        assert_eq!(
            value_at("percentile(s, 60d, 50)", &data, "2025-01-28"),
            Value::Number(19.5)
        );
    }

    /// The one-line diagnostics of checking `text` over series `s`.
    fn check_errors(text: &str) -> Vec<String> {
        use crate::diag::{render, SourceMap};
        let mut sources = SourceMap::new();
        let id = sources.add("t.rules", text);
        let (file, _) = crate::lang::parser::parse_file(id, text);
        let checked = crate::library::check(&[(id, &file)], &["s"]);
        checked
            .diagnostics
            .iter()
            .map(|d| format!("{} {}", d.code.as_str(), render::one_line(d, &sources)))
            .collect()
    }

    #[test]
    fn a_constant_rank_outside_0_to_100_is_a_check_error() {
        let e = check_errors("indicator x { when: percentile(s, 30d, 150) > 1 }");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("E211 "), "{e:?}");
        assert!(
            e[0].contains("percentile takes a number from 0 to 100, found 150"),
            "{e:?}"
        );
        assert!(e[0].contains("t.rules:1:40"), "{e:?}");
        // Negative, in a let, in a summary: each is found.
        let e = check_errors(
            "let low = percentile(s, 1y, -5)\nindicator y { when: true summary: \"{percentile(s, 1y, 100.5)}\" }",
        );
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(
            e[0].contains("found -5") && e[1].contains("found 100.5"),
            "{e:?}"
        );
        // The ends of the range, and a computed rank, are accepted.
        for ok in ["0", "100", "50%", "latest(s) * 200"] {
            let text = format!("indicator z {{ when: percentile(s, 30d, {ok}) > 1 }}");
            assert!(check_errors(&text).is_empty(), "{ok}");
        }
    }
}
