//! The embedded log: the events file, indexed in memory and in index runs, with the runs'
//! manifest in sled 0.34.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use tokio::sync::{oneshot, watch};

use crate::acked::{self, AckedMark};
use crate::anchor::{self, Anchor};
use crate::error::describe_offset;
use crate::events_file::{self, Cursor, Read};
use crate::index::Index;
use crate::layout;
use crate::position::LogStats;
use crate::record::{self, RecordedEvent};
use crate::verify::{self, VerifyReport};
use crate::writer::{self, Job, Shared, Syncer};
use crate::{
    AppendRequest, ChainHash, EventLog, GENESIS_HASH, Head, LogError, PendingAppend, Position,
};

/// How an acknowledged append is made durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// The group commit's frames written to the events file, then one `fdatasync` of it: an
    /// acknowledged append survives a process crash and a power loss. The default.
    Fdatasync,
    /// Written to the events file without a sync: survives a process crash (the kernel has
    /// the pages), not a power loss or a disk's volatile write cache. For benchmarks and
    /// throw-away data.
    NoSync,
}

/// Settings of a [`SledLog`].
#[derive(Debug, Clone)]
pub struct SledLogOptions {
    /// How appends are made durable.
    pub durability: Durability,
    /// Most events written by one group commit.
    pub max_batch_events: usize,
    /// sled's page cache size in bytes. sled holds only the manifest of the index runs (an
    /// entry per run), so 1 MiB by default.
    pub cache_capacity: u64,
    /// Records the index's table in memory holds before it is written out as a run: the
    /// table costs about 100 bytes a record, and an open indexes up to this many records
    /// again from the events file. 262,144 by default (about 25 MiB).
    pub index_table_records: usize,
}

impl Default for SledLogOptions {
    fn default() -> Self {
        SledLogOptions {
            durability: Durability::Fdatasync,
            max_batch_events: 4096,
            cache_capacity: 1024 * 1024,
            index_table_records: 1 << 18,
        }
    }
}

/// The embedded append log: the events file in a data directory, and its indexes.
pub struct SledLog {
    index: Arc<Index>,
    file: Arc<File>,
    shared: Arc<Shared>,
    jobs: Mutex<Option<Sender<Job>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    path: PathBuf,
}

impl SledLog {
    /// Opens (creating if needed) the log in directory `path` with default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Arc<Self>, LogError> {
        Self::open_with(path, SledLogOptions::default())
    }

    /// Opens the log: brings its indexes up to the events file (cutting off a write a crash
    /// left unfinished and unacknowledged), checks that the log reaches the acknowledged mark
    /// (`log.acked`) with the mark's hash there, and starts the writer thread. Damage or a
    /// rewritten history is refused with [`LogError::ChainBroken`], a log that ends before the
    /// mark with [`LogError::Cut`], a log of data format 1 with [`LogError::OldLayout`].
    pub fn open_with(
        path: impl AsRef<Path>,
        options: SledLogOptions,
    ) -> Result<Arc<Self>, LogError> {
        let path = path.as_ref().to_path_buf();
        // The log is client data: its directory is 0700 (also when made beforehand by hand)
        // and every file in it 0600, whatever the umask (sled takes no mode).
        crate::private::create_dir(&path)?;
        let stored_mark = acked::read(&path)?;
        let acknowledged = stored_mark.map(|m| m.position);
        let cache = options.cache_capacity;
        let db = open_sled(
            || sled::Config::new().cache_capacity(cache),
            &path,
            acknowledged,
        )?;
        if db
            .open_tree(layout::TREE)?
            .scan_prefix(b"E")
            .next()
            .is_some()
        {
            return Err(LogError::OldLayout {
                path: path.display().to_string(),
            });
        }
        let file = Arc::new(open_events_file(&path)?);
        let index = Arc::new(Index::open(db, &path, &file, options.index_table_records)?);
        let indexed = crate::recover::catch_up(&index, &file, &path, acknowledged)?;
        let head = Head {
            position: indexed.position,
            hash: indexed.hash,
        };
        if let Some(mark) = stored_mark {
            anchor::check_with(head.position, &[mark_anchor(&path, mark)], |p| {
                stored_hash(&index, &file, head.position, p)
            })?;
        }
        let mark = AckedMark::open(&path, head)?;
        crate::private::tighten(&path)?;
        let syncer = Syncer {
            file: file.clone(),
            sync: options.durability == Durability::Fdatasync,
            mark,
            indexed,
            allocated: file.metadata()?.len(),
            versions: HashMap::new(),
        };
        let (head_tx, _) = watch::channel(head.position);
        let shared = Arc::new(Shared {
            head: Mutex::new(head),
            head_tx,
        });
        let (tx, rx) = mpsc::channel();
        let writer_index = index.clone();
        let writer_shared = shared.clone();
        let max_batch = options.max_batch_events.max(1);
        let handle = std::thread::Builder::new()
            .name("caseledger-log-writer".into())
            .spawn(move || writer::run(writer_index, syncer, writer_shared, rx, max_batch))?;
        Ok(Arc::new(SledLog {
            index,
            file,
            shared,
            jobs: Mutex::new(Some(tx)),
            writer: Mutex::new(Some(handle)),
            path,
        }))
    }

    /// The data directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stops accepting appends, waits for queued ones to finish and for the index's tables
    /// to be written out (so the next open indexes nothing again), and stops the writer
    /// thread. Also done on drop.
    pub fn close(&self) {
        self.jobs.lock().expect("jobs lock").take();
        if let Some(handle) = self.writer.lock().expect("writer lock").take() {
            let _ = handle.join();
        }
    }

    /// Bytes of stored records (hash + record) and number of streams.
    pub fn stats(&self) -> Result<LogStats, LogError> {
        let head = self.head();
        // The file runs on into zeroes made ahead of the records; the indexes say where
        // the records end.
        let end = self.index.reach().end;
        // Each frame is its stored bytes and 8 bytes of length and checksum.
        let record_bytes = end.saturating_sub(8 * head.position);
        let streams = self.index.streams();
        Ok(LogStats {
            head,
            record_bytes,
            streams,
            disk_bytes: dir_size(&self.path),
        })
    }

    fn read_at(&self, position: Position, offset: u64) -> Result<RecordedEvent, LogError> {
        let frame = events_file::read_frame_at(&self.file, offset, position)?;
        record::to_recorded(position, &frame.stored)
    }
}

/// Reads at most this many events with a point cursor (small reads) in `read_all`.
const POINT_READ_EVENTS: usize = 8;

/// The record of the frame `cursor` stands at, which must be `position`'s.
fn next_record(cursor: &mut Cursor<'_>, position: Position) -> Result<RecordedEvent, LogError> {
    match cursor.next_frame()? {
        Read::Frame(frame) if frame.position == position => {
            record::to_recorded(position, &frame.stored)
        }
        Read::Frame(frame) => Err(LogError::Corrupt {
            position,
            reason: format!(
                "the events file holds position {} where it belongs (offset {})",
                frame.position, frame.offset
            ),
        }),
        Read::End => Err(LogError::Corrupt {
            position,
            reason: "the events file ends before the durable head".into(),
        }),
        Read::Bad { offset, reason } => Err(LogError::Corrupt {
            position,
            reason: format!("{reason} at offset {offset} of the events file"),
        }),
    }
}

/// Bytes of every file under `dir`.
fn dir_size(dir: &Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Opens (creating, 0600) the events file of the log in `dir` for reading and writing.
fn open_events_file(dir: &Path) -> Result<File, LogError> {
    use std::os::unix::fs::OpenOptionsExt;
    Ok(std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(events_file::path(dir))?)
}

/// Opens sled in `path`, reporting a directory held by another process as [`LogError::InUse`]
/// and damage sled's recovery met as [`LogError::Damaged`] naming the data file.
fn open_sled(
    config: impl Fn() -> sled::Config,
    path: &Path,
    acknowledged: Option<Position>,
) -> Result<sled::Db, LogError> {
    // sled's background threads let go of a dropped store's lock shortly after, not at once:
    // a store this process just closed (a restore opening what it wrote, a test reopening) is
    // waited for, briefly, before the directory counts as in use.
    let mut waited = 0;
    let opened = loop {
        match config().path(path).open() {
            Err(sled::Error::Io(e))
                if waited < 50
                    && (lock_is_held(path) || e.to_string().contains("acquire lock")) =>
            {
                waited += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => break other,
        }
    };
    opened.map_err(|e| match e {
        // sled reports a held lock as an `Other` I/O error with its own wording; asking the
        // lock itself keeps "in use" for when it really is, never for damage.
        sled::Error::Io(_) if lock_is_held(path) => LogError::InUse {
            path: path.display().to_string(),
            holder: lock_holder(&path.join("db")),
        },
        sled::Error::Corruption { at, .. } => LogError::Damaged {
            path: path.join("db").display().to_string(),
            at: describe_offset(at.map(|p| p.lid())),
            acknowledged,
        },
        other => other.into(),
    })
}

/// Opens sled in `path` with its default settings (for tools that open a stopped directory).
pub(crate) fn open_sled_at(
    path: &Path,
    acknowledged: Option<Position>,
) -> Result<sled::Db, LogError> {
    open_sled(sled::Config::new, path, acknowledged)
}

/// Whether another open file description holds the `flock` sled takes on its data file.
fn lock_is_held(path: &Path) -> bool {
    File::open(path.join("db"))
        .is_ok_and(|f| matches!(f.try_lock(), Err(std::fs::TryLockError::WouldBlock)))
}

/// The process holding the `flock` on `file`, from Linux's `/proc/locks` (its lines read
/// `1: FLOCK  ADVISORY  WRITE 1234 08:01:131075 0 EOF`) and the holder's command line; `None`
/// where the system does not say.
fn lock_holder(file: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let inode = std::fs::metadata(file).ok()?.ino();
    let locks = std::fs::read_to_string("/proc/locks").ok()?;
    let pid = locks.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (pid, device) = (fields.get(4)?, fields.get(5)?);
        let held = device.rsplit(':').next()?.parse::<u64>().ok()?;
        (fields.get(1) == Some(&"FLOCK") && held == inode)
            .then(|| pid.parse::<u32>().ok())
            .flatten()
    })?;
    let command = std::fs::read(format!("/proc/{pid}/cmdline"))
        .ok()
        .map(|raw| {
            raw.split(|b| *b == 0)
                .filter(|a| !a.is_empty())
                .take(2)
                .map(|a| {
                    let arg = String::from_utf8_lossy(a);
                    // The program's name, not where it is installed.
                    arg.rsplit('/').next().unwrap_or_default().to_string()
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|c| !c.is_empty());
    Some(match command {
        Some(c) => format!("process {pid} ({c})"),
        None => format!("process {pid}"),
    })
}

/// The anchor the acknowledged mark of the log in `dir` stands for.
fn mark_anchor(dir: &Path, mark: Head) -> Anchor {
    Anchor {
        position: mark.position,
        hash: Some(mark.hash),
        evidence: format!("the acknowledged mark {}", acked::path(dir).display()),
    }
}

/// The chain hash stored with the record at `position` of a log whose head is `head` (the
/// genesis hash at 0, `None` past the head).
fn stored_hash(
    index: &Index,
    file: &File,
    head: Position,
    position: Position,
) -> Result<Option<[u8; 32]>, LogError> {
    if position == 0 {
        return Ok(Some(GENESIS_HASH));
    }
    if position > head {
        return Ok(None);
    }
    let offset = index.point_cursor(file, position)?.offset();
    let frame = events_file::read_frame_at(file, offset, position)?;
    Ok(Some(record::split_stored(position, &frame.stored)?.0))
}

impl Default for Head {
    fn default() -> Self {
        Head {
            position: 0,
            hash: GENESIS_HASH,
        }
    }
}

impl Drop for SledLog {
    fn drop(&mut self) {
        self.close();
    }
}

impl EventLog for SledLog {
    fn append(&self, request: AppendRequest) -> PendingAppend {
        let (reply, rx) = oneshot::channel();
        let sent = match self.jobs.lock().expect("jobs lock").as_ref() {
            Some(tx) => tx.send(Job { request, reply }).is_ok(),
            None => false,
        };
        if sent {
            PendingAppend::new(rx)
        } else {
            PendingAppend::failed(LogError::Closed)
        }
    }

    fn read_all(&self, from: Position, limit: usize) -> Result<Vec<RecordedEvent>, LogError> {
        let head = self.head().position;
        let from = from.max(1);
        if from > head || limit == 0 {
            return Ok(Vec::new());
        }
        let wanted = limit.min((head - from + 1) as usize);
        let mut out = Vec::with_capacity(wanted);
        // A few events are a point read: small reads, not a scan's read-ahead.
        let mut cursor = if wanted <= POINT_READ_EVENTS {
            self.index.point_cursor(&self.file, from)?
        } else {
            Cursor::new(
                &self.file,
                self.index.point_cursor(&self.file, from)?.offset(),
            )
        };
        while out.len() < wanted {
            out.push(next_record(&mut cursor, from + out.len() as u64)?);
        }
        Ok(out)
    }

    fn read_positions(&self, positions: &[Position]) -> Result<Vec<RecordedEvent>, LogError> {
        let head = self.head().position;
        let mut out = Vec::with_capacity(positions.len());
        // Where the last cursor stands: the next position it reads, while in the same block.
        let mut open: Option<(Cursor<'_>, Position)> = None;
        for &position in positions {
            if position == 0 || position > head {
                return Err(LogError::Corrupt {
                    position,
                    reason: format!("not a durable position (the head is {head})"),
                });
            }
            let reuse = open.as_ref().is_some_and(|(_, next)| {
                *next <= position && layout::block_start(*next) == layout::block_start(position)
            });
            let (mut cursor, next) = match open.take() {
                Some(open) if reuse => open,
                _ => (self.index.point_cursor(&self.file, position)?, position),
            };
            for _ in next..position {
                if !cursor.skip_frame()? {
                    return Err(LogError::Corrupt {
                        position,
                        reason: "the events file ends before the durable head".into(),
                    });
                }
            }
            out.push(next_record(&mut cursor, position)?);
            open = Some((cursor, position + 1));
        }
        Ok(out)
    }

    fn read_stream(
        &self,
        stream: &str,
        from_version: u64,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, LogError> {
        let head = self.head().position;
        let from = from_version.max(1);
        let entries = self.index.stream_entries(stream, from, limit, head)?;
        let mut out = Vec::with_capacity(entries.len());
        for (i, (position, offset)) in entries.into_iter().enumerate() {
            let event = self.read_at(position, offset)?;
            // The index is a cache: one that leads elsewhere is damage, never an answer.
            if &*event.stream != stream || event.version != from + i as u64 {
                return Err(LogError::Corrupt {
                    position,
                    reason: format!(
                        "the stream index has version {} of {stream} here",
                        from + i as u64
                    ),
                });
            }
            out.push(event);
        }
        Ok(out)
    }

    fn read_event(&self, id: u128) -> Result<Option<RecordedEvent>, LogError> {
        match self.index.id(id, self.head().position)? {
            Some((position, offset)) => {
                let event = self.read_at(position, offset)?;
                if event.id != id {
                    return Err(LogError::Corrupt {
                        position,
                        reason: format!("the id index has event {id:032x} here"),
                    });
                }
                Ok(Some(event))
            }
            None => Ok(None),
        }
    }

    fn stream_version(&self, stream: &str) -> Result<Option<u64>, LogError> {
        self.index.stream_version(stream, self.head().position)
    }

    fn head(&self) -> Head {
        *self.shared.head.lock().expect("head lock")
    }

    fn watch_head(&self) -> watch::Receiver<Position> {
        self.shared.head_tx.subscribe()
    }

    fn verify(&self, progress: &mut dyn FnMut(Position)) -> Result<VerifyReport, LogError> {
        let head = self.head();
        Ok(walk_file(&self.file, Some(head), head.position, &[], progress)?.0)
    }

    fn stats(&self) -> Result<Option<LogStats>, LogError> {
        SledLog::stats(self).map(Some)
    }

    fn close(&self) {
        SledLog::close(self);
    }
}

/// Walks the hash chain of the log in `path` without opening it, so a damaged log can still
/// be examined to find its first bad position; then checks it against the acknowledged mark.
/// Fails if a running server holds the directory.
pub fn verify_dir(
    path: impl AsRef<Path>,
    progress: &mut dyn FnMut(Position),
) -> Result<VerifyReport, LogError> {
    verify_dir_with(path, &[], progress)
}

/// [`verify_dir`], also checking the log against `anchors` (evidence the caller keeps of
/// positions the log reached): a log whose chain holds but that ends before an anchor, or has
/// another hash at one, is reported as a failure naming the position.
pub fn verify_dir_with(
    path: impl AsRef<Path>,
    anchors: &[Anchor],
    progress: &mut dyn FnMut(Position),
) -> Result<VerifyReport, LogError> {
    let path = path.as_ref();
    let mark = acked::read(path)?;
    let events = events_file::path(path);
    if !events.exists() {
        if !path.join("db").exists() {
            return Err(LogError::Storage(format!(
                "{} holds no log (no {} file)",
                path.display(),
                events_file::FILE
            )));
        }
        // A directory of data format 1 keeps its records inside sled.
        let db = open_sled(sled::Config::new, path, mark.map(|m| m.position))?;
        if db
            .open_tree(layout::TREE)?
            .scan_prefix(b"E")
            .next()
            .is_some()
        {
            return Err(LogError::OldLayout {
                path: path.display().to_string(),
            });
        }
    }
    if lock_is_held(path) {
        return Err(LogError::InUse {
            path: path.display().to_string(),
            holder: lock_holder(&path.join("db")),
        });
    }
    let file = match File::open(&events) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return empty_log_report(path, mark, anchors);
        }
        Err(e) => return Err(e.into()),
    };
    // A frame past the acknowledged mark that a crash cut short is no failure: it was never
    // acknowledged, and the next open cuts it off.
    let acknowledged = mark.map_or(0, |m| m.position);
    let mut all = anchors.to_vec();
    all.extend(mark.map(|m| mark_anchor(path, m)));
    let wanted: Vec<Position> = all.iter().map(|a| a.position).collect();
    let (mut report, hashes) = walk_file(&file, None, acknowledged, &wanted, progress)?;
    if report.is_ok() {
        let records = report.records;
        let checked = anchor::check_with(records, &all, |p| {
            if p == 0 {
                return Ok(Some(GENESIS_HASH));
            }
            if p > records {
                return Ok(None);
            }
            Ok(hashes.get(&p).copied())
        });
        report.failure = match checked {
            Ok(()) => None,
            Err(LogError::Cut {
                head,
                expected,
                evidence,
            }) => Some(crate::VerifyFailure {
                position: head + 1,
                reason: format!(
                    "the log ends at position {head}, but {evidence} shows it reached position {expected} (acknowledged records are missing)"
                ),
            }),
            Err(LogError::ChainBroken { position, reason }) => {
                Some(crate::VerifyFailure { position, reason })
            }
            Err(e) => return Err(e),
        };
    }
    Ok(report)
}

/// The report on a directory with no events file yet: no records, which the anchors may
/// contradict.
fn empty_log_report(
    path: &Path,
    mark: Option<Head>,
    anchors: &[Anchor],
) -> Result<VerifyReport, LogError> {
    let mut all = anchors.to_vec();
    all.extend(mark.map(|m| mark_anchor(path, m)));
    let failure = all.iter().filter(|a| a.position > 0).max_by_key(|a| a.position).map(|a| {
        crate::VerifyFailure {
            position: 1,
            reason: format!(
                "the log holds no records, but {} shows it reached position {} (acknowledged records are missing)",
                a.evidence, a.position
            ),
        }
    });
    Ok(VerifyReport {
        records: 0,
        bytes: 0,
        last_good_hash: GENESIS_HASH,
        failure,
    })
}

/// Walks the chain of an events file: one thread reads frames ahead while this one hashes.
/// With a `head`, the walk covers exactly its positions and checks its hash; without, it goes
/// to the end of the file, where a frame failing its checksum past position `acknowledged`
/// ends it quietly (a crash's unacknowledged write, which the next open cuts off). Also
/// answers the stored hashes at the `wanted` positions it passed.
fn walk_file(
    file: &File,
    head: Option<Head>,
    acknowledged: Position,
    wanted: &[Position],
    progress: &mut dyn FnMut(Position),
) -> Result<(VerifyReport, HashMap<Position, ChainHash>), LogError> {
    const BATCH: usize = 4_096;
    type Batch = Result<Vec<(Position, Vec<u8>)>, LogError>;
    let limit = head.map_or(u64::MAX, |h| h.position);
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(8);
        scope.spawn(move || {
            let mut cursor = Cursor::new(file, 0);
            let mut position = 0;
            let mut batch = Vec::with_capacity(BATCH);
            while position < limit {
                let next = position + 1;
                let item = match cursor.next_frame() {
                    Ok(Read::Frame(frame)) => Ok((frame.position, frame.stored)),
                    Ok(Read::End) if head.is_none() => break,
                    Ok(Read::End) => Err(LogError::Corrupt {
                        position: next,
                        reason: "the events file ends before the head".into(),
                    }),
                    Ok(Read::Bad { .. }) if head.is_none() && next > acknowledged => break,
                    Ok(Read::Bad { offset, reason }) => Err(LogError::Corrupt {
                        position: next,
                        reason: format!("{reason} at offset {offset} of the events file"),
                    }),
                    Err(e) => Err(e.into()),
                };
                match item {
                    Ok((found, stored)) => {
                        // The walk names a frame out of place at the position it expected.
                        position = next;
                        batch.push((found, stored));
                        // A closed channel means the walk stopped at a failure: stop too.
                        if batch.len() == BATCH && tx.send(Ok(std::mem::take(&mut batch))).is_err()
                        {
                            return;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Ok(std::mem::take(&mut batch)));
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
            let _ = tx.send(Ok(batch));
        });
        let mut hashes = HashMap::new();
        let entries = rx
            .into_iter()
            .flat_map(|batch| {
                let (records, error) = match batch {
                    Ok(records) => (records, None),
                    Err(e) => (Vec::new(), Some(e)),
                };
                records.into_iter().map(Ok).chain(error.map(Err))
            })
            .inspect(|entry| {
                if let Ok((position, stored)) = entry
                    && wanted.contains(position)
                    && let Some(hash) = stored.get(..32).and_then(|h| h.try_into().ok())
                {
                    hashes.insert(*position, hash);
                }
            });
        let report = verify::walk(entries, head, progress)?;
        Ok((report, hashes))
    })
}
