//! Today's date, the one place tocsin reads the calendar: the one-shot
//! commands default `--at` to it and the daemon's date moves with it.

use crate::time::Date;

/// Today's date in UTC, or the date in `TOCSIN_TODAY` (YYYY-MM-DD) when
/// set, so that tests and replays can fix the clock.
pub fn today() -> Date {
    pinned().ok().flatten().unwrap_or_else(Date::today_utc)
}

/// The date `TOCSIN_TODAY` pins, if it is set (blank reads as unset, as a
/// CI variable left empty is); `Err` with its text when it is not a
/// `YYYY-MM-DD` date, which the command line refuses.
pub fn pinned() -> Result<Option<Date>, String> {
    let Some(value) = std::env::var_os("TOCSIN_TODAY") else {
        return Ok(None);
    };
    let text = value.to_string_lossy();
    match text.trim() {
        "" => Ok(None),
        date => Date::parse_iso(date)
            .map(Some)
            .ok_or_else(|| text.into_owned()),
    }
}
