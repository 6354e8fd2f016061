//! Bearer tokens: `clt_<token id>_<64 hex digits of secret>`. The token id finds the stored
//! SHA-256 of the secret; the hashes are compared in constant time; the token must not be
//! revoked and its user must be active (a deactivated user's tokens stop working at once).

use caseledger_core::{Actor, OrganizationId, Role, TokenId, UserId};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{CommandError, ErrorCode, Service, Session};

impl Service {
    /// The session a bearer token opens, or `UNAUTHENTICATED` (the same answer for a
    /// malformed, unknown, wrong, revoked or deactivated token, so none can be told apart).
    pub fn authenticate(&self, bearer: &str) -> Result<Session, CommandError> {
        let refuse = || {
            CommandError::new(
                ErrorCode::Unauthenticated,
                "missing or invalid bearer token",
            )
        };
        let rest = bearer.strip_prefix("clt_").ok_or_else(refuse)?;
        let (id, secret) = rest.split_once('_').ok_or_else(refuse)?;
        let id: TokenId = id.parse().map_err(|_| refuse())?;
        let token = self
            .with_projections(|p| p.write_model().token(id))
            .ok_or_else(refuse)?;
        let presented: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        let matches: bool = presented.ct_eq(&token.secret_sha256).into();
        if !matches || token.revoked {
            return Err(refuse());
        }
        self.session_for(token.user).map_err(|_| refuse())
    }
}

impl Service {
    /// The offline auditor of `caseledger audit`: no account (whoever holds the data directory
    /// can read it all anyway), so the answers and disclosure records name no user for it.
    pub fn offline_auditor(&self) -> Session {
        Session::new(Actor {
            user: UserId::new(0),
            organization: OrganizationId::new(0),
            role: Role::Auditor,
        })
    }

    /// A session for a user the caller names without a token: operator tools on the server's
    /// own data directory (`caseledger record-request render --as`, the demo, the importer),
    /// which already hold every byte of it. `UNAUTHENTICATED` for an unknown or deactivated
    /// user.
    pub fn session_for(&self, user: UserId) -> Result<Session, CommandError> {
        let facts = self.with_projections(|p| p.write_model().user(user));
        match facts {
            Some(u) if u.active => Ok(Session::new(Actor {
                user,
                organization: u.organization,
                role: u.role,
            })),
            _ => Err(CommandError::new(
                ErrorCode::Unauthenticated,
                "unknown or deactivated user",
            )),
        }
    }

    /// The session an offline HMIS CSV export of `organization` acts as (what that
    /// organization may see): its first active agency administrator, else its first active
    /// user; for the whole CoC (`None`) the first active system administrator. `NOT_FOUND`
    /// for an unknown organization, `FORBIDDEN` when nobody can act for it.
    pub fn exporter(&self, organization: Option<OrganizationId>) -> Result<Session, CommandError> {
        self.with_projections(|p| {
            let w = p.write_model();
            let Some(organization) = organization else {
                let admin = w.system_administrators().first().copied();
                let facts = admin.and_then(|a| Some((a, w.user(a)?)));
                return facts
                    .map(|(user, u)| {
                        Session::new(Actor {
                            user,
                            organization: u.organization,
                            role: Role::SystemAdmin,
                        })
                    })
                    .ok_or_else(|| {
                        CommandError::new(
                            ErrorCode::Forbidden,
                            "the data directory has no active system administrator",
                        )
                    });
            };
            if w.organization(organization).is_none() {
                return Err(CommandError {
                    code: ErrorCode::NotFound,
                    field: Some("asOrganization".into()),
                    message: format!("{organization} is not an organization here"),
                });
            }
            let users = w.users_of(organization);
            let pick = users
                .iter()
                .find(|(_, u)| u.role == Role::AgencyAdmin)
                .or_else(|| users.first())
                .ok_or_else(|| CommandError {
                    code: ErrorCode::Forbidden,
                    field: Some("asOrganization".into()),
                    message: format!("organization {organization} has no active user to export as"),
                })?;
            Ok(Session::new(Actor {
                user: pick.0,
                organization,
                role: pick.1.role,
            }))
        })
    }
}
