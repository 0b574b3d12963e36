//! Items (`series`, `let`, `indicator`, `alert`, `feed`), their fields, and
//! summary templates.

use super::error::{expect, fail_problem, In, PError, PResult};
use super::expr::{expr, field_ref, series_expr};
use super::lexical::{
    any_word, ident, keyword, lex, numeric, span_between, string, string_raw, symbol, ws, NumLit,
};
use crate::diag::{did_you_mean, Code};
use crate::lang::ast::*;
use nom::Input;

/// Turns a recoverable error into a final one: after a keyword the parser
/// is committed, so the error points where the user went wrong.
pub(crate) fn cut<'a, T>(
    mut p: impl FnMut(In<'a>) -> PResult<'a, T>,
) -> impl FnMut(In<'a>) -> PResult<'a, T> {
    move |i| match p(i) {
        Err(nom::Err::Error(e)) => Err(nom::Err::Failure(e)),
        other => other,
    }
}

/// One top-level item.
pub fn item(i: In<'_>) -> PResult<'_, Item> {
    if let Ok((rest, _)) = keyword("series")(i) {
        let (rest, name) = cut(lex(expect("a name for the series", ident)))(rest)?;
        let (rest, _) = cut(lex(symbol("=", "`=`")))(rest)?;
        let (rest, e) = cut(lex(series_expr))(rest)?;
        return Ok((
            rest,
            Item::Series(SeriesItem {
                name,
                expr: e,
                span: span_between(i, rest),
            }),
        ));
    }
    if let Ok((rest, _)) = keyword("let")(i) {
        let (rest, name) = cut(lex(expect("a name", ident)))(rest)?;
        let (rest, _) = cut(lex(symbol("=", "`=`")))(rest)?;
        let (rest, value) = cut(lex(expect("an expression", expr)))(rest)?;
        return Ok((
            rest,
            Item::Let(LetItem {
                name,
                value,
                span: span_between(i, rest),
            }),
        ));
    }
    if let Ok((rest, _)) = keyword("feed")(i) {
        let (rest, name) = cut(lex(expect("the name of a data series", ident)))(rest)?;
        let (rest, _) = cut(lex(symbol("{", "`{`")))(rest)?;
        let open = Open::of("feed", &name, i);
        let (rest, fields) = cut(|r| fields(r, &open))(rest)?;
        return Ok((
            rest,
            Item::Feed(FeedItem {
                name,
                fields,
                span: span_between(i, rest),
            }),
        ));
    }
    for kind in [RuleKind::Indicator, RuleKind::Alert] {
        if let Ok((rest, _)) = keyword(kind.keyword())(i) {
            let (rest, name) = cut(lex(expect("a name", ident)))(rest)?;
            let (rest, _) = cut(lex(symbol("{", "`{`")))(rest)?;
            let open = Open::of(kind.keyword(), &name, i);
            let (rest, fields) = cut(|r| fields(r, &open))(rest)?;
            return Ok((
                rest,
                Item::Rule(RuleItem {
                    kind,
                    name,
                    fields,
                    span: span_between(i, rest),
                }),
            ));
        }
    }
    Err(nom::Err::Error(PError::expected_any(
        i,
        &["`series`", "`let`", "`indicator`", "`alert`", "`feed`"],
    )))
}

/// The item whose fields are being read, for an error that it is not
/// closed: its keyword, name and line.
struct Open {
    item: String,
    line: u32,
}

impl Open {
    fn of(keyword: &str, name: &crate::lang::ast::Ident, at: In<'_>) -> Open {
        Open {
            item: format!("{keyword} {}", name.name),
            line: at.location_line(),
        }
    }
}

fn fields<'a>(mut i: In<'a>, open: &Open) -> PResult<'a, Vec<Field>> {
    // Rules rarely have more than three fields (`severity`, `when`,
    // `for`); a first push would make room for four.
    let mut out = Vec::with_capacity(3);
    loop {
        let (rest, _) = ws(i)?;
        if let Ok((rest, _)) = symbol("}", "}")(rest) {
            // Give back the room not used (in place): the allocations that
            // follow take it instead of fresh pages.
            out.shrink_to_fit();
            return Ok((rest, out));
        }
        let (after_key, key) = match any_word(rest) {
            Ok(ok) => ok,
            Err(_) => {
                return Err(nom::Err::Error(PError::expected_any(
                    rest,
                    &["a field such as `when:`", "`}`"],
                )))
            }
        };
        let Some(field_key) = FieldKey::parse(&key.name) else {
            let item = ["series", "let", "indicator", "alert", "feed"];
            if item.contains(&key.name.as_str()) {
                // A new item where a field or `}` was expected: the block
                // before it was left open.
                let e = PError::problem(
                    rest.location_offset(),
                    key.name.len(),
                    Code::Syntax,
                    format!("expected `}}` before `{}`", key.name),
                    "a new item starts here",
                )
                .note(format!(
                    "`{}` (line {}) is not closed: add `}}` after its last field",
                    open.item, open.line
                ));
                return fail_problem(e);
            }
            let mut e = PError::problem(
                rest.location_offset(),
                key.name.len(),
                Code::UnknownField,
                format!("unknown field `{}`", key.name),
                "not a field",
            );
            e = match did_you_mean(&key.name, FieldKey::ALL.iter().map(|k| k.as_str())) {
                Some(near) => e.note(format!("did you mean `{near}`?")),
                None => e.note(
                    "fields are when, for, by, title, description, source, tags, severity and summary",
                ),
            };
            return fail_problem(e);
        };
        let (after_colon, _) = lex(symbol(":", "`:`"))(after_key)?;
        let (after, value) = lex(field_value(field_key))(after_colon)?;
        out.push(Field {
            key: field_key,
            key_span: key.span,
            value,
        });
        i = after;
    }
}

fn field_value<'a>(key: FieldKey) -> impl FnMut(In<'a>) -> PResult<'a, FieldValue> {
    move |i: In<'a>| match key {
        FieldKey::When => {
            let (rest, e) = expect("a condition", expr)(i)?;
            Ok((rest, FieldValue::Expr(e)))
        }
        FieldKey::For | FieldKey::StaleAfter => {
            let (rest, lit) = expect("a duration such as 30d", numeric)(i)?;
            match lit {
                NumLit::Duration(d) => Ok((rest, FieldValue::Duration(d, span_between(i, rest)))),
                _ => fail_problem(
                    PError::problem(
                        i.location_offset(),
                        rest.location_offset() - i.location_offset(),
                        Code::Syntax,
                        format!("`{}:` takes a duration", key.as_str()),
                        "not a duration",
                    )
                    .note("write a duration literal such as 3d, 2w, 6mo or 1y"),
                ),
            }
        }
        FieldKey::Title | FieldKey::Source => {
            let (rest, s) = expect("a string", string)(i)?;
            Ok((rest, FieldValue::Text(s)))
        }
        FieldKey::Summary | FieldKey::Description => {
            let (rest, (lit, raw)) = expect("a string", string_raw)(i)?;
            let parts = template(raw)?;
            Ok((
                rest,
                FieldValue::Template(Template {
                    parts,
                    span: lit.span,
                }),
            ))
        }
        FieldKey::Tags => {
            let (mut r, _) = expect("`[`", symbol("[", "`[`"))(i)?;
            let mut tags = Vec::new();
            loop {
                let (after, _) = ws(r)?;
                if let Ok((after, _)) = symbol("]", "]")(after) {
                    return Ok((after, FieldValue::Tags(tags, span_between(i, after))));
                }
                let (after, s) = expect("a string", string)(after)?;
                tags.push(s);
                let (after, _) = ws(after)?;
                r = match symbol(",", ",")(after) {
                    Ok((after, _)) => after,
                    Err(_) => {
                        symbol("]", "`]`")(after).map_err(|_| {
                            nom::Err::Failure(PError::expected_any(after, &["`,`", "`]`"]))
                        })?;
                        after
                    }
                };
            }
        }
        FieldKey::By => {
            let (mut r, first) = expect("a field name", field_ref)(i)?;
            let mut by = vec![first];
            loop {
                let (after, _) = ws(r)?;
                match symbol(",", ",")(after) {
                    Ok((after, _)) => {
                        let (after, _) = ws(after)?;
                        let (after, f) = cut(expect("a field name", field_ref))(after)?;
                        by.push(f);
                        r = after;
                    }
                    Err(_) => return Ok((r, FieldValue::By(by, span_between(i, r)))),
                }
            }
        }
        FieldKey::Severity => {
            let (rest, w) = expect("a severity", any_word)(i)?;
            match Severity::parse(&w.name) {
                Some(s) => Ok((rest, FieldValue::Severity(s, w.span))),
                None => {
                    let mut e = PError::problem(
                        i.location_offset(),
                        w.name.len(),
                        Code::BadSeverity,
                        format!("unknown severity `{}`", w.name),
                        "not a severity",
                    );
                    e = match did_you_mean(&w.name, Severity::ALL.iter().map(|s| s.as_str())) {
                        Some(near) => e.note(format!("did you mean `{near}`?")),
                        None => e,
                    };
                    fail_problem(e.note(
                        "severities, from least to most severe: info, watch, warning, critical",
                    ))
                }
            }
        }
    }
}

/// The note for a template hole that seems to hold a string literal.
const NO_STRINGS_IN_HOLES: &str = "a template hole cannot hold a string literal (a `\"` ends the template, and `\\\"` is no string): put the expression in a `let` (`let actors = distinct(s, 90d, \"ACTOR1\")`) and write `{actors}`";

/// Splits the raw inside of a string into text and `{EXPR}` holes. The
/// holes are parsed in place so that their spans point into the file.
fn template(raw: In) -> Result<Vec<TemplatePart>, nom::Err<PError>> {
    let fail = |e: PError| Err(nom::Err::Failure(e));
    let s = *raw.fragment();
    let bytes = s.as_bytes();
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut k = 0;
    while k < bytes.len() {
        match bytes[k] {
            b'\\' => {
                match bytes.get(k + 1) {
                    Some(b'n') => text.push('\n'),
                    Some(b'"') => text.push('"'),
                    _ => text.push('\\'),
                }
                k += 2;
            }
            b'{' if bytes.get(k + 1) == Some(&b'{') => {
                text.push('{');
                k += 2;
            }
            b'}' if bytes.get(k + 1) == Some(&b'}') => {
                text.push('}');
                k += 2;
            }
            b'}' => {
                return fail(
                    PError::problem(
                        raw.location_offset() + k,
                        1,
                        Code::BadTemplate,
                        "unmatched `}` in a template",
                        "no `{` opens this",
                    )
                    .note("write `}}` for a literal brace"),
                )
            }
            b'{' => {
                let Some(close) = s[k + 1..].find('}').map(|n| n + k + 1) else {
                    let problem = PError::problem(
                        raw.location_offset() + k,
                        1,
                        Code::BadTemplate,
                        "unclosed `{` in a template",
                        "never closed",
                    );
                    // `"{field(s, "ACTOR")}"`: the quote meant to open a
                    // string ended the template, a call still open.
                    let rest = &s[k + 1..];
                    let open = rest.matches(['(', '[']).count() > rest.matches([')', ']']).count();
                    return fail(if open {
                        problem.note(NO_STRINGS_IN_HOLES)
                    } else {
                        problem.note(
                            "close the expression with `}`, or write `{{` for a literal brace",
                        )
                    });
                };
                if !text.is_empty() {
                    parts.push(TemplatePart::Text(std::mem::take(&mut text)));
                }
                let inner = raw.take_from(k + 1).take(close - k - 1);
                let (rest, _) = ws(inner)?;
                let quote = inner.fragment().find('"');
                let parsed = expect("an expression", expr)(rest);
                if let (Err(nom::Err::Error(_) | nom::Err::Failure(_)), Some(q)) = (&parsed, quote)
                {
                    // `\"` in a hole: an escape the hole cannot read.
                    let escaped = usize::from(inner.fragment()[..q].ends_with('\\'));
                    return fail(
                        PError::problem(
                            inner.location_offset() + q - escaped,
                            1 + escaped,
                            Code::BadTemplate,
                            "a string literal in a template hole",
                            "a hole cannot hold a string",
                        )
                        .note(NO_STRINGS_IN_HOLES),
                    );
                }
                let (rest, e) = match parsed {
                    Err(nom::Err::Error(e)) => return Err(nom::Err::Failure(e)),
                    other => other?,
                };
                let (rest, _) = ws(rest)?;
                if !rest.fragment().is_empty() {
                    return fail(PError::expected_any(
                        rest,
                        &["`}` to close the template expression"],
                    ));
                }
                parts.push(TemplatePart::Hole(e));
                k = close + 1;
            }
            _ => {
                let ch_len = s[k..].chars().next().map_or(1, char::len_utf8);
                text.push_str(&s[k..k + ch_len]);
                k += ch_len;
            }
        }
    }
    if !text.is_empty() {
        parts.push(TemplatePart::Text(text));
    }
    Ok(parts)
}
