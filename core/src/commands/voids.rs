//! Commands that take a record out of the views as "entered in error", and put it back.

/// Voids a record ("entered in error"): an enrollment, service, assessment, case note,
/// document, reservation, stay (check-in) or bar-list entry leaves every view, count, list and
/// export, and stays in the client's history and the access log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoidRecord {
    /// The record's id.
    pub record: u128,
    /// Why (required; kept sealed with the client's data).
    pub reason: String,
}

/// Undoes a void: the record is back in the views as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnvoidRecord {
    /// The record's id.
    pub record: u128,
    /// Why (required).
    pub reason: String,
}
