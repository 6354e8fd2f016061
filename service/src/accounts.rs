//! Accounts: the users directory, and the account commands that do more than run (issuing a
//! token and bootstrapping make a secret the caller shows once). The account commands' rules
//! are in `crate::decisions::accounts`.

use caseledger_core::commands::accounts::Bootstrap;
use caseledger_core::{Actor, OrganizationId, Role, SharingPolicy, UserId};

use crate::Service;
use crate::Session;
use crate::commands::{CommandError, ErrorCode, Written, new_id, new_token};

fn forbidden(what: &str) -> CommandError {
    CommandError::new(ErrorCode::Forbidden, format!("your role may not {what}"))
}

/// The result of bootstrapping.
#[derive(Debug, Clone)]
pub struct Bootstrapped {
    /// The CoC lead organization.
    pub organization: OrganizationId,
    /// The first system administrator.
    pub admin: UserId,
    /// That user's bearer token (shown once; only its hash is stored).
    pub token: String,
    /// What was written.
    pub written: Written,
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

    /// Creates the CoC lead organization, its first system administrator and that user's
    /// token, with the sharing policy in force from today (the [`Bootstrap`] command, its ids,
    /// business date and token secret made here). Only on an empty log.
    pub async fn bootstrap(
        &self,
        policy: SharingPolicy,
        lead_name: &str,
        admin_username: &str,
    ) -> Result<Bootstrapped, CommandError> {
        let (token, bearer) = new_token(self.token_days())?;
        let command = Bootstrap {
            today: crate::clock::today_in(&policy.time_zone, chrono::Utc::now()),
            policy,
            lead_name: lead_name.to_string(),
            admin_username: admin_username.to_string(),
            organization_id: new_id(),
            admin_id: new_id(),
            token,
        };
        // The service acts for itself here: there is no user yet.
        let system = Session::new(Actor {
            user: command.admin_id,
            organization: command.organization_id,
            role: Role::System,
        });
        let ((), written) = self.run(&system, &command).await?;
        Ok(Bootstrapped {
            organization: command.organization_id,
            admin: command.admin_id,
            token: bearer,
            written,
        })
    }
}
