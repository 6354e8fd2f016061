//! The agency dashboard in a browser: one page at `/`, its scripts and style sheet under
//! `/app/`, all embedded in the binary (see `assets.rs`), and the two things the page needs
//! from the server besides the public GraphQL API — how people sign in here
//! (`GET /app/sign-in.json`) and, in a demo served with `--dev`, a one-click sign-in as each
//! demo user (`POST /app/demo-sign-in`).
//!
//! The page reads and writes data only through `POST /graphql`, with the bearer token the
//! sign-in gave it, so everything it shows went through the service's authorization and was
//! recorded as a disclosure, exactly as for any other client of the API. This crate knows
//! nothing of the domain: the server around it decides who may sign in.
#![forbid(unsafe_code)]

mod assets;
mod sign_in;

pub use sign_in::{BrowserSignIn, DemoUser, WebConfig};

use axum::Router;
use axum::http::header;
use axum::response::Html;
use axum::routing::{get, post};

/// The dashboard's routes: `/` (the page, under [`WebConfig::content_policy`]), `/app/{name}`
/// (its scripts and style sheet) and the sign-in routes.
pub fn routes<S: Clone + Send + Sync + 'static>(config: WebConfig) -> Router<S> {
    let policy = config.content_policy();
    let page = move || {
        let policy = policy.clone();
        async move {
            (
                [(header::CONTENT_SECURITY_POLICY, policy)],
                Html(assets::INDEX),
            )
        }
    };
    let options = sign_in::options(&config);
    let mut router = Router::new()
        .route("/", get(page))
        .route("/app/{*name}", get(assets::asset))
        .route(
            "/app/sign-in.json",
            get(move || {
                let options = options.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], options) }
            }),
        );
    if !config.demo_users.is_empty() {
        let users = std::sync::Arc::new(config.demo_users);
        router = router.route(
            "/app/demo-sign-in",
            post(move |body| sign_in::demo(users.clone(), body)),
        );
    }
    router
}
