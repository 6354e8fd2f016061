//! Damage inside the data directory's files, through the binary. A flipped byte of the events
//! file is named by `verify` and refused wherever the service reads it; a flipped byte of
//! sled's files (which hold only indexes) costs at most the indexes, rebuilt from the events
//! file, or is refused — one flipped byte of sled's files used to leave a shorter log that
//! verified and served, because sled's recovery took the damage for the end of its log.

use std::path::Path;
use std::time::Duration;

use caseledger_log_store::events_file;
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
fn a_byte_flipped_in_the_events_file_is_named_by_verify_and_refused_where_it_is_read() {
    let (stopped, head) = stopped_log();
    let events = std::fs::read(events_file::path(stopped.path())).unwrap();
    let frames = events_file::frames(stopped.path()).unwrap();
    assert_eq!(frames.len() as u64, head);
    // The bootstrap's organization, the first, middle and last created, and the last record.
    let names = [
        "Stanislaus CoC".to_string(),
        name(1),
        name(ORGANIZATIONS / 2),
        name(ORGANIZATIONS),
    ];
    let mut offsets: Vec<usize> = names
        .iter()
        .map(|org| {
            let found = occurrences(&events, org.as_bytes());
            assert_eq!(found.len(), 1, "{org} is stored once, in the clear");
            found[0] + 5
        })
        .collect();
    let (_, last, len) = *frames.last().unwrap();
    offsets.push(last as usize + events_file::HEADER + len - 1);
    for offset in offsets {
        let position = frames
            .iter()
            .rev()
            .find(|f| f.1 as usize <= offset)
            .unwrap()
            .0;
        let work = tempfile::tempdir().unwrap();
        let dir = work.path().join("data");
        copy_dir(stopped.path(), &dir);
        let mut damaged = events.clone();
        damaged[offset] ^= 0x01;
        std::fs::write(events_file::path(&dir), &damaged).unwrap();
        let what = format!("flipped at {offset}, in record {position}");
        assert_refused(&verify(&dir), position, &format!("verify, {what}"));
        // Without the read-model snapshot the service folds every record and meets it; the
        // last record is checked on every open.
        if position == head {
            assert_refused(&serve(&dir), position, &format!("serve, {what}"));
        }
        std::fs::remove_dir_all(dir.join("snapshots")).unwrap();
        assert_refused(&serve(&dir), position, &format!("serve folding, {what}"));
        // Refusing changed nothing: the damage is still there to be examined.
        assert_eq!(std::fs::read(events_file::path(&dir)).unwrap(), damaged);
        assert_refused(&verify(&dir), position, &format!("verify again, {what}"));
    }
    // The undamaged directory still serves and verifies.
    assert_eq!(verify(stopped.path()).code, Some(0));
    let server = Server::start(stopped.path());
    assert_eq!(server.get("/healthz").json()["logPosition"], json!(head));
    assert_eq!(server.terminate(STOP_TIMEOUT).code, Some(0));
}

#[test]
fn a_byte_flipped_inside_sleds_files_never_serves_a_shorter_log() {
    // sled holds only the indexes: its recovery may lose some of them (they are rebuilt from
    // the events file) or meet the damage as corruption (refused, naming sled's file) — a log
    // short of what it acknowledged is never served.
    let (stopped, head) = stopped_log();
    let db = std::fs::read(stopped.path().join("db")).unwrap();
    for tenth in [1, 3, 5, 7, 9] {
        let offset = db.len() * tenth / 10;
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
            let what =
                format!("sled's db flipped at {offset}, snapshots kept {keep_sled_snapshots}");
            // `verify` reads the events file, not sled's.
            assert_eq!(verify(&dir).code, Some(0), "{what}");
            // Opening the log (as `log stats` does) either refuses or finds the whole log.
            let opened = run(&["log", "stats", "--json", "--data", dir.to_str().unwrap()]);
            if opened.code != Some(0) {
                assert_eq!(opened.code, Some(1), "{what}: {opened:?}");
                assert!(!opened.stderr.contains("in use"), "{what}: {opened:?}");
                assert_refused(&serve(&dir), head, &what);
                continue;
            }
            let stats: serde_json::Value = serde_json::from_str(opened.stdout.trim()).unwrap();
            assert_eq!(stats["headPosition"], json!(head), "{what}");
            let server = Server::start(&dir);
            assert_eq!(
                server.get("/healthz").json()["logPosition"],
                json!(head),
                "{what}"
            );
            assert_eq!(server.terminate(STOP_TIMEOUT).code, Some(0), "{what}");
        }
    }
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
