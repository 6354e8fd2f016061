//! The vocabulary of the sharing rules: roles, restrictions, MOU directions, record kinds,
//! access levels and the reasons access was granted.
//!
//! These enums are encoded by variant index (bincode), so their variant order is part of
//! the log format: never reorder or remove a variant; add new ones at the end.

use serde::{Deserialize, Serialize};

use crate::ids::{MouId, OrganizationId, RecordRequestId, ReleaseId, UserId};

/// What a user may do, beyond their own organization's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Agency staff: intake, enrollments, services, notes, check-ins, releases.
    CaseManager,
    /// Agency administrator: a case manager who also manages the agency's users and client
    /// restrictions and submits client record requests.
    AgencyAdmin,
    /// CoC lead / HMIS administrator: creates organizations, users, programs and MOUs; sees
    /// all data; may correct intake data.
    SystemAdmin,
    /// CoC lead help desk: finds any client by id, produces client record request dashboards.
    HelpDesk,
    /// Replays history and disclosure records; verifies the log.
    Auditor,
    /// The service itself (bootstrap, date-boundary events, migrations); never a person.
    System,
}

/// Who may see a client's intake beyond the creating organization (set by that organization).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ClientRestriction {
    /// Only the creating organization; overrides every MOU and release exception.
    RestrictToOrganization,
    /// Organizations with a sharing path from the creating organization.
    ShareWithMou,
    /// Every participating organization (the policy default).
    ShareGlobally,
}

/// Who may see one transaction (enrollment, service, assessment, note, ...) beyond its
/// owning organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TransactionRestriction {
    /// Organizations with a sharing path from the owner.
    Unrestricted,
    /// Only the owning organization.
    RestrictToOrganization,
    /// Only the user who recorded it (and system administrators, read-only).
    RestrictToUser,
}

/// A participant's role in an MOU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MouDirection {
    /// Shares its clients' data out to receiving participants.
    Grants,
    /// May see granting participants' data.
    Receives,
    /// Both grants and receives.
    Both,
}

impl MouDirection {
    /// Whether this participant shares out.
    pub const fn grants(self) -> bool {
        matches!(self, MouDirection::Grants | MouDirection::Both)
    }

    /// Whether this participant may see what others share.
    pub const fn receives(self) -> bool {
        matches!(self, MouDirection::Receives | MouDirection::Both)
    }
}

/// The kinds of client data a viewer can be shown, as named in disclosure records and
/// default-restriction tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RecordKind {
    /// The client intake (profile: name, SSN, DOB, demographics, address).
    Intake,
    /// An enrollment in a program.
    Enrollment,
    /// The exit of an enrollment.
    Exit,
    /// A service.
    Service,
    /// An assessment.
    Assessment,
    /// A case note.
    CaseNote,
    /// A document uploaded on the client's behalf.
    Document,
    /// A shelter stay (check-in and check-out).
    CheckIn,
    /// A bed reservation.
    Reservation,
    /// A bar-list entry.
    BarListEntry,
    /// Membership in a household.
    HouseholdMembership,
    /// An MOU assignment of the client (part of the client's releases of information).
    MouAssignment,
    /// A release exception for the client (part of the client's releases of information).
    ReleaseException,
    /// The accounting of the client's disclosures (who saw their data), as auditors read it.
    AccessLog,
    /// The client's history of changes and of who could see them, as auditors read it.
    History,
    /// A client record request's texts (delivery and denial reasons, revision descriptions),
    /// as the help desk and the requesting agency read them.
    RecordRequest,
}

/// The kinds of assessment, which drive default restrictions (health, substance use, legal
/// and domestic violence assessments are restricted to the organization by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AssessmentKind {
    /// Anything not covered by a specific kind.
    General,
    /// Health insurance and health conditions (HUD 4.04, HealthAndDV).
    Health,
    /// Substance use.
    SubstanceUse,
    /// Legal issues.
    Legal,
    /// Domestic violence (HUD 4.11).
    DomesticViolence,
    /// Income and sources, non-cash benefits (HUD 4.02, 4.03).
    IncomeBenefits,
    /// Disabilities (HUD 4.05–4.10).
    Disabilities,
    /// Employment and education (HUD R4, R6).
    EmploymentEducation,
    /// Current living situation (HUD 4.12).
    CurrentLivingSituation,
    /// Coordinated entry assessment (HUD 4.19).
    CoordinatedEntry,
    /// Youth education status (HUD C3).
    YouthEducationStatus,
}

/// Who owns a transaction: the organization and user that recorded it.
///
/// Carried in the payload rather than taken from the envelope's actor because they can
/// differ: a system administrator importing an agency's HMIS CSV records on its behalf.
/// Only the owner may edit; `RestrictToUser` compares against `user`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RecordOwner {
    /// The owning organization.
    pub organization: OrganizationId,
    /// The user who recorded it.
    pub user: UserId,
}

/// What a viewer may do with a record. Ordered: `None < Read < Edit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AccessLevel {
    /// Not visible (and not revealed to exist).
    None,
    /// Visible, read-only.
    Read,
    /// Visible and editable.
    Edit,
}

/// Rules of a policy preset that grant access beyond the base rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PolicyRule {
    /// Open-intake preset: the intake of a client not restricted to its organization is
    /// visible to and editable by every participating organization.
    OpenIntake,
    /// Open-intake preset: the enrollment summary of such a client is readable by every
    /// participating organization.
    OpenEnrollmentSummary,
}

/// Why a viewer may see a record: recorded in every disclosure so that an auditor can ask
/// "which rule allowed this?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AccessReason {
    /// The viewer's organization owns the record or created the client.
    OwnOrganization,
    /// The viewer recorded the record themself (it is restricted to its user).
    OwnUser,
    /// The client's intake is shared globally.
    GlobalShare,
    /// A sharing path through this MOU.
    Mou(MouId),
    /// A sharing path through this release exception.
    ReleaseException(ReleaseId),
    /// The viewer is a system administrator.
    SystemAdministrator,
    /// The viewer is on the help desk (finding a client by id).
    HelpDesk,
    /// The viewer is an auditor.
    Auditor,
    /// A rule of the policy preset in force.
    PolicyRule(PolicyRule),
    /// The help desk producing the dashboard for this client record request.
    ClientRecordRequest(RecordRequestId),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_levels_are_ordered() {
        assert!(AccessLevel::None < AccessLevel::Read);
        assert!(AccessLevel::Read < AccessLevel::Edit);
    }

    #[test]
    fn mou_directions() {
        assert!(MouDirection::Grants.grants() && !MouDirection::Grants.receives());
        assert!(!MouDirection::Receives.grants() && MouDirection::Receives.receives());
        assert!(MouDirection::Both.grants() && MouDirection::Both.receives());
    }
}
