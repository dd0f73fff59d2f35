//! Seeded random number generators.
//!
//! Everything random in Orrery (simulation, splits, initialisation, sampling) draws from
//! ChaCha8 seeded from a `u64`: portable across platforms and releases of this crate, so
//! that the same seed gives the same bytes everywhere.

use rand::SeedableRng;
pub use rand_chacha::ChaCha8Rng as Rng;

/// The generator for `seed`.
pub fn seeded(seed: u64) -> Rng {
    Rng::seed_from_u64(seed)
}

/// An independent generator for stream `stream` of `seed` (e.g. one per thread or per
/// epoch), so that parallel work stays deterministic.
pub fn stream(seed: u64, stream: u64) -> Rng {
    let mut rng = Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}
