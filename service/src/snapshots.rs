//! Where read-model snapshots live and how they are checked.
//!
//! One file, `snapshots/projections.snap` in the data directory:
//! `["CLSNAP2\0": 8][position: u64 BE][chain hash of that position: 32][nonce: 24][sealed
//! body]`, where the body is [`Projections::snapshot`] sealed (XChaCha20-Poly1305, position and
//! chain hash as associated data) under the snapshot key derived from the master key: the read
//! models hold identifiers in the clear, and the file must not. The tag also stands in for a
//! checksum. The position is in the clear because it is evidence of how far the log reached
//! (see `integrity.rs`), which `verify` must read without the master key; the associated data
//! makes it as tamper-evident as the body. Files written before it existed
//! (`[chain hash: 32][nonce: 24][sealed body]`, the chain hash alone as associated data) are
//! still read. It is written to a
//! temporary file, synced, renamed over the old one and the directory synced, so a crash leaves
//! either the old or the new snapshot (and after forgetting a client, the old snapshot's bytes
//! are in no file). On load, the body must open and the log must hold the same chain hash at
//! that position (a snapshot of another log, or of a history rewritten since, is refused);
//! anything wrong means the snapshot is ignored and the projections are rebuilt from the log.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use caseledger_core::pii::crypto::NONCE_LEN;
use caseledger_core::{Date, SecretKey};
use caseledger_log_store::{Anchor, EventLog};
use caseledger_projections::Projections;

const MAGIC: &[u8; 8] = b"CLSNAP2\0";

/// Why a snapshot was not used.
#[derive(Debug)]
pub(crate) enum Skipped {
    /// It is at a position the log does not reach: the log lost what the snapshot saw.
    BeyondLog {
        /// The snapshot's position.
        position: u64,
    },
    /// Anything else (unreadable, another key, another history): rebuild from the log.
    Unusable(String),
}

impl From<&str> for Skipped {
    fn from(reason: &str) -> Self {
        Skipped::Unusable(reason.to_string())
    }
}

fn associated_data(position: u64, chain_hash: &[u8; 32]) -> Vec<u8> {
    let mut aad = MAGIC.to_vec();
    aad.extend_from_slice(&position.to_be_bytes());
    aad.extend_from_slice(chain_hash);
    aad
}

/// Where the snapshot of `data_dir` is.
pub(crate) fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("snapshots").join("projections.snap")
}

/// The position the snapshot of `data_dir` says the log reached, read from its header without
/// the master key; `None` when there is no snapshot or it predates the header.
pub(crate) fn anchor(data_dir: &Path) -> Option<Anchor> {
    let file = path(data_dir);
    let mut header = [0u8; 16];
    let mut f = fs::File::open(&file).ok()?;
    std::io::Read::read_exact(&mut f, &mut header).ok()?;
    if &header[..8] != MAGIC {
        return None;
    }
    Some(Anchor {
        position: u64::from_be_bytes(header[8..16].try_into().ok()?),
        // A snapshot of another history is a cache to rebuild, not a refusal (module docs of
        // `integrity.rs`): only its position is evidence.
        hash: None,
        evidence: format!("the read-model snapshot {}", file.display()),
    })
}

/// Writes a snapshot of `projections` durably. `chain_hash` is the log's hash at `position`,
/// theirs.
pub fn save(
    data_dir: &Path,
    mut body: Vec<u8>,
    position: u64,
    chain_hash: &[u8; 32],
    key: &SecretKey,
) -> std::io::Result<()> {
    let nonce: [u8; NONCE_LEN] =
        crate::keys::random_bytes().map_err(|e| std::io::Error::other(e.to_string()))?;
    key.seal_in_place(&nonce, &associated_data(position, chain_hash), &mut body);
    let sealed = body;
    let target = path(data_dir);
    let dir = target.parent().expect("snapshot path has a parent");
    // Private whatever the umask: the snapshot holds clear intakes (sealed, but still).
    caseledger_log_store::private::create_dir(dir)?;
    let temp = dir.join("projections.snap.tmp");
    let mut f = caseledger_log_store::private::create_file(&temp)?;
    f.write_all(MAGIC)?;
    f.write_all(&position.to_be_bytes())?;
    f.write_all(chain_hash)?;
    f.write_all(&nonce)?;
    f.write_all(&sealed)?;
    f.sync_all()?;
    drop(f);
    fs::rename(&temp, &target)?;
    fs::File::open(dir)?.sync_all()?;
    Ok(())
}

/// Loads the snapshot if there is a valid one for this log; says why not otherwise.
pub(crate) fn load(
    data_dir: &Path,
    log: &dyn EventLog,
    today: Date,
    key: &SecretKey,
) -> Result<Option<Projections>, Skipped> {
    let file = path(data_dir);
    let mut bytes = match fs::read(&file) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Skipped::Unusable(format!(
                "cannot read {}: {e}",
                file.display()
            )));
        }
    };
    let (header_position, rest) = match bytes.strip_prefix(MAGIC) {
        Some(rest) => {
            let (position, rest) = rest.split_first_chunk::<8>().ok_or("truncated")?;
            (Some(u64::from_be_bytes(*position)), rest)
        }
        None => (None, bytes.as_slice()),
    };
    let (chain_hash, rest) = rest.split_first_chunk::<32>().ok_or("truncated")?;
    let (nonce, sealed) = rest.split_first_chunk::<NONCE_LEN>().ok_or("truncated")?;
    let (chain_hash, nonce) = (*chain_hash, *nonce);
    let aad = match header_position {
        Some(position) => associated_data(position, &chain_hash),
        None => chain_hash.to_vec(),
    };
    // Opened where it was read: a snapshot is as large as the read models, and a second copy
    // of it would be a second copy's worth of memory to fault in at start-up.
    let start = bytes.len() - sealed.len();
    bytes.drain(..start);
    let mut body = bytes;
    if !key.open_in_place(&nonce, &aad, &mut body) {
        return Err("the snapshot does not open with this master key (or was altered)".into());
    }
    let projections =
        Projections::from_snapshot(&body, today).map_err(|e| Skipped::Unusable(e.to_string()))?;
    let position = projections.position();
    if header_position.is_some_and(|p| p != position) {
        return Err("the snapshot's header and body name different positions".into());
    }
    if position > 0 {
        let record = log
            .read_all(position, 1)
            .map_err(|e| Skipped::Unusable(e.to_string()))?;
        match record.first() {
            Some(r) if r.position == position && r.hash == chain_hash => {}
            Some(_) => {
                return Err(Skipped::Unusable(format!(
                    "the log's chain hash at position {position} differs: the snapshot is of another history"
                )));
            }
            None => return Err(Skipped::BeyondLog { position }),
        }
    }
    Ok(Some(projections))
}
