//! Syntax trees compared without their spans: the formatter moves every
//! token, so only what the spans point at may stay the same.

use crate::diag::Span;
use crate::lang::ast::*;

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
    }
    if let Some(f) = &mut s.projection {
        f.span = Span::default();
    }
}
