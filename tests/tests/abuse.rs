//! A hostile client against the real binary, over loopback: documents that expand
//! exponentially, slow and idle connections, oversized heads, guessed tokens, bodies that are
//! not one JSON request, cross-site-shaped posts, and what every answer must carry. After each
//! attack the log head has not moved and `/healthz` and a normal query answer within a
//! second. (Hostile text and dates in commands: `abuse_input.rs`; identifiers at rest:
//! `pii.rs`.)

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use caseledger_tests::{Server, bootstrapped, command};
use serde_json::{Value, json};

fn code(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {answer}"))
}

/// `serve` on `dir` with extra flags.
fn serve(dir: &std::path::Path, flags: &[&str]) -> Server {
    let mut cmd = command();
    cmd.arg("serve")
        .arg("--data")
        .arg(dir)
        .args(["--addr", "127.0.0.1:0"])
        .args(flags);
    Server::spawn(cmd)
}

fn position(server: &Server) -> u64 {
    server.get("/healthz").json()["logPosition"]
        .as_u64()
        .expect("logPosition")
}

/// `/healthz` and `{ me { role } }` both answer, each within a second.
fn assert_healthy(server: &Server, token: &str) {
    let started = Instant::now();
    assert_eq!(server.get("/healthz").status, 200);
    let me = server.graphql("{ me { role } }", json!({}), Some(token));
    assert_eq!(me["data"]["me"]["role"], "SYSTEM_ADMIN", "{me}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "health check and query took {:?}",
        started.elapsed()
    );
}

/// Sends raw bytes on a new connection and reads what comes back until the server closes or
/// `wait` passes.
fn raw(addr: SocketAddr, bytes: &[u8], wait: Duration) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(wait)).unwrap();
    // The server may answer and close before everything is written (a head that is too large).
    let _ = stream.write_all(bytes);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// The status code of a raw HTTP answer.
fn status_of(answer: &str) -> u16 {
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"))
}

/// The JSON body of a raw HTTP answer that is not chunked.
fn body_of(answer: &str) -> Value {
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer:?}"))
}

/// `{ me { ...F0 } }` where each of `levels` fragments spreads the next twice: under 1.5 KB,
/// 2^levels selections once spread.
fn fan_out(levels: usize) -> String {
    let mut doc = String::from("{ me { ...F0 } } ");
    for i in 0..levels {
        doc.push_str(&format!(
            "fragment F{i} on Me {{ userId ...F{n} ...F{n} }} ",
            n = i + 1
        ));
    }
    doc.push_str(&format!("fragment F{levels} on Me {{ role }}"));
    doc
}

#[test]
fn a_fragment_fan_out_is_refused_at_once_while_others_are_served() {
    let (dir, token) = bootstrapped();
    let server = serve(dir.path(), &[]);
    let head = position(&server);
    let bomb = fan_out(30);
    assert!(bomb.len() < 1_500);
    let body = json!({ "query": bomb }).to_string();
    let url = server.url("/graphql");
    let send = |client: &reqwest::blocking::Client| {
        let started = Instant::now();
        let answer: Value = client
            .post(&url)
            .header("content-type", "application/json")
            .bearer_auth(&token)
            .body(body.clone())
            .send()
            .expect("POST")
            .json()
            .expect("JSON");
        (started.elapsed(), answer)
    };
    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let (took, answer) = send(&client);
    assert_eq!(code(&answer), "LIMIT_EXCEEDED", "{answer}");
    assert!(took < Duration::from_millis(100), "one copy took {took:?}");

    // Eight at once (more than the server's workers), while health checks go on.
    let healthz = server.url("/healthz");
    std::thread::scope(|scope| {
        let checks = scope.spawn(|| {
            let client = reqwest::blocking::Client::builder()
                .no_proxy()
                .build()
                .unwrap();
            let mut slowest = Duration::ZERO;
            for _ in 0..20 {
                let started = Instant::now();
                assert_eq!(client.get(&healthz).send().expect("healthz").status(), 200);
                slowest = slowest.max(started.elapsed());
            }
            slowest
        });
        let copies: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    let client = reqwest::blocking::Client::builder()
                        .no_proxy()
                        .build()
                        .unwrap();
                    send(&client)
                })
            })
            .collect();
        for copy in copies {
            let (took, answer) = copy.join().unwrap();
            assert_eq!(code(&answer), "LIMIT_EXCEEDED", "{answer}");
            assert!(
                took < Duration::from_millis(100),
                "a concurrent copy took {took:?}"
            );
        }
        let slowest = checks.join().unwrap();
        assert!(
            slowest < Duration::from_secs(1),
            "/healthz took {slowest:?}"
        );
    });
    // A document within the limits but large enough to be validated off the async workers
    // (2^8 selections) is answered.
    let fine = server.graphql(&fan_out(7), json!({}), Some(&token));
    assert_eq!(fine["data"]["me"]["role"], "SYSTEM_ADMIN", "{fine}");
    // A fragment that spreads itself is refused too, and nothing was written.
    let cycle = server.graphql(
        "{ me { ...A } } fragment A on Me { role ...B } fragment B on Me { userId ...A }",
        json!({}),
        Some(&token),
    );
    assert_eq!(code(&cycle), "LIMIT_EXCEEDED", "{cycle}");
    assert_eq!(position(&server), head);
    assert_healthy(&server, &token);
}

#[test]
fn half_sent_heads_and_idle_connections_are_closed_and_heads_over_16_kib_refused() {
    let (dir, token) = bootstrapped();
    let server = serve(dir.path(), &["--header-read-timeout", "1"]);
    let addr = server.addr();
    // 300 connections that never finish their request head.
    let mut slow: Vec<TcpStream> = (0..300)
        .map(|_| {
            let mut s = TcpStream::connect(addr).expect("connect");
            s.write_all(b"POST /graphql HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                .unwrap();
            s
        })
        .collect();
    // A kept-alive connection that goes idle after one answer.
    let mut idle = TcpStream::connect(addr).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut first = [0u8; 512];
    let n = idle.read(&mut first).unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"));
    std::thread::sleep(Duration::from_millis(2_500));
    for (i, s) in slow.iter_mut().enumerate() {
        s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let mut buf = [0u8; 256];
        match s.read(&mut buf) {
            // Closed, possibly after a 408 answer.
            Ok(0) | Err(_) => {}
            Ok(n) => {
                let answer = String::from_utf8_lossy(&buf[..n]);
                assert!(
                    answer.starts_with("HTTP/1.1 408"),
                    "connection {i}: {answer}"
                );
            }
        }
    }
    let mut rest = Vec::new();
    assert_eq!(
        idle.read_to_end(&mut rest).map(|_| rest.len()).unwrap_or(0),
        0,
        "the idle connection was closed"
    );
    drop(slow);
    assert_healthy(&server, &token);

    // Heads: 10 KiB is fine; 20 KiB is 431 in the API's shape; 200 KiB is 431 too.
    let head = |bytes: usize| {
        format!(
            "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: {}\r\nConnection: close\r\n\r\n",
            "a".repeat(bytes)
        )
    };
    let wait = Duration::from_secs(5);
    assert_eq!(status_of(&raw(addr, head(10 * 1024).as_bytes(), wait)), 200);
    let over = raw(addr, head(20 * 1024).as_bytes(), wait);
    assert_eq!(status_of(&over), 431, "{over}");
    assert_eq!(code(&body_of(&over)), "REQUEST_HEADER_TOO_LARGE");
    assert!(
        over.to_ascii_lowercase()
            .contains("x-content-type-options: nosniff"),
        "{over}"
    );
    let far_over = raw(addr, head(200 * 1024).as_bytes(), wait);
    assert_eq!(status_of(&far_over), 431);
    assert_healthy(&server, &token);
}

#[test]
fn connections_over_the_cap_wait_instead_of_exhausting_the_file_limit() {
    let (dir, token) = bootstrapped();
    // A low open-file limit, as on a small host: the cap is lowered to fit under it.
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -n 256 && exec \"$0\" \"$@\"")
        .arg(caseledger_tests::binary())
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--header-read-timeout",
            "2",
            "--data",
        ])
        .arg(dir.path());
    for var in caseledger_tests::CLI_ENV_VARS {
        cmd.env_remove(var);
    }
    let server = Server::spawn(cmd);
    let addr = server.addr();
    let idle: Vec<TcpStream> = (0..300)
        .filter_map(|_| TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok())
        .collect();
    assert!(idle.len() >= 100, "{} connections opened", idle.len());
    // The idle ones are closed after 2 s; meanwhile new requests wait, then are served.
    let started = Instant::now();
    assert_eq!(server.get("/healthz").status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    drop(idle);
    std::thread::sleep(Duration::from_millis(200));
    assert_healthy(&server, &token);
    assert!(
        !server.stderr().contains("Too many open files"),
        "{}",
        server.stderr()
    );
}

/// A blocking client whose connections come from `source` (any 127.x.y.z is loopback).
fn client_from(source: [u8; 4]) -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .local_address(IpAddr::from(source))
        .build()
        .unwrap()
}

fn me(
    client: &reqwest::blocking::Client,
    server: &Server,
    bearer: &str,
) -> reqwest::blocking::Response {
    client
        .post(server.url("/graphql"))
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {bearer}"))
        .body(json!({ "query": "{ me { role } }" }).to_string())
        .send()
        .expect("POST")
}

#[test]
fn guessed_tokens_are_throttled_per_address_and_per_token_and_logged_without_secrets() {
    let (dir, token) = bootstrapped();
    let server = serve(dir.path(), &[]);
    let attacker = client_from([127, 0, 0, 1]);
    let mut throttled = 0;
    let mut first_secret = String::new();
    for i in 0..300u32 {
        let secret = format!("{:064x}", u128::from(i).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        if i == 0 {
            first_secret.clone_from(&secret);
        }
        let guess = format!("clt_01J{i:023}_{secret}");
        let answer = me(&attacker, &server, &guess);
        if answer.status() == 429 {
            throttled += 1;
            let wait: u64 = answer.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=60).contains(&wait), "Retry-After {wait}");
            let body: Value = answer.json().unwrap();
            assert_eq!(code(&body), "RATE_LIMITED");
        } else {
            let body: Value = answer.json().unwrap();
            assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
        }
    }
    assert!(throttled >= 250, "{throttled} of 300 guesses throttled");
    // Even the right token is not checked from the throttled address...
    assert_eq!(me(&attacker, &server, &token).status(), 429);
    // ...while the same user from another address is served.
    let other = client_from([127, 0, 0, 2]);
    let answer: Value = me(&other, &server, &token).json().unwrap();
    assert_eq!(answer["data"]["me"]["role"], "SYSTEM_ADMIN", "{answer}");

    // Guesses at one token id from many addresses: that id is throttled everywhere.
    let (id, _) = token
        .strip_prefix("clt_")
        .and_then(|t| t.split_once('_'))
        .expect("token shape");
    for i in 0..8u8 {
        let from = client_from([127, 0, 1, i + 1]);
        let _ = me(&from, &server, &format!("clt_{id}_{:064}", i));
    }
    let fresh = client_from([127, 0, 2, 1]);
    assert_eq!(
        me(&fresh, &server, &format!("clt_{id}_{:064}", 99)).status(),
        429
    );
    // Every failure is in the log with its address, never the secret.
    let log = server.stderr();
    assert!(log.contains("authentication failed"), "{log}");
    assert!(log.contains("127.0.1.3"), "addresses are logged");
    assert!(!log.contains(&first_secret), "a secret was logged");
    assert_eq!(server.get("/healthz").status, 200);
}

#[test]
fn every_rejection_speaks_the_apis_language() {
    let (dir, token) = bootstrapped();
    let server = serve(dir.path(), &["--request-timeout", "2"]);
    let addr = server.addr();
    let head = position(&server);
    let post = |content_type: &str, body: &[u8], extra: &str| {
        let request = format!(
            "POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
            body.len()
        );
        let mut bytes = request.into_bytes();
        bytes.extend_from_slice(body);
        raw(addr, &bytes, Duration::from_secs(10))
    };
    let expect = |answer: &str, status: u16, expected: &str| {
        assert_eq!(status_of(answer), status, "{answer}");
        assert!(
            answer
                .to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{answer}"
        );
        let body = body_of(answer);
        assert_eq!(code(&body), expected, "{answer}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        for debug in ["Error(", "Custom {", "kind:", "InvalidRequest", "Io("] {
            assert!(!message.contains(debug), "debug text in {message:?}");
        }
    };
    // Bad UTF-8 in the JSON body.
    expect(
        &post("application/json", b"{\"query\":\"\xff\xfe\"}", ""),
        400,
        "BAD_REQUEST",
    );
    // A JSON array batch.
    expect(
        &post("application/json", br#"[{"query":"{ me { role } }"}]"#, ""),
        400,
        "BAD_REQUEST",
    );
    // Over the body limit, declared and chunked.
    let big = format!(
        r#"{{"query":"{{ me {{ role }} }}","variables":{{"x":"{}"}}}}"#,
        "x".repeat(70_000)
    );
    expect(
        &post("application/json", big.as_bytes(), ""),
        413,
        "PAYLOAD_TOO_LARGE",
    );
    let mut chunked = format!(
        "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n",
        big.len()
    )
    .into_bytes();
    chunked.extend_from_slice(big.as_bytes());
    chunked.extend_from_slice(b"\r\n0\r\n\r\n");
    expect(
        &raw(addr, &chunked, Duration::from_secs(10)),
        413,
        "PAYLOAD_TOO_LARGE",
    );
    // A body that never finishes: stopped at the 2 s deadline.
    let started = Instant::now();
    let stalled = raw(
        addr,
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\":",
        Duration::from_secs(10),
    );
    expect(&stalled, 503, "TIMEOUT");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // Unknown paths and methods.
    let get = |path: &str| {
        raw(
            addr,
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
            Duration::from_secs(5),
        )
    };
    expect(&get("/nothing-here"), 404, "NOT_FOUND");
    expect(&get("/graphql"), 405, "METHOD_NOT_ALLOWED");
    // The dashboard page refuses in the same shape.
    expect(
        &get("/record-requests/nope/dashboard"),
        401,
        "UNAUTHENTICATED",
    );
    assert_eq!(position(&server), head);
    assert_healthy(&server, &token);
}

#[test]
fn only_json_posts_run_and_answers_carry_the_headers_for_data_about_people() {
    let (dir, token) = bootstrapped();
    let server = serve(dir.path(), &[]);
    let head = position(&server);
    let mutation =
        json!({ "query": "mutation { createOrganization(name: \"Forged\") { position } }" })
            .to_string();
    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let post = |content_type: &str, accept: Option<&str>, body: String| {
        let mut request = client
            .post(server.url("/graphql"))
            .header("content-type", content_type)
            .bearer_auth(&token)
            .body(body);
        if let Some(accept) = accept {
            request = request.header("accept", accept);
        }
        request.send().expect("POST")
    };
    // What a cross-site form or a no-preflight fetch can send.
    for content_type in [
        "text/plain",
        "text/plain;charset=UTF-8",
        "multipart/form-data; boundary=xyz",
        "application/x-www-form-urlencoded",
    ] {
        let answer = post(content_type, None, mutation.clone());
        assert_eq!(answer.status(), 415, "{content_type}");
        assert_eq!(code(&answer.json().unwrap()), "UNSUPPORTED_MEDIA_TYPE");
    }
    let html_only = post("application/json", Some("text/html"), mutation.clone());
    assert_eq!(html_only.status(), 406);
    assert_eq!(position(&server), head, "no refused post wrote anything");

    // The GraphQL-over-HTTP media type is answered in kind.
    let typed = post(
        "application/json",
        Some("application/graphql-response+json"),
        json!({ "query": "{ me { role } }" }).to_string(),
    );
    assert_eq!(
        typed.headers()["content-type"],
        "application/graphql-response+json"
    );
    let answer = post(
        "application/json; charset=utf-8",
        None,
        json!({ "query": "{ me { role } }" }).to_string(),
    );
    for (name, value) in [
        ("cache-control", "no-store"),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
    ] {
        assert_eq!(answer.headers()[name], value, "{name}");
    }
    let csp = answer.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    // RFC 7235: the scheme is case-insensitive.
    let lower: Value = client
        .post(server.url("/graphql"))
        .header("content-type", "application/json")
        .header("authorization", format!("bearer {token}"))
        .body(json!({ "query": "{ me { role } }" }).to_string())
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(lower["data"]["me"]["role"], "SYSTEM_ADMIN", "{lower}");
    assert_healthy(&server, &token);
}
