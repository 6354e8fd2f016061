//! Regression tests for issue 15's audit items (7–12), through the API and the CLI where each
//! broke: unknown ids, a complete field-level history, business dates under `--today`, the
//! CoC roles, the users directory, the offline audit commands' spellings, and who an offline
//! disclosure names.

use caseledger_tests::coc::{Coc, INTAKE, client_id, intake, stanislaus};
use caseledger_tests::run;
use serde_json::{Value, json};

const TODAY: &str = "2026-06-15";

const HISTORY: &str = "query($c: ID!) { clientHistory(clientId: $c) { event userId user { username } organization { name } recordKind recordId requestId changes { field before after } } }";

const VISIBILITY: &str = "query($c: ID!, $d: String!) { visibilityAsOf(clientId: $c, date: $d) { organizationId role kind recordId level rule user { username } organization { name } } }";

/// Every field of an access-log entry, as an auditor would ask for them.
const FULL_LOG: &str = "query($c: ID!) { accessLog(filter: { clientId: $c }, first: 100) { entries { cursor at date requestId userId user { id username displayName role active organization { id name isCocLead } } organizationId organization { id name isCocLead } role operation purpose clientId denied deliberate records { kind recordId fields rule via } } } }";

/// A CoC with an auditor, a help desk user and CCC's client Tess, shared through MOU 0001.
fn coc_with_tess() -> (Coc, String, caseledger_tests::coc::Setup) {
    let (mut coc, setup) = stanislaus(TODAY);
    coc.user("auditor", "lead", "AUDITOR");
    coc.user("helpdesk", "lead", "HELP_DESK");
    let tess = client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake("Tess", "Ortiz", "1991-07-07", "", 0, "SHARE_WITH_MOU"),
    ));
    (coc, tess, setup)
}

fn rows(data: &Value, key: &str) -> Vec<Value> {
    data[key].as_array().expect("a list").clone()
}

#[test]
fn item_7_unknown_client_ids_are_not_found_in_visibility_and_history() {
    let (coc, tess, _) = coc_with_tess();
    let never = "01J00000000000000000000000";
    for (query, vars) in [
        (VISIBILITY, json!({ "c": never, "d": TODAY })),
        (HISTORY, json!({ "c": never })),
    ] {
        let refused = coc.refused("auditor", query, vars);
        assert_eq!(refused.code, "NOT_FOUND");
        assert_eq!(refused.field.as_deref(), Some("clientId"));
    }
    // The client that exists answers.
    coc.ok("auditor", HISTORY, json!({ "c": tess }));
    coc.ok("auditor", VISIBILITY, json!({ "c": tess, "d": TODAY }));
}

#[test]
fn item_8_client_history_is_field_level_and_complete() {
    let (coc, tess, setup) = coc_with_tess();
    coc.ok(
        "ccc_cm",
        "mutation($c: ID!) { updateClientIntake(clientId: $c, input: { firstName: \"Tessa\" }) { position } }",
        json!({ "c": tess }),
    );
    coc.ok(
        "ccc_cm",
        "mutation($c: ID!, $m: ID!) { assignMou(clientId: $c, mouId: $m, start: \"2026-06-01\", end: \"2026-12-31\") { position } }",
        json!({ "c": tess, "m": setup.mou }),
    );
    coc.ok(
        "ccc_cm",
        "mutation($c: ID!, $o: ID!) { grantReleaseException(clientId: $c, accessingOrganizationId: $o, start: \"2026-06-10\", end: \"2026-06-30\") { position } }",
        json!({ "c": tess, "o": coc.org("outside") }),
    );
    coc.ok(
        "ccc_cm",
        "mutation($c: ID!) { setClientRestriction(clientId: $c, restriction: SHARE_GLOBALLY) { position } }",
        json!({ "c": tess }),
    );
    let request = coc.ok(
        "ccc_admin",
        "mutation($c: ID!) { submitClientRecordRequest(clientId: $c, deliveryMethod: IN_PERSON_PICKUP) { request { id } } }",
        json!({ "c": tess }),
    )["submitClientRecordRequest"]["request"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    coc.ok(
        "helpdesk",
        "mutation($r: ID!) { startClientRecordRequest(requestId: $r) { position } }",
        json!({ "r": request }),
    );

    let history = rows(
        &coc.ok("auditor", HISTORY, json!({ "c": tess })),
        "clientHistory",
    );
    let of =
        |event: &str| -> Vec<&Value> { history.iter().filter(|h| h["event"] == event).collect() };
    let change = |entry: &Value, field: &str| -> (Value, Value) {
        let c = entry["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["field"] == field)
            .unwrap_or_else(|| panic!("no change of {field} in {entry}"));
        (c["before"].clone(), c["after"].clone())
    };

    let recorded = of("ClientIntakeRecorded")[0];
    assert_eq!(recorded["recordKind"], "INTAKE");
    assert_eq!(recorded["recordId"], tess.as_str());
    assert_eq!(change(recorded, "firstName"), (Value::Null, json!("Tess")));
    assert_eq!(change(recorded, "restriction").1, "SHARE_WITH_MOU");

    let edited = of("ClientIntakeEdited")[0];
    assert_eq!(edited["recordKind"], "INTAKE");
    assert_eq!(
        edited["changes"],
        json!([{ "field": "firstName", "before": "Tess", "after": "Tessa" }])
    );

    let assigned = of("MouAssigned")[0];
    assert_eq!(assigned["recordKind"], "MOU_ASSIGNMENT");
    assert_eq!(change(assigned, "mouId").1, setup.mou.as_str());
    assert_eq!(change(assigned, "mouNumber").1, "0001");
    let participants = change(assigned, "participants").1;
    let participants = participants.as_str().unwrap();
    for org in ["ccc", "chss", "city"] {
        assert!(participants.contains(&coc.org(org)), "{participants}");
    }
    assert!(participants.contains("RECEIVES"), "{participants}");
    assert_eq!(change(assigned, "start").1, "2026-06-01");
    assert_eq!(change(assigned, "end").1, "2026-12-31");

    let granted = of("ReleaseExceptionGranted")[0];
    assert_eq!(granted["recordKind"], "RELEASE_EXCEPTION");
    assert_eq!(
        change(granted, "grantingOrganizationId").1,
        coc.org("ccc").as_str()
    );
    assert_eq!(
        change(granted, "accessingOrganizationId").1,
        coc.org("outside").as_str()
    );
    assert_eq!(change(granted, "start").1, "2026-06-10");
    assert_eq!(change(granted, "end").1, "2026-06-30");

    let restricted = of("ClientRestrictionChanged")[0];
    assert_eq!(
        change(restricted, "restriction"),
        (json!("SHARE_WITH_MOU"), json!("SHARE_GLOBALLY"))
    );

    for event in ["RecordRequestSubmitted", "RecordRequestStarted"] {
        assert_eq!(of(event)[0]["requestId"], request.as_str(), "{event}");
    }
    let submitted = of("RecordRequestSubmitted")[0];
    assert_eq!(change(submitted, "deliveryMethod").1, "IN_PERSON_PICKUP");
    assert_eq!(
        change(submitted, "organizationId").1,
        coc.org("ccc").as_str()
    );
}

#[test]
fn item_9_visibility_as_of_the_fixed_business_date_sees_the_days_work_and_names_coc_roles() {
    let (coc, tess, _) = coc_with_tess();
    let could = rows(
        &coc.ok("auditor", VISIBILITY, json!({ "c": tess, "d": TODAY })),
        "visibilityAsOf",
    );
    // The intake recorded today (the business date) is CCC's today, not some later day's.
    assert!(
        could
            .iter()
            .any(|r| r["organizationId"] == coc.org("ccc").as_str()
                && r["role"].is_null()
                && r["kind"] == "INTAKE"
                && r["rule"] == "OWN_ORGANIZATION"
                && r["level"] == "EDIT"),
        "{could:?}"
    );
    // The day before, nothing of hers had been recorded.
    let before = coc.ok(
        "auditor",
        VISIBILITY,
        json!({ "c": tess, "d": "2026-06-14" }),
    );
    assert_eq!(before["visibilityAsOf"], json!([]));
    // The CoC roles that see her by role, named as such, in the CoC lead.
    let by_role = |role: &str| -> Vec<(String, String)> {
        could
            .iter()
            .filter(|r| r["role"] == role && r["kind"] == "INTAKE")
            .inspect(|r| assert_eq!(r["organizationId"], coc.org("lead").as_str()))
            .map(|r| {
                (
                    r["level"].as_str().unwrap().to_string(),
                    r["rule"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        by_role("SYSTEM_ADMIN"),
        [("EDIT".to_string(), "SYSTEM_ADMINISTRATOR".to_string())]
    );
    assert_eq!(
        by_role("HELP_DESK"),
        [("READ".to_string(), "HELP_DESK".to_string())]
    );
    assert_eq!(
        by_role("AUDITOR"),
        [("READ".to_string(), "AUDITOR".to_string())]
    );
    // The history's recorded times are on the business date too.
    let history = coc.ok(
        "auditor",
        "query($c: ID!) { clientHistory(clientId: $c) { at } }",
        json!({ "c": tess }),
    );
    let at = history["clientHistory"][0]["at"].as_str().unwrap();
    assert!(at.starts_with(TODAY), "{at}");
}

#[test]
fn item_10_auditors_turn_user_ids_into_people_with_the_users_directory() {
    let (coc, tess, _) = coc_with_tess();
    coc.ok(
        "chss_cm",
        "query ChssLooks($c: ID!) { client(id: $c) { lastName } }",
        json!({ "c": tess }),
    );
    let users = "query($o: ID) { users(organizationId: $o) { id username displayName role active organization { id name } } }";
    let everyone = rows(&coc.ok("auditor", users, json!({})), "users");
    let chss_cm = everyone
        .iter()
        .find(|u| u["id"] == coc.user_id("chss_cm").as_str())
        .expect("the auditor sees CHSS's case manager");
    assert_eq!(chss_cm["username"], "chss_cm");
    assert_eq!(chss_cm["role"], "CASE_MANAGER");
    assert_eq!(chss_cm["organization"]["id"], coc.org("chss").as_str());
    assert_eq!(
        rows(&coc.ok("admin", users, json!({})), "users").len(),
        everyone.len()
    );
    // An agency administrator sees their own organization's accounts only.
    let own = rows(&coc.ok("ccc_admin", users, json!({})), "users");
    assert!(!own.is_empty());
    assert!(
        own.iter()
            .all(|u| u["organization"]["id"] == coc.org("ccc").as_str())
    );
    assert_eq!(
        coc.refused("ccc_admin", users, json!({ "o": coc.org("chss") }))
            .code,
        "FORBIDDEN"
    );
    for who in ["ccc_cm", "helpdesk"] {
        assert_eq!(
            coc.refused(who, users, json!({})).code,
            "FORBIDDEN",
            "{who}"
        );
    }

    // The audit answers name the people and organizations behind the ids.
    let log = coc.ok(
        "auditor",
        "query($c: ID!) { accessLog(filter: { clientId: $c }) { entries { operation userId user { username role } organization { name } } } }",
        json!({ "c": tess }),
    );
    let looked = rows(&log["accessLog"], "entries")
        .into_iter()
        .find(|e| e["operation"] == "ChssLooks")
        .expect("CHSS's read");
    assert_eq!(looked["user"]["username"], "chss_cm");
    assert_eq!(looked["user"]["role"], "CASE_MANAGER");
    assert_eq!(
        looked["organization"]["name"],
        "Community Housing and Shelter Services"
    );
    let summary = coc.ok(
        "auditor",
        "query($c: ID!) { accessSummary(clientId: $c) { userId user { username } organization { name } } }",
        json!({ "c": tess }),
    );
    assert!(
        rows(&summary, "accessSummary")
            .iter()
            .any(|r| r["user"]["username"] == "chss_cm")
    );
    let history = rows(
        &coc.ok("auditor", HISTORY, json!({ "c": tess })),
        "clientHistory",
    );
    assert_eq!(history[0]["user"]["username"], "ccc_cm");
    assert_eq!(
        history[0]["organization"]["name"],
        "Children's Crisis Center"
    );
}

#[test]
fn item_11_offline_who_saw_json_is_the_access_log_entry_with_the_apis_spellings() {
    let (coc, tess, _) = coc_with_tess();
    coc.ok(
        "ccc_cm",
        "mutation($c: ID!, $o: ID!) { grantReleaseException(clientId: $c, accessingOrganizationId: $o, start: \"2026-06-01\") { position } }",
        json!({ "c": tess, "o": coc.org("outside") }),
    );
    coc.ok(
        "out_cm",
        "query OutsideReads($c: ID!) { client(id: $c) { firstName dob } }",
        json!({ "c": tess }),
    );
    coc.ok(
        "helpdesk",
        "query($r: String!) { helpDeskFindClients(search: { name: \"ortiz\" }, reason: $r) { edges { node { id } } } }",
        json!({ "r": "Caller asked for her case manager" }),
    );
    let online = rows(
        &coc.ok("auditor", FULL_LOG, json!({ "c": tess }))["accessLog"],
        "entries",
    );
    let auditor = coc.user_id("auditor");
    let online: Vec<Value> = online
        .into_iter()
        .filter(|e| e["userId"] != auditor.as_str())
        .collect();
    let release = online
        .iter()
        .find(|e| e["operation"] == "OutsideReads")
        .expect("the read through the release");
    assert_eq!(release["records"][0]["rule"], "RELEASE_EXCEPTION");
    assert!(
        online
            .iter()
            .any(|e| e["purpose"] == "Caller asked for her case manager")
    );

    let dir = coc.stop();
    let data = dir.path().to_str().unwrap();
    let who_saw = |format: &str| {
        let out = run(&[
            "audit", "who-saw", "--data", data, "--client", &tess, "--format", format,
        ]);
        assert_eq!(out.code, Some(0), "{out:?}");
        out.stdout
    };
    let offline: Vec<Value> = serde_json::from_str::<Vec<Value>>(&who_saw("json"))
        .unwrap()
        .into_iter()
        .filter(|e| e["userId"] != auditor.as_str())
        .collect();
    // Exactly the API's entries: every field, every spelling.
    assert_eq!(offline, online);

    let table = who_saw("table");
    for debug in ["CaseManager", "ReleaseException(", "Intake[", "ReleaseId("] {
        assert!(!table.contains(debug), "debug text {debug:?} in\n{table}");
    }
    for shown in [
        "CASE_MANAGER",
        "RELEASE_EXCEPTION",
        "Caller asked for her case manager",
        tess.as_str(),
        TODAY,
    ] {
        assert!(table.contains(shown), "{shown:?} missing from\n{table}");
    }
    let history = run(&["audit", "history", "--data", data, "--client", &tess]);
    assert!(
        history.stdout.contains("firstName: - -> Tess"),
        "{history:?}"
    );
    assert!(!history.stdout.contains("Intake "), "{history:?}");
}

#[test]
fn item_12_an_offline_disclosure_names_the_help_desk_account_that_made_it() {
    let (coc, tess, _) = coc_with_tess();
    let request = coc.ok(
        "ccc_admin",
        "mutation($c: ID!) { submitClientRecordRequest(clientId: $c, deliveryMethod: IN_PERSON_PICKUP) { request { id } } }",
        json!({ "c": tess }),
    )["submitClientRecordRequest"]["request"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for step in ["startClientRecordRequest", "fulfillClientRecordRequest"] {
        coc.ok(
            "helpdesk",
            &format!("mutation($r: ID!) {{ {step}(requestId: $r) {{ position }} }}"),
            json!({ "r": request }),
        );
    }
    let (helpdesk, lead) = (coc.user_id("helpdesk"), coc.org("lead"));
    let (coc, ()) = coc.while_stopped(TODAY, &[], |dir| {
        let data = dir.to_str().unwrap();
        let out = dir.join("dashboard.html");
        let render = |who: Option<&str>| {
            let mut args = vec![
                "record-request",
                "render",
                "--data",
                data,
                &request,
                "--out",
                out.to_str().unwrap(),
            ];
            if let Some(who) = who {
                args.extend(["--as", who]);
            }
            run(&args)
        };
        // No account, another role's account, an unknown one: refused, nothing written.
        assert_eq!(render(None).code, Some(2));
        for who in ["ccc_admin", "auditor", "nobody"] {
            let refused = render(Some(who));
            assert_ne!(refused.code, Some(0), "{who}: {refused:?}");
            assert!(!out.exists(), "{who}");
        }
        let rendered = render(Some("helpdesk"));
        assert_eq!(rendered.code, Some(0), "{rendered:?}");
    });
    let log = coc.ok(
        "auditor",
        "query($c: ID!) { accessLog(filter: { clientId: $c }) { entries { operation userId organizationId role records { rule via } } } }",
        json!({ "c": tess }),
    );
    let offline: Vec<Value> = rows(&log["accessLog"], "entries")
        .into_iter()
        .filter(|e| e["operation"] == "caseledger record-request render")
        .collect();
    assert_eq!(offline.len(), 1, "{log}");
    assert_eq!(offline[0]["userId"], helpdesk.as_str());
    assert_eq!(offline[0]["organizationId"], lead.as_str());
    assert_eq!(offline[0]["role"], "HELP_DESK");
    assert_eq!(offline[0]["records"][0]["via"], request.as_str());
}
