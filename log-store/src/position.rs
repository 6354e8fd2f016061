//! Where the log is: a global position, and the head (the last durable position with its chain
//! hash).
//!
//! Its own module because every part of the store speaks in positions, while the [`EventLog`]
//! trait (in the crate root) speaks in the parts' types: the positions sit below both.
//!
//! [`EventLog`]: crate::EventLog

use crate::chain::ChainHash;

/// A global log position. The first event is at position 1; 0 means "before the first event".
pub type Position = u64;

/// The state of the log's tip: the last durable position and the chain hash stored with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// Last durable position (0 for an empty log).
    pub position: Position,
    /// Chain hash of the record at `position` ([`GENESIS_HASH`](crate::GENESIS_HASH) for an empty log).
    pub hash: ChainHash,
}

/// Figures about a log, for operators.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogStats {
    /// The durable head.
    pub head: Head,
    /// Sum of stored record sizes.
    pub record_bytes: u64,
    /// Number of streams.
    pub streams: u64,
    /// Size of the data directory's files.
    pub disk_bytes: u64,
}
