//! The on-disk key layout of [`SledLog`](crate::SledLog).
//!
//! Everything lives in one sled tree so that one `apply_batch` (crash-atomic in sled) writes a
//! whole group commit. Public so forensic tools and tamper tests can address records directly.
//!
//! | key | value |
//! | --- | --- |
//! | `E` position (u64 BE) | chain hash (32 bytes) followed by the record bytes |
//! | `S` stream-len (u16 BE) stream version (u64 BE) | position (u64 BE) |
//! | `I` id (u128 BE) | position (u64 BE) |
//! | `M` `head` | head position (u64 BE) followed by its chain hash |

use crate::Position;

/// Name of the sled tree holding the log.
pub const TREE: &str = "log";
/// Key of the head record.
pub const HEAD_KEY: &[u8] = b"Mhead";

/// Key of the event at `position`.
pub fn event_key(position: Position) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = b'E';
    k[1..].copy_from_slice(&position.to_be_bytes());
    k
}

/// Key prefix of every entry of `stream` in the stream index.
pub fn stream_prefix(stream: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(3 + stream.len() + 8);
    k.push(b'S');
    k.extend_from_slice(&(stream.len() as u16).to_be_bytes());
    k.extend_from_slice(stream.as_bytes());
    k
}

/// Key of `stream`'s event with `version` in the stream index.
pub fn stream_key(stream: &str, version: u64) -> Vec<u8> {
    let mut k = stream_prefix(stream);
    k.extend_from_slice(&version.to_be_bytes());
    k
}

/// The current version of `stream`: the last key of its index entries (no separate head
/// record, so an append writes three keys per event and nothing per stream).
pub fn stream_version(tree: &sled::Tree, stream: &str) -> sled::Result<Option<u64>> {
    let prefix = stream_prefix(stream);
    Ok(tree
        .scan_prefix(&prefix)
        .keys()
        .next_back()
        .transpose()?
        .and_then(|k| be_u64(&k[prefix.len()..])))
}

/// Key of the id index entry of `id`.
pub fn id_key(id: u128) -> [u8; 17] {
    let mut k = [0u8; 17];
    k[0] = b'I';
    k[1..].copy_from_slice(&id.to_be_bytes());
    k
}

/// Parses a big-endian u64 value.
pub fn be_u64(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.get(..8)?.try_into().ok()?))
}
