//! Moving a log of data format 1 (records inside sled) into the events file.
//!
//! Format 1 kept every record under an `E` key in sled, beside its indexes; the upgrade
//! writes the records, checked link by link, into a new events file, makes it durable,
//! renames it into place, and only then empties sled's tree (the next open rebuilds the
//! indexes from the events file). A crash at any point leaves either the old layout whole
//! (run it again) or the new one whole.

use std::io::Write;
use std::path::Path;

use crate::chain::link;
use crate::events_file::{self, encode_frame};
use crate::layout::{self, be_u64};
use crate::{GENESIS_HASH, LogError, Position, record};

/// Moves the records of a format 1 log in `dir` into its events file; answers the head it
/// moved, or `None` when the log is not in format 1. `progress` is called now and then with
/// the position reached. The directory must not be in use.
pub fn upgrade_format1(
    dir: &Path,
    progress: &mut dyn FnMut(Position),
) -> Result<Option<Position>, LogError> {
    let acknowledged = crate::acked::read(dir)?.map(|m| m.position);
    let db = crate::sled_log::open_sled_at(dir, acknowledged)?;
    let tree = db.open_tree(layout::TREE)?;
    if tree.scan_prefix(b"E").next().is_none() {
        return Ok(None);
    }
    let new = dir.join(format!("{}.new", events_file::FILE));
    let mut out = std::io::BufWriter::new(crate::private::create_file(&new)?);
    let mut hash = GENESIS_HASH;
    let mut expected: Position = 1;
    let mut frame = Vec::new();
    for item in tree.scan_prefix(b"E") {
        let (key, stored) = item?;
        let position = be_u64(&key[1..]).unwrap_or(0);
        if position != expected {
            return Err(LogError::ChainBroken {
                position: expected,
                reason: format!("record missing (next stored record is at position {position})"),
            });
        }
        let (stored_hash, bytes) = record::split_stored(position, &stored)?;
        record::decode(position, bytes)?;
        hash = link(&hash, bytes);
        if hash != stored_hash {
            return Err(LogError::ChainBroken {
                position,
                reason: "chain hash does not match the record and its predecessor".into(),
            });
        }
        frame.clear();
        encode_frame(&mut frame, position, &hash, bytes);
        out.write_all(&frame)?;
        if position.is_multiple_of(65_536) {
            progress(position);
        }
        expected += 1;
    }
    let head = expected - 1;
    let stored_head = tree.get(layout::format1::HEAD_KEY)?;
    let head_matches =
        stored_head.is_some_and(|h| be_u64(&h) == Some(head) && h.get(8..40) == Some(&hash[..]));
    if !head_matches {
        return Err(LogError::ChainBroken {
            position: head,
            reason: "the head record does not name the last stored record and its hash".into(),
        });
    }
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&new, events_file::path(dir))?;
    std::fs::File::open(dir)?.sync_all()?;
    // The records are durable in their new place: sled's copy (and its indexes, whose values
    // had no offsets) goes; the next open indexes the events file.
    tree.clear()?;
    db.flush()?;
    progress(head);
    Ok(Some(head))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AppendRequest, EventLog, ExpectedVersion, NewEvent, SledLog};

    /// Writes a format 1 log of `n` events by hand, as the old writer laid it out.
    fn format1_log(dir: &Path, n: u64) {
        let db = sled::open(dir).unwrap();
        let tree = db.open_tree(layout::TREE).unwrap();
        let mut hash = GENESIS_HASH;
        for p in 1..=n {
            let stream = if p % 2 == 0 { "even" } else { "odd" };
            let version = p.div_ceil(2);
            let bytes = record::encode(stream, version, p as u128, format!("event {p}").as_bytes());
            hash = link(&hash, &bytes);
            let mut stored = hash.to_vec();
            stored.extend_from_slice(&bytes);
            tree.insert(layout::format1::event_key(p), stored).unwrap();
            tree.insert(
                layout::format1::stream_key(stream, version),
                &p.to_be_bytes(),
            )
            .unwrap();
            tree.insert(layout::format1::id_key(p as u128), &p.to_be_bytes())
                .unwrap();
        }
        let mut head = n.to_be_bytes().to_vec();
        head.extend_from_slice(&hash);
        tree.insert(layout::format1::HEAD_KEY, head).unwrap();
        db.flush().unwrap();
    }

    #[test]
    fn a_format1_log_is_refused_until_upgraded_then_reads_and_appends_as_before() {
        let dir = tempfile::tempdir().unwrap();
        format1_log(dir.path(), 200);
        assert!(matches!(
            SledLog::open(dir.path()),
            Err(LogError::OldLayout { .. })
        ));
        assert!(matches!(
            crate::verify_dir(dir.path(), &mut |_| {}),
            Err(LogError::OldLayout { .. })
        ));
        assert_eq!(upgrade_format1(dir.path(), &mut |_| {}).unwrap(), Some(200));
        // Nothing more to do the second time.
        assert_eq!(upgrade_format1(dir.path(), &mut |_| {}).unwrap(), None);
        let log = SledLog::open(dir.path()).unwrap();
        assert_eq!(log.head().position, 200);
        assert_eq!(log.read_all(1, 500).unwrap().len(), 200);
        assert_eq!(log.stream_version("even").unwrap(), Some(100));
        let odd = log.read_stream("odd", 50, 3).unwrap();
        assert_eq!(odd[0].position, 99);
        assert_eq!(odd[0].payload, b"event 99");
        assert_eq!(log.read_event(150).unwrap().unwrap().position, 150);
        let appended = log
            .append(AppendRequest::single(
                "even",
                ExpectedVersion::Exact(100),
                vec![NewEvent {
                    id: 1_000,
                    payload: b"after".to_vec(),
                }],
            ))
            .wait()
            .unwrap();
        assert_eq!(appended.positions, [201]);
        assert!(log.verify(&mut |_| {}).unwrap().is_ok());
    }
}
