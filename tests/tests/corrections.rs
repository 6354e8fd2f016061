//! A day of corrections over HTTP, through the real binary. A service recorded for the wrong
//! client is voided and leaves every organization's view (the recorder's and the MOU
//! partner's), stays in the client's history with the reason, and comes back when the void is
//! undone; an enrollment goes only after what is recorded under it; another organization —
//! one that reads the record and one that cannot see it — is refused, the latter exactly as
//! for an id never used. A release typed open-ended is corrected to the window signed and
//! stops sharing; a member added to a household with the wrong relationship and date is
//! corrected, voided and brought back; the history shows each field before and after.

use caseledger_tests::coc::{INTAKE, client_id, intake, maria_under_the_mou, stanislaus};
use serde_json::{Value, json};

const TODAY: &str = "2026-06-15";
const VOID: &str =
    "mutation($r: ID!, $why: String!) { voidRecord(recordId: $r, reason: $why) { position } }";
const UNVOID: &str =
    "mutation($r: ID!, $why: String!) { unvoidRecord(recordId: $r, reason: $why) { position } }";
const RECORDS: &str = "query($id: ID!) { client(id: $id) { enrollments { id } services { id } } }";

fn ids(answer: &Value, what: &str) -> Vec<String> {
    answer["client"][what]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_record_entered_in_error_is_voided_out_of_every_view_and_back() {
    let (mut coc, setup) = stanislaus(TODAY);
    coc.user("auditor", "lead", "AUDITOR");
    let maria = maria_under_the_mou(&coc, &setup);
    let enrollment = coc.ok(
        "ccc_cm",
        "mutation($i: EnrollClientInput!) { enrollClient(input: $i) { enrollment { id } } }",
        json!({ "i": { "clientId": maria, "programId": setup.rrh, "entryDate": "2026-02-01", "disablingCondition": 0 } }),
    )["enrollClient"]["enrollment"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let service = coc.ok(
        "ccc_cm",
        "mutation($c: ID!, $e: ID!) { recordService(input: { clientId: $c, enrollmentId: $e, date: \"2026-03-01\", recordType: 151, typeProvided: 2 }) { id } }",
        json!({ "c": maria, "e": enrollment }),
    )["recordService"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        ids(
            &coc.ok("chss_cm", RECORDS, json!({ "id": maria })),
            "services"
        ),
        vec![service.clone()]
    );

    // The enrollment goes only after what is recorded under it.
    let refused = coc.refused(
        "ccc_cm",
        VOID,
        json!({ "r": enrollment, "why": "wrong client" }),
    );
    assert_eq!(
        (refused.code.as_str(), refused.field.as_deref()),
        ("CONFLICT", Some("recordId"))
    );

    // The MOU partner reads the service but may not void it; the outside agency cannot see it
    // and is answered as for an id never used.
    let partner = coc.refused("chss_cm", VOID, json!({ "r": service, "why": "x" }));
    assert_eq!(partner.code, "FORBIDDEN");
    let outside = coc.refused("out_cm", VOID, json!({ "r": service, "why": "x" }));
    let never = coc.refused(
        "out_cm",
        VOID,
        json!({ "r": "01JD0000000000000000000000", "why": "x" }),
    );
    assert_eq!(outside, never);
    assert_eq!(outside.code, "NOT_FOUND");

    // Voided: out of the recorder's view and the partner's.
    coc.ok(
        "ccc_cm",
        VOID,
        json!({ "r": service, "why": "recorded for the wrong client" }),
    );
    for who in ["ccc_cm", "chss_cm"] {
        assert!(
            ids(&coc.ok(who, RECORDS, json!({ "id": maria })), "services").is_empty(),
            "{who}"
        );
    }
    let again = coc.refused("ccc_cm", VOID, json!({ "r": service, "why": "twice" }));
    assert_eq!(again.code, "CONFLICT");
    assert_eq!(
        coc.refused("out_cm", UNVOID, json!({ "r": service, "why": "x" })),
        coc.refused(
            "out_cm",
            UNVOID,
            json!({ "r": "01JD0000000000000000000000", "why": "x" })
        )
    );

    // Still in the client's history, with the reason, for auditors.
    let history = coc.ok(
        "auditor",
        "query($c: ID!) { clientHistory(clientId: $c) { event recordId changes { field before after } } }",
        json!({ "c": maria }),
    );
    let void = history["clientHistory"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["event"] == "RecordVoided")
        .unwrap_or_else(|| panic!("no void in {history}"));
    assert_eq!(void["recordId"], service.as_str());
    assert_eq!(
        void["changes"],
        json!([
            { "field": "voided", "before": "false", "after": "true" },
            { "field": "reason", "before": null, "after": "recorded for the wrong client" }
        ])
    );

    // Undone: back in both views as it was; then the enrollment and its service go together.
    coc.ok(
        "ccc_cm",
        UNVOID,
        json!({ "r": service, "why": "it was Maria after all" }),
    );
    assert_eq!(
        ids(
            &coc.ok("chss_cm", RECORDS, json!({ "id": maria })),
            "services"
        ),
        vec![service.clone()]
    );
    coc.ok(
        "ccc_cm",
        VOID,
        json!({ "r": service, "why": "duplicate entry" }),
    );
    coc.ok(
        "ccc_cm",
        VOID,
        json!({ "r": enrollment, "why": "duplicate entry" }),
    );
    let seen = coc.ok("ccc_cm", RECORDS, json!({ "id": maria }));
    assert!(
        ids(&seen, "enrollments").is_empty() && ids(&seen, "services").is_empty(),
        "{seen}"
    );
    assert_eq!(
        coc.refused("ccc_cm", UNVOID, json!({ "r": service, "why": "x" }))
            .code,
        "CONFLICT",
        "a service comes back only after its enrollment"
    );
}

#[test]
fn a_wrong_entry_date_and_a_note_are_corrected_and_the_history_shows_before_and_after() {
    let (mut coc, setup) = stanislaus(TODAY);
    coc.user("auditor", "lead", "AUDITOR");
    let maria = client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake(
            "Maria",
            "Lopez",
            "1990-04-02",
            "123-45-6789",
            0,
            "SHARE_GLOBALLY",
        ),
    ));
    let enrollment = coc.ok(
        "ccc_cm",
        "mutation($i: EnrollClientInput!) { enrollClient(input: $i) { enrollment { id } } }",
        json!({ "i": { "clientId": maria, "programId": setup.rrh, "entryDate": "2026-02-10", "disablingCondition": 0 } }),
    )["enrollClient"]["enrollment"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let note = coc.ok(
        "ccc_cm",
        "mutation($c: ID!) { addCaseNote(clientId: $c, text: \"Discussed the lease.\") { id } }",
        json!({ "c": maria }),
    )["addCaseNote"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let fix = "mutation($i: CorrectEnrollmentInput!) { correctEnrollment(input: $i) { position } }";
    coc.ok(
        "ccc_cm",
        fix,
        json!({ "i": { "enrollmentId": enrollment, "entryDate": "2026-02-01", "reason": "typed the wrong date" } }),
    );
    coc.ok(
        "ccc_cm",
        "mutation($i: CorrectCaseNoteInput!) { correctCaseNote(input: $i) { position } }",
        json!({ "i": { "noteId": note, "text": "Discussed the lease and the deposit.", "reason": "incomplete" } }),
    );
    let notes = "query($id: ID!) { client(id: $id) { enrollments { id entryDate } caseNotes { id text earlierTexts } } }";
    let seen = coc.ok("ccc_cm", notes, json!({ "id": maria }));
    assert_eq!(seen["client"]["enrollments"][0]["entryDate"], "2026-02-01");
    assert_eq!(
        seen["client"]["caseNotes"][0]["text"],
        "Discussed the lease and the deposit."
    );
    // The old text is read exactly where the text is: by the note's organization, not by an
    // auditor (metadata only).
    assert_eq!(
        seen["client"]["caseNotes"][0]["earlierTexts"],
        json!(["Discussed the lease."])
    );
    let audited = coc.ok("auditor", notes, json!({ "id": maria }));
    assert_eq!(audited["client"]["caseNotes"][0]["text"], Value::Null);
    assert_eq!(audited["client"]["caseNotes"][0]["earlierTexts"], json!([]));
    // An exit entered in error is voided: the enrollment is open again; and back.
    coc.ok("ccc_cm", "mutation($e: ID!) { exitEnrollment(input: { enrollmentId: $e, exitDate: \"2026-06-01\", destination: 410 }) { position } }", json!({ "e": enrollment }));
    let exit_date = |coc: &caseledger_tests::coc::Coc| {
        coc.ok(
            "ccc_cm",
            "query($id: ID!) { client(id: $id) { enrollments { exitDate } } }",
            json!({ "id": maria }),
        )["client"]["enrollments"][0]["exitDate"]
            .clone()
    };
    assert_eq!(exit_date(&coc), "2026-06-01");
    coc.ok(
        "ccc_cm",
        "mutation($e: ID!) { voidExit(enrollmentId: $e, reason: \"wrong client\") { position } }",
        json!({ "e": enrollment }),
    );
    assert_eq!(exit_date(&coc), Value::Null);
    coc.ok(
        "ccc_cm",
        "mutation($e: ID!) { unvoidExit(enrollmentId: $e, reason: \"right client\") { position } }",
        json!({ "e": enrollment }),
    );
    assert_eq!(exit_date(&coc), "2026-06-01");
    coc.ok(
        "ccc_cm",
        "mutation($e: ID!) { voidExit(enrollmentId: $e, reason: \"wrong client\") { position } }",
        json!({ "e": enrollment }),
    );

    // Another organization may not correct what it did not record; an exit's fields need an
    // exit.
    let other = coc.refused(
        "chss_cm",
        fix,
        json!({ "i": { "enrollmentId": enrollment, "entryDate": "2026-01-01", "reason": "x" } }),
    );
    assert_eq!(other.code, "NOT_FOUND");
    let no_exit = coc.refused(
        "ccc_cm",
        fix,
        json!({ "i": { "enrollmentId": enrollment, "exitDate": "2026-03-01", "reason": "x" } }),
    );
    assert_eq!(
        (no_exit.code.as_str(), no_exit.field.as_deref()),
        ("VALIDATION", Some("corrections[0].exitDate"))
    );

    let history = coc.ok(
        "auditor",
        "query($c: ID!) { clientHistory(clientId: $c) { event recordId changes { field before after } } }",
        json!({ "c": maria }),
    );
    let corrections: Vec<&Value> = history["clientHistory"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["event"] == "RecordCorrected")
        .collect();
    assert_eq!(corrections.len(), 2, "{history}");
    assert_eq!(corrections[0]["recordId"], enrollment.as_str());
    assert_eq!(
        corrections[0]["changes"],
        json!([
            { "field": "entryDate", "before": "2026-02-10", "after": "2026-02-01" },
            { "field": "reason", "before": null, "after": "typed the wrong date" }
        ])
    );
    // The note's text is content: the history says it changed, never what it said.
    assert_eq!(
        corrections[1]["changes"][0],
        json!({ "field": "text", "before": null, "after": null })
    );
}

#[test]
fn a_release_window_and_a_household_membership_entered_wrong_are_fixed_and_the_history_shows_it() {
    let (mut coc, _) = stanislaus(TODAY);
    coc.user("auditor", "lead", "AUDITOR");
    let person = |coc: &caseledger_tests::coc::Coc, first: &str, dob: &str, ssn: &str| {
        client_id(&coc.ok(
            "ccc_cm",
            INTAKE,
            intake(first, "Lopez", dob, ssn, 0, "SHARE_WITH_MOU"),
        ))
    };
    let maria = person(&coc, "Maria", "1990-04-02", "123-45-6789");
    let son = person(&coc, "Diego", "2015-08-09", "223-45-6789");
    coc.ok(
        "ccc_cm",
        "mutation($c: ID!) { recordService(input: { clientId: $c, date: \"2026-06-01\", recordType: 151, typeProvided: 2 }) { id } }",
        json!({ "c": maria }),
    );
    // The release signed for June was typed open-ended.
    coc.ok(
        "ccc_cm",
        "mutation($c: ID!, $o: ID!) { grantReleaseException(clientId: $c, accessingOrganizationId: $o, start: \"2026-06-01\") { position } }",
        json!({ "c": maria, "o": coc.org("chss") }),
    );
    let release = coc.ok(
        "ccc_cm",
        "query($id: ID!) { client(id: $id) { releaseExceptions { id } } }",
        json!({ "id": maria }),
    )["client"]["releaseExceptions"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let chss_services = |coc: &caseledger_tests::coc::Coc| {
        coc.gql("chss_cm", RECORDS, json!({ "id": maria }))["data"]["client"]["services"]
            .as_array()
            .map_or(0, Vec::len)
    };
    assert_eq!(chss_services(&coc), 1, "the release shares the service");
    let fix_release = "mutation($c: ID!, $f: ID!, $end: String) { correctSharingFact(clientId: $c, factId: $f, window: { start: \"2026-06-01\", end: $end }, reason: \"the form says June\") { position } }";
    let refused = coc.refused(
        "chss_cm",
        fix_release,
        json!({ "c": maria, "f": release, "end": "2026-06-10" }),
    );
    assert_eq!(refused.code, "FORBIDDEN", "only the granting agency");
    coc.ok(
        "ccc_cm",
        fix_release,
        json!({ "c": maria, "f": release, "end": "2026-06-10" }),
    );
    assert_eq!(
        chss_services(&coc),
        0,
        "the corrected release ended on June 10"
    );

    // The son was added to the wrong household, and as a child: he is a grandchild, added on
    // the 2nd.
    let household = coc.ok(
        "ccc_cm",
        "mutation($h: ID!) { createHousehold(headClientId: $h, date: \"2026-05-01\") { householdId } }",
        json!({ "h": maria }),
    )["createHousehold"]["householdId"]
        .as_str()
        .unwrap()
        .to_string();
    coc.ok(
        "ccc_cm",
        "mutation($h: ID!, $c: ID!) { addHouseholdMember(householdId: $h, clientId: $c, relationshipToHoH: 2, joined: \"2026-05-01\") { householdId } }",
        json!({ "h": household, "c": son }),
    );
    coc.ok(
        "ccc_cm",
        "mutation($h: ID!, $c: ID!) { correctHouseholdMembership(householdId: $h, clientId: $c, relationshipToHoH: 4, joined: \"2026-05-02\", reason: \"intake form\") { position } }",
        json!({ "h": household, "c": son }),
    );
    let members = |coc: &caseledger_tests::coc::Coc| {
        coc.ok(
            "ccc_cm",
            "query($id: ID!) { client(id: $id) { households { members { clientId relationshipToHoH joined } } } }",
            json!({ "id": maria }),
        )["client"]["households"][0]["members"]
            .clone()
    };
    assert_eq!(
        members(&coc),
        json!([
            { "clientId": maria, "relationshipToHoH": 1, "joined": "2026-05-01" },
            { "clientId": son, "relationshipToHoH": 4, "joined": "2026-05-02" }
        ])
    );
    let void_member = "mutation($h: ID!, $c: ID!, $undo: Boolean!) { voidHouseholdMembership(householdId: $h, clientId: $c, undo: $undo, reason: \"wrong household\") { position } }";
    coc.ok(
        "ccc_cm",
        void_member,
        json!({ "h": household, "c": son, "undo": false }),
    );
    assert_eq!(members(&coc).as_array().unwrap().len(), 1);
    coc.ok(
        "ccc_cm",
        void_member,
        json!({ "h": household, "c": son, "undo": true }),
    );
    assert_eq!(members(&coc).as_array().unwrap().len(), 2);
    // To an agency that cannot see the household, it is one never formed.
    let hidden = coc.refused(
        "chss_cm",
        void_member,
        json!({ "h": household, "c": son, "undo": false }),
    );
    let never = coc.refused(
        "chss_cm",
        void_member,
        json!({ "h": "01KBNM0000000000000000000Z", "c": son, "undo": false }),
    );
    assert_eq!(
        (hidden.code.as_str(), hidden.field.as_deref()),
        (never.code.as_str(), never.field.as_deref())
    );
    assert_eq!(hidden.code, "NOT_FOUND");

    let history = |client: &str| {
        coc.ok(
            "auditor",
            "query($c: ID!) { clientHistory(clientId: $c) { event changes { field before after } } }",
            json!({ "c": client }),
        )["clientHistory"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["event"] == "RecordCorrected")
            .map(|h| h["changes"][0].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        history(&maria),
        vec![
            json!({ "field": "window", "before": "2026-06-01/..", "after": "2026-06-01/2026-06-10" })
        ]
    );
    assert_eq!(
        history(&son),
        vec![json!({ "field": "relationshipToHoH", "before": "2", "after": "4" })]
    );
}
