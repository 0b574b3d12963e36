//! Dates in data files, and the diagnostics the loaders share for cells
//! that cannot be read.
//!
//! [`parse_date`] is on the hot path of every loader: the `YYYY-MM-DD` form
//! is read by hand from bytes first, and the slower forms are tried only
//! when that fails.

use crate::diag::{Code, Diagnostic, Span};
use crate::time::Date;

/// Why a date cell could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Not a date in any accepted form.
    Invalid,
    /// A form that could be read two ways (`NN/NN/YYYY`, two-digit years).
    Ambiguous,
}

/// Parses a date cell into its UTC date. Surrounding whitespace is ignored.
///
/// Accepted forms:
/// - `YYYY-MM-DD` (`2025-03-02`);
/// - `YYYY/M/D`, with one or two digits for month and day (`2026/1/13`);
/// - `D Month YYYY`, with the English month name in full or as its
///   three-letter abbreviation (or `Sept`), in any case (`01 November 2024`,
///   `1 nov 2024`);
/// - a date-time `YYYY-MM-DDTHH:MM[:SS[.fff]]` (`T`, `t` or a space between
///   date and time) with an optional offset `Z`, `±HH:MM`, `±HHMM` or `±HH`.
///   It is converted to UTC first (`2025-03-02T23:10:00-05:00` is
///   2025-03-03); without an offset it is taken as UTC.
///
/// Forms that could be read day-first or month-first (`NN/NN/YYYY`,
/// `NN-NN-YYYY`, `NN.NN.YYYY`) and forms with a two-digit year give
/// [`DateError::Ambiguous`] whatever the numbers (`13/02/2024` too), so that
/// one file cannot mix the two readings. Anything else, and dates that do
/// not exist or lie outside the years 1 to 9999, give
/// [`DateError::Invalid`].
pub fn parse_date(s: &str) -> Result<Date, DateError> {
    if let Some(date) = iso_date(s.as_bytes()) {
        return date.ok_or(DateError::Invalid);
    }
    let s = s.trim();
    let b = s.as_bytes();
    let parsed = iso_date(b)
        .or_else(|| slashed(b))
        .or_else(|| date_time(b))
        .or_else(|| day_month_year(s));
    match parsed {
        Some(date) => date.ok_or(DateError::Invalid),
        None if is_ambiguous(s) => Err(DateError::Ambiguous),
        None => Err(DateError::Invalid),
    }
}

// The shape parsers below return `None` when the text is not of their
// shape and `Some(None)` when it is but names no real date.

/// `YYYY-MM-DD`, read from bytes: the fast path.
fn iso_date(b: &[u8]) -> Option<Option<Date>> {
    let (y, m, d) = iso_numbers(b)?;
    Some(Date::from_ymd(y as i32, m, d))
}

/// Year, month and day of text of the shape `YYYY-MM-DD` (as it stands, not
/// trimmed), whether or not they name a real date: the text [`parse_date`]
/// reads as `Date::from_ymd` of these three numbers. Inlined into the CSV
/// row loop, where the fixed lengths unroll `digits`: called out of line it
/// costs some 3% of loading a large file.
#[inline(always)]
pub(super) fn iso_numbers(b: &[u8]) -> Option<(u32, u32, u32)> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    Some((digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?))
}

/// The value of a run of ASCII digits (at most 9, so it cannot overflow).
#[inline(always)]
fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 {
        return None;
    }
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// `YYYY/M/D`, with one or two digits for month and day.
fn slashed(b: &[u8]) -> Option<Option<Date>> {
    if b.len() < 8 || b[4] != b'/' {
        return None;
    }
    let y = digits(&b[..4])?;
    let mut parts = b[5..].split(|&c| c == b'/');
    let m = parts.next().filter(|p| p.len() <= 2).and_then(digits)?;
    let d = parts.next().filter(|p| p.len() <= 2).and_then(digits)?;
    if parts.next().is_some() {
        return None;
    }
    Some(Date::from_ymd(y as i32, m, d))
}

/// `YYYY-MM-DD`, then `T`, `t` or a space, then `HH:MM[:SS[.fff]]` and an
/// optional offset (`Z`, `±HH:MM`, `±HHMM`, `±HH`): the date in UTC.
fn date_time(b: &[u8]) -> Option<Option<Date>> {
    if b.len() < 16 || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let date = iso_date(&b[..10])?;
    let (hour, minute, second, rest) = time_of_day(&b[11..])?;
    let (sign, off_hour, off_minute) = utc_offset(rest)?;
    if hour > 23 || minute > 59 || second > 60 || off_hour > 23 || off_minute > 59 {
        return Some(None);
    }
    let utc = i64::from(hour * 60 + minute) - sign * i64::from(off_hour * 60 + off_minute);
    Some(date.and_then(|d| d.add_days(utc.div_euclid(24 * 60))))
}

/// `HH:MM[:SS[.fff]]` at the start of `b`: hour, minute, second and the
/// rest of the text. Ranges are checked by the caller.
fn time_of_day(b: &[u8]) -> Option<(u32, u32, u32, &[u8])> {
    if b.get(2) != Some(&b':') {
        return None;
    }
    let (hour, minute) = (digits(b.get(0..2)?)?, digits(b.get(3..5)?)?);
    let rest = &b[5..];
    let Some(after_colon) = rest.strip_prefix(b":") else {
        return Some((hour, minute, 0, rest));
    };
    let second = digits(after_colon.get(0..2)?)?;
    let rest = &after_colon[2..];
    let Some(fraction) = rest.strip_prefix(b".") else {
        return Some((hour, minute, second, rest));
    };
    let len = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
    (len > 0).then(|| (hour, minute, second, &fraction[len..]))
}

/// Nothing, `Z`, `±HH:MM`, `±HHMM` or `±HH`: sign, hours and minutes east
/// of UTC. Ranges are checked by the caller.
fn utc_offset(b: &[u8]) -> Option<(i64, u32, u32)> {
    let sign = match b {
        [] | [b'Z' | b'z'] => return Some((0, 0, 0)),
        [b'+', ..] => 1,
        [b'-', ..] => -1,
        _ => return None,
    };
    let hours = digits(b.get(1..3)?)?;
    let rest = &b[3..];
    let minutes = match rest.strip_prefix(b":").unwrap_or(rest) {
        [] if rest.is_empty() => 0,
        mm if mm.len() == 2 => digits(mm)?,
        _ => return None,
    };
    Some((sign, hours, minutes))
}

/// `D Month YYYY`, the month in English, in full or abbreviated.
fn day_month_year(s: &str) -> Option<Option<Date>> {
    let mut words = s.split_ascii_whitespace();
    let day = words
        .next()
        .filter(|w| w.len() <= 2)
        .and_then(|w| digits(w.as_bytes()))?;
    let month = month_number(words.next()?)?;
    let year = words
        .next()
        .filter(|w| w.len() == 4)
        .and_then(|w| digits(w.as_bytes()))?;
    if words.next().is_some() {
        return None;
    }
    Some(Date::from_ymd(year as i32, month, day))
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// 1 to 12 for an English month name, in full or abbreviated to three
/// letters (or `Sept`), in any case.
fn month_number(word: &str) -> Option<u32> {
    if word.eq_ignore_ascii_case("sept") {
        return Some(9);
    }
    let i = MONTHS.iter().position(|m| {
        m.eq_ignore_ascii_case(word) || (word.len() == 3 && m[..3].eq_ignore_ascii_case(word))
    })?;
    Some(i as u32 + 1)
}

/// True for the forms that could be read two ways: `NN/NN/YYYY`,
/// `NN-NN-YYYY`, `NN.NN.YYYY` (one or two digits for `N`), the same with a
/// two-digit year, and `D Month YY`; a time may follow the date.
fn is_ambiguous(s: &str) -> bool {
    let date = s.split([' ', 'T']).next().unwrap_or(s);
    if let Some(sep) = date.bytes().find(|c| matches!(c, b'/' | b'-' | b'.')) {
        let parts: Vec<&str> = date.split(sep as char).collect();
        if let [a, b, y] = parts[..] {
            let short =
                |p: &str| (1..=2).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit());
            let year = (y.len() == 2 || y.len() == 4) && y.bytes().all(|c| c.is_ascii_digit());
            return short(a) && short(b) && year;
        }
        return false;
    }
    let words: Vec<&str> = s.split_ascii_whitespace().collect();
    matches!(words[..], [d, m, y] if d.len() <= 2 && digits(d.as_bytes()).is_some()
        && month_number(m).is_some() && y.len() == 2 && digits(y.as_bytes()).is_some())
}

/// The forms [`parse_date`] accepts, for notes under date errors.
const ACCEPTED_FORMS: &str =
    "dates are written YYYY-MM-DD, YYYY/M/D, D Month YYYY (1 November 2024), \
     or as a date-time such as 2025-03-02T23:10:00Z or 2025-03-02 23:10:00 (taken as UTC)";

/// The error for a date cell that [`parse_date`] refused, labelled at
/// `span`.
pub(super) fn date_diagnostic(error: DateError, cell: &str, span: Span) -> Diagnostic {
    let shown = quote(cell.trim());
    match error {
        DateError::Invalid => Diagnostic::error(Code::InvalidDate, format!("date {shown} is not a valid date"))
            .with_primary(span, "not a date")
            .with_note(ACCEPTED_FORMS),
        DateError::Ambiguous if has_two_digit_year(cell) => Diagnostic::error(
            Code::AmbiguousDate,
            format!("date {shown} is ambiguous: its two-digit year and the order of its parts could be read several ways"),
        )
        .with_primary(span, "ambiguous date")
        .with_note("write dates as YYYY-MM-DD, with a four-digit year"),
        DateError::Ambiguous => Diagnostic::error(
            Code::AmbiguousDate,
            format!("date {shown} is ambiguous: it could be read day-first or month-first"),
        )
        .with_primary(span, "day-first or month-first?")
        .with_note("write dates as YYYY-MM-DD, so that every row reads one way"),
    }
}

fn has_two_digit_year(cell: &str) -> bool {
    let date = cell.trim().split([' ', 'T']).next().unwrap_or("");
    let last = date.rsplit(['/', '-', '.']).next().unwrap_or("");
    let words: Vec<&str> = cell.split_ascii_whitespace().collect();
    last.len() == 2 || matches!(words[..], [_, _, y] if y.len() == 2)
}

/// Cell text for a message: in single quotes, line breaks and other control
/// characters escaped, cut to about 40 characters.
pub(super) fn quote(text: &str) -> String {
    const MAX: usize = 40;
    let mut out = String::from("'");
    for (i, c) in text.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// True for the column and key names that hold an observation's date:
/// `date`, `at`, `time`, `timestamp` and `event_date`, ignoring case and
/// surrounding whitespace.
pub(super) fn is_date_name(name: &str) -> bool {
    let name = name.trim();
    ["date", "at", "time", "timestamp", "event_date"]
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        match parse_date(s) {
            Ok(d) => d.to_string(),
            Err(e) => panic!("{s:?}: {e:?}"),
        }
    }

    fn err(s: &str) -> DateError {
        match parse_date(s) {
            Ok(d) => panic!("{s:?} gave {d}"),
            Err(e) => e,
        }
    }

    #[test]
    fn iso_dates() {
        assert_eq!(ok("2025-03-02"), "2025-03-02");
        assert_eq!(ok("  2025-03-02\t"), "2025-03-02");
        assert_eq!(ok("0001-01-01"), "0001-01-01");
        assert_eq!(ok("9999-12-31"), "9999-12-31");
        assert_eq!(err("2025-13-01"), DateError::Invalid);
        assert_eq!(err("2025-00-10"), DateError::Invalid);
        assert_eq!(err("0000-01-01"), DateError::Invalid);
        assert_eq!(err("2025-1a-01"), DateError::Invalid);
        assert_eq!(err("2025-2-3"), DateError::Invalid);
        assert_eq!(err("+025-02-03"), DateError::Invalid);
    }

    #[test]
    fn leap_days() {
        assert_eq!(ok("2024-02-29"), "2024-02-29");
        assert_eq!(err("2023-02-29"), DateError::Invalid);
        assert_eq!(ok("2000/2/29"), "2000-02-29");
        assert_eq!(err("1900/2/29"), DateError::Invalid);
        assert_eq!(ok("29 February 2024"), "2024-02-29");
        assert_eq!(err("29 Feb 2023"), DateError::Invalid);
    }

    #[test]
    fn slashed_dates_as_spreadsheets_write_them() {
        assert_eq!(ok("2026/1/13"), "2026-01-13");
        assert_eq!(ok("2015/11/27"), "2015-11-27");
        assert_eq!(ok("2015/03/05"), "2015-03-05");
        assert_eq!(err("2015/13/1"), DateError::Invalid);
        assert_eq!(err("2015/1/123"), DateError::Invalid);
        assert_eq!(err("2015/1/"), DateError::Invalid);
        assert_eq!(err("2015/1/2/3"), DateError::Invalid);
    }

    #[test]
    fn day_month_year_as_acled_writes_it() {
        assert_eq!(ok("01 November 2024"), "2024-11-01");
        assert_eq!(ok("1 november 2024"), "2024-11-01");
        assert_eq!(ok("1 NOV 2024"), "2024-11-01");
        assert_eq!(ok("15 Sept 2023"), "2023-09-15");
        assert_eq!(ok(" 31  December   1999 "), "1999-12-31");
        assert_eq!(err("31 November 2024"), DateError::Invalid);
        assert_eq!(err("1 Novem 2024"), DateError::Invalid);
        assert_eq!(err("November 1 2024"), DateError::Invalid);
        assert_eq!(err("1 November 2024 extra"), DateError::Invalid);
    }

    #[test]
    fn date_times_give_their_utc_date() {
        assert_eq!(ok("2025-03-02T23:10:00+00:00"), "2025-03-02");
        assert_eq!(ok("2025-03-02T23:10:00Z"), "2025-03-02");
        assert_eq!(ok("2025-03-02t23:10:00z"), "2025-03-02");
        assert_eq!(ok("2025-03-02T23:10:00.123456Z"), "2025-03-02");
        assert_eq!(ok("2025-03-02T23:10:00-05:00"), "2025-03-03");
        assert_eq!(ok("2025-03-02T01:30:00+02:00"), "2025-03-01");
        assert_eq!(ok("2025-03-02T01:30:00+0200"), "2025-03-01");
        assert_eq!(ok("2025-03-02T01:30:00+02"), "2025-03-01");
        assert_eq!(ok("2024-12-31T23:00:00-01:00"), "2025-01-01");
        assert_eq!(ok("2024-03-01T00:30:00+01:00"), "2024-02-29");
        assert_eq!(ok("2016-12-31T23:59:60Z"), "2016-12-31");
        assert_eq!(ok("2025-03-02 23:10:00"), "2025-03-02");
        assert_eq!(ok("2025-03-02T23:10:00"), "2025-03-02");
        assert_eq!(ok("2025-03-02 23:10"), "2025-03-02");
        assert_eq!(err("2025-03-02T24:00:00Z"), DateError::Invalid);
        assert_eq!(err("2025-03-02T23:60:00Z"), DateError::Invalid);
        assert_eq!(err("2025-03-02T23:10:00+25:00"), DateError::Invalid);
        assert_eq!(err("2025-03-02T23:10:00+01:60"), DateError::Invalid);
        assert_eq!(err("2025-03-02T23:10:00.Z"), DateError::Invalid);
        assert_eq!(err("2025-03-02T23:10:00 UTC"), DateError::Invalid);
        assert_eq!(err("2025-02-30T10:00:00Z"), DateError::Invalid);
        assert_eq!(err("9999-12-31T23:00:00-02:00"), DateError::Invalid);
        assert_eq!(ok("0001-01-01T00:30:00Z"), "0001-01-01");
        assert_eq!(err("0001-01-01T00:30:00+01:00"), DateError::Invalid);
    }

    #[test]
    fn forms_that_read_two_ways_are_ambiguous_whatever_the_numbers() {
        for s in [
            "01/02/2024",
            "13/02/2024",
            "2/13/2024",
            "1/2/2024",
            "01-02-2024",
            "31.12.2024",
            "01/02/24",
            "24-02-13",
        ] {
            assert_eq!(err(s), DateError::Ambiguous, "{s}");
        }
        assert_eq!(err("13/02/2024 10:00"), DateError::Ambiguous);
        assert_eq!(err("1 Nov 24"), DateError::Ambiguous);
        assert_eq!(err("1/2/3"), DateError::Invalid);
        assert_eq!(err("123/02/2024"), DateError::Invalid);
        assert_eq!(err("01/02-2024"), DateError::Invalid);
    }

    #[test]
    fn anything_else_is_invalid() {
        for s in [
            "",
            "   ",
            "NaT",
            "yesterday",
            "2025",
            "25-Feb",
            "1753954407",
            "2025-03",
            "２０２５-03-02",
            "2025-03-02x",
            "2025‐03‐02",
        ] {
            assert_eq!(err(s), DateError::Invalid, "{s}");
        }
    }

    #[test]
    fn quoted_cells_are_short_and_on_one_line() {
        assert_eq!(quote("a\nb"), "'a\\nb'");
        let long = "x".repeat(100);
        assert_eq!(quote(&long), format!("'{}…'", "x".repeat(40)));
        assert_eq!(quote("與那國"), "'與那國'");
    }

    #[test]
    fn date_names_ignore_case() {
        assert!(is_date_name("EVENT_DATE"));
        assert!(is_date_name(" Date "));
        assert!(is_date_name("At"));
        assert!(!is_date_name("dated"));
        assert!(!is_date_name("year"));
    }
}
