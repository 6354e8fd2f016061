//! The one authenticated cipher of caseledger: XChaCha20-Poly1305 (RustCrypto's
//! `chacha20poly1305`). Identifying values, wrapped data keys and read-model snapshots are all
//! sealed through here, so there is one place to review and one algorithm to rotate.
//!
//! Callers supply the nonce: this crate reads no randomness. Values derive theirs from the
//! event id (unique per event) and the value's place in the event, so a sealed event is a
//! function of its content and key — replayable, and byte-identical for a seeded generator.
//! Keys are wrapped, and snapshots sealed, under random nonces drawn by the service.

use std::fmt;

use chacha20poly1305::aead::{Aead, AeadInPlace, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};

/// Bytes of a key.
pub const KEY_LEN: usize = 32;
/// Bytes of a nonce.
pub const NONCE_LEN: usize = 24;
/// Bytes the cipher adds to every message (the Poly1305 tag).
pub const TAG_LEN: usize = 16;

/// A 256-bit secret key: a client's data key, the master key, or a key derived from it.
/// `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; KEY_LEN]);

impl SecretKey {
    /// Wraps key material (from the operating system's random source, or a key file).
    pub const fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(bytes)
    }

    /// The key material, for writing a key file.
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// A key for another purpose derived from this one, e.g. the snapshot key from the
    /// master key: SHA-256 over a purpose label and the key. Knowing the derived key reveals
    /// nothing about this one.
    pub fn derive(&self, purpose: &str) -> SecretKey {
        let mut h = Sha256::new();
        h.update(b"caseledger key derivation v1\0");
        h.update(purpose.as_bytes());
        h.update([0]);
        h.update(self.0);
        SecretKey(h.finalize().into())
    }

    /// A public name for this key (SHA-256 of a label and the key, hex, first 16 bytes):
    /// recorded next to what the key sealed, so a wrong key is recognised before anything is
    /// read with it.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"caseledger key fingerprint v1\0");
        h.update(self.0);
        h.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Seals `message` bound to `aad` (authenticated, not encrypted): ciphertext followed by
    /// the tag.
    pub fn seal(&self, nonce: &[u8; NONCE_LEN], aad: &[u8], message: &[u8]) -> Vec<u8> {
        XChaCha20Poly1305::new((&self.0).into())
            .encrypt(XNonce::from_slice(nonce), Payload { msg: message, aad })
            .expect("XChaCha20-Poly1305 seals any message shorter than 256 GiB")
    }

    /// Like [`SecretKey::seal`], sealing `buffer` where it is (the tag is appended): a large
    /// message, such as a snapshot, is not copied.
    pub fn seal_in_place(&self, nonce: &[u8; NONCE_LEN], aad: &[u8], buffer: &mut Vec<u8>) {
        XChaCha20Poly1305::new((&self.0).into())
            .encrypt_in_place(XNonce::from_slice(nonce), aad, buffer)
            .expect("XChaCha20-Poly1305 seals any message shorter than 256 GiB")
    }

    /// Opens what [`SecretKey::seal`] sealed with this key, nonce and `aad`; `None` when the
    /// key is wrong or any byte changed.
    pub fn open(&self, nonce: &[u8; NONCE_LEN], aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
        XChaCha20Poly1305::new((&self.0).into())
            .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad })
            .ok()
    }

    /// Like [`SecretKey::open`], opening `buffer` where it is: on success it holds the opened
    /// bytes (a large message, such as a snapshot, is not copied); on failure it is unchanged
    /// and `false` is answered.
    pub fn open_in_place(&self, nonce: &[u8; NONCE_LEN], aad: &[u8], buffer: &mut Vec<u8>) -> bool {
        XChaCha20Poly1305::new((&self.0).into())
            .decrypt_in_place(XNonce::from_slice(nonce), aad, buffer)
            .is_ok()
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// The nonce of the `index`-th identifying value sealed in event `event_id` for `client`:
/// unique as long as event ids are (they are ULIDs, and the log stores one event per id).
pub fn value_nonce(client: u128, event_id: u128, index: u32) -> [u8; NONCE_LEN] {
    let mut h = Sha256::new();
    h.update(b"caseledger pii nonce v1\0");
    h.update(client.to_be_bytes());
    h.update(event_id.to_be_bytes());
    h.update(index.to_be_bytes());
    let digest = h.finalize();
    let mut nonce = [0; NONCE_LEN];
    nonce.copy_from_slice(&digest[..NONCE_LEN]);
    nonce
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_opens_only_with_the_same_key_nonce_and_aad() {
        let key = SecretKey::from_bytes([7; 32]);
        let nonce = value_nonce(1, 2, 0);
        let sealed = key.seal(&nonce, b"client 1", b"Ana Lopez");
        assert_eq!(sealed.len(), 9 + TAG_LEN);
        assert!(!sealed.windows(3).any(|w| w == b"Ana"));
        assert_eq!(
            key.open(&nonce, b"client 1", &sealed).as_deref(),
            Some(&b"Ana Lopez"[..])
        );
        assert_eq!(key.open(&nonce, b"client 2", &sealed), None);
        assert_eq!(
            SecretKey::from_bytes([8; 32]).open(&nonce, b"client 1", &sealed),
            None
        );
        let mut tampered = sealed.clone();
        tampered[0] ^= 1;
        assert_eq!(key.open(&nonce, b"client 1", &tampered), None);
    }

    #[test]
    fn nonces_differ_by_client_event_and_index() {
        let base = value_nonce(1, 2, 0);
        assert_ne!(base, value_nonce(1, 2, 1));
        assert_ne!(base, value_nonce(1, 3, 0));
        assert_ne!(base, value_nonce(9, 2, 0));
        assert_eq!(base, value_nonce(1, 2, 0));
    }

    #[test]
    fn derived_keys_and_fingerprints_differ_and_hide_the_key() {
        let master = SecretKey::from_bytes([1; 32]);
        assert_ne!(master.derive("snapshot"), master);
        assert_ne!(master.derive("snapshot"), master.derive("other"));
        assert_eq!(master.fingerprint().len(), 32);
        assert_ne!(
            master.fingerprint(),
            SecretKey::from_bytes([2; 32]).fingerprint()
        );
        assert!(!format!("{master:?}").contains('1'));
    }
}
