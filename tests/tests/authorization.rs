//! The authorization matrix: every query (audit queries included) and mutation, asked by every role, about a record of
//! the asker's own organization, of an organization that shares with it, and of one that does
//! not — each answered with data or with exactly the expected error code. Each cell runs
//! against fresh records, so one cell's success cannot change another's answer.

use caseledger_tests::coc::{Coc, INTAKE, Setup, client_id, intake, stanislaus};
use serde_json::{Value, json};

const TODAY: &str = "2026-06-15";

/// Who asks, relative to the client `S` that CCC created and shares with CHSS through MOU 0001.
const ACTORS: [&str; 7] = [
    "ccc_cm",    // case manager of the creating organization
    "ccc_admin", // agency administrator of the creating organization
    "chss_cm",   // case manager of an organization that may see S
    "out_cm",    // case manager of an organization that may not see S
    "admin",     // system administrator (CoC lead)
    "helpdesk",  // help desk (CoC lead)
    "auditor",   // auditor (CoC lead)
];

/// Records each cell starts from.
struct Fixture {
    /// CCC's client, shared with the MOU and assigned to it.
    client: String,
    /// CCC's enrollment of the client.
    enrollment: String,
    /// A number no other cell uses (usernames, MOU numbers).
    n: usize,
}

fn fresh(coc: &Coc, setup: &Setup, n: usize) -> Fixture {
    let client = client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake("Sam", "Ortiz", "1988-08-08", "", 1, "SHARE_WITH_MOU"),
    ));
    coc.ok(
        "ccc_cm",
        "mutation($c: ID!, $m: ID!) { assignMou(clientId: $c, mouId: $m, start: \"2026-01-01\") { position } }",
        json!({ "c": client, "m": setup.mou }),
    );
    let enrollment = coc.ok(
        "ccc_cm",
        "mutation($c: ID!, $p: ID!) { enrollClient(input: { clientId: $c, programId: $p, entryDate: \"2026-02-01\" }) { id } }",
        json!({ "c": client, "p": setup.rrh }),
    )["enrollClient"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    Fixture {
        client,
        enrollment,
        n,
    }
}

type Vars = fn(&Coc, &Setup, &Fixture) -> Value;

/// One row: an operation, its variables, and the answer expected from each of [`ACTORS`]:
/// `OK` (data, no error), `NULL` (the field is null: not visible), or an error code.
struct Row {
    query: &'static str,
    vars: Vars,
    expect: [&'static str; 7],
}

const F: &str = "FORBIDDEN";
const NF: &str = "NOT_FOUND";

fn rows() -> Vec<Row> {
    vec![
        Row {
            query: "query($c: ID!) { client(id: $c) { id lastName enrollments { id } } }",
            vars: |_, _, f| json!({ "c": f.client }),
            expect: ["OK", "OK", "OK", "NULL", "OK", "OK", "OK"],
        },
        Row {
            query: "{ findClients(search: { name: \"ortiz\" }) { edges { node { id } } } }",
            vars: |_, _, _| json!({}),
            expect: ["OK", "OK", "OK", "OK", "OK", F, "OK"],
        },
        Row {
            query: "query($c: ID!) { findClients(search: { clientId: $c }) { edges { node { id } } } }",
            vars: |_, _, f| json!({ "c": f.client }),
            expect: ["OK", "OK", "OK", "OK", "OK", "OK", "OK"],
        },
        Row {
            query: "{ me { role } organizations { id } programs { id } mous { id } facilities { id } bedAvailability(date: \"2026-06-15\") { status } }",
            vars: |_, _, _| json!({}),
            expect: ["OK"; 7],
        },
        Row {
            query: "query($c: ID!) { accessLog(filter: { clientId: $c }) { entries { userId } } }",
            vars: |_, _, f| json!({ "c": f.client }),
            expect: [F, F, F, F, "OK", F, "OK"],
        },
        Row {
            query: "query($c: ID!) { accessSummary(clientId: $c) { userId } }",
            vars: |_, _, f| json!({ "c": f.client }),
            expect: [F, F, F, F, "OK", F, "OK"],
        },
        Row {
            query: "query($c: ID!) { visibilityAsOf(clientId: $c, date: \"2026-06-15\") { organizationId } }",
            vars: |_, _, f| json!({ "c": f.client }),
            expect: [F, F, F, F, "OK", F, "OK"],
        },
        Row {
            query: "query($c: ID!) { clientHistory(clientId: $c) { event } }",
            vars: |_, _, f| json!({ "c": f.client }),
            expect: [F, F, F, F, "OK", F, "OK"],
        },
        Row {
            query: "{ accessAnomalies(from: \"2026-06-01\", to: \"2026-06-30\") { kind } }",
            vars: |_, _, _| json!({}),
            expect: [F, F, F, F, "OK", F, "OK"],
        },
        Row {
            query: "mutation { signCheckpoint { position } }",
            vars: |_, _, _| json!({}),
            expect: [F, F, F, F, "OK", F, "OK"],
        },
        Row {
            query: "{ logHead { position } }",
            vars: |_, _, _| json!({}),
            expect: [F, F, F, F, "OK", F, "OK"],
        },
        Row {
            query: INTAKE,
            vars: |_, _, _| intake("Lia", "Park", "1999-09-09", "", 0, "SHARE_GLOBALLY"),
            expect: ["OK", "OK", "OK", "OK", F, F, F],
        },
        Row {
            query: "mutation($c: ID!) { updateClientIntake(clientId: $c, input: { middleName: \"J\" }) { position } }",
            vars: |_, _, f| json!({ "c": f.client }),
            expect: ["OK", "OK", F, NF, "OK", F, F],
        },
        Row {
            query: "mutation($c: ID!) { updateClientAddress(clientId: $c, address: { city: \"Turlock\" }) { position } }",
            vars: |_, _, f| json!({ "c": f.client }),
            expect: ["OK", "OK", "OK", NF, "OK", F, F],
        },
        Row {
            query: "mutation($c: ID!) { setClientRestriction(clientId: $c, restriction: SHARE_GLOBALLY) { position } }",
            vars: |_, _, f| json!({ "c": f.client }),
            expect: ["OK", "OK", F, NF, F, F, F],
        },
        Row {
            query: "mutation($c: ID!, $m: ID!) { assignMou(clientId: $c, mouId: $m, start: \"2026-03-01\") { position } }",
            vars: |_, s, f| json!({ "c": f.client, "m": s.mou }),
            expect: ["OK", "OK", F, NF, F, F, F],
        },
        Row {
            query: "mutation($c: ID!, $o: ID!) { grantReleaseException(clientId: $c, accessingOrganizationId: $o) { createdId } }",
            vars: |coc, _, f| json!({ "c": f.client, "o": coc.org("outside") }),
            expect: ["OK", "OK", "OK", NF, F, F, F],
        },
        Row {
            query: "mutation($c: ID!) { createHousehold(headClientId: $c) { householdId } }",
            vars: |_, _, f| json!({ "c": f.client }),
            expect: ["OK", "OK", "OK", NF, F, F, F],
        },
        Row {
            query: "mutation($c: ID!, $p: ID!) { enrollClient(input: { clientId: $c, programId: $p, entryDate: \"2026-06-01\", relationshipToHoH: 1 }) { id } }",
            // S is already enrolled in this program from 2026-02-01, so the creating
            // organization gets the overlap CONFLICT; everyone else is refused before that.
            vars: |_, s, f| json!({ "c": f.client, "p": s.rrh }),
            expect: ["CONFLICT", "CONFLICT", F, NF, F, F, F],
        },
        Row {
            query: "mutation($e: ID!) { exitEnrollment(input: { enrollmentId: $e, exitDate: \"2026-06-01\" }) { position } }",
            vars: |_, _, f| json!({ "e": f.enrollment }),
            expect: ["OK", "OK", F, NF, F, F, F],
        },
        Row {
            query: "mutation($c: ID!) { recordService(input: { clientId: $c, date: \"2026-06-01\", recordType: 144, typeProvided: 1 }) { id } }",
            vars: |_, _, f| json!({ "c": f.client }),
            expect: ["OK", "OK", "OK", NF, F, F, F],
        },
        Row {
            query: "mutation($c: ID!) { recordAssessment(input: { clientId: $c, date: \"2026-06-01\", kind: HEALTH, answers: [{ item: \"HealthInsurance\", code: 1 }] }) { id } }",
            vars: |_, _, f| json!({ "c": f.client }),
            expect: ["OK", "OK", "OK", NF, F, F, F],
        },
        Row {
            query: "mutation($c: ID!) { addCaseNote(clientId: $c, text: \"Called about housing.\") { id } }",
            vars: |_, _, f| json!({ "c": f.client }),
            expect: ["OK", "OK", "OK", NF, F, F, F],
        },
        Row {
            query: "mutation($c: ID!) { addDocument(input: { clientId: $c, name: \"ID card.pdf\", documentType: \"Photo ID\" }) { id } }",
            vars: |_, _, f| json!({ "c": f.client }),
            expect: ["OK", "OK", "OK", NF, F, F, F],
        },
        Row {
            query: "mutation($c: ID!, $f: ID!) { checkIn(input: { clientId: $c, facilityId: $f }) { id } }",
            vars: |_, s, f| json!({ "c": f.client, "f": s.facility }),
            expect: [F, F, "OK", F, F, F, F],
        },
        Row {
            query: "mutation($c: ID!) { barClient(input: { clientId: $c, start: \"2026-06-01\", scope: ORGANIZATION, reason: \"Fighting\" }) { id } }",
            vars: |_, _, f| json!({ "c": f.client }),
            expect: ["OK", "OK", "OK", NF, F, F, F],
        },
        Row {
            query: "mutation($o: ID!) { createProgram(organizationId: $o, name: \"Outreach\", projectType: 4) { program { id } } }",
            vars: |coc, _, _| json!({ "o": coc.org("ccc") }),
            expect: [F, F, F, F, "OK", F, F],
        },
        Row {
            query: "mutation($n: String!, $p: [MouParticipantInput!]!) { createMou(number: $n, title: \"T\", participants: $p, start: \"2026-01-01\") { mou { id } } }",
            vars: |coc, _, f| {
                json!({ "n": format!("9{:03}", f.n), "p": [
                { "organizationId": coc.org("ccc"), "direction": "GRANTS" },
                { "organizationId": coc.org("outside"), "direction": "RECEIVES" },
            ] })
            },
            expect: [F, F, F, F, "OK", F, F],
        },
        Row {
            query: "mutation($o: ID!) { createFacility(organizationId: $o, name: \"Overflow\") { facility { id } } }",
            vars: |coc, _, _| json!({ "o": coc.org("ccc") }),
            expect: [F, "OK", F, F, "OK", F, F],
        },
        Row {
            query: "mutation { createOrganization(name: \"New Agency\") { organization { id } } }",
            vars: |_, _, _| json!({}),
            expect: [F, F, F, F, "OK", F, F],
        },
        Row {
            query: "mutation($o: ID!, $u: String!) { createUser(organizationId: $o, username: $u, displayName: $u, role: CASE_MANAGER) { userId } }",
            vars: |coc, _, f| json!({ "o": coc.org("ccc"), "u": format!("cm{}", f.n) }),
            expect: [F, "OK", F, F, "OK", F, F],
        },
        Row {
            query: "mutation { setSharingPolicy(preset: CLIENTTRACK, timeZone: \"America/Los_Angeles\", effective: \"2026-06-15\") { position } }",
            vars: |_, _, _| json!({}),
            expect: [F, F, F, F, "OK", F, F],
        },
    ]
}

/// The answer as the matrix names it.
fn outcome(answer: &Value) -> String {
    if let Some(error) = answer["errors"].get(0) {
        return error["extensions"]["code"]
            .as_str()
            .unwrap_or("NO CODE")
            .to_string();
    }
    let data = answer["data"].as_object().expect("data");
    if data.values().all(Value::is_null) {
        "NULL".to_string()
    } else {
        "OK".to_string()
    }
}

#[test]
fn every_operation_answers_every_role_as_the_rules_say() {
    let (mut coc, setup) = stanislaus(TODAY);
    coc.user("helpdesk", "lead", "HELP_DESK");
    coc.user("auditor", "lead", "AUDITOR");
    let mut mismatches = Vec::new();
    let mut n = 0;
    for row in rows() {
        for (actor, expected) in ACTORS.iter().zip(row.expect) {
            n += 1;
            let fixture = fresh(&coc, &setup, n);
            let before = coc.position();
            let answer = coc.gql(actor, row.query, (row.vars)(&coc, &setup, &fixture));
            let got = outcome(&answer);
            if got != expected {
                mismatches.push(format!(
                    "{actor}: expected {expected}, got {got}\n  {}\n  {answer}",
                    row.query
                ));
            }
            if got != "OK" && got != "NULL" && coc.position() != before {
                mismatches.push(format!(
                    "{actor}: a refused request wrote to the log: {}",
                    row.query
                ));
            }
        }
        // Without a token, every operation is refused the same way.
        let fixture = fresh(&coc, &setup, 0);
        let answer = coc
            .server
            .graphql(row.query, (row.vars)(&coc, &setup, &fixture), None);
        if outcome(&answer) != "UNAUTHENTICATED" {
            mismatches.push(format!("no token: {}\n  {answer}", row.query));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
