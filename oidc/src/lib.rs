//! Verifies access tokens issued by the CoC's OpenID Connect provider (Okta, Azure AD / Entra
//! ID, Keycloak, …): finds the provider's signing keys through discovery, checks a token's
//! signature, issuer, audience and validity times, and answers the one claim that names the
//! user. Knows nothing of caseledger's accounts: the service maps the answer to one.
//!
//! The seam is [`Verifier::verify`]. Keys are fetched on first use, kept for at most
//! [`KEYS_MAX_AGE`], and fetched again when a token names a key not yet seen (how providers
//! rotate keys: they publish the new key before signing with it), at most once per
//! [`REFETCH_INTERVAL`] so that tokens naming made-up keys cannot make us hammer the provider.
#![forbid(unsafe_code)]

mod error;
mod keys;

use std::time::Duration;

pub use error::OidcError;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use keys::KeyCache;
pub use keys::{KEYS_MAX_AGE, REFETCH_INTERVAL};

/// Signature algorithms accepted: asymmetric ones only. A shared-secret (`HS256`) or unsigned
/// (`none`) token is refused whatever its header says, since the provider's published keys are
/// public.
const ACCEPTED: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// Which provider to trust and how to read its tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcConfig {
    /// The issuer URL exactly as the provider's discovery document and tokens state it
    /// (`https://example.okta.com/oauth2/default`). `http` only for a loopback host.
    pub issuer: String,
    /// The audience caseledger's tokens are issued for (`aud` must contain it).
    pub audience: String,
    /// The claim whose value is the caseledger username (`sub`, `preferred_username`,
    /// `email`, `upn`…): it must be one the provider sets and users cannot change.
    pub username_claim: String,
    /// How far the provider's clock and ours may disagree when checking `exp` and `nbf`.
    pub clock_skew: Duration,
}

/// Who a verified token says the user is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The provider's subject (`sub`), for logs.
    pub subject: String,
    /// The value of the configured username claim.
    pub username: String,
}

/// Checks access tokens against one provider. Cheap to share: clone an `Arc` of it.
pub struct Verifier {
    config: OidcConfig,
    keys: KeyCache,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for `config`; nothing is fetched yet. `Config` errors for an issuer that is
    /// not an `https` URL (or `http` on a loopback host), an empty audience or claim.
    pub fn new(config: OidcConfig) -> Result<Self, OidcError> {
        let issuer = config.issuer.trim_end_matches('/');
        let loopback = ["http://localhost", "http://127.0.0.1", "http://[::1]"]
            .iter()
            .any(|p| {
                issuer.strip_prefix(p).is_some_and(|rest| {
                    rest.is_empty() || rest.starts_with(':') || rest.starts_with('/')
                })
            });
        if !(issuer.starts_with("https://") || loopback) {
            return Err(OidcError::Config(format!(
                "the issuer `{}` must be an https URL (http only on this machine's loopback)",
                config.issuer
            )));
        }
        if config.audience.trim().is_empty() {
            return Err(OidcError::Config("the audience is empty".into()));
        }
        if config.username_claim.trim().is_empty() {
            return Err(OidcError::Config("the username claim is empty".into()));
        }
        let keys = KeyCache::new(&config.issuer)?;
        Ok(Verifier { config, keys })
    }

    /// The settings this verifier checks tokens with.
    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    /// Fetches the discovery document and keys now (at start-up, so a misconfigured issuer
    /// is reported at once rather than at the first sign-in).
    pub async fn prefetch(&self) -> Result<(), OidcError> {
        self.keys.refresh().await
    }

    /// Whether `token` looks like a JWT at all (three base64url parts), without checking it:
    /// lets the caller tell a provider's token from one of its own.
    pub fn looks_like_jwt(token: &str) -> bool {
        let parts: Vec<&str> = token.split('.').collect();
        parts.len() == 3
            && parts[..2].iter().all(|p| {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
    }

    /// The identity a valid access token names: signed by one of the provider's current keys
    /// with an accepted algorithm, issued by the configured issuer for the configured audience,
    /// within its `nbf`..`exp` (with the clock skew), and carrying the username claim.
    pub async fn verify(&self, token: &str) -> Result<Identity, OidcError> {
        let header = jsonwebtoken::decode_header(token).map_err(OidcError::from_jwt)?;
        if !ACCEPTED.contains(&header.alg) {
            return Err(OidcError::Algorithm(format!("{:?}", header.alg)));
        }
        let jwk = self.keys.key_for(header.kid.as_deref(), header.alg).await?;
        let key = DecodingKey::from_jwk(&jwk).map_err(OidcError::from_jwt)?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&[&self.config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = self.config.clock_skew.as_secs();
        let data = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(
            token,
            &key,
            &validation,
        )
        .map_err(OidcError::from_jwt)?;
        let claims = data.claims;
        let text = |name: &str| claims.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        let subject = text("sub").unwrap_or_default();
        let username = text(&self.config.username_claim)
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| OidcError::MissingClaim(self.config.username_claim.clone()))?;
        Ok(Identity { subject, username })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(issuer: &str) -> OidcConfig {
        OidcConfig {
            issuer: issuer.into(),
            audience: "caseledger".into(),
            username_claim: "sub".into(),
            clock_skew: Duration::from_secs(60),
        }
    }

    #[test]
    fn an_issuer_is_https_or_loopback_http() {
        for ok in [
            "https://idp.example.org/realms/coc",
            "http://localhost:8080",
            "http://127.0.0.1/oidc",
        ] {
            assert!(Verifier::new(config(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "http://idp.example.org",
            "http://localhost.example.org",
            "ftp://x",
        ] {
            assert!(
                matches!(Verifier::new(config(bad)), Err(OidcError::Config(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn only_jwt_shaped_tokens_look_like_jwts() {
        assert!(Verifier::looks_like_jwt("eyJh.eyJz.c2ln"));
        assert!(Verifier::looks_like_jwt("eyJh.eyJz."));
        assert!(!Verifier::looks_like_jwt("clt_01ABC_ffff"));
        assert!(!Verifier::looks_like_jwt("a.b"));
        assert!(!Verifier::looks_like_jwt("a b.c.d"));
    }
}
