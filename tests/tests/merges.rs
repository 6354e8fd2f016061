//! The duplicate queue and a merge that is undone, over HTTP through the real binary. The
//! outside agency takes in "Maria Lopes" (restricted to itself) while Children's Crisis Center
//! already has Maria Lopez under MOU 0001. The outside agency flags its client ("already in
//! HMIS?") without learning anything of CCC's; the system administrator finds the pair in the
//! queue with its evidence, merges it, and later undoes the merge. Through all of it no
//! organization sees more than it saw before: the outside agency sees the merged client as it
//! saw its own, the MOU partner never learns the outside agency's client existed.

use caseledger_tests::coc::{INTAKE, client_id, intake, maria_under_the_mou, stanislaus};
use serde_json::{Value, json};

const TODAY: &str = "2026-06-15";
const CLIENT: &str =
    "query($id: ID!) { client(id: $id) { id firstName lastName mergedIds services { id } } }";
const QUEUE: &str = "{ duplicateCandidates { total candidates { firstId secondId score evidence { code } } flags { clientId note candidates { firstId secondId } } } }";
const FLAG: &str =
    "mutation($c: ID!, $n: String!) { flagPossibleDuplicate(clientId: $c, note: $n) { flagId } }";
const MERGE: &str = "mutation($s: ID!, $d: ID!, $why: String!) { mergeClients(survivorId: $s, duplicateId: $d, reason: $why) { mergeId } }";
const UNMERGE: &str =
    "mutation($m: ID!, $why: String!) { unmergeClients(mergeId: $m, reason: $why) { position } }";
const SERVICE: &str = "mutation($c: ID!) { recordService(input: { clientId: $c, date: \"2026-06-01\", recordType: 151, typeProvided: 2 }) { id } }";
const NEVER: &str = "01JD0000000000000000000000";

fn pair(a: &str, b: &str) -> (String, String) {
    if a < b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

fn pairs(queue: &Value) -> Vec<(String, String)> {
    queue["duplicateCandidates"]["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["firstId"].as_str().unwrap().to_string(),
                c["secondId"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_duplicate_found_flagged_merged_and_unmerged_never_widens_what_anyone_sees() {
    let (mut coc, setup) = stanislaus(TODAY);
    let maria = maria_under_the_mou(&coc, &setup);
    let service = coc.ok("ccc_cm", SERVICE, json!({ "c": maria }))["recordService"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The outside agency warns only of clients it can see: none.
    let answer = coc.ok(
        "out_cm",
        INTAKE,
        intake(
            "Maria",
            "Lopes",
            "1990-04-02",
            "234-56-7891",
            0,
            "RESTRICT_TO_ORGANIZATION",
        ),
    );
    assert_eq!(answer["intakeClient"]["possibleDuplicates"], json!([]));
    let lopes = client_id(&answer);

    // A flag for its own client; for CCC's (which it cannot see) the same answer as for an id
    // never used.
    let note = "says she was at the Children's Crisis Center last year";
    coc.ok("out_cm", FLAG, json!({ "c": lopes, "n": note }));
    let hidden = coc.refused("out_cm", FLAG, json!({ "c": maria, "n": "x" }));
    let never = coc.refused("out_cm", FLAG, json!({ "c": NEVER, "n": "x" }));
    assert_eq!(hidden, never);
    assert_eq!(hidden.code, "NOT_FOUND");

    // The queue is the system administrators'.
    let refused = coc.refused("ccc_cm", QUEUE, json!({}));
    assert_eq!(refused.code, "FORBIDDEN");
    let queue = coc.ok("admin", QUEUE, json!({}));
    let expected = pair(&maria, &lopes);
    assert!(pairs(&queue).contains(&expected), "{queue}");
    let found = queue["duplicateCandidates"]["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            (
                c["firstId"].as_str().unwrap(),
                c["secondId"].as_str().unwrap(),
            ) == (expected.0.as_str(), expected.1.as_str())
        })
        .unwrap();
    let codes: Vec<&str> = found["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"SAME_BIRTH_DATE"), "{codes:?}");
    assert!(codes.contains(&"LAST_NAME_SOUNDS_ALIKE"), "{codes:?}");
    let flags = &queue["duplicateCandidates"]["flags"];
    assert_eq!(flags[0]["clientId"], json!(lopes));
    assert_eq!(flags[0]["note"], json!(note));

    // Only a system administrator merges; then the outside agency sees the merged client as
    // it saw its own — its intake, not CCC's, and none of CCC's records.
    let refused = coc.refused(
        "ccc_cm",
        MERGE,
        json!({ "s": maria, "d": lopes, "why": "same person" }),
    );
    assert_eq!(refused.code, "FORBIDDEN");
    let merge = coc.ok(
        "admin",
        MERGE,
        json!({ "s": maria, "d": lopes, "why": "same date of birth, names sound alike" }),
    )["mergeClients"]["mergeId"]
        .as_str()
        .unwrap()
        .to_string();
    let seen = coc.ok("out_cm", CLIENT, json!({ "id": lopes }));
    assert_eq!(
        seen["client"]["id"],
        json!(maria),
        "the duplicate answers as the survivor"
    );
    assert_eq!(seen["client"]["lastName"], json!("Lopes"));
    assert_eq!(seen["client"]["mergedIds"], json!([lopes]));
    assert_eq!(seen["client"]["services"], json!([]));
    // The MOU partner sees Maria as before and never learns of the outside agency's client.
    let partner = coc.ok("chss_cm", CLIENT, json!({ "id": maria }));
    assert_eq!(partner["client"]["lastName"], json!("Lopez"));
    assert_eq!(partner["client"]["mergedIds"], json!([]));
    assert_eq!(partner["client"]["services"], json!([{ "id": service }]));
    let unseen = coc.gql("chss_cm", CLIENT, json!({ "id": lopes }));
    let unused = coc.gql("chss_cm", CLIENT, json!({ "id": NEVER }));
    assert_eq!(unseen["data"], unused["data"]);
    // The auditor's "who could see it" asks about the merged client as a whole: the outside
    // agency's intake, seen by the outside agency alone (its restriction, as it stood), beside
    // Maria's, which the MOU partner reads.
    coc.user("auditor", "lead", "AUDITOR");
    let could = coc.ok(
        "auditor",
        "query($c: ID!) { visibilityAsOf(clientId: $c, date: \"2026-06-15\") { organizationId role kind recordId } }",
        json!({ "c": lopes }),
    );
    let rows = could["visibilityAsOf"].as_array().unwrap();
    let intake_of = |record: &str| -> Vec<String> {
        rows.iter()
            .filter(|r| r["kind"] == "INTAKE" && r["recordId"] == record && r["role"].is_null())
            .map(|r| r["organizationId"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(intake_of(&lopes), vec![coc.org("outside")], "{could}");
    assert!(intake_of(&maria).contains(&coc.org("chss")), "{could}");
    // The queue no longer proposes the merged pair, and nothing is recorded under the
    // merged-away id.
    assert!(!pairs(&coc.ok("admin", QUEUE, json!({}))).contains(&expected));
    let refused = coc.refused("out_cm", SERVICE, json!({ "c": lopes }));
    assert_eq!(
        (refused.code.as_str(), refused.field.as_deref()),
        ("CONFLICT", Some("clientId"))
    );
    assert!(refused.message.contains(&maria), "names the survivor");
    // To who could not see the duplicate, the merged-away id is an id never used.
    for query in [SERVICE, FLAG] {
        let vars = |c: &str| json!({ "c": c, "n": "x" });
        let hidden = coc.refused("chss_cm", query, vars(&lopes));
        assert_eq!(hidden, coc.refused("chss_cm", query, vars(NEVER)));
        assert_eq!(hidden.code, "NOT_FOUND");
    }
    let since = coc.ok("out_cm", SERVICE, json!({ "c": maria }))["recordService"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let merged_day = "query($c: ID!) { visibilityAsOf(clientId: $c, date: \"2026-06-15\") { organizationId userId role kind recordId level rule via } }";
    let on_the_merged_day = coc.ok("auditor", merged_day, json!({ "c": lopes }));

    // Undone the next day: both clients as they were; what the outside agency recorded for
    // the merged client stays with the survivor (Maria), where it still sees it as its own
    // record.
    let coc = coc.restart("2026-06-16", &[]);
    coc.ok(
        "admin",
        UNMERGE,
        json!({ "m": merge, "why": "two different people" }),
    );
    // Who could see what on the day they were merged is still answered as it was that day:
    // the survivor's facts of that day count, though the clients are apart now.
    assert_eq!(
        coc.ok("auditor", merged_day, json!({ "c": lopes })),
        on_the_merged_day
    );
    let again = coc.refused("admin", UNMERGE, json!({ "m": merge, "why": "again" }));
    assert_eq!(
        (again.code.as_str(), again.field.as_deref()),
        ("CONFLICT", Some("mergeId"))
    );
    let own = coc.ok("out_cm", CLIENT, json!({ "id": lopes }));
    assert_eq!(own["client"]["id"], json!(lopes));
    assert_eq!(own["client"]["mergedIds"], json!([]));
    assert_eq!(own["client"]["services"], json!([]));
    let kept = coc.ok("out_cm", CLIENT, json!({ "id": maria }));
    assert_eq!(
        kept["client"]["firstName"],
        Value::Null,
        "Maria's intake stays CCC's"
    );
    assert_eq!(kept["client"]["services"], json!([{ "id": since }]));
    assert!(pairs(&coc.ok("admin", QUEUE, json!({}))).contains(&expected));

    // A flag reviewed without a merge is cleared, once, and leaves the queue.
    let flag = coc.ok(
        "ccc_cm",
        FLAG,
        json!({ "c": maria, "n": "may have been at the county shelter" }),
    )["flagPossibleDuplicate"]["flagId"]
        .as_str()
        .unwrap()
        .to_string();
    let listed = |coc: &caseledger_tests::coc::Coc| {
        let queue = coc.ok(
            "admin",
            "{ duplicateCandidates { flags { id } } }",
            json!({}),
        );
        queue["duplicateCandidates"]["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == json!(flag))
    };
    assert!(listed(&coc));
    let clear = "mutation($f: ID!) { clearDuplicateFlag(flagId: $f, reason: \"no other record found\") { position } }";
    coc.ok("admin", clear, json!({ "f": flag }));
    assert!(!listed(&coc));
    let again = coc.refused("admin", clear, json!({ "f": flag }));
    assert_eq!(
        (again.code.as_str(), again.field.as_deref()),
        ("NOT_FOUND", Some("flagId"))
    );
}
