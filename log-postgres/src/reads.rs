//! The log's reads, in SQL.
//!
//! Reads by position return a gapless run: a row past a missing position is never returned
//! (by the head-row lock no reader can see one, ARCHITECTURE.md "Positions on PostgreSQL"; the
//! check costs nothing and keeps a damaged table from skipping events silently).

use std::sync::Arc;

use caseledger_log_store::{Head, LogError, LogStats, Position, RecordedEvent};
use deadpool_postgres::ClientWrapper as Pooled;
use tokio_postgres::{Client, Row};

use crate::wire::{hash_from, id_bytes, id_from, sql_error};

/// Rows per read while verifying.
pub(crate) const VERIFY_PAGE: usize = 10_000;

const COLUMNS: &str = "position, stream, version, id, payload, hash";

/// A stored row as the log's record.
fn recorded(row: &Row) -> Result<RecordedEvent, LogError> {
    let position = row.get::<_, i64>(0) as Position;
    let corrupt = |reason: &str| LogError::Corrupt {
        position,
        reason: reason.into(),
    };
    Ok(RecordedEvent {
        position,
        stream: Arc::from(row.get::<_, &str>(1)),
        version: row.get::<_, i64>(2) as u64,
        id: id_from(row.get(3)).ok_or_else(|| corrupt("event id is not 16 bytes"))?,
        payload: row.get(4),
        hash: hash_from(row.get(5)).ok_or_else(|| corrupt("chain hash is not 32 bytes"))?,
    })
}

/// The stored head row.
pub(crate) async fn head(client: &Client) -> Result<Head, LogError> {
    let row = client
        .query_one("SELECT position, hash FROM caseledger_log_head", &[])
        .await
        .map_err(sql_error)?;
    let position = row.get::<_, i64>(0) as Position;
    Ok(Head {
        position,
        hash: hash_from(row.get(1)).ok_or_else(|| LogError::Corrupt {
            position,
            reason: "the head row's hash is not 32 bytes".into(),
        })?,
    })
}

/// Up to `limit` events from position `from` on, stopping before any gap.
pub(crate) async fn from_position(
    client: &Pooled,
    from: Position,
    limit: usize,
) -> Result<Vec<RecordedEvent>, LogError> {
    let statement = client
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM caseledger_events WHERE position >= $1 ORDER BY position LIMIT $2"
        ))
        .await
        .map_err(sql_error)?;
    let rows = client
        .query(
            &statement,
            &[&(from as i64), &(limit.min(i64::MAX as usize) as i64)],
        )
        .await
        .map_err(sql_error)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let r = recorded(row)?;
        if r.position != from + out.len() as u64 {
            break;
        }
        out.push(r);
    }
    Ok(out)
}

/// The events at `positions`, in the order asked.
pub(crate) async fn at_positions(
    client: &Pooled,
    positions: &[Position],
) -> Result<Vec<RecordedEvent>, LogError> {
    if positions.is_empty() {
        return Ok(Vec::new());
    }
    let asked: Vec<i64> = positions.iter().map(|&p| p as i64).collect();
    let statement = client
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM caseledger_events WHERE position = ANY($1)"
        ))
        .await
        .map_err(sql_error)?;
    let rows = client
        .query(&statement, &[&asked])
        .await
        .map_err(sql_error)?;
    let mut found = std::collections::HashMap::with_capacity(rows.len());
    for row in &rows {
        let r = recorded(row)?;
        found.insert(r.position, r);
    }
    positions
        .iter()
        .map(|&position| {
            found
                .get(&position)
                .cloned()
                .ok_or_else(|| LogError::Corrupt {
                    position,
                    reason: "not a durable position".into(),
                })
        })
        .collect()
}

/// Up to `limit` events of `stream` from version `from_version` on.
pub(crate) async fn stream(
    client: &Pooled,
    stream: &str,
    from_version: u64,
    limit: usize,
) -> Result<Vec<RecordedEvent>, LogError> {
    let statement = client
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM caseledger_events WHERE stream = $1 AND version >= $2 ORDER BY version LIMIT $3"
        ))
        .await
        .map_err(sql_error)?;
    let rows = client
        .query(
            &statement,
            &[
                &stream,
                &(from_version.max(1) as i64),
                &(limit.min(i64::MAX as usize) as i64),
            ],
        )
        .await
        .map_err(sql_error)?;
    rows.iter().map(recorded).collect()
}

/// The event with id `id`.
pub(crate) async fn event(client: &Pooled, id: u128) -> Result<Option<RecordedEvent>, LogError> {
    let statement = client
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM caseledger_events WHERE id = $1"
        ))
        .await
        .map_err(sql_error)?;
    let row = client
        .query_opt(&statement, &[&id_bytes(id)])
        .await
        .map_err(sql_error)?;
    row.as_ref().map(recorded).transpose()
}

/// The stream's last version.
pub(crate) async fn stream_version(client: &Pooled, stream: &str) -> Result<Option<u64>, LogError> {
    let statement = client
        .prepare_cached("SELECT max(version) FROM caseledger_events WHERE stream = $1")
        .await
        .map_err(sql_error)?;
    let row = client
        .query_one(&statement, &[&stream])
        .await
        .map_err(sql_error)?;
    Ok(row.get::<_, Option<i64>>(0).map(|v| v as u64))
}

/// Sizes for operators: the records' bytes as the embedded log would store them, the stream
/// count, and the tables' size on disk with their indexes.
pub(crate) async fn stats(client: &Pooled, head: Head) -> Result<LogStats, LogError> {
    let row = client
        .query_one(
            "SELECT coalesce(sum(1 + 2 + octet_length(stream) + 8 + 16 + octet_length(payload) + 32), 0)::bigint,
                    count(DISTINCT stream)::bigint,
                    (pg_total_relation_size('caseledger_events') + pg_total_relation_size('caseledger_log_head'))::bigint
             FROM caseledger_events",
            &[],
        )
        .await
        .map_err(sql_error)?;
    Ok(LogStats {
        head,
        record_bytes: row.get::<_, i64>(0) as u64,
        streams: row.get::<_, i64>(1) as u64,
        disk_bytes: row.get::<_, i64>(2) as u64,
    })
}
