//! Deterministic pseudo-random numbers (SplitMix64) for the lab tools: one
//! corpus gives one query set (`eval`) and one generated corpus (`gen`).

/// SplitMix64 from a seed.
#[derive(Debug, Clone)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`; 0 when `n` is 0, without drawing (the eval's
    /// query sets depend on exactly that).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next_u64() % n as u64) as usize }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published SplitMix64 sequence for seed 0 (the generator's reference
    /// output): the lab tools' figures depend on it staying the same.
    #[test]
    fn the_sequence_is_splitmix64() {
        let mut r = SplitMix64(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert!((0..1000).all(|_| r.below(7) < 7));
        let before = r.clone().next_u64();
        assert_eq!(r.below(0), 0);
        assert_eq!(r.next_u64(), before, "below(0) draws nothing");
    }
}
