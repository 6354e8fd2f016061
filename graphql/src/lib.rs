//! The HTTP interface of caseledger: the GraphQL API (`POST /graphql`, GraphiQL at
//! `GET /graphql` in dev mode) and `GET /healthz`, on axum. Every resolver reaches data only
//! through the service, which hands out views for the authenticated actor.
#![forbid(unsafe_code)]

mod accounts;
mod audit;
mod client;
mod client_mutations;
mod context;
mod convert;
mod directory;
mod disclosure;
mod error;
mod limits;
mod record_mutations;
mod records;
mod render;
mod requests;
mod schema;

use std::time::Duration;

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::{Json, Router};
use caseledger_service::Service;
use serde_json::json;

pub use render::dashboard_html;
pub use requests::dashboard_disclosure;
pub use schema::{ApiSchema, sdl};

/// How the API is served.
#[derive(Debug, Clone, Copy)]
pub struct ApiConfig {
    /// Development mode: GraphiQL, introspection and field suggestions on.
    pub dev: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Longest a request may take.
    pub timeout: Duration,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            dev: false,
            max_body_bytes: 64 * 1024,
            timeout: Duration::from_secs(15),
        }
    }
}

#[derive(Clone)]
struct AppState {
    service: Service,
    schema: ApiSchema,
}

/// Builds the router for a running service.
pub fn router(service: Service, config: ApiConfig) -> Router {
    let schema = schema::build(Some(service.clone()), config.dev);
    let graphql = if config.dev {
        get(graphiql).post(graphql)
    } else {
        axum::routing::post(graphql)
    };
    Router::new()
        .route("/healthz", get(healthz))
        .route("/record-requests/{id}/dashboard", get(dashboard_page))
        .route("/graphql", graphql)
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            config.max_body_bytes,
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            config.timeout,
        ))
        .with_state(AppState { service, schema })
}

/// `GET /healthz`: 200 with the log head while the service is up.
async fn healthz(State(state): State<AppState>) -> Json<serde_json::Value> {
    let head = state.service.head();
    Json(json!({ "status": "ok", "logPosition": head.position }))
}

/// `POST /graphql`: one operation per request (array batches are refused by the extractor).
async fn graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse {
    let context = context::RequestContext::from_headers(&state.service, &headers);
    let request_id = context.request_id;
    let actor = context.actor.clone();
    let mut request = request.into_inner();
    // Parsed once: the executor reuses the document (a syntax error is left to it to report).
    let mut named = None;
    if let Ok(document) = request.parsed_query() {
        if let Some(reason) = limits::check_document(document) {
            return error::refused("LIMIT_EXCEEDED", reason).into();
        }
        // A document with one named operation runs it without `operationName`.
        if let async_graphql::parser::types::DocumentOperations::Multiple(ops) =
            &document.operations
            && ops.len() == 1
        {
            named = ops.keys().next().map(ToString::to_string);
        }
    }
    if let Err(refusal) = wait_for_header_position(&state.service, &headers).await {
        return refusal.into();
    }
    let operation = request
        .operation_name
        .clone()
        .or(named)
        .unwrap_or_else(|| "anonymous".to_string());
    let query = request.query.clone();
    let variables = serde_json::to_string(&request.variables).unwrap_or_default();
    let disclosures = std::sync::Arc::new(disclosure::Disclosures::default());
    let response = state
        .schema
        .execute(request.data(context).data(disclosures.clone()))
        .await;
    // Write before respond: the disclosure must be durable before any client data leaves.
    let today = state.service.today();
    if let (Ok(actor), Some(event)) = (
        actor,
        disclosures.take_event(request_id, today, &operation, &query, &variables),
    ) && let Err(e) = state.service.record_access(actor, event).await
    {
        tracing::error!(%request_id, error = %e, "disclosure record not written; response withheld");
        return error::refused("INTERNAL", format!("internal error (request {request_id})")).into();
    }
    error::mask(response, request_id).into()
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
    headers: HeaderMap,
) -> axum::response::Response {
    use axum::http::StatusCode;
    let context = context::RequestContext::from_headers(&state.service, &headers);
    let refuse = |status: StatusCode, message: &str| {
        (status, [("cache-control", "no-store")], message.to_string()).into_response()
    };
    let actor = match context.actor {
        Ok(a) => a,
        Err(_) => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED: missing or invalid bearer token",
            );
        }
    };
    let Ok(request) = id.parse() else {
        return refuse(
            StatusCode::NOT_FOUND,
            "NOT_FOUND: no such client record request",
        );
    };
    let dashboard = match state.service.record_dashboard(&actor, request) {
        Ok(d) => d,
        Err(e) => {
            let status = match e.code {
                caseledger_service::ErrorCode::Forbidden => StatusCode::FORBIDDEN,
                caseledger_service::ErrorCode::NotFound => StatusCode::NOT_FOUND,
                caseledger_service::ErrorCode::Conflict => StatusCode::CONFLICT,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            return refuse(status, &format!("{}: {}", e.code.as_str(), e.message));
        }
    };
    let event = requests::dashboard_disclosure(
        &dashboard,
        context.request_id,
        state.service.today(),
        "recordRequestDashboardPage",
    );
    if let Err(e) = state.service.record_access(actor, event).await {
        tracing::error!(request_id = %context.request_id, error = %e, "disclosure record not written; page withheld");
        return refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL: the page could not be recorded",
        );
    }
    (
        [("cache-control", "no-store")],
        Html(render::dashboard_html(&dashboard)),
    )
        .into_response()
}

/// `GET /graphql` in dev mode: GraphiQL.
async fn graphiql() -> impl IntoResponse {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}
