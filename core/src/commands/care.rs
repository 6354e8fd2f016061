//! Commands about care: households, enrollments and exits, services, assessments, case notes
//! and documents. Each is recorded by agency staff for a client their organization can see,
//! owned by the actor's organization and user, with the restriction chosen or the policy's
//! default for the kind of record.
//!
//! The fields an importer fills (`source_id`, `imported`) are `None` for a record made here:
//! the HMIS import builds the same commands as the API, so an imported record passes exactly
//! the rules staff's would.

use crate::events::AssessmentAnswer;
use crate::hud::{
    DataCollectionStage, Destination, LivingSituation, NoYesReasons, RelationshipToHoH,
    RentalSubsidyType, ServiceTypeCode,
};
use crate::{
    AssessmentId, AssessmentKind, CaseNoteId, ClientId, Date, DocumentId, EnrollmentId,
    HouseholdId, ProgramId, ServiceId, TransactionRestriction, UserId,
};

/// Forms a household with `head` as its head of household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateHousehold {
    /// The new household's id.
    pub id: HouseholdId,
    /// The head of household.
    pub head: ClientId,
    /// Formed on this date; today when `None`.
    pub date: Option<Date>,
    /// HUD `HouseholdID`, when imported from another system's export.
    pub source_id: Option<String>,
}

/// Adds a client to a household (by any organization that can see both the client and the
/// household's head).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddHouseholdMember {
    /// The household.
    pub household: HouseholdId,
    /// The new member.
    pub client: ClientId,
    /// Their relationship to the head (never `SelfHeadOfHousehold`: the head is named when the
    /// household is formed).
    pub relationship: RelationshipToHoH,
    /// Joined on this date; today when `None`.
    pub joined: Option<Date>,
}

/// Enrolls a client in one of the actor's organization's programs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollClient {
    /// The new enrollment's id.
    pub id: EnrollmentId,
    /// The client.
    pub client: ClientId,
    /// The program (run by the actor's organization).
    pub program: ProgramId,
    /// Project start date.
    pub entry_date: Date,
    /// The household enrolled together, if any.
    pub household: Option<HouseholdId>,
    /// Relationship to the head of household (`SelfHeadOfHousehold` when alone).
    pub relationship: RelationshipToHoH,
    /// Prior living situation.
    pub living_situation: Option<LivingSituation>,
    /// Rental subsidy type when the living situation is 435.
    pub rental_subsidy_type: Option<RentalSubsidyType>,
    /// Disabling condition.
    pub disabling_condition: NoYesReasons,
    /// CoC code, e.g. `CA-502`, for heads of household.
    pub enrollment_coc: Option<String>,
    /// Move-in date for permanent housing.
    pub move_in_date: Option<Date>,
    /// The assigned case manager.
    pub case_manager: Option<UserId>,
    /// Who may see it beyond the owner; the policy's default when `None`.
    pub restriction: Option<TransactionRestriction>,
    /// How it came from another system's export, when it did.
    pub imported: Option<ImportedEnrollment>,
}

/// What an enrollment imported from another system's export carries besides its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedEnrollment {
    /// HUD `EnrollmentID`.
    pub source_id: String,
    /// The export's household had no single head of household, so the enrollment comes
    /// without a household and keeps the relationship the export recorded (legacy data often
    /// says 99, "data not collected") instead of being refused for not being SELF.
    pub headless_household: bool,
}

/// Exits an enrollment (and, when asked, every other household member still enrolled in the
/// same program, on the same date). The owning organization only. Decides the enrollments
/// exited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExitEnrollment {
    /// The enrollment.
    pub enrollment: EnrollmentId,
    /// Project exit date.
    pub exit_date: Date,
    /// Destination.
    pub destination: Option<Destination>,
    /// Destination subsidy type when the destination is 435.
    pub destination_subsidy_type: Option<RentalSubsidyType>,
    /// Text for destination 17 "Other".
    pub other_destination: String,
    /// Also exit every other member of the household still enrolled in the program.
    pub whole_household: bool,
    /// HUD `ExitID` of the named enrollment's exit, when imported.
    pub source_id: Option<String>,
}

/// Sets, changes or clears (`None`) the housing move-in date of an enrollment: a date from the
/// entry to today, not after the exit. The owning organization only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetMoveInDate {
    /// The enrollment.
    pub enrollment: EnrollmentId,
    /// The new move-in date, or none.
    pub move_in_date: Option<Date>,
}

/// Records a service provided to a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordService {
    /// The new service record's id.
    pub id: ServiceId,
    /// The client.
    pub client: ClientId,
    /// One of the actor's organization's enrollments of the client, covering `date`.
    pub enrollment: Option<EnrollmentId>,
    /// When it was provided.
    pub date: Date,
    /// HUD record type and type provided.
    pub service_type: ServiceTypeCode,
    /// What was provided.
    pub description: String,
    /// Who may see it beyond the owner; the policy's default when `None`.
    pub restriction: Option<TransactionRestriction>,
    /// HUD `ServicesID`, when imported.
    pub source_id: Option<String>,
}

/// Records an assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordAssessment {
    /// The new assessment's id.
    pub id: AssessmentId,
    /// The client.
    pub client: ClientId,
    /// One of the actor's organization's enrollments of the client, covering `date`.
    pub enrollment: Option<EnrollmentId>,
    /// When it was taken.
    pub date: Date,
    /// What kind of assessment.
    pub kind: AssessmentKind,
    /// HUD data collection stage.
    pub stage: Option<DataCollectionStage>,
    /// The answers (1 to 500).
    pub answers: Vec<AssessmentAnswer>,
    /// Who may see it beyond the owner; the policy's default for the kind when `None`.
    pub restriction: Option<TransactionRestriction>,
    /// The source record's id (see the importer's `answer_source_id`), when imported.
    pub source_id: Option<String>,
}

/// Adds a case note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCaseNote {
    /// The new note's id.
    pub id: CaseNoteId,
    /// The client.
    pub client: ClientId,
    /// One of the actor's organization's enrollments of the client, covering the date.
    pub enrollment: Option<EnrollmentId>,
    /// The note's date; today when `None`.
    pub date: Option<Date>,
    /// The note.
    pub text: String,
    /// Who may see it beyond the owner; the policy's default when `None`.
    pub restriction: Option<TransactionRestriction>,
}

/// Records a document's metadata (the content is stored elsewhere; its SHA-256 lets the stored
/// copy be verified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddDocument {
    /// The new document's id.
    pub id: DocumentId,
    /// The client.
    pub client: ClientId,
    /// One of the actor's organization's enrollments of the client, covering the date.
    pub enrollment: Option<EnrollmentId>,
    /// The document's name.
    pub name: String,
    /// What kind of document.
    pub document_type: String,
    /// The document's date; today when `None`.
    pub date: Option<Date>,
    /// SHA-256 of the stored content.
    pub content_sha256: Option<[u8; 32]>,
    /// Who may see it beyond the owner; the policy's default when `None`.
    pub restriction: Option<TransactionRestriction>,
}
