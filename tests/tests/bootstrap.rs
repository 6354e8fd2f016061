//! `caseledger admin bootstrap` against the real binary.

use caseledger_tests::{Server, run};

fn bootstrap(dir: &std::path::Path, extra: &[&str]) -> caseledger_tests::Output {
    let data = dir.to_str().unwrap();
    let mut args = vec!["admin", "bootstrap", "--data", data];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn bootstrap_prints_only_the_token_once_and_refuses_a_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let first = bootstrap(
        dir.path(),
        &[
            "--policy",
            "open-intake",
            "--timezone",
            "America/Los_Angeles",
        ],
    );
    assert_eq!(first.code, Some(0), "{first:?}");
    let lines: Vec<&str> = first.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "stdout is the token alone: {:?}",
        first.stdout
    );
    assert!(lines[0].starts_with("clt_") && lines[0].len() > 64);

    let second = bootstrap(dir.path(), &[]);
    assert_eq!(second.code, Some(3), "{second:?}");
    assert!(second.stdout.is_empty());
    assert!(
        second.stderr.contains("already bootstrapped"),
        "{}",
        second.stderr
    );

    // The service starts on the bootstrapped directory with the four events.
    let server = Server::start(dir.path());
    let health = server.get("/healthz").json();
    assert_eq!(health["logPosition"], 4);
}

#[test]
fn an_unknown_time_zone_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = bootstrap(dir.path(), &["--timezone", "Mars/Olympus_Mons"]);
    assert_eq!(out.code, Some(3), "{out:?}");
    assert!(
        out.stderr.contains("VALIDATION") && out.stderr.contains("timeZone"),
        "{}",
        out.stderr
    );
    let stats = run(&[
        "log",
        "stats",
        "--json",
        "--data",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(stats.code, Some(0), "{stats:?}");
    let v: serde_json::Value = serde_json::from_str(&stats.stdout).unwrap();
    assert_eq!(v["headPosition"], 0);
}
