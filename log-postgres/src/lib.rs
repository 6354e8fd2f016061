//! The caseledger event log on PostgreSQL: several `serve` nodes share one history.
//!
//! [`PgLog`] implements log-store's [`EventLog`] with the guarantees of the embedded log: one
//! gapless global position, stream versions, expected-version and expected-head appends
//! atomic across streams, permanent idempotency by event id, the hash chain and `verify`,
//! and catch-up subscriptions. Appends are planned by log-store's one planner
//! ([`caseledger_log_store::plan`]) inside a transaction that first locks the head row, so all
//! nodes' appends are ordered; a commit is durable when PostgreSQL says so
//! (`synchronous_commit`, which the server's configuration sets, `remote_apply` where a
//! synchronous standby is configured).
//!
//! The trait's reads are synchronous (the embedded log answers them from its page cache); here
//! they run on the log's own small tokio runtime, and the caller's thread waits for the answer,
//! as it would wait for a disk read.
#![forbid(unsafe_code)]

mod head;
pub mod keys;
mod reads;
mod schema;
#[cfg(feature = "testkit")]
pub mod testkit;
mod wire;
mod writer;

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use caseledger_log_store::{
    AppendRequest, EventLog, Head, LogError, LogStats, PendingAppend, Position, RecordedEvent,
    VerifyReport,
};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio::sync::{mpsc, watch};
use tokio_postgres::NoTls;

/// Connections the reads share (the writer and the head follower have one each).
const READ_CONNECTIONS: usize = 8;

/// The log on PostgreSQL. Share it as `Arc<PgLog>` or `Arc<dyn EventLog>`.
pub struct PgLog {
    runtime: Option<tokio::runtime::Runtime>,
    pool: Pool,
    shared: Arc<head::Shared>,
    jobs: mpsc::UnboundedSender<writer::Job>,
    closed: AtomicBool,
    config: tokio_postgres::Config,
}

impl PgLog {
    /// Connects to the PostgreSQL log at `conninfo` (a libpq connection string or URL), creating
    /// or upgrading its tables, and starts this node's writer and head follower.
    pub fn open(conninfo: &str) -> Result<Arc<PgLog>, LogError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("caseledger-pg")
            .enable_all()
            .build()?;
        let config = wire::config(conninfo)?;
        let (pool, head) = wire::block_on(runtime.handle(), {
            let config = config.clone();
            async move {
                let mut client = wire::connect(&config).await?;
                schema::migrate(&mut client).await?;
                let head = reads::head(&client).await?;
                let manager = Manager::from_config(
                    config.clone(),
                    NoTls,
                    ManagerConfig {
                        recycling_method: RecyclingMethod::Fast,
                    },
                );
                let pool = Pool::builder(manager)
                    .max_size(READ_CONNECTIONS)
                    .build()
                    .map_err(|e| LogError::Storage(format!("PostgreSQL pool: {e}")))?;
                Ok((pool, head))
            }
        })?;
        let shared = Arc::new(head::Shared {
            head: Mutex::new(head),
            head_tx: watch::channel(head.position).0,
        });
        let (jobs, rx) = mpsc::unbounded_channel();
        runtime.spawn(writer::run(config.clone(), shared.clone(), rx));
        runtime.spawn(head::follow_head(
            config.clone(),
            pool.clone(),
            shared.clone(),
        ));
        tracing::info!(head = head.position, "PostgreSQL log opened");
        Ok(Arc::new(PgLog {
            runtime: Some(runtime),
            pool,
            shared,
            jobs,
            closed: AtomicBool::new(false),
            config,
        }))
    }

    /// Runs `query` with a pooled connection on the log's runtime and waits for its answer.
    fn read<T: Send + 'static, F>(
        &self,
        query: impl FnOnce(deadpool_postgres::Object) -> F + Send + 'static,
    ) -> Result<T, LogError>
    where
        F: Future<Output = Result<T, LogError>> + Send + 'static,
    {
        wire::with_pooled(&self.pool, self.runtime().handle(), query)
    }

    /// The table of sealed keys next to this log, shared by every node (see [`keys`]).
    pub fn key_table(&self) -> keys::KeyTable {
        keys::KeyTable {
            pool: self.pool.clone(),
            runtime: self.runtime().handle().clone(),
            config: self.config.clone(),
        }
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.runtime
            .as_ref()
            .expect("the runtime lives as long as the log")
    }
}

impl Drop for PgLog {
    fn drop(&mut self) {
        // Dropped from inside an async context too (a test's runtime, the service's): a
        // blocking shutdown would panic there.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl EventLog for PgLog {
    fn append(&self, request: AppendRequest) -> PendingAppend {
        if self.closed.load(Ordering::Acquire) {
            return PendingAppend::failed(LogError::Closed);
        }
        let (reply, rx) = tokio::sync::oneshot::channel();
        match self.jobs.send(writer::Job { request, reply }) {
            Ok(()) => PendingAppend::new(rx),
            Err(_) => PendingAppend::failed(LogError::Closed),
        }
    }

    fn read_all(&self, from: Position, limit: usize) -> Result<Vec<RecordedEvent>, LogError> {
        self.read(move |c| async move { reads::from_position(&c, from.max(1), limit).await })
    }

    fn read_positions(&self, positions: &[Position]) -> Result<Vec<RecordedEvent>, LogError> {
        let positions = positions.to_vec();
        self.read(move |c| async move { reads::at_positions(&c, &positions).await })
    }

    fn read_stream(
        &self,
        stream: &str,
        from_version: u64,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, LogError> {
        let stream = stream.to_string();
        self.read(move |c| async move { reads::stream(&c, &stream, from_version, limit).await })
    }

    fn read_event(&self, id: u128) -> Result<Option<RecordedEvent>, LogError> {
        self.read(move |c| async move { reads::event(&c, id).await })
    }

    fn stream_version(&self, stream: &str) -> Result<Option<u64>, LogError> {
        let stream = stream.to_string();
        self.read(move |c| async move { reads::stream_version(&c, &stream).await })
    }

    fn head(&self) -> Head {
        self.shared.head()
    }

    fn watch_head(&self) -> watch::Receiver<Position> {
        self.shared.head_tx.subscribe()
    }

    fn verify(&self, progress: &mut dyn FnMut(Position)) -> Result<VerifyReport, LogError> {
        let stored_head = self.read(|c| async move { reads::head(&c).await })?;
        // Page by page, so a long log is never held whole.
        let mut next = 1;
        let mut page = std::collections::VecDeque::new();
        let mut failed = false;
        let records = std::iter::from_fn(|| {
            loop {
                if let Some(r) = page.pop_front() {
                    return Some(Ok(r));
                }
                if failed || next > stored_head.position {
                    return None;
                }
                let from = next;
                match self.read(move |c| async move {
                    reads::from_position(&c, from, reads::VERIFY_PAGE).await
                }) {
                    Ok(records) if records.is_empty() => return None,
                    Ok(records) => {
                        next = records.last().map_or(next, |r| r.position + 1);
                        page.extend(records);
                    }
                    Err(e) => {
                        failed = true;
                        return Some(Err(e));
                    }
                }
            }
        });
        caseledger_log_store::verify_recorded(records, Some(stored_head), progress)
    }

    fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }

    fn stats(&self) -> Result<Option<LogStats>, LogError> {
        let head = self.head();
        self.read(move |c| async move { reads::stats(&c, head).await.map(Some) })
    }
}
