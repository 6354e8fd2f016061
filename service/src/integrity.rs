//! What the data directory says the log reached, outside the log: the evidence `serve` and
//! `verify` check the log against.
//!
//! sled's recovery takes a damaged segment for the end of its log and presents the consistent
//! prefix before it, so a damaged log looks like a shorter one. Three things kept outside sled
//! know better, each an [`Anchor`]:
//!
//! - the log store's acknowledged mark (`log.acked`, checked by the log store itself at every
//!   open and by its `verify`; see `log-store/src/acked.rs` for why it is cheap and sound);
//! - the read-model snapshot's position (its clear header), which the projections reached, so
//!   the log did; a snapshot whose hash differs from the log's at that position is a cache of
//!   another history and is rebuilt, not refused, so only its position is evidence;
//! - every signed checkpoint in `DATA/checkpoints/`: position and chain hash. The signature is
//!   not checked here: these files are this deployment's own record of what it signed, and a
//!   forged one could only make `serve` refuse, which deleting the log could too. An auditor's
//!   proof is `verify --checkpoint` with a pinned key.
//!
//! `serve` checks the snapshot and the newest checkpoint (one read each, so a start does not
//! grow with the years of hourly checkpoints); `verify` checks them all.

use std::path::Path;

use caseledger_log_store::Anchor;

use crate::{checkpoint, snapshots};

/// Which checkpoints to take as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The newest only (the one with the highest position): for `serve`.
    Latest,
    /// Every checkpoint file: for `verify`.
    All,
}

/// The anchors the data directory holds besides the log store's own mark.
pub fn anchors(data_dir: &Path, scope: Scope) -> Vec<Anchor> {
    let mut anchors: Vec<Anchor> = snapshots::anchor(data_dir).into_iter().collect();
    let mut checkpoints = checkpoint_anchors(&data_dir.join("checkpoints"));
    if scope == Scope::Latest {
        checkpoints.sort_by_key(|a| a.position);
        checkpoints.drain(..checkpoints.len().saturating_sub(1));
    }
    anchors.extend(checkpoints);
    anchors
}

/// One anchor per `checkpoint-*.json` file of `dir` (temporary files of an interrupted save are
/// not checkpoints). A file that does not parse still says, by its name, how far the log got.
fn checkpoint_anchors(dir: &Path) -> Vec<Anchor> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let path = entry.path();
            let name = path.file_name()?.to_str()?;
            let numbered = name.strip_prefix("checkpoint-")?.strip_suffix(".json")?;
            let evidence = format!("the checkpoint {}", path.display());
            match checkpoint::load(&path) {
                Ok(c) => {
                    let mut hash = [0u8; 32];
                    let hash = hex::decode_to_slice(&c.chain_hash, &mut hash)
                        .is_ok()
                        .then_some(hash);
                    Some(Anchor {
                        position: c.position,
                        hash,
                        evidence,
                    })
                }
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "checkpoint file unreadable; taking its position from its name");
                    Some(Anchor {
                        position: numbered.parse().ok()?,
                        hash: None,
                        evidence,
                    })
                }
            }
        })
        .collect()
}
