//! `caseledger fixtures generate`: the same arguments write the same log byte for byte (the
//! chain hash at the head covers every record), another seed another log, and the history has
//! every kind of fact a CoC records — and serves.

use serde_json::Value;

use caseledger_tests::run;

fn generate(seed: &str) -> (tempfile::TempDir, Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_str().expect("utf-8");
    let out = run(&[
        "fixtures",
        "generate",
        "--data",
        data,
        "--orgs",
        "6",
        "--clients",
        "400",
        "--years",
        "2",
        "--seed",
        seed,
    ]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(out.stdout.contains("generated"), "{out:?}");
    let stats = run(&["log", "stats", "--data", data, "--json"]);
    assert_eq!(stats.code, Some(0), "{stats:?}");
    (dir, serde_json::from_str(&stats.stdout).expect("json"))
}

#[test]
fn the_same_seed_writes_the_same_log_and_the_history_is_complete() {
    let (first_dir, first) = generate("7");
    let (_, again) = generate("7");
    let (_, other) = generate("8");
    assert_eq!(first["headHash"], again["headHash"], "same seed, same log");
    assert_eq!(first["headPosition"], again["headPosition"]);
    assert_ne!(
        first["headHash"], other["headHash"],
        "another seed, another log"
    );

    let by_type = &first["eventsByType"];
    assert_eq!(by_type["ClientIntakeRecorded"], 400);
    for kind in [
        "OrganizationCreated",
        "ProgramCreated",
        "MouCreated",
        "MouAssigned",
        "ReleaseExceptionGranted",
        "ClientRestrictionChanged",
        "HouseholdCreated",
        "HouseholdMemberAdded",
        "ClientEnrolled",
        "EnrollmentExited",
        "ServiceRecorded",
        "AssessmentRecorded",
        "CaseNoteAdded",
        "ClientCheckedIn",
        "ClientCheckedOut",
        "RecordsAccessed",
        "RecordRequestSubmitted",
    ] {
        assert!(
            by_type[kind].as_u64().unwrap_or(0) > 0,
            "no {kind} in {by_type}"
        );
    }
    assert_eq!(
        first["eventsByType"]["MouCreated"], 3,
        "three overlapping MOUs"
    );

    // The generated data directory serves, and its administrator token works.
    let tokens =
        std::fs::read_to_string(first_dir.path().join("generated-tokens.txt")).expect("tokens");
    let token = tokens
        .trim()
        .split('\t')
        .nth(1)
        .expect("admin\ttoken")
        .to_string();
    let server = caseledger_tests::Server::start(first_dir.path());
    let answer = server.graphql(
        "{ me { role } organizations { id } }",
        serde_json::json!({}),
        Some(&token),
    );
    assert_eq!(answer["data"]["me"]["role"], "SYSTEM_ADMIN", "{answer}");
    assert_eq!(
        answer["data"]["organizations"].as_array().map(Vec::len),
        Some(7)
    );
}
