//! A fast hasher for the tables of names built while loading.
//!
//! The checker's tables are keyed by names from the rule files and small
//! integers, the data loader's by series names and cells from the data
//! files; the default SipHash, built to resist keys chosen to collide, took
//! about a sixth of the checking time. This is the multiply-and-rotate hash
//! of rustc (FxHash): a few instructions a word. Files whose names were
//! chosen to collide would only slow their own loading down.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`FxHasher`].
pub type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A `HashSet` with [`FxHasher`].
pub type FxHashSet<T> = HashSet<T, BuildHasherDefault<FxHasher>>;

/// The hasher: one multiply and one rotate per word.
#[derive(Clone, Copy, Debug, Default)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_differ_hash_apart() {
        let mut map: FxHashMap<&str, usize> = FxHashMap::default();
        let names = ["a", "b", "ab", "ba", "a_long_name_1", "a_long_name_2", ""];
        for (k, n) in names.iter().enumerate() {
            map.insert(n, k);
        }
        for (k, n) in names.iter().enumerate() {
            assert_eq!(map.get(n), Some(&k));
        }
        let hash = |s: &str| {
            let mut h = FxHasher::default();
            h.write(s.as_bytes());
            h.finish()
        };
        assert_ne!(hash("a_long_name_1"), hash("a_long_name_2"));
    }
}
