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

/// The format this build reads and writes.
pub const DATA_FORMAT: u32 = 1;

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

/// The format `data_dir` states; `None` when it states none (new, or written before the
/// format was recorded — which is format 1).
pub fn read(data_dir: &Path) -> Result<Option<u32>, FormatError> {
    let path = data_dir.join(FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
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

/// Checks `data_dir`'s format before it is opened, and records this build's when it states
/// none (a new directory, or one from before formats were recorded, which is format 1).
pub(crate) fn open(data_dir: &Path) -> Result<(), FormatError> {
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
