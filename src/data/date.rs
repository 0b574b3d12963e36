//! Date parsing placeholder, replaced by the real parser.
use crate::time::Date;

/// Why a date cell could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Not a date in any accepted form.
    Invalid,
    /// A form that could be read two ways (`NN/NN/YYYY`, two-digit years).
    Ambiguous,
}

/// Parses a date cell.
pub fn parse_date(s: &str) -> Result<Date, DateError> {
    Date::parse_iso(s).ok_or(DateError::Invalid)
}
