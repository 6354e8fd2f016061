//! `caseledger`: run the service, check the log, inspect it, measure it.
//!
//! Exit codes: 0 success; 1 the log failed verification, or refused to open because it is
//! damaged, cut short of what it acknowledged, or rewritten (a checkpoint that does not verify
//! included); 2 bad usage (from clap), or `bench` without `caseledger-bench` beside this
//! binary; 3 any other failure (I/O, data directory in use, ...); 4 an import refused rows of
//! its input. `bench` exits with the benchmark executable's own code.
#![forbid(unsafe_code)]

mod admin;
mod admin_socket;
mod audit;
mod backup;
mod bench;
mod data_args;
mod failure;
mod fixtures;
mod help_desk;
mod hmis;
mod keys;
mod logging;
mod logtools;
mod record_request;
mod retention;
mod serve;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use data_args::DataArgs;
use failure::Failure;

/// mimalloc instead of the system allocator: replay and request handling allocate and free
/// many small objects, where glibc's malloc showed as a quarter of the replay profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Event-sourced case management for HMIS: every fact and every disclosure in one verifiable log.
#[derive(Debug, Parser)]
#[command(name = "caseledger", version, propagate_version = true)]
struct Cli {
    /// Log output format.
    #[arg(
        long,
        global = true,
        env = "CASELEDGER_LOG_FORMAT",
        default_value = "human"
    )]
    log_format: logging::LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the service: the HTTP API on the embedded store.
    Serve(Box<serve::ServeArgs>),
    /// Walk the log's hash chain; exit 1 naming the first bad position.
    Verify(verify::VerifyArgs),
    /// Operator tools: log statistics and event tail.
    #[command(subcommand)]
    Log(logtools::LogCommand),
    /// Print the GraphQL schema (SDL); `schema.graphql` in the repository is this output.
    Schema,
    /// Set up a deployment (bootstrap).
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Measure append, replay and memory figures on this machine.
    ///
    /// Runs `caseledger-bench`, built beside this binary, with the same arguments; `caseledger
    /// bench --help` lists its options.
    // Help and version belong to `caseledger-bench`: both flags are passed on to it.
    #[command(disable_help_flag = true, disable_version_flag = true)]
    Bench(bench::BenchArgs),
    /// Sign a checkpoint of the log head now (stopped server; a running one signs through the
    /// `signCheckpoint` mutation and on its schedule).
    Checkpoint(DataArgs),
    /// Client record requests: render a dashboard offline.
    #[command(subcommand)]
    RecordRequest(record_request::RecordRequestCommand),
    /// Auditors' questions, offline on a stopped server's data directory or a copy.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// The retention rule: list or forget clients whose identifiers are past the retention
    /// period (stopped server; a running one applies it daily).
    #[command(subcommand)]
    Retention(retention::RetentionCommand),
    /// The master key: rotate it, or show its fingerprint and key counts (stopped server).
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Import a HUD HMIS CSV export (FY2024 or FY2026) into a stopped server's data directory.
    /// Nothing is written if a row is refused (unless --allow-partial); importing the same
    /// export again writes nothing. Exit code 4 when rows were refused.
    ImportHmis(hmis::ImportArgs),
    /// Write a HUD HMIS CSV export (FY2026) of a stopped server's data: the whole CoC, or what
    /// one organization may see (--as-org). Recorded as a disclosure.
    // `--version` names the specification's version here, as HUD's tools say it.
    #[command(disable_version_flag = true)]
    ExportHmis(hmis::ExportArgs),
    /// Generated data: `fixtures generate` writes a deterministic history of any size.
    #[command(subcommand)]
    Fixtures(fixtures::FixturesCommand),
    /// Back up the data directory while the server runs (through its admin socket) or is
    /// stopped: the log to a stated position, the key store, snapshot, checkpoints and a
    /// manifest with hashes. Prints the position.
    Backup(backup::BackupArgs),
    /// Check a backup against its manifest and make a new data directory of it, which
    /// `verify` accepts and `serve` starts on.
    Restore(backup::RestoreArgs),
    /// Move a stopped data directory written by an older caseledger to this build's format
    /// (back it up first). Safe to run again if interrupted; does nothing to a current one.
    Migrate(DataArgs),
}

/// Moves a stopped data directory to this build's data format.
fn migrate(data: &DataArgs) -> Result<(), Failure> {
    use caseledger_service::format::{self, Migrated};
    data.require_log()?;
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "moving the log {spinner} position {pos} ({per_sec})",
        )
        .expect("template"),
    );
    let migrated = format::migrate(&data.data, &mut |position| bar.set_position(position));
    bar.finish_and_clear();
    // Damage met while moving the log is an integrity failure (exit 1), like verify's.
    let migrated = migrated.map_err(|e| match e {
        format::MigrateError::Log(e) => Failure::from(e),
        other => Failure::from(other),
    })?;
    match migrated {
        Migrated::AlreadyCurrent => eprintln!(
            "{} is already data format {}; nothing to do",
            data.data.display(),
            format::DATA_FORMAT
        ),
        Migrated::Upgraded { from, head } => eprintln!(
            "{} moved from data format {from} to {}: {head} records, chain checked",
            data.data.display(),
            format::DATA_FORMAT
        ),
    }
    Ok(())
}

/// Signs the head of a stopped server's log and prints where the checkpoint was written.
fn checkpoint(data: &DataArgs) -> Result<(), Failure> {
    use caseledger_service::checkpoint;
    data.require_log()?;
    let log = data.open_log()?;
    let key = checkpoint::load_or_create_key(&checkpoint::key_path(&data.data))?;
    let signed = checkpoint::sign(&key, caseledger_log_store::EventLog::head(log.as_ref()));
    log.close();
    let path = checkpoint::save(&data.data.join("checkpoints"), &signed)?;
    println!("{}", path.display());
    eprintln!(
        "signed position {} (chain hash {}) with public key {}",
        signed.position, signed.chain_hash, signed.public_key
    );
    Ok(())
}

fn main() -> ExitCode {
    // Belt and braces: every file this process makes (sled's own, which take no mode, among
    // them) is private unless a mode says otherwise; where files are made the mode is set
    // explicitly as well (`caseledger_log_store::private`).
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let cli = Cli::parse();
    logging::init(cli.log_format);
    let result = match cli.command {
        Command::Serve(args) => serve::run(*args),
        Command::Verify(args) => verify::run(args),
        Command::Log(cmd) => logtools::run(cmd),
        Command::Schema => {
            print!("{}", caseledger_graphql::sdl());
            Ok(())
        }
        Command::Admin(cmd) => admin::run(cmd),
        Command::Bench(args) => bench::run(args, cli.log_format),
        Command::Audit(cmd) => audit::run(cmd),
        Command::Checkpoint(data) => checkpoint(&data),
        Command::RecordRequest(cmd) => record_request::run(cmd),
        Command::Retention(cmd) => retention::run(cmd),
        Command::Keys(cmd) => keys::run(cmd),
        Command::Fixtures(cmd) => fixtures::run(cmd, cli.log_format),
        Command::Backup(args) => backup::backup(args),
        Command::Restore(args) => backup::restore(args),
        Command::Migrate(data) => migrate(&data),
        Command::ImportHmis(args) => hmis::import(args),
        Command::ExportHmis(args) => hmis::export(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {:#}", failure.error);
            ExitCode::from(failure.code)
        }
    }
}
