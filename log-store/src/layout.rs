//! The layout of the log's directory that is not the events file's: sled's tree, the blocks
//! of positions, how far the indexes reach, and data format 1.
//!
//! The records live in the events file ([`crate::events_file`]); the indexes that find them
//! are in memory and in index runs ([`crate::index`]), and sled's tree holds the runs'
//! manifest. Format 1 kept the records themselves in sled ([`format1`]).
//!
//! Public so forensic tools and tamper tests can address the log directly.

use std::fs::File;

use crate::events_file;
use crate::{ChainHash, GENESIS_HASH, Position};

/// Name of the sled tree holding the manifest of the index runs.
pub const TREE: &str = "log";
/// Positions per block: the indexes keep the frame offset of each block's first position.
pub const BLOCK: u64 = 64;

/// The first position of the block holding `position` (≥ 1).
pub fn block_start(position: Position) -> Position {
    (position - 1) / BLOCK * BLOCK + 1
}

/// How far the indexes reach: everything of the events file before `end` is indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Indexed {
    /// The last indexed position (0: none).
    pub position: Position,
    /// Its chain hash.
    pub hash: ChainHash,
    /// Offset of its frame.
    pub last_frame: u64,
    /// Offset just past its frame: where the next record goes.
    pub end: u64,
}

impl Default for Indexed {
    fn default() -> Self {
        Indexed {
            position: 0,
            hash: GENESIS_HASH,
            last_frame: 0,
            end: 0,
        }
    }
}

impl Indexed {
    /// Whether this reach fits the events `file` of `len` bytes: within it, and its last
    /// frame there with the hash it says (indexes made of another file do not).
    pub(crate) fn fits(&self, file: &File, len: u64) -> bool {
        if self.end > len {
            return false;
        }
        if self.position == 0 {
            return self.end == 0;
        }
        match events_file::read_frame_at(file, self.last_frame, self.position) {
            Ok(frame) => frame.end() == self.end && frame.stored[..32] == self.hash,
            Err(_) => false,
        }
    }
}

/// Parses a big-endian u64 value.
pub fn be_u64(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.get(..8)?.try_into().ok()?))
}

/// Data format 1, where sled held the records themselves; read only by the upgrade.
pub mod format1 {
    use crate::Position;

    /// Key of the head record of format 1.
    pub const HEAD_KEY: &[u8] = b"Mhead";

    /// Key prefix of every entry of `stream` in format 1's stream index.
    fn stream_prefix(stream: &str) -> Vec<u8> {
        let mut k = Vec::with_capacity(3 + stream.len() + 8);
        k.push(b'S');
        k.extend_from_slice(&(stream.len() as u16).to_be_bytes());
        k.extend_from_slice(stream.as_bytes());
        k
    }

    /// Key of `stream`'s event with `version` in format 1's stream index.
    pub fn stream_key(stream: &str, version: u64) -> Vec<u8> {
        let mut k = stream_prefix(stream);
        k.extend_from_slice(&version.to_be_bytes());
        k
    }

    /// Key of the id index entry of `id` in format 1.
    pub fn id_key(id: u128) -> [u8; 17] {
        let mut k = [0u8; 17];
        k[0] = b'I';
        k[1..].copy_from_slice(&id.to_be_bytes());
        k
    }

    /// Key of the event at `position` in format 1: its value is the chain hash followed by
    /// the record.
    pub fn event_key(position: Position) -> [u8; 9] {
        let mut k = [0u8; 9];
        k[0] = b'E';
        k[1..].copy_from_slice(&position.to_be_bytes());
        k
    }
}
