//! The write-ahead file that makes a group commit durable with one `fdatasync`.
//!
//! sled 0.34's `flush` writes its buffers and calls `sync_file_range`, which neither flushes
//! the disk's volatile write cache nor persists the file size, so it does not survive a power
//! loss; following it with an `fdatasync` of sled's file makes two device round trips per
//! commit. Instead, every group commit appends one checksummed frame holding the batch's stored
//! records to this file and `fdatasync`s it. The file is zero-filled ahead of the write offset
//! in large chunks (with a full `fsync` per chunk), so a commit's `fdatasync` never has file
//! size metadata to persist. sled receives the same batch in memory and writes it out in the
//! background; a checkpoint (sled flush plus `fdatasync` of sled's file) happens only when the
//! file is full, after which writing starts again at offset 0.
//!
//! On open, frames are read from offset 0 until the first one that is incomplete or fails its
//! checksum; every record whose position follows sled's recovered head is re-applied. Frames
//! left over from before the last checkpoint hold only positions sled already had durable at
//! that checkpoint, so they are skipped by position.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;

use crate::Position;

/// File name inside the data directory.
pub(crate) const WAL_FILE: &str = "caseledger.wal";
const FRAME_MAGIC: u32 = 0x434c_5731; // "CLW1"
const FRAME_HEADER: usize = 12; // magic, body length, crc32 of body
const ALLOCATION_CHUNK: u64 = 4 * 1024 * 1024;

/// A record as found in a frame: its position and stored bytes (chain hash + record).
pub(crate) type StoredRecord = (Position, Vec<u8>);

/// The write-ahead file and where the next frame goes.
pub(crate) struct Wal {
    file: File,
    offset: u64,
    allocated: u64,
    capacity: u64,
}

impl Wal {
    /// Opens (creating) the file and returns it with every record of its valid frames.
    pub(crate) fn open(dir: &Path, capacity: u64) -> std::io::Result<(Wal, Vec<StoredRecord>)> {
        let path = dir.join(WAL_FILE);
        let created = !path.exists();
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        if created {
            File::open(dir)?.sync_all()?;
        }
        let allocated = file.metadata()?.len();
        let mut bytes = Vec::with_capacity(allocated as usize);
        file.seek(SeekFrom::Start(0))?;
        file.read_to_end(&mut bytes)?;
        let records = read_frames(&bytes);
        let wal = Wal {
            file,
            offset: 0,
            allocated,
            capacity: capacity.max(4096),
        };
        Ok((wal, records))
    }

    /// Whether a frame with a body of `body_len` bytes must wait for a checkpoint because it
    /// would run past the capacity. A frame larger than the whole capacity is written at offset 0.
    pub(crate) fn needs_checkpoint(&self, body_len: usize) -> bool {
        self.offset > 0 && self.offset + (FRAME_HEADER + body_len) as u64 > self.capacity
    }

    /// Appends one frame and makes it durable.
    pub(crate) fn append(&mut self, body: &[u8]) -> std::io::Result<()> {
        let end = self.offset + (FRAME_HEADER + body.len()) as u64;
        self.ensure_allocated(end)?;
        let mut frame = Vec::with_capacity(FRAME_HEADER + body.len());
        frame.extend_from_slice(&FRAME_MAGIC.to_le_bytes());
        frame.extend_from_slice(&(body.len() as u32).to_le_bytes());
        frame.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
        frame.extend_from_slice(body);
        self.file.write_all_at(&frame, self.offset)?;
        self.file.sync_data()?;
        self.offset = end;
        Ok(())
    }

    /// Starts writing at the beginning again; call only once everything written so far is
    /// durable elsewhere (a checkpoint).
    pub(crate) fn restart(&mut self) {
        self.offset = 0;
    }

    /// Zero-fills the file up to at least `end` (in whole chunks) and persists its new size, so
    /// that later `fdatasync`s write data only.
    fn ensure_allocated(&mut self, end: u64) -> std::io::Result<()> {
        if end <= self.allocated {
            return Ok(());
        }
        let target = end.div_ceil(ALLOCATION_CHUNK) * ALLOCATION_CHUNK;
        let zeros = vec![0u8; 1024 * 1024];
        let mut at = self.allocated;
        while at < target {
            let n = (target - at).min(zeros.len() as u64) as usize;
            self.file.write_all_at(&zeros[..n], at)?;
            at += n as u64;
        }
        self.file.flush()?;
        self.file.sync_all()?;
        self.allocated = target;
        Ok(())
    }
}

/// Reads the records of the valid frames of a write-ahead file without opening it for writing.
pub(crate) fn read_file(path: &Path) -> std::io::Result<Vec<StoredRecord>> {
    Ok(read_frames(&std::fs::read(path)?))
}

/// Adds one stored record to a frame body.
pub(crate) fn push_record(body: &mut Vec<u8>, position: Position, stored: &[u8]) {
    body.extend_from_slice(&position.to_le_bytes());
    body.extend_from_slice(&(stored.len() as u32).to_le_bytes());
    body.extend_from_slice(stored);
}

/// Every record of the valid frames at the start of `bytes`, in file order.
fn read_frames(bytes: &[u8]) -> Vec<StoredRecord> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while let Some(header) = bytes.get(at..at + FRAME_HEADER) {
        let magic = u32::from_le_bytes(header[0..4].try_into().expect("4 bytes"));
        let len = u32::from_le_bytes(header[4..8].try_into().expect("4 bytes")) as usize;
        let crc = u32::from_le_bytes(header[8..12].try_into().expect("4 bytes"));
        let Some(body) = bytes.get(at + FRAME_HEADER..at + FRAME_HEADER + len) else {
            break;
        };
        if magic != FRAME_MAGIC || crc32fast::hash(body) != crc {
            break;
        }
        let mut r = body;
        let mut records = Vec::new();
        let ok = loop {
            if r.is_empty() {
                break true;
            }
            let Some((pos, rest)) = r.split_first_chunk::<8>() else {
                break false;
            };
            let Some((len, rest)) = rest.split_first_chunk::<4>() else {
                break false;
            };
            let len = u32::from_le_bytes(*len) as usize;
            let Some(stored) = rest.get(..len) else {
                break false;
            };
            records.push((u64::from_le_bytes(*pos), stored.to_vec()));
            r = &rest[len..];
        };
        if !ok {
            break;
        }
        out.extend(records);
        at += FRAME_HEADER + len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_a_torn_or_corrupt_tail_ends_recovery() {
        let dir = tempfile::tempdir().unwrap();
        let (mut wal, recovered) = Wal::open(dir.path(), 1 << 20).unwrap();
        assert!(recovered.is_empty());
        for batch in 0..3u64 {
            let mut body = Vec::new();
            push_record(&mut body, batch * 2 + 1, b"first");
            push_record(&mut body, batch * 2 + 2, b"second");
            wal.append(&body).unwrap();
        }
        drop(wal);
        let (_, recovered) = Wal::open(dir.path(), 1 << 20).unwrap();
        assert_eq!(
            recovered.iter().map(|r| r.0).collect::<Vec<_>>(),
            vec![1, 2, 3, 4, 5, 6]
        );
        assert_eq!(recovered[1].1, b"second");

        // Corrupt the third frame: recovery keeps the first two.
        let path = dir.path().join(WAL_FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        let frame_len = FRAME_HEADER + 2 * (8 + 4) + 5 + 6;
        bytes[2 * frame_len + FRAME_HEADER + 3] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let (_, recovered) = Wal::open(dir.path(), 1 << 20).unwrap();
        assert_eq!(recovered.len(), 4);
    }
}
