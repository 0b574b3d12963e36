//! `field(s, FIELD)`: the text of a field on the newest observation.

use super::{nothing_before, Builtin, Example, OverStale, Query, Read, Scale, AN_ARGUMENT};
use crate::eval::{Evaluator, Value};
use crate::lang::functions::{Params, Signature, FIELD, SERIES};
use crate::lang::program::{Node, Type};
use crate::time::Date;

/// `field(s, FIELD)`
pub struct Field;

const READINGS: &str = "date,value,station\n2025-06-01,2,A\n2025-06-04,8,C\n2025-06-05,1,\n";

impl Builtin for Field {
    fn signature(&self) -> Signature {
        Signature {
            name: "field",
            params: Params::Fixed(&[SERIES, FIELD]),
            named: false,
            result: Type::Str,
            usage: "field(series, field)",
        }
    }

    fn doc(&self) -> &'static str {
        "| `field(s, FIELD)` | a string: the field's text on the newest observation dated `<= T`; `none` if there is none or the field is empty there |"
    }

    fn examples(&self) -> &'static [Example] {
        &[
            Example {
                call: "field(s, station)",
                data: READINGS,
                rules: "",
                at: "2025-06-04",
                value: "C",
            },
            // The newest observation has the field empty.
            Example {
                call: "field(s, station)",
                data: READINGS,
                rules: "",
                at: "2025-06-05",
                value: "none",
            },
            Example {
                call: "field(s, station)",
                data: READINGS,
                rules: "",
                at: "2025-05-31",
                value: "none",
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
        OverStale::Unknown
    }

    fn eval(&self, cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Value {
        let Some(s) = args.first().and_then(|a| cx.series(a)) else {
            return Value::None;
        };
        let column = args.get(1).and_then(|f| cx.field(f));
        match (column, s.last_at(t)) {
            (Some(column), Some(i)) => column
                .text(i)
                .map_or(Value::None, |text| Value::Str(text.to_string())),
            _ => Value::None,
        }
    }

    fn why_unknown(&self, q: &Query<'_>) -> Option<String> {
        let Some(s) = q.series else {
            return Some(AN_ARGUMENT.to_string());
        };
        Some(match s.last_at(q.t) {
            None => nothing_before(q.t),
            Some(_) => "the field is empty on the newest observation".to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::value_at;
    use super::super::Builtin;
    use crate::eval::Value;

    const DATA: &str = "date,value,vessel,Event Type,source\n\
        2025-01-01,1,Ever Given,Seizure,UKMTO\n\
        2025-01-10,1,Galaxy Leader,Attack,\n\
        2025-01-10,1,,Attack,CENTCOM\n";

    fn s(text: &str) -> Value {
        Value::Str(text.to_string())
    }

    #[test]
    fn the_newest_observation_dated_on_or_before_t() {
        assert_eq!(
            value_at("field(s, vessel)", DATA, "2025-01-09"),
            s("Ever Given")
        );
        assert_eq!(
            value_at("field(s, \"event type\")", DATA, "2025-01-10"),
            s("Attack")
        );
        // Of two on the same date, the one written last is the newest.
        assert_eq!(
            value_at("field(s, source)", DATA, "2025-01-10"),
            s("CENTCOM")
        );
        assert_eq!(
            value_at("field(s, VESSEL)", DATA, "2025-01-01"),
            s("Ever Given")
        );
    }

    #[test]
    fn empty_or_missing_is_none_and_explain_says_why() {
        assert_eq!(
            value_at("field(s, vessel)", DATA, "2025-01-10"),
            Value::None
        );
        assert_eq!(
            value_at("field(s, vessel)", DATA, "2024-12-31"),
            Value::None
        );
        assert_eq!(
            value_at("field(s, nothing)", DATA, "2025-01-10"),
            Value::None
        );
        let tl = crate::eval::Timeline::new(vec![crate::time::Date(0)], vec![1.0]);
        let why = |t: i32| {
            let q = super::super::Query {
                t: crate::time::Date(t),
                series: Some(&tl),
                d: None,
            };
            super::Field.why_unknown(&q)
        };
        assert_eq!(
            why(0).as_deref(),
            Some("the field is empty on the newest observation")
        );
        assert_eq!(
            why(-1),
            Some(super::super::nothing_before(crate::time::Date(-1)))
        );
    }

    #[test]
    fn it_compares_with_strings_and_prints_in_templates() {
        assert_eq!(
            value_at("field(s, vessel) == \"Ever Given\"", DATA, "2025-01-05"),
            Value::Bool(true)
        );
        assert_eq!(
            value_at("field(s, vessel) != \"ever given\"", DATA, "2025-01-05"),
            Value::Bool(true)
        );
        assert_eq!(value_at("field(s, value)", DATA, "2025-01-05"), s("1"));
    }

    #[test]
    fn a_filtered_series_reads_the_fields_of_the_rows_it_keeps() {
        // The newest Attack is the empty-vessel row; the newest row with a
        // vessel is Galaxy Leader.
        assert_eq!(
            value_at(
                "field(s[\"event type\" == \"Seizure\"], vessel)",
                DATA,
                "2025-01-10"
            ),
            s("Ever Given")
        );
        assert_eq!(
            value_at("field(s[vessel != \"\"], vessel)", DATA, "2025-01-10"),
            s("Galaxy Leader")
        );
        assert_eq!(
            value_at(
                "distinct(s[source != \"\"], 30d, vessel)",
                DATA,
                "2025-01-10"
            ),
            Value::Number(1.0)
        );
    }

    #[test]
    fn a_field_no_observation_has_gets_the_filter_warning() {
        use crate::diag::Code;
        use crate::workspace::{load, Contents, SourceFile};
        let file = |name: &str, text: &str| SourceFile {
            name: name.into(),
            contents: Contents::Text(text.into()),
        };
        let rules = "let x = field(s, vesel)\nlet y = distinct(s, 30d, \"Event Typo\")\nlet z = field(s, x)\n";
        let ws = load(&[file("r.rules", rules)], &[file("s.csv", DATA)]);
        let got: Vec<(Code, &str)> = ws
            .diagnostics
            .iter()
            .map(|d| (d.code, d.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    Code::UnknownFilterField,
                    "no observation of `s` has a field `vesel`; did you mean `vessel`?"
                ),
                (
                    Code::UnknownFilterField,
                    "no observation of `s` has a field `Event Typo`; did you mean `Event Type`?"
                ),
                (
                    Code::UnknownFilterField,
                    "no observation of `s` has a field `x`"
                ),
            ]
        );
        // A field named like the let it is in is no reference: no cycle.
        assert!(ws.model.is_some());
    }
}
