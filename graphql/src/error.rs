//! Errors as clients see them: a stable code in `extensions.code`, the field at fault in
//! `extensions.field`, a human message; internal failures are masked (logged with the request
//! id, never shown).

use async_graphql::{ErrorExtensions, Response};
use caseledger_core::RequestId;
use caseledger_service::{CommandError, ErrorCode};

/// Turns a command rejection into a GraphQL error.
pub fn to_graphql(e: CommandError) -> async_graphql::Error {
    let code = e.code.as_str();
    let field = e.field.clone();
    let message = if e.code == ErrorCode::Internal {
        "internal error".to_string()
    } else {
        e.message.clone()
    };
    async_graphql::Error::new(message).extend_with(|_, ext| {
        ext.set("code", code);
        if let Some(field) = &field {
            ext.set("field", field.as_str());
        }
    })
}

/// A response refusing the whole request with a code, before anything ran.
pub fn refused(code: &str, message: String) -> Response {
    let mut error = async_graphql::ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    Response::from_errors(vec![error])
}

/// Gives every error of a response a stable code: validation failures of the query itself
/// (depth, complexity, syntax) are `LIMIT_EXCEEDED` or `VALIDATION`; anything without a code is
/// an internal error and is masked.
pub fn mask(mut response: Response, request_id: RequestId) -> Response {
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some());
        if has_code {
            continue;
        }
        let lower = error.message.to_lowercase();
        let code = if lower.contains("nested too deep")
            || lower.contains("too complex")
            || lower.contains("limit")
        {
            "LIMIT_EXCEEDED"
        } else if error.path.is_empty()
            || error.message.starts_with("Invalid value for argument")
            || error.message.starts_with("Failed to parse")
        {
            // Parse and validation errors of the document, and arguments that do not coerce
            // to their types: the caller's mistake, shown as such.
            "VALIDATION"
        } else {
            tracing::error!(%request_id, message = %error.message, "internal error in a resolver");
            error.message = format!("internal error (request {request_id})");
            "INTERNAL"
        };
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code);
    }
    response
}
