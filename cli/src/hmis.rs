//! `caseledger import-hmis` and `export-hmis`: HUD HMIS CSV exports into and out of a stopped
//! server's data directory — imported through the commands' own rules (exit code 4 when rows
//! were refused), exported as FY2026 files under the sharing rules.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use caseledger_core::{Date, OrganizationId};
use caseledger_hmis::{ImportOptions, ImportReport, ImportStage};

use crate::audit::Format;
use crate::{DataArgs, Failure};

/// `import-hmis` arguments.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The export's directory (Export.csv, Client.csv, ...).
    dir: PathBuf,
    #[command(flatten)]
    data: DataArgs,
    /// A CSV file of `OrganizationID,caseledger organization id` lines: export organizations
    /// that already exist here (their records join them; they are not created again).
    #[arg(long, value_name = "FILE")]
    as_org_mapping: Option<PathBuf>,
    /// Check every row against the file rules and the commands' rules; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Write the valid rows even if others are refused (by default a refused row means
    /// nothing is written).
    #[arg(long)]
    allow_partial: bool,
    /// Decide as on this business date (YYYY-MM-DD) instead of today.
    #[arg(long, env = "CASELEDGER_TODAY")]
    today: Option<Date>,
    /// How the per-file summary is printed.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Print no progress bar.
    #[arg(long)]
    quiet: bool,
    /// Write every data-quality finding (and every refused value) to this CSV file: file,
    /// line, column, value, finding — one row each, the way HUD's data-quality report counts
    /// them. Findings never stop a row from importing.
    #[arg(long, value_name = "FILE.csv")]
    dq_report: Option<PathBuf>,
}

/// Writes the `--dq-report` file: refused values first (kind `refused`), then findings.
fn write_dq_report(path: &Path, report: &ImportReport) -> Result<(), Failure> {
    let fail = |e: &dyn std::fmt::Display| anyhow::anyhow!("cannot write {}: {e}", path.display());
    let mut out = csv::Writer::from_path(path).map_err(|e| fail(&e))?;
    out.write_record(["kind", "file", "line", "column", "value", "finding"])
        .map_err(|e| fail(&e))?;
    let rows = report
        .rejects
        .iter()
        .map(|r| ("refused", r))
        .chain(report.remarks.iter().map(|r| ("finding", r)));
    for (kind, r) in rows {
        out.write_record([
            kind,
            &r.file,
            &r.line.to_string(),
            &r.column,
            &r.value,
            &r.rule,
        ])
        .map_err(|e| fail(&e))?;
    }
    out.flush().map_err(|e| fail(&e))?;
    Ok(())
}

/// Reads an `--as-org-mapping` file.
fn read_mapping(path: &Path) -> Result<BTreeMap<String, OrganizationId>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let mut mapping = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (source, id) = line.split_once(',').ok_or_else(|| {
            anyhow::anyhow!(
                "{}:{}: expected `OrganizationID,organization id`",
                path.display(),
                n + 1
            )
        })?;
        match id.trim().parse::<OrganizationId>() {
            Ok(id) => {
                mapping.insert(source.trim().to_string(), id);
            }
            // A header line.
            Err(_) if n == 0 => {}
            Err(e) => {
                return Err(anyhow::anyhow!(
                    "{}:{}: `{}` is not an organization id: {e}",
                    path.display(),
                    n + 1,
                    id.trim()
                )
                .into());
            }
        }
    }
    Ok(mapping)
}

/// Runs `import-hmis`.
pub fn import(args: ImportArgs) -> Result<(), Failure> {
    args.data.require_log()?;
    let options = ImportOptions {
        dry_run: args.dry_run,
        allow_partial: args.allow_partial,
        organizations: match &args.as_org_mapping {
            Some(path) => read_mapping(path)?,
            None => BTreeMap::new(),
        },
    };
    let report = args.data.run_offline(args.today, async |service| {
        let bar = progress_bar(args.quiet);
        let stage = std::sync::Mutex::new(None);
        let progress = |s: ImportStage, done: u64, total: u64| {
            let mut current = stage.lock().expect("progress lock");
            if *current != Some(s) {
                *current = Some(s);
                bar.set_message(match s {
                    ImportStage::Deciding => "checking rows",
                    ImportStage::Writing => "writing events",
                });
                bar.set_length(total);
            }
            bar.set_position(done);
        };
        let result = caseledger_hmis::import(service, &args.dir, &options, &progress).await;
        bar.finish_and_clear();
        Ok(result?)
    })?;
    print_report(&report, args.format)?;
    if let Some(path) = &args.dq_report {
        write_dq_report(path, &report)?;
    }
    let refused = report.rejects.len();
    let outcome = match (report.written, args.dry_run, refused) {
        (_, true, 0) => format!("dry run: {} events would be written", report.events),
        (_, true, n) => format!(
            "dry run: {n} refused value(s); {} events would be written with --allow-partial",
            report.events
        ),
        (false, false, 0) => "nothing new to import".to_string(),
        (false, false, n) if report.events == 0 => {
            format!("nothing new to import; {n} refused value(s)")
        }
        (false, false, n) => format!(
            "nothing was written: {n} refused value(s) (fix them, or import the valid rows with --allow-partial)"
        ),
        (true, false, 0) => format!("imported: {} events written", report.events),
        (true, false, n) => format!(
            "imported the valid rows (--allow-partial): {} events written, {n} refused value(s) not imported",
            report.events
        ),
    };
    eprintln!("{} ({})", outcome, report.version);
    if refused > 0 {
        return Err(Failure::refused(anyhow::anyhow!(
            "{refused} refused value(s)"
        )));
    }
    Ok(())
}

fn progress_bar(quiet: bool) -> indicatif::ProgressBar {
    if quiet {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:16} {bar:40} {pos}/{len} ({per_sec})")
            .expect("template"),
    );
    bar
}

fn print_report(report: &ImportReport, format: Format) -> Result<(), Failure> {
    let columns = [
        "file",
        "read",
        "imported",
        "updated",
        "unchanged",
        "deleted",
        "notImported",
        "rejected",
    ];
    let rows: Vec<Vec<String>> = report
        .files
        .iter()
        .map(|(file, s)| {
            vec![
                file.clone(),
                s.read.to_string(),
                s.imported.to_string(),
                s.updated.to_string(),
                s.unchanged.to_string(),
                s.deleted.to_string(),
                s.not_imported.to_string(),
                s.rejected.to_string(),
            ]
        })
        .collect();
    crate::audit::print(&columns, &rows, format)?;
    // A legacy export can hold thousands of findings: the first ones here, all of them in the
    // --dq-report file.
    const SHOWN: usize = 20;
    for remark in report.remarks.iter().take(SHOWN) {
        eprintln!("note: {remark}");
    }
    if report.remarks.len() > SHOWN {
        eprintln!(
            "note: … and {} more data-quality findings (--dq-report FILE.csv lists every one)",
            report.remarks.len() - SHOWN
        );
    }
    for reject in &report.rejects {
        eprintln!("refused: {reject}");
    }
    Ok(())
}

/// `export-hmis` arguments.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Directory to write the export's files into (created if missing).
    out: PathBuf,
    #[command(flatten)]
    data: DataArgs,
    /// The specification's version: 2026 ("2026 v1.0"), or 2024 ("2024 v1.4") for a system
    /// that still reads FY2024 (records imported from an FY2024 export then export as they came).
    #[arg(long, env = "CASELEDGER_CSV_VERSION", default_value = "2026", value_parser = ["2024", "2026"])]
    version: String,
    /// Export only what this organization may see under the sharing rules (default: the whole
    /// CoC, as its system administrator). Recorded as a disclosure either way.
    #[arg(long, value_name = "ORGANIZATION_ID")]
    as_org: Option<OrganizationId>,
    /// Enrollments active on or after this date (YYYY-MM-DD), with their clients and records.
    #[arg(long)]
    from: Option<Date>,
    /// Enrollments that started on or before this date (YYYY-MM-DD).
    #[arg(long)]
    to: Option<Date>,
    /// Evaluate the sharing rules as on this business date instead of today.
    #[arg(long, env = "CASELEDGER_TODAY")]
    today: Option<Date>,
}

/// Runs `export-hmis`.
pub fn export(args: ExportArgs) -> Result<(), Failure> {
    if !args.data.data.join("db").exists() {
        return Err(anyhow::anyhow!("{} holds no log", args.data.data.display()).into());
    }
    if let (Some(from), Some(to)) = (args.from, args.to)
        && to < from
    {
        return Err(anyhow::anyhow!("--to {to} is before --from {from}").into());
    }
    let options = caseledger_hmis::ExportOptions {
        as_organization: args.as_org,
        from: args.from,
        to: args.to,
        specification: if args.version == "2024" {
            caseledger_hmis::Specification::Fy2024
        } else {
            caseledger_hmis::Specification::Fy2026
        },
    };
    let report = args.data.run_offline(args.today, async |service| {
        Ok(caseledger_hmis::export(service, &args.out, &options).await?)
    })?;
    for (file, rows) in &report.rows {
        println!("{file:28} {rows}");
    }
    eprintln!(
        "wrote an FY{} export ({}) to {}; disclosure recorded at log position {}",
        args.version,
        options.specification.csv_version(),
        report.dir.display(),
        report.disclosure_position
    );
    Ok(())
}
