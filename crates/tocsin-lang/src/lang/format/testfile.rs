//! The layout of test files (described in the [module](super) doc): the
//! rule printer's machinery, its comments and its items, with `data`,
//! `test` and `at` blocks on top. As for rule files, every token is
//! written at the place of its source position, so that every comment
//! lands before the token it preceded.

use super::print::{groupable, quote, Printer, WIDTH};
use super::scan::{
    breaks_between, byte_at, literal_end, next_code, next_past_commas, number_end, slice,
    string_end, word_end,
};
use super::writer::Break;
use crate::diag::Span;
use crate::lang::ast::Item;
use crate::lang::testfile::ast::{
    At, DataBlock, DataField, Entry, Expect, ExpectKind, Point, Run, RunValue, Test, TestFile,
};

/// Indentation of each level of blocks.
const INDENT: usize = 2;
/// Extra indentation of a line that a comment forces inside an entry, an
/// expectation or a block's head.
const CONTINUATION: usize = 4;

fn start(span: Span) -> usize {
    span.start as usize
}

fn end(span: Span) -> usize {
    span.end as usize
}

/// What the top level of a test file holds.
enum Top<'t> {
    Rule(&'t Item),
    Data(&'t DataBlock),
    Test(&'t Test),
}

impl Top<'_> {
    fn start(&self) -> usize {
        match self {
            Top::Rule(item) => start(item.span()),
            Top::Data(d) => start(d.span),
            Top::Test(t) => start(t.span),
        }
    }
}

/// What a `test` block holds.
enum Child<'t> {
    Data(&'t DataBlock),
    At(&'t At),
}

impl Child<'_> {
    fn range(&self) -> (usize, usize) {
        match self {
            Child::Data(d) => (start(d.span), end(d.span)),
            Child::At(a) => (start(a.span), end(a.span)),
        }
    }
}

fn entry_range(e: &Entry) -> (usize, usize) {
    match e {
        Entry::Point(p) => (start(p.span), end(p.span)),
        Entry::Run(r) => (start(r.span), end(r.span)),
    }
}

/// The written head of a block: `data NAME`, `at DATE`, `test "NAME"`.
type Head<'h, 'a> = &'h dyn Fn(&mut Printer<'a>);

/// Where `x COUNT` of a run value is written, if it is.
fn repeat_mark(text: &str, v: &RunValue) -> Option<usize> {
    let s = start(v.span);
    let value_end = if v.value.is_none() {
        s + 1
    } else {
        number_end(text, s)
    };
    let x = next_code(text, value_end);
    (x < end(v.span) && byte_at(text, x) == Some(b'x')).then_some(x)
}

/// True when `text` holds, outside comments and strings, a `test "` or a
/// `data NAME {`: what a test file holds and a rule file cannot.
pub fn looks_like_tests(text: &str) -> bool {
    let word_at =
        |k: usize| byte_at(text, k).is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_');
    let mut k = 0;
    while k < text.len() {
        k = next_code(text, k);
        match byte_at(text, k) {
            None => break,
            Some(b'"') => k = string_end(text, k),
            Some(_) if word_at(k) => {
                let e = word_end(text, k);
                let after = next_code(text, e);
                match &text[k..e] {
                    "test" if byte_at(text, after) == Some(b'"') => return true,
                    "data" if after > e && word_at(after) => {
                        let name_end = word_end(text, after);
                        if byte_at(text, next_code(text, name_end)) == Some(b'{') {
                            return true;
                        }
                    }
                    _ => {}
                }
                k = e;
            }
            Some(_) => k += 1,
        }
    }
    false
}

impl<'a> Printer<'a> {
    /// The test file, laid out: its rule items, data blocks and tests in
    /// the order written, one empty line apart (`let` and `series` items
    /// written on consecutive lines stay grouped, as in rule files).
    pub fn test_file(mut self, file: &TestFile) -> String {
        let mut tops: Vec<Top> = file.rules.items.iter().map(Top::Rule).collect();
        tops.extend(file.data.iter().map(Top::Data));
        tops.extend(file.tests.iter().map(Top::Test));
        tops.sort_by_key(Top::start);
        let mut prev: Option<&Top> = None;
        for top in &tops {
            let grouped = matches!(
                (prev, top),
                (Some(Top::Rule(a)), Top::Rule(b)) if groupable(a) && groupable(b)
            );
            let kind = if prev.is_some() && !grouped {
                Break::Blank
            } else {
                Break::Line
            };
            self.out.brk(kind, 0);
            self.cont = CONTINUATION;
            self.lead(top.start(), true, 0);
            match top {
                Top::Rule(item) => self.item(item),
                Top::Data(d) => self.data_block(d, 0),
                Top::Test(t) => self.test(t),
            }
            prev = Some(top);
        }
        self.out.brk(Break::Line, 0);
        self.cont = 0;
        self.place_comments(self.text.len(), true);
        self.out.finish()
    }

    /// A braced block after its head, at indentation `indent`: `{}` when
    /// empty; on one line when `short` allows it, it holds one entry
    /// written on the line of its braces, no comment, and the line fits;
    /// otherwise one entry per line, indented one level more, with the
    /// closing brace alone on its line.
    #[allow(clippy::too_many_arguments)]
    fn block<T>(
        &mut self,
        indent: usize,
        head: Head<'_, 'a>,
        (open, close): (usize, usize),
        items: &[T],
        range: &dyn Fn(&T) -> (usize, usize),
        each: &dyn Fn(&mut Self, &T, usize),
        short: bool,
    ) {
        let comment_inside = self.comment_within(open, close);
        let inner = indent + INDENT;
        if items.is_empty() && !comment_inside {
            head(self);
            self.space();
            self.tok(open, "{");
            self.tok(close, "}");
            return;
        }
        if let ([only], true, false) = (items, short, comment_inside) {
            if self.fits_on_one_line(indent, head, (open, close), only, range, each) {
                self.short_block(head, (open, close), only, inner, each);
                return;
            }
        }
        head(self);
        self.space();
        self.tok(open, "{");
        for (i, item) in items.iter().enumerate() {
            self.out.brk(Break::Line, inner);
            self.cont = inner;
            self.lead(range(item).0, i > 0, inner);
            self.cont = inner + CONTINUATION;
            each(self, item, inner);
        }
        self.out.brk(Break::Line, inner);
        self.cont = inner;
        self.place_comments(close, !items.is_empty());
        self.out.brk(Break::Line, indent);
        self.tok(close, "}");
    }

    /// True when a block of one entry was written with the entry on the
    /// line of its braces and fits on one line at `indent`.
    fn fits_on_one_line<T>(
        &self,
        indent: usize,
        head: Head<'_, 'a>,
        (open, close): (usize, usize),
        only: &T,
        range: &dyn Fn(&T) -> (usize, usize),
        each: &dyn Fn(&mut Self, &T, usize),
    ) -> bool {
        let (a, b) = range(only);
        if breaks_between(self.text, open + 1, a) || breaks_between(self.text, b, close) {
            return false;
        }
        let mut p = Printer::plain(self.text);
        p.short_block(head, (open, close), only, indent + INDENT, each);
        let line = p.out.finish();
        line.lines().count() == 1 && indent + line.trim_end().chars().count() <= WIDTH
    }

    /// `HEAD { ENTRY }` on one line.
    fn short_block<T>(
        &mut self,
        head: Head<'_, 'a>,
        (open, close): (usize, usize),
        only: &T,
        inner: usize,
        each: &dyn Fn(&mut Self, &T, usize),
    ) {
        head(self);
        self.space();
        self.tok(open, "{");
        self.space();
        each(self, only, inner);
        self.space();
        self.tok(close, "}");
    }

    /// `data NAME { ENTRY ... }`
    fn data_block(&mut self, d: &DataBlock, indent: usize) {
        let open = next_code(self.text, end(d.name.span));
        let head = |p: &mut Self| {
            p.tok(start(d.span), "data");
            p.space();
            p.tok(start(d.name.span), &d.name.name);
        };
        self.block(
            indent,
            &head,
            (open, end(d.span).saturating_sub(1)),
            &d.entries,
            &entry_range,
            &|p, e, _| match e {
                Entry::Point(pt) => p.point(pt),
                Entry::Run(r) => p.run(r),
            },
            true,
        );
    }

    /// `DATE[: VALUE] [{FIELDS}]`
    fn point(&mut self, pt: &Point) {
        let text = self.text;
        let s = start(pt.span);
        let mut after = literal_end(text, s);
        self.tok(s, slice(text, s, after));
        if pt.value.is_some() {
            let colon = next_code(text, after);
            self.tok(colon, ":");
            self.space();
            let v = next_code(text, colon + 1);
            after = number_end(text, v);
            self.tok(v, slice(text, v, after));
        }
        let brace = next_code(text, after);
        if brace < end(pt.span) && byte_at(text, brace) == Some(b'{') {
            self.space();
            self.fields(brace, &pt.fields);
        }
    }

    /// `every STEP from DATE [{FIELDS}]: VALUE ...`
    fn run(&mut self, r: &Run) {
        let text = self.text;
        let s = start(r.span);
        self.tok(s, "every");
        self.space();
        let step = next_code(text, s + "every".len());
        let step_end = literal_end(text, step);
        self.tok(step, slice(text, step, step_end));
        self.space();
        let from = next_code(text, step_end);
        self.tok(from, "from");
        self.space();
        let date = next_code(text, from + "from".len());
        let mut after = literal_end(text, date);
        self.tok(date, slice(text, date, after));
        let brace = next_code(text, after);
        if byte_at(text, brace) == Some(b'{') {
            self.space();
            after = self.fields(brace, &r.fields) + 1;
        }
        self.tok(next_code(text, after), ":");
        for (i, v) in r.values.iter().enumerate() {
            self.space();
            self.run_value(v);
            if repeat_mark(text, v).is_some() && i + 1 < r.values.len() {
                let comma = next_code(text, end(v.span));
                if byte_at(text, comma) == Some(b',') {
                    self.tok(comma, ",");
                } else {
                    self.out.write(",");
                }
            }
        }
    }

    /// `4`, `_`, `9 x 30`.
    fn run_value(&mut self, v: &RunValue) {
        let text = self.text;
        let s = start(v.span);
        let value_end = if v.value.is_none() {
            s + 1
        } else {
            number_end(text, s)
        };
        self.tok(s, slice(text, s, value_end));
        if let Some(x) = repeat_mark(text, v) {
            self.space();
            self.tok(x, "x");
            self.space();
            self.tok(next_code(text, x + 1), &v.count.to_string());
        }
    }

    /// True when a comment not yet placed stands between `open` and `close`.
    fn comment_within(&self, open: usize, close: usize) -> bool {
        self.comments[self.next..]
            .iter()
            .any(|c| c.start > open && c.start < close)
    }

    /// `{NAME: VALUE, ...}` from its opening brace; returns where its
    /// closing brace is written.
    fn fields(&mut self, open: usize, fields: &[DataField]) -> usize {
        let text = self.text;
        self.tok(open, "{");
        let mut after = open + 1;
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                let comma = next_code(text, after);
                if byte_at(text, comma) == Some(b',') {
                    self.tok(comma, ",");
                } else {
                    self.out.write(",");
                }
                self.space();
            }
            self.data_field(f);
            after = end(f.span);
        }
        let close = next_past_commas(text, after);
        self.tok(close, "}");
        close
    }

    /// `name: "text"`, `"Event Type": 3`.
    fn data_field(&mut self, f: &DataField) {
        let text = self.text;
        let s = start(f.span);
        let (name, name_end) = if byte_at(text, s) == Some(b'"') {
            (quote(&f.name, false), string_end(text, s))
        } else {
            (f.name.clone(), word_end(text, s))
        };
        self.tok(s, &name);
        let colon = next_code(text, name_end);
        self.tok(colon, ":");
        self.space();
        let v = next_code(text, colon + 1);
        if byte_at(text, v) == Some(b'"') {
            self.tok(v, &quote(&f.text, false));
        } else {
            self.tok(v, &f.text);
        }
    }

    /// `test "NAME" { ... }`: its data and `at` blocks in the order
    /// written, never on one line.
    fn test(&mut self, t: &Test) {
        let mut children: Vec<Child> = t.data.iter().map(Child::Data).collect();
        children.extend(t.checks.iter().map(Child::At));
        children.sort_by_key(|c| c.range().0);
        let head = |p: &mut Self| {
            p.tok(start(t.span), "test");
            p.space();
            p.tok(start(t.name.span), &quote(&t.name.value, false));
        };
        self.block(
            0,
            &head,
            (
                next_code(self.text, end(t.name.span)),
                end(t.span).saturating_sub(1),
            ),
            &children,
            &Child::range,
            &|p, c, indent| match c {
                Child::Data(d) => p.data_block(d, indent),
                Child::At(a) => p.at(a, indent),
            },
            false,
        );
    }

    /// `at DATE [to DATE] { EXPECTATION ... }`
    fn at(&mut self, a: &At, indent: usize) {
        let text = self.text;
        let open = next_code(text, end(a.span));
        let close = next_past_commas(text, a.expects.last().map_or(open + 1, |e| end(e.span)));
        let head = |p: &mut Self| {
            let s = start(a.span);
            p.tok(s, "at");
            p.space();
            let from = next_code(text, s + "at".len());
            let from_end = literal_end(text, from);
            p.tok(from, slice(text, from, from_end));
            let to = next_code(text, from_end);
            if to < end(a.span) {
                p.space();
                p.tok(to, "to");
                p.space();
                let date = next_code(text, to + "to".len());
                p.tok(date, slice(text, date, literal_end(text, date)));
            }
        };
        // A value expectation without a tolerance would take a following
        // `within met` for its tolerance: a comma keeps them apart.
        let expects: Vec<(&Expect, bool)> = a
            .expects
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let open_value = matches!(e.kind, ExpectKind::Value { within: None, .. });
                let within_next = a.expects.get(i + 1).is_some_and(
                    |n| matches!(&n.kind, ExpectKind::Status { rule, .. } if rule.name == "within"),
                );
                (e, open_value && within_next)
            })
            .collect();
        self.block(
            indent,
            &head,
            (open, close),
            &expects,
            &|(e, _)| (start(e.span), end(e.span)),
            &|p, &(e, comma), _| {
                p.expect(e);
                if comma {
                    let c = next_code(p.text, end(e.span));
                    if byte_at(p.text, c) == Some(b',') {
                        p.tok(c, ",");
                    } else {
                        p.out.write(",");
                    }
                }
            },
            true,
        );
    }

    /// `NAME STATUS`, `value EXPR OP EXPR [within N]`, `summary NAME ~ "TEXT"`.
    fn expect(&mut self, e: &Expect) {
        let text = self.text;
        match &e.kind {
            ExpectKind::Status {
                rule,
                labels,
                status,
            } => {
                let (name, after) = instance_token(text, rule, labels);
                self.tok(start(rule.span), &name);
                self.space();
                self.tok(next_code(text, after), status.as_str());
            }
            ExpectKind::Value {
                lhs,
                op,
                rhs,
                within,
            } => {
                self.tok(start(e.span), "value");
                self.space();
                self.expr(lhs);
                self.space();
                self.tok(next_code(text, end(lhs.span)), op.as_str());
                self.space();
                self.expr(rhs);
                if let Some((_, span)) = within {
                    self.space();
                    self.tok(start(*span), "within");
                    self.space();
                    let t = next_code(text, start(*span) + "within".len());
                    self.tok(t, slice(text, t, number_end(text, t)));
                }
            }
            ExpectKind::Summary {
                rule,
                labels,
                exact,
                text: s,
            } => {
                self.tok(start(e.span), "summary");
                self.space();
                let (name, after) = instance_token(text, rule, labels);
                self.tok(start(rule.span), &name);
                self.space();
                let op = if *exact { "==" } else { "~" };
                self.tok(next_code(text, after), op);
                self.space();
                self.tok(start(s.span), &quote(&s.value, false));
            }
        }
    }
}

/// An expectation's rule or instance as one token, `name{field="value"}`,
/// and where the source's text of it ends.
fn instance_token(
    text: &str,
    rule: &crate::lang::ast::Ident,
    labels: &[(crate::lang::ast::Ident, crate::lang::ast::StrLit)],
) -> (String, usize) {
    let mut name = rule.name.clone();
    let mut after = end(rule.span);
    if !labels.is_empty() {
        let inner: Vec<String> = labels
            .iter()
            .map(|(f, v)| format!("{}={}", f.name, quote(&v.value, false)))
            .collect();
        name.push_str(&format!("{{{}}}", inner.join(", ")));
        let last = &labels[labels.len() - 1].1;
        after = next_code(text, end(last.span)) + 1;
    }
    (name, after)
}
