//! The key store: each client's data key, wrapped under the master key, in one file of the data
//! directory, so that destroying a key (forgetting a client) is a rewrite of a small file
//! rather than a hope that sled compacts its segments.
//!
//! Files:
//! - the master key, 32 random bytes, `DATA/master.key` (created 0600 with a new data
//!   directory) or `CASELEDGER_MASTER_KEY_FILE`; never written anywhere else;
//! - `DATA/keys/client-keys`: `CLKEYS01`, the master key's fingerprint (32 hex bytes), then
//!   fixed 89-byte records `[kind][id: 16][nonce: 24][wrapped key: 48]` — kind 1 a client's data
//!   key sealed under the master key (bound to its client id), kind 2 a forgotten client (no
//!   key); kind 3 a disclosure record's own key (bound to the record's event id: it seals the
//!   reason a user stated), kind 4 a destroyed one; kind 5 the query digest key (id 0), the
//!   HMAC key of disclosure records' query digests.
//!
//! The query digest key is random and kept here, wrapped like a data key, rather than derived
//! from the master key afresh: rotating the master key re-wraps it, so digests written before a
//! rotation can still be checked after it.
//!
//! A new key is appended and synced before the event it seals is appended, so an acknowledged
//! event never lacks its key (a crash in between leaves an unused key). Forgetting and master
//! key rotation write a whole new file, sync it and rename it over the old one, so the old
//! wrapped key is in no file afterwards. Rotation renames the new master key into place
//! first; a crash between the two renames is finished on the next open (the new key file's
//! fingerprint names the new master key).

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

use caseledger_core::pii::KeyOwner;
use caseledger_core::pii::crypto::{KEY_LEN, NONCE_LEN, TAG_LEN};
use caseledger_core::{ClientId, EventId, KeyRing, SealError, SecretKey};

/// Environment variable naming the master key file.
pub const MASTER_KEY_FILE_ENV: &str = "CASELEDGER_MASTER_KEY_FILE";

const MAGIC: &[u8; 8] = b"CLKEYS01";
const HEADER_LEN: usize = 8 + 32;
const RECORD_LEN: usize = 1 + 16 + NONCE_LEN + KEY_LEN + TAG_LEN;
const KIND_KEY: u8 = 1;
const KIND_FORGOTTEN: u8 = 2;
const KIND_DISCLOSURE_KEY: u8 = 3;
const KIND_DISCLOSURE_DESTROYED: u8 = 4;
const KIND_DIGEST_KEY: u8 = 5;
const WRAP_AAD: &[u8] = b"caseledger data key v1";
const WRAP_AAD_DISCLOSURE: &[u8] = b"caseledger disclosure key v1";
const WRAP_AAD_DIGEST: &[u8] = b"caseledger query digest key v1";

/// Why the key store could not be opened or changed.
#[derive(Debug, thiserror::Error)]
pub enum KeyStoreError {
    /// The data directory holds data but the master key file is not there.
    #[error(
        "the master key {path} is missing, but {data} already holds data sealed under it; \
         restore the key file (or point CASELEDGER_MASTER_KEY_FILE at it)"
    )]
    MasterKeyMissing {
        /// Where the key was looked for.
        path: String,
        /// The data directory.
        data: String,
    },
    /// The master key is not the one the key store was written under.
    #[error(
        "the master key {path} (fingerprint {found}) is not the key this data directory's \
         client keys are sealed under (fingerprint {expected})"
    )]
    WrongMasterKey {
        /// The key file given.
        path: String,
        /// Its fingerprint.
        found: String,
        /// The fingerprint recorded in the key store.
        expected: String,
    },
    /// The log exists but the client key file does not: every identifier would read as erased.
    #[error(
        "{path} is missing, but the data directory holds a log: without it no identifying \
         value can be read; restore it from the backup taken with the log"
    )]
    KeyStoreMissing {
        /// The missing file.
        path: String,
    },
    /// A key file is malformed or a wrapped key does not open.
    #[error("{path}: {reason}")]
    Corrupt {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// Reading or writing a key file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyStoreError + '_ {
    move |source| KeyStoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Where the master key of `data_dir` is: `CASELEDGER_MASTER_KEY_FILE` or `DATA/master.key`.
pub fn master_key_path(data_dir: &Path) -> PathBuf {
    std::env::var_os(MASTER_KEY_FILE_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| data_dir.join("master.key"))
}

fn keys_path(data_dir: &Path) -> PathBuf {
    data_dir.join("keys").join("client-keys")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// 32 bytes from the operating system's random source.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], KeyStoreError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| KeyStoreError::Corrupt {
        path: "the operating system's random source".into(),
        reason: e.to_string(),
    })?;
    Ok(bytes)
}

fn read_master(path: &Path) -> Result<SecretKey, KeyStoreError> {
    let bytes = fs::read(path).map_err(io(path))?;
    let bytes: [u8; KEY_LEN] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| KeyStoreError::Corrupt {
            path: path.display().to_string(),
            reason: format!(
                "a master key is {KEY_LEN} bytes, this file has {}",
                bytes.len()
            ),
        })?;
    Ok(SecretKey::from_bytes(bytes))
}

/// Writes `bytes` to `path` through a synced temporary file and a rename (0600), then syncs the
/// directory: a crash leaves the old file or the new one.
fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), KeyStoreError> {
    let temp = with_suffix(path, ".tmp");
    write_new(&temp, bytes)?;
    fs::rename(&temp, path).map_err(io(path))?;
    sync_dir(path)
}

fn write_new(path: &Path, bytes: &[u8]) -> Result<(), KeyStoreError> {
    let mut f = caseledger_log_store::private::create_file(path).map_err(io(path))?;
    f.write_all(bytes).map_err(io(path))?;
    f.sync_all().map_err(io(path))
}

fn sync_dir(path: &Path) -> Result<(), KeyStoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

/// The client keys of one data directory, unwrapped in memory.
pub struct KeyStore {
    path: PathBuf,
    master: RwLock<SecretKey>,
    /// `None`: forgotten (a client) or destroyed (a disclosure's key).
    keys: RwLock<HashMap<KeyOwner, Option<SecretKey>>>,
    /// The HMAC key of query digests.
    digest: SecretKey,
    /// Appends new keys; held while a key is created or the file replaced.
    file: Mutex<File>,
    /// Generated fixtures only: new data keys derived from this instead of drawn at random.
    synthetic: Option<SecretKey>,
}

impl std::fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyStore")
            .field("path", &self.path)
            .finish()
    }
}

impl KeyStore {
    /// Opens the key store of `data_dir` with the master key at `master_path`. A data
    /// directory without a log gets a new master key (unless one is there) and an empty key
    /// store; one with a log must have both, matching. Call before the log is opened, so a
    /// refusal writes nothing.
    pub fn open(data_dir: &Path, master_path: &Path) -> Result<KeyStore, KeyStoreError> {
        Self::open_for(data_dir, master_path, data_dir.join("db").exists())
    }

    /// [`KeyStore::open`] for a log kept elsewhere (a shared log): `has_log` says whether
    /// that log holds events, which then need this key store and its master key.
    pub fn open_for(
        data_dir: &Path,
        master_path: &Path,
        has_log: bool,
    ) -> Result<KeyStore, KeyStoreError> {
        let path = keys_path(data_dir);
        finish_rotation(&path, master_path)?;
        let master = match read_master(master_path) {
            Ok(key) => key,
            Err(KeyStoreError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                if has_log || path.exists() {
                    return Err(KeyStoreError::MasterKeyMissing {
                        path: master_path.display().to_string(),
                        data: data_dir.display().to_string(),
                    });
                }
                let key = SecretKey::from_bytes(random_bytes()?);
                if let Some(dir) = master_path.parent() {
                    // Made 0700 if missing; an existing one may be the operator's (/etc/...)
                    // and keeps its mode.
                    std::fs::DirBuilder::new()
                        .recursive(true)
                        .mode(0o700)
                        .create(dir)
                        .map_err(io(dir))?;
                }
                write_new(master_path, key.as_bytes())?;
                sync_dir(master_path)?;
                tracing::info!(path = %master_path.display(), fingerprint = %key.fingerprint(), "master key created");
                key
            }
            Err(e) => return Err(e),
        };
        let (keys, digest) = match fs::read(&path) {
            Ok(bytes) => {
                let keys = parse(&path, &bytes, &master).map_err(|e| match e {
                    KeyStoreError::WrongMasterKey {
                        found, expected, ..
                    } => KeyStoreError::WrongMasterKey {
                        path: master_path.display().to_string(),
                        found,
                        expected,
                    },
                    e => e,
                })?;
                let whole = HEADER_LEN + (bytes.len() - HEADER_LEN) / RECORD_LEN * RECORD_LEN;
                if whole != bytes.len() {
                    let f = OpenOptions::new()
                        .write(true)
                        .open(&path)
                        .map_err(io(&path))?;
                    f.set_len(whole as u64)
                        .and_then(|()| f.sync_all())
                        .map_err(io(&path))?;
                    tracing::warn!(path = %path.display(), "dropped a key record torn by a crash");
                }
                keys
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if has_log {
                    return Err(KeyStoreError::KeyStoreMissing {
                        path: path.display().to_string(),
                    });
                }
                let dir = path.parent().expect("keys path has a parent");
                caseledger_log_store::private::create_dir(dir).map_err(io(dir))?;
                replace_file(&path, &header(&master))?;
                (HashMap::new(), None)
            }
            Err(e) => return Err(io(&path)(e)),
        };
        let mut file = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(io(&path))?;
        let digest = match digest {
            Some(key) => key,
            None => {
                // A new key store, or one written before query digests were keyed: the key is
                // on disk before any digest is computed with it.
                let key = SecretKey::from_bytes(random_bytes()?);
                let bytes = record(&master, Entry::Digest, Some(&key))?;
                file.write_all(&bytes)
                    .and_then(|()| file.sync_data())
                    .map_err(io(&path))?;
                key
            }
        };
        Ok(KeyStore {
            path,
            master: RwLock::new(master),
            keys: RwLock::new(keys),
            digest,
            file: Mutex::new(file),
            synthetic: None,
        })
    }

    /// For generated fixtures only: new data keys are derived from `seed` and the client id, so
    /// the same generator run writes the same log byte for byte. Anyone knowing the seed can
    /// derive the keys — never for real clients.
    pub fn with_synthetic_seed(mut self, seed: u64) -> Self {
        self.synthetic = Some(
            SecretKey::from_bytes([0; KEY_LEN]).derive(&format!("synthetic data keys {seed}")),
        );
        self
    }

    /// The master key's fingerprint (safe to print).
    pub fn fingerprint(&self) -> String {
        self.master().fingerprint()
    }

    fn master(&self) -> SecretKey {
        self.master.read().expect("master key lock").clone()
    }

    /// The key read-model snapshots are sealed with (derived from the master key).
    pub fn snapshot_key(&self) -> SecretKey {
        self.master().derive("read-model snapshots v1")
    }

    /// How many clients have a key, and how many were forgotten.
    pub fn counts(&self) -> (usize, usize) {
        let keys = self.keys.read().expect("key store lock");
        let clients = || {
            keys.iter()
                .filter(|(o, _)| matches!(o, KeyOwner::Client(_)))
        };
        let live = clients().filter(|(_, k)| k.is_some()).count();
        (live, clients().count() - live)
    }

    /// The key query digests are computed under (see [`crate::digest`]).
    pub fn query_digest_key(&self) -> &SecretKey {
        &self.digest
    }

    /// Whether `client`'s key is destroyed already (forgotten).
    pub fn is_forgotten(&self, client: ClientId) -> bool {
        self.keys
            .read()
            .expect("key store lock")
            .get(&KeyOwner::Client(client))
            == Some(&None)
    }

    /// The disclosure records with a live key of their own whose event id was made before
    /// `cutoff_ms` (milliseconds since the Unix epoch: event ids are ULIDs, which carry the time
    /// they were made), for the retention rule.
    pub fn disclosure_keys_made_before(&self, cutoff_ms: u64) -> Vec<EventId> {
        let keys = self.keys.read().expect("key store lock");
        let mut out: Vec<EventId> = keys
            .iter()
            .filter_map(|(owner, key)| match (owner, key) {
                (KeyOwner::Disclosure(e), Some(_)) => Some(*e),
                _ => None,
            })
            .filter(|e| e.as_ulid().timestamp_ms() < cutoff_ms)
            .collect();
        out.sort();
        out
    }

    /// Copies the key file to `to` (0600) while no key is being added or destroyed, so the
    /// copy holds whole records only: a backup's consistent read of the key store.
    pub fn copy_to(&self, to: &Path) -> Result<u64, std::io::Error> {
        let _no_writer = self.file.lock().expect("key file lock");
        let bytes = std::fs::read(&self.path)?;
        let mut out = caseledger_log_store::private::create_file(to)?;
        std::io::Write::write_all(&mut out, &bytes)?;
        out.sync_all()?;
        Ok(bytes.len() as u64)
    }

    /// Destroys the keys of `owners`: their values read as erased from now on, and the key
    /// file is rewritten without them, all in one rewrite. Clients already forgotten are
    /// skipped; a client without a key is marked forgotten, so none is made later; a disclosure
    /// record without a key of its own (nothing sealed under one) is skipped.
    pub fn forget(&self, owners: &[KeyOwner]) -> Result<(), KeyStoreError> {
        let mut file = self.file.lock().expect("key file lock");
        let mut keys = self.keys.write().expect("key store lock");
        let mut changed = false;
        for owner in owners {
            if matches!(owner, KeyOwner::Disclosure(_)) && !keys.contains_key(owner) {
                continue;
            }
            if keys.insert(*owner, None) != Some(None) {
                changed = true;
            }
        }
        if changed {
            *file = self.rewrite(&keys, &self.master(), &self.path)?;
        }
        Ok(())
    }

    /// Writes every key wrapped under `master` to `path` (replacing it), returning an append
    /// handle on the new file.
    fn rewrite(
        &self,
        keys: &HashMap<KeyOwner, Option<SecretKey>>,
        master: &SecretKey,
        path: &Path,
    ) -> Result<File, KeyStoreError> {
        let mut bytes = header(master);
        bytes.reserve((keys.len() + 1) * RECORD_LEN);
        bytes.extend_from_slice(&record(master, Entry::Digest, Some(&self.digest))?);
        let mut owners: Vec<_> = keys.iter().collect();
        owners.sort_by_key(|(o, _)| **o);
        for (owner, key) in owners {
            bytes.extend_from_slice(&record(master, Entry::Owner(*owner), key.as_ref())?);
        }
        replace_file(path, &bytes)?;
        OpenOptions::new().append(true).open(path).map_err(io(path))
    }

    /// Re-wraps every client key under a new random master key, which replaces the master key
    /// file at `master_path`; the log is not touched. Returns the new key's fingerprint.
    pub fn rotate(&self, master_path: &Path) -> Result<String, KeyStoreError> {
        let mut file = self.file.lock().expect("key file lock");
        let new_master = SecretKey::from_bytes(random_bytes()?);
        let staged_keys = with_suffix(&self.path, ".new");
        let staged_master = with_suffix(master_path, ".new");
        let staged = {
            let keys = self.keys.read().expect("key store lock");
            self.rewrite(&keys, &new_master, &staged_keys)?
        };
        drop(staged);
        write_new(&staged_master, new_master.as_bytes())?;
        fs::rename(&staged_master, master_path).map_err(io(master_path))?;
        sync_dir(master_path)?;
        fs::rename(&staged_keys, &self.path).map_err(io(&self.path))?;
        sync_dir(&self.path)?;
        *file = OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(io(&self.path))?;
        let fingerprint = new_master.fingerprint();
        *self.master.write().expect("master key lock") = new_master;
        tracing::info!(%fingerprint, "master key rotated");
        Ok(fingerprint)
    }
}

impl KeyStore {
    /// Creates the data keys of every client in `clients` that has none yet, with one write and
    /// one `fdatasync` for all of them (a bulk append — an import, the generator — would
    /// otherwise pay a sync per new client). Forgotten clients are left forgotten.
    pub fn create_keys(&self, clients: &[ClientId]) -> Result<(), KeyStoreError> {
        let missing = |c: &ClientId| {
            !(self.keys.read().expect("key store lock")).contains_key(&KeyOwner::Client(*c))
        };
        if !clients.iter().any(missing) {
            return Ok(());
        }
        let mut file = self.file.lock().expect("key file lock");
        let mut bytes = Vec::new();
        let mut created = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for client in clients.iter().copied().filter(missing) {
            if !seen.insert(client) {
                continue;
            }
            let key = match &self.synthetic {
                Some(seed) => seed.derive(&client.to_string()),
                None => SecretKey::from_bytes(random_bytes()?),
            };
            bytes.extend_from_slice(&record(
                &self.master(),
                Entry::Owner(KeyOwner::Client(client)),
                Some(&key),
            )?);
            created.push((client, key));
        }
        file.write_all(&bytes)
            .and_then(|()| file.sync_data())
            .map_err(|source| KeyStoreError::Io {
                path: self.path.display().to_string(),
                source,
            })?;
        let mut keys = self.keys.write().expect("key store lock");
        for (client, key) in created {
            keys.insert(KeyOwner::Client(client), Some(key));
        }
        Ok(())
    }
}

impl KeyRing for KeyStore {
    fn opening_key(&self, owner: KeyOwner) -> Option<SecretKey> {
        self.keys
            .read()
            .expect("key store lock")
            .get(&owner)
            .cloned()
            .flatten()
    }

    fn sealing_key(&self, owner: KeyOwner) -> Result<SecretKey, SealError> {
        let gone = || match owner {
            KeyOwner::Client(c) => SealError::Forgotten(c),
            KeyOwner::Disclosure(e) => SealError::DisclosureKeyDestroyed(e),
        };
        if let Some(found) = self.keys.read().expect("key store lock").get(&owner) {
            return found.clone().ok_or_else(gone);
        }
        let mut file = self.file.lock().expect("key file lock");
        if let Some(found) = self.keys.read().expect("key store lock").get(&owner) {
            return found.clone().ok_or_else(gone);
        }
        let fail = |e: KeyStoreError| SealError::KeyStore(e.to_string());
        let key = match (&self.synthetic, owner) {
            (Some(seed), KeyOwner::Client(client)) => seed.derive(&client.to_string()),
            _ => SecretKey::from_bytes(random_bytes().map_err(fail)?),
        };
        let bytes = record(&self.master(), Entry::Owner(owner), Some(&key)).map_err(fail)?;
        file.write_all(&bytes)
            .and_then(|()| file.sync_data())
            .map_err(|e| fail(io(&self.path)(e)))?;
        self.keys
            .write()
            .expect("key store lock")
            .insert(owner, Some(key.clone()));
        Ok(key)
    }
}

fn header(master: &SecretKey) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(HEADER_LEN);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(master.fingerprint().as_bytes());
    bytes
}

/// What one record of the key file holds a key for.
#[derive(Clone, Copy)]
enum Entry {
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

fn record(
    master: &SecretKey,
    entry: Entry,
    key: Option<&SecretKey>,
) -> Result<[u8; RECORD_LEN], KeyStoreError> {
    let (id, kind_key, kind_gone) = entry.layout();
    let mut out = [0u8; RECORD_LEN];
    out[1..17].copy_from_slice(&id.to_be_bytes());
    match key {
        Some(key) => {
            out[0] = kind_key;
            let nonce: [u8; NONCE_LEN] = random_bytes()?;
            out[17..17 + NONCE_LEN].copy_from_slice(&nonce);
            out[17 + NONCE_LEN..].copy_from_slice(&master.seal(
                &nonce,
                &entry.wrap_aad(),
                key.as_bytes(),
            ));
        }
        None => out[0] = kind_gone,
    }
    Ok(out)
}

/// What a key file holds: the keys by owner, and the query digest key when it has one.
type Parsed = (HashMap<KeyOwner, Option<SecretKey>>, Option<SecretKey>);

fn parse(path: &Path, bytes: &[u8], master: &SecretKey) -> Result<Parsed, KeyStoreError> {
    let corrupt = |reason: String| KeyStoreError::Corrupt {
        path: path.display().to_string(),
        reason,
    };
    let (head, body) = bytes
        .split_at_checked(HEADER_LEN)
        .ok_or_else(|| corrupt("truncated header".into()))?;
    if &head[..8] != MAGIC {
        return Err(corrupt("not a caseledger client key file".into()));
    }
    let expected = String::from_utf8_lossy(&head[8..]).into_owned();
    if expected != master.fingerprint() {
        return Err(KeyStoreError::WrongMasterKey {
            path: String::new(),
            found: master.fingerprint(),
            expected,
        });
    }
    // A torn last record is a key that was being created when the process died: no event
    // was sealed with it, so it is dropped.
    let whole = body.len() / RECORD_LEN * RECORD_LEN;
    let mut keys = HashMap::with_capacity(whole / RECORD_LEN);
    let mut digest = None;
    for (i, r) in body[..whole].chunks_exact(RECORD_LEN).enumerate() {
        let id = u128::from_be_bytes(r[1..17].try_into().expect("16 bytes"));
        let (entry, has_key) = match r[0] {
            KIND_KEY => (Entry::Owner(KeyOwner::Client(ClientId::new(id))), true),
            KIND_FORGOTTEN => (Entry::Owner(KeyOwner::Client(ClientId::new(id))), false),
            KIND_DISCLOSURE_KEY => (Entry::Owner(KeyOwner::Disclosure(EventId::new(id))), true),
            KIND_DISCLOSURE_DESTROYED => {
                (Entry::Owner(KeyOwner::Disclosure(EventId::new(id))), false)
            }
            KIND_DIGEST_KEY => (Entry::Digest, true),
            kind => return Err(corrupt(format!("record {i}: unknown kind {kind}"))),
        };
        let key = if has_key {
            let nonce: [u8; NONCE_LEN] = r[17..17 + NONCE_LEN].try_into().expect("nonce");
            let key = master
                .open(&nonce, &entry.wrap_aad(), &r[17 + NONCE_LEN..])
                .and_then(|k| <[u8; KEY_LEN]>::try_from(k.as_slice()).ok())
                .ok_or_else(|| corrupt(format!("record {i}: the wrapped key does not open")))?;
            Some(SecretKey::from_bytes(key))
        } else {
            None
        };
        let owner = match entry {
            Entry::Digest => {
                // The first one written is the one digests were computed under.
                digest = digest.or(key);
                continue;
            }
            Entry::Owner(owner) => owner,
        };
        // Once forgotten (destroyed), always, whatever order the records are in.
        let slot = keys.entry(owner).or_insert(key.clone());
        if key.is_none() {
            *slot = None;
        }
    }
    Ok((keys, digest))
}

/// Finishes (or discards) a master key rotation a crash interrupted.
fn finish_rotation(keys: &Path, master_path: &Path) -> Result<(), KeyStoreError> {
    let staged_keys = with_suffix(keys, ".new");
    let staged_master = with_suffix(master_path, ".new");
    if staged_keys.exists() {
        let staged = fs::read(&staged_keys).map_err(io(&staged_keys))?;
        let master = read_master(master_path).ok();
        let renamed_master = master.is_some_and(|m| {
            staged.len() >= HEADER_LEN && staged[8..HEADER_LEN] == *m.fingerprint().as_bytes()
        });
        if renamed_master {
            fs::rename(&staged_keys, keys).map_err(io(keys))?;
            sync_dir(keys)?;
            tracing::warn!("finished a master key rotation interrupted by a crash");
        } else {
            fs::remove_file(&staged_keys).map_err(io(&staged_keys))?;
        }
    }
    if staged_master.exists() {
        fs::remove_file(&staged_master).map_err(io(&staged_master))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(n: u128) -> ClientId {
        ClientId::new(n)
    }

    #[test]
    fn keys_survive_reopen_and_forgetting_removes_the_wrapped_key_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let master = dir.path().join("master.key");
        let store = KeyStore::open(dir.path(), &master).unwrap();
        let a = store.sealing_key(client(1).into()).unwrap();
        let b = store.sealing_key(client(2).into()).unwrap();
        assert_eq!(store.sealing_key(client(1).into()).unwrap(), a);
        let file = keys_path(dir.path());
        let before = fs::read(&file).unwrap();
        let wrapped_a = before[HEADER_LEN + 17 + NONCE_LEN..HEADER_LEN + RECORD_LEN].to_vec();
        drop(store);

        let store = KeyStore::open(dir.path(), &master).unwrap();
        assert_eq!(store.opening_key(client(1).into()), Some(a.clone()));
        store.forget(&[client(1).into()]).unwrap();
        assert_eq!(store.opening_key(client(1).into()), None);
        assert_eq!(
            store.sealing_key(client(1).into()),
            Err(SealError::Forgotten(client(1)))
        );
        let after = fs::read(&file).unwrap();
        assert!(!after.windows(wrapped_a.len()).any(|w| w == wrapped_a));
        drop(store);

        let store = KeyStore::open(dir.path(), &master).unwrap();
        assert_eq!(store.opening_key(client(1).into()), None);
        assert_eq!(store.opening_key(client(2).into()), Some(b));
        assert_eq!(store.counts(), (1, 1));
    }

    #[test]
    fn a_wrong_or_missing_master_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let master = dir.path().join("master.key");
        KeyStore::open(dir.path(), &master)
            .unwrap()
            .sealing_key(client(1).into())
            .unwrap();
        let other = dir.path().join("other.key");
        fs::write(&other, [9u8; 32]).unwrap();
        assert!(matches!(
            KeyStore::open(dir.path(), &other),
            Err(KeyStoreError::WrongMasterKey { .. })
        ));
        let missing = dir.path().join("missing.key");
        assert!(matches!(
            KeyStore::open(dir.path(), &missing),
            Err(KeyStoreError::MasterKeyMissing { .. })
        ));
        assert!(!missing.exists(), "a refused open writes no key");
    }

    #[test]
    fn rotation_keeps_every_key_and_an_interrupted_rotation_finishes_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let master = dir.path().join("master.key");
        let store = KeyStore::open(dir.path(), &master).unwrap();
        let a = store.sealing_key(client(1).into()).unwrap();
        store.forget(&[client(2).into()]).unwrap();
        let old = fs::read(&master).unwrap();
        let fingerprint = store.rotate(&master).unwrap();
        assert_ne!(fs::read(&master).unwrap(), old);
        drop(store);
        let store = KeyStore::open(dir.path(), &master).unwrap();
        assert_eq!(store.fingerprint(), fingerprint);
        assert_eq!(store.opening_key(client(1).into()), Some(a.clone()));
        assert_eq!(store.counts(), (1, 1));

        // A crash after the new master key was renamed into place but before the key file was.
        let keys = keys_path(dir.path());
        let new_master = SecretKey::from_bytes([5; 32]);
        let map = store.keys.read().unwrap().clone();
        store
            .rewrite(&map, &new_master, &with_suffix(&keys, ".new"))
            .unwrap();
        drop(store);
        fs::write(&master, new_master.as_bytes()).unwrap();
        let store = KeyStore::open(dir.path(), &master).unwrap();
        assert_eq!(store.opening_key(client(1).into()), Some(a));
        assert!(!with_suffix(&keys, ".new").exists());
    }

    #[test]
    fn a_torn_last_record_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let master = dir.path().join("master.key");
        let store = KeyStore::open(dir.path(), &master).unwrap();
        let a = store.sealing_key(client(1).into()).unwrap();
        drop(store);
        let file = keys_path(dir.path());
        let mut f = OpenOptions::new().append(true).open(&file).unwrap();
        f.write_all(&[KIND_KEY, 0, 0, 0]).unwrap();
        let store = KeyStore::open(dir.path(), &master).unwrap();
        assert_eq!(store.opening_key(client(1).into()), Some(a.clone()));
        let b = store.sealing_key(client(2).into()).unwrap();
        drop(store);
        let store = KeyStore::open(dir.path(), &master).unwrap();
        assert_eq!(store.opening_key(client(1).into()), Some(a));
        assert_eq!(store.opening_key(client(2).into()), Some(b));
    }
}

#[cfg(test)]
mod disclosure_key_tests {
    use super::*;

    #[test]
    fn disclosure_keys_are_kept_apart_destroyed_with_forgetting_and_survive_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let master = dir.path().join("master.key");
        let store = KeyStore::open(dir.path(), &master).unwrap();
        let digest = store.query_digest_key().clone();
        // The same raw id as a client and as a disclosure: two keys.
        let client = KeyOwner::Client(ClientId::new(7));
        let disclosure = KeyOwner::Disclosure(EventId::new(7));
        let c = store.sealing_key(client).unwrap();
        let d = store.sealing_key(disclosure).unwrap();
        assert_ne!(c, d);
        assert_eq!(store.counts(), (1, 0), "counts are of clients");
        // A disclosure without a key of its own leaves no record when "destroyed".
        let before = fs::read(keys_path(dir.path())).unwrap().len();
        store
            .forget(&[KeyOwner::Disclosure(EventId::new(99))])
            .unwrap();
        assert_eq!(fs::read(keys_path(dir.path())).unwrap().len(), before);
        store.rotate(&master).unwrap();
        drop(store);

        let store = KeyStore::open(dir.path(), &master).unwrap();
        assert_eq!(
            store.query_digest_key(),
            &digest,
            "rotation keeps the digest key"
        );
        assert_eq!(store.opening_key(disclosure), Some(d.clone()));
        store.forget(&[disclosure]).unwrap();
        assert_eq!(store.opening_key(disclosure), None);
        assert_eq!(store.opening_key(client), Some(c));
        assert_eq!(
            store.sealing_key(disclosure),
            Err(SealError::DisclosureKeyDestroyed(EventId::new(7)))
        );
        let file = fs::read(keys_path(dir.path())).unwrap();
        assert!(!file.windows(KEY_LEN).any(|w| w == d.as_bytes()));
        drop(store);
        let store = KeyStore::open(dir.path(), &master).unwrap();
        assert_eq!(store.opening_key(disclosure), None);
        assert_eq!(store.query_digest_key(), &digest);
    }

    #[test]
    fn disclosure_keys_made_before_a_date_are_listed_for_retention() {
        let dir = tempfile::tempdir().unwrap();
        let store = KeyStore::open(dir.path(), &dir.path().join("master.key")).unwrap();
        let old = EventId::from_ulid(ulid::Ulid::from_parts(1_000, 1));
        let new = EventId::from_ulid(ulid::Ulid::from_parts(5_000, 1));
        store.sealing_key(KeyOwner::Disclosure(old)).unwrap();
        store.sealing_key(KeyOwner::Disclosure(new)).unwrap();
        store
            .sealing_key(KeyOwner::Client(ClientId::new(1)))
            .unwrap();
        assert_eq!(store.disclosure_keys_made_before(2_000), vec![old]);
        store.forget(&[KeyOwner::Disclosure(old)]).unwrap();
        assert!(store.disclosure_keys_made_before(2_000).is_empty());
    }
}
