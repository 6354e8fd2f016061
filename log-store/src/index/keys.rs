//! The 64-bit keys of the index runs' filters, and the filters themselves.
//!
//! A run answers "might this id (or stream) be here?" from a binary fuse filter held in
//! memory (about 9 bits a key, under 0.4 % false positives), so a lookup reads only the runs
//! that hold its key. The keys are hashed with SHA-256 rather than std's hasher: the filters
//! are stored, and std does not promise its hash stays the same from one release to the next.

use sha2::{Digest, Sha256};
use xorf::{BinaryFuse8, Filter};

/// The filter key of an event id.
pub(crate) fn id_key(id: u128) -> u64 {
    first_u64(&Sha256::digest(id.to_be_bytes()))
}

/// The filter key of a stream name.
pub(crate) fn stream_key(stream: &str) -> u64 {
    first_u64(&Sha256::digest(stream.as_bytes()))
}

fn first_u64(digest: &[u8]) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(bytes)
}

/// A stored set of keys: `None` holds no key (a filter of nothing cannot be built).
#[derive(Debug, Clone)]
pub(crate) struct KeyFilter(Option<BinaryFuse8>);

/// Bytes of a stored filter before its fingerprints: seed, segment length, its mask and the
/// segment count length.
const DESCRIPTOR: usize = 20;

impl KeyFilter {
    /// The filter of `keys` (duplicates allowed).
    pub(crate) fn build(mut keys: Vec<u64>) -> KeyFilter {
        keys.sort_unstable();
        keys.dedup();
        if keys.is_empty() {
            return KeyFilter(None);
        }
        // Construction fails only for keys that are not distinct, which they are now.
        KeyFilter(BinaryFuse8::try_from(&keys).ok())
    }

    /// Whether `key` may be in the set (never false for one that is).
    pub(crate) fn may_contain(&self, key: u64) -> bool {
        self.0.as_ref().is_some_and(|f| f.contains(&key))
    }

    /// The stored form: empty for no key, else the descriptor then the fingerprints.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        if let Some(f) = &self.0 {
            let d = &f.descriptor;
            out.extend_from_slice(&d.seed.to_le_bytes());
            out.extend_from_slice(&d.segment_length.to_le_bytes());
            out.extend_from_slice(&d.segment_length_mask.to_le_bytes());
            out.extend_from_slice(&d.segment_count_length.to_le_bytes());
            out.extend_from_slice(&f.fingerprints);
        }
    }

    /// Reads the stored form; `None` when it is too short to be one.
    pub(crate) fn decode(bytes: &[u8]) -> Option<KeyFilter> {
        if bytes.is_empty() {
            return Some(KeyFilter(None));
        }
        if bytes.len() <= DESCRIPTOR {
            return None;
        }
        let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
        let descriptor = xorf::Descriptor {
            seed: u64::from_le_bytes(bytes[..8].try_into().ok()?),
            segment_length: u32_at(8),
            segment_length_mask: u32_at(12),
            segment_count_length: u32_at(16),
        };
        // A lookup reads up to three segments from a hash's segment: a descriptor that
        // promises more fingerprints than there are would read past them.
        let needed =
            descriptor.segment_count_length as usize + 2 * descriptor.segment_length as usize;
        if descriptor.segment_length == 0
            || descriptor.segment_length_mask != descriptor.segment_length - 1
            || bytes.len() - DESCRIPTOR < needed
        {
            return None;
        }
        Some(KeyFilter(Some(BinaryFuse8 {
            descriptor,
            fingerprints: bytes[DESCRIPTOR..].into(),
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_filter_holds_every_key_it_was_built_of_and_few_others() {
        let ids: Vec<u128> = (0..50_000u128).map(|i| i * 7_919 + (i << 80)).collect();
        let filter = KeyFilter::build(ids.iter().map(|&i| id_key(i)).collect());
        let mut stored = Vec::new();
        filter.encode(&mut stored);
        let read = KeyFilter::decode(&stored).unwrap();
        assert!(ids.iter().all(|&i| read.may_contain(id_key(i))));
        let strangers = (0..50_000u128)
            .filter(|i| read.may_contain(id_key(u128::MAX - i)))
            .count();
        assert!(strangers < 500, "{strangers} false positives in 50,000");
        assert!(stored.len() < 50_000 * 10 / 8 + DESCRIPTOR + 1024);
    }

    #[test]
    fn a_filter_of_nothing_holds_nothing() {
        let empty = KeyFilter::build(Vec::new());
        let mut stored = Vec::new();
        empty.encode(&mut stored);
        assert!(stored.is_empty());
        assert!(
            !KeyFilter::decode(&stored)
                .unwrap()
                .may_contain(stream_key("a"))
        );
        assert!(KeyFilter::decode(&[1, 2, 3]).is_none());
    }
}
