//! `data` blocks: dated points, events with fields, and runs of values at
//! a regular step.

use super::expected_here;
use crate::diag::Code;
use crate::lang::parser::error::{expect, fail_expected, fail_problem, In, PError, PResult};
use crate::lang::parser::items::cut;
use crate::lang::parser::lexical::{
    any_word, ident, keyword, lex, numeric, span_between, string, symbol, ws, NumLit,
};
use crate::lang::testfile::ast::{DataBlock, DataField, Entry, Point, Run, RunValue};
use crate::time::{Date, Duration};
use nom::Input;

/// The most observations one run may lay out (27 years of days).
pub const MAX_RUN: u64 = 10_000;

/// A date literal; `what` names it in "expected ..." messages.
pub fn date_lit<'a>(what: &'static str) -> impl FnMut(In<'a>) -> PResult<'a, Date> {
    move |i: In<'a>| match expect(what, numeric)(i)? {
        (rest, NumLit::Date(d)) => Ok((rest, d)),
        _ => fail_expected(i, what),
    }
}

fn duration_lit(i: In<'_>) -> PResult<'_, Duration> {
    let what = "a duration such as 7d or 1mo";
    match expect(what, numeric)(i)? {
        (rest, NumLit::Duration(d)) => Ok((rest, d)),
        _ => fail_expected(i, what),
    }
}

fn digit_at(s: &str, k: usize) -> bool {
    s.as_bytes().get(k).is_some_and(u8::is_ascii_digit)
}

/// True where a date literal starts (`YYYY-`), which ends a run's values.
fn starts_date(s: &str) -> bool {
    (0..4).all(|k| digit_at(s, k)) && s.as_bytes().get(4) == Some(&b'-')
}

/// `data NAME { ENTRY* }`
pub fn data_block(i: In<'_>) -> PResult<'_, DataBlock> {
    let (rest, _) = keyword("data")(i)?;
    let (rest, name) = cut(lex(expect("the name of a series", ident)))(rest)?;
    let (mut rest, _) = cut(lex(symbol("{", "`{`")))(rest)?;
    let mut entries = Vec::new();
    loop {
        let (next, _) = ws(rest)?;
        if let Ok((after, _)) = symbol("}", "}")(next) {
            let span = span_between(i, after);
            return Ok((
                after,
                DataBlock {
                    name,
                    entries,
                    span,
                },
            ));
        }
        if let Ok((after, _)) = symbol(",", ",")(next) {
            rest = after;
            continue;
        }
        let (after, entry) = if keyword("every")(next).is_ok() {
            let (after, r) = run(next)?;
            (after, Entry::Run(r))
        } else if digit_at(next.fragment(), 0) {
            let (after, p) = point(next)?;
            (after, Entry::Point(p))
        } else {
            return expected_here(next, &["a date such as 2025-01-01", "`every`", "`}`"]);
        };
        entries.push(entry);
        rest = after;
    }
}

/// `DATE [: VALUE] [{ FIELDS }]`
fn point(i: In<'_>) -> PResult<'_, Point> {
    let (mut end, date) = cut(date_lit("a date such as 2025-01-01"))(i)?;
    let mut value = None;
    if let Ok((after, _)) = lex(symbol(":", ":"))(end) {
        let (after, v) = cut(lex(number))(after)?;
        value = Some(v);
        end = after;
    }
    let mut fields = Vec::new();
    if let Ok((after, _)) = lex(symbol("{", "{"))(end) {
        let (after, f) = field_list(after)?;
        fields = f;
        end = after;
    }
    Ok((
        end,
        Point {
            date,
            value,
            fields,
            span: span_between(i, end),
        },
    ))
}

/// `every STEP from DATE [{ FIELDS }]: VALUE ...`
fn run(i: In<'_>) -> PResult<'_, Run> {
    let (rest, _) = keyword("every")(i)?;
    let (after_ws, _) = ws(rest)?;
    let (rest, step) = cut(duration_lit)(after_ws)?;
    if step.is_zero() {
        return fail_problem(
            PError::problem(
                after_ws.location_offset(),
                rest.location_offset() - after_ws.location_offset(),
                Code::BadRun,
                "a run needs a step longer than zero",
                "zero step",
            )
            .note("write the time between two values, such as `every 1d` or `every 1mo`"),
        );
    }
    let (rest, _) = cut(lex(expect("`from`", keyword("from"))))(rest)?;
    let (rest, from) = cut(lex(date_lit("the date of the first value")))(rest)?;
    let (rest, fields) = match lex(symbol("{", "{"))(rest) {
        Ok((after, _)) => field_list(after)?,
        Err(_) => (rest, Vec::new()),
    };
    let (mut rest, _) = cut(lex(symbol(":", "`:`")))(rest)?;
    let mut values = Vec::new();
    loop {
        let (mut next, _) = ws(rest)?;
        // A comma between values, unless what follows is another entry.
        if let Ok((after, _)) = symbol(",", ",")(next) {
            let (after, _) = ws(after)?;
            if !starts_value(after.fragment()) {
                break;
            }
            next = after;
        }
        if !starts_value(next.fragment()) {
            break;
        }
        let (after, v) = run_value(next)?;
        values.push(v);
        rest = after;
    }
    if values.is_empty() {
        let (next, _) = ws(rest)?;
        return expected_here(next, &["values after `:`, such as `1 2 4 8`"]);
    }
    let r = Run {
        step,
        from,
        fields,
        values,
        span: span_between(i, rest),
    };
    check_run(&r)?;
    Ok((rest, r))
}

/// True where a run value starts: a number (not a date), `-` or `_`.
fn starts_value(s: &str) -> bool {
    let b = s.as_bytes();
    match b.first() {
        Some(b'-') => true,
        Some(b'_') => !b
            .get(1)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_'),
        Some(c) if c.is_ascii_digit() => !starts_date(s),
        _ => false,
    }
}

/// A run's dates must exist and stay few enough to lay out.
fn check_run(r: &Run) -> Result<(), nom::Err<PError>> {
    let steps = r.steps();
    let problem = |message: String, note: &str| {
        Err(nom::Err::Failure(
            PError::problem(
                r.span.start as usize,
                (r.span.end - r.span.start) as usize,
                Code::BadRun,
                message,
                "this run",
            )
            .note(note),
        ))
    };
    if steps > MAX_RUN {
        return problem(
            format!("this run lays out {steps} values"),
            &format!("a run holds at most {MAX_RUN} values; split it, or use a longer step"),
        );
    }
    if run_date(r, steps.saturating_sub(1)).is_none() {
        return problem(
            "this run goes past the last date tocsin knows (9999-12-31)".to_string(),
            "use fewer values or a shorter step",
        );
    }
    Ok(())
}

/// The date of the `k`-th step of a run, computed from its start.
pub fn run_date(r: &Run, k: u64) -> Option<Date> {
    let k = i64::try_from(k).ok()?;
    let offset = match r.step {
        Duration::Days(n) => Duration::Days(n.checked_mul(k)?),
        Duration::Months(n) => Duration::Months(n.checked_mul(k)?),
    };
    r.from.plus(offset)
}

/// `VALUE [x COUNT]` or `_ [x COUNT]`.
fn run_value(i: In<'_>) -> PResult<'_, RunValue> {
    let (rest, value) = if i.fragment().starts_with('_') {
        (i.take_from(1), None)
    } else {
        let (rest, v) = number(i)?;
        (rest, Some(v))
    };
    let (rest, count) = match repeat_mark(rest) {
        Some(after) => cut(lex(repeat_count))(after)?,
        None => (rest, 1),
    };
    Ok((
        rest,
        RunValue {
            value,
            count,
            span: span_between(i, rest),
        },
    ))
}

/// `x` before a repeat count, written `9 x 30` or `9x30`.
fn repeat_mark(i: In<'_>) -> Option<In<'_>> {
    let (i, _) = ws(i).ok()?;
    let s = i.fragment();
    let b = s.as_bytes();
    let lone_x = b.first() == Some(&b'x')
        && !b
            .get(1)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_');
    lone_x.then(|| i.take_from(1))
}

fn repeat_count(i: In<'_>) -> PResult<'_, u32> {
    let (rest, lit) = expect("a repeat count such as 30", numeric)(i)?;
    match lit {
        NumLit::Number(n) if n >= 1.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) => {
            Ok((rest, n as u32))
        }
        _ => fail_problem(
            PError::problem(
                i.location_offset(),
                rest.location_offset() - i.location_offset(),
                Code::BadRun,
                "a repeat count is a whole number from 1",
                "not a count",
            )
            .note("`9 x 30` is the value 9, thirty times"),
        ),
    }
}

/// A value: a number or a percent (the ratio), optionally negative. In
/// `9x30` only `9` is taken.
fn number(i: In<'_>) -> PResult<'_, f64> {
    let negative = i.fragment().starts_with('-');
    let j = if negative { i.take_from(1) } else { i };
    let s = *j.fragment();
    if !digit_at(s, 0) {
        return fail_expected(i, "a number");
    }
    let b = s.as_bytes();
    let mut len = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if b.get(len) == Some(&b'.') && digit_at(s, len + 1) {
        len += 1 + b[len + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
    }
    let repeat_follows = b.get(len) == Some(&b'x') && digit_at(s, len + 1);
    let (rest, lit) = if repeat_follows {
        let (_, lit) = numeric(j.take(len))?;
        (j.take_from(len), lit)
    } else {
        numeric(j)?
    };
    let value = match lit {
        NumLit::Number(x) | NumLit::Percent(x) => x,
        NumLit::Date(_) | NumLit::Duration(_) => {
            return fail_problem(
                PError::problem(
                    j.location_offset(),
                    rest.location_offset() - j.location_offset(),
                    Code::Syntax,
                    "expected a number",
                    "not a number",
                )
                .note("values are numbers such as 3, 2.5 or 40%"),
            )
        }
    };
    Ok((rest, if negative { -value } else { value }))
}

/// After `{`: `NAME: VALUE, ...}` where NAME is a word or a string and VALUE
/// a string or a number.
fn field_list(mut i: In<'_>) -> PResult<'_, Vec<DataField>> {
    let mut fields = Vec::new();
    loop {
        let (next, _) = ws(i)?;
        if let Ok((after, _)) = symbol("}", "}")(next) {
            return Ok((after, fields));
        }
        let (after, name) = if let Ok((after, s)) = string(next) {
            (after, s.value)
        } else {
            match any_word(next) {
                Ok((after, w)) => (after, w.name),
                Err(_) => return expected_here(next, &["a field name", "`}`"]),
            }
        };
        let (after, _) = cut(lex(symbol(":", "`:`")))(after)?;
        let (value_start, _) = ws(after)?;
        let (after, text) = if value_start.fragment().starts_with('"') {
            let (after, s) = cut(string)(value_start)?;
            (after, s.value)
        } else {
            let (after, _) = cut(expect("a string or a number", number))(value_start)?;
            let len = after.location_offset() - value_start.location_offset();
            (after, value_start.fragment()[..len].to_string())
        };
        fields.push(DataField {
            name,
            text,
            span: span_between(next, after),
        });
        let (after, _) = ws(after)?;
        i = match symbol(",", ",")(after) {
            Ok((after, _)) => after,
            Err(_) if symbol("}", "}")(after).is_ok() => after,
            Err(_) => return expected_here(after, &["`,`", "`}`"]),
        };
    }
}
