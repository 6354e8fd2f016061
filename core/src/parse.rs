//! The error of parsing a text form: an id, a date, a timestamp or a stream name.
//!
//! Kept apart from the encoding errors ([`crate::error`]) because those name event types, and
//! the ids, dates and stream names the events are built from cannot depend on the events.
//!
//! The error does not echo the offending input: it may be a date of birth or other personally
//! identifying text, and errors end up in logs.

use thiserror::Error;

/// A text form (id, date, timestamp, stream name) could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    /// Not a 26-character ULID.
    #[error("invalid {kind} id: expected a 26-character ULID")]
    InvalidId {
        /// Which kind of id was expected (e.g. "client").
        kind: &'static str,
    },
    /// Not a calendar date in `YYYY-MM-DD` form.
    #[error("invalid date: expected YYYY-MM-DD")]
    InvalidDate,
    /// Not an RFC 3339 timestamp with a time zone offset, or out of range.
    #[error("invalid timestamp: expected RFC 3339, e.g. 2026-01-31T14:05:00Z")]
    InvalidTimestamp,
    /// Not a stream name this crate defines.
    #[error("invalid stream name")]
    InvalidStream,
}
