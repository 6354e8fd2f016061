//! The key store every node of a shared log uses: the key table next to the PostgreSQL log
//! ([`caseledger_log_postgres::keys`]), one row per key record ([`super::record`]).
//!
//! Every node loads the whole table at start and fetches a key it does not hold (made by
//! another node since) when an event needs it; a key is committed before the event it seals
//! is appended, so a node folding an event always finds its key. A data directory's key file
//! found at the first start on a shared log is adopted into the table and then removed, so no
//! second copy outlives a forgetting.

use std::path::Path;
use std::sync::Mutex;

use caseledger_core::SecretKey;
use caseledger_core::pii::KeyOwner;
use caseledger_log_postgres::keys::{Destroy, InUse, KeyRow, KeyTable};

use super::error::{KeyStoreError, io};
use super::file::{self, Opened};
use super::master;
use super::record::{self, Entry, Record, random_bytes};

/// How errors name the shared key store.
const WHERE: &str = "the shared key store (PostgreSQL table caseledger_keys)";

/// The shared key store of one node.
pub(crate) struct SharedKeys {
    table: KeyTable,
    in_use: Mutex<Option<InUse>>,
}

fn corrupt(reason: String) -> KeyStoreError {
    KeyStoreError::Corrupt {
        path: WHERE.into(),
        reason,
    }
}

fn to_row(r: &Record) -> KeyRow {
    let (class, id, sealed) = record::to_row(r);
    KeyRow { class, id, sealed }
}

fn from_row(row: &KeyRow) -> Result<Record, KeyStoreError> {
    record::from_row(row.class, row.id, row.sealed.as_deref()).map_err(corrupt)
}

fn open_row(master: &SecretKey, row: &KeyRow) -> Result<(Entry, Option<SecretKey>), KeyStoreError> {
    record::open(master, &from_row(row)?).map_err(|why| {
        corrupt(format!(
            "the key of class {} id {:032x}: {why}",
            row.class, row.id
        ))
    })
}

impl SharedKeys {
    /// Opens the shared key store in `table` with the master key at `master_path` (see
    /// [`super::KeyStore::open_shared`]).
    pub(crate) fn open(
        data_dir: &Path,
        master_path: &Path,
        table: KeyTable,
        has_log: bool,
    ) -> Result<(SharedKeys, Opened), KeyStoreError> {
        finish_rotation(master_path, &table)?;
        let stored = table.fingerprint()?;
        let file_path = file::path_in(data_dir);
        let master = master::read_or_create(
            master_path,
            !has_log && stored.is_none() && !file_path.exists(),
            &WHERE,
        )?;
        let ours = master.fingerprint();
        let wrong = |expected: String| KeyStoreError::WrongMasterKey {
            path: master_path.display().to_string(),
            found: ours.clone(),
            expected,
        };
        let adopted = match std::fs::read(&file_path) {
            Ok(bytes) => Some(
                file::records_of(&file_path, &bytes, &master)
                    .map_err(|e| file::name_master(e, master_path))?,
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io(&file_path)(e)),
        };
        match stored {
            None => {
                if has_log && adopted.is_none() {
                    return Err(KeyStoreError::KeyStoreMissing { path: WHERE.into() });
                }
                let mut records = adopted.clone().unwrap_or_default();
                if !records.iter().any(record::is_digest) {
                    let key = SecretKey::from_bytes(random_bytes()?);
                    records.push(record::record(&master, Entry::Digest, Some(&key))?);
                }
                let made = table.create(&ours, records.iter().map(to_row).collect())?;
                if made != ours {
                    return Err(wrong(made));
                }
            }
            Some(stored) if stored != ours => return Err(wrong(stored)),
            Some(_) => {
                if let Some(records) = &adopted {
                    let (live, gone): (Vec<&Record>, Vec<&Record>) =
                        records.iter().partition(|r| to_row(r).sealed.is_some());
                    table.add(&ours, live.into_iter().map(to_row).collect())?;
                    table.destroy(
                        gone.into_iter()
                            .map(|r| {
                                let row = to_row(r);
                                Destroy {
                                    class: row.class,
                                    id: row.id,
                                    mark_if_absent: true,
                                }
                            })
                            .collect(),
                    )?;
                }
            }
        }
        if adopted.is_some() {
            std::fs::remove_file(&file_path).map_err(io(&file_path))?;
            master::sync_dir(&file_path)?;
            tracing::warn!(
                path = %file_path.display(),
                "the data directory's key file was adopted into the shared key store and removed"
            );
        }
        let rows = table.all()?;
        let records = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
        let (keys, digest) = record::open_all(&master, &records)
            .map_err(|(i, why)| corrupt(format!("key {i}: {why}")))?;
        let digest = digest.ok_or_else(|| corrupt("it holds no query digest key".into()))?;
        let store = SharedKeys {
            table,
            in_use: Mutex::new(None),
        };
        Ok((store, (master, keys, digest)))
    }

    /// The stored key of `entry`, if the table has a row for it (`Some(None)`: destroyed).
    pub(crate) fn fetch(
        &self,
        master: &SecretKey,
        entry: Entry,
    ) -> Result<Option<Option<SecretKey>>, KeyStoreError> {
        let (class, id) = entry.row_key();
        match self.table.get(class, id)? {
            Some(row) => Ok(Some(open_row(master, &row)?.1)),
            None => Ok(None),
        }
    }

    /// Stores `records` (sealed under `master`) where the table has no row yet, and returns the
    /// key stored for each: another node's, if it made one first.
    pub(crate) fn add(
        &self,
        master: &SecretKey,
        records: &[Record],
    ) -> Result<Vec<(Entry, Option<SecretKey>)>, KeyStoreError> {
        let stored = self
            .table
            .add(&master.fingerprint(), records.iter().map(to_row).collect())?;
        stored.iter().map(|row| open_row(master, row)).collect()
    }

    /// Destroys the keys of `owners` (a client without one is marked forgotten, so none is made
    /// later), then has the table rewritten.
    pub(crate) fn destroy(&self, owners: &[KeyOwner]) -> Result<(), KeyStoreError> {
        let keys = owners
            .iter()
            .map(|owner| {
                let (class, id) = Entry::Owner(*owner).row_key();
                Destroy {
                    class,
                    id,
                    mark_if_absent: matches!(owner, KeyOwner::Client(_)),
                }
            })
            .collect();
        self.table.destroy(keys)?;
        Ok(())
    }

    /// The disclosure records with a live key whose event id was made before `cutoff_ms`.
    pub(crate) fn disclosures_before(&self, cutoff_ms: u64) -> Result<Vec<u128>, KeyStoreError> {
        // A ULID's first 48 bits are its time in milliseconds.
        let below = u128::from(cutoff_ms) << 80;
        Ok(self.table.live_below(Entry::DISCLOSURE_CLASS, below)?)
    }

    /// Every stored record, read afresh.
    fn records(&self) -> Result<Vec<Record>, KeyStoreError> {
        self.table.all()?.iter().map(from_row).collect()
    }

    /// Re-seals every key under `new_master`, which then replaces the master key file at
    /// `master_path`: the new key is staged beside it first, so a crash after the table
    /// changed is finished on the next open. Refused while any node serves.
    pub(crate) fn rotate(
        &self,
        master_path: &Path,
        old: &SecretKey,
        new_master: &SecretKey,
    ) -> Result<(), KeyStoreError> {
        let mut rows = Vec::new();
        for r in self.records()? {
            let (entry, key) = record::open(old, &r).map_err(corrupt)?;
            rows.push(to_row(&record::record(new_master, entry, key.as_ref())?));
        }
        let staged = master::staged(master_path);
        master::write_new(&staged, new_master.as_bytes())?;
        master::sync_dir(&staged)?;
        if !self
            .table
            .reseal(&old.fingerprint(), &new_master.fingerprint(), rows)?
        {
            std::fs::remove_file(&staged).map_err(io(&staged))?;
            return Err(KeyStoreError::InUse);
        }
        master::rename(&staged, master_path)
    }

    /// Writes every stored key to `to` as a key file sealed under `master` (0600): a backup's
    /// copy, or a single machine's key store restored from the shared one.
    pub(crate) fn export(&self, master: &SecretKey, to: &Path) -> Result<u64, KeyStoreError> {
        let records = self.records()?;
        let bytes = file::file_bytes(master, records.iter());
        master::write_new(to, &bytes)?;
        Ok(bytes.len() as u64)
    }

    /// Marks this node as serving with the table until [`SharedKeys::release`]: rotation is
    /// refused meanwhile.
    pub(crate) fn hold(&self) {
        *self.in_use.lock().expect("in-use lock") = Some(self.table.in_use());
    }

    /// Ends [`SharedKeys::hold`].
    pub(crate) fn release(&self) {
        self.in_use.lock().expect("in-use lock").take();
    }
}

/// Finishes (or discards) a rotation a crash interrupted: the staged master key replaces the
/// master key file when the table is sealed under it by now.
fn finish_rotation(master_path: &Path, table: &KeyTable) -> Result<(), KeyStoreError> {
    let staged = master::staged(master_path);
    if !staged.exists() {
        return Ok(());
    }
    let new_master = master::read(&staged)?;
    if table.fingerprint()? == Some(new_master.fingerprint()) {
        master::rename(&staged, master_path)?;
        tracing::warn!("finished a master key rotation interrupted by a crash");
    } else {
        std::fs::remove_file(&staged).map_err(io(&staged))?;
    }
    Ok(())
}
