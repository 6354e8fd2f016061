//! Bearer credentials, of two kinds:
//! - our own tokens, `clt_<token id>_<64 hex digits of secret>`: the token id finds the stored
//!   SHA-256 of the secret; the hashes are compared in constant time; the token must not be
//!   revoked or expired;
//! - access tokens of the CoC's identity provider (JWTs), when one is configured: verified by
//!   `caseledger-oidc`, then mapped to the account whose username is the configured claim's
//!   value.
//!
//! Either way the user must be active (a deactivated user's sessions stop at once), and every
//! refusal is the same `UNAUTHENTICATED`, so no two can be told apart.

use caseledger_core::{Actor, OrganizationId, Role, Timestamp, TokenId, UserId};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{CommandError, ErrorCode, Service, Session};

fn refuse() -> CommandError {
    CommandError::new(
        ErrorCode::Unauthenticated,
        "missing or invalid bearer token",
    )
}

impl Service {
    /// The session any bearer credential opens: one of our own tokens, or — when sign-in
    /// through the CoC's identity provider is configured — one of its access tokens.
    /// `UNAUTHENTICATED` for anything else, alike.
    pub async fn authenticate_bearer(&self, bearer: &str) -> Result<Session, CommandError> {
        if bearer.starts_with("clt_") {
            return self.authenticate(bearer);
        }
        let Some(identity) = self.identity() else {
            return Err(refuse());
        };
        if !caseledger_oidc::Verifier::looks_like_jwt(bearer) {
            return Err(refuse());
        }
        let verified = identity.verify(bearer).await.map_err(|e| {
            // Why is for the operator (a wrong audience setting shows here), never the caller.
            tracing::info!(reason = %e, "identity provider token refused");
            refuse()
        })?;
        let user = self
            .with_projections(|p| p.write_model().user_named(&verified.username))
            .ok_or_else(|| {
                tracing::info!(
                    subject = %verified.subject,
                    "identity provider token names no caseledger account"
                );
                refuse()
            })?;
        self.session_for(user).map_err(|_| refuse())
    }

    /// The session one of our own bearer tokens opens, or `UNAUTHENTICATED` (the same answer
    /// for a malformed, unknown, wrong, revoked, expired or deactivated token).
    pub fn authenticate(&self, bearer: &str) -> Result<Session, CommandError> {
        let rest = bearer.strip_prefix("clt_").ok_or_else(refuse)?;
        let (id, secret) = rest.split_once('_').ok_or_else(refuse)?;
        let id: TokenId = id.parse().map_err(|_| refuse())?;
        let token = self
            .with_projections(|p| p.write_model().token(id))
            .ok_or_else(refuse)?;
        let presented: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        let matches: bool = presented.ct_eq(&token.secret_sha256).into();
        let now = Timestamp::from_datetime(chrono::Utc::now());
        if !matches || !token.works_at(now) {
            return Err(refuse());
        }
        let session = self.session_for(token.user).map_err(|_| refuse())?;
        self.token_uses().touch(id, now);
        Ok(session)
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
