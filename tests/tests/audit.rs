//! Auditors over HTTP and offline: after a scripted day (reads through an MOU, a city that
//! receives, an agency outside, a release that expired, a restriction change), the access log
//! and `caseledger audit who-saw` list exactly the reads that happened, with their rules and
//! deliberate/incidental/denied flags; the history shows what changed and who changed it.

use caseledger_tests::coc::{INTAKE, client_id, intake, stanislaus};
use caseledger_tests::run;
use serde_json::{Value, json};

const TODAY: &str = "2026-06-15";

const ACCESS_LOG: &str = "query AuditLog($c: ID!, $d: Boolean!) { accessLog(filter: { clientId: $c, deliberateOnly: $d }, first: 100) { entries { userId operation denied deliberate records { kind fields rule via } } hasNextPage } }";

/// (user, operation, how) of each entry, newest first.
fn entries(data: &Value) -> Vec<(String, String, String)> {
    data["accessLog"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let how = if e["denied"] == true {
                "denied"
            } else if e["deliberate"] == true {
                "deliberate"
            } else {
                "incidental"
            };
            (
                e["userId"].as_str().unwrap().to_string(),
                e["operation"].as_str().unwrap().to_string(),
                how.to_string(),
            )
        })
        .collect()
}

#[test]
fn the_access_log_lists_exactly_the_reads_that_happened_and_who_saw_agrees_offline() {
    let (mut coc, setup) = stanislaus(TODAY);
    coc.user("auditor", "lead", "AUDITOR");
    let maria = client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake("Maria", "Lopez", "1990-04-02", "", 0, "SHARE_WITH_MOU"),
    ));
    coc.ok(
        "ccc_cm",
        "mutation($c: ID!, $m: ID!) { assignMou(clientId: $c, mouId: $m, start: \"2026-01-01\") { position } }",
        json!({ "c": maria, "m": setup.mou }),
    );
    let open = |who: &str, operation: &str| {
        coc.gql(
            who,
            &format!("query {operation}($id: ID!) {{ client(id: $id) {{ firstName lastName }} }}"),
            json!({ "id": maria }),
        )
    };
    assert_eq!(
        open("chss_cm", "ChssOpens")["data"]["client"]["lastName"],
        "Lopez"
    );
    coc.ok(
        "chss_cm",
        "query ChssSearches { findClients(search: { name: \"lopez\" }) { edges { node { id } } } }",
        json!({}),
    );
    coc.ok(
        "chss_cm",
        "mutation ChssMoves($c: ID!) { updateClientAddress(clientId: $c, address: { city: \"Ceres\" }) { position } }",
        json!({ "c": maria }),
    );
    assert_eq!(
        open("city_cm", "CityOpens")["data"]["client"]["lastName"],
        "Lopez"
    );
    assert_eq!(
        open("out_cm", "OutsideTries")["data"]["client"],
        Value::Null
    );
    // A release to the outside agency that ended yesterday shows it nothing.
    coc.ok(
        "ccc_cm",
        "mutation($c: ID!, $o: ID!) { grantReleaseException(clientId: $c, accessingOrganizationId: $o, start: \"2026-06-01\", end: \"2026-06-14\") { position } }",
        json!({ "c": maria, "o": coc.org("outside") }),
    );
    assert_eq!(
        open("out_cm", "OutsideTriesAgain")["data"]["client"],
        Value::Null
    );
    coc.ok(
        "ccc_cm",
        "mutation($c: ID!) { setClientRestriction(clientId: $c, restriction: RESTRICT_TO_ORGANIZATION) { position } }",
        json!({ "c": maria }),
    );
    assert_eq!(
        open("chss_cm", "ChssAfterRestriction")["data"]["client"],
        Value::Null
    );

    // Non-auditors may not ask.
    let refused = coc.refused("chss_cm", ACCESS_LOG, json!({ "c": maria, "d": false }));
    assert_eq!(refused.code, "FORBIDDEN");

    let log = coc.ok("auditor", ACCESS_LOG, json!({ "c": maria, "d": false }));
    let (chss, city, out) = (
        coc.user_id("chss_cm"),
        coc.user_id("city_cm"),
        coc.user_id("out_cm"),
    );
    let others: Vec<_> = entries(&log)
        .into_iter()
        .filter(|(u, _, _)| [&chss, &city, &out].contains(&u))
        .collect();
    let expected = [
        (&chss, "ChssAfterRestriction", "denied"),
        (&out, "OutsideTriesAgain", "denied"),
        (&out, "OutsideTries", "denied"),
        (&city, "CityOpens", "deliberate"),
        (&chss, "ChssSearches", "incidental"),
        (&chss, "ChssOpens", "deliberate"),
    ]
    .map(|(u, o, h)| (u.clone(), o.to_string(), h.to_string()));
    assert_eq!(others, expected, "{log}");
    let opened = log["accessLog"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["operation"] == "ChssOpens")
        .unwrap();
    assert_eq!(opened["records"][0]["kind"], "INTAKE");
    assert_eq!(opened["records"][0]["rule"], "MOU");
    assert_eq!(opened["records"][0]["via"], setup.mou.as_str());
    assert_eq!(
        opened["records"][0]["fields"],
        json!(["firstName", "lastName"])
    );
    // CCC's own read of the intake it recorded is there too.
    assert!(
        entries(&log)
            .iter()
            .any(|(u, o, h)| *u == coc.user_id("ccc_cm") && o == "anonymous" && h == "deliberate")
    );

    let deliberate = coc.ok("auditor", ACCESS_LOG, json!({ "c": maria, "d": true }));
    assert!(
        entries(&deliberate)
            .iter()
            .all(|(_, _, h)| h == "deliberate")
    );

    let summary = coc.ok(
        "auditor",
        "query($c: ID!) { accessSummary(clientId: $c) { userId shown deliberate denied } }",
        json!({ "c": maria }),
    );
    let row = summary["accessSummary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["userId"] == chss.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        row,
        json!({ "userId": chss, "shown": 2, "deliberate": 1, "denied": 1 })
    );

    // Who could see her, with everything recorded so far: of the organizations, only CCC
    // (restricted to it); the CoC roles by their role.
    let could = coc.ok(
        "auditor",
        "query($c: ID!) { visibilityAsOf(clientId: $c, date: \"2099-12-31\") { organizationId role kind level rule } }",
        json!({ "c": maria }),
    );
    let intake_rows: Vec<&Value> = could["visibilityAsOf"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "INTAKE" && r["role"].is_null())
        .collect();
    assert_eq!(intake_rows.len(), 1, "{could}");
    assert_eq!(intake_rows[0]["organizationId"], coc.org("ccc").as_str());
    assert_eq!(intake_rows[0]["rule"], "OWN_ORGANIZATION");

    // The history: what changed, by whom.
    let history = coc.ok(
        "auditor",
        "query($c: ID!) { clientHistory(clientId: $c) { event userId changes { field before after } } }",
        json!({ "c": maria }),
    );
    let events: Vec<&str> = history["clientHistory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "ClientIntakeRecorded",
            "MouAssigned",
            "ClientAddressUpdated",
            "ReleaseExceptionGranted",
            "ClientRestrictionChanged"
        ]
    );
    let moved = &history["clientHistory"][2];
    assert_eq!(moved["userId"], chss.as_str());
    assert_eq!(
        moved["changes"],
        json!([{ "field": "address", "before": null, "after": "Ceres" }])
    );
    let restricted = &history["clientHistory"][4];
    assert_eq!(
        restricted["changes"],
        json!([{ "field": "restriction", "before": "SHARE_WITH_MOU", "after": "RESTRICT_TO_ORGANIZATION" }])
    );
    let head = coc.ok("auditor", "{ logHead { position hash } }", json!({}));
    assert_eq!(head["logHead"]["position"], coc.position());
    assert_eq!(head["logHead"]["hash"].as_str().unwrap().len(), 64);

    // Offline, on the stopped server's data directory, who-saw lists the same reads.
    let auditor = coc.user_id("auditor");
    let before_stop = coc.ok("auditor", ACCESS_LOG, json!({ "c": maria, "d": false }));
    let online: Vec<_> = entries(&before_stop)
        .into_iter()
        .filter(|(u, _, _)| *u != auditor)
        .collect();
    let dir = coc.stop();
    let out = run(&[
        "audit",
        "who-saw",
        "--data",
        dir.path().to_str().unwrap(),
        "--client",
        &maria,
        "--format",
        "json",
    ]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let rows: Value = serde_json::from_str(&out.stdout).unwrap();
    let offline: Vec<_> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["userId"] != auditor.as_str())
        .cloned()
        .collect();
    assert_eq!(
        entries(&json!({ "accessLog": { "entries": offline } })),
        online
    );
    let csv = run(&[
        "audit",
        "who-saw",
        "--data",
        dir.path().to_str().unwrap(),
        "--client",
        &maria,
        "--format",
        "csv",
    ]);
    assert!(
        csv.stdout
            .starts_with("at,date,user,organization,role,operation,purpose,requestId,clientId,denied,deliberate,records\n"),
        "{csv:?}"
    );
    let history = run(&[
        "audit",
        "history",
        "--data",
        dir.path().to_str().unwrap(),
        "--client",
        &maria,
    ]);
    assert!(
        history
            .stdout
            .contains("restriction: SHARE_WITH_MOU -> RESTRICT_TO_ORGANIZATION"),
        "{history:?}"
    );
}

#[test]
fn the_routine_review_flags_browsing_outside_the_caseload_admin_reads_of_notes_and_denied_lookups()
{
    let (mut coc, setup) = stanislaus(TODAY);
    coc.user("auditor", "lead", "AUDITOR");
    let mut shared = Vec::new();
    for (first, last) in [("Ana", "Diaz"), ("Bo", "Kim"), ("Cy", "Lee"), ("Di", "Moe")] {
        let id = client_id(&coc.ok(
            "ccc_cm",
            INTAKE,
            intake(first, last, "1980-01-01", "", 0, "SHARE_WITH_MOU"),
        ));
        coc.ok(
            "ccc_cm",
            "mutation($c: ID!, $m: ID!) { assignMou(clientId: $c, mouId: $m, start: \"2026-01-01\") { position } }",
            json!({ "c": id, "m": setup.mou }),
        );
        shared.push(id);
    }
    coc.ok(
        "ccc_cm",
        "mutation($c: ID!) { addCaseNote(clientId: $c, text: \"Private.\") { id } }",
        json!({ "c": shared[0] }),
    );
    let open = "query Browse($id: ID!) { client(id: $id) { lastName caseNotes { text } } }";
    for id in &shared {
        coc.ok("chss_cm", open, json!({ "id": id })); // outside CHSS's caseload, through the MOU
        coc.ok("ccc_cm", open, json!({ "id": id })); // CCC's own clients: never flagged
        coc.ok("out_cm", open, json!({ "id": id })); // denied, four times
    }
    coc.ok("admin", open, json!({ "id": shared[0] }));

    let review = "query($c: Int!, $d: Int!) { accessAnomalies(from: \"2026-06-15\", to: \"2026-06-15\", clientsThreshold: $c, deniedThreshold: $d) { kind userId count clientIds } }";
    assert_eq!(
        coc.refused("chss_cm", review, json!({ "c": 3, "d": 3 }))
            .code,
        "FORBIDDEN"
    );
    let found = coc.ok("auditor", review, json!({ "c": 3, "d": 3 }))["accessAnomalies"].clone();
    let flags: Vec<(String, String, u64)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["kind"].as_str().unwrap().to_string(),
                a["userId"].as_str().unwrap().to_string(),
                a["count"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = vec![
        (
            "MANY_CLIENTS_OUTSIDE_CASELOAD".to_string(),
            coc.user_id("chss_cm"),
            4,
        ),
        (
            "ADMINISTRATOR_READ_RESTRICTED_KIND".to_string(),
            coc.user_id("admin"),
            1,
        ),
        (
            "REPEATED_DENIED_LOOKUPS".to_string(),
            coc.user_id("out_cm"),
            4,
        ),
    ];
    assert_eq!(flags, expected, "{found}");
    // Higher thresholds flag only the administrator's read of a case note.
    let calm = coc.ok("auditor", review, json!({ "c": 5, "d": 5 }))["accessAnomalies"].clone();
    assert_eq!(calm.as_array().unwrap().len(), 1, "{calm}");
    // The same review offline.
    let dir = coc.stop();
    let out = run(&[
        "audit",
        "anomalies",
        "--data",
        dir.path().to_str().unwrap(),
        "--from",
        "2026-06-15",
        "--to",
        "2026-06-15",
        "--clients-threshold",
        "3",
        "--denied-threshold",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let rows: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 3, "{rows}");
}
