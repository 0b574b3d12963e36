//! `any(r)`, `all(r)`: over the instances of a rule with `by:`.

use super::{Builtin, Example, OverStale, Query, Read, Scale};
use crate::eval::{Evaluator, Status, Value};
use crate::lang::functions::{Params, Signature};
use crate::lang::program::{Node, NodeKind, Type};
use crate::time::Date;

const DOC: &str = "| `any(r)`, `all(r)` | over the instances of a rule with `by:` (see \"Breakdowns\"): `any` is `true` if some instance is met, `false` if every instance is pending or not met, else `none`; `all` is `true` if all are met, `false` if one is pending or not met, else `none`; over no instance `any` is `false` and `all` is `true`, or `none` while a data series the instances come from is stale |";

const DATA: &str =
    "date,value,region\n2025-04-01,1,North\n2025-04-02,1,North\n2025-04-03,1,South\n";
const BUSY: &str = "indicator busy { by: region when: count(s, 7d) >= 2 }";

/// The statuses of the instances of the rule `args[0]` names, at `t`;
/// `None` when it has none while a data series they would come from is
/// stale (a feed with nothing yet, or lagging, tells nothing: not that
/// every instance is quiet).
fn statuses(cx: &mut Evaluator<'_>, args: &[Node], t: Date) -> Option<Vec<Status>> {
    let Some(NodeKind::Rule(r)) = args.first().map(|a| &a.kind) else {
        return None;
    };
    let all = cx.instance_statuses(*r, t);
    if all.is_empty() {
        let model = cx.model();
        let g = model.instances.group_of(*r)?;
        let roots = model.instances.groups[g].roots();
        let stale = model
            .data
            .iter()
            .any(|d| roots.iter().any(|root| *root == d.series) && d.is_stale(t));
        if stale {
            return None;
        }
    }
    Some(all)
}

fn signature(name: &'static str, usage: &'static str) -> Signature {
    Signature {
        name,
        params: Params::Instances,
        named: false,
        result: Type::Bool,
        usage,
    }
}

/// `any(r)`
pub struct Any;

impl Builtin for Any {
    fn signature(&self) -> Signature {
        signature("any", "any(rule with by:)")
    }

    fn doc(&self) -> &'static str {
        DOC
    }

    fn examples(&self) -> &'static [Example] {
        &[
            Example {
                call: "any(busy)",
                data: DATA,
                rules: BUSY,
                at: "2025-04-05",
                value: "true",
            },
            Example {
                call: "any(busy)",
                data: DATA,
                rules: BUSY,
                at: "2025-04-20",
                value: "false",
            },
        ]
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
        let Some(all) = statuses(cx, args, t) else {
            return Value::None;
        };
        if all.contains(&Status::Met) {
            Value::Bool(true)
        } else if all.contains(&Status::Unknown) {
            Value::None
        } else {
            Value::Bool(false)
        }
    }

    fn why_unknown(&self, _: &Query<'_>) -> Option<String> {
        Some("no instance is met, and some instance is unknown (or there is none, while the data they come from is stale)".to_string())
    }
}

/// `all(r)`
pub struct All;

impl Builtin for All {
    fn signature(&self) -> Signature {
        signature("all", "all(rule with by:)")
    }

    fn doc(&self) -> &'static str {
        DOC
    }

    fn examples(&self) -> &'static [Example] {
        &[
            Example {
                call: "all(busy)",
                data: DATA,
                rules: BUSY,
                at: "2025-04-05",
                value: "false",
            },
            // Before the first observation there is no instance.
            Example {
                call: "all(busy)",
                data: DATA,
                rules: BUSY,
                at: "2025-03-01",
                value: "true",
            },
        ]
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
        let Some(all) = statuses(cx, args, t) else {
            return Value::None;
        };
        if all
            .iter()
            .any(|s| matches!(s, Status::Pending | Status::NotMet))
        {
            Value::Bool(false)
        } else if all.contains(&Status::Unknown) {
            Value::None
        } else {
            Value::Bool(true)
        }
    }

    fn why_unknown(&self, _: &Query<'_>) -> Option<String> {
        Some("no instance is pending or not met, and some instance is unknown (or there is none, while the data they come from is stale)".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::shown_with as value;

    #[test]
    fn unknown_instances_decide_only_when_nothing_else_does() {
        // North has a second series that is stale: unknown there.
        let rules = "indicator busy { by: region when: count(s[region == \"South\"], 7d) >= 1 or latest(s) > 5 }";
        let data = "date,value,region\n2025-04-01,1,North\n2025-04-03,1,South\n";
        assert_eq!(value("any(busy)", rules, data, "2025-04-03"), "true");
        assert_eq!(value("all(busy)", rules, data, "2025-04-03"), "false");
        assert_eq!(value("count_true(busy)", rules, data, "2025-04-03"), "1");
        // Every instance met.
        let rules = "indicator busy { by: region when: count(s, 30d) >= 1 }";
        assert_eq!(value("all(busy)", rules, data, "2025-04-03"), "true");
        assert_eq!(value("count_true(busy)", rules, data, "2025-04-03"), "2");
        // Unknown only: a stale feed.
        let rules = format!("feed s {{ stale_after: 1d }}\n{rules}");
        assert_eq!(value("any(busy)", &rules, data, "2025-04-10"), "unknown");
        assert_eq!(value("all(busy)", &rules, data, "2025-04-10"), "unknown");
        // No instance yet, and the feed stale (nothing in it yet): unknown,
        // not a lull; without `stale_after`, false and true.
        assert_eq!(value("any(busy)", &rules, data, "2025-03-01"), "unknown");
        assert_eq!(value("all(busy)", &rules, data, "2025-03-01"), "unknown");
        let fresh = "indicator busy { by: region when: count(s, 30d) >= 1 }";
        assert_eq!(value("any(busy)", fresh, data, "2025-03-01"), "false");
        assert_eq!(value("all(busy)", fresh, data, "2025-03-01"), "true");
    }
}
