//! The HTTP interface of caseledger: an axum router serving the health check and (with the
//! GraphQL issue) the GraphQL API. Every handler reaches data only through the service.
#![forbid(unsafe_code)]

use axum::{Json, Router, extract::State, routing::get};
use caseledger_service::Service;
use serde_json::json;

/// Builds the router for a running service.
pub fn router(service: Service) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .with_state(service)
}

/// `GET /healthz`: 200 with the log head while the service is up.
async fn healthz(State(service): State<Service>) -> Json<serde_json::Value> {
    let head = service.head();
    Json(json!({ "status": "ok", "logPosition": head.position }))
}
