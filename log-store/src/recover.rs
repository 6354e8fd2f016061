//! Opening the events file: the indexes brought up to it, a torn unacknowledged tail cut off.
//!
//! sled's copy of the indexes is flushed in the background, so after a crash it may end short
//! of the events file (never past it: entries are written only once their frames are durable).
//! On open the frames after the last indexed one are read, checked (checksum, record format,
//! chain link) and indexed. A frame that fails is one of two things:
//! - past the acknowledged mark and failing its checksum: a write the crash cut short, never
//!   acknowledged — it is cut off, and the log ends before it;
//! - anything else (at or before the mark, or a whole frame that does not link): damage or a
//!   rewritten history — the open is refused naming the position.

use std::fs::File;
use std::path::Path;

use crate::chain::link;
use crate::events_file::{self, Cursor, Read};
use crate::layout::{self, Indexed};
use crate::{LogError, Position, record};

/// Frames indexed per sled batch while catching up.
const CATCH_UP_BATCH: u64 = 65_536;

/// Brings the indexes in `tree` up to the events file and answers how far they reach (the
/// log's head). `acknowledged` is the acknowledged mark's position, if any.
pub(crate) fn catch_up(
    tree: &sled::Tree,
    file: &File,
    dir: &Path,
    acknowledged: Option<Position>,
) -> Result<Indexed, LogError> {
    let len = file.metadata()?.len();
    let mut indexed = match tree.get(layout::INDEXED_KEY)? {
        Some(v) => Indexed::decode(&v).unwrap_or_default(),
        None => Indexed::default(),
    };
    if !fits(file, &indexed, len) {
        // The indexes are a cache of the events file: ones that do not fit it (an events
        // file replaced or cut, an index damaged) are rebuilt from it, and the anchors then
        // decide whether the file itself is whole.
        if indexed != Indexed::default() || !tree.is_empty() {
            tracing::warn!(
                indexed = indexed.position,
                "the log's indexes do not match its events file; rebuilding them"
            );
        }
        tree.clear()?;
        indexed = Indexed::default();
    }
    let mut cursor = Cursor::new(file, indexed.end);
    let mut batch = sled::Batch::default();
    let mut pending = 0u64;
    let started = indexed.position;
    let bad = loop {
        let frame = match cursor.next_frame()? {
            Read::Frame(frame) => frame,
            Read::End => break None,
            Read::Bad { offset, reason } => break Some((offset, reason.to_string(), true)),
        };
        let position = indexed.position + 1;
        if frame.position != position {
            break Some((
                frame.offset,
                format!(
                    "record missing (the next frame holds position {})",
                    frame.position
                ),
                false,
            ));
        }
        let (hash, bytes) = record::split_stored(position, &frame.stored)?;
        let parsed = match record::decode(position, bytes) {
            Ok(parsed) => parsed,
            Err(e) => break Some((frame.offset, e.to_string(), false)),
        };
        if link(&indexed.hash, bytes) != hash {
            break Some((
                frame.offset,
                "chain hash does not match the record and its predecessor (changed, reordered or replaced)".into(),
                false,
            ));
        }
        let located = layout::located(position, frame.offset);
        batch.insert(layout::stream_key(parsed.stream, parsed.version), &located);
        batch.insert(&layout::id_key(parsed.id), &located);
        if layout::block_start(position) == position {
            batch.insert(&layout::block_key(position), &frame.offset.to_be_bytes());
        }
        indexed = Indexed {
            position,
            hash,
            last_frame: frame.offset,
            end: frame.end(),
        };
        pending += 1;
        if pending == CATCH_UP_BATCH {
            batch.insert(layout::INDEXED_KEY, &indexed.encode()[..]);
            tree.apply_batch(std::mem::take(&mut batch))?;
            pending = 0;
            tracing::info!(position, "indexing the log");
        }
    };
    if pending > 0 {
        batch.insert(layout::INDEXED_KEY, &indexed.encode()[..]);
        tree.apply_batch(batch)?;
    }
    if indexed.position > started {
        tracing::info!(
            from = started + 1,
            to = indexed.position,
            "indexed the log's records written after its indexes were last saved"
        );
    }
    let position = indexed.position + 1;
    match bad {
        Some((offset, reason, torn)) if torn && acknowledged.is_none_or(|a| a < position) => {
            // Never acknowledged, so nobody was told it was written.
            // The bytes are kept beside the log, for whoever wants to look at what a crash
            // left, but are no longer part of it.
            let kept = dir.join(format!("{}.cut-at-{offset}", events_file::FILE));
            let mut tail = vec![0u8; (len - offset) as usize];
            std::os::unix::fs::FileExt::read_exact_at(file, &mut tail, offset)?;
            // Space made ahead of the records is zeroes: only what was written is kept.
            let written = tail.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
            tail.truncate(written);
            let mut out = crate::private::create_file(&kept)?;
            std::io::Write::write_all(&mut out, &tail)?;
            out.sync_all()?;
            tracing::warn!(
                position,
                offset,
                bytes = tail.len(),
                reason,
                kept = %kept.display(),
                "cutting off a write a crash left unfinished before it was acknowledged"
            );
            file.set_len(offset)?;
            file.sync_all()?;
        }
        Some((offset, reason, _)) => {
            return Err(LogError::ChainBroken {
                position,
                reason: format!(
                    "{reason} (offset {offset} of {})",
                    events_file::path(dir).display()
                ),
            });
        }
        // Zeroes after the last frame are space made ahead of the records (see the writer's
        // `PREALLOCATE`): they stay.
        None => {}
    }
    check_last_link(tree, file, &indexed)?;
    Ok(indexed)
}

/// The last record's chain hash must recompute from the one before it: a last record changed
/// in place (checksum and all) is refused on open, not only by a walk.
fn check_last_link(tree: &sled::Tree, file: &File, indexed: &Indexed) -> Result<(), LogError> {
    let position = indexed.position;
    if position == 0 {
        return Ok(());
    }
    let last = events_file::read_frame_at(file, indexed.last_frame, position)?;
    let (hash, bytes) = record::split_stored(position, &last.stored)?;
    let previous = if position == 1 {
        crate::GENESIS_HASH
    } else {
        let offset = layout::offset_of(tree, file, position - 1)?;
        let frame = events_file::read_frame_at(file, offset, position - 1)?;
        record::split_stored(position - 1, &frame.stored)?.0
    };
    if link(&previous, bytes) != hash {
        return Err(LogError::ChainBroken {
            position,
            reason: "the last record's chain hash does not match it and its predecessor".into(),
        });
    }
    Ok(())
}

/// Whether the indexes' own record of how far they reach fits the events file: within it,
/// and its last frame there with the hash the record says.
fn fits(file: &File, indexed: &Indexed, len: u64) -> bool {
    if indexed.end > len {
        return false;
    }
    if indexed.position == 0 {
        return indexed.end == 0;
    }
    match events_file::read_frame_at(file, indexed.last_frame, indexed.position) {
        Ok(frame) => frame.end() == indexed.end && frame.stored[..32] == indexed.hash,
        Err(_) => false,
    }
}
