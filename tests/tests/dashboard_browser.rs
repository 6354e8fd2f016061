//! The printable client record dashboard in a real browser: headless Chromium prints the page
//! served at `GET /record-requests/{id}/dashboard` to PDF and renders its DOM, and every section
//! is there. Needs Chromium, so it is ignored by `cargo test`; `scripts/browser-test.sh`
//! (run by `.ci/run`) installs Debian's `chromium` when missing and runs it.

use std::process::Command;

use caseledger_tests::coc::{INTAKE, client_id, intake, stanislaus};
use serde_json::json;

const SECTIONS: [&str; 5] = [
    "Client Profile",
    "Release of Information",
    "Enrollment History",
    "Client Documentation",
    "Accounting of Disclosures",
];

fn chromium(args: &[&str]) -> std::process::Output {
    let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".into());
    Command::new(&binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
        ])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {binary} (set CHROMIUM): {e}"))
}

/// The page's content policy refused nothing: Chromium's console reports no violation.
fn refused_nothing(run: &std::process::Output) {
    let console = String::from_utf8_lossy(&run.stderr);
    assert!(
        !console.contains("Content Security Policy"),
        "the page's policy refused part of it:\n{console}"
    );
}

#[test]
#[ignore = "needs Chromium: run scripts/browser-test.sh"]
fn the_dashboard_page_prints_every_section_in_chromium() {
    let (mut coc, setup) = stanislaus("2026-06-15");
    coc.user("helpdesk", "lead", "HELP_DESK");
    let maria = client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake(
            "Maria",
            "Lopez",
            "1990-04-02",
            "123456789",
            0,
            "SHARE_WITH_MOU",
        ),
    ));
    coc.ok("ccc_cm", "mutation($c: ID!, $m: ID!) { assignMou(clientId: $c, mouId: $m, start: \"2026-01-01\") { position } }", json!({ "c": maria, "m": setup.mou }));
    coc.ok("ccc_cm", "mutation($c: ID!, $p: ID!) { enrollClient(input: { clientId: $c, programId: $p, entryDate: \"2026-02-01\" }) { id } }", json!({ "c": maria, "p": setup.rrh }));
    coc.ok("ccc_cm", "mutation($c: ID!) { addDocument(input: { clientId: $c, name: \"Lease.pdf\", documentType: \"Lease\" }) { id } }", json!({ "c": maria }));
    coc.ok(
        "chss_cm",
        "query($c: ID!) { client(id: $c) { lastName } }",
        json!({ "c": maria }),
    );
    let request = coc.ok("ccc_admin", "mutation($c: ID!) { submitClientRecordRequest(clientId: $c, deliveryMethod: IN_PERSON_PICKUP) { request { id } } }", json!({ "c": maria }))
        ["submitClientRecordRequest"]["request"]["id"].as_str().unwrap().to_string();
    for step in ["startClientRecordRequest", "fulfillClientRecordRequest"] {
        coc.ok(
            "helpdesk",
            &format!("mutation($r: ID!) {{ {step}(requestId: $r) {{ position }} }}"),
            json!({ "r": request }),
        );
    }
    let page = coc.server.get_with(
        &format!("/record-requests/{request}/dashboard"),
        Some(&coc.token("ccc_admin")),
    );
    assert_eq!(page.status, 200, "{page:?}");

    let out = tempfile::tempdir().unwrap();
    let html = out.path().join("dashboard.html");
    std::fs::write(&html, &page.body).unwrap();
    let url = format!("file://{}", html.display());
    let pdf = out.path().join("dashboard.pdf");
    let printed = chromium(&[
        &format!("--print-to-pdf={}", pdf.display()),
        "--no-pdf-header-footer",
        &url,
    ]);
    assert!(printed.status.success(), "{printed:?}");
    let bytes = std::fs::read(&pdf).expect("chromium wrote the PDF");
    assert!(
        bytes.starts_with(b"%PDF") && bytes.len() > 2_000,
        "a real PDF ({} bytes)",
        bytes.len()
    );
    let png = out.path().join("dashboard.png");
    let shot = chromium(&[
        &format!("--screenshot={}", png.display()),
        "--window-size=1000,2400",
        &url,
    ]);
    assert!(shot.status.success(), "{shot:?}");
    assert!(
        std::fs::read(&png)
            .expect("screenshot")
            .starts_with(b"\x89PNG")
    );
    // The page's own content policy (its inline style by hash) holds in a real browser: the
    // console reports no violation.
    let dom = chromium(&["--enable-logging=stderr", "--v=0", "--dump-dom", &url]);
    assert!(dom.status.success(), "{dom:?}");
    refused_nothing(&dom);
    let dom = String::from_utf8_lossy(&dom.stdout);
    for section in SECTIONS {
        assert!(
            dom.contains(&format!("<h2>{section}</h2>")),
            "{section} missing from the rendered page"
        );
    }
    for content in [
        "Maria Lopez",
        "XXX-XX-6789",
        "HPRP Rapid Re-Housing",
        "Lease.pdf",
        "0001",
        "Community Housing and Shelter Services",
    ] {
        assert!(
            dom.contains(content),
            "{content} missing from the rendered page"
        );
    }
    // Keep the artifacts where CI can pick them up.
    if let Ok(dir) = std::env::var("CASELEDGER_ARTIFACTS") {
        std::fs::create_dir_all(&dir).unwrap();
        for f in [&pdf, &png, &html] {
            std::fs::copy(f, std::path::Path::new(&dir).join(f.file_name().unwrap())).unwrap();
        }
    }
}

/// `serve --dev`'s GraphiQL renders from the binary's own assets under its strict policy (no
/// CDN, no inline script, no eval), with the bearer token field above it.
#[test]
#[ignore = "needs Chromium: run scripts/browser-test.sh"]
fn graphiql_renders_from_the_binarys_own_assets_in_chromium() {
    let root = tempfile::tempdir().unwrap();
    let mut cmd = caseledger_tests::command();
    cmd.args([
        "serve",
        "--demo",
        "--dev",
        "--addr",
        "127.0.0.1:0",
        "--data",
    ])
    .arg(root.path().join("data"));
    let server = caseledger_tests::Server::spawn(cmd);
    let url = server.url("/graphql");
    let dom = chromium(&[
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=10000",
        "--dump-dom",
        &url,
    ]);
    assert!(dom.status.success(), "{dom:?}");
    refused_nothing(&dom);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("graphiql-container"),
        "GraphiQL did not render:\n{dom}"
    );
    assert!(dom.contains("id=\"bearer\""), "no bearer token field");
    assert!(!dom.contains("Loading GraphiQL"), "still loading");
    server.terminate(std::time::Duration::from_secs(10));
}
