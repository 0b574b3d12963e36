//! Today's date for the daemon: frozen by `--at`, read from a file named by
//! `TOCSIN_CLOCK_FILE` (so that tests and replays can move time), or UTC.

use crate::time::Date;
use std::path::PathBuf;

/// Where the daemon's date comes from.
#[derive(Clone, Debug)]
pub enum Clock {
    /// `--at DATE`: never moves.
    Fixed(Date),
    /// A file holding `YYYY-MM-DD`, re-read on every tick; the last date
    /// read stays while the file is missing or malformed.
    File(PathBuf, Date),
    /// The system clock, UTC (or `TOCSIN_TODAY`).
    Utc,
}

impl Clock {
    /// The clock for `--at` and the environment.
    pub fn new(at: Option<Date>) -> Clock {
        match (at, std::env::var_os("TOCSIN_CLOCK_FILE")) {
            (Some(d), _) => Clock::Fixed(d),
            (None, Some(path)) => {
                let path = PathBuf::from(path);
                let first = read(&path).unwrap_or_else(crate::clock::today);
                Clock::File(path, first)
            }
            (None, None) => Clock::Utc,
        }
    }

    /// Today.
    pub fn today(&mut self) -> Date {
        match self {
            Clock::Fixed(d) => *d,
            Clock::File(path, last) => {
                if let Some(d) = read(path) {
                    *last = d;
                }
                *last
            }
            Clock::Utc => crate::clock::today(),
        }
    }
}

fn read(path: &PathBuf) -> Option<Date> {
    Date::parse_iso(std::fs::read_to_string(path).ok()?.trim())
}
