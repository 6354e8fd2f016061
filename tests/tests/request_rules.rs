//! The rules of client record requests that agencies and the help desk found broken (issue 15,
//! items 6, 13, 14, 15), through the binary: a request id tells another agency nothing, the
//! texts written on a request are readable by those who work it, delivery keeps to the method
//! agreed with the client unless a reason is given, and one open request per client is said.

use caseledger_tests::coc::{Coc, INTAKE, client_id, intake, stanislaus};
use caseledger_tests::run;
use serde_json::{Value, json};

const TODAY: &str = "2026-06-15";

const SUBMIT: &str = "mutation($c: ID!, $m: DeliveryMethodName!, $r: RecipientInput) { submitClientRecordRequest(clientId: $c, deliveryMethod: $m, recipient: $r) { request { id } } }";
const DASHBOARD: &str = "query($r: ID!) { clientRecordDashboard(requestId: $r) { position } }";
const DELIVER: &str = "mutation($r: ID!, $m: DeliveryMethodName!, $why: String) { recordRecordRequestDelivery(requestId: $r, method: $m, at: \"2026-06-15T09:00:00Z\", reason: $why) { request { status deliveryMethod deliveredBy deliveryReason history { change deliveryMethod reason } } } }";
const REVISE: &str = "mutation($r: ID!, $d: String!) { requestRecordRevision(requestId: $r, section: \"Client Profile\", description: $d) { request { revisions revisionRequests { id section description } } } }";
const DENY: &str = "mutation($r: ID!, $why: String!) { denyClientRecordRequest(requestId: $r, reason: $why) { request { status denialReason } } }";
const QUEUE: &str = "{ clientRecordRequests { id status denialReason deliveryReason revisionRequests { section description } history { change userId reason section description } } }";

/// The variables of an operation taking the request id.
type Variables = fn(&str) -> Value;

/// The stanislaus CoC with a help desk, a CHSS administrator and an auditor.
fn coc() -> Coc {
    let (mut coc, _) = stanislaus(TODAY);
    coc.user("helpdesk", "lead", "HELP_DESK");
    coc.user("chss_admin", "chss", "AGENCY_ADMIN");
    coc.user("auditor", "lead", "AUDITOR");
    coc
}

/// CCC takes in a client shared globally.
fn client(coc: &Coc, first: &str) -> String {
    client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake(first, "Lopez", "1990-04-02", "", 0, "SHARE_GLOBALLY"),
    ))
}

/// CCC's administrator submits a request for `client`, to be delivered by `method`.
fn submit(coc: &Coc, client: &str, method: &str) -> String {
    let recipient = if method == "ENCRYPTED_EMAIL" {
        json!({ "email": "client@example.org" })
    } else {
        json!({})
    };
    coc.ok(
        "ccc_admin",
        SUBMIT,
        json!({ "c": client, "m": method, "r": recipient }),
    )["submitClientRecordRequest"]["request"]["id"]
        .as_str()
        .expect("request id")
        .to_string()
}

/// The help desk starts and fulfils `request`.
fn fulfil(coc: &Coc, request: &str) {
    for step in ["startClientRecordRequest", "fulfillClientRecordRequest"] {
        coc.ok(
            "helpdesk",
            &format!("mutation($r: ID!) {{ {step}(requestId: $r) {{ position }} }}"),
            json!({ "r": request }),
        );
    }
}

/// The request `id` in `who`'s queue.
fn queued(coc: &Coc, who: &str, id: &str) -> Value {
    coc.ok(who, QUEUE, json!({}))["clientRecordRequests"]
        .as_array()
        .expect("queue")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {who}'s queue"))
        .clone()
}

#[test]
fn another_agencys_request_answers_exactly_as_an_id_never_used() {
    let coc = coc();
    let maria = client(&coc, "Maria");
    let request = submit(&coc, &maria, "IN_PERSON_PICKUP");
    fulfil(&coc, &request);
    let never_used = ulid::Ulid::new().to_string();
    let operations: [(&str, Variables); 3] = [
        (DASHBOARD, |r| json!({ "r": r })),
        (DELIVER, |r| json!({ "r": r, "m": "IN_PERSON_PICKUP" })),
        (REVISE, |r| json!({ "r": r, "d": "Her address changed." })),
    ];

    // CHSS's administrator: NOT_FOUND on requestId for both, indistinguishable.
    for (operation, variables) in &operations {
        let theirs = coc.refused("chss_admin", operation, variables(&request));
        let unknown = coc.refused("chss_admin", operation, variables(&never_used));
        assert_eq!(
            (theirs.code.as_str(), theirs.field.as_deref()),
            ("NOT_FOUND", Some("requestId")),
            "{operation}"
        );
        assert_eq!(
            theirs, unknown,
            "{operation}: the answer tells the request exists"
        );
    }
    // The printable page too.
    let page = |id: &str| {
        coc.server.get_with(
            &format!("/record-requests/{id}/dashboard"),
            Some(&coc.token("chss_admin")),
        )
    };
    let (theirs, unknown) = (page(&request), page(&never_used));
    assert_eq!((theirs.status, unknown.status), (404, 404));
    assert_eq!(theirs.json(), unknown.json());
    assert_eq!(
        theirs.json()["errors"][0]["extensions"]["code"],
        "NOT_FOUND"
    );

    // A role that never acts on requests is refused before the id is looked at.
    for (operation, variables) in &operations {
        let real = coc.refused("ccc_cm", operation, variables(&request));
        assert_eq!(real.code, "FORBIDDEN", "{operation}");
        assert_eq!(
            real,
            coc.refused("ccc_cm", operation, variables(&never_used)),
            "{operation}"
        );
    }
    // The help desk works every request: an id never used is NOT_FOUND for it as for anyone.
    let start = "mutation($r: ID!) { startClientRecordRequest(requestId: $r) { position } }";
    let refused = coc.refused("helpdesk", start, json!({ "r": never_used }));
    assert_eq!(
        (refused.code.as_str(), refused.field.as_deref()),
        ("NOT_FOUND", Some("requestId"))
    );
    // The requesting agency still has its request.
    coc.ok("ccc_admin", DASHBOARD, json!({ "r": request }));
    assert_eq!(
        coc.ok("chss_admin", QUEUE, json!({}))["clientRecordRequests"],
        json!([])
    );
}

#[test]
fn denial_reasons_and_revision_descriptions_are_shown_to_the_agency_and_the_help_desk() {
    let coc = coc();
    let maria = client(&coc, "Maria");
    let ana = client(&coc, "Ana");
    let revised = submit(&coc, &maria, "IN_PERSON_PICKUP");
    fulfil(&coc, &revised);
    let description = "Her address changed in May.";
    let answer = coc.ok(
        "ccc_admin",
        REVISE,
        json!({ "r": revised, "d": description }),
    );
    let shown = &answer["requestRecordRevision"]["request"];
    assert_eq!(shown["revisions"], json!(["Client Profile"]));
    assert_eq!(shown["revisionRequests"][0]["section"], "Client Profile");
    assert_eq!(shown["revisionRequests"][0]["description"], description);

    let denied = submit(&coc, &ana, "IN_PERSON_PICKUP");
    let reason = "Identity could not be verified at the agency.";
    let answer = coc.ok("helpdesk", DENY, json!({ "r": denied, "why": reason }));
    assert_eq!(
        answer["denyClientRecordRequest"]["request"]["denialReason"],
        reason
    );

    // In the queue and the request's history, for the requesting agency and the help desk.
    for who in ["ccc_admin", "helpdesk"] {
        let r = queued(&coc, who, &revised);
        assert_eq!(
            r["revisionRequests"][0]["description"], description,
            "{who}"
        );
        let steps: Vec<&str> = r["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["change"].as_str().unwrap())
            .collect();
        assert_eq!(
            steps,
            ["SUBMITTED", "STARTED", "FULFILLED", "REVISION_REQUESTED"],
            "{who}"
        );
        let revision = &r["history"][3];
        assert_eq!(revision["section"], "Client Profile");
        assert_eq!(revision["description"], description);
        assert_eq!(revision["userId"], coc.user_id("ccc_admin").as_str());

        let d = queued(&coc, who, &denied);
        assert_eq!(
            (d["status"].as_str(), d["denialReason"].as_str()),
            (Some("DENIED"), Some(reason)),
            "{who}"
        );
        let last = d["history"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["change"], "DENIED");
        assert_eq!(last["reason"], reason);
        assert_eq!(last["userId"], coc.user_id("helpdesk").as_str());
    }
    // Free text about the client: its showing is a recorded disclosure of the request.
    let log = coc.ok(
        "auditor",
        "query($c: ID!) { accessLog(filter: { clientId: $c }) { entries { userId records { kind recordId fields rule } } } }",
        json!({ "c": ana }),
    );
    let agency = coc.user_id("ccc_admin");
    let noted = log["accessLog"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["userId"] == agency.as_str())
        .flat_map(|e| e["records"].as_array().unwrap().clone())
        .find(|r| r["kind"] == "RECORD_REQUEST" && r["recordId"] == denied.as_str())
        .unwrap_or_else(|| panic!("{log}"));
    assert_eq!(noted["rule"], "CLIENT_RECORD_REQUEST");
    assert!(
        noted["fields"]
            .as_array()
            .unwrap()
            .contains(&json!("denialReason")),
        "{noted}"
    );
}

#[test]
fn delivery_by_another_method_than_agreed_needs_a_reason_and_shows_the_method_used() {
    let coc = coc();
    let maria = client(&coc, "Maria");
    let request = submit(&coc, &maria, "IN_PERSON_PICKUP");
    fulfil(&coc, &request);

    // Agreed: in-person pickup. By encrypted email without a word: refused.
    let by_email = json!({ "r": request, "m": "ENCRYPTED_EMAIL" });
    let refused = coc.refused("ccc_admin", DELIVER, by_email);
    assert_eq!(
        (refused.code.as_str(), refused.field.as_deref()),
        ("VALIDATION", Some("reason"))
    );
    let blank = json!({ "r": request, "m": "ENCRYPTED_EMAIL", "why": "   " });
    assert_eq!(
        coc.refused("ccc_admin", DELIVER, blank).field.as_deref(),
        Some("reason")
    );
    // A reason is for another method only.
    let as_agreed = json!({ "r": request, "m": "IN_PERSON_PICKUP", "why": "no reason needed" });
    assert_eq!(
        coc.refused("ccc_admin", DELIVER, as_agreed)
            .field
            .as_deref(),
        Some("reason")
    );

    let reason = "The client moved away and asked by phone for encrypted email.";
    let answer = coc.ok(
        "ccc_admin",
        DELIVER,
        json!({ "r": request, "m": "ENCRYPTED_EMAIL", "why": reason }),
    );
    let delivered = &answer["recordRecordRequestDelivery"]["request"];
    assert_eq!(delivered["status"], "DELIVERED");
    assert_eq!(delivered["deliveryMethod"], "IN_PERSON_PICKUP", "as agreed");
    assert_eq!(delivered["deliveredBy"], "ENCRYPTED_EMAIL", "as used");
    assert_eq!(delivered["deliveryReason"], reason);
    let last = delivered["history"].as_array().unwrap().last().unwrap();
    assert_eq!(
        (&last["change"], &last["deliveryMethod"], &last["reason"]),
        (
            &json!("DELIVERED"),
            &json!("ENCRYPTED_EMAIL"),
            &json!(reason)
        )
    );

    // The same after a rebuild from the log alone (the reason is sealed in the event).
    let (coc, ()) = coc.while_stopped(TODAY, &[], |data| {
        std::fs::remove_dir_all(data.join("snapshots")).expect("remove snapshots");
    });
    let r = queued(&coc, "helpdesk", &request);
    assert_eq!(r["deliveryReason"], reason);
    assert_eq!(
        r["history"].as_array().unwrap().last().unwrap()["reason"],
        reason
    );
}

#[test]
fn one_open_request_per_client_is_documented_and_refused_on_client_id() {
    // The SDL says it where an agency reads how to submit.
    let schema = run(&["schema"]);
    assert_eq!(schema.code, Some(0), "{schema:?}");
    let sdl = schema.stdout;
    let field = sdl
        .find("submitClientRecordRequest(")
        .expect("the mutation is in the schema");
    let doc_start = sdl[..field]
        .rfind("\"\"\"\n")
        .and_then(|end| sdl[..end].rfind("\"\"\""));
    let doc = doc_start
        .map(|s| sdl[s..field].to_lowercase())
        .unwrap_or_default();
    assert!(
        doc.contains("one open request per client"),
        "submitClientRecordRequest's description does not state the rule:\n{doc}"
    );

    // CHSS served Maria too; whichever agency holds the open request, another is CONFLICT.
    let coc = coc();
    let maria = client(&coc, "Maria");
    coc.ok(
        "chss_cm",
        "mutation($c: ID!) { recordService(input: { clientId: $c, date: \"2026-06-01\", recordType: 144, typeProvided: 1 }) { id } }",
        json!({ "c": maria }),
    );
    let open = submit(&coc, &maria, "IN_PERSON_PICKUP");
    let again = json!({ "c": maria, "m": "IN_PERSON_PICKUP" });
    for who in ["ccc_admin", "chss_admin"] {
        let refused = coc.refused(who, SUBMIT, again.clone());
        assert_eq!(
            (refused.code.as_str(), refused.field.as_deref()),
            ("CONFLICT", Some("clientId")),
            "{who}"
        );
    }
    // In progress it is still open; once denied, a new request is taken.
    coc.ok(
        "helpdesk",
        "mutation($r: ID!) { startClientRecordRequest(requestId: $r) { position } }",
        json!({ "r": open }),
    );
    assert_eq!(
        coc.refused("chss_admin", SUBMIT, again.clone()).code,
        "CONFLICT"
    );
    coc.ok(
        "helpdesk",
        DENY,
        json!({ "r": open, "why": "Asked for by mistake." }),
    );
    coc.ok("chss_admin", SUBMIT, again);
}
