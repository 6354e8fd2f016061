//! The master key file, and the file-system steps both key stores take with it: a new key
//! written 0600 and synced, a staged key renamed into place at a rotation.

use std::fs::{self, File};
use std::io::Write;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use caseledger_core::SecretKey;
use caseledger_core::pii::crypto::KEY_LEN;

use super::error::{KeyStoreError, io};
use super::record::random_bytes;

/// Environment variable naming the master key file.
pub const MASTER_KEY_FILE_ENV: &str = "CASELEDGER_MASTER_KEY_FILE";

/// Where the master key of `data_dir` is: `CASELEDGER_MASTER_KEY_FILE` or `DATA/master.key`.
pub fn master_key_path(data_dir: &Path) -> PathBuf {
    std::env::var_os(MASTER_KEY_FILE_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| data_dir.join("master.key"))
}

/// `path` with `suffix` added to its file name.
pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Where a rotation stages the new master key before the key store is re-sealed under it.
pub(crate) fn staged(master_path: &Path) -> PathBuf {
    with_suffix(master_path, ".new")
}

/// The master key in `path`.
pub(crate) fn read(path: &Path) -> Result<SecretKey, KeyStoreError> {
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

/// The master key at `path`, or a new one written there when there is none and `may_create`
/// (nothing is sealed yet); `data` names what is sealed under it, for the refusal.
pub(crate) fn read_or_create(
    path: &Path,
    may_create: bool,
    data: &dyn std::fmt::Display,
) -> Result<SecretKey, KeyStoreError> {
    match read(path) {
        Ok(key) => Ok(key),
        Err(KeyStoreError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            if !may_create {
                return Err(KeyStoreError::MasterKeyMissing {
                    path: path.display().to_string(),
                    data: data.to_string(),
                });
            }
            let key = SecretKey::from_bytes(random_bytes()?);
            if let Some(dir) = path.parent() {
                // Made 0700 if missing; an existing one may be the operator's (/etc/...) and
                // keeps its mode.
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(dir)
                    .map_err(io(dir))?;
            }
            write_new(path, key.as_bytes())?;
            sync_dir(path)?;
            tracing::info!(path = %path.display(), fingerprint = %key.fingerprint(), "master key created");
            Ok(key)
        }
        Err(e) => Err(e),
    }
}

/// Writes `bytes` to `path` through a synced temporary file and a rename (0600), then syncs the
/// directory: a crash leaves the old file or the new one.
pub(crate) fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), KeyStoreError> {
    let temp = with_suffix(path, ".tmp");
    write_new(&temp, bytes)?;
    fs::rename(&temp, path).map_err(io(path))?;
    sync_dir(path)
}

/// Creates `path` (0600) holding `bytes`, synced.
pub(crate) fn write_new(path: &Path, bytes: &[u8]) -> Result<(), KeyStoreError> {
    let mut f = caseledger_log_store::private::create_file(path).map_err(io(path))?;
    f.write_all(bytes).map_err(io(path))?;
    f.sync_all().map_err(io(path))
}

/// Syncs the directory holding `path`, so a rename or creation in it is durable.
pub(crate) fn sync_dir(path: &Path) -> Result<(), KeyStoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

/// Renames `from` over `to` and syncs the directory.
pub(crate) fn rename(from: &Path, to: &Path) -> Result<(), KeyStoreError> {
    fs::rename(from, to).map_err(io(to))?;
    sync_dir(to)
}
