//! Syntax trees compared without their spans: the formatter moves every
//! token, so only what the spans point at may stay the same.

use crate::diag::Span;
use crate::lang::ast::*;
use crate::lang::testfile::ast::{DataBlock, DataField, Entry, ExpectKind, TestFile};

/// A copy of `file` with every span set to the default.
pub fn without_spans(file: &RuleFile) -> RuleFile {
    let mut file = file.clone();
    for item in &mut file.items {
        match item {
            Item::Series(s) => {
                s.span = Span::default();
                ident(&mut s.name);
                series(&mut s.expr);
            }
            Item::Let(l) => {
                l.span = Span::default();
                ident(&mut l.name);
                expr(&mut l.value);
            }
            Item::Rule(r) => {
                r.span = Span::default();
                ident(&mut r.name);
                r.fields.iter_mut().for_each(field);
            }
            Item::Feed(f) => {
                f.span = Span::default();
                ident(&mut f.name);
                f.fields.iter_mut().for_each(field);
            }
        }
    }
    file
}

fn ident(i: &mut Ident) {
    i.span = Span::default();
}

fn field(f: &mut Field) {
    f.key_span = Span::default();
    match &mut f.value {
        FieldValue::Expr(e) => expr(e),
        FieldValue::Duration(_, span) | FieldValue::Severity(_, span) => *span = Span::default(),
        FieldValue::Text(s) => s.span = Span::default(),
        FieldValue::Template(t) => {
            t.span = Span::default();
            for part in &mut t.parts {
                if let TemplatePart::Hole(e) = part {
                    expr(e);
                }
            }
        }
        FieldValue::Tags(tags, span) => {
            *span = Span::default();
            tags.iter_mut().for_each(|t| t.span = Span::default());
        }
        FieldValue::By(fields, span) => {
            *span = Span::default();
            fields.iter_mut().for_each(|f| f.span = Span::default());
        }
    }
}

fn expr(e: &mut Expr) {
    e.span = Span::default();
    match &mut e.kind {
        ExprKind::Name(i) => ident(i),
        ExprKind::Series(s) => series(s),
        ExprKind::Call { func, args } => {
            ident(func);
            for a in args {
                if let Some(n) = &mut a.name {
                    ident(n);
                }
                expr(&mut a.value);
            }
        }
        ExprKind::Unary { expr: inner, .. } | ExprKind::Paren(inner) => expr(inner),
        ExprKind::Binary { lhs, rhs, .. } => {
            expr(lhs);
            expr(rhs);
        }
        ExprKind::Number(_)
        | ExprKind::Percent(_)
        | ExprKind::Duration(_)
        | ExprKind::Date(_)
        | ExprKind::Str(_)
        | ExprKind::Bool(_)
        | ExprKind::None
        | ExprKind::Now => {}
    }
}

fn series(s: &mut SeriesExpr) {
    s.span = Span::default();
    ident(&mut s.base);
    for p in s.filter.iter_mut().flatten() {
        p.span = Span::default();
        p.field.span = Span::default();
        p.values.iter_mut().for_each(|v| *v = Span::default());
    }
    if let Some(f) = &mut s.projection {
        f.span = Span::default();
    }
    s.buckets.iter_mut().for_each(|b| b.span = Span::default());
}

/// A copy of the test file `file` with every span set to the default.
pub fn test_file_without_spans(file: &TestFile) -> TestFile {
    let mut file = file.clone();
    file.rules = without_spans(&file.rules);
    file.data.iter_mut().for_each(data_block);
    for t in &mut file.tests {
        t.span = Span::default();
        t.name.span = Span::default();
        t.data.iter_mut().for_each(data_block);
        for at in &mut t.checks {
            at.span = Span::default();
            for e in &mut at.expects {
                e.span = Span::default();
                match &mut e.kind {
                    ExpectKind::Status { rule, labels, .. } => {
                        ident(rule);
                        for (field, value) in labels {
                            ident(field);
                            value.span = Span::default();
                        }
                    }
                    ExpectKind::Value {
                        lhs, rhs, within, ..
                    } => {
                        expr(lhs);
                        expr(rhs);
                        if let Some((_, span)) = within {
                            *span = Span::default();
                        }
                    }
                    ExpectKind::Summary {
                        rule, labels, text, ..
                    } => {
                        ident(rule);
                        for (field, value) in labels {
                            ident(field);
                            value.span = Span::default();
                        }
                        text.span = Span::default();
                    }
                }
            }
        }
    }
    file
}

fn data_block(d: &mut DataBlock) {
    d.span = Span::default();
    ident(&mut d.name);
    let field = |f: &mut DataField| f.span = Span::default();
    for e in &mut d.entries {
        match e {
            Entry::Point(p) => {
                p.span = Span::default();
                p.fields.iter_mut().for_each(field);
            }
            Entry::Run(r) => {
                r.span = Span::default();
                r.fields.iter_mut().for_each(field);
                r.values.iter_mut().for_each(|v| v.span = Span::default());
            }
        }
    }
}
