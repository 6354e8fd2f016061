//! Every rule a command checks, broken once through the API of the real binary: each answer
//! carries its stable code and field, and the log does not move (checked by `Coc::refused`).

use caseledger_tests::coc::{Coc, INTAKE, Setup, client_id, intake, stanislaus};
use serde_json::{Value, json};

const TODAY: &str = "2026-06-15";

const ENROLL: &str = "mutation($i: EnrollClientInput!) { enrollClient(input: $i) { id position } }";
const EXIT: &str = "mutation($i: ExitEnrollmentInput!) { exitEnrollment(input: $i) { exitedEnrollmentIds position } }";
const MOVE_IN: &str = "mutation($e: ID!, $d: String) { setMoveInDate(enrollmentId: $e, moveInDate: $d) { position } }";

fn expect(coc: &Coc, who: &str, query: &str, variables: Value, code: &str, field: Option<&str>) {
    let refusal = coc.refused(who, query, variables.clone());
    assert_eq!(
        (refusal.code.as_str(), refusal.field.as_deref()),
        (code, field),
        "{query} {variables}: {refusal:?}"
    );
}

fn enroll(client: &str, setup: &Setup, entry: &str) -> Value {
    json!({ "i": { "clientId": client, "programId": setup.rrh, "entryDate": entry } })
}

#[test]
fn intake_rejects_bad_identifiers_and_roles_that_do_not_record_client_data() {
    let (mut coc, _) = stanislaus(TODAY);
    coc.user("helpdesk", "lead", "HELP_DESK");
    let bad = |patch: Value, field: &str| {
        let mut vars = intake(
            "Ana",
            "Diaz",
            "1985-05-05",
            "123-45-6789",
            0,
            "SHARE_GLOBALLY",
        );
        for (k, v) in patch.as_object().unwrap() {
            vars["i"][k] = v.clone();
        }
        expect(&coc, "ccc_cm", INTAKE, vars, "VALIDATION", Some(field));
    };
    bad(json!({ "ssn": "000-12-3456" }), "ssn");
    bad(json!({ "ssn": "12345" }), "ssn");
    bad(json!({ "ssn": "12-AB-3456" }), "ssn");
    bad(json!({ "dob": "2027-01-01" }), "dob");
    bad(json!({ "dob": "not a date" }), "dob");
    bad(json!({ "nameDataQuality": 7 }), "nameDataQuality");
    bad(json!({ "raceEthnicity": [] }), "raceNone");
    bad(json!({ "firstName": "", "lastName": "" }), "lastName");
    bad(
        json!({ "address": { "state": "California" } }),
        "address.state",
    );
    let vars = intake(
        "Ana",
        "Diaz",
        "1985-05-05",
        "123-45-6789",
        0,
        "SHARE_GLOBALLY",
    );
    expect(&coc, "helpdesk", INTAKE, vars.clone(), "FORBIDDEN", None);
    expect(&coc, "admin", INTAKE, vars, "FORBIDDEN", None);
}

#[test]
fn only_the_creating_organization_restricts_assigns_and_edits() {
    let (coc, setup) = stanislaus(TODAY);
    let ana = client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake("Ana", "Diaz", "1985-05-05", "", 0, "SHARE_GLOBALLY"),
    ));
    let restrict = "mutation($c: ID!) { setClientRestriction(clientId: $c, restriction: RESTRICT_TO_ORGANIZATION) { position } }";
    expect(
        &coc,
        "chss_cm",
        restrict,
        json!({ "c": ana }),
        "FORBIDDEN",
        None,
    );
    let assign = "mutation($c: ID!, $m: ID!, $s: String) { assignMou(clientId: $c, mouId: $m, start: $s) { createdId client { mouAssignments { id window { start end } } } } }";
    expect(
        &coc,
        "chss_cm",
        assign,
        json!({ "c": ana, "m": setup.mou }),
        "FORBIDDEN",
        None,
    );
    expect(
        &coc,
        "chss_cm",
        "mutation($c: ID!) { updateClientIntake(clientId: $c, input: { veteranStatus: 1 }) { position } }",
        json!({ "c": ana }),
        "FORBIDDEN",
        None,
    );

    // An organization outside the MOU cannot assign its own client to it.
    let bo = client_id(&coc.ok(
        "out_cm",
        INTAKE,
        intake("Bo", "Kim", "1970-01-01", "", 1, "SHARE_GLOBALLY"),
    ));
    expect(
        &coc,
        "out_cm",
        assign,
        json!({ "c": bo, "m": setup.mou }),
        "VALIDATION",
        Some("mouId"),
    );
    expect(
        &coc,
        "ccc_cm",
        assign,
        json!({ "c": ana, "m": "01J00000000000000000000000" }),
        "NOT_FOUND",
        Some("mouId"),
    );

    // Assigning again ends the previous assignment the day before the new one starts.
    coc.ok(
        "ccc_cm",
        assign,
        json!({ "c": ana, "m": setup.mou, "s": "2026-01-01" }),
    );
    let second = coc.ok(
        "ccc_cm",
        assign,
        json!({ "c": ana, "m": setup.mou, "s": "2026-06-01" }),
    );
    let windows = &second["assignMou"]["client"]["mouAssignments"];
    assert_eq!(
        windows[0]["window"],
        json!({ "start": "2026-01-01", "end": "2026-05-31" }),
        "{second}"
    );
    assert_eq!(
        windows[1]["window"],
        json!({ "start": "2026-06-01", "end": null })
    );

    // The creator may correct; a correction that changes nothing is refused.
    coc.ok("ccc_cm", "mutation($c: ID!) { updateClientIntake(clientId: $c, input: { veteranStatus: 1 }) { position } }", json!({ "c": ana }));
    expect(
        &coc,
        "ccc_cm",
        "mutation($c: ID!) { updateClientIntake(clientId: $c, input: {}) { position } }",
        json!({ "c": ana }),
        "VALIDATION",
        Some("intake"),
    );
    expect(
        &coc,
        "ccc_cm",
        "mutation($c: ID!) { updateClientIntake(clientId: $c, input: { dob: \"2030-01-01\" }) { position } }",
        json!({ "c": ana }),
        "VALIDATION",
        Some("dob"),
    );
}

#[test]
fn enrollment_dates_overlaps_and_households_follow_the_rules() {
    let (coc, setup) = stanislaus(TODAY);
    let ana = client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake("Ana", "Diaz", "1985-05-05", "", 0, "SHARE_WITH_MOU"),
    ));
    let kid = client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake("Eva", "Diaz", "2015-03-03", "", 0, "SHARE_WITH_MOU"),
    ));
    expect(
        &coc,
        "ccc_cm",
        ENROLL,
        enroll(&ana, &setup, "1980-01-01"),
        "VALIDATION",
        Some("entryDate"),
    );
    expect(
        &coc,
        "ccc_cm",
        ENROLL,
        enroll(&ana, &setup, "2026-07-01"),
        "VALIDATION",
        Some("entryDate"),
    );
    expect(
        &coc,
        "ccc_cm",
        ENROLL,
        enroll(&ana, &setup, "2019-12-31"),
        "VALIDATION",
        Some("entryDate"),
    );
    // CHSS sees Ana through the MOU but enrolls only in its own programs.
    coc.ok(
        "ccc_cm",
        "mutation($c: ID!, $m: ID!) { assignMou(clientId: $c, mouId: $m) { position } }",
        json!({ "c": ana, "m": setup.mou }),
    );
    expect(
        &coc,
        "chss_cm",
        ENROLL,
        enroll(&ana, &setup, "2026-01-01"),
        "FORBIDDEN",
        None,
    );

    // A household: Ana heads it, Eva is her child.
    let household = coc.ok("ccc_cm", "mutation($c: ID!) { createHousehold(headClientId: $c, date: \"2026-01-01\") { householdId } }", json!({ "c": ana }))
        ["createHousehold"]["householdId"].as_str().unwrap().to_string();
    let add = "mutation($h: ID!, $c: ID!, $r: Int!) { addHouseholdMember(householdId: $h, clientId: $c, relationshipToHoH: $r, joined: \"2026-01-01\") { position } }";
    expect(
        &coc,
        "ccc_cm",
        add,
        json!({ "h": household, "c": kid, "r": 1 }),
        "VALIDATION",
        Some("relationship"),
    );
    coc.ok("ccc_cm", add, json!({ "h": household, "c": kid, "r": 2 }));
    expect(
        &coc,
        "ccc_cm",
        add,
        json!({ "h": household, "c": kid, "r": 2 }),
        "CONFLICT",
        Some("clientId"),
    );
    let in_household = |client: &str, relationship: i32| json!({ "i": { "clientId": client, "programId": setup.rrh, "entryDate": "2026-02-01", "householdId": household, "relationshipToHoH": relationship } });
    expect(
        &coc,
        "ccc_cm",
        ENROLL,
        in_household(&kid, 2),
        "VALIDATION",
        Some("householdId"),
    );
    expect(
        &coc,
        "ccc_cm",
        ENROLL,
        in_household(&kid, 1),
        "VALIDATION",
        Some("relationshipToHoH"),
    );
    let head = coc.ok("ccc_cm", ENROLL, in_household(&ana, 1))["enrollClient"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let child = coc.ok("ccc_cm", ENROLL, in_household(&kid, 2))["enrollClient"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    expect(
        &coc,
        "ccc_cm",
        ENROLL,
        enroll(&ana, &setup, "2026-03-01"),
        "CONFLICT",
        Some("entryDate"),
    );

    // Move-in dates: within the enrollment and not in the future, by the owner, once.
    let move_in = |id: &str, date: &str| json!({ "e": id, "d": date });
    for date in ["2026-01-15", "2026-07-01"] {
        expect(
            &coc,
            "ccc_cm",
            MOVE_IN,
            move_in(&head, date),
            "VALIDATION",
            Some("moveInDate"),
        );
    }
    expect(
        &coc,
        "chss_cm",
        MOVE_IN,
        move_in(&head, "2026-03-01"),
        "FORBIDDEN",
        None,
    );
    coc.ok("ccc_cm", MOVE_IN, move_in(&head, "2026-03-01"));
    expect(
        &coc,
        "ccc_cm",
        MOVE_IN,
        move_in(&head, "2026-03-01"),
        "CONFLICT",
        Some("moveInDate"),
    );

    // Exits: not before entry, not by another organization, once, and for the household.
    let exit = |id: &str, date: &str, household: bool| json!({ "i": { "enrollmentId": id, "exitDate": date, "destination": 410, "wholeHousehold": household } });
    expect(
        &coc,
        "ccc_cm",
        EXIT,
        exit(&head, "2026-01-15", true),
        "VALIDATION",
        Some("exitDate"),
    );
    expect(
        &coc,
        "ccc_cm",
        EXIT,
        exit(&head, "2026-07-15", true),
        "VALIDATION",
        Some("exitDate"),
    );
    expect(
        &coc,
        "chss_cm",
        EXIT,
        exit(&head, "2026-06-01", true),
        "FORBIDDEN",
        None,
    );
    let exited = coc.ok("ccc_cm", EXIT, exit(&head, "2026-06-01", true));
    let ids = exited["exitEnrollment"]["exitedEnrollmentIds"]
        .as_array()
        .unwrap();
    assert_eq!(ids.len(), 2, "{exited}");
    assert!(ids.contains(&json!(child)));
    expect(
        &coc,
        "ccc_cm",
        MOVE_IN,
        move_in(&head, "2026-06-10"),
        "VALIDATION",
        Some("moveInDate"),
    );
    expect(
        &coc,
        "ccc_cm",
        EXIT,
        exit(&child, "2026-06-01", false),
        "CONFLICT",
        Some("enrollmentId"),
    );
    // Re-entry after the exit is no overlap.
    coc.ok("ccc_cm", ENROLL, enroll(&ana, &setup, "2026-06-10"));
}

#[test]
fn a_barred_client_is_turned_away_and_records_check_their_enrollment() {
    let (coc, setup) = stanislaus(TODAY);
    let tom = client_id(&coc.ok(
        "chss_cm",
        INTAKE,
        intake("Tom", "Reyes", "1980-01-01", "", 1, "SHARE_GLOBALLY"),
    ));
    let bar = "mutation($c: ID!, $f: ID) { barClient(input: { clientId: $c, start: \"2026-06-01\", end: \"2026-06-30\", scope: FACILITY, scopeId: $f, reason: \"Threatened staff\" }) { id barListEntry { window { start end } scope } } }";
    expect(
        &coc,
        "ccc_cm",
        bar,
        json!({ "c": tom, "f": setup.facility }),
        "FORBIDDEN",
        None,
    );
    let entry = coc.ok("chss_cm", bar, json!({ "c": tom, "f": setup.facility }));
    assert_eq!(entry["barClient"]["barListEntry"]["scope"], "FACILITY");
    let check_in =
        "mutation($c: ID!, $b: ID) { checkIn(input: { clientId: $c, bedId: $b }) { id } }";
    expect(
        &coc,
        "chss_cm",
        check_in,
        json!({ "c": tom, "b": setup.mens_bed }),
        "CONFLICT",
        Some("clientId"),
    );

    // A service refers to an enrollment of the same client, in the recorder's organization.
    let ana = client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake("Ana", "Diaz", "1985-05-05", "", 0, "SHARE_GLOBALLY"),
    ));
    let enrollment =
        coc.ok("ccc_cm", ENROLL, enroll(&ana, &setup, "2026-05-01"))["enrollClient"]["id"]
            .as_str()
            .unwrap()
            .to_string();
    let service = "mutation($c: ID!, $e: ID, $d: String!) { recordService(input: { clientId: $c, enrollmentId: $e, date: $d, recordType: 151, typeProvided: 2 }) { id } }";
    expect(
        &coc,
        "ccc_cm",
        service,
        json!({ "c": ana, "e": enrollment, "d": "2026-04-01" }),
        "VALIDATION",
        Some("date"),
    );
    // Another organization's enrollment CHSS may not see is answered as an id never used.
    expect(
        &coc,
        "chss_cm",
        service,
        json!({ "c": ana, "e": enrollment, "d": "2026-05-02" }),
        "NOT_FOUND",
        Some("enrollmentId"),
    );
    expect(
        &coc,
        "ccc_cm",
        service,
        json!({ "c": tom, "e": enrollment, "d": "2026-05-02" }),
        "VALIDATION",
        Some("enrollmentId"),
    );
    coc.ok(
        "ccc_cm",
        service,
        json!({ "c": ana, "e": enrollment, "d": "2026-05-02" }),
    );
}
