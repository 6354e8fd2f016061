//! Voids: a record "entered in error" leaves every view, count, list and export, and an
//! un-void brings it back. History is never rewritten: both are events of their own, and the
//! record, its void and its un-void stay in the client's history and the access log.

use serde::{Deserialize, Serialize};

use crate::ids::ClientId;
use crate::pii::Pii;
use crate::sharing::RecordKind;

/// A record was voided ("entered in error"): from this event on it is out of every view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordVoided {
    /// The record's id (the id of the event that created it: enrollment, service, note, ...).
    pub record_id: u128,
    /// The client it is about (names the stream).
    pub client_id: ClientId,
    /// What kind of record it is.
    pub kind: RecordKind,
    /// Why, in the words of who voided it (may name the client, so sealed).
    pub reason: Pii<String>,
}

/// A void was undone: the record is back in the views as it was before the void.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordUnvoided {
    /// The record's id.
    pub record_id: u128,
    /// The client it is about (names the stream).
    pub client_id: ClientId,
    /// What kind of record it is.
    pub kind: RecordKind,
    /// Why, in the words of who undid the void (sealed).
    pub reason: Pii<String>,
}
