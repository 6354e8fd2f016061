//! The body of `POST /graphql`: one GraphQL request in JSON, read under a size limit, from a
//! request whose media types say JSON. Anything else is refused with a [`Rejection`] before
//! any of it is interpreted — a `text/plain` or form POST (what a cross-site form can send
//! without a preflight) never reaches a mutation.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use http_body_util::BodyExt;

use crate::rejection::Rejection;

/// The media type answers are sent as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    /// `application/json` (what clients get unless they ask for the newer type).
    Json,
    /// `application/graphql-response+json` (GraphQL over HTTP).
    GraphqlResponse,
}

impl ResponseType {
    /// The `Content-Type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseType::Json => "application/json",
            ResponseType::GraphqlResponse => "application/graphql-response+json",
        }
    }
}

/// The media types of a GraphQL POST, checked before anything else about the request
/// (credentials included): the body is JSON, and the answer's type.
pub struct MediaTypes(pub ResponseType);

impl<S: Send + Sync> FromRequestParts<S> for MediaTypes {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Rejection> {
        check_content_type(&parts.headers)?;
        Ok(MediaTypes(response_type(&parts.headers)?))
    }
}

/// A GraphQL request read from a JSON body.
pub struct GraphqlBody(pub async_graphql::Request);

/// The largest body accepted, set on the router as an extension.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

impl<S: Send + Sync> FromRequest<S> for GraphqlBody {
    type Rejection = Rejection;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Rejection> {
        let limit = req
            .extensions()
            .get::<BodyLimit>()
            .map_or(64 * 1024, |l| l.0);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(Rejection::too_large(limit));
        }
        let body = http_body_util::Limited::new(req.into_body(), limit)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    Rejection::too_large(limit)
                } else {
                    Rejection::bad_request("the request body could not be read")
                }
            })?
            .to_bytes();
        Ok(GraphqlBody(parse(&body)?))
    }
}

/// Reads one GraphQL request from JSON bytes.
pub fn parse(body: &[u8]) -> Result<async_graphql::Request, Rejection> {
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(Rejection::bad_request(
            "batched requests are not accepted: send one operation per request",
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Data => {
                "the body is not a GraphQL request (an object with a string `query`)"
            }
            serde_json::error::Category::Eof => "the JSON body ends too early",
            serde_json::error::Category::Syntax | serde_json::error::Category::Io => {
                "the body is not valid JSON in UTF-8"
            }
        };
        Rejection::bad_request(format!("{what} (line {}, column {})", e.line(), e.column()))
    })
}

/// The essence of a media type: `type/subtype`, lower case, parameters dropped.
fn essence(value: &str) -> String {
    value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Only `application/json` bodies are read.
fn check_content_type(headers: &HeaderMap) -> Result<(), Rejection> {
    let given = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(essence);
    if given.as_deref() == Some("application/json") {
        return Ok(());
    }
    Err(Rejection::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "UNSUPPORTED_MEDIA_TYPE",
        "send the request as Content-Type: application/json",
    ))
}

/// The answer's media type from `Accept` (none, or any range covering JSON or the GraphQL
/// response type); 406 when the client accepts neither.
fn response_type(headers: &HeaderMap) -> Result<ResponseType, Rejection> {
    let ranges: Vec<String> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(essence)
        .filter(|r| !r.is_empty())
        .collect();
    if ranges.is_empty() {
        return Ok(ResponseType::Json);
    }
    if ranges
        .iter()
        .any(|r| r == "application/graphql-response+json")
    {
        return Ok(ResponseType::GraphqlResponse);
    }
    if ranges
        .iter()
        .any(|r| matches!(r.as_str(), "application/json" | "application/*" | "*/*"))
    {
        return Ok(ResponseType::Json);
    }
    Err(Rejection::new(
        StatusCode::NOT_ACCEPTABLE,
        "NOT_ACCEPTABLE",
        "answers are application/json or application/graphql-response+json",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_json_bodies_are_read() {
        for ok in ["application/json", "Application/JSON; charset=utf-8"] {
            assert!(
                check_content_type(&headers(&[("content-type", ok)])).is_ok(),
                "{ok}"
            );
        }
        for refused in [
            "text/plain",
            "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded",
            "application/jsonp",
        ] {
            let e = check_content_type(&headers(&[("content-type", refused)])).unwrap_err();
            assert_eq!(
                (e.status, e.code),
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE"),
                "{refused}"
            );
        }
        assert!(
            check_content_type(&headers(&[])).is_err(),
            "no content type"
        );
    }

    #[test]
    fn accept_chooses_the_answer_type() {
        assert_eq!(response_type(&headers(&[])), Ok(ResponseType::Json));
        assert_eq!(
            response_type(&headers(&[(
                "accept",
                "application/graphql-response+json, application/json;q=0.9"
            )])),
            Ok(ResponseType::GraphqlResponse)
        );
        assert_eq!(
            response_type(&headers(&[("accept", "*/*")])),
            Ok(ResponseType::Json)
        );
        assert_eq!(
            response_type(&headers(&[("accept", "text/html")]))
                .unwrap_err()
                .code,
            "NOT_ACCEPTABLE"
        );
    }

    #[test]
    fn bodies_that_are_not_one_request_say_so_plainly() {
        for body in [
            &b"[{\"query\":\"{ me { role } }\"}]"[..],
            &b"{\"query\": \"\\udc00\"}"[..],
            &b"{\"query\": 5}"[..],
            &b"{\"query\": \"{"[..],
            &b"\xff\xfe"[..],
        ] {
            let e = parse(body).unwrap_err();
            assert_eq!((e.status, e.code), (StatusCode::BAD_REQUEST, "BAD_REQUEST"));
            // Plain words, no Rust debug text.
            assert!(
                !e.message.contains('(') || e.message.contains("(line"),
                "{}",
                e.message
            );
            assert!(
                !e.message.contains("Error") && !e.message.contains('{'),
                "{}",
                e.message
            );
        }
        assert!(parse(b"{\"query\":\"{ me { role } }\"}").is_ok());
    }
}
