//! Corrections: a record's fields fixed after the fact, field by field. History is never
//! rewritten — a correction is an event of its own, a follow-up of the record it corrects,
//! and a record is read "as corrected" (`crate::corrections::corrected`): its events with
//! every correction applied in log order. What the sharing rules read of a record (owner,
//! client, kind, restriction) is not a correctable field, so a correction never changes who
//! may see a record; the one sharing field that is, the window of an MOU assignment or a
//! release exception, is read as corrected by the rules themselves (the reference evaluator's
//! "corrected window").

use serde::{Deserialize, Serialize};

use super::facility::BarScope;
use crate::hud::{Destination, LivingSituation, NoYesReasons, RelationshipToHoH, ServiceTypeCode};
use crate::ids::ClientId;
use crate::pii::Pii;
use crate::sharing::RecordKind;
use crate::time::{Date, DateWindow};

/// A record's fields were corrected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordCorrected {
    /// The record's id.
    pub record_id: u128,
    /// The client it is about (names the stream).
    pub client_id: ClientId,
    /// What kind of record it is.
    pub kind: RecordKind,
    /// The fields, each with its corrected value.
    pub corrections: Vec<Correction>,
    /// Why (sealed).
    pub reason: Pii<String>,
}

/// One corrected field and its new value. Stored by position: never reorder; add at the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Correction {
    /// An enrollment's entry date.
    EntryDate(Date),
    /// An enrollment's relationship to the head of household.
    RelationshipToHoH(RelationshipToHoH),
    /// An enrollment's prior living situation.
    LivingSituation(Option<LivingSituation>),
    /// An enrollment's disabling condition.
    DisablingCondition(NoYesReasons),
    /// The exit date of an enrollment's exit.
    ExitDate(Date),
    /// The destination of an enrollment's exit.
    Destination(Option<Destination>),
    /// The date of a service, assessment, case note, document, reservation (the night), stay
    /// (the night of check-in) or household membership (the day it began).
    Date(Date),
    /// A service's HUD record type and type provided.
    ServiceType(ServiceTypeCode),
    /// A service's description, a case note's text, a document's name or a bar-list entry's
    /// reason.
    Text(Pii<String>),
    /// The window of an MOU assignment, a release exception or a bar-list entry (an ending
    /// recorded for it still applies: an ending only ever shortens).
    Window(DateWindow),
    /// The date a stay's check-out says the client left.
    CheckOutDate(Date),
    /// What a bar-list entry keeps the client out of.
    BarScope(BarScope),
}

impl Correction {
    /// The field's name, as the API spells it.
    pub fn field(&self) -> &'static str {
        match self {
            Correction::EntryDate(_) => "entryDate",
            Correction::RelationshipToHoH(_) => "relationshipToHoH",
            Correction::LivingSituation(_) => "livingSituation",
            Correction::DisablingCondition(_) => "disablingCondition",
            Correction::ExitDate(_) => "exitDate",
            Correction::Destination(_) => "destination",
            Correction::Date(_) => "date",
            Correction::ServiceType(_) => "serviceType",
            Correction::Text(_) => "text",
            Correction::Window(_) => "window",
            Correction::CheckOutDate(_) => "checkOutDate",
            Correction::BarScope(_) => "scope",
        }
    }
}
