//! HUD data elements of a record: the row must fit the record, every column must be one of
//! HUD's for the file and not one caseledger holds in a typed field, every value must be of
//! the column's type and in its list. Who may: staff who may edit the record, and system
//! administrators for any record they can see (they alone give a source system's stamp, and
//! alone describe projects, organizations and users).

use std::collections::BTreeSet;

use caseledger_core::commands::elements::RecordHudElements;
use caseledger_core::events::{AnswerValue, ElementSubject, HudElementsRecorded};
use caseledger_core::input;
use caseledger_core::sharing::RecordRef;
use caseledger_core::{AccessLevel, ClientId, Role};
use caseledger_projections::Projections;

use crate::commands::{check_text, client_access, conflict, forbidden, not_found, viewer};
use crate::{Command, CommandError, Decision, Session};

impl Command for RecordHudElements {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let actor = session.actor();
        let admin = actor.role == Role::SystemAdmin;
        if !self.subject.holds(self.file) {
            return Err(CommandError::validation(
                "file",
                format!(
                    "{}.csv rows do not belong to a record of this kind",
                    self.file.stem()
                ),
            ));
        }
        if (self.source.is_some() || !self.blank.is_empty()) && !admin {
            return Err(forbidden(
                "only a system administrator importing records gives a source system's stamp",
            ));
        }
        match (&self.row_id, self.file.has_own_rows()) {
            (None, true) => {
                return Err(CommandError::validation(
                    "rowId",
                    format!("{}.csv rows have ids of their own", self.file.stem()),
                ));
            }
            (Some(_), false) => {
                return Err(CommandError::validation(
                    "rowId",
                    format!("{}.csv holds one row per record", self.file.stem()),
                ));
            }
            (Some(id), true) => check_text("rowId", id, input::SHORT_TEXT)?,
            (None, false) => {}
        }
        let client = subject_access(p, session, self.subject, admin)?;
        if self.file == caseledger_core::hud::elements::HudFile::Exit
            && p.write_model()
                .enrollment(match self.subject {
                    ElementSubject::Enrollment(id) => id,
                    _ => unreachable!("Exit.csv fits enrollments only"),
                })
                .is_none_or(|(_, facts)| facts.exit.is_none())
        {
            return Err(CommandError::validation(
                "file",
                "the enrollment has no exit to describe",
            ));
        }
        if self.elements.len() > 200 {
            return Err(CommandError::validation("elements", "at most 200 elements"));
        }
        let mut seen = BTreeSet::new();
        for (i, e) in self.elements.iter().enumerate() {
            let field = format!("elements[{i}].column");
            let spec = self.file.element(&e.column).ok_or_else(|| {
                CommandError::validation(
                    &field,
                    format!("{}.csv has no column {}", self.file.stem(), e.column),
                )
            })?;
            if self.file.is_typed(spec.column) {
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
                CommandError::validation(&format!("elements[{i}].value"), err.to_string())
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
                        &format!("elements[{i}].value"),
                        "text of a client's record is sealed text; of other records plain text",
                    ));
                }
                check_text(&format!("elements[{i}].value"), text, input::FREE_TEXT)?;
            }
        }
        for (i, column) in self.blank.iter().enumerate() {
            if self.file.element(column).is_none_or(|e| e.column != column) {
                return Err(CommandError::validation(
                    &format!("blank[{i}]"),
                    format!("{}.csv has no column {column}", self.file.stem()),
                ));
            }
        }
        let event = HudElementsRecorded {
            subject: self.subject,
            client_id: client,
            file: self.file,
            row_id: self.row_id.clone(),
            elements: self.elements.clone(),
            source: self.source.clone(),
            blank: self.blank.clone(),
        };
        let before = p
            .write_model()
            .element_row(self.subject, self.file, self.row_id.as_deref());
        if before.as_ref() == Some(&event) {
            return Err(conflict("elements", "the row already holds these elements"));
        }
        Ok(Decision::events(vec![event.into()]))
    }
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
