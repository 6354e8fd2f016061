//! Casework recorded for a client beyond enrollments: services, assessments, case notes and
//! documents.

use serde::{Deserialize, Serialize};

use crate::hud::{DataCollectionStage, ServiceTypeCode};
use crate::ids::{AssessmentId, CaseNoteId, ClientId, DocumentId, EnrollmentId, ServiceId};
use crate::pii::Pii;
use crate::sharing::{AssessmentKind, RecordOwner, TransactionRestriction};
use crate::time::Date;

/// A service was provided to a client (HUD Services.csv).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRecorded {
    /// The new service record.
    pub service_id: ServiceId,
    /// The client.
    pub client_id: ClientId,
    /// The enrollment it was provided under, if any.
    pub enrollment_id: Option<EnrollmentId>,
    /// Who recorded it.
    pub owner: RecordOwner,
    /// HUD `DateProvided`.
    pub date: Date,
    /// HUD `RecordType` and `TypeProvided`.
    pub service_type: ServiceTypeCode,
    /// Free-text description (HUD `OtherTypeProvided` and local notes); empty if none.
    pub description: Pii<String>,
    /// Who may see it beyond the owner.
    pub restriction: TransactionRestriction,
    /// HUD `ServicesID` in the system this service was imported from.
    pub source_id: Option<String>,
}

/// One answer in an assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentAnswer {
    /// What was asked: a HUD CSV column name where one exists (`IncomeFromAnySource`,
    /// `DomesticViolenceSurvivor`, `CurrentLivingSituation`), else a local item key.
    pub item: String,
    /// The answer.
    pub value: AnswerValue,
}

/// The value of one assessment answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnswerValue {
    /// A HUD (or local) list code, e.g. a `NoYesReasons` code.
    Code(u16),
    /// A yes/no flag.
    Bool(bool),
    /// An integer; money in cents.
    Number(i64),
    /// A date.
    Date(Date),
    /// Free text, which may identify the client.
    Text(Pii<String>),
    /// Text of a record about no client (a project's grant id, a source system's user name):
    /// nothing to seal it under, nothing of a client's in it.
    Plain(String),
}

/// An assessment was collected (a set of answers on one date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentRecorded {
    /// The new assessment.
    pub assessment_id: AssessmentId,
    /// The client.
    pub client_id: ClientId,
    /// The enrollment it belongs to, if any.
    pub enrollment_id: Option<EnrollmentId>,
    /// Who recorded it.
    pub owner: RecordOwner,
    /// Information date (HUD `InformationDate` / `AssessmentDate`).
    pub date: Date,
    /// What kind of assessment (drives the default restriction).
    pub kind: AssessmentKind,
    /// HUD `DataCollectionStage`, for HUD-required assessments.
    pub data_collection_stage: Option<DataCollectionStage>,
    /// The answers, in the order asked.
    pub answers: Vec<AssessmentAnswer>,
    /// Who may see it beyond the owner.
    pub restriction: TransactionRestriction,
    /// The record id in the system this assessment was imported from.
    pub source_id: Option<String>,
}

/// A case note was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseNoteAdded {
    /// The new note.
    pub note_id: CaseNoteId,
    /// The client.
    pub client_id: ClientId,
    /// The enrollment it belongs to, if any.
    pub enrollment_id: Option<EnrollmentId>,
    /// Who wrote it.
    pub owner: RecordOwner,
    /// The date the note is about.
    pub date: Date,
    /// The note.
    pub text: Pii<String>,
    /// Who may see it beyond the owner (case notes default to the organization).
    pub restriction: TransactionRestriction,
}

/// A document was uploaded on a client's behalf. The content lives outside the log; the
/// log holds its hash so the stored copy can be verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentAdded {
    /// The new document.
    pub document_id: DocumentId,
    /// The client.
    pub client_id: ClientId,
    /// The enrollment it belongs to, if any.
    pub enrollment_id: Option<EnrollmentId>,
    /// Who uploaded it.
    pub owner: RecordOwner,
    /// File or display name (often contains the client's name).
    pub name: Pii<String>,
    /// Document type, e.g. "Photo ID", "Income verification", "Release of information".
    pub document_type: String,
    /// The document's date.
    pub date: Date,
    /// SHA-256 of the content, when content was uploaded.
    pub content_sha256: Option<[u8; 32]>,
    /// Who may see it beyond the owner.
    pub restriction: TransactionRestriction,
}
