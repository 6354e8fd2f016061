//! Walking the hash chain.

use crate::chain::link;
use crate::record;
use crate::{ChainHash, GENESIS_HASH, Head, LogError, Position, RecordedEvent};

/// The first thing found wrong by [`EventLog::verify`](crate::EventLog::verify).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyFailure {
    /// The first bad position.
    pub position: Position,
    /// What is wrong there.
    pub reason: String,
}

/// The result of a chain walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Records checked.
    pub records: u64,
    /// Bytes of stored records hashed.
    pub bytes: u64,
    /// Chain hash at the last good record.
    pub last_good_hash: ChainHash,
    /// `None` when the whole chain holds.
    pub failure: Option<VerifyFailure>,
}

impl VerifyReport {
    /// Whether the chain holds end to end.
    pub fn is_ok(&self) -> bool {
        self.failure.is_none()
    }
}

/// Walks records read back from a backend in position order (for backends that store a
/// record's fields rather than its bytes): each is encoded again as the embedded log stores it,
/// so the same chain rules hold on every backend. `head` is where the backend says the log ends.
pub fn verify_recorded(
    records: impl Iterator<Item = Result<RecordedEvent, LogError>>,
    head: Option<Head>,
    progress: &mut dyn FnMut(Position),
) -> Result<VerifyReport, LogError> {
    let stored = records.map(|r| {
        r.map(|r| {
            let mut value = r.hash.to_vec();
            value.extend_from_slice(&record::encode(&r.stream, r.version, r.id, &r.payload));
            (r.position, value)
        })
    });
    walk(stored, head, progress)
}

/// Checks stored `(position, value)` entries in key order: positions gapless from 1, each hash
/// `SHA-256(previous || record)`, records parseable, and the last one equal to `head` where
/// one is given (a stopped log's walk has none: its anchors say where it must reach).
pub(crate) fn walk<V: AsRef<[u8]>>(
    entries: impl Iterator<Item = Result<(Position, V), LogError>>,
    head: Option<Head>,
    progress: &mut dyn FnMut(Position),
) -> Result<VerifyReport, LogError> {
    let mut report = VerifyReport {
        records: 0,
        bytes: 0,
        last_good_hash: GENESIS_HASH,
        failure: None,
    };
    let mut expected: Position = 1;
    let fail = |report: &mut VerifyReport, position, reason: String| {
        report.failure = Some(VerifyFailure { position, reason });
    };
    for entry in entries {
        let (position, value) = match entry {
            Ok(entry) => entry,
            // A storage-level read error is a finding about the log, named by the position
            // the walk could not get past, not a failure of the walk.
            Err(e) => {
                fail(
                    &mut report,
                    expected,
                    format!("cannot read the stored records: {e}"),
                );
                return Ok(report);
            }
        };
        let value = value.as_ref();
        if position != expected {
            let reason = if position > expected {
                format!("record missing (next stored record is at position {position})")
            } else {
                format!("unexpected record key {position}")
            };
            fail(&mut report, expected, reason);
            return Ok(report);
        }
        let (stored, bytes) = match record::split_stored(position, value) {
            Ok(x) => x,
            Err(e) => {
                fail(&mut report, position, e.to_string());
                return Ok(report);
            }
        };
        if let Err(e) = record::decode(position, bytes) {
            fail(&mut report, position, e.to_string());
            return Ok(report);
        }
        let computed = link(&report.last_good_hash, bytes);
        if computed != stored {
            fail(&mut report, position, "chain hash does not match the record and its predecessor (changed, reordered or replaced)".into());
            return Ok(report);
        }
        report.last_good_hash = computed;
        report.records += 1;
        report.bytes += value.len() as u64;
        expected += 1;
        if position % 65_536 == 0 {
            progress(position);
        }
    }
    let last = expected - 1;
    let Some(head) = head else {
        progress(last);
        return Ok(report);
    };
    if last != head.position {
        fail(
            &mut report,
            last + 1,
            format!(
                "the head says position {} but the chain ends at {last} (records removed from the end)",
                head.position
            ),
        );
    } else if report.last_good_hash != head.hash {
        fail(
            &mut report,
            last,
            "the head's hash does not match the chain".into(),
        );
    }
    progress(last);
    Ok(report)
}
