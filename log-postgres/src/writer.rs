//! The node's writer: group commit into one PostgreSQL transaction.
//!
//! Appends queued on this node are taken together (up to a batch limit) and planned by
//! log-store's one planner against the stored state read inside the transaction, after the
//! head row is locked. Every node's writer locks that row first, so appending transactions run
//! one after another across all nodes, each starting from the head the previous one committed;
//! that is what keeps positions gapless and visible in order (ARCHITECTURE.md "Positions on
//! PostgreSQL"). Each request is answered only after the commit returned; when the commit's
//! outcome is unknown (the connection broke), every request of the batch is answered with a
//! storage error, and a retry with the same event ids is answered from the log if the commit
//! did happen.

use std::collections::HashMap;
use std::sync::Arc;

use caseledger_log_store::plan::{BatchPlan, Lookup, StoredId};
use caseledger_log_store::{AppendRequest, Appended, ChainHash, Head, LogError};
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Config, Statement};

use crate::head::Shared;
use crate::wire::{connect, hash_from, id_bytes, id_from, sql_error};

/// Most events one transaction carries.
const MAX_BATCH: usize = 10_000;

/// One queued append and where its answer goes.
pub(crate) struct Job {
    pub request: AppendRequest,
    pub reply: oneshot::Sender<Result<Appended, LogError>>,
}

/// Runs until every sender is gone.
pub(crate) async fn run(config: Config, shared: Arc<Shared>, mut rx: mpsc::UnboundedReceiver<Job>) {
    let mut connection: Option<Connection> = None;
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        let mut events = jobs[0].request.len();
        while events < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => {
                    events += job.request.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        if connection.as_ref().is_none_or(|c| c.client.is_closed()) {
            connection = match Connection::open(&config).await {
                Ok(c) => Some(c),
                Err(e) => {
                    tracing::warn!(error = %e, "the PostgreSQL log is unreachable; appends refused until it answers");
                    answer_all(jobs, &e);
                    continue;
                }
            };
        }
        let c = connection.as_ref().expect("connected above");
        if let Err((jobs, e)) = commit_batch(c, &shared, jobs).await {
            tracing::warn!(error = %e, "a PostgreSQL log commit failed; its appends were refused (a retry is answered from the log if it did commit)");
            answer_all(jobs, &e);
        }
    }
}

fn answer_all(jobs: Vec<Job>, error: &LogError) {
    for job in jobs {
        let _ = job.reply.send(Err(LogError::Storage(error.to_string())));
    }
}

/// What the planner asks, answered from rows read inside the transaction.
struct Prefetched {
    versions: HashMap<String, Option<u64>>,
    ids: HashMap<u128, (String, u64, u64, Vec<u8>)>,
}

impl Lookup for Prefetched {
    fn stream_version(&mut self, stream: &str) -> Result<Option<u64>, LogError> {
        self.versions.get(stream).copied().ok_or_else(|| {
            LogError::Storage(format!("stream `{stream}` was not read before planning"))
        })
    }

    fn stored(
        &mut self,
        id: u128,
        stream: &str,
        payload: &[u8],
    ) -> Result<Option<StoredId>, LogError> {
        Ok(self.ids.get(&id).map(|(s, position, version, p)| StoredId {
            position: *position,
            version: *version,
            same: s == stream && p.as_slice() == payload,
        }))
    }
}

/// The writer's connection and its statements, prepared once.
struct Connection {
    client: Client,
    lock: Statement,
    versions: Statement,
    ids: Statement,
    write: Statement,
}

impl Connection {
    async fn open(config: &Config) -> Result<Connection, LogError> {
        let client = connect(config).await?;
        let (lock, versions, ids, write) = tokio::try_join!(
            client.prepare("SELECT position, hash FROM caseledger_log_head FOR UPDATE"),
            client.prepare(
                "SELECT stream, max(version) FROM caseledger_events WHERE stream = ANY($1) GROUP BY stream"
            ),
            client.prepare(
                "SELECT id, stream, position, version, payload FROM caseledger_events WHERE id = ANY($1)"
            ),
            // The records, the head row and the wake-up of other nodes, in one statement.
            client.prepare(
                "WITH records AS (
                     INSERT INTO caseledger_events (position, stream, version, id, payload, hash)
                     SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bytea[], $5::bytea[], $6::bytea[])
                 ), head AS (
                     UPDATE caseledger_log_head SET position = $7, hash = $8
                 )
                 SELECT pg_notify('caseledger_log', $9)"
            ),
        )
        .map_err(sql_error)?;
        Ok(Connection {
            client,
            lock,
            versions,
            ids,
            write,
        })
    }
}

/// Plans, writes and commits one batch, then answers its jobs. On a storage failure the jobs
/// are handed back unanswered with the error.
///
/// Two round trips: `BEGIN`, the head lock and the two lookups are sent together (the server
/// runs them in order, so the lookups read after the lock is held); then the write and `COMMIT`.
async fn commit_batch(
    c: &Connection,
    shared: &Shared,
    jobs: Vec<Job>,
) -> Result<(), (Vec<Job>, LogError)> {
    let mut ids = Vec::new();
    let mut streams: Vec<&str> = Vec::new();
    for job in &jobs {
        for part in &job.request.parts {
            if !streams.contains(&part.stream.as_str()) {
                streams.push(&part.stream);
            }
            ids.extend(part.events.iter().map(|e| id_bytes(e.id)));
        }
    }
    let (stream_params, id_params): ([&(dyn ToSql + Sync); 1], [&(dyn ToSql + Sync); 1]) =
        ([&streams], [&ids]);
    let looked_up = tokio::try_join!(
        c.client.batch_execute("BEGIN"),
        c.client.query_one(&c.lock, &[]),
        c.client.query(&c.versions, &stream_params),
        c.client.query(&c.ids, &id_params),
    );
    let (_, head_row, version_rows, id_rows) = match looked_up {
        Ok(rows) => rows,
        Err(e) => {
            let _ = c.client.batch_execute("ROLLBACK").await;
            return Err((jobs, sql_error(e)));
        }
    };
    let position = head_row.get::<_, i64>(0) as u64;
    let Some(hash) = hash_from(head_row.get(1)) else {
        let _ = c.client.batch_execute("ROLLBACK").await;
        return Err((
            jobs,
            LogError::Corrupt {
                position,
                reason: "the head row's hash is not 32 bytes".into(),
            },
        ));
    };
    let head = Head { position, hash };
    // Versions are read under the lock in the same round trip as the lock itself, so nothing
    // is kept from batch to batch (another node may have appended in between).
    let mut prefetched = Prefetched {
        versions: streams.iter().map(|s| (s.to_string(), None)).collect(),
        ids: HashMap::new(),
    };
    for row in version_rows {
        let stream: String = row.get(0);
        prefetched
            .versions
            .insert(stream, Some(row.get::<_, i64>(1) as u64));
    }
    for row in id_rows {
        if let Some(id) = id_from(row.get(0)) {
            prefetched.ids.insert(
                id,
                (
                    row.get(1),
                    row.get::<_, i64>(2) as u64,
                    row.get::<_, i64>(3) as u64,
                    row.get(4),
                ),
            );
        }
    }

    let mut plan = BatchPlan::new(head, HashMap::new());
    let mut answers = Vec::with_capacity(jobs.len());
    let mut replies = Vec::with_capacity(jobs.len());
    for job in jobs {
        answers.push(plan.add(&mut prefetched, job.request));
        replies.push(job.reply);
    }
    // From here on a failure hands back jobs without requests: only their replies matter.
    let unanswered = |replies: Vec<oneshot::Sender<_>>| {
        replies
            .into_iter()
            .map(|reply| Job {
                request: AppendRequest::default(),
                reply,
            })
            .collect::<Vec<_>>()
    };
    if !plan.is_empty() {
        let started = std::time::Instant::now();
        let n = plan.records().len();
        let (mut positions, mut stream_col, mut version_col) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let (mut id_col, mut payload_col, mut hash_col) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let committed = plan.chain(|r, _, hash: &ChainHash| {
            positions.push(r.position as i64);
            stream_col.push(plan.stream_name(r.stream));
            version_col.push(r.version as i64);
            id_col.push(id_bytes(r.id));
            payload_col.push(r.payload.as_slice());
            hash_col.push(hash.to_vec());
        });
        let head_position = committed.position as i64;
        let head_hash = committed.hash.as_slice();
        let notice = committed.position.to_string();
        let params: [&(dyn ToSql + Sync); 9] = [
            &positions,
            &stream_col,
            &version_col,
            &id_col,
            &payload_col,
            &hash_col,
            &head_position,
            &head_hash,
            &notice,
        ];
        let (written, commit) = tokio::join!(
            c.client.query_one(&c.write, &params),
            // In a transaction the write failed, COMMIT rolls back and says so by its tag
            // only: the write's own result decides.
            c.client.batch_execute("COMMIT"),
        );
        if let Err(e) = written.map(drop).and(commit) {
            return Err((unanswered(replies), sql_error(e)));
        }
        shared.advance(committed);
        // The same figures as the embedded log's, so one dashboard reads either backend.
        metrics::histogram!("caseledger_log_commit_seconds")
            .record(started.elapsed().as_secs_f64());
        metrics::histogram!("caseledger_log_commit_events").record(n as f64);
    } else if let Err(e) = c.client.batch_execute("ROLLBACK").await {
        return Err((unanswered(replies), sql_error(e)));
    }
    for (reply, answer) in replies.into_iter().zip(answers) {
        let _ = reply.send(answer);
    }
    Ok(())
}
