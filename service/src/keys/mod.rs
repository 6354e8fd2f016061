//! The key store: each client's data key, wrapped under the master key, kept apart from the
//! log, so that destroying a key (forgetting a client) is a rewrite of a small file or table
//! rather than a hope that the log's store compacts its segments.
//!
//! Where the keys are kept:
//! - one machine: a file of the data directory ([`file`]);
//! - a shared log on PostgreSQL: a table next to the log, which every node reads and writes
//!   ([`shared`]; ARCHITECTURE.md "Keys on PostgreSQL").
//!
//! The master key, 32 random bytes, is a file: `DATA/master.key` (created 0600 with a new data
//! directory) or `CASELEDGER_MASTER_KEY_FILE`; never written anywhere else. Every node of a
//! shared log needs the same one.
//!
//! The query digest key is random and kept with the client keys, wrapped like a data key,
//! rather than derived from the master key afresh: rotating the master key re-wraps it, so
//! digests written before a rotation can still be checked after it.
//!
//! A new key is stored durably before the event it seals is appended, so an acknowledged event
//! never lacks its key (a crash in between leaves an unused key).

mod error;
mod file;
mod master;
mod record;
mod shared;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};

use caseledger_core::pii::KeyOwner;
use caseledger_core::pii::crypto::KEY_LEN;
use caseledger_core::{ClientId, EventId, KeyRing, SealError, SecretKey};

pub use error::KeyStoreError;
pub use master::{MASTER_KEY_FILE_ENV, master_key_path};
pub(crate) use record::random_bytes;

use file::KeyFile;
use record::{Entry, Record};
use shared::SharedKeys;

/// Where a key store keeps its keys.
enum Storage {
    /// The data directory's key file.
    File(KeyFile),
    /// The table next to a shared log (boxed: its connection settings are large).
    Shared(Box<SharedKeys>),
}

/// The client keys of one data directory (or of every node of a shared log), unwrapped in
/// memory.
pub struct KeyStore {
    master: RwLock<SecretKey>,
    /// `None`: forgotten (a client) or destroyed (a disclosure's key).
    keys: RwLock<HashMap<KeyOwner, Option<SecretKey>>>,
    /// The HMAC key of query digests.
    digest: SecretKey,
    storage: Storage,
    /// Held while a key is created or destroyed, or the master key replaced.
    writing: Mutex<()>,
    /// Generated fixtures only: new data keys derived from this instead of drawn at random.
    synthetic: Option<SecretKey>,
    /// How many key fetches from the shared store failed, and why the last did.
    fetch_failures: AtomicU64,
    last_fetch_failure: Mutex<Option<String>>,
}

/// A mark in the count of failed key fetches ([`KeyStore::fetch_mark`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchMark(u64);

impl std::fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyStore")
            .field("shared", &self.is_shared())
            .finish_non_exhaustive()
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

    /// [`KeyStore::open`] for a log kept elsewhere, with the keys still in the data directory:
    /// `has_log` says whether that log holds events, which then need this key store and its
    /// master key.
    pub fn open_for(
        data_dir: &Path,
        master_path: &Path,
        has_log: bool,
    ) -> Result<KeyStore, KeyStoreError> {
        let (file, opened) = KeyFile::open(data_dir, master_path, has_log)?;
        Ok(Self::new(Storage::File(file), opened))
    }

    /// Opens the key store shared by every node of a PostgreSQL log, in its key `table`, with
    /// the master key at `master_path` (every node's the same). `has_log` says whether the log
    /// holds events. The first open makes the store — from `data_dir`'s key file when there is
    /// one (a data directory moved onto the shared log), which is then removed — and a node
    /// whose master key is not the store's is refused.
    pub fn open_shared(
        data_dir: &Path,
        master_path: &Path,
        table: caseledger_log_postgres::keys::KeyTable,
        has_log: bool,
    ) -> Result<KeyStore, KeyStoreError> {
        let (shared, opened) = SharedKeys::open(data_dir, master_path, table, has_log)?;
        Ok(Self::new(Storage::Shared(Box::new(shared)), opened))
    }

    fn new(storage: Storage, (master, keys, digest): file::Opened) -> KeyStore {
        KeyStore {
            master: RwLock::new(master),
            keys: RwLock::new(keys),
            digest,
            storage,
            writing: Mutex::new(()),
            synthetic: None,
            fetch_failures: AtomicU64::new(0),
            last_fetch_failure: Mutex::new(None),
        }
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

    /// Whether the keys are the shared store of a PostgreSQL log.
    pub fn is_shared(&self) -> bool {
        matches!(self.storage, Storage::Shared(_))
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

    /// How many clients have a key, and how many were forgotten (of those this node holds:
    /// every one at start).
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
    pub fn disclosure_keys_made_before(
        &self,
        cutoff_ms: u64,
    ) -> Result<Vec<EventId>, KeyStoreError> {
        if let Storage::Shared(shared) = &self.storage {
            let ids = shared.disclosures_before(cutoff_ms)?;
            return Ok(ids.into_iter().map(EventId::new).collect());
        }
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
        Ok(out)
    }

    /// Writes every key to `to` as a key file (0600) while no key is being added or destroyed,
    /// so the copy holds whole records only: a backup's consistent read of the key store.
    pub fn copy_to(&self, to: &Path) -> Result<u64, std::io::Error> {
        match &self.storage {
            Storage::File(file) => file.copy_to(to),
            Storage::Shared(shared) => {
                let _no_writer = self.writing.lock().expect("key writer lock");
                shared
                    .export(&self.master(), to)
                    .map_err(std::io::Error::other)
            }
        }
    }

    /// Writes every key into `data_dir`'s key file, for a data directory that serves its own
    /// log from now on (`caseledger log migrate --from`).
    pub fn write_key_file(&self, data_dir: &Path) -> Result<PathBuf, KeyStoreError> {
        let path = file::path_in(data_dir);
        let dir = path.parent().expect("keys path has a parent");
        caseledger_log_store::private::create_dir(dir).map_err(error::io(dir))?;
        self.copy_to(&path).map_err(error::io(&path))?;
        Ok(path)
    }

    /// Every key held, as records sealed under `master`: the digest key first, then by owner.
    fn records(
        &self,
        keys: &HashMap<KeyOwner, Option<SecretKey>>,
        master: &SecretKey,
    ) -> Result<Vec<Record>, KeyStoreError> {
        let mut records = Vec::with_capacity(keys.len() + 1);
        records.push(record::record(master, Entry::Digest, Some(&self.digest))?);
        let mut owners: Vec<_> = keys.iter().collect();
        owners.sort_by_key(|(o, _)| **o);
        for (owner, key) in owners {
            records.push(record::record(master, Entry::Owner(*owner), key.as_ref())?);
        }
        Ok(records)
    }

    /// Destroys the keys of `owners`: their values read as erased from now on, and the key
    /// store is rewritten without them, all in one rewrite. Clients already forgotten are
    /// skipped; a client without a key is marked forgotten, so none is made later; a disclosure
    /// record without a key of its own (nothing sealed under one) is skipped.
    pub fn forget(&self, owners: &[KeyOwner]) -> Result<(), KeyStoreError> {
        let _writing = self.writing.lock().expect("key writer lock");
        let mut keys = self.keys.write().expect("key store lock");
        let mut changed = false;
        for owner in owners {
            // The shared store may hold a disclosure's key this node never saw.
            if matches!(owner, KeyOwner::Disclosure(_))
                && !keys.contains_key(owner)
                && !self.is_shared()
            {
                continue;
            }
            if keys.insert(*owner, None) != Some(None) {
                changed = true;
            }
        }
        match &self.storage {
            Storage::File(file) if changed => {
                let master = self.master();
                file.rewrite(&master, &self.records(&keys, &master)?)
            }
            Storage::File(_) => Ok(()),
            // Every owner, changed here or not: another node may have missed one. Reads need
            // not wait for the table's rewrite.
            Storage::Shared(shared) => {
                drop(keys);
                shared.destroy(owners)
            }
        }
    }

    /// Marks `clients` forgotten in memory only, after another node forgot them (its fold of
    /// the forgetting event): their keys and every disclosure key held go from this node's
    /// memory (disclosure keys are fetched again as needed, finding the destroyed ones gone).
    /// The node that forgot them destroys them in the shared store. A key file store does
    /// nothing: its node is the one that forgot.
    pub fn evict_forgotten(&self, clients: &[ClientId]) {
        if !self.is_shared() || clients.is_empty() {
            return;
        }
        let mut keys = self.keys.write().expect("key store lock");
        keys.retain(|owner, _| matches!(owner, KeyOwner::Client(_)));
        for client in clients {
            keys.insert(KeyOwner::Client(*client), None);
        }
    }

    /// Re-wraps every client key under a new random master key, which replaces the master key
    /// file at `master_path`; the log is not touched. A shared store refuses while any node
    /// serves ([`KeyStoreError::InUse`]). Returns the new key's fingerprint.
    pub fn rotate(&self, master_path: &Path) -> Result<String, KeyStoreError> {
        let _writing = self.writing.lock().expect("key writer lock");
        let new_master = SecretKey::from_bytes(random_bytes()?);
        let old = self.master();
        match &self.storage {
            Storage::File(file) => {
                let records = {
                    let keys = self.keys.read().expect("key store lock");
                    self.records(&keys, &new_master)?
                };
                file.rotate(master_path, &new_master, &records)?;
            }
            Storage::Shared(shared) => shared.rotate(master_path, &old, &new_master)?,
        }
        let fingerprint = new_master.fingerprint();
        *self.master.write().expect("master key lock") = new_master;
        tracing::info!(%fingerprint, "master key rotated");
        Ok(fingerprint)
    }

    /// While serving: a shared store is marked in use, so that no node rotates the master key
    /// under the others. Nothing for a key file (the data directory is this process's).
    pub fn hold_while_serving(&self) {
        if let Storage::Shared(shared) = &self.storage {
            shared.hold();
        }
    }

    /// Ends [`KeyStore::hold_while_serving`].
    pub fn release(&self) {
        if let Storage::Shared(shared) = &self.storage {
            shared.release();
        }
    }

    /// A mark to check reads against with [`KeyStore::fetch_failed_since`].
    pub fn fetch_mark(&self) -> FetchMark {
        FetchMark(self.fetch_failures.load(Ordering::Acquire))
    }

    /// Why a key fetch from the shared store failed since `mark`, if one did: a value whose key
    /// could not be fetched read as erased, so whatever was built from reads since the mark
    /// must be built again. (A failure on another thread counts too: a needless retry is
    /// cheap, a missed one is not.)
    pub fn fetch_failed_since(&self, mark: FetchMark) -> Option<KeyStoreError> {
        (self.fetch_failures.load(Ordering::Acquire) != mark.0).then(|| {
            let reason = self
                .last_fetch_failure
                .lock()
                .expect("fetch failure lock")
                .clone()
                .unwrap_or_default();
            KeyStoreError::Shared(caseledger_log_store::LogError::Storage(reason))
        })
    }

    /// Stores `records` and returns the key now stored for each (another node's, on a shared
    /// store, if it made one first).
    fn store(
        &self,
        records: &[Record],
        keys: Vec<(KeyOwner, SecretKey)>,
    ) -> Result<Vec<(KeyOwner, Option<SecretKey>)>, KeyStoreError> {
        match &self.storage {
            Storage::File(file) => {
                file.append(records)?;
                Ok(keys.into_iter().map(|(o, k)| (o, Some(k))).collect())
            }
            Storage::Shared(shared) => Ok(shared
                .add(&self.master(), records)?
                .into_iter()
                .filter_map(|(entry, key)| match entry {
                    Entry::Owner(owner) => Some((owner, key)),
                    Entry::Digest => None,
                })
                .collect()),
        }
    }

    fn new_key(&self, owner: KeyOwner) -> Result<SecretKey, KeyStoreError> {
        Ok(match (&self.synthetic, owner) {
            (Some(seed), KeyOwner::Client(client)) => seed.derive(&client.to_string()),
            _ => SecretKey::from_bytes(random_bytes()?),
        })
    }

    /// Creates the data keys of every client in `clients` that has none yet, with one write and
    /// one sync for all of them (a bulk append — an import, the generator — would otherwise pay
    /// a sync per new client). Forgotten clients are left forgotten.
    pub fn create_keys(&self, clients: &[ClientId]) -> Result<(), KeyStoreError> {
        let missing = |c: &ClientId| {
            !(self.keys.read().expect("key store lock")).contains_key(&KeyOwner::Client(*c))
        };
        if !clients.iter().any(missing) {
            return Ok(());
        }
        let _writing = self.writing.lock().expect("key writer lock");
        let master = self.master();
        let mut records = Vec::new();
        let mut created = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for client in clients.iter().copied().filter(missing) {
            if !seen.insert(client) {
                continue;
            }
            let owner = KeyOwner::Client(client);
            let key = self.new_key(owner)?;
            records.push(record::record(&master, Entry::Owner(owner), Some(&key))?);
            created.push((owner, key));
        }
        let stored = self.store(&records, created)?;
        let mut keys = self.keys.write().expect("key store lock");
        keys.extend(stored);
        Ok(())
    }

    /// The key of `owner` from the shared store, remembered; `None` without a row (or on a
    /// key file, which holds everything in memory).
    fn fetch(&self, owner: KeyOwner) -> Result<Option<Option<SecretKey>>, KeyStoreError> {
        let Storage::Shared(shared) = &self.storage else {
            return Ok(None);
        };
        let found = shared.fetch(&self.master(), Entry::Owner(owner))?;
        if let Some(key) = &found {
            self.keys
                .write()
                .expect("key store lock")
                .insert(owner, key.clone());
        }
        Ok(found)
    }
}

impl KeyRing for KeyStore {
    fn opening_key(&self, owner: KeyOwner) -> Option<SecretKey> {
        if let Some(found) = self.keys.read().expect("key store lock").get(&owner) {
            return found.clone();
        }
        match self.fetch(owner) {
            Ok(found) => found.flatten(),
            Err(e) => {
                tracing::warn!(error = %e, "a key could not be fetched from the shared store");
                *self.last_fetch_failure.lock().expect("fetch failure lock") = Some(e.to_string());
                self.fetch_failures.fetch_add(1, Ordering::AcqRel);
                None
            }
        }
    }

    fn sealing_key(&self, owner: KeyOwner) -> Result<SecretKey, SealError> {
        let gone = || match owner {
            KeyOwner::Client(c) => SealError::Forgotten(c),
            KeyOwner::Disclosure(e) => SealError::DisclosureKeyDestroyed(e),
        };
        if let Some(found) = self.keys.read().expect("key store lock").get(&owner) {
            return found.clone().ok_or_else(gone);
        }
        let fail = |e: KeyStoreError| SealError::KeyStore(e.to_string());
        let _writing = self.writing.lock().expect("key writer lock");
        if let Some(found) = self.keys.read().expect("key store lock").get(&owner) {
            return found.clone().ok_or_else(gone);
        }
        // Another node may have made it (or forgotten the client) since this one started.
        if let Some(found) = self.fetch(owner).map_err(fail)? {
            return found.ok_or_else(gone);
        }
        let key = self.new_key(owner).map_err(fail)?;
        let rec = record::record(&self.master(), Entry::Owner(owner), Some(&key)).map_err(fail)?;
        let stored = self.store(&[rec], vec![(owner, key)]).map_err(fail)?;
        let (_, key) = stored.into_iter().next().ok_or_else(|| {
            fail(KeyStoreError::Shared(
                caseledger_log_store::LogError::Storage(
                    "the key just stored was not returned".into(),
                ),
            ))
        })?;
        self.keys
            .write()
            .expect("key store lock")
            .insert(owner, key.clone());
        key.ok_or_else(gone)
    }
}

#[cfg(test)]
mod tests;
