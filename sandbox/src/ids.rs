//! Identifiers the sandbox hands out: request ids for error bodies, instance tokens and OAuth codes.
//!
//! No `rand` dependency: std's `RandomState` gives per-process random SipHash keys, which we hash
//! together with a counter and the clock. Uniqueness does not rest on luck: the first eight bytes of
//! every id are a keyed permutation (a small Feistel network) of a process-wide counter, so two ids
//! drawn from one generator never collide, while they still look random.

use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Number of random bytes in an instance token: 26 bytes are 36 base64 characters ending in `=`,
/// the shape of the tokens in the platform's documentation.
const TOKEN_BYTES: usize = 26;

/// A source of unique, random-looking identifiers. Cheap to share between threads.
pub(crate) struct IdGen {
    keys: RandomState,
    counter: AtomicU64,
}

impl IdGen {
    pub(crate) fn new() -> IdGen {
        IdGen { keys: RandomState::new(), counter: AtomicU64::new(0) }
    }

    /// A unique request id: 24 lowercase hex characters.
    pub(crate) fn request_id(&self) -> String {
        let (unique, random) = self.draw();
        format!("{unique:016x}{:08x}", random as u32)
    }

    /// A unique OAuth authorization code: 32 lowercase hex characters (URL-safe as is).
    pub(crate) fn oauth_code(&self) -> String {
        let (unique, random) = self.draw();
        format!("{unique:016x}{random:016x}")
    }

    /// A unique instance token: 26 bytes in standard base64 (36 characters, `+`, `/`, `=`).
    pub(crate) fn token(&self) -> String {
        let (unique, _) = self.draw();
        let mut bytes = [0u8; TOKEN_BYTES];
        bytes[..8].copy_from_slice(&unique.to_be_bytes());
        for chunk in bytes[8..].chunks_mut(8) {
            let random = self.random_u64().to_be_bytes();
            chunk.copy_from_slice(&random[..chunk.len()]);
        }
        base64(&bytes)
    }

    /// A fresh counter value, both permuted (unique) and hashed (random).
    fn draw(&self) -> (u64, u64) {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        (self.permute(n), self.hash(&[1, n, nanos()]))
    }

    fn random_u64(&self) -> u64 {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        self.hash(&[2, n, nanos()])
    }

    fn hash(&self, words: &[u64]) -> u64 {
        let mut hasher = self.keys.build_hasher();
        for &word in words {
            hasher.write_u64(word);
        }
        hasher.finish()
    }

    /// A bijection on `u64` keyed by this generator's secret keys (four Feistel rounds).
    fn permute(&self, value: u64) -> u64 {
        let (mut left, mut right) = ((value >> 32) as u32, value as u32);
        for round in 0..4 {
            let mixed = self.hash(&[3, round, u64::from(right)]) as u32;
            (left, right) = (right, left ^ mixed);
        }
        (u64::from(left) << 32) | u64::from(right)
    }
}

fn nanos() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn base64_matches_known_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn tokens_have_the_documented_shape_and_are_unique() {
        let ids = IdGen::new();
        let mut seen = HashSet::new();
        for _ in 0..10_000 {
            let token = ids.token();
            assert_eq!(token.len(), 36);
            assert!(token.ends_with('=') && !token.ends_with("=="));
            assert!(seen.insert(token));
        }
    }

    #[test]
    fn request_ids_are_24_hex_chars_and_unique() {
        let ids = IdGen::new();
        let mut seen = HashSet::new();
        for _ in 0..10_000 {
            let id = ids.request_id();
            assert_eq!(id.len(), 24);
            assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
            assert!(seen.insert(id));
        }
    }

    #[test]
    fn permutation_is_a_bijection_on_a_sample() {
        let ids = IdGen::new();
        let outputs: HashSet<u64> = (0..50_000).map(|n| ids.permute(n)).collect();
        assert_eq!(outputs.len(), 50_000);
    }
}
