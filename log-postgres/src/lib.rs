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

mod reads;
mod schema;
#[cfg(feature = "testkit")]
pub mod testkit;
mod writer;

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use caseledger_log_store::{
    AppendRequest, ChainHash, EventLog, Head, LogError, LogStats, PendingAppend, Position,
    RecordedEvent, VerifyReport,
};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio::sync::{mpsc, watch};
use tokio_postgres::{Client, NoTls};

/// Connections the reads share (the writer and the head follower have one each).
const READ_CONNECTIONS: usize = 8;

/// How often the head follower reads the head row even without a notification (notifications
/// are not delivered while its connection is down).
const HEAD_POLL: Duration = Duration::from_secs(1);

/// The log on PostgreSQL. Share it as `Arc<PgLog>` or `Arc<dyn EventLog>`.
pub struct PgLog {
    runtime: Option<tokio::runtime::Runtime>,
    pool: Pool,
    shared: Arc<Shared>,
    jobs: mpsc::UnboundedSender<writer::Job>,
    closed: AtomicBool,
}

/// What the writer, the head follower and the readers share.
pub(crate) struct Shared {
    head: Mutex<Head>,
    head_tx: watch::Sender<Position>,
}

impl Shared {
    fn head(&self) -> Head {
        *self.head.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves the known head forward (never back: a follower's older read arriving late).
    fn advance(&self, head: Head) {
        let mut known = self.head.lock().unwrap_or_else(|e| e.into_inner());
        if head.position > known.position {
            *known = head;
            self.head_tx.send_replace(head.position);
        }
    }
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
        let conninfo = conninfo.to_string();
        let config: tokio_postgres::Config = conninfo
            .parse()
            .map_err(|e| LogError::Storage(format!("the PostgreSQL connection string: {e}")))?;
        let (pool, head) = block_on(&runtime, {
            let conninfo = conninfo.clone();
            async move {
                let mut client = connect(&conninfo).await?;
                schema::migrate(&mut client).await?;
                let head = reads::head(&client).await?;
                let manager = Manager::from_config(
                    config,
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
        let shared = Arc::new(Shared {
            head: Mutex::new(head),
            head_tx: watch::channel(head.position).0,
        });
        let (jobs, rx) = mpsc::unbounded_channel();
        runtime.spawn(writer::run(conninfo.clone(), shared.clone(), rx));
        runtime.spawn(follow_head(conninfo, pool.clone(), shared.clone()));
        tracing::info!(head = head.position, "PostgreSQL log opened");
        Ok(Arc::new(PgLog {
            runtime: Some(runtime),
            pool,
            shared,
            jobs,
            closed: AtomicBool::new(false),
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
        let pool = self.pool.clone();
        block_on(self.runtime(), async move {
            let client = pool
                .get()
                .await
                .map_err(|e| LogError::Storage(format!("PostgreSQL connection: {e}")))?;
            query(client).await
        })
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

/// Runs `future` on `runtime` and waits on this thread for its result. Works from plain
/// threads and from inside another runtime's tasks (it blocks that worker like a disk read).
fn block_on<T: Send + 'static>(
    runtime: &tokio::runtime::Runtime,
    future: impl Future<Output = Result<T, LogError>> + Send + 'static,
) -> Result<T, LogError> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    runtime.spawn(async move {
        let _ = tx.send(future.await);
    });
    rx.recv().unwrap_or(Err(LogError::Closed))
}

/// A connection of its own, driven on the current runtime.
pub(crate) async fn connect(conninfo: &str) -> Result<Client, LogError> {
    let (client, connection) = tokio_postgres::connect(conninfo, NoTls)
        .await
        .map_err(sql_error)?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "PostgreSQL connection ended");
        }
    });
    Ok(client)
}

/// Follows the head other nodes commit: woken by `NOTIFY caseledger_log` (sent by every
/// committing append), and reading the head row every [`HEAD_POLL`] besides.
async fn follow_head(conninfo: String, pool: Pool, shared: Arc<Shared>) {
    use futures_util::StreamExt;
    loop {
        let listening = async {
            let (client, mut connection) = tokio_postgres::connect(&conninfo, NoTls)
                .await
                .map_err(sql_error)?;
            let (tx, mut notified) = mpsc::unbounded_channel();
            tokio::spawn(async move {
                let mut messages =
                    futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                while let Some(Ok(message)) = messages.next().await {
                    if let tokio_postgres::AsyncMessage::Notification(_) = message
                        && tx.send(()).is_err()
                    {
                        break;
                    }
                }
            });
            client
                .batch_execute("LISTEN caseledger_log")
                .await
                .map_err(sql_error)?;
            loop {
                let _ = tokio::time::timeout(HEAD_POLL, notified.recv()).await;
                if client.is_closed() {
                    return Err::<(), _>(LogError::Storage(
                        "the listening connection closed".into(),
                    ));
                }
                let head = reads::head(&client).await?;
                shared.advance(head);
            }
        };
        if let Err(e) = listening.await {
            tracing::debug!(error = %e, "following the PostgreSQL log's head; reconnecting");
            // Between connections, keep the head fresh through the pool if it answers.
            if let Ok(client) = pool.get().await
                && let Ok(head) = reads::head(&client).await
            {
                shared.advance(head);
            }
            tokio::time::sleep(HEAD_POLL).await;
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

/// A PostgreSQL error as the log reports it, with the server's message when it sent one.
pub(crate) fn sql_error(e: tokio_postgres::Error) -> LogError {
    match e.as_db_error() {
        Some(db) => LogError::Storage(format!(
            "PostgreSQL: {} ({})",
            db.message(),
            db.code().code()
        )),
        None => LogError::Storage(format!("PostgreSQL: {e}")),
    }
}

/// An event id as stored: 16 bytes, big-endian.
pub(crate) fn id_bytes(id: u128) -> Vec<u8> {
    id.to_be_bytes().to_vec()
}

/// An event id from its stored bytes.
pub(crate) fn id_from(bytes: &[u8]) -> Option<u128> {
    Some(u128::from_be_bytes(bytes.try_into().ok()?))
}

/// A chain hash from its stored bytes.
pub(crate) fn hash_from(bytes: &[u8]) -> Option<ChainHash> {
    bytes.try_into().ok()
}
