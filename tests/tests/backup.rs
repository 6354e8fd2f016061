//! Backups as an HMIS administrator takes them: of a running server under write load, restored
//! into a new directory that `verify` accepts and `serve` starts on, with every acknowledged
//! write before the backup's position and none after it; damaged or unfinished backups
//! refused; and a data directory of another format refused, both formats named.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use caseledger_tests::{Server, bootstrapped, command, run_command};
use serde_json::{Value, json};

const STOP: Duration = Duration::from_secs(10);
const RUN: Duration = Duration::from_secs(120);

fn cli(args: &[&str]) -> caseledger_tests::Output {
    let mut cmd = command();
    cmd.args(args);
    run_command(cmd, RUN)
}

fn organizations(server: &Server, token: &str) -> Vec<String> {
    let answer = server.graphql("{ organizations { name } }", json!({}), Some(token));
    answer["data"]["organizations"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"))
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_backup_under_write_load_restores_exactly_what_was_acknowledged_before_its_position() {
    let (dir, admin) = bootstrapped();
    let data = dir.path().to_str().unwrap().to_string();
    let server = Arc::new(Server::start(dir.path()));

    // Four writers create organizations as fast as they are acknowledged, each noting the
    // position its write was acknowledged at.
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged: Arc<Mutex<Vec<(String, u64)>>> = Arc::default();
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (server, admin, stop, acknowledged) = (
                server.clone(),
                admin.clone(),
                stop.clone(),
                acknowledged.clone(),
            );
            std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let name = format!("Writer {w} agency {i}");
                    let answer = server.graphql(
                        "mutation($n: String!) { createOrganization(name: $n) { position } }",
                        json!({ "n": name }),
                        Some(&admin),
                    );
                    let position = answer["data"]["createOrganization"]["position"]
                        .as_u64()
                        .unwrap_or_else(|| panic!("{answer}"));
                    acknowledged.lock().unwrap().push((name, position));
                    i += 1;
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));

    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("backup");
    let backup = cli(&[
        "backup",
        "--data",
        &data,
        out.to_str().unwrap(),
        "--include-master-key",
    ]);
    assert_eq!(backup.code, Some(0), "{backup:?}");
    let position: u64 = backup.stdout.trim().parse().expect("the backup's position");
    std::thread::sleep(Duration::from_millis(1000));
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    let before = acknowledged.iter().filter(|(_, p)| *p <= position).count();
    let after = acknowledged.len() - before;
    assert!(
        before > 0 && after > 0,
        "writes on both sides: {before} before, {after} after"
    );
    let server = Arc::into_inner(server).expect("writers are done");
    assert_eq!(server.terminate(STOP).code, Some(0));

    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["position"], position);
    assert_eq!(manifest["master_key_included"], true);
    for file in ["log.records", "keys/client-keys", "master.key"] {
        assert!(
            manifest["files"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["path"] == file),
            "{file} in {manifest}"
        );
    }

    let restored = root.path().join("restored");
    let restored_str = restored.to_str().unwrap();
    let out_str = out.to_str().unwrap();
    let restore = cli(&["restore", out_str, "--data", restored_str]);
    assert_eq!(restore.code, Some(0), "{restore:?}");
    let verify = cli(&["verify", "--data", restored_str]);
    assert_eq!(verify.code, Some(0), "{verify:?}");
    let stats = cli(&["log", "stats", "--data", restored_str, "--json"]);
    let stats: Value = serde_json::from_str(&stats.stdout).unwrap_or_else(|_| panic!("{stats:?}"));
    assert_eq!(
        stats["headPosition"], position,
        "nothing after the position is half there"
    );

    let server = Server::start(&restored);
    let names = organizations(&server, &admin);
    for (name, at) in &acknowledged {
        assert_eq!(
            names.contains(name),
            *at <= position,
            "{name}, acknowledged at {at}, backup at {position}"
        );
    }
    assert_eq!(server.terminate(STOP).code, Some(0));
}

#[test]
fn damaged_unfinished_or_keyless_backups_are_refused_before_anything_is_made() {
    let (dir, admin) = bootstrapped();
    let data = dir.path().to_str().unwrap();
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("backup");
    let out_str = out.to_str().unwrap();
    // Of a stopped server: the same backup, without the admin socket.
    let backup = cli(&["backup", "--data", data, out_str]);
    assert_eq!(backup.code, Some(0), "{backup:?}");
    assert!(
        !out.join("master.key").exists(),
        "the master key only when asked"
    );
    let target = root.path().join("restored");
    let target_str = target.to_str().unwrap();

    // No master key in the backup and none named.
    let refused = cli(&["restore", out_str, "--data", target_str]);
    assert_ne!(refused.code, Some(0), "{refused:?}");
    assert!(!target.exists(), "made {}", target.display());

    // A changed byte in the log.
    let records = out.join("log.records");
    let original = std::fs::read(&records).unwrap();
    let mut damaged = original.clone();
    *damaged.last_mut().unwrap() ^= 1;
    std::fs::write(&records, &damaged).unwrap();
    let master = dir.path().join("master.key");
    let master_str = master.to_str().unwrap();
    let restore_with_key = || {
        cli(&[
            "restore",
            out_str,
            "--data",
            target_str,
            "--master-key-file",
            master_str,
        ])
    };
    let refused = restore_with_key();
    assert_ne!(refused.code, Some(0), "{refused:?}");
    assert!(!target.exists());
    std::fs::write(&records, &original).unwrap();

    // Unfinished: no manifest.
    let manifest = std::fs::read(out.join("manifest.json")).unwrap();
    std::fs::remove_file(out.join("manifest.json")).unwrap();
    let refused = restore_with_key();
    assert_ne!(refused.code, Some(0), "{refused:?}");
    assert!(!target.exists());
    // A manifest naming a file no backup holds (here, outside the backup) is refused.
    let mut foreign: Value = serde_json::from_slice(&manifest).unwrap();
    foreign["files"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "path": "../outside", "bytes": 0, "sha256": "" }));
    std::fs::write(out.join("manifest.json"), foreign.to_string()).unwrap();
    let refused = restore_with_key();
    assert_ne!(refused.code, Some(0), "{refused:?}");
    assert!(!target.exists());
    std::fs::write(out.join("manifest.json"), manifest).unwrap();

    // Whole, with the key named: restored, and it serves the same accounts.
    let restored = restore_with_key();
    assert_eq!(restored.code, Some(0), "{restored:?}");
    let mut cmd = command();
    cmd.args(["serve", "--addr", "127.0.0.1:0", "--data", target_str])
        .args(["--master-key-file", master_str]);
    let server = Server::spawn(cmd);
    assert_eq!(organizations(&server, &admin), ["Stanislaus CoC"]);
    assert_eq!(server.terminate(STOP).code, Some(0));
    // A backup never goes over an existing one.
    let again = cli(&["backup", "--data", target_str, out_str]);
    assert_ne!(again.code, Some(0), "{again:?}");
}

#[test]
fn a_data_directory_of_another_format_is_refused_naming_both() {
    let (dir, _) = bootstrapped();
    let format = dir.path().join("format");
    assert_eq!(
        std::fs::read_to_string(&format).unwrap(),
        "caseledger data format 2\n",
        "a data directory states its format"
    );
    std::fs::write(&format, "caseledger data format 3\n").unwrap();
    let mut cmd = command();
    cmd.args([
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--data",
        dir.path().to_str().unwrap(),
    ]);
    let out = run_command(cmd, RUN);
    assert_eq!(out.code, Some(3), "{out:?}");
    assert!(
        out.stderr.contains("format 3") && out.stderr.contains("format 2"),
        "{out:?}"
    );
    // Nothing was changed: it still states format 3.
    assert_eq!(
        std::fs::read_to_string(&format).unwrap(),
        "caseledger data format 3\n"
    );
}
