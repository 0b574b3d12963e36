//! Runtime values and how they print.

use crate::time::{Date, Duration};
use serde::Serialize;

/// The value of an expression at a date. `None` is the unknown value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Unknown: no data to answer with.
    None,
    /// A finite number.
    Number(f64),
    /// A bool.
    Bool(bool),
    /// A date.
    Date(Date),
    /// A duration.
    Duration(Duration),
    /// A string.
    Str(String),
}

impl Value {
    /// A number, or `None` when it is not finite (overflow never yields a
    /// wrong number).
    pub fn number(n: f64) -> Value {
        if n.is_finite() {
            Value::Number(if n == 0.0 { 0.0 } else { n })
        } else {
            Value::None
        }
    }

    /// A number from an optional result.
    pub fn opt_number(n: Option<f64>) -> Value {
        n.map_or(Value::None, Value::number)
    }

    /// The three-valued truth: `Some(b)` for bools, `None` for unknown.
    pub fn truth(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The text printed by templates: numbers with at most two decimals,
    /// dates as `YYYY-MM-DD`, `none` as `unknown`.
    pub fn display(&self) -> String {
        match self {
            Value::None => "unknown".to_string(),
            Value::Number(n) => format_number(*n),
            Value::Bool(b) => b.to_string(),
            Value::Date(d) => d.to_string(),
            Value::Duration(d) => d.to_string(),
            Value::Str(s) => s.clone(),
        }
    }
}

/// A number with at most two decimals and no trailing zeros: `3.14159` is
/// `3.14`, `2.50` is `2.5`, `2.0` is `2`.
pub fn format_number(n: f64) -> String {
    let s = format!("{n:.2}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A ratio as a percentage: `3.0` is `300%`.
pub fn format_percent(ratio: f64) -> String {
    format!("{}%", format_number(ratio * 100.0))
}

/// A value as JSON: numbers, bools and strings as themselves, dates and
/// durations as strings, unknown as `null`.
impl Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::None => s.serialize_none(),
            Value::Number(n) => s.serialize_f64(*n),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Date(d) => s.serialize_str(&d.to_string()),
            Value::Duration(d) => s.serialize_str(&d.to_string()),
            Value::Str(t) => s.serialize_str(t),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_with_at_most_two_decimals() {
        assert_eq!(format_number(1.23456), "1.23");
        assert_eq!(format_number(2.5), "2.5");
        assert_eq!(format_number(2.0), "2");
        assert_eq!(format_number(-0.001), "0");
        assert_eq!(format_number(1234567.0), "1234567");
        assert_eq!(format_percent(3.0), "300%");
        assert_eq!(format_percent(0.125), "12.5%");
        assert_eq!(Value::None.display(), "unknown");
        assert_eq!(Value::number(f64::INFINITY), Value::None);
    }
}
