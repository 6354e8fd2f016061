//! How people sign in to the dashboard: the configuration (`WebConfig`, with the page's
//! content policy, which lets it call the provider), what the page is told
//! (`GET /app/sign-in.json`) and the demo's one-click sign-in (`POST /app/demo-sign-in`).
//!
//! With an identity provider the page itself runs the authorization code flow with PKCE
//! against it (a public client: no secret reaches the browser) and sends the provider's access
//! token to `/graphql`, which verifies it as it verifies any. The server only says where the
//! provider is and which client the page is.

use std::sync::Arc;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// A demo user the sign-in page offers with one click.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoUser {
    /// The username.
    pub username: String,
    /// The role, as the API names it (`CASE_MANAGER`, `HELP_DESK`, ...).
    pub role: String,
    /// The organization's name.
    pub organization: String,
    /// The user's bearer token (never listed; answered to the one-click sign-in only).
    #[serde(skip)]
    pub token: String,
}

/// The CoC's identity provider as the page uses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BrowserSignIn {
    /// The issuer URL (its `/.well-known/openid-configuration` names the endpoints).
    pub issuer: String,
    /// The page's client id at the provider (a public client allowed the code flow with PKCE
    /// and redirecting to this server's `/`).
    pub client_id: String,
    /// The scopes asked for.
    pub scope: String,
    /// The resource indicator asked for (RFC 8707), when the provider issues tokens for
    /// caseledger's audience only on request.
    pub resource: Option<String>,
}

impl BrowserSignIn {
    /// The provider's origin (scheme, host and port), which the page's policy lets it call.
    pub fn origin(&self) -> String {
        let rest = self
            .issuer
            .split_once("://")
            .map_or(self.issuer.as_str(), |(_, r)| r);
        let host = rest.split('/').next().unwrap_or(rest);
        let scheme = self.issuer.split_once("://").map_or("https", |(s, _)| s);
        format!("{scheme}://{host}")
    }
}

/// What the dashboard offers at sign-in.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// The demo's users, each signed in with one click (only for `serve --demo --dev`; empty
    /// otherwise, and the one-click route then does not exist).
    pub demo_users: Vec<DemoUser>,
    /// The CoC's identity provider, for signing in with the authorization code flow and PKCE
    /// (`None`: the page offers the demo users, or says sign-in is not set up).
    pub identity: Option<BrowserSignIn>,
}

impl WebConfig {
    /// The page's content policy: scripts, styles and images from this origin only, requests
    /// to this origin and to the identity provider's origin (discovery and the token exchange;
    /// a provider whose endpoints live on another origin than its issuer is not supported),
    /// never framed, no inline script or style.
    pub fn content_policy(&self) -> String {
        let provider = self
            .identity
            .as_ref()
            .map(|i| format!(" {}", i.origin()))
            .unwrap_or_default();
        format!(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
             connect-src 'self'{provider}; form-action 'self'; frame-ancestors 'none'; \
             base-uri 'none'"
        )
    }
}

/// What `GET /app/sign-in.json` answers.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Options<'a> {
    demo_users: &'a [DemoUser],
    provider: Option<&'a BrowserSignIn>,
}

/// The sign-in options as JSON.
pub(crate) fn options(config: &WebConfig) -> String {
    serde_json::to_string(&Options {
        demo_users: &config.demo_users,
        provider: config.identity.as_ref(),
    })
    .expect("sign-in options serialize")
}

/// The one-click sign-in's request.
#[derive(Deserialize)]
pub(crate) struct DemoSignIn {
    username: String,
}

/// The one-click sign-in's answer.
#[derive(Serialize)]
struct Token<'a> {
    token: &'a str,
}

/// `POST /app/demo-sign-in`: the demo user's bearer token; 404 for a name that is no demo
/// user.
pub(crate) async fn demo(users: Arc<Vec<DemoUser>>, Json(body): Json<DemoSignIn>) -> Response {
    match users.iter().find(|u| u.username == body.username) {
        Some(user) => Json(Token { token: &user.token }).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_lets_the_page_call_its_provider_only() {
        let sign_in = BrowserSignIn {
            issuer: "https://id.example.org/realms/coc".into(),
            client_id: "caseledger-web".into(),
            scope: "openid".into(),
            resource: None,
        };
        assert_eq!(sign_in.origin(), "https://id.example.org");
        let config = WebConfig {
            demo_users: Vec::new(),
            identity: Some(sign_in),
        };
        let policy = config.content_policy();
        assert!(
            policy.contains("connect-src 'self' https://id.example.org;"),
            "{policy}"
        );
        assert!(!policy.contains("unsafe"), "{policy}");
    }

    #[test]
    fn the_options_never_list_a_token() {
        let config = WebConfig {
            demo_users: vec![DemoUser {
                username: "chss-cm".into(),
                role: "CASE_MANAGER".into(),
                organization: "Community Housing and Shelter Services".into(),
                token: "secret-token".into(),
            }],
            identity: None,
        };
        let json = options(&config);
        assert!(
            json.contains("chss-cm") && !json.contains("secret-token"),
            "{json}"
        );
    }
}
