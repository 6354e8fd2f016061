//! Where the data lives: the arguments every command that opens a data directory shares.
//!
//! Apart from `main.rs` because every command's module uses it and `main.rs` uses every
//! command's module: kept there, each command and `main.rs` would import each other.

use std::path::PathBuf;

use crate::failure::Failure;

/// Where the data lives; shared by every command that opens a data directory.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct DataArgs {
    /// Data directory (embedded sled store).
    #[arg(long, env = "CASELEDGER_DATA", default_value = "./data")]
    pub(crate) data: PathBuf,
    /// The master key sealing clients' identifiers (created with a new data directory).
    #[arg(
        long,
        env = "CASELEDGER_MASTER_KEY_FILE",
        default_value = "DATA/master.key"
    )]
    pub(crate) master_key_file: String,
    /// The log on PostgreSQL (a `postgresql://` URL or a libpq connection string; list every
    /// host for failover: `host=db1,db2 target_session_attrs=read-write`) instead of the
    /// embedded log; the client keys are then kept in PostgreSQL too. The data directory still
    /// holds this node's snapshots, checkpoints and master key (every node's the same).
    #[arg(long = "log", env = "CASELEDGER_LOG", value_name = "POSTGRESQL_URL")]
    pub(crate) shared_log: Option<String>,
}

impl DataArgs {
    /// The master key file: the flag or environment, `DATA/` standing for the data directory.
    pub(crate) fn master_key_path(&self) -> PathBuf {
        match self.master_key_file.strip_prefix("DATA/") {
            Some(rest) => self.data.join(rest),
            None => PathBuf::from(&self.master_key_file),
        }
    }

    /// Refuses a data directory that holds no log (never bootstrapped, or a mistyped path),
    /// before anything is created in it (exit 2, saying how to bootstrap).
    pub(crate) fn require_log(&self) -> Result<(), Failure> {
        // A shared log is checked when it is opened: an empty one holds no key store's events.
        if self.shared_log.is_some() || self.data.join("db").exists() {
            return Ok(());
        }
        Err(self.no_log())
    }

    /// The refusal of a data directory that holds no log.
    pub(crate) fn no_log(&self) -> Failure {
        let data = self.data.display();
        Failure::usage(anyhow::anyhow!(
            "{data} holds no log: bootstrap it first (`caseledger admin bootstrap --data {data}`), \
             or run `caseledger serve --demo --data {data}` for the demo CoC"
        ))
    }

    /// A service configuration for this data directory and master key.
    pub(crate) fn service_config(&self) -> caseledger_service::ServiceConfig {
        let mut config = caseledger_service::ServiceConfig::new(&self.data);
        config.master_key_file = Some(self.master_key_path());
        config.shared_log = self.shared_log.clone();
        config
    }

    /// Opens the log these arguments name, for tools that read it without a service.
    pub(crate) fn open_log(
        &self,
    ) -> Result<std::sync::Arc<dyn caseledger_log_store::EventLog>, Failure> {
        Ok(match &self.shared_log {
            Some(conninfo) => caseledger_log_postgres::PgLog::open(conninfo)?,
            None => caseledger_log_store::SledLog::open(&self.data)?,
        })
    }

    /// Runs `work` on a stopped server's data directory: opens the service (deciding as on
    /// `today` when given), starts its projector, and shuts it down cleanly whatever `work`
    /// returned.
    pub(crate) fn run_offline<T>(
        &self,
        today: Option<caseledger_core::Date>,
        work: impl AsyncFnOnce(&caseledger_service::Service) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async {
            let mut config = self.service_config();
            config.today = today;
            // One snapshot at shutdown instead of one per 100,000 events folded: an import
            // folds millions, and each snapshot serializes every read model.
            config.snapshot_every = u64::MAX;
            let service = caseledger_service::Service::open(&config)?;
            service.start();
            let result = work(&service).await;
            service.shutdown().await;
            result
        })
    }
}
