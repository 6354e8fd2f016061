//! HUD data elements kept with a record: everything of HUD's data standard that caseledger's
//! typed fields do not hold (see [`crate::hud::elements`]).

use serde::{Deserialize, Serialize};

use crate::hud::elements::{HudElement, HudFile, SourceStamp};
use crate::ids::{AssessmentId, ClientId, EnrollmentId, OrganizationId, ProgramId, ServiceId};

/// The record a set of elements belongs to. Elements are read exactly where their record is:
/// a client's (its intake), an enrollment's (its exit too), a service's or an assessment's
/// under that record's sharing rules; a project's and an organization's by everyone who sees
/// the project catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ElementSubject {
    /// The CoC's HMIS itself (an imported `User.csv` row, which belongs to no organization
    /// of caseledger's).
    Coc,
    /// An organization (`Organization.csv`).
    Organization(OrganizationId),
    /// A project (`Project.csv` and its descriptors: funders, CoC information, inventory,
    /// affiliations, HMIS and coordinated entry participation).
    Program(ProgramId),
    /// A client (`Client.csv`: veteran details, the FY2024 gender columns, ...).
    Client(ClientId),
    /// An enrollment (`Enrollment.csv`) or its exit (`Exit.csv`).
    Enrollment(EnrollmentId),
    /// A service (`Services.csv`).
    Service(ServiceId),
    /// An assessment-like record (`IncomeBenefits.csv` ... `YouthEducationStatus.csv`,
    /// `Assessment.csv` and its questions and results).
    Assessment(AssessmentId),
}

impl ElementSubject {
    /// Whether rows of `file` belong to a record of this kind.
    pub fn holds(self, this: HudFile) -> bool {
        use ElementSubject as S;
        match self {
            S::Coc => this == HudFile::User,
            S::Organization(_) => this == HudFile::Organization,
            // A project holds the files about no client but the organizations' and users'.
            S::Program(_) => {
                this.is_about_no_client() && !matches!(this, HudFile::Organization | HudFile::User)
            }
            S::Client(_) => this == HudFile::Client,
            S::Enrollment(_) => matches!(this, HudFile::Enrollment | HudFile::Exit),
            S::Service(_) => this == HudFile::Services,
            S::Assessment(_) => matches!(
                this,
                HudFile::IncomeBenefits
                    | HudFile::HealthAndDv
                    | HudFile::EmploymentEducation
                    | HudFile::Disabilities
                    | HudFile::CurrentLivingSituation
                    | HudFile::Assessment
                    | HudFile::AssessmentQuestions
                    | HudFile::AssessmentResults
                    | HudFile::Event
                    | HudFile::YouthEducationStatus
            ),
        }
    }

    /// The record's raw id (`None` for the CoC).
    pub fn record_id(self) -> Option<u128> {
        Some(match self {
            ElementSubject::Coc => return None,
            ElementSubject::Organization(id) => id.as_u128(),
            ElementSubject::Program(id) => id.as_u128(),
            ElementSubject::Client(id) => id.as_u128(),
            ElementSubject::Enrollment(id) => id.as_u128(),
            ElementSubject::Service(id) => id.as_u128(),
            ElementSubject::Assessment(id) => id.as_u128(),
        })
    }
}

/// The HUD elements of one row of one file for a record: the row's complete set of elements
/// beyond the record's typed fields (a later row for the same subject, file and row id
/// replaces the set), with the source system's stamp when the row was imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementRow {
    /// The record.
    pub subject: ElementSubject,
    /// The file the row is of (an enrollment's subject has rows of `Enrollment.csv` and of
    /// `Exit.csv`).
    pub file: HudFile,
    /// The id of a row of its own that belongs to the record (a project's `FunderID`, an
    /// assessment's `AssessmentQuestionID`, a `UserID`); `None` for the record's own row.
    pub row_id: Option<String>,
    /// The elements, each once, in the specification's column order.
    pub elements: Vec<HudElement>,
    /// When and by whom the source system created and last changed the row, if imported.
    pub source: Option<SourceStamp>,
    /// Columns of the file caseledger holds in typed fields that the source left empty (HUD
    /// requires them; the record holds a default, such as 99 for `RelationshipToHoH`, or the
    /// export would fill them, such as a household of one's `HouseholdID`): exported empty,
    /// as they came.
    pub blank: Vec<String>,
}

/// HUD element rows were recorded: one row from the API, or every row of one client's records
/// from an import (one event per client rather than per row keeps an import's writes close to
/// one event per record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HudElementsRecorded {
    /// The client every row's record is about, whose stream and key hold the event (`None`
    /// when the rows describe the CoC's users, organizations and projects).
    pub client_id: Option<ClientId>,
    /// The rows.
    pub rows: Vec<ElementRow>,
}
