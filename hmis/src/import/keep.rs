//! The last pass of an import: every accepted row's HUD elements beyond its record's typed
//! fields, and its source stamp, recorded for the record it became (`RecordHudElements`), so
//! an export writes the row as it came. Runs as the system administrator importing, after
//! every record exists; a row whose elements are already recorded as they are writes nothing.

use caseledger_core::commands::elements::RecordHudElements;
use caseledger_core::events::{ElementSubject, HudElementsRecorded};
use caseledger_core::hud::elements::HudFile;
use caseledger_core::{AssessmentId, ServiceId};
use caseledger_hmis_csv::Kept;
use caseledger_projections::SourceKind;

use super::{Import, Outcome, answer_source_id, command_reject, not_imported};

/// One row to keep: where it came from and what it becomes.
struct Keep<'k> {
    file: HudFile,
    line: u64,
    id: &'k str,
    subject: ElementSubject,
    row_id: Option<String>,
    kept: Kept,
    /// The record existed before this import.
    existed: bool,
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
                });
            }
        }
        for d in &checked.details {
            let subject = if matches!(
                d.file,
                HudFile::AssessmentQuestions | HudFile::AssessmentResults
            ) {
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
                });
            }
        }
        for (source, e) in &checked.enrollments {
            if let Some((id, _, _)) = self.enrollments.get(source) {
                rows.push(Keep {
                    file: HudFile::Enrollment,
                    line: e.line,
                    id: source,
                    subject: ElementSubject::Enrollment(*id),
                    row_id: None,
                    kept: e.kept.clone(),
                    existed: self.existed(SourceKind::Enrollment, source),
                });
            }
        }
        for (source, x) in &checked.exits {
            if let Some((id, _, _)) = self.enrollments.get(source) {
                rows.push(Keep {
                    file: HudFile::Exit,
                    line: x.line,
                    id: &x.id,
                    subject: ElementSubject::Enrollment(*id),
                    row_id: None,
                    kept: x.kept.clone(),
                    existed: self.existed(SourceKind::Enrollment, source),
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
                });
            }
        }
        for row in rows {
            self.keep(row);
        }
    }

    fn keep(&mut self, row: Keep<'_>) {
        let file = format!("{}.csv", row.file.stem());
        // A detail row is a record of its own in the summary: imported, unchanged or refused
        // here; other rows were counted with their record.
        let detail = row.row_id.is_some() && row.file != HudFile::User;
        let outcome = self.keep_row(row);
        if detail {
            self.settle(&file, outcome);
        } else if let Err(reject) = outcome {
            let summary = self.files.entry(file).or_default();
            summary.rejected += 1;
            self.rejects.push(reject);
        }
    }

    fn keep_row(&mut self, row: Keep<'_>) -> Result<Outcome, caseledger_hmis_csv::Reject> {
        if row.kept.elements.is_empty() && row.kept.stamp.is_none() && row.kept.blank.is_empty() {
            return Ok(Outcome::Unchanged);
        }
        let recorded =
            self.state()
                .write_model()
                .element_row(row.subject, row.file, row.row_id.as_deref());
        // Elements of the other version's columns (an FY2024 gender column when an FY2026
        // export arrives) are not in this file, so they stay as recorded.
        let fy2026 = matches!(self.version, caseledger_hmis_csv::CsvVersion::Fy2026 { .. });
        let mut elements = row.kept.elements;
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
        let command = RecordHudElements {
            subject: row.subject,
            file: row.file,
            row_id: row.row_id,
            elements,
            source: row.kept.stamp,
            blank: row.kept.blank,
        };
        if recorded.is_none() && row.existed && command.elements.is_empty() {
            return Ok(Outcome::Unchanged);
        }
        let updated = recorded.is_some();
        if recorded.is_some_and(|r| same(&r, &command)) {
            return Ok(Outcome::Unchanged);
        }
        let file = format!("{}.csv", row.file.stem());
        match self.command(self.admin, &command) {
            Ok(()) if updated => Ok(Outcome::Updated),
            Ok(()) => Ok(Outcome::Imported),
            Err(e) => {
                let id_column = row.file.elements().next().map_or("", |e| e.column);
                Err(command_reject(&file, row.line, id_column, row.id, &e))
            }
        }
    }
}

/// Where `column` is in HUD's column order of `file`: elements are kept in that order, so the
/// same row read from either version's file is the same set.
fn catalog_position(file: HudFile, column: &str) -> usize {
    file.elements()
        .position(|e| e.column == column)
        .unwrap_or(usize::MAX)
}

fn same(recorded: &HudElementsRecorded, command: &RecordHudElements) -> bool {
    recorded.elements == command.elements
        && recorded.source == command.source
        && recorded.blank == command.blank
}
