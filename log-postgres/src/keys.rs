//! A table of sealed keys every node shares, next to the log: rows of (class, id) → sealed
//! bytes, or nothing once the key is destroyed, and the fingerprint of the key they are sealed
//! under. This crate knows nothing of what the keys are for: the service seals and opens them
//! (and says what the classes mean).
//!
//! Destroying rewrites the table (`VACUUM FULL`): an `UPDATE` leaves the old row version in
//! the table's pages, and a plain `VACUUM` may leave its bytes in a page's free space.

use std::time::Duration;

use caseledger_log_store::LogError;
use deadpool_postgres::Pool;
use tokio::runtime::Handle;
use tokio::sync::watch;
use tokio_postgres::Config;

use crate::wire::{id_bytes, id_from, sql_error, with_pooled};

/// Key of the advisory lock serving nodes hold shared and re-sealing takes alone (`keys in
/// use` in ASCII, truncated to 63 bits).
const IN_USE_LOCK: i64 = 0x6b65_7973_2069_6e20;

/// How long a rewrite waits for transactions that may still see a destroyed key's old row
/// version (a long report on another node, say) before it goes ahead without them.
const SNAPSHOT_WAIT: Duration = Duration::from_secs(30);

/// One stored key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRow {
    /// What kind of key (the caller's numbering).
    pub class: u8,
    /// Whose key, within its class.
    pub id: u128,
    /// The sealed key; `None` once destroyed.
    pub sealed: Option<Vec<u8>>,
}

/// A key to destroy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Destroy {
    /// Its class.
    pub class: u8,
    /// Its id.
    pub id: u128,
    /// Whether a key never stored gets a destroyed row, so none can be stored later.
    pub mark_if_absent: bool,
}

/// The shared key table of one PostgreSQL log ([`crate::PgLog::key_table`]). It works while
/// its log is open; afterwards every call fails with [`LogError::Closed`].
#[derive(Clone)]
pub struct KeyTable {
    pub(crate) pool: Pool,
    pub(crate) runtime: Handle,
    pub(crate) config: Config,
}

impl std::fmt::Debug for KeyTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyTable").finish_non_exhaustive()
    }
}

/// While held, this node is serving with the key table: [`KeyTable::reseal`] is refused on
/// every node. Dropping it releases the lock.
#[derive(Debug)]
pub struct InUse {
    _stop: watch::Sender<()>,
}

fn row(class: i16, id: &[u8], sealed: Option<Vec<u8>>) -> Result<KeyRow, LogError> {
    Ok(KeyRow {
        class: u8::try_from(class).map_err(|_| corrupt(format!("key class {class}")))?,
        id: id_from(id).ok_or_else(|| corrupt("a key id is not 16 bytes".into()))?,
        sealed,
    })
}

fn corrupt(reason: String) -> LogError {
    LogError::Storage(format!("the PostgreSQL key table: {reason}"))
}

/// The columns of `rows` as arrays, for `unnest`.
fn columns(rows: impl Iterator<Item = (u8, u128)>) -> (Vec<i16>, Vec<Vec<u8>>) {
    rows.map(|(class, id)| (i16::from(class), id_bytes(id)))
        .unzip()
}

impl KeyTable {
    fn run<T: Send + 'static, F>(
        &self,
        query: impl FnOnce(deadpool_postgres::Object) -> F + Send + 'static,
    ) -> Result<T, LogError>
    where
        F: std::future::Future<Output = Result<T, LogError>> + Send + 'static,
    {
        with_pooled(&self.pool, &self.runtime, query)
    }

    /// The fingerprint the keys are sealed under; `None` before [`KeyTable::create`].
    pub fn fingerprint(&self) -> Result<Option<String>, LogError> {
        self.run(|c| async move {
            let row = c
                .query_opt("SELECT fingerprint FROM caseledger_key_store", &[])
                .await
                .map_err(sql_error)?;
            Ok(row.map(|r| r.get(0)))
        })
    }

    /// Makes the key store, sealed under `fingerprint`, with `rows`, unless one exists (another
    /// node made it first): returns the fingerprint stored, which is `fingerprint` if this call
    /// made it. Rows are written only with a new store.
    pub fn create(&self, fingerprint: &str, rows: Vec<KeyRow>) -> Result<String, LogError> {
        let fingerprint = fingerprint.to_string();
        self.run(move |mut c| async move {
            let tx = c.transaction().await.map_err(sql_error)?;
            let made = tx
                .execute(
                    "INSERT INTO caseledger_key_store (fingerprint) VALUES ($1)
                     ON CONFLICT (only_row) DO NOTHING",
                    &[&fingerprint],
                )
                .await
                .map_err(sql_error)?;
            if made == 0 {
                let stored: String = tx
                    .query_one("SELECT fingerprint FROM caseledger_key_store", &[])
                    .await
                    .map_err(sql_error)?
                    .get(0);
                return Ok(stored);
            }
            insert(&tx, &rows).await?;
            tx.commit().await.map_err(sql_error)?;
            Ok(fingerprint)
        })
    }

    /// Every stored key, destroyed ones included.
    pub fn all(&self) -> Result<Vec<KeyRow>, LogError> {
        self.run(|c| async move {
            c.query("SELECT class, id, sealed FROM caseledger_keys", &[])
                .await
                .map_err(sql_error)?
                .iter()
                .map(|r| row(r.get(0), r.get(1), r.get(2)))
                .collect()
        })
    }

    /// The stored key of `(class, id)`, if there is a row.
    pub fn get(&self, class: u8, id: u128) -> Result<Option<KeyRow>, LogError> {
        self.run(move |c| async move {
            let statement = c
                .prepare_cached(
                    "SELECT class, id, sealed FROM caseledger_keys WHERE class = $1 AND id = $2",
                )
                .await
                .map_err(sql_error)?;
            c.query_opt(&statement, &[&i16::from(class), &id_bytes(id)])
                .await
                .map_err(sql_error)?
                .map(|r| row(r.get(0), r.get(1), r.get(2)))
                .transpose()
        })
    }

    /// Stores the keys of `rows`, sealed under `fingerprint`, that have no row yet (a stored
    /// one, made by another node in the meantime or destroyed, is kept) and returns what is
    /// stored for each, in order. Committed (durably) before it returns. Refused if the store
    /// is sealed under another key by now (re-sealed while this node ran): the rows would be
    /// sealed under the old one.
    pub fn add(&self, fingerprint: &str, rows: Vec<KeyRow>) -> Result<Vec<KeyRow>, LogError> {
        let fingerprint = fingerprint.to_string();
        self.run(move |mut c| async move {
            let tx = c.transaction().await.map_err(sql_error)?;
            // Shared with every other add, exclusive with a re-sealing.
            tx.execute("SELECT pg_advisory_xact_lock_shared($1)", &[&IN_USE_LOCK])
                .await
                .map_err(sql_error)?;
            let stored: Option<String> = tx
                .query_opt("SELECT fingerprint FROM caseledger_key_store", &[])
                .await
                .map_err(sql_error)?
                .map(|r| r.get(0));
            if stored.as_deref() != Some(fingerprint.as_str()) {
                return Err(LogError::Storage(format!(
                    "the PostgreSQL key store is sealed under {}, not this node's master key \
                     {fingerprint}: the master key was rotated; restart the node with the new key",
                    stored.as_deref().unwrap_or("nothing")
                )));
            }
            insert(&tx, &rows).await?;
            let (classes, ids) = columns(rows.iter().map(|r| (r.class, r.id)));
            let stored = tx
                .query(
                    "SELECT k.class, k.id, k.sealed
                     FROM unnest($1::smallint[], $2::bytea[]) WITH ORDINALITY AS u(class, id, n)
                     JOIN caseledger_keys k ON k.class = u.class AND k.id = u.id
                     ORDER BY u.n",
                    &[&classes, &ids],
                )
                .await
                .map_err(sql_error)?
                .iter()
                .map(|r| row(r.get(0), r.get(1), r.get(2)))
                .collect::<Result<Vec<_>, _>>()?;
            tx.commit().await.map_err(sql_error)?;
            Ok(stored)
        })
    }

    /// The ids of `class` with a live key below `below` (ids compare as big-endian bytes).
    pub fn live_below(&self, class: u8, below: u128) -> Result<Vec<u128>, LogError> {
        self.run(move |c| async move {
            c.query(
                "SELECT id FROM caseledger_keys
                 WHERE class = $1 AND id < $2 AND sealed IS NOT NULL ORDER BY id",
                &[&i16::from(class), &id_bytes(below)],
            )
            .await
            .map_err(sql_error)?
            .iter()
            .map(|r| id_from(r.get(0)).ok_or_else(|| corrupt("a key id is not 16 bytes".into())))
            .collect()
        })
    }

    /// Destroys the keys of `keys` in one transaction, then rewrites the table so that no
    /// version of a destroyed key stays in its files (see the module's comment). Returns how
    /// many rows changed; with none, nothing is rewritten.
    pub fn destroy(&self, keys: Vec<Destroy>) -> Result<u64, LogError> {
        let changed = self.run(move |mut c| async move {
            let tx = c.transaction().await.map_err(sql_error)?;
            let (classes, ids) = columns(keys.iter().map(|k| (k.class, k.id)));
            let marks: Vec<bool> = keys.iter().map(|k| k.mark_if_absent).collect();
            let updated = tx
                .execute(
                    "UPDATE caseledger_keys k SET sealed = NULL
                     FROM unnest($1::smallint[], $2::bytea[]) AS u(class, id)
                     WHERE k.class = u.class AND k.id = u.id AND k.sealed IS NOT NULL",
                    &[&classes, &ids],
                )
                .await
                .map_err(sql_error)?;
            let marked = tx
                .execute(
                    "INSERT INTO caseledger_keys (class, id, sealed)
                     SELECT class, id, NULL
                     FROM unnest($1::smallint[], $2::bytea[], $3::boolean[]) AS u(class, id, mark)
                     WHERE mark
                     ON CONFLICT (class, id) DO NOTHING",
                    &[&classes, &ids, &marks],
                )
                .await
                .map_err(sql_error)?;
            let xid: String = tx
                .query_one("SELECT pg_current_xact_id()::text", &[])
                .await
                .map_err(sql_error)?
                .get(0);
            tx.commit().await.map_err(sql_error)?;
            Ok((updated + marked, xid))
        })?;
        let (changed, xid) = changed;
        if changed > 0 {
            self.rewrite(&xid)?;
        }
        Ok(changed)
    }

    /// Replaces every row's sealed key and the fingerprint in one transaction, if the store is
    /// still sealed under `from` and no node is serving ([`KeyTable::in_use`]), then rewrites
    /// the table so that no key sealed under `from` stays in its files. `Ok(false)`: a node is
    /// serving, nothing changed.
    pub fn reseal(&self, from: &str, to: &str, rows: Vec<KeyRow>) -> Result<bool, LogError> {
        let (from, to) = (from.to_string(), to.to_string());
        let done = self.run(move |mut c| async move {
            let tx = c.transaction().await.map_err(sql_error)?;
            let alone: bool = tx
                .query_one("SELECT pg_try_advisory_xact_lock($1)", &[&IN_USE_LOCK])
                .await
                .map_err(sql_error)?
                .get(0);
            if !alone {
                return Ok(None);
            }
            let stored = tx
                .execute(
                    "UPDATE caseledger_key_store SET fingerprint = $2 WHERE fingerprint = $1",
                    &[&from, &to],
                )
                .await
                .map_err(sql_error)?;
            if stored != 1 {
                return Err(LogError::Storage(format!(
                    "the PostgreSQL key store is no longer sealed under {from}"
                )));
            }
            let xid: String = tx
                .query_one("SELECT pg_current_xact_id()::text", &[])
                .await
                .map_err(sql_error)?
                .get(0);
            let (classes, ids) = columns(rows.iter().map(|r| (r.class, r.id)));
            let sealed: Vec<Option<Vec<u8>>> = rows.into_iter().map(|r| r.sealed).collect();
            tx.execute(
                "UPDATE caseledger_keys k SET sealed = u.sealed
                 FROM unnest($1::smallint[], $2::bytea[], $3::bytea[]) AS u(class, id, sealed)
                 WHERE k.class = u.class AND k.id = u.id",
                &[&classes, &ids, &sealed],
            )
            .await
            .map_err(sql_error)?;
            let left: i64 = tx
                .query_one(
                    "SELECT count(*) FROM caseledger_keys k
                     WHERE k.sealed IS NOT NULL AND NOT EXISTS (
                         SELECT 1 FROM unnest($1::smallint[], $2::bytea[]) AS u(class, id)
                         WHERE k.class = u.class AND k.id = u.id)",
                    &[&classes, &ids],
                )
                .await
                .map_err(sql_error)?
                .get(0);
            if left > 0 {
                return Err(LogError::Storage(format!(
                    "{left} keys in the PostgreSQL key store were not re-sealed (added while \
                     re-sealing); nothing changed"
                )));
            }
            tx.commit().await.map_err(sql_error)?;
            Ok(Some(xid))
        })?;
        match done {
            Some(xid) => {
                self.rewrite(&xid)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// `VACUUM FULL`: the table written anew, its old files removed. It copies the row versions
    /// a running transaction may still see — its own snapshot counts every transaction running
    /// on the server, in any database — so it first waits (at most [`SNAPSHOT_WAIT`]) until
    /// every transaction older than the change `xid` made has ended. It
    /// locks the table for its length (seconds per million keys), which only forgetting and
    /// rotation pay.
    fn rewrite(&self, xid: &str) -> Result<(), LogError> {
        let xid = xid.to_string();
        self.run(move |c| async move {
            let waited = std::time::Instant::now();
            loop {
                // The oldest transaction running anywhere on the server is newer than the
                // change: no snapshot (the rewrite's own included, which is what holds the
                // horizon back) can see the old row versions any more.
                let past: bool = c
                    .query_one(
                        "SELECT pg_snapshot_xmin(pg_current_snapshot()) > $1::text::xid8",
                        &[&xid],
                    )
                    .await
                    .map_err(sql_error)?
                    .get(0);
                if past {
                    break;
                }
                if waited.elapsed() > SNAPSHOT_WAIT {
                    tracing::warn!(
                        "rewriting the key table while older transactions run: the destroyed \
                         keys' old row versions stay until the next rewrite"
                    );
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            c.batch_execute("VACUUM (FULL) caseledger_keys")
                .await
                .map_err(sql_error)
        })
    }

    /// Marks this node as serving with the key table until the guard is dropped: a shared
    /// advisory lock on a connection of its own, taken again after a reconnection.
    pub fn in_use(&self) -> InUse {
        let (stop, mut stopped) = watch::channel(());
        let config = self.config.clone();
        self.runtime.spawn(async move {
            loop {
                let held = async {
                    let client = crate::wire::connect(&config).await?;
                    client
                        .execute("SELECT pg_advisory_lock_shared($1)", &[&IN_USE_LOCK])
                        .await
                        .map_err(sql_error)?;
                    Ok::<_, LogError>(client)
                };
                match held.await {
                    Ok(client) => {
                        // Held as long as the session lives; a failed ping means it ended.
                        loop {
                            tokio::select! {
                                _ = stopped.changed() => return,
                                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                            }
                            if client.simple_query("SELECT 1").await.is_err() {
                                break;
                            }
                        }
                        tracing::warn!("the key table's in-use lock was lost; taking it again");
                    }
                    Err(e) => tracing::warn!(error = %e, "the key table's in-use lock not taken"),
                }
                tokio::select! {
                    _ = stopped.changed() => return,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        });
        InUse { _stop: stop }
    }
}

/// Inserts `rows` that have no row yet.
async fn insert(tx: &tokio_postgres::Transaction<'_>, rows: &[KeyRow]) -> Result<(), LogError> {
    let (classes, ids) = columns(rows.iter().map(|r| (r.class, r.id)));
    let sealed: Vec<Option<&[u8]>> = rows.iter().map(|r| r.sealed.as_deref()).collect();
    tx.execute(
        "INSERT INTO caseledger_keys (class, id, sealed)
         SELECT * FROM unnest($1::smallint[], $2::bytea[], $3::bytea[])
         ON CONFLICT (class, id) DO NOTHING",
        &[&classes, &ids, &sealed],
    )
    .await
    .map_err(sql_error)?;
    Ok(())
}
