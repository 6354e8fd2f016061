//! Organizations, users and API tokens: write-model state for commands and authentication,
//! folded by the store with everything else and answered through [`WriteModel`].
//!
//! [`WriteModel`]: crate::WriteModel

use rustc_hash::FxHashMap as HashMap;

use caseledger_core::OrganizationId;
use caseledger_core::events::Event;
use serde::{Deserialize, Serialize};

/// An organization as commands see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationFacts {
    /// Display name.
    pub name: String,
    /// Whether it is the CoC lead (home of system administrators, help desk, auditors).
    pub is_coc_lead: bool,
    /// HUD `VictimServiceProvider` (kept for exports).
    pub victim_service_provider: bool,
}

/// A user account as commands and authentication see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserFacts {
    /// The user's organization.
    pub organization: OrganizationId,
    /// The user's current role.
    pub role: caseledger_core::Role,
    /// False once deactivated: the user's tokens stop working at once.
    pub active: bool,
}

/// An API token: whose it is, the SHA-256 of its secret, and whether it was revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenFacts {
    /// The token's user.
    pub user: caseledger_core::UserId,
    /// SHA-256 of the secret part (the secret itself is never stored).
    pub secret_sha256: [u8; 32],
    /// True once revoked.
    pub revoked: bool,
}

/// Organizations, users and tokens.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct Accounts {
    pub organizations: HashMap<OrganizationId, OrganizationFacts>,
    pub users: HashMap<caseledger_core::UserId, UserFacts>,
    pub tokens: HashMap<caseledger_core::TokenId, TokenFacts>,
    /// Lower-cased usernames, which are unique.
    pub usernames: HashMap<String, caseledger_core::UserId>,
    /// Names shown to other staff (and written to exports).
    pub display_names: HashMap<caseledger_core::UserId, String>,
}

impl Accounts {
    pub(crate) fn apply(&mut self, event: &Event) {
        match event {
            Event::OrganizationCreated(o) => {
                self.organizations.insert(
                    o.organization_id,
                    OrganizationFacts {
                        name: o.name.clone(),
                        is_coc_lead: o.is_coc_lead,
                        victim_service_provider: o.victim_service_provider,
                    },
                );
            }
            Event::OrganizationUpdated(o) => {
                if let Some(org) = self.organizations.get_mut(&o.organization_id) {
                    if let Some(name) = &o.name {
                        org.name = name.clone();
                    }
                    if let Some(lead) = o.is_coc_lead {
                        org.is_coc_lead = lead;
                    }
                    if let Some(vsp) = o.victim_service_provider {
                        org.victim_service_provider = vsp;
                    }
                }
            }
            Event::UserCreated(u) => {
                self.usernames.insert(u.username.to_lowercase(), u.user_id);
                self.display_names.insert(u.user_id, u.display_name.clone());
                self.users.insert(
                    u.user_id,
                    UserFacts {
                        organization: u.organization_id,
                        role: u.role,
                        active: true,
                    },
                );
            }
            Event::UserRoleChanged(u) => {
                if let Some(user) = self.users.get_mut(&u.user_id) {
                    user.role = u.role;
                }
            }
            Event::UserDeactivated(u) => {
                if let Some(user) = self.users.get_mut(&u.user_id) {
                    user.active = false;
                }
            }
            Event::TokenIssued(t) => {
                self.tokens.insert(
                    t.token_id,
                    TokenFacts {
                        user: t.user_id,
                        secret_sha256: t.token_hash,
                        revoked: false,
                    },
                );
            }
            Event::TokenRevoked(t) => {
                if let Some(token) = self.tokens.get_mut(&t.token_id) {
                    token.revoked = true;
                }
            }
            _ => {}
        }
    }
}
