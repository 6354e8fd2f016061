//! The hash chain linking every record to the one before it.

use sha2::{Digest, Sha256};

/// A SHA-256 chain hash.
pub type ChainHash = [u8; 32];

/// The "previous hash" of the record at position 1.
pub const GENESIS_HASH: ChainHash = [0u8; 32];

/// `h(n) = SHA-256(h(n-1) || bytes(n))`.
pub fn link(previous: &ChainHash, record: &[u8]) -> ChainHash {
    let mut hasher = Sha256::new();
    hasher.update(previous);
    hasher.update(record);
    hasher.finalize().into()
}
