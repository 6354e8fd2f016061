//! `caseledger bench`: runs the `caseledger-bench` executable found beside this one.
//!
//! The benchmarks are a binary of their own so that this one, the one deployments run, links
//! neither their HTTP load generator nor their PostgreSQL client; the command users know keeps
//! working when both are built.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;

use crate::Failure;

/// What `cargo` builds the benchmark executable with.
const BUILD_HINT: &str = "cargo build --release -p caseledger-bench";

/// Arguments of `bench`: everything after it, `--help` included, for `caseledger-bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Arguments of `caseledger-bench` (`caseledger bench --help` lists them).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<OsString>,
}

/// Where `caseledger-bench` is expected: beside the running executable.
fn bench_executable() -> Result<PathBuf, Failure> {
    let exe = std::env::current_exe()?;
    Ok(exe.with_file_name(format!("caseledger-bench{}", std::env::consts::EXE_SUFFIX)))
}

/// Replaces this process with `caseledger-bench ARGS` (so its exit code, signals and output
/// are the command's own), or fails with exit code 2 naming how to build it when it is missing.
pub fn run(args: BenchArgs, log_format: crate::logging::LogFormat) -> Result<(), Failure> {
    exec("caseledger bench", &[], args.args, log_format)
}

/// Replaces this process with `caseledger-bench FIRST ARGS`, named `arg0` (so its usage and
/// errors name the command the user typed); a global `--log-format` given before the command
/// reaches it too.
pub(crate) fn exec(
    arg0: &str,
    first: &[OsString],
    args: Vec<OsString>,
    log_format: crate::logging::LogFormat,
) -> Result<(), Failure> {
    let bench = bench_executable()?;
    if !bench.is_file() {
        return Err(Failure::usage(anyhow::anyhow!(
            "`{arg0}` runs {}, which does not exist; build it beside this binary with \
             `{BUILD_HINT}`",
            bench.display()
        )));
    }
    let error = std::process::Command::new(&bench)
        .arg0(arg0)
        .args(first)
        .args(args)
        .env("CASELEDGER_LOG_FORMAT", log_format.name())
        .exec();
    Err(anyhow::Error::new(error)
        .context(format!("cannot run {}", bench.display()))
        .into())
}
