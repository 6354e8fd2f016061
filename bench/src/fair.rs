//! The fair append benchmark (`--only fair`): caseledger's log and PostgreSQL at its best on the
//! same workload, alternated within one run.
//!
//! Why the old `append`/`peer` ratios flattered us: their writers chose streams as `i % 1000`
//! in lockstep, so each group commit landed on one stream (our best case: one stream lookup
//! per batch) while PostgreSQL's writers collided on one stream's next version and retried
//! (its worst case). Here every writer draws its stream independently — uniformly over 1,000
//! streams, or Zipf-skewed (s = 1) — ids are ULIDs as the service makes them, and every append
//! waits for its own durable acknowledgement. The PostgreSQL peer appends as a well-written
//! PostgreSQL event store does: one autocommitted statement that takes the stream's next
//! version from a per-stream row (its row lock orders writers of one stream; no retries) and
//! the global position from a sequence, readers going by the committed high-water mark.
//!
//! Each point runs `warm-up + seconds` per system; rounds alternate which system goes first;
//! figures are each system's median over rounds, percentiles from one HDR histogram over all
//! rounds, and the per-round ratios' median and spread.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use caseledger_log_store::{
    AppendRequest, EventLog, ExpectedVersion, NewEvent, SledLog, SledLogOptions,
};
use hdrhistogram::Histogram;
use rand::{Rng, SeedableRng};
use rand_distr::Distribution;

use crate::failure::Failure;
use crate::figures::Figures;
use crate::peer::connect;

/// Streams the writers draw from.
pub(crate) const STREAMS: u64 = 1_000;

/// The name of stream number `n` (of [`STREAMS`]).
pub(crate) fn stream_name(n: u64) -> String {
    format!("client-{n}")
}

/// How writers draw their streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Workload {
    /// Every stream equally likely.
    Uniform,
    /// Zipf-skewed, s = 1: a few hot streams.
    Zipf,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::Uniform => "uniform",
            Workload::Zipf => "zipf",
        }
    }
}

/// The settings of a run.
#[derive(Debug, Clone)]
pub struct FairSettings {
    /// Measured seconds per point.
    pub seconds: f64,
    /// Unmeasured seconds before them.
    pub warmup: f64,
    /// Rounds (each runs every point on both systems).
    pub rounds: usize,
    /// Writer counts.
    pub writers: Vec<usize>,
    /// Event payload sizes in bytes.
    pub sizes: Vec<usize>,
}

impl FairSettings {
    /// The settings (20 s points, 3 rounds, 1/4/16/64 writers, 256 B), or a quick look.
    pub fn new(quick: bool) -> Self {
        if quick {
            FairSettings {
                seconds: 2.0,
                warmup: 0.5,
                rounds: 1,
                writers: vec![1, 16, 64],
                sizes: vec![256],
            }
        } else {
            FairSettings {
                seconds: 20.0,
                warmup: 2.0,
                rounds: 3,
                writers: vec![1, 4, 16, 64],
                sizes: vec![256],
            }
        }
    }
}

/// One append as a writer makes it: `(stream, id, payload)` to durable.
type AppendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), Failure>> + Send + 'a>>;

/// A system under test, as one writer holds it.
trait Appender: Send {
    fn append<'a>(&'a mut self, stream: &'a str, id: u128, payload: &'a [u8]) -> AppendFuture<'a>;
}

struct LogWriter(Arc<SledLog>);

impl Appender for LogWriter {
    fn append<'a>(&'a mut self, stream: &'a str, id: u128, payload: &'a [u8]) -> AppendFuture<'a> {
        Box::pin(async move {
            let request = AppendRequest::single(
                stream,
                ExpectedVersion::Any,
                vec![NewEvent {
                    id,
                    payload: payload.to_vec(),
                }],
            );
            self.0.append(request).await?;
            Ok(())
        })
    }
}

struct PostgresWriter {
    client: tokio_postgres::Client,
    append: tokio_postgres::Statement,
}

/// Beside the peer group's events table: each stream's last version.
const STREAMS_SCHEMA: &str = "DROP TABLE IF EXISTS streams;
CREATE TABLE streams (stream text PRIMARY KEY, version bigint NOT NULL);";

/// The stream's next version from its row (locked until commit: writers of one stream queue,
/// none retries), the position from the sequence.
const PEER_APPEND: &str = "WITH v AS (
    INSERT INTO streams (stream, version) VALUES ($1, 1)
    ON CONFLICT (stream) DO UPDATE SET version = streams.version + 1
    RETURNING version)
INSERT INTO events (stream, version, id, payload) SELECT $1, v.version, $2, $3 FROM v";

impl Appender for PostgresWriter {
    fn append<'a>(&'a mut self, stream: &'a str, id: u128, payload: &'a [u8]) -> AppendFuture<'a> {
        Box::pin(async move {
            let id = id.to_be_bytes();
            self.client
                .execute(&self.append, &[&stream, &&id[..], &payload])
                .await?;
            Ok(())
        })
    }
}

/// What one point measured.
pub(crate) struct Point {
    /// Measured appends per second.
    pub(crate) rate: f64,
    /// Latencies of the measured appends, in microseconds.
    pub(crate) latencies: Histogram<u64>,
}

/// Runs `writers` writers appending to `log` for `warmup` seconds and then `seconds` measured.
pub(crate) async fn drive_log(
    warmup: f64,
    seconds: f64,
    workload: Workload,
    size: usize,
    writers: usize,
    log: &Arc<SledLog>,
) -> Result<Point, Failure> {
    drive(warmup, seconds, workload, size, writers, || {
        let log = log.clone();
        async move { Ok(LogWriter(log)) }
    })
    .await
}

/// Runs `writers` writers against the appenders `make` makes, for the warm-up and then the
/// measured time; latencies in microseconds of the measured appends.
async fn drive<A, F, Fut>(
    warmup: f64,
    seconds: f64,
    workload: Workload,
    size: usize,
    writers: usize,
    make: F,
) -> Result<Point, Failure>
where
    A: Appender + 'static,
    F: Fn() -> Fut,
    Fut: Future<Output = Result<A, Failure>>,
{
    let mut appenders = Vec::with_capacity(writers);
    for _ in 0..writers {
        appenders.push(make().await?);
    }
    let zipf = rand_distr::Zipf::new(STREAMS as f64, 1.0).expect("a valid Zipf");
    let start = Instant::now();
    let measure_from = start + Duration::from_secs_f64(warmup);
    let until = measure_from + Duration::from_secs_f64(seconds);
    let tasks: Vec<_> = appenders
        .into_iter()
        .enumerate()
        .map(|(w, mut appender)| {
            tokio::spawn(async move {
                let mut rng = rand::rngs::SmallRng::seed_from_u64(w as u64 + 1);
                let mut histogram =
                    Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("bounds");
                let mut payload = vec![0u8; size];
                loop {
                    let now = Instant::now();
                    if now >= until {
                        break;
                    }
                    let stream_number = match workload {
                        Workload::Uniform => rng.random_range(0..STREAMS),
                        Workload::Zipf => zipf.sample(&mut rng) as u64 - 1,
                    };
                    let stream = stream_name(stream_number);
                    rng.fill(&mut payload[..]);
                    let id = ulid::Ulid::new().0;
                    let t = Instant::now();
                    appender.append(&stream, id, &payload).await?;
                    if t >= measure_from {
                        histogram.saturating_record(t.elapsed().as_micros() as u64);
                    }
                }
                Ok::<_, Failure>(histogram)
            })
        })
        .collect();
    let mut all = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("bounds");
    for task in tasks {
        let h = task
            .await
            .map_err(|_| anyhow::anyhow!("fair benchmark writer panicked"))??;
        all.add(&h).expect("same bounds");
    }
    Ok(Point {
        rate: all.len() as f64 / seconds,
        latencies: all,
    })
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// The runtime the writers run on: 2 workers, as request handlers have on this machine.
pub(crate) fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// A new log with the default (durable) options in a new directory under `scratch`, which
/// goes when the returned guard drops.
pub(crate) fn fresh_log(scratch: &Path) -> Result<(tempfile::TempDir, Arc<SledLog>), Failure> {
    let dir = tempfile::tempdir_in(scratch)?;
    let log = SledLog::open_with(dir.path(), SledLogOptions::default())?;
    Ok((dir, log))
}

/// Runs every point on both systems, `settings.rounds` times, and adds the figures.
pub fn run(
    conninfo: &str,
    settings: &FairSettings,
    scratch: &Path,
    figures: &mut Figures,
) -> Result<(), Failure> {
    runtime()?.block_on(async {
        let admin = connect(conninfo).await?;
        eprintln!(
            "bench: fair appends against {}",
            crate::peer::describe(&admin).await?
        );
        for &size in &settings.sizes {
            for workload in [Workload::Uniform, Workload::Zipf] {
                for &writers in &settings.writers {
                    let label = format!("fair_{}_{size}b_{writers}_writers", workload.name());
                    let mut ours = Vec::new();
                    let mut theirs = Vec::new();
                    let mut ratios = Vec::new();
                    let mut our_latencies = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)
                        .expect("bounds");
                    let mut their_latencies = our_latencies.clone();
                    for round in 0..settings.rounds {
                        let (mut ours_point, mut theirs_point) = (None, None);
                        // Alternate who goes first, so neither always meets a warmer disk.
                        for ours_now in [round % 2 == 0, round % 2 != 0] {
                            if ours_now {
                                let (_dir, log) = fresh_log(scratch)?;
                                let point = drive_log(
                                    settings.warmup,
                                    settings.seconds,
                                    workload,
                                    size,
                                    writers,
                                    &log,
                                )
                                .await?;
                                log.close();
                                ours_point = Some(point);
                            } else {
                                admin.batch_execute(crate::peer::SCHEMA).await?;
                                admin.batch_execute(STREAMS_SCHEMA).await?;
                                let point = drive(
                                    settings.warmup,
                                    settings.seconds,
                                    workload,
                                    size,
                                    writers,
                                    || async {
                                        let client = connect(conninfo).await?;
                                        let append = client.prepare(PEER_APPEND).await?;
                                        Ok(PostgresWriter { client, append })
                                    },
                                )
                                .await?;
                                theirs_point = Some(point);
                            }
                        }
                        let (o, t) = (ours_point.expect("ran"), theirs_point.expect("ran"));
                        eprintln!(
                            "bench: {label} round {}: caseledger {:.0}/s, PostgreSQL {:.0}/s ({:.2}×)",
                            round + 1,
                            o.rate,
                            t.rate,
                            o.rate / t.rate
                        );
                        ratios.push(o.rate / t.rate);
                        ours.push(o.rate);
                        theirs.push(t.rate);
                        our_latencies.add(&o.latencies).expect("same bounds");
                        their_latencies.add(&t.latencies).expect("same bounds");
                    }
                    figures.add(format!("{label}_caseledger_events_per_s"), median(&mut ours), "events/s");
                    figures.add(format!("{label}_postgres_events_per_s"), median(&mut theirs), "events/s");
                    for (system, h) in [("caseledger", &our_latencies), ("postgres", &their_latencies)] {
                        for (q, name) in [(0.5, "p50"), (0.99, "p99"), (0.999, "p999")] {
                            figures.add(
                                format!("{label}_{system}_{name}_us"),
                                h.value_at_quantile(q) as f64,
                                "µs",
                            );
                        }
                    }
                    let low = ratios.iter().copied().fold(f64::INFINITY, f64::min);
                    let high = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    figures.add(format!("{label}_ratio_median"), median(&mut ratios), "×");
                    figures.add(format!("{label}_ratio_min"), low, "×");
                    figures.add(format!("{label}_ratio_max"), high, "×");
                }
            }
        }
        Ok::<(), Failure>(())
    })
}
