//! `caseledger fixtures generate` (which runs `caseledger-bench generate`): the deterministic
//! scale generator, for benchmarks and for trying the service on a CoC of realistic size. It
//! lives in the benchmark's binary because it builds its history with core's test kit, which
//! the production binary does not compile.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use caseledger_fixtures::scale::{ScaleSpec, generate};
use caseledger_service::{Service, ServiceConfig};

use crate::Failure;

/// Write a deterministic, realistic history into an empty data directory: agencies of several
/// sizes, MOUs with overlapping windows, a restriction mix, households, enrollments with exits,
/// services, assessments, notes, shelter stays, record requests and disclosure records. The
/// same arguments write the same log, byte for byte (client data keys are derived from the
/// seed: synthetic data only). The system administrator's token goes to
/// DATA/generated-tokens.txt.
#[derive(Debug, clap::Args)]
pub(crate) struct GenerateArgs {
    /// Data directory (embedded sled store).
    #[arg(long, env = "CASELEDGER_DATA", default_value = "./data")]
    data: PathBuf,
    /// The master key sealing clients' identifiers (created with the data directory).
    #[arg(
        long,
        env = "CASELEDGER_MASTER_KEY_FILE",
        default_value = "DATA/master.key"
    )]
    master_key_file: String,
    /// Agencies.
    #[arg(long, default_value_t = 20)]
    orgs: usize,
    /// Clients.
    #[arg(long, default_value_t = 10_000)]
    clients: usize,
    /// Years of history (ending 2026-01-01).
    #[arg(long, default_value_t = 3)]
    years: u32,
    /// The seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// Runs the generator.
pub(crate) fn run(args: GenerateArgs) -> Result<(), Failure> {
    let GenerateArgs {
        data,
        master_key_file,
        orgs,
        clients,
        years,
        seed,
    } = args;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let mut config = ServiceConfig::new(&data);
        config.master_key_file = Some(match master_key_file.strip_prefix("DATA/") {
            Some(rest) => data.join(rest),
            None => PathBuf::from(&master_key_file),
        });
        config.synthetic_key_seed = Some(seed);
        // One snapshot at the end, not one every 100,000 events.
        config.snapshot_every = u64::MAX;
        let service = Service::open(&config)?;
        // The projector folds while the generator appends, so the snapshot written at the end
        // spares the first `serve` the replay.
        service.start();
        let bar = indicatif::ProgressBar::new(clients as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "generating {bar:40} {pos}/{len} clients ({per_sec}, eta {eta})",
            )
            .expect("template"),
        );
        let spec = ScaleSpec {
            orgs,
            clients,
            years,
            seed,
        };
        let result = generate(&service, spec, &mut |made| bar.set_position(made as u64)).await;
        bar.finish_and_clear();
        let outcome = match result {
            Ok(generated) => {
                service
                    .wait_for(generated.position, std::time::Duration::from_secs(600))
                    .await?;
                Ok(generated)
            }
            Err(e) => Err(e),
        };
        service.shutdown().await;
        let generated = outcome?;
        let tokens = data.join("generated-tokens.txt");
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tokens)?;
        writeln!(file, "admin\t{}", generated.admin_token)?;
        println!(
            "generated {} events for {clients} clients in {orgs} agencies over {years} years (seed {seed}); log head {}",
            generated.events, generated.position
        );
        println!("system administrator token: {}", tokens.display());
        Ok(())
    })
}
