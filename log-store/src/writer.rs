//! The single writer thread: group commit.
//!
//! Concurrent appends are queued on a channel. The writer takes everything queued (up to a
//! batch limit), checks each request against the stored state plus what earlier requests of the
//! same batch will write, writes all accepted requests with one crash-atomic sled batch, makes it
//! durable once, and only then answers every request of the batch. Requests that arrive while a
//! batch is being made durable form the next batch, so the durable-write cost is shared by every
//! concurrent writer.

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, Mutex};

use tokio::sync::{oneshot, watch};

use crate::append::{AppendRequest, Appended};
use crate::chain::link;
use crate::events_file::{self, encode_frame};
use crate::layout::{self, Indexed};
use crate::{ChainHash, Head, LogError, Position, record};

/// Where the answer to one append goes.
pub(crate) type Reply = oneshot::Sender<Result<Appended, LogError>>;

/// One queued append and where to send its answer.
pub(crate) struct Job {
    pub request: AppendRequest,
    pub reply: Reply,
}

/// Where a batch goes and how it is made durable: its frames are written at the end of the
/// events file, which is `fdatasync`ed (unless benchmarking without it); then the acknowledged
/// mark is recorded and the indexes are brought up to date in sled, which flushes them in the
/// background (they are rebuilt from the events file on open where they fall short).
pub(crate) struct Syncer {
    /// The events file.
    pub file: Arc<File>,
    /// Whether each commit is `fdatasync`ed.
    pub sync: bool,
    /// The acknowledged mark, written after each durable batch.
    pub mark: crate::acked::AckedMark,
    /// How far the indexes reach; the next frame goes at `indexed.end`.
    pub indexed: Indexed,
    /// The events file's length: zeroes from `indexed.end` to here.
    pub allocated: u64,
    /// Stream versions the writer has looked up or written, carried from batch to batch: the
    /// writer is the only one that changes them, so they stay true, and a stream's version is
    /// otherwise a range scan of sled per batch. Emptied when it reaches [`VERSIONS_KEPT`].
    pub versions: HashMap<String, Option<u64>>,
}

/// Most stream versions [`Syncer::versions`] holds (a few MB).
const VERSIONS_KEPT: usize = 100_000;

/// Bytes of zeroes the events file is extended by ahead of its records. A commit that only
/// overwrites blocks the file already has is one data flush; one that grows the file must also
/// persist its new size (a journal commit), measurably slower per commit on this machine's disk
/// (BENCHMARKS.md). So the file grows a chunk at a time, the chunk's zeroes made durable with
/// the commit that needed them; zeroes after the last frame read as the end of the log.
pub(crate) const PREALLOCATE: u64 = 8 * 1024 * 1024;

impl Syncer {
    /// Writes `frames` at the end of the events file and makes them durable, then records
    /// `head` as acknowledged — only then, so the mark never names what is not durable.
    fn commit(&mut self, frames: &[u8], head: Head) -> Result<(), LogError> {
        let end = self.indexed.end + frames.len() as u64;
        if end > self.allocated {
            let grown = (end / PREALLOCATE + 1) * PREALLOCATE;
            let zeroes = vec![0u8; 1024 * 1024];
            let mut at = self.allocated.max(self.indexed.end);
            while at < grown {
                let n = (grown - at).min(zeroes.len() as u64) as usize;
                self.file.write_all_at(&zeroes[..n], at)?;
                at += n as u64;
            }
            self.allocated = grown;
        }
        self.file.write_all_at(frames, self.indexed.end)?;
        if self.sync {
            self.file.sync_data()?;
        }
        self.mark.record(head)
    }
}

/// State shared between the writer and readers.
pub(crate) struct Shared {
    pub head: Mutex<Head>,
    pub head_tx: watch::Sender<Position>,
}

/// An event id already in the log or earlier in this batch.
enum Known {
    Stored(Position, u64),
    Pending(usize),
}

/// A record prepared for writing.
struct Prepared {
    position: Position,
    stream_idx: usize,
    version: u64,
    id: u128,
    payload_idx: (usize, usize),
}

/// Runs the writer until every sender is gone.
pub(crate) fn run(
    tree: sled::Tree,
    mut syncer: Syncer,
    shared: Arc<Shared>,
    rx: Receiver<Job>,
    max_batch: usize,
) {
    let mut poisoned = false;
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        let mut events = jobs[0].request.len();
        while events < max_batch {
            match rx.try_recv() {
                Ok(job) => {
                    events += job.request.len();
                    jobs.push(job);
                }
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        if poisoned {
            for job in jobs {
                let _ = job.reply.send(Err(LogError::Poisoned));
            }
            continue;
        }
        if let Err(e) = commit_batch(&tree, &mut syncer, &shared, jobs) {
            tracing::error!(error = %e, "log write failed; refusing further appends");
            poisoned = true;
        }
    }
    // The mark is written without a sync per commit; a clean close makes it durable.
    if let Err(e) = syncer.mark.sync() {
        tracing::error!(error = %e, "the acknowledged mark could not be synced");
    }
}

/// Plans, writes and acknowledges one batch. Returns an error only for storage failures, after
/// answering every job of the batch with it.
fn commit_batch(
    tree: &sled::Tree,
    syncer: &mut Syncer,
    shared: &Shared,
    jobs: Vec<Job>,
) -> Result<(), LogError> {
    let start = *shared.head.lock().expect("head lock");
    let file = syncer.file.clone();
    let mut plan = BatchPlan {
        tree,
        file: &file,
        head: start,
        streams: std::mem::take(&mut syncer.versions),
        ids: HashMap::new(),
        records: Vec::new(),
        stream_names: Vec::new(),
        payloads: Vec::new(),
    };
    let mut answers: Vec<(Reply, Result<Appended, LogError>)> = Vec::with_capacity(jobs.len());
    for job in jobs {
        let outcome = plan.add(job.request);
        answers.push((job.reply, outcome));
    }

    if plan.head.position != start.position {
        let started = std::time::Instant::now();
        let events = plan.head.position - start.position;
        let written = plan.write(syncer.indexed.end);
        let result = syncer
            .commit(&written.frames, plan.head)
            .and_then(|()| tree.apply_batch(written.index).map_err(LogError::from));
        if let Err(e) = result {
            let msg = e.to_string();
            for (reply, _) in answers {
                let _ = reply.send(Err(LogError::Storage(msg.clone())));
            }
            return Err(e);
        }
        syncer.indexed = written.indexed;
        *shared.head.lock().expect("head lock") = plan.head;
        shared.head_tx.send_replace(plan.head.position);
        // Operators watch what durability costs and how many events share it.
        metrics::histogram!("caseledger_log_commit_seconds")
            .record(started.elapsed().as_secs_f64());
        metrics::histogram!("caseledger_log_commit_events").record(events as f64);
    }
    // Only now, after a write that did not fail, are the planned versions the stored ones.
    if plan.streams.len() < VERSIONS_KEPT {
        syncer.versions = std::mem::take(&mut plan.streams);
    }
    for (reply, outcome) in answers {
        let _ = reply.send(outcome);
    }
    Ok(())
}

/// What one batch will write, built request by request.
struct BatchPlan<'t> {
    tree: &'t sled::Tree,
    file: &'t File,
    head: Head,
    /// Stream versions as they will be after the accepted requests so far.
    streams: HashMap<String, Option<u64>>,
    /// Ids accepted so far in this batch → index into `records`.
    ids: HashMap<u128, usize>,
    records: Vec<Prepared>,
    stream_names: Vec<String>,
    payloads: Vec<Vec<Vec<u8>>>,
}

impl BatchPlan<'_> {
    fn stream_version(&mut self, stream: &str) -> Result<Option<u64>, LogError> {
        if let Some(v) = self.streams.get(stream) {
            return Ok(*v);
        }
        let v = layout::stream_version(self.tree, stream)?;
        self.streams.insert(stream.to_string(), v);
        Ok(v)
    }

    fn known(&self, id: u128) -> Result<Option<Known>, LogError> {
        if let Some(&i) = self.ids.get(&id) {
            return Ok(Some(Known::Pending(i)));
        }
        Ok(self
            .tree
            .get(layout::id_key(id))?
            .and_then(|b| layout::read_located(&b))
            .map(|(position, offset)| Known::Stored(position, offset)))
    }

    /// Validates one request and, if accepted, adds its records to the plan.
    fn add(&mut self, request: AppendRequest) -> Result<Appended, LogError> {
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

        // Idempotency first: a retry of a stored append answers with the original positions
        // whatever the expected versions say now.
        let mut known = Vec::new();
        for part in &request.parts {
            for e in &part.events {
                if let Some(k) = self.known(e.id)? {
                    known.push((part.stream.as_str(), e, k));
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
            let mut positions = Vec::with_capacity(total);
            let mut versions = Vec::with_capacity(total);
            for (stream, e, k) in known {
                let (position, version, same) = match k {
                    Known::Pending(i) => {
                        let r = &self.records[i];
                        let same = self.stream_names[r.stream_idx] == stream
                            && self.payloads[r.payload_idx.0][r.payload_idx.1] == e.payload;
                        (r.position, r.version, same)
                    }
                    Known::Stored(position, offset) => {
                        let stored =
                            events_file::read_frame_at(self.file, offset, position)?.stored;
                        let (_, bytes) = record::split_stored(position, &stored)?;
                        let r = record::decode(position, bytes)?;
                        (
                            position,
                            r.version,
                            r.stream == stream && r.payload == e.payload.as_slice(),
                        )
                    }
                };
                if !same {
                    return Err(LogError::EventIdReused { id: e.id, position });
                }
                positions.push(position);
                versions.push(version);
            }
            return Ok(Appended {
                positions,
                versions,
                replayed: true,
            });
        }

        // Concurrency checks before anything is added: the head (which counts the records
        // already planned in this group), then every part.
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
                None => self.stream_version(&part.stream)?,
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

        let mut positions = Vec::with_capacity(request.len());
        let mut versions = Vec::with_capacity(request.len());
        let payload_group = self.payloads.len();
        let mut payloads = Vec::with_capacity(request.len());
        for part in request.parts {
            let stream_idx = self.stream_names.len();
            let mut version = self.stream_version(&part.stream)?.unwrap_or(0);
            for e in part.events {
                version += 1;
                self.head.position += 1;
                positions.push(self.head.position);
                versions.push(version);
                self.ids.insert(e.id, self.records.len());
                self.records.push(Prepared {
                    position: self.head.position,
                    stream_idx,
                    version,
                    id: e.id,
                    payload_idx: (payload_group, payloads.len()),
                });
                payloads.push(e.payload);
            }
            self.streams.insert(part.stream.clone(), Some(version));
            self.stream_names.push(part.stream);
        }
        self.payloads.push(payloads);
        Ok(Appended {
            positions,
            versions,
            replayed: false,
        })
    }

    /// Frames every accepted record, chaining hashes in position order, for writing at
    /// `offset` of the events file, and the index entries that will find them.
    fn write(&mut self, offset: u64) -> Written {
        let mut frames = Vec::with_capacity(self.records.len() * 400);
        let mut index = sled::Batch::default();
        // The batch starts right after the head, whose hash we already hold.
        let mut hash: ChainHash = self.head.hash;
        let mut last_frame = offset;
        for r in &self.records {
            let stream = &self.stream_names[r.stream_idx];
            let payload = &self.payloads[r.payload_idx.0][r.payload_idx.1];
            let bytes = record::encode(stream, r.version, r.id, payload);
            hash = link(&hash, &bytes);
            last_frame = offset + frames.len() as u64;
            encode_frame(&mut frames, r.position, &hash, &bytes);
            let located = layout::located(r.position, last_frame);
            index.insert(layout::stream_key(stream, r.version), &located);
            index.insert(&layout::id_key(r.id), &located);
            if layout::block_start(r.position) == r.position {
                index.insert(&layout::block_key(r.position), &last_frame.to_be_bytes());
            }
        }
        self.head.hash = hash;
        let indexed = Indexed {
            position: self.head.position,
            hash,
            last_frame,
            end: offset + frames.len() as u64,
        };
        index.insert(layout::INDEXED_KEY, &indexed.encode()[..]);
        Written {
            frames,
            index,
            indexed,
        }
    }
}

/// One batch, ready to write.
struct Written {
    /// The frames, for the end of the events file.
    frames: Vec<u8>,
    /// The index entries, for sled once the frames are durable.
    index: sled::Batch,
    /// How far the indexes reach with them.
    indexed: Indexed,
}

/// Stream names are 1..=255 bytes without control characters, so they fit the index key and
/// print cleanly.
pub(crate) fn validate_stream(stream: &str) -> Result<(), LogError> {
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
