//! Commands about organizations, users and their tokens, and the first of them all.

use crate::{Date, OrganizationId, Role, SharingPolicy, Timestamp, TokenId, UserId};

/// Creates the CoC lead organization, its first system administrator and that user's token,
/// with the sharing policy in force from `today`. Only on an empty log, by the service acting
/// for itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bootstrap {
    /// The sharing policy in force from the start.
    pub policy: SharingPolicy,
    /// Name of the CoC lead organization.
    pub lead_name: String,
    /// Username of the first system administrator.
    pub admin_username: String,
    /// The lead organization's id (chosen by the caller).
    pub organization_id: OrganizationId,
    /// The administrator's id (chosen by the caller).
    pub admin_id: UserId,
    /// The administrator's first token.
    pub token: NewToken,
    /// Today's business date in the policy's time zone (the caller reads the clock).
    pub today: Date,
}

/// A token as the log records it: its id, the SHA-256 of its secret and when it stops
/// working. The secret itself is made outside any decision and handed out once; no command
/// carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewToken {
    /// The token's id.
    pub token_id: TokenId,
    /// SHA-256 of its secret.
    pub token_hash: [u8; 32],
    /// When it stops working (the caller reads the clock and the configured lifetime).
    pub expires: Timestamp,
}

/// Creates an organization. System administrators only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateOrganization {
    /// The new organization's id (chosen by the caller).
    pub organization_id: OrganizationId,
    /// Its name.
    pub name: String,
    /// Whether it is a victim service provider.
    pub victim_service_provider: bool,
    /// Its `OrganizationID` in the system an HMIS export came from (the importer's).
    pub source_id: Option<String>,
}

/// Creates a user. System administrators for any organization; agency administrators for
/// case managers and agency administrators of their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateUser {
    /// The new user's id (chosen by the caller).
    pub user_id: UserId,
    /// Their organization.
    pub organization_id: OrganizationId,
    /// The sign-in name.
    pub username: String,
    /// The name shown to other staff.
    pub display_name: String,
    /// Their role.
    pub role: Role,
}

/// Issues a bearer token for a user: yourself, or a user you manage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueToken {
    /// Whose token.
    pub user_id: UserId,
    /// The token.
    pub token: NewToken,
    /// What it is for ("nightly export to the CoC's data warehouse"): one line, shown in the
    /// token list.
    pub name: String,
}

/// Revokes a token: it stops working at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokeToken {
    /// The token.
    pub token_id: TokenId,
}

/// Deactivates a user: their tokens stop working at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeactivateUser {
    /// The user.
    pub user_id: UserId,
}
