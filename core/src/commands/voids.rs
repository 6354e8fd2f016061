//! Commands that fix the record: a record taken out of the views as "entered in error" and
//! put back, and a record's fields corrected.

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

/// Corrects a record's fields after the fact, each to a new value: an enrollment's entry date,
/// relationship to the head of household, prior living situation, disabling condition and its
/// exit's date and destination; a service's date, type and description; an assessment's date;
/// a case note's date and text; a reservation's night; a stay's night of check-in and its
/// check-out date; a bar-list entry's window, scope and reason. Who may, as for
/// [`VoidRecord`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectRecord {
    /// The record's id.
    pub record: u128,
    /// The fields and their corrected values (at least one; each field once).
    pub corrections: Vec<crate::events::Correction>,
    /// Why (required).
    pub reason: String,
}

/// Voids an enrollment's exit ("entered in error"): the enrollment is open again, and may be
/// exited anew. Who may, as for [`VoidRecord`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoidExit {
    /// The enrollment whose exit is voided.
    pub enrollment: crate::EnrollmentId,
    /// Why (required).
    pub reason: String,
}

/// Undoes the void of an enrollment's exit (the exit voided last comes back), while the
/// enrollment is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnvoidExit {
    /// The enrollment.
    pub enrollment: crate::EnrollmentId,
    /// Why (required).
    pub reason: String,
}

/// Voids a client's MOU assignment or release exception ("entered in error": signed for the
/// wrong client, or never signed) — it never shared anything — or undoes that (`undo`). The
/// organization whose fact it is (the client's creator for an assignment, the granting
/// organization for a release) or a system administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoidSharingFact {
    /// The client.
    pub client: crate::ClientId,
    /// The assignment's or release's id.
    pub fact: u128,
    /// Undo a void instead.
    pub undo: bool,
    /// Why (required).
    pub reason: String,
}

/// Corrects the window of a client's MOU assignment or release exception to what the signed
/// paper says (a typed date wrong): the fact always had the corrected window, past dates
/// included, while an ending recorded for it still applies. Who may, as for
/// [`VoidSharingFact`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectSharingFact {
    /// The client.
    pub client: crate::ClientId,
    /// The assignment's or release's id.
    pub fact: u128,
    /// The window as corrected.
    pub window: crate::DateWindow,
    /// Why (required).
    pub reason: String,
}

/// Voids a client's membership in a household ("entered in error": added to the wrong
/// household), or undoes that (`undo`). The head's membership is the household itself and is
/// not voided. Who may: the organization that added the member (its case managers and agency
/// administrator) or a system administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoidHouseholdMembership {
    /// The household.
    pub household: crate::HouseholdId,
    /// The member.
    pub client: crate::ClientId,
    /// Undo a void instead.
    pub undo: bool,
    /// Why (required).
    pub reason: String,
}

/// Corrects a client's membership in a household: the date it began (`Date`; for the head,
/// the household's start) and a member's relationship to the head (`RelationshipToHoH`). Who
/// may, as for [`VoidHouseholdMembership`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectHouseholdMembership {
    /// The household.
    pub household: crate::HouseholdId,
    /// The member.
    pub client: crate::ClientId,
    /// The fields and their corrected values (at least one; each field once).
    pub corrections: Vec<crate::events::Correction>,
    /// Why (required).
    pub reason: String,
}
