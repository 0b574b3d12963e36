//! The order of a series' values, for the rank index of `percentile` and
//! `median`: a stable radix sort of the values' bits, a byte at a time.
//! A comparison sort of ten years of daily values was half the cost of
//! building the index; the radix sort does a few linear passes instead,
//! and skips the bytes every value shares (the sign and exponent of values
//! of one magnitude).

/// The positions of `values` from the smallest value to the largest, in
/// `f64::total_cmp`'s order; equal values keep their order of position.
pub fn positions_by_value(values: &[f64]) -> Vec<u32> {
    let keys: Vec<u64> = values.iter().map(|v| ordered_bits(*v)).collect();
    let n = keys.len();
    let mut counts = vec![[0u32; 256]; 8];
    for &k in &keys {
        for (byte, count) in counts.iter_mut().enumerate() {
            count[digit(k, byte)] += 1;
        }
    }
    let mut order: Vec<u32> = (0..n as u32).collect();
    let mut next = vec![0u32; n];
    for (byte, count) in counts.iter().enumerate() {
        if count.iter().any(|&c| c as usize == n) {
            // Every key has this byte: the pass would change nothing.
            continue;
        }
        let mut start = [0usize; 256];
        let mut total = 0;
        for (s, &c) in start.iter_mut().zip(count.iter()) {
            *s = total;
            total += c as usize;
        }
        // In the current order, so that the sort stays stable.
        for &i in &order {
            let d = digit(keys[i as usize], byte);
            next[start[d]] = i;
            start[d] += 1;
        }
        std::mem::swap(&mut order, &mut next);
    }
    order
}

/// `v`'s bits as an integer ordered as `f64::total_cmp` orders values:
/// negative values (sign bit set) have every bit flipped, the others only
/// the sign bit.
fn ordered_bits(v: f64) -> u64 {
    let bits = v.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

fn digit(key: u64, byte: usize) -> usize {
    ((key >> (8 * byte)) & 0xff) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn special_values_sort_as_total_cmp_does() {
        let v = [
            1.5,
            f64::NAN,
            -0.0,
            0.0,
            f64::NEG_INFINITY,
            -f64::NAN,
            f64::INFINITY,
            -2.0,
            1.5,
            f64::MIN_POSITIVE,
        ];
        let mut want: Vec<u32> = (0..v.len() as u32).collect();
        want.sort_by(|&a, &b| v[a as usize].total_cmp(&v[b as usize]));
        assert_eq!(positions_by_value(&v), want);
        assert!(positions_by_value(&[]).is_empty());
        assert_eq!(positions_by_value(&[3.0, 3.0, 3.0]), [0, 1, 2]);
    }

    proptest! {
        /// A stable sort by `total_cmp`, ties (frequent here) included.
        #[test]
        fn matches_a_stable_sort(
            values in proptest::collection::vec(
                prop_oneof![-1e6f64..1e6, (-4i32..4).prop_map(f64::from), any::<f64>()],
                0..300,
            ),
        ) {
            let mut want: Vec<u32> = (0..values.len() as u32).collect();
            want.sort_by(|&a, &b| values[a as usize].total_cmp(&values[b as usize]));
            prop_assert_eq!(positions_by_value(&values), want);
        }
    }
}
