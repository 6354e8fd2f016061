//! The log on PostgreSQL, through the real binary: a CoC on the embedded store moves its log
//! into PostgreSQL (`log migrate --to`), serves from it (`serve --log`) and keeps working across
//! restarts, and copies it back into a data directory (`log migrate --from`) with the same
//! chain. PostgreSQL is a scratch server of this test process (`scripts/postgres/start.sh`).

use caseledger_log_postgres::testkit;
use caseledger_tests::coc::{INTAKE, intake, stanislaus};
use caseledger_tests::run;
use serde_json::json;

const READ: &str = "query($id: ID!) { client(id: $id) { firstName lastName } }";

/// `copied N events; both logs end at position N with chain hash H` → (N, H).
fn copied(stdout: &str) -> (u64, String) {
    let words: Vec<&str> = stdout.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| *w == "position")
        .expect("a position");
    (
        words[at + 1].parse().expect("a number"),
        words.last().expect("a hash").to_string(),
    )
}

#[test]
fn a_coc_moves_its_log_into_postgresql_serves_from_it_and_can_copy_it_back() {
    let url = testkit::database();
    let (coc, _) = stanislaus("2026-06-15");
    let ana = coc.ok(
        "ccc_cm",
        INTAKE,
        intake("Ana", "Diaz", "1985-05-05", "", 0, "SHARE_GLOBALLY"),
    )["intakeClient"]["client"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = coc.position();

    // Moving in: the stopped directory's log is copied, then the node serves the shared log.
    let (coc, moved) = coc.while_stopped("2026-06-15", &["--log", &url], |dir| {
        let data = dir.to_str().unwrap();
        let refused = run(&["log", "migrate", "--data", data]);
        assert_eq!(
            refused.code,
            Some(2),
            "a direction is required: {refused:?}"
        );
        let out = run(&["log", "migrate", "--data", data, "--to", &url]);
        assert_eq!(out.code, Some(0), "{out:?}");
        let again = run(&["log", "migrate", "--data", data, "--to", &url]);
        assert_eq!(
            again.code,
            Some(2),
            "a log is never copied over another: {again:?}"
        );
        copied(&out.stdout)
    });
    assert_eq!(moved.0, before);
    assert_eq!(coc.position(), before);
    let read = coc.ok("ccc_cm", READ, json!({ "id": ana }));
    assert_eq!(read["client"]["firstName"], "Ana");

    // New work lands in PostgreSQL and survives a restart of the node.
    let ben = coc.ok(
        "ccc_cm",
        INTAKE,
        intake("Ben", "Ortiz", "1990-01-02", "", 1, "SHARE_GLOBALLY"),
    )["intakeClient"]["client"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let after = coc.position();
    assert!(after > before);
    let coc = coc.restart("2026-06-16", &["--log", &url]);
    assert_eq!(coc.position(), after);
    let read = coc.ok("ccc_cm", READ, json!({ "id": ben }));
    assert_eq!(read["client"]["lastName"], "Ortiz");

    // The shared log verifies with this node's evidence, and copies back whole.
    let dir = coc.stop();
    let data = dir.path().to_str().unwrap();
    let verified = run(&["verify", "--data", data, "--log", &url]);
    assert_eq!(verified.code, Some(0), "{verified:?}");
    let restored = tempfile::tempdir().unwrap();
    let target = restored.path().join("data");
    let target = target.to_str().unwrap();
    let out = run(&["log", "migrate", "--from", &url, "--data", target]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let back = copied(&out.stdout);
    // (A restart on a new business date appends that day's event.)
    assert!(back.0 >= after, "{back:?}");
    let copy_verified = run(&["verify", "--data", target]);
    assert_eq!(copy_verified.code, Some(0), "{copy_verified:?}");
    for report in [&verified, &copy_verified] {
        assert!(
            report.stdout.contains(&back.1),
            "both chains end at the same hash: {report:?} / {back:?}"
        );
    }
    // Copying into a directory that already holds a log is refused.
    let again = run(&["log", "migrate", "--from", &url, "--data", target]);
    assert_eq!(again.code, Some(2), "{again:?}");
}
