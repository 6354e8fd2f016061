//! Sharing facts: MOUs, MOU assignments of clients, and release exceptions.

use serde::{Deserialize, Serialize};

use crate::ids::{ClientId, MouAssignmentId, MouId, OrganizationId, ReleaseId};
use crate::sharing::MouDirection;
use crate::time::{Date, DateWindow};

/// One organization's part in an MOU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MouParticipant {
    /// The organization.
    pub organization: OrganizationId,
    /// Whether it shares out, may see, or both.
    pub direction: MouDirection,
}

/// A system administrator created an MOU (information release agreement).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MouCreated {
    /// The new MOU.
    pub mou_id: MouId,
    /// The agreement's number as printed on it, e.g. `0001`.
    pub number: String,
    /// The agreement's title.
    pub title: String,
    /// The participating organizations.
    pub participants: Vec<MouParticipant>,
    /// When the agreement is active.
    pub window: DateWindow,
}

/// A system administrator changed an MOU. Title, participants and window are replaced
/// whole (not merged), so a fold needs only the latest event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MouChanged {
    /// The MOU.
    pub mou_id: MouId,
    /// The title.
    pub title: String,
    /// All participants after the change.
    pub participants: Vec<MouParticipant>,
    /// The active window after the change.
    pub window: DateWindow,
    /// The first date the change applies (before it the MOU is as it was); `None`: on every
    /// date, as if it had always been so. Schema 2.
    pub effective: Option<crate::time::Date>,
}

/// The creating organization assigned a client to an MOU. A client has one MOU at a time:
/// assigning another ends the previous assignment, which the command records as a
/// [`MouAssignmentEnded`] in the same append, so that folds never infer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MouAssigned {
    /// The client.
    pub client_id: ClientId,
    /// This assignment.
    pub assignment_id: MouAssignmentId,
    /// The MOU.
    pub mou_id: MouId,
    /// When the assignment is active.
    pub window: DateWindow,
}

/// An MOU assignment ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MouAssignmentEnded {
    /// The client.
    pub client_id: ClientId,
    /// The assignment.
    pub assignment_id: MouAssignmentId,
    /// Last date the assignment is active.
    pub end: Date,
}

/// A client signed a release of information: one-way sharing from the granting
/// organization (the one recording it) to the accessing organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseExceptionGranted {
    /// The client.
    pub client_id: ClientId,
    /// This release.
    pub release_id: ReleaseId,
    /// The organization sharing out.
    pub granting_organization: OrganizationId,
    /// The organization that may see.
    pub accessing_organization: OrganizationId,
    /// When the release is active.
    pub window: DateWindow,
}

/// A release exception was revoked or ended early.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseExceptionRevoked {
    /// The client.
    pub client_id: ClientId,
    /// The release.
    pub release_id: ReleaseId,
    /// Last date the release is active.
    pub end: Date,
}
