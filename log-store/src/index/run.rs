//! An index run: the entries of a span of positions, sorted, in one immutable file.
//!
//! Written once from a frozen [`Memtable`], never changed, deleted only when merged into a
//! larger run or found not to fit the events file. Layout (little-endian):
//!
//! | section | holds |
//! | --- | --- |
//! | entries | per stream, in name order: its records as (position u64, offset u64) |
//! | directory | per stream, in name order: name length u16, name, first version u64, count u32, first entry u64 |
//! | ids | per record, in id order: id u128, position u64, offset u64 |
//! | blocks | the frame offsets of the position blocks that start in the span (u64) |
//! | stream fences | every [`FENCE_GROUPS`]th stream: its directory offset u64, name length u16, name |
//! | id fences | every [`FENCE_IDS`]th id (u128) |
//! | id filter, stream filter | [`KeyFilter`]s of the span's ids (empty when not built) and streams |
//! | footer | [`FOOTER`] bytes: the span, the sections' offsets and counts, a CRC-32 of everything from the blocks on |
//!
//! The id filter is built only when the run's ids are not ordered after the earlier runs'
//! (ULIDs, made as time goes, are): then a run's lowest and highest id already tell the one
//! run an id may be in, and the filter would only cost memory (9 bits an event).
//!
//! Opening a run reads the blocks to the footer (about 2.5 bits an event with an id filter,
//! under 1 without) and keeps it in memory; a lookup reads one stretch of the directory or of the ids, then the entries.
//! Positions in a run are all at or before the head: a table is written out only once its
//! records are acknowledged.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::keys::{self, KeyFilter};
use super::memtable::{Located, Memtable};
use crate::layout::Indexed;
use crate::{LogError, Position};

/// Streams per fence: a stream lookup reads at most this many directory entries.
pub(crate) const FENCE_GROUPS: usize = 16;
/// Ids per fence: an id lookup reads at most this many id entries (4 KiB).
pub(crate) const FENCE_IDS: usize = 128;
/// Bytes of a run's footer.
pub(crate) const FOOTER: usize = 220;
const MAGIC: &[u8; 8] = b"CLIDXRN1";
const ID_ENTRY: u64 = 32;
const ENTRY: u64 = 16;

/// A stream's entry in a run's directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Group {
    /// Version of its first record in the run.
    pub first_version: u64,
    /// Its records in the run.
    pub count: u64,
    /// Index of its first record in the entries section.
    pub first_entry: u64,
}

/// An open run.
#[derive(Debug)]
pub(crate) struct Run {
    file: File,
    path: PathBuf,
    /// First position it holds.
    pub first: Position,
    /// How far it reaches.
    pub reach: Indexed,
    /// Streams whose first record is in it.
    pub new_streams: u64,
    directory: u64,
    ids_at: u64,
    ids: u64,
    min_id: u128,
    max_id: u128,
    fences: Vec<(Box<str>, u64)>,
    id_fences: Vec<u128>,
    /// `None`: not built, every id within the run's range may be here.
    id_filter: Option<KeyFilter>,
    stream_filter: KeyFilter,
}

/// The file name of the run of positions `first..=last`.
pub(crate) fn file_name(first: Position, last: Position) -> String {
    format!("run-{first:020}-{last:020}.idx")
}

/// Most ids of a run, in hundredths, that may be at or below the earlier runs' highest id for
/// the run to be written without an id filter.
const UNORDERED_PERCENT: usize = 1;

/// Writes the run of `table` into `dir` (made durable, under its final name) with the frame
/// offsets of the position blocks `first_block..` that start in its span; answers its path.
/// `earlier_max_id` is the highest id of the runs before it; `ids` is room to sort the
/// table's ids in (its contents are replaced).
pub(crate) fn write(
    dir: &Path,
    table: &Memtable,
    first_block: u64,
    blocks: &[u64],
    earlier_max_id: Option<u128>,
    ids: &mut Vec<(u128, Located)>,
) -> Result<PathBuf, LogError> {
    let path = dir.join(file_name(table.first, table.reach.position));
    let partial = path.with_extension("partial");
    let mut out = BufWriter::with_capacity(1 << 20, crate::private::create_file(&partial)?);
    let mut streams: Vec<(&str, &super::memtable::StreamTail)> =
        table.streams.iter().map(|(s, t)| (&**s, t)).collect();
    streams.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut written = 0u64;
    for (_, tail) in &streams {
        for (position, offset) in &tail.entries {
            out.write_all(&position.to_le_bytes())?;
            out.write_all(&offset.to_le_bytes())?;
        }
        written += tail.entries.len() as u64;
    }
    let directory = written * ENTRY;
    let mut at = directory;
    let mut first_entry = 0u64;
    let mut fences = Vec::new();
    let mut new_streams = 0;
    for (i, (name, tail)) in streams.iter().enumerate() {
        if i % FENCE_GROUPS == 0 {
            fences.push((*name, at));
        }
        let mut entry = Vec::with_capacity(22 + name.len());
        entry.extend_from_slice(&(name.len() as u16).to_le_bytes());
        entry.extend_from_slice(name.as_bytes());
        entry.extend_from_slice(&tail.first_version.to_le_bytes());
        entry.extend_from_slice(&(tail.entries.len() as u32).to_le_bytes());
        entry.extend_from_slice(&first_entry.to_le_bytes());
        out.write_all(&entry)?;
        at += entry.len() as u64;
        first_entry += tail.entries.len() as u64;
        new_streams += u64::from(tail.first_version == 1);
    }
    let ids_at = at;
    ids.clear();
    ids.extend(table.ids.iter().map(|(i, l)| (*i, *l)));
    ids.sort_unstable_by_key(|(id, _)| *id);
    for (id, (position, offset)) in ids.iter() {
        out.write_all(&id.to_le_bytes())?;
        out.write_all(&position.to_le_bytes())?;
        out.write_all(&offset.to_le_bytes())?;
    }
    let loaded_at = ids_at + ids.len() as u64 * ID_ENTRY;

    // What opening reads, checksummed with the footer.
    let mut tail = Vec::new();
    for offset in blocks {
        tail.extend_from_slice(&offset.to_le_bytes());
    }
    let fences_at = loaded_at + tail.len() as u64;
    for (name, offset) in &fences {
        tail.extend_from_slice(&offset.to_le_bytes());
        tail.extend_from_slice(&(name.len() as u16).to_le_bytes());
        tail.extend_from_slice(name.as_bytes());
    }
    let id_fences_at = loaded_at + tail.len() as u64;
    let id_fences: Vec<u128> = ids.iter().step_by(FENCE_IDS).map(|(id, _)| *id).collect();
    for id in &id_fences {
        tail.extend_from_slice(&id.to_le_bytes());
    }
    let id_filter_at = loaded_at + tail.len() as u64;
    let unordered = earlier_max_id.map_or(0, |max| ids.partition_point(|(id, _)| *id <= max));
    if unordered * 100 > ids.len() * UNORDERED_PERCENT {
        KeyFilter::build(ids.iter().map(|(id, _)| keys::id_key(*id)).collect()).encode(&mut tail);
    }
    let stream_filter_at = loaded_at + tail.len() as u64;
    KeyFilter::build(streams.iter().map(|(s, _)| keys::stream_key(s)).collect()).encode(&mut tail);

    let r = &table.reach;
    let mut footer = Vec::with_capacity(FOOTER);
    footer.extend_from_slice(MAGIC);
    for v in [table.first, r.position] {
        footer.extend_from_slice(&v.to_le_bytes());
    }
    footer.extend_from_slice(&r.hash);
    for v in [
        r.last_frame,
        r.end,
        directory,
        ids_at,
        loaded_at,
        streams.len() as u64,
        new_streams,
        ids.len() as u64,
    ] {
        footer.extend_from_slice(&v.to_le_bytes());
    }
    let (min_id, max_id) = (
        ids.first().map_or(0, |i| i.0),
        ids.last().map_or(0, |i| i.0),
    );
    footer.extend_from_slice(&min_id.to_le_bytes());
    footer.extend_from_slice(&max_id.to_le_bytes());
    for v in [
        first_block,
        blocks.len() as u64,
        fences_at,
        fences.len() as u64,
        id_fences_at,
        id_fences.len() as u64,
        id_filter_at,
        stream_filter_at,
    ] {
        footer.extend_from_slice(&v.to_le_bytes());
    }
    let mut crc = crc32fast::Hasher::new();
    crc.update(&tail);
    crc.update(&footer);
    footer.extend_from_slice(&crc.finalize().to_le_bytes());
    debug_assert_eq!(footer.len(), FOOTER);
    out.write_all(&tail)?;
    out.write_all(&footer)?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&partial, &path)?;
    File::open(dir)?.sync_all()?;
    Ok(path)
}

/// Why a run file cannot be used.
fn malformed(path: &Path, what: &str) -> LogError {
    LogError::Storage(format!("index run {}: {what}", path.display()))
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("eight bytes"))
}

fn u128_at(bytes: &[u8], at: usize) -> u128 {
    u128::from_le_bytes(bytes[at..at + 16].try_into().expect("sixteen bytes"))
}

impl Run {
    /// Opens the run at `path`, checking its footer and checksum; answers it and the frame
    /// offsets of its blocks (the first block's number is in `first_block`).
    pub(crate) fn open(path: &Path) -> Result<(Run, u64, Vec<u64>), LogError> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        if len < FOOTER as u64 {
            return Err(malformed(path, "shorter than its footer"));
        }
        let mut footer = vec![0u8; FOOTER];
        file.read_exact_at(&mut footer, len - FOOTER as u64)?;
        if &footer[..8] != MAGIC {
            return Err(malformed(path, "not an index run"));
        }
        let f = |i: usize| u64_at(&footer, i);
        let (first, position) = (f(8), f(16));
        let hash: [u8; 32] = footer[24..56].try_into().expect("32 bytes");
        let (last_frame, end, directory, ids_at, loaded_at) = (f(56), f(64), f(72), f(80), f(88));
        let (groups, new_streams, ids) = (f(96), f(104), f(112));
        let (min_id, max_id) = (u128_at(&footer, 120), u128_at(&footer, 136));
        let (first_block, blocks, fences_at, fences) = (f(152), f(160), f(168), f(176));
        let (id_fences_at, id_fences, id_filter_at, stream_filter_at) =
            (f(184), f(192), f(200), f(208));
        let footer_at = len - FOOTER as u64;
        let ordered = directory <= ids_at
            && ids_at + ids * ID_ENTRY == loaded_at
            && loaded_at + blocks * 8 == fences_at
            && fences_at <= id_fences_at
            && id_fences_at + id_fences * 16 == id_filter_at
            && id_filter_at <= stream_filter_at
            && stream_filter_at <= footer_at
            && position + 1 >= first
            && ids == position + 1 - first;
        if !ordered {
            return Err(malformed(path, "its footer does not describe it"));
        }
        let mut tail = vec![0u8; (footer_at - loaded_at) as usize];
        file.read_exact_at(&mut tail, loaded_at)?;
        let mut crc = crc32fast::Hasher::new();
        crc.update(&tail);
        crc.update(&footer[..FOOTER - 4]);
        if crc.finalize().to_le_bytes() != footer[FOOTER - 4..] {
            return Err(malformed(path, "checksum mismatch"));
        }
        let rel = |at: u64| (at - loaded_at) as usize;
        let block_offsets = (0..blocks as usize).map(|i| u64_at(&tail, i * 8)).collect();
        let mut fence_list = Vec::with_capacity(fences as usize);
        let mut at = rel(fences_at);
        for _ in 0..fences {
            let bad = || malformed(path, "a stream fence runs past its section");
            let offset = tail.get(at..at + 8).ok_or_else(bad)?;
            let n = tail.get(at + 8..at + 10).ok_or_else(bad)?;
            let n = u16::from_le_bytes([n[0], n[1]]) as usize;
            let name = tail.get(at + 10..at + 10 + n).ok_or_else(bad)?;
            let name = std::str::from_utf8(name).map_err(|_| bad())?;
            fence_list.push((name.into(), u64_at(offset, 0)));
            at += 10 + n;
        }
        if at != rel(id_fences_at)
            || fence_list.len() as u64 != groups.div_ceil(FENCE_GROUPS as u64)
        {
            return Err(malformed(
                path,
                "its stream fences do not fill their section",
            ));
        }
        let id_fence_list = (0..id_fences as usize)
            .map(|i| u128_at(&tail, rel(id_fences_at) + i * 16))
            .collect();
        let id_filter = match &tail[rel(id_filter_at)..rel(stream_filter_at)] {
            [] => None,
            stored => Some(
                KeyFilter::decode(stored)
                    .ok_or_else(|| malformed(path, "its id filter is malformed"))?,
            ),
        };
        let stream_filter = KeyFilter::decode(&tail[rel(stream_filter_at)..])
            .ok_or_else(|| malformed(path, "its stream filter is malformed"))?;
        let run = Run {
            file,
            path: path.to_path_buf(),
            first,
            reach: Indexed {
                position,
                hash,
                last_frame,
                end,
            },
            new_streams,
            directory,
            ids_at,
            ids,
            min_id,
            max_id,
            fences: fence_list,
            id_fences: id_fence_list,
            id_filter,
            stream_filter,
        };
        Ok((run, first_block, block_offsets))
    }

    /// Its file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The directory entry of `stream` (whose filter key is `key`), if it has records here.
    pub(crate) fn group(&self, stream: &str, key: u64) -> Result<Option<Group>, LogError> {
        if !self.stream_filter.may_contain(key) {
            return Ok(None);
        }
        let fence = self.fences.partition_point(|(name, _)| &**name <= stream);
        if fence == 0 {
            return Ok(None);
        }
        let start = self.fences[fence - 1].1;
        let end = self.fences.get(fence).map_or(self.ids_at, |f| f.1);
        let mut stretch = vec![0u8; (end - start) as usize];
        self.file.read_exact_at(&mut stretch, start)?;
        let mut at = 0;
        while at < stretch.len() {
            let bad = || malformed(&self.path, "a directory entry runs past its section");
            let n = stretch.get(at..at + 2).ok_or_else(bad)?;
            let n = u16::from_le_bytes([n[0], n[1]]) as usize;
            let fields = stretch.get(at + 2 + n..at + 22 + n).ok_or_else(bad)?;
            let name = &stretch[at + 2..at + 2 + n];
            if name == stream.as_bytes() {
                return Ok(Some(Group {
                    first_version: u64_at(fields, 0),
                    count: u64::from(u32::from_le_bytes(fields[8..12].try_into().expect("4"))),
                    first_entry: u64_at(fields, 12),
                }));
            }
            if name > stream.as_bytes() {
                break;
            }
            at += 22 + n;
        }
        Ok(None)
    }

    /// `n` records of `group` from its `skip`th on.
    pub(crate) fn entries(
        &self,
        group: Group,
        skip: u64,
        n: u64,
    ) -> Result<Vec<Located>, LogError> {
        let n = n.min(group.count.saturating_sub(skip));
        let at = (group.first_entry + skip) * ENTRY;
        if at + n * ENTRY > self.directory {
            return Err(malformed(
                &self.path,
                "a stream's entries run past their section",
            ));
        }
        let mut bytes = vec![0u8; (n * ENTRY) as usize];
        self.file.read_exact_at(&mut bytes, at)?;
        Ok(bytes
            .chunks_exact(ENTRY as usize)
            .map(|e| (u64_at(e, 0), u64_at(e, 8)))
            .collect())
    }

    /// Whether `id` is within the run's ids (ULIDs made later than its records are not).
    pub(crate) fn covers_id(&self, id: u128) -> bool {
        self.ids > 0 && (self.min_id..=self.max_id).contains(&id)
    }

    /// The run's highest id (0 when it has none).
    pub(crate) fn max_id(&self) -> u128 {
        self.max_id
    }

    /// Whether the run keeps an id filter.
    #[cfg(test)]
    pub(crate) fn has_id_filter(&self) -> bool {
        self.id_filter.is_some()
    }

    /// Where the record of `id` (whose filter key is `key`) is, if it is here.
    pub(crate) fn id(&self, id: u128, key: u64) -> Result<Option<Located>, LogError> {
        if !self.covers_id(id) || self.id_filter.as_ref().is_some_and(|f| !f.may_contain(key)) {
            return Ok(None);
        }
        let fence = self.id_fences.partition_point(|f| *f <= id);
        if fence == 0 {
            return Ok(None);
        }
        let first = (fence as u64 - 1) * FENCE_IDS as u64;
        let n = (FENCE_IDS as u64).min(self.ids - first);
        let mut bytes = vec![0u8; (n * ID_ENTRY) as usize];
        self.file
            .read_exact_at(&mut bytes, self.ids_at + first * ID_ENTRY)?;
        let entries: Vec<&[u8]> = bytes.chunks_exact(ID_ENTRY as usize).collect();
        Ok(entries
            .binary_search_by(|e| u128_at(e, 0).cmp(&id))
            .ok()
            .map(|i| (u64_at(entries[i], 16), u64_at(entries[i], 24))))
    }
}
