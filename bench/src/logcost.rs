//! The log's costs (`--only logcost`): how many events one sync carries, CPU per durable
//! append, memory under sustained writes, bulk loads, and reads beside writes. caseledger's
//! embedded log alone, each measurement on a fresh log in a new directory.
//!
//! The writers are the fair benchmark's (streams drawn uniformly over 1,000, ULID ids, random
//! 256-byte payloads, each awaiting its durable acknowledgement) on the same 2-worker runtime,
//! so these figures explain its throughput. Group-commit sizes are the log's own
//! `caseledger_log_commit_events` histogram (one sample per durable commit, that is per sync),
//! as an operator's `/metrics` would see them, caught by an in-process recorder.
//!
//! Best run alone: the memory figures are the whole process's, and the recorder this group
//! installs is the process's only one (the `graphql` group's server wants its own).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use caseledger_log_store::{AppendRequest, EventLog, ExpectedVersion, NewEvent, ReadPool, SledLog};
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::failure::Failure;
use crate::fair::{self, Point, STREAMS, Workload, drive_log, fresh_log, stream_name};
use crate::figures::{Figures, mean};

/// Payload size of every event: the fair benchmark's default.
const BYTES: usize = 256;
/// Writer counts of the group-commit and CPU points.
const WRITERS: [usize; 4] = [1, 4, 16, 64];
/// Writers of the memory and mixed runs: the most the fair benchmark runs.
const MANY: usize = 64;
/// Reader tasks beside them.
const READERS: usize = 16;
/// Events per bulk-load request, and most events one read asks for.
const BATCH: usize = 100;

/// The settings of a run.
#[derive(Debug, Clone)]
pub struct LogcostSettings {
    /// Measured seconds per point (group commit, CPU, each mixed phase).
    pub seconds: f64,
    /// Unmeasured seconds before each point.
    pub warmup: f64,
    /// Measured seconds of the memory run.
    pub rss_seconds: f64,
    /// Unmeasured seconds before it, so that start-up allocations are not counted as growth.
    pub rss_warmup: f64,
    /// Events of each bulk load (and of the history the mixed runs read).
    pub bulk_events: usize,
}

impl LogcostSettings {
    /// 10 s points, a 120 s memory run and 200,000-event bulk loads; or a quick look.
    pub fn new(quick: bool) -> Self {
        if quick {
            LogcostSettings {
                seconds: 2.0,
                warmup: 0.5,
                rss_seconds: 10.0,
                rss_warmup: 5.0,
                bulk_events: 20_000,
            }
        } else {
            LogcostSettings {
                seconds: 10.0,
                warmup: 2.0,
                rss_seconds: 120.0,
                rss_warmup: 5.0,
                bulk_events: 200_000,
            }
        }
    }
}

/// The group commits the log reported since the last drain.
#[derive(Default)]
struct Commits {
    /// Events of each commit.
    events: Vec<f64>,
    /// Seconds each commit took to write and sync.
    seconds: Vec<f64>,
}

impl Commits {
    /// Takes what the recorder holds and clears it, so that the next drain sees only what
    /// came after (and the recorder does not grow through a long run).
    fn drain(recorded: &Snapshotter) -> Commits {
        let mut commits = Commits::default();
        for (key, _, _, value) in recorded.snapshot().into_vec() {
            let DebugValue::Histogram(values) = value else {
                continue;
            };
            let values = values.into_iter().map(|v| v.0);
            match key.key().name() {
                "caseledger_log_commit_events" => commits.events.extend(values),
                "caseledger_log_commit_seconds" => commits.seconds.extend(values),
                _ => {}
            }
        }
        commits
    }

    fn extend(&mut self, more: Commits) {
        self.events.extend(more.events);
        self.seconds.extend(more.seconds);
    }
}

/// Adds the figures of the commits of `seconds`: how many syncs, how often, the events each
/// carried and what each took. Named `{prefix}_{figure}{suffix}`.
fn add_commit_figures(
    figures: &mut Figures,
    (prefix, suffix): (&str, &str),
    commits: &Commits,
    seconds: f64,
) {
    let syncs = commits.events.len() as f64;
    figures.add(format!("{prefix}_syncs{suffix}"), syncs, "syncs");
    figures.add(
        format!("{prefix}_syncs_per_s{suffix}"),
        syncs / seconds,
        "syncs/s",
    );
    figures.add(
        format!("{prefix}_events_per_sync{suffix}"),
        mean(&commits.events),
        "events",
    );
    figures.add(
        format!("{prefix}_sync_mean_us{suffix}"),
        mean(&commits.seconds) * 1e6,
        "µs",
    );
}

/// CPU time this process has used so far, in seconds.
fn cpu_seconds() -> Result<f64, Failure> {
    crate::graphql::process_cpu_seconds().ok_or_else(|| {
        anyhow::anyhow!("no CPU time in /proc/self/stat (the logcost group needs Linux)").into()
    })
}

/// `writers` fair-benchmark writers on the uniform workload for `warmup` and then `seconds`
/// measured.
async fn write_load(
    log: &Arc<SledLog>,
    writers: usize,
    warmup: f64,
    seconds: f64,
) -> Result<Point, Failure> {
    drive_log(warmup, seconds, Workload::Uniform, BYTES, writers, log).await
}

/// Runs every measurement and adds the figures.
pub fn run(
    settings: &LogcostSettings,
    scratch: &Path,
    figures: &mut Figures,
) -> Result<(), Failure> {
    let recorder = DebuggingRecorder::new();
    let recorded = recorder.snapshotter();
    recorder.install().map_err(|_| {
        anyhow::anyhow!(
            "the logcost group needs the process's metrics recorder, and another is installed"
        )
    })?;
    let bench = Bench {
        settings,
        scratch,
        recorded,
    };
    fair::runtime()?.block_on(async {
        // Memory first, while the process holds nothing of the other measurements' logs.
        bench.memory(figures).await?;
        bench.group_commits(figures).await?;
        bench.bulk(figures).await?;
        bench.mixed(figures).await
    })
}

/// What every measurement needs.
struct Bench<'a> {
    settings: &'a LogcostSettings,
    /// Where the fresh logs go.
    scratch: &'a Path,
    /// The log's commit histograms.
    recorded: Snapshotter,
}

impl Bench<'_> {
    /// Events per sync and CPU per 1,000 durable appends at each writer count.
    async fn group_commits(&self, figures: &mut Figures) -> Result<(), Failure> {
        let settings = self.settings;
        for writers in WRITERS {
            let (_dir, log) = fresh_log(self.scratch)?;
            // The warm-up as a run of its own, so that the CPU time and the commits below are
            // the measured stretch's alone.
            write_load(&log, writers, 0.0, settings.warmup).await?;
            Commits::drain(&self.recorded);
            let cpu = cpu_seconds()?;
            let started = Instant::now();
            let point = write_load(&log, writers, 0.0, settings.seconds).await?;
            let seconds = started.elapsed().as_secs_f64();
            // In milliseconds: seconds per 1,000 would print as 0.0 in the table.
            let cpu_ms_per_1000 =
                (cpu_seconds()? - cpu) * 1e3 / (point.latencies.len() as f64 / 1000.0);
            let commits = Commits::drain(&self.recorded);
            log.close();
            let rate = point.latencies.len() as f64 / seconds;
            let suffix = format!("_w{writers}");
            figures.add(format!("logcost_appends_per_s{suffix}"), rate, "events/s");
            add_commit_figures(figures, ("logcost", &suffix), &commits, seconds);
            figures.add(
                format!("logcost_cpu_ms_per_1000_appends{suffix}"),
                cpu_ms_per_1000,
                "CPU ms",
            );
            eprintln!(
                "bench: logcost {writers} writers: {rate:.0} appends/s, {} syncs, \
                 {:.1} events/sync, {cpu_ms_per_1000:.0} CPU ms per 1,000",
                commits.events.len(),
                mean(&commits.events),
            );
        }
        Ok(())
    }

    /// Resident memory in MB, sampled every second through a long run of `MANY` writers.
    async fn memory(&self, figures: &mut Figures) -> Result<(), Failure> {
        let settings = self.settings;
        let (_dir, log) = fresh_log(self.scratch)?;
        let start = Instant::now();
        let first = start + Duration::from_secs_f64(settings.rss_warmup);
        let end = first + Duration::from_secs_f64(settings.rss_seconds);
        let sampler = async {
            let mut samples = Vec::new();
            let mut commits = Commits::default();
            let mut tick = tokio::time::interval_at(first.into(), Duration::from_secs(1));
            loop {
                if tick.tick().await.into_std() > end {
                    break;
                }
                // Drained every second also so that the recorder's own buffer is not the
                // growth; the first drain holds the warm-up's commits.
                let since = Commits::drain(&self.recorded);
                if !samples.is_empty() {
                    commits.extend(since);
                }
                samples.push((
                    start.elapsed().as_secs_f64(),
                    crate::replay::rss() as f64 / 1e6,
                ));
            }
            (samples, commits)
        };
        let writers = write_load(&log, MANY, settings.rss_warmup, settings.rss_seconds);
        let (point, (samples, commits)) = tokio::join!(writers, sampler);
        let point = point?;
        log.close();
        let (Some(&(_, at_start)), Some(&(_, at_end))) = (samples.first(), samples.last()) else {
            return Err(anyhow::anyhow!("the memory run took no samples").into());
        };
        let max = samples.iter().map(|&(_, mb)| mb).fold(0.0, f64::max);
        let suffix = format!("_w{MANY}");
        figures.add(
            format!("logcost_rss_appends_per_s{suffix}"),
            point.rate,
            "events/s",
        );
        add_commit_figures(
            figures,
            ("logcost_rss", &suffix),
            &commits,
            settings.rss_seconds,
        );
        figures.add("logcost_rss_start_mb", at_start, "MB");
        figures.add("logcost_rss_end_mb", at_end, "MB");
        figures.add("logcost_rss_max_mb", max, "MB");
        figures.add(
            "logcost_rss_growth_pct",
            (at_end - at_start) / at_start * 100.0,
            "%",
        );
        figures.add("logcost_rss_slope_mb_per_s", slope(&samples), "MB/s");
        // Single samples catch a table being filled or written out; the means of the run's
        // first and last sixth say whether memory rises over the run.
        let sixth = (samples.len() / 6).max(1);
        let mean =
            |part: &[(f64, f64)]| part.iter().map(|&(_, mb)| mb).sum::<f64>() / part.len() as f64;
        let (early, late) = (
            mean(&samples[..sixth]),
            mean(&samples[samples.len() - sixth..]),
        );
        figures.add(
            "logcost_rss_sixths_growth_pct",
            (late - early) / early * 100.0,
            "%",
        );
        let min = samples
            .iter()
            .map(|&(_, mb)| mb)
            .fold(f64::INFINITY, f64::min);
        figures.add("logcost_rss_min_mb", min, "MB");
        let series: Vec<String> = samples
            .iter()
            .map(|(s, mb)| format!("{s:.1} {mb:.1}"))
            .collect();
        eprintln!(
            "bench: logcost RSS samples (seconds MB): {}",
            series.join(", ")
        );
        Ok(())
    }

    /// The bulk load, one request at a time and pipelined.
    async fn bulk(&self, figures: &mut Figures) -> Result<(), Failure> {
        for (pipelined, mode) in [(false, "serial"), (true, "pipelined")] {
            let requests = bulk_requests(self.settings.bulk_events);
            let events = (requests.len() * BATCH) as f64;
            let (_dir, log) = fresh_log(self.scratch)?;
            Commits::drain(&self.recorded);
            let seconds = load(&log, requests, pipelined).await?;
            let commits = Commits::drain(&self.recorded);
            log.close();
            let prefix = format!("logcost_bulk_{mode}");
            figures.add(format!("{prefix}_s"), seconds, "s");
            figures.add(
                format!("{prefix}_events_per_s"),
                events / seconds,
                "events/s",
            );
            add_commit_figures(figures, (&prefix, ""), &commits, seconds);
        }
        Ok(())
    }

    /// `MANY` writers alone, then beside `READERS` readers, each on a fresh log holding the
    /// bulk load's history (so that reads find whole pages); for both ways of calling the
    /// reads.
    async fn mixed(&self, figures: &mut Figures) -> Result<(), Failure> {
        let settings = self.settings;
        for (how, mode) in [
            (Reads::Direct, "direct"),
            (Reads::Blocking, "spawn_blocking"),
            (Reads::Pool, "read_pool"),
        ] {
            let mut rates = [0.0; 2];
            let mut reads = 0;
            for (with_readers, rate) in [false, true].into_iter().zip(&mut rates) {
                let (_dir, log) = fresh_log(self.scratch)?;
                load(&log, bulk_requests(settings.bulk_events), true).await?;
                let writers = write_load(&log, MANY, settings.warmup, settings.seconds);
                let point = if with_readers {
                    let readers = read_load(&log, settings.warmup, settings.seconds, how);
                    let (point, read) = tokio::join!(writers, readers);
                    reads = read?;
                    point?
                } else {
                    writers.await?
                };
                log.close();
                *rate = point.rate;
            }
            let prefix = format!("logcost_mixed_{mode}");
            figures.add(format!("{prefix}_writes_alone_per_s"), rates[0], "events/s");
            figures.add(
                format!("{prefix}_writes_with_readers_per_s"),
                rates[1],
                "events/s",
            );
            figures.add(format!("{prefix}_writes_ratio"), rates[1] / rates[0], "×");
            figures.add(
                format!("{prefix}_reads_per_s"),
                reads as f64 / settings.seconds,
                "reads/s",
            );
        }
        Ok(())
    }
}

/// The least-squares slope of `y` over `x`.
fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    let (mx, my) = (
        points.iter().map(|p| p.0).sum::<f64>() / n,
        points.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let covariance: f64 = points.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    let variance: f64 = points.iter().map(|(x, _)| (x - mx).powi(2)).sum();
    if variance == 0.0 {
        0.0
    } else {
        covariance / variance
    }
}

/// `events` events as requests of `BATCH` events, each to a stream drawn uniformly: what an
/// import sends.
fn bulk_requests(events: usize) -> Vec<AppendRequest> {
    let mut rng = SmallRng::seed_from_u64(7);
    (0..(events / BATCH).max(1))
        .map(|_| {
            let stream = stream_name(rng.random_range(0..STREAMS));
            let batch = (0..BATCH)
                .map(|_| {
                    let mut payload = vec![0u8; BYTES];
                    rng.fill(&mut payload[..]);
                    NewEvent {
                        id: ulid::Ulid::new().0,
                        payload,
                    }
                })
                .collect();
            AppendRequest::single(stream, ExpectedVersion::Any, batch)
        })
        .collect()
}

/// Appends `requests` one after another, each durable before the next is sent; or, pipelined,
/// queues them all and then awaits them. Returns the seconds taken.
async fn load(
    log: &SledLog,
    requests: Vec<AppendRequest>,
    pipelined: bool,
) -> Result<f64, Failure> {
    let started = Instant::now();
    if pipelined {
        let pending: Vec<_> = requests.into_iter().map(|r| log.append(r)).collect();
        for append in pending {
            append.await?;
        }
    } else {
        for request in requests {
            log.append(request).await?;
        }
    }
    Ok(started.elapsed().as_secs_f64())
}

/// How the readers of the mixed runs call the log's synchronous reads.
#[derive(Debug, Clone, Copy)]
enum Reads {
    /// On the async task itself, as a naive caller does.
    Direct,
    /// Through `tokio::task::spawn_blocking`, off the runtime's workers.
    Blocking,
    /// Through the log's [`ReadPool`]: a thread per core, below the writer's priority.
    Pool,
}

/// `READERS` tasks each reading the first `BATCH` events of random streams for the warm-up and
/// the measured time; returns the reads started in the measured time.
async fn read_load(
    log: &Arc<SledLog>,
    warmup: f64,
    seconds: f64,
    how: Reads,
) -> Result<usize, Failure> {
    let measure_from = Instant::now() + Duration::from_secs_f64(warmup);
    let until = measure_from + Duration::from_secs_f64(seconds);
    let pool = Arc::new(ReadPool::per_core()?);
    let tasks: Vec<_> = (0..READERS as u64)
        .map(|r| {
            let log = log.clone();
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut rng = SmallRng::seed_from_u64(10_000 + r);
                let mut reads = 0;
                loop {
                    let t = Instant::now();
                    if t >= until {
                        break;
                    }
                    let stream = stream_name(rng.random_range(0..STREAMS));
                    match how {
                        Reads::Direct => {
                            log.read_stream(&stream, 1, BATCH)?;
                            // A request handler returns to the runtime between requests;
                            // without this a reader would hold its worker to the end.
                            tokio::task::yield_now().await;
                        }
                        Reads::Blocking => {
                            let log = log.clone();
                            tokio::task::spawn_blocking(move || log.read_stream(&stream, 1, BATCH))
                                .await
                                .map_err(|_| anyhow::anyhow!("logcost read panicked"))??;
                        }
                        Reads::Pool => {
                            let log = log.clone();
                            pool.run(move || log.read_stream(&stream, 1, BATCH))
                                .await
                                .map_err(anyhow::Error::from)??;
                        }
                    }
                    if t >= measure_from {
                        reads += 1;
                    }
                }
                Ok::<_, Failure>(reads)
            })
        })
        .collect();
    let mut reads = 0;
    for task in tasks {
        reads += task
            .await
            .map_err(|_| anyhow::anyhow!("logcost reader panicked"))??;
    }
    Ok(reads)
}
