//! A day of work through the GraphQL API of the real binary: a CoC with agencies sharing under
//! an MOU, a receiving-only city and an agency outside the MOU; intake, MOU assignment,
//! enrollment, services, notes, a shelter night; each organization's reads checked against the
//! sharing rules, and every read's disclosure record checked in the log afterwards.

use caseledger_core::events::RecordsAccessed;
use caseledger_core::{AccessReason, Event, RecordKind};
use caseledger_log_store::{EventLog, SledLog};
use caseledger_tests::coc::{INTAKE, client_id, intake, stanislaus};
use serde_json::{Value, json};

const TODAY: &str = "2026-06-15";

const CLIENT: &str = "query($id: ID!) { client(id: $id) { id firstName lastName dob ssn access { level rule via } address { city } enrollments { id access { rule via } } services { id } caseNotes { id } } }";

fn disclosures(dir: &std::path::Path) -> Vec<(String, RecordsAccessed)> {
    let log = SledLog::open(dir).unwrap();
    let mut out = Vec::new();
    for record in log.read_all(1, 100_000).unwrap() {
        let envelope = caseledger_core::Envelope::decode(&record.payload).unwrap();
        if let Event::RecordsAccessed(r) = envelope.event {
            out.push((envelope.actor.user.to_string(), r));
        }
    }
    log.close();
    out
}

#[test]
fn a_day_of_work_shows_each_organization_what_the_rules_allow_and_records_every_read() {
    let (coc, setup) = stanislaus(TODAY);

    // Children's Crisis Center takes Maria's intake, shares it with the MOU and enrolls her.
    let maria = client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake(
            "Maria",
            "Lopez",
            "1990-04-02",
            "123-45-6789",
            0,
            "SHARE_WITH_MOU",
        ),
    ));
    coc.ok("ccc_cm", "mutation($c: ID!, $m: ID!) { assignMou(clientId: $c, mouId: $m, start: \"2026-01-01\") { createdId } }", json!({ "c": maria, "m": setup.mou }));
    let enrolled = coc.ok(
        "ccc_cm",
        "mutation($i: EnrollClientInput!) { enrollClient(input: $i) { position enrollment { id entryDate access { rule } } } }",
        json!({ "i": { "clientId": maria, "programId": setup.rrh, "entryDate": "2026-02-01", "disablingCondition": 0 } }),
    );
    assert_eq!(
        enrolled["enrollClient"]["enrollment"]["entryDate"],
        "2026-02-01"
    );
    assert_eq!(
        enrolled["enrollClient"]["enrollment"]["access"]["rule"],
        "OWN_ORGANIZATION"
    );
    coc.ok("ccc_cm", "mutation($c: ID!) { addCaseNote(clientId: $c, text: \"Discussed the lease with Maria.\") { id } }", json!({ "c": maria }));
    coc.ok("ccc_cm", "mutation($c: ID!) { recordService(input: { clientId: $c, date: \"2026-03-01\", recordType: 151, typeProvided: 2 }) { id } }", json!({ "c": maria }));

    // CHSS (MOU, both ways) finds her and reads the enrollment and service through the MOU,
    // but not the case note (restricted to CCC by default).
    let found = coc.ok("chss_cm", "{ findClients(search: { name: \"lopez\" }) { edges { node { id firstName access { rule via } } } pageInfo { hasNextPage } } }", json!({}));
    let edges = found["findClients"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1, "{found}");
    assert_eq!(edges[0]["node"]["id"], maria.as_str());
    assert_eq!(edges[0]["node"]["access"]["rule"], "MOU");
    assert_eq!(edges[0]["node"]["access"]["via"], setup.mou.as_str());
    let seen = coc.ok("chss_cm", CLIENT, json!({ "id": maria }))["client"].clone();
    assert_eq!(seen["access"]["level"], "READ");
    assert_eq!(seen["ssn"], "123456789");
    assert_eq!(seen["enrollments"].as_array().unwrap().len(), 1);
    assert_eq!(seen["enrollments"][0]["access"]["rule"], "MOU");
    assert_eq!(seen["services"].as_array().unwrap().len(), 1);
    assert_eq!(seen["caseNotes"], json!([]));

    // The city receives; the outside agency sees nothing, not even that she exists.
    assert_eq!(
        coc.ok("city_cm", CLIENT, json!({ "id": maria }))["client"]["lastName"],
        "Lopez"
    );
    assert_eq!(
        coc.ok("out_cm", CLIENT, json!({ "id": maria }))["client"],
        Value::Null
    );
    let none = coc.ok(
        "out_cm",
        "{ findClients(search: { name: \"lopez\" }) { edges { node { id } } } }",
        json!({}),
    );
    assert_eq!(none["findClients"]["edges"], json!([]));
    let refused = coc.refused("out_cm", "mutation($c: ID!) { updateClientAddress(clientId: $c, address: { city: \"Modesto\" }) { position } }", json!({ "c": maria }));
    assert_eq!(refused.code, "NOT_FOUND");

    // CHSS may not edit CCC's intake, but may update her address; intake of the same person
    // at CHSS warns of the duplicate.
    let refused = coc.refused("chss_cm", "mutation($c: ID!) { updateClientIntake(clientId: $c, input: { lastName: \"Lopes\" }) { position } }", json!({ "c": maria }));
    assert_eq!(refused.code, "FORBIDDEN");
    assert_eq!(
        refused.message,
        "cannot edit data created by another organization"
    );
    coc.ok("chss_cm", "mutation($c: ID!) { updateClientAddress(clientId: $c, address: { line1: \"12 Oak St\", city: \"Modesto\", state: \"CA\", zip: \"95354\" }) { position } }", json!({ "c": maria }));
    assert_eq!(
        coc.ok("ccc_cm", CLIENT, json!({ "id": maria }))["client"]["address"]["city"],
        "Modesto"
    );
    let twin = coc.ok(
        "chss_cm",
        INTAKE,
        intake(
            "Maria",
            "Lopez",
            "1990-04-02",
            "123456789",
            0,
            "SHARE_GLOBALLY",
        ),
    );
    assert_eq!(
        twin["intakeClient"]["possibleDuplicates"][0]["id"],
        maria.as_str(),
        "{twin}"
    );

    // A night at the CHSS family shelter: a family room takes Maria and a boy; a man is
    // refused there; one bed per client and one client per bed.
    let boy = client_id(&coc.ok(
        "chss_cm",
        INTAKE,
        intake("Leo", "Lopez", "2018-09-01", "", 1, "SHARE_GLOBALLY"),
    ));
    let man = client_id(&coc.ok(
        "chss_cm",
        INTAKE,
        intake("Tom", "Reyes", "1980-01-01", "", 1, "SHARE_GLOBALLY"),
    ));
    let check_in = "mutation($c: ID!, $b: ID) { checkIn(input: { clientId: $c, bedId: $b }) { id checkIn { bedId date } } }";
    let stay = coc.ok(
        "chss_cm",
        check_in,
        json!({ "c": maria, "b": setup.family_beds[0] }),
    );
    assert_eq!(stay["checkIn"]["checkIn"]["date"], TODAY);
    let refused = coc.refused(
        "chss_cm",
        check_in,
        json!({ "c": man, "b": setup.family_beds[1] }),
    );
    assert_eq!(
        (refused.code.as_str(), refused.field.as_deref()),
        ("VALIDATION", Some("bedId")),
        "{refused:?}"
    );
    coc.ok(
        "chss_cm",
        check_in,
        json!({ "c": boy, "b": setup.family_beds[1] }),
    );
    let refused = coc.refused(
        "chss_cm",
        check_in,
        json!({ "c": maria, "b": setup.mens_bed }),
    );
    assert_eq!(refused.code, "CONFLICT", "one bed at a time: {refused:?}");
    coc.ok(
        "chss_cm",
        check_in,
        json!({ "c": man, "b": setup.mens_bed }),
    );
    let refused = coc.refused(
        "ccc_cm",
        check_in,
        json!({ "c": maria, "b": setup.family_beds[0] }),
    );
    assert_eq!(
        refused.code, "FORBIDDEN",
        "only the facility's staff check in: {refused:?}"
    );

    // The outside agency sees the beds taken, but not by whom.
    let beds = coc.ok(
        "out_cm",
        "query($d: String!) { bedAvailability(date: $d) { bedId status clientId } }",
        json!({ "d": TODAY }),
    );
    let bed = |id: &str| {
        beds["bedAvailability"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["bedId"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(bed(&setup.family_beds[0])["status"], "OCCUPIED");
    assert_eq!(bed(&setup.family_beds[0])["clientId"], Value::Null);
    let own = coc.ok(
        "chss_cm",
        "query($d: String!) { bedAvailability(date: $d) { bedId status clientId } }",
        json!({ "d": TODAY }),
    );
    assert!(
        own["bedAvailability"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["clientId"] == maria.as_str())
    );
    let facilities = coc.ok(
        "out_cm",
        "{ facilities { id rooms { designators beds { label } } } }",
        json!({}),
    );
    assert_eq!(facilities["facilities"][0]["id"], setup.facility.as_str());

    // HPRP's 18-month check counts every RRH day, entry through today.
    let days = coc.ok(
        "ccc_cm",
        "query($id: ID!) { client(id: $id) { enrolledDays(projectType: 13) } }",
        json!({ "id": maria }),
    );
    assert_eq!(days["client"]["enrolledDays"], 28 + 31 + 30 + 31 + 15);

    // CCC restricts Maria to its own organization: CHSS loses sight of her at once — of her
    // profile and CCC's records. What CHSS recorded (her shelter stay) it keeps, under an
    // id-only client.
    coc.ok("ccc_cm", "mutation($c: ID!) { setClientRestriction(clientId: $c, restriction: RESTRICT_TO_ORGANIZATION) { position } }", json!({ "c": maria }));
    let seen = coc.ok("chss_cm", CLIENT, json!({ "id": maria }))["client"].clone();
    assert_eq!(seen["id"], json!(maria));
    for field in ["access", "firstName", "lastName", "dob", "ssn", "address"] {
        assert_eq!(seen[field], Value::Null, "{field}: {seen}");
    }
    assert_eq!(seen["enrollments"], json!([]), "{seen}");
    assert_eq!(seen["services"], json!([]), "{seen}");

    // Every read left its disclosure record.
    let users = [
        ("chss_cm", coc.user_id("chss_cm")),
        ("out_cm", coc.user_id("out_cm")),
    ];
    let dir = coc.stop();
    let records = disclosures(dir.path());
    let by = |who: &str| -> Vec<&RecordsAccessed> {
        let id = &users.iter().find(|(k, _)| *k == who).unwrap().1;
        records
            .iter()
            .filter(|(u, _)| u == id)
            .map(|(_, r)| r)
            .collect()
    };
    let chss = by("chss_cm");
    let search = chss
        .iter()
        .find(|r| r.clients.iter().any(|c| !c.deliberate))
        .expect("the search row");
    assert_eq!(search.clients[0].records[0].kind, RecordKind::Intake);
    assert!(
        search.clients[0].records[0]
            .fields
            .contains(&"firstName".to_string())
    );
    let opened = chss
        .iter()
        .find(|r| {
            r.clients.iter().any(|c| {
                c.deliberate
                    && c.client_id.to_string() == maria
                    && c.records.iter().any(|x| x.kind == RecordKind::Enrollment)
            })
        })
        .expect("CHSS opening Maria");
    let maria_read = opened
        .clients
        .iter()
        .find(|c| c.client_id.to_string() == maria)
        .unwrap();
    let enrollment = maria_read
        .records
        .iter()
        .find(|x| x.kind == RecordKind::Enrollment)
        .unwrap();
    assert!(matches!(enrollment.reason, AccessReason::Mou(m) if m.to_string() == setup.mou));
    let intake_read = maria_read
        .records
        .iter()
        .find(|x| x.kind == RecordKind::Intake)
        .unwrap();
    for field in ["ssn", "dob", "firstName", "lastName"] {
        assert!(
            intake_read.fields.contains(&field.to_string()),
            "{field} in {:?}",
            intake_read.fields
        );
    }
    assert!(
        maria_read
            .records
            .iter()
            .all(|x| x.kind != RecordKind::CaseNote)
    );
    assert_eq!(opened.operation, "anonymous");
    assert!(opened.view_position > 0);
    // After the restriction, CHSS's lookup is recorded as the read of Maria's id alone (and of
    // CHSS's own records): nothing of her intake.
    assert!(chss.iter().any(|r| {
        r.clients.iter().any(|c| {
            c.client_id.to_string() == maria
                && c.records
                    .iter()
                    .any(|x| x.kind == RecordKind::Intake && x.fields == ["id"])
        })
    }));
    let outside = by("out_cm");
    assert!(
        outside.iter().all(|r| r.clients.is_empty()),
        "the outside agency was shown nothing"
    );
    assert!(
        outside
            .iter()
            .any(|r| r.denied.len() == 1 && r.denied[0].operation == "client")
    );
}

fn ulid_u128(id: &str) -> String {
    ulid::Ulid::from_string(id).unwrap().0.to_string()
}

#[test]
fn a_household_shows_only_the_members_the_viewer_may_see_and_a_search_by_id_is_a_lookup() {
    let (coc, _) = stanislaus(TODAY);
    let mother = client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake(
            "Rosa",
            "Vega",
            "1992-02-02",
            "",
            0,
            "RESTRICT_TO_ORGANIZATION",
        ),
    ));
    let son = client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake("Luis", "Vega", "2016-06-06", "", 1, "SHARE_GLOBALLY"),
    ));
    let household = coc.ok(
        "ccc_cm",
        "mutation($c: ID!) { createHousehold(headClientId: $c, date: \"2026-01-01\") { householdId } }",
        json!({ "c": mother }),
    )["createHousehold"]["householdId"]
        .clone();
    coc.ok(
        "ccc_cm",
        "mutation($h: ID!, $c: ID!) { addHouseholdMember(householdId: $h, clientId: $c, relationshipToHoH: 2, joined: \"2026-01-01\") { position } }",
        json!({ "h": household, "c": son }),
    );
    let query = "query($id: ID!) { client(id: $id) { households { id headClientId members { clientId relationshipToHoH } } } }";
    let own = coc.ok("ccc_cm", query, json!({ "id": son }));
    assert_eq!(
        own["client"]["households"][0]["headClientId"],
        mother.as_str()
    );
    assert_eq!(
        own["client"]["households"][0]["members"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let other = coc.ok("chss_cm", query, json!({ "id": son }));
    let seen = &other["client"]["households"][0];
    assert_eq!(seen["headClientId"], Value::Null, "{other}");
    assert_eq!(
        seen["members"],
        json!([{ "clientId": son, "relationshipToHoH": 2 }])
    );

    // Looking the mother up by HMIS id finds nothing, and is recorded as a denied lookup.
    let found = coc.ok(
        "chss_cm",
        "query($id: ID!) { findClients(search: { clientId: $id }) { edges { node { id } } } }",
        json!({ "id": mother }),
    );
    assert_eq!(found["findClients"]["edges"], json!([]));
    let chss = coc.user_id("chss_cm");
    let dir = coc.stop();
    let denied = disclosures(dir.path())
        .into_iter()
        .filter(|(user, _)| *user == chss)
        .flat_map(|(_, r)| r.denied)
        .any(|d| d.operation == "findClients" && d.client_id.to_string() == ulid_u128(&mother));
    assert!(denied, "the search by id is recorded as denied");
}
