//! Organizations, users and API tokens: write-model state for commands and authentication,
//! folded by the store with everything else and answered through [`WriteModel`].
//!
//! [`WriteModel`]: crate::WriteModel

use rustc_hash::FxHashMap as HashMap;

use caseledger_core::events::Event;
use caseledger_core::{OrganizationId, Timestamp};
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

/// An API token: whose it is, the SHA-256 of its secret, what it is for, when it was issued,
/// when it stops working and whether it was revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenFacts {
    /// The token's user.
    pub user: caseledger_core::UserId,
    /// SHA-256 of the secret part (the secret itself is never stored).
    pub secret_sha256: [u8; 32],
    /// True once revoked.
    pub revoked: bool,
    /// What it is for ("" for tokens issued before tokens had names).
    pub name: String,
    /// When it was issued (`None` only when folded without envelopes, as tests do).
    pub issued_at: Option<Timestamp>,
    /// When it stops working (`None`: issued before tokens expired, and never does).
    pub expires: Option<Timestamp>,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
}

impl TokenFacts {
    /// Whether the token opens a session at `now`: not revoked, not expired.
    pub fn works_at(&self, now: Timestamp) -> bool {
        !self.revoked && self.expires.is_none_or(|e| now < e)
    }
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
    /// Folds one event; `recorded_at` is when it was recorded, when known.
    pub(crate) fn apply(&mut self, event: &Event, recorded_at: Option<Timestamp>) {
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
                        name: t.name.clone(),
                        issued_at: recorded_at,
                        expires: t.expires,
                        revoked_at: None,
                    },
                );
            }
            Event::TokenRevoked(t) => {
                if let Some(token) = self.tokens.get_mut(&t.token_id) {
                    token.revoked = true;
                    token.revoked_at = recorded_at;
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_works_until_it_expires_or_is_revoked() {
        let at = |micros| Timestamp::from_micros(micros).unwrap();
        let mut token = TokenFacts {
            user: caseledger_core::UserId::new(1),
            secret_sha256: [0; 32],
            revoked: false,
            name: "export".into(),
            issued_at: Some(at(0)),
            expires: Some(at(1_000)),
            revoked_at: None,
        };
        assert!(token.works_at(at(999)));
        assert!(!token.works_at(at(1_000)), "not at its expiry");
        token.expires = None;
        assert!(
            token.works_at(at(4_000_000_000_000_000)),
            "tokens from before expiries never expire"
        );
        token.revoked = true;
        assert!(!token.works_at(at(0)));
    }
}
