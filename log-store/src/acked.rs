//! The acknowledged high-water mark: a small file beside sled's, `log.acked`, naming the last
//! position (and its chain hash) this log acknowledged.
//!
//! sled's recovery takes a damaged segment for the end of its log and silently presents the
//! consistent prefix before it. Nothing inside sled can tell that prefix from a log that really
//! ends there, so the proof that more was acknowledged has to live outside sled.
//!
//! Why it is written the way it is:
//!
//! - **After** each group commit is durable and **before** its requests are answered, the
//!   writer overwrites one slot with `pwrite` — no sync. A `pwrite` is a copy into the page
//!   cache (microseconds); an `fsync` per commit would double the cost of every commit. Because
//!   the mark is written only once sled's own sync returned, it can never name a position that
//!   is not durable (sound: a good log is never refused); because it is written before the
//!   answer, every acknowledged position is in it as soon as the kernel has the page — which a
//!   process crash (SIGKILL) does not lose. After a power loss the file may hold an older mark
//!   (the kernel writes dirty pages back within about 30 s, and at [`AckedMark::sync`]): still
//!   a lower bound, just a weaker one.
//! - Two slots, 4 KiB apart so they never share a page or a sector, written alternately: a
//!   write torn by a power loss damages at most the slot being written, and the other still
//!   holds the previous mark. A slot carries a sequence number and a checksum; the valid slot
//!   with the highest sequence wins.
//! - The file is created with both slots holding the head found at open, and synced (with its
//!   directory) before any append is taken, so an existing file always has a valid slot.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::{ChainHash, Head, LogError};

/// File name of the mark, in the log's directory.
pub const FILE_NAME: &str = "log.acked";

const MAGIC: &[u8; 8] = b"CLACKv1\0";
const SLOT_LEN: usize = 64;
const SLOT_OFFSETS: [u64; 2] = [0, 4096];

/// The mark file of an open log, written by the writer thread.
pub(crate) struct AckedMark {
    file: File,
    sequence: u64,
}

/// Where the mark of the log in `dir` is.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// Reads the mark of the log in `dir`: `Ok(None)` when there is no mark file (a log written
/// before marks existed, or a new one).
pub fn read(dir: &Path) -> Result<Option<Head>, LogError> {
    Ok(read_slots(&path(dir))?.map(|(_, head)| head))
}

fn read_slots(path: &Path) -> Result<Option<(u64, Head)>, LogError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let best = SLOT_OFFSETS
        .iter()
        .filter_map(|&at| bytes.get(at as usize..at as usize + SLOT_LEN))
        .filter_map(decode)
        .max_by_key(|(sequence, _)| *sequence);
    match best {
        Some(mark) => Ok(Some(mark)),
        None => Err(LogError::MarkDamaged {
            path: path.display().to_string(),
        }),
    }
}

fn encode(sequence: u64, head: Head) -> [u8; SLOT_LEN] {
    let mut slot = [0u8; SLOT_LEN];
    slot[..8].copy_from_slice(MAGIC);
    slot[8..16].copy_from_slice(&sequence.to_be_bytes());
    slot[16..24].copy_from_slice(&head.position.to_be_bytes());
    slot[24..56].copy_from_slice(&head.hash);
    let sum = Sha256::digest(&slot[..56]);
    slot[56..].copy_from_slice(&sum[..8]);
    slot
}

fn decode(slot: &[u8]) -> Option<(u64, Head)> {
    if &slot[..8] != MAGIC || Sha256::digest(&slot[..56])[..8] != slot[56..64] {
        return None;
    }
    let sequence = u64::from_be_bytes(slot[8..16].try_into().ok()?);
    let position = u64::from_be_bytes(slot[16..24].try_into().ok()?);
    let hash: ChainHash = slot[24..56].try_into().ok()?;
    Some((sequence, Head { position, hash }))
}

impl AckedMark {
    /// Opens the mark of the log in `dir` for writing, creating it (durably) with `head` when
    /// missing. The caller has already checked the log against the stored mark.
    pub(crate) fn open(dir: &Path, head: Head) -> Result<Self, LogError> {
        let path = path(dir);
        let sequence = match read_slots(&path)? {
            Some((sequence, _)) => sequence,
            None => {
                let mut file = OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .open(&path)?;
                let mut bytes = vec![0u8; SLOT_OFFSETS[1] as usize + SLOT_LEN];
                bytes[..SLOT_LEN].copy_from_slice(&encode(0, head));
                bytes[SLOT_OFFSETS[1] as usize..].copy_from_slice(&encode(0, head));
                file.write_all(&bytes)?;
                file.sync_all()?;
                File::open(dir)?.sync_all()?;
                0
            }
        };
        let file = OpenOptions::new().write(true).open(&path)?;
        Ok(AckedMark { file, sequence })
    }

    /// Records `head` as acknowledged (into the page cache; see the module docs).
    pub(crate) fn record(&mut self, head: Head) -> Result<(), LogError> {
        self.sequence += 1;
        let at = SLOT_OFFSETS[(self.sequence % 2) as usize];
        self.file.write_all_at(&encode(self.sequence, head), at)?;
        Ok(())
    }

    /// Makes the mark durable (at close).
    pub(crate) fn sync(&self) -> Result<(), LogError> {
        self.file.sync_data()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_valid_slot_wins_and_a_torn_one_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let head = |position| Head {
            position,
            hash: [position as u8; 32],
        };
        let mut mark = AckedMark::open(dir.path(), head(3)).unwrap();
        assert_eq!(read(dir.path()).unwrap(), Some(head(3)));
        mark.record(head(5)).unwrap();
        mark.record(head(9)).unwrap();
        assert_eq!(read(dir.path()).unwrap(), Some(head(9)));
        // Tear the newest slot: the previous mark is still there.
        let mut bytes = std::fs::read(path(dir.path())).unwrap();
        bytes[SLOT_OFFSETS[0] as usize + 20] ^= 0xff;
        std::fs::write(path(dir.path()), &bytes).unwrap();
        assert_eq!(read(dir.path()).unwrap(), Some(head(5)));
        // Both torn: damage, not "no mark".
        bytes[SLOT_OFFSETS[1] as usize + 20] ^= 0xff;
        std::fs::write(path(dir.path()), &bytes).unwrap();
        assert!(matches!(
            read(dir.path()),
            Err(LogError::MarkDamaged { .. })
        ));
    }
}
