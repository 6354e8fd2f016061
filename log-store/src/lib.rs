//! A domain-agnostic, append-only event log.
//!
//! Events are opaque byte payloads identified by a 128-bit id (a ULID for caseledger, but this
//! crate does not care). Every event gets one gapless global position (starting at 1) and a
//! gapless version inside its stream (starting at 1). Appends are atomic, checked against an
//! expected stream version, idempotent by event id, group-committed and durable before they are
//! acknowledged. Every record is linked into a SHA-256 hash chain so tampering is detectable.
//!
//! The [`EventLog`] trait is the interface the service programs against; [`SledLog`] is the
//! embedded implementation: an events file of framed records, indexed in memory and in sorted index runs whose manifest sled 0.34 keeps. No sled type appears in the public API, so a second
//! backend (PostgreSQL, for several service nodes sharing one log) can implement the same trait.
#![forbid(unsafe_code)]

pub mod acked;
mod anchor;
mod append;
pub mod backup;
mod chain;
pub mod copy;
mod error;
pub mod events_file;
mod expected_version;
mod index;
pub mod layout;
pub mod memory;
pub mod plan;
mod position;
pub mod private;
mod read_pool;
mod record;
mod recover;
mod sled_log;
mod subscription;
pub mod upgrade;
mod verify;
mod writer;

pub use anchor::{Anchor, check_anchors};
pub use append::{AppendRequest, Appended, NewEvent, PendingAppend, StreamAppend};
pub use chain::{ChainHash, GENESIS_HASH};
pub use error::LogError;
pub use expected_version::ExpectedVersion;
pub use index::INDEX_DIR;
pub use position::{Head, LogStats, Position};
pub use read_pool::{READER_NICE, ReadPool, ReadPoolError};
pub use record::RecordedEvent;
pub use sled_log::{Durability, SledLog, SledLogOptions, verify_dir, verify_dir_with};
pub use subscription::Subscription;
pub use verify::{VerifyFailure, VerifyReport, verify_recorded};

/// The operations every log backend offers.
///
/// Reads are synchronous because the embedded backend answers them from memory-mapped pages in
/// microseconds; appends are asynchronous because they wait for a group commit to be durable.
pub trait EventLog: Send + Sync + 'static {
    /// Queues an atomic append; the returned handle resolves once it is durable (or rejected).
    fn append(&self, request: AppendRequest) -> PendingAppend;

    /// Reads up to `limit` durable events in position order, starting at `from` (inclusive).
    fn read_all(&self, from: Position, limit: usize) -> Result<Vec<RecordedEvent>, LogError>;

    /// Reads the durable events at `positions`, in that order (a record's events, wherever
    /// they are in the log); a position that is not durable is an error. Backends read nearby
    /// positions together where they can.
    fn read_positions(&self, positions: &[Position]) -> Result<Vec<RecordedEvent>, LogError> {
        positions
            .iter()
            .map(|&position| {
                self.read_all(position, 1)?
                    .into_iter()
                    .next()
                    .filter(|r| r.position == position)
                    .ok_or_else(|| LogError::Corrupt {
                        position,
                        reason: "not a durable position".into(),
                    })
            })
            .collect()
    }

    /// Reads up to `limit` events of one stream, starting at stream version `from_version`
    /// (inclusive; the first event of a stream has version 1).
    fn read_stream(
        &self,
        stream: &str,
        from_version: u64,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, LogError>;

    /// Looks up the event with this id, if it was ever appended.
    fn read_event(&self, id: u128) -> Result<Option<RecordedEvent>, LogError>;

    /// The current version of a stream, or `None` when it has no events.
    fn stream_version(&self, stream: &str) -> Result<Option<u64>, LogError>;

    /// The last durable position and its chain hash.
    fn head(&self) -> Head;

    /// A watch that changes whenever the durable head advances; used by subscriptions.
    fn watch_head(&self) -> tokio::sync::watch::Receiver<Position>;

    /// Walks the whole hash chain and reports the first bad position, if any.
    /// `progress` is called now and then with the position reached.
    fn verify(&self, progress: &mut dyn FnMut(Position)) -> Result<VerifyReport, LogError>;

    /// Stops accepting appends after the queued ones are durable (a no-op for backends with no
    /// writer of their own).
    fn close(&self) {}

    /// Sizes and stream count, for operators (`log stats`); `None` where the backend keeps no
    /// such figures. Walks the whole log.
    fn stats(&self) -> Result<Option<LogStats>, LogError> {
        Ok(None)
    }
}
