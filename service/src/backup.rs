//! Online backup and restore of a data directory.
//!
//! A backup is a directory: `log.records` (the log up to a stated position, as
//! `caseledger_log_store::backup` writes it), `keys/client-keys` (the key store, copied while no
//! key is being written), `snapshots/projections.snap` and `checkpoints/*` (when there are
//! any), `token-use.json`, `master.key` only when asked, and last `manifest.json`: the
//! position and chain hash the log reaches, and every file's size and SHA-256. A backup without
//! its manifest is unfinished.
//!
//! Why it is consistent while the server writes: the snapshot and checkpoints are copied first
//! and the head is read after them, so the log reaches every position they name; the key store
//! is copied after the log, and a key is always written before the event it seals, so every
//! event in the backup has its key (keys of later events are unused extras). A client forgotten
//! after the backup's position but before its key store was copied has no key in the backup —
//! forgetting is never undone by restoring.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use caseledger_log_store::{Head, SledLog, private};
use sha2::{Digest, Sha256};

use crate::{Service, ServiceConfig};

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";

/// What a backup's manifest says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    /// `caseledger-backup`.
    pub kind: String,
    /// The data directory format the backup was taken from.
    pub data_format: u32,
    /// The caseledger version that wrote it.
    pub written_by: String,
    /// When it was taken (RFC 3339).
    pub taken_at: String,
    /// The last log position it holds.
    pub position: u64,
    /// The chain hash at that position (hex).
    pub chain_hash: String,
    /// Whether `master.key` is in it.
    pub master_key_included: bool,
    /// Every file but the manifest, with its size and SHA-256.
    pub files: Vec<BackupFile>,
}

/// One file of a backup.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BackupFile {
    /// Its path inside the backup, `/`-separated.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its SHA-256 (hex).
    pub sha256: String,
}

/// Why a backup or restore failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The destination is not an empty directory.
    #[error("{path} already holds files: a backup or restore goes to a new or empty directory")]
    NotEmpty {
        /// The directory.
        path: String,
    },
    /// Reading or writing a file.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The backup's manifest is missing or unreadable (an unfinished or foreign backup).
    #[error("{path} is not a finished caseledger backup: {reason}")]
    Manifest {
        /// The manifest's path.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A file does not match the manifest.
    #[error(
        "the backup's {file} does not match its manifest ({reason}): it was changed or damaged"
    )]
    Damaged {
        /// The file, as the manifest names it.
        file: String,
        /// Size or hash.
        reason: String,
    },
    /// The restored log does not reach the manifest's position and chain hash.
    #[error(
        "the restored log reaches position {reached} with chain hash {reached_hash}, the \
         manifest says {position} with {chain_hash}"
    )]
    Chain {
        /// Where the restored log ends.
        reached: u64,
        /// Its chain hash there.
        reached_hash: String,
        /// What the manifest says.
        position: u64,
        /// And its chain hash.
        chain_hash: String,
    },
    /// The log.
    #[error(transparent)]
    Log(#[from] caseledger_log_store::backup::BackupError),
    /// The restored directory does not open as a service would open it.
    #[error("the restored data directory does not open")]
    Open(#[from] crate::ServiceError),
    /// The backup holds no master key and none was named.
    #[error(
        "the backup was made without the master key: name it with --master-key-file (or \
         CASELEDGER_MASTER_KEY_FILE)"
    )]
    MasterKeyNeeded,
}

fn file_error(path: &Path) -> impl Fn(std::io::Error) -> BackupError + '_ {
    move |e| BackupError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Makes `dir` (0700) when missing; refuses one that holds anything.
fn empty_dir(dir: &Path) -> Result<(), BackupError> {
    if let Ok(mut entries) = std::fs::read_dir(dir)
        && entries.next().is_some()
    {
        return Err(BackupError::NotEmpty {
            path: dir.display().to_string(),
        });
    }
    private::create_dir(dir).map_err(file_error(dir))
}

/// Copies `from` to `to` (0600, synced), making `to`'s directory; its size.
fn copy_private(from: &Path, to: &Path) -> Result<u64, BackupError> {
    if let Some(parent) = to.parent() {
        private::create_dir(parent).map_err(file_error(parent))?;
    }
    let bytes = std::fs::read(from).map_err(file_error(from))?;
    let mut out = private::create_file(to).map_err(file_error(to))?;
    out.write_all(&bytes).map_err(file_error(to))?;
    out.sync_all().map_err(file_error(to))?;
    Ok(bytes.len() as u64)
}

fn sha256_of(path: &Path) -> Result<(u64, String), BackupError> {
    let mut file = std::fs::File::open(path).map_err(file_error(path))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buffer).map_err(file_error(path))?;
        if n == 0 {
            break;
        }
        total += n as u64;
        hasher.update(&buffer[..n]);
    }
    Ok((total, hex::encode(hasher.finalize())))
}

/// The files of a backup besides the log, the key store and the master key: where each is in
/// a data directory and in a backup.
fn side_files(data_dir: &Path) -> Vec<(PathBuf, String)> {
    let mut files = vec![
        (
            crate::snapshots::path(data_dir),
            "snapshots/projections.snap".to_string(),
        ),
        (
            data_dir.join("token-use.json"),
            "token-use.json".to_string(),
        ),
    ];
    if let Ok(entries) = std::fs::read_dir(data_dir.join("checkpoints")) {
        let mut names: Vec<String> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(".json"))
            .collect();
        names.sort();
        files.extend(names.into_iter().map(|n| {
            (
                data_dir.join("checkpoints").join(&n),
                format!("checkpoints/{n}"),
            )
        }));
    }
    files
}

impl Service {
    /// Writes a backup of this data directory to `out` (a new or empty directory) while the
    /// service keeps serving; `progress` gets (position written, position to reach).
    pub fn backup(
        &self,
        out: &Path,
        include_master_key: bool,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Manifest, BackupError> {
        empty_dir(out)?;
        let data_dir = self.data_dir().to_path_buf();
        // The snapshot and checkpoints first: the head read after them reaches what they name.
        for (from, name) in side_files(&data_dir) {
            if from.exists() {
                copy_private(&from, &out.join(&name))?;
            }
        }
        let log = self.log();
        let head = log.head();
        let records = out.join("log.records");
        let mut writer =
            BufWriter::new(private::create_file(&records).map_err(file_error(&records))?);
        let reached =
            caseledger_log_store::backup::export(&*log, head.position, &mut writer, &mut |p| {
                progress(p, head.position)
            })?;
        let file = writer.into_inner().map_err(|e| BackupError::File {
            path: records.display().to_string(),
            reason: e.to_string(),
        })?;
        file.sync_all().map_err(file_error(&records))?;
        // After the log: every event in the backup has its key.
        let keys = out.join("keys").join("client-keys");
        private::create_dir(&out.join("keys")).map_err(file_error(out))?;
        self.keys().copy_to(&keys).map_err(file_error(&keys))?;
        if include_master_key {
            copy_private(self.master_key_path(), &out.join("master.key"))?;
        }
        let manifest = manifest_of(out, reached, include_master_key)?;
        write_manifest(out, &manifest)?;
        tracing::info!(out = %out.display(), position = reached.position, "backup written");
        Ok(manifest)
    }
}

fn manifest_of(out: &Path, head: Head, master_key_included: bool) -> Result<Manifest, BackupError> {
    let mut files = Vec::new();
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(file_error(&dir))?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path
                .strip_prefix(out)
                .expect("inside the backup")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            if name == MANIFEST {
                continue;
            }
            let (bytes, sha256) = sha256_of(&path)?;
            files.push(BackupFile {
                path: name,
                bytes,
                sha256,
            });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Manifest {
        kind: "caseledger-backup".into(),
        data_format: crate::format::DATA_FORMAT,
        written_by: env!("CARGO_PKG_VERSION").into(),
        taken_at: chrono::Utc::now().to_rfc3339(),
        position: head.position,
        chain_hash: hex::encode(head.hash),
        master_key_included,
        files,
    })
}

fn write_manifest(out: &Path, manifest: &Manifest) -> Result<(), BackupError> {
    let path = out.join(MANIFEST);
    let temporary = out.join("manifest.json.tmp");
    let bytes = serde_json::to_vec_pretty(manifest).expect("a manifest serializes");
    let mut file = private::create_file(&temporary).map_err(file_error(&temporary))?;
    file.write_all(&bytes).map_err(file_error(&temporary))?;
    file.sync_all().map_err(file_error(&temporary))?;
    std::fs::rename(&temporary, &path).map_err(file_error(&path))?;
    // The rename itself must survive a crash before anyone relies on the backup.
    std::fs::File::open(out)
        .and_then(|d| d.sync_all())
        .map_err(file_error(out))
}

/// Reads and checks a backup's manifest and every file it lists.
pub fn check(backup: &Path) -> Result<Manifest, BackupError> {
    let path = backup.join(MANIFEST);
    let bytes = std::fs::read(&path).map_err(|e| BackupError::Manifest {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| BackupError::Manifest {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    if manifest.kind != "caseledger-backup" {
        return Err(BackupError::Manifest {
            path: path.display().to_string(),
            reason: format!("its kind is `{}`", manifest.kind),
        });
    }
    crate::format::check_backup_readable(manifest.data_format).map_err(|e| {
        BackupError::Manifest {
            path: path.display().to_string(),
            reason: e.to_string(),
        }
    })?;
    if !manifest.files.iter().any(|f| f.path == "log.records") {
        return Err(BackupError::Damaged {
            file: "log.records".into(),
            reason: "missing from the manifest".into(),
        });
    }
    for file in &manifest.files {
        // Only the files a backup is made of: a changed manifest must not make restore read
        // outside the backup or write anything else into the new data directory.
        let known = matches!(
            file.path.as_str(),
            "log.records"
                | "keys/client-keys"
                | "master.key"
                | "token-use.json"
                | "snapshots/projections.snap"
        ) || file
            .path
            .strip_prefix("checkpoints/")
            .is_some_and(|n| n.ends_with(".json") && !n.contains('/') && !n.starts_with('.'));
        if !known {
            return Err(BackupError::Damaged {
                file: file.path.clone(),
                reason: "not a file a backup holds".into(),
            });
        }
        let (bytes, sha256) =
            sha256_of(&backup.join(&file.path)).map_err(|_| BackupError::Damaged {
                file: file.path.clone(),
                reason: "missing".into(),
            })?;
        if bytes != file.bytes {
            return Err(BackupError::Damaged {
                file: file.path.clone(),
                reason: format!("{bytes} bytes, the manifest says {}", file.bytes),
            });
        }
        if sha256 != file.sha256 {
            return Err(BackupError::Damaged {
                file: file.path.clone(),
                reason: "its SHA-256 differs".into(),
            });
        }
    }
    Ok(manifest)
}

/// Makes the data directory `data_dir` (new or empty) from `backup`, after checking the backup
/// against its manifest: the log appended again and proved to reach the manifest's position
/// and chain hash, the key store, snapshot and checkpoints copied, and the result opened as
/// `serve` would open it. Without the master key in the backup, `master_key_file` must name
/// the key (it is then used where it is, not copied). `progress` gets (position, of).
pub fn restore(
    backup: &Path,
    data_dir: &Path,
    master_key_file: Option<&Path>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Manifest, BackupError> {
    let manifest = check(backup)?;
    if !manifest.master_key_included && master_key_file.is_none() {
        return Err(BackupError::MasterKeyNeeded);
    }
    empty_dir(data_dir)?;
    crate::format::record(data_dir).map_err(file_error(data_dir))?;
    let has = |name: &str| manifest.files.iter().any(|f| f.path == name);
    for file in &manifest.files {
        if file.path != "log.records" && file.path != "master.key" {
            copy_private(&backup.join(&file.path), &data_dir.join(&file.path))?;
        }
    }
    if has("master.key") {
        copy_private(
            &backup.join("master.key"),
            &crate::keys::master_key_path(data_dir),
        )?;
    }
    {
        let log =
            SledLog::open(data_dir).map_err(caseledger_log_store::backup::BackupError::from)?;
        let records = backup.join("log.records");
        let mut input =
            BufReader::new(std::fs::File::open(&records).map_err(file_error(&records))?);
        let reached = caseledger_log_store::backup::import(&mut input, &*log, &mut |p| {
            progress(p, manifest.position)
        })?;
        log.close();
        if reached.position != manifest.position || hex::encode(reached.hash) != manifest.chain_hash
        {
            return Err(BackupError::Chain {
                reached: reached.position,
                reached_hash: hex::encode(reached.hash),
                position: manifest.position,
                chain_hash: manifest.chain_hash.clone(),
            });
        }
    }
    private::tighten(data_dir).map_err(file_error(data_dir))?;
    // Opened as `serve` opens it: the master key opens the key store, the snapshot and
    // checkpoints are anchors the log reaches, every event decodes.
    let mut config = ServiceConfig::new(data_dir);
    config.master_key_file = (!has("master.key"))
        .then(|| master_key_file.map(Path::to_path_buf))
        .flatten();
    let service = Service::open(&config)?;
    service.log().close();
    Ok(manifest)
}
