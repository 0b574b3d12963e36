//! The layout itself: walks the syntax tree and writes each token in its
//! canonical form, placing every comment before the token it preceded in
//! the source. Positions of punctuation, which the tree does not record,
//! are read from the text (see [`scan`]).

use super::scan::{self, byte_at, next_code, slice, Comment};
use super::writer::{Break, Writer};
use crate::diag::Span;
use crate::lang::ast::*;

/// Lines longer than this break a `when:` or `let` before `and` / `or`.
pub const WIDTH: usize = 100;
/// Indentation of fields.
const FIELD_INDENT: usize = 2;
/// Indentation of the continuation lines of `let` and `series`.
const ITEM_CONTINUATION: usize = 4;
/// Extra indentation of the elements of a list laid out one per line.
const LIST_INDENT: usize = 2;

fn start(span: crate::diag::Span) -> usize {
    span.start as usize
}

fn end(span: crate::diag::Span) -> usize {
    span.end as usize
}

/// A string literal in canonical form: `\"`, `\\` and `\n` escaped, and in
/// templates `{` and `}` doubled.
pub fn quote(value: &str, template: bool) -> String {
    let mut s = String::with_capacity(value.len() + 2);
    s.push('"');
    push_escaped(&mut s, value, template);
    s.push('"');
    s
}

fn push_escaped(s: &mut String, value: &str, template: bool) {
    for c in value.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '{' if template => s.push_str("{{"),
            '}' if template => s.push_str("}}"),
            c => s.push(c),
        }
    }
}

/// A field as the source writes it: bare when a name, else quoted.
pub fn field_name(f: &FieldRef) -> String {
    if f.quoted {
        quote(&f.name, false)
    } else {
        f.name.clone()
    }
}

/// `let` and `series` may stay grouped without blank lines between them.
pub(super) fn groupable(item: &Item) -> bool {
    matches!(item, Item::Let(_) | Item::Series(_))
}

/// The printer: the source text, its comments not yet placed, and the
/// output.
pub struct Printer<'a> {
    pub(super) text: &'a str,
    pub(super) comments: Vec<Comment<'a>>,
    pub(super) next: usize,
    pub(super) out: Writer,
    /// Indentation of a line that a comment forces inside an expression.
    pub(super) cont: usize,
    /// Everything on one line, comments left out: template holes and the
    /// width measure.
    pub(super) flat: bool,
}

impl<'a> Printer<'a> {
    /// A printer for the whole file, comments included.
    pub fn new(text: &'a str) -> Printer<'a> {
        Printer {
            comments: scan::comments(text),
            flat: false,
            ..Printer::flat(text)
        }
    }

    /// A printer without comments that lays lists out as written: the
    /// measure of a block that may go on one line.
    pub(super) fn plain(text: &'a str) -> Printer<'a> {
        Printer {
            flat: false,
            ..Printer::flat(text)
        }
    }

    fn flat(text: &'a str) -> Printer<'a> {
        Printer {
            text,
            comments: Vec::new(),
            next: 0,
            out: Writer::default(),
            cont: 0,
            flat: true,
        }
    }

    /// The file, laid out.
    pub fn file(mut self, file: &RuleFile) -> String {
        let mut prev: Option<&Item> = None;
        for item in &file.items {
            let apart = prev.is_some_and(|p| !(groupable(p) && groupable(item)));
            self.out
                .brk(if apart { Break::Blank } else { Break::Line }, 0);
            self.cont = ITEM_CONTINUATION;
            self.lead(start(item.span()), true, 0);
            self.item(item);
            prev = Some(item);
        }
        self.out.brk(Break::Line, 0);
        self.cont = 0;
        self.place_comments(self.text.len(), true);
        self.out.finish()
    }

    /// An expression on one line, without comments.
    fn flat_expr(&self, e: &Expr) -> String {
        let mut p = Printer::flat(self.text);
        p.expr(e);
        p.out.finish().trim_end().to_string()
    }

    /// Places the comments that stand before `pos`. `blanks` keeps the
    /// empty lines before comments on their own line (between items and
    /// fields); elsewhere they are dropped.
    pub(super) fn place_comments(&mut self, pos: usize, blanks: bool) {
        while let Some(c) = self.comments.get(self.next) {
            if c.start >= pos {
                break;
            }
            let c = c.clone();
            self.next += 1;
            if c.trailing && self.out.can_trail() {
                self.out.append_trailing(c.text);
                if self.out.pending().is_none() {
                    self.out.brk(Break::Line, self.cont);
                }
            } else {
                let indent = self.out.pending().map_or(self.cont, |p| p.1);
                let kind = if blanks && c.blank_before {
                    Break::Blank
                } else {
                    Break::Line
                };
                self.out.brk(kind, indent);
                self.out.write_comment(c.text);
                self.out.brk(Break::Line, indent);
            }
        }
    }

    /// Before the first token of an item or field: its comments, then an
    /// empty line if one stood directly before the token.
    pub(super) fn lead(&mut self, pos: usize, blanks: bool, indent: usize) {
        self.place_comments(pos, blanks);
        if blanks && scan::blank_line_before(self.text, pos) {
            self.out.brk(Break::Blank, indent);
        }
    }

    /// Writes the token that stands at `pos` in the source as `s`.
    pub(super) fn tok(&mut self, pos: usize, s: &str) {
        self.place_comments(pos, false);
        self.out.write(s);
    }

    pub(super) fn space(&mut self) {
        self.out.pad(1);
    }

    pub(super) fn item(&mut self, item: &Item) {
        match item {
            Item::Series(s) => {
                self.header("series", start(s.span), &s.name);
                self.tok(next_code(self.text, end(s.name.span)), "=");
                self.space();
                self.series(&s.expr);
            }
            Item::Let(l) => {
                self.header("let", start(l.span), &l.name);
                self.tok(next_code(self.text, end(l.name.span)), "=");
                self.space();
                let col = "let  = ".len() + l.name.name.chars().count();
                self.top_expr(&l.value, col);
            }
            Item::Rule(r) => self.fields_item(r.kind.keyword(), r.span, &r.name, &r.fields),
            Item::Feed(f) => self.fields_item("feed", f.span, &f.name, &f.fields),
        }
    }

    fn header(&mut self, keyword: &str, pos: usize, name: &Ident) {
        self.tok(pos, keyword);
        self.space();
        self.tok(start(name.span), &name.name);
        self.space();
    }

    /// An item of fields in braces: an indicator, an alert or a feed.
    fn fields_item(&mut self, keyword: &str, span: Span, name: &Ident, fields: &[Field]) {
        self.header(keyword, start(span), name);
        self.tok(next_code(self.text, end(name.span)), "{");
        let key_width = fields
            .iter()
            .map(|f| f.key.as_str().len() + 1)
            .max()
            .unwrap_or(0);
        let value_col = FIELD_INDENT + key_width + 1;
        for (i, f) in fields.iter().enumerate() {
            self.out.brk(Break::Line, FIELD_INDENT);
            self.cont = FIELD_INDENT;
            let key = f.key.as_str();
            self.lead(start(f.key_span), i > 0, FIELD_INDENT);
            self.tok(start(f.key_span), key);
            self.tok(next_code(self.text, end(f.key_span)), ":");
            self.out.pad(key_width - key.len());
            self.cont = value_col;
            self.field_value(&f.value, value_col);
        }
        let close = end(span).saturating_sub(1);
        let comment_inside = self
            .comments
            .get(self.next)
            .is_some_and(|c| c.start < close);
        if fields.is_empty() && !comment_inside {
            self.tok(close, "}");
            return;
        }
        self.out.brk(Break::Line, FIELD_INDENT);
        self.cont = FIELD_INDENT;
        self.place_comments(close, !fields.is_empty());
        self.out.brk(Break::Line, 0);
        self.tok(close, "}");
    }

    fn field_value(&mut self, value: &FieldValue, col: usize) {
        match value {
            FieldValue::Expr(e) => self.top_expr(e, col),
            FieldValue::Duration(_, span) => {
                self.tok(start(*span), slice(self.text, start(*span), end(*span)))
            }
            FieldValue::Text(s) => self.tok(start(s.span), &quote(&s.value, false)),
            FieldValue::Template(t) => {
                let s = self.template(t);
                self.tok(start(t.span), &s)
            }
            FieldValue::Tags(tags, span) => {
                let close = end(*span).saturating_sub(1);
                self.list(
                    (start(*span), "["),
                    (close, "]"),
                    tags,
                    |t| (start(t.span), end(t.span)),
                    |p, t, _| p.tok(start(t.span), &quote(&t.value, false)),
                );
            }
            FieldValue::Severity(s, span) => self.tok(start(*span), s.as_str()),
            FieldValue::By(fields, _) => {
                for (k, f) in fields.iter().enumerate() {
                    if k > 0 {
                        self.tok(next_code(self.text, end(fields[k - 1].span)), ",");
                        self.space();
                    }
                    self.tok(start(f.span), &field_name(f));
                }
            }
        }
    }

    /// A template: text re-escaped, holes laid out on one line. A hole that
    /// holds a comment is kept as written, since moving the comment out of
    /// the string would change where it is.
    fn template(&self, t: &Template) -> String {
        let holes = scan::template_holes(self.text, start(t.span), end(t.span));
        let mut holes = holes.iter();
        let mut s = String::from("\"");
        for part in &t.parts {
            match part {
                TemplatePart::Text(text) => push_escaped(&mut s, text, true),
                TemplatePart::Hole(e) => {
                    s.push('{');
                    match holes.next().map(|&(a, b)| slice(self.text, a, b)) {
                        Some(raw) if raw.contains('#') => s.push_str(raw),
                        _ => s.push_str(&self.flat_expr(e)),
                    }
                    s.push('}');
                }
            }
        }
        s.push('"');
        s
    }

    /// The expression of a `when:` or `let` that starts at column `col`:
    /// broken before each top-level `and` / `or` when it would not fit on
    /// the line.
    fn top_expr(&mut self, e: &Expr, col: usize) {
        let is_chain = matches!(
            e.kind,
            ExprKind::Binary {
                op: BinOp::And | BinOp::Or,
                ..
            }
        );
        if !self.flat && is_chain && col + self.flat_expr(e).chars().count() > WIDTH {
            self.chain(e);
        } else {
            self.expr(e);
        }
    }

    fn chain(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Binary {
                op: op @ (BinOp::And | BinOp::Or),
                lhs,
                rhs,
            } => {
                self.chain(lhs);
                self.out.brk(Break::Line, self.cont);
                self.tok(next_code(self.text, end(lhs.span)), op.as_str());
                self.space();
                self.chain(rhs);
            }
            _ => self.expr(e),
        }
    }

    pub(super) fn expr(&mut self, e: &Expr) {
        let pos = start(e.span);
        match &e.kind {
            ExprKind::Number(_)
            | ExprKind::Percent(_)
            | ExprKind::Duration(_)
            | ExprKind::Date(_) => self.tok(pos, slice(self.text, pos, end(e.span))),
            ExprKind::Str(s) => self.tok(pos, &quote(s, false)),
            ExprKind::Bool(b) => self.tok(pos, if *b { "true" } else { "false" }),
            ExprKind::None => self.tok(pos, "none"),
            ExprKind::Now => self.tok(pos, "now"),
            ExprKind::Name(id) => self.tok(pos, &id.name),
            ExprKind::Series(s) => self.series(s),
            ExprKind::Call { func, args } => self.call(func, args, end(e.span)),
            ExprKind::Unary { op, expr } => {
                match op {
                    UnOp::Neg => self.tok(pos, "-"),
                    UnOp::Not => {
                        self.tok(pos, "not");
                        self.space();
                    }
                }
                self.expr(expr);
            }
            ExprKind::Binary { op, lhs, rhs } => {
                self.expr(lhs);
                self.space();
                self.tok(next_code(self.text, end(lhs.span)), op.as_str());
                self.space();
                self.expr(rhs);
            }
            ExprKind::Paren(inner) => {
                self.tok(pos, "(");
                self.expr(inner);
                self.tok(end(e.span).saturating_sub(1), ")");
            }
        }
    }

    fn call(&mut self, func: &Ident, args: &[Arg], call_end: usize) {
        self.tok(start(func.span), &func.name);
        let open = next_code(self.text, end(func.span));
        let name_width = args
            .iter()
            .filter_map(|a| a.name.as_ref())
            .map(|n| n.name.chars().count() + 1)
            .max()
            .unwrap_or(0);
        let text = self.text;
        self.list(
            (open, "("),
            (call_end.saturating_sub(1), ")"),
            args,
            |a| {
                let first = a.name.as_ref().map_or(a.value.span, |n| n.span);
                (start(first), end(a.value.span))
            },
            |p, a, one_per_line| {
                if let Some(n) = &a.name {
                    p.tok(start(n.span), &n.name);
                    p.tok(next_code(text, end(n.span)), ":");
                    let own = n.name.chars().count() + 1;
                    p.out.pad(if one_per_line {
                        name_width + 1 - own
                    } else {
                        1
                    });
                }
                p.expr(&a.value);
            },
        );
    }

    fn series(&mut self, s: &SeriesExpr) {
        let text = self.text;
        // Buckets wrap the series: the outermost period is written first,
        // the innermost aggregate first after it.
        for b in s.buckets.iter().rev() {
            let name = b.period.as_str();
            self.tok(start(b.span), name);
            self.tok(next_code(text, start(b.span) + name.len()), "(");
        }
        self.tok(start(s.base.span), &s.base.name);
        let mut after = end(s.base.span);
        if let Some(preds) = &s.filter {
            let open = next_code(text, after);
            let last = preds.last().map_or(open + 1, |p| end(p.span));
            let mut close = next_code(text, last);
            if byte_at(text, close) == Some(b',') {
                close = next_code(text, close + 1);
            }
            self.list(
                (open, "["),
                (close, "]"),
                preds,
                |p| (start(p.span), end(p.span)),
                |p, pred, _| p.predicate(pred),
            );
            after = close + 1;
        }
        if let Some(f) = &s.projection {
            self.tok(next_code(text, after), ".");
            self.tok(start(f.span), &field_name(f));
            after = end(f.span);
        }
        for b in &s.buckets {
            let comma = next_code(text, after);
            self.tok(comma, ",");
            self.space();
            self.tok(next_code(text, comma + 1), b.agg.as_str());
            self.tok(end(b.span).saturating_sub(1), ")");
            after = end(b.span);
        }
    }

    fn predicate(&mut self, pred: &Predicate) {
        let text = self.text;
        self.tok(start(pred.field.span), &field_name(&pred.field));
        self.space();
        let op_pos = next_code(text, end(pred.field.span));
        let op = match &pred.test {
            FieldTest::TextEq(_) => "==",
            FieldTest::TextNe(_) => "!=",
            FieldTest::Contains(_) => "~",
            FieldTest::In(_) => "in",
            FieldTest::Num(cmp, _) => cmp.as_str(),
        };
        self.tok(op_pos, op);
        self.space();
        let value_pos = next_code(text, op_pos + op.len());
        match &pred.test {
            FieldTest::TextEq(s) | FieldTest::TextNe(s) | FieldTest::Contains(s) => {
                self.tok(value_pos, &quote(s, false))
            }
            FieldTest::Num(..) => self.tok(value_pos, slice(text, value_pos, end(pred.span))),
            FieldTest::In(values) => {
                // The strings of the list, with their places; commas
                // between them are optional.
                let mut found = Vec::new();
                let mut k = value_pos + 1;
                let close = loop {
                    let q = next_code(text, k);
                    match byte_at(text, q) {
                        Some(b'"') => {
                            let e = scan::string_end(text, q);
                            found.push((q, e));
                            k = e;
                        }
                        Some(b',') => k = q + 1,
                        _ => break q,
                    }
                };
                let items: Vec<_> = found.into_iter().zip(values).collect();
                self.list(
                    (value_pos, "["),
                    (close, "]"),
                    &items,
                    |&(range, _)| range,
                    |p, &((q, _), v), _| p.tok(q, &quote(v, false)),
                );
            }
        }
    }

    /// A bracketed list: call arguments, a filter, an `in` list or tags.
    /// Written with a line break right after its opening bracket or right
    /// before its closing one, it is laid out one element per line;
    /// otherwise on one line, where a comment that forces a break lines
    /// the next element up after the opening bracket.
    fn list<T>(
        &mut self,
        open: (usize, &str),
        close: (usize, &str),
        items: &[T],
        range: impl Fn(&T) -> (usize, usize),
        mut each: impl FnMut(&mut Self, &T, bool),
    ) {
        let text = self.text;
        let saved = self.cont;
        self.tok(open.0, open.1);
        let one_per_line = !self.flat
            && match (items.first(), items.last()) {
                (Some(first), Some(last)) => {
                    scan::breaks_between(text, open.0 + 1, range(first).0)
                        || scan::breaks_between(text, range(last).1, close.0)
                }
                _ => false,
            };
        let base = self.out.indent();
        self.cont = if one_per_line {
            base + LIST_INDENT
        } else {
            self.out.column()
        };
        for (i, item) in items.iter().enumerate() {
            if one_per_line {
                self.out.brk(Break::Line, self.cont);
            }
            each(self, item, one_per_line);
            if i + 1 < items.len() {
                let comma = next_code(text, range(item).1);
                if byte_at(text, comma) == Some(b',') {
                    self.tok(comma, ",");
                } else {
                    self.out.write(",");
                }
                if !one_per_line {
                    self.space();
                }
            }
        }
        if one_per_line {
            self.out.brk(Break::Line, self.cont);
            self.place_comments(close.0, false);
            self.out.brk(Break::Line, base);
        }
        self.tok(close.0, close.1);
        self.cont = saved;
    }
}
