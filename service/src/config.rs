//! Settings of a running service.

use std::path::PathBuf;

use caseledger_log_store::Durability;

/// Where the service keeps its data and how it writes.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// The data directory (sled log and, later, snapshots and keys).
    pub data_dir: PathBuf,
    /// How appends are made durable before they are acknowledged.
    pub durability: Durability,
}

impl ServiceConfig {
    /// Defaults for a data directory: fully durable appends.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        ServiceConfig {
            data_dir: data_dir.into(),
            durability: Durability::Fdatasync,
        }
    }
}
