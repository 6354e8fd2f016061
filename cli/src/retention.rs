//! `caseledger retention run`: the retention rule on a stopped server's data directory — HUD's
//! HMIS standards ask that identifying information be removed seven years after it was created
//! or last changed. A running server applies the same rule daily (`serve --retention-years`).

use caseledger_core::Date;

use crate::audit::Format;
use crate::{DataArgs, Failure};

/// Retention commands.
#[derive(Debug, clap::Subcommand)]
pub enum RetentionCommand {
    /// List (with --dry-run) or forget the clients whose identifiers were last recorded or
    /// changed at least YEARS years before the business date and who have no open enrollment.
    /// Forgetting destroys each client's data key: it cannot be undone.
    Run {
        #[command(flatten)]
        data: DataArgs,
        /// List the clients due without forgetting them.
        #[arg(long)]
        dry_run: bool,
        /// The retention period in years.
        #[arg(long, env = "CASELEDGER_RETENTION_YEARS", default_value_t = 7)]
        years: u32,
        /// Apply the rule as on this business date (YYYY-MM-DD) instead of today.
        #[arg(long, env = "CASELEDGER_TODAY")]
        today: Option<Date>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// Runs a retention command.
pub fn run(command: RetentionCommand) -> Result<(), Failure> {
    let RetentionCommand::Run {
        data,
        dry_run,
        years,
        today,
        format,
    } = command;
    if years == 0 {
        return Err(anyhow::anyhow!("--years must be at least 1").into());
    }
    if !data.data.join("db").exists() {
        return Err(anyhow::anyhow!("{} holds no log", data.data.display()).into());
    }
    data.run_offline(today, async |service| {
        let report = service.run_retention(years, dry_run).await?;
        let rows: Vec<Vec<String>> = report
            .due
            .iter()
            .map(|(client, changed)| vec![client.to_string(), changed.to_string()])
            .collect();
        crate::audit::print(&["client", "identifiersLastChanged"], &rows, format)?;
        match (&report.written, dry_run) {
            (_, true) => eprintln!(
                "dry run: {} client(s) last changed on or before {} would be forgotten",
                rows.len(),
                report.cutoff
            ),
            (Some(w), false) => eprintln!(
                "forgot the identifiers of {} client(s) last changed on or before {} (log position {})",
                rows.len(),
                report.cutoff,
                w.position()
            ),
            (None, false) => eprintln!(
                "no client's identifiers were last changed on or before {}",
                report.cutoff
            ),
        }
        if report.reasons_retired > 0 {
            eprintln!(
                "{} reason(s) stated in disclosure records made on or before {} {}",
                report.reasons_retired,
                report.cutoff,
                if dry_run { "would be destroyed" } else { "destroyed" }
            );
        }
        Ok(())
    })
}
