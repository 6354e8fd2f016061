//! Who is asking and the accounts: `me`, organizations, users, tokens, the sharing policy.

use std::collections::HashMap;

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use caseledger_core::{Date, OrganizationId, SharingPolicy, UserId};
use caseledger_service::{CommandError, DirectoryUser, Service, new_id};

use crate::error::to_graphql;
use crate::resolver_context::{service, session};
use caseledger_core::commands::accounts::{
    CreateOrganization, CreateUser, DeactivateUser, RevokeToken,
};
use caseledger_core::commands::sharing::SetSharingPolicy;
use caseledger_service::Session;

/// Serializes a value of one of the API's enums by its GraphQL name (`CASE_MANAGER`), so JSON
/// written outside a GraphQL response (the offline audit commands) spells values as the API
/// does, from the same derive.
pub fn api_enum<T, S>(value: &T, serializer: S) -> Result<S::Ok, S::Error>
where
    T: async_graphql::resolver_utils::EnumType,
    S: serde::Serializer,
{
    let name = T::items()
        .iter()
        .find(|item| item.value == *value)
        .map_or("", |item| item.name);
    serializer.serialize_str(name)
}

/// [`api_enum`] for an optional value (`null` when absent).
pub fn api_enum_opt<T, S>(value: &Option<T>, serializer: S) -> Result<S::Ok, S::Error>
where
    T: async_graphql::resolver_utils::EnumType,
    S: serde::Serializer,
{
    match value {
        Some(v) => api_enum(v, serializer),
        None => serializer.serialize_none(),
    }
}

/// A user's role (the conversions to and from `caseledger_core::Role` are derived).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "caseledger_core::Role")]
pub enum RoleName {
    /// Agency case manager.
    CaseManager,
    /// Agency administrator.
    AgencyAdmin,
    /// CoC lead / HMIS system administrator.
    SystemAdmin,
    /// HMIS help desk.
    HelpDesk,
    /// Auditor.
    Auditor,
    /// The service itself.
    System,
}

/// A sharing policy preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum PolicyPresetName {
    /// ClientTrack's rules.
    Clienttrack,
    /// Intake and enrollment summaries shared with every participating organization.
    OpenIntake,
}

/// An organization.
#[derive(SimpleObject, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// Its id.
    pub id: ID,
    /// Its name.
    pub name: String,
    /// Whether it is the CoC lead.
    pub is_coc_lead: bool,
}

/// The authenticated user.
#[derive(SimpleObject)]
pub struct Me {
    /// The user's id.
    pub user_id: ID,
    /// The user's role.
    pub role: RoleName,
    /// The user's organization.
    pub organization: Organization,
}

/// What a mutation wrote.
#[derive(SimpleObject)]
pub struct WriteResult {
    /// The log position of the last event written; pass it as the minimum position of a query
    /// to read your own write.
    pub position: u64,
}

/// A user account in the users directory.
#[derive(SimpleObject, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The user's id.
    pub id: ID,
    /// The username they sign in with (lower case).
    pub username: String,
    /// The name shown to other staff.
    pub display_name: String,
    /// Their current role.
    #[serde(serialize_with = "api_enum")]
    pub role: RoleName,
    /// False once deactivated.
    pub active: bool,
    /// Their organization.
    pub organization: Organization,
}

/// The users and organizations an actor may name, to turn the ids of the audit trail into
/// people and agencies. Which users are in it is the service's decision
/// ([`Service::users`]); organizations are not client data, so all are.
pub struct Directory {
    users: HashMap<UserId, User>,
    organizations: HashMap<OrganizationId, Organization>,
}

impl Directory {
    /// The directory as `actor` may read it.
    pub fn of(service: &Service, actor: &Session) -> Result<Directory, CommandError> {
        let organizations = organizations_by_id(service);
        let users = service
            .users(actor, None)?
            .into_iter()
            .map(|u| (u.id, user(&organizations, u)))
            .collect();
        Ok(Directory {
            users,
            organizations,
        })
    }

    /// Organizations only, for an actor who may list no users (a case manager).
    pub fn organizations(service: &Service) -> Directory {
        Directory {
            users: HashMap::new(),
            organizations: organizations_by_id(service),
        }
    }

    /// The user, if the directory holds them (the offline tools act as no user).
    pub fn user(&self, id: UserId) -> Option<User> {
        self.users.get(&id).cloned()
    }

    /// The organization, if it exists.
    pub fn organization(&self, id: OrganizationId) -> Option<Organization> {
        self.organizations.get(&id).cloned()
    }
}

fn organizations_by_id(service: &Service) -> HashMap<OrganizationId, Organization> {
    service
        .organizations()
        .into_iter()
        .map(|(id, f)| {
            (
                id,
                Organization {
                    id: ID(id.to_string()),
                    name: f.name,
                    is_coc_lead: f.is_coc_lead,
                },
            )
        })
        .collect()
}

fn user(organizations: &HashMap<OrganizationId, Organization>, u: DirectoryUser) -> User {
    User {
        id: ID(u.id.to_string()),
        username: u.username,
        display_name: u.display_name,
        role: u.role.into(),
        active: u.active,
        organization: organizations
            .get(&u.organization)
            .cloned()
            .unwrap_or_else(|| Organization {
                id: ID(u.organization.to_string()),
                name: String::new(),
                is_coc_lead: false,
            }),
    }
}

fn organization(service: &Service, id: OrganizationId) -> Organization {
    let facts = service
        .organizations()
        .into_iter()
        .find(|(o, _)| *o == id)
        .map(|(_, f)| f);
    Organization {
        id: ID(id.to_string()),
        name: facts.as_ref().map(|f| f.name.clone()).unwrap_or_default(),
        is_coc_lead: facts.is_some_and(|f| f.is_coc_lead),
    }
}

/// A created user.
#[derive(SimpleObject)]
pub struct CreatedUser {
    /// The new user's id.
    pub user_id: ID,
    /// Log position written.
    pub position: u64,
}

/// A created organization.
#[derive(SimpleObject)]
pub struct CreatedOrganization {
    /// The organization.
    pub organization: Organization,
    /// Log position written.
    pub position: u64,
}

/// A newly issued token. The token is shown this once; only its hash is stored.
#[derive(SimpleObject)]
pub struct IssuedToken {
    /// The token's id (for revoking it).
    pub token_id: ID,
    /// The bearer token.
    pub token: String,
    /// When it stops working (RFC 3339, UTC).
    pub expires_at: String,
    /// Log position written.
    pub position: u64,
}

/// One of caseledger's own bearer tokens, as the token list shows it (never its secret).
#[derive(SimpleObject)]
pub struct ApiToken {
    /// The token's id (the part of the bearer string after `clt_` and before the secret).
    pub id: ID,
    /// Whose token it is.
    pub user_id: ID,
    /// What it is for ("" for tokens issued before tokens had names).
    pub name: String,
    /// When it was issued (RFC 3339, UTC).
    pub issued_at: Option<String>,
    /// When it stops working; null for tokens issued before tokens expired, which never do.
    pub expires_at: Option<String>,
    /// When it last opened a session (kept to within half a minute across restarts).
    pub last_used_at: Option<String>,
    /// When it was revoked.
    pub revoked_at: Option<String>,
    /// Whether it opens a session now: neither revoked nor expired (its user may still be
    /// deactivated, which stops every token of theirs).
    pub active: bool,
}

impl From<caseledger_service::TokenListing> for ApiToken {
    fn from(t: caseledger_service::TokenListing) -> Self {
        use crate::convert::time;
        ApiToken {
            id: ID(t.id.to_string()),
            user_id: ID(t.user.to_string()),
            name: t.name,
            issued_at: t.issued_at.map(time),
            expires_at: t.expires_at.map(time),
            last_used_at: t.last_used_at.map(time),
            revoked_at: t.revoked_at.map(time),
            active: t.works,
        }
    }
}

/// Account queries.
#[derive(Default)]
pub struct AccountQueries;

#[Object]
impl AccountQueries {
    /// The authenticated user, their role and organization.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Me> {
        let actor = session(ctx)?;
        Ok(Me {
            user_id: ID(actor.user().to_string()),
            role: actor.role().into(),
            organization: organization(service(ctx), actor.organization()),
        })
    }

    /// The users directory: system administrators and auditors see every account, agency
    /// administrators those of their own organization; other roles get `FORBIDDEN`.
    /// `organizationId` narrows it to one organization.
    async fn users(
        &self,
        ctx: &Context<'_>,
        organization_id: Option<ID>,
    ) -> async_graphql::Result<Vec<User>> {
        let actor = session(ctx)?;
        let organization = crate::convert::opt_id("organizationId", &organization_id)?;
        let service = service(ctx);
        let organizations = organizations_by_id(service);
        Ok(service
            .users(actor, organization)
            .map_err(to_graphql)?
            .into_iter()
            .map(|u| user(&organizations, u))
            .collect())
    }

    /// caseledger's own bearer tokens (for integrations), newest first: your own; an agency
    /// administrator also sees those of their organization's users, a system administrator
    /// every token. `userId` narrows the list to one user's.
    async fn tokens(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
    ) -> async_graphql::Result<Vec<ApiToken>> {
        let actor = session(ctx)?;
        let user = crate::convert::opt_id("userId", &user_id)?;
        Ok(service(ctx)
            .tokens(actor, user)
            .map_err(to_graphql)?
            .into_iter()
            .map(ApiToken::from)
            .collect())
    }

    /// Every participating organization.
    async fn organizations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Organization>> {
        session(ctx)?;
        Ok(service(ctx)
            .organizations()
            .into_iter()
            .map(|(id, f)| Organization {
                id: ID(id.to_string()),
                name: f.name,
                is_coc_lead: f.is_coc_lead,
            })
            .collect())
    }
}

/// Account mutations.
#[derive(Default)]
pub struct AccountMutations;

#[Object]
impl AccountMutations {
    /// Changes the sharing policy from `effective` (YYYY-MM-DD) on. System administrators only.
    async fn set_sharing_policy(
        &self,
        ctx: &Context<'_>,
        preset: PolicyPresetName,
        time_zone: String,
        #[graphql(desc = "YYYY-MM-DD, from 1900-01-01 to ten years after today.")]
        effective: String,
    ) -> async_graphql::Result<WriteResult> {
        let actor = session(ctx)?;
        let effective: Date = crate::convert::date("effective", &effective)?;
        let policy = match preset {
            PolicyPresetName::Clienttrack => SharingPolicy::clienttrack(time_zone),
            PolicyPresetName::OpenIntake => SharingPolicy::open_intake(time_zone),
        };
        let (_, written) = service(ctx)
            .run(actor, &SetSharingPolicy { policy, effective })
            .await
            .map_err(to_graphql)?;
        Ok(WriteResult {
            position: written.position(),
        })
    }
    /// Creates an organization. System administrators only.
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's name. One line, at most 200 characters.")]
        name: String,
        #[graphql(default = false)] victim_service_provider: bool,
    ) -> async_graphql::Result<CreatedOrganization> {
        let actor = session(ctx)?;
        let id = new_id();
        let command = CreateOrganization {
            organization_id: id,
            name,
            victim_service_provider,
            source_id: None,
        };
        let ((), written) = service(ctx)
            .run(actor, &command)
            .await
            .map_err(to_graphql)?;
        Ok(CreatedOrganization {
            organization: organization(service(ctx), id),
            position: written.position(),
        })
    }

    /// Creates a user. System administrators for any organization; agency administrators for
    /// case managers and agency administrators of their own.
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        #[graphql(desc = "Sign-in name: no spaces. One line, at most 64 characters.")]
        username: String,
        #[graphql(desc = "The name shown for the user. One line, at most 100 characters.")]
        display_name: String,
        role: RoleName,
    ) -> async_graphql::Result<CreatedUser> {
        let actor = session(ctx)?;
        let organization = crate::convert::id("organizationId", &organization_id)?;
        let id = new_id();
        let command = CreateUser {
            user_id: id,
            organization_id: organization,
            username,
            display_name,
            role: role.into(),
        };
        let ((), written) = service(ctx)
            .run(actor, &command)
            .await
            .map_err(to_graphql)?;
        Ok(CreatedUser {
            user_id: ID(id.to_string()),
            position: written.position(),
        })
    }

    /// Issues a bearer token for a user (yourself, or a user you manage), for an integration.
    /// Shown once. It stops working after `expiresInDays` (default and at most the server's
    /// `--token-days`, 90 unless set).
    async fn issue_token(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
        #[graphql(
            desc = "What the token is for, shown in the token list. One line, at most 100 characters."
        )]
        name: String,
        #[graphql(desc = "Days until it stops working: 1 to the server's token lifetime.")]
        expires_in_days: Option<u32>,
    ) -> async_graphql::Result<IssuedToken> {
        let actor = session(ctx)?;
        let for_user = crate::convert::id("userId", &user_id)?;
        let (token_id, token, expires, written) = service(ctx)
            .issue_token(actor, for_user, &name, expires_in_days)
            .await
            .map_err(to_graphql)?;
        Ok(IssuedToken {
            token_id: ID(token_id.to_string()),
            token,
            expires_at: crate::convert::time(expires),
            position: written.position(),
        })
    }

    /// Revokes a token; it stops working at once.
    async fn revoke_token(
        &self,
        ctx: &Context<'_>,
        token_id: ID,
    ) -> async_graphql::Result<WriteResult> {
        let actor = session(ctx)?;
        let token = crate::convert::id("tokenId", &token_id)?;
        let ((), written) = service(ctx)
            .run(actor, &RevokeToken { token_id: token })
            .await
            .map_err(to_graphql)?;
        Ok(WriteResult {
            position: written.position(),
        })
    }

    /// Deactivates a user; their tokens stop working at once.
    async fn deactivate_user(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
    ) -> async_graphql::Result<WriteResult> {
        let actor = session(ctx)?;
        let target = crate::convert::id("userId", &user_id)?;
        let ((), written) = service(ctx)
            .run(actor, &DeactivateUser { user_id: target })
            .await
            .map_err(to_graphql)?;
        Ok(WriteResult {
            position: written.position(),
        })
    }
}
