//! What an operator sees of each request: its id (`X-Request-Id`, accepted from a proxy or
//! made here, and returned), one structured log line (tower-http's `TraceLayer`) and the
//! request metrics. Never a token, never client data: the line names the operation by its
//! root field (a bounded set, from the schema), the user and organization by id.

use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Response};
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Span;
use tracing::field::Empty;

/// The header a request's id travels in.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What a GraphQL request was and how it ended, for the log line and the metrics (set by the
/// handler on its answer).
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    /// `query client`, `mutation recordService`, or `invalid` for a document that did not
    /// validate (its field names are the client's, not the schema's).
    pub operation: String,
    /// `ok`, or the first error's code.
    pub outcome: String,
}

/// The id a request carries: a ULID, or 128 bits in hexadecimal as proxies make them (32
/// digits, or a UUID with dashes); `None` for anything else, which is replaced.
pub fn parse_request_id(text: &str) -> Option<u128> {
    if let Ok(ulid) = ulid::Ulid::from_string(text) {
        return Some(ulid.0);
    }
    let hex: String = match text.len() {
        32 => text.to_string(),
        36 if text.chars().filter(|c| *c == '-').count() == 4 => text.replace('-', ""),
        _ => return None,
    };
    (hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| u128::from_str_radix(&hex, 16).ok())
        .flatten()
}

/// Makes a request id where the request brought none it could use.
#[derive(Clone, Copy)]
struct MakeUlid;

impl MakeRequestId for MakeUlid {
    fn make_request_id<B>(
        &mut self,
        _request: &axum::http::Request<B>,
    ) -> Option<tower_http::request_id::RequestId> {
        let id = HeaderValue::from_str(&ulid::Ulid::new().to_string()).ok()?;
        Some(tower_http::request_id::RequestId::new(id))
    }
}

/// Drops an `X-Request-Id` that is no id (too long, other characters): a client's text never
/// reaches the log line or the disclosure record.
async fn drop_unusable_id(mut request: Request) -> Request {
    let usable = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| parse_request_id(v).is_some());
    if !usable {
        request.headers_mut().remove(&REQUEST_ID);
    }
    request
}

/// `router` with request ids, the request log line and the request metrics.
pub fn observed<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request| {
            let id = request
                .headers()
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            tracing::info_span!(
                "request",
                method = %request.method(),
                path = %request.uri().path(),
                request_id = %id,
                operation = Empty,
                user = Empty,
                organization = Empty,
            )
        })
        .on_request(())
        .on_response(log_and_count)
        .on_failure(());
    router
        .layer(axum::middleware::from_fn(label_route))
        .layer(trace)
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeUlid))
        .layer(axum::middleware::map_request(drop_unusable_id))
}

/// Records who is asking on the request's log line (once the bearer token is resolved).
pub(crate) fn note_session(session: &caseledger_service::Session) {
    let span = Span::current();
    span.record("user", tracing::field::display(session.user()));
    span.record(
        "organization",
        tracing::field::display(session.organization()),
    );
}

/// The request's one log line and its metrics, once answered.
fn log_and_count<B>(response: &Response<B>, latency: Duration, span: &Span) {
    let status = response.status().as_u16();
    let (operation, outcome) = match response.extensions().get::<Outcome>() {
        Some(o) => (o.operation.clone(), o.outcome.clone()),
        None => ("other".to_string(), status_outcome(status)),
    };
    span.record("operation", operation.as_str());
    tracing::info!(
        status,
        outcome = %outcome,
        latency_ms = latency.as_secs_f64() * 1000.0,
        "request"
    );
    let labels = [("operation", operation), ("outcome", outcome)];
    metrics::counter!("caseledger_requests_total", &labels).increment(1);
    metrics::histogram!("caseledger_request_duration_seconds", &labels)
        .record(latency.as_secs_f64());
}

fn status_outcome(status: u16) -> String {
    if status < 400 {
        "ok".to_string()
    } else {
        format!("http_{status}")
    }
}

/// Labels an answer that is not a GraphQL operation's by its route (a bounded set: a path
/// outside the routes is `other`) and its status.
async fn label_route(request: Request, next: axum::middleware::Next) -> axum::response::Response {
    let path = request.uri().path();
    let route = match path {
        "/graphql" | "/healthz" | "/readyz" | "/metrics" | "/" => Some(path.to_string()),
        p if p.starts_with("/record-requests/") && p.ends_with("/dashboard") => {
            Some("/record-requests/{id}/dashboard".to_string())
        }
        _ => None,
    };
    // Methods too are a bounded set here: a client may send any token as a method.
    let method = match request.method().as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    };
    let mut response = next.run(request).await;
    if response.extensions().get::<Outcome>().is_none() {
        let status = response.status().as_u16();
        response.extensions_mut().insert(Outcome {
            operation: route.map_or("other".to_string(), |r| format!("{method} {r}")),
            outcome: status_outcome(status),
        });
    }
    response
}
