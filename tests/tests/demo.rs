//! `caseledger serve --demo`: the newcomer's first command loads the MOU 0001 demo CoC into an
//! empty data directory, writes every demo user's token, and the demo shows the sharing rules
//! at work for each kind of organization.

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;

use caseledger_tests::{Server, command};
use serde_json::{Value, json};

fn serve_demo(dir: &std::path::Path) -> Server {
    let mut cmd = command();
    cmd.args([
        "serve",
        "--demo",
        "--data",
        dir.to_str().unwrap(),
        "--addr",
        "127.0.0.1:0",
    ]);
    Server::spawn(cmd)
}

fn read_tokens(dir: &std::path::Path) -> HashMap<String, String> {
    std::fs::read_to_string(dir.join("demo-tokens.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols[0].to_string(), cols[3].to_string())
        })
        .collect()
}

/// First names found, sorted (rows come in HMIS id order, which is not alphabetical).
fn names(answer: &Value) -> Vec<String> {
    let mut names: Vec<String> = answer["data"]["findClients"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"))
        .iter()
        .map(|e| e["node"]["firstName"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn the_demo_loads_once_and_shows_each_organization_what_mou_0001_allows() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve_demo(dir.path());
    let tokens = read_tokens(dir.path());
    let mode = std::fs::metadata(dir.path().join("demo-tokens.txt"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "tokens are readable by their owner only"
    );
    assert!(tokens.len() >= 15, "{tokens:?}");
    let ask = |who: &str, query: &str| server.graphql(query, json!({}), Some(&tokens[who]));
    let search = |who: &str, name: &str| {
        names(&ask(
            who,
            &format!(
                "{{ findClients(search: {{ name: \"{name}\" }}) {{ edges {{ node {{ firstName }} }} }} }}"
            ),
        ))
    };
    // MOU 0001 shares CCC's household with CHSS and the receiving city; not with the agency
    // outside it. Rosa is CCC's only.
    assert_eq!(search("chss-cm", "lopez"), ["Leo", "Maria"]);
    assert_eq!(search("city-cm", "lopez"), ["Leo", "Maria"]);
    assert!(search("valley-cm", "lopez").is_empty());
    assert_eq!(search("ccc-cm", "vega"), ["Rosa"]);
    assert!(search("chss-cm", "vega").is_empty());
    // Ana is shared globally; Grace reaches the city through a release of information.
    assert_eq!(search("valley-cm", "diaz"), ["Ana"]);
    assert_eq!(search("city-cm", "kim"), ["Grace"]);
    assert!(search("county-cm", "kim").is_empty());
    // James stays in the men's dorm (its first bed holds him); Maria's request is open.
    let stays = ask(
        "chss-cm",
        "{ findClients(search: { name: \"carter\" }) { edges { node { checkIns { bedId } } } } }",
    );
    assert!(
        !stays["data"]["findClients"]["edges"][0]["node"]["checkIns"][0]["bedId"].is_null(),
        "{stays}"
    );
    let queue = ask("helpdesk", "{ clientRecordRequests { status } }");
    assert_eq!(
        queue["data"]["clientRecordRequests"],
        json!([{ "status": "SUBMITTED" }])
    );
    let position = server.get("/healthz").json()["logPosition"]
        .as_u64()
        .unwrap();
    assert!(position > 50);
    let out = server.terminate(std::time::Duration::from_secs(20));
    assert_eq!(out.code, Some(0));
    assert!(
        out.stdout.contains("demo-tokens.txt") && out.stdout.contains("curl -s"),
        "{out:?}"
    );

    // Serving it again with --demo loads nothing twice.
    let again = serve_demo(dir.path());
    let after = again.get("/healthz").json()["logPosition"]
        .as_u64()
        .unwrap();
    assert!(
        after >= position && after < position + 5,
        "{position} → {after}"
    );
    assert_eq!(read_tokens(dir.path()), tokens);
}

/// The web dashboard is at `/` under its own strict policy; the one-click demo sign-in exists
/// only with `--demo --dev`, lists no token, and answers a demo user's working token.
#[test]
fn the_web_dashboard_offers_a_one_click_demo_sign_in_only_in_development_mode() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve_demo(dir.path());
    let page = server.get("/");
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.body.contains("/app/app.js"), "{}", page.body);
    let policy = page.header("content-security-policy").unwrap_or_default();
    assert!(
        policy.contains("script-src 'self'") && !policy.contains("unsafe"),
        "{policy}"
    );
    assert_eq!(server.get("/app/app.js").status, 200);
    assert_eq!(server.get("/app/no-such.js").status, 404);
    let options = server.get("/app/sign-in.json").json();
    assert_eq!(
        options["demoUsers"],
        json!([]),
        "no demo sign-in without --dev"
    );
    let body = json!({ "username": "chss-cm" }).to_string();
    // No such route: the path is only one of the page's files, which are read, never posted.
    let refused = server.post("/app/demo-sign-in", body.clone(), None);
    assert_eq!(refused.status, 405, "{refused:?}");
    drop(server);

    let mut cmd = command();
    cmd.args([
        "serve",
        "--demo",
        "--dev",
        "--data",
        dir.path().to_str().unwrap(),
        "--addr",
        "127.0.0.1:0",
    ]);
    let server = Server::spawn(cmd);
    let options = server.get("/app/sign-in.json");
    let tokens = read_tokens(dir.path());
    for token in tokens.values() {
        assert!(!options.body.contains(token.as_str()), "a token is listed");
    }
    let users = options.json()["demoUsers"].clone();
    assert!(
        users
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["username"] == "chss-cm" && u["role"] == "CASE_MANAGER"),
        "{users}"
    );
    let signed = server.post("/app/demo-sign-in", body, None).json();
    let token = signed["token"].as_str().unwrap().to_string();
    assert_eq!(&token, &tokens["chss-cm"]);
    let me = server.graphql("{ me { role } }", json!({}), Some(&token));
    assert_eq!(me["data"]["me"]["role"], "CASE_MANAGER", "{me}");
    let nobody = json!({ "username": "nobody" }).to_string();
    assert_eq!(server.post("/app/demo-sign-in", nobody, None).status, 404);
}
