//! A deterministic random number generator for tests and benchmarks: the BLAKE3 extendable output
//! of a seed. Its output is unpredictable to whoever made the vectors, which is all batch
//! verification needs, and it differs from call to call, which is all sealing needs (an application
//! passes `OsRng`, or a ChaCha20 generator seeded from it).
//!
//! Shared through `#[path]` by `tests/batch.rs`, `tests/dm.rs`, `benches/batch.rs` and
//! `benches/dm.rs`.

/// The BLAKE3 extendable output of a seed, as a `rand_core` generator.
pub struct TestRng(blake3::OutputReader);

impl TestRng {
    /// The generator of a numeric seed.
    pub fn new(seed: u64) -> Self {
        Self::from_seed_bytes(&seed.to_le_bytes())
    }

    /// The generator of a seed of any length.
    pub fn from_seed_bytes(seed: &[u8]) -> Self {
        let mut hasher = blake3::Hasher::new_derive_key("skylark tests rng");
        hasher.update(seed);
        TestRng(hasher.finalize_xof())
    }
}

impl rand_core::RngCore for TestRng {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0; 4];
        self.0.fill(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0; 8];
        self.0.fill(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill(dest);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.0.fill(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for TestRng {}
