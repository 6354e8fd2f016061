//! The last pass of an import: every accepted row's HUD elements beyond its record's typed
//! fields, and its source stamp, recorded for the record it became (`RecordHudElements`), so
//! an export writes the row as it came. Runs as the system administrator importing, after
//! every record exists; a row whose elements are already recorded as they are writes nothing.

use caseledger_core::commands::elements::RecordHudElements;
use std::collections::BTreeMap;

use caseledger_core::events::{ElementRow, ElementSubject};
use caseledger_core::hud::elements::HudFile;
use caseledger_core::{AssessmentId, ClientId, ServiceId};
use caseledger_hmis_csv::Kept;
use caseledger_projections::SourceKind;

use super::{Import, Outcome, answer_source_id, command_reject, not_imported};

/// One row to keep: where it came from and what it becomes.
#[derive(Clone)]
struct Keep<'k> {
    file: HudFile,
    line: u64,
    id: &'k str,
    subject: ElementSubject,
    row_id: Option<String>,
    kept: Kept,
    /// The record existed before this import.
    existed: bool,
    /// The client the record is about.
    client: Option<ClientId>,
}

impl Import<'_, '_> {
    /// Notes which of the export's records exist already (see `preexisting`).
    pub(super) fn note_preexisting(&mut self) {
        let c = self.checked;
        let sources = c
            .organizations
            .keys()
            .map(|s| (SourceKind::Organization, s.clone()))
            .chain(c.projects.keys().map(|s| (SourceKind::Project, s.clone())))
            .chain(c.clients.keys().map(|s| (SourceKind::Client, s.clone())))
            .chain(
                c.enrollments
                    .keys()
                    .map(|s| (SourceKind::Enrollment, s.clone())),
            )
            .chain(
                c.services
                    .iter()
                    .map(|s| (SourceKind::Service, s.id.clone())),
            )
            .chain(
                c.answers
                    .iter()
                    .map(|a| (SourceKind::Assessment, answer_source_id(a.file, &a.id))),
            );
        let existing: Vec<_> = sources
            .filter(|(kind, source)| self.existing(*kind, source).is_some())
            .collect();
        self.preexisting.extend(existing);
    }

    fn existed(&self, kind: SourceKind, source: &str) -> bool {
        self.preexisting.contains(&(kind, source.to_string()))
    }

    pub(super) fn keep_elements(&mut self) {
        let checked = self.checked;
        let mut rows = Vec::new();
        for (source, o) in &checked.organizations {
            if let Some(id) = self.organizations.get(source) {
                rows.push(Keep {
                    file: HudFile::Organization,
                    line: o.line,
                    id: source,
                    subject: ElementSubject::Organization(*id),
                    row_id: None,
                    kept: o.kept.clone(),
                    existed: self.existed(SourceKind::Organization, source),
                    client: None,
                });
            }
        }
        for (source, u) in &checked.users {
            // A user of caseledger's own, named in an export of caseledger's records, is not a
            // source system's user.
            let native = source
                .parse::<caseledger_core::UserId>()
                .is_ok_and(|id| self.state().write_model().user(id).is_some());
            if native {
                continue;
            }
            rows.push(Keep {
                file: HudFile::User,
                line: 0,
                id: source,
                subject: ElementSubject::Coc,
                row_id: Some(u.id.clone()),
                kept: u.kept.clone(),
                existed: false,
                client: None,
            });
        }
        for (source, p) in &checked.projects {
            if let Some((id, _)) = self.programs.get(source) {
                rows.push(Keep {
                    file: HudFile::Project,
                    line: p.line,
                    id: source,
                    subject: ElementSubject::Program(*id),
                    row_id: None,
                    kept: p.kept.clone(),
                    existed: self.existed(SourceKind::Project, source),
                    client: None,
                });
            }
        }
        let assessment_clients: std::collections::HashMap<&str, ClientId> = checked
            .answers
            .iter()
            .filter(|a| a.file == caseledger_hmis_csv::records::AnswerFile::Assessment)
            .filter_map(|a| Some((a.id.as_str(), self.enrollments.get(&a.enrollment_id)?.1)))
            .collect();
        for d in &checked.details {
            let of_assessment = matches!(
                d.file,
                HudFile::AssessmentQuestions | HudFile::AssessmentResults
            );
            // A project's rows are about no client (ids are unique only within a file).
            let client = of_assessment
                .then(|| assessment_clients.get(d.parent_id.as_str()).copied())
                .flatten();
            let subject = if of_assessment {
                let source = answer_source_id(
                    caseledger_hmis_csv::records::AnswerFile::Assessment,
                    &d.parent_id,
                );
                self.existing(SourceKind::Assessment, &source)
                    .map(|id| ElementSubject::Assessment(AssessmentId::new(id)))
            } else {
                self.programs
                    .get(&d.parent_id)
                    .map(|(id, _)| ElementSubject::Program(*id))
            };
            let Some(subject) = subject else {
                let (column, what) = match d.file {
                    HudFile::AssessmentQuestions | HudFile::AssessmentResults => {
                        ("AssessmentID", "assessment")
                    }
                    _ => ("ProjectID", "project"),
                };
                let file = format!("{}.csv", d.file.stem());
                let reject = not_imported(&file, d.line, column, &d.parent_id, what);
                self.settle(&file, Err(reject));
                continue;
            };
            {
                rows.push(Keep {
                    file: d.file,
                    line: d.line,
                    id: &d.id,
                    subject,
                    row_id: Some(d.id.clone()),
                    kept: d.kept.clone(),
                    existed: false,
                    client,
                });
            }
        }
        for (source, c) in &checked.clients {
            if let Some(id) = self.clients.get(source) {
                rows.push(Keep {
                    file: HudFile::Client,
                    line: c.line,
                    id: source,
                    subject: ElementSubject::Client(*id),
                    row_id: None,
                    kept: c.kept.clone(),
                    existed: self.existed(SourceKind::Client, source),
                    client: Some(*id),
                });
            }
        }
        for (source, e) in &checked.enrollments {
            if let Some((id, client, _)) = self.enrollments.get(source) {
                rows.push(Keep {
                    file: HudFile::Enrollment,
                    line: e.line,
                    id: source,
                    subject: ElementSubject::Enrollment(*id),
                    row_id: None,
                    kept: e.kept.clone(),
                    existed: self.existed(SourceKind::Enrollment, source),
                    client: Some(*client),
                });
            }
        }
        for (source, x) in &checked.exits {
            if let Some((id, client, _)) = self.enrollments.get(source) {
                rows.push(Keep {
                    file: HudFile::Exit,
                    line: x.line,
                    id: &x.id,
                    subject: ElementSubject::Enrollment(*id),
                    row_id: None,
                    kept: x.kept.clone(),
                    existed: self.existed(SourceKind::Enrollment, source),
                    client: Some(*client),
                });
            }
        }
        for s in &checked.services {
            if let Some(id) = self.existing(SourceKind::Service, &s.id) {
                rows.push(Keep {
                    file: HudFile::Services,
                    line: s.line,
                    id: &s.id,
                    subject: ElementSubject::Service(ServiceId::new(id)),
                    row_id: None,
                    kept: s.kept.clone(),
                    existed: self.existed(SourceKind::Service, &s.id),
                    client: self.enrollments.get(&s.enrollment_id).map(|e| e.1),
                });
            }
        }
        for a in &checked.answers {
            let source = answer_source_id(a.file, &a.id);
            if let Some(id) = self.existing(SourceKind::Assessment, &source) {
                rows.push(Keep {
                    file: a.file.hud_file(),
                    line: a.line,
                    id: &a.id,
                    subject: ElementSubject::Assessment(AssessmentId::new(id)),
                    row_id: None,
                    // An assessment-like row's answers are its assessment's: only the stamp.
                    kept: Kept {
                        elements: Vec::new(),
                        stamp: a.kept.stamp.clone(),
                        blank: a.kept.blank.clone(),
                    },
                    existed: self.existed(SourceKind::Assessment, &source),
                    client: self.enrollments.get(&a.enrollment_id).map(|e| e.1),
                });
            }
        }
        // One recording per client (its rows share the client's stream and key), and one for
        // the rows about no client.
        let mut groups: BTreeMap<Option<ClientId>, Vec<(Keep<'_>, ElementRow, bool)>> =
            BTreeMap::new();
        for row in rows {
            let detail = is_detail(&row);
            match self.prepare(&row) {
                Some((element_row, updated)) => {
                    groups
                        .entry(row.client)
                        .or_default()
                        .push((row, element_row, updated));
                }
                None if detail => {
                    let file = format!("{}.csv", row.file.stem());
                    self.settle(&file, Ok(Outcome::Unchanged));
                }
                None => {}
            }
        }
        for (_, group) in groups {
            for chunk in group.chunks(ROWS_PER_RECORDING) {
                self.record(chunk.to_vec());
            }
        }
    }

    /// The row to record for `row`, and whether it replaces one; `None` when nothing changes.
    fn prepare(&self, row: &Keep<'_>) -> Option<(ElementRow, bool)> {
        let kept = &row.kept;
        if kept.elements.is_empty() && kept.stamp.is_none() && kept.blank.is_empty() {
            return None;
        }
        // A record this import created has no row yet: no lookup (it decodes an event). Rows
        // of their own (funders, users, questions) are looked up always: they have no record
        // of their own to have existed.
        let lookup = row.existed || row.row_id.is_some();
        let recorded = lookup.then(|| {
            self.state()
                .write_model()
                .element_row(row.subject, row.file, row.row_id.as_deref())
        });
        let recorded = recorded.flatten();
        // Elements of the other version's columns (an FY2024 gender column when an FY2026
        // export arrives) are not in this file, so they stay as recorded.
        let fy2026 = matches!(self.version, caseledger_hmis_csv::CsvVersion::Fy2026 { .. });
        let mut elements = kept.elements.clone();
        for e in recorded.iter().flat_map(|r| &r.elements) {
            let in_version = row
                .file
                .element(&e.column)
                .is_some_and(|spec| if fy2026 { spec.fy2026 } else { spec.fy2024 });
            if !in_version {
                elements.push(e.clone());
            }
        }
        elements.sort_by_key(|e| catalog_position(row.file, &e.column));
        if recorded.is_none() && row.existed && elements.is_empty() {
            return None;
        }
        let element_row = ElementRow {
            subject: row.subject,
            file: row.file,
            row_id: row.row_id.clone(),
            elements,
            source: kept.stamp.clone(),
            blank: kept.blank.clone(),
        };
        match recorded {
            Some(r) if r == element_row => None,
            recorded => Some((element_row, recorded.is_some())),
        }
    }

    /// Records rows of one client in one command; a row the command refuses is reported and
    /// the rest are recorded without it.
    fn record(&mut self, mut group: Vec<(Keep<'_>, ElementRow, bool)>) {
        while !group.is_empty() {
            let command = RecordHudElements {
                rows: group.iter().map(|(_, r, _)| r.clone()).collect(),
            };
            match self.command(self.admin, &command) {
                Ok(()) => {
                    for (row, _, updated) in group {
                        if is_detail(&row) {
                            let file = format!("{}.csv", row.file.stem());
                            let outcome = if updated {
                                Outcome::Updated
                            } else {
                                Outcome::Imported
                            };
                            self.settle(&file, Ok(outcome));
                        }
                    }
                    return;
                }
                Err(e) => {
                    // The refusal names the row (`rows[3].elements[0].value`); one row alone
                    // is named by its fields.
                    let at = e
                        .field
                        .as_deref()
                        .and_then(|f| f.strip_prefix("rows["))
                        .and_then(|f| f.split(']').next())
                        .and_then(|i| i.parse::<usize>().ok())
                        .filter(|i| *i < group.len())
                        .unwrap_or(0);
                    let (row, _, _) = group.remove(at);
                    let file = format!("{}.csv", row.file.stem());
                    let id_column = row.file.elements().next().map_or("", |e| e.column);
                    let reject = command_reject(&file, row.line, id_column, row.id, &e);
                    if is_detail(&row) {
                        self.settle(&file, Err(reject));
                    } else {
                        self.files.entry(file).or_default().rejected += 1;
                        self.rejects.push(reject);
                    }
                }
            }
        }
    }
}

/// Rows per `RecordHudElements` of an import (a client with more records gets several).
const ROWS_PER_RECORDING: usize = 1_000;

/// A detail row is a record of its own in the summary (imported, unchanged or refused here);
/// other rows were counted with their record.
fn is_detail(row: &Keep<'_>) -> bool {
    row.row_id.is_some() && row.file != HudFile::User
}

/// Where `column` is in HUD's column order of `file`: elements are kept in that order, so the
/// same row read from either version's file is the same set.
fn catalog_position(file: HudFile, column: &str) -> usize {
    file.elements()
        .position(|e| e.column == column)
        .unwrap_or(usize::MAX)
}
