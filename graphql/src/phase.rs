//! What async-graphql does before any resolver runs — parsing and validating the document —
//! given stable codes by where the error came from, never by its words: a parse or
//! validation error is the caller's `VALIDATION`; a document over the depth or complexity
//! limit is `LIMIT_EXCEEDED`, decided here from the validator's own measures. Validation of a
//! large document runs off the async workers, so it cannot stall other requests.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ServerError, ServerResult, ValidationResult, Variables};

use crate::limits::{MAX_COMPLEXITY, MAX_NESTING};

/// Expanded selections above which a document is validated on a blocking thread.
pub const INLINE_VALIDATION_SELECTIONS: u64 = 64;

/// How many selections the request's document expands to (computed by the limit check and
/// handed to validation as request data).
#[derive(Debug, Clone, Copy)]
pub struct DocumentSize(pub u64);

/// The extension that codes request-phase errors and enforces depth and complexity.
pub struct RequestPhase;

impl ExtensionFactory for RequestPhase {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestPhase)
    }
}

/// Sets `extensions.code` on an error that has none.
pub fn with_code(mut error: ServerError, code: &str) -> ServerError {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code);
    }
    error
}

fn limit_exceeded(message: String) -> ServerError {
    with_code(ServerError::new(message, None), "LIMIT_EXCEEDED")
}

#[async_trait::async_trait]
impl Extension for RequestPhase {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables)
            .await
            .map_err(|e| with_code(e, "VALIDATION"))
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let large = ctx
            .data_opt::<DocumentSize>()
            .is_some_and(|size| size.0 > INLINE_VALIDATION_SELECTIONS);
        let multi_threaded = tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
        let validated = if large && multi_threaded {
            // The worker hands its other tasks to another thread while this one validates.
            tokio::task::block_in_place(|| {
                tokio::runtime::Handle::current().block_on(next.run(ctx))
            })
        } else {
            next.run(ctx).await
        };
        let result = validated.map_err(|errors| {
            errors
                .into_iter()
                .map(|e| with_code(e, "VALIDATION"))
                .collect::<Vec<_>>()
        })?;
        if result.depth > MAX_NESTING {
            return Err(vec![limit_exceeded(format!(
                "the query is nested {} deep with its fragments spread; at most {MAX_NESTING} \
                 levels are accepted",
                result.depth
            ))]);
        }
        if result.complexity > MAX_COMPLEXITY {
            return Err(vec![limit_exceeded(format!(
                "the query's complexity is {}; at most {MAX_COMPLEXITY} is accepted",
                result.complexity
            ))]);
        }
        Ok(result)
    }
}
