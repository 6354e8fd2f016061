//! `caseledger verify`.

use caseledger_log_store::verify_dir;
use indicatif::{ProgressBar, ProgressStyle};

use crate::{DataArgs, Failure};

/// Arguments of `verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    data: DataArgs,
}

/// Walks the chain from position 1; exit 0 when it holds, 1 naming the first bad position.
/// Works on a stopped server's data directory or a copy of it.
pub fn run(args: VerifyArgs) -> Result<(), Failure> {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} verifying: position {pos} ({per_sec}) {elapsed}")
            .expect("template"),
    );
    let started = std::time::Instant::now();
    let report = verify_dir(&args.data.data, &mut |p| bar.set_position(p)).map_err(|e| {
        anyhow::Error::new(e).context(format!(
            "cannot read the log in {} (is a server using it?)",
            args.data.data.display()
        ))
    })?;
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
