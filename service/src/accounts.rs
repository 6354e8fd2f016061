//! Organizations, users and tokens: the account commands.
//!
//! Who may do what: system administrators manage every organization and user; an agency
//! administrator manages the case managers and agency administrators of their own organization
//! and their tokens; anyone may issue or revoke their own tokens. The CoC roles (system
//! administrator, help desk, auditor) exist only in the CoC lead organization.

use caseledger_core::events::{
    OrganizationCreated, TokenIssued, TokenRevoked, UserCreated, UserDeactivated,
};
use caseledger_core::{Actor, OrganizationId, Role, TokenId, UserId};

use crate::Service;
use crate::Session;
use crate::commands::{CommandError, ErrorCode, Written, check_text, new_token, require_text};
use caseledger_core::input;

fn forbidden(what: &str) -> CommandError {
    CommandError::new(ErrorCode::Forbidden, format!("your role may not {what}"))
}

/// Whether `actor` manages the accounts of `organization`.
fn manages(actor: &Actor, organization: OrganizationId) -> bool {
    actor.role == Role::SystemAdmin
        || (actor.role == Role::AgencyAdmin && actor.organization == organization)
}

/// A user account as the users directory shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryUser {
    /// The user's id.
    pub id: UserId,
    /// The username they sign in with (lower case: usernames are case-insensitive).
    pub username: String,
    /// The name shown to other staff.
    pub display_name: String,
    /// Their organization.
    pub organization: OrganizationId,
    /// Their current role.
    pub role: Role,
    /// False once deactivated.
    pub active: bool,
}

impl Service {
    /// The users directory: system administrators and auditors see every account (auditors
    /// must turn the user ids of the audit trail into people), agency administrators those of
    /// their own organization; everyone else is `FORBIDDEN`. `organization` narrows the list;
    /// an agency administrator asking for another organization is `FORBIDDEN`.
    pub fn users(
        &self,
        session: &Session,
        organization: Option<OrganizationId>,
    ) -> Result<Vec<DirectoryUser>, CommandError> {
        let actor = &session.actor();
        let scope = match actor.role {
            Role::SystemAdmin | Role::Auditor => organization,
            Role::AgencyAdmin if organization.is_none_or(|o| o == actor.organization) => {
                Some(actor.organization)
            }
            _ => return Err(forbidden("list these users")),
        };
        Ok(self.with_projections(|p| {
            p.write_model()
                .user_accounts()
                .into_iter()
                .filter(|(_, _, _, f)| scope.is_none_or(|o| f.organization == o))
                .map(|(id, username, display_name, f)| DirectoryUser {
                    id,
                    username,
                    display_name,
                    organization: f.organization,
                    role: f.role,
                    active: f.active,
                })
                .collect()
        }))
    }

    /// The active help desk account `username`, to act as offline (`record-request render`
    /// on a stopped server): whoever runs the tool names who makes the disclosure it records.
    /// Any other account — unknown, deactivated, another role — is refused alike.
    pub fn offline_help_desk(&self, username: &str) -> Result<Session, CommandError> {
        let found = self.with_projections(|p| {
            let w = p.write_model();
            let id = w.user_named(username)?;
            w.user(id).map(|u| (id, u))
        });
        match found {
            Some((user, u)) if u.active && u.role == Role::HelpDesk => Ok(Session::new(Actor {
                user,
                organization: u.organization,
                role: u.role,
            })),
            _ => Err(CommandError {
                code: ErrorCode::Forbidden,
                field: Some("as".into()),
                message: format!("`{username}` is not an active help desk account"),
            }),
        }
    }

    /// Creates an organization. System administrators only.
    pub async fn create_organization(
        &self,
        session: &Session,
        name: &str,
        victim_service_provider: bool,
    ) -> Result<(OrganizationId, Written), CommandError> {
        let actor = session.actor();
        let id = OrganizationId::from_ulid(ulid::Ulid::new());
        let written = self
            .execute(actor, |_| {
                decide_organization(&actor, id, name, victim_service_provider, None)
            })
            .await?;
        Ok((id, written))
    }

    /// Creates a user in an organization.
    pub async fn create_user(
        &self,
        session: &Session,
        organization: OrganizationId,
        username: &str,
        display_name: &str,
        role: Role,
    ) -> Result<(UserId, Written), CommandError> {
        let actor = session.actor();
        let id = UserId::from_ulid(ulid::Ulid::new());
        let new = NewUser {
            organization,
            username,
            display_name,
            role,
        };
        let written = self
            .execute(actor, |p| decide_user(p, &actor, id, &new))
            .await?;
        Ok((id, written))
    }

    /// Issues a new bearer token for `for_user`; the token is returned once and only its hash is
    /// stored.
    pub async fn issue_token(
        &self,
        session: &Session,
        for_user: UserId,
    ) -> Result<(TokenId, String, Written), CommandError> {
        let actor = session.actor();
        let (token_id, token, token_hash) = new_token()?;
        let written = self
            .execute(actor, |p| {
                let target = p.write_model().user(for_user).ok_or_else(|| CommandError {
                    code: ErrorCode::NotFound,
                    field: Some("userId".into()),
                    message: "no such user".into(),
                })?;
                if for_user != actor.user && !manages(&actor, target.organization) {
                    return Err(forbidden("issue tokens for this user"));
                }
                if !target.active {
                    return Err(CommandError {
                        code: ErrorCode::Conflict,
                        field: Some("userId".into()),
                        message: "the user is deactivated".into(),
                    });
                }
                Ok(vec![
                    TokenIssued {
                        token_id,
                        user_id: for_user,
                        token_hash,
                        expires: None,
                    }
                    .into(),
                ])
            })
            .await?;
        Ok((token_id, token, written))
    }

    /// Revokes a token: it stops working at once.
    pub async fn revoke_token(
        &self,
        session: &Session,
        token: TokenId,
    ) -> Result<Written, CommandError> {
        let actor = session.actor();
        self.execute(actor, |p| {
            let w = p.write_model();
            let facts = w.token(token).ok_or_else(|| CommandError {
                code: ErrorCode::NotFound,
                field: Some("tokenId".into()),
                message: "no such token".into(),
            })?;
            let owner_org = w.user(facts.user).map(|u| u.organization);
            if facts.user != actor.user && !owner_org.is_some_and(|o| manages(&actor, o)) {
                return Err(forbidden("revoke this token"));
            }
            if facts.revoked {
                return Err(CommandError::new(
                    ErrorCode::Conflict,
                    "the token is already revoked",
                ));
            }
            Ok(vec![
                TokenRevoked {
                    token_id: token,
                    user_id: facts.user,
                }
                .into(),
            ])
        })
        .await
    }

    /// Deactivates a user: their tokens stop working at once.
    pub async fn deactivate_user(
        &self,
        session: &Session,
        target: UserId,
    ) -> Result<Written, CommandError> {
        let actor = session.actor();
        self.execute(actor, |p| {
            let facts = p.write_model().user(target).ok_or_else(|| CommandError {
                code: ErrorCode::NotFound,
                field: Some("userId".into()),
                message: "no such user".into(),
            })?;
            if !manages(&actor, facts.organization) {
                return Err(forbidden("deactivate this user"));
            }
            if target == actor.user {
                return Err(CommandError::validation(
                    "userId",
                    "you cannot deactivate yourself",
                ));
            }
            if !facts.active {
                return Err(CommandError::new(
                    ErrorCode::Conflict,
                    "the user is already deactivated",
                ));
            }
            Ok(vec![UserDeactivated { user_id: target }.into()])
        })
        .await
    }
}

/// The event creating an organization (the `create_organization` command's rules);
/// `source_id` is its `OrganizationID` when it comes from another system's export.
pub(crate) fn decide_organization(
    actor: &Actor,
    id: OrganizationId,
    name: &str,
    victim_service_provider: bool,
    source_id: Option<String>,
) -> Result<Vec<caseledger_core::Event>, CommandError> {
    if actor.role != Role::SystemAdmin {
        return Err(forbidden("create organizations"));
    }
    require_text("name", name, input::ORGANIZATION_NAME)?;
    let name = name.trim();
    Ok(vec![
        OrganizationCreated {
            organization_id: id,
            name: name.to_string(),
            is_coc_lead: false,
            victim_service_provider,
            source_id,
        }
        .into(),
    ])
}

/// A user account to create.
pub(crate) struct NewUser<'a> {
    pub organization: OrganizationId,
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
}

/// The event creating a user (the `create_user` command's rules).
pub(crate) fn decide_user(
    p: &caseledger_projections::Projections,
    actor: &Actor,
    id: UserId,
    new: &NewUser<'_>,
) -> Result<Vec<caseledger_core::Event>, CommandError> {
    let (organization, role) = (new.organization, new.role);
    check_text("username", new.username, input::USERNAME)?;
    check_text("displayName", new.display_name, input::PERSON_FULL_NAME)?;
    let username = new.username.trim().to_string();
    if username.is_empty() || username.len() > 64 || username.chars().any(char::is_whitespace) {
        return Err(CommandError::validation(
            "username",
            "1 to 64 characters without spaces",
        ));
    }
    if role == Role::System {
        return Err(CommandError::validation(
            "role",
            "SYSTEM is the service's own role",
        ));
    }
    let w = p.write_model();
    let org = w.organization(organization).ok_or_else(|| CommandError {
        code: ErrorCode::NotFound,
        field: Some("organizationId".into()),
        message: "no such organization".into(),
    })?;
    if !manages(actor, organization) {
        return Err(forbidden("create users in this organization"));
    }
    let coc_role = matches!(role, Role::SystemAdmin | Role::HelpDesk | Role::Auditor);
    if coc_role && (actor.role != Role::SystemAdmin || !org.is_coc_lead) {
        return Err(CommandError::validation(
            "role",
            "system administrators, help desk and auditors are created by a system administrator in the CoC lead organization",
        ));
    }
    if w.user_named(&username).is_some() {
        return Err(CommandError {
            code: ErrorCode::Conflict,
            field: Some("username".into()),
            message: format!("the username `{username}` is taken"),
        });
    }
    Ok(vec![
        UserCreated {
            user_id: id,
            organization_id: organization,
            username,
            display_name: new.display_name.trim().to_string(),
            role,
        }
        .into(),
    ])
}
