//! Tampering with stored records through sled is found by `verify` and by the head check on open.

mod common;

use std::path::Path;

use caseledger_log_store::{EventLog, LogError, SledLog, layout};
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

/// Opens sled directly, the way an attacker with the data directory would.
fn with_tree(dir: &Path, f: impl FnOnce(&sled::Tree)) {
    // sled's background threads let go of the directory's lock shortly after the log that
    // wrote it is dropped, not at once (seen under load).
    let mut attempts = 0;
    let db = loop {
        match sled::open(dir) {
            Ok(db) => break db,
            Err(e) if attempts < 100 => {
                attempts += 1;
                let _ = e;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => panic!("open sled: {e}"),
        }
    };
    let tree = db.open_tree(layout::TREE).unwrap();
    f(&tree);
    db.flush().unwrap();
}

fn verify_failure(dir: &Path) -> (u64, String) {
    let log = reopen(dir);
    let report = log.verify(&mut |_| {}).unwrap();
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
    with_tree(dir.path(), |t| {
        let key = layout::event_key(17);
        let mut v = t.get(key).unwrap().unwrap().to_vec();
        let last = v.len() - 1;
        v[last] ^= 0x01; // one bit of the payload
        t.insert(key, v).unwrap();
    });
    assert_eq!(verify_failure(dir.path()).0, 17);
}

#[test]
fn a_recomputed_hash_does_not_hide_a_change() {
    // An attacker who also rewrites that record's own hash still breaks the link to the next one.
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), 20);
    with_tree(dir.path(), |t| {
        let prev = t.get(layout::event_key(9)).unwrap().unwrap();
        let key = layout::event_key(10);
        let mut v = t.get(key).unwrap().unwrap().to_vec();
        let last = v.len() - 1;
        v[last] = b'!';
        let mut h = sha2_link(&prev[..32], &v[32..]);
        v[..32].swap_with_slice(&mut h);
        t.insert(key, v).unwrap();
    });
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
    with_tree(dir.path(), |t| {
        let a = t.get(layout::event_key(12)).unwrap().unwrap();
        let b = t.get(layout::event_key(13)).unwrap().unwrap();
        t.insert(layout::event_key(12), b).unwrap();
        t.insert(layout::event_key(13), a).unwrap();
    });
    assert_eq!(verify_failure(dir.path()).0, 12);
}

#[test]
fn a_deleted_record_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), 30);
    with_tree(dir.path(), |t| {
        t.remove(layout::event_key(8)).unwrap();
    });
    let (position, reason) = verify_failure(dir.path());
    assert_eq!(position, 8);
    assert!(reason.contains("missing"), "{reason}");
}

#[test]
fn a_removed_tail_stops_the_log_from_opening() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), 30);
    with_tree(dir.path(), |t| {
        t.remove(layout::event_key(30)).unwrap();
    });
    match try_open(dir.path()) {
        Err(LogError::ChainBroken { position, .. }) => assert_eq!(position, 30),
        Err(e) => panic!("wrong error {e}"),
        Ok(_) => panic!("a truncated log must not open"),
    }
}

#[test]
fn a_changed_last_record_stops_the_log_from_opening() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), 5);
    with_tree(dir.path(), |t| {
        let key = layout::event_key(5);
        let mut v = t.get(key).unwrap().unwrap().to_vec();
        let last = v.len() - 1;
        v[last] ^= 0x20;
        t.insert(key, v).unwrap();
    });
    let err = try_open(dir.path()).err().expect("must refuse");
    assert!(err.to_string().contains("position 5"), "{err}");
}

/// Cuts the log consistently, the way sled's recovery presents a damaged segment: the last
/// `n` records, their index entries and a head naming the new last record.
fn cut_consistently(dir: &Path, keep: u64) {
    with_tree(dir, |t| {
        let head = u64::from_be_bytes(
            t.get(layout::HEAD_KEY).unwrap().unwrap()[..8]
                .try_into()
                .unwrap(),
        );
        for p in keep + 1..=head {
            t.remove(layout::event_key(p)).unwrap();
        }
        let hash = t.get(layout::event_key(keep)).unwrap().unwrap()[..32].to_vec();
        let mut value = keep.to_be_bytes().to_vec();
        value.extend_from_slice(&hash);
        t.insert(layout::HEAD_KEY, value).unwrap();
    });
}

#[test]
fn a_log_cut_short_of_what_it_acknowledged_is_refused_and_named() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), 30);
    cut_consistently(dir.path(), 21);
    match try_open(dir.path()) {
        Err(LogError::Cut { head, expected, .. }) => assert_eq!((head, expected), (21, 30)),
        Err(e) => panic!("wrong error {e}"),
        Ok(_) => panic!("a log cut short of its acknowledged mark must not open"),
    }
    let report = caseledger_log_store::verify_dir(dir.path(), &mut |_| {}).unwrap();
    let failure = report.failure.expect("the cut must be found");
    assert_eq!(failure.position, 22);
    assert!(failure.reason.contains("30"), "{}", failure.reason);
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
