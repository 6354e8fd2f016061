//! The provider's signing keys: found through its discovery document, cached, fetched again
//! when stale or when a token names a key not yet seen.

use std::time::Instant;

use jsonwebtoken::Algorithm;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use tokio::sync::{Mutex, RwLock};

use crate::error::OidcError;

/// The longest a fetched key set is trusted before it is fetched again (so a key the provider
/// withdrew stops verifying within this time).
pub const KEYS_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// The shortest time between two fetches of the key set caused by unknown keys.
pub const REFETCH_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// How long one fetch may take before the provider counts as unreachable.
const FETCH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

struct Fetched {
    keys: Vec<Jwk>,
    at: Instant,
}

/// The key set, fetched at most one at a time.
pub(crate) struct KeyCache {
    issuer: String,
    http: reqwest::Client,
    current: RwLock<Option<Fetched>>,
    /// Held while fetching, so concurrent sign-ins wait for one fetch instead of each making one.
    fetching: Mutex<()>,
}

#[derive(serde::Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
}

#[derive(serde::Deserialize)]
struct RawKeySet {
    keys: Vec<serde_json::Value>,
}

impl KeyCache {
    pub(crate) fn new(issuer: &str) -> Result<Self, OidcError> {
        let http = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .build()
            .map_err(|e| OidcError::Config(format!("no HTTP client: {e}")))?;
        Ok(KeyCache {
            issuer: issuer.to_string(),
            http,
            current: RwLock::new(None),
            fetching: Mutex::new(()),
        })
    }

    /// The key a token's header names: from the cache while it is fresh and has it, else after
    /// fetching the set again (at most once per [`REFETCH_INTERVAL`] for unknown keys).
    pub(crate) async fn key_for(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<Jwk, OidcError> {
        if let Some(found) = self.cached(kid, alg, false).await {
            return Ok(found);
        }
        let _one_fetch = self.fetching.lock().await;
        // Another sign-in may have fetched while this one waited.
        if let Some(found) = self.cached(kid, alg, false).await {
            return Ok(found);
        }
        let recent = self
            .current
            .read()
            .await
            .as_ref()
            .is_some_and(|f| f.at.elapsed() < REFETCH_INTERVAL);
        if !recent {
            self.fetch().await?;
        }
        self.cached(kid, alg, true)
            .await
            .ok_or(OidcError::UnknownKey)
    }

    /// Fetches the discovery document and the key set now.
    pub(crate) async fn refresh(&self) -> Result<(), OidcError> {
        let _one_fetch = self.fetching.lock().await;
        self.fetch().await
    }

    async fn cached(&self, kid: Option<&str>, alg: Algorithm, stale_ok: bool) -> Option<Jwk> {
        let current = self.current.read().await;
        let fetched = current.as_ref()?;
        if !stale_ok && fetched.at.elapsed() >= KEYS_MAX_AGE {
            return None;
        }
        let signing = fetched.keys.iter().filter(|k| {
            !matches!(k.common.public_key_use, Some(PublicKeyUse::Encryption))
                && k.common
                    .key_algorithm
                    .is_none_or(|a| a.to_string() == format!("{alg:?}"))
        });
        let mut candidates: Vec<&Jwk> = match kid {
            Some(kid) => signing
                .filter(|k| k.common.key_id.as_deref() == Some(kid))
                .collect(),
            None => signing.collect(),
        };
        // A token without a key id is accepted only when one key could have signed it.
        (candidates.len() == 1).then(|| candidates.remove(0).clone())
    }

    async fn fetch(&self) -> Result<(), OidcError> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.issuer.trim_end_matches('/')
        );
        let discovery: Discovery = self.get_json("discovery document", &url).await?;
        // OpenID Connect Discovery §4.3: the document's issuer is exactly the one configured,
        // or a look-alike host could hand out its own keys.
        if discovery.issuer != self.issuer {
            return Err(OidcError::Provider {
                what: "discovery document",
                url,
                reason: format!(
                    "it names the issuer `{}`, not the configured `{}`",
                    discovery.issuer, self.issuer
                ),
            });
        }
        let raw: RawKeySet = self.get_json("key set", &discovery.jwks_uri).await?;
        // Keys of kinds this build cannot use are skipped, not fatal: providers publish
        // encryption keys beside signing ones.
        let keys: Vec<Jwk> = raw
            .keys
            .into_iter()
            .filter_map(|k| serde_json::from_value(k).ok())
            .collect();
        tracing::info!(issuer = %self.issuer, keys = keys.len(), "identity provider keys fetched");
        *self.current.write().await = Some(Fetched {
            keys,
            at: Instant::now(),
        });
        Ok(())
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        what: &'static str,
        url: &str,
    ) -> Result<T, OidcError> {
        let fail = |reason: String| OidcError::Provider {
            what,
            url: url.to_string(),
            reason,
        };
        let response = self
            .http
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| fail(e.to_string()))?;
        if !response.status().is_success() {
            return Err(fail(format!("answered {}", response.status())));
        }
        response.json().await.map_err(|e| fail(e.to_string()))
    }
}
