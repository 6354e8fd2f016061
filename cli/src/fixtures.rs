//! `caseledger fixtures generate`: runs `caseledger-bench generate` from beside this binary
//! (see `bench.rs`), because the scale generator builds its history with core's test kit,
//! which the production binary does not compile.

use std::ffi::OsString;

use crate::Failure;

/// Fixture commands.
#[derive(Debug, clap::Subcommand)]
pub enum FixturesCommand {
    /// Write a deterministic, realistic history into an empty data directory (agencies, MOUs,
    /// restrictions, households, enrollments, services, assessments, notes, shelter stays,
    /// record requests, disclosure records); the same arguments write the same log, byte for
    /// byte. Runs `caseledger-bench generate` (`caseledger fixtures generate --help` lists its
    /// flags: --data, --orgs, --clients, --years, --seed).
    #[command(disable_help_flag = true)]
    Generate {
        /// Arguments of `caseledger-bench generate`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
}

/// Runs a fixture command.
pub fn run(command: FixturesCommand, log_format: crate::logging::LogFormat) -> Result<(), Failure> {
    let FixturesCommand::Generate { args } = command;
    // Named `caseledger fixtures`, so its usage reads `caseledger fixtures generate`.
    crate::bench::exec(
        "caseledger fixtures",
        &["generate".into()],
        args,
        log_format,
    )
}
