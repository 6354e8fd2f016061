//! The errors the log reports.

use crate::{ExpectedVersion, Position};

/// Everything that can go wrong with the log. Rejections (`Conflict`, `EventIdReused`, ...)
/// write nothing; storage failures poison the writer so no later append is acknowledged on top of
/// a write whose durability is unknown.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The stream's current version is not what the caller expected.
    #[error("wrong expected version for stream `{stream}`: expected {expected}, actual {}", fmt_version(*.actual))]
    Conflict {
        /// The stream whose version did not match.
        stream: String,
        /// What the caller expected.
        expected: ExpectedVersion,
        /// The stream's version when the append was checked (`None`: no such stream).
        actual: Option<u64>,
    },
    /// The log's head moved past the position the caller expected (someone appended since).
    #[error("the log moved on: expected its head at position {expected}, it is at {actual}")]
    HeadMoved {
        /// The head position the caller decided on.
        expected: Position,
        /// The head position when the append was checked.
        actual: Position,
    },
    /// An event id was appended before with different content (stream or payload).
    #[error(
        "event id {id:032x} was already appended at position {position} with different content"
    )]
    EventIdReused {
        /// The reused id.
        id: u128,
        /// Where the original event is.
        position: Position,
    },
    /// Some, but not all, of the request's event ids were appended before: not a clean retry.
    #[error(
        "append mixes {known} already-appended event ids with {new} new ones; a retry must resend exactly the original events"
    )]
    PartialRetry {
        /// How many ids were already in the log.
        known: usize,
        /// How many ids were new.
        new: usize,
    },
    /// The same event id appears twice in one request.
    #[error("event id {0:032x} appears twice in one append")]
    DuplicateId(u128),
    /// The request has no events.
    #[error("an append needs at least one event")]
    EmptyAppend,
    /// The stream name is not acceptable.
    #[error("invalid stream name `{stream}`: {reason}")]
    InvalidStream {
        /// The offending name.
        stream: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// The stored chain does not end where the head record says, or a record is damaged.
    #[error("the log's hash chain is broken at position {position}: {reason}")]
    ChainBroken {
        /// The first position found bad.
        position: Position,
        /// What was wrong there.
        reason: String,
    },
    /// The log ends before a position it is known to have reached: acknowledged records are
    /// missing. sled's recovery takes a damaged segment for the end of its log, so this is how
    /// damage inside sled's files shows; a data directory restored from an older copy shows the
    /// same way.
    #[error(
        "the log ends at position {head}, but {evidence} shows it reached position {expected}: acknowledged records are missing (damaged storage cut short by recovery, or an older copy of the log)"
    )]
    Cut {
        /// The last position the log holds.
        head: Position,
        /// The position it is known to have reached.
        expected: Position,
        /// What says so (a file).
        evidence: String,
    },
    /// sled found damaged bytes in its files while opening or reading the log.
    #[error("the log's storage is damaged: sled read corrupted data in {path} ({at}){}", fmt_acknowledged(*.acknowledged))]
    Damaged {
        /// sled's data file.
        path: String,
        /// Where: a file offset, or that sled did not say.
        at: String,
        /// The last position the log acknowledged, when its mark says.
        acknowledged: Option<Position>,
    },
    /// Neither slot of the acknowledged mark holds a valid mark, so what the log acknowledged
    /// cannot be told.
    #[error(
        "the acknowledged mark {path} is damaged (no valid slot); if the log is known to be complete, remove the file to accept it as it is"
    )]
    MarkDamaged {
        /// The mark file.
        path: String,
    },
    /// A stored record cannot be parsed.
    #[error("stored record at position {position} is malformed: {reason}")]
    Corrupt {
        /// The record's position.
        position: Position,
        /// What was wrong.
        reason: String,
    },
    /// The underlying storage failed.
    #[error("storage error: {0}")]
    Storage(String),
    /// A file operation failed.
    #[error("i/o error")]
    Io(#[from] std::io::Error),
    /// Another process (a running server, another tool) holds the data directory.
    #[error(
        "the data directory {path} is locked by {} (is a server using it?); stop it or work on a copy",
        holder.as_deref().unwrap_or("another process")
    )]
    InUse {
        /// The data directory.
        path: String,
        /// The process holding it, when the system says (`process 1234 (caseledger serve)`).
        holder: Option<String>,
    },
    /// An earlier storage failure stopped the writer; reopen the log.
    #[error("the log writer stopped after a storage failure; no append was acknowledged after it")]
    Poisoned,
    /// The log was closed while the request was pending.
    #[error("the log is closed")]
    Closed,
    /// The directory holds a log of data format 1 (records inside sled), which this build
    /// reads only to upgrade it.
    #[error(
        "the log in {path} is in the layout of data format 1; back it up, then run caseledger migrate"
    )]
    OldLayout {
        /// The data directory.
        path: String,
    },
}

impl LogError {
    /// Whether this says the stored log is damaged, cut or rewritten — as opposed to refused
    /// input, a busy directory or an environment problem. The CLI exits 1 for these.
    pub fn is_integrity(&self) -> bool {
        matches!(
            self,
            LogError::ChainBroken { .. }
                | LogError::Corrupt { .. }
                | LogError::Cut { .. }
                | LogError::Damaged { .. }
                | LogError::MarkDamaged { .. }
        )
    }
}

fn fmt_acknowledged(acknowledged: Option<Position>) -> String {
    match acknowledged {
        Some(p) => format!("; it had acknowledged up to position {p}"),
        None => String::new(),
    }
}

fn fmt_version(v: Option<u64>) -> String {
    match v {
        None => "no stream".to_string(),
        Some(v) => v.to_string(),
    }
}

impl From<sled::Error> for LogError {
    fn from(e: sled::Error) -> Self {
        match e {
            sled::Error::Io(io) => LogError::Io(io),
            // Callers that know the data file replace this path (see `sled_log::storage`).
            sled::Error::Corruption { at, .. } => LogError::Damaged {
                path: "sled's data file".into(),
                at: describe_offset(at.map(|p| p.lid())),
                acknowledged: None,
            },
            other => LogError::Storage(other.to_string()),
        }
    }
}

/// A sled file offset as operators read it.
pub(crate) fn describe_offset(at: Option<u64>) -> String {
    match at {
        Some(offset) => format!("at file offset {offset}"),
        None => "sled did not say at which offset".into(),
    }
}
