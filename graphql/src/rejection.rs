//! Refusals at the HTTP level (before or around GraphQL execution), answered in the API's own
//! shape: `{"errors":[{"message":…,"extensions":{"code":…}}]}` with a stable code and a
//! plain message, whatever refused the request — the body reader, the media-type check, the
//! throttle, the deadline, an unknown route. No Rust debug text ever reaches a client.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Why the HTTP layer refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable code in `extensions.code`.
    pub code: &'static str,
    /// What was wrong, for people.
    pub message: String,
    /// When the client may try again (`Retry-After`, whole seconds rounded up).
    pub retry_after: Option<Duration>,
}

impl Rejection {
    /// A refusal with a status, a stable code and a message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Rejection {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 400 `BAD_REQUEST`: the body is not one GraphQL request in JSON.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }

    /// 413 `PAYLOAD_TOO_LARGE`.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("the request body is larger than {limit} bytes"),
        )
    }

    /// 503 `TIMEOUT`: the request's deadline passed and its work was stopped.
    pub fn timeout(deadline: Duration) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "TIMEOUT",
            format!(
                "the request did not finish within {} ms and was stopped",
                deadline.as_millis()
            ),
        )
    }

    /// Adds `Retry-After`.
    pub fn retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let body = json!({
            "errors": [{ "message": self.message, "extensions": { "code": self.code } }]
        });
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(wait) = self.retry_after {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        response
    }
}

/// Unknown paths: 404 `NOT_FOUND` in the API's shape.
pub async fn not_found() -> Rejection {
    Rejection::new(StatusCode::NOT_FOUND, "NOT_FOUND", "no such path")
}

/// Known paths asked with another method: 405 `METHOD_NOT_ALLOWED`.
pub fn method_not_allowed() -> Rejection {
    Rejection::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        "this path does not answer that method",
    )
}
