//! A keyed pseudorandom permutation of `[0, n)`: how a list turns its allocation counter
//! (0, 1, 2, …) into indexes that look random (the status-list draft's privacy advice: an index
//! must not reveal issue order) yet never repeat, so allocation needs no retries and no reads of
//! taken indexes.
//!
//! Construction: a balanced Feistel network over the smallest even bit width `2h` with
//! `2^(2h) >= n`, four rounds of HMAC-SHA256 (Luby–Rackoff: four rounds of a PRF give a strong
//! pseudorandom permutation), then cycle-walking (re-applying until the value falls below `n`),
//! which restricts a permutation of `[0, 2^(2h))` to one of `[0, n)`. As `2^(2h) < 4n`, fewer
//! than four walks are needed on average.

use ring::hmac;

/// Rounds of the Feistel network.
const ROUNDS: u8 = 4;

/// A permutation of `[0, n)` under one key.
pub struct Permutation {
    key: hmac::Key,
    n: u64,
    half_bits: u32,
}

impl Permutation {
    /// The permutation of `[0, n)` (`n >= 1`) selected by `key`.
    pub fn new(key: &[u8], n: u64) -> Permutation {
        let n = n.max(1);
        let bits = (u64::BITS - (n - 1).leading_zeros()).max(2);
        Permutation {
            key: hmac::Key::new(hmac::HMAC_SHA256, key),
            n,
            half_bits: bits.div_ceil(2),
        }
    }

    /// The image of `x` (`x < n`; larger values are reduced modulo `n`).
    pub fn apply(&self, x: u64) -> u64 {
        let mut v = x % self.n;
        loop {
            v = self.feistel(v);
            if v < self.n {
                return v;
            }
        }
    }

    fn feistel(&self, v: u64) -> u64 {
        let mask = (1u64 << self.half_bits) - 1;
        let (mut left, mut right) = (v >> self.half_bits, v & mask);
        for round in 0..ROUNDS {
            let next = left ^ (self.round(round, right) & mask);
            left = right;
            right = next;
        }
        (left << self.half_bits) | right
    }

    fn round(&self, round: u8, half: u64) -> u64 {
        let mut input = [0u8; 9];
        input[0] = round;
        input[1..].copy_from_slice(&half.to_le_bytes());
        let tag = hmac::sign(&self.key, &input);
        let mut out = [0u8; 8];
        out.copy_from_slice(&tag.as_ref()[..8]);
        u64::from_le_bytes(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_a_bijection_for_awkward_sizes() {
        for n in [1u64, 2, 3, 5, 1000, 1024, 1025, 4099] {
            let p = Permutation::new(b"key", n);
            let mut seen = vec![false; n as usize];
            for x in 0..n {
                let y = p.apply(x);
                assert!(y < n, "{y} out of [0, {n})");
                assert!(!seen[y as usize], "{y} came twice for n = {n}");
                seen[y as usize] = true;
            }
        }
    }

    #[test]
    fn looks_random_and_depends_on_the_key() {
        let a = Permutation::new(b"key a", 1 << 20);
        let b = Permutation::new(b"key b", 1 << 20);
        let first_a: Vec<u64> = (0..16).map(|x| a.apply(x)).collect();
        let first_b: Vec<u64> = (0..16).map(|x| b.apply(x)).collect();
        assert_ne!(first_a, first_b);
        // Issue order is not index order: consecutive counters land far apart.
        let ascending = first_a.windows(2).filter(|w| w[0] < w[1]).count();
        assert!((3..=12).contains(&ascending), "{first_a:?}");
        assert!(first_a.iter().any(|&i| i > 1 << 19) && first_a.iter().any(|&i| i < 1 << 19));
    }
}
