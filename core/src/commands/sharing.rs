//! Commands about sharing: the policy itself, a client's MOU assignments and their releases
//! of information.

use crate::{
    ClientId, Date, DateWindow, MouAssignmentId, MouId, OrganizationId, ReleaseId, SharingPolicy,
};

/// Puts a sharing policy in force from a date on. System administrators only; the policy's
/// time zone must be an IANA name; the date passes the rule for planned dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetSharingPolicy {
    /// The policy.
    pub policy: SharingPolicy,
    /// The first business date it applies to.
    pub effective: Date,
}

/// Assigns a client to an MOU the creating organization participates in, ending the previous
/// assignment the day before the new one starts. The creating organization only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignMou {
    /// The client.
    pub client_id: ClientId,
    /// The new assignment's id (chosen by the caller).
    pub assignment_id: MouAssignmentId,
    /// The MOU.
    pub mou_id: MouId,
    /// When it applies; open from today when `None`.
    pub window: Option<DateWindow>,
}

/// Ends a client's MOU assignment without assigning another: the client's data is no longer
/// shared along the MOU after `last_day`. The creating organization only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndMouAssignment {
    /// The client.
    pub client_id: ClientId,
    /// The assignment.
    pub assignment_id: MouAssignmentId,
    /// The last date it applies; yesterday when `None`, so sharing stops at once.
    pub last_day: Option<Date>,
}

/// The client signed a release letting another organization see what the session's
/// organization recorded about them. Any organization that can see the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantReleaseException {
    /// The client.
    pub client_id: ClientId,
    /// The new release's id (chosen by the caller).
    pub release_id: ReleaseId,
    /// The organization that may see.
    pub accessing_organization_id: OrganizationId,
    /// When it applies; open from today when `None`.
    pub window: Option<DateWindow>,
}

/// Ends a release exception. The granting organization only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokeReleaseException {
    /// The client.
    pub client_id: ClientId,
    /// The release.
    pub release_id: ReleaseId,
    /// The last date it applies; yesterday when `None`, so access stops at once.
    pub last_day: Option<Date>,
}
