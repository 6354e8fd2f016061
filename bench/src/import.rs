//! HUD HMIS CSV import rate: a CoC from the scale generator (seed 1, 20 agencies, 3 years)
//! exported as FY2026 files by `export-hmis`, then imported into a new data directory through
//! the commands' rules — reading and checking the files, deciding every row against the
//! scratch read models, and writing the events (sealed, durable). Rows are every data row of
//! every file read.

use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use caseledger_core::SharingPolicy;
use caseledger_hmis::{ExportOptions, ImportOptions, ImportStage};
use caseledger_service::{Service, ServiceConfig};

use crate::failure::Failure;
use crate::figures::Figures;

/// Generates, exports and imports a CoC of `clients` clients.
pub fn run(clients: usize, scratch: &Path, figures: &mut Figures) -> Result<(), Failure> {
    let source = scratch.join(format!("import-source-{clients}"));
    let export = scratch.join(format!("import-export-{clients}"));
    let target = scratch.join(format!("import-target-{clients}"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        eprintln!("bench: generating and exporting {clients} clients");
        let (service, _) = crate::scale::generated_coc(&source, clients).await?;
        let started = Instant::now();
        let written = caseledger_hmis::export(&service, &export, &ExportOptions::default()).await?;
        let export_secs = started.elapsed().as_secs_f64();
        service.shutdown().await;
        let rows: usize = written
            .rows
            .iter()
            .filter(|(file, _)| *file != "Export.csv")
            .map(|(_, n)| n)
            .sum();
        figures.add("export_hmis_rows", rows as f64, "rows");
        figures.add(
            "export_hmis_rows_per_s",
            rows as f64 / export_secs,
            "rows/s",
        );

        eprintln!("bench: importing {rows} rows");
        let mut config = ServiceConfig::new(&target);
        config.snapshot_every = u64::MAX;
        let service = Service::open(&config)?;
        service.start();
        service
            .bootstrap(
                SharingPolicy::clienttrack("America/Los_Angeles"),
                "CoC lead",
                "admin",
            )
            .await?;
        // When each stage was first heard of: the first deciding tick comes once the files
        // were read and checked and the first file's rows decided.
        let deciding_from = Mutex::new(None);
        let writing_from = Mutex::new(None);
        let progress = |stage: ImportStage, _: u64, _: u64| {
            let first = match stage {
                ImportStage::Deciding => &deciding_from,
                ImportStage::Writing => &writing_from,
            };
            first
                .lock()
                .expect("progress lock")
                .get_or_insert_with(Instant::now);
        };
        let started = Instant::now();
        let report =
            caseledger_hmis::import(&service, &export, &ImportOptions::default(), &progress)
                .await?;
        let secs = started.elapsed().as_secs_f64();
        service.shutdown().await;
        if !report.written || !report.rejects.is_empty() {
            return Err(anyhow::anyhow!(
                "the generated export did not import cleanly: {} refused, first {:?}",
                report.rejects.len(),
                report.rejects.first().map(ToString::to_string)
            )
            .into());
        }
        let read: usize = report.files.values().map(|s| s.read).sum();
        let since = |first: &Mutex<Option<Instant>>| {
            first
                .lock()
                .expect("progress lock")
                .map_or(0.0, |t| t.elapsed().as_secs_f64())
        };
        let write_secs = since(&writing_from);
        let check_secs = secs - since(&deciding_from);
        figures.add("import_hmis_rows", read as f64, "rows");
        figures.add("import_hmis_events", report.events as f64, "events");
        figures.add("import_hmis_s", secs, "s");
        figures.add("import_hmis_rows_per_s", read as f64 / secs, "rows/s");
        figures.add("import_hmis_check_and_decide_s", secs - write_secs, "s");
        figures.add("import_hmis_read_and_check_s", check_secs, "s");
        figures.add("import_hmis_decide_s", secs - write_secs - check_secs, "s");
        figures.add("import_hmis_write_s", write_secs, "s");
        Ok::<_, Failure>(())
    })?;
    for dir in [source, export, target] {
        std::fs::remove_dir_all(dir)?;
    }
    Ok(())
}
