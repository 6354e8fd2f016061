//! Why the key store could not be opened or changed.

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
        /// The data directory (or the shared key store).
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
    /// The log exists but the client key store does not: every identifier would read as
    /// erased.
    #[error(
        "{path} is missing, but the log holds events: without it no identifying value can be \
         read; restore it from the backup taken with the log"
    )]
    KeyStoreMissing {
        /// The missing file (or the shared key table).
        path: String,
    },
    /// A key file is malformed or a wrapped key does not open.
    #[error("{path}: {reason}")]
    Corrupt {
        /// The file (or the shared key table).
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
    /// The shared key store (PostgreSQL) could not be read or written.
    #[error("the shared key store: {0}")]
    Shared(#[from] caseledger_log_store::LogError),
    /// The master key of a shared key store cannot be rotated while a node serves with it.
    #[error(
        "a caseledger node is serving with the shared key store: stop every node before \
         rotating the master key"
    )]
    InUse,
}

/// The [`KeyStoreError::Io`] of `path`.
pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> KeyStoreError + '_ {
    move |source| KeyStoreError::Io {
        path: path.display().to_string(),
        source,
    }
}
