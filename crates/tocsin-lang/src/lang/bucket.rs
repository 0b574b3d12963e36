//! Calendar buckets: the periods a series can be bucketed into and the
//! aggregates that make one value of each bucket (`monthly(s, sum)`).

use crate::time::{month_length, Date};
use chrono::Datelike;

/// A calendar period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    /// `daily`
    Daily,
    /// `weekly`: ISO weeks, Monday to Sunday.
    Weekly,
    /// `monthly`
    Monthly,
    /// `quarterly`: January to March, and so on.
    Quarterly,
    /// `yearly`
    Yearly,
}

impl Period {
    /// Every period, shortest first.
    pub const ALL: [Period; 5] = [
        Period::Daily,
        Period::Weekly,
        Period::Monthly,
        Period::Quarterly,
        Period::Yearly,
    ];

    /// The function name it is written with.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Daily => "daily",
            Period::Weekly => "weekly",
            Period::Monthly => "monthly",
            Period::Quarterly => "quarterly",
            Period::Yearly => "yearly",
        }
    }

    /// Parses a period's name.
    pub fn parse(s: &str) -> Option<Period> {
        Period::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The last day of the bucket holding `d`: the date its observation
    /// carries. `None` past the end of the calendar.
    pub fn last_day(self, d: Date) -> Option<Date> {
        match self {
            Period::Daily => Some(d),
            Period::Weekly => {
                let to_sunday = 6 - i64::from(d.to_naive().weekday().num_days_from_monday());
                d.add_days(to_sunday)
            }
            Period::Monthly | Period::Quarterly | Period::Yearly => {
                let n = d.to_naive();
                let month = match self {
                    Period::Monthly => n.month(),
                    Period::Quarterly => (n.month() - 1) / 3 * 3 + 3,
                    _ => 12,
                };
                Date::from_ymd(n.year(), month, month_length(n.year(), month))
            }
        }
    }

    /// The last day of the bucket after the one ending on `end` (itself a
    /// bucket's last day).
    pub fn next_last_day(self, end: Date) -> Option<Date> {
        self.last_day(end.add_days(1)?)
    }
}

/// How a bucket's observations make its one value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Agg {
    /// The sum of the values; 0 for an empty bucket.
    Sum,
    /// The number of observations; 0 for an empty bucket.
    Count,
    /// The mean.
    Avg,
    /// The smallest value.
    Min,
    /// The largest value.
    Max,
    /// The first value, in date order then load order.
    First,
    /// The last value, in date order then load order.
    Last,
}

impl Agg {
    /// Every aggregate, in the order the language reference lists them.
    pub const ALL: [Agg; 7] = [
        Agg::Sum,
        Agg::Count,
        Agg::Avg,
        Agg::Min,
        Agg::Max,
        Agg::First,
        Agg::Last,
    ];

    /// The name it is written with.
    pub fn as_str(self) -> &'static str {
        match self {
            Agg::Sum => "sum",
            Agg::Count => "count",
            Agg::Avg => "avg",
            Agg::Min => "min",
            Agg::Max => "max",
            Agg::First => "first",
            Agg::Last => "last",
        }
    }

    /// Parses an aggregate's name.
    pub fn parse(s: &str) -> Option<Agg> {
        Agg::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// True when an empty bucket still has a value (0), so that every
    /// bucket from the first on is emitted.
    pub fn fills_empty(self) -> bool {
        matches!(self, Agg::Sum | Agg::Count)
    }

    /// The value of one bucket's observations, in order; `None` for an
    /// empty bucket that is left out.
    pub fn of(self, values: &[f64]) -> Option<f64> {
        let (first, last) = (values.first().copied(), values.last().copied());
        match self {
            Agg::Sum => Some(values.iter().sum()),
            Agg::Count => Some(values.len() as f64),
            Agg::Avg => first.map(|_| values.iter().sum::<f64>() / values.len() as f64),
            Agg::Min => values.iter().copied().reduce(f64::min),
            Agg::Max => values.iter().copied().reduce(f64::max),
            Agg::First => first,
            Agg::Last => last,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    #[test]
    fn each_period_ends_on_its_last_day() {
        let end = |p: Period, s: &str| p.last_day(d(s)).unwrap().to_string();
        assert_eq!(end(Period::Daily, "2025-02-10"), "2025-02-10");
        // 2025-02-10 is a Monday; its ISO week ends Sunday the 16th.
        assert_eq!(end(Period::Weekly, "2025-02-10"), "2025-02-16");
        assert_eq!(end(Period::Weekly, "2025-02-16"), "2025-02-16");
        // A week across the new year ends in the next one.
        assert_eq!(end(Period::Weekly, "2024-12-31"), "2025-01-05");
        assert_eq!(end(Period::Monthly, "2024-02-03"), "2024-02-29");
        assert_eq!(end(Period::Monthly, "2025-02-28"), "2025-02-28");
        assert_eq!(end(Period::Quarterly, "2025-05-20"), "2025-06-30");
        assert_eq!(end(Period::Quarterly, "2025-10-01"), "2025-12-31");
        assert_eq!(end(Period::Yearly, "2025-05-20"), "2025-12-31");
        assert_eq!(
            Period::Monthly
                .next_last_day(d("2025-01-31"))
                .unwrap()
                .to_string(),
            "2025-02-28"
        );
        assert_eq!(Period::Yearly.last_day(Date::MAX), Some(Date::MAX));
        assert_eq!(Period::Daily.next_last_day(Date::MAX), None);
    }

    #[test]
    fn aggregates_of_a_bucket() {
        let v = [3.0, 1.0, 2.0];
        let got: Vec<_> = Agg::ALL.iter().map(|a| a.of(&v)).collect();
        assert_eq!(
            got,
            [
                Some(6.0),
                Some(3.0),
                Some(2.0),
                Some(1.0),
                Some(3.0),
                Some(3.0),
                Some(2.0)
            ]
        );
        let empty: Vec<_> = Agg::ALL.iter().map(|a| a.of(&[])).collect();
        assert_eq!(empty, [Some(0.0), Some(0.0), None, None, None, None, None]);
        assert!(Agg::ALL.iter().all(|a| Agg::parse(a.as_str()) == Some(*a)));
        assert!(Period::ALL
            .iter()
            .all(|p| Period::parse(p.as_str()) == Some(*p)));
    }
}
