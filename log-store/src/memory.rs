//! An [`EventLog`] kept in memory: the same contract as the embedded log (atomic, idempotent by
//! event id, checked against expected versions and an expected head, hash-chained), without
//! durability. For tests that need several service instances on one shared log, and for tools
//! that fold a history they never keep.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use crate::append::{AppendRequest, Appended, PendingAppend};
use crate::chain::{self, ChainHash, GENESIS_HASH};
use crate::verify::VerifyReport;
use crate::writer::validate_stream;
use crate::{EventLog, Head, LogError, Position, RecordedEvent, record};

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

    /// The embedded writer's rules, in its order: shape, idempotent retry, head, versions.
    fn append(&mut self, request: AppendRequest) -> Result<Appended, LogError> {
        if self.closed {
            return Err(LogError::Closed);
        }
        if request.parts.is_empty() || request.parts.iter().any(|p| p.events.is_empty()) {
            return Err(LogError::EmptyAppend);
        }
        let mut seen = std::collections::HashSet::new();
        for part in &request.parts {
            validate_stream(&part.stream)?;
            for e in &part.events {
                if !seen.insert(e.id) {
                    return Err(LogError::DuplicateId(e.id));
                }
            }
        }
        let known: Vec<(&str, &crate::NewEvent, Position)> = request
            .parts
            .iter()
            .flat_map(|p| p.events.iter().map(move |e| (p.stream.as_str(), e)))
            .filter_map(|(s, e)| self.ids.get(&e.id).map(|&pos| (s, e, pos)))
            .collect();
        if !known.is_empty() {
            if known.len() != request.len() {
                return Err(LogError::PartialRetry {
                    known: known.len(),
                    new: request.len() - known.len(),
                });
            }
            let mut appended = Appended {
                positions: Vec::new(),
                versions: Vec::new(),
                replayed: true,
            };
            for (stream, e, position) in known {
                let r = self.record(position);
                if &*r.stream != stream || r.payload != e.payload {
                    return Err(LogError::EventIdReused { id: e.id, position });
                }
                appended.positions.push(position);
                appended.versions.push(r.version);
            }
            return Ok(appended);
        }
        let head = self.head();
        if let Some(expected) = request.expected_head
            && expected != head.position
        {
            return Err(LogError::HeadMoved {
                expected,
                actual: head.position,
            });
        }
        let mut planned: HashMap<&str, u64> = HashMap::new();
        for part in &request.parts {
            let actual = planned
                .get(part.stream.as_str())
                .copied()
                .or_else(|| self.version(&part.stream));
            if !part.expected.admits(actual) {
                return Err(LogError::Conflict {
                    stream: part.stream.clone(),
                    expected: part.expected,
                    actual,
                });
            }
            planned.insert(&part.stream, actual.unwrap_or(0) + part.events.len() as u64);
        }
        let mut appended = Appended {
            positions: Vec::new(),
            versions: Vec::new(),
            replayed: false,
        };
        let mut hash: ChainHash = head.hash;
        for part in request.parts {
            let stream: Arc<str> = part.stream.into();
            for e in part.events {
                let position = self.records.len() as Position + 1;
                let version = self.version(&stream).unwrap_or(0) + 1;
                hash = chain::link(&hash, &record::encode(&stream, version, e.id, &e.payload));
                self.ids.insert(e.id, position);
                self.streams
                    .entry(stream.clone())
                    .or_default()
                    .push(position);
                self.records.push(RecordedEvent {
                    position,
                    stream: stream.clone(),
                    version,
                    id: e.id,
                    payload: e.payload,
                    hash,
                });
                appended.positions.push(position);
                appended.versions.push(version);
            }
        }
        Ok(appended)
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
        let mut hash = GENESIS_HASH;
        let mut bytes = 0u64;
        for r in &state.records {
            let encoded = record::encode(&r.stream, r.version, r.id, &r.payload);
            bytes += encoded.len() as u64;
            hash = chain::link(&hash, &encoded);
            progress(r.position);
        }
        Ok(VerifyReport {
            records: state.records.len() as u64,
            bytes,
            last_good_hash: hash,
            failure: None,
        })
    }

    fn close(&self) {
        self.state().closed = true;
    }
}
