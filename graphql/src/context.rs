//! Who is asking: resolved once per request from the `Authorization` header.

use axum::http::HeaderMap;
use caseledger_core::{Actor, RequestId};
use caseledger_service::{CommandError, Service};

/// Per-request data handed to resolvers.
pub struct RequestContext {
    /// Identifies the request in logs and disclosure records.
    pub request_id: RequestId,
    /// The authenticated actor, or why there is none.
    pub actor: Result<Actor, CommandError>,
}

impl RequestContext {
    /// Authenticates the bearer token of a request, if any.
    pub fn from_headers(service: &Service, headers: &HeaderMap) -> Self {
        let bearer = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        RequestContext {
            request_id: RequestId::from_ulid(ulid::Ulid::new()),
            actor: service.authenticate(bearer.trim()),
        }
    }
}
