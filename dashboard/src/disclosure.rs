//! What a dashboard discloses: every record it shows, with the fields of it on the page, under
//! the rule `ClientRecordRequest`. The GraphQL field notes the same records in its request's
//! collector ([`shown_records`]); the page and the offline render record them alone
//! ([`dashboard_disclosure`]).

use caseledger_core::events::{ClientDisclosure, DisclosedRecord};
use caseledger_core::{AccessReason, Date, RecordKind, RequestId};
use caseledger_service::{Dashboard, Disclosure};

/// One record a dashboard shows: its kind and id, and the names of its fields on the page (as
/// the API spells them, so a disclosure of the page reads like one of the GraphQL answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShownRecord {
    /// The kind of record.
    pub kind: RecordKind,
    /// The record's id (the client's own id for its profile and its accounting of
    /// disclosures).
    pub id: u128,
    /// The fields of it the page shows.
    pub fields: &'static [&'static str],
}

/// Every record the dashboard shows (every section, as of its position), in page order.
pub fn shown_records(d: &Dashboard) -> Vec<ShownRecord> {
    let client = d.request.client.as_u128();
    let mut shown = Vec::new();
    let mut add = |kind, id, fields| shown.push(ShownRecord { kind, id, fields });
    if d.profile.is_some() {
        add(
            RecordKind::Intake,
            client,
            &[
                "name",
                "ssn",
                "dob",
                "raceEthnicity",
                "sex",
                "genders",
                "veteranStatus",
                "address",
            ],
        );
    }
    for m in &d.mous {
        add(
            RecordKind::MouAssignment,
            m.id,
            &["mou", "participants", "window"],
        );
    }
    for r in &d.releases {
        add(
            RecordKind::ReleaseException,
            r.id,
            &["granting", "accessing", "window"],
        );
    }
    for e in &d.enrollments {
        add(
            RecordKind::Enrollment,
            e.id,
            &[
                "program",
                "organization",
                "entryDate",
                "exitDate",
                "household",
            ],
        );
    }
    for doc in &d.documents {
        add(
            RecordKind::Document,
            doc.id,
            &["name", "documentType", "organization", "date"],
        );
    }
    if !d.disclosures.is_empty() {
        add(
            RecordKind::AccessLog,
            client,
            &["organization", "time", "rule"],
        );
    }
    shown
}

/// The disclosure record of producing a dashboard outside a GraphQL request (the HTTP page,
/// the CLI): the client, deliberately, with every record shown, under the request's rule; the
/// query is the operation's name.
pub fn dashboard_disclosure(
    d: &Dashboard,
    request_id: RequestId,
    date: Date,
    operation: &str,
) -> Disclosure {
    let reason = AccessReason::ClientRecordRequest(d.request.id);
    let mut records: Vec<DisclosedRecord> = Vec::new();
    for shown in shown_records(d) {
        let fields = shown.fields.iter().map(|f| f.to_string());
        // One entry per record, as a GraphQL request's collector keeps it, should a record
        // appear in two sections.
        match records
            .iter_mut()
            .find(|r| r.kind == shown.kind && r.record_id == shown.id)
        {
            Some(known) => {
                for field in fields {
                    if !known.fields.contains(&field) {
                        known.fields.push(field);
                    }
                }
            }
            None => records.push(DisclosedRecord {
                kind: shown.kind,
                record_id: shown.id,
                fields: fields.collect(),
                reason,
            }),
        }
    }
    let clients = if records.is_empty() {
        Vec::new()
    } else {
        vec![ClientDisclosure {
            client_id: d.request.client,
            deliberate: true,
            records,
        }]
    };
    Disclosure {
        request_id,
        date,
        operation: operation.to_string(),
        query: operation.to_string(),
        variables: String::new(),
        view_position: d.position,
        clients,
        denied: Vec::new(),
        purpose: None,
    }
}
