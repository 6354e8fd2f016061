//! What a supervisor and a monitoring system ask of a running server: `/healthz` (the process
//! answers), `/readyz` (the views have caught up with the log: send it traffic) and
//! `/metrics` (Prometheus text format). None of them names a client or needs a token; put
//! `/metrics` behind the reverse proxy's access rules like any operator endpoint.

use std::sync::OnceLock;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use serde_json::json;

use crate::state::AppState;

/// Latency buckets, in seconds: a durable append takes about a millisecond, a slow request
/// up to the request timeout.
const SECONDS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0,
];

/// Group-commit sizes, in events.
const EVENTS: &[f64] = &[
    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 1024.0, 4096.0,
];

/// The process's Prometheus recorder, installed on first use; `None` when another recorder
/// was installed first (then `/metrics` is not served).
pub(crate) fn prometheus() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS)
                .and_then(|b| b.set_buckets_for_metric(Matcher::Suffix("_events".into()), EVENTS))
                .ok()?;
            let handle = builder.install_recorder().ok()?;
            describe();
            Some(handle)
        })
        .as_ref()
}

/// Says what each series is, in the exposition's `# HELP` lines.
fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "caseledger_requests_total",
        "Requests answered, by operation (root field or route) and outcome (ok or error code)."
    );
    describe_histogram!(
        "caseledger_request_duration_seconds",
        "Time to answer a request, by operation and outcome."
    );
    describe_histogram!(
        "caseledger_log_commit_seconds",
        "Time to make one group commit of the log durable."
    );
    describe_histogram!(
        "caseledger_log_commit_events",
        "Events made durable together by one group commit."
    );
    describe_counter!(
        "caseledger_disclosures_written_total",
        "Disclosure records (who saw which client's data) written."
    );
    describe_counter!(
        "caseledger_auth_failures_total",
        "Requests whose bearer token was missing, unknown, expired or revoked."
    );
    describe_gauge!(
        "caseledger_log_head_position",
        "The log's durable head position."
    );
    describe_gauge!(
        "caseledger_projector_lag_events",
        "Durable events not yet folded into the read models."
    );
    describe_gauge!(
        "caseledger_snapshot_age_seconds",
        "Seconds since the read-model snapshot was written."
    );
}

/// `GET /healthz`: the process answers, with the log's head.
pub(crate) async fn healthz(State(state): State<AppState>) -> Json<serde_json::Value> {
    let head = state.service.head();
    Json(json!({ "status": "ok", "logPosition": head.position }))
}

/// `GET /readyz`: 200 once the views have caught up with the log the server found at start,
/// 503 before.
pub(crate) async fn readyz(State(state): State<AppState>) -> Response {
    let v = state.service.vitals();
    let body = json!({
        "ready": v.ready,
        "logPosition": v.head,
        "projectedPosition": v.projected,
    });
    let status = if v.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// `GET /metrics`: every series in Prometheus text format, the log and projector gauges read
/// now.
pub(crate) async fn metrics(State(state): State<AppState>) -> Response {
    let Some(handle) = prometheus() else {
        return crate::rejection::not_found().await.into_response();
    };
    let v = state.service.vitals();
    metrics::gauge!("caseledger_log_head_position").set(v.head as f64);
    metrics::gauge!("caseledger_projector_lag_events")
        .set(v.head.saturating_sub(v.projected) as f64);
    if let Some(age) = v.snapshot_age {
        metrics::gauge!("caseledger_snapshot_age_seconds").set(age.as_secs_f64());
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}
