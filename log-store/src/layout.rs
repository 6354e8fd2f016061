//! The indexes of [`SledLog`](crate::SledLog) in sled, and the layout of data format 1.
//!
//! The records live in the events file ([`crate::events_file`]); sled holds only what finds
//! them, in one tree, written after each commit is durable and rebuilt from the events file on
//! open wherever sled's copy ends short of it:
//!
//! | key | value |
//! | --- | --- |
//! | `S` stream-len (u16 BE) stream version (u64 BE) | position (u64 BE), frame offset (u64 BE) |
//! | `I` id (u128 BE) | position (u64 BE), frame offset (u64 BE) |
//! | `O` block (u64 BE) | frame offset (u64 BE) of position `block × 64 + 1` |
//! | `M` `indexed` | [`Indexed`]: the last indexed position, its hash, its frame's offset, the end |
//!
//! Public so forensic tools and tamper tests can address the log directly.

use std::fs::File;

use crate::events_file::Cursor;
use crate::{ChainHash, GENESIS_HASH, LogError, Position};

/// Name of the sled tree holding the indexes.
pub const TREE: &str = "log";
/// Key of how far the indexes reach.
pub const INDEXED_KEY: &[u8] = b"Mindexed";
/// Positions per entry of the sparse position index (`O`).
pub const BLOCK: u64 = 64;

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

/// The current version of `stream` among records at or before `head`: its last index entry
/// whose record is there (no separate head record, so an append writes nothing per stream).
/// Entries past the head are a batch the writer is indexing, not yet visible.
pub fn stream_version(
    tree: &sled::Tree,
    stream: &str,
    head: Position,
) -> sled::Result<Option<u64>> {
    let prefix = stream_prefix(stream);
    for entry in tree.scan_prefix(&prefix).rev() {
        let (key, value) = entry?;
        if read_located(&value).is_some_and(|(position, _)| position <= head) {
            return Ok(be_u64(&key[prefix.len()..]));
        }
    }
    Ok(None)
}

/// Key of the id index entry of `id`.
pub fn id_key(id: u128) -> [u8; 17] {
    let mut k = [0u8; 17];
    k[0] = b'I';
    k[1..].copy_from_slice(&id.to_be_bytes());
    k
}

/// Key of the sparse position index entry of the block holding `position` (≥ 1).
pub fn block_key(position: Position) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = b'O';
    k[1..].copy_from_slice(&((position - 1) / BLOCK).to_be_bytes());
    k
}

/// The first position of the block holding `position` (≥ 1).
pub fn block_start(position: Position) -> Position {
    (position - 1) / BLOCK * BLOCK + 1
}

/// The value of a stream or id index entry.
pub fn located(position: Position, offset: u64) -> [u8; 16] {
    let mut v = [0u8; 16];
    v[..8].copy_from_slice(&position.to_be_bytes());
    v[8..].copy_from_slice(&offset.to_be_bytes());
    v
}

/// Reads a [`located`] value: (position, frame offset).
pub fn read_located(bytes: &[u8]) -> Option<(Position, u64)> {
    Some((be_u64(bytes)?, be_u64(bytes.get(8..)?)?))
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
    /// The stored value.
    pub fn encode(&self) -> [u8; 56] {
        let mut v = [0u8; 56];
        v[..8].copy_from_slice(&self.position.to_be_bytes());
        v[8..40].copy_from_slice(&self.hash);
        v[40..48].copy_from_slice(&self.last_frame.to_be_bytes());
        v[48..].copy_from_slice(&self.end.to_be_bytes());
        v
    }

    /// Reads a stored value.
    pub fn decode(bytes: &[u8]) -> Option<Indexed> {
        Some(Indexed {
            position: be_u64(bytes)?,
            hash: bytes.get(8..40)?.try_into().ok()?,
            last_frame: be_u64(bytes.get(40..)?)?,
            end: be_u64(bytes.get(48..)?)?,
        })
    }
}

/// Offset of the frame of `position` (1..=head) in the events `file`: the sparse index's
/// block, then the frames before it in the block.
pub(crate) fn offset_of(
    tree: &sled::Tree,
    file: &File,
    position: Position,
) -> Result<u64, LogError> {
    point_cursor(tree, file, position).map(|c| c.offset())
}

/// A point-reading cursor (small reads) at the frame of `position`, found from its block's
/// offset by stepping over the frames before it.
pub(crate) fn point_cursor<'f>(
    tree: &sled::Tree,
    file: &'f File,
    position: Position,
) -> Result<Cursor<'f>, LogError> {
    let block = tree
        .get(block_key(position))?
        .and_then(|v| be_u64(&v))
        .ok_or_else(|| LogError::Corrupt {
            position,
            reason: "the position index has no entry for it".into(),
        })?;
    let mut cursor = Cursor::point(file, block);
    for _ in block_start(position)..position {
        if !cursor.skip_frame()? {
            return Err(LogError::Corrupt {
                position,
                reason: "the events file ends before the frame the index leads to".into(),
            });
        }
    }
    Ok(cursor)
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

    /// Key of the event at `position` in format 1: its value is the chain hash followed by
    /// the record.
    pub fn event_key(position: Position) -> [u8; 9] {
        let mut k = [0u8; 9];
        k[0] = b'E';
        k[1..].copy_from_slice(&position.to_be_bytes());
        k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream whose version 2 the writer is indexing (its record past the head) still reads
    /// as version 1 to everyone but the writer.
    #[test]
    fn stream_version_stops_at_the_head() {
        let db = sled::Config::new().temporary(true).open().unwrap();
        let tree = db.open_tree(TREE).unwrap();
        tree.insert(stream_key("client-1", 1), &located(7, 0))
            .unwrap();
        tree.insert(stream_key("client-1", 2), &located(9, 400))
            .unwrap();
        tree.insert(stream_key("client-10", 1), &located(8, 200))
            .unwrap();
        assert_eq!(stream_version(&tree, "client-1", 8).unwrap(), Some(1));
        assert_eq!(stream_version(&tree, "client-1", 9).unwrap(), Some(2));
        assert_eq!(stream_version(&tree, "client-1", 6).unwrap(), None);
        assert_eq!(stream_version(&tree, "client-2", 9).unwrap(), None);
    }
}
