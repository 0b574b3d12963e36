//! The fields of observations that rules may read, found in the syntax
//! trees before any data is loaded, so that loaders keep only the columns
//! that some rule reads. Conservative: a field read anywhere, of any
//! series, counts for every data file; names are compared ignoring case by
//! whoever uses the set.

use crate::lang::ast::{
    Arg, Expr, ExprKind, FieldRef, FieldValue, Item, RuleFile, RuleItem, SeriesExpr, TemplatePart,
};
use crate::lang::functions::{lookup, Params, Signature};
use crate::lang::program::Type;
use std::collections::BTreeSet;

/// Every field name that the rules of `files` may read: filter fields,
/// projections, field arguments of functions (by `sigs`, the table the
/// rules are checked against) and `by:` fields. `value` is left out: it
/// names an observation's value, never a field column.
pub fn fields_read<'a>(
    files: impl IntoIterator<Item = &'a RuleFile>,
    sigs: &[Signature],
) -> BTreeSet<String> {
    let mut walk = Walk {
        sigs,
        names: BTreeSet::new(),
    };
    for file in files {
        for item in &file.items {
            walk.item(item);
        }
    }
    walk.names
}

struct Walk<'s> {
    sigs: &'s [Signature],
    names: BTreeSet<String>,
}

impl Walk<'_> {
    fn add(&mut self, name: &str) {
        if !name.eq_ignore_ascii_case("value") {
            self.names.insert(name.to_string());
        }
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Series(s) => self.series(&s.expr),
            Item::Let(l) => self.expr(&l.value),
            Item::Rule(r) => self.rule(r),
            Item::Feed(f) => {
                for field in &f.fields {
                    self.field_value(&field.value);
                }
            }
        }
    }

    /// The fields of an indicator or alert: what its clauses read.
    fn rule(&mut self, rule: &RuleItem) {
        for field in &rule.fields {
            self.field_value(&field.value);
        }
    }

    /// Every kind of value is listed, so that a new kind that names
    /// fields is a compile error here until it is added (a list of fields,
    /// as `by:` holds, goes to [`Walk::fields`]).
    fn field_value(&mut self, value: &FieldValue) {
        match value {
            FieldValue::Expr(e) => self.expr(e),
            FieldValue::Template(t) => {
                for part in &t.parts {
                    match part {
                        TemplatePart::Hole(e) => self.expr(e),
                        TemplatePart::Text(_) => {}
                    }
                }
            }
            FieldValue::By(fields, _) => self.fields(fields),
            FieldValue::Duration(..)
            | FieldValue::Text(_)
            | FieldValue::Tags(..)
            | FieldValue::Severity(..) => {}
        }
    }

    /// Fields named as such: in a filter, a projection, or a clause of a
    /// rule that lists fields (`by:`).
    fn fields<'f>(&mut self, fields: impl IntoIterator<Item = &'f FieldRef>) {
        for f in fields {
            self.add(&f.name);
        }
    }

    fn series(&mut self, se: &SeriesExpr) {
        self.fields(se.filter.iter().flatten().map(|p| &p.field));
        self.fields(&se.projection);
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Series(se) => self.series(se),
            ExprKind::Call { func, args } => {
                self.field_args(&func.name, args);
                for a in args {
                    self.expr(&a.value);
                }
            }
            ExprKind::Unary { expr, .. } | ExprKind::Paren(expr) => self.expr(expr),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Number(_)
            | ExprKind::Percent(_)
            | ExprKind::Duration(_)
            | ExprKind::Date(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::None
            | ExprKind::Now
            | ExprKind::Name(_) => {}
        }
    }

    /// The arguments of a call that its signature takes as field names,
    /// read as the checker reads them: a bare name, a string, or a word
    /// the parser reads as a literal.
    fn field_args(&mut self, func: &str, args: &[Arg]) {
        let Some((_, sig)) = lookup(self.sigs, func) else {
            return;
        };
        let Params::Fixed(params) = sig.params else {
            return;
        };
        let mut position = 0;
        for a in args {
            let param = match &a.name {
                Some(name) => params.iter().find(|p| p.0 == name.name),
                None => {
                    position += 1;
                    params.get(position - 1)
                }
            };
            if param.is_none_or(|p| p.1 != Type::Field) {
                continue;
            }
            match &a.value.kind {
                ExprKind::Name(id) => self.add(&id.name),
                ExprKind::Str(s) => self.add(s),
                ExprKind::Bool(b) => self.add(&b.to_string()),
                ExprKind::None => self.add("none"),
                ExprKind::Now => self.add("now"),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileId;
    use crate::lang::functions::TEST_SIGS as SIGS;
    use crate::lang::parser::parse_file;

    fn read(src: &str) -> Vec<String> {
        let (file, diags) = parse_file(FileId(0), src);
        assert!(diags.is_empty(), "{diags:?}");
        fields_read([&file], SIGS).into_iter().collect()
    }

    #[test]
    fn filters_projections_and_field_arguments_are_read() {
        let src = r#"
series houthi = acled[Actor1 ~ "houthi", "Event Type" == "x"].fatalities
let n = count(ucdp[value > 3], 30d)
indicator a {
  when: field(gdelt, tone) > 1 and distinct(acled, 7d, field: "Sub Event") > 2
  summary: "{count(adiz[source >= 1], 1d)}"
}
"#;
        assert_eq!(
            read(src),
            [
                "Actor1",
                "Event Type",
                "Sub Event",
                "fatalities",
                "source",
                "tone"
            ]
        );
    }

    #[test]
    fn series_and_other_arguments_are_not_fields() {
        assert!(read("indicator a {\n  when: count(acled, 30d) > 1\n}\n").is_empty());
    }

    #[test]
    fn by_fields_are_read() {
        assert_eq!(
            read(
                "indicator a {\n  by: COUNTRY, \"Event Type\"\n  when: count(acled, 30d) > 1\n}\n"
            ),
            ["COUNTRY", "Event Type"]
        );
    }
}
