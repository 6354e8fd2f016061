//! What callers hand to [`EventLog::append`](crate::EventLog::append) and what they get back.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::oneshot;

use crate::{ExpectedVersion, LogError, Position};

/// One event to append: its id (the idempotency key) and its opaque bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// Unique id; appending the same id again is a no-op that returns the original position.
    pub id: u128,
    /// The encoded event.
    pub payload: Vec<u8>,
}

/// Events for one stream, with the version the stream is expected to be at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamAppend {
    /// Stream name (1..=255 bytes of UTF-8, no control characters).
    pub stream: String,
    /// The concurrency check.
    pub expected: ExpectedVersion,
    /// The events, in order.
    pub events: Vec<NewEvent>,
}

/// One atomic append: every part is written, or none is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppendRequest {
    /// The per-stream parts, written in order.
    pub parts: Vec<StreamAppend>,
    /// When set, the log's head must be exactly this position when the append is checked (the
    /// whole-log form of an expected version: a caller that decided on everything up to a
    /// position appends only if nothing was appended since, whoever appended it).
    pub expected_head: Option<Position>,
}

impl AppendRequest {
    /// An append to a single stream.
    pub fn single(
        stream: impl Into<String>,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Self {
        AppendRequest {
            parts: vec![StreamAppend {
                stream: stream.into(),
                expected,
                events,
            }],
            expected_head: None,
        }
    }

    /// The same append, accepted only while the log's head is at `position`.
    pub fn at_head(mut self, position: Position) -> Self {
        self.expected_head = Some(position);
        self
    }

    /// Adds a part for another stream to the same atomic append.
    pub fn and(
        mut self,
        stream: impl Into<String>,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Self {
        self.parts.push(StreamAppend {
            stream: stream.into(),
            expected,
            events,
        });
        self
    }

    /// Number of events across all parts.
    pub fn len(&self) -> usize {
        self.parts.iter().map(|p| p.events.len()).sum()
    }

    /// Whether the request carries no event.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The outcome of a durable append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// Position of every event, in request order (parts flattened).
    pub positions: Vec<Position>,
    /// Stream version of every event, in request order.
    pub versions: Vec<u64>,
    /// True when every id had been appended before: nothing was written this time.
    pub replayed: bool,
}

impl Appended {
    /// The highest position of this append (what a reader must wait for to see all of it).
    pub fn last_position(&self) -> Position {
        self.positions.iter().copied().max().unwrap_or(0)
    }
}

/// A queued append; resolves when the group commit holding it is durable.
///
/// Await it from async code or call [`PendingAppend::wait`] from a plain thread.
#[must_use = "an append is only known to be durable once its result is received"]
pub struct PendingAppend {
    rx: oneshot::Receiver<Result<Appended, LogError>>,
}

impl PendingAppend {
    /// A pending append whose result arrives through `rx` (for backends).
    pub fn new(rx: oneshot::Receiver<Result<Appended, LogError>>) -> Self {
        PendingAppend { rx }
    }

    /// A pending append that has already failed.
    pub fn failed(error: LogError) -> Self {
        let (tx, rx) = oneshot::channel();
        let _ = tx.send(Err(error));
        PendingAppend { rx }
    }

    /// Blocks the current thread until the append is durable or rejected.
    /// Must not be called from inside an async runtime's worker thread.
    pub fn wait(self) -> Result<Appended, LogError> {
        self.rx.blocking_recv().unwrap_or(Err(LogError::Closed))
    }
}

impl Future for PendingAppend {
    type Output = Result<Appended, LogError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.rx)
            .poll(cx)
            .map(|r| r.unwrap_or(Err(LogError::Closed)))
    }
}
