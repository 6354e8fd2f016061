//! What every part of the PostgreSQL log speaks with: its connections, its errors, and the
//! stored forms of ids and hashes.

use caseledger_log_store::{ChainHash, LogError};
use tokio_postgres::{Client, Config, NoTls};

/// How long a connection attempt may take when the connection string does not say: without
/// a bound, an unreachable host over TCP would hold a read, the writer or a failover for
/// minutes.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The connection string, parsed, with [`CONNECT_TIMEOUT`] where it sets none.
pub(crate) fn config(conninfo: &str) -> Result<Config, LogError> {
    let mut config: Config = conninfo
        .parse()
        .map_err(|e| LogError::Storage(format!("the PostgreSQL connection string: {e}")))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    Ok(config)
}

/// A connection of its own, driven on the current runtime.
pub(crate) async fn connect(config: &Config) -> Result<Client, LogError> {
    let (client, connection) = config.connect(NoTls).await.map_err(sql_error)?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "PostgreSQL connection ended");
        }
    });
    Ok(client)
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

/// Runs `future` on the runtime of `handle` and waits on this thread for its result. Works from
/// plain threads and from inside another runtime's tasks (it blocks that worker like a disk
/// read).
pub(crate) fn block_on<T: Send + 'static>(
    handle: &tokio::runtime::Handle,
    future: impl std::future::Future<Output = Result<T, LogError>> + Send + 'static,
) -> Result<T, LogError> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    handle.spawn(async move {
        let _ = tx.send(future.await);
    });
    rx.recv().unwrap_or(Err(LogError::Closed))
}

/// Runs `query` with a connection of `pool` on the runtime of `handle`, and waits on this thread
/// for its answer (see [`block_on`]).
pub(crate) fn with_pooled<T: Send + 'static, F>(
    pool: &deadpool_postgres::Pool,
    handle: &tokio::runtime::Handle,
    query: impl FnOnce(deadpool_postgres::Object) -> F + Send + 'static,
) -> Result<T, LogError>
where
    F: std::future::Future<Output = Result<T, LogError>> + Send + 'static,
{
    let pool = pool.clone();
    block_on(handle, async move {
        let client = pool
            .get()
            .await
            .map_err(|e| LogError::Storage(format!("PostgreSQL connection: {e}")))?;
        query(client).await
    })
}
