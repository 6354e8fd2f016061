//! How cost grows with the size of a CoC: for each size, a history from the scale generator
//! (`caseledger fixtures generate`, seed 1, 20 agencies, 3 years), then, each in a fresh process
//! so memory is measured alone, a cold start from the snapshot the generator left and a replay
//! from zero (snapshot moved aside); resident memory after each, and the data directory's size.
//! The files were just written, so they are in the page cache: the start-up figures are CPU, not
//! disk reads.

use std::path::Path;
use std::time::Instant;

use caseledger_fixtures::scale::{ScaleSpec, generate};
use caseledger_service::{Service, ServiceConfig};

use crate::failure::Failure;
use crate::figures::Figures;

/// Environment variable that turns `caseledger-bench` into one start-up measurement.
const CHILD_VAR: &str = "CASELEDGER_BENCH_SCALE_CHILD";

/// The child side: opens the data directory in the variable; prints `seconds position rss`.
pub fn child() -> Option<Result<(), Failure>> {
    let dir = std::env::var_os(CHILD_VAR)?;
    let mut config = ServiceConfig::new(std::path::PathBuf::from(dir));
    config.snapshot_every = u64::MAX;
    let started = Instant::now();
    Some(match Service::open(&config) {
        Ok(service) => {
            let secs = started.elapsed().as_secs_f64();
            println!(
                "{secs} {} {}",
                service.projected_position(),
                crate::replay::rss()
            );
            service.close();
            Ok(())
        }
        Err(e) => Err(e.into()),
    })
}

fn start_in_child(dir: &Path) -> Result<(f64, f64, f64), Failure> {
    match crate::figures::child_figures("scale", CHILD_VAR, dir)?[..] {
        [secs, position, rss] => Ok((secs, position, rss)),
        _ => Err(anyhow::anyhow!("unexpected start-up child output").into()),
    }
}

/// The data directory's bytes by what holds them: the events file (the records, with their
/// frames and chain hashes), the index runs, the snapshot, and the rest (sled's manifest tree,
/// keys, the acknowledgement file), so its amplification over the records can be read off.
fn disk_parts(dir: &Path) -> [(&'static str, u64); 4] {
    fn walk(path: &Path, under: Option<&'static str>, parts: &mut [(&'static str, u64); 4]) {
        for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let part = under.or(match name.as_ref() {
                caseledger_log_store::INDEX_DIR => Some("index_runs"),
                "snapshots" => Some("snapshot"),
                caseledger_log_store::events_file::FILE => Some("events_file"),
                _ => None,
            });
            if meta.is_dir() {
                walk(&entry.path(), part, parts);
            } else {
                let i = parts
                    .iter()
                    .position(|(p, _)| Some(*p) == part)
                    .unwrap_or(3);
                parts[i].1 += meta.len();
            }
        }
    }
    let mut parts = [
        ("events_file", 0),
        ("index_runs", 0),
        ("snapshot", 0),
        ("other", 0),
    ];
    walk(dir, None, &mut parts);
    parts
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// The benchmarks' CoC of `clients` clients (20 agencies, 3 years, seed 1) generated into
/// `dir`, with the running service once the projector has folded all of it.
pub async fn generated_coc(
    dir: &Path,
    clients: usize,
) -> Result<(Service, caseledger_fixtures::scale::Generated), Failure> {
    let mut config = ServiceConfig::new(dir);
    config.synthetic_key_seed = Some(1);
    config.snapshot_every = u64::MAX;
    let service = Service::open(&config)?;
    service.start();
    let spec = ScaleSpec {
        orgs: 20,
        clients,
        years: 3,
        seed: 1,
    };
    let generated = generate(&service, spec, &mut |_| {}).await?;
    service
        .wait_for(generated.position, std::time::Duration::from_secs(3600))
        .await?;
    Ok((service, generated))
}

/// Generates and measures each size in `sizes` (clients).
pub fn run(sizes: &[usize], scratch: &Path, figures: &mut Figures) -> Result<(), Failure> {
    for &clients in sizes {
        let dir = scratch.join(format!("scale-{clients}"));
        eprintln!("bench: generating {clients} clients in {}", dir.display());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let started = Instant::now();
        let generated = runtime.block_on(async {
            let (service, generated) = generated_coc(&dir, clients).await?;
            let footprint = service.projection_footprint();
            service.shutdown().await;
            Ok::<_, Failure>((generated, footprint))
        })?;
        let (generated, footprint) = generated;
        drop(runtime);
        let secs = started.elapsed().as_secs_f64();
        let label = format!("scale_{clients}_clients");
        let mib = |bytes: f64| bytes / (1024.0 * 1024.0);
        figures.add(format!("{label}_events"), generated.events as f64, "events");
        figures.add(
            format!("{label}_generate_events_per_s"),
            generated.events as f64 / secs,
            "events/s",
        );
        let disk = dir_bytes(&dir);
        figures.add(format!("{label}_disk_mib"), mib(disk as f64), "MiB");
        let parts = disk_parts(&dir);
        for (part, bytes) in parts {
            figures.add(format!("{label}_disk_{part}_mib"), mib(bytes as f64), "MiB");
        }
        figures.add(
            format!("{label}_disk_per_events_file"),
            disk as f64 / parts[0].1.max(1) as f64,
            "×",
        );
        figures.add(
            format!("{label}_events_file_bytes_per_event"),
            parts[0].1 as f64 / generated.events.max(1) as f64,
            "B",
        );

        for (part, bytes) in footprint {
            let part = part.replace([' ', ':'], "_").replace("__", "_");
            figures.add(
                format!("{label}_projections_{part}_mib"),
                mib(bytes as f64),
                "MiB",
            );
        }
        figures.add(
            format!("{label}_snapshot_mib"),
            mib(std::fs::metadata(dir.join("snapshots").join("projections.snap"))?.len() as f64),
            "MiB",
        );
        let (cold, position, rss) = start_in_child(&dir)?;
        if position as u64 != generated.position {
            return Err(
                anyhow::anyhow!("the snapshot start reached {position}, not the head").into(),
            );
        }
        figures.add(format!("{label}_cold_start_s"), cold, "s");
        figures.add(format!("{label}_rss_mib"), mib(rss), "MiB");

        let snapshot = dir.join("snapshots").join("projections.snap");
        let aside = dir.join("projections.snap.aside");
        std::fs::rename(&snapshot, &aside)?;
        let replay = start_in_child(&dir);
        std::fs::rename(&aside, &snapshot)?;
        let (secs, _, _) = replay?;
        figures.add(format!("{label}_replay_s"), secs, "s");
        figures.add(
            format!("{label}_replay_events_per_s"),
            generated.events as f64 / secs,
            "events/s",
        );
        std::fs::remove_dir_all(&dir)?;
    }
    Ok(())
}
