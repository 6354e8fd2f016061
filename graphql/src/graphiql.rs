//! GraphiQL in development mode (`serve --dev`), served by the binary itself — no CDN, so it
//! works on a locked-down network — with a field for the bearer token.
//!
//! GraphiQL and React are npm's builds, gzipped into `assets/graphiql` by
//! `scripts/graphiql/vendor.sh` (which also checks them against npm) and embedded here; they
//! are answered gzipped as stored. The page and its start script are ours: the page runs no
//! inline script, under [`GRAPHIQL_CSP`].

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// The page's policy: scripts and styles from this origin only (GraphiQL's editor sets inline
/// styles on its elements), requests to this origin, never framed.
pub const GRAPHIQL_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' \
     'unsafe-inline'; connect-src 'self'; img-src 'self' data:; font-src 'self' data:; \
     worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// `(name, content type, gzipped, bytes)` of every asset.
const ASSETS: [(&str, &str, bool, &[u8]); 7] = [
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        true,
        include_bytes!("../assets/graphiql/graphiql.min.js.gz"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        true,
        include_bytes!("../assets/graphiql/graphiql.min.css.gz"),
    ),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        true,
        include_bytes!("../assets/graphiql/react.production.min.js.gz"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        true,
        include_bytes!("../assets/graphiql/react-dom.production.min.js.gz"),
    ),
    (
        "start.js",
        "text/javascript; charset=utf-8",
        false,
        include_bytes!("../assets/graphiql/start.js"),
    ),
    (
        "page.css",
        "text/css; charset=utf-8",
        false,
        include_bytes!("../assets/graphiql/page.css"),
    ),
    (
        "index.html",
        "text/html; charset=utf-8",
        false,
        include_bytes!("../assets/graphiql/index.html"),
    ),
];

/// `GET /graphql` in development mode: the GraphiQL page.
pub async fn page() -> impl IntoResponse {
    (
        [(header::CONTENT_SECURITY_POLICY, GRAPHIQL_CSP)],
        Html(include_str!("../assets/graphiql/index.html")),
    )
}

/// `GET /graphiql/{name}` in development mode: one of the page's scripts or style sheets.
pub async fn asset(Path(name): Path<String>) -> Response {
    let Some((_, content_type, gzipped, bytes)) = ASSETS
        .iter()
        .find(|(n, ..)| *n == name && *n != "index.html")
    else {
        return crate::rejection::not_found().await.into_response();
    };
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, *content_type)],
        *bytes,
    )
        .into_response();
    if *gzipped {
        // Every browser GraphiQL runs in accepts gzip; the assets are stored only so.
        response.headers_mut().insert(
            header::CONTENT_ENCODING,
            header::HeaderValue::from_static("gzip"),
        );
    }
    response
}
