//! The key store of one machine: `DATA/keys/client-keys`, `CLKEYS01`, the master key's
//! fingerprint (32 hex bytes), then fixed records ([`super::record`]).
//!
//! A new key is appended and synced before the event it seals is appended, so an acknowledged
//! event never lacks its key (a crash in between leaves an unused key). Forgetting and master
//! key rotation write a whole new file, sync it and rename it over the old one, so the old
//! wrapped key is in no file afterwards. Rotation renames the new master key into place
//! first; a crash between the two renames is finished on the next open (the new key file's
//! fingerprint names the new master key).

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use caseledger_core::SecretKey;

use super::error::{KeyStoreError, io};
use super::master;
use super::record::{self, Entry, Keys, RECORD_LEN, Record, random_bytes};

const MAGIC: &[u8; 8] = b"CLKEYS01";
/// The bytes of the header: the magic, then the master key's fingerprint.
pub(crate) const HEADER_LEN: usize = 8 + 32;

/// Where the key file of `data_dir` is.
pub(crate) fn path_in(data_dir: &Path) -> PathBuf {
    data_dir.join("keys").join("client-keys")
}

/// The bytes of a key file holding `records` sealed under `master`.
pub(crate) fn file_bytes<'a>(
    master: &SecretKey,
    records: impl ExactSizeIterator<Item = &'a Record>,
) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(HEADER_LEN + records.len() * RECORD_LEN);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(master.fingerprint().as_bytes());
    for r in records {
        bytes.extend_from_slice(r);
    }
    bytes
}

/// The whole records of a key file's bytes, once its header names `master`. A torn last
/// record is a key that was being created when the process died: no event was sealed with it,
/// so it is left out.
pub(crate) fn records_of(
    path: &Path,
    bytes: &[u8],
    master: &SecretKey,
) -> Result<Vec<Record>, KeyStoreError> {
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
    Ok(body
        .chunks_exact(RECORD_LEN)
        .map(|r| r.try_into().expect("a whole record"))
        .collect())
}

/// The keys a key file's bytes hold, opened with `master`.
pub(crate) fn parse(path: &Path, bytes: &[u8], master: &SecretKey) -> Result<Keys, KeyStoreError> {
    let records = records_of(path, bytes, master)?;
    record::open_all(master, &records).map_err(|(i, reason)| KeyStoreError::Corrupt {
        path: path.display().to_string(),
        reason: format!("record {i}: {reason}"),
    })
}

/// [`parse`] with a wrong master key reported as the key file at `master_path`.
pub(crate) fn parse_with(
    path: &Path,
    bytes: &[u8],
    master: &SecretKey,
    master_path: &Path,
) -> Result<Keys, KeyStoreError> {
    parse(path, bytes, master).map_err(|e| name_master(e, master_path))
}

/// A [`KeyStoreError::WrongMasterKey`] naming the key file at `master_path`.
pub(crate) fn name_master(e: KeyStoreError, master_path: &Path) -> KeyStoreError {
    match e {
        KeyStoreError::WrongMasterKey {
            found, expected, ..
        } => KeyStoreError::WrongMasterKey {
            path: master_path.display().to_string(),
            found,
            expected,
        },
        e => e,
    }
}

/// The key file of one data directory, open for appending.
pub(crate) struct KeyFile {
    path: PathBuf,
    file: Mutex<File>,
}

/// What opening a key store yields: its master key, its keys and its query digest key.
pub(crate) type Opened = (
    SecretKey,
    std::collections::HashMap<caseledger_core::pii::KeyOwner, Option<SecretKey>>,
    SecretKey,
);

impl KeyFile {
    /// Opens the key file of `data_dir` (see [`super::KeyStore::open_for`]), finishing a
    /// rotation a crash interrupted and dropping a record torn by one.
    pub(crate) fn open(
        data_dir: &Path,
        master_path: &Path,
        has_log: bool,
    ) -> Result<(KeyFile, Opened), KeyStoreError> {
        let path = path_in(data_dir);
        finish_rotation(&path, master_path)?;
        let master = master::read_or_create(
            master_path,
            !(has_log || path.exists()),
            &data_dir.display(),
        )?;
        let (keys, digest) = match fs::read(&path) {
            Ok(bytes) => {
                let keys = parse_with(&path, &bytes, &master, master_path)?;
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
                master::replace_file(&path, &file_bytes(&master, [].iter()))?;
                (Default::default(), None)
            }
            Err(e) => return Err(io(&path)(e)),
        };
        let file = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(io(&path))?;
        let store = KeyFile {
            path,
            file: Mutex::new(file),
        };
        let digest = match digest {
            Some(key) => key,
            None => {
                // A new key store, or one written before query digests were keyed: the key is
                // on disk before any digest is computed with it.
                let key = SecretKey::from_bytes(random_bytes()?);
                store.append(&[record::record(&master, Entry::Digest, Some(&key))?])?;
                key
            }
        };
        Ok((store, (master, keys, digest)))
    }

    /// Appends `records` with one write and one `fdatasync`.
    pub(crate) fn append(&self, records: &[Record]) -> Result<(), KeyStoreError> {
        let mut file = self.file.lock().expect("key file lock");
        file.write_all(records.as_flattened())
            .and_then(|()| file.sync_data())
            .map_err(io(&self.path))
    }

    /// Replaces the file with one holding `records` under `master`.
    pub(crate) fn rewrite(
        &self,
        master: &SecretKey,
        records: &[Record],
    ) -> Result<(), KeyStoreError> {
        let mut file = self.file.lock().expect("key file lock");
        master::replace_file(&self.path, &file_bytes(master, records.iter()))?;
        *file = OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(io(&self.path))?;
        Ok(())
    }

    /// Replaces the master key at `master_path` with `new_master` and the file with one holding
    /// `records` under it: the new key file staged, the new master key renamed into place,
    /// then the key file (a crash between is finished by [`finish_rotation`]).
    pub(crate) fn rotate(
        &self,
        master_path: &Path,
        new_master: &SecretKey,
        records: &[Record],
    ) -> Result<(), KeyStoreError> {
        let mut file = self.file.lock().expect("key file lock");
        let staged_keys = master::with_suffix(&self.path, ".new");
        let staged_master = master::staged(master_path);
        master::write_new(&staged_keys, &file_bytes(new_master, records.iter()))?;
        master::write_new(&staged_master, new_master.as_bytes())?;
        master::rename(&staged_master, master_path)?;
        master::rename(&staged_keys, &self.path)?;
        *file = OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(io(&self.path))?;
        Ok(())
    }

    /// Copies the key file to `to` (0600) while no key is being added or destroyed, so the
    /// copy holds whole records only.
    pub(crate) fn copy_to(&self, to: &Path) -> Result<u64, std::io::Error> {
        let _no_writer = self.file.lock().expect("key file lock");
        let bytes = std::fs::read(&self.path)?;
        let mut out = caseledger_log_store::private::create_file(to)?;
        out.write_all(&bytes)?;
        out.sync_all()?;
        Ok(bytes.len() as u64)
    }
}

/// Finishes (or discards) a master key rotation a crash interrupted.
fn finish_rotation(keys: &Path, master_path: &Path) -> Result<(), KeyStoreError> {
    let staged_keys = master::with_suffix(keys, ".new");
    let staged_master = master::staged(master_path);
    if staged_keys.exists() {
        let staged = fs::read(&staged_keys).map_err(io(&staged_keys))?;
        let current = master::read(master_path).ok();
        let renamed_master = current.is_some_and(|m| {
            staged.len() >= HEADER_LEN && staged[8..HEADER_LEN] == *m.fingerprint().as_bytes()
        });
        if renamed_master {
            master::rename(&staged_keys, keys)?;
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
