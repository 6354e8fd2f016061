//! The HTTP interface of caseledger: the GraphQL API (`POST /graphql`, GraphiQL at
//! `GET /graphql` in dev mode) and `GET /healthz`, on axum. Every resolver reaches data only
//! through the service, which hands out views for the authenticated actor.
#![forbid(unsafe_code)]

mod context;
mod error;
mod limits;
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
    let request = request.into_inner();
    if let Some(reason) = limits::check(&request.query) {
        return error::refused("LIMIT_EXCEEDED", reason).into();
    }
    let response = state.schema.execute(request.data(context)).await;
    error::mask(response, request_id).into()
}

/// `GET /graphql` in dev mode: GraphiQL.
async fn graphiql() -> impl IntoResponse {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}
