//! The HTTP interface of caseledger: the GraphQL API (`POST /graphql`, GraphiQL at
//! `GET /graphql` in dev mode), the operator endpoints (`/healthz`, `/readyz`, `/metrics`),
//! the printable record request dashboard and the web dashboard at `/` (`caseledger-web`,
//! which speaks only this API), on axum. Every resolver reaches data only
//! through the service, which hands out views for the authenticated actor.
#![forbid(unsafe_code)]

mod accounts;
mod audit;
mod body;
mod client;
mod client_mutations;
mod context;
mod convert;
mod correction_mutations;
mod cors;
mod directory;
mod disclosure;
mod duplicates;
mod element_mutations;
mod error;
mod graphiql;
mod headers;
mod limits;
mod observe;
mod phase;
mod record_mutations;
mod record_requests;
mod records;
mod rejection;
mod resolver_context;
mod schema;
mod server;
mod state;
mod throttle;
mod vitals;

use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use caseledger_service::Service;

use crate::body::{BodyLimit, GraphqlBody, MediaTypes, ResponseType};
use crate::phase::DocumentSize;
use crate::rejection::Rejection;
use crate::resolver_context::RequestContext;
use crate::state::AppState;

/// The API's audit answers, for the offline `caseledger audit` commands: the same types and
/// conversions the GraphQL resolvers use, serializable as the API spells them.
pub mod audit_answers {
    pub use crate::accounts::{Directory, Organization, User};
    pub use crate::audit::{
        AccessLogEntry, Anomaly, CouldSee, DisclosedRecord, FieldChange, HistoryEntry,
        access_log_entry, anomaly, could_see, history_entry,
    };
}
pub use schema::{ApiSchema, sdl};
pub use server::{ConnectionLimits, effective_max_connections, serve};
pub use throttle::ThrottleConfig;

/// Largest request head (request line and headers) the API reads; larger heads are answered
/// 431.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;

/// Queries no longer than this are parsed and checked on the async worker that received
/// them (microseconds); longer ones on the blocking pool, so a 64 KiB document cannot hold a
/// worker that other requests need.
const INLINE_PARSE_BYTES: usize = 2 * 1024;

/// How the API is served.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Development mode: GraphiQL, introspection and field suggestions on.
    pub dev: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Longest a request may take (reading its body included); its work is then stopped.
    pub timeout: Duration,
    /// Failed sign-ins allowed per address and per token id.
    pub throttle: ThrottleConfig,
    /// Browser origins allowed to call the API (CORS); none: only the API's own origin.
    pub cors_origins: Vec<String>,
    /// The web dashboard at `/`: how people sign in to it.
    pub web: caseledger_web::WebConfig,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            dev: false,
            max_body_bytes: 64 * 1024,
            timeout: Duration::from_secs(15),
            throttle: ThrottleConfig::default(),
            cors_origins: Vec::new(),
            web: caseledger_web::WebConfig::default(),
        }
    }
}

/// Builds the router for a running service.
pub fn router(service: Service, config: ApiConfig) -> Router {
    let schema = schema::build(Some(service.clone()), config.dev);
    let graphql = if config.dev {
        get(graphiql::page).post(graphql)
    } else {
        axum::routing::post(graphql)
    };
    let state = AppState {
        service,
        schema,
        throttle: std::sync::Arc::new(throttle::AuthThrottle::new(config.throttle)),
        deadline: config.timeout,
    };
    let mut router = Router::new();
    if config.dev {
        router = router.route("/graphiql/{name}", get(graphiql::asset));
    }
    let router = router
        .route("/healthz", get(vitals::healthz))
        .route("/readyz", get(vitals::readyz))
        .route("/metrics", get(vitals::metrics))
        .route("/record-requests/{id}/dashboard", get(dashboard_page))
        .route("/graphql", graphql)
        .merge(caseledger_web::routes(config.web))
        .fallback(rejection::not_found)
        .method_not_allowed_fallback(|| async { rejection::method_not_allowed() })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            deadline,
        ))
        .layer(axum::Extension(BodyLimit(config.max_body_bytes)))
        .layer(axum::middleware::from_fn(head_size));
    // Outermost, so every answer carries them, refusals included; then CORS (a preflight is
    // answered before any route), then request ids and the log line around everything.
    vitals::prometheus();
    let router = cors::allowed(headers::secure(router), &config.cors_origins);
    observe::observed(router.with_state(state))
}

/// Refuses request heads over [`MAX_HEAD_BYTES`] with a 431 in the API's shape.
async fn head_size(request: Request, next: Next) -> Response {
    let head: usize = request.method().as_str().len()
        + request
            .uri()
            .path_and_query()
            .map_or(0, |p| p.as_str().len())
        + request
            .headers()
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 4)
            .sum::<usize>();
    if head > MAX_HEAD_BYTES {
        return Rejection::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "REQUEST_HEADER_TOO_LARGE",
            format!("the request head is larger than {MAX_HEAD_BYTES} bytes"),
        )
        .into_response();
    }
    next.run(request).await
}

/// Stops a request's work at its deadline (the future is dropped at its next await) and
/// answers `TIMEOUT`.
async fn deadline(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(state.deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(
                deadline_ms = state.deadline.as_millis() as u64,
                "request stopped at its deadline"
            );
            Rejection::timeout(state.deadline).into_response()
        }
    }
}

/// A request whose document parsed and is within the limits, with what execution needs to
/// know of it.
struct Checked {
    request: async_graphql::Request,
    size: DocumentSize,
    /// The name of the document's only named operation, if any.
    named: Option<String>,
    /// Whether the document holds a mutation.
    writes: bool,
    /// The operation's type and first root field (`query client`): a bounded label, the
    /// schema's names once the document validates.
    root: String,
}

/// Parses the document and checks it against the limits (off the async workers when it is
/// long); a refusal is the whole answer.
async fn check(request: async_graphql::Request) -> Result<Checked, Box<async_graphql::Response>> {
    if request.query.len() <= INLINE_PARSE_BYTES {
        return check_now(request);
    }
    tokio::task::spawn_blocking(move || check_now(request))
        .await
        .unwrap_or_else(|_| {
            Err(Box::new(error::refused(
                "INTERNAL",
                "internal error while reading the query".into(),
            )))
        })
}

fn check_now(mut request: async_graphql::Request) -> Result<Checked, Box<async_graphql::Response>> {
    let wanted = request.operation_name.clone();
    let document = match request.parsed_query() {
        Ok(document) => document,
        Err(e) => {
            return Err(Box::new(async_graphql::Response::from_errors(vec![
                phase::with_code(e, "VALIDATION"),
            ])));
        }
    };
    let size = match limits::measure(document) {
        Ok(size) => DocumentSize(size),
        Err(reason) => return Err(Box::new(error::refused("LIMIT_EXCEEDED", reason))),
    };
    // A document with one named operation runs it without `operationName`.
    let named = match &document.operations {
        async_graphql::parser::types::DocumentOperations::Multiple(ops) if ops.len() == 1 => {
            ops.keys().next().map(ToString::to_string)
        }
        _ => None,
    };
    let writes = document
        .operations
        .iter()
        .any(|(_, op)| op.node.ty == async_graphql::parser::types::OperationType::Mutation);
    let root = root_label(wanted.as_deref().or(named.as_deref()), document);
    Ok(Checked {
        request,
        size,
        named,
        writes,
        root,
    })
}

/// The operation's type and first root field, for the request log and the metrics.
fn root_label(
    wanted: Option<&str>,
    document: &async_graphql::parser::types::ExecutableDocument,
) -> String {
    use async_graphql::parser::types::{DocumentOperations, OperationType, Selection};
    let operation = match &document.operations {
        DocumentOperations::Single(op) => Some(op),
        DocumentOperations::Multiple(ops) => wanted.and_then(|n| ops.get(n)),
    };
    let Some(op) = operation else {
        return "invalid".to_string();
    };
    let kind = match op.node.ty {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    };
    let field = op
        .node
        .selection_set
        .node
        .items
        .iter()
        .find_map(|s| match &s.node {
            Selection::Field(f) => Some(f.node.name.node.to_string()),
            _ => None,
        });
    format!("{kind} {}", field.as_deref().unwrap_or("..."))
}

/// An executed (or refused) request as the HTTP answer.
fn answer(response: &async_graphql::Response, response_type: ResponseType) -> Response {
    let body = serde_json::to_vec(response).unwrap_or_else(|_| b"{\"errors\":[{\"message\":\"internal error\",\"extensions\":{\"code\":\"INTERNAL\"}}]}".to_vec());
    ([(header::CONTENT_TYPE, response_type.as_str())], body).into_response()
}

/// `POST /graphql`: one operation per request, its answer labelled for the request log and
/// the metrics ([`observe::Outcome`]).
async fn graphql(
    State(state): State<AppState>,
    MediaTypes(response_type): MediaTypes,
    context: RequestContext,
    headers: HeaderMap,
    GraphqlBody(request): GraphqlBody,
) -> Response {
    let mut operation = "invalid".to_string();
    let response = execute(&state, context, &headers, request, &mut operation).await;
    let outcome = response
        .errors
        .first()
        .and_then(|e| e.extensions.as_ref()?.get("code").cloned())
        .and_then(|c| match c {
            async_graphql::Value::String(s) => Some(s),
            _ => None,
        });
    // A document that did not validate may name fields of its own: not a label.
    if outcome.as_deref() == Some("VALIDATION") && response.data == async_graphql::Value::Null {
        operation = "invalid".to_string();
    }
    let mut http = answer(&response, response_type);
    http.extensions_mut().insert(observe::Outcome {
        operation,
        outcome: outcome.unwrap_or_else(|| "ok".to_string()),
    });
    http
}

/// Runs one checked operation and answers it (a refusal too); `label` is set to the
/// operation's type and root field once the document is read.
async fn execute(
    state: &AppState,
    context: RequestContext,
    headers: &HeaderMap,
    request: async_graphql::Request,
    label: &mut String,
) -> async_graphql::Response {
    let request_id = context.request_id;
    let Checked {
        request,
        size,
        named,
        writes,
        root,
    } = match check(request).await {
        Ok(checked) => checked,
        Err(refusal) => return *refusal,
    };
    *label = root;
    if let Err(refusal) = wait_for_header_position(&state.service, headers).await {
        return refusal;
    }
    let operation = request
        .operation_name
        .clone()
        .or(named)
        .unwrap_or_else(|| "anonymous".to_string());
    let query = request.query.clone();
    let variables = serde_json::to_string(&request.variables).unwrap_or_default();
    // One response, one position: a query's reads all see the views at one log position. (A
    // mutation's answer reads after its writes; commands run from a pinned session let the pin
    // go while their write is folded, which the remaining closure-run commands cannot yet.)
    let context = if writes {
        context
    } else {
        context.pinned(&state.service).await
    };
    let session = context.session.clone();
    let disclosures = std::sync::Arc::new(disclosure::Disclosures::default());
    let response = state
        .schema
        .execute(request.data(context).data(disclosures.clone()).data(size))
        .await;
    if let Ok(session) = &session {
        let held = state.service.pin_held(session);
        state.service.unpin(session);
        if !held {
            // The views moved under the request (its answer could mix positions), or a key
            // could not be fetched (a value would read as erased): none of it is sent, and
            // nothing was disclosed.
            return error::refused(
                "RETRY",
                "the records changed while this was being read; send it again".into(),
            );
        }
    }
    // Write before respond: the disclosure must be durable before any client data leaves.
    let today = state.service.today();
    if let (Ok(session), Some(event)) = (
        session,
        disclosures.take_event(request_id, today, &operation, &query, &variables),
    ) && let Err(e) = state.service.record_access(&session, event).await
    {
        tracing::error!(%request_id, error = %e, "disclosure record not written; response withheld");
        return error::refused("INTERNAL", format!("internal error (request {request_id})"));
    }
    error::mask(response, request_id)
}

/// Honours `X-Min-Position`: waits (at most 5 s) until the views reflect that log position.
async fn wait_for_header_position(
    service: &Service,
    headers: &HeaderMap,
) -> Result<(), async_graphql::Response> {
    let Some(value) = headers.get("x-min-position") else {
        return Ok(());
    };
    let min: u64 = value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| {
            error::refused("VALIDATION", "X-Min-Position is not a log position".into())
        })?;
    if min > service.head().position {
        return Err(error::refused(
            "VALIDATION",
            format!("X-Min-Position: the log has not reached position {min}"),
        ));
    }
    service
        .wait_for(min, Duration::from_secs(5))
        .await
        .map_err(|_| {
            error::refused(
                "INTERNAL",
                "the views did not reach X-Min-Position in time".into(),
            )
        })
}

/// `GET /record-requests/{id}/dashboard`: the printable dashboard, for the help desk and the
/// requesting agency's administrators (bearer token as for the API). Producing it is a recorded
/// disclosure, written before the page is sent.
async fn dashboard_page(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    context: RequestContext,
) -> Result<Response, Rejection> {
    let session = context.session.map_err(|_| {
        Rejection::new(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "missing or invalid bearer token",
        )
    })?;
    let not_found = || {
        Rejection::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "no such client record request",
        )
    };
    let request = id.parse().map_err(|_| not_found())?;
    let dashboard = state
        .service
        .record_dashboard(&session, request)
        .map_err(|e| {
            use caseledger_service::ErrorCode;
            let status = match e.code {
                ErrorCode::Forbidden => StatusCode::FORBIDDEN,
                ErrorCode::NotFound => StatusCode::NOT_FOUND,
                ErrorCode::Conflict => StatusCode::CONFLICT,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
                tracing::error!(request_id = %context.request_id, error = %e.message, "dashboard not produced");
                "internal error".to_string()
            } else {
                e.message
            };
            Rejection::new(status, e.code.as_str(), message)
        })?;
    let event = caseledger_dashboard::dashboard_disclosure(
        &dashboard,
        context.request_id,
        state.service.today(),
        "recordRequestDashboardPage",
    );
    if let Err(e) = state.service.record_access(&session, event).await {
        tracing::error!(request_id = %context.request_id, error = %e, "disclosure record not written; page withheld");
        return Err(Rejection::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "the page could not be recorded",
        ));
    }
    Ok((
        [(header::CONTENT_SECURITY_POLICY, headers::dashboard_csp())],
        Html(caseledger_dashboard::dashboard_html(&dashboard)),
    )
        .into_response())
}
