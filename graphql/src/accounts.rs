//! Who is asking and the accounts: `me`, organizations, users, tokens, the sharing policy.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use caseledger_core::{Date, OrganizationId, SharingPolicy};
use caseledger_service::Service;

use crate::error::to_graphql;
use crate::schema::{actor, service};

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
#[derive(SimpleObject)]
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
    /// Log position written.
    pub position: u64,
}

/// Account queries.
#[derive(Default)]
pub struct AccountQueries;

#[Object]
impl AccountQueries {
    /// The authenticated user, their role and organization.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Me> {
        let actor = actor(ctx)?;
        Ok(Me {
            user_id: ID(actor.user.to_string()),
            role: actor.role.into(),
            organization: organization(service(ctx), actor.organization),
        })
    }

    /// Every participating organization.
    async fn organizations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Organization>> {
        actor(ctx)?;
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
        let actor = actor(ctx)?;
        let effective: Date = crate::convert::date("effective", &effective)?;
        let policy = match preset {
            PolicyPresetName::Clienttrack => SharingPolicy::clienttrack(time_zone),
            PolicyPresetName::OpenIntake => SharingPolicy::open_intake(time_zone),
        };
        let written = service(ctx)
            .set_sharing_policy(actor.user, policy, effective)
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
        let actor = actor(ctx)?;
        let (id, written) = service(ctx)
            .create_organization(actor.user, &name, victim_service_provider)
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
        let actor = actor(ctx)?;
        let organization = crate::convert::id("organizationId", &organization_id)?;
        let (id, written) = service(ctx)
            .create_user(
                actor.user,
                organization,
                &username,
                &display_name,
                role.into(),
            )
            .await
            .map_err(to_graphql)?;
        Ok(CreatedUser {
            user_id: ID(id.to_string()),
            position: written.position(),
        })
    }

    /// Issues a bearer token for a user (yourself, or a user you manage). Shown once.
    async fn issue_token(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
    ) -> async_graphql::Result<IssuedToken> {
        let actor = actor(ctx)?;
        let for_user = crate::convert::id("userId", &user_id)?;
        let (token_id, token, written) = service(ctx)
            .issue_token(actor.user, for_user)
            .await
            .map_err(to_graphql)?;
        Ok(IssuedToken {
            token_id: ID(token_id.to_string()),
            token,
            position: written.position(),
        })
    }

    /// Revokes a token; it stops working at once.
    async fn revoke_token(
        &self,
        ctx: &Context<'_>,
        token_id: ID,
    ) -> async_graphql::Result<WriteResult> {
        let actor = actor(ctx)?;
        let token = crate::convert::id("tokenId", &token_id)?;
        let written = service(ctx)
            .revoke_token(actor.user, token)
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
        let actor = actor(ctx)?;
        let target = crate::convert::id("userId", &user_id)?;
        let written = service(ctx)
            .deactivate_user(actor.user, target)
            .await
            .map_err(to_graphql)?;
        Ok(WriteResult {
            position: written.position(),
        })
    }
}
