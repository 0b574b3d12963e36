//! Calendar dates at day resolution and the durations of the rule language.
//!
//! A [`Date`] is a count of days since 1970-01-01 so that windows reduce to
//! integer comparisons and binary search; calendar arithmetic (months and
//! years) goes through chrono and clamps to the end of the month, as the
//! language requires (2024-03-31 minus `1mo` is 2024-02-29).

use chrono::{Datelike, Months, NaiveDate};
use std::fmt;

/// A UTC calendar date, stored as days since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i32);

const UNIX_EPOCH_CE: i32 = 719_163; // days from 0001-01-01 to 1970-01-01

/// Number of days in `month` (1 to 12) of `year`, proleptic Gregorian.
pub fn month_length(year: i32, month: u32) -> u32 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Date {
    /// The earliest date tocsin accepts (year 1).
    pub const MIN: Date = Date(1 - UNIX_EPOCH_CE);
    /// The latest date tocsin accepts (year 9999, last day).
    pub const MAX: Date = Date(2_932_896);

    /// Builds a date from year, month and day; `None` if it does not exist or
    /// lies outside the years 1..=9999.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        // By arithmetic rather than through chrono: every loader calls
        // this once per observation, and chrono's checks cost several
        // times more. A test compares the two over the whole calendar.
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return None;
        }
        if day > month_length(year, month) {
            return None;
        }
        // Days from 1970-01-01 in the proleptic Gregorian calendar, counting
        // years from March so that the leap day ends a year (the "days from
        // civil" method). `y` is never negative here.
        let y = if month <= 2 { year - 1 } else { year };
        let (era, year_of_era) = (y / 400, y % 400);
        let month_from_march = (month + 9) % 12;
        let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
        let day_of_era =
            year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year as i32;
        Some(Date(era * 146_097 + day_of_era - 719_468))
    }

    /// Converts from chrono's date type.
    pub fn from_naive(d: NaiveDate) -> Date {
        Date(d.num_days_from_ce() - UNIX_EPOCH_CE)
    }

    /// Converts to chrono's date type.
    pub fn to_naive(self) -> NaiveDate {
        // In range by construction: every Date comes from a valid NaiveDate
        // or from arithmetic that is checked below.
        NaiveDate::from_num_days_from_ce_opt(self.0 + UNIX_EPOCH_CE).unwrap_or(NaiveDate::MIN)
    }

    /// Parses the `YYYY-MM-DD` form used by rule literals and `--at`.
    pub fn parse_iso(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = &s[r];
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        Date::from_ymd(num(0..4)? as i32, num(5..7)?, num(8..10)?)
    }

    /// Today's date in UTC.
    pub fn today_utc() -> Date {
        Date::from_naive(chrono::Utc::now().date_naive())
    }

    /// Days from `other` to `self`.
    pub fn days_since(self, other: Date) -> i64 {
        i64::from(self.0) - i64::from(other.0)
    }

    /// `self + n` days, `None` outside the supported range.
    pub fn add_days(self, n: i64) -> Option<Date> {
        let d = i64::from(self.0).checked_add(n)?;
        if d < i64::from(Date::MIN.0) || d > i64::from(Date::MAX.0) {
            None
        } else {
            Some(Date(d as i32))
        }
    }

    /// Adds (or, for negative `n`, subtracts) calendar months, clamping the
    /// day to the end of the target month.
    pub fn add_months(self, n: i64) -> Option<Date> {
        let d = self.to_naive();
        let shifted = if n >= 0 {
            d.checked_add_months(Months::new(u32::try_from(n).ok()?))
        } else {
            d.checked_sub_months(Months::new(u32::try_from(-n).ok()?))
        }?;
        if shifted.year() < 1 || shifted.year() > 9999 {
            return None;
        }
        Some(Date::from_naive(shifted))
    }

    /// `self + dur`.
    pub fn plus(self, dur: Duration) -> Option<Date> {
        match dur {
            Duration::Days(n) => self.add_days(n),
            Duration::Months(n) => self.add_months(n),
        }
    }

    /// `self - dur`.
    pub fn minus(self, dur: Duration) -> Option<Date> {
        match dur {
            Duration::Days(n) => self.add_days(n.checked_neg()?),
            Duration::Months(n) => self.add_months(n.checked_neg()?),
        }
    }

    /// The calendar year.
    pub fn year(self) -> i32 {
        self.to_naive().year()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.to_naive();
        let year = d.year();
        if (0..=9999).contains(&year) {
            // What `%Y-%m-%d` gives for these years, without parsing the
            // format at every date: a backtest prints millions of them.
            write!(f, "{year:04}-{:02}-{:02}", d.month(), d.day())
        } else {
            write!(f, "{}", d.format("%Y-%m-%d"))
        }
    }
}

/// A duration of the rule language: whole days (`d`, `w`) or whole calendar
/// months (`mo`, `y`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Duration {
    /// A number of days (`7d`, `2w` = 14 days).
    Days(i64),
    /// A number of calendar months (`6mo`, `1y` = 12 months).
    Months(i64),
}

impl Duration {
    /// The duration twice as long (`2 × 6mo = 12mo`), used by `growth`.
    pub fn doubled(self) -> Option<Duration> {
        Some(match self {
            Duration::Days(n) => Duration::Days(n.checked_mul(2)?),
            Duration::Months(n) => Duration::Months(n.checked_mul(2)?),
        })
    }

    /// True for a zero-length duration, which makes every window empty.
    pub fn is_zero(self) -> bool {
        matches!(self, Duration::Days(0) | Duration::Months(0))
    }
}

/// The dates `(after, last]` that a function reads: every date after
/// `after` up to `last`, inclusive. `after` is `None` when it would fall
/// before the calendar: the range then reaches back before every possible
/// observation. The window arithmetic of every function is here, so that
/// the evaluation, `explain` and the report read the same dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    /// The day before the first date (`None`: before the calendar).
    pub after: Option<Date>,
    /// The last date.
    pub last: Date,
    /// The date of the evaluation that reads the range, on or after
    /// `last`: a calendar bucket in the range is read only when the data
    /// up to this date completes it.
    pub seen: Date,
}

impl Range {
    /// The window of duration `d` at `t`: `(t - d, t]`.
    pub fn window(t: Date, d: Duration) -> Range {
        Range {
            after: t.minus(d),
            last: t,
            seen: t,
        }
    }

    /// The window of duration `d` just before the window `(t - d, t]`:
    /// `(t - 2d, t - d]`, with `2d` the doubled duration (`2 × 6mo = 12mo`,
    /// not `6mo` taken twice, which clamps differently at a month's end).
    /// `None` when `t - d` or `2d` falls outside the calendar.
    pub fn earlier(t: Date, d: Duration) -> Option<Range> {
        let last = t.minus(d)?;
        Some(Range {
            after: t.minus(d.doubled()?),
            last,
            seen: t,
        })
    }

    /// The first date in the range, when it is in the calendar.
    pub fn first(self) -> Option<Date> {
        self.after?.add_days(1)
    }

    /// The range as `first..last`, when its first date is in the calendar
    /// and the range holds a day (a `0d` window holds none: it is not
    /// written backwards).
    pub fn text(self) -> Option<String> {
        let first = self.first().filter(|f| *f <= self.last)?;
        Some(format!("{first}..{}", self.last))
    }
}

/// Days print as days (`14d`, not `2w`): rules count windows in days far
/// more often than in weeks, and a window should read as it was written.
/// Whole years of months print as years (`1y`), the usual spelling.
impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Duration::Days(n) => write!(f, "{n}d"),
            Duration::Months(n) if n != 0 && n % 12 == 0 => write!(f, "{}y", n / 12),
            Duration::Months(n) => write!(f, "{n}mo"),
        }
    }
}

/// Dates serialize as `YYYY-MM-DD`.
impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_agrees_with_chrono_over_the_calendar() {
        let chrono = |d: Date| d.to_naive().format("%Y-%m-%d").to_string();
        for n in (Date::MIN.0..=Date::MAX.0).step_by(13).chain([Date::MAX.0]) {
            assert_eq!(Date(n).to_string(), chrono(Date(n)));
        }
        // Outside the calendar, as chrono shows it.
        for d in [Date(i32::MIN), Date(Date::MIN.0 - 1), Date(Date::MAX.0 + 1)] {
            assert_eq!(d.to_string(), chrono(d));
        }
    }

    #[test]
    fn from_ymd_agrees_with_chrono_over_the_calendar() {
        let chrono = |y: i32, m: u32, d: u32| {
            (1..=9999)
                .contains(&y)
                .then(|| NaiveDate::from_ymd_opt(y, m, d).map(Date::from_naive))
                .flatten()
        };
        let years = (-2..=10_001).chain([i32::MIN, i32::MAX]);
        for y in years {
            for m in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, u32::MAX] {
                for d in (0..=33).chain([u32::MAX]) {
                    assert_eq!(Date::from_ymd(y, m, d), chrono(y, m, d), "{y}-{m}-{d}");
                }
            }
        }
        assert_eq!(Date::from_ymd(1, 1, 1), Some(Date::MIN));
        assert_eq!(Date::from_ymd(9999, 12, 31), Some(Date::MAX));
        assert_eq!(Date::from_ymd(1970, 1, 1), Some(Date(0)));
    }

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    #[test]
    fn epoch_is_zero() {
        assert_eq!(d("1970-01-01"), Date(0));
        assert_eq!(d("1970-01-02"), Date(1));
        assert_eq!(d("2025-07-20").to_string(), "2025-07-20");
    }

    #[test]
    fn month_arithmetic_clamps_to_month_end() {
        assert_eq!(
            d("2024-03-31").minus(Duration::Months(1)),
            Some(d("2024-02-29"))
        );
        assert_eq!(
            d("2023-03-31").minus(Duration::Months(1)),
            Some(d("2023-02-28"))
        );
        assert_eq!(
            d("2024-02-29").minus(Duration::Months(12)),
            Some(d("2023-02-28"))
        );
        assert_eq!(
            d("2025-01-31").plus(Duration::Months(1)),
            Some(d("2025-02-28"))
        );
    }

    #[test]
    fn rejects_bad_iso_dates() {
        assert_eq!(Date::parse_iso("2025-13-01"), None);
        assert_eq!(Date::parse_iso("2025-02-30"), None);
        assert_eq!(Date::parse_iso("2025-2-3"), None);
        assert_eq!(Date::parse_iso("+025-02-03"), None);
        assert_eq!(Date::parse_iso("0000-01-01"), None);
    }

    #[test]
    fn range_limits_give_none() {
        assert_eq!(Date::MAX.add_days(1), None);
        assert_eq!(Date::MIN.add_days(-1), None);
        assert_eq!(d("9999-12-31"), Date::MAX);
        assert_eq!(d("0001-01-01"), Date::MIN);
        assert_eq!(d("2020-01-01").minus(Duration::Months(i64::MAX)), None);
    }

    #[test]
    fn durations_display_in_days_or_their_largest_calendar_unit() {
        assert_eq!(Duration::Days(14).to_string(), "14d");
        assert_eq!(Duration::Days(0).to_string(), "0d");
        assert_eq!(Duration::Days(30).to_string(), "30d");
        assert_eq!(Duration::Months(24).to_string(), "2y");
        assert_eq!(Duration::Months(6).doubled(), Some(Duration::Months(12)));
    }

    #[test]
    fn the_earlier_window_doubles_the_duration_rather_than_stepping_twice() {
        // 2025-03-31 - 2mo is 2025-01-31; stepping 1mo twice would clamp
        // through February to 2025-01-28.
        let r = Range::earlier(d("2025-03-31"), Duration::Months(1)).unwrap();
        assert_eq!(r.text().as_deref(), Some("2025-02-01..2025-02-28"));
        assert_eq!(
            Range::window(d("2025-03-31"), Duration::Months(1))
                .text()
                .as_deref(),
            Some("2025-03-01..2025-03-31")
        );
        let edge = Range::window(Date::MIN, Duration::Days(1));
        assert_eq!((edge.after, edge.first(), edge.text()), (None, None, None));
        // A 0d window holds no day: not written backwards.
        assert_eq!(
            Range::window(d("2025-03-31"), Duration::Days(0)).text(),
            None
        );
        assert_eq!(
            Range::window(d("2025-03-31"), Duration::Days(1))
                .text()
                .as_deref(),
            Some("2025-03-31..2025-03-31")
        );
        assert_eq!(Range::earlier(Date::MIN, Duration::Days(1)), None);
        let half = Range::earlier(d("0001-01-02"), Duration::Days(1)).unwrap();
        assert_eq!((half.after, half.last), (None, Date::MIN));
    }
}
