//! One key record, as both key stores keep it: `[kind][id: 16][nonce: 24][wrapped key: 48]`.
//! Kind 1 is a client's data key sealed under the master key (bound to its client id), kind 2
//! a forgotten client (no key); kind 3 a disclosure record's own key (bound to the record's
//! event id: it seals the reason a user stated), kind 4 a destroyed one; kind 5 the query
//! digest key (id 0), the HMAC key of disclosure records' query digests.
//!
//! The shared key store keeps a record as a row: the kind with a key as its class, the id,
//! and the nonce and wrapped key as its sealed bytes (none once destroyed).

use std::collections::HashMap;

use caseledger_core::pii::KeyOwner;
use caseledger_core::pii::crypto::{KEY_LEN, NONCE_LEN, TAG_LEN};
use caseledger_core::{ClientId, EventId, SecretKey};

use super::error::KeyStoreError;

/// The bytes of one record.
pub(crate) const RECORD_LEN: usize = 1 + 16 + NONCE_LEN + KEY_LEN + TAG_LEN;
/// Where the sealed part (nonce and wrapped key) of a record starts.
const SEALED_AT: usize = 17;
const KIND_KEY: u8 = 1;
const KIND_FORGOTTEN: u8 = 2;
const KIND_DISCLOSURE_KEY: u8 = 3;
const KIND_DISCLOSURE_DESTROYED: u8 = 4;
const KIND_DIGEST_KEY: u8 = 5;
const WRAP_AAD: &[u8] = b"caseledger data key v1";
const WRAP_AAD_DISCLOSURE: &[u8] = b"caseledger disclosure key v1";
const WRAP_AAD_DIGEST: &[u8] = b"caseledger query digest key v1";

/// One record.
pub(crate) type Record = [u8; RECORD_LEN];

/// Bytes from the operating system's random source.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], KeyStoreError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| KeyStoreError::Corrupt {
        path: "the operating system's random source".into(),
        reason: e.to_string(),
    })?;
    Ok(bytes)
}

/// What one record holds a key for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Entry {
    /// A client's or a disclosure's key.
    Owner(KeyOwner),
    /// The query digest key.
    Digest,
}

impl Entry {
    /// The id stored, and the record kinds for a key and for its absence.
    fn layout(self) -> (u128, u8, u8) {
        match self {
            Entry::Owner(KeyOwner::Client(c)) => (c.as_u128(), KIND_KEY, KIND_FORGOTTEN),
            Entry::Owner(KeyOwner::Disclosure(e)) => {
                (e.as_u128(), KIND_DISCLOSURE_KEY, KIND_DISCLOSURE_DESTROYED)
            }
            Entry::Digest => (0, KIND_DIGEST_KEY, KIND_DIGEST_KEY),
        }
    }

    /// The class and id of the entry's row in the shared key store.
    pub(crate) fn row_key(self) -> (u8, u128) {
        let (id, kind, _) = self.layout();
        (kind, id)
    }

    /// The class of disclosure records' keys in the shared key store.
    pub(crate) const DISCLOSURE_CLASS: u8 = KIND_DISCLOSURE_KEY;

    /// The wrapped key is bound to its kind and id, so a record cannot be moved to another.
    fn wrap_aad(self) -> Vec<u8> {
        let (id, _, _) = self.layout();
        let mut aad = match self {
            Entry::Owner(KeyOwner::Client(_)) => WRAP_AAD.to_vec(),
            Entry::Owner(KeyOwner::Disclosure(_)) => WRAP_AAD_DISCLOSURE.to_vec(),
            Entry::Digest => WRAP_AAD_DIGEST.to_vec(),
        };
        aad.extend_from_slice(&id.to_be_bytes());
        aad
    }
}

/// The record of `entry`: `key` wrapped under `master` with a new nonce, or its absence.
pub(crate) fn record(
    master: &SecretKey,
    entry: Entry,
    key: Option<&SecretKey>,
) -> Result<Record, KeyStoreError> {
    let (id, kind_key, kind_gone) = entry.layout();
    let mut out = [0u8; RECORD_LEN];
    out[1..SEALED_AT].copy_from_slice(&id.to_be_bytes());
    match key {
        Some(key) => {
            out[0] = kind_key;
            let nonce: [u8; NONCE_LEN] = random_bytes()?;
            out[SEALED_AT..SEALED_AT + NONCE_LEN].copy_from_slice(&nonce);
            out[SEALED_AT + NONCE_LEN..].copy_from_slice(&master.seal(
                &nonce,
                &entry.wrap_aad(),
                key.as_bytes(),
            ));
        }
        None => out[0] = kind_gone,
    }
    Ok(out)
}

/// A record as a row of the shared key store: class, id and sealed bytes.
pub(crate) fn to_row(record: &Record) -> (u8, u128, Option<Vec<u8>>) {
    let id = u128::from_be_bytes(record[1..SEALED_AT].try_into().expect("16 bytes"));
    match record[0] {
        KIND_FORGOTTEN => (KIND_KEY, id, None),
        KIND_DISCLOSURE_DESTROYED => (KIND_DISCLOSURE_KEY, id, None),
        kind => (kind, id, Some(record[SEALED_AT..].to_vec())),
    }
}

/// The record a row of the shared key store holds; why not, when it is malformed.
pub(crate) fn from_row(class: u8, id: u128, sealed: Option<&[u8]>) -> Result<Record, String> {
    let mut out = [0u8; RECORD_LEN];
    out[1..SEALED_AT].copy_from_slice(&id.to_be_bytes());
    out[0] = match (class, sealed) {
        (KIND_KEY, None) => KIND_FORGOTTEN,
        (KIND_DISCLOSURE_KEY, None) => KIND_DISCLOSURE_DESTROYED,
        (KIND_KEY | KIND_DISCLOSURE_KEY | KIND_DIGEST_KEY, Some(sealed)) => {
            if sealed.len() != RECORD_LEN - SEALED_AT {
                return Err(format!(
                    "the key of class {class} is {} bytes",
                    sealed.len()
                ));
            }
            out[SEALED_AT..].copy_from_slice(sealed);
            class
        }
        (class, _) => return Err(format!("unknown key class {class}")),
    };
    Ok(out)
}

/// What `record` holds, its key unwrapped with `master`; why not, when it does not open.
pub(crate) fn open(
    master: &SecretKey,
    record: &Record,
) -> Result<(Entry, Option<SecretKey>), String> {
    let id = u128::from_be_bytes(record[1..SEALED_AT].try_into().expect("16 bytes"));
    let (entry, has_key) = match record[0] {
        KIND_KEY => (Entry::Owner(KeyOwner::Client(ClientId::new(id))), true),
        KIND_FORGOTTEN => (Entry::Owner(KeyOwner::Client(ClientId::new(id))), false),
        KIND_DISCLOSURE_KEY => (Entry::Owner(KeyOwner::Disclosure(EventId::new(id))), true),
        KIND_DISCLOSURE_DESTROYED => (Entry::Owner(KeyOwner::Disclosure(EventId::new(id))), false),
        KIND_DIGEST_KEY => (Entry::Digest, true),
        kind => return Err(format!("unknown kind {kind}")),
    };
    if !has_key {
        return Ok((entry, None));
    }
    let nonce: [u8; NONCE_LEN] = record[SEALED_AT..SEALED_AT + NONCE_LEN]
        .try_into()
        .expect("nonce");
    let key = master
        .open(&nonce, &entry.wrap_aad(), &record[SEALED_AT + NONCE_LEN..])
        .and_then(|k| <[u8; KEY_LEN]>::try_from(k.as_slice()).ok())
        .ok_or_else(|| "the wrapped key does not open".to_string())?;
    Ok((entry, Some(SecretKey::from_bytes(key))))
}

/// What a key store holds: the keys by owner (`None` forgotten or destroyed), and the query
/// digest key when it has one.
pub(crate) type Keys = (HashMap<KeyOwner, Option<SecretKey>>, Option<SecretKey>);

/// Opens `records` into the keys they hold; `Err((i, why))` names the first that does not.
pub(crate) fn open_all<'a>(
    master: &SecretKey,
    records: impl IntoIterator<Item = &'a Record>,
) -> Result<Keys, (usize, String)> {
    let mut keys = HashMap::new();
    let mut digest = None;
    for (i, r) in records.into_iter().enumerate() {
        let (entry, key) = open(master, r).map_err(|why| (i, why))?;
        match entry {
            // The first one written is the one digests were computed under.
            Entry::Digest => digest = digest.or(key),
            // Once forgotten (destroyed), always, whatever order the records are in.
            Entry::Owner(owner) => {
                let slot = keys.entry(owner).or_insert(key.clone());
                if key.is_none() {
                    *slot = None;
                }
            }
        }
    }
    Ok((keys, digest))
}

/// Whether `record` is the query digest key's.
pub(crate) fn is_digest(record: &Record) -> bool {
    record[0] == KIND_DIGEST_KEY
}
