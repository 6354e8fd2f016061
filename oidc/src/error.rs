//! Why a token or the provider was refused.

/// A refusal. The service answers every token refusal alike (`UNAUTHENTICATED`); the variants
/// are for the operator's log and for tests.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OidcError {
    /// The settings cannot work (not a provider problem).
    #[error("OpenID Connect settings: {0}")]
    Config(String),
    /// The discovery document or the key set could not be fetched or read.
    #[error("the identity provider's {what} at {url}: {reason}")]
    Provider {
        /// `discovery document` or `key set`.
        what: &'static str,
        /// Where it was fetched from.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// Not a JWT, or its header or claims cannot be read.
    #[error("not a readable JWT: {0}")]
    Malformed(String),
    /// Signed with an algorithm we do not accept (shared-secret or none).
    #[error("the token's algorithm {0} is not accepted")]
    Algorithm(String),
    /// Names a key the provider does not publish (even after fetching its keys again).
    #[error("the token is signed with a key the provider does not publish")]
    UnknownKey,
    /// The signature does not verify.
    #[error("the token's signature does not verify")]
    Signature,
    /// Past its `exp` (beyond the clock skew).
    #[error("the token expired")]
    Expired,
    /// Before its `nbf` (beyond the clock skew).
    #[error("the token is not valid yet")]
    NotYetValid,
    /// Issued by another issuer.
    #[error("the token was issued by another issuer")]
    Issuer,
    /// Issued for another audience.
    #[error("the token was issued for another audience")]
    Audience,
    /// Lacks a claim we need (`exp`, `iss`, `aud`, `sub` or the username claim).
    #[error("the token has no `{0}` claim")]
    MissingClaim(String),
}

impl OidcError {
    pub(crate) fn from_jwt(e: jsonwebtoken::errors::Error) -> Self {
        use jsonwebtoken::errors::ErrorKind as K;
        match e.kind() {
            K::InvalidSignature => OidcError::Signature,
            K::ExpiredSignature => OidcError::Expired,
            K::ImmatureSignature => OidcError::NotYetValid,
            K::InvalidIssuer => OidcError::Issuer,
            K::InvalidAudience => OidcError::Audience,
            K::MissingRequiredClaim(c) => OidcError::MissingClaim(c.clone()),
            K::InvalidAlgorithm | K::InvalidAlgorithmName | K::UnsupportedAlgorithm => {
                OidcError::Algorithm(e.to_string())
            }
            _ => OidcError::Malformed(e.to_string()),
        }
    }
}
