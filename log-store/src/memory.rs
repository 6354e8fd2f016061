//! An [`EventLog`] kept in memory: the same contract as the embedded log (atomic, idempotent by
//! event id, checked against expected versions and an expected head, hash-chained), without
//! durability. For tests that need several service instances on one shared log, and for tools
//! that fold a history they never keep.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use crate::append::{AppendRequest, Appended, PendingAppend};
use crate::chain::GENESIS_HASH;
use crate::plan::{BatchPlan, Lookup, StoredId};
use crate::verify::VerifyReport;
use crate::{EventLog, Head, LogError, Position, RecordedEvent};

/// The in-memory log. Cheap to share: hand out `Arc<MemoryLog>` (or `Arc<dyn EventLog>`).
pub struct MemoryLog {
    state: Mutex<State>,
    head_tx: watch::Sender<Position>,
}

#[derive(Default)]
struct State {
    /// Record at position `i + 1`.
    records: Vec<RecordedEvent>,
    /// Event id → position.
    ids: HashMap<u128, Position>,
    /// Stream → positions of its events, in version order.
    streams: HashMap<Arc<str>, Vec<Position>>,
    closed: bool,
}

impl State {
    fn head(&self) -> Head {
        self.records.last().map_or(
            Head {
                position: 0,
                hash: GENESIS_HASH,
            },
            |r| Head {
                position: r.position,
                hash: r.hash,
            },
        )
    }

    fn version(&self, stream: &str) -> Option<u64> {
        self.streams.get(stream).map(|p| p.len() as u64)
    }

    fn record(&self, position: Position) -> &RecordedEvent {
        &self.records[position as usize - 1]
    }

    /// The planner's rules (shape, idempotent retry, head, versions), then the records.
    fn append(&mut self, request: AppendRequest) -> Result<Appended, LogError> {
        if self.closed {
            return Err(LogError::Closed);
        }
        let mut plan = BatchPlan::new(self.head(), HashMap::new());
        let appended = plan.add(&mut Stored(self), request)?;
        let mut records = Vec::with_capacity(plan.records().len());
        plan.chain(|r, _, hash| {
            records.push(RecordedEvent {
                position: r.position,
                stream: Arc::from(plan.stream_name(r.stream)),
                version: r.version,
                id: r.id,
                payload: r.payload.clone(),
                hash: *hash,
            })
        });
        for r in records {
            self.ids.insert(r.id, r.position);
            self.streams
                .entry(r.stream.clone())
                .or_default()
                .push(r.position);
            self.records.push(r);
        }
        Ok(appended)
    }
}

/// The in-memory records, as the planner's view of what is stored.
struct Stored<'s>(&'s State);

impl Lookup for Stored<'_> {
    fn stream_version(&mut self, stream: &str) -> Result<Option<u64>, LogError> {
        Ok(self.0.version(stream))
    }

    fn stored(
        &mut self,
        id: u128,
        stream: &str,
        payload: &[u8],
    ) -> Result<Option<StoredId>, LogError> {
        Ok(self.0.ids.get(&id).map(|&position| {
            let r = self.0.record(position);
            StoredId {
                position,
                version: r.version,
                same: &*r.stream == stream && r.payload == payload,
            }
        }))
    }
}

impl MemoryLog {
    /// An empty log.
    pub fn new() -> Arc<Self> {
        Arc::new(MemoryLog {
            state: Mutex::new(State::default()),
            head_tx: watch::channel(0).0,
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves no half-applied append (records are pushed
        // last), so the state is still consistent.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl EventLog for MemoryLog {
    fn append(&self, request: AppendRequest) -> PendingAppend {
        let mut state = self.state();
        match state.append(request) {
            Ok(appended) => {
                self.head_tx.send_replace(state.head().position);
                let (tx, rx) = tokio::sync::oneshot::channel();
                let _ = tx.send(Ok(appended));
                PendingAppend::new(rx)
            }
            Err(e) => PendingAppend::failed(e),
        }
    }

    fn read_all(&self, from: Position, limit: usize) -> Result<Vec<RecordedEvent>, LogError> {
        let state = self.state();
        let from = from.max(1) as usize - 1;
        Ok(state
            .records
            .iter()
            .skip(from)
            .take(limit)
            .cloned()
            .collect())
    }

    fn read_stream(
        &self,
        stream: &str,
        from_version: u64,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, LogError> {
        let state = self.state();
        let Some(positions) = state.streams.get(stream) else {
            return Ok(Vec::new());
        };
        Ok(positions
            .iter()
            .skip(from_version.max(1) as usize - 1)
            .take(limit)
            .map(|&p| state.record(p).clone())
            .collect())
    }

    fn read_event(&self, id: u128) -> Result<Option<RecordedEvent>, LogError> {
        let state = self.state();
        Ok(state.ids.get(&id).map(|&p| state.record(p).clone()))
    }

    fn stream_version(&self, stream: &str) -> Result<Option<u64>, LogError> {
        Ok(self.state().version(stream))
    }

    fn head(&self) -> Head {
        self.state().head()
    }

    fn watch_head(&self) -> watch::Receiver<Position> {
        self.head_tx.subscribe()
    }

    fn verify(&self, progress: &mut dyn FnMut(Position)) -> Result<VerifyReport, LogError> {
        // Nothing but this process could have changed the records: the chain holds by
        // construction, and is walked anyway so the report's figures are real.
        let state = self.state();
        let head = state.head();
        crate::verify_recorded(state.records.iter().cloned().map(Ok), Some(head), progress)
    }

    fn close(&self) {
        self.state().closed = true;
    }
}
