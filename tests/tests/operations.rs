//! Running the service as a CoC's HMIS administrator does, through the binary: safe
//! defaults when starting (a directory never bootstrapped, a port in use, host names), and
//! what a running server tells its operator (request ids, one log line per request, `/readyz`
//! and `/metrics`, CORS only for the origins named).

use std::time::Duration;

use caseledger_tests::{Server, bootstrapped, command, run_command};
use serde_json::json;

const STOP: Duration = Duration::from_secs(10);

fn serve(data: &std::path::Path, extra: &[&str]) -> std::process::Command {
    let mut cmd = command();
    cmd.arg("serve")
        .arg("--data")
        .arg(data)
        .args(["--addr", "127.0.0.1:0"])
        .args(extra);
    cmd
}

#[test]
fn serve_refuses_a_directory_never_bootstrapped_and_creates_nothing() {
    let root = tempfile::tempdir().unwrap();
    let typo = root.path().join("dtaa");
    let out = run_command(serve(&typo, &[]), Duration::from_secs(30));
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(out.stderr.contains("admin bootstrap"), "{out:?}");
    assert!(!typo.exists(), "serve created {}", typo.display());
    // An existing, empty directory (a volume mounted but never set up) too.
    let empty = root.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = run_command(serve(&empty, &[]), Duration::from_secs(30));
    assert_eq!(out.code, Some(2), "{out:?}");
    assert_eq!(
        std::fs::read_dir(&empty).unwrap().count(),
        0,
        "left files behind"
    );
}

#[test]
fn a_port_in_use_is_refused_before_the_data_directory_is_created() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let mut cmd = command();
    cmd.args(["serve", "--demo", "--addr", &addr])
        .arg("--data")
        .arg(&data);
    let out = run_command(cmd, Duration::from_secs(30));
    assert_eq!(out.code, Some(3), "{out:?}");
    assert!(out.stderr.contains("cannot listen on"), "{out:?}");
    assert!(
        !data.exists(),
        "no data directory or master key before the address is bound"
    );
}

#[test]
fn host_names_are_accepted_and_malformed_addresses_refused() {
    let (dir, _) = bootstrapped();
    let mut cmd = command();
    cmd.args(["serve", "--addr", "localhost:0"])
        .arg("--data")
        .arg(dir.path());
    let server = Server::spawn(cmd);
    assert!(server.addr().ip().is_loopback());
    assert_eq!(server.get("/healthz").status, 200);
    assert_eq!(server.terminate(STOP).code, Some(0));
    for bad in ["localhost", ":8080", "localhost:http", "localhost:70000"] {
        let mut cmd = command();
        cmd.args(["serve", "--addr", bad])
            .arg("--data")
            .arg(dir.path());
        let out = run_command(cmd, Duration::from_secs(30));
        assert_eq!(out.code, Some(2), "{bad}: {out:?}");
    }
}

/// The value of one sample of `name` with `labels`, if present.
fn sample(scrape: &prometheus_parse::Scrape, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            prometheus_parse::Value::Histogram(ref buckets) => {
                buckets.iter().map(|b| b.count).fold(0.0, f64::max)
            }
            prometheus_parse::Value::Summary(_) => f64::NAN,
        })
        .reduce(|a, b| a + b)
}

fn scrape(server: &Server) -> prometheus_parse::Scrape {
    let response = server.get("/metrics");
    assert_eq!(response.status, 200, "{response:?}");
    let lines = response.body.lines().map(|l| Ok(l.to_string()));
    prometheus_parse::Scrape::parse(lines).expect("Prometheus text format")
}

#[test]
fn a_running_server_logs_each_request_counts_it_and_says_when_it_is_ready() {
    let (dir, token) = bootstrapped();
    let server = Server::spawn(serve(
        dir.path(),
        &["--cors-origin", "https://hmis.example.org"],
    ));
    let ready = server.get("/readyz");
    assert_eq!(ready.status, 200, "{ready:?}");
    assert_eq!(ready.json()["ready"], json!(true));

    let before = scrape(&server);
    let query = r#"{"query":"query Me { me { userId } }"}"#;
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    // A proxy's id is kept and returned; a request without one gets one.
    let proxy_id = "0123456789abcdef0123456789abcdef";
    let answered = http
        .post(server.url("/graphql"))
        .header("content-type", "application/json")
        .header("x-request-id", proxy_id)
        .bearer_auth(&token)
        .body(query)
        .send()
        .unwrap();
    assert_eq!(answered.headers()["x-request-id"], proxy_id);
    let made = http
        .post(server.url("/graphql"))
        .header("content-type", "application/json")
        .header("x-request-id", "not an id; <script>")
        .body(query)
        .send()
        .unwrap();
    let made_id = made.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(ulid::Ulid::from_string(&made_id).is_ok(), "{made_id}");
    for _ in 0..3 {
        server.post("/graphql", query, Some("clt_nobody_wrongsecret"));
    }
    // A write, so the log commits while the metrics watch.
    let created = server.graphql(
        "mutation { createOrganization(name: \"Valley Shelter\") { organization { id } } }",
        json!({}),
        Some(&token),
    );
    assert!(created["errors"].is_null(), "{created}");

    let after = scrape(&server);
    let ok = [("operation", "query me"), ("outcome", "ok")];
    let moved = |name: &str, labels: &[(&str, &str)]| {
        let was = sample(&before, name, labels).unwrap_or(0.0);
        let now = sample(&after, name, labels).unwrap_or(0.0);
        assert!(now > was, "{name} {labels:?}: {was} -> {now}");
    };
    moved("caseledger_requests_total", &ok);
    moved("caseledger_request_duration_seconds_count", &ok);
    moved("caseledger_auth_failures_total", &[]);
    moved(
        "caseledger_requests_total",
        &[("operation", "query me"), ("outcome", "UNAUTHENTICATED")],
    );
    for series in [
        "caseledger_log_head_position",
        "caseledger_projector_lag_events",
        "caseledger_log_commit_seconds_count",
        "caseledger_log_commit_events_count",
    ] {
        assert!(sample(&after, series, &[]).is_some(), "{series} missing");
    }
    assert_eq!(
        sample(&after, "caseledger_projector_lag_events", &[]),
        Some(0.0)
    );

    // CORS: the named origin may call the API, another may not.
    let preflight = |origin: &str| {
        http.request(reqwest::Method::OPTIONS, server.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
            .unwrap()
    };
    let allowed = preflight("https://hmis.example.org");
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://hmis.example.org"
    );
    let other = preflight("https://evil.example.com");
    assert!(other.headers().get("access-control-allow-origin").is_none());

    let log = server.stderr();
    let stopped = server.terminate(STOP);
    assert_eq!(stopped.code, Some(0));
    let lines: Vec<&str> = log.lines().filter(|l| l.contains("request_id=")).collect();
    let line = lines
        .iter()
        .find(|l| l.contains(proxy_id))
        .unwrap_or_else(|| panic!("no line for the proxy's request id:\n{log}"));
    for field in [
        "method=POST",
        "path=/graphql",
        "operation=\"query me\"",
        "status=200",
        "latency_ms=",
        "user=",
        "organization=",
    ] {
        assert!(line.contains(field), "{field} missing from {line}");
    }
    assert!(lines.iter().any(|l| l.contains(&made_id)), "{log}");
    assert!(
        !log.contains("not an id"),
        "a client's id text reached the log"
    );
    assert!(
        !log.contains(&token) && !log.contains("wrongsecret"),
        "a token reached the log"
    );
    assert!(
        log.contains("sign-in failed"),
        "failed sign-ins leave a trace"
    );
}

#[test]
fn cors_is_off_by_default() {
    let (dir, _) = bootstrapped();
    let server = Server::spawn(serve(dir.path(), &[]));
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let answer = http
        .post(server.url("/graphql"))
        .header("origin", "https://hmis.example.org")
        .header("content-type", "application/json")
        .body(r#"{"query":"{ __typename }"}"#)
        .send()
        .unwrap();
    assert!(
        answer
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    assert_eq!(server.terminate(STOP).code, Some(0));
}

#[test]
fn log_stats_and_tail_answer_for_a_running_server() {
    let (dir, _) = bootstrapped();
    let data = dir.path().to_str().unwrap();
    let server = Server::start(dir.path());
    // The server holds the data directory's lock: these go through its admin socket.
    let mut stats = command();
    stats.args(["log", "stats", "--json", "--data", data]);
    let out = run_command(stats, Duration::from_secs(60));
    assert_eq!(out.code, Some(0), "{out:?}");
    let stats: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let head = stats["headPosition"].as_u64().unwrap();
    assert!(head >= 4, "{stats}");
    assert_eq!(stats["eventsByType"]["TokenIssued"], 1, "{stats}");
    let mut tail = command();
    tail.args(["log", "tail", "-n", "2", "--data", data]);
    let out = run_command(tail, Duration::from_secs(60));
    assert_eq!(out.code, Some(0), "{out:?}");
    let positions: Vec<u64> = out
        .stdout
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(positions, [head - 1, head], "{out:?}");
    assert_eq!(server.terminate(STOP).code, Some(0));
    assert!(
        !dir.path().join("admin.sock").exists(),
        "the socket is removed at shutdown"
    );
}

#[test]
fn graphiql_is_served_by_the_binary_in_dev_mode_only() {
    let (dir, _) = bootstrapped();
    let mut cmd = serve(dir.path(), &["--dev"]);
    cmd.env_remove("CASELEDGER_DEV");
    let server = Server::spawn(cmd);
    let page = server.get("/graphql");
    assert_eq!(page.status, 200);
    let html = page.body.clone();
    assert!(html.contains("id=\"bearer\""), "{html}");
    // Nothing from elsewhere: every script and style sheet is the binary's own.
    for reference in html
        .split(['"', '\''])
        .filter(|s| s.ends_with(".js") || s.ends_with(".css"))
    {
        assert!(reference.starts_with("/graphiql/"), "{reference}");
        let asset = server.get(reference);
        assert_eq!(asset.status, 200, "{reference}");
        assert!(!asset.body.is_empty(), "{reference}");
    }
    let policy = page.header("content-security-policy").unwrap();
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(
        !policy.contains("unsafe-eval") && !policy.contains("https:"),
        "{policy}"
    );
    assert_eq!(server.terminate(STOP).code, Some(0));
    // Without --dev: no page and no assets.
    let server = Server::spawn(serve(dir.path(), &[]));
    assert_eq!(server.get("/graphiql/start.js").status, 404);
    assert_ne!(server.get("/graphql").status, 200);
    assert_eq!(server.terminate(STOP).code, Some(0));
}
