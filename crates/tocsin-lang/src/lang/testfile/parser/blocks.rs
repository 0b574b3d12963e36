//! `test` blocks, their `at` blocks and the expectations inside.

use super::data::{data_block, date_lit};
use super::expected_here;
use crate::diag::{did_you_mean, Code};
use crate::lang::ast::{BinOp, Ident, StrLit};
use crate::lang::parser::error::{expect, fail_problem, In, PError, PResult};
use crate::lang::parser::expr::{add_expr, cmp_op};
use crate::lang::parser::items::cut;
use crate::lang::parser::lexical::{
    any_word, keyword, lex, numeric, span_between, string, symbol, ws, NumLit,
};
use crate::lang::program::Status;
use crate::lang::testfile::ast::{At, Expect, ExpectKind, Test};

/// The statuses an expectation may name, as written.
pub const STATUSES: [(&str, Status); 4] = [
    ("met", Status::Met),
    ("pending", Status::Pending),
    ("not_met", Status::NotMet),
    ("unknown", Status::Unknown),
];

/// The longest `at A to B` range, in days: long enough for any `for:`
/// window, short enough that a typo in a year does not run for minutes.
const MAX_RANGE_DAYS: i64 = 3660;

/// `test "NAME" { (data ... | at ...)* }`
pub fn test_block(i: In<'_>) -> PResult<'_, Test> {
    let (rest, _) = keyword("test")(i)?;
    let (rest, name) = cut(lex(expect("the test's name, a string", string)))(rest)?;
    let (mut rest, _) = cut(lex(symbol("{", "`{`")))(rest)?;
    let mut data = Vec::new();
    let mut checks = Vec::new();
    loop {
        let (next, _) = ws(rest)?;
        if let Ok((after, _)) = symbol("}", "}")(next) {
            let span = span_between(i, after);
            return Ok((
                after,
                Test {
                    name,
                    data,
                    checks,
                    span,
                },
            ));
        }
        if keyword("data")(next).is_ok() {
            let (after, block) = data_block(next)?;
            data.push(block);
            rest = after;
        } else if keyword("at")(next).is_ok() {
            let (after, at) = at_block(next)?;
            checks.push(at);
            rest = after;
        } else {
            return expected_here(next, &["`data`", "`at`", "`}`"]);
        }
    }
}

/// `at DATE [to DATE] { EXPECTATION* }`
fn at_block(i: In<'_>) -> PResult<'_, At> {
    let (rest, _) = keyword("at")(i)?;
    let (rest, from) = cut(lex(date_lit("a date such as 2025-07-20")))(rest)?;
    let (rest, to) = match lex(keyword("to"))(rest) {
        Ok((after, _)) => cut(lex(date_lit("the last date of the range")))(after)?,
        Err(_) => (rest, from),
    };
    let span = span_between(i, rest);
    let days = to.days_since(from);
    if !(0..=MAX_RANGE_DAYS).contains(&days) {
        let (message, note) = if days < 0 {
            (
                format!("the range ends ({to}) before it starts ({from})"),
                "write the earlier date first: `at 2025-07-01 to 2025-07-31`",
            )
        } else {
            (
                format!("the range covers {} days", days + 1),
                "a range checks every day; at most 3661 days (ten years) fit",
            )
        };
        return fail_problem(
            PError::problem(
                i.location_offset(),
                rest.location_offset() - i.location_offset(),
                Code::BadRun,
                message,
                "this range",
            )
            .note(note),
        );
    }
    let (mut rest, _) = cut(lex(symbol("{", "`{`")))(rest)?;
    let mut expects = Vec::new();
    loop {
        let (next, _) = ws(rest)?;
        if let Ok((after, _)) = symbol("}", "}")(next) {
            return Ok((
                after,
                At {
                    from,
                    to,
                    expects,
                    span,
                },
            ));
        }
        if let Ok((after, _)) = symbol(",", ",")(next) {
            rest = after;
            continue;
        }
        let (after, e) = expectation(next)?;
        expects.push(e);
        rest = after;
    }
}

/// One expectation: `NAME STATUS`, `value ...` or `summary ...`.
fn expectation(i: In<'_>) -> PResult<'_, Expect> {
    if let Ok((rest, _)) = keyword("summary")(i) {
        let (rest, kind) = summary_expectation(rest)?;
        return Ok((
            rest,
            Expect {
                kind,
                span: span_between(i, rest),
            },
        ));
    }
    if let Ok((rest, _)) = keyword("value")(i) {
        if !is_status_after(rest) {
            let (rest, kind) = value_expectation(rest)?;
            return Ok((
                rest,
                Expect {
                    kind,
                    span: span_between(i, rest),
                },
            ));
        }
    }
    let (rest, rule) = match any_word(i) {
        Ok(ok) => ok,
        Err(_) => {
            return expected_here(
                i,
                &[
                    "an expectation such as `NAME met`",
                    "`value`",
                    "`summary`",
                    "`}`",
                ],
            )
        }
    };
    let (rest, labels) = match lex(symbol("{", "`{`"))(rest) {
        Ok((after, _)) => cut(instance_labels)(after)?,
        Err(_) => (rest, Vec::new()),
    };
    let (rest, status) = cut(lex(status_word(&rule)))(rest)?;
    Ok((
        rest,
        Expect {
            kind: ExpectKind::Status {
                rule,
                labels,
                status,
            },
            span: span_between(i, rest),
        },
    ))
}

/// After `NAME{`: `field = "value", ...}`, an instance's labels.
fn instance_labels(i: In<'_>) -> PResult<'_, Vec<(Ident, StrLit)>> {
    let mut labels = Vec::new();
    let mut rest = i;
    loop {
        if let Ok((after, _)) = lex(symbol("}", "`}`"))(rest) {
            return Ok((after, labels));
        }
        if !labels.is_empty() {
            let (after, _) = lex(symbol(",", "`,` or `}`"))(rest)?;
            rest = after;
        }
        let (after, field) = lex(expect("a field name", any_word))(rest)?;
        let (after, _) = lex(symbol("=", "`=`"))(after)?;
        let (after, value) = lex(expect("a string", string))(after)?;
        labels.push((field, value));
        rest = after;
    }
}

/// True when a status word follows (`value met` expects the status of a
/// rule called `value`), rather than an expression.
fn is_status_after(i: In) -> bool {
    let Ok((rest, _)) = ws(i) else { return false };
    let Ok((after, word)) = any_word(rest) else {
        return false;
    };
    if !STATUSES.iter().any(|(s, _)| *s == word.name) {
        return false;
    }
    let Ok((after, _)) = ws(after) else {
        return false;
    };
    !matches!(
        after.fragment().as_bytes().first(),
        Some(b'(' | b'[' | b'.' | b'=' | b'!' | b'<' | b'>' | b'+' | b'-' | b'*' | b'/')
    )
}

/// A status word after the rule's name.
fn status_word<'a>(rule: &Ident) -> impl FnMut(In<'a>) -> PResult<'a, Status> + '_ {
    move |i: In<'a>| {
        let what = "a status: `met`, `pending`, `not_met` or `unknown`";
        let (rest, word) = expect(what, any_word)(i)?;
        if let Some((_, status)) = STATUSES.iter().find(|(s, _)| *s == word.name) {
            return Ok((rest, *status));
        }
        let mut e = PError::problem(
            i.location_offset(),
            word.name.len(),
            Code::UnknownStatus,
            format!("unknown status `{}`", word.name),
            "not a status",
        );
        let near = if word.name == "not" {
            Some("not_met")
        } else {
            did_you_mean(&word.name, STATUSES.iter().map(|(s, _)| *s))
        };
        e = match near {
            Some(near) => {
                if let Some(p) = e.problem.as_mut() {
                    p.message = format!("unknown status `{}`; did you mean `{near}`?", word.name);
                }
                e
            }
            // `value A == B and C`: the comparison ended at `and`.
            None if matches!(rule.name.as_str(), "and" | "or") => e.note(format!(
                "expectations are not joined with `{}`: write each on its own, as `value ...` and then another `value ...`",
                rule.name
            )),
            None => e.note(format!(
                "write the rule's name, then its status: `{} met`",
                rule.name
            )),
        };
        fail_problem(e.note("the statuses are met, pending, not_met and unknown"))
    }
}

/// After `value`: `EXPR OP EXPR [within TOLERANCE]`.
fn value_expectation(i: In<'_>) -> PResult<'_, ExpectKind> {
    let (rest, lhs) = cut(lex(expect("an expression", add_expr)))(i)?;
    let (after_ws, _) = ws(rest)?;
    let (rest, op) = match cmp_op(after_ws) {
        Ok(ok) => ok,
        Err(nom::Err::Error(_)) => {
            return expected_here(after_ws, &["a comparison such as `== 3`"])
        }
        Err(e) => return Err(e),
    };
    let (rest, rhs) = cut(lex(expect("an expression", add_expr)))(rest)?;
    let (rest, within) = match lex(keyword("within"))(rest) {
        Ok((after, kw)) => {
            let (after, tol) = cut(lex(tolerance))(after)?;
            if !matches!(op, BinOp::Eq | BinOp::Ne) {
                return fail_problem(
                    PError::problem(
                        kw.start as usize,
                        after.location_offset() - kw.start as usize,
                        Code::BadTolerance,
                        format!(
                            "a tolerance applies to `==` and `!=`, not to `{}`",
                            op.as_str()
                        ),
                        "a tolerance",
                    )
                    .note("remove `within ...`, or compare with `==`"),
                );
            }
            (after, Some((tol.0, kw.to(tol.1))))
        }
        Err(_) => (rest, None),
    };
    Ok((
        rest,
        ExpectKind::Value {
            lhs: Box::new(lhs),
            op,
            rhs: Box::new(rhs),
            within,
        },
    ))
}

/// A tolerance: a number or a percent (a ratio, like everywhere else).
fn tolerance(i: In<'_>) -> PResult<'_, (f64, crate::diag::Span)> {
    let (rest, lit) = expect("a tolerance such as 0.01 or 1%", numeric)(i)?;
    let span = span_between(i, rest);
    match lit {
        NumLit::Number(x) | NumLit::Percent(x) => Ok((rest, (x, span))),
        _ => fail_problem(
            PError::problem(
                i.location_offset(),
                rest.location_offset() - i.location_offset(),
                Code::BadTolerance,
                "a tolerance is a number or a percent",
                "not a number",
            )
            .note("write how far apart the two values may be, such as `within 0.5` or `within 1%`"),
        ),
    }
}

/// After `summary`: `NAME[{field="value", ...}] (~ | ==) "TEXT"`.
fn summary_expectation(i: In<'_>) -> PResult<'_, ExpectKind> {
    let (rest, rule) = cut(lex(expect("the name of an indicator or alert", any_word)))(i)?;
    let (rest, labels) = match lex(symbol("{", "`{`"))(rest) {
        Ok((after, _)) => cut(instance_labels)(after)?,
        Err(_) => (rest, Vec::new()),
    };
    let (rest, _) = ws(rest)?;
    let (rest, exact) = if let Ok((after, _)) = symbol("==", "`==`")(rest) {
        (after, true)
    } else if let Ok((after, _)) = symbol("~", "`~`")(rest) {
        (after, false)
    } else {
        return expected_here(rest, &["`~` (contains)", "`==`"]);
    };
    let (rest, text) = cut(lex(expect("a string", string)))(rest)?;
    Ok((
        rest,
        ExpectKind::Summary {
            rule,
            labels,
            exact,
            text,
        },
    ))
}
