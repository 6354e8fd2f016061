//! Who is asking: resolved once per request from the `Authorization` header, through the
//! failed-sign-in throttle, by an extractor (so no handler parses the header itself).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use caseledger_core::RequestId;
use caseledger_service::{CommandError, ErrorCode};

use crate::rejection::Rejection;
use crate::resolver_context::RequestContext;
use crate::state::AppState;

/// The credentials of `Authorization: Bearer <token>`; the scheme is case-insensitive
/// (RFC 7235), and any other scheme is no credentials.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for RequestContext {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Rejection> {
        // The id `observe` accepted from a proxy or made for the request, so the log line,
        // the answer's `X-Request-Id` and the disclosure record name the same request.
        let request_id = parts
            .headers
            .get(&crate::observe::REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .and_then(crate::observe::parse_request_id)
            .map_or_else(
                || RequestId::from_ulid(ulid::Ulid::new()),
                |id| RequestId::from_ulid(ulid::Ulid(id)),
            );
        let unauthenticated = || {
            CommandError::new(
                ErrorCode::Unauthenticated,
                "missing or invalid bearer token",
            )
        };
        let Some(bearer) = bearer(&parts.headers) else {
            return Ok(RequestContext {
                request_id,
                session: Err(unauthenticated()),
            });
        };
        // Behind no proxy the peer is the client; requests built in-process have none.
        let address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        if let Some(wait) = state.throttle.wait(address, bearer) {
            return Err(Rejection::new(
                StatusCode::TOO_MANY_REQUESTS,
                "RATE_LIMITED",
                "too many failed sign-ins from this address or for this token; try again later",
            )
            .retry_after(wait));
        }
        let session = state.service.authenticate_bearer(bearer).await;
        match &session {
            Ok(session) => crate::observe::note_session(session),
            Err(_) => {
                state.throttle.failed(address, bearer);
                metrics::counter!("caseledger_auth_failures_total").increment(1);
                // The token is never logged: its id would let a reader aim guesses at it.
                tracing::warn!(%address, "sign-in failed: unknown, expired or revoked bearer token, or an identity provider token refused");
            }
        }
        Ok(RequestContext {
            request_id,
            session,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, value.parse().unwrap());
        h
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        for value in ["Bearer clt_a_b", "bearer clt_a_b", "BEARER  clt_a_b "] {
            assert_eq!(bearer(&with(value)), Some("clt_a_b"), "{value}");
        }
        assert_eq!(bearer(&with("Basic dXNlcjpwYXNz")), None);
        assert_eq!(bearer(&with("Bearer")), None);
        assert_eq!(bearer(&HeaderMap::new()), None);
    }
}
