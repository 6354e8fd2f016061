//! `caseledger migrate`: a data directory of format 1 (the log's records inside sled) is
//! refused by `serve` until migrated, then serves and verifies with every record.

use std::path::Path;

use caseledger_log_store::{events_file, layout};
use caseledger_tests::coc::{INTAKE, intake, stanislaus};
use caseledger_tests::{Server, run};

/// Lays a stopped format 2 directory out as format 1 did: every record under its `E` key in
/// sled with a head record, indexes holding positions only, no events file.
fn as_format1(dir: &Path) {
    let bytes = std::fs::read(events_file::path(dir)).unwrap();
    let frames = events_file::frames(dir).unwrap();
    let db = sled::open(dir).unwrap();
    let tree = db.open_tree(layout::TREE).unwrap();
    tree.clear().unwrap();
    let mut head = Vec::new();
    for (position, offset, len) in frames {
        let start = offset as usize + events_file::HEADER - 32;
        let stored = &bytes[start..start + 32 + len];
        tree.insert(layout::format1::event_key(position), stored)
            .unwrap();
        head = position.to_be_bytes().to_vec();
        head.extend_from_slice(&stored[..32]);
    }
    tree.insert(layout::format1::HEAD_KEY, head).unwrap();
    db.flush().unwrap();
    drop(tree);
    drop(db);
    std::fs::remove_file(events_file::path(dir)).unwrap();
    std::fs::write(dir.join("format"), "caseledger data format 1\n").unwrap();
}

#[test]
fn a_format1_directory_is_refused_until_migrated_then_serves_everything() {
    let (coc, _) = stanislaus("2026-06-15");
    coc.ok(
        "ccc_cm",
        INTAKE,
        intake("Ana", "Diaz", "1985-05-05", "", 0, "SHARE_GLOBALLY"),
    );
    let dir = coc.stop();
    let data = dir.path().to_str().unwrap();
    let head = {
        let verified = run(&["verify", "--data", data]);
        assert_eq!(verified.code, Some(0), "{verified:?}");
        events_file::frames(dir.path()).unwrap().len() as u64
    };
    caseledger_tests::with_data_dir(dir.path(), || as_format1(dir.path()));

    let refused = run(&["serve", "--data", data, "--addr", "127.0.0.1:0"]);
    assert_ne!(refused.code, Some(0), "{refused:?}");
    assert!(refused.stderr.contains("caseledger migrate"), "{refused:?}");
    let refused = run(&["verify", "--data", data]);
    assert_ne!(refused.code, Some(0), "{refused:?}");

    let migrated = run(&["migrate", "--data", data]);
    assert_eq!(migrated.code, Some(0), "{migrated:?}");
    assert!(
        migrated.stderr.contains(&format!("{head} records")),
        "{migrated:?}"
    );
    let again = run(&["migrate", "--data", data]);
    assert_eq!(again.code, Some(0), "{again:?}");
    assert!(again.stderr.contains("nothing to do"), "{again:?}");

    let verified = run(&["verify", "--data", data]);
    assert_eq!(verified.code, Some(0), "{verified:?}");
    let server = Server::start(dir.path());
    assert_eq!(
        server.get("/healthz").json()["logPosition"],
        serde_json::json!(head)
    );
    assert_eq!(
        server.terminate(std::time::Duration::from_secs(30)).code,
        Some(0)
    );
}
