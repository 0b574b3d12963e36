//! Expressions, by precedence from loosest to tightest:
//! `or` < `and` < `not` < comparison < `+ -` < `* /` < unary `-` < primary.

use super::error::{expect, fail_expected, fail_problem, In, PError, PResult};
use super::lexical::{
    any_word, blank_len, ident, is_reserved, keyword, lex, numeric, span_between, string, symbol,
    word_len, ws, NumLit,
};
use crate::diag::{did_you_mean, Code, Span};
use crate::lang::ast::*;
use crate::lang::bucket::{Agg, Period};
use nom::Input;

/// How deep calendar buckets may nest (`monthly(daily(s, last), sum)` is
/// two): more has no use, and a bound keeps the parser's recursion small.
pub const MAX_BUCKET_NESTING: usize = 5;

/// An expression.
pub fn expr(i: In<'_>) -> PResult<'_, Expr> {
    let (rest, (e, _)) = expr_h(i)?;
    Ok((rest, e))
}

/// An expression with its height.
fn expr_h(i: In<'_>) -> PResult<'_, (Expr, u32)> {
    nested(i, or_expr)
}

/// How deeply expressions may nest (parentheses, calls, `not`, unary `-`):
/// far beyond any real rule, and far below what would exhaust the stack.
/// The parser recurses once per level, at about 27 KiB of stack a level in
/// a debug build: 50 levels stay well inside a 2 MiB thread stack.
pub const MAX_DEPTH: u32 = 50;

/// How tall an expression's tree may be, counting every operator, call,
/// bracket and `not` from the outermost to the innermost: a chain
/// `a + b + c` is two levels. The parser reads a chain without recursion,
/// but checking, evaluating, explaining and formatting walk the tree
/// recursively (at about 3 KiB a level in a debug build): 256 levels stay
/// well inside a 2 MiB thread stack, and far beyond any real rule.
pub const MAX_HEIGHT: u32 = 256;

/// The height of a node over children of height `below`, failing cleanly
/// past [`MAX_HEIGHT`]; `at` is where the offending operator is written.
fn taller(below: u32, at: usize, len: usize) -> Result<u32, nom::Err<PError>> {
    let h = below + 1;
    if h > MAX_HEIGHT {
        return Err(nom::Err::Failure(
            PError::problem(
                at,
                len.max(1),
                Code::ExprTooDeep,
                format!("expression more than {MAX_HEIGHT} levels deep"),
                format!("level {h}"),
            )
            .note(format!(
                "each operator, call, bracket and `not` is a level, and a chain `a + b + c` of N terms is N - 1 levels; the limit is {MAX_HEIGHT}"
            ))
            .note("split the expression with `let` items: `let part1 = a + b + c`, `let part2 = d + e + f`, then `part1 + part2`"),
        ));
    }
    Ok(h)
}

thread_local! {
    static DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Runs `p` one level deeper, failing cleanly past [`MAX_DEPTH`].
fn nested<'a, T>(i: In<'a>, p: impl FnOnce(In<'a>) -> PResult<'a, T>) -> PResult<'a, T> {
    let depth = DEPTH.with(|d| {
        d.set(d.get() + 1);
        d.get()
    });
    let result = if depth > MAX_DEPTH {
        fail_problem(
            PError::problem(
                i.location_offset(),
                1,
                Code::Syntax,
                format!("expression nested more than {MAX_DEPTH} levels deep"),
                "too deep",
            )
            .note("split the expression with `let` items"),
        )
    } else {
        p(i)
    };
    DEPTH.with(|d| d.set(d.get() - 1));
    result
}

/// `lhs op rhs`, with its height; `at` is where `op` is written (checked
/// before the operands are joined, so that a tree too tall is never built).
fn binary(
    op: BinOp,
    (lhs, lh): (Expr, u32),
    (rhs, rh): (Expr, u32),
    at: In<'_>,
) -> Result<(Expr, u32), nom::Err<PError>> {
    let h = taller(lh.max(rh), at.location_offset(), op.as_str().len())?;
    let span = lhs.span.to(rhs.span);
    Ok((
        Expr {
            kind: ExprKind::Binary {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            span,
        },
        h,
    ))
}

fn or_expr(i: In<'_>) -> PResult<'_, (Expr, u32)> {
    let (mut i, mut lhs) = and_expr(i)?;
    while let Ok((rest, _)) = lex(keyword("or"))(i) {
        let (at, _) = ws(i)?;
        let (rest, rhs) = lex(operand(and_expr))(rest)?;
        lhs = binary(BinOp::Or, lhs, rhs, at)?;
        i = rest;
    }
    Ok((i, lhs))
}

fn and_expr(i: In<'_>) -> PResult<'_, (Expr, u32)> {
    let (mut i, mut lhs) = not_expr(i)?;
    while let Ok((rest, _)) = lex(keyword("and"))(i) {
        let (at, _) = ws(i)?;
        let (rest, rhs) = lex(operand(not_expr))(rest)?;
        lhs = binary(BinOp::And, lhs, rhs, at)?;
        i = rest;
    }
    Ok((i, lhs))
}

fn not_expr(i: In<'_>) -> PResult<'_, (Expr, u32)> {
    if let Ok((rest, kw)) = keyword("not")(i) {
        let (rest, (inner, h)) = nested(rest, |r| lex(operand(not_expr))(r))?;
        let h = taller(h, kw.start as usize, 3)?;
        let span = kw.to(inner.span);
        return Ok((
            rest,
            (
                Expr {
                    kind: ExprKind::Unary {
                        op: UnOp::Not,
                        expr: Box::new(inner),
                    },
                    span,
                },
                h,
            ),
        ));
    }
    cmp_expr(i)
}

pub(crate) fn cmp_op(i: In<'_>) -> PResult<'_, BinOp> {
    let s = i.fragment();
    let (op, n) = if s.starts_with("==") {
        (BinOp::Eq, 2)
    } else if s.starts_with("!=") {
        (BinOp::Ne, 2)
    } else if s.starts_with("<=") {
        (BinOp::Le, 2)
    } else if s.starts_with(">=") {
        (BinOp::Ge, 2)
    } else if s.starts_with('<') {
        (BinOp::Lt, 1)
    } else if s.starts_with('>') {
        (BinOp::Gt, 1)
    } else if s.starts_with('=') {
        return fail_problem(
            PError::problem(
                i.location_offset(),
                1,
                Code::Syntax,
                "`=` is not a comparison",
                "write `==`",
            )
            .note("to compare for equality, write `==`"),
        );
    } else {
        return fail_expected(i, "a comparison");
    };
    Ok((i.take_from(n), op))
}

fn cmp_expr(i: In<'_>) -> PResult<'_, (Expr, u32)> {
    let (i, lhs) = add_h(i)?;
    let (rest, op) = match lex(cmp_op)(i) {
        Ok(ok) => ok,
        Err(nom::Err::Failure(e)) => return Err(nom::Err::Failure(e)),
        Err(_) => return Ok((i, lhs)),
    };
    let (at, _) = ws(i)?;
    let (rest, rhs) = lex(operand(add_h))(rest)?;
    let whole = binary(op, lhs, rhs, at)?;
    if let Ok((after, op2)) = lex(cmp_op)(rest) {
        let span = match lex(operand(add_h))(after) {
            Ok((_, (third, _))) => whole.0.span.to(third.span),
            Err(_) => whole.0.span,
        };
        return fail_problem(
            PError::problem(
                span.start as usize,
                (span.end - span.start) as usize,
                Code::ChainedComparison,
                "comparisons cannot be chained",
                format!("a second `{}` follows a comparison", op2.as_str()),
            )
            .note("write two comparisons joined by `and`, for example `a < b and b < c`"),
        );
    }
    Ok((rest, whole))
}

/// Sums and differences (and what binds tighter): the operands of a
/// comparison.
pub(crate) fn add_expr(i: In<'_>) -> PResult<'_, Expr> {
    let (rest, (e, _)) = add_h(i)?;
    Ok((rest, e))
}

fn add_h(i: In<'_>) -> PResult<'_, (Expr, u32)> {
    let (mut i, mut lhs) = mul_expr(i)?;
    loop {
        let (at, _) = ws(i)?;
        let op = match at.fragment().as_bytes().first() {
            Some(b'+') => BinOp::Add,
            Some(b'-') => BinOp::Sub,
            _ => return Ok((i, lhs)),
        };
        let (rest, rhs) = lex(operand(mul_expr))(at.take_from(1))?;
        lhs = binary(op, lhs, rhs, at)?;
        i = rest;
    }
}

fn mul_expr(i: In<'_>) -> PResult<'_, (Expr, u32)> {
    let (mut i, mut lhs) = unary(i)?;
    loop {
        let (at, _) = ws(i)?;
        let op = match at.fragment().as_bytes().first() {
            Some(b'*') => BinOp::Mul,
            Some(b'/') => BinOp::Div,
            _ => return Ok((i, lhs)),
        };
        let (rest, rhs) = lex(operand(unary))(at.take_from(1))?;
        lhs = binary(op, lhs, rhs, at)?;
        i = rest;
    }
}

fn unary(i: In<'_>) -> PResult<'_, (Expr, u32)> {
    if let Ok((rest, minus)) = symbol("-", "-")(i) {
        let (rest, (inner, h)) = nested(rest, |r| lex(operand(unary))(r))?;
        let h = taller(h, minus.start as usize, 1)?;
        let span = minus.to(inner.span);
        return Ok((
            rest,
            (
                Expr {
                    kind: ExprKind::Unary {
                        op: UnOp::Neg,
                        expr: Box::new(inner),
                    },
                    span,
                },
                h,
            ),
        ));
    }
    primary(i)
}

/// After an operator an operand must follow: failing there is final.
fn operand<'a, T>(p: fn(In<'a>) -> PResult<'a, T>) -> impl FnMut(In<'a>) -> PResult<'a, T> {
    move |i| match expect("an expression", p)(i) {
        Err(nom::Err::Error(e)) => Err(nom::Err::Failure(e)),
        other => other,
    }
}

fn literal_word(i: In) -> Option<(In, ExprKind, Span)> {
    // The whole word, matched once, rather than each keyword tried in turn.
    let n = word_len(i.fragment());
    let kind = match &i.fragment()[..n] {
        "true" => ExprKind::Bool(true),
        "false" => ExprKind::Bool(false),
        "none" => ExprKind::None,
        "now" => ExprKind::Now,
        _ => return None,
    };
    let rest = i.take_from(n);
    Some((rest, kind, span_between(i, rest)))
}

fn primary(i: In<'_>) -> PResult<'_, (Expr, u32)> {
    let first = i.fragment().as_bytes().first().copied();
    match first {
        Some(b'0'..=b'9') => {
            let (rest, lit) = numeric(i)?;
            let kind = match lit {
                NumLit::Number(n) => ExprKind::Number(n),
                NumLit::Percent(p) => ExprKind::Percent(p),
                NumLit::Duration(d) => ExprKind::Duration(d),
                NumLit::Date(d) => ExprKind::Date(d),
            };
            Ok((
                rest,
                (
                    Expr {
                        kind,
                        span: span_between(i, rest),
                    },
                    0,
                ),
            ))
        }
        Some(b'"') => {
            let (rest, s) = string(i)?;
            Ok((
                rest,
                (
                    Expr {
                        kind: ExprKind::Str(s.value),
                        span: s.span,
                    },
                    0,
                ),
            ))
        }
        Some(b'(') => {
            let (rest, (inner, h)) = lex(operand(expr_h))(i.take_from(1))?;
            let (rest, _) = lex(closing(")", "`)`"))(rest)?;
            let h = taller(h, i.location_offset(), 1)?;
            Ok((
                rest,
                (
                    Expr {
                        kind: ExprKind::Paren(Box::new(inner)),
                        span: span_between(i, rest),
                    },
                    h,
                ),
            ))
        }
        _ => {
            if let Some((rest, kind, span)) = literal_word(i) {
                return Ok((rest, (Expr { kind, span }, 0)));
            }
            let (rest, name) = match ident(i) {
                Ok(ok) => ok,
                Err(nom::Err::Error(e)) if e.problem.is_some() => {
                    // A reserved word where an expression should be: say
                    // what was expected rather than what the word is.
                    return fail_expected(i, "an expression");
                }
                Err(e) => return Err(e),
            };
            let (after_ws, _) = ws(rest)?;
            match after_ws.fragment().as_bytes().first() {
                Some(b'(') if Period::parse(&name.name).is_some() => {
                    let (rest, s) = bucket(i, &name, after_ws.take_from(1), 0)?;
                    Ok((
                        rest,
                        (
                            Expr {
                                span: s.span,
                                kind: ExprKind::Series(Box::new(s)),
                            },
                            0,
                        ),
                    ))
                }
                Some(b'(') => call(i, name, after_ws.take_from(1)),
                Some(b'[') | Some(b'.') => {
                    let (rest, s) = series_tail(i, name, rest)?;
                    Ok((
                        rest,
                        (
                            Expr {
                                span: s.span,
                                kind: ExprKind::Series(Box::new(s)),
                            },
                            0,
                        ),
                    ))
                }
                _ => Ok((
                    rest,
                    (
                        Expr {
                            span: name.span,
                            kind: ExprKind::Name(name),
                        },
                        0,
                    ),
                )),
            }
        }
    }
}

/// A closing bracket; failing here is final, because the opening one
/// committed the parser.
fn closing<'a>(sym: &'static str, label: &'static str) -> impl FnMut(In<'a>) -> PResult<'a, Span> {
    move |i| match symbol(sym, label)(i) {
        Err(nom::Err::Error(e)) => Err(nom::Err::Failure(e)),
        other => other,
    }
}

fn call<'a>(start: In<'a>, func: Ident, mut i: In<'a>) -> PResult<'a, (Expr, u32)> {
    // Most functions take one or two arguments; a first push would make
    // room for four.
    let mut args = Vec::with_capacity(2);
    let mut below = 0;
    loop {
        let (rest, _) = ws(i)?;
        if let Ok((rest, _)) = symbol(")", ")")(rest) {
            // Room not used goes back (in place) to the allocations that
            // follow.
            args.shrink_to_fit();
            let h = taller(below, start.location_offset(), func.name.len())?;
            return Ok((
                rest,
                (
                    Expr {
                        kind: ExprKind::Call { func, args },
                        span: span_between(start, rest),
                    },
                    h,
                ),
            ));
        }
        // `name:` starts a named argument; the name is only taken (and
        // copied) once the colon is seen.
        let named = word_then_colon(rest)
            .then(|| any_word(rest).ok())
            .flatten()
            .and_then(|(after, name)| {
                let (after, _) = ws(after).ok()?;
                let (after, _) = symbol(":", ":")(after).ok()?;
                Some((after, name))
            });
        let (rest, arg) = match named {
            Some((after, name)) => {
                let (after, (value, h)) = lex(operand(expr_h))(after)?;
                below = below.max(h);
                (
                    after,
                    Arg {
                        name: Some(name),
                        value,
                    },
                )
            }
            None => match reserved_word_alone(rest) {
                Some((after, name)) => (
                    after,
                    Arg {
                        name: None,
                        value: Expr {
                            span: name.span,
                            kind: ExprKind::Name(name),
                        },
                    },
                ),
                None => {
                    let (after, (value, h)) = operand(expr_h)(rest)?;
                    below = below.max(h);
                    (after, Arg { name: None, value })
                }
            },
        };
        args.push(arg);
        let (rest, _) = ws(rest)?;
        i = match symbol(",", ",")(rest) {
            Ok((rest, _)) => rest,
            Err(_) => match symbol(")", ")")(rest) {
                Ok(_) => rest,
                Err(_) => {
                    return Err(nom::Err::Failure(PError::expected_any(
                        rest,
                        &["`,`", "`)`"],
                    )))
                }
            },
        };
    }
}

/// A reserved word that is a whole argument (`field(s, source)`): a field
/// may be named by any word, as in filters. The checker refuses it where
/// no field is expected. `true`, `false`, `none` and `now` are left to be
/// read as the literals they are.
fn reserved_word_alone(i: In<'_>) -> Option<(In<'_>, Ident)> {
    // Every argument passes here: the word is looked at in place, and
    // copied only when it is a reserved one.
    let text = i.fragment();
    let word = &text[..word_len(text)];
    if word.is_empty() || !is_reserved(word) || literal_word(i).is_some() {
        return None;
    }
    let (rest, word) = any_word(i).ok()?;
    let (after, _) = ws(rest).ok()?;
    matches!(after.fragment().as_bytes().first(), Some(b',' | b')')).then_some((rest, word))
}

/// True when the input starts with a word followed, after blanks, by `:`.
fn word_then_colon(i: In<'_>) -> bool {
    let s = i.fragment();
    let n = word_len(s);
    n > 0 && s[n + blank_len(&s[n..])..].starts_with(':')
}

/// A series expression: a name with an optional filter and projection,
/// or a calendar bucket of one.
pub fn series_expr(i: In<'_>) -> PResult<'_, SeriesExpr> {
    series_expr_at(i, 0)
}

fn series_expr_at(i: In<'_>, depth: usize) -> PResult<'_, SeriesExpr> {
    let (rest, name) = expect("a series name", ident)(i)?;
    if Period::parse(&name.name).is_some() {
        let (after_ws, _) = ws(rest)?;
        if let Ok((after, _)) = symbol("(", "(")(after_ws) {
            return bucket(i, &name, after, depth);
        }
    }
    series_tail(i, name, rest)
}

/// `PERIOD(SERIES, AGG)`, from after the `(`: the series inside,
/// bucketed. Committed: the period's name and `(` say what this is.
fn bucket<'a>(start: In<'a>, period: &Ident, i: In<'a>, depth: usize) -> PResult<'a, SeriesExpr> {
    let Some(p) = Period::parse(&period.name) else {
        return fail_expected(start, "a calendar period");
    };
    if depth >= MAX_BUCKET_NESTING {
        return fail_problem(
            PError::problem(
                start.location_offset(),
                period.name.len(),
                Code::BadBucket,
                format!("calendar buckets nest at most {MAX_BUCKET_NESTING} deep"),
                "one bucket too many",
            )
            .note("bucket a series once per period: `monthly(daily(s, last), sum)`"),
        );
    }
    let (rest, mut inner) = match lex(|i| series_expr_at(i, depth + 1))(i) {
        Err(nom::Err::Error(e)) => return Err(nom::Err::Failure(e)),
        other => other?,
    };
    let (rest, _) = lex(closing(",", "`,` and an aggregate such as `sum`"))(rest)?;
    let (rest, _) = ws(rest)?;
    let (after, word) = match any_word(rest) {
        Ok(ok) => ok,
        Err(_) => {
            return fail_expected(
                rest,
                "an aggregate: sum, count, avg, min, max, first or last",
            )
        }
    };
    let Some(agg) = Agg::parse(&word.name) else {
        let mut e = PError::problem(
            rest.location_offset(),
            word.name.len(),
            Code::BadBucket,
            format!("unknown aggregate `{}`", word.name),
            "not an aggregate",
        );
        if let Some(near) = did_you_mean(&word.name, Agg::ALL.iter().map(|a| a.as_str())) {
            e = e.note(format!("did you mean `{near}`?"));
        }
        return fail_problem(
            e.note("a bucket's value is one of: sum, count, avg, min, max, first, last"),
        );
    };
    let (rest, _) = lex(closing(")", "`)`"))(after)?;
    let span = span_between(start, rest);
    inner.buckets.push(Bucket {
        period: p,
        agg,
        span,
    });
    inner.span = span;
    let (after_ws, _) = ws(rest)?;
    if let Some(c @ (b'[' | b'.')) = after_ws.fragment().as_bytes().first().copied() {
        let what = if c == b'[' { "filter" } else { "projection" };
        return fail_problem(
            PError::problem(
                after_ws.location_offset(),
                1,
                Code::BadBucket,
                format!("a {what} goes inside the bucket, on the series being bucketed"),
                format!("a {what} of a bucketed series"),
            )
            .note(format!(
                "bucket observations carry no fields: write `{}(s[...], {})` or `{}(s.field, {})`",
                p.as_str(),
                agg.as_str(),
                p.as_str(),
                agg.as_str()
            )),
        );
    }
    Ok((rest, inner))
}

fn series_tail<'a>(start: In<'a>, base: Ident, i: In<'a>) -> PResult<'a, SeriesExpr> {
    let (after_ws, _) = ws(i)?;
    let (i, filter) = match symbol("[", "[")(after_ws) {
        Ok((rest, _)) => {
            let (rest, preds) = predicates(rest)?;
            (rest, Some(preds))
        }
        Err(_) => (i, None),
    };
    let (after_ws, _) = ws(i)?;
    let (i, projection) = match symbol(".", ".")(after_ws) {
        Ok((rest, _)) => {
            let (rest, field) = lex(field_ref)(rest).map_err(|e| match e {
                nom::Err::Error(e) => nom::Err::Failure(e),
                e => e,
            })?;
            (rest, Some(field))
        }
        Err(_) => (i, None),
    };
    Ok((
        i,
        SeriesExpr {
            base,
            filter,
            projection,
            buckets: Vec::new(),
            span: span_between(start, i),
        },
    ))
}

/// A field name as filters write it: a bare word or a string.
pub(super) fn field_ref(i: In<'_>) -> PResult<'_, FieldRef> {
    if let Ok((rest, s)) = string(i) {
        return Ok((
            rest,
            FieldRef {
                name: s.value,
                quoted: true,
                span: s.span,
            },
        ));
    }
    let (rest, w) = expect("a field name", any_word)(i)?;
    Ok((
        rest,
        FieldRef {
            name: w.name,
            quoted: false,
            span: w.span,
        },
    ))
}

fn predicates(mut i: In<'_>) -> PResult<'_, Vec<Predicate>> {
    let mut preds = Vec::new();
    loop {
        let (rest, _) = ws(i)?;
        if let Ok((rest, _)) = symbol("]", "]")(rest) {
            if preds.is_empty() {
                return fail_problem(
                    PError::problem(rest.location_offset() - 1, 1, Code::Syntax, "an empty filter", "expected a predicate")
                        .note("a filter holds predicates such as `actor ~ \"houthi\"`; remove the brackets to take every observation"),
                );
            }
            preds.shrink_to_fit();
            return Ok((rest, preds));
        }
        let (rest, pred) = match predicate(rest) {
            Err(nom::Err::Error(e)) => return Err(nom::Err::Failure(e)),
            other => other?,
        };
        preds.push(pred);
        let (rest, _) = ws(rest)?;
        i = match symbol(",", ",")(rest) {
            Ok((rest, _)) => rest,
            Err(_) => match symbol("]", "]")(rest) {
                Ok(_) => rest,
                Err(_) => {
                    return Err(nom::Err::Failure(PError::expected_any(
                        rest,
                        &["`,`", "`]`"],
                    )))
                }
            },
        };
    }
}

fn signed_number(i: In<'_>) -> PResult<'_, f64> {
    let (rest, neg) = match symbol("-", "-")(i) {
        Ok((rest, _)) => (rest, -1.0),
        Err(_) => (i, 1.0),
    };
    let (rest, lit) = expect("a number", numeric)(rest)?;
    match lit {
        NumLit::Number(n) | NumLit::Percent(n) => Ok((rest, neg * n)),
        _ => fail_expected(i, "a number"),
    }
}

/// `fatalities >= "1"`: an ordering comparison reads the field as a
/// number, so a quoted operand is a mistake whatever it holds.
fn quoted_number(field: &FieldRef, op: BinOp, lit: &StrLit) -> PError {
    let span = lit.span;
    let e = PError::problem(
        span.start as usize,
        (span.end - span.start) as usize,
        Code::TypeMismatch,
        format!(
            "`{}` compares numbers, found the string {:?}",
            op.as_str(),
            lit.value
        ),
        "a string",
    );
    let number = lit.value.trim();
    if number.parse::<f64>().is_ok_and(f64::is_finite) {
        e.note(format!(
            "`<`, `<=`, `>` and `>=` read the field as a number: drop the quotes, `{} {} {number}`",
            field.name,
            op.as_str()
        ))
    } else {
        e.note(format!(
            "`<`, `<=`, `>` and `>=` read the field as a number; to match text, use `==`, `!=`, `~` or `in`, as in `{} == {:?}`",
            field.name, lit.value
        ))
    }
}

fn predicate(i: In<'_>) -> PResult<'_, Predicate> {
    let (rest, field) = expect("a field name", field_ref)(i)?;
    let (rest, _) = ws(rest)?;
    let s = rest.fragment();
    let mut values = Vec::new();
    let (rest, test) = if s.starts_with('~') {
        let (r, lit) = lex(expect("a string", string))(rest.take_from(1))?;
        (r, FieldTest::Contains(lit.value))
    } else if keyword("in")(rest).is_ok() {
        let (r, _) = lex(expect("`[`", symbol("[", "`[`")))(rest.take_from(2))?;
        let mut items = Vec::new();
        let mut r = r;
        loop {
            let (after, _) = ws(r)?;
            if let Ok((after, _)) = symbol("]", "]")(after) {
                r = after;
                break;
            }
            let (after, lit) = expect("a string", string)(after)?;
            values.push(lit.span);
            items.push(lit.value);
            let (after, _) = ws(after)?;
            // Strings are separated by commas; a trailing comma is allowed.
            r = match symbol(",", ",")(after) {
                Ok((after, _)) => after,
                Err(_) if symbol("]", "]")(after).is_ok() => after,
                Err(_) => {
                    return Err(nom::Err::Failure(PError::expected_any(
                        after,
                        &["`,`", "`]`"],
                    )))
                }
            };
        }
        (r, FieldTest::In(items))
    } else {
        let (r, op) = expect("`==`, `!=`, `~`, `in`, `<`, `<=`, `>` or `>=`", cmp_op)(rest)?;
        let (r, _) = ws(r)?;
        let text = matches!(op, BinOp::Eq | BinOp::Ne)
            .then(|| string(r).ok())
            .flatten();
        match text {
            Some((r, lit)) => (
                r,
                if op == BinOp::Eq {
                    values.push(lit.span);
                    FieldTest::TextEq(lit.value)
                } else {
                    FieldTest::TextNe(lit.value)
                },
            ),
            None => {
                if let Ok((_, lit)) = string(r) {
                    return fail_problem(quoted_number(&field, op, &lit));
                }
                let (r, n) = expect("a number or a string", signed_number)(r)?;
                let cmp = match op {
                    BinOp::Eq => NumCmp::Eq,
                    BinOp::Ne => NumCmp::Ne,
                    BinOp::Lt => NumCmp::Lt,
                    BinOp::Le => NumCmp::Le,
                    BinOp::Gt => NumCmp::Gt,
                    _ => NumCmp::Ge,
                };
                (r, FieldTest::Num(cmp, n))
            }
        }
    };
    Ok((
        rest,
        Predicate {
            span: field.span.to(span_between(i, rest)),
            field,
            test,
            values,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileId;

    fn parse(s: &str) -> Expr {
        let (rest, e) = expr(In::new_extra(s, FileId(0))).unwrap();
        assert_eq!(rest.fragment().trim(), "", "unparsed rest");
        e
    }

    fn show(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Number(n) => n.to_string(),
            ExprKind::Name(n) => n.name.clone(),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Binary { op, lhs, rhs } => {
                format!("({} {} {})", show(lhs), op.as_str(), show(rhs))
            }
            ExprKind::Unary {
                op: UnOp::Neg,
                expr,
            } => format!("(-{})", show(expr)),
            ExprKind::Unary {
                op: UnOp::Not,
                expr,
            } => format!("(not {})", show(expr)),
            ExprKind::Paren(inner) => show(inner),
            ExprKind::Call { func, args } => {
                format!(
                    "{}({})",
                    func.name,
                    args.iter()
                        .map(|a| show(&a.value))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn precedence_follows_the_spec() {
        assert_eq!(show(&parse("a or b and c")), "(a or (b and c))");
        assert_eq!(show(&parse("not a > 1 and b")), "((not (a > 1)) and b)");
        assert_eq!(
            show(&parse("1 + 2 * 3 > -x - 1")),
            "((1 + (2 * 3)) > ((-x) - 1))"
        );
        assert_eq!(show(&parse("a - b - c")), "((a - b) - c)");
        assert_eq!(show(&parse("(a or b) and c")), "((a or b) and c)");
    }

    #[test]
    fn calls_filters_and_projections() {
        let e = parse(
            r#"resumed(strikes[actor ~ "houthi", fatalities >= 1], quiet: 6mo, within: 30d)"#,
        );
        let ExprKind::Call { args, .. } = &e.kind else {
            panic!()
        };
        assert_eq!(args.len(), 3);
        assert_eq!(args[1].name.as_ref().unwrap().name, "quiet");
        let ExprKind::Series(s) = &args[0].value.kind else {
            panic!()
        };
        assert_eq!(s.filter.as_ref().unwrap().len(), 2);
        let e = parse(r#"latest(pla["與那國" == "1", series in ["a", "b"]]."fatal count")"#);
        let ExprKind::Call { args, .. } = &e.kind else {
            panic!()
        };
        let ExprKind::Series(s) = &args[0].value.kind else {
            panic!()
        };
        assert_eq!(s.projection.as_ref().unwrap().name, "fatal count");
        assert_eq!(
            s.filter.as_ref().unwrap()[1].test,
            FieldTest::In(vec!["a".into(), "b".into()])
        );
    }

    fn too_deep(s: &str) -> Option<usize> {
        match expr(In::new_extra(s, FileId(0))) {
            Err(nom::Err::Failure(e)) if e.problem.as_ref().unwrap().code == Code::ExprTooDeep => {
                Some(e.offset)
            }
            Ok(_) => None,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_operator_is_a_level() {
        // 257 terms: 256 `+`, at the limit; one more passes it, at its `+`.
        assert_eq!(too_deep(&vec!["1"; 257].join(" + ")), None);
        let s = vec!["1"; 258].join(" + ");
        assert_eq!(too_deep(&s), Some(s.rfind('+').unwrap()));
        // Brackets, calls and `not` count, around a chain as within it.
        let chain = vec!["x"; 256].join(" * ");
        assert_eq!(too_deep(&format!("({chain})")), None);
        assert!(too_deep(&format!("(({chain}))")).is_some());
        assert!(too_deep(&format!("f(1, g({chain}))")).is_some());
        assert!(too_deep(&format!("not not {chain} > 1")).is_some());
        let and = vec!["a"; 300].join(" and ");
        assert_eq!(
            too_deep(&and),
            Some(and.match_indices("and").nth(256).unwrap().0)
        );
    }

    #[test]
    fn chained_comparison_is_an_error() {
        let r = expr(In::new_extra("a < b < c", FileId(0)));
        let Err(nom::Err::Failure(e)) = r else {
            panic!("{r:?}")
        };
        assert_eq!(e.problem.unwrap().code, Code::ChainedComparison);
    }
}
