//! The client record dashboard as a print-ready HTML page: an introduction, the sections of the
//! HMIS client record request procedure each with what it holds and how to ask for a change,
//! whom to call, "Confidential" and the page number on every printed page; HUD codes as HUD's
//! words and times in the CoC's zone (see `words.rs`); one inline style sheet and no external
//! assets (it is printed or sent encrypted, never fetched from).

use std::fmt::Write;

use caseledger_core::events::DeliveryMethod;
use caseledger_service::Dashboard;

use crate::words;

/// Escapes text for HTML element content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A table with a header row; an explicit "None recorded." row when empty.
fn table(out: &mut String, headers: &[&str], rows: Vec<Vec<String>>) {
    out.push_str("<table><thead><tr>");
    for h in headers {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    if rows.is_empty() {
        let _ = write!(
            out,
            "<tr><td colspan=\"{}\" class=\"none\">None recorded.</td></tr>",
            headers.len()
        );
    }
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", esc(&cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

// The `@page` margin boxes put "Confidential" and "Page N of M" on every printed page (Chromium
// 131 and later print them); `.confidential` says it on screen.
const STYLE: &str = "body{font-family:Helvetica,Arial,sans-serif;font-size:11pt;color:#111;margin:2em;max-width:60em}\
.confidential{font-weight:bold;letter-spacing:.1em;text-transform:uppercase;border:2px solid #111;padding:2px 8px;display:inline-block}\
.explain{margin:.4em 0 .8em}.change{margin:.8em 0 0;font-size:10pt}\
@page{margin:18mm 14mm;@top-center{content:\"Confidential\";font:bold 9pt Helvetica,Arial,sans-serif;letter-spacing:.1em}\
@bottom-right{content:\"Page \" counter(page) \" of \" counter(pages);font:9pt Helvetica,Arial,sans-serif}}\
h1{font-size:18pt;margin:0 0 .3em}h2{font-size:13pt;border-bottom:1px solid #444;margin-top:1.6em}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:4px 6px;text-align:left;vertical-align:top}\
th{background:#eee}.none{color:#555;font-style:italic}dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}\
dt{font-weight:bold}.header{border:1px solid #444;padding:8px;margin-bottom:1em}\
@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}}";

/// The page's content policy: nothing loads, and its one inline style sheet applies (by
/// hash). Carried in the page itself too, so a saved or mailed copy opened later loads nothing
/// either.
pub fn style_policy() -> &'static str {
    static POLICY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    POLICY.get_or_init(|| {
        use base64::Engine;
        use sha2::Digest;
        let hash = sha2::Sha256::digest(STYLE.as_bytes());
        format!(
            "default-src 'none'; style-src 'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(hash)
        )
    })
}

/// A section: its heading, what it holds, its content, and how to ask for a change to it.
fn section(out: &mut String, id: &str, heading: &str, explain: &str, content: &str, change: &str) {
    let _ = write!(
        out,
        "<section id=\"{id}\"><h2>{}</h2><p class=\"explain\">{}</p>{content}<p class=\"change\"><strong>To ask for a change:</strong> {}</p></section>",
        esc(heading),
        esc(explain),
        esc(change)
    );
}

/// The client profile as a definition list (names and SSN never printed from a hashed export).
fn profile(p: &caseledger_core::events::ClientIntakeRecorded) -> String {
    // A hashed export's names and SSN are hashes: never printed as a name.
    let hashed = p.hash_status != caseledger_core::hud::HashStatus::Unhashed;
    let unreadable = if hashed {
        "[hashed in the source system]"
    } else {
        "[erased]"
    };
    let name = p
        .name
        .as_clear()
        .filter(|_| !hashed)
        .map(|n| {
            [&n.first, &n.middle, &n.last, &n.suffix]
                .into_iter()
                .filter(|s| !s.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| unreadable.into());
    let ssn = p
        .ssn
        .as_clear()
        .filter(|_| !hashed)
        .map_or(unreadable.to_string(), |s| {
            if s.len() >= 4 {
                format!("XXX-XX-{}", &s[s.len() - 4..])
            } else if s.is_empty() {
                "Not given".to_string()
            } else {
                "Partial".to_string()
            }
        });
    let dob = p
        .dob
        .as_clear()
        .map(|d| d.map_or("Not given".to_string(), words::date))
        .unwrap_or_else(|| "[erased]".into());
    let address = p
        .address
        .as_clear()
        .map(|a| {
            a.as_ref().map_or("Not given".to_string(), |a| {
                [&a.line1, &a.line2, &a.city, &a.state, &a.zip]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            })
        })
        .unwrap_or_else(|| "[erased]".into());
    format!(
        "<dl><dt>Name</dt><dd>{}</dd><dt>Date of birth</dt><dd>{}</dd><dt>Social Security number</dt><dd>{}</dd>\
<dt>Race and ethnicity</dt><dd>{}</dd><dt>Sex</dt><dd>{}</dd>\
<dt>Veteran status</dt><dd>{}</dd><dt>Address</dt><dd>{}</dd></dl>",
        esc(&name),
        esc(&dob),
        esc(&ssn),
        esc(&words::race_ethnicity(&p.race_ethnicity)),
        esc(words::sex(p.sex)),
        esc(words::veteran(p.veteran_status)),
        esc(&address)
    )
}

/// The dashboard page.
pub fn dashboard_html(d: &Dashboard) -> String {
    let r = &d.request;
    let zone = d.time_zone.as_str();
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\"><title>Confidential: Client Record Request {id}</title><style>{STYLE}</style></head><body>",
        policy = style_policy(),
        id = r.id
    );
    let delivery = match r.delivery {
        DeliveryMethod::InPersonPickup => "In-person pickup",
        DeliveryMethod::EncryptedEmail => "Encrypted email",
    };
    let as_of = d.as_of.map_or_else(
        || "Not yet produced".to_string(),
        |t| words::moment(t, zone),
    );
    let agency = esc(&d.agency);
    let help_desk = esc(&d.help_desk);
    let _ = write!(
        out,
        "<p class=\"confidential\">Confidential</p><h1>Client Record Request Dashboard</h1>\
<p class=\"intro\">This is a copy of your record in the Homeless Management Information System (HMIS), \
the system the agencies that served you use to record the help they give. You asked for it, and you have \
the right to see it. It shows what HMIS held about you on {as_of}: your profile, the releases of \
information that let agencies share your record, every program you were enrolled in, the documents \
uploaded for you, and every time an agency was shown your record. Case notes are not included. \
{agency} will go through it with you, one section at a time, in a private place.</p>\
<p class=\"intro\">This page contains private information about you. Keep it somewhere safe; if it was \
printed for you to review, the agency will shred it for you afterwards unless you choose to keep it.</p>\
<div class=\"header\"><dl>\
<dt>Request</dt><dd>{}</dd><dt>HMIS ID</dt><dd>{}</dd><dt>Requesting agency</dt><dd>{agency}</dd>\
<dt>Requested</dt><dd>{}</dd><dt>Due by</dt><dd>{}</dd><dt>Delivery</dt><dd>{}</dd>\
<dt>Record as of</dt><dd>{}</dd><dt>Times shown in</dt><dd>{}</dd></dl></div>",
        esc(&r.id.to_string()),
        esc(&r.client.to_string()),
        esc(&words::moment(r.submitted, zone)),
        esc(&words::date(r.due)),
        delivery,
        esc(&as_of),
        esc(zone),
        as_of = esc(&as_of),
    );

    let content = d.profile.as_ref().map_or_else(
        || "<p class=\"none\">No profile recorded.</p>".to_string(),
        profile,
    );
    section(
        &mut out,
        "client-profile",
        "Client Profile",
        "Who you are in HMIS: the details on your Profile screen. Only the last four digits of your Social Security number are printed.",
        &content,
        &format!(
            "tell {} (call, or meet in person). They update your profile in HMIS if they can see it; if your record is private, they ask {} to. Never send your name, date of birth or Social Security number by email.",
            d.agency, d.help_desk
        ),
    );

    let mut content = String::from("<h3>MOU assignments</h3>");
    table(
        &mut content,
        &["MOU", "Title", "Agencies in it", "Dates"],
        d.mous
            .iter()
            .map(|m| {
                vec![
                    m.number.clone(),
                    m.title.clone(),
                    m.participants
                        .iter()
                        .map(|(_, name, dir)| format!("{name} ({})", words::direction(*dir)))
                        .collect::<Vec<_>>()
                        .join("; "),
                    words::window(&m.window),
                ]
            })
            .collect(),
    );
    content.push_str("<h3>Release exceptions</h3>");
    table(
        &mut content,
        &["Shared by", "Shared with", "Dates"],
        d.releases
            .iter()
            .map(|r| {
                vec![
                    r.granting.clone(),
                    r.accessing.clone(),
                    words::window(&r.window),
                ]
            })
            .collect(),
    );
    section(
        &mut out,
        "release-of-information",
        "Release of Information",
        "Which agencies may see your record besides the one that entered it. An MOU (memorandum of understanding) is an agreement between agencies to share the records of the clients assigned to it; a release exception lets one more agency see your record for a time.",
        &content,
        &format!(
            "tell {} if you want to stop or change how your record is shared.",
            d.agency
        ),
    );

    let mut content = String::new();
    table(
        &mut content,
        &[
            "Program",
            "Kind of program",
            "Agency",
            "Started",
            "Ended",
            "With household",
        ],
        d.enrollments
            .iter()
            .map(|e| {
                vec![
                    e.program.clone(),
                    words::project_type(e.project_type),
                    e.organization.clone(),
                    words::date(e.entry),
                    e.exit.map_or("Still enrolled".to_string(), words::date),
                    if e.household { "Yes" } else { "No" }.to_string(),
                ]
            })
            .collect(),
    );
    section(
        &mut out,
        "enrollment-history",
        "Enrollment History",
        "Every program you were enrolled in at an agency that takes part in HMIS, whichever agency ran it.",
        &content,
        "this section is a history and cannot be edited. If something here looks wrong, say so to the agency reviewing it with you.",
    );

    let mut content = String::new();
    table(
        &mut content,
        &["Document", "Type", "Uploaded by", "Date", "Uploaded on"],
        d.documents
            .iter()
            .map(|doc| {
                vec![
                    doc.name.clone(),
                    doc.document_type.clone(),
                    doc.organization.clone(),
                    words::date(doc.date),
                    words::day(doc.uploaded, zone),
                ]
            })
            .collect(),
    );
    section(
        &mut out,
        "client-documentation",
        "Client Documentation",
        "The documents uploaded into HMIS for you. The documents themselves are not printed, only their names.",
        &content,
        &format!(
            "to add a document, bring it to {}. To have one deleted, they ask {} with your HMIS ID and the document's name; some cannot be deleted because a program needs them to show you were eligible.",
            d.agency, d.help_desk
        ),
    );

    let mut content = String::new();
    table(
        &mut content,
        &[
            "When",
            "Agency",
            "Their role",
            "What they saw",
            "Why they could",
        ],
        d.disclosures
            .iter()
            .map(|x| {
                vec![
                    words::moment(x.at, zone),
                    x.organization.clone(),
                    words::role(x.role).to_string(),
                    x.kinds
                        .iter()
                        .map(|k| words::record_kind(*k))
                        .collect::<Vec<_>>()
                        .join(", "),
                    x.reasons
                        .iter()
                        .map(|r| words::rule(*r))
                        .collect::<Vec<_>>()
                        .join(", "),
                ]
            })
            .collect(),
    );
    section(
        &mut out,
        "accounting-of-disclosures",
        "Accounting of Disclosures",
        "Every time an agency was shown your record in HMIS, what it saw, and the rule that allowed it.",
        &content,
        &format!(
            "if an agency saw your record and you did not expect it, tell {} or call {}.",
            d.agency, d.help_desk
        ),
    );

    let _ = write!(
        out,
        "<section id=\"questions\"><h2>Questions and Revisions</h2>\
<p>To ask for a change to your record, or with any question about it, call or visit the agency administrator at \
{agency}, who requested this copy for you. If they cannot help, or if you asked an agency for your record and \
were refused, contact {help_desk}, who can also reach a record marked private. Do not send your name, date of \
birth or Social Security number by email: call instead.</p></section></body></html>"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            esc("<b>O'Neil & \"Co\"</b>"),
            "&lt;b&gt;O&#39;Neil &amp; &quot;Co&quot;&lt;/b&gt;"
        );
    }
}
