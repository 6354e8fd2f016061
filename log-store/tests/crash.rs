//! Crash test: a child process appends from many writers and reports each acknowledged event;
//! it is killed with SIGKILL mid-load; the reopened log must hold every acknowledged event, with
//! gapless positions and an intact hash chain. Repeated over several kill points on one data
//! directory, so recovery from a crash is itself crashed into.
//!
//! Run on both durable backends: the embedded log in a data directory, and PostgreSQL (the
//! node is killed; the database server, a scratch one of this test process, stays up).
//!
//! The child is this same test binary, re-run with an environment variable that turns the
//! `crash_child` test into the writer.

mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use std::sync::Arc;

use caseledger_log_postgres::{PgLog, testkit};
use caseledger_log_store::{AppendRequest, EventLog, ExpectedVersion, SledLog, SledLogOptions};
use common::ev;

/// `sled:DIR`, `sled-small-tables:DIR` or `postgres:CONNINFO`: which log the child opens.
const LOG_VAR: &str = "CASELEDGER_CRASH_CHILD_LOG";
const ROUND_VAR: &str = "CASELEDGER_CRASH_CHILD_ROUND";
const WRITERS: u128 = 32;

/// The writer side. Does nothing unless started by `acknowledged_appends_survive_sigkill`.
#[test]
fn crash_child() {
    let Ok(target) = std::env::var(LOG_VAR) else {
        return;
    };
    let round: u128 = std::env::var(ROUND_VAR).unwrap().parse().unwrap();
    let log = open(&target);
    println!("ready");
    std::io::stdout().flush().unwrap();
    let threads: Vec<_> = (0..WRITERS)
        .map(|w| {
            let log = log.clone();
            std::thread::spawn(move || {
                for i in 0u128.. {
                    let id = (round << 96) | (w << 64) | i;
                    // Multi-event, multi-stream appends exercise batch atomicity too.
                    let req =
                        AppendRequest::single(format!("w{w}"), ExpectedVersion::Any, vec![ev(id)])
                            .and(
                                format!("r{round}"),
                                ExpectedVersion::Any,
                                vec![ev(id | (1 << 63))],
                            );
                    log.append(req).wait().unwrap();
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "ack {id}").unwrap();
                    out.flush().unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

/// Records per index table of `sled-small-tables`: a run is written every few commits, so
/// kills land while runs are half written, written but not yet in the manifest, and queued.
const SMALL_TABLE: usize = 37;

/// Opens the log `target` names (`sled:DIR`, `sled-small-tables:DIR` or `postgres:CONNINFO`).
fn open(target: &str) -> Arc<dyn EventLog> {
    match target.split_once(':') {
        Some(("sled", dir)) => SledLog::open(dir).unwrap(),
        Some(("sled-small-tables", dir)) => SledLog::open_with(
            dir,
            SledLogOptions {
                index_table_records: SMALL_TABLE,
                ..SledLogOptions::default()
            },
        )
        .unwrap(),
        Some(("postgres", conninfo)) => PgLog::open(conninfo).unwrap(),
        _ => panic!("unknown log {target}"),
    }
}

#[test]
fn acknowledged_appends_survive_sigkill_on_the_embedded_log() {
    if std::env::var(LOG_VAR).is_ok() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    crash_rounds(&format!("sled:{}", dir.path().display()), Some(dir.path()));
}

/// The indexes lag behind the records all the time (the newest are only in memory), and here
/// runs are written out every few commits, so kills also land in the middle of writing one.
#[test]
fn acknowledged_appends_survive_sigkill_while_index_runs_are_written() {
    if std::env::var(LOG_VAR).is_ok() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    crash_rounds(
        &format!("sled-small-tables:{}", dir.path().display()),
        Some(dir.path()),
    );
    let runs = std::fs::read_dir(dir.path().join(caseledger_log_store::INDEX_DIR))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "idx"))
        .count();
    assert!(runs > 10, "only {runs} index runs were written");
}

#[test]
fn acknowledged_appends_survive_sigkill_of_a_postgresql_node() {
    if std::env::var(LOG_VAR).is_ok() {
        return;
    }
    crash_rounds(&format!("postgres:{}", testkit::database()), None);
}

/// Kill rounds on the log `target` names; `dir` is the embedded log's directory, verified
/// offline between rounds too.
fn crash_rounds(target: &str, dir: Option<&std::path::Path>) {
    let exe = std::env::current_exe().unwrap();
    let mut acked: HashSet<u128> = HashSet::new();
    // Kill after this many acknowledgements (0: right after the log opened).
    let kill_points = [0usize, 1, 40, 300, 1200, 2500];
    for (round, &kill_after) in kill_points.iter().enumerate() {
        let mut child = Command::new(&exe)
            .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
            .env(LOG_VAR, target)
            .env(ROUND_VAR, (round + 1).to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut seen = 0usize;
        let mut round_acked = Vec::new();
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(60))
                .expect("child stalled");
            if let Some(id) = line.strip_prefix("ack ") {
                round_acked.push(id.parse::<u128>().unwrap());
                seen += 1;
            }
            // libtest prints "test crash_child ... " before the child's first line.
            if (line.ends_with("ready") && kill_after == 0)
                || (kill_after > 0 && seen >= kill_after)
            {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis((round as u64 * 7) % 11));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // Everything the child printed before it died counts as acknowledged.
        reader.join().unwrap();
        round_acked.extend(
            rx.try_iter()
                .filter_map(|l| l.strip_prefix("ack ").map(|s| s.parse::<u128>().unwrap())),
        );
        acked.extend(round_acked.iter().copied());

        // The offline verifier sees the same chain before the log is opened again.
        let offline = dir.map(|dir| {
            let offline = caseledger_log_store::verify_dir(dir, &mut |_| {}).unwrap();
            assert!(offline.is_ok(), "round {round}: {:?}", offline.failure);
            offline.records
        });

        let log = open(target);
        if let Some(records) = offline {
            assert_eq!(
                records,
                log.head().position,
                "verify saw every acknowledged record"
            );
        }
        let report = log.verify(&mut |_| {}).unwrap();
        assert!(report.is_ok(), "round {round}: {:?}", report.failure);
        assert_eq!(
            report.records,
            log.head().position,
            "positions are gapless up to the head"
        );
        for &id in &acked {
            let e = log
                .read_event(id)
                .unwrap()
                .unwrap_or_else(|| panic!("round {round}: acknowledged event {id:x} lost"));
            assert_eq!(e.payload, common::payload(id));
            let twin = log
                .read_event(id | (1 << 63))
                .unwrap()
                .expect("the other half of an atomic append");
            assert_eq!(&*twin.stream, format!("r{}", id >> 96).as_str());
        }
        // Every stream's versions are gapless too.
        for w in 0..WRITERS {
            let events = log.read_stream(&format!("w{w}"), 1, usize::MAX).unwrap();
            assert!(
                events
                    .iter()
                    .enumerate()
                    .all(|(i, e)| e.version == i as u64 + 1),
                "stream w{w} has a gap"
            );
        }
    }
    assert!(
        acked.len() > 2500,
        "the load produced {} acknowledgements",
        acked.len()
    );
}
