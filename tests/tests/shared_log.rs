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
    let token = coc.token("ccc_cm");
    let dir = coc.stop();
    let data = dir.path().to_str().unwrap();
    let verified = run(&["verify", "--data", data, "--log", &url]);
    assert_eq!(verified.code, Some(0), "{verified:?}");
    let restored = tempfile::tempdir().unwrap();
    let target_dir = restored.path().join("data");
    let target = target_dir.to_str().unwrap();
    // Without the master key nothing could be read: refused, and nothing written.
    let keyless = run(&["log", "migrate", "--from", &url, "--data", target]);
    assert_eq!(keyless.code, Some(3), "{keyless:?}");
    assert!(
        !target_dir.join("db").exists(),
        "a refused copy writes no log"
    );
    std::fs::create_dir_all(&target_dir).unwrap();
    std::fs::copy(dir.path().join("master.key"), target_dir.join("master.key")).unwrap();
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
    // The restored directory serves on its own, every client readable with its keys.
    let alone = caseledger_tests::Server::start(&target_dir);
    for (id, last) in [(&ana, "Diaz"), (&ben, "Ortiz")] {
        let read = alone.graphql(READ, json!({ "id": id }), Some(&token));
        assert_eq!(read["data"]["client"]["lastName"], last, "{read}");
    }
}

const READ_AT: &str = "query($id: ID!, $p: Int) { client(id: $id, minPosition: $p) { identifiersErased firstName lastName } }";

const ACCESS_LOG: &str = "query($c: ID!) { accessLog(filter: { clientId: $c }, first: 100) { entries { userId operation } } }";

/// The users of the disclosure entries of `client`, as `coc`'s node shows them once they
/// include every one of `users` (the other node's entries are folded a moment after they are
/// written), or as they stand after ten seconds.
fn access_users(coc: &caseledger_tests::coc::Coc, client: &str, users: &[String]) -> Vec<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let seen: Vec<String> = coc.ok("auditor", ACCESS_LOG, json!({ "c": client }))["accessLog"]
            ["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["userId"].as_str().unwrap().to_string())
            .collect();
        if users.iter().all(|u| seen.contains(u)) || std::time::Instant::now() > deadline {
            return seen;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn two_nodes_serve_one_log_each_reads_the_others_writes_and_a_forgetting_reaches_both() {
    let url = testkit::database();
    let (mut coc, _) = stanislaus("2026-06-15");
    coc.user("auditor", "lead", "AUDITOR");
    let (one, _) = coc.while_stopped("2026-06-15", &["--log", &url], |dir| {
        let data = dir.to_str().unwrap();
        let out = run(&["log", "migrate", "--data", data, "--to", &url]);
        assert_eq!(out.code, Some(0), "{out:?}");
        assert!(
            !dir.join("keys").join("client-keys").exists(),
            "the key file moved into PostgreSQL and is gone from the directory"
        );
    });
    let two = one.another_node("2026-06-15", &["--log", &url]);

    // A write on either node is read on the other at the position it answered.
    let intake_on = |node: &caseledger_tests::coc::Coc, first: &str| {
        let data = node.ok(
            "ccc_cm",
            INTAKE,
            intake(first, "Reyes", "1979-03-04", "", 0, "SHARE_GLOBALLY"),
        )["intakeClient"]
            .clone();
        (
            data["client"]["id"].as_str().unwrap().to_string(),
            data["position"].as_u64().unwrap(),
        )
    };
    let (carla, at) = intake_on(&two, "Carla");
    let read = one.ok("chss_cm", READ_AT, json!({ "id": carla, "p": at }));
    assert_eq!(read["client"]["firstName"], "Carla", "{read}");
    let (dora, at) = intake_on(&one, "Dora");
    let read = two.ok("chss_cm", READ_AT, json!({ "id": dora, "p": at }));
    assert_eq!(read["client"]["lastName"], "Reyes", "{read}");

    // What each node disclosed lands in the one log: either node's accounting lists both.
    let users = vec![one.user_id("ccc_cm"), one.user_id("chss_cm")];
    for node in [&one, &two] {
        let seen = access_users(node, &carla, &users);
        for user in &users {
            assert!(seen.contains(user), "{user} in {seen:?}");
        }
    }

    // Forgetting on one node: the other reads the client as erased from the next position on.
    let forgotten = one.ok(
        "admin",
        "mutation($c: ID!) { forgetClientIdentifiers(clientId: $c, reason: \"asked\") { position } }",
        json!({ "c": carla }),
    )["forgetClientIdentifiers"]["position"]
        .as_u64()
        .unwrap();
    for node in [&one, &two] {
        let read = node.ok("chss_cm", READ_AT, json!({ "id": carla, "p": forgotten }));
        assert_eq!(read["client"]["identifiersErased"], true, "{read}");
        assert_eq!(
            read["client"]["firstName"],
            serde_json::Value::Null,
            "{read}"
        );
    }
    let read = two.ok("chss_cm", READ_AT, json!({ "id": dora, "p": forgotten }));
    assert_eq!(read["client"]["firstName"], "Dora", "{read}");

    // Rotation waits for every node to stop.
    let dir_two = two.stop();
    let refused = run(&[
        "keys",
        "rotate",
        "--data",
        dir_two.path().to_str().unwrap(),
        "--log",
        &url,
    ]);
    assert_eq!(refused.code, Some(2), "node one still serves: {refused:?}");
    one.stop();
}
