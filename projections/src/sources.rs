//! Records imported from another HMIS, found by the id they had there (HUD's `OrganizationID`,
//! `ProjectID`, `PersonalID`, `EnrollmentID`, `ExitID`, `ServicesID`, `HouseholdID`, assessment
//! ids): what makes importing the same export twice write nothing new.

use std::collections::HashMap;

use caseledger_core::Event;
use serde::{Deserialize, Serialize};

/// The kinds of imported records, each with its own id space in the exporting system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceKind {
    /// `Organization.csv`.
    Organization,
    /// `Project.csv`.
    Project,
    /// `Client.csv`.
    Client,
    /// `Enrollment.csv`.
    Enrollment,
    /// `Exit.csv` (the id found is the enrollment's).
    Exit,
    /// `Services.csv`.
    Service,
    /// Households (`HouseholdID`).
    Household,
    /// Assessments.
    Assessment,
}

/// Source id → the id caseledger gave the record, per kind.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct Sources {
    ids: HashMap<(SourceKind, String), u128>,
}

impl Sources {
    pub(crate) fn apply(&mut self, event: &Event) {
        let (kind, source, id) = match event {
            Event::OrganizationCreated(e) => (
                SourceKind::Organization,
                &e.source_id,
                e.organization_id.as_u128(),
            ),
            Event::ProgramCreated(e) => (SourceKind::Project, &e.source_id, e.program_id.as_u128()),
            Event::ClientIntakeRecorded(e) => {
                (SourceKind::Client, &e.source_id, e.client_id.as_u128())
            }
            Event::ClientEnrolled(e) => (
                SourceKind::Enrollment,
                &e.source_id,
                e.enrollment_id.as_u128(),
            ),
            Event::EnrollmentExited(e) => {
                (SourceKind::Exit, &e.source_id, e.enrollment_id.as_u128())
            }
            Event::ServiceRecorded(e) => {
                (SourceKind::Service, &e.source_id, e.service_id.as_u128())
            }
            Event::HouseholdCreated(e) => (
                SourceKind::Household,
                &e.source_id,
                e.household_id.as_u128(),
            ),
            Event::AssessmentRecorded(e) => (
                SourceKind::Assessment,
                &e.source_id,
                e.assessment_id.as_u128(),
            ),
            _ => return,
        };
        self.note(kind, source.as_deref(), id);
    }

    /// Notes that `id` was imported as `source` of `kind` (the first record keeps a source id).
    pub(crate) fn note(&mut self, kind: SourceKind, source: Option<&str>, id: u128) {
        if let Some(source) = source {
            self.ids.entry((kind, source.to_string())).or_insert(id);
        }
    }

    pub(crate) fn reverse(&self, kind: SourceKind) -> std::collections::HashMap<u128, String> {
        self.ids
            .iter()
            .filter(|((k, _), _)| *k == kind)
            .map(|((_, source), id)| (*id, source.clone()))
            .collect()
    }

    pub(crate) fn get(&self, kind: SourceKind, source: &str) -> Option<u128> {
        self.ids.get(&(kind, source.to_string())).copied()
    }
}
