//! HUD data elements beyond a record's own fields, recorded live through the API of the real
//! binary (`recordHudElements`): read back where the record is read, by nobody who may not
//! read the record, and refused — with code and field, nothing written — where HUD's columns
//! and code lists or the sharing rules say no.

use caseledger_tests::coc::{Coc, INTAKE, client_id, intake, stanislaus};
use serde_json::{Value, json};

const TODAY: &str = "2026-06-15";
const RECORD: &str =
    "mutation($i: RecordHudElementsInput!) { recordHudElements(input: $i) { position } }";
const ENROLL: &str = "mutation($i: EnrollClientInput!) { enrollClient(input: $i) { id position } }";
const READ: &str = "query($c: ID!) { client(id: $c) { hudElements { file elements { item code number date text } } enrollments { id hudElements { file rowId elements { item code number date text } } } } }";

fn elements(record: &str, file: &str, elements: Value) -> Value {
    json!({ "i": { "file": file, "recordId": record, "elements": elements } })
}

fn refused(coc: &Coc, who: &str, variables: Value, code: &str, field: Option<&str>) {
    let refusal = coc.refused(who, RECORD, variables.clone());
    assert_eq!(
        (refusal.code.as_str(), refusal.field.as_deref()),
        (code, field),
        "{variables}: {refusal:?}"
    );
}

#[test]
fn elements_are_recorded_read_back_where_the_record_is_and_checked_against_hud() {
    let (coc, setup) = stanislaus(TODAY);
    let ana = client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake(
            "Ana",
            "Diaz",
            "1985-05-05",
            "",
            1,
            "RESTRICT_TO_ORGANIZATION",
        ),
    ));
    let enrolled = coc.ok(
        "ccc_cm",
        ENROLL,
        json!({ "i": { "clientId": ana, "programId": setup.rrh, "entryDate": "2026-06-01" } }),
    );
    let enrollment = enrolled["enrollClient"]["id"].as_str().unwrap().to_string();

    // 3.917 prior living situation, and a veteran's service history.
    coc.ok(
        "ccc_cm",
        RECORD,
        elements(
            &enrollment,
            "Enrollment",
            json!([
                { "column": "LengthOfStay", "code": 11 },
                { "column": "DateToStreetESSH", "date": "2025-08-01" },
                { "column": "MonthsHomelessPastThreeYears", "code": 105 },
            ]),
        ),
    );
    coc.ok(
        "ccc_cm",
        RECORD,
        elements(
            &ana,
            "Client",
            json!([
                { "column": "YearEnteredService", "number": 1986 },
                { "column": "MilitaryBranch", "code": 1 },
            ]),
        ),
    );
    let seen = coc.ok("ccc_cm", READ, json!({ "c": ana }));
    let client = &seen["client"];
    assert_eq!(
        client["hudElements"][0]["elements"],
        json!([
            { "item": "YearEnteredService", "code": null, "number": 1986, "date": null, "text": null },
            { "item": "MilitaryBranch", "code": 1, "number": null, "date": null, "text": null },
        ])
    );
    let rows = &client["enrollments"][0]["hudElements"];
    assert_eq!(rows[0]["file"], "Enrollment");
    assert_eq!(rows[0]["elements"][0]["item"], "LengthOfStay");
    assert_eq!(rows[0]["elements"][0]["code"], 11);
    assert_eq!(rows[0]["elements"][1]["date"], "2025-08-01");

    // A second recording of the row replaces its set.
    coc.ok(
        "ccc_cm",
        RECORD,
        elements(
            &enrollment,
            "Enrollment",
            json!([{ "column": "LengthOfStay", "code": 10 }]),
        ),
    );
    let seen = coc.ok("ccc_cm", READ, json!({ "c": ana }));
    let rows = &seen["client"]["enrollments"][0]["hudElements"];
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(rows[0]["elements"].as_array().unwrap().len(), 1);
    assert_eq!(rows[0]["elements"][0]["code"], 10);

    // Another organization cannot read the client restricted to ccc, nor learn that the
    // enrollment exists by writing to it.
    let other = coc.ok("chss_cm", READ, json!({ "c": ana }));
    assert_eq!(other["client"], Value::Null);
    refused(
        &coc,
        "chss_cm",
        elements(
            &enrollment,
            "Enrollment",
            json!([{ "column": "LengthOfStay", "code": 11 }]),
        ),
        "NOT_FOUND",
        Some("subject"),
    );

    // HUD's columns and lists.
    let one = |e: Value| elements(&enrollment, "Enrollment", json!([e]));
    refused(
        &coc,
        "ccc_cm",
        one(json!({ "column": "LenghtOfStay", "code": 11 })),
        "VALIDATION",
        Some("elements[0].column"),
    );
    refused(
        &coc,
        "ccc_cm",
        one(json!({ "column": "ClientEnrolledInPATH", "code": 7 })),
        "VALIDATION",
        Some("elements[0].value"),
    );
    refused(
        &coc,
        "ccc_cm",
        one(json!({ "column": "EntryDate", "date": "2026-06-01" })),
        "VALIDATION",
        Some("elements[0].column"),
    );
    refused(
        &coc,
        "ccc_cm",
        one(json!({ "column": "LengthOfStay", "date": "2026-06-01" })),
        "VALIDATION",
        Some("elements[0]"),
    );
    // No exit yet to describe.
    refused(
        &coc,
        "ccc_cm",
        elements(
            &enrollment,
            "Exit",
            json!([{ "column": "ProjectCompletionStatus", "code": 1 }]),
        ),
        "VALIDATION",
        Some("file"),
    );
    // Projects are described by system administrators.
    refused(
        &coc,
        "ccc_cm",
        json!({ "i": { "file": "Funder", "recordId": setup.rrh, "rowId": "F-1", "elements": [
            { "column": "Funder", "code": 2 }, { "column": "GrantID", "text": "CA0001" }
        ] } }),
        "FORBIDDEN",
        None,
    );
    coc.ok(
        "admin",
        RECORD,
        json!({ "i": { "file": "Funder", "recordId": setup.rrh, "rowId": "F-1", "elements": [
            { "column": "Funder", "code": 2 }, { "column": "GrantID", "text": "CA0001" }
        ] } }),
    );
}
