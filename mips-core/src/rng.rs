//! Deterministic random numbers: every random draw in mips comes from a seeded ChaCha8 stream,
//! so the same seed gives the same result on any machine and at any thread count.

use rand::SeedableRng;
pub use rand_chacha::ChaCha8Rng as Rng;

/// A generator for `seed`, on the stream `stream` (independent streams for parallel work).
pub fn seeded(seed: u64, stream: u64) -> Rng {
    let mut rng = Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// Mixes two numbers into a new seed (SplitMix64 finalizer), for deriving sub-seeds.
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
