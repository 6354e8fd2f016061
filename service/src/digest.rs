//! The query digest of a disclosure record: HMAC-SHA256 of the request's query document and
//! variables under the query digest key (kept in the key store, wrapped under the master key).
//!
//! A plain SHA-256 of `findClients(search: {ssnLast4: "1234", dob: ...})` falls to 10,000
//! guesses by anyone holding the data directory. Keyed, the digest is worthless without the
//! key: with it (that is, with the master key and the key file), an auditor can still check
//! that a given query and variables produced a record, and nothing more. Both places that
//! record disclosures (the GraphQL handler, through [`Service::record_access`], and the HMIS
//! export) digest through [`query_digest`], so the two cannot drift apart.

use caseledger_core::SecretKey;
use caseledger_core::events::QueryDigest;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::Service;

/// HMAC-SHA256 under `key` of `query ‖ 0 ‖ variables` (the layout the unkeyed digest of
/// schemas 1 and 2 hashed, so the same request text is digested either way).
pub fn query_digest(key: &SecretKey, query: &str, variables: &str) -> QueryDigest {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(query.as_bytes());
    mac.update(&[0]);
    mac.update(variables.as_bytes());
    QueryDigest::HmacSha256(mac.finalize().into_bytes().into())
}

impl Service {
    /// The digest a disclosure record of this request carries (see [`query_digest`]).
    pub fn query_digest(&self, query: &str, variables: &str) -> QueryDigest {
        query_digest(self.keys().query_digest_key(), query, variables)
    }

    /// Whether `digest` is the one this request produces: the auditor's check, which needs the
    /// data directory's keys. A digest written before schema 3 is an unkeyed SHA-256 and is
    /// checked as one.
    pub fn query_matches(&self, digest: &QueryDigest, query: &str, variables: &str) -> bool {
        match digest {
            QueryDigest::HmacSha256(_) => self.query_digest(query, variables) == *digest,
            QueryDigest::Sha256(stored) => {
                use sha2::Digest;
                let mut h = Sha256::new();
                h.update(query.as_bytes());
                h.update([0]);
                h.update(variables.as_bytes());
                subtle::ConstantTimeEq::ct_eq(&h.finalize()[..], &stored[..]).into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_depends_on_the_key_query_and_variables() {
        let key = SecretKey::from_bytes([1; 32]);
        let base = query_digest(&key, "{ a }", r#"{"x":1}"#);
        assert_eq!(base, query_digest(&key, "{ a }", r#"{"x":1}"#));
        assert_ne!(
            base,
            query_digest(&SecretKey::from_bytes([2; 32]), "{ a }", r#"{"x":1}"#)
        );
        assert_ne!(base, query_digest(&key, "{ a }", r#"{"x":2}"#));
        // Without the key, the unkeyed digest of the same text is not it.
        use sha2::Digest;
        let mut h = Sha256::new();
        h.update(b"{ a }\0{\"x\":1}");
        assert_ne!(base, QueryDigest::HmacSha256(h.finalize().into()));
    }

    #[test]
    fn rfc_4231_case_2() {
        // HMAC-SHA256 known answer: key "Jefe", data "what do ya want for nothing?". Our layout
        // puts a 0 byte between query and variables, so check the primitive directly.
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
