//! The log's indexes: which records a stream holds, where an id's record is, where a position's
//! frame is.
//!
//! The records live in the events file; the indexes only find them, and are a cache of it:
//! whatever of them is lost is rebuilt from the file. They are kept in parts, each covering
//! consecutive positions:
//! - the **active table** ([`Memtable`]), in memory, to which each commit adds its records'
//!   entries once they are durable — no write to disk on the commit path;
//! - **frozen tables**: full tables being written out;
//! - **runs** ([`run`]): immutable sorted files in `index/`, one per table written out, named in
//!   sled's tree (the manifest, one entry per run) once durable.
//!
//! Opening loads the manifest's runs (checking each), drops what does not fit the events file,
//! and rebuilds the active table from the records after the last run ([`crate::recover`]).
//! A crash while a run is written leaves a `.partial` file or a run the manifest does not name;
//! both are deleted on open, and their records indexed again.
//!
//! Lookups go from the newest part to the oldest (a stream's version, an id) or the oldest to
//! the newest (a stream's records); a run is read only when its filter says it may hold the
//! key (ids also by the run's id range), so memory is the active table plus under a bit an
//! event for the runs' block offsets, fences and stream filters (9 bits more where ids are
//! not ordered), whatever the log's size.

mod keys;
mod memtable;
mod run;

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;

pub(crate) use memtable::{Located, Memtable};
use run::Run;

use crate::events_file::Cursor;
use crate::layout::{self, BLOCK, Indexed, be_u64};
use crate::{LogError, Position};

/// The directory of the runs, inside the log's directory.
pub const INDEX_DIR: &str = "index";

/// Key prefix of the manifest's entries in sled's tree: `R` first position (u64 BE) → last
/// position (u64 BE), its chain hash.
const MANIFEST: u8 = b'R';

/// One record's entries, as a commit (or the catch-up on open) adds them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry<'a> {
    /// Its stream.
    pub stream: &'a str,
    /// Its version there.
    pub version: u64,
    /// Its id.
    pub id: u128,
    /// Its position.
    pub position: Position,
    /// Its frame's offset in the events file.
    pub offset: u64,
}

/// The parts of the index, as lookups see them.
struct State {
    active: Memtable,
    /// Oldest first; all newer than every run.
    frozen: Vec<Arc<Memtable>>,
    /// Oldest first.
    runs: Arc<[Arc<Run>]>,
    /// The frame offset of the first position of each block of [`BLOCK`] positions, in order.
    blocks: Vec<u64>,
    /// A written-out table, cleared, to become the next active one.
    spare: Option<Memtable>,
}

impl State {
    /// Replaces the active table by an empty one after `reach` (the spare when there is one)
    /// and answers the full one, frozen.
    fn freeze_active(&mut self, reach: Indexed, capacity: usize) -> Arc<Memtable> {
        let next = match self.spare.take() {
            Some(spare) => spare.reopen(reach),
            None => Memtable::with_capacity(reach, capacity),
        };
        let full = Arc::new(std::mem::replace(&mut self.active, next));
        self.frozen.push(full.clone());
        full
    }
}

/// The log's indexes (see the module's documentation).
pub(crate) struct Index {
    dir: PathBuf,
    db: sled::Db,
    tree: sled::Tree,
    capacity: usize,
    state: RwLock<State>,
    /// The ids of the table being written out, sorted; kept between runs, like the spare
    /// table, so writing one out allocates nothing new.
    sorted_ids: Mutex<Vec<(u128, Located)>>,
}

/// The blocks whose first position is in `first..=last`: their numbers, `start..end`.
fn block_span(first: Position, last: Position) -> (usize, usize) {
    let start = (first + BLOCK - 2) / BLOCK;
    let end = if last == 0 { 0 } else { (last - 1) / BLOCK + 1 };
    (start as usize, end.max(start) as usize)
}

fn manifest_key(first: Position) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = MANIFEST;
    k[1..].copy_from_slice(&first.to_be_bytes());
    k
}

impl Index {
    /// Opens the indexes of the log in `log_dir` (sled open as `db`, events file `file`):
    /// the manifest's runs that fit the file, and an active table after them. Indexes of an
    /// earlier layout (entries per record in sled) are dropped, to be rebuilt from the file.
    /// Tables hold `capacity` records before they are written out.
    pub(crate) fn open(
        db: sled::Db,
        log_dir: &Path,
        file: &File,
        capacity: usize,
    ) -> Result<Index, LogError> {
        let tree = db.open_tree(layout::TREE)?;
        let earlier = tree
            .iter()
            .keys()
            .any(|k| k.map_or(true, |k| k.first() != Some(&MANIFEST)));
        if earlier {
            tracing::info!(
                "the log's indexes move out of sled into index runs; rebuilding them from the events file"
            );
            tree.clear()?;
            db.flush()?;
        }
        let dir = log_dir.join(INDEX_DIR);
        crate::private::create_dir(&dir)?;
        let mut runs = Vec::new();
        let mut blocks = Vec::new();
        let mut reach = Indexed::default();
        for item in tree.scan_prefix([MANIFEST]) {
            let (key, value) = item?;
            let (Some(first), Some(last)) = (be_u64(&key[1..]), be_u64(&value)) else {
                break;
            };
            if first != reach.position + 1 {
                break;
            }
            let path = dir.join(run::file_name(first, last));
            match Run::open(&path) {
                Ok((run, first_block, offsets))
                    if run.first == first
                        && run.reach.position == last
                        && value.get(8..40) == Some(&run.reach.hash[..])
                        && first_block as usize == blocks.len() =>
                {
                    blocks.extend(offsets);
                    reach = run.reach;
                    runs.push(Arc::new(run));
                }
                Ok(_) => {
                    tracing::warn!(path = %path.display(), "an index run does not match the manifest; indexing its records again");
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "an index run cannot be read; indexing its records again");
                    break;
                }
            }
        }
        let len = file.metadata()?.len();
        if !reach.fits(file, len) {
            // The runs belong to another events file (replaced, cut) than this one: the file
            // is the log, and the anchors then decide whether it is whole.
            tracing::warn!(
                indexed = reach.position,
                "the log's indexes do not match its events file; rebuilding them"
            );
            runs.clear();
            blocks.clear();
            reach = Indexed::default();
        }
        for item in tree.scan_prefix([MANIFEST]).keys() {
            let key = item?;
            if be_u64(&key[1..]).is_none_or(|first| first > reach.position) {
                tree.remove(key)?;
            }
        }
        let kept: HashSet<PathBuf> = runs.iter().map(|r| r.path().to_path_buf()).collect();
        for entry in std::fs::read_dir(&dir)?.flatten() {
            if !kept.contains(&entry.path()) {
                std::fs::remove_file(entry.path())?;
            }
        }
        tree.flush()?;
        Ok(Index {
            dir,
            db,
            tree,
            capacity: capacity.max(1),
            state: RwLock::new(State {
                active: Memtable::with_capacity(reach, capacity),
                frozen: Vec::new(),
                runs: runs.into(),
                blocks,
                spare: None,
            }),
            sorted_ids: Mutex::new(Vec::new()),
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().expect("index lock")
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().expect("index lock")
    }

    /// How far the indexes reach: the last record added, and where the next frame goes.
    pub(crate) fn reach(&self) -> Indexed {
        self.read().active.reach
    }

    /// Adds the entries of the records after the last one added (in position order), which
    /// reach to `reach`; answers a full table for [`Index::persist`] when the active one
    /// filled up.
    pub(crate) fn insert<'a>(
        &self,
        entries: impl IntoIterator<Item = Entry<'a>>,
        reach: Indexed,
    ) -> Option<Arc<Memtable>> {
        let mut state = self.write();
        for e in entries {
            if layout::block_start(e.position) == e.position {
                debug_assert_eq!(state.blocks.len() as u64, (e.position - 1) / BLOCK);
                state.blocks.push(e.offset);
            }
            state
                .active
                .insert(e.stream, e.version, e.id, (e.position, e.offset));
        }
        state.active.reach = reach;
        if state.active.len() < self.capacity {
            return None;
        }
        Some(state.freeze_active(reach, self.capacity))
    }

    /// Freezes the active table if it holds any record, for [`Index::persist`]: on close, so
    /// the next open has nothing to index again.
    pub(crate) fn freeze(&self) -> Option<Arc<Memtable>> {
        let mut state = self.write();
        if state.active.len() == 0 {
            return None;
        }
        let reach = state.active.reach;
        Some(state.freeze_active(reach, self.capacity))
    }

    /// Writes the oldest frozen table, `table`, out as a run, names it in the manifest, and
    /// lets lookups use the run instead. Tables are persisted in the order they froze.
    pub(crate) fn persist(&self, table: Arc<Memtable>) -> Result<(), LogError> {
        let (start, end) = block_span(table.first, table.reach.position);
        let (blocks, earlier_max_id) = {
            let state = self.read();
            let max = state.runs.iter().map(|r| r.max_id()).max();
            (state.blocks[start..end].to_vec(), max)
        };
        let path = {
            let mut sorted_ids = self.sorted_ids.lock().expect("index scratch lock");
            run::write(
                &self.dir,
                &table,
                start as u64,
                &blocks,
                earlier_max_id,
                &mut sorted_ids,
            )?
        };
        let (run, _, _) = Run::open(&path)?;
        let mut value = table.reach.position.to_be_bytes().to_vec();
        value.extend_from_slice(&table.reach.hash);
        self.tree.insert(manifest_key(table.first), value)?;
        self.db.flush()?;
        let mut state = self.write();
        debug_assert!(state.frozen.first().is_some_and(|t| Arc::ptr_eq(t, &table)));
        state.frozen.retain(|t| !Arc::ptr_eq(t, &table));
        let mut runs = state.runs.to_vec();
        runs.push(Arc::new(run));
        state.runs = runs.into();
        drop(state);
        // Lookups borrow tables under the lock and never keep them, so this is the last
        // holder; emptying the table happens outside the lock.
        if let Ok(mut table) = Arc::try_unwrap(table) {
            table.clear();
            self.write().spare.get_or_insert(table);
        }
        Ok(())
    }

    /// The answer of the newest table (active, then frozen newest first) that has one, or else
    /// the runs to ask, taken under the same lock so no part is missed or seen twice.
    fn newest_table_answer<T>(
        &self,
        answer: impl Fn(&Memtable) -> Option<T>,
    ) -> Result<T, Arc<[Arc<Run>]>> {
        let state = self.read();
        let tables = std::iter::once(&state.active).chain(state.frozen.iter().rev().map(|t| &**t));
        tables
            .filter_map(answer)
            .next()
            .ok_or_else(|| state.runs.clone())
    }

    /// The version of `stream`'s last record at or before `head` (which is at or past every
    /// run's records, as the log's head always is: only acknowledged records are written out).
    pub(crate) fn stream_version(
        &self,
        stream: &str,
        head: Position,
    ) -> Result<Option<u64>, LogError> {
        let runs = match self.newest_table_answer(|t| t.stream_version(stream, head)) {
            Ok(version) => return Ok(Some(version)),
            Err(runs) => runs,
        };
        let key = keys::stream_key(stream);
        for run in runs.iter().rev() {
            if let Some(group) = run.group(stream, key)? {
                return Ok(Some(group.first_version + group.count - 1));
            }
        }
        Ok(None)
    }

    /// Up to `limit` records of `stream` from version `from` on, at or before `head` (at or
    /// past every run's records).
    pub(crate) fn stream_entries(
        &self,
        stream: &str,
        from: u64,
        limit: usize,
        head: Position,
    ) -> Result<Vec<Located>, LogError> {
        let (runs, recent) = {
            let state = self.read();
            let mut recent = Vec::new();
            for table in state
                .frozen
                .iter()
                .map(|t| &**t)
                .chain(std::iter::once(&state.active))
            {
                table.stream_entries(stream, from, head, limit, &mut recent);
            }
            (state.runs.clone(), recent)
        };
        let key = keys::stream_key(stream);
        let mut out = Vec::new();
        for run in runs.iter() {
            if out.len() >= limit {
                break;
            }
            let Some(group) = run.group(stream, key)? else {
                continue;
            };
            let skip = from.saturating_sub(group.first_version);
            if skip < group.count {
                out.extend(run.entries(group, skip, (limit - out.len()) as u64)?);
            }
        }
        out.extend(recent.into_iter().take(limit.saturating_sub(out.len())));
        Ok(out)
    }

    /// Where the record of `id` is, if it was appended at or before `head` (at or past every
    /// run's records).
    pub(crate) fn id(&self, id: u128, head: Position) -> Result<Option<Located>, LogError> {
        let runs = match self.newest_table_answer(|t| t.id(id, head)) {
            Ok(located) => return Ok(Some(located)),
            Err(runs) => runs,
        };
        // Most ids offered are new ULIDs, later than every run's: no hash, no read.
        let mut key = None;
        for run in runs.iter().rev().filter(|r| r.covers_id(id)) {
            let key = *key.get_or_insert_with(|| keys::id_key(id));
            if let Some(located) = run.id(id, key)? {
                return Ok(Some(located));
            }
        }
        Ok(None)
    }

    /// A point-reading cursor (small reads) at the frame of `position` (an indexed one) in
    /// the events `file`: its block's first frame, then the frames before it in the block.
    pub(crate) fn point_cursor<'f>(
        &self,
        file: &'f File,
        position: Position,
    ) -> Result<Cursor<'f>, LogError> {
        let block = self
            .read()
            .blocks
            .get(((position.max(1) - 1) / BLOCK) as usize)
            .copied()
            .ok_or_else(|| LogError::Corrupt {
                position,
                reason: "the position index has no entry for it".into(),
            })?;
        let mut cursor = Cursor::point(file, block);
        for _ in layout::block_start(position)..position {
            if !cursor.skip_frame()? {
                return Err(LogError::Corrupt {
                    position,
                    reason: "the events file ends before the frame the index leads to".into(),
                });
            }
        }
        Ok(cursor)
    }

    /// Streams with records, for `log stats`.
    pub(crate) fn streams(&self) -> u64 {
        let state = self.read();
        state.runs.iter().map(|r| r.new_streams).sum::<u64>()
            + state.frozen.iter().map(|t| t.new_streams()).sum::<u64>()
            + state.active.new_streams()
    }
}

/// The thread writing full tables out as runs, in the order they froze, off the commit path.
pub(crate) struct Persister {
    tx: Option<mpsc::Sender<Arc<Memtable>>>,
    handle: Option<JoinHandle<()>>,
}

impl Persister {
    /// Starts the thread for `index`.
    pub(crate) fn start(index: Arc<Index>) -> std::io::Result<Persister> {
        let (tx, rx) = mpsc::channel::<Arc<Memtable>>();
        let handle = std::thread::Builder::new()
            .name("caseledger-log-index".into())
            .spawn(move || {
                for table in rx {
                    if let Err(e) = index.persist(table) {
                        // Runs must follow each other: the tables after a failed one stay in
                        // memory (still found), and the next open indexes their records again.
                        tracing::error!(error = %e, "an index run could not be written; the indexes stay in memory until the next open");
                        return;
                    }
                }
            })?;
        Ok(Persister {
            tx: Some(tx),
            handle: Some(handle),
        })
    }

    /// Queues a full table.
    pub(crate) fn send(&self, table: Arc<Memtable>) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(table);
        }
    }
}

impl Drop for Persister {
    /// Waits for the queued tables to be written out.
    fn drop(&mut self) {
        self.tx.take();
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

#[cfg(test)]
mod tests;
