//! What a resolver reads from the GraphQL context: the service, and the request's
//! [`RequestContext`] with its authenticated session.
//!
//! Its own module because every resolver file needs it and the schema (which builds on the
//! resolvers) and the extractor (which builds on the router's state, which holds the schema)
//! must not be what they import: kept in either, the resolvers and the schema would import
//! each other.

use async_graphql::Context;
use caseledger_core::RequestId;
use caseledger_service::{CommandError, Service, Session};

use crate::error::to_graphql;

/// Per-request data handed to resolvers.
pub struct RequestContext {
    /// Identifies the request in logs and disclosure records.
    pub request_id: RequestId,
    /// The authenticated session, or why there is none.
    pub session: Result<Session, CommandError>,
}

impl RequestContext {
    /// The same context with its session pinned to the views as they are now (see the
    /// service's `pin`): every read of the request sees one position.
    pub async fn pinned(self, service: &Service) -> Self {
        let session = match self.session {
            Ok(s) => Ok(service.pin(s).await),
            Err(e) => Err(e),
        };
        RequestContext { session, ..self }
    }
}

/// The service.
pub fn service<'a>(ctx: &Context<'a>) -> &'a Service {
    ctx.data_unchecked::<Service>()
}

/// The request's session, or `UNAUTHENTICATED`.
pub fn session<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Session> {
    ctx.data_unchecked::<RequestContext>()
        .session
        .as_ref()
        .map_err(|e| to_graphql(e.clone()))
}
