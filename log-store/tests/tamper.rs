//! Tampering with the events file is found by `verify`, by reads, and by the checks on open;
//! a crash's torn write is cut off, lost indexes are rebuilt.

mod common;

use std::path::Path;

use caseledger_log_store::{EventLog, LogError, SledLog, events_file};
use common::one;

fn build(dir: &Path, n: u128) {
    let log = SledLog::open(dir).unwrap();
    for i in 1..=n {
        log.append(one(if i % 2 == 0 { "even" } else { "odd" }, i))
            .wait()
            .unwrap();
    }
}

/// Opens the log again once sled's background threads let go of the directory's lock (they do
/// shortly after the log that held it is dropped, not at once: seen under load).
fn reopen(dir: &Path) -> std::sync::Arc<SledLog> {
    try_open(dir).expect("open")
}

/// [`reopen`], answering what the open answers once the lock is free.
fn try_open(dir: &Path) -> Result<std::sync::Arc<SledLog>, LogError> {
    let mut attempts = 0;
    loop {
        match SledLog::open(dir) {
            Err(LogError::InUse { .. }) if attempts < 100 => {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// The events file's bytes and where each record's frame starts and ends.
fn frames(dir: &Path) -> (Vec<u8>, Vec<(u64, usize, usize)>) {
    let bytes = std::fs::read(events_file::path(dir)).unwrap();
    let frames = events_file::frames(dir)
        .unwrap()
        .into_iter()
        .map(|(p, offset, len)| {
            (
                p,
                offset as usize,
                offset as usize + events_file::HEADER + len,
            )
        })
        .collect();
    (bytes, frames)
}

/// Edits the events file the way someone with the data directory would.
fn edit(dir: &Path, f: impl FnOnce(&mut Vec<u8>, &[(u64, usize, usize)])) {
    let (mut bytes, frames) = frames(dir);
    f(&mut bytes, &frames);
    std::fs::write(events_file::path(dir), bytes).unwrap();
}

/// The first failure `verify` names in the stopped log's directory.
fn verify_failure(dir: &Path) -> (u64, String) {
    let report = caseledger_log_store::verify_dir(dir, &mut |_| {}).unwrap();
    let f = report.failure.expect("tampering must be detected");
    (f.position, f.reason)
}

#[test]
fn an_untouched_log_verifies() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), 50);
    let log = reopen(dir.path());
    let report = log.verify(&mut |_| {}).unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.records, 50);
    assert_eq!(report.last_good_hash, log.head().hash);
}

#[test]
fn a_changed_byte_is_named_by_position() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), 50);
    edit(dir.path(), |bytes, frames| {
        bytes[frames[16].2 - 1] ^= 0x01; // one bit of record 17's payload
    });
    assert_eq!(verify_failure(dir.path()).0, 17);
    // The open does not read every record, but a read of that one is refused, never answered.
    let log = reopen(dir.path());
    assert!(matches!(
        log.read_all(17, 1),
        Err(LogError::Corrupt { position: 17, .. })
    ));
    assert!(matches!(
        log.read_stream("odd", 9, 1),
        Err(LogError::Corrupt { position: 17, .. })
    ));
}

#[test]
fn a_recomputed_checksum_and_hash_do_not_hide_a_change() {
    // An attacker who also rewrites that record's checksum and own hash still breaks the link
    // to the next one.
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), 20);
    let (bytes, frames) = frames(dir.path());
    let (_, prev_start, _) = frames[8];
    let (_, start, end) = frames[9];
    let prev_hash = &bytes[prev_start + 16..prev_start + 48];
    let mut record = bytes[start + events_file::HEADER..end].to_vec();
    let last = record.len() - 1;
    record[last] = b'!';
    let hash = sha2_link(prev_hash, &record);
    events_file::overwrite_frame(dir.path(), start as u64, 10, &hash, &record).unwrap();
    assert_eq!(verify_failure(dir.path()).0, 11);
}

fn sha2_link(prev: &[u8], bytes: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(prev);
    h.update(bytes);
    h.finalize().into()
}

#[test]
fn swapped_records_are_detected() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), 30);
    edit(dir.path(), |bytes, frames| {
        let (_, a, _) = frames[11];
        let (_, b, end) = frames[12];
        let mut swapped = bytes[b..end].to_vec();
        swapped.extend_from_slice(&bytes[a..b]);
        bytes[a..end].copy_from_slice(&swapped);
    });
    assert_eq!(verify_failure(dir.path()).0, 12);
    // Every read through an index checks the frame holds the position it was sent to.
    let log = reopen(dir.path());
    assert!(matches!(
        log.read_all(12, 1),
        Err(LogError::Corrupt { position: 12, .. })
    ));
    assert!(matches!(
        log.read_event(12),
        Err(LogError::Corrupt { position: 12, .. })
    ));
}

#[test]
fn a_deleted_record_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), 30);
    edit(dir.path(), |bytes, frames| {
        let (_, start, end) = frames[7];
        bytes.drain(start..end);
    });
    let (position, reason) = verify_failure(dir.path());
    assert_eq!(position, 8);
    assert!(reason.contains("missing"), "{reason}");
    assert!(matches!(
        try_open(dir.path()),
        Err(LogError::ChainBroken { position: 8, .. })
    ));
}

#[test]
fn a_removed_last_record_stops_the_log_from_opening() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), 30);
    cut_at(dir.path(), 29);
    match try_open(dir.path()) {
        Err(LogError::Cut { head, expected, .. }) => assert_eq!((head, expected), (29, 30)),
        Err(e) => panic!("wrong error {e}"),
        Ok(_) => panic!("a truncated log must not open"),
    }
}

#[test]
fn a_changed_last_record_stops_the_log_from_opening() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), 5);
    edit(dir.path(), |bytes, frames| {
        bytes[frames[4].2 - 1] ^= 0x20;
    });
    let err = try_open(dir.path()).err().expect("must refuse");
    assert!(
        matches!(err, LogError::ChainBroken { position: 5, .. }),
        "{err}"
    );
}

/// Cuts the events file after record `keep`, frame boundary and all — a log that holds
/// together, only shorter.
fn cut_at(dir: &Path, keep: u64) {
    edit(dir, |bytes, frames| {
        bytes.truncate(frames[keep as usize - 1].2);
    });
}

#[test]
fn a_log_cut_short_of_what_it_acknowledged_is_refused_and_named() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), 30);
    cut_at(dir.path(), 21);
    let report = caseledger_log_store::verify_dir(dir.path(), &mut |_| {}).unwrap();
    let failure = report.failure.expect("the cut must be found");
    assert_eq!(failure.position, 22);
    assert!(failure.reason.contains("30"), "{}", failure.reason);
    match try_open(dir.path()) {
        Err(LogError::Cut { head, expected, .. }) => assert_eq!((head, expected), (21, 30)),
        Err(e) => panic!("wrong error {e}"),
        Ok(_) => panic!("a log cut short of its acknowledged mark must not open"),
    }
}

#[test]
fn a_write_a_crash_cut_short_is_cut_off_and_kept_beside_the_log() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), 10);
    // The start of an eleventh frame, as a crash mid-write leaves it (never acknowledged: the
    // mark says 10).
    let (bytes, frames) = frames(dir.path());
    let (_, start, end) = frames[9];
    // Written where the next frame goes, over the zeroes made ahead of the records.
    let half = bytes[start..start + (end - start) / 2].to_vec();
    let mut torn = bytes.clone();
    torn[end..end + half.len()].copy_from_slice(&half);
    std::fs::write(events_file::path(dir.path()), &torn).unwrap();
    let report = caseledger_log_store::verify_dir(dir.path(), &mut |_| {}).unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.records, 10);
    let log = reopen(dir.path());
    assert_eq!(log.head().position, 10);
    let kept = dir
        .path()
        .join(format!("{}.cut-at-{end}", events_file::FILE));
    assert_eq!(std::fs::read(kept).unwrap(), half);
    assert_eq!(events_file::frames(dir.path()).unwrap().len(), 10);
    log.append(one("odd", 11)).wait().unwrap();
    assert!(log.verify(&mut |_| {}).unwrap().is_ok());
}

/// The index runs of the stopped log in `dir`.
fn runs(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut runs: Vec<_> = std::fs::read_dir(dir.join(caseledger_log_store::INDEX_DIR))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "idx"))
        .collect();
    runs.sort();
    runs
}

#[test]
fn a_damaged_index_run_never_answers_for_another_record() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), 300);
    let run = runs(dir.path())
        .pop()
        .expect("the close wrote the table out");
    // The run's first entries are stream "even"'s, in version order, 16 bytes each: version
    // 1 now leads to version 2's record.
    let mut bytes = std::fs::read(&run).unwrap();
    let second: Vec<u8> = bytes[16..32].to_vec();
    bytes[..16].copy_from_slice(&second);
    std::fs::write(&run, &bytes).unwrap();
    let log = reopen(dir.path());
    assert!(matches!(
        log.read_stream("even", 1, 1),
        Err(LogError::Corrupt { position: 4, .. })
    ));
    assert_eq!(log.read_stream("even", 2, 1).unwrap()[0].position, 4);
}

#[test]
fn lost_indexes_are_rebuilt_from_the_events_file() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), 300);
    // Lose the runs and empty sled's tree, as if their files had been lost or were behind by
    // everything.
    for run in runs(dir.path()) {
        std::fs::remove_file(run).unwrap();
    }
    {
        let mut attempts = 0;
        let db = loop {
            match sled::open(dir.path()) {
                Ok(db) => break db,
                Err(_) if attempts < 100 => {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => panic!("open sled: {e}"),
            }
        };
        db.open_tree(caseledger_log_store::layout::TREE)
            .unwrap()
            .clear()
            .unwrap();
        db.flush().unwrap();
    }
    let log = reopen(dir.path());
    assert_eq!(log.head().position, 300);
    assert_eq!(log.stream_version("even").unwrap(), Some(150));
    assert_eq!(log.read_stream("odd", 100, 1).unwrap()[0].position, 199);
    assert_eq!(log.read_event(257).unwrap().unwrap().position, 257);
    assert_eq!(log.read_all(130, 2).unwrap()[1].position, 131);
    // An id stored before the rebuild is still known: a retry answers its original position.
    let again = log.append(one("even", 256)).wait().unwrap();
    assert!(again.replayed);
    assert_eq!(again.positions, [256]);
}

#[test]
fn anchors_kept_outside_the_log_are_checked_by_verify() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), 10);
    let hash5 = {
        let log = reopen(dir.path());
        log.read_all(5, 1).unwrap()[0].hash
    };
    let anchor = |position, hash| caseledger_log_store::Anchor {
        position,
        hash,
        evidence: "a test anchor".into(),
    };
    let verify = |anchors: &[caseledger_log_store::Anchor]| {
        caseledger_log_store::verify_dir_with(dir.path(), anchors, &mut |_| {})
            .unwrap()
            .failure
    };
    assert_eq!(verify(&[anchor(5, Some(hash5)), anchor(10, None)]), None);
    assert_eq!(verify(&[anchor(12, None)]).unwrap().position, 11);
    assert_eq!(verify(&[anchor(5, Some([7; 32]))]).unwrap().position, 5);
    let log = reopen(dir.path());
    assert!(matches!(
        caseledger_log_store::check_anchors(log.as_ref(), &[anchor(12, None)]),
        Err(LogError::Cut {
            head: 10,
            expected: 12,
            ..
        })
    ));
}
