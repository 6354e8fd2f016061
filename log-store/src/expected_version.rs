//! The optimistic-concurrency check an append carries for each stream.
//!
//! Its own module because both the request ([`crate::append`]) and the error a failed check
//! reports ([`LogError::Conflict`](crate::LogError::Conflict)) name it.

use std::fmt;

/// The optimistic-concurrency check of one stream append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// No check.
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream must have at least one event.
    StreamExists,
    /// The stream's last event must have exactly this version (versions start at 1).
    Exact(u64),
}

impl ExpectedVersion {
    /// Whether a stream whose current version is `actual` satisfies this expectation.
    pub fn admits(self, actual: Option<u64>) -> bool {
        match (self, actual) {
            (ExpectedVersion::Any, _) => true,
            (ExpectedVersion::NoStream, None) => true,
            (ExpectedVersion::NoStream, Some(_)) => false,
            (ExpectedVersion::StreamExists, actual) => actual.is_some(),
            (ExpectedVersion::Exact(0), None) => true,
            (ExpectedVersion::Exact(n), Some(v)) => n == v,
            (ExpectedVersion::Exact(_), None) => false,
        }
    }
}

impl fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedVersion::Any => f.write_str("any"),
            ExpectedVersion::NoStream => f.write_str("no stream"),
            ExpectedVersion::StreamExists => f.write_str("stream exists"),
            ExpectedVersion::Exact(n) => write!(f, "{n}"),
        }
    }
}
