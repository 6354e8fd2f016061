//! Settings of a running service.

use std::path::PathBuf;
use std::sync::Arc;

use caseledger_core::Date;
use caseledger_log_store::Durability;

/// Called while the log is folded at start-up with (position reached, head).
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// How many days a new token works by default.
pub const DEFAULT_TOKEN_DAYS: u32 = 90;

/// The longest any token may live, whatever the server's setting: ten years.
pub const MAX_TOKEN_DAYS: u32 = 3650;

/// Where the service keeps its data and how it writes.
#[derive(Clone)]
pub struct ServiceConfig {
    /// The data directory (sled log and, later, snapshots and keys).
    pub data_dir: PathBuf,
    /// How appends are made durable before they are acknowledged.
    pub durability: Durability,
    /// A fixed business date instead of the clock (tests, demos of a past day).
    pub today: Option<Date>,
    /// Progress of the start-up replay (for a progress bar).
    pub progress: Progress,
    /// Save a read-model snapshot after this many new events (and always at shutdown).
    pub snapshot_every: u64,
    /// Sign a checkpoint of the log head this often (and at shutdown); `None`: only on demand.
    pub checkpoint_every: Option<std::time::Duration>,
    /// Holidays skipped (besides weekends) when counting business days to a client record
    /// request's due date.
    pub holidays: Vec<Date>,
    /// The master key file (`None`: `CASELEDGER_MASTER_KEY_FILE`, else `DATA/master.key`).
    pub master_key_file: Option<PathBuf>,
    /// Forget identifiers unchanged for this many years (no open enrollment) once a day;
    /// `None`: no retention job.
    pub retention_years: Option<u32>,
    /// Generated fixtures only (`caseledger fixtures generate`): data keys derived from this
    /// seed, so a generated log is reproducible byte for byte. Never for real clients.
    pub synthetic_key_seed: Option<u64>,
    /// How many days a new bearer token of ours works, unless its issuer asks for fewer
    /// (default 90; at most ten years).
    pub token_days: u32,
    /// The CoC's identity provider, whose access tokens open sessions too (`None`: only our
    /// own tokens do).
    pub identity: Option<Arc<caseledger_oidc::Verifier>>,
    /// The shared log on PostgreSQL (a `postgresql://` URL or a libpq connection string);
    /// `None`: the embedded log in the data directory. The data directory still holds this
    /// node's snapshots, checkpoints and key store.
    pub shared_log: Option<String>,
    /// Whom clients and agencies call about a client record (printed on every client record
    /// dashboard): the CoC's HMIS help desk, with its number.
    pub help_desk: String,
}

/// The help desk a dashboard names when the CoC has not said how to reach its own.
pub const DEFAULT_HELP_DESK: &str = "the HMIS Help Desk";

impl ServiceConfig {
    /// Defaults for a data directory: fully durable appends, the real clock, no progress output.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        ServiceConfig {
            data_dir: data_dir.into(),
            durability: Durability::Fdatasync,
            today: None,
            progress: Arc::new(|_, _| {}),
            snapshot_every: 100_000,
            checkpoint_every: None,
            holidays: Vec::new(),
            master_key_file: None,
            retention_years: None,
            synthetic_key_seed: None,
            token_days: DEFAULT_TOKEN_DAYS,
            identity: None,
            shared_log: None,
            help_desk: DEFAULT_HELP_DESK.to_string(),
        }
    }
}

impl std::fmt::Debug for ServiceConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceConfig")
            .field("data_dir", &self.data_dir)
            .field("durability", &self.durability)
            .field("today", &self.today)
            .finish_non_exhaustive()
    }
}
