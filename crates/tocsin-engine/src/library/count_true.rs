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
        "| `count_true(b1, b2, ...)` | how many arguments are `true` (`none` counts 0); a rule with `by:` among them counts its met instances |"
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
        let mut n = 0usize;
        let here = cx.instance().map(|(g, _)| g);
        for a in args {
            // A rule with `by:` counts its met instances: alone, always;
            // among others, unless read inside one of its own instances
            // (a rule with the same `by:`), where it is that instance.
            if let NodeKind::Rule(r) = a.kind {
                let group = cx.model().instances.group_of(r);
                if group.is_some() && (args.len() == 1 || group != here) {
                    let statuses = cx.instance_statuses(r, t);
                    n += statuses
                        .iter()
                        .filter(|s| **s == crate::eval::Status::Met)
                        .count();
                    continue;
                }
            }
            if cx.eval(a, t) == Value::Bool(true) {
                n += 1;
            }
        }
        Value::Number(n as f64)
    }

    fn why_unknown(&self, _: &Query<'_>) -> Option<String> {
        Some(AN_ARGUMENT.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::shown_with as value;

    /// Among several arguments, each rule with `by:` adds its met
    /// instances, and every other argument one when true.
    #[test]
    fn grouped_rules_among_several_arguments_count_their_met_instances() {
        let rules = "indicator busy { by: region when: count(s, 7d) >= 1 }\n\
                     indicator deadly { by: region when: sum(s, 7d) >= 3 }\n\
                     indicator any_data { when: count(s, 30d) >= 1 }";
        let data = "date,value,region\n2025-04-01,1,North\n2025-04-02,4,South\n2025-04-03,5,East\n";
        let at = "2025-04-03";
        assert_eq!(value("count_true(busy)", rules, data, at), "3");
        assert_eq!(value("count_true(deadly)", rules, data, at), "2");
        assert_eq!(value("count_true(busy, deadly)", rules, data, at), "5");
        assert_eq!(
            value(
                "count_true(busy, deadly, any_data, latest(s) > 10)",
                rules,
                data,
                at
            ),
            "6"
        );
    }

    /// In a rule with the same `by:`, each grouped argument among several
    /// reads the rule's own instance, as it does anywhere in such a rule.
    #[test]
    fn in_a_rule_with_the_same_by_the_arguments_are_its_instance() {
        use crate::eval::{evaluate, Status};
        use crate::workspace::{load, SourceFile};
        let rules = "indicator busy { by: region when: count(s, 7d) >= 1 }\n\
                     indicator deadly { by: region when: sum(s, 7d) >= 5 }\n\
                     indicator both { by: region when: count_true(busy, deadly) >= 2 }\n";
        let data = "date,value,region\n2025-04-01,5,Yemen\n2025-04-02,1,Sudan\n2025-04-03,1,Chad\n";
        let ws = load(
            &[SourceFile::text("r.rules", rules)],
            &[SourceFile::text("s.csv", data)],
        );
        assert!(
            !ws.diagnostics.iter().any(|d| d.is_error()),
            "{:?}",
            ws.diagnostics
        );
        let m = ws.model.unwrap();
        let met: Vec<String> = evaluate(&m, crate::time::Date::parse_iso("2025-04-03").unwrap())
            .into_iter()
            .filter(|r| r.name == "both" && r.status == Status::Met)
            .map(|r| r.display_name())
            .collect();
        assert_eq!(met, ["both{region=\"Yemen\"}"]);
    }
}
