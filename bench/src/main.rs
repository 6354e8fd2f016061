//! `caseledger-bench`: the figures BENCHMARKS.md reports, measured in one run on this machine.
//!
//! A binary of its own so that the production `caseledger` binary links neither the load
//! generator's HTTP client nor the PostgreSQL peer's client; `caseledger bench ARGS` runs this
//! executable from beside itself with the same arguments.
//!
//! Exit codes as `caseledger`'s: 0 success; 1 a log it measured failed verification; 2 bad
//! usage (from clap); 3 any other failure.
#![forbid(unsafe_code)]

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use caseledger_log_store::{
    AppendRequest, Durability, EventLog, ExpectedVersion, NewEvent, SledLog, SledLogOptions,
};
use clap::Parser;

use crate::failure::Failure;
use crate::figures::{Figures, mean, percentile};

mod audit;
mod failure;
mod fair;
mod figures;
mod generate;
mod graphql;
mod import;
mod logcost;
mod nodes;
mod peer;
mod plot;
mod replay;
mod scale;

/// The same allocator as the `caseledger` binary, so replay, memory and request figures
/// measure what production runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Measure append, replay and memory figures on this machine.
// No fixed `bin_name`: clap takes it from argv[0], which `caseledger bench` sets to its own
// name, so usage and errors name the command the user typed.
#[derive(Debug, Parser)]
#[command(
    name = "caseledger-bench",
    version,
    args_conflicts_with_subcommands = true
)]
struct BenchArgs {
    /// Instead of measuring: write a generated history (`caseledger fixtures generate`).
    #[command(subcommand)]
    command: Option<BenchCommand>,
    /// Log output format.
    #[arg(long, env = "CASELEDGER_LOG_FORMAT", default_value = "human")]
    log_format: LogFormat,
    /// Smaller runs for a quick look (seconds instead of a minute).
    #[arg(long)]
    quick: bool,
    /// Print one JSON object of named figures instead of a table.
    #[arg(long)]
    json: bool,
    /// Scratch directory for the benchmark logs (on the disk you want measured).
    #[arg(long, env = "CASELEDGER_BENCH_DIR")]
    dir: Option<PathBuf>,
    /// Run only these groups (default: all but `peer`, `fair` and `logcost`).
    #[arg(long, value_enum, value_delimiter = ',')]
    only: Vec<Group>,
    /// Client counts of the `scale` group (default 10000,100000; 10000 with --quick).
    #[arg(long, value_delimiter = ',')]
    scale_clients: Vec<usize>,
    /// Clients of the generated CoC the `import` group exports and imports (default 100000;
    /// 10000 with --quick).
    #[arg(long)]
    import_clients: Option<usize>,
    /// libpq connection string of the PostgreSQL peer (`scripts/bench-peer.sh` passes one);
    /// needed by the `peer` group.
    #[arg(long, env = "CASELEDGER_BENCH_PEER")]
    peer: Option<String>,
    /// Measured seconds per point of the `fair` group (default 20; 2 with --quick).
    #[arg(long)]
    fair_seconds: Option<f64>,
    /// Rounds of the `fair` group (default 3; 1 with --quick).
    #[arg(long)]
    fair_rounds: Option<usize>,
    /// Writer counts of the `fair` group (default 1,4,16,64).
    #[arg(long, value_delimiter = ',')]
    fair_writers: Vec<usize>,
    /// Event sizes in bytes of the `fair` group (default 256).
    #[arg(long, value_delimiter = ',')]
    fair_bytes: Vec<usize>,
    /// Measured seconds per point of the `logcost` group: group commits, CPU and each mixed
    /// phase (default 10; 2 with --quick).
    #[arg(long)]
    logcost_seconds: Option<f64>,
    /// Measured seconds of the `logcost` group's memory run, after its 5 s warm-up (default
    /// 120; 10 with --quick).
    #[arg(long)]
    logcost_rss_seconds: Option<f64>,
    /// Events of each of the `logcost` group's bulk loads, in 100-event requests (default
    /// 200000; 20000 with --quick).
    #[arg(long)]
    logcost_bulk_events: Option<usize>,
}

/// What `caseledger-bench` does besides measuring.
#[derive(Debug, clap::Subcommand)]
enum BenchCommand {
    /// Write a deterministic, realistic history into an empty data directory (the scale
    /// generator); the same arguments write the same log, byte for byte.
    Generate(generate::GenerateArgs),
    /// Draw BENCHMARKS.md's scale plot (memory, cold start and disk against clients, SVG)
    /// from saved outputs of `--only scale` runs.
    PlotScale(plot::PlotArgs),
}

/// Groups of figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Group {
    /// Durable appends to the log, against the disk's raw fdatasync.
    Append,
    /// Replaying events into the projections, and their memory.
    Replay,
    /// The GraphQL API under load (client reads and a mutation), with disclosure recording.
    Graphql,
    /// Auditors' queries over many disclosure records.
    Audit,
    /// The append workload against PostgreSQL (`scripts/bench-peer.sh`), with ratios; and
    /// `client(id)` on two service nodes of one PostgreSQL log against one.
    Peer,
    /// Generated CoCs of growing size: generation, cold start from snapshot, replay, memory.
    Scale,
    /// HUD HMIS CSV: a generated CoC exported, then imported into a new data directory.
    Import,
    /// The fair append benchmark against PostgreSQL at its best (random streams, uniform and
    /// Zipf; 1 to 64 writers; rounds alternated; `scripts/bench-peer.sh --only fair`).
    Fair,
    /// The log's costs: events per sync, CPU per append, memory under sustained writes, bulk
    /// load, reads beside writes (minutes; best run alone).
    Logcost,
}

/// How log lines are written (to stderr, so stdout stays for the figures).
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    /// Compact human-readable lines.
    Human,
    /// One JSON object per line.
    Json,
}

/// Installs the global subscriber as `caseledger` does. `RUST_LOG` overrides the default
/// `info` level.
fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, not for files.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match format {
        LogFormat::Human => builder.compact().init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn main() -> ExitCode {
    // As `caseledger` does: the scratch logs and every other file made here are private.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let args = BenchArgs::parse();
    init_logging(args.log_format);
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {:#}", failure.error);
            ExitCode::from(failure.code)
        }
    }
}

/// Runs the benchmarks.
fn run(args: BenchArgs) -> Result<(), Failure> {
    match args.command {
        Some(BenchCommand::Generate(generate)) => return generate::run(generate),
        Some(BenchCommand::PlotScale(plot)) => return plot::run(plot),
        None => {}
    }
    if let Some(result) = replay::child() {
        return result;
    }
    if let Some(result) = scale::child() {
        return result;
    }
    let scratch = match &args.dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            tempfile::tempdir_in(d)?
        }
        None => tempfile::tempdir()?,
    };
    let mut figures = Figures::default();
    let wants = |g: Group| {
        (args.only.is_empty() && ![Group::Peer, Group::Fair, Group::Logcost].contains(&g))
            || args.only.contains(&g)
    };
    if wants(Group::Logcost) && wants(Group::Graphql) {
        use clap::CommandFactory;
        // Both want the process's one metrics recorder: the server its Prometheus exporter,
        // logcost one it can read back.
        BenchArgs::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "the logcost and graphql groups cannot run in one process: run them one at a time",
            )
            .exit();
    }
    if wants(Group::Fair) {
        let conninfo = args.peer.as_deref().ok_or_else(|| {
            anyhow::anyhow!("the fair group needs --peer CONNINFO (run scripts/bench-peer.sh)")
        })?;
        let mut settings = fair::FairSettings::new(args.quick);
        if let Some(s) = args.fair_seconds {
            settings.seconds = s;
        }
        if let Some(r) = args.fair_rounds {
            settings.rounds = r.max(1);
        }
        if !args.fair_writers.is_empty() {
            settings.writers = args.fair_writers.clone();
        }
        if !args.fair_bytes.is_empty() {
            settings.sizes = args.fair_bytes.clone();
        }
        fair::run(conninfo, &settings, scratch.path(), &mut figures)?;
    }
    if wants(Group::Replay) {
        replay::run(args.quick, &mut figures)?;
    }
    if wants(Group::Graphql) {
        graphql::run(args.quick, scratch.path(), &mut figures)?;
    }
    if wants(Group::Audit) {
        audit::run(args.quick, scratch.path(), &mut figures)?;
    }
    if wants(Group::Scale) {
        let sizes = match (&args.scale_clients[..], args.quick) {
            ([], true) => vec![10_000],
            ([], false) => vec![10_000, 100_000],
            (sizes, _) => sizes.to_vec(),
        };
        scale::run(&sizes, scratch.path(), &mut figures)?;
    }
    if wants(Group::Import) {
        let clients = args
            .import_clients
            .unwrap_or(if args.quick { 10_000 } else { 100_000 });
        import::run(clients, scratch.path(), &mut figures)?;
    }
    if wants(Group::Append) {
        run_append(args.quick, scratch.path(), &mut figures)?;
    }
    run_peer(&args, scratch.path(), &mut figures)?;
    // Last, so that the recorder it installs sees none of the other groups' appends.
    if wants(Group::Logcost) {
        let mut settings = logcost::LogcostSettings::new(args.quick);
        if let Some(s) = args.logcost_seconds {
            settings.seconds = s;
        }
        if let Some(s) = args.logcost_rss_seconds {
            settings.rss_seconds = s;
        }
        if let Some(n) = args.logcost_bulk_events {
            settings.bulk_events = n;
        }
        logcost::run(&settings, scratch.path(), &mut figures)?;
    }
    figures.print(args.json);
    Ok(())
}

/// The append group: the disk's raw syncs, then durable appends to the log.
fn run_append(quick: bool, scratch: &Path, figures: &mut Figures) -> Result<(), Failure> {
    let (single, concurrent) = if quick {
        (500, 20_000)
    } else {
        (3_000, 200_000)
    };
    eprintln!("bench: scratch directory {}", scratch.display());

    let appending = fsync_latencies(scratch, single, false)?;
    figures.add(
        "disk_append_fdatasync_per_s",
        1.0 / mean(&appending),
        "ops/s",
    );
    figures.add(
        "disk_append_fdatasync_p50_us",
        percentile(&appending, 50.0) * 1e6,
        "µs",
    );
    let overwrite = fsync_latencies(scratch, single, true)?;
    figures.add(
        "disk_overwrite_fdatasync_per_s",
        1.0 / mean(&overwrite),
        "ops/s",
    );
    figures.add(
        "disk_overwrite_fdatasync_p50_us",
        percentile(&overwrite, 50.0) * 1e6,
        "µs",
    );

    let sequential = sequential_write_mb_per_s(scratch, if quick { 64 } else { 512 })?;
    figures.add("disk_sequential_write_mb_per_s", sequential, "MB/s");

    // The durable default, and the write alone to show what the fdatasync costs.
    let modes = [
        (Durability::Fdatasync, "append"),
        (Durability::NoSync, "append_no_sync"),
    ];
    for (durability, prefix) in modes {
        for (writers, total, label) in [(1, single, "1_writer"), (64, concurrent, "64_writers")] {
            let run = append_run(
                &scratch.join(format!("{prefix}-{writers}")),
                durability,
                writers,
                total,
            )?;
            figures.add(
                format!("{prefix}_{label}_events_per_s"),
                run.throughput,
                "events/s",
            );
            figures.add(format!("{prefix}_{label}_p50_us"), run.p50 * 1e6, "µs");
            figures.add(format!("{prefix}_{label}_p99_us"), run.p99 * 1e6, "µs");
        }
    }

    // Walking the chain of the 64-writer log just written (its pages are in the page cache, so
    // this is the hashing and scanning rate, not the disk's read rate).
    let started = Instant::now();
    let report = caseledger_log_store::verify_dir(scratch.join("append-64"), &mut |_| {})?;
    let secs = started.elapsed().as_secs_f64();
    figures.add("verify_mb_per_s", report.bytes as f64 / 1e6 / secs, "MB/s");
    figures.add(
        "verify_records_per_s",
        report.records as f64 / secs,
        "records/s",
    );

    Ok(())
}

fn run_peer(
    args: &BenchArgs,
    scratch: &std::path::Path,
    figures: &mut Figures,
) -> Result<(), Failure> {
    if !args.only.contains(&Group::Peer) {
        return Ok(());
    }
    let conninfo = args.peer.as_deref().ok_or_else(|| {
        anyhow::anyhow!("the peer group needs --peer CONNINFO (run scripts/bench-peer.sh)")
    })?;
    peer::run(conninfo, args.quick, figures)?;
    nodes::run(conninfo, args.quick, scratch, figures)
}

/// The disk's sequential write speed: `mib` MiB written in 1 MiB blocks, then one `fsync`,
/// timed together (the page cache alone would otherwise be measured).
fn sequential_write_mb_per_s(dir: &Path, mib: usize) -> Result<f64, Failure> {
    let path = dir.join("sequential-write");
    let mut f = OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(&path)?;
    let block = vec![0xa5u8; 1 << 20];
    let started = Instant::now();
    for _ in 0..mib {
        f.write_all(&block)?;
    }
    f.sync_all()?;
    let secs = started.elapsed().as_secs_f64();
    drop(f);
    std::fs::remove_file(path)?;
    Ok((mib << 20) as f64 / 1e6 / secs)
}

/// Latencies of 300-byte writes each followed by `fdatasync`: appended to a growing file, or
/// over a file already written and synced (what the write-ahead file does).
fn fsync_latencies(dir: &Path, n: usize, overwrite: bool) -> Result<Vec<f64>, Failure> {
    use std::os::unix::fs::FileExt;
    let path = dir.join(if overwrite {
        "fsync-overwrite"
    } else {
        "fsync-append"
    });
    let mut f = OpenOptions::new()
        .create(true)
        .truncate(true)
        .read(true)
        .write(true)
        .open(path)?;
    let block = [0x5au8; 300];
    if overwrite {
        f.write_all(&vec![0u8; 300 * n])?;
        f.sync_all()?;
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        if overwrite {
            f.write_all_at(&block, (i * 300) as u64)?;
        } else {
            f.write_all(&block)?;
        }
        f.sync_data()?;
        out.push(t.elapsed().as_secs_f64());
    }
    Ok(out)
}

struct AppendFigures {
    throughput: f64,
    p50: f64,
    p99: f64,
}

/// Appends `total` ~300-byte events from `writers` concurrent tasks on a 2-worker runtime (as
/// request handlers do), each waiting for its own append to be durable before sending the next.
fn append_run(
    dir: &Path,
    durability: Durability,
    writers: usize,
    total: usize,
) -> Result<AppendFigures, Failure> {
    let log = SledLog::open_with(
        dir,
        SledLogOptions {
            durability,
            ..SledLogOptions::default()
        },
    )?;
    let per_writer = total / writers;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let started = Instant::now();
    let latencies = runtime.block_on(async {
        let tasks: Vec<_> = (0..writers)
            .map(|w| {
                let log: Arc<SledLog> = log.clone();
                tokio::spawn(async move {
                    let mut latencies = Vec::with_capacity(per_writer);
                    for i in 0..per_writer {
                        let id = ((w as u128) << 64) | i as u128;
                        let mut payload =
                            format!("{{\"writer\":{w},\"seq\":{i},\"kind\":\"ServiceRecorded\"}}")
                                .into_bytes();
                        payload.resize(300, b' ');
                        let stream = format!("client-{}", i % 1000);
                        let request = AppendRequest::single(
                            stream,
                            ExpectedVersion::Any,
                            vec![NewEvent { id, payload }],
                        );
                        let t = Instant::now();
                        log.append(request).await?;
                        latencies.push(t.elapsed().as_secs_f64());
                    }
                    Ok::<_, caseledger_log_store::LogError>(latencies)
                })
            })
            .collect();
        let mut all = Vec::with_capacity(total);
        for t in tasks {
            all.extend(
                t.await
                    .map_err(|_| anyhow::anyhow!("bench writer panicked"))??,
            );
        }
        Ok::<_, Failure>(all)
    })?;
    let elapsed = started.elapsed();
    log.close();
    Ok(AppendFigures {
        throughput: latencies.len() as f64 / elapsed.max(Duration::from_micros(1)).as_secs_f64(),
        p50: percentile(&latencies, 50.0),
        p99: percentile(&latencies, 99.0),
    })
}
