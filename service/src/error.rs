//! Errors of the service layer.

use caseledger_log_store::LogError;

/// Why the service could not start or could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The log refused or failed.
    #[error(transparent)]
    Log(#[from] LogError),
    /// A stored event could not be decoded.
    #[error("event at position {position} cannot be decoded: {source}")]
    Decode {
        /// Where the event is.
        position: u64,
        /// What was wrong.
        source: caseledger_core::DecodeError,
    },
    /// The key store refused to open or failed.
    #[error(transparent)]
    Keys(#[from] crate::keys::KeyStoreError),
    /// An identifying value could not be sealed (e.g. the client was forgotten).
    #[error(transparent)]
    Seal(caseledger_core::SealError),
    /// An event could not be encoded.
    #[error("event cannot be encoded: {0}")]
    Encode(String),
    /// The projections did not reach a position in time (read-your-writes wait).
    #[error("the views reached log position {reached} but not {wanted} within {waited_ms} ms")]
    NotYetVisible {
        /// The position asked for.
        wanted: u64,
        /// Where the views are.
        reached: u64,
        /// How long the request waited.
        waited_ms: u64,
    },
    /// The data directory is unusable.
    #[error("data directory {path}: {reason}")]
    DataDir {
        /// The directory.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The data directory was written in a format this build does not read.
    #[error(transparent)]
    Format(#[from] crate::format::FormatError),
}
