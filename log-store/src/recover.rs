//! Opening the events file: the indexes brought up to it, a torn unacknowledged tail cut off.
//!
//! The indexes' runs end short of the events file (the active table is in memory only, and a
//! crash may also come before a full table is written out); never past it, since entries are
//! added only once their frames are durable. On open the frames after the last run's are read,
//! checked (checksum, record format, chain link) and indexed. A frame that fails is one of two
//! things:
//! - past the acknowledged mark and failing its checksum: a write the crash cut short, never
//!   acknowledged — it is cut off, and the log ends before it;
//! - anything else (at or before the mark, or a whole frame that does not link): damage or a
//!   rewritten history — the open is refused naming the position.

use std::fs::File;
use std::path::Path;

use crate::chain::link;
use crate::events_file::{self, Cursor, Read};
use crate::index::{Entry, Index};
use crate::layout::Indexed;
use crate::{LogError, Position, record};

/// Frames between two progress lines while catching up.
const PROGRESS_EVERY: u64 = 65_536;

/// Brings `index` up to the events file and answers how far it reaches (the log's head).
/// `acknowledged` is the acknowledged mark's position, if any.
pub(crate) fn catch_up(
    index: &Index,
    file: &File,
    dir: &Path,
    acknowledged: Option<Position>,
) -> Result<Indexed, LogError> {
    let len = file.metadata()?.len();
    let mut indexed = index.reach();
    let mut cursor = Cursor::new(file, indexed.end);
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
        indexed = Indexed {
            position,
            hash,
            last_frame: frame.offset,
            end: frame.end(),
        };
        let entry = Entry {
            stream: parsed.stream,
            version: parsed.version,
            id: parsed.id,
            position,
            offset: frame.offset,
        };
        if let Some(full) = index.insert([entry], indexed) {
            // Written out at once: a long catch-up (a first open after an upgrade) must not
            // hold the whole log's entries in memory.
            index.persist(full)?;
        }
        if position.is_multiple_of(PROGRESS_EVERY) {
            tracing::info!(position, "indexing the log");
        }
    };
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
    check_last_link(index, file, &indexed)?;
    Ok(indexed)
}

/// The last record's chain hash must recompute from the one before it: a last record changed
/// in place (checksum and all) is refused on open, not only by a walk.
fn check_last_link(index: &Index, file: &File, indexed: &Indexed) -> Result<(), LogError> {
    let position = indexed.position;
    if position == 0 {
        return Ok(());
    }
    let last = events_file::read_frame_at(file, indexed.last_frame, position)?;
    let (hash, bytes) = record::split_stored(position, &last.stored)?;
    let previous = if position == 1 {
        crate::GENESIS_HASH
    } else {
        let offset = index.point_cursor(file, position - 1)?.offset();
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
