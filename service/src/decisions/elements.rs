//! HUD data elements of a record: the row must fit the record, every column must be one of
//! HUD's for the file and not one caseledger holds in a typed field, every value must be of
//! the column's type and in its list. Who may: staff who may edit the record, and system
//! administrators for any record they can see (they alone give a source system's stamp, and
//! alone describe projects, organizations and users).

use std::collections::BTreeSet;

use caseledger_core::commands::elements::RecordHudElements;
use caseledger_core::events::{AnswerValue, ElementRow, ElementSubject, HudElementsRecorded};
use caseledger_core::input;
use caseledger_core::sharing::RecordRef;
use caseledger_core::{AccessLevel, ClientId, Role};
use caseledger_projections::Projections;

use crate::commands::{check_text, client_access, conflict, forbidden, not_found, viewer};
use crate::{Command, CommandError, Decision, Session};

impl Command for RecordHudElements {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        if self.rows.is_empty() || self.rows.len() > 10_000 {
            return Err(CommandError::validation("rows", "from 1 to 10,000 rows"));
        }
        let one = self.rows.len() == 1;
        let mut client = None;
        let mut rows = Vec::new();
        for (r, row) in self.rows.iter().enumerate() {
            // One row (the API's) is named by its fields; an import's rows by their index too.
            let at = |field: &str| {
                if one {
                    field.to_string()
                } else {
                    format!("rows[{r}].{field}")
                }
            };
            let about = check_row(p, session, row, &at)?;
            if r > 0 && about != client {
                return Err(CommandError::validation(
                    &at("subject"),
                    "every row of one recording is about the same client",
                ));
            }
            client = about;
            let before = p
                .write_model()
                .element_row(row.subject, row.file, row.row_id.as_deref());
            if before.as_ref() != Some(row) {
                rows.push(row.clone());
            }
        }
        if rows.is_empty() {
            return Err(conflict("elements", "the rows already hold these elements"));
        }
        Ok(Decision::events(vec![
            HudElementsRecorded {
                client_id: client,
                rows,
            }
            .into(),
        ]))
    }
}

/// Checks one row, answering the client its record is about; `at` names a field of the row.
fn check_row(
    p: &Projections,
    session: &Session,
    row: &ElementRow,
    at: &dyn Fn(&str) -> String,
) -> Result<Option<ClientId>, CommandError> {
    let actor = session.actor();
    let admin = actor.role == Role::SystemAdmin;
    if !row.subject.holds(row.file) {
        return Err(CommandError::validation(
            &at("file"),
            format!(
                "{}.csv rows do not belong to a record of this kind",
                row.file.stem()
            ),
        ));
    }
    if (row.source.is_some() || !row.blank.is_empty()) && !admin {
        return Err(forbidden(
            "only a system administrator importing records gives a source system's stamp",
        ));
    }
    match (&row.row_id, row.file.has_own_rows()) {
        (None, true) => {
            return Err(CommandError::validation(
                &at("rowId"),
                format!("{}.csv rows have ids of their own", row.file.stem()),
            ));
        }
        (Some(_), false) => {
            return Err(CommandError::validation(
                &at("rowId"),
                format!("{}.csv holds one row per record", row.file.stem()),
            ));
        }
        (Some(id), true) => check_text(&at("rowId"), id, input::SHORT_TEXT)?,
        (None, false) => {}
    }
    let client = subject_access(p, session, row.subject, admin)?;
    if row.file == caseledger_core::hud::elements::HudFile::Exit
        && p.write_model()
            .enrollment(match row.subject {
                ElementSubject::Enrollment(id) => id,
                _ => unreachable!("Exit.csv fits enrollments only"),
            })
            .is_none_or(|(_, facts)| facts.exit.is_none())
    {
        return Err(CommandError::validation(
            &at("file"),
            "the enrollment has no exit to describe",
        ));
    }
    if row.elements.len() > 200 {
        return Err(CommandError::validation(
            &at("elements"),
            "at most 200 elements",
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, e) in row.elements.iter().enumerate() {
        let field = at(&format!("elements[{i}].column"));
        let spec = row.file.element(&e.column).ok_or_else(|| {
            CommandError::validation(
                &field,
                format!("{}.csv has no column {}", row.file.stem(), e.column),
            )
        })?;
        if row.file.is_typed(spec.column) {
            return Err(CommandError::validation(
                &field,
                format!(
                    "{} is recorded with the record itself, not as an element",
                    spec.column
                ),
            ));
        }
        if !seen.insert(spec.column) {
            return Err(CommandError::validation(
                &field,
                format!("{} is given twice", spec.column),
            ));
        }
        if e.column != spec.column {
            return Err(CommandError::validation(
                &field,
                format!("spell it as HUD does: {}", spec.column),
            ));
        }
        spec.check(&e.value).map_err(|err| {
            CommandError::validation(&at(&format!("elements[{i}].value")), err.to_string())
        })?;
        let text = match &e.value {
            AnswerValue::Text(t) => Some(t.as_clear().map_or("", |s| s.as_str())),
            AnswerValue::Plain(t) => Some(t.as_str()),
            _ => None,
        };
        if let Some(text) = text {
            // A client's text is sealed under the client's key; a record of no client has
            // none, so its text is plain, and a client's may not be.
            if matches!(e.value, AnswerValue::Plain(_)) == client.is_some() {
                return Err(CommandError::validation(
                    &at(&format!("elements[{i}].value")),
                    "text of a client's record is sealed text; of other records plain text",
                ));
            }
            check_text(&at(&format!("elements[{i}].value")), text, input::FREE_TEXT)?;
        }
    }
    for (i, column) in row.blank.iter().enumerate() {
        if row.file.element(column).is_none_or(|e| e.column != column) {
            return Err(CommandError::validation(
                &at(&format!("blank[{i}]")),
                format!("{}.csv has no column {column}", row.file.stem()),
            ));
        }
    }
    Ok(client)
}

/// Checks that the session may record elements for `subject`, answering the client the record
/// is about. A record the session may not see is "not found", as if it did not exist.
fn subject_access(
    p: &Projections,
    session: &Session,
    subject: ElementSubject,
    admin: bool,
) -> Result<Option<ClientId>, CommandError> {
    let actor = session.actor();
    let wm = p.write_model();
    let describe = |what: &str| {
        if admin {
            Ok(None)
        } else {
            Err(forbidden(format!(
                "only a system administrator describes {what}"
            )))
        }
    };
    match subject {
        ElementSubject::Coc => describe("the HMIS's users"),
        ElementSubject::Organization(id) => {
            wm.organization(id)
                .ok_or_else(|| not_found("subject", "organization"))?;
            describe("organizations")
        }
        ElementSubject::Program(id) => {
            p.catalog()
                .program(id)
                .ok_or_else(|| not_found("subject", "project"))?;
            describe("projects")
        }
        ElementSubject::Client(id) => {
            let access = client_access(p, &actor, id, "subject")?;
            if access.level != AccessLevel::Edit && !admin {
                return Err(forbidden(
                    "cannot edit data created by another organization",
                ));
            }
            Ok(Some(id))
        }
        ElementSubject::Enrollment(_)
        | ElementSubject::Service(_)
        | ElementSubject::Assessment(_) => {
            let id = subject.record_id().unwrap_or_default();
            let (facts, _) = wm
                .record(id)
                .ok_or_else(|| not_found("subject", "record"))?;
            let access = p
                .org_view(viewer(&actor))
                .visibility(&RecordRef::Transaction(id));
            match access.level {
                AccessLevel::None => Err(not_found("subject", "record")),
                AccessLevel::Read if !admin => Err(forbidden(
                    "cannot edit data created by another organization",
                )),
                _ => Ok(Some(facts.client)),
            }
        }
    }
}
