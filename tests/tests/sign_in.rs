//! Sign-in through the CoC's identity provider, against a real one: node-oidc-provider
//! (`scripts/oidc-provider`, installed from npm by its `install.sh` when missing), started by
//! the test, issuing real signed access tokens. A test that cannot start it fails.
//!
//! And caseledger's own tokens beside it: issued offline for a locked-out administrator.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use caseledger_tests::{Server, bootstrapped, command, run_command};
use serde_json::{Value, json};

const STOP: Duration = Duration::from_secs(10);

fn provider_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/oidc-provider")
}

/// Installs node-oidc-provider (and node, when missing) once per test run, unless it is there.
fn install(dir: &Path) {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        if dir.join("node_modules/oidc-provider").is_dir() {
            return;
        }
        let status = Command::new("bash")
            .arg(dir.join("install.sh"))
            .stdin(Stdio::null())
            .status()
            .expect("bash runs");
        assert!(
            status.success(),
            "scripts/oidc-provider/install.sh failed: {status}"
        );
    });
    assert!(
        dir.join("node_modules/oidc-provider").is_dir(),
        "node-oidc-provider is not installed (scripts/oidc-provider/install.sh)"
    );
}

/// A running node-oidc-provider; stopped when dropped.
struct Provider {
    child: Child,
    issuer: String,
}

impl Provider {
    /// Starts one with the keys `keys` (the first signs) kept in `key_dir`, on `port` (0: any).
    fn start(key_dir: &Path, keys: &str, port: u16) -> Provider {
        let dir = provider_dir();
        install(&dir);
        let mut child = Command::new("node")
            .arg(dir.join("provider.mjs"))
            .env("KEY_DIR", key_dir)
            .env("KEYS", keys)
            .env("PORT", port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs (the machine has node; .ci/run checks)");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let issuer = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(issuer) = line.strip_prefix("issuer=") {
                        break issuer.to_string();
                    }
                }
                _ => panic!("the provider exited before it listened"),
            }
        };
        Provider { child, issuer }
    }

    fn port(&self) -> u16 {
        self.issuer.rsplit(':').next().unwrap().parse().unwrap()
    }

    /// An access token for `client` (the person before its first dash) for `resource`.
    fn token(&self, client: &str, resource: &str) -> String {
        let body = format!(
            "grant_type=client_credentials&client_id={client}&client_secret=secret\
             &scope=api&resource={resource}"
        );
        let answer: Value = reqwest::blocking::Client::new()
            .post(format!("{}/token", self.issuer))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .expect("the provider answers")
            .json()
            .expect("a JSON answer");
        answer["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no access token: {answer}"))
            .to_string()
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(data: &Path, issuer: &str) -> Server {
    let mut cmd = command();
    cmd.arg("serve")
        .arg("--data")
        .arg(data)
        .args(["--addr", "127.0.0.1:0"])
        .args(["--oidc-issuer", issuer, "--oidc-audience", "caseledger"])
        .args(["--oidc-clock-skew", "0"])
        // Every refusal below is a failed sign-in; the throttle is not what is tested.
        .args(["--auth-failure-burst", "1000"]);
    Server::spawn(cmd)
}

fn me(server: &Server, bearer: &str) -> Value {
    server.graphql("{ me { userId role } }", json!({}), Some(bearer))
}

fn code(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code: {answer}"))
}

/// Creates an agency and its case manager `maria`; her user id.
fn maria(server: &Server, admin: &str) -> String {
    let org = server.graphql(
        r#"mutation { createOrganization(name: "Children's Crisis Center") { organization { id } } }"#,
        json!({}),
        Some(admin),
    );
    let org = org["data"]["createOrganization"]["organization"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{org}"))
        .to_string();
    let user = server.graphql(
        "mutation($o: ID!) { createUser(organizationId: $o, username: \"maria\", \
         displayName: \"Maria\", role: CASE_MANAGER) { userId } }",
        json!({ "o": org }),
        Some(admin),
    );
    user["data"]["createUser"]["userId"]
        .as_str()
        .unwrap_or_else(|| panic!("{user}"))
        .to_string()
}

#[test]
fn identity_provider_tokens_sign_in_active_accounts_and_nothing_else() {
    let keys = tempfile::tempdir().unwrap();
    let provider = Provider::start(keys.path(), "k1", 0);
    let (dir, admin) = bootstrapped();
    let server = serve(dir.path(), &provider.issuer);
    let maria_id = maria(&server, &admin);

    // A valid token names Maria's account: she is signed in as herself, in her role.
    let valid = provider.token("maria", "urn:caseledger");
    let answer = me(&server, &valid);
    assert_eq!(
        answer["data"]["me"]["userId"],
        maria_id.as_str(),
        "{answer}"
    );
    assert_eq!(answer["data"]["me"]["role"], "CASE_MANAGER");
    // caseledger's own tokens keep working beside the provider's.
    assert!(me(&server, &admin)["data"]["me"]["userId"].is_string());

    // Refused alike: a subject with no account, another audience, expired, not yet valid,
    // a token whose signature does not match its claims.
    let nobody = provider.token("nobody", "urn:caseledger");
    let other_audience = provider.token("maria", "urn:other");
    let short = provider.token("maria-short", "urn:caseledger");
    let early = provider.token("maria-early", "urn:caseledger");
    let mut parts: Vec<String> = valid.split('.').map(str::to_string).collect();
    parts[1] = other_audience.split('.').nth(1).unwrap().to_string();
    let spliced = parts.join(".");
    std::thread::sleep(Duration::from_millis(2500)); // `short` lives one second
    for (what, token) in [
        ("unknown subject", &nobody),
        ("wrong audience", &other_audience),
        ("expired", &short),
        ("not yet valid", &early),
        ("bad signature", &spliced),
    ] {
        let answer = me(&server, token);
        assert_eq!(code(&answer), "UNAUTHENTICATED", "{what}: {answer}");
        assert!(answer["data"].is_null(), "{what}: {answer}");
    }

    // Another issuer signing with the very same key: refused on its issuer alone.
    let impostor = Provider::start(keys.path(), "k1", 0);
    let foreign = impostor.token("maria", "urn:caseledger");
    assert_eq!(code(&me(&server, &foreign)), "UNAUTHENTICATED");
    drop(impostor);

    // The provider rotates keys: it restarts publishing a new key k2 (which now signs) beside
    // k1. caseledger fetches the keys again when it meets k2, without a restart; tokens
    // signed with k1 before the rotation still work.
    let port = provider.port();
    drop(provider);
    let rotated = Provider::start(keys.path(), "k2,k1", port);
    let fresh = rotated.token("maria", "urn:caseledger");
    assert!(
        fresh
            .split('.')
            .next()
            .is_some_and(|h| h != valid.split('.').next().unwrap())
    );
    // Unknown keys are fetched at most every 5 seconds, so the first tries may be refused.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let answer = me(&server, &fresh);
        if answer["data"]["me"]["userId"] == maria_id.as_str() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the rotated key never verified: {answer}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    assert_eq!(
        me(&server, &valid)["data"]["me"]["userId"],
        maria_id.as_str()
    );

    // A deactivated account is refused at once, whatever the provider says.
    let deactivated = server.graphql(
        "mutation($u: ID!) { deactivateUser(userId: $u) { position } }",
        json!({ "u": maria_id }),
        Some(&admin),
    );
    assert!(deactivated["errors"].is_null(), "{deactivated}");
    assert_eq!(code(&me(&server, &fresh)), "UNAUTHENTICATED");

    let out = server.terminate(STOP);
    assert_eq!(out.code, Some(0), "{out:?}");
    // The log says why each was refused, for the operator, and holds no token.
    assert!(
        out.stderr.contains("identity provider token refused"),
        "{}",
        out.stderr
    );
    for token in [&valid, &fresh, &nobody, &foreign] {
        let signature = token.rsplit('.').next().unwrap();
        assert!(!out.stderr.contains(signature), "a token reached the log");
    }
}

#[test]
fn an_issuer_that_cannot_work_is_a_usage_error() {
    let (dir, _) = bootstrapped();
    let mut cmd = command();
    cmd.arg("serve")
        .arg("--data")
        .arg(dir.path())
        .args(["--addr", "127.0.0.1:0"])
        .args(["--oidc-issuer", "http://idp.example.org"])
        .args(["--oidc-audience", "caseledger"]);
    let out = run_command(cmd, Duration::from_secs(30));
    assert_eq!(out.code, Some(2), "{out:?}");
    // An issuer without an audience is refused by the flags themselves.
    let mut cmd = command();
    cmd.arg("serve")
        .arg("--data")
        .arg(dir.path())
        .args(["--oidc-issuer", "https://idp.example.org"]);
    assert_eq!(run_command(cmd, Duration::from_secs(30)).code, Some(2));
}

#[test]
fn a_locked_out_administrator_gets_a_token_offline() {
    let (dir, _) = bootstrapped();
    let data = dir.path().to_str().unwrap();
    let issue = |user: &str| {
        let mut cmd = command();
        cmd.args(["admin", "issue-token", "--data", data, "--user", user])
            .args(["--name", "break glass", "--days", "1"]);
        run_command(cmd, Duration::from_secs(60))
    };
    let out = issue("admin");
    assert_eq!(out.code, Some(0), "{out:?}");
    let token = out.stdout.trim().to_string();
    assert!(token.starts_with("clt_"), "{out:?}");
    let server = Server::start(dir.path());
    let listed = server.graphql(
        "{ tokens { name active expiresAt } }",
        json!({}),
        Some(&token),
    );
    let names: Vec<&str> = listed["data"]["tokens"]
        .as_array()
        .unwrap_or_else(|| panic!("{listed}"))
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["break glass", "bootstrap"], "newest first");
    assert_eq!(server.terminate(STOP).code, Some(0));
    // No such account: refused, and nothing is issued.
    let out = issue("nobody");
    assert_ne!(out.code, Some(0), "{out:?}");
    assert!(out.stdout.trim().is_empty(), "{out:?}");
}
