//! Organizations, users, API tokens, programs, and the sharing policy.

use serde::{Deserialize, Serialize};

use crate::hud::ProjectType;
use crate::ids::{OrganizationId, ProgramId, TokenId, UserId};
use crate::sharing::Role;
use crate::sharing::SharingPolicy;
use crate::time::{Date, DateWindow, Timestamp};

/// A system administrator added an organization to the HMIS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationCreated {
    /// The new organization.
    pub organization_id: OrganizationId,
    /// Display name (HUD `OrganizationName`).
    pub name: String,
    /// Whether this is the CoC lead agency that runs the HMIS (its system administrators,
    /// help desk and auditors work here).
    pub is_coc_lead: bool,
    /// HUD `VictimServiceProvider`: such providers may not enter client-identifying data
    /// into HMIS under VAWA; kept so imports and exports can honour it.
    pub victim_service_provider: bool,
    /// HUD `OrganizationID` in the system this organization was imported from.
    pub source_id: Option<String>,
}

/// A system administrator changed an organization's details. `None` leaves a field as is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationUpdated {
    /// The organization.
    pub organization_id: OrganizationId,
    /// New display name.
    pub name: Option<String>,
    /// New CoC lead flag.
    pub is_coc_lead: Option<bool>,
    /// New victim service provider flag.
    pub victim_service_provider: Option<bool>,
}

/// A user account was created in an organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCreated {
    /// The new user.
    pub user_id: UserId,
    /// The organization the user works for; everything they record is owned by it.
    pub organization_id: OrganizationId,
    /// Sign-in name, unique across the deployment.
    pub username: String,
    /// Name shown to other staff.
    pub display_name: String,
    /// The user's role.
    pub role: Role,
}

/// A user's role changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRoleChanged {
    /// The user.
    pub user_id: UserId,
    /// The new role.
    pub role: Role,
}

/// A user can no longer sign in (accounts are never deleted: disclosures name them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDeactivated {
    /// The user.
    pub user_id: UserId,
}

/// An API token was issued to a user. Only the hash is stored: the log must never hold a
/// usable credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenIssued {
    /// The token.
    pub token_id: TokenId,
    /// Whose token it is.
    pub user_id: UserId,
    /// SHA-256 of the token secret.
    pub token_hash: [u8; 32],
    /// When it stops working (`None` only for tokens issued before tokens expired).
    pub expires: Option<Timestamp>,
    /// What the token is for, as its holder and administrators see it in the token list
    /// ("" for tokens issued before tokens had names).
    pub name: String,
}

/// An API token was revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRevoked {
    /// The token.
    pub token_id: TokenId,
    /// Whose token it was (names the stream).
    pub user_id: UserId,
}

/// A system administrator created a program (HUD project) of an organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramCreated {
    /// The new program.
    pub program_id: ProgramId,
    /// The organization that runs it.
    pub organization_id: OrganizationId,
    /// Display name (HUD `ProjectName`).
    pub name: String,
    /// HUD project type.
    pub project_type: ProjectType,
    /// Operating start and end dates (HUD `OperatingStartDate`, `OperatingEndDate`).
    pub operating: DateWindow,
    /// HUD `ProjectID` in the system this program was imported from.
    pub source_id: Option<String>,
}

/// The Continuum of Care's HUD code (e.g. `CA-502`), by which HUD's exports and reports name
/// the implementation (HMIS CSV `Export.SourceID` when `SourceType` is 1). The last one set
/// is in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CocCodeSet {
    /// Two letters, a dash and three digits.
    pub code: String,
}

/// The sharing policy in force from `effective` on (replaces the previous one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharingPolicySet {
    /// The policy.
    pub policy: SharingPolicy,
    /// First date the policy applies to.
    pub effective: Date,
}
