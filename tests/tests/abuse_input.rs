//! Input no person types, through the real binary (issue 14, items 8 and 11): NUL, a line break
//! in a one-line name, an ANSI colour escape, a bidi override, a 60 KB organization name, and
//! impossible dates (year 0, a negative year, a five-digit year, before the client's birth, too
//! far ahead). Each answers `VALIDATION` naming the field, the log head does not move
//! (`Coc::refused` compares `/healthz`'s `logPosition` before and after), and the server keeps
//! answering `/healthz` and a normal query within a second.

use std::time::{Duration, Instant};

use caseledger_tests::coc::{Coc, INTAKE, Setup, client_id, intake, stanislaus};
use serde_json::{Value, json};

const TODAY: &str = "2026-06-15";
/// The day after the same day ten years from `TODAY`: the first planned date refused.
const TOO_FAR_AHEAD: &str = "2036-06-16";

const NUL: &str = "Ana\u{0}Diaz";
const NEWLINE: &str = "Ana\nDiaz";
const ANSI: &str = "\u{1b}[31mAna";
const BIDI: &str = "Ana\u{202E}zaiD";
const HOSTILE_TEXT: [&str; 4] = [NUL, NEWLINE, ANSI, BIDI];
const IMPOSSIBLE_YEARS: [&str; 3] = ["0000-01-01", "-0001-01-01", "+10000-01-01"];

/// `VALIDATION` naming `field`, nothing written, the server still healthy.
fn expect_validation(coc: &Coc, who: &str, query: &str, variables: Value, field: &str) {
    let refusal = coc.refused(who, query, variables.clone());
    assert_eq!(
        (refusal.code.as_str(), refusal.field.as_deref()),
        ("VALIDATION", Some(field)),
        "{query} {variables}: {refusal:?}"
    );
}

/// `/healthz` and a normal query answer, each within a second.
fn still_answers(coc: &Coc) {
    let started = Instant::now();
    let health = coc.server.get("/healthz");
    assert_eq!(health.status, 200, "{}", health.body);
    let me = coc.ok("ccc_cm", "{ me { role } }", json!({}));
    assert_eq!(me["me"]["role"], "CASE_MANAGER");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "/healthz and a query took {:?}",
        started.elapsed()
    );
}

/// A client of CCC born on 1990-04-02, shared globally.
fn maria(coc: &Coc) -> String {
    client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake("Maria", "Lopez", "1990-04-02", "", 1, "SHARE_GLOBALLY"),
    ))
}

fn setup() -> (Coc, Setup, String) {
    let (coc, setup) = stanislaus(TODAY);
    let client = maria(&coc);
    (coc, setup, client)
}

#[test]
fn control_and_bidi_characters_are_refused_in_names_and_nothing_is_written() {
    let (coc, _setup, _client) = setup();
    for (i, hostile) in HOSTILE_TEXT.iter().enumerate() {
        for field in ["firstName", "middleName", "lastName", "nameSuffix"] {
            let mut vars = intake("Ana", "Diaz", "1985-05-05", "", 0, "SHARE_GLOBALLY");
            vars["i"][field] = json!(hostile);
            expect_validation(&coc, "ccc_cm", INTAKE, vars, field);
        }
        let mut vars = intake("Ana", "Diaz", "1985-05-05", "", 0, "SHARE_GLOBALLY");
        vars["i"]["address"] = json!({ "line1": hostile });
        expect_validation(&coc, "ccc_cm", INTAKE, vars, "address.line1");
        expect_validation(
            &coc,
            "admin",
            "mutation($n: String!) { createOrganization(name: $n) { organization { id } } }",
            json!({ "n": hostile }),
            "name",
        );
        expect_validation(
            &coc,
            "admin",
            "mutation($o: ID!, $u: String!, $d: String!) { createUser(organizationId: $o, username: $u, displayName: $d, role: CASE_MANAGER) { userId } }",
            json!({ "o": coc.org("ccc"), "u": format!("hostile{i}"), "d": hostile }),
            "displayName",
        );
        expect_validation(
            &coc,
            "admin",
            "mutation($o: ID!, $n: String!) { createProgram(organizationId: $o, name: $n, projectType: 13) { program { id } } }",
            json!({ "o": coc.org("ccc"), "n": hostile }),
            "name",
        );
    }
    // What a person does type still goes in.
    let accented = intake(
        "Zoë",
        "Nguyễn-O'Brien",
        "1985-05-05",
        "",
        0,
        "SHARE_GLOBALLY",
    );
    coc.ok("ccc_cm", INTAKE, accented);
    let arabic = intake("مريم", "حداد", "1985-05-05", "", 0, "SHARE_GLOBALLY");
    coc.ok("ccc_cm", INTAKE, arabic);
    still_answers(&coc);
}

#[test]
fn a_60_kb_organization_name_is_refused() {
    let (coc, _setup, _client) = setup();
    let huge = "A".repeat(60 * 1024);
    expect_validation(
        &coc,
        "admin",
        "mutation($n: String!) { createOrganization(name: $n) { organization { id } } }",
        json!({ "n": huge }),
        "name",
    );
    expect_validation(
        &coc,
        "admin",
        "mutation($n: String!) { createOrganization(name: $n) { organization { id } } }",
        json!({ "n": "A".repeat(201) }),
        "name",
    );
    coc.ok(
        "admin",
        "mutation($n: String!) { createOrganization(name: $n) { organization { id } } }",
        json!({ "n": "A".repeat(200) }),
    );
    still_answers(&coc);
}

#[test]
fn free_text_allows_lines_but_no_control_or_bidi_characters() {
    let (coc, setup, client) = setup();
    let note = "mutation($c: ID!, $t: String!) { addCaseNote(clientId: $c, text: $t) { id } }";
    for hostile in [NUL, ANSI, BIDI] {
        expect_validation(
            &coc,
            "ccc_cm",
            note,
            json!({ "c": client, "t": hostile }),
            "text",
        );
        expect_validation(
            &coc,
            "ccc_cm",
            "mutation($c: ID!, $r: String!) { barClient(input: { clientId: $c, start: \"2026-06-01\", scope: ORGANIZATION, reason: $r }) { id } }",
            json!({ "c": client, "r": hostile }),
            "reason",
        );
        expect_validation(
            &coc,
            "ccc_cm",
            "mutation($c: ID!, $d: String!) { recordService(input: { clientId: $c, date: \"2026-06-01\", recordType: 151, typeProvided: 2, description: $d }) { id } }",
            json!({ "c": client, "d": hostile }),
            "description",
        );
        expect_validation(
            &coc,
            "admin",
            "mutation($p: [MouParticipantInput!]!, $t: String!) { createMou(number: \"0002\", title: $t, participants: $p, start: \"2026-01-01\") { mou { id } } }",
            json!({ "t": hostile, "p": [
                { "organizationId": coc.org("ccc"), "direction": "BOTH" },
                { "organizationId": coc.org("chss"), "direction": "BOTH" },
            ] }),
            "title",
        );
    }
    for hostile in HOSTILE_TEXT {
        expect_validation(
            &coc,
            "ccc_cm",
            "mutation($c: ID!, $n: String!) { addDocument(input: { clientId: $c, name: $n, documentType: \"Lease\" }) { id } }",
            json!({ "c": client, "n": hostile }),
            "name",
        );
    }
    expect_validation(
        &coc,
        "ccc_cm",
        note,
        json!({ "c": client, "t": "x".repeat(10_001) }),
        "text",
    );
    // A note of several lines, with a tab, is what notes are for.
    coc.ok(
        "ccc_cm",
        note,
        json!({ "c": client, "t": "Called about housing.\r\n\tFollow up Monday.\nDone." }),
    );
    let _ = setup;
    still_answers(&coc);
}

#[test]
fn impossible_dates_are_refused_for_records_without_an_enrollment() {
    let (coc, setup, client) = setup();
    let service = "mutation($c: ID!, $d: String!) { recordService(input: { clientId: $c, date: $d, recordType: 151, typeProvided: 2 }) { id } }";
    let note = "mutation($c: ID!, $d: String) { addCaseNote(clientId: $c, date: $d, text: \"Called.\") { id } }";
    let document = "mutation($c: ID!, $d: String) { addDocument(input: { clientId: $c, name: \"Lease.pdf\", documentType: \"Lease\", date: $d }) { id } }";
    let assessment = "mutation($c: ID!, $d: String!) { recordAssessment(input: { clientId: $c, date: $d, kind: HEALTH, answers: [{ item: \"HealthInsurance\", code: 1 }] }) { id } }";
    let bar = "mutation($c: ID!, $d: String!) { barClient(input: { clientId: $c, start: $d, scope: ORGANIZATION, reason: \"Fighting\" }) { id } }";
    let happened = [service, note, document, assessment];
    // Year 0, a negative year, a five-digit year; before the client's birth (1990-04-02).
    for date in IMPOSSIBLE_YEARS.iter().chain(&["1899-12-31", "1990-04-01"]) {
        for query in happened {
            expect_validation(
                &coc,
                "ccc_cm",
                query,
                json!({ "c": client, "d": date }),
                "date",
            );
        }
        expect_validation(
            &coc,
            "ccc_cm",
            bar,
            json!({ "c": client, "d": date }),
            "window.start",
        );
    }
    // After today for what happened; more than ten years ahead for what is planned.
    for query in happened {
        expect_validation(
            &coc,
            "ccc_cm",
            query,
            json!({ "c": client, "d": "2026-06-16" }),
            "date",
        );
    }
    expect_validation(
        &coc,
        "ccc_cm",
        bar,
        json!({ "c": client, "d": TOO_FAR_AHEAD }),
        "window.start",
    );
    expect_validation(
        &coc,
        "ccc_cm",
        "mutation($c: ID!, $e: String!) { barClient(input: { clientId: $c, start: \"2026-06-01\", end: $e, scope: ORGANIZATION, reason: \"Fighting\" }) { id } }",
        json!({ "c": client, "e": TOO_FAR_AHEAD }),
        "window.end",
    );
    expect_validation(
        &coc,
        "ccc_cm",
        "mutation($c: ID!) { recordAssessment(input: { clientId: $c, date: \"2026-06-01\", kind: HEALTH, answers: [{ item: \"DateOfEngagement\", date: \"0000-01-01\" }] }) { id } }",
        json!({ "c": client }),
        "answers[0].date",
    );
    // The day of birth itself and today are fine.
    for query in happened {
        coc.ok("ccc_cm", query, json!({ "c": client, "d": "1990-04-02" }));
        coc.ok("ccc_cm", query, json!({ "c": client, "d": TODAY }));
    }
    let _ = setup;
    still_answers(&coc);
}

#[test]
fn impossible_dates_are_refused_for_enrollments_intakes_and_planned_dates() {
    let (coc, setup, client) = setup();
    let enroll = "mutation($i: EnrollClientInput!) { enrollClient(input: $i) { id position } }";
    for date in IMPOSSIBLE_YEARS.iter().chain(&["1990-04-01", "2026-06-16"]) {
        expect_validation(
            &coc,
            "ccc_cm",
            enroll,
            json!({ "i": { "clientId": client, "programId": setup.rrh, "entryDate": date } }),
            "entryDate",
        );
    }
    for date in IMPOSSIBLE_YEARS.iter().chain(&["1899-12-31", "2026-06-16"]) {
        let mut vars = intake("Ana", "Diaz", date, "", 0, "SHARE_GLOBALLY");
        vars["i"]["dob"] = json!(date);
        expect_validation(&coc, "ccc_cm", INTAKE, vars, "dob");
    }
    let mou = "mutation($p: [MouParticipantInput!]!, $s: String!, $e: String) { createMou(number: \"0003\", title: \"Later\", participants: $p, start: $s, end: $e) { mou { id } } }";
    let participants = json!([
        { "organizationId": coc.org("ccc"), "direction": "BOTH" },
        { "organizationId": coc.org("chss"), "direction": "BOTH" },
    ]);
    for date in IMPOSSIBLE_YEARS.iter().chain(&[TOO_FAR_AHEAD]) {
        expect_validation(
            &coc,
            "admin",
            mou,
            json!({ "p": participants, "s": date }),
            "window.start",
        );
        expect_validation(
            &coc,
            "admin",
            mou,
            json!({ "p": participants, "s": "2026-01-01", "e": date }),
            "window.end",
        );
    }
    // A shelter reservation of CHSS for Maria, far ahead.
    expect_validation(
        &coc,
        "chss_cm",
        "mutation($b: ID!, $c: ID!, $d: String!) { reserveBed(bedId: $b, clientId: $c, date: $d) { id } }",
        json!({ "b": setup.family_beds[0], "c": client, "d": TOO_FAR_AHEAD }),
        "date",
    );
    coc.ok(
        "admin",
        mou,
        json!({ "p": participants, "s": "2026-01-01", "e": "2036-06-15" }),
    );
    still_answers(&coc);
}
