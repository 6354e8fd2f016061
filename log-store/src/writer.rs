//! The single writer thread: group commit.
//!
//! Concurrent appends are queued on a channel. The writer takes everything queued (up to a
//! batch limit), checks each request against the stored state plus what earlier requests of the
//! same batch will write, writes all accepted requests' frames with one `pwrite`, makes them
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
use crate::events_file::{self, encode_frame};
use crate::index::{Entry, Index, Persister};
use crate::layout::Indexed;
use crate::plan::{BatchPlan, Lookup, StoredId};
use crate::{Head, LogError, Position, record};

/// Where the answer to one append goes.
pub(crate) type Reply = oneshot::Sender<Result<Appended, LogError>>;

/// One queued append and where to send its answer.
pub(crate) struct Job {
    pub request: AppendRequest,
    pub reply: Reply,
}

/// Where a batch goes and how it is made durable: its frames are written at the end of the
/// events file, which is `fdatasync`ed (unless benchmarking without it); then the acknowledged
/// mark is recorded and the batch's entries are added to the index's table in memory (written
/// out as a run once the table is full, off this thread; rebuilt from the events file on open
/// where the runs fall short).
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
    /// otherwise a lookup in every part of the index per batch. Emptied when it reaches [`VERSIONS_KEPT`].
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

/// Frame bytes from which a commit past the file's end grows the file by its own write instead
/// of by zeroes: bulk loads (an import's batches of thousands of events) would otherwise write
/// every byte twice, once as zeroes and once as records, and be bound by the disk's bandwidth.
const LARGE_COMMIT: usize = 1024 * 1024;

impl Syncer {
    /// Writes `frames` at the end of the events file and makes them durable, then records
    /// `head` as acknowledged — only then, so the mark never names what is not durable.
    fn commit(&mut self, frames: &[u8], head: Head) -> Result<(), LogError> {
        let end = self.indexed.end + frames.len() as u64;
        self.file.write_all_at(frames, self.indexed.end)?;
        if end > self.allocated {
            if frames.len() >= LARGE_COMMIT {
                // A commit this large costs far more than the journal commit of a new file
                // size, and zeroes written ahead of it would be written twice.
                self.allocated = end;
            } else {
                // Zeroes only past the frames: where they go, their own bytes are written.
                let grown = (end / PREALLOCATE + 1) * PREALLOCATE;
                let zeroes = vec![0u8; 1024 * 1024];
                let mut at = end;
                while at < grown {
                    let n = (grown - at).min(zeroes.len() as u64) as usize;
                    self.file.write_all_at(&zeroes[..n], at)?;
                    at += n as u64;
                }
                self.allocated = grown;
            }
        }
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

/// Runs the writer until every sender is gone.
pub(crate) fn run(
    index: Arc<Index>,
    mut syncer: Syncer,
    shared: Arc<Shared>,
    rx: Receiver<Job>,
    max_batch: usize,
) {
    let persister = match Persister::start(index.clone()) {
        Ok(persister) => Some(persister),
        Err(e) => {
            tracing::error!(error = %e, "the index's writer thread could not start; full tables stay in memory");
            None
        }
    };
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
        if let Err(e) = commit_batch(&index, persister.as_ref(), &mut syncer, &shared, jobs) {
            tracing::error!(error = %e, "log write failed; refusing further appends");
            poisoned = true;
        }
    }
    // The mark is written without a sync per commit; a clean close makes it durable.
    if let Err(e) = syncer.mark.sync() {
        tracing::error!(error = %e, "the acknowledged mark could not be synced");
    }
    // The active table too, so the next open starts from runs alone; then waits for them.
    if let (Some(table), Some(persister)) = (index.freeze(), persister.as_ref()) {
        persister.send(table);
    }
    drop(persister);
}

/// Plans, writes and acknowledges one batch. Returns an error only for storage failures, after
/// answering every job of the batch with it.
fn commit_batch(
    index: &Index,
    persister: Option<&Persister>,
    syncer: &mut Syncer,
    shared: &Shared,
    jobs: Vec<Job>,
) -> Result<(), LogError> {
    let start = *shared.head.lock().expect("head lock");
    let file = syncer.file.clone();
    let mut plan = BatchPlan::new(start, std::mem::take(&mut syncer.versions));
    let mut lookup = IndexLookup { index, file: &file };
    let mut answers: Vec<(Reply, Result<Appended, LogError>)> = Vec::with_capacity(jobs.len());
    for job in jobs {
        let outcome = plan.add(&mut lookup, job.request);
        answers.push((job.reply, outcome));
    }

    if !plan.is_empty() {
        let started = std::time::Instant::now();
        let events = plan.last_position() - start.position;
        let written = write(&plan, syncer.indexed.end);
        if let Err(e) = syncer.commit(&written.frames, written.head) {
            let msg = e.to_string();
            for (reply, _) in answers {
                let _ = reply.send(Err(LogError::Storage(msg.clone())));
            }
            return Err(e);
        }
        // Readers see the batch at once: they stop at the head, which moves only after this.
        let full = index.insert(written.entries.iter().copied(), written.indexed);
        syncer.indexed = written.indexed;
        *shared.head.lock().expect("head lock") = written.head;
        shared.head_tx.send_replace(written.head.position);
        // Queued only now, so a run never holds a record past the head.
        if let (Some(full), Some(persister)) = (full, persister) {
            persister.send(full);
        }
        // Operators watch what durability costs and how many events share it.
        metrics::histogram!("caseledger_log_commit_seconds")
            .record(started.elapsed().as_secs_f64());
        metrics::histogram!("caseledger_log_commit_events").record(events as f64);
    }
    // Only now, after a write that did not fail, are the planned versions the stored ones.
    let versions = plan.into_versions();
    if versions.len() < VERSIONS_KEPT {
        syncer.versions = versions;
    }
    for (reply, outcome) in answers {
        let _ = reply.send(outcome);
    }
    Ok(())
}

/// The index and the events file, as the planner's view of what is stored.
struct IndexLookup<'t> {
    index: &'t Index,
    file: &'t File,
}

impl Lookup for IndexLookup<'_> {
    fn stream_version(&mut self, stream: &str) -> Result<Option<u64>, LogError> {
        // The writer is the only one indexing: every entry it finds is stored.
        self.index.stream_version(stream, Position::MAX)
    }

    fn stored(
        &mut self,
        id: u128,
        stream: &str,
        payload: &[u8],
    ) -> Result<Option<StoredId>, LogError> {
        let Some((position, offset)) = self.index.id(id, Position::MAX)? else {
            return Ok(None);
        };
        let stored = events_file::read_frame_at(self.file, offset, position)?.stored;
        let (_, bytes) = record::split_stored(position, &stored)?;
        let r = record::decode(position, bytes)?;
        if r.id != id {
            return Err(LogError::Corrupt {
                position,
                reason: format!("the id index leads to another event's record for {id:032x}"),
            });
        }
        Ok(Some(StoredId {
            position,
            version: r.version,
            same: r.stream == stream && r.payload == payload,
        }))
    }
}

/// Frames every accepted record of `plan`, chained in position order, for writing at `offset`
/// of the events file, and the index entries that will find them.
fn write(plan: &BatchPlan, offset: u64) -> Written<'_> {
    let mut frames = Vec::with_capacity(plan.records().len() * 400);
    let mut entries = Vec::with_capacity(plan.records().len());
    let mut last_frame = offset;
    let head = plan.chain(|r, bytes, hash| {
        last_frame = offset + frames.len() as u64;
        encode_frame(&mut frames, r.position, hash, bytes);
        entries.push(Entry {
            stream: plan.stream_name(r.stream),
            version: r.version,
            id: r.id,
            position: r.position,
            offset: last_frame,
        });
    });
    let indexed = Indexed {
        position: head.position,
        hash: head.hash,
        last_frame,
        end: offset + frames.len() as u64,
    };
    Written {
        frames,
        entries,
        indexed,
        head,
    }
}

/// One batch, ready to write.
struct Written<'p> {
    /// The frames, for the end of the events file.
    frames: Vec<u8>,
    /// The index entries, for the index once the frames are durable.
    entries: Vec<Entry<'p>>,
    /// How far the indexes reach with them.
    indexed: Indexed,
    /// The log's head after them.
    head: Head,
}
