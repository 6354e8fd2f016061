//! Where read-model snapshots live and how they are checked.
//!
//! One file, `snapshots/projections.snap` in the data directory:
//! `[chain hash of the snapshot's position: 32][nonce: 24][sealed body]`, where the body is
//! [`Projections::snapshot`] sealed (XChaCha20-Poly1305, the chain hash as associated data)
//! under the snapshot key derived from the master key: the read models hold identifiers in the
//! clear, and the file must not. The tag also stands in for a checksum. It is written to a
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
use caseledger_log_store::EventLog;
use caseledger_projections::Projections;

/// Where the snapshot of `data_dir` is.
pub(crate) fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("snapshots").join("projections.snap")
}

/// Writes a snapshot of `projections` durably. `chain_hash` is the log's hash at their position.
pub fn save(
    data_dir: &Path,
    body: &[u8],
    chain_hash: &[u8; 32],
    key: &SecretKey,
) -> std::io::Result<()> {
    let nonce: [u8; NONCE_LEN] =
        crate::keys::random_bytes().map_err(|e| std::io::Error::other(e.to_string()))?;
    let sealed = key.seal(&nonce, chain_hash, body);
    let target = path(data_dir);
    let dir = target.parent().expect("snapshot path has a parent");
    // Private whatever the umask: the snapshot holds clear intakes (sealed, but still).
    caseledger_log_store::private::create_dir(dir)?;
    let temp = dir.join("projections.snap.tmp");
    let mut f = caseledger_log_store::private::create_file(&temp)?;
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
pub fn load(
    data_dir: &Path,
    log: &dyn EventLog,
    today: Date,
    key: &SecretKey,
) -> Result<Option<Projections>, String> {
    let file = path(data_dir);
    let bytes = match fs::read(&file) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", file.display())),
    };
    let (chain_hash, rest) = bytes.split_first_chunk::<32>().ok_or("truncated")?;
    let (nonce, sealed) = rest.split_first_chunk::<NONCE_LEN>().ok_or("truncated")?;
    let body = key
        .open(nonce, chain_hash, sealed)
        .ok_or("the snapshot does not open with this master key (or was altered)")?;
    let projections = Projections::from_snapshot(&body, today).map_err(|e| e.to_string())?;
    let position = projections.position();
    if position > 0 {
        let record = log.read_all(position, 1).map_err(|e| e.to_string())?;
        match record.first() {
            Some(r) if r.position == position && &r.hash == chain_hash => {}
            Some(_) => {
                return Err(format!(
                    "the log's chain hash at position {position} differs: the snapshot is of another history"
                ));
            }
            None => {
                return Err(format!(
                    "the snapshot is at position {position}, beyond the log's head"
                ));
            }
        }
    }
    Ok(Some(projections))
}
