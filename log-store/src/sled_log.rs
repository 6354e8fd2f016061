//! The embedded log on sled 0.34.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use tokio::sync::{oneshot, watch};

use crate::acked::{self, AckedMark};
use crate::anchor::{self, Anchor};
use crate::chain::link;
use crate::error::describe_offset;
use crate::layout::{self, be_u64};
use crate::position::LogStats;
use crate::record::{self, RecordedEvent};
use crate::verify::{self, VerifyReport};
use crate::writer::{self, Job, Shared, Syncer};
use crate::{AppendRequest, EventLog, GENESIS_HASH, Head, LogError, PendingAppend, Position};

/// How an acknowledged append is made durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// sled's `flush` (`write` + `sync_file_range`) followed by an `fdatasync` of sled's data
    /// file, once per group commit: an acknowledged append survives a process crash and a power
    /// loss. The default.
    Fdatasync,
    /// sled's `flush` only: survives a process crash, not necessarily a power loss or a disk's
    /// volatile write cache. For benchmarks and throw-away data.
    SledFlush,
}

/// Settings of a [`SledLog`].
#[derive(Debug, Clone)]
pub struct SledLogOptions {
    /// How appends are made durable.
    pub durability: Durability,
    /// Most events written by one group commit.
    pub max_batch_events: usize,
    /// sled's page cache size in bytes.
    pub cache_capacity: u64,
}

impl Default for SledLogOptions {
    fn default() -> Self {
        SledLogOptions {
            durability: Durability::Fdatasync,
            max_batch_events: 4096,
            cache_capacity: 256 * 1024 * 1024,
        }
    }
}

/// The embedded append log in a sled data directory.
pub struct SledLog {
    tree: sled::Tree,
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

    /// Opens the log, checks that the stored head matches the last record's chain hash and that
    /// the log reaches the acknowledged mark (`log.acked`) with the mark's hash there, and starts
    /// the writer thread. A broken head or a rewritten history is refused with
    /// [`LogError::ChainBroken`], a log that ends before the mark with [`LogError::Cut`].
    pub fn open_with(
        path: impl AsRef<Path>,
        options: SledLogOptions,
    ) -> Result<Arc<Self>, LogError> {
        let path = path.as_ref().to_path_buf();
        // The log is client data: its directory is 0700 (also when made beforehand by hand)
        // and every file sled made in it 0600, whatever the umask (sled takes no mode).
        crate::private::create_dir(&path)?;
        // Read before sled opens, so damage met by sled's recovery can say what was lost.
        let stored_mark = acked::read(&path)?;
        let acknowledged = stored_mark.map(|m| m.position);
        let cache = options.cache_capacity;
        let db = open_sled(
            || sled::Config::new().cache_capacity(cache),
            &path,
            acknowledged,
        )?;
        let tree = db.open_tree(layout::TREE)?;
        let head = check_head(&tree)?;
        if let Some(mark) = stored_mark {
            anchor::check_with(head.position, &[mark_anchor(&path, mark)], |p| {
                stored_hash(&tree, p)
            })?;
        }
        let mark = AckedMark::open(&path, head)?;
        crate::private::tighten(&path)?;
        let data_file = match options.durability {
            Durability::Fdatasync => Some(File::open(path.join("db"))?),
            Durability::SledFlush => None,
        };
        let syncer = Syncer {
            db,
            data_file,
            mark,
        };
        let (head_tx, _) = watch::channel(head.position);
        let shared = Arc::new(Shared {
            head: Mutex::new(head),
            head_tx,
        });
        let (tx, rx) = mpsc::channel();
        let writer_tree = tree.clone();
        let writer_shared = shared.clone();
        let max_batch = options.max_batch_events.max(1);
        let handle = std::thread::Builder::new()
            .name("caseledger-log-writer".into())
            .spawn(move || writer::run(writer_tree, syncer, writer_shared, rx, max_batch))?;
        Ok(Arc::new(SledLog {
            tree,
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

    /// Stops accepting appends, waits for queued ones to finish, and stops the writer thread.
    /// Also done on drop.
    pub fn close(&self) {
        self.jobs.lock().expect("jobs lock").take();
        if let Some(handle) = self.writer.lock().expect("writer lock").take() {
            let _ = handle.join();
        }
    }

    /// Bytes of stored records (hash + record) and number of streams; walks the whole log.
    pub fn stats(&self) -> Result<LogStats, LogError> {
        let mut stats = LogStats {
            head: self.head(),
            ..LogStats::default()
        };
        for item in self.tree.scan_prefix(b"E") {
            let (_, v) = item?;
            stats.record_bytes += v.len() as u64;
        }
        // A stream's first event is its version 1 entry.
        stats.streams = self
            .tree
            .scan_prefix(b"S")
            .keys()
            .filter(|k| k.as_ref().is_ok_and(|k| k.ends_with(&1u64.to_be_bytes())))
            .count() as u64;
        stats.disk_bytes = self.tree_size_on_disk();
        Ok(stats)
    }

    fn tree_size_on_disk(&self) -> u64 {
        fn walk(p: &Path) -> u64 {
            let Ok(rd) = std::fs::read_dir(p) else {
                return 0;
            };
            rd.flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => walk(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        }
        walk(&self.path)
    }
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

/// The chain hash stored with the record at `position` (the genesis hash at 0).
fn stored_hash(tree: &sled::Tree, position: Position) -> Result<Option<[u8; 32]>, LogError> {
    if position == 0 {
        return Ok(Some(GENESIS_HASH));
    }
    match tree.get(layout::event_key(position))? {
        Some(v) => Ok(Some(record::split_stored(position, &v)?.0)),
        None => Ok(None),
    }
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

/// Checks the stored head against the last record: same position, same hash, and the hash
/// recomputes from the record before it.
fn check_head(tree: &sled::Tree) -> Result<Head, LogError> {
    let stored_head = tree.get(layout::HEAD_KEY)?;
    let last = tree.scan_prefix(b"E").next_back().transpose()?;
    let broken = |position, reason: &str| LogError::ChainBroken {
        position,
        reason: reason.to_string(),
    };
    match (stored_head, last) {
        (None, None) => Ok(Head::default()),
        (None, Some((k, _))) => Err(broken(
            be_u64(&k[1..]).unwrap_or(0),
            "records exist but the head record is missing",
        )),
        (Some(h), last) => {
            let position = be_u64(&h).ok_or_else(|| broken(0, "head record is malformed"))?;
            let hash: [u8; 32] = h
                .get(8..40)
                .and_then(|s| s.try_into().ok())
                .ok_or_else(|| broken(position, "head record is malformed"))?;
            let Some((k, v)) = last else {
                return Err(broken(1, "the head names records but none are stored"));
            };
            let last_position = be_u64(&k[1..]).unwrap_or(0);
            if last_position != position {
                return Err(broken(
                    position.min(last_position) + 1,
                    &format!(
                        "the head says position {position} but the last stored record is {last_position}"
                    ),
                ));
            }
            let (stored_hash, bytes) = record::split_stored(position, &v)?;
            let previous = if position == 1 {
                GENESIS_HASH
            } else {
                let prev = tree
                    .get(layout::event_key(position - 1))?
                    .ok_or_else(|| broken(position - 1, "record missing"))?;
                record::split_stored(position - 1, &prev)?.0
            };
            if stored_hash != hash || link(&previous, bytes) != hash {
                return Err(broken(
                    position,
                    "the last record's chain hash does not match the head",
                ));
            }
            Ok(Head { position, hash })
        }
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
        let mut out = Vec::with_capacity(limit.min((head - from + 1) as usize));
        for item in self
            .tree
            .range(layout::event_key(from)..=layout::event_key(head))
        {
            let (k, v) = item?;
            let position = be_u64(&k[1..]).unwrap_or(0);
            out.push(record::to_recorded(position, &v)?);
            if out.len() == limit {
                break;
            }
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
        let start = layout::stream_key(stream, from_version.max(1));
        let end = layout::stream_key(stream, u64::MAX);
        let mut out = Vec::new();
        for item in self.tree.range(start..=end) {
            if out.len() == limit {
                break;
            }
            let (_, v) = item?;
            let position = be_u64(&v).unwrap_or(0);
            if position > head {
                break;
            }
            out.push(self.read_position(position)?);
        }
        Ok(out)
    }

    fn read_event(&self, id: u128) -> Result<Option<RecordedEvent>, LogError> {
        match self.tree.get(layout::id_key(id))?.and_then(|v| be_u64(&v)) {
            Some(position) if position <= self.head().position => {
                Ok(Some(self.read_position(position)?))
            }
            _ => Ok(None),
        }
    }

    fn stream_version(&self, stream: &str) -> Result<Option<u64>, LogError> {
        Ok(layout::stream_version(&self.tree, stream)?)
    }

    fn head(&self) -> Head {
        *self.shared.head.lock().expect("head lock")
    }

    fn watch_head(&self) -> watch::Receiver<Position> {
        self.shared.head_tx.subscribe()
    }

    fn verify(&self, progress: &mut dyn FnMut(Position)) -> Result<VerifyReport, LogError> {
        walk_tree(&self.tree, self.head(), progress)
    }

    fn stats(&self) -> Result<Option<LogStats>, LogError> {
        SledLog::stats(self).map(Some)
    }

    fn close(&self) {
        SledLog::close(self);
    }
}

impl SledLog {
    fn read_position(&self, position: Position) -> Result<RecordedEvent, LogError> {
        let v = self
            .tree
            .get(layout::event_key(position))?
            .ok_or_else(|| LogError::Corrupt {
                position,
                reason: "indexed record is missing".to_string(),
            })?;
        record::to_recorded(position, &v)
    }
}

/// Walks the hash chain of the log in `path` without the head check of [`SledLog::open`], so a
/// damaged log can still be examined to find its first bad position; then checks it against
/// the acknowledged mark. Fails if a running server holds the directory.
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
    // Read before sled opens: its recovery may rewrite the files.
    let mark = acked::read(path)?;
    if !path.join("db").exists() {
        return Err(LogError::Storage(format!(
            "{} holds no log (no sled `db` file)",
            path.display()
        )));
    }
    let db = open_sled(sled::Config::new, path, mark.map(|m| m.position))?;
    let tree = db.open_tree(layout::TREE)?;
    let head = match tree.get(layout::HEAD_KEY)? {
        Some(h) => Head {
            position: be_u64(&h).unwrap_or(0),
            hash: h
                .get(8..40)
                .and_then(|s| s.try_into().ok())
                .unwrap_or(GENESIS_HASH),
        },
        None => Head::default(),
    };
    let mut report = walk_tree(&tree, head, progress)?;
    if report.is_ok() {
        let mut all = anchors.to_vec();
        all.extend(mark.map(|m| mark_anchor(path, m)));
        let checked = anchor::check_with(report.records, &all, |p| stored_hash(&tree, p));
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

/// Walks the chain of a log tree. Two reader threads scan alternate chunks of positions while
/// this thread hashes them in order: reading through sled costs several times the hashing, so
/// on two cores the reads run side by side and the hashing follows.
fn walk_tree(
    tree: &sled::Tree,
    head: Head,
    progress: &mut dyn FnMut(Position),
) -> Result<VerifyReport, LogError> {
    const READERS: u64 = 2;
    const CHUNK: u64 = 32_768;
    const BATCH: usize = 4_096;
    // A batch of records, or the end of a chunk (an empty batch).
    type Batch = Result<Vec<(Position, sled::IVec)>, LogError>;
    let last_stored = match tree.scan_prefix(b"E").next_back() {
        Some(item) => be_u64(&item?.0[1..]).unwrap_or(0),
        None => 0,
    };
    let chunks = last_stored.div_ceil(CHUNK);
    std::thread::scope(|scope| {
        let mut receivers = Vec::new();
        for reader in 0..READERS {
            // Room for a whole chunk, so each reader can run a chunk ahead of the hashing.
            let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(CHUNK as usize / BATCH + 2);
            receivers.push(rx);
            scope.spawn(move || {
                for chunk in (reader..chunks).step_by(READERS as usize) {
                    let from = layout::event_key(chunk * CHUNK + 1);
                    let to = layout::event_key((chunk + 1) * CHUNK + 1);
                    let mut batch = Vec::with_capacity(BATCH);
                    for item in tree.range(from..to) {
                        match item {
                            Ok((k, v)) => batch.push((be_u64(&k[1..]).unwrap_or(0), v)),
                            Err(e) => {
                                let _ = tx.send(Err(e.into()));
                                return;
                            }
                        }
                        // A closed channel means the walk stopped at a failure: stop too.
                        if batch.len() == BATCH && tx.send(Ok(std::mem::take(&mut batch))).is_err()
                        {
                            return;
                        }
                    }
                    if (!batch.is_empty() && tx.send(Ok(batch)).is_err())
                        || tx.send(Ok(Vec::new())).is_err()
                    {
                        return;
                    }
                }
            });
        }
        let receivers = &receivers;
        let entries = (0..chunks).flat_map(move |chunk| {
            let rx = &receivers[(chunk % READERS) as usize];
            std::iter::from_fn(move || match rx.recv() {
                Ok(Ok(records)) if records.is_empty() => None,
                Ok(batch) => Some(batch),
                Err(_) => None,
            })
            .flat_map(|batch| {
                let (records, error) = match batch {
                    Ok(records) => (records, None),
                    Err(e) => (Vec::new(), Some(e)),
                };
                records.into_iter().map(Ok).chain(error.map(Err))
            })
        });
        verify::walk(entries, head, progress)
    })
}
