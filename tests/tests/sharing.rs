//! Regression tests for the sharing findings of issue 15 (items 1 to 5), through the GraphQL
//! API: an organization keeps its own records of a client it no longer sees, the caseload,
//! conflict messages that quote only what the caller may see, the help desk reading only what
//! a dashboard holds, and auditors reading metadata, never content.

use caseledger_tests::coc::{Coc, INTAKE, Setup, client_id, intake, stanislaus};
use serde_json::{Value, json};

const TODAY: &str = "2026-06-15";

const ENROLL: &str = "mutation($i: EnrollClientInput!) { enrollClient(input: $i) { id } }";

/// Everything a client answer can carry, intake and records.
const CLIENT: &str = "query($id: ID!) { client(id: $id) { id idOnly access { level rule } firstName lastName dob organizationId restriction enrollments { id organizationId } services { id } assessments { id answers { item code text } } caseNotes { id restriction recordedBy text } documents { id name documentType } } }";

/// A CHSS program to enroll into (the fixture's shelter program id is not exposed).
fn chss_program(coc: &Coc) -> String {
    coc.ok(
        "admin",
        "mutation($o: ID!) { createProgram(organizationId: $o, name: \"Street Outreach\", projectType: 4, operatingStart: \"2020-01-01\") { program { id } } }",
        json!({ "o": coc.org("chss") }),
    )["createProgram"]["program"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A client CCC created, shared with MOU 0001 (so CHSS sees it).
fn shared_client(coc: &Coc, setup: &Setup, first: &str, last: &str) -> String {
    let id = client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake(first, last, "1985-03-04", "", 1, "SHARE_WITH_MOU"),
    ));
    coc.ok(
        "ccc_cm",
        "mutation($c: ID!, $m: ID!) { assignMou(clientId: $c, mouId: $m, start: \"2026-01-01\") { position } }",
        json!({ "c": id, "m": setup.mou }),
    );
    id
}

fn enroll(
    coc: &Coc,
    who: &str,
    client: &str,
    program: &str,
    entry: &str,
    restriction: &str,
) -> String {
    coc.ok(
        who,
        ENROLL,
        json!({ "i": { "clientId": client, "programId": program, "entryDate": entry, "restriction": restriction } }),
    )["enrollClient"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn client(coc: &Coc, who: &str, id: &str) -> Value {
    coc.ok(who, CLIENT, json!({ "id": id }))["client"].clone()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

const CASELOAD: &str = "query($first: Int!, $after: String) { caseload(first: $first, after: $after) { edges { cursor node { id idOnly lastName enrollments { id } caseNotes { id } } } pageInfo { hasNextPage endCursor } } }";

/// Every client id of the viewer's caseload, read in pages of `first`.
fn caseload(coc: &Coc, who: &str, first: i64) -> Vec<String> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page =
            coc.ok(who, CASELOAD, json!({ "first": first, "after": after }))["caseload"].clone();
        out.extend(
            page["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["id"].as_str().unwrap().to_string()),
        );
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            return out;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_string);
    }
}

#[test]
fn an_organization_keeps_its_own_records_as_an_id_only_client_when_it_loses_sight_of_it() {
    let (coc, setup) = stanislaus(TODAY);
    let program = chss_program(&coc);
    let tess = shared_client(&coc, &setup, "Tess", "Moreno");
    let chss_enrollment = enroll(
        &coc,
        "chss_cm",
        &tess,
        &program,
        "2026-03-01",
        "UNRESTRICTED",
    );
    let ccc_enrollment = enroll(
        &coc,
        "ccc_cm",
        &tess,
        &setup.rrh,
        "2026-03-02",
        "UNRESTRICTED",
    );
    // Before: CHSS sees the profile and both enrollments (the MOU shares CCC's).
    let seen = client(&coc, "chss_cm", &tess);
    assert_eq!(seen["idOnly"], json!(false));
    assert_eq!(seen["lastName"], "Moreno");
    assert_eq!(ids(&seen["enrollments"]).len(), 2);

    coc.ok(
        "ccc_cm",
        "mutation($c: ID!) { setClientRestriction(clientId: $c, restriction: RESTRICT_TO_ORGANIZATION) { position } }",
        json!({ "c": tess }),
    );
    // After: CHSS sees an id carrying exactly its own enrollment; nothing of the intake.
    let seen = client(&coc, "chss_cm", &tess);
    assert_eq!(seen["id"], json!(tess));
    assert_eq!(seen["idOnly"], json!(true));
    for field in [
        "access",
        "firstName",
        "lastName",
        "dob",
        "organizationId",
        "restriction",
    ] {
        assert_eq!(seen[field], Value::Null, "{field}: {seen}");
    }
    assert_eq!(ids(&seen["enrollments"]), vec![chss_enrollment.clone()]);
    assert!(!ids(&seen["enrollments"]).contains(&ccc_enrollment));
    // The same in every view: Find Client by HMIS id finds the id, by name nothing; the
    // caseload lists it.
    let find = "query($s: ClientSearch!) { findClients(search: $s) { edges { node { id idOnly lastName enrollments { id } } } } }";
    let by_id =
        coc.ok("chss_cm", find, json!({ "s": { "clientId": tess } }))["findClients"]["edges"]
            .clone();
    assert_eq!(by_id.as_array().unwrap().len(), 1, "{by_id}");
    assert_eq!(by_id[0]["node"]["idOnly"], json!(true));
    assert_eq!(by_id[0]["node"]["lastName"], Value::Null);
    assert_eq!(
        ids(&by_id[0]["node"]["enrollments"]),
        vec![chss_enrollment.clone()]
    );
    let by_name =
        coc.ok("chss_cm", find, json!({ "s": { "name": "Moreno" } }))["findClients"]["edges"]
            .clone();
    assert_eq!(by_name, json!([]));
    assert!(caseload(&coc, "chss_cm", 20).contains(&tess));
    // CHSS still completes its own record, and the answer shows it.
    coc.ok(
        "chss_cm",
        "mutation($e: ID!) { setMoveInDate(enrollmentId: $e, moveInDate: \"2026-04-01\") { position } }",
        json!({ "e": chss_enrollment }),
    );
    coc.ok(
        "chss_cm",
        "mutation($e: ID!) { exitEnrollment(input: { enrollmentId: $e, exitDate: \"2026-06-01\" }) { position } }",
        json!({ "e": chss_enrollment }),
    );
    let exits = coc.ok(
        "chss_cm",
        "query($id: ID!) { client(id: $id) { enrollments { id exitDate moveInDate } } }",
        json!({ "id": tess }),
    )["client"]["enrollments"]
        .clone();
    assert_eq!(exits[0]["exitDate"], "2026-06-01");
    assert_eq!(exits[0]["moveInDate"], "2026-04-01");
    // An organization that recorded nothing still gets nothing, as for an id never used.
    assert_eq!(client(&coc, "city_cm", &tess), Value::Null);
    assert_eq!(client(&coc, "out_cm", &tess), Value::Null);
    // The id-only read is recorded as a disclosure of the id and CHSS's enrollment.
    let log = coc.ok(
        "admin",
        "query($c: ID!) { accessLog(filter: { clientId: $c }, first: 100) { entries { userId denied records { kind recordId fields rule } } } }",
        json!({ "c": tess }),
    )["accessLog"]["entries"]
        .clone();
    let chss = coc.user_id("chss_cm");
    let shown: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["userId"] == json!(chss) && e["denied"] == json!(false))
        .flat_map(|e| e["records"].as_array().unwrap())
        .collect();
    assert!(
        shown
            .iter()
            .any(|r| r["kind"] == "INTAKE" && r["fields"] == json!(["id"])),
        "{log}"
    );
    assert!(
        shown
            .iter()
            .any(|r| r["recordId"] == json!(chss_enrollment)),
        "{log}"
    );
}

#[test]
fn the_caseload_holds_open_and_recent_enrollments_and_the_viewers_restricted_records() {
    let (mut coc, setup) = stanislaus(TODAY);
    coc.user("chss_cm2", "chss", "CASE_MANAGER");
    let program = chss_program(&coc);
    let open = shared_client(&coc, &setup, "Ada", "Open");
    let recent = shared_client(&coc, &setup, "Bea", "Recent");
    let old = shared_client(&coc, &setup, "Cal", "Old");
    let noted = shared_client(&coc, &setup, "Dee", "Noted");
    let elsewhere = shared_client(&coc, &setup, "Eve", "Elsewhere");
    enroll(
        &coc,
        "chss_cm",
        &open,
        &program,
        "2026-02-01",
        "UNRESTRICTED",
    );
    let r = enroll(
        &coc,
        "chss_cm",
        &recent,
        &program,
        "2026-01-05",
        "UNRESTRICTED",
    );
    let o = enroll(
        &coc,
        "chss_cm",
        &old,
        &program,
        "2026-01-05",
        "UNRESTRICTED",
    );
    let exit = "mutation($e: ID!, $d: String!) { exitEnrollment(input: { enrollmentId: $e, exitDate: $d }) { position } }";
    // 2026-03-17 is 90 days before today: still recent. 2026-03-16 is not.
    coc.ok("chss_cm", exit, json!({ "e": r, "d": "2026-03-17" }));
    coc.ok("chss_cm", exit, json!({ "e": o, "d": "2026-03-16" }));
    // A note chss_cm restricted to themselves: their caseload, not their colleague's.
    coc.ok(
        "chss_cm",
        "mutation($c: ID!) { addCaseNote(clientId: $c, text: \"Met at the library.\", restriction: RESTRICT_TO_USER) { id } }",
        json!({ "c": noted }),
    );
    // Another organization's enrollment is not CHSS's caseload.
    enroll(
        &coc,
        "ccc_cm",
        &elsewhere,
        &setup.rrh,
        "2026-02-01",
        "UNRESTRICTED",
    );

    let mut expected = vec![open.clone(), recent.clone(), noted.clone()];
    expected.sort();
    assert_eq!(caseload(&coc, "chss_cm", 20), expected);
    // Paged: the same rows, two at a time.
    assert_eq!(caseload(&coc, "chss_cm", 2), expected);
    let mut colleague = vec![open.clone(), recent.clone()];
    colleague.sort();
    assert_eq!(caseload(&coc, "chss_cm2", 1), colleague);
    assert_eq!(caseload(&coc, "ccc_cm", 20), vec![elsewhere.clone()]);
    assert_eq!(caseload(&coc, "out_cm", 20), Vec::<String>::new());
    // Pages hold 1 to 100 rows; cursors come from the list.
    // (A page of 101 weighs more than the document limit allows: refused before it is read.)
    let refused = coc.refused("chss_cm", CASELOAD, json!({ "first": 101 }));
    assert_eq!(refused.code, "LIMIT_EXCEEDED");
    let refused = coc.refused(
        "chss_cm",
        CASELOAD,
        json!({ "first": 5, "after": "not-a-cursor" }),
    );
    assert_eq!(
        (refused.code.as_str(), refused.field.as_deref()),
        ("VALIDATION", Some("after"))
    );
    // Sharing-filtered like everything else: the row carries only what chss_cm may see (the
    // colleague sees the client, not the restricted note).
    let page = coc.ok("chss_cm2", CASELOAD, json!({ "first": 20 }))["caseload"]["edges"].clone();
    assert!(
        page.as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["caseNotes"] == json!([])),
        "{page}"
    );
    // Rows are recorded as incidental disclosures, like Find Client's.
    let log = coc.ok(
        "admin",
        "query($u: ID!) { accessLog(filter: { userId: $u }, first: 100) { entries { operation clientId deliberate } } }",
        json!({ "u": coc.user_id("chss_cm2") }),
    )["accessLog"]["entries"]
        .clone();
    let rows: Vec<&Value> = log.as_array().unwrap().iter().collect();
    assert!(!rows.is_empty(), "{log}");
    for client in [&open, &recent] {
        assert!(
            rows.iter()
                .any(|e| e["clientId"] == json!(client) && e["deliberate"] == json!(false)),
            "{log}"
        );
    }
    assert!(
        rows.iter().all(|e| e["deliberate"] == json!(false)),
        "{log}"
    );
}

#[test]
fn conflict_messages_never_quote_a_colleagues_restricted_enrollment() {
    let (coc, setup) = stanislaus(TODAY);
    let rosa = shared_client(&coc, &setup, "Rosa", "Vega");
    let hidden = enroll(
        &coc,
        "ccc_cm",
        &rosa,
        &setup.rrh,
        "2026-05-07",
        "RESTRICT_TO_USER",
    );
    // The colleague may not see it ...
    assert_eq!(client(&coc, "ccc_admin", &rosa)["enrollments"], json!([]));
    // ... so enrolling the client in the same program is refused without a word about it.
    let refused = coc.refused(
        "ccc_admin",
        ENROLL,
        json!({ "i": { "clientId": rosa, "programId": setup.rrh, "entryDate": "2026-06-01" } }),
    );
    assert_eq!(
        (refused.code.as_str(), refused.field.as_deref()),
        ("CONFLICT", Some("entryDate"))
    );
    assert!(!refused.message.contains(&hidden), "{refused:?}");
    assert!(!refused.message.contains("2026-05-07"), "{refused:?}");
    // The owner, who may see it, is refused for the same reason.
    let refused = coc.refused(
        "ccc_cm",
        ENROLL,
        json!({ "i": { "clientId": rosa, "programId": setup.rrh, "entryDate": "2026-06-01" } }),
    );
    assert_eq!(
        (refused.code.as_str(), refused.field.as_deref()),
        ("CONFLICT", Some("entryDate"))
    );
    // Naming the hidden enrollment on a new record answers as for an id never used, never
    // with its dates.
    let service = "mutation($c: ID!, $e: ID, $d: String!) { recordService(input: { clientId: $c, enrollmentId: $e, date: $d, recordType: 151, typeProvided: 2 }) { id } }";
    let refused = coc.refused(
        "ccc_admin",
        service,
        json!({ "c": rosa, "e": hidden, "d": "2026-05-01" }),
    );
    assert_eq!(
        (refused.code.as_str(), refused.field.as_deref()),
        ("NOT_FOUND", Some("enrollmentId"))
    );
    assert!(!refused.message.contains("2026-05-07"), "{refused:?}");
    let never = "01J00000000000000000000000";
    let unknown = coc.refused(
        "ccc_admin",
        service,
        json!({ "c": rosa, "e": never, "d": "2026-05-01" }),
    );
    assert_eq!((unknown.code, unknown.field), (refused.code, refused.field));
    // Exiting or changing it by id: as for an id never used.
    let refused = coc.refused(
        "ccc_admin",
        "mutation($e: ID!) { exitEnrollment(input: { enrollmentId: $e, exitDate: \"2026-06-01\" }) { position } }",
        json!({ "e": hidden }),
    );
    assert_eq!(
        (refused.code.as_str(), refused.field.as_deref()),
        ("NOT_FOUND", Some("enrollmentId"))
    );
}

#[test]
fn the_help_desk_reads_only_what_a_record_dashboard_holds() {
    let (mut coc, _setup) = stanislaus(TODAY);
    coc.user("helpdesk", "lead", "HELP_DESK");
    let victor = client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake(
            "Victor",
            "Soto",
            "1979-11-02",
            "",
            1,
            "RESTRICT_TO_ORGANIZATION",
        ),
    ));
    let program = _setup.rrh.clone();
    let enrollment = enroll(
        &coc,
        "ccc_cm",
        &victor,
        &program,
        "2026-02-01",
        "UNRESTRICTED",
    );
    let record = |q: &str| coc.ok("ccc_cm", q, json!({ "c": victor }));
    record(
        "mutation($c: ID!) { recordService(input: { clientId: $c, date: \"2026-06-01\", recordType: 144, typeProvided: 1 }) { id } }",
    );
    record(
        "mutation($c: ID!) { recordAssessment(input: { clientId: $c, date: \"2026-06-01\", kind: HEALTH, answers: [{ item: \"HealthInsurance\", code: 1 }] }) { id } }",
    );
    record(
        "mutation($c: ID!) { recordAssessment(input: { clientId: $c, date: \"2026-06-01\", kind: DOMESTIC_VIOLENCE, answers: [{ item: \"DomesticViolenceSurvivor\", code: 1 }], restriction: RESTRICT_TO_USER }) { id } }",
    );
    record("mutation($c: ID!) { addCaseNote(clientId: $c, text: \"Asked for his file.\") { id } }");
    let document = record("mutation($c: ID!) { addDocument(input: { clientId: $c, name: \"ID card.pdf\", documentType: \"Photo ID\" }) { id } }")["addDocument"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    coc.ok(
        "ccc_admin",
        "mutation($c: ID!) { submitClientRecordRequest(clientId: $c, deliveryMethod: IN_PERSON_PICKUP) { request { id } } }",
        json!({ "c": victor }),
    );
    let seen = client(&coc, "helpdesk", &victor);
    assert_eq!(seen["lastName"], "Soto");
    assert_eq!(ids(&seen["enrollments"]), vec![enrollment]);
    assert_eq!(ids(&seen["documents"]), vec![document]);
    assert_eq!(seen["services"], json!([]), "{seen}");
    assert_eq!(seen["assessments"], json!([]), "{seen}");
    assert_eq!(seen["caseNotes"], json!([]), "{seen}");
    let rules = coc.ok(
        "helpdesk",
        "query($id: ID!) { client(id: $id) { enrollments { access { rule } } } }",
        json!({ "id": victor }),
    );
    assert_eq!(
        rules["client"]["enrollments"][0]["access"]["rule"],
        "CLIENT_RECORD_REQUEST"
    );
}

#[test]
fn auditors_read_record_metadata_never_note_text_or_answers() {
    let (mut coc, setup) = stanislaus(TODAY);
    coc.user("auditor", "lead", "AUDITOR");
    let zoe = shared_client(&coc, &setup, "Zoe", "Park");
    let note = coc.ok(
        "ccc_cm",
        "mutation($c: ID!) { addCaseNote(clientId: $c, text: \"Disclosed a relapse.\") { id } }",
        json!({ "c": zoe }),
    )["addCaseNote"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    coc.ok(
        "ccc_cm",
        "mutation($c: ID!) { recordAssessment(input: { clientId: $c, date: \"2026-06-01\", kind: SUBSTANCE_USE, answers: [{ item: \"SubstanceUseDisorder\", code: 1 }, { item: \"Notes\", text: \"Opioids\" }] }) { id } }",
        json!({ "c": zoe }),
    );
    coc.ok(
        "ccc_cm",
        "mutation($c: ID!) { addDocument(input: { clientId: $c, name: \"Probation letter.pdf\", documentType: \"Legal\" }) { id } }",
        json!({ "c": zoe }),
    );
    let seen = client(&coc, "auditor", &zoe);
    let notes = seen["caseNotes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{seen}");
    assert_eq!(notes[0]["id"], json!(note));
    assert_eq!(notes[0]["restriction"], "RESTRICT_TO_ORGANIZATION");
    assert_eq!(notes[0]["recordedBy"], json!(coc.user_id("ccc_cm")));
    assert_eq!(notes[0]["text"], Value::Null, "{seen}");
    let assessments = seen["assessments"].as_array().unwrap();
    assert_eq!(assessments.len(), 1, "{seen}");
    assert_eq!(assessments[0]["answers"], json!([]), "{seen}");
    let documents = seen["documents"].as_array().unwrap();
    assert_eq!(documents[0]["documentType"], "Legal");
    assert_eq!(documents[0]["name"], Value::Null, "{seen}");
    // The owner still reads the content.
    let own = client(&coc, "ccc_cm", &zoe);
    assert_eq!(own["caseNotes"][0]["text"], "Disclosed a relapse.");
    assert_eq!(
        own["assessments"][0]["answers"].as_array().map(Vec::len),
        Some(2)
    );
}
