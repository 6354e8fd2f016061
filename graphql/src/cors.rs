//! Which browser origins may call the API (CORS, with tower-http's `CorsLayer`). Off by
//! default: a page on another origin cannot read the API's answers. Each origin named with
//! `--cors-origin` may send `POST /graphql` with a bearer token; credentials are headers,
//! never cookies, so none are allowed.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::observe::REQUEST_ID;

/// `router`, answering CORS for `origins` (unchanged when there are none).
pub fn allowed<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    origins: &[String],
) -> Router<S> {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if origins.is_empty() {
        return router;
    }
    let layer = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            REQUEST_ID,
            HeaderName::from_static("x-min-position"),
        ])
        .expose_headers([REQUEST_ID])
        .max_age(std::time::Duration::from_secs(600));
    router.layer(layer)
}
