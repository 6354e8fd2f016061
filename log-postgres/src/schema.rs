//! The log's tables, created and upgraded by numbered migrations kept in the repository
//! (`log-postgres/migrations/`) and compiled into the binary.
//!
//! Every node runs them on start; an advisory lock makes concurrent starts wait for one
//! another, and a database migrated by a newer build is refused rather than written by an
//! older one.

use caseledger_log_store::LogError;
use tokio_postgres::Client;

use crate::wire::sql_error;

/// The migrations, in order: (version, name, SQL). A new one is added at the end; a released
/// one is never edited.
const MIGRATIONS: &[(i32, &str, &str)] = &[
    (1, "log", include_str!("../migrations/0001_log.sql")),
    (2, "keys", include_str!("../migrations/0002_keys.sql")),
];

/// Key of the advisory lock migrations hold (`caseledger` in ASCII, truncated to 63 bits).
const MIGRATION_LOCK: i64 = 0x6361_7365_6c65_6467;

/// Brings the database's tables up to this build's version.
pub(crate) async fn migrate(client: &mut Client) -> Result<(), LogError> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS caseledger_schema_migrations (
                 version integer PRIMARY KEY,
                 name text NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now()
             )",
        )
        .await
        .or_else(|e| {
            // Two nodes creating the table at once: one wins, the other sees it exist.
            if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
                Ok(())
            } else {
                Err(sql_error(e))
            }
        })?;
    let tx = client.transaction().await.map_err(sql_error)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(sql_error)?;
    let applied: Vec<i32> = tx
        .query("SELECT version FROM caseledger_schema_migrations", &[])
        .await
        .map_err(sql_error)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let newest = MIGRATIONS.last().map_or(0, |m| m.0);
    if let Some(&beyond) = applied.iter().find(|&&v| v > newest) {
        return Err(LogError::Storage(format!(
            "the PostgreSQL log is at schema version {beyond}, newer than this build knows ({newest}): run the newer caseledger"
        )));
    }
    for &(version, name, sql) in MIGRATIONS {
        if applied.contains(&version) {
            continue;
        }
        tx.batch_execute(sql).await.map_err(sql_error)?;
        tx.execute(
            "INSERT INTO caseledger_schema_migrations (version, name) VALUES ($1, $2)",
            &[&version, &name],
        )
        .await
        .map_err(sql_error)?;
        tracing::info!(version, name, "PostgreSQL log schema migrated");
    }
    tx.commit().await.map_err(sql_error)
}
