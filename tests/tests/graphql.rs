//! The GraphQL API over HTTP against the real binary: authentication, a mutation, error codes,
//! and the limits that keep abusive requests out.

use caseledger_tests::{Server, bootstrapped};
use serde_json::{Value, json};

fn code(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {answer}"))
}

#[test]
fn a_token_identifies_its_user_and_anything_else_is_unauthenticated() {
    let (dir, token) = bootstrapped();
    let server = Server::start(dir.path());
    let me = server.graphql(
        "{ me { role organization { name isCocLead } } }",
        json!({}),
        Some(&token),
    );
    assert_eq!(me["data"]["me"]["role"], "SYSTEM_ADMIN", "{me}");
    assert_eq!(me["data"]["me"]["organization"]["name"], "Stanislaus CoC");
    assert_eq!(me["data"]["me"]["organization"]["isCocLead"], true);

    // The same token with its last hex digit changed (to a different digit, whatever it was).
    let last = if token.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &token[..token.len() - 1]);
    for bearer in [None, Some("nonsense"), Some(forged.as_str())] {
        let answer = server.graphql("{ me { role } }", json!({}), bearer);
        assert_eq!(code(&answer), "UNAUTHENTICATED", "{bearer:?}: {answer}");
        assert!(
            answer["data"].is_null() || answer["data"]["me"].is_null(),
            "{answer}"
        );
    }
}

#[test]
fn a_system_administrator_changes_the_policy_and_bad_input_names_its_field() {
    let (dir, token) = bootstrapped();
    let server = Server::start(dir.path());
    let mutation = "mutation($tz: String!, $d: String!) { setSharingPolicy(preset: OPEN_INTAKE, timeZone: $tz, effective: $d) { position } }";
    let ok = server.graphql(
        mutation,
        json!({ "tz": "America/Los_Angeles", "d": "2030-01-01" }),
        Some(&token),
    );
    assert_eq!(ok["data"]["setSharingPolicy"]["position"], 5, "{ok}");
    let bad_zone = server.graphql(
        mutation,
        json!({ "tz": "Mars/Base", "d": "2030-01-01" }),
        Some(&token),
    );
    assert_eq!(code(&bad_zone), "VALIDATION");
    assert_eq!(bad_zone["errors"][0]["extensions"]["field"], "timeZone");
    let bad_date = server.graphql(
        mutation,
        json!({ "tz": "UTC", "d": "01/02/2030" }),
        Some(&token),
    );
    assert_eq!(
        bad_date["errors"][0]["extensions"]["field"], "effective",
        "{bad_date}"
    );
    assert_eq!(
        server.get("/healthz").json()["logPosition"],
        5,
        "rejected mutations wrote nothing"
    );
}

#[test]
fn abusive_requests_are_refused_and_the_server_stays_healthy() {
    let (dir, token) = bootstrapped();
    let server = Server::start(dir.path());
    // 1,000 aliases of the same field.
    let aliases: String = (0..1000).map(|i| format!("a{i}: me {{ role }} ")).collect();
    let answer = server.graphql(&format!("{{ {aliases} }}"), json!({}), Some(&token));
    assert_eq!(code(&answer), "LIMIT_EXCEEDED", "{answer}");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1000 aliases"),
        "{answer}"
    );
    // Few aliases but a huge selection: over the complexity limit.
    let wide: String = (0..1100)
        .map(|_| "organizations { id name isCocLead } ")
        .collect();
    let answer = server.graphql(&format!("{{ {wide} }}"), json!({}), Some(&token));
    assert_eq!(code(&answer), "LIMIT_EXCEEDED", "{answer}");
    // Selections nested deeper than the schema allows, refused before validation.
    let deep = format!("{}id {}", "{ me ".repeat(20), "}".repeat(20));
    let answer = server.graphql(&deep, json!({}), Some(&token));
    assert_eq!(code(&answer), "LIMIT_EXCEEDED", "{answer}");
    // A page of clients weighs as much as its rows: 100 rows of a wide client is too much.
    let page = "{ findClients(search: { name: \"lopez\" }, first: 100) { edges { node { id firstName lastName dob ssn enrollments { id } services { id } caseNotes { id } documents { id } } } } }";
    let answer = server.graphql(page, json!({}), Some(&token));
    assert_eq!(code(&answer), "LIMIT_EXCEEDED", "{answer}");
    // More rows than a page holds.
    let answer = server.graphql(
        "{ findClients(search: { name: \"lopez\" }, first: 1000) { edges { cursor } } }",
        json!({}),
        Some(&token),
    );
    assert_eq!(code(&answer), "LIMIT_EXCEEDED", "{answer}");
    // An array batch is not accepted.
    let batch = server.post(
        "/graphql",
        r#"[{"query":"{ me { role } }"},{"query":"{ me { role } }"}]"#,
        Some(&token),
    );
    assert!(batch.status >= 400, "{batch:?}");
    // An oversized body.
    let huge = format!(
        r#"{{"query":"{{ me {{ role }} }}","variables":{{"x":"{}"}}}}"#,
        "x".repeat(200_000)
    );
    assert_eq!(
        server.post_alone("/graphql", huge, Some(&token)).status,
        413
    );
    // No introspection or field suggestions outside dev mode.
    let introspection = server.graphql("{ __schema { types { name } } }", json!({}), Some(&token));
    assert!(
        introspection["data"]["__schema"].is_null(),
        "{introspection}"
    );
    assert!(
        !introspection.to_string().contains("Organization"),
        "no type names leak: {introspection}"
    );
    let typo = server.graphql("{ mee { role } }", json!({}), Some(&token));
    assert!(!typo.to_string().contains("Did you mean"), "{typo}");
    assert_eq!(code(&typo), "VALIDATION");
    assert_eq!(server.get("/healthz").status, 200);
}

#[test]
fn accounts_are_managed_through_mutations_and_a_deactivated_users_token_stops_at_once() {
    let (dir, root) = bootstrapped();
    let server = Server::start(dir.path());
    let org = server.graphql(
        r#"mutation { createOrganization(name: "We Care") { organization { id name } position } }"#,
        json!({}),
        Some(&root),
    );
    let org_id = org["data"]["createOrganization"]["organization"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{org}"))
        .to_string();
    let create_user = "mutation($o: ID!, $u: String!, $r: RoleName!) { createUser(organizationId: $o, username: $u, displayName: $u, role: $r) { userId } }";
    let admin = server.graphql(
        create_user,
        json!({ "o": org_id, "u": "wecare-admin", "r": "AGENCY_ADMIN" }),
        Some(&root),
    );
    let admin_id = admin["data"]["createUser"]["userId"]
        .as_str()
        .unwrap()
        .to_string();
    let issue = "mutation($u: ID!) { issueToken(userId: $u, name: \"dashboard\") { tokenId token expiresAt } }";
    let admin_token =
        server.graphql(issue, json!({ "u": admin_id }), Some(&root))["data"]["issueToken"]["token"]
            .as_str()
            .unwrap()
            .to_string();

    // The agency administrator creates a case manager in their own organization and a token.
    let cm = server.graphql(
        create_user,
        json!({ "o": org_id, "u": "maria", "r": "CASE_MANAGER" }),
        Some(&admin_token),
    );
    let cm_id = cm["data"]["createUser"]["userId"]
        .as_str()
        .unwrap_or_else(|| panic!("{cm}"))
        .to_string();
    let cm_token = server.graphql(issue, json!({ "u": cm_id }), Some(&admin_token))["data"]["issueToken"]["token"].as_str().unwrap().to_string();
    let me = server.graphql(
        "{ me { role organization { name } } }",
        json!({}),
        Some(&cm_token),
    );
    assert_eq!(me["data"]["me"]["role"], "CASE_MANAGER");
    assert_eq!(me["data"]["me"]["organization"]["name"], "We Care");

    // The agency administrator lists Maria's tokens: named, expiring, just used; never a secret.
    let listed = server.graphql(
        "query($u: ID!) { tokens(userId: $u) { id name active expiresAt lastUsedAt revokedAt } }",
        json!({ "u": cm_id }),
        Some(&admin_token),
    );
    let tokens = listed["data"]["tokens"]
        .as_array()
        .unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(tokens.len(), 1, "{listed}");
    assert_eq!(tokens[0]["name"], "dashboard");
    assert_eq!(tokens[0]["active"], true);
    assert!(tokens[0]["expiresAt"].is_string() && tokens[0]["lastUsedAt"].is_string());
    assert!(
        !listed
            .to_string()
            .contains(cm_token.rsplit('_').next().unwrap())
    );

    // The case manager may not create organizations or help desk users; malformed ids name the field.
    let denied = server.graphql(
        r#"mutation { createOrganization(name: "Mine") { position } }"#,
        json!({}),
        Some(&cm_token),
    );
    assert_eq!(code(&denied), "FORBIDDEN");
    let bad_id = server.graphql(issue, json!({ "u": "not-an-id" }), Some(&admin_token));
    assert_eq!(
        (
            code(&bad_id),
            bad_id["errors"][0]["extensions"]["field"].as_str()
        ),
        ("VALIDATION", Some("userId"))
    );

    let deactivate = server.graphql(
        "mutation($u: ID!) { deactivateUser(userId: $u) { position } }",
        json!({ "u": cm_id }),
        Some(&admin_token),
    );
    assert!(deactivate["errors"].is_null(), "{deactivate}");
    let after = server.graphql("{ me { role } }", json!({}), Some(&cm_token));
    assert_eq!(code(&after), "UNAUTHENTICATED");
}
