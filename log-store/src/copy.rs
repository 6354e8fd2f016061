//! Copying a whole log into an empty one of another backend (`caseledger log migrate`): the
//! embedded log into PostgreSQL when a CoC moves to several nodes, and back for a
//! single-machine restore.
//!
//! Every record keeps its position, stream, version, id and bytes, so the copy's chain is the
//! source's, hash for hash. Each append names the head it expects and each part the version
//! its stream must be at, so a writer that appends to the target meanwhile stops the copy
//! instead of interleaving with it.

use crate::{AppendRequest, EventLog, ExpectedVersion, Head, LogError, NewEvent, Position};

/// Records per append while copying.
const BATCH: usize = 2_000;

/// Why a copy stopped.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// The target already holds events.
    #[error("the target log is not empty: it holds {0} events")]
    TargetNotEmpty(Position),
    /// The source's chain does not verify; nothing was copied.
    #[error("the source log does not verify at position {position}: {reason}")]
    SourceBroken {
        /// The first bad position.
        position: Position,
        /// What is wrong there.
        reason: String,
    },
    /// After copying, the target's head is not the source's.
    #[error(
        "the copy ends at position {copied} with another chain hash than the source's head {source_head}"
    )]
    Diverged {
        /// The source's head position.
        source_head: Position,
        /// The target's.
        copied: Position,
    },
    /// Reading the source or appending to the target failed (another writer on the target
    /// shows as a moved head or a version conflict).
    #[error(transparent)]
    Log(#[from] LogError),
}

/// Copies every record of `source` into the empty `target`, verifying `source` first and
/// `target` after; `progress` is called with the position reached. Returns the common head.
pub fn copy_log(
    source: &dyn EventLog,
    target: &dyn EventLog,
    progress: &mut dyn FnMut(Position),
) -> Result<Head, CopyError> {
    let head = target.head().position;
    if head != 0 {
        return Err(CopyError::TargetNotEmpty(head));
    }
    let report = source.verify(&mut |_| {})?;
    if let Some(failure) = report.failure {
        return Err(CopyError::SourceBroken {
            position: failure.position,
            reason: failure.reason,
        });
    }
    let source_head = source.head();
    let mut next: Position = 1;
    while next <= source_head.position {
        let records = source.read_all(next, BATCH)?;
        let Some(last) = records.last().map(|r| r.position) else {
            break;
        };
        let mut request = AppendRequest::default().at_head(next - 1);
        for r in records {
            // Consecutive records of one stream share a part.
            match request.parts.last_mut() {
                Some(part) if part.stream == *r.stream => part.events.push(NewEvent {
                    id: r.id,
                    payload: r.payload,
                }),
                _ => {
                    request = request.and(
                        r.stream.to_string(),
                        ExpectedVersion::Exact(r.version - 1),
                        vec![NewEvent {
                            id: r.id,
                            payload: r.payload,
                        }],
                    )
                }
            }
        }
        target.append(request).wait()?;
        next = last + 1;
        progress(last);
    }
    let copied = target.head();
    let report = target.verify(&mut |_| {})?;
    if copied != source_head || !report.is_ok() {
        return Err(CopyError::Diverged {
            source_head: source_head.position,
            copied: copied.position,
        });
    }
    Ok(copied)
}
