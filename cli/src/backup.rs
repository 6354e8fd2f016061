//! `caseledger backup` and `caseledger restore`, and the answers of the admin socket.

use std::path::{Path, PathBuf};

use caseledger_service::Service;
use caseledger_service::backup::Manifest;
use indicatif::{ProgressBar, ProgressStyle};

use crate::admin_socket::AdminRequest;
use crate::{DataArgs, Failure};

/// Arguments of `backup`.
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The backup directory to write (new or empty).
    out: PathBuf,
    /// Put the master key in the backup too. Without it, keep the master key elsewhere: the
    /// backup's identifiers are unreadable without it.
    #[arg(long)]
    include_master_key: bool,
}

/// Arguments of `restore`.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The backup directory (what `caseledger backup` wrote).
    backup: PathBuf,
    /// The data directory to make (new or empty).
    #[arg(long, env = "CASELEDGER_DATA")]
    data: PathBuf,
    /// The master key, for a backup made without it (used where it is, not copied).
    #[arg(long, env = "CASELEDGER_MASTER_KEY_FILE")]
    master_key_file: Option<PathBuf>,
}

fn bar(what: &str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{what} {{bar:40}} {{pos}}/{{len}} events ({{per_sec}})"
        ))
        .expect("template"),
    );
    bar
}

fn describe(manifest: &Manifest, place: &Path) {
    let bytes: u64 = manifest.files.iter().map(|f| f.bytes).sum();
    eprintln!(
        "{}: log to position {} (chain hash {}), {} files, {} bytes, master key {}",
        place.display(),
        manifest.position,
        manifest.chain_hash,
        manifest.files.len(),
        bytes,
        if manifest.master_key_included {
            "included"
        } else {
            "not included: keep it with the backup's custodian, apart from the backup"
        }
    );
}

/// Writes a backup: through the running server when one listens on the data directory, else
/// of the stopped server's directory.
pub fn backup(args: BackupArgs) -> Result<(), Failure> {
    args.data.require_log()?;
    let out = std::path::absolute(&args.out)?;
    let request = AdminRequest::Backup {
        out: out.clone(),
        include_master_key: args.include_master_key,
    };
    let manifest: Manifest = match crate::admin_socket::ask(&args.data.data, &request) {
        Some(answer) => {
            let value =
                answer.map_err(|e| anyhow::anyhow!("the running server did not back up: {e}"))?;
            serde_json::from_value(value)?
        }
        None => {
            let service = Service::open(&args.data.service_config())?;
            let progress = bar("backup");
            let result = service.backup(&out, args.include_master_key, &mut |p, of| {
                progress.set_length(of);
                progress.set_position(p);
            });
            progress.finish_and_clear();
            service.log().close();
            result?
        }
    };
    describe(&manifest, &out);
    println!("{}", manifest.position);
    Ok(())
}

/// Checks a backup and makes a data directory of it.
pub fn restore(args: RestoreArgs) -> Result<(), Failure> {
    let progress = bar("restore");
    let result = caseledger_service::backup::restore(
        &args.backup,
        &args.data,
        args.master_key_file.as_deref(),
        &mut |p, of| {
            progress.set_length(of);
            progress.set_position(p);
        },
    );
    progress.finish_and_clear();
    let manifest = result?;
    describe(&manifest, &args.data);
    Ok(())
}

/// What the running server answers on its admin socket.
pub(crate) fn answer(
    service: &Service,
    request: AdminRequest,
) -> Result<serde_json::Value, String> {
    match request {
        AdminRequest::Backup {
            out,
            include_master_key,
        } => service
            .backup(&out, include_master_key, &mut |_, _| {})
            .map_err(|e| e.to_string())
            .map(|m| serde_json::to_value(m).expect("a manifest serializes")),
        AdminRequest::Stats => {
            crate::logtools::stats(&*service.log(), false).map_err(|e| format!("{:#}", e.error))
        }
        AdminRequest::Tail { from, limit } => {
            crate::logtools::tail_lines(&*service.log(), from, limit)
                .map_err(|e| format!("{:#}", e.error))
        }
    }
}
