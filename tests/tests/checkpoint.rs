//! Signed checkpoints: the service signs its head on demand (and the CLI on a stopped data
//! directory); `verify --checkpoint` proves the log still extends it — and catches a history
//! rewritten before it even when every later chain hash was recomputed, which plain `verify`
//! cannot.

use caseledger_log_store::events_file;
use caseledger_tests::coc::{INTAKE, intake, stanislaus};
use caseledger_tests::run;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Rewrites the payload of the record at `position` and recomputes every chain hash (and
/// frame checksum) after it, as an attacker with the data directory and the code would.
fn rewrite_history(dir: &std::path::Path, position: u64) {
    let bytes = std::fs::read(events_file::path(dir)).unwrap();
    let frames = events_file::frames(dir).unwrap();
    let hash_of = |offset: u64| -> [u8; 32] {
        let at = offset as usize + events_file::HEADER - 32;
        bytes[at..at + 32].try_into().unwrap()
    };
    let mut previous = hash_of(frames[position as usize - 2].1);
    for &(p, offset, len) in &frames[position as usize - 1..] {
        let start = offset as usize + events_file::HEADER;
        let mut record = bytes[start..start + len].to_vec();
        if p == position {
            let last = record.len() - 1;
            record[last] ^= 0x01;
        }
        let hash: [u8; 32] = Sha256::new()
            .chain_update(previous)
            .chain_update(&record)
            .finalize()
            .into();
        events_file::overwrite_frame(dir, offset, p, &hash, &record).unwrap();
        previous = hash;
    }
}

#[test]
fn a_checkpoint_proves_the_log_extends_it_and_exposes_a_rewritten_history() {
    let (mut coc, _) = stanislaus("2026-06-15");
    coc.user("auditor", "lead", "AUDITOR");
    coc.ok(
        "ccc_cm",
        INTAKE,
        intake("Ana", "Diaz", "1985-05-05", "", 0, "SHARE_GLOBALLY"),
    );
    let sign = "mutation { signCheckpoint { position chainHash signedAt publicKey signature } }";
    assert_eq!(coc.refused("ccc_cm", sign, json!({})).code, "FORBIDDEN");
    let signed = coc.ok("auditor", sign, json!({}))["signCheckpoint"].clone();
    let position = signed["position"].as_u64().unwrap();
    assert!(position > 10);
    // The auditor keeps the checkpoint as the SDL tells them: the `signCheckpoint` object of
    // the answer saved as a file (and the public key apart).
    let kept = tempfile::tempdir().unwrap();
    let file = kept.path().join("checkpoint.json");
    std::fs::write(&file, signed.to_string()).unwrap();
    // The whole JSON answer, saved as it came, is read too.
    let answer_file = kept.path().join("answer.json");
    std::fs::write(
        &answer_file,
        json!({ "data": { "signCheckpoint": signed } }).to_string(),
    )
    .unwrap();
    // Work goes on after the checkpoint.
    coc.ok(
        "ccc_cm",
        INTAKE,
        intake("Bo", "Kim", "1970-01-01", "", 1, "SHARE_GLOBALLY"),
    );
    let dir = coc.stop();
    let data = dir.path().to_str().unwrap();
    let file = file.to_str().unwrap();

    let ok = run(&["verify", "--data", data, "--checkpoint", file]);
    assert_eq!(ok.code, Some(0), "{ok:?}");
    assert!(
        ok.stdout
            .contains(&format!("extends the checkpoint at position {position}")),
        "{ok:?}"
    );
    let key = signed["publicKey"].as_str().unwrap();
    let pinned = run(&[
        "verify",
        "--data",
        data,
        "--checkpoint",
        file,
        "--public-key",
        key,
    ]);
    assert_eq!(pinned.code, Some(0), "{pinned:?}");
    let other_key = "ab".repeat(32);
    let wrong = run(&[
        "verify",
        "--data",
        data,
        "--checkpoint",
        file,
        "--public-key",
        &other_key,
    ]);
    assert_eq!(
        wrong.code,
        Some(1),
        "a checkpoint that does not verify: {wrong:?}"
    );
    let answer = run(&[
        "verify",
        "--data",
        data,
        "--checkpoint",
        answer_file.to_str().unwrap(),
        "--public-key",
        key,
    ]);
    assert_eq!(answer.code, Some(0), "{answer:?}");

    // The CLI signs a stopped data directory's head with the same key.
    let cli = run(&["checkpoint", "--data", data]);
    assert_eq!(cli.code, Some(0), "{cli:?}");
    let written = cli.stdout.trim().to_string();
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&written).unwrap()).unwrap();
    // The service's own files have the API's format.
    assert_eq!(saved["publicKey"], key);
    assert!(saved["position"].as_u64().unwrap() > position);

    // History before the checkpoint rewritten, every later hash recomputed, and the data
    // directory's own evidence of the old history (its acknowledged mark, read-model snapshot and
    // checkpoints, which `verify` checks) removed, as a thorough attacker with the directory
    // would: the chain itself holds, but not the auditor's checkpoint.
    rewrite_history(dir.path(), position - 3);
    let untouched = run(&["verify", "--data", data]);
    assert_eq!(
        untouched.code,
        Some(1),
        "the directory's own checkpoints expose the rewrite: {untouched:?}"
    );
    std::fs::remove_file(dir.path().join("log.acked")).unwrap();
    std::fs::remove_dir_all(dir.path().join("checkpoints")).unwrap();
    std::fs::remove_dir_all(dir.path().join("snapshots")).unwrap();
    let chain = run(&["verify", "--data", data]);
    assert_eq!(
        chain.code,
        Some(0),
        "a consistently rewritten chain verifies on its own: {chain:?}"
    );
    let caught = run(&["verify", "--data", data, "--checkpoint", file]);
    assert_eq!(caught.code, Some(1), "{caught:?}");
    assert!(
        caught
            .stdout
            .contains(&format!("chain hash at position {position}")),
        "{caught:?}"
    );
}
