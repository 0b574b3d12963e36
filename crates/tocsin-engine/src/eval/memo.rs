//! The evaluator's memo tables: one answer per instance scope and date.
//!
//! A backtest asks for one day after another in each scope, and a `for:`
//! window for the days just before: each scope keeps its answers in a
//! vector indexed by day, so that the common lookup is one probe into a
//! small table of scopes and an index, not a probe into a table of every
//! (scope, date) pair ever asked. Dates far from the days a scope holds
//! (an evaluation decades away from the others) go to a map instead, so
//! that the vector never spans them.

use crate::time::Date;
// Keyed by scope numbers and dates, which no one chooses to collide.
use rustc_hash::FxHashMap as HashMap;

/// How far beyond the days a scope holds a date may be and still extend
/// them, in days.
const REACH: i64 = 1024;

/// Answers of type `T` by scope and date.
#[derive(Clone, Debug)]
pub struct Memo<T> {
    scopes: HashMap<u32, Days<T>>,
}

impl<T> Default for Memo<T> {
    fn default() -> Memo<T> {
        Memo {
            scopes: HashMap::default(),
        }
    }
}

#[derive(Clone, Debug)]
struct Days<T> {
    /// The date of `slots[0]`.
    first: Date,
    slots: Vec<Option<T>>,
    /// Answers for dates too far from `slots`.
    far: HashMap<Date, T>,
}

impl<T: Clone> Memo<T> {
    /// The answer for `t` in `scope`, if there is one.
    pub fn get(&self, scope: u32, t: Date) -> Option<&T> {
        let days = self.scopes.get(&scope)?;
        let k = i64::from(t.0) - i64::from(days.first.0);
        match usize::try_from(k).ok().and_then(|k| days.slots.get(k)) {
            Some(slot) => slot.as_ref(),
            None => days.far.get(&t),
        }
    }

    /// Keeps `v` as the answer for `t` in `scope`.
    pub fn insert(&mut self, scope: u32, t: Date, v: T) {
        let days = self.scopes.entry(scope).or_insert_with(|| Days {
            first: t,
            slots: Vec::new(),
            far: HashMap::default(),
        });
        let len = days.slots.len() as i64;
        let k = i64::from(t.0) - i64::from(days.first.0);
        if (0..len).contains(&k) {
            days.slots[k as usize] = Some(v);
        } else if (len..len + REACH).contains(&k) {
            days.slots.resize(k as usize, None);
            days.slots.push(Some(v));
        } else if (-REACH..0).contains(&k) {
            // Earlier days come one by one as a `for:` window is walked
            // back: room is made for as many again as there are, so that
            // the days are moved a logarithmic number of times.
            let room = (-k).max(len).min(REACH);
            let Some(first) = days.first.add_days(-room) else {
                days.far.insert(t, v);
                return;
            };
            let mut slots = vec![None; room as usize];
            slots.append(&mut days.slots);
            days.slots = slots;
            days.first = first;
            days.slots[(k + room) as usize] = Some(v);
        } else {
            days.far.insert(t, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_by_scope_and_date_near_and_far() {
        let mut m = Memo::default();
        let d = |n: i32| Date(20_000 + n);
        // Forward, backward (a `for:` walk), and far in both directions.
        let days = [0, 1, 2, 5, -1, -2, -40, 3000, -3000, 1023, 4, -1025];
        for (k, &n) in days.iter().enumerate() {
            m.insert(1, d(n), k);
            m.insert(7, d(n), 100 + k);
        }
        for (k, &n) in days.iter().enumerate() {
            assert_eq!(m.get(1, d(n)), Some(&k), "day {n}");
            assert_eq!(m.get(7, d(n)), Some(&(100 + k)), "day {n}");
        }
        for n in [3, 6, -3, 2999, -2999, 100_000] {
            assert_eq!(m.get(1, d(n)), None, "day {n}");
        }
        assert_eq!(m.get(2, d(0)), None);
        m.insert(1, d(0), 42);
        assert_eq!(m.get(1, d(0)), Some(&42));
        // At the edges of the calendar, room before the first day held may
        // not be had: the day goes to the map.
        let min = Date::MIN.0;
        for n in 0..10 {
            m.insert(3, Date(min + 2 + n), n as usize);
        }
        m.insert(3, Date(min + 1), 20);
        m.insert(3, Date(min), 21);
        m.insert(3, Date::MAX, 22);
        assert_eq!(m.get(3, Date(min + 1)), Some(&20));
        assert_eq!(m.get(3, Date(min)), Some(&21));
        assert_eq!(m.get(3, Date(min + 11)), Some(&9));
        assert_eq!(m.get(3, Date::MAX), Some(&22));
    }
}
