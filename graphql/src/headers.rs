//! Response headers for answers that name people: never cached, never sniffed as another
//! type, never framed, never sent on as a referrer; a content security policy that lets
//! nothing load (the printable dashboard may apply its own inline style, by hash, and
//! nothing else).

use std::sync::OnceLock;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

/// The API's policy: its answers are data, not documents.
const API_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The dashboard page's policy: its one inline style sheet, by hash, and nothing else; not
/// framed.
pub fn dashboard_csp() -> &'static str {
    static CSP: OnceLock<String> = OnceLock::new();
    CSP.get_or_init(|| {
        format!(
            "{}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
            caseledger_dashboard::style_policy()
        )
    })
}

/// `router` with the headers every answer carries (a handler that sets its own
/// `Content-Security-Policy` keeps it).
pub fn secure<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    let always = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    router
        .layer(always(header::CACHE_CONTROL, "no-store"))
        .layer(always(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(always(header::X_FRAME_OPTIONS, "DENY"))
        .layer(always(header::REFERRER_POLICY, "no-referrer"))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_CSP),
        ))
}
