//! Today's date, the one place tocsin reads the calendar: the one-shot
//! commands default `--at` to it and the daemon's date moves with it.

use crate::time::Date;

/// Today's date in UTC, or the date in `TOCSIN_TODAY` (YYYY-MM-DD) when
/// set, so that tests and replays can fix the clock.
pub fn today() -> Date {
    std::env::var("TOCSIN_TODAY")
        .ok()
        .and_then(|s| Date::parse_iso(s.trim()))
        .unwrap_or_else(Date::today_utc)
}
