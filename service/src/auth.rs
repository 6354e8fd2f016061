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
}
