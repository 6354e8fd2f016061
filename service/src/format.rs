//! The data directory's format version, in `DATA/format`: what a binary checks before it
//! reads or writes anything else, so a newer directory is never half-read by an older binary
//! and an older one is never silently changed by a newer.
//!
//! What changes within a format needs no migration: event payloads are versioned and upcast
//! on read (`core::events::legacy`), snapshots of another layout are ignored and rebuilt from
//! the log, the key file carries its own magic. A change the upcasters cannot absorb (a new
//! log layout, say) raises [`DATA_FORMAT`]; that build then ships its migration as
//! `caseledger migrate` and refuses the older directory until it has run.

use std::io::Write;
use std::path::Path;

/// The format this build reads and writes. Format 2 keeps the log's records in an events file
/// (its indexes are a cache of it, rebuilt in whatever layout this build uses); format 1 kept
/// them inside sled.
pub const DATA_FORMAT: u32 = 2;

/// The oldest format whose backups this build restores: a backup holds the log as records,
/// whatever the layout it was taken from, so format 1's restore as this build's.
pub const OLDEST_BACKUP_FORMAT: u32 = 1;

const FILE: &str = "format";
const PREFIX: &str = "caseledger data format ";

/// A directory this build cannot use as it is.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FormatError {
    /// Written by a newer caseledger.
    #[error(
        "the data directory is format {found}, written by a newer caseledger; this build reads \
         format {supported}: run the caseledger that wrote it (or a newer one)"
    )]
    Newer {
        /// The directory's format.
        found: u32,
        /// This build's.
        supported: u32,
    },
    /// Written by an older caseledger and not migrated yet.
    #[error(
        "the data directory is format {found}, this build uses format {supported}: back it up \
         (caseledger backup), then run caseledger migrate"
    )]
    Older {
        /// The directory's format.
        found: u32,
        /// This build's.
        supported: u32,
    },
    /// The format could not be recorded in a new directory.
    #[error("cannot record the data format in {path}: {reason}")]
    Unwritable {
        /// The directory.
        path: String,
        /// Why.
        reason: String,
    },
    /// The file is not ours.
    #[error("{path} does not state a caseledger data format: {content:?}")]
    Unreadable {
        /// The file.
        path: String,
        /// What it holds (its first line).
        content: String,
    },
}

/// Whether this build reads a directory (or backup) of `found`.
pub fn check_readable(found: u32) -> Result<(), FormatError> {
    match found.cmp(&DATA_FORMAT) {
        std::cmp::Ordering::Equal => Ok(()),
        std::cmp::Ordering::Greater => Err(FormatError::Newer {
            found,
            supported: DATA_FORMAT,
        }),
        std::cmp::Ordering::Less => Err(FormatError::Older {
            found,
            supported: DATA_FORMAT,
        }),
    }
}

/// The format `data_dir` states; `None` for a new directory. A directory with a log but no
/// format file was written before formats were recorded, which is format 1.
pub fn read(data_dir: &Path) -> Result<Option<u32>, FormatError> {
    let path = data_dir.join(FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(data_dir.join("db").exists().then_some(1));
    };
    let line = text.lines().next().unwrap_or_default();
    line.strip_prefix(PREFIX)
        .and_then(|n| n.trim().parse().ok())
        .map(Some)
        .ok_or_else(|| FormatError::Unreadable {
            path: path.display().to_string(),
            content: line.chars().take(80).collect(),
        })
}

/// Checks `data_dir`'s format before it is opened, and records this build's in a new
/// directory.
pub fn open(data_dir: &Path) -> Result<(), FormatError> {
    match read(data_dir)? {
        Some(found) => check_readable(found),
        None => record(data_dir).map_err(|e| FormatError::Unwritable {
            path: data_dir.display().to_string(),
            reason: e.to_string(),
        }),
    }
}

/// Writes this build's format into `data_dir` (0600, synced).
pub(crate) fn record(data_dir: &Path) -> std::io::Result<()> {
    let mut file = caseledger_log_store::private::create_file(&data_dir.join(FILE))?;
    writeln!(file, "{PREFIX}{DATA_FORMAT}")?;
    file.sync_all()
}

/// Whether this build restores a backup taken from a directory of `found`.
pub fn check_backup_readable(found: u32) -> Result<(), FormatError> {
    if (OLDEST_BACKUP_FORMAT..DATA_FORMAT).contains(&found) {
        return Ok(());
    }
    check_readable(found)
}

/// What [`migrate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Migrated {
    /// The directory was already in this build's format.
    AlreadyCurrent,
    /// The directory moved from format `from` to this build's; its log reaches `head`.
    Upgraded {
        /// The format it had.
        from: u32,
        /// The log's head position after the move.
        head: u64,
    },
}

/// Why [`migrate`] failed.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The directory's format is not one this build migrates.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// The log could not be moved (damaged, in use, storage).
    #[error(transparent)]
    Log(#[from] caseledger_log_store::LogError),
    /// The new format could not be recorded.
    #[error("cannot record the data format in {path}: {reason}")]
    Record {
        /// The directory.
        path: String,
        /// Why.
        reason: String,
    },
}

/// Moves a stopped data directory of an older format to this build's (format 1 → 2: the log's
/// records out of sled into the events file, checked link by link). Safe to run again after
/// a crash; `progress` is called with the position reached.
pub fn migrate(data_dir: &Path, progress: &mut dyn FnMut(u64)) -> Result<Migrated, MigrateError> {
    let Some(found) = read(data_dir)? else {
        return Ok(Migrated::AlreadyCurrent);
    };
    if found == DATA_FORMAT {
        return Ok(Migrated::AlreadyCurrent);
    }
    if !(OLDEST_BACKUP_FORMAT..=DATA_FORMAT).contains(&found) {
        check_readable(found)?;
    }
    let head = caseledger_log_store::upgrade::upgrade_format1(data_dir, progress)?.unwrap_or(0);
    record(data_dir).map_err(|e| MigrateError::Record {
        path: data_dir.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(Migrated::Upgraded { from: found, head })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_states_its_format_and_others_are_refused_naming_both() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()), Ok(None));
        open(dir.path()).unwrap();
        assert_eq!(read(dir.path()), Ok(Some(DATA_FORMAT)));
        std::fs::write(
            dir.path().join(FILE),
            format!("{PREFIX}{}\n", DATA_FORMAT + 1),
        )
        .unwrap();
        assert!(matches!(
            open(dir.path()),
            Err(FormatError::Newer { found, supported })
                if found == DATA_FORMAT + 1 && supported == DATA_FORMAT
        ));
        assert_eq!(
            check_readable(0),
            Err(FormatError::Older {
                found: 0,
                supported: DATA_FORMAT
            })
        );
        std::fs::write(dir.path().join(FILE), "hello\n").unwrap();
        assert!(matches!(
            read(dir.path()),
            Err(FormatError::Unreadable { .. })
        ));
    }
}
