//! Catch-up subscriptions that turn live without a gap or a duplicate.

use std::collections::VecDeque;
use std::sync::Arc;

use tokio::sync::watch;

use crate::{EventLog, LogError, Position, RecordedEvent};

/// Events per read while catching up.
const CHUNK: usize = 1024;

/// Delivers every durable event from a starting position on, in order, exactly once: first
/// the stored history, then live appends as they become durable.
///
/// It reads only from the store, by position, and uses the durable-head watch merely as a wake-up
/// signal. So there is no separate "live" feed to switch to, and nothing can fall between
/// catching up and following: whatever became durable while the subscriber was reading is simply
/// read next time. Events are delivered only once durable (never ahead of the acknowledged head).
pub struct Subscription {
    log: Arc<dyn EventLog>,
    next: Position,
    buffer: VecDeque<RecordedEvent>,
    head: watch::Receiver<Position>,
}

impl Subscription {
    /// Subscribes from position `from` (inclusive; 1 or 0 means from the beginning).
    pub fn new(log: Arc<dyn EventLog>, from: Position) -> Self {
        let head = log.watch_head();
        Subscription {
            log,
            next: from.max(1),
            buffer: VecDeque::new(),
            head,
        }
    }

    /// The position the next delivered event will have.
    pub fn next_position(&self) -> Position {
        self.next
    }

    /// Waits for the next event. Fails with [`LogError::Closed`] when the log shuts down.
    pub async fn next(&mut self) -> Result<RecordedEvent, LogError> {
        loop {
            if let Some(event) = self.buffer.pop_front() {
                self.next = event.position + 1;
                return Ok(event);
            }
            let head = *self.head.borrow_and_update();
            if head >= self.next {
                let want = ((head - self.next + 1) as usize).min(CHUNK);
                let events = self.log.read_all(self.next, want)?;
                self.buffer
                    .extend(events.into_iter().filter(|e| e.position <= head));
                continue;
            }
            self.head.changed().await.map_err(|_| LogError::Closed)?;
        }
    }

    /// Returns up to `max` events that are durable now, without waiting (empty when caught up).
    pub fn poll_batch(&mut self, max: usize) -> Result<Vec<RecordedEvent>, LogError> {
        let mut out: Vec<RecordedEvent> = self.buffer.drain(..self.buffer.len().min(max)).collect();
        let from = out.last().map_or(self.next, |e| e.position + 1);
        let head = *self.head.borrow_and_update();
        if self.buffer.is_empty() && out.len() < max && head >= from {
            let want = ((head + 1 - from) as usize).min(max - out.len());
            out.extend(
                self.log
                    .read_all(from, want)?
                    .into_iter()
                    .filter(|e| e.position <= head),
            );
        }
        if let Some(last) = out.last() {
            self.next = last.position + 1;
        }
        Ok(out)
    }
}
