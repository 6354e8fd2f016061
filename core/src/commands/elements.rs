//! HUD data elements of a record beyond its typed fields (see [`crate::hud::elements`]).

use crate::events::ElementSubject;
use crate::hud::elements::{HudElement, HudFile, SourceStamp};

/// Records the complete set of HUD elements of one row of `file` for a record (replacing the
/// set recorded before for the same row): a veteran's service history, an enrollment's prior
/// living situation, an exit's aftercare, a project's funders. Staff of the organization that
/// may edit the record, or system administrators; only system administrators (importing)
/// give a source stamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordHudElements {
    /// The record.
    pub subject: ElementSubject,
    /// The file the row is of.
    pub file: HudFile,
    /// The id of a row of its own (a `FunderID`, an `AssessmentQuestionID`, a `UserID`).
    pub row_id: Option<String>,
    /// The elements, each at most once.
    pub elements: Vec<HudElement>,
    /// The source system's stamp of an imported row.
    pub source: Option<SourceStamp>,
    /// Columns the source left empty where the record holds a default (imports only).
    pub blank: Vec<String>,
}
