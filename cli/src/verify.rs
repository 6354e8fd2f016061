//! `caseledger verify`.

use caseledger_log_store::verify_dir_with;
use caseledger_service::integrity;
use indicatif::{ProgressBar, ProgressStyle};

use crate::{DataArgs, Failure};

/// Arguments of `verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Also prove the log extends this signed checkpoint (exit 1 if history up to it was
    /// rewritten or cut).
    #[arg(long)]
    checkpoint: Option<std::path::PathBuf>,
    /// The public key (hex) the checkpoint must be signed with; without it, the key the
    /// checkpoint names.
    #[arg(long, requires = "checkpoint")]
    public_key: Option<String>,
}

/// Walks the chain from position 1 and checks it reaches every position the data directory's
/// own evidence says it reached (acknowledged mark, snapshot, checkpoints); exit 0 when it
/// holds, 1 naming the first bad position. Works on a stopped server's data directory or a copy
/// of it.
pub fn run(args: VerifyArgs) -> Result<(), Failure> {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} verifying: position {pos} ({per_sec}) {elapsed}")
            .expect("template"),
    );
    let started = std::time::Instant::now();
    let anchors = integrity::anchors(&args.data.data, integrity::Scope::All);
    // No guess about the cause here: the log store says "in use" only when the directory's
    // lock is held, and damage as damage (exit 1, see `main.rs`).
    let report = match &args.data.shared_log {
        None => verify_dir_with(&args.data.data, &anchors, &mut |p| bar.set_position(p)).map_err(
            |e| {
                anyhow::Error::new(e).context(format!(
                    "cannot verify the log in {}",
                    args.data.data.display()
                ))
            },
        )?,
        // The shared log walks its own chain (verifying against its stored head); this node's
        // evidence (snapshot, checkpoints) must lie within it.
        Some(_) => {
            let log = args.data.open_log()?;
            let report = log.verify(&mut |p| bar.set_position(p))?;
            let reached = caseledger_log_store::check_anchors(&*log, &anchors);
            log.close();
            reached?;
            report
        }
    };
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    match report.failure {
        None => {
            println!(
                "chain holds: {} records, {:.1} MB in {:.2}s ({:.0} MB/s); head hash {}",
                report.records,
                report.bytes as f64 / 1e6,
                secs,
                report.bytes as f64 / 1e6 / secs.max(1e-9),
                hex::encode(report.last_good_hash)
            );
            if let Some(path) = &args.checkpoint {
                check_checkpoint(&args.data, path, args.public_key.as_deref())?;
            }
            Ok(())
        }
        Some(f) => {
            println!("chain broken at position {}: {}", f.position, f.reason);
            Err(Failure::chain(anyhow::anyhow!(
                "verification failed at position {}",
                f.position
            )))
        }
    }
}

/// Proves the log extends the checkpoint at `path`.
fn check_checkpoint(
    data: &DataArgs,
    path: &std::path::Path,
    pinned: Option<&str>,
) -> Result<(), Failure> {
    use caseledger_service::checkpoint::{self, CheckpointError};
    let checkpoint = checkpoint::load(path)?;
    let log = data.open_log()?;
    let result = checkpoint::check(&checkpoint, log.as_ref(), pinned);
    log.close();
    match result {
        Ok(()) => {
            println!(
                "extends the checkpoint at position {} signed {} by {}",
                checkpoint.position, checkpoint.signed_at, checkpoint.public_key
            );
            Ok(())
        }
        // A signature that does not verify (a wrong --public-key included) is the checkpoint
        // failing, like a rewritten history: exit 1, not an operational error.
        Err(
            e @ (CheckpointError::Rewritten { .. }
            | CheckpointError::Truncated { .. }
            | CheckpointError::Signature(_)),
        ) => {
            println!("{e}");
            Err(Failure::chain(e))
        }
        Err(e) => Err(e.into()),
    }
}
