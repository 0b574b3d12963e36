//! Tokens: blanks and comments, names, keywords, symbols and literals.

use super::error::{fail_expected, fail_problem, In, PError, PResult};
use crate::diag::{Code, Span};
use crate::lang::ast::{Ident, StrLit};
use crate::time::{Date, Duration};
use nom::Input;

/// The reserved words of the language.
pub const RESERVED: &[&str] = &[
    "series",
    "let",
    "indicator",
    "alert",
    "feed",
    "when",
    "for",
    "title",
    "description",
    "source",
    "tags",
    "severity",
    "summary",
    "by",
    "stale_after",
    "and",
    "or",
    "not",
    "in",
    "true",
    "false",
    "now",
    "none",
    "info",
    "watch",
    "warning",
    "critical",
];

/// True for a reserved word.
pub fn is_reserved(word: &str) -> bool {
    // Every name parsed is tested: one match rather than a scan of the
    // list (a test keeps the two the same).
    matches!(
        word,
        "series"
            | "let"
            | "indicator"
            | "alert"
            | "feed"
            | "when"
            | "for"
            | "title"
            | "description"
            | "source"
            | "tags"
            | "severity"
            | "summary"
            | "by"
            | "stale_after"
            | "and"
            | "or"
            | "not"
            | "in"
            | "true"
            | "false"
            | "now"
            | "none"
            | "info"
            | "watch"
            | "warning"
            | "critical"
    )
}

/// The span from `start` (an input position) to `end`.
pub fn span_between(start: In, end: In) -> Span {
    Span::new(start.extra, start.location_offset(), end.location_offset())
}

/// Skips blanks and `#` comments.
#[inline]
pub fn ws(i: In<'_>) -> PResult<'_, ()> {
    let n = blank_len(i.fragment());
    if n == 0 {
        // Most tokens follow no blank: keep the input as it is rather than
        // slice it (slicing counts the lines passed).
        return Ok((i, ()));
    }
    Ok((i.take_from(n), ()))
}

/// The length of the blanks and `#` comments at the start of `s`.
#[inline]
pub(crate) fn blank_len(s: &str) -> usize {
    let mut n = 0;
    let bytes = s.as_bytes();
    while n < bytes.len() {
        match bytes[n] {
            b' ' | b'\t' | b'\r' | b'\n' => n += 1,
            b'#' => {
                while n < bytes.len() && bytes[n] != b'\n' {
                    n += 1;
                }
            }
            _ => break,
        }
    }
    n
}

/// Runs `p` after skipping blanks.
pub fn lex<'a, T>(
    mut p: impl FnMut(In<'a>) -> PResult<'a, T>,
) -> impl FnMut(In<'a>) -> PResult<'a, T> {
    move |i| {
        let (i, _) = ws(i)?;
        p(i)
    }
}

/// The length of the word `[A-Za-z_][A-Za-z0-9_]*` at the start of `s`.
pub(crate) fn word_len(s: &str) -> usize {
    let b = s.as_bytes();
    if b.is_empty() || !(b[0].is_ascii_alphabetic() || b[0] == b'_') {
        return 0;
    }
    b.iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count()
}

/// A word `[A-Za-z_][A-Za-z0-9_]*`, reserved or not (field names inside
/// filters may be anything).
pub fn any_word(i: In<'_>) -> PResult<'_, Ident> {
    let n = word_len(i.fragment());
    if n == 0 {
        return fail_expected(i, "a name");
    }
    let start = i.location_offset();
    Ok((
        i.take_from(n),
        Ident {
            name: i.fragment()[..n].to_string(),
            span: Span::new(i.extra, start, start + n),
        },
    ))
}

/// A name that is not a reserved word.
pub fn ident(i: In<'_>) -> PResult<'_, Ident> {
    let (rest, id) = any_word(i)?;
    if is_reserved(&id.name) {
        return Err(nom::Err::Error(PError::problem(
            i.location_offset(),
            id.name.len(),
            Code::ReservedWord,
            format!(
                "`{}` is a reserved word and cannot be used as a name",
                id.name
            ),
            "reserved word",
        )));
    }
    Ok((rest, id))
}

/// Exactly the keyword `kw`, not followed by a name character.
pub fn keyword<'a>(kw: &'static str) -> impl FnMut(In<'a>) -> PResult<'a, Span> {
    move |i: In<'a>| {
        // The keyword's letters, then no name character: cheaper than
        // measuring the whole word, which may be a long name.
        let s = i.fragment();
        let name_follows = s
            .as_bytes()
            .get(kw.len())
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_');
        if s.starts_with(kw) && !name_follows {
            let rest = i.take_from(kw.len());
            Ok((rest, span_between(i, rest)))
        } else {
            fail_expected(i, kw)
        }
    }
}

/// Exactly the symbol `sym`.
pub fn symbol<'a>(
    sym: &'static str,
    label: &'static str,
) -> impl FnMut(In<'a>) -> PResult<'a, Span> {
    move |i: In<'a>| {
        if i.fragment().starts_with(sym) {
            let rest = i.take_from(sym.len());
            Ok((rest, span_between(i, rest)))
        } else {
            fail_expected(i, label)
        }
    }
}

/// A string literal `"..."` with escapes `\" \\ \n`. Returns the literal and
/// the raw input between the quotes (for templates).
pub fn string_raw(i: In<'_>) -> PResult<'_, (StrLit, In<'_>)> {
    let s = i.fragment();
    if !s.starts_with('"') {
        return fail_expected(i, "a string");
    }
    let mut value = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((pos, c)) = chars.next() {
        match c {
            '"' => {
                let rest = i.take_from(pos + 1);
                let raw = i.take_from(1).take(pos - 1);
                return Ok((rest, (StrLit { value, span: span_between(i, rest) }, raw)));
            }
            '\\' => match chars.next() {
                Some((_, '"')) => value.push('"'),
                Some((_, '\\')) => value.push('\\'),
                Some((_, 'n')) => value.push('\n'),
                Some((epos, other)) => {
                    return fail_problem(
                        PError::problem(
                            i.location_offset() + pos,
                            1 + epos - pos + other.len_utf8() - 1,
                            Code::BadEscape,
                            format!("unknown escape `\\{other}` in a string"),
                            "unknown escape",
                        )
                        .note("strings know the escapes \\\" (quote), \\\\ (backslash) and \\n (new line)"),
                    )
                }
                None => break,
            },
            c => value.push(c),
        }
    }
    fail_problem(
        PError::problem(
            i.location_offset(),
            1,
            Code::UnterminatedString,
            "this string is never closed",
            "string starts here",
        )
        .note("add a closing `\"`"),
    )
}

/// A string literal.
pub fn string(i: In<'_>) -> PResult<'_, StrLit> {
    let (rest, (lit, _)) = string_raw(i)?;
    Ok((rest, lit))
}

/// A number, percent, duration or date literal.
#[derive(Clone, Debug, PartialEq)]
pub enum NumLit {
    /// `42`, `3.5`
    Number(f64),
    /// `300%` as a ratio.
    Percent(f64),
    /// `30d`
    Duration(Duration),
    /// `2027-01-01`
    Date(Date),
}

/// A long literal cut to its first digits for a message.
fn shorten(text: &str) -> String {
    if text.len() > 24 {
        format!("{}… ({} digits)", &text[..12], text.len())
    } else {
        text.to_string()
    }
}

fn digits(b: &[u8], from: usize) -> usize {
    b[from.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count()
}

/// The longest duration a literal may give, in years and in days: dates
/// run from year 1 to 9999, so no window needs more.
pub const MAX_YEARS: i64 = 10_000;
/// [`MAX_YEARS`] in days.
pub const MAX_DAYS: i64 = 3_652_500;

/// A literal that starts with a digit.
pub fn numeric(i: In<'_>) -> PResult<'_, NumLit> {
    let s = *i.fragment();
    let b = s.as_bytes();
    let off = i.location_offset();
    let int = digits(b, 0);
    if int == 0 {
        return fail_expected(i, "a number");
    }
    // A year of more than four digits (`99999-01-01`) would otherwise read
    // as a subtraction; dates run from 0001-01-01 to 9999-12-31.
    if int > 4 && b.get(int) == Some(&b'-') {
        let m = digits(b, int + 1);
        if (1..=2).contains(&m) && b.get(int + 1 + m) == Some(&b'-') && digits(b, int + 2 + m) > 0 {
            let len = int + 2 + m + digits(b, int + 2 + m);
            return fail_problem(
                PError::problem(
                    off,
                    len,
                    Code::BadDate,
                    format!(
                        "`{}` is not a valid date: the year has more than four digits",
                        shorten(&s[..len])
                    ),
                    "not a date",
                )
                .note("dates run from 0001-01-01 to 9999-12-31, written YYYY-MM-DD"),
            );
        }
    }
    // Dates: YYYY-MM-DD, written without blanks.
    if int == 4 && b.get(4) == Some(&b'-') {
        let m = digits(b, 5);
        if (1..=2).contains(&m) && b.get(5 + m) == Some(&b'-') {
            let d = digits(b, 6 + m);
            if (1..=2).contains(&d) {
                let len = 6 + m + d;
                let text = &s[..len];
                return match Date::parse_iso(text) {
                    Some(date) if word_len(&s[len..]) == 0 => Ok((i.take_from(len), NumLit::Date(date))),
                    _ => fail_problem(
                        PError::problem(off, len, Code::BadDate, format!("`{text}` is not a valid date"), "not a date")
                            .note("dates are written YYYY-MM-DD, with a real month and day, for example 2027-01-01"),
                    ),
                };
            }
        }
    }
    let mut len = int;
    if b.get(len) == Some(&b'.') && digits(b, len + 1) > 0 {
        len += 1 + digits(b, len + 1);
    }
    let text = &s[..len];
    let value: f64 = match text.parse() {
        Ok(v) if f64::is_finite(v) => v,
        _ => {
            return fail_problem(PError::problem(
                off,
                len,
                Code::BadNumber,
                format!("`{}` is too large a number", shorten(text)),
                "too large",
            ))
        }
    };
    if b.get(len) == Some(&b'%') {
        return Ok((i.take_from(len + 1), NumLit::Percent(value / 100.0)));
    }
    let unit_len = word_len(&s[len..]);
    if unit_len == 0 {
        if b.get(len).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
            return fail_expected(i.take_from(len), "a blank or an operator");
        }
        return Ok((i.take_from(len), NumLit::Number(value)));
    }
    let unit = &s[len..len + unit_len];
    if unit.len() > 1
        && unit.starts_with(['e', 'E'])
        && unit[1..].bytes().all(|c| c.is_ascii_digit())
    {
        return fail_problem(
            PError::problem(
                off,
                len + unit_len,
                Code::BadNumber,
                format!("`{text}{unit}`: numbers are written without exponents"),
                "an exponent",
            )
            .note("write the number in full, for example 1000 rather than 1e3"),
        );
    }
    let bad_unit = |msg: String| {
        fail_problem(
            PError::problem(off, len + unit_len, Code::BadDuration, msg, "not a duration")
                .note("durations are whole numbers with one unit: d (days), w (weeks), mo (months), y (years), e.g. 30d, 6mo"),
        )
    };
    let n = match text.parse::<i64>() {
        Ok(n) if !text.contains('.') => n,
        _ if !text.contains('.') => {
            return bad_unit(format!("`{}{unit}` is too long a duration", shorten(text)))
        }
        _ => return bad_unit(format!("`{text}{unit}`: durations take a whole number")),
    };
    // Longer than any two dates can be apart: refused rather than left to
    // overflow date arithmetic.
    let dur = match unit {
        "d" => Some(Duration::Days(n)).filter(|_| n <= MAX_DAYS),
        "w" => n
            .checked_mul(7)
            .filter(|d| *d <= MAX_DAYS)
            .map(Duration::Days),
        "mo" => Some(Duration::Months(n)).filter(|_| n <= MAX_YEARS * 12),
        "y" => n
            .checked_mul(12)
            .filter(|m| *m <= MAX_YEARS * 12)
            .map(Duration::Months),
        "m" => {
            return bad_unit(format!(
                "unknown duration unit `m` in `{text}m`; months are written `mo`"
            ))
        }
        _ => return bad_unit(format!("unknown duration unit `{unit}` in `{text}{unit}`")),
    };
    match dur {
        Some(d) => Ok((i.take_from(len + unit_len), NumLit::Duration(d))),
        None => bad_unit(format!(
            "`{}{unit}` is too long a duration: at most {MAX_YEARS}y ({MAX_DAYS}d)",
            shorten(text)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileId;

    fn input(s: &str) -> In<'_> {
        In::new_extra(s, FileId(0))
    }

    #[test]
    fn literals() {
        assert_eq!(numeric(input("42")).unwrap().1, NumLit::Number(42.0));
        assert_eq!(numeric(input("3.5)")).unwrap().1, NumLit::Number(3.5));
        assert_eq!(numeric(input("300%")).unwrap().1, NumLit::Percent(3.0));
        assert_eq!(
            numeric(input("2w")).unwrap().1,
            NumLit::Duration(Duration::Days(14))
        );
        assert_eq!(
            numeric(input("6mo")).unwrap().1,
            NumLit::Duration(Duration::Months(6))
        );
        assert_eq!(
            numeric(input("1y")).unwrap().1,
            NumLit::Duration(Duration::Months(12))
        );
        assert_eq!(
            numeric(input("2027-01-01")).unwrap().1,
            NumLit::Date(Date::parse_iso("2027-01-01").unwrap())
        );
    }

    #[test]
    fn bad_literals_are_specific() {
        let e = |s| match numeric(input(s)) {
            Err(nom::Err::Failure(e)) => e.problem.unwrap().code,
            other => panic!("{other:?}"),
        };
        assert_eq!(e("2025-13-01"), Code::BadDate);
        assert_eq!(e("2025-1-1"), Code::BadDate);
        assert_eq!(e("3h"), Code::BadDuration);
        assert_eq!(e("1.5d"), Code::BadDuration);
        assert_eq!(e("7m"), Code::BadDuration);
        let nines = "9".repeat(400);
        assert_eq!(e(&nines), Code::BadNumber);
        assert_eq!(e("1e400"), Code::BadNumber);
        assert_eq!(e("99999999999999999999y"), Code::BadDuration);
    }

    #[test]
    fn strings_and_escapes() {
        let (_, s) = string(input(r#""a \"b\" \\ \n c" rest"#)).unwrap();
        assert_eq!(s.value, "a \"b\" \\ \n c");
        assert!(matches!(
            string(input(r#""abc"#)),
            Err(nom::Err::Failure(_))
        ));
        assert!(matches!(
            string(input(r#""a\tb""#)),
            Err(nom::Err::Failure(_))
        ));
    }

    #[test]
    fn reserved_words_are_the_list() {
        assert!(RESERVED.iter().all(|w| is_reserved(w)));
        assert_eq!(RESERVED.len(), 27);
        assert!(!is_reserved("seriess") && !is_reserved("Series") && !is_reserved(""));
    }

    #[test]
    fn comments_are_blanks() {
        let (rest, _) = ws(input("  # note\n  # more\n x")).unwrap();
        assert_eq!(*rest.fragment(), "x");
    }
}
