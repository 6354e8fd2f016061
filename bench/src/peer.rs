//! The append workload against PostgreSQL (`scripts/bench-peer.sh` starts one): an append-only
//! events table with a global sequence and a unique (stream, version), each event its own
//! autocommitted insert with `synchronous_commit=on`, so an append counts only once durable —
//! the same events, streams and concurrency as caseledger's append group. Then the same
//! workload through caseledger's own log on the same server (`log-postgres`), so the log's
//! bookkeeping (the head lock, the chain, idempotency) is measured against the raw table.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::failure::Failure;
use crate::figures::{Figures, percentile};

/// The events table: a global sequence, unique ids and a unique (stream, version).
pub(crate) const SCHEMA: &str = "DROP TABLE IF EXISTS events;
CREATE TABLE events (
    position bigserial PRIMARY KEY,
    stream text NOT NULL,
    version bigint NOT NULL,
    id bytea NOT NULL UNIQUE,
    payload bytea NOT NULL,
    UNIQUE (stream, version)
);";

/// The next version of the stream, computed in the insert; two writers racing on one stream
/// collide on the unique (stream, version) and the loser retries, as an optimistic append does.
const APPEND: &str = "INSERT INTO events (stream, version, id, payload)
SELECT $1, coalesce(max(version), 0) + 1, $2, $3 FROM events WHERE stream = $1";

/// A client of the peer, its connection driven on the runtime.
pub(crate) async fn connect(conninfo: &str) -> Result<tokio_postgres::Client, Failure> {
    let (client, connection) = tokio_postgres::connect(conninfo, tokio_postgres::NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "postgres connection closed");
        }
    });
    Ok(client)
}

/// The peer's version and durability setting, as the figures are printed under.
pub(crate) async fn describe(admin: &tokio_postgres::Client) -> Result<String, Failure> {
    let version: String = admin.query_one("SHOW server_version", &[]).await?.get(0);
    let sync: String = admin
        .query_one("SHOW synchronous_commit", &[])
        .await?
        .get(0);
    Ok(format!("PostgreSQL {version}, synchronous_commit={sync}"))
}

/// Runs the peer group: 1 and 64 writers, as the append group does.
pub fn run(conninfo: &str, quick: bool, figures: &mut Figures) -> Result<(), Failure> {
    let (single, concurrent) = if quick {
        (500, 20_000)
    } else {
        (3_000, 200_000)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let admin = connect(conninfo).await?;
        eprintln!("bench: {}", describe(&admin).await?);
        for (writers, total, label) in [(1, single, "1_writer"), (64, concurrent, "64_writers")] {
            admin.batch_execute(SCHEMA).await?;
            let per_writer = total / writers;
            let conninfo = Arc::new(conninfo.to_string());
            let started = Instant::now();
            let tasks: Vec<_> = (0..writers)
                .map(|w| {
                    let conninfo = conninfo.clone();
                    tokio::spawn(async move {
                        let db = connect(&conninfo).await?;
                        let append = db.prepare(APPEND).await?;
                        let mut latencies = Vec::with_capacity(per_writer);
                        for i in 0..per_writer {
                            let id = (((w as u128) << 64) | i as u128).to_be_bytes().to_vec();
                            let mut payload = format!(
                                "{{\"writer\":{w},\"seq\":{i},\"kind\":\"ServiceRecorded\"}}"
                            )
                            .into_bytes();
                            payload.resize(300, b' ');
                            let stream = format!("client-{}", i % 1000);
                            let t = Instant::now();
                            loop {
                                match db.execute(&append, &[&stream, &id, &payload]).await {
                                    Ok(_) => break,
                                    Err(e)
                                        if e.code()
                                            == Some(
                                                &tokio_postgres::error::SqlState::UNIQUE_VIOLATION,
                                            ) => {}
                                    Err(e) => return Err(Failure::from(e)),
                                }
                            }
                            latencies.push(t.elapsed().as_secs_f64());
                        }
                        Ok::<_, Failure>(latencies)
                    })
                })
                .collect();
            let mut all = Vec::with_capacity(total);
            for t in tasks {
                all.extend(
                    t.await
                        .map_err(|_| anyhow::anyhow!("peer writer panicked"))??,
                );
            }
            let elapsed = started
                .elapsed()
                .max(Duration::from_micros(1))
                .as_secs_f64();
            let rate = all.len() as f64 / elapsed;
            figures.add(
                format!("peer_postgres_{label}_events_per_s"),
                rate,
                "events/s",
            );
            figures.add(
                format!("peer_postgres_{label}_p50_us"),
                percentile(&all, 50.0) * 1e6,
                "µs",
            );
            figures.add(
                format!("peer_postgres_{label}_p99_us"),
                percentile(&all, 99.0) * 1e6,
                "µs",
            );
            if let Some(ours) = figures.get(&format!("append_{label}_events_per_s")) {
                figures.add(
                    format!("ratio_caseledger_to_postgres_{label}"),
                    ours / rate,
                    "×",
                );
            }
            let log = log_on_postgres(&admin, &conninfo, writers, total).await?;
            figures.add(
                format!("postgres_log_{label}_events_per_s"),
                log.rate,
                "events/s",
            );
            figures.add(
                format!("postgres_log_{label}_p50_us"),
                percentile(&log.latencies, 50.0) * 1e6,
                "µs",
            );
            figures.add(
                format!("postgres_log_{label}_p99_us"),
                percentile(&log.latencies, 99.0) * 1e6,
                "µs",
            );
            figures.add(
                format!("ratio_postgres_log_to_raw_postgres_{label}"),
                log.rate / rate,
                "×",
            );
        }
        Ok::<(), Failure>(())
    })
}

/// What one run of the workload through caseledger's PostgreSQL log measured.
struct LogRun {
    rate: f64,
    latencies: Vec<f64>,
}

/// The append workload through `PgLog` on a fresh database of the peer's server.
async fn log_on_postgres(
    admin: &tokio_postgres::Client,
    conninfo: &str,
    writers: usize,
    total: usize,
) -> Result<LogRun, Failure> {
    use caseledger_log_store::{AppendRequest, EventLog, ExpectedVersion, NewEvent};
    admin
        .batch_execute("DROP DATABASE IF EXISTS caseledger_bench_log")
        .await?;
    admin
        .batch_execute("CREATE DATABASE caseledger_bench_log")
        .await?;
    // A later keyword wins in a libpq connection string.
    let log =
        caseledger_log_postgres::PgLog::open(&format!("{conninfo} dbname=caseledger_bench_log"))?;
    let per_writer = total / writers;
    let started = Instant::now();
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let log = log.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(per_writer);
                for i in 0..per_writer {
                    let mut payload =
                        format!("{{\"writer\":{w},\"seq\":{i},\"kind\":\"ServiceRecorded\"}}")
                            .into_bytes();
                    payload.resize(300, b' ');
                    let request = AppendRequest::single(
                        format!("client-{}", i % 1000),
                        ExpectedVersion::Any,
                        vec![NewEvent {
                            id: ((w as u128) << 64) | i as u128,
                            payload,
                        }],
                    );
                    let t = Instant::now();
                    log.append(request).await?;
                    latencies.push(t.elapsed().as_secs_f64());
                }
                Ok::<_, Failure>(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(total);
    for t in tasks {
        latencies.extend(
            t.await
                .map_err(|_| anyhow::anyhow!("log writer panicked"))??,
        );
    }
    let elapsed = started
        .elapsed()
        .max(Duration::from_micros(1))
        .as_secs_f64();
    log.close();
    Ok(LogRun {
        rate: latencies.len() as f64 / elapsed,
        latencies,
    })
}
