//! The append workload against PostgreSQL (`scripts/bench-peer.sh` starts one): an append-only
//! events table with a global sequence and a unique (stream, version), each event its own
//! autocommitted insert with `synchronous_commit=on`, so an append counts only once durable —
//! the same events, streams and concurrency as caseledger's append group.

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
        }
        Ok::<(), Failure>(())
    })
}
