//! What a resolver reads from the GraphQL context: the service, and the request's
//! [`RequestContext`] with its authenticated actor.
//!
//! Its own module because every resolver file needs it and the schema (which builds on the
//! resolvers) and the extractor (which builds on the router's state, which holds the schema)
//! must not be what they import: kept in either, the resolvers and the schema would import
//! each other.

use async_graphql::Context;
use caseledger_core::{Actor, RequestId};
use caseledger_service::{CommandError, Service};

use crate::error::to_graphql;

/// Per-request data handed to resolvers.
pub struct RequestContext {
    /// Identifies the request in logs and disclosure records.
    pub request_id: RequestId,
    /// The authenticated actor, or why there is none.
    pub actor: Result<Actor, CommandError>,
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
