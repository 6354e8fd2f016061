//! The GraphQL schema: queries and mutations, each checking the actor first.

use async_graphql::{Context, EmptySubscription, Enum, ID, Object, Schema, SimpleObject};
use caseledger_core::{Actor, Date, OrganizationId, SharingPolicy};
use caseledger_service::Service;

use crate::context::RequestContext;
use crate::error::to_graphql;

/// The schema type served at `/graphql`.
pub type ApiSchema = Schema<Query, Mutation, EmptySubscription>;

/// Deepest selection accepted.
const MAX_DEPTH: usize = 12;
/// Largest complexity (fields, weighted) accepted.
const MAX_COMPLEXITY: usize = 1_000;

/// Builds the schema; `service` is `None` only to print the SDL.
pub fn build(service: Option<Service>, dev: bool) -> ApiSchema {
    let mut builder = Schema::build(Query, Mutation, EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_recursive_depth(32);
    if !dev {
        builder = builder.disable_introspection().disable_suggestions();
    }
    if let Some(service) = service {
        builder = builder.data(service);
    }
    builder.finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    build(None, true).sdl()
}

fn service<'a>(ctx: &Context<'a>) -> &'a Service {
    ctx.data_unchecked::<Service>()
}

/// The authenticated actor, or `UNAUTHENTICATED`.
fn actor(ctx: &Context<'_>) -> async_graphql::Result<Actor> {
    ctx.data_unchecked::<RequestContext>()
        .actor
        .clone()
        .map_err(to_graphql)
}

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
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

impl From<caseledger_core::Role> for RoleName {
    fn from(r: caseledger_core::Role) -> Self {
        use caseledger_core::Role as R;
        match r {
            R::CaseManager => RoleName::CaseManager,
            R::AgencyAdmin => RoleName::AgencyAdmin,
            R::SystemAdmin => RoleName::SystemAdmin,
            R::HelpDesk => RoleName::HelpDesk,
            R::Auditor => RoleName::Auditor,
            R::System => RoleName::System,
        }
    }
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

/// Queries.
pub struct Query;

#[Object]
impl Query {
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

/// Mutations.
pub struct Mutation;

#[Object]
impl Mutation {
    /// Changes the sharing policy from `effective` (YYYY-MM-DD) on. System administrators only.
    async fn set_sharing_policy(
        &self,
        ctx: &Context<'_>,
        preset: PolicyPresetName,
        time_zone: String,
        effective: String,
    ) -> async_graphql::Result<WriteResult> {
        let actor = actor(ctx)?;
        let effective: Date = effective.parse().map_err(|_| {
            to_graphql(caseledger_service::CommandError::validation(
                "effective",
                format!("`{effective}` is not a date (YYYY-MM-DD)"),
            ))
        })?;
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
}
