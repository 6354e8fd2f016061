//! `clientSharing`: the organization that created a client sees who may see its client today
//! and why — the intake and its own records, nothing of other organizations' records — and
//! nobody else learns anything, not even that the client exists.

use caseledger_tests::coc::{INTAKE, client_id, intake, maria_under_the_mou, stanislaus};
use serde_json::{Value, json};

const TODAY: &str = "2026-06-15";
const SHARING: &str = "query($c: ID!) { clientSharing(clientId: $c) { organizationId kind recordId level rule via role } }";

#[test]
fn the_creator_sees_who_may_see_its_client_and_why_and_nobody_else_learns_of_it() {
    let (coc, setup) = stanislaus(TODAY);
    let maria = maria_under_the_mou(&coc, &setup);
    // CHSS (in the MOU) records a service of its own.
    let theirs = coc.ok("chss_cm", "mutation($c: ID!) { recordService(input: { clientId: $c, date: \"2026-03-01\", recordType: 151, typeProvided: 2 }) { id } }", json!({ "c": maria }))["recordService"]["id"].as_str().unwrap().to_string();

    let rows = coc.ok("ccc_cm", SHARING, json!({ "c": maria }))["clientSharing"].clone();
    let rows = rows.as_array().unwrap();
    let intake_for = |org: &str| -> Option<&Value> {
        rows.iter()
            .find(|r| r["kind"] == "INTAKE" && r["organizationId"] == org && r["role"].is_null())
    };
    assert_eq!(
        intake_for(&coc.org("ccc")).unwrap()["rule"],
        "OWN_ORGANIZATION"
    );
    let chss = intake_for(&coc.org("chss")).unwrap();
    assert_eq!(
        (&chss["rule"], &chss["via"]),
        (&json!("MOU"), &json!(setup.mou))
    );
    assert_eq!(intake_for(&coc.org("city")).unwrap()["rule"], "MOU");
    assert!(intake_for(&coc.org("outside")).is_none(), "{rows:?}");
    assert!(
        rows.iter().all(|r| r["recordId"] != theirs.as_str()),
        "another organization's records are not the creator's to know about"
    );

    // Anyone else: as for an id never used.
    let never = "01JD0000000000000000000000";
    for who in ["chss_cm", "out_cm"] {
        let asked = coc.refused(who, SHARING, json!({ "c": maria }));
        assert_eq!(
            asked,
            coc.refused(who, SHARING, json!({ "c": never })),
            "{who}"
        );
        assert_eq!(asked.code, "NOT_FOUND");
    }
}

#[test]
fn an_organization_lists_the_mous_it_may_assign_its_clients_to() {
    let (coc, setup) = stanislaus(TODAY);
    let mous = |who: &str| -> Vec<String> {
        coc.ok(who, "{ assignableMous { id number } }", json!({}))["assignableMous"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_string())
            .collect()
    };
    // CCC grants and receives in MOU 0001; the city only receives there; the outside agency
    // is in none.
    assert_eq!(mous("ccc_cm"), vec![setup.mou.clone()]);
    assert!(mous("city_cm").is_empty());
    assert!(mous("out_cm").is_empty());
    // What the list leaves out, assignMou refuses by field.
    let city = client_id(&coc.ok(
        "city_cm",
        INTAKE,
        intake("Ana", "Diaz", "1985-09-30", "", 99, "SHARE_WITH_MOU"),
    ));
    let refused = coc.refused(
        "city_cm",
        "mutation($c: ID!, $m: ID!) { assignMou(clientId: $c, mouId: $m) { createdId } }",
        json!({ "c": city, "m": setup.mou }),
    );
    assert_eq!(
        (refused.code.as_str(), refused.field.as_deref()),
        ("VALIDATION", Some("mouId"))
    );
}

#[test]
fn an_ended_mou_shares_nothing_after_its_last_day_and_only_an_administrator_ends_it() {
    let (coc, setup) = stanislaus(TODAY);
    let maria = maria_under_the_mou(&coc, &setup);
    let seen = |who: &str| {
        !coc.ok(
            who,
            "query($id: ID!) { client(id: $id) { id } }",
            json!({ "id": maria }),
        )["client"]
            .is_null()
    };
    assert!(seen("chss_cm"));
    let end = "mutation($m: ID!) { endMou(mouId: $m) { mou { window { end } } } }";
    assert_eq!(
        coc.refused("ccc_admin", end, json!({ "m": setup.mou }))
            .code,
        "FORBIDDEN"
    );
    let ended = coc.ok("admin", end, json!({ "m": setup.mou }));
    assert_eq!(ended["endMou"]["mou"]["window"]["end"], "2026-06-14");
    assert!(!seen("chss_cm"), "nothing is shared along an ended MOU");
    assert!(
        !coc.ok("ccc_cm", "{ assignableMous { id } }", json!({}))["assignableMous"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == setup.mou.as_str())
    );
    assert_eq!(
        coc.refused("admin", end, json!({ "m": setup.mou })).code,
        "CONFLICT"
    );
}
