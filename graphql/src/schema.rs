//! The GraphQL schema: queries and mutations, each checking the actor first.

use async_graphql::{Context, EmptySubscription, MergedObject, Schema};
use caseledger_core::Actor;
use caseledger_service::Service;

use crate::accounts::{AccountMutations, AccountQueries};
use crate::audit::{AuditMutations, AuditQueries};
use crate::client::ClientQueries;
use crate::client_mutations::ClientMutations;
use crate::directory::{DirectoryQueries, SetupMutations};
use crate::record_mutations::RecordMutations;
use crate::requests::{RequestMutations, RequestQueries};

use crate::context::RequestContext;
use crate::error::to_graphql;

/// The schema type served at `/graphql`.
pub type ApiSchema = Schema<Query, Mutation, EmptySubscription>;

/// Builds the schema; `service` is `None` only to print the SDL.
pub fn build(service: Option<Service>, dev: bool) -> ApiSchema {
    let mut builder = Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        // Depth and complexity are enforced by `RequestPhase` from the validator's measures, so
        // their refusals carry a code set by type, not guessed from a message.
        .extension(crate::phase::RequestPhase)
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

/// The service.
pub fn service<'a>(ctx: &Context<'a>) -> &'a Service {
    ctx.data_unchecked::<Service>()
}

/// The authenticated actor, or `UNAUTHENTICATED`.
pub fn actor(ctx: &Context<'_>) -> async_graphql::Result<Actor> {
    ctx.data_unchecked::<RequestContext>()
        .actor
        .clone()
        .map_err(to_graphql)
}

/// Queries.
#[derive(MergedObject, Default)]
pub struct Query(
    AccountQueries,
    ClientQueries,
    DirectoryQueries,
    AuditQueries,
    RequestQueries,
);

/// Mutations.
#[derive(MergedObject, Default)]
pub struct Mutation(
    AccountMutations,
    SetupMutations,
    ClientMutations,
    RecordMutations,
    AuditMutations,
    RequestMutations,
);
