//! The client record dashboard as a print-ready HTML page: the sections of the HMIS client
//! record request procedure, a header with the request, due date and delivery method, inline
//! styles and no external assets (it is printed or sent encrypted, never fetched from).

use std::fmt::Write;

use caseledger_core::events::DeliveryMethod;
use caseledger_service::Dashboard;

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

fn window(w: &caseledger_core::DateWindow) -> String {
    format!(
        "{} – {}",
        w.start,
        w.end.map_or("open".to_string(), |d| d.to_string())
    )
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

const STYLE: &str = "body{font-family:Helvetica,Arial,sans-serif;font-size:11pt;color:#111;margin:2em}\
h1{font-size:18pt;margin:0 0 .3em}h2{font-size:13pt;border-bottom:1px solid #444;margin-top:1.6em}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:4px 6px;text-align:left;vertical-align:top}\
th{background:#eee}.none{color:#555;font-style:italic}dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}\
dt{font-weight:bold}.header{border:1px solid #444;padding:8px;margin-bottom:1em}\
@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}}";

/// A role as people name it.
fn role(role: caseledger_core::Role) -> &'static str {
    use caseledger_core::Role;
    match role {
        Role::CaseManager => "Case manager",
        Role::AgencyAdmin => "Agency administrator",
        Role::SystemAdmin => "System administrator",
        Role::HelpDesk => "Help desk",
        Role::Auditor => "Auditor",
        Role::System => "System",
    }
}

/// The sharing rule that allowed a disclosure, as people name it.
fn rule(reason: caseledger_core::AccessReason) -> &'static str {
    use caseledger_core::AccessReason as R;
    match reason {
        R::OwnOrganization => "Own organization",
        R::OwnUser => "Own record",
        R::GlobalShare => "Shared with all agencies",
        R::Mou(_) => "MOU",
        R::ReleaseException(_) => "Release of information",
        R::SystemAdministrator => "System administrator",
        R::HelpDesk => "Help desk",
        R::Auditor => "Auditor",
        R::PolicyRule(_) => "Sharing policy",
        R::ClientRecordRequest(_) => "Client record request",
    }
}

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

/// The dashboard page.
pub fn dashboard_html(d: &Dashboard) -> String {
    let r = &d.request;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\"><title>Client Record Request {id}</title><style>{STYLE}</style></head><body>",
        policy = style_policy(),
        id = r.id
    );
    let delivery = match r.delivery {
        DeliveryMethod::InPersonPickup => "In-person pickup",
        DeliveryMethod::EncryptedEmail => "Encrypted email",
    };
    let _ = write!(
        out,
        "<h1>Client Record Request Dashboard</h1><div class=\"header\"><dl>\
<dt>Request</dt><dd>{}</dd><dt>HMIS ID</dt><dd>{}</dd><dt>Requesting agency</dt><dd>{}</dd>\
<dt>Submitted</dt><dd>{}</dd><dt>Due date</dt><dd>{}</dd><dt>Delivery method</dt><dd>{}</dd>\
<dt>Record as of</dt><dd>log position {}</dd></dl></div>",
        esc(&r.id.to_string()),
        esc(&r.client.to_string()),
        esc(&d.agency),
        esc(&r
            .submitted
            .to_datetime()
            .format("%Y-%m-%d %H:%M UTC")
            .to_string()),
        r.due,
        delivery,
        d.position
    );

    out.push_str("<section id=\"client-profile\"><h2>Client Profile</h2>");
    match &d.profile {
        Some(p) => {
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
                .map(|d| d.map_or("Not given".to_string(), |d| d.to_string()))
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
            let codes = |v: Vec<u16>| {
                if v.is_empty() {
                    "Not given".to_string()
                } else {
                    v.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
                }
            };
            let _ = write!(
                out,
                "<dl><dt>Name</dt><dd>{}</dd><dt>Date of birth</dt><dd>{}</dd><dt>SSN</dt><dd>{}</dd>\
<dt>Race and ethnicity (HUD codes)</dt><dd>{}</dd><dt>Sex (HUD code)</dt><dd>{}</dd>\
<dt>Veteran status (HUD code)</dt><dd>{}</dd><dt>Address</dt><dd>{}</dd></dl>",
                esc(&name),
                esc(&dob),
                esc(&ssn),
                esc(&codes(p.race_ethnicity.iter().map(|r| r.code()).collect())),
                p.sex
                    .map_or("Not given".to_string(), |s| s.code().to_string()),
                p.veteran_status.code(),
                esc(&address)
            );
        }
        None => out.push_str("<p class=\"none\">No profile recorded.</p>"),
    }
    out.push_str("</section>");

    out.push_str("<section id=\"release-of-information\"><h2>Release of Information</h2><h3>MOU assignments</h3>");
    table(
        &mut out,
        &["MOU", "Title", "Participating organizations", "Dates"],
        d.mous
            .iter()
            .map(|m| {
                vec![
                    m.number.clone(),
                    m.title.clone(),
                    m.participants
                        .iter()
                        .map(|(_, name, dir)| format!("{name} ({dir:?})"))
                        .collect::<Vec<_>>()
                        .join("; "),
                    window(&m.window),
                ]
            })
            .collect(),
    );
    out.push_str("<h3>Release exceptions</h3>");
    table(
        &mut out,
        &["Shared by", "Shared with", "Dates"],
        d.releases
            .iter()
            .map(|r| vec![r.granting.clone(), r.accessing.clone(), window(&r.window)])
            .collect(),
    );
    out.push_str("</section>");

    out.push_str("<section id=\"enrollment-history\"><h2>Enrollment History</h2>");
    table(
        &mut out,
        &[
            "Program",
            "Project type (HUD)",
            "Organization",
            "Entry",
            "Exit",
            "Household",
        ],
        d.enrollments
            .iter()
            .map(|e| {
                vec![
                    e.program.clone(),
                    e.project_type.map_or(String::new(), |t| t.to_string()),
                    e.organization.clone(),
                    e.entry.to_string(),
                    e.exit.map_or("Active".to_string(), |x| x.to_string()),
                    if e.household { "Yes" } else { "No" }.to_string(),
                ]
            })
            .collect(),
    );
    out.push_str("</section>");

    out.push_str("<section id=\"client-documentation\"><h2>Client Documentation</h2>");
    table(
        &mut out,
        &["Document", "Type", "Uploaded by", "Date", "Uploaded"],
        d.documents
            .iter()
            .map(|doc| {
                vec![
                    doc.name.clone(),
                    doc.document_type.clone(),
                    doc.organization.clone(),
                    doc.date.to_string(),
                    doc.uploaded.to_datetime().format("%Y-%m-%d").to_string(),
                ]
            })
            .collect(),
    );
    out.push_str("</section>");

    out.push_str("<section id=\"accounting-of-disclosures\"><h2>Accounting of Disclosures</h2><p>Every time an organization was shown this record in HMIS, and the rule that allowed it.</p>");
    table(
        &mut out,
        &["When", "Organization", "Role", "What", "Rule"],
        d.disclosures
            .iter()
            .map(|x| {
                vec![
                    x.at.to_datetime().format("%Y-%m-%d %H:%M UTC").to_string(),
                    x.organization.clone(),
                    role(x.role).to_string(),
                    x.kinds
                        .iter()
                        .map(|k| format!("{k:?}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    x.reasons
                        .iter()
                        .map(|r| rule(*r))
                        .collect::<Vec<_>>()
                        .join(", "),
                ]
            })
            .collect(),
    );
    out.push_str("</section></body></html>");
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
