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

/// An internal failure of a resolver (logged and masked by [`mask`]).
pub fn internal(message: &str) -> async_graphql::Error {
    to_graphql(CommandError::new(ErrorCode::Internal, message))
}

/// Gives every error of a response a stable code, decided by where the error came from and
/// never by its words. Errors of the request phase (parse, validation, depth, complexity)
/// were coded by [`crate::phase::RequestPhase`]; every error this crate's resolvers raise
/// carries a code. What is left is either async-graphql's own refusal of an argument value
/// that does not coerce to its type — created without a source, the caller's `VALIDATION`
/// — or an error converted from another error type (it carries that error as its source):
/// internal, logged with the request id and masked.
pub fn mask(mut response: Response, request_id: RequestId) -> Response {
    for error in &mut response.errors {
        let coded = error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .and_then(|c| match c {
                async_graphql::Value::String(s) => Some(s.clone()),
                _ => None,
            });
        let code = match coded.as_deref() {
            Some("INTERNAL") => {
                tracing::error!(%request_id, message = %error.message, "internal error in a resolver");
                error.message = format!("internal error (request {request_id})");
                continue;
            }
            Some(_) => continue,
            None if error.source.is_none() => "VALIDATION",
            None => {
                tracing::error!(%request_id, message = %error.message, "internal error in a resolver");
                error.message = format!("internal error (request {request_id})");
                "INTERNAL"
            }
        };
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(response: &Response, i: usize) -> String {
        match response.errors[i]
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
        {
            Some(async_graphql::Value::String(s)) => s.clone(),
            other => panic!("no code: {other:?}"),
        }
    }

    #[test]
    fn errors_are_coded_by_where_they_came_from_not_by_their_words() {
        // An internal failure whose text mentions a limit (converted from another error
        // type, so it carries that error as its source).
        let internal: async_graphql::Error =
            std::io::Error::other("connection limit of pool db-primary reached").into();
        let internal = internal.into_server_error(async_graphql::Pos::default());
        // async-graphql's own refusal of an argument value: no source, no code.
        let argument = async_graphql::ServerError::new(
            "Invalid value for argument \"first\", expected type \"Int\"",
            None,
        );
        // A command's refusal that happens to say "limit".
        let coded = to_graphql(CommandError::new(
            ErrorCode::Validation,
            "over the limit of 500 characters",
        ))
        .into_server_error(async_graphql::Pos::default());
        let masked = mask(
            Response::from_errors(vec![internal, argument, coded]),
            RequestId::from_ulid(ulid::Ulid::new()),
        );
        assert_eq!(code(&masked, 0), "INTERNAL");
        assert!(!masked.errors[0].message.contains("db-primary"), "masked");
        assert_eq!(code(&masked, 1), "VALIDATION");
        assert_eq!(code(&masked, 2), "VALIDATION");
        assert!(masked.errors[2].message.contains("500 characters"));
    }
}
