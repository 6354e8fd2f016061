//! Client record requests end to end over HTTP: submission by the agency that served the
//! client, due dates over weekends and holidays, the help desk queue with overdue requests
//! first, start, fulfilment, denial, revisions and delivery; the dashboard (enrollments the
//! agency cannot see, never case notes, identical after later events), the printable page and
//! the offline render, and who may do each.

use caseledger_tests::coc::{Coc, INTAKE, client_id, intake};
use caseledger_tests::run;
use serde_json::{Value, json};

const SUBMIT: &str = "mutation($c: ID!, $m: DeliveryMethodName!, $r: RecipientInput, $g: GuardianRelationshipName) { submitClientRecordRequest(clientId: $c, deliveryMethod: $m, recipient: $r, requesterRelationship: $g) { request { id dueDate status } position } }";
const QUEUE: &str = "query($o: Boolean!) { clientRecordRequests(overdue: $o) { id clientId status overdue dueDate revisions } }";
const DASHBOARD: &str = "query($r: ID!) { clientRecordDashboard(requestId: $r) { position html } }";

fn act(coc: &Coc, who: &str, mutation: &str, request: &str) -> Value {
    coc.ok(
        who,
        &format!(
            "mutation($r: ID!) {{ {mutation}(requestId: $r) {{ request {{ status }} position }} }}"
        ),
        json!({ "r": request }),
    )
}

fn page(coc: &Coc, request: &str, who: Option<&str>) -> caseledger_tests::HttpResponse {
    let token = who.map(|w| coc.token(w));
    coc.server.get_with(
        &format!("/record-requests/{request}/dashboard"),
        token.as_deref(),
    )
}

#[test]
fn a_record_request_from_submission_to_delivery_with_a_frozen_dashboard() {
    // Monday 2026-06-15, with Friday 2026-06-19 a holiday.
    let (mut coc, setup) = stanislaus_with_holiday();
    coc.user("helpdesk", "lead", "HELP_DESK");
    coc.user("chss_admin", "chss", "AGENCY_ADMIN");
    coc.user("city_admin", "city", "AGENCY_ADMIN");
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
    coc.ok(
        "ccc_cm",
        "mutation($c: ID!) { addCaseNote(clientId: $c, text: \"Sensitive conversation.\") { id } }",
        json!({ "c": maria }),
    );
    coc.ok("ccc_cm", "mutation($c: ID!) { addDocument(input: { clientId: $c, name: \"Lease.pdf\", documentType: \"Lease\" }) { id } }", json!({ "c": maria }));
    // CHSS's shelter enrollment is restricted to CHSS: CCC never sees it.
    let shelter = coc.ok("chss_cm", "{ programs { id name } }", json!({}))["programs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Emergency Shelter")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    coc.ok("chss_cm", "mutation($c: ID!, $p: ID!) { enrollClient(input: { clientId: $c, programId: $p, entryDate: \"2026-03-01\", restriction: RESTRICT_TO_ORGANIZATION }) { id } }", json!({ "c": maria, "p": shelter }));
    let ccc_view = coc.ok(
        "ccc_cm",
        "query($c: ID!) { client(id: $c) { enrollments { id } } }",
        json!({ "c": maria }),
    );
    assert_eq!(
        ccc_view["client"]["enrollments"].as_array().unwrap().len(),
        1
    );

    // Who may submit: CCC's administrator (it served her); not a case manager, not the city
    // (it sees her through the MOU but never served her), not the outside agency (NOT_FOUND).
    let pickup = json!({ "c": maria, "m": "IN_PERSON_PICKUP" });
    assert_eq!(
        coc.refused("ccc_cm", SUBMIT, pickup.clone()).code,
        "FORBIDDEN"
    );
    assert_eq!(
        coc.refused("city_admin", SUBMIT, pickup.clone()).code,
        "FORBIDDEN"
    );
    let email_without_address = json!({ "c": maria, "m": "ENCRYPTED_EMAIL" });
    assert_eq!(
        coc.refused("ccc_admin", SUBMIT, email_without_address)
            .field
            .as_deref(),
        Some("recipient.email")
    );
    let guardian = json!({ "c": maria, "m": "IN_PERSON_PICKUP", "g": "PARENT" });
    assert_eq!(
        coc.refused("ccc_admin", SUBMIT, guardian).field.as_deref(),
        Some("requesterRelationship"),
        "Maria is an adult"
    );
    let submitted = coc.ok("ccc_admin", SUBMIT, json!({ "c": maria, "m": "ENCRYPTED_EMAIL", "r": { "trustedContactName": "Ruth Advocate", "email": "ruth@example.org" } }));
    let request = submitted["submitClientRecordRequest"]["request"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Five business days from Monday the 15th, skipping Friday the 19th (a holiday): Tuesday.
    assert_eq!(
        submitted["submitClientRecordRequest"]["request"]["dueDate"],
        "2026-06-23"
    );
    assert_eq!(
        coc.refused("ccc_admin", SUBMIT, pickup.clone()).code,
        "CONFLICT",
        "one open request per client"
    );

    // A parent asks for a minor's record at CHSS; it will be denied.
    let leo = client_id(&coc.ok(
        "chss_cm",
        INTAKE,
        intake("Leo", "Lopez", "2016-09-01", "", 1, "SHARE_GLOBALLY"),
    ));
    let minor = coc.ok(
        "chss_admin",
        SUBMIT,
        json!({ "c": leo, "m": "IN_PERSON_PICKUP", "g": "PARENT" }),
    );
    let leo_request = minor["submitClientRecordRequest"]["request"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    // The queue: the help desk sees both, each agency its own; case managers nothing.
    let queue = coc.ok("helpdesk", QUEUE, json!({ "o": false }));
    assert_eq!(queue["clientRecordRequests"].as_array().unwrap().len(), 2);
    let own = coc.ok("ccc_admin", QUEUE, json!({ "o": false }));
    assert_eq!(own["clientRecordRequests"].as_array().unwrap().len(), 1);
    assert_eq!(
        coc.refused("ccc_cm", QUEUE, json!({ "o": false })).code,
        "FORBIDDEN"
    );

    // Only the help desk works the request; the dashboard exists once produced.
    let start = "mutation($r: ID!) { startClientRecordRequest(requestId: $r) { position } }";
    assert_eq!(
        coc.refused("ccc_admin", start, json!({ "r": request }))
            .code,
        "FORBIDDEN"
    );
    act(&coc, "helpdesk", "startClientRecordRequest", &request);
    assert_eq!(
        coc.refused("ccc_admin", DASHBOARD, json!({ "r": request }))
            .code,
        "CONFLICT"
    );
    let fulfilled = act(&coc, "helpdesk", "fulfillClientRecordRequest", &request);
    assert_eq!(
        fulfilled["fulfillClientRecordRequest"]["request"]["status"],
        "FULFILLED"
    );
    let deny = "mutation($r: ID!) { denyClientRecordRequest(requestId: $r, reason: \"Identity could not be verified.\") { request { status } } }";
    assert_eq!(
        coc.ok("helpdesk", deny, json!({ "r": leo_request }))["denyClientRecordRequest"]["request"]
            ["status"],
        "DENIED"
    );

    // The dashboard: CHSS's restricted enrollment is there, the case note is not.
    let dashboard =
        coc.ok("ccc_admin", DASHBOARD, json!({ "r": request }))["clientRecordDashboard"].clone();
    let html = dashboard["html"].as_str().unwrap().to_string();
    for section in [
        "Client Profile",
        "Release of Information",
        "Enrollment History",
        "Client Documentation",
        "Accounting of Disclosures",
    ] {
        assert!(html.contains(&format!("<h2>{section}</h2>")), "{section}");
    }
    assert!(
        html.contains("Emergency Shelter") && html.contains("HPRP Rapid Re-Housing"),
        "{html}"
    );
    assert!(html.contains("Lease.pdf") && html.contains("0001"));
    assert!(
        html.contains("XXX-XX-6789") && !html.contains("123456789"),
        "the SSN is masked"
    );
    assert!(!html.contains("Sensitive conversation"), "never case notes");
    // In plain language: HUD's words instead of its codes, dates as people write them, an
    // introduction, whom to call, and "Confidential".
    for words in [
        "PH – Rapid Re-Housing",
        "Emergency Shelter – ",
        "You asked for it, and you have the right to see it",
        "<h2>Questions and Revisions</h2>",
        "To ask for a change:",
        "the HMIS Help Desk",
        "Confidential",
        "Times shown in</dt><dd>UTC",
    ] {
        assert!(html.contains(words), "{words} missing:\n{html}");
    }
    for code in [
        "HUD code",
        "log position",
        "Project type",
        "(Grants)",
        "Intake",
    ] {
        assert!(!html.contains(code), "{code} printed:\n{html}");
    }
    assert!(
        html.contains("Community Housing and Shelter Services"),
        "CHSS's enrollment and its reads"
    );
    assert_eq!(
        coc.refused("ccc_cm", DASHBOARD, json!({ "r": request }))
            .code,
        "FORBIDDEN"
    );
    // Another agency's request is as unknown to it as an id never used.
    assert_eq!(
        coc.refused("chss_admin", DASHBOARD, json!({ "r": request }))
            .code,
        "NOT_FOUND"
    );

    // Later work does not change the dashboard.
    coc.ok("ccc_cm", "mutation($c: ID!) { addDocument(input: { clientId: $c, name: \"Later.pdf\", documentType: \"Other\" }) { id } }", json!({ "c": maria }));
    let again =
        coc.ok("helpdesk", DASHBOARD, json!({ "r": request }))["clientRecordDashboard"].clone();
    assert_eq!(again["html"], dashboard["html"]);
    assert_eq!(again["position"], dashboard["position"]);

    // The printable page: the requesting agency's administrators and the help desk only.
    let ok = page(&coc, &request, Some("ccc_admin"));
    assert_eq!(ok.status, 200, "{ok:?}");
    assert!(
        ok.content_type
            .as_deref()
            .unwrap_or_default()
            .starts_with("text/html")
    );
    assert_eq!(ok.body, html);
    // A page that names people: not cached, not framed, not sniffed, not referred, and
    // nothing loads but its own inline style (by hash).
    let csp = ok.header("content-security-policy").unwrap_or_default();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    assert!(
        csp.contains("style-src 'sha256-") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(ok.header("x-frame-options"), Some("DENY"));
    assert_eq!(ok.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(ok.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(ok.header("cache-control"), Some("no-store"));
    assert_eq!(page(&coc, &request, Some("ccc_cm")).status, 403);
    assert_eq!(page(&coc, &request, Some("chss_admin")).status, 404);
    assert_eq!(page(&coc, &request, None).status, 401);

    // Revisions and delivery by the agency; the history answers what changed.
    let revise = "mutation($r: ID!, $s: String!) { requestRecordRevision(requestId: $r, section: $s, description: \"Her address changed.\") { request { revisions } } }";
    assert_eq!(
        coc.refused(
            "ccc_admin",
            revise,
            json!({ "r": request, "s": "Case Notes" })
        )
        .field
        .as_deref(),
        Some("section")
    );
    let revised = coc.ok(
        "ccc_admin",
        revise,
        json!({ "r": request, "s": "Client Profile" }),
    );
    assert_eq!(
        revised["requestRecordRevision"]["request"]["revisions"],
        json!(["Client Profile"])
    );
    let deliver = "mutation($r: ID!) { recordRecordRequestDelivery(requestId: $r, method: ENCRYPTED_EMAIL, at: \"2026-06-15T15:00:00Z\") { request { status } } }";
    assert_eq!(
        coc.refused("chss_admin", deliver, json!({ "r": request }))
            .code,
        "NOT_FOUND"
    );
    assert_eq!(
        coc.ok("ccc_admin", deliver, json!({ "r": request }))["recordRecordRequestDelivery"]["request"]
            ["status"],
        "DELIVERED"
    );

    // A week later, a new request is overdue after its due date, and listed first.
    let ana = client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake("Ana", "Diaz", "1985-05-05", "", 0, "SHARE_GLOBALLY"),
    ));
    let late = coc.ok(
        "ccc_admin",
        SUBMIT,
        json!({ "c": ana, "m": "IN_PERSON_PICKUP" }),
    )["submitClientRecordRequest"]["request"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let coc = coc.restart("2026-06-24", &["--holidays", "2026-06-19"]);
    let overdue = coc.ok("helpdesk", QUEUE, json!({ "o": true }));
    assert_eq!(
        overdue["clientRecordRequests"].as_array().unwrap().len(),
        1,
        "{overdue}"
    );
    assert_eq!(overdue["clientRecordRequests"][0]["id"], late.as_str());
    let all = coc.ok("helpdesk", QUEUE, json!({ "o": false }));
    assert_eq!(
        all["clientRecordRequests"][0]["id"],
        late.as_str(),
        "overdue first"
    );

    // The offline render writes the same page, and is itself recorded.
    let dir = coc.stop();
    let out = dir.path().join("dashboard.html");
    let render = |extra: &[&str]| {
        let data = dir.path().to_str().unwrap();
        let mut args = vec![
            "record-request",
            "render",
            "--data",
            data,
            &request,
            "--out",
            out.to_str().unwrap(),
            "--as",
            "helpdesk",
        ];
        args.extend_from_slice(extra);
        let rendered = run(&args);
        assert_eq!(rendered.code, Some(0), "{rendered:?}");
        std::fs::read_to_string(&out).unwrap()
    };
    assert_eq!(render(&[]), html);
    // The CoC names its own help desk.
    let named = render(&["--help-desk", "the 211OC HMIS Help Desk (1-800-555-0100)"]);
    assert!(
        named.contains("contact the 211OC HMIS Help Desk (1-800-555-0100)"),
        "{named}"
    );
}

fn stanislaus_with_holiday() -> (Coc, caseledger_tests::coc::Setup) {
    caseledger_tests::coc::stanislaus_with("2026-06-15", &["--holidays", "2026-06-19"])
}

#[test]
fn business_days_skip_weekends_and_holidays() {
    use caseledger_core::testkit::date;
    use caseledger_service::business_days_after;
    // Friday → the next Friday; Saturday → the next Friday; a Monday holiday pushes it on.
    assert_eq!(
        business_days_after(date("2026-06-12"), 5, &[]),
        date("2026-06-19")
    );
    assert_eq!(
        business_days_after(date("2026-06-13"), 5, &[]),
        date("2026-06-19")
    );
    assert_eq!(
        business_days_after(date("2026-06-12"), 5, &[date("2026-06-15")]),
        date("2026-06-22")
    );
}

#[test]
fn the_help_desk_finds_a_private_client_by_name_with_a_stated_reason_that_is_recorded() {
    let (mut coc, _) = caseledger_tests::coc::stanislaus("2026-06-15");
    coc.user("helpdesk", "lead", "HELP_DESK");
    coc.user("auditor", "lead", "AUDITOR");
    let private = client_id(&coc.ok(
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
    // CHSS cannot find her; the help desk can, by id or (with a reason) by name.
    let by_name = "query($r: String!) { helpDeskFindClients(search: { name: \"vega\" }, reason: $r) { edges { node { id firstName } } } }";
    let find = "{ findClients(search: { name: \"vega\" }) { edges { node { id } } } }";
    assert_eq!(
        coc.ok("chss_cm", find, json!({}))["findClients"]["edges"],
        json!([])
    );
    assert_eq!(coc.refused("helpdesk", find, json!({})).code, "FORBIDDEN");
    assert_eq!(
        coc.refused(
            "chss_cm",
            by_name,
            json!({ "r": "CHSS called about a client" })
        )
        .code,
        "FORBIDDEN"
    );
    assert_eq!(
        coc.refused("helpdesk", by_name, json!({ "r": "because" }))
            .field
            .as_deref(),
        Some("reason")
    );
    let reason = "CHSS (Ann) called: cannot find the record of a client asking for it";
    let found = coc.ok("helpdesk", by_name, json!({ "r": reason }));
    assert_eq!(
        found["helpDeskFindClients"]["edges"][0]["node"]["id"],
        private.as_str()
    );
    let by_id = coc.ok(
        "helpdesk",
        "query($c: ID!) { findClients(search: { clientId: $c }) { edges { node { firstName } } } }",
        json!({ "c": private }),
    );
    assert_eq!(
        by_id["findClients"]["edges"][0]["node"]["firstName"],
        "Rosa"
    );
    // The search is on the client's access log as a deliberate access with its reason.
    let log = coc.ok(
        "auditor",
        "query($c: ID!) { accessLog(filter: { clientId: $c }) { entries { userId deliberate purpose records { rule } } } }",
        json!({ "c": private }),
    );
    let help_desk = coc.user_id("helpdesk");
    let entry = log["accessLog"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["userId"] == help_desk.as_str() && e["purpose"] == reason)
        .unwrap_or_else(|| panic!("{log}"))
        .clone();
    assert_eq!(entry["deliberate"], true);
    assert_eq!(entry["records"][0]["rule"], "HELP_DESK");
}
