//! The append rules every backend applies, once: a batch of requests checked one after another
//! against the stored state plus what the earlier requests of the batch will write.
//!
//! Shape (non-empty parts, valid stream names, no id twice), then idempotency (a retry of a
//! stored append is answered with its original positions whatever the head or versions now
//! are), then the expected head, then every part's expected version. Positions are assigned
//! from the batch's starting head, so they are gapless, and the chain hashes are linked in
//! position order when the batch is written ([`BatchPlan::chain`]). Backends differ only in
//! how they look stored state up ([`Lookup`]) and how they make the planned records durable.

use std::collections::{HashMap, HashSet};

use crate::append::{AppendRequest, Appended};
use crate::chain::{ChainHash, link};
use crate::{Head, LogError, Position, record};

/// How a backend answers the planner's questions about what is already stored.
pub trait Lookup {
    /// The stored version of `stream` (`None`: no such stream).
    fn stream_version(&mut self, stream: &str) -> Result<Option<u64>, LogError>;

    /// The stored event with id `id`, if any, and whether it is the same event as the one
    /// offered now (same stream, same payload): only then is the offer a retry.
    fn stored(
        &mut self,
        id: u128,
        stream: &str,
        payload: &[u8],
    ) -> Result<Option<StoredId>, LogError>;
}

/// An event id found in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredId {
    /// Where it is.
    pub position: Position,
    /// Its stream version.
    pub version: u64,
    /// Whether it has the stream and payload offered again.
    pub same: bool,
}

/// One record the batch will write.
#[derive(Debug)]
pub struct Planned {
    /// Its global position.
    pub position: Position,
    /// Index into [`BatchPlan::stream_name`].
    pub stream: usize,
    /// Its stream version.
    pub version: u64,
    /// The event id.
    pub id: u128,
    /// The event bytes.
    pub payload: Vec<u8>,
}

/// What one batch will write, built request by request.
pub struct BatchPlan {
    start: Head,
    head: Head,
    /// Stream versions as they will be after the accepted requests so far (seeded by backends
    /// that keep versions from batch to batch).
    versions: HashMap<String, Option<u64>>,
    /// Ids accepted so far in this batch → index into `records`.
    ids: HashMap<u128, usize>,
    records: Vec<Planned>,
    stream_names: Vec<String>,
}

impl BatchPlan {
    /// A batch starting after `head`, with stream versions already known to be stored.
    pub fn new(head: Head, versions: HashMap<String, Option<u64>>) -> Self {
        BatchPlan {
            start: head,
            head,
            versions,
            ids: HashMap::new(),
            records: Vec::new(),
            stream_names: Vec::new(),
        }
    }

    /// The last position the batch will have written (its start when nothing was accepted).
    pub fn last_position(&self) -> Position {
        self.head.position
    }

    /// Whether no request was accepted.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The accepted records, in position order.
    pub fn records(&self) -> &[Planned] {
        &self.records
    }

    /// The name of stream `index` of [`Planned::stream`].
    pub fn stream_name(&self, index: usize) -> &str {
        &self.stream_names[index]
    }

    /// Stream versions as they stand once the batch is written (to carry to the next batch).
    pub fn into_versions(self) -> HashMap<String, Option<u64>> {
        self.versions
    }

    fn version(&mut self, lookup: &mut impl Lookup, stream: &str) -> Result<Option<u64>, LogError> {
        if let Some(v) = self.versions.get(stream) {
            return Ok(*v);
        }
        let v = lookup.stream_version(stream)?;
        self.versions.insert(stream.to_string(), v);
        Ok(v)
    }

    /// Validates one request and, if accepted, adds its records to the plan. A rejected
    /// request leaves the plan as it was.
    pub fn add(
        &mut self,
        lookup: &mut impl Lookup,
        request: AppendRequest,
    ) -> Result<Appended, LogError> {
        if request.parts.is_empty() || request.parts.iter().any(|p| p.events.is_empty()) {
            return Err(LogError::EmptyAppend);
        }
        let mut seen = HashSet::new();
        for part in &request.parts {
            validate_stream(&part.stream)?;
            for e in &part.events {
                if !seen.insert(e.id) {
                    return Err(LogError::DuplicateId(e.id));
                }
            }
        }

        // Idempotency first: a retry of a stored append answers with the original positions
        // whatever the expected versions say now.
        let mut known = Vec::new();
        for part in &request.parts {
            for e in &part.events {
                let found = match self.ids.get(&e.id) {
                    Some(&i) => {
                        let r = &self.records[i];
                        Some(StoredId {
                            position: r.position,
                            version: r.version,
                            same: self.stream_names[r.stream] == part.stream
                                && r.payload == e.payload,
                        })
                    }
                    None => lookup.stored(e.id, &part.stream, &e.payload)?,
                };
                if let Some(found) = found {
                    known.push((e.id, found));
                }
            }
        }
        if !known.is_empty() {
            let total = request.len();
            if known.len() != total {
                return Err(LogError::PartialRetry {
                    known: known.len(),
                    new: total - known.len(),
                });
            }
            let mut appended = Appended {
                positions: Vec::with_capacity(total),
                versions: Vec::with_capacity(total),
                replayed: true,
            };
            for (id, found) in known {
                if !found.same {
                    return Err(LogError::EventIdReused {
                        id,
                        position: found.position,
                    });
                }
                appended.positions.push(found.position);
                appended.versions.push(found.version);
            }
            return Ok(appended);
        }

        // Concurrency checks before anything is added: the head (which counts the records
        // already planned in this batch), then every part.
        if let Some(expected) = request.expected_head
            && expected != self.head.position
        {
            return Err(LogError::HeadMoved {
                expected,
                actual: self.head.position,
            });
        }
        let mut next_versions: HashMap<&str, Option<u64>> = HashMap::new();
        for part in &request.parts {
            let actual = match next_versions.get(part.stream.as_str()) {
                Some(v) => *v,
                None => self.version(lookup, &part.stream)?,
            };
            if !part.expected.admits(actual) {
                return Err(LogError::Conflict {
                    stream: part.stream.clone(),
                    expected: part.expected,
                    actual,
                });
            }
            next_versions.insert(
                &part.stream,
                Some(actual.unwrap_or(0) + part.events.len() as u64),
            );
        }

        let mut appended = Appended {
            positions: Vec::with_capacity(request.len()),
            versions: Vec::with_capacity(request.len()),
            replayed: false,
        };
        for part in request.parts {
            let stream = self.stream_names.len();
            let mut version = self.version(lookup, &part.stream)?.unwrap_or(0);
            for e in part.events {
                version += 1;
                self.head.position += 1;
                appended.positions.push(self.head.position);
                appended.versions.push(version);
                self.ids.insert(e.id, self.records.len());
                self.records.push(Planned {
                    position: self.head.position,
                    stream,
                    version,
                    id: e.id,
                    payload: e.payload,
                });
            }
            self.versions.insert(part.stream.clone(), Some(version));
            self.stream_names.push(part.stream);
        }
        Ok(appended)
    }

    /// Encodes every accepted record and links it into the chain in position order, handing
    /// each to `write` with its encoded bytes and chain hash; returns the batch's new head.
    pub fn chain<'a>(&'a self, mut write: impl FnMut(&'a Planned, &[u8], &ChainHash)) -> Head {
        let mut hash = self.start.hash;
        for r in &self.records {
            let bytes = record::encode(&self.stream_names[r.stream], r.version, r.id, &r.payload);
            hash = link(&hash, &bytes);
            write(r, &bytes, &hash);
        }
        Head {
            position: self.head.position,
            hash,
        }
    }
}

/// Stream names are 1..=255 bytes without control characters, so they fit every backend's
/// index key and print cleanly.
pub fn validate_stream(stream: &str) -> Result<(), LogError> {
    let reason = if stream.is_empty() {
        "empty"
    } else if stream.len() > 255 {
        "longer than 255 bytes"
    } else if stream.chars().any(char::is_control) {
        "contains a control character"
    } else {
        return Ok(());
    };
    Err(LogError::InvalidStream {
        stream: stream.to_string(),
        reason,
    })
}
