//! caseledger's own bearer tokens, for integrations: issued with a name and an expiry, listed
//! for their holder and the administrators who manage them, with when each was last used.
//!
//! When each was last used is kept beside the log (`token_uses.rs`).

use caseledger_core::commands::accounts::IssueToken;
use caseledger_core::{Role, Timestamp, TokenId, UserId};

use crate::commands::{CommandError, ErrorCode, Written, new_token};
use crate::{Service, Session};

/// A token as the token list shows it. Never its secret, which only its holder ever saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenListing {
    /// The token's id (the part of the bearer string before the secret).
    pub id: TokenId,
    /// Whose token it is.
    pub user: UserId,
    /// What it is for ("" for tokens issued before tokens had names).
    pub name: String,
    /// When it was issued.
    pub issued_at: Option<Timestamp>,
    /// When it stops working (`None`: issued before tokens expired; it never does).
    pub expires_at: Option<Timestamp>,
    /// When it last opened a session, as far as this data directory remembers.
    pub last_used_at: Option<Timestamp>,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
    /// Whether it opens a session now.
    pub works: bool,
}

impl Service {
    /// Issues a new bearer token for `for_user` named `name` (the [`IssueToken`] command with
    /// a fresh secret), working for `days` (the server's token lifetime when `None`; at most
    /// that). The bearer string is answered once, and only its hash is recorded.
    pub async fn issue_token(
        &self,
        session: &Session,
        for_user: UserId,
        name: &str,
        days: Option<u32>,
    ) -> Result<(TokenId, String, Timestamp, Written), CommandError> {
        let lifetime = self.token_days();
        let days = days.unwrap_or(lifetime);
        if days == 0 || days > lifetime {
            return Err(CommandError {
                code: ErrorCode::Validation,
                field: Some("expiresInDays".into()),
                message: format!(
                    "a token lives from 1 to {lifetime} days on this server (its --token-days), \
                     not {days}"
                ),
            });
        }
        let (token, bearer) = new_token(days)?;
        let (_, written) = self
            .run(
                session,
                &IssueToken {
                    user_id: for_user,
                    token,
                    name: name.to_string(),
                },
            )
            .await?;
        Ok((token.token_id, bearer, token.expires, written))
    }

    /// The tokens `session` may see: their own; an agency administrator's also those of their
    /// organization's users; a system administrator's every token. `user` narrows the list
    /// to one user's (`FORBIDDEN` when that user's tokens are not the caller's to see).
    pub fn tokens(
        &self,
        session: &Session,
        user: Option<UserId>,
    ) -> Result<Vec<TokenListing>, CommandError> {
        let now = Timestamp::from_datetime(chrono::Utc::now());
        self.with_projections(|p| {
            let w = p.write_model();
            let may_see = |owner: UserId| {
                owner == session.user()
                    || match session.role() {
                        Role::SystemAdmin => true,
                        Role::AgencyAdmin => w
                            .user(owner)
                            .is_some_and(|u| u.organization == session.organization()),
                        _ => false,
                    }
            };
            if let Some(user) = user
                && !may_see(user)
            {
                return Err(CommandError {
                    code: ErrorCode::Forbidden,
                    field: Some("userId".into()),
                    message: "your role may not list this user's tokens".into(),
                });
            }
            Ok(w.tokens()
                .into_iter()
                .filter(|(_, t)| user.is_none_or(|u| t.user == u) && may_see(t.user))
                .map(|(id, t)| TokenListing {
                    id,
                    user: t.user,
                    works: t.works_at(now),
                    name: t.name,
                    issued_at: t.issued_at,
                    expires_at: t.expires,
                    last_used_at: self.token_uses().get(id),
                    revoked_at: t.revoked_at,
                })
                .collect())
        })
    }

    /// A token for the active account `username` on a stopped server (`caseledger admin
    /// issue-token`): how an administrator whose every token expired gets back in. Whoever
    /// runs it holds the data directory, and with it everything the token could read.
    pub async fn issue_token_offline(
        &self,
        username: &str,
        name: &str,
        days: Option<u32>,
    ) -> Result<(TokenId, String, Timestamp, Written), CommandError> {
        let user = self
            .with_projections(|p| p.write_model().user_named(username))
            .ok_or_else(|| CommandError {
                code: ErrorCode::NotFound,
                field: Some("user".into()),
                message: format!("no account is named `{username}`"),
            })?;
        let session = self.session_for(user).map_err(|_| CommandError {
            code: ErrorCode::Conflict,
            field: Some("user".into()),
            message: format!("the account `{username}` is deactivated"),
        })?;
        self.issue_token(&session, user, name, days).await
    }
}
