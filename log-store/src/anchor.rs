//! Anchors: positions a log is known to have reached, kept outside it.
//!
//! A chain walk proves that the records a log holds link up; it cannot prove that none are
//! missing from its end. Evidence kept outside the log can: this crate's own acknowledged mark
//! ([`crate::acked`]) and whatever the layer above keeps (the service's read-model snapshot and
//! signed checkpoints). Each is an anchor; the log must reach every anchor's position and, where
//! the anchor names one, have its chain hash there.

use crate::{ChainHash, EventLog, GENESIS_HASH, LogError, Position};

/// A position the log is known to have reached, and what says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    /// The position the log reached.
    pub position: Position,
    /// The chain hash the log had there, when the evidence records it.
    pub hash: Option<ChainHash>,
    /// What says so, for messages (a file path, usually).
    pub evidence: String,
}

/// Checks an open log against anchors: it must reach each one's position
/// ([`LogError::Cut`] naming the head and the position) and have its hash there
/// ([`LogError::ChainBroken`] at that position). The first anchor that fails is reported, the
/// farthest first, so the message names the most that is missing.
pub fn check_anchors(log: &dyn EventLog, anchors: &[Anchor]) -> Result<(), LogError> {
    let head = log.head().position;
    check_with(head, anchors, |position| {
        if position == 0 {
            return Ok(Some(GENESIS_HASH));
        }
        Ok(log
            .read_all(position, 1)?
            .into_iter()
            .find(|r| r.position == position)
            .map(|r| r.hash))
    })
}

/// The check of [`check_anchors`], with the log's head and a lookup of its hash at a position.
pub(crate) fn check_with(
    head: Position,
    anchors: &[Anchor],
    mut hash_at: impl FnMut(Position) -> Result<Option<ChainHash>, LogError>,
) -> Result<(), LogError> {
    let mut sorted: Vec<&Anchor> = anchors.iter().collect();
    sorted.sort_by_key(|a| std::cmp::Reverse(a.position));
    for anchor in sorted {
        if anchor.position > head {
            return Err(LogError::Cut {
                head,
                expected: anchor.position,
                evidence: anchor.evidence.clone(),
            });
        }
        let Some(expected) = anchor.hash else {
            continue;
        };
        match hash_at(anchor.position)? {
            Some(found) if found == expected => {}
            Some(_) => {
                return Err(LogError::ChainBroken {
                    position: anchor.position,
                    reason: format!(
                        "the chain hash there differs from the one {} recorded (history rewritten)",
                        anchor.evidence
                    ),
                });
            }
            None => {
                return Err(LogError::ChainBroken {
                    position: anchor.position,
                    reason: format!(
                        "the record is missing although {} recorded it",
                        anchor.evidence
                    ),
                });
            }
        }
    }
    Ok(())
}
