//! Errors of encoding and decoding stored events (parsing text forms is [`crate::parse`]'s).
//!
//! None of these errors echo the offending input: it may be a date of birth or other
//! personally identifying text, and errors end up in logs.

use thiserror::Error;

use crate::events::EventType;

/// An envelope could not be encoded. Cannot happen for well-formed values; surfaced rather
/// than panicking because encoding sits on the write path of every command.
#[derive(Debug, Error)]
#[error("failed to encode {event_type} event: {source}")]
pub struct EncodeError {
    /// The event that failed to encode.
    pub event_type: EventType,
    /// What bincode reported.
    #[source]
    pub source: bincode::error::EncodeError,
}

/// Stored bytes are not a valid event. Decoding never panics; every malformed input lands
/// in one of these variants.
#[derive(Debug, Error)]
pub enum DecodeError {
    /// Fewer bytes than the fixed 5-byte prefix (format, type code, schema version).
    #[error("truncated envelope: {len} bytes, the fixed prefix alone is 5")]
    TruncatedPrefix {
        /// How many bytes there were.
        len: usize,
    },
    /// The first byte names an envelope format this build does not know.
    #[error("unknown envelope format {0}")]
    UnknownFormat(u8),
    /// The event type code is not in the catalog (perhaps written by a newer build).
    #[error("unknown event type code {0}")]
    UnknownEventType(u16),
    /// The schema version is not one this build can read for the event type.
    #[error("unknown schema version {version} for {event_type} (current is {current})")]
    UnknownSchemaVersion {
        /// The event type named in the prefix.
        event_type: EventType,
        /// The version found.
        version: u16,
        /// The newest version this build knows.
        current: u16,
    },
    /// The header (ids, time, actor) did not decode.
    #[error("invalid envelope header: {0}")]
    Header(#[source] bincode::error::DecodeError),
    /// The payload did not decode as the type and version in the prefix.
    #[error("invalid {event_type} payload (schema v{version}): {source}")]
    Payload {
        /// The event type named in the prefix.
        event_type: EventType,
        /// The schema version named in the prefix.
        version: u16,
        /// What bincode reported.
        #[source]
        source: bincode::error::DecodeError,
    },
    /// The payload decoded but bytes were left over: the input is not exactly one event.
    #[error("{count} trailing bytes after {event_type} payload")]
    TrailingBytes {
        /// The event type named in the prefix.
        event_type: EventType,
        /// How many bytes were left over.
        count: usize,
    },
}
