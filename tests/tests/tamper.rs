//! Damage inside sled's own files, through the binary. sled's recovery takes a damaged
//! segment for the end of its log and presents the consistent prefix before it, so one
//! flipped byte used to leave a shorter log that verified and served. The data directory's own
//! evidence (the acknowledged mark, the read-model snapshot, the signed checkpoints) says how
//! far the log reached: `serve` and `verify` must refuse such a log with exit 1 naming the
//! position, whether sled's `snap.*` files let its recovery skip the damaged part (then it
//! meets the damage as corruption) or not (then it cuts the log there).

use std::path::Path;
use std::time::Duration;

use caseledger_tests::{Output, Server, bootstrapped, command, run, run_command};
use serde_json::json;

const ORGANIZATIONS: usize = 40;
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

fn name(i: usize) -> String {
    format!("Tamper Agency {i:02}")
}

/// A stopped data directory holding the bootstrap and 40 organizations created through the
/// API, stopped with SIGTERM (so a snapshot and a signed checkpoint at its head exist); and
/// that head.
fn stopped_log() -> (tempfile::TempDir, u64) {
    let (dir, token) = bootstrapped();
    let server = Server::start(dir.path());
    for i in 1..=ORGANIZATIONS {
        let created = server.graphql(
            "mutation($n: String!) { createOrganization(name: $n) { position } }",
            json!({ "n": name(i) }),
            Some(&token),
        );
        assert!(
            created["data"]["createOrganization"]["position"].is_u64(),
            "{created}"
        );
    }
    let head = server.get("/healthz").json()["logPosition"]
        .as_u64()
        .expect("healthz position");
    let stopped = server.terminate(STOP_TIMEOUT);
    assert_eq!(stopped.code, Some(0), "{stopped:?}");
    assert!(
        dir.path()
            .join(format!("checkpoints/checkpoint-{head:012}.json"))
            .is_file()
    );
    assert!(dir.path().join("snapshots/projections.snap").is_file());
    (dir, head)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Offsets of every copy of `needle` in `haystack`.
fn occurrences(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}

fn serve(dir: &Path) -> Output {
    let mut cmd = command();
    cmd.arg("serve")
        .arg("--data")
        .arg(dir)
        .args(["--addr", "127.0.0.1:0"]);
    // A server that starts does not exit: the harness kills it and fails the test.
    run_command(cmd, Duration::from_secs(30))
}

fn verify(dir: &Path) -> Output {
    run(&["verify", "--data", dir.to_str().unwrap()])
}

/// Exit 1, naming the position the log is known to have reached, and no guess that another
/// process holds the directory.
fn assert_refused(output: &Output, head: u64, what: &str) {
    assert_eq!(output.code, Some(1), "{what}: {output:?}");
    let text = format!("{}{}", output.stdout, output.stderr);
    assert!(
        text.contains(&format!("position {head}")),
        "{what}: {output:?}"
    );
    assert!(
        !text.contains("using it") && !text.contains("in use"),
        "{what}: {output:?}"
    );
}

#[test]
fn a_byte_flipped_inside_sleds_files_is_refused_by_serve_and_verify() {
    let (stopped, head) = stopped_log();
    let db = std::fs::read(stopped.path().join("db")).unwrap();
    let mut cases = 0;
    // The bootstrap's organization was written before sled's last snapshot of its own state:
    // with `snap.*` present, sled's recovery skips that part and meets the damage when reading
    // it (corruption); without, it cuts the log there. The others come after it.
    let names = [
        "Stanislaus CoC".to_string(),
        name(1),
        name(ORGANIZATIONS / 2),
        name(ORGANIZATIONS),
    ];
    for (i, org) in names.iter().enumerate() {
        let found = occurrences(&db, org.as_bytes());
        assert!(!found.is_empty(), "{org} is stored in the clear");
        // sled keeps several copies (log fragments, consolidated pages): take a different one
        // each time.
        let offset = found[i % found.len()] + 5;
        for keep_sled_snapshots in [true, false] {
            let work = tempfile::tempdir().unwrap();
            let dir = work.path().join("data");
            copy_dir(stopped.path(), &dir);
            if !keep_sled_snapshots {
                for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                    if entry.file_name().to_string_lossy().starts_with("snap.") {
                        std::fs::remove_file(entry.path()).unwrap();
                    }
                }
            }
            let mut damaged = db.clone();
            damaged[offset] ^= 0x01;
            std::fs::write(dir.join("db"), &damaged).unwrap();
            let what = format!(
                "{org} flipped at {offset}, sled snapshots {}",
                if keep_sled_snapshots {
                    "kept"
                } else {
                    "removed"
                }
            );
            // Both orders: whichever opens the damaged directory first lets sled's recovery
            // rewrite it, and the one after must still refuse.
            if cases % 2 == 0 {
                assert_refused(&serve(&dir), head, &format!("serve first, {what}"));
                assert_refused(&verify(&dir), head, &format!("verify after serve, {what}"));
            } else {
                assert_refused(&verify(&dir), head, &format!("verify first, {what}"));
                assert_refused(&serve(&dir), head, &format!("serve after verify, {what}"));
            }
            assert_refused(&serve(&dir), head, &format!("serve again, {what}"));
            cases += 1;
        }
    }
    // The undamaged directory still serves and verifies.
    assert_eq!(verify(stopped.path()).code, Some(0));
    let server = Server::start(stopped.path());
    assert_eq!(server.get("/healthz").json()["logPosition"], json!(head));
    assert_eq!(server.terminate(STOP_TIMEOUT).code, Some(0));
}

#[test]
fn a_server_killed_mid_load_restarts_with_everything_it_acknowledged() {
    let (dir, token) = bootstrapped();
    let server = Server::start(dir.path());
    let mut acknowledged = 0;
    for i in 1..=ORGANIZATIONS {
        let created = server.graphql(
            "mutation($n: String!) { createOrganization(name: $n) { position } }",
            json!({ "n": name(i) }),
            Some(&token),
        );
        acknowledged = created["data"]["createOrganization"]["position"]
            .as_u64()
            .unwrap_or_else(|| panic!("{created}"));
    }
    drop(server); // SIGKILL: no snapshot, no checkpoint, no sync of the mark
    let restarted = Server::start(dir.path());
    let position = restarted.get("/healthz").json()["logPosition"]
        .as_u64()
        .unwrap();
    assert!(position >= acknowledged, "{position} < {acknowledged}");
    assert_eq!(restarted.terminate(STOP_TIMEOUT).code, Some(0));
    assert_eq!(verify(dir.path()).code, Some(0));
}
